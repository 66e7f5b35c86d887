"""``fill``: complete the derived cells of a workbook without touching what was typed.

Blank derived cells get their value (official-layout workbooks) or their
formula back (templates); wrong ones are corrected only when asked
(``overwrite_derived``).  The findings go to a 校验结果 sheet, and with
``mark`` problem cells are coloured and carry a comment; the colours a cell
had before are kept in a hidden sheet so the next run (or ``clear_marks``)
restores them.  Output is written atomically; the input is never modified
unless ``in_place`` is asked for, and then a backup is kept."""

from __future__ import annotations

import os
import re
import stat
import time
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..problems import cause
from ..rules.check import FileReport, check_workbook, no_form_text
from ..compute.derive import Derived, derived, settle
from ..compute.diagnose import blamed
from ..rules.findings import Finding
from ..read.forms import INFO_SHEET, MARKER
from ..xlsx.grid import Grid, UnreadableWorkbook, broken, parse_a1, read_grids
from .marks import (
    MARKS_SHEET,
    RESULT_SHEET,
    RESULT_WIDTHS,
    rate_rows,
    result_rows,
)
from .stored import CellOp, as_written, known_results, template_results
from .openpyxl_writer import COMMENT_AUTHOR, FillError, _same_formula, write_openpyxl  # noqa: F401 (fill's API)
from ..compute.profiles import Profile
from ..read.reader import read_forms
from ..read.values import is_error_value
from ..read.values import fmt_number, norm_label
from ..xlsx.files import open_elsewhere
from ..xlsx.xlsxio import OutputError, atomic_write, make_backup, openpyxl_source, output_problem


@dataclass
class Change:
    sheet: str
    cell: str
    old: object
    new: object
    formula: str | None
    corrected: bool  # True: a wrong value replaced; False: a blank filled
    # old and new as the user sees them (a rate as a percentage at the decimals its cell shows: "86.19%")
    old_text: str = ""
    new_text: str = ""
    restored: bool = False  # a template's formula given back over a number that was right where it was typed


@dataclass
class FillResult:
    path: str
    output: str
    changes: list[Change] = field(default_factory=list)
    report: FileReport | None = None
    template: bool = False
    backup: str | None = None
    notes: list[str] = field(default_factory=list)
    stored: list[tuple[str, str]] = field(default_factory=list)  # formulas saved without a result, given theirs


def _differs(item: Derived, profile: Profile) -> bool:
    """The derived cell holds a value the check calls wrong (``rules.base.stated_differs``)."""
    from ..rules.base import stated_differs

    return stated_differs(item.cell, item.value, item.kind, profile)


def plan(grids: list[Grid], profile: Profile, overwrite: bool, keep: set[tuple[str, str]] = frozenset(),
         refresh: set[tuple[str, str]] = frozenset()) -> list[tuple[str, Derived, bool, object]]:
    return _settle(grids, profile, overwrite, keep, refresh)[0]


