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

from dataclasses import dataclass, field

from . import forms as F
from .derive import derived
from .grid import Grid, parse_a1, parse_range
from .marks import INFO_SHEET, MARKER, RESULT_HEADER, RESULT_SHEET  # noqa: F401 (INFO_SHEET, MARKER: template API)
from .model import BasicData, Cell, SelfEval, Workbook, num
from .profiles import Profile
from .reader import Region, read_basic, read_self_eval
from .sheetspec import SheetSpec
from .scoring import grade, ratio
from .values import fmt_number

YEAR_REF = f"{INFO_SHEET}!$C$4"
UNIT_REF = f"{INFO_SHEET}!$C$5"

# 二级指标 and default 分值 of a blank template, by profile.
LEVELS = {
    "hunan": [
        ("产出指标", [("数量指标", 10), ("质量指标", 10), ("时效指标", 10)]),
        ("效益指标", [("经济效益指标", 10), ("社会效益指标", 10), ("生态效益指标", 5), ("可持续影响指标", 5)]),
        ("满意度指标", [("服务对象满意度指标", 10)]),
        ("成本指标", [("经济成本指标", 10), ("社会成本指标", 5), ("生态环境成本指标", 5)]),
    ],
    "national": [
        ("产出指标", [("数量指标", 15), ("质量指标", 15), ("时效指标", 10), ("成本指标", 10)]),
        ("效益指标", [("经济效益指标", 10), ("社会效益指标", 10), ("生态效益指标", 5), ("可持续影响指标", 5)]),
        ("满意度指标", [("服务对象满意度指标", 10)]),
    ],
}
INPUT_FILL = "FFF2CC"  # yellow: typed by the user
DERIVED_FILL = "DDEBF7"  # blue: computed (a formula, locked)
HEADER_FILL = "E7E6E6"  # grey: labels
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
    # results of the template's own formulas (titles aside), computed from the settled rows
    computed: dict[str, object] = field(default_factory=dict)  # A1 -> callable(rows) -> value
    # derived cells whose value carried over by --from differed from the formula: (A1, where, typed, computed)
    replaced: list[tuple[str, str, object, object]] = field(default_factory=list)


@dataclass
class TemplateData:
    year: int
    unit: str
    profile: Profile
    basic: BasicData | None = None
    dept: SelfEval | None = None
    projects: list[SelfEval] = field(default_factory=list)


def _typed(cell: Cell | None) -> bool:
    """Whether the user typed anything at all ("无" and "/" count: they are kept as typed)."""
    return cell is not None and cell.raw is not None and not (isinstance(cell.raw, str) and not cell.raw.strip())


def _value(cell: Cell | None):
    """A source cell's value for the template: its number when it is one, else its text as typed."""
    if not _typed(cell):
        return None
    number = None if cell.blank else cell.number
    return number if number is not None and cell.error is None else cell.raw


def _text(cell: Cell | None):
    """A text field as typed ("98%" and "无" stay text; a number stays a number)."""
    return cell.raw if _typed(cell) else None


def _rate_value(cell: Cell | None):
    if not _typed(cell):
        return None
    rate = None if cell.blank else cell.rate
    return rate if rate is not None else cell.raw


class Layout:
    """Rows being laid out for one sheet, with the roles of their cells."""

    def __init__(self, sheet: TemplateSheet, width: int):
        self.sheet = sheet
        self.width = width

    @property
    def row(self) -> int:
        """1-based number of the next row."""
        return len(self.sheet.rows) + 1

    def add(self, values: list, merges: list[str] = ()) -> int:
        row = self.row
        self.sheet.rows.append(list(values) + [None] * (self.width - len(values)))
        for m in merges:
            self.sheet.merges.append(m.replace("#", str(row)))
        return row

    def header(self, *addresses: str) -> None:
        self.sheet.headers.update(addresses)


# ------------------------------------------------------------------ 附件1


