"""Zip archives, safely: the checks every zip passes before anything is unpacked (the batch page's uploads,
excel/batch_web.py).

A zip is checked before a byte is written: entry count, total uncompressed size, compression ratio (of each
entry over 1 MB, and of the whole archive once it unpacks to more than 10 MB), names (``..``, absolute paths,
drive letters), symlinks and passwords; unpacking counts the bytes actually written as well.  Names stored
without the UTF-8 flag are read as UTF-8, else GBK (Chinese Windows).  A refusal is ``ArchiveRefused``: the
text the batch page shows for an upload, and ``why``, the reason alone, for a zip found in a folder.

Limits (environment variables): JIXIAO_BATCH_MAX_UNZIPPED_MB (1000), JIXIAO_BATCH_MAX_ENTRIES (10000),
JIXIAO_BATCH_MAX_RATIO (200), JIXIAO_BATCH_MAX_UPLOAD_MB (200), JIXIAO_BATCH_TIMEOUT (60 seconds a file).
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import problems

MB = 1 << 20
RATIO_FLOOR = 10 * MB  # a zip unpacking to no more than this is not refused for its overall ratio


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
    """A positive number from the environment (a limit), else ``default``."""
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


def safe_relpath(name: str) -> PurePosixPath:
    """A relative path inside the folder unpacked to, or ArchiveRefused (``..``, absolute paths, drive letters)."""
    text = name.replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if (not parts or text.startswith("/") or ".." in parts or ":" in parts[0]
            or any("\x00" in p for p in parts)):
        raise ArchiveRefused("U201", f"文件名“{name}”指向上传文件夹以外的位置（含“..”、绝对路径或盘符），已拒绝整个上传。"
                             "请直接压缩存放材料的文件夹后重新上传。",
                             f"其中的“{name}”指向压缩包以外的位置（含“..”、绝对路径或盘符），整个压缩包未解压")
    return PurePosixPath(*parts)


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name.  Without the UTF-8 flag, zipfile reads the bytes as cp437: Linux's and macOS's zip
    write UTF-8 there (tried first, strictly: GBK rarely passes for UTF-8), Chinese Windows writes GBK."""
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
