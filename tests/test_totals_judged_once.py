"""A total is shown only when every part of it was read, and every layer judges a stated total the same way.

The 结果 line, the add-in's alert, JSON, 汇总 (复核总分, 核对, 统计) and fill --overwrite-derived all follow
``compute.results``: a 执行率 block not read that the 分值 leave room for, or a 得分 nobody typed, leaves the
total 无法复核 (never the indicators' 90, never a suggested score counted as typed); a stated 执行率得分 or 总分
is right at the precision it was typed or formatted with (spec §5: 9.5 for 9.506, "99.0分" for 98.99), for the
rules, 汇总's 核对 and fill alike.  Found by a reviewer on /tmp/trialE's variants of the 10号文 project form.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from jixiao_xl.batch import run as batch_run
from jixiao_xl.cli import main
from jixiao_xl.excel.xl import summary
from jixiao_xl.write.fill import fill

from .helpers import check_file, clean_seed, set_cells
from .samples import write_xlsx

# 附件3 (B6 年度资金总额 | C 年初 D 全年 E 执行 F 分值 G 执行率 H 得分; indicators H13:H23; 总分 H24) with
# 78.9 of 83 executed: 95.06 %, 10 × 95.06 % = 9.51, 9.51 + 90 = 99.51
EXEC_95 = {"附件3!E6": 78.9, "附件3!E7": 78.9, "附件3!G6": 0.9506, "附件3!H6": 9.51, "附件3!H24": 99.51}


def project(report):
    return next(f for f in report.forms if f.kind == "project_self_eval")


def text_of(path, capsys) -> str:
    capsys.readouterr()
    main(["check", str(path)])
    return capsys.readouterr().out


def summary_rows(tmp_path, files: dict) -> tuple[dict, list]:
    """汇总's rows by file name (附件3 only) and 统计's rows, after a batch of ``files`` {name: specs}."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, specs in files.items():
        write_xlsx(folder / name, specs)
    batch_run([str(folder)], str(tmp_path / "out"), jobs=1)
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    sheet = book["汇总"]
    head = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(head, r)) for r in sheet.iter_rows(min_row=2, values_only=True)
            if r[0] and r[2].startswith("[附件3]")}
    return rows, [list(r) for r in book["统计"].iter_rows(values_only=True)]


def project_grades(stats: list) -> dict:
    """统计's 各等级数量: grade -> number of 附件3 forms."""
    start = next(i for i, r in enumerate(stats) if r[0] == "各等级数量（按复核总分）")
    return {r[0]: r[2] for r in stats[start + 2:start + 6]}


def filled(tmp_path, path, **options):
    out = tmp_path / f"filled{len(list(tmp_path.glob('filled*.xlsx')))}.xlsx"
    result = fill(str(path), str(out), **options)
    return result, openpyxl.load_workbook(out)["附件3"]


# --------------------------------------------------------------- the funds total row in its own words


