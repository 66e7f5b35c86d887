"""Reading 年度指标值 / 实际完成值: the parser, the issue's cases on real files, and properties."""

from __future__ import annotations

import time

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from jixiao_xl.rules.check import check_path
from jixiao_xl.compute.readings import _UNIT_TABLE, parse_target, read_actual, read_text
from jixiao_xl.compute.targets import judge

from .helpers import by_code, check_file, clean_seed, set_cells


def shown(text: str) -> str:
    return "；".join(p.shown() for p in read_text(text).parts)


# ------------------------------------------------------------------ vocabulary


@pytest.mark.parametrize("text, reading", [
    ("≥95%", "≥ 95%"), ("＞＝90%", "≥ 90%"), ("＞90%", "> 90%"), ("＜5%", "< 5%"), ("≤30天", "≤ 30 天"),
    ("=0起", "= 0 起"), ("不低于95%", "≥ 95%"), ("不少于200人次", "≥ 200 人次"), ("不小于3个", "≥ 3 个"),
    ("不高于5%", "≤ 5%"), ("不超过83万元", "≤ 83 万元"), ("不大于2%", "≤ 2%"), ("95%以上", "≥ 95%"),
    ("5%以下", "≤ 5%"), ("83万元以内", "≤ 83 万元"), ("30个工作日内办结", "≤ 30 个工作日"),
    ("5日之内", "≤ 5 日"), ("约50人", "约 50 人"), ("控制在83万元以内", "≤ 83 万元"),
    ("较上年提高5%", "较上年 ≥ 5%"), ("同比增长10%", "较上年 ≥ 10%"), ("较上年下降3%", "较上年 ≤ -3%"),
    ("比上年减少2个百分点", "较上年 ≤ -2 个百分点"), ("增长率≥5%", "≥ 5%"), ("下降率≥5%", "≥ 5%"),
    ("两个工作日内", "≤ 2 个工作日"), ("开展培训三十次", "30 次"), ("一百二十人", "120 人"),
    ("百分之九十五", "95%"), ("１，２００人", "1200 人"), ("830,000元", "830000 元"), ("1.2万人次", "12000 人次"),
    ("-2%", "-2%"), ("−2%", "-2%"), ("90%-100%", "90–100%"), ("10天至15天", "10–15 天"), ("5‰", "5‰"),
    ("≥2.5亿元", "≥ 2.5 亿元"), ("≥400元/人", "≥ 400 元/人"), ("4次/年", "4 次"), ("≤104萬元", "≤ 104 万元"),
    ("≥90分", "≥ 90 分"), ("≥100百分比", "≥ 100%"),
])
def test_reading_vocabulary(text, reading):
    assert shown(text) == reading


def test_permille_converts_to_percent():
    (part,) = read_text("5‰").parts
    assert part.family == "percent" and part.value == pytest.approx(0.5)


@pytest.mark.parametrize("text, when, deadline", [
    ("2023年12月底前完成", "2023年12月底", True), ("12月31日前", "12月31日", True), ("截至2023年11月", "2023年11月", True),
    ("年底前", "年底", True), ("上半年", "上半年", False), ("2023.11", "2023.11", False), ("6月之前", "6月", True),
    ("二〇二三年十二月底前", "2023年十二月底", True),
])
def test_reading_dates(text, when, deadline):
    (part,) = read_text(text).parts
    assert (part.when.text, part.deadline) == (when, deadline)


@pytest.mark.parametrize("text", ["预算控制内", "有所改善", "12.4全国法制宣传日", "第1次会议", "统一标准", "一次性补助",
                                  "三公经费", "按时完成", "", "—"])
def test_text_without_a_comparable_number_is_qualitative(text):
    assert parse_target(text).parts == ()


def test_period_counts_are_shown_with_the_year():
    assert judge("每季度开展1次", "全年开展3次", 5, level2="数量指标").explain() == (
        "读作：每季度 ≥ 1 次（全年 4 次）；实际 3 次，未完成")


