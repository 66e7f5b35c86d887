"""forms.py is the one description of each form: a province's extra row is one edit there.

The test edits a copy of the description (monkeypatched for the test only) and shows that the
template prints the row, the reader reads it, derive and the checks count it, and that without the
edit the same workbook's row is read by nothing.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.read import forms as F
from jixiao_xl.write import template as T
from jixiao_xl.compute.derive import derived
from jixiao_xl.read.model import num
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from jixiao_xl.write.writer import write_template

from .helpers import by_code, check_file, clean_seed, set_cells
from .test_reader_variants import insert_row

ROOT = Path(__file__).resolve().parent.parent
EXTRA = F.Field("sangong_other", "4、其他“三公”经费", "funds", aliases=("其他三公经费",))


@pytest.fixture
def extra_row(monkeypatch):
    """A province whose 三公 has a fourth part, listed under 公务接待: one entry (and its parent's parts)."""
    rows = []
    for field in F.FUND_ROWS:
        if field.key == "sangong":
            field = dataclasses.replace(field, parts=field.parts + (EXTRA.key,))
        rows.append(field)
        if field.key == "reception":
            rows.append(EXTRA)
    monkeypatch.setattr(F, "FUND_ROWS", tuple(rows))
    monkeypatch.setattr(F, "FUND_ROW", {f.key: f for f in rows})


def _with_extra_row():
    """The clean seed with the province's row typed under 公务接待 (row 12): 1 / 2 / 3 万元."""
    basic, dept, project = clean_seed()
    return [insert_row(basic, 12, ["4、其他“三公”经费", 1, 2, 3]), dept, project]


def test_without_the_entry_the_row_is_read_by_nothing(tmp_path):
    report = check_file(tmp_path, _with_extra_row())
    basic = report.forms[0].form
    rows = list(basic.rows.values()) + basic.project_others + basic.specials
    assert "sangong_other" not in basic.rows and all(r.label != "其他“三公”经费" for r in rows)
    assert not by_code(report, "B110")  # 三公 17 = 9 + 0 + 8 holds: the extra row is not one of its parts


def test_reader_and_checks_follow_an_extra_row(tmp_path, extra_row):
    report = check_file(tmp_path, _with_extra_row())
    basic = report.forms[0].form
    assert basic.rows["sangong_other"].row == 11 and basic.rows["sangong_other"].label == "其他“三公”经费"
    assert "其他“三公”经费" not in basic.missing
    found = {(f.cell, f.expected, f.found) for f in by_code(report, "B110")}
    assert found == {("B6", 18.0, 17.0), ("C6", 19.0, 17.0), ("D6", 15.88, 12.88)}  # 三公 = 车 + 出国 + 接待 + 其他
    message = next(f.message for f in by_code(report, "B110") if f.cell == "D6")
    assert "其他“三公”经费" in message and "15.88" in message


def test_template_prints_and_sums_an_extra_row(tmp_path, extra_row):
    path = tmp_path / "t.xlsx"
    profile = get_profile()
    write_template(T.build(T.data_from(None, 2024, "某局", profile)), path)
    ws = openpyxl.load_workbook(path)["附件1"]
    labels = [ws.cell(r, 1).value for r in range(6, 13)]
    assert labels == ["“三公”经费", "1、公务用车购置和维护经费", "其中：公车购置", "公车运行维护", "2、出国经费",
                      "3、公务接待", "4、其他“三公”经费"]
    assert ws["B6"].value == '=IF(COUNT(B7,B10,B11,B12)=0,"",SUM(B7,B10,B11,B12))'  # the new row is a part
    assert ws["B12"].protection.locked is False  # typed by the user
    basic = read_workbook(str(path)).forms[0]
    assert {d.cell.address: d.formula for d in derived(basic, profile)}["B6"] == ws["B6"].value


def test_template_from_a_submission_carries_the_extra_row(tmp_path, extra_row):
    source = tmp_path / "s.xlsx"
    from .samples import write_xlsx

    write_xlsx(source, _with_extra_row())
    path = tmp_path / "t.xlsx"
    sheets = T.build(T.data_from(read_workbook(str(source)), None, None, get_profile()))
    write_template(sheets, path)
    values = openpyxl.load_workbook(path, data_only=True)["附件1"]
    assert [values.cell(12, c).value for c in range(1, 5)] == ["4、其他“三公”经费", 1, 2, 3]
    assert [values.cell(6, c).value for c in range(2, 5)] == [18, 19, 15.88]  # 三公 recomputed with it
    basic = next(s for s in sheets if s.name == "附件1")
    assert {(a, typed, new) for a, _, typed, new in basic.replaced} == {
        ("B6", 17, 18.0), ("C6", 17, 19.0), ("D6", 12.88, 15.88)}  # the command lists what it replaced


def test_fields_flagged_derived_are_derived_cells(tmp_path):
    path = tmp_path / "t.xlsx"
    profile = get_profile()
    write_template(T.build(T.data_from(None, 2024, "某局", profile)), path)
    basic, dept, project = read_workbook(str(path)).forms[:3]
    ours = {(f.sheet, d.cell.address) for f in (basic, dept, project) for d in derived(f, profile)}
    flagged = [(basic.sheet, basic.staff[f.key]) for f in F.STAFF_FIELDS if f.derived]
    flagged += [(basic.sheet, b.cells[f.key]) for b in basic.buildings for f in F.BUILDING_FIELDS if f.derived]
    flagged += [(basic.sheet, basic.rows[f.key].rate) for f in F.FUND_ROWS if f.rated]
    flagged += [(f.sheet, f.exec[c.key]) for f in (dept, project) for c in F.EXEC_COLUMNS if c.derived]
    assert len(flagged) == 1 + 2 + 3 + 4  # 人员控制率, 2 楼堂馆所 rates, 3 经费控制率, 执行率/得分 × 2
    assert {(sheet, cell.address) for sheet, cell in flagged} <= ours


def test_every_entry_of_the_description_is_read():
    """No entry of forms.py is read by nothing (the issue found seven); the template prints the rest."""
    source = (ROOT / "jixiao_xl" / "read" / "forms.py").read_text(encoding="utf-8")
    names = [t.id for node in ast.parse(source).body if isinstance(node, ast.Assign) for t in node.targets
             if isinstance(t, ast.Name) and not t.id.startswith("_")]
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "jixiao_xl").rglob("*.py") if p.name != "forms.py")
    unread = [n for n in names if not re.search(rf"\b{n}\b", code) and len(re.findall(rf"\b{n}\b", source)) < 2]
    assert unread == []
    for flag in ("parts", "at_least", "rated", "items", "open", "derived"):
        assert re.search(rf"\.{flag}\b", code + (ROOT / "tests" / "test_form_description.py").read_text("utf-8"))


