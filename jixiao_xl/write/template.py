"""The template workbook: the official annex tables that compute as you type.

Layout comes from ``forms`` (labels) and the reader itself: each sheet is first
laid out as plain rows, read back with the same reader that checks submitted
workbooks, and the formulas of ``derive`` are then built from the positions
the reader found.  So the template, the reader and the checks cannot drift
apart.  Every formula is written with its current result (``xlsxio``), so the
template reads correctly even where nothing recalculates.

``--from``: a submitted workbook's data is laid into the template: every
typed value as typed (numbers as numbers, text such as "无" as text), and
every derived cell gets its formula, never the old file's number; where the
two differ the command lists them (``TemplateSheet.replaced``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import zip_longest

from ..read import forms as F
from ..compute.derive import Derived, cell_value, derived, settle, typed_totals
from ..xlsx.grid import Grid, col_letter, parse_a1, parse_range
from ..read.forms import INFO_SHEET, MARKER
from .marks import DERIVED_FILL, HEADER_FILL, INPUT_FILL, RESULT_HEADER, RESULT_SHEET  # noqa: F401 (re-exported)
from ..read.model import Cell, SelfEval, num
from ..compute.profiles import Profile, weights_complete
from ..compute.profiles import blank_levels as levels  # noqa: F401 (the blank template's rows)
from ..read.reader import Region, read_basic, read_self_eval
from ..read.sheetspec import SheetSpec
from ..read.values import fmt_number, norm_label, typed_text
from .template_from import TemplateData, _as_text, _typed, carry_formats, data_from  # noqa: F401 (re-exported)



def _absolute(address: str) -> str:
    row, col = parse_a1(address)
    return f"{INFO_SHEET}!${col_letter(col)}${row + 1}"


YEAR_REF = _absolute(F.INFO_YEAR)
UNIT_REF = _absolute(F.INFO_UNIT)

GOAL_LINES = 4  # lines a 年度总体目标 row shows, blank or filled (more when its text needs them)
INDICATOR_LINES = 2  # lines a 三级指标 row shows (long names, 偏差原因)
BLANK_SPECIALS = 3  # empty 专项 rows in a blank template (the last one stays empty for inserting)


@dataclass
class TemplateSheet(SheetSpec):
    kind: str = ""
    formulas: dict[str, str] = field(default_factory=dict)
    cached: dict[str, object] = field(default_factory=dict)
    inputs: set[str] = field(default_factory=set)
    derived_cells: set[str] = field(default_factory=set)
    headers: set[str] = field(default_factory=set)
    title: str = ""
    landscape: bool = False
    print_rows: str | None = None
    freeze: str | None = None
    amount_cells: set[str] = field(default_factory=set)
    signed_cells: set[str] = field(default_factory=set)
    score_checks: list[tuple[str, str]] = field(default_factory=list)  # (score cell, weight cell)
    rate_cells: set[str] = field(default_factory=set)
    text_inputs: set[str] = field(default_factory=set)
    # rows of long typed text (1-based) -> the lines they show at least, filled or blank (fit_heights)
    min_lines: dict[int, int] = field(default_factory=dict)
    # typed cells carried over by --from: A1 -> (submitted sheet, row, col), 0-based (their number formats)
    carried: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    # typed cells carried over by --from: A1 -> the submitted cell (how it was typed and formatted)
    sources: dict[str, Cell] = field(default_factory=dict)
    # derived cells whose value carried over by --from differed from the formula: (A1, where, typed, computed)
    replaced: list[tuple[str, str, object, object]] = field(default_factory=list)
    # how the command shows each of them: A1 -> (typed, computed) as the user sees them ("86.19%", "86.18%"); a
    # formula that gives nothing yet: computed is why, and what to do ("按表内数据算不出（…），补齐后自动计算")
    shown: dict[str, tuple[str, str]] = field(default_factory=dict)
    # totals typed without their parts, kept as typed (an input, no formula): (A1, where, the figure as typed)
    kept: list[tuple[str, str, str]] = field(default_factory=list)
    # a blank template's 一级 whose rows have no 分值 (湖北, 保山: the unit sets them): (name, header A1, weight
    # column, first row, last row), 1-based; their headers and the 总分 row get formulas over whatever the unit fills
    open_levels: list[tuple[str, str, str, int, int]] = field(default_factory=list)


class _Carried:
    """A value laid into the template from a submitted cell (--from), with that cell: the layout notes where
    it lands, so the cell keeps the number format it was typed under (100% stays 100%, not 1)."""

    __slots__ = ("value", "cell")

    def __init__(self, value, cell: Cell):
        self.value, self.cell = value, cell


def _plain(value):
    """The value itself, without the cell it came from."""
    return value.value if isinstance(value, _Carried) else value


def _carry(value, cell: Cell):
    """``value`` with its source cell when it is what the cell held (a rate read from 76 is not: its format
    would not show it)."""
    raw = cell.raw
    same = value is raw or (type(value) in (int, float) and type(raw) in (int, float) and value == raw)
    return _Carried(value, cell) if same else value


def _value(cell: Cell | None):
    """A source cell's value for the template: its number when it is one, else its text as typed."""
    if not _typed(cell):
        return None
    number = None if cell.blank else cell.number
    return _carry(number if number is not None and cell.error is None else cell.raw, cell)


