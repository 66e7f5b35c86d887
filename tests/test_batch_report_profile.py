"""A 自评报告 in a ``batch`` inbox is compared with its unit's workbook as that workbook was checked: by the
profile ``check`` chooses from it (or --profile) and with --exec-mode, never by 湖南's rules.

Material: the published 廊坊市食品工程学校 2019 项目支出绩效自评表 (http://www.lfsp.cn/newsinfo/1158053.html,
tests/data/published/hebei_langfang_2019_project.json): 全年预算数 43.2, 全年执行数 37.24 (执行率 86.20%), 执行率得分
typed 9.  By 江西's bands (80%（含）—100%: 70% of 分值 10) it is 7; by proportion 8.62.  Reports are python-docx."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from jixiao_xl.cli import main

from .published import workbook

SENTENCE = "办公宿舍楼、食堂及餐厅暖通改造经费项目全年预算数43.2万元，全年执行数37.24万元，预算执行率86.2%，执行率得分7分。"


def _inbox(root: Path, unit: str, edits: dict | None = None) -> Path:
    folder = root / "收件" / unit
    folder.mkdir(parents=True)
    workbook("hebei_langfang_2019_project", folder, edits)
    document = docx.Document()
    for line in (f"{unit}2019年度项目支出绩效自评报告", SENTENCE):
        document.add_paragraph(line)
    document.save(folder / f"{unit}自评报告.docx")
    return root / "收件"


def _files(out: Path) -> tuple[dict, dict]:
    files = json.loads((out / "findings.json").read_text(encoding="utf-8"))["files"]
    (book,) = [f for f in files if f["path"].endswith(".xlsx")]
    (report,) = [f for f in files if f["path"].endswith(".docx")]
    return book, report


def _judged_alike(out: Path, printed: str) -> None:
    book, report = _files(out)
    (e104,) = [f for f in book["forms"][0]["findings"] if f["code"] == "E104"]
    assert "属于“80%（含）—100%”档，应得 7 分（分值 10 × 70%），现填 9" in e104["message"]
    assert [f["message"] for f in report["findings"] if f["severity"] == "error"] == []
    (t206,) = [f for f in report["findings"] if f["code"] == "T206"]
    assert "执行率得分 报告写 7分，与按校验更正后的数 7 分 一致" in t206["message"]
    assert "应得 7 分（分值 10 × 70%），现填 9（项目支出绩效自评表 H7）；请改正表中的数" in t206["message"]
    assert "8.62" not in t206["message"]
    assert "1 份自评报告（1 份已核对：1 份有警告；）" in printed


def test_batch_compares_a_report_under_the_province_its_workbook_is_of(tmp_path, capsys):
    """The published 廊坊 form as a 南昌 unit's (its 主管部门 and 实施单位 renamed): check chooses 江西 and scores the
    执行率 by its bands.  Before, the report was compared under 湖南's proportion:
    T203 错误 "执行率得分 报告写 7分，表中 [项目支出绩效自评表] 执行率得分 (H7) 为 9 分；表中此数有误：执行率得分应为
    分值 × 执行率 = 10 × 86.20% = 8.62，现填 9" — a right report called wrong, with a figure no check gave."""
    inbox = _inbox(tmp_path, "南昌市食品工程学校", {(5, 2): "南昌市发改委", (5, 6): "南昌市食品工程学校"})
    out = tmp_path / "结果"
    assert main(["batch", str(inbox), "-o", str(out)]) == 1
    book, _ = _files(out)
    assert book["profile"]["name"] == "jiangxi" and book["profile"]["known"]
    _judged_alike(out, capsys.readouterr().out)


def test_batch_compares_a_report_with_the_exec_mode_its_workbook_was_scored_with(tmp_path, capsys):
    """The published 廊坊 form as printed (河北), batch --exec-mode jiangxi: the workbook's 执行率得分 is checked by
    江西's bands (7).  Before, the report's check ignored --exec-mode: T203 错误 "…执行率得分应为 分值 × 执行率 =
    10 × 86.20% = 8.62，现填 9"."""
    inbox = _inbox(tmp_path, "廊坊市食品工程学校")
    out = tmp_path / "结果"
    assert main(["batch", str(inbox), "-o", str(out), "--exec-mode", "jiangxi"]) == 1
    book, _ = _files(out)
    assert book["profile"]["name"] == "hebei" and book["profile"]["exec_mode"] == "jiangxi"
    _judged_alike(out, capsys.readouterr().out)


def test_batch_compares_a_report_under_the_named_profile_and_exec_mode(tmp_path, capsys):
    """--profile hunan --exec-mode jiangxi: the workbook is checked by 湖南 with 江西's bands, and so is the report
    (the old code got this one right; it keeps a named profile from overriding the mode the book was scored with)."""
    inbox = _inbox(tmp_path, "廊坊市食品工程学校")
    out = tmp_path / "结果"
    assert main(["batch", str(inbox), "-o", str(out), "--profile", "hunan", "--exec-mode", "jiangxi"]) == 1
    book, _ = _files(out)
    assert book["profile"]["name"] == "hunan" and book["profile"]["exec_mode"] == "jiangxi"
    _judged_alike(out, capsys.readouterr().out)
