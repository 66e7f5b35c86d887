"""The layout of each annex table, as data.

One description serves the reader (labels to look for), the checks (which
rows add up to which) and, later, the template writer (labels to print).
Labels are the official Chinese text; ``match`` keys are those labels
normalised (see ``values.label_key``) so that spacing, line breaks, numbering
and full-width punctuation never matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .values import drop_weight_decoration, norm_label, strip_enum


_YEAR_PREFIX = re.compile(r"^(?:\d{4}|\{year\}|\{prev\})年度?")


def label_key(text: object) -> str:
    """The key a label is compared by: normalised, without numbering, a leading
    year ("2023年实际在职人数" -> "实际在职人数"), a trailing colon or what stands between a heading's words and
    its weight ("年度绩效目标1(80分)" -> "年度绩效目标(80分)", ``values.WEIGHT_DECORATIONS``)."""
    if isinstance(text, str):
        return _label_key(text)
    return _label_key(str(text)) if text is not None else ""


@lru_cache(maxsize=8192)
def _label_key(text: str) -> str:
    return _YEAR_PREFIX.sub("", strip_enum(drop_weight_decoration(norm_label(text)))).rstrip(":")


_TRAILING_NOTE = re.compile(r"[(（][^()（）]*[)）]$")


@lru_cache(maxsize=8192)
def _display(text: str) -> str:
    label = re.sub(r"\s+", "", text)
    label = _YEAR_PREFIX.sub("", strip_enum(label)).rstrip(":：")
    return _TRAILING_NOTE.sub("", label) or label


def display_label(text: object) -> str:
    """A label for messages: no spaces, numbering, year prefix, colon or trailing note."""
    return _display(str(text or ""))


def key_matches(key: str, keys: tuple[str, ...]) -> bool:
    """A label key matches a wanted key exactly, or with a parenthetical note after it."""
    for want in keys:
        if key == want or (key.startswith(want) and key[len(want)] == "("):
            return True
    return False


def label_matches(text: object, keys: tuple[str, ...]) -> bool:
    """A label (as typed) matches one of the keys."""
    key = label_key(text)
    return bool(key) and key_matches(key, keys)


@dataclass(frozen=True)
class Field:
    """A labelled value: ``label`` is printed (line breaks as the template prints it; they never matter
    to the reader), ``keys`` are what the reader accepts."""

    key: str
    label: str
    section: str
    kind: str = "amount"  # amount | rate | count | text | weight | score
    aliases: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # this value = sum of these (per column)
    at_least: tuple[str, ...] = ()  # this value >= sum of these
    derived: bool = False
    rated: bool = False  # 附件1: the row's 控制率 (决算 ÷ 预算) is derived, in the funds' rate column
    items: bool = False  # 附件1: the rows under it that name no field are its items (one 专项 a row), its parts
    open: bool = False  # 附件1: rows among its parts that name no field are parts too (other 项目支出)
    width: float | None = None  # a column heading: the template's column width (None: DEFAULT_WIDTH)
    printed: bool = True  # a column heading: the template prints the column (False: read when a form has it)
    core: bool = True  # a row every known template prints (False: read when a form has it, its absence no warning)

    def __post_init__(self):
        keys = (label_key(self.label),) + tuple(label_key(a) for a in self.aliases)
        # "县级专项资金(一个专项一行)" is found as "县级专项资金" with or without its note.
        object.__setattr__(self, "keys", tuple(dict.fromkeys(_TRAILING_NOTE.sub("", k) or k for k in keys)))

    def matches(self, text: object) -> bool:
        return label_matches(text, self.keys)

    @property
    def short(self) -> str:
        """The label as a message names it: “三公”经费, not "1、" or line breaks."""
        return display_label(self.label)


# Title wordings (matched on the normalised text, see ``values.norm_label``).  A title cell may carry an
# annex number of any kind before it ("附件2", "附表3-1：", "附件二、"), a year and the unit's name, and a
# note in brackets after it ("（单位：万元）"); nothing else, so that a sentence or a note that only
# mentions a form ("注：各项目另填项目支出绩效自评表") never starts one.
_ANNEX = r"(?:附[件表][0-9一二三四五六七八九十]*(?:[-_—.][0-9]+)*[:、.]?|[0-9一二三四五六七八九十]+[、.])?"
_FREE = r"[^,，。;；:：、()“”\[\]]{0,40}?"  # year, unit name: no sentence punctuation
_NOTE = r"(?:\([^()]*\)|\[[^\[\]]*\]|(?:填报|编制)?(?:金额)?单位(?:名称)?:[^,，。;；]{0,30}?|填报日期:[^,，。;；]{0,20}?)*"
_WHOLE = r"(?:部门|单位|预算单位|部门\(单位\)|单位\(部门\))?整体(?:支出)?绩效"


# The rows right above a title that are still its form's head: the 附件 line, which may state the amount unit
# ("附件3　　金额单位：元", or "单位：元" at its right end); the unit is read there as under the title. Never rows
# of the form above it on the same sheet.
HEAD_ABOVE = 2


def _title_pattern(core: str) -> re.Pattern:
    return re.compile(f"^{_ANNEX}{_FREE}{core}{_NOTE}(?:[-—_][^,，。;；:：]{{0,30}})?$")


@dataclass(frozen=True)
class FormSpec:
    kind: str  # basic_data | dept_self_eval | project_self_eval
    annex: str  # 附件1
    title: str  # with {year}
    title_key: str  # the official wording, for messages
    title_core: str = ""  # regular expression of the accepted wordings (without annex number, year, note)

    def recognises(self, text: object) -> bool:
        """A title of this form: the cell says (almost) only that, in any of the accepted wordings."""
        if not isinstance(text, str) or "表" not in text or len(text) > 120:
            return False
        return bool(_title_pattern(self.title_core).match(norm_label(text)))


# ---------------------------------------------------------------- 附件1 基础数据表

BASIC = FormSpec("basic_data", "附件1", "{year}年度部门整体支出绩效评价基础数据表", "部门整体支出绩效评价基础数据表",
                 _WHOLE + r"(?:评价)?基础数据表")

STAFF_HEADER = Field("staff_header", "财政供养人员情况(人)", "staff", "text", aliases=("财政供养人员情况",))
STAFF_FIELDS = (
    Field("establishment", "编制数", "staff", "count"),
    Field("actual_staff", "{year}年实际在职人数", "staff", "count", aliases=("实际在职人数",)),
    Field("staff_rate", "控制率", "staff", "rate", derived=True),
)

FUNDS_HEADER = Field("funds_header", "经费控制情况(万元)", "funds", "text", aliases=("经费控制情况",), width=34)
# The funds table's columns. The amounts are found by how their headings end (决算数/预算数, the year before
# them varies); any other entry (kind "text", e.g. a province's 备注) by its heading. The template prints the
# amounts, then the 控制率 (FUND_RATE), then the other entries, each BASIC_WIDTH wide unless it says otherwise.
FUND_COLUMNS = (
    Field("prev_actual", "{prev}年决算数", "funds"),
    Field("budget", "{year}年预算数", "funds"),
    Field("actual", "{year}年决算数", "funds"),
)

FUND_ROWS = (
    Field("sangong", "“三公”经费", "funds", parts=("car", "abroad", "reception"), aliases=("三公经费支出",),
          rated=True),
    Field("car", "1、公务用车购置和维护经费", "funds", parts=("car_purchase", "car_operation"),
          aliases=("公务用车购置及运行维护费", "公务用车购置及运行费")),
    Field("car_purchase", "其中：公车购置", "funds", aliases=("公务用车购置", "公务用车购置费")),
    Field("car_operation", "公车运行维护", "funds", aliases=("公务用车运行维护费", "公务用车运行费")),
    Field("abroad", "2、出国经费", "funds", aliases=("因公出国(境)经费", "因公出国(境)费", "出国(境)经费")),
    Field("reception", "3、公务接待", "funds", aliases=("公务接待费",)),
    Field("project", "项目支出：", "funds", open=True,
          parts=("project_business", "project_operation", "county_special"), aliases=("项目支出合计",)),
    # 业务工作经费 … 县级专项资金 and 部门基本支出预算调整 are not printed by every year's template (衡山 2023
    # prints "省级专项资金(每个专项一行)"): read when there, their absence is not an edit of the headers
    Field("project_business", "1、业务工作经费", "funds", core=False),
    Field("project_operation", "2、运行维护经费", "funds", core=False),
    Field("county_special", "3、县级专项资金\n(一个专项一行)", "funds", aliases=(
        "专项资金", "县级专项", "省级专项资金", "市级专项资金"), items=True, core=False),
    Field("public_funds", "公用经费", "funds", at_least=("office", "utilities_travel", "meeting_training"),
          rated=True),
    Field("office", "其中：办公经费", "funds"),
    Field("utilities_travel", "水费、电费、差旅费", "funds"),
    Field("meeting_training", "会议费、培训费", "funds"),
    Field("procurement", "政府采购金额", "funds", rated=True),
    Field("basic_adjustment", "部门基本支出预算调整", "funds", core=False),
)
FUND_ROW = {f.key: f for f in FUND_ROWS}
# the funds header's 控制率 column (the template has it; the official 附件1 does not): derived in ``rated`` rows
FUND_RATE = Field("rate", "控制率\n(决算÷预算)", "funds", "rate", derived=True, aliases=("控制率",))
# Rows between 县级专项资金 and 公用经费 that match no field are its 专项 items (``items``);
# unknown rows between 项目支出 and 县级专项资金 are other parts of 项目支出 (``open``).


def sums_inner_first() -> list[Field]:
    """The fund rows that are sums (of parts or items), each after the sums among its parts (公务用车
    before 三公, 县级专项 before 项目支出), in the order of ``FUND_ROWS`` otherwise."""
    rows = {f.key: f for f in FUND_ROWS}
    out: list[Field] = []

    def visit(f: Field) -> None:
        for part in f.parts:
            if part in rows:
                visit(rows[part])
        if (f.parts or f.items) and f not in out:
            out.append(f)

    for f in FUND_ROWS:
        visit(f)
    return out


def open_rows() -> set[str]:
    """Keys of the rows after which a row that names no field is another part of an ``open`` sum."""
    rows = {f.key: f for f in FUND_ROWS}
    return {k for f in FUND_ROWS if f.open for k in (f.key,) + f.parts if k in rows and not rows[k].items}


def others_after() -> set[str]:
    """Keys of the rows after which an ``open`` sum's other parts are listed (after its last named part)."""
    rows = {f.key: f for f in FUND_ROWS}
    return {([f.key] + [p for p in f.parts if p in rows and not rows[p].items])[-1] for f in FUND_ROWS if f.open}


