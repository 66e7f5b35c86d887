"""Reading and scoring indicator rows: µs per pair, cold and warm, beside a bare regex scan.

    python benchmarks/indicators.py [--pairs 10000]

The pairs are the 259 published rows of ``tests/data/indicator_rows.jsonl``, cycled.
"cold" clears the parser's caches before every pair (each pair read from scratch, as
for a workbook whose texts were never seen); "warm" keeps them (a batch of
workbooks repeats many texts).  "regex" is the floor: one pass of a simple
number-and-unit regex over both texts, which is what the old reader did.
Also prints ms per workbook of ``check`` on the bundled example, in process.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(func, pairs, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for pair in pairs:
            func(*pair)
        runs.append((time.perf_counter() - start) * 1e6 / len(pairs))
    return statistics.median(runs)


def per_check(check_path, path: str, runs: int = 100) -> float:
    check_path(path)
    start = time.perf_counter()
    for _ in range(runs):
        check_path(path)
    return (time.perf_counter() - start) * 1000 / runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=10_000)
    args = parser.parse_args()
    import openpyxl

    from jixiao_xl.compute import targets
    from jixiao_xl.rules.check import check_path

    rows = [json.loads(line) for line in (ROOT / "tests/data/indicator_rows.jsonl").read_text("utf-8").splitlines()]
    pairs = [(r["target"], r["actual"], r["weight"] or 10, r["level1"], r["level2"], r["level3"])
             for r in (rows * (args.pairs // len(rows) + 1))[:args.pairs]]

    def cold(target, actual, weight, level1, level2, name):
        targets.read_text.cache_clear()
        targets._judge_cached.cache_clear()
        targets.judge(target, actual, weight, level1=level1, level2=level2, name=name)

    def warm(target, actual, weight, level1, level2, name):
        targets.judge(target, actual, weight, level1=level1, level2=level2, name=name)

    simple = re.compile(r"(\d+(?:\.\d+)?)\s*(%|万元|元|人次|人|次|个|天|件)")

    def regex(target, actual, *_):
        simple.findall(str(target))
        simple.findall(str(actual))

    example = str(ROOT / "workbook_templates/examples/miluo_sifaju_2023.xlsx")
    check_ms = per_check(check_path, example)
    with tempfile.TemporaryDirectory() as tmp:
        formatted = str(Path(tmp) / "percent.xlsx")
        book = openpyxl.load_workbook(example)
        book["附件2"]["F21"] = 0.98  # a bare number: the reader asks for the cell's number format
        book["附件2"]["F21"].number_format = "0%"
        book.save(formatted)
        format_ms = per_check(check_path, formatted)
    print(f"{len(pairs)} pairs from {len(rows)} published rows")
    print(f"  regex floor      {timed(regex, pairs):7.2f} µs/pair")
    print(f"  judge, cold      {timed(cold, pairs, 1):7.2f} µs/pair")
    print(f"  judge, warm      {timed(warm, pairs):7.2f} µs/pair")
    print(f"check of the bundled example, in process: {check_ms:.2f} ms/workbook")
    print(f"  the same with one 实际完成值 a number formatted 0% (styles.xml + sheet XML read): {format_ms:.2f} ms")


if __name__ == "__main__":
    main()
