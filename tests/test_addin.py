"""The Excel add-in end to end without Excel: the real xlwings Server app, a stand-in Office.js."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ["XLWINGS_PROJECT_DIR"] = str(ROOT / "addin" / "server")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ENVIRONMENT", "prod")

pytest.importorskip("xlwings_server")
from fastapi.testclient import TestClient  # noqa: E402

from jixiao_xl.write import template as T  # noqa: E402
from jixiao_xl.compute.profiles import get_profile  # noqa: E402
from jixiao_xl.compute.scoring import exec_score, indicator_score  # noqa: E402
from jixiao_xl.write.writer import write_template  # noqa: E402

from jixiao_xl.excel import xl

from .officejs import Excel, get_column_letter, payload, snapshot  # noqa: E402
from .test_seed import EXAMPLE  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from xlwings_server.main import main_app

    with TestClient(main_app) as test_client:
        yield test_client


def click(client, excel: Excel, script: str) -> None:
    response = client.post(f"/xlwings/custom-scripts-call/{script}", json=excel.payload())
    assert response.status_code == 200, response.text
    excel.apply(response.json())


@pytest.fixture
def seed_excel():
    return Excel(openpyxl.load_workbook(EXAMPLE, data_only=True))


def test_validate_writes_results_marks_and_alert(client, seed_excel):
    original = snapshot(seed_excel.book)
    click(client, seed_excel, "validate")
    book = seed_excel.book
    assert seed_excel.alerts == [("发现 1 个错误、2 个警告；附件2：部门整体支出自评总分 99（优）；"
                                  "附件3：项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 100（优）")]
    rows = list(book["校验结果"].iter_rows(values_only=True))
    errors = [(r[0], r[2], r[3]) for r in rows if r[1] == "错误"]
    assert errors == [("B111", "附件1", "B7")]
    results = book["校验结果"]
    b121 = next(i for i, r in enumerate(rows, start=1) if r[0] == "B121")  # 公用经费控制率 126.73%
    assert [results.cell(b121, c).value for c in (7, 8)] == [1, 1.2673]
    assert [results.cell(b121, c).number_format for c in (7, 8)] == ["0.00%", "0.00%"]  # shown as 100.00%, 126.73%
    b111 = next(i for i, r in enumerate(rows, start=1) if r[0] == "B111")  # amounts: 9 and 17 stay numbers
    assert results.cell(b111, 8).number_format == "General"
    basic = book["附件1"]
    assert [basic[f"{c}12"].value for c in "BCD"] == [332, 83, 440.32]  # blank derived cells filled
    assert basic["B7"].fill.fgColor.rgb.endswith("FFC7CE") and "B111" in basic["B7"].comment.text
    assert book["附件2"]["D5"].fill.fgColor.rgb.endswith("FFEB9C")  # E105 warning
    assert book["_jixiao_marks"].sheet_state == "hidden"
    typed = {k: v for k, v in original.items() if k[0] in ("附件1", "附件2", "附件3") and k[1] != "state"}
    after = snapshot(book)
    assert all(after[k][0] == v[0] for k, v in typed.items())  # nothing typed was changed


def test_second_click_gives_the_same_workbook(client, seed_excel):
    click(client, seed_excel, "validate")
    first = snapshot(seed_excel.book)
    click(client, seed_excel, "validate")
    assert snapshot(seed_excel.book) == first
    assert len(seed_excel.alerts) == 2 and seed_excel.alerts[0] == seed_excel.alerts[1]


def test_clear_marks_restores_the_original_look(client, seed_excel):
    before = {k: v[1:] for k, v in snapshot(seed_excel.book).items() if k[0] == "附件1" and k[1] != "state"}
    click(client, seed_excel, "validate")
    click(client, seed_excel, "clear_marks")
    after = {k: v[1:] for k, v in snapshot(seed_excel.book).items() if k[0] == "附件1" and k[1] != "state"}
    assert set(before.values()) == {(None, None)}  # the submitted sheet had no fills or notes
    assert set(after.values()) == {(None, None)}  # and has none again after 清除标记


def test_template_marks_restore_template_colours(client, tmp_path):
    path = tmp_path / "t.xlsx"
    sheets = T.build(T.data_from(None, 2024, "某局", get_profile()))
    write_template(sheets, path)
    book = openpyxl.load_workbook(path, data_only=True)
    book["附件2"]["H14"] = 12  # 得分 above 分值 10: I101 error on an input cell
    excel = Excel(book)
    original = book["附件2"]["H14"].fill.fgColor.rgb
    click(client, excel, "validate")
    assert book["附件2"]["H14"].fill.fgColor.rgb.endswith("FFC7CE")
    click(client, excel, "clear_marks")
    assert book["附件2"]["H14"].fill.fgColor.rgb.endswith(original[-6:])  # back to the input yellow


def test_user_note_is_never_overwritten(client, seed_excel):
    from openpyxl.comments import Comment

    seed_excel.book["附件1"]["B6"].comment = Comment("请核对", "会计")
    click(client, seed_excel, "validate")
    click(client, seed_excel, "clear_marks")
    assert seed_excel.book["附件1"]["B6"].comment.text == "请核对"


def test_text_starting_with_equals_goes_back_as_text(client, tmp_path):
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    book["附件2"]["I22"] = "=危险文本"
    book["附件2"]["H22"] = 8
    excel = Excel(book)
    response = client.post("/xlwings/custom-scripts-call/validate", json=payload(book))
    for action in response.json()["actions"]:
        if action["func"] in ("setValues", "setFormula"):
            for row in action["values"]:
                for value in row:
                    if isinstance(value, str) and "危险文本" in value:
                        assert action["func"] == "setValues" and value.startswith("'")
    excel.apply(response.json())


# Texts a user can type where a number belongs (each an N001 “不是数字” finding that shows the text as read), and
# what Excel makes of each when it is written unprotected (tests/officejs.py typed)
TYPED_TEXTS = {"E5": "(5)", "H14": "1/2", "H15": "2024-12-31", "H17": "TRUE", "H18": "12月31日"}


@pytest.mark.parametrize("notes", [True, False])
def test_texts_written_into_cells_stay_texts(client, notes):
    """Every text 校验 writes reaches Excel as a cell entry: xlwings Server's client applies setValues as
    ``range.values = action.values`` (xlwings_server 1.20.0, static/js/custom-scripts/range-action-callbacks.js
    createSetValues; the same in the client of xlwings/xlwings-server commit 7a5ae46452b7e153e35ca0b2241b5f24ac204bb6,
    app/static/js/core/xlwingsjs/xlwings.js setValues), and Excel parses such a string as typed. Only a leading
    = + - @ was protected: 校验结果 showed 实际 −5 for “(5)”不是数字, a date for “1/2” and “2024-12-31”, TRUE for
    “TRUE”, and a sheet named 2024-12 became 2024/12/1 in 工作表 and in the marks record, so 清除标记 left that
    sheet's cells coloured. Numbers stay numbers."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    sheet = book["附件2"]
    sheet.title = "2024-12"  # a sheet name Excel reads as a date when typed
    for cell, text in TYPED_TEXTS.items():
        sheet[cell] = text
    excel = Excel(book, notes=notes)
    click(client, excel, "validate")
    rows = list(book["校验结果"].iter_rows(values_only=True))
    shown = {r[3]: r for r in rows if r[0] == "N001"}
    assert {cell: (r[2], r[7]) for cell, r in shown.items()} == {
        cell: ("2024-12", text) for cell, text in TYPED_TEXTS.items()}
    assert all(f"“{r[7]}”不是数字" in r[5] for r in shown.values())
    assert all(isinstance(v, str) for r in rows for v in r[:6] if v is not None)
    b111 = next(r for r in rows if r[0] == "B111")
    assert b111[2:4] == ("附件1", "B7") and b111[6:8] == (9, 17)  # numbers stay numbers
    e105 = next(r for r in rows if r[0] == "E105")
    assert e105[2:4] == ("2024-12", "D5") and e105[6:8] == (0.3, 0.4233)
    assert rows[-1] == ("共 6 个错误、2 个警告",) + (None,) * 7
    marked = [c.coordinate for row in sheet.iter_rows() for c in row if c.fill.patternType == "solid"]
    assert sorted(marked) == sorted(["D5", *TYPED_TEXTS])
    click(client, excel, "clear_marks")  # the marks record names the sheet as it is named
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.fill.patternType == "solid"] == []
    assert [c.coordinate for row in book["附件1"].iter_rows() for c in row if c.fill.patternType == "solid"] == []


