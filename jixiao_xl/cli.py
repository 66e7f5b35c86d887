"""Command line: ``jixiao-xl check|explain|template|fill``.

Exit codes follow linter conventions: 0 no error finding, 1 error findings,
2 a file could not be read or the command was used wrongly.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys

from .problems import with_code

# argparse's own words (Python 3.10-3.13), in Chinese.  They are swapped in only while our parser
# is built and used (``_chinese``), so nothing else in the process sees them.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能给一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "invalid choice: %(value)r (choose from %(choices)s)\n": "无效的选项：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "not allowed with argument %s": "不能和参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "one of the arguments %s is required": "需要以下参数之一：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有这个命令：%(parser_name)r（可选：%(choices)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：参数错误：%(message)s\n",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}


@contextlib.contextmanager
def _chinese():
    saved = argparse._, argparse.ngettext

    def gettext(text: str) -> str:
        return _ARGPARSE_ZH.get(text, text)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors, in Chinese, exit 2
        self.print_usage(sys.stderr)
        self.exit(2, f"jixiao-xl：参数错误：{message}\n")

    def parse_args(self, args=None, namespace=None):
        with _chinese():
            return super().parse_args(args, namespace)

    def format_help(self) -> str:
        with _chinese():
            return super().format_help()

    def format_usage(self) -> str:
        with _chinese():
            return super().format_usage()


def _year(text: str) -> int:
    """--year: a four-digit year between 2000 and 2100."""
    if not re.fullmatch(r"\s*\d{4}\s*", text or "") or not 2000 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"年度应为 2000–2100 之间的四位数字，如 2024（现为“{text}”）")
    return int(text)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数（现为“{text}”）") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"至少为 1（现为 {value}）")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为秒数（现为“{text}”）") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"应大于 0（现为 {text}）")
    return value


def _split_codes(values: list[str] | None) -> list[str]:
    return [code for value in values or [] for code in value.split(",") if code.strip()]


def _version() -> str:
    """The installed package's version (its metadata); the source's own when not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jixiao-xl")
    except PackageNotFoundError:
        from . import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    with _chinese():
        return _build_parser()


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jixiao-xl", description="绩效自评表（附件1/2/3）校验与自动计算工具")
    parser.add_argument("--version", action="version", version=f"jixiao-xl {_version()}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    check = sub.add_parser("check", help="校验工作簿，列出全部问题", description="校验绩效自评工作簿")
    check.add_argument("paths", nargs="+", metavar="文件", help=".xlsx/.xlsm 工作簿，或包含它们的文件夹")
    check.add_argument("--json", action="store_true", help="输出 JSON（格式见 README）")
    check.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认：按表上的地名和栏目判断；判断不了时只按表上写明的分值校验）。可选的口径见 jixiao-xl profiles")
    check.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None,
                       help="执行率计分方式：proportional（默认，按比例）或 jiangxi（区间）")
    check.add_argument("--select", action="append", metavar="规则", help="只运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--ignore", action="append", metavar="规则", help="不运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--no-info", action="store_true", help="不显示“提示”级别的结果")
    _store_options(check)

    template = sub.add_parser("template", help="生成自动计算的填报模板", description="生成绩效自评填报模板（.xlsx）")
    template.add_argument("-o", "--output", metavar="文件", help="输出文件（默认：绩效自评模板_年度.xlsx）")
    template.add_argument("--year", type=_year, metavar="年度", help="年度，如 2024（默认：--from 文件的年度，或去年）")
    template.add_argument("--unit", metavar="单位", help="单位名称")
    template.add_argument("--projects", type=_positive, default=1, metavar="N", help="项目支出自评表（附件3）的张数")
    template.add_argument("--profile", default="hunan", metavar="口径",
                          help="模板的评分口径（默认 hunan；可选的口径见 jixiao-xl profiles）")
    template.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help="执行率计分方式")
    template.add_argument("--from", dest="source", metavar="文件", help="把已提交工作簿的数据填入新模板")

    fill = sub.add_parser("fill", help="自动填写计算项并写入校验结果", description="自动填写可计算的单元格，写入校验结果")
    fill.add_argument("path", metavar="文件", help="模板或官方版式的工作簿")
    fill.add_argument("-o", "--output", metavar="文件", help="输出文件")
    fill.add_argument("--in-place", action="store_true", help="直接修改原文件（先备份为 原名.时间.bak.xlsx）")
    fill.add_argument("--overwrite-derived", action="store_true", help="同时更正填错的计算项（默认只填空白）")
    fill.add_argument("--mark", action="store_true", help="给有问题的单元格标色并加批注")
    fill.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认：按表上的地名和栏目判断；判断不了时只按表上写明的分值校验）。可选的口径见 jixiao-xl profiles")
    fill.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help="执行率计分方式")

    batch = sub.add_parser("batch", help="批量校验一个或多个文件夹，生成汇总表", description="批量校验、汇总")
    batch.add_argument("paths", nargs="+", metavar="文件夹或文件", help="收到的材料（递归查找 .xlsx/.xlsm）")
    batch.add_argument("-o", "--output", required=True, metavar="输出文件夹", help="写入 汇总.xlsx、findings.json")
    batch.add_argument("--fill", action="store_true", help="同时生成自动填写后的副本（输出文件夹/filled/）")
    batch.add_argument("--jobs", type=_positive, default=None, metavar="N", help="并行进程数（默认：CPU 核数）")
    batch.add_argument("--timeout", type=_seconds, default=60.0, metavar="秒", help="每个文件最长处理时间（默认 60 秒）")
    batch.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认：按表上的地名和栏目判断；判断不了时只按表上写明的分值校验）。可选的口径见 jixiao-xl profiles")
    batch.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help="执行率计分方式")
    batch.add_argument("--json", action="store_true", help="同时把 JSON 结果输出到屏幕")
    batch.add_argument("--by", choices=["地区", "主管部门"], default=None,
                       help="统计表按组汇总：地区＝第一层文件夹，主管部门＝附件3 所填")
    _store_options(batch)

    hist = sub.add_parser("history", help="从绩效库导出一个单位的历年对比表", description="把绩效库中一个单位各年度的"
                          "数据、结果和问题并排导出为 .xlsx")
    hist.add_argument("unit", metavar="单位", help="单位名称（按规范化的名称匹配，如 汨罗市司法局）")
    hist.add_argument("--store", default=None, metavar="文件", help="绩效库文件（默认：当前文件夹的 绩效库.sqlite）")
    hist.add_argument("--unit-map", default=None, metavar="文件", help="单位更名对照表（每行“旧名称,新名称”）")
    hist.add_argument("-o", "--output", metavar="文件", help="输出文件（默认：单位_历年对比.xlsx）")

    addin = sub.add_parser("addin", help="Excel 和 WPS 加载项：启动服务、生成和安装", description="Excel 和 WPS 加载项")
    addin_sub = addin.add_subparsers(dest="addin_command", metavar="操作")
    serve = addin_sub.add_parser("serve", help="启动加载项服务（xlwings Server，供 Office.js 加载项和 WPS 加载项使用）")
    serve.add_argument("--port", type=_positive, default=8000, metavar="端口", help="端口（默认 8000）")
    serve.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1，只供本机使用；0.0.0.0 供局域网共用，需访问密钥）")
    serve.add_argument("--certs", default="certs", metavar="目录",
                       help="mkcert 证书所在目录（默认当前目录下的 certs），有证书时以 HTTPS 运行")
    serve.add_argument("--project-dir", metavar="文件夹", help="xlwings Server 项目目录（默认：随本工具安装的加载项）")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="来源",
                       help="允许从这个来源（如 http://内网网站）调用校验服务（CORS，WPS 加载项不由本服务提供时用），可重复")
    serve.add_argument("--public-url", metavar="地址",
                       help="同事访问本服务用的地址（如 https://jixiao.局域网域名，经反向代理时用）：清单和加载项中的"
                            "地址按它生成，并只接受以它访问")
    serve.add_argument("--new-key", action="store_true", help="换一个新的访问密钥（旧的带密钥地址随即失效）")
    serve.add_argument("--store", default=None, metavar="文件",
                       help="批量校验页面的结果存入本机这个绩效库（SQLite），并与库中上一年度核对；库不经网页下载")
    serve.add_argument("--unit-map", default=None, metavar="文件", help="单位更名对照表（与 --store 一起用）")
    build = addin_sub.add_parser("build-xlam", help="生成经典 Excel 加载项（.xlam）")
    build.add_argument("-o", "--output", default="jixiao_addin.xlam", metavar="文件", help="输出文件")
    build.add_argument("--python", metavar="路径", help="加载项运行的 Python（默认：运行本命令的 Python）")
    wps = addin_sub.add_parser("build-wps", help="生成 WPS 加载项（WPS 表格，Windows 和麒麟/统信）及 publish.xml、jsplugins.xml")
    wps.add_argument("-o", "--output", default="jixiao_wps", metavar="文件夹", help="输出文件夹")
    wps.add_argument("--server", default="http://127.0.0.1:8000", metavar="地址",
                     help="jixiao-xl 服务的地址（默认 http://127.0.0.1:8000，即每台电脑本机运行的服务）")
    wps.add_argument("--addin-url", metavar="地址", help="加载项文件所在的网址（默认：服务地址/wps/，由服务提供）")
    wps.add_argument("--key", metavar="密钥", help="共用服务的访问密钥（服务启动时显示的地址中 key= 后的文字；"
                                                   "在运行服务的电脑上生成时自动使用）")
    install = addin_sub.add_parser("install", help="安装经典加载项（Windows），或显示安装步骤")
    install.add_argument("xlam", nargs="?", metavar="文件", help="build-xlam 生成的 .xlam 文件")

    bundle = sub.add_parser("bundle", help="生成离线安装包（内网电脑用）",
                            description="生成离线安装包：wheel、加载项、模板和安装脚本")
    bundle.add_argument("-o", "--output", required=True, metavar="名称",
                        help="安装包的名称：生成 名称.zip（解压后是同名文件夹）")
    bundle.add_argument("--folder", action="store_true", help="生成文件夹而不是 .zip（在本机直接使用或自行打包）")
    bundle.add_argument("--platform", nargs="+", action="extend", metavar="平台",
                        help="win_amd64、manylinux_x86_64、manylinux_aarch64（默认：全部）")
    bundle.add_argument("--python", nargs="+", action="extend", metavar="版本",
                        help="3.10、3.11、3.12（默认：全部）")

    from .narrative.command import add_parser as add_report_parser

    add_report_parser(sub, _Parser)

    prof = sub.add_parser("profiles", help="列出各省评分口径及其来源", description="各省评分口径（执行率分值、一级指标分值、"
                          "计分办法、等级）及每条的来源")
    prof.add_argument("action", nargs="?", choices=["list", "explain"], default="list", metavar="操作",
                      help="list（默认）列出全部；explain 口径名 显示一个口径的全部规则和来源")
    prof.add_argument("name", nargs="?", metavar="口径", help="口径名，如 hubei")
    explain = sub.add_parser("explain", help="说明一条规则", description="显示规则的说明、依据和示例")
    explain.add_argument("code", nargs="?", metavar="规则",
                         help="代码（B110）、名称（sangong-sum）、前缀（B、B1）、评分口径名（hubei）或关键词（三公、执行率）；"
                              "省略则列出全部规则")
    return parser


