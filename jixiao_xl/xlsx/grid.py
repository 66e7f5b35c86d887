"""A sheet as a plain grid of values, and the ways to get one.

The reader of forms works on grids only, so the same code serves a file read
with python-calamine (fast, here), the in-memory tables of the tests, and the
bulk ``range.value`` that the Excel layer (``xl.py``) reads through xlwings.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from .a1 import a1, col_letter, parse_a1, parse_range  # noqa: F401 (the grid's API)
from ..problems import Refused, cause
from .textformula import solve_text_formulas

# Limits that keep a hostile file from exhausting memory.
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # bytes of XML a workbook may unpack to
MAX_RATIO = 200  # uncompressed / compressed of one member
MAX_MERGE_INDEX = 100_000  # rows covered by merged ranges that merge_at indexes (more: it scans them all)
MAX_COVER_SCAN = 2_000_000  # cells under merged ranges looked at for hidden values (overlapping ranges repeat)


@dataclass
class Grid:
    """One sheet: values by 0-based (row, col); merged ranges inclusive."""

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False
    merges_known: bool = True  # False for values read through Office.js, which sends no merges
    uncached: list[str] = field(default_factory=list)  # A1 of formulas saved without a result
    formulas: dict[str, str] = field(default_factory=dict)  # A1 -> formula text, for those without a result
    formula_cells: set[str] = field(default_factory=set)  # A1 of every cell holding a formula (.xlsx)
    path: str | None = None  # the file it was read from, for the number formats asked for on demand
    kind: str = "xlsx"  # the file's format (workbook_kind): how its number formats are read
    percents: set[tuple[int, int]] | None = None  # the percentage cells, when read with the values (.ods)
    far_cells: list[str] = field(default_factory=list)  # A1 of cells far outside any form, left unread (.xlsx)
    # values a merged range hides (not its top-left cell), blanked as Excel and WPS show the range: (A1 of the
    # cell, its value, A1 of the range) — ``hide_covered``
    covered: list[tuple[str, object, str]] = field(default_factory=list)
    # the workbook's cell formats, read on the first ask and shared by its sheets (numfmt.WorkbookStyles)
    styles: object | None = field(default=None, compare=False, repr=False)

    def percent_flags(self, cells: list[tuple[int, int]]) -> dict[tuple[int, int], bool | None]:
        """Whether each cell is formatted as a percentage; None for all when the format is not known."""
        if self.percents is not None:
            return {cell: cell in self.percents for cell in cells}
        if self.path is None:
            return {cell: None for cell in cells}
        from .numfmt import percent_cells

        found = percent_cells(self.path, self.name, cells, self.kind, self.styles)
        if found is None:
            return {cell: None for cell in cells}
        return {cell: cell in found for cell in cells}

    @property
    def height(self) -> int:
        return len(self.rows)

    def get(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows):
            cells = self.rows[row]
            if 0 <= col < len(cells):
                value = cells[col]
                return None if value == "" else value
        return None

    def row_values(self, row: int) -> list[object]:
        if 0 <= row < len(self.rows):
            return [None if v == "" else v for v in self.rows[row]]
        return []

    def merge_at(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        for rng in self._merges_of(row):
            if rng[0] <= row <= rng[2] and rng[1] <= col <= rng[3]:
                return rng
        return None

    def _merges_of(self, row: int) -> list[tuple[int, int, int, int]]:
        """The merged ranges that may cover a row, in ``merged`` order (indexed by row on first use;
        all of them when the ranges span too many rows to index)."""
        kept = self.__dict__.get("_merge_rows")
        if kept is None or kept[0] is not self.merged or kept[1] != len(self.merged):
            rows: dict[int, list] | None = {}
            if sum(rng[2] - rng[0] + 1 for rng in self.merged) > MAX_MERGE_INDEX:
                rows = None
            else:
                for rng in self.merged:
                    for r in range(rng[0], rng[2] + 1):
                        rows.setdefault(r, []).append(rng)
            kept = self.__dict__["_merge_rows"] = (self.merged, len(self.merged), rows)
        return self.merged if kept[2] is None else kept[2].get(row, ())


def hide_covered(grid: Grid) -> None:
    """Blank the cells a merged range covers, all but its top-left one, and keep what they held in
    ``grid.covered``.  Excel and WPS show a merged range as its top-left cell only (Excel discards the other
    cells' values when a user merges), but a program (openpyxl, LibreOffice keeping "hidden contents") may
    leave values under a merge: nobody sees them, so they are not read as the form's (S008 names them)."""
    rows, budget, covered = grid.rows, MAX_COVER_SCAN, []
    height = len(rows)
    for rng in grid.merged:
        r0, c0, r1, c1 = rng
        last = r1 if r1 < height else height - 1
        for r in range(r0, last + 1):
            row = rows[r]
            start = c0 + 1 if r == r0 else c0
            end = c1 if c1 < len(row) else len(row) - 1
            if end < start:
                continue
            budget -= end - start + 1
            if budget < 0:  # overlapping ranges over a whole sheet (no application writes them): enough looked at
                grid.covered = covered
                return
            part = row[start:end + 1]
            if part.count(None) + part.count("") == len(part):  # nearly always: nothing under the merge
                continue
            for c in range(start, end + 1):
                value = row[c]
                if value is None or value == "":
                    continue
                row[c] = ""
                if not (isinstance(value, str) and not value.strip()):  # a blank text hides nothing
                    covered.append((a1(r, c), value, f"{a1(r0, c0)}:{a1(r1, c1)}"))
    grid.covered = covered


class UnreadableWorkbook(Refused):
    """A file that cannot be read as a workbook: a catalogued reason (problems.py), its text for people."""


KINDS = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods", "xlsb": ".xlsb"}  # what workbook_kind tells apart
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
BROKEN_OLE2 = "文件已损坏或不完整，无法读取，请重新保存后再提交"
_BOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))  # BIFF8 and BIFF5 workbook streams
_OTHER_STREAMS = tuple(n.encode("utf-16-le") for n in ("WordDocument", "PowerPoint Document", "VisioDocument"))


