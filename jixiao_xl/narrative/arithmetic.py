"""A report's own arithmetic: totals and their parts (before or after them, 其中 parts, a part above its total),
adjustments (年初 + 追加 − 调减 = 全年), rates against their figures, year-on-year changes.
"""

from __future__ import annotations

import re

from . import concepts as C
from . import extract as X
from .document import Paragraph
from .rules import (
    ADJUSTED,
    CHANGE,
    COUNT_SUM,
    PART_ABOVE,
    PART_SUM,
    RATE_TEXT,
)
from .statements import _PAREN, _num, _Run, excerpt

# ------------------------------------------------------------------ internal arithmetic


def _group(q: X.Quantity) -> str:
    if q.kind in ("length", "area"):
        return q.kind
    if q.kind == "count":
        return "count:" + X.EQUIVALENT.get(q.unit, q.unit)
    return q.kind


def _slack(q: X.Quantity) -> float:
    """How far the written figure may be from the true one: none for a whole count ("3次" is 3)."""
    if q.kind == "count":
        if q.decimals == 0 and q.value == int(q.number_written()):
            return 0.0
        return q.half_unit * (q.value / q.number_written() if q.number_written() else 1.0)
    return q.half_unit


def _exact_slack(qs: list[X.Quantity]) -> dict[int, float]:
    """Each amount's slack when the relation is written to its most precise figure: "30万元" beside
    "89.97万元" is 30 exactly, not 29.5 to 30.5."""
    amounts = [q for q in qs if q.kind == "amount"]
    if not amounts:
        return {}
    places = max(q.decimals - round(__import__("math").log10(X.AMOUNT_UNITS.get(q.unit, 1.0))) for q in amounts)
    if places <= 0:
        return {}
    # a round figure among figures with decimals was written round because it is: "30万元" beside "29.99万元"
    return {id(q): 0.0 if q.decimals == 0 else q.half_unit for q in amounts}


def _consistent(wholes: list[float], parts: list[float], tolerance: float) -> bool:
    total = sum(parts)
    if any(abs(total - w) <= tolerance for w in wholes):
        return True
    # nested: "其中出具意见275例，建议适用263例，建议不适用12例" — a part broken down by those after it
    for i in range(len(parts) - 1):
        if abs(parts[i] - sum(parts[i + 1:])) <= tolerance and any(abs(sum(parts[:i + 1]) - w) <= tolerance
                                                                    for w in wholes):
            return True
    return False


def _check_sum(run: _Run, para: Paragraph, text: str, whole_qs: list[X.Quantity], parts: list[X.Quantity],
               sentence_text: str, offset: int) -> None:
    if not whole_qs or len(parts) < 2:
        return
    if any(q.approx or q.bound for q in whole_qs[-1:] + parts):
        return
    if whole_qs[-1].kind not in ("amount", "count", "length", "area"):
        return
    exact = _exact_slack(whole_qs[-1:] + parts)

    def slack(q):
        return exact.get(id(q), _slack(q))

    tolerance = sum(slack(q) for q in parts) + max(slack(q) for q in whole_qs) + 1e-9
    if _consistent([w.value for w in whole_qs], [p.value for p in parts], tolerance):
        return
    whole = whole_qs[-1]
    total = sum(p.value for p in parts)
    shown = excerpt(sentence_text.strip(), whole.start - offset, parts[-1].end - offset)
    if whole.kind == "amount":
        # shown in the total's own unit: "送审金额 35.43 亿元，其中各项之和 24.79 + 11.63 = 36.42 亿元"
        unit = whole.unit if whole.unit in ("亿元", "元") else "万元"
        k = X.AMOUNT_UNITS[unit]
        run.add(PART_SUM, para, round(whole.value, 4), round(total, 4), excerpt=shown,
                whole_label=whole.label or "合计", whole=_num(whole.value / k), unit=unit,
                parts=" + ".join(_num(p.value / k) for p in parts), total=_num(total / k),
                diff=_num(abs(total - whole.value) / k))
    else:
        scale = X.measure_scale(whole.unit) if whole.kind in ("length", "area") else 1.0
        run.add(COUNT_SUM, para, whole.value, total, excerpt=shown, whole_label=whole.label or "总数",
                whole=whole.text, parts=" + ".join(p.text for p in parts),
                total=(format(round(total / scale, 6), "g") if scale != 1.0 else _num(total)) + whole.unit)


