"""H: checks only the unit's earlier year allows (``--store``: the results store holds its previous year).

They read ``ctx.history`` (set by ``check_workbook(..., history=)``: the store's lookup bound to the
workbook, ``store.BoundHistory``); without a store they say nothing.
"""

from __future__ import annotations

from .findings import Rule
from ..read.model import num
from ..read.values import AMOUNT_UNITS, convert, fmt_number, fmt_rate
from .base import differs, r2, r4

SOURCE = "本工具的跨年核对：绩效库（--store）中本单位上一年度的填报"
LOW_EXEC = 0.8


def _previous_of(form, history):
    return history.previous(form)


def previous(form, ctx):
    """The same form of the unit's previous year in the store, once per check; None without a store."""
    history = getattr(ctx, "history", None)
    if history is None:
        return None
    return ctx.once(_previous_of, form, history)


def _file(prev) -> str:
    return prev.source_file or "（未记录文件名）"


def _prev_actuals(rule, form, ctx):
    prev = previous(form, ctx)
    if prev is None:
        return
    from ..store.records import norm_name

    rows = [(key, row) for key, row in form.rows.items()]
    rows += [(f"special:{norm_name(row.label)}", row) for row in form.specials]
    rows += [(f"other:{norm_name(row.label)}", row) for row in form.project_others]
    actuals = prev.actuals
    for key, row in rows:
        cell = row.cells.get("prev_actual")
        stated = num(cell)
        if stated is None:
            continue
        figure = actuals.get(f"{key}.actual")
        if figure is None or figure[3] is None:
            continue
        typed = figure[3]
        then, now = prev.amount_unit, getattr(form, "unit", None)
        last, shown, tolerance = typed, None, 0.005
        if then and now and then != now and then in AMOUNT_UNITS and now in AMOUNT_UNITS:
            last = convert(typed, then, now)  # last year's form in 元, this year's in 万元: one amount
            shown = f"{fmt_number(last)}（上年表以{then}为单位，填 {fmt_number(typed)}）"
            # 17 万元 is 170,000 元 give or take 50: a coarser unit last year is only that exact
            tolerance = max(tolerance, 0.005 * AMOUNT_UNITS[then] / AMOUNT_UNITS[now])
        elif not then and _units_apart(stated, typed):  # a store of an older version keeps no unit: 17 and
            continue  # 170,000 are one amount in 万元 and in 元, not a figure typed wrong
        if differs(stated, last, tolerance):  # the figures formatted only for the message
            shown = shown or fmt_number(typed)
            yield PREV_ACTUAL.at(form.sheet, cell, expected=r2(last), found=r2(stated), text=dict(
                found=fmt_number(stated), year=prev.year, expected=shown, label=row.label,
                cell=figure[2], file=_file(prev)))


def _units_apart(a: float, b: float) -> bool:
    """a and b are one amount in two of the units a form uses (元, 千元, 万元, 亿元)."""
    if not a or not b:
        return False
    ratio = max(abs(a), abs(b)) / min(abs(a), abs(b))
    return any(abs(ratio - factor) <= factor * 0.0005 for factor in (1e3, 1e4, 1e5, 1e8))


PREV_ACTUAL = Rule(
    code="H101", name="prev-year-differs", severity="warning", scope="basic_data",
    summary="上年决算数与本单位上一年度填报的本年决算数不符",
    template="上年决算数填 {found}，本单位 {year} 年填报的{label}决算数为 {expected}（上年文件 {file} 的 {cell}）；"
             "请按上年决算核对，改正其中填错的一个",
    why="附件1 的上年决算数是照上一年度的决算抄录的；绩效库中有本单位上一年度的自评表时，两者应当相同，"
        "不同说明其中一处抄错或上年数据后来更正过。",
    source=SOURCE,
    bad="2022 年自评表“公务用车”决算数 9，2023 年自评表的 2022 年决算数填 17",
    good="2023 年自评表的 2022 年决算数填 9，与上年填报一致",
    check=_prev_actuals,
)


