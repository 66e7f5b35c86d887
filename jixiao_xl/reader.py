"""Find the annex forms in grids and read their fields by label.

A form is recognised by its title text wherever it stands; a sheet may hold
several forms one under another.  Inside a form every field is found by the
label that anchors it (see ``forms``), so title rows, spacer rows, inserted
rows, a shifted start and merged cells do not matter.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import forms as F
from .grid import Grid, read_grids
from .model import BasicData, Building, Cell, FundRow, Indicator, Level1, SelfEval, Workbook
from .values import (DEFAULT_UNIT, NotANumber, declared_unit, header_name, header_weight, is_blank, nfkc,
                     split_inline, to_number)

_YEAR = re.compile(r"(\d{4})\s*年")


LABEL_MAX = 80  # characters; a longer text is content, not a label


@lru_cache(maxsize=16384)
def _cell_key(value: str) -> str:
    """A cell's label key; "主管部门：汨罗市司法局" is found by its label part."""
    inline = split_inline(value)
    return F.label_key(inline[0] if inline else value)


class Region:
    """Rows [top, bottom) of a grid that hold one form, with every label key indexed once."""

    def __init__(self, grid: Grid, top: int, bottom: int):
        self.grid = grid
        self.top = top
        self.bottom = bottom
        self._keys: dict[tuple[int, int], str] = {}
        self._index: dict[str, list[tuple[int, int]]] = {}
        keys, index = self._keys, self._index
        for row in range(top, min(bottom, grid.height)):
            for col, value in enumerate(grid.rows[row]):
                # labels are short; long texts (goals, explanations) are never looked up
                if value.__class__ is not str or not value or len(value) > LABEL_MAX:
                    continue
                key = _cell_key(value)
                if not key:
                    continue
                keys[(row, col)] = key
                index.setdefault(key, []).append((row, col))
                cut = key.find("(", 1)
                while cut > 0:  # "县级专项资金(一个专项一行)" is also found as "县级专项资金"
                    index.setdefault(key[:cut], []).append((row, col))
                    cut = key.find("(", cut + 1)

    def key(self, row: int, col: int) -> str:
        return self._keys.get((row, col), "")

    def width(self, row: int) -> int:
        return len(self.grid.rows[row]) if row < self.grid.height else 0

    def find(self, field: F.Field, start: int | None = None, stop: int | None = None,
             cols: range | None = None) -> tuple[int, int] | None:
        """The first cell (row-major) at or below ``start`` whose label matches ``field``."""
        start = self.top if start is None else start
        stop = self.bottom if stop is None else stop
        best = None
        for want in field.keys:
            for pos in self._index.get(want, ()):
                if pos[0] < start or (cols is not None and pos[1] not in cols):
                    continue
                if pos[0] < stop and (best is None or pos < best):
                    best = pos
                break
        return best

    def find_in_row(self, row: int, field: F.Field) -> int | None:
        found = self.find(field, start=row, stop=row + 1)
        return found[1] if found else None

    def after(self, row: int, col: int) -> int:
        """The column just right of the (merged) cell at row, col."""
        rng = self.grid.merge_at(row, col)
        return (rng[3] if rng else col) + 1

    def cell(self, row: int, col: int, where: str) -> Cell:
        return Cell(self.grid.get(row, col), row, col, where)


_FIELD_TABLES: dict[int, tuple[tuple, dict[str, F.Field]]] = {}
_DEPT_FIELDS = F.DEPT_INCOME + F.DEPT_EXPENSE  # one tuple, so that _field_for finds its table by identity


def _field_for(key: str, fields: tuple[F.Field, ...]) -> F.Field | None:
    """The first field whose label matches ``key`` (exactly, or followed by a note in brackets)."""
    kept = _FIELD_TABLES.get(id(fields))  # by identity: hashing a tuple of Fields hashes every field's keys
    table = kept[1] if kept is not None and kept[0] is fields else None
    if table is None:
        if len(_FIELD_TABLES) > 32:  # tuples made on the fly: keep the cache small
            _FIELD_TABLES.clear()
        table = {}
        _FIELD_TABLES[id(fields)] = (fields, table)  # the tuple is kept with it, so its id is not reused
        for f in reversed(fields):  # earlier fields win
            for k in f.keys:
                table[k] = f
    field = table.get(key)
    if field is None:
        cut = key.find("(", 1)
        while cut > 0 and field is None:
            field = table.get(key[:cut])
            cut = key.find("(", cut + 1)
    return field


