"""Column headers and 一级 weights as departments write them, on real .xlsx files."""

from __future__ import annotations

import pytest

from .helpers import by_code, check_file, clean_seed, set_cells


def test_budget_execution_rate_header_is_read(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!G4": "预算执行率", "附件2!G5": 1.4233}))
    (finding,) = by_code(report, "E101")
    assert (finding.cell, finding.expected, finding.found) == ("G5", 1.0, 1.4233)
    assert not by_code(report, "S001")


def test_unknown_rate_column_is_said_not_skipped(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!G4": "完成比例", "附件2!G5": 1.4233}))
    assert [(f.severity, f.sheet) for f in by_code(report, "S001")] == [("warning", "附件2")]
    assert "找不到“执行率”栏目" in by_code(report, "S001")[0].message


@pytest.mark.parametrize("header", ["产出指标\n(30分)", "产出指标30分", "产出指标（30）", "产出指标 30分", "产出指标(分值:30)"])
def test_weight_written_in_any_way_is_checked(tmp_path, header):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!B14": header, "附件2!G16": 5}))
    (finding,) = by_code(report, "W101")
    assert (finding.cell, finding.expected, finding.found) == ("B14", 30.0, 25.0)


def test_unreadable_weight_is_a_warning(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!B14": "产出指标（见说明）", "附件2!G16": 5}))
    assert not by_code(report, "W101")
    (finding,) = by_code(report, "S001")
    assert (finding.severity, finding.cell) == ("warning", "B14")
    assert "读不出一级指标“产出指标(见说明)”的分值" in finding.message


@pytest.mark.parametrize("header", ["产出指标1\n(30分)", "产出指标：（30分）", "产出指标—（30分）", "产出指标①(30分)"])
def test_a_decoration_between_the_words_and_the_weight(tmp_path, header):
    # "产出指标1 (30分)" was read as a 一级指标 named “产出指标1”: W105 said 湖南口径中没有“产出指标1”这一项一级指标
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!B14": header, "附件2!G16": 5}))
    (finding,) = by_code(report, "W101")
    assert (finding.cell, finding.expected, finding.found) == ("B14", 30.0, 25.0)
    assert finding.location == "[附件2] 一级指标 产出指标 (B14)"
    assert not by_code(report, "W105") and not by_code(report, "S001")
    assert [level.name for level in report.forms[1].form.levels] == ["产出指标", "效益指标", "满意度指标", "成本指标"]


@pytest.mark.parametrize("header", ["产出指标完成情况(30分)", "产出指标100(30分)"])
def test_words_or_a_figure_before_the_weight_are_not_a_decoration(tmp_path, header):
    # only a short number or a mark between a heading's words and its weight is dropped: other words stay its name
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!B14": header}))
    (w105,) = by_code(report, "W105")
    assert w105.cell == "B14" and f"湖南口径中没有“{header[:-5]}”这一项一级指标" in w105.message
