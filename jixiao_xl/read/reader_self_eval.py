"""Read 附件2 部门整体 / 附件3 项目支出 自评表 from its region: head, funds, goals, indicators (see ``forms``)."""

from __future__ import annotations

import re

from . import forms as F
from .groups import find_groups
from .model import Cell, Indicator, Level1, Level2Weight, SelfEval, num
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
    heads_missing = len(form.missing)

    # 年度资金总额: the header row names the columns, the total row holds the values.
    head, cols = _exec_head(region)
    if head is None:  # no 全年预算数: the 年初预算数 where the form's own header makes it the rate's A (北京)
        head, cols = _initial_as_base(region)
        if head is not None:
            form.exec_base = F.EXEC_COLUMNS[0].short
            printed = (_SPACES.sub("", str(region.grid.get(head, cols[k]))) for k in ("full", "rate"))
            form.exec_base_header = "".join(f"“{text}”" for text in printed)
    form.exec_columns = cols
    goals_pos = region.find(F.GOAL_COLUMNS[0])
    ind_head = region.find(F.INDICATOR_COLUMNS[2])  # 三级指标
    stated = _stated_exec_weight(region, head, cols) if head is not None and "weight" not in cols else None
    # a form with no 分值/权重/得分 anywhere (县级专项资金绩效目标自评表) is unscored: nothing to report missing
    form.scored = bool(stated is not None or "weight" in cols or "score" in cols or (
        ind_head is not None and any(region.find_in_row(ind_head[0], f) is not None
                                     for f in F.INDICATOR_COLUMNS if f.key in ("weight", "score"))))
    # a column the form does not show, or labels this tool does not know: said after the indicators are read
    # (the 执行率 may be scored as one of them)
    unshown = [f for f in F.EXEC_COLUMNS[3:6] if head is not None and f.key not in cols
               and (form.scored or f.key == "rate") and not (f.key == "weight" and stated is not None)]
    total = region.find(F.EXEC_TOTAL, start=head) if head is not None else None
    if total is None and head is not None:  # "合计" right under the headings, left of the amounts
        total = region.find(F.EXEC_TOTAL_BARE, start=head + 1, stop=head + 2, cols=range(min(cols.values())))
    if total is None and head is not None:
        total = _unlabelled_total(region, head, cols)
    if head is None and region.rows_with(F.EXEC_COLUMNS[0]) & region.rows_with(F.EXEC_COLUMNS[2]):
        # 贵州 "年初预算数(A) / 全年执行数(B)": the 年度资金总额 row is there, the 全年预算数 the 执行率 needs is not
        form.missing.append(F.EXEC_COLUMNS[1].short)
    elif head is None or total is None:
        form.missing.append(F.EXEC_TOTAL.short)
    else:
        names = {f.key: f.short for f in F.EXEC_COLUMNS}
        names["full"] = form.exec_base
        if "adjustment" in cols:  # named as the form heads it: 追加数, 调整预算数 …
            names["adjustment"] = F.display_label(grid.get(head, cols["adjustment"])) or names["adjustment"]
        texts = {f.key for f in F.EXEC_COLUMNS if f.kind == "text"}
        for key, col in cols.items():
            (form.exec_notes if key in texts else form.exec)[key] = region.cell(
                total[0], col, f"年度资金总额 {names[key]}")
        if stated is not None:
            form.exec["weight"] = stated
        end = min(p[0] for p in (goals_pos, ind_head, (region.bottom, 0)) if p and p[0] > total[0])
        if spec is F.DEPT and (region.find(F.DEPT_INCOME[0], start=total[0] + 1, stop=end)
                               or region.find(F.DEPT_EXPENSE[0], start=total[0] + 1, stop=end)):
            _read_breakdown(region, form, total[0] + 1, end)
        elif spec is F.DEPT and any(region.find(f, start=total[0] + 1, stop=end) for f in F.PROJECT_SOURCES[:2]):
            # 安徽: 附件2 lists the project form's sources (当年财政拨款, 上年结转资金 …) under its total
            _read_sources(region, form, total[0] + 1, end, cols, names)
        elif spec is F.DEPT:
            _read_breakdown(region, form, total[0] + 1, end)
        else:
            _read_sources(region, form, total[0] + 1, end, cols, names)

    if goals_pos:
        _read_goals(region, form, goals_pos[0])

    if ind_head is not None:
        _read_indicators(region, form, ind_head[0])
        form.exec_indicator = next((i for i in form.indicators if F.EXEC_INDICATOR.matches(i.level3.raw)), None)
    if form.exec_indicator is not None:  # 宁夏: the 执行率 is weighted and scored as a 三级指标
        unshown = [f for f in unshown if f.key not in ("weight", "score")]
    missing = [f.short for f in unshown]
    if ind_head is None:
        missing.append("绩效指标")
    form.missing = list(dict.fromkeys(form.missing[:heads_missing] + missing + form.missing[heads_missing:]))
    return form


