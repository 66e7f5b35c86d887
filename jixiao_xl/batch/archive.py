"""Zip archives, safely: the checks every zip passes before anything is unpacked, shared by the batch page's
uploads (excel/batch_web.py) and the archives ``batch`` finds among the submissions (``Unpacker``).

A zip is checked before a byte is written: entry count, total uncompressed size, compression ratio (of each
entry over 1 MB, and of the whole archive once it unpacks to more than 10 MB), names (``..``, absolute paths,
drive letters), symlinks and passwords; unpacking counts the bytes actually written as well.  Names stored
without the UTF-8 flag are read as UTF-8, else GBK (Chinese Windows).  A refusal is ``ArchiveRefused``: the
text the batch page shows for an upload, and ``why``, the reason alone, for a zip found in a folder.

In a batch an archive's files are checked as if they lay in a folder named after it ("汨罗/司法局.zip/a.xlsx"),
and they belong to the folder the archive lies in (``outer_folder``): the unit's.  Zips inside zips are opened
to a depth of MAX_DEPTH; .rar, .7z and the like are not opened and are said so.

Limits (environment variables): JIXIAO_BATCH_MAX_UNZIPPED_MB (1000: one archive, and in a batch all its
archives together), JIXIAO_BATCH_MAX_ENTRIES (10000), JIXIAO_BATCH_MAX_RATIO (200), JIXIAO_BATCH_MAX_UPLOAD_MB
(200), JIXIAO_BATCH_TIMEOUT (60 seconds a file).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from .. import problems
from ..xlsx.files import entry_name

MB = 1 << 20
RATIO_FLOOR = 10 * MB  # a zip unpacking to no more than this is not refused for its overall ratio
MAX_DEPTH = 3  # zips inside zips opened in a batch: a zip, a zip in it, and one in that
ZIP_SUFFIXES = (".zip",)
# archives this tool does not open (a file so named that is a zip after all is opened)
OTHER_SUFFIXES = (".rar", ".7z", ".zipx", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".cab", ".arj", ".lzh", ".z01")
SUFFIXES = ZIP_SUFFIXES + OTHER_SUFFIXES
_MAGIC = ((b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"),
          (b"\xfd7zXZ\x00", "xz"), (b"MSCF", "CAB"))
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


class ArchiveRefused(problems.Refused):
    """A zip refused (codes U201 unsafe, U202 over a limit, U203 cannot be unpacked): ``str()`` is the text
    for an upload, ``why`` the reason alone (said of a zip found in a batch's folder)."""

    def __init__(self, code: str, text: str, why: str):
        super().__init__(code, text)
        self.why = why


@dataclass
class Limits:
    upload: int
    unzipped: int
    entries: int
    ratio: float
    timeout: float


def env_number(name: str, default: float) -> float:
    """A positive number from the environment (a limit: the batch page's, the server's), else ``default``."""
    try:
        value = float(os.environ.get(name, ""))
        return value if value > 0 else default
    except ValueError:
        return default


def limits() -> Limits:
    return Limits(upload=int(env_number("JIXIAO_BATCH_MAX_UPLOAD_MB", 200) * MB),
                  unzipped=int(env_number("JIXIAO_BATCH_MAX_UNZIPPED_MB", 1000) * MB),
                  entries=int(env_number("JIXIAO_BATCH_MAX_ENTRIES", 10000)),
                  ratio=env_number("JIXIAO_BATCH_MAX_RATIO", 200),
                  timeout=env_number("JIXIAO_BATCH_TIMEOUT", 60))


def mb(size: int) -> str:
    return f"{size / MB:g} MB"


# ------------------------------------------------------------------ names and zips


MAX_LEVELS = 64  # folders a name may go down: a submission has a handful


def safe_relpath(name: str) -> PurePosixPath:
    """A relative path inside the folder unpacked to, or ArchiveRefused (``..``, absolute paths, drive letters,
    more than MAX_LEVELS levels)."""
    text = name.replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if (not parts or text.startswith("/") or ".." in parts or ":" in parts[0]
            or any("\x00" in p for p in parts)):
        raise ArchiveRefused("U201", f"文件名“{name}”指向上传文件夹以外的位置（含“..”、绝对路径或盘符），已拒绝整个上传。"
                             "请直接压缩存放材料的文件夹后重新上传。",
                             f"其中的“{name}”指向压缩包以外的位置（含“..”、绝对路径或盘符），整个压缩包未解压")
    if len(parts) > MAX_LEVELS:  # far beyond any submission; Path's recursive mkdir ran out of stack before the OS
        shown = _shown(name)
        raise ArchiveRefused("U203", f"“{shown}”的文件夹层级太深（{len(parts)} 层，上限 {MAX_LEVELS} 层），无法保存。"
                             "请减少文件夹层级后重新上传。",
                             f"其中的“{shown}”文件夹层级太深（{len(parts)} 层，上限 {MAX_LEVELS} 层），整个压缩包未解压")
    return PurePosixPath(*parts)


def _shown(name: str) -> str:
    return name if len(name) <= 60 else name[:28] + "…" + name[-28:]


def _unpackable(info: zipfile.ZipInfo, exc: BaseException) -> ArchiveRefused:
    """Why an entry could not be written: a name too long for the file system is said so."""
    import errno

    shown = _shown(entry_name(info))
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        return ArchiveRefused("U203", f"压缩包中的“{shown}”文件名或文件夹层级太长（超过服务器文件系统允许的长度），无法解压。"
                              "请缩短文件夹和文件的名称后重新上传。",
                              f"其中的“{shown}”文件名或文件夹层级太长（超过文件系统允许的长度）")
    return ArchiveRefused("U203", f"压缩包中的“{shown}”无法解压（压缩包可能已损坏）。请重新压缩后上传。",
                          f"其中的“{shown}”无法解压（压缩包可能已损坏）")


def _encrypted(name: str) -> ArchiveRefused:
    return ArchiveRefused("U203", f"压缩包中的“{name}”有密码，无法解压。请去掉压缩包密码后重新上传。",
                          f"其中的“{name}”设有密码")


def unpack(path: Path, dest: Path, lim: Limits) -> tuple[int, int]:
    """Extract a checked zip into dest: (files, bytes written).  ArchiveRefused before writing anything when
    the zip is not one, breaks a limit or has a password; the bytes written are counted as well."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchiveRefused("U203", "上传的文件不是有效的 .zip 压缩包（可能不是 zip 格式或已损坏）。"
                             "请用“发送到 → 压缩(zipped)文件夹”重新压缩后上传，或直接选择文件夹上传。",
                             "不是有效的 zip 压缩包（可能不是 zip 格式或已损坏）") from None
    with archive:
        infos = archive.infolist()
        packed = 0
        if len(infos) > lim.entries:
            raise ArchiveRefused("U202", f"压缩包中有 {len(infos)} 个条目，超过上限 {lim.entries} 个。请分批上传。",
                                 f"其中有 {len(infos)} 个条目，超过上限 {lim.entries} 个")
        total = 0
        plan = []
        for info in infos:
            name = entry_name(info)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveRefused("U201", f"压缩包中的“{name}”是符号链接，已拒绝整个压缩包。请只压缩文件本身后重新上传。",
                                     f"其中的“{name}”是符号链接，整个压缩包未解压")
            rel = safe_relpath(name)
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise _encrypted(name)
            total += info.file_size
            packed += info.compress_size
            if total > lim.unzipped:
                raise ArchiveRefused("U202", f"压缩包解压后超过 {mb(lim.unzipped)}（上限），已拒绝。请分批上传。",
                                     f"解压后超过 {mb(lim.unzipped)}（上限）")
            if info.file_size > MB and info.file_size > lim.ratio * max(info.compress_size, 1):
                raise ArchiveRefused("U201", f"压缩包中的“{name}”压缩比异常（{info.compress_size} 字节解压为 "
                                     f"{info.file_size} 字节），可能是恶意压缩包，已拒绝。",
                                     f"其中的“{name}”压缩比异常（{info.compress_size} 字节解压为 {info.file_size} 字节），"
                                     "可能是恶意压缩包")
            plan.append((info, rel))
        # The whole archive: many small entries of zeros pass the check above one by one.  Its stored
        # sizes may lie, but not beyond the file; an entry never yields more than its stated size.
        packed = max(min(packed, path.stat().st_size), 1)
        if total > max(RATIO_FLOOR, lim.ratio * packed):
            raise ArchiveRefused("U201", f"压缩包解压后共 {total} 字节，是压缩后大小（{packed} 字节）的 {total // packed} 倍，"
                                 f"超过上限 {lim.ratio:g} 倍，可能是恶意压缩包，已拒绝。",
                                 f"解压后共 {total} 字节，是压缩后大小的 {total // packed} 倍，可能是恶意压缩包")
        written = 0
        count = 0
        for info, rel in plan:
            target = dest.joinpath(*rel.parts)
            try:
                if dest.resolve() not in target.resolve().parents:
                    raise ArchiveRefused("U201", f"压缩包中的“{entry_name(info)}”指向上传文件夹以外的位置，已拒绝。",
                                         f"其中的“{entry_name(info)}”指向压缩包以外的位置")
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a name or a nesting longer than the file system takes
                raise _unpackable(info, exc) from None
            try:
                with archive.open(info) as source, open(target, "xb") as sink:
                    while chunk := source.read(MB):
                        written += len(chunk)
                        if written > lim.unzipped:
                            raise ArchiveRefused("U202", f"压缩包解压后超过 {mb(lim.unzipped)}（上限），已拒绝。请分批上传。",
                                                 f"解压后超过 {mb(lim.unzipped)}（上限）")
                        sink.write(chunk)
            except FileExistsError:
                raise ArchiveRefused("U201", f"压缩包中“{entry_name(info)}”出现了不止一次，已拒绝。请重新压缩后上传。",
                                     f"其中的“{entry_name(info)}”出现了不止一次") from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                    ValueError, OSError) as exc:
                if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
                    raise _encrypted(entry_name(info)) from None
                raise _unpackable(info, exc) from None
            count += 1
    return count, written


def extract_zip(path: Path, dest: Path, lim: Limits) -> int:
    """Extract a checked zip into dest; returns the number of files (see ``unpack``)."""
    return unpack(path, dest, lim)[0]


# ------------------------------------------------------------------ archives among a batch's files


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(8)
    except OSError:
        return b""


def _format(head: bytes) -> str | None:
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


def archive_kind(path: Path) -> str | None:
    """"zip" for a zip to open, "other" for an archive this tool does not open (.rar, .7z …), None for any
    other file.  Asked of a file that is not a workbook (an .xlsx is a zip too: collect asks that first)."""
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        return "zip"
    head = _head(path)
    if suffix in OTHER_SUFFIXES:
        return "zip" if head.startswith(_ZIP_MAGIC) else "other"
    return "other" if _format(head) in ("RAR", "7z") else None


def outer_folder(rel: str) -> str:
    """The folder a file belongs to, "/" between parts: a file from an archive belongs to the folder the
    archive lies in ("汨罗/司法局.zip/a.xlsx": 汨罗), and so do the folders inside the archive
    ("材料.zip/汨罗/a.xlsx": 汨罗)."""
    parts = Path(rel).parent.parts
    return "/".join(p for p in parts if not p.lower().endswith(SUFFIXES) and p != ".")


ADVICE = {"U201": "请核实来源，或请报送单位重新压缩后再报送",
          "U202": "请解压后再运行",
          "U203": "请解压后再运行；解压不了的请报送单位重新压缩（不设密码）后再报送"}


@dataclass
class Unopened:
    """An archive found among the submissions that was not opened: its place, the catalogue code and why."""

    rel: str
    code: str  # U017 could not be opened (damaged, password, unsafe, too big, too deep), U018 a format not opened
    reason: str


@dataclass
class Unpacker:
    """Opens the zips a batch finds into one temporary folder (in ``scratch``, else the system's), removed by
    ``close`` whatever happened; the input archives are only read.  Keeps what a run needs to name the files
    it unpacked: their place for people (``shown``), the folder they count as lying in (``places``: a report
    beside a zip pairs with the workbook in it), and the rel of each (``sources``)."""

    lim: Limits
    scratch: str | None = None
    opened: list = field(default_factory=list)  # (rel, files) of the archives opened
    unopened: list = field(default_factory=list)  # Unopened
    sources: dict = field(default_factory=dict)  # rel of a file from an archive -> its path in the temporary folder
    places: dict = field(default_factory=dict)  # that path -> the folder it counts as lying in
    shown: dict = field(default_factory=dict)  # that path -> the archive's path, then the path inside it
    _root: Path | None = None
    _used: int = 0  # bytes unpacked so far (all archives of a run together within lim.unzipped)

    def root(self) -> Path:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="jixiao_zip-", dir=self.scratch))
        return self._root

    def refuse(self, rel: str, code: str, text: str | None = None, **fields) -> None:
        """An archive not opened, for a catalogued reason (problems.py U017, U018)."""
        self.unopened.append(Unopened(rel, code, problems.PROBLEMS[code].text(text, **fields)))

    def other(self, path: Path, rel: str) -> None:
        """An archive of a format this tool does not open (.rar, .7z …)."""
        self.refuse(rel, "U018", kind=_format(_head(path)) or path.suffix.lstrip(".").upper())

    def open(self, path: Path, rel: str, depth: int) -> Path | None:
        """Unpack the zip ``path`` (``rel`` in the batch, ``depth`` its nesting: 1 for one lying in a folder):
        the folder it is unpacked to, or None when it could not be (said in ``unopened``)."""
        if depth > MAX_DEPTH:
            self.refuse(rel, "U017", detail=f"压缩包里套压缩包超过 {MAX_DEPTH} 层，这一层未解压")
            return None
        kind = _format(_head(path))
        if kind:  # a RAR or 7z archive named .zip
            self.refuse(rel, "U018", kind=kind)
            return None
        left = self.lim.unzipped - self._used
        dest = self.root() / str(len(self.opened) + len(self.unopened))
        dest.mkdir()
        try:
            files, size = unpack(path, dest, replace(self.lim, unzipped=left))
        except ArchiveRefused as exc:
            shutil.rmtree(dest, ignore_errors=True)
            why = exc.why
            if exc.code == "U202" and left < self.lim.unzipped and why.startswith("解压后超过"):
                why = f"这一批的压缩包解压后共超过 {mb(self.lim.unzipped)}（上限）"
            self.refuse(rel, "U017", f"压缩包无法打开：{why}；{ADVICE[exc.code]}")
            return None
        self._used += size
        self.opened.append((rel, files))
        place = self.places.get(str(path), path.parent)
        shown = self.shown.get(str(path), str(path))
        for file in dest.rglob("*"):
            if file.is_file():
                inner = file.relative_to(dest)
                self.places[str(file)] = place.joinpath(*inner.parent.parts)
                self.shown[str(file)] = os.path.join(shown, *inner.parts)
                self.sources[os.path.join(rel, *inner.parts)] = str(file)
        return dest

    def close(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None
