"""A report's figures against each other: one 文号 or item given two amounts, shares on the base their sentence
names, repeated figures, scores against grades.
"""

from __future__ import annotations

import bisect
import re

from . import concepts as C
from . import extract as X
from .arithmetic import _DOC_NO, _group
from .document import Paragraph
from .rules import (
    REPEAT,
    SCORE,
    SCORE_GRADE,
    SHARE,
    UNMATCHED,
)
from .statements import (
    _PAREN,
    Statement,
    _no_project,
    _num,
    _Run,
    _sentence_excerpt,
    excerpt,
    table_wrong,
    unknown_in_table,
    verdict,
)


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


def _whole_value(run: _Run, stmt: Statement, whole_words: str) -> tuple | list[tuple] | None:
    """The whole a share refers to: the report's own figure for it (value, half, source), else the table's (a list:
    each figure the whole's words may mean)."""
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
        # the table's figures the whole's words may mean: "总支出" is the 全年执行数 (E5) or the 全年预算 line (E6)
        groups = run.facts.meanings(concept, C.wording_bases(whole_words, concept, C.basic_column(whole_words, None,
                                                                                                 None)), stmt.form)
        first = run.facts.amount(concept, "actual", stmt.form)  # the line's own (按支出性质分 E6), named first
        found = {}
        for fact in [first] + [f for _, facts in groups for f in facts]:
            if fact is not None and isinstance(fact.value, (int, float)):
                found.setdefault(round(float(fact.value), 4), fact)
        if found:
            return [(float(f.value), 0.005, f"表中 {f.where} {f.shown()} 万元") for f in found.values()]
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
        wholes = [w for w in (whole if isinstance(whole, list) else [whole]) if w[0] and part.value]
        if not wholes:
            continue
        misses = []
        for value, half, source in wholes:
            computed = part.value / value
            slack = q.half_unit + computed * (part.half_unit / part.value + half / value) + 1e-9
            if abs(computed - q.value) <= slack:
                break
            misses.append((computed, source))
        else:
            if len(misses) > 1:  # of the 全年执行数 or of the 全年预算 line: not known which it contradicts
                shown = "、".join(f"{source.removeprefix('表中 ')}（{computed * 100:.{max(q.decimals, 2)}f}%）"
                                 for computed, source in misses)
                run.add(UNMATCHED, stmt, None, round(q.value, 6), excerpt=_sentence_excerpt(stmt),
                        label=f"占{whole_words}的", found=q.text,
                        reason=f"按表中{whole_words}可能指的各数算出的占比都不同：{shown}，报告没有写明是哪一个")
                continue
            computed, source = misses[0]
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
    from ..compute.scoring import grade as grade_of

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
                if fact is None:
                    continue
                shown = excerpt(text, g.start, g.end)
                how, which = verdict([fact], lambda v, g=g: v != g.grade)
                if how == "unknown":
                    unknown_in_table(run, para, shown, fact, "等级", f"“{g.grade}”", g.grade)
                elif how in ("right", "table"):
                    table_wrong(run, (para, shown), how, which, "等级", f"“{g.grade}”", g.grade)
                elif how == "wrong":
                    run.add(SCORE, para, (fact.right or (fact.value,))[0], g.grade, excerpt=shown, label="等级",
                            found=f"“{g.grade}”", table=fact.where, expected=f"“{fact.value}”")


def _form_for(run: _Run, para: Paragraph):
    return run.project_paras.get(para.index, (False, None))[1]
