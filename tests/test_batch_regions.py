"""A county bureau's inbox sorted by region: each region's folder holds its units' files flat (汨罗/, 平江/), as a
reviewer saves the e-mailed attachments.  One unit's workbook arrived in two regions' folders, a unit's only
workbook cannot be opened, a unit sent only its report.  退回清单 must hold one row per unit, each named, with
what to send back to that unit.  Real files: the seed (openpyxl), an encrypted copy (msoffcrypto), a cut-off copy,
.docx reports (python-docx)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl import batch
from jixiao_xl.cli import main

from . import report_docs as D
from .helpers import clean_seed, set_cells
from .samples import write_xlsx
from .test_seed import EXAMPLE


def _unit_book(path: Path, name: str) -> None:
    """The clean seed as another unit's workbook (its 预算部门, 主管部门 and 实施单位 renamed)."""
    write_xlsx(path, set_cells(clean_seed(), {"附件2!B3": name, "附件3!B4": name, "附件3!F4": name}))


@pytest.fixture(scope="module")
def regions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("regions") / "2023年自评材料"
    miluo, pingjiang, xiangyin = root / "汨罗", root / "平江", root / "湘阴"
    for folder in (miluo, pingjiang, xiangyin):
        folder.mkdir(parents=True)
    shutil.copy(EXAMPLE, miluo / "汨罗市司法局2023.xlsx")  # the seed: B111 in 附件1 B7
    D.build(miluo / "汨罗市司法局自评报告.docx", D.seed_report_lines())
    _unit_book(miluo / "汨罗市财政局.xlsx", "汨罗市财政局")
    shutil.copy(EXAMPLE, pingjiang / "汨罗市司法局2023.xlsx")  # the same workbook, saved in 平江's folder too
    _unit_book(pingjiang / "平江县文化旅游广电局.xlsx", "平江县文化旅游广电局")
    D.encrypted(pingjiang / "平江县交通运输局.xlsx", EXAMPLE)  # its only workbook, with an opening password
    lines = [line.replace("汨罗市司法局", "平江县林业局") for line in D.seed_report_lines()]
    D.build(pingjiang / "平江县林业局自评报告.docx", lines)  # a report, no workbook
    # a region with one readable unit: the other unit's cut-off workbook is not that unit's
    _unit_book(xiangyin / "湘阴县文化旅游广电局.xlsx", "湘阴县文化旅游广电局")
    (xiangyin / "湘阴县交通运输局.xlsx").write_bytes(EXAMPLE.read_bytes()[:4000])
    return root


