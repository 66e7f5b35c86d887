"""批量校验 in a browser: the add-in server's /jixiao/batch page and its job routes.

A reviewer uploads a .zip of submissions (or several files / a folder); the server
checks them with ``batch.run`` in a background thread (one job at a time, each file
within the CLI's time limit) in a job folder under a temporary directory, and the page
offers 汇总.xlsx (and the filled copies as a .zip) for download.

Slots: at most MAX_JOBS (8) jobs queued or running; a ninth start is refused (503) and may be
retried.  Jobs still being uploaded are bounded apart (MAX_UPLOADING, 16): when that is full, a new
job drops the oldest *empty* one (nothing uploaded yet), so empty jobs never block a real upload;
an uploading job that receives nothing for 10 minutes is dropped.  Finished jobs hold no slot.

Disk: the uploaded material (收到的材料: zips and extracted files) is deleted when the run ends,
whether it succeeded or not; the results are kept until downloaded, or for an hour.  Job folders
live in a folder of this server process, <root>/run-<pid>-<process start>; the first use of a root
deletes the run folders of server processes that no longer run (another live server's stay).  The
root is JIXIAO_BATCH_DIR, or $TMPDIR/jixiao_batch-<uid> made 0700; a root that is a symlink, owned
by another user or writable by group/others is not used (the default one is replaced by a fresh
private folder, a JIXIAO_BATCH_DIR one is refused in Chinese).  JIXIAO_BATCH_KEEP=1 keeps every
folder (and the material) and sweeps nothing.

Every upload is a raw request body streamed to disk with a byte cap (no multipart
spooling), and every zip is checked before anything is extracted: entry count, total
uncompressed size, compression ratio (of each entry over 1 MB, and of the whole archive
once it unpacks to more than 10 MB), names (``..``, absolute paths, drive letters) and
symlinks; extraction counts the bytes actually written as well.  Every refusal is
a Chinese message the page shows; nothing is written outside the job folder.

Limits (environment variables): JIXIAO_BATCH_MAX_UPLOAD_MB (200), JIXIAO_BATCH_MAX_UNZIPPED_MB
(1000), JIXIAO_BATCH_MAX_ENTRIES (10000), JIXIAO_BATCH_MAX_RATIO (200), JIXIAO_BATCH_TIMEOUT
(seconds per file, 60), JIXIAO_BATCH_DIR (where job folders go), JIXIAO_BATCH_KEEP.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from .. import problems
from .guard import env_number

router = APIRouter()
logger = logging.getLogger("jixiao_xl.excel.batch_web")

MB = 1 << 20
JOB_TTL = 3600.0  # seconds a finished job's results are kept when nobody downloads them
UPLOAD_IDLE = 600.0  # seconds an uploading job may receive nothing (an empty one: since it was made)
MAX_JOBS = 8  # jobs queued or running at once; checked when a job starts
MAX_UPLOADING = 16  # jobs being uploaded at once; a new one drops the oldest empty one when full
RATIO_FLOOR = 10 * MB  # a zip unpacking to no more than this is not refused for its overall ratio
_RUN_LOCK = threading.Lock()  # one batch at a time: the machine's cores are the workers'
_JOBS: dict[str, "Job"] = {}
_JOBS_LOCK = threading.Lock()


class Refused(problems.Refused):
    """An upload or zip the server refuses: the message (Chinese) shown in the page, the HTTP status, and the
    reason's code in the catalogue of file problems (problems.py, U2xx)."""

    def __init__(self, message: str, status: int = 400, code: str = "U204"):
        super().__init__(code, message)
        self.status = status


@dataclass
class Limits:
    upload: int
    unzipped: int
    entries: int
    ratio: float
    timeout: float


def limits() -> Limits:
    return Limits(upload=int(env_number("JIXIAO_BATCH_MAX_UPLOAD_MB", 200) * MB),
                  unzipped=int(env_number("JIXIAO_BATCH_MAX_UNZIPPED_MB", 1000) * MB),
                  entries=int(env_number("JIXIAO_BATCH_MAX_ENTRIES", 10000)),
                  ratio=env_number("JIXIAO_BATCH_MAX_RATIO", 200),
                  timeout=env_number("JIXIAO_BATCH_TIMEOUT", 60))


def _keep() -> bool:
    return os.environ.get("JIXIAO_BATCH_KEEP", "").strip().lower() in ("1", "true", "yes")


