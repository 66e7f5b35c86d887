"""Workbooks in other formats (issue 23): .xls, WPS .et, .ods, an .xls renamed .xlsx, recognised by content.

The bundled example is converted by headless LibreOffice, and every copy must give the findings of the
.xlsx at the same cells, including a finding that depends on a percentage number format.
"""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl import batch
from jixiao_xl.cli import main
from jixiao_xl.xlsx.grid import UnreadableWorkbook, read_grids, workbook_kind

from .libreoffice import convert, soffice
from .test_seed import EXAMPLE

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """name -> file: the example and a copy whose 附件3!F20 holds 0.85 formatted 0% (read as 85%), each as
    .xlsx, .xls, .ods; an .et (an .xls so named) and an .xls renamed .xlsx.  LibreOffice cannot write .xlsb."""
    root = tmp_path_factory.mktemp("formats")
    src = root / "src"
    src.mkdir()
    shutil.copy(EXAMPLE, src / "example.xlsx")
    book = openpyxl.load_workbook(EXAMPLE)
    book["附件3"]["F20"] = 0.85
    book["附件3"]["F20"].number_format = "0%"
    book.save(src / "percent.xlsx")
    out = {"example.xlsx": src / "example.xlsx", "percent.xlsx": src / "percent.xlsx"}
    sources = [src / "example.xlsx", src / "percent.xlsx"]
    for fmt, ext in (("xls:MS Excel 97", "xls"), ("ods:calc8", "ods")):
        for path in convert(sources, root / ext, fmt):
            out[path.name] = path
    et = root / "et" / "example.et"
    et.parent.mkdir()
    shutil.copy(out["example.xls"], et)
    out["example.et"] = et
    renamed = root / "renamed" / "example.xlsx"
    renamed.parent.mkdir()
    shutil.copy(out["example.xls"], renamed)
    out["renamed.xlsx"] = renamed
    return out


def findings(capsys, path: Path) -> tuple[int, list[tuple]]:
    code = main(["check", "--json", str(path)])
    data = json.loads(capsys.readouterr().out)
    found = [(f["code"], f.get("sheet"), f.get("cell"), f.get("expected"), f.get("found"), f.get("message"))
             for entry in data["files"] for form in entry["forms"] for f in form["findings"]]
    return code, found


@pytest.mark.parametrize("name", ["example.xls", "example.ods", "example.et", "renamed.xlsx"])
def test_same_findings_as_the_xlsx(books, capsys, name):
    reference = findings(capsys, books["example.xlsx"])
    assert reference[1]  # the example has findings to compare
    assert findings(capsys, books[name]) == reference


@pytest.mark.parametrize("name", ["percent.xls", "percent.ods"])
def test_percentage_format_is_read(books, capsys, name):
    code, found = findings(capsys, books["percent.xlsx"])
    h20 = [f for f in found if f[2] == "H20"]
    assert h20 and "完成值“85%”" in h20[0][5]  # 0.85 in a cell formatted 0% is 85%, as in the .xlsx
    assert findings(capsys, books[name]) == (code, found)


def test_formats_told_by_content(books):
    assert workbook_kind(str(books["renamed.xlsx"])) == "xls"
    assert workbook_kind(str(books["example.et"])) == "xls"
    assert workbook_kind(str(books["example.ods"])) == "ods"
    assert workbook_kind(str(books["example.xlsx"])) == "xlsx"
    grids = read_grids(str(books["example.ods"]))
    assert [sorted(g.merged) for g in grids] == [sorted(g.merged) for g in read_grids(str(books["example.xlsx"]))]


def test_xlsb_is_told_by_its_workbook_bin(tmp_path):
    fake = tmp_path / "book.dat"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\0" * 16)
    assert workbook_kind(str(fake)) == "xlsb"
    with pytest.raises(UnreadableWorkbook) as exc:  # not a real one: a Chinese reason, no traceback
        read_grids(str(fake))
    assert "文件已损坏" in str(exc.value)


