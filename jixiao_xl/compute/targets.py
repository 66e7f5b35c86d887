"""Judging a 三级指标 row as the platform scores it: the target and the actual (readings.py) paired by noun and
unit, the direction of a part that states none decided (成本 amounts and 时效 limits are lower-is-better,
deadlines compare dates, the indicator's own name, then the 二级指标), and the row scored.

Anything that cannot be decided is qualitative, with a reason; it is never a miss.  Nothing here knows about
cells, forms or findings.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .readings import _COUNT_FAMILIES, _FAMILY_NAME, _NOT_MET, _UNIT_TABLE, Part, Reading, _fmt, _noun, normalise
from .readings import parse_target, read_actual, read_text  # noqa: F401 (what judge reads; callers import here too)
from ..read.values import round2

# ------------------------------------------------------------------ direction

# A rate is lower-is-better when the word right before 率 says so (控制率, 差错率; not 投诉处置率).
_LOWER_RATES = re.compile(
    r"(?:调整|结转|结余|控制|差错|出错|错误|投诉|事故|发生|违规|违纪|偏差|误差|失误|返工|流失|空置|故障|发病|"
    r"死亡|不合格|超支|逾期|超期|闲置|损耗|漏报|缺陷|退件|发案|复发|辍学|失业|返贫|误诊|漏检|能耗|欠费|成灾|病死|"
    r"损失|感染|空驶|脱落|流失)率"
)
# Other names (counts, amounts, times) that are lower-is-better.
_LOWER_NAMES = re.compile(
    r"投诉|事故|违规|违纪|差错|失误|超支|超标|成本|费用|单价|时限|用时|耗时|周期|办结时间|等待|响应时间|"
    r"隐患|上访|案发|发案|逾期|超期|能耗|损耗|闲置|返工|故障|死亡"
)
_MONEY_NAMES = re.compile(r"金额|资金|经费|款项|拨付额|支出额")
_RATE_NAME = re.compile(r"(?:率|度|比例|比重|占比)[)）】\]\s]*$")
_LIMIT_NAMES = re.compile(r"时限|办结|周期|用时|耗时|期限|日内|天内|响应|反馈时间|处理时间|审批时间|完成时间|办理时间")
# Durations that are higher-is-better even in a 时效 row: 开放天数, 服务时长.
_LONGER_NAMES = re.compile(r"开放|服务时长|天数|时长|运行|在岗|值守|培训时间|学时|课时|工期以上")
# Counts named after something bad are lower-is-better, unless the count is of handling it (投诉办结数).
_HANDLING = re.compile(
    r"处理|办结|处置|查处|查办|受理|办理|化解|调处|整改|排查|治理|回复|答复|调解|救援|救助|宣传|培训")
_HIGHER_LEVELS = re.compile(r"数量|质量|效益|满意|产出|影响|效果|覆盖|受益")


def _direction(part: Part, level1: str, level2: str, name: str) -> tuple[str, str]:
    """The comparison of a part that states none, and the rule that decided it."""
    if part.op:
        return part.op, "指标值写明了比较关系"
    if part.family == "date":
        return "<=", "日期：不晚于该日期为完成"
    where = f"{level1}{level2}"
    if part.family.startswith("money") and "成本" in where:
        return "<=", "成本指标的金额：不超过指标值为完成"
    duration = part.family.split("/")[0] in ("days", "workdays", "months", "minutes")
    if duration and _LONGER_NAMES.search(name):
        return ">=", f"指标名称含“{_LONGER_NAMES.search(name).group(0)}”：时长越长越好"
    if duration and ("时效" in where or _LIMIT_NAMES.search(name)):
        return "<=", "时效指标的时限：不超过指标值为完成"
    if part.family in ("percent", "score"):  # a share: only the rate's own word decides (差错率, not 时限)
        match = _LOWER_RATES.search(part.noun) or (_LOWER_RATES.search(name) if _RATE_NAME.search(name) else None)
    elif _RATE_NAME.search(name):
        match = _LOWER_RATES.search(name)
    else:
        match = None if _HANDLING.search(name) else _LOWER_NAMES.search(name)
    if match:
        return "<=", f"指标名称含“{match.group(0)}”：越低越好"
    if part.family.startswith("money") and "成本" in where:
        return "<=", "成本指标：不超过指标值为完成"
    if "成本" in where:
        return "=", "成本指标中的非金额：没有比较关系，只判断是否相等"
    if (part.family.startswith("money") or not part.family and _MONEY_NAMES.search(name)) and "效益" not in where:
        return "=", "金额没有写比较关系，多用少用都可能合理：只判断是否相等"
    match = _HIGHER_LEVELS.search(where)
    if match and "时效" not in where:
        return ">=", f"{level2 or level1}：达到指标值为完成"
    if "时效" in where and part.family in ("percent", "score"):
        return ">=", f"{level2 or level1}的比率：达到指标值为完成"
    if part.family in ("percent", "score") or part.family in _COUNT_FAMILIES:
        return ">=", f"{_FAMILY_NAME.get(part.family, '数量')}：达到指标值为完成"
    return "=", "没有比较关系，也不能从指标类别判断方向：按相等判断"


# ------------------------------------------------------------------ judging


@dataclass(frozen=True)
class Scoring:
    """Configurable choices of the indicator scoring [spec §3]."""

    reverse_mode: str = "platform"  # platform | hubei
    band_achieved: float = 0.8  # 达成年度指标: 80–100% of the weight
    band_partial: float = 0.6  # 部分达成: 60–80%
    overachievement: float = 1.5  # B ≥ 1.5·A on a positive indicator → warning
    equal_tolerance: float = 0.005  # relative: "=" met when |B − A| ≤ 0.5% of A
    approx_tolerance: float = 0.05  # relative: "约 A" met within 5% of A
    fraction_limit: float = 1.5  # a bare number ≤ this against a % target reads as a fraction (0.85 → 85%)


@dataclass(frozen=True)
class Pair:
    """One target part with the actual value it was compared with."""

    target: Part
    actual: Part
    op: str  # the comparison used
    basis: str  # which rule decided the comparison
    met: bool | None  # None: could not be decided
    score: float | None  # the platform's score of this part alone, when defined
    why: str = ""  # why it could not be decided, when the reason is the pair's own (else the verdict words it)
    allowance: str = ""  # "约 A": the allowance the comparison took, in words (explain says it)


@dataclass(frozen=True)
class Judgement:
    """How a row was read and scored.

    ``met`` True/False when decided, None for a qualitative row (``why`` says
    why); ``expected`` is the platform's score when it is defined.
    """

    target: Reading
    actual: Reading
    pairs: tuple[Pair, ...] = ()
    met: bool | None = None
    expected: float | None = None
    why: str = ""

    @property
    def quantitative(self) -> bool:
        return self.met is not None

    def explain(self) -> str:
        """读作：≤ 30 个工作日；实际 25 个工作日，已完成."""
        if not self.pairs:
            return f"无法判断：{self.why}" if self.why else "定性指标"
        bits = []
        for pair in self.pairs:
            target = pair.target
            if not target.op and pair.op:
                target = _with_op(target, pair.op)
            verdict = {True: "已完成", False: "未完成", None: "无法判断"}[pair.met]
            allowance = f"（{pair.allowance}）" if pair.allowance else ""
            bits.append(f"读作：{target.shown()}{allowance}；实际 {pair.actual.shown(actual=True)}，{verdict}")
        text = "；".join(bits)
        if self.why and self.met is None:
            text += f"（{self.why}）"
        return text

    @property
    def basis(self) -> str:
        return "；".join(dict.fromkeys(p.basis for p in self.pairs))


def _with_op(part: Part, op: str) -> Part:
    return part._replace(op=op, deadline=part.deadline or part.family == "date")


def score_part(op: str, a: float, b: float, weight: float, scoring: Scoring, explicit_eq: bool,
                high: float | None = None) -> tuple[bool | None, float | None]:
    """(met, platform score) for one comparison of actual ``b`` with target ``a``."""
    if op == "range":
        if a - 1e-9 <= b <= (high if high is not None else a) + 1e-9:
            return True, weight
        if b < a and a > 0:  # short of the range ("90%-100%", 85%): not met, scored as short of its floor
            return False, round2(max(b, 0.0) / a * weight)
        return None, None  # above it: whether that is over-achievement or a miss, the form does not say
    if op in (">=", ">"):
        if b >= a - 1e-9:
            return True, weight
        if a <= 0:
            return False, None
        return False, round2(max(b, 0.0) / a * weight)
    if op in ("<=", "<"):
        if b <= a + 1e-9:
            return True, weight
        if abs(a) <= 1e-9:  # "0起" in a 成本 row against "1起": B ≥ 2A, 0 points (as "=0起" scores)
            return False, 0.0
        if a < 0:
            return False, None
        if scoring.reverse_mode == "hubei":
            return False, round2(a / b * weight)
        if b >= 2 * a:
            return False, 0.0
        return False, round2((1 - (b - a) / a) * weight)
    # "="
    if abs(b - a) <= max(abs(a) * scoring.equal_tolerance, 1e-9):
        return True, weight
    if explicit_eq:
        if a == 0:
            return False, 0.0 if b > 0 else weight
        return score_part(">=", a, b, weight, scoring, False)
    return None, None


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    grams_a = {a[i:i + 2] for i in range(len(a) - 1)} | set(a)
    grams_b = {b[i:i + 2] for i in range(len(b) - 1)} | set(b)
    return len(grams_a & grams_b) / len(grams_a | grams_b)


def _pair(target: Reading, actual: Reading, scoring: Scoring) -> tuple[list[tuple[Part, Part]] | None, str]:
    """Pair target parts with actual parts by family (unit) and, within a family, by noun."""
    wanted = list(target.parts)
    got = list(actual.parts)
    if actual.bare and len(wanted) == 1 and wanted[0].family not in ("date",):
        return _bare_pair(wanted[0], got[0], scoring)
    pairs: list[tuple[Part, Part]] = []
    for family in dict.fromkeys(p.family for p in wanted):
        found, why = _family_pairs(family, [p for p in wanted if p.family == family], wanted, got, scoring)
        if found is None:
            return None, why
        pairs += found
    return pairs, ""


def _bare_pair(t: Part, bare: Part, scoring: Scoring) -> tuple[list[tuple[Part, Part]] | None, str]:
    """One target part against a bare number (no unit): read in the target's unit, unless that is ambiguous."""
    number = bare.value
    if t.family == "percent":
        low_target = abs(t.value) <= scoring.fraction_limit * 100 and abs(t.value) < 10
        if 0 < abs(number) <= scoring.fraction_limit:
            if low_target:
                return None, (f"完成值 {_fmt(number)} 没有单位，指标值是 {t.shown()}："
                              f"无法判断是 {_fmt(number * 100)}% 还是 {_fmt(number)}%")
            number *= 100
    factor = 1.0 if bare.scaled else _UNIT_TABLE.get(t.unit.split("/")[0], ("", 1.0))[1]  # "83万": 元
    if t.value and number and not 1e-3 <= abs(number * factor / t.value) <= 1e3:
        return None, f"完成值 {_fmt(number)} 没有单位，与指标值 {t.shown()} 相差千倍以上，单位可能不同"
    return [(t, Part("", number * factor, t.unit, t.family))], ""


