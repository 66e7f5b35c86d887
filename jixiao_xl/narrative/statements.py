"""A report read into statements (each figure with its label, owner, scope and year) and the state one check of
it shares (_Run, the findings' form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..rules.findings import Finding
from ..read.values import fmt_number, norm_label
from . import concepts as C
from . import extract as X
from .document import Paragraph
from .facts import Facts, Project
from .rules import TABLE_WRONG, UNMATCHED

SHEET = "报告"
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s?年度")
_PROJECT_TITLE = re.compile(r"项目(?:支出)?绩效(?:自评|评价)?(?:自评)?报告")
_DEPT_TITLE = re.compile(r"部门(?:\(单位\)|（单位）)?整体支出绩效(?:自评|评价)报告")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")
_PROJECT_HEADING = re.compile(r"^(?:项目\s*[\d一二三四五六七八九十]+\s*[:：、.．]|[(（]?[\d一二三四五六七八九十]+[)）、.．]?.*项目$)")
_LOOSE_BEFORE = re.compile(r"(?:超过|超|逾|高于)\s*$")
_LOOSE_AFTER = re.compile(r"^\s?(?:以上|及以上)")
_DEPT_WORDS = re.compile(r"部门|整体|本单位|我单位|全局|本局")
_PROJECT_WORDS = re.compile(r"项目|专项")
_QUOTED_NAME = re.compile(r"[”」》\"][)）]*的?(?=[^，,；;。：:、]{0,3}(?:年初|全年|预算|执行|资金|项目|专项|支出))")


@dataclass
class Statement:
    para: Paragraph
    sentence: X.Sentence
    q: X.Quantity
    text: str  # the paragraph, normalised
    year: int | None
    form: object = None  # the SelfEval the scope-dependent concepts refer to (None: 附件2)
    project_scope: bool = False
    concept: str | None = None
    column: str = "actual"
    named: bool = False  # the words name something (a fund the tables lack, say)
    # whose figure it is: ("dept",), ("form", id) for a named 附件3, ("section", title paragraph) for a
    # project report without its 附件3; None when the words and the place leave it open
    subject: tuple | None = ("dept",)


@dataclass
class _Run:
    facts: Facts
    report_year: int | None
    findings: list[Finding] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    unchecked: list[Statement] = field(default_factory=list)
    compare: bool = True  # False when the tables are of another year or missing
    by_concept: dict | None = None  # amount statements by concept, in document order
    # paragraph index -> (in a project report or naming a project, the 附件3 it refers to or None)
    project_paras: dict = field(default_factory=dict)

    def add(self, rule, stmt_or_para, expected=None, found=None, /, **fields) -> None:
        para = stmt_or_para.para if isinstance(stmt_or_para, Statement) else stmt_or_para
        self.findings.append(at(rule, para.where, expected, found, **fields))


def at(rule, where: str, expected=None, found=None, /, **fields) -> Finding:
    """A finding of a report rule at a paragraph ("第12段") or "全文"; ``cell`` is that place."""
    return Finding(rule.code, rule.severity, SHEET, where, f"[{SHEET}] {where}", rule.template.format(**fields),
                   expected, found)


def excerpt(text: str, start: int = 0, end: int | None = None, width: int = 70) -> str:
    """The sentence around a span, at most ``width`` characters, with … where cut."""
    end = start if end is None else end
    if len(text) <= width:
        return text
    left = max(0, min(start - width // 2, len(text) - width))
    piece = text[left:left + width]
    return ("…" if left else "") + piece + ("…" if left + width < len(text) else "")


def _sentence_excerpt(stmt: Statement) -> str:
    s = stmt.sentence
    return excerpt(s.text.strip(), stmt.q.start - s.start, stmt.q.end - s.start)


def _num(value: float) -> str:
    return fmt_number(round(value, 4)) if abs(value - round(value, 2)) > 1e-9 else fmt_number(value)


# ------------------------------------------------------------------ scopes and statements


def _report_year(paragraphs: list[Paragraph]) -> tuple[int | None, Paragraph | None]:
    for para in paragraphs[:15]:
        match = _TITLE_YEAR.search(X.normalise(para.text))
        if match and ("报告" in para.text or "绩效" in para.text):
            return int(match.group(1)), para
    for para in paragraphs[:15]:
        match = _TITLE_YEAR.search(X.normalise(para.text))
        if match:
            return int(match.group(1)), para
    return None, None


def _project_named(text: str, projects: list[Project]) -> Project | None:
    if not projects:
        return None
    key = norm_label(text)
    for project in projects:
        if project.key and project.key in key:
            return project
    return None


def _project_for_title(title: str, projects: list[Project]) -> Project | None:
    """The 附件3 a project report's title names: its name in the title, or the title's words in its name."""
    named = _project_named(title, projects)
    if named:
        return named
    words = norm_label(_PROJECT_TITLE.split(title)[0])
    words = re.sub(r"^.*?(?:年度)", "", words)
    words = re.sub(r"项目支出$|项目$", "", words)
    hits = [p for p in projects if words and words in p.key]
    return hits[0] if len(hits) == 1 else None


def statements(paragraphs: list[Paragraph], facts: Facts, report_year: int | None,
               project_paras: dict | None = None) -> list[Statement]:
    out: list[Statement] = []
    scope_project: Project | None = None
    in_project = False
    section = 0  # the paragraph of the project report's title
    under_project = False  # in a 部门 report, after a heading naming one project
    for para in paragraphs:
        text = X.normalise(para.text)
        heading = len(text) < 60 and not X.quantities(text) and not text.rstrip().endswith("。")
        if len(text) < 80 and _PROJECT_TITLE.search(text) and not _DEPT_TITLE.search(text):
            in_project, scope_project, section = True, _project_for_title(text, facts.projects), para.index
        elif len(text) < 80 and _DEPT_TITLE.search(text):
            in_project, scope_project, under_project = False, None, False
        elif heading and _TOP_HEADING.match(text.strip()):
            under_project = False
        elif heading and _PROJECT_HEADING.match(text.strip()):
            under_project = True
        named = _project_named(text, facts.projects)
        form_scope = named or scope_project
        if project_paras is not None:
            project_paras[para.index] = (in_project or named is not None, form_scope.form if form_scope else None)
        for sentence in X.sentences(text):
            row = None  # the 附件1 row last named in the sentence
            row_columns: set[str] = set()  # the columns the sentence gave that row's figures in
            last = None  # the concept of the sentence's previous figure
            for q in sentence.quantities:
                year = None
                for y, pos in sentence.years:
                    if pos < q.start:
                        year = y
                stmt = Statement(para, sentence, q, text, year or report_year,
                                 form_scope.form if form_scope else None, in_project or named is not None)
                _resolve(stmt, report_year)
                if stmt.concept in C.COLUMN_WORDS and row and C.amount_concept(q.label, rows_only=True)[0] is None \
                        and C.basic_column(q.label, None, report_year) not in row_columns:
                    # "公用经费决算数340.27万元，比预算数268.49万元": 预算数 is still 公用经费's; but in "项目支出440.32万元，
                    # 全年执行数1762.55万元" 项目支出 has its 执行数 already: this one is the 年度资金总额's
                    stmt.concept = row
                    stmt.column = C.basic_column(q.label, None, report_year)
                if stmt.concept is None and q.kind == "percent" and last in C.CONTROLLED \
                        and C.clean(q.label).endswith("控制率"):
                    # "编制数81人，实际在职人数80人，控制率98.77%": the control rate of the figures before it
                    stmt.concept, stmt.named = C.CONTROLLED[last], True
                if stmt.concept == "exec_rate" and not _overall_rate(stmt, last):
                    # "公务接待费预算8万元，实际支出5.34万元，执行率66.75%": that line's rate, which no table has
                    stmt.concept, stmt.named = None, False
                if stmt.concept in C.BASIC_ROWS:
                    if stmt.concept != row:
                        row, row_columns = stmt.concept, set()
                    row_columns.add(stmt.column)
                if stmt.concept:
                    last = stmt.concept
                stmt.subject = _subject(stmt, in_project, section, under_project)
                out.append(stmt)
    return out


# the lines whose naming before a 执行率 makes it theirs, not the 年度资金总额's (附件2/附件3 have no other 执行率);
# 项目支出 is left to the scope (a project report's is its 年度资金总额, a 部门 report's is some project's: T301)
_RATE_OWNERS = (C.BASIC_ROWS | C.BREAKDOWN_ROWS | {"personnel"}) - {"project"}


def _overall_rate(stmt: Statement, last: str | None) -> bool:
    """Whether a 执行率 may be the 年度资金总额's: not when its own words, or the figure before it in its sentence,
    name another line ("公务接待费执行率", "公务接待费预算8万元，实际支出5.34万元，执行率66.75%")."""
    own, _ = C.amount_concept(C.clean(stmt.q.label).split("执行率")[0], rows_only=True)
    return own not in _RATE_OWNERS and last not in _RATE_OWNERS


def _last(pattern: re.Pattern, words: str) -> int:
    found = [m.start() for m in pattern.finditer(words)]
    return found[-1] if found else -1


def _subject(stmt: Statement, in_project: bool, section: int, under_project: bool) -> tuple | None:
    """Whose figure a statement is (see ``Statement.subject``); None when that is not certain.

    The words before the figure in its sentence decide, the last named winning: 部门/整体 words,
    or a project (a quoted name before the figure; for the 附件2/附件3 rows also 项目/专项).
    """
    if stmt.form is not None:
        return ("form", id(stmt.form))
    words = stmt.sentence.text[:stmt.q.start - stmt.sentence.start]
    dept_at = _last(_DEPT_WORDS, words)
    named_at = _last(_QUOTED_NAME, words)
    if stmt.concept in SCOPED:
        named_at = max(named_at, _last(_PROJECT_WORDS, words))
    if in_project:
        return ("dept",) if dept_at > named_at else ("section", section)
    if dept_at > named_at:
        return ("dept",)
    if under_project or named_at >= 0:
        return None  # "“禁毒宣传”年初预算数50万元", "项目执行率95%": some project, not the 部门
    return ("dept",)


def _resolve(stmt: Statement, report_year: int | None) -> None:
    q = stmt.q
    if q.kind == "amount":
        concept, named = C.amount_concept(q.label)
        if concept and not C.is_level(q.label):  # "公用经费比上年减少10万元" is a change, not a table value
            concept = None
        stmt.concept, stmt.named = concept, named
        if concept and concept not in C.COLUMN_WORDS:
            if stmt.year and report_year and stmt.year not in (report_year, report_year - 1):
                stmt.column = "other"
            else:
                stmt.column = C.basic_column(q.label, stmt.year if stmt.year != report_year else None, report_year)
    elif q.kind == "percent":
        if C.share_whole(q.label) is None:
            stmt.concept = C.rate_concept(q.label)
            stmt.named = stmt.concept is not None
    elif q.kind == "score":
        stmt.concept = C.score_concept(q.label)
        stmt.named = stmt.concept is not None
    elif q.kind == "count" and q.unit in ("人", "名") and C.is_level(q.label):
        stmt.concept = C.staff_concept(q.label)
        stmt.named = stmt.concept is not None


SCOPED = {"initial", "full", "executed", "exec_rate", "exec_score", "total"}


def _no_project(run: _Run) -> str:
    names = "、".join(f"“{p.name}”" for p in run.facts.projects) or "无"
    return f"这段属于项目报告，但工作簿中找不到名称相符的附件3（工作簿中的项目：{names}）"


# ------------------------------------------------------------------ the table's figures as the check judges them


def _table_text(fact, unit: str = "") -> str:
    """The table's figure as the messages name it: its cell and value (a rate: how it is computed)."""
    return fact.where if "=" in fact.where else f"{fact.where} 为 {fact.shown()}{unit}"


