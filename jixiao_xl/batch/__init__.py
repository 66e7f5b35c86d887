"""``batch``: re-check (and optionally fill) every workbook under some folders.

Files are checked in worker processes, one per core.  The parent gives each
file a time limit and kills a worker that overruns it (a hung parser cannot be
interrupted from inside), so one pathological file costs its time limit and a
line in 无法读取, never the run.  Results are written at the end: 汇总.xlsx
(sheets 汇总, 统计, 退回清单, 问题明细, 无法读取, 附件), findings.json (the check
JSON contract, with each file's path relative to its input folder, and the
units) and, with ``fill``, the filled copies under filled/ mirroring the input tree.

What is counted: 工作簿 (checked in the workers), 自评报告 (the .docx ones checked
by narrative.inbox afterwards, and documents whose name says 报告), other
attachments, our own earlier outputs.  Files are grouped into units by folder
(group_units): a folder's workbooks are one unit unless they hold 附件2 of several
departments; a folder with no workbook (and none under it) is a unit 缺少工作簿.
退回清单 has one row per unit.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..rules.check import FORM_TITLES
from ..rules.findings import SEVERITY_LABEL
from ..rules.report import JSON_VERSION  # one version for check --json and findings.json

# names that are workbooks; a file named otherwise is one when its content says so (is_workbook_file)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".et", ".ett", ".ods", ".ots", ".xlsb")
LEGACY_SUFFIXES = ()  # read since issue 23 (kept for callers that add it to WORKBOOK_SUFFIXES)
STATUS_LABEL = {"clean": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法读取"}
SUMMARY_NAME = "汇总.xlsx"
JSON_NAME = "findings.json"
MEMORY_LIMIT = 2 << 30  # bytes of address space a worker may use


@dataclass
class Task:
    index: int
    path: str
    rel: str  # path relative to the folder it was found in (mirrored under filled/)


@dataclass
class BatchResult:
    outdir: Path
    results: list[dict] = field(default_factory=list)  # one per workbook, input order
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (file, reason): workbooks we cannot read
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (file, note): not workbooks, not checked
    own: list[str] = field(default_factory=list)  # earlier outputs of this tool, skipped
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.unsupported or any(status_of(r) == "unreadable" for r in self.results):
            return 2
        return 1 if any(status_of(r) == "errors" for r in self.results) else 0

    _units: list | None = field(default=None, repr=False)

    def workbooks(self) -> list[dict]:
        """The workbook results (the reports checked beside them are results too: see is_report)."""
        return [r for r in self.results if not is_report(r)]

    def reports(self) -> list[dict]:
        return [r for r in self.results if is_report(r)]

    def units(self) -> list[Unit]:
        if self._units is None:
            self._units = group_units(self)
        return self._units

    def counts(self) -> dict[str, int]:
        """Every file found, once: workbooks by status (unreadable ones included), reports (checked or not),
        other attachments, our outputs; and the units (folders) with and without a readable workbook."""
        statuses = [status_of(r) for r in self.workbooks()]
        counts = {status: statuses.count(status) for status in STATUS_LABEL}
        counts["unreadable"] += len(self.unsupported)
        counts["workbooks"] = sum(counts[status] for status in STATUS_LABEL)
        counts["forms"] = sum(len(r["rows"]) for r in self.workbooks())
        checked = self.reports()
        counts["reports_checked"] = len(checked)
        for status in ("errors", "warnings"):
            counts[f"reports_{status}"] = sum(1 for r in checked if status_of(r) == status)
        named = sum(1 for path, _ in self.attachments if is_report_file(path))
        counts["reports"] = len(checked) + named
        counts["attachments"] = len(self.attachments) - named
        counts["own"] = len(self.own)
        counts["files"] = counts["workbooks"] + counts["reports"] + counts["attachments"] + counts["own"]
        units = self.units()
        counts["units"] = len(units)
        counts["units_without_workbook"] = sum(1 for u in units if not u.readable)
        counts["units_returned"] = sum(1 for u in units if u.verdict == RETURN)
        return counts

    def closing_line(self) -> str:
        c = self.counts()
        line = (f"共 {c['files']} 个文件，其中 {c['workbooks']} 个工作簿（{c['forms']} 张表）：{c['clean']} 个通过，"
                f"{c['warnings']} 个有警告，{c['errors']} 个有错误，{c['unreadable']} 个无法读取")
        if c["reports"]:
            line += f"；{c['reports']} 份自评报告"
            if c["reports_checked"]:
                found = "，".join(f"{c[f'reports_{key}']} 份{label}" for key, label in
                                 (("errors", "有错误"), ("warnings", "有警告")) if c[f"reports_{key}"])
                line += f"（{c['reports_checked']} 份已核对{'：' + found if found else ''}）"
        if c["attachments"]:
            line += f"；{c['attachments']} 个其他附件未校验"
        if c["own"]:
            line += f"；{c['own']} 个本工具以前生成的文件已跳过"
        if c["units"]:
            line += f"；{c['units']} 个单位，{c['units_returned']} 个需退回"
            if c["units_without_workbook"]:
                line += f"（其中 {c['units_without_workbook']} 个缺少工作簿）"
            line += "，见“退回清单”"
        differ = sum(1 for r in self.workbooks() for row in r["rows"] if row[11] == "不一致")
        if differ:
            line += f"；{differ} 张表填报的总分或等级与复核不一致（见汇总表“核对”列）"
        return line + f"。用时 {self.seconds:.1f} 秒"


ATTACHMENT_NOTE = "附件，未校验"
NOT_FOUND = "找不到文件或文件夹"


class Result(dict):
    """One workbook's result as a worker sends it: its report is decoded from findings.json's entry (``json``)
    when first asked for, as the summary needs only the status, the rows and the problems of each."""

    def __missing__(self, key):
        if key == "report" and dict.__contains__(self, "json"):
            value = self["report"] = json.loads(self["json"])
            return value
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        return dict.__contains__(self, key) or (key == "report" and dict.__contains__(self, "json"))

    def get(self, key, default=None):
        return self[key] if key in self else default


def status_of(r: dict) -> str:
    return r["status"] if "status" in r else r["report"]["status"]


def error_of(r: dict) -> str | None:
    return r["error"] if "status" in r else r["report"]["error"]


def error_code_of(r: dict) -> str | None:
    """The catalogue code (problems.py) of an unreadable file's reason."""
    return r.get("error_code") if "status" in r else r["report"].get("error_code")


