"""自评报告 documents for the tests, built with python-docx from the seed's report text.

The seed (tests/data/seed_submission.txt, a copy of ../shared/seeds/000_01e5d2d49393df42.txt) holds the 2023 汨罗市司法局 submission: the workbook
(bundled as the example) and, after it, the 部门整体支出绩效自评报告 and a 项目支出绩效评价报告.  Its
figures agree with each other and with the workbook, so the faithful document has no contradiction.
Paragraph N of a built document is line N of ``seed_report_lines()`` (empty lines are dropped, and the
checker numbers non-empty paragraphs).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx

from .test_seed import EXAMPLE

# a copy of ../shared/seeds/000_01e5d2d49393df42.txt, so that the tests never depend on a folder beside the repo
SEED = Path(__file__).resolve().parent / "data" / "seed_submission.txt"
REPORT_START = "2023年度汨罗市司法局部门整体支出绩效"
WORKBOOK = str(EXAMPLE)


def seed_report_lines() -> list[str]:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(REPORT_START))
    return [line.strip() for line in lines[start:] if line.strip()]


def paragraph_of(lines: list[str], needle: str) -> int:
    """The 1-based paragraph holding ``needle`` (the first)."""
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def edit(lines: list[str], old: str, new: str) -> list[str]:
    out = list(lines)
    i = paragraph_of(out, old) - 1
    out[i] = out[i].replace(old, new, 1)
    return out


def insert_after(lines: list[str], needle: str, new: str) -> list[str]:
    out = list(lines)
    out.insert(paragraph_of(out, needle), new)
    return out


def build(path: Path, lines: list[str], heading_levels: dict[int, int] | None = None) -> Path:
    document = docx.Document()
    for i, line in enumerate(lines, 1):
        level = (heading_levels or {}).get(i)
        if level:
            document.add_heading(line, level)
        else:
            document.add_paragraph(line)
    document.save(path)
    return path


def encrypted(path: Path, source: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(source, "rb") as handle:
        OOXMLFile(handle).encrypt("secret", out)
    path.write_bytes(out.getvalue())
    return path


def _png() -> bytes:
    """A 1×1 white PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\xff\xff\xff"))
            + chunk(b"IEND", b""))


def image_only(path: Path, pictures: int = 3) -> Path:
    document = docx.Document()
    for _ in range(pictures):
        document.add_picture(io.BytesIO(_png()))
    document.save(path)
    return path


def huge(path: Path, pages: int = 1000) -> Path:
    """``pages`` pages of the seed report's body (about 40 paragraphs a page), written as raw XML."""
    lines = seed_report_lines()
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    per_copy = max(1, len(lines) // 40)
    copies = pages // per_copy + 1
    small = path.with_suffix(".small.docx")
    docx.Document().save(small)
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                head, tail = text.split("<w:body>", 1)
                data = (head + "<w:body>" + body * copies + tail).encode("utf-8")
            out.writestr(info.filename, data)
    small.unlink()
    return path


def entity_bomb(path: Path) -> Path:
    """Billion laughs in word/document.xml."""
    entities = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10 if i else "lol"}">' for i in range(10))
    small = path.with_suffix(".small.docx")
    docx.Document().save(small)
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8").replace("<w:document", f"<!DOCTYPE lolz [{entities}]><w:document", 1)
                text = text.replace("<w:body>", "<w:body><w:p><w:r><w:t>报告&l9;</w:t></w:r></w:p>", 1)
                data = text.encode("utf-8")
            out.writestr(info.filename, data)
    small.unlink()
    return path