def _store_options(parser) -> None:
    parser.add_argument("--store", default=None, metavar="文件",
                        help="把各单位各年度的表存入这个绩效库（SQLite，如 绩效库.sqlite），并与库中本单位上一年度的"
                             "填报核对（H 类规则）")
    parser.add_argument("--unit-map", default=None, metavar="文件",
                        help="单位更名对照表：每行“旧名称,新名称”，更名前后的年度视为同一单位")


def _open_store(args):
    """(Store, History, UnitMap) for --store, or Nones; a store that cannot be used: StoreError."""
    if not getattr(args, "store", None):
        if getattr(args, "unit_map", None):
            from .store.records import StoreError

            raise StoreError("--unit-map 需要和 --store 一起使用", "U305")
        return None, None, None
    from .store.db import History, Store
    from .store.records import UnitMap

    unit_map = UnitMap.read(args.unit_map)
    store = Store.open(args.store)
    return store, History(args.store, unit_map), unit_map


def _expand(paths: list[str]) -> tuple[list[str], list[str]]:
    """Files as given; folders become the workbooks in them (recursively, sorted). Also: folders without any."""
    from pathlib import Path

    from .batch import is_own_output, is_workbook_file

    out, empty = [], []
    for item in paths:
        path = Path(item)
        if path.is_dir():  # an earlier batch's 汇总.xlsx is no submission
            # workbooks by name (.xlsx, .xls, .et, .ods, …) or by content
            found = sorted(str(p) for p in path.rglob("*")
                           if p.is_file() and is_workbook_file(p) and not is_own_output(p))
            if not found:
                empty.append(item)
            out += found
        else:
            out.append(item)
    return out, empty