def ole2_workbook(head: bytes) -> bool:
    """Whether the first megabyte of an OLE2 file names a workbook stream (the directory usually lies there)
    and no Word/PowerPoint/Visio one: a .doc's text or fonts ("Book Antiqua") may hold "Book" too."""
    return any(name in head for name in _BOOK_STREAMS) and not any(name in head for name in _OTHER_STREAMS)


_BOOK_ENTRIES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb")


def _zip_kind(archive: zipfile.ZipFile) -> str:
    """The workbook a zip holds ("xlsx", "xlsb", "ods"), after rejecting bombs."""
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if "xl/workbook.xml" in names:
        kind = "xlsx"
    elif "xl/workbook.bin" in names:
        kind = "xlsb"
    elif "mimetype" in names and "content.xml" in names and archive.getinfo("mimetype").file_size < 256 \
            and archive.read("mimetype").strip() == ODS_MIMETYPE:
        kind = "ods"
    elif "word/document.xml" in names:
        raise UnreadableWorkbook("U005", text="这是 Word 文档（.docx），不是 Excel 工作簿（扩展名可能被改过）")
    elif "ppt/presentation.xml" in names:
        raise UnreadableWorkbook("U005", text="这是 PowerPoint 演示文稿，不是 Excel 工作簿（扩展名可能被改过）")
    else:
        books = [info for info in infos if info.filename.lower().endswith(_BOOK_ENTRIES)]
        if books:  # a zip of submissions given where one workbook was expected
            from .files import entry_name

            first = entry_name(books[0]).rsplit("/", 1)[-1]
            raise UnreadableWorkbook("U005", text=f"这是压缩包，内有 {len(books)} 个工作簿（如“{first}”），"
                                                  "不是单个工作簿；请用 jixiao-xl batch 校验（会自动解压），或先解压")
        raise UnreadableWorkbook("U005", text="压缩包里没有工作簿内容，不是 Excel 工作簿文件")
    total = 0
    for info in infos:
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 << 20:
            raise UnreadableWorkbook("U004", text=f"文件内容异常（{info.filename} 解压后过大），疑似压缩炸弹，已拒绝读取")
    if total > MAX_UNCOMPRESSED:
        raise UnreadableWorkbook("U004")
    return kind


