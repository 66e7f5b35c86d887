"""Draw the add-in's icons (a white tick on the template's blue) as PNGs, without image libraries.

    python addin/server/make_icons.py
"""

import struct
import zlib
from pathlib import Path

BLUE, WHITE = (0x1F, 0x4E, 0x79), (0xFF, 0xFF, 0xFF)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def icon(size: int) -> bytes:
    def on_tick(x: float, y: float) -> bool:  # two strokes of a tick, in unit coordinates
        width = 0.09
        for (x0, y0), (x1, y1) in (((0.22, 0.52), (0.42, 0.72)), ((0.42, 0.72), (0.80, 0.30))):
            dx, dy = x1 - x0, y1 - y0
            t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
            if (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 <= width ** 2:
                return True
        return False

    rows = b""
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            row += bytes(WHITE if on_tick((i + 0.5) / size, (j + 0.5) / size) else BLUE)
        rows += bytes(row)
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")


if __name__ == "__main__":
    here = Path(__file__).resolve().parent / "static" / "images"
    for size in (16, 32, 64, 80):
        (here / f"jixiao-{size}.png").write_bytes(icon(size))
