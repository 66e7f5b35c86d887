"""``jixiao-xl report check|draft``: the command's work, kept out of cli.py."""

from __future__ import annotations

import sys

from ..rules.findings import SEVERITY_LABEL
from ..problems import with_code


def add_parser(sub, parser_class) -> None:
    report = sub.add_parser("report", help="核对绩效自评报告（.docx/.doc/.wps/PDF）中的数字，或按工作簿生成报告初稿",
                            description="绩效自评报告：与自评表核对数字，或由自评表生成初稿")
    actions = report.add_subparsers(dest="report_command", metavar="操作", parser_class=parser_class)
    check = actions.add_parser("check", help="核对报告中的金额、占比、比率、得分和等级",
                               description="核对报告内部的加总、占比、前后一致，并与工作簿中的表核对")
    check.add_argument("report", metavar="报告",
                       help="绩效自评报告：.docx；.doc/.wps/.wpt（需安装 LibreOffice，自动转换）；带文字层的 PDF（扫描件无法读取）")
    check.add_argument("workbooks", nargs="*", default=[], metavar="工作簿", help="同一单位、同一年度的工作簿（.xlsx、.xls、WPS .et、.ods 等，可多个）")
    check.add_argument("--json", action="store_true", help="输出 JSON（格式同 check --json）")
    check.add_argument("--no-info", action="store_true", help="不显示“提示”级别的结果")
    check.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认按表上的地名和栏目判断，同 check；可选的口径见 jixiao-xl profiles）")
    draft = actions.add_parser("draft", help="按工作簿生成自评报告初稿（.docx）",
                               description="按工作簿中的表生成部门整体支出绩效自评报告初稿")
    draft.add_argument("workbook", metavar="工作簿", help="绩效自评工作簿（.xlsx、.xls、WPS .et、.ods 等）")
    draft.add_argument("-o", "--output", required=True, metavar="文件", help="输出的 .docx 文件")
    draft.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认按表上的地名和栏目判断，同 check；可选的口径见 jixiao-xl profiles）")
    draft.add_argument("--force", action="store_true", help="输出文件已存在时覆盖（先备份原文件）")


def to_text(reports, show_info: bool = True, workbooks: list[str] | None = None) -> str:
    lines, totals = [], {"error": 0, "warning": 0, "info": 0}
    unreadable = 0
    for report in reports:
        head = report.path
        if workbooks:
            head += f"（对照：{'、'.join(workbooks)}）"
        lines.append(head)
        if report.status == "unreadable":
            unreadable += 1
            lines.append(f"  无法读取：{with_code(report.error, report.code)}")
            continue
        shown = 0
        for finding in report.findings:
            totals[finding.severity] += 1
            if finding.severity == "info" and not show_info:
                continue
            shown += 1
            lines.append(f"  {finding.code} {SEVERITY_LABEL[finding.severity]}  {finding.message}")
        if not shown:
            lines.append("  没有发现错误或警告" if report.findings else "  没有发现问题")
    lines.append("")
    summary = f"共 {len(reports)} 份报告：{totals['error']} 个错误，{totals['warning']} 个警告，{totals['info']} 个提示"
    if unreadable:
        summary += "，无法读取"
    lines.append(summary)
    return "\n".join(lines)


def run(args) -> int:
    from ..compute.profiles import get_profile

    try:  # None: each workbook's own, as check chooses it (the report of a 江西 unit is judged by 江西's bands)
        profile = get_profile(args.profile) if args.profile else None
    except ValueError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    if args.report_command == "check":
        from ..rules.report import to_json
        from .checker import check_report, load_workbooks

        books, problems, unreadable = load_workbooks(args.workbooks)
        if unreadable:  # the tables asked for are not there: say so, as check does, rather than half a check
            for workbook, reason in unreadable:
                print(f"jixiao-xl：{workbook}：{reason}", file=sys.stderr)
            return 2
        report = check_report(args.report, (), profile, books=books, problems=problems)
        print(to_json([report]) if args.json else to_text([report], not args.no_info, args.workbooks))
        if report.status == "unreadable":
            print(f"jixiao-xl：{args.report}：{with_code(report.error, report.code)}", file=sys.stderr)
            return 2
        return 1 if report.status == "errors" else 0
    if args.report_command == "draft":
        from .draft import DraftError, write_draft

        try:
            summary = write_draft(args.workbook, args.output, profile, force=args.force)
        except DraftError as exc:
            print(f"jixiao-xl：{with_code(str(exc), exc.code)}", file=sys.stderr)
            return 2
        print(summary)
        return 0
    return 2