def test_fill_of_an_xls_writes_an_xlsx_beside_it(books, tmp_path, capsys):
    xls = tmp_path / "自评表.xls"
    shutil.copy(books["example.xls"], xls)
    before = xls.read_bytes()
    code = main(["fill", str(xls)])
    out = capsys.readouterr().out
    filled = tmp_path / "自评表（已填写）.xlsx"
    assert code == 1 and filled.exists() and xls.read_bytes() == before
    assert "原文件是 .xls 格式，未作任何改动" in out and f"已写入：{filled}" in out
    assert "校验结果" in openpyxl.load_workbook(filled).sheetnames
    # the filled copy holds the values of the .xls and the derived cells, as the .xlsx filled the same way
    reference = tmp_path / "ref.xlsx"
    assert main(["fill", str(books["example.xlsx"]), "-o", str(reference)]) == 1
    capsys.readouterr()
    assert findings(capsys, filled)[1] == findings(capsys, reference)[1]


def test_fill_of_an_xls_refuses_in_place_and_a_non_xlsx_output(books, tmp_path, capsys):
    xls = tmp_path / "表.et"
    shutil.copy(books["example.xls"], xls)
    before = xls.read_bytes()
    assert main(["fill", "--in-place", str(xls)]) == 2
    err = capsys.readouterr().err
    assert "不能直接修改（--in-place）" in err and "表（已填写）.xlsx" in err and "Traceback" not in err
    assert main(["fill", str(xls), "-o", str(tmp_path / "out.xls")]) == 2
    assert "输出文件名须以 .xlsx 结尾" in capsys.readouterr().err
    assert xls.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["表.et"]


def _encrypted_xls(source: Path, target: Path) -> None:
    """An .xls with a FILEPASS record (RC4 encryption header) right after its BOF, as Excel writes one with an
    opening password (msoffcrypto-tool encrypts OOXML only).  Records after the BOF are overwritten, so the
    Workbook stream keeps its size."""
    olefile = pytest.importorskip("olefile")
    shutil.copy(source, target)
    ole = olefile.OleFileIO(str(target), write_mode=True)
    try:
        stream = bytearray(ole.openstream("Workbook").read())
        start = 4 + struct.unpack_from("<H", stream, 2)[0]  # after the BOF
        end = start
        while end - start < 64:  # whole records, enough room for the header
            end += 4 + struct.unpack_from("<H", stream, end + 2)[0]
        body = struct.pack("<HHH", 1, 1, 1) + bytes(range(48))
        body += b"\0" * (end - start - 4 - len(body))
        stream[start:end] = struct.pack("<HH", 0x2F, len(body)) + body
        ole.write_stream("Workbook", bytes(stream))
    finally:
        ole.close()


