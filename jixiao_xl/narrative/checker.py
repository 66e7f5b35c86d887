"""``jixiao-xl report check``: a report's numbers against themselves and the workbook's tables.

Findings are the same records as ``check``'s (code, severity, sheet, cell,
message, expected, found); ``sheet`` is "报告" and ``cell`` the paragraph
("第12段", "表1第2行第3列").  The result is a ``check.FileReport`` with the
findings at file level, so the JSON contract is the same.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace

from ..check import FileReport
from ..findings import Finding
from ..values import fmt_number, fmt_rate, norm_label
from . import concepts as C
from . import extract as X
from .document import Paragraph, UnreadableReport, read_report
from .facts import Facts, Project, gather
from .rules import (
    ADJUSTED,
    AMOUNT,
    CHANGE,
    COUNT_SUM,
    NO_TABLE,
    PART_ABOVE,
    PART_SUM,
    PLACEHOLDER,
    RATE,
    RATE_TEXT,
    REPEAT,
    SCORE,
    SCORE_GRADE,
    SHARE,
    STAFF,
    UNCHECKED,
    UNMATCHED,
    YEAR,
)

SHEET = "报告"
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s?年度")
_PROJECT_TITLE = re.compile(r"项目(?:支出)?绩效(?:自评|评价)?(?:自评)?报告")
_DEPT_TITLE = re.compile(r"部门(?:\(单位\)|（单位）)?整体支出绩效(?:自评|评价)报告")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")
# a heading of the report's own outline ("六、部门整体支出绩效情况"): ends a project's part of a 部门 report
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]")
# a heading naming one project inside a 部门 report ("项目1：司法专项", "（一）禁毒宣传项目")
_PROJECT_HEADING = re.compile(r"^(?:项目\s*[\d一二三四五六七八九十]+\s*[:：、.．]|[(（]?[\d一二三四五六七八九十]+[)）、.．]?.*项目$)")
_LOOSE_BEFORE = re.compile(r"(?:超过|超|逾|高于)\s*$")
_LOOSE_AFTER = re.compile(r"^\s?(?:以上|及以上)")
_DEPT_WORDS = re.compile(r"部门|整体|本单位|我单位|全局|本局")
_PROJECT_WORDS = re.compile(r"项目|专项")
# a quoted or titled name as the subject of the figure: "“禁毒宣传”年初预算数", not "按照“过紧日子”要求，"
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
            last = None  # the concept of the sentence's previous figure
            for q in sentence.quantities:
                year = None
                for y, pos in sentence.years:
                    if pos < q.start:
                        year = y
                stmt = Statement(para, sentence, q, text, year or report_year,
                                 form_scope.form if form_scope else None, in_project or named is not None)
                _resolve(stmt, report_year)
                if stmt.concept in C.COLUMN_WORDS and row and C.amount_concept(q.label, rows_only=True)[0] is None:
                    # "公用经费决算数340.27万元，比预算数268.49万元": 预算数 is still 公用经费's
                    stmt.concept = row
                    stmt.column = C.basic_column(q.label, None, report_year)
                if stmt.concept is None and q.kind == "percent" and last in C.CONTROLLED \
                        and C.clean(q.label).endswith("控制率"):
                    # "编制数81人，实际在职人数80人，控制率98.77%": the control rate of the figures before it
                    stmt.concept, stmt.named = C.CONTROLLED[last], True
                if stmt.concept in C.BASIC_ROWS:
                    row = stmt.concept
                if stmt.concept:
                    last = stmt.concept
                stmt.subject = _subject(stmt, in_project, section, under_project)
                out.append(stmt)
    return out


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


# ------------------------------------------------------------------ internal arithmetic


def _group(q: X.Quantity) -> str:
    if q.kind in ("length", "area"):
        return q.kind
    if q.kind == "count":
        return "count:" + X.EQUIVALENT.get(q.unit, q.unit)
    return q.kind


def _slack(q: X.Quantity) -> float:
    """How far the written figure may be from the true one: none for a whole count ("3次" is 3)."""
    if q.kind == "count":
        if q.decimals == 0 and q.value == int(q.number_written()):
            return 0.0
        return q.half_unit * (q.value / q.number_written() if q.number_written() else 1.0)
    return q.half_unit


def _exact_slack(qs: list[X.Quantity]) -> dict[int, float]:
    """Each amount's slack when the relation is written to its most precise figure: "30万元" beside
    "89.97万元" is 30 exactly, not 29.5 to 30.5."""
    amounts = [q for q in qs if q.kind == "amount"]
    if not amounts:
        return {}
    places = max(q.decimals - round(__import__("math").log10(X.AMOUNT_UNITS.get(q.unit, 1.0))) for q in amounts)
    if places <= 0:
        return {}
    # a round figure among figures with decimals was written round because it is: "30万元" beside "29.99万元"
    return {id(q): 0.0 if q.decimals == 0 else q.half_unit for q in amounts}


def _consistent(wholes: list[float], parts: list[float], tolerance: float) -> bool:
    total = sum(parts)
    if any(abs(total - w) <= tolerance for w in wholes):
        return True
    # nested: "其中出具意见275例，建议适用263例，建议不适用12例" — a part broken down by those after it
    for i in range(len(parts) - 1):
        if abs(parts[i] - sum(parts[i + 1:])) <= tolerance and any(abs(sum(parts[:i + 1]) - w) <= tolerance
                                                                    for w in wholes):
            return True
    return False


def _check_sum(run: _Run, para: Paragraph, text: str, whole_qs: list[X.Quantity], parts: list[X.Quantity],
               sentence_text: str, offset: int) -> None:
    if not whole_qs or len(parts) < 2:
        return
    if any(q.approx or q.bound for q in whole_qs[-1:] + parts):
        return
    if whole_qs[-1].kind not in ("amount", "count", "length", "area"):
        return
    exact = _exact_slack(whole_qs[-1:] + parts)

    def slack(q):
        return exact.get(id(q), _slack(q))

    tolerance = sum(slack(q) for q in parts) + max(slack(q) for q in whole_qs) + 1e-9
    if _consistent([w.value for w in whole_qs], [p.value for p in parts], tolerance):
        return
    whole = whole_qs[-1]
    total = sum(p.value for p in parts)
    shown = excerpt(sentence_text.strip(), whole.start - offset, parts[-1].end - offset)
    if whole.kind == "amount":
        # shown in the total's own unit: "送审金额 35.43 亿元，其中各项之和 24.79 + 11.63 = 36.42 亿元"
        unit = whole.unit if whole.unit in ("亿元", "元") else "万元"
        k = X.AMOUNT_UNITS[unit]
        run.add(PART_SUM, para, round(whole.value, 4), round(total, 4), excerpt=shown,
                whole_label=whole.label or "合计", whole=_num(whole.value / k), unit=unit,
                parts=" + ".join(_num(p.value / k) for p in parts), total=_num(total / k),
                diff=_num(abs(total - whole.value) / k))
    else:
        scale = X.measure_scale(whole.unit) if whole.kind in ("length", "area") else 1.0
        run.add(COUNT_SUM, para, whole.value, total, excerpt=shown, whole_label=whole.label or "总数",
                whole=whole.text, parts=" + ".join(p.text for p in parts),
                total=(format(round(total / scale, 6), "g") if scale != 1.0 else _num(total)) + whole.unit)


def check_sums(run: _Run, paragraphs: list[Paragraph]) -> None:
    texts = [X.normalise(p.text) for p in paragraphs]
    for i, (para, text) in enumerate(zip(paragraphs, texts)):
        spans = [m.span() for m in _PAREN.finditer(text)]
        previous: X.Sentence | None = None
        for sentence in X.sentences(text):
            s_end = sentence.start + len(sentence.text)
            last, previous = previous, sentence
            for m in re.finditer("其中", sentence.text):
                k = sentence.start + m.start()
                paren = next((s for s in spans if s[0] < k < s[1]), None)
                if paren:
                    inside = [q for q in sentence.quantities if paren[0] < q.start < paren[1]]
                    before = [q for q in sentence.quantities if q.end <= paren[0]][-1:]
                    parts = [q for q in inside if q.start > k and q.kind != "percent"]
                else:
                    outside = [q for q in sentence.quantities if not any(a < q.start < b for a, b in spans)]
                    before = [q for q in outside if q.end <= k and q.kind != "percent"]
                    parts = [q for q in outside if q.start > k and q.kind != "percent"]
                    nxt = re.search("其中", sentence.text[m.end():])
                    if nxt:  # a later 其中 starts another breakdown
                        stop = sentence.start + m.end() + nxt.start()
                        parts = [q for q in parts if q.start < stop]
                if not parts:
                    if not sentence.text[m.end():].strip(" :：,，") and s_end >= len(text.rstrip("。 ")):
                        _paragraph_parts(run, i, paragraphs, texts, [q for q in before])
                    continue
                all_parts = parts
                # each kind of figure is its own breakdown: "其中预算173宗，送审金额23.79亿元…": 宗 and 亿元 apart
                for group in dict.fromkeys(_group(q) for q in all_parts):
                    parts = [q for q in all_parts if _group(q) == group]
                    wholes = [q for q in before if _group(q) == group]
                    if not wholes and last is not None and not sentence.text[:m.start()].strip():
                        # "“三公”经费支出12.88万元，比上年减少4.12万元。其中：…": the total of the sentence before
                        wholes = [q for q in last.quantities if _group(q) == group and C.is_level(q.label)]
                        if wholes:
                            joined = text[last.start:s_end]
                            _breakdown(run, para, text, wholes, parts, joined, last.start)
                        continue
                    _breakdown(run, para, text, wholes, parts, sentence.text, sentence.start)


# a breakdown by level of the indicator tree: "其中一级指标3个，二级指标9个，三级指标12个" are not parts of the 12
_LEVEL = re.compile(r"[一二三四1-4]级")
# the words of a label that say which column of a repeated series it is: "送审金额", "审定金额", "核减"
_SERIES_WORDS = re.compile(r"[\u4e00-\u9fff]{2,6}$")
# a figure that opens its clause with these is not a category of the breakdown before it
_NOT_A_PART = re.compile(r"^(?:此外|另外|另有|另|同时|以及)")


def _series_key(label: str) -> str:
    match = _SERIES_WORDS.search(C.clean(label).rstrip("为是共达计"))
    return match.group(0)[-4:] if match else ""


def _tolerance(wholes: list[X.Quantity], parts: list[X.Quantity]) -> float:
    return sum(_slack(q) for q in parts) + max(_slack(q) for q in wholes) + 1e-9


def _part_above(run: _Run, para: Paragraph, whole: X.Quantity, part: X.Quantity, sentence_text: str,
                offset: int) -> None:
    if whole.approx or whole.bound or part.approx or part.bound or whole.value <= 0:
        return
    if part.value <= whole.value + _slack(part) + _slack(whole) + 1e-9:
        return
    shown = excerpt(sentence_text.strip(), whole.start - offset, part.end - offset)
    run.add(PART_ABOVE, para, round(whole.value, 4), round(part.value, 4), excerpt=shown,
            part_label=part.label or "其中", part=part.text, whole_label=whole.label or "总数", whole=whole.text)


def _breakdown(run: _Run, para: Paragraph, text: str, wholes: list[X.Quantity], parts: list[X.Quantity],
               sentence_text: str, offset: int) -> None:
    """The parts after a 其中 against the total before it, when the words make them parts of it.

    Not parts: levels of the indicator tree ("其中一级指标3个…"), a figure opened by 此外/另有, and a figure
    equal to the total written again after the parts ("…，2021年度中央下达资金61.8万元").  With several totals
    of one kind before the 其中 ("送审金额35.43亿元，审定金额32.66亿元，其中预算…送审金额23.79亿元，
    审定金额21.81亿元…"), each total takes the parts its words name; when none do, nothing is said.
    """
    if not wholes or not parts:
        return
    if any(_LEVEL.search(C.clean(q.label)) for q in parts):
        return
    parts = [q for q in parts if not _NOT_A_PART.match(q.label)]
    cut = next((k for k, q in enumerate(parts) if _ADJUST.search(C.clean(q.label))), None)
    if cut is not None and any(_NET.search(C.clean(q.label)) for q in parts[cut + 1:]):
        # "…孤儿基本生活保障金11万元，调减40万元，全年实际下达71万元": an adjustment and its net end the parts
        parts = parts[:cut]
    if len(wholes) > 1 and parts:
        biggest = max(q.value for q in parts)
        large = [w for w in wholes if w.value + _slack(w) >= biggest]
        if len(large) == 1:
            wholes = large
    if len(wholes) > 1:
        for whole in wholes:
            key = _series_key(whole.label)
            named = [q for q in parts if key and _series_key(q.label) == key]
            if len(named) >= 2:
                _check_sum(run, para, text, [whole], named, sentence_text, offset)
        return
    whole = wholes[-1]
    if len(parts) >= 2:
        tol = _tolerance([whole], parts)
        kept = [q for q in parts if abs(q.value - whole.value) > tol]
        if len(kept) < len(parts) and len(kept) >= 2:
            parts = kept
    if len(parts) == 1:
        _part_above(run, para, whole, parts[0], sentence_text, offset)
        return
    _check_sum(run, para, text, [whole], parts, sentence_text, offset)


def check_included(run: _Run, paragraphs: list[Paragraph]) -> None:
    """"985万元（含1个年初结转结余项目50万元）": what the brackets include is not more than the figure before them."""
    for para in paragraphs:
        text = X.normalise(para.text)
        if "含" not in text:
            continue
        for m in _PAREN.finditer(text):
            if not re.match(r"[(（]\s*(?:其中|含|包含|包括)", m.group(0)):
                continue
            for sentence in X.sentences(text):
                if not sentence.start <= m.start() < sentence.start + len(sentence.text):
                    continue
                before = [q for q in sentence.quantities if q.end <= m.start() and m.start() - q.end <= 1]
                if not before:
                    continue
                whole = before[-1]
                inside = [q for q in sentence.quantities if m.start() < q.start < m.end()
                          and _group(q) == _group(whole)]
                if len(inside) == 1:
                    _part_above(run, para, whole, inside[0], sentence.text, sentence.start)


# an adjustment of the figure before it and the amount after it
_ADJUST = re.compile(r"(追加|调增|调减|核减|收回|压减|增加|减少)$")
_ADJUST_SIGN = {"追加": 1, "调增": 1, "增加": 1, "调减": -1, "核减": -1, "收回": -1, "压减": -1, "减少": -1}
_NET = re.compile(r"(全年|实际|调整后|最终|合计|共计)")


def check_adjustments(run: _Run, paragraphs: list[Paragraph]) -> None:
    """"年初安排100万元，追加11万元，后调减40万元，全年实际下达71万元": 100 + 11 − 40 = 71 (T109)."""
    for para in paragraphs:
        text = X.normalise(para.text)
        if not any(word in text for word in _ADJUST_SIGN):
            continue
        spans = [m.span() for m in _PAREN.finditer(text)]
        for sentence in X.sentences(text):
            qs = [q for q in sentence.quantities if q.kind == "amount"
                  and not any(a < q.start < b for a, b in spans)]
            k = next((i for i, q in enumerate(qs) if _ADJUST.search(C.clean(q.label).rstrip("了"))), None)
            if k is None or k == 0:
                continue
            j = k
            steps = []
            while j < len(qs) and (m := _ADJUST.search(C.clean(qs[j].label).rstrip("了"))):
                steps.append((_ADJUST_SIGN[m.group(1)], qs[j]))
                j += 1
            if j >= len(qs) or not _NET.search(C.clean(qs[j].label)):
                continue
            net = qs[j]
            before = sentence.text[:qs[k].start - sentence.start]
            # the base: the figure before the adjustments, or before the 其中 that lists its parts
            q_start = before.rfind("其中")
            base_candidates = [q for q in qs[:k] if q_start < 0 or q.start - sentence.start < q_start]
            if not base_candidates:
                continue
            base = base_candidates[-1]
            figures = [base, net] + [q for _, q in steps]
            if any(q.approx or q.bound for q in figures):
                continue
            computed = base.value + sum(sign * q.value for sign, q in steps)
            tolerance = sum(q.half_unit for q in figures) + 1e-9
            if abs(computed - net.value) <= tolerance:
                continue
            shown = excerpt(sentence.text.strip(), base.start - sentence.start, net.end - sentence.start)
            chain = _num(base.value) + "".join(f" {'+' if sign > 0 else '−'} {_num(q.value)}" for sign, q in steps)
            run.add(ADJUSTED, para, round(computed, 4), round(net.value, 4), excerpt=shown,
                    base_label=base.label or "原数", chain=chain, computed=_num(computed),
                    net_label=net.label or "调整后", net=_num(net.value))


# a total written after its parts: "…3.2万元；共计40.83万元", "合计批复总投资6222.4万元"
_TOTAL_AFTER = re.compile(r"^(?:合计|共计|总计)")


def check_totals_after(run: _Run, paragraphs: list[Paragraph]) -> None:
    for para in paragraphs:
        text = X.normalise(para.text)
        spans = [m.span() for m in _PAREN.finditer(text)]
        previous = None
        for sentence in X.sentences(text):
            qs = sentence.quantities
            start = 0
            last, previous = previous, sentence
            if len(qs) == 1 and last is not None and _TOTAL_AFTER.match(sentence.text.strip()):
                # "…基本公共卫生服务项目3万元。共计下达中央、市级转移支付资金3580.69万元。"
                _total_of(run, para, text, qs[0], [q for q in last.quantities if _group(q) == _group(qs[0])
                                                   and not any(a < q.start < b for a, b in spans)],
                          text[last.start:sentence.start + len(sentence.text)], last.start)
            for j, total in enumerate(qs):
                if not _TOTAL_AFTER.match(C.clean(total.label)) or total.kind not in ("amount", "count", "length",
                                                                                       "area"):
                    continue
                inside = next((sp for sp in spans if sp[0] < total.start < sp[1]), None)
                group = _group(total)
                candidates = [q for q in qs[start:j] if _group(q) == group
                              and next((sp for sp in spans if sp[0] < q.start < sp[1]), None) == inside]
                start = j + 1
                outside = sentence.text[:total.start - sentence.start]
                for a, b in sorted(spans, reverse=True):
                    if a >= sentence.start and b <= total.start:
                        outside = outside[:a - sentence.start] + outside[b - sentence.start:]
                if "其中" in outside:
                    continue  # the 其中 reading covers it
                _total_of(run, para, text, total, candidates, sentence.text, sentence.start)
            _bracketed_totals(run, para, text, sentence, spans)


def _total_of(run: _Run, para: Paragraph, text: str, total: X.Quantity, candidates: list[X.Quantity],
              shown_text: str, offset: int) -> None:
    """A 合计/共计 against the figures listed before it: right when they, or the last few of them, add up to it;
    not said when one of them is bigger than the total (then they are not its parts)."""
    if len(candidates) < 2 or any(q.approx or q.bound for q in candidates + [total]):
        return
    tol = _tolerance([total], candidates)
    if any(abs(sum(q.value for q in candidates[k:]) - total.value) <= tol for k in range(len(candidates) - 1)):
        return
    if any(q.value > total.value + tol for q in candidates):
        return
    _check_sum(run, para, text, [total], candidates, shown_text, offset)


def _bracketed_totals(run: _Run, para: Paragraph, text: str, sentence: X.Sentence, spans: list) -> None:
    """"一批…3374.3万元(其中建筑工程3292万元)，二批…(其中建筑工程1975.775万元)…，合计…6222.4万元(其中建筑工程
    6025.215万元)": the bracketed figure after a 合计 is the sum of the bracketed figures of the same words."""
    def span_of(q):
        return next((sp for sp in spans if sp[0] < q.start < sp[1]), None)

    qs = sentence.quantities
    for j, outer in enumerate(qs[:-1]):
        inner = qs[j + 1]
        if not _TOTAL_AFTER.match(C.clean(outer.label)) or span_of(outer) or not span_of(inner):
            continue
        key = _series_key(inner.label)
        parts = [q for q in qs[:j] if span_of(q) and _group(q) == _group(inner) and key
                 and _series_key(q.label) == key]
        if len(parts) >= 2:
            _check_sum(run, para, text, [inner], parts, sentence.text, sentence.start)


