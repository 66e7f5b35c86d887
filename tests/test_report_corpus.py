"""report check on real published 自评报告 (tests/data/reports, see tests/report_corpus.py) and on the kinds of
sentence that misled it: no error or warning where the arithmetic holds or cannot be judged, every genuine
inconsistency found, and one-number changes found at least at the rate measured (benchmarks/report_corpus.py).
"""

from __future__ import annotations

import pytest

from jixiao_xl.narrative.checker import check_paragraphs
from jixiao_xl.narrative.document import Paragraph

from . import report_corpus as RC

DOCS = RC.load()
BAD = RC.BAD


def _findings(*texts, severities=BAD):
    report = check_paragraphs([Paragraph(i, t, f"第{i}段") for i, t in enumerate(texts, 1)])
    return [f for f in report.findings if f.severity in severities]


# ------------------------------------------------------------------ the corpus itself


def test_corpus_has_thirty_reports_from_ten_provinces_each_with_its_address_and_verdicts():
    assert len(DOCS) >= 30
    assert len({d["province"] for d in DOCS} - {"不详"}) >= 10
    for doc in DOCS:
        assert doc["url"].startswith("http") and doc["paragraphs"] and doc["relations"], doc["id"]
        for relation in doc["relations"]:
            assert relation["verdict"] in ("consistent", "inconsistent", "unjudgeable"), relation
            assert 1 <= relation["para"] <= len(doc["paragraphs"]) and relation["arithmetic"], relation
            if "change" in relation:
                assert relation["verdict"] == "consistent"
                assert relation["change"]["from"] in doc["paragraphs"][relation["para"] - 1], relation


# ------------------------------------------------------------------ precision and recall on real reports


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d["id"])
def test_no_error_or_warning_where_the_report_is_right_or_cannot_be_judged(doc):
    wrong = [r for r in doc["relations"] if r["verdict"] == "inconsistent"]
    report = RC.check(doc)
    for finding in report.findings:
        if finding.severity in BAD:
            assert any(RC._matches(finding, r) for r in wrong), finding.message
        assert "Traceback" not in finding.message


@pytest.mark.parametrize("doc,relation", [(d, r) for d in DOCS for r in d["relations"] if r["verdict"] == "inconsistent"],
                         ids=lambda x: x["id"])
def test_every_genuine_inconsistency_is_found_with_what_was_read(doc, relation):
    report = RC.check(doc)
    found = [f for f in report.findings if f.severity in BAD and RC._matches(f, relation)]
    assert found, [f.message for f in report.findings]
    assert all(f.message.startswith("[报告] 第") for f in found)


# the rates measured by benchmarks/report_corpus.py when the corpus was built: floors, so that a regression fails
CHANGE_FLOORS = {"sum": (19, 23), "sum_after": (5, 5), "part_of": (5, 5), "count_sum": (2, 2), "adjustment": (1, 1),
                 "restated": (5, 7), "rate": (6, 7), "difference": (1, 1), "yoy": (1, 1)}


def test_one_number_changes_are_found_at_least_at_the_measured_rate():
    score = RC.score(DOCS)
    assert score.precision == 1.0 and score.recall == 1.0, (score.false_alarms, score.missed)
    for kind, (found, total) in CHANGE_FLOORS.items():
        got, seen = score.change_rate(kind)
        assert seen == total, (kind, seen)
        assert got >= found, (kind, got, found, score.changes_missed)
    got, seen = score.change_rate()
    assert got >= 48 and seen == 52


# ------------------------------------------------------------------ what misled the check (issue 27)


def test_levels_of_the_indicator_tree_are_not_parts():
    assert _findings("该项目共编制15个绩效指标，其中一级指标3个，二级指标8个，三级指标15个。") == []


def test_an_item_listed_under_a_total_is_not_a_second_figure_of_it():
    assert _findings("项目支出182.35万元，主要包括业务经费40万元、办案经费30万元。", "项目支出182.35万元，执行率100%。") == []


def test_labels_are_compared_by_what_they_name():
    # 本级项目支出 and 项目支出总额, two projects' 全年预算数: not one figure written twice
    assert _findings("本级项目支出120万元。", "项目支出总额182.35万元。") == []
    assert _findings("教育补助项目全年预算数为36.261万元，执行数为14.261万元。残疾人培训项目全年预算数9万元，执行数为8.4万元。") == []
    # the same item written twice differently is still found
    (repeat,) = _findings("项目支出440.32万元。", "全年项目支出430.32万元。")
    assert repeat.code == "T103" and "写作 430.32 万元" in repeat.message and "写作 440.32 万元" in repeat.message


