"""Every failure reads in Chinese: no exception class name (PDFSyntaxError, KeyError, XmlError) and no English
system text ("File name too long") in what people read — the CLI's lines, batch's 无法读取 and 附件 sheets, the
findings.  Each kind of failure is driven through the CLI or batch on real broken files (made here: a PDF with a
broken body, a .docx without its parts, an .ods and an .xlsx with cut-off XML, styles calamine refuses), and a
crash of ours is simulated where no file can cause one.

Before: "文档已损坏，无法读取（KeyError）", "PDF 文件已损坏或不完整，无法读取（PDFSyntaxError）",
"文件已损坏，无法读取（ParseError）", "（XmlError）", "（CalamineError）", "无法打开文件（File name too long）",
"处理时出错（AttributeError）", "校验规则 E101 运行出错（ValueError: could not convert …）",
"程序内部错误（KeyError）"."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl

from jixiao_xl.cli import main

from .test_seed import EXAMPLE

# words a Chinese message may carry: product and format names, the program's own name
ALLOWED = {"PDF", "Excel", "WPS", "LibreOffice", "xlsx", "docx", "Word", "SQLite", "JSON", "jixiao"}
_WORD = re.compile(r"[A-Za-z]{4,}")


def english(text: str, *names: str) -> list[str]:
    """The ASCII words of 4+ letters in ``text`` that are not allowed (file names given in ``names`` removed,
    and the commands a message names: ``jixiao-xl report check``)."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    text = re.sub(r"jixiao-xl(?: [a-z-]+)*", "", text)
    return [w for w in _WORD.findall(text) if w not in ALLOWED]