def test_target_and_actual_cells_formatted_as_percent():
    judged = judge(0.95, 0.9, 10, level2="质量指标", percent=True, target_percent=True)
    assert (judged.met, judged.expected) == (False, 9.47)  # 90 ÷ 95 × 10
    assert judged.explain() == "读作：≥ 95%；实际 90%，未完成"


def test_a_number_cell_formatted_as_percent_is_a_percentage():
    assert read_actual(0.85, percent=True).parts[0].value == pytest.approx(85)
    assert read_actual(0.85, percent=False).bare


# ------------------------------------------------------------------ judging


@pytest.mark.parametrize("target, actual, level2, name, met, expected", [
    ("30个工作日内办结", "平均25个工作日办结", "时效指标", "办结时限", True, 5),
    ("5日内办结", "平均8日办结", "时效指标", "办结时限", False, 2),  # (1 − 3/5) × 5
    ("5天", "平均8天", "时效指标", "办结时限", False, 2),  # no comparator: a time limit is lower-is-better
    ("2023年12月底前完成", "2023年11月完成", "时效指标", "完成时间", True, 5),
    ("2023年6月底前完成", "2023年9月完成", "时效指标", "完成时间", False, None),
    ("12月31日前", "按期完成", "时效指标", "完成时间", True, 5),
    ("12月31日前", "因疫情延期", "时效指标", "完成时间", False, None),
    ("83万元", "80万元", "经济成本指标", "项目成本", True, 5),
    ("83万元", "90万元", "经济成本指标", "项目成本", False, 4.58),  # (1 − 7/83) × 5
    ("≤83万元", "830,000元", "经济成本指标", "项目成本", True, 5),
    ("开展培训2次，开展宣传5次", "开展宣传5次，开展培训2次", "数量指标", "活动次数", True, 5),
    ("开展培训2次，开展宣传5次", "开展宣传5次，开展培训1次", "数量指标", "活动次数", False, 3.75),
    ("≥90分", "85.5分", "服务对象满意度指标", "满意度", False, 4.75),
    ("≤-2%", "-3%", "经济效益指标", "能耗变化", True, 5),
    ("较上年下降5%", "同比下降6%", "生态效益指标", "能耗", True, 5),
    ("较上年提高5%", "较上年提高3%", "经济效益指标", "收入", False, 3),
    ("≥95%", "98%", "质量指标", "合格率", True, 5),
    ("100%", "97%", "", "公用经费控制率", True, 5),  # 控制率: lower is better
    ("100%", "97%", "", "投诉举报处置率", False, 4.85),  # 处置率 is higher-is-better although it names 投诉
    ("约50人", "48人", "数量指标", "培训人数", True, 5),
    ("90%-100%", "95%", "质量指标", "达标率", True, 5),
    ("2023年完成培训200人次", "全年培训210人次", "数量指标", "培训人次", True, 5),  # the year is context
    ("≥2次/年", "每季度1次", "数量指标", "检查次数", True, 5),  # per period: counted over the year
    ("≥12次", "每月1次", "数量指标", "例会次数", True, 5),
    ("每季度开展1次", "全年开展3次", "数量指标", "督查次数", False, 3.75),
    ("月均≥100件", "全年办理1300件", "数量指标", "办件量", True, 5),
    ("≥0.95", "97%", "质量指标", "合格率", True, 5),  # a fraction against a percentage
    ("100%", "90%", "时效指标", "时限", False, 4.5),  # a share in a 时效 row: higher is better
    ("及时率100%", "及时率98%", "时效指标", "完成时限", False, 4.9),
    ("按时完成", "延期完成", "时效指标", "完成时间", False, None),
    ("12月底前", "次年1月", "时效指标", "完成时间", False, None),
    ("≥90%", "未达标", "质量指标", "合格率", False, None),  # a miss written in words
    ("≥200人次", "尚未完成", "数量指标", "培训人次", False, None),
    ("≤83万元", "83万", "经济成本指标", "项目成本", True, 5),
    ("≤83万元", "¥830,000.00", "经济成本指标", "项目成本", True, 5),
    ("300天", "310天", "时效指标", "全年开放天数", True, 5),  # a duration that is better longer
    ("50件", "60件", "数量指标", "投诉处理件数", True, 5),  # handling complaints: more is better
    ("5次", "3次", "社会效益指标", "安全事故发生数", True, 5),
])
def test_judge(target, actual, level2, name, met, expected):
    judged = judge(target, actual, 5, level2=level2, name=name)
    assert (judged.met, judged.expected) == (met, expected), judged.explain()


