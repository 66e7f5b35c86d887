"""Which cell is blamed when chained sums disagree, on real .xlsx files."""

from __future__ import annotations

from jixiao_xl.write.fill import fill
from .samples import write_xlsx

from .helpers import by_code, check_file, clean_seed, set_cells


def _errors(report):
    return [(f.code, f.cell, f.expected, f.found) for f in report.all_findings() if f.severity == "error"]


def test_one_wrong_car_cell_explains_both_failing_sums(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!B7": 17}))
    assert _errors(report) == [("B111", "B7", 9.0, 17.0)]
    assert "改正后“三公”经费 17 = 9 + 0 + 8 也相符" in by_code(report, "B111")[0].message


def test_equally_small_repairs_are_both_named(tmp_path):
    # 三公 决算 20 ≠ 7.54 + 0 + 5.34: either the total (12.88) or 公务接待 (12.46) is wrong
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!D6": 20}))
    assert _errors(report) == [("B110", "D6", 12.88, 20.0)]
    message = by_code(report, "B110")[0].message
    assert "7.54 + 0 + 5.34 = 12.88，现填 20" in message
    assert "同样只改一处也能相符的还有：公务接待（D11）应为 12.46" in message


def test_two_wrong_cells_are_both_reported_with_their_values(tmp_path):
    # 公务用车 17 (should be 0 + 9) and 三公 30 (should then be 9 + 0 + 8 = 17): no single cell explains both
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!B7": 17, "附件1!B6": 30}))
    assert _errors(report) == [("B110", "B6", 17.0, 30.0), ("B111", "B7", 9.0, 17.0)]
    assert "9 + 0 + 8 = 17，现填 30" in by_code(report, "B110")[0].message


def test_project_total_blamed_not_the_special_sum(tmp_path):
    # 项目支出 500 ≠ 440.32: changing 县级专项资金 instead would break its own sum of 专项 rows
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!D12": 500}))
    assert _errors(report) == [("B112", "D12", 440.32, 500.0)]


def test_a_wrong_special_total_names_its_rows_as_the_alternative(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件1!C15": 80}))
    assert _errors(report) == [("B113", "C15", 83.0, 80.0)]
    assert "等 " in by_code(report, "B113")[0].message  # any one of the 专项 rows could be the wrong one


def test_fill_corrects_the_blamed_cell_only(tmp_path):
    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    write_xlsx(source, set_cells(clean_seed(), {"附件1!B7": 17}))
    result = fill(str(source), str(out), overwrite_derived=True)
    assert [(c.sheet, c.cell, c.old, c.new) for c in result.changes if c.corrected] == [("附件1", "B7", 17, 9)]
    assert result.report.count("error") == 0


def test_fill_corrects_both_cells_of_a_two_cell_repair(tmp_path):
    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    write_xlsx(source, set_cells(clean_seed(), {"附件1!B7": 17, "附件1!B6": 30}))
    result = fill(str(source), str(out), overwrite_derived=True)
    assert sorted((c.cell, c.new) for c in result.changes if c.corrected) == [("B6", 17), ("B7", 9)]
    assert result.report.count("error") == 0


def test_dept_total_typed_wrong_is_one_error_not_two(tmp_path):
    # 按收入性质分 1700 while 全年预算数 and 一般公共预算 are both 1762.55: the total alone is wrong
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件2!B6": "按收入性质分：1700"}))
    assert _errors(report) == [("F101", "B6", 1762.55, 1700.0)]
    assert "改正后 按收入性质分 1762.55 = 年度资金总额（全年预算数） = 1762.55" in by_code(report, "F101")[0].message


def test_full_budget_typo_explains_both_breakdowns(tmp_path):
    edits = {"附件2!D5": 1700, "附件2!C5": 1500}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert [(c, cell, e, f) for c, cell, e, f in _errors(report) if c.startswith("F")] == [
        ("F101", "D5", 1762.55, 1700.0)]
    assert not by_code(report, "F102")


def test_fill_keeps_a_dept_total_the_diagnosis_trusts(tmp_path):
    # 一般公共预算 typed 1700 is the wrong cell: fill must not lower 按收入性质分 to 1700
    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    write_xlsx(source, set_cells(clean_seed(), {"附件2!B7": "其中：一般公共预算：1700"}))
    result = fill(str(source), str(out), overwrite_derived=True)
    assert [c for c in result.changes if c.sheet == "附件2" and c.corrected] == []
    (finding,) = by_code(result.report, "F101")
    assert (finding.cell, finding.expected, finding.found) == ("B7", 1762.55, 1700.0)


def test_independent_chains_are_diagnosed_separately(tmp_path):
    # 三公 chain (公务用车 17, 三公 40) and 项目 chain (县级专项 300, 项目支出 999) fail independently
    edits = {"附件1!B7": 17, "附件1!B6": 40, "附件1!B15": 300, "附件1!B12": 999}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert _errors(report) == [("B110", "B6", 17.0, 40.0), ("B111", "B7", 9.0, 17.0),
                               ("B112", "B12", 332.0, 999.0), ("B113", "B15", 332.0, 300.0)]
    message = by_code(report, "B110")[0].message
    assert "9 + 0 + 8 = 17，现填 40" in message and "同样改动 2 处的改法" in message


def test_template_formula_is_never_blamed(tmp_path):
    """One typo in 基本支出 of the template: one F102 at that cell, none at the template's =SUM(H7,H8), and a
    full explanation (the sum follows the corrected part)."""
    import openpyxl

    from jixiao_xl.rules.check import check_path
    from jixiao_xl.xlsx.xlsxio import save_workbook
    from .test_libreoffice import ROOT

    book = openpyxl.load_workbook(ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023_template.xlsx")
    book["附件2"]["H7"] = 1332.23
    path = tmp_path / "typo.xlsx"
    # as Excel saves it: the sums' results stored (=SUM(H7,H8) now 1772.55)
    save_workbook(book, path, {"附件2": {"D6": 1762.55, "H6": 1772.55}})
    found = by_code(check_path(str(path)), "F102")
    assert [(f.cell, f.expected, f.found) for f in found] == [("H7", 1322.23, 1332.23)], [f.message for f in found]
    assert "（改正后 按支出性质分 1762.55 = 基本支出 + 项目支出 = 1322.23 + 440.32" in found[0].message
    assert "项目支出（H8）应为 430.32" in found[0].message
