"""What a checked workbook puts into the results store: the unit (by normalised name, through the renamed-units map), year, form and project of each form, its results, figures and findings (records); StoreError."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import NamedTuple
from pathlib import Path

from ..problems import Refused
from ..read.model import _UNREAD

FORM_LABEL = {"basic_data": "附件1", "dept_self_eval": "附件2", "project_self_eval": "附件3"}
WHOLE_DEPARTMENT = "（部门整体）"  # the 项目 of 附件1 and 附件2 wherever forms are listed (汇总, 跨年, history)


class StoreError(Refused):
    """A store that cannot be used: the message is the one Chinese line the user sees, ``code`` its reason in
    the catalogue of file problems (problems.py, U3xx)."""

    def __init__(self, message: str, code: str = "U303"):
        super().__init__(code, message)


# ------------------------------------------------------------------ names


_DROP = re.compile(r"[\s()（）\[\]【】<>《》〈〉〔〕「」『』{}“”\"'‘’·・.,，、。:：;；!！?？/\\|_\-—~～…"
                   "\u200b-\u200f\u2060\ufeff]+")  # spaces, zero-width marks, brackets, quotes, punctuation


_NAMES: dict[str, str] = {}  # a plain dict, cleared when large: an lru_cache's links the collector would walk


def norm_name(name: str) -> str:
    """A unit's or project's name as it is matched: full-width folded, no spaces, brackets or punctuation."""
    made = _NAMES.get(name)
    if made is None:
        import unicodedata

        if len(_NAMES) > 65536:
            _NAMES.clear()
        made = _NAMES[name] = _DROP.sub("", unicodedata.normalize("NFKC", str(name or ""))).lower()
    return made


class UnitMap:
    """--unit-map: renamed units, one per line "旧名称,新名称" (a tab, =, → or => also separates; # starts a
    note).  A unit is stored under its new name's key; its years stored under an old name are found too."""

    def __init__(self, pairs: dict[str, str] | None = None):
        self.to_new = {norm_name(old): norm_name(new) for old, new in (pairs or {}).items()}
        self._olds: dict[str, list[str]] | None = None  # each current name's old names (keys_of), made once

    @classmethod
    def of_keys(cls, to_new: dict[str, str]) -> UnitMap:
        made = cls()
        made.to_new = dict(to_new)
        return made

    @classmethod
    def read(cls, path: str | None) -> UnitMap:
        if not path:
            return cls()
        if not Path(path).exists():
            raise StoreError(f"找不到单位更名对照表 {path}（应为每行“旧名称,新名称”的文本文件）", "U305")
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            from ..xlsx.xlsxio import reason

            raise StoreError(f"无法读取单位更名对照表 {path}：{reason(exc)}", "U305") from None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise StoreError(f"单位更名对照表 {path} 不是文本文件（应为每行“旧名称,新名称”）", "U305")
        pairs, lines, typed = {}, {}, {}  # old key -> (new name as typed, new key); its line; names as typed
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in re.split(r"=>|→|->|\t|,|，|=", line) if p.strip()]
            if len(parts) != 2:
                raise StoreError(f"单位更名对照表 {path} 第 {number} 行读不出“旧名称,新名称”：{line}", "U305")
            old, new = norm_name(parts[0]), norm_name(parts[1])
            if old in pairs and pairs[old][1] != new:
                first, before = lines[old], pairs[old]
                raise StoreError(f"单位更名对照表 {path} 第 {number} 行：“{parts[0]}”在第 {first} 行已改为"
                                 f"“{before[0]}”，这里又改为“{parts[1]}”；一个旧名称只能对应一个新名称", "U305")
            if old != new:
                pairs[old], lines[old] = (parts[1], new), number
                typed.setdefault(old, parts[0])
                typed.setdefault(new, parts[1])
        made = cls()
        made.to_new = {old: new for old, (_, new) in pairs.items()}
        for start in made.to_new:  # A → B → … → A: no name would be the unit's own
            seen, key = [start], made.to_new[start]
            while key in made.to_new and key not in seen:
                seen.append(key)
                key = made.to_new[key]
            if key in seen:
                names = "→".join(typed[k] for k in [*seen[seen.index(key):], key])
                raise StoreError(f"单位更名对照表 {path} 中的更名绕成了一圈（{names}），"
                                 "请只保留从旧名称到现名称的方向", "U305")
        return made

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
        if not self.to_new:  # no map (nearly always): the key alone
            return [key]
        olds = self._olds
        if olds is None:  # made once (the store asks for every form)
            olds = self._olds = {}
            for old in sorted(self.to_new):
                new = self.key(old)
                if new != old:
                    olds.setdefault(new, []).append(old)
        return [key] + olds.get(key, [])


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
    """The results of one form as the store keeps them, as ``FormReport.to_dict`` gives them (a batch worker
    passes those: records(data=))."""
    res = form_report.results.to_dict()  # the record's JSON form (why a result was not read under "unread")
    return {key: (round(v, 6) if isinstance(v, float) else v) for key, v in res.items()}