def _text(cell: Cell | None):
    """A text field as typed ("98%" and "无" stay text; a number stays a number)."""
    return _carry(cell.raw, cell) if _typed(cell) else None


def _rate_value(cell: Cell | None):
    if not _typed(cell):
        return None
    rate = None if cell.blank else cell.rate
    return _carry(rate if rate is not None else cell.raw, cell)


def _year_text(label: str, year: int) -> str:
    """A label with its year: "{year}年预算数" → "2024年预算数", "{prev}年决算数" → "2023年决算数"."""
    return label.format(year=year, prev=year - 1)


def _year_formula(label: str) -> str:
    """The formula that prints a label with the year typed on 填表说明: "{prev}年决算数" → =(年度-1)&"年决算数"."""
    terms = []
    for part in re.split(r"(\{year\}|\{prev\})", label):
        if part == "{year}":
            terms.append(YEAR_REF)
        elif part == "{prev}":
            terms.append(f"({YEAR_REF}-1)")
        elif part:
            terms.append("&CHAR(10)&".join(f'"{line}"' for line in part.split("\n")))
    return "=" + "&".join(terms)


class Layout:
    """Rows being laid out for one sheet, with the roles of their cells."""

    def __init__(self, sheet: TemplateSheet, width: int, source: str | None = None):
        self.sheet = sheet
        self.width = width
        self.source = source  # the submitted sheet the typed values come from (--from)

    @property
    def row(self) -> int:
        """1-based number of the next row."""
        return len(self.sheet.rows) + 1

    def add(self, values: list, merges: list[str] = ()) -> int:
        row = self.row
        for c, value in enumerate(values):
            if isinstance(value, _Carried):
                self.sheet.sources[f"{col_letter(c)}{row}"] = value.cell
                if self.source is not None:
                    self.sheet.carried[f"{col_letter(c)}{row}"] = (self.source, value.cell.row, value.cell.col)
        self.sheet.rows.append([_plain(v) for v in values] + [None] * (self.width - len(values)))
        for m in merges:
            self.sheet.merges.append(m.replace("#", str(row)))
        return row

    def header(self, *addresses: str) -> None:
        self.sheet.headers.update(addresses)

    def typed(self, r: int, fields, first: int = 1, signed: bool = False) -> None:
        """The roles of row ``r``'s cells under ``fields`` (from column ``first``), by the fields' kinds: numbers
        typed by the user (validated; ``signed`` may be negative), rates formatted as percentages."""
        for c, f in enumerate(fields, start=first):
            address = f"{col_letter(c)}{r}"
            if f.kind == "rate":
                self.sheet.formats[address] = "0.00%"
            elif f.kind in ("amount", "count", "weight"):
                (self.sheet.signed_cells if signed else self.sheet.amount_cells).add(address)

    def labels(self, values: list, year: int, merges: list[str] = ()) -> int:
        """A row of labels (bold, grey); one with a year gets a formula on the year typed on 填表说明."""
        r = self.add([_year_text(v, year) if isinstance(v, str) else v for v in values], merges)
        for c, value in enumerate(values):
            if isinstance(value, str) and "{" in value:
                self.sheet.formulas[f"{col_letter(c)}{r}"] = _year_formula(value)
            if value is not None:
                self.header(f"{col_letter(c)}{r}")
        return r


# ------------------------------------------------------------------ 附件1


