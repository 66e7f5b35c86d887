"""The Office.js add-in's real JavaScript in headless Chromium: the task pane and the ribbon's function file
(one page, taskpane.html, as the manifest names it) served by the real `jixiao-xl addin serve`, with
xlwings Server's own client (static/js/custom-scripts of the installed xlwings-server, unmodified) and our
ribbon.js / jixiao.js / auth.js. Only office.js is replaced, by a stand-in of Excel's object model
(tests/browser/officejs_standin.js: the load/sync discipline, requirement sets per client generation).

Why our own stand-in and not Microsoft's office-addin-mock (npm, 4.0.0, read for this): its mock reads an
unloaded property as the string "Error, property was not loaded" instead of throwing as Excel does (a
missing load would pass), `sync` is a method of each mock object rather than of the request context, it
has no behaviour (getRange(address) of a sheet, values as 2-D arrays, writes, sheets added and hidden:
each would be a hand-written function returning a fixed object), no requirement sets, and it is a
CommonJS package for Node with dependencies of its own (office-addin-manifest, office-addin-usage-data)
that does not load in a page.

The workbooks are real files read with openpyxl; the tests click 校验, 清除标记 and 问题列表 as a user does
(the ribbon command through Office.actions, the task pane's buttons) and assert the stand-in's workbook
afterwards, and the alert the user reads in xlwings' own alert page.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from .browser.harness import OFFICEJS_STANDIN, Server, chromium_path, officejs_workbook
from .test_seed import EXAMPLE

pytest.importorskip("xlwings_server")
playwright = pytest.importorskip("playwright.sync_api")

RED, YELLOW = "#FFC7CE", "#FFEB9C"
USER_FILL = "#DDEBF7"  # the accountant's own colour on 附件1 D25, which 校验 marks
USER_NOTE = "请核对"  # the accountant's own note on 附件1 B7, which 校验 marks
SUMMARY = ("发现 1 个错误、2 个警告；附件2：部门整体支出自评总分 99（优）；"
           "附件3：项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 100（优）")
FORMS = ("附件1", "附件2", "附件3")
# cells showing an error: 附件1 B12 (blank in the seed, where 校验 writes 332) a formula showing #DIV/0!,
# 附件3 E6 (全年执行数) one showing #REF!, with 执行率 G6 and 得分 H6 left blank
ERROR_CELLS = {("附件1", "B12"): ("#DIV/0!", "=B13/B14"), ("附件3", "E6"): ("#REF!", "=E7+#REF!")}


# ------------------------------------------------------------------ the server, the browser, the pane


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A shared server (--public-url: the access key is needed), as a department runs it."""
    running = Server(tmp_path_factory.mktemp("officejs"), shared=True)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    """One Chromium and one browser profile for the module (its cache spares reloading xlwings' 40 modules);
    each test opens its own page."""
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield chromium.new_context()
        chromium.close()


def manifest_urls(server) -> dict[str, str]:
    """The task pane and the function file, from the manifest the server hands out with the key."""
    import urllib.request

    text = urllib.request.urlopen(f"{server.url}/manifest.xml?key={server.key}").read().decode("utf-8")
    root = ElementTree.fromstring(text)
    urls = {u.get("id"): u.get("DefaultValue") for u in root.iter() if u.tag.endswith("}Url")}
    function_file = next(e for e in root.iter() if e.tag.endswith("}FunctionFile")).get("resid")
    source = next(e for e in root.iter() if e.tag.endswith("}SourceLocation") and e.get("DefaultValue"))
    return {"taskpane": source.get("DefaultValue"), "function_file": urls[function_file]}


