"""fill's direct XML writer against its openpyxl writer, on real files.

The same plan is carried out by both writers; what a user reads back must be the same (values,
formulas, number formats through openpyxl; values through python-calamine; the findings of a
check of the output), while the direct writer leaves every member it does not patch as it was:
drawings, charts and comments survive.  LibreOffice opens its output and recalculates a template
to the numbers fill stored.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from jixiao_xl.rules.check import check_path
from jixiao_xl.write.fill import CellOp, fill
from jixiao_xl.write.marks import RESULT_SHEET
from jixiao_xl.write import template as T
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.write.writer import write_template
from jixiao_xl.write.xlsxpatch import Source, Styles, patch_sheet

from .helpers import set_cells
from .libreoffice import convert, soffice
from .samples import seed_sheets, write_xlsx
from .test_seed import EXAMPLE

TEMPLATE = EXAMPLE.parent.parent / "绩效自评模板.xlsx"
SEED_TEMPLATE = EXAMPLE.parent / "miluo_sifaju_2023_template.xlsx"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PATCHABLE = {"xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def _rewrite(source: Path, target: Path, edit) -> Path:
    """A copy whose members pass through ``edit(name, bytes) -> bytes | None`` (None: left out)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = edit(info.filename, src.read(info.filename))
            if data is not None:
                out.writestr(info, data)
        extra = edit("", b"")
        for name, data in (extra or {}).items() if isinstance(extra, dict) else ():
            out.writestr(name, data)
    return target