def _settle(grids: list[Grid], profile: Profile, overwrite: bool, keep: set[tuple[str, str]] = frozenset(),
            refresh: set[tuple[str, str]] = frozenset(), path: str = "", book=None):
    """(sheet, derived item, corrected, old value) for every cell fill will write, settling chains of sums.

    Only derived cells are ever planned (``derive.derived``; an indicator's 得分
    is the evaluator's input).  ``keep``: (sheet, A1) never written (formulas
    the user wrote); ``refresh``: our own formulas, intact, whose result is
    recomputed without counting as a change.  The grids are updated in place
    with the new values, so the returned list and the grids agree with what
    the output file will hold; the forms as read from them come back with it.
    Passes follow ``derive.settle``, reading again only the sheets a pass wrote to.
    """
    by_name = {g.name: g for g in grids}
    errors = _error_cells(grids)
    decided: dict[tuple[str, str], tuple[str, Derived, bool, object]] = {}
    book = book if book is not None else read_forms(grids, path)  # the forms as the grids are now
    forms_of: dict[str, list] = {g.name: [] for g in grids}
    for form in book.forms:
        forms_of[form.sheet].append(form)
    dirty = {name for name, forms in forms_of.items() if forms}  # sheets to read (again) in the next pass
    touched: set[str] = set()  # sheets written to in this pass
    first = True

    def read() -> list:
        nonlocal first
        if not first:  # a form depends on its own sheet only: a sheet nothing was written to is not read again
            dirty.clear()
            dirty.update(touched)
            for name in dirty:
                forms_of[name] = read_forms([by_name[name]], path).forms
        first = False
        touched.clear()
        items = []
        for form in (f for g in grids if g.name in dirty for f in forms_of[g.name]):
            # a wrong sum in a chain is corrected only where the diagnosis blames it (公务用车, not 三公)
            suspects = blamed(form, profile.tolerance_amount) if overwrite else None
            items += [(form.sheet, suspects, item) for item in derived(form, profile)]
        return items

    def write(entry) -> bool:
        sheet, suspects, item = entry
        key = (sheet, item.cell.address)
        # A cell showing an error (#DIV/0!, #REF! …) is never written, even a derived one and even with
        # overwrite: it almost always holds the accountant's own formula (a rate =E6/D6 over a 预算数 of 0),
        # which a number would replace for good; the error is reported (N003) for them to fix the formula.
        if item.value is None or key in keep or is_error_value(item.cell.raw):
            return False
        # Nor is a value worked out from a cell showing an error: the engine reads the error as blank, so the
        # value would be made up (a 执行率 of 0% where 全年执行数 shows #REF!, a total without the part that
        # shows #DIV/0!); the cell stays as it is until the error is fixed, as Excel would show it.
        if sheet in errors and _reads_error(errors[sheet], item.formula):
            return False
        if key not in refresh:
            wrong = overwrite and _differs(item, profile) and (
                suspects is None or item.kind != "amount" or item.cell.address in suspects)
            if key not in decided and not (item.cell.blank or wrong):
                return False
            corrected, old = decided[key][2:] if key in decided else (not item.cell.blank, item.cell.raw)
            decided[key] = (sheet, item, corrected, old)
        grid = by_name[sheet]
        new = _cell_text(item) if item.cell.prefix else item.value
        while len(grid.rows) <= item.cell.row:
            grid.rows.append([])
        cells = grid.rows[item.cell.row]
        while len(cells) <= item.cell.col:
            cells.append(None)
        if cells[item.cell.col] == new:
            return False
        cells[item.cell.col] = new
        touched.add(sheet)
        return True

    settle(read, write)  # its last read brings every written sheet's forms up to date
    settled = replace(book, forms=[f for g in grids for f in forms_of[g.name]])
    order = {g.name: i for i, g in enumerate(grids)}
    entries = [entry for entry in decided.values() if not _same(entry[3], entry[1])]
    return sorted(entries, key=lambda e: (order[e[0]], e[1].cell.row, e[1].cell.col)), settled


_REF = re.compile(r"(?<![A-Za-z0-9_.!])\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?(?![0-9(])")


def _error_cells(grids: list[Grid]) -> dict[str, set[tuple[int, int]]]:
    """Per sheet, the (row, col) of every cell showing an error value; sheets without any are left out."""
    out = {}
    for grid in grids:
        found = {(r, c) for r, cells in enumerate(grid.rows) for c, value in enumerate(cells)
                 if value.__class__ is str and value[:1] == "#" and is_error_value(value)}
        if found:
            out[grid.name] = found
    return out


def _reads_error(errors: set[tuple[int, int]], formula: str | None) -> bool:
    """The derived cell's formula (same-sheet references: ``derive`` builds them so) reads a cell showing an error."""
    if not formula:
        return False
    for m in _REF.finditer(formula):
        r0, c0 = parse_a1(m.group(1) + m.group(2))
        r1, c1 = parse_a1(m.group(3) + m.group(4)) if m.group(3) else (r0, c0)
        if any(r0 <= r <= r1 and c0 <= c <= c1 for r, c in errors):
            return True
    return False


def _same(old: object, item: Derived) -> bool:
    """A cell that ends where it began (a sum corrected and then corrected back) is not a change."""
    if old is None or item.value is None:
        return False
    if isinstance(item.value, str):
        return norm_label(old) == norm_label(item.value)
    try:
        from ..read.values import to_number, to_rate

        value = to_rate(old) if item.kind == "rate" else to_number(old)
    except ValueError:
        return False
    return value is not None and abs(value - float(item.value)) < 1e-9


