"""One owner for each computed number: a form's results are a frozen record made of its judged rows, and
D001's suggested 得分, the 总分, the button, the report and the JSON all read those rows.

Checked on every rule case's workbook (tests/rule_cases.py) with the 得分 left blank, on the 259 published
indicator rows (tests/data/indicator_rows.jsonl), and end to end on the committed example with the row the
issue found (预算调整率, target 3%, actual 0, 得分 blank: D001 said 0 while the 总分 counted 10).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.compute import results as C
from jixiao_xl.read import forms as F
from jixiao_xl.compute import scoring as S
from jixiao_xl.rules.check import check_workbook
from jixiao_xl.read.model import num
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_forms
from jixiao_xl.rules import general
from jixiao_xl.rules.base import Context
from jixiao_xl.compute.targets import judge

from .helpers import clean_seed, set_cells, to_grids
from .rule_cases import CASES
from .test_corpus import ROWS, _form

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"


def _scores_blank_but_first(edits: dict, sheets: list | None = None):
    """The case's workbook with every 得分 blank except each form's first (so the form is scored)."""
    grids = to_grids(set_cells(clean_seed() if sheets is None else sheets, dict(edits)))
    for form in read_forms(grids).forms:
        grid = next(g for g in grids if g.name == form.sheet)
        for ind in getattr(form, "indicators", [])[1:]:
            if ind.score is not None and ind.row < len(grid.rows) and ind.score.col < len(grid.rows[ind.row]):
                grid.rows[ind.row][ind.score.col] = None
    return read_forms(grids, "t.xlsx")


def _agree(form_report, profile) -> int:
    """D001 at each blank 得分 is the judged row's score, that score is what the 总分 counts, and the row's
    judgement is what ``targets.judge`` gives the row read alone; returns the suggestions compared."""
    form, res = form_report.form, form_report.results
    d001 = {f.cell: f.expected for f in form_report.findings if f.code == "D001"}
    assert [r.ind for r in res.rows] == form.indicators
    compared = 0
    for row in res.rows:
        ind = row.ind
        alone = judge(ind.target.raw, ind.actual.raw, num(ind.weight), level1=ind.level1, level2=ind.level2,
                      name=ind.level3.text, scoring=profile.scoring, percent=ind.actual.percent,
                      target_percent=ind.target.percent, year=form.year or form.book_year)
        assert row.judged == alone and row.reason == alone.explain()
        assert (row.target, row.actual) == (ind.target.raw, ind.actual.raw)
        if ind.score is None or not ind.score.blank:
            continue
        if row.suggested is None:  # no score by rule: nothing suggested, and the row counts 0
            assert ind.score.address not in d001 and row.effective == 0
            continue
        assert d001[ind.score.address] == S.round2(row.effective) == S.round2(row.suggested), ind.score.address
        compared += 1
    if res.total_score is not None:
        assert res.total_score == S.round2((res.exec_score or 0) + sum(r.effective for r in res.rows))
    return compared


def test_every_d001_suggestion_on_the_rule_cases_is_the_score_the_total_counts():
    compared, forms = 0, 0
    for case in CASES:
        chosen = None if case.profile == "auto" else get_profile(case.profile)
        report = check_workbook(_scores_blank_but_first(case.edits, case.sheets()), chosen)
        profile = chosen or get_profile(report.profile["name"])  # "auto": the one the workbook points to
        for form_report in report.forms:
            if form_report.kind == "basic_data":
                continue
            forms += 1
            compared += _agree(form_report, profile)
    assert forms >= 2 * len(CASES) - 10
    assert compared >= 100  # quantitative rows with a blank 得分 among them: the comparison is not empty


def _corpus_form(profile):
    form = _form(ROWS)
    for ind in form.indicators:  # every 得分 blank but the first: the evaluator has not scored them yet
        if ind.row:
            ind.score = dataclasses.replace(ind.score, raw=None)
    return form


@pytest.mark.parametrize("profile_name", ["hunan", "national", "hubei"])
def test_every_d001_suggestion_on_the_published_rows_is_the_judged_rows_score(profile_name):
    profile = get_profile(profile_name)
    form = _corpus_form(profile)
    ctx = Context(profile)
    findings = list(general.DERIVED_BLANK.check(general.DERIVED_BLANK, form, ctx))
    report = type("FormReport", (), {"form": form, "results": ctx.results(form), "findings": findings})
    assert len(report.results.rows) == len(ROWS) == 259
    compared = _agree(report, profile)
    assert compared >= 100
    # the rows where a score read without the row's names and % marks differs (the second path D001 had):
    # the test would catch it coming back
    other = [r for r in report.results.rows[1:] if r.suggested is not None and r.suggested != S.indicator_score(
        r.target, r.actual, r.weight, profile.scoring, year=form.year)]
    assert other, "the corpus no longer has a row that tells the two ways of scoring apart"


def test_results_are_frozen_records_with_the_json_of_before():
    book = read_forms(to_grids(clean_seed()), "t.xlsx")
    report = check_workbook(book, get_profile())
    basic, dept, project = (f.results for f in report.forms)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dept.total_score = 0  # type: ignore[misc]
    with pytest.raises(TypeError):
        dept.unread["total_score"] = "x"  # type: ignore[index]
    assert list(basic.to_dict()) == [r.key for r in C.RATES]
    assert dept.to_dict() == {"exec_rate": 1.0, "exec_score": 10.0, "weight_total": 100.0, "total_score": 99.0,
                              "grade": "优"}
    assert [f["results"] for f in report.to_dict()["forms"]][1] == dept.to_dict()
    assert "rows" not in report.to_dict()["forms"][2]["results"]  # the JSON contract is unchanged
    assert len(project.rows) == len(report.forms[2].form.indicators) > 0


def test_a_result_not_read_is_none_with_why():
    grids = to_grids(clean_seed())
    forms = read_forms(grids).forms
    grid = next(g for g in grids if g.name == "附件3")
    project = next(f for f in forms if f.sheet == "附件3")
    for cell in [ind.score for ind in project.indicators] + [project.total_score]:  # nobody has scored it yet
        grid.rows[cell.row][cell.col] = None
    report = check_workbook(read_forms(grids, "t.xlsx"), get_profile())
    res = report.forms[2].results
    assert res.total_score is None and res.grade is None and res.why("total_score").startswith("未评分")
    assert C.total_text(res) == "总分 未评分" and C.shown(res, "exec_rate") == "100.00%"
    assert res.to_dict()["unread"] == {"total_score": C.UNSCORED, "grade": C.UNSCORED}


def test_the_rate_relations_have_one_home():
    """compute.RATES is what the results and the derived cells divide: the funds rows it rates are the ones
    the layout gives a 控制率 column, and a building's rate cell divides the entries the total rate sums."""
    assert {r.row for r in C.RATES if r.where == "fund"} == {f.key for f in F.FUND_ROWS if f.rated}
    assert [f.name for f in dataclasses.fields(C.BasicResults) if f.name != "unread"] == [r.key for r in C.RATES]
    from jixiao_xl.compute.derive import derived

    book = read_forms(to_grids(clean_seed()), "t.xlsx")
    basic = book.forms[0]
    res = C.results(basic, get_profile())
    staff = next(d for d in derived(basic, get_profile(), res) if d.cell is basic.staff["staff_rate"])
    assert staff.value == res.staff_control_rate == 1.0
    assert res.sangong_control_rate == S.ratio(C.amount(basic, "sangong", "actual"), C.amount(basic, "sangong", "budget"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "jixiao_xl", *args], check=False, capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=120)


