"""Published 自评报告 paired with a 湖南 部门整体 workbook (tests/data/report_pairs/*.json).

Each file holds one published report (its ``url``): its paragraphs as the stored page has them (paragraphs with no
figure may be shortened), and ``table``: the figures the report itself states, from which its 附件1/附件2 are
rebuilt on the seed's workbook (the 2023 汨罗市司法局 example; its indicator rows kept, 附件3 dropped).  None of
these pages publishes its tables in the part that is stored, so the workbook is the one the report describes: a
faithful report has no contradiction with it, and a changed figure is one.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl

from .test_seed import EXAMPLE

FOLDER = Path(__file__).parent / "data" / "report_pairs"


def load(name: str) -> dict:
    return json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))


def report(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


def edited(paragraphs: list[str], old: str, new: str) -> list[str]:
    out = list(paragraphs)
    i = next(i for i, text in enumerate(out) if old in text)
    out[i] = out[i].replace(old, new, 1)
    return out


def workbook(path: Path, table: dict) -> Path:
    """The seed's workbook with the unit, year and figures of ``table``; rate, its score and 总分 as the sheet
    computes them (``total``: the 总分 wanted, set through the 经济成本指标 得分)."""
    book = openpyxl.load_workbook(EXAMPLE)
    basic, dept = book["附件1"], book["附件2"]
    del book["附件3"]
    year = table["year"]
    for row in basic.iter_rows(min_row=4, max_row=30, min_col=2, max_col=4):
        for cell in row:
            if cell.row != 5:
                cell.value = None
    basic["A2"] = f"{year}年度部门整体支出绩效评价基础\n数据表"
    basic["C3"] = f"{year}年实际\n在职人数"
    basic["B5"], basic["C5"], basic["D5"] = f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数"
    if table.get("staff"):
        establishment, actual = table["staff"]
        basic["B4"], basic["C4"], basic["D4"] = establishment, actual, round(actual / establishment, 4)
    if table.get("public") is not None:
        basic["D25"] = table["public"]
    dept["A2"] = f"{year}年度部门整体支出绩效自评表"
    dept["B3"] = table["unit"]
    full, executed = table.get("full", 1000), table.get("executed", 1000)
    dept["C5"], dept["D5"], dept["E5"] = table.get("initial", full), full, executed
    rate = round(executed / full, 4)
    dept["G5"], dept["H5"] = rate, round(10 * min(rate, 1), 2)
    dept["B6"] = f"按收入性质分：{table.get('income', full)}"
    dept["E6"] = f"按支出性质分：{full}"
    dept["B7"] = f"其中：一般公共预算：{table.get('general', full)}"
    dept["E7"] = f"其中：基本支出：{table.get('basic', full * 0.8)}"
    dept["E8"] = f"项目支出：{table.get('project', full * 0.2)}"
    dept["B10"] = f"其他资金：{table['other']}" if table.get("other") else "其他资金："
    for r in range(14, 25):
        for column in "DEF":
            value = dept[f"{column}{r}"].value
            if isinstance(value, str):
                dept[f"{column}{r}"] = value.replace("2023", str(year))
    indicators = sum(dept[f"H{r}"].value or 0 for r in range(14, 25))
    if table.get("total") is not None:
        dept["H22"] = dept["H22"].value + table["total"] - indicators - dept["H5"].value
        indicators = table["total"] - dept["H5"].value
    dept["H25"] = round(indicators + dept["H5"].value, 2)
    book.save(path)
    return path


def pair(tmp_path: Path, name: str, paragraphs: list[str] | None = None, table: dict | None = None) \
        -> tuple[str, str]:
    """The report and its workbook; ``table``: figures to change in the workbook (one the report does not state,
    such as a 全年预算数 above what was spent, keeps it the workbook the report describes)."""
    doc = load(name)
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return (str(report(folder / f"{name}_自评报告.docx", paragraphs or doc["paragraphs"])),
            str(workbook(folder / f"{name}.xlsx", {**doc["table"], **(table or {})})))
