"""Check many copies of the seed workbook in one process, side by side with raw readers.

    python benchmarks/check.py [--copies 200]

Prints ms per workbook for: a raw python-calamine read of every sheet's values
and merged ranges, openpyxl's full load and read-only load, and jixiao-xl's
full check (read + rules).  Also the wall time of one cold ``jixiao-xl check``
process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the seed lives in tests/, not in the wheel


def per_file(func, paths, repeat: int = 3) -> float:
    """Median over ``repeat`` passes of the mean ms per file."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for path in paths:
            func(path)
        runs.append((time.perf_counter() - start) * 1000 / len(paths))
    return statistics.median(runs)


def calamine_raw(path):
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        sheet.to_python(skip_empty_area=False)
        _ = sheet.merged_cell_ranges  # reading it is part of the work


def openpyxl_full(path):
    import openpyxl

    openpyxl.load_workbook(path)


def openpyxl_read_only(path):
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    for ws in book.worksheets:
        for _ in ws.iter_rows(values_only=True):
            pass
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()

    from jixiao_xl.rules.check import check_path
    from tests.samples import seed_sheets, write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(args.copies):
            path = Path(tmp) / f"seed_{i:04d}.xlsx"
            write_xlsx(path, seed_sheets())
            paths.append(str(path))
        check_path(paths[0])  # warm imports
        rows = [
            ("python-calamine raw read", per_file(calamine_raw, paths)),
            ("openpyxl load (full)", per_file(openpyxl_full, paths[: max(20, args.copies // 5)])),
            ("openpyxl load (read-only)", per_file(openpyxl_read_only, paths[: max(20, args.copies // 5)])),
            ("jixiao-xl check (read + rules)", per_file(check_path, paths)),
        ]
        cold = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "jixiao_xl", "check", paths[0]], capture_output=True)
            cold.append((time.perf_counter() - start) * 1000)

    raw = rows[0][1]
    print(f"{args.copies} copies of the seed workbook, ms per workbook (median of 3 passes)")
    for name, ms in rows:
        print(f"  {name:34s} {ms:8.2f} ms   {ms / raw:6.1f}× calamine")
    print(f"  cold `jixiao-xl check` of one file   {statistics.median(cold):8.1f} ms (median of 5 processes)")


if __name__ == "__main__":
    main()
