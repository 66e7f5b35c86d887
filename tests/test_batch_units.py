"""batch counts what is what (工作簿, 自评报告, other attachments), finds each unit's material and what is
missing (缺少工作簿), and lists the units to return (退回清单); 问题明细 keeps the 提示 rows out of print.

A county's inbox as it arrives: one folder per unit, real workbooks (the seed), real .docx reports
(tests/report_docs.py), a unit that sent only a scanned PDF, one whose workbook cannot be read.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl import batch
from jixiao_xl.cli import main
from jixiao_xl.narrative.rules import BY_CODE as REPORT_RULES
from jixiao_xl.rules import BY_CODE

from . import report_docs as D
from .test_batch_summary import _pdf_pages, needs_lo
from .test_seed import EXAMPLE

# a real one-page PDF (what a scanner or "print to PDF" writes, cut to the minimum)
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
       b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("units") / "收件"
    lines = D.seed_report_lines()
    # 司法局: its workbook and a report claiming 公用经费控制率在100%以下 (it is 126.73%): T202
    (root / "司法局").mkdir(parents=True)
    shutil.copy(EXAMPLE, root / "司法局" / "自评.xlsx")
    D.build(root / "司法局" / "自评报告.docx",
            D.edit(lines, "三公经费控制率在100%以下", "三公经费控制率为75.76%，公用经费控制率在100%以下"))
    # 财政局: two workbooks of one department (总分 typed 95 in one), its report, photos in a sub-folder
    (root / "财政局" / "附件材料").mkdir(parents=True)
    book = openpyxl.load_workbook(EXAMPLE)
    book["附件2"]["H25"] = 95
    book.save(root / "财政局" / "自评.xlsx")
    shutil.copy(EXAMPLE, root / "财政局" / "自评（修改稿）.xlsx")
    D.build(root / "财政局" / "2023年度部门整体支出绩效自评报告.docx", lines)
    (root / "财政局" / "附件材料" / "现场照片.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    # 教育局: only a scan
    (root / "教育局").mkdir()
    (root / "教育局" / "扫描件.pdf").write_bytes(PDF)
    # 卫健委: a workbook that is not one, a note
    (root / "卫健委").mkdir()
    (root / "卫健委" / "自评表.xlsx").write_bytes(b"PK\x03\x04 cut off in the upload")
    (root / "卫健委" / "说明.txt").write_text("表格另行报送", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def done(inbox, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = batch.run([str(inbox)], str(out), jobs=2)
    return result, out, openpyxl.load_workbook(out / batch.SUMMARY_NAME)


def _rows(book, sheet):
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_closing_line_counts_workbooks_reports_attachments_and_units(done):
    result, _, _ = done
    c = result.counts()
    assert (c["workbooks"], c["forms"], c["unreadable"]) == (4, 9, 1)  # 3 read (3 forms each), 1 not
    assert (c["reports"], c["reports_checked"], c["attachments"]) == (2, 2, 3)  # jpg, the scan, the note
    assert c["files"] == 9 == c["workbooks"] + c["reports"] + c["attachments"]
    assert (c["units"], c["units_without_workbook"]) == (4, 2)
    line = result.closing_line()
    assert line.startswith("共 9 个文件，其中 4 个工作簿（9 张表）：0 个通过，0 个有警告，3 个有错误，1 个无法读取；"
                           "2 份自评报告（2 份已核对：1 份有错误；1 份未对照工作簿）；3 个其他附件未校验；"
                           "4 个单位，4 个需退回（其中 2 个缺少工作簿），见“退回清单”；"), line


def test_progress_counts_the_workbooks_and_names_the_report_step(inbox, tmp_path):
    import io

    stream = io.StringIO()
    stream.isatty = lambda: True
    batch.run([str(inbox)], str(tmp_path / "out"), jobs=1, progress=batch.Progress(stream))
    text = stream.getvalue()
    assert "工作簿 [" in text and text.split("\n")[0].endswith(" 4/4")  # workbooks only, not the reports
    # the two .docx reports and the scanned PDF, a candidate report once PDFs are read (it ends up a 附件)
    assert "正在核对自评报告（3 个文件）…" in text


def test_return_list_has_one_row_per_unit(done):
    _, _, book = done
    rows = _rows(book, "退回清单")
    assert list(rows[0]) == batch.RETURN_COLUMNS
    by_folder = {row["文件夹"]: row for row in rows}
    assert sorted(by_folder) == ["卫健委", "司法局", "教育局", "财政局"]

    justice = by_folder["司法局"]
    assert (justice["单位"], justice["处理"], justice["填报总分（附件2）"], justice["复核总分（附件2）"],
            justice["复核等级"]) == ("汨罗市司法局", "需退回", 99, 99, "优")
    assert justice["错误数"] == 2 and justice["警告数"] == 2  # B111 and the report's T202; B121, E105
    first = justice["首先要改的问题（前 3 个错误）"].split("\n")
    assert first[0].startswith("1. 附件1 B7：公务用车购置和维护经费应为") and "T202" not in first[1]
    assert first[1].startswith("2. 报告 第") and "公用经费控制率" in first[1]  # the report's paragraph, its why
    assert justice["缺少的材料"] is None

    finance = by_folder["财政局"]  # two workbooks, one unit: the 附件2 of the first, errors of both
    assert (finance["填报总分（附件2）"], finance["复核总分（附件2）"]) == (95, 99)
    assert finance["错误数"] == 3  # B111 twice, W104
    fixes = finance["首先要改的问题（前 3 个错误）"].split("\n")
    assert fixes[1].startswith("2. 附件2 H25：总分得分应为执行率得分与各三级指标得分之和") and "95" in fixes[1]
    assert not fixes[1].endswith("…")  # whole: what was read and what is expected (was cut to 34 characters)
    assert len(fixes) == 2  # B111 of both copies once
    assert finance["缺少的材料"] is None  # its photos are in its sub-folder, its report beside the workbooks

    school = by_folder["教育局"]
    assert (school["单位"], school["填报总分（附件2）"], school["缺少的材料"]) == ("教育局", "无可读的工作簿",
                                                                          "缺少工作簿、自评报告")
    health = by_folder["卫健委"]
    assert health["缺少的材料"] == "缺少工作簿、自评报告"
    assert health["首先要改的问题（前 3 个错误）"].startswith("1. 自评表.xlsx 无法读取：")
    assert all(row["处理"] == "需退回" for row in rows)


def test_return_list_prints_like_the_other_sheets(done):
    _, _, book = done
    ws = book["退回清单"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws.oddHeader.center.text == "绩效自评批量校验 — 退回清单"


def test_info_rows_are_kept_but_filtered_out_of_print(done):
    _, _, book = done
    ws = book["问题明细"]
    severity = batch.DETAIL_COLUMNS.index("严重程度")
    rows = list(ws.iter_rows(min_row=2))
    info = [row for row in rows if row[severity].value == "提示"]
    shown = [row for row in rows if row[severity].value != "提示"]
    assert info and shown
    assert any("可用 jixiao-xl fill 自动填写" in row[6].value for row in info)  # D001, still there
    assert all(ws.row_dimensions[row[0].row].hidden for row in info)
    assert not any(ws.row_dimensions[row[0].row].hidden for row in shown)
    (column,) = ws.auto_filter.filterColumn
    assert column.colId == severity and sorted(column.filters.filter) == ["警告", "错误"]


def test_statistics_name_every_code_and_count_units(done):
    _, out, book = done
    rows = list(book["统计"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] and r[0].startswith("最常见的问题"))
    assert rows[start][0] == "最常见的问题（前 20 个，按涉及的单位数）"
    assert rows[start + 1][:5] == ("代码", "问题", "严重程度", "单位数", "次数")
    top = {}
    for row in rows[start + 2:]:
        if row[0] is None:
            break
        top[row[0]] = row
    titles = {**{c: r.summary for c, r in BY_CODE.items()}, **{c: r.summary for c, r in REPORT_RULES.items()}}
    assert all(row[1] == titles[code] for code, row in top.items())  # every code named, T202 too
    assert top["T202"][1] == REPORT_RULES["T202"].summary
    assert top["B111"][3:5] == (2, 3)  # 3 workbooks, 2 units
    counts = {r[0]: r[1] for r in rows[2:12] if r[0]}
    assert counts["单位"] == 4 and counts["缺少工作簿的单位"] == 2 and counts["自评报告"] == 2
    # the bar chart's categories are the problems' names (column B), not their codes
    import zipfile

    with zipfile.ZipFile(out / batch.SUMMARY_NAME) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]
    bar = next(c for c in charts if "涉及单位数" in c)
    assert "<c:cat><c:strRef><c:f>统计!$B$" in bar


def test_findings_json_one_base_for_every_path(done):
    _, out, _ = done
    data = json.loads((out / batch.JSON_NAME).read_text(encoding="utf-8"))
    rels = {f["rel"]: f["kind"] for f in data["files"]}
    assert rels == {"司法局/自评.xlsx": "workbook", "司法局/自评报告.docx": "report", "卫健委/自评表.xlsx": "workbook",
                    "财政局/自评.xlsx": "workbook", "财政局/自评（修改稿）.xlsx": "workbook",
                    "财政局/2023年度部门整体支出绩效自评报告.docx": "report"}
    assert all(Path(f["path"]).is_file() for f in data["files"])  # path: where it lies
    assert {a["path"] for a in data["attachments"]} == {"财政局/附件材料/现场照片.jpg", "教育局/扫描件.pdf",
                                                         "卫健委/说明.txt"}
    units = {u["folder"]: u for u in data["units"]}
    assert units["教育局"]["missing"] == ["工作簿", "自评报告"] and units["教育局"]["files"] == ["教育局/扫描件.pdf"]
    assert units["财政局"]["workbooks"] == ["财政局/自评.xlsx", "财政局/自评（修改稿）.xlsx"]
    assert units["财政局"]["files"] == ["财政局/附件材料/现场照片.jpg"]
    everything = [f["rel"] for f in data["files"]] + [a["path"] for a in data["attachments"]]
    assert sorted(p for u in data["units"] for key in ("workbooks", "reports", "files") for p in u[key]) == \
        sorted(everything)  # every file in one unit, by the same relative path


def test_a_flat_folder_of_units_and_a_region_level_note(tmp_path):
    """Workbooks of several departments in one folder are one unit each; a region folder's own note
    belongs to no unit; a unit folder under a region with only a PDF is 缺少工作簿."""
    root = tmp_path / "in"
    (root / "岳阳县" / "汇总在一起").mkdir(parents=True)
    for name in ("司法局", "财政局"):
        book = openpyxl.load_workbook(EXAMPLE)
        book["附件2"]["B3"] = f"岳阳县{name}"
        book.save(root / "岳阳县" / "汇总在一起" / f"{name}.xlsx")
    (root / "岳阳县" / "通知.pdf").write_bytes(PDF)
    (root / "岳阳县" / "教育局").mkdir()
    (root / "岳阳县" / "教育局" / "自评报告.pdf").write_bytes(PDF)
    assert main(["batch", str(root), "-o", str(tmp_path / "out"), "--by", "地区", "--jobs", "1"]) == 1
    data = json.loads((tmp_path / "out" / batch.JSON_NAME).read_text(encoding="utf-8"))
    units = {(u["folder"], u["unit"]): u for u in data["units"]}
    assert set(units) == {("岳阳县/汇总在一起", "岳阳县司法局"), ("岳阳县/汇总在一起", "岳阳县财政局"),
                          ("岳阳县/教育局", "教育局")}
    assert units[("岳阳县/教育局", "教育局")]["missing"] == ["工作簿"]  # its report is there, as a PDF
    assert all("岳阳县/通知.pdf" not in u["files"] for u in units.values())


@needs_lo
def test_printed_pages(done, tmp_path):
    """As LibreOffice prints it: 退回清单 on one page here, its header and every unit; 问题明细 without the
    提示 rows (D001's "可用 jixiao-xl fill 自动填写")."""
    _, out, _ = done
    pages = _pdf_pages(out / batch.SUMMARY_NAME, tmp_path)
    returned = [p for p in pages if "批量校验 — 退回清单" in p]
    assert len(returned) == 1
    for text in ("首先要改的问题", "缺少的材料", "教育局", "缺少工作簿、自评报告", "附件2 H25", "需退回"):
        assert text in returned[0], text
    details = [p for p in pages if "批量校验 — 问题明细" in p]
    assert details and "公用经费控制率" in details[0]
    assert not any("自动填写" in p for p in details)


def test_return_list_gives_a_reports_why_when_its_excerpt_quotes_in_turn(tmp_path):
    """A report's sentence that itself quotes with a colon ("严格执行“八项规定”：…"): 退回清单 shows the why after the
    whole excerpt, not the excerpt's second half (it was cut at the first "”：")."""
    unit = tmp_path / "收件" / "司法局"
    unit.mkdir(parents=True)
    shutil.copy(EXAMPLE, unit / "自评.xlsx")
    D.build(unit / "自评报告.docx", D.edit(D.seed_report_lines(), "三公经费控制率在100%以下",
                                         "严格执行“八项规定”：三公经费控制率为75.76%，公用经费控制率在100%以下"))
    batch.run([str(tmp_path / "收件")], str(tmp_path / "out"))
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    first = _rows(book, "退回清单")[0]["首先要改的问题（前 3 个错误）"].split("\n")
    report = next(line for line in first if "报告" in line)
    assert report.startswith("2. 报告 第") and "：公用经费控制率在 报告写 不超过 100%" in report, report
    assert "八项规定" not in report and "75.76" not in report


def test_project_tables_alone_are_returned_only_where_the_province_asks_for_the_rest(tmp_path):
    # 湖南 sends 附件1 and 附件2 with its 附件3 (its profile's materials); a 湖北 unit's project table sent on
    # its own, with no error, was "需退回 … 缺少附件1、附件2" — 附件1 is 湖南's own form
    from .published import workbook as published_workbook
    from .helpers import clean_seed
    from .samples import write_xlsx

    inbox = tmp_path / "in"
    (inbox / "湖北单位").mkdir(parents=True)
    published_workbook("hubei_unknown-jinbu_2020_project", inbox / "湖北单位")
    (inbox / "湖南单位").mkdir()
    write_xlsx(inbox / "湖南单位" / "项目.xlsx", [s for s in clean_seed() if s.name == "附件3"])
    (inbox / "湖南单位" / "自评报告.pdf").write_bytes(b"%PDF-1.4\n")
    (inbox / "湖北单位" / "自评报告.pdf").write_bytes(b"%PDF-1.4\n")
    batch.run([str(inbox)], str(tmp_path / "out"), jobs=1)
    rows = {row["文件夹"]: row for row in _rows(openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx"), "退回清单")}
    hubei, hunan = rows["湖北单位"], rows["湖南单位"]
    assert (hubei["处理"], hubei["错误数"], hubei["缺少的材料"]) == ("通过", 0, None)
    assert (hunan["处理"], hunan["缺少的材料"]) == ("需退回", "缺少附件1、附件2")


def _mailbox(root: Path) -> Path:
    """What a bureau gets when every e-mailed attachment is saved in one folder: 汨罗市司法局's workbook in two
    files (its 附件1 named after it), 天长市水利局's project table (安徽) with a scanned report, 汨罗市财政局's
    project table alone (湖南 asks for 附件1 and 附件2 too), a 附件1 and a report that name no unit."""
    from .helpers import clean_seed
    from .published import workbook as published_workbook
    from .samples import write_xlsx

    box = root / "岳阳市" / "邮箱附件"
    box.mkdir(parents=True)
    for name, keep in (("汨罗市司法局_附件1.xlsx", "附件1"), ("汨罗市司法局_附件2、3.xlsx", "附件2附件3")):
        part = openpyxl.load_workbook(EXAMPLE)
        for sheet in list(part.sheetnames):
            if sheet not in keep:
                del part[sheet]
        part.save(box / name)
    basic = openpyxl.load_workbook(EXAMPLE)
    for sheet in ("附件2", "附件3"):
        del basic[sheet]
    basic["附件1"]["B7"] = 9  # another department's 附件1, its one error corrected
    basic["附件1"]["D25"] = 268
    basic.save(box / "附件1.xlsx")
    D.build(box / "汨罗市司法局自评报告.docx", D.seed_report_lines())
    D.build(box / "自评报告.docx", D.edit(D.seed_report_lines(), "2023年度汨罗市司法局部门整体支出绩效", "2023年度部门整体支出绩效"))
    # 天长's table as published, its 主管部门 filled, an indicator scored 10 though 93% missed ≥95% (I103)
    published_workbook("anhui_tianchang_2022_project", box, {(4, 2): "天长市水利局", (16, 4): "指标1:工程验收合格率",
                                                             (16, 5): "≥95%", (16, 6): "93%"})
    (box / "anhui_tianchang_2022_project.xlsx").rename(box / "天长市水利局_水旱灾害防御.xlsx")
    (box / "天长市水利局绩效自评报告.pdf").write_bytes(PDF)
    write_xlsx(box / "项目表.xlsx", [s for s in clean_seed() if s.name == "附件3"])
    project = openpyxl.load_workbook(box / "项目表.xlsx")
    for row in project["附件3"].iter_rows():
        for cell in row:
            if cell.value == "汨罗市司法局":
                cell.value = "汨罗市财政局"
    project.save(box / "项目表.xlsx")
    return root


def test_a_folder_of_several_units_attachments_returns_each_to_its_own(tmp_path, capsys):
    """One folder holding several units' files: each unit it names is a row of 退回清单 with its own files, problems
    and missing forms (by its province), its report found by name; a file naming no unit is said so, never given to
    one of them.  (Before: one row, "汨罗市司法局 … 需退回", opening with 天长市水利局's error; 天长 not listed.)"""
    root = _mailbox(tmp_path / "收件")
    assert main(["batch", str(root), "-o", str(tmp_path / "out"), "--jobs", "2"]) == 1
    line = capsys.readouterr().out
    assert "3 个单位，3 个需退回，见“退回清单”；2 个文件无法确定是哪个单位的（见“退回清单”）" in line, line
    book = openpyxl.load_workbook(tmp_path / "out" / batch.SUMMARY_NAME)
    rows = _rows(book, "退回清单")
    assert sorted((r["单位"], r["处理"]) for r in rows[:3]) == [
        ("天长市水利局", "需退回"), ("汨罗市司法局", "需退回"), ("汨罗市财政局", "需退回")]
    assert [(r["单位"], r["处理"]) for r in rows[3:]] == [("（无法确定单位）", "请核实")] * 2
    assert {r["文件夹"] for r in rows} == {"岳阳市/邮箱附件"}
    justice, finance, tianchang = (next(r for r in rows if r["单位"] == name)
                                   for name in ("汨罗市司法局", "汨罗市财政局", "天长市水利局"))
    lone, report = rows[3:] if rows[3]["首先要改的问题（前 3 个错误）"].startswith("1. 附件1") else rows[:2:-1]
    first = justice["首先要改的问题（前 3 个错误）"]
    assert first.startswith("1. 附件1 B7：公务用车购置和维护经费应为") and "H16" not in first and "93%" not in first
    assert (justice["复核总分（附件2）"], justice["错误数"], justice["缺少的材料"]) == (99, 1, None)
    fixes = tianchang["首先要改的问题（前 3 个错误）"].split("\n")  # its own I103, nothing of 汨罗's
    assert len(fixes) == 1 and fixes[0].startswith("1. 项目支出绩效自评表 H16：指标值“≥95%”、完成值“93%”")
    assert (tianchang["填报总分（附件2）"], tianchang["错误数"]) == ("无附件2", 1)
    assert tianchang["缺少的材料"] is None  # 安徽 asks for no 附件1/附件2; its scanned report is its by name
    assert (finance["错误数"], finance["缺少的材料"]) == (0, "缺少附件1、附件2、自评报告")  # 湖南's forms
    assert lone["首先要改的问题（前 3 个错误）"] == "1. 附件1.xlsx 表上没有单位名称，无法确定是哪个单位的"
    assert report["首先要改的问题（前 3 个错误）"].startswith("1. 自评报告.docx 看不出是哪个单位的报告")
    assert lone["缺少的材料"] is None and report["缺少的材料"] is None

    summary = {r["文件"]: (r["单位"], r["表"]) for r in _rows(book, "汇总")}
    box = "岳阳市/邮箱附件/"
    assert summary[box + "汨罗市司法局_附件1.xlsx"][0] == "汨罗市司法局"  # named by its file
    assert summary[box + "附件1.xlsx"][0] == "附件1"  # not one of them: its file name
    assert summary[box + "汨罗市司法局自评报告.docx"] == ("汨罗市司法局", "自评报告（对照 汨罗市司法局_附件2、3.xlsx）")
    assert summary[box + "自评报告.docx"] == (None, "自评报告（未对照工作簿）")
    data = json.loads((tmp_path / "out" / batch.JSON_NAME).read_text(encoding="utf-8"))
    units = {u["unit"]: u for u in data["units"] if not u["unassigned"]}
    assert sorted(units["汨罗市司法局"]["workbooks"]) == [box + "汨罗市司法局_附件1.xlsx", box + "汨罗市司法局_附件2、3.xlsx"]
    assert units["汨罗市司法局"]["reports"] == [box + "汨罗市司法局自评报告.docx"]
    assert units["天长市水利局"]["files"] == [box + "天长市水利局绩效自评报告.pdf"]
    assert sorted(u["workbooks"] + u["reports"] for u in data["units"] if u["unassigned"]) == [
        [box + "自评报告.docx"], [box + "附件1.xlsx"]]

    # by region: the same units; with a store each is stored under the unit it names, the 附件1 named by its
    # file with 汨罗市司法局's, the one naming no unit not at all
    store = tmp_path / "绩效库.sqlite"
    assert main(["batch", str(root), "-o", str(tmp_path / "out2"), "--by", "地区", "--store", str(store)]) == 1
    assert "1 个工作簿未存入" in capsys.readouterr().out
    book = openpyxl.load_workbook(tmp_path / "out2" / batch.SUMMARY_NAME)
    assert [(r["单位"], r["首先要改的问题（前 3 个错误）"]) for r in _rows(book, "退回清单")] == \
        [(r["单位"], r["首先要改的问题（前 3 个错误）"]) for r in rows]
    assert {r["地区"] for r in _rows(book, "汇总")} == {"岳阳市"}
    import sqlite3

    with sqlite3.connect(store) as conn:
        stored = sorted(conn.execute("SELECT unit, form, source_file FROM forms").fetchall())
    assert [(unit, form, Path(f).name) for unit, form, f in stored] == [
        ("天长市水利局", "project_self_eval", "天长市水利局_水旱灾害防御.xlsx"),
        ("汨罗市司法局", "basic_data", "汨罗市司法局_附件1.xlsx"),
        ("汨罗市司法局", "dept_self_eval", "汨罗市司法局_附件2、3.xlsx"),
        ("汨罗市司法局", "project_self_eval", "汨罗市司法局_附件2、3.xlsx"),
        ("汨罗市财政局", "project_self_eval", "项目表.xlsx")]


def test_a_departments_folder_stays_one_unit_and_a_zip_is_its_folders(tmp_path, capsys):
    """A department's own folder: its 附件2, a project table of a unit under it (主管部门 written short, "司法局")
    and its lone 附件1 are one unit, as before.  A flat folder where one unit's table came in a .zip: the zip's
    table is that unit's, beside the other unit's workbook."""
    import zipfile

    from .helpers import clean_seed
    from .published import workbook as published_workbook
    from .samples import write_xlsx

    root = tmp_path / "收件"
    dept = root / "司法局"
    dept.mkdir(parents=True)
    for name, keep in (("附件1.xlsx", "附件1"), ("附件2.xlsx", "附件2")):
        part = openpyxl.load_workbook(EXAMPLE)
        for sheet in list(part.sheetnames):
            if sheet not in keep:
                del part[sheet]
        part.save(dept / name)
    write_xlsx(dept / "法律援助项目.xlsx", [s for s in clean_seed() if s.name == "附件3"])
    project = openpyxl.load_workbook(dept / "法律援助项目.xlsx")
    cells = [c for row in project["附件3"].iter_rows() for c in row if c.value == "汨罗市司法局"]
    assert len(cells) == 2  # 主管部门, 实施单位
    cells[0].value, cells[1].value = "司法局", "汨罗市法律援助中心"
    project.save(dept / "法律援助项目.xlsx")
    flat = root / "邮箱"
    flat.mkdir()
    shutil.copy(EXAMPLE, flat / "汨罗市司法局2023.xlsx")
    table = published_workbook("anhui_tianchang_2022_project", tmp_path, {(4, 2): "天长市水利局"})
    with zipfile.ZipFile(flat / "天长材料.zip", "w") as archive:
        archive.write(table, "水旱灾害防御.xlsx")
    assert main(["batch", str(root), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 1
    capsys.readouterr()
    book = openpyxl.load_workbook(tmp_path / "out" / batch.SUMMARY_NAME)
    rows = {(r["文件夹"], r["单位"]): r for r in _rows(book, "退回清单")}
    # 汨罗市司法局's own folder and its workbook again in the mailbox: one unit in two folders, one row
    assert sorted(rows) == [("司法局、邮箱", "汨罗市司法局"), ("邮箱", "天长市水利局")]
    assert rows[("司法局、邮箱", "汨罗市司法局")]["缺少的材料"] == "缺少自评报告"  # its 附件1 and 附件2 found
    assert rows[("司法局、邮箱", "汨罗市司法局")]["首先要改的问题（前 3 个错误）"] == \
        "1. 附件1 B7：公务用车购置和维护经费应为 公车购置 + 公车运行维护 = 0 + 9 = 9，现填 17（改正后“三公”经费 17 = 9 + 0 + 8 " \
        "也相符）"  # its own, not 天长's B13
    tianchang_row = rows[("邮箱", "天长市水利局")]  # the published table has no error: none of 汨罗's either
    assert (tianchang_row["错误数"], tianchang_row["首先要改的问题（前 3 个错误）"]) == (0, None)
    units = {r["文件"]: r["单位"] for r in _rows(book, "汇总")}
    assert units["司法局/附件1.xlsx"] == "汨罗市司法局" and units["邮箱/天长材料.zip/水旱灾害防御.xlsx"] == "天长市水利局"
    data = json.loads((tmp_path / "out" / batch.JSON_NAME).read_text(encoding="utf-8"))
    (tianchang,) = [u for u in data["units"] if u["unit"] == "天长市水利局"]
    assert tianchang["workbooks"] == ["邮箱/天长材料.zip/水旱灾害防御.xlsx"] and tianchang["files"] == ["邮箱/天长材料.zip"]


def test_a_project_table_naming_only_its_implementing_unit_stays_with_the_folders_one_department(tmp_path, capsys):
    """A department's folder whose project table leaves 主管部门 blank and names its 实施单位 (法律援助中心, a unit
    under the department): one unit, the department — not a unit of its own told it lacks 附件1、附件2."""
    from .helpers import clean_seed
    from .samples import write_xlsx

    dept = tmp_path / "收件" / "司法局"
    dept.mkdir(parents=True)
    part = openpyxl.load_workbook(EXAMPLE)
    del part["附件3"]
    part.save(dept / "附件1、2.xlsx")
    write_xlsx(dept / "法律援助项目.xlsx", [s for s in clean_seed() if s.name == "附件3"])
    project = openpyxl.load_workbook(dept / "法律援助项目.xlsx")
    cells = [c for row in project["附件3"].iter_rows() for c in row if c.value == "汨罗市司法局"]
    cells[0].value, cells[1].value = None, "汨罗市法律援助中心"  # 主管部门 blank, 实施单位 the 中心
    project.save(dept / "法律援助项目.xlsx")
    assert main(["batch", str(tmp_path / "收件"), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 1
    capsys.readouterr()
    book = openpyxl.load_workbook(tmp_path / "out" / batch.SUMMARY_NAME)
    rows = _rows(book, "退回清单")
    assert [(r["文件夹"], r["单位"], r["缺少的材料"]) for r in rows] == [("司法局", "汨罗市司法局", "缺少自评报告")]