def _unlabelled_total(region: Region, head: int, cols: dict[str, int]) -> tuple[int, int] | None:
    """The 年度资金总额 row of a funds block that does not label it (重庆: the values right under the column
    headings, beside the section label merged down): the next row, when it holds nothing left of the amounts
    but a merged label and something under the columns."""
    row = head + 1
    if row >= region.bottom:
        return None
    first = min(cols.values())
    for col in range(first):
        rng = region.grid.merge_at(row, col)
        if not is_blank(region.grid.get(row, col)) and not (rng and rng[0] < row):
            return None
    if all(is_blank(region.grid.get(row, c)) for c in cols.values()):
        return None
    return row, 0


def _exec_head(region: Region) -> tuple[int | None, dict[str, int]]:
    """The row that heads the 年度资金总额 columns (年初/全年预算数, 全年执行数 …) and their columns: the first
    row with both 全年预算数 and 全年执行数 (保山/湖北 "预算数(A) / 执行数(B)" print no 年初预算数)."""
    rows = region.rows_with(F.EXEC_COLUMNS[1]) & region.rows_with(F.EXEC_COLUMNS[2])
    if not rows:
        return None, {}
    row = min(rows)
    cols: dict[str, int] = {}
    for f in F.EXEC_COLUMNS:  # a heading is the first field's it names ("调整预算数(A)" is 全年预算数, see forms)
        col = region.find_in_row(row, f)
        if col is not None and col not in cols.values():
            cols[f.key] = col
    return row, cols


_SPACES = re.compile(r"\s+")
_B_OVER_A = re.compile(r"[(（]?\s*B\s*[/÷]\s*A\s*[)）]?", re.IGNORECASE)
_MARKED_A = re.compile(r"[(（]\s*A\s*[)）]", re.IGNORECASE)


def _initial_as_base(region: Region) -> tuple[int | None, dict[str, int]]:
    """The funds heading of a form with no 全年预算数 whose own header defines the 执行率 against its 年初预算数:
    "年初预算数(A) | 全年执行数(B) | 分值 | 执行率(B/A)" (北京 海淀 2016, the central 2016 form).  The 年初预算数 is
    then the rate's base, read as ``full``; (None, {}) where the header does not say so (绥阳 prints 年初预算数(A)
    and 全年执行数(B) and no 执行率: nothing defines a rate, S001 names the missing 全年预算数)."""
    initial, executed, rate = F.EXEC_COLUMNS[0], F.EXEC_COLUMNS[2], F.EXEC_COLUMNS[4]
    for row in sorted(region.rows_with(initial) & region.rows_with(executed) & region.rows_with(rate)):
        cols: dict[str, int] = {}
        for f in F.EXEC_COLUMNS:
            col = region.find_in_row(row, f)
            if col is not None and col not in cols.values():
                cols[f.key] = col
        if "initial" not in cols or "rate" not in cols or "full" in cols:
            continue
        grid = region.grid
        if _MARKED_A.search(str(grid.get(row, cols["initial"]) or "")) \
                and _B_OVER_A.search(str(grid.get(row, cols["rate"]) or "")):
            cols["full"] = cols.pop("initial")
            return row, cols
    return None, {}


