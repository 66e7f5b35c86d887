"""Sheet XML is parsed, not matched: every valid spelling of a formula cell is read and written alike.

openpyxl writes an uncached formula as ``<v/>`` with the standard library and as
``<v></v>`` when lxml is installed (Anaconda ships it); other applications order
attributes differently or prefix the namespace.  CI runs the suite once without
lxml and once with it; here the serialiser is also switched per subprocess.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from jixiao_xl.rules.check import check_path
from jixiao_xl.xlsx.grid import UnreadableWorkbook, read_grids
from jixiao_xl.xlsx.xlsxio import inject_cached_values, sheet_paths

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CELL = '<c r="A2"><f>A1+1</f><v /></c>'

UNCACHED = {
    "std-library": '<c r="A2"><f>A1+1</f><v /></c>',
    "lxml": '<c r="A2"><f>A1+1</f><v></v></c>',
    "no-v": '<c r="A2"><f>A1+1</f></c>',
    "attributes-swapped": '<c s="0" r="A2"><f>A1+1</f><v/></c>',
    "single-quotes": "<c r='A2'><f>A1+1</f><v></v></c>",
    "whitespace": '<c r="A2" >\n  <f>A1+1</f>\n  <v/>\n</c>',
}
CACHED = {
    "number": '<c r="A2"><f>A1+1</f><v>2</v></c>',
    "empty-text": '<c r="A2" t="str"><f>A1+1</f><v></v></c>',
    "attributes-swapped": '<c t="n" r="A2"><f>A1+1</f><v>2</v></c>',
}


def tiny(tmp_path, cell: str, name: str = "t.xlsx") -> Path:
    """A real workbook (openpyxl) whose formula cell A2 is spelled ``cell``."""
    base = tmp_path / "base.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = 1
    book.active["A2"] = "=A1+1"
    book.save(base)
    path = tmp_path / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == SHEET:
                text = data.decode()
                assert CELL in text or '<c r="A2"><f>A1+1</f><v></v></c>' in text
                text = text.replace(CELL, cell).replace('<c r="A2"><f>A1+1</f><v></v></c>', cell)
                data = text.encode()
            out.writestr(info, data)
    return path


@pytest.mark.parametrize("spelling", UNCACHED)
def test_uncached_formula_is_found_however_spelled(tmp_path, spelling):
    path = tiny(tmp_path, UNCACHED[spelling])
    assert read_grids(str(path))[0].uncached == ["A2"]


@pytest.mark.parametrize("spelling", CACHED)
def test_cached_formula_is_not_reported(tmp_path, spelling):
    path = tiny(tmp_path, CACHED[spelling])
    assert read_grids(str(path))[0].uncached == []


@pytest.mark.parametrize("spelling", UNCACHED)
def test_result_is_stored_however_spelled(tmp_path, spelling):
    path = tiny(tmp_path, UNCACHED[spelling])
    inject_cached_values(path, {"Sheet": {"A2": 2}})
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sheet").to_python() == [[1.0], [2.0]]
    assert read_grids(str(path))[0].uncached == []
    assert openpyxl.load_workbook(path)["Sheet"]["A2"].value == "=A1+1"  # the formula itself untouched


ERRORS = {
    "double-quotes": '<c r="A2" t="e"><v>#DIV/0!</v></c>',
    "single-quotes": "<c r='A2' t='e'><v>#DIV/0!</v></c>",
    "type-first": '<c t="e" r="A2" s="0"><f>1/0</f><v>#DIV/0!</v></c>',
}


@pytest.mark.parametrize("spelling", ERRORS)
def test_error_value_is_shown_however_spelled(tmp_path, spelling):
    """calamine shows an error value as an empty cell; the byte test before parsing must still see it."""
    path = tiny(tmp_path, ERRORS[spelling])
    assert read_grids(str(path))[0].rows[1][0] == "#DIV/0!"


def test_shared_formula_without_result_is_found(tmp_path):
    path = tiny(tmp_path, '<c r="A2"><f t="shared" ref="A2:A3" si="0">A1+1</f></c>'
                          '<c r="A3"><f t="shared" si="0"/></c>')
    assert read_grids(str(path))[0].uncached == ["A2", "A3"]


def test_prefixed_namespace_is_read(tmp_path):
    """A sheet written with a namespace prefix (``<x:c>``) is the same XML."""
    path = tiny(tmp_path, UNCACHED["lxml"])
    with zipfile.ZipFile(path) as src:
        members = [(i, src.read(i.filename)) for i in src.infolist()]
    prefixed = tmp_path / "p.xlsx"
    with zipfile.ZipFile(prefixed, "w") as out:
        for info, data in members:
            if info.filename == SHEET:
                text = data.decode().replace(f'<worksheet xmlns="{MAIN}">', f'<x:worksheet xmlns:x="{MAIN}">')
                text = text.replace("</worksheet>", "</x:worksheet>")
                for tag in ("sheetPr", "outlinePr", "pageSetUpPr", "dimension", "sheetViews", "sheetView",
                            "selection", "sheetFormatPr", "sheetData", "row", "c", "f", "v", "pageMargins"):
                    text = text.replace(f"<{tag} ", f"<x:{tag} ").replace(f"<{tag}>", f"<x:{tag}>")
                    text = text.replace(f"</{tag}>", f"</x:{tag}>").replace(f"<{tag}/>", f"<x:{tag}/>")
                data = text.encode()
            out.writestr(info, data)
    assert read_grids(str(prefixed))[0].uncached == ["A2"]


def test_sheet_paths_follow_relationships_in_any_attribute_order(tmp_path):
    path = tiny(tmp_path, CACHED["number"])
    with zipfile.ZipFile(path) as archive:
        assert sheet_paths(archive) == {"Sheet": SHEET}


def test_entity_declaration_in_a_sheet_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="str"><f>1</f><v>&b;</v></c></row>'
            "</sheetData></worksheet>")
    path = tiny(tmp_path, CACHED["number"])
    with zipfile.ZipFile(path) as src:
        members = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w") as out:
        for info, data in members:
            out.writestr(info, bomb.encode() if info.filename == SHEET else data)
    with pytest.raises(UnreadableWorkbook, match="XML 炸弹"):
        read_grids(str(path))


def _replace_sheet(path: Path, data: bytes) -> None:
    with zipfile.ZipFile(path) as src:
        members = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w") as out:
        for info, content in members:
            out.writestr(info, data if info.filename == SHEET else content)


def test_entity_declaration_in_a_utf16_sheet_is_refused(tmp_path):
    """Another encoding hides the declaration from a byte search: such parts go through defusedxml."""
    bomb = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="str"><f>1</f><v>&a;</v></c></row>'
            "</sheetData></worksheet>")
    path = tiny(tmp_path, CACHED["number"])
    _replace_sheet(path, bomb.encode("utf-16"))
    with pytest.raises(UnreadableWorkbook, match="XML 炸弹"):
        read_grids(str(path))


def test_utf16_sheet_is_parsed(tmp_path):
    path = tiny(tmp_path, UNCACHED["lxml"])
    with zipfile.ZipFile(path) as archive:
        text = archive.read(SHEET).decode()
    _replace_sheet(path, ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16"))
    assert read_grids(str(path))[0].uncached == ["A2"]


SERIALISERS = ["False"] + (["True"] if importlib.util.find_spec("lxml") else [])


@pytest.mark.parametrize("lxml", SERIALISERS)
def test_template_then_check_with_either_serialiser(tmp_path, lxml):
    """template → check gives no S002 and every formula's result, whichever writer openpyxl used."""
    out = tmp_path / "t.xlsx"
    script = ("import sys, openpyxl.xml as x; from jixiao_xl.cli import main; "
              f"assert x.LXML is {lxml}; sys.exit(main(['template', '-o', {str(out)!r}, '--year', '2024']))")
    env = dict(os.environ, OPENPYXL_LXML=lxml)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = check_path(str(out))
    assert report.status != "unreadable" and "S002" not in {f.code for f in report.all_findings()}
    values = openpyxl.load_workbook(out, data_only=True)
    assert values["附件1"]["A2"].value == "2024年度部门整体支出绩效评价基础数据表"
    # the blank template's 执行率得分 shows nothing until its amounts are typed (not 0 分)
    assert values["附件2"]["H5"].value in (None, "") and values["附件2"]["B14"].value == "产出指标\n(30分)"