def _basic_sheet(data: TemplateData) -> TemplateSheet:
    year, src = data.year, data.basic
    sheet = TemplateSheet("附件1", [], kind="basic_data", print_rows="5:5", freeze="B6",
                          widths={"A": 34, "B": 14, "C": 14, "D": 14, "E": 14, "F": 14, "G": 14})
    lay = Layout(sheet, 7)
    title = F.BASIC.title.format(year=year)
    lay.add(["附件1"])
    r = lay.add([title], ["A#:G#"])
    sheet.title = f"A{r}"
    sheet.formulas[f"A{r}"] = f'={YEAR_REF}&"年度部门整体支出绩效评价基础数据表"'
    r = lay.add(["财政供养人员情况(人)", "编制数", f"{year}年实际在职人数", "控制率"])
    sheet.formulas[f"C{r}"] = f'={YEAR_REF}&"年实际在职人数"'
    lay.header(f"A{r}", f"B{r}", f"C{r}", f"D{r}")
    staff = src.staff if src else {}
    r = lay.add([None, _value(staff.get("establishment")), _value(staff.get("actual_staff")),
                 _rate_value(staff.get("staff_rate"))])
    sheet.amount_cells.update({f"B{r}", f"C{r}"})
    sheet.formats[f"D{r}"] = "0.00%"
    r = lay.add(["经费控制情况(万元)", f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数",
                 "控制率\n(决算÷预算)"])
    sheet.formulas[f"B{r}"] = f'=({YEAR_REF}-1)&"年决算数"'
    sheet.formulas[f"C{r}"] = f'={YEAR_REF}&"年预算数"'
    sheet.formulas[f"D{r}"] = f'={YEAR_REF}&"年决算数"'
    lay.header(*(f"{c}{r}" for c in "ABCDE"))
    cols = ("prev_actual", "budget", "actual")

    def fund_row(label, cells, key=None):
        values = [_value(cells.get(c)) if cells else None for c in cols]
        r = lay.add([label] + values)
        if key is None:  # a 专项 or other project row: its name is typed too
            sheet.text_inputs.add(f"A{r}")
        target = sheet.signed_cells if key == "basic_adjustment" else sheet.amount_cells
        target.update(f"{c}{r}" for c in "BCD")
        if key in ("sangong", "public_funds", "procurement"):
            sheet.formulas[f"E{r}"] = f'=IF(AND(ISNUMBER(C{r}),N(C{r})>0,ISNUMBER(D{r})),D{r}/C{r},"")'
            sheet.computed[f"E{r}"] = lambda rows, i=r - 1: ratio(_num(rows[i][3]), _num(rows[i][2]))
            sheet.formats[f"E{r}"] = "0.00%"
        return r

    for field_ in F.FUND_ROWS:
        row = src.rows.get(field_.key) if src else None
        fund_row(field_.label, row.cells if row else None, field_.key)
        if field_.key == "project_operation" and src:
            for other in src.project_others:
                fund_row(other.label, other.cells)
        if field_.key == "county_special":
            specials = src.specials if src else []
            for special in specials:
                fund_row(special.label, special.cells)
            for _ in range(1 if specials else BLANK_SPECIALS):
                fund_row(None, None)
    r = lay.add(["楼堂馆所控制情况\n(%d年完工项目)" % year] + [f.label for f in F.BUILDING_FIELDS])
    sheet.formulas[f"A{r}"] = f'="楼堂馆所控制情况"&CHAR(10)&"("&{YEAR_REF}&"年完工项目)"'
    lay.header(*(f"{c}{r}" for c in "ABCDEFG"))
    buildings = src.buildings if src and src.buildings else [None]
    for building in buildings:
        cells = building.cells if building else {}
        values = [(_rate_value if f.kind == "rate" else _value)(cells.get(f.key)) for f in F.BUILDING_FIELDS]
        r = lay.add([None] + values)
        sheet.amount_cells.update(f"{c}{r}" for c in "BCEF")
        sheet.formats.update({f"D{r}": "0.00%", f"G{r}": "0.00%"})
    r = lay.add([F.SAVING.label, _text(src.saving) if src else None], ["B#:G#"])
    sheet.text_inputs.add(f"B{r}")
    lay.header(f"A{r}")
    lay.add(["说明：“项目支出”需要填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品和服务支出。"],
            ["A#:G#"])
    r = lay.add(["填表人：", None, "填报日期：", None, "联系电话：", None, "单位负责人签字："])
    sheet.text_inputs.update({f"B{r}", f"D{r}", f"F{r}"})
    return sheet


# ------------------------------------------------------------ 附件2 / 附件3


def _indicator_groups(data: TemplateData, src: SelfEval | None):
    """[(一级 name, header text or None, [row values])] from the source, or the profile's defaults."""
    if src and src.indicators:
        groups = []
        for level in src.levels:
            rows = [[i.level2 or None, _text(i.level3), _text(i.target), _text(i.actual), _value(i.weight),
                     _value(i.score), _text(i.reason)] for i in level.indicators]
            stated = level.weight
            total = sum(num(i.weight) or 0 for i in level.indicators)
            fixed = None
            if stated is not None and abs(stated - total) > 0.005:
                fixed = f"{level.name}\n({fmt_number(stated)}分)"  # keep a header that disagrees with its rows
            groups.append((level.name, fixed, rows))
        return groups
    return [(name, None, [[l2, None, None, None, w, None, None] for l2, w in level2s])
            for name, level2s in LEVELS.get(data.profile.name, LEVELS["hunan"])]


