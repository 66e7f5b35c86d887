"""``jixiao-xl report check``: a report's numbers against themselves and the workbook's tables.

Findings are the same records as ``check``'s (code, severity, sheet, cell,
message, expected, found); ``sheet`` is "报告" and ``cell`` the paragraph
("第12段", "表1第2行第3列").  The result is a ``check.FileReport`` with the
findings at file level, so the JSON contract is the same."""

from __future__ import annotations

import os
import re
from dataclasses import replace

from ..problems import cause
from ..rules.check import FileReport
from ..rules.findings import Finding
from ..read.values import fmt_rate
from . import concepts as C
from .arithmetic import check_adjustments, check_changes, check_included, check_rates, check_sums, check_totals_after
from .consistency import check_document_numbers, check_grades, check_repeats, check_shares
from .document import Paragraph, UnreadableReport, read_report
from .facts import Facts, gather
from .rules import (
    AMOUNT,
    NO_FIGURE,
    NO_TABLE,
    PLACEHOLDER,
    RATE,
    SCORE,
    STAFF,
    UNCHECKED,
    UNMATCHED,
    YEAR,
)
from .statements import (
    _LOOSE_AFTER,
    _LOOSE_BEFORE,
    SCOPED,
    SHEET,
    Statement,
    _no_project,
    _num,
    _report_year,
    _Run,
    _sentence_excerpt,
    _wrong_hint,
    at,
    excerpt,
    statements,
    table_wrong,
    unknown_in_table,
    verdict,
)

# ------------------------------------------------------------------ against the tables


def _prev_hint(run: _Run, stmt: Statement) -> str:
    if stmt.concept not in C.BASIC_ROWS or stmt.column == "prev_actual":
        return ""
    prev = run.facts.basic_row(stmt.concept, "prev_actual")
    if prev is not None and abs(prev.value - stmt.q.value) <= stmt.q.half_unit + 0.005:
        return f"；报告的数与上年 {prev.where} {prev.shown()} 万元相同，疑为沿用上年数字"
    return ""




def _cells(facts) -> str:
    """The table figures named, one cell for each value ("全年预算数 (D5)" and "按支出性质分 (E6)" are one figure)."""
    shown = {}
    for f in facts:
        shown.setdefault(round(float(f.value), 4), f)
    return "、".join(f"{f.where} 为 {f.shown()} 万元" for f in shown.values())


def _open_meaning(run: _Run, stmt: Statement, groups: list, candidates: list) -> str:
    """Why a report's amount equal to none of the table figures its words may mean is still not known to be wrong
    (the T301 reason), or "" when it is: its words name one column of the tables and that column holds one figure.

    Not known to be wrong: the words may mean a column no table figure is on ("基本支出决算数" when 附件2's 基本支出
    is on the 全年预算 basis and the 全年预算数 differs from the 全年执行数), or columns whose figures differ
    ("预算批复的总支出": the 年初 or the 全年 budget)."""
    name = C.CONCEPT_NAMES.get(stmt.concept, stmt.concept)
    bases = [basis for basis, _ in groups]
    if any(not found for _, found in groups):
        present = "、".join(C.BASIS_NAMES[b][:4] for b, found in groups if found) or C.BASIS_NAMES["full"][:4]
        return f"表中{name}只有{present}口径的数（{_cells(candidates)}），{_basis_words(run, bases)}"
    if len(groups) == 1 or len({round(float(f.value), 4) for f in candidates}) == 1:
        return ""  # one column named (its own figure first), or all it may mean is one figure
    names = "、".join(C.BASIS_NAMES[b] for b in bases)
    return f"与表中{names}都不同（{_cells(candidates)}），{_basis_words(run, bases)}"