def _sniff(path: str) -> tuple[str, zipfile.ZipFile | None]:
    """The workbook's format by its content, not its name: "xlsx" (also .xlsm, and an .et saved as one),
    "xls" (an OLE2 container with a workbook stream: .xls, .et), "ods" or "xlsb"; with the open zip of a zip
    format (the caller closes it).  Raises UnreadableWorkbook for everything else."""
    from .files import OLE2, FileProblem, encrypted, head_of

    try:
        head = head_of(path, "工作簿", 8)
        if head.startswith(OLE2):
            head = head_of(path, "工作簿")  # the first megabyte holds the container's directory
    except FileProblem as exc:
        raise UnreadableWorkbook.like(exc) from None
    if head.startswith(OLE2):
        if encrypted(head):
            raise UnreadableWorkbook("U001")
        # the header of a compound file: the full signature, and 512- or 4096-byte sectors
        if len(head) < 512 or head[:8] != OLE2 + b"\xa1\xb1\x1a\xe1" or head[30:32] not in (b"\x09\x00", b"\x0c\x00"):
            raise UnreadableWorkbook("U002", text=BROKEN_OLE2)
        if not any(name in head for name in _BOOK_STREAMS) and any(name in head for name in _OTHER_STREAMS):
            raise UnreadableWorkbook("U005", text="不是 Excel 工作簿文件（是 Word 或 PowerPoint 等其他 Office 文件）")
        return "xls", None
    if not head.startswith(b"PK"):
        from .files import is_lock_file, lock_file_note

        if is_lock_file(path):  # "~$汇总.xlsx": the owner file of a workbook open elsewhere
            raise UnreadableWorkbook("U006", text=lock_file_note(path))
        from .files import other_kind

        kind = other_kind(path, head)
        if kind:  # a PDF, a scan, a CSV export …: said what it is
            advice = "；请提交 Excel 或 WPS 工作簿原件" if "CSV" in kind else ""
            raise UnreadableWorkbook("U005", text=f"这是{kind}，不是 Excel 工作簿{advice}")
        raise UnreadableWorkbook("U005")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError):  # incl. unknown zip versions
        raise UnreadableWorkbook("U002", text="文件已损坏（压缩包不完整），请重新保存后再提交") from None
    try:
        return _zip_kind(archive), archive
    except BaseException:
        archive.close()
        raise


def workbook_kind(path: str) -> str:
    """``_sniff`` without the open zip."""
    kind, archive = _sniff(path)
    if archive is not None:
        archive.close()
    return kind


def _open(path: str) -> zipfile.ZipFile:
    """Open an .xlsx as a zip after rejecting what is not one, or is a bomb; the caller closes it."""
    kind, archive = _sniff(path)
    if kind != "xlsx":
        if archive is not None:
            archive.close()
        raise UnreadableWorkbook("U013", kind=KINDS[kind])
    return archive