def is_report(r: dict) -> bool:
    """A result of a 自评报告 checked beside the workbooks (run marks those narrative.inbox adds)."""
    return r.get("kind") == "report"


# What a 自评报告 may come as: a document whose name says 报告 (a .docx one is also checked when it can be read)
REPORT_DOCUMENTS = (".docx", ".doc", ".pdf", ".wps", ".odt", ".rtf", ".ofd")


def is_report_file(rel: str) -> bool:
    name = Path(rel).name
    return name.lower().endswith(REPORT_DOCUMENTS) and "报告" in name and not name.startswith("~$")


RETURN, VERIFY, PASS = "需退回", "请核实", "通过"  # 退回清单's 处理 column
FORM_NAMES = {"附件1": FORM_TITLES["basic_data"], "附件2": FORM_TITLES["dept_self_eval"],
              "附件3": FORM_TITLES["project_self_eval"]}
FIRST_ERRORS = 3  # the errors 退回清单 names for a unit
SHORT = 34  # characters of each (about one line of its column)


@dataclass
class Unit:
    """A unit's material: the workbooks of one folder (several units when the folder holds several
    附件2 of different departments), its reports, and the files of its sub-folders without workbooks."""

    folder: str  # relative to the input folder, "/" between parts; "" for files given at the top
    name: str
    workbooks: list = field(default_factory=list)  # results (readable or not)
    unsupported: list = field(default_factory=list)  # (rel, reason): workbook files that cannot be read
    reports: list = field(default_factory=list)  # report results (checked)
    files: list = field(default_factory=list)  # other files' rel (reports not checked among them)

    @property
    def readable(self) -> bool:
        return any(status_of(r) != "unreadable" for r in self.workbooks)

    def forms(self) -> set[str]:
        return {key for r in self.workbooks for row in r["rows"] for key, title in FORM_NAMES.items()
                if title in row[2]}

    def missing(self) -> list[str]:
        out = [] if self.readable else ["工作簿"]
        if self.readable:
            forms = self.forms()
            out += [key for key in FORM_NAMES if key not in forms]
        if not self.reports and not any(is_report_file(rel) for rel in self.files):
            out.append("自评报告")
        return out

    def problem_counts(self) -> tuple[int, int]:
        labels = [severity for r in self.workbooks + self.reports for _, severity in _problems_of(r)]
        return labels.count(SEVERITY_LABEL["error"]), labels.count(SEVERITY_LABEL["warning"])

    def first_errors(self) -> list[str]:
        out = [f"{Path(r['rel']).name} 无法读取：{error_of(r)}" for r in self.workbooks if status_of(r) == "unreadable"]
        out = [shorten(text) for text in out + [f"{Path(rel).name} 无法读取：{reason}" for rel, reason in self.unsupported]]
        for r in self.workbooks + self.reports:
            if len(out) >= FIRST_ERRORS:
                break
            for text in r["first_errors"] if "first_errors" in r else first_errors(r):
                if text not in out:  # two copies of a workbook: each error once
                    out.append(text)
        return out[:FIRST_ERRORS]

    @property
    def verdict(self) -> str:
        errors, warnings = self.problem_counts()
        missing = self.missing()
        if errors or "工作簿" in missing or "附件2" in missing or self.unsupported or \
                any(status_of(r) == "unreadable" for r in self.workbooks):
            return RETURN
        return VERIFY if warnings or missing else PASS


