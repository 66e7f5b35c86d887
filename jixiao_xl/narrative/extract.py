"""Numeric statements in report text: amounts, percentages, counts, scores, grades and years.

Text is read as written: full-width digits and ％ are mapped one-for-one so
offsets stay those of the paragraph.  A number without a unit, an ordinal
(第3次), a date (7月15日), a document number (〔2021〕8号) or a year is not
a quantity.  Values: amounts in 万元, percentages as fractions, the rest as
written.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": ".", "，": "，"})

AMOUNT_UNITS = {"元": 1e-4, "万元": 1.0, "亿元": 1e4, "万": 1.0, "亿": 1e4}
COUNT_UNITS = ("人次", "场次", "余人", "人", "件", "起", "例", "次", "场", "份", "册", "把", "项", "家", "名", "本",
               "个", "户", "所", "条", "篇", "期", "天", "台", "辆", "套", "批", "处", "宗", "笔", "架", "座", "盏", "段")
EQUIVALENT = {"起": "件", "宗": "件"}  # 818起 of which 161件 …
# physical quantities, read in one unit per dimension so that parts written in km and m add up
MEASURE_UNITS = {"公里": ("length", 1000.0), "千米": ("length", 1000.0), "km": ("length", 1000.0),
                 "米": ("length", 1.0), "m": ("length", 1.0),
                 "公顷": ("area", 10000.0), "hm²": ("area", 10000.0), "hm2": ("area", 10000.0), "hm": ("area", 10000.0),
                 "亩": ("area", 10000.0 / 15), "平方米": ("area", 1.0), "㎡": ("area", 1.0), "m²": ("area", 1.0),
                 "平方公里": ("area", 1e6), "km²": ("area", 1e6)}
_MEASURE = sorted(MEASURE_UNITS, key=len, reverse=True)


def measure_scale(unit: str) -> float:
    """Metres or square metres per unit as written ("万亩" is 10,000 亩)."""
    if unit.startswith("万"):
        return 1e4 * MEASURE_UNITS[unit[1:]][1]
    return MEASURE_UNITS[unit][1]

_QUANTITY = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<mod1>多|余)?(?P<mult>万|亿)?(?P<mod2>多|余)?"
    r"(?P<unit>元|%|‰|分(?![别之期批类管工配布成享散])|"
    + "|".join(re.escape(u) + ("(?![a-zA-Z])" if u[-1].isalpha() and u.isascii() and u != "hm" else "") for u in _MEASURE)
    + "|" + "|".join(COUNT_UNITS) + r")?"
)
_OTHER_MEASURE = re.compile(r"\s?(?:[a-zA-Z]|[斤吨株头只羽尾棵盏块方套台辆亩平立])")
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})\s?年")
_BOUND_AFTER = re.compile(r"^\s?(?:以下|以内|之内|及以下)")
_BOUND_AFTER_GE = re.compile(r"^\s?(?:以上|及以上)")
_BOUND_BEFORE = re.compile(r"(?:≤|<=|不超过|不高于|低于|小于|未超过|控制在)\s*$")
_BOUND_BEFORE_GE = re.compile(r"(?:≥|>=|不低于|不少于|超过|高于|大于|达到|以上)\s*$")
_APPROX_BEFORE = re.compile(r"(?:约|近|逾|超|大约|将近|接近|左右)(?:为|达|是|占|计|有)?\s*$")
_APPROX_AFTER = re.compile(r"^\s?(?:左右|上下)")
CLAUSE_BREAK = "，,；;。！？!?：:、\n"
SENTENCE_BREAK = "。！？!?\n"

GRADES = ("优", "良", "中", "差")
# a grade word counts only where it ends the phrase: "等级为“优”", "评价结果为优秀。", not "评定为中国模范"
_GRADE = re.compile(
    r"(?:等级|等次|评价结果|自评结果|评定为|评价为|定级)(?:为|是|:|：|评定为|确定为|评定|\s)*"
    r"[“\"「『（(]?(优秀|良好|优|良|中等|合格|中|差|不合格)(?=$|[”\"」』）),，。；;、\s]|等级|档|级)")
_GRADE_NAME = {"优秀": "优", "良好": "良", "中等": "中", "合格": "中", "不合格": "差"}


_FULL_WIDTH = re.compile("[\uff10-\uff19％．]")


def normalise(text: str) -> str:
    """Full-width digits, ％ and ． as ASCII, one character for one (text without them is returned as it is:
    every check reads every paragraph through here)."""
    return text.translate(_WIDTH) if _FULL_WIDTH.search(text) else text


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str  # amount | percent | count | score | length (in m) | area (in m²)
    unit: str  # "万元", "%", "件" …
    text: str  # as written: "981.96万元"
    decimals: int  # digits after the point as written
    start: int
    end: int
    label: str  # the words before it in its clause
    approx: bool = False
    bound: str | None = None  # "le" (100%以下) | "ge" (≥95%)

    def number_written(self) -> float:
        """The number as written, before 万/亿: 1.2 for "1.2万人次"."""
        match = re.match(r"[\d,]+(?:\.\d+)?", self.text)
        return float(match.group(0).replace(",", "")) if match else self.value

    @property
    def half_unit(self) -> float:
        """Half a unit of the last digit written, in the value's own scale."""
        half = 0.5 * 10 ** -self.decimals
        if self.kind == "percent":
            return half / (1000 if self.unit == "‰" else 100)
        if self.kind == "amount":
            return half * AMOUNT_UNITS.get(self.unit, 1.0)
        if self.kind in ("length", "area"):
            return half * measure_scale(self.unit)
        return half


