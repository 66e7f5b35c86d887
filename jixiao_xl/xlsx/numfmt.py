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


def _xf_formats(archive: zipfile.ZipFile) -> list[tuple[int | None, str | None]]:
    """Each cell format (cellXfs, by index) as its number format's id and code (None where not known): the one
    reading of styles.xml (xlsxio.parse_xml: no DTD, no entity) that the percentage cells and the rate cells'
    formats build on."""
    from .xlsxio import parse_xml

    try:
        data = archive.read("xl/styles.xml")
    except KeyError:
        return []
    root = parse_xml(data)
    codes: dict[int, str] = {}
    ids: list[int | None] = []
    for element in root:
        name = _local(element.tag)
        if name == "numFmts":
            for fmt in element:
                try:
                    codes[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
                except ValueError:
                    continue
        elif name == "cellXfs":
            for xf in element:
                try:
                    ids.append(int(xf.get("numFmtId", "0")))
                except ValueError:
                    ids.append(None)
    return [(i, None if i is None else codes.get(i, BUILTIN_CODES.get(i))) for i in ids]


class WorkbookStyles:
    """A workbook's cell formats, read from its styles.xml when first asked and kept: the sheets of one workbook
    share one (``Grid.styles``), so styles.xml is parsed once however many forms ask for formats."""

    __slots__ = ("_error", "_xfs")

    def __init__(self):
        self._xfs: list[tuple[int | None, str | None]] | None = None
        self._error: Exception | None = None

    def xfs(self, archive: zipfile.ZipFile) -> list[tuple[int | None, str | None]]:
        if self._error is not None:  # a styles.xml that cannot be read is not read again
            raise self._error
        if self._xfs is None:
            try:
                self._xfs = _xf_formats(archive)
            except Exception as exc:  # the callers say the formats are not known
                self._error = exc
                raise
        return self._xfs


def percent_styles(archive: zipfile.ZipFile, styles: WorkbookStyles | None = None) -> set[int]:
    """Indexes of the cell formats (cellXfs) that show numbers as percentages."""
    xfs = (styles or WorkbookStyles()).xfs(archive)
    return {index for index, (fmt_id, code) in enumerate(xfs) if fmt_id in BUILTIN_PERCENT or is_percent_code(code or "")}


def percent_cells(path: str, sheet: str, cells: list[tuple[int, int]], kind: str = "xlsx",
                  styles: WorkbookStyles | None = None) -> set[tuple[int, int]] | None:
    """Which of ``cells`` ((row, col), 0-based) of ``sheet`` are formatted as percentages.

    Reads styles.xml (once for all the sheets sharing ``styles``) and the sheet's XML up to the last row
    asked for (an .xls: its FORMAT and XF records, through xlrd); None when the formats cannot be read (an .xlsb).
    """
    if kind == "xls":
        return xls_percent_cells(path, sheet, cells)
    if kind != "xlsx":
        return None
    from defusedxml import ElementTree

    from .xlsxio import sheet_paths

    wanted = set(cells)
    last_row = max(row for row, _ in wanted) + 1  # 1-based, as in the XML
    try:
        with zipfile.ZipFile(path) as archive:
            percents = percent_styles(archive, styles)
            if not percents:
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
                        if style is not None and style.isdigit() and int(style) in percents and ref:
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


# the built-in number formats a number may show with (ids without a numFmt element); dates and others unknown
BUILTIN_CODES = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
                 37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
                 40: "#,##0.00_);[Red](#,##0.00)", 49: "@"}
_NOT_SHOWN = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')  # quoted text, escapes, spacing, fills, [colours]


def shown_places(code: str | None) -> tuple[bool, int, int] | None:
    """How a positive number looks in a cell of format ``code``: (a percentage?, the fewest and the most decimals
    it shows) — "0.00%" → (True, 2, 2), "0.0#" → (False, 1, 2), "#,##0" → (False, 0, 0).  None when the format
    does not fix them: General (as typed), text, dates and times, scientific notation, or no format known."""
    if not code:
        return None
    section = _NOT_SHOWN.sub("", code).split(";", 1)[0]
    plain = section.strip().lower()
    if not plain or plain == "general" or "@" in plain or re.search(r"[ymdhse]", plain) or "/" in plain:
        return None
    if not re.search(r"[0#?]", section):
        return None
    decimals = re.search(r"\.([0#?]*)", section)
    places = decimals.group(1) if decimals else ""
    return "%" in section, sum(c in "0?" for c in places), len(places)


