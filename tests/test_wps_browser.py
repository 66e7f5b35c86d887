"""The WPS 加载项 (addin/wps) in headless Chromium, as WPS's browser engine runs it: index.html loads main.js,
which document.writes js/config.js, js/jixiao.js and js/ribbon.js; the buttons call the real server with
fetch. WPS's object model is the stand-in the Node tests use (addin/wps/test/wps_standin.js), put in the
page as window.Application before the add-in's scripts run; its workbooks are the Node tests' fixtures
(tests/test_wps.py write_fixtures: real files read with openpyxl).

Covered here and not under Node: the scripts loading in a page, fetch from the page's origin, the shared
server's key (the keyed address publish.xml hands out, /wps/k/<key>/, whose config.js carries it), and an
add-in published on another web site calling the server across origins (CORS: allowed with --allow-origin,
refused otherwise, in Chinese either way).
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import pytest

from .browser.harness import Server, chromium_path, free_port
from .test_wps import write_fixtures

pytest.importorskip("xlwings_server")
playwright = pytest.importorskip("playwright.sync_api")

STANDIN = (Path(__file__).resolve().parent.parent / "addin" / "wps" / "test" / "wps_standin.js").read_text(
    encoding="utf-8")
RED, YELLOW, USER_FILL = "#FFC7CE", "#FFEB9C", "#DDEBF7"
SUMMARY = ("发现 1 个错误、2 个警告；附件2：部门整体支出自评总分 99（优）；"
           "附件3：项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 100（优）；"
           "未校验隐藏的工作表：内部备注（需要校验时请先取消隐藏：右键点工作表标签 → 取消隐藏）")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A shared server that allows one other site (127.0.0.1:<port>), and that site: a plain web server
    holding the add-in as `jixiao-xl addin build-wps` writes it for the shared server (with its key)."""
    from jixiao_xl.excel.addin import build_wps, wps_version

    folder = tmp_path_factory.mktemp("wps")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = Server(folder, shared=True, allow_origins=[origin])
    build_wps(folder / "site", server=server.url, key=server.key)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder / "site"))
    handler.log_message = lambda *args: None
    web = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    fixtures = folder / "fixtures"
    fixtures.mkdir()
    write_fixtures(fixtures)
    try:
        yield {"server": server, "published": f"/jixiao_wps_{wps_version()}/index.html", "port": port,
               "fixtures": fixtures}
    finally:
        web.shutdown()
        web.server_close()
        server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Wps:
    """WPS 表格 with the add-in loaded from ``url``, over the stand-in holding ``fixture``."""

    def __init__(self, browser, url: str, fixture: dict):
        self.context = browser.new_context()
        self.context.add_init_script(
            "(function () { const module = { exports: {} };\n" + STANDIN +
            "\nwindow.Application = new module.exports.Application(" + json.dumps(fixture, ensure_ascii=False) +
            "); })();")
        self.page = self.context.new_page()
        self.alerts: list[str] = []
        self.requests: list[tuple[str, str | None]] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda r: self.requests.append((r.method, r.url, r.headers.get("authorization"))))
        self.page.goto(url)
        self.page.wait_for_function("typeof OnAction === 'function' && window.JixiaoWps !== undefined")
        assert self.page.evaluate("OnAddinLoad({})") is True  # the ribbon's onLoad, as WPS calls it

    def _dialog(self, dialog) -> None:
        self.alerts.append(dialog.message)
        dialog.accept()

    def click(self, button: str) -> str:
        """A ribbon button (ribbon.xml onAction="OnAction"); the alert it shows, "" when it shows none."""
        if button == "jixiaoClearMarks":  # quiet when all went well: emptying the marks record is its last step
            count = len(self.alerts)
            self.page.evaluate("Application.calls.length = 0")
            self.page.evaluate(f"OnAction({{ Id: {button!r} }})")
            for _ in range(300):
                if len(self.alerts) > count:
                    return self.alerts[-1]
                if self.page.evaluate("Application.calls.some((c) => c[0] === 'Cells.ClearContents')"):
                    return ""
                self.page.wait_for_timeout(100)
            raise AssertionError("清除标记 did not end within 30 s")
        with self.page.expect_event("dialog", timeout=30_000):
            self.page.evaluate(f"OnAction({{ Id: {button!r} }})")
        return self.alerts[-1]

    def book(self) -> dict:
        return self.page.evaluate("Application.snapshot()")

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors


@pytest.fixture
def wps(browser, site):
    opened = []

    def opener(url: str, fixture: str = "seed") -> Wps:
        data = json.loads((site["fixtures"] / f"{fixture}.json").read_text(encoding="utf-8"))
        app = Wps(browser, url, data)
        opened.append(app)
        return app

    yield opener
    for app in opened:
        app.close()


