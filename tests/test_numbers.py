"""Numbers the mutation run (benchmarks/mutate.py, docs/mutation.md) found no test watching."""

from __future__ import annotations

import pytest

from jixiao_xl.rules.base import r2, r4
from jixiao_xl.targets import judge, read_text

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