class Pane:
    """The task pane page (also the ribbon's function file) in Excel, over the stand-in's workbook."""

    def __init__(self, browser, url: str, workbook: dict, client: str, cached_version: str | None = None):
        self.context = browser
        self.page = browser.new_page()
        if cached_version:  # the page as an Excel keeps it in its add-in cache from an older server
            def older(route):
                response = route.fetch()
                body = re.sub(r'"xlwingsVersion": "[^"]*"', f'"xlwingsVersion": "{cached_version}"', response.text())
                assert cached_version in body
                route.fulfill(response=response, body=body)

            self.page.route("**/taskpane.html*", older)
        self.page.add_init_script(
            "window.__officeStandinConfig = " + json.dumps({"client": client, "workbook": workbook}, ensure_ascii=False))
        self.page.route("**/office-js/**/office.js",
                        lambda route: route.fulfill(body=OFFICEJS_STANDIN, content_type="text/javascript"))
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Excel on Windows adds its host to the task pane's address (office.js reads it there)
        self.page.goto(url + ("&" if "?" in url else "?") + "_host_Info=Excel$Win32$16.01$zh-CN$$$$0")
        self.page.wait_for_function("window.xlwings && window.OfficeStandin && document.readyState === 'complete'")

    def ribbon(self, command: str) -> None:
        """An ExecuteFunction button of the ribbon: Office runs the associated function and waits for completed()."""
        assert self.page.evaluate("OfficeStandin.actions()") == ["jixiao-validate", "jixiao-clear-marks"]
        self.page.evaluate(f"OfficeStandin.ribbon({command!r})")

    def alert(self, count: int = 1) -> tuple[str, str]:
        """The alert the user reads (xlwings' alert page in the dialog), then OK: its title and text."""
        self.page.wait_for_function(f"OfficeStandin.dialogs.length >= {count}", timeout=30_000)
        dialog = self.page.evaluate(f"OfficeStandin.dialogs[{count - 1}]")
        assert not dialog["refused"], dialog
        frame = self.page.locator("iframe.office-standin-dialog").element_handle().content_frame()
        frame.wait_for_load_state("load")  # its dialog.js has hooked up the buttons
        shown = frame.locator("body").inner_text()
        assert dialog["title"] in shown and dialog["prompt"] in shown
        frame.locator("#ok").click()
        self.page.wait_for_function("!OfficeStandin.dialogs.some((d) => d.open)")
        return dialog["title"], dialog["prompt"]

    def book(self) -> dict:
        """{sheet: {"visibility", "cells": {A1: {v, f, nf, fill, note}}}} of the stand-in's workbook."""
        snap = self.page.evaluate("OfficeStandin.snapshot()")
        return {s["name"]: s for s in snap["sheets"]}

    def close(self) -> None:
        self.page.close()
        assert self.errors == [], self.errors


@pytest.fixture
def open_pane(browser, server):
    panes = []

    def opener(workbook: dict, client: str = "m365", url: str | None = None, cached_version: str | None = None) -> Pane:
        pane = Pane(browser, url or manifest_urls(server)["taskpane"], workbook, client, cached_version)
        panes.append(pane)
        return pane

    opener.browser = browser
    yield opener
    for pane in panes:
        pane.close()


def example_workbook() -> dict:
    """The seed as submitted, with the accountant's own note and fill on cells 校验 will mark."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    book["附件1"]["B7"].comment = Comment(USER_NOTE, "会计")
    book["附件1"]["D25"].fill = PatternFill("solid", fgColor=USER_FILL[1:])
    return officejs_workbook(book, EXAMPLE.name)


def error_workbook() -> dict:
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    for (sheet, address), (shown, _formula) in ERROR_CELLS.items():
        book[sheet][address] = shown
    book["附件3"]["G6"] = book["附件3"]["H6"] = None
    return officejs_workbook(book, EXAMPLE.name, formulas={k: f for k, (_, f) in ERROR_CELLS.items()})


def typed(book: dict) -> dict:
    """What the user typed on the forms: every cell's value and formula."""
    return {(name, a): (c["v"], c["f"]) for name in FORMS for a, c in book[name]["cells"].items() if c["v"] != ""}


def looks(book: dict) -> dict:
    return {(name, a): (c["fill"], c["note"]) for name in FORMS for a, c in book[name]["cells"].items()
            if c["fill"] or c["note"]}


