"""Every number the forms define, as pure functions of plain values.

Sources are cited in each function; see ``docs`` of the rules for the checks
built on them.  Rates are fractions (1.0 = 100%).
"""

from __future__ import annotations

import math

from .targets import Scoring, judge
from ..read.values import half_up, round2

__all__ = ["Scoring", "ratio", "round2", "exec_rate", "exec_score", "exec_band", "band_label", "rate_as_shown",
           "grade", "indicator_score"]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, None when either is blank or the denominator is not positive."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


# ------------------------------------------------------------ execution rate


def exec_rate(full_budget: float | None, executed: float | None) -> float | None:
    """执行率 = 全年执行数 ÷ 全年预算数 (年初 does not enter) [MOF pmkpi platform]."""
    return ratio(0.0 if executed is None else executed, full_budget)


Band = tuple[float, float]  # (the lowest 执行率 of the band, the share of the 分值 it scores)


def rate_as_shown(rate: float, decimals: int = 2) -> float:
    """A 执行率 rounded as a form prints it: ``decimals`` decimals of a percent, half away from zero as Excel's
    ROUND does (99.997 % → 100.00 %, 79.995 % → 80.00 %, though 0.79995 * 10000 is 7999.499999999999 in floating
    point; 8031.49 ÷ 10039.99 = 79.99499999502 % → 79.99 %) [spec §5: a rate is stated to 2 decimals]."""
    return math.copysign(half_up(abs(rate), decimals + 2), rate)


def exec_band(rate: float | None, bands: tuple[Band, ...], decimals: int = 2) -> int | None:
    """The index of the band (highest first) the 执行率 falls in, judged on the rate as the form shows it
    (``rate_as_shown``): the evaluator reads the band off the printed rate.  None without a rate or bands."""
    if rate is None or not bands:
        return None
    shown = rate_as_shown(max(rate, 0.0), decimals)
    for index, (lowest, _) in enumerate(bands):
        if shown >= lowest - 1e-12:
            return index
    return None  # below the lowest band: scores 0


def exec_score(rate: float | None, weight: float | None, bands: tuple[Band, ...] = (), decimals: int = 2) -> float:
    """执行率得分.

    No ``bands`` (proportional, the default): 分值 × min(执行率, 1), 2 decimals [platform "预算执行率*10"].
    ``bands`` (a banded profile's ``execution.bands``, 江西: 100 % → 分值, [80 %, 100 %) → 70 %, [60 %, 80 %) → 50 %,
    below → 0 [Jiangxi platform]): the share of the band the rate shown to ``decimals`` decimals of a percent
    falls in.
    """
    if rate is None or not weight:
        return 0.0
    rate = max(rate, 0.0)
    if bands:
        index = exec_band(rate, bands, decimals)
        return 0.0 if index is None else round2(weight * bands[index][1])
    return round2(weight * min(rate, 1.0))


def band_label(bands: tuple[Band, ...], index: int) -> str:
    """A band as people name it, from its numbers: "100%（含）以上", "80%（含）—100%", "60%以下"."""
    def pct(value: float) -> str:
        return f"{round(value * 100, 6):g}%"

    lowest = bands[index][0]
    if index == 0:
        return f"{pct(lowest)}（含）以上" if lowest > 0 else "全部"
    upper = bands[index - 1][0]
    if lowest <= 0:
        return f"{pct(upper)}以下"
    return f"{pct(lowest)}（含）—{pct(upper)}"


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