def test_the_issue_example_d001_suggests_and_the_total_waits_for_the_score(tmp_path):
    """附件3's first 三级指标 set to 预算调整率, target 3%, actual 0, 得分 blank, on the committed example."""
    book = openpyxl.load_workbook(EXAMPLE)
    sheet = book["附件3"]
    assert (sheet["D12"].value, sheet["G12"].value, sheet["H12"].value) == ("三级指标", "分值", "得分")
    sheet["D13"], sheet["E13"], sheet["F13"], sheet["H13"] = "预算调整率", "3%", "0", None
    path = tmp_path / "预算调整率.xlsx"
    book.save(path)

    done = _cli("check", str(path), "--json")
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    project = next(f for f in data["files"][0]["forms"] if f["form"] == "project_self_eval")
    (d001,) = [f for f in project["findings"] if f["code"] == "D001" and f["cell"] == "H13"]
    assert d001["expected"] == 10  # 预算调整率 is a ceiling: 0 ≤ 3 % meets it
    # the suggestion is not counted as if typed: with H13 blank the total is 无法复核 (it was 10 + 80 + 10 = 100)
    assert project["results"]["total_score"] is None and project["results"]["grade"] is None
    assert project["results"]["unread"]["total_score"] == "无法复核：得分 H13 未填写"

    text = _cli("check", str(path)).stdout
    assert "得分 (H13)：未填写，按表内数据应为 10（" in text
    assert "分值合计 100，总分 无法复核" in text.split("[附件3]")[1]


def test_weight_total_of_a_form_that_states_its_indicators_weight_in_the_section_header(tmp_path):
    """湖北's project form has no 分值 column: "年度绩效目标(90分)" states all indicators together, so 分值合计 is the
    执行率 weight plus that (as printed), never the difference."""
    from jixiao_xl.read.model import num
    from jixiao_xl.rules.check import check_path

    from .published import table, workbook

    name = "hubei_unknown-jinbu_2020_project"
    printed = table(name)["printed"]
    (form_report,) = check_path(str(workbook(name, tmp_path))).forms
    assert num(form_report.form.indicators_weight) == printed["level1"]["年度绩效目标"]
    assert form_report.results.weight_total == printed["exec_weight"] + printed["level1"]["年度绩效目标"]