def test_stand_in_parses_entries_as_excel_does():
    """The stand-in's model of a typed entry (what makes the test above fail without the apostrophe)."""
    import datetime as dt

    from .officejs import typed

    assert typed("(5)") == (-5, None) and typed("00123") == (123, None) and typed("1E3") == (1000, None)
    assert typed("86.19%") == (0.8619, None) and typed("TRUE") == (True, None)
    assert typed("2024-12-31") == (dt.datetime(2024, 12, 31), None)
    assert typed("1/2")[0] == dt.datetime(dt.date.today().year, 1, 2)
    assert typed("=危险文本") == ("#NAME?", "=危险文本")
    assert all(typed("'" + t) == (t, None) for t in ("(5)", "00123", "1/2", "=x", "'", "附件1"))
    assert typed("附件1") == ("附件1", None) and typed(17.5) == (17.5, None)


def cached_client_payload(book, version: str = "0.33.6") -> dict:
    """The request of an Office.js client kept in Excel's add-in cache: xlwings Server's client of
    xlwings/xlwings-server commit 7a5ae46452b7e153e35ca0b2241b5f24ac204bb6 (app/static/js/core/xlwingsjs/xlwings.js
    getBookData; that server pinned xlwings==0.33.6, sent as ``version``): book {name, active_sheet_index,
    selection}, sheets {name, values, pictures, tables}; a date goes as its serial number on Excel 2019 (dates are
    converted only with ExcelApi 1.12: numberFormatCategories). Its actions (runActions' funcs) have no setFormula,
    setSheetVisibility, addNote or deleteNote."""
    data = payload(book)
    data["version"] = version
    data["book"] = {k: data["book"][k] for k in ("name", "active_sheet_index", "selection")}
    data["sheets"] = [{"name": s["name"], "values": s["values"], "pictures": [], "tables": []} for s in data["sheets"]]
    for sheet in data["sheets"]:
        sheet["values"] = [[(v - dt.datetime(1899, 12, 30)).days if isinstance(v, dt.datetime) else v for v in row]
                           for row in sheet["values"]]
    return data


def dated_book():
    """附件3 F15 (实际完成值 of the 时效指标) a date the accountant typed, 2024/2/20."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    book["附件3"]["E15"] = "2023年12月31日前"
    book["附件3"]["F15"] = dt.datetime(2024, 2, 20)
    return book


@pytest.mark.parametrize("script", ["validate", "validate_all", "clear_marks"])
def test_cached_old_client_is_asked_to_reload_the_add_in(client, script):
    """An Excel running a cached client older than our answers need gets one Chinese alert saying so and how to
    reload the add-in (xlwings-server docs/troubleshooting.md “Clear your Office cache”: Trust Center → Trusted
    Add-in Catalogs → “Next time Office starts, clear all previously-started web add-ins cache”, or delete
    %LOCALAPPDATA%\\Microsoft\\Office\\16.0\\Wef), and nothing else: before, 校验 answered with setValues … setFormula
    … setSheetVisibility, which that client applies up to the first it does not know (a workbook changed in part),
    having read F15's date as 45342."""
    book = dated_book()
    response = client.post(f"/xlwings/custom-scripts-call/{script}", json=cached_client_payload(book))
    assert response.status_code == 200
    actions = response.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"]
    text, title = actions[0]["args"][:2]
    action = "清除标记" if script == "clear_marks" else "校验"
    assert title == f"{action}未完成"
    assert text.startswith(f"这台电脑的 Excel 用的是缓存里的旧版加载项（版本 0.33.6，校验服务需要 {'.'.join(map(str, xl.MIN_CLIENT_VERSION))} "
                           f"或更新）：它会把日期读成数字，也做不完{action}要做的修改，所以这次没有{action}，工作簿没有被修改。")
    assert "关闭所有 Excel 窗口" in text and "受信任的加载项目录" in text and r"Office\16.0\Wef" in text
    excel = Excel(book)
    before = snapshot(book)
    excel.apply(response.json())  # the alert is all the old client gets
    assert snapshot(book) == before and excel.alerts == [text]


def test_cached_old_client_task_pane_list_is_refused_in_chinese(client):
    response = client.post("/jixiao/findings", json=cached_client_payload(dated_book()))
    assert response.status_code == 200 and "text-danger" in response.text
    assert "旧版加载项（版本 0.33.6" in response.text and "列出的问题会不准，所以这次没有列出问题" in response.text
    assert "45342" not in response.text and "I108" not in response.text


