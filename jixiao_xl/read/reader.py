"""Find the annex forms in grids and read their fields by label.

A form is recognised by its title text wherever it stands; a sheet may hold
several forms one under another.  Inside a form every field is found by the
label that anchors it (see ``forms``), so title rows, spacer rows, inserted
rows, a shifted start and merged cells do not matter.
"""

from __future__ import annotations

import re

from . import forms as F
from ..xlsx.grid import Grid, a1, parse_a1, read_grids
from .model import BasicData, Cell, SelfEval, SetAside, UnreadSheet, Workbook
from .reader_basic import read_basic
from .reader_self_eval import read_self_eval
from .region import LABEL_MAX, Region, _year, inline_parts
from .values import DEFAULT_UNIT, declared_unit, nfkc

__all__ = ["LABEL_MAX", "Region", "find_forms", "locate_forms", "read_basic", "read_forms", "read_self_eval",
           "read_workbook"]


def find_forms(grid: Grid) -> list[tuple[F.FormSpec, int, str]]:
    """(form, title row, title text) for every form title in a sheet."""
    return _titles(Region(grid, 0, grid.height))


def _titles(region: Region) -> list[tuple[F.FormSpec, int, str]]:
    """(form, title row, title text) for every form title in a region: the first in its row."""
    if _JUDGED_BY[0] is not F.FORMS:  # judged by other forms' wordings: judge again
        _TITLE_OF.clear()
        _JUDGED_BY[0] = F.FORMS
    found = []
    last = -1
    for row, value in region.title_texts():
        if row == last:
            continue
        title = _TITLE_OF.get(value)
        if title is None:
            title = _title_of(value)
        if title[0] is not None:
            found.append((title[0], row, title[1]))
            last = row
    return found


_TITLE_OF: dict[str, tuple[F.FormSpec | None, str]] = {}  # text -> _title_of(text) (texts repeat across files)
_JUDGED_BY: list = [F.FORMS]  # the forms whose wordings _TITLE_OF was filled by


def _title_of(text: str) -> tuple[F.FormSpec | None, str]:
    """The form a text is the title of (None if none), and the title as kept."""
    if len(_TITLE_OF) >= 4096:
        _TITLE_OF.clear()
    for spec in F.FORMS:
        if spec.recognises(text):
            found = _TITLE_OF[text] = (spec, nfkc(text).replace("\n", "").strip())
            return found
    found = _TITLE_OF[text] = (None, "")
    return found


# ------------------------------------------------------------------ entry


_TOOL_SHEETS = ("校验结果", "_jixiao_marks")  # written by fill and the Excel button, never forms


def _hits(region: Region, kind: str) -> list[str]:
    """The signature labels of a form kind found in a region, as the sheet prints them (S003 names them: "预算数(A)"
    where the form's own wording is 全年预算数)."""
    out = []
    for field in F.SIGNATURES[kind]:
        found = region.find(field)
        if found:
            raw = region.grid.get(*found)
            inline = inline_parts(raw) if isinstance(raw, str) else None  # "按收入性质分：1762.55": its label
            shown = F.display_label(inline[0] if inline else raw) if isinstance(raw, str) else ""
            out.append(shown or field.short)
    return out


def _has_hits(region: Region, kind: str, count: int) -> bool:
    """The region holds at least ``count`` of the kind's signature labels (``_hits``, stopping early)."""
    for f in F.SIGNATURES[kind]:
        if count <= 0:
            break
        if region.find(f):
            count -= 1
    return count <= 0


def locate_forms(grid: Grid) -> list[tuple[F.FormSpec, Region, str, list[str]]]:
    """(form, region, title, signature labels when recognised by them alone) for every form in a sheet.

    A title (any accepted wording, see ``forms``) starts a form only when its region holds some of the
    form's labels, so a line that merely looks like a title (a note, a cover) starts nothing.  A sheet
    without a title is recognised by its labels (the title may be a formula saved without its result,
    or stand in the sheet name).
    """
    sheet = Region(grid, 0, grid.height)  # the sheet indexed once; every form's region is a part of it
    titles = _titles(sheet)
    regions: dict[tuple[int, int], Region] = {}

    def region_of(index: int) -> Region:
        top = titles[index][1] + 1
        bottom = titles[index + 1][1] if index + 1 < len(titles) else grid.height
        if (top, bottom) not in regions:
            regions[(top, bottom)] = sheet.part(top, bottom)
        return regions[(top, bottom)]

    while titles:
        kept = [t for i, t in enumerate(titles) if _has_hits(region_of(i), t[0].kind, F.SIGNATURE_TITLED)]
        if len(kept) == len(titles):
            break
        titles = kept
    if titles:
        out = []
        for index, (spec, row, title) in enumerate(titles):
            out += _with_untitled_below((spec, region_of(index), title, []))
        return out
    if grid.name in _TOOL_SHEETS:
        return []
    region = sheet
    for spec in F.FORMS:  # the title in the sheet name
        if spec.recognises(grid.name) and len(_hits(region, spec.kind)) >= F.SIGNATURE_TITLED:
            return _with_untitled_below((spec, region, nfkc(grid.name).strip(), []))
    found = _by_signature(region)
    return _with_untitled_below(found) if found else []


