"""Server-side 校验 of the seed workbook: request to response through the real xlwings Server app.

    python benchmarks/addin.py [--runs 50]

Prints the median ms of POST /xlwings/custom-scripts-call/validate (FastAPI TestClient,
payload built from the seed workbook as Office.js would send it) beside the median of
the core alone (read the same values as grids, plan the fill, check).
"""

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ["XLWINGS_PROJECT_DIR"] = str(ROOT / "addin" / "server")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
sys.path.insert(0, str(ROOT))

from benchmarks.timing import median_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    import warnings

    warnings.simplefilter("ignore")

    import openpyxl
    from fastapi.testclient import TestClient
    from xlwings_server.main import main_app

    from jixiao_xl.rules.check import check_grids
    from jixiao_xl.write.fill import plan
    from jixiao_xl.xlsx.grid import Grid
    from jixiao_xl.compute.profiles import get_profile
    from tests.officejs import payload

    book = openpyxl.load_workbook(ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx", data_only=True)
    body = payload(book)
    profile = get_profile()

    def core():
        grids = [Grid(s["name"], [[None if v == "" else v for v in row] for row in s["values"]], [],
                      merges_known=False) for s in body["sheets"]]
        plan(grids, profile, overwrite=False)
        check_grids(grids, "book.xlsx", profile)

    with TestClient(main_app, base_url="http://127.0.0.1") as client:  # a Host the guard accepts
        def request():
            response = client.post("/xlwings/custom-scripts-call/validate", json=body)
            assert response.status_code == 200

        request()
        server = median_ms(request, args.runs)
    core()
    alone = median_ms(core, args.runs)
    print(f"seed workbook, median of {args.runs} runs")
    print(f"  校验 through xlwings Server (request → response)  {server:7.2f} ms")
    print(f"  core alone (grids → fill plan → check)           {alone:7.2f} ms")


if __name__ == "__main__":
    main()
