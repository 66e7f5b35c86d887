"""What every rule module shares: the run context and small comparisons."""

from __future__ import annotations

import re
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Callable

from ..compute.results import Results, Row, SelfEvalResults, indicator_rows, results
from ..read.model import BasicData, Cell, SelfEval
from ..compute.profiles import Profile, get_profile
from ..read.values import RATE_POINTS_THRESHOLD, fmt_number, nfkc


@dataclass
class Context:
    """One check's shared values: what several rules ask of the same form or row is computed once.

    Everything is kept here, not on the forms, so it goes when the check ends (a worker checks thousands of
    workbooks).  Entries are keyed by ``id`` and keep their object alive, so an id stays its object's own
    while the context lives.
    """

    profile: Profile = field(default_factory=get_profile)
    profile_known: bool = True  # the province is known (--profile, or detect.choose sure of it)
    choice_reason: str = ""  # how the profile was chosen, when it was chosen from the workbook
    history: object = None  # the store's lookup of the unit's previous year (store.BoundHistory), with --store
    _results: dict = field(default_factory=dict)
    _kept: dict = field(default_factory=dict)

    def results(self, form) -> Results:
        """``compute.results`` of a form, once per check: the record every rule, D001 and the report read."""
        kept = self._results.get(id(form))
        if kept is None or kept[0] is not form:
            rows = None if isinstance(form, BasicData) else indicator_rows(form, self.profile)
            kept = self._results[id(form)] = (form, results(form, self.profile, rows))
        return kept[1]

    def opened(self, form):
        """``derive.as_opened`` of a form (its formulas saved without a result worked out), once per check."""
        key = ("opened", id(form))
        kept = self._kept.get(key)
        if kept is None or kept[0] is not form:
            from ..compute.derive import as_opened

            kept = self._kept[key] = (form, as_opened(form, self.profile, self.results(form)))
        return kept[1]

    def rows(self, form: SelfEval) -> tuple[Row, ...]:
        """The judged 三级指标 rows of a form: its results' own (``SelfEvalResults.rows``), read once per check."""
        res = self.results(form)
        return res.rows if isinstance(res, SelfEvalResults) else ()

    def once(self, make: Callable, obj, *args):
        """``make(obj, *args)``, computed once per check (``make`` a module-level function: it is part of the
        key, with ``args``)."""
        key = (make, id(obj), *args)
        kept = self._kept.get(key)
        if kept is None or kept[0] is not obj:
            kept = self._kept[key] = (obj, make(obj, *args))
        return kept[1]


def differs(stated: float | None, expected: float | None, tolerance: float) -> bool:
    """True when both are known and differ by more than the tolerance."""
    if stated is None or expected is None:
        return False
    return abs(stated - expected) > tolerance + 1e-9


_LAST_NUMBER = re.compile(r"[-+]?\d+(?:\.(\d+))?(?!.*\d)")


def typed_decimals(value: float) -> int:
    """The decimals a number was typed with, float noise aside: 0.8618 and 0.86180000000001 both 4, 5e-05 5,
    100.0 none (12 significant digits: more than a cell shows, fewer than the noise of a sum)."""
    text = f"{value:.12g}"  # "g" drops trailing zeros: "0.8618", "100", "5e-05"
    if "e" not in text:
        dot = text.find(".")
        return 0 if dot < 0 else len(text) - dot - 1
    exponent = Decimal(text).normalize().as_tuple().exponent  # 5e-05, 1.5e+20, inf, nan
    return max(0, -exponent) if isinstance(exponent, int) else 0


def rate_differs(cell: Cell | None, found: float | None, expected: float | None, tolerance: float) -> bool:
    """A stated rate against the computed one, at the precision it states (``shown_tolerance``).  A rate equal to
    the computed one (a formula's result: nearly every rate) is right at any precision, so its cell's number
    format, read from the file only when asked (``Cell.shown`` pending), is read only for a rate that differs."""
    # right when equal (a formula's result); wrong at any precision a rate can state past whole percentage points
    return _differs_as_stated(cell, found, expected, tolerance, 1e-12, COARSEST_RATE + 1e-9, rate=True)


def _differs_as_stated(cell: Cell | None, found: float | None, expected: float | None, tolerance: float,
                       right_within: float, wrong_beyond: float, rate: bool = False) -> bool:
    """``rate_differs`` and ``score_differs``: a gap up to ``right_within`` is right and one beyond
    ``wrong_beyond`` wrong whatever the cell states; only between them is the cell's stated precision (and so,
    for a number, perhaps its format in the file) asked."""
    if found is None or expected is None:
        return False
    gap = abs(found - expected)
    if gap <= right_within:
        return False
    if gap > wrong_beyond:
        return True
    return differs(found, expected, shown_tolerance(cell, tolerance, rate=rate))


# half a percentage point: the most any stated rate is allowed (shown_tolerance), "86%" for 86.4 %
COARSEST_RATE = 0.005


def stated_places(cell: Cell | None) -> tuple[int, bool, float] | None:
    """How precisely a cell states its number: (decimals, in percentage points, |value|), None when that cannot be
    told (blank, a boolean, words without a number).

    A number in a cell whose format fixes its decimals counts as it shows (``Cell.shown``: 0.8619 in a 0.0% cell
    states 86.2 %, 99 in a 0.0 cell 99.0), else as typed (float noise aside: ``typed_decimals``); a number typed
    as text counts the decimals written, trailing zeros included ("99.0分" states one decimal, "100%" none)."""
    if cell is None:
        return None
    raw = cell.raw
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, (int, float)):
        value = abs(float(raw))
        if value != value or value == float("inf"):
            return None
        digits, percent = typed_decimals(value), False
        shown = cell.shown
        if shown is not None and shown.__class__ is not tuple:  # the file's formats, read now (reader.PendingFormats)
            shown.resolve()
            shown = cell.shown
        if shown is not None:  # the format shows between its fewest and most decimals, as Excel rounds
            fewest, most = shown
            if cell.percent:
                digits, percent = max(fewest, min(max(digits - 2, 0), most)), True
            else:
                digits = max(fewest, min(digits, most))
        return digits, percent, value
    text = nfkc(str(raw)).strip()
    match = _LAST_NUMBER.search(text.replace(",", ""))
    if not match:
        return None
    return len(match.group(1) or ""), text.endswith("%"), abs(float(match.group(0)))