def _basic_sheet(data: TemplateData) -> TemplateSheet:
    year, src = data.year, data.basic
    # the funds table's columns (forms.FUND_COLUMNS): the amounts, their 控制率, then any other (备注 …)
    amounts, notes = F.fund_amounts(), F.fund_notes()
    funds = (F.FUNDS_HEADER,) + amounts + (F.FUND_RATE,) + notes
    width = max(len(funds), 1 + len(F.STAFF_FIELDS), 1 + len(F.BUILDING_FIELDS))
    last = col_letter(width - 1)
    widths = {"A": F.FUNDS_HEADER.width}
    widths.update({col_letter(c): (funds[c].width if c < len(funds) else None) or F.BASIC_WIDTH
                   for c in range(1, width)})
    sheet = TemplateSheet("附件1", [], kind="basic_data", print_rows="5:5", freeze="B6", widths=widths)
    lay = Layout(sheet, width, src.sheet if src else None)
    lay.add([F.BASIC.annex])
    r = lay.add([_year_text(F.BASIC.title, year)], [f"A#:{last}#"])
    sheet.title = f"A{r}"
    sheet.formulas[f"A{r}"] = _year_formula(F.BASIC.title)
    lay.labels([F.STAFF_HEADER.label] + [f.label for f in F.STAFF_FIELDS], year)
    staff = src.staff if src else {}
    r = lay.add([None] + [(_rate_value if f.kind == "rate" else _value)(staff.get(f.key)) for f in F.STAFF_FIELDS])
    lay.typed(r, F.STAFF_FIELDS)
    lay.labels([f.label for f in funds], year)

    def fund_row(label, row=None, key=None):
        values = [_value(row.cells.get(f.key)) if row else None for f in amounts] + [None]  # 控制率: derive's
        values += [_text(row.extra.get(f.key)) if row else None for f in notes]
        r = lay.add([label] + values)
        if key is None:  # a 专项 or other project row: its name is typed too
            sheet.text_inputs.add(f"A{r}")
        lay.typed(r, amounts, signed=key == "basic_adjustment")  # an adjustment may be negative
        if key is not None and F.FUND_ROW[key].rated:  # its 控制率: a derived cell (derive)
            lay.typed(r, [F.FUND_RATE], first=1 + len(amounts))
        sheet.text_inputs.update(f"{col_letter(c)}{r}" for c in range(2 + len(amounts), len(funds)))
        return r

    others_after = F.others_after()
    for field_ in F.FUND_ROWS:
        fund_row(field_.label, src.rows.get(field_.key) if src else None, field_.key)
        if field_.key in others_after and src:  # other parts of 项目支出, as the submission lists them
            for other in src.project_others:
                fund_row(other.label, other)
        if field_.items:  # one row per 专项, and empty rows to type more
            specials = src.specials if src else []
            for special in specials:
                fund_row(special.label, special)
            for _ in range(1 if specials else BLANK_SPECIALS):
                fund_row(None, None)
    lay.labels([F.BUILDING_HEADER.label] + [f.label for f in F.BUILDING_FIELDS], year)
    buildings = src.buildings if src and src.buildings else [None]
    for building in buildings:
        cells = building.cells if building else {}
        values = [(_rate_value if f.kind == "rate" else _value)(cells.get(f.key)) for f in F.BUILDING_FIELDS]
        r = lay.add([None] + values)
        lay.typed(r, F.BUILDING_FIELDS)
    r = lay.add([F.SAVING.label, _text(src.saving) if src else None], [f"B#:{last}#"])
    sheet.text_inputs.add(f"B{r}")
    lay.header(f"A{r}")
    lay.add([F.BASIC_NOTE], [f"A#:{last}#"])
    signature = [v for label in F.BASIC_SIGNATURE for v in (f"{label}：", None)][:-1]  # a blank after each
    r = lay.add(signature)
    sheet.text_inputs.update(f"{col_letter(c + 1)}{r}" for c in range(0, len(signature) - 1, 2))
    return sheet


# ------------------------------------------------------------ 附件2 / 附件3


def _column(key: str) -> F.Field:
    return next(f for f in F.INDICATOR_COLUMNS if f.key == key)


