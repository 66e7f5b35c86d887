"""What the user typed is never changed: only derived cells are written, formulas are never lost.

The property tests edit random input cells of the bundled example and of the
template (numbers, text, blanks, negative numbers, text that looks like a
formula), run ``fill`` with every option, and prove that the only cells that
changed are derived cells (``derive.derived``), that no formula became a
constant, that the button's plan (``fill.plan``) targets derived cells only,
and that ``template --from`` carries every typed value.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from jixiao_xl.cli import main
from jixiao_xl.compute.derive import derived, form_cells, input_cells
from jixiao_xl.write.fill import fill, plan
from jixiao_xl.write.openpyxl_writer import _formula_results
from jixiao_xl.xlsx.grid import read_grids
from .libreoffice import convert, soffice
from jixiao_xl.write.marks import MARKS_SHEET, RESULT_SHEET
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_forms, read_workbook
from jixiao_xl.xlsx.xlsxio import save_workbook

from .test_seed import EXAMPLE

TEMPLATE = EXAMPLE.parent.parent / "绩效自评模板.xlsx"
SEED_TEMPLATE = EXAMPLE.parent / "miluo_sifaju_2023_template.xlsx"
OURS = {RESULT_SHEET, MARKS_SHEET}


def contents(path) -> dict:
    """Every non-empty cell as stored: formulas as their text, values as typed."""
    book = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in book.worksheets if ws.title not in OURS
            for row in ws.iter_rows() for c in row if c.value is not None}


def derived_addresses(path) -> set[tuple[str, str]]:
    profile = get_profile()
    return {(f.sheet, d.cell.address) for f in read_forms(read_grids(str(path))).forms for d in derived(f, profile)}


def formulas(path) -> set[tuple[str, str]]:
    book = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate) for ws in book.worksheets if ws.title not in OURS
            for row in ws.iter_rows() for c in row if c.data_type == "f"}


def changed(before: dict, after: dict) -> set:
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def edited_copy(source: Path, target: Path, edits: dict, results: dict | None = None) -> Path:
    """A copy with cells set as a user would type them (text stays text); ``results``: {(sheet, A1): (formula,
    its result as another application stored it)}."""
    book = openpyxl.load_workbook(source)
    for (sheet, address), value in edits.items():
        book[sheet][address].value = value
        if isinstance(value, str):
            book[sheet][address].data_type = "s"
    cached = _formula_results(book, openpyxl.load_workbook(source, data_only=True, read_only=True))
    for (sheet, address), (formula, value) in (results or {}).items():
        book[sheet][address].value = formula
        cached.setdefault(sheet, {})[address] = value
    save_workbook(book, target, cached)
    return target


# ------------------------------------------------------------ the scenarios of the issue


def test_overwrite_derived_keeps_the_evaluators_scores(tmp_path):
    """H14 = 8 and H21 = 9 are the evaluator's deductions: kept; only the 总分 follows them."""
    source = edited_copy(EXAMPLE, tmp_path / "s.xlsx", {("附件2", "H14"): 8, ("附件2", "H21"): 9})
    out = tmp_path / "o.xlsx"
    result = fill(str(source), str(out), overwrite_derived=True)
    written = {(c.sheet, c.cell): (c.old, c.new) for c in result.changes}
    assert ("附件2", "H14") not in written and ("附件2", "H21") not in written
    assert written[("附件2", "H25")] == (99, 96)  # 10 + 8 + 10 + 10 + 10 + 10 + 5 + 5 + 9 + 9 + 5 + 5
    book = openpyxl.load_workbook(out)["附件2"]
    assert (book["H14"].value, book["H21"].value, book["H25"].value) == (8, 9, 96)


def test_weight_typo_does_not_raise_the_score(tmp_path):
    """G14 10 → 15: the 分值 total becomes 105, the typed 得分 10 stays (never 15, never 总分 105)."""
    source = edited_copy(EXAMPLE, tmp_path / "s.xlsx", {("附件2", "G14"): 15})
    out = tmp_path / "o.xlsx"
    result = fill(str(source), str(out), overwrite_derived=True)
    written = {(c.sheet, c.cell): (c.old, c.new) for c in result.changes}
    assert written[("附件2", "G25")] == (100, 105)
    assert ("附件2", "H14") not in written and ("附件2", "H25") not in written
    book = openpyxl.load_workbook(out)["附件2"]
    assert (book["H14"].value, book["H25"].value) == (10, 99)