@pytest.fixture(scope="module")
def checked(regions, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    code = main(["batch", str(regions), "-o", str(out), "--jobs", "2"])
    book = openpyxl.load_workbook(out / batch.SUMMARY_NAME)
    rows = list(book["退回清单"].iter_rows(values_only=True))
    return code, {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}, rows


def test_one_units_workbook_in_two_regions_folders_is_one_row(checked):
    """Before: 汨罗市司法局 twice, "平江 … 缺少自评报告" beside "汨罗 …" — two mails for one unit, one of them
    asking for a report it had sent."""
    _, by_unit, rows = checked
    assert [row[0] for row in rows[1:]].count("汨罗市司法局") == 1
    justice = by_unit["汨罗市司法局"]
    assert (justice["文件夹"], justice["处理"], justice["错误数"], justice["警告数"]) == ("平江、汨罗", "需退回", 1, 2)
    assert justice["首先要改的问题（前 3 个错误）"].startswith("1. 附件1 B7：公务用车购置和维护经费应为")
    assert "\n" not in justice["首先要改的问题（前 3 个错误）"]  # the copy's B111 not repeated
    assert justice["缺少的材料"] is None  # its report, in 汨罗, is found


def test_a_unit_whose_only_file_cannot_be_read_or_is_its_report_is_named_by_the_file(checked, capsys):
    """Before: three rows "（无法确定单位） … 请核实"; 湘阴县交通运输局's cut-off file was given to 湘阴县文化旅游广电局."""
    code, by_unit, _ = checked
    assert "（无法确定单位）" not in by_unit
    transport = by_unit["平江县交通运输局"]
    assert (transport["文件夹"], transport["处理"], transport["缺少的材料"]) == ("平江", "需退回", "缺少工作簿、自评报告")
    assert transport["首先要改的问题（前 3 个错误）"].startswith("1. 平江县交通运输局.xlsx 无法读取：文件已加密")
    forestry = by_unit["平江县林业局"]
    assert (forestry["处理"], forestry["缺少的材料"]) == ("需退回", "缺少工作簿")
    xiangyin = by_unit["湘阴县交通运输局"]
    assert xiangyin["首先要改的问题（前 3 个错误）"].startswith("1. 湘阴县交通运输局.xlsx 无法读取：文件已损坏")
    culture = by_unit["湘阴县文化旅游广电局"]
    assert (culture["处理"], culture["错误数"], culture["首先要改的问题（前 3 个错误）"]) == ("请核实", 0, None)
    assert sorted(by_unit) == sorted(["汨罗市司法局", "汨罗市财政局", "平江县文化旅游广电局", "平江县交通运输局",
                                      "平江县林业局", "湘阴县文化旅游广电局", "湘阴县交通运输局"])
    assert code == 2


def test_a_report_checked_against_no_workbook_is_not_counted_as_checked_against_one(regions, tmp_path, capsys):
    """平江县林业局's report had no workbook to be checked against (汇总: "自评报告（未对照工作簿）").  Before: the last
    line said "2 份自评报告（2 份已核对）" and 统计 "其中与工作簿核对的 2"."""
    main(["batch", str(regions), "-o", str(tmp_path / "out"), "--jobs", "2"])
    line = capsys.readouterr().out
    assert "2 份自评报告（2 份已核对：1 份未对照工作簿）" in line, line
    sheet = openpyxl.load_workbook(tmp_path / "out" / batch.SUMMARY_NAME)["统计"]
    counts = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert (counts["自评报告"], counts["其中与工作簿核对的"]) == (2, 1)


def test_the_store_names_the_two_copies_by_their_folders(regions, tmp_path, capsys):
    """--store keeps one of the two copies and says which files repeat each other.  Before: "汨罗市司法局2023.xlsx 与
    汨罗市司法局2023.xlsx 同为…" — the same name twice, which copy to delete not told."""
    import re

    main(["batch", str(regions), "-o", str(tmp_path / "out"), "--jobs", "2", "--store", str(tmp_path / "库.sqlite")])
    out = capsys.readouterr().out
    assert re.search("(平江|汨罗)/汨罗市司法局2023.xlsx 与 (平江|汨罗)/汨罗市司法局2023.xlsx 同为汨罗市司法局 2023 年", out), out


def test_a_file_name_ending_like_a_unit_by_chance_names_no_unit(tmp_path, capsys):
    """"31_链接到外部.xlsx" (a damaged file beside 汨罗市司法局's workbook) ends in 部 as 宣传部 does: it was taken for
    a unit "链接到外部" of its own, splitting the folder.  Ordinary words ending as units do (外部, 网站, 座谈会) name
    a unit only with a place or an organ before them (平江县委宣传部); the damaged file stays with its folder's unit."""
    from jixiao_xl.read.values import unit_in_name

    assert [unit_in_name(t) for t in ("31_链接到外部", "网站截图", "座谈会纪要", "会议室照片")] == ["", "", "", ""]
    assert [unit_in_name(t) for t in ("平江县委宣传部自评报告", "汨罗市妇联2023", "住建局_附件1", "三市镇人民政府")] == \
        ["平江县委宣传部", "汨罗市妇联", "住建局", "三市镇人民政府"]
    folder = tmp_path / "收件" / "汨罗"
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLE, folder / "汨罗市司法局2023.xlsx")
    (folder / "31_链接到外部.xlsx").write_bytes(EXAMPLE.read_bytes()[:4000])
    main(["batch", str(tmp_path / "收件"), "-o", str(tmp_path / "out"), "--jobs", "1"])
    capsys.readouterr()
    rows = list(openpyxl.load_workbook(tmp_path / "out" / batch.SUMMARY_NAME)["退回清单"].iter_rows(values_only=True))
    units = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert list(units) == ["汨罗市司法局"]
    assert "31_链接到外部.xlsx 无法读取" in units["汨罗市司法局"]["首先要改的问题（前 3 个错误）"]