def _indicator_groups(data: TemplateData, src: SelfEval | None):
    """[(一级 name, header text or None, [row values], [whether each row counts])] from the source, or the
    profile's defaults.  A source's header is laid out as printed when it states no 分值 or another than its
    rows' total ("" when it is blank); None: the header states its rows' total (a blank template's).  A source's rows that are no indicator of their own (a subtotal over numbered items, the
    "其中" parts of one: ``read.groups``) are laid out where they were, and not counted in the header's total."""
    if src and src.indicators:
        groups = []
        columns = F.INDICATOR_COLUMNS[2:]  # 三级指标 … 偏差原因, after the 二级 name
        for level in src.levels:
            counted = {id(i) for i in level.indicators}
            rows = [[i.level2 or None] + [(_text if f.kind == "text" else _value)(i.column(f.key)) for f in columns]
                    for i in level.rows]
            stated = level.weight
            total = sum(num(i.weight) or 0 for i in level.indicators)
            fixed = None
            if stated is None:  # no 分值 printed (or none read): the header as printed, never the rows' total
                # made up ("产出指标": S004); "" where the form has no 一级 (重庆's single list: its first row)
                fixed = typed_text(level.header.raw) if level.name and _typed(level.header) else ""
            elif stated is not None and abs(stated - total) > 0.005:
                fixed = f"{level.name}\n({fmt_number(stated)}分)"  # keep a header that disagrees with its rows
            groups.append((level.name, fixed, rows, [id(i) in counted for i in level.rows]))
        return groups
    keys = [f.key for f in F.INDICATOR_COLUMNS[1:]]
    unread = src is not None  # --from a form whose indicators were not read: its rows, not the profile's 分值
    return [(name, None, [[l2 if k == "level2" else None if unread else w if k == "weight" else None for k in keys]
                          for l2, w in level2s], [True] * len(level2s)) for name, level2s in levels(data.profile)]


