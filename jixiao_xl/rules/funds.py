"""Fund identities inside 附件2 and 附件3 [spec §6]."""

from __future__ import annotations

from ..read import forms as F
from ..compute.results import source_parts
from ..compute.diagnose import dept_diagnosis
from .findings import Rule
from ..read.model import SelfEval, num
from ..read.values import fmt_number as n
from .base import Context, differs, r2


def _breakdown(rule: Rule, form: SelfEval, ctx: Context, fields: tuple[F.Field, ...]):
    head, parts = fields[0], fields[1:]
    cells = form.breakdown
    if head.key == "income_total":  # 中央财政资金 … listed under 按收入性质分 are parts of it too
        parts = parts + tuple(F.Field(k, cells[k].where, "income") for k in cells if k.startswith("income+"))
    values = [num(cells.get(f.key)) for f in parts]
    stated_total = num(cells.get(head.key))
    budget = num(form.exec.get("full"))
    if all(v is None for v in values) and stated_total is None:
        return
    if stated_total is not None and differs(stated_total, budget, ctx.profile.tolerance_amount):
        yield rule.at(form.sheet, cells.get(head.key), expected=r2(budget), found=r2(stated_total),
                      text=dict(what=head.short,
                                detail=f"年度资金总额（全年预算数）{n(budget)}", found=n(stated_total), verb="应等于", note=""))
    reference = stated_total if stated_total is not None else budget
    if all(v is None for v in values):
        return
    total = sum(v or 0 for v in values)
    if differs(total, reference, ctx.profile.tolerance_amount):
        formula = " + ".join(f.short for f in parts)
        numbers = " + ".join(n(v or 0) for v in values)
        cell = cells.get(parts[0].key)
        yield rule.at(form.sheet, cell, expected=r2(reference), found=r2(total),
                      text=dict(what=f"{formula} = {numbers} = {n(total)}",
                                detail=f"{head.short}合计 {n(reference)}", found=n(total), verb="应等于", note=""))


def _describe(eq, value, label) -> str:
    parts = " + ".join(n(value(c)) for c in eq.parts)
    names = " + ".join(label(c) for c in eq.parts)
    return f"{label(eq.total)} {n(value(eq.total))} = {names} = {parts}"


def _diagnosed(rule: Rule, form: SelfEval, ctx: Context, key: str, fields: tuple[F.Field, ...]):
    """Report a failing 附件2 breakdown at the cells the diagnosis blames; None when it found no repair."""
    diagnosis = ctx.once(dept_diagnosis, form, ctx.profile.tolerance_amount)
    if not diagnosis.violated:
        return []
    repair = diagnosis.chosen
    if repair is None or diagnosis.unresolved:
        return None
    labels = {c.address: c.where for eq in diagnosis.equations for c in [eq.total] + eq.parts}

    def label(c):
        return "年度资金总额（全年预算数）" if c is form.exec.get("full") else labels[c.address]

    formulas = form.formula_cells

    def value(c, fixed=repair.values, follows=repair.follows):  # a formula: what its repaired parts make it
        return fixed.get(c.address, follows.get(c.address, num(c) or 0.0))

    out = []
    for address, should in repair.values.items():
        cell = repair.cells[address]
        home = next(eq for eq in diagnosis.violated + diagnosis.equations
                    if address in [c.address for c in [eq.total] + eq.parts])
        if home.key != key:
            continue
        fixed = [eq for eq in diagnosis.violated if address in [c.address for c in [eq.total] + eq.parts]]
        if not fixed:  # a part of a formula total: the sum follows, and the identity the sum failed holds
            sums = [eq for eq in diagnosis.equations
                    if eq.total.address in formulas and address in [c.address for c in eq.parts]]
            totals = {eq.total.address for eq in sums}
            fixed = sums + [eq for eq in diagnosis.violated if eq.total.address in totals]
        note = ("（改正后 " + "；".join(_describe(eq, value, label) for eq in fixed) + "）") if fixed else ""
        others = diagnosis.alternatives(address)
        if others:
            named = "；".join("、".join(f"{labels.get(a, a)}（{a}）应为 {n(v)}" for a, v in r.values.items())
                             for r in others[:2])
            note += f"；同样只改{len(others[0].values)}处也能相符的还有：{named}，请核对究竟哪一处填错"
        out.append(rule.at(form.sheet, cell, expected=r2(should), found=r2(num(cell)),
                           text=dict(what=label(cell),
                                     detail=n(should), found=n(num(cell)), verb="应为", note=note)))
    return out


def _income(rule, form, ctx):
    found = _diagnosed(rule, form, ctx, "income", F.DEPT_INCOME)
    if found is None:
        yield from _breakdown(rule, form, ctx, F.DEPT_INCOME)
    else:
        yield from found


INCOME = Rule(
    code="F101", name="income-breakdown", severity="error", scope="dept_self_eval",
    summary="按收入性质分的资金合计与年度资金总额不一致",
    template="{what} {verb} {detail}，现为 {found}{note}",
    why="资金来源（一般公共预算、政府性基金、专户非税、其他）之和必须等于年度资金总额（全年预算数）。",
    source="财政部一体化系统校验“资金来源和资金方向合计金额不一致” [C]",
    bad="全年预算数 1762.55；一般公共预算 1700，其他空",
    good="全年预算数 1762.55；一般公共预算 1762.55",
    check=_income,
)


def _expense(rule, form, ctx):
    found = _diagnosed(rule, form, ctx, "expense", F.DEPT_EXPENSE)
    if found is None:
        yield from _breakdown(rule, form, ctx, F.DEPT_EXPENSE)
    else:
        yield from found


