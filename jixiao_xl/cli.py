"""Command line: ``jixiao-xl check|explain|template|fill``.

Exit codes follow linter conventions: 0 no error finding, 1 error findings,
2 a file could not be read or the command was used wrongly.
"""

from __future__ import annotations

import argparse
import sys


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors, in Chinese, exit 2
        self.print_usage(sys.stderr)
        self.exit(2, f"jixiao-xl：参数错误：{message}\n")


def _split_codes(values: list[str] | None) -> list[str]:
    return [code for value in values or [] for code in value.split(",") if code.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jixiao-xl", description="绩效自评表（附件1/2/3）校验与自动计算工具")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    check = sub.add_parser("check", help="校验工作簿，列出全部问题", description="校验绩效自评工作簿")
    check.add_argument("paths", nargs="+", metavar="文件", help=".xlsx/.xlsm 工作簿，或包含它们的文件夹")
    check.add_argument("--json", action="store_true", help="输出 JSON（格式见 README）")
    check.add_argument("--profile", default="hunan", choices=["hunan", "national"],
                       help="评分口径：hunan（默认，湖南 30/30/10/20）或 national（10号文 50/30/10）")
    check.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None,
                       help="执行率计分方式：proportional（默认，按比例）或 jiangxi（区间）")
    check.add_argument("--select", action="append", metavar="规则", help="只运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--ignore", action="append", metavar="规则", help="不运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--no-info", action="store_true", help="不显示“提示”级别的结果")

    template = sub.add_parser("template", help="生成自动计算的填报模板", description="生成绩效自评填报模板（.xlsx）")
    template.add_argument("-o", "--output", metavar="文件", help="输出文件（默认：绩效自评模板_年度.xlsx）")
    template.add_argument("--year", type=int, help="年度，如 2024（默认：--from 文件的年度，或去年）")
    template.add_argument("--unit", help="单位名称")
    template.add_argument("--projects", type=int, default=1, metavar="N", help="项目支出自评表（附件3）的张数")
    template.add_argument("--profile", default="hunan", choices=["hunan", "national"], help="评分口径")
    template.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help="执行率计分方式")
    template.add_argument("--from", dest="source", metavar="文件", help="把已提交工作簿的数据填入新模板")

    fill = sub.add_parser("fill", help="自动填写计算项并写入校验结果", description="自动填写可计算的单元格，写入校验结果")
    fill.add_argument("path", metavar="文件", help="模板或官方版式的工作簿")
    fill.add_argument("-o", "--output", metavar="文件", help="输出文件")
    fill.add_argument("--in-place", action="store_true", help="直接修改原文件（先备份为 原名.时间.bak.xlsx）")
    fill.add_argument("--overwrite-derived", action="store_true", help="同时更正填错的计算项（默认只填空白）")
    fill.add_argument("--mark", action="store_true", help="给有问题的单元格标色并加批注")
    fill.add_argument("--profile", default="hunan", choices=["hunan", "national"], help="评分口径")
    fill.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help="执行率计分方式")

    batch = sub.add_parser("batch", help="批量校验一个或多个文件夹，生成汇总表", description="批量校验、汇总")
    batch.add_argument("paths", nargs="+", metavar="文件夹或文件")
    batch.add_argument("-o", "--output", required=True, metavar="输出文件夹", help="写入 汇总.xlsx、findings.json")
    batch.add_argument("--fill", action="store_true", help="同时生成自动填写后的副本（输出文件夹/filled/）")
    batch.add_argument("--jobs", type=int, default=None, metavar="N", help="并行进程数（默认：CPU 核数）")
    batch.add_argument("--timeout", type=float, default=60.0, metavar="秒", help="每个文件最长处理时间（默认 60 秒）")
    batch.add_argument("--profile", default="hunan", choices=["hunan", "national"], help="评分口径")
    batch.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help="执行率计分方式")
    batch.add_argument("--json", action="store_true", help="同时把 JSON 结果输出到屏幕")

    addin = sub.add_parser("addin", help="Excel 加载项：启动服务、生成和安装", description="Excel 加载项")
    addin_sub = addin.add_subparsers(dest="addin_command", metavar="操作")
    serve = addin_sub.add_parser("serve", help="在本机启动 Office.js 加载项服务（xlwings Server）")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--project-dir", help="xlwings Server 项目目录（默认 addin/server）")
    build = addin_sub.add_parser("build-xlam", help="生成经典 Excel 加载项（.xlam）")
    build.add_argument("-o", "--output", default="jixiao_addin.xlam", metavar="文件")
    install = addin_sub.add_parser("install", help="安装经典加载项（Windows），或显示安装步骤")
    install.add_argument("xlam", nargs="?", help="build-xlam 生成的 .xlam 文件")

    explain = sub.add_parser("explain", help="说明一条规则", description="显示规则的说明、依据和示例")
    explain.add_argument("code", nargs="?", metavar="规则代码", help="如 B110；省略则列出全部规则")
    return parser


def _expand(paths: list[str]) -> list[str]:
    """Files as given; folders become the workbooks in them (recursively, sorted)."""
    from pathlib import Path

    out = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            out += sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm")
                          and not p.name.startswith("~$") and p.is_file())
        else:
            out.append(item)
    return out


def _check(args) -> int:
    from .check import RuleFilter, check_path
    from .report import to_json, to_text

    profile = _profile(args)
    try:
        rule_filter = RuleFilter(_split_codes(args.select), _split_codes(args.ignore))
    except ValueError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    reports = [check_path(path, profile, rule_filter) for path in _expand(args.paths)]
    if args.json:
        print(to_json(reports))
    else:
        print(to_text(reports, show_info=not args.no_info))
        for report in reports:
            if report.status == "unreadable":
                print(f"jixiao-xl：{report.path}：{report.error}", file=sys.stderr)
    if any(r.status == "unreadable" for r in reports):
        return 2
    return 1 if any(r.status == "errors" for r in reports) else 0


