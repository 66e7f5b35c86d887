"""A small mutation tester for the rule layer: does the fast test suite notice a wrong operator or number?

    nice -n 10 python benchmarks/mutate.py --layer rules --out mutants.jsonl [--shard k/n] [--resume]
    python benchmarks/mutate.py --files jixiao_xl/compute/targets.py --sample N
    python benchmarks/mutate.py --layer rules --survivors mutants.jsonl --out retest.jsonl
    python benchmarks/mutate.py --files jixiao_xl/rules/funds.py --tests tests/test_rules.py tests/test_sources.py

Each mutant changes one thing in one module (a comparison ``<``↔``<=``, ``>``↔``>=``, ``==``↔``!=``,
``is``↔``is not``, ``in``↔``not in``; arithmetic ``+``↔``-``, ``*``↔``/``; a number n → n + 1; ``and``↔``or``;
``not x`` → ``x``), in a copy of the repository, and runs the fast tests there with ``-x``.  A mutant is killed
when a test fails (or it runs past the time limit); it survives when every test passes.  Message text is not
mutated.  The parent imports the heavy third-party modules once and forks a child per mutant.
Prints the score and every survivor as ``file:line  original → mutant``; with ``--out`` every mutant's result is
appended as a JSON line as it is known, so ``--resume`` carries on after an interrupted run and ``--survivors``
re-tests the survivors of an earlier run.  The tests most likely to fail for a module run first (``FIRST``).
docs/mutation.md records a run.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the rules themselves (rules/ also holds their engine, findings and output: check.py, findings.py, report.py, not
# mutated here, as before the layout), the scoring and the result records they read
ENGINE = {"check.py", "findings.py", "report.py"}
RULE_LAYER = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "jixiao_xl" / "rules").glob("*.py")
                    if p.name not in ENGINE) + ["jixiao_xl/compute/scoring.py", "jixiao_xl/compute/results.py"]
LAYERS = {"rules": RULE_LAYER, "targets": ["jixiao_xl/compute/targets.py"], "all": RULE_LAYER + ["jixiao_xl/compute/targets.py"]}
FAST_TESTS = ["tests/test_rules.py", "tests/test_boundaries.py", "tests/test_new_rules.py", "tests/test_numbers.py",
              "tests/test_scoring.py", "tests/test_corpus.py", "tests/test_diagnose.py", "tests/test_reader_variants.py",
              "tests/test_recognition.py", "tests/test_values.py", "tests/test_units.py", "tests/test_targets.py",
              "tests/test_check_context.py", "tests/test_hot_paths.py", "tests/test_results.py"]
# Run first for a module (the rest follow in FAST_TESTS order): a killed mutant costs only its first failing test.
FIRST = {"jixiao_xl/compute/scoring.py": ["tests/test_scoring.py"], "jixiao_xl/compute/targets.py": ["tests/test_targets.py"]}

SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
SWAP_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
          ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in", ast.Add: "+", ast.Sub: "-", ast.Mult: "*",
          ast.Div: "/", ast.And: "and", ast.Or: "or"}


def _skipped(tree: ast.AST) -> set[int]:
    """Nodes not to mutate: docstrings, f-string parts, annotations."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.JoinedStr):
            skip.update(id(n) for n in ast.walk(node))
        for ann in ([node.annotation] if isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation else []) + (
                [node.returns] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns else []):
            skip.update(id(n) for n in ast.walk(ann))
    return skip


