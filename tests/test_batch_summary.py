"""batch's 汇总.xlsx for a reviewer: submitted vs recomputed, statistics with charts, and print-ready pages.

The pages are checked the way a reviewer sees them: LibreOffice renders the
workbook to PDF and pdftotext reads what each page shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl import batch
from jixiao_xl.cli import main
from jixiao_xl.write.fill import fill
from .libreoffice import convert, profile_dir, soffice

from .test_seed import EXAMPLE

TEMPLATE_EXAMPLE = EXAMPLE.parent / "miluo_sifaju_2023_template.xlsx"
REGIONS = {"岳阳县": 14, "平江县": 12}  # copies of the seed per first-level folder


def _typed_95(path: Path) -> None:
    """The seed with 附件2's 总分 typed as 95 (the rules recompute 99)."""
    book = openpyxl.load_workbook(EXAMPLE)
    book["附件2"]["H25"] = 95
    book.save(path)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("county")
    for region, count in REGIONS.items():
        for i in range(count):
            folder = root / region / f"单位{i:02d}"
            folder.mkdir(parents=True)
            shutil.copy(EXAMPLE, folder / "自评.xlsx")
    _typed_95(root / "岳阳县" / "单位00" / "自评.xlsx")
    shutil.copy(TEMPLATE_EXAMPLE, root / "平江县" / "单位00" / "自评.xlsx")
    return root