def results_rows(book: dict) -> list[dict]:
    """校验结果 as rows of {column letter: cell}."""
    blank = {"v": "", "f": None, "nf": "General", "fill": None, "note": None}
    rows: dict[int, dict] = {}
    for address, cell in book["校验结果"]["cells"].items():
        column, row = re.fullmatch(r"([A-Z]+)(\d+)", address).groups()
        rows.setdefault(int(row), {c: blank for c in "ABCDEFGH"})[column] = cell
    return [rows[r] for r in sorted(rows)]


# ------------------------------------------------------------------ the function file and the task pane


def test_manifest_names_one_page_for_task_pane_and_function_file(server):
    urls = manifest_urls(server)
    assert urls["taskpane"] == urls["function_file"] == f"{server.url}/taskpane.html?key={server.key}"


@pytest.mark.parametrize("client", ["m365", "excel2024", "excel2021"])
def test_validate_and_clear_marks_from_the_ribbon(open_pane, client):
    """校验 then 清除标记 from the ribbon (ExecuteFunction): marks, notes where the client has them, 校验结果,
    the accountant's own note and fill kept or put back, nothing typed changed."""
    notes = client == "m365"  # ExcelApi 1.18; Excel 2021 (1.14) and 2024 (1.17) perpetual have no notes API
    pane = open_pane(example_workbook(), client)
    assert pane.page.evaluate("OfficeStandin.isSetSupported('ExcelApi', '1.18')") is notes
    before = pane.book()
    pane.ribbon("jixiao-validate")
    assert pane.alert() == ("校验结果", SUMMARY)
    after = pane.book()

    forms = after["附件1"]["cells"]
    assert (forms["B7"]["fill"], forms["B7"]["note"]) == (RED, USER_NOTE)  # the user's note stays, none added
    assert forms["D25"]["fill"] == YELLOW
    assert after["附件2"]["cells"]["D5"]["fill"] == YELLOW
    if notes:
        assert forms["D25"]["note"].startswith("B121 警告：公用经费控制率 = 340.27 ÷ 268.49 = 126.73%")
        assert after["附件2"]["cells"]["D5"]["note"].startswith("E105 警告")
    else:
        assert forms["D25"]["note"] is None and after["附件2"]["cells"]["D5"]["note"] is None
    assert {k for k, (fill, _) in looks(after).items() if fill in (RED, YELLOW)} == {
        ("附件1", "B7"), ("附件1", "D25"), ("附件2", "D5")}

    # nothing typed changed; the blank derived cells were filled
    filled = {k: v for k, v in typed(after).items() if k not in typed(before)}
    assert filled == {("附件1", "B12"): (332, None), ("附件1", "C12"): (83, None), ("附件1", "D12"): (440.32, None)}
    assert {k: v for k, v in typed(after).items() if k in typed(before)} == typed(before)

    rows = results_rows(after)
    assert [c["v"] for c in rows[0].values()] == ["代码", "严重程度", "工作表", "单元格", "位置", "说明", "应为", "实际"]
    assert [(r["A"]["v"], r["B"]["v"], r["C"]["v"], r["D"]["v"]) for r in rows[1:4]] == [
        ("B111", "错误", "附件1", "B7"), ("B121", "警告", "附件1", "D25"), ("E105", "警告", "附件2", "D5")]
    assert [r["A"]["v"] for r in rows[4:]] == [
        "[附件1] 财政供养人员控制率 100.00%", "[附件2] 执行率 100.00%，执行率得分 10，总分 99（优）",
        "[附件3] 执行率 100.00%，执行率得分 10，总分 100（优）", "共 1 个错误、2 个警告"]
    assert rows[1]["D"]["f"] == '=HYPERLINK("#\'附件1\'!B7","B7")'  # the link to the cell (no notes: the pointer)
    assert [rows[2][c]["v"] for c in "GH"] == [1, 1.2673] and [rows[2][c]["nf"] for c in "GH"] == ["0.00%"] * 2
    assert [rows[1][c]["nf"] for c in "GH"] == ["General"] * 2  # 9 and 17 stay amounts
    assert after["_jixiao_marks"]["visibility"] == "Hidden"
    assert after["校验结果"]["visibility"] == "Visible"

    pane.ribbon("jixiao-clear-marks")
    cleared = pane.book()
    assert looks(cleared) == looks(before) == {("附件1", "B7"): (None, USER_NOTE), ("附件1", "D25"): (USER_FILL, None)}
    assert typed(cleared) == typed(after)
    assert pane.page.evaluate("OfficeStandin.dialogs.length") == 1  # 清除标记 is quiet when all went well


