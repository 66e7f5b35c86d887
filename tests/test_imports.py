"""The package's layers, read from its source with ast: each sub-package imports only the layers below it, no
import cycles, at most 10 modules at the top, and a core free of front-end libraries.

Edges are every ``import`` of a jixiao_xl module, module-level and function-local alike: a cycle held
together by an import inside a function is still a cycle between layers, and an upward import inside a
function is still an upward import.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "jixiao_xl"
# The core: reading a workbook, the model, the rules and the derived-cell logic.  It runs in every front end
# (CLI, batch, add-in server, WPS), so it may not pull in Excel automation (xlwings) or pandas when imported.
CORE = ("problems", "xlsx", "read", "compute", "store", "rules", "write")
# The layers, bottom first (docs/architecture.md): a module may import its own layer and those below.  The
# package itself (jixiao_xl/__init__.py: the version) is below everything; cli and __main__ are the top.
LAYERS = ("problems", "xlsx", "read", "compute", "store", "rules", "write", "narrative", "batch", "excel", "xl", "udf",
          "commands", "cli", "__main__")
# xl.py and udf.py at the top: the names .xlam add-ins built before the move call (they import excel/)
# Upward imports that are there on purpose, each with its reason (function-local, at run time only).
UPWARD = {
    ("jixiao_xl.read.reader", "jixiao_xl.compute.derive"):
        "a number typed as text in a cell the template's formula sums reads as Excel computes it (N004): "
        "the reader asks derive which cells the template's formulas sum",
    ("jixiao_xl.read.reader", "jixiao_xl.compute.profiles"): "the same step: derive needs a profile",
}
HEAVY = ("xlwings", "pandas")


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _in_core(module: str) -> bool:
    return module.split(".")[1:2] != [] and module.split(".")[1] in CORE


MODULES = {_name(p): p for p in PACKAGE.rglob("*.py")}


def _layer(module: str) -> int:
    parts = module.split(".")
    return -1 if len(parts) == 1 else LAYERS.index(parts[1])


def _imports(name: str, path: Path, module_level_only: bool) -> set[str]:
    """The modules ``name`` imports (absolute names), optionally only those imported when it is imported."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if module_level_only and inner:
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in child.names if f"{module}.{alias.name}" in MODULES)
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _graph(module_level_only: bool) -> dict[str, set[str]]:
    return {m: {i for i in _imports(m, p, module_level_only) if i in MODULES and i != m} for m, p in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, result, counter = {}, {}, set(), [], [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_the_package():
    graph = _graph(module_level_only=False)
    assert "jixiao_xl.rules.basic" in graph and "jixiao_xl.rules.findings" in graph["jixiao_xl.rules.basic"]
    assert "jixiao_xl.read.reader" in graph["jixiao_xl.rules.check"]


def test_every_module_is_in_a_layer_and_the_top_stays_small():
    for module in MODULES:
        _layer(module)  # ValueError for a module outside the layers
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 10, top
    assert not (PACKAGE / "addin_server").exists()  # the add-ins' files live in the top-level addin/ folder


def test_layers_import_only_downward():
    graph = _graph(module_level_only=False)
    upward = {(a, b) for a, imported in graph.items() for b in imported if _layer(b) > _layer(a)}
    assert upward == set(UPWARD), sorted(upward - set(UPWARD))


def test_the_layer_check_would_see_an_upward_import():
    graph = _graph(module_level_only=False)
    assert "jixiao_xl.read.reader" in graph and _layer("jixiao_xl.excel.xl") > _layer("jixiao_xl.rules.check")
    assert any(_layer(b) < _layer(a) for a, imported in graph.items() for b in imported)


def test_no_import_cycles():
    assert _cycles(_graph(module_level_only=False)) == []


def test_core_never_imports_xlwings_or_pandas_when_imported():
    core = {m for m in MODULES if _in_core(m)}
    assert {"jixiao_xl.read.reader", "jixiao_xl.rules.basic", "jixiao_xl.write.fill", "jixiao_xl.read.forms"} <= core
    # everything the core imports at module level, transitively, must stay free of them
    graph, seen, todo = _graph(module_level_only=True), set(), sorted(core)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(graph[module])
    for module in sorted(seen):
        heavy = {i for i in _imports(module, MODULES[module], True) if i.split(".")[0] in HEAVY}
        assert not heavy, f"{module} imports {sorted(heavy)} at module level"


def test_core_never_imports_xlwings_at_all():
    for module in sorted(m for m in MODULES if _in_core(m)):
        assert not any(i.split(".")[0] == "xlwings" for i in _imports(module, MODULES[module], False)), module


def test_every_module_keeps_to_one_job_in_under_700_lines():
    """A module over 700 lines has grown several jobs (batch.py once held 1,477: collect, pool, rows, summary):
    split it along them, as batch/, narrative/ and the others were."""
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 700}
    assert long == {}
