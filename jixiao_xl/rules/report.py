"""Output of a check: human text grouped by file and form, and the JSON contract."""

from __future__ import annotations

import json

from .check import FORM_TITLES, FileReport
from ..compute.results import RATES
from .findings import SEVERITY_LABEL
from ..read.values import fmt_rate

# 2: each finding has its location and text beside the message; a file has error_code (problems.py)
JSON_VERSION = 2

RESULT_LABELS = {rate.key: rate.label for rate in RATES}  # 附件1's rates, as compute.RATES names them


def to_json(reports: list[FileReport]) -> str:
    return json.dumps({"version": JSON_VERSION, "files": [r.to_dict() for r in reports]},
                      ensure_ascii=False, indent=2)


def _code(report: FileReport) -> str:
    """"（U001）" after 无法读取, for ``jixiao-xl explain U001``."""
    return f"（{report.code}）" if report.code else ""


def _results_line(form_report, profile: dict | None = None) -> str:
    res = form_report.results
    if form_report.kind == "basic_data":
        parts = [f"{label} {fmt_rate(res.value(key))}" for key, label in RESULT_LABELS.items()
                 if res.value(key) is not None]
        return "；".join(parts) if parts else "（无可计算的控制率）"
    from ..compute.results import exec_text, shown, total_text

    return f"{exec_text(res, profile)}，分值合计 {shown(res, 'weight_total')}，{total_text(res)}"


def to_text(reports: list[FileReport], show_info: bool = True) -> str:
    lines: list[str] = []
    totals = {"error": 0, "warning": 0, "info": 0}
    unreadable = 0
    for report in reports:
        lines.append(report.path)
        if report.status == "unreadable":
            unreadable += 1
            lines.append(f"  无法读取{_code(report)}：{report.error}")
            lines.append("")
            continue
        for form_report in report.forms:
            form = form_report.form
            name = getattr(form, "name", "")
            head = f"  [{form.sheet}] {FORM_TITLES[form.kind]}"
            if name:
                head += f"：{name}"
            lines.append(head)
            lines.append(f"    结果：{_results_line(form_report, report.profile)}")
            for finding in form_report.findings:
                totals[finding.severity] += 1
                if finding.severity == "info" and not show_info:
                    continue
                lines.append(f"    {finding.code} {SEVERITY_LABEL[finding.severity]}  {finding.message}")
        if report.findings:
            lines.append("  跨表核对")
            for finding in report.findings:
                totals[finding.severity] += 1
                lines.append(f"    {finding.code} {SEVERITY_LABEL[finding.severity]}  {finding.message}")
        lines.append("")
    summary = (f"共 {len(reports)} 个文件：{totals['error']} 个错误，{totals['warning']} 个警告，"
               f"{totals['info']} 个提示")
    if unreadable:
        summary += f"，{unreadable} 个文件无法读取"
    lines.append(summary)
    return "\n".join(lines)
