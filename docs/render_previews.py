"""Render PNG previews of every sheet of the template (the seed example filled in).

    python docs/render_previews.py        # needs LibreOffice and poppler-utils (pdftoppm)

Each sheet is printed on its own by hiding the others (LibreOffice does not print
hidden sheets), so the previews show exactly the A4 print set-up of that sheet.
"""

import subprocess
import tempfile
from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the seed lives in tests/, not in the wheel

from jixiao_xl.write import template as T
from tests.libreoffice import convert
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from tests.samples import EXAMPLE_NAME
from jixiao_xl.write.writer import to_openpyxl
from jixiao_xl.xlsx.xlsxio import save_workbook

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "previews"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    example = read_workbook(str(ROOT / "workbook_templates" / "examples" / EXAMPLE_NAME))
    sheets = T.build(T.data_from(example, None, None, get_profile()))
    cached = {s.name: {a: ("" if v is None else v) for a, v in s.cached.items()} for s in sheets}
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for index, sheet in enumerate(sheets):
            if sheet.kind == "results":
                continue
            book = to_openpyxl(sheets)
            for other in book.worksheets:
                other.sheet_state = "visible" if other.title == sheet.name else "hidden"
            book.active = index
            path = Path(tmp) / f"{index}_{sheet.name}.xlsx"
            save_workbook(book, path, cached)
            files.append((sheet.name, path))
        pdfs = convert([p for _, p in files], tmp, fmt="pdf")
        for old in OUT.glob("*.png"):
            old.unlink()
        for (name, _), pdf in zip(files, pdfs):
            subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(OUT / name)], check=True)
    print("\n".join(sorted(p.name for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
