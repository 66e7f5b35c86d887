"""``report check`` on the same ~30-page report as .docx, as a text PDF and as .doc: ms per report.

    python benchmarks/report_formats.py [--runs 5] [--copies 3]

The report is the seed's text (tests/report_docs.py, 110 paragraphs, 9 pages) repeated ``--copies`` times,
written as an office would (tests/test_report_formats.office_docx: first-line indent, running head, page
numbers), then exported by LibreOffice to PDF and .doc.  Timed in process, with the bundled workbook:
reading the paragraphs, and the whole check (read + workbook + checks).  The .doc includes starting
LibreOffice for the conversion (a private profile each time: the first start of a new profile is slow).
Needs LibreOffice (Writer) for the PDF and the .doc.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--copies", type=int, default=3)
    args = parser.parse_args()

    from jixiao_xl.narrative import extract
    from jixiao_xl.narrative.checker import check_report
    from jixiao_xl.narrative.document import read_report
    from tests import libreoffice as LO
    from tests import report_docs as D
    from tests.test_report_formats import office_docx

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lines = D.seed_report_lines() * args.copies
        source = office_docx(tmp / "report.docx", lines)
        pdf = LO.convert([source], tmp / "pdf", "pdf", profile=tmp / "profile")[0]
        doc = LO.convert([source], tmp / "doc", "doc", profile=tmp / "profile")[0]
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
        print(f"{len(lines)} paragraphs, {sum(map(len, lines)):,} characters, {pages} pages as PDF "
              f"({pdf.stat().st_size // 1024} KB), .docx {source.stat().st_size // 1024} KB, "
              f".doc {doc.stat().st_size // 1024} KB; median of {args.runs} runs")
        clear = extract.sentences.cache_clear
        print(f"{'':8}{'read (ms)':>12}{'check (ms)':>12}")
        for name, path in ((".docx", source), ("PDF", pdf), (".doc", doc)):
            runs = max(1, args.runs if name != ".doc" else min(args.runs, 3))
            read = median_ms(lambda p=path: read_report(str(p)), runs, before=clear)
            whole = median_ms(lambda p=path: check_report(str(p), [D.WORKBOOK]), runs, before=clear)
            print(f"{name:8}{read:12.0f}{whole:12.0f}")


if __name__ == "__main__":
    main()