# a rate and the two figures it is made of, in one sentence
_RATE_WORDS = re.compile(r"(执行率|支付率|到位率|完成率|拨付率|支出率)(?:为|达|达到|是)?$")
_UNSPENT = re.compile(r"未支|未付|未拨|结余|未使用|剩余")
_DONE = re.compile(r"执行|支出|支付|拨付|到位|完成|使用|实际")
_PLANNED = re.compile(r"预算|安排|下达|计划|资金|总额|共")


def check_rates(run: _Run, paragraphs: list[Paragraph]) -> None:
    for para in paragraphs:
        text = X.normalise(para.text)
        if "率" not in text:
            continue
        previous = None
        for sentence in X.sentences(text):
            after = 0
            last, previous = previous, sentence
            for q in sentence.quantities:
                if q.kind != "percent":
                    continue
                figures = [a for a in sentence.quantities if after <= a.start < q.start and a.kind == "amount"]
                first_rate = after == 0
                after = q.end
                if first_rate and last is not None:
                    earlier = [a for a in last.quantities if a.kind == "amount"]
                    if not figures and len(earlier) == 2:
                        # "实际执行飞行经费9109.54万元，结余689.66万元，为中央补助资金。项目执行率92.96%。"
                        figures = earlier
                    elif len(figures) == 1 and _DONE.search(figures[0].label) and len(earlier) == 1 \
                            and _PLANNED.search(earlier[0].label) and not _DONE.search(earlier[0].label):
                        # "…14856.17万元资金全部拨付到位…。实际形成支出14474.11553万元，支出率97.43%。"
                        figures = earlier + figures
                rate = _RATE_WORDS.search(C.clean(q.label))
                if q.approx or q.bound or any(a.approx or a.bound for a in figures):
                    continue
                if rate and len(figures) != 2:
                    continue
                if not rate:
                    _named_rate(run, para, sentence, q, figures)
                    continue
                a, b = figures
                unspent = [f for f in figures if _UNSPENT.search(f.label)]
                if len(unspent) == 1:
                    done = b if unspent[0] is a else a
                    num, den, den_text = done.value, done.value + unspent[0].value, f"({done.text} + {unspent[0].text})"
                    den_half = done.half_unit + unspent[0].half_unit
                elif _DONE.search(b.label) and _PLANNED.search(a.label) and not _DONE.search(a.label):
                    num, den, den_text, den_half = b.value, a.value, a.text, a.half_unit
                else:
                    continue
                done = b if num == b.value else a
                if den <= 0 or num <= 0:
                    continue
                computed = num / den
                slack = q.half_unit + computed * (done.half_unit / num + den_half / den) + 1e-9
                if abs(computed - q.value) > slack:
                    shown = excerpt(sentence.text.strip(), max(0, a.start - sentence.start), q.end - sentence.start)
                    run.add(RATE_TEXT, para, round(computed, 6), round(q.value, 6), excerpt=shown,
                            rate_label=rate.group(1), numerator=done.text, denominator=den_text,
                            computed=f"{computed * 100:.{max(q.decimals, 2)}f}%", stated=q.text)


