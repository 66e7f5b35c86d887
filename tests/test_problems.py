"""The catalogue of file problems (jixiao_xl/problems.py): every refusal has a code a reviewer can count by.

Real broken files go through check, report check, batch and fill; each refusal must carry its catalogue code
beside the same Chinese text (check --json, findings.json, the 无法读取 sheet's 代码 column, the command's
line) and ``explain`` must know every code.  A static pass over the package makes sure no refusal is raised
with a code the catalogue lacks.
"""

from __future__ import annotations

import ast
import json
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl import batch
from jixiao_xl.cli import main
from jixiao_xl.narrative.checker import check_report
from jixiao_xl.problems import PROBLEMS, Refused

from . import hostile
from . import report_docs as D
from .test_seed import EXAMPLE

PACKAGE = Path(__file__).resolve().parents[1] / "jixiao_xl"
# the exceptions that carry a catalogue record (their first argument is the code)
CARRIERS = {"Refused", "UnreadableWorkbook", "UnreadableReport", "FileProblem", "FillError", "ConversionFailed",
            "ArchiveRefused"}


def _calls():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else \
                    node.func.attr if isinstance(node.func, ast.Attribute) else None
                yield path, name, node


def test_every_refusal_in_the_package_names_a_catalogued_code():
    seen, bad = Counter(), []
    for path, name, node in _calls():
        where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
        if path.name == "batch_web.py" and name == "Refused":  # Refused(message, status, code=…)
            codes = [k.value.value for k in node.keywords if k.arg == "code"]
        elif name == "Refused" and path.name == "splice.py":  # the direct writer's own signal, never shown
            continue
        elif name in CARRIERS:
            codes = [node.args[0].value] if node.args and isinstance(node.args[0], ast.Constant) else []
            if not codes and not (node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "code"):
                bad.append(f"{where}: {name} without a literal code")
        elif name == "StoreError":  # StoreError(message, code)
            codes = [node.args[1].value] if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else []
            if len(node.args) > 1 and not codes and not (isinstance(node.args[1], ast.Call)):
                bad.append(f"{where}: StoreError without a literal code")
        elif name == "OutputError" and len(node.args) == 3:
            codes = [node.args[2].value]
        elif name in ("Reason", "_failed") and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
            codes = [node.args[1].value]  # Reason(text, code), _failed(task, code, …)
        else:
            continue
        for code in codes:
            seen[code] += 1
            if code not in PROBLEMS:
                bad.append(f"{where}: {code} is not in the catalogue")
    assert bad == []
    assert len(seen) >= 30  # the raise sites use most of the catalogue, not one catch-all code


def test_the_catalogue_is_complete_chinese_text():
    for code, problem in PROBLEMS.items():
        assert problem.code == code and code[0] in "UO" and len(code) == 4
        assert problem.name and problem.advice and problem.template
        for text in (problem.name, problem.advice, problem.template):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), code
    assert len({p.name for p in PROBLEMS.values()}) == len(PROBLEMS)  # two codes never share a name


def test_a_refusal_carries_its_record_and_its_text():
    exc = Refused("U002", detail="xl/workbook.xml 不是有效的 XML")
    assert exc.code == "U002" and exc.problem.name == "文件已损坏"
    assert str(exc) == "文件已损坏，无法读取（xl/workbook.xml 不是有效的 XML）"
    assert str(Refused("U001", text="文档已加密")) == "文档已加密"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    """A folder as a bureau receives it: a good workbook and one of each kind of broken file."""
    root = tmp_path_factory.mktemp("problems") / "收件"
    root.mkdir()
    shutil.copy(EXAMPLE, root / "好.xlsx")
    hostile.encrypted(root / "加密.xlsx")
    hostile.truncated(root / "截断.xlsx")
    hostile.entity_bomb(root / "实体.xlsx")
    hostile.zip_bomb(root / "炸弹.xlsx")
    hostile.no_form(root / "无表.xlsx")
    (root / "空.xlsx").write_bytes(b"")
    return root, {"加密.xlsx": "U001", "截断.xlsx": "U002", "实体.xlsx": "U003", "炸弹.xlsx": "U004",
                  "无表.xlsx": "U012", "空.xlsx": "U010"}