def cell_formats(path: str, wanted: dict[str, list[tuple[int, int]]], kind: str = "xlsx",
                 styles: WorkbookStyles | None = None) -> dict[str, dict[tuple[int, int], str]] | None:
    """The number format code of each wanted cell ({sheet: [(row, col) 0-based]}; "General" for the default
    format); None when the formats cannot be read (an .ods or .xlsb, a broken part).  An .xlsx is read once:
    styles.xml (unless ``styles`` has it already), then each sheet's XML only down to the last row asked for;
    an .xls through xlrd."""
    wanted = {sheet: cells for sheet, cells in wanted.items() if cells}
    if not wanted:
        return {}
    if kind == "xls":
        found = number_formats(path, kind, {sheet: set(cells) for sheet, cells in wanted.items()})
        if not found:
            return None
        return {sheet: {c: found.get(sheet, {}).get(c, "General") for c in cells} for sheet, cells in wanted.items()}
    if kind != "xlsx":
        return None
    from .xlsxio import sheet_paths

    try:
        with zipfile.ZipFile(path) as archive:
            codes = xf_codes(archive, styles)
            members = sheet_paths(archive)
            out = {}
            for sheet, cells in wanted.items():
                if sheet in members:
                    with archive.open(members[sheet]) as stream:
                        styles = _cell_styles(stream, set(cells))
                    out[sheet] = {cell: codes[s] for cell, s in styles.items() if s < len(codes) and codes[s]}
            return out
    except Exception:  # noqa: BLE001 - a format we cannot read is simply not known
        return None


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)\s([^>]*)>")
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z0-9]+)["']""")
_ATTR_S = re.compile(rb"""(?:^|\s)s\s*=\s*["']([0-9]+)["']""")


