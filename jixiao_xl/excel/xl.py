"""The Excel front end: the 校验 button and 清除标记 (the JIXIAO worksheet functions: functions.py).

One code path serves xlwings classic (``RunPython`` from the ribbon add-in),
xlwings Server (the Office.js add-in in ``addin/server``) and xlwings Lite:
one bulk read of every sheet, the pure core, then a small set of writes
(derived cells, the 校验结果 sheet, marks, an alert).  Only xlwings itself is
imported at module import; the core loads when a button is clicked.
"""

from __future__ import annotations

import sys
import xlwings as xw

try:  # xlwings Server (needs XLWINGS_LICENSE_KEY, e.g. "noncommercial")
    from xlwings.server import func, script
except Exception:
    try:  # xlwings Lite, and classic Excel on Windows (func makes classic UDFs there)
        from xlwings import func, script
    except Exception:  # nothing to register with: plain functions are enough for RunPython
        def script(f=None, **_):
            return f if f is not None else (lambda g: g)

        def func(f=None, **_):
            return f if f is not None else (lambda g: g)

MARKS_SHEET = "_jixiao_marks"  # as in jixiao_xl.write.marks, which is imported only when a button is clicked
RESULT_SHEET = "校验结果"


# ------------------------------------------------------------------ reading


def _as_rows(values) -> list[list]:
    if values is None:
        return [[]]
    if not isinstance(values, list):
        return [[values]]
    if values and not isinstance(values[0], list):
        return [values]
    return values


# Excel's cell errors as COM hands them over (CVErr codes, VT_ERROR): the table of xlwings' _xlwindows.py
# cell_errors.  WPS's JavaScript Range.Value2 gives an error cell as this number too; the WPS add-in
# (addin/wps/js/jixiao.js) sends the error text instead, and this table is the server's fallback for an
# add-in that does not (an older one).
COM_ERRORS = {
    -2146826281: "#DIV/0!",
    -2146826246: "#N/A",
    -2146826259: "#NAME?",
    -2146826288: "#NULL!",
    -2146826252: "#NUM!",
    -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}


def _cell_value(value):
    """A value as read, with a COM error code (an int, never a float) as the error's text."""
    if value.__class__ is int and value in COM_ERRORS:
        return COM_ERRORS[value]
    return value


def read_grids(book):
    """Every sheet's values in one read per sheet, as grids for the reader.

    A cell showing an error (#DIV/0!, #REF! …) is read as that text, as the file readers read it
    (grid.read_grids): xlwings reads errors as None unless asked (``err_to_str``), and None is a blank
    cell, which 校验 would fill, replacing the formula that shows the error.  With ``err_to_str``:
    Office.js sends Range.values, where an error cell is its text ("#DIV/0!"), and xlwings keeps it
    (pro/_xlremote.py _clean_value_data_element); classic Excel gives COM error codes, which xlwings
    turns into the text (_xlwindows.py cell_errors); WPS sends the text (its add-in converts Value2's
    codes), or the code, converted here.  The rules report the error (N003) and nothing writes a cell
    that shows one (fill._settle).
    """
    from ..xlsx.grid import Grid

    grids = []
    for sheet in book.sheets:
        used = sheet.used_range
        rows = _as_rows(used.options(ndim=2, err_to_str=True).value)
        top, left = used.row - 1, used.column - 1
        grid_rows = [[] for _ in range(top)] + [[None] * left + [_cell_value(v) for v in r] for r in rows]
        grids.append(Grid(sheet.name, grid_rows, [], merges_known=False))
    return grids


def _text_cell(value):
    """A text we write into a cell, as a cell entry that Excel keeps as that text.

    Every way a value reaches a cell (Office.js ``Range.values`` in xlwings Server's client: index.js
    ``setValues`` is ``range.values = action.values``; COM ``Range.Value`` in classic Excel; WPS's
    ``Range.Value2``) takes a string as if the user had typed it: "2024-12-31", "1/2" and "12月31日" become
    dates, "86.19%" a percentage, "00123" 123, "1E3" 1000, "(5)" −5, "TRUE" a boolean, "=…" (and "+…",
    "-…", "@…") a formula — which texts depends on the locale, so every non-empty text is written with a
    leading apostrophe, which makes the entry text in Excel and WPS; the apostrophe is not shown, and reads
    back without it (``Range.values``, ``Value``, ``Value2``). Numbers are written as numbers.
    """
    if isinstance(value, str) and value:
        return "'" + value
    return value


