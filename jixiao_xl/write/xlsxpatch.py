"""The direct xlsx writer of ``fill``: the original archive copied member by member, only the cells changed.

A worksheet part is never re-serialised (ElementTree would rename the namespace
prefixes that ``mc:Ignorable`` names): expat finds the byte offsets of the rows and
cells the plan touches (``CurrentByteIndex``) and new markup is spliced in there.
New cells go in column order into their row, new rows in row order; text is always
an inline string (never a formula); a rate that lands in a General cell gets a clone
of its style with the built-in 0.00% format.  The 校验结果 sheet is a new worksheet
part (or replaces the old one), and calcChain.xml goes when formulas change.  Every
member the plan does not change is written back with the same content.

Anything this writer does not handle (a part in another encoding, cells without an
``r`` address, a shared formula's master in the way) raises ``Unsupported`` and
``fill`` falls back to the openpyxl writer.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from ..xlsx.a1 import col_letter, parse_a1
from ..xlsx.splice import (Refused, Span, Unsupported, attr, cell_xml, esc, number_text, patched,  # noqa: F401
                     prefix, scan, start_tag)
from ..xlsx.xlsxio import part_path, plain_utf8

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
PERCENT_FMT = 10  # built-in "0.00%"


# ------------------------------------------------------------------ the workbook


def _sheet_keep(path: tuple) -> bool:
    return path in (("worksheet",), ("worksheet", "sheetData"), ("worksheet", "sheetData", "row"),
                    ("worksheet", "sheetData", "row", "c"), ("worksheet", "sheetData", "row", "c", "f"))


@dataclass
class Sheet:
    part: str
    root: Span
    prefix: str
    rows: dict[int, Span]
    cells: dict[str, Span]
    sheet_data: Span


class Source:
    """An .xlsx read once: its members in order, its sheet parts, and scans of the sheets asked for."""

    def __init__(self, path: str):
        self.path = path
        self.archive = zipfile.ZipFile(path)  # open until close(): members are read on first use
        try:
            self.infos = self.archive.infolist()
            self.names = {info.filename for info in self.infos}
            self.data = {name: self.archive.read(name) for name in _ALWAYS if name in self.names}
            self.paths = self._sheet_paths()
        except BaseException:
            self.close()
            raise
        self._sheets: dict[str, Sheet] = {}

    def close(self) -> None:
        self.archive.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self, name: str | None) -> bytes | None:
        """A member's content (read on first use), None when there is no such member."""
        if name not in self.names:
            return None
        if name not in self.data:
            self.data[name] = self.archive.read(name)
        return self.data[name]

    def _sheet_paths(self) -> dict[str, str]:
        try:
            book = scan(self.data["xl/workbook.xml"], lambda p: p in (("workbook",), ("workbook", "sheets")))
            rels = scan(self.data["xl/_rels/workbook.xml.rels"], lambda p: p == ("Relationships",))
        except KeyError:
            raise Unsupported("parts") from None
        targets = {r.get("Id"): part_path(r.get("Target")) for r in rels.children if r.local == "Relationship"}
        sheets = book.child("sheets")
        paths = {}
        for s in sheets.children if sheets else []:
            rid = next((v for k, v in s.attrs if k.endswith(":id") or k == "id"), None)
            if s.local == "sheet" and rid in targets:
                paths[s.get("name")] = targets[rid]
        return paths

    def sheet(self, name: str) -> Sheet:
        if name not in self._sheets:
            part = self.paths.get(name)
            if self.read(part) is None:
                raise Unsupported("sheet part")
            root = scan(self.data[part], _sheet_keep)
            sheet_data = root.child("sheetData")
            if sheet_data is None:
                raise Unsupported("no sheetData")
            rows, cells = {}, {}
            for row in sheet_data.children:
                if row.local != "row":
                    continue
                if row.get("r") is None:
                    raise Unsupported("row without r")
                rows[int(row.get("r"))] = row
                for c in row.children:
                    if c.local == "c":
                        if c.get("r") is None:
                            raise Unsupported("cell without r")
                        cells[c.get("r")] = c
            self._sheets[name] = Sheet(part, root, prefix(root), rows, cells, sheet_data)
        return self._sheets[name]

    def formulas(self, name: str) -> dict[str, str]:
        """{A1: "=formula"} of a sheet, shared formulas translated to each cell as openpyxl does."""
        from ..xlsx.grid import _FORMULA_TOKENS

        data = self.read(self.paths.get(name))
        if data is not None and plain_utf8(data) and not any(t in data for t in _FORMULA_TOKENS):
            return {}  # no formula in the part: no need to parse it
        sheet = self.sheet(name)
        found, masters = {}, {}
        for address, c in sheet.cells.items():
            f = c.child("f")
            if f is None:
                continue
            if f.get("t") == "shared" and f.get("ref") and f.text:
                masters[f.get("si")] = (address, f.text)
            if f.text or f.get("t") != "shared":
                found[address] = "=" + f.text
        for address, c in sheet.cells.items():
            f = c.child("f")
            if f is not None and f.get("t") == "shared" and not f.text and f.get("si") in masters:
                from openpyxl.formula.translate import Translator

                origin, text = masters[f.get("si")]
                found[address] = Translator("=" + text, origin=origin).translate_formula(address)
        return found


