"""forms.py is the one description of each form's columns: a province's extra column is one edit there.

Each test appends a column to a copy of one of the column tuples of ``forms`` (``INDICATOR_COLUMNS``,
附件1's ``FUND_COLUMNS``, ``EXEC_COLUMNS``, ``GOAL_COLUMNS``), monkeypatched for the test only, and shows
that the template lays it out (heading, width, merges up to it), the reader reads what is typed under it
by its heading, every derived formula is still derive's (their column letters come from the layout), and
the checks find the same on the seed; without the edit the column is read by nothing.
"""

from __future__ import annotations

import openpyxl
import pytest

from jixiao_xl.read import forms as F
from jixiao_xl.write import template as T
from jixiao_xl.rules.check import check_path
from jixiao_xl.compute.derive import derived, form_cells
from jixiao_xl.xlsx.grid import col_letter
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from jixiao_xl.write.writer import write_template

from .test_formula_source import _formulas, _label_formula
from .test_seed import EXAMPLE

BASIS = F.Field("basis", "评分依据", "indicators", "text", aliases=("评分依据及佐证材料",), width=20)
TYPED = "见2023年度工作台账第3页"


def _patch(monkeypatch) -> None:
    """A province whose indicator table has a 评分依据 column after 偏差原因: one entry in forms."""
    monkeypatch.setattr(F, "INDICATOR_COLUMNS", F.INDICATOR_COLUMNS + (BASIS,))


@pytest.fixture
def extra_column(monkeypatch):
    _patch(monkeypatch)


def _template(tmp_path, name: str, book, typed: str | None, sheet: str, row, col: int):
    """A template (blank, or --from ``book``) with ``typed`` at ``col`` of the row ``row(rows)`` picks in ``sheet``,
    as a user would type it there."""
    sheets = T.build(T.data_from(book, 2023 if book is None else None, "某局", get_profile()))
    if typed is not None:
        row(next(s for s in sheets if s.name == sheet).rows)[col] = typed
    path = tmp_path / name
    write_template(sheets, path)
    return path


def _build(tmp_path, name: str, book=None, typed: str | None = None):
    """``typed`` goes under the last column of 附件2's first indicator."""
    def first_indicator(rows):
        return rows[next(r for r, values in enumerate(rows) if values[0] == F.INDICATORS_HEADER.label) + 1]

    return _template(tmp_path, name, book, typed, "附件2", first_indicator, -1)


def _dept(path):
    return next(f for f in read_workbook(str(path)).forms if f.kind == "dept_self_eval")