def test_a_users_own_formula_is_never_turned_into_a_constant(tmp_path, capsys):
    """An official-layout workbook whose 三公 is a formula (25 = 17 + 0 + 8, 公务用车 wrong): the formula stays."""
    source = edited_copy(EXAMPLE, tmp_path / "s.xlsx", {}, {("附件1", "B6"): ("=B7+B10+B11", 25)})
    out = tmp_path / "o.xlsx"
    assert main(["fill", str(source), "-o", str(out), "--overwrite-derived"]) == 1  # B110 is still reported
    assert openpyxl.load_workbook(out)["附件1"]["B6"].value == "=B7+B10+B11"
    assert formulas(out) == formulas(source) == {("附件1", "B6")}
    assert "[附件1] B6 是填报人自己的公式，未改动" in capsys.readouterr().out


def test_template_typed_over_gets_its_formula_back(tmp_path):
    """A 三公 typed over in the template (14 = 9 + 0 + 5, the right number) gets its formula back."""
    book = openpyxl.load_workbook(TEMPLATE)
    formula = book["附件1"]["B6"].value
    assert formula.startswith("=")
    source = edited_copy(TEMPLATE, tmp_path / "t.xlsx", {("附件1", "B9"): 9, ("附件1", "B11"): 5,
                                                          ("附件1", "B6"): 14})
    out = tmp_path / "o.xlsx"
    plain = fill(str(source), str(tmp_path / "plain.xlsx"))
    assert ("附件1", "B6") not in {(c.sheet, c.cell) for c in plain.changes}  # without the option: as typed
    result = fill(str(source), str(out), overwrite_derived=True)
    assert [(c.cell, c.old, c.new) for c in result.changes if c.cell == "B6"] == [("B6", 14, formula)]
    assert openpyxl.load_workbook(out)["附件1"]["B6"].value == formula
    assert formulas(out) == formulas(TEMPLATE)
    assert openpyxl.load_workbook(out, data_only=True)["附件1"]["B6"].value == 14


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_template_saved_by_libreoffice_keeps_every_formula(tmp_path):
    """Formulas with results written by another application: none becomes a constant."""
    typed = edited_copy(TEMPLATE, tmp_path / "typed.xlsx", {
        ("附件1", "B9"): 9, ("附件1", "B11"): 5, ("附件1", "C9"): 3, ("附件2", "C5"): 100, ("附件2", "D5"): 100,
        ("附件2", "E5"): 90, ("附件2", "H14"): 8})
    saved = convert([typed], tmp_path / "lo")[0]
    before = formulas(saved)
    assert len(before) == len(formulas(TEMPLATE))
    out = tmp_path / "o.xlsx"
    result = fill(str(saved), str(out), overwrite_derived=True, mark=True)
    assert result.template
    assert formulas(out) == before
    assert not changed(contents(saved), contents(out))  # LibreOffice's results were right: nothing to write
    values = openpyxl.load_workbook(out, data_only=True)["附件1"]
    assert values["B6"].value == 14 and values["H14"].value is None


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_template_saved_by_libreoffice_with_a_typed_over_sum_gets_its_formula_back(tmp_path):
    """三公 typed over (14) and saved by LibreOffice: --overwrite-derived restores the formula, not 14."""
    formula = openpyxl.load_workbook(TEMPLATE)["附件1"]["B6"].value
    typed = edited_copy(TEMPLATE, tmp_path / "typed.xlsx", {("附件1", "B9"): 9, ("附件1", "B11"): 5,
                                                             ("附件1", "B6"): 14})
    saved = convert([typed], tmp_path / "lo")[0]
    assert openpyxl.load_workbook(saved)["附件1"]["B6"].value == 14
    out = tmp_path / "o.xlsx"
    fill(str(saved), str(out), overwrite_derived=True)
    assert openpyxl.load_workbook(out)["附件1"]["B6"].value == formula
    assert formulas(out) == formulas(saved) | {("附件1", "B6")}


# ------------------------------------------------------------ the property: inputs never change

VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-50, max_value=5000),
    st.floats(min_value=-1e4, max_value=1e6, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2)),
    st.sampled_from(["无", "98%", "≥95%", "=1+1", "12,345.6", "约 30", " ", "100分"]),
)