def _now() -> float:
    return time.monotonic()


# ------------------------------------------------------------------ the private root and this process's run folder


_RUNS: dict[str, Path] = {}  # configured root ("" for the default) -> this process's run folder in it
_RUNS_LOCK = threading.Lock()
_RUN_NAME = re.compile(r"run-(\d+)-(\d+)")
_SWEEPER: list[threading.Thread] = []


def _uid() -> int | None:
    getuid = getattr(os, "getuid", None)  # None on Windows, where the temporary folder is the user's own
    return getuid() if getuid else None


def _root_problem(path: Path) -> str:
    """Why a root folder may not hold uploads (Chinese, '' when it is private to this user)."""
    try:
        info = os.lstat(path)
    except OSError:
        return "无法访问"
    if stat.S_ISLNK(info.st_mode):
        return "是符号链接"
    if not stat.S_ISDIR(info.st_mode):
        return "不是文件夹"
    uid = _uid()
    if uid is None:
        return ""
    if info.st_uid != uid:
        return "属于其他用户"
    if info.st_mode & 0o022:
        return "其他用户可以写入"
    return ""


def _private_root(configured: str) -> Path:
    if configured:
        root = Path(configured)
        try:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            problem = "无法创建"
        else:
            problem = _root_problem(root)
        if problem:
            raise Refused(f"批量校验的临时文件夹 {root}（JIXIAO_BATCH_DIR）{problem}，为保护上传的材料，服务器不使用它。"
                          "请把 JIXIAO_BATCH_DIR 改为只有自己能写入的文件夹，或删去这项设置。", 500, code="U206")
        return root
    tag = "" if _uid() is None else f"-{_uid()}"
    root = Path(tempfile.gettempdir()) / f"jixiao_batch{tag}"
    try:
        root.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        problem = "无法创建"
    else:
        problem = _root_problem(root)
    if problem:  # someone else's, or loose: a fresh private folder for this process instead
        fresh = Path(tempfile.mkdtemp(prefix=f"jixiao_batch{tag}-"))
        logger.warning("批量校验的临时文件夹 %s %s，本次改用 %s", root, problem, fresh)
        return fresh
    if _uid() is not None and os.lstat(root).st_mode & 0o077:
        os.chmod(root, 0o700)  # ours and not writable by others: make it unreadable too
    return root


def _process_start(pid: int) -> str | None:
    """When process pid started, as a token to tell it from a later process with the same pid: None when
    no process pid runs, "?" when it runs but its start cannot be read, "0" where no start time is known."""
    if sys.platform == "win32":
        return _windows_process_start(pid)
    if os.path.exists("/proc/self/stat"):
        try:
            text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            return None
        except OSError:
            return "?"
        fields = text.rpartition(")")[2].split()  # from field 3 of stat, the state, on
        if fields[:1] in (["Z"], ["X"]):
            return None  # a zombie: it has ended, nobody reaped it yet
        return fields[19] if len(fields) > 19 else "?"  # field 22: start time in clock ticks
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return None  # another user's process: the root is this user's, so its server is gone
    return "0"


def _windows_process_start(pid: int) -> str | None:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
    kernel32.GetProcessTimes.argtypes = (wintypes.HANDLE,) + (ctypes.POINTER(wintypes.FILETIME),) * 4
    kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return "?" if ctypes.get_last_error() == 5 else None  # ERROR_ACCESS_DENIED: it runs
    try:
        code = wintypes.DWORD()
        if kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value != 259:  # STILL_ACTIVE
            return None
        times = [wintypes.FILETIME() for _ in range(4)]
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return "?"
        return str(times[0].dwHighDateTime << 32 | times[0].dwLowDateTime)
    finally:
        kernel32.CloseHandle(handle)


def _alive(pid: int, start: str) -> bool:
    now = _process_start(pid)
    return now is not None and now in (start, "?")


def _sweep_runs(root: Path) -> None:
    """Delete the run folders of server processes that no longer run (not a live server's, not ours)."""
    if _keep():
        return
    try:
        folders = list(root.iterdir())
    except OSError:
        return
    for folder in folders:
        match = _RUN_NAME.fullmatch(folder.name)
        if match and not folder.is_symlink() and folder.is_dir() and not _alive(int(match[1]), match[2]):
            logger.info("批量校验：删除已停止的服务进程留下的 %s", folder)
            shutil.rmtree(folder, ignore_errors=True)


