"""Writing workbooks safely: atomic saves, permissions, and cached values for formulas.

openpyxl writes formulas without their results, so a file it saved shows
blanks to every reader that does not recalculate (python-calamine, pandas,
previewers) until Excel opens it.  ``save_workbook`` saves a workbook and
then writes each formula's value into the file, as Excel itself would, so the
numbers are there for everyone; Excel and LibreOffice still recalculate on
load (openpyxl sets fullCalcOnLoad).  The parts are read and written with an
XML parser (defusedxml), whatever serialiser openpyxl used (``<v/>`` with the
standard library, ``<v></v>`` with lxml).

Every output goes through ``atomic_write``: the file appears whole or not at
all, keeps the permission bits of the file it replaces (a new file gets the
usual ones for the user's umask, never 0600), and any problem with the path
becomes an ``OutputError`` with one Chinese line naming the path and the reason.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET

from ..problems import Refused, os_cause

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# prefixes written back as they were (ElementTree would otherwise invent ns0, ns1 ...)
NAMESPACES = {
    "": MAIN_NS,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "x14ac": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac",
    "x14": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main",
    "xr": "http://schemas.microsoft.com/office/spreadsheetml/2014/revision",
    "xm": "http://schemas.microsoft.com/office/excel/2006/main",
}


class Reason(str):
    """Why an output cannot be written: the Chinese text, with its catalogue code (problems.py) as ``code``."""

    code: str

    def __new__(cls, text: str, code: str = "O005"):
        out = super().__new__(cls, text)
        out.code = code
        return out


class OutputError(Refused):
    """A file that cannot be written where asked; ``str()`` is one line for people, ``code`` its O-code
    (from ``code``, else the reason's own, else O005 写入失败)."""

    def __init__(self, path, reason: str, code: str | None = None):
        super().__init__(code or getattr(reason, "code", "O005"), f"无法写入 {path}：{reason}")
        self.path, self.reason = str(path), reason


def local(tag: str) -> str:
    """An element or attribute name without its namespace."""
    return tag.rpartition("}")[2]


def plain_utf8(data: bytes) -> bool:
    """Whether a part is UTF-8 (or ASCII) by its XML declaration, so a byte search sees all its markup."""
    head = data[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return False
    if head.startswith(b"<?xml"):
        end = head.find(b"?>")
        if end < 0:
            return False
        declaration = head[:end].lower()
        at = declaration.find(b"encoding")
        if at >= 0:
            name = declaration[at + len(b"encoding"):].lstrip(b" \t=\"'")
            return name.startswith((b"utf-8", b"utf8", b"us-ascii", b"ascii"))
    return True


def parse_xml(data: bytes):
    """A part of a (possibly hostile) workbook as an element tree; DTDs and entities are refused.

    defusedxml refuses them (``DTDForbidden``, ``EntitiesForbidden``) but parses with
    ElementTree's pure-Python builder, several times slower.  A UTF-8 part without any
    ``<!DOCTYPE`` cannot declare an entity, so it goes to the C parser directly; anything
    else (a DTD, another encoding that a byte search could miss) goes through defusedxml.
    """
    if plain_utf8(data) and b"<!DOCTYPE" not in data and b"<!ENTITY" not in data:
        return ET.fromstring(data)
    return SafeET.fromstring(data, forbid_dtd=True)


def part_path(target: str) -> str:
    """The zip member a relationship of xl/workbook.xml points at (absolute, or relative to xl/)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


OPENPYXL_NAMES = (".xlsx", ".xlsm", ".xltx", ".xltm")  # the names openpyxl.load_workbook opens by path


def openpyxl_source(path: str | os.PathLike):
    """What ``openpyxl.load_workbook`` is given for a workbook whose content is .xlsx: its path, or its bytes when
    its name is one openpyxl refuses by name alone (WPS's .et/.ett saved as .xlsx, a misnamed file) — it
    would raise InvalidFileException, which reads as a damaged file."""
    if not isinstance(path, (str, os.PathLike)):  # bytes already (grid._near_copy)
        path.seek(0)
        return path
    if str(path).lower().endswith(OPENPYXL_NAMES):
        return path
    import io

    return io.BytesIO(Path(path).read_bytes())


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML inside the archive."""
    workbook = parse_xml(archive.read("xl/workbook.xml"))
    try:
        rels = parse_xml(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {}
    for rel in rels.iter():
        if local(rel.tag) == "Relationship" and rel.get("Id") and rel.get("Target"):
            targets[rel.get("Id")] = part_path(rel.get("Target"))
    paths = {}
    for sheet in workbook.iter():
        if local(sheet.tag) != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.startswith("{") and local(k) == "id"), None)
        if sheet.get("name") is not None and rid in targets:
            paths[sheet.get("name")] = targets[rid]
    return paths


def _value_text(value) -> tuple[str | None, str]:
    """(type attribute or None, <v> text) of a cached value."""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, (int, float)):
        return None, repr(float(value)) if isinstance(value, float) else str(value)
    return "str", str(value)


def _patch_sheet(data: bytes, cells: dict[str, object]) -> bytes:
    """The sheet XML with ``cells`` ({A1: value}) stored as the results of their formulas."""
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    root = parse_xml(data)
    for c in root.iter():
        if local(c.tag) != "c" or c.get("r") not in cells or cells[c.get("r")] is None:
            continue
        children = list(c)
        formula = next((e for e in children if local(e.tag) == "f"), None)
        if formula is None:
            continue
        v = next((e for e in children if local(e.tag) == "v"), None)
        if v is None:
            v = ET.Element(formula.tag.replace("}f", "}v") if "}" in formula.tag else "v")
            c.insert(children.index(formula) + 1, v)
        kind, text = _value_text(cells[c.get("r")])
        v.text = text
        if kind is None:
            c.attrib.pop("t", None)
        else:
            c.set("t", kind)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def inject_cached_values(path: str | os.PathLike, values: dict[str, dict[str, object]]) -> None:
    """Write ``values`` ({sheet: {A1: value}}) as the cached results of formula cells, in place."""
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        paths = sheet_paths(archive)
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    by_path = {paths[name]: cells for name, cells in values.items() if name in paths and cells}

    def write(target: str) -> None:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in members:
                if info.filename in by_path:
                    data = _patch_sheet(data, by_path[info.filename])
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)

    atomic_write(path, write)