def shorten(text: str, size: int = SHORT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= size else text[: size - 1] + "…"


def first_errors(r: dict) -> list[str]:
    """The first errors of a result, as 退回清单 names them ("附件2 H25：why", a report's "自评报告 第12段：why")."""
    out = []
    for f in _findings_of(r):
        if f["severity"] == "error":
            where = " ".join(part for part in (f["sheet"], f["cell"]) if part)
            text = f["text"]
            if text.startswith("“") and "”：" in text:  # a report rule's "“excerpt”：why": the why
                text = text.split("”：", 1)[1]
            out.append(shorten(f"{where}：{text}" if where else text))
            if len(out) == FIRST_ERRORS:
                break
    return out


def _problems_of(r: dict) -> list[list]:
    return r["problems"] if "problems" in r else problems(detail_rows(r))


def _folder(rel: str) -> str:
    parent = Path(rel).parent.as_posix()
    return "" if parent == "." else parent


def _dept_names(r: dict) -> list[str]:
    return [row[1] for row in r["rows"] if FORM_NAMES["附件2"] in row[2] and row[1]]


def group_units(result: BatchResult) -> list[Unit]:
    """The units of a batch: see Unit.  A folder without a workbook (and with none below it) is a unit of
    its own, 缺少工作簿, with whatever it holds; files that belong to no unit (a region folder's notes, files
    given at the top with no workbook) are in 附件 only."""
    books: dict[str, list] = {}  # folder -> workbook results and unsupported (rel, reason)
    for r in result.workbooks():
        books.setdefault(_folder(r["rel"]), []).append(r)
    for rel, reason in result.unsupported:
        if reason != NOT_FOUND:
            books.setdefault(_folder(rel), []).append((rel, reason))
    below = set()  # folders with a workbook in them or under them
    for folder in books:
        parts = folder.split("/") if folder else []
        below.update("/".join(parts[:i]) for i in range(len(parts) + 1))
    units: dict[tuple[str, str], Unit] = {}
    by_folder: dict[str, list[Unit]] = {}

    def add(folder: str, name: str) -> Unit:
        unit = units.get((folder, name))
        if unit is None:
            unit = units[(folder, name)] = Unit(folder, name)
            by_folder.setdefault(folder, []).append(unit)
        return unit

    for folder, entries in books.items():
        names = list(dict.fromkeys(n for e in entries if isinstance(e, dict) for n in _dept_names(e)))
        whole = None  # one department in a folder (or none, below the top): the folder is one unit
        if len(names) == 1:
            whole = names[0]
        elif not names and folder:
            whole = next((e["rows"][0][1] for e in entries if isinstance(e, dict) and e["rows"]),
                         folder.rsplit("/", 1)[-1])
        for e in entries:
            if whole is not None:
                name = whole
            elif isinstance(e, dict):  # several departments (or files at the top): one unit each
                own = _dept_names(e)
                first = e["rows"][0][1] if e["rows"] else None
                name = own[0] if own else next((n for n in (e.get("authority"), first) if n and n in names),
                                               first or Path(e["rel"]).stem)
            else:
                name = Path(e[0]).stem
            unit = add(folder, name)
            (unit.workbooks if isinstance(e, dict) else unit.unsupported).append(e)

    def home(rel: str, unit_name: str = "") -> Unit | None:
        folder = _folder(rel)
        if folder not in below:  # no workbook here or under: the unit is the folder under the last that has one
            if not folder:
                return None
            parts = folder.split("/")
            top = next(i for i in range(1, len(parts) + 1) if "/".join(parts[:i]) not in below)
            parent = "/".join(parts[:top - 1])
            if parent and len(by_folder.get(parent, [])) == 1:  # material in a sub-folder of a unit's folder
                return by_folder[parent][0]
            return add("/".join(parts[:top]), parts[top - 1])
        here = by_folder.get(folder, [])
        if len(here) == 1:
            return here[0]
        return next((u for u in here if unit_name and u.name == unit_name), None)

    for r in result.reports():
        unit = home(r["rel"], next((row[1] for row in r["rows"] if row[1]), ""))
        if unit is not None:
            unit.reports.append(r)
    for rel, _ in result.attachments:
        unit = home(rel)
        if unit is not None:
            unit.files.append(rel)
    return sorted(units.values(), key=lambda u: (u.folder, u.name))


def unsupported_reason(path: Path) -> str | None:
    """Why a workbook-like file cannot be checked (exit 2), or None for an attachment (not a workbook).
    Every workbook format is read now (an unreadable one is a workbook that fails with its reason)."""
    return None


def is_workbook_file(path: Path) -> bool:
    """A workbook by its name (.xlsx, .xls, .et, .ods, …), or by its content whatever its name: an OLE2 file
    with a workbook stream, a zip holding xl/workbook.xml or .bin, or an ODF spreadsheet."""
    if path.name.startswith("~$"):
        return False
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    from ..narrative.inbox import REPORT_SUFFIXES

    if path.suffix.lower() in REPORT_SUFFIXES:  # a report (.doc, .pdf …) is read as one, never as a workbook
        return False
    import zipfile

    from ..xlsx.files import OLE2
    from ..xlsx.grid import ODS_MIMETYPE, ole2_workbook

    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            if head.startswith(OLE2):
                return ole2_workbook(head + handle.read(1 << 20))
        if not head.startswith(b"PK"):
            return False
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return True
            return ("mimetype" in names and archive.getinfo("mimetype").file_size < 256
                    and archive.read("mimetype").strip() == ODS_MIMETYPE)
    except Exception:  # noqa: BLE001 - unreadable, damaged: not taken for a workbook by its content
        return False


def attachment_note(path: Path) -> str:
    from ..xlsx.files import is_lock_file, lock_file_note

    if is_lock_file(path):
        return lock_file_note(path, checked_elsewhere=True)
    return ATTACHMENT_NOTE


OWN_SHEETS = {"汇总", "问题明细", "无法读取"}  # 统计 and 附件 came later


def is_own_summary(path: Path) -> bool:
    """A 汇总.xlsx written by an earlier batch run (its three sheets), wherever it lies."""
    import zipfile

    from ..xlsx.xlsxio import sheet_paths

    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo("xl/workbook.xml").file_size > 1 << 20:  # ours is a few hundred bytes
                return False
            return OWN_SHEETS <= set(sheet_paths(archive))
    except Exception:  # not a readable zip: not ours
        return False


def is_own_json(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.replace(b" ", b"").startswith((b'{"version":1,"files":', b'{"version":2,"files":'))


def is_own_output(path: Path) -> bool:
    if path.name == SUMMARY_NAME:
        return is_own_summary(path)
    if path.name == JSON_NAME:
        return is_own_json(path)
    return False


def collect(inputs: list[str], outdir: Path) -> tuple[list[Task], list[tuple[str, str]]]:
    """Workbooks to check (recursively, sorted) and the workbooks that cannot be (with the reason)."""
    tasks, unsupported, _, _ = survey(inputs, outdir)
    return tasks, unsupported


def survey(inputs: list[str], outdir: Path):
    """(workbooks to check, workbooks that cannot be, attachments, earlier outputs of this tool).

    An earlier output folder is recognised by its 汇总.xlsx or findings.json;
    its filled/ copies are skipped with it, wherever the folder lies.
    """
    outdir = outdir.resolve()
    tasks: list[Task] = []
    unsupported: list[tuple[str, str]] = []
    attachments: list[tuple[str, str]] = []
    own: list[str] = []

    def consider(path: Path, rel: str) -> None:
        if is_own_output(path):
            own.append(rel)
        elif is_workbook_file(path):
            tasks.append(Task(len(tasks), str(path), rel))
        elif unsupported_reason(path):
            unsupported.append((rel, unsupported_reason(path)))
        else:
            attachments.append((rel, attachment_note(path)))

    for item in inputs:
        root = Path(item)
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                here = Path(dirpath)
                earlier = any(is_own_output(here / name) for name in (SUMMARY_NAME, JSON_NAME) if name in filenames)
                kept = []
                for d in sorted(dirnames):
                    if (here / d).resolve() == outdir:
                        continue
                    if earlier and d == "filled":
                        own += [readable(str(p.relative_to(root))) for p in sorted((here / d).rglob("*")) if p.is_file()]
                        continue
                    kept.append(d)
                dirnames[:] = kept
                for name in sorted(filenames):
                    path = here / name
                    consider(path, readable(str(path.relative_to(root))))
        elif root.exists():
            consider(root, readable(root.name))
        else:
            unsupported.append((str(root), NOT_FOUND))
    return tasks, unsupported, attachments, own


_SURROGATE = re.compile("[\udc80-\udcff]")  # a byte of a file name that is not UTF-8, as Python holds it


def readable(rel: str) -> str:
    """A relative path as people read it.  A zip made on Chinese Windows stores GBK names, which unzip on
    Linux writes as they are: each part of the path that is not UTF-8 is read as GB18030 (else shown with
    "\ufffd").  Only what is shown and mirrored under filled/ changes; the file is read from its own path."""
    if not _SURROGATE.search(rel):
        return rel
    parts = []
    for part in rel.split(os.sep):
        raw = part.encode("utf-8", "surrogateescape")
        try:
            parts.append(raw.decode("utf-8") if not _SURROGATE.search(part) else raw.decode("gb18030"))
        except UnicodeDecodeError:
            parts.append(raw.decode("utf-8", "replace"))
    return os.sep.join(parts)


# ------------------------------------------------------------------ worker


_PROFILES: dict = {}  # (name, overrides) -> Profile, in a worker


def process(task: Task, profile_name: str, overrides: dict, fill: bool, outdir: str, by: str | None = None,
            store: tuple | None = None) -> dict:
    """Check one file (and fill it); never raises.  The result carries its 汇总 and 问题明细 rows, and
    those rows as sheet XML (``list_xml``), written here in parallel rather than in the parent."""
    from ..rules.check import FileReport, check_grids
    from ..xlsx.grid import UnreadableWorkbook, read_grids
    from ..compute.profiles import get_profile

    key = (profile_name, tuple(sorted(overrides.items())))
    profile = _PROFILES.get(key)
    if profile is None:
        profile = _PROFILES[key] = get_profile(profile_name, **overrides) if profile_name else None
    try:  # check.check_path, keeping the grids for fill (the file is read once)
        grids = read_grids(task.path)
    except UnreadableWorkbook as exc:
        grids, report = None, FileReport(task.path, "unreadable", str(exc), code=exc.code)
    else:
        report = check_grids(grids, task.path, profile, history=_history(store))
    data = report.to_dict()
    result = {"path": task.path, "rel": task.rel, "status": report.status, "error": report.error,
              "error_code": report.code, "report": data,
              "rows": _rows(task, report), "authority": workbook_authority(report), "filled": None,
              "fill_error": None, "fill_error_code": None, "json": _dumps(data)}  # findings.json's entry, written here rather than in the parent
    details = detail_rows(result)
    result["list_xml"] = (by, list_xml(result, by, details))
    result["problems"] = problems(details)  # for the statistics
    result["first_errors"] = first_errors(result)  # for 退回清单
    if store is not None:  # what goes into the store: the parent writes it (store.Store.add)
        from ..store.db import records

        result["store"] = records(report, task.path, _history(store).unit_map)
    if fill and report.status != "unreadable":
        from ..write.fill import FillError, fill as fill_one
        from ..xlsx.xlsxio import OutputError

        target = Path(outdir) / "filled" / task.rel
        if grids and grids[0].kind != "xlsx":  # an .xls/.et/.ods/.xlsb is filled into a new .xlsx
            target = target.with_name(f"{target.stem}（已填写）.xlsx")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fill_one(task.path, str(target), profile=profile, grids=grids, book=report.workbook)
            result["filled"] = str(target)
        except (FillError, OutputError) as exc:
            result["fill_error"], result["fill_error_code"] = str(exc), exc.code
        except OSError as exc:
            from ..xlsx.xlsxio import reason

            why = reason(exc)
            result["fill_error"], result["fill_error_code"] = f"无法写入 {target}：{why}", why.code
    return result


def summary_row(rel: str, unit: str, table: str, project: str = "", *, rate=None, exec_score=None,
                submitted=None, total=None, submitted_grade=None, grade=None, errors: int = 0, warnings: int = 0,
                status: str = "clean") -> list:
    """One 汇总 row (SUMMARY_COLUMNS): what the unit submitted beside what the rules recompute."""
    diff = round(submitted - total, 2) if submitted is not None and total is not None else None
    if submitted is None and submitted_grade is None:
        agree = "未填总分" if total is not None else ""
    elif (diff is not None and abs(diff) >= 0.005) or (submitted_grade and grade and submitted_grade != grade):
        agree = "不一致"
    else:
        agree = "一致"
    return [rel, unit, table, project, rate, exec_score, submitted, total, diff, submitted_grade, grade, agree,
            errors, warnings, STATUS_LABEL[status]]


def _head(form, key: str) -> str:
    cell = getattr(form, "head", {}).get(key)
    return (cell.text or "").strip() if cell is not None else ""


def workbook_unit(report) -> str:
    """The unit a workbook belongs to: 附件2's 预算部门名称, else 附件3's 实施单位 / 主管部门."""
    forms = [f.form for f in report.forms]
    for kind, key in (("dept_self_eval", "dept_name"), ("project_self_eval", "implementer"),
                      ("project_self_eval", "authority")):
        for form in forms:
            if form.kind == kind and _head(form, key):
                return _head(form, key)
    return ""


def workbook_authority(report) -> str:
    """主管部门 as 附件3 states it, else the unit itself (a 附件2 names the department)."""
    for form_report in report.forms:
        if form_report.form.kind == "project_self_eval" and _head(form_report.form, "authority"):
            return _head(form_report.form, "authority")
    return workbook_unit(report)


def _rows(task: Task, report) -> list[list]:
    from ..read.model import num
    from ..rules.weights import stated_grade

    unit = workbook_unit(report) or Path(task.rel).stem
    rows = []
    for form_report in report.forms:
        res, form = form_report.results, form_report.form
        errors = sum(1 for f in form_report.findings if f.severity == "error")
        warnings = sum(1 for f in form_report.findings if f.severity == "warning")
        status = "errors" if errors else ("warnings" if warnings else "clean")
        own_unit, project = unit, WHOLE_DEPARTMENT  # 附件1 and 附件2 are about the department as a whole
        if form.kind == "dept_self_eval":
            own_unit = _head(form, "dept_name") or unit
        elif form.kind == "project_self_eval":
            own_unit = _head(form, "implementer") or unit
            project = _head(form, "project_name") or "（未填项目名称）"
        submitted = num(form.total_score) if getattr(form, "total_score", None) is not None else None
        grade_cell = getattr(form, "grade", None)
        submitted_grade = stated_grade(grade_cell.text or "") if grade_cell is not None and not grade_cell.blank else None
        row = summary_row(task.rel, own_unit, f"[{form.sheet}] {FORM_TITLES[form.kind]}", project,
                          rate=res.value("exec_rate"), exec_score=res.value("exec_score"), submitted=submitted,
                          total=res.value("total_score"), submitted_grade=submitted_grade, grade=res.value("grade"),
                          errors=errors, warnings=warnings, status=status)
        for column, key in UNREAD_COLUMNS.items():  # what was not read says so (未读出 / 未评分), never 0 / 差
            if row[column] is None and res.why(key):
                row[column] = res.why(key).split("：", 1)[0]
        rows.append(row)
    return rows


_HISTORY: dict = {}  # (store path, unit map) -> store.History, in a worker


def _history(store: tuple | None):
    """The store's lookup for the H rules (``store``: its path and the unit map's pairs), one per worker."""
    if store is None:
        return None
    key = (store[0], tuple(sorted(store[1].items())))
    history = _HISTORY.get(key)
    if history is None:
        from ..store.db import History, UnitMap

        history = _HISTORY[key] = History(store[0], UnitMap.of_keys(store[1]))
    return history


# 汇总's columns (SUMMARY_COLUMNS) that show a result, and the result: 执行率, 执行率得分, 复核总分
UNREAD_COLUMNS = {4: "exec_rate", 5: "exec_score", 7: "total_score"}


def _worker_main(conn, profile_name: str, overrides: dict, fill: bool, outdir: str, by: str | None,
                 store: tuple | None = None) -> None:
    """Take lists of tasks, send back one (index, result) per file as soon as it is done."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on every platform
        pass
    while True:
        try:
            tasks = conn.recv()
        except EOFError:
            return
        if tasks is None:
            return
        for task in tasks:
            try:
                result = process(task, profile_name, overrides, fill, outdir, by, store)
            except MemoryError:
                result = _failed(task, "U014")
            except BaseException as exc:  # one odd file never stops the run
                result = _failed(task, "U016", detail=type(exc).__name__)
            if "json" in result:  # the parent decodes the report from it when it needs it (see Result)
                del result["report"]
            conn.send((task.index, result))


def _failed(task: Task, code: str, text: str | None = None, **fields) -> dict:
    """The result of a file whose processing failed, for a catalogued reason (problems.py)."""
    from ..problems import PROBLEMS

    reason = text if text is not None else PROBLEMS[code].template.format(**fields)
    report = {"path": task.path, "status": "unreadable", "error": reason, "error_code": code, "forms": [],
              "findings": []}
    return {"path": task.path, "rel": task.rel, "report": report, "rows": [], "filled": None, "fill_error": None,
            "fill_error_code": None}


class _Preload:
    """Imports the summary writer needs (pandas: ~0.35 s) in a thread of the parent while the workers check.

    A fork while another thread imports can leave the child with a held import
    lock, so every worker starts through ``fork``, which waits for the thread and
    keeps a new one from starting meanwhile (the web page runs jobs in threads).
    """

    def __init__(self):
        import threading

        self.lock = threading.Lock()
        self.thread = None

    def start(self, modules: tuple[str, ...] = ("pandas", "xlsxwriter")) -> None:
        import threading

        def load() -> None:
            import importlib

            for name in modules:
                try:
                    importlib.import_module(name)
                except Exception:  # the writer imports it again and reports the problem
                    return

        with self.lock:
            if all(name in sys.modules for name in modules) or (self.thread and self.thread.is_alive()):
                return
            self.thread = threading.Thread(target=load, name="jixiao-preload", daemon=True)
            self.thread.start()

    def fork(self, start) -> None:
        """``start()`` (a fork) once no import thread runs; none starts meanwhile (the lock is held)."""
        import gc

        with self.lock:
            if self.thread is not None:
                self.thread.join()
            gc.freeze()  # the worker's collections skip what it inherits: no walk over (and copy of) our heap
            try:
                start()
            finally:
                gc.unfreeze()


_preload = _Preload()


class _Worker:
    def __init__(self, ctx, args):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, *args), daemon=True)
        _preload.fork(self.process.start)  # never while an import runs in another thread
        child.close()
        self.tasks: deque[Task] = deque()  # sent, not yet answered; the first is being processed
        self.started = 0.0  # when the first of them started

    @property
    def task(self) -> Task | None:
        return self.tasks[0] if self.tasks else None

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _chunk(pending: deque, jobs: int) -> list[Task]:
    """The next tasks for one worker: several at a time while many are left (fewer round trips through the
    pipe, no worker waiting for the parent), one at a time near the end (no worker idle while another
    still holds a queue)."""
    size = max(1, min(CHUNK, len(pending) // (4 * jobs)))
    return [pending.popleft() for _ in range(min(size, len(pending)))]


CHUNK = 8  # most tasks sent to a worker at once


def run_pool(tasks: list[Task], jobs: int, timeout: float, args: tuple, progress=None, started=None,
             received=None) -> list[dict]:
    """Process tasks in ``jobs`` worker processes, each file within ``timeout`` seconds.

    ``started()`` is called once the workers run (batch starts importing the summary writer then);
    ``received(result)`` with each result as it comes (--store writes them as they arrive).
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    results: list[dict | None] = [None] * len(tasks)
    pending = deque(tasks)
    count = max(1, min(jobs, len(tasks)))
    workers = [_Worker(ctx, args) for _ in range(count)]
    if started:
        started()
    done = 0

    def finish(worker: _Worker, result: dict) -> None:
        nonlocal done
        task = worker.tasks.popleft()
        results[task.index] = Result(result)
        if received is not None:
            received(results[task.index])
        worker.started = time.monotonic()
        done += 1
        if progress:
            progress(done, len(tasks))

    def replace(worker: _Worker) -> None:
        pending.extendleft(reversed(worker.tasks))  # the rest of its queue goes to the next free worker
        worker.tasks.clear()
        workers[workers.index(worker)] = _replace(worker, ctx, args)

    try:
        while pending or any(w.tasks for w in workers):
            for worker in workers:
                if not worker.tasks and pending:
                    chunk = _chunk(pending, count)
                    worker.tasks.extend(chunk)
                    worker.started = time.monotonic()
                    worker.conn.send(chunk)
            busy = [w for w in workers if w.tasks]
            ready = wait([w.conn for w in busy], timeout=min(0.2, timeout))
            for worker in busy:
                if worker.conn in ready:
                    try:
                        while True:  # every result already in the pipe
                            index, result = worker.conn.recv()
                            finish(worker, result)
                            if not worker.tasks or not worker.conn.poll():
                                break
                    except (EOFError, OSError):  # the worker died (crash, killed by the system)
                        finish(worker, _failed(worker.task, "U015", "处理时程序异常退出，文件可能已损坏"))
                        replace(worker)
                elif time.monotonic() - worker.started > timeout:
                    finish(worker, _failed(worker.task, "U015", f"处理超过 {timeout:g} 秒，已跳过（文件可能异常）"))
                    replace(worker)
    finally:
        for worker in workers:
            worker.stop()
    return results  # type: ignore[return-value]


def _replace(worker: _Worker, ctx, args) -> _Worker:
    worker.stop(kill=True)
    return _Worker(ctx, args)


# ------------------------------------------------------------------ outputs


def _dumps(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
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
                      "error_code": "U007", "forms": [], "findings": []}) for path, reason in result.unsupported]
    attachments = [{"path": path, "note": note, "kind": "report" if is_report_file(path) else "attachment"}
                   for path, note in result.attachments]
    units = []
    for unit in result.units():
        errors, warnings = unit.problem_counts()
        units.append({"folder": unit.folder, "unit": unit.name, "verdict": unit.verdict, "missing": unit.missing(),
                      "errors": errors, "warnings": warnings, "first_errors": unit.first_errors(),
                      "workbooks": [r["rel"] for r in unit.workbooks] + [rel for rel, _ in unit.unsupported],
                      "reports": [r["rel"] for r in unit.reports], "files": unit.files})
    return (f'{{"version":{JSON_VERSION},"files":[{",".join(files)}],"attachments":{_dumps(attachments)},'
            f'"skipped":{_dumps(result.own)},"units":{_dumps(units)}}}')


