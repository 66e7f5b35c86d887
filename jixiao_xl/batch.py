"""``batch``: re-check (and optionally fill) every workbook under some folders.

Files are checked in worker processes, one per core.  The parent gives each
file a time limit and kills a worker that overruns it (a hung parser cannot be
interrupted from inside), so one pathological file costs its time limit and a
line in 无法读取, never the run.  Results are written at the end: 汇总.xlsx
(sheets 汇总, 问题明细, 无法读取), findings.json (the check JSON contract) and,
with ``fill``, the filled copies under filled/ mirroring the input tree.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from .check import FORM_TITLES
from .findings import SEVERITY_LABEL

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
LEGACY_SUFFIXES = (".xls", ".et", ".ett", ".xlt")
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
        if self.unsupported or any(r["report"]["status"] == "unreadable" for r in self.results):
            return 2
        return 1 if any(r["report"]["status"] == "errors" for r in self.results) else 0

    def counts(self) -> dict[str, int]:
        """Every file found, once: workbooks by status (unreadable ones included), attachments, our outputs."""
        statuses = [r["report"]["status"] for r in self.results]
        counts = {status: statuses.count(status) for status in STATUS_LABEL}
        counts["unreadable"] += len(self.unsupported)
        counts["workbooks"] = sum(counts[status] for status in STATUS_LABEL)
        counts["forms"] = sum(len(r["rows"]) for r in self.results)
        counts["attachments"] = len(self.attachments)
        counts["own"] = len(self.own)
        counts["files"] = counts["workbooks"] + counts["attachments"] + counts["own"]
        return counts

    def closing_line(self) -> str:
        c = self.counts()
        line = (f"共 {c['files']} 个文件，其中 {c['workbooks']} 个工作簿（{c['forms']} 张表）：{c['clean']} 个通过，"
                f"{c['warnings']} 个有警告，{c['errors']} 个有错误，{c['unreadable']} 个无法读取")
        if c["attachments"]:
            line += f"；{c['attachments']} 个附件未校验"
        if c["own"]:
            line += f"；{c['own']} 个本工具以前生成的文件已跳过"
        return line + f"。用时 {self.seconds:.1f} 秒"


ATTACHMENT_NOTE = "附件，未校验"


def unsupported_reason(path: Path) -> str | None:
    """Why a workbook-like file cannot be checked (exit 2), or None for an attachment (not a workbook)."""
    if path.suffix.lower() in LEGACY_SUFFIXES and not path.name.startswith("~$"):
        return "旧版 .xls/.et 格式不支持，请另存为 .xlsx"
    return None


def attachment_note(path: Path) -> str:
    if path.name.startswith("~$"):
        return "Excel 打开文件时生成的临时文件，未校验"
    return ATTACHMENT_NOTE


OWN_SHEETS = {"汇总", "问题明细", "无法读取"}


def is_own_summary(path: Path) -> bool:
    """A 汇总.xlsx written by an earlier batch run (its three sheets), wherever it lies."""
    import zipfile

    from .xlsxio import sheet_paths

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
    return head.replace(b" ", b"").startswith(b'{"version":1,"files":')


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
        elif path.suffix.lower() in WORKBOOK_SUFFIXES and not path.name.startswith("~$"):
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
                        own += [str(p.relative_to(root)) for p in sorted((here / d).rglob("*")) if p.is_file()]
                        continue
                    kept.append(d)
                dirnames[:] = kept
                for name in sorted(filenames):
                    path = here / name
                    consider(path, str(path.relative_to(root)))
        elif root.exists():
            consider(root, root.name)
        else:
            unsupported.append((str(root), "找不到文件或文件夹"))
    return tasks, unsupported, attachments, own


# ------------------------------------------------------------------ worker


def process(task: Task, profile_name: str, overrides: dict, fill: bool, outdir: str) -> dict:
    """Check one file (and fill it); never raises."""
    from .check import check_path
    from .profiles import get_profile

    profile = get_profile(profile_name, **overrides)
    report = check_path(task.path, profile)
    result = {"path": task.path, "rel": task.rel, "report": report.to_dict(), "rows": _rows(task, report),
              "filled": None, "fill_error": None}
    if fill and report.status != "unreadable":
        from .fill import FillError, fill as fill_one
        from .xlsxio import OutputError

        target = Path(outdir) / "filled" / task.rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fill_one(task.path, str(target), profile=profile)
            result["filled"] = str(target)
        except (FillError, OutputError) as exc:
            result["fill_error"] = str(exc)
        except OSError as exc:
            from .xlsxio import reason

            result["fill_error"] = f"无法写入 {target}：{reason(exc)}"
    return result


def _rows(task: Task, report) -> list[list]:
    rows = []
    for form_report in report.forms:
        res, form = form_report.results, form_report.form
        errors = sum(1 for f in form_report.findings if f.severity == "error")
        warnings = sum(1 for f in form_report.findings if f.severity == "warning")
        status = "errors" if errors else ("warnings" if warnings else "clean")
        rows.append([task.rel, getattr(form, "name", "") or "", f"[{form.sheet}] {FORM_TITLES[form.kind]}",
                     res.get("exec_rate"), res.get("exec_score"), res.get("total_score"), res.get("grade"),
                     errors, warnings, STATUS_LABEL[status]])
    return rows


def _worker_main(conn, profile_name: str, overrides: dict, fill: bool, outdir: str) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on every platform
        pass
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = process(task, profile_name, overrides, fill, outdir)
        except MemoryError:
            result = _failed(task, "文件过大，处理时超出内存限制")
        except BaseException as exc:  # one odd file never stops the run
            result = _failed(task, f"处理时出错（{type(exc).__name__}）")
        conn.send((task.index, result))


def _failed(task: Task, reason: str) -> dict:
    report = {"path": task.path, "status": "unreadable", "error": reason, "forms": [], "findings": []}
    return {"path": task.path, "rel": task.rel, "report": report, "rows": [], "filled": None, "fill_error": None}


class _Worker:
    def __init__(self, ctx, args):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, *args), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0

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


def run_pool(tasks: list[Task], jobs: int, timeout: float, args: tuple, progress=None) -> list[dict]:
    """Process tasks in ``jobs`` worker processes, each file within ``timeout`` seconds."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    results: list[dict | None] = [None] * len(tasks)
    pending = deque(tasks)
    workers = [_Worker(ctx, args) for _ in range(max(1, min(jobs, len(tasks))))]
    done = 0
    try:
        while pending or any(w.task for w in workers):
            for worker in workers:
                if worker.task is None and pending:
                    worker.task = pending.popleft()
                    worker.started = time.monotonic()
                    worker.conn.send(worker.task)
            busy = [w for w in workers if w.task is not None]
            ready = wait([w.conn for w in busy], timeout=0.2)
            for worker in busy:
                if worker.conn in ready:
                    try:
                        index, result = worker.conn.recv()
                        results[index] = result
                    except (EOFError, OSError):  # the worker died (crash, killed by the system)
                        results[worker.task.index] = _failed(worker.task, "处理时程序异常退出，文件可能已损坏")
                        workers[workers.index(worker)] = _replace(worker, ctx, args)
                    else:
                        worker.task = None
                    done += 1
                    if progress:
                        progress(done, len(tasks))
                elif time.monotonic() - worker.started > timeout:
                    results[worker.task.index] = _failed(worker.task, f"处理超过 {timeout:g} 秒，已跳过（文件可能异常）")
                    workers[workers.index(worker)] = _replace(worker, ctx, args)
                    done += 1
                    if progress:
                        progress(done, len(tasks))
    finally:
        for worker in workers:
            worker.stop()
    return results  # type: ignore[return-value]