# ------------------------------------------------------------------ paths and permissions

_REASONS = {
    errno.EACCES: Reason("没有写入权限", "O001"), errno.EPERM: Reason("没有写入权限", "O001"),
    errno.EROFS: Reason("所在磁盘是只读的", "O001"), errno.ENOSPC: Reason("磁盘空间不足"),
    errno.ENOENT: Reason("文件夹不存在", "O002"), errno.ENOTDIR: Reason("路径中有一段是文件，不是文件夹", "O002"),
    errno.EISDIR: Reason("这是一个文件夹，请给出文件名", "O007"), errno.ENAMETOOLONG: Reason("文件名太长"),
    errno.EDQUOT: Reason("超出磁盘配额"),
}


def _no_write_bits(path: Path) -> bool:
    """Read-only by its permission bits (checked even for root, who may write anyway) or for this user."""
    return not (path.stat().st_mode & 0o222) or not os.access(path, os.W_OK)


def output_problem(path: str | os.PathLike) -> str | None:
    """Why a file cannot be written at ``path`` (Chinese, naming the folder when it is the cause), or None."""
    path = Path(path)
    if path.is_dir():
        return Reason("这是一个文件夹，请给出文件名", "O007")
    folder = path.parent
    if not folder.exists():
        ancestor = folder
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            return Reason(f"“{ancestor}”是文件，不是文件夹", "O002")
        return Reason(f"文件夹“{folder}”不存在", "O002")
    if not folder.is_dir():
        return Reason(f"“{folder}”是文件，不是文件夹", "O002")
    if _no_write_bits(folder) or not os.access(folder, os.X_OK):
        return Reason(f"文件夹“{folder}”是只读的（没有写入权限）", "O001")
    if path.exists() and _no_write_bits(path):
        return Reason("文件是只读的，不能覆盖", "O001")
    return None


