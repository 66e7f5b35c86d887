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


# ---------------------------------------------------------------- 绩效目标表: targets only, not a self-evaluation

# The targets of the seed's project as a 项目支出绩效目标表 (the 财预〔2020〕10号 family's layout: 年度指标值, no 实际完成值,
# 分值 or 得分), and the department's as a 部门整体支出绩效目标申报表.
PROJECT_TARGETS = [
    ["2023年度项目支出绩效目标表", None, None, None, None],
    ["项目名称", "司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援）", None, None, None],
    ["主管部门", "汨罗市司法局", None, "实施单位", "汨罗市司法局"],
    ["项目资金(万元)", "年度资金总额", 83, None, None],
    [None, "其中：财政拨款", 83, None, None],
    [None, "其他资金", None, None, None],
    ["年度总体目标", "法治建设工作不断深入，特殊人群管理不断强化，组织学法考试，进行特殊人群人员收治", None, None, None],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值"],
    [None, "产出指标", "数量指标", "公共法律服务站、点建设", "村社区全覆盖"],
    [None, None, "质量指标", "各项工作、合法合规", "合法合规"],
    [None, "效益指标", "社会效益指标", "维护社会稳定,普法宣传，增强法治意识", "维护社会稳定"],
    [None, "满意度指标", "服务对象满意度指标", "社会公众满意度", "≥95%"],
]
DEPT_TARGETS = [
    ["部门整体支出绩效目标申报表（2023年度）", None, None, None, None],
    ["部门名称", "汨罗市司法局", None, None, None],
    ["年度资金总额", 1238.36, None, None, None],
    ["年度总体目标", "深入开展普法宣传，做好社区矫正、法律援助和人民调解工作", None, None, None],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
    [None, "产出指标", "数量指标", "组织法治宣传，组织学法考试", "5次法治宣传，2次学法考试"],
    [None, "效益指标", "社会效益指标", "群众法治观念加强", "社会法治环境改善"],
    [None, "满意度指标", "服务对象满意度指标", "社会群众满意度", "≥95%"],
]


def _targets_sheets():
    from .samples import SheetSpec

    return [SheetSpec("项目绩效目标", [list(r) for r in PROJECT_TARGETS], ["A1:E1", "B2:E2", "A4:A6", "B7:E7", "A9:A12"]),
            SheetSpec("部门绩效目标", [list(r) for r in DEPT_TARGETS], ["A1:E1", "B2:E2", "B4:E4", "A6:A8"])]


def test_a_targets_table_beside_the_forms_is_not_checked_as_a_self_evaluation(tmp_path):
    # a 项目支出绩效目标表 and a 部门整体支出绩效目标申报表 submitted with the seed were read as 附件3 and 附件2 by their
    # labels: S001 "找不到年度资金总额", S003 "判断为 附件3 项目支出绩效自评表", a 未评分 form in the 结果 and 汇总
    report = check_file(tmp_path, clean_seed() + _targets_sheets())
    assert _kinds(report) == SEED_KINDS
    assert [(f.sheet, f.cell, f.message) for f in by_code(report, "S006")] == [
        ("项目绩效目标", "A1", "[项目绩效目标] (A1)：工作表“项目绩效目标”的“2023年度项目支出绩效目标表”是绩效目标表"
                              "（表中只有年度指标值，没有实际完成值和得分），不是绩效自评表，没有按自评表校验"),
        ("部门绩效目标", "A1", "[部门绩效目标] (A1)：工作表“部门绩效目标”的“部门整体支出绩效目标申报表(2023年度)”是绩效目标表"
                              "（表中只有年度指标值，没有实际完成值和得分），不是绩效自评表，没有按自评表校验"),
    ]
    assert by_code(report, "S006")[0].severity == "info"
    assert [f.code for f in report.all_findings() if f.sheet in ("项目绩效目标", "部门绩效目标")] == ["S006", "S006"]
    # the forms are checked as without the targets tables: the seed's own findings and results
    assert sorted({f.code for f in report.all_findings()} - {"S006"}) == ["B121", "D001", "E105"]
    assert [f.results.total_score for f in report.forms[1:]] == [99.0, 100.0]
    assert report.status == "warnings"


def test_a_targets_table_below_a_self_evaluation_on_the_same_sheet(tmp_path):
    from .samples import SheetSpec

    project = clean_seed()[2]
    rows = project.rows + [[None] * 9] + [list(r) + [None] * 4 for r in PROJECT_TARGETS]
    report = check_file(tmp_path, [SheetSpec("附件3", rows, project.merges)])
    assert _kinds(report) == [("project_self_eval", "附件3")]
    (s006,) = by_code(report, "S006")
    assert s006.cell == "A26" and "“2023年度项目支出绩效目标表”是绩效目标表" in s006.message
    assert report.forms[0].results.total_score == 100.0 and not by_code(report, "S003")


