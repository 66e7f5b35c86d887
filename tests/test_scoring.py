"""Execution score, indicator scoring and grades: examples from the spec and properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, strategies as st

from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.compute.scoring import Scoring, exec_rate, exec_score, grade, indicator_score
from jixiao_xl.compute.targets import judge, read_text, score_part


def test_exec_rate_uses_full_year_budget_not_initial():
    assert exec_rate(1762.55, 1762.55) == 1.0
    assert exec_rate(0, 10) is None
    assert exec_rate(None, 10) is None


@pytest.mark.parametrize("rate, score", [(0.76, 7.6), (1.0, 10), (1.2, 10), (0.0, 0), (None, 0)])
def test_exec_score_proportional(rate, score):
    assert exec_score(rate, 10) == score


@pytest.mark.parametrize("rate, score", [(1.0, 10), (0.99, 7), (0.8, 7), (0.79, 5), (0.6, 5), (0.59, 0),
                                         (0.99995, 10), (0.99994, 7), (0.79995, 7), (0.79994, 5), (-0.1, 0)])
def test_exec_score_jiangxi_intervals(rate, score):
    """江西's bands, each chosen on the rate shown to two decimals of a percent (99.995 % shows 100.00 %)."""
    assert exec_score(rate, 10, get_profile("jiangxi").score_bands) == score


@pytest.mark.parametrize("total, letter", [(99, "优"), (90, "优"), (89.995, "优"), (89.994, "良"), (80, "良"),
                                           (79.99, "中"), (60, "中"), (59.99, "差"), (None, None)])
def test_grade_bands(total, letter):
    assert grade(total) == letter


@pytest.mark.parametrize("target, actual, weight, score", [
    ("≥95%", "98%", 10, 10),
    ("≥95%", "85%", 10, 8.95),
    ("＞＝90%", "85%", 10, 9.44),
    ("=0起", "0起", 5, 5),
    ("=0起", "2起", 5, 0),
    ("≤30天", "30天", 10, 10),
    ("≤30天", "45天", 10, 5),
    ("≤30天", "60天", 10, 0),
    ("95%以上", "90%", 10, 9.47),
    ("5次法治宣传，2次学法考试", "组织法治宣传5次，组织学法考试2次", 10, 10),
    ("5次法治宣传，2次学法考试", "组织法治宣传5次，组织学法考试1次", 10, 7.5),
    ("预算控制内", "预算控制内", 10, None),
    ("2023年全年", "2023年全年", 10, None),
    ("≥95%", "全覆盖", 10, None),
])
def test_indicator_score_examples(target, actual, weight, score):
    assert indicator_score(target, actual, weight) == score


def test_hubei_reverse_mode():
    assert indicator_score("≤30天", "60天", 10, Scoring(reverse_mode="hubei")) == 5


def test_ambiguous_pairing_is_qualitative():
    assert judge("5次", "第1次3次，第2次4次", 10).met is None
    assert read_text("12.4全国法制宣传日").parts == ()


# ------------------------------------------------------------ properties

positive = st.floats(min_value=0.01, max_value=10_000, allow_nan=False)
weights = st.sampled_from([1, 2, 5, 10, 15, 20, 30])
ops = st.sampled_from([">=", "=", "<="])


def score_quantity(op: str, a: float, b: float, w: float) -> float | None:
    return score_part(op, a, b, w, Scoring(), explicit_eq=op == "=")[1]


@given(ops, positive, st.floats(min_value=-100, max_value=100_000, allow_nan=False), weights)
def test_property_score_never_above_weight_nor_below_zero(op, a, b, w):
    score = score_quantity(op, a, b, w)
    assert 0 <= score <= w


@given(positive, positive, positive, weights)
def test_property_positive_score_monotone_in_completion(a, b1, b2, w):
    low, high = sorted((b1, b2))
    assert score_quantity(">=", a, low, w) <= score_quantity(">=", a, high, w)


@given(positive, positive, positive, weights)
def test_property_reverse_score_antitone_in_actual(a, b1, b2, w):
    low, high = sorted((b1, b2))
    assert score_quantity("<=", a, low, w) >= score_quantity("<=", a, high, w)


@given(positive, positive, weights)
def test_property_met_target_gets_full_marks(a, extra, w):
    assert score_quantity(">=", a, a + extra, w) == w
    assert score_quantity("<=", a, max(a - extra, 0), w) == w


@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=5000), weights)
def test_property_text_scoring_matches_quantity_scoring(a, b, w):
    assume(a > 0)
    assert indicator_score(f"≥{a}件", f"完成{b}件", w) == score_quantity(">=", a, b, w)


@given(st.floats(min_value=0, max_value=2, allow_nan=False), weights)
def test_property_exec_score_bounded_and_monotone(rate, w):
    score = exec_score(rate, w)
    assert 0 <= score <= w
    assert exec_score(min(rate + 0.05, 2), w) >= score