def _self_eval_sheet(data: TemplateData, spec: F.FormSpec, name: str, src: SelfEval | None) -> TemplateSheet:
    year, profile = data.year, data.profile
    dept = spec is F.DEPT
    # the columns are the indicator table's (forms.INDICATOR_COLUMNS): 绩效指标 in A, one column each from B
    # (the 年度资金总额 row's printed columns from C, forms.EXEC_COLUMNS, widen the sheet if they need to)
    columns = (F.INDICATORS_HEADER,) + F.INDICATOR_COLUMNS
    shown = tuple(f for f in F.EXEC_COLUMNS if f.printed)
    exec_row = (None, F.EXEC_TOTAL) + shown
    width = max(len(columns), len(exec_row))
    last = col_letter(width - 1)
    widths = {col_letter(c): (columns[c].width if c < len(columns) else exec_row[c].width) or F.DEFAULT_WIDTH
              for c in range(width)}
    sheet = TemplateSheet(name, [], kind=spec.kind, landscape=True, freeze="A4", widths=widths)
    lay = Layout(sheet, width, src.sheet if src else None)
    lay.add([spec.annex])
    r = lay.add([_year_text(spec.title, year)], [f"A#:{last}#"])
    sheet.title = f"A{r}"
    sheet.formulas[f"A{r}"] = _year_formula(spec.title)
    head = src.head if src else {}
    if dept:
        r = lay.add([F.DEPT_NAME.label, data.unit or None], [f"B#:{last}#"])
        sheet.formulas[f"B{r}"] = f"={UNIT_REF}"
        lay.header(f"A{r}")
    else:
        name_, authority_, implementer_ = F.PROJECT_HEAD
        r = lay.add([name_.label, _text(head.get(name_.key))], ["B#:I#"])
        sheet.text_inputs.add(f"B{r}")
        lay.header(f"A{r}")
        authority = _plain(_text(head.get(authority_.key)))
        own = authority is not None and str(authority).strip() != (data.unit or "").strip()
        r = lay.add([authority_.label, authority if own else data.unit or None, None, None, implementer_.label,
                     _text(head.get(implementer_.key))], ["B#:D#", f"F#:{last}#"])
        if own:  # --from: a 主管部门 other than the unit is kept as typed
            sheet.text_inputs.add(f"B{r}")
        else:
            sheet.formulas[f"B{r}"] = f"={UNIT_REF}"
        sheet.text_inputs.add(f"F{r}")
        lay.header(f"A{r}", f"E{r}")
    ex = {**src.exec_notes, **src.exec} if src else {}
    section = lay.row
    r = lay.labels([F.EXEC_SECTION[spec.kind].label, None] + [f.label for f in shown], year)
    lay.header(f"B{r}")  # grey under the section label too
    read = {"rate": _rate_value, "text": _text}
    values = {f.key: read.get(f.kind, _value)(ex.get(f.key)) for f in shown}
    if values["weight"] is None and not src and profile.exec_block_weight:  # (宁夏: none, 项目管理 scores it)
        values["weight"] = profile.exec_block_weight
    r = lay.add([None, F.EXEC_TOTAL.label] + [values[f.key] for f in shown])
    lay.header(f"B{r}")
    lay.typed(r, [f for f in shown if f.kind != "score"], first=2)  # the 得分 is derived
    sheet.text_inputs.update(f"{col_letter(c)}{r}" for c, f in enumerate(shown, start=2) if f.kind == "text")
    if dept:
        parts = src.breakdown if src else {}
        for left, right in zip_longest(F.DEPT_INCOME, F.DEPT_EXPENSE):  # 按收入性质分 | 按支出性质分, side by side
            values = [None, left.label, None, _value(parts.get(left.key))]
            merges = ["B#:C#"]
            if right:
                values += [right.label, None, None, _value(parts.get(right.key))]
                merges.append("E#:G#")
            r = lay.add(values, merges)
            lay.header(f"B{r}", f"E{r}")
            sheet.amount_cells.add(f"D{r}")
            if right:
                sheet.amount_cells.add(f"H{r}")
    else:
        sources = src.sources if src else {}
        standard = {f.key: f.label for f in F.PROJECT_SOURCES}
        # the submission's own source rows in its order (中央/省级财政资金 …), then the standard rows it lacks
        order = list(sources) + [k for k in standard if k not in sources]
        for key in order:
            cells = sources.get(key, {})
            label = standard.get(key) or src.source_labels.get(key, key)
            r = lay.add([None, label] + [_value(cells.get(f.key)) for f in F.EXEC_COLUMNS[:3]])
            lay.header(f"B{r}")
            lay.typed(r, F.EXEC_COLUMNS[:3], first=2)
    sheet.merges.append(f"A{section}:A{lay.row - 1}")
    goals = src.goals if src else {}
    # the goal columns share B … the last column: an equal span each, the last one to the end
    span = (width - 1) // len(F.GOAL_COLUMNS)
    starts = [1 + i * span for i in range(len(F.GOAL_COLUMNS))]
    ends = starts[1:] + [width]
    goal_merges = [f"{col_letter(a)}#:{col_letter(b - 1)}#" for a, b in zip(starts, ends)]
    heads, typed = [F.GOALS_HEADER.label], [None]
    for f, a, b in zip(F.GOAL_COLUMNS, starts, ends):
        heads += [f.label] + [None] * (b - a - 1)
        typed += [_text(goals.get(f.key))] + [None] * (b - a - 1)
    r = lay.labels(heads, year, goal_merges)
    r2 = lay.add(typed, goal_merges)
    sheet.merges.append(f"A{r}:A{r2}")
    sheet.text_inputs.update(f"{col_letter(a)}{r2}" for a in starts)
    sheet.min_lines[r2] = GOAL_LINES
    # the weight of all indicators together a form prints over its 一级 ("年度绩效目标(80分)", 保山/湖北) is kept:
    # the template's 分值合计 and its check read it as the form's do (W108, results.weight_total)
    section = num(src.indicators_weight) if src is not None and src.indicators_weight is not None else None
    label = F.INDICATORS_HEADER.label if section is None else f"{F.INDICATORS_HEADER.label}\n({fmt_number(section)}分)"
    head_row = lay.labels([label] + [f.label for f in F.INDICATOR_COLUMNS], year)
    sheet.print_rows = f"{head_row}:{head_row}"
    # the columns right of 一级指标: C 二级指标 … (text typed), G 分值, H 得分
    letters = {f.key: col_letter(c) for c, f in enumerate(F.INDICATOR_COLUMNS[1:], start=2)}
    texts = [letters[f.key] for f in F.INDICATOR_COLUMNS[1:] if f.kind == "text"]
    weight_at = list(letters).index("weight")
    level_rows = []
    for level_name, fixed, rows, counted in _indicator_groups(data, src):
        first = lay.row
        # a header states its rows' total (derive gives it the formula), or the submission's other total
        weights = [_num(_plain(v[weight_at])) for v, c in zip(rows, counted) if c]
        if fixed is not None:  # --from: the header as the form prints it ("" : none printed)
            header = fixed or None
        elif all(w is None for w in weights):
            header = level_name  # a blank template's 一级 with no 分值: no "(0分)" made up
        else:  # a blank template's: the total of its rows' 分值 (derive gives it its formula)
            header = f"{level_name}\n({fmt_number(sum(w or 0 for w in weights))}分)"
        # a 一级 the form prints without a row under it (湖北 “服务对象满意度指标”) keeps its header, on an empty row
        for i, values in enumerate(rows or [[None] * (len(F.INDICATOR_COLUMNS) - 1)]):
            r = lay.add([None, header if i == 0 else None] + values)
            sheet.text_inputs.update(f"{c}{r}" for c in texts)
            sheet.min_lines[r] = INDICATOR_LINES
            sheet.amount_cells.add(f"{letters['weight']}{r}")
            sheet.score_checks.append((f"{letters['score']}{r}", f"{letters['weight']}{r}"))
        last = lay.row - 1
        if last > first:
            sheet.merges.append(f"B{first}:B{last}")
        level_rows.append((level_name, fixed, first, last))
        if (src is None or not src.indicators) and fixed is None and level_name and all(w is None for w in weights):
            sheet.open_levels.append((level_name, f"B{first}", letters["weight"], first, last))
    sheet.merges.append(f"A{head_row}:A{lay.row - 1}")
    # the 等级 beside the 总分: derive gives it its formula
    # the 总分 label over the columns before 分值 (derive writes its 分值 and 得分), the 等级 in the last column
    # --from: the 分值合计, 总分 and 等级 as the submission states them, so that one its own rows do not give is
    # listed (``_settle``) rather than silently replaced by the formula's result
    totals = [None] * (width - 2) + [f"{F.GRADE.label}："]
    if src is not None:
        for key, cell in (("weight", src.total_weight), ("score", src.total_score)):
            totals[columns.index(_column(key)) - 1] = _value(cell)
        if src.grade is not None and _typed(src.grade) and not src.grade.prefix:
            totals[-1] = f"{F.GRADE.label}：{_as_text(src.grade.raw).strip()}"
    total = lay.add([F.TOTAL_ROW.label] + totals, [f"A#:{col_letter(columns.index(_column('weight')) - 1)}#"])
    lay.header(f"A{total}")
    for level_name, fixed, first, last in level_rows:
        lay.header(f"B{first}")
    return sheet


