"""Forms recognised by content: title wordings of other provinces, titles elsewhere or missing, notes that
only mention a form, and workbooks whose formulas have no stored result — all as real .xlsx files."""

from __future__ import annotations

import openpyxl
import pytest

from jixiao_xl.rules.check import NO_FORM, check_path

from .helpers import by_code, check_file, clean_seed, set_cells


def _kinds(report):
    return [(f.kind, f.form.sheet) for f in report.forms]


SEED_KINDS = [("basic_data", "附件1"), ("dept_self_eval", "附件2"), ("project_self_eval", "附件3")]


@pytest.mark.parametrize("basic,dept,project", [
    ("2023年度单位整体支出绩效评价基础数据表", "2023年度单位整体支出绩效自评表", "2023年度项目绩效自评表"),
    ("部门（单位）整体支出绩效评价基础数据表", "部门（单位）整体支出绩效自评表", "项目支出绩效目标自评表"),
    ("附表1：预算单位整体支出绩效基础数据表", "附件2-1 汨罗市司法局2023年度预算单位整体支出绩效自评表（单位：万元）",
     "附件三、2023年度项目绩效目标自评表"),
    ("2023年度部门整体支出绩效评价基础数据表（汨罗市司法局）", "部门整体支出绩效自评表\n填报单位：汨罗市司法局  金额单位：万元",
     "某某专项资金绩效自评表"),
    ("2023年度部门整体支出绩效评价基础数据表", "2023年度部门整体绩效自评表", "项目支出绩效评价自评表（2023年度）"),
    # "自评情况表" / "自评结果表": the form printed under another word for the same table
    ("2023年度部门整体支出绩效评价基础数据表", "2023年度部门整体支出绩效自评情况表", "2023年度项目支出绩效自评结果表"),
])
def test_title_wordings_of_other_provinces(tmp_path, basic, dept, project):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!A2": basic, "附件2!A2": dept, "附件3!A2": project}))
    assert report.status != "unreadable"
    assert _kinds(report) == SEED_KINDS
    assert not by_code(report, "S003") and not by_code(report, "S001")
    assert report.forms[1].results.total_score == 99.0


def test_title_far_from_a1_in_a_merged_cell(tmp_path):
    sheets = clean_seed()
    dept = sheets[1]
    dept.rows[1][0] = None
    dept.rows[0] += ["2023年度单位整体支出绩效自评表"]  # J1
    dept.merges = [m for m in dept.merges if m != "A2:I2"] + ["J1:M1"]
    report = check_file(tmp_path, sheets)
    assert _kinds(report) == SEED_KINDS and not by_code(report, "S003")


def test_title_only_in_the_sheet_name(tmp_path):
    sheets = set_cells(clean_seed(), {"附件2!A2": None})
    sheets[1].name = "部门整体支出绩效自评表"
    report = check_file(tmp_path, sheets)
    assert ("dept_self_eval", "部门整体支出绩效自评表") in _kinds(report)
    assert not by_code(report, "S003")


