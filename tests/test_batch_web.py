"""批量校验 in a browser: the add-in server's /jixiao/batch page and its job routes (jixiao_xl/excel/batch_web.py)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import sqlite3
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ["XLWINGS_PROJECT_DIR"] = str(ROOT / "addin" / "server")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ENVIRONMENT", "prod")

pytest.importorskip("xlwings_server")
from fastapi.testclient import TestClient  # noqa: E402

from .test_seed import EXAMPLE  # noqa: E402

JOBS = "/jixiao/batch/jobs"
# The server refuses a simple (CORS) POST; the page sends this header on every POST and PUT, and so do
# the tests' clients (every request of the `client` fixture and of the streaming test's client).
NON_SIMPLE = {"X-Jixiao-Request": "1"}
DEPT_ROW = ["汨罗/司法局.xlsx", "汨罗市司法局", "[附件2] 部门整体支出绩效自评表", "（部门整体）", 1, 10, 99, 99, 0, None, "优",
            "一致", 0, 1, "有警告"]


@pytest.fixture(scope="module")
def client():
    from xlwings_server.main import main_app

    with TestClient(main_app, headers=NON_SIMPLE) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def job_dir(tmp_path, monkeypatch):
    folder = tmp_path / "jobs"
    monkeypatch.setenv("JIXIAO_BATCH_DIR", str(folder))
    for name in ("JIXIAO_BATCH_MAX_UPLOAD_MB", "JIXIAO_BATCH_MAX_UNZIPPED_MB", "JIXIAO_BATCH_KEEP"):
        monkeypatch.delenv(name, raising=False)
    return folder


def example_zip(name: str = "汨罗/司法局.xlsx") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(EXAMPLE, name)
    return buf.getvalue()


def files_left(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def submit(client, uploads: dict[str, bytes], fill: bool = False) -> dict:
    """Create a job, upload, start it and wait for it: its last status."""
    job = client.post(JOBS, params={"fill": int(fill)}).json()
    for name, body in uploads.items():
        answer = client.put(f"{JOBS}/{job['id']}/files", params={"name": name}, content=body)
        if answer.status_code != 200:
            return answer.json()
    client.post(f"{JOBS}/{job['id']}/start")
    return wait_for(client, job["id"])


def summary_rows(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[c.value for c in r] for r in book["汇总"].iter_rows(min_row=2)]


def test_page_is_chinese_and_linked_from_the_task_pane(client):
    page = client.get("/jixiao/batch")
    assert page.status_code == 200 and "批量校验" in page.text and "webkitdirectory" in page.text
    assert "上传总大小不超过 200 MB" in page.text
    pane = client.get("/taskpane.html").text
    href = pane.split('id="jixiao-batch-link" href="')[1].split('"')[0]
    assert client.get(href).text == page.text


def test_good_zip_gives_summary_and_filled_copies_then_nothing_is_kept(client, job_dir):
    status = submit(client, {"材料.zip": example_zip()}, fill=True)
    assert status["state"] == "done" and status["done"] == status["total"] == 1
    assert status["closing"].startswith("共 1 个文件，其中 1 个工作簿（3 张表）")
    summary = client.get(f"{JOBS}/{status['id']}/download/summary")
    assert summary.status_code == 200 and "%E6%B1%87%E6%80%BB.xlsx" in summary.headers["content-disposition"]
    rows = summary_rows(summary.content)
    assert len(rows) == 3 and {r[0] for r in rows} == {"汨罗/司法局.xlsx"}
    assert DEPT_ROW in rows
    filled = client.get(f"{JOBS}/{status['id']}/download/filled")
    assert filled.status_code == 200
    with zipfile.ZipFile(io.BytesIO(filled.content)) as archive:
        assert archive.namelist() == ["汨罗/司法局.xlsx"]
        book = openpyxl.load_workbook(io.BytesIO(archive.read("汨罗/司法局.xlsx")))
        assert "附件2" in "".join(book.sheetnames)
    assert files_left(job_dir) == []  # both downloaded: the job folder is gone
    gone = client.get(f"{JOBS}/{status['id']}/download/summary")
    assert gone.status_code == 404 and "请重新上传" in gone.json()["error"]


def test_gbk_names_of_a_zip_made_on_chinese_windows(client, job_dir):
    """Windows' 压缩(zipped)文件夹 writes GBK names without the UTF-8 flag: read as GBK, not as cp437."""
    gbk = "司法局.xlsx".encode("gbk")
    placeholder = b"A" * (len(gbk) - 5) + b".xlsx"
    raw = example_zip(placeholder.decode()).replace(placeholder, gbk)
    status = submit(client, {"材料.zip": raw})
    assert status["state"] == "done", status
    rows = summary_rows(client.get(f"{JOBS}/{status['id']}/download/summary").content)
    assert {r[0] for r in rows} == {"司法局.xlsx"}