def _replace(worker: _Worker, ctx, args) -> _Worker:
    worker.stop(kill=True)
    return _Worker(ctx, args)


# ------------------------------------------------------------------ outputs


def to_json(result: BatchResult) -> str:
    files = [r["report"] for r in result.results]
    files += [{"path": path, "status": "unreadable", "error": reason, "forms": [], "findings": []}
              for path, reason in result.unsupported]
    attachments = [{"path": path, "note": note} for path, note in result.attachments]
    return json.dumps({"version": 1, "files": files, "attachments": attachments, "skipped": result.own},
                      ensure_ascii=False, separators=(",", ":"))


SUMMARY_COLUMNS = ["文件", "单位/项目", "表", "执行率", "执行率得分", "总分", "等级", "错误数", "警告数", "状态"]
DETAIL_COLUMNS = ["文件", "工作表", "单元格", "代码", "严重程度", "说明"]
UNREADABLE_COLUMNS = ["文件", "原因"]
ATTACHMENT_COLUMNS = ["文件", "说明"]
GRADE_FILLS = {"优": "C6EFCE", "良": "E2EFDA", "中": "FFEB9C", "差": "FFC7CE"}


def write_summary(result: BatchResult, path: Path) -> None:
    """汇总.xlsx with pandas: 汇总, 问题明细, 无法读取; header frozen, filters, widths, colours."""
    import pandas as pd

    from .xlsxio import atomic_write

    summary = [row for r in result.results for row in r["rows"]]
    details = []
    for r in result.results:
        report = r["report"]
        for form in report["forms"]:
            for f in form["findings"]:
                details.append([r["rel"], f["sheet"], f["cell"], f["code"], SEVERITY_LABEL[f["severity"]], f["message"]])
        for f in report["findings"]:
            details.append([r["rel"], f["sheet"], f["cell"], f["code"], SEVERITY_LABEL[f["severity"]], f["message"]])
    unreadable = [[r["rel"], r["report"]["error"]] for r in result.results if r["report"]["status"] == "unreadable"]
    unreadable += [[p, reason] for p, reason in result.unsupported]
    unreadable += [[r["rel"], f"自动填写失败：{r['fill_error']}"] for r in result.results if r["fill_error"]]
    others = [[p, note] for p, note in result.attachments] + [[p, "本工具以前生成的文件，已跳过"] for p in result.own]
    frames = {
        "汇总": pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        "问题明细": pd.DataFrame(details, columns=DETAIL_COLUMNS),
        "无法读取": pd.DataFrame(unreadable, columns=UNREADABLE_COLUMNS),
        "附件": pd.DataFrame(others, columns=ATTACHMENT_COLUMNS),
    }
    widths = {"汇总": [40, 36, 34, 10, 10, 8, 6, 8, 8, 10], "问题明细": [40, 12, 8, 8, 10, 100],
              "无法读取": [50, 60], "附件": [50, 40]}

    def write(temp: str) -> None:
        # xlsxwriter is pandas' fast writer; strings_to_formulas=False keeps "=..." text as text
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        with pd.ExcelWriter(temp, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                _format(writer.book, writer.sheets[name], name, widths[name], frame)

    atomic_write(path, write)


def _format(book, ws, name: str, widths: list[int], frame) -> None:
    """Header frozen and filtered, widths, and colours as conditional formats (cheap for any size)."""
    header = book.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1})
    red = book.add_format({"bg_color": "#FFC7CE"})
    yellow = book.add_format({"bg_color": "#FFEB9C"})
    for col, title in enumerate(frame.columns):
        ws.write_string(0, col, title, header)
        ws.set_column(col, col, widths[col])
    last = max(len(frame), 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(frame.columns) - 1)
    if name == "汇总":
        ws.set_column(3, 3, widths[3], book.add_format({"num_format": "0.00%"}))
        for grade_, color in GRADE_FILLS.items():
            ws.conditional_format(1, 6, last, 6, {"type": "cell", "criteria": "==", "value": f'"{grade_}"',
                                                   "format": book.add_format({"bg_color": "#" + color})})
        ws.conditional_format(1, 7, last, 7, {"type": "cell", "criteria": ">", "value": 0, "format": red})
        ws.conditional_format(1, 9, last, 9, {"type": "cell", "criteria": "==", "value": '"有错误"', "format": red})
        ws.conditional_format(1, 9, last, 9, {"type": "cell", "criteria": "==", "value": '"有警告"', "format": yellow})
    elif name == "问题明细":
        ws.conditional_format(1, 4, last, 4, {"type": "cell", "criteria": "==", "value": '"错误"', "format": red})
        ws.conditional_format(1, 4, last, 4, {"type": "cell", "criteria": "==", "value": '"警告"', "format": yellow})


# ------------------------------------------------------------------ entry


def run(inputs: list[str], outdir: str, *, fill: bool = False, jobs: int | None = None, profile_name: str = "hunan",
        overrides: dict | None = None, timeout: float = 60.0, progress=None) -> BatchResult:
    start = time.monotonic()
    from .xlsxio import OutputError, reason

    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, reason(exc)) from None
    tasks, skipped, attachments, own = survey(inputs, out)
    jobs = jobs or os.cpu_count() or 1
    args = (profile_name, overrides or {}, fill, str(out))
    results = run_pool(tasks, jobs, timeout, args, progress) if tasks else []
    from .narrative.inbox import attach_reports  # .docx reports beside their workbooks (narrative/inbox.py)

    results, attachments = attach_reports(inputs, results, attachments, profile_name, overrides or {})
    result = BatchResult(out, results, skipped, attachments, own)
    from .xlsxio import atomic_write

    atomic_write(out / JSON_NAME, lambda temp: Path(temp).write_text(to_json(result), encoding="utf-8"))
    write_summary(result, out / SUMMARY_NAME)
    result.seconds = time.monotonic() - start
    return result


class Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

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
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