# year-on-year: "支出12.88万元，上年支出17万元，比上年减少4.12万元，下降24.24%"
_PREVIOUS_YEAR = re.compile(r"上年|上一年|去年")
_CHANGE_WORDS = re.compile(r"(增加|增长|上升|提高|减少|下降|降低)了?$")
_DOWN = ("减少", "下降", "降低")


def check_changes(run: _Run, paragraphs: list[Paragraph]) -> None:
    """The change from last year against both years' figures written in the same sentence (T110)."""
    for para in paragraphs:
        text = X.normalise(para.text)
        if not _PREVIOUS_YEAR.search(text) and "同比" not in text:
            continue
        previous_sentence = None
        for sentence in X.sentences(text):
            last_sentence, previous_sentence = previous_sentence, sentence
            if not (_PREVIOUS_YEAR.search(sentence.text) or "同比" in sentence.text):
                continue
            qs = [q for q in sentence.quantities if q.kind in ("amount", "percent") and not q.approx and not q.bound]
            amounts = [q for q in qs if q.kind == "amount"]
            current = [q for q in amounts if C.is_level(q.label) and not _PREVIOUS_YEAR.search(q.label)]
            if not current and last_sentence is not None and re.match(r"\s*(?:与上年相比|比上年|较上年|同比)",
                                                                       sentence.text):
                # "…“三公”经费总支出为1928.76万元。与上年相比，…支出减少了1093.92万元，下降了36.2%。"
                earlier = [q for q in last_sentence.quantities if q.kind == "amount" and not q.approx
                           and not q.bound and C.is_level(q.label)]
                current = earlier if len(earlier) == 1 else []
            previous = [q for q in amounts if C.is_level(q.label) and _PREVIOUS_YEAR.search(q.label)]
            deltas = [q for q in amounts if _CHANGE_WORDS.search(C.clean(q.label))]
            pcts = [q for q in qs if q.kind == "percent" and _CHANGE_WORDS.search(C.clean(q.label))]
            if len(current) != 1 or len(previous) > 1 or len(deltas) > 1 or len(pcts) > 1:
                continue
            a = current[0]
            b = previous[0] if previous else None
            delta = deltas[0] if deltas else None
            pct = pcts[0] if pcts else None
            if delta is not None and b is not None and delta.start < b.start:
                continue
            if delta is not None and delta.start < a.start and a.start >= sentence.start:
                continue
            first = a if b is None else min(a, b, key=lambda q: q.start)
            last = max([q for q in (a, b, delta, pct) if q is not None], key=lambda q: q.end)
            whole = text[min(first.start, sentence.start):sentence.start + len(sentence.text)]
            shown = excerpt(whole.strip(), first.start - min(first.start, sentence.start),
                            last.end - min(first.start, sentence.start))

            def sign(q):
                return -1 if _CHANGE_WORDS.search(C.clean(q.label)).group(1) in _DOWN else 1

            exact = _exact_slack([q for q in (a, b, delta) if q is not None])

            def half(q, exact=exact):
                return exact.get(id(q), q.half_unit)

            if b is not None and delta is not None:
                computed = a.value - b.value
                if abs(computed - sign(delta) * delta.value) > half(a) + half(b) + half(delta) + 1e-9:
                    run.add(CHANGE, para, round(computed, 4), round(sign(delta) * delta.value, 4), excerpt=shown,
                            what=f"{a.text} − {b.text} = {_num(computed)} 万元",
                            computed=("增加" if computed >= 0 else "减少") + f" {_num(abs(computed))} 万元",
                            stated=f"{_CHANGE_WORDS.search(C.clean(delta.label)).group(1)} {delta.text}")
                    continue
            if pct is None:
                continue
            if b is not None:
                base, change, slack_in = b.value, a.value - b.value, half(a) + half(b)
                what = f"({a.text} − {b.text}) ÷ {b.text}"
            elif delta is not None:
                change = sign(delta) * delta.value
                base, slack_in = a.value - change, half(a) + half(delta)
                what = f"{delta.text} ÷ ({a.text} {'−' if change >= 0 else '+'} {delta.text})"
            else:
                continue
            if base <= 0:
                continue
            computed = change / base
            stated = sign(pct) * pct.value
            slack = pct.half_unit + (slack_in / base) * (1 + abs(computed)) + 1e-9
            if abs(computed - stated) > slack:
                run.add(CHANGE, para, round(computed, 6), round(stated, 6), excerpt=shown, what=f"增减幅度 {what}",
                        computed=("增长" if computed >= 0 else "下降") + f" {abs(computed) * 100:.{max(pct.decimals, 2)}f}%",
                        stated=f"{_CHANGE_WORDS.search(C.clean(pct.label)).group(1)} {pct.text}")


