"""Acceptance on the bundled example: the seed submission (汨罗市司法局, 2023)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.rules.check import check_path
from .samples import EXAMPLE_NAME, write_seed_example

from .helpers import by_code, form

EXAMPLE = Path(__file__).resolve().parent.parent / "workbook_templates" / "examples" / EXAMPLE_NAME


@pytest.fixture(scope="module")
def report():
    return check_path(str(EXAMPLE))


def test_seed_blames_the_2022_car_cell_not_the_sangong_total(report):
    # 三公 17 ≠ 17 + 0 + 8 and 公务用车 17 ≠ 0 + 9 have one cause: 公务用车 should be 9 (then 17 = 9 + 0 + 8)
    errors = [f for f in report.all_findings() if f.severity == "error"]
    assert [(f.code, f.sheet, f.cell, f.expected, f.found) for f in errors] == [("B111", "附件1", "B7", 9.0, 17.0)]
    assert errors[0].message == ("[附件1] 公务用车购置和维护经费 2022年决算数 (B7)：公务用车购置和维护经费应为 "
                                 "公车购置 + 公车运行维护 = 0 + 9 = 9，现填 17（改正后“三公”经费 17 = 9 + 0 + 8 也相符）")
    assert "25" not in errors[0].message
    assert report.status == "errors"


def test_seed_warnings_are_public_funds_and_in_year_addition(report):
    warnings = [f for f in report.all_findings() if f.severity == "warning"]
    assert [(f.code, f.sheet, f.cell) for f in warnings] == [("B121", "附件1", "D25"), ("E105", "附件2", "D5")]
    assert "126.73%" in warnings[0].message
    assert "42.33%" in warnings[1].message


def test_seed_results(report):
    basic = form(report, "basic_data").results
    assert basic.staff_control_rate == 1.0
    assert round(basic.sangong_control_rate, 4) == 0.7576
    assert round(basic.public_funds_control_rate, 4) == 1.2673
    assert basic.scale_control_rate is None
    dept = form(report, "dept_self_eval").results
    assert dept.to_dict() == {"exec_rate": 1.0, "exec_score": 10.0, "weight_total": 100.0, "total_score": 99.0,
                              "grade": "优"}
    project = form(report, "project_self_eval").results
    assert project.total_score == 100.0 and project.grade == "优"


def test_seed_blank_project_row_is_offered_for_auto_fill(report):
    infos = by_code(report, "D001")
    assert [(f.cell, f.expected) for f in infos] == [("B12", 332.0), ("C12", 83.0), ("D12", 440.32)]


def test_committed_example_matches_generator(tmp_path):
    fresh = tmp_path / "fresh.xlsx"
    write_seed_example(fresh)
    a, b = openpyxl.load_workbook(EXAMPLE), openpyxl.load_workbook(fresh)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert [[c.value for c in r] for r in a[name].iter_rows()] == [[c.value for c in r] for r in b[name].iter_rows()]
        assert sorted(map(str, a[name].merged_cells.ranges)) == sorted(map(str, b[name].merged_cells.ranges))