# ------------------------------------------------------------------ errors


class UserError(Exception):
    """A failure whose Chinese message already says what happened and what to do."""


# The Office.js client: xlwings Server's own JavaScript (custom-scripts/index.js), which sends as ``version`` the
# xlwings version of the server that served it (config.xlwingsVersion). Excel keeps the add-in's pages in its
# cache, and an Excel can go on running the client of an older server. The answers of 校验 and 清除标记 use these
# actions, and 校验 reads dates as dates only where the client converts them (convertDateValues):
CLIENT_ACTIONS = ("setValues", "setFormula", "setRangeColor", "setNumberFormat", "addSheet", "sheetClearContents",
                  "setSheetVisibility", "addNote", "deleteNote", "alert", "runMacro")
# The client of xlwings-server 1.20.0 (its Requires-Dist: xlwings>=0.37.8) handles all of them and converts dates by
# their number format on every Excel (workbook-metadata.js convertDateValues over numberFormat). Older clients lack
# them: xlwings-server 1.12.0 (xlwings>=0.36.17; xlwings/xlwings-server commit 88620030ee48643d4eff789728cc3aecf302be38,
# custom-scripts/index.js) has no setFormula, setSheetVisibility, addNote or deleteNote, and converts dates only with
# ExcelApi 1.12 (numberFormatCategories: on Excel 2019 a date arrives as its serial number); the client of commit
# 7a5ae46452b7e153e35ca0b2241b5f24ac204bb6 (xlwings==0.33.6) the same. Such a client would apply the first actions
# of an answer and stop at the first it does not know (index.js runActions): a workbook changed in part.
MIN_CLIENT_VERSION = (0, 37, 8)
STALE_CLIENT = ("这台电脑的 Excel 用的是缓存里的旧版加载项（版本 {version}，校验服务需要 {need} 或更新）：{reason}，"
                "所以这次没有{action}，工作簿没有被修改。请重新加载加载项：关闭所有 Excel 窗口，"
                "再打开 Excel 和工作簿；仍出现这个提示时，清除 Office 加载项缓存：文件 → 选项 → 信任中心 → 信任中心设置 → "
                "受信任的加载项目录，勾选“下次启动 Office 时，清除所有以前启动的 Web 加载项缓存”，点确定后重启 Excel"
                "（或关闭 Excel 后删除文件夹 %LOCALAPPDATA%\\Microsoft\\Office\\16.0\\Wef；Mac：退出 Excel 后删除"
                " ~/Library/Containers/com.microsoft.Excel/Data/Library/Application Support/Microsoft/Office/16.0/Wef）。")


class StaleClient(UserError):
    """The request came from an Office.js client older than what our answers need (MIN_CLIENT_VERSION)."""

    def __init__(self, version: str):
        super().__init__(version)
        self.version = version

    def message(self, action: str) -> str:
        need = ".".join(map(str, MIN_CLIENT_VERSION))
        reason = "它会把日期读成数字" + ("，列出的问题会不准" if action == "列出问题" else f"，也做不完{action}要做的修改")
        return STALE_CLIENT.format(version=self.version, need=need, action=action, reason=reason)


def _check_client(book) -> None:
    """Refuse, before anything is read or written, a request from an Office.js client too old for our answers
    (its ``version`` below MIN_CLIENT_VERSION). The client this server hands out sends its own xlwings version;
    a version that is not a release number (a development build) is not refused."""
    import re

    api = getattr(book, "api", None)
    if not (isinstance(api, dict) and api.get("client") == "Office.js"):
        return
    version = str(api.get("version") or "")
    if version == xw.__version__:
        return
    found = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if found and tuple(int(part) for part in found.groups()) < MIN_CLIENT_VERSION:
        raise StaleClient(version)


def _now() -> str:
    import time

    return time.strftime("%H:%M:%S")