def _show(change: Change, item: Derived, new: object) -> None:
    """A change's old and new values as the user sees them: numbers as people write them, a rate as the
    percentage its cell shows (0.8619 typed in a 0.00% cell is "86.19%", and the new rate beside it "86.18%")."""
    from ..rules.base import computed_rate, rate_decimals, stated_rate

    def text(value) -> str:
        if value is None or value == "":
            return "空"
        return fmt_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)

    rate = item.kind == "rate" and not item.cell.prefix
    if rate and isinstance(change.old, (int, float)) and not isinstance(change.old, bool):
        rate_decimals(item.cell)  # the file's number formats, read onto the cell once
        change.old_text = stated_rate(replace(item.cell, raw=change.old))
    else:
        change.old_text = text(change.old)
    typed = replace(item.cell, raw=change.old) if rate else None
    change.new_text = computed_rate(new, typed) if rate and isinstance(new, (int, float)) else text(new)


def _cell_text(item: Derived) -> str:
    return f"{item.cell.prefix}{item.value if isinstance(item.value, str) else fmt_number(item.value)}"


# ------------------------------------------------------------------ the plan


@dataclass
class FillPlan:
    """Everything ``fill`` will write, as plain data: the writers (direct XML or openpyxl) only carry it out."""

    template: bool
    cells: dict[str, dict[str, CellOp]]  # sheet -> A1 -> operation
    changes: list[Change]
    notes: list[str]
    report: FileReport
    results: list[list]  # the 校验结果 rows (header first)
    rate_rows: list[int]  # 校验结果 rows whose 应为/实际 are percentages
    marks: list[Finding] | None  # findings to mark (None: --mark not asked)
    clear_marks: bool  # an earlier run's marks to take off
    stored: list[tuple[str, str]] = field(default_factory=list)  # (sheet, A1): formulas saved without a result
    # that the output gives theirs


def _is_template(grids: list[Grid]) -> bool:
    """Our template, also after LibreOffice or WPS saved it (they may store the marker as rich text)."""
    info = next((g for g in grids if g.name == INFO_SHEET), None)
    marker = info.get(0, 0) if info is not None else None
    return marker is not None and str(marker).strip() == MARKER


def _covered(grid: Grid, row: int, col: int) -> bool:
    """Inside a merged range but not its first cell: nothing can be written there."""
    return any(r0 <= row <= r1 and c0 <= col <= c1 and (row, col) != (r0, c0) for r0, c0, r1, c1 in grid.merged)