def check_sums(run: _Run, paragraphs: list[Paragraph]) -> None:
    texts = [X.normalise(p.text) for p in paragraphs]
    for i, (para, text) in enumerate(zip(paragraphs, texts)):
        spans = [m.span() for m in _PAREN.finditer(text)]
        previous: X.Sentence | None = None
        for sentence in X.sentences(text):
            s_end = sentence.start + len(sentence.text)
            last, previous = previous, sentence
            for m in _OPENER.finditer(sentence.text):
                k = sentence.start + m.start()
                paren = next((s for s in spans if s[0] < k < s[1]), None)
                if m.group(0) != "其中":  # "1762.55万元中，…", "1700万元，包括…和…": the figure just before is the total
                    if paren:
                        continue
                    touching = [q for q in sentence.quantities if q.end <= k and q.kind != "percent"
                                and _JOINED.fullmatch(text[q.end:k])][-1:]
                    if not touching or (m.group(0) == "中" and touching[0].end != k):
                        continue
                if paren:
                    inside = [q for q in sentence.quantities if paren[0] < q.start < paren[1]]
                    before = [q for q in sentence.quantities if q.end <= paren[0]][-1:]
                    parts = [q for q in inside if q.start > k and q.kind != "percent"]
                else:
                    outside = [q for q in sentence.quantities if not any(a < q.start < b for a, b in spans)]
                    before = [q for q in outside if q.end <= k and q.kind != "percent"]
                    if m.group(0) != "其中":
                        before = touching
                    parts = [q for q in outside if q.start > k and q.kind != "percent"]
                    nxt = _OPENER.search(sentence.text[m.end():])
                    if nxt:  # a later 其中 starts another breakdown
                        stop = sentence.start + m.end() + nxt.start()
                        parts = [q for q in parts if q.start < stop]
                if not parts:
                    if not sentence.text[m.end():].strip(" :：,，") and s_end >= len(text.rstrip("。 ")):
                        _paragraph_parts(run, i, paragraphs, texts, [q for q in before])
                    continue
                all_parts = parts
                # each kind of figure is its own breakdown: "其中预算173宗，送审金额23.79亿元…": 宗 and 亿元 apart
                for group in dict.fromkeys(_group(q) for q in all_parts):
                    parts = [q for q in all_parts if _group(q) == group]
                    wholes = [q for q in before if _group(q) == group]
                    if not wholes and last is not None and not sentence.text[:m.start()].strip():
                        # "“三公”经费支出12.88万元，比上年减少4.12万元。其中：…": the total of the sentence before
                        wholes = [q for q in last.quantities if _group(q) == group and C.is_level(q.label)]
                        if wholes:
                            joined = text[last.start:s_end]
                            _breakdown(run, para, text, wholes, parts, joined, last.start)
                        continue
                    _breakdown(run, para, text, wholes, parts, sentence.text, sentence.start)


# what opens a breakdown: 其中, and right after its total "…万元中，", "…万元，包括/包含 … 和 …"
_OPENER = re.compile(r"其中|中(?=[，,：:])|包括|包含")
_JOINED = re.compile(r"[，,：:\s]?")  # between the total and 包括: at most one mark

# a breakdown by level of the indicator tree: "其中一级指标3个，二级指标9个，三级指标12个" are not parts of the 12
_LEVEL = re.compile(r"[一二三四1-4]级")
# the words of a label that say which column of a repeated series it is: "送审金额", "审定金额", "核减"
_SERIES_WORDS = re.compile(r"[\u4e00-\u9fff]{2,6}$")
# a figure that opens its clause with these is not a category of the breakdown before it
_NOT_A_PART = re.compile(r"^(?:此外|另外|另有|另|同时|以及)")


def _series_key(label: str) -> str:
    match = _SERIES_WORDS.search(C.clean(label).rstrip("为是共达计"))
    return match.group(0)[-4:] if match else ""


def _tolerance(wholes: list[X.Quantity], parts: list[X.Quantity]) -> float:
    return sum(_slack(q) for q in parts) + max(_slack(q) for q in wholes) + 1e-9