SUMMARY_COLUMNS = ["文件", "单位", "表", "项目", "执行率", "执行率得分", "填报总分", "复核总分", "差额", "填报等级",
                   "复核等级", "核对", "错误数", "警告数", "状态"]
DETAIL_COLUMNS = ["文件", "单位", "工作表", "单元格", "代码", "严重程度", "说明"]
RETURN_COLUMNS = ["单位", "文件夹", "处理", "填报总分（附件2）", "复核总分（附件2）", "填报等级", "复核等级", "错误数",
                  "警告数", f"首先要改的问题（前 {FIRST_ERRORS} 个错误）", "缺少的材料"]
UNREADABLE_COLUMNS = ["文件", "代码", "原因"]
ATTACHMENT_COLUMNS = ["文件", "说明"]
SHEET_COLUMNS = {"汇总": SUMMARY_COLUMNS, "退回清单": RETURN_COLUMNS, "问题明细": DETAIL_COLUMNS, "无法读取": UNREADABLE_COLUMNS,
                 "附件": ATTACHMENT_COLUMNS}  # the summary workbook's lists, in sheet order
GRADE_FILLS = {"优": "C6EFCE", "良": "E2EFDA", "中": "FFEB9C", "差": "FFC7CE"}
GRADES = ["优", "良", "中", "差"]
WHOLE_DEPARTMENT = "（部门整体）"
KINDS = ["部门整体（附件2）", "项目（附件3）"]  # the 统计 grade table's columns
BY_CHOICES = {"地区": "region", "主管部门": "authority"}
TOP_PROBLEMS = 20
# widths in characters (a Chinese character takes two); A4 landscape at one page wide prints ~150 of
# them at full size.  LibreOffice and WPS do not grow rows for wrapped text, so wrapped sheets get a
# default row height of two (汇总) or three (问题明细) lines.
WIDTHS = {"汇总": [24, 18, 24, 26, 8, 6, 6, 6, 6, 5, 5, 7, 5, 5, 7], "问题明细": [24, 16, 7, 7, 6, 6, 84],
          "无法读取": [50, 7, 90], "附件": [50, 70], "退回清单": [16, 12, 6, 9, 9, 8, 8, 5, 5, 64, 20]}
