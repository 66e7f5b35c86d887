"""Read 附件2 部门整体 / 附件3 项目支出 自评表 from its region: head, funds, goals, indicators (see ``forms``)."""

from __future__ import annotations

from . import forms as F
from .model import Cell, Indicator, Level1, SelfEval
from .region import LABEL_MAX, Region, _cell_key, _field_for, _numeric_text, _year, inline_parts
from .values import header_name, header_weight, is_blank, split_inline

def _prefix(text: str) -> str:
    """The label part of "其中：一般公共预算：1762.55", with its colon, as typed."""
    cut = max(text.rfind("："), text.rfind(":"))
    return text[: cut + 1]


def _value_beside(region: Region, row: int, col: int, where: str, numeric: bool = False) -> Cell:
    """The value of a label: inline after a colon, else the cell right of it.

    Without merge information (values read through Office.js) the label's
    merged width is unknown: the value is the first filled cell to its right,
    or, when that is another label, the last empty cell before it.
    """
    raw = region.grid.get(row, col)
    inline = inline_parts(raw) if raw.__class__ is str else split_inline(raw)
    if inline:
        # "政府性基金拨款：" written with a colon: the value belongs in the same cell.
        return Cell(inline[1] or None, row, col, where, prefix=_prefix(str(raw)))
    right = region.after(row, col)
    if not numeric or region.grid.merges_known or not is_blank(region.grid.get(row, right)):
        return region.cell(row, right, where)
    width = region.width(row)
    probe = right
    while probe < width and is_blank(region.grid.get(row, probe)):
        probe += 1
    if probe >= width:  # nothing to the right: the value cell is the one beside the label
        return region.cell(row, right, where)
    if not region.key(row, probe) or _numeric_text(region.grid.get(row, probe)):
        return region.cell(row, probe, where)  # a number (or a non-label value)
    return region.cell(row, max(right, probe - 1), where)  # another label: the last empty cell before it


def read_self_eval(region: Region, spec: F.FormSpec, title: str) -> SelfEval:
    form = SelfEval(spec.kind, region.grid.name, title, _year(title))
    grid = region.grid

    heads = (F.DEPT_NAME,) if spec is F.DEPT else F.PROJECT_HEAD
    for f in heads:
        pos = region.find(f)
        if pos:
            form.head[f.key] = _value_beside(region, *pos, f.short)
        else:
            form.missing.append(f.short)

    # 年度资金总额: the header row names the columns, the total row holds the values.
    head, cols = _exec_head(region)
    form.exec_columns = cols
    if head is not None:
        # a column the form does not show, or labels this tool does not know: say so instead of skipping
        form.missing += [f.short for f in F.EXEC_COLUMNS[3:6] if f.key not in cols]
    total = region.find(F.EXEC_TOTAL, start=head) if head is not None else None
    goals_pos = region.find(F.GOAL_COLUMNS[0])
    ind_head = region.find(F.INDICATOR_COLUMNS[2])  # 三级指标
    if head is None or total is None:
        form.missing.append(F.EXEC_TOTAL.short)
    else:
        names = {f.key: f.short for f in F.EXEC_COLUMNS}
        if "adjustment" in cols:  # named as the form heads it: 追加数, 调整预算数 …
            names["adjustment"] = F.display_label(grid.get(head, cols["adjustment"])) or names["adjustment"]
        texts = {f.key for f in F.EXEC_COLUMNS if f.kind == "text"}
        for key, col in cols.items():
            (form.exec_notes if key in texts else form.exec)[key] = region.cell(
                total[0], col, f"年度资金总额 {names[key]}")
        end = min(p[0] for p in (goals_pos, ind_head, (region.bottom, 0)) if p and p[0] > total[0])
        if spec is F.DEPT:
            _read_breakdown(region, form, total[0] + 1, end)
        else:
            _read_sources(region, form, total[0] + 1, end, cols, names)

    if goals_pos:
        _read_goals(region, form, goals_pos[0])

    if ind_head is None:
        form.missing.append("绩效指标")
        return form
    _read_indicators(region, form, ind_head[0])
    return form


def _exec_head(region: Region) -> tuple[int | None, dict[str, int]]:
    """The row that heads the 年度资金总额 columns (年初/全年预算数, 全年执行数 …) and their columns."""
    rows = set.intersection(*(region.rows_with(f) for f in F.EXEC_COLUMNS[:3]))  # the first row with all three
    if not rows:
        return None, {}
    row = min(rows)
    cols = {f.key: region.find_in_row(row, f) for f in F.EXEC_COLUMNS}
    return row, {k: c for k, c in cols.items() if c is not None}


