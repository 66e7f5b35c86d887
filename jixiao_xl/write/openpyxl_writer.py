"""fill's openpyxl writer, for what the direct XML writer (xlsxpatch) does not do: cell marks and the record of
the fills they replaced, the 校验结果 sheet laid out for printing, formulas written with their results.  Also
fill's own exception, FillError (fill.py re-exports it).
"""

from __future__ import annotations

from ..rules.check import FileReport
from ..rules.findings import Finding
from ..xlsx.grid import broken
from ..xlsx.layout import row_height
from .marks import (
    HEADER,
    MARK_COLORS,
    MARKS_SHEET,
    RESULT_SHEET,
    RESULT_WIDTHS,
    Mark,
    by_cell,
    note_text,
    rate_rows,
    read_marks,
    result_rows,
    worst,
)
from ..problems import Refused, cause
from ..xlsx.xlsxio import inject_cached_values, openpyxl_source, set_text

COMMENT_AUTHOR = "jixiao-xl"


class FillError(Refused):
    """A fill that cannot be done: a catalogued reason, its text for people (``OutputError``: the output
    cannot be written)."""


# ------------------------------------------------------------------ marks


def _fill_record(fill) -> dict:
    def color(c):
        if c is None:
            return None
        if c.type == "theme":
            return {"theme": c.theme, "tint": c.tint}
        if c.type == "indexed":
            return {"indexed": c.indexed}
        return {"rgb": c.rgb}

    return {"patternType": fill.patternType, "fg": color(fill.fgColor), "bg": color(fill.bgColor)}


def _pattern_fill(record: dict | None):
    from openpyxl.styles import Color, PatternFill

    def color(c):
        if not c:
            return Color()
        if "theme" in c:
            return Color(theme=c["theme"], tint=c.get("tint", 0.0))
        if "indexed" in c:
            return Color(indexed=c["indexed"])
        return Color(rgb=c["rgb"])

    record = record or {}
    if not record.get("patternType"):
        return PatternFill()
    return PatternFill(patternType=record["patternType"], fgColor=color(record.get("fg")),
                       bgColor=color(record.get("bg")))


def clear_marks(book) -> int:
    """Restore the fills and notes of cells marked by an earlier run (of fill or of the Excel button)."""
    if MARKS_SHEET not in book.sheetnames:
        return 0
    from openpyxl.comments import Comment

    marks = read_marks(book[MARKS_SHEET].iter_rows(values_only=True))
    for mark in marks:
        if mark.sheet not in book.sheetnames:
            continue
        try:
            cell = book[mark.sheet][mark.cell]
            cell.fill = _pattern_fill(mark.fill)
            if mark.note is None:
                cell.comment = None
            elif "text" in mark.note:
                cell.comment = Comment(str(mark.note["text"]), str(mark.note.get("author") or ""))
        except (ValueError, TypeError, AttributeError, KeyError):  # a mark that no longer fits the sheet
            continue
    del book[MARKS_SHEET]
    return len(marks)