_ALWAYS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


# ------------------------------------------------------------------ styles


class Styles:
    def __init__(self, data: bytes):
        self.data = data
        self.root = scan(data, lambda p: p in (("styleSheet",), ("styleSheet", "numFmts"), ("styleSheet", "cellXfs"),
                                               ("styleSheet", "fonts"), ("styleSheet", "fills")))
        parts = {c.local: c for c in self.root.children}
        for name in ("fonts", "fills", "cellXfs"):
            if name not in parts or parts[name].close is None:
                raise Unsupported("styles")
        self.parts = parts
        self.p = prefix(self.root)
        self.xfs = [x for x in parts["cellXfs"].children if x.local == "xf"]
        self.custom = {x.get("numFmtId"): x.get("formatCode") for x in (parts.get("numFmts").children
                                                                       if parts.get("numFmts") else [])}
        self.added: dict[str, list[str]] = {"fonts": [], "fills": [], "cellXfs": []}
        self._clones: dict[int, int] = {}

    def general(self, s: int) -> bool:
        if s >= len(self.xfs):
            return s == 0
        fmt = self.xfs[s].get("numFmtId", "0")
        return fmt == "0" or (self.custom.get(fmt) or "").lower() == "general"

    def _count(self, name: str) -> int:
        return len([c for c in self.parts[name].children if c.local == name[:-1] or
                    (name == "cellXfs" and c.local == "xf")])

    def _add(self, name: str, xml: str) -> int:
        self.added[name].append(xml)
        return self._count(name) + len(self.added[name]) - 1

    def percent(self, s: int) -> int:
        """A style like ``s`` with the 0.00% format."""
        if s not in self._clones:
            p = self.p
            if s < len(self.xfs):
                xf = self.xfs[s]
                attrs = [(k, v) for k, v in xf.attrs if k not in ("numFmtId", "applyNumberFormat")]
                inner = self.data[xf.inner:xf.close].decode("utf-8") if xf.close is not None else ""
            else:
                attrs, inner = [("fontId", "0"), ("fillId", "0"), ("borderId", "0"), ("xfId", "0")], ""
            attrs = [("numFmtId", str(PERCENT_FMT))] + attrs + [("applyNumberFormat", "1")]
            self._clones[s] = self._add("cellXfs", start_tag(f"{p}xf", attrs) + inner + f"</{p}xf>")
        return self._clones[s]

    def result_styles(self) -> dict[str, int]:
        """The styles of the 校验结果 sheet: header, top, wrapped, error, warning, percent."""
        from .marks import MARK_COLORS

        p = self.p
        fonts = [f for f in self.parts["fonts"].children if f.local == "font"]
        base = self.data[fonts[0].inner:fonts[0].close].decode("utf-8") if fonts and fonts[0].close else ""
        bold = self._add("fonts", f"<{p}font><{p}b/>{base}</{p}font>")

        def fill(rgb: str) -> int:
            return self._add("fills", f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{rgb}"/>'
                                      f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')

        def xf(font=0, fill_id=0, fmt=0, wrap=False, top=True) -> int:
            attrs = (f'numFmtId="{fmt}" fontId="{font}" fillId="{fill_id}" borderId="0" xfId="0"'
                     + (' applyNumberFormat="1"' if fmt else "") + (' applyFont="1"' if font else "")
                     + (' applyFill="1"' if fill_id else "") + (' applyAlignment="1"' if top else ""))
            wrapped = ' wrapText="1"' if wrap else ""
            align = f'<{p}alignment vertical="top"{wrapped}/>' if top else ""
            return self._add("cellXfs", f"<{p}xf {attrs}>{align}</{p}xf>")

        return {"header": xf(font=bold, fill_id=fill("E7E6E6"), top=False), "top": xf(), "wrap": xf(wrap=True),
                "error": xf(fill_id=fill(MARK_COLORS["error"])), "warning": xf(fill_id=fill(MARK_COLORS["warning"])),
                "percent": xf(fmt=PERCENT_FMT)}

    def patched(self) -> bytes | None:
        if not any(self.added.values()):
            return None
        patches = []
        for name, items in self.added.items():
            if not items:
                continue
            span = self.parts[name]
            attrs = [(k, str(self._count(name) + len(items)) if k == "count" else v) for k, v in span.attrs]
            patches.append((span.start, span.inner, start_tag(span.name, attrs)))
            patches.append((span.close, span.close, "".join(items)))
        return patched(self.data, patches)


# ------------------------------------------------------------------ the sheets


def patch_sheet(source: Source, name: str, ops: dict, styles: Styles) -> bytes:
    """The sheet part with the plan's cell operations ({A1: op}) applied."""
    sheet = source.sheet(name)
    data = source.data[sheet.part]
    p = sheet.prefix
    patches: list[tuple[int, int, str]] = []
    new_rows: dict[int, list[tuple[int, str]]] = {}
    into_rows: dict[int, list[tuple[int, str]]] = {}
    max_row = max_col = 0
    for address, op in ops.items():
        row, col = parse_a1(address)
        max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
        old = sheet.cells.get(address)
        if old is not None:
            f = old.child("f")
            shared_master = f is not None and f.get("t") == "shared" and f.get("ref") not in (None, address)
            if op.kind == "formula" and shared_master:  # its formula is the one the other cells of the range use
                raise Unsupported("shared formula master")
            style = int(old.get("s", "0"))
        else:
            style = _inherited_style(sheet, row + 1)
        if op.percent and op.kind == "number" and styles.general(style):
            style = styles.percent(style)
        xml = cell_xml(p, address, style, op, old, data)
        if old is not None:
            patches.append((old.start, old.end, xml))
        elif row + 1 in sheet.rows:
            into_rows.setdefault(row + 1, []).append((col, xml))
        else:
            new_rows.setdefault(row + 1, []).append((col, xml))
    for r, cells in into_rows.items():
        span = sheet.rows[r]
        cells.sort()
        existing = [(parse_a1(c.get("r"))[1], c) for c in span.children if c.local == "c"]
        attrs = _spans(span.attrs, [c for c, _ in cells])
        if span.close is None:  # <row .../>
            patches.append((span.start, span.end, start_tag(span.name, attrs) + "".join(x for _, x in cells)
                            + f"</{span.name}>"))
            continue
        if attrs != span.attrs:
            patches.append((span.start, span.inner, start_tag(span.name, attrs)))
        for col, xml in cells:
            after = next((c for k, c in existing if k > col), None)
            at = after.start if after is not None else span.close
            patches.append((at, at, xml))
    sd = sheet.sheet_data
    existing_rows = sorted(sheet.rows)
    added = []
    for r in sorted(new_rows):
        cells = sorted(new_rows[r])
        xml = (start_tag(f"{p}row", [("r", str(r))]) + "".join(x for _, x in cells) + f"</{p}row>")
        after = next((k for k in existing_rows if k > r), None)
        if after is not None:
            patches.append((sheet.rows[after].start, sheet.rows[after].start, xml))
        elif sd.close is not None:
            patches.append((sd.close, sd.close, xml))
        else:
            added.append(xml)
    if added:  # <sheetData/>
        patches.append((sd.start, sd.end, start_tag(sd.name, sd.attrs) + "".join(added) + f"</{sd.name}>"))
    dimension = sheet.root.child("dimension")
    if dimension is not None and dimension.get("ref"):
        ref = _grown(dimension.get("ref"), max_row, max_col)
        if ref != dimension.get("ref"):
            patches.append((dimension.start, dimension.end,
                            start_tag(dimension.name, [(k, ref if k == "ref" else v) for k, v in dimension.attrs],
                                      close=True) + (f"</{dimension.name}>" if dimension.close is not None else "")))
    return patched(data, patches)


def _inherited_style(sheet: Sheet, r: int) -> int:
    row = sheet.rows.get(r)
    if row is not None and row.get("customFormat") in ("1", "true") and row.get("s"):
        return int(row.get("s"))
    return 0


def _spans(attrs, cols: list[int]) -> list:
    out = []
    for k, v in attrs:
        if k == "spans" and ":" in v:
            try:
                lo, hi = (int(x) for x in v.split(":"))
            except ValueError:
                continue  # dropped: spans is only a hint
            v = f"{min([lo] + [c + 1 for c in cols])}:{max([hi] + [c + 1 for c in cols])}"
        out.append((k, v))
    return out


def _grown(ref: str, rows: int, cols: int) -> str:
    try:
        first, _, last = ref.partition(":")
        last = last or first
        r1, c1 = parse_a1(last)
    except ValueError:
        return ref
    if rows <= r1 + 1 and cols <= c1 + 1:
        return ref
    return f"{first}:{col_letter(max(c1, cols - 1))}{max(r1 + 1, rows)}"


# ------------------------------------------------------------------ 校验结果


def results_sheet(rows: list[list], rate_rows: list[int], widths: dict[str, float], styles: dict[str, int]) -> bytes:
    """The 校验结果 worksheet part: the rows as text and numbers, print set-up as the openpyxl writer's."""
    from ..xlsx.layout import row_height

    out = []
    for r, row in enumerate(rows, start=1):
        cells, wrapped = [], []
        for c in range(8):
            value = row[c] if c < len(row) else None
            letter = "ABCDEFGH"[c]
            if r == 1:
                style = styles["header"]
            elif c == 1 and value in ("错误", "警告"):
                style = styles["error" if value == "错误" else "warning"]
            elif c in (6, 7) and r in rate_rows:
                style = styles["percent"]
            elif c in (4, 5):
                style = styles["wrap"]
                wrapped.append((value, widths[letter]))
            else:
                style = styles["top"]
            address = f"{letter}{r}"
            if value is None:
                cells.append(f'<c r="{address}" s="{style}"/>')
            elif isinstance(value, str):
                cells.append(f'<c r="{address}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{esc(value)}'
                             f"</t></is></c>")
            elif isinstance(value, (int, float)):
                kind = ' t="b"' if isinstance(value, bool) else ""
                cells.append(f'<c r="{address}" s="{style}"{kind}><v>{number_text(value)}</v></c>')
            else:
                cells.append(f'<c r="{address}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                             f"{esc(str(value))}</t></is></c>")
        height = (f' ht="{row_height(wrapped):g}" customHeight="1"'
                  if r > 1 and any(isinstance(row[c], str) for c in (4, 5) if c < len(row)) else "")
        out.append(f'<row r="{r}"{height}>{"".join(cells)}</row>')
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>'
                   for i, w in enumerate(widths[k] for k in "ABCDEFGH"))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="A1:H{len(rows)}"/><sheetViews><sheetView workbookViewId="0">'
           f'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
           f'<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
           f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{"".join(out)}</sheetData>'
           f'<pageMargins left="0.4" right="0.4" top="1" bottom="1" header="0.5" footer="0.5"/>'
           f'<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
           f'<headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>')
    return xml.encode("utf-8")