def _read_breakdown(region: Region, form: SelfEval, first: int, end: int) -> None:
    """附件2: 按收入性质分 / 按支出性质分 and their parts, in rows first … end - 1."""
    grid = region.grid
    fields = _DEPT_FIELDS
    income = F.DEPT_INCOME[0].key  # 按收入性质分: source rows listed under it are parts of it too
    income_col = None
    for row in range(first, end):
        for col, raw in enumerate(grid.rows[row] if row < grid.height else ()):
            if not isinstance(raw, str) or not raw:
                continue
            # the label key as the region indexed it (a longer text is not indexed: its key is worked out)
            key = region.key(row, col) if len(raw) <= LABEL_MAX else _cell_key(raw)
            field = _field_for(key, fields)
            if field and field.key not in form.breakdown:
                form.breakdown[field.key] = _value_beside(region, row, col, field.short, numeric=True)
                if field.key == income:
                    income_col = col
            elif (field is None and income_col == col and F.is_source_label(key)
                  and income in form.breakdown and f"income+{key}" not in form.breakdown):
                # 中央财政资金 / 上年结转资金 … listed under 按收入性质分: another part of it
                inline = inline_parts(raw)
                short = F.display_label(inline[0] if inline else raw)
                form.breakdown[f"income+{key}"] = _value_beside(region, row, col, short, numeric=True)
    found = form.breakdown  # the fields found, by key
    for group in (F.DEPT_INCOME, F.DEPT_EXPENSE):
        # the parts a form lists vary by province: one missing part is not a missing column
        if not any(f.key in found for f in group[1:]) or group[0].key not in found:
            form.missing += [f.short for f in group if f.key not in found][:2]


def _read_sources(region: Region, form: SelfEval, first: int, end: int, cols: dict[str, int],
                  names: dict[str, str]) -> None:
    """附件3: the funding sources under 年度资金总额 (当年财政拨款, 上年结转资金 …), in rows first … end - 1."""
    grid = region.grid
    first_amount = min(cols.values())
    for row in range(first, end):
        for col in range(first_amount):
            key = region.key(row, col)
            if not key:
                continue
            field = _field_for(key, F.PROJECT_SOURCES)
            source = field.key if field else (key if F.is_source_label(key) else None)
            cells = {f.key: region.cell(row, cols[f.key], "") for f in F.EXEC_COLUMNS[:3] if f.key in cols}
            if source is None:
                if any(not c.blank for c in cells.values()):
                    form.unknown_sources.append(region.cell(row, col, F.display_label(grid.get(row, col))))
                break
            if source in form.sources:
                break
            short = field.short if field else F.display_label(grid.get(row, col))
            for k, cell in cells.items():
                cell.where = f"{short} {names[k]}"
            form.sources[source] = cells
            form.source_labels[source] = short
            break


def _read_goals(region: Region, form: SelfEval, row: int) -> None:
    """年度总体目标: 预期目标 and 实际完成情况 under their headers."""
    next_row = row + 1
    for f in F.GOAL_COLUMNS:
        col = region.find_in_row(row, f)
        if col is not None:
            form.goals[f.key] = region.cell(next_row, col, f"年度总体目标 {f.short}")


_DEPT_FIELDS = F.DEPT_INCOME + F.DEPT_EXPENSE  # one tuple, so that _field_for finds its table by identity
_INDICATOR_FIELDS = ("level3", "target", "actual", "weight", "score", "reason")  # Indicator's own cells


_BANDS: dict[object, tuple[str, float | None]] = {}  # 一级 header text -> its name and weight (they repeat)
_LEVEL2: dict[str, str | None] = {}  # 二级 text -> _level2 (the names repeat)


def _level2(raw: object) -> str | None:
    """A 二级指标 cell's name as compared ("数量指标"); None for a blank cell (the band above goes on)."""
    if raw.__class__ is not str:
        return None if is_blank(raw) else F.label_key(raw)
    if raw in _LEVEL2:
        return _LEVEL2[raw]
    if len(_LEVEL2) >= 4096:
        _LEVEL2.clear()
    found = _LEVEL2[raw] = None if is_blank(raw) else F.label_key(raw)
    return found


def _band(raw: object) -> tuple[str, float | None]:
    """A 一级指标 header's name and stated weight ("产出指标(30分)" -> 产出指标, 30)."""
    found = _BANDS.get(raw) if raw.__class__ is str else None
    if found is None:
        found = (header_name(raw), header_weight(raw))
        if raw.__class__ is str:
            if len(_BANDS) >= 4096:
                _BANDS.clear()
            _BANDS[raw] = found
    return found


