"""``jixiao-xl history 单位 --store 绩效库.sqlite``: one unit's years side by side, as an .xlsx.

Sheets: 结果 (each form and project: 总分, 等级, 执行率, 错误/警告 per year), 数据 (every figure: one row per
form, project and figure, one column per year), 问题 (every finding stored, by year).  Reads the store
only (``store.open_readonly``).
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

from .db import DEFAULT_NAME, _message as store_message, open_readonly
from .records import FORM_LABEL, WHOLE_DEPARTMENT, StoreError, UnitMap, norm_name


class UnitNotFound(StoreError):
    pass


def unit_years(conn, unit: str, unit_map: UnitMap) -> dict:
    """Everything the store holds of a unit: forms (with results), figures and findings, by year."""
    keys = unit_map.keys(unit)
    marks = ",".join("?" * len(keys))
    forms = conn.execute(
        f"SELECT id, unit, year, form, project, total_score, grade, exec_rate, exec_score, errors, warnings, "
        f"source_file, stored, replaced, sheet FROM forms WHERE unit_key IN ({marks}) ORDER BY year, form, project",
        keys).fetchall()
    if not forms:
        return {}
    import json

    ids = [f[0] for f in forms]
    id_marks = ",".join("?" * len(ids))
    figures, findings = [], []
    for form_id, figs, found in conn.execute(f"SELECT id, figures_json, findings_json FROM forms "
                                             f"WHERE id IN ({id_marks}) ORDER BY id", ids):
        figures += [(form_id, *fig[:5]) for fig in json.loads(figs)]
        findings += [(form_id, *f[:5]) for f in json.loads(found)]
    return {"forms": forms, "figures": figures, "findings": findings}


def similar_units(conn, unit: str, limit: int = 5) -> list[str]:
    """Units of the store whose names are close to ``unit`` (a typo, another city), each once, closest first.
    Close is in the unit's own part, its place and kind aside (name_core: 司法 of 汨罗市司法局): 岳阳市司法局 is
    close to 汨罗市司法局, 平江县交通运输局 to none of 平江县's other units.  The keys come from the unique index
    (one pass, no table scan); those sharing two characters with the own part are ranked by difflib: a store
    of 100,000 units answers in a fraction of a second."""
    import heapq
    from difflib import SequenceMatcher

    key = norm_name(unit)
    if not key:
        return []
    core = name_core(key)
    core_chars, chars, least = set(core), set(key), min(2, len(set(core)))
    names, shared = {}, []
    for k, name in conn.execute("SELECT unit_key, min(unit) FROM forms GROUP BY unit_key"):
        common = len(core_chars.intersection(k))
        if common >= least:
            names[k] = name
            shared.append((common, len(chars.intersection(k)), -abs(len(k) - len(key)), k))
    ranked = []
    for *_, k in heapq.nlargest(300, shared):  # difflib ranks a few hundred, not every unit
        own = SequenceMatcher(None, core, name_core(k)).ratio()
        if own >= CLOSE:
            ranked.append((own, SequenceMatcher(None, key, k).ratio(), k))
    return [names[k] for *_, k in sorted(ranked, reverse=True)[:limit]]


CLOSE = 0.6  # difflib's ratio of two units' own parts for one to be suggested for the other: 交通 and 交通运输
# (0.67), 司法 and 司法 (1); not 财政 and 民政 (0.5), 交通运输 and 水利 (0)
# a place a unit's name begins with (湖南省, 岳阳市, 平江县, 湘西土家族苗族自治州, 岳麓区; 中共 before it)
_PLACE = re.compile(r"(?:中共)?[\u4e00-\u9fff]{1,8}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|林区|新区|省|市|州|盟|县|旗|区)")
_KIND = re.compile(r"(?:委员会|办公室|局|厅|委|办|部|处)$")  # what kind of office it is
_NOT_AFTER_PLACE = "镇乡村街"  # a place cut inside a town's name (新市|镇 of 新市镇): not a place


def name_core(key: str) -> str:
    """A unit's own part (its key: norm_name), without the places it begins with and the kind of office it
    ends with: 司法 of 汨罗市司法局 and of 湖南省司法厅, 交通运输 of 平江县交通运输局; the key itself when
    nothing is left."""
    rest = key
    for _ in range(3):  # 湖南省 岳阳市 平江县
        match = _PLACE.match(rest)
        if not match or match.end() == len(rest) or rest[match.end()] in _NOT_AFTER_PLACE:
            break
        rest = rest[match.end():]
    return _KIND.sub("", rest) or rest or key


SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def sheets(data: dict) -> dict[str, tuple[list[str], list[list]]]:
    """The three sheets' columns and rows."""
    forms = data["forms"]
    years = sorted({f[2] for f in forms})
    by_id = {f[0]: f for f in forms}
    # 结果: one row per form and project, the years side by side
    results: dict[tuple, dict] = {}
    for f in forms:
        results.setdefault((FORM_LABEL.get(f[3], f[3]), f[4]), {})[f[2]] = f
    columns = ["表", "项目"] + [f"{y}年{what}" for y in years for what in ("总分", "等级", "执行率", "错误", "警告")]
    rows = []
    for (form, project), per_year in sorted(results.items()):
        row = [form, project or WHOLE_DEPARTMENT]
        for y in years:
            f = per_year.get(y)
            row += [f[5], f[6], f[7], f[9], f[10]] if f else [None] * 5
        rows.append(row)
    out = {"结果": (columns, rows)}
    # 数据: one row per figure; a year written in a key or label (an indicator "2022年全年…", a column
    # "2022年决算数") is the form's own year ("本") or the year before ("上"), so that the years line up
    values: dict[tuple, dict] = {}
    labels: dict[tuple, str] = {}
    place: dict[tuple, int] = {}  # where a figure stands in its form (the earliest of the years)
    seen: dict[int, int] = {}  # figures met so far of each form
    for form_id, key, label, cell, value, text in data["figures"]:
        f = by_id[form_id]
        key, label = _as_years(key, f[2]), _as_years(label, f[2]) if label else None
        where = (FORM_LABEL.get(f[3], f[3]), f[4] or WHOLE_DEPARTMENT, key)
        values.setdefault(where, {})[f[2]] = value if value is not None else text
        labels.setdefault(where, label or key)
        at = seen[form_id] = seen.get(form_id, -1) + 1
        place[where] = min(place.get(where, at), at)
    columns = ["表", "项目", "项目名称（数据）", "代码"] + [f"{y}年" for y in years]
    order = sorted(values, key=lambda w: (w[0], w[1] if w[1] != WHOLE_DEPARTMENT else "", place[w]))
    rows = [[form, project, labels[(form, project, key)], key] + [values[(form, project, key)].get(y) for y in years]
            for form, project, key in order]
    out["数据"] = (columns, rows)
    # 问题: a finding of the workbook as a whole (X: across forms) is kept with its first form; its sheet says
    # which form it is about
    by_sheet = {(f[2], f[14]): (FORM_LABEL.get(f[3], f[3]), f[4]) for f in forms}  # (year, sheet) -> form, project
    columns = ["年度", "表", "项目", "单元格", "代码", "严重程度", "问题", "文件"]
    rows = []
    for i, code, sev, sheet, cell, message in data["findings"]:
        f = by_id[i]
        own = (FORM_LABEL.get(f[3], f[3]), f[4])
        form, project = own if sheet in (None, "", f[14]) else by_sheet.get((f[2], sheet), (sheet, ""))
        rows.append([f[2], form, project or WHOLE_DEPARTMENT, cell, code, SEVERITY.get(sev, sev), message, f[11]])
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    out["问题"] = (columns, rows)
    return out


