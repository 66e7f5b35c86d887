"""Numbers the mutation run (benchmarks/mutate.py, docs/mutation.md) found no test watching."""

from __future__ import annotations

import pytest

from jixiao_xl.rules.base import r2, r4
from jixiao_xl.compute.targets import judge, read_text

from .helpers import by_code, check_specs, clean_seed, set_cells


@pytest.mark.parametrize("target, actual, met", [
    ("2023年第一季度前完成", "2023年3月完成", True), ("2023年第一季度前完成", "2023年4月完成", False),
    ("2023年第二季度前完成", "2023年6月完成", True), ("2023年第二季度前完成", "2023年7月完成", False),
    ("2023年第三季度前完成", "2023年9月完成", True), ("2023年第三季度前完成", "2023年10月完成", False),
    ("2023年上半年前完成", "2023年6月完成", True), ("2023年上半年前完成", "2023年7月完成", False),
    ("2023年下半年前完成", "2023年12月完成", True), ("2023年下半年前完成", "2024年1月完成", False),
    ("48小时内办结", "2天办结", True), ("48小时内办结", "49小时办结", False), ("2周内完成", "14天完成", True),
    ("2周内完成", "15天完成", False), ("2023年2月底前完成", "2023年2月28日完成", True),
    ("2023年2月底前完成", "2023年3月10日完成", False), ("≥100本", "完成120册", True), ("≥100本", "完成90册", False),
])
def test_deadline_and_time_units_at_their_edges(target, actual, met):
    assert judge(target, actual, 10, level2="时效指标").met is met


def test_thousands_in_a_range():
    assert "；".join(p.shown() for p in read_text("1千至2千人").parts) == "1000–2000 人"


def test_values_go_into_findings_at_two_and_four_decimals():
    assert r2(8.947368) == 8.95 and r2(None) is None
    assert r4(0.962962963) == 0.963 and r4(1.04938) == 1.0494 and r4(None) is None


def _scored_zero(executed: float) -> dict:
    """附件3 executed at ``executed`` of 83, one 10-point indicator of 90 points scored 0 (score rate 80/90)."""
    rate = executed / 83
    return {"附件3!E6": executed, "附件3!E7": executed, "附件3!G6": rate, "附件3!H6": 10 * rate,
            "附件3!H13": 0, "附件3!I13": "未建设"}


def test_a_zero_indicator_score_counts_as_zero_in_the_score_gap():
    """E107: indicators at 80/90 = 88.89% against 执行率; a gap above 5 points is reported.  Counting the 0 as
    anything more (81/90 = 90%) would report 84.5%."""
    assert by_code(check_specs(set_cells(clean_seed(), _scored_zero(83 * 0.845))), "E107") == []
    assert by_code(check_specs(set_cells(clean_seed(), _scored_zero(83 * 0.835))), "E107")


def _message(edits: dict, code: str, cell: str) -> str:
    found = [f for f in by_code(check_specs(set_cells(clean_seed(), edits)), code) if f.cell == cell]
    assert len(found) == 1, [f.message for f in found]
    return found[0].message


def test_a_sum_without_a_repair_shows_its_parts_with_blanks_as_zero():
    """No repair without a negative amount: B110 shows the sum as computed, 出国经费 (blank) as 0."""
    assert _message({"附件1!D6": -30, "附件1!D7": -20, "附件1!D9": -20, "附件1!D11": 0}, "B110", "D6").endswith(
        "= -20 + 0 + 0 = -20，现填 -30")


def test_a_blamed_cell_names_the_other_sum_it_also_repairs_and_no_other():
    """The seed's 公务用车 17: fixing it also makes 三公 add up; a failing 县级专项资金 sum elsewhere in the column
    is not part of that note."""
    message = _message({"附件1!B7": 17, "附件1!B16": 250}, "B111", "B7")
    assert message.endswith("现填 17（改正后“三公”经费 17 = 9 + 0 + 8 也相符）"), message


def test_alternative_repairs_list_two_and_count_the_rest():
    message = _message({"附件1!B16": 250}, "B113", "B15")
    assert message.endswith("现填 332；同样只改一处也能相符的还有：司法局专项（B16）应为 256；人民调解（B17）应为 13 等 5 种改法，"
                            "请核对究竟哪一处填错"), message


def test_executed_blank_names_only_what_was_typed():
    """E109 with the rate typed and the score left blank lists the rate alone."""
    message = _message({"附件3!E6": None, "附件3!E7": None, "附件3!H6": None}, "E109", "E6")
    assert "但已填写执行率 100.00%：" in message, message


def test_executed_blank_names_the_score_alone():
    message = _message({"附件3!E6": None, "附件3!E7": None, "附件3!G6": None}, "E109", "E6")
    assert "但已填写得分 10：" in message, message


def test_exec_score_shows_weight_times_rate():
    message = _message({"附件3!E6": 63.08, "附件3!E7": 63.08, "附件3!G6": 0.76}, "E104", "H6")
    assert message.endswith("执行率得分应为 分值 × 执行率 = 10 × 76.00% = 7.6，现填 10"), message