@pytest.mark.parametrize("target, actual, why", [
    ("≥95%", "全覆盖", "完成值没有可比较的数字或日期"),
    ("≥200人次", "培训180人", "单位"),
    ("5次，2次", "3次，2次", "无法按项对应"),
    ("≤1%", 0.5, "无法判断是 50% 还是 0.5%"),  # a bare 0.5 against a small percentage
    ("1-6期培训结束后及时考核", "1-2期未能及时培训", "无法判断"),
    ("100", "90", "按相等判断"),  # no comparator, no category: only equality can be judged
    ("≤100万元", "1000000", "单位可能不同"),  # a bare number a thousandfold off is in another unit
])
def test_what_cannot_be_decided_is_qualitative_with_a_reason(target, actual, why):
    judged = judge(target, actual, 10)
    assert judged.met is None and judged.expected is None
    assert why in judged.explain(), judged.explain()


@pytest.mark.parametrize("target, actual, level2, name", [
    ("5%", "8%", "经济成本指标", "节支率"),  # a percentage in a 成本 row may be better higher
    ("100%", "95%", "经济成本指标", "预算执行率"),
])
def test_cost_rows_only_take_amounts_as_lower_is_better(target, actual, level2, name):
    judged = judge(target, actual, 10, level2=level2, name=name)
    assert judged.met is None and judged.expected is None
    assert "成本指标中的非金额" in judged.why


def test_reading_explains_both_sides():
    judged = judge("30个工作日内办结", "平均25个工作日办结", 5, level2="时效指标")
    assert judged.explain() == "读作：≤ 30 个工作日；实际 25 个工作日，已完成"


# ------------------------------------------------------------------ the cases on real files


def _check(tmp_path, edits: dict, fmt: dict | None = None):
    specs = set_cells(clean_seed(), edits)
    if not fmt:
        return check_file(tmp_path, specs)
    path = tmp_path / "formatted.xlsx"
    from .samples import write_xlsx

    write_xlsx(path, specs)
    book = openpyxl.load_workbook(path)
    for key, code in fmt.items():
        sheet, cell = key.split("!")
        book[sheet][cell].number_format = code
    book.save(path)
    return check_path(str(path))


def _errors(report):
    return [(f.code, f.cell, f.expected, f.found) for f in report.all_findings() if f.severity == "error"
            and f.sheet == "附件2"]


def test_time_limit_met_is_not_an_error(tmp_path):
    report = _check(tmp_path, {"附件2!E16": "30个工作日内办结", "附件2!F16": "平均25个工作日办结", "附件2!G16": 5,
                               "附件2!H16": 5, "附件2!G14": 15, "附件2!H14": 15})
    assert _errors(report) == []


def test_time_limit_exceeded_at_full_marks_is_reported_with_the_reading(tmp_path):
    report = _check(tmp_path, {"附件2!E16": "5日内办结", "附件2!F16": "平均8日办结"})
    (finding,) = by_code(report, "I103")
    assert (finding.cell, finding.expected, finding.found) == ("H16", 4.0, 10.0)  # (1 − 3/5) × 10
    assert "读作：≤ 5 日；实际 8 日，未完成" in finding.message
    assert "最多得 4 分，现填 10" in finding.message


def test_deadline_met_is_not_read_as_quantities(tmp_path):
    report = _check(tmp_path, {"附件2!E16": "2023年12月底前完成", "附件2!F16": "2023年11月完成"})
    assert _errors(report) == [] and not by_code(report, "I109")