def typed(book: dict) -> dict:
    return {k: (c["value"], c["formula"]) for k, c in book.items()
            if k.startswith("附件") and isinstance(c, dict) and c["value"] is not None}


def looks(book: dict) -> dict:
    return {k: (c["fill"], c["comment"]) for k, c in book.items()
            if k.startswith("附件") and isinstance(c, dict) and (c["fill"] or c["comment"])}


def keyed_url(server) -> str:
    """The add-in's address in the publish.xml the shared server hands out (with the key)."""
    text = urllib.request.urlopen(f"{server.url}/wps/publish.xml?key={server.key}").read()
    return ElementTree.fromstring(text).find("jspluginonline").get("url")


def test_addin_from_the_shared_server_validates_lists_and_clears(wps, site):
    server = site["server"]
    url = keyed_url(server)
    assert url == f"{server.url}/wps/k/{server.key}/"
    app = wps(url)
    before = app.book()
    assert app.click("jixiaoValidate") == "校验结果\n\n" + SUMMARY
    after = app.book()
    assert (after["附件1!B7"]["fill"], after["附件1!B7"]["comment"]) == (RED, "请核对")  # the user's comment kept
    assert after["附件1!D25"]["fill"] == YELLOW and after["附件1!D25"]["comment"].startswith("B121 警告")
    assert after["附件2!D5"]["fill"] == YELLOW
    assert [after[f"校验结果!{c}2"]["value"] for c in "ABCD"] == ["B111", "错误", "附件1", "B7"]
    assert after["_jixiao_marks!visible"] == 0
    assert {k: v for k, v in typed(after).items() if k in typed(before)} == typed(before)
    # every call carried the key (the Authorization header), to this server only
    calls = [(m, u, a) for m, u, a in app.requests if m == "POST"]
    assert calls == [("POST", f"{server.url}/jixiao/wps/validate", server.key)]

    listed = app.click("jixiaoFindings")
    assert listed.startswith("问题列表\n\n发现 1 个错误、2 个警告") and (
        "\nB111 [附件1] 公务用车购置和维护经费 2022年决算数 (B7)：公务用车购置和维护经费应为 公车购置 + 公车运行维护") in listed
    assert app.book() == after  # listing changes nothing

    assert app.click("jixiaoClearMarks") == ""
    cleared = app.book()
    assert looks(cleared) == looks(before) == {"附件1!B7": (None, "请核对"), "附件1!D25": (USER_FILL, None)}
    assert typed(cleared) == typed(after)


def test_cells_showing_errors_keep_their_formulas(wps, site):
    app = wps(keyed_url(site["server"]), "errors")
    text = app.click("jixiaoValidate")
    assert text.startswith("校验结果\n\n发现 ")
    book = app.book()
    assert (book["附件1!B12"]["value"], book["附件1!B12"]["formula"], book["附件1!B12"]["fill"]) == (
        "#DIV/0!", "=B13/B14", RED)
    assert book["附件3!E6"]["value"] == "#N/A" and book["附件3!E6"]["formula"] == "=VLOOKUP(A6,E7:E9,2,0)"
    assert "附件3!G6" not in book and "附件3!H6" not in book
    assert "#DIV/0!" in book["附件1!B12"]["comment"]


def test_addin_without_the_key_is_refused_in_chinese(wps, site):
    server = site["server"]
    app = wps(f"{server.url}/wps/")
    before = app.book()
    text = app.click("jixiaoValidate")
    assert text.startswith("校验未完成\n\n需要访问密钥：") and text.endswith("（校验未进行，工作簿没有被修改）")
    assert app.book() == before


def test_addin_published_on_an_allowed_site_calls_the_server(wps, site):
    """--allow-origin http://127.0.0.1:<port>: the add-in from that site (build-wps wrote the server's address
    and key into its config.js) works across origins."""
    app = wps(f"http://127.0.0.1:{site['port']}{site['published']}")
    assert app.click("jixiaoValidate") == "校验结果\n\n" + SUMMARY
    assert app.book()["附件1!B7"]["fill"] == RED


def test_addin_published_on_another_site_is_refused_in_chinese(wps, site):
    """The same add-in from a site the server does not allow (http://localhost:<port> is another origin): the
    browser refuses the answer (CORS); the user reads why in Chinese and the workbook is untouched."""
    app = wps(f"http://localhost:{site['port']}{site['published']}")
    before = app.book()
    text = app.click("jixiaoValidate")
    assert text.startswith("校验未完成\n\n连接不到校验服务，无法校验，工作簿没有被修改。")
    assert app.book() == before
