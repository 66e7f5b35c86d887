"""Building test workbooks from the seed sheets: in memory as grids, or as real files."""

from __future__ import annotations

from jixiao_xl.rules.check import check_grids, check_path
from jixiao_xl.xlsx.grid import Grid, hide_covered, parse_a1, parse_range  # noqa: F401 (re-exported for tests)
from jixiao_xl.compute.profiles import get_profile
from .samples import SheetSpec, seed_sheets, write_xlsx


def to_grids(specs: list[SheetSpec]) -> list[Grid]:
    grids = [Grid(s.name, [list(r) for r in s.rows], [parse_range(m) for m in s.merges]) for s in specs]
    for grid, spec in zip(grids, specs):
        grid.uncached = list(getattr(spec, "uncached", []))
        grid.formula_cells = set(getattr(spec, "formula_cells", ()))
        grid.far_cells = list(getattr(spec, "far_cells", []))
        hide_covered(grid)  # as read_grids reads a file: a value under a merge is not the form's (S008)
    return grids


def set_cells(specs: list[SheetSpec], edits: dict[str, object]) -> list[SheetSpec]:
    """Apply {"附件1!B6": 25} edits in place; rows and columns grow as needed."""
    by_name = {s.name: s for s in specs}
    for key, value in edits.items():
        if key.startswith("uncached:"):  # {"uncached:附件1": ["B6"]}: formulas saved without results
            by_name[key.split(":", 1)[1]].uncached = list(value)
            continue
        if key.startswith("formulas:"):  # {"formulas:附件1": ["D12"]}: cells holding formulas (with results)
            by_name[key.split(":", 1)[1]].formula_cells = list(value)
            continue
        if key.startswith("far:"):  # {"far:附件2": ["XFD1048576"]}: values far away, left unread (read_grids)
            by_name[key.split(":", 1)[1]].far_cells = list(value)
            continue
        if key.startswith("drop:"):  # {"drop:附件1": True}: the workbook without that sheet
            specs.remove(by_name.pop(key.split(":", 1)[1]))
            continue
        sheet, address = key.split("!")
        row, col = parse_a1(address)
        rows = by_name[sheet].rows
        while len(rows) <= row:
            rows.append([])
        while len(rows[row]) <= col:
            rows[row].append(None)
        rows[row][col] = value
    return specs


# The seed with its 2022 公务用车 (17 → 0 + 9) corrected, which also makes 三公 17 = 9 + 0 + 8 hold:
# the base of the rule cases.
CLEAN_EDITS = {"附件1!B7": 9}


def clean_seed() -> list[SheetSpec]:
    return set_cells(seed_sheets(), dict(CLEAN_EDITS))


def seed_last_year(edits: dict) -> list[SheetSpec]:
    """The clean seed as the unit's previous year: its texts a year back (2023 → 2022, 2022 → 2021) and its
    附件1 决算数 column holding what this year's 上年决算数 column copied; then ``edits``."""
    specs = clean_seed()
    for spec in specs:
        for row in spec.rows:
            for i, value in enumerate(row):
                if isinstance(value, str) and "202" in value:
                    row[i] = value.replace("2022", "\0").replace("2023", "2022").replace("\0", "2021")
    for row in specs[0].rows[5:30]:
        if len(row) > 3:
            row[3], row[1] = row[1], None
    return set_cells(specs, dict(edits))


def check_with_history(specs: list[SheetSpec], previous: list[SheetSpec], folder, profile: str = "hunan"):
    """Check ``specs`` against a store that holds ``previous`` (checked and stored first), as --store does."""
    from jixiao_xl.store.db import History, Store
    from jixiao_xl.store.records import records

    path = folder / "绩效库.sqlite"
    store = Store.open(path)
    store.add(records(check_specs(previous, profile), "上年.xlsx"))
    store.close()
    return check_grids(to_grids(specs), "test.xlsx", get_profile(profile), history=History(path))


def check_specs(specs: list[SheetSpec], profile: str = "hunan", **overrides):
    """Check sheets with a named profile, or ``profile="auto"``: the one the workbook points to."""
    chosen = None if profile == "auto" else get_profile(profile, **overrides)
    return check_grids(to_grids(specs), "test.xlsx", chosen)


def check_file(tmp_path, specs: list[SheetSpec], name: str = "book.xlsx", **kwargs):
    path = tmp_path / name
    write_xlsx(path, specs)
    return check_path(str(path), **kwargs)


def codes(report) -> list[str]:
    return [f.code for f in report.all_findings()]


def by_code(report, code: str):
    return [f for f in report.all_findings() if f.code == code]


def form(report, kind: str, index: int = 0):
    return [f for f in report.forms if f.kind == kind][index]