def _info_sheet(data: TemplateData) -> TemplateSheet:
    sheet = TemplateSheet(INFO_SHEET, [], kind="info", widths={"A": 4, "B": 16, "C": 60})
    lay = Layout(sheet, 3)
    lay.add([MARKER])
    lay.add([None])
    lay.add([None, "基本信息"])
    r = lay.add([None, "年度", data.year])
    sheet.inputs.add(f"C{r}")
    r2 = lay.add([None, "单位名称", data.unit or None])
    sheet.text_inputs.add(f"C{r2}")
    # the profile's Chinese label (or PROFILE_UNKNOWN): check, fill and the add-in take it back (reader.stated_profile)
    r3 = lay.add([None, "评分口径", data.profile.label if data.known else F.PROFILE_UNKNOWN])
    assert (f"C{r}", f"C{r2}", f"C{r3}") == (F.INFO_YEAR, F.INFO_UNIT, F.INFO_PROFILE)  # where titles refer
    lay.add([None, None, _profile_text(data)])
    lay.add([None])
    lay.add([None, "颜色说明"])
    r = lay.add([None, "黄色", "需要填写的单元格"])
    sheet.inputs.add(f"B{r}")
    r = lay.add([None, "蓝色", "自动计算的单元格（公式，已锁定，不用填写）"])
    sheet.derived_cells.add(f"B{r}")
    lay.add([None])
    lay.add([None, "填表步骤"])
    steps = [
        "1. 在本页填写年度和单位名称，各表标题会自动更新。",
        "2. 附件1 基础数据表：填写编制数、实际在职人数和各项经费；“三公”经费、公务用车、县级专项、项目支出合计和控制率自动计算。",
        "3. 县级专项资金下“一个专项一行”；专项较多时在空行上方插入行，合计会自动包含新行。",
        "4. 附件2/附件3：填写年初预算数、全年预算数、全年执行数和各三级指标；执行率、执行率得分、一级指标分值小计、总分和等级自动计算。",
        "5. 得分低于分值时必须填写“偏差原因分析及改进措施”。",
        "6. 填完后运行“校验”（Excel 加载项按钮，或命令 jixiao-xl fill 文件 -o 输出 --mark），问题会列在“校验结果”表中。",
    ]
    for step in steps:
        lay.add([None, None, step])
    return sheet


