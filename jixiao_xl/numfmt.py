"""Which cells of a sheet are formatted as percentages, read from the workbook's XML on demand.

python-calamine gives a cell's value but not its number format, and 0.85 in a
cell formatted "0%" is what the accountant sees as 85%.  The indicator reader
asks only for the 实际完成值 cells that hold a bare number, once per form, and the
sheet is read only down to the last of them, so most workbooks never pay for this.
XML from a submission is parsed with defusedxml.
"""

from __future__ import annotations

import re
import zipfile

from .a1 import parse_a1

BUILTIN_PERCENT = frozenset({9, 10})  # "0%", "0.00%"
_QUOTED = re.compile(r'"[^"]*"|\\.')


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def is_percent_code(code: str) -> bool:
    """A format code that shows a percentage: a % outside quoted text and escapes."""
    return "%" in _QUOTED.sub("", code)


def percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """Indexes of the cell formats (cellXfs) that show numbers as percentages."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    codes: dict[int, str] = {}
    styles: set[int] = set()
    for element in root:
        name = _local(element.tag)
        if name == "numFmts":
            for fmt in element:
                try:
                    codes[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
                except ValueError:
                    continue
        elif name == "cellXfs":
            for index, xf in enumerate(element):
                try:
                    fmt_id = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                if fmt_id in BUILTIN_PERCENT or is_percent_code(codes.get(fmt_id, "")):
                    styles.add(index)
    return styles


def percent_cells(path: str, sheet: str, cells: list[tuple[int, int]]) -> set[tuple[int, int]] | None:
    """Which of ``cells`` ((row, col), 0-based) of ``sheet`` are formatted as percentages.

    Reads styles.xml and the sheet's XML up to the last row asked for; None when
    the formats cannot be read.
    """
    from defusedxml import ElementTree

    from .xlsxio import sheet_paths

    wanted = set(cells)
    last_row = max(row for row, _ in wanted) + 1  # 1-based, as in the XML
    try:
        with zipfile.ZipFile(path) as archive:
            styles = percent_styles(archive)
            if not styles:
                return set()
            member = sheet_paths(archive).get(sheet)
            if member is None:
                return None
            found = set()
            with archive.open(member) as stream:
                for _, element in ElementTree.iterparse(stream):
                    tag = _local(element.tag)
                    if tag == "c":
                        style, ref = element.get("s"), element.get("r")
                        if style is not None and style.isdigit() and int(style) in styles and ref:
                            cell = parse_a1(ref)
                            if cell in wanted:
                                found.add(cell)
                    elif tag == "row":
                        done = int(element.get("r") or 0) >= last_row
                        element.clear()
                        if done:
                            break
            return found
    except Exception:  # noqa: BLE001 - a format we cannot read is simply not known
        return None
