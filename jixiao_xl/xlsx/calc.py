"""The result of a formula as Excel computes it, for the formulas ``fill`` writes into a template.

A template's derived cells hold ``derive``'s formulas (sums, guarded ratios, the
执行率得分, the 总分 and its 等级, the 一级 headers).  Where the engine has no value
of its own for one (a 总分 that is 无法复核 because a 得分 reads "满分", a 执行率得分
over a 全年预算数 of "见附表"), the result stored with the formula is worked out
here from the cells it reads, as Excel would show it: SUM and COUNT skip text,
N() of text is 0, IF evaluates only the branch it takes.

The language is what those formulas use: numbers, "text", references (A1, $A$1,
A1:B2, 'sheet'!A1), the operators + - * / & and comparisons, and IF, AND, OR,
NOT, ISNUMBER, N, COUNT, SUM, ROUND, MIN, MAX, ABS, CHAR, and SUMPRODUCT over
ranges of one size (the 总分's "a weighted 得分 is not a number": operators,
comparisons, NOT, ISNUMBER and LEN taken cell by cell).  Anything else, and any
error value (#DIV/0!, a cell showing #REF!), gives ``Unknown``: the caller then
stores no result rather than a wrong one.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Callable

from .a1 import col_letter, parse_a1

ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!", "#ERROR")


class Unknown(Exception):
    """The formula's result cannot be told here (a function not handled, an error value)."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"]|"")*")
      | (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_\u0080-\uffff][\w.\u0080-\uffff]*)!)?
                \$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)(?![\w(])
      | (?P<func>[A-Z][A-Z0-9.]*)\(
      | (?P<num>\d+(?:\.\d*)?(?:[Ee][-+]?\d+)?|\.\d+)
      | (?P<op><>|<=|>=|[-+*/&=<>(),])
    )""",
    re.X,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise Unknown(text[pos:])
        out.append((match.lastgroup, match.group(match.lastgroup)))
        pos = match.end()
    return out


class _Ref:
    """A reference: the cells it covers, read only when asked."""

    __slots__ = ("sheet", "cells")

    def __init__(self, sheet: str, cells: list[str]):
        self.sheet, self.cells = sheet, cells


class _Parser:
    """Excel's precedence: comparison < & < + - < * / < unary minus < operands."""

    def __init__(self, tokens):
        self.tokens, self.at = tokens, 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self, text=None):
        kind, value = self.peek()
        if kind is None or (text is not None and value != text):
            raise Unknown(text or "end")
        self.at += 1
        return kind, value

    def expression(self):
        left = self.concat()
        while self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = ("cmp", op, left, self.concat())
        return left

    def concat(self):
        left = self.additive()
        while self.peek()[1] == "&":
            self.take()
            left = ("&", left, self.additive())
        return left

    def additive(self):
        left = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            op = self.take()[1]
            left = (op, left, self.term())
        return left

    def term(self):
        left = self.unary()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            op = self.take()[1]
            left = (op, left, self.unary())
        return left

    def unary(self):
        if self.peek() == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        if self.peek() == ("op", "+"):
            self.take()
            return self.unary()
        return self.operand()

    def operand(self):
        kind, value = self.take()
        if kind == "num":
            return ("value", float(value))
        if kind == "str":
            return ("value", value[1:-1].replace('""', '"'))
        if kind == "ref":
            return ("ref", value)
        if kind == "func":
            args = []
            if self.peek() != ("op", ")"):
                args.append(self.expression())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.expression())
            self.take(")")
            return ("call", value, args)
        if (kind, value) == ("op", "("):
            inner = self.expression()
            self.take(")")
            return inner
        raise Unknown(value)


def parse(formula: str):
    """The formula (with or without its "=") as a tree; ``Unknown`` when it is not in the language above."""
    parser = _Parser(_tokens(formula[1:] if formula.startswith("=") else formula))
    tree = parser.expression()
    if parser.peek()[0] is not None:
        raise Unknown("rest")
    return tree


Lookup = Callable[[str, str], object]  # (sheet, A1) -> the cell's value: a number, text, bool or None (empty)