def find_forms(grid: Grid) -> list[tuple[F.FormSpec, int, str]]:
    """(form, title row, title text) for every form title in a sheet."""
    found = []
    for row, values in enumerate(grid.rows):
        for value in values:
            if isinstance(value, str) and "表" in value and len(value) < 120:
                for spec in F.FORMS:
                    if spec.recognises(value):
                        found.append((spec, row, nfkc(value).replace("\n", "").strip()))
                        break
                else:
                    continue
                break
    return found


def _numeric_text(value: object) -> bool:
    try:
        to_number(value)
        return True
    except NotANumber:
        return False


def _year(title: str) -> int | None:
    match = _YEAR.search(title)
    return int(match.group(1)) if match else None


# ------------------------------------------------------------------ 附件1


def _fund_columns(region: Region, row: int, year: int | None) -> dict[str, tuple[int, str]]:
    """Map prev_actual / budget / actual to (column, header text) in the funds header row."""
    actuals, budgets = [], []
    for col in range(region.width(row)):
        key = region.key(row, col)
        if key.endswith("决算数") or key.endswith("决算"):
            actuals.append(col)
        elif key.endswith("预算数") or key.endswith("预算"):
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
    year = _year(title)
    form = BasicData(region.grid.name, title, year)
    grid = region.grid

    # 财政供养人员: a header row with 编制数 / 实际在职人数 / 控制率, values below it.
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

    # 经费控制情况: the header row names the three amount columns.
    head = None
    for row in range(region.top, region.bottom):
        keys = [region.key(row, c) for c in range(region.width(row))]
        if any(k.endswith("决算数") for k in keys) and any(k.endswith("预算数") for k in keys):
            head = row
            break
    stop = region.bottom
    building = region.find(F.BUILDING_HEADER)
    saving = region.find(F.SAVING)
    for pos in (building, saving):
        if pos and (head is None or pos[0] > head):
            stop = min(stop, pos[0])
    if head is None:
        form.missing.append("经费控制情况")
    else:
        columns = _fund_columns(region, head, year)
        form.columns = {k: v[1] for k, v in columns.items()}
        first_amount = min(c for c, _ in columns.values()) if columns else 1
        label_col = 0
        for col in range(first_amount):
            if not is_blank(grid.get(head, col)):
                label_col = col
                break
        state = None
        for row in range(head + 1, stop):
            label = None
            for col in range(label_col, first_amount):
                if region.key(row, col):
                    label = grid.get(row, col)
                    break
            if label is None:
                # an amount typed in a 专项 row whose name was left blank still counts in the sum
                if state in ("county_special", "special") and any(
                        not is_blank(grid.get(row, c)) for c, _ in columns.values()):
                    cells = {ck: region.cell(row, col, f"专项（第{row + 1}行，未填名称） {ctext}")
                             for ck, (col, ctext) in columns.items()}
                    form.specials.append(FundRow("special", "（未填名称）", row, cells))
                    state = "special"
                continue
            key = F.label_key(label)
            if key.startswith("说明") or key.startswith("填表人"):
                break
            field = _field_for(key, F.FUND_ROWS)
            short = F.display_label(label)
            cells = {
                ck: region.cell(row, col, f"{short} {ctext}") for ck, (col, ctext) in columns.items()
            }
            if field is not None and field.key not in form.rows:
                form.rows[field.key] = FundRow(field.key, short, row, cells)
                state = field.key
            elif state == "county_special" or state == "special":
                form.specials.append(FundRow("special", short, row, cells))
                state = "special"
            elif state in ("project", "project_business", "project_operation", "project_other"):
                form.project_others.append(FundRow("project_other", short, row, cells))
                state = "project_other"
        for f in F.FUND_ROWS:
            if f.key not in form.rows:
                form.missing.append(f.short)

    # 楼堂馆所: header row with 批复规模 ..., project rows below until 厉行节约.
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
    if saving:
        form.saving = region.cell(saving[0], region.after(*saving), F.SAVING.short)
    return form


