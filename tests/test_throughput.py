"""The shortcuts batch throughput relies on give the answers of the plain code they replace."""

from __future__ import annotations

import random

from jixiao_xl.grid import _ERROR_TOKENS, _FORMULA_TOKENS, Grid, _has_tokens


def _scan(grid: Grid, row: int, col: int):
    return next((r for r in grid.merged if r[0] <= row <= r[2] and r[1] <= col <= r[3]), None)


def test_merged_cell_lookup_matches_a_scan_of_every_range():
    rng = random.Random(5)
    merged = []
    for _ in range(60):
        r0, c0 = rng.randrange(40), rng.randrange(12)
        merged.append((r0, c0, r0 + rng.randrange(4), c0 + rng.randrange(4)))  # overlapping too: first wins
    grid = Grid("附件3", [[""] * 16 for _ in range(45)], merged)
    cells = [(r, c) for r in range(46) for c in range(17)]
    assert [grid.merge_at(r, c) for r, c in cells] == [_scan(grid, r, c) for r, c in cells]
    grid.merged.append((44, 0, 44, 15))  # a range added later is seen
    assert grid.merge_at(44, 7) == (44, 0, 44, 15)


def test_merged_cell_lookup_with_a_range_over_a_million_rows():
    """A hostile sheet merging A1:B1048576 is not indexed row by row (memory), only scanned."""
    grid = Grid("x", [["a", "b", "c"]], [(0, 0, 1_048_575, 1), (3, 2, 4, 2)])
    assert grid.merge_at(900_000, 1) == (0, 0, 1_048_575, 1)
    assert grid.merge_at(4, 2) == (3, 2, 4, 2)
    assert grid.merge_at(5, 2) is None


def test_byte_test_for_formulas_and_errors_agrees_with_the_tokens():
    rng = random.Random(1)
    alphabet = b'<:fe"\' >/x'
    for _ in range(50_000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        assert _has_tokens(data) == any(t in data for t in _FORMULA_TOKENS + _ERROR_TOKENS), data
    assert not _has_tokens(b'<c r="A1" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>')
    assert _has_tokens(b'<x:c r="A1"><x:f>A2</x:f></x:c>')


def test_no_worker_is_forked_while_the_summary_imports_run(tmp_path, monkeypatch):
    """pandas is imported in a thread while the workers check; a worker (re)started meanwhile waits for it:
    a fork during an import can leave the child holding the import lock for ever."""
    import sys
    import time

    from jixiao_xl.batch import _Preload

    (tmp_path / "slow_import_for_test.py").write_text("import time\ntime.sleep(0.5)\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    preload = _Preload()
    preload.start(modules=("slow_import_for_test",))
    seen = []
    started = time.monotonic()
    preload.fork(lambda: seen.append(sys.modules.get("slow_import_for_test")))
    assert time.monotonic() - started >= 0.3
    assert seen and getattr(seen[0], "DONE", False)  # the import had finished when the fork ran
    preload.start(modules=("slow_import_for_test",))  # already imported: no second thread
    assert not preload.thread.is_alive()
