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
(group_units): a folder's workbooks are one unit unless they name several units
(results.unit_members: then one unit each, and a file naming none of them is a row of
its own); a folder with no workbook (and none under it) is a unit 缺少工作簿.
退回清单 has one row per unit.

Archives: the .zip files found are opened (zips in them too, 3 levels deep) into a temporary
folder removed when the run ends (archive.Unpacker, the batch page's checks); their files are
named "汨罗/司法局.zip/司法局2023.xlsx" and belong to the unit of the folder the zip lies in.  A zip
that cannot be opened, and a .rar or .7z, is listed in 无法读取 (U017, U018) and makes its folder's
unit say so instead of 缺少工作簿; the run then ends with exit code 2."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

# the package's API (cli, the batch page, narrative, tests): what a run is made of lives in its modules
from .collect import is_own_output, is_workbook_file, survey  # noqa: F401
from .results import JSON_NAME, SUMMARY_NAME, BatchResult, Result, Task, _folder, detail_rows, members  # noqa: F401
from .summary import (  # noqa: F401
    BY_CHOICES, DETAIL_COLUMNS, RETURN_COLUMNS, SUMMARY_COLUMNS, summary_tables, to_json, write_summary)
from .worker import _chunk, _Preload, _preload, _rows, process, read_reports, run_pool, summary_row, workbook_unit  # noqa: F401

# ------------------------------------------------------------------ entry


def run(inputs: list[str], outdir: str, *, fill: bool = False, jobs: int | None = None, profile_name: str | None = None,
        overrides: dict | None = None, timeout: float = 60.0, progress=None, by: str | None = None,
        store=None, unit_map=None, stored_names: str = "path", scratch: str | None = None) -> BatchResult:
    """``store``: an open ``store.Store`` (--store): each workbook's forms go into it as they are checked,
    the H rules read the unit's previous year from it, and 汇总 gets a 跨年 sheet; ``stored_names``: "path"
    (each form records its file's path) or "rel" (its path inside the input folder: the batch page's uploads
    live in a temporary folder gone after the run).  The zips found are opened (archive.Unpacker) into a
    temporary folder in ``scratch`` (else the system's), removed when the run ends."""
    from ..xlsx.xlsxio import OutputError, reason
    from .archive import Unpacker, limits

    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, reason(exc)) from None
    unpacker = Unpacker(limits(), scratch)
    try:
        return _run(inputs, out, unpacker, fill=fill, jobs=jobs, profile_name=profile_name, overrides=overrides,
                    timeout=timeout, progress=progress, by=by, store=store, unit_map=unit_map,
                    stored_names=stored_names)
    finally:
        unpacker.close()  # whatever happened: nothing unpacked is left


def _run(inputs: list[str], out: Path, unpacker, *, fill: bool, jobs: int | None, profile_name: str | None,
         overrides: dict | None, timeout: float, progress, by: str | None, store, unit_map,
         stored_names: str) -> BatchResult:
    start = time.monotonic()
    tasks, skipped, attachments, own = survey(inputs, out, unpacker)
    jobs = jobs or os.cpu_count() or 1
    if store is not None:  # the files a form records: their paths, or (the batch page) their place in the upload
        store.files((t.path for t in tasks), (t.rel if stored_names == "rel" else t.shown or t.path for t in tasks))
    keep = None if store is None else (str(store.path), dict(unit_map.to_new) if unit_map else {}, stored_names)
    args = (profile_name, overrides or {}, fill, str(out), by, keep)
    held: dict[int, object] = {}  # --store: the records of workbooks that name no unit, until their folder's is known

    def received(r):
        book = dict.pop(r, "store", None)
        if r.get("rows") and not r.get("unit"):
            held[id(r)] = book
        else:
            store.add(book)

    results = run_pool(tasks, jobs, timeout, args, progress, started=_preload.start,
                       received=None if store is None else received) if tasks else []
    results = _name_lone_workbooks(tasks, results, jobs, timeout, args, store, held)
    if store is not None:
        store.commit()
    from ..narrative.inbox import REPORT_SUFFIXES, attach_reports  # .docx reports beside their workbooks

    scans: list[str] = []  # reports that are scans: sent, nothing in them checked
    if any(rel.lower().endswith(REPORT_SUFFIXES) for rel, _ in attachments):  # its imports take 40 ms
        stage = getattr(progress, "stage", None)
        if stage:
            stage(f"正在核对自评报告（{sum(1 for rel, _ in attachments if rel.lower().endswith(REPORT_SUFFIXES))} 个文件）")
        books = len(results)
        units = {r["path"]: name for r, name in zip(results, members(results)) if r is not None}
        results, attachments, scans = attach_reports(inputs, results, attachments, profile_name, overrides or {},
                                              summary_row, sources=unpacker.sources, places=unpacker.places,
                                              units=units, read_all=lambda paths: read_reports(paths, jobs, timeout))
        for r in results[books:]:
            r["kind"] = "report"
            if r["path"] in unpacker.shown:  # a report from an archive: named by the archive's path
                r["report"]["path"] = unpacker.shown[r["path"]]
    result = BatchResult(out, results, skipped, attachments, own, cross_year=store is not None,
                         archives=list(unpacker.opened), unopened=list(unpacker.unopened),
                         exec_mode=(overrides or {}).get("exec_mode") or "", scans=scans)
    from ..xlsx.xlsxio import atomic_write

    atomic_write(out / JSON_NAME, lambda temp: Path(temp).write_text(to_json(result), encoding="utf-8"))
    write_summary(result, out / SUMMARY_NAME, by)
    result.seconds = time.monotonic() - start
    return result


def lone_units(results: list) -> dict[int, str]:
    """The unit of each workbook that names none (a lone 附件1), by its index: the one unit its folder's other
    workbooks name, or in a folder of several units the one its file name names (results.unit_members); a
    workbook whose unit cannot be told is not in it."""
    names = members(results)
    named = {_folder(r["rel"]) for r in results if r is not None and r.get("unit")}  # not a folder's name
    return {i: names[i] for i, r in enumerate(results) if r is not None and r.get("rows") and not r.get("unit")
            and names[i] and _folder(r["rel"]) in named}


def _name_lone_workbooks(tasks: list, results: list, jobs: int, timeout: float, args: tuple, store, held: dict) -> list:
    """A workbook that names no unit (附件1 has no 单位 line: a lone 附件1 file) belongs to the unit its folder's
    other workbooks name (lone_units): its 汇总 and 问题明细 rows say so (not its file name), and with --store it
    is checked again as that unit's — the H rules compare it with the unit's last year, and it is stored (a 附件1
    never stored could never be last year's for H101)."""
    units = lone_units(results)
    lone = sorted(units)
    if store is not None:
        again = [replace(tasks[i], index=n, unit=units[i]) for n, i in enumerate(lone)]
        redone = run_pool(again, jobs, timeout, args) if again else []
        for i, r in zip(lone, redone):
            if r.get("rows"):  # read again as it was the first time
                held.pop(id(results[i]), None)
                store.add(dict.pop(r, "store", None))
                results[i] = r
        for book in held.values():  # no unit it could be told of: counted as not stored
            store.add(book)
        return results
    for i in lone:
        r, unit = results[i], units[i]
        stem = Path(r["rel"]).stem
        r["rows"] = [[row[0], unit if row[1] == stem else row[1], *row[2:]] for row in r["rows"]]
        r["list_xml"] = None  # written again in the parent, with the unit
    return results


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
