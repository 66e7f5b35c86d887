"""The add-in server shared on an office network, attacked as a stranger and a malicious page would.

The real server runs in a subprocess (``jixiao-xl addin serve --host 0.0.0.0``, as the README tells a
reviewer to share it); requests go to it over loopback only. Each attack of issue 21 is tried: path
escapes in every encoding on every mount, anonymous and cross-site requests, a foreign Host, a 64 MB
body, a million-row function call while a colleague clicks 校验.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
pytest.importorskip("xlwings_server")
httpx = pytest.importorskip("httpx")

from .officejs import payload  # noqa: E402
from .test_seed import EXAMPLE  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path, *args: str):
        self.port = free_port()
        self.config = tmp / "config"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "JIXIAO_"))}
        env.update(XDG_CONFIG_HOME=str(self.config), JIXIAO_BATCH_DIR=str(tmp / "jobs"), PYTHONUNBUFFERED="1")
        self.log = tmp / f"server-{self.port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jixiao_xl", "addin", "serve", "--port", str(self.port), *args],
            cwd=tmp, env=env, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            self.stop()
            raise AssertionError("server did not start:\n" + self.log.read_text())
        found = re.search(r"批量校验页面：(\S+)/jixiao/batch\?key=([A-Za-z0-9_-]+)", self.output)
        self.key = found.group(2) if found else ""

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("shared"), "--host", "0.0.0.0")
    yield srv
    srv.stop()


def refusal(response, status: int) -> str:
    """The one Chinese line of a refusal with its status (no traceback, no English 'error occurred')."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    text = response.json()["detail"]
    assert CHINESE.search(text) and "\n" not in text and "Traceback" not in text, text
    return text


