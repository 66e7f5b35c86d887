"""A reviewer's folder full of odd files: every one accounted for, in Chinese, nothing read outside the folder.

Found by trying a county finance bureau's real mix of submissions (links to a colleague's share, names
longer than a file system allows once the tool adds to them, workbooks saved without an extension …)
against ``batch``, ``batch --fill`` and ``check``.
"""

from __future__ import annotations

import json
import os
import shutil

import openpyxl
import pytest

from jixiao_xl.cli import main

from .helpers import set_cells
from .samples import seed_sheets, write_xlsx
from .test_seed import EXAMPLE

LINK_TEXT = "这是指向所选文件夹以外的链接（快捷方式），为安全起见没有读取"


def rows(book, sheet: str) -> list[tuple]:
    return list(book[sheet].iter_rows(min_row=2, values_only=True))


@pytest.fixture
def linked_folder(tmp_path):
    """A submissions folder with links out of it: to another unit's workbook, to a folder of workbooks, to
    /etc/passwd and to nothing, beside one real workbook and a link to a folder inside it."""
    outside = tmp_path / "别的科室"
    (outside / "共享").mkdir(parents=True)
    secret = set_cells(seed_sheets(), {"附件2!B3": "机密保管局", "附件3!B4": "机密保管局"})
    write_xlsx(outside / "机密.xlsx", secret)
    write_xlsx(outside / "共享" / "机密2.xlsx", secret)
    inbox = tmp_path / "收件"
    (inbox / "司法局").mkdir(parents=True)
    shutil.copy(EXAMPLE, inbox / "司法局" / "自评表.xlsx")
    os.symlink(outside / "机密.xlsx", inbox / "链接.xlsx")
    os.symlink(outside / "共享", inbox / "共享文件夹")
    os.symlink("/etc/passwd", inbox / "口令.xlsx")
    os.symlink("../../别的科室/机密.xlsx", inbox / "司法局" / "相对链接.xlsx")
    os.symlink("司法局", inbox / "本地链接")  # a link to a folder inside: its files are read where they lie
    return inbox


def test_batch_never_follows_a_link_out_of_the_folder(linked_folder, tmp_path):
    """Each link out of the folder was opened: another unit's workbook was checked and summed into 汇总 as if
    submitted, /etc/passwd read as a workbook ("不是 Excel 工作簿文件"), and a link to a folder left out
    of every sheet.  Now each is listed in 无法读取 as not read (U019), and nothing from outside shows."""
    out = tmp_path / "out"
    assert main(["batch", str(linked_folder), "-o", str(out), "--jobs", "1"]) == 2

    book = openpyxl.load_workbook(out / "汇总.xlsx")
    assert {row[0] for row in rows(book, "汇总")} == {"司法局/自评表.xlsx"}
    unread = {row[0]: row[1:] for row in rows(book, "无法读取")}
    assert unread == {"链接.xlsx": ("U019", LINK_TEXT), "口令.xlsx": ("U019", LINK_TEXT),
                      "共享文件夹": ("U019", LINK_TEXT), "司法局/相对链接.xlsx": ("U019", LINK_TEXT)}
    assert [row[0] for row in rows(book, "附件")] == ["本地链接"]
    assert "机密保管局" not in (out / "findings.json").read_text(encoding="utf-8")
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    codes = {e["rel"]: e["error_code"] for e in data["files"] if e["status"] == "unreadable"}
    assert codes == {"链接.xlsx": "U019", "口令.xlsx": "U019", "共享文件夹": "U019", "司法局/相对链接.xlsx": "U019"}


def test_check_of_a_folder_never_follows_a_link_out_of_it(linked_folder, capsys):
    assert main(["check", str(linked_folder), "--no-info"]) == 2
    out, err = capsys.readouterr()
    assert "机密保管局" not in out
    assert f"链接.xlsx\n  无法读取（U019）：{LINK_TEXT}" in out
    assert f"jixiao-xl：{linked_folder / '口令.xlsx'}：{LINK_TEXT}（U019）" in err
    assert "汨罗市司法局" in out  # the real workbook is checked


LONG = ("汨罗市司法局二〇二三年度部门整体支出绩效自评表及项目支出绩效自评表最终版请审核" * 3)[:83]  # 249 bytes