def verdict(candidates: list, bad) -> tuple[str, object]:
    """How a report's figure stands against the table's ``candidates`` (Facts; ``bad(v)``: the figure contradicts
    ``v``), by the check's verdict on them: ("ok", None) when one the check finds right agrees (its figure or the
    check's for it: 8.62 for a typed 8.6); ("right", fact) when it agrees with the check's correction of a figure
    the check finds wrong (the one it agrees with first in ``fact.right``); ("table", fact) when it copies such a
    wrong figure; ("unknown", fact) when the check cannot review the figure; ("wrong", fact) otherwise."""
    facts = [f for f in candidates if f is not None]
    for f in facts:
        if not f.wrong and not f.unknown and (not bad(f.value) or any(not bad(v) for v in f.right)):
            return "ok", None
    for f in facts:
        if f.unknown:
            return "unknown", f
    for f in facts:
        for v in f.right if f.wrong else ():
            if not bad(v):
                return "right", replace(f, right=(v,) + tuple(r for r in f.right if r != v))
    for f in facts:
        if f.wrong and not bad(f.value):
            return "table", f
    return "wrong", facts[0]


def _wrong_hint(fact, unit: str = "") -> str:
    """For an error against a figure the check finds wrong: why, and the right figure when the reason does not
    say it."""
    if not fact.wrong:
        return ""
    hint = f"；表中此数有误：{fact.wrong}"
    if fact.right and fact.shown(fact.right[0]) not in fact.wrong:
        hint += f"，按更正后的数应为 {fact.shown(fact.right[0])}{unit}"
    return hint