def test_task_pane_buttons_validate_list_and_clear(open_pane):
    """The task pane's own buttons on the perpetual client: 校验, 列出问题 (the ribbon's 问题列表 opens this
    pane), 清除标记; listing changes nothing."""
    pane = open_pane(example_workbook(), "excel2021")
    before = pane.book()
    pane.page.click("[data-jixiao-script=validate]")
    assert pane.alert() == ("校验结果", SUMMARY)
    validated = pane.book()
    assert validated["附件1"]["cells"]["B7"]["fill"] == RED

    pane.page.click("#jixiao-refresh")
    listing = pane.page.locator("#jixiao-findings")
    listing.get_by_text("B111").wait_for()
    text = listing.inner_text()
    assert SUMMARY in text and "公务用车购置和维护经费应为 公车购置 + 公车运行维护 = 0 + 9 = 9，现填 17" in text
    assert pane.book() == validated  # the list only reads

    pane.page.click("[data-jixiao-script=clear_marks]")
    pane.page.wait_for_function("OfficeStandin.snapshot().sheets[0].cells.B7.fill === null")
    assert looks(pane.book()) == looks(before)


TYPED_TEXTS = {"E5": "(5)", "H14": "1/2", "H15": "2024-12-31", "H17": "TRUE", "H18": "12月31日"}


@pytest.mark.parametrize("client", ["m365", "excel2021"])
def test_texts_in_results_stay_texts(open_pane, client):
    """Texts typed where a number belongs (N001) and a sheet named 2024-12: xlwings' own client writes 校验结果 and
    the marks record with ``range.values = action.values`` (xlwings_server 1.20.0, static/js/custom-scripts/
    range-action-callbacks.js createSetValues), which Excel parses as typed: 实际 showed −5, dates and TRUE, 工作表
    a date, and 清除标记 could not find the sheet the marks record named. Each stays the text, shown without the
    apostrophe that keeps it text; numbers stay numbers."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    book["附件2"].title = "2024-12"
    for address, text in TYPED_TEXTS.items():
        book["2024-12"][address] = text
    pane = open_pane(officejs_workbook(book, EXAMPLE.name), client)
    before = pane.book()
    pane.ribbon("jixiao-validate")
    title, text = pane.alert()
    assert title == "校验结果" and text.startswith("发现 6 个错误、2 个警告；2024-12：部门整体支出自评总分 无法复核")
    rows = results_rows(pane.book())
    shown = {r["D"]["v"]: (r["C"]["v"], r["H"]["v"], r["H"]["nf"]) for r in rows if r["A"]["v"] == "N001"}
    assert shown == {address: ("2024-12", text, "General") for address, text in TYPED_TEXTS.items()}
    b111 = next(r for r in rows if r["A"]["v"] == "B111")
    assert [b111[c]["v"] for c in "CDGH"] == ["附件1", "B7", 9, 17]
    e105 = next(r for r in rows if r["A"]["v"] == "E105")
    assert [e105[c]["v"] for c in "CD"] == ["2024-12", "D5"] and [e105[c]["nf"] for c in "GH"] == ["0.00%"] * 2
    marks = {a: c["v"] for a, c in pane.book()["_jixiao_marks"]["cells"].items() if a.startswith("A")}
    assert sorted(set(marks.values())) == ["2024-12", "sheet", "附件1"]
    assert pane.book()["2024-12"]["cells"]["E5"]["fill"] == RED

    pane.ribbon("jixiao-clear-marks")
    cleared = pane.book()
    assert {a: c["fill"] for a, c in cleared["2024-12"]["cells"].items() if c["fill"]} == {}
    assert cleared["附件1"]["cells"]["B7"]["fill"] is None
    assert {a: c["v"] for a, c in cleared["2024-12"]["cells"].items()} == {
        a: c["v"] for a, c in before["2024-12"]["cells"].items()}  # nothing typed changed


def test_cached_old_client_is_asked_to_reload(open_pane):
    """Excel (here the perpetual client) running the add-in's page from its cache, served when the server had an
    older xlwings: xlwings' client sends that version (index.js getBookData: payload.version =
    config.xlwingsVersion, the page's config). 校验 and 清除标记 each show one Chinese alert on how to reload the
    add-in, in xlwings' own alert dialog, and change nothing."""
    pane = open_pane(example_workbook(), "excel2021", cached_version="0.33.6")
    before = pane.book()
    for command, action in (("jixiao-validate", "校验"), ("jixiao-clear-marks", "清除标记")):
        pane.ribbon(command)
        title, text = pane.alert(1 if action == "校验" else 2)
        assert title == f"{action}未完成"
        assert text.startswith("这台电脑的 Excel 用的是缓存里的旧版加载项（版本 0.33.6，")
        assert f"所以这次没有{action}，工作簿没有被修改。请重新加载加载项：关闭所有 Excel 窗口" in text
        assert pane.book() == before