# ------------------------------------------------------------ 附件2 / 附件3


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
    inline = split_inline(raw)
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
    head = None
    cols: dict[str, int] = {}
    for row in range(region.top, region.bottom):
        found = {f.key: region.find_in_row(row, f) for f in F.EXEC_COLUMNS[:3]}
        if all(c is not None for c in found.values()):
            head = row
            cols = {f.key: region.find_in_row(row, f) for f in F.EXEC_COLUMNS}
            cols = {k: c for k, c in cols.items() if c is not None}
            break
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
        for key, col in cols.items():
            form.exec[key] = region.cell(total[0], col, f"年度资金总额 {names[key]}")
        end = min(p[0] for p in (goals_pos, ind_head, (region.bottom, 0)) if p and p[0] > total[0])
        first_amount = min(cols.values())
        if spec is F.DEPT:
            fields = _DEPT_FIELDS
            income_col = None
            for row in range(total[0] + 1, end):
                for col in range(region.width(row)):
                    raw = grid.get(row, col)
                    if not isinstance(raw, str):
                        continue
                    inline = split_inline(raw)
                    key = F.label_key(inline[0] if inline else raw)
                    field = _field_for(key, fields)
                    if field and field.key not in form.breakdown:
                        form.breakdown[field.key] = _value_beside(region, row, col, field.short, numeric=True)
                        if field.key == "income_total":
                            income_col = col
                    elif (field is None and income_col == col and F.is_source_label(key)
                          and "income_total" in form.breakdown and f"income+{key}" not in form.breakdown):
                        # 中央财政资金 / 上年结转资金 … listed under 按收入性质分: another part of it
                        short = F.display_label(inline[0] if inline else raw)
                        form.breakdown[f"income+{key}"] = _value_beside(region, row, col, short, numeric=True)
            found = [f for f in fields if f.key in form.breakdown]
            for group in (F.DEPT_INCOME, F.DEPT_EXPENSE):
                # the parts a form lists vary by province: one missing part is not a missing column
                if not any(f in found for f in group[1:]) or group[0] not in found:
                    form.missing += [f.short for f in group if f not in found][:2]
        else:
            for row in range(total[0] + 1, end):
                for col in range(first_amount):
                    key = region.key(row, col)
                    if not key:
                        continue
                    field = _field_for(key, F.PROJECT_SOURCES)
                    source = field.key if field else (key if F.is_source_label(key) else None)
                    cells = {k: region.cell(row, cols[k], "") for k in ("initial", "full", "executed") if k in cols}
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

    if goals_pos:
        row = goals_pos[0]
        next_row = row + 1
        for f in F.GOAL_COLUMNS:
            col = region.find_in_row(row, f)
            if col is not None:
                form.goals[f.key] = region.cell(next_row, col, f"年度总体目标 {f.short}")

    if ind_head is None:
        form.missing.append("绩效指标")
        return form
    _read_indicators(region, form, ind_head[0])
    return form


_INDICATOR_COLUMN_NAMES = {f.key: f.short for f in F.INDICATOR_COLUMNS}


