"""Read the VBA source of an .xlam's vbaProject.bin (MS-OVBA), to check what xlwings' template really does."""

from __future__ import annotations

import io
import struct
import zipfile


def decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 decompression of a CompressedContainer."""
    assert data[0] == 1, "not a compressed VBA container"
    out, pos = bytearray(), 1
    while pos < len(data):
        header = struct.unpack("<H", data[pos:pos + 2])[0]
        size, compressed = (header & 0x0FFF) + 3, header & 0x8000
        chunk, pos = data[pos + 2:pos + size], pos + size
        if not compressed:
            out += chunk
            continue
        start, i = len(out), 0
        while i < len(chunk):
            flags, i = chunk[i], i + 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags & (1 << bit):
                    out.append(chunk[i])
                    i += 1
                    continue
                token, i = struct.unpack("<H", chunk[i:i + 2])[0], i + 2
                bits = max((len(out) - start - 1).bit_length(), 4)
                length, offset = (token & (0xFFFF >> bits)) + 3, (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def modules(xlam) -> dict[str, str]:
    """Module name → VBA source text."""
    import olefile

    with zipfile.ZipFile(xlam) as archive:
        ole = olefile.OleFileIO(io.BytesIO(archive.read("xl/vbaProject.bin")))
    directory = decompress(ole.openstream("VBA/dir").read())
    found, name, i = {}, None, 0
    while i < len(directory):
        record, size = struct.unpack("<HI", directory[i:i + 6])
        if record == 0x0009:  # PROJECTVERSION: its size field lies (MS-OVBA 2.3.4.2.1.11)
            size = 6
        body, i = directory[i + 6:i + 6 + size], i + 6 + size
        if record == 0x0019:
            name = body.decode("latin-1")
        elif record == 0x0031:
            offset = struct.unpack("<I", body)[0]
            found[name] = decompress(ole.openstream("VBA/" + name).read()[offset:]).decode("latin-1")
    return found
