"""Reports in every format an office sends: .docx, .doc/.wps (through LibreOffice), PDF (text layer), scans.

The files are real: a .docx built from the seed's report text the way offices write them (首行缩进, a
running head, page numbers in the footer), then turned into .doc and PDF by LibreOffice itself, a scan made
by rendering the PDF's pages to pictures, an encrypted PDF and a password-protected .doc saved by
LibreOffice.  ``report check`` must find the same problems, with the same numbers, in every format.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

from jixiao_xl.cli import main
from jixiao_xl.narrative import office
from jixiao_xl.narrative.checker import check_report
from jixiao_xl.narrative.document import read_paragraphs, read_report

from . import libreoffice as LO
from . import report_docs as D

pytestmark = pytest.mark.skipif(LO.soffice() is None, reason="LibreOffice not installed")
HEAD = "汨罗市司法局2023年度部门整体支出绩效自评报告"


def office_docx(path: Path, lines: list[str]) -> Path:
    """A report as offices write it: title centred, body with a first-line indent of two characters,
    a running head and “第 N 页” in the footer."""
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEAD
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" 页")
    for i, line in enumerate(lines):
        paragraph = document.add_paragraph(line)
        if i == 0:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            paragraph.paragraph_format.first_line_indent = Pt(22)
    document.save(path)
    return path


def convert(source: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    try:
        return LO.convert([source], outdir, fmt, profile=profile, timeout=120)[0]
    except (RuntimeError, subprocess.SubprocessError) as exc:
        pytest.skip(f"LibreOffice cannot convert documents here (Writer missing?): {exc}")


def scan_of(pdf: Path, out: Path, work: Path, profile: Path, title: str = "") -> Path:
    """An image-only PDF: the pages of ``pdf`` rendered to pictures and put back into a PDF (``title``: typed
    above the pictures, as an office puts a scanned, stamped report under its title; the .docx is kept beside)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf), str(work / "page")], check=True)
    document = docx.Document()
    if title:
        document.add_paragraph(title)
    for picture in sorted(work.glob("page*.png")):
        document.add_picture(str(picture), width=Inches(6))
    document.save(work / "scan.docx")
    made = convert(work / "scan.docx", "pdf", work, profile)
    return Path(shutil.move(made, out))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    profile = root / "profile"
    lines = D.seed_report_lines()
    changed = D.edit(D.edit(lines, "公用经费340.27万元", "公用经费350.27万元"), "占基本支出的74.27%", "占基本支出的75.27%")
    made = {}
    for name, text in (("faithful", lines), ("changed", changed)):
        folder = root / name
        folder.mkdir()
        made[name, "docx"] = office_docx(folder / "报告.docx", text)
        made[name, "doc"] = convert(made[name, "docx"], "doc", folder / "doc", profile)
        made[name, "pdf"] = convert(made[name, "docx"], "pdf", folder / "pdf", profile)
    (root / "scan").mkdir()
    made["scan"] = scan_of(made["faithful", "pdf"], root / "扫描件.pdf", root / "scan", profile)
    (root / "titled_scan").mkdir()
    made["titled_scan"] = scan_of(made["faithful", "pdf"], root / "自评报告（盖章扫描）.pdf", root / "titled_scan",
                                  profile, title=HEAD)
    made["titled_scan", "docx"] = root / "titled_scan" / "scan.docx"
    encrypted = 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},' \
                '"DocumentOpenPassword":{"type":"string","value":"secret"}}'
    made["encrypted_pdf"] = convert(made["faithful", "docx"], encrypted, root / "encrypted", profile)
    made["encrypted_pdf"] = made["encrypted_pdf"].with_suffix(".pdf")
    # “禁止复制”: encrypted with a permissions password only, as many published PDFs are; anyone may open it
    protected = 'pdf:writer_pdf_Export:{"RestrictPermissions":{"type":"boolean","value":"true"},' \
                '"PermissionPassword":{"type":"string","value":"owner"},' \
                '"EnableCopyingOfContent":{"type":"boolean","value":"false"}}'
    made["no_copy_pdf"] = convert(made["changed", "docx"], protected, root / "no_copy", profile).with_suffix(".pdf")
    return made