@pytest.mark.parametrize("client", ["m365", "excel2021"])
def test_error_cells_keep_their_formulas(open_pane, client):
    """A workbook with cells showing #DIV/0! and #REF!: reported (N003), marked, never written; G6/H6 worked out
    from the error stay blank; 清除标记 leaves them as they were."""
    pane = open_pane(error_workbook(), client)
    before = typed(pane.book())
    pane.ribbon("jixiao-validate")
    title, text = pane.alert()
    assert title == "校验结果" and text.startswith("发现 ")
    book = pane.book()
    assert {k: v for k, v in typed(book).items() if k in before} == before  # nothing typed changed
    for (sheet, address), (shown, formula) in ERROR_CELLS.items():
        cell = book[sheet]["cells"][address]
        assert (cell["v"], cell["f"], cell["fill"]) == (shown, formula, RED)
        assert (cell["note"] is not None) is (client == "m365")
    assert "G6" not in book["附件3"]["cells"] and "H6" not in book["附件3"]["cells"]
    assert book["附件1"]["cells"]["C12"]["v"] == 83  # the rest of the row is filled as before
    n003 = {(r["C"]["v"], r["D"]["v"]): r["F"]["v"] for r in results_rows(book)[1:] if r["A"]["v"] == "N003"}
    assert set(n003) == set(ERROR_CELLS)
    assert n003[("附件1", "B12")].startswith("单元格显示 #DIV/0!（公式出错）")
    pane.ribbon("jixiao-clear-marks")
    book = pane.book()
    assert {k: v for k, v in typed(book).items() if k in before} == before
    for (sheet, address), (shown, formula) in ERROR_CELLS.items():
        cell = book[sheet]["cells"][address]
        assert (cell["v"], cell["f"], cell["fill"], cell["note"]) == (shown, formula, None, None)


def test_protected_sheet_is_said_in_chinese(open_pane):
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    book["附件1"].protection.sheet = True
    pane = open_pane(officejs_workbook(book, EXAMPLE.name))
    pane.ribbon("jixiao-validate")
    title, text = pane.alert()
    assert title == "校验未完成"
    assert text == "工作表受保护，无法校验。请先取消保护（审阅 → 撤销工作表保护）再校验。"
    assert pane.book()["附件1"]["cells"].get("B12") is None  # the protected sheet was not written


def test_worksheet_functions_calculate_through_the_shared_server(open_pane):
    """=JIXIAO.EXEC_RATE(…) in a cell: xlwings' function code (custom-functions-code.js, associated when the
    function file loads) posts the call with the key from auth.js; a wrong argument is #VALUE! in Chinese."""
    pane = open_pane(example_workbook())
    assert {"EXEC_RATE", "EXEC_SCORE", "INDICATOR_SCORE", "INDICATOR_SCORES", "CONTROL_RATE", "GRADE"} <= set(
        pane.page.evaluate("OfficeStandin.functions()"))
    rate = pane.page.evaluate("OfficeStandin.calculate('EXEC_RATE', [[[1762.55]], [[1762.55]]], '附件2!G5')")
    assert rate == {"value": [[1]]}
    wrong = pane.page.evaluate("OfficeStandin.calculate('EXEC_RATE', [[['一千']], [[83]]], '附件2!G5')")
    assert wrong["code"] == "#VALUE!" and "全年预算数" in wrong["message"], wrong