def test_fund_breakdown_note_counts_blank_sources_as_zero():
    message = _message({"附件2!B7": "其中：一般公共预算：1700"}, "F101", "B7")
    assert message.endswith("（改正后 按收入性质分 1762.55 = 一般公共预算 + 政府性基金拨款 + 纳入专户管理的非税收入拨款 + 其他资金 "
                            "= 1762.55 + 0 + 0 + 0）"), message


def test_fund_breakdown_lists_two_of_three_alternatives():
    """Four typed sources 30 short: any one of them could be the typo; the message names two others."""
    message = _message({"附件2!B7": "其中：一般公共预算：1700", "附件2!B8": "政府性基金拨款：10",
                        "附件2!B9": "纳入专户管理的非税收入拨款：10", "附件2!B10": "其他资金：10"}, "F101", "B7")
    assert message.endswith("；同样只改1处也能相符的还有：政府性基金拨款（B8）应为 42.55；纳入专户管理的非税收入拨款（B9）应为 42.55，"
                            "请核对究竟哪一处填错"), message


def test_qualitative_band_shows_its_range():
    message = _message({"附件2!H17": 5, "附件2!I17": "有待提高"}, "I105", "H17")
    assert message.endswith("得分应在 8–10 之间，现为 5"), message


def test_profile_weights_say_what_the_profile_wants():
    report = check_specs(clean_seed(), "national")
    messages = {f.cell: f.message for f in by_code(report, "W105") if f.sheet == "附件2"}
    assert messages["B14"].endswith("产出指标为 30 分，按全国（财预〔2020〕10号）口径应为 50 分"), messages
    assert messages["B22"].endswith("成本指标为 20 分，全国（财预〔2020〕10号）口径中没有“成本指标”这一项一级指标"), messages


def test_unread_level_weight_names_the_level():
    message = _message({"附件2!B22": "其他指标"}, "S001", "B22")
    assert message.endswith("读不出一级指标“其他指标”的分值（表头写作如“其他指标(30分)”），该指标的分值合计没有校验"), message


@pytest.mark.parametrize("count, shown", [(12, "B6、B7、B8、B9、B10、B11、B12、B13、B14、B15、B16、B17 是公式"),
                                          (13, "B6、B7、B8、B9、B10、B11、B12、B13、B14、B15、B16、B17 等 13 个 是公式")])
def test_formulas_without_results_list_twelve_cells(count, shown):
    uncached = [f"B{r}" for r in range(6, 6 + count)]
    found = by_code(check_specs(set_cells(clean_seed(), {"uncached:附件1": uncached})), "S002")
    assert len(found) == 1 and shown in found[0].message, [f.message for f in found]


def test_adjustment_sum_names_the_adjustment_column():
    message = _message({"附件2!I4": "调整预算数", "附件2!I5": 500}, "E108", "D5")
    assert message.endswith("全年预算数应为 年初预算数 + 调整预算数 = 1238.36 + 500 = 1738.36，现填 1762.55"), message


_FIVE_SPECIALS = {f"附件1!{c}{r}": None for c in "ABCD" for r in range(21, 25)}  # 专项 rows 16–20 left
_FOUR_SPECIALS = {**_FIVE_SPECIALS, "附件1!A20": None, "附件1!B20": None, "附件1!C20": None, "附件1!D20": None}


@pytest.mark.parametrize("edits, shown", [
    ({**_FIVE_SPECIALS, "附件1!B16": 250}, "县级专项资金应为 下列 5 行之和 = 326，现填 332"),
    ({**_FOUR_SPECIALS, "附件1!B15": 318, "附件1!B16": 250},
     "县级专项资金应为 司法局专项 + 人民调解 + 特殊人群收治中心 + 政府购买社区矫正服务及社区矫正经费 = 250 + 7 + 10 + 45 = 312，现填 318"),
    ({**_FIVE_SPECIALS, "附件1!B15": 273, "附件1!B16": 250, "附件1!B19": None, "附件1!B20": None},
     "人民调解（B17）应为 13 等 3 种改法，请核对"),
    ({**_FIVE_SPECIALS, "附件1!B15": 263, "附件1!B16": 250, "附件1!B18": None, "附件1!B19": None, "附件1!B20": None},
     "司法局专项（B16）应为 256；人民调解（B17）应为 13，请核对"),
], ids=["five-items-summed", "four-items-itemised", "three-alternatives-counted", "two-alternatives-named"])
def test_special_sum_shows_items_and_alternatives(edits, shown):
    """B113 spells a sum of up to four items out and summarises five or more; it names two other one-cell
    repairs and counts them when there are more than two."""
    message = _message(edits, "B113", "B15")
    assert shown in message, message


def test_form_recognised_by_labels_names_six_of_them():
    found = by_code(check_specs(set_cells(clean_seed(), {"附件2!A2": None})), "S003")
    assert [f.message for f in found] == [
        "[附件2] 表格标题：没有找到表格标题，根据栏目（预算部门名称、年度资金总额、年初预算数、全年预算数、全年执行数、按收入性质分 等）"
        "判断为 附件2 部门整体支出绩效自评表"]
