"""The command line as a user runs it: exit codes, human and JSON output, bad files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.cli import main
from .samples import seed_sheets, write_xlsx

from .helpers import clean_seed
from .test_seed import EXAMPLE


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_example_human_output(capsys):
    code, out, _ = run(capsys, "check", str(EXAMPLE))
    assert code == 1
    assert "[附件1] 部门整体支出绩效评价基础数据表" in out
    assert "B111 错误  [附件1] 公务用车购置和维护经费 2022年决算数 (B7)：" in out
    assert "B110" not in out  # the 三公 total is right once 公务用车 is corrected
    assert "总分 99（优）" in out
    assert out.strip().endswith("共 1 个文件：1 个错误，2 个警告，3 个提示")


def test_clean_file_exits_zero(tmp_path, capsys):
    path = tmp_path / "clean.xlsx"
    write_xlsx(path, clean_seed())
    code, out, _ = run(capsys, "check", str(path), "--no-info")
    assert code == 0
    assert "D001" not in out


def test_json_contract(capsys):
    code, out, _ = run(capsys, "check", "--json", str(EXAMPLE))
    assert code == 1
    data = json.loads(out)
    assert data["version"] == 2
    (entry,) = data["files"]
    assert set(entry) == {"path", "status", "error", "error_code", "forms", "findings", "profile"}
    assert entry["profile"]["name"] == "hunan" and entry["profile"]["known"] is True  # chosen from the forms
    assert "汨罗" in entry["profile"]["reason"]
    assert entry["status"] == "errors" and entry["error"] is None and entry["error_code"] is None
    kinds = [f["form"] for f in entry["forms"]]
    assert kinds == ["basic_data", "dept_self_eval", "project_self_eval"]
    for form in entry["forms"]:
        assert set(form) == {"form", "sheet", "title", "results", "findings"}
        for finding in form["findings"]:
            assert set(finding) == {"code", "severity", "sheet", "cell", "message", "location", "text", "expected",
                                    "found"}
            assert finding["message"] == f"{finding['location']}：{finding['text']}"  # version 2: kept apart
            assert finding["severity"] in ("error", "warning", "info")
    assert set(entry["forms"][0]["results"]) == {
        "staff_control_rate", "sangong_control_rate", "public_funds_control_rate", "procurement_rate",
        "scale_control_rate", "investment_control_rate"}
    assert entry["forms"][0]["results"]["scale_control_rate"] is None
    assert entry["forms"][1]["results"] == {"exec_rate": 1.0, "exec_score": 10.0, "weight_total": 100.0,
                                            "total_score": 99.0, "grade": "优"}
    first = entry["forms"][0]["findings"][0]
    assert (first["code"], first["cell"], first["expected"], first["found"]) == ("B111", "B7", 9.0, 17.0)
    assert first["location"].startswith("[附件1]") and first["location"].endswith("(B7)")
    assert "17" in first["text"] and "9" in first["text"] and "：" not in first["location"]


def test_select_and_ignore(capsys):
    code, out, _ = run(capsys, "check", "--json", "--select", "B1", "--ignore", "B121", str(EXAMPLE))
    codes = {f["code"] for form in json.loads(out)["files"][0]["forms"] for f in form["findings"]}
    assert codes == {"B111"}
    assert code == 1
    code, _, _ = run(capsys, "check", "--ignore", "B110,B111", str(EXAMPLE))
    assert code == 0


def test_unknown_rule_code_is_a_usage_error(capsys):
    code, _, err = run(capsys, "check", "--select", "Z999", str(EXAMPLE))
    assert code == 2 and "没有这条规则：Z999" in err


def test_national_profile_flags_hunan_weights(capsys):
    _, out, _ = run(capsys, "check", "--json", "--profile", "national", str(EXAMPLE))
    codes = [f["code"] for form in json.loads(out)["files"][0]["forms"] for f in form["findings"]]
    assert "W105" in codes


def test_explain(capsys):
    code, out, _ = run(capsys, "explain", "b110")
    assert code == 0
    assert out.startswith("B110 sangong-sum（错误）")
    assert "依据" in out and "错误示例" in out and "正确示例" in out
    code, out, _ = run(capsys, "explain")
    assert code == 0 and "I102" in out and "W104" in out
    code, _, err = run(capsys, "explain", "Q1")
    assert code == 2 and "没有这条规则" in err


def test_explain_finds_rules_by_chinese_keywords(capsys):
    code, out, _ = run(capsys, "explain", "三公")
    assert code == 0
    codes = [line.split()[0] for line in out.splitlines() if line[:1].isalpha() and line[1:4].isdigit()]
    assert {"B110", "B120", "B122"} <= set(codes)
    assert "含“三公”的规则" in out
    _, out2, _ = run(capsys, "explain", "三公经费")  # “三公”经费 in the rule's words
    assert "B110" in out2
    _, out3, _ = run(capsys, "explain", "三公 预算")  # every keyword
    assert "B120" in out3 and "B110" not in out3
    _, out4, _ = run(capsys, "explain", "Sangong")  # part of a name
    assert "B110" in out4 and "B120" in out4
    # exact code, name and profile names still come first, with the rule's full text
    assert run(capsys, "explain", "sangong-sum")[1].startswith("B110 sangong-sum（错误）")
    assert "含“hubei”" not in run(capsys, "explain", "hubei")[1]
    _, out5, _ = run(capsys, "explain", "B1")  # a code prefix, as before
    assert "含" not in out5 and all(c.startswith("B1") for c in
                                    (line.split()[0] for line in out5.splitlines()[:-2] if line.strip()))
    code, _, err = run(capsys, "explain", "没有这种话")
    assert code == 2 and "关键词" in err


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.strip() == f"jixiao-xl {version('jixiao-xl')}" == "jixiao-xl 0.1.0"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--version   显示版本号并退出" in capsys.readouterr().out


def _encrypted(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(EXAMPLE, "rb") as handle:
        OOXMLFile(handle).encrypt("secret", out)
    path.write_bytes(out.getvalue())


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str, str]]:
    files = {}
    text = tmp_path / "notes.xlsx"
    text.write_text("这不是工作簿")
    files["not-a-workbook"] = (text, "不是 Excel 工作簿", "U005")
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(EXAMPLE.read_bytes()[:5000])
    files["truncated"] = (truncated, "文件已损坏", "U002")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    files["empty"] = (empty, "文件是空的", "U010")
    encrypted = tmp_path / "encrypted.xlsx"
    _encrypted(encrypted)
    files["encrypted"] = (encrypted, "文件已加密", "U001")
    legacy = tmp_path / "old.xlsx"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    files["legacy-xls"] = (legacy, "文件已损坏或不完整", "U002")
    noform = tmp_path / "noform.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["姓名", "金额"])
    book.save(noform)
    files["no-form"] = (noform, "没有找到可识别的绩效自评表", "U012")
    files["missing"] = (tmp_path / "nowhere.xlsx", "找不到文件", "U007")
    return files


@pytest.mark.parametrize("kind", ["not-a-workbook", "truncated", "empty", "encrypted", "legacy-xls", "no-form",
                                  "missing"])
def test_bad_input_gets_one_chinese_line_and_exit_2(tmp_path, capsys, kind):
    path, reason, problem = _bad_files(tmp_path)[kind]
    before = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    code, out, err = run(capsys, "check", str(path))
    assert code == 2
    assert reason in err and str(path) in err and err.strip().endswith(f"（{problem}）")  # the code for explain
    assert len(err.strip().splitlines()) == 1
    assert f"无法读取（{problem}）：" in out
    assert "Traceback" not in out + err
    if before:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    code, out, _ = run(capsys, "check", "--json", str(path))
    entry = json.loads(out)["files"][0]
    assert entry["status"] == "unreadable" and reason in entry["error"] and entry["forms"] == []
    assert entry["error_code"] == problem
    code, out, _ = run(capsys, "explain", problem)  # every code a refusal gives is explained
    assert code == 0 and out.startswith(f"{problem} ") and "怎么办：" in out


def test_one_bad_file_does_not_stop_the_others(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x")
    code, out, _ = run(capsys, "check", "--json", str(bad), str(EXAMPLE))
    statuses = [f["status"] for f in json.loads(out)["files"]]
    assert statuses == ["unreadable", "errors"] and code == 2


def test_input_file_is_not_modified(capsys):
    before = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    stamp = os.stat(EXAMPLE).st_mtime_ns
    run(capsys, "check", str(EXAMPLE))
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() == before
    assert os.stat(EXAMPLE).st_mtime_ns == stamp


def test_usage_error_exits_2(capsys):
    code = None
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    code = exc.value.code
    assert code == 2
    assert "参数错误" in capsys.readouterr().err


def test_console_script_runs_in_a_fresh_process(tmp_path):
    path = tmp_path / "seed.xlsx"
    write_xlsx(path, seed_sheets())
    proc = subprocess.run([sys.executable, "-m", "jixiao_xl", "check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "B111 错误" in proc.stdout and proc.stderr == ""


def test_import_stays_light():
    code = ("import sys, jixiao_xl, jixiao_xl.rules.check, jixiao_xl.cli; "
            "heavy = [m for m in ('pandas', 'xlwings', 'openpyxl', 'numpy') if m in sys.modules]; print(heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_check_a_folder(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    write_xlsx(tmp_path / "sub" / "a.xlsx", seed_sheets())
    write_xlsx(tmp_path / "b.xlsx", clean_seed())
    (tmp_path / "~$b.xlsx").write_bytes(b"lock")
    code, out, _ = run(capsys, "check", "--json", str(tmp_path))
    files = [Path(f["path"]).name for f in json.loads(out)["files"]]
    assert files == ["b.xlsx", "a.xlsx"] and code == 1


def _owner_file(user: str = "张三") -> bytes:
    """An Excel owner ("~$") file as Excel writes it: the user's name twice (ANSI, then UTF-16), 165 bytes."""
    ansi = user.encode("gbk")
    wide = user.encode("utf-16-le")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ") + bytes([len(user), 0]) + wide
    return data.ljust(165, b" ")


