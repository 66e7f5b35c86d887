"""The published tables of tests/data/published as real .xlsx files (openpyxl writes them as printed)."""

from __future__ import annotations

import json
from pathlib import Path

from jixiao_xl.read.sheetspec import SheetSpec

from .samples import write_xlsx

FOLDER = Path(__file__).parent / "data" / "published"
TABLES = sorted(p.stem for p in FOLDER.glob("*.json"))


def table(name: str) -> dict:
    return json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))


def spec(name: str, edits: dict[tuple[int, int], object] | None = None) -> SheetSpec:
    """The table as a sheet; ``edits``: {(row, col) 1-based: value} changed before writing (injected errors)."""
    data = table(name)
    rows = [list(row) for row in data["rows"]]
    for (r, c), value in (edits or {}).items():
        rows[r - 1][c - 1] = value
    return SheetSpec(data.get("sheet") or "Sheet1", rows, list(data.get("merges") or []))


def workbook(name: str, folder: Path, edits: dict[tuple[int, int], object] | None = None) -> Path:
    path = folder / f"{name}.xlsx"
    write_xlsx(path, [spec(name, edits)])
    return path