def declares_entities(path: str) -> str | None:
    """The XML part that declares a DTD or entities (an XML bomb), if any."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as member:
                        head = member.read(4096)
                    if b"<!ENTITY" in head or b"<!DOCTYPE" in head:
                        return info.filename
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):  # damaged
        return None
    return None


def broken(path: str, detail: str) -> UnreadableWorkbook:
    """Why a file that opened as a zip could not be parsed: entities declared (U003), else damaged (U002)."""
    part = declares_entities(path)
    if part:
        return UnreadableWorkbook("U003", part=part)
    return UnreadableWorkbook("U002", detail=detail)


_FORMULA_TOKENS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_ERROR_TOKENS = (b'"e"', b"'e'")
# Every token above is a "f" followed by one of " >/" after "<" or ":", or an "e" between two equal quotes
# (XML allows any white space after a tag's name, so "f" followed by white space counts as well).
# A search for a one-byte literal ("f", "e") followed by a class runs at memory speed; the eight token
# searches took ten times longer.  Each hit is then looked at byte by byte.
_F_HIT = re.compile(rb"f[\s>/]")
_E_HIT = re.compile(rb"e[\"']")


def _has_tokens(data: bytes) -> bool:
    """Whether a sheet part holds one of the tokens (a byte test, no parsing)."""
    return _has_formula_tokens(data) or _has_error_tokens(data)


def _has_formula_tokens(data: bytes) -> bool:
    for hit in _F_HIT.finditer(data):
        at = hit.start()
        if at and data[at - 1] in b"<:":
            return True
    return False


def _has_error_tokens(data: bytes) -> bool:
    for hit in _E_HIT.finditer(data):
        at = hit.start()
        if at and data[at - 1] == data[at + 1]:  # "e" or 'e'
            return True
    return False


# The end of a formula (</f>, or <f .../> for a shared one), and what follows a formula with its result: its
# <v> (same prefix) holding some text.  A cell's children come in the order f, v, is (ECMA-376 CT_Cell), and
# "<" cannot occur in text, so a formula whose end is followed by such a <v> has its result.
# A text formula's result may be empty (<v/> in a cell of t="str").
_F_END = re.compile(rb"</([\w.-]+:)?f>|<([\w.-]+:)?f\b[^>]*/>")
_F_START = re.compile(rb"<([\w.-]+:)?f[\s>/]")  # a formula's start tag (or empty tag)
_F_START_PLAIN = re.compile(rb"<f[\s>/]")
_V_TEXT = re.compile(rb"\s*<([\w.-]+:)?v>[^<]")
_V_EMPTY = re.compile(rb"\s*<([\w.-]+:)?v\s*/>")
_V_PAIR = re.compile(rb"\s*<([\w.-]+:)?v></([\w.-]+:)?v>")
_STR_CELL = re.compile(rb"<([\w.-]+:)?c\s[^>]*?(?<=\s)t\s*=\s*([\"'])str\2[^>]*>\s*")


def _formulas_cached(data: bytes) -> bool:
    """Whether every formula of a sheet part is followed by its result (a byte test): Excel saves every
    formula's result, so a workbook saved by Excel or WPS is not parsed for uncached formulas at all.
    Every formula start must be matched by an end found here (a tag spaced otherwise, as in "</f >", or
    with a ">" in an attribute value, is not found: such a part is parsed)."""
    if b":f" in data:  # formulas with a namespace prefix (or the text ":f"): the general scan
        ends = 0
        for hit in _F_END.finditer(data):
            closing = hit.group(0).startswith(b"</")
            if not _result_follows(data, hit.start(), hit.end(), hit.group(1) if closing else hit.group(2)):
                return False
            ends += 1
        return ends == len(_F_START.findall(data))
    # without prefixes, byte searches: </f> ends a formula with a text, <f/> and <f .../> are empty ones
    ends = 0
    for token in (b"</f>", b"<f/>"):
        at = data.find(token)
        while at >= 0:
            end = at + len(token)
            if not (data.startswith(b"<v>", end) and data[end + 3:end + 4] not in b"<") \
                    and not _result_follows(data, at, end, None):
                return False
            ends += 1
            at = data.find(token, end)
    at = data.find(b"<f ")
    while at >= 0:
        end = data.find(b">", at) + 1
        if end == 0:
            return False
        if data[end - 2:end] == b"/>":
            if not _result_follows(data, at, end, None):
                return False
            ends += 1
        at = data.find(b"<f ", end)
    return ends == len(_F_START_PLAIN.findall(data))  # a start as "<f\n" is not found by the searches above


def _result_follows(data: bytes, at: int, end: int, prefix: bytes | None) -> bool:
    """Whether the formula whose end tag (or empty tag) spans data[at:end] is followed by its result."""
    value = _V_TEXT.match(data, end)
    if value is not None and value.group(1) == prefix:
        return True
    empty = _V_EMPTY.match(data, end)
    pair = _V_PAIR.match(data, end) if empty is None else None
    if not ((empty is not None and empty.group(1) == prefix)
            or (pair is not None and pair.group(1) == prefix and pair.group(2) == prefix)):
        return False
    # an empty result is a result in a text cell only; as "<" cannot occur in a formula's text, the
    # "<" before </f> opens the formula, and the one before the formula opens its cell
    start = data.rfind(b"<", 0, at) if data.startswith(b"</", at) else at
    cell = data.rfind(b"<", 0, start)
    tag = _STR_CELL.fullmatch(data, cell, start) if cell >= 0 else None
    return tag is not None and tag.group(1) == prefix


# a cell whose first child is a formula: <c r="D12" s="5"><f>...</f>
_FORMULA_CELL = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>/]*>\s*<f[\s>/]')


def formula_addresses(data: bytes) -> set[str]:
    """A1 of the cells of a sheet part that hold a formula (a byte scan; prefixed tags are not seen)."""
    if not _has_formula_tokens(data):
        return set()
    return {m.group(1).decode("ascii") for m in _FORMULA_CELL.finditer(data)}


def _sheet_issues(data: bytes) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Formulas without a result (and their text) and error values of one sheet part, parsed with defusedxml."""
    from .xlsxio import parse_xml

    root = parse_xml(data)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    f_tag, v_tag = f"{ns}f", f"{ns}v"
    uncached, errors, texts = [], {}, {}
    for c in root.iter(f"{ns}c"):
        address = c.get("r")
        if not address:
            continue
        kind = c.get("t")
        formula = c.find(f_tag)
        value = c.find(v_tag)
        if kind == "e":
            errors[address] = ((value.text or "").strip() or "#ERROR") if value is not None else "#ERROR"
        elif formula is not None and (value is None or (not value.text and kind != "str")):
            uncached.append(address)
            if formula.text:
                texts[address] = formula.text
    return uncached, errors, texts


