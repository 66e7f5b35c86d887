"""What a checked workbook puts into the results store: the unit (by normalised name, through the renamed-units map), year, form and project of each form, its results, figures and findings (records); StoreError."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..problems import Refused
from ..read.model import _UNREAD

FORM_LABEL = {"basic_data": "附件1", "dept_self_eval": "附件2", "project_self_eval": "附件3"}


class StoreError(Refused):
    """A store that cannot be used: the message is the one Chinese line the user sees, ``code`` its reason in
    the catalogue of file problems (problems.py, U3xx)."""

    def __init__(self, message: str, code: str = "U303"):
        super().__init__(code, message)


# ------------------------------------------------------------------ names


_DROP = re.compile(r"[\s()（）\[\]【】<>《》“”\"'‘’·・.,，、:：;；_\-—]+")


@lru_cache(maxsize=65536)
def norm_name(name: str) -> str:
    """A unit's or project's name as it is matched: full-width folded, no spaces, brackets or punctuation."""
    import unicodedata

    return _DROP.sub("", unicodedata.normalize("NFKC", str(name or ""))).lower()


class UnitMap:
    """--unit-map: renamed units, one per line "旧名称,新名称" (a tab, =, → or => also separates; # starts a
    note).  A unit is stored under its new name's key; its years stored under an old name are found too."""

    def __init__(self, pairs: dict[str, str] | None = None):
        self.to_new = {norm_name(old): norm_name(new) for old, new in (pairs or {}).items()}

    @classmethod
    def of_keys(cls, to_new: dict[str, str]) -> UnitMap:
        made = cls()
        made.to_new = dict(to_new)
        return made

    @classmethod
    def read(cls, path: str | None) -> UnitMap:
        if not path:
            return cls()
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise StoreError(f"无法读取单位更名对照表 {path}：{exc.strerror or exc}", "U305") from None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise StoreError(f"单位更名对照表 {path} 不是文本文件（应为每行“旧名称,新名称”）", "U305")
        pairs = {}
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in re.split(r"=>|→|->|\t|,|，|=", line) if p.strip()]
            if len(parts) != 2:
                raise StoreError(f"单位更名对照表 {path} 第 {number} 行读不出“旧名称,新名称”：{line}", "U305")
            pairs[parts[0]] = parts[1]
        return cls(pairs)

    def key(self, name: str) -> str:
        key = norm_name(name)
        seen = set()
        while key in self.to_new and key not in seen:  # A → B → C
            seen.add(key)
            key = self.to_new[key]
        return key

    def keys(self, name: str) -> list[str]:
        """The unit's key and every old name's key that maps to it."""
        return self.keys_of(self.key(name))

    def keys_of(self, key: str) -> list[str]:
        return [key] + sorted(old for old in self.to_new if self.key(old) == key and old != key)


# ------------------------------------------------------------------ what a workbook gives


def head_text(form, key: str) -> str:
    """A text of the form's head (单位, 项目名称 …) as typed, stripped; "" when the form has none."""
    cell = getattr(form, "head", {}).get(key)
    return (cell.text or "").strip() if cell is not None else ""


def book_unit(forms) -> str:
    """The unit a workbook belongs to (as batch.workbook_unit): 附件2's 预算部门名称, else 附件3's 实施单位 / 主管部门."""
    for kind, key in (("dept_self_eval", "dept_name"), ("project_self_eval", "implementer"),
                      ("project_self_eval", "authority")):
        for form in forms:
            if form.kind == kind and head_text(form, key):
                return head_text(form, key)
    return ""


def form_year(form, forms) -> int | None:
    if form.year:
        return form.year
    years = [f.year for f in forms if f.year]
    return max(years) if years else None


def form_project(form) -> str:
    return head_text(form, "project_name") if form.kind == "project_self_eval" else ""


def read_results(form_report) -> dict:
    """The results of one form as the store keeps them: the ONE place that reads a check's results."""
    res = form_report.results.to_dict()  # the record's JSON form (why a result was not read under "unread")
    return {key: (round(v, 6) if isinstance(v, float) else v) for key, v in res.items()}