def friendly(exc: BaseException, action: str, untouched: bool = True) -> str:
    """The Chinese message for any failure of a button, a function or the task pane.

    ``action`` names what the user did (校验, 清除标记, 列出问题); ``untouched`` says
    whether the workbook is known to be unchanged (Office.js: nothing was sent back).
    """
    if isinstance(exc, StaleClient):
        return exc.message(action)
    if isinstance(exc, UserError):
        return str(exc)
    text = str(exc).lower()
    after = "工作簿没有被修改。" if untouched else "工作簿可能只改了一部分，请检查后再试一次。"
    if "protect" in text or "保护" in text:
        return f"工作簿或工作表受保护，无法{action}。请先取消保护（审阅 → 撤销工作表保护）再{action}。"
    if isinstance(exc, MemoryError):
        return f"工作簿太大，内存不足，无法{action}。{after}请关闭其他程序或拆分工作簿后再试。"
    if isinstance(exc, NotImplementedError):
        return (f"这个版本的 Excel 不支持{action}所需的功能，{after}"
                "请改用经典加载项（.xlam）或命令行 jixiao-xl check。")
    return (f"{action}时程序出错，{after}"
            f"请保存工作簿后重试；如仍出错，请把工作簿发给管理员，并告知时间 {_now()}（服务器日志中记有详细原因）。")


def _log(action: str, exc: BaseException) -> None:
    import logging

    logging.getLogger("jixiao_xl.excel.xl").error("%s failed", action, exc_info=exc)


def _discard_actions(book) -> bool:
    """Drop the writes an Office.js request has queued so far; True when the workbook stays untouched."""
    data = getattr(getattr(book, "impl", None), "_json", None)
    if isinstance(data, dict) and isinstance(data.get("actions"), list):
        data["actions"].clear()
        return True
    return False


def _alert(book, prompt: str, title: str, mode: str | None = None) -> None:
    """An alert on ``book``.  xlwings' remote engine files ``app.alert`` under the process's "active" book, the
    last one any request opened: two users clicking 校验 at once got each other's alerts.  There the action is
    added to this request's own book."""
    impl = getattr(book, "impl", None)
    if hasattr(impl, "append_json_action"):
        impl.append_json_action(func="alert", args=[prompt or "", title or "", "ok", mode or "", ""])
    else:
        book.app.alert(prompt, title=title, mode=mode)


def _macro(book, name: str, *args) -> None:
    """Run the client's ``name`` on ``book`` (as _alert: its own book, never the process's active one)."""
    impl = getattr(book, "impl", None)
    if hasattr(impl, "append_json_action"):
        impl.append_json_action(func="runMacro", args=[name, *args])
    else:
        book.app.macro(name)(*args)


def _guarded(action: str):
    """A button's script: any failure becomes one Chinese alert (logged with the detail), never an HTTP 500."""
    import functools

    def wrap(run):
        @functools.wraps(run)
        def script_body(book: xw.Book):
            try:
                run(book)
            except Exception as exc:  # every failure reaches the user as Chinese text
                _log(action, exc)
                untouched = _discard_actions(book)
                _alert(book, friendly(exc, action, untouched), f"{action}未完成", "critical")

        return script_body

    return wrap


# ------------------------------------------------------------------ marks


def _previous_marks(grids):
    """The marks the last 校验 (or fill --mark) left, from the hidden marks sheet."""
    from ..write.marks import read_marks

    for grid in grids:
        if grid.name == MARKS_SHEET:
            return read_marks(grid.rows)
    return []


def _sheet(book, name):
    for sheet in book.sheets:
        if sheet.name == name:
            return sheet
    return None


def _hidden(sheet) -> bool:
    try:
        return sheet.visible in (False, 0, 2)  # classic: -1 visible, 0 hidden, 2 very hidden
    except Exception:
        return False


def _notes_supported(sheet) -> bool:
    """False where xlwings' add_note would raise (its own test, _xlremote.py Range.add_note): an Office.js sheet
    without ExcelApi 1.18 (Excel 2019/2021/2024 perpetual: notes_supported False), or one whose payload has no
    ``notes`` at all (the Office.js client before notes, still in an Excel's add-in cache)."""
    api = sheet.api  # Office.js: the sheet's payload, with notes_supported from isSetSupported("ExcelApi", "1.18")
    return not (isinstance(api, dict) and (api.get("notes") is None or api.get("notes_supported") is False))


def _officejs(book) -> bool:
    api = getattr(book, "api", None)
    return isinstance(api, dict) and api.get("client") == "Office.js"


