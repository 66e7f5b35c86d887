"""Funding sources as provinces list them (附件3 and 附件2), written as real .xlsx files."""

from __future__ import annotations

from .helpers import by_code, check_file, clean_seed, set_cells


def _errors(report):
    return [(f.code, f.cell) for f in report.all_findings() if f.severity == "error"]


def test_sources_by_government_level_are_parts_of_the_total(tmp_path):
    edits = {"附件3!B7": "其中：中央财政资金", "附件3!C7": 30, "附件3!D7": 30, "附件3!E7": 30,
             "附件3!B8": "省级财政资金", "附件3!C8": 40, "附件3!D8": 40, "附件3!E8": 40,
             "附件3!B9": "其他资金", "附件3!C9": 13, "附件3!D9": 13, "附件3!E9": 13}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert _errors(report) == [] and not by_code(report, "F104") and not by_code(report, "S001")
    wrong = set_cells(clean_seed(), {**edits, "附件3!D8": 30})
    (finding,) = by_code(check_file(tmp_path, wrong, "b.xlsx"), "F103")
    assert finding.cell == "D6" and (finding.expected, finding.found) == (73.0, 83.0)
    assert "全年预算数应为 中央财政资金 + 省级财政资金 + 其他资金 = 30 + 30 + 13 = 73，现填 83" in finding.message


def test_carryover_wordings_and_social_funds(tmp_path):
    edits = {"附件3!B7": "其中：当年财政拨款", "附件3!C7": 60, "附件3!D7": 60, "附件3!E7": 60,
             "附件3!B8": "上年结转（结余）资金", "附件3!C8": 20, "附件3!D8": 20, "附件3!E8": 20,
             "附件3!B9": "社会资金", "附件3!C9": 3, "附件3!D9": 3, "附件3!E9": 3}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert _errors(report) == [] and not by_code(report, "F104")


def test_level_breakdown_of_the_appropriation_is_not_counted_twice(tmp_path):
    sheets = set_cells(clean_seed(), {"附件3!B7": "其中：当年财政拨款"})
    project = sheets[2]
    project.rows.insert(7, [None, "其中：中央财政资金", 50, 50, 50])
    project.rows.insert(8, [None, "县级财政资金", 33, 33, 33])
    project.merges = [m.replace("A5:A9", "A5:A11") for m in project.merges]
    from .test_reader_variants import _move

    project.merges = [m if m == "A5:A11" else _move(m, 2, 0, 8) for m in project.merges]
    report = check_file(tmp_path, sheets)
    assert _errors(report) == [] and not by_code(report, "F104")


def test_unknown_row_is_an_info_never_an_error(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), {"附件3!B9": "备注", "附件3!C9": 5, "附件3!D9": 5}))
    assert not by_code(report, "F103")
    (info,) = by_code(report, "F104")
    assert info.severity == "info" and info.cell == "B9" and "“备注”不像资金来源" in info.message


def test_income_row_called_financial_appropriation(tmp_path):
    edits = {"附件2!B7": "其中：财政拨款：1762.55", "附件2!B8": None, "附件2!B9": None, "附件2!B10": None}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert not by_code(report, "S001") and not by_code(report, "F101")
    report = check_file(tmp_path, set_cells(clean_seed(), {**edits, "附件2!B7": "其中：财政拨款：1700"}), "b.xlsx")
    (finding,) = by_code(report, "F101")
    assert finding.cell == "B7"


def test_dept_income_listed_by_level(tmp_path):
    edits = {"附件2!B7": "其中：中央财政资金：762.55", "附件2!B8": "省级财政资金：1000", "附件2!B9": None,
             "附件2!B10": "其他资金："}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert not by_code(report, "S001") and not by_code(report, "F101")
    report = check_file(tmp_path, set_cells(clean_seed(), {**edits, "附件2!B8": "省级财政资金：900"}), "b.xlsx")
    assert [f.code for f in report.all_findings() if f.severity == "error"] == ["F101"]


def test_template_from_a_submission_keeps_its_source_rows(tmp_path):
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.cli import main
    from .samples import write_xlsx

    edits = {"附件3!B7": "其中：中央财政资金", "附件3!C7": 30, "附件3!D7": 30, "附件3!E7": 30,
             "附件3!B8": "省级财政资金", "附件3!C8": 40, "附件3!D8": 40, "附件3!E8": 40,
             "附件3!B9": "其他资金", "附件3!C9": 13, "附件3!D9": 13, "附件3!E9": 13}
    source, made = tmp_path / "in.xlsx", tmp_path / "t.xlsx"
    write_xlsx(source, set_cells(clean_seed(), edits))
    assert main(["template", "--from", str(source), "-o", str(made)]) == 0
    report = check_path(str(made))
    project = [f for f in report.forms if f.kind == "project_self_eval"][0].form
    assert {project.source_labels.get(k, k): project.sources[k]["full"].number for k in project.sources} == {
        "中央财政资金": 30, "省级财政资金": 40, "其他资金": 13, "当年财政拨款": None, "上年结转资金": None}
    assert not by_code(report, "F103") and not by_code(report, "F104")
