"""Edges a mutation run (benchmarks/mutate.py, docs/mutation.md) showed no test pinned: each test here fails when
one operator or number of a rule is changed, and asserts what the user sees on a real .xlsx file — the cell, the
expected and found values, the message."""

from __future__ import annotations

from jixiao_xl.compute.profiles import get_profile

from .helpers import by_code, check_file, clean_seed, form, set_cells
from .test_published import check_table


def _project(report, code: str) -> list[tuple]:
    return [(f.cell, f.expected, f.found, f.message) for f in by_code(report, code) if f.sheet == "附件3"]


# ---------------------------------------------------------------- W107: weights a note under the table states


def test_note_naming_level1_weights_without_the_word_fenzhi(tmp_path):
    """"一级指标：产出指标50分…" states the weights as plainly as "一级指标分值…" does."""
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!A26": "注：一级指标：产出指标50分、效益指标30分、满意度指标10分"}))
    assert _project(report, "W107") == [("B13", 50.0, 30.0, ("[附件3] 一级指标 产出指标 (B13)：表头写产出指标 30 分，"
                                         "表下注释写明产出指标 50 分；计算按表头，请确认哪一个是对的"))]


def test_note_naming_weights_without_the_word_level1(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!A26": "注：产出指标分值50分、效益指标分值30分"}))
    assert [(c, e, f) for c, e, f, _ in _project(report, "W107")] == [("B13", 50.0, 30.0)]


def test_note_naming_only_two_level1_weights_is_read(tmp_path):
    """Two 一级 weights are enough to take a note as stating them (one is not: "满意度指标10分" alone is a remark)."""
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!A26": "注：一级指标分值：产出指标50分、效益指标40分"}))
    assert [(c, e, f) for c, e, f, _ in _project(report, "W107")] == [("B13", 50.0, 30.0), ("B16", 40.0, 30.0)]
    one = check_file(tmp_path, set_cells(clean_seed(), {"附件3!A26": "注：一级指标分值：产出指标50分"}), "one.xlsx")
    assert _project(one, "W107") == []


# ---------------------------------------------------------------- W101 / W108: 一级 weights


def test_level1_weight_only_in_its_header_is_not_summed_from_blank_rows(tmp_path):
    """保山 prints "产出指标(40分)" and no 分值 per row: there is nothing to add up, not "其下合计 0 分"."""
    data, report = check_table(tmp_path, "yunnan_changning_2022_project")
    assert data["printed"]["level1"]["产出指标"] == 40
    assert by_code(report, "W101") == []


def test_section_weight_against_a_single_level1(tmp_path):
    """One 一级指标 under "绩效指标(80分)": the message names that one, not a sum of one."""
    edits = {"附件3!A12": "绩效指标(80分)", "附件3!B16": None, "附件3!B20": None, "附件3!B21": None}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert _project(report, "W108") == [("B13", 80.0, 30.0, ("[附件3] 一级指标 产出指标 (B13)：一级指标标注的分值 只有 "
                                         "产出指标 30，与“绩效指标”标注的 80 分不符；请改正其中标错的一处"))]


# ---------------------------------------------------------------- E104: the 执行率得分 of a banded profile


def test_banded_score_without_a_budget_says_the_rate_cannot_be_computed(tmp_path):
    """江西 (bands): 全年预算数 0, 得分 typed 5: no rate, so no band — 0 分, and the message says why."""
    edits = {"附件3!D6": 0, "附件3!D7": 0, "附件3!E6": 41.5, "附件3!E7": 41.5, "附件3!G6": None, "附件3!H6": 5}
    report = check_file(tmp_path, set_cells(clean_seed(), edits), profile=get_profile("jiangxi"))
    assert _project(report, "E104") == [("H6", 0.0, 5.0, ("[附件3] 年度资金总额 得分 (H6)：执行率无法计算，"
                                         "执行率得分应为 0，现填 5"))]
    assert [(c, e, f) for c, e, f, _ in _project(report, "E103")] == [("D6", None, 0.0)]


# ---------------------------------------------------------------- rounding as Excel rounds, past 1亿


def _big_project(full: float, executed: float, rate: float, score: float) -> dict:
    """附件3 with a 全年预算数 above 10000 万元 (its 当年财政拨款 the same, so the sources add up)."""
    return {"附件3!C6": full, "附件3!D6": full, "附件3!C7": full, "附件3!D7": full, "附件3!E6": executed,
            "附件3!E7": executed, "附件3!G6": rate, "附件3!H6": score, "附件3!H24": 90 + score}


def test_proportional_score_rounds_as_excel_round_past_100_million(tmp_path):
    """10 × 7649.35 ÷ 10005.69 = 7.644999995: Excel's (and LibreOffice's) ROUND(…, 2) gives 7.64 (checked with
    soffice); a fixed snap of the product to 6 decimals took it for 7.645 and said "应为 7.65，现填 7.64"."""
    report = check_file(tmp_path, set_cells(clean_seed(), _big_project(10005.69, 7649.35, 0.7645, 7.64)))
    assert _project(report, "E104") == [] and _project(report, "W104") == []
    assert form(report, "project_self_eval").results.exec_score == 7.64
    wrong = check_file(tmp_path, set_cells(clean_seed(), _big_project(10005.69, 7649.35, 0.7645, 7.65)), "b.xlsx")
    assert [(c, e, f) for c, e, f, _ in _project(wrong, "E104")] == [("H6", 7.64, 7.65)]


def test_band_is_read_off_the_rate_as_excel_shows_it_past_100_million(tmp_path):
    """江西 bands: 8031.49 ÷ 10039.99 = 79.994999995 % shows 79.99 % in Excel and LibreOffice: the 60 %–80 % band,
    5 分; it was taken for 80.00 % and 7 分 with "执行率 80.00% 属于 80%（含）—100% 档"."""
    jiangxi = get_profile("jiangxi")
    report = check_file(tmp_path, set_cells(clean_seed(), _big_project(10039.99, 8031.49, 0.7999, 5)), profile=jiangxi)
    assert _project(report, "E104") == [] and _project(report, "W104") == []
    assert form(report, "project_self_eval").results.exec_score == 5
    wrong = check_file(tmp_path, set_cells(clean_seed(), _big_project(10039.99, 8031.49, 0.7999, 7)), "b.xlsx",
                       profile=jiangxi)
    assert _project(wrong, "E104") == [("H6", 5.0, 7.0, ("[附件3] 年度资金总额 得分 (H6)：执行率 79.99% 属于"
                                        "“60%（含）—80%”档，应得 5 分（分值 10 × 50%），现填 7"))]


def test_top_band_is_named_from_its_lowest_rate(tmp_path):
    """江西's top band starts at 100 %: named “100%（含）以上”, not “全部” (a name only a single band from 0 gets)."""
    edits = {"附件3!H6": 7, "附件3!H24": 97}  # 83 of 83 executed: 100 %, full marks
    report = check_file(tmp_path, set_cells(clean_seed(), edits), profile=get_profile("jiangxi"))
    assert _project(report, "E104") == [("H6", 10.0, 7.0, ("[附件3] 年度资金总额 得分 (H6)：执行率 100.00% 属于"
                                         "“100%（含）以上”档，应得 10 分（分值 10 × 100%），现填 7"))]


def test_proportional_score_a_float_hair_below_a_half_rounds_up_as_excel_round(tmp_path):
    """10 × 44.73 ÷ 84 is 5.324999999999999 in floating point, 5.325 to the 15 digits a cell shows: ROUND(…, 2)
    gives 5.33 in Excel and LibreOffice (checked with soffice), so 5.33 is right and 5.32 wrong."""
    edits = {"附件3!C6": 84, "附件3!D6": 84, "附件3!C7": 84, "附件3!D7": 84, "附件3!E6": 44.73, "附件3!E7": 44.73,
             "附件3!G6": 0.5325, "附件3!H6": 5.33, "附件3!H24": 95.33, "附件3!I6": "部分项目跨年度实施"}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert _project(report, "E104") == [] and _project(report, "W104") == []
    assert form(report, "project_self_eval").results.exec_score == 5.33
    edits.update({"附件3!H6": 5.32, "附件3!H24": 95.32})
    wrong = check_file(tmp_path, set_cells(clean_seed(), edits), "b.xlsx")
    assert [(c, e, f) for c, e, f, _ in _project(wrong, "E104")] == [("H6", 5.33, 5.32)]