WRAP = {"汇总": {0, 1, 2, 3}, "问题明细": {0, 1, 6}, "无法读取": {0, 2}, "附件": {0, 1}, "退回清单": {0, 1, 9, 10}}
LINES = {"汇总": 2, "问题明细": 3, "无法读取": 2, "附件": 1, "退回清单": 3}
CENTRED = {"执行率得分", "填报总分", "复核总分", "差额", "填报等级", "复核等级", "核对", "错误数", "警告数", "状态",
           "工作表", "单元格", "代码", "严重程度", "处理", "填报总分（附件2）", "复核总分（附件2）"}


def group_of(r: dict, by: str | None) -> str:
    """The 地区 (first folder of the path) or 主管部门 (附件3) a result belongs to."""
    if by == "region":
        parts = Path(r["rel"]).parts
        return parts[0] if len(parts) > 1 else "（未分组）"
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
    unreadable += [[p, "U007", reason] for p, reason in result.unsupported]
    unreadable += [[r["rel"], r.get("fill_error_code"), f"自动填写失败：{r['fill_error']}"]
                   for r in result.results if r["fill_error"]]
    others = [[p, note] for p, note in result.attachments] + [[p, "本工具以前生成的文件，已跳过"] for p in result.own]
    rows = {"汇总": summary, "退回清单": return_rows(result), "问题明细": detail, "无法读取": unreadable,
            "附件": others}
    return {name: (_columns(name, label), rows[name]) for name in SHEET_COLUMNS}