def evaluate(formula: str, sheet: str, lookup: Lookup):
    """The result of ``formula`` in ``sheet``: a number, a text ("" for an empty text) or a bool.

    ``lookup`` gives what a referenced cell shows (its own formula's result for a formula cell).  Raises
    ``Unknown`` when the result cannot be told here."""
    try:
        value = _Eval(sheet, lookup).scalar(parse(formula))
    except (RecursionError, OverflowError, InvalidOperation, ValueError) as exc:
        raise Unknown(type(exc).__name__) from None
    if value is None:
        return 0.0  # =A1 of an empty cell shows 0
    if _is_number(value) and value == value and abs(value) != float("inf"):
        return float(f"{value:.15g}")  # Excel's 15 significant digits: 88.2, not 88.19999999999999 of a sum
    return value


def _reference(text: str, sheet: str) -> _Ref:
    name, _, cells = text.rpartition("!")
    if name.startswith("'"):
        name = name[1:-1].replace("''", "'")
    first, _, last = cells.replace("$", "").partition(":")
    r0, c0 = parse_a1(first)
    r1, c1 = parse_a1(last) if last else (r0, c0)
    (r0, r1), (c0, c1) = sorted((r0, r1)), sorted((c0, c1))
    if (r1 - r0 + 1) * (c1 - c0 + 1) > 10000:
        raise Unknown("range")
    return _Ref(name or sheet, [f"{col_letter(c)}{r + 1}" for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)])


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value) -> float:
    """A value in arithmetic: empty is 0, TRUE 1, numeric text its number; other text is #VALUE!."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            raise Unknown("#VALUE!") from None
    return float(value)


def text_of(value) -> str:
    """A value joined with &: a number as Excel's General format writes it (15 significant digits)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    text = f"{float(value):.15g}"
    if "e" in text:
        raise Unknown("exponent")  # Excel's General switches to 1E+20 by other rules: not guessed
    return text


def _truth(value) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str):
        if value.upper() in ("TRUE", "FALSE"):
            return value.upper() == "TRUE"
        raise Unknown("#VALUE!")
    return value != 0


def _round(value: float, digits: int) -> float:
    """Excel's ROUND: half away from zero, on the number as Excel shows it (15 significant digits)."""
    exact = Decimal(f"{value:.15g}")
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


