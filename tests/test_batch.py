"""batch: a folder of real and hostile workbooks, the summary workbook, exit codes, inputs untouched."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import deque
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl import batch
from jixiao_xl.cli import main

from . import hostile
from .test_seed import EXAMPLE


def digest(folder: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def submitted(tmp_path_factory) -> Path:
    """A county's inbox: good and bad submissions, nested folders, stray files."""
    root = tmp_path_factory.mktemp("inbox")
    (root / "司法局").mkdir()
    shutil.copy(EXAMPLE, root / "司法局" / "2023绩效自评.xlsx")
    (root / "hostile").mkdir()
    for name, (make, _) in hostile.HOSTILE.items():
        make(root / "hostile" / name)
    hostile.uncached_formulas(root / "uncached.xlsx")
    hostile.error_values(root / "errors.xlsx")
    hostile.hidden_sheet(root / "hidden.xlsx")
    hostile.formula_text(root / "formula-text.xlsx")
    (root / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    (root / "说明.docx").write_bytes(b"PK\x03\x04")
    (root / "~$2023绩效自评.xlsx").write_bytes(b"lock")
    return root


@pytest.fixture(scope="module")
def run(submitted, tmp_path_factory):
    before = digest(submitted)
    out = tmp_path_factory.mktemp("out")
    result = batch.run([str(submitted)], str(out), fill=True, jobs=2, timeout=60)
    assert digest(submitted) == before  # input files never modified
    return result, out


def by_rel(result, rel):
    return next(r for r in result.results if r["rel"] == rel)


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE))
def test_hostile_file_gets_a_clear_status(run, name):
    result, _ = run
    entry = by_rel(result, f"hostile/{name}")
    assert entry["report"]["status"] == "unreadable"
    assert hostile.HOSTILE[name][1] in entry["report"]["error"]


def test_good_workbook_checked_and_filled(run):
    result, out = run
    entry = by_rel(result, "司法局/2023绩效自评.xlsx")
    assert entry["report"]["status"] == "errors"
    filled = out / "filled" / "司法局" / "2023绩效自评.xlsx"
    assert entry["filled"] == str(filled)
    assert openpyxl.load_workbook(filled)["附件1"]["D12"].value == 440.32


def test_uncached_formulas_are_named(run):
    entry = by_rel(run[0], "uncached.xlsx")
    messages = [f["message"] for f in entry["report"]["findings"] if f["code"] == "S002"]
    assert messages and "D6" in messages[0] and "没有保存计算结果" in messages[0]


def test_error_values_are_reported(run):
    entry = by_rel(run[0], "errors.xlsx")
    found = {(f["cell"], f["found"]) for form in entry["report"]["forms"] for f in form["findings"]
             if f["code"] == "N003"}
    assert found == {("G5", "#DIV/0!"), ("H5", "#REF!")}


def test_hidden_sheet_is_still_read(run):
    entry = by_rel(run[0], "hidden.xlsx")
    assert [f["form"] for f in entry["report"]["forms"]] == ["basic_data", "dept_self_eval", "project_self_eval"]


def test_unsupported_files_listed_with_reasons(run):
    # an .xls is read since issue 23: this one (an OLE2 header and nothing else) is a workbook that fails
    errors = {r["rel"]: r["error"] for r in run[0].results}
    assert errors["old.xls"] == "文件已损坏或不完整，无法读取，请重新保存后再提交"
    # a .docx is taken as a 自评报告 (narrative/inbox.py); this one cannot be read as one: an attachment still
    attachments = dict(run[0].attachments)
    assert attachments["说明.docx"] == "附件，未校验（未能作为自评报告核对：文档已损坏（压缩包不完整），请重新保存后再提交）"
    lock = attachments["~$2023绩效自评.xlsx"]
    assert "临时文件" in lock and "“2023绩效自评.xlsx”正在别处打开" in lock and lock.endswith("未校验")


def test_summary_workbook(run):
    _, out = run
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    assert book.sheetnames == ["汇总", "统计", "退回清单", "问题明细", "无法读取", "附件"]
    summary = book["汇总"]
    assert [c.value for c in summary[1]] == batch.SUMMARY_COLUMNS
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref
    rows = [[c.value for c in r] for r in summary.iter_rows(min_row=2)]
    dept = next(r for r in rows if r[0] == "司法局/2023绩效自评.xlsx" and "部门整体支出绩效自评表" in r[2])
    assert dept[1:] == ["汨罗市司法局", "[附件2] 部门整体支出绩效自评表", "（部门整体）", 1, 10, 99, 99, 0, None, "优", "一致",
                        0, 1, "有警告"]
    colours = {(str(cf.sqref), rule.formula[0]): rule.dxf.fill.bgColor.rgb
               for cf in summary.conditional_formatting for rule in cf.rules}
    last = summary.max_row
    assert colours[(f"K2:K{last}", '"优"')].endswith("C6EFCE")  # grades coloured
    assert colours[(f"O2:O{last}", '"有错误"')].endswith("FFC7CE")  # errors red
    assert summary.column_dimensions["E"].number_format == "0.00%"
    details = [[c.value for c in r] for r in book["问题明细"].iter_rows(min_row=2)]
    assert ["司法局/2023绩效自评.xlsx", "汨罗市司法局", "附件1", "B7", "B111", "错误"] in [d[:6] for d in details]
    unreadable = {r[0].value: r[1].value for r in book["无法读取"].iter_rows(min_row=2)}
    assert "hostile/encrypted.xlsx" in unreadable and "old.xls" in unreadable