def _check(args) -> int:
    from .rules.check import RuleFilter, check_path
    from .rules.report import to_json, to_text

    profile = _profile(args)
    try:
        rule_filter = RuleFilter(_split_codes(args.select), _split_codes(args.ignore))
    except ValueError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    paths, empty = _expand(args.paths)
    for folder in empty:
        print(f"jixiao-xl：{folder}：文件夹里没有 .xlsx/.xlsm 工作簿", file=sys.stderr)
    if not paths:
        return 2
    from .store.records import StoreError, records

    try:
        store, history, unit_map = _open_store(args)
    except StoreError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    reports = [check_path(path, profile, rule_filter, history) for path in paths]
    if store is not None:
        try:
            for report in reports:
                store.add(records(report, report.path, unit_map))
            store.close()
        except StoreError as exc:
            print(f"jixiao-xl：{exc}", file=sys.stderr)
            return 2
    if args.json:
        print(to_json(reports))
    else:
        print(to_text(reports, show_info=not args.no_info))
        for report in reports:
            if report.status == "unreadable":
                print(f"jixiao-xl：{report.path}：{with_code(report.error, report.code)}", file=sys.stderr)
    if store is not None:
        print(store.summary(), file=sys.stderr if args.json else sys.stdout)
    if empty or any(r.status == "unreadable" for r in reports):
        return 2
    return 1 if any(r.status == "errors" for r in reports) else 0