def _family_pairs(family: str, targets: list[Part], wanted: list[Part], got: list[Part],
                  scoring: Scoring) -> tuple[list[tuple[Part, Part]] | None, str]:
    """The target parts of one family (unit) paired with the actual's, or None and why not."""
    if family == "date":
        candidates = [p for p in got if p.family == "date"]
        if not candidates:
            return None, "指标值是日期，完成值没有可比较的日期"
        if len(targets) == 1:
            return [(targets[0], max(candidates, key=lambda p: p.when.bounds(2000)[1]))], ""
        return None, "指标值有多个日期，无法一一对应"
    candidates = [p for p in got if p.family == family and p.change == targets[0].change]
    if any(t.change != targets[0].change for t in targets):
        candidates = [p for p in got if p.family == family]
    if not candidates and family == "" and len(wanted) == 1:
        candidates = [p for p in got if p.family != "date" and not p.change]  # "≥90" against "95%"
        candidates = candidates if len(candidates) == 1 else []
        if candidates and candidates[0].family == "percent":
            t = targets[0]
            if 0 < abs(t.value) <= scoring.fraction_limit:  # "≥0.95" against "97%": 95%
                t = t._replace(value=t.value * 100, high=None if t.high is None else t.high * 100)
            return [(t._replace(family="percent", unit="%"), candidates[0])], ""
    if not candidates:
        if targets[0].change:
            return None, "指标值是较上年的变化，完成值中没有对应的变化数"
        unit = targets[0].unit or "无单位"
        units = "、".join(dict.fromkeys(p.unit or "无单位" for p in got if p.family != "date")) or "没有数字"
        return None, f"指标值的单位是“{unit}”，完成值中是“{units}”，无法比较"
    if len(targets) == 1 and len(candidates) == 1:
        return [(targets[0], candidates[0])], ""
    return _by_noun(targets, candidates)


