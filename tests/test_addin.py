"""The Excel add-in end to end without Excel: the real xlwings Server app, a stand-in Office.js."""

from __future__ import annotations

import os
import zipfile
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

from jixiao_xl import template as T  # noqa: E402
from jixiao_xl.addin import build_xlam  # noqa: E402
from jixiao_xl.profiles import get_profile  # noqa: E402
from jixiao_xl.scoring import exec_score, indicator_score  # noqa: E402
from jixiao_xl.writer import write_template  # noqa: E402

from .officejs import Excel, payload, snapshot  # noqa: E402
from .test_seed import EXAMPLE  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from xlwings_server.main import main_app

    with TestClient(main_app) as test_client:
        yield test_client


def click(client, excel: Excel, script: str) -> None:
    response = client.post(f"/xlwings/custom-scripts-call/{script}", json=payload(excel.book))
    assert response.status_code == 200, response.text
    excel.apply(response.json())


@pytest.fixture
def seed_excel():
    return Excel(openpyxl.load_workbook(EXAMPLE, data_only=True))


def test_validate_writes_results_marks_and_alert(client, seed_excel):
    original = snapshot(seed_excel.book)
    click(client, seed_excel, "validate")
    book = seed_excel.book
    assert seed_excel.alerts == [("发现 1 个错误、2 个警告；部门整体支出自评总分 99（优）；"
                                  "项目支出自评（司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援））总分 100（优）")]
    rows = list(book["校验结果"].iter_rows(values_only=True))
    errors = [(r[0], r[2], r[3]) for r in rows if r[1] == "错误"]
    assert errors == [("B111", "附件1", "B7")]
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
    assert 'xw-click="validate"' in page and "清除标记" in page
    html = client.post("/jixiao/findings", json=payload(openpyxl.load_workbook(EXAMPLE, data_only=True))).text
    assert "发现 1 个错误、2 个警告" in html and "B111" in html


def test_build_xlam(tmp_path):
    xlam, sidecar = build_xlam(tmp_path / "jixiao_addin.xlam")
    with zipfile.ZipFile(xlam) as archive:
        assert archive.testzip() is None
        ribbon = ElementTree.fromstring(archive.read("customUI/customUI.xml"))
        assert "xl/vbaProject.bin" in archive.namelist()
    ns = "{http://schemas.microsoft.com/office/2006/01/customui}"
    tab = next(ribbon.iter(f"{ns}tab"))
    button = next(ribbon.iter(f"{ns}button"))
    assert tab.get("label") == "绩效自评" and button.get("label") == "校验"
    assert button.get("onAction") == "RibbonMyAddin.RunMain"  # runs "import jixiao_addin; jixiao_addin.main()"
    assert "from jixiao_xl.xl import main" in sidecar.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        build_xlam(tmp_path / "绩效 加载项.xlam")


def test_layer_import_is_light():
    import subprocess
    import sys

    code = ("import sys; import jixiao_xl.xl; "
            "print([m for m in ('openpyxl', 'jixiao_xl.check', 'jixiao_xl.reader') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ}).stdout.strip()
    assert out == "[]"


def test_marks_from_fill_and_from_the_button_undo_each_other(client, tmp_path):
    """fill --mark, then 校验 and 清除标记 in Excel: the sheet looks as submitted; and the other way round."""
    from jixiao_xl.fill import fill

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
