"""Writing workbooks safely: atomic saves and cached values for formulas.

openpyxl writes formulas without their results, so a file it saved shows
blanks to every reader that does not recalculate (python-calamine, pandas,
previewers) until Excel opens it.  ``save_with_values`` saves a workbook and
then writes each formula's value into the file, as Excel itself would, so the
numbers are there for everyone; Excel and LibreOffice still recalculate on
load (openpyxl sets fullCalcOnLoad).
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)>(<f(?:\s[^>]*)?>.*?</f>|<f(?:\s[^>]*)?/>)(?:<v\s*/>|<v></v>)\s*</c>', re.S)
_SHEET = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"|<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML inside the archive."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for match in _REL.finditer(rels):
        target, rid = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        target = target.lstrip("/")
        targets[rid] = target if target.startswith("xl/") else f"xl/{target}"
    return {_unescape(name): targets[rid] for name, rid in _SHEET.findall(workbook) if rid in targets}


def _value_xml(value) -> tuple[str, str]:
    """(type attribute, <v> text) of a cached value."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, (int, float)):
        return "", repr(float(value)) if isinstance(value, float) else str(value)
    return ' t="str"', escape(str(value))


def inject_cached_values(path: str | os.PathLike, values: dict[str, dict[str, object]]) -> None:
    """Write ``values`` ({sheet: {A1: value}}) as the cached results of formula cells, in place."""
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        paths = sheet_paths(archive)
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    by_path = {paths[name]: cells for name, cells in values.items() if name in paths and cells}

    def patch(xml: str, cells: dict[str, object]) -> str:
        def repl(match):
            address, attrs, formula = match.groups()
            if address not in cells or cells[address] is None:
                return match.group(0)
            attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
            kind, text = _value_xml(cells[address])
            return f'<c r="{address}"{attrs}{kind}>{formula}<v>{text}</v></c>'

        return _CELL.sub(repl, xml)

    def write(target: str) -> None:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in members:
                if info.filename in by_path:
                    data = patch(data.decode("utf-8"), by_path[info.filename]).encode("utf-8")
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)

    atomic_write(path, write)


def atomic_write(path: str | os.PathLike, writer) -> None:
    """Call ``writer(temp_path)`` for a file beside ``path``, then move it into place in one step."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".tmp", dir=path.parent or ".")
    os.close(fd)
    try:
        writer(temp)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def save_workbook(book, path: str | os.PathLike, cached: dict[str, dict[str, object]] | None = None) -> None:
    """Save an openpyxl workbook atomically, with ``cached`` formula results written in."""
    path = Path(path)

    def write(temp: str) -> None:
        book.save(temp)
        if cached:
            inject_cached_values(temp, cached)

    atomic_write(path, write)


def set_text(cell, text) -> None:
    """Put text in a cell as text, never as a formula, whatever it starts with."""
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"