def _profile(args):
    """The profile named with --profile; None: chosen from each workbook (jiangxi when only --exec-mode
    jiangxi is given)."""
    from .compute.profiles import get_profile

    name = args.profile
    if name is None and getattr(args, "exec_mode", None) == "jiangxi":
        name = "jiangxi"
    if name is None:
        return None
    overrides = {"exec_mode": args.exec_mode} if getattr(args, "exec_mode", None) else {}
    return get_profile(name, **overrides)


def _profiles(args) -> int:
    from .compute.profiles import EVIDENCE, describe, get_profile, profiles

    if args.action == "explain" or args.name:
        if not args.name:
            print("jixiao-xl：请写出口径名，如 jixiao-xl profiles explain hubei", file=sys.stderr)
            return 2
        print(describe(get_profile(args.name)))
        return 0
    for profile in profiles().values():
        grades = sorted({s["grade"] for s in profile.data["sources"].values()})
        weights = "、".join(f"{k}{v:g}" for k, v in profile.level1.items()) or "一级分值不固定"
        print(f"{profile.name:<16}{profile.label}：执行率 {profile.exec_weight:g} 分，{weights}"
              f"（来源 {len(profile.data['sources'])} 条，{'/'.join(grades)} 级）")
    print("\n来源等级：" + "；".join(f"{k} {v}" for k, v in EVIDENCE.items()))
    print("不用 --profile 时按表上的地名和特有栏目判断；判断不了时只按表上写明的分值校验。")
    return 0