def test_a_share_is_computed_on_the_figure_the_sentence_names():
    texts = ("2023年度总收入1762.55万元。", "2022年度总收入1034.5万元。", "2023年一般公共预算拨款1762.55万元，占总收入的100%。")
    assert _findings(*texts) == []
    (share,) = _findings(*texts[:2], "2023年一般公共预算拨款1762.55万元，占总收入的90%。")
    assert share.code == "T102" and "1762.55万元" in share.message and "90%" in share.message


def test_an_adjustment_and_the_net_amount_are_not_parts():
    assert _findings("年初安排100万元，追加11万元，后调减40万元，全年实际下达71万元。") == []
    assert _findings("资金下达我区111万元，其中低保资金100万元，孤儿基本生活保障金11万元，调减40万元，全年实际下达71万元。") == []
    (wrong,) = _findings("年初安排100万元，追加11万元，后调减40万元，全年实际下达81万元。")
    assert wrong.code == "T109" and wrong.severity == "error"
    assert "100 + 11 − 40 = 71 万元，报告写全年实际下达 81 万元" in wrong.message


def test_without_a_workbook_the_info_does_not_mention_the_table():
    (info,) = [f for f in _findings("项目支出440.32万元，占总支出的24.98%。", severities=("info",)) if f.code == "T301"]
    assert "报告中找不到“总支出”的金额" in info.message and "表中" not in info.message


def test_a_total_after_its_parts():
    text = "建厂房12.08万元；购买变压器18.8万元；购置电锅炉6.75万元；增设发酵池3.2万元；共计{}万元。"
    assert _findings(text.format("40.83")) == []
    (total,) = _findings(text.format("41.83"))
    assert total.code == "T101"
    assert "41.83 万元，其中各项之和 12.08 + 18.8 + 6.75 + 3.2 = 40.83 万元，相差 1 万元" in total.message


def test_a_single_part_above_its_total():
    assert _findings("项目立项批复525.39万元，其中500万元为中央水利发展资金。") == []
    (above,) = _findings("项目立项批复525.39万元，其中600万元为中央水利发展资金。")
    assert above.code == "T108" and "600万元 大于它所属的项目立项批复 525.39万元" in above.message
    (bracket,) = _findings("年初批复预算8个项目985万元(含1个年初结转结余项目1050万元)。")
    assert bracket.code == "T108"


def test_lengths_and_areas_add_up_across_units():
    assert _findings("治理河道总长为3.75km，其中干流长3150m，支流段0.60km。") == []
    (river,) = _findings("治理河道总长为3.75km，其中干流长3133m，支流段0.60km。")
    assert river.code == "T104" and "3.75km，其中各项之和 3133m + 0.60km = 3.733km" in river.message
    # 0.6km is 550 m to 650 m: 3133 m + 0.6 km may be 3.75 km
    assert _findings("治理河道总长为3.75km，其中干流长3133m，支流段0.6km。") == []
    assert _findings("实施营造林8万亩，其中新造林2000公顷，改造5万亩。") == []
    assert [f.code for f in _findings("实施营造林8万亩，其中新造林200公顷，改造5万亩。")] == ["T104"]
    assert [f.code for f in _findings("共布局12架直升机(其中:租用1架、2架、1架、6架,另布局3架)。")] == ["T104"]


def test_rates_against_their_two_figures():
    assert _findings("项目资金共2179万元，已完成拨付2113.63万元，执行率97%。") == []
    (rate,) = _findings("项目资金共2179万元，已完成拨付2113.63万元，执行率87%。")
    assert rate.code == "T107"
    assert "执行率 按本句的数应为 2113.63万元 ÷ 2179万元 = 97.00%，报告写 87%" in rate.message
    (paid,) = _findings("资金支付18501.096万元，未支703万元，支付率95%。")
    assert "18501.096万元 ÷ (18501.096万元 + 703万元) = 96.34%" in paid.message


def test_year_on_year_changes_against_both_years():
    assert _findings("“三公”经费支出12.88万元，上年支出17万元，比上年减少4.12万元，下降24.24%。") == []
    (pct,) = _findings("“三公”经费支出12.88万元，上年支出17万元，比上年减少4.12万元，下降25.24%。")
    assert pct.code == "T110" and "应为 下降 24.24%，报告写 下降 25.24%" in pct.message
    (delta,) = _findings("公用经费支出112万元，上年支出100万元，比上年增加22万元。")
    assert "112万元 − 100万元 = 12 万元 应为 增加 12 万元，报告写 增加 22万元" in delta.message
    (only_delta,) = _findings("“三公”经费支出12.88万元，比上年减少4.12万元，下降20.24%。")
    assert "应为 下降 24.24%" in only_delta.message