@pytest.fixture
def split_row(monkeypatch):
    """A province that splits 会议费、培训费 into 会议费 and 培训费 rows: the row becomes a sum of two new ones."""
    parts = (F.Field("meeting", "其中：会议费", "funds"), F.Field("training", "培训费", "funds"))
    rows = []
    for field in F.FUND_ROWS:
        if field.key == "meeting_training":
            rows += [dataclasses.replace(field, parts=tuple(p.key for p in parts)), *parts]
        else:
            rows.append(field)
    monkeypatch.setattr(F, "FUND_ROWS", tuple(rows))
    monkeypatch.setattr(F, "FUND_ROW", {f.key: f for f in rows})


def _split_seed():
    """The clean seed with 会议费、培训费 left blank and its two parts typed below it (预算 7 + 5, 决算 2 + 1.15)."""
    basic, dept, project = clean_seed()
    at = next(i for i, r in enumerate(basic.rows) if r[0] == "会议费、培训费") + 1  # 1-based row
    basic = insert_row(basic, at + 1, ["培训费", None, 5, 1.15])
    basic = insert_row(basic, at + 1, ["其中：会议费", None, 7, 2])
    set_cells([basic], {f"附件1!C{at}": None, f"附件1!D{at}": None})
    return [basic, dept, project], at


