"""report check on published 自评报告 against the workbook they describe (tests/report_pairs.py, sources in
tests/data/report_pairs/*.json): no false alarm on what they say, the genuine slip found, injected contradictions
caught with the sentence, the report's figure, the table's figure and its cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao_xl.narrative.checker import check_report

from . import report_pairs as R

NAMES = ["hunan_nanxian_zhengxie_2021", "hunan_nanxian_zhengxie_2024", "hunan_yuanling_huochang_2024",
         "hunan_hengyang_zhujian_2019", "hunan_nanxian_caizheng_2020"]


def _pair(tmp_path, name, paragraphs=None):
    document, workbook = R.pair(tmp_path, name, paragraphs)
    return document, [workbook]


def _bad(report):
    return [(f.code, f.cell, f.message) for f in report.findings if f.severity in ("error", "warning")]


@pytest.mark.parametrize("name", [n for n in NAMES if n != "hunan_hengyang_zhujian_2019"])
def test_published_report_has_no_contradiction_with_its_tables(tmp_path, name):
    report = check_report(*_pair(tmp_path, name))
    assert _bad(report) == []


@pytest.mark.parametrize("name", ["hunan_nanxian_zhengxie_2021", "hunan_nanxian_zhengxie_2024"])
def test_a_part_named_after_a_table_line_is_the_parts_figure(tmp_path, name):
    """南县政协: "项目支出包括委员活动经费36.3万元，…" is 委员活动经费's figure (no table has it), not 项目支出's 286.83:
    it was an error (T201) and a warning (T103, "写作 36.3 万元，而第6段…写作 286.83 万元")."""
    report = check_report(*_pair(tmp_path, name))
    assert _bad(report) == []
    unchecked = [f.message for f in report.findings if f.code == "T302"]
    assert len(unchecked) == 1 and "另有 12 处" in unchecked[0], unchecked  # the 5 items with the 7 of 第5段


@pytest.mark.parametrize("sentence", [
    "基本支出（含人员经费和公用经费）512.29万元，项目支出286.83万元。",  # the words in brackets name no figure
    "项目支出主要用于委员活动经费36.3万元。",
    "项目支出中委员活动经费36.3万元。",
])
def test_other_ways_of_naming_a_part(tmp_path, sentence):
    doc = R.load("hunan_nanxian_zhengxie_2021")
    paragraphs = R.edited(doc["paragraphs"], "本项目由基本支出和项目支出两个部分构成。", sentence)
    report = check_report(*_pair(tmp_path, "hunan_nanxian_zhengxie_2021", paragraphs))
    assert _bad(report) == []


def test_a_wrong_basic_figure_in_brackets_style_is_still_an_error(tmp_path):
    doc = R.load("hunan_nanxian_zhengxie_2021")
    paragraphs = R.edited(doc["paragraphs"], "本项目由基本支出和项目支出两个部分构成。",
                          "基本支出（含人员经费和公用经费）502.29万元。")
    report = check_report(*_pair(tmp_path, "hunan_nanxian_zhengxie_2021", paragraphs))
    (code, _, message), = _bad(report)
    assert code == "T201" and "报告写 502.29 万元" in message and "基本支出 (E7) 为 512.29 万元" in message


def test_the_genuine_slip_of_hengyang_is_found_and_nothing_else(tmp_path):
    """衡阳市住建局 2019: 基本支出决算数2994.57万元 "包含" 1754.89 + 452.34 + 598.14 + 66.6 = 2871.97."""
    report = check_report(*_pair(tmp_path, "hunan_hengyang_zhujian_2019"))
    (code, cell, message), = _bad(report)
    assert code == "T101" and cell == "第8段"
    assert "1754.89 + 452.34 + 598.14 + 66.6 = 2871.97 万元，相差 122.6 万元" in message


def test_injected_wrong_rate_is_caught(tmp_path):
    doc = R.load("hunan_yuanling_huochang_2024")
    paragraphs = R.edited(doc["paragraphs"], "2024年共支出1211.89万元。",
                          "2024年全年预算数1211.89万元，共支出1211.89万元，预算执行率为98.5%。")
    report = check_report(*_pair(tmp_path, "hunan_yuanling_huochang_2024", paragraphs))
    rate = [m for c, _, m in _bad(report) if c == "T202"]
    assert len(rate) == 1 and "“2024年全年预算数1211.89万元，共支出1211.89万元，预算执行率为98.5%”" in rate[0]
    assert "报告写 98.5%，按表 [附件2] 执行率 (G5) 为 100.00%" in rate[0]


def test_injected_wrong_total_is_caught(tmp_path):
    doc = R.load("hunan_nanxian_caizheng_2020")
    paragraphs = R.edited(doc["paragraphs"], "综合评分为97分", "综合评分为95分")
    report = check_report(*_pair(tmp_path, "hunan_nanxian_caizheng_2020", paragraphs))
    (code, cell, message), = _bad(report)
    assert code == "T203" and cell == "第3段" and "综合评分为95分”" in message and "报告写 95分，表中 [附件2] 总分 (H25) 为 97 分" in message


def test_injected_wrong_full_year_budget_is_caught(tmp_path):
    doc = R.load("hunan_nanxian_zhengxie_2024")
    paragraphs = R.edited(doc["paragraphs"], "2、支出：816.23万元。", "2、支出：816.23万元，全年预算数为861.23万元。")
    report = check_report(*_pair(tmp_path, "hunan_nanxian_zhengxie_2024", paragraphs))
    (code, cell, message), = _bad(report)
    assert code == "T201" and cell == "第6段" and "“2、支出：816.23万元，全年预算数为861.23万元”" in message
    assert "报告写 861.23 万元，表中 [附件2] 年度资金总额 全年预算数 (D5) 为 816.23 万元" in message


@pytest.mark.parametrize("sentence", [
    # a 附件1 line's own 执行率 (5.34 ÷ 8 = 66.75%), not the 年度资金总额's 100%
    "公务接待费预算8万元，实际支出5.34万元，执行率66.75%。",
    "公务接待费执行率66.75%。",
    # lines, then the 年度资金总额's 全年执行数: not 项目支出's second 执行数
    "基本支出573.36万元，项目支出638.53万元，全年执行数1211.89万元。",
])
def test_figures_of_another_line_in_the_same_sentence(tmp_path, sentence):
    doc = R.load("hunan_yuanling_huochang_2024")
    paragraphs = R.edited(doc["paragraphs"], "2024年共支出1211.89万元。其中，基本支出573.36万元，项目支出638.53万元。",
                          sentence)
    report = check_report(*_pair(tmp_path, "hunan_yuanling_huochang_2024", paragraphs))
    assert _bad(report) == []


def test_a_line_rate_does_not_hide_a_wrong_overall_rate(tmp_path):
    doc = R.load("hunan_yuanling_huochang_2024")
    paragraphs = R.edited(doc["paragraphs"], "2024年共支出1211.89万元。",
                          "公务接待费执行率66.75%，部门整体支出预算执行率为95%。")
    report = check_report(*_pair(tmp_path, "hunan_yuanling_huochang_2024", paragraphs))
    (code, _, message), = _bad(report)
    assert code == "T202" and "报告写 95%，按表 [附件2] 执行率 (G5) 为 100.00%" in message


# The 全年预算数 above what was spent: neither report states it (衡阳 gives its 年初预算 18531.47 and its 决算 4389.86,
# 沅陵 what it spent, 1211.89), so a workbook with it is still the one the report describes.  附件2's 按收入性质分 /
# 按支出性质分 lines are then on the 全年预算 basis (rules §6), not the 决算 the report gives.
SPENT_BELOW_BUDGET = {
    "hunan_hengyang_zhujian_2019": {"full": 4612.3, "income": 4612.3, "general": 4612.3, "project": 1617.73},
    "hunan_yuanling_huochang_2024": {"full": 1250, "income": 1250, "general": 1250, "project": 676.64},
}


def _spent_below(tmp_path, name, paragraphs=None):
    document, workbook = R.pair(tmp_path, name, paragraphs, SPENT_BELOW_BUDGET[name])
    return check_report(document, [workbook])


def test_a_total_spent_is_not_compared_with_the_full_year_budget_line(tmp_path):
    """衡阳 2019: "2019年局机关总支出决算数为4389.86万元" is the 全年执行数 (E5 4389.86); it was T201 against 按支出性质分
    (E6), which is the 全年预算数 4612.3.  Only the report's genuine slip (T101) is left."""
    report = _spent_below(tmp_path, "hunan_hengyang_zhujian_2019")
    assert [(c, cell) for c, cell, _ in _bad(report)] == [("T101", "第8段")]
    assert not any("4389.86万元" in f.message for f in report.findings if f.code == "T301")


