"""The reader on layouts as departments really draw them, written as real .xlsx files."""

from __future__ import annotations

import re

import pytest

from jixiao_xl.xlsx.grid import a1

from .helpers import by_code, check_file, form, parse_a1, set_cells
from .samples import SheetSpec, seed_sheets

_CELL = re.compile(r"([A-Z]+)(\d+)")


def _move(address: str, drow: int, dcol: int, from_row: int = 0) -> str:
    def repl(m):
        row, col = parse_a1(m.group(0))
        if row + 1 >= from_row:
            row += drow
            col += dcol
        return a1(row, col)

    return _CELL.sub(repl, address)


def shift(spec: SheetSpec, rows: int, cols: int) -> SheetSpec:
    """Blank rows above and blank columns left of everything."""
    out = spec.copy()
    out.rows = [[] for _ in range(rows)] + [[None] * cols + list(r) for r in spec.rows]
    out.merges = [_move(m, rows, cols) for m in spec.merges]
    out.formats = {_move(a, rows, cols): f for a, f in spec.formats.items()}
    return out


def insert_row(spec: SheetSpec, before: int, values: list) -> SheetSpec:
    """Insert a row before 1-based row ``before``, moving merges below it down (Excel's behaviour)."""
    out = spec.copy()
    out.rows.insert(before - 1, list(values))
    merges = []
    for rng in spec.merges:
        start, end = rng.split(":")
        (r0, _), (r1, _) = parse_a1(start), parse_a1(end)
        if r0 + 1 >= before:
            rng = _move(rng, 1, 0)
        elif r1 + 1 >= before:  # insertion inside a merged block extends it
            rng = f"{start}:{_move(end, 1, 0)}"
        merges.append(rng)
    out.merges = merges
    out.formats = {_move(a, 1, 0, before): f for a, f in spec.formats.items()}
    return out


def signature(report):
    """What a user sees, independent of where the cells are."""
    findings = sorted((f.code, f.severity, f.expected, f.found) for f in report.all_findings())
    results = [(f.kind, {k: (round(v, 6) if isinstance(v, float) else v) for k, v in f.results.to_dict().items()})
               for f in report.forms]
    return findings, sorted(results, key=lambda r: r[0])


@pytest.fixture(scope="module")
def seed_signature(tmp_path_factory):
    return signature(check_file(tmp_path_factory.mktemp("seed"), seed_sheets()))


def test_shifted_start_reads_the_same_and_moves_the_cells(tmp_path, seed_signature):
    report = check_file(tmp_path, [shift(s, 3, 2) for s in seed_sheets()])
    assert signature(report) == seed_signature
    assert [f.cell for f in by_code(report, "B111")] == ["D10"]  # B7 moved by 3 rows, 2 columns


def test_inserted_special_and_indicator_rows(tmp_path):
    basic, dept, project = seed_sheets()
    basic = insert_row(basic, 17, ["新增专项", 1, 1, 1])  # one more 专项 under 县级专项资金
    set_cells([basic], {"附件1!B15": 333, "附件1!C15": 84, "附件1!D15": 441.32})
    dept = insert_row(dept, 15, [None, None, "数量指标", "开展法律援助宣传", "≥2次", "3次", 5, 5, None])
    set_cells([dept], {"附件2!G14": 5})  # 数量 10 → 5 + 5 keeps 产出 at 30
    report = check_file(tmp_path, [basic, dept, project])
    assert not by_code(report, "B113")
    assert not by_code(report, "W101") and not by_code(report, "W102")
    dept_form = form(report, "dept_self_eval").form
    assert [i.name for i in dept_form.levels[0].indicators][:2] == ["组织法治宣传，组织学法考试", "开展法律援助宣传"]
    assert len(dept_form.indicators) == 12
    assert form(report, "dept_self_eval").results.total_score == 99.0
    assert len(form(report, "basic_data").form.specials) == 10


def test_numbers_typed_as_text(tmp_path, seed_signature):
    sheets = seed_sheets()
    for spec in sheets:
        for row in spec.rows:
            for i, value in enumerate(row):
                if isinstance(value, float) and value > 1.5:
                    row[i] = f"{value:,.2f}"  # "1,238.36"
                elif isinstance(value, int) and value > 1:
                    row[i] = str(value).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    sheets[1].rows[4][2] = "1,238.36万元"
    report = check_file(tmp_path, sheets)
    assert signature(report) == seed_signature


@pytest.mark.parametrize("rate", ["100%", "100.00%", 1, 100, "１００％"])
def test_percent_as_text_or_number(tmp_path, seed_signature, rate):
    sheets = set_cells(seed_sheets(), {"附件1!D4": rate, "附件2!G5": rate, "附件3!G6": rate})
    assert signature(check_file(tmp_path, sheets)) == seed_signature


def test_level1_repeated_instead_of_merged(tmp_path, seed_signature):
    sheets = seed_sheets()
    for spec in sheets[1:]:
        spec.merges = [m for m in spec.merges if not m.startswith("B")]
        current = None
        for row in spec.rows:
            if len(row) > 1 and isinstance(row[1], str) and "指标" in row[1] and "(" in row[1].replace("（", "("):
                current = row[1]
            elif current and len(row) > 7 and row[1] is None and isinstance(row[6], (int, float)):
                row[1] = current
            if row and row[0] == "总分":
                current = None
    assert signature(check_file(tmp_path, sheets)) == seed_signature


def test_forms_in_any_sheet_order_and_name(tmp_path, seed_signature):
    sheets = seed_sheets()[::-1]
    for spec, name in zip(sheets, ["Sheet1", "项目表", "基础"]):
        spec.name = name
    report = check_file(tmp_path, sheets)
    assert signature(report) == seed_signature
    assert [f.kind for f in report.forms] == ["project_self_eval", "dept_self_eval", "basic_data"]
    assert by_code(report, "B111")[0].message.startswith("[基础]")


def one_sheet(name: str, specs) -> SheetSpec:
    """The forms one below another on one sheet, two blank rows before each."""
    rows, merges, formats = [], [], {}
    for spec in specs:
        offset = len(rows) + 2
        moved = shift(spec, offset, 0)
        rows = rows + [[]] * 2 + moved.rows[offset:]
        merges += moved.merges
        formats.update(moved.formats)
    return SheetSpec(name, rows, merges, formats)


def test_all_forms_on_one_sheet(tmp_path, seed_signature):
    basic, dept, project = seed_sheets()
    report = check_file(tmp_path, [one_sheet("自评材料", (basic, dept, project))])
    assert signature(report) == seed_signature


def test_several_project_sheets(tmp_path):
    basic, dept, project = seed_sheets()
    second = project.copy()
    second.name = "附件3-2"
    set_cells([second], {"附件3-2!B3": "普法宣传", "附件3-2!E6": 80, "附件3-2!E7": 80, "附件3-2!G6": "96.39%",
                         "附件3-2!H6": 9.64, "附件3-2!H24": 99.64})
    report = check_file(tmp_path, [basic, dept, project, second])
    projects = [f for f in report.forms if f.kind == "project_self_eval"]
    assert [p.form.name for p in projects] == ["司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援）", "普法宣传"]
    assert projects[1].results.exec_score == 9.64
    assert projects[1].findings == []


def test_head_label_and_value_in_one_cell(tmp_path):
    sheets = set_cells(seed_sheets(), {"附件3!A4": "主管部门：汨罗市司法局", "附件3!B4": None})
    report = check_file(tmp_path, sheets)
    project = form(report, "project_self_eval").form
    assert project.head["authority"].text == "汨罗市司法局"