def row_after(key: str) -> str | None:
    """The field that follows a row in ``FUND_ROWS`` (where a row's items end)."""
    keys = [f.key for f in FUND_ROWS]
    i = keys.index(key)
    return keys[i + 1] if i + 1 < len(keys) else None


BASIC_WIDTH = 14  # 附件1: the width of every column right of the labels, unless its heading's field says


def fund_amounts() -> tuple[Field, ...]:
    """The amount columns of the funds table (决算/预算): summed, rated, checked."""
    return tuple(f for f in FUND_COLUMNS if f.kind == "amount")


def fund_notes() -> tuple[Field, ...]:
    """The funds table's other columns (a province's 备注 …): typed, read by heading, checked by nothing."""
    return tuple(f for f in FUND_COLUMNS if f.kind != "amount")


BUILDING_HEADER = Field("building_header", "楼堂馆所控制情况\n({year}年完工项目)", "building", "text",
                        aliases=("楼堂馆所控制情况",))
BUILDING_FIELDS = (
    Field("approved_area", "批复规模(m²)", "building", "count", aliases=("批复规模",)),
    Field("actual_area", "实际规模(m²)", "building", "count", aliases=("实际规模",)),
    Field("area_rate", "规模控制率", "building", "rate", derived=True),
    Field("budget_investment", "预算投资\n(万元)", "building", aliases=("预算投资",)),
    Field("actual_investment", "实际投资(万元)", "building", aliases=("实际投资",)),
    Field("investment_rate", "投资概算控制率", "building", "rate", derived=True),
)
SAVING = Field("saving", "厉行节约保障措施", "saving", "text")
# Below 附件1: a note, then the signature line; a row starting with one of END_OF_FUNDS ends the funds table.
BASIC_NOTE = "说明：“项目支出”需要填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品和服务支出。"
BASIC_SIGNATURE = ("填表人", "填报日期", "联系电话", "单位负责人签字")
END_OF_FUNDS = ("说明", "填表人")
# the funds header names its columns by how they end (the year before them varies)
ACTUAL_ENDINGS = ("决算数", "决算")
BUDGET_ENDINGS = ("预算数", "预算")

