"""The wordings real 自评报告 use for the tables' figures (narrative/concepts.py's VERB_WORDINGS, BUDGET_TIMES), each
read in its published sentence and checked against the workbook the report describes (tests/report_pairs.py):
the report's figure is matched with the table's cell, a changed figure is an error naming that cell, and words
that could name something else leave the figure unchecked (an info), never an error."""

from __future__ import annotations

import pytest

from jixiao_xl.narrative import concepts as C
from jixiao_xl.narrative import extract as X
from jixiao_xl.narrative.checker import check_report

from . import report_pairs as R


def _check(tmp_path, name, old=None, new=None):
    doc = R.load(name)
    paragraphs = R.edited(doc["paragraphs"], old, new) if old else None
    document, workbook = R.pair(tmp_path, name, paragraphs)
    return check_report(document, [workbook])


def _bad(report):
    return [(f.code, f.cell, f.message) for f in report.findings if f.severity in ("error", "warning")]


def _label(sentence: str, figure: str) -> str:
    return next(q.label for q in X.quantities(X.normalise(sentence)) if q.text == figure)


# (wording, the published sentence, its figure, its source, the concept)
REAL = [
    ("共支出", "2024年共支出1211.89万元。其中，基本支出573.36万元，项目支出638.53万元。", "1211.89万元",
     ("沅陵县火场土家族乡人民政府2024年部门整体支出绩效自评报告 "
      "http://www.yuanling.gov.cn/yuanling/c108887/202508/25c4b7ca70e14ed0b3759b21f0455d66.shtml"), "executed"),
    ("实际执行", "（2）项目资金执行情况。实际执行2513万元，执行率100%。", "2513万元",
     ("云南省应急管理厅2020年度中央对地方转移支付预算执行绩效自评报告 "
      "http://yjglt.yn.gov.cn/html/2021/ysgk_0421/25860.html"), "executed"),
    ("年初…预算批复的总支出", "2019年初财政对我局预算批复的总支出为18531.47万元，预算批复基本支出为2411.77万元。",
     "18531.47万元", ("2019年度衡阳市住房和城乡建设局部门整体支出绩效自评报告 "
                      "https://www.hengyang.gov.cn/zjw/xxgk/czxx/20200610/i2057575.html"), "initial"),
]


@pytest.mark.parametrize("wording,sentence,figure,source,concept", REAL, ids=[r[0] for r in REAL])
def test_each_wording_names_its_figure_in_the_sentence_it_was_read_in(wording, sentence, figure, source, concept):
    assert C.amount_concept(_label(sentence, figure)) == (concept, True), source


@pytest.mark.parametrize("sentence,figure", [
    # 云南省应急管理厅 2021 (yjglt.yn.gov.cn/html/2022/ysgk_0401/25814.html): one fund's, words after the verb
    ("（2）项目资金执行情况。实际执行飞行经费9109.54万元，结余689.66万元，为中央补助资金。", "9109.54万元"),
    ("全年共支出培训费3万元。", "3万元"),
])
def test_a_verb_wording_followed_by_another_name_is_not_the_total(sentence, figure):
    assert C.amount_concept(_label(sentence, figure))[0] is None


def test_gong_zhichu_is_the_full_year_execution(tmp_path):
    """沅陵县火场乡 2024: "2024年共支出1211.89万元" was left unchecked (T302: "共支出" was no known wording)."""
    report = _check(tmp_path, "hunan_yuanling_huochang_2024")
    assert report.findings == []
    report = _check(tmp_path, "hunan_yuanling_huochang_2024", "2024年共支出1211.89万元。", "2024年共支出1221.89万元。")
    wrong = [(cell, m) for code, cell, m in _bad(report) if code == "T201"]  # and T101: its parts add up to 1211.89
    assert len(wrong) == 1 and wrong[0][0] == "第10段"
    assert "报告写 1221.89 万元，表中 [附件2] 年度资金总额 全年执行数 (E5) 为 1211.89 万元" in wrong[0][1]


def test_shiji_zhixing_is_the_full_year_execution(tmp_path):
    report = _check(tmp_path, "hunan_yuanling_huochang_2024", "2024年共支出1211.89万元。", "2024年实际执行1211.89万元。")
    assert [f for f in report.findings if f.code in ("T302", "T301")] == [] and _bad(report) == []
    report = _check(tmp_path, "hunan_yuanling_huochang_2024", "2024年共支出1211.89万元。", "2024年实际执行1112.89万元。")
    wrong = [m for code, _, m in _bad(report) if code == "T201"]
    assert len(wrong) == 1 and "报告写 1112.89 万元，表中 [附件2] 年度资金总额 全年执行数 (E5) 为 1211.89 万元" in wrong[0]


def test_a_verb_wording_before_another_name_stays_unchecked(tmp_path):
    report = _check(tmp_path, "hunan_yuanling_huochang_2024",
                    "2024年共支出1211.89万元。其中，基本支出573.36万元，项目支出638.53万元。", "2024年共支出培训费3万元。")
    assert _bad(report) == []
    assert any("共支出培训费3万元" in f.message for f in report.findings if f.code == "T302")


def test_the_budget_approved_at_the_start_of_the_year_is_the_initial_budget(tmp_path):
    """衡阳市住建局 2019: "2019年初…预算批复的总支出为18531.47万元" was T301 "表中没有支出总额的预算数", though
    附件2 C5 年初预算数 holds 18531.47."""
    report = _check(tmp_path, "hunan_hengyang_zhujian_2019")
    assert not any("总支出为 18531.47万元" in f.message for f in report.findings)
    report = _check(tmp_path, "hunan_hengyang_zhujian_2019", "预算批复的总支出为18531.47万元", "预算批复的总支出为18351.47万元")
    wrong = [(c, m) for c, _, m in _bad(report) if c == "T201"]
    assert len(wrong) == 1 and "报告写 18351.47 万元，表中 [附件2] 年度资金总额 年初预算数 (C5) 为 18531.47 万元" in wrong[0][1]


@pytest.mark.parametrize("figure,agrees", [("18531.47", True), ("4389.86", True), ("9999", False)])
def test_a_total_budget_not_said_to_be_initial_or_full_is_never_an_error(tmp_path, figure, agrees):
    """"预算批复的总支出" without 年初 or 全年: equal to either column is right; equal to neither, it is not known
    which it contradicts (an info)."""
    report = _check(tmp_path, "hunan_hengyang_zhujian_2019", "2019年初财政对我局预算批复的总支出为18531.47万元",
                    f"2019年财政对我局预算批复的总支出为{figure}万元")
    assert not any("总支出为 " in m for _, _, m in _bad(report))
    infos = [f.message for f in report.findings if f"总支出为 {figure}万元" in f.message and f.code == "T301"]
    if agrees:
        assert infos == []
    else:
        assert len(infos) == 1 and infos[0].startswith("[报告] 第7段") and "与表中年初预算数、全年预算数都不同（[附件2] 年度资金总额 年初预算数 (C5) 为 18531.47 万元、" \
            "[附件2] 年度资金总额 全年预算数 (D5) 为 4389.86 万元），报告没有写明是年初预算还是全年预算" in infos[0]
