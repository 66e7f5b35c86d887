"""Check time per workbook for the same content as .xlsx, .xls, .ods (and .xlsb when given one), in one run.

    python benchmarks/formats.py [--copies 50] [--xlsb FILE.xlsb]

Converts the bundled example, and a copy whose 附件3!F20 holds 0.85 formatted 0% (so the number formats
are asked for: xlrd for an .xls, content.xml for an .ods), with headless LibreOffice, then times
``check_path`` (read + rules) over ``copies`` copies of each.  LibreOffice cannot write .xlsb: pass one
saved by Excel to time it too (its number formats are not read: unknown, as for values from Office.js).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/libreoffice.py


def per_file(paths: list[Path], repeat: int = 3) -> float:
    """Median over ``repeat`` passes of the mean ms per file of a full check."""
    from jixiao_xl.rules.check import check_path

    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for path in paths:
            report = check_path(str(path))
            assert report.status != "unreadable", (path, report.error)
        runs.append((time.perf_counter() - start) * 1000 / len(paths))
    return statistics.median(runs)


def main() -> None:
    import openpyxl

    from tests.libreoffice import convert

    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--xlsb", help="an .xlsb file to time beside the others")
    args = parser.parse_args()
    example = ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copy(example, tmp / "example.xlsx")
        book = openpyxl.load_workbook(example)
        book["附件3"]["F20"] = 0.85
        book["附件3"]["F20"].number_format = "0%"
        book.save(tmp / "percent.xlsx")
        sources = [tmp / "example.xlsx", tmp / "percent.xlsx"]
        files = {("example", "xlsx"): sources[0], ("percent", "xlsx"): sources[1]}
        for fmt, ext in (("xls:MS Excel 97", "xls"), ("ods:calc8", "ods")):
            for path in convert(sources, tmp / ext, fmt):
                files[(path.stem, ext)] = path
        if args.xlsb:
            files[("given", "xlsb")] = Path(args.xlsb)
        print(f"check (read + rules), ms per workbook, median of 3 passes over {args.copies} copies")
        for (name, ext), path in sorted(files.items(), key=lambda item: (item[0][0], item[0][1] != "xlsx")):
            folder = tmp / "copies" / f"{name}-{ext}"
            folder.mkdir(parents=True)
            copies = []
            for i in range(args.copies):
                copies.append(folder / f"{i}.{ext}")
                shutil.copy(path, copies[-1])
            per_file(copies[:2], repeat=1)  # imports and caches warmed
            print(f"  {name:8} .{ext:5} {path.stat().st_size / 1024:6.1f} KB  {per_file(copies):7.2f} ms")


if __name__ == "__main__":
    main()
