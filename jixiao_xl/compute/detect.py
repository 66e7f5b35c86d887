"""Which province's rules a workbook follows, from the workbook itself (``--profile`` always wins).

Evidence, each as its profile file says (profile_data/*.json, ``detect``):
- a place of the province named on the forms (the unit, the title, the notes): 2 points;
- a text printed only on that profile's forms (a column heading such as “得分(20分*执行率)”, a report
  number): 2 points each;
- the 一级 weights printed on a form being exactly the profile's (e.g. 湖南's 产出30/效益30/满意度10/成本20): 1.

The profile with most points is chosen when it reaches its ``min_score`` and no other has as many;
otherwise the province is not known: the arithmetic follows what the form prints (and 财预〔2020〕10号
for what it leaves out), and rules that only a province's profile justifies stay silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..read.forms import INFO_SHEET, PROFILE_UNKNOWN, level1_name
from .profiles import Profile, get_profile, profiles

FALLBACK = "national"
MAX_TEXT = 200_000  # characters of a workbook's texts looked at (titles, units and headings come first)
MAX_ROWS = 25  # of each sheet: the title, the unit, the funds block and the headings are at the top
MAX_CELL = 60  # longer cells are paragraphs (goals, explanations), not where a unit or a heading is written
_SQUEEZE = (("（", "("), ("）", ")"), ("：", ":"), (" ", ""), ("\n", ""), ("\r", ""), ("\t", ""), ("\u3000", ""),
            ("＊", "*"), ("×", "*"))  # str.replace each: ten C passes beat one str.translate on CJK text


@dataclass(frozen=True)
class Choice:
    profile: Profile
    known: bool  # the province is known (chosen by evidence, or named with --profile)
    reason: str  # Chinese: what decided, or why nothing did
    candidates: tuple = ()  # names of the profiles that had some evidence, best first


def squeeze(text: str) -> str:
    """Text as compared with profile marks: no spaces or line breaks, ASCII brackets."""
    for old, new in _SQUEEZE:
        if old in text:
            text = text.replace(old, new)
    return text


_INDEX: tuple | None = None


def _index():
    """One regex of every place and mark of every profile, and what each match is evidence of."""
    global _INDEX
    loaded = profiles()
    if _INDEX is None or _INDEX[0] is not loaded:
        owners: dict[str, list[tuple[str, str]]] = {}
        for profile in loaded.values():
            for kind, words in (("place", profile.places), ("mark", profile.marks)):
                for word in words:
                    owners.setdefault(squeeze(word), []).append((profile.name, kind))
        words = sorted(owners, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None
        _INDEX = (loaded, pattern, owners)
    return _INDEX[1], _INDEX[2]


def grid_text(grids) -> str:
    """The short texts at the top of a workbook's sheets (titles, units, headings, labels: where a place or a
    mark is printed), each once, in reading order; long paragraphs (goals, explanations) are left out."""
    texts = [v for grid in grids for row in grid.rows[:MAX_ROWS] for v in row
             if v.__class__ is str and 1 < len(v) <= MAX_CELL]
    return "\n".join(dict.fromkeys(texts))[:MAX_TEXT]


def choose(book, text: str = "") -> Choice:
    """The profile of a workbook (``book``: its forms; ``text``: its sheets' texts, ``grid_text``).  Our template
    states the profile it was made with (``Workbook.stated_profile``): that decides, not its own labels."""
    stated = getattr(book, "stated_profile", None)
    if stated is not None:
        return _stated(stated)
    pattern, owners = _index()
    points: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    if pattern is not None and text:
        for word in dict.fromkeys(pattern.findall(squeeze(text))):  # in reading order, each once
            for name, kind in owners[word]:
                gained = 2
                if kind == "place" and any(w for w in found.get(name, []) if w.startswith("地名")):
                    gained = 0  # one place is evidence enough; several are not more
                points[name] = points.get(name, 0) + gained
                found.setdefault(name, []).append(("地名" if kind == "place" else "表上文字") + f"“{word}”")
    for form in getattr(book, "forms", ()):
        # by the 一级 each name is ("一、产出" is 产出指标, forms.LEVEL1_NAMES)
        printed = {level1_name(level.name): level.weight for level in getattr(form, "levels", ())
                   if level.weight is not None}
        if len(printed) < 3:
            continue
        weights = None
        for profile in profiles().values():
            if not profile.level1 or printed != {level1_name(k): v for k, v in profile.level1.items()}:
                continue
            weights = weights or "一级指标分值 " + "、".join(f"{k}{v:g}" for k, v in printed.items())
            if weights not in found.get(profile.name, []):
                points[profile.name] = points.get(profile.name, 0) + 1  # once, however many forms print them
                found.setdefault(profile.name, []).append(weights)
    ranked = sorted(points, key=lambda n: -points[n])
    candidates = tuple(n for n in ranked if points[n] > 0)
    if candidates:
        best = candidates[0]
        profile = profiles()[best]
        tied = [n for n in candidates[1:] if points[n] == points[best]]
        if points[best] >= profile.min_score and not tied and not _contradicted(book, profile, found[best]):
            evidence = sorted(found[best], key=lambda w: not w.startswith("地名"))  # a place first, then marks
            return Choice(profile, True, f"按{profile.label}口径（依据：{'，'.join(evidence[:3])}）", candidates)
    fallback = _assumed()
    if candidates:
        named = "、".join(profiles()[n].label for n in candidates[:4])
        reason = (f"不能确定是哪个省份的表（可能是：{named}），只按表上写明的分值校验，"
                  "只有某省口径才要求的检查没有进行；可用 --profile 指定")
    elif _province_named(text):  # a province no profile holds (上海): named, not "no mark"
        reason = (f"表上写的是{_province_named(text)}，本工具还没有{_province_named(text)}的评分口径，只按表上写明的"
                  "分值和财预〔2020〕10号校验，只有某省口径才要求的检查没有进行；可用 --profile 指定")
    else:
        reason = ("表上没有省份或地区的标志，只按表上写明的分值和财预〔2020〕10号校验，"
                  "只有某省口径才要求的检查没有进行；可用 --profile 指定")
    return Choice(fallback, False, reason, candidates)


_SILENT = "只按表上写明的分值和财预〔2020〕10号校验，只有某省口径才要求的检查没有进行；可用 --profile 指定"


def _stated(stated: str) -> Choice:
    """The profile a template's 填表说明 names (its label, or a profile's name), else not known, saying why."""
    where = f"模板“{INFO_SHEET}”中的评分口径"
    found = profiles().get(stated) or next((p for p in profiles().values() if p.label == stated), None)
    if found is not None:
        return Choice(found, True, f"按{found.label}口径（依据：{where}）", (found.name,))
    if stated == PROFILE_UNKNOWN:
        reason = f"{where}为“{stated}”（生成模板的原表看不出是哪个省份的表），{_SILENT}"
    elif not stated:
        reason = f"{where}没有填写，{_SILENT}"
    else:
        reason = f"{where}“{stated}”不是本工具的口径（可选的口径见 jixiao-xl profiles），{_SILENT}"
    return Choice(_assumed(), False, reason)


def _contradicted(book, profile: Profile, evidence: list[str]) -> bool:
    """Words alone ("项目决策", "项目管理": the older 绩效评价 framework's, printed in many provinces) name the profile,
    but a form prints 一级 weights its profile has not (海南 服务贸易: 项目决策 20 / 项目管理 25 / 项目绩效 55 against
    宁夏's 10 / 25 / 30 / 35): the province is not known.  A place named on the form outweighs the weights (a unit's
    wrong weight is what W105 is there to say)."""
    if not profile.level1 or any(w.startswith("地名") for w in evidence):
        return False
    want = {level1_name(k): v for k, v in profile.level1.items()}
    for form in getattr(book, "forms", ()):
        printed = {level1_name(level.name): level.weight for level in getattr(form, "levels", ())
                   if level.weight is not None and level.name}
        if len(printed) >= 2 and any(want.get(name) != weight for name, weight in printed.items()):
            return True
    return False


def _assumed() -> Profile:
    """The profile a check takes when the province is not known: the national one, marked as assumed."""
    return replace(get_profile(FALLBACK), known=False)


PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
             "内蒙古", "广西", "西藏", "宁夏", "新疆", "新疆生产建设兵团")
_PROVINCE = re.compile("|".join(sorted(PROVINCES, key=len, reverse=True)))


def _province_named(text: str) -> str:
    """The first province (省、自治区、直辖市) the texts name, "" when none."""
    found = _PROVINCE.search(text) if text else None
    return found.group(0) if found else ""
