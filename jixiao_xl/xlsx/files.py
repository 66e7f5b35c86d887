"""The first look at a submitted file, shared by the workbook and the report readers.

Both refuse, with the same Chinese reasons, what is missing, a folder, unreadable or
empty, and tell an encrypted Office file from an old binary one.
"""

from __future__ import annotations

import os

from ..problems import Refused, os_cause

OLE2 = b"\xd0\xcf\x11\xe0"  # the container of .xls/.doc/.et/.wps and of password-protected .xlsx/.docx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


LOCK_PREFIX = "~$"  # Excel/WPS (and Word) write "~$name" beside a file while it is open: the owner's name


LO_LOCK = (".~lock.", "#")  # LibreOffice writes ".~lock.name#" beside a file it has open


def _locked(path) -> tuple[str, str] | None:
    """(the program, the name of the file) a lock file stands for, or None for any other file."""
    base = os.path.basename(str(path))
    if base.startswith(LOCK_PREFIX):
        name = base[len(LOCK_PREFIX):]
        word = name.lower().endswith((".doc", ".docx", ".wps", ".rtf"))
        return ("Word 或 WPS" if word else "Excel 或 WPS"), name
    if base.startswith(LO_LOCK[0]) and base.endswith(LO_LOCK[1]) and len(base) > len("".join(LO_LOCK)):
        return "LibreOffice", base[len(LO_LOCK[0]):-len(LO_LOCK[1])]
    return None


def is_lock_file(path) -> bool:
    return _locked(path) is not None


def lock_file_note(path, checked_elsewhere: bool = False) -> str:
    """What a lock file ("~$name" of Excel, WPS, Word; ".~lock.name#" of LibreOffice) is, naming the file it
    belongs to (the name after "~$"; Excel may drop a long name's first characters).  ``checked_elsewhere``:
    the note of a batch, which checks that file itself."""
    program, name = _locked(path)
    what = f"{program} 打开“{name}”时生成的锁定文件（临时文件，说明“{name}”正在别处打开）"
    return f"{what}，未校验" if checked_elsewhere else f"这是{what}，不是工作簿本身；请校验“{name}”"


def open_elsewhere(path) -> str | None:
    """The lock file beside ``path`` that says it is open in Excel/WPS ("~$name"; Excel drops a long name's first
    two characters) or LibreOffice (".~lock.name#"), or None."""
    folder, name = os.path.split(os.path.abspath(str(path)))
    for lock in (LOCK_PREFIX + name, LOCK_PREFIX + name[2:], f".~lock.{name}#"):
        if len(lock) > len(LOCK_PREFIX) and os.path.isfile(os.path.join(folder, lock)):
            return lock
    return None


SYSTEM_FILES = {".ds_store": "macOS", "thumbs.db": "Windows", "desktop.ini": "Windows", "._.ds_store": "macOS"}
_MAGIC = ((b"%PDF", "PDF 文档"), (b"\xff\xd8\xff", "图片（JPEG）"), (b"\x89PNG", "图片（PNG）"), (b"GIF8", "图片（GIF）"),
          (b"BM", "图片（BMP）"), (b"II*\x00", "图片（TIFF）"), (b"MM\x00*", "图片（TIFF）"), (b"{\\rtf", "RTF 文档"))
_BY_SUFFIX = {".csv": "CSV 文本文件（从表格导出的纯文本，没有表格的格式和公式）", ".txt": "纯文本文件",
              ".jpg": "图片", ".jpeg": "图片", ".png": "图片", ".tif": "图片", ".tiff": "图片", ".bmp": "图片",
              ".rtf": "RTF 文档"}


def other_kind(path, head: bytes | None = None) -> str | None:
    """What a file that is no workbook is, for people ("PDF 文档", "图片（JPEG）", "CSV 文本文件……"), told by its
    first bytes, else its name; None when nothing can be said.  ``head``: its first bytes when already read."""
    base = os.path.basename(str(path))
    if base.lower() in SYSTEM_FILES:
        return f"{SYSTEM_FILES[base.lower()]} 系统自动生成的隐藏文件（与提交的材料无关）"
    if base.startswith("._"):  # macOS's resource fork of a file copied to a shared drive
        return "macOS 系统自动生成的隐藏文件（与提交的材料无关）"
    if head is None:
        try:
            with open(path, "rb") as handle:
                head = handle.read(8)
        except OSError:
            head = b""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return _BY_SUFFIX.get(os.path.splitext(base)[1].lower())


def entry_name(info) -> str:
    """A zip entry's name (a ``zipfile.ZipInfo``).  Without the UTF-8 flag, zipfile reads the bytes as cp437:
    Linux's and macOS's zip write UTF-8 there (tried first, strictly: GBK rarely passes for UTF-8), Chinese
    Windows writes GBK.  Batch's archives and the reader's "this is a zip of workbooks" both name entries so."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


class FileProblem(Refused):
    """Why a file cannot be opened at all (a catalogued reason); ``str()`` is for people."""


def head_of(path: str, what: str, size: int = 1 << 20) -> bytes:
    """The first ``size`` bytes of a file; ``what`` names what it should be ("工作簿", "报告文档")."""
    try:
        length = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(size)
    except FileNotFoundError:
        raise FileProblem("U007") from None
    except IsADirectoryError:
        raise FileProblem("U008", what=what) from None
    except OSError as exc:
        raise FileProblem("U009", detail=os_cause(exc)) from None
    if length == 0:
        raise FileProblem("U010")
    return head


def encrypted(head: bytes) -> bool:
    """An Office file saved with an opening password (an OLE2 container holding EncryptedPackage)."""
    return head.startswith(OLE2) and _ENCRYPTED in head