def make_plan(grids: list[Grid], formulas: dict[tuple[str, str], str], path: str, profile: Profile, *,
              overwrite_derived: bool = False, mark: bool = False, book=None, auto: bool = False,
              exec_mode: str | None = None) -> FillPlan:
    """The plan of a fill from the grids (updated in place) and the formulas of the workbook ({(sheet, A1): "=..."}).

    ``book``: the forms already read from these grids (``read_forms(grids, path)``), if any."""
    template = _is_template(grids)
    by_name = {g.name: g for g in grids}
    keep, refresh, restore = _formula_cells(grids, formulas, profile, template, book.forms if book else None)
    cells: dict[str, dict[str, CellOp]] = {}
    changes: list[Change] = []
    items: dict[tuple[str, str], Derived] = {}  # each change's derived cell
    entries, book = _settle(grids, profile, overwrite_derived, keep, refresh, path, book)
    if template and overwrite_derived:  # cells derived only once the sums are settled (a 执行率 typed over 全年
        # 预算数 and 执行数 saved without results is not worked out before): theirs too
        for key, item in _formula_cells(grids, formulas, profile, template, book.forms)[2].items():
            restore.setdefault(key, item)
    for sheet, item, corrected, old in entries:
        items[(sheet, item.cell.address)] = item
        address = item.cell.address
        if template and item.formula:  # its result is set below with every other derived formula
            op, new = CellOp("formula", None, item.formula), item.formula
            restore.pop((sheet, address), None)
        elif item.cell.prefix or isinstance(item.value, str):
            new = _cell_text(item) if item.cell.prefix else item.value
            op = CellOp("text", new)
        else:
            new = item.value
            op = CellOp("number", new, percent=item.kind == "rate")
        cells.setdefault(sheet, {})[address] = op
        changes.append(Change(sheet, address, old, new, item.formula if template else None, corrected))
    if overwrite_derived:  # a template's derived cell typed over with the right number gets its formula back
        for (sheet, address), item in restore.items():
            cells.setdefault(sheet, {})[address] = CellOp("formula", None, item.formula)
            changes.append(Change(sheet, address, item.cell.raw, item.formula, item.formula, True, restored=True))
            items[(sheet, address)] = item
        order = {g.name: i for i, g in enumerate(grids)}
        changes.sort(key=lambda c: (order[c.sheet], *parse_a1(c.cell)))
    notes = [f"[{sheet}] {address} 是填报人自己的公式，未改动（计算结果如有不符，见“校验结果”）"
             for sheet, address in sorted(keep)
             if overwrite_derived and not _covered(by_name[sheet], *parse_a1(address))]
    if template:
        template_results(book, profile, formulas, cells, by_name)
    known_results(grids, cells)  # the input's formulas saved without a result get theirs where it is known
    for change in changes:
        op = cells[change.sheet][change.cell]
        _show(change, items[(change.sheet, change.cell)], op.value if op.kind == "formula" else change.new)
    stored, changed = as_written(grids, cells)
    if changed:  # the check describes the output: the results stored in it read, its S002 only what remains
        book = read_forms(grids, path)
    if auto:  # the check says how the profile was chosen, and is silent on province-only rules when unsure
        from ..compute.detect import grid_text

        report = check_workbook(book, None, text=grid_text(grids), exec_mode=exec_mode)
    else:  # ``profile`` scores by exec_mode already: named here for the 结果 line
        report = check_workbook(book, profile, exec_mode=exec_mode)
    return FillPlan(template, cells, changes, notes, report, result_rows(report), rate_rows(report),
                    report.all_findings() if mark else None, MARKS_SHEET in by_name, stored)


def _formula_cells(grids: list[Grid], formulas: dict[tuple[str, str], str], profile: Profile, template: bool,
                   forms=None):
    """Which derived cells hold formulas, and what fill may do with them.

    keep: formulas the user wrote (never turned into a constant, never replaced) and cells covered by a
    merged range; refresh: our own formulas in a template, intact (only their stored result is renewed);
    restore: a template's derived cells that lost their formula to a typed number
    ({(sheet, A1): the derived cell, its typed value read}; given back with ``--overwrite-derived``).
    """
    by_name = {g.name: g for g in grids}
    keep: set[tuple[str, str]] = set()
    refresh: set[tuple[str, str]] = set()
    restore: dict[tuple[str, str], Derived] = {}
    for form in forms if forms is not None else read_forms(grids).forms:
        for item in derived(form, profile):
            key = (form.sheet, item.cell.address)
            if _covered(by_name[form.sheet], item.cell.row, item.cell.col):
                keep.add(key)
            elif key in formulas:
                if template and item.formula and _same_formula(formulas[key], item.formula):
                    refresh.add(key)
                elif not (template and item.formula):
                    keep.add(key)
            elif template and item.formula and not item.cell.blank and not is_error_value(item.cell.raw):
                restore[key] = item
    return keep, refresh, restore


# ------------------------------------------------------------------ fill


def _read_forms(path: str, grids, book):
    """The grids (read here unless given) and the forms of the workbook to fill; FillError when it cannot be
    read or holds no form."""
    given = grids is not None
    try:
        grids = grids if given else read_grids(path)
    except UnreadableWorkbook as exc:
        raise FillError.like(exc) from None
    book = book if book is not None and given else read_forms(grids, path)  # forms only of the grids given
    if not book.forms:
        raise FillError("U012", text=no_form_text(book))
    return grids, book


WORKBOOK_NAMES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".et", ".ett")  # names an .xlsx-content output may take


