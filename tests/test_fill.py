"""fill: derived cells completed, typed cells untouched, findings written, marks reversible."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.write import template as T
from jixiao_xl.cli import main
from jixiao_xl.write.fill import MARKS_SHEET, FillError, fill
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from .samples import seed_sheets, write_xlsx
from jixiao_xl.write.template import RESULT_HEADER, RESULT_SHEET
from jixiao_xl.write.writer import write_template

from .helpers import set_cells
from .test_seed import EXAMPLE


@pytest.fixture
def seed(tmp_path) -> Path:
    path = tmp_path / "seed.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def cells(path, data_only=False) -> dict:
    book = openpyxl.load_workbook(path, data_only=data_only)
    return {(ws.title, c.coordinate): c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def looks(path) -> dict:
    book = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): (c.fill.fgColor.rgb, c.comment.text if c.comment else None)
            for ws in book.worksheets for row in ws.iter_rows() for c in row}


def test_fill_completes_blank_derived_cells_only(seed, tmp_path):
    out = tmp_path / "out.xlsx"
    before = hashlib.sha256(seed.read_bytes()).hexdigest()
    result = fill(str(seed), str(out))
    assert [(c.sheet, c.cell, c.old, c.new, c.corrected) for c in result.changes] == [
        ("附件1", "B12", None, 332.0, False), ("附件1", "C12", None, 83.0, False), ("附件1", "D12", None, 440.32, False)]
    assert hashlib.sha256(seed.read_bytes()).hexdigest() == before  # input untouched
    old, new = cells(seed), cells(out)
    changed = {k for k in set(old) | set(new) if old.get(k) != new.get(k) and k[0] != RESULT_SHEET}
    assert changed == {("附件1", "B12"), ("附件1", "C12"), ("附件1", "D12")}
    assert new[("附件1", "B7")] == 17  # a wrong derived value stays without --overwrite-derived


def test_fill_keeps_merges_widths_and_formats(seed, tmp_path):
    out = tmp_path / "out.xlsx"
    fill(str(seed), str(out))
    a, b = openpyxl.load_workbook(seed), openpyxl.load_workbook(out)
    for name in a.sheetnames:
        assert sorted(map(str, a[name].merged_cells.ranges)) == sorted(map(str, b[name].merged_cells.ranges))
        assert a[name].column_dimensions["A"].width == b[name].column_dimensions["A"].width
    assert b["附件2"]["G5"].number_format == "0.00%"


def test_overwrite_derived_corrects_wrong_values(seed, tmp_path):
    out = tmp_path / "out.xlsx"
    result = fill(str(seed), str(out), overwrite_derived=True)
    corrected = [(c.cell, c.old, c.new) for c in result.changes if c.corrected]
    assert corrected == [("B7", 17.0, 9.0)]  # 公务用车 = 0 + 9; 三公 17 = 9 + 0 + 8 then holds
    assert result.report.count("error") == 0
    assert cells(out)[("附件1", "B6")] == 17


def test_results_sheet_lists_findings(seed, tmp_path):
    out = tmp_path / "out.xlsx"
    fill(str(seed), str(out))
    ws = openpyxl.load_workbook(out)[RESULT_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == RESULT_HEADER
    b111 = next(r for r in rows if r[0] == "B111")
    assert b111[1:4] == ("错误", "附件1", "B7") and b111[6:8] == (9, 17)
    assert "0 + 9 = 9" in b111[5] and not [r for r in rows if r[0] == "B110"]
    texts = [r[0] for r in rows if isinstance(r[0], str)]
    assert "[附件2] 执行率 100.00%，执行率得分 10，总分 99（优）" in texts
    assert "共 1 个错误、2 个警告" in texts


def test_fill_of_its_own_output_changes_nothing(seed, tmp_path):
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    fill(str(seed), str(first), mark=True)
    result = fill(str(first), str(second), mark=True)
    assert result.changes == []
    assert cells(first) == cells(second)
    assert looks(first) == looks(second)


def test_marks_colour_and_comment_then_restore(seed, tmp_path):
    marked, cleared = tmp_path / "m.xlsx", tmp_path / "c.xlsx"
    original = looks(seed)
    fill(str(seed), str(marked), mark=True)
    book = openpyxl.load_workbook(marked)
    cell = book["附件1"]["B7"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert cell.comment.author == "jixiao-xl" and "B111" in cell.comment.text
    assert book["附件1"]["B6"].comment is None  # 三公 17 is right
    assert book["附件2"]["D5"].fill.fgColor.rgb.endswith("FFEB9C")  # warning E105
    assert book[MARKS_SHEET].sheet_state == "hidden"
    fill(str(marked), str(cleared))  # without --mark: earlier marks are taken off
    restored = looks(cleared)
    assert {k: v for k, v in restored.items() if k[0] != RESULT_SHEET} == {
        k: v for k, v in original.items() if k[0] != RESULT_SHEET}
    assert MARKS_SHEET not in openpyxl.load_workbook(cleared).sheetnames


def test_refuses_without_output_and_keeps_backup_in_place(seed, tmp_path, capsys):
    with pytest.raises(FillError):
        fill(str(seed))
    assert main(["fill", str(seed)]) == 2
    assert "请用 -o 指定输出文件" in capsys.readouterr().err
    before = seed.read_bytes()
    assert main(["fill", str(seed), "--in-place"]) == 1
    backups = list(tmp_path.glob("seed.*.bak.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert cells(seed)[("附件1", "D12")] == 440.32
    assert not list(tmp_path.glob(".seed.*"))  # no temporary file left behind


def test_same_output_as_input_is_refused(seed, capsys):
    assert main(["fill", str(seed), "-o", str(seed)]) == 2


def test_unreadable_input(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("nope")
    assert main(["fill", str(bad), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "不是 Excel 工作簿" in capsys.readouterr().err
    assert not (tmp_path / "o.xlsx").exists()


def test_template_formula_restored(tmp_path):
    sheets = T.build(T.data_from(None, 2024, "某局", get_profile()))
    dept = next(s for s in sheets if s.name == "附件2")
    dept.rows[4][2:5] = [100.0, 120.0, 90.0]  # typed 年初 / 全年 / 执行数
    formula = dept.formulas.pop("G5")  # the user deleted the 执行率 formula
    dept.cached.pop("G5", None)
    path, out = tmp_path / "t.xlsx", tmp_path / "out.xlsx"
    write_template(sheets, path)
    result = fill(str(path), str(out))
    assert result.template
    assert [(c.sheet, c.cell, c.formula) for c in result.changes] == [("附件2", "G5", formula)]
    assert openpyxl.load_workbook(out)["附件2"]["G5"].value == formula
    values = openpyxl.load_workbook(out, data_only=True)["附件2"]
    assert values["G5"].value == 0.75 and values["H5"].value == 7.5  # results stored for every reader


@pytest.mark.parametrize("mark", [False, True])  # the direct writer and openpyxl's
@pytest.mark.parametrize("unit", ["", "某某县财政局"])
def test_fill_output_of_a_template_saved_without_results_has_no_s002(tmp_path, mark, unit):
    """A template saved by a program (openpyxl keeps no results): the fill's output carries the result of every
    formula of ours, the titles, the unit (empty or not) and the 等级 too, so a check of it has no S002."""
    from jixiao_xl.rules.check import check_path

    made = tmp_path / "made.xlsx"
    write_template(T.build(T.data_from(None, 2024, unit, get_profile())), made)
    path, out = tmp_path / "saved.xlsx", tmp_path / "out.xlsx"
    openpyxl.load_workbook(made).save(path)  # every formula's result dropped
    assert any(f.code == "S002" for f in check_path(str(path)).all_findings())
    result = fill(str(path), str(out), mark=mark)
    assert [f.code for f in check_path(str(out)).all_findings() if f.code == "S002"] == []
    values = openpyxl.load_workbook(out, data_only=True)
    assert values["附件2"]["A2"].value == "2024年度部门整体支出绩效自评表"
    assert values["附件2"]["I25"].value == "等级："  # nobody has scored yet
    assert values["附件2"]["B3"].value == (unit or None)  # an empty text result
    assert result.template


def test_an_empty_text_result_survives_the_marks(tmp_path):
    """A template with no unit yet: its 单位 formula's result is the empty text.  fill stores it, and fill --mark
    of that output (the openpyxl writer, which reads an empty text as no result) keeps it: no S002."""
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.xlsx.grid import read_grids

    made, saved, first, marked = (tmp_path / n for n in ("t.xlsx", "s.xlsx", "1.xlsx", "2.xlsx"))
    write_template(T.build(T.data_from(None, 2024, "", get_profile())), made)
    openpyxl.load_workbook(made).save(saved)
    fill(str(saved), str(first))
    assert not any(g.uncached for g in read_grids(str(first)))
    fill(str(first), str(marked), mark=True)
    assert not any(g.uncached for g in read_grids(str(marked)))
    assert [f.message for f in check_path(str(marked)).all_findings() if f.code == "S002"] == []


def test_fill_output_of_a_scored_uncached_template_carries_its_grade(tmp_path):
    from jixiao_xl.rules.check import check_path

    sheets = T.build(T.data_from(read_workbook(str(EXAMPLE)), None, None, get_profile()))
    made, path, out = tmp_path / "made.xlsx", tmp_path / "saved.xlsx", tmp_path / "out.xlsx"
    write_template(sheets, made)
    openpyxl.load_workbook(made).save(path)
    fill(str(path), str(out))
    assert [f.code for f in check_path(str(out)).all_findings() if f.code == "S002"] == []
    cached = openpyxl.load_workbook(made, data_only=True)["附件2"]
    values = openpyxl.load_workbook(out, data_only=True)["附件2"]
    grade_cell = next(c for row in cached.iter_rows() for c in row
                      if isinstance(c.value, str) and c.value.startswith("等级："))
    assert values[grade_cell.coordinate].value == grade_cell.value != "等级："


def test_inline_breakdown_total_is_written_as_text(tmp_path):
    source = tmp_path / "s.xlsx"
    write_xlsx(source, set_cells(seed_sheets(), {"附件2!B6": "按收入性质分："}))
    out = tmp_path / "o.xlsx"
    result = fill(str(source), str(out))
    assert [(c.cell, c.new) for c in result.changes if c.sheet == "附件2"] == [("B6", "按收入性质分：1762.55")]


def test_text_starting_with_equals_stays_text(tmp_path):
    source = tmp_path / "s.xlsx"
    write_xlsx(source, set_cells(seed_sheets(), {"附件2!I22": "=1+1 进一步厉行节约", "附件2!H22": 8}))
    out = tmp_path / "o.xlsx"
    fill(str(source), str(out), mark=True)
    book = openpyxl.load_workbook(out)
    assert book["附件2"]["I22"].data_type == "s"
    for row in book[RESULT_SHEET].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_a_problem_inside_a_merged_range_marks_its_first_cell(tmp_path):
    """A file whose merge G14:G15 covers the 分值 of 时效指标 (the value 10 kept in the covered G15, as some
    applications write): G15 reads blank, as Excel shows it (S008 names the hidden 10), and the warning at G15
    (I106 分值未填写) gets its mark and note on G14, the range's first cell."""
    from openpyxl.worksheet.cell_range import CellRange

    book = openpyxl.load_workbook(EXAMPLE)
    book["附件3"].merged_cells.add(CellRange("G14:G15"))  # recorded as merged, G15's 10 still written
    source, out = tmp_path / "m.xlsx", tmp_path / "o.xlsx"
    book.save(source)
    fill(str(source), str(out), mark=True)
    marked = openpyxl.load_workbook(out)["附件3"]
    assert "I106" in marked["G14"].comment.text and marked["G14"].fill.fgColor.rgb.endswith("FFEB9C")


