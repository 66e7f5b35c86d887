"""The results store (--store) at scale: what it costs batch, and how fast history answers on a big store.

    python benchmarks/store.py [--files 400] [--runs 5] [--big 100000] [--queries 20] [--instructions 200]

1. batch with and without --store, side by side (``farm-bench --vs``: A B A B …, the ratio taken pair by pair):
   ``--files`` workbooks of 2023, one unit each (the seed with its unit renamed, errors injected as in
   benchmarks/batch.py), checked against a store that already holds the same units' 2022 (built once, untimed,
   by batch --store from the seed moved back a year).  Each run starts from a copy of that store; the run
   without --store copies it too, so both do the same work but the store's.
2. A synthetic big store: ``--big`` units with their 2022 and their 2023 workbook each (real records of the
   seed's two years, renamed; two years of a province's material in one file), written through the same
   ``Store.add`` batch uses.  On it: the H rules' lookup (``History.previous``) and ``jixiao-xl history``'s
   export (``history.export``: the .xlsx of one unit's years) for ``--queries`` random units, and one whole
   ``jixiao-xl history`` command (process start included).
3. ``--instructions N`` (needs valgrind): the same two batches counted in instructions rather than seconds,
   every process of the run included (callgrind, ``--trace-children``), on 1 workbook and on N: the difference
   over N - 1 is what one more workbook costs, start-up left out.  A count does not drift with the machine's
   load (the seconds of a shared two-core machine do, by 10 % from run to run); it does not see caches, I/O
   or SHA-256's hardware instructions (valgrind runs OpenSSL's software path: about 0.35 M of a workbook's).
The big store is made in a temporary folder and removed (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the seed lives in tests/, not in the wheel

UNIT_CELLS = ("附件2!B3", "附件3!B4", "附件3!F4")  # 预算部门名称, 主管部门, 实施单位


def unit_name(i: int) -> str:
    return f"测试县第{i:06d}单位"


def make_year(folder: Path, count: int, year: int) -> None:
    from tests.helpers import clean_seed, seed_last_year, set_cells
    from tests.samples import write_xlsx

    rng = random.Random(year)
    for i in range(count):
        edits = {cell: unit_name(i) for cell in UNIT_CELLS}
        if rng.random() < 0.5:
            edits["附件1!D6" if year == 2023 else "附件1!D7"] = round(rng.uniform(5, 30), 2)
        if rng.random() < 0.3:
            edits["附件3!E6"] = edits["附件3!E7"] = round(rng.uniform(40, 83), 2)
        specs = seed_last_year(edits) if year == 2022 else set_cells(clean_seed(), edits)
        sub = folder / f"dept{i % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        write_xlsx(sub / f"unit_{i:06d}.xlsx", specs)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "jixiao_xl", *args]


def batch_cost(tmp: Path, files: int, runs: int) -> None:
    print(f"== batch 与 batch --store（{files} 个 2023 年工作簿，库中已有同样单位的 2022 年）")
    make_year(tmp / "in22", files, 2022)
    make_year(tmp / "in23", files, 2023)
    base = tmp / "base.sqlite"
    done = subprocess.run(cli("batch", str(tmp / "in22"), "-o", str(tmp / "out22"), "--store", str(base)),
                          stdout=subprocess.DEVNULL)
    assert done.returncode in (0, 1), "batch --store of 2022 failed"
    py = sys.executable
    with_store = (f"sh -c 'cp {base} {tmp}/a.sqlite && rm -f {tmp}/a.sqlite-wal {tmp}/a.sqlite-shm && "
                  f"exec {py} -m jixiao_xl batch {tmp}/in23 -o {tmp}/outA --store {tmp}/a.sqlite'")
    without = (f"sh -c 'cp {base} {tmp}/b.sqlite && rm -f {tmp}/b.sqlite-wal {tmp}/b.sqlite-shm && "
               f"exec {py} -m jixiao_xl batch {tmp}/in23 -o {tmp}/outB'")
    cmd = ["farm-bench", "-n", str(runs), "--timeout", "1800", "--vs", without, "--", "sh", "-c",
           with_store[len("sh -c '"):-1]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    print(proc.stdout + proc.stderr)


def _instructions(tmp: Path, name: str, folder: Path, store: Path | None, base: Path) -> int:
    """Instructions of one whole batch run (every process), under callgrind."""
    out = tmp / f"cg-{name}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    extra = []
    if store is not None:
        shutil.copy(base, store)
        for suffix in ("-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
        extra = ["--store", str(store)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                    f"--callgrind-out-file={out}/out.%p", *cli("batch", str(folder), "-o", str(tmp / f"o-{name}"),
                                                              *extra)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    total = 0
    for part in out.iterdir():
        for line in part.read_text(errors="replace").splitlines():
            if line.startswith("summary:"):
                total += int(line.split()[1])
    return total


def instruction_cost(tmp: Path, files: int) -> None:
    print(f"== 指令数：batch 与 batch --store（1 个和 {files} 个 2023 年工作簿，valgrind callgrind，含全部进程）")
    if shutil.which("valgrind") is None:
        print("没有 valgrind（apt-get install valgrind），跳过")
        return
    make_year(tmp / "i22", files, 2022)
    make_year(tmp / "i23", files, 2023)
    base = tmp / "ibase.sqlite"
    subprocess.run(cli("batch", str(tmp / "i22"), "-o", str(tmp / "io22"), "--store", str(base)),
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    one = tmp / "i1"
    one.mkdir()
    shutil.copy(next((tmp / "i23").rglob("*.xlsx")), one / "unit.xlsx")
    counts = {}
    for label, store in (("batch", None), ("batch --store", tmp / "i.sqlite")):
        small = _instructions(tmp, "s", one, store, base)
        large = _instructions(tmp, "l", tmp / "i23", store, base)
        counts[label] = (small, large, (large - small) / (files - 1))
        print(f"{label:14s} 1 个：{small / 1e9:.3f} G   {files} 个：{large / 1e9:.3f} G   "
              f"每多一个工作簿：{counts[label][2] / 1e6:.2f} M")
    plain, stored = counts["batch"][2], counts["batch --store"][2]
    whole = counts["batch --store"][1] / counts["batch"][1]
    print(f"每个工作簿 --store 多用 {(stored - plain) / 1e6:.2f} M 条指令，为 batch 的 {stored / plain - 1:.1%}；"
          f"{files} 个工作簿整次运行（含启动）为 {whole - 1:.1%}")


def big_store(tmp: Path, count: int, queries: int) -> None:
    from jixiao_xl.store import history as H
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.store.db import History, Store
    from jixiao_xl.store.records import norm_name, records
    from tests.helpers import clean_seed, seed_last_year
    from tests.samples import write_xlsx

    print(f"== 大库：{count:,} 个单位 × 2 个年度（2022、2023）")
    seeds = {}
    for year, specs in ((2022, seed_last_year({})), (2023, clean_seed())):
        path = tmp / f"seed{year}.xlsx"
        write_xlsx(path, specs)
        seeds[year] = records(check_path(str(path)), str(path))
    path = tmp / "big.sqlite"
    start = time.monotonic()
    store = Store.open(path)
    forms = 0
    for i in range(count):
        name = unit_name(i)
        for year, book in seeds.items():
            copy = type(book)(f"{year}/dept{i % 20:02d}/unit_{i:06d}.xlsx", f"{i:064x}", [], "")
            for rec in book.forms:
                clone = rec._replace(unit=name, unit_key=norm_name(name))
                copy.forms.append(clone)
            store.add(copy)
            forms += len(copy.forms)
    store.close()
    seconds = time.monotonic() - start
    size = path.stat().st_size
    print(f"写入 {forms:,} 张表用时 {seconds:.0f} 秒（{forms / seconds:,.0f} 张/秒，"
          f"{2 * count / seconds:,.0f} 个工作簿/秒）；文件 {size / 2**30:.2f} GiB")
    import sqlite3

    conn = sqlite3.connect(path)
    figures = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
    conn.close()
    print(f"库中 {figures:,} 个数据")
    rng = random.Random(7)
    picks = [unit_name(rng.randrange(count)) for _ in range(queries)]
    history = History(path)
    lookups = []
    for name in picks:
        t = time.perf_counter()
        for kind, project in (("basic_data", ""), ("dept_self_eval", ""),
                              ("project_self_eval", seeds[2023].forms[2].project)):
            assert history.previous(name, 2023, kind, project) is not None
        lookups.append(time.perf_counter() - t)
    print(f"H 规则查上年（一个工作簿的 3 张表）：中位数 {sorted(lookups)[len(lookups) // 2] * 1000:.2f} 毫秒，"
          f"最长 {max(lookups) * 1000:.2f} 毫秒")
    exports = []
    for name in picks:
        t = time.perf_counter()
        H.export(path, name, tmp / "h.xlsx")
        exports.append(time.perf_counter() - t)
    print(f"history 导出一个单位的历年对比表（进程内）：中位数 {sorted(exports)[len(exports) // 2]:.3f} 秒，"
          f"最长 {max(exports):.3f} 秒")
    t = time.monotonic()
    subprocess.run(cli("history", picks[0], "--store", str(path), "-o", str(tmp / "cli.xlsx")), check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    print(f"jixiao-xl history 整个命令（含进程启动）：{time.monotonic() - t:.2f} 秒")
    t = time.monotonic()
    Store.open(path).close()
    print(f"打开大库准备写入（batch --store 开始时）：{time.monotonic() - t:.2f} 秒")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--instructions", type=int, default=0, metavar="N")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-store-"))
    try:
        if args.files:
            batch_cost(tmp, args.files, args.runs)
        if args.instructions:
            instruction_cost(tmp, args.instructions)
        if args.big:
            big_store(tmp, args.big, args.queries)
    finally:
        if args.keep:
            print(f"保留在 {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