# ------------------------------------------------------------------ the whole file


_WORKBOOK_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                         "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def write(source: Source, cells: dict[str, dict], result_sheet: str, rows: list[list], rate_rows: list[int],
          widths: dict[str, float], target: str) -> None:
    """Write ``target``: ``source`` with the cell operations ({sheet: {A1: op}}) and a new 校验结果 sheet."""
    if "xl/styles.xml" not in source.data or "[Content_Types].xml" not in source.data:
        raise Unsupported("parts")
    styles = Styles(source.data["xl/styles.xml"])
    new: dict[str, bytes] = {}
    for name, ops in cells.items():
        if ops:
            new[source.sheet(name).part] = patch_sheet(source, name, ops, styles)
    formulas_changed = any(op.kind == "formula" for ops in cells.values() for op in ops.values())
    sheet_xml = results_sheet(rows, rate_rows, widths, styles.result_styles())
    new["xl/styles.xml"] = styles.patched()

    book_data = source.data["xl/workbook.xml"]
    book = scan(book_data, lambda p: p in (("workbook",), ("workbook", "sheets"), ("workbook", "definedNames"),
                                           ("workbook", "definedNames", "definedName")))
    p = prefix(book)
    rels_name = "xl/_rels/workbook.xml.rels"
    rels_data = source.data[rels_name]
    rels = scan(rels_data, lambda q: q == ("Relationships",))
    types_data = source.data["[Content_Types].xml"]
    types = scan(types_data, lambda q: q == ("Types",))
    book_patches, rel_patches, type_patches = [], [], []
    dropped = set()
    sheets = book.child("sheets")
    sheet_names = [s.get("name") for s in sheets.children if s.local == "sheet"]
    if result_sheet in source.paths and result_sheet in sheet_names:
        new[source.paths[result_sheet]] = sheet_xml
        index = sheet_names.index(result_sheet)
    else:
        taken = {i.filename for i in source.infos}
        n = 1
        while f"xl/worksheets/sheet{n}.xml" in taken:
            n += 1
        part = f"xl/worksheets/sheet{n}.xml"
        ids = {r.get("Id") for r in rels.children}
        k = 1
        while f"rId{k}" in ids:
            k += 1
        sheet_id = 1 + max([int(s.get("sheetId")) for s in sheets.children
                            if s.local == "sheet" and (s.get("sheetId") or "").isdigit()] or [0])
        rel_prefix = next((k[6:] for k, v in book.attrs if k.startswith("xmlns:") and v == REL_NS), None)
        rid_attr = [(f"{rel_prefix}:id", f"rId{k}")] if rel_prefix else [("xmlns:jr", REL_NS), ("jr:id", f"rId{k}")]
        element = start_tag(f"{p}sheet", [("name", result_sheet), ("sheetId", str(sheet_id))] + rid_attr, close=True)
        if sheets.close is None:
            book_patches.append((sheets.start, sheets.end, start_tag(sheets.name, sheets.attrs) + element
                                 + f"</{sheets.name}>"))
        else:
            book_patches.append((sheets.close, sheets.close, element))
        rel_patches.append((rels.close, rels.close, start_tag(prefix(rels) + "Relationship", [
            ("Id", f"rId{k}"), ("Type", WORKSHEET_TYPE), ("Target", f"worksheets/sheet{n}.xml")], close=True)))
        type_patches.append((types.close, types.close, start_tag(prefix(types) + "Override", [
            ("PartName", "/" + part), ("ContentType", WORKSHEET_CT)], close=True)))
        new[part] = sheet_xml
        index = len(sheet_names)
    # print titles of 校验结果 (row 1 on every page)
    names = book.child("definedNames")
    title = f"'{result_sheet}'!$1:$1"
    defined = start_tag(f"{p}definedName", [("name", "_xlnm.Print_Titles"), ("localSheetId", str(index))]) + \
        f"{esc(title)}</{p}definedName>"
    if names is not None:
        if not any(d.get("name") == "_xlnm.Print_Titles" and d.get("localSheetId") == str(index)
                   for d in names.children):
            if names.close is None:
                book_patches.append((names.start, names.end, start_tag(names.name, names.attrs) + defined
                                     + f"</{names.name}>"))
            else:
                book_patches.append((names.close, names.close, defined))
    else:
        after = next((c for c in book.children if c.local in _WORKBOOK_AFTER_NAMES), None)
        at = after.start if after is not None else book.close
        book_patches.append((at, at, f"<{p}definedNames>{defined}</{p}definedNames>"))
    # what depends on the formulas: recalculated on load, the calculation chain rebuilt by Excel
    if cells:
        calc = book.child("calcPr")
        if calc is not None:
            attrs = [(k, v) for k, v in calc.attrs if k != "fullCalcOnLoad"] + [("fullCalcOnLoad", "1")]
            end = calc.inner if calc.close is not None else calc.end
            book_patches.append((calc.start, end, start_tag(calc.name, attrs, close=calc.close is None)))
        else:
            after = next((c for c in book.children if c.local in _WORKBOOK_AFTER_NAMES[1:]), None)
            at = after.start if after is not None else book.close
            book_patches.append((at, at, f'<{p}calcPr fullCalcOnLoad="1"/>'))
    if formulas_changed and "xl/calcChain.xml" in source.data:
        dropped.add("xl/calcChain.xml")
        for r in rels.children:
            if r.get("Target") and part_path(r.get("Target")) == "xl/calcChain.xml":
                rel_patches.append((r.start, r.end, ""))
        for t in types.children:
            if t.get("PartName") == "/xl/calcChain.xml":
                type_patches.append((t.start, t.end, ""))
    new["xl/workbook.xml"] = patched(book_data, book_patches)
    if rel_patches:
        new[rels_name] = patched(rels_data, rel_patches)
    if type_patches:
        new["[Content_Types].xml"] = patched(types_data, type_patches)

    raw = source.archive.fp
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infos:
            if info.filename in dropped:
                continue
            data = new.pop(info.filename, None)
            if data is None and not _copy_raw(raw, info, out):
                data = source.read(info.filename)
            if data is not None:
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in new.items():
            if data is not None:
                out.writestr(name, data)


def _copy_raw(raw, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> bool:
    """Copy a member's compressed bytes as they are (no inflate, no deflate); False when it cannot be."""
    if info.flag_bits & 0x01 or info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF \
            or info.header_offset >= 0xFFFFFFFF or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return False
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return False
    skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
    raw.seek(info.header_offset + 30 + skip)
    body = raw.read(info.compress_size)
    if len(body) != info.compress_size:
        return False
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type, copy.CRC = info.compress_type, info.CRC
    copy.compress_size, copy.file_size = info.compress_size, info.file_size
    copy.external_attr, copy.create_system = info.external_attr, info.create_system
    copy.flag_bits = info.flag_bits & 0x800  # UTF-8 names; no data descriptor: sizes are in the header
    copy.header_offset = out.fp.tell()
    out.fp.write(copy.FileHeader(zip64=False))
    out.fp.write(body)
    out.start_dir = out.fp.tell()
    out.filelist.append(copy)
    out.NameToInfo[copy.filename] = copy
    out._didModify = True
    return True