def _profile_text(data: TemplateData) -> str:
    """What 填表说明 says of the template's 评分口径 under its name."""
    if not data.known:
        return ("看不出是哪个省份的表：执行率和各级指标按表上写明的分值计算和校验，只有某省口径才要求的检查不做；"
                "知道省份时改为该省口径的名称（见 jixiao-xl profiles）")
    profile = data.profile
    level1 = "，".join(f"{k} {fmt_number(v)} 分" for k, v in profile.level1.items()) or "一级指标分值以表上写明的为准"
    within = f"（作为{profile.exec_within}下的三级指标计分，资金表中不另计分）" if profile.exec_within else ""
    text = f"{profile.label}：执行率 {fmt_number(profile.exec_weight)} 分{within}，{level1}"
    if not weights_complete(profile):  # (河南) what the source leaves out is the unit's, never made up here
        known = sum(profile.level1.values()) + profile.exec_block_weight
        text += (f"；以上合计 {fmt_number(known)} 分，其余 {fmt_number(100 - known)} 分如何分配，口径的来源没有说明（以预算"
                 "管理一体化系统导出的指标为准），模板中各指标的分值空着，请按系统导出的指标填写（合计应为 100 分），"
                 "一级指标小计、分值合计和总分随之计算")
    return text


def _results_sheet() -> TemplateSheet:
    sheet = TemplateSheet(RESULT_SHEET, [RESULT_HEADER], kind="results", freeze="A2",
                          widths={"A": 8, "B": 10, "C": 10, "D": 8, "E": 30, "F": 80, "G": 12, "H": 12})
    sheet.headers.update(f"{c}1" for c in "ABCDEFGH")
    return sheet


# ------------------------------------------------------------------ formulas


def _read_back(sheet: TemplateSheet):
    grid = Grid(sheet.name, sheet.rows, [parse_range(m) for m in sheet.merges])
    region = Region(grid, 0, len(sheet.rows))
    if sheet.kind == "basic_data":
        return read_basic(region, sheet.rows[1][0])
    return read_self_eval(region, F.FORM_BY_KIND[sheet.kind], sheet.rows[1][0])


def _settle(sheet: TemplateSheet, profile: Profile) -> None:
    """Give every derived cell its formula, and compute all results until they are stable.

    A derived cell never keeps a typed value, not even one carried over by
    ``--from``: where the submission's value differs from the formula's result
    it is recorded in ``sheet.replaced`` so the command can say so.
    """
    first: list[Derived] | None = None
    formulas: set[str] = set()

    def read() -> list[Derived]:
        nonlocal first
        items = derived(_read_back(sheet), profile)
        if first is None:  # the cells that get a formula, and what the submission had in them
            first = [d for d in items if d.formula]
            formulas.update(d.cell.address for d in first)
        return items

    def write(item: Derived) -> bool:
        if item.cell.address not in formulas:
            return False
        sheet.formulas[item.cell.address] = item.formula
        value = cell_value(item)
        changed = sheet.rows[item.cell.row][item.cell.col] != value
        sheet.rows[item.cell.row][item.cell.col] = value
        return changed

    settled = settle(read, write)
    if sheet.open_levels:
        _open_formulas(sheet, profile)
    for cell in typed_totals(_read_back(sheet)):  # a total typed without its parts stays as typed (derive)
        typed = sheet.sources.get(cell.address, cell)
        sheet.kept.append((cell.address, cell.where, typed_text(typed.raw)))
    submitted = {d.cell.address: d.cell for d in first if not d.cell.blank}
    final = None  # the template as laid out, read back (why a formula gives nothing yet)
    for item in settled:
        if not item.formula:
            continue
        sheet.derived_cells.add(item.cell.address)
        old = submitted.get(item.cell.address)
        typed = sheet.sources.get(item.cell.address, old)  # the submitted cell itself: its format too
        if old is not None and _differs(old, typed, item, profile):
            sheet.replaced.append((item.cell.address, old.where, old.raw, item.value))
            sheet.shown[item.cell.address] = _shown(typed, item)
            if item.value is None:
                final = final if final is not None else _read_back(sheet)
                sheet.shown[item.cell.address] = (sheet.shown[item.cell.address][0],
                                                  _not_yet(final, item.cell.address, profile))


LEVEL3_COL = 1 + next(c for c, f in enumerate(F.INDICATOR_COLUMNS) if f.key == "level3")  # after 绩效指标 in A


