"""What a reviewer prints and mails back from 汇总.xlsx: every text whole, every row as tall as its text.

A reviewer's trial (a county's inbox: the seed with its 公务用车 mistake, a workbook with an open password,
one open in Excel beside its lock file) found 退回清单 cutting each problem to 34 characters ("…公车运行维…":
the unit was not told "= 9，现填 17"; "文件已加密（设置了打开密码）…": not "请取消密码后再提交"), and, printed,
the lock file's note in 附件 running on under the next row, file paths cut off in 汇总, 统计 and 跨年.  The
workbook is read back with openpyxl and printed by LibreOffice (pdftotext reads the pages).
"""

from __future__ import annotations

import itertools
import math
import shutil
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.cli import main

from . import report_docs as D
from .test_batch_summary import _pdf_pages, needs_lo
from .test_seed import EXAMPLE

B111 = ("附件1 B7：公务用车购置和维护经费应为 公车购置 + 公车运行维护 = 0 + 9 = 9，现填 17"
        "（改正后“三公”经费 17 = 9 + 0 + 8 也相符）")
ENCRYPTED = "平江县交通运输局.xlsx 无法读取：文件已加密（设置了打开密码），请取消密码后再提交"
LOCK_NOTE = ("Excel 或 WPS 打开“汨罗市卫生健康局.xlsx”时生成的锁定文件（临时文件，说明“汨罗市卫生健康局.xlsx”"
             "正在别处打开），未校验")


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("printed")
    inbox = root / "收件"
    (inbox / "汨罗").mkdir(parents=True)
    (inbox / "平江").mkdir()
    shutil.copy(EXAMPLE, inbox / "汨罗" / "汨罗市司法局2023.xlsx")
    book = openpyxl.load_workbook(EXAMPLE)
    for cell in ("附件2!B3", "附件3!B4", "附件3!F4"):
        sheet, ref = cell.split("!")
        book[sheet][ref] = "汨罗市卫生健康局"
    book.save(inbox / "汨罗" / "汨罗市卫生健康局.xlsx")
    # the lock file Excel leaves beside a workbook it has open (owner's name, padded)
    (inbox / "汨罗" / "~$汨罗市卫生健康局.xlsx").write_bytes(b"\x0czhangsan".ljust(165, b"\x20"))
    (inbox / "汨罗" / "现场照片.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")  # 附件's row after the note
    D.encrypted(inbox / "平江" / "平江县交通运输局.xlsx", EXAMPLE)
    out = root / "out"
    assert main(["batch", str(inbox), "-o", str(out), "--jobs", "1", "--store", str(root / "绩效库.sqlite")]) == 2
    return out / "汇总.xlsx"


def _rows(book, name: str) -> list[dict]:
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _width(ws, column: int) -> float:
    """A column's width as the sheet sets it (one <col> may set several columns alike)."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= column <= dim.max:
            return dim.width
    return 8.43


def _lines_at_least(text: str, width: float) -> int:
    """Lines a text takes at the least in a column ``width`` characters wide (a Chinese character two)."""
    return sum(max(1, math.ceil(sum(2 if ord(ch) >= 0x2E80 else 1 for ch in part) / width))
               for part in text.split("\n"))


def test_return_list_gives_each_problem_whole_wrapped_in_a_row_as_tall_as_it(summary):
    book = openpyxl.load_workbook(summary)
    ws = book["退回清单"]
    header = [c.value for c in ws[1]]
    column = header.index("首先要改的问题（前 3 个错误）")
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    justice, transport = rows["汨罗市司法局"][column], rows["平江县交通运输局"][column]
    assert justice.value == f"1. {B111}"  # was "1. 附件1 B7：公务用车购置和维护经费应为 公车购置 + 公车运行维…"
    assert transport.value == f"1. {ENCRYPTED}"  # was "…文件已加密（设置了打开密码）…"
    width = _width(ws, justice.column)
    for cell in (justice, transport):
        assert cell.alignment.wrap_text
        lines = _lines_at_least(cell.value, width)
        assert lines >= 2 and ws.row_dimensions[cell.row].height >= 15 * lines, (cell.value, width)
    # printed: A4 across, one page wide, the header row on every page
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.print_title_rows) == ("landscape", 9, "$1:$1")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0


def test_no_sheet_cuts_a_text_and_every_wrapped_row_holds_its_lines(summary):
    """Every sheet of 汇总.xlsx: no text ends cut ("…"), and a row holding a wrapped text longer than its column
    is tall enough for its lines (LibreOffice, WPS and Excel do not grow it when printing)."""
    book = openpyxl.load_workbook(summary)
    assert {"汇总", "统计", "退回清单", "问题明细", "无法读取", "附件", "跨年"} <= set(book.sheetnames)
    tall = []
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                assert not cell.value.endswith("…"), (ws.title, cell.coordinate, cell.value)
                width = _width(ws, cell.column)
                lines = _lines_at_least(cell.value, width)
                if lines > 1 and ws.title != "统计" or lines > 1 and cell.row > 1 and cell.column > 1:
                    assert cell.alignment.wrap_text, (ws.title, cell.coordinate, cell.value)
                    assert (ws.row_dimensions[cell.row].height or 15) >= 15 * lines, (ws.title, cell.coordinate)
                    tall.append(ws.title)
    # the files' paths in 跨年 (the store's, absolute), the lock file's note, the problems sent back
    assert {"跨年", "附件", "退回清单"} <= set(tall)


@needs_lo
def test_printed_pages_show_each_text_whole_before_the_next_row(summary, tmp_path):
    pages = _pdf_pages(summary, tmp_path)
    sheet = {name: "\n".join(p for p in pages if f"批量校验 — {name}" in p)
             for name in ("统计", "退回清单", "附件", "跨年")}
    assert all(sheet.values()), [p[:80] for p in pages]

    def line_of(name: str, text: str, start: int = 0) -> int:
        lines = sheet[name].splitlines()
        return next(i for i, line in enumerate(lines) if i >= start and text in line)

    returned = sheet["退回清单"]
    assert "现填" in returned and "也相符）" in returned and "请取消密码后再提交" in returned
    book = openpyxl.load_workbook(summary)
    rows = _rows(book, "退回清单")
    assert [row["单位"] for row in rows] == ["平江县交通运输局", "汨罗市卫生健康局", "汨罗市司法局"]
    # each unit's problems whole inside its own row: their ends above the next unit
    ends = {"平江县交通运输局": "后再提交", "汨罗市卫生健康局": "也相符）"}
    for row, after in itertools.pairwise(rows):
        start = line_of("退回清单", row["单位"])
        assert line_of("退回清单", ends[row["单位"]], start) < line_of("退回清单", after["单位"]), returned
    # 附件: the lock file's note ends above the next file (it ran on under 现场照片.jpg)
    files = [row["文件"] for row in _rows(book, "附件")]
    below = files[files.index("汨罗/~$汨罗市卫生健康局.xlsx") + 1]
    assert line_of("附件", "别处打开），未校验") < line_of("附件", below), sheet["附件"]
    # 统计's items whole (was "其中与工作簿核对" beside its number)
    assert "其中与工作簿核对的" in sheet["统计"]
    # 跨年: this year's file, its path wrapped to its end (was cut at the column's edge)
    assert "汨罗市司法局2023.xlsx" in sheet["跨年"].replace("\n", "").replace(" ", "") or \
        "2023.xlsx" in sheet["跨年"], sheet["跨年"]
