"""三级 rows with rows under them, on published tables (tests/data/published): each indicator counted once.

云南 隆阳 2022 (https://longyang.gov.cn/info/5311/13352539.htm) prints "一、示范区建立 … 15" over "1、…", "2、…",
"3、…" scoring 5 + 5 + 5 in one 二级指标 (and "二、化肥减量增效田间试验" 15 over 5 + 5 + 3 + 2): the heading is their
subtotal.  The check counted both, 总分 97.15（优） for a table whose rows give 67.15.  安徽 萧县 2023
(https://www.ahxx.gov.cn/grassroots/279/158998981.html) prints the reverse: "★补助各类瓜果蔬菜种植面积 20" over
"其中桃树种植面积 …" rows without 分值 or 得分, its parts, which were warned about as indicators without a 分值.
"""

from __future__ import annotations

import openpyxl
import pytest

from jixiao_xl.batch import run as batch_run
from jixiao_xl.cli import main
from jixiao_xl.read.model import num
from jixiao_xl.read.sheetspec import SheetSpec
from jixiao_xl.rules.check import check_path
from jixiao_xl.write.fill import fill

from .helpers import by_code
from .libreoffice import convert, soffice
from .published import table
from .samples import write_xlsx

LONGYANG = "yunnan_longyang_2022_project"
XIAOXIAN = "anhui_xiaoxian_zhangzhuangzhai_2023_project"
# 隆阳's rows as the table prints them, with the 总分 row the stored copy cuts off: 执行率得分 2.16 as printed and
# its 三级 rows each counted once (15 + 15 + 5 + 5 + 10 + 10 + 5 = 65 of the visible ones)
LONGYANG_TOTAL = ["总分", None, None, None, None, None, 67.16]
# 萧县's four "其中" rows under "★补助各类瓜果蔬菜种植面积 20 | 20" given 分值 and 得分 5 each: numbered parts
WEIGHTED_PARTS = {(r, c): 5 for r in range(12, 16) for c in (5, 8)}


def _write(tmp_path, name: str, edits: dict | None = None, rows: list | None = None, file: str | None = None):
    """The published table as an .xlsx; ``edits`` {(row, col) 1-based: value} change printed cells (an injected
    error), ``rows`` are appended below it."""
    data = table(name)
    grid = [list(r) for r in data["rows"]] + [list(r) for r in rows or ()]
    for (r, c), value in (edits or {}).items():
        grid[r - 1][c - 1] = value
    path = tmp_path / (file or f"{name}.xlsx")
    write_xlsx(path, [SheetSpec(data["sheet"], grid, list(data["merges"]))])
    return path


def _result_line(capsys, path) -> str:
    main(["check", str(path)])
    (line,) = [x.strip() for x in capsys.readouterr().out.splitlines() if x.strip().startswith("结果：")]
    return line


def test_longyang_items_under_a_heading_count_once(tmp_path, capsys):
    path = _write(tmp_path, LONGYANG)
    assert _result_line(capsys, path) == "结果：执行率 10.77%，执行率得分 2.15，分值合计 100，总分 67.15（中）"
    (form,) = check_path(str(path)).forms
    # the two headings are their items' subtotals; the 11 rows that count are the items and the other rows
    assert [i.level3.text for i in form.form.levels[0].aside] == ["一、示范区建立", "二、化肥减量增效田间试验"]
    assert [num(i.score) for i in form.form.indicators] == [5, 5, 5, 5, 5, 3, 2, 5, 5, 10, 10, 5]
    assert not [f for f in form.findings if f.code.startswith("W")]


def test_a_complete_copy_gets_no_false_total_error_and_fill_batch_agree(tmp_path, capsys):
    path = _write(tmp_path, LONGYANG, rows=[LONGYANG_TOTAL])
    report = check_path(str(path))
    assert not by_code(report, "W104")  # 67.16 = 2.16 + 65: once 总分应为 97.16
    assert [f.code for f in report.forms[0].findings if f.severity == "error"] == ["E104"]  # 2.16 for 2.15
    assert _result_line(capsys, path) == "结果：执行率 10.77%，执行率得分 2.15，分值合计 100，总分 67.15（中）"
    # fill writes the 总分 a form left blank from the same rows (the 执行率得分 as typed, as W104 adds it)
    blank = _write(tmp_path, LONGYANG, rows=[LONGYANG_TOTAL[:-1] + [None]], file="blank.xlsx")
    result = fill(str(blank), str(tmp_path / "filled.xlsx"))
    assert [(c.cell, c.new) for c in result.changes] == [("G24", 67.16)]
    # 汇总: what was submitted beside what the check computes
    batch_run([str(path)], str(tmp_path / "out"))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")["汇总"]
    head = [c.value for c in sheet[1]]
    (row,) = [dict(zip(head, r)) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]
    assert (row["填报总分"], row["复核总分"], row["复核等级"]) == (67.16, 67.15, "中")


