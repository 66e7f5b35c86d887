"""A stand-in for Excel's Office.js side of xlwings Server, over openpyxl workbooks.

``payload`` builds the request body the add-in's JavaScript sends (every
sheet's values from A1, notes, visibility); ``apply`` carries out the actions
the server answers with.  Any action it does not know fails the test, so the
add-in can only use what is implemented here.
"""

from __future__ import annotations

import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter


def payload(book, name: str = "book.xlsx") -> dict:
    sheets = []
    for ws in book.worksheets:
        values = [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)] or [[]]
        notes = [{"address": c.coordinate} for row in ws.iter_rows() for c in row if c.comment is not None]
        sheets.append({
            "name": ws.title, "values": values, "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
            "notes": notes, "notes_supported": True, "pictures": [], "shapes": [], "charts": [], "tables": [],
            "pivot_tables": [],
        })
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": name, "active_sheet_index": 0, "selection": "A1"}, "names": [], "sheets": sheets}


class Excel:
    """Applies actions to an openpyxl workbook holding values (as Excel shows them)."""

    def __init__(self, book):
        self.book = book
        self.alerts: list[str] = []
        self.formulas: dict[tuple[str, str], str] = {}

    def cells(self, action):
        ws = self.book.worksheets[action["sheet_position"]]
        for r in range(action["row_count"]):
            for c in range(action["column_count"]):
                yield ws, r, c, ws.cell(row=action["start_row"] + r + 1, column=action["start_column"] + c + 1)

    def apply(self, result: dict) -> None:
        for action in result["actions"]:
            getattr(self, "_" + action["func"])(action)

    def _setValues(self, action):
        for ws, r, c, cell in self.cells(action):
            value = action["values"][r][c]
            if isinstance(value, str) and value.startswith("'"):
                value = value[1:]  # Excel keeps an apostrophe-prefixed entry as text
            cell.value = None if value == "" else value
            if isinstance(cell.value, str):
                cell.data_type = "s"
            self.formulas.pop((ws.title, cell.coordinate), None)

    def _setFormula(self, action):
        for ws, r, c, cell in self.cells(action):
            self.formulas[(ws.title, cell.coordinate)] = action["values"][r][c]

    def _setRangeColor(self, action):
        color = action["args"][0]
        for _, _, _, cell in self.cells(action):
            cell.fill = PatternFill() if color is None else PatternFill("solid", fgColor=color.lstrip("#").upper())

    def _setNumberFormat(self, action):
        for _, _, _, cell in self.cells(action):
            cell.number_format = action["args"][0]

    def _addNote(self, action):
        ws = self.book.worksheets[action["sheet_position"]]
        ws[action["args"][0].replace("$", "")].comment = Comment(action["args"][1], "jixiao-xl")

    def _deleteNote(self, action):
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

    def _setSheetVisibility(self, action):
        self.book.worksheets[action["sheet_position"]].sheet_state = action["args"][0].lower()

    def _alert(self, action):
        self.alerts.append(action["args"][0])


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


__all__ = ["payload", "Excel", "snapshot", "get_column_letter"]