def _self_eval_sheet(data: TemplateData, spec: F.FormSpec, name: str, src: SelfEval | None) -> TemplateSheet:
    year, profile = data.year, data.profile
    dept = spec is F.DEPT
    sheet = TemplateSheet(name, [], kind=spec.kind, landscape=True, freeze="A4",
                          widths={"A": 10, "B": 16, "C": 16, "D": 26, "E": 22, "F": 22, "G": 9, "H": 9, "I": 18})
    lay = Layout(sheet, 9)
    lay.add([spec.annex])
    suffix = "部门整体支出绩效自评表" if dept else "项目支出绩效自评表"
    r = lay.add([spec.title.format(year=year)], ["A#:I#"])
    sheet.title = f"A{r}"
    sheet.formulas[f"A{r}"] = f'={YEAR_REF}&"年度{suffix}"'
    head = src.head if src else {}
    if dept:
        r = lay.add(["预算部门\n名称", data.unit or None], ["B#:I#"])
        sheet.formulas[f"B{r}"] = f"={UNIT_REF}"
        lay.header(f"A{r}")
    else:
        r = lay.add(["项目支出名称", _text(head.get("project_name"))], ["B#:I#"])
        sheet.text_inputs.add(f"B{r}")
        lay.header(f"A{r}")
        authority = _text(head.get("authority"))
        own = authority is not None and str(authority).strip() != (data.unit or "").strip()
        r = lay.add(["主管部门", authority if own else data.unit or None, None, None, "实施\n单位",
                     _text(head.get("implementer"))], ["B#:D#", "F#:I#"])
        if own:  # --from: a 主管部门 other than the unit is kept as typed
            sheet.text_inputs.add(f"B{r}")
        else:
            sheet.formulas[f"B{r}"] = f"={UNIT_REF}"
        sheet.text_inputs.add(f"F{r}")
        lay.header(f"A{r}", f"E{r}")
    ex = src.exec if src else {}
    section = lay.row
    r = lay.add(["年度预算申请(万元)" if dept else "项目资金(万元)", None, "年初\n预算数", "全年\n预算数", "全年\n执行数",
                 "分值", "执行率", "得分"])
    lay.header(*(f"{c}{r}" for c in "ABCDEFGH"))
    weight = _value(ex.get("weight"))
    r = lay.add([None, "年度资金总额", _value(ex.get("initial")), _value(ex.get("full")), _value(ex.get("executed")),
                 profile.exec_weight if weight is None and not src else weight,
                 _rate_value(ex.get("rate")), _value(ex.get("score"))])
    lay.header(f"B{r}")
    sheet.amount_cells.update({f"C{r}", f"D{r}", f"E{r}", f"F{r}"})
    sheet.formats[f"G{r}"] = "0.00%"
    if dept:
        parts = src.breakdown if src else {}
        pairs = [("income_total", "expense_total"), ("general", "basic"), ("gov_fund", "project"),
                 ("special_nontax", None), ("other", None)]
        labels = {f.key: f.label for f in F.DEPT_INCOME + F.DEPT_EXPENSE}
        for left, right in pairs:
            values = [None, labels[left], None, _value(parts.get(left))]
            merges = ["B#:C#"]
            if right:
                values += [labels[right], None, None, _value(parts.get(right))]
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
            r = lay.add([None, label] + [_value(cells.get(c)) for c in ("initial", "full", "executed")])
            lay.header(f"B{r}")
            sheet.amount_cells.update({f"C{r}", f"D{r}", f"E{r}"})
    sheet.merges.append(f"A{section}:A{lay.row - 1}")
    goals = src.goals if src else {}
    r = lay.add(["年度总体目标", "预期目标", None, None, None, "实际完成情况"], ["B#:E#", "F#:I#"])
    lay.header(f"A{r}", f"B{r}", f"F{r}")
    r2 = lay.add([None, _text(goals.get("expected")), None, None, None, _text(goals.get("achieved"))],
                 ["B#:E#", "F#:I#"])
    sheet.merges.append(f"A{r}:A{r2}")
    sheet.text_inputs.update({f"B{r2}", f"F{r2}"})
    head_row = lay.add(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                        "偏差原因\n分析及\n改进措施"])
    lay.header(*(f"{c}{head_row}" for c in "ABCDEFGHI"))
    sheet.print_rows = f"{head_row}:{head_row}"
    level_rows = []
    for level_name, fixed, rows in _indicator_groups(data, src):
        first = lay.row
        for i, values in enumerate(rows):
            r = lay.add([None, fixed or level_name if i == 0 else None] + values)
            sheet.text_inputs.update({f"C{r}", f"D{r}", f"E{r}", f"F{r}", f"I{r}"})
            sheet.amount_cells.add(f"G{r}")
            sheet.score_checks.append((f"H{r}", f"G{r}"))
        last = lay.row - 1
        if last > first:
            sheet.merges.append(f"B{first}:B{last}")
        level_rows.append((level_name, fixed, first, last))
    sheet.merges.append(f"A{head_row}:A{lay.row - 1}")
    total = lay.add(["总分", None, None, None, None, None, None, None, None], ["A#:F#"])
    lay.header(f"A{total}")
    for level_name, fixed, first, last in level_rows:
        lay.header(f"B{first}")
        if fixed is None:
            sheet.formulas[f"B{first}"] = f'="{level_name}"&CHAR(10)&"("&SUM(G{first}:G{last})&"分)"'
            sheet.computed[f"B{first}"] = lambda rows, n=level_name, a=first, b=last: (
                f"{n}\n({fmt_number(sum(_num(rows[i][6]) or 0 for i in range(a - 1, b)))}分)")
            sheet.rows[first - 1][1] = sheet.computed[f"B{first}"](sheet.rows)
    sheet.formulas[f"I{total}"] = (f'="等级："&IF(ROUND(H{total},2)>=90,"优",IF(ROUND(H{total},2)>=80,"良",'
                                   f'IF(ROUND(H{total},2)>=60,"中","差")))')
    sheet.computed[f"I{total}"] = lambda rows, i=total - 1: f"等级：{grade(_num(rows[i][7]) or 0)}"
    return sheet