def return_rows(result: BatchResult) -> list[list]:
    """退回清单 (RETURN_COLUMNS): one row per unit, those to return first, then those to verify, then the rest."""
    order = {RETURN: 0, VERIFY: 1, PASS: 2}
    rows = []
    for unit in result.units():
        dept = next((row for r in unit.workbooks for row in r["rows"] if FORM_NAMES["附件2"] in row[2]), None)
        if dept is not None:
            scores = [dept[6], dept[7], dept[9], dept[10]]  # 填报总分, 复核总分, 填报等级, 复核等级
        else:
            scores = ["无可读的工作簿" if not unit.readable else "无附件2", None, None, None]
        errors, warnings = unit.problem_counts()
        missing = unit.missing()
        rows.append([unit.name, unit.folder or "（顶层）", unit.verdict, *scores, errors, warnings,
                     "\n".join(f"{i}. {text}" for i, text in enumerate(unit.first_errors(), 1)),
                     "缺少" + "、".join(missing) if missing else ""])
    return [row for _, row in sorted(enumerate(rows), key=lambda pair: (order[pair[1][2]], pair[0]))]


def detail_rows(r: dict) -> list[list]:
    """问题明细 rows of one result (DETAIL_COLUMNS): every finding of its forms, then the workbook's."""
    unit = next((row[1] for row in r["rows"] if row[1]), "")
    return [[r["rel"], unit, f["sheet"], f["cell"], f["code"], SEVERITY_LABEL[f["severity"]], f["message"]]
            for f in _findings_of(r)]