def _part_above(run: _Run, para: Paragraph, whole: X.Quantity, part: X.Quantity, sentence_text: str,
                offset: int) -> None:
    if whole.approx or whole.bound or part.approx or part.bound or whole.value <= 0:
        return
    if part.value <= whole.value + _slack(part) + _slack(whole) + 1e-9:
        return
    shown = excerpt(sentence_text.strip(), whole.start - offset, part.end - offset)
    run.add(PART_ABOVE, para, round(whole.value, 4), round(part.value, 4), excerpt=shown,
            part_label=part.label or "其中", part=part.text, whole_label=whole.label or "总数", whole=whole.text)


def _breakdown(run: _Run, para: Paragraph, text: str, wholes: list[X.Quantity], parts: list[X.Quantity],
               sentence_text: str, offset: int) -> None:
    """The parts after a 其中 against the total before it, when the words make them parts of it.

    Not parts: levels of the indicator tree ("其中一级指标3个…"), a figure opened by 此外/另有, and a figure
    equal to the total written again after the parts ("…，2021年度中央下达资金61.8万元").  With several totals
    of one kind before the 其中 ("送审金额35.43亿元，审定金额32.66亿元，其中预算…送审金额23.79亿元，
    审定金额21.81亿元…"), each total takes the parts its words name; when none do, nothing is said.
    """
    if not wholes or not parts:
        return
    if any(_LEVEL.search(C.clean(q.label)) for q in parts):
        return
    parts = [q for q in parts if not _NOT_A_PART.match(q.label)]
    cut = next((k for k, q in enumerate(parts) if _ADJUST.search(C.clean(q.label))), None)
    if cut is not None and any(_NET.search(C.clean(q.label)) for q in parts[cut + 1:]):
        # "…孤儿基本生活保障金11万元，调减40万元，全年实际下达71万元": an adjustment and its net end the parts
        parts = parts[:cut]
    if len(wholes) > 1 and parts:
        biggest = max(q.value for q in parts)
        large = [w for w in wholes if w.value + _slack(w) >= biggest]
        if len(large) == 1:
            wholes = large
    if len(wholes) > 1:
        for whole in wholes:
            key = _series_key(whole.label)
            named = [q for q in parts if key and _series_key(q.label) == key]
            if len(named) >= 2:
                _check_sum(run, para, text, [whole], named, sentence_text, offset)
        return
    whole = wholes[-1]
    if len(parts) >= 2:
        tol = _tolerance([whole], parts)
        kept = [q for q in parts if abs(q.value - whole.value) > tol]
        if len(kept) < len(parts) and len(kept) >= 2:
            parts = kept
    if len(parts) == 1:
        _part_above(run, para, whole, parts[0], sentence_text, offset)
        return
    _check_sum(run, para, text, [whole], parts, sentence_text, offset)


def check_included(run: _Run, paragraphs: list[Paragraph]) -> None:
    """"985万元（含1个年初结转结余项目50万元）": what the brackets include is not more than the figure before them."""
    for para in paragraphs:
        text = X.normalise(para.text)
        if "含" not in text:
            continue
        for m in _PAREN.finditer(text):
            if not re.match(r"[(（]\s*(?:其中|含|包含|包括)", m.group(0)):
                continue
            for sentence in X.sentences(text):
                if not sentence.start <= m.start() < sentence.start + len(sentence.text):
                    continue
                before = [q for q in sentence.quantities if q.end <= m.start() and m.start() - q.end <= 1]
                if not before:
                    continue
                whole = before[-1]
                inside = [q for q in sentence.quantities if m.start() < q.start < m.end()
                          and _group(q) == _group(whole)]
                if len(inside) == 1:
                    _part_above(run, para, whole, inside[0], sentence.text, sentence.start)


# an adjustment of the figure before it and the amount after it
_ADJUST = re.compile(r"(追加|调增|调减|核减|收回|压减|增加|减少)(?:调整)?(?:预算数?|资金|经费){0,2}$")  # "年中追加预算"
_ADJUST_SIGN = {"追加": 1, "调增": 1, "增加": 1, "调减": -1, "核减": -1, "收回": -1, "压减": -1, "减少": -1}
_NET = re.compile(r"(全年|实际|调整后|最终|合计|共计)")