def _root() -> Path:
    """This process's run folder, where its job folders go (made, and the root swept, at first use)."""
    configured = os.environ.get("JIXIAO_BATCH_DIR", "")
    with _RUNS_LOCK:
        run = _RUNS.get(configured)
        if run is not None and run.is_dir():
            return run
        root = _private_root(configured)
        if run is None or run.parent != root:
            _sweep_runs(root)
        start = _process_start(os.getpid()) or ""
        run = root / f"run-{os.getpid()}-{start if start.isdigit() else 0}"
        run.mkdir(mode=0o700, exist_ok=True)
        _RUNS[configured] = run
        if not _SWEEPER:
            _SWEEPER.append(threading.Thread(target=_sweeper, name="jixiao-batch-sweeper", daemon=True))
            _SWEEPER[0].start()
    return run


def _sweeper() -> None:
    """Expired jobs go even when no request comes."""
    while True:
        time.sleep(60)
        try:
            _sweep()
        except Exception as exc:  # never let the thread die
            logger.error("批量校验：清理过期任务失败", exc_info=exc)


def _mb(size: int) -> str:
    return f"{size / MB:g} MB"


@dataclass
class Job:
    id: str
    folder: Path
    fill: bool
    state: str = "uploading"  # uploading / waiting / running / done / failed
    uploaded: int = 0
    done: int = 0
    total: int = 0
    message: str = "正在上传"
    error: str = ""
    code: str | None = None  # the error's code (problems.py), None for an unexpected failure
    closing: str = ""
    created: float = field(default_factory=lambda: _now())
    touched: float = field(default_factory=lambda: _now())  # when the last uploaded bytes came
    files: int = 0  # files uploaded
    finished: float = 0.0
    fetched: set = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return self.state == "uploading" and not self.files and not self.uploaded

    @property
    def inbox(self) -> Path:
        return self.folder / "收到的材料"

    @property
    def out(self) -> Path:
        return self.folder / "结果"

    def status(self) -> dict:
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.total, "message": self.message,
                "error": self.error, "code": self.code, "closing": self.closing, "fill": self.fill}


def _remove(job: Job) -> None:
    with _JOBS_LOCK:
        _JOBS.pop(job.id, None)
    shutil.rmtree(job.folder, ignore_errors=True)


def _drop(job: Job) -> None:
    """Forget a job and delete its folder (JIXIAO_BATCH_KEEP=1: the folder stays)."""
    if _keep():
        with _JOBS_LOCK:
            _JOBS.pop(job.id, None)
    else:
        _remove(job)


def _sweep() -> None:
    """Forget (and delete) jobs nobody came back for: results after an hour, an upload idle for 10 minutes."""
    now = _now()
    with _JOBS_LOCK:
        stale = [j for j in _JOBS.values()
                 if (j.state in ("done", "failed") and now - j.finished > JOB_TTL)
                 or (j.state == "uploading" and now - j.touched > UPLOAD_IDLE)]
    for job in stale:
        _drop(job)


def _job(job_id: str) -> Job:
    with _JOBS_LOCK:
        job = _JOBS.get(job_id)
    if job is None:
        raise Refused("找不到这个批量校验任务（可能已下载完毕并清理、上传中断太久已过期，或服务已重启）。请重新上传。", 404)
    return job


def _refusal(exc: Refused) -> JSONResponse:
    return JSONResponse({"error": str(exc), "code": exc.code}, status_code=exc.status)


# ------------------------------------------------------------------ names and zips


def safe_relpath(name: str) -> PurePosixPath:
    """A relative path inside the job folder, or Refused (``..``, absolute paths, drive letters)."""
    text = name.replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if (not parts or text.startswith("/") or ".." in parts or ":" in parts[0]
            or any("\x00" in p for p in parts)):
        raise Refused(f"文件名“{name}”指向上传文件夹以外的位置（含“..”、绝对路径或盘符），已拒绝整个上传。"
                      "请直接压缩存放材料的文件夹后重新上传。", code="U201")
    return PurePosixPath(*parts)


def _entry_name(info: zipfile.ZipInfo) -> str:
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


