"""The check engine: workbook -> forms -> results and findings.

A rule never stops a run: one that raises becomes an R900 finding and the
other rules go on.  A file that cannot be read becomes status "unreadable"
with a Chinese reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..compute.results import Results
from .findings import Finding
from ..xlsx.grid import Grid, UnreadableWorkbook, read_grids
from ..read.model import Workbook
from ..problems import PROBLEMS, cause
from ..compute.profiles import Profile
from ..read.reader import read_forms
from . import BY_CODE, CRASHED, RULES
from .base import Context

FORM_TITLES = {
    "basic_data": "部门整体支出绩效评价基础数据表",
    "dept_self_eval": "部门整体支出绩效自评表",
    "project_self_eval": "项目支出绩效自评表",
}
NO_FORM = PROBLEMS["U012"].template


def no_form_text(book: Workbook) -> str:
    """Why a workbook has no form to check: U012's text, and the 绩效目标表 it holds instead (S006's words)."""
    from .general import set_aside_text

    aside = getattr(book, "set_aside", ())
    return NO_FORM + "".join(f"；{set_aside_text(item)}" for item in aside)


@dataclass
class FormReport:
    form: object  # BasicData | SelfEval
    results: Results  # compute.BasicResults | compute.SelfEvalResults
    findings: list[Finding] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.form.kind

    def to_dict(self) -> dict:
        return {
            "form": self.form.kind,
            "sheet": self.form.sheet,
            "title": self.form.title,
            "results": {k: _clean(v) for k, v in self.results.to_dict().items()},
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class FileReport:
    path: str
    status: str = "clean"  # clean | warnings | errors | unreadable
    error: str | None = None
    forms: list[FormReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # cross-form
    workbook: Workbook | None = None
    profile: dict | None = None  # the scoring profile used: name, label, known, reason
    code: str | None = None  # the error's code in the catalogue of file problems (problems.py): U001 …
    # --store: the store's lookup bound to this workbook (store.BoundHistory), kept so what goes into the
    # store (the 跨年 rows) reads the previous year the H rules read, without asking again
    history: object = field(default=None, repr=False)
    # the Profile the forms were scored with (chosen or named, --exec-mode applied): the one a 自评报告 of the
    # unit is compared under (narrative.inbox), so that the report and its workbook are judged alike
    scored_by: object = field(default=None, repr=False)


    def all_findings(self) -> list[Finding]:
        return [f for form in self.forms for f in form.findings] + self.findings

    def count(self, severity: str) -> int:
        return sum(1 for f in self.all_findings() if f.severity == severity)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "error_code": self.code,
            "forms": [f.to_dict() for f in self.forms],
            "findings": [f.to_dict() for f in self.findings],
            "profile": self.profile,
        }


def _clean(value):
    return round(value, 6) if isinstance(value, float) else value


class RuleFilter:
    """--select / --ignore: rule codes or code prefixes ("B", "E10")."""

    def __init__(self, select: list[str] | None = None, ignore: list[str] | None = None):
        self.select = [s.strip().upper() for s in (select or []) if s.strip()]
        self.ignore = [s.strip().upper() for s in (ignore or []) if s.strip()]
        for code in self.select + self.ignore:
            if not any(c.startswith(code) for c in BY_CODE):
                raise ValueError(f"没有这条规则：{code}（用 jixiao-xl explain 查看全部规则）")

    def wants(self, code: str) -> bool:
        if not self.select and not self.ignore:
            return True
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(s) for s in self.ignore)


_ADDRESS = re.compile(r"([A-Z]+)(\d+)")


def _position(finding: Finding) -> tuple:
    match = _ADDRESS.fullmatch(finding.cell or "")
    if not match:
        return (0, 0, "", finding.code)
    letters, number = match.groups()
    return (int(number), len(letters), letters, finding.code)


def _run(rule, target, ctx: Context, sheet: str) -> list[Finding]:
    try:
        return list(rule.check(rule, target, ctx))
    except Exception as exc:  # a crashing rule is a finding, never a crashed run
        return [CRASHED.at(sheet, None, where="", text=dict(code=rule.code, error=cause(exc, "程序内部错误")))]


_BY_KIND: dict[tuple[int, str], tuple[list, list]] = {}


def _rules_for(kind: str) -> list:
    """The rules of a form kind (or of the workbook), in RULES order (R900 is not run: it reports the
    others' crashes)."""
    kept = _BY_KIND.get((id(RULES), kind))
    if kept is None or kept[0] is not RULES:  # RULES replaced (a test does): its own lists
        kept = _BY_KIND[(id(RULES), kind)] = (RULES, [r for r in RULES if r.applies_to(kind) and r is not CRASHED])
    return kept[1]


def check_workbook(book: Workbook, profile: Profile | None = None,
                   rule_filter: RuleFilter | None = None, text: str = "", history=None,
                   exec_mode: str | None = None) -> FileReport:
    """Check every form of a workbook. ``profile``: the one named (--profile); None: chosen from the
    workbook itself (``detect.choose``; ``text``: its sheets' texts), silent on province-only rules when
    the province is not known.  ``history``: a ``store.History`` (--store), for the H rules.  ``exec_mode``
    (--exec-mode): the 执行率 of that profile (named or chosen) scored so; the report's ``profile`` says it."""
    from ..compute.profiles import exec_mode_how, with_exec_mode

    if profile is None:
        from ..compute.detect import choose

        choice = choose(book, text)
        ctx = Context(with_exec_mode(choice.profile, exec_mode), profile_known=choice.known,
                      choice_reason=choice.reason)
        chosen = {"name": choice.profile.name, "label": choice.profile.label, "known": choice.known,
                  "reason": choice.reason, "candidates": list(choice.candidates)}
    else:
        ctx = Context(with_exec_mode(profile, exec_mode))
        chosen = {"name": profile.name, "label": profile.label, "known": True, "reason": "按 --profile 指定",
                  "candidates": []}
    if exec_mode:  # the 结果 line and 汇总 say how the 执行率 was scored
        chosen.update(exec_mode=exec_mode, exec_how=exec_mode_how(exec_mode))
    if history is not None:
        ctx.history = history.bind(book)
    wanted = rule_filter or RuleFilter()
    report = FileReport(book.path, workbook=book, profile=chosen, history=getattr(ctx, "history", None),
                        scored_by=ctx.profile)
    if not book.forms:
        report.status, report.error, report.code = "unreadable", no_form_text(book), "U012"
        return report
    shown_forms = []
    for form in book.forms:
        # formulas saved without a result (a workbook written by a program): the rules judge, and the 结果 line
        # shows, what Excel shows once the file is opened; only the rules about what the file holds read it as is
        opened = ctx.opened(form)
        shown = opened if opened is not None else form
        shown_forms.append(shown)
        form_report = FormReport(form, ctx.results(shown))
        for rule in _rules_for(form.kind):
            if wanted.wants(rule.code):
                form_report.findings.extend(_run(rule, form if rule.as_read else shown, ctx, form.sheet))
        form_report.findings.sort(key=_position)
        if not wanted.wants(CRASHED.code):
            form_report.findings = [f for f in form_report.findings if f.code != CRASHED.code]
        report.forms.append(form_report)
    shown_book = replace(book, forms=shown_forms)  # the cross-form rules compare what the forms show, too
    for rule in _rules_for("workbook"):
        if wanted.wants(rule.code):
            report.findings.extend(_run(rule, book if rule.as_read else shown_book, ctx, ""))
    findings = report.all_findings()
    if any(f.severity == "error" for f in findings):
        report.status = "errors"
    elif any(f.severity == "warning" for f in findings):
        report.status = "warnings"
    return report


def check_grids(grids: list[Grid], path: str = "", profile: Profile | None = None,
                rule_filter: RuleFilter | None = None, history=None, exec_mode: str | None = None) -> FileReport:
    if profile is None:
        from ..compute.detect import grid_text

        return check_workbook(read_forms(grids, path), None, rule_filter, grid_text(grids), history, exec_mode)
    return check_workbook(read_forms(grids, path), profile, rule_filter, history=history, exec_mode=exec_mode)


def check_path(path: str, profile: Profile | None = None, rule_filter: RuleFilter | None = None,
               history=None, exec_mode: str | None = None) -> FileReport:
    """Check one file; never raises for a bad file.  ``exec_mode``: --exec-mode (``check_workbook``)."""
    try:
        grids = read_grids(path)
    except UnreadableWorkbook as exc:
        return FileReport(path, "unreadable", str(exc), code=exc.code)
    return check_grids(grids, path, profile, rule_filter, history, exec_mode)
