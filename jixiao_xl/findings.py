"""Findings and the rule record that produces them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from .model import Cell

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    """One problem at one cell.  ``message`` is complete Chinese text with the
    location prefix; ``expected``/``found`` are plain values (numbers or text)."""

    code: str
    severity: str
    sheet: str
    cell: str
    message: str
    expected: object = None
    found: object = None

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "expected": self.expected,
            "found": self.found,
        }


@dataclass(frozen=True)
class Rule:
    """A check with a stable code.  ``summary`` is the line users see first;
    ``template`` is formatted with the fields a check passes; ``source``
    names the document the rule comes from."""

    code: str
    name: str
    severity: str
    scope: str  # basic_data | self_eval | dept_self_eval | project_self_eval | workbook
    summary: str
    template: str
    why: str
    source: str
    bad: str
    good: str
    check: Callable[..., Iterable[Finding]]

    def at(self, sheet: str, cell: Cell | None, expected=None, found=None, /, *,
           where: str | None = None, address: str | None = None, **fields) -> Finding:
        """A finding of this rule at ``cell`` with the shared location prefix.

        ``expected``/``found`` (positional) are the finding's plain values;
        keyword ``fields`` fill the message template (and may reuse those names).
        """
        address = address or (cell.address if cell is not None else "")
        where = where if where is not None else (cell.where if cell is not None else "")
        prefix = f"[{sheet}] {where} ({address})：" if address else f"[{sheet}] {where}："
        message = prefix + self.template.format(**fields)
        return Finding(self.code, self.severity, sheet, address, message, expected, found)

    def applies_to(self, kind: str) -> bool:
        if self.scope == "any":
            return kind != "workbook"
        return self.scope == kind or (self.scope == "self_eval" and kind.endswith("self_eval"))

    def explain(self) -> str:
        return (
            f"{self.code} {self.name}（{_sev(self.severity)}）\n"
            f"{self.summary}\n\n"
            f"为什么：{self.why}\n"
            f"依据：{readable_source(self.source)}\n\n"
            f"错误示例：{self.bad}\n"
            f"正确示例：{self.good}\n"
        )


_GRADE_TAG = re.compile(r"\s*\[[A-C]\]")  # how sure the spec is of a source: for developers, not users
_SPEC_REF = re.compile(r"\s*[；;]?\s*spec\s*§\s*\d+[^；;]*")


def readable_source(source: str) -> str:
    """A rule's source as a user reads it: the documents, without the spec's internal tags."""
    text = _SPEC_REF.sub("", _GRADE_TAG.sub("", source))
    return text.strip(" ；;") or "本工具的规则说明"


def _sev(severity: str) -> str:
    return SEVERITY_LABEL.get(severity, severity)
