"""三级 rows with rows under them: a heading over numbered items, an indicator over its "其中" parts.

云南 隆阳 2022 prints "一、示范区建立 … 15" over "1、… 5", "2、… 5", "3、… 5" in one 二级指标: the 15 is the sum of
the items, and counting every row counts it twice.  安徽 萧县 2023 prints "★补助各类瓜果蔬菜种植面积 20" over
"其中桃树种植面积", "其中苹果树…" with no 分值 or 得分: parts of the one indicator, not indicators of their own.

A group is told by the text first (the head's number is of a higher rank than its items', "一、" over "1、", or
the items start with "其中"), then by the numbers; see ``model.Group`` for what each kind counts.  Nothing here
guesses: when head and items both carry numbers that do not add up, every row stays an indicator as read and
the group is "unsure" (the sums that depend on it are not judged, W110 says why).
"""

from __future__ import annotations

import re

from .model import Group, Indicator, SelfEval, num

_CN = "一二三四五六七八九十"
# rank of a row's numbering, highest first: "一、" > "（一）" > "1、" / "1." > "（1）" / "1）" > "①"
_RANKS = (
    (0, re.compile(rf"^[{_CN}]+\s*[、.．]")),
    (1, re.compile(rf"^[（(]\s*[{_CN}]+\s*[）)]")),
    (2, re.compile(r"^(\d+)\s*(?:[、．]|\.(?!\d))")),
    (3, re.compile(r"^(?:[（(]\s*(\d+)\s*[）)]|(\d+)\s*[）)])")),
    (4, re.compile(r"^[①-⑳]")),
)
_FIRST = re.compile(rf"^(?:[（(]\s*)?(?:1|一)(?!\d|[{_CN}])|^①")  # an item numbered 1 / 一 / ①
_PART = re.compile(r"^其中")
_TOLERANCE = 0.005


def _name(ind: Indicator) -> str:
    return ind.level3.text.replace("\n", "").lstrip("★☆*＊ ")


def rank(ind: Indicator) -> int | None:
    """The rank of the row's numbering (0 "一、" … 4 "①"), None when it is not numbered."""
    name = _name(ind)
    for value, pattern in _RANKS:
        if pattern.match(name):
            return value
    return None


def _blank(ind: Indicator) -> bool:
    """Neither 分值 nor 得分 holds anything."""
    return all(c is None or c.blank for c in (ind.weight, ind.score))


def _items(rows: list[Indicator], i: int) -> tuple[list[Indicator], bool]:
    """The rows under ``rows[i]`` ([] when none) and whether they are "其中" parts."""
    head = rows[i]
    run: list[Indicator] = []
    for row in rows[i + 1:]:
        if row.level2 != head.level2 or row.level1 != head.level1:
            break
        run.append(row)
    if not run:
        return [], False
    if _PART.match(_name(run[0])):
        items = []
        for row in run:
            if not _PART.match(_name(row)):
                break
            items.append(row)
        return items, True
    head_rank, item_rank = rank(head), rank(run[0])
    if item_rank is None or (head_rank is not None and item_rank <= head_rank) \
            or (head_rank is None and item_rank < 2) or not _FIRST.match(_name(run[0])):
        return [], False
    items = []
    for row in run:
        r = rank(row)
        if r == item_rank:
            items.append(row)
        elif r is not None and r > item_rank:
            return [], False  # a third level under the items: not a layout read here
        else:
            break
    return (items, False) if len(items) >= 2 else ([], False)


def _sum(cells) -> float | None:
    values = [num(c) for c in cells if c is not None]
    values = [v for v in values if v is not None]
    return round(sum(values), 6) if values else None


def _classify(head: Indicator, items: list[Indicator], parts: bool) -> Group | None:
    head_blank, items_blank = _blank(head), all(_blank(i) for i in items)
    if head_blank and items_blank:
        return None  # nothing typed yet: no sum depends on it
    if items_blank:
        return Group(head, items, "parts")
    if head_blank:
        return Group(head, items, "heading")
    # both carry numbers: the 分值 decide when the form has them, else the 得分 (保山: no 分值 column)
    weighted = head.weight is not None and (num(head.weight) is not None
                                            or any(num(i.weight) is not None for i in items))
    column = "weight" if weighted else "score"
    if getattr(head, column) is None:
        return None  # the head has no such cell (no 得分 column): nothing to hold its items against, rows as read
    stated, total = num(getattr(head, column)), _sum(getattr(i, column) for i in items)
    if stated is not None and total is not None and abs(stated - total) <= _TOLERANCE:
        return Group(head, items, "subtotal", column)
    if rank(head) is None and not parts:
        return None  # an unnumbered row before "1、…" rows that do not add up to it: rows of their own
    return Group(head, items, "unsure", column)


def find_groups(form: SelfEval) -> None:
    """Finds the groups of each 一级 band; their rows that do not count move from ``indicators`` to ``aside``."""
    for level in form.levels:
        rows, i = level.indicators, 0
        aside: list[Indicator] = []
        while i < len(rows):
            items, parts = _items(rows, i)
            group = _classify(rows[i], items, parts) if items else None
            if group is None:
                i += 1
                continue
            form.groups.append(group)
            aside += group.aside
            i += 1 + len(items)
        if aside:
            ids = {id(a) for a in aside}
            level.indicators = [r for r in rows if id(r) not in ids]
            level.aside = aside
