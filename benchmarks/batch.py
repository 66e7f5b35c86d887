"""Batch throughput side by side: jixiao-xl batch, batch --fill, LibreOffice, a raw calamine read.

    python benchmarks/batch.py [--files 400] [--lo-files 100] [--runs 3] [--no-fill] [--phases]
    python benchmarks/batch.py --files 2000 --also 300 --lo-files 0 --no-fill --runs 3   # issue 14's targets
    python benchmarks/batch.py --kind template ...   # the same workbooks with formulas, as Excel saves them

Generates variants of the seed workbook with injected errors, then times, in one run:
  - a raw python-calamine read of every sheet of every file (one process),
  - `jixiao-xl batch` check-only and with --fill (all cores, as a user runs it),
  - headless LibreOffice recalculating --lo-files of the same files (one soffice run),
and reports workbooks per second, the ratios, and the peak memory of the batch's whole
process tree (parent and workers, sampled from /proc every 20 ms).  With --runs, the
check-only batch runs that many times and the median is reported (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the seed lives in tests/, not in the wheel


def make_files(folder: Path, count: int) -> list[Path]:
    from tests.samples import seed_sheets, write_xlsx

    rng = random.Random(2023)
    paths = []
    for i in range(count):
        sheets = seed_sheets()
        basic, dept, project = sheets
        # inject errors: a wrong 三公 total, a score above its weight, an execution above budget
        if rng.random() < 0.5:
            basic.rows[5][3] = round(rng.uniform(5, 30), 2)
        if rng.random() < 0.3:
            dept.rows[13][7] = 12
        if rng.random() < 0.3:
            project.rows[5][4] = 90
        basic.rows[24][3] = round(rng.uniform(200, 400), 2)  # 公用经费 决算 varies
        sub = folder / f"dept{i % 20:02d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"workbook_{i:05d}.xlsx"
        write_xlsx(path, sheets)
        paths.append(path)
    return paths


def make_template_files(folder: Path, count: int) -> list[Path]:
    """The same variants laid into jixiao-xl's own template (``template --from``): formulas for every derived
    cell, each saved with its result, as a workbook filled in Excel or WPS is."""
    from jixiao_xl.write import template as T
    from jixiao_xl.compute.profiles import get_profile
    from jixiao_xl.read.reader import read_workbook
    from jixiao_xl.write.writer import write_template

    profile = get_profile("hunan")
    with tempfile.TemporaryDirectory() as tmp:
        plain = make_files(Path(tmp), count)
        paths = []
        for path in plain:
            target = folder / path.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_template(T.build(T.data_from(read_workbook(str(path)), None, None, profile)), target)
            paths.append(target)
    return paths


def tree_rss(pid: int) -> int:
    """Resident memory in bytes of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def timed_run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak tree RSS of a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.02)
    return time.perf_counter() - start, peak


def calamine_read(paths: list[Path]) -> float:
    import python_calamine as pc

    start = time.perf_counter()
    for path in paths:
        book = pc.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            sheet.to_python(skip_empty_area=False)
            _ = sheet.merged_cell_ranges  # reading it is part of the work
    return time.perf_counter() - start