def apply_marks(book, findings: list[Finding]) -> int:
    """Colour each cell with an error or warning and comment it; remember what it looked like."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    grouped: dict[tuple[str, str], list[Finding]] = {}
    for (sheet, address), items in by_cell(findings, set(book.sheetnames)).items():
        # a finding inside a merged range marks the range's first cell (the only one that can hold a note)
        anchor = _merge_anchor(book[sheet], address)
        if anchor is not None:
            grouped.setdefault((sheet, anchor), []).extend(items)
    if not grouped:
        return 0
    store = book.create_sheet(MARKS_SHEET)
    store.sheet_state = "hidden"
    store.append(HEADER)
    for (sheet, address), items in grouped.items():
        cell = book[sheet][address]
        old_note = {"text": cell.comment.text, "author": cell.comment.author} if cell.comment else None
        store.append(Mark(sheet, address, _fill_record(cell.fill), old_note).row())
        cell.fill = PatternFill("solid", fgColor=MARK_COLORS[worst(items)])
        comment = Comment(note_text(items), COMMENT_AUTHOR)
        comment.width, comment.height = 320, 120
        cell.comment = comment
    return len(grouped)


def _merge_anchor(ws, address: str) -> str | None:
    """The cell that can carry a mark for ``address``: itself, or the first cell of its merged range."""
    if type(ws[address]).__name__ != "MergedCell":
        return address
    for rng in ws.merged_cells.ranges:
        if address in rng and type(ws[rng.start_cell.coordinate]).__name__ != "MergedCell":
            return rng.start_cell.coordinate
    return None  # covered but no range holds it (an inconsistent file): not marked


# ------------------------------------------------------------------ 校验结果


def write_results(book, report: FileReport) -> None:
    """Rewrite the 校验结果 sheet (text is written as text, never as a formula)."""
    from openpyxl.styles import Font, PatternFill

    if RESULT_SHEET in book.sheetnames:
        ws = book[RESULT_SHEET]
        ws.delete_rows(1, ws.max_row)
    else:
        ws = book.create_sheet(RESULT_SHEET)
    for r, row in enumerate(result_rows(report), start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                set_text(ws.cell(row=r, column=c), value)
        severity = {"错误": "error", "警告": "warning"}.get(row[1]) if r > 1 else None
        if severity:
            ws.cell(row=r, column=2).fill = PatternFill("solid", fgColor=MARK_COLORS[severity])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
    for col, width in RESULT_WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    print_ready(ws, report)


def print_ready(ws, report) -> None:
    """校验结果 prints A4 landscape, one page wide, header repeated; rates as %, long text wrapped."""
    from openpyxl.styles import Alignment

    for row in rate_rows(report):
        for col in (7, 8):
            ws.cell(row=row, column=col).number_format = "0.00%"
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    for r in range(2, ws.max_row + 1):  # LibreOffice and WPS do not grow rows for wrapped text: set heights
        wrapped = []
        for col in ("E", "F"):
            cell = ws[f"{col}{r}"]
            cell.alignment = wrap
            wrapped.append((cell.value, RESULT_WIDTHS[col]))
        if any(isinstance(value, str) for value, _ in wrapped):
            ws.row_dimensions[r].height = row_height(wrapped)
        for col in "ABCDGH":
            ws[f"{col}{r}"].alignment = top
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_openpyxl(path: str, plan_, temp: str) -> None:  # plan_: fill.FillPlan
    """The openpyxl writer: the whole workbook loaded and saved (marks need it: comments and fills)."""
    import openpyxl

    keep_vba = path.lower().endswith(".xlsm")
    try:
        book = openpyxl.load_workbook(openpyxl_source(path), keep_vba=keep_vba, rich_text=True)
        cached_book = openpyxl.load_workbook(openpyxl_source(path), data_only=True, read_only=True)
        cached = _formula_results(book, cached_book, path)  # read-only sheets are parsed only here
    except Exception as exc:  # openpyxl's own parse errors (defusedxml refuses entity declarations), zlib errors
        raise FillError.like(broken(path, cause(exc))) from None
    for sheet, ops in plan_.cells.items():
        for address, op in ops.items():
            cell = book[sheet][address]
            if op.kind == "formula":
                cell.value = op.formula
            elif op.kind == "text":
                set_text(cell, op.value)
            elif op.kind == "number":
                cell.value = op.value
                if op.percent and cell.number_format == "General":
                    cell.number_format = "0.00%"
            if op.kind in ("formula", "result") and op.value is None:  # a result not known: none stored
                cached.get(sheet, {}).pop(address, None)
            elif op.kind in ("formula", "result"):
                cached.setdefault(sheet, {})[address] = op.value
    clear_marks(book)
    write_results(book, plan_.report)
    if plan_.marks is not None:
        apply_marks(book, plan_.marks)
    book.save(temp)
    if cached:
        inject_cached_values(temp, cached)


def _same_formula(found, ours: str) -> bool:
    return isinstance(found, str) and found.replace(" ", "").upper() == ours.replace(" ", "").upper()


def _formula_results(book, cached_book, path=None) -> dict[str, dict[str, object]]:
    """The stored results of every formula in the workbook, to write back after saving (with ``path``, the
    workbook's file, an empty text too: openpyxl reads it as no result, and would save the formula without one)."""
    results: dict[str, dict[str, object]] = {}
    unread: dict[str, list[str]] = {}
    for ws in book.worksheets:
        # the cells there are: iter_rows would make (and save) every cell up to one stray value at XFD1048576
        formulas = [(c.coordinate, c.row, c.column) for c in list(ws._cells.values()) if c.data_type == "f"]
        if not formulas or ws.title not in cached_book.sheetnames:
            continue
        values = {}
        cws = cached_book[ws.title]
        rows = list(cws.iter_rows(max_row=max(r for _, r, _ in formulas), max_col=max(c for _, _, c in formulas),
                                  values_only=True))
        for address, r, c in formulas:
            if r - 1 < len(rows) and c - 1 < len(rows[r - 1]):
                value = rows[r - 1][c - 1]
                if value is not None:
                    values[address] = value
                    continue
            unread.setdefault(ws.title, []).append(address)
        results[ws.title] = values
    cached_book.close()
    for sheet, addresses in _empty_text_results(path, unread).items():
        results[sheet].update(dict.fromkeys(addresses, ""))
    return results


def _empty_text_results(path, cells: dict[str, list[str]]) -> dict[str, list[str]]:
    """Of ``cells`` ({sheet: [A1]}, formulas openpyxl read no result for), those whose stored result is the
    empty text (<c t="str"><f>…</f><v></v></c>: a 执行率 of IF(…,"") with no 预算数 yet)."""
    if not cells or path is None:
        return {}
    import zipfile

    from ..xlsx.xlsxio import local, parse_xml, sheet_paths

    found: dict[str, list[str]] = {}
    with zipfile.ZipFile(openpyxl_source(path)) as archive:
        paths = sheet_paths(archive)
        for sheet, addresses in cells.items():
            wanted = set(addresses)
            if paths.get(sheet) not in archive.namelist():
                continue
            for c in parse_xml(archive.read(paths[sheet])).iter():
                if local(c.tag) != "c" or c.get("r") not in wanted or c.get("t") != "str":
                    continue
                kinds = {local(e.tag): e for e in c}
                if "f" in kinds and "v" in kinds and not kinds["v"].text:
                    found.setdefault(sheet, []).append(c.get("r"))
    return found
