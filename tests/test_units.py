"""Amount units per form (元/千元/万元), declared in titles, "单位：" lines and column headers; real .xlsx files."""

from __future__ import annotations

import pytest

from .helpers import by_code, check_file, clean_seed, set_cells


def _basic_in_yuan(sheets, header="经费控制情况(元)"):
    basic = sheets[0]
    basic.rows[4][0] = header
    for row in basic.rows[5:30]:
        for c in (1, 2, 3):
            if isinstance(row[c], (int, float)):
                row[c] = round(row[c] * 10000, 2)
    return sheets


def test_basic_data_in_yuan_beside_self_evaluation_in_wan(tmp_path):
    report = check_file(tmp_path, _basic_in_yuan(clean_seed()))
    basic = report.forms[0]
    assert basic.form.unit == "元" and report.forms[1].form.unit == "万元"
    assert not by_code(report, "X101") and not by_code(report, "X102")
    assert round(basic.results.sangong_control_rate, 4) == 0.7576
    assert [(f.cell, f.expected) for f in by_code(report, "D001") if f.sheet == "附件1"] == [
        ("B12", 3320000.0), ("C12", 830000.0), ("D12", 4403200.0)]  # amounts in the form's own unit


def test_wrong_sum_in_a_yuan_table_is_reported_in_yuan(tmp_path):
    sheets = _basic_in_yuan(clean_seed())
    sheets[0].rows[6][1] = 170000  # 公务用车 2022: should be 0 + 90000
    report = check_file(tmp_path, sheets)
    (finding,) = by_code(report, "B111")
    assert (finding.cell, finding.expected, finding.found) == ("B7", 90000.0, 170000.0)
    assert "0 + 90000 = 90000，现填 170000" in finding.message


def test_amount_typed_in_yuan_inside_a_wan_table_is_converted(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!D7": "830,000元"}))
    assert not by_code(report, "F103") and not by_code(report, "N001")
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!D7": "800,000元"}), "b.xlsx")
    (finding,) = by_code(report, "F103")
    assert (finding.cell, finding.expected, finding.found) == ("D6", 80.0, 83.0)
    assert "80 + 0 + 0 = 80，现填 83" in finding.message  # in the form's 万元, not 800000


def test_unit_line_under_the_title_and_cross_form_message_in_both_units(tmp_path):
    edits = {"附件2!A3": "单位：元", "附件2!C5": 12383600, "附件2!D5": 17625500, "附件2!E5": 17625500,
             "附件2!B6": "按收入性质分：17625500", "附件2!B7": "其中：一般公共预算：17625500",
             "附件2!E6": "按支出性质分：17625500", "附件2!E7": "其中：基本支出：13222300", "附件2!E8": "项目支出：4403200"}
    sheets = set_cells(clean_seed(), edits)
    dept = sheets[1]
    dept.rows.insert(2, dept.rows.pop(2))  # keep layout; the unit line replaces nothing else
    report = check_file(tmp_path, sheets)
    assert report.forms[1].form.unit == "元"
    assert not [f for f in report.all_findings() if f.code in ("X101", "X102", "F101", "F102")]
    sheets = set_cells(sheets, {"附件2!E8": "项目支出：4000000", "附件2!E7": "其中：基本支出：13625500"})
    (finding,) = by_code(check_file(tmp_path, sheets, "b.xlsx"), "X101")
    assert (finding.expected, finding.found) == (4403200.0, 4000000.0)
    assert "项目支出 4000000 元（全年预算口径）与 [附件1] 本年决算项目支出 4403200 元（原表 440.32 万元）" in finding.message


def test_column_header_in_yuan(tmp_path):
    edits = {"附件3!A5": "项目资金", "附件3!D5": "全年预算数(元)", "附件3!C6": 830000, "附件3!D6": 5000000, "附件3!E6": 830000,
             "附件3!C7": 830000, "附件3!D7": 5000000, "附件3!E7": 830000}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert report.forms[2].form.unit == "元"
    (finding,) = by_code(report, "X102")
    assert (finding.cell, finding.expected, finding.found) == ("D6", 4403200.0, 5000000.0)
    assert "5000000 元 超过 [附件2] 项目支出 4403200 元（原表 440.32 万元）" in finding.message


def _project_in_yuan(edits: dict[str, object]):
    amounts = {f"附件3!{c}{r}": 830000 for c in "CDE" for r in (6, 7)}
    return set_cells(clean_seed(), {"附件3!A5": "项目资金", **amounts, **edits})


@pytest.mark.parametrize("edits", [
    {"附件3!A1": "附件3                                    金额单位：元"},  # on the 附件 line, left
    {"附件3!I1": "单位：元"},  # on the 附件 line, at its right end
])
def test_unit_on_the_annex_line_above_the_title(tmp_path, edits):
    # 830,000 元 is 83 万元 (< 附件2's 440.32): the unit on the 附件 line above the title was not read, the 附件3
    # amounts were taken for 万元, and X102 said "项目全年预算数 830000 万元 超过 [附件2] 项目支出 440.32 万元"
    report = check_file(tmp_path, _project_in_yuan(edits))
    assert report.forms[2].form.unit == "元"
    assert not by_code(report, "X102") and not by_code(report, "X101")
    finding = by_code(check_file(tmp_path, _project_in_yuan({**edits, "附件3!D6": 5000000, "附件3!D7": 5000000}),
                                 "b.xlsx"), "X102")[0]
    assert "5000000 元 超过 [附件2] 项目支出 4403200 元（原表 440.32 万元）" in finding.message


def test_a_unit_above_a_title_is_not_the_form_above_it(tmp_path):
    # the 附件 line of a form below states its unit, not the unit of the form ending above it on the same sheet
    sheets = clean_seed()
    dept, project = sheets[1], sheets[2]
    offset = len(dept.rows)
    dept.rows += [list(r) + [None] * (len(dept.rows[0]) - len(r)) for r in project.rows]
    dept.merges += [_shift(m, offset) for m in project.merges]
    del sheets[2]
    sheets = set_cells(sheets, {f"附件2!A{offset + 1}": "附件3 金额单位：元", f"附件2!A{offset + 5}": "项目资金",
                                **{f"附件2!{c}{offset + r}": 830000 for c in "CDE" for r in (6, 7)}})
    report = check_file(tmp_path, sheets)
    assert [(f.form.kind, f.form.unit) for f in report.forms] == [
        ("basic_data", "万元"), ("dept_self_eval", "万元"), ("project_self_eval", "元")]
    assert not by_code(report, "X102") and not by_code(report, "X101")


def _shift(merge: str, rows: int) -> str:
    from jixiao_xl.xlsx.grid import a1, parse_range

    r0, c0, r1, c1 = parse_range(merge)
    return f"{a1(r0 + rows, c0)}:{a1(r1 + rows, c1)}"