def _unpackable(info: zipfile.ZipInfo, exc: BaseException) -> str:
    """Why an entry could not be written, in Chinese: a name too long for the file system is said so."""
    import errno

    name = _entry_name(info)
    shown = name if len(name) <= 60 else name[:28] + "…" + name[-28:]
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        return (f"压缩包中的“{shown}”文件名或文件夹层级太长（超过服务器文件系统允许的长度），无法解压。"
                "请缩短文件夹和文件的名称后重新上传。")
    return f"压缩包中的“{shown}”无法解压（压缩包可能已损坏）。请重新压缩后上传。"


def extract_zip(path: Path, dest: Path, lim: Limits) -> int:
    """Extract a checked zip into dest; returns the number of files.  Refused before writing anything
    when the zip is not one, or breaks a limit; the bytes written are counted as well."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("上传的文件不是有效的 .zip 压缩包（可能不是 zip 格式或已损坏）。"
                      "请用“发送到 → 压缩(zipped)文件夹”重新压缩后上传，或直接选择文件夹上传。", code="U203") from None
    with archive:
        infos = archive.infolist()
        packed = 0
        if len(infos) > lim.entries:
            raise Refused(f"压缩包中有 {len(infos)} 个条目，超过上限 {lim.entries} 个。请分批上传。", code="U202")
        total = 0
        plan = []
        for info in infos:
            name = _entry_name(info)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise Refused(f"压缩包中的“{name}”是符号链接，已拒绝整个压缩包。请只压缩文件本身后重新上传。", code="U201")
            rel = safe_relpath(name)
            if info.is_dir():
                continue
            total += info.file_size
            packed += info.compress_size
            if total > lim.unzipped:
                raise Refused(f"压缩包解压后超过 {_mb(lim.unzipped)}（上限），已拒绝。请分批上传。", code="U202")
            if info.file_size > MB and info.file_size > lim.ratio * max(info.compress_size, 1):
                raise Refused(f"压缩包中的“{name}”压缩比异常（{info.compress_size} 字节解压为 {info.file_size} 字节），"
                              "可能是恶意压缩包，已拒绝。", code="U201")
            plan.append((info, rel))
        # The whole archive: many small entries of zeros pass the check above one by one.  Its stored
        # sizes may lie, but not beyond the file; an entry never yields more than its stated size.
        packed = max(min(packed, path.stat().st_size), 1)
        if total > max(RATIO_FLOOR, lim.ratio * packed):
            raise Refused(f"压缩包解压后共 {total} 字节，是压缩后大小（{packed} 字节）的 {total // packed} 倍，"
                          f"超过上限 {lim.ratio:g} 倍，可能是恶意压缩包，已拒绝。", code="U201")
        written = 0
        count = 0
        for info, rel in plan:
            target = dest.joinpath(*rel.parts)
            try:
                if dest.resolve() not in target.resolve().parents:
                    raise Refused(f"压缩包中的“{_entry_name(info)}”指向上传文件夹以外的位置，已拒绝。", code="U201")
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # a name or a nesting longer than the file system takes
                raise Refused(_unpackable(info, exc), code="U203") from None
            try:
                with archive.open(info) as source, open(target, "xb") as sink:
                    while chunk := source.read(MB):
                        written += len(chunk)
                        if written > lim.unzipped:
                            raise Refused(f"压缩包解压后超过 {_mb(lim.unzipped)}（上限），已拒绝。请分批上传。", code="U202")
                        sink.write(chunk)
            except FileExistsError:
                raise Refused(f"压缩包中“{_entry_name(info)}”出现了不止一次，已拒绝。请重新压缩后上传。", code="U201") from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                    ValueError, OSError) as exc:
                if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
                    raise Refused(f"压缩包中的“{_entry_name(info)}”有密码，无法解压。请去掉压缩包密码后重新上传。", code="U203") from None
                raise Refused(_unpackable(info, exc), code="U203") from None
            count += 1
    return count


# ------------------------------------------------------------------ the job


def _run(job: Job) -> None:
    from ..batch import run

    lim = limits()
    try:
        with _RUN_LOCK:
            job.state, job.message = "running", "正在解压"
            material = job.inbox / "材料"
            material.mkdir(exist_ok=True)
            zips = sorted((job.inbox / "zips").glob("*.zip")) if (job.inbox / "zips").is_dir() else []
            alone = len(zips) == 1 and not any(material.iterdir())
            for upload in zips:  # one zip alone: its folders as they are; several: one folder each
                extract_zip(upload, material if alone else material / upload.stem, lim)
                upload.unlink()
            if not any(p.is_file() for p in material.rglob("*")):
                raise Refused("上传的材料中没有文件。请选择含有自评表（.xlsx）的压缩包或文件夹。", code="U207")
            job.message = "正在校验工作簿"

            def progress(done: int, total: int) -> None:  # the workbooks; the reports come after them
                job.done, job.total = done, total

            progress.stage = lambda text: setattr(job, "message", f"工作簿已校验，{text}")  # type: ignore[attr-defined]

            store, unit_map = _store()
            try:
                result = run([str(material)], str(job.out), fill=job.fill, jobs=None, timeout=lim.timeout,
                             progress=progress, store=store, unit_map=unit_map, stored_names="rel")
            finally:
                if store is not None:
                    store.shut()
            if job.fill:
                job.message = "正在打包填写后的副本"
                _zip_folder(job.out / "filled", job.folder / "填写后的副本.zip")
            if not _keep():
                shutil.rmtree(job.inbox, ignore_errors=True)  # the material goes; the results wait for download
            job.closing = result.closing_line() + (f"；{store.summary('服务器上的绩效库')}" if store is not None else "")
            job.message = "已完成"
            job.finished = _now()
            job.state = "done"  # last: a poll that sees it finds everything in place
            return
    except Refused as exc:
        error, code = str(exc), exc.code
    except Exception as exc:  # the page shows a Chinese message; the log keeps the detail
        logger.error("批量校验 failed", exc_info=exc)
        error, code = "批量校验时出现意外错误（详细原因已记入服务器日志）。请重试；仍不成功请联系管理员。", None
    shutil.rmtree(job.folder, ignore_errors=True)  # nothing of a refused job is kept; its status says why
    job.error, job.code, job.message = error, code, "未完成"
    job.finished = _now()
    job.state = "failed"


STORE_ENV = "JIXIAO_BATCH_STORE"  # addin serve --store: every batch of the page goes into this store
UNIT_MAP_ENV = "JIXIAO_BATCH_UNIT_MAP"


def _store():
    """The server's store (``addin serve --store``), opened for one run (runs are one at a time), or None.
    It stays on the server: the page offers its 汇总 (with 跨年), never the store itself."""
    path = os.environ.get(STORE_ENV)
    if not path:
        return None, None
    from ..store.db import Store
    from ..store.records import StoreError, UnitMap

    try:
        unit_map = UnitMap.read(os.environ.get(UNIT_MAP_ENV))
        return Store.open(path, unit_map), unit_map
    except StoreError as exc:
        raise Refused(f"服务器上的绩效库现在不能使用：{exc}") from None


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())


# ------------------------------------------------------------------ routes


@router.get("/jixiao/batch")
async def batch_page():
    from .project import server_dir

    page = server_dir() / "templates" / "jixiao_batch.html"
    text = page.read_text(encoding="utf-8").replace("{{MAX_UPLOAD_MB}}", f"{limits().upload / MB:g}")
    _sweep()
    try:
        _root()  # a server's first page sweeps what earlier server processes left
    except Refused:
        pass  # said when a job is made
    return HTMLResponse(text)


@router.post("/jixiao/batch/jobs")
async def create_job(fill: bool = False):
    """A new job, uploading.  Only queued and running jobs count against MAX_JOBS (when they start);
    uploading ones are bounded by MAX_UPLOADING, and a new job takes the place of the oldest empty one."""
    _sweep()
    try:
        run = _root()
    except Refused as exc:
        return _refusal(exc)
    with _JOBS_LOCK:
        uploading = sorted((j for j in _JOBS.values() if j.state == "uploading"), key=lambda j: j.created)
        dropped = [j for j in uploading if j.empty][:max(0, len(uploading) + 1 - MAX_UPLOADING)]
        if len(uploading) - len(dropped) >= MAX_UPLOADING:
            return _refusal(Refused(f"服务器上正在上传的批量校验任务太多（{MAX_UPLOADING} 个），请稍后再试。", 503, code="U205"))
        for old in dropped:
            _JOBS.pop(old.id, None)
        job_id = uuid.uuid4().hex
        job = Job(job_id, Path(tempfile.mkdtemp(prefix="job-", dir=run)), fill)
        job.inbox.mkdir()
        _JOBS[job_id] = job
    for old in dropped:  # nothing uploaded to them: their pages, if any, will be told to upload again
        _drop(old)
    return job.status()


@router.put("/jixiao/batch/jobs/{job_id}/files")
async def upload_file(job_id: str, name: str, request: Request):
    """One uploaded file (raw body) as ``name`` (a relative path); a .zip is extracted when the job starts.
    The job's uploads together may not exceed the upload cap: the body is counted as it arrives."""
    try:
        job = _job(job_id)
        if job.state != "uploading":
            raise Refused("这个任务已经开始校验，不能再添加文件。请重新上传。", 409)
        lim = limits()
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and job.uploaded + int(declared) > lim.upload:
            raise Refused(f"上传的材料超过 {_mb(lim.upload)}（上限），已拒绝。请分批上传。", 413, code="U202")
        rel = safe_relpath(name)
        if rel.suffix.lower() == ".zip" and len(rel.parts) == 1:
            target = job.inbox / "zips" / rel.name  # extracted when the job starts
        else:
            target = job.inbox / "材料" / Path(*rel.parts)
        try:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except FileExistsError:  # a file where the folder goes
                raise NotADirectoryError(str(target.parent)) from None
            with open(target, "xb") as sink:
                async for chunk in request.stream():
                    job.uploaded += len(chunk)
                    job.touched = _now()
                    if job.uploaded > lim.upload:
                        raise Refused(f"上传的材料超过 {_mb(lim.upload)}（上限），已拒绝。请分批上传。", 413, code="U202")
                    sink.write(chunk)
            job.files += 1
            job.touched = _now()
        except FileExistsError:
            raise Refused(f"“{name}”上传了不止一次。请重新选择后上传。", 409) from None
        except OSError:  # e.g. "a" uploaded, then "a/b"
            raise Refused(f"无法保存“{name}”（与已上传的文件或文件夹同名）。请重新选择后上传。", 409) from None
        except Refused:
            target.unlink(missing_ok=True)
            raise
    except Refused as exc:
        if exc.status in (400, 413):
            try:
                _remove(_job(job_id))  # a refused upload ends its job: nothing of it is kept
            except Refused:
                pass
        return _refusal(exc)
    return job.status()