def test_pane_without_the_key_is_refused_in_chinese(open_pane, server):
    """A shared server: a task pane opened without the key (an old manifest) cannot run 校验; the workbook
    stays as it was and the user is told what to do."""
    open_pane.browser.clear_cookies()  # none left by the panes opened with the key
    pane = open_pane(example_workbook(), url=f"{server.url}/taskpane.html")
    before = pane.book()
    pane.ribbon("jixiao-validate")
    title, text = pane.alert()
    assert title == "校验未完成"
    assert text.startswith("需要访问密钥：") and text.endswith("（校验未进行，工作簿没有被修改）")
    pane.page.click("#jixiao-refresh")
    pane.page.wait_for_function("document.querySelector('#jixiao-findings').textContent.trim() !== '正在校验…'")
    assert pane.page.locator("#jixiao-findings").inner_text().startswith("无法列出问题：需要访问密钥：")
    assert pane.book() == before


def test_findings_list_sends_the_key_without_cookies(open_pane):
    """Excel on the web runs the task pane in a frame of another site, where the server's cookie is a third-party
    cookie and is not sent: 列出问题 must carry the key itself (the Authorization header, as xlwings' calls do)."""
    pane = open_pane(example_workbook())
    pane.context.clear_cookies()
    pane.page.click("#jixiao-refresh")
    pane.page.wait_for_function("document.querySelector('#jixiao-findings').textContent.trim() !== '正在校验…'")
    assert SUMMARY in pane.page.locator("#jixiao-findings").inner_text()


# ------------------------------------------------------------------ outside Office


@pytest.mark.parametrize("path", ["/jixiao/help", "/taskpane.html"])
def test_pages_in_a_plain_browser_say_they_run_in_excel(browser, server, path):
    """The help page (the manifest's SupportUrl) and the task pane opened in a browser, with the real office.js:
    no reloads, no "The add-in didn't load properly", a Chinese note that the buttons work inside Excel/WPS."""
    page = browser.new_page()
    page.context.clear_cookies()
    loads = []
    page.on("load", lambda _page: loads.append(1))
    page.clock.install()  # the clock of xlwings' 5-second reload timer: run on below
    page.goto(server.url + path)
    for _ in range(4):  # 24 s of page time: past every timeout of taskpane-reload.js
        page.clock.run_for(6000)
        page.wait_for_timeout(150)
    text = page.locator("body").inner_text()
    page.close()
    assert loads == [1], "the page reloaded itself"
    assert "didn't load" not in text and "Reload" not in text
    assert "Excel" in text and "在浏览器中" in text
    if path == "/taskpane.html":
        assert "需要在 Excel 中使用" in text and "WPS 表格请安装 WPS 加载项" in text
        assert "校验（含隐藏表）" not in text  # buttons that cannot work here are not offered
    else:
        assert "在 Excel 或 WPS 表格中使用" in text


def test_an_alert_left_open_does_not_swallow_the_next_one(open_pane):
    """校验's alert still open (Office allows one dialog at a time: 12007), then 清除标记 cannot reach the
    server: the user must still read why."""
    pane = open_pane(example_workbook())
    pane.ribbon("jixiao-validate")
    pane.page.wait_for_function("OfficeStandin.dialogs.length === 1 && OfficeStandin.dialogs[0].open")
    pane.page.route("**/xlwings/custom-scripts-call/**", lambda route: route.abort())  # the server went away
    pane.ribbon("jixiao-clear-marks")
    title, text = pane.alert(2)
    assert title == "清除标记未完成" and text.startswith("连接不到校验服务，无法清除标记。")
    assert pane.book()["附件1"]["cells"]["B7"]["fill"] == RED  # nothing was cleared