def _restore(book, marks) -> dict:
    """Put back the fill and note each marked cell had before it was marked.

    Returns the marks whose note could not be taken off (Excel without the notes API,
    notes left by ``fill --mark``): they stay in the record so a later 清除标记 or
    ``fill`` in a capable program still removes them.
    """
    from ..write.marks import as_hex

    left = {}
    for mark in marks:
        sheet = _sheet(book, mark.sheet)
        if sheet is None:
            continue
        cell = sheet[mark.cell]
        cell.color = as_hex(mark.fill)
        ours = mark.note is None or "text" in mark.note
        if not _notes_supported(sheet):
            if ours:
                left[(mark.sheet, mark.cell)] = mark
            continue
        if ours:  # ours: take it off (and give back the one it replaced)
            if cell.note is not None:
                cell.note.delete()
            if mark.note is not None:
                cell.add_note(mark.note["text"])
    return left


def _read_color(cell):
    """The cell's fill as "#RRGGBB" (None: no fill), or ... when this Excel cannot tell the server."""
    try:
        color = cell.color  # classic Excel can tell
    except NotImplementedError:  # Office.js: read by the add-in's own JavaScript (jixiaoMark) instead
        return ...
    if isinstance(color, tuple):
        return "#%02X%02X%02X" % color
    return color


def _role_colors(grids, profile, template: bool) -> dict[tuple[str, str], str]:
    """The colour each form cell has in our template: blue derived, yellow input."""
    if not template:
        return {}
    from ..compute.derive import derived
    from ..read.reader import read_forms
    from ..rules.general import numeric_cells
    from ..write.marks import DERIVED_FILL, INPUT_FILL

    colors = {}
    for form in read_forms(grids).forms:
        for cell, _ in numeric_cells(form):
            colors[(form.sheet, cell.address)] = "#" + INPUT_FILL
        for item in derived(form, profile):
            if item.formula:
                colors[(form.sheet, item.cell.address)] = "#" + DERIVED_FILL
    return colors


def _link_formula(sheet: str, cell: str) -> str:
    """=HYPERLINK to a cell of this workbook (works in every Excel, with or without notes)."""
    target = "#'" + sheet.replace("'", "''") + "'!" + cell
    return '=HYPERLINK("' + target.replace('"', '""') + '","' + cell + '")'


# ------------------------------------------------------------------ scripts


def _is_template(grids) -> bool:
    from ..read.forms import INFO_SHEET, MARKER

    return any(g.name == INFO_SHEET and g.get(0, 0) == MARKER for g in grids)


HIDDEN_HINT = "（需要时在任务窗格点“校验（含隐藏表）”）"  # the Office.js task pane's button


def summary(report, skipped=()) -> str:
    """The alert after 校验: counts, then each self-evaluation's sheet, total and grade, then skipped sheets."""
    from ..compute.results import total_text

    parts = [f"发现 {report.count('error')} 个错误、{report.count('warning')} 个警告"]
    names = {"dept_self_eval": "部门整体支出自评", "project_self_eval": "项目支出自评"}
    for form_report in report.forms:
        res = form_report.results
        if form_report.kind != "basic_data":
            label = names[form_report.kind]
            if form_report.kind == "project_self_eval" and getattr(form_report.form, "name", ""):
                label += f"（{form_report.form.name}）"
            parts.append(f"{form_report.form.sheet}：{label}{total_text(res)}")
    if skipped:
        parts.append("未校验隐藏的工作表：" + "、".join(skipped) + HIDDEN_HINT)
    return "；".join(parts)


def _no_form(report=None) -> UserError:
    from ..rules.check import NO_FORM

    reason = report.error if report is not None and report.error else NO_FORM  # a 绩效目标表 it holds is named
    return UserError(reason + "。工作簿没有被修改。请打开提交的绩效自评工作簿，"
                     "或检查表格标题（如“部门整体支出绩效自评表”）是否完整后再校验。")