@router.post("/jixiao/batch/jobs/{job_id}/start")
async def start_job(job_id: str):
    try:
        job = _job(job_id)
        with _JOBS_LOCK:
            if job.state != "uploading" or _JOBS.get(job_id) is not job:
                raise Refused("这个任务已经开始校验。", 409)
            if sum(1 for j in _JOBS.values() if j.state in ("waiting", "running")) >= MAX_JOBS:
                raise Refused(f"服务器上排队和正在进行的批量校验任务已满（{MAX_JOBS} 个），请稍后重试。", 503, code="U205")
            job.state, job.message = "waiting", "排队等待（服务器一次处理一批）"
    except Refused as exc:
        return _refusal(exc)
    threading.Thread(target=_run, args=(job,), name=f"jixiao-batch-{job_id}", daemon=True).start()
    return job.status()


@router.get("/jixiao/batch/jobs/{job_id}")
async def job_status(job_id: str):
    _sweep()
    try:
        return _job(job_id).status()
    except Refused as exc:
        return _refusal(exc)


DOWNLOADS = {"summary": ("结果/汇总.xlsx", "汇总.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
             "filled": ("填写后的副本.zip", "填写后的副本.zip", "application/zip")}


@router.get("/jixiao/batch/jobs/{job_id}/download/{what}")
async def download(job_id: str, what: str):
    from starlette.background import BackgroundTask

    _sweep()
    try:
        job = _job(job_id)
        if what not in DOWNLOADS or (what == "filled" and not job.fill):
            raise Refused("没有这个下载项。", 404)
        if job.state != "done":
            raise Refused("批量校验还没有完成，请等进度条走完再下载。", 409)
        inner, filename, media = DOWNLOADS[what]
        path = job.folder / inner
        if not path.is_file():
            raise Refused("结果文件已清理，请重新上传。", 404)
    except Refused as exc:
        return _refusal(exc)
    job.fetched.add(what)
    cleanup = None
    if not _keep() and job.fetched >= ({"summary", "filled"} if job.fill else {"summary"}):
        with _JOBS_LOCK:
            _JOBS.pop(job.id, None)
        cleanup = BackgroundTask(shutil.rmtree, job.folder, ignore_errors=True)  # after the file is sent
    return FileResponse(path, media_type=media, filename=filename, background=cleanup)
