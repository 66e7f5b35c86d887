"""One list of formulas: every formula of the template is derive's formula for that cell, and back.

The template, fill, the Excel button and D001 take their derived cells from ``derive.derived``; a
template that wrote a formula of its own (a control rate, a 一级 subtotal, the 等级) would be a cell
fill cannot restore and D001 cannot see.  These tests read the written .xlsx back like a submission.
"""

from __future__ import annotations

import re

import openpyxl
import pytest

from jixiao_xl.write import template as T
from jixiao_xl.compute.derive import derived
from jixiao_xl.write.fill import fill
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from jixiao_xl.write.writer import write_template

from .helpers import set_cells
from .samples import seed_sheets, write_xlsx

# a title or header formula: text and references to the 填表说明 sheet only (year, unit)
_REF = re.compile(r"(?:([^\s!&+\-*/()\",=<>^]+)!)?\$?[A-Z]{1,3}\$?\d+")


def _label_formula(formula: str) -> bool:
    code = re.sub(r'"(?:[^"]|"")*"', "", formula)  # string literals aside
    refs = list(_REF.finditer(code))
    return bool(refs) and all(m.group(1) == T.INFO_SHEET for m in refs)


def _formulas(path) -> dict[str, dict[str, str]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.data_type == "f"}
            for ws in book.worksheets}


def _seed_book(tmp_path):
    source = tmp_path / "seed.xlsx"
    write_xlsx(source, seed_sheets())
    return read_workbook(str(source))


@pytest.mark.parametrize("case", ["blank", "national", "jiangxi", "seed"])
def test_every_template_formula_is_derives_and_back(tmp_path, case):
    profile = {"national": get_profile("national"), "jiangxi": get_profile(exec_mode="jiangxi")}.get(case, get_profile())
    book = _seed_book(tmp_path) if case == "seed" else None
    path = tmp_path / "t.xlsx"
    write_template(T.build(T.data_from(book, 2024 if book is None else None, "某局", profile), projects=2), path)
    written = _formulas(path)
    forms = read_workbook(str(path)).forms
    assert [f.sheet for f in forms] == ["附件1", "附件2", "附件3-1", "附件3-2"] if book is None else \
        ["附件1", "附件2", "附件3"]
    for form in forms:
        ours = {d.cell.address: d.formula for d in derived(form, profile) if d.formula}
        cells = written[form.sheet]
        assert {a: cells.get(a) for a in ours} == ours  # every derived cell holds derive's formula
        others = {a: f for a, f in cells.items() if a not in ours}
        assert others and all(_label_formula(f) for f in others.values()), others  # only titles and headers
    # the cells that used to carry hand-written formulas are derive's now
    basic, dept = forms[0], forms[1]
    rows = {k: basic.rows[k].row + 1 for k in ("sangong", "public_funds", "procurement")}
    rates = {d.cell.address: d.formula for d in derived(basic, profile) if d.cell.address[0] == "E"
             and d.cell.row + 1 in rows.values()}
    assert rates == {f"E{r}": f'=IF(AND(ISNUMBER(C{r}),N(C{r})>0,ISNUMBER(D{r})),D{r}/C{r},"")'
                     for r in rows.values()}
    items = {d.cell.address: d for d in derived(dept, profile)}
    headers = [items[level.header.address].formula for level in dept.levels]
    first = dept.levels[0]
    assert headers[0] == (f'="{first.name}"&CHAR(10)&"("&SUM(G{first.header.row + 1}:'
                          f'G{first.indicators[-1].row + 1})&"分)"')
    assert len(headers) == len(dept.levels) >= 3
    grade = items[dept.grade.address]
    total, weights = dept.total_score.address, dept.total_weight.address
    # no 等级 while the 分值合计 is not 100: the grades are on the 100-point scale (results.scale_reason)
    assert grade.formula == (f'="等级："&IF(AND(ISNUMBER({total}),ROUND(N({weights}),2)=100,ROUND(N({total}),2)<=100),IF(ROUND({total},2)>=90,"优",'
                             f'IF(ROUND({total},2)>=80,"良",IF(ROUND({total},2)>=60,"中","差"))),"")')


def test_seed_template_shows_derived_values_a_user_reads(tmp_path):
    book = _seed_book(tmp_path)
    path = tmp_path / "t.xlsx"
    write_template(T.build(T.data_from(book, None, None, get_profile())), path)
    values = openpyxl.load_workbook(path, data_only=True)
    basic, dept = values["附件1"], values["附件2"]
    sangong = next(r for r in range(1, basic.max_row + 1) if basic.cell(r, 1).value == "“三公”经费")
    assert basic.cell(sangong, 3).value == 17 and basic.cell(sangong, 4).value == 12.88  # 预算 / 决算
    assert basic.cell(sangong, 5).value == pytest.approx(0.757647, abs=1e-6)  # its 控制率, 12.88 ÷ 17
    assert dept["B14"].value == "产出指标\n(30分)"
    total = next(r for r in range(1, dept.max_row + 1) if dept.cell(r, 1).value == "总分")
    assert (dept.cell(total, 8).value, dept.cell(total, 9).value) == (99, "等级：优")


def test_a_header_stating_another_total_stays_the_users_text(tmp_path):
    source = tmp_path / "s.xlsx"
    write_xlsx(source, set_cells(seed_sheets(), {"附件2!B14": "产出指标\n(35分)"}))  # its rows add up to 30
    path = tmp_path / "t.xlsx"
    write_template(T.build(T.data_from(read_workbook(str(source)), None, None, get_profile())), path)
    assert openpyxl.load_workbook(path)["附件2"]["B14"].value == "产出指标\n(35分)"  # text, no formula
    dept = read_workbook(str(path)).forms[1]
    assert dept.levels[0].header.address not in {d.cell.address for d in derived(dept, get_profile())}
    assert openpyxl.load_workbook(path)["附件2"]["B17"].value.startswith('="效益指标"&CHAR(10)')


def test_fill_keeps_the_results_of_every_template_formula(tmp_path):
    sheets = T.build(T.data_from(None, 2024, "某局", get_profile()))
    basic = next(s for s in sheets if s.name == "附件1")
    rows = {r[0]: i for i, r in enumerate(basic.rows) if isinstance(r[0], str)}
    basic.rows[rows["2、出国经费"]][1:4] = [None, 10.0, 8.0]  # typed 预算 10, 决算 8 (三公 = 8 / 10)
    basic.rows[rows["公用经费"]][1:4] = [None, 200.0, 150.0]
    path, out = tmp_path / "t.xlsx", tmp_path / "out.xlsx"
    write_template(sheets, path)
    result = fill(str(path), str(out))
    assert result.template
    values = openpyxl.load_workbook(out, data_only=True)["附件1"]
    sangong, public = rows["“三公”经费"] + 1, rows["公用经费"] + 1
    assert (values[f"C{sangong}"].value, values[f"D{sangong}"].value) == (10, 8)
    assert values[f"E{sangong}"].value == 0.8 and values[f"E{public}"].value == 0.75  # results kept for readers
    assert not [f for f in result.report.all_findings() if f.code == "S002"]  # no formula left without a result
