"""batch with file names that are not UTF-8 on disk.

A zip made on Chinese Windows stores GBK names; `unzip` on Linux writes those
bytes as they are, and Python holds them as surrogates ("\\udcd7...").  Such a
folder once stopped the whole run ("程序内部错误（UnicodeEncodeError）") when
findings.json was written; the reviewer must get the summary, with the name
readable where it can be read.
"""

from __future__ import annotations

import json
import os
import shutil

import openpyxl

from jixiao_xl.cli import main

from .test_seed import EXAMPLE


def test_a_gbk_named_workbook_is_checked_and_listed_by_its_readable_name(tmp_path):
    inbox = tmp_path / "收件"
    (inbox / "岳阳县").mkdir(parents=True)
    gbk = os.fsencode(inbox / "岳阳县") + b"/" + "自评表.xlsx".encode("gbk")
    shutil.copy(EXAMPLE, gbk)
    shutil.copy(EXAMPLE, inbox / "岳阳县" / "正常.xlsx")
    (inbox / "岳阳县" / "说明.txt".encode("gbk").decode("utf-8", "surrogateescape")).write_text("附件")
    out = tmp_path / "out"

    assert main(["batch", str(inbox), "-o", str(out), "--fill", "--jobs", "1"]) == 1  # the seed's own errors

    book = openpyxl.load_workbook(out / "汇总.xlsx")
    files = sorted({row[0] for row in book["汇总"].iter_rows(min_row=2, values_only=True)})
    assert files == ["岳阳县/正常.xlsx", "岳阳县/自评表.xlsx"]
    summary = [row for row in book["汇总"].iter_rows(min_row=2, values_only=True) if row[0] == "岳阳县/自评表.xlsx"]
    assert len(summary) == 3 and summary[0][14] == "有错误"  # its three forms, checked like the other copy
    assert {row[0] for row in book["问题明细"].iter_rows(min_row=2, values_only=True)} == set(files)
    assert [row[0] for row in book["附件"].iter_rows(min_row=2, values_only=True)] == ["岳阳县/说明.txt"]
    assert not list(book["无法读取"].iter_rows(min_row=2, values_only=True))

    # findings.json is UTF-8 and names the file as it lies on disk (the name's bytes, escaped)
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    paths = [entry["path"] for entry in data["files"]]
    assert os.fsdecode(gbk) in paths and all(os.path.exists(p) for p in paths)
    assert {e["status"] for e in data["files"]} == {"errors"}
    assert (out / "filled" / "岳阳县" / "自评表.xlsx").exists()  # the filled copy under its readable name


def test_a_report_beside_a_gbk_named_workbook_names_it_readably(tmp_path):
    """A .docx report is checked against the one workbook beside it; 汇总 names that workbook (the
    report's row once carried the name's raw bytes, and writing 汇总.xlsx failed)."""
    from .report_docs import build, seed_report_lines

    inbox = tmp_path / "收件" / "司法局"
    inbox.mkdir(parents=True)
    shutil.copy(EXAMPLE, os.fsencode(inbox) + b"/" + "自评表.xlsx".encode("gbk"))
    build(inbox / "自评报告.docx", seed_report_lines())
    out = tmp_path / "out"

    assert main(["batch", str(tmp_path / "收件"), "-o", str(out), "--jobs", "1"]) == 1

    rows = list(openpyxl.load_workbook(out / "汇总.xlsx")["汇总"].iter_rows(min_row=2, values_only=True))
    report = [row for row in rows if row[0] == "司法局/自评报告.docx"]
    assert [row[1:3] for row in report] == [("汨罗市司法局", "自评报告（对照 自评表.xlsx）")]
    assert len([row for row in rows if row[0] == "司法局/自评表.xlsx"]) == 3