def shown_tolerance(cell: Cell | None, tolerance: float, rate: bool = False) -> float:
    """The tolerance a stated rate or score deserves: half a unit of the last digit it states (``stated_places``).

    A rate or score is right when it equals the computed value rounded to the precision it was typed or formatted
    with (spec §5): "94.4%" for a computed 94.44% is right, and so is 0.944; "86.19%" for 86.18% is not; a
    执行率得分 9.5 for 9.506 is right, and so is a 总分 "99.0分" for 98.99.  A rate typed as a fraction counts to
    whole percentage points at least (1 shows as 100%).  ``tolerance`` is for a cell whose precision cannot be
    told, and the floor of a score, as is a whole score: 10 is not 9.5 rounded.
    """
    places = stated_places(cell)
    if places is None:
        return tolerance
    digits, percent, value = places
    if not rate:
        return tolerance if digits == 0 else max(tolerance, 0.5 * 10 ** -digits)  # a whole score is typed as such
    if percent or value > RATE_POINTS_THRESHOLD:
        return 0.5 * 10 ** -(digits + 2)  # percentage points
    return 0.5 * 10 ** -max(digits, 2)


def rate_decimals(cell: Cell | None) -> int | None:
    """The decimals of the percentage a stated rate shows, as ``shown_tolerance`` reads them: 0.8619 typed is
    86.19% (2), 0.893 in a 0.0% cell 89.3% (1), 1 is 100% (0); None when its precision cannot be told."""
    places = stated_places(cell)
    if places is None:
        return None
    digits, percent, value = places
    return digits if percent or value > RATE_POINTS_THRESHOLD else max(digits, 2) - 2  # as shown_tolerance counts


def stated_rate(cell: Cell | None, value: float | None = None) -> str:
    """A stated rate as the user sees it ("86.19%", "89.3%"): ``value`` (else the cell's own rate) at the
    decimals the cell shows; a rate typed as text ("86.19%") as typed."""
    if cell is not None and value is None:
        if isinstance(cell.raw, str) and cell.raw.strip():
            return cell.raw.strip()
        value = cell.rate
    if value is None:
        return "空"
    decimals = rate_decimals(cell)
    return f"{value * 100:.{2 if decimals is None else min(decimals, 4)}f}%"  # past 0.0001%: a float's noise


def computed_rate(value: float | None, beside: Cell | None = None) -> str:
    """A computed rate shown beside a stated one: 2 decimals, more when the stated one shows more."""
    if value is None:
        return "空"
    return f"{value * 100:.{max(2, min(rate_decimals(beside) or 0, 4))}f}%"


def stated_differs(cell: Cell, value: object, kind: str, profile: Profile) -> bool:
    """A typed value in a derived cell that is not what the cell should hold, as the check judges it: a rate at
    the precision it was typed or formatted with (``rate_differs``), a score likewise (``score_differs``), an amount
    beyond the profile's tolerance, a text (the 等级 "等级：优") as the text it is."""
    if cell.blank or value is None:
        return False
    if isinstance(value, str):
        from ..read.values import norm_label

        return norm_label(cell.raw) != norm_label(value)
    found = cell.rate if kind == "rate" else cell.number
    if found is None:
        return True
    if kind == "rate":
        return rate_differs(cell, found, float(value), profile.tolerance_rate)
    if kind == "score":  # at the precision it states, as E104 and W104 judge it: 9.5 for 9.506
        return score_differs(cell, found, float(value), profile.tolerance_score)
    return abs(found - float(value)) > profile.tolerance_amount + 1e-9


def score_differs(cell: Cell | None, found: float | None, expected: float | None, tolerance: float) -> bool:
    """A stated score (执行率得分, 总分) against the computed one, at the precision it states (``shown_tolerance``):
    what E104 and W104 call wrong, 汇总's 核对 calls 不一致 and fill --overwrite-derived corrects.  As in
    ``rate_differs``, the cell's number format is read from the file only for a score that misses by less than
    any stated precision allows (a tenth's half): one equal to the computed score, or off by more, needs none."""
    # right within the profile's tolerance; wrong at any precision a score can state past one decimal
    return _differs_as_stated(cell, found, expected, tolerance, tolerance + 1e-9,
                              max(COARSEST_SCORE, tolerance) + 1e-9)


# half a tenth: the most a score stated with decimals is allowed (shown_tolerance), "9.5" for 9.506
COARSEST_SCORE = 0.05


def stated_text(cell: Cell | None, value: float | None) -> str:
    """A stated score as its cell shows it, for a message: "99.0" for 99 in a 0.0 cell or typed "99.0分", "99" for 99."""
    places = stated_places(cell)
    if value is None or places is None or places[1]:
        return fmt_number(value)
    return f"{value:.{places[0]}f}"


def r2(value: float | None) -> float | None:
    """A value as it goes into expected/found: 2 decimals for amounts and scores."""
    return None if value is None else round(value, 2)


def r4(value: float | None) -> float | None:
    """A rate as it goes into expected/found: a fraction with 4 decimals (0.01%)."""
    return None if value is None else round(value, 4)