# ------------------------------------------------------ 附件2 / 附件3 自评表

DEPT = FormSpec("dept_self_eval", "附件2", "{year}年度部门整体支出绩效自评表", "部门整体支出绩效自评表",
                _WHOLE + r"(?:评价)?(?:目标)?自评(?:价)?(?:情况|结果)?表")
# "项目自评表" without 绩效 too: 湖北 黄石 2022 "…申报工作经费项目自评表" (tests/data/published)
PROJECT = FormSpec("project_self_eval", "附件3", "{year}年度项目支出绩效自评表", "项目支出绩效自评表",
                   r"(?:项目(?:支出)?|专项(?:资金)?)(?:绩效)?(?:评价)?(?:目标)?自评(?:价)?(?:情况|结果)?表")
FORMS = (BASIC, DEPT, PROJECT)
FORM_BY_KIND = {f.kind: f for f in FORMS}

# A 绩效目标表 (项目支出绩效目标申报表, 部门整体支出绩效目标表 …) states the targets a self-evaluation is later
# scored against. It prints most of 附件2/3's labels (项目名称, 年度资金总额, 一级/二级/三级指标 …), so its labels
# alone take it for one; what tells it apart is its indicator heading: the targets (年度指标值) and none of
# OUTCOME_COLUMNS. A table recognised by its labels whose heading is so is set aside, never read as 附件2/3
# (S006 names it); one whose heading has an outcome column is read as a self-evaluation, whatever its title.
# TARGETS is not in FORMS: its wording only names the table in that message.
TARGETS = FormSpec("targets", "绩效目标表", "{year}年度项目支出绩效目标表", "绩效目标表",
                   r"(?:" + _WHOLE + r"|(?:项目(?:支出)?|专项(?:资金)?)?绩效)目标(?:申报|审批|审核|批复)?表")