# 重庆市奉节县人民政府 (cqfj.gov.cn, 2024-02-01): "2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表",
# http://cqfj.gov.cn/index/xz_168/ywtjzx/zwxx_61303/gsgg_107031/202402/t20240201_12892054.html — transcribed from
# the stored page text up to where the stored copy ends (in the 产出指标 rows); grid rebuilt from the text order; the
# 项目负责人's name and telephone left out. It prints 分值 (and "年度绩效目标(90分)") but no 实际完成值 and no 得分.
FENGJIE_TARGETS = [
    ["2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表", None, None, None, None, None, None],
    ["(   2023年度)", None, None, None, None, None, None],
    ["预算单位: 奉节县云雾土家族乡人民政府", None, None, None, None, "金额单位:万元", None],
    ["项目名称", "2023年云雾土家族乡加工园配套设施建设项目", None, None, "项目分类", "资产资源类--房屋类", None],
    ["建设周期", "2023年4月-2024年2月", None, None, "业务主管部门", "县民宗委", None],
    ["实施单位", "云雾土家族乡", None, "项目负责人", None, "联系电话", None],
    ["项目审批", "奉节县民族宗教事务委员会《关于下达2023年度少数民族发展资金项目计划的通知》(奉节民宗委发〔2022〕3号)",
     None, None, None, None, None],
    ["项目总体概况", "新建中药材晾晒房一座,占地300平方米,包含场坪整治及硬化,硬化室外晒坝420平方米,室内场坪1800平方米,"
     "C25混凝土,厚15cm;新建厕所1个,长4.5米,宽3米,占地13.5平方米,配套三格式化粪池4.5立方米。经济效益:项目建成后能够带动"
     "当地20名群众务工增收5000元/年;社会效益:促进当地中药材产业发展,带动受益总人口200人,其他脱贫人口和监测对象41人;"
     "群众满意度:群众满意度达到95%以上。", None, None, None, None, None],
    ["年度主要目标     和成果", "新建中药材晾晒房一座,占地300平方米,包含场坪整治及硬化,硬化室外晒坝420平方米,室内场坪"
     "1800平方米,C25混凝土,厚15cm;新建厕所1个,长4.5米,宽3米,占地13.5平方米,配套三格式化粪池4.5立方米。",
     None, None, None, None, None],
    ["项目资金\n预算执行\n10分", "项目总预算", 65, "财政资金预算分类", "一般公共预算", None, None],
    [None, "当年年度预算", 65, None, None, None, None],
    [None, "其中:财政资金", 65, "财政资金科目代码", "21305", None, None],
    [None, "其中:其它资金", 0, None, None, None, None],
    [None, "年度预算执行率", "100%", "分值", "10分", None, None],
    ["年度绩效目标(90分)", "一级指标", "二级指标", "三级指标", "指标值", "分值", "指标解释"],
    [None, "成本指标(0-20)分", "经济成本指标", "项目建设成本", "≤65万元", 10, None],
    [None, None, "社会成本指标", None, None, None, None],
    [None, None, "生态环境成本指标", None, None, None, None],
    [None, "产出指标\n(40-50)分", "数量指标", None, None, None, None],
]


def test_a_published_targets_table_alone_is_named_not_checked(tmp_path):
    # it was read as a 附件3 by its labels (项目名称、实施单位、一级指标、二级指标、三级指标) and checked as one: every
    # indicator "未评分", S001 for the missing 年度资金总额 and 得分
    from .samples import SheetSpec

    merges = ["A1:G1", "A2:G2", "B4:D4", "B5:D5", "B7:G7", "B8:G8", "B9:G9", "A10:A14", "A15:A19", "B16:B18"]
    report = check_file(tmp_path, [SheetSpec("项目目标审批表", [list(r) for r in FENGJIE_TARGETS], merges)])
    assert report.status == "unreadable" and report.code == "U012" and not report.forms
    assert report.error == (NO_FORM + "；工作表“项目目标审批表”的“2023年云雾土家族乡加工园配套设施建设项目支出绩效目标审批表”"
                            "是绩效目标表（表中只有年度指标值，没有实际完成值和得分），不是绩效自评表，没有按自评表校验")


def test_a_targets_title_over_a_table_with_outcomes_is_checked_as_a_self_evaluation(tmp_path):
    # "项目支出绩效目标表" over a table that does carry 实际完成值 and 得分: a self-evaluation under another title
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!A2": "2023年度项目支出绩效目标表"}))
    assert _kinds(report) == SEED_KINDS and not by_code(report, "S006")
    assert report.forms[2].results.total_score == 100.0
