"""Writing template sheets with openpyxl: styles, locking, validation, print set-up."""

from __future__ import annotations

from ..read.forms import END_OF_FUNDS
from ..xlsx.grid import parse_a1, parse_range
from .marks import DERIVED_FILL, HEADER_FILL, INPUT_FILL
from .template import TemplateSheet
from ..xlsx.xlsxio import save_workbook, set_text



def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="808080")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "input": PatternFill("solid", fgColor=INPUT_FILL),
        "derived": PatternFill("solid", fgColor=DERIVED_FILL),
        "header": PatternFill("solid", fgColor=HEADER_FILL),
        "bold": Font(bold=True),
        "title": Font(bold=True, size=16),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
        "unlocked": Protection(locked=False),
        "locked": Protection(locked=True),
    }


def _validations(ws, sheet: TemplateSheet) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    # what to type, shown when the cell is selected (Excel and WPS: 输入信息)
    if sheet.amount_cells:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="数值不正确", error="请填写不小于0的数字",
                            showInputMessage=True, promptTitle="填写数字",
                            prompt="填写不小于0的数字，只写数字，不带单位和文字；没有的填0或留空")
        for address in sorted(sheet.amount_cells - set(sheet.formulas), key=parse_a1):
            dv.add(address)
        ws.add_data_validation(dv)
    if sheet.signed_cells:
        dv = DataValidation(type="decimal", operator="between", formula1="-1000000000", formula2="1000000000",
                            allow_blank=True, showErrorMessage=True, errorTitle="数值不正确", error="请填写数字",
                            showInputMessage=True, promptTitle="填写数字",
                            prompt="填写数字，调减的填负数（如 -5）；只写数字，不带单位和文字")
        for address in sorted(sheet.signed_cells - set(sheet.formulas), key=parse_a1):
            dv.add(address)
        ws.add_data_validation(dv)
    for score, weight in sheet.score_checks:
        dv = DataValidation(type="custom", formula1=f"AND(ISNUMBER({score}),{score}>=0,{score}<=N({weight}))",
                            allow_blank=True, showErrorMessage=True, errorTitle="得分不正确",
                            error="得分应在0到分值之间（得分不能大于分值）",
                            showInputMessage=True, promptTitle="填写得分",
                            prompt="填写0到本行分值之间的数字（不能大于分值）；得分低于分值时须填写偏差原因分析及改进措施")
        dv.add(score)
        ws.add_data_validation(dv)


def _print_setup(ws, sheet: TemplateSheet) -> None:
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    if sheet.print_rows:
        ws.print_title_rows = sheet.print_rows


def _protect(ws) -> None:
    """Locked derived cells, no password; rows may still be inserted, deleted and formatted."""
    protection = ws.protection
    protection.sheet = True
    for option in ("insertRows", "deleteRows", "formatRows", "formatColumns", "formatCells"):
        setattr(protection, option, False)


def _text_width(text: str) -> float:
    """Display width in character units: CJK characters count double."""
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def fit_heights(ws, sheet, line_height: float = 15.0) -> None:
    """Row heights that show every wrapped line (Excel does not autofit merged cells).

    ``sheet`` is a SheetSpec (rows, merges, widths); a TemplateSheet's title row keeps its own height, and its
    rows of long typed text show at least their ``min_lines``, blank or filled.
    """
    least = getattr(sheet, "min_lines", {})
    widths = {col: sheet.widths.get(col, 9.0) for col in "ABCDEFGHIJKLMNOP"}
    spans, tall = {}, set()
    for rng in sheet.merges:
        r0, c0, r1, c1 = parse_range(rng)
        if r0 == r1:
            spans[(r0, c0)] = c1
        else:
            tall.add((r0, c0))  # a label spanning several rows gets their height, not its own
    for r, values in enumerate(sheet.rows):
        title = getattr(sheet, "title", "")
        if title and parse_a1(title)[0] == r:
            continue
        lines = least.get(r + 1, 1)
        for c, value in enumerate(values):
            if not isinstance(value, str) or not value or (r, c) in tall:
                continue
            last = spans.get((r, c), c)
            room = sum(widths[chr(65 + k)] for k in range(c, last + 1)) * 0.95
            count = sum(max(1, -(-int(_text_width(part)) // max(int(room), 1))) for part in value.split("\n"))
            lines = max(lines, count)
        if lines > 1:
            ws.row_dimensions[r + 1].height = min(lines * line_height + 4, 400)


def to_openpyxl(sheets: list[TemplateSheet]):
    from openpyxl import Workbook

    st = _styles()
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        width = max((len(r) for r in sheet.rows), default=1)
        form = sheet.kind in ("basic_data", "dept_self_eval", "project_self_eval")
        for r, values in enumerate(sheet.rows, start=1):
            for c, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=c)
                set_text(cell, value) if isinstance(value, str) else setattr(cell, "value", value)
                if form and r > 2:
                    cell.alignment = st["center"]
        for address, formula in sheet.formulas.items():
            ws[address].value = formula  # our own formulas only; all data went in as text above
        for rng in sheet.merges:
            ws.merge_cells(rng)
        if form:
            last = len(sheet.rows)
            for r in range(3, last + 1):
                first = sheet.rows[r - 1][0] if sheet.rows[r - 1] else None
                if isinstance(first, str) and first.startswith(END_OF_FUNDS):  # notes and signatures: no border
                    continue
                for c in range(1, width + 1):
                    ws.cell(row=r, column=c).border = st["border"]
        for address in sheet.headers:
            ws[address].font = st["bold"]
            ws[address].fill = st["header"]
        for address in sheet.amount_cells | sheet.signed_cells | sheet.inputs | sheet.text_inputs | {
                s for s, _ in sheet.score_checks}:
            if address in sheet.formulas:
                continue
            ws[address].fill = st["input"]
            ws[address].protection = st["unlocked"]
        for address in sheet.text_inputs:
            ws[address].alignment = st["left"]
        for address in sheet.derived_cells | set(sheet.formulas):
            if address == sheet.title or address in sheet.headers:
                continue
            ws[address].fill = st["derived"]
            ws[address].protection = st["locked"]
        for address, number_format in sheet.formats.items():
            ws[address].number_format = number_format
        if sheet.title:
            ws[sheet.title].font = st["title"]
            ws[sheet.title].alignment = st["center"]
            ws.row_dimensions[parse_a1(sheet.title)[0] + 1].height = 36
        fit_heights(ws, sheet)
        for col, w in sheet.widths.items():
            ws.column_dimensions[col].width = w
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
        if form:
            _validations(ws, sheet)
            _print_setup(ws, sheet)
            _protect(ws)
        if sheet.kind == "info":
            _print_setup(ws, sheet)
            ws["A1"].font = st["title"]
            for address in sheet.derived_cells:
                ws[address].fill = st["derived"]
    return book


def write_template(sheets: list[TemplateSheet], path) -> None:
    """Write the template atomically, each formula with its current result."""
    book = to_openpyxl(sheets)
    # a formula whose result is blank caches "" (as Excel does), so no formula is left without a result
    cached = {s.name: {a: ("" if v is None else v) for a, v in s.cached.items()} for s in sheets}
    save_workbook(book, path, cached)