def fill(path: str, output: str | None = None, *, in_place: bool = False, overwrite_derived: bool = False,
         mark: bool = False, profile: Profile | None = None, writer: str = "auto",
         grids: list[Grid] | None = None, book=None, keep_earlier: bool = False,
         exec_mode: str | None = None) -> FillResult:
    """Fill ``path`` into ``output`` (or in place).  ``writer``: "auto" (the direct XML writer, openpyxl for
    marks and for files it does not handle), "direct" or "openpyxl".  ``grids``: the grids of ``path`` when the
    caller has read them already (``read_grids``; batch checks first); they are updated in place.  ``book``: the
    forms read from those grids (``read_forms(grids, path)``, a check's ``report.workbook``).  ``keep_earlier``
    (``fill -o``): an existing output that differs from the new one is kept as a backup (``_Earlier``).
    ``exec_mode`` (--exec-mode): the 执行率 of ``profile``, or of the workbook's own, scored so.

    A workbook in another format (.xls/.et, .ods, .xlsb: ``workbook_kind``) is filled into a new .xlsx
    (``converted_name`` beside it unless ``output`` is given) and never modified: ``in_place`` is refused."""
    kind = grids[0].kind if grids and grids[0].path == path else _kind_of(path)  # (a converted copy: its own)
    if kind != "xlsx":
        return _fill_converted(path, output, kind, in_place=in_place, overwrite_derived=overwrite_derived,
                               mark=mark, profile=profile, writer=writer, grids=grids, book=book,
                               keep_earlier=keep_earlier, exec_mode=exec_mode)
    if output is None and not in_place:
        raise FillError("O008")
    if output is not None and in_place:
        raise FillError("O008", text="-o 和 --in-place 只能选一个")
    target = path if in_place else output
    if not in_place and not output.lower().endswith(WORKBOOK_NAMES + (Path(path).suffix.lower() or ".xlsx",)):
        raise FillError("O007", text=f"输出文件“{Path(output).name}”不是工作簿的文件名：填写结果是 Excel 工作簿，"
                        "输出文件名须以 .xlsx 结尾（或与原文件的扩展名相同）")
    if not in_place and os.path.abspath(output) == os.path.abspath(path):
        raise FillError("O003", text="输出文件不能和输入文件相同；要直接修改原文件请用 --in-place")
    if in_place and os.path.isfile(path) and output_problem(path) == "文件是只读的，不能覆盖":
        raise OutputError(path, "文件是只读的，不能直接修改（可以用 -o 另存一份）", "O001")
    lock = open_elsewhere(target) if os.path.isfile(target) else None
    if lock:  # Excel/WPS/LibreOffice would save their copy over ours (or ours is lost when they close it)
        raise OutputError(target, f"文件正在别处打开（旁边有锁定文件“{lock}”），本次未写入；请在 Excel、WPS 或 "
                                  "LibreOffice 中关闭它后再运行（或用 -o 另存一份）", "O005")
    problem = output_problem(target) if os.path.exists(path) else None
    if problem:
        raise OutputError(target, problem)
    grids, book = _read_forms(path, grids, book)
    forms = book.forms
    auto = profile is None
    if auto:  # the profile the workbook itself points to (detect.choose), as its check chooses it
        from ..compute.detect import choose, grid_text

        profile = choose(book, grid_text(grids)).profile
    from ..compute.profiles import with_exec_mode

    profile = with_exec_mode(profile, exec_mode)

    from . import xlsxpatch

    source = None
    try:
        source = xlsxpatch.Source(path)
        formulas = {(name, a): f for name in {f.sheet for f in forms} for a, f in source.formulas(name).items()}
    except (xlsxpatch.Refused, xlsxpatch.Unsupported, KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError,
            zlib.error) as exc:
        if source is not None:
            source.close()
            source = None
        if isinstance(exc, xlsxpatch.Refused):
            raise FillError.like(broken(path, "DTD")) from None
        formulas = _openpyxl_formulas(path, {f.sheet for f in forms})
    try:
        return _fill(path, target, grids, book, source, formulas, profile, auto=auto, in_place=in_place,
                     overwrite_derived=overwrite_derived, mark=mark, writer=writer, keep_earlier=keep_earlier,
                     exec_mode=exec_mode)
    finally:
        if source is not None:
            source.close()


def _kind_of(path: str) -> str:
    """The format of ``path`` by its content; "xlsx" when it cannot be told (reading it then says why)."""
    from ..xlsx.grid import workbook_kind

    try:
        return workbook_kind(path)
    except UnreadableWorkbook:
        return "xlsx"