def test_items_that_do_not_add_up_to_their_heading_are_said_so_not_guessed(tmp_path, capsys):
    # "3、施用配方肥" scored 4 under "一、示范区建立" 15: subtotal or indicator of its own cannot be told; no 总分
    # error from either guess, the 总分 is 无法复核 and W110 says why at the heading's 得分
    path = _write(tmp_path, LONGYANG, edits={(13, 7): 4.0}, rows=[LONGYANG_TOTAL])
    report = check_path(str(path))
    assert not by_code(report, "W104")
    (w110,) = by_code(report, "W110")
    assert (w110.severity, w110.cell, w110.expected, w110.found) == ("info", "G10", 14.0, 15.0)
    assert "得分 15，其下 3 项（“1、水稻侧深施肥+缓控释肥”至“3、施用配方肥”）得分之和为 5 + 5 + 4 = 14" in w110.message
    line = _result_line(capsys, path)
    assert line.endswith("分值合计 100，总分 无法复核")
    results = report.forms[0].results
    assert results.why("total_score") == ("无法复核：“一、示范区建立”得分 15 与其下 3 项之和 14 不符，"
                                          "分不清它是小计还是一项指标")


def test_xiaoxian_parts_without_weights_are_no_indicators(tmp_path, capsys):
    path = _write(tmp_path, XIAOXIAN)
    report = check_path(str(path))
    assert not by_code(report, "I106")  # was: 7 × "分值未填写" at E12 … E20 on the "其中" rows
    (form,) = report.forms
    assert [i.level3.text for i in form.form.indicators][:3] == ["★补助各类瓜果蔬菜种植面积", "★补助鱼塘面积",
                                                                 "★补助家畜家禽养殖数量"]
    # the table is cut off before its 满意度 rows: 10 + 50 + 30 is all it shows, and 90 of 90 is no grade
    assert _result_line(capsys, path) == ("结果：执行率 100.00%，执行率得分 10，分值合计 90，总分 90"
                                          "（等级无法复核：分值合计 90 ≠ 100）")


def test_a_wrong_item_score_is_blamed_on_the_item_not_its_subtotal(tmp_path, capsys):
    # the "其中" rows weighted 5 each (20 = the ★ row's): the ★ row is their subtotal; 产出 is 20 + 10 + 10 + 5 + 5
    path = _write(tmp_path, XIAOXIAN, edits=WEIGHTED_PARTS)
    report = check_path(str(path))
    assert not by_code(report, "W101")  # was: 产出指标标注 50 分，其下三级指标分值合计 70 分
    assert _result_line(capsys, path) == ("结果：执行率 100.00%，执行率得分 10，分值合计 90，总分 90"
                                          "（等级无法复核：分值合计 90 ≠ 100）")
    # 其中桃树种植面积 done 1亩 of 1.5亩 and still scored 5 of 5
    path = _write(tmp_path, XIAOXIAN, edits=WEIGHTED_PARTS | {(12, 7): "1亩"}, file="wrong.xlsx")
    report = check_path(str(path))
    (i103,) = by_code(report, "I103")
    assert (i103.cell, i103.expected, i103.found) == ("H12", 3.33, 5.0)
    assert not [f for f in report.forms[0].findings if f.cell in ("E11", "H11")]
    assert report.forms[0].results.total_score == 88.33  # 90 − 5 + 3.33: the item's score counts, once


def test_a_subtotal_score_that_is_not_its_items_sum_is_an_error_at_the_subtotal(tmp_path):
    path = _write(tmp_path, XIAOXIAN, edits=WEIGHTED_PARTS | {(15, 8): 4})  # 其中大棚蔬菜 scored 4, the ★ row 20
    report = check_path(str(path))
    (w109,) = by_code(report, "W109")
    assert (w109.cell, w109.expected, w109.found) == ("H11", 19.0, 20.0)
    assert "得分应为 5 + 5 + 5 + 4 = 19，现填 20" in w109.message
    assert report.forms[0].results.total_score == 89  # the items' 19, not the subtotal's 20


def test_weights_that_do_not_add_up_leave_the_weight_total_unjudged(tmp_path, capsys):
    path = _write(tmp_path, XIAOXIAN, edits=WEIGHTED_PARTS | {(15, 5): 4, (15, 8): 4})  # 5 + 5 + 5 + 4 under 20
    report = check_path(str(path))
    assert not [f for f in report.forms[0].findings if f.severity == "error"]  # no W101 / W102 from a guess
    (w110,) = by_code(report, "W110")
    assert (w110.cell, w110.expected, w110.found) == ("E11", 19.0, 20.0)
    assert _result_line(capsys, path) == "结果：执行率 100.00%，执行率得分 10，分值合计 无法复核，总分 无法复核"


@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")
def test_the_template_sums_a_subtotal_once(tmp_path):
    # template --from lays the subtotal row out with its SUM, and the 一级 header, 分值合计 and 总分 formulas leave
    # it out: LibreOffice recalculating the template shows what the check says of the table
    source = _write(tmp_path, XIAOXIAN, edits=WEIGHTED_PARTS)
    out = tmp_path / "template.xlsx"
    assert main(["template", "--from", str(source), "-o", str(out), "--profile", "national"]) == 0
    (recalculated,) = convert([out], tmp_path / "lo")
    sheet = openpyxl.load_workbook(recalculated, data_only=True)["附件3"]
    rows = {r[3]: r for r in sheet.iter_rows(values_only=True) if r[3]}
    assert rows["★补助各类瓜果蔬菜种植面积"][6:8] == (20, 20)
    (total,) = [r for r in sheet.iter_rows(values_only=True) if r[0] == "总分"]
    assert total[6:8] == (90, 90)
    header = next(r[1] for r in sheet.iter_rows(values_only=True) if r[1] and str(r[1]).startswith("产出指标"))
    assert header == "产出指标\n(50分)"
    (form,) = [f for f in check_path(str(recalculated)).forms if f.kind == "project_self_eval"]
    assert (form.results.weight_total, form.results.total_score) == (90, 90)
