"""``report check`` in process on a seed-sized 自评报告: ms per report (target ≤ 200 ms).

    python benchmarks/report.py [--runs 20]

The report is the seed's (../shared/seeds/000_01e5d2d49393df42.txt: the 部门整体支出绩效自评报告 and
the 项目支出绩效评价报告, 110 paragraphs, ~9,700 characters) written to .docx with python-docx; when
the seed is not beside the repository, the draft of the bundled example is used instead.  Timed:
the whole check with the bundled workbook (read .docx + read .xlsx + check), the report alone
(internal arithmetic only), and its parts: python-docx's load, our paragraph read, the checks.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_ms


def timed(func, runs: int) -> float:
    from jixiao_xl.narrative import extract

    # cold: every paragraph read as if never seen
    return median_ms(func, runs, before=extract.sentences.cache_clear)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    import docx

    from jixiao_xl.narrative.checker import check_paragraphs, check_report
    from jixiao_xl.narrative.document import read_report
    from jixiao_xl.narrative.facts import gather
    from jixiao_xl.read.reader import read_workbook
    from tests.samples import EXAMPLE_NAME

    workbook = str(ROOT / "workbook_templates" / "examples" / EXAMPLE_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "报告.docx"
        try:
            from tests.report_docs import build, seed_report_lines

            lines = seed_report_lines()
            build(report, lines)
            source = "seed report"
        except (OSError, StopIteration):
            from jixiao_xl.narrative.draft import write_draft

            write_draft(workbook, str(report))
            source = "draft of the example (seed not found)"
        paragraphs = read_report(str(report))
        chars = sum(len(p.text) for p in paragraphs)
        facts = gather([read_workbook(workbook)])
        check_report(str(report), [workbook])  # warm imports
        rows = [
            ("report check 报告.docx 工作簿.xlsx", timed(lambda: check_report(str(report), [workbook]), args.runs)),
            ("report check 报告.docx (no workbook)", timed(lambda: check_report(str(report)), args.runs)),
            ("  python-docx Document() only", timed(lambda: docx.Document(str(report)), args.runs)),
            ("  read paragraphs (incl. Document())", timed(lambda: read_report(str(report)), args.runs)),
            ("  read workbook", timed(lambda: read_workbook(workbook), args.runs)),
            ("  checks on read paragraphs + facts", timed(lambda: check_paragraphs(paragraphs, facts), args.runs)),
        ]
    print(f"{source}: {len(paragraphs)} paragraphs, {chars} characters; median of {args.runs} runs")
    for name, ms in rows:
        print(f"{name:42s} {ms:8.1f} ms")
    print("target: ≤ 200 ms for the first line")


if __name__ == "__main__":
    main()
