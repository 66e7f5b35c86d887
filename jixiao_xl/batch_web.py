"""批量校验 in a browser: the add-in server's /jixiao/batch page and its job routes.

A reviewer uploads a .zip of submissions (or several files / a folder); the server
checks them with ``batch.run`` in a background thread (one job at a time, each file
within the CLI's time limit) in a job folder under a temporary directory, and the page
offers 汇总.xlsx (and the filled copies as a .zip) for download.  The job folder is
removed once its outputs are downloaded (or after an hour), unless JIXIAO_BATCH_KEEP=1.

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
import shutil
import stat
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

router = APIRouter()
logger = logging.getLogger("jixiao_xl.batch_web")

MB = 1 << 20
JOB_TTL = 3600.0  # seconds a finished job's folder is kept when nobody downloads it
MAX_JOBS = 8  # job folders at once (uploading, waiting, running or waiting for download)
RATIO_FLOOR = 10 * MB  # a zip unpacking to no more than this is not refused for its overall ratio
_RUN_LOCK = threading.Lock()  # one batch at a time: the machine's cores are the workers'
_JOBS: dict[str, "Job"] = {}
_JOBS_LOCK = threading.Lock()


class Refused(Exception):
    """An upload or zip the server refuses; the message (Chinese) is shown in the page."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
        return value if value > 0 else default
    except ValueError:
        return default


@dataclass
class Limits:
    upload: int
    unzipped: int
    entries: int
    ratio: float
    timeout: float


def limits() -> Limits:
    return Limits(upload=int(_env_number("JIXIAO_BATCH_MAX_UPLOAD_MB", 200) * MB),
                  unzipped=int(_env_number("JIXIAO_BATCH_MAX_UNZIPPED_MB", 1000) * MB),
                  entries=int(_env_number("JIXIAO_BATCH_MAX_ENTRIES", 10000)),
                  ratio=_env_number("JIXIAO_BATCH_MAX_RATIO", 200),
                  timeout=_env_number("JIXIAO_BATCH_TIMEOUT", 60))


def _keep() -> bool:
    return os.environ.get("JIXIAO_BATCH_KEEP", "").strip().lower() in ("1", "true", "yes")


def _root() -> Path:
    root = Path(os.environ.get("JIXIAO_BATCH_DIR") or Path(tempfile.gettempdir()) / "jixiao_batch")
    root.mkdir(parents=True, exist_ok=True)
    return root


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
    closing: str = ""
    created: float = field(default_factory=time.monotonic)
    finished: float = 0.0
    fetched: set = field(default_factory=set)

    @property
    def inbox(self) -> Path:
        return self.folder / "收到的材料"

    @property
    def out(self) -> Path:
        return self.folder / "结果"

    def status(self) -> dict:
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.total, "message": self.message,
                "error": self.error, "closing": self.closing, "fill": self.fill}


def _remove(job: Job) -> None:
    with _JOBS_LOCK:
        _JOBS.pop(job.id, None)
    shutil.rmtree(job.folder, ignore_errors=True)


def _sweep() -> None:
    """Forget (and delete) jobs nobody came back for."""
    now = time.monotonic()
    with _JOBS_LOCK:
        stale = [j for j in _JOBS.values()
                 if (j.state in ("done", "failed") and now - j.finished > JOB_TTL)
                 or (j.state == "uploading" and now - j.created > JOB_TTL)]
    for job in stale:
        if _keep():  # the folder stays; the server forgets the job
            with _JOBS_LOCK:
                _JOBS.pop(job.id, None)
        else:
            _remove(job)


def _job(job_id: str) -> Job:
    with _JOBS_LOCK:
        job = _JOBS.get(job_id)
    if job is None:
        raise Refused("找不到这个批量校验任务（可能已下载完毕并清理，或服务已重启）。请重新上传。", 404)
    return job


def _refusal(exc: Refused) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


# ------------------------------------------------------------------ names and zips