def test_a_wrong_total_spent_is_an_error_against_the_full_year_execution(tmp_path):
    doc = R.load("hunan_hengyang_zhujian_2019")
    paragraphs = R.edited(doc["paragraphs"], "总支出决算数为4389.86万元", "总支出决算数为4398.86万元")
    report = _spent_below(tmp_path, "hunan_hengyang_zhujian_2019", paragraphs)
    wrong = [m for c, _, m in _bad(report) if c == "T201"]
    assert len(wrong) == 1 and "总支出决算数为 报告写 4398.86 万元，表中 [附件2] 年度资金总额 全年执行数 (E5) 为 4389.86 万元" \
        in wrong[0]


@pytest.mark.parametrize("figure", ["4389.86", "4612.3"])
def test_a_total_without_budget_or_spending_words_may_be_either(tmp_path, figure):
    """"总支出为…" does not say 预算 or 决算: equal to the 全年执行数 or to the 全年预算数, it is right."""
    doc = R.load("hunan_hengyang_zhujian_2019")
    paragraphs = R.edited(doc["paragraphs"], "2019年局机关总支出决算数为4389.86万元", f"2019年局机关总支出为{figure}万元")
    report = _spent_below(tmp_path, "hunan_hengyang_zhujian_2019", paragraphs)
    assert [c for c, _, _ in _bad(report)] == ["T101"]
    assert not any(f"总支出为 {figure}万元" in f.message for f in report.findings)


