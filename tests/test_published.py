"""Published self-evaluation tables of other provinces (tests/data/published), each written as a real .xlsx and
checked: what a reviewer sees, every number tied to what the table prints (its ``printed``)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest

from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.rules.check import check_path
from jixiao_xl.xlsx.grid import parse_a1
from jixiao_xl.read.model import num

from .helpers import by_code
from .samples import SheetSpec, write_xlsx

PUBLISHED = Path(__file__).parent / "data" / "published"
NAMES = sorted(p.stem for p in PUBLISHED.glob("*.json"))


def table(name: str) -> dict:
    return json.loads((PUBLISHED / f"{name}.json").read_text(encoding="utf-8"))


def check_table(tmp_path, name: str, edits: dict[str, object] | None = None, rows: list | None = None,
                sheet: str | None = None, merges: dict[str, list[str]] | None = None, **kwargs):
    """(the table's JSON, the check of it written as an .xlsx); ``edits`` {"E9": 30} change printed cells (an
    injected error), ``rows`` are appended below it, ``sheet`` names the sheet otherwise, ``merges`` {"B13:B24":
    ["B13:B18", "B19:B24"]} merge cells otherwise; ``kwargs`` go to check_path (``profile=``)."""
    data = table(name)
    grid = copy.deepcopy(data["rows"]) + [list(r) for r in rows or ()]
    for address, value in (edits or {}).items():
        row, col = parse_a1(address)
        grid[row][col] = value
    path = tmp_path / f"{name}.xlsx"
    merged = [m for old in data.get("merges", []) for m in (merges or {}).get(old, [old])]
    write_xlsx(path, [SheetSpec(sheet or data.get("sheet") or "Sheet1", grid, merged)])
    return data, check_path(str(path), **kwargs)


def s001(report) -> list[str]:
    return [f.message for f in by_code(report, "S001")]


def read(report):
    """The forms as the reader read them (the model the report was made from)."""
    return report.workbook.forms


# ---------------------------------------------------------------- every table


@pytest.mark.parametrize("name", NAMES)
def test_every_published_table_is_read_and_checked(tmp_path, name):
    data, report = check_table(tmp_path, name)
    if data["kind"].startswith("target"):  # a 绩效目标表 is named for what it is, never checked as a self-evaluation
        assert report.status == "unreadable" and "是绩效目标表" in report.error and not report.forms, report.error
        return
    assert report.status != "unreadable", report.error
    assert not by_code(report, "R900")  # no rule crashed on a layout it had not seen
    kinds = {"project": {"project_self_eval"}, "department": {"dept_self_eval"}, "basic": {"basic_data"}}
    assert {f.kind for f in report.forms} == kinds[data["kind"].split(" ")[0]]
    if name != HAINAN:  # only 海南 服务贸易 prints a 分值 after its 二级 (W111)
        assert not any(getattr(f, "level2_weights", ()) for f in read(report)) and not by_code(report, "W111")


# ---------------------------------------------------------------- 保山/湖北: the 20-point form


def test_baoshan_execution_read_from_the_20_point_form(tmp_path):
    data, report = check_table(tmp_path, "yunnan_changning_2022_project")
    printed = data["printed"]
    (f,) = read(report)
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert f.exec["rate"].rate == pytest.approx(printed["exec_rate"])  # printed as a bare "20"
    assert str(f.exec["rate"].raw).rstrip("0").rstrip(".") == printed["exec_rate_as_printed"]
    assert num(f.exec["weight"]) == printed["exec_weight"]  # from "预算执行情况(万元)(20分)"
    assert f.exec["weight"].address == "A8"
    assert num(f.exec["score"]) == printed["exec_score"]
    # the 一级 weight comes from its header; the rows print none
    levels = {level.name: level.weight for level in f.levels}
    assert levels["产出指标"] == printed["level1"]["产出指标"]
    assert all(ind.weight is None for ind in f.indicators)
    assert num(f.indicators_weight) == printed["level1"]["年度绩效目标"]
    assert not s001(report)
    # the check agrees with the printed rate and score: no finding on them
    assert not [x for x in report.all_findings() if x.code in ("E101", "E104")]


def test_baoshan_injected_executed_is_caught_at_the_rate_and_score(tmp_path):
    data = table("yunnan_changning_2022_project")
    printed = data["printed"]
    executed = printed["executed"] + 5  # 15 instead of 10: the printed 20% and 4 no longer hold
    _, report = check_table(tmp_path, "yunnan_changning_2022_project", {"D9": executed})
    rate = executed / printed["budget"]
    (e101,) = by_code(report, "E101")
    assert e101.cell == "E9" and e101.expected == pytest.approx(rate) and e101.found == pytest.approx(printed["exec_rate"])
    (e104,) = by_code(report, "E104")
    assert e104.cell == "F9"
    assert e104.expected == pytest.approx(printed["exec_weight"] * rate)  # 20 × 30% = 6, the weight from the form
    assert e104.found == printed["exec_score"]


def test_baoshan_total_row_holding_the_total_and_the_grade(tmp_path):
    # constructed: the published copy is cut off before its 总分 row; this is the row as the form prints it
    data = table("yunnan_changning_2022_project")
    width = len(data["rows"][0])
    row = ["总分(100分)", 100, "自评等级", "优"] + [None] * (width - 4)
    _, report = check_table(tmp_path, "yunnan_changning_2022_project", rows=[row])
    (f,) = read(report)
    assert num(f.total_weight) == 100 and f.total_weight.address.startswith("A")
    assert num(f.total_score) == 100 and f.total_score.address.startswith("B")
    assert f.grade.text == "优"
    assert not s001(report)


def test_hubei_execution_total_and_section_weight(tmp_path):
    data, report = check_table(tmp_path, "hubei_unknown-jinbu_2020_project")
    printed = data["printed"]
    (f,) = read(report)
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert f.exec["rate"].rate == pytest.approx(printed["exec_rate"])  # printed as a bare "1"
    assert num(f.exec["weight"]) == printed["exec_weight"]
    assert num(f.exec["score"]) == printed["exec_score"]
    assert num(f.indicators_weight) == printed["level1"]["年度绩效目标"]
    assert num(f.total_score) == printed["total"]
    assert not s001(report)


def test_hubei_injected_score_is_caught(tmp_path):
    data = table("hubei_unknown-jinbu_2020_project")
    printed = data["printed"]
    _, report = check_table(tmp_path, "hubei_unknown-jinbu_2020_project", {"F9": printed["exec_score"] - 5})
    (e104,) = by_code(report, "E104")
    assert e104.cell == "F9" and e104.expected == pytest.approx(printed["exec_weight"] * printed["exec_rate"])


# ---------------------------------------------------------------- 四川 2023 system form


@pytest.mark.parametrize("name", ["sichuan_qingshen_2023_project", "sichuan_daying_2023_project"])
def test_sichuan_execution_block(tmp_path, name):
    data, report = check_table(tmp_path, name)
    printed = data["printed"]
    (f,) = read(report)
    assert num(f.exec["initial"]) == printed["initial_budget"]
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert f.exec["rate"].rate == pytest.approx(printed["exec_rate"])
    assert num(f.exec["weight"]) == printed["exec_weight"]  # the 权重 column
    assert num(f.exec["score"]) == printed["exec_score"]
    assert num(f.indicators_weight) == printed["level1"]["绩效指标"]  # "绩效指标(90分)"
    assert {"财政资金", "财政专户管理资金", "单位资金", "其他资金"} <= set(f.source_labels.values())
    assert not s001(report)


def test_sichuan_indicator_weights_and_total(tmp_path):
    data, report = check_table(tmp_path, "sichuan_qingshen_2023_project")
    printed = data["printed"]
    (f,) = read(report)
    assert {ind.name: num(ind.weight) for ind in f.indicators} == printed["indicator_weights"]
    assert num(f.total_weight) == printed["total"]  # "合计 | 100": the 权重 total (every 得分 is blank)
    assert f.total_score is None or f.total_score.blank


def test_sichuan_injected_executed_is_caught_at_its_cell(tmp_path):
    # the 全年执行数 total typed 200 over its sources' 251.89: F103 names that cell with both figures; the printed
    # rate is not blamed as if 200 were right (it was E101 "应为 79.40%" at F9): the rate is 无法复核 until mended
    data = table("sichuan_qingshen_2023_project")
    printed = data["printed"]
    executed = 200.0
    _, report = check_table(tmp_path, "sichuan_qingshen_2023_project", {"E9": executed})
    (f103,) = by_code(report, "F103")
    assert (f103.cell, f103.expected, f103.found) == ("E9", printed["executed"], executed)
    assert not by_code(report, "E101") and not by_code(report, "E104")
    assert report.forms[0].results.why("exec_rate") == (
        f"无法复核：全年执行数 200 与其中各项之和 {printed['executed']:g} 不符（见 E9）")


# ---------------------------------------------------------------- the unscored 县级专项 form


def test_unscored_county_special_form(tmp_path):
    data, report = check_table(tmp_path, "hunan_hengshan_2020_county_special_unscored")
    printed = data["printed"]
    (f,) = read(report)
    assert f.scored is False
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert f.exec["rate"].rate == pytest.approx(printed["exec_rate"])
    assert "weight" not in f.exec and "score" not in f.exec  # absent, not 0
    head = next(i for i, r in enumerate(data["rows"]) if r[3] == "三级指标")
    names = [r[3] for r in data["rows"][head + 1:] if r[3] and r[3] != "三级指标"]
    assert [ind.name for ind in f.indicators] == names
    assert all(ind.weight is None and ind.score is None for ind in f.indicators)
    assert f.total_weight is None and f.total_score is None
    assert f.head["project_name"].text == data["rows"][1][1]
    assert not s001(report)
    assert not by_code(report, "F104")  # the goals below the funds are not taken for funding sources


# ---------------------------------------------------------------- 附件1 of another year


def test_hengshan_basic_data_has_no_missing_rows(tmp_path):
    _, report = check_table(tmp_path, "hunan_hengshan_guantang_2023_basic")
    (f,) = read(report)
    assert not s001(report)
    assert "county_special" in f.rows  # printed "3、省级专项资金(每个专项一行"
    assert not f.missing and not f.absent


def test_basic_data_without_optional_rows_is_no_edit(tmp_path):
    # the rows the 衡山 template leaves empty, removed: a template that does not print them
    data = table("hunan_hengshan_guantang_2023_basic")
    keep = [r for r in data["rows"] if not str(r[0] or "").startswith(("1、业务", "2、运行", "3、省级", "部门基本"))]
    data["rows"] = keep
    data["merges"] = [m for m in data["merges"] if int(m.split(":")[0][1:]) <= 12]  # the rows above the cut
    path = tmp_path / "basic.xlsx"
    write_xlsx(path, [SheetSpec(data["sheet"], keep, data["merges"])])
    report = check_path(str(path))
    (f,) = read(report)
    assert not s001(report)
    assert set(f.absent) == {"业务工作经费", "运行维护经费", "县级专项资金", "部门基本支出预算调整"}


def test_basic_data_with_a_core_row_renamed_is_still_reported(tmp_path):
    # a row every template prints, renamed: that is an edit of the headers
    _, report = check_table(tmp_path, "hunan_hengshan_guantang_2023_basic", {"A18": "日常公用支出"})
    messages = s001(report)
    assert any("公用经费" in m and "请检查是否删改了表头文字" in m for m in messages)


# ---------------------------------------------------------------- the national form without 一级 weights


def test_national_layout_without_level1_weights_gives_no_s001(tmp_path):
    data, report = check_table(tmp_path, "hebei_langfang_2019_project")
    (f,) = read(report)
    assert data["printed"]["level1"] == {}  # the table prints no 一级 weight
    assert f.level_weights_printed is False and not f.unread_weights
    assert not s001(report)
    (info,) = by_code(report, "S004")  # one info for the form: the 一级 sums cannot be checked
    assert info.severity == "info" and info.cell == "A14"
    assert num(f.exec["weight"]) == data["printed"]["exec_weight"]


# ---------------------------------------------------------------- 部门整体 / other systems


def test_ningxia_execution_scored_as_an_indicator(tmp_path):
    data, report = check_table(tmp_path, "ningxia_yinchuan_2021_project")
    printed = data["printed"]
    (f,) = read(report)
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert num(f.exec["initial"]) == printed["initial_budget"]  # "调整预算数(A)" is the full budget, not 年初
    assert f.exec["rate"].rate == pytest.approx(printed["exec_rate"])
    assert num(f.exec_indicator.weight) == printed["exec_weight"]
    assert num(f.exec_indicator.score) == printed["exec_score"]
    assert {level.name: level.weight for level in f.levels} == printed["level1"]
    assert not s001(report)


def test_chongqing_department_form(tmp_path):
    data, report = check_table(tmp_path, "chongqing_xibukexuecheng_2021_department")
    printed = data["printed"]
    (f,) = read(report)
    assert f.exec["rate"].rate == pytest.approx(printed["exec_rate"])
    assert num(f.exec["weight"]) == printed["exec_weight"]  # 执行率权重
    assert num(f.exec["score"]) == printed["exec_score"]  # 执行率得分(分)
    rows = [r for r in data["rows"][8:] if isinstance(r[8], (int, float))]
    assert [num(i.weight) for i in f.indicators if not i.weight.blank] == [r[8] for r in rows]
    assert [num(i.score) for i in f.indicators if not i.score.blank] == [r[9] for r in rows]
    assert "绩效指标" not in f.missing


def test_anhui_department_with_project_sources(tmp_path):
    data, report = check_table(tmp_path, "anhui_jinzhai_2023_department")
    printed = data["printed"]
    (f,) = read(report)
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert "appropriation" in f.sources
    assert not s001(report)


def test_lijiang_two_row_indicator_heading(tmp_path):
    data, report = check_table(tmp_path, "yunnan_lijiang-gucheng_2020_project")
    (f,) = read(report)
    sums = {level.name: sum(num(i.weight) or 0 for i in level.indicators) for level in f.levels}
    assert sums == data["printed"]["indicator_weights"]
    assert not s001(report)


def test_fill_of_the_sichuan_table_leaves_the_stated_total(tmp_path):
    # fill writes the blank 执行率得分 (the execution block was read); the unit typed no 得分 at all, so the form
    # is 未评分: no 总分 is made up from the 执行率得分 alone, and the "合计 | 100" it states stays the 权重 total
    # (no second 100 under 权重)
    from jixiao_xl.write.fill import fill

    data, report = check_table(tmp_path, "sichuan_qingshen_2023_project")
    printed = data["printed"]
    (f,) = report.forms
    assert f.results.total_score is None and f.results.why("total_score").startswith("未评分")
    result = fill(report.path, str(tmp_path / "filled.xlsx"))
    changed = {c.cell: c.new for c in result.changes}
    assert changed == {"H9": printed["exec_weight"] * printed["exec_rate"]}


@pytest.mark.parametrize("edits", [
    {"B9": "年度资金总额："}, {"B9": "资金总额"}, {"D8": "预算执行数"}, {"C8": "全年预算数(A)", "D8": "全年执行数(B)"},
    {"A8": "项目资金(万元)(20分)"}, {"A8": "预算执行情况(万元)", "F8": "得分(20分*执行率)"},
], ids=lambda e: "+".join(str(v) for v in e.values()))
def test_funds_block_wordings_seen_in_published_tables(tmp_path, edits):
    data, report = check_table(tmp_path, "yunnan_changning_2022_project", edits)
    printed = data["printed"]
    (f,) = read(report)
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert num(f.exec["weight"]) == printed["exec_weight"] and num(f.exec["score"]) == printed["exec_score"]
    assert not s001(report)


def test_a_form_whose_execution_block_is_cut_off_has_no_total_error(tmp_path):
    """四川大英's 附件3, its last rows only (sichuan_daying_2023_project_tail): the 年度资金总额 block is not on
    the page, so the 执行率得分 its printed 总分 100 includes is not known.  W104 does not call that 100 wrong (before:
    "总分得分应为 … 90，现填 100", an error); the 执行率 is 未读出, and so the total is 无法复核 (it was the indicators'
    90 "as read", 优 in 汇总 and 统计)."""
    from .published import workbook

    report = check_path(str(workbook("sichuan_daying_2023_project_tail", tmp_path)))
    form = report.forms[0]
    assert form.results.exec_score is None and form.results.why("exec_score").startswith("未读出")
    assert form.results.total_score is None and form.results.grade is None
    assert form.results.why("total_score").startswith("无法复核：总分含执行率得分（10 分），而")
    codes = [f.code for f in form.findings]
    assert "W104" not in codes and "S001" in codes
    assert not [f for f in form.findings if f.severity == "error"]


@pytest.mark.parametrize("name, cell, expected, found", [
    ("chongqing_xibukexuecheng_2021_department", "J2", 77.6, 97.6),  # "自评总分(分) | 97.6" in the second row
    # "自评得分 | 98 | 财政审核评分"; the 执行率 counted once, in its 三级 row 预算执行率 (not 94 with the block's 10 too)
    ("ningxia_yinchuan_2021_project", "B4", 84, 98),
])
def test_a_total_stated_in_the_head_is_the_forms_total(tmp_path, name, cell, expected, found):
    # neither form has a 总分 row (重庆's is cut off, 宁夏 states it at the top): the total the head states is the
    # one the unit submitted, compared with its parts (it was not read, so 汇总 showed no 填报总分)
    from jixiao_xl.batch import run as batch_run

    data, report = check_table(tmp_path, name)
    (f,) = read(report)
    assert (f.total_score.address, num(f.total_score)) == (cell, found)
    (w104,) = by_code(report, "W104")
    assert (w104.cell, w104.expected, w104.found) == (cell, expected, found)
    assert f"之和 {expected:g}，现填 {found:g}" in w104.message
    batch_run([str(report.path)], str(tmp_path / "out"))
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["汇总"]
    head = [c.value for c in sheet[1]]
    (row,) = [dict(zip(head, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
    assert row["填报总分"] == found


def test_a_score_column_heading_in_the_head_is_no_stated_total(tmp_path):
    # the 执行 block headed "… | 执行率 | 自评得分" (衡山县贯塘乡's wording) on a form without a 总分 row: the empty
    # cell right of that heading is no 总分 for fill to write or for D001 to ask for
    from jixiao_xl.write.fill import fill

    from .helpers import check_file, clean_seed, set_cells

    edits = {"附件3!H5": "自评得分", "附件3!A24": None, "附件3!G24": None, "附件3!H24": None}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    (f,) = [x for x in report.forms if x.kind == "project_self_eval"]
    assert num(f.form.exec["score"]) == 10 and f.form.total_score is None
    assert not [x for x in f.findings if x.cell == "I5"]
    result = fill(report.path, str(tmp_path / "filled.xlsx"))
    assert not [c for c in result.changes if c.sheet == "附件3" and c.cell == "I5"]


def test_a_province_without_a_profile_is_named_and_its_table_is_judged_as_printed(tmp_path):
    # 上海市普陀区体育事业管理中心's table (amounts in 元): P001 said "表上没有省份或地区的标志" of a form naming
    # 上海市; its 执行率 86.18% (215457.6 ÷ 250000), 执行率得分 8.62 and 总分 98.62 stand.  The table prints 86.19%:
    # wrong at the two decimals it states (spec §5), once passed by a 0.01-point allowance
    data, report = check_table(tmp_path, "shanghai_putuo_tiyu_2022_project")
    (p001,) = by_code(report, "P001")
    assert p001.message.startswith("评分口径：表上写的是上海，本工具还没有上海的评分口径，只按表上写明的分值")
    (f,) = report.forms
    res = f.results
    assert (round(res.exec_rate, 4), res.exec_score, res.total_score, res.grade) == (0.8618, 8.62, 98.62, "优")
    assert [x.message for x in f.findings if x.severity == "error"] == [
        "[财政项目支出绩效自评表] 年度资金总额 执行率 (G6)：执行率应为 全年执行数 ÷ 全年预算数 = 215457.6 ÷ 250000 = 86.18%，"
        "现填 86.19%"]


def test_a_right_total_beside_a_wrong_execution_score_on_a_published_table(tmp_path):
    # 黄石市住房和城乡建设局 (湖北 20-point form, "99.55分" printed): its 执行率得分 19.55 made 19, the printed total
    # is still right — E104 names F8, and no W104 tells the right 99.55 to become 99
    data, report = check_table(tmp_path, "hubei_huangshi_zjj_2022_project", {"F8": 19})
    (f,) = report.forms
    assert f.results.total_score == 99.55
    errors = [(x.code, x.cell, x.expected, x.found) for x in f.findings if x.severity == "error"]
    assert errors == [("E104", "F8", 19.55, 19.0)]


def test_a_project_title_without_the_word_jixiao_is_a_title(tmp_path):
    # 黄石's title "2022年度…申报工作经费项目自评表" (no 绩效) was not taken for one: S003 "没有找到表格标题"
    data, report = check_table(tmp_path, "hubei_huangshi_zjj_2022_project")
    (f,) = report.forms
    assert not by_code(report, "S003")
    assert f.form.kind == "project_self_eval" and f.form.title == data["rows"][0][0] and f.form.year == 2022


def test_a_form_recognised_by_its_labels_names_them_as_printed(tmp_path):
    # 黄石's table prints 项目名称, 项目实施单位, 年度财政资金总额, 预算数(A): S003 named the official wordings
    # (项目支出名称、实施单位、全年预算数…), which are not on the sheet (its title taken away here)
    data, report = check_table(tmp_path, "hubei_huangshi_zjj_2022_project", {"A1": None}, sheet="Sheet1")
    (s003,) = by_code(report, "S003")
    assert "根据栏目（项目名称、主管部门、项目实施单位、年度财政资金总额、预算数、执行数 等）判断为 附件3" in s003.message


def test_a_numbered_target_block_states_the_weight_of_the_indicators(tmp_path):
    # 黄石市住房和城乡建设局 prints "年度绩效目标1\n(80分)" left of its indicators (no 分值 column): the "1" hid the
    # heading, so S001 said "表中找不到“分值”栏目" and 分值合计 was 未读出
    data, report = check_table(tmp_path, "hubei_huangshi_zjj_2022_project")
    (f,) = report.forms
    assert num(f.form.indicators_weight) == data["printed"]["level1"]["年度绩效目标1"] == 80
    assert f.form.indicators_weight.address == "A9"
    assert (f.results.weight_total, f.results.total_score, f.results.grade) == (100.0, 99.55, "优")
    assert not s001(report)


@pytest.mark.parametrize("header", ["年度绩效目标1\n(80分)", "年度绩效指标（80分）", "年度绩效目标：（80分）"])
def test_level_weights_against_a_section_heading_written_otherwise(tmp_path, header):
    # the 湖北 商务局 table's 产出指标(60分) + 效益指标(40分) = 100 under its 80-point heading, the heading written as
    # other tables write it: W108 said nothing (the heading was not read)
    data, report = check_table(tmp_path, "hubei_unknown-shangwu_2020_project", {"A10": header})
    (w108,) = by_code(report, "W108")
    assert (w108.cell, w108.expected, w108.found) == ("B11", 80.0, 100.0)
    assert not s001(report)


def test_words_before_the_section_weight_are_not_a_decoration(tmp_path):
    # "年度绩效目标完成情况(80分)" is not the 80-point heading written otherwise: it is not read as one
    data, report = check_table(tmp_path, "hubei_huangshi_zjj_2022_project", {"A9": "年度绩效目标完成情况\n(80分)"})
    (f,) = report.forms
    assert f.form.indicators_weight is None and f.results.weight_total is None
    assert any("找不到“分值”栏目" in m for m in s001(report))


def test_level_weights_that_do_not_add_up_to_the_stated_section_weight(tmp_path):
    # the 湖北 商务局 table: 年度绩效目标(80分) over 产出指标(60分) and 效益指标(40分) — a 100-point section in an
    # 80-point place, so its scores reach 120; nothing said so (fill --overwrite-derived then wrote 120 and
    # ended "0 个错误")
    data, report = check_table(tmp_path, "hubei_unknown-shangwu_2020_project")
    (w108,) = by_code(report, "W108")
    assert (w108.cell, w108.expected, w108.found) == ("B11", 80.0, 100.0)
    assert w108.message.endswith("一级指标标注的分值 产出指标 60 + 效益指标 40 = 100，与“年度绩效目标”标注的 80 分不符；"
                                 "请改正其中标错的一处")


# ---------------------------------------------------------------- 一级 names as units write them

@pytest.mark.parametrize("names", [
    ("一、产出指标(50分)", "二、效益指标(30分)", "三、满意度指标(10分)"),
    ("产出\n(50分)", "效益\n(30分)", "满意度\n(10分)"),
    ("产出指标(50分)", "效益指标(30分)", "服务对象满意度(10分)"),
    ("产出指标50分", "效益指标30分", "服务对象满意度指标（10分）"),
])
def test_level1_names_written_otherwise_are_the_profiles(tmp_path, names):
    # 棠溪's 一级 headers numbered, short or long: W105 said "一、产出指标为 50 分，安徽口径中没有“一、产出指标”这一项一级指标"
    # (安徽 from 贵池 on the form; 全国 gives the same weights; 湖南 another 产出 weight, said as such)
    edits = dict(zip(("B14", "B20", "B24"), names))
    data, report = check_table(tmp_path, "anhui_chizhou_guichi_tangxi_2022_project", edits)
    assert [level.weight for level in report.forms[0].form.levels] == [50, 30, 10]
    assert not by_code(report, "W105")
    data, report = check_table(tmp_path, "anhui_chizhou_guichi_tangxi_2022_project", edits,
                               profile=get_profile("national"))
    assert not by_code(report, "W105")
    data, report = check_table(tmp_path, "anhui_chizhou_guichi_tangxi_2022_project", edits,
                               profile=get_profile("hunan"))
    (w105,) = by_code(report, "W105")
    assert (w105.cell, w105.expected, w105.found) == ("B14", 30, 50)
    name = "产出指标" if "产出指标" in names[0] else "产出"  # named as printed, without its numbering
    assert w105.text == f"{name}为 50 分，按湖南口径应为 30 分"


def test_a_level1_the_profile_has_not_is_named_without_its_numbering(tmp_path):
    data, report = check_table(tmp_path, "anhui_chizhou_guichi_tangxi_2022_project", {"B24": "三、其他指标(10分)"})
    (w105,) = by_code(report, "W105")
    assert w105.cell == "B24" and w105.text == "其他指标为 10 分，安徽口径中没有“其他指标”这一项一级指标"


def test_a_note_on_the_weights_is_compared_with_level1_names_written_otherwise(tmp_path):
    # 中江's headers numbered and short ("一、产出\n(70分)"): the note's 产出指标50分 was not compared with them
    data, report = check_table(tmp_path, "sichuan_zhongjiang_2022_project",
                               {"B11": "一、产出\n(70分)", "B17": "二、效益指标(20分)"})
    found = {(f.cell, f.expected, f.found) for f in by_code(report, "W107")}
    assert found == {("B11", 50.0, 70.0), ("B17", 30.0, 20.0)}
    assert {f.text.split("；")[0] for f in by_code(report, "W107")} == {
        "表头写产出 70 分，表下注释写明产出 50 分", "表头写效益指标 20 分，表下注释写明效益指标 30 分"}


# ---------------------------------------------------------------- 一级 headers that state only a weight

TIANCHANG = "anhui_tianchang_2022_project"


def test_level1_headers_stating_only_their_weight_are_bands_of_their_own(tmp_path):
    # 天长 2022 prints "(50分)" in B13:B24 and "(30分)" in B25:B36 (the names not printed): the "(30分)" cell went on
    # the band above, and W101 said "一级指标  (B13)：标注 50 分，其下三级指标分值合计 80 分"
    data, report = check_table(tmp_path, TIANCHANG)
    (f,) = report.forms
    assert [(level.name, level.header.address, level.weight) for level in f.form.levels] == [
        ("", "B13", 50), ("", "B25", 30), ("满意度指标", "B37", data["printed"]["level1"]["满意度指标"])]
    assert [level.weight for level in f.form.levels[:2]] == [data["printed"]["level1"][k] for k in ("产出指标", "效益指标")]
    assert not by_code(report, "W101") and not by_code(report, "W105") and not by_code(report, "S004")
    assert (f.results.weight_total, f.results.total_score) == (100.0, data["printed"]["total"])


def test_an_unnamed_level1_is_said_so_where_its_rows_do_not_add_up(tmp_path):
    data, report = check_table(tmp_path, TIANCHANG, {"G28": 5})  # 社会效益 10 -> 5: the "(30分)" band holds 25
    (w101,) = by_code(report, "W101")
    assert (w101.cell, w101.expected, w101.found) == ("B25", 30.0, 25.0)
    assert w101.message.endswith("一级指标（未写名称） (B25)：标注 30 分，其下三级指标分值合计 25 分")


def test_a_weight_under_the_cell_naming_its_level1_is_that_levels(tmp_path):
    # the name in one merged cell, "(50分)" in the next one below it: one band, named, its weight in B19
    split = {"B13:B24": ["B13:B18", "B19:B24"], "B25:B36": ["B25:B30", "B31:B36"]}
    edits = {"B13": "产出指标", "B19": "(50分)", "B25": "效益指标", "B31": "(30分)"}
    data, report = check_table(tmp_path, TIANCHANG, edits, merges=split)
    (f,) = report.forms
    assert [(level.name, level.header.address, level.stated_at.address, level.weight) for level in f.form.levels] == [
        ("产出指标", "B13", "B19", 50), ("效益指标", "B25", "B31", 30), ("满意度指标", "B37", "B37", 10)]
    assert not by_code(report, "W101") and not by_code(report, "W105") and not by_code(report, "S001")
    data, report = check_table(tmp_path, TIANCHANG, {**edits, "G14": 5}, merges=split)
    (w101,) = by_code(report, "W101")
    assert (w101.cell, w101.expected, w101.found) == ("B19", 50.0, 45.0)
    assert w101.message.endswith("一级指标 产出指标 分值 (B19)：产出指标标注 50 分，其下三级指标分值合计 45 分")


# ---------------------------------------------------------------- the template's unused rows

@pytest.mark.parametrize("name", [TIANCHANG, "hebei_langfang_2019_project"])
def test_unused_template_rows_are_no_indicators(tmp_path, name):
    # 天长 2022 and 廊坊 2019 keep the template's "指标2:" / "……" rows (and 天长 its 生态效益 "指标1:" marked "/"):
    # 18 and 17 I106 "数量指标“……” 分值 (G15)：分值未填写"
    data, report = check_table(tmp_path, name)
    (f,) = report.forms
    assert not by_code(report, "I106")
    assert not [i for i in f.form.indicators if i.level3.text.rstrip(":：") in ("指标1", "指标2", "……")]
    # the nine rows that state a 分值 (10 each), and no other: 90 + 执行率 10
    assert [num(i.weight) for i in f.form.indicators] == [10] * 9 and f.results.weight_total == 100


def test_an_indicator_marked_not_applicable_is_not_unfilled(tmp_path):
    # 天长's 生态效益 row with its name written: "/" under 指标值, 完成值 and 分值 says it does not apply
    data, report = check_table(tmp_path, TIANCHANG, {"D31": "指标1:生态环境改善"})
    assert not by_code(report, "I106")
    (ind,) = [i for i in report.forms[0].form.indicators if i.row == 30]
    assert ind.not_applicable and report.forms[0].results.weight_total == 100
    # left empty, not marked: said, as before
    data, report = check_table(tmp_path, TIANCHANG, {"D31": "指标1:生态环境改善", "G31": None})
    (i106,) = by_code(report, "I106")
    assert i106.cell == "G31" and i106.message.endswith("生态效益指标“指标1:生态环境改善” 分值 (G31)：分值未填写")
    # a slot with a figure in it is an indicator (the unit used the row without naming it)
    data, report = check_table(tmp_path, TIANCHANG, {"G32": 10})
    (i106,) = by_code(report, "I106")
    assert i106.cell == "H32" and "“指标2:” 得分 (H32)：得分未填写" in i106.message


# ---------------------------------------------------------------- an accountant's trial: six more tables


def test_jishan_mistakes_printed_on_the_form_are_found_at_their_cells(tmp_path):
    """稷山 2020 (keke.chddh.cn/archives/bqg98jldqdz7y2xm7pe6.html): 总分 94 printed, its parts add to 93; two
    scores below their weights with no 偏差原因; 9 for 10 × 99.10 %."""
    data, report = check_table(tmp_path, "shanxi_jishan_2020_project")
    printed = data["printed"]
    (w104,) = by_code(report, "W104")
    assert (w104.cell, w104.expected, w104.found) == ("H19", 93, printed["total"])
    assert sorted(f.cell for f in by_code(report, "I102")) == ["I17", "I18"]
    (e104,) = by_code(report, "E104")
    assert (e104.cell, e104.expected, e104.found) == ("I6", 9.91, printed["exec_score"])
    assert not by_code(report, "E101")  # "99%" is 99.10 % as typed


@pytest.mark.parametrize("cell, value, code, expected", [
    ("H14", 16, "I103", 15),  # a score above its weight (质量指标 15)
    ("H6", "95%", "E101", 0.991),  # a wrong rate
    ("G19", 90, "W103", 100),  # a wrong 分值 total
])
def test_jishan_injected_mistakes_are_caught_at_the_cell(tmp_path, cell, value, code, expected):
    _, report = check_table(tmp_path, "shanxi_jishan_2020_project", edits={cell: value})
    found = [f for f in by_code(report, code) if f.cell == cell]
    assert found and found[0].severity == "error"
    assert found[0].expected == pytest.approx(expected, abs=1e-4)


def test_a_funds_block_without_a_full_year_budget_names_that_column(tmp_path):
    """绥阳县太白镇 2021 (www.suiyang.gov.cn …/t20220824_76240024.html) prints 年初预算数(A) / 全年执行数(B) and no
    全年预算数: the reviewer is told that column is missing, not that the 年度资金总额 row (which is there) is, and no
    rate or score is made up."""
    _, report = check_table(tmp_path, "guizhou_suiyang_taibai_2021_department")
    missing = s001(report)
    assert any("“全年预算数”" in m for m in missing), missing
    assert not any("“年度资金总额”" in m for m in missing), missing
    (f,) = read(report)
    assert "rate" not in f.exec and "score" not in f.exec
    assert not by_code(report, "E104") and not by_code(report, "E101")


def test_a_note_row_in_the_level1_column_is_not_a_level1_indicator(tmp_path):
    """永德 2022 (www.yongde.gov.cn/info/3003/116104.htm, amounts in 元): "其他需要说明事项 | 无" above the 总分
    is no 一级指标; the total 96 (优) is the sum of what the form prints."""
    data, report = check_table(tmp_path, "yunnan_yongde_mingzhong_2022_project")
    (f,) = read(report)
    assert [level.name for level in f.levels] == ["产出指标", "效益指标", "满意度指标"]
    assert all("其他需要说明事项" not in x.message for x in report.all_findings())
    assert num(f.total_score) == data["printed"]["total"] and not by_code(report, "W104")
    assert sorted(x.cell for x in by_code(report, "I102")) == ["J16", "J19"]


def test_a_first_level_budget_units_name_is_the_departments_name(tmp_path):
    """零陵区林业局 2021 (admin.yzcity.gov.cn:8888/llqlinyj/gknb/202204/…) heads its 部门整体 form "一级预算单位名称"
    (the finance systems' word for a department: SupDepName): the unit is read and named, not "表中找不到
    预算部门名称"."""
    _, report = check_table(tmp_path, "hunan_yongzhou_lingling_linyej_2021_department")
    (f,) = read(report)
    assert f.head["dept_name"].text.strip() == "零陵区林业局"
    assert not any("预算部门名称" in m for m in s001(report)), s001(report)


# ---------------------------------------------------------------- an accountant's trial on less-covered provinces


def test_a_competent_authority_labelled_with_its_code_is_read(tmp_path):
    """北京 海淀 学院路 2016 (www.wenku365.com/s-60761775.html) heads the unit "主管部门及代码" (the central form's
    wording): it is the 主管部门, not "表中找不到“主管部门”栏目"."""
    _, report = check_table(tmp_path, "beijing_haidian_xueyuanlu_2016_project")
    (f,) = read(report)
    assert f.head["authority"].text == "北京市海淀区人民政府学院路街道办事处"
    assert f.head["implementer"].text == "北京市海淀区学院路街道城市运行服务中心"  # "实施单位:…" in one cell
    assert not any("主管部门" in m for m in s001(report)), s001(report)


HAINAN = "hainan_provincial_shangwu_fuwumaoyi_project"


def test_a_weight_column_after_each_level_weighs_the_row_by_the_one_after_its_name(tmp_path):
    """海南 省商务厅 服务贸易 (m.bdocx.com/doc/30238812.html) prints 一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 |
    得分: a row's weight is the 分值 after its 三级指标 (目标内容 4 → 4), not the 一级's (项目决策 20). Read from the
    first 分值 it was "得分 4 低于分值 20" (I102, three times) and "分值未填写" (I106) on eleven rows."""
    _, report = check_table(tmp_path, HAINAN)
    (f,) = read(report)
    weights = [num(i.weight) for i in f.indicators]
    assert weights == [4, 3, 5, 2, 6, 3, 2, 7, 3, 1, 9, 5, 4, 3, 3]
    assert {i.weight.address[0] for i in f.indicators} == {"F"}
    assert [num(i.score) for i in f.indicators] == weights  # every visible row scored in full
    assert not by_code(report, "I102") and not by_code(report, "I106")
    # a score above its row's weight is caught at its cell, against that weight
    _, report = check_table(tmp_path, HAINAN, {"G14": 5})
    (i101,) = by_code(report, "I101")
    assert (i101.cell, i101.expected, i101.found) == ("G14", 4, 5)
    assert i101.message.endswith("项目目标“目标内容” 得分 (G14)：得分 5 不在 0 到分值 4 之间（得分不能大于分值）")


EZHOU = "hubei_ezhou_xzspj_2021_project"


def test_amounts_typed_with_wan_are_numbers(tmp_path):
    """鄂州市行政审批局 2021 (zwfwzx.ezhou.gov.cn/…/t20221108_506320.html) types its amounts "150万", "125.25万" in
    the 项目资金(万元) block: they are 150 and 125.25 万元, not six N001 "“150万”不是数字" errors; then the
    unit's real mistake shows: the 年度资金总额 row's 分值 100 / 得分 98 (the total put where the 执行率 goes)."""
    data, report = check_table(tmp_path, EZHOU)
    printed = data["printed"]
    (f,) = read(report)
    assert num(f.exec["full"]) == printed["budget"] and num(f.exec["executed"]) == printed["executed"]
    assert not by_code(report, "N001")
    assert report.forms[0].results.exec_rate == pytest.approx(0.835)
    (e104,) = by_code(report, "E104")
    assert (e104.cell, e104.expected, e104.found) == ("H6", 83.5, printed["exec_score"])
    assert e104.message.endswith("执行率得分应为 分值 × 执行率 = 100 × 83.50% = 83.5，现填 98")
    (i103,) = by_code(report, "I103")  # 预算执行率 as an indicator: 20 × 83.5 % = 16.7, typed 18
    assert (i103.cell, i103.expected, i103.found) == ("H13", 16.7, printed["indicator_exec"]["score"])


@pytest.mark.parametrize("cell, value, code, at, expected, found", [
    ("E7", "120万", "F103", "E6", 120, 125.25),  # parts no longer add up to the total
    ("G6", "90%", "E101", "G6", 0.835, 0.9),  # a wrong rate (125.25 ÷ 150 = 83.5 %)
    ("H14", 12, "I103", "H14", 10, 12),  # a score above its weight (预算资金拨款率 10; one finding: I103's)
])
def test_ezhou_injected_mistakes_are_caught_at_the_cell(tmp_path, cell, value, code, at, expected, found):
    _, report = check_table(tmp_path, EZHOU, edits={cell: value})
    hits = [x for x in by_code(report, code) if x.cell == at]
    assert hits and hits[0].severity == "error", [x.message for x in report.all_findings()]
    assert hits[0].expected == pytest.approx(expected, abs=1e-4)
    assert hits[0].found == pytest.approx(found, abs=1e-4)


def test_a_low_execution_without_readable_indicators_shows_no_made_up_score(tmp_path):
    """普陀区体育事业管理中心 2022, second table (援滇, pdf.chddh.cn/archives/48n5zg2zkkjxn27q6rjv.html): 9034 ÷ 20000 =
    45.17 % → 4.52 as printed; the indicator part was not readable, so no 分值合计 or 总分 is shown as a number."""
    data, report = check_table(tmp_path, "shanghai_putuo_tiyu_2022_project_b")
    results = report.forms[0].results
    assert results.exec_rate == pytest.approx(0.4517) and results.exec_score == data["printed"]["exec_score"]
    assert results.weight_total is None and results.total_score is None and results.grade is None
    assert not by_code(report, "E101") and not by_code(report, "E104")


# ---------------------------------------------------------------- an accountant's trial: judgements to hold back

EZHOU_TOTAL = [["总分", None, None, None, None, None, None, None, None],
               ["自评等级", None, None, None, None, None, None, None, None]]  # the form's 总分 and 等级 rows (cut off)


def test_no_grade_for_a_total_whose_weights_do_not_add_up_to_100(tmp_path):
    """鄂州市行政审批局 2021 (zwfwzx.ezhou.gov.cn/…/t20221108_506320.html) puts the form's 100 points in the 执行率's
    分值: its 分值 add up to 170 (W102). The reviewed total 150.2 is the sum of its parts, but it is no 优 on the
    100-point scale: "总分 150.2（等级无法复核：分值合计 170 ≠ 100）" in the 结果 line, 汇总 and the report draft;
    a stated 等级 is not judged against it (W106), and fill writes no 等级."""
    import docx
    import openpyxl

    from jixiao_xl.batch import run as batch_run
    from jixiao_xl.cli import main
    from jixiao_xl.rules.report import to_text
    from jixiao_xl.write.fill import fill

    data, report = check_table(tmp_path, EZHOU, rows=EZHOU_TOTAL)
    res = report.forms[0].results
    assert (res.weight_total, res.total_score, res.grade) == (170, 150.2, None)
    assert res.why("grade") == "无法复核：分值合计 170 ≠ 100"
    assert "结果：执行率 83.50%，执行率得分 83.5，分值合计 170，总分 150.2（等级无法复核：分值合计 170 ≠ 100）" \
        in to_text([report])
    (w102,) = by_code(report, "W102")
    assert (w102.expected, w102.found) == (100, 170)
    # a 等级 the unit typed is not held against a grade there is none of
    _, typed = check_table(tmp_path, EZHOU, {"B29": "优"}, rows=EZHOU_TOTAL)
    assert not by_code(typed, "W106") and typed.forms[0].results.grade is None
    # fill: the 分值合计 and 总分 written, no 等级
    source = tmp_path / f"{EZHOU}.xlsx"
    check_table(tmp_path, EZHOU, rows=EZHOU_TOTAL)
    filled = tmp_path / "filled.xlsx"
    fill(str(source), str(filled))
    sheet = openpyxl.load_workbook(filled)[data["sheet"]]
    assert (sheet["G28"].value, sheet["B29"].value) == (170, None)
    # template --from: its 等级 formula gives none while the 分值合计 is not 100
    template = tmp_path / "模板.xlsx"
    assert main(["template", "--from", str(source), "-o", str(template)]) == 0
    grade = next(c for row in openpyxl.load_workbook(template)["附件3"].iter_rows() for c in row
                 if isinstance(c.value, str) and c.value.startswith('="等级：'))
    values = openpyxl.load_workbook(template, data_only=True)["附件3"]
    weights = grade.value.split("ROUND(N(")[1].split(")")[0]
    assert (values[weights].value, values[grade.coordinate].value) == (170, "等级：")
    # 汇总: 复核总分 150.2, 复核等级 无法复核 with its reason; 退回清单 the same for a 部门整体 form: 金寨县茶谷和美丽乡村
    # 建设服务中心 2023 (www.ahjinzhai.gov.cn/public/6624963/37545031.html, cut off after its 分值 reach 70)
    from .published import workbook as published_workbook

    inbox = tmp_path / "in"
    (inbox / "鄂州").mkdir(parents=True)
    source.rename(inbox / "鄂州" / "鄂州.xlsx")
    (inbox / "金寨").mkdir()
    jinzhai = published_workbook("anhui_jinzhai_2023_department", inbox / "金寨")
    batch_run([str(inbox)], str(tmp_path / "out"), jobs=1)
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    rows = list(book["汇总"].iter_rows(values_only=True))
    header = list(rows[0])
    (row,) = [r for r in rows[1:] if r[0].endswith("鄂州.xlsx")]
    assert row[header.index("复核总分")] == 150.2
    assert row[header.index("复核等级")] == "无法复核（分值合计 170 ≠ 100）"
    rows = list(book["退回清单"].iter_rows(values_only=True))
    header = list(rows[0])
    (row,) = [r for r in rows[1:] if r[1] == "金寨"]
    assert (row[header.index("复核总分（附件2）")], row[header.index("复核等级")]) == (70, "无法复核（分值合计 70 ≠ 100）")
    # the report draft: the total, and the grade to be verified, not "等级为“中”"
    draft = tmp_path / "初稿.docx"
    assert main(["report", "draft", str(jinzhai), "-o", str(draft)]) == 0
    text = "\n".join(p.text for p in docx.Document(str(draft)).paragraphs)
    assert "部门整体支出绩效自评得分70分，【待核实：部门整体支出绩效自评等级无法复核：分值合计 70 ≠ 100" in text, text
    assert "等级为“" not in text


HAINAN_BENEFITS = [[None, None, "项目效益", 40, "经济效益", 10, 10], [None, None, None, None, "社会效益", 10, 10],
                   [None, None, None, None, "生态效益", 10, 10], [None, None, None, None, "可持续影响", 10, 10]]


def test_a_form_without_an_execution_part_gets_no_assumed_execution_weight(tmp_path):
    """海南 省商务厅 服务贸易 (m.bdocx.com/doc/30238812.html): the older 绩效评价 form (项目决策 20 / 项目管理 25 / 项目绩效
    55, a 分值 column after every level) has no 执行率 block. W102 said "执行率分值 10 与三级指标分值合计 70": the 10
    was a default (宁夏's, guessed from the words 项目决策 / 项目管理, whose own 一级 weights 10 / 25 / 30 / 35 the form
    contradicts), so the form complete (its cut 项目效益 40 added) would be "110，应为 100". Its 一级 分值 column is read
    as the bands' weights (W101 adds up under them) and no info says the headers state none."""
    data, report = check_table(tmp_path, HAINAN, rows=HAINAN_BENEFITS)
    (f,) = report.forms
    assert [(level.name, level.weight, level.stated_at.address) for level in f.form.levels] == [
        (name, weight, cell) for (name, weight), cell in zip(data["printed"]["level1"].items(), ("B14", "B19", "B25"))]
    assert (f.results.weight_total, f.results.total_score, f.results.grade) == (100, 100, "优")
    assert not by_code(report, "W102") and not by_code(report, "W101") and not by_code(report, "S004")
    assert not by_code(report, "W105") and report.profile["known"] is False  # not 宁夏's form
    # a band whose rows do not add up to its 分值 is said at that cell
    _, report = check_table(tmp_path, HAINAN, {"F14": 5}, rows=HAINAN_BENEFITS)
    (w101,) = by_code(report, "W101")
    assert (w101.cell, w101.expected, w101.found) == ("B14", 20, 21)
    # as published (cut off inside 项目效益): 60 points read, said as such, with no 执行率 in them
    _, report = check_table(tmp_path, HAINAN)
    (w102,) = by_code(report, "W102")
    assert (w102.expected, w102.found) == (100, 60)
    assert w102.message.endswith("分值合计 60（三级指标 60，表上没有执行率一项），应为 100")
    assert report.forms[0].results.grade is None


BEIJING = "beijing_haidian_xueyuanlu_2016_project"


def test_a_rate_the_header_defines_over_the_initial_budget_is_computed_so(tmp_path):
    """北京 海淀 学院路 2016 (www.wenku365.com/s-60761775.html) has no 全年预算数: its header defines 执行率(B/A) over
    年初预算数(A). The rate and score were left unread (S001 "找不到全年预算数"); what the form prints decides: 154.74 ÷
    310.2 = 49.88 %, 10 × 49.88 % = 4.99 against the printed 5, the message naming the base it was computed on."""
    data, report = check_table(tmp_path, BEIJING)
    printed = data["printed"]
    (f,) = read(report)
    assert (f.exec_base, num(f.exec["full"]), num(f.exec["executed"])) == ("年初预算数", printed["budget"],
                                                                          printed["executed"])
    res = report.forms[0].results
    assert (round(res.exec_rate, 4), res.exec_score) == (0.4988, 4.99)
    assert not any("全年预算数" in m for m in s001(report)), s001(report)
    assert not by_code(report, "E101")  # "50%" is 49.88 % at the whole per cent it is typed with
    (e104,) = by_code(report, "E104")
    assert (e104.cell, e104.expected, e104.found) == ("G6", 4.99, printed["exec_score"])
    assert e104.message.endswith("执行率得分应为 分值 × 执行率（全年执行数 ÷ 年初预算数，按表头“年初预算数(A)”"
                                 "“执行率(B/A)”） = 10 × 49.88% = 4.99，现填 5")
    _, report = check_table(tmp_path, BEIJING, {"F6": "60%"})
    (e101,) = by_code(report, "E101")
    assert (e101.cell, e101.found) == ("F6", 0.6)
    assert e101.message.endswith("执行率应为 全年执行数 ÷ 年初预算数 = 154.74 ÷ 310.2 = 49.88%，现填 60.00%")
    # a header that does not define the rate (a bare "执行率"): no base is assumed, the missing 全年预算数 is said
    _, report = check_table(tmp_path, BEIJING, {"F5": "执行率"})
    assert any("“全年预算数”" in m for m in s001(report)), s001(report)
    assert report.forms[0].results.exec_rate is None


@pytest.mark.parametrize("name, cell, value, code, expected, ending", [
    # 鄂州 2021: 预算资金拨款率 100 % of 100 %, 分值 10, typed 12: the rule's score is the 分值
    (EZHOU, "H14", 12, "I103", 10, "按全国（财预〔2020〕10号）口径的计分规则最多得 10 分（分值 10，得分不能大于分值），现填 12"),
    # 鄂州 2021: 预算执行率 83.5 % of 100 %, 分值 20, typed 22: the rule's 16.7, tighter than the 分值
    (EZHOU, "H13", 22, "I103", 16.7, "最多得 16.7 分（分值 20，得分不能大于分值），现填 22"),
    # 海南 服务贸易: 目标内容 (no figure to score by rule), 分值 4, typed 5: the 分值 is all there is
    (HAINAN, "G14", 5, "I101", 4, "得分 5 不在 0 到分值 4 之间（得分不能大于分值）"),
])
def test_a_score_above_its_weight_is_one_finding_at_its_cell(tmp_path, name, cell, value, code, expected, ending):
    """A score above its 分值 was reported twice at the cell, I101 ("得分 12 不在 0 到分值 10 之间") and I103 ("最多得
    10 分，现填 12"): one finding per cell per fault — I103's where the rule scores the row (its numbers and the 分值),
    I101's where it cannot."""
    _, report = check_table(tmp_path, name, {cell: value})
    found = [x for x in report.all_findings() if x.cell == cell and x.code in ("I101", "I103")]
    assert [(x.code, x.expected, x.found) for x in found] == [(code, expected, value)]
    assert found[0].message.endswith(ending), found[0].message


# ---------------------------------------------------------------- judged as a user sees it


def test_a_value_hidden_under_a_merge_is_not_read_but_named(tmp_path):
    """海南 服务贸易 (m.bdocx.com/doc/30238812.html), complete, as a program might write it: the 得分 cells of 到位率
    and 到位时效 merged (G19:G20) with both scores left in the file.  Excel and WPS show one 3 across the two rows
    (Excel discards all but the top-left value when a user merges), but the hidden 2 was read and the form said
    complete: 总分 100（优）.  What the user sees is judged: 到位时效 has no 得分 (I106), the total is not known,
    and S008 names the hidden value — the same in the .xls and .ods LibreOffice saves (it keeps the value)."""
    from openpyxl import load_workbook
    from openpyxl.worksheet.cell_range import CellRange

    from .libreoffice import convert, soffice

    _, report = check_table(tmp_path, HAINAN, rows=HAINAN_BENEFITS)
    assert (report.forms[0].results.total_score, report.forms[0].results.grade) == (100, "优")  # all visible
    source = tmp_path / f"{HAINAN}.xlsx"
    book = load_workbook(source)
    book.active.merged_cells.add(CellRange("G19:G20"))  # openpyxl keeps G20's 2 under the merge
    book.save(source)
    paths = [source]
    if soffice() is not None or os.environ.get("CI"):
        paths += [convert([source], tmp_path / fmt, fmt)[0] for fmt in ("xls", "ods")]
    for path in paths:
        report = check_path(str(path))
        (f,) = report.forms
        (row,) = [i for i in f.form.indicators if i.level3.text == "到位时效"]
        assert row.score is None or row.score.blank, path
        res = f.results
        assert (res.total_score, res.grade, res.why("total_score")) == (None, None, "无法复核：得分 G20 未填写"), path
        (i106,) = [x for x in by_code(report, "I106") if x.cell == "G20"]
        assert i106.message.endswith("得分未填写")
        (s008,) = by_code(report, "S008")
        assert (s008.cell, s008.found) == ("G19", 1), path
        assert s008.message.endswith("合并区域 G19:G20 遮住了 G20 的 2：Excel、WPS 只显示合并区域左上角的内容，"
                                     "这些值看不到，校验也没有读取；如它们应当填写，请取消合并后填在看得见的单元格里")


def test_a_level2_weight_the_form_prints_is_checked_against_its_rows(tmp_path):
    """海南 服务贸易 (m.bdocx.com/doc/30238812.html) prints a 分值 after every level (一级 | 分值 | 二级 | 分值 | 三级 |
    分值 | 得分).  Its 一级 分值 were read as the bands' weights (W101), its 二级 分值 not at all: 资金管理 printed 9 over
    资金使用 7 + 财务管理 3 passed unsaid.  W111 says it at the 二级 分值 cell with both numbers; only where the form
    prints a 二级 分值 (the other published forms have none)."""
    data, report = check_table(tmp_path, HAINAN, rows=HAINAN_BENEFITS)
    (f,) = read(report)
    assert {g.name: g.weight for g in f.level2_weights} == data["printed"]["level2"]
    assert [i.level3.text for i in f.level2_weights[4].indicators] == ["资金使用", "财务管理"]
    assert not by_code(report, "W111")  # as printed, every 二级 adds up
    _, report = check_table(tmp_path, HAINAN, {"D21": 9}, rows=HAINAN_BENEFITS)
    (w111,) = by_code(report, "W111")
    assert (w111.severity, w111.cell, w111.expected, w111.found) == ("warning", "D21", 9, 10)
    assert w111.message == ("[服务贸易项目绩效自评表] 二级指标 资金管理 分值 (D21)：二级指标“资金管理”分值 9，其下三级指标分值合计 10"
                            "（“资金使用” 7、“财务管理” 3）；请核对是二级分值还是三级分值填错")
    assert not by_code(report, "W101")  # 项目管理's 三级 still add up to its 25
    # a 三级 分值 off: said at its 二级 and at its 一级
    _, report = check_table(tmp_path, HAINAN, {"F22": 4}, rows=HAINAN_BENEFITS)
    assert [(x.cell, x.expected, x.found) for x in by_code(report, "W111")] == [("D21", 10, 11)]
    assert [(x.cell, x.expected, x.found) for x in by_code(report, "W101")] == [("B19", 25, 26)]



YINCHUAN = "ningxia_yinchuan_2021_project"


def test_ningxias_execution_score_is_its_indicator_rows(tmp_path):
    """银川 2021 (m.yzwku.com/doc/476505.html) scores the 执行率 as the 三级指标 项目管理 → 投入管理 → 预算执行率 (分值 10,
    得分 9: profile execution.within); its funds block has no 分值 or 得分.  The 结果 line said "执行率得分 0" and W102
    "分值合计 90（执行率 0 + 三级指标 90）": a part of 0 the form has not.  It shows the form's: the rate from the block
    (64.8 ÷ 64.8), the 执行率得分 9 of that row, counted once; W102 and W104 name their parts as the form has them."""
    from jixiao_xl.rules.report import to_text
    from jixiao_xl.write.marks import result_rows

    data, report = check_table(tmp_path, YINCHUAN)
    printed = data["printed"]
    res = report.forms[0].results
    assert (res.exec_rate, res.exec_score, res.weight_total, res.total_score) == (printed["exec_rate"],
                                                                                  printed["exec_score"], 90, 84)
    assert res.to_dict()["exec_score"] == 9  # --json, 汇总's 执行率得分 and the store: the row's 9, not 0
    assert ("结果：执行率 100.00%，执行率得分 9（在三级指标“预算执行率” G14 中计分），分值合计 90，总分 84（等级无法复核："
            "分值合计 90 ≠ 100）") in to_text([report])
    assert "[项目支出绩效自评表] 执行率 100.00%，执行率得分 9（在三级指标“预算执行率” G14 中计分），总分 84" in [
        r[0] for r in result_rows(report)][-2]  # 校验结果 (fill --mark, the add-in's sheet)
    (w102,) = by_code(report, "W102")
    assert w102.message.endswith("分值合计 90（三级指标 90，其中“预算执行率” 10），应为 100")
    (w104,) = by_code(report, "W104")
    assert w104.message.endswith("总分得分应为各三级指标得分（含“预算执行率”）之和 84，现填 98")
    # the 满意度 row that the copy cuts off filled in: 100 points, the 执行率得分 still counted once
    _, report = check_table(tmp_path, YINCHUAN, {"D34": 10, "G34": 10})
    res = report.forms[0].results
    assert (res.exec_score, res.weight_total, res.total_score, res.grade) == (9, 100, 94, "优")
    assert not by_code(report, "W102")
    # the row's 得分 left blank: the 执行率得分 is 未评分, never 0
    _, report = check_table(tmp_path, YINCHUAN, {"G14": None})
    res = report.forms[0].results
    assert res.exec_score is None and res.why("exec_score") == "未评分：三级指标“预算执行率” G14 的得分没有填写"
    assert "执行率得分 未评分（在三级指标“预算执行率” G14 中计分）" in to_text([report])


def test_a_total_past_its_weights_gets_no_grade_and_no_advice_to_exceed_them(tmp_path, capsys):
    """湖北 市级服务贸易发展资金 2020 (tests/data/published): 执行率 20 with 产出 60 + 效益 40 under "年度绩效目标(80分)"
    (W108).  The scores add up to 120 of a 分值合计 of 100: the 结果 line said "总分 120（优）" and W104 told the
    unit to change its 100 into 120.  A total past its 分值合计 has no grade; W104 gives no such advice."""
    from jixiao_xl.cli import main

    _, report = check_table(tmp_path, "hubei_unknown-shangwu_2020_project")
    (form,) = report.forms
    assert (form.results.weight_total, form.results.total_score, form.results.grade) == (100, 120, None)
    assert form.results.why("grade") == "无法复核：总分 120 超过分值合计 100"
    assert not by_code(report, "W104") and by_code(report, "W108")
    main(["check", str(report.path)])
    assert "分值合计 100，总分 120（等级无法复核：总分 120 超过分值合计 100）" in capsys.readouterr().out


def test_a_funds_block_not_read_on_a_form_of_no_known_province_leaves_the_total_unjudged(tmp_path):
    """天长 2022 (tests/data/published) with its funds block blank and its unit renamed (province no longer told):
    the indicators weigh 90, so a 执行率 part of 10 may be there unread (S001).  It was taken as no part at all:
    "分值合计 90 ≠ 100" and three errors (W102, W103, W104 "应为 90，现填 100"); the total waits for it instead."""
    rows = table("anhui_tianchang_2022_project")["rows"]
    blank = {f"{'ABCDEFGHI'[c]}{r}": None for r in range(5, 10) for c in range(len(rows[r - 1]))}
    _, report = check_table(tmp_path, "anhui_tianchang_2022_project", {**blank, "F4": "某某局"})
    (form,) = report.forms
    assert (form.results.weight_total, form.results.total_score) == (100, None)
    assert form.results.why("total_score").startswith("无法复核：总分含执行率得分（10 分）")
    assert [f.code for f in report.all_findings() if f.severity == "error"] == []


def test_a_report_stating_full_marks_typed_is_not_told_to_raise_them(tmp_path):
    """湖北 服务贸易 2020: 总分 100 typed, parts 120 of a 分值合计 100 (W108 says which header is wrong).  A report
    stating "得分100分，等级为优" was told (T206) "总分按校验复核为 120…应为 120 分" and its 优 accepted; the check
    gives no grade there, so the report's 等级 is an info and its 总分 no error."""
    import docx

    from jixiao_xl.narrative.checker import check_report

    _, report = check_table(tmp_path, "hubei_unknown-shangwu_2020_project")
    document = docx.Document()
    document.add_paragraph("2020年市级服务贸易发展资金项目支出绩效自评报告")
    document.add_paragraph("经自评，该项目自评得分100分，等级为优。")
    document.save(tmp_path / "报告.docx")
    checked = check_report(str(tmp_path / "报告.docx"), [report.path])
    assert [f.code for f in checked.findings if f.severity in ("error", "warning")] == []
    infos = [f.message for f in checked.findings if f.code == "T301"]
    assert any("等级无法复核：总分 120 超过分值合计 100" in m for m in infos), infos
