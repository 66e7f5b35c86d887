"""What a template is made from: a unit's submitted workbook (``template --from``) or nothing (a blank one).

``data_from`` takes the forms the reader found in the submission, the year (the forms', else the file name's,
else last year, said so) and the unit; ``carry_formats`` gives each carried cell the number format it had.
What the template cannot take is listed for the user (``TemplateData.not_carried``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..compute.profiles import Profile
from ..read import forms as F
from ..read.model import BasicData, Cell, SelfEval, Workbook
from ..read.values import fmt_number


@dataclass
class TemplateData:
    year: int
    unit: str
    profile: Profile
    # the profile is the province's (--profile, or the form shows it); False: not known (template --from a form
    # whose province cannot be told): 填表说明 says so (forms.PROFILE_UNKNOWN) and the checks of the template stay
    # silent on the rules only a province's profile justifies, as on the form
    known: bool = True
    basic: BasicData | None = None
    dept: SelfEval | None = None
    projects: list[SelfEval] = field(default_factory=list)
    year_note: str = ""  # how the year was chosen when the forms do not state it (the command says so)
    # what of the submission the template could not take (a column the reader did not find, a second 附件2)
    not_carried: list[str] = field(default_factory=list)


def _typed(cell: Cell | None) -> bool:
    """Whether the user typed anything at all ("无" and "/" count: they are kept as typed)."""
    return cell is not None and cell.raw is not None and not (isinstance(cell.raw, str) and not cell.raw.strip())



def _as_text(value) -> str:
    return fmt_number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)



def carry_formats(sheets: list, path: str) -> None:
    """--from: each typed cell laid into the template (``sheets``: template.TemplateSheet) keeps the number format it had in ``path`` (100% stays
    100% and is judged as a percentage, 72.74% is not 0.7274, a date stays a date, text "@" stays text).
    Formula cells keep the template's own formats."""
    from ..xlsx.grid import workbook_kind
    from ..xlsx.numfmt import number_formats

    wanted: dict[str, set[tuple[int, int]]] = {}
    for sheet in sheets:
        for name, row, col in sheet.carried.values():
            wanted.setdefault(name, set()).add((row, col))
    if not wanted:
        return
    try:
        kind = workbook_kind(path)
    except Exception:  # noqa: BLE001 - read once already; a format not known is left as it is
        return
    codes = number_formats(path, kind, wanted)
    for sheet in sheets:
        for address, (name, row, col) in sheet.carried.items():
            code = codes.get(name, {}).get((row, col))
            if code and address not in sheet.formulas:
                sheet.formats[address] = code


def data_from(book: Workbook | None, year: int | None, unit: str | None, profile: Profile,
              known: bool = True) -> TemplateData:
    basic = (book.of_kind("basic_data") or [None])[0] if book else None
    dept = (book.of_kind("dept_self_eval") or [None])[0] if book else None
    projects = book.of_kind("project_self_eval") if book else []
    note = ""
    if year is None and book:
        years = [f.year for f in book.forms if f.year]
        year = max(set(years), key=years.count) if years else None
        if year is None:
            year, note = _year_elsewhere(book.path)
    if unit is None and book:  # the name as typed, even "无"
        if dept is not None and _typed(dept.head.get("dept_name")):
            unit = _as_text(dept.head["dept_name"].raw)
        elif projects and _typed(projects[0].head.get("authority")):
            unit = _as_text(projects[0].head["authority"].raw)
    from datetime import date

    return TemplateData(year or date.today().year - 1, unit or "", profile, known, basic, dept, projects, year_note=note,
                        not_carried=_not_carried(book, basic, dept) if book else [])


def _not_carried(book: Workbook, basic: BasicData | None, dept: SelfEval | None) -> list[str]:
    """What of ``book`` --from cannot lay into the template, said in the user's terms: the data under a column or
    row the reader did not find (S001: read nowhere, so carried nowhere), a 一级 header whose weight is not read
    (kept as printed, no 分值 made up), a second 附件1 or 附件2 (the template has one of each)."""
    out = []
    for form in book.forms:
        sheet = f"原表工作表“{form.sheet}”"
        if form.kind in ("basic_data", "dept_self_eval") and form is not (basic if form.kind == "basic_data" else dept):
            out.append(f"{sheet}的{F.FORM_BY_KIND[form.kind].annex}没有搬入模板：模板只有一张"
                       f"{F.FORM_BY_KIND[form.kind].annex}，只搬入了第一张（工作表“{(basic or dept).sheet}”）")
            continue
        if form.missing:
            shown = "、".join(f"“{label}”" for label in form.missing)
            out.append(f"{sheet}中找不到{shown}栏目，这些栏目下（及所在部分）的数据没有读出，也没有搬入模板，"
                       "请对照原表补填")
        for header in getattr(form, "unread_weights", ()):
            out.append(f"{sheet}中一级指标表头“{header.text}”({header.address})的分值读不出，模板中照原表保留，"
                       "没有代填分值；请改为如“产出指标(50分)”的写法")
    return out


_FILE_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])")


def _year_elsewhere(path: str) -> tuple[int, str]:
    """--from a workbook whose forms state no year (no "2021年度" in a title): the year its file name states, else
    last year, with the sentence that tells the user which and why."""
    from datetime import date
    from pathlib import Path

    name = Path(path).name
    this_year = date.today().year
    found = sorted({int(y) for y in _FILE_YEAR.findall(Path(path).stem) if 2000 <= int(y) <= this_year})
    if len(found) == 1:
        return found[0], (f"年度：表上没有写年度（标题中没有“XXXX年度”），按文件名“{name}”中的 {found[0]} 取为 "
                          f"{found[0]} 年度；不是这一年请用 --year 指定")
    also = f"，文件名“{name}”中的年份（{'、'.join(map(str, found))}）不止一个" if found else "，文件名中也没有"
    return this_year - 1, (f"年度：表上没有写年度（标题中没有“XXXX年度”）{also}，按上一年取为 {this_year - 1} 年度；"
                           "不是这一年请用 --year 指定")