def _work_grids(book, include_hidden: bool):
    """All grids, and the ones to check: not our own sheets, hidden sheets only when asked (our template's
    填表说明 is kept even hidden: it states the template's 评分口径, ``reader.stated_profile``)."""
    from ..read.forms import INFO_SHEET

    _check_client(book)
    grids = read_grids(book)
    hidden = {s.name for s in book.sheets if _hidden(s)}
    if _is_template(grids):
        hidden.discard(INFO_SHEET)
    skipped = [g.name for g in grids if g.name in hidden and g.name not in (RESULT_SHEET, MARKS_SHEET)]
    work = [g for g in grids if g.name not in (RESULT_SHEET, MARKS_SHEET)
            and (include_hidden or g.name not in hidden)]
    return grids, work, ([] if include_hidden else skipped)


def findings_for(book, include_hidden: bool = False):
    """Check the open workbook without changing it (the task pane's list)."""
    from ..rules.check import check_grids

    _, work, _ = _work_grids(book, include_hidden)
    report = check_grids(work, book.name)  # the profile its forms show, or our template's 填表说明 states
    if report.status == "unreadable":
        raise _no_form(report)
    return report


def run_validate(book, include_hidden: bool = False) -> str:
    """校验: fill blank derived cells, rewrite 校验结果, re-mark problem cells; returns the alert text."""
    from ..compute.detect import choose, grid_text
    from ..read.reader import read_forms
    from ..rules.check import check_grids
    from ..write.fill import plan
    from ..write.marks import HEADER, MARK_COLORS, Mark, by_cell, note_text, rate_rows, result_rows, solid, worst

    grids, work, skipped = _work_grids(book, include_hidden)
    template = _is_template(grids)
    # the fill follows the profile the check will choose from the same sheets (our template: its 填表说明's)
    profile = choose(read_forms(work, book.name), grid_text(work)).profile
    previous = _previous_marks(grids)
    changes = plan(work, profile, overwrite=False)
    report = check_grids(work, book.name)
    if report.status == "unreadable":  # nothing recognisable: say so and leave the book alone
        raise _no_form(report)

    for sheet_name, item, _corrected, _old in changes:
        cell = _sheet(book, sheet_name)[item.cell.address]
        if template and item.formula:
            cell.formula = item.formula
        elif item.cell.prefix:
            from ..read.values import fmt_number

            shown = item.value if isinstance(item.value, str) else fmt_number(item.value)
            cell.value = _text_cell(f"{item.cell.prefix}{shown}")
        else:
            cell.value = _text_cell(item.value)

    # 校验结果: cleared and written in one block, so a second click gives the same sheet;
    # the 单元格 column links to the cell (the only pointer where Excel has no notes)
    rows = [[_text_cell(v) for v in row] for row in result_rows(report)]
    results = _sheet(book, RESULT_SHEET) or book.sheets.add(RESULT_SHEET, after=book.sheets[len(book.sheets) - 1])
    results.clear_contents()
    results["A1"].value = rows
    findings = report.all_findings()
    if any(f.cell for f in findings):
        links = [[_link_formula(f.sheet, f.cell) if f.cell and f.sheet else _text_cell(f.cell or "")]
                 for f in findings]
        results.range((2, 4), (len(findings) + 1, 4)).formula = links
    # 应为/实际 of a rate finding as % (1.2673 -> 126.73%); the rest back to General, as the last click may differ
    results.range((2, 7), (len(rows), 8)).number_format = "General"
    for row in rate_rows(report):
        results.range((row, 7), (row, 8)).number_format = "0.00%"

    # marks: first restore what the last click coloured, then colour this click's problems
    left = _restore(book, previous)
    before = {(m.sheet, m.cell): m for m in previous}
    roles = _role_colors(grids, profile, template)
    marks, unread = [], []
    officejs = _officejs(book)
    for (sheet_name, address), items in by_cell(findings, {s.name for s in book.sheets}).items():
        sheet = _sheet(book, sheet_name)
        cell = sheet[address]
        color = "#" + MARK_COLORS[worst(items)]
        old = before.get((sheet_name, address))
        fill = old.fill if old is not None else None
        original = None if old is not None else _read_color(cell)
        if original is ... and officejs:  # the add-in's JavaScript reads the colour, records it, colours the cell
            unread.append({"sheet": sheet_name, "cell": address, "color": color, "row": len(marks) + 2})
        else:
            if old is None:
                fill = solid(roles.get((sheet_name, address)) if original is ... else original)
            cell.color = color
        if (sheet_name, address) in left:  # a note we could not take off stays recorded as ours
            note = left.pop((sheet_name, address)).note
        elif not _notes_supported(sheet):
            note = {"kept": True}  # no notes in this Excel: the finding is in 校验结果, linked to the cell
        elif cell.note is not None:  # the user's own note (or one put back just now): keep it, add none
            note = {"kept": True}
        else:
            cell.add_note(note_text(items))
            note = None
        marks.append(Mark(sheet_name, address, fill, note).row())
    marks += [m.row() for m in left.values()]
    store = _sheet(book, MARKS_SHEET)
    if marks or store is not None:
        if store is None:
            store = book.sheets.add(MARKS_SHEET, after=book.sheets[len(book.sheets) - 1])
        store.clear_contents()
        store["A1"].value = [[_text_cell(v) for v in row] for row in [HEADER] + marks]
        store.visible = False
    if unread:
        import json

        _macro(book, "jixiaoMark", MARKS_SHEET, json.dumps(unread, ensure_ascii=False))
    return summary(report, skipped)


