"""Workbooks of two years for the store's tests: the bundled 2023 example and a 2022 one made from it.

``last_year`` writes a real .xlsx with openpyxl: the example's texts moved back a year (2023 → 2022,
2022 → 2021) and its 2023 决算数 column holding what the 2023 file's 2022 column should have copied.
The 2023 file gives 公务用车购置和维护经费 17 for 2022 where 0 + 9 = 9: last year's file says 9.
"""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"

# 附件1 rows 6..30: the 2023 file's column B (its 2022 决算数), with 公务用车 corrected to 9
CAR_ROW = 7


def _shift_years(book) -> None:
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "202" in cell.value:
                    cell.value = cell.value.replace("2022", "\0").replace("2023", "2022").replace("\0", "2021")


def last_year(path: Path, *, car: float = 9, satisfaction: str = "社会公众满意度99%", executed: float | None = None,
              unit: str | None = None) -> Path:
    """The unit's 2022 workbook: its 2022 决算数 (column D of 附件1) as the 2023 file's column B says, except
    公务用车 ``car``; 附件3's 社会公众满意度 actual ``satisfaction``; ``executed``: 附件3's 全年执行数."""
    from openpyxl import load_workbook

    book = load_workbook(EXAMPLE)
    basic = book["附件1"]
    for row in range(6, 31):
        basic.cell(row, 4).value = basic.cell(row, 2).value  # 2022 决算数 = what 2023 copied
        basic.cell(row, 2).value = None
    basic.cell(CAR_ROW, 4).value = car
    _shift_years(book)
    project = book["附件3"]
    for row in project.iter_rows():
        for cell in row:
            if cell.value == "社会公众满意度99%":
                cell.value = satisfaction
    if executed is not None:
        _executed(project, executed)
    if unit is not None:
        _rename(book, unit)
    book.save(path)
    return path


def this_year(path: Path, *, executed: float | None = None, unit: str | None = None) -> Path:
    """The bundled 2023 example, as it is or with 附件3's 全年执行数 ``executed`` or another unit name."""
    from openpyxl import load_workbook

    book = load_workbook(EXAMPLE)
    if executed is not None:
        _executed(book["附件3"], executed)
    if unit is not None:
        _rename(book, unit)
    book.save(path)
    return path


def _executed(project, executed: float) -> None:
    """附件3's 全年执行数 (both rows) set to ``executed``, its 执行率 as typed by the unit, its 得分 left blank."""
    project["E6"].value = executed
    project["E7"].value = executed
    project["G6"].value = round(executed / project["D6"].value, 4)
    project["H6"].value = None


def _rename(book, unit: str) -> None:
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == "汨罗市司法局":
                    cell.value = unit