def _fig(out: list, key: str, cell, label: str | None = None) -> None:
    """[key, label, cell, value, text] of a cell that is not blank: a number typed as one has no text; a text
    has the number the check read from it (None when no rule parsed it: it is kept as text, not parsed here)."""
    if cell is None or cell.blank:
        return
    raw = cell.raw
    kind = raw.__class__
    if (kind is float or kind is int) and raw - raw == 0:
        out.append([key, label or cell.where, cell.address, raw, None])
        return
    value = cell._number
    out.append([key, label or cell.where, cell.address, None if value is _UNREAD else value, str(raw)])


def figures(form) -> list[list]:
    """Every figure of a form that is not blank: [key, label, cell, value, text]."""
    out: list[list] = []
    if form.kind == "basic_data":
        for key, cell in form.staff.items():
            _fig(out, f"staff.{key}", cell)
        for key, row in form.rows.items():
            for col, cell in row.cells.items():
                _fig(out, f"{key}.{col}", cell)
        for kind, rows in (("special", form.specials), ("other", form.project_others)):
            for row in rows:
                name = norm_name(row.label)
                for col, cell in row.cells.items():
                    _fig(out, f"{kind}:{name}.{col}", cell)
        for i, building in enumerate(form.buildings):
            for col, cell in building.cells.items():
                _fig(out, f"building{i + 1}.{col}", cell)
        return out
    for key, cell in form.exec.items():
        _fig(out, f"exec.{key}", cell)
    for source, cells in form.sources.items():
        for col, cell in cells.items():
            _fig(out, f"source:{source}.{col}", cell)
    for key, cell in form.breakdown.items():
        _fig(out, f"breakdown.{key}", cell)
    for ind in form.indicators:
        base = indicator_key(ind)
        name = ind.name
        _fig(out, f"{base}.target", ind.target, f"{name} 年度指标值")
        _fig(out, f"{base}.actual", ind.actual, f"{name} 实际完成值")
        _fig(out, f"{base}.weight", ind.weight, f"{name} 分值")
        _fig(out, f"{base}.score", ind.score, f"{name} 得分")
    _fig(out, "total_score", form.total_score, "总分")
    _fig(out, "grade", form.grade, "等级")
    return out


def indicator_key(ind) -> str:
    return f"ind:{norm_name(ind.level1)}/{norm_name(ind.level2)}/{norm_name(ind.level3.text)}"


def file_hash(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class FormRecord:
    """One form as it goes into the store (plain values: a batch worker sends it to the parent)."""

    unit_key: str
    unit: str
    year: int
    form: str
    project_key: str
    project: str
    sheet: str
    status: str
    errors: int
    warnings: int
    results: dict
    results_json: str = "{}"
    figures: str = "[]"  # JSON: [[key, label, cell, value, text], ...]
    findings: str = "[]"  # JSON: [[code, severity, sheet, cell, message, expected, found], ...]


@dataclass
class BookRecords:
    source_file: str
    source_hash: str
    forms: list[FormRecord] = field(default_factory=list)
    skipped: str = ""  # why nothing of the workbook was stored


def records(report, source_file: str, unit_map: UnitMap | None = None) -> BookRecords:
    """What a checked workbook puts into the store."""
    unit_map = unit_map or UnitMap()
    try:
        digest = file_hash(report.path)
    except OSError:
        digest = ""
    out = BookRecords(source_file, digest)
    if report.status == "unreadable" or not report.forms:
        out.skipped = "无法读取"
        return out
    forms = [f.form for f in report.forms]
    unit = book_unit(forms)
    if not unit:
        out.skipped = "表中没有单位名称（附件2 预算部门名称或附件3 实施单位）"
        return out
    shared = [f for f in report.findings]  # the workbook's own findings go with the first form
    for i, form_report in enumerate(report.forms):
        form = form_report.form
        year = form_year(form, forms)
        if year is None:
            continue
        found = form_report.findings + (shared if i == 0 else [])
        errors = sum(1 for f in found if f.severity == "error")
        warnings = sum(1 for f in found if f.severity == "warning")
        status = "errors" if errors else "warnings" if warnings else "clean"
        project = form_project(form)
        results = read_results(form_report)
        out.forms.append(FormRecord(
            unit_map.key(unit), unit, year, form.kind, norm_name(project), project, form.sheet, status, errors,
            warnings, results, _json(results), _json(figures(form)),
            _json([[f.code, f.severity, f.sheet, f.cell, f.message, f.expected, f.found] for f in found])))
    if not out.forms:
        out.skipped = "表中读不出年度"
    return out


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