def _inputs(path: Path) -> list[tuple[str, str]]:
    profile = get_profile()
    return sorted({(f.sheet, c.address) for f in read_forms(read_grids(str(path))).forms
                   for c in input_cells(f, profile)})


EXAMPLE_INPUTS = _inputs(EXAMPLE)
TEMPLATE_INPUTS = _inputs(TEMPLATE)


def test_input_cells_of_the_example_and_template():
    """The enumeration the property test relies on: scores, weights, amounts and texts; no sums."""
    assert ("附件2", "H14") in EXAMPLE_INPUTS and ("附件2", "G14") in EXAMPLE_INPUTS  # 得分, 分值
    assert ("附件1", "B9") in EXAMPLE_INPUTS and ("附件2", "I22") in EXAMPLE_INPUTS
    assert ("附件1", "B6") not in EXAMPLE_INPUTS and ("附件2", "H25") not in EXAMPLE_INPUTS  # 三公, 总分
    assert ("附件2", "G5") not in EXAMPLE_INPUTS  # 执行率
    assert len(EXAMPLE_INPUTS) > 100 and len(TEMPLATE_INPUTS) > 100


def _property(tmp_path_factory, source: Path, inputs, edits, overwrite, mark):
    tmp = tmp_path_factory.mktemp("prop")
    edited = edited_copy(source, tmp / "in.xlsx", {inputs[i]: v for i, v in edits})
    before_bytes = edited.read_bytes()
    before = contents(edited)
    out = tmp / "out.xlsx"
    fill(str(edited), str(out), overwrite_derived=overwrite, mark=mark)
    assert edited.read_bytes() == before_bytes
    after = contents(out)
    allowed = derived_addresses(edited)
    assert changed(before, after) <= allowed
    typed = [k for k in _inputs(edited) if k in before or k in after]
    assert all(before.get(k) == after.get(k) for k in typed)
    assert formulas(edited) <= formulas(out)
    grids = read_grids(str(edited))
    planned = {(sheet, item.cell.address) for sheet, item, _, _ in plan(grids, get_profile(), True)}
    assert planned <= allowed  # what the Excel button would write
    template = tmp / "template.xlsx"
    assert main(["template", "--from", str(edited), "-o", str(template)]) == 0
    assert not_carried(edited, template) == []
    assert edited.read_bytes() == before_bytes


def not_carried(source: Path, template: Path) -> list:
    """Input cells of ``source`` whose typed value is not in ``template`` at the same field."""
    profile = get_profile()
    missing = []
    for old, new in zip(read_workbook(str(source)).forms, read_workbook(str(template)).forms):
        found = {c.where: c for c in form_cells(new)}
        for cell in input_cells(old, profile):
            if cell.raw is None or (isinstance(cell.raw, str) and not cell.raw.strip()):
                continue
            if cell.where.startswith("一级指标"):  # the 一级指标 headers are the template's own formulas
                continue
            copy = found.get(cell.where)
            if copy is None or not (copy.raw == cell.raw or (copy.number is not None and copy.number == cell.number)):
                missing.append((old.sheet, cell.address, cell.where, cell.raw, copy and copy.raw))
    return missing


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", 12)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(EXAMPLE_INPUTS) - 1), VALUES), min_size=1, max_size=8),
       overwrite=st.booleans(), mark=st.booleans())
@example(edits=[(EXAMPLE_INPUTS.index(("附件3", "B4")), 0)], overwrite=False, mark=False)  # 主管部门 ≠ unit
def test_no_command_changes_an_input_of_the_example(tmp_path_factory, edits, overwrite, mark):
    _property(tmp_path_factory, EXAMPLE, EXAMPLE_INPUTS, edits, overwrite, mark)


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", 12)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(TEMPLATE_INPUTS) - 1), VALUES), min_size=1, max_size=8),
       overwrite=st.booleans(), mark=st.booleans())
@example(edits=[(TEMPLATE_INPUTS.index(("附件2", "B3")), "无")], overwrite=False, mark=False)  # 预算部门名称
def test_no_command_changes_an_input_of_the_template(tmp_path_factory, edits, overwrite, mark):
    _property(tmp_path_factory, TEMPLATE, TEMPLATE_INPUTS, edits, overwrite, mark)


