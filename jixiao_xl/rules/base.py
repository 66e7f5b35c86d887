"""What every rule module shares: the run context and small comparisons."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..compute.results import Results, Row, SelfEvalResults, indicator_rows, results
from ..read.model import BasicData, Cell, SelfEval
from ..compute.profiles import Profile, get_profile
from ..read.values import RATE_POINTS_THRESHOLD, nfkc


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


def shown_tolerance(cell: Cell | None, tolerance: float, rate: bool = False) -> float:
    """The tolerance a stated rate or score deserves: half a unit of the last digit shown.

    "94.4%" for a computed 94.44% is right at the precision typed; so is 0.944.
    A number in a cell with many digits (a formula's result) gets ``tolerance``,
    which is also the floor, and so does a whole score: 10 is not 9.5 rounded.
    Rates are fractions; a rate typed as a fraction
    counts to whole percentage points at least (1 shows as 100%).
    """
    if cell is None:
        return tolerance
    raw = cell.raw
    if isinstance(raw, bool) or raw is None:
        return tolerance
    if isinstance(raw, (int, float)):
        text = repr(float(raw))
        if "e" in text or "inf" in text or "nan" in text:
            return tolerance
        value, percent = abs(float(raw)), False
    else:
        text = nfkc(str(raw)).strip()
        percent = text.endswith("%")
        value = None
    match = _LAST_NUMBER.search(text.replace(",", ""))
    if not match:
        return tolerance
    digits = len((match.group(1) or "").rstrip("0"))
    if value is None:
        value = abs(float(match.group(0)))
    if not rate and digits == 0:
        return tolerance  # a whole score (10) is typed as such, not rounded from 9.5
    half = 0.5 * 10 ** -digits
    if rate:
        if percent or value > RATE_POINTS_THRESHOLD:
            half /= 100  # percentage points
        else:
            half = 0.5 * 10 ** -max(digits, 2)
    return max(tolerance, half)


def r2(value: float | None) -> float | None:
    """A value as it goes into expected/found: 2 decimals for amounts and scores."""
    return None if value is None else round(value, 2)


def r4(value: float | None) -> float | None:
    """A rate as it goes into expected/found: a fraction with 4 decimals (0.01%)."""
    return None if value is None else round(value, 4)