OUTCOME_COLUMNS = ("actual", "score")  # keys of INDICATOR_COLUMNS: what a self-evaluation prints beside its targets

DEPT_NAME = Field("dept_name", "预算部门\n名称", "head", "text", aliases=(
    "部门名称", "预算单位名称", "预算部门、单位名称", "部门", "一级预算单位名称", "二级预算单位名称"))  # 一级…: 湖南 零陵
PROJECT_HEAD = (
    Field("project_name", "项目支出名称", "head", "text", aliases=("项目名称", "专项资金名称")),
    # 中央/北京 "主管部门及代码" (海淀 学院路 2016)
    Field("authority", "主管部门", "head", "text", aliases=("县级主管部门", "主管部门及代码")),
    Field("implementer", "实施\n单位", "head", "text", aliases=("项目实施单位",)),
)

# The 年度资金总额 row's columns, found by heading; the template prints the ``printed`` ones from column C in
# this order. Amounts, 分值, 执行率 and 得分 are checked; an entry of kind "text" (a province's 备注) is
# typed and read (``SelfEval.exec_notes``), checked by nothing.
EXEC_COLUMNS = (
    Field("initial", "年初\n预算数", "exec", aliases=("年初预算",)),
    # 保山/湖北 "预算数(A) / 执行数(B)" (A: the adjusted budget, as their notes say); 四川 "调整后预算数 / 预算执行数"
    # 宁夏 "调整预算数(A)": the A of 执行率(B/A) is the full-year budget, not the adjustment; 重庆 "全年(调整)预算数"
    Field("full", "全年\n预算数", "exec", aliases=("调整后预算数", "全年预算", "预算数(A)", "调整预算数(A)",
                                                "全年(调整)预算数")),
    Field("executed", "全年\n执行数", "exec", aliases=(
        "全年实际执行数", "实际执行数", "全年执行", "执行数(B)", "预算执行数", "执行数")),
    Field("weight", "分值", "exec", "weight", aliases=("权重", "执行率权重")),
    Field("rate", "执行率", "exec", "rate", derived=True, aliases=("预算执行率", "资金执行率")),
    Field("score", "得分", "exec", "score", derived=True, aliases=("执行率得分", "自评得分")),
    # 年初预算数 ± 年中调整 = 全年预算数 (E108), when the form has the column
    Field("adjustment", "调整预算数", "exec", aliases=(
        "预算调整数", "年中调整数", "调整数", "追加数", "追加预算数", "追加(调整)数", "调整(追加)数",
        "追加(调减)数", "年中追加数", "预算调整", "追加调整数", "调整追加数"), printed=False),
)
EXEC_TOTAL = Field("total", "年度资金总额", "exec", aliases=("年度资金总额(万元)", "年度财政资金总额", "资金总额", "总额",
                                                       "项目资金总额"))
