"""The throughput shortcuts give what the plain computation gives, on the rule cases' workbooks
(blank totals, rates, scores and grades among them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao_xl.compute.derive import blank_fillable, derived, input_suggestions
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.xlsx.grid import read_grids
from jixiao_xl.read.reader import read_forms

from .helpers import clean_seed, set_cells, to_grids
from .rule_cases import CASES

BLANKED = {"附件1!D6": None, "附件1!D7": None, "附件1!C12": None, "附件2!G5": None, "附件2!H5": None,
           "附件2!H25": None, "附件3!E6": None, "附件3!G6": None, "附件3!H6": None, "附件3!H24": None}


EXAMPLES = Path(__file__).resolve().parent.parent / "workbook_templates" / "examples"


def _all_derived_blanked(grids, profile):
    """The workbook with every derived cell emptied (a grade after its label keeps the label: "等级：")."""
    for form in read_forms(grids).forms:
        grid = next(g for g in grids if g.name == form.sheet)
        for item in derived(form, profile):
            if item.kind != "text":  # a 一级指标 header emptied is no header: nothing to fill
                grid.rows[item.cell.row][item.cell.col] = item.cell.prefix or None
    return read_forms(grids)


def _scores_blanked(grids):
    """The workbook with every indicator's 得分 emptied (the evaluator has not scored yet)."""
    for form in read_forms(grids).forms:
        grid = next(g for g in grids if g.name == form.sheet)
        for ind in getattr(form, "indicators", []):
            grid.rows[ind.score.row][ind.score.col] = None
    return read_forms(grids)


def _books(profile):
    yield "seed-scores-blank", _scores_blanked(to_grids(clean_seed()))
    yield "seed", read_forms(to_grids(clean_seed()))
    yield "blanked", read_forms(to_grids(set_cells(clean_seed(), dict(BLANKED))))
    yield "seed-all-blank", _all_derived_blanked(to_grids(clean_seed()), profile)
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        yield path.name, read_forms(read_grids(str(path)))
        yield f"{path.name}-all-blank", _all_derived_blanked(read_grids(str(path)), profile)
    for case in CASES:
        yield case.id, read_forms(to_grids(set_cells(case.sheets(), dict(case.edits))))


@pytest.mark.parametrize("profile", ["hunan", "national"])
def test_blank_fillable_is_the_blank_computable_derived_cells(profile):
    prof = get_profile(profile)
    seen, kinds, suggested = 0, set(), 0
    for name, book in _books(prof):
        for form in book.forms:
            want = [(d.cell.address, d.value, d.formula, d.kind) for d in derived(form, prof)
                    if d.cell.blank and d.value is not None]
            got = [(d.cell.address, d.value, d.formula, d.kind) for d in blank_fillable(form, prof)]
            assert got == want, (name, form.kind)
            seen += len(got)
            kinds |= {d.kind for d in blank_fillable(form, prof)}
            want = [(d.cell.address, d.value) for d in input_suggestions(form, prof) if d.cell.blank]
            got = [(d.cell.address, d.value) for d in input_suggestions(form, prof, blank_only=True)]
            assert got == want, (name, form.kind)
            suggested += len(got)
    assert kinds == {"amount", "rate", "score", "grade"}
    assert suggested >= 3  # blank scores of quantitative rows among them
    assert seen > 50  # the blanked cells are there: the comparison is not between empty lists


def _plain_index(grid, top, bottom):
    """The label index as the reader defines it, computed without any cache."""
    from jixiao_xl.read import forms as F
    from jixiao_xl.read.region import LABEL_MAX
    from jixiao_xl.read.values import split_inline

    keys, index = {}, {}
    for row in range(top, min(bottom, grid.height)):
        for col, value in enumerate(grid.rows[row]):
            if not isinstance(value, str) or not value or len(value) > LABEL_MAX:
                continue
            inline = split_inline(value)
            key = F.label_key(inline[0] if inline else value)
            if not key:
                continue
            keys[(row, col)] = key
            index.setdefault(key, []).append((row, col))
            cut = key.find("(", 1)
            while cut > 0:
                index.setdefault(key[:cut], []).append((row, col))
                cut = key.find("(", cut + 1)
    return keys, index