def _findings(path: Path) -> list[tuple[str, str, str, list[str]]]:
    """(code, severity, where, the numbers in the message) of each finding."""
    report = check_report(str(path), [D.WORKBOOK])
    assert report.status != "unreadable", report.error
    return [(f.code, f.severity, f.message.split("：")[0], re.findall(r"\d+(?:\.\d+)?", f.message))
            for f in report.findings]


@pytest.mark.parametrize("name", ["faithful", "changed"])
def test_doc_and_pdf_give_the_same_findings_as_the_docx(files, name):
    expected = _findings(files[name, "docx"])
    if name == "changed":
        assert sum(1 for f in expected if f[1] == "error") >= 2
    assert _findings(files[name, "doc"]) == expected
    assert _findings(files[name, "pdf"]) == expected


def test_a_pdf_that_forbids_copying_is_still_read(files):
    assert b"/Encrypt" in files["no_copy_pdf"].read_bytes()
    assert _findings(files["no_copy_pdf"]) == _findings(files["changed", "docx"])


def test_pdf_paragraphs_are_the_documents_paragraphs(files):
    """Lines broken by the layout are joined, paragraph breaks kept, the running head and page numbers gone."""
    want = [p.text for p in read_report(str(files["faithful", "docx"]))]
    got = [p.text for p in read_report(str(files["faithful", "pdf"]))]
    assert len(got) == len(want)
    # the only differences: spaces the PDF cannot tell from the spacing between Chinese and Western text
    assert [t.replace(" ", "") for t in got] == [t.replace(" ", "") for t in want]
    assert not any(HEAD == t or re.fullmatch(r"第\s*\d+\s*页", t) for t in got)
    assert [p.text for p in read_report(str(files["faithful", "doc"]))] == want


def test_a_scan_is_reported_as_a_scan(files, capsys):
    path = files["scan"]
    report = check_report(str(path), [D.WORKBOOK])
    assert report.status == "unreadable"
    assert report.error.startswith("这是扫描件，无法读取文字（PDF 共 2 页，只有图片）")
    assert main(["report", "check", str(path), D.WORKBOOK]) == 2
    err = capsys.readouterr().err
    assert "扫描件" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_scan_under_a_typed_title_is_a_scan_not_a_clean_report(files, kind, capsys):
    """A scanned report under its typed title (or a scanner's stamp): the text layer holds a title and no figure.
    It read as a report with nothing wrong ("没有发现问题") — nothing had been checked."""
    path = files["titled_scan"] if kind == "pdf" else files["titled_scan", "docx"]
    paragraphs, pictures = read_paragraphs(str(path))
    assert [p.text for p in paragraphs] == [HEAD] and pictures == 2  # the title is read; the pages are pictures
    report = check_report(str(path), [D.WORKBOOK])
    assert report.status == "unreadable" and report.code == "U101"
    what = "PDF " if kind == "pdf" else "文档"
    assert report.error == (f"{what}的文字只有 {len(HEAD)} 字，没有任何金额、比率或得分，其余是图片（2 张），可能是扫描件；"
                            "报告中的数字一个也没有核对；请提交可编辑的 Word 文档（.docx）或带文字层的 PDF")
    assert main(["report", "check", str(path), D.WORKBOOK]) == 2
    captured = capsys.readouterr()
    assert "可能是扫描件" in captured.err and "没有发现问题" not in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_batch_lists_a_titled_scan_named_as_the_report_as_not_checked(files, tmp_path):
    from jixiao_xl import batch

    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(D.WORKBOOK, inbox / "2023绩效自评.xlsx")
    shutil.copy(files["titled_scan"], inbox / "自评报告.pdf")
    result = batch.run([str(inbox)], str(tmp_path / "out"), jobs=1)
    assert "自评报告.pdf" not in {r["rel"] for r in result.results}  # no report row saying 通过
    note = dict(result.attachments)["自评报告.pdf"]
    assert "未能作为自评报告核对：PDF 的文字只有" in note and "可能是扫描件；报告中的数字一个也没有核对" in note