def _by_noun(targets: list[Part], candidates: list[Part]) -> tuple[list[tuple[Part, Part]] | None, str]:
    """Several parts of one unit: by noun, each target to a distinct actual, with a clear best."""
    pairs, used = [], set()
    for t in targets:
        ranked = sorted(((_similarity(_noun(t.noun), _noun(c.noun)), i) for i, c in enumerate(candidates)
                         if i not in used),
                        reverse=True)
        if not ranked or ranked[0][0] < 0.2 or (len(ranked) > 1 and ranked[1][0] >= ranked[0][0] - 0.05):
            if len(targets) == len(candidates) and all(not _noun(c.noun) for c in candidates) and \
                    all(not _noun(x.noun) for x in targets):
                return None, "复合指标的各项没有名称，无法按项对应"
            return None, f"复合指标中“{_noun(t.noun).strip() or t.shown()}”在完成值中找不到唯一对应的一项"
        used.add(ranked[0][1])
        pairs.append((t, candidates[ranked[0][1]]))
    return pairs, ""


def judge(target: object, actual: object, weight: float | None, *, level1: str = "", level2: str = "",
          name: str = "", scoring: Scoring = Scoring(), percent: bool | None = None,
          target_percent: bool | None = None, year: int | None = None) -> Judgement:
    """Read a row's target and actual and score it; never raises.

    ``percent``/``target_percent``: whether the actual/target cell is formatted as a
    percentage (None when not known).  ``year``: the form's year (2024年度): a deadline
    written without a year ("12月底前") falls in it, "次年3月" in the next.
    """
    try:
        return _judge(target, actual, weight, level1, level2, name, scoring, (percent, target_percent), year)
    except Exception:  # noqa: BLE001 - a reading failure is qualitative, never a crash
        return Judgement(Reading(str(target)), Reading(str(actual)), why="无法解析（写法超出本工具能识别的范围）")


