"""Checks between 附件1, 附件2 and 附件3 of one workbook [spec §6]."""

from __future__ import annotations

from ..compute.results import amount
from .findings import Rule
from ..read.model import Workbook, num
from ..read.values import convert, fmt_number as n
from .base import Context, differs, r2


def _project_spending(rule: Rule, book: Workbook, ctx: Context):
    """On the basis F102 fixes: 附件2's 项目支出 is part of its 全年预算数.  附件1 has no full-year budget
    column, only 年初预算 and 决算; so the two are equal only when 附件2 is fully executed (全年执行数 =
    全年预算数), and otherwise 附件1's project spending may not exceed 附件2's project budget."""
    tol = ctx.profile.tolerance_amount
    for basic in book.of_kind("basic_data"):
        spent_typed = amount(basic, "project", "actual")
        for dept in book.of_kind("dept_self_eval"):
            cell = dept.breakdown.get("project")
            stated = num(cell)
            if stated is None or spent_typed is None:
                continue
            spent = convert(spent_typed, basic.unit, dept.unit)  # compared in 附件2's unit
            full, executed = num(dept.exec.get("full")), num(dept.exec.get("executed"))
            complete = full is not None and executed is not None and abs(full - executed) <= tol + 1e-9
            if complete and differs(stated, spent, tol):
                how = "附件2 全年执行数等于全年预算数，两者应相等"
            elif not complete and spent > stated + tol + 1e-9:
                how = "决算的项目支出不应超过全年预算中的项目支出"
            else:
                continue
            yield rule.at(dept.sheet, cell, expected=r2(spent), found=r2(stated),
                          text=dict(found=f"{n(stated)} {dept.unit}",
                                    spent=_amount_text(spent, spent_typed, dept.unit, basic.unit),
                                    basic=basic.sheet, how=how))


PROJECT_SPENDING = Rule(
    code="X101", name="project-spending-mismatch", severity="warning", scope="workbook",
    summary="附件2 的项目支出与附件1 本年决算的项目支出不一致",
    template="项目支出 {found}（全年预算口径）与 [{basic}] 本年决算项目支出 {spent} 不一致：{how}",
    why="同一部门同一年度的项目支出，两张表应当一致。比较口径：附件2 的项目支出与基本支出之和等于全年预算数"
    "（F102），是全年预算口径；附件1 只有年初预算和决算。所以附件2 执行率为100%时两者应相等；"
    "执行率低于100%时，只在附件1 决算的项目支出超过附件2 的项目支出时提示。",
    source="部门整体支出绩效评价基础数据表与自评表勾稽关系 [C]",
    bad="执行率 100%；附件1 本年决算项目支出 440.32，附件2 项目支出 400",
    good="附件1 本年决算项目支出 440.32，附件2 项目支出 440.32",
    check=_project_spending,
)


def _amount_text(value: float, typed: float, unit: str, typed_unit: str) -> str:
    """An amount in the unit of the form the message is about, and as typed when that form used another."""
    text = f"{n(value)} {unit}"
    return text if unit == typed_unit else f"{text}（原表 {n(typed)} {typed_unit}）"


def _project_budget(rule: Rule, book: Workbook, ctx: Context):
    for dept in book.of_kind("dept_self_eval"):
        limit_typed = num(dept.breakdown.get("project"))
        if limit_typed is None:
            continue
        for project in book.of_kind("project_self_eval"):
            cell = project.exec.get("full")
            budget = num(cell)
            limit = convert(limit_typed, dept.unit, project.unit)  # compared in 附件3's unit
            if budget is not None and budget > limit + ctx.profile.tolerance_amount:
                yield rule.at(project.sheet, cell, expected=r2(limit), found=r2(budget),
                              text=dict(budget=f"{n(budget)} {project.unit}",
                                        limit=_amount_text(limit, limit_typed, project.unit, dept.unit),
                                        dept=dept.sheet))


PROJECT_BUDGET = Rule(
    code="X102", name="project-budget-exceeds", severity="warning", scope="workbook",
    summary="附件3 项目的全年预算数超过附件2 的项目支出总额",
    template="项目全年预算数 {budget} 超过 [{dept}] 项目支出 {limit}",
    why="单个项目的预算是部门项目支出的一部分，不能超过部门项目支出总额。",
    source="部门整体与项目支出自评表勾稽关系 [C]",
    bad="附件2 项目支出 440.32，附件3 全年预算数 500",
    good="附件2 项目支出 440.32，附件3 全年预算数 83",
    check=_project_budget,
)


def _years(rule: Rule, book: Workbook, ctx: Context):
    years = [f.year for f in book.forms if f.year is not None]
    if not years:
        return
    common = max(set(years), key=years.count)
    for form in book.forms:
        if form.year is not None and form.year != common:
            yield rule.at(form.sheet, None, expected=common, found=form.year, where="标题",
                          text=dict(year=form.year, common=common))


YEARS = Rule(
    code="X103", name="year-mismatch", severity="warning", scope="workbook",
    summary="各表标题中的年度不一致",
    template="标题年度为 {year} 年，其他表为 {common} 年",
    why="同一份自评材料的各附表应属于同一年度，年度不一致通常是沿用了往年表格。",
    source="各附表标题“20XX年度……” [A]",
    bad="附件1“2022年度…基础数据表”，附件2“2023年度…自评表”",
    good="附件1、附件2 都是“2023年度”",
    check=_years,
)

RULES = [PROJECT_SPENDING, PROJECT_BUDGET, YEARS]