def _groups(form) -> list[tuple]:
    """(prefix, name, cells) of a form: each cell (suffix, cell) has the key prefix + suffix; its label is its
    own (``where``) when name is None, else "name word" (WORDS[suffix]: an indicator's "… 实际完成值").  The
    parts are strings the form holds already (their hashes known), so ``figures_json`` finds a figure's head
    without building its key or label."""
    if form.kind == "basic_data":
        groups = [("staff.", None, form.staff.items())]
        groups += [(f"{key}.", None, row.cells.items()) for key, row in form.rows.items()]
        for kind, rows in (("special", form.specials), ("other", form.project_others)):
            groups += [(f"{kind}:{norm_name(row.label)}.", None, row.cells.items()) for row in rows]
        groups += [(f"building{i + 1}.", None, b.cells.items()) for i, b in enumerate(form.buildings)]
        return groups
    groups = [("exec.", None, form.exec.items())]
    groups += [(f"source:{source}.", None, cells.items()) for source, cells in form.sources.items()]
    groups.append(("breakdown.", None, form.breakdown.items()))
    groups += [(indicator_key(ind) + ".", ind.name, [(part, getattr(ind, part)) for part in INDICATOR_PARTS])
               for ind in form.indicators]
    groups.append(("", "", [("total_score", form.total_score), ("grade", form.grade)]))
    return groups


INDICATOR_PARTS = ("target", "actual", "weight", "score")
WORDS = {"target": "年度指标值", "actual": "实际完成值", "weight": "分值", "score": "得分", "total_score": "总分",
         "grade": "等级"}


def _filled(cell) -> bool:
    return cell is not None and not cell.blank


def _label(name: str | None, suffix: str, cell) -> str:
    if name is None:
        return cell.where
    return f"{name} {WORDS[suffix]}" if name else WORDS[suffix]


def _value(cell):
    """(value, text) of a figure: a number typed as one has no text; a text has the number the check read
    from it (None when no rule parsed it: it is kept as text, not parsed here)."""
    raw = cell.raw
    kind = raw.__class__
    if (kind is float or kind is int) and raw - raw == 0:
        return raw, None
    value = cell._number
    if value is _UNREAD or value is None or value.__class__ not in (float, int) or value - value != 0:
        return None, str(raw)
    return value, str(raw)


def figures(form) -> list[list]:
    """Every figure of a form that is not blank: [key, label, cell, value, text]."""
    return [[prefix + suffix, _label(name, suffix, cell), cell.address, *_value(cell)]
            for prefix, name, cells in _groups(form) for suffix, cell in cells if _filled(cell)]


# what figures_json has encoded before (a layout's cells, numbers like 0 and 100, texts like "≥95%" recur in
# every form), as UTF-8: plain dicts, which the garbage collector never walks (an lru_cache's links it would)
_HEADS: dict[tuple, bytes] = {}  # (prefix, suffix, label, row, col) -> the figure's JSON up to its value
_FLOATS: dict[float, bytes] = {}
_INTS: dict[int, bytes] = {}
_TEXTS: dict[str, bytes] = {}  # a text -> its JSON and "]" (it ends its figure)
_CACHES = (_HEADS, _FLOATS, _INTS, _TEXTS)


