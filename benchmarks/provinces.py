"""Warnings on the published tables of other provinces (tests/data/published), before and after issue 22.

    python benchmarks/provinces.py [--profile hunan]

Each table is written as a real .xlsx (tests.published.workbook) and checked twice: as the tool did
before (every form under the 湖南 profile, ``--profile hunan``) and as it does now (the profile chosen
from the form). Prints, per table, the W105 / S001 warnings and what the results say, then the totals.
All these tables are published as their offices filed them; a W105 or S001 warning on one is wrong
unless the table itself departs from its own province's form.
"""

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="hunan", help="the profile every table was checked with before")
    args = parser.parse_args()

    from jixiao_xl.rules.check import check_path
    from jixiao_xl.compute.results import shown
    from jixiao_xl.compute.profiles import get_profile
    from tests.published import TABLES, workbook

    before_profile = get_profile(args.profile)
    totals = {"before": Counter(), "after": Counter()}
    with tempfile.TemporaryDirectory() as tmp:
        for name in TABLES:
            path = workbook(name, Path(tmp))
            line = [f"{name:<48}"]
            for when, profile in (("before", before_profile), ("after", None)):
                report = check_path(str(path), profile)
                codes = Counter(f.code for f in report.all_findings() if f.severity == "warning")
                wrong = {c: codes[c] for c in ("W105", "S001") if codes[c]}
                totals[when].update(wrong)
                scores = [f"{shown(fr.results, 'total_score')}" for fr in report.forms if fr.kind != "basic_data"]
                chosen = (report.profile or {}).get("name", "") if when == "after" else args.profile
                chosen += "" if when == "before" or (report.profile or {}).get("known") else "?"
                line.append(f"{when}: {chosen:<16} W105 {wrong.get('W105', 0)} S001 {wrong.get('S001', 0)} "
                            f"总分 {'/'.join(scores) or '-'}")
            print("  ".join(line))
    for when in ("before", "after"):
        print(f"{when}: W105 {totals[when]['W105']}, S001 {totals[when]['S001']} on {len(TABLES)} published tables")


if __name__ == "__main__":
    main()
