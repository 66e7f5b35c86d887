"""Edges a mutation run (benchmarks/mutate.py, docs/mutation.md) showed no test pinned: each test here fails when
one operator or number of a rule is changed, and asserts what the user sees on a real .xlsx file — the cell, the
expected and found values, the message."""

from __future__ import annotations

from jixiao_xl.compute.profiles import get_profile

from .helpers import by_code, check_file, clean_seed, set_cells
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