class _Eval:
    def __init__(self, sheet: str, lookup: Lookup):
        self.sheet, self.lookup = sheet, lookup

    def cell(self, sheet: str, address: str):
        value = self.lookup(sheet, address)
        if isinstance(value, str) and value.strip().upper() in ERRORS:
            raise Unknown(value)
        return value

    def values(self, node):
        """(values, from a reference): a reference's cells, or the one value of anything else."""
        if node[0] == "ref":
            ref = _reference(node[1], self.sheet)
            return [self.cell(ref.sheet, a) for a in ref.cells], True
        return [self.scalar(node)], False

    def scalar(self, node):
        kind = node[0]
        if kind == "value":
            return node[1]
        if kind == "ref":
            ref = _reference(node[1], self.sheet)
            if len(ref.cells) != 1:
                raise Unknown("range as a value")
            return self.cell(ref.sheet, ref.cells[0])
        if kind == "neg":
            return -_number(self.scalar(node[1]))
        if kind == "&":
            return text_of(self.scalar(node[1])) + text_of(self.scalar(node[2]))
        if kind in ("+", "-", "*", "/"):
            a, b = _number(self.scalar(node[1])), _number(self.scalar(node[2]))
            if kind == "/" and b == 0:
                raise Unknown("#DIV/0!")
            return a + b if kind == "+" else a - b if kind == "-" else a * b if kind == "*" else a / b
        if kind == "cmp":
            return _compare(node[1], self.scalar(node[2]), self.scalar(node[3]))
        if kind == "call":
            return self.call(node[1], node[2])
        raise Unknown(kind)

    def call(self, name: str, args: list):
        if name == "IF":
            if not 1 <= len(args) <= 3:
                raise Unknown(name)
            if _truth(self.scalar(args[0])):
                return self.scalar(args[1]) if len(args) > 1 else True
            return self.scalar(args[2]) if len(args) > 2 else False
        if name == "ISNUMBER":
            try:
                values, _ = self.values(args[0])
            except Unknown as exc:
                if str(exc).startswith("#"):  # ISNUMBER(#DIV/0!) is FALSE
                    return False
                raise
            return len(values) == 1 and _is_number(values[0])
        if name in ("AND", "OR"):
            found = []
            for arg in args:
                values, ref = self.values(arg)
                for value in values:
                    if ref and not isinstance(value, (bool, int, float)):
                        continue  # text and empty cells in a reference are skipped
                    found.append(_truth(value))
            if not found:
                raise Unknown("#VALUE!")
            return all(found) if name == "AND" else any(found)
        if name in ("SUM", "COUNT", "MIN", "MAX"):
            numbers = []
            for arg in args:
                values, ref = self.values(arg)
                for value in values:
                    if _is_number(value):
                        numbers.append(float(value))
                    elif not ref and name != "COUNT" and value is not None:
                        numbers.append(_number(value))  # a typed argument: TRUE is 1, "3" is 3
                    elif not ref and name == "COUNT" and isinstance(value, bool):
                        numbers.append(1.0)
            if name == "COUNT":
                return float(len(numbers))
            if name == "SUM":
                total = 0.0
                for number in numbers:
                    total += number
                return total
            return (min if name == "MIN" else max)(numbers) if numbers else 0.0
        if len(args) == 1 and name in ("N", "NOT", "ABS", "CHAR"):
            value = self.scalar(args[0])
            if name == "N":
                return float(value) if _is_number(value) else (1.0 if value is True else 0.0)
            if name == "NOT":
                return not _truth(value)
            if name == "ABS":
                return abs(_number(value))
            return chr(int(_number(value)))
        if name == "ROUND" and len(args) == 2:
            return _round(_number(self.scalar(args[0])), int(_number(self.scalar(args[1]))))
        if name == "LEN" and len(args) == 1:
            return float(len(text_of(self.scalar(args[0]))))
        if name == "SUMPRODUCT" and args:
            arrays = [self.array(arg) for arg in args]
            if len({len(a) for a in arrays}) != 1:
                raise Unknown("#VALUE!")
            total = 0.0
            for row in zip(*arrays):  # SUMPRODUCT counts what is not a number (text, TRUE, empty) as 0
                product = 1.0
                for value in row:
                    product *= float(value) if _is_number(value) else 0.0
                total += product
            return total
        raise Unknown(name)

    def array(self, node) -> list:
        """``node`` cell by cell, as SUMPRODUCT's arguments are computed: a range gives its cells, an operator, a
        comparison, NOT, ISNUMBER or LEN applies to each, and anything else is one value standing for every cell."""
        kind = node[0]
        if kind == "ref":
            ref = _reference(node[1], self.sheet)
            return [self.cell(ref.sheet, a) for a in ref.cells]
        if kind in ("+", "-", "*", "/", "cmp"):
            left, right = (node[2], node[3]) if kind == "cmp" else (node[1], node[2])
            pairs = _pairs(self.array(left), self.array(right))
            if kind == "cmp":
                return [_compare(node[1], a, b) for a, b in pairs]
            out = []
            for a, b in pairs:
                a, b = _number(a), _number(b)
                if kind == "/" and b == 0:
                    raise Unknown("#DIV/0!")
                out.append(a + b if kind == "+" else a - b if kind == "-" else a * b if kind == "*" else a / b)
            return out
        if kind == "neg":
            return [-_number(v) for v in self.array(node[1])]
        if kind == "call" and node[1] in ("NOT", "ISNUMBER", "LEN") and len(node[2]) == 1:
            values = self.array(node[2][0])
            if node[1] == "NOT":
                return [not _truth(v) for v in values]
            if node[1] == "ISNUMBER":
                return [_is_number(v) for v in values]
            return [float(len(text_of(v))) for v in values]
        return [self.scalar(node)]


def _pairs(a: list, b: list) -> list[tuple]:
    """Two arrays side by side, a single value standing beside every cell of the other."""
    if len(a) == 1 and len(b) != 1:
        a = a * len(b)
    elif len(b) == 1 and len(a) != 1:
        b = b * len(a)
    if len(a) != len(b):
        raise Unknown("#VALUE!")
    return list(zip(a, b))


def _compare(op: str, a, b) -> bool:
    """Excel's comparison: empty is 0 beside a number and "" beside text; numbers < text < TRUE/FALSE."""
    if a is None:
        a = "" if isinstance(b, str) else False if isinstance(b, bool) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else False if isinstance(a, bool) else 0.0

    def rank(v):
        return 2 if isinstance(v, bool) else 1 if isinstance(v, str) else 0

    ka, kb = rank(a), rank(b)
    if ka != kb:
        a, b = ka, kb
    elif ka == 1:
        a, b = a.lower(), b.lower()
    return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
