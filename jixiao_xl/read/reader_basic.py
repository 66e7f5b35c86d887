"""Read 附件1 基础数据表 from its region: staff, funds rows, buildings, by label (see ``forms``)."""

from __future__ import annotations

from . import forms as F
from .model import BasicData, Building, FundRow
from .region import Region, _field_for, _numeric_text, _year
from .values import is_blank, nfkc

def _fund_columns(region: Region, row: int, year: int | None) -> dict[str, tuple[int, str]]:
    """Map prev_actual / budget / actual to (column, header text) in the funds header row."""
    actuals, budgets = [], []
    for col in range(region.width(row)):
        key = region.key(row, col)
        if key.endswith(F.ACTUAL_ENDINGS):
            actuals.append(col)
        elif key.endswith(F.BUDGET_ENDINGS):
            budgets.append(col)
    text = {c: nfkc(str(region.grid.get(row, c))).replace("\n", "") for c in actuals + budgets}
    columns: dict[str, tuple[int, str]] = {}
    if budgets:
        columns["budget"] = (budgets[0], text[budgets[0]])
    if len(actuals) >= 2:
        columns["prev_actual"] = (actuals[0], text[actuals[0]])
        columns["actual"] = (actuals[1], text[actuals[1]])
    elif len(actuals) == 1:
        col = actuals[0]
        col_year = _year(text[col])
        is_prev = (col_year is not None and year is not None and col_year < year) or (
            col_year is None and budgets and col < budgets[0]
        )
        columns["prev_actual" if is_prev else "actual"] = (col, text[col])
    return columns


def read_basic(region: Region, title: str) -> BasicData:
    form = BasicData(region.grid.name, title, _year(title))
    saving = region.find(F.SAVING)
    _read_staff(region, form)
    _read_funds(region, form, saving)
    _read_buildings(region, form, saving)
    if saving:
        form.saving = region.cell(saving[0], region.after(*saving), F.SAVING.short)
    return form


def _read_staff(region: Region, form: BasicData) -> None:
    """财政供养人员: a header row with 编制数 / 实际在职人数 / 控制率, values below it."""
    grid = region.grid
    pos = region.find(F.STAFF_FIELDS[0])
    if pos:
        head_row = pos[0]
        cols = {f.key: region.find_in_row(head_row, f) for f in F.STAFF_FIELDS}
        value_row = head_row + 1
        for probe in range(head_row + 1, min(head_row + 4, region.bottom)):
            if any(region.key(probe, c) for c in range(region.width(probe))
                   if not _numeric_text(grid.get(probe, c))):
                break  # the next section's header: the values were left blank
            if any(c is not None and not is_blank(grid.get(probe, c)) for c in cols.values()):
                value_row = probe
                break
        for f in F.STAFF_FIELDS:
            if cols[f.key] is not None:
                form.staff[f.key] = region.cell(value_row, cols[f.key], f"财政供养人员 {f.short}")
            else:
                form.missing.append(f.short)
    else:
        form.missing.append("编制数")