def _open_formulas(sheet: TemplateSheet, profile: Profile) -> None:
    """A blank template whose indicator rows have no 分值 (the unit sets them: 湖北, 保山) reads no indicator, so
    derive gives its 一级 headers and 总分 row no formula and nothing computed as the unit types.  Their formulas
    are derive's for the same sheet with every such row counted (a 分值 of 0 there), made blank-safe: a header
    shows its rows' total once one of them has a 分值 ("产出指标" until then, never "(0分)"), the 分值合计 once
    any row has one, the 总分 (derive's, blank until scored) and the 等级 as the unit fills the rows in."""
    probe = replace(sheet, rows=[list(row) for row in sheet.rows])
    for name, header, col, first, last in sheet.open_levels:
        hr, hc = parse_a1(header)
        probe.rows[hr][hc] = f"{name}\n(0分)"
        weight_col = parse_a1(f"{col}1")[1]
        for r in range(first - 1, last):
            probe.rows[r][weight_col] = 0
            probe.rows[r][LEVEL3_COL] = probe.rows[r][LEVEL3_COL] or "·"  # a 三级指标 name: the row counts
    form = _read_back(probe)
    items = {d.cell.address: d for d in derived(form, profile) if d.formula}
    counted = ",".join(f"{c}{a}:{c}{b}" for _, _, c, a, b in sheet.open_levels)
    for name, header, c, first, last in sheet.open_levels:
        text = name.replace('"', '""')
        sheet.formulas[header] = (f'="{text}"&IF(COUNT({c}{first}:{c}{last})=0,"",CHAR(10)&"("&SUM({c}{first}:'
                                  f'{c}{last})&"分)")')
        sheet.derived_cells.add(header)
    for key in ("total_weight", "total_score", "grade"):
        cell = getattr(form, key)
        item = items.get(cell.address) if cell is not None else None
        if item is None:
            continue
        formula = item.formula
        if key == "total_weight":  # blank until a row has a 分值 (the 执行率's alone is no 分值合计)
            formula = f'=IF(COUNT({counted})=0,"",{formula[1:]})'
        sheet.formulas[cell.address] = formula
        sheet.derived_cells.add(cell.address)
        if key != "grade":  # nothing to show until the unit types (the 等级 formula shows "等级：")
            sheet.rows[cell.row][cell.col] = None


def _differs(old: Cell, typed: Cell, item: Derived, profile: Profile) -> bool:
    """A submitted value that is not what the derived cell's formula gives, at the precision it was typed or
    formatted with (a rate: 86.19% is not 86.18%, 0.8619 shown as 86.2% is), as the check judges it."""
    from ..rules.base import stated_differs

    if isinstance(item.value, str):
        return norm_label(old.raw) != norm_label(cell_value(item))
    if item.value is None:
        return True
    return stated_differs(typed, item.value, item.kind, profile)


def _not_yet(form, address: str, profile: Profile) -> str:
    """What the command says of a derived cell whose formula gives nothing yet: why (the result's own reason, as
    the check gives it: "总分含执行率得分，而全年执行数、全年预算数未填写…", "得分 H18、H19 未填写") and that it
    fills in once that is typed."""
    from ..compute.results import results

    why = ""
    if isinstance(form, SelfEval):
        res = results(form, profile)
        cells = {"total_score": form.total_score, "grade": form.grade, "weight_total": form.total_weight,
                 "exec_rate": form.exec.get("rate"), "exec_score": form.exec.get("score")}
        key = next((k for k, c in cells.items() if c is not None and c.address == address), None)
        why = res.why(key).split("：", 1)[-1] if key else ""
    if why:
        return f"按表内数据算不出（{why}），补齐后自动计算"
    return "按表内数据暂时算不出（所需的数没有填），补齐后自动计算"


def _shown(typed: Cell, item: Derived) -> tuple[str, str]:
    """A replaced value and the formula's result as the user sees them: rates as percentages."""
    from ..rules.base import computed_rate, stated_rate

    if item.kind == "rate" and not isinstance(item.value, str):
        return stated_rate(typed), computed_rate(item.value, typed)
    return typed_text(typed.raw), "空" if item.value is None else _as_text(cell_value(item))


def build(data: TemplateData, projects: int = 1) -> list[TemplateSheet]:
    """All sheets of a template, laid out, with formulas and their current results."""
    sheets = [_info_sheet(data), _basic_sheet(data), _self_eval_sheet(data, F.DEPT, "附件2", data.dept)]
    count = max(projects, len(data.projects), 1)
    for i in range(count):
        name = "附件3" if count == 1 else f"附件3-{i + 1}"
        src = data.projects[i] if i < len(data.projects) else None
        sheets.append(_self_eval_sheet(data, F.PROJECT, name, src))
    sheets.append(_results_sheet())
    for sheet in sheets:
        if sheet.kind in ("basic_data", "dept_self_eval", "project_self_eval"):
            _settle(sheet, data.profile)
        for address in sheet.formulas:
            row, col = parse_a1(address)
            sheet.cached[address] = sheet.rows[row][col]
    return sheets


def _num(value) -> float | None:
    return num(Cell(value, 0, 0, ""))