def test_batch_lists_each_unreadable_file_with_its_code(inbox, tmp_path):
    root, expected = inbox
    result = batch.run([str(root)], str(tmp_path / "out"), jobs=1)
    book = openpyxl.load_workbook(tmp_path / "out" / batch.SUMMARY_NAME)
    sheet = book["无法读取"]
    assert [c.value for c in sheet[1]] == ["文件", "代码", "原因"]
    rows = {r[0]: (r[1], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert {name: code for name, (code, _) in rows.items()} == expected
    # the text beside the code is the catalogue's reason, not something else
    for name, (code, text) in rows.items():
        assert text, name
        if "{" not in PROBLEMS[code].template:
            assert text == PROBLEMS[code].template or code in ("U004",), (name, text)
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert data["version"] == 2
    codes = {Path(f["rel"]).name: f.get("error_code") for f in data["files"]}
    assert codes == {**expected, "好.xlsx": None}
    assert Counter(codes.values())["U002"] == 1 and result.exit_code == 2  # countable by cause


def test_reports_refused_with_their_codes(tmp_path, capsys):
    encrypted = D.encrypted(tmp_path / "加密报告.docx", D.build(tmp_path / "源.docx", ["报告正文。"]))
    scan = D.image_only(tmp_path / "扫描件.docx")
    bomb = D.entity_bomb(tmp_path / "实体.docx")
    for path, code in ((encrypted, "U001"), (scan, "U101"), (bomb, "U003"), (EXAMPLE, "U105")):
        report = check_report(str(path))
        assert (report.status, report.code) == ("unreadable", code), path.name
        assert main(["report", "check", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.strip().endswith(f"（{code}）") and report.error in err


def test_fill_refusals_say_their_codes(tmp_path, capsys):
    hostile.encrypted(tmp_path / "加密.xlsx")
    assert main(["fill", str(tmp_path / "加密.xlsx"), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert capsys.readouterr().err.strip().endswith("（U001）")
    assert main(["fill", str(EXAMPLE), "-o", str(tmp_path / "没有的文件夹" / "out.xlsx")]) == 2
    err = capsys.readouterr().err.strip()
    assert "没有的文件夹" in err and err.endswith("（O002）")
    assert not (tmp_path / "out.xlsx").exists()


def test_explain_finds_file_problems_by_code_and_keyword(capsys):
    assert main(["explain", "U004"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("U004 疑似压缩炸弹（提交的文件无法校验）") and "怎么办：" in out
    assert main(["explain", "炸弹"]) == 0
    out = capsys.readouterr().out
    assert "U003" in out and "U004" in out and "共 2 个文件问题" in out
    assert main(["explain", "O"]) == 0
    assert capsys.readouterr().out.count("无法写入") == sum(1 for c in PROBLEMS if c.startswith("O"))
    assert main(["explain"]) == 0
    out = capsys.readouterr().out
    assert all(code in out for code in PROBLEMS) and "B111" in out


@pytest.mark.parametrize("code, says", [
    ("U203", "层级太深"),  # archive.safe_relpath refuses a name more than 64 folders deep with U203
    ("U101", "请核实"),  # batch: a unit whose report came only as a scan is 请核实 (batch.results.Unit.scan_only)
])
def test_explain_says_what_to_do_in_the_cases_the_code_now_covers(capsys, code, says):
    assert main(["explain", code]) == 0
    out = capsys.readouterr().out
    assert says in out.split("怎么办：", 1)[1], out


def test_findings_keep_location_and_text_apart_in_the_result_sheet(tmp_path):
    """A finding whose text holds "：" itself (E102: "现为 112.5%：全年执行数大于全年预算数") is written to 校验结果
    whole, beside its location: nothing splits the message back apart."""
    from .helpers import clean_seed, set_cells
    from .rule_cases import CASES
    from .samples import write_xlsx

    case = next(c for c in CASES if c.code == "E102" and c.outcome == "fail")
    source = tmp_path / "e102.xlsx"
    write_xlsx(source, set_cells(clean_seed(), dict(case.edits)))
    out = tmp_path / "filled.xlsx"
    assert main(["fill", str(source), "-o", str(out), "--mark"]) in (0, 1)
    sheet = openpyxl.load_workbook(out)["校验结果"]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "E102"]
    assert rows, "E102 not in 校验结果"
    code, _, form, cell, location, text = rows[0][:6]
    assert location.startswith(f"[{form}] ") and location.endswith(f"({cell})") and "：" not in location
    assert "：全年执行数大于全年预算数" in text and text.startswith("预算执行率不能超过100%，现为 ")
