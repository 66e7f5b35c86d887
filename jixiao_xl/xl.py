"""The Excel front end: the 校验 button, 清除标记, and the JIXIAO worksheet functions.

One code path serves xlwings classic (``RunPython`` from the ribbon add-in),
xlwings Server (the Office.js add-in in ``addin/server``) and xlwings Lite:
one bulk read of every sheet, the pure core, then a small set of writes
(derived cells, the 校验结果 sheet, marks, an alert).  Only xlwings itself is
imported at module import; the core loads when a button is clicked.
"""

from __future__ import annotations

import xlwings as xw

try:  # xlwings Server (needs XLWINGS_LICENSE_KEY, e.g. "noncommercial")
    from xlwings.server import func, script
except Exception:
    try:  # xlwings Lite, and classic Excel on Windows (func makes classic UDFs there)
        from xlwings import func, script
    except Exception:  # nothing to register with: plain functions are enough for RunPython
        def script(f=None, **_):
            return f if f is not None else (lambda g: g)

        def func(f=None, **_):
            return f if f is not None else (lambda g: g)

MARKS_SHEET = "_jixiao_marks"  # as in jixiao_xl.marks, which is imported only when a button is clicked
RESULT_SHEET = "校验结果"


# ------------------------------------------------------------------ reading


def _as_rows(values) -> list[list]:
    if values is None:
        return [[]]
    if not isinstance(values, list):
        return [[values]]
    if values and not isinstance(values[0], list):
        return [values]
    return values


def read_grids(book):
    """Every sheet's values in one read per sheet, as grids for the reader."""
    from .grid import Grid

    grids = []
    for sheet in book.sheets:
        used = sheet.used_range
        rows = _as_rows(used.options(ndim=2).value)
        top, left = used.row - 1, used.column - 1
        grid_rows = [[] for _ in range(top)] + [[None] * left + list(r) for r in rows]
        grids.append(Grid(sheet.name, grid_rows, [], merges_known=False))
    return grids


def _text_cell(value):
    """Text from a workbook is written as text: a leading = + - @ is protected with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


# ------------------------------------------------------------------ marks


def _previous_marks(grids):
    """The marks the last 校验 (or fill --mark) left, from the hidden marks sheet."""
    from .marks import read_marks

    for grid in grids:
        if grid.name == MARKS_SHEET:
            return read_marks(grid.rows)
    return []


def _sheet(book, name):
    for sheet in book.sheets:
        if sheet.name == name:
            return sheet
    return None


def _restore(book, marks) -> None:
    """Put back the fill and note each marked cell had before it was marked."""
    from .marks import as_hex

    for mark in marks:
        sheet = _sheet(book, mark.sheet)
        if sheet is None:
            continue
        cell = sheet[mark.cell]
        cell.color = as_hex(mark.fill)
        if mark.note is None or "text" in mark.note:  # ours: take it off (and give back the one it replaced)
            if cell.note is not None:
                cell.note.delete()
            if mark.note is not None:
                cell.add_note(mark.note["text"])


def _original_color(cell, role_color):
    try:
        color = cell.color  # classic Excel can tell
    except NotImplementedError:  # Office.js sends no colours: restore the template's colour for the role
        return role_color
    if isinstance(color, tuple):
        return "#%02X%02X%02X" % color
    return color


def _role_colors(grids, profile, template: bool) -> dict[tuple[str, str], str]:
    """The colour each form cell has in our template: blue derived, yellow input."""
    if not template:
        return {}
    from .derive import derived
    from .reader import read_forms
    from .rules.general import numeric_cells
    from .template import DERIVED_FILL, INPUT_FILL

    colors = {}
    for form in read_forms(grids).forms:
        for cell, _ in numeric_cells(form):
            colors[(form.sheet, cell.address)] = "#" + INPUT_FILL
        for item in derived(form, profile):
            if item.formula:
                colors[(form.sheet, item.cell.address)] = "#" + DERIVED_FILL
    return colors


# ------------------------------------------------------------------ scripts


def _profile(grids, template: bool):
    from .profiles import PROFILES, get_profile
    from .template import INFO_SHEET

    if template:
        info = next(g for g in grids if g.name == INFO_SHEET)
        name = info.get(5, 2)
        if isinstance(name, str) and name.strip() in PROFILES:
            return get_profile(name.strip())
    return get_profile()


def _is_template(grids) -> bool:
    from .template import INFO_SHEET, MARKER

    return any(g.name == INFO_SHEET and g.get(0, 0) == MARKER for g in grids)


def summary(report) -> str:
    """The alert after 校验: counts, then each self-evaluation's total and grade."""
    parts = [f"发现 {report.count('error')} 个错误、{report.count('warning')} 个警告"]
    names = {"dept_self_eval": "部门整体支出自评", "project_self_eval": "项目支出自评"}
    for form_report in report.forms:
        res = form_report.results
        if "total_score" in res:
            from .values import fmt_number

            label = names[form_report.kind]
            if form_report.kind == "project_self_eval" and getattr(form_report.form, "name", ""):
                label += f"（{form_report.form.name}）"
            parts.append(f"{label}总分 {fmt_number(res['total_score'])}（{res['grade']}）")
    return "；".join(parts)