def _hashable(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, _dt.date))


def _judge(target, actual, weight, level1, level2, name, scoring, percent, year=None) -> Judgement:
    if _hashable(target) and _hashable(actual):
        return _judge_cached(target, actual, weight, level1, level2, name, scoring, percent, year)
    return _judge_cached.__wrapped__(str(target), str(actual), weight, level1, level2, name, scoring, percent, year)


@lru_cache(maxsize=16384)
def _judge_cached(target, actual, weight, level1, level2, name, scoring, percent, year=None) -> Judgement:
    t = parse_target(target, percent[1])
    a = read_actual(actual, percent[0])
    if not t.parts:
        if t.on_time and a.on_time:
            return Judgement(t, a, why="按时完成（定性）")
        if t.on_time and a.late:  # 按时完成 against 延期完成: missed, with no formula for a score
            pair = Pair(Part("", 0.0, "", "text", noun=t.text.strip()), Part("", 0.0, "", "text", noun=a.text.strip()),
                        "<=", "完成值写明未按时完成", False, None)
            return Judgement(t, a, (pair,), False, None, "未按时完成，没有可计算的得分规则")
        return Judgement(t, a, why=t.why or "定性指标")
    if any(p.family != "date" for p in t.parts) and any(p.family == "date" and not p.deadline for p in t.parts):
        # "2023年完成培训200人": the year is context, the quantity is the target
        t = t._replace(parts=tuple(p for p in t.parts if p.family != "date" or p.deadline))
    deadlines = [p for p in t.parts if p.family == "date"]
    if deadlines and len(deadlines) == len(t.parts) and (a.late or a.on_time and
                                                         not any(p.family == "date" for p in a.parts)):
        met = a.on_time
        pair = Pair(deadlines[0], Part("", 0.0, "", "text", noun=a.text), "<=", "完成值写明按时/延期", met,
                    weight if met else None)
        return Judgement(t, a, (pair,), met, weight if met else None)
    if not a.parts:
        if _NOT_MET.search(normalise(a.text)):  # "未达标", "未完成": a miss the evaluator wrote down
            pair = Pair(Part("", 0.0, "", "text", noun=t.text.strip()), Part("", 0.0, "", "text", noun=a.text.strip()),
                        "", "完成值写明未完成", False, None)
            return Judgement(t, a, (pair,), False, None, "完成值写明未完成，没有可计算的得分规则")
        return Judgement(t, a, why="完成值" + ("为空" if a.why == "空白" else "没有可比较的数字或日期"))
    matched, why = _pair(t, a, scoring)
    if matched is None:
        return Judgement(t, a, why=why)
    scored = isinstance(weight, (int, float)) and not isinstance(weight, bool) and math.isfinite(weight)
    weight = float(weight) if scored else 0.0
    pairs = [_scored_pair(tp, ap, weight, level1, level2, name, scoring, year) for tp, ap in matched]
    judgement = _verdict(t, a, pairs, weight)
    if not scored and judgement.expected is not None:
        return Judgement(t, a, judgement.pairs, judgement.met, None, judgement.why)
    return judgement