# "送审金额35.43亿元，审定金额32.66亿元，核减2.77亿元，核减率7.82%": the rate of the figure its word names, on the
# figure the others are taken from
_NAMED_RATE = re.compile(r"([\u4e00-\u9fff]{2})率(?:为|达|是)?$")
_BASE = re.compile(r"送审|预算|计划|安排|下达|总额|合计")


def _named_rate(run: _Run, para: Paragraph, sentence: X.Sentence, q: X.Quantity, figures: list[X.Quantity]) -> None:
    named = _NAMED_RATE.search(C.clean(q.label))
    if not named or _CHANGE_WORDS.search(named.group(1)) or len(figures) < 2:
        return
    word = named.group(1)
    numerators = [f for f in figures if C.clean(f.label).endswith(word)]
    bases = [f for f in figures if _BASE.search(f.label) and f not in numerators]
    if len(numerators) != 1 or not bases:
        return
    num, den = numerators[0], bases[0]
    if den.value <= 0 or num.value <= 0 or den.start > num.start:
        return
    computed = num.value / den.value
    slack = q.half_unit + computed * (num.half_unit / num.value + den.half_unit / den.value) + 1e-9
    if abs(computed - q.value) > slack:
        shown = excerpt(sentence.text.strip(), den.start - sentence.start, q.end - sentence.start)
        run.add(RATE_TEXT, para, round(computed, 6), round(q.value, 6), excerpt=shown, rate_label=f"{word}率",
                numerator=num.text, denominator=den.text, computed=f"{computed * 100:.{max(q.decimals, 2)}f}%",
                stated=q.text)


