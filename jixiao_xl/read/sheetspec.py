"""A sheet to write, as plain data: rows of values, merged ranges, number formats and column widths."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


@dataclass
class SheetSpec:
    name: str
    rows: list[list[object]]
    merges: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # A1 -> number format
    widths: dict[str, float] = field(default_factory=dict)

    def copy(self) -> "SheetSpec":
        return copy.deepcopy(self)