@pytest.mark.parametrize("version", [xl.xw.__version__, "0.37.8", "0.37.10", "0.38.0", "1.0.0", "dev"])
def test_clients_as_new_as_our_answers_need_are_not_refused(client, version):
    """The client this server hands out, and any as new as MIN_CLIENT_VERSION, is served as before."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    excel = Excel(book)
    data = excel.payload()
    data["version"] = version
    response = client.post("/xlwings/custom-scripts-call/validate", json=data)
    excel.apply(response.json())
    assert excel.alerts == [("发现 1 个错误、2 个警告；附件2：部门整体支出自评总分 99（优）；"
                             "附件3：项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 100（优）")]


def test_min_client_version_is_the_installed_clients(client):
    """Every action our answers use is one the installed xlwings Server client handles (its callbacks map in
    custom-scripts/index.js), and the installed xlwings is at least MIN_CLIENT_VERSION: the pages this server hands
    out are never refused."""
    import re
    from importlib.util import find_spec

    index = Path(find_spec("xlwings_server").origin).parent / "static" / "js" / "custom-scripts" / "index.js"
    handled = set(re.findall(r"^  (\w+): \w+,$", index.read_text(encoding="utf-8"), re.MULTILINE))
    assert set(xl.CLIENT_ACTIONS) <= handled
    assert tuple(int(p) for p in xl.xw.__version__.split(".")[:3]) >= xl.MIN_CLIENT_VERSION
    used = set()
    for notes in (True, False):
        excel = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True), notes=notes)
        for script in ("validate", "clear_marks"):
            response = client.post(f"/xlwings/custom-scripts-call/{script}", json=excel.payload())
            used |= {a["func"] for a in response.json()["actions"]}
            excel.apply(response.json())
    assert used <= set(xl.CLIENT_ACTIONS)


def call_function(client, name: str, *args):
    data = {"func_name": name, "args": [[[a]] for a in args], "caller_address": "Sheet1!A1",
            "formula_name": f"JIXIAO.{name.upper()}", "client": "Office.js", "version": "1", "runtime": "1.4", "culture_info_name": "zh-CN",
            "date_format": "yyyy/m/d"}
    response = client.post("/xlwings/custom-functions-call", json=data)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_worksheet_functions_match_the_core(client):
    assert call_function(client, "exec_rate", 1762.55, 1762.55) == [[1.0]]
    assert call_function(client, "exec_score", 83, 63.08, 10) == [[exec_score(63.08 / 83, 10)]]
    assert call_function(client, "exec_score", 83, 70, 10, "jiangxi") == [[7.0]]
    assert call_function(client, "indicator_score", "≥95%", "85%", 10) == [[indicator_score("≥95%", "85%", 10)]]
    assert call_function(client, "indicator_score", "预算控制内", "预算控制内", 10) == [[""]]
    assert call_function(client, "control_rate", 340.27, 268.49) == [[pytest.approx(340.27 / 268.49)]]
    assert call_function(client, "grade", 99) == [["优"]]


def test_dynamic_array_scores_a_whole_table(client):
    table = [["≥95%", "98%", 10], ["≤30天", "45天", 10], ["有所改善", "有所改善", 5]]
    data = {"func_name": "indicator_scores", "args": [table], "caller_address": "Sheet1!A1",
            "formula_name": "JIXIAO.INDICATOR_SCORES", "client": "Office.js", "version": "1", "runtime": "1.4",
            "culture_info_name": "zh-CN", "date_format": "yyyy/m/d"}
    response = client.post("/xlwings/custom-functions-call", json=data)
    assert response.json()["result"] == [[10.0], [5.0], [""]]


def test_functions_meta_has_chinese_help(client):
    meta = client.get("/xlwings/custom-functions-meta.json").json()
    by_name = {f["name"]: f for f in meta["functions"]}
    assert {"EXEC_RATE", "EXEC_SCORE", "INDICATOR_SCORE", "INDICATOR_SCORES", "CONTROL_RATE", "GRADE"} <= set(by_name)
    assert "全年执行数" in by_name["EXEC_RATE"]["description"]


def test_manifest_has_tab_and_buttons(client):
    text = client.get("/manifest.xml").text
    root = ElementTree.fromstring(text)
    strings = {e.get("id"): e.get("DefaultValue") for e in root.iter() if e.tag.endswith("}String")}
    assert strings["JixiaoTab.TabLabel"] == "绩效自评"
    assert strings["JixiaoValidateButton.Label"] == "校验" and strings["JixiaoClearButton.Label"] == "清除标记"
    assert strings["Functions.Namespace"] == "JIXIAO"
    functions = {e.text for e in root.iter() if e.tag.endswith("}FunctionName")}
    assert functions == {"jixiao-validate", "jixiao-clear-marks"}
    ribbon = client.get("/static/js/ribbon.js").text
    assert 'associate("jixiao-validate"' in ribbon and '"validate"' in ribbon


def test_taskpane_lists_findings(client):
    page = client.get("/taskpane.html").text
    assert 'data-jixiao-script="validate"' in page and 'data-jixiao-script="validate_all"' in page
    assert "清除标记" in page and "xw-click" not in page  # through ribbon.js, whose errors are Chinese
    html = client.post("/jixiao/findings", json=payload(openpyxl.load_workbook(EXAMPLE, data_only=True))).text
    assert "发现 1 个错误、2 个警告" in html and "B111" in html


def test_xlwings_template_vba_is_what_the_build_relies_on():
    """Decompress the template's VBA: the names the generated modules call, the config lookup the build renames."""
    from jixiao_xl.excel.addin import ribbon_template

    from .vba import modules

    vba = modules(ribbon_template())
    xlwings = vba["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "myaddin"' in xlwings  # renamed to "jixiao" by the build
    assert 'SheetExists(ThisWorkbook, PROJECT_NAME & ".conf")' in xlwings  # the add-in's own sheet
    assert 'GetConfig("INTERPRETER_WIN", "")' in xlwings and 'GetConfig("INTERPRETER_MAC", "")' in xlwings
    for name in ("Public Function RunPython(PythonCommand As String)", "Function XLPy()",
                 "Function FileExists(ByVal FileSpec As String) As Boolean",
                 "Function GetConfig(configKey As String, Optional default As String = \"\", "):
        assert name in xlwings, name


def test_addin_cli_errors_are_chinese(tmp_path, capsys):
    from jixiao_xl.cli import main

    assert main(["addin", "install", str(tmp_path / "missing.xlam")]) == 2
    err = capsys.readouterr().err
    assert "找不到加载项文件" in err and "build-xlam" in err
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["addin", "build-xlam", "-o", str(blocker / "sub" / "jixiao_addin.xlam")]) == 2
    err = capsys.readouterr().err
    assert "无法写入" in err and "Traceback" not in err and "Errno" not in err
    (tmp_path / "taken.xlam").mkdir()
    assert main(["addin", "build-xlam", "-o", str(tmp_path / "taken.xlam")]) == 2
    assert "这是一个文件夹" in capsys.readouterr().err
    assert main(["addin", "build-xlam", "-o", str(tmp_path / "ok" / "jixiao_addin.xlam")]) == 0
    assert main(["addin", "install", str(tmp_path / "ok" / "jixiao_addin.xlam")]) == 0
    assert "pip install jixiao-xl" not in capsys.readouterr().out