def _basis_words(run: _Run, bases: list[str]) -> str:
    """What the report leaves open: which budget, or whether budget or spending."""
    if "executed" not in bases:
        return "报告没有写明是年初预算还是全年预算"
    full, executed = run.facts.amount("full"), run.facts.amount("executed")
    differ = ""
    if full is not None and executed is not None and not run.facts.spent_as_budgeted():
        differ = (f"；全年预算数（{full.where.split('] ')[-1]} 为 {full.shown()} 万元）与全年执行数"
                  f"（{executed.where.split('] ')[-1]} 为 {executed.shown()} 万元）不同")
    if len(bases) == 1:
        return f"报告写的是决算（执行）数{differ}"
    return f"报告没有写明是全年预算数还是决算（执行）数{differ}"


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
            elif not q.approx and not q.bound:
                how, which = verdict([fact], lambda v, q=q: abs(v - q.value) > 1e-9)
                if how in ("right", "table"):
                    table_wrong(run, stmt, how, which, label, q.text, q.value, " 人")
                elif how == "wrong":
                    run.add(STAFF, stmt, (fact.right or (fact.value,))[0], q.value, excerpt=_sentence_excerpt(stmt),
                            label=label, found=q.text, table=fact.where,
                            expected=f"{fact.shown()} 人{_wrong_hint(fact, ' 人')}")
            continue
        if q.kind == "amount":
            if stmt.column == "other":
                run.add(UNMATCHED, stmt, None, q.value, excerpt=_sentence_excerpt(stmt), label=label, found=q.text,
                        reason=f"是 {stmt.year} 年的数，工作簿是 {run.report_year} 年度")
                continue
            bases = C.wording_bases(q.label, stmt.concept, stmt.column)
            groups = facts.meanings(stmt.concept, bases, stmt.form)
            candidates = list({f.where: f for _, found in groups for f in found}.values())
            if any(not found for _, found in groups):
                # a column no table figure is on ("基本支出决算数" when 附件2's line is on the 全年预算 basis and the
                # 全年预算数 differs from the 全年执行数): the line's figure is still what the table says; equal, no doubt
                candidates += [f for _, found in facts.meanings(stmt.concept, ("full",), stmt.form) for f in found
                               if f.where not in {c.where for c in candidates}]
            if not candidates:
                if q.value == 0 and stmt.concept in ("gov_fund",):
                    continue
                column = {"budget": "的预算数", "prev_actual": "的上年数"}.get(stmt.column, "")
                run.add(UNMATCHED, stmt, None, round(q.value, 4), excerpt=_sentence_excerpt(stmt), label=label,
                        found=q.text, reason=f"表中没有{C.CONCEPT_NAMES.get(stmt.concept, stmt.concept)}{column}")
                continue
            if q.approx or q.bound:
                continue
            how, which = verdict(candidates, lambda v, q=q: abs(v - q.value) > q.half_unit + 0.005 + 1e-9)
            if how == "ok":
                continue
            if how in ("right", "table"):
                table_wrong(run, stmt, how, which, label, f"{_num(q.value)} 万元", round(q.value, 4), " 万元")
                continue
            open_ = _open_meaning(run, stmt, groups, candidates)
            if open_:
                run.add(UNMATCHED, stmt, None, round(q.value, 4), excerpt=_sentence_excerpt(stmt), label=label,
                        found=q.text, reason=open_)
                continue
            run.add(AMOUNT, stmt, round((which.right or (which.value,))[0], 4), round(q.value, 4),
                    excerpt=_sentence_excerpt(stmt), label=label, found=_num(q.value), table=which.where,
                    expected=which.shown(), hint=_wrong_hint(which, " 万元") + _prev_hint(run, stmt))
        elif q.kind == "percent":
            fact = facts.rate(stmt.concept, stmt.form)
            if fact is None:
                run.add(UNMATCHED, stmt, None, round(q.value, 6), excerpt=_sentence_excerpt(stmt), label=label,
                        found=q.text, reason=f"表中算不出{C.CONCEPT_NAMES.get(stmt.concept, '')}")
                continue
            slack = q.half_unit + 5e-5
            loose = q.bound == "ge" and (_LOOSE_BEFORE.search(stmt.text[max(0, q.start - 4):q.start])
                                         or _LOOSE_AFTER.match(stmt.text[q.end:q.end + 4]))
            claim = {"le": f"不超过 {q.text}", "ge": f"不低于 {q.text}"}.get(q.bound, q.text)

            def bad(value: float, q=q, slack=slack, loose=loose) -> bool:
                # "约99.99%", "超过95%", "95%以上" are not contradicted by a rate close to them
                near = max(0.01, 0.05 * abs(value)) + slack
                if q.bound == "le":
                    return value > q.value + slack
                if q.bound == "ge":
                    return value < q.value - (near if loose else slack)
                return abs(value - q.value) > (near if q.approx else slack)

            how, which = verdict([fact], bad)
            if how in ("right", "table"):
                table_wrong(run, stmt, how, which, label, claim, round(q.value, 6))
            elif how == "wrong":
                value = fact.value
                where = fact.where if "=" in fact.where else f"{fact.where} 为 {fmt_rate(value)}"
                run.add(RATE, stmt, round((fact.right or (value,))[0], 6), round(q.value, 6),
                        excerpt=_sentence_excerpt(stmt), label=label, found=claim, table=where,
                        hint=_wrong_hint(fact))
        elif q.kind == "score":
            fact = facts.score(stmt.concept, stmt.form)
            if fact is None:
                run.add(UNMATCHED, stmt, None, q.value, excerpt=_sentence_excerpt(stmt), label=label, found=q.text,
                        reason="表中没有对应的得分")
                continue
            if fact.unknown:
                unknown_in_table(run, stmt, _sentence_excerpt(stmt), fact, label, q.text, q.value)
                continue
            if q.approx or q.bound:
                continue
            how, which = verdict([fact], lambda v, q=q: abs(v - q.value) > q.half_unit + 0.005 + 1e-9)
            if how in ("right", "table"):
                table_wrong(run, stmt, how, which, label, q.text, q.value, " 分")
            elif how == "wrong":
                run.add(SCORE, stmt, round((fact.right or (fact.value,))[0], 2), q.value,
                        excerpt=_sentence_excerpt(stmt), label=label, found=q.text, table=fact.where,
                        expected=f"{fact.shown()} 分{_wrong_hint(fact, ' 分')}")


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
    if not any(s.q.kind in ("amount", "percent", "score") or s.concept for s in run.statements):
        # text only: "没有发现问题" would say the report was checked, and nothing in it could be
        run.findings.append(at(NO_FIGURE, "全文", paragraphs=len(paragraphs)))
    order = {p.index: i for i, p in enumerate(paragraphs)}
    para_of = {p.where: p.index for p in paragraphs}
    run.findings.sort(key=lambda f: (order.get(para_of.get(f.cell, 0), -1), f.code))
    return FileReport(path, _status(run.findings), None, [], run.findings)