def _template(args) -> int:
    import os

    from .write import template as T
    from .xlsx.grid import UnreadableWorkbook
    from .read.reader import read_workbook
    from .write.writer import write_template
    from .xlsx.xlsxio import OutputError, output_problem

    book = None
    if args.source:
        try:
            book = read_workbook(args.source)
        except UnreadableWorkbook as exc:
            print(f"jixiao-xl：{args.source}：{with_code(str(exc), exc.code)}", file=sys.stderr)
            return 2
        if not book.forms:
            from .rules.check import NO_FORM

            print(f"jixiao-xl：{args.source}：{NO_FORM}", file=sys.stderr)
            return 2
    if args.projects < 1:
        print("jixiao-xl：--projects 至少为 1", file=sys.stderr)
        return 2
    if book is not None and args.year is not None:
        years = sorted({f.year for f in book.forms if f.year})
        if years and years != [args.year]:
            shown = "、".join(str(y) for y in years)
            print(f"jixiao-xl：--year {args.year} 与 {args.source} 的年度（{shown}）不同：其中的 {years[0] - 1} 年决算数、"
                  f"{years[0]} 年预算数和决算数会被标成 {args.year - 1}、{args.year} 年的数据，已停止。"
                  f"沿用这份材料的数据请去掉 --year；做 {args.year} 年度的新模板请去掉 --from", file=sys.stderr)
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
        sheets = T.build(data, args.projects)
        if args.source:
            T.carry_formats(sheets, args.source)
        write_template(sheets, output)
    except OutputError as exc:
        print(f"jixiao-xl：{with_code(str(exc), exc.code)}", file=sys.stderr)
        return 2
    print(f"已生成模板：{output}（{data.year} 年度，{data.profile.label}口径）")
    for sheet in sheets:
        for address, where, typed, computed in sheet.replaced:
            print(f"  [{sheet.name}] {where} ({address})：原表填 {_shown(typed)}，模板中改为公式，"
                  f"按表内数据为 {_shown(computed)}")
    return 0


def _fill(args) -> int:
    from .write.fill import FillError, fill
    from .rules.findings import SEVERITY_LABEL
    from .xlsx.xlsxio import OutputError

    try:
        result = fill(args.path, args.output, in_place=args.in_place, overwrite_derived=args.overwrite_derived,
                      mark=args.mark, profile=_profile(args))
    except OutputError as exc:
        print(f"jixiao-xl：{with_code(str(exc), exc.code)}", file=sys.stderr)
        return 2
    except FillError as exc:
        print(f"jixiao-xl：{args.path}：{with_code(str(exc), exc.code)}", file=sys.stderr)
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
    from .read.values import fmt_number

    if value is None:
        return "空"
    return fmt_number(value) if isinstance(value, (int, float)) else str(value)