def test_layer_import_is_light():
    import subprocess
    import sys

    code = ("import sys; import jixiao_xl.excel.xl; "
            "print([m for m in ('openpyxl', 'jixiao_xl.rules.check', 'jixiao_xl.read.reader') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ}).stdout.strip()
    assert out == "[]"


def test_marks_from_fill_and_from_the_button_undo_each_other(client, tmp_path):
    """fill --mark, then 校验 and 清除标记 in Excel: the sheet looks as submitted; and the other way round."""
    from jixiao_xl.write.fill import fill

    marked = tmp_path / "marked.xlsx"
    fill(str(EXAMPLE), str(marked), mark=True)
    excel = Excel(openpyxl.load_workbook(marked, data_only=True))
    assert excel.book["附件1"]["B7"].comment is not None
    click(client, excel, "validate")
    click(client, excel, "clear_marks")
    looks = {(c.fill.patternType, c.comment) for row in excel.book["附件1"].iter_rows() for c in row}
    assert looks == {(None, None)}

    clicked = tmp_path / "clicked.xlsx"
    excel = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True))
    click(client, excel, "validate")
    excel.book.save(clicked)
    cleared = tmp_path / "cleared.xlsx"
    fill(str(clicked), str(cleared))  # fill without --mark takes the button's marks off
    book = openpyxl.load_workbook(cleared)
    assert {(c.fill.patternType, c.comment) for row in book["附件1"].iter_rows() for c in row} == {(None, None)}


# ------------------------------------------------------------------ both client generations (issue 11)

GENERATIONS = pytest.mark.parametrize("notes", [True, False], ids=["excel365", "perpetual2021"])


def actions_of(client, excel: Excel, script: str) -> list[dict]:
    response = client.post(f"/xlwings/custom-scripts-call/{script}", json=excel.payload())
    assert response.status_code == 200, response.text
    return response.json()["actions"]


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_perpetual_excel_marks_with_colour_and_linked_results(client):
    """Excel 2019/2021/2024 perpetual (no ExcelApi 1.18): no notes, the 校验结果 rows link to the cells."""
    excel = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True), notes=False)
    click(client, excel, "validate")
    book = excel.book
    assert excel.alerts[0].startswith("发现 1 个错误、2 个警告；附件2：部门整体支出自评总分 99（优）")
    assert book["附件1"]["B7"].fill.fgColor.rgb.endswith("FFC7CE")
    assert book["附件2"]["D5"].fill.fgColor.rgb.endswith("FFEB9C")
    assert not any(c.comment for ws in book.worksheets for row in ws.iter_rows() for c in row)
    rows = list(book["校验结果"].iter_rows(min_row=2, values_only=True))
    b111 = next(i for i, r in enumerate(rows, start=2) if r[0] == "B111")
    assert rows[b111 - 2][2:4] == ("附件1", "B7")  # the link shows the address
    assert excel.formulas[("校验结果", f"D{b111}")] == '=HYPERLINK("#\'附件1\'!B7","B7")'
    click(client, excel, "clear_marks")
    assert {c.fill.patternType for row in book["附件1"].iter_rows() for c in row} == {None}


def test_client_that_sends_no_notes_gets_marks_without_notes(client):
    """A client whose payload has no ``notes`` for a sheet: xlwings Server's Office.js client before notes, whose
    sheets were {name, values, pictures, tables} (xlwings/xlwings-server app/static/js/core/xlwingsjs/xlwings.js,
    commit 7a5ae46452b7e153e35ca0b2241b5f24ac204bb6, getBookData), as an Excel that kept that script in its
    add-in cache still sends it. xlwings refuses every note there (_xlremote.py Range.add_note: ``notes`` absent
    or notes_supported False), so 校验 failed as a whole with "这个版本的 Excel 不支持校验所需的功能"; it marks
    with colour and links 校验结果 to the cells, as for Excel without the notes API."""
    excel = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True), notes=False)
    data = excel.payload()
    for sheet in data["sheets"]:
        del sheet["notes"], sheet["notes_supported"]
    response = client.post("/xlwings/custom-scripts-call/validate", json=data)
    assert response.status_code == 200
    actions = response.json()["actions"]
    assert "addNote" not in {a["func"] for a in actions}
    excel.apply({"actions": actions})
    assert excel.alerts == [("发现 1 个错误、2 个警告；附件2：部门整体支出自评总分 99（优）；"
                             "附件3：项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 100（优）")]
    book = excel.book
    assert book["附件1"]["B7"].fill.fgColor.rgb.endswith("FFC7CE")
    rows = list(book["校验结果"].iter_rows(min_row=2, values_only=True))
    b111 = next(i for i, r in enumerate(rows, start=2) if r[0] == "B111")
    assert excel.formulas[("校验结果", f"D{b111}")] == '=HYPERLINK("#\'附件1\'!B7","B7")'


@GENERATIONS
def test_clear_marks_restores_user_colours(client, notes):
    """Cells the submitter coloured get exactly their colour back (the colour is read before marking)."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    from openpyxl.styles import PatternFill

    book["附件1"]["B7"].fill = PatternFill("solid", fgColor="00B0F0")  # error cell, user's blue
    book["附件2"]["D5"].fill = PatternFill("solid", fgColor="FFFFFF")  # warning cell, explicit white
    excel = Excel(book, notes=notes)
    click(client, excel, "validate")
    assert book["附件1"]["B7"].fill.fgColor.rgb.endswith("FFC7CE")
    assert book["附件1"]["D25"].fill.fgColor.rgb.endswith("FFEB9C")
    click(client, excel, "validate")  # a second click must not take our red for the user's colour
    click(client, excel, "clear_marks")
    assert book["附件1"]["B7"].fill.patternType == "solid" and book["附件1"]["B7"].fill.fgColor.rgb.endswith("00B0F0")
    assert book["附件2"]["D5"].fill.patternType == "solid" and book["附件2"]["D5"].fill.fgColor.rgb.endswith("FFFFFF")
    assert book["附件1"]["D25"].fill.patternType is None  # the other marked cell had no fill and has none again


def test_user_note_after_fill_mark_does_not_break_validate(client, tmp_path):
    """fill --mark over a user's note, then 校验 in Excel: no "A note already exists", the note survives."""
    from openpyxl.comments import Comment

    from jixiao_xl.write.fill import fill

    source = openpyxl.load_workbook(EXAMPLE)
    source["附件1"]["B7"].comment = Comment("请核对人数", "会计")  # on the cell the check blames
    submitted, marked = tmp_path / "s.xlsx", tmp_path / "m.xlsx"
    source.save(submitted)
    fill(str(submitted), str(marked), mark=True)
    excel = Excel(openpyxl.load_workbook(marked, data_only=True), notes=True)
    click(client, excel, "validate")
    assert excel.book["附件1"]["B7"].comment.text == "请核对人数"  # kept, ours not stacked on it
    assert excel.book["附件1"]["B7"].fill.fgColor.rgb.endswith("FFC7CE")
    click(client, excel, "clear_marks")
    assert excel.book["附件1"]["B7"].comment.text == "请核对人数"
    assert excel.book["附件1"]["B7"].fill.patternType is None