def _cell_styles(stream, cells: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The style index (s, 0 when absent) of each of ``cells`` in a sheet's XML, read in chunks only as far as
    the last row asked for: a byte search for the <c> and <row> tags, not a parse of every element (the values
    were parsed already)."""
    last = max(row for row, _ in cells) + 1  # 1-based, as in the XML
    found: dict[tuple[int, int], int] = {}
    buffer, done = b"", False
    while not done and len(found) < len(cells):
        chunk = stream.read(1 << 14)
        done = not chunk
        buffer += chunk
        end = len(buffer) if done else buffer.rfind(b"<")  # a tag cut at the chunk's end waits for the next
        if end <= 0:
            continue
        for match in _CELL_TAG.finditer(buffer, 0, end):
            ref = _ATTR_R.search(match.group(2))
            if ref is None:
                continue
            if match.group(1) == b"row":
                if ref.group(1).isdigit() and int(ref.group(1)) > last:
                    return found
                continue
            cell = parse_a1(ref.group(1).decode("ascii"))
            if cell in cells:
                style = _ATTR_S.search(match.group(2))
                found[cell] = int(style.group(1)) if style else 0
        buffer = buffer[end:]
    return found


def xf_codes(archive: zipfile.ZipFile, styles: WorkbookStyles | None = None) -> list[str | None]:
    """The number format code of each cell format (cellXfs), by index; None where it is not known."""
    return [code for _, code in (styles or WorkbookStyles()).xfs(archive)] or ["General"]


def number_formats(path: str, kind: str, wanted: dict[str, set[tuple[int, int]]]) -> dict[str, dict[tuple[int, int], str]]:
    """The number format code of each wanted cell ({sheet: {(row, col) 0-based}}) that has one other than
    General: "0%", "0.00", "yyyy年m月d日", "@" ….  An .xlsx through openpyxl (read-only, only down to the last
    row asked for), an .xls through xlrd; nothing for a format that cannot be read (an .ods or .xlsb keeps
    only what the values say)."""
    try:
        if kind == "xlsx":
            return _xlsx_formats(path, wanted)
        if kind == "xls":
            return _xls_formats(path, wanted)
    except Exception:  # noqa: BLE001 - a format we cannot read is simply not known
        pass
    return {}


def _xlsx_formats(path: str, wanted: dict[str, set[tuple[int, int]]]) -> dict[str, dict[tuple[int, int], str]]:
    import warnings

    from openpyxl import load_workbook

    from .xlsxio import openpyxl_source

    found: dict[str, dict[tuple[int, int], str]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's warnings on parts it does not know are not the user's
        book = load_workbook(openpyxl_source(path), read_only=True, data_only=True)
    try:
        for sheet, cells in wanted.items():
            if sheet not in book.sheetnames or not cells:
                continue
            ws = book[sheet]
            rows: dict[int, set[int]] = {}
            for row, col in cells:
                rows.setdefault(row, set()).add(col)
            codes = found.setdefault(sheet, {})
            for row in ws.iter_rows(min_row=1, max_row=max(rows) + 1):
                for cell in row:
                    r, col = getattr(cell, "row", None), getattr(cell, "column", None)
                    if r is None or col is None or col - 1 not in rows.get(r - 1, ()):
                        continue
                    code = cell.number_format
                    if code and code != "General":
                        codes[(r - 1, col - 1)] = code
    finally:
        book.close()
    return found


def _xls_formats(path: str, wanted: dict[str, set[tuple[int, int]]]) -> dict[str, dict[tuple[int, int], str]]:
    import xlrd

    with open(path, "rb") as handle:  # read here: the name may not be UTF-8
        data = handle.read()
    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=_Null())
    found: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for sheet, cells in wanted.items():
            if sheet not in book.sheet_names():
                continue
            ws = book.sheet_by_name(sheet)
            codes = found.setdefault(sheet, {})
            for row, col in cells:
                if row >= ws.nrows or col >= ws.ncols:
                    continue
                xf = book.xf_list[ws.cell_xf_index(row, col)]
                fmt = book.format_map.get(xf.format_key)
                code = fmt.format_str if fmt is not None else ""
                if code and code != "General":
                    codes[(row, col)] = code
    finally:
        book.release_resources()
    return found


# ------------------------------------------------------------------ .xls (BIFF8)


def xls_percent_cells(path: str, sheet: str, cells: list[tuple[int, int]]) -> set[tuple[int, int]] | None:
    """Percentage cells of an .xls/.et sheet: each cell's XF record names its FORMAT (built-in 9 and 10 are
    "0%" and "0.00%").  xlrd parses the BIFF records (only the sheet asked for); None without xlrd or when
    the file cannot be parsed."""
    try:
        import xlrd
    except ImportError:
        return None
    try:
        with open(path, "rb") as handle:  # read here: the name may not be UTF-8
            data = handle.read()
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=_Null())
        try:
            ws = book.sheet_by_name(sheet)
            found = set()
            for row, col in cells:
                if row >= ws.nrows or col >= ws.ncols:
                    continue
                xf = book.xf_list[ws.cell_xf_index(row, col)]
                fmt = book.format_map.get(xf.format_key)
                if xf.format_key in BUILTIN_PERCENT or (fmt is not None and is_percent_code(fmt.format_str or "")):
                    found.add((row, col))
            return found
        finally:
            book.release_resources()
    except Exception:  # noqa: BLE001 - a format we cannot read is simply not known
        return None


class _Null:
    def write(self, *_):
        pass


# ------------------------------------------------------------------ .ods


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T = f"{{{_TABLE}}}"
_VALUE_TYPE = f"{{{_OFFICE}}}value-type"
MAX_REPEAT = 10_000  # cells a repeated cell or row with content stands for, at most (a sheet's blank tail is long)


def ods_layout(path: str) -> dict[str, tuple[list[tuple[int, int, int, int]], set[tuple[int, int]]]]:
    """Per sheet of an .ods: its merged ranges (inclusive, 0-based) and the cells holding a percentage
    (office:value-type="percentage", what a "0%" style gives a number), from content.xml (defusedxml)."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("content.xml")
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:  # the reader names the part (grid.broken_reason)
        raise ValueError("content.xml declares a DTD")
    if _STANDARD_PREFIXES.issubset(re.findall(rb'xmlns:(table|office)="([^"]*)"', head)):
        return _ods_scan(data)
    return _ods_parse(data)


