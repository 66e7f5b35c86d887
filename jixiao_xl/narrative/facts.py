"""The workbook values a report's statements are matched with, each knowing its cell.

Amounts are in 万元 (the forms' unit).  人员经费 has no cell of its own on the
forms: it is 基本支出 (附件2) − 公用经费 (附件1), and its ``where`` says so.

The values are the workbook's as the check reads it: formulas saved without a result worked out as Excel
shows them on opening (``derive.as_opened``), the results (执行率, 得分, 总分, 等级) those of the check's 结果
line.  Each fact also carries the check's verdict on it (``Fact.right``, ``wrong``, ``unknown``): a figure the
check finds wrong is no basis for saying a report is wrong, and one it cannot review is never shown as a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..compute import results as compute
from ..read.model import BasicData, Cell, SelfEval, Workbook, num
from ..compute.profiles import Profile, get_profile
from ..read.values import fmt_number, fmt_rate, norm_label
from ..rules.base import score_differs


@dataclass(frozen=True)
class Fact:
    value: object  # float, or a grade
    where: str  # "[附件2] 基本支出 (E7)"
    sheet: str = ""
    cell: str = ""
    kind: str = "amount"  # amount | rate | score | grade
    # the figure by the check's rules where it is not the table's own: the 复核值 of its 结果 line (a 总分 the
    # table states as 100.62 is 98.41), then the figure worked out from the cells the check corrects
    right: tuple = ()
    wrong: str = ""  # why the check finds the table's figure wrong (its reasons, with the cells); "" if it does not
    unknown: str = ""  # why the check cannot review it ("无法复核：…"): then ``value`` is no basis, never shown

    def shown(self, value=None) -> str:
        value = self.value if value is None else value
        if self.kind == "rate":
            return fmt_rate(value)
        return fmt_number(value) if isinstance(value, (int, float)) else str(value)

    @property
    def checked(self):
        """The figure to state: the check's own where it has one (its 结果 line), else the table's; None when the
        check cannot review it or finds the table's figure wrong (the draft writes 【待核实：…】 then)."""
        if self.unknown or self.wrong:
            return None
        return self.right[0] if self.right else self.value


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
BASIC_LINES = ("sangong", "car", "abroad", "reception", "public_funds", "procurement", "car_operation", "car_purchase")


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
    # the check's corrections of typed figures: (id(form), A1) -> (the number it should be, the check's reason)
    fixes: dict = field(default_factory=dict)
    # id(form) -> its results with those corrections made (only forms the check corrects a figure of)
    fixed: dict = field(default_factory=dict)
    tolerance_score: float = 0.005

    @property
    def empty(self) -> bool:
        return self.basic is None and self.dept is None and not self.projects

    # ---------------------------------------------------------------- the check's verdicts

    def _fix(self, form, cell: Cell | None) -> tuple[float, str] | None:
        if form is None or cell is None:
            return None
        return self.fixes.get((id(form), cell.address))

    def _checked(self, fact: Fact | None, form, cell: Cell | None) -> Fact | None:
        """A typed figure with the check's correction of it, if any."""
        fix = self._fix(form, cell)
        if fact is None or fix is None:
            return fact
        return replace(fact, right=(fix[0],), wrong=fix[1])

    def _reasons(self, form, cells) -> str:
        """The check's reasons for correcting any of ``cells`` of ``form``, each once."""
        found = [fix[1] for fix in (self._fix(form, c) for c in cells) if fix is not None]
        return "；".join(dict.fromkeys(found))

    def _derived(self, fact: Fact | None, form, cells, fixed_value) -> Fact | None:
        """A figure computed from ``cells``: when the check corrects one of them, the figure from the corrected
        cells (``fixed_value``) is the right one, and the table's is wrong for the check's reasons."""
        if fact is None:
            return None
        reasons = self._reasons(form, cells)
        if not reasons or fixed_value is None or _same(fixed_value, fact.value):
            return fact
        return replace(fact, right=(fixed_value,), wrong=reasons)

    # ---------------------------------------------------------------- amounts

    def basic_row(self, key: str, column: str) -> Fact | None:
        form = self.basic
        if form is None:
            return None
        value = compute.amount(form, key, column)
        row = form.rows.get(key)
        cell = form.cell(key, column)
        where = f"{row.label} {form.columns.get(column, BASIC_COLUMNS[column])}" if row else ""
        return self._checked(_fact(value, form.sheet, cell, where), form, cell)

    def breakdown(self, key: str) -> Fact | None:
        form = self.dept
        if form is None:
            return None
        cell = form.breakdown.get(key)
        return self._checked(_fact(num(cell), form.sheet, cell), form, cell) if cell is not None else None

    def personnel(self) -> Fact | None:
        basic, public = self.breakdown("basic"), self.basic_row("public_funds", "actual")
        if basic is None or public is None:
            return None
        value = round(basic.value - public.value, 6)
        fact = Fact(value, f"{basic.where} − {public.where}（表中没有人员经费一栏，按基本支出 − 公用经费计）",
                    basic.sheet, basic.cell)
        if not (basic.wrong or public.wrong):
            return fact
        right = round((basic.right or (basic.value,))[0] - (public.right or (public.value,))[0], 6)
        return replace(fact, right=(right,), wrong="；".join(w for w in (basic.wrong, public.wrong) if w))

    def amount(self, concept: str, column: str = "actual", form: SelfEval | None = None) -> Fact | None:
        """The table value of an amount concept (see ``concepts.AMOUNTS``)."""
        if concept in ("initial", "full", "executed"):
            target = form or self.dept
            if target is None:
                return None
            cell = target.exec.get(concept)
            return self._checked(_fact(num(cell), target.sheet, cell), target, cell) if cell is not None else None
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
                found = self._checked(_fact(num(cell), self.dept.sheet, cell), self.dept, cell) \
                    if cell is not None else None
            return found
        if concept == "project":
            if column == "actual":
                found = self.breakdown("project")
                if found is not None:
                    return found
            return self.basic_row("project", column)
        if concept in BASIC_LINES:
            return self.basic_row(concept, column)
        return None

    def spent_as_budgeted(self, form: SelfEval | None = None) -> bool:
        """Whether the 全年预算数 and 全年执行数 of the 附件2 are one figure: then its lines on the 全年预算 basis
        (按收入性质分, 按支出性质分) also stand for what was spent; when they differ, a 决算 figure may be neither."""
        full, executed = self.amount("full", form=form), self.amount("executed", form=form)
        return full is not None and executed is not None and isinstance(full.value, (int, float)) \
            and isinstance(executed.value, (int, float)) and abs(full.value - executed.value) <= 0.005

    def meanings(self, concept: str, bases: tuple[str, ...], form: SelfEval | None = None) \
            -> list[tuple[str, list[Fact]]]:
        """For each column a figure's words may mean (``concepts.wording_bases``), the table figures on it:
        "总支出决算数" is the 全年执行数 (E5) only; "预算批复的总支出" the 年初 (C5) or the 全年 (D5) one; "项目支出"
        附件1's 决算数 or 附件2's 项目支出 (E8, 全年预算 basis).  A line on the 全年预算 basis stands for a 决算 figure
        only while the 全年预算数 and the 全年执行数 are equal (``spent_as_budgeted``)."""
        out = []
        for basis in bases:
            found = [f for f in self._on_basis(concept, basis, form) if f is not None and isinstance(f.value, (int, float))]
            out.append((basis, list({f.where: f for f in found}.values())))
        return out

    def _on_basis(self, concept: str, basis: str, form: SelfEval | None) -> list[Fact | None]:
        if concept in ("initial", "full", "executed"):
            return [self.amount(basis, form=form)] if basis in ("initial", "full", "executed") else []
        if basis == "prev":
            return [self.amount(concept, "prev_actual", form)]
        same = basis == "executed" and self.spent_as_budgeted()
        if concept == "expense_total":
            if basis == "full":
                return [self.amount("full", form=form), self.breakdown("expense_total")]
            lines = [self.breakdown("expense_total")] if same else []
            return [self.amount(basis, form=form)] + lines
        if concept in ("income_total", "basic", "general", "gov_fund"):
            return [self.breakdown(concept)] if basis == "full" or same else []
        if concept == "personnel":  # 附件2's 基本支出 − 附件1's 公用经费: on the 全年预算 basis
            return [self.personnel()] if basis == "full" or same else []
        if concept == "project":
            if basis == "executed":
                return [self.basic_row("project", "actual")] + ([self.breakdown("project")] if same else [])
            budget = self.basic_row("project", "budget")  # 附件1's 本年预算数: it does not say whether 年初 or 全年
            return [self.breakdown("project"), budget] if basis == "full" else [budget]
        if concept in BASIC_LINES:  # 附件1's 预算数 does not say whether 年初 or 全年
            return [self.basic_row(concept, "actual" if basis == "executed" else "budget")]
        return []

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
        return self._checked(_fact(value, basic.sheet, cell, f"财政供养人员 {name}"), basic, cell)

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
                return self._derived(Fact(value, where, basic.sheet, actual.address, "rate"), basic, (actual, est),
                                     self._fixed_value(basic, concept))
            key, name = compute.RATE[concept].row, names[concept]  # the row the rate divides (compute.RATES)
            actual, budget = basic.cell(key, "actual"), basic.cell(key, "budget")
            if value is None or actual is None or budget is None:
                return None
            fact = Fact(value, f"[{basic.sheet}] {name} = 决算数 {fmt_number(compute.amount(basic, key, 'actual'))} "
                               f"({actual.address}) ÷ 预算数 {fmt_number(compute.amount(basic, key, 'budget'))} "
                               f"({budget.address}) = {fmt_rate(value)}", basic.sheet, actual.address, "rate")
            return self._derived(fact, basic, (actual, budget), self._fixed_value(basic, concept))
        if concept == "exec_rate":
            target = form or self.dept
            if target is None:
                return None
            value = self._results(target).exec_rate
            cell = target.exec.get("rate")
            return self._derived(_fact(value, target.sheet, cell, "执行率", "rate"), target,
                                 (target.exec.get("full"), target.exec.get("executed")),
                                 self._fixed_value(target, "exec_rate"))
        return None

    def _fixed_value(self, form, key: str):
        fixed = self.fixed.get(id(form))
        return fixed.value(key) if fixed is not None else None

    def _results(self, form: SelfEval) -> compute.SelfEvalResults:
        if form is self.dept:
            return self.dept_results
        for project in self.projects:
            if project.form is form:
                return project.results
        return compute.SelfEvalResults()

    def score(self, concept: str, form: SelfEval | None = None) -> Fact | None:
        """The 执行率得分 (``exec_score``) or 总分 of a form: the table's figure (typed, or the check's where the
        cell is blank), with the check's: its 结果 line's figure, the one from corrected cells, or why it
        cannot be reviewed (then ``value`` may be None)."""
        target = form or self.dept
        if target is None:
            return None
        key, name = ("exec_score", "执行率得分") if concept == "exec_score" else ("total_score", "总分")
        cell = target.exec.get("score") if key == "exec_score" else target.total_score
        res = self._results(target)
        typed, reviewed = num(cell), res.value(key)
        fact = _fact(typed if typed is not None else reviewed, target.sheet, cell, name, "score")
        why = res.why(key) if reviewed is None else ""
        if fact is None:
            return Fact(None, _at(target.sheet, cell, name)[0], target.sheet, cell.address if cell else "", "score",
                        unknown=why) if why else None
        if why:
            return replace(fact, unknown=why)
        fix = self._fix(target, cell)
        fixed = self._fixed_value(target, key)
        right = [v for v in (reviewed, fixed) if v is not None and not _same(v, fact.value)]
        wrong = fix[1] if fix is not None else ""
        past = key == "total_score" and compute.full_marks_past_parts(fact.value, reviewed, res.weight_total,
                                                                       self.tolerance_score)
        if not wrong and key == "total_score" and not past and \
                score_differs(cell, fact.value, reviewed, self.tolerance_score):
            # the 总分 adds up the 得分 as typed; the check counts each within its 分值 and what the rule allows
            graded = f"（{res.grade}）" if res.grade else ""  # none for a total not on the 100-point scale
            wrong = (f"总分按校验复核为 {fmt_number(reviewed)}{graded}，表中为 {fmt_number(fact.value)}"
                     f"（{target.sheet} {cell.address}）")
        if not wrong and fixed is not None and not _same(fixed, reviewed):
            wrong = self._reasons(target, (target.exec.get("full"), target.exec.get("executed")))
        return replace(fact, right=tuple(dict.fromkeys(right)), wrong=wrong)

    def grade(self, form: SelfEval | None = None) -> Fact | None:
        target = form or self.dept
        if target is None:
            return None
        score = self.score("total", target)
        if score is None:
            return None
        from ..compute.scoring import grade

        if score.value is None:
            return Fact(None, f"{score.where} 对应的等级", score.sheet, score.cell, "grade", unknown=score.unknown)
        res = self._results(target)
        if res.grade is None and res.why("grade"):  # 分值合计 170, or 120 of 100: the check gives no grade
            return Fact(None, f"{score.where} {fmt_number(score.value)} 分对应的等级", score.sheet, score.cell, "grade",
                        unknown=res.why("grade"))
        right = tuple(dict.fromkeys(g for g in (grade(v) for v in score.right) if g != grade(score.value)))
        # the 等级 of a wrong 总分 is wrong only when the right 总分 has another 等级 (100.62 and 98.41 are both 优)
        wrong = score.wrong if score.wrong and right else ""
        reviewed = f"（按校验复核为 {fmt_number(score.right[0])} 分）" if score.wrong and score.right else ""
        return Fact(grade(score.value), f"{score.where} {fmt_number(score.value)} 分{reviewed}对应的等级", score.sheet,
                    score.cell, "grade", right if wrong else (), wrong, score.unknown)