def test_the_template_lays_the_column_out_and_the_reader_reads_it(tmp_path, extra_column):
    path = _build(tmp_path, "t.xlsx", typed=TYPED)
    ws = openpyxl.load_workbook(path)["附件2"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "绩效指标")
    assert [ws.cell(head, c).value for c in range(2, 12)] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因\n分析及\n改进措施",
        "评分依据", None]
    assert ws.column_dimensions["J"].width == 20 and ws.column_dimensions["I"].width == 18
    assert ws["J" + str(head)].font.b  # a heading like the others
    merges = {str(m) for m in ws.merged_cells.ranges}
    total = next(r for r in range(head, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert {"A2:J2", "B3:J3", f"A{total}:F{total}"} <= merges  # title and name to the new last column
    goals = next(r for r in range(1, head) if ws.cell(r, 1).value == "年度总体目标")
    assert {f"B{goals}:E{goals}", f"F{goals}:J{goals}"} <= merges
    assert ws[f"J{total}"].value.startswith('="等级："')  # the 等级 moves to the last column
    assert ws[f"G{total}"].value.startswith("=") and ws[f"H{total}"].value.startswith("=")  # 分值, 得分 stay
    cell = ws[f"J{head + 1}"]
    assert cell.value == TYPED and cell.protection.locked is False and cell.fill.fgColor.rgb.endswith(T.INPUT_FILL)
    first = _dept(path).indicators[0]
    assert first.extra["basis"].raw == TYPED and first.extra["basis"].address == f"J{head + 1}"
    assert first.extra["basis"].where == "数量指标 评分依据"  # named like its row's other cells
    assert first.column("basis") is first.extra["basis"] and first.column("weight") is first.weight


def test_every_derived_formula_is_still_derives(tmp_path, extra_column):
    profile = get_profile()
    path = _build(tmp_path, "t.xlsx", read_workbook(str(EXAMPLE)), typed=TYPED)
    written = _formulas(path)
    forms = read_workbook(str(path)).forms
    assert [f.sheet for f in forms] == ["附件1", "附件2", "附件3"]
    for form in forms:
        ours = {d.cell.address: d.formula for d in derived(form, profile) if d.formula}
        cells = written[form.sheet]
        assert ours and {a: cells.get(a) for a in ours} == ours
        assert all(_label_formula(f) for a, f in cells.items() if a not in ours)
    dept = forms[1]
    assert {c.col for i in dept.indicators for c in (i.weight, i.score)} == {6, 7}  # G, H: the layout's
    assert dept.grade.address == f"J{dept.total_score.row + 1}"


def _findings(report):
    return sorted((f.code, f.severity, f.sheet, f.cell, f.message, str(f.expected), str(f.found))
                  for f in report.all_findings())


def test_the_checks_find_the_same(tmp_path, monkeypatch):
    """The seed as submitted, and its template with 评分依据 typed: the same findings with or without the edit."""
    before = _findings(check_path(str(EXAMPLE)))
    template = _build(tmp_path, "before.xlsx", read_workbook(str(EXAMPLE)))
    template_before = _findings(check_path(str(template)))
    _patch(monkeypatch)
    assert _findings(check_path(str(EXAMPLE))) == before
    template = _build(tmp_path, "after.xlsx", read_workbook(str(EXAMPLE)), typed=TYPED)
    assert _findings(check_path(str(template))) == template_before and template_before
    assert _dept(template).indicators[0].extra["basis"].raw == TYPED


def test_the_column_carries_over_with_from(tmp_path, extra_column):
    source = _build(tmp_path, "s.xlsx", typed=TYPED)
    path = _build(tmp_path, "t.xlsx", read_workbook(str(source)))
    assert _dept(path).indicators[0].extra["basis"].raw == TYPED


def test_without_the_entry_the_column_is_read_by_nothing(tmp_path, monkeypatch):
    _patch(monkeypatch)
    path = _build(tmp_path, "t.xlsx", typed=TYPED)
    monkeypatch.undo()
    assert F.INDICATOR_COLUMNS[-1].key == "reason"
    forms = read_workbook(str(path)).forms
    assert not any(i.extra for f in forms[1:] for i in f.indicators)
    assert not [c for f in forms for c in form_cells(f) if c.raw == TYPED]
    assert openpyxl.load_workbook(path)["附件2"][f"J{forms[1].indicators[0].row + 1}"].value == TYPED
    # and a template built without the edit has no such column: the default layout ends at I
    ws = openpyxl.load_workbook(_build(tmp_path, "plain.xlsx"))["附件2"]
    assert ws.max_column == 9 and "A2:I2" in {str(m) for m in ws.merged_cells.ranges}
    assert col_letter(len(F.INDICATOR_COLUMNS)) == "I"


# ------------------------------------------------------------------ 附件1: a 备注 column in the funds table

NOTE = F.Field("note", "备注", "funds", "text", aliases=("说明事项",), width=24)
NOTE_TYPED = "含上级追加接待任务"


def _patch_funds(monkeypatch) -> None:
    """A province whose funds table has a 备注 column: one entry in forms."""
    monkeypatch.setattr(F, "FUND_COLUMNS", F.FUND_COLUMNS + (NOTE,))


def _build_basic(tmp_path, name: str, book=None, typed: str | None = None):
    """``typed`` goes in the last column of 附件1's 公务接待 row."""
    return _template(tmp_path, name, book, typed, "附件1",
                     lambda rows: next(v for v in rows if v[0] == F.FUND_ROW["reception"].label), 5)


def _basic(path):
    return next(f for f in read_workbook(str(path)).forms if f.kind == "basic_data")


def test_a_note_column_is_laid_out_after_the_rate_and_read(tmp_path, monkeypatch):
    _patch_funds(monkeypatch)
    path = _build_basic(tmp_path, "t.xlsx", typed=NOTE_TYPED)
    ws = openpyxl.load_workbook(path, data_only=True)["附件1"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "经费控制情况(万元)")
    assert [ws.cell(head, c).value for c in range(2, 8)] == [
        "2022年决算数", "2023年预算数", "2023年决算数", "控制率\n(决算÷预算)", "备注", None]
    widths = openpyxl.load_workbook(path)["附件1"].column_dimensions
    assert (widths["E"].width, widths["F"].width, widths["G"].width) == (14, 24, 14)
    basic = _basic(path)
    reception = basic.rows["reception"]
    assert ws.cell(reception.row + 1, 6).value == NOTE_TYPED
    note = reception.extra["note"]
    assert (note.raw, note.address, note.where) == (NOTE_TYPED, f"F{reception.row + 1}", "公务接待 备注")
    assert set(reception.cells) == {"prev_actual", "budget", "actual"}  # not an amount: nothing sums it
    assert all(set(r.extra) == {"note"} for r in basic.rows.values())
    cell = openpyxl.load_workbook(path)["附件1"][note.address]
    assert cell.protection.locked is False and cell.fill.fgColor.rgb.endswith(T.INPUT_FILL)


def test_with_a_note_column_every_formula_is_derives_and_the_checks_find_the_same(tmp_path, monkeypatch):
    profile = get_profile()
    before = _findings(check_path(str(EXAMPLE)))
    template_before = _findings(check_path(str(_build_basic(tmp_path, "before.xlsx", read_workbook(str(EXAMPLE))))))
    _patch_funds(monkeypatch)
    assert _findings(check_path(str(EXAMPLE))) == before
    path = _build_basic(tmp_path, "after.xlsx", read_workbook(str(EXAMPLE)), typed=NOTE_TYPED)
    assert _findings(check_path(str(path))) == template_before and template_before
    written = _formulas(path)
    basic = _basic(path)
    ours = {d.cell.address: d.formula for d in derived(basic, profile) if d.formula}
    assert ours and {a: written["附件1"].get(a) for a in ours} == ours
    assert all(_label_formula(f) for a, f in written["附件1"].items() if a not in ours)
    assert not [a for a in ours if a.startswith("F")]  # the 备注 column holds no formula
    # --from carries the note over
    again = _build_basic(tmp_path, "again.xlsx", read_workbook(str(path)))
    assert _basic(again).rows["reception"].extra["note"].raw == NOTE_TYPED


def test_without_the_entry_the_note_column_is_read_by_nothing(tmp_path, monkeypatch):
    _patch_funds(monkeypatch)
    path = _build_basic(tmp_path, "t.xlsx", typed=NOTE_TYPED)
    monkeypatch.undo()
    basic = _basic(path)
    assert not any(r.extra for r in basic.rows.values())
    assert not [c for f in read_workbook(str(path)).forms for c in form_cells(f) if c.raw == NOTE_TYPED]
    ws = openpyxl.load_workbook(_build_basic(tmp_path, "plain.xlsx"))["附件1"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "经费控制情况(万元)")
    assert ws.cell(head, 6).value is None and ws.column_dimensions["F"].width == 14


# ------------------------------------------------------------ 附件2/3: a 备注 column in the 年度资金总额 row

EXEC_NOTE = F.Field("note", "备注", "exec", "text")
EXEC_TYPED = "年中追加化债资金"


def _patch_exec(monkeypatch) -> None:
    monkeypatch.setattr(F, "EXEC_COLUMNS", F.EXEC_COLUMNS + (EXEC_NOTE,))


def _build_exec(tmp_path, name: str, book=None, typed: str | None = None):
    """``typed`` goes in column I of 附件2's 年度资金总额 row."""
    return _template(tmp_path, name, book, typed, "附件2",
                     lambda rows: next(v for v in rows if v[1] == F.EXEC_TOTAL.label), 8)


def test_a_note_in_the_funds_row_is_laid_out_read_and_checked_by_nothing(tmp_path, monkeypatch):
    profile = get_profile()
    template_before = _findings(check_path(str(_build_exec(tmp_path, "before.xlsx", read_workbook(str(EXAMPLE))))))
    before = _findings(check_path(str(EXAMPLE)))
    _patch_exec(monkeypatch)
    assert _findings(check_path(str(EXAMPLE))) == before
    path = _build_exec(tmp_path, "after.xlsx", read_workbook(str(EXAMPLE)), typed=EXEC_TYPED)
    assert _findings(check_path(str(path))) == template_before and template_before  # no N001 on the text
    ws = openpyxl.load_workbook(path)["附件2"]
    dept = _dept(path)
    total = dept.exec["full"].row + 1
    assert [ws.cell(total - 1, c).value for c in range(3, 10)] == [
        "年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分", "备注"]
    note = dept.exec_notes["note"]
    assert (note.raw, note.address, note.where) == (EXEC_TYPED, f"I{total}", "年度资金总额 备注")
    assert "note" not in dept.exec and ws[note.address].protection.locked is False
    written = _formulas(path)["附件2"]
    ours = {d.cell.address: d.formula for d in derived(dept, profile) if d.formula}
    assert ours and {a: written.get(a) for a in ours} == ours
    again = _build_exec(tmp_path, "again.xlsx", read_workbook(str(path)))  # --from carries it over
    assert _dept(again).exec_notes["note"].raw == EXEC_TYPED


def test_without_the_entry_the_funds_row_note_is_read_by_nothing(tmp_path, monkeypatch):
    _patch_exec(monkeypatch)
    path = _build_exec(tmp_path, "t.xlsx", typed=EXEC_TYPED)
    monkeypatch.undo()
    forms = read_workbook(str(path)).forms
    assert not any(f.exec_notes for f in forms[1:])
    assert not [c for f in forms for c in form_cells(f) if c.raw == EXEC_TYPED]


# ------------------------------------------------------------ 附件2/3: a third 年度总体目标 column

def test_a_third_goal_column_shares_the_row_and_is_read(tmp_path, monkeypatch):
    before = _findings(check_path(str(_build(tmp_path, "before.xlsx", read_workbook(str(EXAMPLE))))))
    monkeypatch.setattr(F, "GOAL_COLUMNS", F.GOAL_COLUMNS + (F.Field("gap", "偏差说明", "goals", "text"),))
    sheets = T.build(T.data_from(read_workbook(str(EXAMPLE)), None, None, get_profile()))
    dept = next(s for s in sheets if s.name == "附件2")
    head = next(r for r, values in enumerate(dept.rows) if values[0] == F.GOALS_HEADER.label)
    assert dept.rows[head][1:9] == ["预期目标", None, "实际完成情况", None, "偏差说明", None, None, None]
    assert {f"B{head + 1}:C{head + 1}", f"D{head + 1}:E{head + 1}", f"F{head + 1}:I{head + 1}"} <= set(dept.merges)
    dept.rows[head + 1][5] = "无偏差"
    path = tmp_path / "after.xlsx"
    write_template(sheets, path)
    form = _dept(path)
    assert form.goals["gap"].raw == "无偏差" and form.goals["gap"].address == f"F{head + 2}"
    assert form.goals["expected"].address == f"B{head + 2}" and not form.goals["expected"].blank
    assert _findings(check_path(str(path))) == before
