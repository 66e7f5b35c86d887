"""Every derived cell of a form: where it is, its correct value, and its Excel formula.

This module is the one definition of **input cell vs derived cell**.  A cell
is derived when it is in ``derived()``: sums, subtotals, totals, control and
execution rates, the 执行率得分, the 总分 and its 等级 (the template adds its
title formulas).  Every other cell the reader found is an input
(``input_cells``): what the user typed, never written by ``fill``, the
template's ``--from`` or the Excel button.  An indicator's 得分 is an input
too: the evaluator's judgement.  For a quantitative indicator the engine
can still compute a reference score (``input_suggestions``), which the checks
show but nothing ever writes.

One list serves the D001 check (blank derived cells), ``fill`` (values in
official-layout workbooks, formulas in templates) and the template writer.
Formulas are built from the positions the reader found, so they follow the
workbook's own layout; each is guarded so that no #DIV/0! ever shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from ..read import forms as F
from . import scoring as S
from .results import (RATES, BasicResults, Results, SelfEvalResults, blank_exec_figures, part_keys, parts_sum, rate_value,
                      exec_weight, results as _results, row_rate, scale_reason, source_parts, stated_score_sum, sum_fields,
                      unstated_exec_weight)
from ..xlsx.grid import col_letter
from ..read.model import _UNREAD, BasicData, Cell, SelfEval, num
from .profiles import Profile
from ..read.values import fmt_number


@dataclass(frozen=True)
class Derived:
    cell: Cell
    value: object  # the engine's value; None = blank
    formula: str | None  # "=..." or None where no formula applies
    kind: str  # amount | rate | score | text | grade


def cell_value(item: Derived) -> object:
    """What the cell holds once written: the value, after its label when label and value share the cell
    ("等级：优")."""
    if not item.cell.prefix:
        return item.value
    if item.value is None:  # 未评分: the label alone, as the formula shows it ("等级：")
        return item.cell.prefix
    return f"{item.cell.prefix}{item.value if isinstance(item.value, str) else fmt_number(item.value)}"


def settle(read: Callable[[], list[Derived]], write: Callable[[Derived], bool], passes: int = 6) -> list[Derived]:
    """Write derived cells until reading back changes nothing (a sum feeds a total, the total a rate …).

    ``read`` reads the form(s) again and returns their derived cells; ``write`` puts one in place and says
    whether the cell changed.  Returns the derived cells of the settled form(s)."""
    for _ in range(passes):
        changed = [write(item) for item in read()]  # every item written, not only up to the first change
        if not any(changed):
            break
    return read()


def typed_alone(total: Cell | None, parts: float | None) -> bool:
    """A total typed without its parts (``parts``: their sum, None when every one is blank, 0 when all are 0): the
    only figure the form gives there ("年度财政资金总额 278.4449" with no 财政拨款/其他资金 under it), so it is the
    user's input and not a derived cell: a SUM of its parts would drop it (blank, or 0 over parts left at 0, which
    F105 asks for).  Once a part holds an amount the total is derived again (a wrong one is F103's)."""
    value = num(total) if total is not None and not total.blank else None
    return value is not None and not parts and (value != 0 or parts is None)


def typed_totals(form) -> list[Cell]:
    """The totals of a form typed without their parts (``typed_alone``): inputs, kept as typed."""
    kept: list[Cell] = []
    if isinstance(form, BasicData):
        for field in sum_fields():
            row = form.rows.get(field.key)
            if row is not None and part_keys(form, field.key):
                kept += [cell for col, cell in row.cells.items() if typed_alone(cell, parts_sum(form, field.key, col))]
        return kept
    ex = form.exec
    keys = source_parts(form) if any(ex.get(f.key) is not None for f in F.EXEC_COLUMNS[:3]) else []
    for col in (f.key for f in F.EXEC_COLUMNS[:3]):
        sources = [form.sources[k].get(col) for k in keys if form.sources[k].get(col) is not None]
        if sources and typed_alone(ex.get(col), _summed(sources)):
            kept.append(ex[col])
    for head, parts in _breakdown_parts(form):
        cells = [form.breakdown[p] for p in parts if p in form.breakdown]
        if cells and typed_alone(form.breakdown.get(head), _summed(cells)):
            kept.append(form.breakdown[head])
    return kept


def _count_sum(refs: str) -> str:
    return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def _ratio(top: str, bottom: str) -> str:
    return f'=IF(AND(ISNUMBER({bottom}),N({bottom})>0,ISNUMBER({top})),{top}/{bottom},"")'


def _basic(form: BasicData, profile: Profile, res: BasicResults, blank_only: bool = False) -> list[Derived]:
    out: list[Derived] = []
    staff = form.staff
    for rate in RATES:  # 财政供养人员控制率 (compute.RATES)
        if (rate.where == "staff" and rate.cell in staff and rate.top in staff and rate.bottom in staff
                and not (blank_only and not staff[rate.cell].blank)):
            out.append(Derived(staff[rate.cell], res.value(rate.key),
                               _ratio(staff[rate.top].address, staff[rate.bottom].address), "rate"))
    # inner sums first: 公务用车 before 三公, 县级专项 before 项目支出
    for field in sum_fields():
        key = field.key
        row = form.rows.get(key)
        parts = part_keys(form, key)
        if row is None:
            continue
        for col, cell in row.cells.items():
            if blank_only and not cell.blank:
                continue
            if typed_alone(cell, parts_sum(form, key, col)):  # the only figure given: the user's input
                continue
            if field.items:  # the rows under it down to the next row of the form: inserted 专项 rows count
                after = form.rows.get(F.row_after(key) or "")
                first, last = row.row + 1, (after.row - 1 if after else row.row + len(parts))
                if last < first:
                    continue
                letter = col_letter(cell.col)
                refs = f"{letter}{first + 1}:{letter}{last + 1}"
            else:
                cells = [form.cell(p, col) if isinstance(p, str) else p.cells.get(col) for p in parts]
                cells = [c for c in cells if c is not None]
                if not cells:
                    continue
                refs = ",".join(c.address for c in cells)
            out.append(Derived(cell, parts_sum(form, key, col), _count_sum(refs), "amount"))
    # 控制率 (决算 ÷ 预算) of the rows that have one, where the form has the column (the template does)
    for rate in RATES:
        row = form.rows.get(rate.row) if rate.where == "fund" else None
        if row is None or row.rate is None or (blank_only and not row.rate.blank):
            continue
        top, bottom = row.cells.get(rate.top), row.cells.get(rate.bottom)
        if top is not None and bottom is not None:
            out.append(Derived(row.rate, rate_value(form, rate), _ratio(top.address, bottom.address), "rate"))
    building_rates = [r for r in RATES if r.where == "building"]
    for building in form.buildings:
        cells = building.cells
        for rate in building_rates:
            if (rate.cell in cells and rate.top in cells and rate.bottom in cells
                    and not (blank_only and not cells[rate.cell].blank)):
                out.append(Derived(cells[rate.cell], row_rate(cells, rate),
                                   _ratio(cells[rate.top].address, cells[rate.bottom].address), "rate"))
    return out


def exec_score_formula(rate: str, weight: str, bands: tuple = (), decimals: int = 2) -> str:
    """The 执行率得分 formula: 分值 × 执行率 (at most the 分值), or the banded profile's bands, each chosen on the
    rate rounded as the form shows it (``scoring.exec_score``)."""
    if not bands:
        return f"ROUND({weight}*MIN(MAX({rate},0),1),2)"
    shown = f"ROUND(MAX({rate},0),{decimals + 2})"

    def points(share: float) -> str:
        return weight if share == 1 else "0" if share == 0 else f"ROUND({weight}*{share:g},2)"

    formula = "0"
    for lowest, share in reversed(bands):
        formula = points(share) if lowest <= 0 else f"IF({shown}>={lowest:g},{points(share)},{formula})"
    return formula


def _self_eval(form: SelfEval, profile: Profile, res: SelfEvalResults, blank_only: bool = False) -> list[Derived]:
    """A 附件2/3's derived cells, section by section as the form prints them."""
    return (_fund_sources(form, blank_only) + _execution(form, profile, res, blank_only)
            + _breakdown(form, blank_only) + _subtotals(form, blank_only) + _level_headers(form, blank_only)
            + _totals(form, profile, res, blank_only))


def _subtotals(form: SelfEval, blank_only: bool) -> list[Derived]:
    """A group's subtotal row ("一、示范区建立" over "1、…", "2、…": ``read.groups``): its 分值 and 得分 are the
    sums of its items'.  Only a head already read as their subtotal; a heading left without numbers stays so."""
    out = []
    for group in form.groups:
        if group.kind != "subtotal":
            continue
        first, last = group.items[0].row + 1, group.items[-1].row + 1
        for key in ("weight", "score") if group.column == "weight" else ("score",):  # 分值 summed when they decided
            cell = getattr(group.head, key)
            if not _wanted(cell, blank_only) or cell.prefix:
                continue
            cells = [getattr(i, key) for i in group.items]
            value = None if any(c is None or num(c) is None for c in cells) else _summed(cells)
            col = col_letter(cell.col)
            out.append(Derived(cell, value, f"=SUM({col}{first}:{col}{last})", "score"))
    return out


def _counted_sum(form: SelfEval, col: str, first: int, last: int) -> str:
    """SUM of a column over rows ``first``..``last`` (0-based) without the subtotal rows among them (each
    indicator counted once: ``read.groups``)."""
    heads = [g.head for g in form.groups if g.kind == "subtotal" and first <= g.head.row <= last]
    whole = f"SUM({col}{first + 1}:{col}{last + 1})"
    return f"({whole}-SUM({','.join(f'{col}{h.row + 1}' for h in heads)}))" if heads else whole


def _wanted(cell, blank_only: bool) -> bool:
    """A derived cell to give: present, and blank when only blank ones are asked for."""
    return cell is not None and not (blank_only and not cell.blank)


def _summed(cells: list[Cell]) -> float | None:
    values = [num(c) for c in cells]
    return None if all(v is None for v in values) else round(sum(v or 0 for v in values), 6)


def _fund_sources(form: SelfEval, blank_only: bool) -> list[Derived]:
    """附件3: 年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金, per column (年初预算数, 全年预算数, 全年执行数)."""
    out, ex, keys = [], form.exec, None  # source_parts, once a cell needs them
    for col in (f.key for f in F.EXEC_COLUMNS[:3]):
        if not _wanted(ex.get(col), blank_only):
            continue
        keys = source_parts(form) if keys is None else keys
        sources = [form.sources[k].get(col) for k in keys if form.sources[k].get(col) is not None]
        # a total typed without its sources (none typed, or all left at 0: F105 asks for them) is the input there
        if sources and not typed_alone(ex[col], _summed(sources)):
            out.append(Derived(ex[col], _summed(sources), _count_sum(",".join(c.address for c in sources)), "amount"))
    return out


def _execution(form: SelfEval, profile: Profile, res: SelfEvalResults, blank_only: bool) -> list[Derived]:
    """执行率 = 全年执行数 ÷ 全年预算数 and its 得分; a typed rate over a blank 执行数 stays as typed (E109)."""
    ex = form.exec
    if not {"full", "executed"} <= ex.keys() or blank_exec_figures(form):
        return []
    full, executed = ex["full"].address, ex["executed"].address
    guard = f"AND(ISNUMBER({full}),N({full})>0)"
    rate = f"N({executed})/{full}"
    out = []
    if _wanted(ex.get("rate"), blank_only):
        out.append(Derived(ex["rate"], res.exec_rate, f'=IF({guard},{rate},"")', "rate"))
    if _wanted(ex.get("score"), blank_only):
        score = exec_score_formula(rate, _exec_weight_ref(form, profile), profile.score_bands, profile.rate_decimals)
        # 0 for a 全年预算数 of 0 (no rate: E103); none where nothing of the block was typed (未读出) or a figure
        # is words ("见附表": 无法复核) — a score of 0 written there would make the total read as if it were known
        out.append(Derived(ex["score"], None if res.why("exec_score") else res.exec_score,
                           f'=IF({guard},{score},IF(COUNT({full},{executed})=0,"",0))', "score"))
    return out


def _breakdown_parts(form: SelfEval) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The 按收入性质分 / 按支出性质分 totals and their parts' keys (a unit's extra income rows count in theirs)."""
    extra = tuple(k for k in form.breakdown if k.startswith("income+"))
    income, expense = F.DEPT_INCOME[0], F.DEPT_EXPENSE[0]
    return (income.key, income.parts + extra), (expense.key, expense.parts)


def _breakdown(form: SelfEval, blank_only: bool) -> list[Derived]:
    """附件2: the 按收入性质分 / 按支出性质分 totals (a unit's extra income rows count in theirs)."""
    out = []
    for head, parts in _breakdown_parts(form):
        cell = form.breakdown.get(head)
        cells = [form.breakdown[p] for p in parts if p in form.breakdown]
        if not _wanted(cell, blank_only) or not cells or typed_alone(cell, _summed(cells)):
            continue
        formula = None if any(c.prefix for c in cells + [cell]) else _count_sum(",".join(c.address for c in cells))
        out.append(Derived(cell, _summed(cells), formula, "amount"))
    return out


def _totals(form: SelfEval, profile: Profile, res: SelfEvalResults, blank_only: bool) -> list[Derived]:
    """分值合计, 总分 and 等级.  A form nobody has scored yet (未评分): its total and grade keep their formulas (a
    template computes as the scores are typed) but get no value, never 0 分 / 差 from blank scores."""
    out, ex = [], form.exec
    unscored = res.why("total_score")
    indicators = form.indicators if _wanted(form.total_weight, blank_only) or _wanted(form.total_score, blank_only) \
        else []
    if indicators:
        first = min(i.row for i in indicators)
        last = max(i.row for i in indicators)
        # a form without a 分值 (or 得分) column has no column to sum: that total is not derived
        weight_col = col_letter(indicators[0].weight.col) if indicators[0].weight is not None else None
        score_col = col_letter(indicators[0].score.col) if indicators[0].score is not None else None
        exec_s = f"N({ex['score'].address})" if "score" in ex else "0"
        weights = f"{weight_col}{first + 1}:{weight_col}{last + 1}" if weight_col else None
        weight_sum = _counted_sum(form, weight_col, first, last) if weight_col else None
        if weight_col and _wanted(form.total_weight, blank_only):
            weight = _exec_weight_ref(form, profile)
            summed = weight_sum
            section = num(form.indicators_weight)  # "年度绩效目标(80分)": the rows' total while they state none
            if section is not None:  # as results.weight_total counts it
                summed = f"IF(COUNT({weights})=0,{fmt_number(section)},{weight_sum})"
            out.append(Derived(form.total_weight, res.weight_total, f"={weight}+{summed}", "score"))
        if score_col and _wanted(form.total_score, blank_only):
            scores = f"{score_col}{first + 1}:{score_col}{last + 1}"
            blank = _not_known(form, profile, scores, weights, weight_sum)
            out.append(Derived(form.total_score, None if unscored else S.round2(stated_score_sum(form, profile)),
                               f'=IF({blank},"",{exec_s}+{_counted_sum(form, score_col, first, last)})', "score"))
    if form.total_score is not None and _wanted(form.grade, blank_only):
        grade = _grade(form, profile)
        # 未评分, or a total not on the 100-point scale (分值合计 170): no grade is written
        off_scale = scale_reason(res.weight_total, profile.tolerance_score)
        out.append(replace(grade, value=None) if unscored or off_scale else grade)
    return out


def _not_known(form: SelfEval, profile: Profile, scores: str, weights: str | None,
               weight_sum: str | None = None) -> str:
    """When the 总分 formula stays blank, as ``results`` leaves the total None: no 得分 typed (未评分); a 得分
    that is not a number where it counts (``unscored_rows``: a weighted row left blank or "/", or words anywhere);
    the 执行率 block empty while the 分值 leave room for it (``exec_part_missing``)."""
    terms = [f"COUNT({scores})=0"]
    if weights:
        weighted = f"ISNUMBER({weights})*({weights}>0)+(COUNT({weights})=0)"
        terms.append(f"SUMPRODUCT(NOT(ISNUMBER({scores}))*((LEN({scores})>0)+{weighted}>0))>0")
    cells = [form.exec[k].address for k in ("full", "executed", "rate", "score") if k in form.exec]
    if cells:
        room = f"{weight_sum or f'SUM({weights})'}<100" if weights else "TRUE"
        terms.append(f"AND(COUNT({','.join(cells)})=0,{_exec_weight_ref(form, profile)}>0,{room})")
    return f"OR({','.join(terms)})"


def _level_headers(form: SelfEval, blank_only: bool = False) -> list[Derived]:
    """The 一级指标 headers that state their rows' 分值 total ("产出指标(30分)"): the total as a formula.

    A header stating another total is the user's text (the checks report it), never rewritten; one that
    states the right total is right as typed, so its value is the text it holds."""
    out = []
    for level in form.levels:
        if blank_only and not level.header.blank:
            continue
        if not level.name or level.weight is None or not level.indicators or level.indicators[0].weight is None \
                or level.weight_cell is not None:  # the weight stated in a cell of its own, not with the name
            continue
        total = sum(num(i.weight) or 0.0 for i in level.indicators)
        if abs(level.weight - total) > 0.005:
            continue
        col = col_letter(level.indicators[0].weight.col)
        first, last = level.header.row, max(i.row for i in level.indicators)
        name = level.name.replace('"', '""')
        formula = f'="{name}"&CHAR(10)&"("&{_counted_sum(form, col, first, last)}&"分)"'
        out.append(Derived(level.header, level.header.raw, formula, "text"))
    return out


def _grade(form: SelfEval, profile: Profile) -> Derived:
    """The 等级 of the stated 总分 (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差), written as the cell writes it."""
    prefix = form.grade.prefix  # "等级：" when label and grade share the cell
    total = form.total_score.address
    rounded = f"ROUND({total},2)"  # as the template writes it
    known = f"ISNUMBER({total})"
    weights = form.total_weight
    if weights is not None and weights.address not in (total, form.grade.address):
        # the grades are on the 100-point scale: none while the 分值合计 is another (results.scale_reason)
        # and none for more than full marks (120 of 100: results withhold it too); N(): a blank total is no #VALUE!
        known = f"AND({known},ROUND(N({weights.address}),2)=100,ROUND(N({total}),2)<=100)"
    formula = (f'="{prefix}"&IF({known},IF({rounded}>=90,"优",IF({rounded}>=80,"良",'
               f'IF({rounded}>=60,"中","差"))),"")'
               if form.total_score.address != form.grade.address else None)
    total_value = S.round2(stated_score_sum(form, profile))
    over = total_value is not None and total_value > 100 + profile.tolerance_score  # past full marks: no grade
    return Derived(form.grade, None if over else S.grade(total_value), formula, "grade")


def _exec_weight_ref(form: SelfEval, profile: Profile) -> str:
    """The 执行率 分值 as a formula term: the cell when it holds a number, else the profile's."""
    default = f"{unstated_exec_weight(form, profile):g}"
    cell = form.exec.get("weight")
    if cell is not None and cell.prefix and cell.number is not None:  # stated in a heading: "预算执行情况(20分)"
        return f"{cell.number:g}"
    if cell is None:  # none printed: the weight the results count (none where the form has no 执行率 part)
        return f"{exec_weight(form, profile):g}"
    return f"IF(ISNUMBER({cell.address}),{cell.address},{default})"


def derived(form, profile: Profile, results: Results | None = None) -> list[Derived]:
    """Every derived cell of a form with its correct value and formula (``results``: already computed)."""
    res = results if results is not None else _results(form, profile)
    if isinstance(form, BasicData):
        return _basic(form, profile, res)
    return _self_eval(form, profile, res)


def blank_fillable(form, profile: Profile, results: Results | None = None) -> list[Derived]:
    """Derived cells left blank whose value can be computed (the filled ones are skipped before their
    value and formula are built: most cells of a submitted form are filled)."""
    res = results if results is not None else _results(form, profile)
    found = _basic(form, profile, res, True) if isinstance(form, BasicData) else _self_eval(form, profile, res, True)
    return [d for d in found if d.cell.blank and d.value is not None]


def as_opened(form, profile: Profile, results: Results | None = None):
    """The form as Excel or WPS shows it on opening, when some of its derived cells are formulas saved without a
    result (a workbook written by a program): read, they are blank (S002); opened, each shows its formula's
    value, computed from the others until nothing changes (项目支出 from its parts, then 执行率, 得分, 总分).
    A copy with those cells filled in; None when the form has no such cell.  D001's suggested values and the
    结果 line are both taken from it, so they agree with each other and with what fill writes."""
    import copy

    formulas = form.formula_cells
    if not formulas or not any(d.cell.address in formulas for d in blank_fillable(form, profile, results)):
        return None
    opened = copy.deepcopy(form)
    opened.__dict__.pop("_diagnoses", None)
    # the derived cells that were blank as read and are formulas: those Excel computes; typed ones stay as typed
    pending = {d.cell.address for d in derived(opened, profile) if d.cell.blank and d.cell.address in formulas}

    def read() -> list[Derived]:
        return [d for d in derived(opened, profile) if d.cell.address in pending]

    def write(item: Derived) -> bool:
        if item.value is None or item.cell.raw == item.value:
            return False
        _put(opened, item.cell, item.value)
        return True

    settle(read, write)
    return opened


def _put(form, cell: Cell, value) -> None:
    """A cell of a copied form holding ``value`` (its parsed number and rate worked out again)."""
    cell.raw, cell.error = value, None
    cell._blank, cell._number, cell._rate = None, _UNREAD, _UNREAD
    form.__dict__.pop("_diagnoses", None)


def figure_cells(form) -> list[Cell]:
    """The typed figures of a form the others are computed from: 附件1's head counts and amounts, 附件2/3's
    年度资金总额 row (amounts only), its breakdown and its sources."""
    if isinstance(form, BasicData):
        rows = list(form.rows.values()) + form.specials + form.project_others
        return list(form.staff.values()) + [c for row in rows for c in row.cells.values()]
    cells = [c for k, c in form.exec.items() if k not in ("rate", "score", "weight")]
    return cells + list(form.breakdown.values()) + [c for row in form.sources.values() for c in row.values()]


def with_figures(form, values: dict[str, float]):
    """A copy of ``form`` whose figure cells (``figure_cells``) at the addresses of ``values`` hold those numbers:
    the form as it would be with the check's corrections made, for the results worked out from them (a report
    that states 316.5 ÷ 320 = 98.91 % where the table typed 302 for a 全年预算数 that adds up to 320).  The form
    itself when no figure cell is at those addresses."""
    import copy

    if not any(c.address in values for c in figure_cells(form)):
        return form
    fixed = copy.deepcopy(form)
    for cell in figure_cells(fixed):
        if cell.address in values:
            _put(fixed, cell, values[cell.address])
    return fixed


def input_suggestions(form, profile: Profile, blank_only: bool = False,
                      results: Results | None = None) -> list[Derived]:
    """Input cells whose value the engine can compute: the 得分 of quantitative indicators
    (``blank_only``: only those left blank, the others not scored at all; ``results``: already computed).

    The value is the judged row's own score (``compute.Row.suggested``), the one the total counts: there
    is no second way of scoring a row.  They are shown as a reference (D001, I103) and never written: the
    score is the evaluator's."""
    if isinstance(form, BasicData):
        return []
    res = results if results is not None else _results(form, profile)
    out = []
    for row in res.rows:
        cell = row.ind.score
        if cell is None:  # an unscored form: no 得分 to suggest
            continue
        if blank_only and not cell.blank:
            continue
        if row.suggested is not None:
            out.append(Derived(cell, row.suggested, None, "score"))
    return out


def form_cells(form) -> list[Cell]:
    """Every cell the reader found in a form (labels aside)."""
    found: list[Cell] = []

    def add(value) -> None:
        if isinstance(value, Cell):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                add(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                add(getattr(value, name))

    add(form)
    unique = {(c.row, c.col): c for c in found}
    return list(unique.values())


def input_cells(form, profile: Profile) -> list[Cell]:
    """Every cell of a form that is the user's input: everything the reader found that is not derived."""
    derived_at = {(d.cell.row, d.cell.col) for d in derived(form, profile)}
    return [c for c in form_cells(form) if (c.row, c.col) not in derived_at]