def test_utf8_names_of_a_zip_made_on_linux_without_the_flag(client, job_dir):
    """Info-ZIP on Linux writes UTF-8 names without the UTF-8 flag: read as UTF-8 (before: GBK or cp437 mojibake,
    which also split one unit's folder in two)."""
    utf8 = "汨罗/司法局.xlsx".encode()
    placeholder = b"A" * (len(utf8) - 5) + b".xlsx"
    raw = example_zip(placeholder.decode()).replace(placeholder, utf8)
    assert all(not info.flag_bits & 0x800 for info in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    status = submit(client, {"材料.zip": raw})
    assert status["state"] == "done", status
    rows = summary_rows(client.get(f"{JOBS}/{status['id']}/download/summary").content)
    assert {r[0] for r in rows} == {"汨罗/司法局.xlsx"}


def test_several_files_of_a_folder(client, job_dir):
    status = submit(client, {"收到/司法局.xlsx": EXAMPLE.read_bytes(), "收到/说明.txt": "附件".encode()})
    assert status["state"] == "done", status
    rows = summary_rows(client.get(f"{JOBS}/{status['id']}/download/summary").content)
    assert DEPT_ROW[1:] in [r[1:] for r in rows] and {r[0] for r in rows} == {"收到/司法局.xlsx"}
    assert files_left(job_dir) == []


def test_plain_garbage_is_not_a_zip(client, job_dir):
    status = submit(client, {"材料.zip": b"hello, this is text"})
    assert status["state"] == "failed"
    assert status["error"].startswith("上传的文件不是有效的 .zip 压缩包")
    assert files_left(job_dir) == []
    assert client.get("/jixiao/batch").status_code == 200  # still serving


def _zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buf.getvalue()


def test_path_traversal_in_a_zip_is_refused(client, tmp_path, job_dir):
    for name in ("../../x", "/tmp/x", "a/../../x", "C:/x", "..\\..\\x"):
        status = submit(client, {"材料.zip": _zip_with([("ok.xlsx", EXAMPLE.read_bytes()), (name, b"evil")])})
        assert status["state"] == "failed", name
        assert "指向上传文件夹以外的位置" in status["error"] and name in status["error"]
    assert not (tmp_path / "x").exists() and not (job_dir / "x").exists()
    assert files_left(job_dir) == []  # nothing extracted, not even ok.xlsx


@pytest.mark.parametrize("name", ["正常/" + "长" * 100 + ".xlsx", ("长" * 80 + "/") * 30 + "a.xlsx"])
def test_a_name_too_long_for_the_server_is_said_so(client, job_dir, name):
    # Windows takes a file named with 100 Chinese characters (300 bytes here) and deep folders: the page said
    # "批量校验时出现意外错误" (an uncaught OSError) or "压缩包可能已损坏"
    status = submit(client, {"材料.zip": _zip_with([("ok.xlsx", EXAMPLE.read_bytes()), (name, EXAMPLE.read_bytes())])})
    assert status["state"] == "failed"
    assert "文件名或文件夹层级太长（超过服务器文件系统允许的长度），无法解压" in status["error"], status["error"]
    assert "意外" not in status["error"] and "损坏" not in status["error"]
    assert files_left(job_dir) == []


@pytest.mark.parametrize("deep", ["x/" * 1200 + "a.txt", "层/" * 1500 + "a.xlsx"])
def test_folders_nested_a_thousand_deep_are_refused_in_chinese(client, batch, job_dir, deep):
    # "x/" * 1200 ran Path.mkdir's recursion out of stack before the file system said anything: an upload got
    # 500 "处理请求时程序出错，工作簿没有被修改…" (and its job stayed), a zip entry failed the job with
    # "批量校验时出现意外错误", and `jixiao-xl batch` on a folder holding such a zip stopped with RecursionError
    status = submit(client, {"材料.zip": _zip_with([("ok.xlsx", EXAMPLE.read_bytes()), (deep, b"x")])})
    levels = deep.count("/") + 1
    assert status["state"] == "failed" and status["code"] == "U203"
    assert f"文件夹层级太深（{levels} 层，上限 64 层），无法保存。请减少文件夹层级后重新上传。" in status["error"]
    assert files_left(job_dir) == []
    job = client.post(JOBS).json()
    answer = client.put(f"{JOBS}/{job['id']}/files", params={"name": deep}, content=b"x")
    error = one_line_chinese(answer, 400)
    assert f"文件夹层级太深（{levels} 层，上限 64 层）" in error and "工作簿" not in error
    assert client.get(f"{JOBS}/{job['id']}").status_code == 404 and files_left(job_dir) == []


def test_symlink_in_a_zip_is_refused(client, job_dir):
    link = zipfile.ZipInfo("link.xlsx")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    status = submit(client, {"材料.zip": _zip_with([(link, b"/etc/passwd")])})
    assert status["state"] == "failed" and "“link.xlsx”是符号链接" in status["error"]
    assert files_left(job_dir) == []


def test_same_file_twice_or_a_file_as_a_folder_is_refused(client):
    job = client.post(JOBS).json()
    put = lambda name: client.put(f"{JOBS}/{job['id']}/files", params={"name": name}, content=b"x")  # noqa: E731
    assert put("收到/a.xlsx").status_code == 200
    twice = put("收到/a.xlsx")
    assert twice.status_code == 409 and twice.json()["error"] == "“收到/a.xlsx”上传了不止一次。请重新选择后上传。"
    under = put("收到/a.xlsx/b.xlsx")
    assert under.status_code == 409
    assert under.json()["error"] == "无法保存“收到/a.xlsx/b.xlsx”（与已上传的文件或文件夹同名）。请重新选择后上传。"
    assert client.get(f"{JOBS}/{job['id']}").json()["state"] == "uploading"  # the job goes on


def test_an_uploaded_name_too_long_for_the_server_says_so_and_the_limit(client, job_dir):
    """A file chosen on Windows named with 100 Chinese characters (300 bytes in UTF-8; NTFS takes 255 characters)
    and a folder nested 1500 deep: the page said 409 "无法保存“…”（与已上传的文件或文件夹同名）", which sent the user
    looking for a duplicate that was not there."""
    # (a folder nested 1500 deep is refused by the names' own check before anything is saved: U203, 64 levels)
    for name, code, said, ending in (
            ("收到/" + "长" * 100 + ".xlsx", "U208",
             f"其中“{'长' * 28}…{'长' * 23}.xlsx”的名称太长（305 字节），服务器上一个文件名或文件夹名最多 255 字节（约 85 个汉字）",
             "。请缩短文件夹和文件的名称后重新上传。"),
            ("层/" * 1500 + "a.xlsx", "U203", "的文件夹层级太深（1501 层，上限 64 层），无法保存", "。请减少文件夹层级后重新上传。")):
        job = client.post(JOBS).json()
        answer = client.put(f"{JOBS}/{job['id']}/files", params={"name": name}, content=EXAMPLE.read_bytes())
        assert answer.status_code == 400, answer.json()
        assert answer.json()["code"] == code
        assert said in answer.json()["error"] and "同名" not in answer.json()["error"], answer.json()["error"]
        assert answer.json()["error"].endswith(ending), answer.json()["error"]
        assert files_left(job_dir) == []  # a refused upload ends its job: nothing of it is kept


def test_path_traversal_in_an_upload_name_is_refused(client, tmp_path, job_dir):
    job = client.post(JOBS).json()
    answer = client.put(f"{JOBS}/{job['id']}/files", params={"name": "../../x"}, content=b"evil")
    assert answer.status_code == 400 and "指向上传文件夹以外的位置" in answer.json()["error"]
    assert not (tmp_path / "x").exists() and files_left(job_dir) == []
    assert client.get(f"{JOBS}/{job['id']}").status_code == 404  # the job ended with its refusal


def test_zip_with_100000_entries_is_refused(client, job_dir):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        for i in range(100_000):
            archive.writestr(f"{i}.txt", b"")
    status = submit(client, {"材料.zip": buf.getvalue()})
    assert status["state"] == "failed"
    assert status["error"] == "压缩包中有 100000 个条目，超过上限 10000 个。请分批上传。"
    assert files_left(job_dir) == []


def test_zip_bomb_ratio_and_total_size_are_refused(client, job_dir, monkeypatch):
    bomb = _zip_with([("炸弹.xlsx", bytes(20 << 20))])  # 20 MB of zeros: about 20 KB zipped
    assert len(bomb) < 100_000
    status = submit(client, {"材料.zip": bomb})
    assert status["state"] == "failed" and "“炸弹.xlsx”压缩比异常" in status["error"]
    assert status["code"] == "U201"  # problems.py: an unsafe zip
    monkeypatch.setenv("JIXIAO_BATCH_MAX_UNZIPPED_MB", "1")
    big = _zip_with([("a.xlsx", os.urandom(600_000)), ("b.xlsx", os.urandom(600_000))])
    status = submit(client, {"材料.zip": big})
    assert status["state"] == "failed" and status["error"] == "压缩包解压后超过 1 MB（上限），已拒绝。请分批上传。"
    assert status["code"] == "U202"
    assert files_left(job_dir) == []


def test_declared_size_over_the_cap_is_refused_before_reading(client, job_dir, monkeypatch):
    monkeypatch.setenv("JIXIAO_BATCH_MAX_UPLOAD_MB", "1")
    job = client.post(JOBS).json()
    answer = client.put(f"{JOBS}/{job['id']}/files", params={"name": "材料.zip"}, content=b"x" * 2_000_000)
    assert answer.status_code == 413
    assert answer.json() == {"error": "上传的材料超过 1 MB（上限），已拒绝。请分批上传。", "code": "U202"}
    assert files_left(job_dir) == []


def test_streamed_2gb_body_is_cut_at_the_cap(job_dir):
    """A chunked body (no Content-Length) of 2 GB: the server stops reading at the cap (200 MB)
    and writes no more than that; the generator counts what was actually pulled."""
    import httpx
    from xlwings_server.main import main_app

    chunk = bytes(1 << 20)
    sent = 0

    async def body():
        nonlocal sent
        for _ in range(2048):  # 2 GB
            sent += len(chunk)
            yield chunk

    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=main_app), base_url="http://testserver",
                                     headers=NON_SIMPLE) as http:
            job = (await http.post(JOBS)).json()
            answer = await http.put(f"{JOBS}/{job['id']}/files", params={"name": "材料.zip"}, content=body())
            return job, answer

    job, answer = asyncio.run(go())
    assert answer.status_code == 413
    assert answer.json()["error"] == "上传的材料超过 200 MB（上限），已拒绝。请分批上传。"
    assert 200 << 20 < sent <= (200 << 20) + 2 * len(chunk)  # read up to the cap, not 2 GB
    assert files_left(job_dir) == []