def test_fill_in_place_changes_only_derived_cells(tmp_path):
    source = tmp_path / "s.xlsx"
    shutil.copy(SEED_TEMPLATE, source)
    before = contents(source)
    allowed = derived_addresses(source)
    fill(str(source), in_place=True, overwrite_derived=True, mark=True)
    assert changed(before, contents(source)) <= allowed


def _with_a_stray_value(tmp_path, sheet: str, address: str) -> Path:
    """The bundled example with one value typed far away (a stray key press at the sheet's last cell)."""
    path = tmp_path / "远处有字.xlsx"
    book = openpyxl.load_workbook(EXAMPLE)
    book[sheet][address] = "y"
    book.save(path)
    return path


@pytest.mark.parametrize("sheet, address", [("附件2", "XFD1048576"), ("附件1", "XFD10000"), ("附件3", "A1048576")])
def test_one_stray_value_far_away_is_left_unread_not_a_crash(tmp_path, sheet, address):
    # calamine built the sheet as one dense range: for XFD1048576 it asked for 512 GiB and aborted the process
    # with a Rust backtrace (exit 134; batch called the file damaged); XFD10000 took 44 s and 6.4 GB; fill --mark
    # then made every cell up to it in openpyxl and was killed at 24 GB
    import subprocess
    import sys

    path = _with_a_stray_value(tmp_path, sheet, address)
    blocked = "import sys; sys.modules['python_calamine'] = None\n"
    for prefix in ("", blocked):  # with python-calamine, and through openpyxl where it is missing
        code = prefix + "from jixiao_xl.cli import main; sys.exit(main(['check', sys.argv[1]]))"
        done = subprocess.run([sys.executable, "-c", "import sys\n" + code, str(path)], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 1 and done.stderr == "", done.stderr[-2000:]
        assert (f"S005 提示  [{sheet}] ({address})：{address} 远在表格之外（第 50000 行以下或 CZ 列以右），"
                "内容没有读取；如是误填，请删除") in done.stdout
        assert "B111 错误  [附件1] 公务用车购置和维护经费 2022年决算数 (B7)" in done.stdout  # the rest as ever
    out = tmp_path / "标注.xlsx"
    done = subprocess.run([sys.executable, "-m", "jixiao_xl", "fill", str(path), "-o", str(out), "--mark"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"已写入：{out}" in done.stdout, done.stderr[-2000:]
    marked = openpyxl.load_workbook(out)
    assert marked[sheet][address].value == "y"  # what the user typed stays, however far
    assert marked["附件1"]["B7"].comment is not None
    assert len(marked[sheet]._cells) < 1000  # no cell made up to reach it


def test_rows_of_data_beyond_the_limit_on_a_sheet_of_their_own_say_nothing(tmp_path, capsys):
    # a sheet of 60,000 data rows beside the forms: its far rows are not read, and not the forms' to judge
    book = openpyxl.load_workbook(EXAMPLE)
    data = book.create_sheet("明细")
    for row in range(1, 60_001, 997):
        data.cell(row, 1, f"第{row}笔")
    data.cell(60_000, 2, 1.5)
    book.save(tmp_path / "带明细.xlsx")
    assert main(["check", str(tmp_path / "带明细.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "S005" not in out and "B111 错误" in out


def test_a_word_document_named_xlsx_and_an_output_named_txt_are_told_so(tmp_path, capsys):
    # a .docx renamed .xlsx read "压缩包里没有工作簿内容"; fill -o out.txt wrote a workbook named .txt
    import zipfile

    doc = tmp_path / "自评表.xlsx"
    with zipfile.ZipFile(doc, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert main(["check", str(doc)]) == 2
    out, err = capsys.readouterr()
    assert "无法读取（U005）：这是 Word 文档（.docx），不是 Excel 工作簿（扩展名可能被改过）" in out
    target = tmp_path / "结果.txt"
    assert main(["fill", str(EXAMPLE), "-o", str(target)]) == 2
    out, err = capsys.readouterr()
    assert "输出文件“结果.txt”不是工作簿的文件名" in err and "须以 .xlsx 结尾" in err and not target.exists()
    assert main(["fill", str(EXAMPLE), "-o", str(tmp_path / "结果.xlsx")]) == 1  # as ever
