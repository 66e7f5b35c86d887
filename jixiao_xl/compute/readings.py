"""Reading 年度指标值 and 实际完成值 as an evaluator does: a text (or a number, a date) as typed parts.

``parse_target`` turns an indicator's target text into a typed target: a list of parts, each a comparison
(≥ ≤ > < =, a range, a change on last year) of a quantity with its unit, or a deadline; or a qualitative target
with the reason it could not be read as anything else.  ``read_actual`` reads the 实际完成值 the same way, with
the cell's meaning (a number formatted as a percentage, a date cell).  Judging the two is targets.py's job.
Anything that cannot be read is qualitative, with a reason.  Vocabulary and rules are documented in the README
("指标值怎样读") and in ``jixiao-xl explain I103``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ..read.values import nfkc

# A cell longer than this is not an indicator value; it is read as qualitative.
MAX_TEXT = 400

# ------------------------------------------------------------------ units

# unit as written -> (family, factor to the family's base unit)
_UNIT_TABLE: dict[str, tuple[str, float]] = {
    # money, base 元
    "元": ("money", 1.0), "千元": ("money", 1e3), "万元": ("money", 1e4), "亿元": ("money", 1e8),
    # durations: calendar days, working days, months are not converted into one another
    "小时": ("days", 1 / 24), "天": ("days", 1.0), "日": ("days", 1.0), "周": ("days", 7.0),
    "个工作日": ("workdays", 1.0), "工作日": ("workdays", 1.0),
    "个月": ("months", 1.0), "年": ("months", 12.0),
    "分钟": ("minutes", 1.0),
    # shares
    "%": ("percent", 1.0), "‰": ("percent", 0.1), "个百分点": ("points", 1.0), "百分点": ("points", 1.0),
    # scores
    "分": ("score", 1.0),
    # length, area, volume, mass
    "米": ("length", 1.0), "m": ("length", 1.0), "千米": ("length", 1e3), "公里": ("length", 1e3),
    "km": ("length", 1e3),
    "平方米": ("area", 1.0), "m2": ("area", 1.0), "平方公里": ("area", 1e6), "亩": ("area", 666.6667),
    "公顷": ("area", 1e4), "立方米": ("volume", 1.0), "m3": ("volume", 1.0), "方": ("volume", 1.0),
    "厘米": ("length", 0.01), "毫米": ("length", 0.001), "岁": ("age", 1.0), "周岁": ("age", 1.0),
    "组": ("组", 1.0), "TB": ("data", 1024.0), "GB": ("data", 1.0),
    "吨": ("mass", 1e3), "千克": ("mass", 1.0), "公斤": ("mass", 1.0), "kg": ("mass", 1.0), "斤": ("mass", 0.5),
    # counts: each its own family (人 and 人次 are different things)
    "人": ("人", 1.0), "名": ("人", 1.0), "人次": ("人次", 1.0), "户": ("户", 1.0), "户次": ("户次", 1.0),
    "家": ("家", 1.0), "个": ("个", 1.0), "次": ("次", 1.0), "场次": ("场", 1.0), "场": ("场", 1.0),
    "项": ("项", 1.0), "件": ("件", 1.0), "期": ("期", 1.0), "篇": ("篇", 1.0), "所": ("所", 1.0),
    "套": ("套", 1.0), "台": ("台", 1.0), "辆": ("辆", 1.0), "份": ("份", 1.0), "册": ("册", 1.0),
    "本": ("册", 1.0), "条": ("条", 1.0), "座": ("座", 1.0), "处": ("处", 1.0), "起": ("起", 1.0),
    "例": ("例", 1.0), "批": ("批", 1.0), "批次": ("批次", 1.0), "间": ("间", 1.0), "张": ("张", 1.0),
    "块": ("块", 1.0), "类": ("类", 1.0), "支": ("支", 1.0), "部": ("部", 1.0), "株": ("株", 1.0),
    "棵": ("株", 1.0), "头": ("头", 1.0), "只": ("只", 1.0), "课时": ("学时", 1.0), "学时": ("学时", 1.0),
    "节": ("节", 1.0), "门": ("门", 1.0), "村": ("村", 1.0), "个村": ("村", 1.0), "所学校": ("所", 1.0),
    "宗": ("宗", 1.0), "单": ("单", 1.0), "卷": ("卷", 1.0), "页": ("页", 1.0), "家次": ("家次", 1.0),
}
_UNITS = sorted(_UNIT_TABLE, key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
_COUNT_FAMILIES = frozenset(f for f, _ in _UNIT_TABLE.values()) - {
    "money", "days", "workdays", "months", "minutes", "percent", "points", "score", "length", "area", "volume", "mass"}
_FAMILY_NAME = {"money": "金额", "days": "天数", "workdays": "工作日", "months": "月数", "percent": "百分比",
                "points": "百分点", "score": "分数", "minutes": "分钟"}

# ------------------------------------------------------------------ vocabulary

_GE_WORDS = ("大于等于", "不低于", "不少于", "不小于", "至少", "达到", "达", "≥", ">=", "≧")
_GT_WORDS = ("超过", "高于", "大于", "多于", ">")
_LE_WORDS = ("小于等于", "不高于", "不超过", "不大于", "不多于", "控制在", "至多", "最多", "≤", "<=", "≦")
_LT_WORDS = ("低于", "少于", "小于", "<")
_EQ_WORDS = ("等于", "=")
_SUFFIX_GE = ("及以上", "以上")
_SUFFIX_LE = ("及以下", "以下", "以内", "之内", "范围内", "内")
_PREFIX = {w: op for op, words in ((">=", _GE_WORDS), (">", _GT_WORDS), ("<=", _LE_WORDS), ("<", _LT_WORDS),
                                    ("=", _EQ_WORDS)) for w in words}
_PREFIX_RE = "|".join(re.escape(w) for w in sorted(_PREFIX, key=len, reverse=True))
_SUFFIX_RE = "|".join(re.escape(w) for w in sorted(_SUFFIX_GE + _SUFFIX_LE, key=len, reverse=True))
_UP_WORDS = ("提高", "增长", "增加", "上升", "提升", "增幅")
_DOWN_WORDS = ("下降", "降低", "减少", "压减", "缩减", "降幅", "减幅")
_CHANGE_RE = "|".join(_UP_WORDS + _DOWN_WORDS)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = r"[零〇一二两三四五六七八九十百千]+(?:万|亿)?"


def _cn_to_int(text: str) -> int | None:
    """一百二十 → 120, 两 → 2, 三万 → 30000, 十五 → 15."""
    big = 1
    if text and text[-1] in "万亿":
        big = 10_000 if text[-1] == "万" else 100_000_000
        text = text[:-1]
    if len(text) > 1 and all(ch in _CN_DIGITS for ch in text):  # 二〇二三 → 2023
        return int("".join(str(_CN_DIGITS[ch]) for ch in text)) * big
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    total += current
    return total * big if text else None


# Chinese numerals are read only right before a unit, and never in 第一 / 一次性.
_CN_QTY = re.compile(r"(?<![第初\d.])(" + _CN_NUM + r")(?=(?:" + _UNIT_RE + r"))(?!次性)")
_CN_PERCENT = re.compile(r"百分之(" + _CN_NUM + r"|\d+(?:\.\d+)?)")

# ------------------------------------------------------------------ dates

# A date: 2023年12月31日, 2023年12月底, 12月底, 2023.11, 2023-11-30, 2023年, 年底, 上半年, 三季度
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_MONTH_TAIL = r"\s*月(?:份)?\s*(?:(?P<{d}>3[01]|[12]\d|0?[1-9])\s*[日号]|(?P<{p}>底|末|上旬|中旬|下旬|初))?"
_DATE = re.compile(
    r"(?P<ymd>(?P<y1>(?:19|20)\d{2})[./-](?P<m1>1[0-2]|0?[1-9])(?:[./-](?P<d1>3[01]|[12]\d|0?[1-9]))?(?![\d.])"
    r"(?!\s*(?:[万千亿%‰]|" + _UNIT_RE + r")))"
    r"|(?P<y2>(?:19|20)\d{2})\s*年(?:度)?\s*(?:(?P<m2>" + _MONTH + r")" + _MONTH_TAIL.format(d="d2", p="mpart2")
    + r"|(?P<ypart>年底|年末|底|末|上半年|下半年|全年|年内|内)|第?(?P<q2>[一二三四1-4])季度(?:末)?)?"
    r"|(?<![\d.])(?P<m3>" + _MONTH + r")" + _MONTH_TAIL.format(d="d3", p="mpart3")
    + r"|第?(?P<q3>[一二三四1-4])季度(?:末)?"
    r"|(?P<bare>年底|年末|年内|上半年|下半年)"
)
_NOT_MET = re.compile(r"^(?:尚?未|没有|没)(?:能)?(?:达标|达到|完成|实现)|^(?:不达标|未达预期)")
_NEXT_YEAR = re.compile(r"(?:次年|下一年|下年|明年|翌年|第二年)\s*$")
_DATE_HINT = re.compile(r"[年月季底半]|\d[./-]\d")
_DIGIT = re.compile(r"\d")
_DEADLINE_AFTER = re.compile(r"^\s*(?:以前|之前|前|止|内|完成前)")
_DEADLINE_BEFORE = re.compile(r"(?:截至|截止|截止到|截至到|不晚于|于|在)\s*$")
_ON_TIME = re.compile(r"按时|按期|如期|及时|提前|准时")
_LATE = re.compile(r"未按时|未按期|未如期|未能按时|延期|延迟|滞后|推迟|逾期|超期|未完成|尚未完成|未能完成")


def _month_end(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (_dt.date(year, month + 1, 1) - _dt.timedelta(days=1)).day


def _cn_month(text: str) -> int:
    if text.isdigit():
        return int(text)
    return _cn_to_int(text) or 0


@dataclass(frozen=True)
class When:
    """A date as written: the earliest and latest day it can mean (year None when not written)."""

    year: int | None
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]
    text: str
    offset: int = 0  # 次年3月: one year after the year it is compared in

    def bounds(self, year: int) -> tuple[_dt.date, _dt.date]:
        y = self.year or year + self.offset
        return (_dt.date(y, *self.start), _dt.date(y, self.end[0], min(self.end[1], _month_end(y, self.end[0]))))


def _when(match: re.Match) -> When | None:
    g = match.groupdict()
    text = match.group(0).strip()
    if g["ymd"]:
        year, month = int(g["y1"]), int(g["m1"])
        if g["d1"]:
            day = int(g["d1"])
            return When(year, (month, day), (month, day), text)
        return When(year, (month, 1), (month, 31), text)
    year = int(g["y2"]) if g["y2"] else None
    part = g["bare"] or g["ypart"]
    if part:
        if part in ("年底", "年末", "底", "末"):
            return When(year, (12, 1), (12, 31), text)
        if part == "上半年":
            return When(year, (1, 1), (6, 30), text)
        if part == "下半年":
            return When(year, (7, 1), (12, 31), text)
        return When(year, (1, 1), (12, 31), text)  # 全年, 年内, 2023年内
    quarter = g["q2"] or g["q3"]
    if quarter:
        q = _QUARTER[quarter]
        return When(year, (3 * q - 2, 1), (3 * q, 31), text)
    month_text = g["m2"] or g["m3"]
    if month_text is None:
        return When(year, (1, 1), (12, 31), text) if year else None
    month = _cn_month(month_text)
    if not 1 <= month <= 12:
        return None
    day_text = g["d2"] or g["d3"]
    if day_text:
        day = int(day_text)
        return When(year, (month, day), (month, day), text)
    part = g["mpart2"] or g["mpart3"]
    if part in ("底", "末", "下旬"):
        return When(year, (month, 21 if part == "下旬" else 25), (month, 31), text)
    if part in ("上旬", "初"):
        return When(year, (month, 1), (month, 10), text)
    if part == "中旬":
        return When(year, (month, 11), (month, 20), text)
    return When(year, (month, 1), (month, 31), text)


# ------------------------------------------------------------------ quantities

_NUM = r"\d+(?:\.\d+)?"
_PER_RE = r"人次|人|户|半年|年|季度|季|月|周|天|日|次|件|个|家|亩|平方米|m2|公里|km|吨|小时|学时|课时|场|期|村|所|床|车"
_QTY = re.compile(
    r"(?=[\d较比同环提增上下降减压缩+\-不大小至达约控≥≤<>=超高低多少最等])"  # cheap rejection of other positions
    r"(?P<change>(?:(?:较|比|同比|环比)[^,;。:\d%]{0,10}?)?(?:" + _CHANGE_RE + r")(?:了|幅度)?(?!到|至|为))?"
    r"\s*(?P<pre>" + _PREFIX_RE + r")?\s*(?P<approx>约|大约)?\s*"
    r"(?P<sign>[-+])?(?P<num>" + _NUM + r")"
    r"(?:\s*(?P<dash>[-~至到]|—|–)\s*(?P<num2>" + _NUM + r"))?"
    r"\s*(?P<mult>万(?!元)|千(?![元米克])|亿(?!元))?"
    r"\s*(?P<unit>" + _UNIT_RE + r")?"
    r"(?:\s*(?:/|每)\s*(?P<per>" + _PER_RE + r")(?:\s*[*·×]\s*(?P<per2>" + _PER_RE + r"))?)?"
    r"(?P<post>\s*(?:" + _SUFFIX_RE + r"))?"
    r"(?P<approx2>左右)?"
)
_CURRENCY = re.compile(r"¥\s*(\d[\d,]*(?:\.\d+)?)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DASHES = re.compile(r"\d\s*\S{0,3}\s*(?:-|~|至|到|—|–)")
_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千]")
_RANGE_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|‰|[\u4e00-\u9fff]{1,3})\s*(?:-|~|至|到|—|–)\s*(\d+(?:\.\d+)?)\s*\2")
# Counts written per period are compared over the year: 每季度1次 is 4 a year.
_PERIODS = {"每周": 52, "每月": 12, "每季度": 4, "每半年": 2, "每年": 1}
_PERIOD_WORD = {"周": "每周", "月": "每月", "季度": "每季度", "季": "每季度", "半年": "每半年", "年": "每年"}
_PERIOD_BEFORE = re.compile(r"(?:每个?(周|月|季度|季|半年|年)|(月|季|年)均)[^,;，；、\d]{0,6}$")
_PER_PERIOD = {"月": "每月", "季度": "每季度", "季": "每季度", "周": "每周", "半年": "每半年"}
_PAREN_NEG = re.compile(r"^\(\s*(" + _NUM + r")\s*\)$")
_SEPARATORS = re.compile(r"[,;，；、。\n]|及(?![以时])|并且|并|和")
_STOP_WORDS = re.compile(
    r"开展|组织|完成|举办|召开|实现|达到|累计|全年|共计|共|实际|平均|约|大约|左右|以上|以下|以内|之内|不低于|"
    r"不少于|不超过|不高于|不大于|不小于|达|≥|≤|>|<|=|%|次|个|人|项|件|年度|本年|计划|目标|预计|已|均|"
    r"[\d.\s()（）:：\-~]"
)


class Part(NamedTuple):
    """One comparable piece of a target or an actual.

    ``op`` is ">=", ">", "<=", "<", "=", "range" or "" (no comparator written);
    ``value``/``high`` are in the family's base unit; ``change`` marks a change on
    last year (signed: 下降 5% is −5); ``when`` marks a date.
    """

    op: str
    value: float
    unit: str
    family: str
    noun: str = ""
    high: float | None = None
    change: bool = False
    approx: bool = False
    when: When | None = None
    deadline: bool = False
    period: str = ""  # 每季度: the count as written was per quarter; value is for the year
    scaled: bool = False  # written with 万/千/亿 and no unit: "83万"

    def shown(self, actual: bool = False) -> str:
        if self.family == "text":
            return self.noun
        if self.when is not None:
            return f"{'不晚于 ' if self.deadline else ''}{self.when.text}"
        factor = _UNIT_TABLE.get(self.unit.split("/")[0], ("", 1.0))[1]
        value = _fmt(self.value / factor)
        unit = f" {self.unit}" if self.unit and self.unit not in "%‰" else self.unit
        if self.op == "range" and self.high is not None:
            return f"{value}–{_fmt(self.high / factor)}{unit}"
        sign = {">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< ", "=": "= "}.get(self.op, "")
        if self.approx:
            sign = "约 " + sign
        if actual:
            sign = "+" if self.change and self.value > 0 else ""
        head = "较上年 " if self.change else ""
        if self.period:
            per_period = _fmt(self.value / factor / _PERIODS[self.period])
            return f"{head}{self.period} {sign}{per_period}{unit}（全年 {value}{unit}）"
        return f"{head}{sign}{value}{unit}"


class Reading(NamedTuple):
    """A target or an actual as read: its parts, whether it said on time/late, or why it is not comparable."""

    text: str
    parts: tuple[Part, ...] = ()
    on_time: bool = False
    late: bool = False
    bare: bool = False  # the whole value is one number without a unit
    why: str = ""  # why nothing comparable was found

    def shown(self) -> str:
        if self.parts:
            return "；".join(p.shown() for p in self.parts)
        return "定性" + (f"（{self.why}）" if self.why else "")


def _fmt(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.4f}".rstrip("0").rstrip(".")


# Traditional forms of the words that matter here (mirrored tables), and look-alike signs.
_CHAR_MAP = str.maketrans({
    "萬": "万", "億": "亿", "個": "个", "場": "场", "項": "项", "間": "间", "臺": "台", "輛": "辆", "張": "张",
    "塊": "块", "類": "类", "門": "门", "節": "节", "戶": "户", "噸": "吨", "畝": "亩", "條": "条", "處": "处",
    "冊": "册", "隻": "只", "頭": "头", "組": "组", "內": "内", "於": "于", "達": "达", "較": "较", "減": "减",
    "週": "周", "時": "时", "歲": "岁", "點": "点", "實": "实", "際": "际", "數": "数", "標": "标", "準": "准",
    "═": "=", "‹": "<", "›": ">", "−": "-", "〜": "~", "≧": "≥", "≦": "≤", "≒": "=",
})


def normalise(text: str) -> str:
    """Full-width to half-width, thousands separators dropped, signs and dashes unified."""
    text = nfkc(text).translate(_CHAR_MAP)
    if "¥" in text:
        text = _CURRENCY.sub(r"\1元", text)  # ¥830,000.00
    if "百分比" in text:
        text = text.replace("百分比", "%").replace("(%)", "")
    if "," in text:
        text = _THOUSANDS.sub("", text)  # 830,000 and １，２００: thousands separators
    if _DASHES.search(text):
        text = _RANGE_UNIT.sub(r"\1-\3\2", text)  # 90%-100%, 10天至15天 → 90-100%, 10-15天
    if _CN_NUMERAL.search(text):
        text = _CN_PERCENT.sub(lambda m: (m.group(1) if m.group(1)[0].isdigit() else str(_cn_to_int(m.group(1))))
                               + "%", text)
        text = _CN_QTY.sub(_cn_quantity, text)
    return text


def _cn_quantity(match: re.Match) -> str:
    """A Chinese numeral before a unit as digits; 百 of 百分点 stays."""
    numeral = match.group(1)
    if numeral.endswith("百") and match.string.startswith("分点", match.end()):
        return numeral
    value = _cn_to_int(numeral)
    return numeral if value is None else str(value)


def _noun(segment: str) -> str:
    return _STOP_WORDS.sub("", segment)


def _segments(text: str) -> list[tuple[int, int]]:
    """Spans of the parts of a compound text, split at ，；、 and 及/和/并."""
    spans, start = [], 0
    for match in _SEPARATORS.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _op_of(pre: str | None, post: str | None) -> str:
    if pre:
        return _PREFIX[pre]
    if post:
        post = post.strip()
        return ">=" if post in _SUFFIX_GE else "<="
    return ""


def _date_parts(text: str) -> tuple[list[tuple[int, Part]], str]:
    """The dates and deadlines of a text ("12月底前", "次年3月"), with the text they leave: each date masked."""
    parts: list[tuple[int, Part]] = []
    masked = list(text)
    for match in (_DATE.finditer(text) if _DATE_HINT.search(text) else ()):
        if not match.group(0).strip():
            continue
        when = _when(match)
        if when is None:
            continue
        after, before = text[match.end():], text[:match.start()]
        if when.year is None and _NEXT_YEAR.search(before[-4:]):
            when = When(None, when.start, when.end, _NEXT_YEAR.search(before[-4:]).group(0) + when.text, 1)
        deadline = bool(_DEADLINE_AFTER.match(after)) or bool(_DEADLINE_BEFORE.search(before))
        parts.append((match.start(), Part("<=" if deadline else "", 0.0, "", "date", when=when, deadline=deadline)))
        for i in range(match.start(), match.end()):
            masked[i] = "◆"
    return parts, "".join(masked)


_MULT = {"万": 1e4, "千": 1e3, "亿": 1e8}


def _quantity_part(match: re.Match, masked_text: str, spans: list[tuple[int, int]]) -> Part | None:
    """One quantity of a text (its comparison, value in the unit's base, family, noun, range, change, period),
    or None for a number that is not one (a bare number without a comparator, part of a date, "2023-11")."""
    unit, num = match.group("unit"), match.group("num")
    if num is None:
        return None
    start, end = match.start("num"), match.end()
    before = masked_text[max(0, match.start("num") - 1):match.start("num")]
    if before and (before.isdigit() or before in ".◆第"):
        return None
    after = masked_text[end:end + 1]
    value = float(num)
    if match.group("sign") == "-" and not match.group("dash"):
        value = -value
    mult = match.group("mult")
    if mult:
        value *= _MULT[mult]
    op = _op_of(match.group("pre"), match.group("post"))
    change_word = match.group("change")
    if unit is None:
        # a bare number counts only with a comparator, or when it is the whole text
        whole = masked_text.strip() == match.group(0).strip()
        if not (op or whole) or after and re.match(r"[\u4e00-\u9fff]", after) and not op:
            return None
        if after and after[0] in "年月日号":
            return None
        family, factor = "", 1.0
    else:
        family, factor = _UNIT_TABLE[unit]
    per = "*".join(p for p in (match.group("per"), match.group("per2")) if p)
    period = ""
    if family in _COUNT_FAMILIES:  # 每季度1次, 月均100件, 1次/月: counted over the year
        before_text = masked_text[max(0, match.start() - 8):match.start()]
        found = _PERIOD_BEFORE.search(before_text)
        if per in _PER_PERIOD:
            period, per = _PER_PERIOD[per], ""
        elif found and not per:
            period = _PERIOD_WORD[found.group(1) or found.group(2)]
        if period:
            value *= _PERIODS[period]
    if per and per != "年":  # "次/年" over a year's evaluation is a count; "元/人" is not an amount
        family, unit = f"{family}/{per}", f"{unit or ''}/{per}"
    high = None
    if match.group("num2") is not None:
        high = float(match.group("num2")) * factor * (_MULT[mult] if mult else 1)
        if high < value * factor:
            return None  # "2023-11": not a range
        op = "range"
    change = bool(change_word)
    if change:
        down = any(w in change_word for w in _DOWN_WORDS)
        value = -abs(value) if down else abs(value)
        if op == "":
            op = "<=" if down else ">="
        elif down and op in (">=", ">"):
            op = "<="  # "下降不低于5%": a change of −5% or more down
    seg = next((s for s in spans if s[0] <= start < s[1] or s[0] <= start <= s[1]), (0, len(masked_text)))
    noun = masked_text[seg[0]:seg[1]].replace(match.group(0), " ")  # its words; _noun() strips them when pairing
    approx = bool(match.group("approx") or match.group("approx2"))
    return Part(op, value * factor, unit or "", family, noun.replace("◆", ""), high, change, approx, period=period,
                scaled=bool(mult) and unit is None)


@lru_cache(maxsize=16384)
def read_text(text: str) -> Reading:
    """Every comparable part of a target or actual text."""
    raw = text
    text = text.strip()
    if not text:
        return Reading(raw, why="空白")
    if len(text) > MAX_TEXT:
        return Reading(raw, why=f"文字过长（{len(text)} 字），不像指标值")
    text = normalise(text)
    late = bool(_LATE.search(text))
    on_time = bool(_ON_TIME.search(text)) and not late
    neg = _PAREN_NEG.match(text)
    if neg:  # accountants' negative: (5.34)
        return Reading(raw, (Part("", -float(neg.group(1)), "", ""),), bare=True)
    # dates first, so that 2023年 / 12月 are not read as durations
    parts, masked_text = _date_parts(text)
    spans = _segments(masked_text) if _SEPARATORS.search(masked_text) else [(0, len(masked_text))]
    for match in (_QTY.finditer(masked_text) if _DIGIT.search(masked_text) else ()):
        part = _quantity_part(match, masked_text, spans)
        if part is not None:
            parts.append((match.start("num"), part))
    parts.sort(key=lambda p: p[0])
    only = tuple(p for _, p in parts)
    bare = len(only) == 1 and not only[0].family and not only[0].op and only[0].when is None
    why = "" if only else ("没有可比较的数字或日期" if not on_time else "")
    return Reading(raw, only, on_time, late, bare, why)


def read_actual(value: object, percent: bool | None = None) -> Reading:
    """The 实际完成值 as read, with its cell's meaning.

    ``percent``: True when the cell is formatted as a percentage, False when it is
    known not to be, None when the format is unknown (values sent by Office.js).
    """
    if value is None or isinstance(value, bool):
        return Reading("" if value is None else str(value), why="空白")
    if isinstance(value, (_dt.datetime, _dt.date)):
        day = value.date() if isinstance(value, _dt.datetime) else value
        when = When(day.year, (day.month, day.day), (day.month, day.day), day.isoformat())
        return Reading(str(value), (Part("", 0.0, "", "date", when=when),))
    if isinstance(value, (int, float)):
        if value != value:
            return Reading("", why="空白")
        number = float(value)
        if percent:
            return Reading(str(value), (Part("", number * 100, "%", "percent"),))
        return Reading(_fmt(number), (Part("", number, "", ""),), bare=True)
    return read_text(str(value))


def parse_target(text: object, percent: bool | None = None) -> Reading:
    """A 年度指标值 as read (a number typed into the cell is read with its cell's format, as the actual is)."""
    if text is None:
        return Reading("", why="空白")
    if isinstance(text, (int, float, _dt.date)) and not isinstance(text, bool):
        return read_actual(text, percent)
    return read_text(str(text))