@pytest.mark.parametrize("label", ["项目资金总额", "资金总额", "合计", "总计"])
def test_the_funds_total_row_is_read_under_its_other_names(tmp_path, capsys, label):
    # "项目资金总额" read "执行率 未读出 … 总分 90（优）" with one S001, and fill --overwrite-derived wrote 90 over 99.51
    report = check_file(tmp_path, set_cells(clean_seed(), EXEC_95 | {"附件3!B6": label}))
    form = project(report)
    assert "S001" not in [f.code for f in form.findings]
    assert (form.form.exec["full"].address, form.form.exec["executed"].address) == ("D6", "E6")
    assert "执行率 95.06%，执行率得分 9.51，分值合计 100，总分 99.51（优）" in text_of(report.path, capsys)
    result, sheet = filled(tmp_path, report.path, overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3"]
    assert (sheet["H6"].value, sheet["H24"].value) == (9.51, 99.51)


def test_a_bare_total_label_elsewhere_is_not_the_funds_total(tmp_path):
    # "合计" below the sources is not taken for the total of a block whose first row is labelled otherwise: the
    # layout does not say which row is the total, so the block is not read (S001) — and the total is 无法复核
    edits = EXEC_95 | {"附件3!B6": "本年资金", "附件3!B9": "合计", "附件3!C9": 83, "附件3!D9": 83, "附件3!E9": 78.9}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    form = project(report)
    assert "S001" in [f.code for f in form.findings]
    assert form.results.exec_rate is None and form.results.total_score is None


# --------------------------------------------------------------- an execution block not read


def test_a_total_whose_execution_part_was_not_read_is_not_checked_anywhere(tmp_path, capsys):
    # the 分值 (90) leave 10 to the 执行率, whose block was not read: 90 is not the total, nor 优
    edits = EXEC_95 | {"附件3!B6": "本年资金", "附件3!I24": "等级：优"}
    specs = set_cells(clean_seed(), edits)
    report = check_file(tmp_path, specs)
    res = project(report).results
    reason = "无法复核：总分含执行率得分（10 分），而表中找不到执行情况（年度资金总额的预算数、执行数）"
    assert (res.total_score, res.grade, res.why("total_score"), res.why("grade")) == (None, None, reason, reason)
    assert "执行率 未读出，执行率得分 未读出，分值合计 100，总分 无法复核" in text_of(report.path, capsys)
    assert "总分 无法复核" in summary(report).split("附件3")[1]
    main(["check", str(report.path), "--json"])
    (entry,) = [f for f in json.loads(capsys.readouterr().out)["files"][0]["forms"] if f["form"] == "project_self_eval"]
    assert entry["results"]["total_score"] is None and entry["results"]["unread"]["total_score"] == reason
    assert not [f for f in project(report).findings if f.code in ("W104", "W106")]

    result, sheet = filled(tmp_path, report.path, overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3" and c.cell in ("H24", "I24")]
    assert (sheet["H24"].value, sheet["I24"].value) == (99.51, "等级：优")

    rows, stats = summary_rows(tmp_path, {"noexec.xlsx": specs})
    row = rows["noexec.xlsx"]
    assert (row["执行率"], row["填报总分"], row["复核总分"], row["复核等级"]) == ("未读出", 99.51, "无法复核", None)
    assert row["核对"] == "无法复核" and row["差额"] is None
    assert project_grades(stats) == {"优": 0, "良": 0, "中": 0, "差": 0}


def test_fill_writes_no_zero_score_into_an_empty_execution_row(tmp_path):
    # the 年度资金总额 row and its sources all blank: fill wrote 执行率得分 0 into H6, then read the block as known
    # and "更正" the typed 99.51 to 90
    edits = {f"附件3!{c}{r}": None for c in "CDEGH" for r in (6, 7)} | {"附件3!H24": 99.51}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert project(report).results.why("exec_score").startswith("未读出")
    result, sheet = filled(tmp_path, report.path, overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3"]
    assert (sheet["H6"].value, sheet["H24"].value) == (None, 99.51)


def test_an_execution_block_not_read_leaves_no_gap_when_the_indicators_weigh_100(tmp_path):
    # 宁夏-like: the indicators' 分值 make 100 on their own, so the total does not wait for a 执行率 block
    edits = {f"附件3!{c}6": None for c in "CDEFGH"} | {"附件3!G13": 20, "附件3!H13": 20, "附件3!H24": 100}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    res = project(report).results
    assert res.exec_score is None and res.total_score == 100
    # with the profile's 执行率 分值 10 beside them the form is out of 110 (W102): 100 of 110 is no grade
    assert (res.weight_total, res.grade, res.why("grade")) == (110, None, "无法复核：分值合计 110 ≠ 100")
    assert [f.code for f in project(report).findings if f.code == "W102"] == ["W102"]


# --------------------------------------------------------------- 得分 nobody typed


@pytest.mark.parametrize("placeholder", [None, "/", "—"])
def test_a_total_over_blank_scores_is_not_checked_anywhere(tmp_path, capsys, placeholder):
    # H20 (满意度 ≥95 %, 99 % done: the rule gives 10) left blank, H19 (可持续影响, 5) "/" or blank: the total was
    # "85"-like (the rule's 10 counted as typed, H19 as 0 or its weight), 良/优 in 汇总 and 统计
    specs = set_cells(clean_seed(), {"附件3!H19": placeholder, "附件3!H20": None})
    report = check_file(tmp_path, specs)
    form = project(report)
    typed = f"（“{placeholder}”）" if placeholder else ""
    reason = f"无法复核：得分 H19{typed}、H20 未填写"
    assert (form.results.total_score, form.results.grade, form.results.why("total_score")) == (None, None, reason)
    assert "执行率 100.00%，执行率得分 10，分值合计 100，总分 无法复核" in text_of(report.path, capsys)
    (d001,) = [f for f in form.findings if f.code == "D001" and f.cell == "H20"]
    assert d001.expected == 10 and "本工具不会自动填写" in d001.message  # a suggestion, not a score

    result, sheet = filled(tmp_path, report.path, overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3"]
    assert (sheet["H19"].value, sheet["H20"].value, sheet["H24"].value) == (placeholder, None, 100)

    blank_total = set_cells(clean_seed(), {"附件3!H19": placeholder, "附件3!H20": None, "附件3!H24": None})
    report = check_file(tmp_path, blank_total, "blank_total.xlsx")
    assert not [f for f in project(report).findings if f.code == "D001" and f.cell == "H24"]
    result, sheet = filled(tmp_path, report.path)
    assert sheet["H24"].value is None  # no total written over blank scores

    rows, stats = summary_rows(tmp_path, {"blank.xlsx": specs})
    assert (rows["blank.xlsx"]["复核总分"], rows["blank.xlsx"]["核对"]) == ("无法复核", "无法复核")
    assert project_grades(stats) == {"优": 0, "良": 0, "中": 0, "差": 0}


@pytest.mark.parametrize("weight, score", [(0, None), ("/", "/"), ("/", None)])
def test_a_blank_score_of_a_row_without_weight_does_not_hold_the_total(tmp_path, weight, score):
    # a row with 分值 0, or marked not applicable by a 分值 of "/", weighs nothing: its blank 得分 holds no total
    edits = {"附件3!G22": weight, "附件3!H22": score, "附件3!G13": 15, "附件3!H13": 15}
    report = check_file(tmp_path, set_cells(clean_seed(), edits))
    assert (project(report).results.total_score, project(report).results.grade) == (100, "优")


# --------------------------------------------------------------- a stated score at the precision it states


@pytest.mark.parametrize("score, total", [(9.5, 99.5), ("9.5", "99.5分"), (9.51, 99.51), (9.506, 99.506)])
def test_a_score_right_at_its_precision_is_right_everywhere(tmp_path, score, total):
    # 10 × 95.06 % = 9.506: 9.5 is right at the one decimal typed; 汇总 said 不一致 (99.5 against 99.51) and
    # fill --overwrite-derived "更正" 9.5 → 9.51 and 99.5 → 99.51
    specs = set_cells(clean_seed(), EXEC_95 | {"附件3!H6": score, "附件3!H24": total})
    report = check_file(tmp_path, specs)
    assert not [f.code for f in project(report).findings if f.severity != "info"]
    result, sheet = filled(tmp_path, report.path, overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3"]
    assert (sheet["H6"].value, sheet["H24"].value) == (score, total)
    rows, _ = summary_rows(tmp_path, {"round.xlsx": specs})
    assert rows["round.xlsx"]["核对"] == "一致" and rows["round.xlsx"]["复核总分"] == 99.51


@pytest.mark.parametrize("score, total", [(10, 100), (9.4, 99.4)])
def test_a_score_wrong_at_its_precision_is_wrong_everywhere(tmp_path, score, total):
    # 10 is not 9.506 at any precision (a whole score is typed as such); 9.4 is not 9.5
    specs = set_cells(clean_seed(), EXEC_95 | {"附件3!H6": score, "附件3!H24": total})
    report = check_file(tmp_path, specs)
    assert [(f.code, f.cell) for f in project(report).findings if f.code == "E104"] == [("E104", "H6")]
    result, sheet = filled(tmp_path, report.path, overwrite_derived=True)
    assert {c.cell: (c.old, c.new) for c in result.changes if c.sheet == "附件3"} == {
        "H6": (score, 9.51), "H24": (total, 99.51)}
    rows, _ = summary_rows(tmp_path, {"wrong.xlsx": specs})
    assert rows["wrong.xlsx"]["核对"] == "不一致"


# H13 8.99 (with its reason): 10 + 8.99 + 80 = 98.99
TOTAL_98_99 = {"附件3!H13": 8.99, "附件3!I13": "个别站点尚在完善"}


def _total_cell(tmp_path, value, number_format=None):
    specs = set_cells(clean_seed(), TOTAL_98_99 | {"附件3!H24": value})
    if number_format:
        next(s for s in specs if s.name == "附件3").formats["H24"] = number_format
    return specs, check_file(tmp_path, specs)


@pytest.mark.parametrize("value, number_format", [("99.0分", None), (99, "0.0"), (99.0, "0.0"), ("99.0", None)])
def test_a_total_stated_to_one_decimal_is_right_at_that_decimal(tmp_path, value, number_format):
    # 98.99 is 99.0 at the one decimal written or shown: W104 said "应为 … 98.99，现填 99"
    specs, report = _total_cell(tmp_path, value, number_format)
    assert project(report).results.total_score == 98.99
    assert not [f for f in project(report).findings if f.code == "W104"]
    result, _ = filled(tmp_path, report.path, overwrite_derived=True)
    assert not [c for c in result.changes if c.sheet == "附件3" and c.cell == "H24"]
    rows, _ = summary_rows(tmp_path, {"one_decimal.xlsx": specs})
    assert rows["one_decimal.xlsx"]["核对"] == "一致"


def test_a_whole_total_is_not_a_rounded_one(tmp_path):
    # 99 in a General cell states a whole number: 98.99 is not it (W104, as before)
    _, report = _total_cell(tmp_path, 99)
    (w104,) = [f for f in project(report).findings if f.code == "W104"]
    assert w104.message.endswith("总分得分应为执行率得分与各三级指标得分之和 98.99，现填 99")


@pytest.mark.parametrize("value, number_format", [("97.0分", None), (97, "0.0")])
def test_w104_quotes_the_total_as_the_cell_shows_it(tmp_path, value, number_format):
    _, report = _total_cell(tmp_path, value, number_format)
    (w104,) = [f for f in project(report).findings if f.code == "W104"]
    assert w104.message.endswith("总分得分应为执行率得分与各三级指标得分之和 98.99，现填 97.0")
    assert w104.found == 97.0