def _as_years(text: str, year: int) -> str:
    """A key or label with the form's year as 本 and the year before as 上 ("2022年决算数" of 2023: "上年决算数")."""
    return text.replace(str(year), "本").replace(str(year - 1), "上") if text else text


WIDTHS = {"结果": 10, "数据": 14, "问题": 10}


def write(path: str | Path, unit: str, tables: dict) -> None:
    import xlsxwriter

    from ..xlsx.layout import row_height
    from ..xlsx.xlsxio import atomic_write

    def make(temp: str) -> None:
        book = xlsxwriter.Workbook(temp, {"strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False})
        header = book.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1, "text_wrap": True})
        percent = book.add_format({"num_format": "0.00%", "valign": "top"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})  # any text: a long one shown whole
        top = book.add_format({"valign": "top"})
        for name, (columns, rows) in tables.items():
            ws = book.add_worksheet(name)
            widths = [60 if title == "问题" else 30 if title in ("项目", "项目名称（数据）", "文件") else WIDTHS[name]
                      for title in columns]
            for c, title in enumerate(columns):
                ws.write_string(0, c, title, header)
                ws.set_column(c, c, widths[c], percent if title.endswith("执行率") else wrap)
            ws.set_row(0, row_height(zip(columns, widths)))
            for r, row in enumerate(rows, start=1):
                texts = []
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        ws.write_number(r, c, value, percent if columns[c].endswith("执行率") else top)
                    else:
                        ws.write_string(r, c, str(value), wrap)
                        texts.append((str(value), widths[c]))
                ws.set_row(r, row_height(texts))  # LibreOffice, WPS and Excel do not grow it in print
            ws.freeze_panes(1, 2 if name != "问题" else 0)
            ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
            ws.set_header(f"&C{unit} 历年对比 — {name}")
            ws.set_paper(9)  # A4, across, every column on one page wide, the header row on each page
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(0)
        book.close()

    atomic_write(path, make)