def _findings_of(r: dict) -> list[dict]:
    """Every finding of a result: its forms', then the workbook's (or the report's)."""
    report = r["report"]
    return [f for form in report["forms"] for f in form["findings"]] + report["findings"]


def problems(details: list[list]) -> list[list]:
    """(代码, 严重程度) of each of a result's 问题明细 rows: what the statistics count."""
    return [[row[4], row[5]] for row in details]


def _problem_frame(result: BatchResult):
    """The 问题明细 columns the statistics use (文件, 单位: its unit's folder and name, 代码, 严重程度), from
    the workers' ``problems``."""
    import pandas as pd

    unit_of = {id(r): f"{unit.folder}\0{unit.name}" for unit in result.units() for r in unit.workbooks + unit.reports}
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
        tables.append(("文件与单位", pd.DataFrame({"项目": list(COUNT_ROWS.values()),
                                                  "数量": [counts[key] for key in COUNT_ROWS]})))

    grades = pd.crosstab(scored["类别"], pd.Categorical(scored["复核等级"], categories=GRADES), dropna=False)
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
              "reports_checked": "其中与工作簿核对的", "attachments": "其他附件", "units": "单位",
              "units_without_workbook": "缺少工作簿的单位", "units_returned": "需退回的单位"}


def write_summary(result: BatchResult, path: Path, by: str | None = None, extra=None) -> None:
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
                    for r, row in enumerate(rows[first:last], start=1):
                        ws.write_row(r, 0, row)
                        if hide is not None and row[hide] == INFO:
                            ws.set_row(r, 15 * LINES[name], None, {"hidden": True})
                formats = _format(book, ws, name, columns, last - first, bool(by) and name in LIST_SHEETS)
                if made:
                    spliced[sheet] = (made[first:last], formats, len(columns))
            if name == "汇总":
                _write_statistics(book, stats)
        if extra is not None:  # --store: the 跨年 sheet
            extra(book)
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
    if name == "汇总":
        kinds[columns.index("执行率")] = "percent"
    return kinds


_HEADS: dict[tuple[str, bool], tuple[list[str], str]] = {}  # (sheet, grouped) -> each cell's head, the row's head


def rows_xml(name: str, rows: list[list], grouped: bool) -> list[bytes] | None:
    """Each row's <row> element for a summary sheet (UTF-8), cells as xlsxwriter writes them (numbers as
    %.16G, empty text and None left out, strings inline), with placeholders for the row number and the
    formats; None when a row holds a value only xlsxwriter writes right (see _plain)."""
    if not all(_plain(row) for row in rows):
        return None
    heads = _HEADS.get((name, grouped))
    if heads is None:
        from ..xlsx.a1 import col_letter

        kinds = column_kinds(name, _columns(name, "分组" if grouped else None), grouped)
        heads = _HEADS[(name, grouped)] = (
            [f'<c r="{col_letter(c)}{ROW_MARK}" s="{KIND_MARKS[kind]}"' for c, kind in enumerate(kinds)],
            f'<row r="{ROW_MARK}" ht="{15 * LINES[name]}" customHeight="1">')
    cell_heads, row_head = heads
    hide = _hidden_column(name, grouped)  # 问题明细's 提示 rows: hidden by its filter (kept, not printed)
    hidden_head = row_head.replace(">", ' hidden="1">')
    out = []
    texts: dict[str, str] = {}  # file names, units, codes repeat: escape each once
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
        head = hidden_head if hide is not None and row[hide] == INFO else row_head
        out.append(f'{head}{"".join(cells)}</row>'.encode() if cells else b"")
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
        if name not in LIST_SHEETS:
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


