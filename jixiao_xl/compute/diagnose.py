"""Which cell to blame when sums that share cells disagree.

附件1 chains its identities: “三公”经费 = 公务用车 + 出国 + 接待 and
公务用车 = 购置 + 运行维护 share the 公务用车 cell; 项目支出 = its parts and
县级专项资金 = its 专项 rows share 县级专项资金.  When one of them fails the
culprit is not necessarily the total of that identity: in the seed, 三公 17 ≠
17 + 0 + 8 and 公务用车 17 ≠ 0 + 9 are both explained by one wrong cell,
公务用车 (it should be 9; then 三公 17 = 9 + 0 + 8 holds).

``repairs`` finds the smallest sets of typed cells whose correction satisfies
every identity of the chain at once (a tiny exact search over linear
equations).  The rules report the error at the cells of the repair, with the
value each should have; when several repairs are equally small the rules say so
and name them.  ``fill`` corrects only the derived cells a repair names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from math import comb

from ..read import forms as F
from .results import part_keys, sum_fields
from ..read.model import BasicData, Cell, num

# the identities of 附件1, inner first
MAX_SIZE = 6
MAX_TRIALS = 10000


@dataclass
class Equation:
    """``total`` = Σ ``parts``; a blank total is not an equation (it is derived)."""

    key: str
    col: str
    total: Cell
    parts: list[Cell]

    def residual(self, value) -> float:
        return value(self.total) - sum(value(c) for c in self.parts)


@dataclass
class Repair:
    """Cells to change and the value each should have."""

    values: dict[str, float]  # address -> corrected value
    cells: dict[str, Cell] = field(default_factory=dict)
    follows: dict[str, float] = field(default_factory=dict)  # formula cells -> what they then compute


@dataclass
class Diagnosis:
    equations: list[Equation]
    violated: list[Equation]
    # per independent chain of failing identities: its smallest repairs, preferred first ([]: none found)
    components: list[tuple[list[Equation], list[Repair]]] = field(default_factory=list)

    @property
    def chosen(self) -> Repair | None:
        """The preferred repair of every chain that has one, together."""
        firsts = [repairs[0] for _, repairs in self.components if repairs]
        if not firsts:
            return None
        merged = Repair({}, {})
        for repair in firsts:
            merged.values.update(repair.values)
            merged.cells.update(repair.cells)
            merged.follows.update(repair.follows)
        return merged

    @property
    def unresolved(self) -> list[Equation]:
        """Failing identities in chains without a small repair: reported at their totals, as computed."""
        return [eq for eqs, repairs in self.components if not repairs for eq in eqs if eq in self.violated]

    def ties(self, address: str) -> list[Repair]:
        """Every other repair, as small, of the chain whose preferred repair changes ``address``."""
        for _, repairs in self.components:
            if repairs and address in repairs[0].values:
                return repairs[1:]
        return []

    def alternatives(self, address: str) -> list[Repair]:
        """The other repairs, as small, of the chain whose preferred repair changes ``address``."""
        for _, repairs in self.components:
            if repairs and address in repairs[0].values:
                return [r for r in repairs[1:] if address not in r.values]
        return []


def _cells_of(form: BasicData, part, col: str) -> list[Cell]:
    """The cells a part contributes: its own, or (when it is left blank) its parts' cells."""
    if not isinstance(part, str):
        cell = part.cells.get(col)
        return [cell] if cell is not None else []
    cell = form.cell(part, col)
    if cell is not None and num(cell) is not None:
        return [cell]
    parts = part_keys(form, part)
    if parts:  # a blank subtotal counts as the sum of its parts
        return [c for p in parts for c in _cells_of(form, p, col)]
    return [cell] if cell is not None else []


def basic_equations(form: BasicData, col: str) -> list[Equation]:
    out = []
    for key in (f.key for f in sum_fields()):  # 公务用车, 三公, 县级专项, 项目支出 (forms)
        row = form.rows.get(key)
        total = row.cells.get(col) if row is not None else None
        if total is None or num(total) is None:
            continue
        parts = part_keys(form, key)
        if not parts:
            continue
        cells = [c for p in parts for c in _cells_of(form, p, col)]
        if all(num(c) is None for c in cells):
            continue  # nothing to add up: the total stands alone
        out.append(Equation(key, col, total, cells))
    return out


