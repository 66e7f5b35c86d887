"""The reader without python-calamine (no wheel for the CPU): openpyxl read-only gives the same grids and findings.

Each case runs a real Python process in which ``import python_calamine`` fails (sys.modules entry None),
as on a machine where the wheel could not be installed, and compares with this process (calamine).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jixiao_xl.rules.check import check_path
from jixiao_xl.xlsx.grid import read_grids
from .samples import write_xlsx
from .samples import seed_sheets

from .helpers import set_cells

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"
HIDE = "import sys; sys.modules['python_calamine'] = None\n"


def _snapshot(paths: list[str]) -> dict:
    """What a user sees for each file (findings with cells and numbers, results) and the grids behind it."""
    out = {}
    for path in paths:
        report = check_path(path)
        grids = [] if report.error else read_grids(path)
        out[path] = {
            "error": report.error,
            "findings": [[f.code, f.severity, f.sheet, f.cell, f.message, f.expected, f.found]
                         for f in report.all_findings()],
            "results": [[f.kind, f.results.to_dict()] for f in report.forms],
            "grids": [[g.name, repr(g.rows), g.merged, g.hidden, g.uncached] for g in grids],
        }
    return json.loads(json.dumps(out, default=repr, ensure_ascii=False))


def _without_calamine(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HIDE + code, *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def _variants(tmp_path: Path) -> list[str]:
    """The example, the template example (formulas with cached values) and layouts departments draw."""
    paths = [str(EXAMPLE), str(EXAMPLE.with_name("miluo_sifaju_2023_template.xlsx"))]
    shifted = seed_sheets()
    for spec in shifted:  # two blank rows above, one blank column left
        spec.rows = [[], []] + [[None] + list(r) for r in spec.rows]
        spec.merges = []
    hidden_error = set_cells(seed_sheets(), {"附件1!D6": "1,288.00", "附件2!G5": "#DIV/0!"})
    text_numbers = seed_sheets()
    for spec in text_numbers:
        for row in spec.rows:
            for i, value in enumerate(row):
                if isinstance(value, float) and value > 1.5:
                    row[i] = f"{value:,.2f}"
    for name, sheets in (("shifted_unmerged.xlsx", shifted), ("typed_text.xlsx", hidden_error),
                         ("numbers_as_text.xlsx", text_numbers)):
        write_xlsx(tmp_path / name, sheets)
        paths.append(str(tmp_path / name))
    # A real error value in the sheet XML (as Excel saves #DIV/0!) and a formula saved without its result.
    path = tmp_path / "errors_and_uncached.xlsx"
    write_xlsx(path, seed_sheets())
    with zipfile.ZipFile(path) as src:
        members = {info.filename: src.read(info.filename) for info in src.infolist()}
    sheet = members["xl/worksheets/sheet2.xml"].decode()
    sheet, errors = re.subn(r'<c r="G5"[^>]*>.*?</c>', '<c r="G5" t="e"><v>#DIV/0!</v></c>', sheet, count=1)
    sheet, formulas = re.subn(r'<c r="H5"[^>]*>.*?</c>', '<c r="H5"><f>G5*10</f></c>', sheet, count=1)
    assert errors == formulas == 1
    members["xl/worksheets/sheet2.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    paths.append(str(path))
    return paths


def test_same_grids_and_findings_without_calamine(tmp_path):
    paths = _variants(tmp_path)
    with_calamine = _snapshot(paths)
    code = ("import json, sys\nfrom tests.test_grid_fallback import _snapshot\n"
            "import jixiao_xl.xlsx.grid\n"
            "try:\n    import python_calamine\n    sys.exit('calamine still importable')\n"
            "except ImportError:\n    pass\n"
            "print(json.dumps(_snapshot(sys.argv[1:]), default=repr, ensure_ascii=False))")
    result = _without_calamine(code, *paths)
    assert result.returncode == 0, result.stderr[-2000:]
    without = json.loads(result.stdout)
    for path in paths:
        assert without[path] == with_calamine[path], path
    example = without[str(EXAMPLE)]
    errors = [f for f in example["findings"] if f[1] == "error"]
    assert [(f[0], f[3], f[5], f[6]) for f in errors] == [(f[0], f[3], f[5], f[6]) for f in
                                                          with_calamine[str(EXAMPLE)]["findings"] if f[1] == "error"]
    assert [e[:4] for e in errors] == [["B111", "error", "附件1", "B7"]]  # the mistake kept from the submission, read the same way
    shown = {g[0]: g for g in without[paths[-1]]["grids"]}
    assert "'#DIV/0!'" in shown["附件2"][1] and shown["附件2"][4] == ["H5"]


def test_reader_tests_pass_without_calamine():
    """The suite's reader tests, run as they are in a process where python-calamine cannot be imported."""
    code = ("import pytest, sys\n"
            "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/test_reader_variants.py', "
            "'tests/test_seed.py', 'tests/test_cli.py']))")
    result = _without_calamine(code)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


@pytest.mark.parametrize("damage", ["truncated_sheet", "not_xml"])
def test_broken_file_is_unreadable_in_chinese_without_calamine(tmp_path, damage):
    path = tmp_path / "broken.xlsx"
    write_xlsx(path, seed_sheets())
    with zipfile.ZipFile(path) as src:
        members = {info.filename: src.read(info.filename) for info in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    broken = sheet[: len(sheet) // 2] if damage == "truncated_sheet" else b"\x00\xff garbage"
    members["xl/worksheets/sheet1.xml"] = broken
    with zipfile.ZipFile(path, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    code = "import sys\nfrom jixiao_xl.cli import main\nsys.exit(main(['check', sys.argv[1]]))"
    result = _without_calamine(code, str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "文件已损坏，无法读取" in result.stdout + result.stderr


def test_core_commands_need_neither_xlwings_nor_calamine(tmp_path):
    """Where neither wheel exists (the bundle then leaves both out), check, fill and template still work."""
    code = ("import sys; sys.modules['xlwings'] = None\n"
            "from jixiao_xl.cli import main\n"
            "codes = [main(['check', sys.argv[1]]), main(['fill', sys.argv[1], '-o', sys.argv[2]]),\n"
            "         main(['template', '-o', sys.argv[3], '--year', '2024'])]\n"
            "print('codes', codes, 'xlwings' in sys.modules and sys.modules['xlwings'] is not None)")
    filled, template = tmp_path / "filled.xlsx", tmp_path / "模板.xlsx"
    result = _without_calamine(code, str(EXAMPLE), str(filled), str(template))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines()[-1] == "codes [1, 1, 0] False"
    assert "共 1 个文件：1 个错误，2 个警告" in result.stdout
    assert filled.is_file() and template.is_file()
