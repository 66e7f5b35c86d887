"""batch opens the .zip archives among the submissions (reviewers get them by e-mail and drop them in a folder).

A unit that sent its workbook in 司法局.zip was told its workbook was missing (缺少工作簿) and the run ended with
exit code 0.  Now the zip is opened (zips in it too, 3 levels deep) into a temporary folder removed at the end,
its files checked as if they lay in a folder named after it ("汨罗/司法局.zip/司法局2023.xlsx"), and they belong to
the unit of the folder the zip lies in.  A zip that cannot be opened, and a .rar, are said so in Chinese; the
folder is not 缺少工作簿 for it.  The zip checks are the batch page's (batch/archive.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

from jixiao_xl import batch

from .test_seed import EXAMPLE


def zip_bytes(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buf.getvalue()


def encrypted(raw: bytes) -> bytes:
    """A zip's entries marked encrypted (zipfile cannot write a password; the flag is what readers go by):
    bit 0 of the flags in each local header (offset 6) and central directory entry (offset 8)."""
    data = bytearray(raw)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset] |= 0x1
            at = data.find(signature, at + 4)
    return bytes(data)


def run_cli(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    """``python -m jixiao_xl batch …`` with its own temporary folder (TMPDIR), to see what it leaves there."""
    scratch = tmp / "系统临时"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(scratch)}
    return subprocess.run([sys.executable, "-m", "jixiao_xl", "batch", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def rows(book, sheet: str) -> list[tuple]:
    return list(book[sheet].iter_rows(min_row=2, values_only=True))


def digest(folder: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_unit_that_sent_a_zip_has_its_workbook_checked_not_missing(tmp_path):
    inbox = tmp_path / "收到的材料"
    (inbox / "汨罗").mkdir(parents=True)
    # made on Chinese Windows: the name inside is GBK without the UTF-8 flag
    gbk = "司法局2023.xlsx".encode("gbk")
    placeholder = b"A" * (len(gbk) - 5) + b".xlsx"
    (inbox / "汨罗" / "司法局.zip").write_bytes(
        zip_bytes([(placeholder.decode(), EXAMPLE.read_bytes())]).replace(placeholder, gbk))
    # an .xlsx is a zip too: a workbook named .zip is checked as a workbook, not opened
    (inbox / "财政局").mkdir()
    (inbox / "财政局" / "自评表.zip").write_bytes(EXAMPLE.read_bytes())
    before = digest(inbox)
    out = tmp_path / "校验结果"

    done = run_cli(str(inbox), "-o", str(out), "--fill", "--jobs", "1", tmp=tmp_path)

    assert done.returncode == 1, done.stderr  # the example's own errors, as for the workbook lying in the folder
    assert "Traceback" not in done.stderr
    assert ("共 2 个文件（已解压 1 个压缩包），其中 2 个工作簿（6 张表）：0 个通过，0 个有警告，2 个有错误，"
            "0 个无法读取；2 个单位，2 个需退回，见“退回清单”") in done.stdout
    assert "缺少工作簿" not in done.stdout and "其他附件" not in done.stdout
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    summary = rows(book, "汇总")
    assert sorted({r[0] for r in summary}) == ["汨罗/司法局.zip/司法局2023.xlsx", "财政局/自评表.zip"]
    dept = [r for r in summary if r[0] == "汨罗/司法局.zip/司法局2023.xlsx" and "附件2" in r[2]]
    assert [r[1:12] for r in dept] == [("汨罗市司法局", "[附件2] 部门整体支出绩效自评表", "（部门整体）", 1, 10, 99, 99,
                                        0, None, "优", "一致")]
    returned = {r[1]: r for r in rows(book, "退回清单")}
    assert returned["汨罗"][0] == "汨罗市司法局" and returned["汨罗"][3:5] == (99, 99)
    assert returned["汨罗"][10] == "缺少自评报告"  # the workbook is there
    assert all("工作簿" not in (r[10] or "") for r in returned.values())
    assert rows(book, "附件") == [("汨罗/司法局.zip", "压缩包，已解压：其中的 1 个文件列为“司法局.zip/…”")]
    assert rows(book, "无法读取") == []
    # the filled copy mirrors the name in 汇总; findings.json names the file by the zip's path
    filled = out / "filled" / "汨罗" / "司法局.zip" / "司法局2023.xlsx"
    assert openpyxl.load_workbook(filled)["附件1"]["D12"].value == 440.32
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    entry = next(f for f in data["files"] if f["rel"] == "汨罗/司法局.zip/司法局2023.xlsx")
    assert entry["path"] == str(inbox / "汨罗" / "司法局.zip" / "司法局2023.xlsx") and entry["status"] == "errors"
    assert digest(inbox) == before  # the zips are only read
    assert list((tmp_path / "系统临时").iterdir()) == []  # the unpacked files are gone


def test_a_report_beside_the_zip_goes_with_the_workbook_in_it_and_the_store_names_the_zip(tmp_path):
    from .report_docs import build, seed_report_lines

    inbox = tmp_path / "收件" / "司法局"
    inbox.mkdir(parents=True)
    (inbox / "自评表.zip").write_bytes(zip_bytes([("自评表.xlsx", EXAMPLE.read_bytes())]))
    build(inbox / "自评报告.docx", seed_report_lines())
    out = tmp_path / "out"
    store = tmp_path / "绩效库.sqlite"

    done = run_cli(str(tmp_path / "收件"), "-o", str(out), "--store", str(store), "--jobs", "1", tmp=tmp_path)

    assert done.returncode == 1, done.stderr
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    report = [r for r in rows(book, "汇总") if r[0] == "司法局/自评报告.docx"]
    assert [r[1:3] for r in report] == [("汨罗市司法局", "自评报告（对照 自评表.xlsx）")]
    [unit] = rows(book, "退回清单")
    assert unit[:2] == ("汨罗市司法局", "司法局") and unit[10] is None  # nothing missing: workbook and report
    with sqlite3.connect(store) as db:
        names = {name for (name,) in db.execute("SELECT source_file FROM forms")}
    assert names == {str(inbox / "自评表.zip" / "自评表.xlsx")}  # not the temporary folder's, gone after the run
    assert list((tmp_path / "系统临时").iterdir()) == []


def test_a_damaged_zip_a_password_a_rar_and_too_deep_a_zip_are_said_so(tmp_path):
    inbox = tmp_path / "in"
    good = zip_bytes([("司法局.xlsx", EXAMPLE.read_bytes())])
    for unit in ("教育局", "财政局", "公安局", "民政局"):
        (inbox / unit).mkdir(parents=True)
    (inbox / "教育局" / "教育局.zip").write_bytes(good[:600])  # cut off in the download
    (inbox / "公安局" / "公安局.zip").write_bytes(encrypted(zip_bytes([("公安局.xlsx", b"\x00" * 200)])))
    (inbox / "财政局" / "财政局.rar").write_bytes(b"Rar!\x1a\x07\x01\x00" + os.urandom(200))
    deep = good
    for level in range(4):  # the workbook in a zip in a zip in a zip in a zip
        deep = zip_bytes([(f"第{level}层.zip", deep)])
    (inbox / "民政局" / "民政局.zip").write_bytes(deep)
    out = tmp_path / "out"

    done = run_cli(str(inbox), "-o", str(out), "--jobs", "1", tmp=tmp_path)

    assert done.returncode == 2, done.stdout + done.stderr  # as for any file that cannot be read
    assert "Traceback" not in done.stderr and done.stderr == ""
    assert "共 4 个文件（已解压 3 个压缩包），其中 0 个工作簿（0 张表）" in done.stdout
    assert "；4 个压缩包无法打开（见“无法读取”）；4 个单位，3 个需退回，见“退回清单”" in done.stdout
    assert "缺少工作簿" not in done.stdout
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    unreadable = {r[0]: r[1:] for r in rows(book, "无法读取")}
    assert unreadable == {
        "教育局/教育局.zip": ("U017", ("压缩包无法打开：不是有效的 zip 压缩包（可能不是 zip 格式或已损坏）；"
                                     "请解压后再运行；解压不了的请报送单位重新压缩（不设密码）后再报送")),
        "公安局/公安局.zip": ("U017", ("压缩包无法打开：其中的“公安局.xlsx”设有密码；"
                                     "请解压后再运行；解压不了的请报送单位重新压缩（不设密码）后再报送")),
        "财政局/财政局.rar": ("U018", ("压缩包无法打开：这是 RAR 压缩包，本工具只能打开 .zip；"
                                     "请用解压软件解压后再运行，或请报送单位改用 .zip")),
        "民政局/民政局.zip/第3层.zip/第2层.zip/第1层.zip": (
            "U017", "压缩包无法打开：压缩包里套压缩包超过 3 层，这一层未解压；请解压后再运行")}
    returned = {r[1]: r for r in rows(book, "退回清单")}
    assert set(returned) == {"教育局", "公安局", "财政局", "民政局"}
    for folder, row in returned.items():
        assert row[3] == "压缩包无法打开" and row[10] == "1 个压缩包无法打开，未能核对", row
        name = Path(next(k for k in unreadable if k.startswith(folder))).name
        assert row[9].startswith(f"1. {name} 压缩包无法打开："), row
    assert returned["财政局"][2] == "请核实"  # the reviewer can unpack a .rar
    assert {returned[f][2] for f in ("教育局", "公安局", "民政局")} == {"需退回"}
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert {f["rel"]: f["error_code"] for f in data["files"] if f["kind"] == "archive"} == {
        k: v[0] for k, v in unreadable.items()}
    assert all(not u["missing"] for u in data["units"])
    assert list((tmp_path / "系统临时").iterdir()) == []


def test_a_zip_with_folders_a_thousand_deep_stops_nothing(tmp_path):
    # one such entry stopped the whole run: "jixiao-xl：程序内部错误（RecursionError）", no 汇总 for anyone
    inbox = tmp_path / "in"
    (inbox / "汨罗").mkdir(parents=True)
    (inbox / "汨罗" / "司法局.xlsx").write_bytes(EXAMPLE.read_bytes())
    (inbox / "平江.zip").write_bytes(zip_bytes([("平江/司法局.xlsx", EXAMPLE.read_bytes()), ("x/" * 1200 + "a.txt", b"x")]))
    out = tmp_path / "out"

    done = run_cli(str(inbox), "-o", str(out), "--jobs", "1", tmp=tmp_path)

    assert "Traceback" not in done.stderr and "RecursionError" not in done.stdout + done.stderr
    assert "其中 1 个工作簿（3 张表）" in done.stdout and "1 个压缩包无法打开（见“无法读取”）" in done.stdout
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    (rel, code, why), = rows(book, "无法读取")
    assert (rel, code) == ("平江.zip", "U017")
    assert why.startswith("压缩包无法打开：其中的“x/x/x/x/x/x/x/x/x/x/x/x/x/x/…/x/x/x/x/x/x/x/x/x/x/x/a.txt”"
                          "文件夹层级太深（1201 层，上限 64 层），整个压缩包未解压；"), why
    assert list((tmp_path / "系统临时").iterdir()) == []


def test_a_zip_slip_entry_is_never_written_outside_the_temporary_folder(tmp_path):
    inbox = tmp_path / "in" / "司法局"
    inbox.mkdir(parents=True)
    (inbox / "司法局.zip").write_bytes(zip_bytes([("ok.xlsx", EXAMPLE.read_bytes()),
                                                  ("../../x.xlsx", EXAMPLE.read_bytes()),
                                                  ("../../../../../../tmp/x.xlsx", b"evil")]))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = tmp_path / "out"

    result = batch.run([str(tmp_path / "in")], str(out), jobs=1, scratch=str(scratch))

    assert result.exit_code == 2 and result.results == []  # the whole zip refused, as the batch page does
    assert [(a.rel, a.code) for a in result.unopened] == [("司法局/司法局.zip", "U017")]
    assert "其中的“../../x.xlsx”指向压缩包以外的位置" in result.unopened[0].reason
    assert list(scratch.iterdir()) == []
    assert not any(p.name == "x.xlsx" for p in tmp_path.rglob("*"))
    assert not Path("/tmp/x.xlsx").exists()


def test_a_zip_of_region_folders_keeps_the_units_and_regions(tmp_path):
    """材料.zip holding 汨罗/司法局/… and 岳阳/教育局/…: the folders inside are the units' (the zip's own folder
    is the top), and --by 地区 groups by them."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "材料.zip").write_bytes(zip_bytes([("汨罗/司法局/自评表.xlsx", EXAMPLE.read_bytes()),
                                               ("岳阳/教育局/说明.pdf", b"%PDF-1.4\n")]))
    out = tmp_path / "out"

    result = batch.run([str(inbox)], str(out), jobs=1, by="region")

    units = {(u.folder, u.name): u.missing() for u in result.units()}
    # a region folder without any workbook is a unit 缺少工作簿, as on disk
    assert units == {("汨罗/司法局", "汨罗市司法局"): ["自评报告"], ("岳阳", "岳阳"): ["工作簿", "自评报告"]}
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    assert {r[:2] for r in rows(book, "汇总")} == {("汨罗", "材料.zip/汨罗/司法局/自评表.xlsx")}
