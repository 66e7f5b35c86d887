"""Understanding cell values as departments type them.

Labels are normalised before they are compared; numbers typed as text
("1,238.36", full-width "１２３８.３６", "12.88万元", "100%") are understood;
"—", "-", "/", "无" count as empty.  Nothing here knows about cells or forms.
"""

from __future__ import annotations

import math
import re
import unicodedata

# Characters removed from labels before comparison: white space of every kind,
# quotes around “三公”, and the decorations people add around labels.
_LABEL_DROP = re.compile(r"[\s\u3000\"'“”‘’「」『』*＊]+")
# Leading enumeration: "1、", "(一)", "一、", "1.", "其中:".
_LABEL_ENUM = re.compile(
    r"^(?:其中[:：]?|\(?[0-9一二三四五六七八九十]+[)、.．]|[0-9]+\s)+"
)

EMPTY_MARKS = frozenset({"", "-", "—", "–", "－", "——", "/", "／", "无", "\\", "n/a", "N/A"})

_UNIT_SUFFIX = re.compile(r"(?:亿元|万元|千元|元|万|亿|人|个|分|m²|㎡|平方米|m2)$")

# Amount units, in 元.  A form states its unit in the title area ("单位：万元"), in a section or column
# header ("经费控制情况(万元)", "全年预算数（元）"); the official forms are in 万元.
AMOUNT_UNITS = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
DEFAULT_UNIT = "万元"
_DECLARED_UNIT = re.compile(r"(?:单位[:：]\s*(?:人民币)?|[(（]\s*(?:单位[:：]\s*)?)(亿元|万元|千元|元)(?![\w])")
_VALUE_UNIT = re.compile(r"\d\s*(亿元|万元|千元|元|万|亿)\s*$")
# "150万" / "1.2亿" typed for 150万元 / 1.2亿元 (湖北 鄂州 2021: "150万", "125.25万" in a 万元 column)
_SHORT_UNIT = {"万": "万元", "亿": "亿元"}


def declared_unit(text: object) -> str | None:
    """The amount unit a header or title declares: "单位：元", "(万元)", "（千元）"; None if none."""
    if not isinstance(text, str) or "元" not in text:
        return None
    match = _DECLARED_UNIT.search(nfkc(text))
    return match.group(1) if match else None


def value_unit(value: object) -> str | None:
    """The unit typed after an amount: "830,000元" -> 元, "150万" -> 万元."""
    if not isinstance(value, str) or ("元" not in value and "万" not in value and "亿" not in value):
        return None
    match = _VALUE_UNIT.search(nfkc(value).replace(",", ""))
    return _SHORT_UNIT.get(match.group(1), match.group(1)) if match else None


def convert(value: float | None, from_unit: str | None, to_unit: str | None) -> float | None:
    """An amount from one unit to another (unknown units: unchanged)."""
    if value is None or not from_unit or not to_unit or from_unit == to_unit:
        return value
    return round(value * AMOUNT_UNITS[from_unit] / AMOUNT_UNITS[to_unit], 6)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def nfkc(text: str) -> str:
    """Full-width to half-width: （）→(), ：→:, １→1, ＞＝→>=."""
    return unicodedata.normalize("NFKC", text)


def norm_label(value: object) -> str:
    """A label as it is compared: NFKC, no spaces or line breaks, no quotes."""
    if value is None:
        return ""
    text = nfkc(str(value))
    return _LABEL_DROP.sub("", text)


def strip_enum(label: str) -> str:
    """Drop leading numbering such as '1、' or '其中:' from a normalised label."""
    return _LABEL_ENUM.sub("", label)


_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")
# the empty marks written with an ideograph ("无") are one character long (else is_blank normalises every text)
_SHORT_IDEOGRAPH_MARKS = all(len(m) == 1 for m in EMPTY_MARKS if _IDEOGRAPH.search(m))


def is_blank(value: object) -> bool:
    """Nothing, or an empty mark ("无", "—", "n/a" …) after NFKC.  A text of two or more characters that holds
    a CJK ideograph is not normalised: NFKC keeps every ideograph as it is, drops no character and turns none
    into a space, so such a text normalises to two or more characters with an ideograph, and no empty mark is
    that (the targets and explanations are most of a form's texts; normalising one costs microseconds)."""
    if value is None:
        return True
    if isinstance(value, str):
        if _SHORT_IDEOGRAPH_MARKS and _IDEOGRAPH.search(value) and len(value.strip()) > 1:
            return False
        return nfkc(value).strip() in EMPTY_MARKS
    return False


def is_mark(value: object) -> bool:
    """An empty mark typed ("/", "无", "—"): blank, but written on purpose (a cell left empty is not a mark)."""
    return isinstance(value, str) and bool(value.strip()) and is_blank(value)