# A bare "合计" / "总计" is the 年度资金总额 row only where the layout says so: the first row under the funds
# headings, left of the amounts (a 10号文 form with its own wording). Anywhere else it is another row: the 总分
# row (四川 "合计 | 100"), a 小计 under the sources (NOT_A_SOURCE).
EXEC_TOTAL_BARE = Field("total", "合计", "exec", aliases=("总计",))
# the label of the funds section (left of its rows), by form kind
EXEC_SECTION = {"dept_self_eval": Field("exec_section", "年度预算申请(万元)", "exec", "text"),
                "project_self_eval": Field("exec_section", "项目资金(万元)", "exec", "text")}
# Where a form without a 分值 column states the 执行率 weight: its funds heading ("预算执行情况(万元)(20分)",
# 四川 "预算执行情况(10分)") left of the amount columns, or its 得分 heading ("得分(20分*执行率)"). The number
# before "分" in such a heading is the weight.
EXEC_WEIGHT_HEADINGS = (
    Field("exec_section", "预算执行情况", "exec", "text", aliases=("项目资金", "年度预算申请", "预算执行")),
    Field("score", "得分", "exec", "score", aliases=("执行率得分", "自评得分")),
)
STATED_POINTS = re.compile(r"[(（]\s*(?:分值|权重)?[:：]?\s*([0-9]+(?:\.[0-9]+)?)\s*分")

# 附件2: the breakdown of the total, usually written "其中：一般公共预算：1762.55".
DEPT_INCOME = (
    Field("income_total", "按收入性质分", "income", parts=("general", "gov_fund", "special_nontax", "other")),
    Field("general", "其中：一般公共预算", "income", aliases=(
        "一般公共预算拨款", "一般公共预算财政拨款", "财政拨款", "财政拨款收入", "一般公共预算财政拨款收入",
        "一般公共预算收入", "一般公共预算资金")),
    Field("gov_fund", "政府性基金拨款", "income", aliases=("政府性基金预算拨款", "政府性基金")),
    Field("special_nontax", "纳入专户管理的非税收入拨款", "income", aliases=("纳入专户管理的非税收入",)),
    Field("other", "其他资金", "income"),
)
DEPT_EXPENSE = (
    Field("expense_total", "按支出性质分", "expense", parts=("basic", "project")),
    Field("basic", "其中：基本支出", "expense"),
    Field("project", "项目支出", "expense"),
)
# 附件3: rows under 年度资金总额, one value per funds column.
PROJECT_SOURCES = (
    Field("appropriation", "其中：当年财政拨款", "sources", aliases=("财政拨款", "当年财政拨款资金", "财政拨款资金")),
    Field("carryover", "上年结转资金", "sources", aliases=(
        "上年结转", "上年结转结余资金", "上年结转(结余)资金", "上年结余结转资金", "上年结转结余", "结转结余资金",
        "上年结余资金")),
    Field("other", "其他资金", "sources", aliases=("其他",)),
)
# Other "其中" rows under 年度资金总额 that are funding sources too (中央财政资金, 省级财政资金, 社会资金,
# 自有资金 …): a part of the total when the label ends so; any other label is reported, not summed (F104).
SOURCE_ENDINGS = ("资金", "拨款", "收入", "结转", "结余", "自筹", "贷款", "投资", "补助", "经费")
NOT_A_SOURCE = ("小计", "合计", "总计")


def is_source_label(key: str) -> bool:
    """A label key that names a funding source (a part of 年度资金总额)."""
    return bool(key) and key.endswith(SOURCE_ENDINGS) and not any(w in key for w in NOT_A_SOURCE)

