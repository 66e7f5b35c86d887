"""The commands behind ``jixiao-xl``: check, profiles, template, fill, batch, serve/addin, bundle, explain.

Each takes the parsed arguments and returns the exit code (0 clean, 1 errors found, 2 refused); every refusal
is one Chinese line on stderr.  cli.py builds the parser and runs them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from .problems import with_code


def _split_codes(values: list[str] | None) -> list[str]:
    return [code for value in values or [] for code in value.split(",") if code.strip()]




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
    store = Store.open(args.store, unit_map)
    return store, History(args.store, unit_map), unit_map


def _expand(paths: list[str]) -> tuple[list[str], list[str], dict[str, tuple[str, str]]]:
    """Files as given; folders become the workbooks in them (recursively, sorted). Also: folders without any,
    and the links in the folders that are not followed (path → (code, reason)): they lead out of the folder."""
    import os
    from pathlib import Path

    from .batch import is_own_output, is_workbook_file
    from .batch.archive import archive_kind
    from .batch.collect import link_problem
    from .batch.results import WORKBOOK_SUFFIXES, unsupported_code

    out, empty, refused = [], [], {}
    for item in paths:
        path = Path(item)
        # os.path.isdir never raises (Path.is_dir does for a name over 255 bytes: a file that cannot be opened, U009)
        if os.path.isdir(path):  # an earlier batch's 汇总.xlsx is no submission
            # workbooks by name (.xlsx, .xls, .et, .ods, …) or by content; a link out of the folder is not read
            files, links = [], []
            for p in sorted(path.rglob("*")):
                why = link_problem(p, path)
                if why is None:
                    if p.is_file():
                        files.append(p)
                elif p.suffix.lower() in WORKBOOK_SUFFIXES or not p.suffix:
                    refused[str(p)] = (unsupported_code(why), why)
                    links.append(p)
            found = [str(p) for p in files if is_workbook_file(p) and not is_own_output(p)]
            archives = [p for p in files if str(p) not in found and archive_kind(p)]
            if archives:  # check reads workbooks only: what lies in a zip is batch's (it opens them)
                print(f"jixiao-xl：{item}：另有 {len(archives)} 个压缩包（如 {archives[0].name}）没有校验；"
                      "请用 jixiao-xl batch 校验压缩包里的工作簿，或先解压", file=sys.stderr)
            if not found and not links:
                empty.append(item)
            out += sorted(found + [str(p) for p in links])
        else:
            out.append(item)
    return out, empty, refused


def _check(args) -> int:
    from .rules.check import FileReport, RuleFilter, check_path
    from .rules.report import to_json, to_text

    profile = _profile(args)
    try:
        rule_filter = RuleFilter(_split_codes(args.select), _split_codes(args.ignore))
    except ValueError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    paths, empty, refused = _expand(args.paths)
    for folder in empty:
        print(f"jixiao-xl：{folder}：文件夹里没有工作簿（.xlsx、.xls、.et、.ods 等）", file=sys.stderr)
    if not paths:
        return 2
    from .store.records import StoreError, records

    try:
        store, history, unit_map = _open_store(args)
    except StoreError as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    reports = [FileReport(path, "unreadable", refused[path][1], code=refused[path][0]) if path in refused
               else check_path(path, profile, rule_filter, history, args.exec_mode) for path in paths]
    if store is not None:
        history.close()  # before the store: the one that closes last folds the WAL into the file
        store.files(report.path for report in reports)
        store.rechecks = not (args.select or args.ignore)  # a check of some rules does not replace a whole one
        try:
            for report in reports:
                store.add(records(report, report.path, unit_map))
            store.close()
        except StoreError as exc:
            store.shut()
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
    """The profile named with --profile; None: chosen from each workbook.  --exec-mode is not in it: check, fill
    and batch hand it on (``check_workbook``), applied to the profile named or to each workbook's own, and say
    it on the 结果 line and in 汇总 (without --profile it used to be dropped, or jiangxi replaced the profile)."""
    from .compute.profiles import get_profile

    return get_profile(args.profile) if args.profile else None


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
        within = f"（计入{profile.exec_within}）" if profile.exec_within else ""
        print(f"{profile.name:<16}{profile.label}：执行率 {profile.exec_weight:g} 分{within}，{weights}"
              f"（来源 {len(profile.data['sources'])} 条，{'/'.join(grades)} 级）")
    print("\n来源等级：" + "；".join(f"{k} {v}" for k, v in EVIDENCE.items()))
    print("不用 --profile 时按表上的地名和特有栏目判断；判断不了时只按表上写明的分值校验。")
    return 0


def _exec_mode_refused(args, profile, chosen: bool) -> str:
    """--exec-mode on a template: its 填表说明 records the 评分口径 only, and check, fill and the add-in score the
    template by that口径; a mode other than the profile's would make the template's formulas and its check disagree
    (and --from without --profile used to drop it silently).  The refusal when it differs, else ""."""
    from .compute.profiles import EXEC_MODES, exec_rule, get_profile

    mode = getattr(args, "exec_mode", None)
    if not mode:
        return ""
    own = get_profile(profile.name)
    wanted = get_profile(profile.name, exec_mode=mode)
    if (wanted.exec_mode, wanted.score_bands) == (own.exec_mode, own.score_bands):
        return ""  # the profile scores so already: honoured as it is
    how = EXEC_MODES["proportional"] if mode == "proportional" else f"按{get_profile(mode).label}的分档计分"
    whose = "按原表判断的评分口径" if chosen else "评分口径"
    return (f"--exec-mode {mode}（{how}）与{whose}“{own.label}”的执行率计分方式（{exec_rule(own)}）不同：模板的"
            "“填表说明”只记录评分口径，校验、填写模板时按该口径计分，会与模板的公式不一致，已停止。请用 --profile "
            "选择按这种方式计分的口径（jixiao-xl profiles 列出各口径），或去掉 --exec-mode")


def _template(args) -> int:
    import os

    from .compute.detect import choose, grid_text
    from .compute.profiles import get_profile
    from .read import forms as F
    from .read.reader import read_forms
    from .write import template as T
    from .write.writer import write_template
    from .xlsx.grid import UnreadableWorkbook, read_grids
    from .xlsx.xlsxio import OutputError, output_problem

    book = grids = None
    if args.source:
        try:
            grids = read_grids(args.source)
            book = read_forms(grids, args.source)
        except UnreadableWorkbook as exc:
            print(f"jixiao-xl：{args.source}：{with_code(str(exc), exc.code)}", file=sys.stderr)
            return 2
        if not book.forms:
            from .rules.check import no_form_text

            print(f"jixiao-xl：{args.source}：{no_form_text(book)}", file=sys.stderr)
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
    # --from without --profile: judged as the form is (check on it chooses the same), --exec-mode jiangxi too (it
    # named the jiangxi profile instead of the form's, and said “与校验原表时相同”)
    profile, known, chosen = _profile(args) if args.profile or book is None else None, True, ""
    if profile is None and book is None and args.exec_mode == "jiangxi":  # a blank template: 江西's (--help)
        profile = get_profile("jiangxi")
    if profile is None and book is not None:
        choice = choose(book, grid_text(grids))
        profile, known, chosen = choice.profile, choice.known, choice.reason
    elif profile is None:  # a blank template is 湖南's form (the seed: its 附件1, 一级 weights), as --help says
        profile = get_profile("hunan")
    refused = _exec_mode_refused(args, profile, known and args.profile is None and book is not None)
    if refused:
        print(f"jixiao-xl：{refused}", file=sys.stderr)
        return 2
    data = T.data_from(book, args.year, args.unit, profile, known)
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
    if args.profile is None and book is None:
        print(f"已生成模板：{output}（{data.year} 年度，{data.profile.label}口径）；不是{data.profile.label}的表请用 --profile "
              "指定口径")
    else:
        shown = f"{data.profile.label}口径" if known else "省份未确定，按表上写明的分值"
        print(f"已生成模板：{output}（{data.year} 年度，{shown}）")
    if args.profile is None and book is not None:  # how it was chosen, as check on the form says
        kept = "写在模板“填表说明”中" if known else f"模板“填表说明”中写为“{F.PROFILE_UNKNOWN}”"
        print(f"  评分口径：与校验原表时相同，{chosen}；{kept}，校验、填写模板时沿用")
    if data.year_note:
        print(f"  {data.year_note}")
    for note in data.not_carried:
        print(f"  {note}")
    for sheet in sheets:
        for address, where, typed in sheet.kept:
            print(f"  [{sheet.name}] {where} ({address})：原表只填了合计 {typed}，没有填其中各项，模板中保留为填写的数"
                  "（不是公式）；补填其中各项后，合计须与各项之和相符（校验会核对）")
        for address, where, typed, computed in sheet.replaced:
            typed, computed = sheet.shown.get(address, (_shown(typed, True), _shown(computed)))
            said = computed if computed.startswith("按表内数据") else f"按表内数据为 {computed}"
            print(f"  [{sheet.name}] {where} ({address})：原表填 {typed}，模板中改为公式，{said}")
    return 0


def _fill(args) -> int:
    from .rules.findings import SEVERITY_LABEL
    from .write.fill import FillError, fill
    from .xlsx.xlsxio import OutputError

    try:
        result = fill(args.path, args.output, in_place=args.in_place, overwrite_derived=args.overwrite_derived,
                      mark=args.mark, profile=_profile(args), keep_earlier=True, exec_mode=args.exec_mode)
    except OutputError as exc:
        print(f"jixiao-xl：{with_code(str(exc), exc.code)}", file=sys.stderr)
        return 2
    except FillError as exc:
        print(f"jixiao-xl：{args.path}：{with_code(str(exc), exc.code)}", file=sys.stderr)
        return 2
    filled = sum(1 for c in result.changes if not c.corrected)
    restored = sum(1 for c in result.changes if c.restored)
    corrected = sum(1 for c in result.changes if c.corrected) - restored
    for change in result.changes:
        verb = "更正" if change.corrected else "填写"
        if change.restored or (change.corrected and change.formula and change.old_text == change.new_text):
            verb = "恢复公式"  # a number right where it was typed (8.6 for 8.62) over a template's formula
        formula = f"（公式 {change.formula}）" if change.formula else ""
        print(f"  {verb} [{change.sheet}] {change.cell}：{change.old_text} → {change.new_text}{formula}")
    report = result.report
    stored = f"，为 {len(result.stored)} 个没有保存结果的公式保存了计算结果" if result.stored else ""
    again = f"、恢复公式 {restored} 个" if restored else ""
    print(f"已填写 {filled} 个、更正 {corrected} 个{again}单元格{stored}；{report.count('error')} 个错误、"
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


def _shown(value, typed: bool = False) -> str:
    """A value in a message: a number as people write it, or (``typed``) with every decimal it was typed with."""
    from .read.values import fmt_number, typed_text

    if value is None:
        return "空"
    if typed:
        return typed_text(value)
    return fmt_number(value) if isinstance(value, (int, float)) else str(value)


_FILE_NAMES = (".xlsx", ".xls", ".xlsm", ".et", ".ods", ".json", ".csv", ".pdf")  # what -o of batch is not


def _batch(args) -> int:
    from . import batch

    if args.jobs is not None and args.jobs < 1:
        print("jixiao-xl：--jobs 至少为 1", file=sys.stderr)
        return 2
    from pathlib import Path

    from .xlsx.xlsxio import OutputError, folder_problem

    output = Path(args.output)
    if output.suffix.lower() in _FILE_NAMES and not os.path.isdir(output):  # (is_dir raises on a name too long)  # -o 汇总.xlsx: a folder of that name surprises
        print(f"jixiao-xl：-o 是输出文件夹（其中写入 {batch.SUMMARY_NAME} 和 findings.json），“{output.name}”像是文件名；"
              f"请给一个文件夹，例如 -o {output.with_suffix('')}", file=sys.stderr)
        return 2
    problem = folder_problem(args.output)
    if problem:
        print(f"jixiao-xl：无法写入 {args.output}：{problem}", file=sys.stderr)
        return 2
    # --exec-mode: the 执行率 of the profile named, or of each workbook's own (detect.choose), scored so
    overrides = {"exec_mode": args.exec_mode} if args.exec_mode else {}
    profile_name = args.profile
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
            store.shut()
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
    from .narrative.rules import RULES as REPORT_RULES
    from .rules import RULES as CHECK_RULES
    from .rules.findings import SEVERITY_LABEL

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


