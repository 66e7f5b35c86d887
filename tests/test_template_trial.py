"""``template --from`` on the published tables of an accountant's trial (tests/data/published, sources in each
test): no typed value is lost without a word, the year the template takes is said, headers are read as printed."""

from __future__ import annotations

import openpyxl
import pytest

from jixiao_xl.cli import main
from jixiao_xl.read.forms import PROFILE_UNKNOWN
from jixiao_xl.rules.check import check_path
from jixiao_xl.write.fill import fill
from jixiao_xl.xlsx.calc import evaluate

from .helpers import by_code
from .published import TABLES, table, workbook

LONGYANG = "yunnan_longyang_2022_project"  # https://longyang.gov.cn/info/5311/13352539.htm
HENGSHAN_BASIC = "hunan_hengshan_guantang_2023_basic"  # hengshan.gov.cn …/20240914/i3455515.html
HENGSHAN_DEPT = "hunan_hengshan_guantang_2023_department"  # (same page)
JISHAN = "shanxi_jishan_2020_project"  # keke.chddh.cn/archives/bqg98jldqdz7y2xm7pe6.html
SUIYANG = "guizhou_suiyang_taibai_2021_department"  # www.suiyang.gov.cn …/t20220824_76240024.html
LINGLING = "hunan_yongzhou_lingling_linyej_2021_department"  # admin.yzcity.gov.cn:8888/llqlinyj/gknb/202204/…
LINXIANG = "yunnan_linxiang_lincao_2023_project"  # https://www.ynlx.gov.cn/info/2431/148733.htm
BAOSHAN = "云南（保山式自评表，执行率20分）"


