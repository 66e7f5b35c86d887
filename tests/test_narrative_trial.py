"""report check after a user trial: whose figure it is, approximate wording, counts, staff, bad workbooks.

Every case is a real .docx written with python-docx and checked as a user would (library or command line).
"""

from __future__ import annotations

import re

import pytest

from jixiao_xl.cli import main
from jixiao_xl.narrative.checker import check_report
from .samples import seed_sheets, write_xlsx

from . import report_docs as D
from .helpers import set_cells

TITLE = "2023年度汨罗市司法局部门整体支出绩效自评报告"
PROJECT = "司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援）"
# a message's label (after "：") never starts with a stray bracket or punctuation
STRAY = re.compile(r"”：[)）”’」』\]】〕》、，,；;：:]")


def _check(tmp_path, lines, workbooks=(D.WORKBOOK,), name="r.docx"):
    return check_report(str(D.build(tmp_path / name, lines)), list(workbooks))


def _found(report, severities=("error", "warning")):
    return sorted((f.code, f.cell) for f in report.findings if f.severity in severities)


def _no_stray_labels(report):
    for finding in report.findings:
        assert not STRAY.search(finding.message), finding.message


# ------------------------------------------------------------------ 1. a figure is compared only with its own subject


def _draft(tmp_path):
    out = tmp_path / "初稿.docx"
    assert main(["report", "draft", D.WORKBOOK, "-o", str(out)]) == 0
    return out


def test_draft_checked_without_a_workbook_gives_no_warning(tmp_path, capsys):
    out = _draft(tmp_path)
    capsys.readouterr()
    report = check_report(str(out), [])
    assert [f.code for f in report.findings if f.code != "T106"] == ["T303"], [f.message for f in report.findings]
    main(["report", "check", str(out)])
    printed = capsys.readouterr().out
    assert "T103" not in printed and "0 个错误，15 个警告，1 个提示" in printed  # the warnings: its 【请填写：…】


def test_draft_in_a_batch_folder_without_a_workbook_gives_no_warning(tmp_path, capsys):
    from jixiao_xl import batch

    inbox = tmp_path / "收件" / "司法局"
    inbox.mkdir(parents=True)
    _draft(inbox)
    result = batch.run([str(tmp_path / "收件")], str(tmp_path / "out"), jobs=1)
    (entry,) = [r for r in result.results if r["rel"].endswith("初稿.docx")]
    codes = [f["code"] for f in entry["report"]["findings"]]
    assert sorted(codes) == ["T106", "T303"]  # its 15 【请填写：…】: one line for the report
    (left,) = [f for f in entry["report"]["findings"] if f["code"] == "T106"]
    assert "留有 15 处占位" in left["message"] and left["found"] == 15
    assert entry["rows"][0][-1] == "有警告", entry["rows"]  # not 通过: the draft is unfinished


SUBJECTS = [
    TITLE,
    "六、部门整体支出绩效情况",
    "部门整体支出年初预算数1238.36万元，全年预算数1762.55万元，全年执行数1762.55万元，执行率100%。",
    "项目1：禁毒宣传",  # a project's heading inside the 部门 report: its figures are that project's
    "年初预算数50万元，全年预算数50万元，执行率100%。",
    "“禁毒宣传（线上，线下）”年初预算数50万元。",  # named, but not a table's project
    "七、存在的主要问题",
    "2023年度禁毒宣传项目支出绩效评价报告",
    "项目年初预算数50万元，全年预算数50万元，全年执行数50万元。",
]