def run_clear(book) -> str:
    """清除标记: restore the marked cells; keep in the record only the notes this Excel cannot remove."""
    from ..write.marks import HEADER

    _check_client(book)
    grids = read_grids(book)
    marks = _previous_marks(grids)
    left = _restore(book, marks)
    store = _sheet(book, MARKS_SHEET)
    if store is not None:
        store.clear_contents()
        if left:
            store["A1"].value = [[_text_cell(v) for v in row] for row in [HEADER] + [m.row() for m in left.values()]]
    if left:
        return (f"已恢复 {len(marks)} 个单元格原来的颜色。其中 {len(left)} 个单元格上有 jixiao-xl 加的批注，"
                "这个版本的 Excel 不能删除批注（需要 Microsoft 365）：请在 Microsoft 365 的 Excel 中再点“清除标记”，"
                "或用命令 jixiao-xl fill 处理这个文件，批注都会去掉。")
    return f"已清除 {len(marks)} 个单元格的标记，恢复了原来的颜色。" if marks else "没有需要清除的标记。"


@_guarded("校验")
def validate_book(book):
    """The 校验 button on any client (Office.js, WPS): the alert, or one Chinese alert on failure."""
    _alert(book, run_validate(book), "校验结果")


@_guarded("清除标记")
def clear_marks_book(book):
    """The 清除标记 button on any client: quiet (the cells show it) unless notes could not be removed."""
    text = run_clear(book)
    if "不能删除批注" in text:
        _alert(book, text, "清除标记")


@script
def validate(book: xw.Book):
    """校验：重新计算、校验并标出有问题的单元格（不含隐藏的工作表）。"""
    validate_book(book)


@script
@_guarded("校验")
def validate_all(book: xw.Book):
    """校验（含隐藏表）：同“校验”，隐藏的工作表也校验和标记。"""
    _alert(book, run_validate(book, include_hidden=True), "校验结果")


@script
def clear_marks(book: xw.Book):
    """清除标记：恢复被标色单元格原来的样子，去掉批注。"""
    clear_marks_book(book)


def _classic(action: str, run) -> None:
    try:
        book = xw.Book.caller()
    except Exception as exc:  # no workbook to alert in: xlwings' RunPython shows what we write to stderr
        _log(action, exc)
        sys.stderr.write(f"{action}未完成：没有找到要{action}的工作簿。请先打开并点选要{action}的工作簿"
                         "（受保护视图中的文件请先点“启用编辑”），再点按钮。\n")
        raise SystemExit(1) from None
    try:
        text = run(book)
    except Exception as exc:
        _log(action, exc)
        text = friendly(exc, action, untouched=False)
    if text:
        _alert(book, text, action)


def main():
    """The classic ribbon add-in's 校验 (RunPython "import jixiao_addin; jixiao_addin.main()")."""
    _classic("校验", run_validate)


def main_clear():
    """The classic ribbon add-in's 清除标记."""
    _classic("清除标记", run_clear)


def main_list():
    """The classic ribbon add-in's 问题列表: the findings in an alert (the 校验结果 sheet has them all)."""
    def listing(book):
        report = findings_for(book)
        lines = [summary(report)] + [f"{f.code} {f.message}" for f in report.all_findings()[:30]]
        return "\n".join(lines)

    _classic("问题列表", listing)
