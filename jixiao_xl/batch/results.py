"""What a batch run holds: the tasks, each file's result as the workers send it, units (a folder's submissions) and what 退回清单 says of them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import PROBLEMS
from ..read.values import unit_in_name
from ..rules.check import FORM_TITLES
from ..rules.findings import SEVERITY_LABEL
from .archive import Unopened, outer_folder

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
    unit: str = ""  # the unit of a workbook that names none, as its folder's others do (a lone 附件1: run.py)
    shown: str = ""  # a file from an archive: its path as people read it (the archive's, then inside it)


@dataclass
class BatchResult:
    outdir: Path
    results: list[dict] = field(default_factory=list)  # one per workbook, input order
    unsupported: list[tuple[str, str]] = field(default_factory=list)  # (file, reason): workbooks we cannot read
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (file, note): not workbooks, not checked
    own: list[str] = field(default_factory=list)  # earlier outputs of this tool, skipped
    seconds: float = 0.0
    cross_year: bool = False  # --store: 汇总 has a 跨年 sheet (each result's "cross_year" rows)
    archives: list[tuple[str, int]] = field(default_factory=list)  # (file, files in it): the zips opened
    unopened: list = field(default_factory=list)  # archive.Unopened: archives that could not be opened (with why)
    exec_mode: str = ""  # --exec-mode: every 执行率得分 is scored so (汇总's column and the closing line say it)
    scans: list[str] = field(default_factory=list)  # attachments that are the unit's report as a scan (inbox)

    def exec_mode_note(self) -> str:
        """"执行率得分按 --exec-mode proportional 计算（分值 × 执行率（不超过分值））", "" without --exec-mode."""
        if not self.exec_mode:
            return ""
        from ..compute.profiles import exec_mode_how

        return f"执行率得分按 --exec-mode {self.exec_mode} 计算（{exec_mode_how(self.exec_mode)}）"

    @property
    def exit_code(self) -> int:
        if self.unsupported or self.unopened or any(status_of(r) == "unreadable" for r in self.results):
            return 2
        return 1 if any(status_of(r) == "errors" for r in self.results) else 0

    _units: list | None = field(default=None, repr=False)

    def workbooks(self) -> list[dict]:
        """The workbook results (the reports checked beside them are results too: see is_report)."""
        return [r for r in self.results if not is_report(r)]

    def reports(self) -> list[dict]:
        return [r for r in self.results if is_report(r)]

    _cross: list | None = field(default=None, repr=False)

    def cross_year_rows(self) -> list[tuple[list, bytes | None]]:
        """跨年's rows (--store), each with its XML as the worker wrote it, by unit, form, project and year."""
        if self._cross is None:
            pairs = []
            for r in self.results:
                rows = r.get("cross_year") or []
                pairs += zip(rows, r.get("cross_xml") or [None] * len(rows))
            pairs.sort(key=lambda pair: (pair[0][0], pair[0][1], pair[0][2], pair[0][3]))
            self._cross = pairs
        return self._cross

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
        # against a workbook: "自评报告（对照 …）", not "自评报告（未对照工作簿）" (its own arithmetic only)
        counts["reports_paired"] = sum(1 for r in checked if r["rows"] and "（对照 " in str(r["rows"][0][2]))
        for status in ("errors", "warnings"):
            counts[f"reports_{status}"] = sum(1 for r in checked if status_of(r) == status)
        named = sum(1 for path, _ in self.attachments if is_report_file(path) or path in self.scans)
        counts["reports"] = len(checked) + named
        # reports sent as scans, of units with no report that could be checked: nothing in them compared
        counts["reports_scanned"] = sum(len(u.scans) for u in self.units() if u.scan_only)
        counts["attachments"] = len(self.attachments) - named
        counts["own"] = len(self.own)
        counts["archives"] = len(self.archives)
        counts["archives_unopened"] = len(self.unopened)
        counts["files"] = (counts["workbooks"] + counts["reports"] + counts["attachments"] + counts["own"]
                           + counts["archives_unopened"])  # an opened zip counts as the files in it
        units = [u for u in self.units() if not u.unassigned]
        counts["units"] = len(units)
        counts["unassigned"] = len(self.units()) - len(units)  # files no unit could be told for
        counts["units_without_workbook"] = sum(1 for u in units if "工作簿" in u.missing())
        counts["units_returned"] = sum(1 for u in units if u.verdict == RETURN)
        return counts

    def closing_line(self) -> str:
        c = self.counts()
        unpacked = f"（已解压 {c['archives']} 个压缩包）" if c["archives"] else ""
        line = (f"共 {c['files']} 个文件{unpacked}，其中 {c['workbooks']} 个工作簿（{c['forms']} 张表）：{c['clean']} 个通过，"
                f"{c['warnings']} 个有警告，{c['errors']} 个有错误，{c['unreadable']} 个无法读取")
        if self.exec_mode:
            line += f"；{self.exec_mode_note()}"
        if c["reports"]:
            line += f"；{c['reports']} 份自评报告"
            if c["reports_checked"]:
                found = "，".join(f"{c[f'reports_{key}']} 份{label}" for key, label in
                                 (("errors", "有错误"), ("warnings", "有警告")) if c[f"reports_{key}"])
                alone = c["reports_checked"] - c["reports_paired"]  # only its own arithmetic checked
                found += ("；" if found else "") + (f"{alone} 份未对照工作簿" if alone else "")
                line += f"（{c['reports_checked']} 份已核对{'：' + found if found else ''}）"
            if c["reports_scanned"]:
                line += f"，{c['reports_scanned']} 份是扫描件（报告中的数字未核对，见“退回清单”）"
        if c["attachments"]:
            line += f"；{c['attachments']} 个其他附件未校验"
        if c["archives_unopened"]:
            line += f"；{c['archives_unopened']} 个压缩包无法打开（见“无法读取”）"
        if c["own"]:
            line += f"；{c['own']} 个本工具以前生成的文件已跳过"
        if c["units"]:
            line += f"；{c['units']} 个单位，{c['units_returned']} 个需退回"
            if c["units_without_workbook"]:
                line += f"（其中 {c['units_without_workbook']} 个缺少工作簿）"
            line += "，见“退回清单”"
        if c["unassigned"]:
            line += f"；{c['unassigned']} 个文件无法确定是哪个单位的（见“退回清单”）"
        differ = sum(1 for r in self.workbooks() for row in r["rows"] if row[11] == "不一致")
        if differ:
            line += f"；{differ} 张表填报的总分或等级与复核不一致（见汇总表“核对”列）"
        return line + f"。用时 {self.seconds:.1f} 秒"


