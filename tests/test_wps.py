"""The WPS 加载项 (addin/wps) end to end without WPS: its JavaScript under Node's test runner against a
stand-in of WPS's object model, talking to the real jixiao-xl server started here on 127.0.0.1.

The workbooks the stand-in holds are real files read with openpyxl (values, fills, comments) and
written as JSON fixtures; addin/wps/test/wps.test.js loads them, clicks the buttons and asserts what
the user would see.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from jixiao_xl.excel import addin

from .test_seed import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
NODE_TESTS = ROOT / "addin" / "wps" / "test"
USER_FILL = "DDEBF7"  # a colour the accountant gave 附件1 D25 before 校验 marked it


def fixture_of(book, name: str, hidden=(), protected=(), formulas=None) -> dict:
    """The stand-in's workbook: each sheet's cells with value, solid fill ("#RRGGBB") and comment; a cell
    showing an error (openpyxl: data type "e") as ``error`` (the stand-in's Value2 gives its COM error code),
    and the formulas of ``formulas`` ({(sheet, A1): "=..."}) as ``formula``."""
    formulas = formulas or {}
    sheets = []
    for ws in book.worksheets:
        cells = []
        for row in ws.iter_rows():
            for cell in row:
                fill = None
                rgb = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.patternType == "solid" else None
                if isinstance(rgb, str):
                    fill = "#" + rgb[-6:].upper()
                comment = cell.comment.text if cell.comment else None
                if cell.value is not None or fill or comment:
                    entry = {"address": cell.coordinate, "value": cell.value, "fill": fill, "comment": comment}
                    if cell.data_type == "e":
                        entry.update(value=None, error=cell.value)
                    if isinstance(cell.value, datetime.datetime):  # WPS's Value2 gives a date's serial number
                        entry["value"] = (cell.value - datetime.datetime(1899, 12, 30)).total_seconds() / 86400
                    if cell.number_format != "General":
                        entry["numberFormat"] = cell.number_format
                    if (ws.title, cell.coordinate) in formulas:
                        entry["formula"] = formulas[(ws.title, cell.coordinate)]
                    cells.append(entry)
        visible = {"visible": -1, "hidden": 0, "veryHidden": 2}[ws.sheet_state]
        sheets.append({"name": ws.title, "visible": 0 if ws.title in hidden else visible, "cells": cells,
                       "protected": ws.title in protected})
    return {"name": name, "sheets": sheets}


def write_fixtures(folder: Path) -> None:
    """The seed as submitted, with an accountant's own fill and comment on cells 校验 will mark,
    and a hidden sheet of notes; a workbook without any form; and one whose marks record is corrupt."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    book["附件1"]["D25"].fill = PatternFill("solid", fgColor=USER_FILL)
    book["附件1"]["B7"].comment = Comment("请核对", "会计")
    notes = book.create_sheet("内部备注")
    notes["A1"] = "只给自己看的备注"
    seed = dict(fixture_of(book, "miluo_sifaju_2023.xlsx", hidden={"内部备注"}), active="附件2")
    (folder / "seed.json").write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
    (folder / "protected.json").write_text(json.dumps(
        fixture_of(book, "miluo_sifaju_2023.xlsx", hidden={"内部备注"}, protected={"附件1"}), ensure_ascii=False),
        encoding="utf-8")

    other = openpyxl.Workbook()
    other.active.title = "工资表"
    other.active["A1"] = "姓名"
    other.active["B1"] = "应发"
    (folder / "noform.json").write_text(json.dumps(fixture_of(other, "工资.xlsx"), ensure_ascii=False),
                                        encoding="utf-8")

    # cells showing errors where 校验 would write: 附件1 B12 (blank in the seed: 校验 writes 332 there) a
    # formula showing #DIV/0!, 附件3 E6 (全年执行数) one showing #N/A with 执行率 G6 and 得分 H6 left blank
    errors = openpyxl.load_workbook(EXAMPLE, data_only=True)
    errors["附件1"]["B12"] = "#DIV/0!"
    errors["附件3"]["E6"] = "#N/A"
    errors["附件3"]["G6"] = errors["附件3"]["H6"] = None
    (folder / "errors.json").write_text(json.dumps(fixture_of(
        errors, "miluo_sifaju_2023.xlsx", formulas={("附件1", "B12"): "=B13/B14", ("附件3", "E6"): "=VLOOKUP(A6,E7:E9,2,0)"}),
        ensure_ascii=False), encoding="utf-8")

    # a 时效指标 completed on a date the accountant typed (WPS and Excel store 2024/2/20 as a date): 附件3's
    # E15 年度指标值 "2023年12月31日前", F15 实际完成值 2024-02-20, in a date format; an amount beside it in a
    # column of mixed formats (D6 in 0.00, the rest General) stays a number
    dates = openpyxl.load_workbook(EXAMPLE, data_only=True)
    dates["附件3"]["E15"] = "2023年12月31日前"
    dates["附件3"]["F15"] = datetime.datetime(2024, 2, 20)
    dates["附件3"]["F15"].number_format = 'yyyy"年"m"月"d"日"'
    dates["附件3"]["D6"].number_format = "0.00"
    (folder / "dates.json").write_text(json.dumps(fixture_of(dates, "miluo.xlsx"), ensure_ascii=False),
                                       encoding="utf-8")

    # texts typed where a number belongs (N001 “不是数字”, each shown in 校验结果 as read) on a sheet named 2024-12:
    # WPS parses a string given to Value2 as typed ("(5)" -5, "1/2" a date), as Excel does
    texts = openpyxl.load_workbook(EXAMPLE, data_only=True)
    texts["附件2"].title = "2024-12"
    for address, text in {"E5": "(5)", "H14": "1/2", "H15": "2024-12-31", "H17": "TRUE", "H18": "12月31日"}.items():
        texts["2024-12"][address] = text
    (folder / "texts.json").write_text(json.dumps(fixture_of(texts, "miluo.xlsx"), ensure_ascii=False),
                                       encoding="utf-8")

    corrupt = openpyxl.load_workbook(EXAMPLE, data_only=True)
    marks = corrupt.create_sheet("_jixiao_marks")
    marks.append(["sheet", "cell", "fill", "note"])
    marks.append(["附件1", "第六行", None, None])  # edited by hand: not a cell address
    marks.sheet_state = "hidden"
    (folder / "corrupt_marks.json").write_text(json.dumps(fixture_of(corrupt, "miluo.xlsx"), ensure_ascii=False),
                                               encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The add-in server started as a user starts it: `jixiao-xl addin serve` (HTTP on 127.0.0.1)."""
    pytest.importorskip("xlwings_server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    log = tmp_path_factory.mktemp("server") / "server.log"
    url = f"http://127.0.0.1:{port}"
    process = start([sys.executable, "-m", "jixiao_xl", "addin", "serve", "--port", str(port)], url, log, env)
    try:
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def start(command: list[str], url: str, log: Path, env: dict) -> subprocess.Popen:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=log.parent)
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/wps/ribbon.xml", timeout=1).read()
            return process
        except OSError:
            if process.poll() is not None:
                pytest.fail("the add-in server did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.1)
    process.terminate()
    pytest.fail("the add-in server did not answer within 30 s:\n" + log.read_text(errors="replace"))


def node() -> str | None:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None and not os.environ.get("CI"):
        pytest.skip("Node.js is not installed (CI installs it: apt-get install nodejs)")
    return found


def node_test_files() -> list[str]:
    """The test files themselves (a directory argument means different things across Node versions)."""
    files = sorted(str(p) for p in NODE_TESTS.glob("*.test.js"))
    assert files, NODE_TESTS
    return files


def count(output: str, what: str) -> int:
    """A total from node --test's summary (# pass 13, # skipped 0)."""
    return int(output.split(f"# {what} ")[1].split()[0])


def test_wps_addin_end_to_end_under_node(server, tmp_path):
    """addin/wps/test/*.test.js: 校验, 清除标记, 问题列表, the Chinese error paths (see that file)."""
    executable = node()
    assert executable, "CI must have Node.js (apt-get install nodejs)"
    url, log = server
    write_fixtures(tmp_path)
    env = dict(os.environ, JIXIAO_SERVER=url, JIXIAO_FIXTURES=str(tmp_path))
    result = subprocess.run([executable, "--test", *node_test_files()], env=env, capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output + "\n--- server log ---\n" + log.read_text(errors="replace")[-4000:]
    # every test ran (none skipped for want of the server) and passed
    assert "# fail 0" in output and "# skipped 0" in output, output
    assert count(output, "pass") == 22, output
    # the server logged the corrupt marks record's detail (the user saw only Chinese)
    assert "清除标记 failed" in log.read_text(errors="replace")


def test_node_tests_without_server_skip_only_the_server_ones(tmp_path):
    """Run by hand (`node --test addin/wps/test/`) the stand-in's own tests still run; the end-to-end ones skip."""
    executable = node()
    assert executable, "CI must have Node.js (apt-get install nodejs)"
    env = {k: v for k, v in os.environ.items() if k not in ("JIXIAO_SERVER", "JIXIAO_FIXTURES")}
    result = subprocess.run([executable, "--test", *node_test_files()], env=env, capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "# fail 0" in output and count(output, "skipped") == 11 and count(output, "pass") == 11, output


# ------------------------------------------------------------------ what the server gives the WPS add-in


def test_server_serves_the_addin_and_its_plugin_lists(server):
    url, _ = server
    ribbon = urllib.request.urlopen(url + "/wps/ribbon.xml").read().decode("utf-8")
    tab = ElementTree.fromstring(ribbon).find(".//{*}tab")
    assert tab.get("label") == "绩效自评"
    assert [b.get("label") for b in tab.iter("{http://schemas.microsoft.com/office/2006/01/customui}button")] == [
        "校验", "清除标记", "问题列表"]
    index = urllib.request.urlopen(url + "/wps/").read().decode("utf-8")
    assert "main.js" in index
    for name, root_tag in (("publish.xml", "jspluginonline"), ("jsplugins.xml", "jspluginonline")):
        entry = ElementTree.fromstring(urllib.request.urlopen(f"{url}/wps/{name}").read()).find(root_tag)
        assert entry.get("name") == "jixiao_wps" and entry.get("type") == "et"
        assert entry.get("url") == url + "/wps/"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url + "/wps/../../pyproject.toml")
    assert err.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url + "/wps/test/wps_standin.js")  # only the add-in's own files
    assert err.value.code == 404


def post(url: str, body) -> dict:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data,
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request).read())