def test_region_index_with_the_text_cache_is_the_plain_index():
    from jixiao_xl.read import region as R

    grids = to_grids(set_cells(clean_seed(), {"附件1!A40": "县级专项资金(一个专项一行)(注)", "附件1!A41": "主管部门：某局",
                                              "附件1!B41": "三公经费（万元）", "附件1!C41": "  "}))
    grids += read_grids(str(EXAMPLES / "miluo_sifaju_2023.xlsx"))
    for cold in (True, False):  # the first pass fills the cache, the second reads it
        if cold:
            R._ENTRIES.clear()
        for grid in grids:
            for top, bottom in ((0, grid.height), (3, 20), (grid.height - 5, grid.height + 10)):
                region = R.Region(grid, top, bottom)
                keys, index = _plain_index(grid, top, bottom)
                assert region._keys == keys
                assert region._index == index  # same keys, same positions, in the same (row-major) order
    assert R._ENTRIES["县级专项资金(一个专项一行)(注)"] == ("县级专项资金(一个专项一行)(注)", "县级专项资金",
                                                  "县级专项资金(一个专项一行)")


def test_a_part_of_an_indexed_sheet_finds_what_the_part_indexed_alone_finds():
    from jixiao_xl.read import forms as F
    from jixiao_xl.read import region as R

    fields = [v for v in vars(F).values() if isinstance(v, F.Field)]
    fields += [f for v in vars(F).values() if isinstance(v, tuple) for f in v if isinstance(f, F.Field)]
    grids = to_grids(set_cells(clean_seed(), {"附件1!A40": "总分", "附件1!A42": "三级指标"}))
    grids += read_grids(str(EXAMPLES / "miluo_sifaju_2023.xlsx"))
    for grid in grids:
        sheet = R.Region(grid, 0, grid.height)
        h = grid.height
        for top, bottom in ((0, h), (2, 20), (13, 14), (h - 5, h + 10), (h - 2, h), (h, h), (20, 3)):
            part, alone = sheet.part(top, bottom), R.Region(grid, top, bottom)
            assert (part.top, part.bottom) == (top, bottom)
            assert part.labelled() == bool(alone._index)
            assert part.title_texts() == alone.title_texts()
            for row in range(-1, h + 2):
                for col in range(-1, part.width(row) + 2):
                    assert part.key(row, col) == alone.key(row, col), (grid.name, top, bottom, row, col)
            for field in fields:
                for start, stop in ((None, None), (top - 3, None), (top + 2, None), (None, bottom - 1),
                                    (top + 1, top + 2), (None, bottom + 5)):
                    for cols in (None, range(0, 2), range(3, 9)):
                        assert part.find(field, start, stop, cols) == alone.find(field, start, stop, cols)


@pytest.mark.parametrize("raw", [1762.55, 0.0, -0.0, -5.34, 1e-7, 12345678.9, float("inf"), float("-inf"),
                                 float("nan")])
@pytest.mark.parametrize("unit", [None, "万元", "元"])
def test_a_float_cell_reads_as_to_number_reads_it(raw, unit):
    import math

    from jixiao_xl.read.model import Cell, num
    from jixiao_xl.read.values import NotANumber, to_number

    cell = Cell(raw, 5, 3, "“三公”经费 决算数", unit=unit)
    got = cell.number
    if raw - raw != 0 and raw == raw:  # ±inf is no number a form can hold: N001 names it
        with pytest.raises(NotANumber):
            to_number(raw)
        assert got is None and cell.error == f"“{raw}”不是数字"
        return
    want = to_number(raw)
    assert (got is None and want is None) or (got == want and math.copysign(1, got) == math.copysign(1, want))
    assert num(cell) is got and cell.error is None
    assert Cell("830,000元", 5, 3, "", unit="万元").number == 83  # text still goes through the parser and units


def _by_definition(form, code):
    """N001 / N002 as they read every numeric cell, without the float shortcut."""
    from jixiao_xl.read.values import is_error_value
    from jixiao_xl.rules.general import numeric_cells

    out = []
    for cell, kind in numeric_cells(form):
        if cell.blank or (code == "N001" and is_error_value(cell.raw)):
            continue
        value = cell.rate if kind == "rate" else cell.number
        if code == "N001" and value is None and cell.error:
            out.append(cell.address)
        if code == "N002" and kind != "signed" and value is not None and value < 0:
            out.append(cell.address)
    return out


@pytest.mark.parametrize("value", [-5.34, -0.0, 0.0, float("nan"), float("inf"), float("-inf"), -1e-9, 150.0, -150.0,
                                   True, -3, "-5", "约12万", "—", "1e999"])
