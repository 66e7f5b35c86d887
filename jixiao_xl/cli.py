"""Command line: ``jixiao-xl check|explain``.

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
    check.add_argument("paths", nargs="+", metavar="文件", help=".xlsx/.xlsm 工作簿")
    check.add_argument("--json", action="store_true", help="输出 JSON（格式见 README）")
    check.add_argument("--profile", default="hunan", choices=["hunan", "national"],
                       help="评分口径：hunan（默认，湖南 30/30/10/20）或 national（10号文 50/30/10）")
    check.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None,
                       help="执行率计分方式：proportional（默认，按比例）或 jiangxi（区间）")
    check.add_argument("--select", action="append", metavar="规则", help="只运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--ignore", action="append", metavar="规则", help="不运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--no-info", action="store_true", help="不显示“提示”级别的结果")

    explain = sub.add_parser("explain", help="说明一条规则", description="显示规则的说明、依据和示例")
    explain.add_argument("code", nargs="?", metavar="规则代码", help="如 B110；省略则列出全部规则")
    return parser


def _check(args) -> int:
    from .check import RuleFilter, check_path
    from .profiles import get_profile
    from .report import to_json, to_text

    overrides = {"exec_mode": args.exec_mode} if args.exec_mode else {}
    profile = get_profile(args.profile, **overrides)
    try:
        rule_filter = RuleFilter(_split_codes(args.select), _split_codes(args.ignore))
    except ValueError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    reports = [check_path(path, profile, rule_filter) for path in args.paths]
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
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