def check_adjustments(run: _Run, paragraphs: list[Paragraph]) -> None:
    """"年初安排100万元，追加11万元，后调减40万元，全年实际下达71万元": 100 + 11 − 40 = 71 (T109)."""
    for para in paragraphs:
        text = X.normalise(para.text)
        if not any(word in text for word in _ADJUST_SIGN):
            continue
        spans = [m.span() for m in _PAREN.finditer(text)]
        for sentence in X.sentences(text):
            qs = [q for q in sentence.quantities if q.kind == "amount"
                  and not any(a < q.start < b for a, b in spans)]
            k = next((i for i, q in enumerate(qs) if _ADJUST.search(C.clean(q.label).rstrip("了"))), None)
            if k is None or k == 0:
                continue
            j = k
            steps = []
            while j < len(qs) and (m := _ADJUST.search(C.clean(qs[j].label).rstrip("了"))):
                steps.append((_ADJUST_SIGN[m.group(1)], qs[j]))
                j += 1
            if j >= len(qs) or not _NET.search(C.clean(qs[j].label)):
                continue
            net = qs[j]
            before = sentence.text[:qs[k].start - sentence.start]
            # the base: the figure before the adjustments, or before the 其中 that lists its parts
            q_start = before.rfind("其中")
            base_candidates = [q for q in qs[:k] if q_start < 0 or q.start - sentence.start < q_start]
            if not base_candidates:
                continue
            base = base_candidates[-1]
            figures = [base, net] + [q for _, q in steps]
            if any(q.approx or q.bound for q in figures):
                continue
            computed = base.value + sum(sign * q.value for sign, q in steps)
            tolerance = sum(q.half_unit for q in figures) + 1e-9
            if abs(computed - net.value) <= tolerance:
                continue
            shown = excerpt(sentence.text.strip(), base.start - sentence.start, net.end - sentence.start)
            chain = _num(base.value) + "".join(f" {'+' if sign > 0 else '−'} {_num(q.value)}" for sign, q in steps)
            run.add(ADJUSTED, para, round(computed, 4), round(net.value, 4), excerpt=shown,
                    base_label=base.label or "原数", chain=chain, computed=_num(computed),
                    net_label=net.label or "调整后", net=_num(net.value))


# a total written after its parts: "…3.2万元；共计40.83万元", "合计批复总投资6222.4万元"
_TOTAL_AFTER = re.compile(r"^(?:合计|共计|总计)")


def check_totals_after(run: _Run, paragraphs: list[Paragraph]) -> None:
    for para in paragraphs:
        text = X.normalise(para.text)
        spans = [m.span() for m in _PAREN.finditer(text)]
        previous = None
        for sentence in X.sentences(text):
            qs = sentence.quantities
            start = 0
            last, previous = previous, sentence
            if len(qs) == 1 and last is not None and _TOTAL_AFTER.match(sentence.text.strip()):
                # "…基本公共卫生服务项目3万元。共计下达中央、市级转移支付资金3580.69万元。"
                _total_of(run, para, text, qs[0], [q for q in last.quantities if _group(q) == _group(qs[0])
                                                   and not any(a < q.start < b for a, b in spans)],
                          text[last.start:sentence.start + len(sentence.text)], last.start)
            for j, total in enumerate(qs):
                if not _TOTAL_AFTER.match(C.clean(total.label)) or total.kind not in ("amount", "count", "length",
                                                                                       "area"):
                    continue
                inside = next((sp for sp in spans if sp[0] < total.start < sp[1]), None)
                group = _group(total)
                candidates = [q for q in qs[start:j] if _group(q) == group
                              and next((sp for sp in spans if sp[0] < q.start < sp[1]), None) == inside]
                start = j + 1
                outside = sentence.text[:total.start - sentence.start]
                for a, b in sorted(spans, reverse=True):
                    if a >= sentence.start and b <= total.start:
                        outside = outside[:a - sentence.start] + outside[b - sentence.start:]
                if "其中" in outside:
                    continue  # the 其中 reading covers it
                _total_of(run, para, text, total, candidates, sentence.text, sentence.start)
            _bracketed_totals(run, para, text, sentence, spans)


def _total_of(run: _Run, para: Paragraph, text: str, total: X.Quantity, candidates: list[X.Quantity],
              shown_text: str, offset: int) -> None:
    """A 合计/共计 against the figures listed before it: right when they, or the last few of them, add up to it;
    not said when one of them is bigger than the total (then they are not its parts)."""
    if len(candidates) < 2 or any(q.approx or q.bound for q in candidates + [total]):
        return
    tol = _tolerance([total], candidates)
    if any(abs(sum(q.value for q in candidates[k:]) - total.value) <= tol for k in range(len(candidates) - 1)):
        return
    if any(q.value > total.value + tol for q in candidates):
        return
    _check_sum(run, para, text, [total], candidates, shown_text, offset)