def test_cost_amount_lower_is_better(tmp_path):
    full = {"附件2!H22": 10, "附件2!H25": 100}
    under = _check(tmp_path, {"附件2!E22": "83万元", "附件2!F22": "80万元", **full})
    assert _errors(under) == []
    over = _check(tmp_path, {"附件2!E22": "83万元", "附件2!F22": "90万元", **full})
    assert _errors(over) == [("I103", "H22", 9.16, 10.0)]  # (1 − 7/83) × 10


def test_compound_target_pairs_by_noun_not_position(tmp_path):
    edits = {"附件2!E14": "开展培训2次，开展普法宣传5次"}
    assert _errors(_check(tmp_path, {**edits, "附件2!F14": "开展普法宣传5次，开展培训2次"})) == []
    short = _check(tmp_path, {**edits, "附件2!F14": "开展普法宣传5次，开展培训1次"})
    assert _errors(short) == [("I103", "H14", 7.5, 10.0)]


def test_minus_sign_and_score_unit(tmp_path):
    report = _check(tmp_path, {"附件2!E21": "≥90分", "附件2!F21": "85.5分"})
    assert _errors(report) == [("I103", "H21", 9.5, 10.0)]
    report = _check(tmp_path, {"附件2!E20": "≤-2%", "附件2!F20": "-3%"})
    assert _errors(report) == []
    report = _check(tmp_path, {"附件2!E20": "≤-2%", "附件2!F20": "-1%"})
    (finding,) = by_code(report, "I108")  # missed, and no proportional score exists below zero
    assert finding.cell == "H20" and finding.found == 5.0


def test_number_formatted_as_percent_against_percent_target(tmp_path):
    report = _check(tmp_path, {"附件2!F21": 0.85}, fmt={"附件2!F21": "0%"})
    assert _errors(report) == [("I103", "H21", 8.95, 10.0)]  # 85 ÷ 95 × 10
    (finding,) = by_code(report, "I103")
    assert "完成值“85%”" in finding.message  # as the user sees the cell, not 0.85


def test_target_cell_formatted_as_percent(tmp_path):
    report = _check(tmp_path, {"附件2!E21": 0.95, "附件2!F21": 0.9}, fmt={"附件2!E21": "0%", "附件2!F21": "0%"})
    assert _errors(report) == [("I103", "H21", 9.47, 10.0)]  # 90 ÷ 95 × 10
    assert not by_code(report, "I104")


def test_on_time_target_late_actual_at_full_marks(tmp_path):
    report = _check(tmp_path, {"附件2!E16": "按时完成", "附件2!F16": "延期完成"})
    (finding,) = by_code(report, "I108")
    assert finding.cell == "H16"
    assert "读作：按时完成；实际 延期完成，未完成，却得了满分 10" in finding.message


def test_stated_rate_accepted_at_the_precision_typed(tmp_path):
    edits = {"附件2!D5": 1000, "附件2!E5": 944.4}  # 执行率 = 944.4 ÷ 1000 = 94.44%
    ok = _check(tmp_path, {**edits, "附件2!G5": "94.4%"})
    assert not by_code(ok, "E101")
    wrong = _check(tmp_path, {**edits, "附件2!G5": "94.3%"})
    (finding,) = by_code(wrong, "E101")
    assert (finding.expected, finding.found) == (0.9444, 0.943)


# ------------------------------------------------------------------ bad input and properties


def test_huge_and_hostile_cells_are_fast_and_qualitative():
    for text in ("8" * 100_000, "≥" * 100_000, "1." * 50_000, "较上年提高" * 20_000, "2023年12月" * 10_000,
                 ("1" * 399) + "万元", "约" * 399):
        start = time.perf_counter()
        judged = judge(text, text, 10)
        assert time.perf_counter() - start < 0.05
        assert judged.expected in (None, 10)


_OPS = ["≥", "≤", ">", "<", "=", "不低于", "不少于", "不小于", "不高于", "不超过", "不大于", "＞＝", "＜＝", ""]
_UNITS = ["%", "人", "人次", "次", "件", "万元", "元", "天", "个工作日", "亩", "分", "场", "户"]