def chosen_workbook(path: str):
    """A workbook read with the profile its check would choose (``book.profile``: from the places and marks
    on its sheets, as ``check`` does; the fallback when nothing tells)."""
    from ..compute.detect import choose, grid_text
    from ..read.reader import read_forms
    from ..xlsx.grid import read_grids

    grids = read_grids(path)
    book = read_forms(grids, path)
    book.profile = choose(book, grid_text(grids)).profile
    return book


def load_workbooks(paths: list[str] | tuple) -> tuple[list, list[str], list[tuple[str, str]]]:
    """(books with forms, notes on books without forms, (path, reason) of the ones that cannot be read)."""
    from ..xlsx.grid import UnreadableWorkbook

    loaded, problems, unreadable = [], [], []
    for workbook in paths:
        try:
            book = chosen_workbook(workbook)
        except UnreadableWorkbook as exc:
            unreadable.append((workbook, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - a broken workbook is a line for people, never a traceback
            unreadable.append((workbook, f"文件无法读取（{cause(exc)}）"))
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
        return FileReport(path, "unreadable", f"文档无法读取（{cause(exc)}）", code="U002")
    if isinstance(workbooks, (str, os.PathLike)):  # one workbook: never its characters as paths
        workbooks = [workbooks]
    found, notes, unreadable = load_workbooks(workbooks)
    loaded = list(books or []) + found
    problems = list(problems or []) + [f"工作簿 {w} 无法读取：{why}" for w, why in unreadable] + notes
    facts = gather(loaded, profile)  # no --profile: each workbook's own, the one its check chooses (chosen_workbook)
    reason = "；".join(problems) if problems else None
    report = check_paragraphs(paragraphs, facts, path, reason)
    if problems and not facts.empty:
        extra = [at(NO_TABLE, "全文", reason=p) for p in problems]
        report.findings = extra + report.findings
    return report