def findings_for(book):
    """Check the open workbook without changing it (the task pane's list)."""
    from .check import check_grids

    grids = read_grids(book)
    profile = _profile(grids, _is_template(grids))
    return check_grids([g for g in grids if g.name not in (RESULT_SHEET, MARKS_SHEET)], book.name, profile)


def run_validate(book) -> str:
    """校验: fill blank derived cells, rewrite 校验结果, re-mark problem cells; returns the alert text."""
    from .check import check_grids
    from .fill import plan
    from .marks import HEADER, MARK_COLORS, Mark, by_cell, note_text, result_rows, solid, worst

    grids = read_grids(book)
    template = _is_template(grids)
    profile = _profile(grids, template)
    previous = _previous_marks(grids)
    changes = plan(grids, profile, overwrite=False)
    report = check_grids([g for g in grids if g.name not in (RESULT_SHEET, MARKS_SHEET)], book.name, profile)

    for sheet_name, item, _corrected, _old in changes:
        cell = _sheet(book, sheet_name)[item.cell.address]
        if template and item.formula:
            cell.formula = item.formula
        elif item.cell.prefix:
            from .values import fmt_number

            cell.value = _text_cell(f"{item.cell.prefix}{fmt_number(item.value)}")
        else:
            cell.value = item.value

    # 校验结果: cleared and written in one block, so a second click gives the same sheet
    rows = [[_text_cell(v) for v in row] for row in result_rows(report)]
    results = _sheet(book, RESULT_SHEET) or book.sheets.add(RESULT_SHEET, after=book.sheets[len(book.sheets) - 1])
    results.clear_contents()
    results["A1"].value = rows

    # marks: first restore what the last click coloured, then colour this click's problems
    _restore(book, previous)
    before = {(m.sheet, m.cell): m for m in previous}
    roles = _role_colors(grids, profile, template)
    marks = []
    for (sheet_name, address), items in by_cell(report.all_findings(), {s.name for s in book.sheets}).items():
        cell = _sheet(book, sheet_name)[address]
        mark = before.get((sheet_name, address))
        if mark is None:  # never write over a note the user made: keep it and add none
            mark = Mark(sheet_name, address, solid(_original_color(cell, roles.get((sheet_name, address)))),
                        None if cell.note is None else {"kept": True})
        cell.color = "#" + MARK_COLORS[worst(items)]
        if mark.note is None or "text" in mark.note:
            cell.add_note(note_text(items))
        marks.append(mark.row())
    store = _sheet(book, MARKS_SHEET)
    if marks or store is not None:
        if store is None:
            store = book.sheets.add(MARKS_SHEET, after=book.sheets[len(book.sheets) - 1])
        store.clear_contents()
        store["A1"].value = [HEADER] + marks
        store.visible = False
    return summary(report)


@script
def validate(book: xw.Book):
    """校验：重新计算、校验并标出有问题的单元格。"""
    book.app.alert(run_validate(book), title="校验结果")


@script
def clear_marks(book: xw.Book):
    """清除标记：恢复被标色单元格原来的样子，去掉批注。"""
    grids = read_grids(book)
    _restore(book, _previous_marks(grids))
    store = _sheet(book, MARKS_SHEET)
    if store is not None:
        store.clear_contents()


def main():
    """The classic ribbon add-in's callback (RunPython "import jixiao_xl.xl; jixiao_xl.xl.main()")."""
    book = xw.Book.caller()
    book.app.alert(run_validate(book), title="校验结果")



# ------------------------------------------------------------------ worksheet functions


def _number(value):
    from .values import NotANumber, to_number

    try:
        return to_number(value)
    except NotANumber:
        return None


@func
def exec_rate(full_budget, executed):
    """预算执行率 = 全年执行数 ÷ 全年预算数（全年预算数为空或0时返回空）。"""
    from .scoring import exec_rate as rate

    value = rate(_number(full_budget), _number(executed))
    return "" if value is None else value


@func
def exec_score(full_budget, executed, weight=10, mode="proportional"):
    """执行率得分：分值 × min(执行率, 1)，保留两位小数；mode 为 "jiangxi" 时按江西区间计分。"""
    from .scoring import exec_rate as rate, exec_score as score

    return score(rate(_number(full_budget), _number(executed)), _number(weight) or 0, mode or "proportional")


@func
def indicator_score(target, actual, weight):
    """三级指标得分：按年度指标值、实际完成值和分值自动计分（定性指标返回空）。"""
    from .scoring import indicator_score as score

    value = score(target, actual, _number(weight))
    return "" if value is None else value


@func
def indicator_scores(table):
    """整张指标表计分：每行为 年度指标值、实际完成值、分值，返回一列得分（动态数组）。"""
    from .scoring import indicator_score as score

    out = []
    for row in _as_rows(table):
        target, actual, weight = (list(row) + [None, None, None])[:3]
        value = score(target, actual, _number(weight))
        out.append(["" if value is None else value])
    return out


@func
def control_rate(actual, budget):
    """控制率 = 决算数（实际数）÷ 预算数（批复数），分母为空或0时返回空。"""
    from .scoring import ratio

    value = ratio(_number(actual), _number(budget))
    return "" if value is None else value


@func
def grade(total):
    """自评等级：优 ≥ 90，良 80–90，中 60–80，差 < 60。"""
    from .scoring import grade as letter

    return letter(_number(total)) or ""