def export(store: str | Path, unit: str, output: str | Path, unit_map: UnitMap | None = None) -> dict:
    """Write the unit's years to ``output``; returns what was found (years, forms, figures, findings)."""
    conn = open_readonly(store)
    try:
        data = unit_years(conn, unit, unit_map or UnitMap())
        if not data:
            near = similar_units(conn, unit)
            hint = f"；库中相近的单位：{'、'.join(near)}" if near else ""
            raise UnitNotFound(f"绩效库 {store} 中没有单位“{unit}”{hint}")
    except sqlite3.Error as exc:  # a page damaged where the unit's forms lie
        raise StoreError(store_message(store, exc), "U303") from None
    finally:
        conn.close()
    tables = sheets(data)
    write(output, data["forms"][0][1], tables)
    return {"years": sorted({f[2] for f in data["forms"]}), "forms": len(data["forms"]),
            "figures": len(data["figures"]), "findings": len(data["findings"])}


def command(args) -> int:
    from ..xlsx.xlsxio import OutputError

    store = args.store or DEFAULT_NAME
    if not norm_name(args.unit):
        print(f"jixiao-xl：请给出单位名称（如 jixiao-xl history 汨罗市司法局），现为“{args.unit}”", file=sys.stderr)
        return 2
    output = args.output or f"{args.unit}_历年对比.xlsx"
    if Path(output).suffix.lower() != ".xlsx":
        print(f"jixiao-xl：历年对比表是 Excel 工作簿，-o 请给出 .xlsx 文件名（现为 {output}）", file=sys.stderr)
        return 2
    try:
        unit_map = UnitMap.read(args.unit_map)
        found = export(store, args.unit, output, unit_map)
    except (StoreError, OutputError) as exc:
        print(f"jixiao-xl：{exc}", file=sys.stderr)
        return 2
    years = "、".join(str(y) for y in found["years"])
    print(f"已导出 {args.unit} {years} 年度：{found['forms']} 张表，{found['figures']} 个数据，"
          f"{found['findings']} 个问题 → {output}")
    return 0