def test_repeats_are_compared_within_one_subject_only(tmp_path):
    report = _check(tmp_path, SUBJECTS, workbooks=())
    assert _found(report) == [], [f.message for f in report.findings]
    # within one subject a figure written twice differently is still found, with a clean label
    changed = SUBJECTS + ["该项目年初预算数55万元。"]
    report = _check(tmp_path, changed, workbooks=(), name="w.docx")
    (repeat,) = [f for f in report.findings if f.code == "T103"]
    assert (repeat.cell, repeat.expected, repeat.found) == ("第10段", 50.0, 55.0)
    assert "：该项目年初预算数 写作 55 万元，而第9段" in repeat.message
    # and the 部门's figures still among themselves
    changed = SUBJECTS[:3] + ["部门整体支出全年执行数1760.55万元。"] + SUBJECTS[3:]
    report = _check(tmp_path, changed, workbooks=(), name="d.docx")
    assert _found(report) == [("T103", "第4段")]
    _no_stray_labels(report)


def test_a_figure_whose_project_is_not_certain_is_not_matched_to_the_department(tmp_path):
    report = _check(tmp_path, SUBJECTS[:6])
    assert _found(report) == [], [f.message for f in report.findings]
    unmatched = [f for f in report.findings if f.code == "T301" and f.cell in ("第5段", "第6段")]
    assert len(unmatched) == 4 and all("没有写明是部门整体还是哪个项目的数" in f.message for f in unmatched)
    assert any("：年初预算数 50万元" in f.message for f in unmatched)  # not "线下）”年初预算数"
    _no_stray_labels(report)


# ------------------------------------------------------------------ 2. approximate wording


@pytest.mark.parametrize("sentence", [
    "执行率约为99.99%。", "执行率约99.9%。", "执行率近99.5%。", "执行率为99.9%左右。", "执行率超过99.9%。",
    "执行率达99%以上。",
])
def test_approximate_rate_close_to_the_table_is_no_error(tmp_path, sentence):
    report = _check(tmp_path, [TITLE, sentence])
    assert _found(report) == [], [f.message for f in report.findings]


def test_approximate_rate_far_from_the_table_is_still_an_error(tmp_path):
    report = _check(tmp_path, [TITLE, "执行率约为80%。"])
    (rate,) = [f for f in report.findings if f.code == "T202"]
    assert (rate.severity, rate.expected, rate.found) == ("error", 1.0, 0.8)
    assert "：执行率约为 报告写 80%，按表 [附件2] 执行率 (G5) 为 100.00%" in rate.message, rate.message


def test_approximate_project_rate_after_a_bracket(tmp_path):
    sentence = f"{PROJECT}执行率约为99.99%。"
    report = _check(tmp_path, [TITLE, sentence])
    assert _found(report) == [], [f.message for f in report.findings]
    wrong = _check(tmp_path, [TITLE, f"{PROJECT}执行率约为90%。"], name="w.docx")
    (rate,) = [f for f in wrong.findings if f.code == "T202"]
    assert "：执行率约为 报告写 90%，按表 [附件3] 执行率 (G6) 为 100.00%" in rate.message, rate.message
    _no_stray_labels(wrong)


# ------------------------------------------------------------------ 3. parts of counts, every unit


@pytest.mark.parametrize("unit", ["次", "场", "人", "人次", "件", "个", "项", "期", "名", "户", "篇"])
def test_count_parts_not_adding_up_for_every_unit(tmp_path, unit):
    sentence = f"全年共组织培训3{unit}，其中：线上培训2{unit}，线下培训2{unit}。"
    report = _check(tmp_path, [TITLE, sentence], workbooks=())
    (count,) = [f for f in report.findings if f.code == "T104"]
    assert (count.cell, count.expected, count.found) == ("第2段", 3.0, 4.0)
    assert f"全年共组织培训 3{unit}，其中各项之和 2{unit} + 2{unit} = 4{unit}" in count.message
    right = _check(tmp_path, [TITLE, sentence.replace(f"线下培训2{unit}", f"线下培训1{unit}")], workbooks=(),
                   name="ok.docx")
    assert _found(right) == []


def test_count_in_ten_thousands_keeps_its_rounding(tmp_path):
    sentence = "全年服务群众1.5万人次，其中：线上0.9万人次，线下0.6万人次。"
    assert _found(_check(tmp_path, [TITLE, sentence], workbooks=())) == []