# ------------------------------------------------------------------ slots, expiry, disk, the root


@pytest.fixture
def batch(monkeypatch):
    """The batch_web module with no jobs of earlier tests."""
    from jixiao_xl.excel import batch_web

    monkeypatch.setattr(batch_web, "_JOBS", {})
    return batch_web


def one_line_chinese(answer, status: int) -> str:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert "\n" not in error and "Traceback" not in error and error.endswith("。")
    return error


def wait_for(client, job_id: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"{JOBS}/{job_id}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.1)
    raise AssertionError("批量校验任务没有结束")


def job_folders(root: Path) -> list[Path]:
    return sorted(root.glob("run-*/job-*"))


def test_empty_jobs_do_not_block_a_real_upload(client, batch, job_dir):
    empty = [client.post(JOBS).json()["id"] for _ in range(3 * batch.MAX_UPLOADING)]  # any page, nothing uploaded
    assert len({e for e in empty}) == len(empty)
    assert sum(1 for j in batch._JOBS.values() if j.state == "uploading") <= batch.MAX_UPLOADING
    status = submit(client, {"材料.zip": example_zip()})
    assert status["state"] == "done", status
    assert DEPT_ROW in summary_rows(client.get(f"{JOBS}/{status['id']}/download/summary").content)
    # the oldest empty jobs made room; their pages are told to upload again
    gone = client.put(f"{JOBS}/{empty[0]}/files", params={"name": "a.xlsx"}, content=b"x")
    assert "请重新上传" in one_line_chinese(gone, 404)
    assert len(job_folders(job_dir)) <= batch.MAX_UPLOADING  # the dropped ones' folders are gone
    # uploads that hold data are not dropped: when all 16 have some, a 17th waits
    for _ in range(batch.MAX_UPLOADING):
        job = client.post(JOBS).json()
        assert client.put(f"{JOBS}/{job['id']}/files", params={"name": "a.xlsx"}, content=b"x").status_code == 200
    error = one_line_chinese(client.post(JOBS), 503)
    assert error == "服务器上正在上传的批量校验任务太多（16 个），请稍后再试。"


def test_finished_jobs_hold_no_slot_and_a_ninth_queued_job_is_refused(client, batch, job_dir):
    finished = submit(client, {"材料.zip": example_zip()}, fill=True)
    assert finished["state"] == "done"
    assert client.get(f"{JOBS}/{finished['id']}/download/summary").status_code == 200  # the copies not fetched
    jobs = []
    for i in range(batch.MAX_JOBS + 1):
        job = client.post(JOBS).json()
        assert client.put(f"{JOBS}/{job['id']}/files", params={"name": f"{i}.txt"}, content=b"x").status_code == 200
        jobs.append(job["id"])
    batch._RUN_LOCK.acquire()  # a long batch runs: the started jobs wait
    try:
        for job_id in jobs[:-1]:
            started = client.post(f"{JOBS}/{job_id}/start")
            assert started.status_code == 200 and started.json()["state"] == "waiting"
        error = one_line_chinese(client.post(f"{JOBS}/{jobs[-1]}/start"), 503)
        assert error == "服务器上排队和正在进行的批量校验任务已满（8 个），请稍后重试。"
        assert client.get(f"{JOBS}/{jobs[-1]}").json()["state"] == "uploading"  # it may start later
        assert client.post(JOBS).status_code == 200  # making a job is still allowed
    finally:
        batch._RUN_LOCK.release()
    assert all(wait_for(client, job_id)["state"] == "done" for job_id in jobs[:-1])
    assert client.post(f"{JOBS}/{jobs[-1]}/start").status_code == 200
    assert wait_for(client, jobs[-1])["state"] == "done"
    twice = client.post(f"{JOBS}/{jobs[-1]}/start")
    assert one_line_chinese(twice, 409) == "这个任务已经开始校验。"
    filled = client.get(f"{JOBS}/{finished['id']}/download/filled")  # the finished job's results waited
    assert filled.status_code == 200 and filled.content[:2] == b"PK"


def test_an_empty_job_expires_after_10_minutes(client, batch, job_dir, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(batch, "_now", lambda: clock[0])
    empty = client.post(JOBS).json()["id"]
    busy = client.post(JOBS).json()["id"]
    clock[0] += 540  # 9 minutes
    assert client.get(f"{JOBS}/{empty}").status_code == 200
    assert client.put(f"{JOBS}/{busy}/files", params={"name": "a.xlsx"}, content=b"x").status_code == 200
    assert len(job_folders(job_dir)) == 2
    clock[0] += 61  # 10 minutes and a second after it was made
    assert "请重新上传" in one_line_chinese(client.get(f"{JOBS}/{empty}"), 404)
    assert client.get(f"{JOBS}/{busy}").json()["state"] == "uploading"  # it received bytes 61 s ago
    assert len(job_folders(job_dir)) == 1
    clock[0] += 600  # nothing more came for 10 minutes: that one goes too
    assert client.get(f"{JOBS}/{busy}").status_code == 404
    assert job_folders(job_dir) == [] and files_left(job_dir) == []
    # results nobody downloads stay an hour
    done = submit(client, {"说明.txt": "附件".encode()})
    assert done["state"] == "done" and len(job_folders(job_dir)) == 1
    clock[0] += 3599
    assert client.get(f"{JOBS}/{done['id']}").json()["state"] == "done"
    clock[0] += 2
    assert "请重新上传" in one_line_chinese(client.get(f"{JOBS}/{done['id']}/download/summary"), 404)
    assert job_folders(job_dir) == [] and files_left(job_dir) == []


def test_material_is_deleted_when_the_run_ends_and_results_wait(client, batch, job_dir):
    status = submit(client, {"材料.zip": example_zip(), "另/司法局.xlsx": EXAMPLE.read_bytes()}, fill=True)
    assert status["state"] == "done", status
    [folder] = job_folders(job_dir)
    left = files_left(folder)
    assert left and not (folder / "收到的材料").exists()
    assert all(name.startswith("结果") or name == "填写后的副本.zip" for name in left), left
    assert sum((folder / n).stat().st_size for n in left) < 10 * EXAMPLE.stat().st_size
    summary = client.get(f"{JOBS}/{status['id']}/download/summary")
    assert summary.status_code == 200 and len(summary_rows(summary.content)) == 6
    assert folder.exists()  # the copies are not fetched yet
    assert client.get(f"{JOBS}/{status['id']}/download/filled").status_code == 200
    assert not folder.exists()


def test_folders_of_a_stopped_server_are_swept_at_start_a_live_ones_kept(client, batch, job_dir, tmp_path):
    job_dir.mkdir(mode=0o700)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live_start = batch._process_start(live.pid)
        killed_start = batch._process_start(killed.pid)
        assert live_start and live_start.isdigit() and killed_start and killed_start.isdigit()
        killed.kill()  # not waited for: a zombie, as a killed server is until it is reaped
        time.sleep(0.3)
        folders = {"dead": job_dir / f"run-{ended.pid}-{batch._process_start(os.getpid())}",
                   "reused": job_dir / f"run-{os.getpid()}-1",  # our pid, another start: a server long gone
                   "killed": job_dir / f"run-{killed.pid}-{killed_start}",
                   "live": job_dir / f"run-{live.pid}-{live_start}"}
        for folder in folders.values():
            (folder / "job-x" / "收到的材料").mkdir(parents=True)
            (folder / "job-x" / "收到的材料" / "a.xlsx").write_bytes(b"x" * 1000)
        (job_dir / "别的").mkdir()  # not a run folder: left alone
        assert client.get("/jixiao/batch").status_code == 200  # the first request with this root
        assert not folders["dead"].exists() and not folders["reused"].exists() and not folders["killed"].exists()
        assert files_left(folders["live"]) == ["job-x/收到的材料/a.xlsx"]
        assert (job_dir / "别的").is_dir()
        job = client.post(JOBS).json()
        ours = batch._JOBS[job["id"]].folder.parent
        assert ours.name == f"run-{os.getpid()}-{batch._process_start(os.getpid())}"
        assert stat.S_IMODE(ours.stat().st_mode) == 0o700
    finally:
        for process in (live, killed):
            process.kill()
            process.wait()


def test_the_root_is_private(client, batch, tmp_path, monkeypatch):
    import tempfile

    if not hasattr(os, "getuid"):
        pytest.skip("Windows: the temporary folder is the user's own")
    monkeypatch.delenv("JIXIAO_BATCH_DIR")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(batch, "_RUNS", {})
    root = tmp_path / f"jixiao_batch-{os.getuid()}"
    job = client.post(JOBS).json()
    assert batch._JOBS[job["id"]].folder.parent.parent == root
    assert stat.S_IMODE(root.stat().st_mode) == 0o700

    def other_user(path: Path) -> None:
        if os.getuid() == 0:
            os.chown(path, 65534, 65534)
        else:
            monkeypatch.setattr(batch, "_uid", lambda: os.getuid() + 1)

    for spoil in (lambda path: path.chmod(0o777), other_user):
        shutil.rmtree(root)
        root.mkdir()
        spoil(root)
        monkeypatch.setattr(batch, "_RUNS", {})
        job = client.post(JOBS).json()
        fresh = batch._JOBS[job["id"]].folder.parent.parent
        assert fresh != root and fresh.name.startswith(f"jixiao_batch-{os.getuid()}-")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o700 and fresh.stat().st_uid == os.getuid()
        assert list(root.iterdir()) == []  # nothing put in the spoiled one
        monkeypatch.setattr(batch, "_uid", os.getuid)
    # JIXIAO_BATCH_DIR: made 0700 when missing; refused when loose, someone else's or a symlink
    chosen = tmp_path / "我的" / "批量"
    monkeypatch.setenv("JIXIAO_BATCH_DIR", str(chosen))
    assert client.post(JOBS).status_code == 200 and stat.S_IMODE(chosen.stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    link = tmp_path / "link"
    link.symlink_to(chosen)
    for folder, why in ((loose, "其他用户可以写入"), (link, "是符号链接")):
        monkeypatch.setenv("JIXIAO_BATCH_DIR", str(folder))
        error = one_line_chinese(client.post(JOBS), 500)
        assert error.startswith(f"批量校验的临时文件夹 {folder}（JIXIAO_BATCH_DIR）{why}，")
    assert list(loose.iterdir()) == []
    if os.getuid() == 0:
        foreign = tmp_path / "foreign"
        foreign.mkdir()
        os.chown(foreign, 65534, 65534)
        monkeypatch.setenv("JIXIAO_BATCH_DIR", str(foreign))
        assert "属于其他用户" in one_line_chinese(client.post(JOBS), 500)


@pytest.fixture(scope="module")
def many_zeros_zip() -> bytes:
    """990 entries of 1 MB of zeros: each passes the per-entry check (not over 1 MB), 990 MB in all."""
    buf = io.BytesIO()
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(990):
            archive.writestr(f"{i:03}.xlsx", zeros)
    return buf.getvalue()


def test_many_small_entries_of_zeros_are_refused_before_writing(client, batch, job_dir, many_zeros_zip, tmp_path):
    assert len(many_zeros_zip) < 1_200_000
    upload = tmp_path / "炸弹.zip"
    upload.write_bytes(many_zeros_zip)
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(batch.Refused) as refused:
        batch.extract_zip(upload, dest, batch.limits())
    assert str(refused.value).startswith("压缩包解压后共 1038090240 字节，是压缩后大小（")
    assert str(refused.value).endswith("超过上限 200 倍，可能是恶意压缩包，已拒绝。")
    assert list(dest.iterdir()) == []  # not a byte written
    status = submit(client, {"材料.zip": many_zeros_zip})
    assert status["state"] == "failed" and status["error"] == str(refused.value)
    assert files_left(job_dir) == []


def test_a_zip_of_several_workbooks_and_a_text_is_accepted(client, batch, job_dir, tmp_path):
    notes = ("本批材料由各单位报送，请按附件顺序查阅。\n" * 20_000).encode()[:1 << 20]  # 1 MB, ~300:1 zipped
    entries = [(f"单位{i}/司法局.xlsx", EXAMPLE.read_bytes()) for i in range(5)] + [("说明.txt", notes)]
    raw = _zip_with(entries)
    upload = tmp_path / "材料.zip"
    upload.write_bytes(raw)
    dest = tmp_path / "dest"
    assert batch.extract_zip(upload, dest, batch.limits()) == 6
    status = submit(client, {"材料.zip": raw})
    assert status["state"] == "done", status
    rows = summary_rows(client.get(f"{JOBS}/{status['id']}/download/summary").content)
    assert len(rows) == 15 and {r[0] for r in rows} >= {f"单位{i}/司法局.xlsx" for i in range(5)}


# ------------------------------------------------------------------ in a real browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]



def _chromium() -> str | None:
    """Debian's Chromium for the page's browser tests (skipped where it is not installed, never in CI)."""
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not chromium and not os.environ.get("CI"):
        pytest.skip("没有安装 chromium（apt-get install chromium）")
    return chromium


@contextlib.contextmanager
def _served(tmp_path):
    """The add-in server on a free port of 127.0.0.1, running this worktree's code (not whatever jixiao_xl the
    environment has installed), its jobs under tmp_path/jobs: yields the port once it answers."""
    port = _free_port()
    env = dict(os.environ, JIXIAO_BATCH_DIR=str(tmp_path / "jobs"),
               PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    server = subprocess.Popen(
        [sys.executable, "-c", f"from jixiao_xl.excel.addin import serve; serve(host='127.0.0.1', port={port})"],
        cwd=tmp_path, env=env, stdout=(tmp_path / "server.log").open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "加载项服务没有启动"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)

def test_batch_page_in_headless_chromium(tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    material = tmp_path / "材料.zip"
    material.write_bytes(example_zip())
    with _served(tmp_path) as port:
        url = f"http://127.0.0.1:{port}/jixiao/batch?key=abc"  # as a shared server's link opens it
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium or "/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(accept_downloads=True)
            sent = []
            page.on("request", lambda r: sent.append((r.method, r.url, r.headers.get("x-jixiao-request"))))
            page.goto(url)
            assert page.title() == "绩效自评 批量校验"
            assert page.url == f"http://127.0.0.1:{port}/jixiao/batch"  # the key left the address bar
            accepted = page.get_attribute("#files", "accept").split(",")
            assert {".xlsx", ".xls", ".et", ".ods", ".xlsb", ".docx", ".doc", ".wps", ".pdf"} <= set(accepted)
            page.set_input_files("#zip", str(material))
            page.click("#submit")
            link = page.wait_for_selector("#download-summary", timeout=90_000)
            assert page.eval_on_selector("#progress", "p => [p.value, p.max]") == [1, 1]
            assert page.inner_text("#status") == "已完成：1 / 1"
            assert page.inner_text("#error") == ""
            assert page.inner_text("#closing").startswith("共 1 个文件，其中 1 个工作簿（3 张表）")
            with page.expect_download() as info:
                link.click()
            download = info.value
            assert download.suggested_filename == "汇总.xlsx"
            target = tmp_path / "汇总.xlsx"
            download.save_as(target)
            rows = summary_rows(target.read_bytes())
            assert len(rows) == 3 and DEPT_ROW in rows
            # a refused upload: its Chinese message in the page, and the server goes on serving
            bad = tmp_path / "坏.zip"
            bad.write_bytes(b"not a zip")
            page.set_input_files("#zip", str(bad))
            page.click("#submit")
            page.wait_for_function("document.getElementById('error').textContent.length > 0", timeout=30_000)
            assert page.inner_text("#error").startswith("上传的文件不是有效的 .zip 压缩包")
            # the connection drops (the server stopped): Chromium's "Failed to fetch" was shown as it is
            before = len(sent)
            page.route("**/jobs**", lambda route: route.abort())
            page.set_input_files("#zip", str(material))
            page.click("#submit")
            page.wait_for_function("document.getElementById('error').textContent.length > 0", timeout=30_000)
            assert page.inner_text("#error") == "无法连接服务器（网络中断，或服务器已停止），请检查后重试。"
            del sent[before:]
            browser.close()
        changes = [(m, u.split("?")[0].rsplit("/", 1)[-1], h) for m, u, h in sent if m not in ("GET", "HEAD")]
        assert len(changes) == 6  # twice: create the job, upload the zip, start
        assert {h for _, _, h in changes} == {"1"}, changes
        assert {m for m, _, _ in changes} == {"POST", "PUT"}
        assert files_left(tmp_path / "jobs") == []


def test_server_store_keeps_each_batch_and_checks_against_last_year(client, job_dir, tmp_path, monkeypatch):
    """addin serve --store: the page's batches go into the server's store; the second year's 汇总 has 跨年 and
    the H101 warning against the first year's file; the store is never offered for download."""
    from .history_books import last_year

    store = tmp_path / "库" / "绩效库.sqlite"
    store.parent.mkdir()
    monkeypatch.setenv("JIXIAO_BATCH_STORE", str(store))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.write(last_year(tmp_path / "2022.xlsx"), "汨罗/司法局2022.xlsx")
    first = submit(client, {"2022.zip": buf.getvalue()})
    assert first["state"] == "done" and "新存入 3 张表" in first["closing"], first
    second = submit(client, {"2023.zip": example_zip()})
    assert second["state"] == "done" and "新存入 3 张表" in second["closing"], second
    summary = client.get(f"{JOBS}/{second['id']}/download/summary")
    book = openpyxl.load_workbook(io.BytesIO(summary.content))
    cross = [[c.value for c in r] for r in book["跨年"].iter_rows(min_row=2)]
    dept = next(r for r in cross if r[1] == "附件2")
    assert dept[:8] == ["汨罗市司法局", "附件2", "（部门整体）", 2023, 99, 99, "优", "优"]
    # the files as uploaded, not the server's temporary folder (gone after the run) nor its store's path
    assert (dept[11], dept[12]) == ("汨罗/司法局2022.xlsx", "汨罗/司法局.xlsx")
    assert "服务器上的绩效库：新存入 3 张表" in second["closing"] and str(store) not in second["closing"]
    with sqlite3.connect(store) as conn:
        files = {row[0] for row in conn.execute("SELECT source_file FROM forms")}
    assert "汨罗/司法局2022.xlsx" in files and not any(f.startswith("/") for f in files), files
    details = [[c.value for c in r] for r in book["问题明细"].iter_rows(min_row=2)]
    assert [(r[3], r[4]) for r in details if r[4] == "H101"] == [("B7", "H101")]
    (h101,) = [r for r in details if r[4] == "H101"]
    assert "（上年文件 汨罗/司法局2022.xlsx 的 D7）" in h101[6]
    assert client.get(f"{JOBS}/{second['id']}/download/store").status_code == 404
    store.write_text("不是数据库", encoding="utf-8")  # someone replaced the server's store: refused in Chinese
    refused = submit(client, {"2023.zip": example_zip()})
    assert refused["state"] == "failed" and "不是本工具的绩效库" in refused["error"]


def test_zips_inside_the_upload_are_opened_not_listed_as_attachments(client, batch, job_dir):
    """A zip of the units' zips, and a folder holding a unit's zip: each inner zip is opened (its folder read
    缺少工作簿 before); a .rar among them is said so; nothing unpacked is left in the job folder."""
    region = _zip_with([("汨罗/司法局.zip", example_zip("司法局.xlsx")),
                        ("岳阳/财政局.rar", b"Rar!\x1a\x07\x01\x00" + b"x" * 100)])
    status = submit(client, {"材料.zip": region, "另/教育局.zip": example_zip("教育局/自评.xlsx")}, fill=True)
    assert status["state"] == "done", status
    assert status["closing"].startswith("共 3 个文件（已解压 2 个压缩包），其中 2 个工作簿（6 张表）")
    assert "1 个压缩包无法打开（见“无法读取”）" in status["closing"] and "缺少工作簿" not in status["closing"]
    [folder] = job_folders(job_dir)
    assert not any(p.name.startswith("jixiao_zip-") for p in folder.rglob("*"))
    content = client.get(f"{JOBS}/{status['id']}/download/summary").content
    files = {r[0] for r in summary_rows(content)}
    assert files == {"材料/汨罗/司法局.zip/司法局.xlsx", "另/教育局.zip/教育局/自评.xlsx"}
    book = openpyxl.load_workbook(io.BytesIO(content))
    [unreadable] = list(book["无法读取"].iter_rows(min_row=2, values_only=True))
    assert unreadable[:2] == ("材料/岳阳/财政局.rar", "U018")
    assert "这是 RAR 压缩包，本工具只能打开 .zip" in unreadable[2]
    returned = {r[1]: r for r in book["退回清单"].iter_rows(min_row=2, values_only=True)}
    assert set(returned) == {"材料/汨罗", "另/教育局", "材料/岳阳"}
    assert returned["材料/汨罗"][0] == "汨罗市司法局" and returned["材料/岳阳"][2] == "请核实"
    assert not any("工作簿" in (r[10] or "") for r in returned.values())
    with zipfile.ZipFile(io.BytesIO(client.get(f"{JOBS}/{status['id']}/download/filled").content)) as copies:
        assert sorted(copies.namelist()) == [
            "另/教育局.zip/教育局/自评.xlsx", "材料/汨罗/司法局.zip/司法局.xlsx"]
    assert files_left(job_dir) == []


def test_folder_uploaded_from_the_page_reads_as_the_command_line_reads_it(tmp_path):
    """A reviewer's trial: 上传整个文件夹 with the folder `in` (平江/, 汨罗/ in it) gave 文件夹 "in/平江" in 退回清单
    and files "in/平江/…" in 汇总 — the chosen folder's own name put in front of every path (the browser's
    webkitRelativePath) — where ``jixiao-xl batch in`` reads "平江".  The page sends the paths inside the folder."""
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    from jixiao_xl import batch as B

    from .helpers import clean_seed, set_cells
    from .samples import write_xlsx

    chosen = tmp_path / "in"
    (chosen / "平江").mkdir(parents=True)
    (chosen / "汨罗").mkdir()
    shutil.copy(EXAMPLE, chosen / "汨罗" / "汨罗市司法局2023.xlsx")
    write_xlsx(chosen / "平江" / "平江县水利局.xlsx",
               set_cells(clean_seed(), {"附件2!B3": "平江县水利局", "附件3!B4": "平江县水利局", "附件3!F4": "平江县水利局"}))
    (chosen / "平江" / "说明.txt").write_text("表格另行报送", encoding="utf-8")
    B.run([str(chosen)], str(tmp_path / "cli"), jobs=1)
    cli = openpyxl.load_workbook(tmp_path / "cli" / "汇总.xlsx")

    with _served(tmp_path) as port:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium or "/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(accept_downloads=True)
            page.goto(f"http://127.0.0.1:{port}/jixiao/batch?key=abc")
            page.check("input[name=mode][value=folder]")
            page.set_input_files("#folder", str(chosen))  # as the folder dialog gives it: in/平江/…, in/汨罗/…
            assert page.eval_on_selector("#folder", "i => i.files[0].webkitRelativePath").startswith("in/")
            page.click("#submit")
            link = page.wait_for_selector("#download-summary", timeout=90_000)
            assert page.inner_text("#error") == ""
            with page.expect_download() as info:
                link.click()
            info.value.save_as(tmp_path / "web.xlsx")
            browser.close()
    web = openpyxl.load_workbook(tmp_path / "web.xlsx")

    def column(book, sheet: str, title: str) -> list:
        rows = list(book[sheet].iter_rows(values_only=True))
        at = rows[0].index(title)
        return sorted(str(row[at]) for row in rows[1:])

    assert column(web, "退回清单", "文件夹") == column(cli, "退回清单", "文件夹") == ["平江", "汨罗"]  # was in/平江, in/汨罗
    assert column(web, "汇总", "文件") == column(cli, "汇总", "文件")
    assert "汨罗/汨罗市司法局2023.xlsx" in column(web, "汇总", "文件")
    assert column(web, "附件", "文件") == column(cli, "附件", "文件") == ["平江/说明.txt"]


def test_a_report_that_would_draw_for_hours_is_cut_at_the_time_limit_and_holds_up_no_one(
        client, batch, job_dir, tmp_path, monkeypatch):
    # A 3 KB PDF beside a unit's workbook: one page drawing nested forms, 10⁸ letters. The reports were read in
    # the server's own process with no limit: the job stayed at 正在核对自评报告 (an hour later still, the server
    # at 1.8 GB and growing), and every later job of every colleague waited behind it (one batch at a time).
    from .hostile import nested_forms_pdf

    monkeypatch.setenv("JIXIAO_BATCH_TIMEOUT", "5")
    nested_forms_pdf(tmp_path / "report.pdf")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(EXAMPLE, "汨罗/司法局.xlsx")
        archive.write(tmp_path / "report.pdf", "汨罗/司法局自评报告.pdf")
    started = time.monotonic()
    status = submit(client, {"材料.zip": buf.getvalue()})
    assert status["state"] == "done", status
    assert time.monotonic() - started < 60
    summary = client.get(f"{JOBS}/{status['id']}/download/summary")
    book = openpyxl.load_workbook(io.BytesIO(summary.content))
    assert DEPT_ROW in [[c.value for c in r] for r in book["汇总"].iter_rows(min_row=2)]  # the workbook is checked
    notes = {r[0].value: r[1].value for r in book["附件"].iter_rows(min_row=2)}
    assert notes["汨罗/司法局自评报告.pdf"] == "PDF 文档，未校验（未能作为自评报告核对：处理超过 5 秒，已跳过（文件可能异常））"
    after = submit(client, {"材料.zip": example_zip()})  # the next colleague's batch runs
    assert after["state"] == "done" and after["closing"].startswith("共 1 个文件")
