"""What was not read is never a result (issue 22): no 0 分 / 差 for a form whose scores or execution block
were not found — in JSON, in the text report, in the add-in's alert, in 汇总 and in what fill writes."""

from __future__ import annotations

import json

import openpyxl
import pytest

from jixiao_xl.batch import run as batch_run
from jixiao_xl.cli import main
from jixiao_xl.write.fill import fill
from jixiao_xl.excel.xl import summary

from .helpers import check_file, clean_seed, form, set_cells

SCORES = {f"附件3!H{r}": None for r in range(13, 24)} | {"附件3!H24": None, "附件3!H6": None}
NO_EXEC = {f"附件3!{c}6": None for c in "CDEFGH"}


def project(report):
    return next(f for f in report.forms if f.kind == "project_self_eval")


def test_a_form_nobody_scored_is_unscored_not_zero_or_poor(tmp_path, capsys):
    specs = set_cells(clean_seed(), SCORES)
    report = check_file(tmp_path, specs)
    res = project(report).results
    assert res.total_score is None and res.grade is None
    assert res.why("total_score").startswith("未评分")
    assert res.exec_rate == 1.0 and res.exec_score == 10  # the execution block was read: it counts
    assert "总分 未评分" in summary(report) and "差" not in summary(report)
    # the other forms of the same workbook keep their totals
    assert form(report, "dept_self_eval").results.total_score == 99

    path = tmp_path / "book.xlsx"
    assert main(["check", str(path), "--json"]) in (0, 1)
    data = json.loads(capsys.readouterr().out)
    (entry,) = [f for f in data["files"][0]["forms"] if f["form"] == "project_self_eval"]
    assert entry["results"]["total_score"] is None and entry["results"]["grade"] is None
    assert entry["results"]["unread"]["total_score"].startswith("未评分")
    main(["check", str(path)])
    text = capsys.readouterr().out
    assert "执行率 100.00%，执行率得分 10，分值合计 100，总分 未评分" in text

    out = tmp_path / "filled.xlsx"
    fill(str(path), str(out))
    sheet = openpyxl.load_workbook(out)["附件3"]
    assert sheet["H24"].value is None  # no total and no grade written for a form nobody scored


def test_an_execution_block_not_read_is_not_a_zero_rate(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), NO_EXEC))
    res = project(report).results
    assert res.exec_rate is None and res.exec_score is None
    assert res.why("exec_rate") == "未读出：年度资金总额的全年预算数、全年执行数都没有填写"
    # the indicators' 分值 (90) leave 10 to the 执行率: their 90 is not the total (it was "总分 90（优）")
    assert res.total_score is None and res.grade is None
    assert res.why("total_score") == "无法复核：总分含执行率得分（10 分），而年度资金总额的全年预算数、全年执行数都没有填写"
    assert not [f for f in project(report).findings if f.code in ("E101", "E104", "E106", "E107")]


