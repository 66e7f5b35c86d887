"""Hostile and broken workbooks, made on the fly (nothing binary is committed)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl

from .samples import seed_sheets, write_xlsx

from .test_seed import EXAMPLE


def not_a_zip(path: Path) -> None:
    path.write_text("部门,金额\n司法局,100\n", encoding="utf-8")


def truncated(path: Path) -> None:
    path.write_bytes(EXAMPLE.read_bytes()[:4000])


def zip_bomb(path: Path) -> None:
    """A workbook whose sheet unpacks to 64 MB of zeros from a few dozen KB."""
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info.filename))
        out.writestr("xl/media/padding.bin", b"\0" * (64 << 20))


def entity_bomb(path: Path) -> None:
    """Billion laughs in a worksheet's XML."""
    entities = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10 if i else "lol"}">' for i in range(10))
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8").replace("<worksheet", f"<!DOCTYPE lolz [{entities}]><worksheet", 1)
                text = text.replace("</sheetData>", '<row r="900"><c r="A900" t="inlineStr"><is><t>&l9;</t></is>'
                                    "</c></row></sheetData>")
                data = text.encode("utf-8")
            out.writestr(info.filename, data)


def encrypted(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(EXAMPLE, "rb") as handle:
        OOXMLFile(handle).encrypt("secret", out)
    path.write_bytes(out.getvalue())


def no_form(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["姓名", "金额"])
    book.active.append(["张三", 100])
    book.save(path)


def huge_sheet(path: Path, rows: int = 100_000) -> None:
    """The seed plus a 100,000-row data sheet (written streaming)."""
    book = openpyxl.Workbook(write_only=True)
    for spec in seed_sheets():
        ws = book.create_sheet(spec.name)
        for row in spec.rows:
            ws.append(row)
    ws = book.create_sheet("明细")
    for i in range(rows):
        ws.append([i, f"凭证{i}", i * 1.5, "办公费", None])
    book.save(path)


def uncached_formulas(path: Path) -> None:
    """The seed with 三公 as a formula saved by a program (no result stored)."""
    sheets = seed_sheets()
    write_xlsx(path, sheets)
    book = openpyxl.load_workbook(path)
    book["附件1"]["D6"] = "=D7+D10+D11"
    book.save(path)


def error_values(path: Path) -> None:
    write_xlsx(path, seed_sheets())
    book = openpyxl.load_workbook(path)
    for address, error in (("G5", "#DIV/0!"), ("H5", "#REF!")):
        cell = book["附件2"][address]
        cell.value = error
        cell.data_type = "e"
    book.save(path)


def hidden_sheet(path: Path) -> None:
    write_xlsx(path, seed_sheets())
    book = openpyxl.load_workbook(path)
    book["附件3"].sheet_state = "hidden"
    book.save(path)


def formula_text(path: Path) -> None:
    """Cells whose text looks like formulas (=, +, -, @) in labels and names."""
    sheets = seed_sheets()
    sheets[1].rows[2][1] = '=HYPERLINK("http://x","单位")'
    sheets[0].rows[15][0] = "+专项" 
    sheets[0].rows[16][0] = "@SUM(1)"
    write_xlsx(path, sheets)


HOSTILE = {
    "not-a-zip.xlsx": (not_a_zip, "不是 Excel 工作簿"),
    "truncated.xlsx": (truncated, "文件已损坏"),
    "zip-bomb.xlsx": (zip_bomb, "压缩炸弹"),
    "entity-bomb.xlsx": (entity_bomb, "XML 炸弹"),
    "encrypted.xlsx": (encrypted, "文件已加密"),
    "no-form.xlsx": (no_form, "没有找到可识别的绩效自评表"),
}


def nested_forms_pdf(path: Path, depth: int = 8, fan: int = 10) -> None:
    """A 3 KB PDF whose one page draws a form that draws another ``fan`` times, ``depth`` deep: 10⁸ letters to
    lay out, hours of pdfminer (and gigabytes) for a file that looks like any other report."""

    def obj(number: int, body: bytes) -> bytes:
        return b"%d 0 obj\n" % number + body + b"\nendobj\n"

    def stream(head: bytes, data: bytes) -> bytes:
        return b"<< %s /Length %d >>\nstream\n" % (head, len(data)) + data + b"\nendstream"

    font = b"/Font << /F1 5 0 R >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << %s "
               b"/XObject << /X 6 0 R >> >> >>" % font,
               stream(b"", b"BT /F1 12 Tf 72 770 Td (Zi Ping Bao Gao) Tj ET /X Do"),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for level in range(depth + 1):
        number = 6 + level
        if level < depth:
            head = b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /Y %d 0 R >> >>" % (
                number + 1)
            objects.append(stream(head, b"/Y Do " * fan))
        else:
            head = b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << %s >>" % font
            objects.append(stream(head, b"BT /F1 12 Tf (a) Tj ET"))
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += obj(number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