def converted_name(path: str) -> str:
    """Where a workbook in another format is filled to: 原名（已填写）.xlsx beside it."""
    from ..xlsx.xlsxio import fit_name

    source = Path(path)
    return str(source.with_name(fit_name(source.stem, "（已填写）.xlsx")))


def _fill_converted(path: str, output: str | None, kind: str, *, in_place: bool, grids, book, **options) -> FillResult:
    """Fill an .xls/.et, .ods or .xlsb workbook: its grids are written to a new .xlsx (values, merged ranges,
    percentage formats, hidden sheets), which is then filled like any .xlsx; the original is not touched."""
    import tempfile

    from ..xlsx.grid import KINDS

    ext = KINDS[kind]
    if in_place:
        raise FillError("U013", text=f"这是 {ext} 格式的工作簿，不能直接修改（--in-place）：填写结果只能另存为 .xlsx。"
                        f"请去掉 --in-place，结果会写到“{Path(converted_name(path)).name}”，原文件不会改动")
    if output is None:
        output = converted_name(path)
    elif not output.lower().endswith(".xlsx"):
        raise FillError("O007", text=f"这是 {ext} 格式的工作簿，填写结果只能另存为 .xlsx：输出文件名须以 .xlsx 结尾")
    if os.path.abspath(output) == os.path.abspath(path):
        raise FillError("O003")
    problem = output_problem(output) if os.path.exists(path) else None
    if problem:
        raise OutputError(output, problem)
    grids, book = _read_forms(path, grids, book)
    fd, temp = tempfile.mkstemp(prefix=".jixiao-", suffix=".xlsx")
    os.close(fd)
    try:
        grids_to_xlsx(grids, temp)
        os.chmod(temp, stat.S_IMODE(os.stat(path).st_mode) | stat.S_IWUSR)  # the output's permission bits
        result = fill(temp, output, overwrite_derived=options["overwrite_derived"], mark=options["mark"],
                      profile=options["profile"], writer=options["writer"], grids=grids, book=book,
                      keep_earlier=options["keep_earlier"], exec_mode=options.get("exec_mode"))
    finally:
        Path(temp).unlink(missing_ok=True)
    result.path = path
    result.notes += [f"原文件是 {ext} 格式，未作任何改动；填写结果另存为 .xlsx：{output}",
                     "注意：另存的 .xlsx 只保留原表的数值、合并单元格和百分比格式，原表的公式和样式没有带过来"]
    return result


