"""The workbook values a report's statements are matched with, each knowing its cell.

Amounts are in 万元 (the forms' unit).  人员经费 has no cell of its own on the
forms: it is 基本支出 (附件2) − 公用经费 (附件1), and its ``where`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..compute import results as compute
from ..read.model import BasicData, Cell, SelfEval, Workbook, num
from ..compute.profiles import Profile, get_profile
from ..read.values import fmt_number, fmt_rate, norm_label


@dataclass(frozen=True)
class Fact:
    value: object  # float, or a grade
    where: str  # "[附件2] 基本支出 (E7)"
    sheet: str = ""
    cell: str = ""
    kind: str = "amount"  # amount | rate | score | grade

    def shown(self) -> str:
        if self.kind == "rate":
            return fmt_rate(self.value)
        return fmt_number(self.value) if isinstance(self.value, (int, float)) else str(self.value)


def _at(sheet: str, cell: Cell | None, where: str = "") -> tuple[str, str, str]:
    if cell is None:
        return f"[{sheet}] {where}", sheet, ""
    return f"[{sheet}] {where or cell.where} ({cell.address})", sheet, cell.address


def _fact(value, sheet: str, cell: Cell | None, where: str = "", kind: str = "amount") -> Fact | None:
    if value is None:
        return None
    text, sheet, address = _at(sheet, cell, where)
    return Fact(value, text, sheet, address, kind)


BASIC_COLUMNS = {"budget": "预算数", "prev_actual": "上年决算数", "actual": "决算数"}


@dataclass
class Project:
    form: SelfEval
    results: compute.SelfEvalResults

    @property
    def name(self) -> str:
        return self.form.name.strip()

    @property
    def key(self) -> str:
        cached = self.__dict__.get("_key")
        if cached is None:
            cached = self.__dict__["_key"] = norm_label(self.name)
        return cached


@dataclass
class Facts:
    """Every value of the workbooks a report can be matched with."""

    basic: BasicData | None = None
    dept: SelfEval | None = None
    dept_results: compute.SelfEvalResults = field(default_factory=compute.SelfEvalResults)
    basic_results: compute.BasicResults = field(default_factory=compute.BasicResults)
    projects: list[Project] = field(default_factory=list)
    year: int | None = None
    paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was set aside, for people

    @property
    def empty(self) -> bool:
        return self.basic is None and self.dept is None and not self.projects

    # ---------------------------------------------------------------- amounts

    def basic_row(self, key: str, column: str) -> Fact | None:
        form = self.basic
        if form is None:
            return None
        value = compute.amount(form, key, column)
        row = form.rows.get(key)
        cell = form.cell(key, column)
        where = f"{row.label} {form.columns.get(column, BASIC_COLUMNS[column])}" if row else ""
        return _fact(value, form.sheet, cell, where)

    def breakdown(self, key: str) -> Fact | None:
        form = self.dept
        if form is None:
            return None
        cell = form.breakdown.get(key)
        return _fact(num(cell), form.sheet, cell) if cell is not None else None

    def personnel(self) -> Fact | None:
        basic, public = self.breakdown("basic"), self.basic_row("public_funds", "actual")
        if basic is None or public is None:
            return None
        value = round(basic.value - public.value, 6)
        return Fact(value, f"{basic.where} − {public.where}（表中没有人员经费一栏，按基本支出 − 公用经费计）",
                    basic.sheet, basic.cell)

    def amount(self, concept: str, column: str = "actual", form: SelfEval | None = None) -> Fact | None:
        """The table value of an amount concept (see ``concepts.AMOUNTS``)."""
        if concept in ("initial", "full", "executed"):
            target = form or self.dept
            if target is None:
                return None
            cell = target.exec.get(concept)
            return _fact(num(cell), target.sheet, cell) if cell is not None else None
        if concept == "personnel":
            return self.personnel() if column == "actual" else None
        if concept in ("basic", "general", "gov_fund") and column == "budget":
            return self.breakdown(concept)  # the lines are on the full-year budget basis (rules §6)
        if concept in ("basic", "general", "gov_fund", "expense_total", "income_total"):
            if column != "actual":
                return None
            found = self.breakdown(concept)
            if found is None and concept == "expense_total" and self.dept is not None:
                cell = self.dept.exec.get("executed")
                found = _fact(num(cell), self.dept.sheet, cell) if cell is not None else None
            return found
        if concept == "project":
            if column == "actual":
                found = self.breakdown("project")
                if found is not None:
                    return found
            return self.basic_row("project", column)
        if concept in ("sangong", "car", "abroad", "reception", "public_funds", "procurement", "car_operation",
                       "car_purchase"):
            return self.basic_row(concept, column)
        return None

    def amounts(self, concept: str, column: str = "actual", form: SelfEval | None = None) -> list[Fact]:
        """``amount``, and the other table values the same words may name: "项目支出预算数" is 附件1's 本年预算数
        (年初) or 附件2's 按支出性质分 项目支出 (全年预算, rules §6) — a figure equal to either is not wrong."""
        first = self.amount(concept, column, form)
        found = [first] if first is not None else []
        if concept == "project" and column == "budget":
            other = self.breakdown("project")
            if other is not None and (first is None or other.value != first.value):
                found.append(other)
        return found

    def staff(self, concept: str) -> Fact | None:
        """附件1's 编制数 or 实际在职人数 (head counts)."""
        basic = self.basic
        if basic is None or concept not in ("establishment", "actual_staff"):
            return None
        cell = basic.staff.get(concept)
        value = num(cell) if cell is not None else None
        if value is None:
            return None
        name = "编制数" if concept == "establishment" else "实际在职人数"
        return _fact(value, basic.sheet, cell, f"财政供养人员 {name}")

    # ---------------------------------------------------------------- rates, scores, grades

    def rate(self, concept: str, form: SelfEval | None = None) -> Fact | None:
        basic = self.basic
        if concept in ("sangong_control_rate", "public_funds_control_rate", "procurement_rate",
                       "staff_control_rate"):
            if basic is None:
                return None
            value = self.basic_results.value(concept)
            names = {"sangong_control_rate": "“三公”经费控制率", "public_funds_control_rate": "公用经费控制率",
                     "procurement_rate": "政府采购执行率"}
            if concept == "staff_control_rate":
                actual, est = basic.staff.get("actual_staff"), basic.staff.get("establishment")
                if value is None or actual is None or est is None:
                    return None
                where = (f"[{basic.sheet}] 财政供养人员控制率 = 实际在职人数 {fmt_number(num(actual))} "
                         f"({actual.address}) ÷ 编制数 {fmt_number(num(est))} ({est.address}) = {fmt_rate(value)}")
                return Fact(value, where, basic.sheet, actual.address, "rate")
            key, name = compute.RATE[concept].row, names[concept]  # the row the rate divides (compute.RATES)
            actual, budget = basic.cell(key, "actual"), basic.cell(key, "budget")
            if value is None or actual is None or budget is None:
                return None
            return Fact(value, f"[{basic.sheet}] {name} = 决算数 {fmt_number(compute.amount(basic, key, 'actual'))} "
                               f"({actual.address}) ÷ 预算数 {fmt_number(compute.amount(basic, key, 'budget'))} "
                               f"({budget.address}) = {fmt_rate(value)}", basic.sheet, actual.address, "rate")
        if concept == "exec_rate":
            target = form or self.dept
            if target is None:
                return None
            value = self._results(target).exec_rate
            cell = target.exec.get("rate")
            return _fact(value, target.sheet, cell, "执行率", "rate")
        return None

    def _results(self, form: SelfEval) -> compute.SelfEvalResults:
        if form is self.dept:
            return self.dept_results
        for project in self.projects:
            if project.form is form:
                return project.results
        return compute.SelfEvalResults()

    def score(self, concept: str, form: SelfEval | None = None) -> Fact | None:
        target = form or self.dept
        if target is None:
            return None
        if concept == "exec_score":
            cell = target.exec.get("score")
            value = num(cell) if cell is not None and num(cell) is not None else self._results(target).exec_score
            return _fact(value, target.sheet, cell, "执行率得分", "score")
        cell = target.total_score
        value = num(cell) if cell is not None and num(cell) is not None else self._results(target).total_score
        return _fact(value, target.sheet, cell, "总分", "score")

    def grade(self, form: SelfEval | None = None) -> Fact | None:
        target = form or self.dept
        if target is None:
            return None
        score = self.score("total", target)
        if score is None:
            return None
        from ..compute.scoring import grade

        return Fact(grade(score.value), f"{score.where} {fmt_number(score.value)} 分对应的等级", score.sheet,
                    score.cell, "grade")


def gather(books: list[Workbook], profile: Profile | None = None) -> Facts:
    """The facts of one unit's workbooks (several files are pooled: 附件1, 附件2, 附件3 may come apart)."""
    profile = profile or get_profile()
    facts = Facts(paths=[b.path for b in books])
    for book in books:
        for form in book.forms:
            if form.kind == "basic_data":
                if facts.basic is None:
                    facts.basic, facts.basic_results = form, compute.results(form, profile)
                else:
                    facts.notes.append(f"{book.path} [{form.sheet}]：已有一张附件1，这一张未用于核对")
            elif form.kind == "dept_self_eval":
                if facts.dept is None:
                    facts.dept, facts.dept_results = form, compute.results(form, profile)
                else:
                    facts.notes.append(f"{book.path} [{form.sheet}]：已有一张附件2，这一张未用于核对")
            else:
                facts.projects.append(Project(form, compute.results(form, profile)))
            if facts.year is None and form.year:
                facts.year = form.year
    return facts
