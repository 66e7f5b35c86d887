"""Derived values of a form: what the form's derived cells should hold.

Rules compare these with what was typed; the JSON ``results`` and the
auto-fill use them.  A total left blank is taken as the sum of its parts; a
total that was typed is used as typed, and the identity rules report it when
it does not add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from types import MappingProxyType
from typing import ClassVar

from ..read import forms as F
from . import scoring as S
from ..read.model import BasicData, Cell, Indicator, SelfEval, num
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


@dataclass(frozen=True, slots=True)
class RateRelation:
    """One rate of 附件1 (决算 ÷ 预算, 实际 ÷ 核定): the one statement of which cells it divides.

    ``where`` says which part of the form holds its numbers: "staff" (财政供养人员: ``cell`` the rate's
    cell), "fund" (a row of the funds table: ``row``; its rate cell is the row's 控制率 column) or
    "building" (each building row: ``cell`` the rate's cell; the form's rate divides the buildings' totals).
    The results (``basic_results``), the derived cells (``derive``) and the report's labels read it.
    """

    key: str  # the result's name (BasicResults field, the JSON key)
    label: str  # as the report prints it
    where: str  # staff | fund | building
    top: str  # the numerator's key (a staff entry, a funds column, a building entry)
    bottom: str  # the denominator's key
    row: str = ""  # fund: the funds row
    cell: str = ""  # staff / building: the rate cell's key


RATES: tuple[RateRelation, ...] = (
    RateRelation("staff_control_rate", "财政供养人员控制率", "staff", "actual_staff", "establishment",
                 cell="staff_rate"),
    RateRelation("sangong_control_rate", "三公经费控制率", "fund", "actual", "budget", row="sangong"),
    RateRelation("public_funds_control_rate", "公用经费控制率", "fund", "actual", "budget", row="public_funds"),
    RateRelation("procurement_rate", "政府采购执行率", "fund", "actual", "budget", row="procurement"),
    RateRelation("scale_control_rate", "规模控制率", "building", "actual_area", "approved_area", cell="area_rate"),
    RateRelation("investment_control_rate", "投资概算控制率", "building", "actual_investment", "budget_investment",
                 cell="investment_rate"),
)
RATE = {r.key: r for r in RATES}


def building_totals(form: BasicData) -> dict[str, float | None]:
    totals: dict[str, float | None] = {}
    for key in {k for r in RATES if r.where == "building" for k in (r.top, r.bottom)}:
        values = [num(b.cells.get(key)) for b in form.buildings]
        values = [v for v in values if v is not None]
        totals[key] = sum(values) if values else None
    return totals


def rate_value(form: BasicData, rate: RateRelation, buildings: dict | None = None) -> float | None:
    """A 附件1 rate of the whole form (the buildings' totals for a building rate: ``buildings`` when made)."""
    if rate.where == "staff":
        return S.ratio(num(form.staff.get(rate.top)), num(form.staff.get(rate.bottom)))
    if rate.where == "fund":
        return S.ratio(amount(form, rate.row, rate.top), amount(form, rate.row, rate.bottom))
    totals = building_totals(form) if buildings is None else buildings
    return S.ratio(totals[rate.top], totals[rate.bottom])


def row_rate(cells: dict, rate: RateRelation) -> float | None:
    """A rate of one row that holds both its numbers (a building row: 实际面积 ÷ 核定面积)."""
    return S.ratio(num(cells.get(rate.top)), num(cells.get(rate.bottom)))


_NO_REASONS: Mapping[str, str] = MappingProxyType({})


class _Results:
    """What the result records share: a result by its name, why it was not read, and the JSON form."""

    __slots__ = ()
    KEYS: ClassVar[tuple[str, ...]] = ()

    def value(self, key: str):
        """A result by its JSON name (None for a name this kind of form has not)."""
        return getattr(self, key) if key in self.KEYS else None

    def why(self, key: str) -> str:
        """Why a result is None ("未读出：…" / "未评分：…"), "" when it was read or nothing says why."""
        return self.unread.get(key, "")  # type: ignore[attr-defined]

    def to_dict(self) -> dict:
        """The ``results`` of findings.json / ``check --json`` (the judged rows are not part of it)."""
        out = {key: getattr(self, key) for key in self.KEYS}
        if self.unread:  # type: ignore[attr-defined]
            out["unread"] = dict(self.unread)  # type: ignore[attr-defined]
        return out


@dataclass(frozen=True, slots=True)
class BasicResults(_Results):
    """The results of 附件1: its rates (``RATES``), None where a rate cannot be computed."""

    staff_control_rate: float | None = None
    sangong_control_rate: float | None = None
    public_funds_control_rate: float | None = None
    procurement_rate: float | None = None
    scale_control_rate: float | None = None
    investment_control_rate: float | None = None
    unread: Mapping[str, str] = dc_field(default_factory=lambda: _NO_REASONS)

    KEYS: ClassVar[tuple[str, ...]] = tuple(r.key for r in RATES)


def basic_results(form: BasicData) -> BasicResults:
    buildings = building_totals(form)
    return BasicResults(**{r.key: rate_value(form, r, buildings) for r in RATES})


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
    """The 分值 of the 执行率 row as stated on the form, else ``unstated_exec_weight``."""
    value = num(form.exec.get("weight"))
    return unstated_exec_weight(form, profile) if value is None else value


def unstated_exec_weight(form: SelfEval, profile: Profile) -> float:
    """The 执行率 分值 of a form that states none.  0 where a 三级指标 scores the 执行率 (宁夏 项目管理 → 预算执行率,
    read as ``exec_indicator``; or the profile says its 一级 does, ``exec_within``), so it is not counted twice.
    A form with an execution block (its 分值 cell left blank) takes the profile's.  A form with no 执行率 part at
    all (海南 服务贸易: 项目决策 / 项目管理 / 项目绩效, no 年度资金总额 row) takes one only from its known province's
    profile, where the 执行率 is a part of its own beside the 一级: a weight the form does not print and nothing
    justifies is never added (it made a complete form 110 points, W102)."""
    if getattr(form, "exec_indicator", None) is not None:
        return 0.0
    weight = profile.exec_block_weight
    if form.exec:
        return weight
    apart = not profile.level1 or abs(sum(profile.level1.values()) + weight - 100) < 1e-6
    if profile.known:
        return weight if apart else 0.0
    # province not known: none only where the form's own 分值 make 100 without it (海南 20 + 25 + 55); else the
    # funds block may be there unread (S001), and the total waits for it rather than 90 points made the whole
    levels = [level.weight for level in form.levels]
    own = sum(levels) if levels and all(w is not None for w in levels) else \
        sum(w for w in (num(i.weight) for i in form.indicators) if w is not None)
    return 0.0 if abs(own - FULL_MARKS) < 1e-6 else weight


def exec_row(form: SelfEval, profile: Profile) -> Indicator | None:
    """The 三级指标 that scores the 执行率 when the funds block weighs and scores none (宁夏 项目管理 → 预算执行率:
    its 分值 and 得分 count among the indicators'): the 结果 line's 执行率得分 is that row's, and no 执行率 part
    of 0 分 is added beside it.  None on every other form (a block with a 分值 or 得分 cell of its own)."""
    row = getattr(form, "exec_indicator", None)
    if row is None or form.exec.get("score") is not None or exec_weight(form, profile):
        return None
    return row


def exec_row_text(row: Indicator) -> str:
    """"三级指标“预算执行率” G14": where the form scores its 执行率."""
    cell = row.score or row.weight
    return f"三级指标“{row.level3.text}”" + (f" {cell.address}" if cell is not None else "")


def judge_row(ind: Indicator, profile: Profile, year: int | None = None) -> Judgement:
    """How the row's 年度指标值 and 实际完成值 read and score (``targets.judge``; ``year``: the form's, for a
    deadline written without one)."""
    return judge(ind.target.raw, ind.actual.raw, num(ind.weight), level1=ind.level1, level2=ind.level2,
                 name=ind.level3.text, scoring=profile.scoring, percent=ind.actual.percent,
                 target_percent=ind.target.percent, year=year)


def effective_score(weight: float | None, score: float | None, expected: float | None) -> float:
    """The score that counts: as typed, but never above what the rule allows (``expected``), within
    [0, 分值].

    A blank score of a quantitative row counts as computed here (the score rate E-rules compare with the
    执行率); the form's total is not made of it (``unscored_rows``: 无法复核).  The evaluator may
    give less than the rule's score (a deduction is theirs to make), never more.
    """
    if score is None:
        score = expected if expected is not None else 0.0
    elif expected is not None:
        score = min(score, expected)
    score = max(score, 0.0)
    return min(score, weight) if weight is not None else score


@dataclass(frozen=True, slots=True)
class Row:
    """A 三级指标 row judged once: what the results, the rules, D001, the button, the report and the
    narrative draft read of it (``indicator_rows``; kept in ``SelfEvalResults.rows``)."""

    ind: Indicator
    weight: float | None  # 分值 as typed
    score: float | None  # 得分 as typed
    judged: Judgement  # ``judge_row``
    expected: float | None  # the platform's score of a quantitative row; None if it cannot be scored by rule
    effective: float  # ``effective_score``: what the row counts in the total

    @property
    def target(self) -> object:
        """年度指标值 as typed."""
        return self.ind.target.raw

    @property
    def actual(self) -> object:
        """实际完成值 as typed."""
        return self.ind.actual.raw

    @property
    def suggested(self) -> float | None:
        """The score the rule gives the row (D001 shows it for a blank 得分), None when it gives none."""
        return self.expected

    @property
    def reason(self) -> str:
        """How the row was read and scored ("读作：…"), or why it could not be (``Judgement.explain``)."""
        return self.judged.explain()


def indicator_rows(form: SelfEval, profile: Profile) -> list[Row]:
    """Every 三级指标 row of a form, read and judged once (a check keeps them: ``Context.rows``)."""
    out = []
    for ind in form.indicators:
        weight, score, judged = num(ind.weight), num(ind.score), judge_row(ind, profile, form.year or form.book_year)
        expected = None if weight is None else judged.expected
        out.append(Row(ind, weight, score, judged, expected, effective_score(weight, score, expected)))
    return out


def stated_score_sum(form: SelfEval, profile: Profile) -> float:
    """Σ 得分 as typed, the 执行率得分 included (computed when left blank)."""
    exec_score = num(form.exec.get("score"))
    if exec_score is None:
        rate = S.exec_rate(num(form.exec.get("full")), num(form.exec.get("executed")))
        exec_score = S.exec_score(rate, exec_weight(form, profile), profile.score_bands, profile.rate_decimals)
    return exec_score + sum(num(i.score) or 0 for i in form.indicators)


def unscored_rows(rows: list[Row] | tuple[Row, ...]) -> list[Row]:
    """The weighted rows whose 得分 was left blank (or holds a placeholder: "/", "—"): a total would count a score
    nobody typed (a form with none typed and no 总分 either is 未评分, said before this is asked).  A row is weighted when its 分值 is above 0, or when
    no row prints a 分值 (保山/湖北: the 一级 headers weigh them).  The spec defines no way for a form to mark
    an indicator not applicable, so none is left out."""
    weighted = any(r.weight is not None for r in rows)
    return [r for r in rows if r.score is None and (r.ind.score is None or r.ind.score.blank)
            and ((r.weight or 0) > 0 if weighted else True)]


def blank_scores_reason(blank: list[Row]) -> str:
    """"无法复核：得分 H18、H19（“—”）未填写": the cells, and what stands in one that is not empty."""
    def named(row: Row) -> str:
        cell = row.ind.score
        if cell is None:
            return f"“{row.ind.level3.text}”"
        typed = str(cell.raw).strip() if cell.raw is not None else ""
        return f"{cell.address}（“{typed}”）" if typed else cell.address

    more = f" 等 {len(blank)} 个" if len(blank) > 3 else ""
    return f"无法复核：得分 {'、'.join(named(r) for r in blank[:3])}{more} 未填写"


UNREAD_EXEC = "未读出：表中找不到执行情况（年度资金总额的预算数、执行数）"
UNREAD_WEIGHTS = "未读出：表中没有各项指标的分值（权重）"
UNSCORED = "未评分：各项指标的得分都没有填写"
NO_INDICATORS = "未读出：表中找不到三级指标"


def unsure_reason(form: SelfEval, column: str) -> str:
    """Why a sum over the rows is not known: a row over numbered rows whose ``column`` ("weight" / "score") does
    not add up to theirs, so whether it is their subtotal or an indicator of its own cannot be told (W110); ""
    when no such group bears on that column (a form without 分值 decides by its 得分: its 分值合计 stands)."""
    from ..read.values import fmt_number

    groups = [g for g in form.unsure_groups if column == "score" or g.column == column]
    if not groups:
        return ""
    group = groups[0]
    label = "分值" if group.column == "weight" else "得分"
    head = num(getattr(group.head, group.column))
    items = sum(num(getattr(i, group.column)) or 0 for i in group.items)
    more = f" 等 {len(groups)} 处" if len(groups) > 1 else ""
    return (f"无法复核：“{group.head.level3.text}”{label} {fmt_number(head)} 与其下 {len(group.items)} 项之和 "
            f"{fmt_number(round(items, 6))} 不符{more}，分不清它是小计还是一项指标")


def exec_read(form: SelfEval) -> bool:
    """Whether the form's execution block was read: a budget, an executed amount, a rate or a score in it."""
    return any(num(form.exec.get(key)) is not None for key in ("full", "executed", "rate", "score"))


EXEC_FIGURES = (("executed", "全年执行数"), ("full", "全年预算数"))  # what 执行率 = 全年执行数 ÷ 全年预算数 needs


def blank_exec_figures(form: SelfEval) -> list[tuple[str, Cell]]:
    """(name, cell) of 全年执行数 / 全年预算数 left blank although a 执行率 or 得分 that depends on them was
    typed (E109): the rate is not known, and is not "0%" either."""
    ex = form.exec
    rate, score = ex.get("rate"), ex.get("score")
    if not ((rate is not None and not rate.blank and rate.rate) or (score is not None and score.number)):
        return []
    return [(name, ex[key]) for key, name in EXEC_FIGURES if key in ex and ex[key].blank]


def exec_unknown(form: SelfEval, tolerance: float = 0.005) -> str:
    """Why the 执行率 cannot be recomputed although the block was filled ("" when it can): the figures it
    needs are blank under a typed rate or score, or show an error value (#REF! …), or a total of the 年度资金总额
    row disagrees with its own parts (F103 reports it there: which of the two is right is not known, and a rate
    from it would blame the other figure; ``tolerance``: the profile's for amounts)."""
    from ..read.values import fmt_number, is_error_value

    blank = blank_exec_figures(form)
    if blank:
        return f"无法复核：{'、'.join(name for name, _ in blank)}未填写，填报的执行率、得分无从核对"
    for key, name in EXEC_FIGURES:
        cell = form.exec.get(key)
        if cell is not None and is_error_value(cell.raw):
            return f"无法复核：{name}显示错误值 {str(cell.raw).strip()}"
        if cell is not None and not cell.blank and cell.skipped is None and num(cell) is None:
            return f"无法复核：{name}填的是“{cell.text}”，不是数字"  # "见附表", "八十三": N001 names it
    if form.unknown_sources:  # a row that may or may not be a part (F104): no sum is asserted
        return ""
    keys = source_parts(form)
    for key, name in reversed(EXEC_FIGURES):  # 全年预算数 first, as F103 lists them
        cell = form.exec.get(key)
        total, values = num(cell), [num(form.sources[k].get(key)) for k in keys]
        parts = sum(v or 0 for v in values)
        if key == "full" and not total and parts > 0:  # a total row never summed (F103 says so)
            return f"无法复核：{name}填 0 或空白，而其中各项之和为 {fmt_number(parts)}"
        if total is None or not any(values):  # nothing to add up, or the parts left at 0 (F105 asks for them)
            continue
        if abs(total - parts) > tolerance + 1e-9:  # F103
            return f"无法复核：{name} {fmt_number(total)} 与其中各项之和 {fmt_number(parts)} 不符（见 {cell.address}）"
    return ""


def exec_part_missing(form: SelfEval, profile: Profile) -> bool:
    """The 执行率 part counts in the form's 总分 (its indicators' 分值 leave room for it: ``exec_weight`` > 0 and
    they add up to less than 100), but the execution block was not read: the 总分 is not known."""
    if exec_read(form):  # nearly every form: nothing to add up
        return False
    weights = sum(w for w in (num(i.weight) for i in form.indicators) if w is not None)
    return exec_weight(form, profile) > 0 and weights < 100 - 1e-6


def _unread_exec(form: SelfEval) -> str:
    if any(form.exec.get(key) is not None for key, _ in EXEC_FIGURES):  # the row is there, left empty
        return "未读出：年度资金总额的全年预算数、全年执行数都没有填写"
    return UNREAD_EXEC


@dataclass(frozen=True, slots=True)
class SelfEvalResults(_Results):
    """The results of 附件2/附件3 with the judged rows they are made of (``rows``: each row's target, actual,
    judgement and suggested score); None where a result was not read, ``unread`` saying why."""

    exec_rate: float | None = None
    exec_score: float | None = None
    weight_total: float | None = None
    total_score: float | None = None
    grade: str | None = None
    unread: Mapping[str, str] = dc_field(default_factory=lambda: _NO_REASONS)
    rows: tuple[Row, ...] = ()
    # where the 执行率 is scored when a 三级指标 scores it (``exec_row``: "三级指标“预算执行率” G14"; its 得分 is
    # ``exec_score`` and counts in the total once, among the rows'); "" when the funds block scores it
    exec_within: str = ""

    KEYS: ClassVar[tuple[str, ...]] = ("exec_rate", "exec_score", "weight_total", "total_score", "grade")


def self_eval_results(form: SelfEval, profile: Profile, rows: list[Row] | None = None) -> SelfEvalResults:
    """The results of 附件2/附件3 (``rows``: its ``indicator_rows`` when already read).

    What was not read is never a number: a form whose execution block, weights or scores could not be
    read has None for the results that depend on them, and ``unread`` says why (key → Chinese reason);
    a form with indicators but no 得分 typed at all is 未评分 (no total, no grade), never 0 分 / 差.
    """
    rows = indicator_rows(form, profile) if rows is None else rows
    unread: dict[str, str] = {}
    weight = exec_weight(form, profile)
    read = exec_read(form)
    unknown = exec_unknown(form, profile.tolerance_amount) if read else ""
    within = exec_row(form, profile)
    if unknown:  # a typed rate over blank figures: neither that rate nor 0 % is known
        rate = score = None
        unread["exec_rate"] = unread["exec_score"] = unknown
    elif read:
        rate = S.exec_rate(num(form.exec.get("full")), num(form.exec.get("executed")))
        if rate is None and profile.zero_budget_rate is not None and num(form.exec.get("full")) == 0 \
                and not num(form.exec.get("executed")):
            rate = profile.zero_budget_rate  # 浙江: 0 ÷ 0 counts as 100 % (profile_data/zhejiang.json)
        score = S.exec_score(rate, weight, profile.score_bands, profile.rate_decimals)
    else:
        rate = score = None
        unread["exec_rate"] = unread["exec_score"] = _unread_exec(form)
    block_score = score  # what the funds block adds to the total (0 where a 三级指标 scores the 执行率)
    if within is not None:  # 宁夏: the 执行率 is a 三级指标; its 得分 is that row's, counted there once
        score = _within_score(within, rows, unread)
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
    elif unsure := unsure_reason(form, "weight"):  # a row over others whose 分值 do not add up to it
        weight_total = None
        unread["weight_total"] = unsure
    else:
        weight_total = S.round2(weight + sum(weights))
    unreadable = [r.ind.score for r in rows if r.score is None and r.ind.score is not None and not r.ind.score.blank]
    if not rows:
        total = None
        unread["total_score"] = unread["grade"] = NO_INDICATORS
    elif unreadable:  # "满分" typed as a 得分: the total is not that 得分 counted as 0
        total = None
        cells = "、".join(f"“{c.text}”（{c.address}）" for c in unreadable[:3])
        more = f" 等 {len(unreadable)} 个" if len(unreadable) > 3 else ""
        unread["total_score"] = unread["grade"] = f"无法复核：得分 {cells}{more} 不是数字"
    elif all(r.score is None for r in rows) and not weights:
        total = None  # no weights and no scores: nothing of the score was read
        unread["total_score"] = unread["grade"] = UNSCORED if form.levels else NO_INDICATORS
    elif all(r.score is None for r in rows) and num(form.total_score) is None:
        total = None
        unread["total_score"] = unread["grade"] = UNSCORED
    elif unknown and within is None:  # the total counts the 执行率得分, which cannot be recomputed
        total = None
        unread["total_score"] = unread["grade"] = f"无法复核：总分含执行率得分，而{unknown.split('：', 1)[1]}"
    elif exec_part_missing(form, profile):  # the total counts a 执行率得分 that was not read: not 0 分 either
        from ..read.values import fmt_number

        total = None
        why = unread["exec_score"].split("：", 1)[1]
        unread["total_score"] = unread["grade"] = f"无法复核：总分含执行率得分（{fmt_number(weight)} 分），而{why}"
    elif blank := unscored_rows(rows):  # a 得分 nobody typed is neither full marks nor 0
        total = None
        unread["total_score"] = unread["grade"] = blank_scores_reason(blank)
    elif unsure := unsure_reason(form, "score"):  # a row that may or may not be its items' subtotal
        total = None
        unread["total_score"] = unread["grade"] = unsure
    else:
        total = S.round2((block_score or 0.0) + sum(r.effective for r in rows))
    grade = S.grade(total)
    off_scale = scale_reason(weight_total, profile.tolerance_score)
    if grade is not None and off_scale:  # 150.2 of 170 points is no 优 on the 100-point scale
        grade = None
        unread["grade"] = off_scale
    elif grade is not None and weight_total is not None and total > weight_total + profile.tolerance_score:
        from ..read.values import fmt_number

        grade = None  # 120 of 100: the parts are wrong somewhere (their own rules say where), no grade is known
        unread["grade"] = f"无法复核：总分 {fmt_number(total)} 超过分值合计 {fmt_number(weight_total)}"
    return SelfEvalResults(rate, score, weight_total, total, grade,
                           MappingProxyType(unread) if unread else _NO_REASONS, tuple(rows),
                           exec_row_text(within) if within is not None else "")


def _within_score(ind: Indicator, rows: list[Row], unread: dict[str, str]) -> float | None:
    """The 执行率得分 of a form whose 三级指标 ``ind`` scores the 执行率: the row's score as the total counts it
    (the 执行率 itself stays the block's, recomputed from its figures); ``unread`` says why there is none."""
    row = next((r for r in rows if r.ind is ind), None)
    unread.pop("exec_score", None)
    if row is None or row.score is None:
        unread["exec_score"] = f"未评分：{exec_row_text(ind)} 的得分没有填写"
        return None
    return row.effective


FULL_MARKS = 100.0  # the scale the grades are set on (优 ≥ 90 …): 财预〔2020〕10号 第十三条, spec §4
OFF_SCALE = "无法复核：分值合计"  # how ``scale_reason`` begins


def scale_reason(weight_total: float | None, tolerance: float = 0.005) -> str:
    """Why no grade can be given for a total whose 分值 do not add up to 100 ("无法复核：分值合计 170 ≠ 100"): the
    grades are set on the 100-point scale, and a total out of 170 (or 70) is not on it (W102 names the weights).
    "" when they add up, or were not read (nothing says they do not)."""
    from ..read.values import fmt_number

    if weight_total is None or abs(weight_total - FULL_MARKS) <= tolerance + 1e-9:
        return ""
    return f"{OFF_SCALE} {fmt_number(weight_total)} ≠ {fmt_number(FULL_MARKS)}"


def shown(res: _Results, key: str) -> str:
    """A result as the text, the add-in's alert and 校验结果 show it: the number (执行率 as a percentage,
    the grade as its word), or why there is none (未读出 / 未评分), never 0 or 差 for what was not read."""
    from ..read.values import fmt_number, fmt_rate

    value = res.value(key)
    if value is None:
        reason = res.why(key)
        return reason.split("：", 1)[0] if reason else "空"
    if key == "grade" or isinstance(value, str):
        return value
    return fmt_rate(value) if key.endswith("rate") else fmt_number(value)


def full_marks_past_parts(typed: float | None, parts: float | None, most: float | None, tolerance: float) -> bool:
    """The 总分 typed is the full 分值合计 ``most`` while the parts add up past it (湖北: 100 typed, parts 120 of 100):
    telling the unit its total "should be 120" is no advice (W104, the report's 总分 alike); the parts' own rules
    say which is wrong."""
    return None not in (typed, parts, most) and parts > most + tolerance and abs(typed - most) <= tolerance + 1e-9


def exec_text(res: SelfEvalResults, profile: dict | None = None) -> str:
    """"执行率 100.00%，执行率得分 9": the 结果 line's 执行率 part, saying where a 三级指标 scores it ("执行率得分 9
    （在三级指标“预算执行率” G14 中计分）") rather than a 0 of the funds block, and how --exec-mode scored it
    (``profile``: the report's, as check_workbook describes it: exec_mode and exec_how when the option was given)."""
    how = (profile or {}).get("exec_how")
    mode = f"（--exec-mode {profile['exec_mode']}：{how}）" if how else ""
    text = f"执行率 {shown(res, 'exec_rate')}，执行率得分 {shown(res, 'exec_score')}{mode}"
    return f"{text}（在{res.exec_within} 中计分）" if res.exec_within else text


def total_text(res: SelfEvalResults) -> str:
    """"总分 99（优）", "总分 150.2（等级无法复核：分值合计 170 ≠ 100）", or "总分 未评分" / "总分 未读出" (no grade
    shown beside it)."""
    if res.total_score is None:
        return f"总分 {shown(res, 'total_score')}"
    if res.grade is None and res.why("grade"):  # a total not on the 100-point scale: "等级无法复核：分值合计 170 ≠ 100"
        return f"总分 {shown(res, 'total_score')}（等级{res.why('grade')}）"
    return f"总分 {shown(res, 'total_score')}（{shown(res, 'grade')}）"


Results = BasicResults | SelfEvalResults


def results(form, profile: Profile, rows: list[Row] | None = None) -> Results:
    """The results of a form (``rows``: a 附件2/附件3's ``indicator_rows`` when already read)."""
    if isinstance(form, BasicData):
        return basic_results(form)
    return self_eval_results(form, profile, rows)
