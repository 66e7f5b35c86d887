"""The template's formulas recalculated by LibreOffice agree with the check engine.

LibreOffice runs with a private profile that recalculates every formula on
load, so the values compared are LibreOffice's own, not the ones we stored.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from jixiao_xl.write import template as T
from jixiao_xl.rules.check import check_path
from .libreoffice import convert, profile_dir, soffice
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from .samples import seed_sheets, write_xlsx
from jixiao_xl.write.writer import write_template
from jixiao_xl.xlsx.xlsxio import save_workbook

from .helpers import set_cells

if soffice() is None:
    if os.environ.get("CI"):
        raise RuntimeError("LibreOffice is required in CI (.ci/run installs it)")
    pytest.skip("LibreOffice is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory):
    return profile_dir(tmp_path_factory.mktemp("lo-profile"))


def formula_disagreements(original: Path, recalculated: Path) -> list[str]:
    """Every formula cell whose LibreOffice value differs from the value jixiao-xl stored."""
    formulas = openpyxl.load_workbook(original)
    ours = openpyxl.load_workbook(original, data_only=True)
    theirs = openpyxl.load_workbook(recalculated, data_only=True)
    problems = []
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                checked += 1
                mine = ours[ws.title][cell.coordinate].value
                lo = theirs[ws.title][cell.coordinate].value
                where = f"{ws.title}!{cell.coordinate} {cell.value}"
                if isinstance(lo, str) and lo.startswith("#"):
                    problems.append(f"{where}: error value {lo}")
                elif mine in (None, "") and lo in (None, ""):
                    continue
                elif isinstance(mine, (int, float)) and isinstance(lo, (int, float)):
                    if abs(mine - lo) > 1e-9 * max(1.0, abs(mine)):
                        problems.append(f"{where}: jixiao-xl {mine} != LibreOffice {lo}")
                elif mine != lo:
                    problems.append(f"{where}: jixiao-xl {mine!r} != LibreOffice {lo!r}")
    assert checked > 20, "no formulas were compared"
    return problems


# Derived cells of the seed left blank, so the template gets formulas for all of them.
BLANK_DERIVED = {
    **{f"附件1!{c}{r}": None for c in "BCD" for r in (6, 7, 12, 15)},
    "附件1!D4": None,
    "附件2!B6": "按收入性质分：", "附件2!E6": "按支出性质分：", "附件2!G5": None, "附件2!H5": None,
    "附件2!G25": None, "附件2!H25": None,
    **{f"附件3!{c}6": None for c in "CDEGH"},
    "附件3!G24": None, "附件3!H24": None,
}

amount = st.one_of(st.none(), st.just(0.0), st.decimals(0, 5000, places=2).map(float))
positive = st.decimals("0.01", 5000, places=2).map(float)
weight = st.integers(0, 20)


@st.composite
def random_submission(draw):
    edits = dict(BLANK_DERIVED)
    for r in (4,):
        edits[f"附件1!B{r}"] = draw(st.one_of(st.none(), st.just(0), st.integers(1, 300)))
        edits[f"附件1!C{r}"] = draw(st.one_of(st.none(), st.integers(0, 300)))
    for r in (8, 9, 10, 11, 13, 14, *range(16, 25), 25, 26, 27, 28, 29):
        for c in "BCD":
            edits[f"附件1!{c}{r}"] = draw(amount)
    for c in "BCEF":
        edits[f"附件1!{c}32"] = draw(amount)
    for c, value in zip("CDEF", (draw(amount), draw(st.one_of(st.none(), positive, st.just(0.0))), draw(amount),
                                  draw(st.one_of(st.none(), st.just(10), weight)))):
        edits[f"附件2!{c}5"] = value
    for address, label in (("B7", "其中：一般公共预算："), ("B8", "政府性基金拨款："), ("E7", "其中：基本支出："),
                           ("E8", "项目支出：")):
        value = draw(amount)
        edits[f"附件2!{address}"] = label + ("" if value is None else f"{value:.2f}")
    for sheet, first, last in (("附件2", 14, 24), ("附件3", 13, 23)):
        for r in range(first, last + 1):
            w = draw(weight)
            edits[f"{sheet}!G{r}"] = w
            edits[f"{sheet}!H{r}"] = draw(st.one_of(st.none(), st.integers(0, w)))
    for r in (7, 8, 9):
        for c in "CDE":
            edits[f"附件3!{c}{r}"] = draw(amount)
    edits["附件3!F6"] = draw(st.one_of(st.none(), weight))
    return edits


# Each example is one LibreOffice run over 8 workbooks; shrinking would rerun LibreOffice many times.
@settings(max_examples=3, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(st.lists(random_submission(), min_size=8, max_size=8))
def test_formulas_match_engine_on_random_templates(tmp_path_factory, lo_profile, submissions):
    tmp = tmp_path_factory.mktemp("random")
    profile = get_profile()
    templates = []
    for i, edits in enumerate(submissions):
        source = tmp / f"src{i}.xlsx"
        write_xlsx(source, set_cells(seed_sheets(), edits))
        template = tmp / f"tpl{i}.xlsx"
        write_template(T.build(T.data_from(read_workbook(str(source)), None, None, profile)), template)
        templates.append(template)
    recalculated = convert(templates, tmp / "lo", profile=lo_profile)
    problems = [p for t, r in zip(templates, recalculated) for p in formula_disagreements(t, r)]
    assert problems == []


@pytest.mark.parametrize("executed, points", [
    (70, 7),  # 84.34 %
    (82.9975, 10),  # 99.997 % shows 100.00 %: the band is chosen on the rate as shown
    (82.995, 7),  # 99.994 % shows 99.99 %
])
def test_jiangxi_mode_formulas_match(tmp_path, lo_profile, executed, points):
    profile = get_profile(exec_mode="jiangxi")
    template = tmp_path / "jx.xlsx"
    source = tmp_path / "src.xlsx"
    write_xlsx(source, set_cells(seed_sheets(), {**BLANK_DERIVED, "附件3!C7": 83, "附件3!D7": 83,
                                                 "附件3!E7": executed}))
    write_template(T.build(T.data_from(read_workbook(str(source)), None, None, profile)), template)
    (recalculated,) = convert([template], tmp_path / "lo", profile=lo_profile)
    assert formula_disagreements(template, recalculated) == []
    assert openpyxl.load_workbook(recalculated, data_only=True)["附件3"]["H6"].value == points


def test_seed_in_template_scores_99_after_recalculation(tmp_path, lo_profile):
    seed_template = ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023_template.xlsx"
    (recalculated,) = convert([seed_template], tmp_path, profile=lo_profile)
    ws = openpyxl.load_workbook(recalculated, data_only=True)["附件2"]
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert ws.cell(total, 8).value == 99
    assert ws.cell(total, 9).value == "等级：优"
    assert formula_disagreements(seed_template, recalculated) == []
    report = check_path(str(recalculated))  # LibreOffice's own file reads and checks the same
    # the two wrong 2022 sums of the submission are formulas in the template: no error left
    assert [f.code for f in report.all_findings() if f.severity == "error"] == []


def test_recalculation_really_happens(tmp_path, lo_profile):
    """The private profile makes LibreOffice ignore stored results: a wrong one gets corrected."""
    book = openpyxl.Workbook()
    book.active["A1"] = 2
    book.active["A2"] = "=A1*3"
    path = tmp_path / "wrong.xlsx"
    save_workbook(book, path, {"Sheet": {"A2": 999}})
    (recalculated,) = convert([path], tmp_path / "lo", profile=lo_profile)
    assert openpyxl.load_workbook(recalculated, data_only=True).active["A2"].value == 6


def test_year_set_once_flows_into_every_title(tmp_path, lo_profile):
    path = tmp_path / "t.xlsx"
    write_template(T.build(T.data_from(None, 2024, "某局", get_profile()), projects=2), path)
    book = openpyxl.load_workbook(path)
    book["填表说明"]["C4"] = 2026
    book["填表说明"]["C5"] = "某某县司法局"
    book.save(path)
    (recalculated,) = convert([path], tmp_path / "lo", profile=lo_profile)
    values = openpyxl.load_workbook(recalculated, data_only=True)
    assert values["附件1"]["A2"].value == "2026年度部门整体支出绩效评价基础数据表"
    assert values["附件1"]["B5"].value == "2025年决算数"
    assert values["附件3-2"]["A2"].value == "2026年度项目支出绩效自评表"
    assert values["附件2"]["B3"].value == "某某县司法局"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_template_renders_to_pdf_with_chinese_fonts(tmp_path, lo_profile):
    seed_template = ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023_template.xlsx"
    (pdf,) = convert([seed_template], tmp_path, fmt="pdf", profile=lo_profile)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for phrase in ("部门整体支出绩效评价基础数据表", "部门整体支出绩效自评表", "项目支出绩效自评表", "汨罗市司法局", "等级：优"):
        assert phrase in text.replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts, fonts


def _has_uno() -> bool:
    probe = subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not os.environ.get("CI") and not _has_uno(), reason="python3-uno not installed")
def test_formulas_follow_rows_inserted_in_libreoffice(tmp_path, lo_profile):
    """A user inserts a 专项 row and a 三级指标 row inside their sections; the sums include them."""
    import json

    path = tmp_path / "t.xlsx"
    write_template(T.build(T.data_from(None, 2024, "某局", get_profile())), path)
    ops = [
        ["set", "附件1", "A16", "专项甲"], ["set", "附件1", "B16", 10], ["set", "附件1", "D16", 9],
        ["set", "附件1", "A17", "专项乙"], ["set", "附件1", "B17", 20], ["set", "附件1", "D17", 18],
        ["insert_row", "附件1", 17], ["set", "附件1", "A17", "新增专项"], ["set", "附件1", "B17", 5],
        ["insert_row", "附件2", 15], ["set", "附件2", "C15", "数量指标"], ["set", "附件2", "D15", "新增指标"],
        ["set", "附件2", "G14", 5], ["set", "附件2", "G15", 5], ["set", "附件2", "H15", 5],
        ["set", "附件2", "C5", 100], ["set", "附件2", "D5", 100], ["set", "附件2", "E5", 80],
    ]
    # every other 得分 0: the 总分 waits for all weighted 得分 (a blank one is not 0), then counts the inserted row
    ops += [["set", "附件2", f"H{r}", 0] for r in range(14, 26) if r != 15]
    ops_path = tmp_path / "ops.json"
    ops_path.write_text(json.dumps(ops, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "edited.xlsx"
    subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("lo_edit.py")), str(path), str(out),
                    str(ops_path), str(tmp_path / "uno-profile")], check=True, timeout=300)
    values = openpyxl.load_workbook(out, data_only=True)
    assert values["附件1"]["B15"].value == 35  # 县级专项 = 10 + 5 + 20, the inserted row included
    assert values["附件1"]["B12"].value == 35  # 项目支出 follows
    assert values["附件2"]["B14"].value == "产出指标\n(30分)"  # 5 + 5 + 10 + 10
    total = next(r for r in range(1, 40) if values["附件2"].cell(r, 1).value == "总分")
    assert values["附件2"].cell(total, 7).value == 100
    assert values["附件2"].cell(total, 8).value == 13  # 执行率得分 8 + 新增指标 5
    report = check_path(str(out))
    basic = report.forms[0]
    assert [s.label for s in basic.form.specials] == ["专项甲", "新增专项", "专项乙"]
    codes = {f.code for f in report.all_findings()}
    assert not codes & {"B112", "B113", "W101", "W102", "W103", "W104", "E101", "E104", "N001"}
    dept = report.forms[1].results
    assert dept.exec_rate == 0.8 and dept.exec_score == 8.0 and dept.weight_total == 100.0


def test_number_typed_as_text_in_a_summed_part(tmp_path, lo_profile):
    """'11.8万元' as text in a part the template sums: one N004 at that cell (Excel's SUM skips it), nothing at
    the locked sum; fill stores the results LibreOffice computes."""
    from jixiao_xl.write.fill import fill

    book = openpyxl.load_workbook(ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023_template.xlsx")
    book["附件1"]["D13"] = "11.8万元"
    typed = tmp_path / "typed.xlsx"
    book.save(typed)
    (saved,) = convert([typed], tmp_path / "lo", profile=lo_profile)  # as Excel would save it: results stored
    for path in (saved, typed):
        findings = [f for f in check_path(str(path)).all_findings() if f.severity == "error"]
        assert [(f.code, f.cell) for f in findings] == [("N004", "D13")], [f.message for f in findings]
        assert findings[0].message.endswith("填的是文字“11.8万元”，表中的公式把它当作空白（不计入合计、比率和得分），请改为数字 11.8")
    filled = tmp_path / "filled.xlsx"
    fill(str(typed), str(filled))
    assert openpyxl.load_workbook(filled, data_only=True)["附件1"]["D12"].value == 440.32
    (recalculated,) = convert([filled], tmp_path / "lo2", profile=lo_profile)
    # every result fill stored is LibreOffice's (the titles' text formulas it stores none for)
    assert [p for p in formula_disagreements(filled, recalculated) if "jixiao-xl None " not in p] == []


@pytest.mark.parametrize("edits", [
    {"附件3!H20": None},  # a weighted 得分 left blank
    {"附件3!H19": "/"},  # or "/"
    {"附件3!C7": None, "附件3!D7": None, "附件3!E7": None},  # the 执行率 block empty, the 分值 leaving it 10
], ids=["blank", "slash", "no-exec"])
def test_the_template_total_stays_blank_where_the_check_cannot_know_it(tmp_path, lo_profile, edits):
    """The template's 总分 and 等级 formulas show nothing where the check says 无法复核 (they summed the 得分 typed,
    a blank one as 0, and counted an empty 执行率 block as 0 分); the engine's values agree with LibreOffice's."""
    book = openpyxl.load_workbook(ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023_template.xlsx")
    for key, value in edits.items():
        sheet, address = key.split("!")
        book[sheet][address] = value
    typed = tmp_path / "typed.xlsx"
    book.save(typed)
    (saved,) = convert([typed], tmp_path / "lo", profile=lo_profile)
    shown = openpyxl.load_workbook(saved, data_only=True)["附件3"]
    total = next(r for r in range(1, 40) if shown.cell(r, 1).value == "总分")
    assert shown.cell(total, 8).value in (None, "") and shown.cell(total, 9).value in (None, "", "等级：")  # no grade
    project = next(f for f in check_path(str(saved)).forms if f.kind == "project_self_eval")
    assert project.results.total_score is None and project.results.why("total_score").startswith("无法复核")
    from jixiao_xl.write.fill import fill

    result = fill(str(saved), str(tmp_path / "filled.xlsx"), overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3" and c.cell in (f"H{total}", f"I{total}")]


def test_an_amount_typed_as_text_under_the_rate_formula_is_named_at_its_cell(tmp_path, lo_profile):
    """'1,350万元' pasted into the template's 全年预算数: its 执行率 formula (ISNUMBER, N) takes it for blank and the
    workbook showed 执行率得分 0; the check said 执行率 95%, 优 and E104 at the locked 得分 formula.  Now: N004 at
    the two typed cells, the results as the workbook shows them (no 得分, no 总分), nothing at the formulas."""
    book = openpyxl.load_workbook(ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023_template.xlsx")
    book["附件2"]["D5"], book["附件2"]["E5"] = "1,762.55万元", "1762.55万元"
    typed = tmp_path / "typed.xlsx"
    book.save(typed)
    (saved,) = convert([typed], tmp_path / "lo", profile=lo_profile)
    shown = openpyxl.load_workbook(saved, data_only=True)["附件2"]
    report = check_path(str(saved))
    dept = next(f for f in report.forms if f.kind == "dept_self_eval")
    errors = [(f.code, f.cell) for f in dept.findings if f.severity != "info"]
    assert errors == [("N004", "D5"), ("N004", "E5")], errors
    assert not [f for f in dept.findings if f.code in ("E101", "E103", "E104", "W104")]
    assert dept.findings[0].message.endswith("填的是文字“1,762.55万元”，表中的公式把它当作空白（不计入合计、比率和得分），"
                                             "请改为数字 1762.55")
    # as the workbook shows them: no 执行率得分 (neither amount is a number: not 0 分) and so no 总分
    assert dept.results.exec_score is None and shown["H5"].value in (None, "")
    assert dept.results.total_score is None and shown["H25"].value in (None, "")