ATTACHMENT_NOTE = "附件，未校验"
NOT_FOUND = "找不到文件或文件夹"
LINK_OUTSIDE = PROBLEMS["U019"].template  # a symbolic link in a folder pointing out of it: never followed
LINK_BROKEN = "这是链接（快捷方式），指向的文件不存在"


def unsupported_code(reason: str) -> str:
    """The problem code of a file listed as not read (``BatchResult.unsupported``)."""
    return "U019" if reason == LINK_OUTSIDE else "U007"


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
SCAN_NOTE = "自评报告是扫描件，报告中的数字未核对"
FORM_NAMES = {"附件1": FORM_TITLES["basic_data"], "附件2": FORM_TITLES["dept_self_eval"],
              "附件3": FORM_TITLES["project_self_eval"]}
FIRST_ERRORS = 3  # the errors 退回清单 names for a unit, each whole (what was read, what is expected, where)


@dataclass
class Unit:
    """A unit's material: the workbooks of one folder (several units when the folder's workbooks name several:
    unit_members), its reports, and the files of its sub-folders without workbooks."""

    folder: str  # relative to the input folder, "/" between parts; "" for files given at the top
    name: str
    workbooks: list = field(default_factory=list)  # results (readable or not)
    unsupported: list = field(default_factory=list)  # (rel, reason): workbook files that cannot be read
    reports: list = field(default_factory=list)  # report results (checked)
    files: list = field(default_factory=list)  # other files' rel (reports not checked among them, zips opened)
    scans: list = field(default_factory=list)  # those of ``files`` that are its report as a scan (not checked)
    archives: list = field(default_factory=list)  # archive.Unopened: its archives that could not be opened
    unassigned: bool = False  # a file of a folder of several units naming none of them (name: UNASSIGNED)
    why: str = ""  # then, why it could not be assigned when its first error does not say it (退回清单)

    def rels(self) -> list[str]:
        """Its files: workbooks (read or not), archives not opened, reports, other files."""
        return ([r["rel"] for r in self.workbooks] + [rel for rel, _ in self.unsupported]
                + [a.rel for a in self.archives] + [r["rel"] for r in self.reports] + self.files)

    @property
    def readable(self) -> bool:
        return any(status_of(r) != "unreadable" for r in self.workbooks)

    def forms(self) -> set[str]:
        return {key for r in self.workbooks for row in r["rows"] for key, title in FORM_NAMES.items()
                if title in row[2]}

    def required(self) -> set[str]:
        """The forms the unit's province asks of a department besides its 附件3 (profile ``materials``: 湖南's
        附件1 and 附件2); none where the province is not known — another province's project tables may well be
        sent on their own."""
        from ..compute.profiles import profiles

        known = profiles()
        names = {r.get("province") for r in self.workbooks}  # the profile a worker's check was sure of
        return {form for name in names if name in known for form in known[name].materials}

    @property
    def scan_only(self) -> bool:
        """Its report came as a scan only (no report that could be checked): sent, but no figure in it compared."""
        return bool(self.scans) and not self.reports

    def notes(self) -> list[str]:
        """What 退回清单 says beside the material missing: what was sent but could not be checked."""
        return [SCAN_NOTE] if self.scan_only else []

    def missing(self) -> list[str]:
        """What the unit did not send.  Nothing is said missing where an archive could not be opened: it may be
        in there (退回清单 says what could not be opened instead)."""
        if self.archives or self.unassigned:  # whose material is missing is not known
            return []
        out = [] if self.readable else ["工作簿"]
        if self.readable:
            forms, required = self.forms(), self.required()
            out += [key for key in FORM_NAMES if key in required and key not in forms]
        if not self.reports and not self.scans and not any(is_report_file(rel) for rel in self.files):
            out.append("自评报告")
        return out

    def problem_counts(self) -> tuple[int, int]:
        """Its errors and warnings; a copy of a workbook (the same forms, figures and findings sent twice, in one
        folder or two) counts once."""
        results, seen, labels = self.workbooks + self.reports, set(), []
        for r in results:
            if len(results) > 1 and status_of(r) != "unreadable":
                key = _content_key(r)
                if key in seen:
                    continue
                seen.add(key)
            labels += [severity for _, severity in _problems_of(r)]
        return labels.count(SEVERITY_LABEL["error"]), labels.count(SEVERITY_LABEL["warning"])

    def first_errors(self) -> list[str]:
        out = [self.why] if self.why else []  # "附件1.xlsx 表上没有单位名称，无法确定是哪个单位的"
        out += [f"{Path(a.rel).name} {a.reason}" for a in self.archives]  # "司法局.zip 压缩包无法打开：…"
        out += [f"{Path(r['rel']).name} 无法读取：{error_of(r)}" for r in self.workbooks
                if status_of(r) == "unreadable"]
        out = [one_line(text) for text in out + [f"{Path(rel).name} 无法读取：{reason}" for rel, reason in self.unsupported]]
        for r in self.workbooks + self.reports:
            if len(out) >= FIRST_ERRORS:
                break
            for text in r["first_errors"] if "first_errors" in r else first_errors(r):
                if text not in out:  # two copies of a workbook: each error once
                    out.append(text)
        return out[:FIRST_ERRORS]

    @property
    def verdict(self) -> str:
        if self.unassigned:  # first, whose it is
            return VERIFY
        errors, warnings = self.problem_counts()
        missing = self.missing()
        sent = [reason for _, reason in self.unsupported if reason != LINK_OUTSIDE]  # a link: the reviewer's own
        if errors or "工作簿" in missing or "附件2" in missing or sent or \
                any(status_of(r) == "unreadable" for r in self.workbooks) or \
                any(a.code != "U018" for a in self.archives):  # a zip damaged, with a password, unsafe: sent again
            return RETURN
        # a .rar: the reviewer unpacks it; a scanned report, or one with no figure to compare (T304): the reviewer
        # reads it against the tables; a link out of the folder: the reviewer sees what it points at
        unread_report = any(code == "T304" for r in self.reports for code, _ in _problems_of(r))
        return VERIFY if (warnings or missing or self.archives or self.scan_only or unread_report
                          or self.unsupported) else PASS