def _stated_exec_weight(region: Region, head: int, cols: dict[str, int]) -> Cell | None:
    """The 执行率 weight a form without a 分值 column states in a heading of its funds block: the section label
    left of the amounts ("预算执行情况(万元)(20分)"), else the 得分 heading ("得分(20分*执行率)")."""
    first = min(cols.values())
    for field in F.EXEC_WEIGHT_HEADINGS:
        for col in range(region.width(head)):
            if field.key == "exec_section" and col >= first:
                break
            raw = region.grid.get(head, col)
            if not isinstance(raw, str) or not field.matches(raw):
                continue
            points = F.STATED_POINTS.search(F.norm_label(raw))
            if points:
                return Cell(float(points.group(1)), head, col, f"{F.display_label(raw)} 分值", prefix=raw)
    return None


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
    if not found:  # no breakdown printed at all (重庆, 安徽 forms): a layout, not an edit of the headers
        return
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


_WEIGHT_FIELD = next(f for f in F.INDICATOR_COLUMNS if f.key == "weight")


def _indicator_columns(region: Region, form: SelfEval, head: int) -> dict[str, int | None] | None:
    """The 三级指标 table's columns by their printed labels (a two-row heading too), the section's stated weight;
    None (the missing column noted on the form) when a column the form needs is not there."""
    grid = region.grid
    cols = {f.key: region.find_in_row(head, f) for f in F.INDICATOR_COLUMNS}
    if head - 1 >= region.top:  # a two-row heading (丽江): 分值/得分 … above, over an empty cell of this row
        for f in F.INDICATOR_COLUMNS:
            col = region.find_in_row(head - 1, f) if cols[f.key] is None else None
            if col is not None and col not in cols.values() and is_blank(grid.get(head, col)):
                cols[f.key] = col
    level3, weight = cols["level3"], cols["weight"]
    if weight is not None and level3 is not None and weight < level3:
        # a 分值 column after each level (海南 服务贸易: 一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分): the
        # ones left of 三级指标 weigh the 一级/二级 groups; a row's own weight is the one after its 三级指标
        found = region.find(_WEIGHT_FIELD, start=head, stop=head + 1, cols=range(level3 + 1, region.width(head)))
        if found is not None:
            cols["weight"] = found[1]
    section = region.find_in_row(head, F.INDICATORS_SECTION)
    if section is not None:  # "绩效指标(90分)", "年度绩效目标(80分)": the weight of all indicators together
        raw = grid.get(head, section)
        points = F.STATED_POINTS.search(F.norm_label(raw)) if isinstance(raw, str) else None
        if points:
            form.indicators_weight = Cell(float(points.group(1)), head, section, f"{F.display_label(raw)} 分值",
                                          prefix=raw)
    # 三级指标 is needed; a form without 分值 (保山/湖北: the 一级 headers state the weights) or without any
    # score (an unscored form) is read with those cells None
    wanted = ("level3", "weight", "score") if cols["weight"] is None and cols["score"] is None and form.scored \
        else ("level3", "score") if form.scored else ("level3",)
    for key in wanted:
        if cols[key] is None:
            form.missing.append(next(f.short for f in F.INDICATOR_COLUMNS if f.key == key))
            return None
    return cols


def _level1_weight_column(region: Region, head: int, col1: int | None, col2: int | None, col3: int) -> int | None:
    """The 分值 column printed right after the 一级指标 column, before the 二级 (海南 服务贸易: 一级指标 | 分值 | 二级指标 |
    分值 | 三级指标 | 分值 | 得分): it states each 一级's weight, as "产出指标(50分)" does elsewhere; None when there is none."""
    if col1 is None:
        return None
    stop = col2 if col2 is not None and col2 > col1 else col3
    found = region.find(_WEIGHT_FIELD, start=head, stop=head + 1, cols=range(col1 + 1, stop))
    return found[1] if found is not None else None


def _level2_weight_column(region: Region, head: int, col2: int | None, col3: int) -> int | None:
    """The 分值 column printed right after the 二级指标 column, before the 三级 (海南 服务贸易): each 二级's weight;
    None when the form prints none."""
    if col2 is None or col2 > col3:
        return None
    found = region.find(_WEIGHT_FIELD, start=head, stop=head + 1, cols=range(col2 + 1, col3))
    return found[1] if found is not None else None