def _read_indicators(region: Region, form: SelfEval, head: int) -> None:
    grid = region.grid
    cols = {f.key: region.find_in_row(head, f) for f in F.INDICATOR_COLUMNS}
    for key in ("level3", "weight", "score"):
        if cols[key] is None:
            form.missing.append(next(f.short for f in F.INDICATOR_COLUMNS if f.key == key))
            return
    first_col = min(c for c in cols.values() if c is not None)
    level1: Level1 | None = None
    level2 = ""
    notes: list[str] = []
    row = head + 1
    while row < region.bottom:
        total_col = next((c for c in range(0, cols["level3"] + 1)
                          if region.key(row, c) and F.key_matches(region.key(row, c), F.TOTAL_ROW.keys)), None)
        if total_col is not None:
            form.total_weight = region.cell(row, cols["weight"], "总分 分值")
            form.total_score = region.cell(row, cols["score"], "总分 得分")
            if form.total_weight.blank and form.total_score.blank:
                numbers = [c for c in range(region.after(row, total_col), region.width(row))
                           if not is_blank(grid.get(row, c))]
                if len(numbers) >= 2:
                    form.total_weight = region.cell(row, numbers[0], "总分 分值")
                    form.total_score = region.cell(row, numbers[1], "总分 得分")
            break
        if cols["level1"] is not None:
            raw1 = grid.get(row, cols["level1"])
            if not is_blank(raw1):
                name = header_name(raw1)
                # A repeated 一级 text on each row (instead of a merged cell) is the same band.
                if level1 is None or name != level1.name:
                    header = region.cell(row, cols["level1"], f"一级指标 {name}")
                    level1 = Level1(name, header, header_weight(raw1))
                    form.levels.append(level1)
                    level2 = ""
        if cols["level2"] is not None:
            raw2 = grid.get(row, cols["level2"])
            if not is_blank(raw2):
                level2 = F.label_key(raw2)
        cells = {
            key: region.cell(row, col, "") for key, col in cols.items()
            if col is not None and key not in ("level1", "level2")
        }
        if "reason" in cells and cells["reason"].blank:
            rng = grid.merge_at(row, cols["reason"])
            if rng and rng[0] < row:  # a 偏差原因 merged over several rows explains each of them
                cells["reason"] = region.cell(rng[0], rng[1], "")
        if all(c.blank for k, c in cells.items() if k != "reason"):
            row += 1
            continue
        if level1 is None:
            level1 = Level1("", region.cell(row, first_col, "一级指标"), None)
            form.levels.append(level1)
        name = cells["level3"].text.replace("\n", "") or level2 or level1.name
        label = f"{level2 or level1.name}“{name}”" if name != level2 else name
        for key, cell in cells.items():
            cell.where = f"{label} {_INDICATOR_COLUMN_NAMES[key]}"
        indicator = Indicator(
            row=row, level1=level1.name, level2=level2, level3=cells["level3"],
            target=cells.get("target") or Cell(None, row, cols["level3"], f"{label} 年度指标值"),
            actual=cells.get("actual") or Cell(None, row, cols["level3"], f"{label} 实际完成值"),
            weight=cells["weight"], score=cells["score"], reason=cells.get("reason"),
        )
        level1.indicators.append(indicator)
        if indicator.reason is not None and not indicator.reason.blank:
            notes.append(indicator.reason.text)
        row += 1
    form.unread_weights = [level.header for level in form.levels if level.name and level.weight is None]
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


# ------------------------------------------------------------------ entry


_TOOL_SHEETS = ("校验结果", "_jixiao_marks")  # written by fill and the Excel button, never forms


def _hits(region: Region, kind: str) -> list[str]:
    """The signature labels of a form kind found in a region."""
    return [f.short for f in F.SIGNATURES[kind] if region.find(f)]


def locate_forms(grid: Grid) -> list[tuple[F.FormSpec, Region, str, list[str]]]:
    """(form, region, title, signature labels when recognised by them alone) for every form in a sheet.

    A title (any accepted wording, see ``forms``) starts a form only when its region holds some of the
    form's labels, so a line that merely looks like a title (a note, a cover) starts nothing.  A sheet
    without a title is recognised by its labels (the title may be a formula saved without its result,
    or stand in the sheet name).
    """
    titles = find_forms(grid)
    regions: dict[tuple[int, int], Region] = {}

    def region_of(index: int) -> Region:
        top = titles[index][1] + 1
        bottom = titles[index + 1][1] if index + 1 < len(titles) else grid.height
        if (top, bottom) not in regions:
            regions[(top, bottom)] = Region(grid, top, bottom)
        return regions[(top, bottom)]

    while titles:
        kept = [t for i, t in enumerate(titles) if len(_hits(region_of(i), t[0].kind)) >= F.SIGNATURE_TITLED]
        if len(kept) == len(titles):
            break
        titles = kept
    if titles:
        out = []
        for index, (spec, row, title) in enumerate(titles):
            out += _with_untitled_below((spec, region_of(index), title, []))
        return out
    if grid.name in _TOOL_SHEETS:
        return []
    region = Region(grid, 0, grid.height)
    for spec in F.FORMS:  # the title in the sheet name
        if spec.recognises(grid.name) and len(_hits(region, spec.kind)) >= F.SIGNATURE_TITLED:
            return _with_untitled_below((spec, region, nfkc(grid.name).strip(), []))
    found = _by_signature(region)
    return _with_untitled_below(found) if found else []