def test_formula_looking_text_stays_text(run):
    _, out = run
    book = openpyxl.load_workbook(out / "汇总.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    names = [c.value for c in book["汇总"]["B"]]
    assert '=HYPERLINK("http://x","单位")' in names


def test_findings_json_follows_the_check_contract(run):
    _, out = run
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert data["version"] == 2
    statuses = {Path(f["path"]).name: f["status"] for f in data["files"]}
    assert statuses["2023绩效自评.xlsx"] == "errors" and statuses["encrypted.xlsx"] == "unreadable"
    assert statuses["old.xls"] == "unreadable"


def test_exit_codes(tmp_path, capsys):
    good = tmp_path / "good"
    good.mkdir()
    from .helpers import clean_seed
    from .samples import write_xlsx

    write_xlsx(good / "clean.xlsx", clean_seed())
    assert main(["batch", str(good), "-o", str(tmp_path / "o1")]) == 0
    shutil.copy(EXAMPLE, good / "seed.xlsx")
    assert main(["batch", str(good), "-o", str(tmp_path / "o2")]) == 1
    (good / "x.xls").write_bytes(b"x")
    assert main(["batch", str(good), "-o", str(tmp_path / "o3")]) == 2
    out = capsys.readouterr().out
    assert "汇总：" in out and "1 个无法读取" in out


def test_output_folder_inside_input_is_not_rescanned(tmp_path, capsys):
    shutil.copy(EXAMPLE, tmp_path / "seed.xlsx")
    main(["batch", str(tmp_path), "-o", str(tmp_path / "out"), "--fill"])
    result = batch.run([str(tmp_path)], str(tmp_path / "out"), fill=True, jobs=1)
    assert [r["rel"] for r in result.results] == ["seed.xlsx"]


def test_big_sheet_is_handled(tmp_path):
    path = tmp_path / "big.xlsx"
    hostile.huge_sheet(path)
    start = time.monotonic()
    result = batch.run([str(path)], str(tmp_path / "out"), jobs=1, timeout=60)
    assert time.monotonic() - start < 30
    entry = result.results[0]
    assert entry["report"]["status"] == "errors"  # the seed's own errors, found beside 100,000 rows
    assert [f["form"] for f in entry["report"]["forms"]] == ["basic_data", "dept_self_eval", "project_self_eval"]


def test_a_hanging_file_is_cut_off(tmp_path, monkeypatch):
    """A file that never finishes costs its time limit and a line in 无法读取, not the run."""
    shutil.copy(EXAMPLE, tmp_path / "a.xlsx")
    shutil.copy(EXAMPLE, tmp_path / "slow.xlsx")
    real = batch.process

    def slow_process(task, *args):
        if task.rel == "slow.xlsx":
            time.sleep(60)
        return real(task, *args)

    monkeypatch.setattr(batch.worker, "process", slow_process)
    start = time.monotonic()
    result = batch.run([str(tmp_path)], str(tmp_path / "out"), jobs=2, timeout=2)
    assert time.monotonic() - start < 20
    assert by_rel(result, "slow.xlsx")["report"]["error"].startswith("处理超过 2 秒")
    assert by_rel(result, "a.xlsx")["report"]["status"] == "errors"


def test_a_crashing_worker_is_replaced(tmp_path, monkeypatch):
    import os

    for name in ("a.xlsx", "crash.xlsx", "b.xlsx"):
        shutil.copy(EXAMPLE, tmp_path / name)
    real = batch.process

    def crashing(task, *args):
        if task.rel == "crash.xlsx":
            os._exit(3)  # as if the parser took the process down
        return real(task, *args)

    monkeypatch.setattr(batch.worker, "process", crashing)
    result = batch.run([str(tmp_path)], str(tmp_path / "out"), jobs=1, timeout=30)
    assert "异常退出" in by_rel(result, "crash.xlsx")["report"]["error"]
    assert by_rel(result, "b.xlsx")["report"]["status"] == "errors"


def test_a_hang_and_a_crash_inside_a_chunk_cost_only_their_own_file(tmp_path, monkeypatch):
    """Workers get several files at a time; a file that hangs or kills its worker in the middle of
    such a chunk is reported, and the files queued behind it are still checked by a fresh worker."""
    import os

    names = [f"f{i:02d}.xlsx" for i in range(40)]
    for name in names:
        shutil.copy(EXAMPLE, tmp_path / name)
    real = batch.process

    def odd(task, *args):
        if task.rel == "f02.xlsx":
            os._exit(3)
        if task.rel == "f13.xlsx":
            time.sleep(60)
        return real(task, *args)

    monkeypatch.setattr(batch.worker, "process", odd)
    assert len(batch._chunk(deque(range(40)), 1)) > 3  # f02 and f13 are inside chunks, not at their ends
    start = time.monotonic()
    result = batch.run([str(tmp_path)], str(tmp_path / "out"), jobs=1, timeout=2)
    assert time.monotonic() - start < 30
    assert [r["rel"] for r in result.results] == names
    assert "异常退出" in by_rel(result, "f02.xlsx")["report"]["error"]
    assert by_rel(result, "f13.xlsx")["report"]["error"].startswith("处理超过 2 秒")
    others = [r for r in result.results if r["rel"] not in ("f02.xlsx", "f13.xlsx")]
    assert {r["report"]["status"] for r in others} == {"errors"}  # the seed's own errors, every one checked
    assert all(r["rows"] for r in others)


# ------------------------------------------------------------ attachments, earlier outputs, counts


@pytest.fixture
def inbox(tmp_path) -> Path:
    """Submissions as they arrive: each workbook with its attachments, and an old batch output copied in."""
    root = tmp_path / "inbox"
    for unit in ("司法局", "财政局"):
        (root / unit).mkdir(parents=True)
        shutil.copy(EXAMPLE, root / unit / "自评.xlsx")
        (root / unit / "自评报告.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        (root / unit / "说明.docx").write_bytes(b"PK\x03\x04")
        (root / unit / "现场照片.jpg").write_bytes(b"\xff\xd8\xff\xe0")
        (root / unit / "备注.txt").write_text("见附件", encoding="utf-8")
    assert main(["batch", str(root / "司法局"), "-o", str(root / "旧结果"), "--fill", "--jobs", "1"]) == 1
    assert (root / "旧结果" / "filled" / "自评.xlsx").exists()
    return root


def test_attachments_do_not_change_the_exit_code(inbox, tmp_path, capsys):
    capsys.readouterr()
    assert main(["batch", str(inbox), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 1  # the example's 2 errors
    out = capsys.readouterr().out
    # the two 自评报告.pdf are reports (not checked: not .docx), the rest other attachments
    assert "共 13 个文件，其中 2 个工作簿（6 张表）：0 个通过，0 个有警告，2 个有错误，0 个无法读取；" \
           "2 份自评报告；6 个其他附件未校验；3 个本工具以前生成的文件已跳过；2 个单位，2 个需退回" in out
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    attached = {r[0].value: r[1].value for r in book["附件"].iter_rows(min_row=2)}
    # a PDF is read as a report when it can be; this one is only a PDF header, so it stays an attachment, with why
    assert attached["司法局/自评报告.pdf"] == ("PDF 文档，未校验（未能作为自评报告核对：PDF 文件已损坏或不完整，无法读取"
                                          "（PDF 的内部结构已损坏）；请重新导出后再提交）")
    assert attached["财政局/现场照片.jpg"] == "图片（JPEG），未校验"  # what each file is, told by its content
    assert attached["旧结果/汇总.xlsx"] == attached["旧结果/filled/自评.xlsx"] == "本工具以前生成的文件，已跳过"
    assert not list(book["无法读取"].iter_rows(min_row=2))
    files = {r[0].value for r in book["汇总"].iter_rows(min_row=2)}
    assert files == {"司法局/自评.xlsx", "财政局/自评.xlsx"}  # the old filled copy and 汇总.xlsx are not forms
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert len(data["files"]) == 2 and len(data["attachments"]) == 8
    assert sorted(data["skipped"]) == ["旧结果/filled/自评.xlsx", "旧结果/findings.json", "旧结果/汇总.xlsx"]


def test_a_workbook_named_like_our_summary_is_still_checked(tmp_path, capsys):
    """Only our own 汇总.xlsx (its three sheets) is skipped; a submission of that name is checked."""
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(EXAMPLE, root / "汇总.xlsx")
    result = batch.run([str(root)], str(tmp_path / "out"), jobs=1)
    assert [r["rel"] for r in result.results] == ["汇总.xlsx"] and result.own == []


def test_every_count_in_the_closing_line_adds_up(run):
    result, _ = run
    c = result.counts()
    assert c["clean"] + c["warnings"] + c["errors"] + c["unreadable"] == c["workbooks"]
    assert c["workbooks"] + c["reports"] + c["attachments"] + c["own"] == c["files"]
    assert c["workbooks"] == len(result.results) + len(result.unsupported)
    assert c["unreadable"] == len(hostile.HOSTILE) + 1  # the hostile files and old.xls
    line = result.closing_line()
    assert f"共 {c['files']} 个文件，其中 {c['workbooks']} 个工作簿" in line
    assert f"{c['unreadable']} 个无法读取；2 个其他附件未校验" in line
