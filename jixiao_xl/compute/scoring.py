"""Every number the forms define, as pure functions of plain values.

Sources are cited in each function; see ``docs`` of the rules for the checks
built on them.  Rates are fractions (1.0 = 100%).
"""

from __future__ import annotations

from .targets import Scoring, judge
from ..read.values import round2

__all__ = ["Scoring", "ratio", "round2", "exec_rate", "exec_score", "grade", "indicator_score"]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, None when either is blank or the denominator is not positive."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


# ------------------------------------------------------------ execution rate


def exec_rate(full_budget: float | None, executed: float | None) -> float | None:
    """执行率 = 全年执行数 ÷ 全年预算数 (年初 does not enter) [MOF pmkpi platform]."""
    return ratio(0.0 if executed is None else executed, full_budget)


def exec_score(rate: float | None, weight: float | None, mode: str = "proportional") -> float:
    """执行率得分.

    proportional (default): 分值 × min(执行率, 1), 2 decimals [platform "预算执行率*10"].
    jiangxi: 100% → 分值, [80%,100%) → 70%, [60%,80%) → 50%, below → 0 [Jiangxi platform].
    """
    if rate is None or not weight:
        return 0.0
    rate = max(rate, 0.0)
    if mode == "jiangxi":
        if rate >= 1.0 - 1e-9:
            share = 1.0
        elif rate >= 0.8:
            share = 0.7
        elif rate >= 0.6:
            share = 0.5
        else:
            share = 0.0
        return round2(weight * share)
    return round2(weight * min(rate, 1.0))


def grade(total: float | None) -> str | None:
    """优 ≥ 90, 良 [80, 90), 中 [60, 80), 差 < 60 on the total rounded to 2 decimals [财预〔2020〕10号]."""
    if total is None:
        return None
    total = round2(total)
    if total >= 90:
        return "优"
    if total >= 80:
        return "良"
    if total >= 60:
        return "中"
    return "差"


# ------------------------------------------------------------ indicator targets


def indicator_score(target: object, actual: object, weight: float | None, scoring: Scoring = Scoring(), *,
                    level1: str = "", level2: str = "", name: str = "", percent: bool | None = None,
                    year: int | None = None) -> float | None:
    """Expected 得分 of a quantitative indicator, None when the row cannot be scored by rule.

    The texts are read by ``targets.judge`` (the one parser of indicator values): a
    met target gets the weight; a missed one the platform's score [MOF platform;
    财预〔2020〕10号 第十四条]; a compound target the mean of its parts' scores.
    """
    if weight is None:
        return None
    judgement = judge(target, actual, weight, level1=level1, level2=level2, name=name, scoring=scoring,
                      percent=percent, year=year)
    return judgement.expected
