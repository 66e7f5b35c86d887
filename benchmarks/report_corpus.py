"""``report check`` on the corpus of real published 自评报告 (tests/data/reports): precision, recall, and the
recall on one-number changes by kind of relation; then the time per report.

    python benchmarks/report_corpus.py [--runs 5] [--no-time] [--code DIR]

``--code DIR`` checks with the jixiao_xl found in DIR (a ``git archive`` of an older commit, say), to
compare before and after on the same corpus.

Precision: of the errors and warnings raised, how many name a relation the hand verdict calls inconsistent.
Recall: of those inconsistent relations, how many are named.  Changes: each consistent relation with a
``change`` is made wrong by one number; found when a new error or warning names the new number
(see tests/report_corpus.py).  Time: in process (check_paragraphs on the corpus paragraphs, and
check_report on the same text as .docx), and as a user runs it (``python -m jixiao_xl report check
x.docx``: start-up included), median per report.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import report_corpus as RC


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-time", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--code", help="a folder holding the jixiao_xl to measure (default: this checkout)")
    args = parser.parse_args()
    code = str(Path(args.code).resolve()) if args.code else str(ROOT)
    sys.path.insert(0, code)
    docs = RC.load()
    relations = [r for d in docs for r in d["relations"]]
    verdicts = {v: sum(r["verdict"] == v for r in relations) for v in ("consistent", "inconsistent", "unjudgeable")}
    provinces = sorted({d["province"] for d in docs} - {"不详"})
    print(f"语料：{len(docs)} 份报告，{len(provinces)} 个省份（{'、'.join(provinces)}，另有不详）；"
          f"关系 {len(relations)} 个：一致 {verdicts['consistent']}，不一致 {verdicts['inconsistent']}，"
          f"无法判断 {verdicts['unjudgeable']}")
    s = RC.score(docs)
    print(f"precision {s.right}/{s.findings} = {s.precision:.0%}   (errors+warnings that name a genuine inconsistency)")
    print(f"recall    {s.found}/{s.genuine} = {s.recall:.0%}   (genuine inconsistencies named)")
    found, total = s.change_rate()
    print(f"one-number changes found {found}/{total} = {found / total:.0%}")
    for kind in sorted(s.changes):
        f, t = s.changes[kind]
        print(f"  {kind:<12} {f}/{t}")
    if args.verbose:
        for doc_id, message in s.false_alarms:
            print("  false alarm:", doc_id, message)
        for doc_id, rel in s.missed:
            print("  missed:", doc_id, rel)
        for doc_id, rel in s.changes_missed:
            print("  change missed:", doc_id, rel)
    if args.no_time:
        return
    import docx

    from jixiao_xl.narrative import extract
    from jixiao_xl.narrative.checker import check_report

    def median(func) -> float:
        times = []
        for _ in range(args.runs):
            extract.sentences.cache_clear()
            start = time.perf_counter()
            func()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    in_process = statistics.mean(median(lambda d=d: RC.check(d)) for d in docs)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for d in docs:
            document = docx.Document()
            for text in d["paragraphs"]:
                document.add_paragraph(text)
            path = os.path.join(tmp, d["id"] + ".docx")
            document.save(path)
            paths.append(path)
        with_docx = statistics.mean(median(lambda p=p: check_report(p)) for p in paths)
        env = dict(os.environ, PYTHONPATH=code)
        cli = []
        for path in paths[: max(3, len(paths) // 2)]:
            times = []
            for _ in range(max(2, args.runs // 2)):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "jixiao_xl", "report", "check", path], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp, check=False)
                times.append((time.perf_counter() - start) * 1000)
            cli.append(statistics.median(times))
        start_up = []
        for _ in range(max(2, args.runs // 2)):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "jixiao_xl", "--version"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, cwd=tmp, check=False)
            start_up.append((time.perf_counter() - start) * 1000)
    print(f"time per report: check_paragraphs {in_process:.1f} ms; check_report (.docx) {with_docx:.1f} ms; "
          f"command line {statistics.mean(cli):.0f} ms (of which start-up `jixiao-xl --version` "
          f"{statistics.median(start_up):.0f} ms)")


if __name__ == "__main__":
    main()