def one_line(text: str) -> str:
    """A problem as one line of 退回清单's numbered list, whole: a unit mailed the list must see what to change."""
    return " ".join(str(text).split())


def first_errors(r: dict) -> list[str]:
    """The first errors of a result, as 退回清单 names them ("附件2 H25：why", a report's "自评报告 第12段：why")."""
    out = []
    for f in _findings_of(r):
        if f["severity"] == "error":
            where = " ".join(part for part in (f["sheet"], f["cell"]) if part)
            text = _without_excerpt(f["text"])
            out.append(one_line(f"{where}：{text}" if where else text))
            if len(out) == FIRST_ERRORS:
                break
    return out


def _without_excerpt(text: str) -> str:
    """A report rule's "“excerpt”：why" as its why.  The excerpt may quote in turn (“执行“八项规定”：…”): its end is
    the "”：" where the quotes opened at the start close; an excerpt cut inside a quote ends at the last "”："."""
    if not text.startswith("“") or "”：" not in text:
        return text
    depth = 0
    for i, char in enumerate(text):
        if char == "“":
            depth += 1
        elif char == "”":
            depth -= 1
            if depth == 0 and text.startswith("：", i + 1):
                return text[i + 2:]
    return text.rsplit("”：", 1)[1]


def _content_key(r: dict) -> tuple:
    """What a result says, its file's name aside: two copies of one workbook have the same.  From what a worker
    sends (汇总's rows, every finding's code and severity, the first errors with their cells and figures), so
    that the parent decodes no report to count a unit's problems."""
    if "problems" in r and "first_errors" in r:
        return (tuple(tuple(map(str, row[1:])) for row in r["rows"]), tuple(map(tuple, r["problems"])),
                tuple(r["first_errors"]))
    return (tuple(tuple(map(str, row[1:])) for row in r["rows"]),
            tuple(tuple(map(str, row[2:])) for row in detail_rows(r)))