def test_requests_not_from_the_wps_addin_answer_one_chinese_alert(server):
    url, _ = server
    for body in ({"client": "Office.js", "sheets": []}, {"client": "WPS"}, ["not", "a", "book"], b"<xml/>"):
        answer = post(url + "/jixiao/wps/validate", body)
        assert [a["func"] for a in answer["actions"]] == ["alert"]
        text, title = answer["actions"][0]["args"][:2]
        assert "没有被修改" in text and title == "校验未完成", text
    answer = post(url + "/jixiao/wps/format_disk", {"client": "WPS", "sheets": []})
    assert "没有的操作" in answer["actions"][0]["args"][0]
    answer = post(url + "/jixiao/wps/findings", {"client": "WPS", "sheets": []})
    assert "没有被修改" in answer["error"] and "管理员" in answer["error"], answer


def test_serve_allow_origin_lets_an_addin_published_elsewhere_call_the_server(tmp_path):
    """jixiao-xl addin serve --allow-origin: CORS for that origin only (the add-in served by the server needs none)."""
    pytest.importorskip("xlwings_server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    process = start([sys.executable, "-m", "jixiao_xl", "addin", "serve", "--port", str(port),
                     "--allow-origin", "http://intranet.example"], url, tmp_path / "server.log", env)
    try:
        def preflight(origin):
            request = urllib.request.Request(url + "/jixiao/wps/validate", method="OPTIONS", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type"})
            try:
                with urllib.request.urlopen(request) as response:
                    return response.status, response.headers.get("access-control-allow-origin")
            except urllib.error.HTTPError as err:
                return err.code, err.headers.get("access-control-allow-origin")

        assert preflight("http://intranet.example") == (200, "http://intranet.example")
        assert preflight("http://elsewhere.example")[1] is None
    finally:
        process.terminate()
        process.wait(timeout=10)


# ------------------------------------------------------------------ build-wps


def test_build_wps_writes_the_addin_and_its_plugin_lists(tmp_path):
    out = tmp_path / "wps"
    from jixiao_xl.cli import main

    assert main(["addin", "build-wps", "-o", str(out), "--server", "http://192.168.1.10:8000"]) == 0
    folder = out / f"jixiao_wps_{addin.wps_version()}"
    for name in addin.WPS_FILES:
        assert (folder / name).is_file(), name
    assert not (folder / "test").exists()
    config = (folder / "js" / "config.js").read_text(encoding="utf-8")
    assert 'server: "http://192.168.1.10:8000"' in config
    assert (folder / "js" / "jixiao.js").read_bytes() == (ROOT / "addin" / "wps" / "js" / "jixiao.js").read_bytes()
    publish = ElementTree.parse(out / "publish.xml").getroot()
    assert publish.tag == "jsplugins"
    (entry,) = publish.findall("jspluginonline")
    assert entry.attrib == {"name": "jixiao_wps", "type": "et", "url": "http://192.168.1.10:8000/wps/",
                            "debug": "", "enable": "enable_dev", "install": "null"}
    (entry,) = ElementTree.parse(out / "jsplugins.xml").getroot().findall("jspluginonline")
    assert entry.get("url") == "http://192.168.1.10:8000/wps/"
    steps = (out / "安装说明.txt").read_text(encoding="utf-8")
    assert "jsaddons" in steps and "JSPluginsServer=http://192.168.1.10:8000/wps/jsplugins.xml" in steps


def test_build_wps_with_the_addin_on_another_web_server(tmp_path):
    files = addin.build_wps(tmp_path, server="http://10.0.0.5:8000/", addin_url="http://intranet/jixiao_wps")
    (entry,) = ElementTree.parse(tmp_path / "publish.xml").getroot().findall("jspluginonline")
    assert entry.get("url") == "http://intranet/jixiao_wps/"
    config = next(f for f in files if f.name == "config.js").read_text(encoding="utf-8")
    assert 'server: "http://10.0.0.5:8000"' in config


def test_build_wps_refuses_a_bad_server_address_in_chinese(tmp_path, capsys):
    from jixiao_xl.cli import main

    assert main(["addin", "build-wps", "-o", str(tmp_path / "x"), "--server", "192.168.1.10:8000"]) == 2
    err = capsys.readouterr().err
    assert "http://" in err and "192.168.1.10:8000" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


# ------------------------------------------------------------------ the plugin lists as wpsjs writes them

# What WPS' own tool writes, from the npm package wpsjs 2.2.3 (the attributes are the same in 1.5.9) for an
# online add-in (package.json name "jixiao_wps", addonType "et", no customDomain) served at the URL below:
# publish.xml from src/lib/debug_publish.js configPublish(), jsplugins.xml from src/lib/debug_xmlplugin.js
# (not debugging), each serialized by xml2js 0.6.2's Builder as wpsjs calls it (output recorded from running it).
WPSJS_URL = "http://127.0.0.1:8000/wps/"
WPSJS_PUBLISH_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<jsplugins>\n'
                     '  <jspluginonline name="jixiao_wps" type="et" url="http://127.0.0.1:8000/wps/" debug=""'
                     ' enable="enable_dev" install="null"/>\n</jsplugins>')