def sites(tree: ast.AST) -> list[tuple[int, str, str]]:
    """Every mutation site as (node index in ast.walk order, kind, description)."""
    skip = _skipped(tree)
    found = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAP_CMP:
                    found.append((index, f"cmp{k}", f"{SYMBOL[type(op)]} → {SYMBOL[SWAP_CMP[type(op)]]}"))
        elif isinstance(node, ast.BinOp) and type(node.op) in SWAP_BIN:
            if isinstance(node.op, ast.Add) and any(isinstance(s, ast.Constant) and isinstance(s.value, str)
                                                    for s in (node.left, node.right)):
                continue  # string concatenation
            found.append((index, "bin", f"{SYMBOL[type(node.op)]} → {SYMBOL[SWAP_BIN[type(node.op)]]}"))
        elif isinstance(node, ast.BoolOp):
            other = "or" if isinstance(node.op, ast.And) else "and"
            found.append((index, "bool", f"{SYMBOL[type(node.op)]} → {other}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            found.append((index, "not", "not x → x"))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
              and not isinstance(node.value, bool)):
            found.append((index, "num", f"{node.value!r} → {node.value + 1!r}"))
    return found


def mutate(source: str, index: int, kind: str) -> tuple[str, int]:
    tree = ast.parse(source)
    node = list(ast.walk(tree))[index]
    line = getattr(node, "lineno", 0)
    if kind.startswith("cmp"):
        k = int(kind[3:])
        node.ops[k] = SWAP_CMP[type(node.ops[k])]()
    elif kind == "bin":
        node.op = SWAP_BIN[type(node.op)]()
    elif kind == "bool":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "not":
        parent = next(p for p in ast.walk(tree) for f, v in ast.iter_fields(p)
                      if v is node or (isinstance(v, list) and any(x is node for x in v)))
        for f, v in ast.iter_fields(parent):
            if v is node:
                setattr(parent, f, node.operand)
            elif isinstance(v, list):
                setattr(parent, f, [node.operand if x is node else x for x in v])
    elif kind == "num":
        node.value = node.value + 1
    return ast.unparse(tree), line


def _text(path: Path, index: int) -> str:
    source = path.read_text(encoding="utf-8")
    line = getattr(list(ast.walk(ast.parse(source)))[index], "lineno", 0)
    return source.splitlines()[line - 1].strip() if line else ""


def run_one(workdir: Path, timeout: int, rel: str = "") -> bool:
    """True when the fast tests pass (the mutant survived)."""
    first = FIRST.get(rel, [])
    tests = first + [t for t in FAST_TESTS if t not in first]
    pid = os.fork()
    if pid == 0:
        os.chdir(workdir)
        sys.path.insert(0, str(workdir))
        sys.dont_write_bytecode = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.alarm(timeout)
        import pytest
        code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests])
        os._exit(int(code))
    _, status = os.waitpid(pid, 0)
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", nargs="*", help="modules to mutate (default: the --layer's)")
    parser.add_argument("--layer", choices=sorted(LAYERS), default="all",
                        help="rules: rules/, scoring.py, compute.py; targets: the indicator parser; all: both")
    parser.add_argument("--out", help="append each mutant's result to this file as a JSON line")
    parser.add_argument("--resume", action="store_true", help="skip the mutants already recorded in --out")
    parser.add_argument("--sample", type=int, default=0, help="test a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--survivors", help="re-test only the survivors of an earlier run (its --out JSON lines, "
                        "or its printed SURVIVED lines), matched by module, mutation and source line")
    parser.add_argument("--shard", default="0/1", help="k/n: test every n-th mutant from the k-th (parallel runs)")
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--tests", nargs="*", help="run only these test files, in this order (default: FAST_TESTS, "
                        "the module's FIRST ones first): the tests that can notice the mutated modules")
    args = parser.parse_args()
    if args.tests:
        FAST_TESTS[:] = args.tests
        FIRST.clear()
    import openpyxl  # noqa: F401  (warm the heavy imports once, before forking)
    import pytest  # noqa: F401

    work = Path(tempfile.mkdtemp(prefix="mutate-"))
    shutil.copytree(ROOT / "jixiao_xl", work / "jixiao_xl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "workbook_templates" / "examples", work / "workbook_templates" / "examples")  # hot paths
    for name in ("pyproject.toml",):
        shutil.copy(ROOT / name, work / name)
    if run_one(work, args.timeout) is False:
        print("the fast tests fail without any mutant", file=sys.stderr)
        return 2
    mutants = []
    files = args.files or LAYERS[args.layer]
    for rel in files:
        source = (work / rel).read_text(encoding="utf-8")
        mutants += [(rel, index, kind, what) for index, kind, what in sites(ast.parse(source))]
    if args.survivors:
        wanted = set()
        for line in Path(args.survivors).read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                record = json.loads(line)
                if record["survived"]:
                    wanted.add((record["file"], record["what"], record["source"]))
            elif line.startswith("SURVIVED "):
                head, _, text = line[len("SURVIVED "):].partition("  | ")
                where, what = head.split("  ", 1)
                wanted.add((where.split(":")[0], what.strip(), text.strip()))  # by source text: lines move
        mutants = [m for m in mutants if (m[0], m[3], _text(work / m[0], m[1])) in wanted]
    elif args.sample and args.sample < len(mutants):
        mutants = random.Random(args.seed).sample(mutants, args.sample)
    k, n_shards = (int(x) for x in args.shard.split("/"))
    mutants = mutants[k::n_shards]
    done = set()
    if args.resume and args.out and Path(args.out).exists():
        for line in Path(args.out).read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                done.add((record["file"], record["index"], record["kind"]))
        mutants = [m for m in mutants if (m[0], m[1], m[2]) not in done]
        print(f"resuming: {len(done)} already recorded, {len(mutants)} to run", flush=True)
    out = open(args.out, "a", encoding="utf-8") if args.out else None
    killed, survivors, start = 0, [], time.time()
    for n, (rel, index, kind, what) in enumerate(mutants, 1):
        original = (work / rel).read_text(encoding="utf-8")
        text, line = mutate(original, index, kind)
        target = work / rel
        target.write_text(text, encoding="utf-8")
        began = time.time()
        try:
            survived = run_one(work, args.timeout, rel)
        finally:
            target.write_text(original, encoding="utf-8")
        src_line = original.splitlines()[line - 1].strip() if line else ""
        if out:
            out.write(json.dumps({"file": rel, "index": index, "kind": kind, "what": what, "line": line,
                                  "source": src_line, "survived": survived,
                                  "seconds": round(time.time() - began, 1)}, ensure_ascii=False) + "\n")
            out.flush()
        if survived:
            survivors.append(f"{rel}:{line}  {what}  | {src_line}")
            print("SURVIVED", survivors[-1], flush=True)
        else:
            killed += 1
        if n % 25 == 0:
            print(f"… {n}/{len(mutants)} mutants, {killed} killed, {time.time() - start:.0f} s", flush=True)
    total = len(mutants)
    print(f"\n{killed} of {total} mutants killed ({100 * killed / max(total, 1):.1f}%), {len(survivors)} survived")
    for s in survivors:
        print("  " + s)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