def test_check_of_a_lock_file_names_its_workbook(tmp_path, capsys):
    shutil.copy(EXAMPLE, tmp_path / "汇总.xlsx")
    lock = tmp_path / "~$汇总.xlsx"
    lock.write_bytes(_owner_file())
    code, out, err = run(capsys, "check", str(lock))
    assert code == 2
    assert "不是 Excel 工作簿" not in out + err
    assert "锁定文件" in err and "“汇总.xlsx”正在别处打开" in err and "请校验“汇总.xlsx”" in err
    code, out, _ = run(capsys, "check", "--json", str(lock))
    (entry,) = json.loads(out)["files"]
    assert entry["status"] == "unreadable" and "锁定文件" in entry["error"]
    # a folder holding both: the workbook is checked, the lock file passed over as before
    code, out, _ = run(capsys, "check", "--json", str(tmp_path))
    assert [Path(f["path"]).name for f in json.loads(out)["files"]] == ["汇总.xlsx"]
    code, _, err = run(capsys, "fill", str(lock), "-o", str(tmp_path / "out.xlsx"))
    assert code == 2 and "锁定文件" in err and not (tmp_path / "out.xlsx").exists()


# ------------------------------------------------------------ Chinese throughout, polish

ENGLISH = ("usage", "positional arguments", "optional arguments", "options:", "show this help", "invalid choice",
           "required", "unrecognized", "expected one argument", "invalid int value", "error:", "argument ")
