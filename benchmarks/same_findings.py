"""Whether a change to the hot paths keeps every finding and every fill plan: a fingerprint of the
check and the fill plan of a corpus of workbooks, saved from one commit and compared with another.

    python benchmarks/same_findings.py --save /tmp/ref.jsonl      # on the commit before the change
    python benchmarks/same_findings.py --compare /tmp/ref.jsonl   # after it: lists every difference

The corpus (written to --corpus, default a temporary folder): every rule case of tests/rule_cases.py,
the fresh templates (hunan, national, jiangxi, from the seed), seed variants with injected errors (benchmarks/batch.make_files), the bundled examples and the seed's project form carrying each real indicator
row of tests/data/indicator_rows.jsonl (259 rows from many provinces, with their sources).  Each file
is checked with the hunan and the national profile; the findings (code, cell, message, expected,
found), the forms' results, and what fill changes (cells, notes, the filled sheets' values) are recorded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_corpus(folder: Path, variants: int = 60) -> list[Path]:
    from benchmarks.batch import make_files
    from tests.helpers import clean_seed, set_cells
    from tests.rule_cases import CASES
    from tests.samples import seed_sheets, write_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    for i, case in enumerate(CASES):
        path = folder / f"case_{i:03d}_{case.code}.xlsx"
        write_xlsx(path, set_cells(clean_seed(), dict(case.edits)))
    variant_dir = folder / "variants"
    variant_dir.mkdir(exist_ok=True)
    make_files(variant_dir, variants)
    for example in sorted((ROOT / "workbook_templates" / "examples").glob("*.xlsx")):
        shutil.copyfile(example, folder / example.name)
    example = ROOT / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"
    for name, extra in (("hunan", []), ("national", ["--profile", "national"]), ("jiangxi", ["--exec-mode", "jiangxi"]),
                        ("from_seed", ["--from", str(example)])):
        path = folder / f"template_{name}.xlsx"
        subprocess.run([sys.executable, "-m", "jixiao_xl", "template", "-o", str(path), "--year", "2023", *extra],
                       check=True, capture_output=True)
    rows = [json.loads(line) for line in (ROOT / "tests" / "data" / "indicator_rows.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    for i, row in enumerate(rows):
        sheets = seed_sheets()
        project = sheets[2]
        r = 12 + (i % 11)  # one of the project form's indicator rows (0-based 12..22)
        project.rows[r][3:8] = [row["level3"], row["target"], row["actual"], row["weight"], row["score"]]
        if row.get("reason"):
            project.rows[r][8] = row["reason"]
        write_xlsx(folder / f"indicator_{i:03d}.xlsx", sheets)
    return sorted(folder.rglob("*.xlsx"))


def fingerprint(path: Path, tmp: Path) -> list[dict]:
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.write.fill import FillError, fill
    from jixiao_xl.xlsx.grid import read_grids
    from jixiao_xl.compute.profiles import get_profile

    out = []
    for name in ("hunan", "national"):
        profile = get_profile(name)
        report = check_path(str(path), profile)
        entry = {"file": path.name, "profile": name, "report": report.to_dict()}
        entry["report"]["path"] = path.name
        target = tmp / "filled.xlsx"
        try:
            result = fill(str(path), str(target), profile=profile)
            entry["fill"] = {"changes": [[c.sheet, c.cell, c.old, c.new, c.formula, c.corrected]
                                         for c in result.changes], "notes": result.notes,
                             "grids": [[g.name, g.rows] for g in read_grids(str(target))]}
        except FillError as exc:
            entry["fill"] = str(exc)
        out.append(entry)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--save")
    parser.add_argument("--compare")
    parser.add_argument("--corpus", help="folder for the corpus (kept); default: a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.corpus or tmp)
        paths = sorted(folder.rglob("*.xlsx")) if args.corpus and any(folder.rglob("*.xlsx")) \
            else build_corpus(folder)
        lines = [json.dumps(e, ensure_ascii=False, sort_keys=True, default=str)
                 for p in paths for e in fingerprint(p, Path(tmp))]
    if args.save:
        Path(args.save).write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(paths)} workbooks, {len(lines)} fingerprints saved to {args.save}")
    if args.compare:
        ref = Path(args.compare).read_text(encoding="utf-8").splitlines()
        differ = [(a, b) for a, b in zip(ref, lines) if a != b]
        if len(ref) != len(lines):
            print(f"different counts: {len(ref)} saved, {len(lines)} now")
        for a, b in differ[:20]:
            print("-", a[:600])
            print("+", b[:600])
        print(f"{len(paths)} workbooks: {len(differ)} of {len(lines)} fingerprints differ")
        sys.exit(1 if differ or len(ref) != len(lines) else 0)


if __name__ == "__main__":
    main()