# ------------------------------------------------------------------ 4. 附件1's staff figures


def _staff_book(tmp_path, actual):
    book = tmp_path / "book.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), {"附件1!C4": actual}))
    return str(book)


def test_staff_figures_against_annex1(tmp_path):
    report = _check(tmp_path, [TITLE, "编制数81人，实际在职人数80人，财政供养人员控制率100%。"])
    (staff,) = [f for f in report.findings if f.severity != "info"]
    assert (staff.code, staff.severity, staff.cell, staff.expected, staff.found) == ("T205", "error", "第2段", 81.0,
                                                                                      80.0)
    assert "：实际在职人数 报告写 80人，表中 [附件1] 财政供养人员 实际在职人数 (C4) 为 81 人" in staff.message
    assert _found(_check(tmp_path, [TITLE, "编制数81人，实际在职人数81人，控制率100%。"], name="ok.docx")) == []


def test_bare_control_rate_after_staff_figures_is_the_staff_control_rate(tmp_path):
    book = _staff_book(tmp_path, 80)
    report = _check(tmp_path, [TITLE, "编制数81人，实际在职人数80人，控制率100%。"], workbooks=(book,))
    (rate,) = [f for f in report.findings if f.severity != "info"]
    assert (rate.code, rate.expected, rate.found) == ("T202", round(80 / 81, 6), 1.0)
    assert "实际在职人数 80 (C4) ÷ 编制数 81 (B4) = 98.77%" in rate.message, rate.message
    report = _check(tmp_path, [TITLE, "编制数81人，实际在职人数81人，控制率98.77%。"], workbooks=(book,), name="w.docx")
    assert _found(report) == [("T205", "第2段")]


@pytest.mark.parametrize("sentence", [
    "现有人数107人，其中:在职82人(其中:全额80人，差额2人)，退休25人。",  # 在职 is not 附件1's column
    "行政编制10人，事业编制71人。",  # kinds of 编制, not the 编制数
    "实际在职人数比上年增加2人。",  # a change
])
def test_other_head_counts_are_not_the_staff_figures(tmp_path, sentence):
    report = _check(tmp_path, [TITLE, sentence])
    assert not [f for f in report.findings if f.code in ("T205", "T301")], [f.message for f in report.findings]


# ------------------------------------------------------------------ 5. a workbook that cannot be read


@pytest.mark.parametrize("make, reason", [
    (lambda d: d / "不存在.xlsx", "找不到文件"),
    (lambda d: (d / "坏.xlsx").write_bytes(b"PK\x03\x04 not really") and d / "坏.xlsx", "文件已损坏"),
])
def test_unreadable_workbook_on_the_command_line(tmp_path, capsys, make, reason):
    report = D.build(tmp_path / "报告.docx", [TITLE, "公用经费340.27万元。"])
    workbook = make(tmp_path)
    assert main(["report", "check", str(report), str(workbook)]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"jixiao-xl：{workbook}：") and reason in line
    assert "Traceback" not in captured.err + captured.out and "Error" not in captured.err


@pytest.mark.parametrize("sentence, code", [
    ("按照“过紧日子”要求，年初预算数1238.36万元。", None),  # a quote that names no project: the 部门's
    ("按照“过紧日子”要求，年初预算数1200万元。", "T201"),
    ("“禁毒宣传”年初预算数50万元，全年预算数50万元。", "T301"),  # a project's, all through the sentence
    ("“禁毒宣传”年初预算数50万元，部门整体支出全年预算数1762.55万元。", "T301"),  # the 部门 named last: checked
    ("“禁毒宣传”年初预算数50万元，部门整体支出全年预算数1700万元。", "T201 T301"),
])
def test_the_last_subject_named_before_a_figure_decides(tmp_path, sentence, code):
    report = _check(tmp_path, [TITLE, sentence])
    found = sorted({f.code for f in report.findings if f.code not in ("T302",)})
    assert found == (code.split() if code else []), [f.message for f in report.findings]