@pytest.mark.parametrize("kind", ["scan", "titled_scan"])
def test_a_unit_whose_report_is_a_scan_is_to_verify_not_passed(files, tmp_path, kind, capsys):
    """A stamped, scanned report (sent, so not missing) beside a workbook without errors: 退回清单 said 通过 and
    only the 附件 sheet named the reason, though no figure of the report had been compared with the tables."""
    import openpyxl

    from jixiao_xl import batch
    from jixiao_xl.cli import main

    from . import report_pairs as R

    inbox = tmp_path / "收件"
    # 甲: a workbook the check finds nothing in (沅陵县火场乡 2024) and its report as a scan; 乙: a report read
    for unit, name in (("甲", "hunan_yuanling_huochang_2024"), ("乙", "hunan_nanxian_caizheng_2020")):
        report, workbook = R.pair(tmp_path, name)
        (inbox / unit).mkdir(parents=True)
        shutil.copy(workbook, inbox / unit / "绩效自评表.xlsx")
        if unit == "乙":
            shutil.copy(report, inbox / unit / "自评报告.docx")
    shutil.copy(files[kind], inbox / "甲" / "自评报告（盖章）.pdf")
    out = tmp_path / "out"
    code = main(["batch", str(inbox), "-o", str(out), "--jobs", "1"])
    last = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("共 "))  # the closing line
    result = batch.run([str(inbox)], str(tmp_path / "out2"), jobs=1)
    units = {u.folder: u for u in result.units()}
    assert units["甲"].verdict == "请核实" and units["甲"].missing() == []
    assert units["甲"].notes() == ["自评报告是扫描件，报告中的数字未核对"]
    assert units["乙"].notes() == []
    book = openpyxl.load_workbook(out / "汇总.xlsx", read_only=True)
    sheet = [list(r) for r in book["退回清单"].iter_rows(values_only=True)]
    header = sheet[0]
    by_folder = {r[header.index("文件夹")]: r for r in sheet[1:]}
    assert by_folder["甲"][header.index("处理")] == "请核实"
    assert by_folder["甲"][header.index("缺少的材料")] == "自评报告是扫描件，报告中的数字未核对"
    assert not by_folder["乙"][header.index("缺少的材料")]
    counts = {r[0]: r[1] for r in book["统计"].iter_rows(values_only=True) if r and r[0]}
    assert counts["自评报告"] == 2 and counts["其中扫描件（未核对）"] == 1
    assert "2 份自评报告（1 份已核对" in last and "1 份是扫描件（报告中的数字未核对，见“退回清单”）" in last, last
    assert code in (0, 1)


def _one_line(path: Path, capsys, expected: str, workbooks=(D.WORKBOOK,)) -> None:
    before = sorted(p.name for p in path.parent.iterdir())
    started = time.perf_counter()
    code = main(["report", "check", str(path), *workbooks])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("\n") == 1 and expected in captured.err, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert sorted(p.name for p in path.parent.iterdir()) == before  # nothing written beside the input
    assert elapsed < 40


def test_encrypted_pdf(files, capsys):
    _one_line(files["encrypted_pdf"], capsys, "PDF 设置了打开密码，无法读取；请取消密码后再提交")


def test_truncated_pdf(files, tmp_path, capsys):
    whole = files["faithful", "pdf"].read_bytes()
    for cut in (len(whole) // 2, 2000):
        path = tmp_path / f"截断{cut}.pdf"
        path.write_bytes(whole[:cut])
        _one_line(path, capsys, "PDF 文件已损坏或不完整")


def test_password_protected_doc(files, tmp_path, capsys):
    if subprocess.run(["/usr/bin/python3", "-c", "import uno"], capture_output=True).returncode:
        pytest.skip("python3-uno not installed")
    path = tmp_path / "加密.doc"
    subprocess.run(["/usr/bin/python3", str(Path(__file__).with_name("lo_protect.py")), str(files["faithful", "docx"]),
                    str(path), "secret", str(tmp_path.parent / "protect-profile")], check=True, timeout=120)
    _one_line(path, capsys, "文档已加密（设置了打开密码），请取消密码后再提交")
    # and if the FIB were not where it is looked for, LibreOffice still refuses it without asking for a password
    with pytest.raises(office.ConversionFailed, match="LibreOffice 无法转换（文档可能已加密或已损坏）"):
        with office.as_docx(str(path), "Word 97-2003 文档（.doc）"):
            pass


def test_a_conversion_that_hangs_is_stopped(tmp_path, capsys, monkeypatch):
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    pids = tmp_path / "bin" / "pids"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pids}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setattr(office, "soffice", lambda: str(fake))
    monkeypatch.setattr(office, "TIMEOUT", 1.0)
    folder = tmp_path / "inbox"
    folder.mkdir()
    doc = folder / "报告.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    started = time.perf_counter()
    _one_line(doc, capsys, "这是Word 97-2003 文档（.doc），LibreOffice 转换超过 1 秒仍未完成")
    assert time.perf_counter() - started < 15
    sleeper = int(pids.read_text())
    status = Path(f"/proc/{sleeper}/status")
    time.sleep(0.2)
    assert not status.exists() or "zombie" in status.read_text()  # what the conversion started was stopped too