def _bracketed_totals(run: _Run, para: Paragraph, text: str, sentence: X.Sentence, spans: list) -> None:
    """"一批…3374.3万元(其中建筑工程3292万元)，二批…(其中建筑工程1975.775万元)…，合计…6222.4万元(其中建筑工程
    6025.215万元)": the bracketed figure after a 合计 is the sum of the bracketed figures of the same words."""
    def span_of(q):
        return next((sp for sp in spans if sp[0] < q.start < sp[1]), None)

    qs = sentence.quantities
    for j, outer in enumerate(qs[:-1]):
        inner = qs[j + 1]
        if not _TOTAL_AFTER.match(C.clean(outer.label)) or span_of(outer) or not span_of(inner):
            continue
        key = _series_key(inner.label)
        parts = [q for q in qs[:j] if span_of(q) and _group(q) == _group(inner) and key
                 and _series_key(q.label) == key]
        if len(parts) >= 2:
            _check_sum(run, para, text, [inner], parts, sentence.text, sentence.start)


# a rate and the two figures it is made of, in one sentence
_RATE_WORDS = re.compile(r"(执行率|支付率|到位率|完成率|拨付率|支出率)(?:为|达|达到|是)?$")
_UNSPENT = re.compile(r"未支|未付|未拨|结余|未使用|剩余")
_DONE = re.compile(r"执行|支出|支付|拨付|到位|完成|使用|实际")
_PLANNED = re.compile(r"预算|安排|下达|计划|资金|总额|共")


def check_rates(run: _Run, paragraphs: list[Paragraph]) -> None:
    for para in paragraphs:
        text = X.normalise(para.text)
        if "率" not in text:
            continue
        previous = None
        for sentence in X.sentences(text):
            after = 0
            last, previous = previous, sentence
            for q in sentence.quantities:
                if q.kind != "percent":
                    continue
                figures = [a for a in sentence.quantities if after <= a.start < q.start and a.kind == "amount"]
                first_rate = after == 0
                after = q.end
                if first_rate and last is not None:
                    earlier = [a for a in last.quantities if a.kind == "amount"]
                    if not figures and len(earlier) == 2:
                        # "实际执行飞行经费9109.54万元，结余689.66万元，为中央补助资金。项目执行率92.96%。"
                        figures = earlier
                    elif len(figures) == 1 and _DONE.search(figures[0].label) and len(earlier) == 1 \
                            and _PLANNED.search(earlier[0].label) and not _DONE.search(earlier[0].label):
                        # "…14856.17万元资金全部拨付到位…。实际形成支出14474.11553万元，支出率97.43%。"
                        figures = earlier + figures
                rate = _RATE_WORDS.search(C.clean(q.label))
                if q.approx or q.bound or any(a.approx or a.bound for a in figures):
                    continue
                if rate and len(figures) != 2:
                    continue
                if not rate:
                    _named_rate(run, para, sentence, q, figures)
                    continue
                a, b = figures
                unspent = [f for f in figures if _UNSPENT.search(f.label)]
                if len(unspent) == 1:
                    done = b if unspent[0] is a else a
                    num, den, den_text = done.value, done.value + unspent[0].value, f"({done.text} + {unspent[0].text})"
                    den_half = done.half_unit + unspent[0].half_unit
                elif _DONE.search(b.label) and _PLANNED.search(a.label) and not _DONE.search(a.label):
                    num, den, den_text, den_half = b.value, a.value, a.text, a.half_unit
                else:
                    continue
                done = b if num == b.value else a
                if den <= 0 or num <= 0:
                    continue
                computed = num / den
                slack = q.half_unit + computed * (done.half_unit / num + den_half / den) + 1e-9
                if abs(computed - q.value) > slack:
                    shown = excerpt(sentence.text.strip(), max(0, a.start - sentence.start), q.end - sentence.start)
                    run.add(RATE_TEXT, para, round(computed, 6), round(q.value, 6), excerpt=shown,
                            rate_label=rate.group(1), numerator=done.text, denominator=den_text,
                            computed=f"{computed * 100:.{max(q.decimals, 2)}f}%", stated=q.text)


