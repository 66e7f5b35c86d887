"""Every number the forms define, as pure functions of plain values.

Sources are cited in each function; see ``docs`` of the rules for the checks
built on them.  Rates are fractions (1.0 = 100%).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from dataclasses import dataclass

from .values import nfkc


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, None when either is blank or the denominator is not positive."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def round2(value: float) -> float:
    """Round half away from zero to 2 decimals, as people and Excel's ROUND do (7.625 → 7.63)."""
    if value < 0:
        return -round2(-value)
    scaled = round(value * 100, 6)  # 7.625 * 100 is 762.4999999999999 in floating point
    return math.floor(scaled + 0.5) / 100


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

UNITS = (
    "万元", "元", "人次", "户次", "平方米", "公里", "小时", "个月", "%", "‰",
    "次", "件", "人", "个", "天", "日", "月", "周", "场", "份", "户", "家", "所", "项", "台", "套",
    "名", "册", "期", "篇", "条", "亩", "座", "处", "辆", "起", "例", "批", "本", "间", "张", "块",
    "km", "m²", "㎡", "m2", "吨",
)
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_QTY = re.compile(
    r"(?P<op>>=|<=|≥|≤|=|>|<|不低于|不少于|不小于|高于|大于|达到|低于|少于|不高于|不多于|不超过|不大于|小于)?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>" + _UNIT_RE + r")"
    r"(?P<suffix>以上|以下|以内|及以上|及以下)?"
)
_GE = {">=", "≥", "不低于", "不少于", "不小于", "达到", "以上", "及以上"}
_GT = {">", "高于", "大于"}
_LE = {"<=", "≤", "不高于", "不多于", "不超过", "不大于", "以下", "以内", "及以下"}
_LT = {"<", "低于", "少于", "小于"}


@dataclass(frozen=True)
class Quantity:
    op: str  # ">=" | "=" | "<=" ; a plain number counts as ">="
    value: float
    unit: str


def quantities(text: object) -> list[Quantity]:
    """Numbers with a unit in a target or actual text: "≥95%", "5次法治宣传，2次学法考试"."""
    if text is None:
        return []
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return [Quantity(">=", float(text), "")]
    return list(_quantities(str(text)))


@lru_cache(maxsize=8192)
def _quantities(text: str) -> tuple[Quantity, ...]:
    normalised = nfkc(text).replace(",", "").replace("＝", "=")
    found = []
    for match in _QTY.finditer(normalised):
        op_text = match.group("op") or match.group("suffix") or ""
        if op_text in _LE or op_text in _LT:
            op = "<="
        elif op_text == "=":
            op = "="
        else:
            op = ">="
        unit = match.group("unit")
        unit = {"㎡": "m²", "m2": "m²", "日": "天"}.get(unit, unit)
        found.append(Quantity(op, float(match.group("num")), unit))
    return tuple(found)


def _plain_number(text: object) -> float | None:
    from .values import NotANumber, to_number

    try:
        return to_number(text)
    except NotANumber:
        return None


def pair_quantities(target: object, actual: object) -> list[tuple[Quantity, float]] | None:
    """Pair each target quantity with the actual value of the same unit.

    None when the row is qualitative: no target quantity, or the pairing is
    ambiguous (a unit appears a different number of times on each side).
    """
    wanted = quantities(target)
    if not wanted:
        return None
    got = quantities(actual)
    if not got:
        number = _plain_number(actual)
        if number is None or len(wanted) != 1:
            return None
        if wanted[0].unit == "%" and abs(number) <= 3:
            number *= 100  # "0.98" typed for 98%
        return [(wanted[0], number)]
    pairs = []
    for unit in dict.fromkeys(q.unit for q in wanted):
        targets = [q for q in wanted if q.unit == unit]
        actuals = [q.value for q in got if q.unit == unit]
        if len(targets) != len(actuals):
            return None
        pairs.extend(zip(targets, actuals))
    return pairs


@dataclass(frozen=True)
class Scoring:
    """Configurable choices of the indicator scoring [spec §3]."""

    reverse_mode: str = "platform"  # platform | hubei
    band_achieved: float = 0.8  # 达成年度指标: 80–100% of the weight
    band_partial: float = 0.6  # 部分达成: 60–80%
    overachievement: float = 1.5  # B ≥ 1.5·A on a positive indicator → warning


def score_quantity(q: Quantity, actual: float, weight: float, scoring: Scoring = Scoring()) -> float:
    """The platform's automatic score for one quantity [MOF platform; 财预〔2020〕10号 第十四条].

    positive: B ≥ A → w, else B/A·w.  equal with A = 0: B ≤ 0 → w else 0.
    reverse: B ≤ A → w; A < B < 2A → (1 − (B−A)/A)·w; B ≥ 2A → 0 (hubei: A/B·w).
    """
    a, b = q.value, max(actual, 0.0)
    if q.op == "=" and a == 0:
        return weight if b <= 0 else 0.0
    if q.op == "<=":
        if b <= a:
            return weight
        if a <= 0:
            return 0.0
        if scoring.reverse_mode == "hubei":
            return round2(a / b * weight)
        if b >= 2 * a:
            return 0.0
        return round2((1 - (b - a) / a) * weight)
    if b >= a or a <= 0:
        return weight
    return round2(b / a * weight)


def indicator_score(target: object, actual: object, weight: float | None,
                    scoring: Scoring = Scoring()) -> float | None:
    try:
        return _indicator_score(target, actual, weight, scoring)
    except TypeError:  # an unhashable value: score without the cache
        return _indicator_score.__wrapped__(target, actual, weight, scoring)


@lru_cache(maxsize=4096)
def _indicator_score(target: object, actual: object, weight: float | None, scoring: Scoring) -> float | None:
    """Expected 得分 of a quantitative indicator, None for a qualitative one.

    A compound target is met when every quantity is met; otherwise the score
    is the mean of the quantities' scores.
    """
    if weight is None:
        return None
    pairs = pair_quantities(target, actual)
    if pairs is None:
        return None
    scores = [score_quantity(q, b, weight, scoring) for q, b in pairs]
    return round2(sum(scores) / len(scores))


def overachieved(target: object, actual: object, scoring: Scoring = Scoring()) -> list[tuple[Quantity, float]]:
    """Positive quantities whose actual is ≥ threshold × target."""
    pairs = pair_quantities(target, actual) or []
    return [(q, b) for q, b in pairs if q.op == ">=" and q.value > 0 and b >= scoring.overachievement * q.value]