GOALS_HEADER = Field("goals", "年度总体目标", "goals", "text")
INDICATORS_HEADER = Field("indicators", "绩效指标", "indicators", "text", width=10)
# The heading left of the indicator table may state the weight of all indicators together: 四川 "绩效指标(90分)",
# 保山/湖北 "年度绩效目标(80分)", "年度绩效指标(80分)" (read into ``SelfEval.indicators_weight``).
INDICATORS_SECTION = Field("indicators", "绩效指标", "indicators", "text", aliases=("年度绩效目标", "年度绩效指标"))
GOAL_COLUMNS = (
    Field("expected", "预期目标", "goals", "text", aliases=("年初设定目标",)),
    Field("achieved", "实际完成情况", "goals", "text", aliases=("全年实际完成情况", "年度总体目标完成情况")),
)

# The template lays 附件2/3 out from this tuple: 绩效指标 in column A, these columns from B in this order
# (widths from here), the 总分 label merged up to 分值, the 等级 in the last column; the reader finds each
# column by its heading. A province's extra column is one more entry (kind "text": typed, read, not checked).
INDICATOR_COLUMNS = (
    Field("level1", "一级指标", "indicators", "text", width=16),
    Field("level2", "二级指标", "indicators", "text", width=16),
    Field("level3", "三级指标", "indicators", "text", aliases=("指标名称",), width=26),  # 重庆: one 指标名称 column
    Field("target", "年度指标值", "indicators", "text", aliases=("指标值", "年初目标值", "目标值", "年初指标值"),
          width=22),
    Field("actual", "实际完成值", "indicators", "text", aliases=("完成值", "全年完成值", "全年实际值", "实际值"),
          width=22),
    # 四川 prints 权重; 保山/湖北 and the 县级专项 form print no weight column at all (then the 一级 headers state them)
    Field("weight", "分值", "indicators", "weight", aliases=("权重", "指标权重", "参考分值"), width=9),
    Field("score", "得分", "indicators", "score", aliases=("指标得分",), width=9),
    Field("reason", "偏差原因\n分析及\n改进措施", "indicators", "text", aliases=(
        "偏差原因分析", "偏差原因", "未完成原因分析", "未完成原因和改进措施", "未完成原因", "未完成原因分析及改进措施"),
          width=18),
)
DEFAULT_WIDTH = 16
# The 三级指标 texts a blank template prints in the rows a unit may fill ("指标1:", "指标2：", "……"; 天长 2022,
# 廊坊 2019 keep them): a row holding such a slot and nothing under 指标值/完成值/分值/得分 is no indicator, as a
# row whose 三级指标 is empty or an empty mark ("/", "无", ``values.EMPTY_MARKS``) is not.
EMPTY_SLOTS = (r"指标[0-9一二三四五六七八九十]*:?", r"\.+", r"…+", r"。+")
_EMPTY_SLOT = re.compile("^(?:" + "|".join(EMPTY_SLOTS) + ")$")


def is_empty_slot(text: object) -> bool:
    """A template's unfilled 三级指标 slot (see ``EMPTY_SLOTS``)."""
    if not isinstance(text, str) or len(text) > 12 or text.lstrip()[:1] not in _SLOT_HEADS:
        return False  # nearly every 三级指标: not a slot, told by its first character
    return bool(_EMPTY_SLOT.match(norm_label(text)))


_SLOT_HEADS = ("指", ".", "．", "…", "。")  # what an EMPTY_SLOTS text starts with, as typed (full-width dot too)

# The 一级指标 as forms name them: one entry a 一级, its official name first, then the other wordings seen (short,
# long, a province's). A printed name is compared as a label (numbering "一、", spacing, the weight "(50分)" and a
# note after it never matter), and a profile's 一级 is the entry any of its names is in: "产出" or "一、产出指标" on a
# form is the 产出指标 of 安徽's profile, "服务对象满意度" its 满意度指标, and 宁夏's 项目产出 the same 一级 again.
LEVEL1_NAMES = (
    Field("output", "产出指标", "indicators", "text", aliases=("产出", "项目产出", "项目产出指标")),
    Field("effect", "效益指标", "indicators", "text", aliases=("效益", "项目效益", "项目效益指标")),
    Field("satisfaction", "满意度指标", "indicators", "text", aliases=(
        "满意度", "服务对象满意度指标", "服务对象满意度", "社会公众或服务对象满意度指标", "社会公众或服务对象满意度",
        "社会公众满意度指标", "社会公众满意度")),
    Field("cost", "成本指标", "indicators", "text", aliases=("成本", "项目成本", "项目成本指标")),
    Field("decision", "项目决策", "indicators", "text", aliases=("决策", "决策指标", "项目决策指标")),
    Field("management", "项目管理", "indicators", "text", aliases=("管理", "管理指标", "项目管理指标")),
)


