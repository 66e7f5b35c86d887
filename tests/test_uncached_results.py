"""A workbook saved without formula results (written by a program, never opened in Excel): the 结果 line and
D001's suggested values agree with each other and with what Excel (here LibreOffice) shows on opening (issue 24.8)."""

from __future__ import annotations

import openpyxl
import pytest

from jixiao_xl.rules.check import check_path
from jixiao_xl.cli import main

from .libreoffice import convert, soffice
from .test_template import SEED_TEMPLATE

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    root = tmp_path_factory.mktemp("uncached")
    saved = root / "saved.xlsx"
    openpyxl.load_workbook(SEED_TEMPLATE).save(saved)  # openpyxl keeps the formulas, drops their results
    [opened] = convert([saved], root / "lo", "xlsx")  # recalculated on load, as Excel does on opening
    return saved, opened


def test_the_file_has_formulas_without_results(books):
    saved, _ = books
    values = openpyxl.load_workbook(saved, data_only=True)["附件3"]
    formulas = openpyxl.load_workbook(saved)["附件3"]
    for address in ("D6", "E6", "H6", "H24"):
        assert str(formulas[address].value).startswith("=") and values[address].value is None


def test_result_line_and_d001_agree_with_what_excel_shows(books, capsys):
    saved, opened = books
    shown = openpyxl.load_workbook(opened, data_only=True)["附件3"]
    assert (shown["D6"].value, shown["G6"].value, shown["H6"].value, shown["H24"].value) == (83, 1, 10, 100)
    report = check_path(str(saved))
    project = next(f for f in report.forms if f.kind == "project_self_eval")
    assert (project.results.exec_rate, project.results.exec_score, project.results.total_score) == (1, 10, 100)
    d001 = {f.cell: f.expected for f in project.findings if f.code == "D001"}
    assert d001 == {"C6": 83, "D6": 83, "E6": 83, "G6": 1, "H6": 10, "G24": 100, "H24": 100}
    assert d001["H6"] == shown["H6"].value and d001["H24"] == shown["H24"].value
    assert "E103" not in {f.code for f in project.findings}  # 全年预算数 is a formula without result, not empty
    assert any(f.code == "S002" and f.sheet == "附件3" for f in report.findings)  # which S002 says
    # printed: the 结果 line and the hints say the same
    main(["check", str(saved)])
    out = capsys.readouterr().out
    assert "结果：执行率 100.00%，执行率得分 10，分值合计 100，总分 100（优）" in out
    # a formula without its result is said to be one, not "未填写" (S002 names them all)
    assert "[附件3] 总分 得分 (H24)：是公式，但文件中没有保存结果（见 S002），按表内数据应为 100（可用 jixiao-xl fill 保存结果）" in out
    assert "[附件3] 年度资金总额 得分 (H6)：是公式，但文件中没有保存结果（见 S002），按表内数据应为 10" in out
    assert "未填写，按表内数据应为" not in out


def test_fill_writes_the_same(books, tmp_path, capsys):
    saved, _ = books
    out = tmp_path / "filled.xlsx"
    assert main(["fill", str(saved), "-o", str(out)]) in (0, 1)
    filled = openpyxl.load_workbook(out, data_only=True)["附件3"]
    assert (filled["H6"].value, filled["H24"].value) == (10, 100)
    assert check_path(str(out)).forms[-1].results.total_score == 100
