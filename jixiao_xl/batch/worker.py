"""The per-file work of a batch, in worker processes: pre-scan, read, check, fill, the store's records and the summary rows; the pool that gives each file a time limit."""

from __future__ import annotations

import sys
import time
from collections import deque
from pathlib import Path

from ..problems import cause
from ..rules.check import FORM_TITLES
from ..store.records import WHOLE_DEPARTMENT, book_unit
from ..store.records import head_text as _head
from .results import MEMORY_LIMIT, STATUS_LABEL, Result, Task, detail_rows, first_errors, problems
from .summary import CROSS_YEAR, _dumps, list_xml, rows_xml

# ------------------------------------------------------------------ worker


_PROFILES: dict = {}  # (name, overrides) -> Profile, in a worker


def process(task: Task, profile_name: str, overrides: dict, fill: bool, outdir: str, by: str | None = None,
            store: tuple | None = None) -> dict:
    """Check one file (and fill it); never raises.  The result carries its 汇总 and 问题明细 rows, and
    those rows as sheet XML (``list_xml``), written here in parallel rather than in the parent."""
    from ..compute.profiles import get_profile
    from ..rules.check import FileReport, check_grids
    from ..xlsx.grid import UnreadableWorkbook, read_grids

    overrides = dict(overrides)
    exec_mode = overrides.pop("exec_mode", None)  # the profile's named or the workbook's own: check_workbook
    key = (profile_name, tuple(sorted(overrides.items())))
    profile = _PROFILES.get(key)
    if profile is None:
        profile = _PROFILES[key] = get_profile(profile_name, **overrides) if profile_name else None
    try:  # check.check_path, keeping the grids for fill (the file is read once)
        grids = read_grids(task.path)
    except UnreadableWorkbook as exc:
        grids, report = None, FileReport(task.path, "unreadable", str(exc), code=exc.code)
    else:
        history = _history(store)
        report = check_grids(grids, task.path, profile, history=history and history.for_unit(task.unit),
                             exec_mode=exec_mode)
    data = report.to_dict()
    unit, typed = workbook_unit(report), workbook_authority(report)  # 主管部门 as typed, else ""
    if task.shown:  # a file from an archive: named by the archive's path, not the temporary folder's
        data["path"] = task.shown
    result = {"path": task.path, "rel": task.rel, "status": report.status, "error": report.error,
              "error_code": report.code, "report": data,
              "rows": _rows(task, report, (profile or get_profile()).tolerance_score),
              "authority": typed or unit, "unit": unit, "authority_typed": typed,
              "province": (report.profile or {}).get("name") if (report.profile or {}).get("known") else None,
              "filled": None,
              "fill_error": None, "fill_error_code": None, "json": _dumps(data)}  # findings.json's entry, written here rather than in the parent
    details = detail_rows(result)
    result["list_xml"] = (by, list_xml(result, by, details))
    result["problems"] = problems(details)  # for the statistics
    result["first_errors"] = first_errors(result)  # for 退回清单
    if store is not None:  # what goes into the store: the parent writes it (store.Store.add)
        from ..store.db import cross_year_rows
        from ..store.records import records

        # as run(stored_names=) asks; a file from an archive by the archive's path, never the temporary one
        named = task.rel if len(store) > 2 and store[2] == "rel" else task.shown or task.path
        book = result["store"] = records(report, named, _history(store).unit_map, data, task.unit)
        rows = result["cross_year"] = cross_year_rows(book, report.history)
        result["cross_xml"] = rows_xml(CROSS_YEAR, rows, False)  # 跨年's rows, written here as 汇总's are
    if fill and report.status != "unreadable":
        from ..write.fill import WORKBOOK_NAMES, FillError
        from ..write.fill import fill as fill_one
        from ..xlsx.xlsxio import OutputError, fit_name

        target = Path(outdir) / "filled" / task.rel
        if grids and grids[0].kind != "xlsx":  # an .xls/.et/.ods/.xlsb is filled into a new .xlsx
            target = target.with_name(fit_name(target.stem, "（已填写）.xlsx"))
        elif target.suffix.lower() not in WORKBOOK_NAMES:  # told a workbook by its content: "自评表", "表.xlsx(1)"
            target = target.with_name(fit_name(target.name, ".xlsx"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fill_one(task.path, str(target), profile=profile, grids=grids, book=report.workbook, exec_mode=exec_mode)
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
                status: str = "clean", total_cell=None, tolerance: float = 0.005) -> list:
    """One 汇总 row (SUMMARY_COLUMNS): what the unit submitted beside what the rules recompute.  The totals
    disagree where W104 would say so: at the precision the 总分 cell (``total_cell``) states, "99.5" for 99.51."""
    from ..rules.base import score_differs

    diff = round(submitted - total, 2) if submitted is not None and total is not None else None
    if submitted is None and submitted_grade is None:
        agree = "未填总分" if total is not None else ""
    elif total is None:  # nothing to hold the submitted total against (未读出 / 无法复核): neither 一致 nor 不一致
        agree = "无法复核"
    elif score_differs(total_cell, submitted, total, tolerance) or (
            submitted_grade and grade and submitted_grade != grade):
        agree = "不一致"
    else:
        agree = "一致"
    return [rel, unit, table, project, rate, exec_score, submitted, total, diff, submitted_grade, grade, agree,
            errors, warnings, STATUS_LABEL[status]]


def workbook_unit(report) -> str:
    """The unit a workbook belongs to: 附件2's 预算部门名称, else 附件3's 实施单位 / 主管部门 (as the store keys it)."""
    return book_unit([f.form for f in report.forms])


def workbook_authority(report) -> str:
    """主管部门 as 附件3 states it; "" when no 附件3 states one (a 附件2 names the department itself)."""
    for form_report in report.forms:
        if form_report.form.kind == "project_self_eval" and _head(form_report.form, "authority"):
            return _head(form_report.form, "authority")
    return ""


def _rows(task: Task, report, tolerance: float = 0.005) -> list[list]:
    """汇总's rows of a workbook (``tolerance``: its profile's for scores)."""
    from ..read.model import num
    from ..rules.weights import stated_grade

    unit = workbook_unit(report) or task.unit or Path(task.rel).stem
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
                          errors=errors, warnings=warnings, status=status,
                          total_cell=getattr(form, "total_score", None), tolerance=tolerance)
        for column, key in UNREAD_COLUMNS.items():  # what was not read says so (未读出 / 未评分), never 0 / 差
            if row[column] is None and res.why(key):
                row[column] = res.why(key).split("：", 1)[0]
        if row[GRADE_COLUMN] is None and res.value("total_score") is not None and res.why("grade"):
            # a total reviewed but not on the 100-point scale: "无法复核（分值合计 170 ≠ 100）", never 优 for 150.2
            head, _, why = res.why("grade").partition("：")
            row[GRADE_COLUMN] = f"{head}（{why}）" if why else head
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
        from ..store.db import History
        from ..store.records import UnitMap

        history = _HISTORY[key] = History(store[0], UnitMap.of_keys(store[1]))
    return history