def _solve(rows: list[list[float]], rhs: list[float], tol: float) -> list[float] | None:
    """The unique solution of an over-determined linear system, or None (inconsistent or undetermined)."""
    n = len(rows[0])
    a = [list(r) + [b] for r, b in zip(rows, rhs)]
    pivots = []
    r = 0
    for c in range(n):
        best = max(range(r, len(a)), key=lambda i: abs(a[i][c]), default=None)
        if best is None or abs(a[best][c]) < 1e-12:
            return None  # undetermined: this cell's value is free
        a[r], a[best] = a[best], a[r]
        p = a[r][c]
        a[r] = [v / p for v in a[r]]
        for i in range(len(a)):
            if i != r and a[i][c]:
                f = a[i][c]
                a[i] = [v - f * w for v, w in zip(a[i], a[r])]
        pivots.append(c)
        r += 1
    for i in range(r, len(a)):
        if abs(a[i][n]) > tol + 1e-9:
            return None  # inconsistent
    return [a[i][n] for i in range(n)]


def _repairs(equations: list[Equation], tol: float, fixed: frozenset | set = frozenset()) -> list[Repair]:
    """``fixed``: addresses never changed (the template's own formulas: the user cannot type there)."""
    cells: dict[str, Cell] = {}
    free: list[str] = []  # formula cells: never changed by hand, they follow the cells they sum
    for eq in equations:
        for c in [eq.total] + eq.parts:
            if num(c) is None:  # only what was typed is suspected; a blank stays blank
                continue
            if c.address in fixed:
                if c.address not in free:
                    free.append(c.address)
            else:
                cells.setdefault(c.address, c)
    order = list(cells)
    current = {a: num(c) for a, c in cells.items()}
    coef = []
    for eq in equations:
        row: dict[str, float] = {eq.total.address: 1.0}
        for c in eq.parts:
            row[c.address] = row.get(c.address, 0.0) - 1.0
        coef.append(row)
    fixed_value = {c.address: (num(c) or 0.0) for eq in equations for c in [eq.total] + eq.parts}
    trials = 0
    for size in range(1, MAX_SIZE + 1):
        if comb(len(order), size) + trials > MAX_TRIALS:
            break
        found = []
        for subset in combinations(order, size):
            trials += 1
            unknowns = subset + tuple(free)
            rows, rhs = [], []
            for row in coef:
                rows.append([row.get(a, 0.0) for a in unknowns])
                rhs.append(-sum(v * fixed_value[a] for a, v in row.items() if a not in unknowns))
            solution = _solve(rows, rhs, tol)
            if solution is None or any(v < -tol - 1e-9 for v in solution):
                continue
            if any(abs(v - current[a]) <= tol + 1e-9 for a, v in zip(subset, solution)):
                continue  # a cell left as it is: a smaller repair covers this one
            found.append(Repair({a: round(v, 6) for a, v in zip(subset, solution)}, {a: cells[a] for a in subset},
                                {a: round(v, 6) for a, v in zip(free, solution[len(subset):])}))
        if found:
            return found
    return []


def diagnose_basic(form: BasicData, col: str, tol: float) -> Diagnosis:
    """The identities of one 附件1 amount column and the smallest repairs of those that fail."""
    cache = form.__dict__.setdefault("_diagnoses", {})
    key = (col, tol)
    if key in cache:
        return cache[key]
    diagnosis = cache[key] = basic_diagnosis(form, col, tol)
    return diagnosis


def basic_diagnosis(form: BasicData, col: str, tol: float) -> Diagnosis:
    """``diagnose_basic`` computed afresh, kept nowhere (a check keeps it on its ``Context``)."""
    return diagnose(basic_equations(form, col), tol, form.formula_cells)


