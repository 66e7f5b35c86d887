"""Finding the files of a batch: workbooks by name or content, reports, attachments, this tool's own earlier outputs; paths as they read."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..xlsx.files import is_lock_file
from .archive import Unpacker, archive_kind
from .results import (
    ATTACHMENT_NOTE,
    JSON_NAME,
    LINK_BROKEN,
    LINK_OUTSIDE,
    NOT_FOUND,
    SUMMARY_NAME,
    WORKBOOK_SUFFIXES,
    Task,
)


def unsupported_reason(path: Path) -> str | None:
    """Why a workbook-like file cannot be checked (exit 2), or None for an attachment (not a workbook).
    Every workbook format is read now (an unreadable one is a workbook that fails with its reason)."""
    return None


def is_workbook_file(path: Path) -> bool:
    """A workbook by its name (.xlsx, .xls, .et, .ods, …), or by its content whatever its name: an OLE2 file
    with a workbook stream, a zip holding xl/workbook.xml or .bin, or an ODF spreadsheet."""
    if path.name.startswith("~$"):
        return False
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    from ..narrative.inbox import REPORT_SUFFIXES

    if path.suffix.lower() in REPORT_SUFFIXES:  # a report (.doc, .pdf …) is read as one, never as a workbook
        return False
    import zipfile

    from ..xlsx.files import OLE2
    from ..xlsx.grid import ODS_MIMETYPE, ole2_workbook

    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            if head.startswith(OLE2):
                return ole2_workbook(head + handle.read(1 << 20))
        if not head.startswith(b"PK"):
            return False
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return True
            return ("mimetype" in names and archive.getinfo("mimetype").file_size < 256
                    and archive.read("mimetype").strip() == ODS_MIMETYPE)
    except Exception:  # noqa: BLE001 - unreadable, damaged: not taken for a workbook by its content
        return False


def link_problem(path: Path, root: Path) -> str | None:
    """Why a symbolic link found in the folder ``root`` is not followed: it leads out of the folder (a shared
    server reads nothing outside the folders it is given, whatever a submission links to), or nowhere.
    None for a file that is no link, or a link to a file in the folder.  Only the link is read, never
    what it points to."""
    if not path.is_symlink():
        return None
    base = Path(os.path.realpath(root))
    target = Path(os.path.realpath(path))
    if target != base and base not in target.parents:
        return LINK_OUTSIDE
    return None if target.exists() else LINK_BROKEN


INNER_LINK_NOTE = "链接（快捷方式），指向本文件夹里的“{target}”，其中的文件已在原位置校验，未重复读取"


def attachment_note(path: Path) -> str:
    from ..xlsx.files import is_lock_file, lock_file_note, other_kind

    if is_lock_file(path):
        return lock_file_note(path, checked_elsewhere=True)
    kind = other_kind(path)
    return f"{kind}，未校验" if kind else ATTACHMENT_NOTE


OWN_SHEETS = {"汇总", "问题明细", "无法读取"}  # 统计 and 附件 came later


def is_own_summary(path: Path) -> bool:
    """A 汇总.xlsx written by an earlier batch run (its three sheets), wherever it lies."""
    import zipfile

    from ..xlsx.xlsxio import sheet_paths

    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo("xl/workbook.xml").file_size > 1 << 20:  # ours is a few hundred bytes
                return False
            return OWN_SHEETS <= set(sheet_paths(archive))
    except Exception:  # not a readable zip: not ours
        return False


def is_own_json(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.replace(b" ", b"").startswith((b'{"version":1,"files":', b'{"version":2,"files":'))


def is_own_output(path: Path) -> bool:
    if path.name == SUMMARY_NAME:
        return is_own_summary(path)
    if path.name == JSON_NAME:
        return is_own_json(path)
    return False


def collect(inputs: list[str], outdir: Path) -> tuple[list[Task], list[tuple[str, str]]]:
    """Workbooks to check (recursively, sorted) and the workbooks that cannot be (with the reason)."""
    tasks, unsupported, _, _ = survey(inputs, outdir)
    return tasks, unsupported


def survey(inputs: list[str], outdir: Path, unpacker: Unpacker | None = None):
    """(workbooks to check, workbooks that cannot be, attachments, earlier outputs of this tool).

    An earlier output folder is recognised by its 汇总.xlsx or findings.json;
    its filled/ copies are skipped with it, wherever the folder lies.
    With ``unpacker`` the zips found are opened (nested ones too) and their files surveyed as if they lay in
    a folder named after the zip ("汨罗/司法局.zip/a.xlsx"); the archives opened and those that could not be
    are in the unpacker.  Without it an archive is an attachment.
    """
    outdir = outdir.resolve()
    tasks: list[Task] = []
    unsupported: list[tuple[str, str]] = []
    attachments: list[tuple[str, str]] = []
    own: list[str] = []

    def consider(path: Path, rel: str, depth: int = 0) -> None:
        if is_own_output(path):
            own.append(rel)
        elif is_workbook_file(path):
            shown = unpacker.shown.get(str(path), "") if unpacker is not None else ""
            tasks.append(Task(len(tasks), str(path), rel, shown=shown))
        elif unsupported_reason(path):
            unsupported.append((rel, unsupported_reason(path)))
        elif unpacker is not None and not is_lock_file(path) and (kind := archive_kind(path)):
            if kind == "other":
                unpacker.other(path, rel)
            else:
                inside = unpacker.open(path, rel, depth + 1)
                if inside is not None:
                    walk(inside, rel, depth + 1)
        else:
            attachments.append((rel, attachment_note(path)))

    def walk(root: Path, prefix: str = "", depth: int = 0) -> None:
        for dirpath, dirnames, filenames in os.walk(root):  # links to folders are listed, never walked
            here = Path(dirpath)
            earlier = any(is_own_output(here / name) for name in (SUMMARY_NAME, JSON_NAME) if name in filenames)
            kept = []
            for d in sorted(dirnames):
                if (here / d).is_symlink():
                    rel = os.path.join(prefix, readable(str((here / d).relative_to(root))))
                    why = link_problem(here / d, root)
                    if why:
                        unsupported.append((rel, why))
                    else:
                        target = Path(os.path.realpath(here / d)).relative_to(os.path.realpath(root))
                        attachments.append((rel, INNER_LINK_NOTE.format(target=readable(str(target)))))
                    continue
                if (here / d).resolve() == outdir:
                    continue
                if earlier and d == "filled":
                    own.extend(os.path.join(prefix, readable(str(p.relative_to(root))))
                               for p in sorted((here / d).rglob("*")) if p.is_file())
                    continue
                kept.append(d)
            dirnames[:] = kept
            for name in sorted(filenames):
                path = here / name
                rel = os.path.join(prefix, readable(str(path.relative_to(root))))
                why = link_problem(path, root)
                if why:  # a link out of the folder, or to nothing: said so, never opened
                    unsupported.append((rel, why))
                else:
                    consider(path, rel, depth)

    for item in inputs:
        root = Path(item)
        # os.path's never raise (Path's do for a name over 255 bytes: a file that cannot be opened, U009 文件名太长)
        if os.path.isdir(root):
            walk(root)
        elif os.path.exists(root) or len(os.fsencode(root.name)) > 255:
            consider(root, readable(root.name))
        else:
            unsupported.append((str(root), NOT_FOUND))
    return tasks, unsupported, attachments, own


_SURROGATE = re.compile("[\udc80-\udcff]")  # a byte of a file name that is not UTF-8, as Python holds it


def readable(rel: str) -> str:
    """A relative path as people read it.  A zip made on Chinese Windows stores GBK names, which unzip on
    Linux writes as they are: each part of the path that is not UTF-8 is read as GB18030 (else shown with
    "\ufffd").  Only what is shown and mirrored under filled/ changes; the file is read from its own path."""
    if not _SURROGATE.search(rel):
        return rel
    parts = []
    for part in rel.split(os.sep):
        raw = part.encode("utf-8", "surrogateescape")
        try:
            parts.append(raw.decode("utf-8") if not _SURROGATE.search(part) else raw.decode("gb18030"))
        except UnicodeDecodeError:
            parts.append(raw.decode("utf-8", "replace"))
    return os.sep.join(parts)
