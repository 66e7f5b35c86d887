"""A workbook saved by a program (the template filled with openpyxl: formulas without their results): every rule
judges what Excel shows once the file is opened — the values the 结果 line shows — not the blank the file holds
(trial F: "执行率 0.00% 低于 90.00%" and "全年执行数、全年预算数未填写" beside a 结果 line of 86.20 %)."""

from __future__ import annotations

import openpyxl
import pytest

from jixiao_xl.rules.check import check_path
from jixiao_xl.write.fill import fill

from .libreoffice import convert, soffice
from .test_template import make


def program_saved(tmp_path):
    """The 2024 template of two projects, its inputs typed by openpyxl and every total, rate, 得分 and 总分 left
    to the template's formulas, saved without results (openpyxl drops them)."""
    book = openpyxl.load_workbook(make(tmp_path, "--year", "2024", "--unit", "某某县教育局", "--projects", "2"))
    dept = book["附件2"]
    for address, value in {"C5": 500, "D5": 500, "E5": 480, "D7": 500, "H7": 350, "H8": 150}.items():
        dept[address] = value
    for row in range(14, 25):
        dept[f"H{row}"] = dept[f"G{row}"].value
    first, second = book["附件3-1"], book["附件3-2"]
    for sheet, (initial, full, executed) in ((first, (180, 200, 172.4)), (second, (300, 320, 316.5))):
        sheet["C7"], sheet["D7"], sheet["E7"] = initial, full, executed  # 当年财政拨款: the totals are formulas
        for row in range(13, 24):
            sheet[f"H{row}"] = sheet[f"G{row}"].value
    first["D6"] = 200  # typed over its formula, as its parts add up; 全年执行数 left to its formula
    second["G6"], second["H6"] = 0.9891, 9.89  # typed over the formulas: 316.5 ÷ 320 = 98.91 %
    path = tmp_path / "教育局2024_填报.xlsx"
    book.save(path)
    return path


def findings(form_report) -> list[str]:
    return [f.message for f in form_report.findings if f.code not in ("D001", "S002")]


def test_rules_judge_the_values_the_result_line_shows(tmp_path):
    report = check_path(str(program_saved(tmp_path)))
    first, second = (f for f in report.forms if f.kind == "project_self_eval")
    assert (first.results.exec_rate, first.results.exec_score, first.results.total_score) == (0.862, 8.62, 98.62)
    assert findings(first) == [
        "[附件3-1] 年度资金总额 全年执行数 (E6)：指标得分率 100.00% 明显高于预算执行率 86.20%，请核实指标完成情况",
        "[附件3-1] 年度资金总额 执行率 (G6)：执行率 86.20% 低于 90.00%，但表中未说明原因（请在偏差原因分析或说明中填写）",
    ]  # it was "预算执行率 0.00%" and "执行率 0.00% 低于 90.00%": 全年执行数 the blank the file holds
    # 全年执行数 and 全年预算数 are formulas summing 当年财政拨款: they show 316.5 and 320, not "未填写" (E109)
    assert second.results.exec_rate == pytest.approx(316.5 / 320) and second.results.total_score == 99.89
    assert findings(second) == []
    # the cross-form rules too: 附件3-1's 全年预算数 shows 200, over 附件2's 项目支出 150 (it was not compared)
    assert [f.message for f in report.findings if f.code != "S002"] == [
        "[附件3-1] 年度资金总额 全年预算数 (D6)：项目全年预算数 200 万元 超过 [附件2] 项目支出 150 万元",
        "[附件3-2] 年度资金总额 全年预算数 (D6)：项目全年预算数 320 万元 超过 [附件2] 项目支出 150 万元",
    ]
    # S002 says which of them the check worked out (it said "这些单元格按空白处理" of all)
    assert next(f.text for f in report.findings if f.code == "S002" and f.sheet == "附件3-1") == (
        "C6、E6、G6、H6、G24、H24、I24 是公式，但文件中没有保存计算结果（文件可能由程序生成、未经 Excel/WPS 保存）；"
        "校验按公式算出了其中的合计、比率和得分，I24 按空白处理；请在 Excel 或 WPS 中打开并保存后再提交")
    # D001 still names the formulas saved without a result, with the values they show once opened
    d001 = {f.cell: f.expected for f in first.findings if f.code == "D001"}
    assert (d001["E6"], d001["G6"], d001["H6"]) == (172.4, 0.862, 8.62)


def test_fill_reports_the_output_it_wrote_where_the_results_are_stored(tmp_path):
    # fill's report (printed, and its 校验结果) said of the same cells "这些单元格按空白处理"; it now describes the
    # output, whose formulas carry their results: no S002, and the findings a check of the output gives
    result = fill(str(program_saved(tmp_path)), str(tmp_path / "filled.xlsx"))
    assert [f for f in result.report.all_findings() if f.code == "S002"] == []
    again = check_path(str(tmp_path / "filled.xlsx"))
    assert [f.message for f in result.report.all_findings()] == [f.message for f in again.all_findings()]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_the_findings_are_those_of_the_workbook_recalculated(tmp_path):
    saved = program_saved(tmp_path)
    [opened] = convert([saved], tmp_path / "lo", "xlsx")  # recalculated on load, as Excel does on opening
    as_saved, recalculated = check_path(str(saved)), check_path(str(opened))
    assert [findings(f) for f in as_saved.forms] == [findings(f) for f in recalculated.forms]
    assert [f.results.to_dict() for f in as_saved.forms] == [f.results.to_dict() for f in recalculated.forms]
    assert [f.message for f in as_saved.findings if f.code != "S002"] == [f.message for f in recalculated.findings]
