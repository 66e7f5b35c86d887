"""Which cells of a sheet are formatted as percentages, read from the workbook's XML on demand.

python-calamine gives a cell's value but not its number format, and 0.85 in a
cell formatted "0%" is what the accountant sees as 85%.  The indicator reader
asks only for 实际完成值 cells that hold a bare number, so most workbooks never
pay for this.  XML from a submission is parsed with defusedxml.
"""

from __future__ import annotations

import re
import zipfile

from .grid import parse_a1

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


def percent_cells(path: str, sheet: str) -> set[tuple[int, int]]:
    """(row, col), 0-based, of the cells of ``sheet`` formatted as percentages; empty when unknown."""
    from defusedxml import ElementTree

    from .xlsxio import sheet_paths

    try:
        with zipfile.ZipFile(path) as archive:
            styles = percent_styles(archive)
            if not styles:
                return set()
            member = sheet_paths(archive).get(sheet)
            if member is None:
                return set()
            found = set()
            with archive.open(member) as stream:
                for _, element in ElementTree.iterparse(stream):
                    if _local(element.tag) == "c":
                        style = element.get("s")
                        if style is not None and style.isdigit() and int(style) in styles and element.get("r"):
                            found.add(parse_a1(element.get("r")))
                    elif _local(element.tag) == "row":
                        element.clear()
            return found
    except Exception:  # noqa: BLE001 - a format we cannot read is simply not known
        return set()