def _scored_pair(tp: Part, ap: Part, weight: float, level1: str, level2: str, name: str, scoring: Scoring,
                 year) -> Pair:
    """One target part against its actual: the direction, met or not, and the part's score."""
    op, basis = _direction(tp, level1, level2, name)
    if tp.family == "date":
        if not tp.deadline and "时效" not in level1 + level2 and not _LIMIT_NAMES.search(name):
            return Pair(tp, ap, "=", "日期没有写“前/截至”，也不是时效指标", None, None)
        if year is None and tp.when.year is None and ap.when.year is not None:
            # a deadline without a year ("12月底前") falls in the form's year, which the form does not say: the
            # actual's year or the one before (a self-evaluation is written after its year) — judged only when
            # both give the same answer ("2024年1月10日" against "12月底前" is on time in 2024, late in 2023)
            verdicts = {_on_time(tp, ap, form_year) for form_year in (ap.when.year, ap.when.year - 1)}
            if len(verdicts) > 1:
                return Pair(tp, ap, "<=", basis, None, None, why=f"表上读不出年度，期限“{tp.when.text}”不知是 "
                            f"{ap.when.year - 1} 年还是 {ap.when.year} 年的，无法判断是否按时")
            met = verdicts.pop()
        else:
            met = _on_time(tp, ap, year or ap.when.year or tp.when.year or 2000)
        return Pair(tp, ap, "<=", basis, met, weight if met else None)
    if ap.op == "range":
        return Pair(tp, ap, op, "完成值是一个范围，不是一个数", None, None)
    a_value, allowance = tp.value, ""
    if tp.approx and op in (">=", ">", "<=", "<", "="):
        slack = abs(a_value) * scoring.approx_tolerance
        a_value = a_value - slack if op in (">=", ">") else a_value + slack if op in ("<=", "<") else a_value
        if op == "=" and abs(ap.value - tp.value) <= slack:
            a_value = ap.value
        allowance = _allowance(tp, op, slack, scoring.approx_tolerance)
    met, score = score_part(op, a_value, ap.value, weight, scoring, tp.op == "=", tp.high)
    if met is False and tp.change:
        # a change on last year: proportional on the size of the change, 0 when it went the other way
        same_side = (tp.value > 0) == (ap.value > 0) and ap.value != 0
        score = round2(min(abs(ap.value) / abs(tp.value), 1.0) * weight) if same_side and tp.value else 0.0
    return Pair(tp, ap, op, basis, met, score, allowance=allowance)


