"""Reading sheets without python-calamine: openpyxl in read-only mode.

python-calamine is a binary wheel that may not exist for every CPU (信创 desktops:
aarch64, loongarch64). Where it cannot be imported, ``grid.read_grids`` reads
through this module instead: slower, but the grids are the same — values as
calamine gives them (numbers as floats, empty cells as ""), merged ranges and
hidden sheets — so every check gives the same findings.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

from .a1 import parse_range

_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def _value(value: object) -> object:
    """A cell value as python-calamine would give it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def merged_ranges(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges of one sheet, read from its XML (read-only openpyxl does not give them)."""
    try:
        data = archive.read(member)
    except KeyError:
        return []
    return [parse_range(ref.decode()) for ref in _MERGE.findall(data)]


def read_rows(path) -> list[tuple[str, list[list[object]], list[tuple[int, int, int, int]], bool]]:
    """(name, rows, merged ranges, hidden) of every worksheet, rows starting at A1 (``path``: or the file's
    bytes as a file object)."""
    import openpyxl

    from .xlsxio import openpyxl_source, sheet_paths

    with zipfile.ZipFile(path) as archive:
        members = sheet_paths(archive)
        merges = {name: merged_ranges(archive, member) for name, member in members.items()}
    book = openpyxl.load_workbook(openpyxl_source(path), read_only=True, data_only=True, keep_links=False)
    try:
        sheets = []
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # saved dimensions may be wrong; read every row there is
            rows = [[_value(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            while rows and all(v == "" for v in rows[-1]):
                rows.pop()
            width = max((max((i + 1 for i, v in enumerate(row) if v != ""), default=0) for row in rows), default=0)
            rows = [(row + [""] * width)[:width] for row in rows]  # a rectangle, as calamine gives
            sheets.append((sheet.title, rows, merges.get(sheet.title, []), sheet.sheet_state != "visible"))
        return sheets
    finally:
        book.close()