def test_batch_fill_writes_a_copy_of_every_workbook_whatever_its_name(tmp_path):
    """A title typed in full as the file name (83 Chinese characters: 254 bytes with “.xlsx”, the most ext4
    takes) got no filled copy — “自动填写失败：……文件名太长” in 无法读取, from the temporary file's longer
    name — and a workbook saved without an extension none either (“输出文件名须以 .xlsx 结尾”).  Now both
    are filled: the long one under its own name, the other under its name with “.xlsx”."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / f"{LONG}.xlsx")
    shutil.copy(EXAMPLE, inbox / "司法局自评表")  # an .xlsx without its extension, told by its content
    out = tmp_path / "out"
    assert main(["batch", str(inbox), "-o", str(out), "--fill", "--jobs", "1"]) == 1  # the seed's own errors

    book = openpyxl.load_workbook(out / "汇总.xlsx")
    assert rows(book, "无法读取") == []
    assert sorted(p.name for p in (out / "filled").iterdir()) == sorted([f"{LONG}.xlsx", "司法局自评表.xlsx"])
    for name in (f"{LONG}.xlsx", "司法局自评表.xlsx"):
        filled = openpyxl.load_workbook(out / "filled" / name)
        assert filled["附件1"]["B12"].value == 332  # D001's 项目支出 2022年决算数, filled in
    assert sorted(p.name for p in inbox.iterdir()) == sorted([f"{LONG}.xlsx", "司法局自评表"])  # untouched


def test_fill_in_place_backs_up_a_workbook_whose_name_is_as_long_as_allowed(tmp_path, capsys):
    """fill --in-place makes a backup 原名.时间.bak.xlsx first: for the longest name that backup (and the
    temporary file) could not be made, and the workbook was not filled (“文件名太长”)."""
    path = tmp_path / f"{LONG}.xlsx"
    shutil.copy(EXAMPLE, path)
    assert main(["fill", str(path), "--in-place"]) == 1  # the seed's own errors remain
    out, err = capsys.readouterr()
    assert "文件名太长" not in out + err
    backups = [p for p in tmp_path.iterdir() if p.name != path.name]
    assert len(backups) == 1 and backups[0].name.endswith(".bak.xlsx") and len(os.fsencode(backups[0].name)) <= 255
    assert backups[0].read_bytes() == EXAMPLE.read_bytes()
    assert openpyxl.load_workbook(path)["附件1"]["B12"].value == 332


def test_a_form_merged_into_one_cell_is_named_not_passed_over(tmp_path, capsys):
    """附件2 merged from A1 to its last cell in Excel keeps only “附件2”: the workbook was checked as 附件1 and
    附件3 with no word of 附件2 — in batch its unit looked complete and checked.  Now S007 names the sheet."""
    path = tmp_path / "整表合并.xlsx"
    shutil.copy(EXAMPLE, path)
    book = openpyxl.load_workbook(path)
    sheet = book["附件2"]
    for merged in list(sheet.merged_cells.ranges):
        sheet.unmerge_cells(str(merged))
    sheet.merge_cells(f"A1:I{sheet.max_row}")  # as Excel does: the other cells' contents are dropped
    book.save(path)

    assert main(["check", str(path), "--json"]) == 1
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    findings = [f for form in entry["forms"] for f in form["findings"]] + entry["findings"]
    (lost,) = [f for f in findings if f["code"] == "S007"]
    assert lost["severity"] == "warning" and lost["sheet"] == "附件2" and lost["cell"] == "A1"
    assert lost["text"] == ("工作表“附件2”中没有识别出绩效自评表：整张表被合并成了一个单元格（A1:I25），只剩“附件2”，"
                            "这张表没有校验；请按模板恢复表格后再提交")
    assert [f["sheet"] for f in entry["forms"]] == ["附件1", "附件3"]


def test_every_kind_of_lock_file_is_named_for_what_it_is(tmp_path):
    """Lock files of the programs a unit may have open: LibreOffice's “.~lock.自评表.xlsx#” was an unexplained
    “附件，未校验” beside the Excel ones' notes, and Word's “~$自评报告.docx” was called Excel's."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / "自评表.xlsx")
    (inbox / ".~lock.自评表.xlsx#").write_text("财务股,caiwu,pc,05.03.2024 10:00,file:///home/caiwu/.config/libreoffice/4;\n")
    (inbox / "~$自评报告.docx").write_bytes(b"\x06caiwu" + b"\x00" * 156)
    (inbox / "~$自评表.xlsx").write_bytes(b"\x06caiwu" + b"\x00" * 156)
    out = tmp_path / "out"
    assert main(["batch", str(inbox), "-o", str(out), "--jobs", "1"]) == 1

    notes = dict(rows(openpyxl.load_workbook(out / "汇总.xlsx"), "附件"))
    assert notes == {
        ".~lock.自评表.xlsx#": "LibreOffice 打开“自评表.xlsx”时生成的锁定文件（临时文件，说明“自评表.xlsx”正在别处打开），未校验",
        "~$自评报告.docx": "Word 或 WPS 打开“自评报告.docx”时生成的锁定文件（临时文件，说明“自评报告.docx”正在别处打开），未校验",
        "~$自评表.xlsx": "Excel 或 WPS 打开“自评表.xlsx”时生成的锁定文件（临时文件，说明“自评表.xlsx”正在别处打开），未校验"}