def test_perpetual_excel_keeps_the_record_of_notes_it_cannot_remove(client, tmp_path):
    """Notes left by fill --mark stay recorded on Excel without notes, so a later fill still removes them."""
    from jixiao_xl.write.fill import fill

    marked = tmp_path / "m.xlsx"
    fill(str(EXAMPLE), str(marked), mark=True)
    excel = Excel(openpyxl.load_workbook(marked, data_only=True), notes=False)
    click(client, excel, "validate")
    click(client, excel, "clear_marks")
    book = excel.book
    assert book["附件1"]["B7"].fill.patternType is None
    assert "不能删除批注" in excel.alerts[-1] and "jixiao-xl fill" in excel.alerts[-1]
    records = [r for r in book["_jixiao_marks"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert ("附件1", "B7") in {(r[0], r[1]) for r in records}
    cleared, again = tmp_path / "c.xlsx", tmp_path / "a.xlsx"
    book.save(cleared)
    fill(str(cleared), str(again))
    after = openpyxl.load_workbook(again)
    assert {(c.fill.patternType, c.comment) for row in after["附件1"].iter_rows() for c in row} == {(None, None)}


@GENERATIONS
def test_workbook_without_a_form_is_left_alone(client, notes):
    book = openpyxl.Workbook()
    book.active.title = "工资表"
    book.active["A1"], book.active["B2"] = "2024年1月工资", 5000
    excel = Excel(book, notes=notes)
    actions = actions_of(client, excel, "validate")
    assert [a["func"] for a in actions] == ["alert"]
    assert "没有找到可识别的绩效自评表" in actions[0]["args"][0] and "没有被修改" in actions[0]["args"][0]
    assert book.sheetnames == ["工资表"]
    html = client.post("/jixiao/findings", json=excel.payload()).text
    assert "没有找到可识别的绩效自评表" in html


def test_hidden_sheets_are_skipped_unless_asked(client):
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    stale = book.copy_worksheet(book["附件1"])
    stale.title = "附件1（上年）"
    stale.sheet_state = "hidden"
    stale["B9"] = 999  # a wrong number on the stale copy
    excel = Excel(book)
    click(client, excel, "validate")
    assert "未校验隐藏的工作表：附件1（上年）" in excel.alerts[0]
    assert not any(c.fill.patternType for row in stale.iter_rows() for c in row)
    assert "附件1（上年）" not in {r[2] for r in book["校验结果"].iter_rows(values_only=True)}
    click(client, excel, "validate_all")
    assert "未校验" not in excel.alerts[1]
    assert stale["B6"].fill.fgColor.rgb.endswith("FFC7CE")  # the copy has the same B110 error, now marked


# ------------------------------------------------------------------ one Chinese error path (issue 11)


def english_free(text: str) -> bool:
    return has_chinese(text) and "error occurred" not in text.lower() and "Traceback" not in text


@pytest.mark.parametrize("script", ["validate", "validate_all", "clear_marks"])
def test_script_failures_are_one_chinese_alert(client, monkeypatch, caplog, script):
    import jixiao_xl.excel.xl as xl

    def broken(*_args, **_kwargs):
        raise KeyError("internal detail")

    monkeypatch.setattr(xl, "read_grids", broken)
    excel = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True))
    before = snapshot(excel.book)
    actions = actions_of(client, excel, script)
    assert [a["func"] for a in actions] == ["alert"]
    message, title = actions[0]["args"][:2]
    assert english_free(message) and "没有被修改" in message and "管理员" in message
    assert title.endswith("未完成")
    assert "internal detail" in caplog.text  # the detail is in the server log
    excel.apply({"actions": actions})
    assert snapshot(excel.book) == before


def test_failure_halfway_through_the_writes_sends_no_writes(client, monkeypatch):
    import jixiao_xl.excel.xl as xl

    def broken(*_args, **_kwargs):
        raise PermissionError("sheet is protected")

    monkeypatch.setattr(xl, "_restore", broken)  # after 校验结果 was queued
    excel = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True))
    actions = actions_of(client, excel, "validate")
    assert [a["func"] for a in actions] == ["alert"]
    assert "受保护" in actions[0]["args"][0] and "撤销工作表保护" in actions[0]["args"][0]


def test_malformed_requests_answer_in_chinese(client):
    response = client.post("/xlwings/custom-scripts-call/validate", json={"client": "Office.js", "version": "1"})
    assert response.status_code == 200
    actions = response.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"] and english_free(actions[0]["args"][0])
    response = client.post("/xlwings/custom-functions-call", json={"func_name": "grade"})
    assert response.status_code == 400 and english_free(response.text)
    # a body that is no book at all: xlwings Server refuses it (400) before our code runs, in English; the guard
    # says it in Chinese (tried by hand on a shared server: "The interactive mode of xlwings is only supported…")
    response = client.post("/xlwings/custom-scripts-call/validate", json={})
    assert response.status_code == 400 and english_free(response.text) and "工作簿没有被修改" in response.json()["detail"]


def test_function_failure_is_a_chinese_error_value(client, monkeypatch):
    import jixiao_xl.compute.scoring as scoring

    monkeypatch.setattr(scoring, "grade", lambda *_: 1 / 0)
    response = function_response(client, "grade", 95)
    assert response.status_code == 400 and english_free(response.text)  # 400: no retries, #VALUE! with the text


def test_task_pane_failure_is_chinese(client, monkeypatch):
    import jixiao_xl.excel.xl as xl

    monkeypatch.setattr(xl, "read_grids", lambda *_: [][1])
    response = client.post("/jixiao/findings", json=payload(openpyxl.load_workbook(EXAMPLE, data_only=True)))
    assert response.status_code == 200 and english_free(response.text) and "text-danger" in response.text


def function_response(client, name: str, *args):
    data = {"func_name": name, "args": [[[a]] for a in args], "caller_address": "Sheet1!A1",
            "formula_name": f"JIXIAO.{name.upper()}", "client": "Office.js", "version": "1", "runtime": "1.4",
            "culture_info_name": "zh-CN", "date_format": "yyyy/m/d"}
    return client.post("/xlwings/custom-functions-call", json=data)


def test_manifest_declares_what_the_add_in_needs(client):
    root = ElementTree.fromstring(client.get("/manifest.xml").text)
    sets = {e.get("Name"): e.get("MinVersion") for e in root.iter() if e.tag.endswith("}Set")}
    assert sets == {"SharedRuntime": "1.1", "CustomFunctionsRuntime": "1.1", "ExcelApi": "1.9"}


# ------------------------------------------------------------------ JIXIAO functions: bad arguments (issue 11)


def function_error(client, name: str, *args) -> str:
    response = function_response(client, name, *args)
    assert response.status_code == 400, response.text  # Excel: #VALUE! with this text, not retried
    assert english_free(response.text)
    return response.text


def test_functions_refuse_bad_arguments_in_chinese(client):
    assert "全年执行数应为数字，收到的是“abc”" in function_error(client, "exec_score", 83, "abc", 10)
    assert "计分方式应为“比例”或“江西”" in function_error(client, "exec_score", 83, 70, 10, "湖南")
    assert "总分应在 0 到 100 之间，收到的是 150" in function_error(client, "grade", 150)
    assert "总分应在 0 到 100 之间" in function_error(client, "grade", -1)
    assert "总分应为数字" in function_error(client, "grade", "很好")
    assert "分值不能为负数" in function_error(client, "indicator_score", "≥95%", "98%", -5)
    assert "预算数应为数字" in function_error(client, "control_rate", 10, "十")