def test_summary_says_unscored_and_unread_in_its_cells(tmp_path):
    from tests.samples import write_xlsx

    folder = tmp_path / "in"
    folder.mkdir()
    write_xlsx(folder / "unscored.xlsx", set_cells(clean_seed(), SCORES))
    write_xlsx(folder / "noexec.xlsx", set_cells(clean_seed(), NO_EXEC))
    batch_run([str(folder)], str(tmp_path / "out"))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["汇总"]
    head = [c.value for c in sheet[1]]
    rows = {(r[0], r[2][:5]): dict(zip(head, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    unscored = rows[("unscored.xlsx", "[附件3]")]
    assert unscored["复核总分"] == "未评分" and unscored["复核等级"] is None and unscored["执行率"] == 1
    noexec = rows[("noexec.xlsx", "[附件3]")]
    assert noexec["执行率"] == "未读出" and noexec["执行率得分"] == "未读出" and noexec["复核总分"] == "无法复核"
    assert noexec["复核等级"] is None and noexec["核对"] != "不一致"
    assert rows[("unscored.xlsx", "[附件2]")]["复核总分"] == 99


# ------------------------------------------------ a typed 执行率 over blank figures: neither it nor 0 % is known


def _summary_rows(tmp_path, files: dict) -> dict:
    """汇总's rows by (file, form) after a batch of ``files`` {name: sheet specs}."""
    from tests.samples import write_xlsx

    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, specs in files.items():
        write_xlsx(folder / name, specs)
    batch_run([str(folder)], str(tmp_path / "out"))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["汇总"]
    head = [c.value for c in sheet[1]]
    return {(r[0], r[2][:5]): dict(zip(head, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}


def _text(path, capsys) -> str:
    """What ``jixiao-xl check`` prints for a file."""
    capsys.readouterr()
    main(["check", str(path)])
    return capsys.readouterr().out


def test_a_typed_rate_over_a_blank_executed_figure_is_not_scored_zero(tmp_path, capsys):
    # 全年执行数 blank, 执行率 100% and 得分 10 typed: the rate is not 0 %, and the total is not the indicators'
    # 90 + 0 (it was "总分 90（优）" beside a form printing 100)
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!E6": None, "附件3!E7": None}))
    res = project(report).results
    assert (res.exec_rate, res.exec_score, res.total_score, res.grade) == (None, None, None, None)
    assert res.why("exec_rate") == "无法复核：全年执行数未填写，填报的执行率、得分无从核对"
    assert res.why("total_score") == "无法复核：总分含执行率得分，而全年执行数未填写，填报的执行率、得分无从核对"
    assert "执行率 无法复核，执行率得分 无法复核，分值合计 100，总分 无法复核" in _text(report.path, capsys)
    assert "附件3：项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 无法复核" in summary(report)
    assert [f.code for f in project(report).findings if f.severity != "info"] == ["E109"]  # no W104 on 100
    assert not [f for f in project(report).findings if f.code == "D001" and f.cell == "H6"]
    assert main(["check", str(tmp_path / "book.xlsx"), "--json"]) == 1
    (entry,) = [f for f in json.loads(capsys.readouterr().out)["files"][0]["forms"] if f["form"] == "project_self_eval"]
    assert entry["results"]["total_score"] is None and entry["results"]["exec_score"] is None
    assert entry["results"]["unread"]["exec_rate"].startswith("无法复核：全年执行数未填写")
    row = _summary_rows(tmp_path, {"blank.xlsx": set_cells(clean_seed(), {"附件3!E6": None, "附件3!E7": None})})[
        ("blank.xlsx", "[附件3]")]
    assert (row["执行率"], row["执行率得分"], row["复核总分"], row["复核等级"]) == ("无法复核", "无法复核", "无法复核", None)
    assert row["填报总分"] == 100


def test_an_error_value_in_the_budget_is_no_zero_rate(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!D6": "#REF!", "附件3!D7": "#REF!"}))
    res = project(report).results
    assert res.exec_rate is None and res.exec_score is None and res.total_score is None
    assert res.why("exec_score") == "无法复核：全年预算数显示错误值 #REF!"
    assert "总分 无法复核" in summary(report)


def _not_recomputed(tmp_path, name: str):
    """A published table's check and its one form, whose 执行率, 执行率得分, 总分 and 等级 are all 无法复核."""
    from .test_published import check_table

    _, report = check_table(tmp_path, name)
    (form_report,) = report.forms
    res = form_report.results
    assert (res.exec_rate, res.exec_score, res.total_score, res.grade) == (None, None, None, None)
    return report, form_report


def test_a_published_form_with_its_amounts_missing_is_one_error_not_zero_points(tmp_path, capsys):
    # 西部(重庆)科学城's department form: 执行率 76% and 得分 7.6 printed, the three amounts unreadable (blank);
    # it was "执行率得分 0，总分 66.76（中）" with E103 "按0分计" beside E109
    report, form_report = _not_recomputed(tmp_path, "chongqing_xibukexuecheng_2021_department")
    res = form_report.results
    assert res.why("exec_rate") == "无法复核：全年执行数、全年预算数未填写，填报的执行率、得分无从核对"
    found = {f.code: f for f in form_report.findings}
    assert "E103" not in found
    assert found["E109"].cell == "E5"
    assert ("全年执行数、全年预算数未填写，但已填写执行率 76.00%、得分 7.6：执行率 = 全年执行数 ÷ 全年预算数，"
            "得分也据此计算，请填写全年执行数、全年预算数") in found["E109"].message
    assert "执行率 无法复核，执行率得分 无法复核，分值合计 80，总分 无法复核" in _text(report.path, capsys)


def test_a_blank_form_has_no_zero_score_suggested(tmp_path, capsys):
    # 湖北工程学院's form as published, without a number: its execution block is 未读出, so neither E103's
    # "按0分计" nor D001's "应为 0" at its 得分
    from .test_published import check_table

    data, report = check_table(tmp_path, "hubei_hbpu_unknown_project")
    (form_report,) = report.forms
    assert form_report.results.why("exec_score") == "未读出：年度资金总额的全年预算数、全年执行数都没有填写"
    assert not [f for f in form_report.findings if f.code == "E103"]
    assert not [f for f in form_report.findings if f.code == "D001" and "应为 0" in f.message]
    assert "执行率 未读出，执行率得分 未读出，分值合计 未读出，总分 未评分" in _text(report.path, capsys)


def test_a_score_typed_in_words_leaves_the_total_unchecked_and_untouched(tmp_path, capsys):
    # 附件2 H16 "满分", H25 "99分", I25 "等级：优秀": the total was that 得分 counted as 0 — "总分 89（良）", W104
    # "应为 79", and fill --overwrite-derived wrote 79 and "等级：中" over what the unit typed
    edits = {"附件2!H16": "满分", "附件2!H25": "99分", "附件2!I25": "等级：优秀"}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    res = form(report, "dept_self_eval").results
    assert (res.total_score, res.grade) == (None, None)
    assert res.why("total_score") == "无法复核：得分 “满分”（H16） 不是数字"
    codes = [(f.code, f.cell) for f in form(report, "dept_self_eval").findings if f.severity == "error"]
    assert codes == [("N001", "H16")]  # the one cell to change; no W104 on the typed 99
    assert "执行率 100.00%，执行率得分 10，分值合计 100，总分 无法复核" in _text(report.path, capsys)
    out = tmp_path / "filled.xlsx"
    result = fill(report.path, str(out), overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件2" and c.cell in ("H25", "I25")]
    sheet = openpyxl.load_workbook(out)["附件2"]
    assert (sheet["H16"].value, sheet["H25"].value, sheet["I25"].value) == ("满分", "99分", "等级：优秀")


def test_no_score_rate_is_shown_from_a_score_typed_in_words(tmp_path):
    # trial F: "满分" typed as a 得分 left the total 无法复核, yet E107 said "指标得分率 99.56%", counting it full
    low = {"附件3!E6": 60, "附件3!E7": 60, "附件3!G6": None, "附件3!H6": None}  # 执行率 60 ÷ 83 = 72.29 %
    scored = project(check_file(tmp_path, set_cells(clean_seed(), low), "scored.xlsx"))
    assert [f.message for f in scored.findings if f.code == "E107"] == [
        "[附件3] 年度资金总额 全年执行数 (E6)：指标得分率 100.00% 明显高于预算执行率 72.29%，请核实指标完成情况"]
    words = project(check_file(tmp_path, set_cells(clean_seed(), low | {"附件3!H14": "满分"}), "words.xlsx"))
    assert words.results.why("total_score") == "无法复核：得分 “满分”（H14） 不是数字"
    assert [f.code for f in words.findings if f.code in ("E107", "N001")] == ["N001"]


def test_a_total_row_never_summed_is_no_zero_rate(tmp_path, capsys):
    # 池州贵池区棠溪镇's published table: 年度资金总额 0 / 0 / 0 over 本年财政拨款 90 / 89.974 / 89.974 (F103 on
    # each); it read "执行率 空，执行率得分 0 … 总分 80（良）" with E103 "按0分计"
    report, form_report = _not_recomputed(tmp_path, "anhui_chizhou_guichi_tangxi_2022_project")
    res = form_report.results
    assert res.why("exec_score") == "无法复核：全年预算数填 0 或空白，而其中各项之和为 89.97"
    codes = [(f.code, f.cell) for f in form_report.findings if f.code in ("E103", "F103")]
    assert codes == [("F103", "D7"), ("F103", "E7"), ("F103", "F7")]
    assert "执行率 无法复核，执行率得分 无法复核，分值合计 90，总分 无法复核" in _text(report.path, capsys)


def test_a_total_that_disagrees_with_its_parts_blames_no_other_cell(tmp_path, capsys):
    # trial F: 全年预算数 typed 80 over 当年财政拨款 83; F103 rightly asks for 83 in D6, but E102 blamed the right
    # 全年执行数 ("预算执行率不能超过100%，现为 103.75%：全年执行数大于全年预算数" at E6) and the 结果 line scored the
    # 103.75 % (执行率得分 10): which of 80 and 83 is right is not known, so neither is the rate
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!D6": 80}))
    found = project(report)
    assert [f.message for f in found.findings if f.severity != "info"] == [
        "[附件3] 年度资金总额 全年预算数 (D6)：全年预算数应为 当年财政拨款 + 上年结转资金 + 其他资金 = 83 + 0 + 0 = 83，"
        "现填 80；执行率、执行率得分和总分据此计算，改正前无法复核"]
    res = found.results
    assert (res.exec_rate, res.exec_score, res.total_score, res.grade) == (None, None, None, None)
    assert res.why("exec_rate") == "无法复核：全年预算数 80 与其中各项之和 83 不符（见 D6）"
    assert "执行率 无法复核，执行率得分 无法复核，分值合计 100，总分 无法复核" in _text(report.path, capsys)


@pytest.mark.parametrize("cell, text, name", [("附件2!D5", "见附表", "全年预算数"), ("附件2!E5", "待统计", "全年执行数")])
def test_words_in_place_of_an_amount_leave_the_rate_unchecked(tmp_path, capsys, cell, text, name):
    # "见附表" in 全年预算数 read "执行率 空，执行率得分 0 … 总分 89（良）" with E101 "空 ÷ 1762.55 = 0.00%" and E104
    # "应为 0"; the add-in, 汇总 and the store said 89 良, and fill --overwrite-derived wrote H5 0 and H25 89
    report = check_file(tmp_path, set_cells(clean_seed(), {cell: text}))
    dept = form(report, "dept_self_eval")
    res = dept.results
    assert (res.exec_rate, res.exec_score, res.total_score, res.grade) == (None, None, None, None)
    assert res.why("exec_score") == f"无法复核：{name}填的是“{text}”，不是数字"
    assert [(f.code, f.cell) for f in dept.findings if f.severity == "error"] == [("N001", cell.split("!")[1])]
    assert "执行率 无法复核，执行率得分 无法复核，分值合计 100，总分 无法复核" in _text(report.path, capsys)
    result = fill(report.path, str(tmp_path / "filled.xlsx"), overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件2" and c.cell in ("G5", "H5", "H25", "I25")]