@pytest.fixture(scope="module")
def summary(inbox, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert main(["batch", str(inbox), "-o", str(out), "--by", "地区", "--jobs", "2"]) == 1
    return out / "汇总.xlsx"


def _rows(book, sheet):
    rows = [[c.value for c in r] for r in book[sheet].iter_rows()]
    return rows[0], rows[1:]


def test_submitted_beside_recomputed(summary):
    book = openpyxl.load_workbook(summary)
    header, rows = _rows(book, "汇总")
    assert header == ["地区"] + batch.SUMMARY_COLUMNS
    col = {name: i for i, name in enumerate(header)}
    typed = next(r for r in rows if r[col["文件"]] == "岳阳县/单位00/自评.xlsx" and "附件2" in r[col["表"]])
    assert [typed[col[k]] for k in ("单位", "填报总分", "复核总分", "差额", "复核等级", "核对")] == [
        "汨罗市司法局", 95, 99, -4, "优", "不一致"]
    same = next(r for r in rows if r[col["文件"]] == "岳阳县/单位01/自评.xlsx" and "附件3" in r[col["表"]])
    assert [same[col[k]] for k in ("地区", "单位", "项目", "填报总分", "复核总分", "差额", "核对")] == [
        "岳阳县", "汨罗市司法局", "司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援）", 100, 100, 0, "一致"]
    graded = next(r for r in rows if r[col["文件"]] == "平江县/单位00/自评.xlsx" and "附件2" in r[col["表"]])
    assert [graded[col[k]] for k in ("填报等级", "复核等级", "核对")] == ["优", "优", "一致"]  # its form states 等级
    # every row names its unit and project, 附件1 rows too
    assert all(r[col["单位"]] == "汨罗市司法局" for r in rows)
    basic = next(r for r in rows if "附件1" in r[col["表"]])
    assert basic[col["项目"]] == "（部门整体）" and basic[col["复核总分"]] is None and basic[col["核对"]] is None
    # the difference is flagged red
    ws = book["汇总"]
    flags = {(str(cf.sqref), rule.formula[0]): rule.dxf.fill.bgColor.rgb
             for cf in ws.conditional_formatting for rule in cf.rules}
    assert flags[(f"M2:M{ws.max_row}", '"不一致"')].endswith("FFC7CE")
    assert ws.column_dimensions["F"].number_format == "0.00%"  # 执行率


def test_statistics_sheet(summary):
    book = openpyxl.load_workbook(summary)
    assert book.sheetnames == ["汇总", "统计", "退回清单", "问题明细", "无法读取", "附件"]
    rows = [[c for c in r] for r in book["统计"].iter_rows(values_only=True)]

    def table(title):
        start = next(i for i, r in enumerate(rows) if r[0] == title)
        end = next((i for i in range(start + 2, len(rows)) if rows[i][0] is None), len(rows))
        return rows[start + 1][: rows[start + 1].index(None) if None in rows[start + 1] else None], rows[start + 2:end]

    head, grades = table("各等级数量（按复核总分）")
    assert head == ["复核等级", "部门整体（附件2）", "项目（附件3）", "合计"]
    total = sum(REGIONS.values())
    assert grades[0][:4] == ["优", total, total, 2 * total] and [g[3] for g in grades[1:]] == [0, 0, 0]

    head, groups = table("按地区：各等级数量")
    assert head[:2] == ["地区", "优"] and head[-1] == "不一致"
    assert [(g[0], g[1], g[-1]) for g in groups] == [("岳阳县", 28, 1), ("平江县", 24, 0)] or \
        [(g[0], g[1], g[-1]) for g in groups] == [("平江县", 24, 0), ("岳阳县", 28, 1)]

    head, top = table("最常见的问题（前 20 个，按涉及的单位数）")
    assert head == ["代码", "问题", "严重程度", "单位数", "次数"]
    by_code = {r[0]: r for r in top}
    assert by_code["B121"][1:5] == ["公用经费决算超过预算（公用经费控制率超过100%）", "警告", total, total]
    assert by_code["B111"][3] == total - 1  # the template example has no B111 error
    assert top[0][3] >= top[-1][3]  # most frequent first

    head, ranked = table("各工作簿错误、警告数（从多到少）")
    assert head == ["名次", "单位", "文件", "错误数", "警告数"]
    assert ranked[0][0] == 1 and ranked[-1][2] == "平江县/单位00/自评.xlsx" and ranked[-1][3] == 0

    _, rates = table("执行率分布")
    assert dict((r[0], r[1]) for r in rates)["100%"] == 2 * total
    _, scores = table("复核总分分布")
    assert dict((r[0], r[1]) for r in scores)["95分及以上"] == 2 * total

    with zipfile.ZipFile(summary) as archive:  # two native charts: grades (column) and problems (bar)
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    kinds = sorted("barDir val=\"bar\"" in c and "bar" or "col" for c in charts)
    assert kinds == ["bar", "col"]
    assert any("统计!$A$" in c and "各等级数量" in c for c in charts)


def test_closing_line_counts_the_differences(inbox, tmp_path):
    result = batch.run([str(inbox / "岳阳县" / "单位00"), str(inbox / "岳阳县" / "单位01")], str(tmp_path), jobs=1)
    assert "；1 张表填报的总分或等级与复核不一致（见汇总表“核对”列）。" in result.closing_line()


def test_by_authority(inbox, tmp_path):
    result = batch.run([str(inbox / "平江县")], str(tmp_path), jobs=1, by="authority")
    header, rows = _rows(openpyxl.load_workbook(tmp_path / "汇总.xlsx"), "汇总")
    assert header[0] == "主管部门" and {r[0] for r in rows} == {"汨罗市司法局"}
    assert result.exit_code == 1


def _pdf_pages(xlsx: Path, outdir: Path) -> list[str]:
    lo = profile_dir(outdir / "lo")
    (pdf,) = convert([xlsx], outdir, "pdf", profile=lo, timeout=300)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = re.findall(r"Page +\d+ size:\s+(.*)", info)
    assert sizes and all(re.fullmatch(r"841\.\d+ x 595\.\d+ pts \(A4\)", s) for s in sizes), sizes  # A4 landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


needs_lo = pytest.mark.skipif(soffice() is None and not os.environ.get("CI"), reason="LibreOffice is not installed")


@needs_lo
def test_summary_prints_landscape_one_page_wide(summary, tmp_path):
    pages = _pdf_pages(summary, tmp_path)
    sheets = [next((s for s in ("汇总", "统计", "退回清单", "问题明细", "无法读取", "附件") if f"批量校验 — {s}" in p), None)
              for p in pages]
    assert None not in sheets
    summary_pages = [p for p, s in zip(pages, sheets) if s == "汇总"]
    # 78 rows of 15 columns: every column on every page, the header repeated, a few pages only
    assert 2 <= len(summary_pages) <= 6
    for page in summary_pages:
        heading = " ".join(page.split("\n")[:6])
        for column in ("文件", "单位", "项目", "执行率", "填报总分", "复核总分", "差额", "核对", "状态"):
            assert column in heading, (column, page[:400])
    first = summary_pages[0]
    assert "岳阳县/单位00/" in first and "100.00%" in first and "不一致" in first and "1.2673" not in first
    assert "汨罗市司法局" in first
    assert f"共 {len(pages)} 页" in pages[-1]
    detail_pages = [p for p, s in zip(pages, sheets) if s == "问题明细"]
    for page in detail_pages:  # 说明 is on the same page as the file it belongs to
        assert "严重程度" in page and "说明" in page
    assert "公用经费控制率" in detail_pages[0]
    assert sheets.count("统计") <= 3


@needs_lo
def test_results_sheet_prints_on_one_page_with_percentages(tmp_path):
    filled = tmp_path / "filled.xlsx"
    fill(str(EXAMPLE), str(filled), mark=True)
    book = openpyxl.load_workbook(filled)
    ws = book["校验结果"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    for name in list(book.sheetnames):  # render only the 校验结果 sheet
        if name != "校验结果":
            del book[name]
    only = tmp_path / "results.xlsx"
    book.save(only)
    pages = _pdf_pages(only, tmp_path)
    assert len(pages) == 1
    page = pages[0]
    b121 = next(line for line in page.splitlines() if line.strip().startswith("B121"))
    assert b121.split()[-2:] == ["100.00%", "126.73%"]  # 应为 / 实际 as percentages, not 1 / 1.2673
    assert "1.2673" not in page
    assert "现填 17" in page and "也相符" in page  # the long message wrapped, not cut


def test_statistics_with_nothing_readable(tmp_path):
    inbox = tmp_path / "in"
    (inbox / "县").mkdir(parents=True)
    (inbox / "县" / "坏.xlsx").write_bytes(b"not a workbook")
    result = batch.run([str(inbox)], str(tmp_path / "out"), jobs=1, by="region")
    assert result.exit_code == 2
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    rows = [r for r in book["统计"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "各等级数量（按复核总分）")  # after 文件与单位
    rows = rows[start:]
    assert rows[1][:4] == ("复核等级", "部门整体（附件2）", "项目（附件3）", "合计")
    assert [r[:4] for r in rows[2:6]] == [("优", 0, 0, 0), ("良", 0, 0, 0), ("中", 0, 0, 0), ("差", 0, 0, 0)]
    assert list(book["无法读取"].iter_rows(min_row=2, values_only=True))[0][0] == "县/坏.xlsx"


def test_grouped_run_keeps_the_unreadable_and_attachment_widths(tmp_path):
    """--by adds a group column to 汇总 and 问题明细 only; 无法读取 and 附件 keep their own widths
    (they were once laid out as if they had the group column: 文件 12 characters wide)."""
    inbox = tmp_path / "in" / "岳阳县"
    inbox.mkdir(parents=True)
    shutil.copy(EXAMPLE, inbox / "自评.xlsx")
    (inbox / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    (inbox / "报告扫描件.pdf").write_bytes(b"%PDF-1.4")
    batch.run([str(tmp_path / "in")], str(tmp_path / "out"), jobs=1, by="region")
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")

    def widths(name, columns="AB"):
        ws = book[name]
        return [round(ws.column_dimensions[c].width) for c in columns]

    assert book["汇总"]["A1"].value == "地区" and widths("汇总")[0] == 13  # 12 characters + padding
    assert [c.value for c in book["无法读取"][1]] == ["文件", "代码", "原因"]
    assert widths("无法读取", "ABC") == [51, 8, 91]
    assert book["附件"]["A1"].value == "文件" and widths("附件") == [51, 71]
    # the reason's code (problems.py) beside its text: a zip that is not one is a damaged file
    assert [c.value for c in book["无法读取"][2]] == ["岳阳县/坏文件.xlsx", "U002", "文件已损坏（压缩包不完整），请重新保存后再提交"]
    assert book["附件"]["A2"].value == "岳阳县/报告扫描件.pdf"


def test_lists_longer_than_a_sheet_go_on_in_continuation_sheets(tmp_path, monkeypatch):
    """A sheet holds 1,048,576 rows: a province-wide run with more findings goes on in 问题明细（续1）…,
    every sheet with its header, filters and page set-up, no row lost or repeated (the limit is made
    small here: the same code splits at Excel's)."""
    inbox = tmp_path / "in"
    for i in range(3):
        (inbox / f"单位{i}").mkdir(parents=True)
        shutil.copy(EXAMPLE, inbox / f"单位{i}" / "自评.xlsx")
    full = batch.run([str(inbox)], str(tmp_path / "full"), jobs=1)
    whole = openpyxl.load_workbook(tmp_path / "full" / "汇总.xlsx")
    details = [r for r in whole["问题明细"].iter_rows(min_row=2, values_only=True)]
    summary = [r for r in whole["汇总"].iter_rows(min_row=2, values_only=True)]
    assert len(details) == 18 and len(summary) == 9  # the seed's 6 findings and 3 forms, three times

    monkeypatch.setattr(batch.summary, "MAX_ROWS", 4)
    batch.write_summary(full, tmp_path / "split.xlsx")
    book = openpyxl.load_workbook(tmp_path / "split.xlsx")
    assert book.sheetnames == ["汇总", "汇总（续1）", "汇总（续2）", "统计", "退回清单", "问题明细", "问题明细（续1）",
                               "问题明细（续2）", "问题明细（续3）", "问题明细（续4）", "无法读取", "附件"]

    def rows(prefix, header):
        out = []
        for ws in (book[n] for n in book.sheetnames if n.startswith(prefix)):
            assert [c.value for c in ws[1]] == header and ws.max_row <= 5
            assert ws.auto_filter.ref and ws.print_title_rows == "$1:$1"
            out += list(ws.iter_rows(min_row=2, values_only=True))
        return out

    assert rows("问题明细", batch.DETAIL_COLUMNS) == details
    assert rows("汇总", batch.SUMMARY_COLUMNS) == summary
    assert book["问题明细（续1）"].oddHeader.center.text == "绩效自评批量校验 — 问题明细（续1）"