def _last_actual(figure):
    """Last year's 实际完成值 as one quantity (a Part), or None."""
    from ..compute.targets import read_actual

    _key, _label, _cell, value, text = figure
    try:
        reading = read_actual(text if text is not None else value)
    except Exception:  # noqa: BLE001 - a text that cannot be read: no comparison
        return None
    parts = reading.parts
    if len(parts) != 1 or parts[0].family in ("date", "text") or parts[0].change:
        return None
    return parts[0]


def _raised_targets(form, ctx):
    """(row, target) of the rows whose target is one quantity where more is better (≥, >, = or no sign)."""
    for row in ctx.rows(form):
        judged = row.judged
        parts = judged.target.parts
        if len(parts) != 1 or parts[0].family in ("date", "text") or parts[0].change:
            continue
        target = parts[0]
        op = judged.pairs[0].op if judged.pairs else target.op
        if op in ("<=", "<", "range") or target.op in ("<=", "<", "range"):
            continue  # lower is better (成本, 时限): a lower target is no lower ambition
        yield row, target


def _target_below(rule, form, ctx):
    candidates = list(_raised_targets(form, ctx))
    prev = previous(form, ctx) if candidates else None  # no such target: last year is not read
    if prev is None:
        return
    from ..store.records import indicator_key

    actuals = prev.actuals
    for row, target in candidates:
        ind = row.ind
        figure = actuals.get(indicator_key(ind) + ".actual") if actuals else None
        last = _last_actual(figure) if figure is not None else None
        if last is None or last.family != target.family:
            continue
        if target.value < last.value - 1e-9:
            yield TARGET_BELOW.at(form.sheet, ind.target, expected=r2(last.value), found=r2(target.value), text=dict(
                found=ind.target.text, year=prev.year, expected=figure[4] or fmt_number(figure[3]), file=_file(prev),
                cell=figure[2], same="同一项目同一指标" if form.kind == "project_self_eval" else "同一指标"))


TARGET_BELOW = Rule(
    code="H102", name="target-below-last-year", severity="info", scope="self_eval",
    summary="年度指标值低于本单位上一年度同一指标的实际完成值",
    template="年度指标值“{found}”低于本单位 {year} 年{same}的实际完成值“{expected}”"
             "（上年文件 {file} 的 {cell}）；请核实目标是否定得偏低",
    why="绩效目标应当积极可行；已经做到的水平再定为目标，达成不说明绩效。绩效库中有本单位上一年度同一项目、"
        "同一指标的完成值时，本年目标低于它值得核实。",
    source=SOURCE + "；《项目支出绩效评价管理办法》（财预〔2020〕10号）绩效目标应当指向明确、细化量化、合理可行",
    bad="上年满意度实际 99%，本年目标 ≥95%",
    good="本年目标 ≥99%，或说明下调的原因",
    check=_target_below,
)


def _exec_two_years(rule, form, ctx):
    rate = ctx.results(form).value("exec_rate")
    if rate is None or rate >= LOW_EXEC:
        return
    prev = previous(form, ctx)
    before = prev.exec_rate if prev is not None else None
    if before is None or before >= LOW_EXEC:
        return
    cell = form.exec.get("rate") or form.exec.get("executed")
    yield LOW_TWO_YEARS.at(form.sheet, cell, expected=r4(before), found=r4(rate), text=dict(
        found=fmt_rate(rate), year=prev.year, expected=fmt_rate(before), file=_file(prev)))


LOW_TWO_YEARS = Rule(
    code="H103", name="low-execution-two-years", severity="info", scope="self_eval",
    summary="预算执行率连续两年低于 80%",
    template="预算执行率 {found}，本单位 {year} 年也只有 {expected}（上年文件 {file}），连续两年低于 80%；"
             "请说明原因，并核实预算编制是否偏大",
    why="执行率一年偏低可能有客观原因，连续两年低于 80% 多半是预算编得偏大或项目推进不力，"
        "评审时通常要求说明并在下一年度预算中调整。",
    source=SOURCE + "；预算执行率低于 80% 的比照各地预算执行通报口径",
    bad="2022 年执行率 70%，2023 年执行率 76%",
    good="执行率回到 80% 以上，或在自评表中说明原因",
    check=_exec_two_years,
)

RULES = [PREV_ACTUAL, TARGET_BELOW, LOW_TWO_YEARS]
