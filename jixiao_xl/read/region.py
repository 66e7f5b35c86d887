"""A form's rows in a grid, with every label indexed once, and the label lookups the readers share."""

from __future__ import annotations

import re
from functools import lru_cache

from . import forms as F
from ..xlsx.grid import Grid
from .model import Cell
from .values import NotANumber, split_inline, to_number

_YEAR = re.compile(r"(\d{4})\s*年")


LABEL_MAX = 80  # characters; a longer text is content, not a label
TITLE_MAX = 120  # characters; a title is shorter (see forms.FormSpec.recognises)


@lru_cache(maxsize=16384)
def inline_parts(value: str) -> tuple[str, str] | None:
    """``values.split_inline`` of a text, worked out once: the index splits every short text, and the
    readers split the labels they read a value beside again (normalising "其中：一般公共预算：1762.55"
    costs microseconds)."""
    return split_inline(value)


@lru_cache(maxsize=16384)
def _cell_key(value: str) -> str:
    """A cell's label key; "主管部门：汨罗市司法局" is found by its label part."""
    inline = inline_parts(value)
    return F.label_key(inline[0] if inline else value)


_ENTRIES: dict[str, tuple[str, ...]] = {}  # cell text -> the keys it is indexed under (texts repeat across files)


def _entry(value: str) -> tuple[str, ...]:
    """The keys a cell's text is indexed under: its label key, then that key cut before each "(" after the
    first character ("县级专项资金(一个专项一行)" is also found as "县级专项资金"); () for no label."""
    keys = _ENTRIES.get(value)
    if keys is None:
        key = _cell_key(value)
        found = [key] if key else []
        cut = key.find("(", 1)
        while cut > 0 and key:
            found.append(key[:cut])
            cut = key.find("(", cut + 1)
        if len(_ENTRIES) >= 16384:
            _ENTRIES.clear()
        keys = _ENTRIES[value] = tuple(found)
    return keys


