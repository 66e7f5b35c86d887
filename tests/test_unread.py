"""What was not read is never a result (issue 22): no 0 分 / 差 for a form whose scores or execution block
were not found — in JSON, in the text report, in the add-in's alert, in 汇总 and in what fill writes."""

from __future__ import annotations

import json

import openpyxl

from jixiao_xl.batch import run as batch_run
from jixiao_xl.cli import main
from jixiao_xl.write.fill import fill
from jixiao_xl.excel.xl import summary

from .helpers import check_file, clean_seed, form, set_cells

SCORES = {f"附件3!H{r}": None for r in range(13, 24)} | {"附件3!H24": None, "附件3!H6": None}
NO_EXEC = {f"附件3!{c}6": None for c in "CDEFGH"}


def project(report):
    return next(f for f in report.forms if f.kind == "project_self_eval")


def test_a_form_nobody_scored_is_unscored_not_zero_or_poor(tmp_path, capsys):
    specs = set_cells(clean_seed(), SCORES)
    report = check_file(tmp_path, specs)
    res = project(report).results
    assert res.total_score is None and res.grade is None
    assert res.why("total_score").startswith("未评分")
    assert res.exec_rate == 1.0 and res.exec_score == 10  # the execution block was read: it counts
    assert "总分 未评分" in summary(report) and "差" not in summary(report)
    # the other forms of the same workbook keep their totals
    assert form(report, "dept_self_eval").results.total_score == 99

    path = tmp_path / "book.xlsx"
    assert main(["check", str(path), "--json"]) in (0, 1)
    data = json.loads(capsys.readouterr().out)
    (entry,) = [f for f in data["files"][0]["forms"] if f["form"] == "project_self_eval"]
    assert entry["results"]["total_score"] is None and entry["results"]["grade"] is None
    assert entry["results"]["unread"]["total_score"].startswith("未评分")
    main(["check", str(path)])
    text = capsys.readouterr().out
    assert "执行率 100.00%，执行率得分 10，分值合计 100，总分 未评分" in text

    out = tmp_path / "filled.xlsx"
    fill(str(path), str(out))
    sheet = openpyxl.load_workbook(out)["附件3"]
    assert sheet["H24"].value is None  # no total and no grade written for a form nobody scored


def test_an_execution_block_not_read_is_not_a_zero_rate(tmp_path):
    report = check_file(tmp_path, set_cells(clean_seed(), NO_EXEC))
    res = project(report).results
    assert res.exec_rate is None and res.exec_score is None
    assert res.why("exec_rate").startswith("未读出：表中找不到执行情况")
    assert res.total_score == 90 and res.grade == "优"  # the indicators' 90 still stand, said as read
    assert not [f for f in project(report).findings if f.code in ("E101", "E104", "E106", "E107")]


def test_summary_says_unscored_and_unread_in_its_cells(tmp_path):
    from tests.samples import write_xlsx

    folder = tmp_path / "in"
    folder.mkdir()
    write_xlsx(folder / "unscored.xlsx", set_cells(clean_seed(), SCORES))
    write_xlsx(folder / "noexec.xlsx", set_cells(clean_seed(), NO_EXEC))
    batch_run([str(folder)], str(tmp_path / "out"))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["汇总"]
    head = [c.value for c in sheet[1]]
    rows = {(r[0], r[2][:5]): dict(zip(head, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    unscored = rows[("unscored.xlsx", "[附件3]")]
    assert unscored["复核总分"] == "未评分" and unscored["复核等级"] is None and unscored["执行率"] == 1
    noexec = rows[("noexec.xlsx", "[附件3]")]
    assert noexec["执行率"] == "未读出" and noexec["执行率得分"] == "未读出" and noexec["复核总分"] == 90
    assert rows[("unscored.xlsx", "[附件2]")]["复核总分"] == 99