def phases(paths: list[Path], tmp: Path) -> dict[str, float]:
    """Where one process's time goes, per workbook (ms): the zip/XML pre-scan, the calamine read,
    form recognition, the rules; plus start-up and the summary writer (seconds)."""
    from jixiao_xl import batch
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.xlsx.grid import _formula_issues, _open, read_grids
    from jixiao_xl.compute.profiles import get_profile
    from jixiao_xl.read.reader import read_forms

    empty = tmp / "empty"
    empty.mkdir(exist_ok=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "jixiao_xl", "batch", str(empty), "-o", str(tmp / "o0")],
                   capture_output=True)
    startup = time.perf_counter() - start
    profile = get_profile("hunan")
    n = len(paths)
    t0 = time.perf_counter()
    for path in paths:
        with _open(str(path)) as archive:
            _formula_issues(archive)
    t1 = time.perf_counter()
    grids = [read_grids(str(path)) for path in paths]
    t2 = time.perf_counter()
    for g in grids:
        read_forms(g)
    t3 = time.perf_counter()
    results = []
    for path in paths:
        report = check_path(str(path), profile)
        results.append({"path": str(path), "rel": path.name, "report": report.to_dict(), "filled": None,
                        "fill_error": None, "rows": batch._rows(batch.Task(0, str(path), path.name), report)})
    t4 = time.perf_counter()
    batch.write_summary(batch.BatchResult(tmp, results), tmp / "phases.xlsx")
    t5 = time.perf_counter()
    return {"start-up (empty batch run), s": startup,
            "zip/XML pre-scan, ms": 1000 * (t1 - t0) / n,
            "calamine read (pre-scan excluded), ms": 1000 * (t2 - t1 - (t1 - t0)) / n,
            "form recognition, ms": 1000 * (t3 - t2) / n,
            "rules and results, ms": 1000 * (t4 - t3 - (t3 - t0)) / n,
            "check_path in all, ms": 1000 * (t4 - t3) / n,
            "summary writer (pandas import included), s": t5 - t4}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--lo-files", type=int, default=100)
    parser.add_argument("--phases", action="store_true", help="also time each phase in one process")
    parser.add_argument("--kind", choices=["seed", "template"], default="seed",
                        help="seed: variants of the seed as openpyxl writes them (values only); template: the same "
                             "laid into jixiao-xl's template (formulas with saved results, as Excel saves them)")
    parser.add_argument("--runs", type=int, default=1, help="check-only batch runs (the median is reported)")
    parser.add_argument("--no-fill", action="store_true", help="skip the batch --fill run")
    parser.add_argument("--also", type=int, default=0, metavar="K",
                        help="also time check-only on the first K files (same run); the difference of the two "
                             "runs gives the time each further workbook adds (steady state, start-up excluded)")
    args = parser.parse_args()
    # as installed: pip compiles the package's bytecode, so a user's run does not (PYTHONDONTWRITEBYTECODE, set
    # on some machines, would otherwise make every timed run compile jixiao_xl from source, ~0.05 s each)
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "jixiao_xl"), quiet=1)
    cli = [sys.executable, "-m", "jixiao_xl"]
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        inbox.mkdir()
        paths = (make_template_files if args.kind == "template" else make_files)(inbox, args.files)
        raw = calamine_read(paths)
        runs = sorted(timed_run(cli + ["batch", str(inbox), "-o", str(Path(tmp) / f"out1_{i}")])
                      for i in range(max(1, args.runs)))
        check, check_peak = runs[len(runs) // 2][0], max(peak for _, peak in runs)
        small = None
        if 0 < args.also < args.files:
            few = Path(tmp) / "few"
            for path in paths[: args.also]:
                target = few / path.relative_to(inbox)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, target)
            small_runs = sorted(timed_run(cli + ["batch", str(few), "-o", str(Path(tmp) / f"out3_{i}")])
                                for i in range(max(1, args.runs)))
            small = small_runs[len(small_runs) // 2]
        fill = fill_peak = None
        if not args.no_fill:
            fill, fill_peak = timed_run(cli + ["batch", str(inbox), "-o", str(Path(tmp) / "out2"), "--fill"])
        lo = None
        from tests.libreoffice import convert, soffice

        if soffice() and args.lo_files:
            subset = paths[: args.lo_files]
            start = time.perf_counter()
            convert(subset, Path(tmp) / "lo")
            lo = (time.perf_counter() - start) / len(subset)
        split = phases(paths, Path(tmp)) if args.phases else {}
    n = args.files
    kind = "laid into the template, formulas with results" if args.kind == "template" else "values only"
    print(f"{n} workbooks (seed variants with injected errors, {kind}), {os.cpu_count()} cores")
    print(f"  raw python-calamine read (1 process)  {n / raw:8.0f} workbooks/s")
    median = f" (median of {len(runs)}: {', '.join(f'{t:.2f}' for t, _ in runs)} s)" if len(runs) > 1 else ""
    print(f"  jixiao-xl batch (check only)          {n / check:8.0f} workbooks/s   "
          f"peak memory {check_peak / 2**20:.0f} MB{median}")
    if small is not None:
        k = args.also
        print(f"  jixiao-xl batch (check only), {k:5d}  {k / small[0]:8.0f} workbooks/s   peak memory "
              f"{small[1] / 2**20:.0f} MB ({small[0]:.2f} s)")
        each = (check - small[0]) / (n - k)
        print(f"  each further workbook (steady state)  {1000 * each:8.2f} ms wall = "
              f"{each / (raw / n):.1f}× the raw read")
    if fill is not None:
        print(f"  jixiao-xl batch --fill                {n / fill:8.0f} workbooks/s   "
              f"peak memory {fill_peak / 2**20:.0f} MB")
    if lo:
        print(f"  LibreOffice recalculation ({args.lo_files} files)   {1 / lo:8.1f} workbooks/s")
        print(f"  check-only is {lo / (check / n):.0f}× faster than LibreOffice")
    print(f"  check-only takes {(check / n) / (raw / n):.1f}× the raw read's time per workbook")
    print(f"  machine load (1, 5, 15 min)           {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, value in split.items():
        print(f"  {name:45s} {value:8.3f}")


if __name__ == "__main__":
    main()