def _batch(args) -> int:
    from . import batch

    if args.jobs is not None and args.jobs < 1:
        print("jixiao-xl：--jobs 至少为 1", file=sys.stderr)
        return 2
    from .xlsx.xlsxio import OutputError, folder_problem

    problem = folder_problem(args.output)
    if problem:
        print(f"jixiao-xl：无法写入 {args.output}：{problem}", file=sys.stderr)
        return 2
    overrides = {"exec_mode": args.exec_mode} if args.exec_mode else {}
    profile_name = args.profile or ("jiangxi" if args.exec_mode == "jiangxi" else None)
    if profile_name is None:
        overrides = {}  # each workbook's own profile (detect.choose)
    from .store.records import StoreError

    try:
        store, _, unit_map = _open_store(args)
    except StoreError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    try:
        result = batch.run(args.paths, args.output, fill=args.fill, jobs=args.jobs, profile_name=profile_name,
                           overrides=overrides, timeout=args.timeout, progress=batch.Progress(),
                           by=batch.BY_CHOICES.get(args.by) if args.by else None, store=store, unit_map=unit_map)
    except (OutputError, StoreError) as exc:
        print(f"jixiao-xl：{with_code(str(exc), getattr(exc, 'code', None))}", file=sys.stderr)
        return 2
    finally:
        if store is not None:
            store.conn.close()
    if store is not None:
        print(store.summary(), file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(batch.to_json(result))
    print(result.closing_line(), file=sys.stderr if args.json else sys.stdout)
    print(f"汇总：{result.outdir / batch.SUMMARY_NAME}", file=sys.stderr if args.json else sys.stdout)
    return result.exit_code


def _addin(args, parser) -> int:
    from .excel import addin

    if args.addin_command == "serve":
        try:
            addin.serve(args.project_dir, host=args.host, port=args.port, cert_dir=args.certs,
                        allow_origins=args.allow_origin, public_url=args.public_url, new_key=args.new_key,
                        store=args.store, unit_map=args.unit_map)
        except (ValueError, RuntimeError) as exc:
            print(f"jixiao-xl：{exc}", file=sys.stderr)
            return 2
        return 0
    if args.addin_command == "build-xlam":
        try:
            files = addin.build_xlam(args.output, python=args.python)
        except (ValueError, RuntimeError) as exc:
            print(f"jixiao-xl：{exc}", file=sys.stderr)
            return 2
        print("已生成：" + "、".join(str(f) for f in files) + "（“绩效自评”选项卡和 JIXIAO_ 工作表函数）")
        return 0
    if args.addin_command == "build-wps":
        try:
            files = addin.build_wps(args.output, server=args.server, addin_url=args.addin_url, key=args.key)
        except (ValueError, RuntimeError) as exc:
            print(f"jixiao-xl：{exc}", file=sys.stderr)
            return 2
        print(f"已在 {args.output} 中生成 WPS 加载项（{len(files)} 个文件），安装步骤见其中的 安装说明.txt")
        return 0
    if args.addin_command == "install":
        try:
            print(addin.install(args.xlam))
        except (FileNotFoundError, ValueError, RuntimeError) as exc:
            print(f"jixiao-xl：{exc}", file=sys.stderr)
            return 2
        return 0
    _subcommand(parser, "addin").print_help(sys.stderr)  # no action given: a usage error, not a success
    return 2


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return actions[0].choices[name] if actions else parser


def _bundle(args) -> int:
    from .excel.bundle import BundleError, build

    try:
        result = build(args.output, args.platform, args.python, log=lambda line: print(line, flush=True),
                       folder=args.folder)
    except BundleError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    for target in result.targets:
        skipped = "；".join(f"缺少 {dep}（{lost}）" for dep, lost in target.missing.items())
        print(f"  {target.platform.name} / Python {target.python}：{len(target.wheels)} 个 wheel"
              + (f"；{skipped}" if skipped else ""))
    for note in result.notes:
        print(note)
    made = result.path or result.zip_path
    print(f"已生成离线安装包：{made}")
    if result.zip_path:
        print("复制到要安装的电脑上解压，运行其中的 安装.bat（Windows）或 install.sh（Linux）；说明见其中的 说明.txt")
    return 0


def _explain(args) -> int:
    from .rules.findings import SEVERITY_LABEL
    from .narrative.rules import RULES as REPORT_RULES
    from .rules import RULES as CHECK_RULES

    RULES = CHECK_RULES + REPORT_RULES  # the report's T rules beside the workbook's
    BY_CODE = {rule.code: rule for rule in RULES}
    from .problems import PROBLEMS, matching

    def problem_line(p) -> str:
        return f"{p.code}  {p.effect:4s}  {p.name:30s} {p.about}：{p.template.split('；')[0].format_map(_Blank())}"

    if not args.code:
        for rule in RULES:
            print(f"{rule.code}  {SEVERITY_LABEL[rule.severity]}  {rule.name:30s} {rule.summary}")
        print("\n文件问题（文件无法校验或输出无法写入时给出的代码）：")
        for problem in PROBLEMS.values():
            print(problem_line(problem))
        return 0
    wanted = args.code.strip()
    rule = BY_CODE.get(wanted.upper()) or next((r for r in RULES if r.name == wanted.lower()), None)
    if rule is not None:
        print(rule.explain())
        return 0
    if wanted.upper() in PROBLEMS:
        print(PROBLEMS[wanted.upper()].explain().format_map(_Blank()))
        return 0
    from .compute.profiles import describe, profiles

    if wanted.lower() in profiles():  # a profile: every rule of it with its source (jixiao-xl profiles explain)
        print(describe(profiles()[wanted.lower()]))
        return 0
    by_prefix = [r for r in RULES if r.code.startswith(wanted.upper())] if wanted else []
    problems = [p for p in PROBLEMS.values() if p.code.startswith(wanted.upper())] if wanted else []
    searched = not by_prefix and not problems
    if searched:  # keywords (三公、执行率、sangong、加密): every one in the code, name, summary or message
        by_prefix, problems = _rules_with(RULES, wanted), matching(wanted)
    if not by_prefix and not problems:
        print(f"jixiao-xl：没有这条规则：{args.code}（可以给代码 B110、名称 sangong-sum、前缀 B 或关键词如 三公；"
              "用 jixiao-xl explain 查看全部规则；评分口径用 jixiao-xl profiles 查看）", file=sys.stderr)
        return 2
    for rule in by_prefix:
        print(f"{rule.code}  {SEVERITY_LABEL[rule.severity]}  {rule.name:30s} {rule.summary}")
    for problem in problems:
        print(problem_line(problem))
    found = f"含“{' '.join(wanted.split())}”的规则" if searched else "规则"
    parts = ([f"{len(by_prefix)} 条{found}"] if by_prefix else []) + ([f"{len(problems)} 个文件问题"] if problems else [])
    count = "共 " + "、".join(parts)
    print(f"\n{count}；用 jixiao-xl explain 代码 查看一条的说明")
    return 0


class _Blank(dict):
    """A template's fields left as "…" where a catalogue text is shown on its own."""

    def __missing__(self, key):
        return "…"


def _rules_with(rules, text: str) -> list:
    """The rules whose code, name, summary or message template hold every keyword of ``text``
    (case and full-width forms ignored)."""
    from .read.values import nfkc

    def plain(value: str) -> str:  # “三公”经费 is found by 三公经费
        return re.sub(r"[\"'“”‘’「」『』]", "", nfkc(value)).lower()

    words = [plain(word) for word in text.split() if plain(word)]
    if not words:
        return []

    def haystack(rule) -> str:
        return plain(" ".join((rule.code, rule.name, rule.summary, rule.template)))

    return [rule for rule in rules if all(word in haystack(rule) for word in words)]


class _QuietPipe:
    """stdout that goes quiet when the reader stops reading (``check … | head``): no BrokenPipe traceback."""

    def __init__(self, stream):
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if self.broken:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._silence()

    def _silence(self) -> None:
        self.broken = True
        with contextlib.suppress(OSError, ValueError, AttributeError):  # the final flush at exit goes nowhere
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)

    def __getattr__(self, name):
        return getattr(self._stream, name)