@given(st.sampled_from(_OPS), st.integers(min_value=0, max_value=100_000), st.sampled_from(_UNITS),
       st.sampled_from(["", " ", "\u3000"]), st.booleans())
def test_property_op_number_unit_read_back(op, number, unit, space, fullwidth):
    text = f"{op}{space}{number}{space}{unit}"
    if fullwidth:
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789%<>="})
    (part,) = read_text(text).parts
    factor = _UNIT_TABLE[unit][1]
    assert part.value == pytest.approx(number * factor)
    assert part.unit == unit


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("0123456789.-%≥≤<>=，,、；约以上下内前年月日底万元人次个工作天分较上年提高下降（）() ")),
               max_size=60),
       st.text(max_size=40), st.one_of(st.none(), st.floats(allow_nan=True), st.integers()))
def test_property_judge_never_raises_and_never_scores_above_weight(target, actual, weight):
    judged = judge(target, actual, weight)
    if judged.expected is not None and weight is not None and weight == weight:
        assert judged.expected - max(weight, 0) <= 1e-9 * max(1.0, abs(weight))


@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_property_met_counts_get_full_marks_and_misses_proportional(a, b):
    judged = judge(f"≥{a}人次", f"实际完成{b}人次", 10)
    assert judged.met is (b >= a)
    assert judged.expected == (10 if b >= a else round(b / a * 10 + 1e-9, 2))


@pytest.mark.parametrize("target, actual, year, met", [
    ("12月底前完成", "2024年1月10日完成", 2023, False),  # the form's year: late
    ("12月底前完成", "2024年1月10日完成", 2024, True),
    ("12月底前完成", "2024年1月10日完成", None, None),  # 2023's or 2024's deadline: not judged
    ("12月底前完成", "2023年12月20日完成", None, None),  # on time in 2023, but a 2022 form's would be late
    ("6月底前完成", "2024年8月完成", None, False),  # late whichever year the form is of
    ("次年3月底前完成", "2024年1月10日完成", None, True),  # on time whichever year
    ("2023年12月底前完成", "2024年1月10日完成", None, False),  # the deadline states its year
])
def test_a_deadline_without_a_year_falls_in_the_forms_year_or_is_not_judged(target, actual, year, met):
    judged = judge(target, actual, 10, level1="产出指标", level2="时效指标", name="完成时间", year=year)
    assert judged.met is met
    assert judged.expected == (10 if met else None)
    if met is None:
        assert "表上读不出年度" in judged.why and "期限“12月底”" in judged.why
        assert f"{int(actual[:4]) - 1} 年还是 {actual[:4]} 年" in judged.why


def test_an_approximate_target_says_the_allowance_it_took(tmp_path):
    """"约230件" is judged with the 5 % allowance the README states, and the message says so: against 200 件
    the score is 200 ÷ 218.5 × 10 = 9.15 (not 200 ÷ 230 × 10 = 8.70), and the reviewer can see why."""
    specs = set_cells(clean_seed(), {"附件2!D14": "办理法律援助案件", "附件2!E14": "约230件", "附件2!F14": "200件"})
    found = by_code(check_file(tmp_path, specs), "I103")
    assert [(f.cell, f.expected, f.found) for f in found] == [("H14", 9.15, 10.0)]
    assert "“约”数允许 5% 的出入，按 ≥ 218.5 件 判断" in found[0].message
    assert "实际 200 件，未完成" in found[0].message
    # within the allowance: met, full marks stand, and no message
    specs = set_cells(clean_seed(), {"附件2!D14": "办理法律援助案件", "附件2!E14": "约230件", "附件2!F14": "220件"})
    assert by_code(check_file(tmp_path, specs, name="met.xlsx"), "I103") == []
    # the message names whose scoring rule set the maximum (the workbook's province, as check chose it)
    assert "按湖南口径的计分规则最多得 9.15 分，现填 10" in found[0].message
