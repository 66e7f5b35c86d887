"""Findings and the rule record that produces them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Literal, get_args

from ..read.model import Cell

Severity = Literal["error", "warning", "info"]
# basic_data | any 附件2/附件3 | 附件2 | 附件3 | the whole workbook | every form but the workbook | 绩效自评报告
Scope = Literal["basic_data", "self_eval", "dept_self_eval", "project_self_eval", "workbook", "any", "report"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
SCOPES: tuple[str, ...] = get_args(Scope)
_CODE = re.compile(r"[A-Z]\d{3}")
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Finding:
    """One problem at one cell.  ``location`` says where ("[附件2] 总分 得分 (H25)"), ``text`` what is wrong
    and what to do; ``message`` is the two joined, as people read it.  ``expected``/``found`` are plain
    values (numbers or text).  Location and text are kept apart so nothing splits a message back."""

    code: str
    severity: str
    sheet: str
    cell: str
    location: str
    text: str
    expected: object = None
    found: object = None

    @property
    def message(self) -> str:
        return f"{self.location}：{self.text}" if self.location else self.text

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "location": self.location,
            "text": self.text,
            "expected": self.expected,
            "found": self.found,
        }


UNIT_HINT = "（两数正好相差 1 万倍：疑似一处按“元”、一处按“万元”填写，请核对金额单位）"


def _ten_thousandfold(expected, found) -> bool:
    """Two amounts 10,000 times apart (to 0.1 %): one typed in 元 where the form counts in 万元, or back."""
    if expected.__class__ not in (int, float) or found.__class__ not in (int, float) or not expected or not found:
        return False
    ratio = abs(found / expected)
    return abs(ratio - 10_000) <= 10 or abs(ratio * 10_000 - 1) <= 0.001


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A check with a stable code, built with keywords only.  ``summary`` is the
    line users see first; ``template`` is formatted with the ``text`` fields a
    check passes to :meth:`at`; ``source`` names the document the rule comes
    from; ``bad``/``good`` are examples.  Severity, scope and code are checked
    when the rule is built, so a typo fails at import, not in a user's report."""

    code: str
    name: str
    severity: Severity
    scope: Scope
    summary: str
    template: str
    why: str
    source: str
    bad: str
    good: str
    check: Callable[..., Iterable[Finding]]
    # False (nearly every rule): the rule judges the form as Excel shows it once opened, the template's formulas
    # saved without a result worked out (``Context.opened``), the values the 结果 line shows.  True: it judges
    # what the file holds, blank formulas blank (D001 names the cells left blank, S002 the formulas without one).
    as_read: bool = False
    # What the person who meets the finding does about it, in Chinese (explain's 怎么办), where the good example
    # alone does not say it.
    fix: str = ""

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.code}: severity {self.severity!r} is not one of {SEVERITIES}")
        if self.scope not in SCOPES:
            raise ValueError(f"{self.code}: scope {self.scope!r} is not one of {SCOPES}")
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"rule code {self.code!r} is not a letter and three digits")
        if not callable(self.check):
            raise ValueError(f"{self.code}: check is not callable")

    def at(self, sheet: str, cell: Cell | None, *, expected=None, found=None,
           where: str | None = None, address: str | None = None, text: dict | None = None) -> Finding:
        """A finding of this rule at ``cell`` with the shared location prefix.

        ``expected``/``found`` are the finding's plain values (the JSON report's);
        ``text`` holds the fields of the message template, formatted for reading
        (it may have its own ``expected``/``found``: 96.30% where the value is 0.963).
        """
        address = address or (cell.address if cell is not None else "")
        where = where if where is not None else (cell.where if cell is not None else "")
        parts = [f"[{sheet}]" if sheet else "", where, f"({address})" if address else ""]
        location = " ".join(part for part in parts if part)  # "[附件2] (XFD1048576)" where nothing names the cell
        message = self.template.format(**(text or {}))
        if _ten_thousandfold(expected, found):
            message += UNIT_HINT
        return Finding(self.code, self.severity, sheet, address, location, message, expected, found)

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
            + (f"\n怎么办：{self.fix}\n" if self.fix else "")
        )


_GRADE_TAG = re.compile(r"\s*\[[A-C]\]")  # how sure the spec is of a source: for developers, not users
_SPEC_REF = re.compile(r"\s*[；;]?\s*spec\s*§\s*\d+[^；;]*")


def readable_source(source: str) -> str:
    """A rule's source as a user reads it: the documents, without the spec's internal tags."""
    text = _SPEC_REF.sub("", _GRADE_TAG.sub("", source))
    return text.strip(" ；;") or "本工具的规则说明"


def _sev(severity: str) -> str:
    return SEVERITY_LABEL.get(severity, severity)
