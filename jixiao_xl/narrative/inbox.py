"""Reports in a ``batch`` inbox: each report is checked against the workbook of the same unit beside it.

A report is a .docx, an old Word/WPS document (.doc/.wps/.wpt, converted by LibreOffice when it is
installed) or a PDF with a text layer.  A PDF whose first paragraphs do not read like a report (a notice, a
signed cover page) and one that cannot be read (a scan) stay attachments, with the reason.  Reading takes
~15 ms for a .docx, ~50 ms a page for a PDF, ~2 s for a .doc (starting LibreOffice).

Pairing rule: a report goes with the workbooks in its own folder.  One workbook
there: that one.  Several: the one whose unit (附件2 单位名称) or file name
appears in the report's file name or title, else (batch's ``units``: a folder of
several units) the one workbook of the unit it names; when that does not single
one out, the report is checked for its internal arithmetic only, with an info
saying why.  Batch places the report with the unit of its workbook, or with the
one unit it names (``unit``), else says whose it is could not be told.  Reports are checked in the parent process after the workbooks (a report
check takes ~60 ms; the reader refuses oversized documents).
"""

from __future__ import annotations

from pathlib import Path

from ..read.values import norm_label, unit_in_name

REPORT_SUFFIXES = (".docx", ".doc", ".wps", ".wpt", ".pdf")
_REPORT_WORDS = ("报告", "自评", "绩效")
STATUS_LABEL = {"clean": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法读取"}
SCAN = "U101"  # read_report's code for a document of pictures with no figure in its text (a scan)
SCAN_NAMES = ("报告", "自评")  # a scan named so is the unit's report (a stamped scan is a normal submission)


def _source(rel: str, inputs: list[str], sources: dict | None = None) -> Path | None:
    """Where the file ``rel`` lies: in an input folder, or (``sources``) where batch unpacked an archive."""
    if sources and rel in sources:
        return Path(sources[rel])
    for item in inputs:
        root = Path(item)
        if root.is_dir() and (root / rel).is_file():
            return root / rel
        if root.is_file() and root.name == rel:
            return root
    return None


def _units(result: dict) -> list[str]:
    names = [row[1] for row in result.get("rows", []) if "部门整体支出绩效自评表" in str(row[2]) and row[1]]
    return [norm_label(n) for n in names] + [norm_label(Path(result["path"]).stem)]


def pair(report: Path, results: list[dict], title: str = "", places: dict | None = None,
         units: dict | None = None) -> tuple[list[dict], str | None]:
    """The workbook results a report goes with, and why none when there is none.  ``places``: the folder a file
    unpacked from an archive counts as lying in (the archive's own), by its path; ``units``: the unit batch
    grouped each workbook in, by its path (None where it could not be told)."""
    places = places or {}

    def folder(path) -> Path:
        return places.get(str(path), Path(path).parent)

    beside = [r for r in results if folder(r["path"]) == folder(report) and r["report"]["status"] != "unreadable"]
    if len(beside) == 1:
        return beside, None
    if not beside:
        return [], "同一文件夹中没有可读的工作簿"
    words = norm_label(report.stem + title)
    named = [r for r in beside if any(unit and unit in words for unit in _units(r))]
    if not named:  # a unit named by its 附件3 only (实施单位, 主管部门): its one workbook here
        unit = named_unit(words, beside, units)
        named = [r for r in beside if unit and (units or {}).get(r["path"]) == unit]
    if len(named) == 1:
        return named, None
    return [], f"同一文件夹中有 {len(beside)} 个工作簿，从报告的文件名和标题看不出是哪个单位的"


def named_unit(words: str, beside: list[dict], units: dict | None) -> str:
    """The one unit of ``units`` (batch's, by workbook path) among ``beside`` whose name or workbook's file name
    the report's ``words`` (normalised file name and title) hold; "" when none or several."""
    found = {units[r["path"]] for r in beside if (units or {}).get(r["path"]) and any(
        name and name in words for name in (norm_label(units[r["path"]]), norm_label(Path(r["path"]).stem)))}
    return found.pop() if len(found) == 1 else ""


def _read_here(paths: list[str]) -> list:
    """Each report's paragraphs, or the UnreadableReport why not, read in this process."""
    from .document import UnreadableReport, read_report

    out = []
    for path in paths:
        try:
            out.append(read_report(path))
        except UnreadableReport as exc:
            out.append(exc)
    return out


def attach_reports(inputs: list[str], results: list[dict], skipped: list[tuple[str, str]], profile_name: str,
                   overrides: dict, summary_row, sources: dict | None = None, places: dict | None = None,
                   units: dict | None = None, read_all=None) -> tuple[list[dict], list[tuple[str, str]], list[str]]:
    """Check the reports ``batch`` set aside; returns (results + report results, what stays skipped, the reports
    that are scans: a document named as a report (报告, 自评) with pictures and no figure to read — sent, not
    missing, but nothing in it checked).

    ``summary_row`` is batch's own row builder, handed in so that this layer does not import batch;
    ``sources`` and ``places`` name the files batch unpacked from archives: where each lies by its rel, and
    the folder it counts as lying in by its path (a report beside a zip goes with the workbook in the zip);
    ``units`` the unit batch grouped each workbook in, by its path: a report's result says its ``unit`` (its
    workbook's, or the one it names), "" when that cannot be told.  ``read_all(paths)`` reads the reports:
    one outcome per path, its paragraphs or the UnreadableReport why not (batch's reads each in a worker
    process within the per-file time and memory limits: a PDF that would draw for hours, or a stream
    that unpacks to gigabytes, never holds up or exhausts the run); by default they are read here.
    """
    from ..compute.profiles import get_profile
    from ..rules.check import check_path
    from .checker import check_paragraphs, one_placeholder_line
    from .document import UnreadableReport
    from .facts import gather

    named = dict(overrides)
    exec_mode = named.pop("exec_mode", None)  # as batch's worker: --exec-mode applies to the profile each book gets
    profile = get_profile(profile_name, **named) if profile_name else None
    keep, added, scans = [], [], []
    paths = [_source(rel, inputs, sources) if rel.lower().endswith(REPORT_SUFFIXES) else None for rel, _ in skipped]
    paths = [None if path is None or path.name.startswith("~$") else path for path in paths]
    if read_all is None:
        read_all = _read_here
    read = iter(read_all([str(path) for path in paths if path is not None]))
    for (rel, reason), path in zip(skipped, paths):
        if path is None:
            keep.append((rel, reason))
            continue
        paragraphs = next(read)
        if isinstance(paragraphs, UnreadableReport):  # not readable as a report: listed, never a failure
            keep.append((rel, f"{reason}（未能作为自评报告核对：{paragraphs}）"))
            if getattr(paragraphs, "code", None) == SCAN and any(word in path.name for word in SCAN_NAMES):
                scans.append(rel)
            continue
        else:
            title = "".join(p.text for p in paragraphs[:3])
            if path.suffix.lower() == ".pdf" and not any(w in title + path.stem for w in _REPORT_WORDS):
                keep.append((rel, f"{reason}（PDF 的标题和文件名不像自评报告，未核对）"))
                continue
            partners, why = pair(path, results, title, places, units)
            books, found = [], []
            for partner in partners:
                # checked again as its worker checked it (the profile named, else the one chosen from the book
                # itself, as `check` does; --exec-mode): the report is compared with the figures of that check,
                # never with the default province's (a 江西 unit's 执行率得分 by its bands, not by proportion)
                checked = check_path(partner["path"], profile, exec_mode=exec_mode)
                if checked.status == "unreadable" or checked.workbook is None:  # changed since its worker read it
                    why = f"工作簿 {Path(partner['rel']).name} 无法读取"
                    continue
                checked.workbook.profile = checked.scored_by
                books.append(checked.workbook)
                found.append(checked.all_findings())
            partners = partners if books else []
            report = check_paragraphs(paragraphs, gather(books, None, found), str(path), why)  # each by its own
            report.findings = one_placeholder_line(report.findings)  # batch: one line per report
        against = "、".join(Path(p["rel"]).name for p in partners)
        findings = report.findings
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = sum(1 for f in findings if f.severity == "warning")
        unit = next((units[p["path"]] for p in partners if (units or {}).get(p["path"])), "") or next(
            (row[1] for p in partners for row in p["rows"] if "部门整体支出绩效自评表" in str(row[2])), "")
        if not unit and units and report.status != "unreadable":  # not checked against one: the unit it names
            folder = (places or {}).get(str(path), path.parent)
            unit = named_unit(norm_label(path.stem + title), [r for r in results if (
                (places or {}).get(r["path"], Path(r["path"]).parent) == folder)], units)
            # else a unit that sent no workbook that could be read: the one its file name or its title names
            unit = unit or unit_in_name(path.stem) or unit_in_name(title)
        table = f"自评报告（对照 {against}）" if against else "自评报告（未对照工作簿）"
        rows = [] if report.status == "unreadable" else [
            summary_row(rel, unit, table, errors=errors, warnings=warnings, status=report.status)]
        added.append({"path": str(path), "rel": rel, "report": report.to_dict(), "rows": rows, "filled": None,
                      "fill_error": None, "unit": unit})
    return results + added, keep, scans
