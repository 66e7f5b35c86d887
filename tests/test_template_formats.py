"""``template --from`` keeps each typed cell's number format (issue 24.5): a 重庆 table whose 指标值 / 完成值 are
numbers formatted as percentages shows the same text in the new workbook and is judged the same."""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.rules.check import check_path
from jixiao_xl.cli import main

from . import published as P
from .libreoffice import convert, profile_dir, soffice
from .samples import write_xlsx

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")

TABLE = "chongqing_xibukexuecheng_2021_department"
# (row, col) 1-based in the published table -> the value typed, and its number format
TYPED = {
    (17, 5): (1, "0%"),  # 政府采购执行率 年初指标值 100%
    (17, 7): (0.7274, "0.00%"),  # 全年完成值 72.74%
    (22, 5): (0.9, "0.0%"),  # 固定资产利用率 90.0%
    (22, 7): (1, "0%"),
    (20, 7): (datetime.datetime(2021, 12, 20), 'yyyy"年"m"月"d"日"'),  # 预决算信息公开性: a date
    (20, 5): ("2021年12月31日前", None),
    (26, 5): ("2200", "@"),  # 播发稿件数量: digits typed into a text cell
    (9, 9): (2, "0.00"),  # 财政供养人员控制率 指标权重 2.00
}
# what the accountant sees in each row of the indicator (LibreOffice's text, as shown): 指标值, 完成值
SHOWN = {
    "政府采购执行率": ("100%", "72.74%"),
    "固定资产利用率": ("90.0%", "100%"),
    "预决算信息公开性": ("2021年12月31日前", "2021年12月20日"),
    "播发稿件数量": ("2200", "2859篇"),
}
CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"  # every sheet, as shown


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The original (.xlsx, and the same saved as .xls by LibreOffice) and the template made from each."""
    root = tmp_path_factory.mktemp("tmplfmt")
    spec = P.spec(TABLE, {rc: value for rc, (value, _) in TYPED.items()})
    spec.formats.update({f"{chr(64 + c)}{r}": fmt for (r, c), (_, fmt) in TYPED.items() if fmt})
    original = root / "cq.xlsx"
    write_xlsx(original, [spec])
    profile = profile_dir(root / "lo")
    [xls] = convert([original], root / "xls", "xls", profile=profile)
    out = {"original": original, "xls": xls}
    for name, source in (("from_xlsx", original), ("from_xls", xls)):
        out[name] = root / f"{name}.xlsx"
        assert main(["template", "--from", str(source), "-o", str(out[name])]) == 0
    try:  # one CSV per sheet ("cq-部门整体绩效自评表.csv"), not the "cq.csv" convert looks for
        convert([out["original"], out["from_xlsx"], out["from_xls"]], root / "csv", CSV, profile=profile)
    except RuntimeError:
        pass
    out["csv"] = root / "csv"
    assert (out["csv"] / "from_xls-附件2.csv").exists()
    return out


def _rows(sheet) -> dict[str, tuple]:
    """Indicator name -> the row's cells, from a worksheet (openpyxl) or a CSV (lists of text)."""
    rows = {}
    for row in sheet:
        for i, cell in enumerate(row):
            value = getattr(cell, "value", cell)
            if value in SHOWN or value == "财政供养人员控制率":
                rows[value] = tuple(row[i:])
    return rows


def _csv(folder: Path, stem: str, sheet: str) -> dict[str, tuple]:
    with open(folder / f"{stem}-{sheet}.csv", encoding="utf-8", newline="") as handle:
        return _rows(list(csv.reader(handle)))


@pytest.mark.parametrize("made", ["from_xlsx", "from_xls"])
def test_formats_carried(books, made, capsys):
    ws = openpyxl.load_workbook(books[made])["附件2"]
    rows = _rows(ws.iter_rows())
    target, actual = rows["政府采购执行率"][1:3]
    assert (target.value, target.number_format) == (1, "0%")
    assert (actual.value, actual.number_format) == (0.7274, "0.00%")
    target, actual = rows["固定资产利用率"][1:3]
    assert (target.number_format, actual.number_format) == ("0.0%", "0%")
    date = rows["预决算信息公开性"][2]
    assert date.value == datetime.datetime(2021, 12, 20) and date.is_date
    assert "年" in date.number_format and "日" in date.number_format
    text = rows["播发稿件数量"][1]
    assert (text.value, text.number_format) == ("2200", "@")
    weight = rows["财政供养人员控制率"][3]  # 指标名称, 指标值, 完成值, 分值
    assert (weight.value, weight.number_format) == (2, "0.00")


def test_libreoffice_shows_what_the_original_showed(books):
    before = _csv(books["csv"], "cq", "部门整体绩效自评表")
    for made in ("from_xlsx", "from_xls"):
        after = _csv(books["csv"], made, "附件2")
        for name, (target, actual) in SHOWN.items():
            # the original's columns: 名称 单位 性质 年初指标值 调整指标值 全年完成值; the template's: 名称 指标值 完成值
            assert (before[name][3], before[name][5]) == (target, actual)
            assert after[name][1:3] == (target, actual), (made, name)
        assert before["财政供养人员控制率"][7] == after["财政供养人员控制率"][3] == "2.00"


def test_judged_the_same(books):
    original = check_path(str(books["original"])).forms[0]
    # the template has the 部门 row (S001), and makes the head's typed 自评总分 97.6 (W104: its parts add up to
    # 77.6) a formula, as every derived cell
    codes = Counter(f.code for f in original.findings if f.code not in ("S001", "W104"))
    (w104,) = [f for f in original.findings if f.code == "W104"]
    assert (w104.cell, w104.expected, w104.found) == ("J2", 77.6, 97.6)
    assert codes["I103"] == 2 and "I109" in codes  # 政府采购执行率 read as 100% / 72.74%; "2200" stays text
    assert any("完成值“72.74%”" in f.message for f in original.findings)
    for made in ("from_xlsx", "from_xls"):
        dept = next(f for f in check_path(str(books[made])).forms if f.kind == "dept_self_eval")
        assert Counter(f.code for f in dept.findings) == codes, made
        assert any("完成值“72.74%”" in f.message and f.code == "I103" for f in dept.findings)
        # 执行率 76% and 得分 7.6 typed over blank amounts (E109): neither the rate nor the total is recomputed
        assert dept.results.total_score is None and original.results.total_score is None
        assert dept.results.why("total_score") == original.results.why("total_score") == (
            "无法复核：总分含执行率得分，而全年执行数、全年预算数未填写，填报的执行率、得分无从核对")