EXPENSE = Rule(
    code="F102", name="expense-breakdown", severity="error", scope="dept_self_eval",
    summary="按支出性质分的资金合计与年度资金总额不一致",
    template="{what} {verb} {detail}，现为 {found}{note}",
    why="资金方向（基本支出 + 项目支出）之和必须等于年度资金总额（全年预算数）。",
    source="财政部一体化系统校验“资金来源和资金方向合计金额不一致” [C]",
    bad="全年预算数 1762.55；基本支出 1322.23，项目支出 400",
    good="全年预算数 1762.55；基本支出 1322.23，项目支出 440.32",
    check=_expense,
)


def _sources(rule: Rule, form: SelfEval, ctx: Context):
    if form.unknown_sources:
        return  # a row that may or may not be a part: F104 says so, no sum is asserted
    names = {f.key: f.short for f in F.EXEC_COLUMNS}
    keys = source_parts(form)
    labels = " + ".join(form.source_labels.get(k, k) for k in keys)
    for col in ("initial", "full", "executed"):
        total_cell = form.exec.get(col)
        total = num(total_cell)
        values = [num(form.sources[k].get(col)) for k in keys]
        if total is None or all(v is None for v in values):
            continue
        if total > 0 and not any(values):  # the sources left at 0: F105 asks for them, not for a total of 0
            continue
        parts = sum(v or 0 for v in values)
        if differs(total, parts, ctx.profile.tolerance_amount):
            numbers = " + ".join(n(v or 0) for v in values)
            # the 结果 line's 执行率 无法复核 comes from here (results.exec_unknown): say so where it is to be mended
            blocked = col != "initial" and ctx.results(form).why("exec_rate").startswith("无法复核")
            yield rule.at(form.sheet, total_cell, expected=r2(parts), found=r2(total),
                          text=dict(column=names[col], labels=labels,
                                    detail=f"{numbers} = {n(parts)}", found=n(total),
                                    note="；执行率、执行率得分和总分据此计算，改正前无法复核" if blocked else ""))


SOURCES = Rule(
    code="F103", name="project-sources", severity="error", scope="project_self_eval",
    summary="项目资金总额不等于各资金来源（当年财政拨款、上年结转资金、其他资金等）之和",
    template="{column}应为 {labels} = {detail}，现填 {found}{note}",
    why="项目的年度资金总额由当年财政拨款（或中央、省、市、县各级财政资金）、上年结转结余和其他资金组成，每一列都要相等。"
    "全年预算数或全年执行数与其中各项之和不符时，不知哪一个是对的，执行率、执行率得分和总分都显示“无法复核”，"
    "也不再按它报执行率超过100%等问题，改正这一处后再复核。",
    source="财预〔2020〕10号 附件项目支出绩效自评表 [B]",
    bad="年度资金总额 全年预算数 83；当年财政拨款 80",
    good="年度资金总额 全年预算数 83；当年财政拨款 83",
    check=_sources,
)


def _unknown_sources(rule: Rule, form: SelfEval, ctx: Context):
    for cell in form.unknown_sources:
        yield rule.at(form.sheet, cell, expected=None, found=cell.where, where=cell.where, text=dict(label=cell.where))


UNKNOWN_SOURCE = Rule(
    code="F104", name="unknown-source-row", severity="info", scope="project_self_eval",
    summary="年度资金总额下有一行无法判断是否为资金来源",
    template="“{label}”不像资金来源（如 当年财政拨款、中央财政资金、上年结转资金、其他资金），"
    "没有计入资金来源合计；年度资金总额与各来源之和的核对（F103）因此未进行",
    why="各地自评表列出的资金来源不同；认不出的一行既可能是来源之一，也可能是说明或小计，"
    "贸然相加会误报，所以只提示、不判错。",
    source="本工具的读取规则；财预〔2020〕10号 附件项目支出绩效自评表 [B]",
    bad="年度资金总额下有一行“备注 5”",
    good="年度资金总额下各行都是资金来源（如“其中：省级财政资金”）",
    check=_unknown_sources,
)

def _sources_zero(rule: Rule, form: SelfEval, ctx: Context):
    if form.unknown_sources:
        return
    names = {f.key: f.short for f in F.EXEC_COLUMNS}
    keys = source_parts(form)
    for col in ("initial", "full", "executed"):
        total = num(form.exec.get(col))
        cells = [form.sources[k].get(col) for k in keys]
        values = [num(c) for c in cells]
        if not total or total <= 0 or all(v is None for v in values) or any(values):
            continue
        first = next(c for c, v in zip(cells, values) if v is not None)
        labels = "、".join(form.source_labels.get(k, k) for k in keys)
        yield rule.at(form.sheet, first, expected=r2(total), found=0.0,
                      text=dict(column=names[col], labels=labels, total=n(total)))


SOURCES_ZERO = Rule(
    code="F105", name="project-sources-left-zero", severity="warning", scope="project_self_eval",
    summary="年度资金总额有金额，各项资金来源却都填 0",
    template="{column}：年度资金总额为 {total}，其中各项（{labels}）却都是 0 或空白；请按资金来源填写，合计应为 {total}",
    why="年度资金总额由各项资金来源组成；来源一栏全部为 0 多半是没有填写（模板里的 0），不是总额填错。",
    source="财预〔2020〕10号 附件项目支出绩效自评表 [B]",
    bad="年度资金总额 全年预算数 20000；当年财政拨款 0、上年结转资金 0、其他资金 0",
    good="年度资金总额 全年预算数 20000；当年财政拨款 20000",
    check=_sources_zero,
)


RULES = [INCOME, EXPENSE, SOURCES, SOURCES_ZERO, UNKNOWN_SOURCE]