@dataclass(frozen=True)
class Grade:
    grade: str
    text: str
    start: int
    end: int


@dataclass
class Sentence:
    text: str
    start: int
    quantities: list[Quantity] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)  # (year, position)


def _clause_start(text: str, pos: int, floor: int) -> int:
    i = pos
    while i > floor and text[i - 1] not in CLAUSE_BREAK:
        i -= 1
    return i


def _skip(text: str, m: re.Match) -> bool:
    start, end = m.start(), m.end("num")
    before = text[max(0, start - 1):start]
    after = text[end:end + 2].lstrip()
    if before and (before.isdigit() or before in ".•·-—/〔[【#第"):
        return True
    if after[:1] in ("月", "日", "号", "时", "点", "期", "届", "级", "岁", "]", "〕", "】", "-", "—", "/", "•", "·", "."):
        return not m.group("unit") and not m.group("mult")
    return False


_OPENERS, _CLOSERS = "(（[【〔《“‘「『", ")）]】〕》”’」』"
_LEADING = " \t(（、：:；;，,。.）)]】〕》”’」』"


def tidy_label(label: str) -> str:
    """The words of a label from after its last unmatched closing bracket or quote, without stray punctuation.

    A clause cut at a comma inside brackets ("…，法律救援）”年初预算数") keeps only "年初预算数".
    """
    depth, cut = 0, 0
    for i, ch in enumerate(label):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            if depth:
                depth -= 1
            else:
                cut = i + 1
    return label[cut:].lstrip(_LEADING).rstrip(" \t(（")


def quantities(text: str) -> list[Quantity]:
    """Every quantity with a unit in ``text`` (already normalised)."""
    years = {m.start(1) for m in _YEAR.finditer(text)}
    out: list[Quantity] = []
    floor = 0
    for m in _QUANTITY.finditer(text):
        if m.start() in years or _skip(text, m):
            continue
        unit, mult = m.group("unit"), m.group("mult")
        if unit is None and mult is None:
            continue
        if unit is None and _OTHER_MEASURE.match(text, m.end()):
            continue  # "产量10万斤", "保土量3.51万t": not money
        raw = m.group("num").replace(",", "")
        try:
            number = float(raw)
        except ValueError:  # pragma: no cover - the pattern only matches numbers
            continue
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        approx = bool(m.group("mod1") or m.group("mod2"))
        end = m.end()
        if unit == "元" or (unit is None and mult):
            kind, unit_name = "amount", (mult or "") + ("元" if unit else "")
            if unit_name == "万":
                unit_name = "万元"
            elif unit_name == "亿":
                unit_name = "亿元"
            value = number * AMOUNT_UNITS[unit_name]
        elif unit in ("%", "‰"):
            if mult:
                continue
            kind, unit_name, value = "percent", unit, number / (100 if unit == "%" else 1000)
        elif unit in MEASURE_UNITS:
            if mult == "亿":
                continue
            kind, scale = MEASURE_UNITS[unit]
            unit_name, value = (mult or "") + unit, number * scale * (1e4 if mult else 1)
        elif unit and unit.startswith("分"):
            if mult:
                continue
            kind, unit_name, value = "score", "分", number
        else:
            kind, unit_name, value = "count", unit, number * (1e4 if mult == "万" else 1e8 if mult == "亿" else 1)
        before = text[max(0, m.start() - 6):m.start()]
        after = text[end:end + 4]
        bound = None
        if _BOUND_AFTER.match(after) or _BOUND_BEFORE.search(before):
            bound = "le"
        elif _BOUND_AFTER_GE.match(after) or _BOUND_BEFORE_GE.search(before):
            bound = "ge"
        if _APPROX_BEFORE.search(before) or _APPROX_AFTER.match(after):
            approx = True
        label_start = max(_clause_start(text, m.start(), 0), floor)
        label = tidy_label(text[label_start:m.start()])
        out.append(Quantity(value, kind, unit_name, text[m.start():end], decimals, m.start(), end, label,
                            approx, bound))
        floor = end
    return out


def grades(text: str) -> list[Grade]:
    out = []
    for m in _GRADE.finditer(text):
        word = m.group(1)
        out.append(Grade(_GRADE_NAME.get(word, word), m.group(0), m.start(), m.end()))
    return out


def years(text: str) -> list[tuple[int, int]]:
    return [(int(m.group(1)), m.start()) for m in _YEAR.finditer(text)]


_SENTENCE = re.compile(r"[^" + re.escape(SENTENCE_BREAK) + r"]+")


@functools.lru_cache(maxsize=4096)
def sentences(text: str) -> tuple[Sentence, ...]:
    """The paragraph split at 。！？ and line breaks, each with its quantities and years (cached: read-only)."""
    found = quantities(text)
    all_years = years(text)
    out = []
    for m in _SENTENCE.finditer(text):
        start, end = m.span()
        out.append(Sentence(m.group(0), start, [q for q in found if start <= q.start < end],
                            [(y, p) for y, p in all_years if start <= p < end]))
    return tuple(out)