def _info_sheet(data: TemplateData) -> TemplateSheet:
    sheet = TemplateSheet(INFO_SHEET, [], kind="info", widths={"A": 4, "B": 16, "C": 60})
    lay = Layout(sheet, 3)
    lay.add([MARKER])
    lay.add([None])
    lay.add([None, "基本信息"])
    r = lay.add([None, "年度", data.year])
    sheet.inputs.add(f"C{r}")
    r = lay.add([None, "单位名称", data.unit or None])
    sheet.text_inputs.add(f"C{r}")
    r = lay.add([None, "评分口径", data.profile.name])
    lay.add([None, None, f"{data.profile.label}：执行率 {fmt_number(data.profile.exec_weight)} 分，" + "，".join(
        f"{k} {fmt_number(v)} 分" for k, v in data.profile.level1.items())])
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
    spec = F.DEPT if sheet.kind == "dept_self_eval" else F.PROJECT
    return read_self_eval(region, spec, sheet.rows[1][0])


def _settle(sheet: TemplateSheet, profile: Profile) -> None:
    """Give every derived cell its formula, and compute all results until they are stable.

    A derived cell never keeps a typed value, not even one carried over by
    ``--from``: where the submission's value differs from the formula's result
    it is recorded in ``sheet.replaced`` so the command can say so.
    """
    formulas = None
    submitted: dict[str, Cell] = {}
    for _ in range(6):
        form = _read_back(sheet)
        items = derived(form, profile)
        if formulas is None:
            formulas = {d.cell.address for d in items if d.formula}
            submitted = {d.cell.address: d.cell for d in items if d.formula and not d.cell.blank}
        changed = False
        for item in items:
            if item.cell.address not in formulas:
                continue
            sheet.formulas[item.cell.address] = item.formula
            row, col = item.cell.row, item.cell.col
            if sheet.rows[row][col] != item.value:
                sheet.rows[row][col] = item.value
                changed = True
        if not changed:
            break
    for item in derived(_read_back(sheet), profile):
        if item.formula:
            sheet.derived_cells.add(item.cell.address)
        old = submitted.get(item.cell.address)
        if old is not None and item.formula:
            found = old.rate if item.kind == "rate" else old.number
            if found is None or item.value is None or abs(found - float(item.value)) > 0.005:
                sheet.replaced.append((item.cell.address, old.where, old.raw, item.value))


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
            if address in sheet.computed:
                sheet.rows[row][col] = sheet.computed[address](sheet.rows)
            sheet.cached[address] = sheet.rows[row][col]
    return sheets


def _as_text(value) -> str:
    return fmt_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _num(value) -> float | None:
    return num(Cell(value, 0, 0, ""))


def data_from(book: Workbook | None, year: int | None, unit: str | None, profile: Profile) -> TemplateData:
    basic = (book.of_kind("basic_data") or [None])[0] if book else None
    dept = (book.of_kind("dept_self_eval") or [None])[0] if book else None
    projects = book.of_kind("project_self_eval") if book else []
    if year is None and book:
        years = [f.year for f in book.forms if f.year]
        year = max(set(years), key=years.count) if years else None
    if unit is None and book:  # the name as typed, even "无"
        if dept is not None and _typed(dept.head.get("dept_name")):
            unit = _as_text(dept.head["dept_name"].raw)
        elif projects and _typed(projects[0].head.get("authority")):
            unit = _as_text(projects[0].head["authority"].raw)
    from datetime import date

    return TemplateData(year or date.today().year - 1, unit or "", profile, basic, dept, projects)

