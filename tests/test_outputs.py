"""Every output path problem: one Chinese line naming the path and the reason, exit 2, nothing left behind.

Also: backups never overwrite a backup, outputs keep the permission bits of the
file they replace and new files follow the umask.  The read-only cases use the
permission bits, so they hold even when the tests run as root.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.cli import main

from .test_seed import EXAMPLE


@pytest.fixture
def seed(tmp_path) -> Path:
    path = tmp_path / "in" / "seed.xlsx"
    path.parent.mkdir()
    shutil.copy(EXAMPLE, path)
    return path


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def one_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert "Traceback" not in captured.err + captured.out
    assert len(lines) == 1, captured.err
    return lines[0]


def read_only(path: Path) -> None:
    path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)


def case_missing_folder(tmp_path):
    return tmp_path / "不存在" / "x.xlsx", "文件夹", "不存在"


def case_read_only_folder(tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    read_only(folder)
    return folder / "x.xlsx", "只读", str(folder)


def case_under_a_file(tmp_path):
    blocker = tmp_path / "note.txt"
    blocker.write_text("x")
    return blocker / "x.xlsx", "是文件，不是文件夹", str(blocker)


def case_a_folder(tmp_path):
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    return folder, "这是一个文件夹", str(folder)


def case_read_only_file(tmp_path):
    target = tmp_path / "已有.xlsx"
    target.write_bytes(b"kept")
    read_only(target)
    return target, "文件是只读的，不能覆盖", str(target)


CASES = [case_missing_folder, case_read_only_folder, case_under_a_file, case_a_folder, case_read_only_file]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__[5:])
@pytest.mark.parametrize("command", ["fill", "template"])
def test_output_path_problem_is_one_line_and_exit_2(tmp_path, seed, capsys, case, command):
    target, reason, named = case(tmp_path)
    before = files(tmp_path)
    args = ["fill", str(seed), "-o", str(target)] if command == "fill" else ["template", "-o", str(target)]
    assert main(args) == 2
    line = one_line(capsys)
    assert line.startswith(f"jixiao-xl：无法写入 {target}：") and reason in line and named in line
    assert files(tmp_path) == before  # nothing half-written, no temporary file
    if target.is_file():
        assert target.read_bytes() == b"kept"


@pytest.mark.parametrize("case", ["under-a-file", "read-only", "is-a-file"])
def test_batch_output_folder_problem(tmp_path, seed, capsys, case):
    if case == "under-a-file":
        (tmp_path / "note.txt").write_text("x")
        out, reason = tmp_path / "note.txt" / "结果", "是文件，不是文件夹"
    elif case == "read-only":
        out = tmp_path / "结果"
        out.mkdir()
        read_only(out)
        reason = "只读"
    else:
        out = tmp_path / "结果.txt"
        out.write_text("x")
        reason = "这是一个文件，不是文件夹"
    before = files(tmp_path)
    assert main(["batch", str(seed.parent), "-o", str(out), "--jobs", "1"]) == 2
    line = one_line(capsys)
    assert line.startswith(f"jixiao-xl：无法写入 {out}：") and reason in line
    assert files(tmp_path) == before


def test_in_place_on_a_read_only_file(seed, capsys):
    read_only(seed)
    before = seed.read_bytes()
    assert main(["fill", str(seed), "--in-place"]) == 2
    line = one_line(capsys)
    assert line == f"jixiao-xl：无法写入 {seed}：文件是只读的，不能直接修改（可以用 -o 另存一份）（O001）"
    assert seed.read_bytes() == before
    assert files(seed.parent) == {"seed.xlsx"}  # no stray .bak


@pytest.mark.parametrize("marks", [False, True], ids=["direct-writer", "openpyxl-writer"])
def test_a_failing_save_leaves_nothing(seed, capsys, monkeypatch, marks):
    """The disk fills up while saving: the original stays, no backup, no temporary file."""
    import zipfile

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if marks:
        monkeypatch.setattr(openpyxl.Workbook, "save", full)
    else:
        monkeypatch.setattr(zipfile.ZipFile, "writestr", full)
    before = seed.read_bytes()
    assert main(["fill", str(seed), "--in-place"] + (["--mark"] if marks else [])) == 2
    assert one_line(capsys) == f"jixiao-xl：无法写入 {seed}：磁盘空间不足（O005）"
    assert seed.read_bytes() == before and files(seed.parent) == {"seed.xlsx"}


def test_backups_in_the_same_second_never_overwrite(seed, monkeypatch, capsys):
    """Two runs in one second: two backups, the first still holding the original."""
    import jixiao_xl.write.fill as F

    monkeypatch.setattr(F.time, "strftime", lambda fmt: "20240101-120000")
    original = seed.read_bytes()
    assert main(["fill", str(seed), "--in-place", "--mark"]) == 1
    once = seed.read_bytes()
    assert main(["fill", str(seed), "--in-place", "--overwrite-derived"]) == 0
    first = seed.parent / "seed.20240101-120000.bak.xlsx"
    second = seed.parent / "seed.20240101-120000-2.bak.xlsx"
    assert first.read_bytes() == original and second.read_bytes() == once
    assert files(seed.parent) == {"seed.xlsx", first.name, second.name}
    assert f"原文件已备份为：{second}" in capsys.readouterr().out


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o640])
def test_in_place_keeps_the_permission_bits(seed, umask, mode):
    seed.chmod(mode)
    assert main(["fill", str(seed), "--in-place"]) == 1
    assert stat.S_IMODE(seed.stat().st_mode) == mode
    backup = next(seed.parent.glob("seed.*.bak.xlsx"))
    assert stat.S_IMODE(backup.stat().st_mode) == mode


def test_new_files_follow_the_umask(tmp_path, seed, capsys):
    old = os.umask(0o002)
    try:
        assert main(["template", "-o", str(tmp_path / "t.xlsx")]) == 0
        assert main(["batch", str(seed.parent), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 1
    finally:
        os.umask(old)
    for path in (tmp_path / "t.xlsx", tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "findings.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, path


@pytest.mark.parametrize("mode, expected", [(0o644, 0o644), (0o664, 0o664), (0o640, 0o640), (0o444, 0o644)])
def test_fill_output_keeps_the_input_bits(tmp_path, seed, umask, mode, expected):
    """A checked copy of a submission is readable by whoever could read the submission; its owner can write it."""
    seed.chmod(mode)
    out = tmp_path / "checked.xlsx"
    assert main(["fill", str(seed), "-o", str(out)]) == 1
    assert stat.S_IMODE(out.stat().st_mode) == expected


def test_overwritten_output_keeps_its_bits(tmp_path, seed, umask):
    out = tmp_path / "f.xlsx"
    out.write_bytes(b"old")
    out.chmod(0o660)
    assert main(["fill", str(seed), "-o", str(out)]) == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o660


def test_an_unexpected_error_is_still_one_chinese_line(seed, capsys, monkeypatch):
    """The last resort: a bug of ours ends in one line and exit 2, never a traceback."""
    import jixiao_xl.rules.check as C

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(C, "check_path", broken)
    assert main(["check", str(seed)]) == 2
    assert one_line(capsys) == "jixiao-xl：程序内部错误，请把文件和命令发给维护人员"  # no English class name


def test_fill_keeps_an_earlier_output_edited_since_as_a_backup(tmp_path, capsys):
    """fill -o onto its own earlier output: unchanged, it is simply replaced (no clutter); edited since (a reason
    typed into the checked copy), the edited copy is kept as 原名.时间.bak.xlsx, never over another, and said."""
    out = tmp_path / "已校验.xlsx"
    assert main(["fill", str(EXAMPLE), "-o", str(out)]) == 1
    assert main(["fill", str(EXAMPLE), "-o", str(out)]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["已校验.xlsx"]
    capsys.readouterr()
    book = openpyxl.load_workbook(out)
    book["附件2"]["I15"] = "手工补写的偏差原因"
    book.save(out)
    assert main(["fill", str(EXAMPLE), "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    (backup,) = [p for p in tmp_path.iterdir() if p.name != "已校验.xlsx"]
    assert backup.name.startswith("已校验.") and backup.name.endswith(".bak.xlsx")
    assert f"输出文件“已校验.xlsx”原已存在，且与本次结果不同（可能在上次输出后手工改过）：原有的一份已备份为 {backup}" in printed
    assert openpyxl.load_workbook(backup)["附件2"]["I15"].value == "手工补写的偏差原因"
    assert openpyxl.load_workbook(out)["附件2"]["I15"].value is None  # the new output is the input's, filled


@pytest.mark.parametrize("lock", ["~$教育局2024.xlsx", "~$局2024.xlsx", ".~lock.教育局2024.xlsx#"])
def test_fill_in_place_refuses_a_workbook_open_in_excel_wps_or_libreoffice(tmp_path, capsys, lock):
    """A lock file beside the workbook says it is open: writing now would be lost when Excel/WPS saves its copy.
    Refused in Chinese, exit 2, the workbook untouched and no backup made."""
    book = tmp_path / "教育局2024.xlsx"
    shutil.copy(EXAMPLE, book)
    (tmp_path / lock).write_bytes(b"owner")
    before = book.read_bytes()
    assert main(["fill", str(book), "--in-place"]) == 2
    err = capsys.readouterr().err
    assert f"文件正在别处打开（旁边有锁定文件“{lock}”），本次未写入；请在 Excel、WPS 或 LibreOffice 中关闭它后再运行" in err
    assert book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == sorted([book.name, lock])