# a document number: "呼财农指【2023】41号", "皖财农〔2020〕1351号"
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,8}[〔【\[(（]\s*(?:19|20)\d{2}\s*[〕】\])）]\s*\d+\s*号")


def check_document_numbers(run: _Run, paragraphs: list[Paragraph]) -> None:
    """The amount one document (by its 文号) gave, written differently in two places (T103)."""
    first: dict[str, tuple[Paragraph, X.Sentence, X.Quantity]] = {}
    for para in paragraphs:
        text = X.normalise(para.text)
        for sentence in X.sentences(text):
            numbers = list(_DOC_NO.finditer(sentence.text))
            if len(numbers) != 1:
                continue
            doc_no = re.sub(r"\s", "", numbers[0].group(0))
            cut = sentence.start + numbers[0].end()
            amounts = [q for q in sentence.quantities if q.start >= cut and q.kind == "amount"]
            if len(amounts) != 1 or amounts[0].approx or amounts[0].bound:
                continue
            q = amounts[0]
            seen = first.get(doc_no)
            if seen is None:
                first[doc_no] = (para, sentence, q)
                continue
            p0, s0, q0 = seen
            # one figure written twice: equal as rounded to the coarser of the two ("5万元" is not "6万元")
            if abs(q0.value - q.value) > max(q0.half_unit, q.half_unit) + 1e-9:
                where0 = f"{p0.where}“{excerpt(s0.text.strip(), q0.start - s0.start, q0.end - s0.start)}”"
                run.add(REPEAT, para, round(q0.value, 4), round(q.value, 4),
                        excerpt=excerpt(sentence.text.strip(), q.start - sentence.start, q.end - sentence.start),
                        label=f"{doc_no}下达的金额", found=_num(q.value), expected=_num(q0.value), first_where=where0)


def _paragraph_parts(run: _Run, i: int, paragraphs: list[Paragraph], texts: list[str],
                     wholes: list[X.Quantity]) -> None:
    """"…基本支出1322.23万元，其中：" with the parts as the first figure of each following paragraph."""
    wholes = [q for q in wholes if q.kind == "amount"]
    if not wholes:
        return
    parts = []
    for j in range(i + 1, min(i + 12, len(paragraphs))):
        found = X.quantities(texts[j])
        if not found or found[0].kind != "amount" or found[0].start > 30:
            break
        parts.append(found[0])
    if len(parts) < 2 or any(q.approx for q in parts + wholes[-1:]):
        return
    tolerance = sum(q.half_unit for q in parts) + wholes[-1].half_unit + 1e-9
    if _consistent([w.value for w in wholes], [p.value for p in parts], tolerance):
        return
    whole = wholes[-1]
    total = sum(p.value for p in parts)
    names = "、".join(f"{p.label}{p.text}" for p in parts)
    run.add(PART_SUM, paragraphs[i], round(whole.value, 4), round(total, 4),
            excerpt=excerpt(texts[i]) + f"（其后各段：{names}）", whole_label=whole.label or "合计",
            whole=_num(whole.value), parts=" + ".join(_num(p.value) for p in parts), total=_num(total),
            diff=_num(abs(total - whole.value)), unit="万元")