class Region:
    """Rows [top, bottom) of a grid that hold one form, with every label key indexed once."""

    def __init__(self, grid: Grid, top: int, bottom: int):
        self.grid = grid
        self.top = top
        self.bottom = bottom
        self._lo, self._hi = top, bottom  # the rows lookups are kept to (a part shares a wider index)
        self._keys: dict[tuple[int, int], str] = {}
        self._index: dict[str, list[tuple[int, int]]] = {}
        self._titles: list[tuple[int, str]] = []  # see title_texts
        self._units: list[tuple[int, str]] = []  # see unit_texts
        self._scanned = (top, bottom)  # the rows the lists above were built from
        keys, index, titles, units = self._keys, self._index, self._titles, self._units
        rows, known = grid.rows, _ENTRIES.get
        for row in range(top, min(bottom, grid.height)):
            for col, value in enumerate(rows[row]):
                if value.__class__ is not str or not value:
                    continue
                if "表" in value and len(value) < TITLE_MAX:
                    titles.append((row, value))
                # labels are short; long texts (goals, explanations) are never looked up
                if len(value) > LABEL_MAX:
                    continue
                if "元" in value:
                    units.append((row, value))
                entry = known(value)
                if entry is None:
                    entry = _entry(value)
                if not entry:
                    continue
                pos = (row, col)
                keys[pos] = entry[0]
                for key in entry:
                    found = index.get(key)
                    if found is None:
                        index[key] = [pos]
                    else:
                        found.append(pos)

    def part(self, top: int, bottom: int) -> Region:
        """Rows [top, bottom) of this region as a region of their own, sharing this one's index (a sheet
        is indexed once, however many forms and candidate parts it is cut into)."""
        part = Region.__new__(Region)
        part.grid, part.top, part.bottom = self.grid, top, bottom
        part._keys, part._index = self._keys, self._index
        part._titles, part._units, part._scanned = self._titles, self._units, self._scanned
        # the shared index holds rows [self.top, self.bottom): lookups are kept to both ranges
        part._lo, part._hi = max(top, self._lo), min(bottom, self._hi)
        return part

    def title_texts(self) -> list[tuple[int, str]]:
        """The texts that may be a form's title (see reader.find_forms): (row, text), row-major."""
        return [t for t in self._titles if self._lo <= t[0] < self._hi]

    def labelled(self) -> bool:
        """Some cell of the region holds a label (else every ``find`` finds nothing)."""
        keys, rows = self._keys, self.grid.rows
        return any((row, col) in keys for row in range(self._lo, min(self._hi, len(rows)))
                   for col in range(len(rows[row])))

    def row_keys(self, row: int) -> list[str]:
        """The label key of every cell of a row ("" where none), as ``key`` gives them."""
        if row < self._lo or row >= self._hi:
            return [""] * self.width(row)
        keys = self._keys
        return [keys.get((row, col), "") for col in range(self.width(row))]

    def first_label(self, row: int, start: int, stop: int) -> int | None:
        """The first column in [start, stop) of a row whose cell holds a label."""
        if self._lo <= row < self._hi:
            keys = self._keys
            for col in range(start, stop):
                if (row, col) in keys:
                    return col
        return None

    def key(self, row: int, col: int) -> str:
        if row < self._lo or row >= self._hi:
            return ""
        return self._keys.get((row, col), "")

    def width(self, row: int) -> int:
        return len(self.grid.rows[row]) if row < self.grid.height else 0

    def find(self, field: F.Field, start: int | None = None, stop: int | None = None,
             cols: range | None = None) -> tuple[int, int] | None:
        """The first cell (row-major) at or below ``start`` whose label matches ``field``."""
        start = self._lo if start is None or start < self._lo else start
        stop = self._hi if stop is None or stop > self._hi else stop
        best = None
        for want in field.keys:
            for pos in self._index.get(want, ()):
                if pos[0] < start or (cols is not None and pos[1] not in cols):
                    continue
                if pos[0] < stop and (best is None or pos < best):
                    best = pos
                break
        return best

    def find_in_row(self, row: int, field: F.Field) -> int | None:
        found = self.find(field, start=row, stop=row + 1)
        return found[1] if found else None

    def after(self, row: int, col: int) -> int:
        """The column just right of the (merged) cell at row, col."""
        rng = self.grid.merge_at(row, col)
        return (rng[3] if rng else col) + 1

    def cell(self, row: int, col: int, where: str) -> Cell:
        return Cell(self.grid.get(row, col), row, col, where)

    def cells(self, row: int, columns: dict[str, tuple[int, str]], label: str) -> dict[str, Cell]:
        """A row's cells under ``columns`` (key -> column and its heading), each named "label heading"."""
        get = self.grid.get
        return {key: Cell(get(row, col), row, col, f"{label} {heading}") for key, (col, heading) in columns.items()}

    def rows_with(self, field: F.Field) -> set[int]:
        """The rows of the region that hold a label matching ``field``."""
        lo, hi = self._lo, self._hi
        return {pos[0] for want in field.keys for pos in self._index.get(want, ()) if lo <= pos[0] < hi}

    def unit_texts(self, start: int, stop: int) -> list[str]:
        """The texts in rows [start, stop), row-major, that may declare an amount unit (short, with 元)."""
        if start < self._scanned[0] or stop > self._scanned[1]:  # rows the index was not built from
            rows = self.grid.rows
            return [v for r in range(start, min(stop, len(rows))) for v in rows[r]
                    if v.__class__ is str and "元" in v and len(v) <= LABEL_MAX]
        return [v for r, v in self._units if start <= r < stop]


_FIELD_TABLES: dict[int, tuple[tuple, dict[str, F.Field]]] = {}


def _field_for(key: str, fields: tuple[F.Field, ...]) -> F.Field | None:
    """The first field whose label matches ``key`` (exactly, or followed by a note in brackets)."""
    kept = _FIELD_TABLES.get(id(fields))  # by identity: hashing a tuple of Fields hashes every field's keys
    table = kept[1] if kept is not None and kept[0] is fields else None
    if table is None:
        if len(_FIELD_TABLES) > 32:  # tuples made on the fly: keep the cache small
            _FIELD_TABLES.clear()
        table = {}
        _FIELD_TABLES[id(fields)] = (fields, table)  # the tuple is kept with it, so its id is not reused
        for f in reversed(fields):  # earlier fields win
            for k in f.keys:
                table[k] = f
    field = table.get(key)
    if field is None:
        cut = key.find("(", 1)
        while cut > 0 and field is None:
            field = table.get(key[:cut])
            cut = key.find("(", cut + 1)
    return field


def _numeric_text(value: object) -> bool:
    try:
        to_number(value)
        return True
    except NotANumber:
        return False


def _year(title: str) -> int | None:
    match = _YEAR.search(title)
    return int(match.group(1)) if match else None