class NotANumber(ValueError):
    """A cell that should hold a number holds text that is not one."""


def to_number(value: object) -> float | None:
    """The number a cell means, None for an empty cell.

    Raises NotANumber for text that cannot be read as a number.
    """
    if isinstance(value, bool):
        raise NotANumber(str(value))
    if value is None:
        return None
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        if value - value != 0:  # ±inf (a damaged file or a hand-made payload): no amount a form can hold
            raise NotANumber(str(value))
        return float(value)
    text = nfkc(str(value)).strip()
    if text in EMPTY_MARKS:
        return None
    text = text.replace(",", "").replace(" ", "")
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    else:
        text = _UNIT_SUFFIX.sub("", text)
    if not _NUMBER.match(text):
        raise NotANumber(str(value))
    number = float(text)
    if number - number != 0:  # "1e999" overflows to inf
        raise NotANumber(str(value))
    return number / 100.0 if percent else number


# A rate stored as a plain number above this is taken as percentage points
# (126.73 means 126.73%); at or below it, as a fraction (1.2673).
RATE_POINTS_THRESHOLD = 3.0


def to_rate(value: object) -> float | None:
    """A rate as a fraction: "100%", 1.0 (formatted as %) and 100 all give 1.0."""
    if isinstance(value, str):
        text = nfkc(value).strip()
        if text.endswith("%"):
            return to_number(text)
    number = to_number(value)
    if number is not None and abs(number) > RATE_POINTS_THRESHOLD:
        return number / 100.0
    return number


_INLINE = re.compile(r"^(?P<label>.*?)[:：]\s*(?P<value>[^:：]*)$")


def split_inline(value: object) -> tuple[str, str] | None:
    """Split "其中：一般公共预算：1762.55" into ("其中：一般公共预算", "1762.55")."""
    if not isinstance(value, str):
        return None
    text = nfkc(value).strip()
    match = _INLINE.match(text)
    if not match or match.group("label").strip() in ("其中", ""):
        return None  # "其中：公车购置" is a label with a prefix, not label：value
    return match.group("label"), match.group("value").strip()


# "(30分)", "（30）", "30分", "产出指标30分", "产出指标（分值30）"; at the end of the header, "30分" with one of its
# brackets lost is the weight too (湖南 零陵 "效益指标30分)", "效益指标(30分")
_WEIGHT = re.compile(r"\(\s*(?:分值|权重)?[:：]?\s*([0-9]+(?:\.[0-9]+)?)\s*分?\s*\)"
                     r"|\(?(?:分值|权重)?[:：]?([0-9]+(?:\.[0-9]+)?)\s*分\)?$")


# What people put between a heading's words and the weight it states: a number ("年度绩效目标1 (80分)", the first
# of several target blocks; "①" is "1" once normalised), a dash, a colon or a stop ("产出指标：（30分）"). One
# pattern an entry; a heading is found by its words without it. Dropped only right after a word (an ideograph) and
# right before a stated weight "(80分)"/"(分值80分)", so a heading's own words, "(一)" numbering, a year or a
# figure ("培训100(10分)") and a note that states no weight ("任务1(2023年)") stay as typed.
WEIGHT_DECORATIONS = (r"[0-9]{1,2}", r"[-—–_:.、]")
_DECORATED = re.compile(r"(?<=[\u4e00-\u9fff])(?:" + "|".join(WEIGHT_DECORATIONS)
                        + r")(?=\((?:分值|权重)?:?[0-9]+(?:\.[0-9]+)?分)")


def drop_weight_decoration(label: str) -> str:
    """A normalised heading without what stands between its words and its weight: "年度绩效目标1(80分)" ->
    "年度绩效目标(80分)" (see WEIGHT_DECORATIONS)."""
    return _DECORATED.sub("", label) if "分" in label else label


def header_weight(value: object) -> float | None:
    """The band total stated in a 一级 header: "产出指标(30分)" -> 30."""
    if value is None:
        return None
    match = _WEIGHT.search(norm_label(value))
    return float(match.group(1) or match.group(2)) if match else None


def header_name(value: object) -> str:
    """The 一级 name without its weight: "产出指标\n(30分)" -> "产出指标"."""
    return _WEIGHT.sub("", drop_weight_decoration(norm_label(value)))