def test_infinite_numbers_in_a_damaged_file_are_named_not_a_crash(tmp_path):
    """`<v>-inf</v>` (calamine reads it as -inf) and "1e999" typed as text: N001 at those cells; check, fill and batch
    finish with their usual exit codes instead of an internal error."""
    example = Path(__file__).resolve().parent.parent / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"
    book = openpyxl.load_workbook(example)
    book["附件1"]["C11"] = "1e999"
    book.save(tmp_path / "typed.xlsx")
    source = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(tmp_path / "typed.xlsx") as z, zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as out:
        basic = sheet_paths(z)["附件1"]
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == basic:  # 附件1!B7 = 17 in the example
                head, tail = data.split(b'r="B7"', 1)
                value_start = tail.index(b"<v>") + 3
                tail = tail[:value_start] + b"-inf" + tail[tail.index(b"</v>"):]
                data = head + b'r="B7"' + tail
            out.writestr(info.filename, data)
    report = check_path(str(source))
    n001 = {(f.sheet, f.cell): f for f in report.all_findings() if f.code == "N001"}
    assert set(n001) == {("附件1", "B7"), ("附件1", "C11")}
    assert n001[("附件1", "B7")].found == "-inf" and "“-inf”不是数字" in n001[("附件1", "B7")].message
    assert n001[("附件1", "C11")].found == "1e999"
    assert not [f for f in report.all_findings() if f.code == "R900"]
    cli = [sys.executable, "-m", "jixiao_xl"]
    checked = subprocess.run(cli + ["check", str(source)], capture_output=True, text=True)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr and "内部错误" not in checked.stderr
    filled = subprocess.run(cli + ["fill", str(source), "-o", str(tmp_path / "out.xlsx")], capture_output=True, text=True)
    assert filled.returncode in (0, 1) and "内部错误" not in filled.stderr + filled.stdout, filled.stderr
    assert (tmp_path / "out.xlsx").is_file()
    batch = subprocess.run(cli + ["batch", str(tmp_path), "-o", str(tmp_path / "review")], capture_output=True,
                           text=True)
    assert "内部错误" not in batch.stderr + batch.stdout and (tmp_path / "review" / "汇总.xlsx").is_file(), batch.stderr