_SHEET_PATHS: dict[tuple[bytes, bytes], dict[str, str]] = {}  # the parts that map names to paths -> the map


def _sheet_paths(archive: zipfile.ZipFile, parse) -> dict[str, str]:
    """``sheet_paths`` of a workbook, remembered by the bytes of the two parts it reads: submissions made
    from one template share them, and parsing them is a fifth of the pre-scan."""
    try:
        sizes = [archive.getinfo(name).file_size for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")]
    except KeyError:
        return parse(archive)
    if max(sizes) > 1 << 16:
        return parse(archive)
    key = (archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels"))
    paths = _SHEET_PATHS.get(key)
    if paths is None:
        paths = parse(archive)
        if len(_SHEET_PATHS) >= 64:
            _SHEET_PATHS.clear()
        _SHEET_PATHS[key] = paths
    return dict(paths)


# A sheet's cells are read into a dense grid (calamine's, then Python's): one stray value at XFD1048576 would
# ask for 17 billion cells (calamine aborts the process asking for 512 GiB).  Cells beyond these are not read.
FAR_ROW = 50_000  # rows
FAR_COL = 104  # columns: A … CZ
_FAR_COLUMN = re.compile(rb' r="(?:[D-Z][A-Z]|[A-Z]{3})[0-9]')  # a cell beyond column CZ
_LAST_ROW = re.compile(rb'<row[^>]*?\sr="([0-9]+)"')
_CELL_ELEMENT = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?:/>|>.*?</c>)', re.S)
_DIMENSION = re.compile(rb'<dimension\s[^>]*?/>')


def _far(data: bytes) -> bool:
    """Whether a sheet part holds a cell beyond FAR_ROW or FAR_COL (a byte scan: rows are written in order)."""
    if _FAR_COLUMN.search(data):
        return True
    start = data.rfind(b"<row")
    last = _LAST_ROW.match(data, start) if start >= 0 else None
    return last is not None and int(last.group(1)) > FAR_ROW


def _without_far_cells(data: bytes) -> tuple[bytes, list[str]]:
    """A sheet part without its cells beyond FAR_ROW / FAR_COL (and without the dimension that spans them),
    and the A1 of those cells."""
    dropped = []

    def keep(match) -> bytes:
        column, row = match.group(1), int(match.group(2))
        if row > FAR_ROW or parse_a1(f"{column.decode()}1")[1] >= FAR_COL:
            dropped.append(f"{column.decode()}{row}")
            return b""
        return match.group(0)

    return _DIMENSION.sub(b"", _CELL_ELEMENT.sub(keep, data)), dropped


def _near_copy(archive: zipfile.ZipFile, parts: dict[str, str]) -> tuple[io.BytesIO, dict[str, list[str]]]:
    """The workbook in memory with the far cells of ``parts`` (member -> sheet name) left out; the A1 of what
    was left out, by sheet."""
    out, dropped = io.BytesIO(), {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename in parts:
                data, cells = _without_far_cells(data)
                dropped[parts[info.filename]] = cells
            copy.writestr(info.filename, data)
    out.seek(0)
    return out, dropped


def _formula_issues(archive: zipfile.ZipFile,
                    far: dict[str, str] | None = None) -> dict[str, tuple[list[str], dict[str, str], dict[str, str]]]:
    """Per sheet: formulas saved without a result, and cells holding error values (#DIV/0!).

    python-calamine shows both as empty cells, so the sheet XML is parsed
    (defusedxml, no DTD or entities), and only when it holds formulas or
    errors at all.  A formula whose result is an empty text (``t="str"``
    with an empty ``<v>``) has its result.
    """
    from defusedxml import DefusedXmlException
    from xml.etree.ElementTree import ParseError

    from .xlsxio import plain_utf8, sheet_paths

    try:
        paths = _sheet_paths(archive, sheet_paths)
    except DefusedXmlException:
        raise UnreadableWorkbook("U003", part="xl/workbook.xml") from None
    except ParseError:
        raise UnreadableWorkbook("U002", detail="xl/workbook.xml 不是有效的 XML") from None
    issues = {}
    for name, member in paths.items():
        try:
            data = archive.read(member)
        except KeyError:
            continue
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
            raise UnreadableWorkbook("U003", part=member)
        if far is not None and _far(data):
            far[member] = name
        # a UTF-8 part without error values and without formulas lacking their result is skipped; other
        # encodings are always parsed
        cells = formula_addresses(data) if plain_utf8(data) else set()
        if plain_utf8(data) and not _has_error_tokens(data) and (not _has_formula_tokens(data)
                                                                 or _formulas_cached(data)):
            if cells:
                issues[name] = ([], {}, {}, cells)
            continue
        try:
            uncached, errors, texts = _sheet_issues(data)
        except DefusedXmlException:
            raise UnreadableWorkbook("U003", part=member) from None
        except ParseError:
            raise UnreadableWorkbook("U002", detail=f"{member} 不是有效的 XML") from None
        if uncached or errors or cells:
            issues[name] = (uncached, errors, texts, cells)
    return issues


def _with_issues(grid: Grid, issues: dict[str, tuple[list[str], dict[str, str], dict[str, str]]]) -> Grid:
    """The grid with its uncached formulas noted (and their text kept) and error values shown
    ("#DIV/0!" where calamine shows nothing)."""
    uncached, errors, texts, cells = issues.get(grid.name, ([], {}, {}, set()))
    grid.uncached = uncached
    grid.formulas = texts
    grid.formula_cells = cells
    for address, value in errors.items():
        row, col = parse_a1(address)
        while len(grid.rows) <= row:
            grid.rows.append([])
        while len(grid.rows[row]) <= col:
            grid.rows[row].append("")
        grid.rows[row][col] = value
    return grid


def _read_grids_openpyxl(path: str, issues: dict, source=None) -> list[Grid]:
    """read_grids without python-calamine (see grid_openpyxl); ``source``: the file's bytes to read instead."""
    from .grid_openpyxl import read_rows

    try:
        sheets = read_rows(path if source is None else source)
    except Exception as exc:  # openpyxl raises many kinds of errors for broken parts
        raise broken(path, cause(exc)) from None
    grids = [_with_issues(Grid(name, rows, merged, hidden, path=path), issues) for name, rows, merged, hidden in sheets]
    solve_text_formulas(grids)
    for grid in grids:
        hide_covered(grid)
    return grids


def read_grids(path: str) -> list[Grid]:
    """Every worksheet of a workbook as grids: .xlsx/.xlsm read with python-calamine (openpyxl where it is
    missing); .xls/.et, .ods and .xlsb (told apart by their content) with python-calamine."""
    kind, archive = _sniff(path)
    if kind != "xlsx":
        if archive is not None:
            archive.close()
        return _read_other(path, kind)
    far: dict[str, str] = {}
    with archive:
        try:
            issues = _formula_issues(archive, far)
            source, dropped = _near_copy(archive, far) if far else (None, {})
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
            raise UnreadableWorkbook("U002", detail=cause(exc)) from None
    try:
        import python_calamine  # noqa: F401
    except ImportError:  # no wheel for this CPU: the same grids through openpyxl, slower
        grids = _read_grids_openpyxl(path, issues, source)
    else:
        grids = _read_calamine(path, "xlsx", issues, source=source)
    from .numfmt import WorkbookStyles

    styles = WorkbookStyles()  # styles.xml read once for every sheet that asks
    for grid in grids:
        grid.far_cells = dropped.get(grid.name, [])
        grid.styles = styles
    return grids


def _read_calamine(path: str, kind: str, issues: dict, layout: dict | None = None, source=None) -> list[Grid]:
    """The worksheets of a file through python-calamine; ``layout``: {sheet: (merged, percents)} of an .ods
    (calamine reads no merged ranges there); ``source``: the file's bytes to read instead (_near_copy)."""
    import python_calamine as pc

    try:
        # opened here, not by name: calamine takes only UTF-8 paths (a GBK name unzipped on Linux is not one),
        # and reads the whole file when given it
        if source is not None:
            book = pc.CalamineWorkbook.from_filelike(source)
        else:
            with open(path, "rb") as handle:
                book = pc.CalamineWorkbook.from_filelike(handle)
        grids = []
        for meta in book.sheets_metadata:
            if str(meta.typ) != str(pc.SheetTypeEnum.WorkSheet):
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            ranges = sheet.merged_cell_ranges  # None where calamine reads none (.ods, .xlsb)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (ranges or [])]
            percents = None
            if layout is not None:
                merged, percents = layout.get(meta.name, ([], set()))
            hidden = str(meta.visible) != str(pc.SheetVisibleEnum.Visible)
            grid = Grid(meta.name, rows, merged, hidden, path=path, kind=kind, percents=percents,
                        merges_known=ranges is not None or layout is not None or kind == "xlsx")
            grids.append(_with_issues(grid, issues))
        solve_text_formulas(grids)
        for grid in grids:
            if grid.merged:
                hide_covered(grid)
        return grids
    except pc.PasswordError:
        raise UnreadableWorkbook("U001") from None
    except (pc.CalamineError, pc.ZipError, pc.XmlError) as exc:
        if kind == "xls":
            raise _ole2_problem(str(exc), path) from None
        raise broken(path, cause(exc)) from None
    except Exception as exc:  # noqa: BLE001 - calamine raises plain errors for some broken parts
        if kind == "xls":
            raise _ole2_problem(str(exc), path) from None
        raise broken(path, cause(exc)) from None


def _ole2_problem(detail: str, path: str) -> UnreadableWorkbook:
    """Why calamine could not read an OLE2 file: encrypted (a FILEPASS record, which calamine reads from a
    file object as "Cannot detect file format": xlrd tells), else damaged or incomplete."""
    low = detail.lower()
    if "password" in low or "encrypt" in low:
        return UnreadableWorkbook("U001")
    try:
        import xlrd

        with open(path, "rb") as handle:
            xlrd.open_workbook(file_contents=handle.read(), on_demand=True, logfile=_Quiet()).release_resources()
    except ImportError:
        pass
    except Exception as exc:  # noqa: BLE001 - xlrd's reasons are plain errors
        if "encrypt" in str(exc).lower():
            return UnreadableWorkbook("U001")
    return UnreadableWorkbook("U002", text=BROKEN_OLE2)


class _Quiet:
    def write(self, *_):
        pass


def _read_other(path: str, kind: str) -> list[Grid]:
    """An .xls/.et, .ods or .xlsb file (python-calamine reads their values; an .ods's merged ranges and
    percentage cells come from its content.xml)."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        raise UnreadableWorkbook("U011", text=f"此电脑上无法读取 {KINDS[kind]} 格式（缺少 python-calamine），请另存为 .xlsx") from None
    layout = None
    if kind == "ods":
        from .numfmt import ods_layout

        try:
            layout = ods_layout(path)
        except UnreadableWorkbook:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged content.xml: calamine's reason, or this one
            raise broken(path, cause(exc)) from None
    return _read_calamine(path, kind, {}, layout)