WPSJS_JSPLUGINS_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<jsplugins>
  <jspluginonline name="jixiao_wps" type="et" url="http://127.0.0.1:8000/wps/"/>
</jsplugins>"""
# the attributes, in order, wpsjs gives each entry (the same sources)
WPSJS_ATTRIBUTES = {
    "publish.xml": [("name", None), ("type", "et"), ("url", None), ("debug", ""), ("enable", "enable_dev"),
                    ("install", "null")],
    "jsplugins.xml": [("name", None), ("type", "et"), ("url", None)],
}


def test_plugin_lists_are_what_wpsjs_writes():
    assert addin.plugins_xml(WPSJS_URL, publish=True) == WPSJS_PUBLISH_XML
    assert addin.plugins_xml(WPSJS_URL, publish=False) == WPSJS_JSPLUGINS_XML


@pytest.mark.parametrize("url", [WPSJS_URL, "https://oa.example.gov.cn/addins/jixiao_wps/",
                                 "http://intranet/a?x=1&y=<2>/"])
def test_plugin_list_entries_have_wpsjs_attributes_in_its_order(url):
    for name, publish in (("publish.xml", True), ("jsplugins.xml", False)):
        text = addin.plugins_xml(url, publish)
        root = ElementTree.fromstring(text.encode("utf-8"))
        assert root.tag == "jsplugins" and [child.tag for child in root] == ["jspluginonline"]
        entry = root[0]
        assert list(entry.attrib) == [key for key, _ in WPSJS_ATTRIBUTES[name]], name
        expected = {"name": addin.WPS_NAME, "url": url}
        for key, value in WPSJS_ATTRIBUTES[name]:
            assert entry.get(key) == (expected[key] if value is None else value), (name, key)
        assert "true" not in entry.attrib.values()  # enable="true" is a value wpsjs never writes



def test_build_wps_writes_a_shared_servers_key(tmp_path, monkeypatch, capsys):
    from jixiao_xl.excel import guard
    from jixiao_xl.cli import main

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    key = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    files = addin.build_wps(tmp_path / "a", server="http://10.0.0.5:8000", key=key)
    config = next(f for f in files if f.name == "config.js").read_text(encoding="utf-8")
    assert f'key: "{key}"' in config
    # built on the computer that runs the shared server: its kept key, without --key
    kept = guard.server_key()
    files = addin.build_wps(tmp_path / "b", server="http://10.0.0.5:8000")
    assert f'key: "{kept}"' in next(f for f in files if f.name == "config.js").read_text(encoding="utf-8")
    files = addin.build_wps(tmp_path / "c")  # each PC its own server on 127.0.0.1: no key
    assert 'key: ""' in next(f for f in files if f.name == "config.js").read_text(encoding="utf-8")
    assert main(["addin", "build-wps", "-o", str(tmp_path / "d"), "--server", "http://10.0.0.5:8000",
                 "--key", "abc"]) == 2
    err = capsys.readouterr().err
    assert "访问密钥的格式不对" in err and "Traceback" not in err
