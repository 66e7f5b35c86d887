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

from .commands import _addin, _batch, _bundle, _check, _explain, _fill, _profiles, _template

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


EXEC_MODE_HELP = ("执行率计分方式：proportional（分值 × 执行率）或 jiangxi（按江西的分档）；用于 --profile 指定的口径，"
                  "不用 --profile 时用于每个工作簿按表判断的口径；结果中注明")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jixiao-xl", description="绩效自评表（附件1/2/3）校验与自动计算工具")
    parser.add_argument("--version", action="version", version=f"jixiao-xl {_version()}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    check = sub.add_parser("check", help="校验工作簿，列出全部问题", description="校验绩效自评工作簿")
    check.add_argument("paths", nargs="+", metavar="文件", help="工作簿（.xlsx、.xls、WPS .et、.ods 等），或包含它们的文件夹")
    check.add_argument("--json", action="store_true", help="输出 JSON（格式见 README）")
    check.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认：按表上的地名和栏目判断；判断不了时只按表上写明的分值校验）。可选的口径见 jixiao-xl profiles")
    check.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help=EXEC_MODE_HELP)
    check.add_argument("--select", action="append", metavar="规则", help="只运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--ignore", action="append", metavar="规则", help="不运行这些规则（代码或前缀，逗号分隔）")
    check.add_argument("--no-info", action="store_true", help="不显示“提示”级别的结果")
    _store_options(check)

    template = sub.add_parser("template", help="生成自动计算的填报模板", description="生成绩效自评填报模板（.xlsx）")
    template.add_argument("-o", "--output", metavar="文件", help="输出文件（默认：绩效自评模板_年度.xlsx）")
    template.add_argument("--year", type=_year, metavar="年度", help="年度，如 2024（默认：--from 文件的年度，或去年）")
    template.add_argument("--unit", metavar="单位", help="单位名称")
    template.add_argument("--projects", type=_positive, default=1, metavar="N", help="项目支出自评表（附件3）的张数")
    template.add_argument("--profile", default=None, metavar="口径",
                          help="模板的评分口径（默认：用 --from 时与校验原表相同，按表上的地名和栏目判断；不用 --from 时"
                               "为 hunan，即湖南的表式）。可选的口径见 jixiao-xl profiles")
    template.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None,
                          help="执行率计分方式：模板只记录评分口径，须与口径本身的计分方式相同，不同时拒绝生成；"
                               "不用 --from、--profile 时 jiangxi 即江西口径")
    template.add_argument("--from", dest="source", metavar="文件", help="把已提交工作簿的数据填入新模板")

    fill = sub.add_parser("fill", help="自动填写计算项并写入校验结果", description="自动填写可计算的单元格，写入校验结果")
    fill.add_argument("path", metavar="文件", help="模板或官方版式的工作簿")
    fill.add_argument("-o", "--output", metavar="文件", help="输出文件")
    fill.add_argument("--in-place", action="store_true", help="直接修改原文件（先备份为 原名.时间.bak.xlsx）")
    fill.add_argument("--overwrite-derived", action="store_true", help="同时更正填错的计算项（默认只填空白）")
    fill.add_argument("--mark", action="store_true", help="给有问题的单元格标色并加批注")
    fill.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认：按表上的地名和栏目判断；判断不了时只按表上写明的分值校验）。可选的口径见 jixiao-xl profiles")
    fill.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help=EXEC_MODE_HELP)

    batch = sub.add_parser("batch", help="批量校验一个或多个文件夹，生成汇总表", description="批量校验、汇总")
    batch.add_argument("paths", nargs="+", metavar="文件夹或文件", help="收到的材料（递归查找 .xlsx、.xls、WPS .et、.ods 等工作簿和自评报告）")
    batch.add_argument("-o", "--output", required=True, metavar="输出文件夹", help="输出文件夹（没有就新建），其中写入 汇总.xlsx、findings.json；须是文件夹，不是 汇总.xlsx 这样的文件名")
    batch.add_argument("--fill", action="store_true", help="同时生成自动填写后的副本（输出文件夹/filled/）")
    batch.add_argument("--jobs", type=_positive, default=None, metavar="N", help="并行进程数（默认：CPU 核数）")
    batch.add_argument("--timeout", type=_seconds, default=60.0, metavar="秒", help="每个文件最长处理时间（默认 60 秒）")
    batch.add_argument("--profile", default=None, metavar="口径", help="评分口径（默认：按表上的地名和栏目判断；判断不了时只按表上写明的分值校验）。可选的口径见 jixiao-xl profiles")
    batch.add_argument("--exec-mode", choices=["proportional", "jiangxi"], default=None, help=EXEC_MODE_HELP)
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
        import logging

        logging.getLogger("jixiao_xl").debug("internal error", exc_info=exc)  # the detail: never on the screen
        print(f"jixiao-xl：{INTERNAL_ERROR}，请把文件和命令发给维护人员", file=sys.stderr)
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
