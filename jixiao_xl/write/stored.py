"""The results stored with the formulas of ``fill``'s output, and the output as a check reads it.

Every formula ``fill`` writes or keeps in a template carries the result it gives (``template_results``); the
input's formulas saved without a result get theirs where it is known (``known_results``: titles, headers, the
等级); and the grids are brought to what the output holds (``as_written``), so the check ``fill`` reports is the
output's own: the results stored there read, S002 left only for what still has none."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..compute.derive import cell_value, derived
from ..compute.profiles import Profile
from ..xlsx.grid import Grid, parse_a1


@dataclass(frozen=True)
class CellOp:
    """What a writer puts in one cell."""

    kind: str  # number | text (always text, never a formula) | formula (with its result) | result (kept formula)
    value: object  # the number, the text, or the formula's result ("": the empty text; None: not known, none stored)
    formula: str | None = None  # "=...", for kind == "formula"
    percent: bool = False  # a rate: shown as 0.00% when the cell's format is General


def template_results(book, profile: Profile, formulas: dict[tuple[str, str], str],
                     cells: dict[str, dict[str, CellOp]], by_name: dict[str, Grid]) -> None:
    """Every derived formula of a template carries the result it gives: the cell's value as the formula writes
    it ("等级：优", not the bare 优), or, where the engine gives none (a 总分 无法复核 over a 得分 of "满分",
    which Excel still sums without it), the formula worked out from the cells it reads (``xlsx.calc``).  One
    that cannot be worked out keeps the result the file stored (a new formula gets none, and S002 says so)."""
    pending = []
    for form in book.forms:
        for item in derived(form, profile):
            key = (form.sheet, item.cell.address)
            op = cells.get(form.sheet, {}).get(item.cell.address)
            if op is not None and op.kind == "formula":
                formula = op.formula
            elif op is None and item.formula and key in formulas:
                formula = None  # ours, intact: only its result is renewed
            else:
                continue
            if item.value is not None:
                value = cell_value(item)
                cells.setdefault(form.sheet, {})[item.cell.address] = (
                    CellOp("formula", value, formula) if formula else CellOp("result", value))
            else:
                pending.append((form.sheet, item.cell.address, formula))
    if not pending:
        return
    result = _calculator(by_name, formulas, cells)
    for sheet, address, formula in pending:
        value = result(sheet, address)
        if formula:
            cells[sheet][address] = CellOp("formula", value, formula)
        elif value is not None:
            cells.setdefault(sheet, {})[address] = CellOp("result", value)


def _calculator(by_name: dict[str, Grid], formulas: dict[tuple[str, str], str], cells: dict[str, dict[str, CellOp]]):
    """result(sheet, A1): what a formula cell of the output shows (None when it cannot be told), each cell read as
    the output holds it: the plan's value, else its formula worked out, else the grid's value."""
    from ..xlsx.calc import Unknown, evaluate

    done: dict[tuple[str, str], object] = {}
    busy: set[tuple[str, str]] = set()

    def formula_of(sheet: str, address: str) -> str | None:
        op = cells.get(sheet, {}).get(address)
        if op is not None and op.kind == "formula":
            return op.formula
        if op is not None and op.kind in ("number", "text"):
            return None
        return formulas.get((sheet, address))

    def lookup(sheet: str, address: str):
        op = cells.get(sheet, {}).get(address)
        if op is not None and op.value is not None:
            return op.value
        if formula_of(sheet, address) is not None:
            value = result(sheet, address)
            if value is None:
                raise Unknown(address)
            return value
        grid = by_name.get(sheet)
        if grid is None or address in grid.uncached:
            raise Unknown(address)
        return grid.get(*parse_a1(address))

    def result(sheet: str, address: str):
        key = (sheet, address)
        if key not in done:
            formula = formula_of(sheet, address)
            if formula is None or key in busy:  # a circular reference: Excel shows no result either
                return None
            busy.add(key)
            try:
                done[key] = evaluate(formula, sheet, lookup)
            except Unknown:
                done[key] = None
            finally:
                busy.discard(key)
        return done[key]

    return result


def as_written(grids: list[Grid], cells: dict[str, dict[str, CellOp]]) -> tuple[list[tuple[str, str]], bool]:
    """The grids brought to what the output holds, so that its check is the output's: each formula's stored
    result in its cell, and a formula left without one listed as such (``Grid.uncached``: S002).  Returns the
    formulas saved without a result that now have one, and whether any cell changed."""
    stored, changed = [], False
    for grid in grids:
        ops = cells.get(grid.name)
        if not ops:
            continue
        uncached = list(grid.uncached)
        for address, op in ops.items():
            if op.kind not in ("formula", "result"):
                continue  # numbers and texts: _settle put them in the grid as it planned them
            if op.value is None:
                if address not in uncached:
                    uncached.append(address)
                    changed = True
                value = None
            else:
                if address in uncached:
                    uncached.remove(address)
                    stored.append((grid.name, address))
                    changed = True
                value = None if op.value == "" else op.value
            row, col = parse_a1(address)
            if grid.get(row, col) != value:
                while len(grid.rows) <= row:
                    grid.rows.append([])
                while len(grid.rows[row]) <= col:
                    grid.rows[row].append(None)
                grid.rows[row][col] = value
                changed = True
        grid.uncached = uncached
    return stored, changed


_GRADE_FORMULA = re.compile(r'^"(?P<prefix>[^"]*)"&IF\((?:AND\()?ISNUMBER\((?P<total>\$?[A-Z]{1,3}\$?\d+)\)'
                            r'(?:,ROUND\(N\((?P<weights>\$?[A-Z]{1,3}\$?\d+)\),2\)=100'
                            r'(?P<capped>,ROUND\(N\((?P=total)\),2\)<=100)?\))?,IF\(ROUND\('
                            r'(?P=total),2\)>=90,"优",IF\(ROUND\((?P=total),2\)>=80,"良",IF\(ROUND\((?P=total),2\)>=60,'
                            r'"中","差"\)\)\),""\)$')


def known_results(grids: list[Grid], cells: dict[str, dict[str, CellOp]]) -> None:
    """Formulas the input holds without a result (written by a program: openpyxl keeps none) that the plan
    leaves as they are: their result where it is known, so the output carries it and a check of the output
    has no S002 for them.  Known: a title's or header's text formula (the reader works those out; an empty
    one, =填表说明!$C$5 of a unit not typed yet, too) and the 等级 formula of our template."""
    from ..compute.scoring import grade
    from ..xlsx.textformula import evaluate

    by_name = {g.name: g for g in grids}

    def value_of(sheet: str, address: str, depth: int = 0):
        op = cells.get(sheet, {}).get(address)
        if op is not None:
            if op.kind in ("formula", "result"):
                return "" if op.value is None else op.value
            return op.value
        grid = by_name.get(sheet)
        if grid is None or depth > 8:
            raise ValueError(sheet)
        if address in grid.uncached:
            text = grid.formulas.get(address)
            value = evaluate(text, sheet, value_of, depth + 1) if text else None
            if value is None:
                raise ValueError(address)
            return value
        value = grid.get(*parse_a1(address))
        return "" if value is None else value

    for grid in grids:
        for address, text in grid.formulas.items():
            if address in cells.get(grid.name, {}):
                continue
            match = _GRADE_FORMULA.match(text.replace(" ", ""))
            try:
                if match:
                    total = value_of(grid.name, match["total"].replace("$", ""))
                    numeric = isinstance(total, (int, float)) and not isinstance(total, bool)
                    if numeric and match["weights"]:  # no grade while the 分值合计 is not 100
                        weights = value_of(grid.name, match["weights"].replace("$", ""))
                        numeric = isinstance(weights, (int, float)) and not isinstance(weights, bool) \
                            and round(float(weights), 2) == 100
                        if numeric and match["capped"]:  # and none for more than full marks (120 of 100)
                            numeric = round(float(total), 2) <= 100
                    value = match["prefix"] + ((grade(float(total)) or "") if numeric else "")
                else:
                    value = value_of(grid.name, address)
            except ValueError:
                continue  # a number worked out from other cells, or a formula not understood: left as it is
            cells.setdefault(grid.name, {})[address] = CellOp("result", value)
