"""The value of simple text formulas saved without their result.

A workbook written by a program (our own template saved by openpyxl, for
one) holds formulas without results, so its titles and column headers —
``=填表说明!$C$4&"年度部门整体支出绩效自评表"``, ``=(填表说明!$C$4-1)&"年决算数"`` —
read as empty.  Those made only of cell references, text, numbers, ``&``, ``+``
and ``-`` are worked out here; anything else (SUM, IF …) stays unread and is
reported by S002.
"""

from __future__ import annotations

import re

from .a1 import parse_a1

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"]|"")*")
      | (?P<num>\d+(?:\.\d+)?)
      | (?P<func>(?:CHAR|SUM)\()
      | (?P<range>\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+)
      | (?P<ref>(?:(?:'(?:[^']|'')+'|[^\s!&+\-*/()"',=<>^]+)!)?\$?[A-Z]{1,3}\$?\d+)
      | (?P<op>[&+\-(),])
    )""",
    re.X,
)
_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


class _Unsupported(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise _Unsupported(text[pos:])
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def evaluate(formula: str, sheet: str, lookup, depth: int = 0):
    """The value of a formula (without its "="), or None when it is not a simple text formula.

    ``lookup(sheet, address, depth)`` gives a referenced cell's value.
    """
    try:
        tokens = _tokens(formula)
        value, rest = _concat(tokens, sheet, lookup, depth)
        if rest:
            return None
        return value
    except (_Unsupported, TypeError, ValueError, RecursionError):
        return None


def _concat(tokens, sheet, lookup, depth):
    value, tokens = _sum(tokens, sheet, lookup, depth)
    while tokens and tokens[0] == ("op", "&"):
        right, tokens = _sum(tokens[1:], sheet, lookup, depth)
        value = _text(value) + _text(right)
    return value, tokens


def _sum(tokens, sheet, lookup, depth):
    value, tokens = _atom(tokens, sheet, lookup, depth)
    while tokens and tokens[0] in (("op", "+"), ("op", "-")):
        op = tokens[0][1]
        right, tokens = _atom(tokens[1:], sheet, lookup, depth)
        left, right = _number(value), _number(right)
        value = left + right if op == "+" else left - right
    return value, tokens


def _atom(tokens, sheet, lookup, depth):
    if not tokens:
        raise _Unsupported("")
    kind, text = tokens[0]
    if kind == "str":
        return text[1:-1].replace('""', '"'), tokens[1:]
    if kind == "num":
        return float(text), tokens[1:]
    if kind == "ref":
        match = _REF.match(text)
        name = match.group("sheet") or sheet
        if name.startswith("'"):
            name = name[1:-1].replace("''", "'")
        return lookup(name, f"{match.group('col')}{match.group('row')}", depth + 1), tokens[1:]
    if kind == "func":
        return _function(text[:-1], tokens[1:], sheet, lookup, depth)
    if text == "(":
        value, rest = _concat(tokens[1:], sheet, lookup, depth)
        if not rest or rest[0] != ("op", ")"):
            raise _Unsupported(")")
        return value, rest[1:]
    if text == "-":
        value, rest = _atom(tokens[1:], sheet, lookup, depth)
        return -_number(value), rest
    raise _Unsupported(text)


def _function(name: str, tokens, sheet, lookup, depth):
    """CHAR(n) and SUM(A1:B2) — what the template's 一级 headers use ("产出指标"&CHAR(10)&"("&SUM(G14:G16)&"分)")."""
    if name == "CHAR":
        value, rest = _concat(tokens, sheet, lookup, depth)
        if not rest or rest[0] != ("op", ")"):
            raise _Unsupported(name)
        return chr(int(_number(value))), rest[1:]
    if not tokens or tokens[0][0] != "range" or len(tokens) < 2 or tokens[1] != ("op", ")"):
        raise _Unsupported(name)
    start, end = (_REF.match(part) for part in tokens[0][1].split(":"))
    total = 0.0
    c0, c1 = sorted((_col(start.group("col")), _col(end.group("col"))))
    r0, r1 = sorted((int(start.group("row")), int(end.group("row"))))
    if (r1 - r0 + 1) * (c1 - c0 + 1) > 10000:
        raise _Unsupported("range")
    for row in range(r0, r1 + 1):
        for col in range(c0, c1 + 1):
            value = lookup(sheet, f"{_letters(col)}{row}", depth + 1)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total += value
    return total, tokens[2:]


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _number(value) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    return float(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def solve_text_formulas(grids: list) -> None:
    """Fill in the values of simple text formulas saved without a result (titles, year headers); the
    rest stay listed in ``uncached`` (``grids``: the workbook's xlsx.grid.Grid, as read_grids reads them)."""
    if not any(g.formulas for g in grids):
        return
    by_name = {g.name: g for g in grids}
    done: dict[tuple[str, str], object] = {}

    def lookup(sheet: str, address: str, depth: int):
        grid = by_name.get(sheet)
        if grid is None or depth > 8:
            raise ValueError(sheet)
        key = (sheet, address)
        if key in done:
            return done[key]
        if address in grid.formulas:
            value = evaluate(grid.formulas[address], sheet, lookup, depth)
            if value is None:
                raise ValueError(address)
            done[key] = value
            return value
        row, col = parse_a1(address)
        return grid.get(row, col)

    for grid in grids:
        solved = []
        for address, text in grid.formulas.items():
            if "&" not in text and '"' not in text and "!" not in text:
                continue  # a number worked out from other cells (=D7+D10+D11) stays unread: S002 names it
            try:
                value = lookup(grid.name, address, 0)
            except ValueError:
                continue
            if value is None or value == "":
                continue
            row, col = parse_a1(address)
            while len(grid.rows) <= row:
                grid.rows.append([])
            while len(grid.rows[row]) <= col:
                grid.rows[row].append("")
            grid.rows[row][col] = int(value) if isinstance(value, float) and value.is_integer() else value
            solved.append(address)
        if solved:
            grid.uncached = [a for a in grid.uncached if a not in set(solved)]