def _by_signature(region: Region):
    """The form a region holds, judged by its labels alone: the kind with most of its labels (at least
    SIGNATURE_MIN, and more than any other kind)."""
    # judged on the first form only: up to the first end of a form (总分 or 厉行节约) in the region
    ends = [e for e in (_form_end(region, F.BASIC), _form_end(region, F.DEPT)) if e is not None]
    judged = Region(region.grid, region.top, min(ends) + 1) if ends else region
    scored = sorted(((len(hits), spec, hits) for spec in F.FORMS for hits in [_hits(judged, spec.kind)]),
                    key=lambda t: -t[0])
    best, second = scored[0], scored[1]
    if best[0] >= F.SIGNATURE_MIN and best[0] > second[0]:
        return (best[1], region, "", best[2])
    return None


def _form_end(region: Region, spec: F.FormSpec) -> int | None:
    """The last row of a form: its 总分 row (附件2/3) or 厉行节约 row (附件1)."""
    if spec is F.BASIC:
        end = region.find(F.SAVING)
    else:
        head = region.find(F.INDICATOR_COLUMNS[2])
        end = region.find(F.TOTAL_ROW, start=head[0]) if head else None
    return end[0] if end else None


def _with_untitled_below(located):
    """A form, and any form without a recognisable title drawn below its end on the same sheet."""
    out = []
    while located:
        spec, region, title, signature = located
        end = _form_end(region, spec)
        below = _by_signature(Region(region.grid, end + 1, region.bottom)) if end is not None else None
        if below is None:
            out.append(located)
            break
        out.append((spec, Region(region.grid, region.top, end + 1), title, signature))
        located = below
    return out


def _amount_cells(form) -> list[Cell]:
    if isinstance(form, BasicData):
        cells = [c for row in list(form.rows.values()) + form.specials + form.project_others
                 for c in row.cells.values()]
        cells += [b.cells[k] for b in form.buildings for k in ("budget_investment", "actual_investment")
                  if k in b.cells]
        return cells
    cells = [c for k, c in form.exec.items() if k not in ("rate", "score", "weight")]
    cells += list(form.breakdown.values())
    cells += [c for row in form.sources.values() for c in row.values()]
    return cells


def _apply_unit(form, region: Region, title: str) -> None:
    """The form's amount unit: the first one its title, "单位：" line or headers declare (rows above the
    indicators), else the official 万元; every amount cell then reads "830,000元" in that unit."""
    unit = declared_unit(title)
    grid = region.grid
    stop = region.bottom
    if isinstance(form, SelfEval) and form.levels:
        stop = min(stop, min(level.header.row for level in form.levels))
    row = max(region.top - 1, 0)
    while unit is None and row < stop:
        for value in grid.rows[row] if row < grid.height else ():
            if value.__class__ is str and len(value) <= LABEL_MAX:
                unit = declared_unit(value)
                if unit:
                    break
        row += 1
    form.unit = unit or DEFAULT_UNIT
    for cell in _amount_cells(form):
        cell.unit = form.unit


def read_forms(grids: list[Grid], path: str = "") -> Workbook:
    """Every form in the grids of one workbook."""
    found = []
    hidden = []
    uncached = {}
    for grid in grids:
        if grid.uncached:
            uncached[grid.name] = list(grid.uncached)
        if grid.hidden:
            hidden.append(grid.name)
        for spec, region, title, signature in locate_forms(grid):
            if spec is F.BASIC:
                form = read_basic(region, title)
            else:
                form = read_self_eval(region, spec, title)
            form.signature = signature
            _apply_unit(form, region, title)
            if form.year is None and not title:
                form.year = _year(grid.name)
            found.append(form)
    return Workbook(path, found, hidden, uncached)


def read_workbook(path: str) -> Workbook:
    """Read a file; raises grid.UnreadableWorkbook with a Chinese reason."""
    return read_forms(read_grids(path), path)