def _read_indicators(region: Region, form: SelfEval, head: int) -> None:
    cols = _indicator_columns(region, form, head)
    if cols is None:
        return
    grid = region.grid
    names = {f.key: f.short for f in F.INDICATOR_COLUMNS}
    first_col = min(c for c in cols.values() if c is not None)
    level1: Level1 | None = None
    level2 = ""
    notes: list[str] = []
    col1, col2, col3, reason_col = cols["level1"], cols["level2"], cols["level3"], cols["reason"]
    weight1 = _level1_weight_column(region, head, col1, col2, col3)
    weight2 = _level2_weight_column(region, head, col2, col3)
    group2: Level2Weight | None = None  # the 二级 whose printed 分值 the rows below add up to (weight2)
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
                if name or weight is None or level1 is None:
                    # A repeated 一级 text on each row (instead of a merged cell) is the same band.
                    new = level1 is None or name != level1.name
                elif level1.name and level1.weight is None and level1.weight_cell is None:
                    # "(50分)" under a cell that names the band ("产出指标" merged above it): that band's weight
                    level1.weight = weight
                    level1.weight_cell = region.cell(row, col1, f"一级指标 {level1.name} 分值")
                    new = False
                else:
                    # a weight alone ("(30分)", 天长 2022: the names not printed) starts the next band, unless it
                    # repeats the band's own text in an unmerged cell of each row
                    rng = grid.merge_at(row, col1)
                    new = bool(level1.name) or raw1 != level1.header.raw or (rng is not None and rng[0] == row)
                if new:
                    header = region.cell(row, col1, f"一级指标 {name}" if name else "一级指标（未写名称）")
                    level1 = Level1(name, header, weight)
                    form.levels.append(level1)
                    level2, group2 = "", None
                    if weight is None and weight1 is not None:  # 海南 服务贸易: "项目决策 | 20" in its own 分值 column
                        stated = region.cell(row, weight1, f"一级指标 {name} 分值")
                        if num(stated) is not None:
                            level1.weight, level1.weight_cell = num(stated), stated
        if col2 is not None:
            raw2 = values[col2] if col2 < width else None
            if raw2 is not None and raw2 != "":
                name2 = _level2(raw2)
                if name2 is not None:
                    level2 = name2
                    if weight2 is not None:  # 海南 服务贸易: "项目目标 | 4" in its own 分值 column
                        group2 = _level2_weight(region, form, row, weight2, raw2, group2)
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
        if key == "level3" and F.is_empty_slot(cells[key].raw) and all(cells[k].blank for k in checked if k != key):
            row += 1  # "指标2:", "……": a slot of the template left unused, no indicator
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
        indicator = Indicator(row, level1.name, level2, cells["level3"], target, actual, cells.get("weight"),
                              cells.get("score"), reason, extras)
        level1.indicators.append(indicator)
        if group2 is not None:
            group2.indicators.append(indicator)
        if reason is not None and not reason.blank:
            notes.append(reason.text)
        row += 1
    # a band below the last indicator that holds none and states no weight is a note row the 一级 column
    # also labels (云南 "其他需要说明事项 | 无" above the 总分), not a 一级指标
    while form.levels and not form.levels[-1].indicators and form.levels[-1].weight is None \
            and form.levels[-1].header.row > max((i.row for i in form.indicators), default=-1):
        form.levels.pop()
    find_groups(form)  # "一、…" over "1、…" rows, "其中…" parts: each counted once
    if total:
        _read_total(region, form, row, total[1], cols)
    _level_weights(form, cols["weight"] is None, names["weight"])
    _read_below(region, form, head, row, notes)


def _level2_weight(region: Region, form: SelfEval, row: int, col: int, raw2: object,
                   group: Level2Weight | None) -> Level2Weight | None:
    """The 二级 a row's 二级指标 cell starts, with the 分值 printed beside it; ``group`` goes on where the text and
    分值 repeat it in an unmerged cell of each row, and none is kept for a 二级 whose 分值 is not a number."""
    name = F.display_label(raw2) if isinstance(raw2, str) else str(raw2)
    stated = region.cell(row, col, f"二级指标 {name} 分值")
    weight = num(stated)
    if group is not None and group.name == name and weight == group.weight and region.grid.merge_at(row, col) is None:
        return group
    if weight is None:
        return None
    group = Level2Weight(name, stated, weight)
    form.level2_weights.append(group)
    return group