def _png(path) -> None:
    """A real 2×2 PNG (a stamped page's scan, in small)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xd0\x10\x10" * 2 for _ in range(2))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_files_that_are_no_workbook_say_what_they_are(tmp_path, capsys):
    """A CSV export of 附件2, a stamped page's scan and the .DS_Store a Mac leaves were all “附件，未校验” in batch
    and “不是 Excel 工作簿文件（.xlsx/.xls/.et/.ods）” in check: the reviewer could not tell a 附件2 sent as a
    CSV (to be sent again as a workbook) from a photo.  Now each says what it is."""
    import csv

    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / "自评表.xlsx")
    sheet = openpyxl.load_workbook(EXAMPLE)["附件2"]
    with open(inbox / "附件2导出.csv", "w", encoding="gbk", newline="") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)])
    _png(inbox / "盖章页.png")
    (inbox / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(64))
    out = tmp_path / "out"
    assert main(["batch", str(inbox), "-o", str(out), "--jobs", "1"]) == 1

    notes = dict(rows(openpyxl.load_workbook(out / "汇总.xlsx"), "附件"))
    assert notes == {".DS_Store": "macOS 系统自动生成的隐藏文件（与提交的材料无关），未校验",
                     "附件2导出.csv": "CSV 文本文件（从表格导出的纯文本，没有表格的格式和公式），未校验",
                     "盖章页.png": "图片（PNG），未校验"}

    assert main(["check", str(inbox / "附件2导出.csv"), str(inbox / "盖章页.png")]) == 2
    out_text = capsys.readouterr().out
    assert ("无法读取（U005）：这是CSV 文本文件（从表格导出的纯文本，没有表格的格式和公式），不是 Excel 工作簿；"
            "请提交 Excel 或 WPS 工作簿原件") in out_text
    assert "无法读取（U005）：这是图片（PNG），不是 Excel 工作簿" in out_text


def test_a_sheet_of_notes_named_like_a_report_is_no_missing_form(tmp_path):
    """S007 names a sheet called for a form that holds no form (a 附件2 merged into one cell).  A sheet of notes
    called "自评说明" or "自评报告" (paragraphs, no table) was told "没有识别出绩效自评表 … 请按模板恢复表格"; a
    sheet called "部门自评" that lost its form is still named."""
    from jixiao_xl.rules.check import check_path

    from .samples import SheetSpec

    notes = [["自评说明"], ["本单位按照财政局通知要求开展了部门整体支出绩效自评，现将有关情况说明如下。"],
             ["一、基本情况：本单位共有内设机构5个。"], ["二、自评结论：各项指标均已完成。"], ["三、其他：无。"]]
    path = tmp_path / "带说明.xlsx"
    write_xlsx(path, seed_sheets() + [SheetSpec("自评说明", notes), SheetSpec("自评报告", notes),
                                      SheetSpec("部门自评", [["部门整体支出绩效自评表"]], ["A1:I25"])])
    findings = [f for f in check_path(str(path)).all_findings() if f.code == "S007"]
    assert [f.sheet for f in findings] == ["部门自评"], [f.message for f in findings]


def test_a_link_out_of_the_folder_leaves_the_unit_to_the_reviewer_not_returned(tmp_path):
    """A link (shortcut) out of the submissions folder is the reviewer's own doing, not the unit's: it is not
    followed (U019) and its unit was 需退回 though everything it sent is in order.  Now 请核实."""
    from . import report_docs as D
    from .helpers import clean_seed

    inbox = tmp_path / "收件"
    (inbox / "司法局").mkdir(parents=True)
    write_xlsx(inbox / "司法局" / "汨罗市司法局2023.xlsx", clean_seed())
    D.build(inbox / "司法局" / "汨罗市司法局自评报告.docx", D.seed_report_lines())
    (tmp_path / "别处").mkdir()
    write_xlsx(tmp_path / "别处" / "副本.xlsx", clean_seed())
    os.symlink(tmp_path / "别处" / "副本.xlsx", inbox / "司法局" / "副本链接.xlsx")
    main(["batch", str(inbox), "-o", str(tmp_path / "out"), "--jobs", "1"])
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    head, *body = book["退回清单"].iter_rows(values_only=True)
    units = [dict(zip(head, row)) for row in body]
    assert [(u["单位"], u["处理"]) for u in units] == [("汨罗市司法局", "请核实")], units
    assert "副本链接.xlsx 无法读取：" in units[0]["首先要改的问题（前 3 个错误）"]