# 汇总's columns (SUMMARY_COLUMNS) that show a result, and the result: 执行率, 执行率得分, 复核总分
UNREAD_COLUMNS = {4: "exec_rate", 5: "exec_score", 7: "total_score"}
GRADE_COLUMN = 10  # 复核等级


def _serve(conn, handle, failed) -> None:
    """A worker's loop, within the memory limit: take lists of tasks, send back (index, ``handle(task)``) for each
    as soon as it is done; a task that fails is ``failed(task, code, **fields)`` — one odd file never stops the
    run (U014 out of memory, U016 anything else, said in Chinese)."""
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
                outcome = handle(task)
            except MemoryError:
                outcome = failed(task, "U014")
            except BaseException as exc:  # noqa: BLE001 - one odd file never stops the run
                outcome = failed(task, "U016", detail=cause(exc, "程序内部错误，请把文件发给维护人员"))
            conn.send((task.index, outcome))


def _worker_main(conn, profile_name: str, overrides: dict, fill: bool, outdir: str, by: str | None,
                 store: tuple | None = None) -> None:
    """Check workbooks: one result per file (as ``process`` makes it, or ``_failed``'s)."""

    def sent(result: dict) -> dict:
        if "json" in result:  # the parent decodes the report from it when it needs it (see Result)
            del result["report"]
        return result

    _serve(conn, lambda task: sent(process(task, profile_name, overrides, fill, outdir, by, store)),
           lambda task, code, **fields: sent(_failed(task, code, **fields)))


