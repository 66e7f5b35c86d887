"""A batch's outputs: findings.json, 汇总.xlsx (汇总, 统计, 退回清单, 问题明细, 无法读取, 附件, 跨年) with the workers' rows spliced in, print-ready."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..rules.findings import SEVERITY_LABEL
from ..rules.report import JSON_VERSION
from ..xlsx.layout import lines_height, row_height, text_lines
from .archive import outer_folder
from .collect import _SURROGATE
from .results import (
    FIRST_ERRORS,
    FORM_NAMES,
    PASS,
    RETURN,
    VERIFY,
    BatchResult,
    _problems_of,
    detail_rows,
    error_code_of,
    error_of,
    is_report,
    is_report_file,
    status_of,
    unsupported_code,
)

# ------------------------------------------------------------------ outputs


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # made once, not per call


def _dumps(value) -> str:
    text = _ENCODE(value)
    if _SURROGATE.search(text):  # a file's path not in UTF-8 on disk: its bytes as JSON escapes (json.load
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # gives the path back)
    return text


def to_json(result: BatchResult) -> str:
    """findings.json: every file's report (as the worker serialised it, when it did), attachments, skipped,
    units.  Every file has ``rel``, its path relative to the input folder it was found in, the base of
    attachments' ``path``, ``skipped`` and the units' lists (a file's ``path`` is where it lies on disk)."""
    files = [f'{{"rel":{_dumps(r["rel"])},"kind":"{"report" if is_report(r) else "workbook"}",'
             f'{(r.get("json") or _dumps(r["report"]))[1:]}' for r in result.results]
    files += [_dumps({"rel": path, "kind": "workbook", "path": path, "status": "unreadable", "error": reason,
                      "error_code": unsupported_code(reason), "forms": [], "findings": []})
              for path, reason in result.unsupported]
    files += [_dumps({"rel": a.rel, "kind": "archive", "path": a.rel, "status": "unreadable", "error": a.reason,
                      "error_code": a.code, "forms": [], "findings": []}) for a in result.unopened]
    attachments = [{"path": path, "note": note, "kind": "report" if is_report_file(path) else "attachment"}
                   for path, note in result.attachments]
    attachments += [{"path": path, "note": archive_note(path, files), "kind": "archive"}
                    for path, files in result.archives]
    units = []
    for unit in result.units():
        errors, warnings = unit.problem_counts()
        units.append({"folder": unit.folder, "unit": unit.name, "verdict": unit.verdict, "missing": unit.missing(),
                      "notes": unit.notes(),
                      "errors": errors, "warnings": warnings, "first_errors": unit.first_errors(),
                      "workbooks": [r["rel"] for r in unit.workbooks] + [rel for rel, _ in unit.unsupported],
                      "archives": [a.rel for a in unit.archives],
                      "reports": [r["rel"] for r in unit.reports], "files": unit.files,
                      "unassigned": unit.unassigned})
    return (f'{{"version":{JSON_VERSION},"files":[{",".join(files)}],"attachments":{_dumps(attachments)},'
            f'"skipped":{_dumps(result.own)},"units":{_dumps(units)}}}')


SUMMARY_COLUMNS = ["文件", "单位", "表", "项目", "执行率", "执行率得分", "填报总分", "复核总分", "差额", "填报等级",
                   "复核等级", "核对", "错误数", "警告数", "状态"]
DETAIL_COLUMNS = ["文件", "单位", "工作表", "单元格", "代码", "严重程度", "说明"]
RETURN_COLUMNS = ["单位", "文件夹", "处理", "填报总分（附件2）", "复核总分（附件2）", "填报等级", "复核等级", "错误数",
                  "警告数", f"首先要改的问题（前 {FIRST_ERRORS} 个错误）", "缺少的材料"]
UNREADABLE_COLUMNS = ["文件", "代码", "原因"]
ATTACHMENT_COLUMNS = ["文件", "说明"]
CROSS_YEAR = "跨年"  # --store: each form stored beside the unit's previous year (store.db.cross_year_rows)
CROSS_YEAR_COLUMNS = ["单位", "表", "项目", "年度", "上年总分", "本年总分", "上年等级", "本年等级", "上年执行率",
                      "本年执行率", "总分变化", "上年文件", "本年文件", "说明", "跨年问题数"]
SHEET_COLUMNS = {"汇总": SUMMARY_COLUMNS, "退回清单": RETURN_COLUMNS, "问题明细": DETAIL_COLUMNS, "无法读取": UNREADABLE_COLUMNS,
                 "附件": ATTACHMENT_COLUMNS, CROSS_YEAR: CROSS_YEAR_COLUMNS}  # the lists, in sheet order
GRADE_FILLS = {"优": "C6EFCE", "良": "E2EFDA", "中": "FFEB9C", "差": "FFC7CE"}
GRADES = ["优", "良", "中", "差"]
KINDS = ["部门整体（附件2）", "项目（附件3）"]  # the 统计 grade table's columns
BY_CHOICES = {"地区": "region", "主管部门": "authority"}
TOP_PROBLEMS = 20
# widths in characters (a Chinese character takes two); A4 landscape at one page wide prints ~150 of
# them at full size.  Text that may be longer than its column is wrapped, each row as tall as its longest
# wrapped text needs (xlsx.layout: LibreOffice, WPS and Excel do not grow rows for wrapped text in print).
WIDTHS = {"汇总": [24, 18, 24, 26, 8, 6, 6, 6, 6, 5, 5, 7, 5, 5, 9], "问题明细": [24, 16, 9, 7, 6, 6, 84],
          "无法读取": [50, 7, 90], "附件": [50, 70], "退回清单": [16, 12, 7, 15, 9, 8, 8, 5, 5, 64, 20],
          CROSS_YEAR: [20, 6, 24, 6, 7, 7, 6, 6, 8, 8, 7, 28, 28, 12, 7]}
WRAP = {"汇总": {0, 1, 2, 3}, "问题明细": {0, 1, 6}, "无法读取": {0, 2}, "附件": {0, 1}, "退回清单": {0, 1, 9, 10},
        CROSS_YEAR: {0, 2, 11, 12, 13}}
GROUP_WIDTH = 12  # the 地区 / 主管部门 column of a grouped list
PERCENT = {"汇总": ("执行率",), CROSS_YEAR: ("上年执行率", "本年执行率")}  # the columns shown as 0.00%
CENTRED = {"执行率得分", "填报总分", "复核总分", "差额", "填报等级", "复核等级", "核对", "错误数", "警告数", "状态",
           "工作表", "单元格", "代码", "严重程度", "处理", "填报总分（附件2）", "复核总分（附件2）"}


def archive_note(rel: str, files: int) -> str:
    """附件's line for a zip opened: where its files are listed."""
    return f"压缩包，已解压：其中的 {files} 个文件列为“{Path(rel).name}/…”"


def group_of(r: dict, by: str | None) -> str:
    """The 地区 (first folder of the path) or 主管部门 (附件3) a result belongs to."""
    if by == "region":
        folder = outer_folder(r["rel"])  # a zip's files are in the folder it lies in (材料.zip/汨罗/…: 汨罗)
        return folder.split("/")[0] if folder else "（未分组）"
    if by == "authority":
        return r.get("authority") or "（未填主管部门）"
    return ""


def summary_tables(result: BatchResult, by: str | None = None,
                   details: bool = True) -> dict[str, tuple[list[str], list[list]]]:
    """The summary sheets as (columns, rows): 汇总, 问题明细 (without its rows unless ``details``), 无法读取, 附件."""
    label = {v: k for k, v in BY_CHOICES.items()}.get(by)
    summary, detail = [], []
    for r in result.results:
        group = [group_of(r, by)] if by else []
        summary += [group + row for row in r["rows"]]
        if details:
            detail += [group + row for row in detail_rows(r)]
    unreadable = [[r["rel"], error_code_of(r), error_of(r)] for r in result.results if status_of(r) == "unreadable"]
    unreadable += [[p, unsupported_code(reason), reason] for p, reason in result.unsupported]
    unreadable += [[a.rel, a.code, a.reason] for a in result.unopened]
    unreadable += [[r["rel"], r.get("fill_error_code"), f"自动填写失败：{r['fill_error']}"]
                   for r in result.results if r["fill_error"]]
    others = [[p, note] for p, note in result.attachments] + [[p, archive_note(p, n)] for p, n in result.archives]
    others += [[p, "本工具以前生成的文件，已跳过"] for p in result.own]
    rows = {"汇总": summary, "退回清单": return_rows(result), "问题明细": detail, "无法读取": unreadable,
            "附件": others}
    if result.cross_year:
        rows[CROSS_YEAR] = [row for row, _ in result.cross_year_rows()]
    return {name: (_columns(name, label), rows[name]) for name in SHEET_COLUMNS if name in rows}


def return_rows(result: BatchResult) -> list[list]:
    """退回清单 (RETURN_COLUMNS): one row per unit, those to return first, then those to verify, then the rest."""
    order = {RETURN: 0, VERIFY: 1, PASS: 2}
    rows = []
    for unit in result.units():
        dept = next((row for r in unit.workbooks for row in r["rows"] if FORM_NAMES["附件2"] in row[2]), None)
        if dept is not None:
            scores = [dept[6], dept[7], dept[9], dept[10]]  # 填报总分, 复核总分, 填报等级, 复核等级
        elif unit.unassigned:  # a file whose unit is not known: its first line says why
            scores = [None, None, None, None]
        else:
            scores = ["无附件2" if unit.readable else "压缩包无法打开" if unit.archives else "无可读的工作簿",
                      None, None, None]
        errors, warnings = unit.problem_counts()
        missing = unit.missing()
        lacking = "缺少" + "、".join(missing) if missing else ""
        if unit.archives:  # what it lacks may be in the archive
            lacking = f"{len(unit.archives)} 个压缩包无法打开，未能核对"
        lacking = "；".join(filter(None, [lacking, *unit.notes()]))  # sent, but not checked: "自评报告是扫描件…"
        rows.append([unit.name, unit.folder or "（顶层）", unit.verdict, *scores, errors, warnings,
                     "\n".join(f"{i}. {text}" for i, text in enumerate(unit.first_errors(), 1)), lacking])
    return [row for _, row in sorted(enumerate(rows), key=lambda pair: (order[pair[1][2]], pair[0]))]


def _problem_frame(result: BatchResult):
    """The 问题明细 columns the statistics use (文件, 单位: its unit's folder and name, 代码, 严重程度), from
    the workers' ``problems``."""
    import pandas as pd

    unit_of = {id(r): f"{unit.folder}\0{unit.name}\0{unit.rels()[0] if unit.unassigned else ''}"
               for unit in result.units() for r in unit.workbooks + unit.reports}
    rows = []
    for r in result.results:
        rel = r["rel"]
        unit = unit_of.get(id(r), rel)
        rows += [[rel, unit, code, severity] for code, severity in _problems_of(r)]
    return pd.DataFrame(rows, columns=["文件", "单位", "代码", "严重程度"])


def _titles(codes=()) -> dict[str, str]:
    """Each code's rule summary: the workbook rules', and the report rules' (T…) when one is asked for."""
    from ..rules import BY_CODE

    titles = {code: rule.summary for code, rule in BY_CODE.items()}
    if any(code not in titles for code in codes):
        from ..narrative.rules import BY_CODE as REPORT_RULES

        titles.update({code: rule.summary for code, rule in REPORT_RULES.items()})
    return titles


def statistics(frames: dict, by: str | None = None, counts: dict | None = None) -> list[tuple[str, object]]:
    """The 统计 sheet's tables, (title, DataFrame), computed with pandas from 汇总 and 问题明细; the files and
    units first when ``counts`` (BatchResult.counts) is given."""
    import pandas as pd

    label = {v: k for k, v in BY_CHOICES.items()}.get(by)
    summary, details = frames["汇总"], frames["问题明细"]
    scored = summary[summary["复核总分"].notna()].copy()
    scored["类别"] = scored["表"].map(lambda t: KINDS[0] if "部门整体支出绩效自评表" in t else KINDS[1])
    tables: list[tuple[str, object]] = []
    if counts is not None:
        shown = [key for key in COUNT_ROWS if counts[key] or key not in ("archives", "archives_unopened", "unassigned",
                                                                          "reports_scanned")]
        tables.append(("文件与单位", pd.DataFrame({"项目": [COUNT_ROWS[key] for key in shown],
                                                  "数量": [counts[key] for key in shown]})))

    graded = scored[scored["复核等级"].isin(GRADES)]  # not "无法复核（分值合计 170 ≠ 100）"
    grades = pd.crosstab(graded["类别"], pd.Categorical(graded["复核等级"], categories=GRADES), dropna=False)
    grades = grades.reindex(columns=GRADES, fill_value=0).T.reindex(columns=KINDS, fill_value=0)
    grades.index.name = "复核等级"
    grades.columns.name = None
    grades["合计"] = grades.sum(axis=1)
    tables.append(("各等级数量（按复核总分）", grades.reset_index()))

    if label:
        by_group = pd.crosstab(scored[label], pd.Categorical(scored["复核等级"], categories=GRADES), dropna=False)
        by_group = by_group.reindex(columns=GRADES, fill_value=0)
        by_group["平均复核总分"] = scored.groupby(label)["复核总分"].mean().round(2)
        by_group["不一致"] = scored.assign(x=scored["核对"].eq("不一致")).groupby(label)["x"].sum()
        by_group.index.name = label
        tables.append((f"按{label}：各等级数量", by_group.reset_index()))

    problems = details[details["严重程度"].isin(["错误", "警告"])]
    titles = _titles(set(problems["代码"]))
    units = "单位" if "单位" in details else "文件"  # units, not files (a unit's report and workbooks are one)
    if len(problems):
        top = (problems.groupby("代码").agg(严重程度=("严重程度", "first"), 单位数=(units, "nunique"),
                                          次数=("代码", "size"))
               .sort_values(["单位数", "次数", "代码"], ascending=[False, False, True]).head(TOP_PROBLEMS).reset_index())
        top.insert(1, "问题", top["代码"].map(lambda c: titles.get(c) or f"（{c}）"))
    else:
        top = pd.DataFrame(columns=["代码", "问题", "严重程度", "单位数", "次数"])
    tables.append((f"最常见的问题（前 {TOP_PROBLEMS} 个，按涉及的单位数）", top))

    per_file = summary.groupby("文件", sort=False).agg(单位=("单位", "first"), 错误数=("错误数", "sum"),
                                                     警告数=("警告数", "sum"))
    per_file = per_file[(per_file["错误数"] > 0) | (per_file["警告数"] > 0)]
    per_file = per_file.sort_values(["错误数", "警告数"], ascending=False).reset_index()
    per_file.insert(0, "名次", range(1, len(per_file) + 1))
    tables.append(("各工作簿错误、警告数（从多到少）", per_file[["名次", "单位", "文件", "错误数", "警告数"]]))

    rates = pd.to_numeric(scored["执行率"], errors="coerce").dropna()
    bins = [-float("inf"), 0.6, 0.8, 0.9, 0.95, 1.0 - 1e-9, 1.0 + 1e-9, float("inf")]
    names = ["低于60%", "60%–80%", "80%–90%", "90%–95%", "95%–100%", "100%", "超过100%"]
    rate_counts = pd.cut(rates, bins=bins, labels=names, right=False).value_counts().reindex(names, fill_value=0)
    tables.append(("执行率分布", pd.DataFrame({"执行率": names, "数量": rate_counts.values})))

    totals = pd.to_numeric(scored["复核总分"], errors="coerce").dropna()
    bins = [-float("inf"), 60, 70, 80, 90, 95, float("inf")]
    names = ["低于60分", "60–70分", "70–80分", "80–90分", "90–95分", "95分及以上"]
    score_counts = pd.cut(totals, bins=bins, labels=names, right=False).value_counts().reindex(names, fill_value=0)
    stats = pd.DataFrame({"复核总分": names, "数量": score_counts.values})
    tables.append(("复核总分分布", stats))
    described = totals.describe() if len(totals) else None
    if described is not None:
        tables.append(("复核总分概况", pd.DataFrame({"项目": ["数量", "平均", "最低", "中位数", "最高"],
                                                    "数值": [int(described["count"]), round(described["mean"], 2),
                                                           described["min"], round(totals.median(), 2),
                                                           described["max"]]})))
    return tables


COUNT_ROWS = {"workbooks": "工作簿", "forms": "其中的表", "unreadable": "无法读取的工作簿", "reports": "自评报告",
              "reports_paired": "其中与工作簿核对的", "reports_scanned": "其中扫描件（未核对）", "attachments": "其他附件",
              "archives": "已解压的压缩包",
              "archives_unopened": "无法打开的压缩包", "units": "单位",
              "units_without_workbook": "缺少工作簿的单位", "units_returned": "需退回的单位",
              "unassigned": "无法确定单位的文件"}


def write_summary(result: BatchResult, path: Path, by: str | None = None) -> None:
    """汇总.xlsx: 汇总, 统计, 问题明细, 无法读取, 附件; print-ready, charts on 统计.

    pandas computes the statistics; xlsxwriter writes the workbook (formats,
    filters, charts, page set-up) with only the header row of each list, and
    the lists' rows are then put into the sheets' XML directly: xlsxwriter
    spends ~7 µs a cell in Python, 1.3 s for 2,000 workbooks.  The workers
    have already written each workbook's rows as XML (``list_xml``); here they
    are numbered and given their formats' indexes.
    """
    import pandas as pd
    import xlsxwriter

    from ..xlsx.xlsxio import atomic_write

    tables = summary_tables(result, by, details=False)
    fragments = _fragments(result, by, tables)
    if fragments["问题明细"] is None:  # a row only xlsxwriter writes right: it writes them all
        tables["问题明细"] = summary_tables(result, by)["问题明细"]
    columns, rows = tables["汇总"]
    stats = statistics({"汇总": pd.DataFrame(rows, columns=columns), "问题明细": _problem_frame(result)}, by,
                       result.counts())

    def write(temp: str) -> None:
        # strings_to_formulas=False keeps "=..." text as text
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                   "nan_inf_to_errors": True}
        book = xlsxwriter.Workbook(temp, options)
        spliced = {}
        for name, (columns, rows) in tables.items():
            made = fragments[name]
            count = len(rows) if made is None else len(made)
            for part in range(max(1, -(-count // MAX_ROWS))):  # a sheet holds 1,048,576 rows: more go on
                sheet = f"{name}（续{part}）" if part else name
                first, last = part * MAX_ROWS, min(count, (part + 1) * MAX_ROWS)
                ws = book.add_worksheet(sheet)
                if made is None:  # a value rows_xml does not write (never from our own rows): xlsxwriter does
                    hide = _hidden_column(name, bool(by))
                    wrapped = _wrapped(name, bool(by) and name in LIST_SHEETS)
                    for r, row in enumerate(rows[first:last], start=1):
                        ws.write_row(r, 0, row)
                        ws.set_row(r, row_height([(row[c], width) for c, width in wrapped if c < len(row)]), None,
                                   {"hidden": hide is not None and row[hide] == INFO})
                formats = _format(book, ws, name, columns, last - first, bool(by) and name in LIST_SHEETS,
                                  result.exec_mode_note())
                if made:
                    spliced[sheet] = (made[first:last], formats, len(columns))
            if name == "汇总":
                _write_statistics(book, stats)
        book.close()
        if spliced:
            _splice(temp, {name: (_numbered(rows, {kind: f._get_xf_index() for kind, f in formats.items()}),
                                  len(rows), width) for name, (rows, formats, width) in spliced.items()})

    atomic_write(path, write)


LIST_SHEETS = ("汇总", "问题明细")  # the sheets with a row per form / per finding, written by the workers
MAX_ROWS = 1_048_575  # data rows of a sheet under its header (Excel's and LibreOffice's limit: 1,048,576)
# In a row's XML from rows_xml, its number and its cells' format indexes are placeholders (control
# characters, which _plain keeps out of any text), filled in when the summary workbook is written.
ROW_MARK = "\x01"
KIND_MARKS = {"wrap": "\x02", "centred": "\x03", "top": "\x04", "percent": "\x05"}


def column_kinds(name: str, columns: list[str], grouped: bool) -> list[str]:
    """Each column's format in a summary sheet (KIND_MARKS' keys): wrapped text, centred, top-aligned, percent."""
    shift = 1 if grouped else 0
    wrapped = ({0} if grouped else set()) | {c + shift for c in WRAP[name]}
    kinds = ["wrap" if col in wrapped else "centred" if title in CENTRED else "top" for col, title in enumerate(columns)]
    for title in PERCENT.get(name, ()):
        kinds[columns.index(title)] = "percent"
    return kinds


_HEADS: dict[tuple[str, bool], tuple[list[str], list[tuple[int, float]]]] = {}  # (sheet, grouped) -> each
# cell's head, the wrapped columns with their widths


def _widths(name: str, grouped: bool) -> list[float]:
    """A summary sheet's column widths (characters)."""
    return ([GROUP_WIDTH] if grouped else []) + WIDTHS[name]


def _wrapped(name: str, grouped: bool) -> list[tuple[int, float]]:
    """A summary sheet's wrapped columns, (index, width): what its rows' heights are made for."""
    kinds = column_kinds(name, _columns(name, "分组" if grouped else None), grouped)
    widths = _widths(name, grouped)
    return [(c, widths[c]) for c, kind in enumerate(kinds) if kind == "wrap"]


def rows_xml(name: str, rows: list[list], grouped: bool) -> list[bytes] | None:
    """Each row's <row> element for a summary sheet (UTF-8), cells as xlsxwriter writes them (numbers as
    %.16G, empty text and None left out, strings inline), as tall as its wrapped text needs (xlsx.layout),
    with placeholders for the row number and the formats; None when a row holds a value only xlsxwriter
    writes right (see _plain)."""
    if not all(_plain(row) for row in rows):
        return None
    heads = _HEADS.get((name, grouped))
    if heads is None:
        from ..xlsx.a1 import col_letter

        kinds = column_kinds(name, _columns(name, "分组" if grouped else None), grouped)
        heads = _HEADS[(name, grouped)] = (
            [f'<c r="{col_letter(c)}{ROW_MARK}" s="{KIND_MARKS[kind]}"' for c, kind in enumerate(kinds)],
            _wrapped(name, grouped))
    cell_heads, wrapped = heads
    hide = _hidden_column(name, grouped)  # 问题明细's 提示 rows: hidden by its filter (kept, not printed)
    out = []
    texts: dict[str, str] = {}  # file names, units, codes repeat: escape each once
    measured = [(c, width, {}) for c, width in wrapped]  # and measure each once in its column
    for row in rows:
        cells = []
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if value.__class__ is str:
                body = texts.get(value)
                if body is None:
                    body = texts[value] = _text_xml(value)
                cells.append(f'{cell_heads[c]} t="inlineStr">{body}</c>')
            else:
                cells.append(f"{cell_heads[c]}><v>{value:.16G}</v></c>")
        if not cells:
            out.append(b"")
            continue
        count = 1
        for c, width, lines in measured:
            value = row[c] if c < len(row) else None
            if value.__class__ is str:
                n = lines.get(value)
                if n is None:
                    n = lines[value] = text_lines(value, width)
                count = max(count, n)
        hidden = ' hidden="1"' if hide is not None and row[hide] == INFO else ""
        out.append(f'<row r="{ROW_MARK}" ht="{lines_height(count):g}" customHeight="1"{hidden}>'
                   f'{"".join(cells)}</row>'.encode())
    return out


INFO = SEVERITY_LABEL["info"]


def _hidden_column(name: str, grouped: bool) -> int | None:
    """The column whose 提示 rows a sheet hides (its filter shows 错误 and 警告 only), or None."""
    return DETAIL_COLUMNS.index("严重程度") + (1 if grouped else 0) if name == "问题明细" else None


def _columns(name: str, group: str | None) -> list[str]:
    """A summary sheet's columns; the lists begin with the group's (``group``: 地区 or 主管部门) when grouped."""
    columns = SHEET_COLUMNS[name]
    return [group] + columns if group and name in LIST_SHEETS else columns


def list_xml(r: dict, by: str | None, details: list[list] | None = None) -> dict[str, list[bytes] | None]:
    """A result's 汇总 and 问题明细 rows (``details``: its detail_rows, when made) as rows_xml writes them
    (in a worker, beside the check)."""
    group = [group_of(r, by)] if by else []
    details = detail_rows(r) if details is None else details
    return {"汇总": rows_xml("汇总", [group + row for row in r["rows"]], bool(by)),
            "问题明细": rows_xml("问题明细", [group + row for row in details], bool(by))}


def _fragments(result: BatchResult, by: str | None, tables: dict) -> dict[str, list[bytes] | None]:
    """Each summary sheet's rows as XML: the workers' (``list_xml``) where they wrote them for this grouping,
    written here for the others; None for a sheet with a row rows_xml does not write."""
    out: dict[str, list[bytes] | None] = {}
    for name in LIST_SHEETS:
        rows: list[bytes] | None = []
        for r in result.results:
            made_by, made = r.get("list_xml") or (None, None)
            part = made[name] if made is not None and made_by == by else list_xml(r, by)[name]
            if part is None:
                rows = None
                break
            rows += part
        out[name] = rows
    for name in tables:
        if name == CROSS_YEAR:  # the workers wrote them
            made = [xml for _, xml in result.cross_year_rows()]
            out[name] = None if None in made else made
        elif name not in LIST_SHEETS:
            out[name] = rows_xml(name, tables[name][1], False)
    return out


def _numbered(rows: list[bytes], indexes: dict[str, int]) -> bytes:
    """The rows' XML from rows_xml with their numbers (from 2: row 1 is the header) and format indexes."""
    mark = ROW_MARK.encode()
    xml = b"".join([row.replace(mark, b"%d" % n) for n, row in enumerate(rows, start=2)])
    for kind, mark in KIND_MARKS.items():
        if mark.encode() in xml:
            xml = xml.replace(mark.encode(), b"%d" % indexes[kind])
    return xml


def _plain(row: list) -> bool:
    """Only values rows_xml writes as xlsxwriter would: None, finite numbers, and text of Excel's size
    without control characters or "_x0041_"-like sequences (Excel escapes both, and readers differ on
    unescaping them in inline strings: xlsxwriter writes such text to the shared strings)."""
    for value in row:
        kind = value.__class__
        if value is None:
            continue
        if kind is str:
            if len(value) > 16383 or _CONTROL.search(value) or ("_x" in value and _ESCAPED.search(value)):
                return False
            continue
        if (kind is int or kind is float) and value - value == 0:  # not NaN or infinite
            continue
        return False
    return True


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPED = re.compile("_x[0-9a-fA-F]{4}_")


def _text_xml(text: str) -> str:
    """An inline string's <is> as xlsxwriter's constant_memory mode writes it (for text _plain lets by)."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _splice(path: str, sheets: dict[str, tuple[bytes, int, int]]) -> None:
    """Put rows (UTF-8 XML, count, columns) after the header row of the named sheets of the workbook at path."""
    import zipfile

    from xlsxwriter.utility import xl_col_to_name

    from ..xlsx.xlsxio import sheet_paths

    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        data = {info.filename: source.read(info) for info in infos}
        parts = sheet_paths(source)
    for name, (rows, count, width) in sheets.items():
        xml = data[parts[name]]
        last = xl_col_to_name(width - 1)
        dimension = f'<dimension ref="A1:{last}1"/>'.encode()
        xml = xml.replace(dimension, dimension.replace(b"1\"/>", b"%d\"/>" % (count + 1)), 1)
        end = xml.index(b"</sheetData>")
        data[parts[name]] = xml[:end] + rows + xml[end:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            target.writestr(info, data[info.filename], compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def _page_setup(ws, title: str, header_rows: int = 1) -> None:
    """A4 landscape, one page wide, header row(s) repeated, page numbers in the footer."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_header(f"&C&\"-,Bold\"{title}")
    ws.set_footer("&C第 &P 页，共 &N 页")


def _format(book, ws, name: str, columns: list[str], count: int, grouped: bool, exec_note: str = "") -> dict:
    """Header frozen and filtered, widths, % formats, colours as conditional formats (cheap for any size);
    returns the columns' formats by kind (column_kinds).  ``exec_note`` (--exec-mode): a comment on 汇总's
    执行率得分 heading, which is marked “*”, saying how every score under it was computed."""
    header = book.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
    red = book.add_format({"bg_color": "#FFC7CE"})
    yellow = book.add_format({"bg_color": "#FFEB9C"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    top = book.add_format({"valign": "top"})
    centred = book.add_format({"valign": "top", "align": "center"})
    formats = {"wrap": wrap, "centred": centred, "top": top}
    if name in PERCENT:
        formats["percent"] = book.add_format({"num_format": "0.00%", "valign": "top", "align": "right"})
    widths = _widths(name, grouped)
    for col, (title, kind) in enumerate(zip(columns, column_kinds(name, columns, grouped))):
        if exec_note and name == "汇总" and title == "执行率得分":
            ws.write_string(0, col, f"{title}*", header)
            ws.write_comment(0, col, exec_note, {"x_scale": 2})
        else:
            ws.write_string(0, col, title, header)
        ws.set_column(col, col, widths[col], formats[kind])
    ws.set_row(0, 30)
    last = max(count, 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(columns) - 1)
    printed = f"（*{exec_note}）" if exec_note and name == "汇总" else ""
    _page_setup(ws, f"绩效自评批量校验 — {ws.name}{printed}")
    if name == "汇总":
        c = {title: i for i, title in enumerate(columns)}
        for grade_, color in GRADE_FILLS.items():
            for col in (c["填报等级"], c["复核等级"]):
                ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{grade_}"',
                                                          "format": book.add_format({"bg_color": "#" + color})})
        ws.conditional_format(1, c["差额"], last, c["差额"], {"type": "cell", "criteria": "!=", "value": 0,
                                                            "format": red})
        ws.conditional_format(1, c["核对"], last, c["核对"], {"type": "cell", "criteria": "==", "value": '"不一致"',
                                                            "format": red})
        ws.conditional_format(1, c["错误数"], last, c["错误数"], {"type": "cell", "criteria": ">", "value": 0,
                                                              "format": red})
        ws.conditional_format(1, c["状态"], last, c["状态"], {"type": "cell", "criteria": "==", "value": '"有错误"',
                                                            "format": red})
        ws.conditional_format(1, c["状态"], last, c["状态"], {"type": "cell", "criteria": "==", "value": '"有警告"',
                                                            "format": yellow})
    elif name == "退回清单":
        col = columns.index("处理")
        ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{RETURN}"',
                                                  "format": red})
        ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": "==", "value": f'"{VERIFY}"',
                                                  "format": yellow})
        for col in (columns.index("错误数"),):
            ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": ">", "value": 0, "format": red})
    elif name == "问题明细":
        col = columns.index("严重程度")
        # 提示 rows (D001 可用 jixiao-xl fill 自动填写 …) stay in the list but out of the printed view: the filter
        # shows 错误 and 警告 only and the rows are written hidden (rows_xml); one click on the filter shows them
        ws.filter_column_list(col, [SEVERITY_LABEL["error"], SEVERITY_LABEL["warning"]])
        ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": "==", "value": '"错误"', "format": red})
        ws.conditional_format(1, col, last, col, {"type": "cell", "criteria": "==", "value": '"警告"',
                                                  "format": yellow})
    return formats