def _read_funds(region: Region, form: BasicData, saving: tuple[int, int] | None) -> None:
    """经费控制情况: the header row names the three amount columns; rows by label down to 楼堂馆所."""
    grid = region.grid
    head = None
    for row in range(region.top, region.bottom):
        keys = region.row_keys(row)
        if any(k.endswith(F.ACTUAL_ENDINGS[0]) for k in keys) and any(k.endswith(F.BUDGET_ENDINGS[0]) for k in keys):
            head = row
            break
    stop = region.bottom
    building = region.find(F.BUILDING_HEADER)
    for pos in (building, saving):
        if pos and (head is None or pos[0] > head):
            stop = min(stop, pos[0])
    if head is None:
        form.missing.append("经费控制情况")
        return
    columns = _fund_columns(region, head, form.year)
    form.columns = {k: v[1] for k, v in columns.items()}
    rate_col = region.find_in_row(head, F.FUND_RATE)
    notes = {f.key: (c, f.short) for f in F.fund_notes() if (c := region.find_in_row(head, f)) is not None}
    first_amount = min(c for c, _ in columns.values()) if columns else 1
    label_col = 0
    for col in range(first_amount):
        if not is_blank(grid.get(head, col)):
            label_col = col
            break
    state = None
    items = {f.key for f in F.FUND_ROWS if f.items} | {"special"}  # rows whose next unnamed rows are items
    others = F.open_rows() | {"project_other"}  # rows whose next unnamed rows are other parts
    for row in range(head + 1, stop):
        col = region.first_label(row, label_col, first_amount)
        label = grid.get(row, col) if col is not None else None
        if label is None:
            # an amount typed in a 专项 row whose name was left blank still counts in the sum
            if state in items and any(
                    not is_blank(grid.get(row, c)) for c, _ in columns.values()):
                cells = region.cells(row, columns, f"专项（第{row + 1}行，未填名称）")
                extra = _notes(region, row, notes, f"专项（第{row + 1}行，未填名称）")
                form.specials.append(FundRow("special", "（未填名称）", row, cells, extra=extra))
                state = "special"
            continue
        ends, field, short = _fund_label(label)
        if ends:
            break
        cells = region.cells(row, columns, short)
        extra = _notes(region, row, notes, short)
        if field is not None and field.key not in form.rows:
            rate = region.cell(row, rate_col, f"{short} 控制率") if field.rated and rate_col is not None else None
            form.rows[field.key] = FundRow(field.key, short, row, cells, rate, extra)
            state = field.key
        elif state in items:
            form.specials.append(FundRow("special", short, row, cells, extra=extra))
            state = "special"
        elif state in others:
            form.project_others.append(FundRow("project_other", short, row, cells, extra=extra))
            state = "project_other"
    for f in F.FUND_ROWS:
        if f.key not in form.rows:
            (form.missing if f.core else form.absent).append(f.short)


_FUND_LABELS: dict[object, tuple[bool, F.Field | None, str]] = {}  # label -> _fund_label (labels repeat)
_FUND_ROWS_USED: list = [F.FUND_ROWS]  # the rows _FUND_LABELS was filled with


def _fund_label(label: object) -> tuple[bool, F.Field | None, str]:
    """A funds row's label: whether it ends the table (说明, 填表人), the row it names, its short form."""
    if _FUND_ROWS_USED[0] is not F.FUND_ROWS:  # other rows (a province's form description): judge again
        _FUND_LABELS.clear()
        _FUND_ROWS_USED[0] = F.FUND_ROWS
    found = _FUND_LABELS.get(label)
    if found is None:
        key = F.label_key(label)
        found = (key.startswith(F.END_OF_FUNDS), _field_for(key, F.FUND_ROWS), F.display_label(label))
        if len(_FUND_LABELS) >= 4096:
            _FUND_LABELS.clear()
        _FUND_LABELS[label] = found
    return found


def _notes(region: Region, row: int, notes: dict[str, tuple[int, str]], short: str) -> dict:
    """A funds row's cells under the table's other columns (备注 …), by key."""
    return region.cells(row, notes, short) if notes else {}


def _read_buildings(region: Region, form: BasicData, saving: tuple[int, int] | None) -> None:
    """楼堂馆所: header row with 批复规模 ..., project rows below until 厉行节约."""
    pos = region.find(F.BUILDING_FIELDS[0])
    if pos:
        head_row = pos[0]
        cols = {f.key: region.find_in_row(head_row, f) for f in F.BUILDING_FIELDS}
        end = saving[0] if saving and saving[0] > head_row else min(head_row + 50, region.bottom)
        for row in range(head_row + 1, end):
            cells = {
                k: region.cell(row, c, f"楼堂馆所 {next(f.short for f in F.BUILDING_FIELDS if f.key == k)}")
                for k, c in cols.items() if c is not None
            }
            if row == head_row + 1 or any(not c.blank for c in cells.values()):
                form.buildings.append(Building(row, cells))