@lru_cache(maxsize=4096)
def level1_name(name: str) -> str:
    """The 一级 a printed name is (the official name of its ``LEVEL1_NAMES`` entry: "一、产出" -> 产出指标), else the
    name as a label ("一、其他指标" -> 其他指标); "" for no name."""
    key = label_key(name)
    for field in LEVEL1_NAMES:
        if key_matches(key, field.keys):
            return field.label
    return key

# 宁夏 scores the 执行率 as a 三级指标 (项目管理 / 投入管理 / 预算执行率) instead of a funds column: that row
EXEC_INDICATOR = Field("exec_indicator", "预算执行率", "indicators", "text", aliases=("资金执行率",))
TOTAL_ROW = Field("total", "总分", "indicators", "score", aliases=("合计",))
# the total stated in the head of the form when it has no 总分 row (重庆 "自评总分(分) | 97.6", 宁夏 "自评得分 | 98")
HEAD_TOTAL = Field("head_total", "自评总分", "head", "score", aliases=("自评得分", "自评总得分"))
# the grade stated on the form, at or below the 总分 row: "等级：优" (W106)
GRADE = Field("grade", "等级", "indicators", "text", aliases=(
    "自评等级", "评价等级", "绩效等级", "自评结果", "评价结果", "等次", "评定等级", "绩效评价等级", "自评等次"))


# ------------------------------------------------------------------ signatures

# The labels that make a region recognisable as a form when it has no title (or the title is a formula
# saved without its result): a region is taken for the kind whose labels it holds most, at least
# SIGNATURE_MIN of them; a titled region must hold at least SIGNATURE_TITLED of its kind's labels.
SIGNATURES: dict[str, tuple[Field, ...]] = {
    "basic_data": (STAFF_HEADER, STAFF_FIELDS[0], STAFF_FIELDS[1], FUNDS_HEADER) + FUND_ROWS[:6]
    + (FUND_ROW["county_special"], FUND_ROW["public_funds"], FUND_ROW["procurement"], BUILDING_HEADER,
       BUILDING_FIELDS[0], SAVING),
    "dept_self_eval": (DEPT_NAME, EXEC_TOTAL) + EXEC_COLUMNS[:3] + DEPT_INCOME[:1] + DEPT_EXPENSE[:1]
    + (GOALS_HEADER,) + INDICATOR_COLUMNS[:3] + (TOTAL_ROW,),
    "project_self_eval": PROJECT_HEAD + (EXEC_TOTAL,) + EXEC_COLUMNS[:3] + PROJECT_SOURCES[:2]
    + (GOALS_HEADER,) + INDICATOR_COLUMNS[:3] + (TOTAL_ROW,),
}
SIGNATURE_MIN = 5
SIGNATURE_TITLED = 2


# ------------------------------------------------------------------ 填表说明

# The first sheet of our template: its marker says a workbook is our template (fill, the Excel button), and
# the cells that hold what every title and header refers to.
INFO_SHEET = "填表说明"
MARKER = "jixiao-xl 绩效自评模板"  # in A1
INFO_YEAR = "C4"  # 年度: every title and year header is a formula on it
INFO_UNIT = "C5"  # 单位名称: 预算部门名称 and 主管部门
INFO_PROFILE = "C6"  # 评分口径: a profile's label (湖南) or name (hunan), or PROFILE_UNKNOWN
# 评分口径 of a template made from a form whose province is not known (template --from): the form's own weights
# decide, the rules only a province's profile justifies stay silent, as on the form (detect.choose)
PROFILE_UNKNOWN = "未确定省份（按表上写明的分值）"