HELP_PAGES = [[], ["check"], ["template"], ["fill"], ["batch"], ["history"], ["report"], ["report", "check"],
              ["report", "draft"], ["profiles"], ["bundle"], ["addin"], ["addin", "serve"], ["addin", "build-xlam"],
              ["addin", "build-wps"], ["addin", "install"], ["explain"]]


@pytest.mark.parametrize("words", HELP_PAGES, ids=lambda w: " ".join(w) or "jixiao-xl")
def test_help_is_chinese(capsys, words):
    with pytest.raises(SystemExit) as exc:
        main(words + ["-h"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：jixiao-xl") and "显示本帮助并退出" in out
    assert not [w for w in ENGLISH if w in out.lower()], out


# What a help page says a command takes, where the command does more or less than an old text said: batch's -o is a
# folder (a file name such as 汇总.xlsx is refused), report's workbooks are read in every format check reads.
HELP_SAYS = [
    (["batch"], "-o 输出文件夹", "不是 汇总.xlsx 这样的文件名"),
    (["report", "check"], "工作簿", ".xlsx、.xls、WPS .et、.ods 等"),
    (["report", "draft"], "工作簿", ".xlsx、.xls、WPS .et、.ods 等"),
]


@pytest.mark.parametrize("words, option, said", HELP_SAYS, ids=["batch -o", "report check", "report draft"])
def test_help_says_what_the_command_takes(capsys, words, option, said):
    with pytest.raises(SystemExit):
        main(words + ["-h"])
    out = "".join(capsys.readouterr().out.split())  # argparse wraps long help lines, at any width the terminal has
    assert "".join(option.split()) in out and "".join(said.split()) in out, out


@pytest.mark.parametrize("args, shown", [
    (["check"], "缺少必需的参数：文件"),
    (["chek", "a.xlsx"], "无效的选项：'chek'"),
    (["check", "a.xlsx", "--bogus"], "无法识别的参数：--bogus"),
    (["batch", "in", "-o", "out", "--jobs", "x"], "参数 --jobs：应为正整数（现为“x”）"),
    (["batch", "in", "-o", "out", "--jobs", "0"], "参数 --jobs：至少为 1（现为 0）"),
    (["batch", "in"], "缺少必需的参数：-o/--output"),
    (["fill", "a.xlsx", "-o"], "参数 -o/--output：需要一个值"),
    (["template", "--projects", "0"], "参数 --projects：至少为 1（现为 0）"),
])
def test_usage_errors_are_chinese(capsys, args, shown):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "jixiao-xl：参数错误：" in err and shown in err and err.startswith("用法：")
    assert not [w for w in ENGLISH if w in err.lower() and w not in ("argument ",)], err


@pytest.mark.parametrize("year", ["24", "1999", "2101", "二〇二四", "20245"])
def test_year_is_checked(tmp_path, capsys, year):
    with pytest.raises(SystemExit) as exc:
        main(["template", "-o", str(tmp_path / "t.xlsx"), "--year", year])
    assert exc.value.code == 2
    assert f"年度应为 2000–2100 之间的四位数字，如 2024（现为“{year}”）" in capsys.readouterr().err
    assert not (tmp_path / "t.xlsx").exists()


def test_year_bounds_are_accepted(tmp_path, capsys):
    assert main(["template", "-o", str(tmp_path / "t.xlsx"), "--year", "2100"]) == 0
    assert openpyxl.load_workbook(tmp_path / "t.xlsx", data_only=True)["附件2"]["A2"].value == "2100年度部门整体支出绩效自评表"


def test_broken_pipe_is_quiet(tmp_path):
    """``check … | head -1``: the rest of the output goes nowhere, no traceback, the usual exit code."""
    for i in range(60):
        (tmp_path / f"{i:02d}.xlsx").write_bytes(EXAMPLE.read_bytes())
    proc = subprocess.Popen([sys.executable, "-m", "jixiao_xl", "check", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert first and err == ""


def test_check_of_a_folder_without_workbooks(tmp_path, capsys):
    (tmp_path / "报告.pdf").write_bytes(b"%PDF")
    code, out, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and out == ""
    assert err == f"jixiao-xl：{tmp_path}：文件夹里没有工作簿（.xlsx、.xls、.et、.ods 等）\n"


def test_check_names_the_zips_it_does_not_open(tmp_path, capsys):
    """check reads workbooks; a folder holding a unit's zip beside another's workbook says the zip was not checked
    and how to check it (batch opens zips), and a zip given to check is called a zip of workbooks, not "no
    workbook content"."""
    import zipfile

    (tmp_path / "司法局.xlsx").write_bytes(EXAMPLE.read_bytes())
    with zipfile.ZipFile(tmp_path / "财政局.zip", "w") as archive:
        archive.writestr("财政局2023.xlsx", EXAMPLE.read_bytes())
    code, out, err = run(capsys, "check", str(tmp_path))
    assert code == 1 and "司法局.xlsx" in out and "财政局" not in out
    assert err == (f"jixiao-xl：{tmp_path}：另有 1 个压缩包（如 财政局.zip）没有校验；"
                   "请用 jixiao-xl batch 校验压缩包里的工作簿，或先解压\n")
    code, out, err = run(capsys, "check", str(tmp_path / "财政局.zip"))
    assert code == 2
    assert "这是压缩包，内有 1 个工作簿（如“财政局2023.xlsx”），不是单个工作簿；请用 jixiao-xl batch 校验（会自动解压），或先解压" \
        in out + err


def test_check_of_a_missing_file(tmp_path, capsys):
    code, _, err = run(capsys, "check", str(tmp_path / "无.xlsx"))
    assert code == 2 and f"jixiao-xl：{tmp_path / '无.xlsx'}：找不到文件" in err


@pytest.mark.parametrize("asked, first", [("B110", "B110"), ("b110", "B110"), ("sangong-sum", "B110"),
                                          ("derived-blank", "D001")])
def test_explain_accepts_codes_and_names(capsys, asked, first):
    code, out, _ = run(capsys, "explain", asked)
    assert code == 0 and out.startswith(f"{first} ")


def test_explain_accepts_prefixes(capsys):
    from jixiao_xl.rules import RULES

    code, out, _ = run(capsys, "explain", "B1")
    listed = [line.split()[0] for line in out.splitlines() if line[:1] == "B"]
    assert code == 0 and listed == [r.code for r in RULES if r.code.startswith("B1")]
    assert f"共 {len(listed)} 条规则" in out


def test_explain_shows_sources_as_users_read_them(capsys):
    from jixiao_xl.rules import RULES

    for rule in RULES:
        code, out, _ = run(capsys, "explain", rule.code)
        source = next(line for line in out.splitlines() if line.startswith("依据："))
        assert code == 0 and len(source) > 5
        assert not any(tag in source for tag in ("[A]", "[B]", "[C]", "spec", "§")), source
    _, out, _ = run(capsys, "explain", "D001")
    assert "依据：财政部一体化系统自动计算规则\n" in out


def test_w105_names_a_level_the_profile_does_not_have(capsys):
    _, out, _ = run(capsys, "check", "--json", "--profile", "national", str(EXAMPLE))
    messages = [f["message"] for form in json.loads(out)["files"][0]["forms"] for f in form["findings"]
                if f["code"] == "W105"]
    assert "[附件2] 一级指标 成本指标 (B22)：成本指标为 20 分，全国（财预〔2020〕10号）口径中没有“成本指标”这一项一级指标" \
        in messages
    assert not [m for m in messages if "应为没有" in m]


def test_check_of_a_folder_skips_an_earlier_summary(tmp_path, capsys):
    shutil.copy(EXAMPLE, tmp_path / "自评.xlsx")
    assert main(["batch", str(tmp_path), "-o", str(tmp_path / "结果"), "--jobs", "1"]) == 1
    capsys.readouterr()
    code, out, err = run(capsys, "check", "--json", str(tmp_path))
    assert [Path(f["path"]).name for f in json.loads(out)["files"]] == ["自评.xlsx"] and code == 1


def test_check_of_a_folder_names_its_old_xls_files(tmp_path, capsys):
    shutil.copy(EXAMPLE, tmp_path / "a.xlsx")
    (tmp_path / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)  # an OLE2 (.xls) file
    code = main(["check", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2  # a file that could not be read is never a silent success
    assert "旧表.xls：文件已损坏或不完整，无法读取，请重新保存后再提交" in captured.err
    assert "共 2 个文件：1 个错误" in captured.out


def test_addin_without_an_action_is_a_usage_error(capsys):
    assert main(["addin"]) == 2
    assert "build-wps" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["file", "proc"])
def test_bundle_into_an_unwritable_place_is_one_chinese_line(tmp_path, capsys, where):
    if where == "file":  # a path under a file
        (tmp_path / "文件").write_text("x")
        output, start = tmp_path / "文件" / "包", "jixiao-xl：输出位置不存在："
    else:  # a folder nobody can create files in, root included
        output, start = Path("/proc/jixiao-bundle"), "jixiao-xl：无法在 /proc 中生成安装包："
    assert main(["bundle", "-o", str(output), "--platform", "manylinux_x86_64", "--python", "3.11"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(start), err


def test_help_names_every_format_a_folder_is_searched_for(tmp_path, capsys):
    # batch finds .xls, WPS .et and .ods as well (issue 23); its help said ".xlsx/.xlsm" only
    for command in ("check", "batch"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert ".xls、WPS .et、.ods" in out and ".xlsx/.xlsm" not in out, command
    from tests.samples import write_xlsx
    from .helpers import clean_seed

    write_xlsx(tmp_path / "book.xlsx", clean_seed())
    (tmp_path / "book.xlsx").rename(tmp_path / "book.et")  # WPS's own name for the same file
    code, out, err = run(capsys, "check", str(tmp_path))
    assert code == 0 and "book.et" in out and "总分 100（优）" in out and err == ""


@pytest.mark.parametrize("name", ["汇总.xlsx", "结果.json"])
def test_batch_output_named_like_a_file_is_refused_not_made_a_folder(tmp_path, capsys, name):
    """`batch … -o 汇总.xlsx`: a reviewer naming the summary file got a folder called 汇总.xlsx holding 汇总.xlsx.
    Refused in Chinese (-o is the output folder), nothing created; a folder of that name that exists is used."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / "司法局.xlsx")
    code, out, err = run(capsys, "batch", str(inbox), "-o", str(tmp_path / name))
    assert code == 2 and not (tmp_path / name).exists()
    assert f"-o 是输出文件夹（其中写入 汇总.xlsx 和 findings.json），“{name}”像是文件名" in err
    assert f"例如 -o {tmp_path / Path(name).stem}" in err
    (tmp_path / name).mkdir()
    code, out, err = run(capsys, "batch", str(inbox), "-o", str(tmp_path / name), "--jobs", "1")
    assert code == 1 and (tmp_path / name / "汇总.xlsx").is_file()


def test_batch_output_named_past_the_file_systems_limit_is_said_in_chinese(tmp_path, capsys):
    """`-o` with a name over 255 bytes ending in .xlsx: checking whether it was a folder raised (ENAMETOOLONG) and
    the command stopped with "程序内部错误"."""
    inbox = tmp_path / "收件"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / "司法局.xlsx")
    code, out, err = run(capsys, "batch", str(inbox), "-o", str(tmp_path / ("汇" * 90 + ".xlsx")))
    assert code == 2 and "程序内部错误" not in err and "-o 是输出文件夹" in err, err