def test_one_documents_amount_written_twice_differently():
    texts = ["财政局呼财农指【2023】41号文件《关于下达资金预算的通知》,下达资金5万元。",
             "财政局呼财农指【2023】41号文件《关于下达资金预算的通知》,下达山洪灾害防治设施维养6万元。"]
    (repeat,) = _findings(*texts)
    assert repeat.code == "T103" and repeat.cell == "第2段"
    assert "呼财农指【2023】41号下达的金额 写作 6 万元" in repeat.message and "写作 5 万元" in repeat.message
    assert _findings(texts[0], texts[0]) == []


def test_a_rate_named_by_its_figure():
    text = "审定358宗，送审金额35.43亿元，审定金额32.66亿元，核减2.77亿元，核减率{}。"
    assert _findings(text.format("7.82%")) == []
    (rate,) = _findings(text.format("8.82%"))
    assert rate.code == "T107" and "核减率 按本句的数应为 2.77亿元 ÷ 35.43亿元 = 7.82%，报告写 8.82%" in rate.message


@pytest.mark.parametrize("sentence", [
    "2023年度部门收入预算1762.55万元中，基本支出1322.23万元，项目支出340.32万元。",
    "2023年度支出决算1762.55万元，包括基本支出1322.23万元和项目支出340.32万元。",
    "2023年度支出决算1762.55万元，包含基本支出1322.23万元、项目支出340.32万元。",
])
def test_a_breakdown_opened_otherwise_than_by_qizhong_is_added_up(sentence):
    """"…万元中，…" and "…万元，包括…和…" list the parts of the figure just before them as 其中 does: parts
    that miss it by 100 万元 are an error with both sums; the same parts right are nothing."""
    (found,) = _findings(sentence)
    assert found.code == "T101" and (found.expected, found.found) == (1762.55, 1662.55)
    assert "1322.23 + 340.32 = 1662.55 万元，相差 100 万元" in found.message
    assert _findings(sentence.replace("340.32", "440.32")) == []


@pytest.mark.parametrize("sentence", [
    "全年办理案件308件，工作内容包括调解纠纷1250件和法律援助230件。",  # 包括 far from the 308: not its parts
    "2023年中，办理案件308件，调解纠纷1250件。",  # a year, not a total
    "资金包括1322.23万元和440.32万元，全年预算1762.55万元。",  # no total before 包括
])
def test_words_that_only_look_like_a_breakdown_are_not_added_up(sentence):
    assert _findings(sentence) == []


@pytest.mark.parametrize("adjusted", ["年中追加预算", "追加调整", "追加预算资金"])
def test_an_adjustment_named_with_its_noun_is_added_up(adjusted):
    """"年中追加预算370.6万元" adjusts the figure before it as "追加370.6万元" does (trial G: only T302 was said)."""
    (found,) = _findings(f"2024年年初预算数4850万元，{adjusted}370.6万元，调整后预算数5230.6万元。")
    assert found.code == "T109" and (found.expected, found.found) == (5220.6, 5230.6)
    assert "4850 + 370.6 = 5220.6 万元，报告写调整后预算数 5230.6 万元" in found.message
    assert _findings(f"2024年年初预算数4850万元，{adjusted}380.6万元，调整后预算数5230.6万元。") == []


@pytest.mark.parametrize("sentence", [
    "2024年“三公”经费支出17.23万元，2023年“三公”经费支出18.7万元，比上年下降8.5%。",
    "2023年“三公”经费支出18.7万元，2024年“三公”经费支出17.23万元，比上年下降8.5%。",
    "2024年“三公”经费支出17.23万元，2023年支出18.7万元，比上年下降8.5%。",
])
def test_a_change_between_two_years_named_by_their_years(sentence):
    """Both years written as years, not "上年" (trial G): (17.23 − 18.7) ÷ 18.7 is a fall of 7.86 %, not 8.5 %."""
    (found,) = _findings(sentence)
    assert found.code == "T110" and "(17.23万元 − 18.7万元) ÷ 18.7万元 应为 下降 7.86%，报告写 下降 8.5%" in found.message
    assert _findings(sentence.replace("8.5%", "7.86%")) == []


def test_two_different_figures_of_two_years_are_no_change():
    """A budget of one year and the spending of the other are not one figure's change: nothing is said."""
    assert _findings("2024年“三公”经费预算数17万元，2023年决算数18.7万元，比上年下降8.5%。") == []
