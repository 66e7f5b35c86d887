"""Derived values of a form: what the form's derived cells should hold.

Rules compare these with what was typed; the JSON ``results`` and the
auto-fill use them.  A total left blank is taken as the sum of its parts; a
total that was typed is used as typed, and the identity rules report it when
it does not add up.
"""

from __future__ import annotations

from typing import NamedTuple

from . import forms as F
from . import scoring as S
from .model import BasicData, Indicator, SelfEval, num
from .profiles import Profile
from .targets import Judgement, judge

# ------------------------------------------------------------------ 附件1

_SUM_FIELDS: tuple = (None, ())


def sum_fields() -> tuple:
    """``forms.sums_inner_first()``, made once for the current ``FUND_ROWS`` (a test may replace them)."""
    global _SUM_FIELDS
    if _SUM_FIELDS[0] is not F.FUND_ROWS:
        _SUM_FIELDS = (F.FUND_ROWS, tuple(F.sums_inner_first()))
    return _SUM_FIELDS[1]


def part_keys(form: BasicData, key: str) -> list:
    """The rows that add up to ``key`` (FundRow objects or field keys)."""
    field = F.FUND_ROW.get(key)
    if field is not None and field.items:  # 县级专项资金: its 专项 rows
        return list(form.specials)
    parts: list = list(field.parts) if field else []
    if field is not None and field.open:  # 项目支出: and the rows among its parts that name no field
        parts += list(form.project_others)
    return parts


def parts_sum(form: BasicData, key: str, col: str) -> float | None:
    """Σ parts of a row in one column (blank parts = 0); None when every part is blank."""
    total, any_filled = 0.0, False
    for part in part_keys(form, key):
        value = amount(form, part, col) if isinstance(part, str) else num(part.cells.get(col))
        if value is not None:
            total += value
            any_filled = True
    return round(total, 6) if any_filled else None


def amount(form: BasicData, key: str, col: str) -> float | None:
    """A row's value in a column: as typed, else the sum of its parts when any is filled."""
    value = num(form.cell(key, col))
    if value is None and part_keys(form, key):
        return parts_sum(form, key, col)
    return value


def building_totals(form: BasicData) -> dict[str, float | None]:
    totals: dict[str, float | None] = {}
    for key in ("approved_area", "actual_area", "budget_investment", "actual_investment"):
        values = [num(b.cells.get(key)) for b in form.buildings]
        values = [v for v in values if v is not None]
        totals[key] = sum(values) if values else None
    return totals


def basic_results(form: BasicData) -> dict:
    staff = form.staff
    buildings = building_totals(form)
    return {
        "staff_control_rate": S.ratio(num(staff.get("actual_staff")), num(staff.get("establishment"))),
        "sangong_control_rate": S.ratio(amount(form, "sangong", "actual"), amount(form, "sangong", "budget")),
        "public_funds_control_rate": S.ratio(amount(form, "public_funds", "actual"),
                                             amount(form, "public_funds", "budget")),
        "procurement_rate": S.ratio(amount(form, "procurement", "actual"), amount(form, "procurement", "budget")),
        "scale_control_rate": S.ratio(buildings["actual_area"], buildings["approved_area"]),
        "investment_control_rate": S.ratio(buildings["actual_investment"], buildings["budget_investment"]),
    }


# ------------------------------------------------------------ 附件2 / 附件3

_LEVELS = ("中央", "省", "市", "县", "区", "本级", "上级", "地方")


def source_parts(form: SelfEval) -> list[str]:
    """Keys of 附件3's source rows that add up to 年度资金总额.

    Rows of 中央/省级/市级… funds right under 当年财政拨款 that add up to it are its breakdown
    ("当年财政拨款 100，其中：中央 60，省级 40") and are not counted a second time.
    """
    keys = list(form.sources)
    nested: set[str] = set()
    for i, key in enumerate(keys):
        if key != "appropriation" and "财政拨款" not in key:
            continue
        run = []
        for other in keys[i + 1:]:
            if not other.startswith(_LEVELS):
                break
            run.append(other)
        if len(run) >= 2 and _adds_up(form, key, run):
            nested.update(run)
    return [k for k in keys if k not in nested]


def _adds_up(form: SelfEval, key: str, run: list[str]) -> bool:
    compared = False
    for col, cell in form.sources[key].items():
        values = [num(form.sources[k].get(col)) for k in run]
        if num(cell) is None or all(v is None for v in values):
            continue
        if abs(num(cell) - sum(v or 0 for v in values)) > 0.005:
            return False
        compared = True
    return compared



def exec_weight(form: SelfEval, profile: Profile) -> float:
    """The 分值 of the 执行率 row as stated on the form, else the profile's."""
    value = num(form.exec.get("weight"))
    return profile.exec_weight if value is None else value


def judge_row(ind: Indicator, profile: Profile, year: int | None = None) -> Judgement:
    """How the row's 年度指标值 and 实际完成值 read and score (``targets.judge``; ``year``: the form's, for a
    deadline written without one)."""
    return judge(ind.target.raw, ind.actual.raw, num(ind.weight), level1=ind.level1, level2=ind.level2,
                 name=ind.level3.text, scoring=profile.scoring, percent=ind.actual.percent,
                 target_percent=ind.target.percent, year=year)


def effective_score(weight: float | None, score: float | None, expected: float | None) -> float:
    """The score that counts: as typed, but never above what the rule allows (``expected``), within
    [0, 分值].

    A blank score of a quantitative row counts as computed; the evaluator may
    give less than the rule's score (a deduction is theirs to make), never more.
    """
    if score is None:
        score = expected if expected is not None else 0.0
    elif expected is not None:
        score = min(score, expected)
    score = max(score, 0.0)
    return min(score, weight) if weight is not None else score