def _report_main(conn) -> None:
    """Read reports: one outcome per report, ("ok", paragraphs) or ("no", code, text) (an exception of ours does
    not survive pickling)."""
    from ..narrative.document import UnreadableReport, read_report

    def read(task: Task) -> tuple:
        try:
            return ("ok", read_report(task.path))
        except UnreadableReport as exc:
            return ("no", exc.code, exc.text)

    _serve(conn, read, _report_failed)


def _report_failed(task: Task, code: str, text: str | None = None, **fields) -> tuple:
    from ..problems import PROBLEMS

    return ("no", code, PROBLEMS[code].text(text, **fields))


def read_reports(paths: list[str], jobs: int, timeout: float) -> list:
    """Each report's paragraphs, or the UnreadableReport why not: read in worker processes, each report within
    ``timeout`` seconds and the workers' memory limit, as a workbook is checked (a report is untrusted input
    too: a 3 KB PDF of nested forms draws for hours, a 1.5 MB one unpacks a 1.5 GB stream)."""
    from ..narrative.document import UnreadableReport

    if not paths:
        return []
    tasks = [Task(i, path, path) for i, path in enumerate(paths)]
    outcomes = run_pool(tasks, jobs, timeout, (), main=_report_main, failed=_report_failed, wrap=None)
    out = []
    for outcome in outcomes:
        if outcome[0] == "ok":
            out.append(outcome[1])
            continue
        _, code, text = outcome  # _report_failed's: a catalogued code (time limit, memory, a crash) and its text
        out.append(UnreadableReport(code, text))
    return out


def _failed(task: Task, code: str, text: str | None = None, **fields) -> dict:
    """The result of a file whose processing failed, for a catalogued reason (problems.py)."""
    from ..problems import PROBLEMS

    reason = PROBLEMS[code].text(text, **fields)
    report = {"path": task.shown or task.path, "status": "unreadable", "error": reason, "error_code": code, "forms": [],
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
    def __init__(self, ctx, args, main=_worker_main):
        self.conn, child = ctx.Pipe()
        self.main = main
        self.process = ctx.Process(target=main, args=(child, *args), daemon=True)
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
             received=None, main=_worker_main, failed=_failed, wrap=Result) -> list[dict]:
    """Process tasks in ``jobs`` worker processes, each file within ``timeout`` seconds.

    ``started()`` is called once the workers run (batch starts importing the summary writer then);
    ``received(result)`` with each result as it comes (--store writes them as they arrive).  ``main`` is the
    workers' loop (``_worker_main``: workbooks), ``failed(task, code, text)`` the result of a task whose worker
    timed out or died, ``wrap`` what each result is made (None: as it came).
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    results: list[dict | None] = [None] * len(tasks)
    pending = deque(tasks)
    count = max(1, min(jobs, len(tasks)))
    workers = [_Worker(ctx, args, main) for _ in range(count)]
    if started:
        started()
    done = 0

    def finish(worker: _Worker, result: dict) -> None:
        nonlocal done
        task = worker.tasks.popleft()
        results[task.index] = result if wrap is None else wrap(result)
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
                        finish(worker, failed(worker.task, "U015", "处理时程序异常退出，文件可能已损坏"))
                        replace(worker)
                elif time.monotonic() - worker.started > timeout:
                    finish(worker, failed(worker.task, "U015", f"处理超过 {timeout:g} 秒，已跳过（文件可能异常）"))
                    replace(worker)
    finally:
        for worker in workers:
            worker.stop()
    return results  # type: ignore[return-value]


def _replace(worker: _Worker, ctx, args) -> _Worker:
    worker.stop(kill=True)
    return _Worker(ctx, args, worker.main)