def test_functions_accept_chinese_mode_names(client):
    assert call_function(client, "exec_score", 83, 70, 10, "江西") == [[7.0]]
    assert call_function(client, "exec_score", 83, 70, 10, "比例") == [[exec_score(70 / 83, 10)]]
    assert call_function(client, "exec_score", 83, 70, 10, "jiangxi") == [[7.0]]
    assert call_function(client, "grade", 100) == [["优"]] and call_function(client, "grade", 0) == [["差"]]
    assert call_function(client, "grade", "") == [[""]]  # a blank total gives a blank grade


def test_multi_cell_range_is_refused_clearly(client):
    data = {"func_name": "grade", "args": [[[95], [80], [70]]], "caller_address": "Sheet1!A1",
            "formula_name": "JIXIAO.GRADE", "client": "Office.js", "version": "1", "runtime": "1.4",
            "culture_info_name": "zh-CN", "date_format": "yyyy/m/d"}
    response = client.post("/xlwings/custom-functions-call", json=data)
    assert response.status_code == 400 and "总分应为一个单元格，收到的是含 3 个单元格的区域" in response.text
    data = {**data, "func_name": "indicator_scores", "formula_name": "JIXIAO.INDICATOR_SCORES",
            "args": [[["≥95%", "98%"], ["≤30天", "45天"]]]}
    response = client.post("/xlwings/custom-functions-call", json=data)
    assert response.status_code == 400 and "应为 3 列" in response.text


def test_function_parameters_have_chinese_descriptions(client):
    meta = client.get("/xlwings/custom-functions-meta.json").json()
    for function in meta["functions"]:
        assert has_chinese(function["description"])
        for parameter in function["parameters"]:
            assert has_chinese(parameter["description"]), (function["name"], parameter)


# ------------------------------------------------------------------ the stand-in itself (issue 11)


def test_stand_in_payload_has_the_keys_the_real_client_sends():
    """Compare with xlwings Server's own client code (getBookData in custom-scripts/index.js)."""
    import re
    from importlib.util import find_spec

    index = Path(find_spec("xlwings_server").origin).parent / "static" / "js" / "custom-scripts" / "index.js"
    source = index.read_text(encoding="utf-8")
    block = source[source.index('payload["sheets"].push({'):]
    block = block[:block.index("});")]
    client_keys = set(re.findall(r"^\s*(\w+):", block, re.M))
    assert 'notes_supported: Office.context.requirements.isSetSupported(\n        "ExcelApi",\n        "1.18",' in block
    for notes in (True, False):
        sheet = payload(openpyxl.load_workbook(EXAMPLE, data_only=True), notes=notes)["sheets"][0]
        assert set(sheet) == client_keys
        assert sheet["notes_supported"] is notes


def test_stand_in_fails_on_what_it_does_not_model():
    excel = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True), notes=False)
    with pytest.raises(AssertionError, match="does not know the action"):
        excel.apply({"actions": [{"func": "setFontProperty", "args": ["bold", True]}]})
    with pytest.raises(AssertionError, match="registers no callback"):
        excel.apply({"actions": [{"func": "runMacro", "args": ["somethingElse"]}]})
    with pytest.raises(AssertionError, match="ExcelApi 1.18"):  # perpetual Excel has no notes
        excel.apply({"actions": [{"func": "addNote", "args": ["B6", "x"], "sheet_position": 1}]})
    modern = Excel(openpyxl.load_workbook(EXAMPLE, data_only=True), notes=True)
    modern.apply({"actions": [{"func": "addNote", "args": ["B6", "x"], "sheet_position": 1}]})
    with pytest.raises(AssertionError, match="already exists"):
        modern.apply({"actions": [{"func": "addNote", "args": ["B6", "y"], "sheet_position": 1}]})


NODE_HARNESS = r"""
const fs = require("fs");
const [ribbonPath, casesJson, api19] = process.argv.slice(2);
const cells = JSON.parse(casesJson);   // {"Sheet!A1": {color, pattern}}
const writes = [];
globalThis.window = { addEventListener() {} };
globalThis.document = { currentScript: { src: "https://127.0.0.1:8000/static/js/ribbon.js" } };
globalThis.Office = {
  actions: { associate() {} },
  context: { requirements: {
    isSetSupported: (name, version) => name === "ExcelApi" && (version !== "1.9" || api19 === "1"),
  } },
};
function range(sheet, address) {
  const key = sheet + "!" + address;
  const state = cells[key] || { color: "#FFFFFF", pattern: "None" };
  const fill = { loaded: [], load(what) { this.loaded.push(what); } };
  Object.defineProperty(fill, "color", {
    get() {
      if (!fill.loaded.some((w) => w.includes("color"))) throw new Error("color not loaded");
      return state.color;
    },
    set(value) { writes.push(["color", key, value]); },
  });
  Object.defineProperty(fill, "pattern", {
    get() {
      if (!fill.loaded.some((w) => w.includes("pattern"))) throw new Error("pattern not loaded");
      return state.pattern;
    },
  });
  return {
    format: { fill },
    set values(v) { writes.push(["values", key, v]); },
  };
}
const context = {
  workbook: { worksheets: { getItem: (sheet) => ({ getRange: (address) => range(sheet, address) }) } },
  sync: async () => {},
};
eval(fs.readFileSync(ribbonPath, "utf8") + "\n;globalThis.jixiaoMark = jixiaoMark;");
const marks = Object.keys(cells).map((key, ix) => {
  const [sheet, cell] = key.split("!");
  return { sheet, cell, color: "#FFC7CE", row: ix + 2 };
});
globalThis.jixiaoMark(context, "_jixiao_marks", JSON.stringify(marks)).then(() => {
  console.log(JSON.stringify(writes));
});
"""


def _run_ribbon_js(tmp_path, harness_source: str, *args: str):
    """Run a Node harness around the task pane's ribbon.js (a mock Office.js context); its printed JSON."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    harness = tmp_path / "harness.js"
    harness.write_text(harness_source, encoding="utf-8")
    ribbon = ROOT / "addin" / "server" / "static" / "js" / "ribbon.js"
    return json.loads(subprocess.run([node, str(harness), str(ribbon), *args], capture_output=True, text=True,
                                     check=True).stdout)

@pytest.mark.parametrize("api19", [True, False], ids=["ExcelApi1.9", "ExcelApi1.8"])
def test_jixiao_mark_javascript_records_fills_as_the_stand_in_does(tmp_path, api19):
    """Run ribbon.js's jixiaoMark under Node against a mock Office.js context."""
    import json

    cases = {"附件1!B6": {"color": "#00B0F0", "pattern": "Solid"},
             "附件1!B7": {"color": "#FFFFFF", "pattern": "None"},
             "附件2!D5": {"color": "#FFFFFF", "pattern": "Solid"}}
    writes = _run_ribbon_js(tmp_path, NODE_HARNESS, json.dumps(cases, ensure_ascii=False), "1" if api19 else "0")
    records = {key: json.loads(v[0][0]) for kind, key, v in writes if kind == "values"}
    assert records == {
        "_jixiao_marks!C2": {"patternType": "solid", "fg": {"rgb": "FF00B0F0"}, "bg": None},
        "_jixiao_marks!C3": {"patternType": None, "fg": None, "bg": None},
        "_jixiao_marks!C4": ({"patternType": "solid", "fg": {"rgb": "FFFFFFFF"}, "bg": None} if api19
                             else {"patternType": None, "fg": None, "bg": None}),  # white = none before 1.9
    }
    assert [(key, value) for kind, key, value in writes if kind == "color"] == [
        ("附件1!B6", "#FFC7CE"), ("附件1!B7", "#FFC7CE"), ("附件2!D5", "#FFC7CE")]


