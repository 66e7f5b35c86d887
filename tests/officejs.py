"""A stand-in for Excel's Office.js side of xlwings Server, over openpyxl workbooks.

``payload`` builds the request body the way xlwings Server's client builds it
(``xlwings_server/static/js/custom-scripts/index.js``, ``getBookData``): every
sheet's values from A1 to the last used cell, its visibility, and per sheet
``notes`` (the addresses of cells with a note) and ``notes_supported``
(``isSetSupported("ExcelApi", "1.18")``; without it ``notes`` is empty).

A cell showing an error goes as its text: the client loads ``values, numberFormat`` of each sheet's
used range (index.js ``getBookData``: ``.load("values, numberFormat")``, then ``values =
item["range"].values; convertDateValues(values, ...)``, which only touches numbers), and Office.js'
``Range.values`` gives an error cell as "#DIV/0!", "#N/A", "#REF!" …; no formulas and no ``valueTypes``
are sent.  xlwings reads those texts as None unless ``err_to_str`` (``xlwings/pro/_xlremote.py``
``_clean_value_data_element``).  openpyxl holds an error cell the same way (the text, data type "e"),
so ``payload`` sends it as the client does.  A user's formula is kept in ``Excel.formulas`` (the
workbook holds what Excel shows), and any write to the cell drops it, as in Excel.

Two client generations:

- ``notes=True``: Microsoft 365 (ExcelApi 1.18 and later),
- ``notes=False``: Excel 2019/2021/2024 perpetual (no notes API; ``addNote`` and
  ``deleteNote`` fail in the client as they do in Excel).

``Excel.apply`` carries out the actions the server answers with, as the client's
action handlers do; any action (or ``runMacro`` callback) it does not know fails
the test, so the add-in can only use what is modelled here.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter


class ClientError(AssertionError):
    """What Excel's JavaScript would throw: the request's remaining actions are not applied."""


def _used_address(ws) -> str:
    return f"A1:{get_column_letter(max(ws.max_column, 1))}{max(ws.max_row, 1)}"


def payload(book, name: str = "book.xlsx", notes: bool = True) -> dict:
    sheets = []
    for ws in book.worksheets:
        values = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] or [[]]
        cells = [{"address": c.coordinate} for row in ws.iter_rows() for c in row if c.comment is not None]
        state = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}[ws.sheet_state]
        sheets.append({
            "name": ws.title, "visibility": state, "show_gridlines": True, "print_area": None,
            "notes": cells if notes else [], "notes_supported": notes,
            "used_range_address": _used_address(ws), "used_range_row_count": ws.max_row,
            "used_range_column_count": ws.max_column, "values": values,
            "pictures": [], "shapes": [], "charts": [], "tables": [], "pivot_tables": [],
        })
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1", "calculation": "Automatic"},
            "names": [], "sheets": sheets}


_NUMBER = re.compile(r"[+-]?[¥￥$]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"}


def typed(entry):
    """(value, formula) of a cell after ``entry`` is typed into it in Excel (zh-CN), as Range.values and
    Range.formulas take a string: a leading apostrophe keeps the rest as text (not shown, not read back);
    "=…" is a formula, and so is "+…", "-…", "@…" that is not a number; TRUE/FALSE are booleans; numbers
    with thousands separators, a currency sign, an exponent, a percent sign, or in parentheses (negative)
    are numbers ("00123" is 123, "1E3" 1000, "86.19%" 0.8619, "(5)" -5); dates "2024-12-31", "2024/12/31",
    "2024-12", "1/2", "12-31", "2024年12月31日", "12月31日" and times "9:30" become date/time values.
    Blank ("" or None) clears the cell."""
    if entry is None or entry == "":
        return None, None
    if not isinstance(entry, str):
        return entry, None
    if entry.startswith("'"):
        return entry[1:], None
    text = entry.strip()
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", None
    if text in _ERRORS:
        return text, None
    negative = text.startswith("(") and text.endswith(")")
    body = text[1:-1] if negative else text
    if _NUMBER.fullmatch(body):
        number = float(re.sub(r"[¥￥$,%]", "", body)) / (100 if body.endswith("%") else 1)
        number = -number if negative else number
        return (int(number) if number.is_integer() and "%" not in body else number), None
    if len(entry) > 1 and entry[0] in "=+-@":
        return "#NAME?", (entry if entry.startswith("=") else "=" + entry)
    year = dt.date.today().year
    for pattern in (r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})", r"(?P<y>\d{4})[-/](?P<m>\d{1,2})",
                    r"(?P<m>\d{1,2})[-/](?P<d>\d{1,2})", r"(?P<y>\d{4})年(?P<m>\d{1,2})月((?P<d>\d{1,2})日)?",
                    r"(?P<m>\d{1,2})月(?P<d>\d{1,2})日"):
        found = re.fullmatch(pattern, text)
        if found:
            parts = found.groupdict()
            try:
                return dt.datetime(int(parts.get("y") or year), int(parts["m"]), int(parts.get("d") or 1)), None
            except ValueError:
                break
    found = re.fullmatch(r"(\d{1,2}):(\d{2})(:(\d{2}))?", text)
    if found and int(found.group(1)) < 24 and int(found.group(2)) < 60:
        return dt.time(int(found.group(1)), int(found.group(2)), int(found.group(4) or 0)), None
    return entry, None


class Excel:
    """Applies actions to an openpyxl workbook holding values (as Excel shows them)."""

    def __init__(self, book, notes: bool = True):
        self.book = book
        self.notes = notes
        self.alerts: list[str] = []
        self.alert_titles: list[str] = []
        self.formulas: dict[tuple[str, str], str] = {}

    def payload(self, name: str = "book.xlsx") -> dict:
        return payload(self.book, name, notes=self.notes)

    def cells(self, action):
        ws = self.book.worksheets[action["sheet_position"]]
        for r in range(action["row_count"]):
            for c in range(action["column_count"]):
                yield ws, r, c, ws.cell(row=action["start_row"] + r + 1, column=action["start_column"] + c + 1)

    def apply(self, result: dict) -> None:
        for action in result["actions"]:
            handler = getattr(self, "_" + action["func"], None)
            assert handler is not None, f"the stand-in does not know the action {action['func']!r}"
            handler(action)

    def _setValues(self, action):  # index.js setValues: range.values = action.values, parsed as typed
        for ws, r, c, cell in self.cells(action):
            self.formulas.pop((ws.title, cell.coordinate), None)
            value, formula = typed(action["values"][r][c])
            if formula is not None:
                self.formulas[(ws.title, cell.coordinate)] = formula
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy/m/d"  # Excel gives a typed date a date format

    def _setFormula(self, action):
        for ws, r, c, cell in self.cells(action):
            formula = action["values"][r][c]
            if isinstance(formula, str) and formula.startswith("="):
                self.formulas[(ws.title, cell.coordinate)] = formula
                shown = re.fullmatch(r'=HYPERLINK\(".*","(.*)"\)', formula)
                if shown:  # Excel shows the link's text
                    cell.value = shown.group(1)
            else:  # a constant entered through Range.formulas: parsed as typed, as through Range.values
                self.formulas.pop((ws.title, cell.coordinate), None)
                cell.value, _ = typed(formula)

    def _setRangeColor(self, action):
        color = action["args"][0]
        for _, _, _, cell in self.cells(action):
            cell.fill = PatternFill() if color is None else PatternFill("solid", fgColor=color.lstrip("#").upper())

    def _setNumberFormat(self, action):
        for _, _, _, cell in self.cells(action):
            cell.number_format = action["args"][0]

    def _addNote(self, action):  # note-operations.js addCellNote
        if not self.notes:
            raise ClientError("Cell notes require ExcelApi 1.18")
        ws = self.book.worksheets[action["sheet_position"]]
        cell = ws[action["args"][0].replace("$", "")]
        if cell.comment is not None:
            raise ClientError(f"A note already exists on {action['args'][0]}")
        cell.comment = Comment(action["args"][1], "jixiao-xl")

    def _deleteNote(self, action):  # index.js deleteNote: sheet.notes does not exist before ExcelApi 1.18
        if not self.notes:
            raise ClientError("TypeError: Cannot read properties of undefined (reading 'getItemOrNullObject')")
        ws = self.book.worksheets[action["sheet_position"]]
        ws[action["args"][0].replace("$", "")].comment = None

    def _addSheet(self, action):
        index, name = action["args"]
        self.book.create_sheet(name, index)

    def _sheetClearContents(self, action):
        ws = self.book.worksheets[action["sheet_position"]]
        for row in ws.iter_rows():
            for cell in row:
                cell.value = None
                self.formulas.pop((ws.title, cell.coordinate), None)

    def _setSheetVisibility(self, action):
        self.book.worksheets[action["sheet_position"]].sheet_state = action["args"][0].lower()

    def _alert(self, action):
        self.alerts.append(action["args"][0])
        self.alert_titles.append(action["args"][1])

    def _runMacro(self, action):  # index.js runMacro: a callback the add-in's JavaScript registered
        name, *args = action["args"]
        callback = getattr(self, "callback_" + name, None)
        assert callback is not None, f"the add-in's JavaScript registers no callback {name!r}"
        callback(*args)

    def callback_jixiaoMark(self, marks_sheet: str, marks_json: str):
        """addin/server/static/js/ribbon.js jixiaoMark: record each cell's fill, then colour it."""
        store = self.book[marks_sheet]
        for mark in json.loads(marks_json):
            cell = self.book[mark["sheet"]][mark["cell"]]
            rgb = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.patternType == "solid" else None
            if isinstance(rgb, str):  # ExcelApi 1.9 (both generations): RangeFill.pattern tells white from none
                record = {"patternType": "solid", "fg": {"rgb": "FF" + rgb[-6:].upper()}, "bg": None}
            else:
                record = {"patternType": None, "fg": None, "bg": None}
            store[f"C{mark['row']}"] = json.dumps(record)
            cell.fill = PatternFill("solid", fgColor=mark["color"].lstrip("#").upper())


def snapshot(book) -> dict:
    """Everything a user sees: values, fills, notes, per sheet."""
    out = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                fill = cell.fill.fgColor.rgb if cell.fill and cell.fill.patternType == "solid" else None
                note = cell.comment.text if cell.comment else None
                if cell.value is not None or fill or note:
                    out[(ws.title, cell.coordinate)] = (cell.value, fill, note)
        out[(ws.title, "state")] = ws.sheet_state
    return out


__all__ = ["payload", "Excel", "ClientError", "snapshot", "get_column_letter", "typed"]