def safe_relpath(name: str) -> PurePosixPath:
    """A relative path inside the job folder, or Refused (``..``, absolute paths, drive letters)."""
    text = name.replace("\\", "/")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if (not parts or text.startswith("/") or ".." in parts or ":" in parts[0]
            or any("\x00" in p for p in parts)):
        raise Refused(f"文件名“{name}”指向上传文件夹以外的位置（含“..”、绝对路径或盘符），已拒绝整个上传。"
                      "请直接压缩存放材料的文件夹后重新上传。")
    return PurePosixPath(*parts)


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name; names zipped on Chinese Windows are GBK without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def extract_zip(path: Path, dest: Path, lim: Limits) -> int:
    """Extract a checked zip into dest; returns the number of files.  Refused before writing anything
    when the zip is not one, or breaks a limit; the bytes written are counted as well."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("上传的文件不是有效的 .zip 压缩包（可能不是 zip 格式或已损坏）。"
                      "请用“发送到 → 压缩(zipped)文件夹”重新压缩后上传，或直接选择文件夹上传。") from None
    with archive:
        infos = archive.infolist()
        packed = 0
        if len(infos) > lim.entries:
            raise Refused(f"压缩包中有 {len(infos)} 个条目，超过上限 {lim.entries} 个。请分批上传。")
        total = 0
        plan = []
        for info in infos:
            name = _entry_name(info)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise Refused(f"压缩包中的“{name}”是符号链接，已拒绝整个压缩包。请只压缩文件本身后重新上传。")
            rel = safe_relpath(name)
            if info.is_dir():
                continue
            total += info.file_size
            packed += info.compress_size
            if total > lim.unzipped:
                raise Refused(f"压缩包解压后超过 {_mb(lim.unzipped)}（上限），已拒绝。请分批上传。")
            if info.file_size > MB and info.file_size > lim.ratio * max(info.compress_size, 1):
                raise Refused(f"压缩包中的“{name}”压缩比异常（{info.compress_size} 字节解压为 {info.file_size} 字节），"
                              "可能是恶意压缩包，已拒绝。")
            plan.append((info, rel))
        # The whole archive: many small entries of zeros pass the check above one by one.  Its stored
        # sizes may lie, but not beyond the file; an entry never yields more than its stated size.
        packed = max(min(packed, path.stat().st_size), 1)
        if total > max(RATIO_FLOOR, lim.ratio * packed):
            raise Refused(f"压缩包解压后共 {total} 字节，是压缩后大小（{packed} 字节）的 {total // packed} 倍，"
                          f"超过上限 {lim.ratio:g} 倍，可能是恶意压缩包，已拒绝。")
        written = 0
        count = 0
        for info, rel in plan:
            target = dest.joinpath(*rel.parts)
            if dest.resolve() not in target.resolve().parents:
                raise Refused(f"压缩包中的“{_entry_name(info)}”指向上传文件夹以外的位置，已拒绝。")
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, open(target, "xb") as sink:
                    while chunk := source.read(MB):
                        written += len(chunk)
                        if written > lim.unzipped:
                            raise Refused(f"压缩包解压后超过 {_mb(lim.unzipped)}（上限），已拒绝。请分批上传。")
                        sink.write(chunk)
            except FileExistsError:
                raise Refused(f"压缩包中“{_entry_name(info)}”出现了不止一次，已拒绝。请重新压缩后上传。") from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
                    ValueError, OSError) as exc:
                if isinstance(exc, RuntimeError) and "encrypted" in str(exc):
                    raise Refused(f"压缩包中的“{_entry_name(info)}”有密码，无法解压。请去掉压缩包密码后重新上传。") from None
                raise Refused(f"压缩包中的“{_entry_name(info)}”无法解压（压缩包可能已损坏）。请重新压缩后上传。") from None
            count += 1
    return count


# ------------------------------------------------------------------ the job


def _run(job: Job) -> None:
    from .batch import run

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
                raise Refused("上传的材料中没有文件。请选择含有自评表（.xlsx）的压缩包或文件夹。")
            job.message = "正在校验"

            def progress(done: int, total: int) -> None:
                job.done, job.total = done, total

            result = run([str(material)], str(job.out), fill=job.fill, jobs=None, timeout=lim.timeout,
                         progress=progress)
            if job.fill:
                job.message = "正在打包填写后的副本"
                _zip_folder(job.out / "filled", job.folder / "填写后的副本.zip")
            job.closing = result.closing_line()
            job.message = "已完成"
            job.finished = time.monotonic()
            job.state = "done"  # last: a poll that sees it finds everything in place
            return
    except Refused as exc:
        error = str(exc)
    except Exception as exc:  # the page shows a Chinese message; the log keeps the detail
        logger.error("批量校验 failed", exc_info=exc)
        error = "批量校验时出现意外错误（详细原因已记入服务器日志）。请重试；仍不成功请联系管理员。"
    shutil.rmtree(job.folder, ignore_errors=True)  # nothing of a refused job is kept; its status says why
    job.error, job.message = error, "未完成"
    job.finished = time.monotonic()
    job.state = "failed"


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())


# ------------------------------------------------------------------ routes


@router.get("/jixiao/batch")
async def batch_page():
    page = Path(__file__).parent / "addin_server" / "templates" / "jixiao_batch.html"
    text = page.read_text(encoding="utf-8").replace("{{MAX_UPLOAD_MB}}", f"{limits().upload / MB:g}")
    return HTMLResponse(text)


@router.post("/jixiao/batch/jobs")
async def create_job(fill: bool = False):
    _sweep()
    with _JOBS_LOCK:
        if sum(1 for j in _JOBS.values() if j.state != "failed") >= MAX_JOBS:
            return _refusal(Refused("服务器上同时进行的批量校验任务太多，请稍后再试。", 503))
        job_id = uuid.uuid4().hex
        job = Job(job_id, Path(tempfile.mkdtemp(prefix="job-", dir=_root())), fill)
        job.inbox.mkdir()
        _JOBS[job_id] = job
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
            raise Refused(f"上传的材料超过 {_mb(lim.upload)}（上限），已拒绝。请分批上传。", 413)
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
                    if job.uploaded > lim.upload:
                        raise Refused(f"上传的材料超过 {_mb(lim.upload)}（上限），已拒绝。请分批上传。", 413)
                    sink.write(chunk)
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
        if job.state != "uploading":
            raise Refused("这个任务已经开始校验。", 409)
    except Refused as exc:
        return _refusal(exc)
    job.state, job.message = "waiting", "排队等待（服务器一次处理一批）"
    threading.Thread(target=_run, args=(job,), name=f"jixiao-batch-{job_id}", daemon=True).start()
    return job.status()


@router.get("/jixiao/batch/jobs/{job_id}")
async def job_status(job_id: str):
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