def folder_problem(path: str | os.PathLike) -> str | None:
    """Why a folder cannot be created or written at ``path``, or None."""
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            return Reason("这是一个文件，不是文件夹", "O002")
        if _no_write_bits(path) or not os.access(path, os.X_OK):
            return Reason("文件夹是只读的（没有写入权限）", "O001")
        return None
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return Reason(f"“{ancestor}”是文件，不是文件夹", "O002")
    if _no_write_bits(ancestor):
        return Reason(f"无法在只读的文件夹“{ancestor}”中新建文件夹", "O001")
    return None


def reason(exc: OSError) -> str:
    """An operating-system error as a short Chinese reason."""
    return _REASONS.get(exc.errno) or Reason(os_cause(exc))


def new_file_mode() -> int:
    """The permission bits a new file gets from the user's umask (0644 with the usual 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


NAME_MAX = 255  # bytes of one file name (ext4, XFS, NTFS through Samba): a user's name may already be that long


def fit_name(stem: str, tail: str) -> str:
    """``stem + tail`` as one file name the file system takes: a name this tool makes from a user's file name
    (its temporary file, a backup, 原名（已填写）.xlsx) adds to it, and a name already near the limit (a
    title typed in full, 83 Chinese characters) would no longer fit.  The stem is cut at a character."""
    room = NAME_MAX - len(os.fsencode(tail))
    while stem and len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return stem + tail


def atomic_write(path: str | os.PathLike, writer, mode: int | None = None, before_replace=None) -> None:
    """Call ``writer(temp_path)`` for a file beside ``path``, then move it into place in one step.

    The file gets ``mode``, else the permission bits of the file it replaces,
    else those of a new file.  ``before_replace()`` runs once the content is
    complete (``fill --in-place`` makes its backup there).  Problems with the
    path raise ``OutputError``; nothing is left behind.
    """
    path = Path(path)
    problem = output_problem(path)
    if problem:
        raise OutputError(path, problem)
    if mode is None:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else new_file_mode()
    temp = None
    try:
        suffix = path.suffix or ".tmp"
        room = f".{'x' * 8}{suffix}"  # mkstemp's eight random characters between prefix and suffix
        prefix = fit_name(f".{path.stem}", room)[:-len(room)] + "."
        fd, temp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
        os.close(fd)
        writer(temp)
        os.chmod(temp, mode)
        if before_replace is not None:
            before_replace()
        os.replace(temp, path)
        temp = None
    except OSError as exc:
        raise OutputError(path, reason(exc)) from None
    finally:
        if temp is not None and os.path.exists(temp):
            os.unlink(temp)


def backup_path(path: str | os.PathLike, stamp: str) -> Path:
    """A backup of ``path`` that exists nowhere yet: 原名.时间.bak.xlsx, then 原名.时间-2.bak.xlsx, ..."""
    path = Path(path)
    for n in range(1, 10000):
        tag = stamp if n == 1 else f"{stamp}-{n}"
        candidate = path.with_name(fit_name(path.stem, f".{tag}.bak{path.suffix}"))
        if not candidate.exists():
            return candidate
    raise OutputError(path, "备份文件过多", "O006")


def make_backup(path: str | os.PathLike, stamp: str) -> Path:
    """Copy ``path`` to a new, unique backup (never over an existing one), keeping its bits and times."""
    import shutil

    path = Path(path)
    while True:
        target = backup_path(path, stamp)
        try:
            with open(path, "rb") as src, open(target, "xb") as dst:  # "x": fails rather than overwrite
                shutil.copyfileobj(src, dst)
        except FileExistsError:  # another run took the name in between
            continue
        except OSError as exc:
            raise OutputError(target, reason(exc)) from None
        shutil.copystat(path, target)
        return target


def save_workbook(book, path: str | os.PathLike, cached: dict[str, dict[str, object]] | None = None,
                  mode: int | None = None, before_replace=None) -> None:
    """Save an openpyxl workbook atomically, with ``cached`` formula results written in."""
    path = Path(path)

    def write(temp: str) -> None:
        book.save(temp)
        if cached:
            inject_cached_values(temp, cached)

    atomic_write(path, write, mode, before_replace)


def set_text(cell, text) -> None:
    """Put text in a cell as text, never as a formula, whatever it starts with."""
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"