def _problems_of(r: dict) -> list[list]:
    return r["problems"] if "problems" in r else problems(detail_rows(r))


def _folder(rel: str) -> str:
    """The folder of a file's unit, "/" between parts: a file from an archive belongs to the folder the archive
    lies in (archive.outer_folder)."""
    return outer_folder(rel)


def _dept_names(r: dict) -> list[str]:
    return [row[1] for row in r["rows"] if FORM_NAMES["附件2"] in row[2] and row[1]]


UNASSIGNED = "（无法确定单位）"  # 退回清单's 单位 of a file in a folder of several units that names none of them


def _same_unit(a: str, b: str) -> bool:
    """Two names (normalised) of one unit: equal, or one the other's end ("市司法局", "汨罗市司法局")."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 2 and long.endswith(short)


_PLACE = re.compile("[省市县区]")
_PLACED = re.compile("[\u4e00-\u9fff][省市县区州盟旗]")  # "汨罗市司法局", "平江县林业局"; not "司法局", "市司法局"


def _loosely_same(a: str, b: str) -> bool:
    """Two names of one unit, as file names write them: _same_unit, or so once 省/市/县/区 are dropped
    ("汨罗司法局", "汨罗市司法局")."""
    from ..store.records import norm_name

    a, b = norm_name(a), norm_name(b)
    return _same_unit(a, b) or _same_unit(_PLACE.sub("", a), _PLACE.sub("", b))


def _named_by_file(rel: str, names: list[str]) -> str | None:
    """The unit a file's name names (read.values.unit_in_name): the one of ``names`` it is loosely, else the name
    itself when it is none of them; None when it names no unit, or several of ``names``."""
    own = unit_in_name(Path(rel).stem)
    if not own:
        return None
    near = [n for n in names if _loosely_same(own, n)]
    return near[0] if len(near) == 1 else None if near else own


def _own_names(r: dict) -> list[str]:
    """The names a workbook gives its unit, best first: 附件2's 预算部门; else 附件3's 主管部门, then its 实施单位.
    None when it names no unit (a lone 附件1; a workbook not read)."""
    if not r.get("unit"):
        return []
    depts = _dept_names(r)
    if depts:
        return depts[:1]
    return list(dict.fromkeys(n for n in (r.get("authority"), r["unit"]) if n))


def named_in(text: str, names: dict[str, list[str]]) -> str | None:
    """The one key of ``names`` (a unit: its name, its workbooks' file names) whose words appear in ``text`` (a
    file name, a report's title); None when none or several do."""
    from ..store.records import norm_name

    words = norm_name(text)
    found = [key for key, own in names.items() if any(norm_name(n) and norm_name(n) in words for n in own)]
    return found[0] if len(found) == 1 else None


def unit_members(folder: str, entries: list) -> list[str | None]:
    """The unit of each of a folder's entries (workbook results, unsupported (rel, reason), archive.Unopened).

    Each workbook names its unit (``_own_names``); a 附件3 whose 主管部门 or 实施单位 is a 附件2's department (the
    same name, or the one department whose name ends with it) is that department's.  A folder naming one unit
    (or none) is that unit, whatever else it holds (a lone 附件1).  A folder naming several (every e-mailed
    attachment saved in one folder): each workbook is the unit it names, and what names none (a lone 附件1, a
    workbook not read, a zip not opened) the unit its file name names when that is one of them, else None —
    never one of them by guess (退回清单 says it could not be assigned)."""
    from ..store.records import norm_name

    books = [e for e in entries if isinstance(e, dict)]
    typed: dict[str, str] = {}  # a unit's key (its normalised name) -> its name as first typed
    key_of: dict[int, str] = {}
    for r in books:  # departments first: a project table joins the department it names
        if r.get("unit") and _dept_names(r):
            name = _dept_names(r)[0]
            key_of[id(r)] = key = norm_name(name)
            typed.setdefault(key, name)
    depts = list(typed)
    for r in books:
        names = _own_names(r)
        if id(r) in key_of or not names:
            continue
        keys = [norm_name(n) for n in names]
        match = next((k for k in keys if k in depts), None)
        if match is None:  # "市司法局" of the one "汨罗市司法局" here
            near = {d for k in keys for d in depts if _same_unit(k, d)}
            match = near.pop() if len(near) == 1 else None
        if match is None and len(depts) == 1 and not r.get("authority_typed") and not _dept_names(r):
            match = depts[0]  # a project table naming only its 实施单位 (a 中心 of the department) beside the one department
        if match is None:  # a unit of its own, or the one another project table here named
            match = next((k for k in keys if k in typed), keys[0])
            typed.setdefault(match, names[0])
        key_of[id(r)] = match
    label = {}  # a unit's name: its department's, else its project tables' one 实施单位, else their 主管部门
    for key, name in typed.items():
        own = {norm_name(r["unit"]): r["unit"] for r in books if key_of.get(id(r)) == key}
        label[key] = name if key in depts or len(own) != 1 else next(iter(own.values()))
    if len(typed) == 1 or (not typed and folder):
        name = next(iter(label.values()), None) or next(
            (r["rows"][0][1] for r in books if r["rows"]), folder.rsplit("/", 1)[-1])
        # what names no unit on its sheets is the folder's, unless its file's name names another unit (a region's
        # folder: 平江县交通运输局.xlsx, encrypted, beside 平江县文旅局's workbook is not 文旅局's)
        return [name if isinstance(e, dict) and id(e) in key_of else _named_by_file(_rel(e), [name]) or name
                for e in entries]
    out = []
    known = {key: [typed[key]] for key in typed}
    for e in entries:
        if isinstance(e, dict) and id(e) in key_of:
            out.append(label[key_of[id(e)]])
            continue
        rel = _rel(e)
        if not typed:  # files given at the top naming no unit: one unit each, by its name
            out.append(e["rows"][0][1] if isinstance(e, dict) and e["rows"] else Path(rel).stem)
            continue
        key = named_in(Path(rel).stem, known)
        # else the unit its file's name names, when that is a unit's name (a unit whose only workbook cannot be read)
        out.append(label[key] if key else _named_by_file(rel, list(label.values())))
    return out


def _rel(e) -> str:
    """The file of a folder's entry: a workbook result, an unsupported (rel, reason), an archive.Unopened."""
    return e["rel"] if isinstance(e, dict) else e.rel if isinstance(e, Unopened) else e[0]


def folder_members(entries: list) -> list[tuple[str, int, str | None]]:
    """(folder, index in ``entries``, unit) of each entry (as unit_members takes them), folder by folder in the
    order the folders are first met: the one grouping by folder members and group_units share."""
    folders: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        folders.setdefault(_folder(_rel(e)), []).append(i)
    return [(folder, i, name) for folder, indexes in folders.items()
            for i, name in zip(indexes, unit_members(folder, [entries[i] for i in indexes]))]


def members(results: list) -> list[str | None]:
    """The unit of each workbook result (None for a result left out) as group_units finds it (folder_members),
    None where it could not be told."""
    kept = [i for i, r in enumerate(results) if r is not None]
    out: list[str | None] = [None] * len(results)
    for _, j, name in folder_members([results[i] for i in kept]):
        out[kept[j]] = name
    return out


def group_units(result: BatchResult) -> list[Unit]:
    """The units of a batch: see Unit and unit_members.  A folder without a workbook (and with none below it) is
    a unit of its own, 缺少工作簿, with whatever it holds; files that belong to no unit (a region folder's notes,
    files given at the top with no workbook) are in 附件 only.  A file of a folder of several units that names
    none of them is a row of its own (Unit.unassigned), the reports among them too."""
    # workbook results, unsupported (rel, reason), archives not opened (material of their folder, not 缺少工作簿)
    entries = (result.workbooks() + [(rel, reason) for rel, reason in result.unsupported if reason != NOT_FOUND]
               + list(result.unopened))
    grouped = folder_members(entries)
    below = set()  # folders with a workbook in them or under them
    for folder in dict.fromkeys(folder for folder, _, _ in grouped):
        parts = folder.split("/") if folder else []
        below.update("/".join(parts[:i]) for i in range(len(parts) + 1))
    units: dict[tuple[str, str], Unit] = {}
    by_folder: dict[str, list[Unit]] = {}  # the units a folder's files name (not the files that name none)

    def add(folder: str, name: str) -> Unit:
        unit = units.get((folder, name))
        if unit is None:
            unit = units[(folder, name)] = Unit(folder, name)
            by_folder.setdefault(folder, []).append(unit)
        return unit

    def alone(folder: str, rel: str, why: str = "") -> Unit:
        unit = units[(folder, "\0" + rel)] = Unit(folder, UNASSIGNED, unassigned=True, why=why)
        return unit

    for folder, i, name in grouped:
        e = entries[i]
        if name is None:
            rel = _rel(e)
            readable = isinstance(e, dict) and status_of(e) != "unreadable"
            unit = alone(folder, rel, f"{Path(rel).name} 表上没有单位名称，无法确定是哪个单位的" if readable else "")
        else:
            unit = add(folder, name)
        (unit.workbooks if isinstance(e, dict) else unit.archives if isinstance(e, Unopened)
         else unit.unsupported).append(e)

    def named(folder: str) -> dict[str, list[str]]:
        """A folder's units by their names and their workbooks' file names (a report says which it is)."""
        return {u.name: [u.name] + [Path(r["rel"]).stem for r in u.workbooks] for u in by_folder.get(folder, [])}

    def home(rel: str, unit_name: str = "", report: bool = False) -> Unit | None:
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
        if len(here) <= 1:  # its unit; none (a region's folder above the units' own): no unit's
            return here[0] if here else None
        name = unit_name if unit_name in named(folder) else named_in(Path(rel).stem, named(folder))
        if name is not None:
            return units[(folder, name)]
        own = unit_name or unit_in_name(Path(rel).stem)  # a unit that sent no workbook it could be read from
        if own and not (near := [u for u in here if _loosely_same(own, u.name)]):
            return add(folder, own)
        if own and len(near) == 1:
            return near[0]
        if report:  # a report of one of them: not guessed
            return alone(folder, rel, f"{Path(rel).name} 看不出是哪个单位的报告")
        return None

    for r in result.reports():
        unit = home(r["rel"], r.get("unit") or next((row[1] for row in r["rows"] if row[1]), ""), report=True)
        if unit is not None:
            unit.reports.append(r)
    scans = set(result.scans)
    for rel, _ in result.attachments:
        unit = home(rel, report=is_report_file(rel) or rel in scans)
        if unit is not None:
            unit.files.append(rel)
            if rel in scans:
                unit.scans.append(rel)
    for rel, _ in result.archives:  # a zip opened: the unit of what was in it, when that is one
        inside = {id(u): u for u in units.values() if not u.unassigned for r in u.rels() if r.startswith(rel + "/")}
        unit = next(iter(inside.values())) if len(inside) == 1 else home(rel)
        if unit is not None:
            unit.files.append(rel)
    return sorted(_across_folders(list(units.values())), key=lambda u: (u.folder, u.unassigned, u.name, u.rels()[:1]))


def _across_folders(units: list[Unit]) -> list[Unit]:
    """One unit whose material lies in several folders (its workbook copied into two regions' folders, its report
    in another) is one row, its folders joined ("平江、汨罗"): the same name, with its place ("汨罗市司法局", not a
    bare "司法局", which two counties each have), in folders each either shared by several units (a region's, a
    mailbox's) or named for it ("司法局/").  A folder of one unit named otherwise stays that unit's own: "财政局/"
    holding 司法局's workbook (财政局 sent the wrong file, which its own row must show), "单位07/"."""
    from collections import Counter

    from ..store.records import norm_name

    shared = {folder for folder, n in Counter(u.folder for u in units if not u.unassigned).items() if n > 1}

    def movable(unit: Unit) -> bool:
        if unit.unassigned or not _PLACED.search(unit.name):
            return False
        named = unit_in_name(unit.folder.rsplit("/", 1)[-1])
        return unit.folder in shared or bool(named and _loosely_same(named, unit.name))

    first: dict[str, Unit] = {}
    out = []
    for unit in sorted(units, key=lambda u: u.folder):
        kept = first.setdefault(norm_name(unit.name), unit) if movable(unit) else unit
        if kept is unit:
            out.append(unit)
            continue
        kept.folder = "、".join(dict.fromkeys(f or "（顶层）" for f in kept.folder.split("、") + [unit.folder]))
        for part in ("workbooks", "unsupported", "reports", "files", "archives", "scans"):
            getattr(kept, part).extend(getattr(unit, part))
    return out


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