def test_a_new_sum_row_is_derived_filled_and_written_as_a_formula(tmp_path, split_row):
    specs, at = _split_seed()
    report = check_file(tmp_path, specs)
    found = {(f.cell, f.expected) for f in by_code(report, "D001")}
    assert {(f"C{at}", 12.0), (f"D{at}", 3.15)} <= found  # 会议费、培训费 left blank: 7 + 5, 2 + 1.15
    path = tmp_path / "t.xlsx"
    write_template(T.build(T.data_from(None, 2024, "某局", get_profile())), path)
    ws = openpyxl.load_workbook(path)["附件1"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "会议费、培训费")
    assert [ws.cell(r, 1).value for r in (row + 1, row + 2)] == ["其中：会议费", "培训费"]
    assert ws.cell(row, 3).value == f'=IF(COUNT(C{row + 1},C{row + 2})=0,"",SUM(C{row + 1},C{row + 2}))'


def test_without_the_split_the_blank_row_is_an_input(tmp_path):
    specs, at = _split_seed()
    report = check_file(tmp_path, specs)
    assert not [f for f in by_code(report, "D001") if f.cell in (f"C{at}", f"D{at}")]


def test_fill_and_the_button_do_not_import_the_template_builder():
    """They need the 填表说明 sheet's name, marker and cells (forms) and the role colours (marks), no more."""
    for name in ("write/fill.py", "excel/xl.py"):
        tree = ast.parse((ROOT / "jixiao_xl" / name).read_text(encoding="utf-8"))
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {m.rsplit(".", 1)[-1] for m in modules if m} & {"template", "writer"}, name


def test_committed_templates_keep_every_cells_role_and_format(tmp_path):
    """Laying the template out from forms changed no cell's colour, lock, font or number format."""
    from .test_template import BLANK, SEED_TEMPLATE
    from .test_seed import EXAMPLE

    profile = get_profile()
    fresh = {BLANK: T.data_from(None, 2024, "", profile),
             SEED_TEMPLATE: T.data_from(read_workbook(str(EXAMPLE)), None, None, profile)}
    for committed, data in fresh.items():
        path = tmp_path / committed.name
        write_template(T.build(data), path)
        a, b = openpyxl.load_workbook(committed), openpyxl.load_workbook(path)
        for name in a.sheetnames:
            def roles(ws):
                return [(c.coordinate, c.fill.fgColor.rgb, c.protection.locked, c.font.b, c.number_format,
                         c.alignment.horizontal) for row in ws.iter_rows() for c in row]
            assert roles(a[name]) == roles(b[name]), f"{committed.name}/{name}"


def test_a_provinces_own_wording_is_one_alias(tmp_path, monkeypatch):
    """A province that heads the row "公务接待费用": unread (and reported missing) until forms lists the wording."""
    basic, dept, project = clean_seed()
    set_cells([basic], {"附件1!A11": "3、公务接待费用"})
    before = check_file(tmp_path, [basic, dept, project], name="before.xlsx").forms[0].form
    assert "reception" not in before.rows and "公务接待" in before.missing
    rows = tuple(dataclasses.replace(f, aliases=f.aliases + ("公务接待费用",)) if f.key == "reception" else f
                 for f in F.FUND_ROWS)
    monkeypatch.setattr(F, "FUND_ROWS", rows)
    monkeypatch.setattr(F, "FUND_ROW", {f.key: f for f in rows})
    report = check_file(tmp_path, [basic, dept, project], name="after.xlsx")
    after = report.forms[0].form
    assert after.rows["reception"].row == 10 and num(after.rows["reception"].cells["actual"]) == 5.34
    assert "公务接待" not in after.missing and not by_code(report, "B110")  # 三公 17 = 9 + 0 + 8 again