def raw_get(port: int, target: str, cookie: str = "") -> tuple[int, bytes]:
    """A GET sent byte for byte (clients normalise ``..`` away; an attacker's does not)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        extra = f"Cookie: jixiao_key={cookie}\r\n" if cookie else ""
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def book_json() -> dict:
    return payload(openpyxl.load_workbook(EXAMPLE, data_only=True))


# ------------------------------------------------------------------ start-up and the key


def test_shared_server_prints_the_batch_page_with_its_key(server):
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", server.key), server.output
    key_file = server.config / "jixiao-xl" / "server-key"
    assert key_file.read_text().strip() == server.key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert f":{server.port}/manifest.xml?key={server.key}" in server.output
    assert "共用服务" in server.output and "明文" in server.output  # plain HTTP on a network is said


def test_the_access_log_never_shows_the_key(server):
    httpx.get(server.url + "/jixiao/batch", params={"key": server.key})
    httpx.get(f"{server.url}/wps/k/{server.key}/js/config.js")
    time.sleep(0.3)
    log = server.output.split("按 Ctrl+C 停止", 1)[1]
    assert "GET /jixiao/batch?key=*** HTTP/1.1" in log and "GET /wps/k/***/js/config.js" in log
    assert server.key not in log


def test_key_is_reused_rotated_and_public_url_used(tmp_path, server):
    first = Server(tmp_path, "--host", "0.0.0.0")
    try:
        key = first.key
    finally:
        first.stop()
    again = Server(tmp_path, "--host", "0.0.0.0")
    try:
        assert again.key == key  # reused from the user's settings folder
    finally:
        again.stop()
    public = "https://jixiao.example.gov.cn"
    rotated = Server(tmp_path, "--public-url", public, "--new-key")  # loopback behind a proxy: still shared
    try:
        assert rotated.key and rotated.key != key
        assert f"批量校验页面：{public}/jixiao/batch?key={rotated.key}" in rotated.output
        refusal(httpx.get(rotated.url + "/jixiao/batch", params={"key": key}), 401)  # the old key is dead
        manifest = httpx.get(rotated.url + "/manifest.xml", params={"key": rotated.key},
                             headers={"Host": "10.20.30.40"}).text
        assert f'"{public}/taskpane.html?key={rotated.key}"' in manifest  # the configured URL, not the Host
        assert "10.20.30.40" not in manifest
        refusal(httpx.get(rotated.url + "/manifest.xml", headers={"Host": "other.example.gov.cn"}), 403)
        assert httpx.get(rotated.url + "/manifest.xml", headers={"Host": "jixiao.example.gov.cn"}).status_code == 200
    finally:
        rotated.stop()


def test_loopback_server_needs_no_key(tmp_path):
    stale = tmp_path / "jobs" / "run-999999999-1" / "job-x" / "收到的材料"  # left by a server that stopped
    stale.mkdir(parents=True)
    (stale / "a.xlsx").write_bytes(b"x")
    local = Server(tmp_path)
    try:
        assert not (tmp_path / "jobs" / "run-999999999-1").exists()  # swept at start, before any request
        assert [p.name for p in (tmp_path / "jobs").iterdir()] == [f"run-{local.process.pid}-" +
                                                                   p.name.rsplit("-", 1)[1]
                                                                   for p in (tmp_path / "jobs").iterdir()]
        assert local.key == "" and "共用服务" not in local.output
        assert f"批量校验页面：http://127.0.0.1:{local.port}/jixiao/batch\n" in local.output
        assert httpx.get(local.url + "/jixiao/batch").status_code == 200
        response = httpx.post(local.url + "/xlwings/custom-scripts-call/validate", json=book_json())
        assert response.status_code == 200 and response.json()["actions"]
        # a DNS-rebinding page reaches 127.0.0.1 under its own name: refused even here
        refusal(httpx.get(local.url + "/jixiao/batch", headers={"Host": "attacker.example.com"}), 403)
        status, body = raw_get(local.port, "/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd")
        assert status == 404 and b"root:" not in body
    finally:
        local.stop()


# ------------------------------------------------------------------ path escapes


ESCAPES = ["..%2f" * 9 + "etc/passwd", "%2e%2e/" * 9 + "etc/passwd", "%2e%2e%2f" * 9 + "etc%2fpasswd",
           "%252e%252e%252f" * 9 + "etc/passwd", "..%5c" * 9 + "etc%5cpasswd", "../" * 9 + "etc/passwd",
           ".%2e/" * 9 + "etc/passwd", "..%2fpyproject.toml", "..%2f..%2fpyproject.toml", "..%2f" * 3 + "pyproject.toml",
           "C:%5cWindows%5cwin.ini", "c:/windows/win.ini", "..%00/etc/passwd", "%c0%ae%c0%ae/" * 9 + "etc/passwd"]


def test_no_path_escapes_from_any_mount_in_any_encoding(server):
    mounts = ["/static/", "/static/js/", "/static/images/", "/wps/", f"/wps/k/{server.key}/", "/xlwings/",
              "/jixiao/", "/jixiao/batch/jobs/", "/"]
    secret = (ROOT / "pyproject.toml").read_bytes()[:40]
    for mount in mounts:
        for escape in ESCAPES:
            for cookie in ("", server.key):
                status, body = raw_get(server.port, mount + escape, cookie)
                assert b"root:" not in body and secret not in body, (mount, escape)
                assert status in (401, 404), (mount, escape, status)
                text = body.decode("utf-8")
                text = json.loads(text)["detail"] if text.startswith("{") else text
                assert CHINESE.search(text) and "\n" not in text.strip(), (mount, escape, text)
    # what the mounts are for still works
    assert httpx.get(server.url + "/static/images/jixiao-32.png").status_code == 200
    assert httpx.get(server.url + "/static/js/ribbon.js").status_code == 200
    assert httpx.get(server.url + "/wps/js/jixiao.js").status_code == 200


# ------------------------------------------------------------------ who may call


def test_anonymous_and_wrong_key_requests_are_refused(server):
    book = book_json()
    function = {"func_name": "exec_rate", "args": [[[83]], [[63.08]]], "caller_address": "Sheet1!A1",
                "formula_name": "JIXIAO.EXEC_RATE", "client": "Office.js", "version": "1", "runtime": "1.4",
                "culture_info_name": "zh-CN", "date_format": "yyyy/m/d"}
    json_post = {"X-Jixiao-Request": "1"}
    attempts = [("GET", "/jixiao/batch", None), ("POST", "/jixiao/batch/jobs", None),
                ("GET", "/jixiao/batch/jobs/" + "0" * 32, None), ("POST", "/jixiao/findings", book),
                ("POST", "/jixiao/wps/validate", dict(book, client="WPS")),
                ("POST", "/jixiao/wps/findings", dict(book, client="WPS")), ("GET", "/wps/publish.xml", None),
                ("GET", "/wps/jsplugins.xml", None), ("GET", "/wps/k/not-the-key/js/config.js", None),
                ("POST", "/xlwings/custom-scripts-call/validate", book),
                ("POST", "/xlwings/custom-functions-call", function), ("GET", "/some/new/route", None)]
    for method, path, body in attempts:
        text = refusal(httpx.request(method, server.url + path, json=body, headers=json_post), 401)
        assert "密钥" in text, (path, text)
        wrong = httpx.request(method, server.url + path, json=body,
                              headers=dict(json_post, Authorization="0123456789abcdef0123456789abcdef"))
        assert "密钥" in refusal(wrong, 401), path
    # public: the manifest (without the key in it), icons, help, the task pane page
    manifest = httpx.get(server.url + "/manifest.xml")
    assert manifest.status_code == 200 and "key=" not in manifest.text
    for path in ("/static/images/jixiao-64.png", "/jixiao/help", "/taskpane.html", "/wps/index.html"):
        assert httpx.get(server.url + path).status_code == 200, path


def test_the_key_opens_pages_sets_a_strict_cookie_and_reaches_every_client(server):
    key = server.key
    page = httpx.get(server.url + "/jixiao/batch", params={"key": key})
    assert page.status_code == 200 and "批量校验" in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"jixiao_key={key};") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    with httpx.Client(base_url=server.url, cookies={"jixiao_key": key}) as browser:  # the page's own fetches
        job = browser.post("/jixiao/batch/jobs", headers={"X-Jixiao-Request": "1"})
        assert job.status_code == 200 and job.json()["state"] == "uploading"
    # Office.js: the manifest asked with the key hands the task pane its address with the key, and
    # xlwings' client sends getAuth's token (our static/js/auth.js) as Authorization
    manifest = httpx.get(server.url + "/manifest.xml", params={"key": key}).text
    assert f"http://127.0.0.1:{server.port}/taskpane.html?key={key}" in manifest
    assert "getAuth" in httpx.get(server.url + "/static/js/auth.js").text
    answer = httpx.post(server.url + "/xlwings/custom-scripts-call/validate", json=book_json(),
                        headers={"Authorization": key, "Auth-Provider": "jixiao"})
    assert answer.status_code == 200 and any(a["func"] == "alert" for a in answer.json()["actions"])
    pane = httpx.get(server.url + "/taskpane.html", params={"key": key}).text
    assert f"/jixiao/batch?key={key}" in pane  # the link opens the batch page in a browser with the key
    # WPS: publish.xml asked with the key points at /wps/k/<key>/, whose config.js carries it
    publish = httpx.get(server.url + "/wps/publish.xml", params={"key": key}).text
    assert f'url="http://127.0.0.1:{server.port}/wps/k/{key}/"' in publish
    config = httpx.get(f"{server.url}/wps/k/{key}/js/config.js").text
    assert f'key: "{key}"' in config
    wps = httpx.post(server.url + "/jixiao/wps/validate", json=dict(book_json(), client="WPS"),
                     headers={"Authorization": key, "X-Jixiao-Request": "1"})
    assert wps.status_code == 200 and wps.json()["actions"]


def test_cross_site_and_simple_requests_are_refused(server):
    with httpx.Client(base_url=server.url, cookies={"jixiao_key": server.key}) as browser:
        header = {"X-Jixiao-Request": "1"}
        text = refusal(browser.post("/jixiao/batch/jobs", headers=dict(header, Origin="http://evil.example")), 403)
        assert "evil.example" in text
        refusal(browser.post("/jixiao/batch/jobs", headers=dict(header, **{"Sec-Fetch-Site": "cross-site"})), 403)
        refusal(browser.post("/jixiao/batch/jobs", headers={"Origin": "null"}), 403)
        # a CORS "simple request": no body, or a form / text body, and no custom header
        refusal(browser.post("/jixiao/batch/jobs"), 403)
        refusal(browser.post("/jixiao/batch/jobs", content=b"x=1",
                             headers={"Content-Type": "application/x-www-form-urlencoded"}), 403)
        refusal(browser.post("/jixiao/wps/validate", content=json.dumps(book_json()).encode(),
                             headers={"Content-Type": "text/plain"}), 403)
        same = browser.post("/jixiao/batch/jobs", headers=dict(header, Origin=server.url,
                                                               **{"Sec-Fetch-Site": "same-origin"}))
        assert same.status_code == 200
        refusal(browser.get("/manifest.xml", headers={"Host": "rebind.attacker.example"}), 403)
        ip = browser.get("/manifest.xml", headers={"Host": f"192.168.10.7:{server.port}"})
        assert ip.status_code == 200 and f"http://192.168.10.7:{server.port}/taskpane.html" in ip.text


# ------------------------------------------------------------------ size and time


def test_a_64_mb_body_is_refused_before_it_is_read(server):
    before = server.rss_mb()
    big = b'{"client": "Office.js", "sheets": [' + b'"' + b"x" * (64 << 20) + b'"]}'
    declared = httpx.post(server.url + "/xlwings/custom-scripts-call/validate", content=big,
                          headers={"Authorization": server.key, "Content-Type": "application/json"}, timeout=60)
    assert "20 MB" in refusal(declared, 413)

    def chunks():  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 1 << 20):
            yield big[start:start + (1 << 20)]

    try:
        streamed = httpx.post(server.url + "/jixiao/wps/validate", content=chunks(), timeout=60,
                              headers={"Authorization": server.key, "Content-Type": "application/json"})
        refusal(streamed, 413)
    except httpx.HTTPError:
        pass  # the server answered 413 and closed while the client was still sending: refused all the same
    after = server.rss_mb()
    print(f"server memory: {before:.0f} MB before, {after:.0f} MB after two 64 MB bodies")
    assert after - before < 60, (before, after)
    assert httpx.get(server.url + "/").status_code == 200


def function_call(name: str, args: list) -> dict:
    return {"func_name": name, "args": args, "caller_address": "Sheet1!A1", "formula_name": f"JIXIAO.{name.upper()}",
            "client": "Office.js", "version": "1", "runtime": "1.4", "culture_info_name": "zh-CN",
            "date_format": "yyyy/m/d"}


def test_a_huge_function_call_is_refused_and_a_slow_one_stalls_nobody(server):
    auth = {"Authorization": server.key}
    million = function_call("indicator_scores", [[["", "", ""] for _ in range(1_048_576)]])
    started = time.monotonic()
    text = refusal(httpx.post(server.url + "/xlwings/custom-functions-call", json=million, headers=auth,
                              timeout=120), 400)
    refused_in = time.monotonic() - started
    assert "3,145,728" in text and "100,000" in text
    block = function_call("exec_rate", [[[1] * 1000 for _ in range(1000)], [[1]]])  # a 1000×1000 block as one cell
    assert "1,000,001" in refusal(httpx.post(server.url + "/xlwings/custom-functions-call", json=block,
                                             headers=auth, timeout=120), 400)
    # the largest call allowed (33,333 rows × 3 = 99,999 cells) runs while a colleague clicks 校验
    slow = function_call("indicator_scores", [[["≥95%", "98%", 10] for _ in range(33_333)]])
    book = book_json()
    result = {}

    def heavy():
        t0 = time.monotonic()
        result["response"] = httpx.post(server.url + "/xlwings/custom-functions-call", json=slow, headers=auth,
                                        timeout=300)
        result["seconds"] = time.monotonic() - t0

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(0.3)
    waits = []
    while thread.is_alive() and len(waits) < 20:
        t0 = time.monotonic()
        click = httpx.post(server.url + "/xlwings/custom-scripts-call/validate", json=book, headers=auth, timeout=60)
        waits.append(time.monotonic() - t0)
        assert click.status_code == 200
    thread.join()
    assert result["response"].status_code == 200 and len(result["response"].json()["result"]) == 33_333
    print(f"1,048,576-row call refused in {refused_in:.2f} s; 99,999-cell call {result['seconds']:.1f} s; "
          f"校验 meanwhile: {len(waits)} clicks, longest {max(waits or [0]) * 1000:.0f} ms")
    assert waits and max(waits) < 1.0, waits


def _unit_book(unit: str, total: float | None = None) -> dict:
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "汨罗市司法局" in cell.value:
                    cell.value = cell.value.replace("汨罗市司法局", unit)
    if total is not None:
        book["附件2"]["H25"] = total  # a second error in this one
    return payload(book)


@pytest.mark.parametrize("route", ["/xlwings/custom-scripts-call/validate", "/jixiao/wps/validate"])
def test_two_colleagues_clicking_at_once_each_get_their_own_answer(server, route):
    # xlwings' remote engine files app.alert / app.macro under the process's "active" book — the last one any
    # request opened: with both clicking, 12 of 40 answers held the other's alert and marks, or none
    bodies = {"岳阳市财政局": _unit_book("岳阳市财政局", 95), "汨罗市司法局": _unit_book("汨罗市司法局")}
    headers = {"Authorization": server.key, "Auth-Provider": "jixiao"}
    if "/wps/" in route:  # as the WPS add-in sends it (addin/wps: the same book data, its own client name)
        for body in bodies.values():
            body["client"] = "WPS"
        headers["X-Jixiao-Request"] = "1"
    errors = {"岳阳市财政局": "2 个错误", "汨罗市司法局": "1 个错误"}
    answers = []

    def clicks(unit: str) -> None:
        for _ in range(20):
            reply = httpx.post(server.url + route, json=bodies[unit], timeout=300, headers=headers)
            assert reply.status_code == 200, reply.text[:300]
            actions = reply.json()["actions"]
            answers.append((unit, [a["args"][0] for a in actions if a["func"] == "alert"],
                            [a for a in actions if a["func"] == "runMacro"]))

    threads = [threading.Thread(target=clicks, args=(unit,)) for unit in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 40
    for unit, alerts, marks in answers:
        assert len(alerts) == 1 and len(marks) == 1, (unit, alerts, len(marks))
        assert errors[unit] in alerts[0], (unit, alerts[0][:80])


def test_a_stranger_gets_401_whatever_the_body(server):
    # {} without the key reached xlwings' body check first and got 400 "请求的内容不完整": a stranger learns
    # nothing of what the server would accept — every request without the key is refused as such
    for body in ({}, {"client": "Office.js"}, ["x"]):
        for path in ("/xlwings/custom-scripts-call/validate", "/xlwings/custom-functions-call"):
            text = refusal(httpx.post(server.url + path, json=body), 401)
            assert "密钥" in text, (path, body, text)