# year-on-year: "支出12.88万元，上年支出17万元，比上年减少4.12万元，下降24.24%"
_PREVIOUS_YEAR = re.compile(r"上年|上一年|去年")
_CHANGE_WORDS = re.compile(r"(增加|增长|上升|提高|减少|下降|降低)了?$")
_DOWN = ("减少", "下降", "降低")
_YEAR_OF = re.compile(r"(20\d{2})年")  # the year a figure's words give it


def check_changes(run: _Run, paragraphs: list[Paragraph]) -> None:
    """The change from last year against both years' figures written in the same sentence (T110)."""
    for para in paragraphs:
        text = X.normalise(para.text)
        if not _PREVIOUS_YEAR.search(text) and "同比" not in text:
            continue
        last_sentence = None
        for sentence in X.sentences(text):
            if _PREVIOUS_YEAR.search(sentence.text) or "同比" in sentence.text:
                _change_in_sentence(run, para, text, sentence, last_sentence)
            last_sentence = sentence


def _change_in_sentence(run: _Run, para: Paragraph, text: str, sentence, last_sentence) -> None:
    """One sentence naming last year: this year's figure, last year's, the change and its rate, if it states them."""
    qs = [q for q in sentence.quantities if q.kind in ("amount", "percent") and not q.approx and not q.bound]
    amounts = [q for q in qs if q.kind == "amount"]
    current = [q for q in amounts if C.is_level(q.label) and not _PREVIOUS_YEAR.search(q.label)]
    if not current and last_sentence is not None and re.match(r"\s*(?:与上年相比|比上年|较上年|同比)",
                                                               sentence.text):
        # "…“三公”经费总支出为1928.76万元。与上年相比，…支出减少了1093.92万元，下降了36.2%。"
        earlier = [q for q in last_sentence.quantities if q.kind == "amount" and not q.approx
                   and not q.bound and C.is_level(q.label)]
        current = earlier if len(earlier) == 1 else []
    previous = [q for q in amounts if C.is_level(q.label) and _PREVIOUS_YEAR.search(q.label)]
    if not previous and len(current) == 2:  # "2024年…17.23万元，2023年…18.7万元，比上年下降8.5%": the years say which
        years = [_YEAR_OF.search(q.label) for q in current]
        words = sorted((C.clean(_YEAR_OF.sub("", q.label)) for q in current), key=len)  # the same figure of two years
        if all(years) and int(years[0].group(1)) - int(years[1].group(1)) in (1, -1) and words[1].endswith(words[0]):
            current, previous = sorted(current, key=lambda q: -int(_YEAR_OF.search(q.label).group(1)))[:1], \
                sorted(current, key=lambda q: int(_YEAR_OF.search(q.label).group(1)))[:1]
    deltas = [q for q in amounts if _CHANGE_WORDS.search(C.clean(q.label))]
    pcts = [q for q in qs if q.kind == "percent" and _CHANGE_WORDS.search(C.clean(q.label))]
    if len(current) != 1 or len(previous) > 1 or len(deltas) > 1 or len(pcts) > 1:
        return
    a = current[0]
    b = previous[0] if previous else None
    delta = deltas[0] if deltas else None
    pct = pcts[0] if pcts else None
    if delta is not None and b is not None and delta.start < b.start:
        return
    if delta is not None and delta.start < a.start and a.start >= sentence.start:
        return
    first = a if b is None else min(a, b, key=lambda q: q.start)
    last = max([q for q in (a, b, delta, pct) if q is not None], key=lambda q: q.end)
    whole = text[min(first.start, sentence.start):sentence.start + len(sentence.text)]
    shown = excerpt(whole.strip(), first.start - min(first.start, sentence.start),
                    last.end - min(first.start, sentence.start))

    def sign(q):
        return -1 if _CHANGE_WORDS.search(C.clean(q.label)).group(1) in _DOWN else 1

    exact = _exact_slack([q for q in (a, b, delta) if q is not None])

    def half(q, exact=exact):
        return exact.get(id(q), q.half_unit)

    if b is not None and delta is not None:
        computed = a.value - b.value
        if abs(computed - sign(delta) * delta.value) > half(a) + half(b) + half(delta) + 1e-9:
            run.add(CHANGE, para, round(computed, 4), round(sign(delta) * delta.value, 4), excerpt=shown,
                    what=f"{a.text} − {b.text} = {_num(computed)} 万元",
                    computed=("增加" if computed >= 0 else "减少") + f" {_num(abs(computed))} 万元",
                    stated=f"{_CHANGE_WORDS.search(C.clean(delta.label)).group(1)} {delta.text}")
            return
    if pct is None:
        return
    if b is not None:
        base, change, slack_in = b.value, a.value - b.value, half(a) + half(b)
        what = f"({a.text} − {b.text}) ÷ {b.text}"
    elif delta is not None:
        change = sign(delta) * delta.value
        base, slack_in = a.value - change, half(a) + half(delta)
        what = f"{delta.text} ÷ ({a.text} {'−' if change >= 0 else '+'} {delta.text})"
    else:
        return
    if base <= 0:
        return
    computed = change / base
    stated = sign(pct) * pct.value
    slack = pct.half_unit + (slack_in / base) * (1 + abs(computed)) + 1e-9
    if abs(computed - stated) > slack:
        run.add(CHANGE, para, round(computed, 6), round(stated, 6), excerpt=shown, what=f"增减幅度 {what}",
                computed=("增长" if computed >= 0 else "下降") + f" {abs(computed) * 100:.{max(pct.decimals, 2)}f}%",
                stated=f"{_CHANGE_WORDS.search(C.clean(pct.label)).group(1)} {pct.text}")


