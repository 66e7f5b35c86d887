"""What a check computes once and shares between rules (``rules.base.Context``) is the check's own:
workbooks checked one after another in one process (a batch worker checks thousands) give what each
gives alone, and nothing of a check is left on the forms it read."""

from __future__ import annotations

import dataclasses
import gc
import weakref

import pytest

from jixiao_xl.rules.check import check_workbook
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_forms
from jixiao_xl.rules import RULES
from jixiao_xl.rules.base import Context
from jixiao_xl.rules.general import unusual_cells

from .helpers import clean_seed, seed_sheets, set_cells, to_grids

# two workbooks whose shared values all differ: 附件1's chain (三公 17 ≠ 17 + 0 + 8 in the seed), the
# judgement of a 附件2 row (满意度 85% against ≥95%), 附件2's breakdown and 附件3's sources
SEED = {}
OTHER = {"附件1!B7": 9, "附件2!F21": "85%", "附件2!G7": 60, "附件3!C8": 1}


def _book(edits: dict, clean: bool, sheets: list | None = None):
    sheets = sheets if sheets is not None else clean_seed() if clean else seed_sheets()
    return read_forms(to_grids(set_cells(sheets, dict(edits))), "t.xlsx")


def _findings(report) -> list[tuple]:
    return [(f.code, f.sheet, f.cell, f.message, f.expected, f.found) for f in report.all_findings()]


def _run(ctx: Context, book) -> list[tuple]:
    out = []
    for form in book.forms:
        out.append(ctx.results(form))
        for rule in RULES:
            if rule.applies_to(form.kind) and rule.code != "R900":
                out += [(f.code, f.cell, f.message, f.expected, f.found) for f in rule.check(rule, form, ctx)]
    return out


def test_workbooks_checked_in_a_row_give_what_each_gives_alone():
    profile = get_profile()
    alone = {name: _findings(check_workbook(_book(edits, name == "other"), profile))
             for name, edits in (("seed", SEED), ("other", OTHER))}
    assert alone["seed"] != alone["other"]
    assert {"B111", "I103"} <= {f[0] for f in alone["seed"] + alone["other"]}
    for name, edits in (("other", OTHER), ("seed", SEED), ("other", OTHER), ("seed", SEED)):
        assert _findings(check_workbook(_book(edits, name == "other"), profile)) == alone[name], name


def test_one_context_for_two_workbooks_gives_each_its_own_values():
    """A Context keyed by id() keeps what it keyed alive: a form or row dropped while the context lives
    cannot be mistaken for a new one at the same address."""
    profile = get_profile()
    fresh = _run(Context(profile), _book(OTHER, True))
    shared = Context(profile)
    first = _book(SEED, False)
    assert _run(shared, first) != fresh
    kept = [weakref.ref(f) for f in first.forms] + [weakref.ref(i) for f in first.forms for i in
                                                     getattr(f, "indicators", [])]
    assert len(kept) > 20
    del first
    gc.collect()
    assert all(ref() is not None for ref in kept)
    for _ in range(3):
        assert _run(shared, _book(OTHER, True)) == fresh
    del shared
    gc.collect()
    assert all(ref() is None for ref in kept)  # and lets go of them with the check


def test_each_memo_keeps_its_object_until_the_check_ends():
    ctx = Context(get_profile())
    dept = _book(SEED, False).forms[1]
    forms = [dataclasses.replace(dept) for _ in range(3)]  # held by nothing but this test
    assert ctx.rows(forms[0]) is ctx.rows(forms[0])
    assert ctx.results(forms[1]) is ctx.results(forms[1])
    assert ctx.once(unusual_cells, forms[2]) is ctx.once(unusual_cells, forms[2])
    refs = [weakref.ref(f) for f in forms]
    del forms
    gc.collect()
    assert all(ref() is not None for ref in refs)
    del ctx
    gc.collect()
    assert all(ref() is None for ref in refs)


def test_a_check_leaves_nothing_on_the_forms():
    book = _book(SEED, False)
    before = [dict(vars(form)) for form in book.forms]
    rows = [dict(vars(ind)) for form in book.forms for ind in getattr(form, "indicators", [])]
    check_workbook(book, get_profile())
    assert [dict(vars(form)) for form in book.forms] == before
    assert [dict(vars(ind)) for form in book.forms for ind in getattr(form, "indicators", [])] == rows


def test_indicator_rows_are_what_each_row_gives_alone():
    """``compute.indicator_rows`` (read once per check) against each row read by itself."""
    from jixiao_xl.compute import results as C
    from jixiao_xl.read.model import num
    from jixiao_xl.compute.targets import judge

    from .rule_cases import CASES

    profile = get_profile()
    seen = set()
    for case in CASES:
        for form in _book(case.edits, True, case.sheets()).forms:
            if form.kind == "basic_data":
                continue
            rows = C.indicator_rows(form, profile)
            assert [r.ind for r in rows] == form.indicators
            for r in rows:
                ind = r.ind
                weight, score = num(ind.weight), num(ind.score)
                judged = judge(ind.target.raw, ind.actual.raw, weight, level1=ind.level1, level2=ind.level2,
                               name=ind.level3.text, scoring=profile.scoring, percent=ind.actual.percent,
                               target_percent=ind.target.percent, year=form.year or form.book_year)
                expected = None if weight is None else judged.expected
                effective = 0.0 if score is None and expected is None else score if expected is None else (
                    expected if score is None else min(score, expected))
                effective = max(effective, 0.0) if weight is None else min(max(effective, 0.0), weight)
                assert (r.weight, r.score, r.judged, r.expected, r.effective) == (weight, score, judged, expected,
                                                                                 effective), case.id
                seen.add((expected is None, score is None, weight is None))
            assert C.results(form, profile, rows) == C.results(form, profile)
    assert len(seen) >= 4  # scored and unscored rows, blank scores and blank weights among them


@pytest.mark.parametrize("pair", [(95, 95.0), (95.0, 95), ("95", 95.0), (95.0, "95.0"), ("达到预期 ", "达到预期"),
                                  ("ＡＢ", "AB"), (True, 1), (None, "")])
def test_band_text_cache_gives_what_norm_label_gives(pair):
    """I105's kept normalisation of a 定性 target and actual is norm_label, whatever was kept before."""
    from jixiao_xl.rules.indicators import _norm
    from jixiao_xl.read.values import norm_label

    for value in pair + pair:  # the second round from the cache
        assert _norm(value) == norm_label(value)