def _level_weights(form: SelfEval, no_weight_column: bool, weight_label: str) -> None:
    """Where the form states its weights: a 分值 column, the 一级 headers, or neither (not a known layout)."""
    if no_weight_column and form.scored and not any(level.weight is not None for level in form.levels) \
            and form.indicators_weight is None:
        form.missing.append(weight_label)  # no 分值 column, and no header states a weight: not a known layout
    named = [level for level in form.levels if level.name]
    form.level_weights_printed = any(level.weight is not None for level in form.levels)  # "(50分)" alone too
    # a 一级 name with no weight where no 一级 header states one (the national form) is the layout, not an edit
    form.unread_weights = [level.header for level in named if level.weight is None] \
        if form.level_weights_printed else []


def _read_total(region: Region, form: SelfEval, row: int, total_col: int, cols: dict[str, int | None]) -> None:
    """The 总分 row: its 分值 and 得分 under those columns, else the first two numbers right of the label."""
    grid = region.grid
    weight_col, score_col = cols["weight"], cols["score"]
    form.total_weight = region.cell(row, weight_col, "总分 分值") if weight_col is not None else None
    form.total_score = region.cell(row, score_col, "总分 得分") if score_col is not None else None
    if form.total_weight is not None and form.total_weight.blank and form.total_score is not None \
            and not form.total_score.blank:
        # 四川 "合计 | 100" once its 得分 is filled in: the 100 left of the 权重 column is still the 分值 total
        stated = [c for c in range(region.after(row, total_col), weight_col)
                  if not is_blank(grid.get(row, c)) and _numeric_text(grid.get(row, c))]
        if len(stated) == 1:
            form.total_weight = region.cell(row, stated[0], "总分 分值")
        return
    if any(c is not None and not c.blank for c in (form.total_weight, form.total_score)):
        return
    if weight_col is None and score_col is None and not form.scored:
        return
    # the values right of the label, up to a 等级 label in the same row ("总分(100分) | 100 | 自评等级 | 优")
    numbers = []
    for c in range(region.after(row, total_col), region.width(row)):
        if F.GRADE.matches(grid.get(row, c)):
            break
        if not is_blank(grid.get(row, c)):
            numbers.append(c)
    if len(numbers) >= 2:
        form.total_weight = region.cell(row, numbers[0], "总分 分值")
        form.total_score = region.cell(row, numbers[1], "总分 得分")
        return
    label = grid.get(row, total_col)
    points = F.STATED_POINTS.search(F.norm_label(label)) if isinstance(label, str) else None
    if points:  # "总分(100分)": the label states the 分值
        form.total_weight = Cell(float(points.group(1)), row, total_col, "总分 分值", prefix=label)
    if len(numbers) == 1:
        # one number: the 得分, unless no indicator has a 得分 while they have 分值 (四川 "合计 | 100": 10 + 60 + 30;
        # the 执行率得分 is not asked, a fill may have written it)
        unscored = all(i.score is None or i.score.blank for i in form.indicators)
        weights = any(i.weight is not None and not i.weight.blank for i in form.indicators)
        if unscored and weights and points is None:
            form.total_weight = region.cell(row, numbers[0], "总分 分值")
        else:
            form.total_score = region.cell(row, numbers[0], "总分 得分")


def _read_below(region: Region, form: SelfEval, head: int, row: int, notes: list[str]) -> None:
    """After the indicators (``row``: the 总分 row): the stated 等级, the notes, the percent formats."""
    grid = region.grid
    # the stated 等级: on or below the 总分 row, else in the head of the form (never among the indicators)
    grade = region.find(F.GRADE, start=row, stop=region.bottom) or region.find(F.GRADE, stop=head)
    if grade:
        form.grade = _value_beside(region, *grade, "等级")
    if form.total_score is None:  # no 总分 row: a total the head states ("自评总分(分) | 97.6") is the form's
        stated = region.find(F.HEAD_TOTAL, stop=head)
        cell = _value_beside(region, *stated, "自评总分", numeric=True) if stated else None
        if cell is not None and num(cell) is not None:  # a number: not the 执行 block's "自评得分" column heading
            form.total_score = cell
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