def _broken_files(folder: Path) -> dict[str, str]:
    """Broken submissions, by file name: the class name the message used to show."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "坏报告.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00\xff" * 200)
    with zipfile.ZipFile(folder / "坏自评报告.docx", "w") as z:  # a package without its relationships
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("word/document.xml", '<w:document xmlns:w="x"><w:body><w:p>')
    with zipfile.ZipFile(folder / "坏表.ods", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content")
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(folder / "截断表.xlsx", "w") as cut, \
            zipfile.ZipFile(folder / "坏样式.xlsx", "w") as styles:
        for info in src.infolist():
            data = src.read(info.filename)
            cut.writestr(info.filename, data[: len(data) // 2] if info.filename == "xl/worksheets/sheet1.xml" else data)
            styles.writestr(info.filename, b'<styleSheet><numFmts count="1"><numFmt'
                            if info.filename == "xl/styles.xml" else data)
    return {"坏报告.pdf": "PDFSyntaxError", "坏自评报告.docx": "KeyError", "坏表.ods": "ParseError",
            "截断表.xlsx": "XmlError", "坏样式.xlsx": "CalamineError"}


def _sheet_texts(book: Path, *sheets: str) -> list[str]:
    wb = openpyxl.load_workbook(book)
    return [" ".join(str(v) for v in row if v is not None) for name in sheets
            for row in wb[name].iter_rows(min_row=2, values_only=True)]


def test_batch_says_why_each_broken_file_failed_in_chinese(tmp_path, capsys):
    broken = _broken_files(tmp_path / "收件")
    out = tmp_path / "结果"
    assert main(["batch", str(tmp_path / "收件"), "-o", str(out)]) in (1, 2)
    printed = capsys.readouterr()
    rows = _sheet_texts(out / "汇总.xlsx", "无法读取", "附件")
    for name, old in broken.items():
        (row,) = [r for r in rows if r.startswith(name)]
        assert old not in row and english(row, name) == [], row
    assert any("无法读取（PDF 的内部结构已损坏）" in r for r in rows)
    assert any("文档已损坏，无法读取（文件缺少必需的组成部分）" in r for r in rows)
    assert any("坏表.ods U002 文件已损坏，无法读取（文件内部的 XML 数据已损坏）" in r for r in rows)
    assert english(printed.out + printed.err, str(out), str(tmp_path)) == []


def test_check_and_report_check_say_why_in_chinese(tmp_path, capsys):
    broken = _broken_files(tmp_path)
    for name, old in broken.items():
        command = ["report", "check"] if name.endswith((".pdf", ".docx")) else ["check"]
        assert main([*command, str(tmp_path / name)]) == 2
        printed = capsys.readouterr()
        text = printed.out + printed.err
        assert "U002" in text and old not in text and english(text, str(tmp_path / name)) == [], text


def test_a_file_name_too_long_for_the_system_is_said_in_chinese(tmp_path, capsys):
    # check stopped with "程序内部错误（OSError）" (Path.is_dir raises for a name over 255 bytes); past that, the
    # system's "File name too long" (strerror) was shown; batch stopped the same way
    path = tmp_path / ("自评表" * 30 + ".xlsx")  # 275 bytes
    assert main(["check", str(path)]) == 2
    printed = capsys.readouterr()
    assert f"{path}：无法打开文件（文件名太长）（U009）" in printed.err
    assert english(printed.out + printed.err, str(path)) == []
    out = tmp_path / "结果"
    assert main(["batch", str(path), "-o", str(out)]) == 2
    printed = capsys.readouterr()
    assert _sheet_texts(out / "汇总.xlsx", "无法读取") == [f"{path.name} U009 无法打开文件（文件名太长）"]
    assert english(printed.out + printed.err, str(out), str(tmp_path)) == []


def test_a_crash_of_ours_in_a_batch_worker_is_said_in_chinese(tmp_path, monkeypatch, capsys):
    # the workers are forked (Linux): the crash patched here happens in them
    from jixiao_xl.batch import worker

    def crash(*_args, **_kwargs):
        raise AttributeError("'NoneType' object has no attribute 'value'")

    monkeypatch.setattr(worker, "process", crash)
    inbox = tmp_path / "收件"
    inbox.mkdir()
    (inbox / "司法局.xlsx").write_bytes(EXAMPLE.read_bytes())
    out = tmp_path / "结果"
    assert main(["batch", str(inbox), "-o", str(out), "--jobs", "1"]) == 2
    printed = capsys.readouterr()
    (row,) = _sheet_texts(out / "汇总.xlsx", "无法读取")
    assert row == "司法局.xlsx U016 处理时出错（程序内部错误，请把文件发给维护人员）"
    assert english(printed.out + printed.err, str(out), str(tmp_path)) == []


def test_a_crashing_rule_and_a_crashing_command_are_said_in_chinese(tmp_path, monkeypatch, capsys):
    from jixiao_xl.rules import check as check_module

    def boom(*_args):
        raise ValueError("could not convert string to float: 'abc'")

    rules_for = check_module._rules_for
    monkeypatch.setattr(check_module, "_rules_for",
                        lambda kind: [replace(r, check=boom) if r.code == "E101" else r for r in rules_for(kind)])
    book = tmp_path / "司法局.xlsx"
    book.write_bytes(EXAMPLE.read_bytes())
    main(["check", str(book)])
    printed = capsys.readouterr().out
    crashed = [line for line in printed.splitlines() if "R900" in line]
    assert crashed and all("校验规则 E101 运行出错（程序内部错误），该项未能校验" in line for line in crashed)
    assert english(printed, str(book)) == []

    def broken(*_args, **_kwargs):
        raise KeyError("sheet")

    monkeypatch.setattr(check_module, "check_path", broken)
    assert main(["check", str(book)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "jixiao-xl：程序内部错误，请把文件和命令发给维护人员"


def test_a_profile_file_that_is_not_json_says_where_in_chinese(tmp_path, monkeypatch, capsys):
    # json's "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" was shown
    folder = tmp_path / "口径"
    folder.mkdir()
    (folder / "本地.json").write_text("{name: 1}", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_PROFILE_DIR", str(folder))
    assert main(["profiles"]) == 2
    err = capsys.readouterr().err
    assert "评分口径文件 本地.json：不是有效的 JSON（第 1 行第 2 列有误）" in err
    assert english(err, "本地.json") == []