def test_no_title_at_all_is_recognised_by_its_labels_and_says_so(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!A2": None, "附件2!A2": None, "附件3!A2": None}))
    assert _kinds(report) == SEED_KINDS
    infos = by_code(report, "S003")
    assert [(f.sheet, f.severity) for f in infos] == [("附件1", "info"), ("附件2", "info"), ("附件3", "info")]
    assert infos[1].message.startswith("[附件2] 表格标题：没有找到表格标题，根据栏目（预算部门名称、年度资金总额")
    assert infos[1].message.endswith("等）判断为 附件2 部门整体支出绩效自评表")
    assert report.forms[1].results.total_score == 99.0


def test_a_note_under_the_total_never_starts_a_form(tmp_path):
    sheets = clean_seed()
    project = sheets[2]
    project.rows.append(["注：每个项目另填一张项目支出绩效自评表，与本表一并报送。"])
    project.rows.append(["项目支出绩效自评表（另附）"])  # looks like a title, but nothing of a form under it
    dept = sheets[1]
    dept.rows.append(["说明：项目支出绩效自评表见附件3"])
    report = check_file(tmp_path, sheets)
    assert _kinds(report) == SEED_KINDS
    assert not by_code(report, "S001")
    assert report.forms[2].results.grade == "优"


def test_a_sentence_mentioning_a_form_in_a_long_paragraph_is_not_a_title(tmp_path):
    sheets = clean_seed()
    sheets[0].rows.insert(0, ["本表依据《2023年度部门整体支出绩效自评表》和项目支出绩效自评表的填报要求编制，数据口径一致"])
    report = check_file(tmp_path, sheets)
    assert _kinds(report) == SEED_KINDS


def test_two_forms_on_one_sheet_with_a_phantom_between(tmp_path):
    basic, dept, project = clean_seed()
    rows = dept.rows + [["项目支出绩效自评表"]] + [[]] + project.rows
    shift = len(dept.rows) + 2
    from .test_reader_variants import _move

    merges = dept.merges + [_move(m, shift, 0) for m in project.merges]
    dept.rows, dept.merges = rows, merges
    dept.formats = {**dept.formats, **{_move(a, shift, 0): f for a, f in project.formats.items()}}
    report = check_file(tmp_path, [basic, dept])
    assert _kinds(report) == [("basic_data", "附件1"), ("dept_self_eval", "附件2"), ("project_self_eval", "附件2")]


def test_own_template_saved_without_results_is_recognised(tmp_path, capsys):
    from jixiao_xl.cli import main

    made = tmp_path / "t.xlsx"
    assert main(["template", "-o", str(made), "--year", "2024", "--unit", "某局"]) == 0
    saved = tmp_path / "saved.xlsx"
    openpyxl.load_workbook(made).save(saved)  # openpyxl keeps formulas and drops their results
    report = check_path(str(saved))
    assert report.status != "unreadable" and report.error != NO_FORM
    assert [f.kind for f in report.forms] == ["basic_data", "dept_self_eval", "project_self_eval"]
    assert [f.form.year for f in report.forms] == [2024, 2024, 2024]  # titles worked out from 填表说明
    assert report.forms[1].form.name == "某局"
    assert not by_code(report, "S003") and not by_code(report, "S001")
    uncached = {f.sheet: f.message for f in by_code(report, "S002")}
    assert set(uncached) == {"附件1", "附件2", "附件3"}
    assert "B6、C6、D6" in uncached["附件1"]  # the 三公 sums could not be read
    assert "A2" not in uncached["附件1"]  # the title could
    dept = report.forms[1].form
    assert [(level.name, level.weight) for level in dept.levels] == [
        ("产出指标", 30.0), ("效益指标", 30.0), ("满意度指标", 10.0), ("成本指标", 20.0)]  # "产出指标"&CHAR(10)&…
    assert "B14" not in uncached["附件2"] and "G25" in uncached["附件2"]


def test_workbook_without_any_form_still_says_so(tmp_path):
    path = tmp_path / "x.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "会议纪要"
    book.active["A2"] = "关于报送项目支出绩效自评表的通知"
    book.save(path)
    report = check_path(str(path))
    assert report.status == "unreadable" and report.error == NO_FORM


def test_untitled_forms_below_a_titled_one_on_the_same_sheet(tmp_path):
    from .test_reader_variants import one_sheet

    basic, dept, project = clean_seed()
    dept.rows[1][0] = None  # only 附件1 keeps its title
    project.rows[1][0] = None
    report = check_file(tmp_path, [one_sheet("自评材料", (basic, dept, project))])
    assert [f.kind for f in report.forms] == ["basic_data", "dept_self_eval", "project_self_eval"]
    assert [f.sheet for f in by_code(report, "S003")] == ["自评材料", "自评材料"]
    assert [f.results.total_score for f in report.forms[1:]] == [99.0, 100.0]
    assert [f.code for f in report.all_findings() if f.severity == "error"] == []


def test_text_formula_evaluation():
    from jixiao_xl.xlsx.textformula import evaluate

    cells = {("填表说明", "C4"): 2024, ("附件2", "G14"): 10, ("附件2", "G15"): 10, ("附件2", "G16"): 10}

    def lookup(sheet, address, depth):
        return cells.get((sheet, address))

    assert evaluate('填表说明!$C$4&"年度部门整体支出绩效自评表"', "附件1", lookup) == "2024年度部门整体支出绩效自评表"
    assert evaluate('(填表说明!$C$4-1)&"年决算数"', "附件1", lookup) == "2023年决算数"
    assert evaluate('"产出指标"&CHAR(10)&"("&SUM(G14:G16)&"分)"', "附件2", lookup) == "产出指标\n(30分)"
    assert evaluate("'填表说明'!C4", "附件1", lookup) == 2024
    assert evaluate('IF(A1>0,"a","b")', "附件1", lookup) is None  # not a simple text formula: left unread
    assert evaluate('VLOOKUP(A1,B:C,2)', "附件1", lookup) is None
