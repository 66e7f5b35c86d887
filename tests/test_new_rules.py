"""Issue 9's new and changed rules, each on a real .xlsx file: what a user sees, numbers included."""

from __future__ import annotations

import pytest

from .helpers import by_code, check_file, clean_seed, set_cells


def _codes(report, severity=None):
    return [f.code for f in report.all_findings() if severity is None or f.severity == severity]


def test_initial_plus_adjustment_must_equal_full_budget(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!I4": "追加(调整)数", "附件2!I5": 500}))
    (finding,) = by_code(report, "E108")
    assert (finding.severity, finding.cell, finding.expected, finding.found) == ("error", "D5", 1738.36, 1762.55)
    assert "全年预算数应为 年初预算数 + 追加(调整)数 = 1238.36 + 500 = 1738.36，现填 1762.55" in finding.message
    ok = check_file(tmp_path, set_cells(clean_seed(), {"附件2!I4": "追加(调整)数", "附件2!I5": 524.19}), "ok.xlsx")
    assert not by_code(ok, "E108") and not by_code(ok, "S001")


def test_stated_grade_is_compared_with_the_total(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!I25": "自评等级：良"}))
    (finding,) = by_code(report, "W106")
    assert (finding.severity, finding.cell, finding.expected, finding.found) == ("error", "I25", "优", "良")
    assert "等级应为 优（总分 99" in finding.message
    ok = check_file(tmp_path, set_cells(clean_seed(), {"附件2!I25": "等级：优秀"}), "ok.xlsx")
    assert not by_code(ok, "W106")


def test_spending_without_budget_is_a_warning(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!C6": 0, "附件1!C7": 0, "附件1!C9": 0, "附件1!C11": 0}))
    (finding,) = by_code(report, "B122")
    assert (finding.severity, finding.cell) == ("warning", "C6")
    assert "“三公”经费预算数为 0，决算却有 12.88" in finding.message


def test_blank_executed_figure_is_one_error_without_cascade(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!E6": None, "附件3!E7": None}))
    project = [f for f in report.forms if f.kind == "project_self_eval"][0]
    codes = [f.code for f in project.findings if f.severity in ("error", "warning")]
    assert codes == ["E109"]
    (finding,) = by_code(report, "E109")
    assert finding.cell == "E6"
    assert "全年执行数未填写，但已填写执行率 100.00%、得分 10：" in finding.message


def test_project_spending_compared_on_the_full_year_budget_basis(tmp_path):
    # 96% executed: 附件2 项目支出 500 is a budget figure, 附件1 spent 440.32 on projects: nothing to fix
    edits = {"附件2!E5": 1700, "附件2!E8": "项目支出：500", "附件2!E7": "其中：基本支出：1262.55"}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert not by_code(report, "X101") and not by_code(report, "F102")
    # spent more on projects than budgeted: warned, with both figures
    edits = {"附件2!E5": 1700, "附件2!E8": "项目支出：400", "附件2!E7": "其中：基本支出：1362.55"}
    (finding,) = by_code(check_file(tmp_path, set_cells(clean_seed(), edits), "b.xlsx"), "X101")
    assert (finding.cell, finding.expected, finding.found) == ("E8", 440.32, 400.0)


def test_merged_deviation_reason_covers_every_row(tmp_path):
    sheets = set_cells(clean_seed(), {"附件2!H23": 4, "附件2!I22": "进一步厉行节约；社会成本控制有待加强", "附件2!H25": 98})
    sheets[1].merges.append("I22:I23")
    report = check_file(tmp_path, sheets)
    assert not by_code(report, "I102")
    sheets[1].merges.remove("I22:I23")
    (finding,) = by_code(check_file(tmp_path, sheets, "b.xlsx"), "I102")
    assert finding.cell == "I23"


def test_fill_leaves_a_typed_rate_over_a_blank_executed_figure(tmp_path):
    from jixiao_xl.write.fill import fill
    from .samples import write_xlsx

    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    write_xlsx(source, set_cells(clean_seed(), {"附件3!E6": None, "附件3!E7": None}))
    result = fill(str(source), str(out), overwrite_derived=True)
    assert [c for c in result.changes if c.sheet == "附件3" and c.cell in ("G6", "H6")] == []
    assert [f.code for f in result.report.all_findings() if f.severity == "error"] == ["E109"]


def test_blank_full_budget_under_a_typed_rate_is_one_error(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!D6": None, "附件3!D7": None}))
    project = [f for f in report.forms if f.kind == "project_self_eval"][0]
    assert [(f.code, f.cell) for f in project.findings if f.severity in ("error", "warning")] == [("E109", "D6")]
    assert "全年预算数未填写，但已填写执行率 100.00%、得分 10：" in project.findings[0].message


def test_blank_adjustment_is_reported_on_the_adjustment_cell(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!I4": "调整预算数"}))
    (finding,) = by_code(report, "E108")
    assert (finding.cell, finding.expected, finding.found) == ("I5", 524.19, None)
    assert "调整预算数应为 全年预算数 − 年初预算数 = 1762.55 − 1238.36 = 524.19，现填 空" in finding.message


def test_grade_stated_in_its_own_row_below_or_in_the_head(tmp_path):
    sheets = clean_seed()
    sheets[1].rows.append(["自评等级", "良"])
    (finding,) = by_code(check_file(tmp_path, sheets), "W106")
    assert (finding.cell, finding.expected, finding.found) == ("B26", "优", "良")
    sheets = set_cells(clean_seed(), {"附件3!J3": "评价等级：中"})
    (finding,) = by_code(check_file(tmp_path, sheets, "b.xlsx"), "W106")
    assert (finding.sheet, finding.cell, finding.expected) == ("附件3", "J3", "优")


def test_deadline_without_year_falls_in_the_form_year(tmp_path):
    """Issue 24: "12月底前" on a 2024 form against "2025年1月10日完成" at full marks is a missed deadline."""
    edits = {"附件2!A2": "2024年度部门整体支出绩效自评表", "附件2!E16": "12月底前完成", "附件2!F16": "2025年1月10日完成"}
    (finding,) = by_code(check_file(tmp_path, set_cells(clean_seed(), edits)), "I108")
    assert finding.cell == "H16" and "12月底" in finding.message
    edits["附件2!E16"] = "次年1月底前完成"
    assert not by_code(check_file(tmp_path, set_cells(clean_seed(), edits), "next.xlsx"), "I108")


def test_blank_score_of_a_late_deadline_gets_no_suggested_full_marks(tmp_path):
    """The D001 suggestion reads the deadline with the form's year too: no full marks for a missed one."""
    edits = {"附件2!A2": "2024年度部门整体支出绩效自评表", "附件2!E16": "12月底前完成", "附件2!F16": "2025年1月10日完成",
             "附件2!H16": None}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert not [f for f in by_code(report, "D001") if f.sheet == "附件2" and f.cell == "H16"]
    edits["附件2!F16"] = "2024年12月20日完成"
    met = check_file(tmp_path, set_cells(clean_seed(), edits), "met.xlsx")
    assert [f.expected for f in by_code(met, "D001") if f.sheet == "附件2" and f.cell == "H16"] == [10.0]


@pytest.mark.parametrize("edits, part", [
    ({"附件3!H6": 9}, ("E104", "H6", 10.0, 9.0)),  # 执行率得分 9 where 10 × 100% = 10
    ({"附件3!H13": 12}, ("I101", "H13", 10.0, 12.0)),  # an indicator's 得分 12 over its 分值 10
])
def test_a_right_total_is_not_blamed_for_a_wrong_part(tmp_path, edits, part):
    # 总分 100 is right; one 得分 it adds is wrong. W104 said "总分应为 99（102），现填 100": the one right cell
    # told to take the wrong sum (黄石's 19 for 19.55, 上海's 12 of 10 in a trial of published tables)
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    project = [f for f in report.forms if f.kind == "project_self_eval"][0]
    assert project.results.total_score == 100
    found = [(f.code, f.cell, f.expected, f.found) for f in project.findings if f.severity != "info"]
    assert found == [part]
    # a total that matches neither the right sum nor its parts is still an error, with the parts' sum
    report = check_file(tmp_path, set_cells(clean_seed(), {**edits, "附件3!H24": 97}), "b.xlsx")
    (w104,) = by_code(report, "W104")
    assert (w104.cell, w104.found) == ("H24", 97.0) and w104.expected in (99.0, 102.0)


def test_amounts_ten_thousand_times_apart_are_named_a_unit_mixup(tmp_path):
    # 附件2's 全年预算数 typed in 元 (17625500) in a 万元 table: F101 said "应为 1762.55，现为 17625500" and no more
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!D5": 17625500}))
    (f101,) = [f for f in by_code(report, "F101") if f.cell == "D5"]
    assert (f101.expected, f101.found) == (1762.55, 17625500)
    assert f101.message.endswith("（两数正好相差 1 万倍：疑似一处按“元”、一处按“万元”填写，请核对金额单位）")
    # a plain typo is no unit mix-up; a negative 得分 is told so
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!D5": 1762.65, "附件2!H14": -2}), "b.xlsx")
    assert not [f for f in report.all_findings() if "1 万倍" in f.message]
    (i101,) = by_code(report, "I101")
    assert i101.message.endswith("得分 -2 不在 0 到分值 10 之间（得分不能为负）")


def test_sources_left_at_zero_are_asked_for_and_the_total_is_kept(tmp_path):
    # 上海普陀's second table: 年度资金总额 20000 over 当年财政拨款 0 (the template's 0s): F103 said "全年预算数应为
    # … = 0 + 0 + 0 = 0，现填 20000" — the wrong cell, and fill --overwrite-derived made the total 0
    from jixiao_xl.write.fill import fill

    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!C7": 0, "附件3!D7": 0}))
    found = [(f.code, f.cell, f.expected, f.found) for f in report.all_findings() if f.code in ("F103", "F105")]
    assert found == [("F105", "C7", 83.0, 0.0), ("F105", "D7", 83.0, 0.0)]
    (first, _) = by_code(report, "F105")
    assert first.message.endswith("年初预算数：年度资金总额为 83，其中各项（当年财政拨款、上年结转资金、其他资金）却都是 0 或空白；"
                                  "请按资金来源填写，合计应为 83")
    result = fill(report.path, str(tmp_path / "filled.xlsx"), overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3" and c.cell in ("C6", "D6")]
