"""report check against a table figure the workbook check finds wrong (trial F): the check's correction, the
figure worked out from it, its reviewed 总分 are the basis; a report that states them is not in error (T206
says the table is the one to fix), and a 总分 the check cannot review is never compared nor shown."""

from __future__ import annotations

import docx
import pytest

from jixiao_xl.cli import main
from jixiao_xl.narrative.checker import check_report

from .helpers import set_cells
from .samples import seed_sheets, write_xlsx

PROJECT = "司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援）"
# the planted mistakes: a “三公”经费 决算数 not adding up (7.54 + 0 + 5.34 = 12.88), a 项目 全年预算数 not the sum
# of its sources (83), an indicator 得分 above its 分值 that the typed 总分 counts (101, the check's 99)
WRONG = {"附件1!D6": 13.88, "附件3!D6": 80, "附件2!H21": 12, "附件2!H25": 101}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("wrong") / "表.xlsx"
    write_xlsx(path, set_cells(seed_sheets(), dict(WRONG)))
    return str(path)


def _check(tmp_path, book, *lines):
    path = tmp_path / "报告.docx"
    document = docx.Document()
    for line in ("2023年度汨罗市司法局部门整体支出绩效自评报告",) + lines:
        document.add_paragraph(line)
    document.save(path)
    return check_report(str(path), [book])


def _found(report, *codes):
    return [f for f in report.findings if f.code in codes]


def test_a_report_stating_the_corrected_figures_is_not_in_error(tmp_path, book):
    report = _check(tmp_path, book,
                    "“三公”经费预算数17万元，“三公”经费决算数12.88万元，“三公”经费控制率为75.76%。",
                    "部门整体支出绩效自评得分99分，等级为“优”。",
                    f"{PROJECT}全年预算数83万元，全年执行数83万元，执行率100%，执行率得分10分。")
    assert [f for f in report.findings if f.severity == "error"] == []
    told = _found(report, "T206")
    assert [f.severity for f in told] == ["warning"] * 4
    messages = [f.message for f in told]
    # each names what the report agrees with, the table's cell and figure, the check's reason; the table is to fix
    amount = next(m for m in messages if "“三公”经费决算数 报告写 12.88 万元" in m)
    assert "与按校验更正后的数 12.88 万元 一致；表中 [附件1] “三公”经费 2023年决算数 (D6) 为 13.88 万元，有误：" in amount
    assert "= 12.88，现填 13.88（附件1 D6）；请改正表中的数" in amount
    rate = next(m for m in messages if "控制率为 报告写 75.76%" in m)
    assert "与按校验更正后的数 75.76% 一致" in rate and "= 81.65%" in rate  # 13.88 ÷ 17, the table's
    total = next(m for m in messages if "报告写 99分" in m)
    assert "表中 [附件2] 总分 (H25) 为 101 分，有误：总分按校验复核为 99（优），表中为 101（附件2 H25）" in total
    budget = next(m for m in messages if "全年预算数 报告写 83 万元" in m)
    assert "[附件3] 年度资金总额 全年预算数 (D6) 为 80 万元" in budget and "应为 当年财政拨款" in budget
    # the 执行率 of a 全年预算数 off its own parts is 无法复核 in the check (F103 names D6): not compared, said so
    notes = [f.message for f in _found(report, "T301")]
    assert any("执行率 100%，表中算不出执行率，未核对" in m for m in notes)
    assert any("执行率得分 10分，表中对应的得分无法复核：全年预算数 80 与其中各项之和 83 不符（见 D6），未核对" in m for m in notes)


def test_a_report_copying_a_wrong_figure_is_told_both_are_to_fix(tmp_path, book):
    report = _check(tmp_path, book, "“三公”经费决算数13.88万元。", "部门整体支出绩效自评得分101分，等级为“优”。")
    assert [f for f in report.findings if f.severity == "error"] == []
    amount, total = _found(report, "T206")
    assert "与表中 [附件1] “三公”经费 2023年决算数 (D6) 为 13.88 万元 相同，但表中此数有误：" in amount.message
    assert amount.message.endswith("按校验应为 12.88 万元；请改正表和报告")
    assert "按校验应为 99 分；请改正表和报告" in total.message
    assert (amount.expected, amount.found) == (12.88, 13.88)


def test_a_report_agreeing_with_neither_is_in_error_against_the_right_figure(tmp_path, book):
    report = _check(tmp_path, book, "“三公”经费决算数15万元。", "部门整体支出绩效自评得分95分，等级为“优”。",
                    "部门整体支出绩效自评得分95分，等级为“良”。")
    amount = _found(report, "T201")[0]
    assert amount.expected == 12.88 and "表中此数有误：“三公”经费应为" in amount.message
    scores = _found(report, "T203")
    assert {f.expected for f in scores} == {99.0, "优"}
    assert all("按校验复核为 99" in f.message for f in scores)
    assert not _found(report, "T206")


def test_a_total_the_check_cannot_review_is_neither_compared_nor_shown(tmp_path):
    book = tmp_path / "表.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), {"附件3!H14": "满分", "附件3!H24": 90}))
    report = _check(tmp_path, str(book), f"2023年度{PROJECT}项目支出绩效评价报告",
                    "项目自评得分100分，等级为“优”。")
    assert [f for f in report.findings if f.severity != "info"] == []
    score, grade = sorted(_found(report, "T301"), key=lambda f: "等级 “优”" in f.message)
    assert "项目自评得分 100分，表中对应的得分无法复核：得分 “满分”（H14） 不是数字，未核对" in score.message
    assert "等级 “优”，表中对应的等级无法复核" in grade.message
    assert not any("90" in f.message for f in report.findings)


def test_the_trial_report_on_a_workbook_without_cached_results(tmp_path, capsys):
    """Trial F's mistakes in a workbook openpyxl saved (formulas without results): the same as in Excel."""
    import openpyxl

    book = tmp_path / "表.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), dict(WRONG)))
    sheets = openpyxl.load_workbook(book)
    sheets["附件3"]["E6"] = "=IF(COUNT(E7,E8,E9)=0,\"\",SUM(E7,E8,E9))"
    sheets["附件3"]["G6"] = "=IF(AND(ISNUMBER(D6),N(D6)>0),N(E6)/D6,\"\")"
    sheets["附件3"]["H6"] = "=IF(AND(ISNUMBER(D6),N(D6)>0),ROUND(IF(ISNUMBER(F6),F6,10)*MIN(N(E6)/D6,1),2),0)"
    sheets.save(book)
    report = _check(tmp_path, str(book), f"{PROJECT}全年预算数83万元，全年执行数83万元，执行率100%，执行率得分10分。")
    assert [f for f in report.findings if f.severity == "error"] == []
    (budget,) = _found(report, "T206")  # 83 for 80: the table's, its formulas opened
    assert "[附件3] 年度资金总额 全年预算数 (D6) 为 80 万元" in budget.message
    # its 执行率 (a formula over the total off its parts) is 无法复核 in the check: noted, not compared
    assert any("表中算不出执行率，未核对" in f.message for f in _found(report, "T301"))
    assert main(["explain", "T206"]) == 0 and "要改的是表" in capsys.readouterr().out