def _by_signature(region: Region):
    """The form a region holds, judged by its labels alone: the kind with most of its labels (at least
    SIGNATURE_MIN, and more than any other kind)."""
    if not region.labelled():  # no label at all (the notes below a form): nothing to judge
        return None
    # judged on the first form only: up to the first end of a form (总分 or 厉行节约) in the region
    ends = [e for e in (_form_end(region, F.BASIC), _form_end(region, F.DEPT)) if e is not None]
    judged = region.part(region.top, min(ends) + 1) if ends else region
    scored = sorted(((len(hits), spec, hits) for spec in F.FORMS for hits in [_hits(judged, spec.kind)]),
                    key=lambda t: -t[0])
    best, second = scored[0], scored[1]
    if best[0] >= F.SIGNATURE_MIN and best[0] > second[0]:
        return (best[1], region, "", best[2])
    return None


def _form_end(region: Region, spec: F.FormSpec) -> int | None:
    """The last row of a form: its 总分 row (附件2/3) or 厉行节约 row (附件1)."""
    if spec is F.BASIC:
        end = region.find(F.SAVING)
    else:
        head = region.find(F.INDICATOR_COLUMNS[2])
        end = region.find(F.TOTAL_ROW, start=head[0]) if head else None
    return end[0] if end else None


def _with_untitled_below(located):
    """A form, and any form without a recognisable title drawn below its end on the same sheet."""
    out = []
    while located:
        spec, region, title, signature = located
        end = _form_end(region, spec)
        below = _by_signature(region.part(end + 1, region.bottom)) if end is not None else None
        if below is None:
            out.append(located)
            break
        out.append((spec, region.part(region.top, end + 1), title, signature))
        located = below
    return out


_INDICATOR_FIELD = {f.key: f for f in F.INDICATOR_COLUMNS}


def _targets_only(region: Region) -> tuple[int, int] | None:
    """The indicator heading of a region that is a 绩效目标表 (see ``forms.TARGETS``): the heading (one row, or
    two) names the targets and none of ``forms.OUTCOME_COLUMNS``; None for any other region."""
    head = region.find(F.INDICATOR_COLUMNS[2])  # 三级指标
    if head is None:
        return None
    rows = range(max(head[0] - 1, region.top), head[0] + 1)  # a two-row heading: 分值/得分 … above (丽江)

    def printed(key: str) -> bool:
        return any(region.find_in_row(row, _INDICATOR_FIELD[key]) is not None for row in rows)

    if printed("target") and not any(printed(key) for key in F.OUTCOME_COLUMNS):
        return head
    return None


def _set_aside(region: Region, head: tuple[int, int]) -> SetAside:
    """A 绩效目标表 as S006 names it: its title (in its rows, else the sheet's name) and where it stands."""
    grid = region.grid
    for row, text in region.title_texts():
        if row < head[0] and F.TARGETS.recognises(text):
            col = next(c for c, v in enumerate(grid.rows[row]) if v == text)
            return SetAside(grid.name, nfkc(text).replace("\n", "").strip(), a1(row, col))
    title = nfkc(grid.name).strip() if F.TARGETS.recognises(grid.name) else ""
    return SetAside(grid.name, title, a1(*head))


def _amount_cells(form) -> list[Cell]:
    if isinstance(form, BasicData):
        cells = [c for row in list(form.rows.values()) + form.specials + form.project_others
                 for c in row.cells.values()]
        cells += [b.cells[k] for b in form.buildings for k in ("budget_investment", "actual_investment")
                  if k in b.cells]
        return cells
    cells = [c for k, c in form.exec.items() if k not in ("rate", "score", "weight")]
    cells += list(form.breakdown.values())
    cells += [c for row in form.sources.values() for c in row.values()]
    return cells


def _apply_unit(form, region: Region, title: str, head: int, end: int | None) -> None:
    """The form's amount unit: the first one its title, "单位：" line or headers declare (from row ``head``, the
    附件 line above the title, down to the indicators or the form's end row ``end``), else the official 万元;
    every amount cell then reads "830,000元" in that unit."""
    unit = declared_unit(title)
    stop = region.bottom if end is None else min(region.bottom, end + 1)
    if isinstance(form, SelfEval) and form.levels:
        stop = min(stop, min(level.header.row for level in form.levels))
    if unit is None:
        for value in region.unit_texts(min(head, max(region.top - 1, 0)), stop):
            unit = declared_unit(value)
            if unit:
                break
    form.unit = unit or DEFAULT_UNIT
    for cell in _amount_cells(form):
        cell.unit = form.unit