def _read_indicators(region: Region, form: SelfEval, head: int) -> None:
    grid = region.grid
    cols = {f.key: region.find_in_row(head, f) for f in F.INDICATOR_COLUMNS}
    names = {f.key: f.short for f in F.INDICATOR_COLUMNS}
    for key in ("level3", "weight", "score"):
        if cols[key] is None:
            form.missing.append(next(f.short for f in F.INDICATOR_COLUMNS if f.key == key))
            return
    first_col = min(c for c in cols.values() if c is not None)
    level1: Level1 | None = None
    level2 = ""
    notes: list[str] = []
    col1, col2, col3, reason_col = cols["level1"], cols["level2"], cols["level3"], cols["reason"]
    # the 总分 row: the first row below the header with a 总分 label left of (or in) the 三级指标 column
    total = region.find(F.TOTAL_ROW, start=head + 1, cols=range(col3 + 1))
    end = total[0] if total else region.bottom
    rows, height = grid.rows, grid.height
    cell_cols = [(key, col) for key, col in cols.items() if col is not None and key not in ("level1", "level2")]
    checked = [key for key, _ in cell_cols if key != "reason" and key in _INDICATOR_FIELDS]  # one filled: a row
    extra = [key for key, _ in cell_cols if key not in _INDICATOR_FIELDS]
    row = head + 1
    while row < end:
        values = rows[row] if row < height else ()
        width = len(values)
        if col1 is not None:
            raw1 = values[col1] if col1 < width else None
            if raw1 is not None and raw1 != "" and not is_blank(raw1):
                name, weight = _band(raw1)
                # A repeated 一级 text on each row (instead of a merged cell) is the same band.
                if level1 is None or name != level1.name:
                    header = region.cell(row, col1, f"一级指标 {name}")
                    level1 = Level1(name, header, weight)
                    form.levels.append(level1)
                    level2 = ""
        if col2 is not None:
            raw2 = values[col2] if col2 < width else None
            if raw2 is not None and raw2 != "":
                name2 = _level2(raw2)
                if name2 is not None:
                    level2 = name2
        cells = {}
        for key, col in cell_cols:  # as region.cell reads them ("" is no value), without two calls per cell
            value = values[col] if col < width else None
            cells[key] = Cell(None if value == "" else value, row, col, "")
        reason = cells.get("reason")
        if reason is not None and reason.blank:
            rng = grid.merge_at(row, reason_col)
            if rng and rng[0] < row:  # a 偏差原因 merged over several rows explains each of them
                reason = cells["reason"] = region.cell(rng[0], rng[1], "")
        for key in checked:
            if not cells[key].blank:
                break
        else:  # nothing but a note (偏差原因) in the row: no indicator
            row += 1
            continue
        if level1 is None:
            level1 = Level1("", region.cell(row, first_col, "一级指标"), None)
            form.levels.append(level1)
        name = cells["level3"].text.replace("\n", "") or level2 or level1.name
        label = f"{level2 or level1.name}“{name}”" if name != level2 else name
        for key, cell in cells.items():
            cell.where = f"{label} {names[key]}"
        target = cells.get("target") or Cell(None, row, col3, f"{label} 年度指标值")
        actual = cells.get("actual") or Cell(None, row, col3, f"{label} 实际完成值")
        extras = {k: cells[k] for k in extra} if extra else {}
        # positional, in Indicator's field order (keywords cost a third of the call)
        indicator = Indicator(row, level1.name, level2, cells["level3"], target, actual, cells["weight"],
                              cells["score"], reason, extras)
        level1.indicators.append(indicator)
        if reason is not None and not reason.blank:
            notes.append(reason.text)
        row += 1
    if total:
        _read_total(region, form, row, total[1], cols)
    form.unread_weights = [level.header for level in form.levels if level.name and level.weight is None]
    _read_below(region, form, head, row, notes)


def _read_total(region: Region, form: SelfEval, row: int, total_col: int, cols: dict[str, int | None]) -> None:
    """The 总分 row: its 分值 and 得分 under those columns, else the first two numbers right of the label."""
    grid = region.grid
    form.total_weight = region.cell(row, cols["weight"], "总分 分值")
    form.total_score = region.cell(row, cols["score"], "总分 得分")
    if form.total_weight.blank and form.total_score.blank:
        numbers = [c for c in range(region.after(row, total_col), region.width(row))
                   if not is_blank(grid.get(row, c))]
        if len(numbers) >= 2:
            form.total_weight = region.cell(row, numbers[0], "总分 分值")
            form.total_score = region.cell(row, numbers[1], "总分 得分")


def _read_below(region: Region, form: SelfEval, head: int, row: int, notes: list[str]) -> None:
    """After the indicators (``row``: the 总分 row): the stated 等级, the notes, the percent formats."""
    grid = region.grid
    # the stated 等级: on or below the 总分 row, else in the head of the form (never among the indicators)
    grade = region.find(F.GRADE, start=row, stop=region.bottom) or region.find(F.GRADE, stop=head)
    if grade:
        form.grade = _value_beside(region, *grade, "等级")
    for r in range(row + 1, region.bottom):
        for value in grid.row_values(r):
            if isinstance(value, str) and value.strip():
                notes.append(value.strip())
    form.notes = "\n".join(notes)
    # 0.85 in a cell formatted 0% reads 85%: ask the file for the formats of numeric 指标值/完成值 cells only
    numeric = [c for i in form.indicators for c in (i.target, i.actual)
               if isinstance(c.raw, (int, float)) and not isinstance(c.raw, bool)]
    if numeric:
        flags = grid.percent_flags([(c.row, c.col) for c in numeric])
        for cell in numeric:
            cell.percent = flags.get((cell.row, cell.col))