def test_truncated_and_encrypted_xls_are_one_chinese_line(books, tmp_path, capsys):
    truncated = tmp_path / "残缺.xls"
    data = books["example.xls"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    encrypted = tmp_path / "加密.xls"
    _encrypted_xls(books["example.xls"], encrypted)
    for path, reason in ((truncated, "文件已损坏或不完整"), (encrypted, "文件已加密")):
        assert main(["check", str(path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and reason in err[0] and path.name in err[0]
        assert main(["fill", str(path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and reason in err[0]


def test_batch_takes_every_format_as_a_workbook(books, tmp_path):
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(books["example.xlsx"], inbox / "a.xlsx")
    shutil.copy(books["example.xls"], inbox / "b.xls")
    shutil.copy(books["example.et"], inbox / "c.et")
    shutil.copy(books["example.ods"], inbox / "d.ods")
    shutil.copy(books["example.xls"], inbox / "e.附件")  # an .xls by its content, whatever its name
    (inbox / "说明.txt").write_text("附件", encoding="utf-8")
    result = batch.run([str(inbox)], str(tmp_path / "out"), fill=True, jobs=2)
    by_rel = {r["rel"]: r for r in result.results}
    assert sorted(by_rel) == ["a.xlsx", "b.xls", "c.et", "d.ods", "e.附件"]
    assert [rel for rel, _ in result.attachments] == ["说明.txt"]
    assert {r["status"] for r in by_rel.values()} == {"errors"}
    assert {len(r["report"]["forms"]) for r in by_rel.values()} == {3}
    filled = tmp_path / "out" / "filled"
    assert sorted(p.name for p in filled.iterdir()) == ["a.xlsx", "b（已填写）.xlsx", "c（已填写）.xlsx",
                                                        "d（已填写）.xlsx", "e（已填写）.xlsx"]
    assert (inbox / "b.xls").read_bytes() == books["example.xls"].read_bytes()


def test_ods_layout_by_byte_search_matches_the_parse(books, tmp_path):
    from jixiao_xl.xlsx.numfmt import _ods_parse, _ods_scan, ods_layout

    data = zipfile.ZipFile(books["percent.ods"]).read("content.xml")
    assert _ods_scan(data) == _ods_parse(data)
    assert (19, 5) in _ods_scan(data)["附件3"][1]  # F20, 0.85 formatted 0%
    # another prefix bound to the table namespace: parsed, the same layout
    other = data
    for old, new in ((b"<table:", b"<tb:"), (b"</table:", b"</tb:"), (b" table:", b" tb:"), (b"xmlns:table=", b"xmlns:tb=")):
        other = other.replace(old, new)
    renamed = tmp_path / "other.ods"
    with zipfile.ZipFile(books["percent.ods"]) as src, zipfile.ZipFile(renamed, "w") as out:
        for info in src.infolist():
            out.writestr(info, other if info.filename == "content.xml" else src.read(info))
    assert ods_layout(str(renamed)) == _ods_parse(data)


@pytest.mark.parametrize("name", ["example.xls", "example.ods"])
def test_template_from_another_format(books, tmp_path, capsys, name):
    assert main(["template", "--from", str(books["example.xlsx"]), "-o", str(tmp_path / "ref.xlsx")]) == 0
    assert main(["template", "--from", str(books[name]), "-o", str(tmp_path / "new.xlsx")]) == 0
    capsys.readouterr()
    assert findings(capsys, tmp_path / "new.xlsx") == findings(capsys, tmp_path / "ref.xlsx")


def test_ods_with_an_entity_declaration_is_refused(books, tmp_path, capsys):
    bomb = tmp_path / "bomb.ods"
    with zipfile.ZipFile(books["example.ods"]) as src, zipfile.ZipFile(bomb, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "content.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            out.writestr(info, data)
    assert main(["check", str(bomb)]) == 2
    assert "疑似 XML 炸弹" in capsys.readouterr().err


def test_an_et_saved_as_xlsx_is_marked_and_read_without_calamine(tmp_path, capsys):
    # WPS also saves its .et as .xlsx content under the .et name: openpyxl refuses such a name outright, so
    # fill --mark (and every read where python-calamine is missing: a 信创 machine without its wheel) said
    # "文件已损坏，无法读取（InvalidFileException）"
    import subprocess
    import sys

    source = tmp_path / "本单位.et"
    shutil.copy(EXAMPLE, source)
    out = tmp_path / "已标注.et"
    assert main(["fill", str(source), "-o", str(out), "--mark"]) == 1
    captured = capsys.readouterr()
    assert "无法读取" not in captured.err + captured.out and f"已写入：{out}" in captured.out
    with open(out, "rb") as handle:
        book = openpyxl.load_workbook(handle)
    note = book["附件1"]["B7"].comment
    assert note is not None and note.text.startswith("B111 错误：") and "现填 17" in note.text
    code = ("import sys; sys.modules['python_calamine'] = None\n"
            "from jixiao_xl.cli import main; sys.exit(main(['check', sys.argv[1]]))")
    done = subprocess.run([sys.executable, "-c", code, str(source)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "B111 错误" in done.stdout and "无法读取" not in done.stdout + done.stderr


def test_a_rate_in_an_xls_is_judged_as_its_format_shows_it(tmp_path, capsys):
    """71.53 ÷ 83 = 86.18 %: 0.8619 shows 86.2 % in a 0.0% cell (right) and 86.19 % in a 0.00% cell (E101), in an
    .xls (its FORMAT records, read through xlrd) as in the .xlsx."""
    sources = []
    for name, code in (("one.xlsx", "0.0%"), ("two.xlsx", "0.00%")):
        book = openpyxl.load_workbook(EXAMPLE)
        ws = book["附件3"]
        ws["E6"], ws["E7"], ws["G6"], ws["H6"], ws["H24"] = 71.53, 71.53, 0.8619, 8.62, 98.62
        ws["G6"].number_format = code
        book.save(tmp_path / name)
        sources.append(tmp_path / name)
    one, two = convert(sources, tmp_path / "xls", "xls:MS Excel 97")
    for path in (sources[0], one):
        assert [f for f in findings(capsys, path)[1] if f[0] == "E101"] == [], path
    for path in (sources[1], two):
        (e101,) = [f for f in findings(capsys, path)[1] if f[0] == "E101"]
        assert e101[2] == "G6" and e101[5].endswith("= 71.53 ÷ 83 = 86.18%，现填 86.19%"), e101