_STANDARD_PREFIXES = {(b"table", _TABLE.encode()), (b"office", _OFFICE.encode())}
_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
                  rb"((?:[^>\"']+|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(rb"""([\w.-]+:[\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")



def _note_cell(col: int, repeat: int, span_c: int, span_r: int, percent: bool, row_merges: list,
               row_percents: list) -> None:
    """One .ods cell (repeated ``repeat`` times from ``col``): its merge and whether it is a percentage."""
    if span_c > 1 or span_r > 1 or percent:
        for k in range(min(repeat, MAX_REPEAT)):
            if span_c > 1 or span_r > 1:
                row_merges.append((col + k, span_r - 1, col + k + span_c - 1))
            if percent:
                row_percents.append(col + k)

def _ods_scan(data: bytes) -> dict[str, tuple[list, set]]:
    """ods_layout from the tags of content.xml found by a byte search, when the file binds the usual prefixes
    (table:, office:) to their namespaces, as LibreOffice, WPS and Excel write it: five times faster than
    parsing every element (paragraphs, spans) of the document."""
    from xml.sax.saxutils import unescape

    layout: dict[str, tuple[list, set]] = {}
    depth = row = col = 0
    name = ""
    merged: list = []
    percents: set = set()
    row_merges: list = []
    row_percents: list = []
    for hit in _TAG.finditer(data):
        closing, local, rest = hit.group(1), hit.group(2), hit.group(3)
        if depth == 1 and not closing and local[-4:] == b"cell" and b"number-" not in rest \
                and b"percentage" not in rest:
            col += 1  # a plain cell (most of them): not repeated, not merged, no percentage
            continue
        empty = rest.endswith(b"/")
        # attributes looked up by a byte search where they are written as usual (name="value"), else parsed
        attrs = _QuickAttrs(rest) if not closing and b"'" not in rest else \
            {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(rest)}
        if local == b"table":
            if closing:
                depth -= 1
                if depth == 0:
                    layout[name] = (merged, percents)
            else:
                depth += 1
                if depth == 1:
                    name = unescape(attrs.get(b"table:name", b"").decode("utf-8"), {"&quot;": '"', "&apos;": "'"})
                    row, merged, percents = 0, [], set()
                if empty:
                    depth -= 1
                    if depth == 0:
                        layout[name] = (merged, percents)
            continue
        if depth != 1:
            continue
        if local == b"table-row":
            if not closing:
                col, row_merges, row_percents = 0, [], []
                repeat_attr = attrs.get(b"table:number-rows-repeated")
            if closing or empty:
                repeat = _repeat(repeat_attr)
                if row_merges or row_percents:
                    for k in range(min(repeat, MAX_REPEAT)):
                        merged.extend((row + k, c0, row + k + r, c1) for c0, r, c1 in row_merges)
                        percents.update((row + k, c) for c in row_percents)
                row += repeat
        elif not closing:  # a cell's start tag carries everything
            repeat = _repeat(_text(attrs.get(b"table:number-columns-repeated")))
            if local == b"table-cell":
                span_c = _repeat(_text(attrs.get(b"table:number-columns-spanned")))
                span_r = _repeat(_text(attrs.get(b"table:number-rows-spanned")))
                percent = attrs.get(b"office:value-type") == b"percentage"
                _note_cell(col, repeat, span_c, span_r, percent, row_merges, row_percents)
            col += repeat
    return layout


class _QuickAttrs:
    """The attributes of a start tag written name="value" (no space around "="), looked up by a byte search."""

    __slots__ = ("rest",)

    def __init__(self, rest: bytes):
        self.rest = rest

    def get(self, name: bytes, default=None):
        at = self.rest.find(b" " + name + b'="')
        if at < 0:
            at = self._loose(name)
            if at is None:
                return default
            return at
        start = at + len(name) + 3
        return self.rest[start:self.rest.find(b'"', start)]

    def _loose(self, name: bytes):
        """Other white space or spacing around "=": the general parse."""
        if name not in self.rest:
            return None
        for m in _ATTR.finditer(self.rest):
            if m.group(1) == name:
                return m.group(2) if m.group(2) is not None else m.group(3)
        return None


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("ascii", "replace")


def _ods_parse(data: bytes) -> dict[str, tuple[list, set]]:
    """ods_layout by parsing content.xml (defusedxml), for a file binding other prefixes."""
    import io

    from defusedxml import ElementTree

    layout: dict[str, tuple[list, set]] = {}
    with io.BytesIO(data) as stream:
        name = None
        depth = 0  # tables inside a table (sub-tables) are not sheets: ignored
        row = col = 0
        merged: list = []
        percents: set = set()
        row_merges: list = []
        row_percents: list = []
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag
            if not tag.startswith(_T):
                if event == "end" and depth == 0:
                    element.clear()
                continue
            local = tag[len(_T):]
            if local == "table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        name = element.get(_T + "name") or ""
                        row, merged, percents = 0, [], set()
                else:
                    depth -= 1
                    if depth == 0:
                        layout[name] = (merged, percents)
                        element.clear()
                continue
            if depth != 1:
                continue
            if local == "table-row":
                if event == "start":
                    col, row_merges, row_percents = 0, [], []
                else:
                    repeat = _repeat(element.get(_T + "number-rows-repeated"))
                    if row_merges or row_percents:
                        for k in range(min(repeat, MAX_REPEAT)):
                            merged.extend((row + k, c0, row + k + r, c1) for c0, r, c1 in row_merges)
                            percents.update((row + k, c) for c in row_percents)
                    row += repeat
                    element.clear()
            elif local in ("table-cell", "covered-table-cell") and event == "end":
                repeat = _repeat(element.get(_T + "number-columns-repeated"))
                if local == "table-cell":
                    span_c = _repeat(element.get(_T + "number-columns-spanned"))
                    span_r = _repeat(element.get(_T + "number-rows-spanned"))
                    percent = element.get(_VALUE_TYPE) == "percentage"
                    _note_cell(col, repeat, span_c, span_r, percent, row_merges, row_percents)
                col += repeat
                element.clear()
    return layout


def _repeat(value) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1