def test_a_total_equal_to_neither_is_an_info_naming_both(tmp_path):
    doc = R.load("hunan_hengyang_zhujian_2019")
    paragraphs = R.edited(doc["paragraphs"], "2019年局机关总支出决算数为4389.86万元", "2019年局机关总支出为4500万元")
    report = _spent_below(tmp_path, "hunan_hengyang_zhujian_2019", paragraphs)
    assert [c for c, _, _ in _bad(report)] == ["T101"]
    (info,) = [f.message for f in report.findings if f.code == "T301" and "总支出为 4500万元" in f.message]
    assert "与表中全年执行数、全年预算数都不同（[附件2] 年度资金总额 全年执行数 (E5) 为 4389.86 万元、[附件2] 年度资金总额 " \
           "全年预算数 (D5) 为 4612.3 万元），报告没有写明是全年预算数还是决算（执行）数" in info


def test_a_line_spent_is_not_an_error_against_its_full_year_budget_line(tmp_path):
    """沅陵 2024: "项目支出638.53万元" is what was spent; 附件2's 项目支出 (E8) is on the 全年预算 basis (676.64 with a
    全年预算数 of 1250): it was T201.  Now an info naming E8, and why it was not compared."""
    report = _spent_below(tmp_path, "hunan_yuanling_huochang_2024")
    assert _bad(report) == []
    (info,) = [f.message for f in report.findings if f.code == "T301" and "638.53" in f.message]
    assert "项目支出 638.53万元，表中项目支出只有全年预算口径的数（[附件2] 项目支出 (E8) 为 676.64 万元）" in info
    assert "全年预算数（年度资金总额 全年预算数 (D5) 为 1250 万元）与全年执行数（年度资金总额 全年执行数 (E5) 为 " \
           "1211.89 万元）不同" in info


def test_a_wrong_line_spent_stays_an_error_while_budget_and_spending_agree(tmp_path):
    doc = R.load("hunan_yuanling_huochang_2024")
    paragraphs = R.edited(doc["paragraphs"], "项目支出638.53万元", "项目支出683.53万元")
    report = check_report(*_pair(tmp_path, "hunan_yuanling_huochang_2024", paragraphs))
    wrong = [m for c, _, m in _bad(report) if c == "T201"]
    assert len(wrong) == 1 and "报告写 683.53 万元，表中 [附件2] 项目支出 (E8) 为 638.53 万元" in wrong[0]


def test_a_share_of_the_total_may_be_of_the_total_spent(tmp_path):
    """"项目支出…占总支出的52.69%" (638.53 ÷ 1211.89, the 全年执行数): it was T102 against 按支出性质分 1250
    (51.08%).  A share equal to neither is an info naming both."""
    doc = R.load("hunan_yuanling_huochang_2024")
    for share, bad in (("52.69%", False), ("51.08%", False), ("49%", True)):
        paragraphs = R.edited(doc["paragraphs"], "项目支出638.53万元。", f"项目支出638.53万元，占总支出的{share}。")
        report = _spent_below(tmp_path, "hunan_yuanling_huochang_2024", paragraphs)
        assert _bad(report) == [], share
        infos = [f.message for f in report.findings if f.code == "T301" and f"占总支出的 {share}" in f.message]
        assert bool(infos) == bad, (share, infos)
    assert "[附件2] 按支出性质分 (E6) 1250 万元（51.08%）、[附件2] 年度资金总额 全年执行数 (E5) 1211.89 万元（52.69%）" \
        in infos[0]


