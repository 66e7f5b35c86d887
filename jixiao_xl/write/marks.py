"""What 校验 leaves in a workbook, shared by ``fill`` (openpyxl) and the Excel button (xlwings).

Marks: one hidden sheet, ``_jixiao_marks``, one row per marked cell: the sheet, the cell,
the fill it had before (JSON) and the note it had before (JSON: ``null`` when it had
none, ``{"text", "author"}`` when ours replaced it, ``{"kept": true}`` when a note we
could not read was left in place).  Either front end can restore the other's marks.

Results: the rows of the 校验结果 sheet, the same from both front ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..rules.findings import SEVERITY_LABEL

MARKS_SHEET = "_jixiao_marks"
RESULT_SHEET = "校验结果"
HEADER = ["sheet", "cell", "fill", "note"]
MARK_COLORS = {"error": "FFC7CE", "warning": "FFEB9C"}  # red for errors, yellow for warnings
# the roles of a template's cells, as the template paints them and the Excel button shows them
INPUT_FILL = "FFF2CC"  # yellow: typed by the user
DERIVED_FILL = "DDEBF7"  # blue: computed (a formula, locked)
HEADER_FILL = "E7E6E6"  # grey: labels
RESULT_HEADER = ["代码", "严重程度", "工作表", "单元格", "位置", "说明", "应为", "实际"]


@dataclass
class Mark:
    sheet: str
    cell: str
    fill: dict | None  # {"patternType", "fg": {...}, "bg": {...}}
    note: dict | None

    def row(self) -> list:
        return [self.sheet, self.cell, json.dumps(self.fill) if self.fill is not None else None,
                json.dumps(self.note, ensure_ascii=False) if self.note is not None else None]


def read_marks(rows) -> list[Mark]:
    """Marks from the rows of the marks sheet (header first); unreadable rows are skipped."""
    marks = []
    for row in list(rows)[1:]:
        row = list(row) + [None] * 4
        if not row[0] or not row[1]:
            continue
        try:
            fill = json.loads(row[2]) if row[2] else None
            note = json.loads(row[3]) if row[3] else None
        except (TypeError, ValueError):
            continue
        marks.append(Mark(str(row[0]), str(row[1]), fill, note))
    return marks


def solid(hex_color: str | None) -> dict:
    """A fill record for a plain colour ("#FFF2CC") or for no fill (None)."""
    if not hex_color:
        return {"patternType": None, "fg": None, "bg": None}
    return {"patternType": "solid", "fg": {"rgb": "FF" + hex_color.lstrip("#").upper()[-6:]}, "bg": None}


def as_hex(fill: dict | None) -> str | None:
    """The colour of a fill record as "#RRGGBB" for xlwings, None for no fill (theme colours fall back to none)."""
    if not fill or fill.get("patternType") != "solid":
        return None
    rgb = (fill.get("fg") or {}).get("rgb")
    return "#" + rgb[-6:] if isinstance(rgb, str) and len(rgb) >= 6 else None


def note_text(findings) -> str:
    """The comment put on a marked cell: one line per finding, without the location prefix."""
    return "\n".join(f"{f.code} {SEVERITY_LABEL[f.severity]}：{f.text}" for f in findings)


def by_cell(findings, sheets) -> dict[tuple[str, str], list]:
    """Errors and warnings grouped by the cell they point at (cells of existing sheets only)."""
    grouped: dict[tuple[str, str], list] = {}
    for finding in findings:
        if finding.severity in MARK_COLORS and finding.cell and finding.sheet in sheets:
            grouped.setdefault((finding.sheet, finding.cell), []).append(finding)
    return grouped


def worst(findings) -> str:
    return "error" if any(f.severity == "error" for f in findings) else "warning"


def is_rate(finding) -> bool:
    """Whether a finding's 应为/实际 are ratios (shown as % in its message: 1.2673 -> "126.73%")."""
    from ..read.values import fmt_rate

    values = [v for v in (finding.expected, finding.found) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    text = finding.message.replace(",", "")
    return any(fmt_rate(v) in text or f"{v * 100:g}%" in text for v in values)


def rate_rows(report) -> list[int]:
    """The 校验结果 rows (1-based, header = 1) whose 应为/实际 are percentages."""
    return [row for row, finding in enumerate(report.all_findings(), start=2) if is_rate(finding)]


RESULT_WIDTHS = {"A": 7, "B": 8, "C": 8, "D": 7, "E": 30, "F": 70, "G": 10, "H": 10}


def result_rows(report) -> list[list]:
    """The 校验结果 sheet: a row per finding, then each form's result and the totals."""
    from ..read.values import fmt_rate

    rows = [list(RESULT_HEADER)]
    for finding in report.all_findings():
        rows.append([finding.code, SEVERITY_LABEL[finding.severity], finding.sheet, finding.cell, finding.location,
                     finding.text,
                     finding.expected, finding.found])
    rows.append([None] * len(RESULT_HEADER))
    for form_report in report.forms:
        res = form_report.results
        if form_report.kind != "basic_data":
            from ..compute.results import exec_text, total_text

            line = f"[{form_report.form.sheet}] {exec_text(res, report.profile)}，{total_text(res)}"
        else:
            line = f"[{form_report.form.sheet}] 财政供养人员控制率 {fmt_rate(res.staff_control_rate)}"
        rows.append([line] + [None] * (len(RESULT_HEADER) - 1))
    rows.append([f"共 {report.count('error')} 个错误、{report.count('warning')} 个警告"]
                + [None] * (len(RESULT_HEADER) - 1))
    return rows