_YEAR_LINE = re.compile(r"[(（]?\s*(20\d\d)\s*年度?\s*[)）]?")


def _year_below(region) -> int | None:
    """A year standing alone in a cell of the form's first rows ("(2023年度)", "2023年度" under its title)."""
    rows = region.grid.rows
    for r in range(max(region.top - 1, 0), min(region.top + 3, len(rows))):
        for value in rows[r]:
            if value.__class__ is str and len(value) <= 12:
                match = _YEAR_LINE.fullmatch(value.strip())
                if match:
                    return int(match.group(1))
    return None


def read_forms(grids: list[Grid], path: str = "") -> Workbook:
    """Every form in the grids of one workbook."""
    found = []
    hidden = []
    uncached = {}
    set_aside = []
    unread = []
    for grid in grids:
        if grid.uncached:
            uncached[grid.name] = list(grid.uncached)
        if grid.hidden:
            hidden.append(grid.name)
        floor = 0  # the first row below the forms read above on this sheet
        located = locate_forms(grid)
        if not located and _FORM_SHEET.search(nfkc(grid.name)):
            lost = _unread_sheet(grid)
            if lost is not None:
                unread.append(lost)
        for spec, region, title, signature in located:
            # taken for 附件2/3 by its labels alone, but a 绩效目标表 (targets, no outcome): no form at all
            targets = _targets_only(region) if spec is not F.BASIC and not title else None
            if targets is not None:
                set_aside.append(_set_aside(region, targets))
                continue
            if spec is F.BASIC:
                form = read_basic(region, title)
            else:
                form = read_self_eval(region, spec, title)
            form.signature = signature
            end = _form_end(region, spec)
            # a title in the sheet (region.top is the row under it): its 附件 line above is its head too
            head = max(floor, region.top - 1 - F.HEAD_ABOVE) if title and region.top > 0 else region.top
            _apply_unit(form, region, title, head, end)
            floor = max(floor, region.bottom if end is None else end + 1)
            if grid.formula_cells:
                form.formula_cells = grid.formula_cells
                _skip_summed_text(form)
            if form.year is None:  # "(2023年度)" on its own line under the title (the official layout), else
                form.year = _year_below(region) or (None if title else _year(grid.name))  # an untitled sheet's name
            found.append(form)
    years = {form.year for form in found if form.year}
    if len(years) == 1:  # one year stated across the workbook: the year of the forms that state none
        for form in found:
            if form.year is None and hasattr(form, "book_year"):
                form.book_year = next(iter(years))
    _rate_formats(found, grids)
    far = {grid.name: list(grid.far_cells) for grid in grids if grid.far_cells}
    covered = {grid.name: list(grid.covered) for grid in grids if grid.covered}
    return Workbook(path, found, hidden, uncached, far, set_aside, stated_profile(grids), unread, covered)


def stated_profile(grids: list[Grid]) -> str | None:
    """The 评分口径 our template states on its 填表说明 (``forms.INFO_PROFILE``), "" when left blank; None for any
    other workbook.  The template's own labels (附件1's 经费控制情况 …) are no evidence of the unit's province, so
    what the template was made with decides, as the unit's form decided when it was made (template --from)."""
    info = next((g for g in grids if g.name == F.INFO_SHEET), None)
    marker = info.get(0, 0) if info is not None else None
    if marker is None or str(marker).strip() != F.MARKER:
        return None
    value = info.get(*parse_a1(F.INFO_PROFILE))
    return "" if value is None else str(value).strip()


_FORM_SHEET = re.compile(r"附件\s*[123]|附表\s*[123]|基础数据|整体支出|项目支出|评价表|自评(?!说明|报告|情况)")  # a form's
# sheet ("自评说明", "自评报告" name none: a sheet of notes is not a form that went missing)


def _unread_sheet(grid: Grid) -> UnreadSheet | None:
    """A sheet named for a form on which none was found, when it holds anything (a blank tab left in a
    template is nothing to report): what it holds instead, as far as can be said."""
    filled = [(r, c, v) for r, row in enumerate(grid.rows) for c, v in enumerate(row) if v not in (None, "")]
    if not filled:
        return None
    height = max(r for r, _, _ in filled) + 1
    width = max(c for _, c, _ in filled) + 1
    r0, c0, value = filled[0]
    why = ""
    for top, left, bottom, right in grid.merged:  # Excel keeps only the first cell of a merge: the rest is gone
        if top <= r0 and left <= c0 and bottom + 1 >= height and right + 1 >= width and bottom > top and right > left:
            text = nfkc(str(value)).replace("\n", " ").strip()
            why = f"：整张表被合并成了一个单元格（{a1(top, left)}:{a1(bottom, right)}），只剩“{text[:20]}”"
            break
    else:
        if len(filled) <= 3:
            why = "：表中只有" + "、".join(f"“{nfkc(str(v)).strip()[:20]}”" for _, _, v in filled)
    return UnreadSheet(grid.name, why, a1(r0, c0))