def test_without_libreoffice_one_line_says_how_to_convert(files, capsys, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    _one_line(files["faithful", "doc"], capsys, "需要 LibreOffice 才能自动转换，但本机未安装；请用 Word 或 WPS 打开后“另存为”")


def test_wps_and_wpt_are_converted_too(files, tmp_path):
    expected = _findings(files["changed", "docx"])
    for suffix in (".wps", ".wpt"):
        path = tmp_path / f"报告{suffix}"
        shutil.copy(files["changed", "doc"], path)
        assert _findings(path) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告.wps", "报告.wpt"]


def test_batch_checks_doc_and_pdf_reports_and_lists_a_scan_as_an_attachment(files, tmp_path):
    from jixiao_xl import batch

    inbox = tmp_path / "收件"
    for unit in ("甲", "乙"):
        (inbox / unit).mkdir(parents=True)
        shutil.copy(D.WORKBOOK, inbox / unit / "2023绩效自评.xlsx")
    shutil.copy(files["changed", "doc"], inbox / "甲" / "自评报告.doc")
    shutil.copy(files["scan"], inbox / "甲" / "盖章页.pdf")
    shutil.copy(files["changed", "pdf"], inbox / "乙" / "自评报告.pdf")
    result = batch.run([str(inbox)], str(tmp_path / "out"), jobs=1)
    by_rel = {r["rel"]: r for r in result.results}
    expected = sorted(f.code for f in check_report(str(files["changed", "docx"]), [D.WORKBOOK]).findings)
    for rel in ("甲/自评报告.doc", "乙/自评报告.pdf"):
        assert by_rel[rel]["report"]["status"] == "errors"
        assert sorted(f["code"] for f in by_rel[rel]["report"]["findings"]) == expected
    notes = dict(result.attachments)
    assert "甲/盖章页.pdf" not in by_rel
    assert "这是扫描件，无法读取文字" in notes["甲/盖章页.pdf"]
    assert result.exit_code == 1


def test_a_report_in_words_with_a_picture_of_its_seal_is_no_scan(tmp_path):
    """A report of several hundred characters in words only, with a picture of the unit's seal: it was U101
    "文字只有 5xx 字…可能是扫描件" (unreadable).  A scan's text layer is a title or a stamp; a report written in
    words is read, and T304 says none of its figures could be compared."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    seal = tmp_path / "章.png"  # a 60 × 60 red square, written as a PNG by hand
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * 60 for _ in range(60))
    seal.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60, 60, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))
    document = docx.Document()
    document.add_paragraph("汨罗市司法局2023年度部门整体支出绩效自评报告")
    for _ in range(6):
        document.add_paragraph("本单位认真落实预算绩效管理要求，围绕年度工作目标，扎实推进各项工作，"
                               "法治宣传、人民调解、社区矫正等工作有序开展，群众满意度较高，取得了较好的社会效益。")
    document.add_picture(str(seal), width=Inches(1))
    document.save(tmp_path / "报告.docx")
    paragraphs = read_report(str(tmp_path / "报告.docx"))  # no UnreadableReport
    assert len(paragraphs) == 7
    report = check_report(str(tmp_path / "报告.docx"), [])
    assert [f.code for f in report.findings] == ["T303", "T304"]  # no workbook given; no figure to compare