def fmt_number(value: float | None) -> str:
    """A number as people write it: 17, 12.88, 1762.55."""
    if value is None:
        return "空"
    if value != value or value in (float("inf"), float("-inf")):  # a sum of huge numbers overflows
        return "超出可表示范围的数"
    if abs(value) >= 1e15:  # no amount on these forms; shown short (1.7e+308), not as 309 digits
        return f"{value:.6g}"
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def typed_text(value: object) -> str:
    """A typed value as the user typed it: every decimal of a number (278.4449, not fmt_number's 278.44; float
    noise aside: 12 significant digits), text as it is."""
    if value is None:
        return "空"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:.12g}"
        return text if "e" not in text and text not in ("nan", "inf", "-inf") else fmt_number(value)
    return str(value)


def fmt_rate(value: float | None) -> str:
    if value is None:
        return "空"
    return f"{value * 100:.2f}%"


def round2(value: float) -> float:
    """Round half away from zero to 2 decimals, as people and Excel's ROUND do (7.625 → 7.63)."""
    if value < 0:
        return -round2(-value)
    if not value < 1e15:  # no cents at this size (a float's spacing is 0.125 at 1e15); inf and NaN as they are
        return value
    return half_up(value, 2)


def half_up(value: float, places: int) -> float:
    """A number ≥ 0 rounded half up to ``places`` decimals as Excel's ROUND and a cell's format do: on the number
    as it shows to 15 significant digits.  10 × 44.73 ÷ 84 is 5.324999999999999 in floating point and rounds to 5.33;
    7.644999995002843 (10 × 7649.35 ÷ 10005.69) shows as 7.64499999500284 and rounds to 7.64, not 7.65: a fixed
    snap to 6 decimals took it for a half once the amounts passed 1亿 (10000 万元 to the cent)."""
    scale = 10 ** places
    scaled = value * scale
    low = math.floor(scaled)
    if abs(scaled - low - 0.5) > 1e-6:  # far from a half: float noise (1e-12 here) cannot carry it across
        return math.floor(scaled + 0.5) / scale
    from decimal import ROUND_HALF_UP, Decimal  # near a half only: decide on the 15 digits, as Excel does

    return float(Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# The error values a cell can show: Excel's classic seven, the dynamic-array and data-type ones (Office.js
# Range.values gives each as this text: #SPILL!, #CALC!, #BLOCKED! …, xlwings' remote engine adds #DATA!),
# and WPS's/LibreOffice's #ERROR.
ERROR_VALUES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#ERROR", "#DATA!", "#BLOCKED!", "#BUSY!", "#CONNECT!", "#FIELD!", "#UNKNOWN!",
                "#TIMEOUT!", "#PYTHON!")


def is_error_value(raw: object) -> bool:
    """The cell shows an error value (as the readers give it: its text, "#DIV/0!")."""
    return isinstance(raw, str) and raw.strip().upper() in ERROR_VALUES


# A unit's name as file names and report titles write it: ideographs ending as units' names end.
_UNIT_END = re.compile("(局|委员会|委|办公室|办|院|中心|所|站|队|馆|部|处|厅|署|学校|医院|政府|街道办事处|镇|乡|联|协|"
                       "联合会|协会|会|社|团|室)$")
# endings ordinary words share (外部, 网站, 团队, 座谈会, 场所, 会议室): a unit's name only with a place or an organ
# before them ("平江县委宣传部", "三市镇", "共青团汨罗市委"), never "链接到外部"
_WEAK_END = re.compile("(所|站|队|馆|部|处|镇|乡|会|社|团|室|联|协)$")
_PLACED = re.compile("[省市县区州旗盟镇乡村]|街道|中共|共青团|人大|政协|妇联|工会|委员会")
_NOT_UNIT = ("部门整体", "整体支出", "项目支出", "绩效", "自评", "附件", "报告", "基础数据", "年度", "决算", "预算", "材料")
_NAME_PART = re.compile(r"[\u4e00-\u9fff]{3,30}")


def unit_in_name(text: str) -> str:
    """The unit a file name or a report's title names ("平江县林业局自评报告", "2023年度平江县林业局部门整体支出
    绩效自评报告", "汨罗市司法局2023", "司法局_附件1"): its first run of ideographs, cut where the form's or the
    report's own words start, that ends as a unit's name ends (局, 委, 办, 中心, 院 …); "" when there is none
    ("附件1", "自评表", "扫描件", "新建 Microsoft Excel 工作表")."""
    for part in _NAME_PART.findall(nfkc(str(text or ""))):
        part = re.sub(r"^年度?", "", part)  # "2023年度平江县…": the year's digits are not in the run
        cut = min((i for i in (part.find(w) for w in _NOT_UNIT) if i >= 0), default=len(part))
        part = part[:cut]
        if len(part) >= 3 and _UNIT_END.search(part) and (not _WEAK_END.search(part) or _PLACED.search(part[:-1])):
            return part
    return ""
