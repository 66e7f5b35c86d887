"""What every rule module shares: the run context and small comparisons."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..compute import results
from ..profiles import Profile, get_profile


@dataclass
class Context:
    profile: Profile = field(default_factory=get_profile)
    _results: dict = field(default_factory=dict)

    def results(self, form) -> dict:
        key = id(form)
        if key not in self._results:
            self._results[key] = results(form, self.profile)
        return self._results[key]


def differs(stated: float | None, expected: float | None, tolerance: float) -> bool:
    """True when both are known and differ by more than the tolerance."""
    if stated is None or expected is None:
        return False
    return abs(stated - expected) > tolerance + 1e-9


def r2(value: float | None) -> float | None:
    """A value as it goes into expected/found: 2 decimals for amounts and scores."""
    return None if value is None else round(value, 2)


def r4(value: float | None) -> float | None:
    """A rate as it goes into expected/found: a fraction with 4 decimals (0.01%)."""
    return None if value is None else round(value, 4)