class Row(NamedTuple):
    """A 三级指标 row with the numbers the results and the rules read from it (``indicator_rows``)."""

    ind: Indicator
    weight: float | None  # 分值 as typed
    score: float | None  # 得分 as typed
    judged: Judgement  # ``judge_row``
    expected: float | None  # the platform's score of a quantitative row; None if it cannot be scored by rule
    effective: float  # ``effective_score``


def indicator_rows(form: SelfEval, profile: Profile) -> list[Row]:
    """Every 三级指标 row of a form, read and judged once (a check keeps them: ``Context.rows``)."""
    out = []
    for ind in form.indicators:
        weight, score, judged = num(ind.weight), num(ind.score), judge_row(ind, profile, form.year)
        expected = None if weight is None else judged.expected
        out.append(Row(ind, weight, score, judged, expected, effective_score(weight, score, expected)))
    return out


def stated_score_sum(form: SelfEval, profile: Profile) -> float:
    """Σ 得分 as typed, the 执行率得分 included (computed when left blank)."""
    exec_score = num(form.exec.get("score"))
    if exec_score is None:
        rate = S.exec_rate(num(form.exec.get("full")), num(form.exec.get("executed")))
        exec_score = S.exec_score(rate, exec_weight(form, profile), profile.exec_mode)
    return exec_score + sum(num(i.score) or 0 for i in form.indicators)


UNREAD_EXEC = "未读出：表中找不到执行情况（年度资金总额的预算数、执行数）"
UNREAD_WEIGHTS = "未读出：表中没有各项指标的分值（权重）"
UNSCORED = "未评分：各项指标的得分都没有填写"
NO_INDICATORS = "未读出：表中找不到三级指标"


def exec_read(form: SelfEval) -> bool:
    """Whether the form's execution block was read: a budget, an executed amount, a rate or a score in it."""
    return any(num(form.exec.get(key)) is not None for key in ("full", "executed", "rate", "score"))


def self_eval_results(form: SelfEval, profile: Profile, rows: list[Row] | None = None) -> dict:
    """The results of 附件2/附件3 (``rows``: its ``indicator_rows`` when already read).

    What was not read is never a number: a form whose execution block, weights or scores could not be
    read has None for the results that depend on them, and ``unread`` says why (key → Chinese reason);
    a form with indicators but no 得分 typed at all is 未评分 (no total, no grade), never 0 分 / 差.
    """
    rows = indicator_rows(form, profile) if rows is None else rows
    unread: dict[str, str] = {}
    weight = exec_weight(form, profile)
    if exec_read(form):
        rate = S.exec_rate(num(form.exec.get("full")), num(form.exec.get("executed")))
        if rate is None and profile.zero_budget_rate is not None and num(form.exec.get("full")) == 0 \
                and not num(form.exec.get("executed")):
            rate = profile.zero_budget_rate  # 浙江: 0 ÷ 0 counts as 100 % (profile_data/zhejiang.json)
        score = S.exec_score(rate, weight, profile.exec_mode)
    else:
        rate = score = None
        unread["exec_rate"] = unread["exec_score"] = UNREAD_EXEC
    weights = [r.weight for r in rows if r.weight is not None]
    stated = num(getattr(form, "indicators_weight", None))  # "年度绩效目标(80分)": all indicators together
    if not rows:
        weight_total = None
        unread["weight_total"] = NO_INDICATORS
    elif not weights and stated is not None:
        weight_total = S.round2(weight + stated)
    elif not weights:
        weight_total = None
        unread["weight_total"] = UNREAD_WEIGHTS
    else:
        weight_total = S.round2(weight + sum(weights))
    if not rows:
        total = None
        unread["total_score"] = unread["grade"] = NO_INDICATORS
    elif all(r.score is None for r in rows) and not weights:
        total = None  # no weights and no scores: nothing of the score was read
        unread["total_score"] = unread["grade"] = UNSCORED if form.levels else NO_INDICATORS
    elif all(r.score is None for r in rows) and num(form.total_score) is None:
        total = None
        unread["total_score"] = unread["grade"] = UNSCORED
    else:
        total = S.round2((score or 0.0) + sum(r.effective for r in rows))
    out = {
        "exec_rate": rate,
        "exec_score": score,
        "weight_total": weight_total,
        "total_score": total,
        "grade": S.grade(total),
    }
    if unread:
        out["unread"] = unread
    return out


def shown(res: dict, key: str) -> str:
    """A result as the text, the add-in's alert and 校验结果 show it: the number (执行率 as a percentage,
    the grade as its word), or why there is none (未读出 / 未评分), never 0 or 差 for what was not read."""
    from .values import fmt_number, fmt_rate

    value = res.get(key)
    if value is None:
        reason = res.get("unread", {}).get(key, "")
        return reason.split("：", 1)[0] if reason else "空"
    if key == "grade" or isinstance(value, str):
        return value
    return fmt_rate(value) if key.endswith("rate") else fmt_number(value)


def total_text(res: dict) -> str:
    """"总分 99（优）", or "总分 未评分" / "总分 未读出" (no grade shown beside it)."""
    if res.get("total_score") is None:
        return f"总分 {shown(res, 'total_score')}"
    return f"总分 {shown(res, 'total_score')}（{shown(res, 'grade')}）"


def results(form, profile: Profile, rows: list[Row] | None = None) -> dict:
    if isinstance(form, BasicData):
        return basic_results(form)
    return self_eval_results(form, profile, rows)
