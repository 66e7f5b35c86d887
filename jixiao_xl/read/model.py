"""What the reader hands to the rules: plain values that remember their cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..xlsx.grid import a1
from .values import NotANumber, convert, is_blank, is_mark, to_number, to_rate, value_unit


class _Unread(Enum):  # an enum member, so that a pickled cell keeps it as the same object
    UNREAD = 0


_UNREAD = _Unread.UNREAD  # a parsed value not worked out yet (None is a blank cell's number)


@dataclass(slots=True)
class Cell:
    """One value read from a form.

    ``where`` names it for people ("“三公”经费 2022年决算数"); ``raw`` is what
    the cell held (for a "label：value" cell, just the value part, the label
    kept in ``prefix``); ``row``/``col`` are 0-based.  Numbers are parsed lazily by
    ``number``/``rate`` and a cell that cannot be parsed records ``error``.
    """

    raw: object
    row: int
    col: int
    where: str
    error: str | None = None
    prefix: str = ""  # "按收入性质分：" when the value shares its cell with the label
    percent: bool | None = None  # the cell is formatted as a percentage (None: format not known)
    unit: str | None = None  # the form's amount unit, for amounts: "830,000元" in a 万元 table is 83
    # a number typed as text ("11.8万元") in a cell a formula of the sheet sums: Excel skips it, so it
    # reads as no number (``skipped`` keeps the number it would be, for the finding that says so)
    skipped: float | None = None
    # how its number format shows a number: (fewest, most) decimals, in percentage points when ``percent``; None
    # when not known or General (the number shows as typed).  Asked only for the rate cells; until a rule asks, a
    # ``reader.PendingFormats`` that reads them from the file (``rules.base.shown_tolerance`` resolves it)
    shown: tuple[int, int] | None = None
    # worked out once, on first use (slots: a cell is made and read hundreds of times a workbook)
    _address: str | None = field(default=None, init=False, repr=False, compare=False)
    _blank: bool | None = field(default=None, init=False, repr=False, compare=False)
    _number: object = field(default=_UNREAD, init=False, repr=False, compare=False)
    _rate: object = field(default=_UNREAD, init=False, repr=False, compare=False)

    @property
    def address(self) -> str:
        cached = self._address
        if cached is None:
            cached = self._address = a1(self.row, self.col)
        return cached

    @property
    def blank(self) -> bool:
        cached = self._blank
        if cached is None:
            cached = self._blank = is_blank(self.raw)
        return cached

    @property
    def text(self) -> str:
        return "" if self.blank else str(self.raw).strip()

    def _parse(self, parser):
        try:
            return parser(self.raw)
        except NotANumber:
            self.error = f"“{self.raw}”不是数字"
            return None

    # parsed once per cell
    @property
    def number(self) -> float | None:
        value = self._number
        if value is _UNREAD:
            raw = self.raw
            if raw.__class__ is float and raw - raw == 0:  # most cells: a finite float, no unit typed
                self._number = raw
                return raw
            value = self._parse(to_number)
            if value is not None and self.unit is not None:
                typed = value_unit(self.raw)
                if typed and typed != self.unit:
                    value = convert(value, typed, self.unit)
            self._number = value
        return value

    @property
    def rate(self) -> float | None:
        value = self._rate
        if value is _UNREAD:
            value = self._rate = self._parse(to_rate)
        return value


def num(cell: Cell | None) -> float | None:
    if cell is None:
        return None
    value = cell._number  # the parsed number once known (hot: ~1,000 calls a workbook)
    return cell.number if value is _UNREAD else value


def num0(cell: Cell | None) -> float:
    """A number where blank counts as 0 (sums such as 三公 = 车 + 出国 + 接待)."""
    value = num(cell)
    return 0.0 if value is None else value


@dataclass
class FundRow:
    key: str  # a FUND_ROWS key, or "special" for a 专项 item, "project_other"
    label: str
    row: int
    cells: dict[str, Cell]  # by column key: prev_actual, budget, actual
    rate: Cell | None = None  # its 控制率 (决算 ÷ 预算), when the funds header has that column
    extra: dict[str, Cell] = field(default_factory=dict)  # forms.fund_notes() columns (备注 …), by key


@dataclass
class Building:
    row: int
    cells: dict[str, Cell]


@dataclass
class BasicData:
    """附件1 基础数据表."""

    sheet: str
    title: str
    year: int | None
    staff: dict[str, Cell] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # column key -> header text
    rows: dict[str, FundRow] = field(default_factory=dict)
    specials: list[FundRow] = field(default_factory=list)
    project_others: list[FundRow] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    saving: Cell | None = None
    missing: list[str] = field(default_factory=list)  # labels the reader did not find
    absent: list[str] = field(default_factory=list)  # rows not every template prints (``Field.core``), not found
    signature: list[str] = field(default_factory=list)  # labels it was recognised by, when it had no title
    unit: str = "万元"  # amount unit the form declares (default: the official 万元)
    formula_cells: set[str] = field(default_factory=set)  # A1 of the sheet's formula cells (.xlsx)

    kind = "basic_data"

    def cell(self, row_key: str, col_key: str) -> Cell | None:
        row = self.rows.get(row_key)
        return row.cells.get(col_key) if row else None


@dataclass
class Indicator:
    row: int
    level1: str
    level2: str
    level3: Cell
    target: Cell
    actual: Cell
    weight: Cell | None  # None: the form has no 分值/权重 column (the 一级 headers state the weights)
    score: Cell | None  # None: the form has no 得分 column (an unscored form)
    reason: Cell | None
    extra: dict[str, Cell] = field(default_factory=dict)  # columns of INDICATOR_COLUMNS no rule reads, by key
    # the indicator's key across years (store.records.indicator_key), made once: the store's figures and the
    # H rules both ask for it
    store_key: str | None = field(default=None, init=False, repr=False, compare=False)

    def column(self, key: str) -> Cell | None:
        """The cell under a column of ``forms.INDICATOR_COLUMNS`` (level1/level2 are names, not cells)."""
        return self.extra[key] if key in self.extra else getattr(self, key, None)

    @property
    def name(self) -> str:
        return self.level3.text or self.level2 or self.level1

    @property
    def not_applicable(self) -> bool:
        """The row is marked not applicable: its 分值 (its 得分 when the form has no 分值 column) holds an empty mark
        typed ("/", "无", "—"; 天长 2022's 生态效益 row), and neither 分值 nor 得分 holds a number."""
        stated = self.weight if self.weight is not None else self.score
        return stated is not None and is_mark(stated.raw) and all(
            c is None or c.blank for c in (self.weight, self.score))


@dataclass
class Group:
    """A 三级 row with rows under it in the same 二级指标 (``read.groups``): numbered items ("一、示范区建立" over
    "1、…", "2、…", 云南 隆阳) or parts ("★补助种植面积" over "其中桃树…", 安徽 萧县).

    ``kind`` says which rows count (each is counted once in the sums):
    "subtotal": the head's 分值 (得分 when the form has no 分值 column) is its items' sum: the items count, the head
    is their subtotal (a derived cell); "heading": the head has neither 分值 nor 得分, the items count; "parts": the
    items have neither, the head counts; "unsure": both have numbers that do not add up, every row counts as read
    and the sums that depend on it are not judged (W110 says why)."""

    head: Indicator
    items: list[Indicator]
    kind: str
    column: str = ""  # "weight" / "score": the column whose sums decided a subtotal or left it unsure

    @property
    def counted(self) -> list[Indicator]:
        if self.kind == "parts":
            return [self.head]
        return list(self.items) if self.kind in ("subtotal", "heading") else [self.head, *self.items]

    @property
    def aside(self) -> list[Indicator]:
        """The rows of the group that are not indicators of their own."""
        if self.kind == "parts":
            return list(self.items)
        return [self.head] if self.kind in ("subtotal", "heading") else []


@dataclass
class Level1:
    """A 一级指标 band: its header cell, stated total ("(30分)") and rows."""

    name: str  # "" when the header states only its weight ("(50分)") and no cell above names it
    header: Cell
    weight: float | None
    indicators: list[Indicator] = field(default_factory=list)  # the rows that count, each once
    # the cell stating the weight when it is not the header: the name in a cell of the 一级 column, "(50分)" in
    # the next one below it
    weight_cell: Cell | None = None
    # its rows that are no indicator of their own (``Group.aside``: a subtotal or heading over numbered items, the
    # "其中" parts of an indicator): shown and laid out, never counted
    aside: list[Indicator] = field(default_factory=list)

    @property
    def rows(self) -> list[Indicator]:
        """Every row of the band in sheet order, the ones set aside included."""
        return sorted(self.indicators + self.aside, key=lambda i: i.row) if self.aside else self.indicators

    @property
    def stated_at(self) -> Cell:
        """The cell that states the weight (a message about it points there)."""
        return self.weight_cell or self.header


@dataclass
class Level2Weight:
    """A 二级指标 whose 分值 the form prints in a column of its own (海南 服务贸易: 一级指标 | 分值 | 二级指标 | 分值 |
    三级指标 | 分值 | 得分): its name, the 分值 cell, and the 三级 rows under it (W111 adds up their 分值)."""

    name: str
    cell: Cell
    weight: float
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class SelfEval:
    """附件2 部门整体支出绩效自评表 or 附件3 项目支出绩效自评表."""

    kind: str  # dept_self_eval | project_self_eval
    sheet: str
    title: str
    year: int | None
    head: dict[str, Cell] = field(default_factory=dict)  # dept_name / project_name ...
    exec: dict[str, Cell] = field(default_factory=dict)  # 年度资金总额 row by column key
    exec_columns: dict[str, int] = field(default_factory=dict)
    # the 执行率's denominator as the form defines it: 全年预算数, or 年初预算数 where the header says so (北京 2016
    # "年初预算数(A) … 执行率(B/A)", no 全年预算数 column); form.exec["full"] then holds the 年初预算数
    exec_base: str = "全年预算数"
    exec_base_header: str = ""  # the headings that define it so: "“年初预算数(A)”“执行率(B/A)”"
    exec_notes: dict[str, Cell] = field(default_factory=dict)  # 年度资金总额 row, text columns (备注 …) by key
    exec_indicator: Indicator | None = None  # the 三级指标 that scores the 执行率 (宁夏 项目管理/预算执行率)
    breakdown: dict[str, Cell] = field(default_factory=dict)  # 附件2 income/expense parts
    sources: dict[str, dict[str, Cell]] = field(default_factory=dict)  # 附件3 rows by column
    source_labels: dict[str, str] = field(default_factory=dict)  # 附件3 source key -> label as shown
    unknown_sources: list[Cell] = field(default_factory=list)  # labels under 年度资金总额 that name no source
    goals: dict[str, Cell] = field(default_factory=dict)
    levels: list[Level1] = field(default_factory=list)
    level2_weights: list[Level2Weight] = field(default_factory=list)  # 二级 分值 printed in a column of their own
    total_weight: Cell | None = None
    total_score: Cell | None = None
    grade: Cell | None = None  # 等级 as stated ("等级：优"), when the form has one
    unread_weights: list[Cell] = field(default_factory=list)  # 一级 headers whose "(30分)" could not be read
    # False: no 一级 header states a weight (the national 10号 form prints none): their sums cannot be checked
    level_weights_printed: bool = True
    # the weight of all indicators together as the form states it ("绩效指标(90分)", "年度绩效目标(80分)")
    indicators_weight: Cell | None = None
    # False: the form has no 分值/权重/得分 anywhere (县级专项资金绩效目标自评表): its scores are absent, not 0
    scored: bool = True
    notes: str = ""  # every other text on the form (explanations)
    missing: list[str] = field(default_factory=list)  # labels the reader did not find
    signature: list[str] = field(default_factory=list)  # labels it was recognised by, when it had no title
    unit: str = "万元"  # amount unit the form declares (default: the official 万元)
    formula_cells: set[str] = field(default_factory=set)  # A1 of the sheet's formula cells (.xlsx)
    groups: list[Group] = field(default_factory=list)  # 三级 rows with rows under them (``read.groups``)
    # the year the workbook's other forms state when this one states none (an untitled 附件3 beside a
    # "2023年度" 附件1): a deadline written without a year ("12月底前") falls in it
    book_year: int | None = None

    @property
    def indicators(self) -> list[Indicator]:
        """The rows that count, each once (a group's subtotal or its "其中" parts left out: ``Group``)."""
        return [ind for level in self.levels for ind in level.indicators]

    @property
    def all_rows(self) -> list[Indicator]:
        """Every 三级 row in sheet order, the ones set aside included."""
        return [ind for level in self.levels for ind in level.rows]

    @property
    def unsure_groups(self) -> list[Group]:
        return [g for g in self.groups if g.kind == "unsure"]

    @property
    def name(self) -> str:
        key = "dept_name" if self.kind == "dept_self_eval" else "project_name"
        cell = self.head.get(key)
        return cell.text if cell else ""


@dataclass
class SetAside:
    """A table that looks like a form by its labels but is another one (a 绩效目标表, see ``forms.TARGETS``):
    not read, not checked, named (S006)."""

    sheet: str
    title: str  # its title as printed ("" when it has none)
    address: str  # its title's cell, else its indicator heading's


@dataclass
class UnreadSheet:
    """A sheet named for a form (附件2, 项目支出…) that holds something, but no form was found on it: not
    checked, named (S007) so that a form lost to its layout is not passed over in silence."""

    sheet: str
    why: str  # what was found instead, for people ("" when nothing more can be said)
    address: str


@dataclass
class Workbook:
    """Every form found in one workbook, in sheet order."""

    path: str
    forms: list  # BasicData | SelfEval
    hidden_sheets: list[str] = field(default_factory=list)
    uncached: dict[str, list[str]] = field(default_factory=dict)  # sheet -> formulas saved without a result
    far_cells: dict[str, list[str]] = field(default_factory=dict)  # sheet -> cells far outside the forms, unread
    set_aside: list[SetAside] = field(default_factory=list)  # tables taken for no form (绩效目标表)
    # our template's 评分口径 as its 填表说明 states it (forms.INFO_PROFILE: a profile's label or name, or
    # forms.PROFILE_UNKNOWN); None: not our template (the profile is chosen from the forms, detect.choose)
    stated_profile: str | None = None
    unread_sheets: list[UnreadSheet] = field(default_factory=list)  # sheets named for a form, none found on them
    # sheet -> values merged ranges hide, not read (Grid.covered: A1, value, the range's A1)
    covered: dict[str, list[tuple[str, object, str]]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list:
        return [f for f in self.forms if f.kind == kind]