def diagnose(equations: list[Equation], tol: float, fixed: frozenset | set = frozenset()) -> Diagnosis:
    """The failing identities among ``equations`` and the smallest repairs that satisfy all of them;
    ``fixed``: the addresses of formula cells, never among the cells a repair changes."""
    violated = [eq for eq in equations if abs(eq.residual(lambda c: num(c) or 0.0)) > tol + 1e-9]
    diagnosis = Diagnosis(equations, violated)
    seen: list[Equation] = []
    for eq in violated:
        if eq in seen:
            continue
        # one chain: the failing identity and every identity linked to it through shared cells
        chain = _linked(equations, [eq])
        seen += chain
        repairs = _repairs(chain, tol, fixed)
        repairs.sort(key=lambda r: _preference(r, violated))
        diagnosis.components.append((chain, repairs))
    return diagnosis




def dept_equations(form) -> list[Equation]:
    """附件2: 按收入性质分 = 全年预算数 = Σ its parts, and the same for 按支出性质分; they share 全年预算数."""
    full = form.exec.get("full")
    out = []
    income, expense = F.DEPT_INCOME[0], F.DEPT_EXPENSE[0]  # 按收入性质分, 按支出性质分 and their parts
    for key, head, parts in (("income", income.key, income.parts), ("expense", expense.key, expense.parts)):
        cells = form.breakdown
        keys = parts + (tuple(k for k in cells if k.startswith("income+")) if key == "income" else ())
        part_cells = [cells[k] for k in keys if k in cells]
        total = cells.get(head)
        typed_parts = any(num(c) is not None for c in part_cells)
        if total is not None and num(total) is not None:
            if full is not None and num(full) is not None:
                out.append(Equation(key, "", total, [full]))
            if typed_parts:
                out.append(Equation(key, "", total, part_cells))
        elif full is not None and num(full) is not None and typed_parts:
            out.append(Equation(key, "", full, part_cells))
    return out


def diagnose_dept(form, tol: float) -> Diagnosis:
    cache = form.__dict__.setdefault("_diagnoses", {})
    if tol not in cache:
        cache[tol] = dept_diagnosis(form, tol)
    return cache[tol]


def dept_diagnosis(form, tol: float) -> Diagnosis:
    """``diagnose_dept`` computed afresh, kept nowhere (a check keeps it on its ``Context``)."""
    return diagnose(dept_equations(form), tol, form.formula_cells)


def _linked(equations: list[Equation], violated: list[Equation]) -> list[Equation]:
    chain = list(violated)
    addresses = {c.address for eq in chain for c in [eq.total] + eq.parts}
    grown = True
    while grown:
        grown = False
        for eq in equations:
            if eq in chain:
                continue
            cells = {c.address for c in [eq.total] + eq.parts}
            if cells & addresses:
                chain.append(eq)
                addresses |= cells
                grown = True
    return [eq for eq in equations if eq in chain]


def _preference(repair: Repair, violated: list[Equation]) -> tuple:
    """Among equally small repairs, first one that corrects a total (a sum is more often mistyped than
    recomputed), then the one nearest the top of the form."""
    totals = {eq.total.address for eq in violated}
    on_totals = sum(1 for a in repair.values if a in totals)
    return (-on_totals, min(c.row for c in repair.cells.values()))


def blamed(form, tol: float) -> set[str] | None:
    """Addresses of the cells the chosen repairs change (for ``fill``: a wrong sum is corrected only
    there); None for a form without chained sums (附件3)."""
    if isinstance(form, BasicData):
        diagnoses = [diagnose_basic(form, col, tol) for col in ("prev_actual", "budget", "actual")]
    elif form.kind == "dept_self_eval":
        diagnoses = [diagnose_dept(form, tol)]
    else:
        return None
    out: set[str] = set()
    for diagnosis in diagnoses:
        if diagnosis.chosen is not None:
            out |= set(diagnosis.chosen.values)
        out |= {eq.total.address for eq in diagnosis.unresolved}
    return out