def figures_json(form) -> bytes:
    """``figures`` as the store keeps them: JSON in UTF-8, written straight.  The key, label and cell of each
    figure are encoded once per layout, numbers and texts once each (with what follows them), and the parts
    joined once: a form costs tens of microseconds rather than the few hundred a list, json.dumps and
    encoding take (batch --store runs it on every cell of every form: the test for blank is inlined)."""
    heads, floats, ints, texts = _HEADS, _FLOATS, _INTS, _TEXTS
    if len(heads) > 100_000 or len(floats) > 100_000 or len(texts) > 100_000:  # many layouts: start again
        for cache in _CACHES:
            cache.clear()
    out = []
    add = out.append
    for prefix, name, cells in _groups(form):
        for suffix, cell in cells:
            if cell is None:
                continue
            raw = cell.raw
            kind = raw.__class__
            number = (kind is float or kind is int) and raw - raw == 0
            if not number and cell.blank:  # a number is never blank: only a text (or nothing) asks the cell
                continue
            mark = (prefix, suffix, cell.where if name is None else name, cell.row, cell.col)
            head = heads.get(mark)
            if head is None:
                head = heads[mark] = b",[%s,%s,%s," % (_jstr(prefix + suffix), _jstr(_label(name, suffix, cell)),
                                                       _jstr(cell.address))
            add(head)
            if number:  # "number,null]"
                cache = floats if kind is float else ints
                tail = cache.get(raw)
                if tail is None:
                    tail = cache[raw] = repr(raw).encode() + b",null]"
                add(tail)
            else:  # "value or null," then the text as JSON with "]"
                value, text = _value(cell)
                add(b"null," if value is None else repr(value).encode() + b",")
                tail = texts.get(text)
                if tail is None:
                    tail = texts[text] = _jstr(text) + b"]"
                add(tail)
    if not out:
        return b"[]"
    out[0] = out[0][1:]  # the first head without its comma
    return b"[%s]" % b"".join(out)


def _jstr(text: str) -> bytes:
    return json.dumps(text, ensure_ascii=False).encode()


def indicator_key(ind) -> str:
    key = ind.store_key
    if key is None:
        key = ind.store_key = f"ind:{norm_name(ind.level1)}/{norm_name(ind.level2)}/{norm_name(ind.level3.text)}"
    return key


def file_hash(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def told_apart(a: str, b: str) -> tuple[str, str]:
    """Two files as a reader tells them apart: their names, or, when the names are the same (one workbook saved
    in two regions' folders), their paths from where they part ("平江/汨罗市司法局2023.xlsx")."""
    pa, pb = Path(a), Path(b)
    if pa.name != pb.name:
        return pa.name, pb.name
    common = 0
    while common < min(len(pa.parts), len(pb.parts)) - 1 and pa.parts[common] == pb.parts[common]:
        common += 1
    return "/".join(pa.parts[common:]), "/".join(pb.parts[common:])


class FormRecord(NamedTuple):
    """One form as it goes into the store (plain values: a batch worker sends it to the parent; a named tuple
    pickles in a third of a dataclass's time)."""

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
    exec_rate: float | None  # the headline results (columns of forms); all of them are in results_json
    exec_score: float | None
    total_score: float | None
    grade: str | None
    # the JSON columns as UTF-8: a worker encodes each once (a str would be encoded to send it, decoded on
    # arrival and encoded again for SQLite); the store binds them as text (store.db._bound)
    results_json: bytes = b"{}"
    figures: bytes = b"[]"  # JSON: [[key, label, cell, value, text], ...]
    findings: bytes = b"[]"  # JSON: [[code, severity, sheet, cell, message, expected, found], ...]
    history_findings: int = 0  # how many of its findings are H rules' (跨年问题数)


@dataclass
class BookRecords:
    source_file: str
    source_hash: str
    forms: list[FormRecord] = field(default_factory=list)
    skipped: str = ""  # why nothing of the workbook was stored


def records(report, source_file: str, unit_map: UnitMap | None = None, data: dict | None = None,
            unit: str = "") -> BookRecords:
    """What a checked workbook puts into the store (``data``: the report's ``to_dict()`` when it is made
    already, as in a batch worker: its results are the ones the store keeps; ``unit``: the unit of a workbook
    that names none, as its folder's other workbooks do — a lone 附件1)."""
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
    unit = book_unit(forms) or unit
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
        results = data["forms"][i]["results"] if data is not None else read_results(form_report)
        amounts = getattr(form, "unit", None)
        if amounts:  # the amounts' unit the form declares (万元 when it declares none): H101 converts with it
            results = {**results, "amount_unit": amounts}
        out.forms.append(FormRecord(
            unit_map.key(unit), unit, year, form.kind, norm_name(project), project, form.sheet, status, errors,
            warnings, results.get("exec_rate"), results.get("exec_score"), results.get("total_score"),
            results.get("grade"), _json(results).encode(), figures_json(form),
            _json([[f.code, f.severity, f.sheet, f.cell, f.message, f.expected, f.found] for f in found]).encode(),
            sum(1 for f in found if f.code.startswith("H"))))
    if not out.forms:
        out.skipped = "表中读不出年度"
    return out


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode  # made once


def _json(value) -> str:
    return _ENCODE(value)