def grids_to_xlsx(grids: list[Grid], out: str) -> None:
    """A new .xlsx holding the grids: values (text stays text), merged ranges, percentage formats, hidden sheets."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    book.remove(book.active)
    for grid in grids:
        ws = book.create_sheet(grid.name)
        numbers = []
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    cell = ws.cell(r + 1, c + 1, ILLEGAL_CHARACTERS_RE.sub("", value))
                    cell.data_type = "s"  # "=..." typed as text stays text
                else:
                    ws.cell(r + 1, c + 1, value)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        numbers.append((r, c))
        if numbers:
            for (r, c), percent in grid.percent_flags(numbers).items():
                if percent:
                    ws.cell(r + 1, c + 1).number_format = "0.00%"
        for r0, c0, r1, c1 in grid.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        if grid.hidden:
            ws.sheet_state = "hidden"
    if not book.worksheets:
        book.create_sheet("Sheet1")
    if all(ws.sheet_state != "visible" for ws in book.worksheets):
        book.worksheets[0].sheet_state = "visible"
    book.save(out)


def _fill(path, target, grids, book, source, formulas, profile, *, auto=False, in_place, overwrite_derived, mark,
          writer, keep_earlier=False, exec_mode=None):
    from . import xlsxpatch

    plan_ = make_plan(grids, formulas, path, profile, overwrite_derived=overwrite_derived, mark=mark, book=book,
                      auto=auto, exec_mode=exec_mode)
    result = FillResult(path, target, plan_.changes, plan_.report, plan_.template, notes=list(plan_.notes),
                        stored=plan_.stored)
    direct = source is not None and (writer == "direct" or (writer == "auto" and plan_.marks is None
                                                             and not plan_.clear_marks))
    if writer == "direct" and source is None:
        raise FillError("O009")

    def write(temp: str) -> None:
        if direct:
            try:
                xlsxpatch.write(source, plan_.cells, RESULT_SHEET, plan_.results, plan_.rate_rows, RESULT_WIDTHS,
                                temp)
                return
            except xlsxpatch.Refused:
                raise FillError.like(broken(path, "DTD")) from None
            except xlsxpatch.Unsupported:
                if writer == "direct":
                    raise FillError("O009") from None
            finally:  # closed before the output replaces the input (Windows refuses to replace an open file)
                source.close()
        write_openpyxl(path, plan_, temp)
        if _has_drawings(path):
            result.notes.append("注意：文件中的图片或图表不会保留在输出文件中")

    def backup() -> None:  # once the new content is complete, just before it replaces the original
        result.backup = str(make_backup(path, time.strftime("%Y%m%d-%H%M%S")))

    # a new output keeps the input's permission bits (a colleague who could read the submission can read the
    # checked copy), writable by its owner; an existing output or the input itself keeps its own
    mode = None if os.path.exists(target) else stat.S_IMODE(os.stat(path).st_mode) | stat.S_IWUSR
    earlier = _Earlier(target) if keep_earlier and not in_place and os.path.exists(target) else None
    try:
        atomic_write(target, write, mode, before_replace=backup if in_place else None)
    except OutputError:
        if result.backup:  # the original is still in place: the copy would only be clutter
            Path(result.backup).unlink(missing_ok=True)
            result.backup = None
        raise
    if earlier is not None:
        kept = earlier.keep_if_changed()
        if kept:
            result.notes.append(f"输出文件“{Path(target).name}”原已存在，且与本次结果不同（可能在上次输出后手工改过）："
                                f"原有的一份已备份为 {kept}")
    return result


class _Earlier:
    """An output file that exists before ``fill -o`` replaces it: its bytes and values, kept as a backup
    (原名.时间.bak.xlsx, never over another) when what the user sees in it differs from the new output — a
    copy edited since the last run is not lost; an unchanged re-run leaves no clutter."""

    def __init__(self, path: str):
        self.path = path
        try:
            self.data = Path(path).read_bytes()
            self.mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            self.data = None
        self.values = _values(path) if self.data is not None else None

    def keep_if_changed(self) -> str | None:
        if self.data is None or (self.values is not None and self.values == _values(self.path)):
            return None
        from ..xlsx.xlsxio import backup_path

        while True:
            target = backup_path(self.path, time.strftime("%Y%m%d-%H%M%S"))
            try:
                with open(target, "xb") as handle:  # "x": never over another backup
                    handle.write(self.data)
                break
            except FileExistsError:
                continue
            except OSError as exc:  # the new output is written; say the old one could not be kept
                from ..xlsx.xlsxio import reason

                return f"（未能备份：{reason(exc)}）"
        os.chmod(target, self.mode)
        return str(target)


def _values(path: str):
    """Every sheet's values as a reader sees them, or None when the file cannot be read."""
    try:
        return {grid.name: grid.rows for grid in read_grids(path)}
    except (UnreadableWorkbook, OSError):
        return None


def _has_drawings(path: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.startswith("xl/drawings/") or n.startswith("xl/charts/") for n in archive.namelist())
    except Exception:  # a damaged archive: the load above already coped with it
        return False


def _openpyxl_formulas(path: str, sheets: set[str]) -> dict[tuple[str, str], str]:
    """The formulas of some sheets, read with openpyxl (for files the direct reader does not handle)."""
    import openpyxl

    try:  # not read-only: that mode trusts the declared dimension and would miss formulas outside it
        book = openpyxl.load_workbook(openpyxl_source(path))
    except Exception as exc:  # openpyxl's own parse errors (defusedxml refuses entity declarations), zlib errors
        raise FillError.like(broken(path, cause(exc))) from None
    found = {}
    for ws in book.worksheets:
        if ws.title in sheets:
            for c in list(ws._cells.values()):  # the cells there are (iter_rows makes every one up to XFD1048576)
                if c.data_type == "f" and isinstance(c.value, str):
                    found[(ws.title, c.coordinate)] = c.value
    return found