# "送审金额35.43亿元，审定金额32.66亿元，核减2.77亿元，核减率7.82%": the rate of the figure its word names, on the
# figure the others are taken from
_NAMED_RATE = re.compile(r"([\u4e00-\u9fff]{2})率(?:为|达|是)?$")
_BASE = re.compile(r"送审|预算|计划|安排|下达|总额|合计")


def _named_rate(run: _Run, para: Paragraph, sentence: X.Sentence, q: X.Quantity, figures: list[X.Quantity]) -> None:
    named = _NAMED_RATE.search(C.clean(q.label))
    if not named or _CHANGE_WORDS.search(named.group(1)) or len(figures) < 2:
        return
    word = named.group(1)
    numerators = [f for f in figures if C.clean(f.label).endswith(word)]
    bases = [f for f in figures if _BASE.search(f.label) and f not in numerators]
    if len(numerators) != 1 or not bases:
        return
    num, den = numerators[0], bases[0]
    if den.value <= 0 or num.value <= 0 or den.start > num.start:
        return
    computed = num.value / den.value
    slack = q.half_unit + computed * (num.half_unit / num.value + den.half_unit / den.value) + 1e-9
    if abs(computed - q.value) > slack:
        shown = excerpt(sentence.text.strip(), den.start - sentence.start, q.end - sentence.start)
        run.add(RATE_TEXT, para, round(computed, 6), round(q.value, 6), excerpt=shown, rate_label=f"{word}率",
                numerator=num.text, denominator=den.text, computed=f"{computed * 100:.{max(q.decimals, 2)}f}%",
                stated=q.text)


# a document number: "呼财农指【2023】41号", "皖财农〔2020〕1351号"
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,8}[〔【\[(（]\s*(?:19|20)\d{2}\s*[〕】\])）]\s*\d+\s*号")


def _paragraph_parts(run: _Run, i: int, paragraphs: list[Paragraph], texts: list[str],
                     wholes: list[X.Quantity]) -> None:
    """"…基本支出1322.23万元，其中：" with the parts as the first figure of each following paragraph."""
    wholes = [q for q in wholes if q.kind == "amount"]
    if not wholes:
        return
    parts = []
    for j in range(i + 1, min(i + 12, len(paragraphs))):
        found = X.quantities(texts[j])
        if not found or found[0].kind != "amount" or found[0].start > 30:
            break
        parts.append(found[0])
    if len(parts) < 2 or any(q.approx for q in parts + wholes[-1:]):
        return
    tolerance = sum(q.half_unit for q in parts) + wholes[-1].half_unit + 1e-9
    if _consistent([w.value for w in wholes], [p.value for p in parts], tolerance):
        return
    whole = wholes[-1]
    total = sum(p.value for p in parts)
    names = "、".join(f"{p.label}{p.text}" for p in parts)
    run.add(PART_SUM, paragraphs[i], round(whole.value, 4), round(total, 4),
            excerpt=excerpt(texts[i]) + f"（其后各段：{names}）", whole_label=whole.label or "合计",
            whole=_num(whole.value), parts=" + ".join(_num(p.value) for p in parts), total=_num(total),
            diff=_num(abs(total - whole.value)), unit="万元")