INTERNAL_ERROR = "程序内部错误"


def main(argv: list[str] | None = None) -> int:
    stdout = sys.stdout
    sys.stdout = _QuietPipe(stdout)
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("jixiao-xl：已中断", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of ours: still one Chinese line, never a traceback
        from .xlsx.xlsxio import OutputError

        if isinstance(exc, OutputError):  # an output that cannot be written, from any command
            print(f"jixiao-xl：{exc}", file=sys.stderr)
            return 2
        print(f"jixiao-xl：{INTERNAL_ERROR}（{type(exc).__name__}），请把文件和命令发给维护人员", file=sys.stderr)
        return 2
    finally:
        sys.stdout.flush()
        sys.stdout = stdout


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .compute.profiles import ProfileError, profiles, unknown_profile

    try:
        known = profiles()  # the profile files, checked at start: a bad one is named with its field
    except ProfileError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    wanted = getattr(args, "profile", None) or getattr(args, "name", None) if args.command in (
        "check", "fill", "batch", "template", "profiles") else None
    if wanted and wanted not in known:
        print(f"jixiao-xl：{unknown_profile(wanted)}", file=sys.stderr)
        return 2
    if args.command == "profiles":
        return _profiles(args)
    if args.command == "check":
        return _check(args)
    if args.command == "explain":
        return _explain(args)
    if args.command == "batch":
        return _batch(args)
    if args.command == "addin":
        return _addin(args, parser)
    if args.command == "history":
        from .store.history import command

        return command(args)
    if args.command == "template":
        return _template(args)
    if args.command == "fill":
        return _fill(args)
    if args.command == "bundle":
        return _bundle(args)
    if args.command == "report":
        from .narrative.command import run

        if not args.report_command:
            parser.parse_args(["report", "--help"])
        return run(args)
    parser.print_help()
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