def _whole_value(run: _Run, stmt: Statement, whole_words: str) -> tuple[float, float, str] | None:
    """The whole a share refers to: the report's own figure for it, else the table's. (value, half, source)"""
    concept, named = C.amount_concept(whole_words)
    if concept is None:
        return None
    if run.by_concept is None:
        run.by_concept = {}
        for s in run.statements:
            if s.q.kind == "amount" and s.concept and s.column in ("actual", "other") and not s.q.approx \
                    and not s.q.bound:
                run.by_concept.setdefault(s.concept, []).append(s)
    listed = run.by_concept.get(concept, [])
    at_ = bisect.bisect_left([(s.para.index, s.q.start) for s in listed], (stmt.para.index, stmt.q.start))
    # the figure the sentence names: its own figure for the whole if it has one, else the last one before it of
    # the same year and the same owner ("本级项目支出" is not "项目支出总额", 上年的总收入 is not this year's)
    earlier = listed[:at_]
    same_sentence = [s for s in earlier if s.para.index == stmt.para.index and s.sentence.start == stmt.sentence.start]
    if same_sentence:
        best = same_sentence[-1]
        return best.q.value, best.q.half_unit, f"{best.q.label}{best.q.text}"
    owner = _GENERIC_OWNER.sub("", re.sub(r"[^\u4e00-\u9fff]", "", whole_words))
    keys = [k for k, v in C.AMOUNTS.items() if v == concept and k in owner]
    if keys:
        owner = owner[:max(owner.rfind(k) for k in keys)]
    fitting = [s for s in earlier if s.year == stmt.year and s.column == "actual" and _same_scope(_owner(s), owner)]
    if fitting:
        best = fitting[-1]
        return best.q.value, best.q.half_unit, f"{best.q.label}{best.q.text}"
    if earlier:
        return None
    if run.compare:
        fact = run.facts.amount(concept, "actual", stmt.form)
        if fact is not None and isinstance(fact.value, (int, float)):
            return float(fact.value), 0.005, f"表中 {fact.where} {fact.shown()} 万元"
    return None


def _whole_before_qizhong(stmt: Statement, part: X.Quantity) -> tuple[float, float, str, str] | None:
    sentence = stmt.sentence
    k = sentence.text.rfind("其中", 0, part.start - sentence.start)
    if k < 0:
        return None
    k += sentence.start
    before = [q for q in sentence.quantities if q.end <= k and _group(q) == _group(part)]
    if not before:
        return None
    whole = before[-1]
    return whole.value, whole.half_unit, whole.text, whole.label


def check_shares(run: _Run) -> None:
    for stmt in run.statements:
        q = stmt.q
        if q.kind != "percent" or q.bound or q.approx:
            continue
        split = C.share_whole(q.label)
        if split is None:
            continue
        part_words, whole_words = split
        before = [p for p in stmt.sentence.quantities if p.end <= q.start and p.kind in ("amount", "count")]
        if not before:
            run.unchecked.append(stmt)
            continue
        part = before[-1]
        if part.approx:
            continue
        if part.value == 0:
            if q.value != 0:
                run.add(SHARE, stmt, 0.0, round(q.value, 6), excerpt=_sentence_excerpt(stmt),
                        part_label=part.label, part=part.text, whole_label=whole_words, whole="", computed="0%",
                        stated=q.text)
            continue
        if not whole_words:  # "…，其中：一般公共预算拨款1400.5万元，占93.34%": of the total before 其中
            found = _whole_before_qizhong(stmt, part)
            whole, whole_words = (found[:3], found[3] or "合计") if found else (None, "")
            if whole is None:
                run.add(UNMATCHED, stmt, None, round(q.value, 6), excerpt=_sentence_excerpt(stmt), label="占",
                        found=q.text, reason="没有写明是占什么的比例")
                continue
        else:
            whole = _whole_value(run, stmt, whole_words) if part.kind == "amount" else None
        if whole is None:
            where = "报告和表中都" if run.compare else "报告中"
            run.add(UNMATCHED, stmt, None, round(q.value, 6), excerpt=_sentence_excerpt(stmt),
                    label=f"占{whole_words}的", found=q.text,
                    reason=f"{where}找不到“{whole_words}”的金额，占比无法计算")
            continue
        value, half, source = whole
        if value == 0 or not part.value:
            continue
        computed = part.value / value
        slack = q.half_unit + computed * (part.half_unit / part.value + half / value) + 1e-9
        if abs(computed - q.value) > slack:
            run.add(SHARE, stmt, round(computed, 6), round(q.value, 6), excerpt=_sentence_excerpt(stmt),
                    part_label=part.label, part=part.text, whole_label=whole_words, whole=f"（{source}）",
                    computed=f"{computed * 100:.{max(q.decimals, 2)}f}%", stated=q.text)


# words that do not name whose figure it is: "2023年度全年预算数", "本单位项目支出"
_GENERIC_OWNER = re.compile(r"(?:19|20)\d{2}年度?|年度|全年|本年|当年|上年|本单位|我单位|本部门|部门|整体|单位|其中|项目|专项|该|本|此|的|为|是|共|有")


# words that narrow a figure to a part of the 部门: 本级项目支出 is not the 项目支出总额
_NARROW = re.compile(r"本级|所属|下属|机关|二级")


def _same_scope(a: str, b: str) -> bool:
    """Two owners of one kind of figure that may be the same figure: equal, or neither narrowed to a part."""
    return a == b or not (_NARROW.search(a) or _NARROW.search(b))


def _owner(stmt: Statement) -> str:
    """The words before a figure's keyword that name whose it is ("教育补助项目全年预算数" → "教育补助项目")."""
    label = C.clean(stmt.q.label)
    keys = [k for k, v in C.AMOUNTS.items() if v == stmt.concept and k in label]
    if not keys:
        return ""
    cut = max(label.rfind(k) for k in keys)
    words = re.sub(r"[^\u4e00-\u9fff]", "", _PAREN.sub("", label[:cut]))
    return _GENERIC_OWNER.sub("", words)


def check_repeats(run: _Run) -> None:
    first: dict[tuple, Statement] = {}
    owner_of: dict[tuple, str] = {}  # the last owner named in a sentence: "…项目全年预算数9万元，执行数为8.4万元"
    for stmt in run.statements:
        q = stmt.q
        if q.kind != "amount" or not stmt.concept or q.approx or q.bound:
            continue
        if stmt.subject is None:  # whose figure it is is not certain: nothing to compare it with
            continue
        place = (stmt.para.index, stmt.sentence.start)
        owner = _owner(stmt) or owner_of.get(place, "")
        owner_of[place] = owner
        # labels are compared by what they name: 教育补助项目 and 残疾人培训项目 are two items, not one written twice
        key = (stmt.concept, stmt.column, stmt.year, stmt.subject, owner)
        seen = first.get(key)
        if seen is None:
            first[key] = stmt
            continue
        if abs(seen.q.value - q.value) > seen.q.half_unit + q.half_unit + 1e-9:
            run.add(REPEAT, stmt, round(seen.q.value, 4), round(q.value, 4), excerpt=_sentence_excerpt(stmt),
                    label=q.label or C.CONCEPT_NAMES.get(stmt.concept, ""), found=_num(q.value),
                    expected=_num(seen.q.value),
                    first_where=f"{seen.para.where}“{_sentence_excerpt(seen)}”")