@pytest.mark.parametrize("handler", ["main", "main_clear", "main_list"])
def test_classic_buttons_alert_in_chinese(monkeypatch, handler):
    """The classic add-in's handlers, driven with an xlwings book as RunPython would hand them one."""
    import xlwings as xw

    import jixiao_xl.excel.xl as xl

    book = xw.Book(json=payload(openpyxl.load_workbook(EXAMPLE, data_only=True)))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    getattr(xl, handler)()
    alerts = [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]
    assert len(alerts) == 1 and has_chinese(alerts[0][0])
    if handler != "main_clear":
        assert alerts[0][0].startswith("发现 1 个错误、2 个警告")

    failing = xw.Book(json=payload(openpyxl.load_workbook(EXAMPLE, data_only=True)))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: failing))
    monkeypatch.setattr(xl, "read_grids", lambda *_: {}["boom"])
    getattr(xl, handler)()
    (message, title, *_rest), = [a["args"] for a in failing.json()["actions"] if a["func"] == "alert"]
    assert english_free(message) and "KeyError" not in message and "管理员" in message



@pytest.mark.parametrize("handler", ["main", "main_clear", "main_list"])
def test_classic_button_without_a_workbook_says_so_in_chinese(monkeypatch, capsys, handler):
    """Book.caller() fails (no workbook open, Protected View): RunPython shows our stderr, not a traceback."""
    import xlwings as xw

    import jixiao_xl.excel.xl as xl

    def no_book():
        raise AttributeError("'NoneType' object has no attribute 'FullName'")

    monkeypatch.setattr(xw.Book, "caller", staticmethod(no_book))
    with pytest.raises(SystemExit) as exit_info:
        getattr(xl, handler)()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "没有找到要" in err and "工作簿" in err and english_free(err) and "Traceback" not in err

NODE_BUTTON_HARNESS = r"""
const fs = require("fs");
const [ribbonPath, scenario] = process.argv.slice(2);
const dialogs = [];
let completed = 0;
const span = { textContent: "" };
const banner = { classList: { add() {}, remove() {} }, querySelector: () => span };
globalThis.window = { addEventListener() {}, location: { origin: "https://127.0.0.1:8000" } };
// xlwings' alert module (static/js/alerts/parent.js, which ribbon.js imports by its address beside
// ribbon.js): here one that records the alerts (the real one runs in tests/test_officejs_browser.py)
const path = require("path");
const folder = fs.mkdtempSync(path.join(require("os").tmpdir(), "ribbon-"));
fs.mkdirSync(path.join(folder, "js", "alerts"), { recursive: true });
fs.writeFileSync(path.join(folder, "js", "package.json"), '{"type": "module"}');
fs.writeFileSync(path.join(folder, "js", "alerts", "parent.js"),
  "export async function xlAlert(prompt, title, buttons, mode, callback) " +
  "{ globalThis.dialogs.push({ prompt, title, buttons, mode, callback }); }");
globalThis.dialogs = dialogs;
globalThis.document = {
  querySelector: (sel) => (sel === "#global-error-alert" ? banner : null),
  currentScript: { src: require("url").pathToFileURL(path.join(folder, "js", "ribbon.js")).href },
};
globalThis.callbacks = {};
globalThis.Office = {
  onReady: async () => {},
  actions: { associate() {} },
  EventType: { DialogMessageReceived: "m" },
  context: { ui: { displayDialogAsync: (url) => dialogs.push(decodeURIComponent(url)) } },
};
globalThis.xlwings = {
  registerCallback() {},
  runPython: async (options) => {
    if (options.errorDisplayMode === "alert") throw new Error("would show xlwings' English dialog");
    if (scenario === "protected") {
      span.textContent = "AccessDenied: The cell or chart you're trying to change is protected.";
    }
    if (scenario === "offline") throw "No response received from server";
    // a workbook too large for Office.js: the read refused (RichApi.Error, code ResponsePayloadSizeLimitExceeded),
    // or no values at all, which xlwings' getBookData hands to convertDateValues (index.js, xlwings-server 1.20)
    if (scenario === "toolarge") span.textContent = "RichApi.Error: The response payload size has exceeded the limit.";
    if (scenario === "novalues") span.textContent = "TypeError: Cannot read properties of null (reading 'forEach')";
  },
};
eval(fs.readFileSync(ribbonPath, "utf8") + "\n;globalThis.runJixiaoScript = runJixiaoScript;");
globalThis.runJixiaoScript(scenario === "offline" ? "clear_marks" : "validate", { completed: () => completed++ })
  .then(() => console.log(JSON.stringify({ dialogs, completed })));
"""


@pytest.mark.parametrize("scenario", ["ok", "protected", "offline", "toolarge", "novalues"])
def test_ribbon_buttons_show_excel_side_failures_in_chinese(tmp_path, scenario):
    result = _run_ribbon_js(tmp_path, NODE_BUTTON_HARNESS, scenario)
    assert result["completed"] == 1  # the ribbon button is always released
    if scenario == "ok":
        assert result["dialogs"] == []
        return
    (dialog,) = result["dialogs"]  # through xlwings' own alert: an OK button, the critical icon
    assert (dialog["buttons"], dialog["mode"], dialog["callback"]) == ("ok", "critical", "")
    if scenario == "protected":
        assert dialog["prompt"].startswith("工作表受保护，无法校验。请先取消保护") and dialog["title"] == "校验未完成"
    elif scenario == "offline":
        assert dialog["prompt"].startswith("连接不到校验服务，无法清除标记") and dialog["title"] == "清除标记未完成"
    else:  # not "Excel 在校验时出错，可能只改了一部分" with Excel's English: nothing was sent, nothing changed
        assert dialog["prompt"].startswith("工作簿太大，Excel 无法把它交给校验服务，校验未进行，工作簿没有被修改。")
        assert "Ctrl+End" in dialog["prompt"] and english_free(dialog["prompt"]) and dialog["title"] == "校验未完成"
        assert "Error" not in dialog["prompt"] and "payload" not in dialog["prompt"]


# ------------------------------------------------------------------ cells showing an error (issue 21)
#
# Office.js sends an error cell as its text ("#DIV/0!": Range.values, see tests/officejs.py); xlwings would
# make it None, a blank cell 校验 fills.  The accountant's formula must survive every click.