def _text_only(name: str) -> list[str]:
    """The report's paragraphs that hold no figure (its title, headings, its goals and summary): a report written
    in words only, as some offices send it."""
    from jixiao_xl.narrative.extract import normalise, quantities

    return [p for p in R.load(name)["paragraphs"] if not any(q.kind != "count" for q in quantities(normalise(p)))]


def test_a_report_in_words_only_says_nothing_could_be_compared(tmp_path, capsys):
    """南县政协 2024 without its figures: no figure, no picture — report check said "没有发现问题", though nothing had
    been compared with the tables."""
    from jixiao_xl.cli import main

    paragraphs = _text_only("hunan_nanxian_zhengxie_2024")
    assert len(paragraphs) == 8
    document, workbook = R.pair(tmp_path, "hunan_nanxian_zhengxie_2024", paragraphs)
    report = check_report(document, [workbook])
    assert [(f.code, f.severity, f.message) for f in report.findings] == [
        ("T304", "info", ("[报告] 全文：报告共 8 段文字，没有任何金额、比率或得分，没有一个数字能与表核对；报告的内容未核对，"
                          "请人工审阅（自评报告应写明预算执行、得分等数字）"))]
    assert main(["report", "check", document, workbook]) == 0
    out = capsys.readouterr().out
    assert "没有发现问题" not in out and "T304 提示" in out and "没有一个数字能与表核对" in out


def test_batch_says_a_report_in_words_only_was_not_compared(tmp_path):
    import openpyxl

    from jixiao_xl import batch

    document, workbook = R.pair(tmp_path, "hunan_nanxian_zhengxie_2024", _text_only("hunan_nanxian_zhengxie_2024"))
    inbox = tmp_path / "收件" / "南县政协"
    inbox.mkdir(parents=True)
    for path in (document, workbook):
        (inbox / Path(path).name).write_bytes(Path(path).read_bytes())
    result = batch.run([str(inbox.parent)], str(tmp_path / "out"), jobs=1)
    (report,) = result.reports()
    assert [(f["code"], f["severity"]) for f in report["report"]["findings"]] == [("T304", "info")]
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx", read_only=True)
    details = [row for row in book["问题明细"].iter_rows(values_only=True) if row and row[4] == "T304"]
    assert len(details) == 1 and "没有一个数字能与表核对" in details[0][6]


def test_a_unit_whose_report_holds_no_figure_is_left_to_the_reviewer(tmp_path):
    """Nothing of a report in words only could be compared (T304): its unit, whose workbook is in order, was 通过
    in 退回清单 as if its report had been checked.  Now 请核实 — it sent a report, so it is not 缺少 either."""
    import openpyxl

    from jixiao_xl import batch

    from . import report_docs as D
    from .helpers import clean_seed, set_cells
    from .samples import write_xlsx

    inbox = tmp_path / "收件" / "司法局"
    inbox.mkdir(parents=True)
    # the seed in order, without its two warnings (公用经费 over its budget, 42 % added during the year)
    write_xlsx(inbox / "汨罗市司法局2023.xlsx", set_cells(clean_seed(), {"附件1!C25": 340.27, "附件2!C5": 1762.55}))
    D.build(inbox / "汨罗市司法局自评报告.docx", ["汨罗市司法局2023年度部门整体支出绩效自评报告",
                                                   "一、部门基本情况：本单位按照职责开展工作。",
                                                   "二、绩效自评结论：各项工作均已完成，群众满意。"])
    batch.run([str(inbox.parent)], str(tmp_path / "out"), jobs=1)
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx", read_only=True)
    head, *body = book["退回清单"].iter_rows(values_only=True)
    returned = [dict(zip(head, row)) for row in body]
    assert [(r["单位"], r["处理"], r["错误数"], r["警告数"], r["缺少的材料"]) for r in returned] == \
        [("汨罗市司法局", "请核实", 0, 0, None)], returned