def check_grades(run: _Run, paragraphs: list[Paragraph]) -> None:
    from ..scoring import grade as grade_of

    by_para: dict[int, list[Statement]] = {}
    for stmt in run.statements:
        if stmt.concept == "total" and not stmt.q.bound:
            by_para.setdefault(stmt.para.index, []).append(stmt)
    for para in paragraphs:
        text = X.normalise(para.text)
        for g in X.grades(text):
            scores = [s for s in by_para.get(para.index, []) if s.q.start < g.start]
            if scores:
                stated = scores[-1]
                expected = grade_of(stated.q.value)
                if expected != g.grade:
                    run.add(SCORE_GRADE, para, expected, g.grade, excerpt=excerpt(text, stated.q.start, g.end),
                            score=_num(stated.q.value), expected=expected, found=g.grade)
            if run.compare:
                form = _form_for(run, para)
                if form is None and run.project_paras.get(para.index, (False,))[0]:
                    run.add(UNMATCHED, para, None, g.grade, excerpt=excerpt(text, g.start, g.end), label="等级",
                            found=f"“{g.grade}”", reason=_no_project(run))
                    continue
                fact = run.facts.grade(form)
                if fact is not None and fact.value != g.grade:
                    run.add(SCORE, para, fact.value, g.grade, excerpt=excerpt(text, g.start, g.end), label="等级",
                            found=f"“{g.grade}”", table=fact.where, expected=f"“{fact.value}”")


def _form_for(run: _Run, para: Paragraph):
    return run.project_paras.get(para.index, (False, None))[1]


# ------------------------------------------------------------------ against the tables


def _prev_hint(run: _Run, stmt: Statement) -> str:
    if stmt.concept not in C.BASIC_ROWS or stmt.column == "prev_actual":
        return ""
    prev = run.facts.basic_row(stmt.concept, "prev_actual")
    if prev is not None and abs(prev.value - stmt.q.value) <= stmt.q.half_unit + 0.005:
        return f"；报告的数与上年 {prev.where} {prev.shown()} 万元相同，疑为沿用上年数字"
    return ""


SCOPED = {"initial", "full", "executed", "exec_rate", "exec_score", "total"}


def _no_project(run: _Run) -> str:
    names = "、".join(f"“{p.name}”" for p in run.facts.projects) or "无"
    return f"这段属于项目报告，但工作簿中找不到名称相符的附件3（工作簿中的项目：{names}）"


def check_tables(run: _Run) -> None:
    facts = run.facts
    for stmt in run.statements:
        q = stmt.q
        if not stmt.concept:
            if q.kind in ("amount", "percent", "score") and not (q.kind == "percent" and C.share_whole(q.label)):
                run.unchecked.append(stmt)
            continue
        label = q.label or C.CONCEPT_NAMES.get(stmt.concept, "")
        if stmt.concept in SCOPED and stmt.project_scope and stmt.form is None:
            run.add(UNMATCHED, stmt, None, round(q.value, 6), excerpt=_sentence_excerpt(stmt), label=label,
                    found=q.text, reason=_no_project(run))
            continue
        if stmt.concept in SCOPED and stmt.subject is None:
            run.add(UNMATCHED, stmt, None, round(q.value, 6), excerpt=_sentence_excerpt(stmt), label=label,
                    found=q.text, reason="没有写明是部门整体还是哪个项目的数（写出项目全称，或放在该项目的评价报告中）")
            continue
        if q.kind == "count":
            fact = facts.staff(stmt.concept)
            if fact is None:
                run.add(UNMATCHED, stmt, None, q.value, excerpt=_sentence_excerpt(stmt), label=label, found=q.text,
                        reason=f"表中没有{C.CONCEPT_NAMES.get(stmt.concept, '')}")
            elif not q.approx and not q.bound and abs(fact.value - q.value) > 1e-9:
                run.add(STAFF, stmt, fact.value, q.value, excerpt=_sentence_excerpt(stmt), label=label,
                        found=q.text, table=fact.where, expected=f"{fact.shown()} 人")
            continue
        if q.kind == "amount":
            if stmt.column == "other":
                run.add(UNMATCHED, stmt, None, q.value, excerpt=_sentence_excerpt(stmt), label=label, found=q.text,
                        reason=f"是 {stmt.year} 年的数，工作簿是 {run.report_year} 年度")
                continue
            fact = facts.amount(stmt.concept, stmt.column, stmt.form)
            if fact is None or not isinstance(fact.value, (int, float)):
                if q.value == 0 and fact is None and stmt.concept in ("gov_fund",):
                    continue
                column = {"budget": "的预算数", "prev_actual": "的上年数"}.get(stmt.column, "")
                run.add(UNMATCHED, stmt, None, round(q.value, 4), excerpt=_sentence_excerpt(stmt), label=label,
                        found=q.text, reason=f"表中没有{C.CONCEPT_NAMES.get(stmt.concept, stmt.concept)}{column}")
                continue
            if q.approx or q.bound:
                continue
            if abs(fact.value - q.value) > q.half_unit + 0.005 + 1e-9:
                run.add(AMOUNT, stmt, round(fact.value, 4), round(q.value, 4), excerpt=_sentence_excerpt(stmt),
                        label=label, found=_num(q.value), table=fact.where, expected=fact.shown(),
                        hint=_prev_hint(run, stmt))
        elif q.kind == "percent":
            fact = facts.rate(stmt.concept, stmt.form)
            if fact is None:
                run.add(UNMATCHED, stmt, None, round(q.value, 6), excerpt=_sentence_excerpt(stmt), label=label,
                        found=q.text, reason=f"表中算不出{C.CONCEPT_NAMES.get(stmt.concept, '')}")
                continue
            value, slack = fact.value, q.half_unit + 5e-5
            # "约99.99%", "超过95%", "95%以上" are not contradicted by a rate close to them
            near = max(0.01, 0.05 * abs(value)) + slack
            if q.bound == "le":
                wrong, claim = value > q.value + slack, f"不超过 {q.text}"
            elif q.bound == "ge":
                loose = _LOOSE_BEFORE.search(stmt.text[max(0, q.start - 4):q.start]) \
                    or _LOOSE_AFTER.match(stmt.text[q.end:q.end + 4])
                wrong, claim = value < q.value - (near if loose else slack), f"不低于 {q.text}"
            elif q.approx:
                wrong, claim = abs(value - q.value) > near, q.text
            else:
                wrong, claim = abs(value - q.value) > slack, q.text
            if wrong:
                where = fact.where if "=" in fact.where else f"{fact.where} 为 {fmt_rate(value)}"
                run.add(RATE, stmt, round(value, 6), round(q.value, 6), excerpt=_sentence_excerpt(stmt),
                        label=label, found=claim, table=where, hint="")
        elif q.kind == "score":
            fact = facts.score(stmt.concept, stmt.form)
            if fact is None:
                run.add(UNMATCHED, stmt, None, q.value, excerpt=_sentence_excerpt(stmt), label=label, found=q.text,
                        reason="表中没有对应的得分")
                continue
            if q.approx or q.bound:
                continue
            if abs(fact.value - q.value) > q.half_unit + 0.005 + 1e-9:
                run.add(SCORE, stmt, round(fact.value, 2), q.value, excerpt=_sentence_excerpt(stmt), label=label,
                        found=q.text, table=fact.where, expected=f"{fact.shown()} 分")