def test_fill_never_writes_a_cell_showing_an_error(tmp_path):
    """As 校验 (issue 21): a derived cell showing an error keeps its formula, even with --overwrite-derived;
    a derived value is not worked out from a cell showing an error (no 0% 执行率 over a #N/A 执行数)."""
    book = openpyxl.load_workbook(EXAMPLE)
    book["附件1"]["B12"] = "=B13/B14"  # saved below with its result #DIV/0!, as Excel saves it
    book["附件3"]["E6"] = "#N/A"  # an error value with no formula (pasted as values)
    book["附件3"]["E6"].data_type = "e"
    book["附件3"]["G6"] = book["附件3"]["H6"] = None
    path = tmp_path / "errors.xlsx"
    book.save(path)
    import re
    import zipfile

    patched = tmp_path / "errors-cached.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(patched, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                # the cell as either serialiser writes it (lxml: <v></v>; openpyxl's own: <v/> or none,
                # attributes in any order): its result becomes #DIV/0!, as Excel saves it
                def cached(match):
                    attrs = re.sub(rb'\s+t="\w+"', b"", match[1])
                    return b'<c r="B12"' + attrs + b' t="e"><f>B13/B14</f><v>#DIV/0!</v></c>'

                data, n = re.subn(rb'<c r="B12"([^>]*)><f>B13/B14</f>(?:<v>[^<]*</v>|<v\s*/>)?</c>', cached, data)
                assert n == 1
            zout.writestr(info, data)
    for overwrite in (False, True):
        out = tmp_path / f"out-{overwrite}.xlsx"
        result = fill(str(patched), str(out), overwrite_derived=overwrite)
        changed = {(c.sheet, c.cell) for c in result.changes}
        assert not changed & {("附件1", "B12"), ("附件3", "E6"), ("附件3", "G6"), ("附件3", "H6")}, changed
        assert ("附件1", "C12") in changed
        formulas, shown = cells(out), cells(out, data_only=True)
        assert formulas[("附件1", "B12")] == "=B13/B14" and shown[("附件1", "B12")] == "#DIV/0!"
        assert shown[("附件3", "E6")] == "#N/A" and ("附件3", "G6") not in shown
        n003 = {(f.sheet, f.cell) for f in result.report.all_findings() if f.code == "N003"}
        assert n003 == {("附件1", "B12"), ("附件3", "E6")}