def rate_cells(form) -> list[Cell]:
    """The cells of a form holding a stated rate, or a score judged at the precision it shows: 附件2/3's 执行率,
    执行率得分 and 总分 (99 in a 0.0 cell states 99.0), 附件1's 控制率 (staff, funds rows, buildings)."""
    if isinstance(form, BasicData):
        cells = [form.staff.get("staff_rate")] + [row.rate for row in form.rows.values()]
        cells += [b.cells.get(key) for b in form.buildings for key in ("area_rate", "investment_rate")]
    else:
        cells = [form.exec.get("rate"), form.exec.get("score"), form.total_score]
    return [c for c in cells if c is not None]


class PendingFormats:
    """The number formats of a workbook's rate cells, read from the file when first asked (``Cell.shown`` holds
    this until then; ``rules.base.shown_tolerance`` resolves it): only a stated rate that differs from the
    computed one needs them, and reading them costs more than the rest of a workbook's check."""

    __slots__ = ("cells", "kind", "path", "styles")

    def __init__(self, path: str, kind: str, cells: dict[str, list[Cell]], styles=None):
        self.path, self.kind, self.cells, self.styles = path, kind, cells, styles  # styles: the grids' (numfmt.WorkbookStyles)

    def resolve(self) -> None:
        from ..xlsx.numfmt import cell_formats, shown_places

        cells, self.cells = self.cells, {}
        codes = cell_formats(self.path, {sheet: [(c.row, c.col) for c in found] for sheet, found in cells.items()},
                             self.kind, self.styles) if cells else {}
        for sheet, found in cells.items():
            for cell in found:
                places = shown_places((codes or {}).get(sheet, {}).get((cell.row, cell.col)))
                cell.shown = None
                if places is not None:
                    cell.percent, cell.shown = places[0], places[1:]


def _rate_formats(forms: list, grids: list[Grid]) -> None:
    """How each rate typed as a number shows (``Cell.shown``, ``Cell.percent``): 0.8619 in a 0.00% cell states
    86.19 %, in a 0.0% cell 86.2 % (spec §5: a stated rate is judged at the precision it shows).  The file's
    formats are read once for all its forms, when a rule first asks (``PendingFormats``); values from Excel or
    Office.js (no file) keep what was typed."""
    source = next((g for g in grids if g.path is not None), None)
    if source is None:
        return
    numbers: dict[str, list[Cell]] = {}
    for form in forms:
        for cell in rate_cells(form):
            raw = cell.raw
            if (raw.__class__ is float or raw.__class__ is int) and cell.shown is None:
                numbers.setdefault(form.sheet, []).append(cell)
    if numbers:
        pending = PendingFormats(source.path, source.kind, numbers, source.styles)
        for found in numbers.values():
            for cell in found:
                cell.shown = pending


def read_workbook(path: str) -> Workbook:
    """Read a file; raises grid.UnreadableWorkbook with a Chinese reason."""
    return read_forms(read_grids(path), path)


_REFERENCE = re.compile(r"(?<![A-Z0-9_.!\"])[A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?(?![0-9A-Z(])")


def _skip_summed_text(form) -> None:
    """Numbers typed as text in cells that a formula of the template sums (=SUM(D13,D14,D15)): Excel's SUM
    skips them, so they read as no number, as Excel computes; ``Cell.skipped`` keeps the number (N004)."""
    from ..compute.derive import derived
    from ..compute.profiles import get_profile
    from ..xlsx.grid import parse_range

    texts = {c.address: c for c in _amount_cells(form)
             if isinstance(c.raw, str) and not c.blank and c.number is not None}
    if not texts:
        return
    summed = set()
    for item in derived(form, get_profile()):
        formula = item.formula or ""
        if item.cell.address not in form.formula_cells:
            continue
        # every cell the template's formula reads: its SUM skips text, its N() and ISNUMBER() take text for
        # nothing (执行率 =IF(AND(ISNUMBER(D5),N(D5)>0),N(E5)/D5,"") over "1,350万元" shows nothing, its 得分 0)
        for ref in _REFERENCE.findall(formula):
            if ":" in ref:
                r0, c0, r1, c1 = parse_range(ref)
                summed |= {a1(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
            else:
                summed.add(ref)
    for address in summed & texts.keys():
        cell = texts[address]
        cell.skipped = cell.number
        cell._number = None
    form.__dict__.pop("_diagnoses", None)
