"""A1 cell addresses to 0-based (row, col) and back: the one module every layer may use."""

from __future__ import annotations


def col_letter(col: int) -> str:
    """0-based column index to letters: 0 -> A, 27 -> AB."""
    if 0 <= col < len(_LETTERS):
        return _LETTERS[col]
    return _col_letter(col)


def _col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = tuple(_col_letter(c) for c in range(702))  # A .. ZZ: the forms' columns, looked up (hot in the rules)


def parse_a1(address: str) -> tuple[int, int]:
    """An A1 address ("$B$12" too) to 0-based (row, col)."""
    address = address.replace("$", "")
    split = next(i for i, ch in enumerate(address) if ch.isdigit())
    col = 0
    for ch in address[:split].upper():
        col = col * 26 + ord(ch) - 64
    return int(address[split:]) - 1, col - 1


def parse_range(rng: str) -> tuple[int, int, int, int]:
    """"A2:G2" (or one cell) to 0-based (row0, col0, row1, col1)."""
    start, _, end = rng.partition(":")
    r0, c0 = parse_a1(start)
    r1, c1 = parse_a1(end or start)
    return r0, c0, r1, c1


def a1(row: int, col: int) -> str:
    """0-based (row, col) to an A1 address."""
    return f"{_LETTERS[col] if 0 <= col < 702 else _col_letter(col)}{row + 1}"
