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
spooling), and every zip is checked before anything is extracted (batch/archive.py: entry
count, total uncompressed size, compression ratio, names, symlinks, passwords); extraction
counts the bytes actually written as well.  A top-level uploaded zip that fails a check refuses
the whole upload; zips inside the material (a folder of zips, a zip of zips) are opened by
``batch.run`` with the same checks, and one that cannot be is listed in 无法读取 with why.  Every
refusal is a Chinese message the page shows; nothing is written outside the job folder.

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
from ..batch import archive
from ..batch.archive import MB, Limits, limits  # noqa: F401  (the page's limits; tests use them from here)

router = APIRouter()
logger = logging.getLogger("jixiao_xl.excel.batch_web")

JOB_TTL = 3600.0  # seconds a finished job's results are kept when nobody downloads them
UPLOAD_IDLE = 600.0  # seconds an uploading job may receive nothing (an empty one: since it was made)
MAX_JOBS = 8  # jobs queued or running at once; checked when a job starts
MAX_UPLOADING = 16  # jobs being uploaded at once; a new one drops the oldest empty one when full
_RUN_LOCK = threading.Lock()  # one batch at a time: the machine's cores are the workers'
_JOBS: dict[str, "Job"] = {}
_JOBS_LOCK = threading.Lock()


class Refused(problems.Refused):
    """An upload or zip the server refuses: the message (Chinese) shown in the page, the HTTP status, and the
    reason's code in the catalogue of file problems (problems.py, U2xx)."""

    def __init__(self, message: str, status: int = 400, code: str = "U204"):
        super().__init__(code, message)
        self.status = status

    @classmethod
    def like(cls, other: problems.Refused) -> Refused:
        """The page's refusal (400) of what ``other`` refused (a zip: batch.archive)."""
        return cls(other.text, 400, other.code)


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


_mb = archive.mb


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
    try:
        return archive.safe_relpath(name)
    except archive.ArchiveRefused as exc:
        raise Refused.like(exc) from None


def extract_zip(path: Path, dest: Path, lim: Limits) -> int:
    """Extract a checked uploaded zip into dest (batch.archive.unpack); returns the number of files.  Refused
    before writing anything when the zip is not one, breaks a limit or has a password."""
    try:
        return archive.extract_zip(path, dest, lim)
    except archive.ArchiveRefused as exc:
        raise Refused.like(exc) from None


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
                             progress=progress, store=store, unit_map=unit_map, stored_names="rel",
                             scratch=str(job.inbox))  # zips inside the material: unpacked in the job's folder
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
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copies:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    copies.write(path, path.relative_to(folder).as_posix())


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
        _fits(name, rel)
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
        except OSError as exc:
            raise _unsaved(name, exc) from None
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


NAME_MAX = 255  # bytes of one file or folder name on the server's file systems (ext4, XFS; NTFS through Samba)


def _too_long(name: str, detail: str) -> Refused:
    return Refused(f"无法保存“{archive._shown(name)}”：{detail}。请缩短文件夹和文件的名称后重新上传。", 400, code="U208")


def _fits(name: str, rel: PurePosixPath) -> None:
    """Refused (U208) when a part of the uploaded name is longer than a name may be on the server: Windows takes a
    file named with 100 Chinese characters (300 bytes in UTF-8), the server's file system does not."""
    for part in rel.parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            raise _too_long(name, f"其中“{archive._shown(part)}”的名称太长（{size} 字节），服务器上一个文件名或文件夹名"
                                  f"最多 {NAME_MAX} 字节（约 {NAME_MAX // 3} 个汉字）")


def _unsaved(name: str, exc: OSError) -> Refused:
    """Why an uploaded file could not be saved: its path too long for the server, a name already taken by a file
    or a folder uploaded before ("a", then "a/b"), else the system's reason in Chinese."""
    import errno

    if exc.errno == errno.ENAMETOOLONG:  # each name fits (_fits): the folders together are too deep
        return _too_long(name, "文件夹层级太深，整个路径超过了服务器允许的长度（约 4000 字节）")
    if exc.errno in (errno.ENOTDIR, errno.EISDIR, errno.EEXIST, None):
        return Refused(f"无法保存“{name}”（与已上传的文件或文件夹同名）。请重新选择后上传。", 409)
    return Refused(f"服务器无法保存“{archive._shown(name)}”（{problems.os_cause(exc)}）。请稍后重试；仍不成功请联系管理员。",
                   500)


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