def _format(book, ws, name: str, columns: list[str], count: int, grouped: bool) -> dict:
    """Header frozen and filtered, widths, % formats, colours as conditional formats (cheap for any size);
    returns the columns' formats by kind (column_kinds)."""
    header = book.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
    red = book.add_format({"bg_color": "#FFC7CE"})
    yellow = book.add_format({"bg_color": "#FFEB9C"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    top = book.add_format({"valign": "top"})
    centred = book.add_format({"valign": "top", "align": "center"})
    formats = {"wrap": wrap, "centred": centred, "top": top}
    if name == "汇总":
        formats["percent"] = book.add_format({"num_format": "0.00%", "valign": "top", "align": "right"})
    widths = ([12] if grouped else []) + WIDTHS[name]
    for col, (title, kind) in enumerate(zip(columns, column_kinds(name, columns, grouped))):
        ws.write_string(0, col, title, header)
        ws.set_column(col, col, widths[col], formats[kind])
    ws.set_default_row(15 * LINES[name])
    ws.set_row(0, 30)
    last = max(count, 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(columns) - 1)
    _page_setup(ws, f"绩效自评批量校验 — {ws.name}")
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


def _write_statistics(book, tables: list[tuple[str, object]]) -> None:
    """统计: the tables one under another, with a column chart of grades and a bar chart of problems."""
    ws = book.add_worksheet("统计")
    bold = book.add_format({"bold": True, "font_size": 12})
    header = book.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1})
    for col, width in enumerate([12, 36, 30, 10, 10, 10, 10, 10]):
        ws.set_column(col, col, width)
    row = 0
    places: dict[str, tuple[int, int, int]] = {}  # title -> (first data row, rows, columns)
    for title, frame in tables:
        ws.write_string(row, 0, title, bold)
        for col, name in enumerate(frame.columns):
            ws.write_string(row + 1, col, str(name), header)
        for r, values in enumerate(frame.itertuples(index=False), start=row + 2):
            for col, value in enumerate(values):
                if value is None or (isinstance(value, float) and value != value):
                    continue
                if hasattr(value, "item"):
                    value = value.item()
                if isinstance(value, (int, float)):
                    ws.write_number(r, col, value)
                else:
                    ws.write_string(r, col, str(value))
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


# ------------------------------------------------------------------ entry


def run(inputs: list[str], outdir: str, *, fill: bool = False, jobs: int | None = None, profile_name: str | None = None,
        overrides: dict | None = None, timeout: float = 60.0, progress=None, by: str | None = None,
        store=None, unit_map=None) -> BatchResult:
    """``store``: an open ``store.Store`` (--store): each workbook's forms go into it as they are checked,
    the H rules read the unit's previous year from it, and 汇总 gets a 跨年 sheet."""
    start = time.monotonic()
    from ..xlsx.xlsxio import OutputError, reason

    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, reason(exc)) from None
    tasks, skipped, attachments, own = survey(inputs, out)
    jobs = jobs or os.cpu_count() or 1
    keep = None if store is None else (str(store.path), dict(unit_map.to_new) if unit_map else {})
    args = (profile_name, overrides or {}, fill, str(out), by, keep)
    received = None if store is None else (lambda r: store.add(dict.pop(r, "store", None)))
    results = run_pool(tasks, jobs, timeout, args, progress, started=_preload.start, received=received) if tasks else []
    extra = None
    if store is not None:
        from ..store.db import cross_year_rows, write_cross_year

        store.commit()
        rows = cross_year_rows(store.conn, store.keys, unit_map)
        extra = lambda book: write_cross_year(book, rows)
    from ..narrative.inbox import REPORT_SUFFIXES, attach_reports  # .docx reports beside their workbooks

    if any(rel.lower().endswith(REPORT_SUFFIXES) for rel, _ in attachments):  # its imports take 40 ms
        stage = getattr(progress, "stage", None)
        if stage:
            stage(f"正在核对自评报告（{sum(1 for rel, _ in attachments if rel.lower().endswith(REPORT_SUFFIXES))} 个文件）")
        books = len(results)
        results, attachments = attach_reports(inputs, results, attachments, profile_name, overrides or {},
                                              summary_row)
        for r in results[books:]:
            r["kind"] = "report"
    result = BatchResult(out, results, skipped, attachments, own)
    from ..xlsx.xlsxio import atomic_write

    atomic_write(out / JSON_NAME, lambda temp: Path(temp).write_text(to_json(result), encoding="utf-8"))
    write_summary(result, out / SUMMARY_NAME, by, extra)
    result.seconds = time.monotonic() - start
    return result


class Progress:
    """A one-line progress bar of the workbooks on a terminal (the reports and other files are not counted in
    it: ``stage`` says when the reports are checked); silent otherwise."""

    def __init__(self, stream=None):
        self.stream = stream = stream if stream is not None else sys.stderr
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or (time.monotonic() - self.last < 0.1 and done < total):
            return
        self.last = time.monotonic()
        width = 30
        filled = int(width * done / max(total, 1))
        self.stream.write(f"\r工作簿 [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

    def stage(self, text: str) -> None:
        """A step after the workbooks (the reports are checked in this process, after them)."""
        if self.enabled:
            self.stream.write(text + "…\n")
            self.stream.flush()