def _profile(args):
    from .profiles import get_profile

    overrides = {"exec_mode": args.exec_mode} if args.exec_mode else {}
    return get_profile(args.profile, **overrides)


def _template(args) -> int:
    import os

    from . import template as T
    from .grid import UnreadableWorkbook
    from .reader import read_workbook
    from .writer import write_template
    from .xlsxio import OutputError, output_problem

    book = None
    if args.source:
        try:
            book = read_workbook(args.source)
        except UnreadableWorkbook as exc:
            print(f"jixiao-xl：{args.source}：{exc}", file=sys.stderr)
            return 2
        if not book.forms:
            from .check import NO_FORM

            print(f"jixiao-xl：{args.source}：{NO_FORM}", file=sys.stderr)
            return 2
    if args.projects < 1:
        print("jixiao-xl：--projects 至少为 1", file=sys.stderr)
        return 2
    data = T.data_from(book, args.year, args.unit, _profile(args))
    output = args.output or f"绩效自评模板_{data.year}.xlsx"
    if args.source and os.path.abspath(output) == os.path.abspath(args.source):
        print("jixiao-xl：输出文件不能和 --from 的文件相同", file=sys.stderr)
        return 2
    problem = output_problem(output)
    if problem:
        print(f"jixiao-xl：无法写入 {output}：{problem}", file=sys.stderr)
        return 2
    try:
        write_template(T.build(data, args.projects), output)
    except OutputError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    print(f"已生成模板：{output}（{data.year} 年度，{data.profile.label}口径）")
    return 0


def _fill(args) -> int:
    from .fill import FillError, fill
    from .findings import SEVERITY_LABEL
    from .xlsxio import OutputError

    try:
        result = fill(args.path, args.output, in_place=args.in_place, overwrite_derived=args.overwrite_derived,
                      mark=args.mark, profile=_profile(args))
    except OutputError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    except FillError as exc:
        print(f"jixiao-xl：{args.path}：{exc}", file=sys.stderr)
        return 2
    filled = sum(1 for c in result.changes if not c.corrected)
    corrected = sum(1 for c in result.changes if c.corrected)
    for change in result.changes:
        verb = "更正" if change.corrected else "填写"
        print(f"  {verb} [{change.sheet}] {change.cell}：{_shown(change.old)} → {change.formula or _shown(change.new)}")
    report = result.report
    print(f"已填写 {filled} 个、更正 {corrected} 个单元格；{report.count('error')} 个错误、"
          f"{report.count('warning')} 个警告（见“校验结果”表）")
    for finding in report.all_findings():
        if finding.severity != "info":
            print(f"  {finding.code} {SEVERITY_LABEL[finding.severity]}  {finding.message}")
    for note in result.notes:
        print(note)
    if result.backup:
        print(f"原文件已备份为：{result.backup}")
    print(f"已写入：{result.output}")
    return 1 if report.status == "errors" else 0


def _shown(value) -> str:
    from .values import fmt_number

    if value is None:
        return "空"
    return fmt_number(value) if isinstance(value, (int, float)) else str(value)


def _batch(args) -> int:
    from . import batch

    if args.jobs is not None and args.jobs < 1:
        print("jixiao-xl：--jobs 至少为 1", file=sys.stderr)
        return 2
    from .xlsxio import OutputError, folder_problem

    problem = folder_problem(args.output)
    if problem:
        print(f"jixiao-xl：无法写入 {args.output}：{problem}", file=sys.stderr)
        return 2
    overrides = {"exec_mode": args.exec_mode} if args.exec_mode else {}
    try:
        result = batch.run(args.paths, args.output, fill=args.fill, jobs=args.jobs, profile_name=args.profile,
                           overrides=overrides, timeout=args.timeout, progress=batch.Progress())
    except OutputError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    if args.json:
        print(batch.to_json(result))
    print(result.closing_line(), file=sys.stderr if args.json else sys.stdout)
    print(f"汇总：{result.outdir / batch.SUMMARY_NAME}", file=sys.stderr if args.json else sys.stdout)
    return result.exit_code


def _addin(args, parser) -> int:
    from . import addin

    if args.addin_command == "serve":
        addin.serve(args.project_dir, port=args.port)
        return 0
    if args.addin_command == "build-xlam":
        try:
            xlam, sidecar = addin.build_xlam(args.output)
        except (ValueError, RuntimeError) as exc:
            print(f"jixiao-xl：{exc}", file=sys.stderr)
            return 2
        print(f"已生成：{xlam} 和 {sidecar}（两个文件放在同一个文件夹）")
        return 0
    if args.addin_command == "install":
        print(addin.install(args.xlam))
        return 0
    parser.parse_args(["addin", "--help"])
    return 2


def _explain(args) -> int:
    from .findings import SEVERITY_LABEL
    from .rules import BY_CODE, RULES

    if not args.code:
        for rule in RULES:
            print(f"{rule.code}  {SEVERITY_LABEL[rule.severity]}  {rule.name:30s} {rule.summary}")
        return 0
    rule = BY_CODE.get(args.code.strip().upper())
    if rule is None:
        print(f"jixiao-xl：没有这条规则：{args.code}（用 jixiao-xl explain 查看全部规则）", file=sys.stderr)
        return 2
    print(rule.explain())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args)
    if args.command == "explain":
        return _explain(args)
    if args.command == "batch":
        return _batch(args)
    if args.command == "addin":
        return _addin(args, parser)
    if args.command == "template":
        return _template(args)
    if args.command == "fill":
        return _fill(args)
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