def table_wrong(run: _Run, stmt, how: str, fact, label: str, found: str, value, unit: str = "") -> None:
    """T206: the report agrees with the check's correction of a table figure (``how`` "right"), or copies the
    figure the check finds wrong ("table")."""
    if how == "right":
        right = fact.right[0]
        text = (f"与按校验更正后的数 {fact.shown(right)}{unit} 一致；表中 {_table_text(fact, unit)}，有误："
                f"{fact.wrong}；请改正表中的数")
    else:
        right = fact.right[0] if fact.right else None
        should = f"，按校验应为 {fact.shown(right)}{unit}" if right is not None else ""
        text = f"与表中 {_table_text(fact, unit)} 相同，但表中此数有误：{fact.wrong}{should}；请改正表和报告"
    excerpt_ = _sentence_excerpt(stmt) if isinstance(stmt, Statement) else stmt[1]
    where = stmt if isinstance(stmt, Statement) else stmt[0]
    run.add(TABLE_WRONG, where, right if isinstance(right, str) or right is None else round(right, 6), value,
            excerpt=excerpt_, label=label, found=found, verdict=text)


def unknown_in_table(run: _Run, where, excerpt_: str, fact, label: str, found: str, value) -> None:
    """T301: the table's figure is one the check cannot review: not compared, and not shown."""
    name = {"score": "得分", "grade": "等级"}.get(fact.kind, "数")
    run.add(UNMATCHED, where, None, value, excerpt=excerpt_, label=label, found=found,
            reason=f"表中对应的{name}{fact.unknown}")