def _allowance(tp: Part, op: str, slack: float, share: float) -> str:
    """"约 A" in words: the share it allows and the bound (or the band, for "约 A" alone) it was judged by."""
    plain = tp._replace(approx=False, change=False, period="")
    if op == "=":
        low, high = plain._replace(value=tp.value - slack), plain._replace(value=tp.value + slack)
        bound = f"{_with_op(low, '').shown()}–{_with_op(high, '').shown()}"
    else:
        moved = tp.value - slack if op in (">=", ">") else tp.value + slack
        bound = _with_op(plain._replace(value=moved), op).shown()
    return f"“约”数允许 {_fmt(share * 100)}% 的出入，按 {bound} 判断"


def _on_time(tp: Part, ap: Part, year: int) -> bool | None:
    """A completion date against a deadline falling in ``year`` (the form's): True when it is on or before
    it, False when wholly after, None when the actual spans it ("2024年内" against "6月底前")."""
    lo, hi = ap.when.bounds(tp.when.year or year)
    dl = tp.when.bounds(year)[1]
    if hi <= dl:
        return True
    return False if lo > dl else None


def _verdict(t: Reading, a: Reading, pairs: list[Pair], weight: float) -> Judgement:
    """The row's verdict from its pairs: met when all are, missed when any is, else undecided."""
    results = [p.met for p in pairs]
    if a.late and all(r is True for r in results):
        return Judgement(t, a, tuple(pairs), None, None, "完成值写明未按时或未完成，与数字矛盾")
    if all(r is True for r in results):
        return Judgement(t, a, tuple(pairs), True, weight)
    if any(r is False for r in results):
        scores = [p.score for p in pairs]
        if None in scores:
            return Judgement(t, a, tuple(pairs), False, None, "未完成，但没有可计算的得分规则")
        return Judgement(t, a, tuple(pairs), False, round2(sum(scores) / len(scores)))
    undecided = next(p for p in pairs if p.met is None)
    return Judgement(t, a, tuple(pairs), None, None, undecided.why or (
        undecided.basis if undecided.op == "=" else "完成值与指标值的关系无法判断"))


def overachieved(j: Judgement, scoring: Scoring = Scoring()) -> list[Pair]:
    """Met higher-is-better parts whose actual is ≥ threshold × target (not changes, not dates)."""
    return [p for p in j.pairs if p.met and p.op in (">=", ">") and not p.target.change
            and p.target.family == p.actual.family
            and p.target.family != "date" and p.target.value > 0
            and p.actual.value >= scoring.overachievement * p.target.value]