ERROR_CELLS = {
    # 附件1 B12 (项目支出 2022年决算数): blank in the seed, where 校验 writes 332; here a formula showing #DIV/0!
    ("附件1", "B12"): ("#DIV/0!", "=B13/B14"),
    # 附件3 E6 (全年执行数): a formula showing #REF!, and 执行率 G6 / 得分 H6 left blank for 校验 to derive
    ("附件3", "E6"): ("#REF!", "=E7+#REF!"),
}


def error_excel(notes: bool = True) -> Excel:
    book = openpyxl.load_workbook(EXAMPLE, data_only=True)
    excel = Excel(book, notes=notes)
    for (sheet, address), (shown, formula) in ERROR_CELLS.items():
        book[sheet][address] = shown  # openpyxl: an error value (data type "e"), as Excel shows it
        excel.formulas[(sheet, address)] = formula
    book["附件3"]["G6"] = book["附件3"]["H6"] = None
    return excel


def written_cells(actions: list[dict], book) -> set[tuple[str, str]]:
    """The cells of the workbook's own sheets the server writes a value or formula to (not 校验结果)."""
    out = set()
    for action in actions:
        if action["func"] in ("setValues", "setFormula") and action["sheet_position"] < len(book.worksheets):
            ws = book.worksheets[action["sheet_position"]]
            for r in range(action["row_count"]):
                for c in range(action["column_count"]):
                    out.add((ws.title, f"{get_column_letter(action['start_column'] + c + 1)}{action['start_row'] + r + 1}"))
    return out


def no_absurd_numbers(book) -> None:
    """No rate like -2586537687.95% (an error code read as a number) anywhere in the workbook."""
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, (int, float)) and abs(value) > 1e7), (ws.title, value)
                assert not (isinstance(value, str) and "2586537" in value), (ws.title, value)


@GENERATIONS
def test_error_cells_and_their_formulas_survive_validate(client, notes):
    excel = error_excel(notes)
    book = excel.book
    actions = actions_of(client, excel, "validate")
    written = written_cells(actions, book)
    assert not written & set(ERROR_CELLS)  # no write to a cell showing an error
    assert not written & {("附件3", "G6"), ("附件3", "H6")}  # nor a value worked out from one (0% over #REF!)
    assert ("附件1", "C12") in written  # the rest of the row is filled as before
    excel.apply({"actions": actions})
    for (sheet, address), (shown, formula) in ERROR_CELLS.items():
        assert book[sheet][address].value == shown and excel.formulas[(sheet, address)] == formula
        assert book[sheet][address].fill.fgColor.rgb.endswith("FFC7CE")  # marked by colour only
    assert book["附件3"]["G6"].value is None and book["附件3"]["H6"].value is None
    rows = list(book["校验结果"].iter_rows(min_row=2, values_only=True))
    found = {(r[2], r[3]): r for r in rows if r[0] == "N003"}
    assert set(found) == set(ERROR_CELLS)
    # and no finding that reads the error as 0 ("执行率 0.00% 低于 90%", "总分应为 90")
    assert not [r for r in rows if r[0] in ("E101", "E103", "E104", "E106", "E107", "W104")], rows
    for (sheet, address), (shown, _) in ERROR_CELLS.items():
        _, severity, _, _, where, message = found[(sheet, address)][:6]
        assert severity == "错误" and f"({address})" in where and message.startswith(f"单元格显示 {shown}（公式出错）")
        assert "请改正公式" in message and "不改动" in message
    if notes:
        assert "N003" in book["附件1"]["B12"].comment.text and "#DIV/0!" in book["附件1"]["B12"].comment.text
    no_absurd_numbers(book)
    click(client, excel, "validate")  # a second click: still untouched
    click(client, excel, "clear_marks")
    for (sheet, address), (shown, formula) in ERROR_CELLS.items():
        assert book[sheet][address].value == shown and excel.formulas[(sheet, address)] == formula
        assert book[sheet][address].fill.patternType is None


def test_task_pane_lists_the_error_cells(client):
    response = client.post("/jixiao/findings", json=error_excel().payload())
    assert response.status_code == 200
    assert "显示 #DIV/0!（公式出错）" in response.text and "显示 #REF!（公式出错）" in response.text


COM = {"#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
       "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273}


def test_wps_request_with_com_error_codes_is_read_as_errors(client):
    """An older WPS add-in posts Range.Value2 as is: an error cell is its COM error code (-2146826281 is
    #DIV/0!).  The server reads it as the error: no rate of -2586537687.95% (-2146826281 ÷ 83), no write."""
    excel = error_excel()
    book = excel.book
    book["附件3"]["E6"] = "#DIV/0!"
    body = dict(excel.payload(), client="WPS")
    for sheet in body["sheets"]:
        sheet["values"] = [[COM.get(v, v) if isinstance(v, str) else v for v in row] for row in sheet["values"]]
    assert body["sheets"][2]["values"][5][4] == -2146826281
    response = client.post("/jixiao/wps/validate", json=body)
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    written = written_cells(actions, book)
    assert not written & {("附件1", "B12"), ("附件3", "E6"), ("附件3", "G6"), ("附件3", "H6")}
    excel.apply({"actions": actions})
    assert book["附件3"]["E6"].value == "#DIV/0!" and excel.formulas[("附件3", "E6")] == "=E7+#REF!"
    messages = [r[4] + "：" + r[5] for r in book["校验结果"].iter_rows(min_row=2, values_only=True) if r[0] == "N003"]
    assert any("(E6)" in m and "显示 #DIV/0!（公式出错）" in m for m in messages), messages
    no_absurd_numbers(book)
    findings = client.post("/jixiao/wps/findings", json=body).json()
    assert not any("2586537" in f["message"] for f in findings["findings"])


def test_every_com_error_code_reads_as_its_error():
    from jixiao_xl.excel import xl

    assert xl.COM_ERRORS == {code: text for text, code in COM.items()}
    assert all(xl._cell_value(code) == text for text, code in COM.items())
    assert xl._cell_value(-2146826281.0) == -2146826281.0  # a number typed in a cell stays a number


def test_xlwings_book_reads_errors_as_errors(tmp_path):
    """read_grids on a real xlwings Book (its calamine engine: like classic COM, errors are None unless
    err_to_str): the cell showing #DIV/0! is read as that, and 校验's plan leaves it alone."""
    import xlwings as xw

    from jixiao_xl.excel import xl
    from jixiao_xl.write.fill import plan

    path = tmp_path / "errors.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    book["附件1"]["B12"] = "#DIV/0!"
    book.save(path)
    with xw.Book(path, mode="r") as xbook:
        assert xbook.sheets["附件1"]["B12"].value is None  # xlwings' default: the error is lost
        grids = xl.read_grids(xbook)
    assert grids[0].rows[11][1] == "#DIV/0!"
    changes = {(sheet, item.cell.address) for sheet, item, *_ in plan(grids, get_profile(), overwrite=True)}
    assert ("附件1", "B12") not in changes and ("附件1", "C12") in changes