def template(tmp_path, capsys, source, *args) -> tuple[openpyxl.Workbook, openpyxl.Workbook, list[str], str]:
    """(the template's formulas, its stored results, the lines the command printed after its first and the one
    saying how the 评分口径 was chosen, its path)."""
    out = tmp_path / "template.xlsx"
    assert main(["template", "--from", str(source), "-o", str(out), *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"已生成模板：{out}")
    if "--profile" not in args:
        assert lines[1].startswith("  评分口径：与校验原表时相同，"), lines[1]
        del lines[1]
    return (openpyxl.load_workbook(out), openpyxl.load_workbook(out, data_only=True), lines[1:], str(out))


def test_a_total_typed_without_its_sources_is_kept_as_typed(tmp_path, capsys):
    """隆阳 2022 prints 年度财政资金总额 278.4449 / 30 and no 财政拨款/其他资金 under it: the template keeps both as
    typed (no SUM of the empty source rows, no source made up), says so with every decimal typed, and the check,
    fill --overwrite-derived and the template's own 执行率 formula all work from 278.4449."""
    printed = table(LONGYANG)["rows"][7]  # [None, '年度财政资金总额', 278.4449, 30.0, '10.77%', 2.16, None]
    formulas, results, lines, out = template(tmp_path, capsys, workbook(LONGYANG, tmp_path))
    sheet = formulas["附件3"]
    assert (sheet["B6"].value, sheet["D6"].value, sheet["E6"].value) == ("年度资金总额", printed[2], printed[3])
    assert [sheet[f"D{r}"].value for r in (7, 8, 9)] == [None, None, None]  # no source invented
    assert results["附件3"]["G6"].value == 30 / 278.4449  # the template's 执行率 formula reads the typed total
    kept = "没有填其中各项，模板中保留为填写的数（不是公式）；补填其中各项后，合计须与各项之和相符（校验会核对）"
    assert lines[:2] == [f"  [附件3] 年度资金总额 全年预算数 (D6)：原表只填了合计 278.4449，{kept}",
                         f"  [附件3] 年度资金总额 全年执行数 (E6)：原表只填了合计 30，{kept}"]
    assert not any("278.44，" in line or "按表内数据为 空" in line for line in lines), lines
    report = check_path(out)
    (project,) = [f for f in report.forms if f.form.sheet == "附件3"]
    assert project.results.exec_rate == 30 / 278.4449
    assert not [f for f in report.all_findings() if f.sheet == "附件3" and f.code in ("F103", "F105", "D001")]
    # its 一级 headers state no 分值 (nor has it a 分值 column): none is made up ("产出指标(0分)", then W105 "为 0 分")
    assert (sheet["B13"].value, sheet["B26"].value) == ("产出指标", "效益指标")
    assert not [f for f in by_code(report, "W105") if "一级指标" in f.message]
    filled = fill(out, str(tmp_path / "filled.xlsx"), overwrite_derived=True)  # nothing asks it to be a SUM
    assert not [c for c in filled.changes if c.sheet == "附件3" and c.cell in ("D6", "E6")]
    after = openpyxl.load_workbook(filled.output)["附件3"]
    assert (after["D6"].value, after["E6"].value) == (278.4449, 30)


def test_totals_of_attachment_1_and_2_typed_without_parts_are_kept(tmp_path, capsys):
    """衡山 贯塘 2023: 附件1 prints 项目支出 874.2 / 308.17 / 1025.2 with no 专项 under it; its 附件2 with the parts
    of 按收入性质分/按支出性质分 left out (only the totals 2030.12 / 1925.67): every total stays as typed, and the
    check still finds the printed 1925.67 ≠ 2030.12 (F102) on the template."""
    formulas, _, lines, _ = template(tmp_path, capsys, workbook(HENGSHAN_BASIC, tmp_path))
    row = next(r for r in formulas["附件1"].iter_rows() if r[0].value == "项目支出：")
    assert [c.value for c in row[1:4]] == [874.2, 308.17, 1025.2]
    assert sum("项目支出" in line and "原表只填了合计" in line for line in lines) == 3, lines

    cleared = {(7, 2): "其中: 一般公共预算:", (8, 2): "政府性基金拨款:", (10, 2): "其他资金:",
               (7, 5): "其中:基本支出:", (8, 5): "项目支出:"}
    formulas, _, lines, out = template(tmp_path, capsys, workbook(HENGSHAN_DEPT, tmp_path, cleared))
    assert (formulas["附件2"]["D6"].value, formulas["附件2"]["H6"].value) == (2030.12, 1925.67)
    assert "  [附件2] 按收入性质分 (D6)：原表只填了合计 2030.12，没有填其中各项，模板中保留为填写的数（不是公式）；" \
           "补填其中各项后，合计须与各项之和相符（校验会核对）" in lines
    (f102,) = by_code(check_path(out), "F102")
    assert (f102.cell, f102.expected, f102.found) == ("H6", 2030.12, 1925.67)


def test_a_typed_total_score_the_formula_replaces_is_listed(tmp_path, capsys):
    """稷山 2020 prints 总分 94 where its rows give 93 + 9.91: the template's 总分 formula gives 93.91 and says so."""
    assert table(JISHAN)["printed"]["total"] == 94
    formulas, results, lines, _ = template(tmp_path, capsys, workbook(JISHAN, tmp_path))
    assert "  [附件3] 总分 得分 (H19)：原表填 94，模板中改为公式，按表内数据为 93.91" in lines
    assert formulas["附件3"]["H19"].value.startswith("=") and results["附件3"]["H19"].value == 93.91


def test_the_year_taken_is_said_and_can_be_given(tmp_path, capsys):
    """绥阳 太白镇's title states no year: the template takes the file name's 2021 and says so, or last year with
    a word when the file name has none; --year gives it.  Its funds block the reader cannot read (no 全年预算数 or
    得分 column) is named, not silently left out."""
    source = workbook(SUIYANG, tmp_path)
    _, results, lines, _ = template(tmp_path, capsys, source)
    assert results["填表说明"]["C4"].value == 2021
    assert lines[0] == (f"  年度：表上没有写年度（标题中没有“XXXX年度”），按文件名“{source.name}”中的 2021 取为 2021 年度；"
                        "不是这一年请用 --year 指定")
    assert lines[1] == ("  原表工作表“Sheet1”中找不到“全年预算数”、“得分”栏目，这些栏目下（及所在部分）的数据没有读出，"
                        "也没有搬入模板，请对照原表补填")

    renamed = source.rename(tmp_path / "太白镇自评表.xlsx")
    from datetime import date

    last = date.today().year - 1
    _, results, lines, _ = template(tmp_path, capsys, renamed)
    assert results["填表说明"]["C4"].value == last
    assert lines[0] == (f"  年度：表上没有写年度（标题中没有“XXXX年度”），文件名中也没有，按上一年取为 {last} 年度；"
                        "不是这一年请用 --year 指定")

    _, results, lines, _ = template(tmp_path, capsys, renamed, "--year", "2021")
    assert results["填表说明"]["C4"].value == 2021 and not any("年度：" in line for line in lines)


def test_a_level1_weight_with_a_lost_bracket_is_read(tmp_path):
    """零陵 2021 prints "效益指标\\n30分)" (its opening bracket lost): the weight 30 is read, no S001 asks for it."""
    assert table(LINGLING)["rows"][22][0] == "效益指标\n30分)"
    report = check_path(str(workbook(LINGLING, tmp_path)))
    (form,) = report.workbook.forms
    assert [(level.name, level.weight) for level in form.levels] == [("产出指标", 50), ("效益指标", 30)]
    assert not [f for f in by_code(report, "S001") if "效益指标" in f.message]


def test_the_forms_profile_is_the_templates_and_stays_so(tmp_path, capsys):
    """隆阳 2022 is 保山's form (地名“隆阳”, “得分(20分*执行率)”): its check takes the 执行率 分值 20 as right.  The
    template made from it is that profile too (it used to say 湖南口径), writes it on 填表说明, and check and fill
    on the template read it back — no W105 “执行率分值为 20 分，按湖南口径应为 10 分” that the form never had."""
    source = workbook(LONGYANG, tmp_path)
    out = tmp_path / "template.xlsx"
    assert main(["template", "--from", str(source), "-o", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [f"已生成模板：{out}（2022 年度，{BAOSHAN}口径）",
                         (f"  评分口径：与校验原表时相同，按{BAOSHAN}口径（依据：地名“隆阳”，表上文字“得分(20分*执行率)”）；"
                          "写在模板“填表说明”中，校验、填写模板时沿用")]
    made = openpyxl.load_workbook(out)
    assert made["填表说明"]["C6"].value == BAOSHAN
    assert ",20)" in made["附件3"]["H6"].value  # the 执行率得分 of a blank 分值 counts 20, as 保山's form does
    before, after = check_path(str(source)), check_path(str(out))
    assert (before.profile["name"], before.profile["known"]) == (after.profile["name"], after.profile["known"]) \
        == ("yunnan_baoshan", True)
    assert after.profile["reason"] == f"按{BAOSHAN}口径（依据：模板“填表说明”中的评分口径）"
    assert by_code(before, "W105") == by_code(after, "W105") == []
    filled = fill(str(out), str(tmp_path / "filled.xlsx"))
    assert filled.report.profile["name"] == "yunnan_baoshan" and not by_code(filled.report, "W105")
    # the blank 附件2 beside it takes no other province's 一级 分值 (湖南's 90 made 20 + 90 = 110: W102)
    assert not by_code(after, "W102")


def test_a_form_whose_province_is_not_known_makes_a_template_that_says_so(tmp_path, capsys):
    """临翔 2023 names no province the tool has a profile of: its check is silent on province-only rules (P001).
    So is its template's (it was 湖南 known, from the template's own 附件1 labels): 填表说明 says 未确定."""
    source = workbook(LINXIANG, tmp_path)
    formulas, _, _, out = template(tmp_path, capsys, source)
    assert formulas["填表说明"]["C6"].value == PROFILE_UNKNOWN
    before, after = check_path(str(source)), check_path(out)
    assert (before.profile["name"], before.profile["known"]) == (after.profile["name"], after.profile["known"]) \
        == ("national", False)
    (p001,) = by_code(after, "P001")
    assert p001.message == (f"评分口径：模板“填表说明”中的评分口径为“{PROFILE_UNKNOWN}”（生成模板的原表看不出是哪个省份的表），"
                            "只按表上写明的分值和财预〔2020〕10号校验，只有某省口径才要求的检查没有进行；可用 --profile 指定")
    assert not by_code(after, "W105")


def test_the_section_weight_a_form_prints_is_kept(tmp_path, capsys):
    """隆阳 prints “年度绩效目标(80分)” over its 一级 (none of which states a 分值): its check gives 分值合计 20 + 80 =
    100.  The template keeps the 80 over its 绩效指标, and its own 分值合计 formula gives 100 too (it said 未读出)."""
    assert table(LONGYANG)["rows"][8][0] == "年度绩效目标\n(80分)"
    formulas, results, _, out = template(tmp_path, capsys, workbook(LONGYANG, tmp_path))
    sheet = formulas["附件3"]
    assert sheet["A12"].value == "绩效指标\n(80分)"
    (project,) = [f for f in check_path(out).forms if f.form.sheet == "附件3"]
    (source,) = check_path(str(workbook(LONGYANG, tmp_path))).forms
    assert project.results.weight_total == source.results.weight_total == 100
    total = next(r for r in sheet.iter_rows() if r[0].value == "总分")[6]
    shown = results["附件3"]
    assert evaluate(total.value, "附件3", lambda _, a: shown[a].value) == shown[total.coordinate].value == 100


JINZHAI = "anhui_jinzhai_2023_department"  # https://www.ahjinzhai.gov.cn/public/6624963/37545031.html


def test_a_header_that_prints_no_weight_gets_none(tmp_path, capsys):
    """金寨 2023 prints “产出指标” with no 分值 over rows of 10+10+10+10+5+5+5+5: its check says so (S004) and
    judges the rest on the rows.  The template used to print “产出指标(60分)” (never on the form), so its check
    said W105 “产出指标为 60 分，按安徽口径应为 50 分”.  The header stays as printed and the template is judged as
    its source: same S004, no W105, the same W102 and 分值合计 / 总分."""
    assert table(JINZHAI)["rows"][11][1] == "产出指标"
    source = workbook(JINZHAI, tmp_path)
    formulas, _, lines, out = template(tmp_path, capsys, source)
    sheet = formulas["附件2"]
    header = next(r[1] for r in sheet.iter_rows() if r[1].value and str(r[1].value).startswith("产出"))
    assert header.value == "产出指标" and not str(header.value).startswith("=")
    before, after = check_path(str(source)), check_path(out)
    assert before.profile["name"] == after.profile["name"] == "anhui"
    (s004,) = by_code(before, "S004")
    (again,) = by_code(after, "S004")
    assert again.message.split("：", 1)[1] == s004.message.split("：", 1)[1] == (
        "一级指标（产出指标）表头都没有标注分值（如“产出指标(50分)”），这些指标的分值合计没有核对")
    assert by_code(before, "W105") == by_code(after, "W105") == []
    (w102,) = by_code(before, "W102")
    (w102_after,) = by_code(after, "W102")
    assert w102_after.message.split("：", 1)[1] == w102.message.split("：", 1)[1] == "分值合计 70（执行率 10 + 三级指标 60），应为 100"
    (src_form,) = before.forms
    (dept,) = [f for f in after.forms if f.form.sheet == "附件2"]
    assert (dept.results.weight_total, dept.results.total_score) == \
           (src_form.results.weight_total, src_form.results.total_score) == (70, 70)
    assert not any("产出指标" in line for line in lines), lines


_LEVEL_CODES = ("S004", "S001", "W101", "W105")  # (W107, header vs the note below: the note is not carried)


def _level_judgements(report, kinds) -> list[tuple[str, str]]:
    """(code, what it says) of the findings about the 一级 headers' weights, on the forms of ``kinds``."""
    return sorted((f.code, f.message.split("：", 1)[1]) for form in report.forms if form.form.kind in kinds
                  for f in form.findings if f.code in _LEVEL_CODES and "一级指标" in f.message)


# a 绩效目标表 is no self-evaluation: template --from refuses it (test_published: it is named as one, not checked)
_EVALUATIONS = [name for name in TABLES if not str(table(name).get("kind", "")).startswith("target")]


@pytest.mark.parametrize("name", _EVALUATIONS)
def test_the_template_states_no_level_weight_its_source_did_not(tmp_path, capsys, name):
    """Every published table: what the check says of the 一级 headers' weights (none printed: S004; not read:
    S001; disagreeing with the rows: W101; with the province: W105) is said of the template made from it, no
    more (“(60分)” made up: W105; “(80分)” on some headers: S001 on the others; a bare “(80分)” over 重庆's list)."""
    source = workbook(name, tmp_path)
    _, _, _, out = template(tmp_path, capsys, source)
    before = check_path(str(source))
    kinds = {f.form.kind for f in before.forms if f.form.kind != "basic_data" and f.form.scored}
    assert _level_judgements(check_path(out), kinds) == _level_judgements(before, kinds)


CHONGQING = "chongqing_xibukexuecheng_2021_department"  # OCR of a .docx preview, cut off (see its notes)


def test_a_total_the_template_cannot_compute_yet_says_why(tmp_path, capsys):
    """重庆 2021 prints 自评总分 97.6, but its 全年预算数/全年执行数 were lost (only 76% and 7.6 left): the template's
    总分 formula gives nothing yet.  The command said “按表内数据为 空”; it says why, as the check does, and that
    the formula fills in once that is typed."""
    assert table(CHONGQING)["rows"][1][8:10] == ["自评总分(分)", 97.6]
    _, results, lines, _ = template(tmp_path, capsys, workbook(CHONGQING, tmp_path))
    (line,) = [line for line in lines if "原表填 97.6" in line]
    assert line == ("  [附件2] 总分 得分 (H34)：原表填 97.6，模板中改为公式，按表内数据算不出（总分含执行率得分，而全年执行数、"
                    "全年预算数未填写，填报的执行率、得分无从核对），补齐后自动计算")
    assert results["附件2"]["H34"].value in (None, "")
    assert not any(line.endswith("为 空") for line in lines), lines


TIANCHANG = "anhui_tianchang_2022_project"  # 天长市水利局 2022 (tests/data/published, its source in the file)


def test_an_exec_mode_the_template_cannot_keep_is_refused(tmp_path, capsys):
    """--exec-mode with --from and no --profile was dropped without a word (the template scored as the form's
    profile), or with jiangxi replaced the form's profile while saying “与校验原表时相同，；”.  The template's
    填表说明 records a profile only, so a mode other than that profile's is refused in Chinese; its own is kept."""
    source = workbook(TIANCHANG, tmp_path, {(4, 6): "南昌市水利局"})  # the same form in a 江西 (band-scored) unit
    assert check_path(str(source)).profile["name"] == "jiangxi"
    out = tmp_path / "t.xlsx"
    assert main(["template", "--from", str(source), "--exec-mode", "proportional", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jixiao-xl：--exec-mode proportional（分值 × 执行率（不超过分值））与按原表判断的评分口径"
                          "“江西（执行率分档计分）”的执行率计分方式（分档计分：100%（含）以上 得分值的 100%；"), err
    assert err.rstrip().endswith("请用 --profile 选择按这种方式计分的口径（jixiao-xl profiles 列出各口径），或去掉 --exec-mode")
    assert not out.exists()
    assert main(["template", "--from", str(workbook(LONGYANG, tmp_path)), "--exec-mode", "jiangxi", "-o", str(out)]) == 2
    assert "与按原表判断的评分口径“云南（保山式自评表，执行率20分）”的执行率计分方式（分值 × 执行率（不超过分值））不同" \
           in capsys.readouterr().err and not out.exists()
    # the form's profile scores in proportion already: kept, and said as the form's
    formulas, _, _, _ = template(tmp_path, capsys, workbook(TIANCHANG, tmp_path), "--exec-mode", "proportional")
    assert formulas["填表说明"]["C6"].value == "安徽"