def test_number_rules_with_the_float_shortcut_find_what_they_find_by_definition(value):
    from jixiao_xl.rules.check import check_grids
    from jixiao_xl.compute.profiles import get_profile

    # an amount, a signed amount (调整), a rate typed in points, a 分值, a 得分
    edits = {"附件1!D11": value, "附件1!D30": value, "附件2!G5": value, "附件3!G6": value, "附件2!G14": value,
             "附件2!H14": value}
    grids = to_grids(set_cells(clean_seed(), edits))
    report = check_grids(grids, "t.xlsx", get_profile())
    book = read_forms(to_grids(set_cells(clean_seed(), edits)))
    for code in ("N001", "N002"):
        found = sorted(f.cell for f in report.all_findings() if f.code == code)
        assert found == sorted(a for form in book.forms for a in _by_definition(form, code)), code
    if value in (-5.34, -150.0, -3, "-5"):
        assert any(f.code == "N002" for f in report.all_findings())


def test_blank_test_skipping_nfkc_is_the_definition():
    """is_blank does not normalise a text of two or more characters with an ideograph; it answers what the
    definition (NFKC, stripped, one of the empty marks) answers."""
    import unicodedata

    from jixiao_xl.read.model import Cell
    from jixiao_xl.read.values import EMPTY_MARKS, is_blank

    def definition(value):
        return value is None or (isinstance(value, str)
                                 and unicodedata.normalize("NFKC", value).strip() in EMPTY_MARKS)

    texts = [None, "", " ", 0.0, 1.5, float("nan"), 0, True, "无", " 无 ", "\u3000无\u3000", "无\n", "无无", "无 无",
             "无\u0301", "\u00a0无", "——", " - ", "／", "n/a", "－", "1、群众法治观念加强；2、社会法治环境改善",
             "≥95%", "100%", "社会秩序良好", "（无）", "暂无", "无。", "\t无\t"]
    texts += list(EMPTY_MARKS) + [f" {m}\u3000" for m in EMPTY_MARKS] + [m + "无" for m in EMPTY_MARKS]
    texts += [chr(cp) + "无" for cp in range(0x300, 0x370)] + ["无" + chr(cp) for cp in range(0x300, 0x370)]
    texts += ["无" + chr(cp) for cp in range(0x2000, 0x2070)] + [chr(cp) + "无" for cp in range(0xFF00, 0xFF65)]
    texts += [unicodedata.normalize("NFD", t) for t in texts if isinstance(t, str)]
    for text in texts:
        assert is_blank(text) == definition(text), repr(text)
        assert Cell(text, 0, 0, "").blank == definition(text), repr(text)
    assert is_blank(" 无 ") and not is_blank("无无") and not is_blank("1、群众法治观念加强；2、社会法治环境改善")


def test_the_reader_caches_give_each_workbook_what_it_gives_alone():
    from jixiao_xl.read import reader as R
    from jixiao_xl.read import reader_basic as RB
    from jixiao_xl.read import reader_self_eval as RS
    from jixiao_xl.read import region as RG

    def alone(specs):
        for cache in (R._TITLE_OF, RB._FUND_LABELS, RS._BANDS, RS._LEVEL2, RG._ENTRIES):
            cache.clear()
        RG.inline_parts.cache_clear()
        return read_forms(to_grids(specs))

    other = set_cells(clean_seed(), {"附件2!A2": "2022年度部门整体支出绩效自评表（单位：元）", "附件2!B14": "产出指标(40分)",
                                     "附件3!B13": "产出指标", "附件2!C15": "无", "附件1!A17": "说明：人民调解"})
    for first, second in ((other, clean_seed()), (clean_seed(), other)):
        want = alone(second)
        read_forms(to_grids(first))
        assert read_forms(to_grids(second)) == want
    a, b = (next(f for f in read_forms(to_grids(s)).forms if f.kind == "dept_self_eval") for s in (other, clean_seed()))
    assert (a.year, a.unit, a.levels[0].name, a.levels[0].weight) == (2022, "元", "产出指标", 40)
    assert (b.year, b.unit, b.levels[0].name, b.levels[0].weight) == (2023, "万元", "产出指标", 30)
    c = next(f for f in read_forms(to_grids(other)).forms if f.kind == "project_self_eval")
    assert c.levels[0].weight is None and c.unread_weights == [c.levels[0].header]
    assert [i.level2 for i in a.indicators[:3]] == ["数量指标", "数量指标", "时效指标"]
    assert [i.level2 for i in b.indicators[:3]] == ["数量指标", "质量指标", "时效指标"]
    basic_a, basic_b = (read_forms(to_grids(s)).forms[0] for s in (other, clean_seed()))
    assert [r.label for r in basic_a.specials] == ["司法局专项"]  # the funds table ends at the 说明 line
    assert len(basic_b.specials) == 9