def test_absurdly_large_numbers_are_checked_not_a_crash(tmp_path):
    """Every number of the example replaced by 1.7e308 (sums overflow to inf): check, fill and batch end normally;
    the messages show the numbers short."""
    example = Path(__file__).resolve().parent.parent / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"
    book = openpyxl.load_workbook(example)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    cell.value = 1.7e308
    source = tmp_path / "huge.xlsx"
    book.save(source)
    report = check_path(str(source))
    assert report.status == "errors" and not [f for f in report.all_findings() if f.code == "R900"]
    x102 = [f for f in report.all_findings() if f.code == "X102"]
    assert x102 and "1.7e+308 万元" in x102[0].message and x102[0].found == 1.7e308
    assert all(len(f.message) < 400 for f in report.all_findings())
    cli = [sys.executable, "-m", "jixiao_xl"]
    for args in (["check", str(source)], ["fill", str(source), "-o", str(tmp_path / "out.xlsx")],
                 ["batch", str(source), "-o", str(tmp_path / "review")]):
        done = subprocess.run(cli + args, capture_output=True, text=True)
        assert done.returncode in (0, 1) and "内部错误" not in done.stdout + done.stderr, (args, done.stderr)
    assert (tmp_path / "out.xlsx").is_file() and (tmp_path / "review" / "汇总.xlsx").is_file()