def _same(a, b) -> bool:
    return a == b if not isinstance(a, float) or not isinstance(b, float) else abs(a - b) <= 1e-9


def corrections(findings) -> dict[tuple[str, str], tuple[float, str, float]]:
    """The check's corrections of typed figures: an error at a cell saying what number it should hold instead of
    the one it holds ("全年预算数应为 … = 320，现填 302"), by (sheet, A1) -> (that number, the reason with the
    cell, the number it holds).  An error whose ``found`` is not the cell's figure (E102's 执行率 at the 全年执行数)
    corrects nothing: ``gather`` keeps only those that match."""
    out: dict[tuple[str, str], tuple[float, str, float]] = {}
    for f in findings:
        if f.severity != "error" or not f.sheet or not f.cell or (f.sheet, f.cell) in out:
            continue
        if isinstance(f.expected, (int, float)) and not isinstance(f.expected, bool) \
                and isinstance(f.found, (int, float)) and not isinstance(f.found, bool):
            # the reason's first clause: "…= 17.23，现填 17.32", not the other ways of repairing it that follow
            out[(f.sheet, f.cell)] = (float(f.expected), f"{f.text.split('；')[0]}（{f.sheet} {f.cell}）",
                                      float(f.found))
    return out


def gather(books: list[Workbook], profile: Profile | None = None, findings: list | None = None) -> Facts:
    """The facts of one unit's workbooks (several files are pooled: 附件1, 附件2, 附件3 may come apart), read as
    the check reads them: formulas without a saved result as opened, the results of its 结果 line, its
    corrections (``findings``: each book's check findings, in order; None: each book is checked here).
    ``profile``: the one named (--profile); None: each book's own (``book.profile``, set by whoever read it as
    its check does: checker.chosen_workbook, inbox), else the default."""
    from ..compute.derive import as_opened, figure_cells, with_figures
    from ..rules.check import check_workbook

    def scoring(book) -> Profile:
        return profile or getattr(book, "profile", None) or get_profile()

    facts = Facts(paths=[b.path for b in books],
                  tolerance_score=(scoring(books[0]) if books else profile or get_profile()).tolerance_score)
    for i, book in enumerate(books):
        used = scoring(book)
        found = findings[i] if findings is not None else check_workbook(book, used).all_findings()
        fixes = corrections(found)
        for form in book.forms:
            first = compute.results(form, used)
            opened = as_opened(form, used, first)
            if opened is not None:
                form, first = opened, compute.results(opened, used)
            values = {}  # the corrected figures the other results are computed from
            figures = figure_cells(form)
            typed = {id(c) for c in figures}
            for cell in figures + _score_cells(form):
                fix = fixes.get((form.sheet, cell.address))
                if fix is not None and num(cell) is not None and abs(num(cell) - fix[2]) <= 0.005 + 1e-9:
                    facts.fixes[(id(form), cell.address)] = fix[:2]
                    if id(cell) in typed:
                        values[cell.address] = fix[0]
            if values:
                facts.fixed[id(form)] = compute.results(with_figures(form, values), used)
            if form.kind == "basic_data":
                if facts.basic is None:
                    facts.basic, facts.basic_results = form, first
                else:
                    facts.notes.append(f"{book.path} [{form.sheet}]：已有一张附件1，这一张未用于核对")
            elif form.kind == "dept_self_eval":
                if facts.dept is None:
                    facts.dept, facts.dept_results = form, first
                else:
                    facts.notes.append(f"{book.path} [{form.sheet}]：已有一张附件2，这一张未用于核对")
            else:
                facts.projects.append(Project(form, first))
            if facts.year is None and form.year:
                facts.year = form.year
    return facts


def _score_cells(form) -> list[Cell]:
    """The 执行率得分 and 总分 cells of a 附件2/附件3: the check's corrections of them are the facts' too."""
    if isinstance(form, BasicData):
        return []
    return [c for c in (form.exec.get("score"), form.total_score) if c is not None]