def excel_like(tmp: Path) -> Path:
    """The example as Excel writes it: mc:Ignorable with x14ac row attributes, an extLst, a shared formula,
    a date, a rich-text shared string, and a calcChain."""
    calc = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{MAIN}">'
            '<c r="I7" i="1"/><c r="I8"/><c r="I9"/></calcChain>').encode()
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="1" uniqueCount="1">'
           '<si><r><rPr><b/></rPr><t>加粗</t></r><r><t xml:space="preserve"> 备注</t></r></si></sst>').encode()

    def edit(name: str, data: bytes):
        if name == "":
            return {"xl/calcChain.xml": calc, "xl/sharedStrings.xml": sst}
        if name == "xl/worksheets/sheet1.xml":
            text = data.decode()
            text = text.replace(f'<worksheet xmlns="{MAIN}">', f'<worksheet xmlns="{MAIN}" xmlns:mc="http://schemas.'
                                'openxmlformats.org/markup-compatibility/2006" xmlns:x14ac="http://schemas.microsoft.'
                                'com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac">', 1)
            text = text.replace('<dimension ref="A1:G35" />', '<dimension ref="A1:I35"/>', 1)
            text = text.replace('<row r="4">', '<row r="4" spans="1:9" x14ac:dyDescent="0.25">', 1)
            text = text.replace("</row><row r=\"6\">", '<c r="H5" t="s"><v>0</v></c></row><row r="6">', 1)
            text = text.replace("</row><row r=\"7\">", '<c r="H6" s="3"><v>45292</v></c></row><row r="7">', 1)
            text = text.replace("</row><row r=\"8\">", '<c r="I7"><f t="shared" ref="I7:I9" si="0">B7+1</f>'
                                '<v>18</v></c></row><row r="8">', 1)
            text = text.replace("</row><row r=\"9\">", '<c r="I8"><f t="shared" si="0"/><v>1</v></c></row>'
                                '<row r="9">', 1)
            text = text.replace("</row><row r=\"10\">", '<c r="I9"><f t="shared" si="0"/><v>10</v></c></row>'
                                '<row r="10">', 1)
            text = text.replace("</worksheet>", '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
                                'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                                '<x14:conditionalFormattings/></ext></extLst></worksheet>', 1)
            assert text.count('si="0"') == 3 and "H6" in text
            return text.encode()
        if name == "xl/styles.xml":
            text = data.decode()
            xfs = text[text.index("<cellXfs"):text.index("</cellXfs>")]
            count = xfs.count("<xf ")
            text = text.replace("</cellXfs>", '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
                                'applyNumberFormat="1"/></cellXfs>', 1)
            text = text.replace(f'<cellXfs count="{count}"', f'<cellXfs count="{count + 1}"', 1)
            assert count == 3, count  # the date style is s="3"
            return text.encode()
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", b'<Relationship Id="rId90" Type="http://schemas.openxmlformats.'
                                b'org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/><Relations'
                                b'hip Id="rId91" Type="http://schemas.openxmlformats.org/officeDocument/2006/relation'
                                b'ships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
                                b'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/><Override PartName="/xl/'
                                b'sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                                b'spreadsheetml.sharedStrings+xml"/></Types>')
        return data

    return _rewrite(EXAMPLE, tmp / "excel_like.xlsx", edit)


def prefixed(tmp: Path) -> Path:
    """Every worksheet with the main namespace under a prefix (<x:c>), as some generators write it."""
    ET.register_namespace("x", MAIN)

    def edit(name: str, data: bytes):
        if name.startswith("xl/worksheets/"):
            return ET.tostring(ET.fromstring(data), encoding="UTF-8", xml_declaration=True)
        return None if name == "" else data

    path = _rewrite(EXAMPLE, tmp / "prefixed.xlsx", edit)
    ET.register_namespace("", MAIN)
    return path


def with_chart_and_comment(tmp: Path) -> Path:
    """The example with a bar chart and a comment on an input cell (openpyxl writes drawings and VML)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment

    book = openpyxl.load_workbook(EXAMPLE)
    ws = book["附件1"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=6, max_row=11))
    ws.add_chart(chart, "I2")
    ws["B9"].comment = Comment("车辆台账见附件", "审核人")
    path = tmp / "chart.xlsx"
    book.save(path)
    return path


def seed_variant(tmp: Path, edits: dict, name: str) -> Path:
    path = tmp / name
    write_xlsx(path, set_cells(seed_sheets(), edits))
    return path


def typed_template(tmp: Path) -> Path:
    """Our template with amounts typed and the 执行率 formula deleted, as in test_fill."""
    sheets = T.build(T.data_from(None, 2024, "某局", get_profile()))
    dept = next(s for s in sheets if s.name == "附件2")
    dept.rows[4][2:5] = [100.0, 120.0, 90.0]
    dept.formulas.pop("G5")
    dept.cached.pop("G5", None)
    path = tmp / "typed_template.xlsx"
    write_template(sheets, path)
    return path


def lo_saved(tmp: Path) -> Path:
    """The example saved by LibreOffice: shared strings, its own styles and namespaces."""
    return convert([EXAMPLE], tmp / "lo")[0]


CASES = {
    "example": lambda tmp: EXAMPLE,
    "template": lambda tmp: TEMPLATE,
    "seed_template": lambda tmp: SEED_TEMPLATE,
    "typed_template": typed_template,
    "seed_wrong_sangong": lambda tmp: seed_variant(tmp, {"附件1!D6": 21.5, "附件2!H14": 12}, "v1.xlsx"),
    "seed_inline_total": lambda tmp: seed_variant(tmp, {"附件2!B6": "按收入性质分：", "附件3!E6": 90}, "v2.xlsx"),
    "seed_formula_text": lambda tmp: seed_variant(tmp, {"附件2!I22": "=1+1 进一步厉行节约"}, "v3.xlsx"),
    "excel_like": excel_like,
    "prefixed": prefixed,
    "chart_and_comment": with_chart_and_comment,
}


def cells(path: Path, data_only: bool) -> dict:
    book = openpyxl.load_workbook(path, data_only=data_only)
    return {(ws.title, c.coordinate): (c.value, c.number_format) for ws in book.worksheets
            for row in ws.iter_rows() for c in row if c.value is not None}


def calamine(path: Path) -> dict:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def findings(report) -> list:
    return [(f.code, f.severity, f.sheet, f.cell, f.message) for f in report.all_findings()]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("direct")


@pytest.mark.parametrize("overwrite", [False, True], ids=["fill", "overwrite"])
@pytest.mark.parametrize("case", CASES)
def test_direct_writer_reads_back_as_the_openpyxl_writer(tmp, case, overwrite):
    source = CASES[case](tmp)
    before = source.read_bytes()
    direct, classic = tmp / f"{case}-{overwrite}-d.xlsx", tmp / f"{case}-{overwrite}-o.xlsx"
    a = fill(str(source), str(direct), overwrite_derived=overwrite, writer="direct")
    b = fill(str(source), str(classic), overwrite_derived=overwrite, writer="openpyxl")
    assert source.read_bytes() == before
    assert [(c.sheet, c.cell, c.new, c.formula) for c in a.changes] == [
        (c.sheet, c.cell, c.new, c.formula) for c in b.changes]
    assert cells(direct, False) == cells(classic, False)
    assert cells(direct, True) == cells(classic, True)
    assert calamine(direct) == calamine(classic)
    # the output checks as fill reported (after the fill, so the filled cells are right)
    assert findings(check_path(str(direct))) == findings(a.report) == findings(b.report)
    # every member it does not patch is as it was; nothing is lost
    old, new = members(source), members(direct)
    sheets = Source(str(source)).paths
    touched = {sheets[s] for s in {c.sheet for c in a.changes}} | PATCHABLE | {sheets.get(RESULT_SHEET)}
    if a.template:
        touched |= {sheets[s] for s in ("附件1", "附件2", "附件3") if s in sheets}
    assert {n for n in old if n in new and old[n] != new[n]} <= touched
    dropped = set(old) - set(new)
    assert dropped <= {"xl/calcChain.xml"}
    assert all(n.startswith("xl/worksheets/sheet") for n in set(new) - set(old))
    assert not [n for n in a.notes if "图片" in n]


def test_excel_like_parts_kept(tmp):
    """Shared formulas, mc:Ignorable, extLst, the rich text and the date are untouched where fill did not write;
    calcChain stays because no formula changed (values only in an official-layout workbook)."""
    source = excel_like(tmp)
    out = tmp / "excel_like_out.xlsx"
    result = fill(str(source), str(out), writer="direct")
    assert [(c.cell, c.new) for c in result.changes] == [("B12", 332.0), ("C12", 83.0), ("D12", 440.32)]
    new = members(out)
    sheet = new["xl/worksheets/sheet1.xml"].decode()
    assert sheet.startswith('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                            'xmlns:mc=')  # prefixes as they were
    assert 'mc:Ignorable="x14ac"' in sheet and 'x14ac:dyDescent="0.25"' in sheet and "<extLst>" in sheet
    assert '<f t="shared" si="0"/>' in sheet and "xl/calcChain.xml" in new
    book = openpyxl.load_workbook(out)["附件1"]
    assert book["I8"].value == "=B8+1" and book["B12"].value == 332 and book["H5"].value == "加粗 备注"
    assert book["H6"].is_date
    # cells spliced into row 12 in column order
    row12 = sheet[sheet.index('<row r="12"'):]
    row12 = row12[:row12.index("</row>")]
    assert row12.index('r="A12"') < row12.index('r="B12"') < row12.index('r="C12"') < row12.index('r="D12"')


def test_chart_and_comment_survive(tmp):
    source = with_chart_and_comment(tmp)
    out = tmp / "chart_out.xlsx"
    result = fill(str(source), str(out))  # the default writer is the direct one when nothing is marked
    old, new = members(source), members(out)
    kept = [n for n in old if n.startswith(("xl/charts/", "xl/drawings/", "xl/comments"))]
    assert kept and all(new[n] == old[n] for n in kept)
    assert openpyxl.load_workbook(out)["附件1"]["B9"].comment.text == "车辆台账见附件"
    assert result.notes == []
    marked = fill(str(source), str(tmp / "chart_marked.xlsx"), mark=True)  # marks go through openpyxl
    assert "注意：文件中的图片或图表不会保留在输出文件中" in marked.notes


def test_template_formula_restored_with_its_result(tmp):
    source = typed_template(tmp)
    out = tmp / "typed_out.xlsx"
    result = fill(str(source), str(out), writer="direct")
    assert [(c.sheet, c.cell, c.formula) for c in result.changes] == [("附件2", "G5", "=IF(AND(ISNUMBER(D5),N(D5)>0),"
                                                                                  "N(E5)/D5,\"\")")]
    book = openpyxl.load_workbook(out)
    assert book["附件2"]["G5"].value == result.changes[0].formula
    values = openpyxl.load_workbook(out, data_only=True)["附件2"]
    assert values["G5"].value == 0.75 and values["H5"].value == 7.5


def test_refill_replaces_the_results_sheet(tmp):
    first, second = tmp / "r1.xlsx", tmp / "r2.xlsx"
    fill(str(EXAMPLE), str(first), writer="direct")
    result = fill(str(first), str(second), writer="direct")
    assert result.changes == []
    assert openpyxl.load_workbook(second).sheetnames == openpyxl.load_workbook(first).sheetnames
    assert cells(first, False) == cells(second, False)
    assert members(first)["xl/workbook.xml"].count(RESULT_SHEET.encode()) == 2  # the sheet and its print titles


def test_results_sheet_print_setup(tmp):
    out = tmp / "print.xlsx"
    fill(str(EXAMPLE), str(out), writer="direct")
    ws = openpyxl.load_workbook(out)[RESULT_SHEET]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
    assert ws["A1"].font.b and ws["B2"].fill.fgColor.rgb.endswith("FFC7CE")  # B111 错误 first
    assert ws.column_dimensions["F"].width == 70 and ws["F2"].alignment.wrap_text


def test_rate_in_a_general_cell_gets_a_percent_style(tmp):
    """附件1 D4 (控制率) blanked and unformatted: the rate is written with a clone of its style as 0.00%."""
    path = seed_variant(tmp, {"附件1!D4": None}, "rate.xlsx")
    book = openpyxl.load_workbook(path)
    book["附件1"]["D4"].number_format = "General"
    book.save(path)
    out, ref = tmp / "rate_d.xlsx", tmp / "rate_o.xlsx"
    fill(str(path), str(out), writer="direct")
    fill(str(path), str(ref), writer="openpyxl")
    cell = openpyxl.load_workbook(out)["附件1"]["D4"]
    assert cell.value == 1 and cell.number_format == "0.00%"
    assert openpyxl.load_workbook(ref)["附件1"]["D4"].number_format == "0.00%"
    assert openpyxl.load_workbook(out)["附件1"]["B4"].number_format == "General"  # the style was cloned


def test_new_rows_and_cells_in_order(tmp):
    """Cells the sheet does not have yet: in a new row before, between and after the existing rows."""
    base = tmp / "rows.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws["B2"], ws["D2"], ws["A5"] = 1, 2, "x"
    book.save(base)
    source = Source(str(base))
    styles = Styles(source.data["xl/styles.xml"])
    ops = {"A1": CellOp("number", 3), "C2": CellOp("text", "=SUM(A1)"), "E2": CellOp("number", 4.5),
           "B3": CellOp("formula", 7, "=B2+D2*2"), "A9": CellOp("number", 9)}
    data = patch_sheet(source, "Sheet", ops, styles)
    out = tmp / "rows_out.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == source.paths["Sheet"] else src.read(info.filename))
    ws = openpyxl.load_workbook(out).active
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=3, max_col=5)] == [
        [3, None, None, None, None], [None, 1, "=SUM(A1)", 2, 4.5], [None, "=B2+D2*2", None, None, None]]
    assert ws["C2"].data_type == "s" and ws["A9"].value == 9 and ws["A5"].value == "x"
    assert calamine(out)["Sheet"][2][1] == 7.0  # the formula's stored result
    assert ws.dimensions == "A1:E9"


def test_entity_declaration_in_styles_is_refused(tmp):
    """A DTD in a part only the direct writer parses (styles.xml) is refused in Chinese."""
    from jixiao_xl.write.fill import FillError

    def edit(name, data):
        if name == "xl/styles.xml":
            return data.replace(b"<styleSheet", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><styleSheet', 1)
        return None if name == "" else data

    path = _rewrite(EXAMPLE, tmp / "dtd.xlsx", edit)
    with pytest.raises(FillError, match="XML 实体"):
        fill(str(path), str(tmp / "dtd_out.xlsx"))
    assert not (tmp / "dtd_out.xlsx").exists()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_outputs_and_recalculates_the_template(tmp):
    typed = typed_template(tmp)
    outputs = []
    for case in ("typed_template", "excel_like", "chart_and_comment", "prefixed"):
        out = tmp / f"lo-{case}.xlsx"
        fill(str(CASES[case](tmp)), str(out), writer="direct")
        outputs.append(out)
    saved = convert(outputs, tmp / "lo-out")
    for out, again in zip(outputs, saved):
        assert openpyxl.load_workbook(again).sheetnames == openpyxl.load_workbook(out).sheetnames
        stored = cells(out, True)
        recalculated = cells(again, True)
        for (sheet, address), (value, _) in stored.items():
            if sheet == RESULT_SHEET or not isinstance(value, (int, float)):
                continue
            assert recalculated[(sheet, address)][0] == pytest.approx(value), (out.name, sheet, address)
    assert typed.exists()


def test_a_file_the_direct_writer_does_not_handle_goes_through_openpyxl(tmp):
    """Cells without an address (allowed by the format, written by some generators): the direct writer
    declines, the openpyxl writer fills the file the same way; asked for the direct writer alone, a Chinese error."""
    from jixiao_xl.write.fill import FillError

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            assert b'<c r="A1" s="1"' in data
            return data.replace(b'<c r="A1" s="1"', b'<c s="1"', 1)
        return None if name == "" else data

    path = _rewrite(EXAMPLE, tmp / "no_r.xlsx", edit)
    out = tmp / "no_r_out.xlsx"
    result = fill(str(path), str(out))
    assert [(c.cell, c.new) for c in result.changes] == [("B12", 332.0), ("C12", 83.0), ("D12", 440.32)]
    book = openpyxl.load_workbook(out)["附件1"]
    assert book["A1"].value == "附件1" and book["D12"].value == 440.32
    with pytest.raises(FillError, match="不能直接写入"):
        fill(str(path), str(tmp / "no_r_direct.xlsx"), writer="direct")
    assert not (tmp / "no_r_direct.xlsx").exists()


def test_fill_with_grids_already_read_writes_the_same(tmp):
    """batch hands fill the grids its check read: the output is the one fill makes on its own."""
    from jixiao_xl.rules.check import check_grids
    from jixiao_xl.xlsx.grid import read_grids

    source = seed_variant(tmp, {"附件1!D6": 21.5}, "shared_grids.xlsx")
    alone, shared = tmp / "alone.xlsx", tmp / "shared.xlsx"
    a = fill(str(source), str(alone))
    grids = read_grids(str(source))
    report = check_path(str(source))  # what batch does: check, then fill from the same grids and forms
    b = fill(str(source), str(shared), grids=grids, book=check_grids(grids, str(source)).workbook)
    assert findings(report) != findings(b.report)  # the check before the fill, the findings after it
    assert [(c.cell, c.new) for c in a.changes] == [(c.cell, c.new) for c in b.changes] != []
    assert members(alone) == members(shared)