STATISTICS_WIDTHS = [18, 36, 30, 10, 10, 10, 10, 10]  # 统计's columns (its tables' 项目, 问题, 文件 …)


def _write_statistics(book, tables: list[tuple[str, object]]) -> None:
    """统计: the tables one under another, with a column chart of grades and a bar chart of problems."""
    ws = book.add_worksheet("统计")
    bold = book.add_format({"bold": True, "font_size": 12})
    header = book.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})  # a rule's summary, a file's path: whole
    top = book.add_format({"valign": "top"})
    for col, width in enumerate(STATISTICS_WIDTHS):
        ws.set_column(col, col, width)
    row = 0
    places: dict[str, tuple[int, int, int]] = {}  # title -> (first data row, rows, columns)
    for title, frame in tables:
        ws.write_string(row, 0, title, bold)  # a title runs on over the empty cells beside it
        names = [str(name) for name in frame.columns]
        for col, name in enumerate(names):
            ws.write_string(row + 1, col, name, header)
        ws.set_row(row + 1, row_height(zip(names, STATISTICS_WIDTHS)))
        for r, values in enumerate(frame.itertuples(index=False), start=row + 2):
            texts = []
            for col, value in enumerate(values):
                if value is None or (isinstance(value, float) and value != value):
                    continue
                if hasattr(value, "item"):
                    value = value.item()
                if isinstance(value, (int, float)):
                    ws.write_number(r, col, value, top)
                else:
                    ws.write_string(r, col, str(value), wrap)
                    texts.append((str(value), STATISTICS_WIDTHS[min(col, 7)]))
            ws.set_row(r, row_height(texts))
        places[title] = (row + 2, len(frame), len(frame.columns))
        row += len(frame) + 3
    _page_setup(ws, "绩效自评批量校验 — 统计", header_rows=0)

    first, count, columns = places["各等级数量（按复核总分）"]
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "合计", "categories": ["统计", first, 0, first + count - 1, 0],
                      "values": ["统计", first, columns - 1, first + count - 1, columns - 1],
                      "data_labels": {"value": True}, "fill": {"color": "#5B9BD5"}})
    chart.set_title({"name": "各等级数量"})
    chart.set_legend({"none": True})
    ws.insert_chart(0, 8, chart, {"x_scale": 1.0, "y_scale": 0.9})

    title = next(t for t in places if t.startswith("最常见的问题"))
    first, count, _ = places[title]
    if count:
        bar = book.add_chart({"type": "bar"})
        bar.add_series({"name": "涉及单位数", "categories": ["统计", first, 1, first + count - 1, 1],  # 问题, not 代码
                        "values": ["统计", first, 3, first + count - 1, 3], "data_labels": {"value": True},
                        "fill": {"color": "#ED7D31"}})
        bar.set_title({"name": "最常见的问题（涉及单位数）"})
        bar.set_legend({"none": True})
        bar.set_y_axis({"reverse": True})
        ws.insert_chart(16, 8, bar, {"x_scale": 1.0, "y_scale": 1.4})