# 【请填写：…】, 【待核实：…】 (what report draft leaves), and the like typed by hand
PLACEHOLDER_RE = re.compile(r"【\s*(?:请填写|请补充|待填写|待补充|待核实|请核实)[^【】]{0,200}】")


def check_placeholders(run: _Run, paragraphs: list[Paragraph]) -> None:
    """T106: one warning for each placeholder left in the text."""
    for para in paragraphs:
        for match in PLACEHOLDER_RE.finditer(para.text):
            placeholder = match.group(0)
            shown = excerpt(para.text.strip(), match.start(), match.end())
            run.add(PLACEHOLDER, para, None, placeholder, excerpt=shown,
                    placeholder="" if placeholder in shown else f"“{shorten(placeholder)}”")


def _masked(para: Paragraph) -> Paragraph:
    """The paragraph with each placeholder's inside blanked (same length): the figures in 【待核实：表中总分103.8分…】
    are the reason for the placeholder, not statements of the report (T106 reports the placeholder)."""
    if "【" not in para.text:
        return para
    text = PLACEHOLDER_RE.sub(lambda m: "【" + "□" * (len(m.group(0)) - 2) + "】", para.text)
    return para if text == para.text else replace(para, text=text)


def shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 2] + "…】"


def one_placeholder_line(findings: list[Finding]) -> list[Finding]:
    """The findings with their T106 (one per placeholder) made one line for the report (batch lists it so)."""
    left = [f for f in findings if f.code == PLACEHOLDER.code]
    if len(left) <= 1:
        return findings
    where = list(dict.fromkeys(f.cell for f in left))
    places = "、".join(where[:5]) + ("等" if len(where) > 5 else "")
    first = left[0]
    text = f"留有 {len(left)} 处占位（【请填写…】、【待核实…】），在{places}；请填写或核实后删除括号"
    merged = Finding(first.code, first.severity, SHEET, "全文", f"[{SHEET}] 全文", text, None, len(left))
    out = [f for f in findings if f.code != PLACEHOLDER.code]
    out.insert(findings.index(first), merged)
    return out


def _report_unchecked(run: _Run) -> None:
    seen, rows = set(), []
    for stmt in run.unchecked:
        key = (stmt.para.index, stmt.q.start)
        if key in seen:
            continue
        seen.add(key)
        rows.append(stmt)
    if not rows:
        return
    examples = "；".join(f"{s.para.where}“{s.q.label[-12:]}{s.q.text}”" for s in rows[:3])
    first = rows[0]
    run.findings.append(at(UNCHECKED, first.para.where, None, len(rows), count=len(rows),
                                     examples=examples + ("等" if len(rows) > 3 else "")))


# ------------------------------------------------------------------ entry points


def _status(findings: list[Finding]) -> str:
    if any(f.severity == "error" for f in findings):
        return "errors"
    if any(f.severity == "warning" for f in findings):
        return "warnings"
    return "clean"


def check_paragraphs(paragraphs: list[Paragraph], facts: Facts | None = None, path: str = "",
                     no_table_reason: str | None = None) -> FileReport:
    facts = facts or Facts()
    run = _Run(facts, None)
    check_placeholders(run, paragraphs)
    paragraphs = [_masked(p) for p in paragraphs]
    report_year, title = _report_year(paragraphs)
    run.report_year = report_year
    if facts.empty:
        run.compare = False
    run.statements = statements(paragraphs, facts, report_year, run.project_paras)
    if run.compare and report_year and facts.year and report_year != facts.year and title is not None:
        run.add(YEAR, title, facts.year, report_year, excerpt=excerpt(title.text), found=report_year,
                expected=facts.year)
        run.compare = False
        no_table_reason = f"报告是 {report_year} 年度，工作簿是 {facts.year} 年度"
    check_sums(run, paragraphs)
    check_included(run, paragraphs)
    check_totals_after(run, paragraphs)
    check_rates(run, paragraphs)
    check_adjustments(run, paragraphs)
    check_changes(run, paragraphs)
    check_document_numbers(run, paragraphs)
    check_shares(run)
    check_repeats(run)
    check_grades(run, paragraphs)
    if run.compare:
        check_tables(run)
        _report_unchecked(run)
    else:
        reason = no_table_reason or "没有提供工作簿"
        run.findings.append(at(NO_TABLE, "全文", reason=reason))
    for note in facts.notes:
        run.findings.append(at(NO_TABLE, "全文", reason=note))
    order = {p.index: i for i, p in enumerate(paragraphs)}
    para_of = {p.where: p.index for p in paragraphs}
    run.findings.sort(key=lambda f: (order.get(para_of.get(f.cell, 0), -1), f.code))
    return FileReport(path, _status(run.findings), None, [], run.findings)


def load_workbooks(paths: list[str] | tuple) -> tuple[list, list[str], list[tuple[str, str]]]:
    """(books with forms, notes on books without forms, (path, reason) of the ones that cannot be read)."""
    from ..grid import UnreadableWorkbook
    from ..reader import read_workbook

    loaded, problems, unreadable = [], [], []
    for workbook in paths:
        try:
            book = read_workbook(workbook)
        except UnreadableWorkbook as exc:
            unreadable.append((workbook, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a broken workbook is a line for people, never a traceback
            unreadable.append((workbook, f"文件无法读取（{type(exc).__name__}）"))
            continue
        if not book.forms:
            problems.append(f"工作簿 {workbook} 中没有找到绩效自评表")
            continue
        loaded.append(book)
    return loaded, problems, unreadable


def check_report(path: str, workbooks: list[str] | tuple = (), profile=None, books: list | None = None,
                 problems: list[str] | None = None) -> FileReport:
    """Check one report against the given workbooks (pooled); never raises for a bad file.

    A workbook that cannot be read is noted (T303) and the report's own arithmetic still checked;
    ``report check`` on the command line stops before that (see command.run).
    """
    try:
        paragraphs = read_report(path)
    except UnreadableReport as exc:
        return FileReport(path, "unreadable", str(exc), code=exc.code)
    except Exception as exc:  # noqa: BLE001 - a broken document is a line for people, never a traceback
        return FileReport(path, "unreadable", f"文档无法读取（{type(exc).__name__}）", code="U002")
    found, notes, unreadable = load_workbooks(workbooks)
    loaded = list(books or []) + found
    problems = list(problems or []) + [f"工作簿 {w} 无法读取：{why}" for w, why in unreadable] + notes
    facts = gather(loaded, profile)
    reason = "；".join(problems) if problems else None
    report = check_paragraphs(paragraphs, facts, path, reason)
    if problems and not facts.empty:
        extra = [at(NO_TABLE, "全文", reason=p) for p in problems]
        report.findings = extra + report.findings
    return report
