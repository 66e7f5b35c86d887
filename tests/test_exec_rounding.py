"""执行率 as the form states it: the band a banded profile scores is chosen on the rate rounded as the form
prints it (2 decimals of a percent), E104 names that band, and a stated 执行率 is right when it equals the
computed rate rounded to the precision it was typed or formatted with (spec §5) — on real .xlsx files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.rules.check import check_path
from jixiao_xl.xlsx.numfmt import shown_places

from .helpers import by_code, clean_seed, form, set_cells
from .samples import write_xlsx

EXAMPLE = Path(__file__).resolve().parent.parent / "workbook_templates" / "examples" / "miluo_sifaju_2023.xlsx"


def _project(tmp_path, edits: dict, formats: dict | None = None, name: str = "book.xlsx"):
    """The clean seed's 附件3 with its 年度资金总额 (and 当年财政拨款, so the sources add up) and ``edits``."""
    specs = set_cells(clean_seed(), dict(edits))
    project = next(s for s in specs if s.name == "附件3")
    project.formats.update(formats or {})
    path = tmp_path / name
    write_xlsx(path, specs)
    return path


def _executed(full: float, executed: float, **cells) -> dict:
    edits = {"附件3!C6": full, "附件3!D6": full, "附件3!C7": full, "附件3!D7": full,
             "附件3!E6": executed, "附件3!E7": executed}
    edits.update({f"附件3!{k}": v for k, v in cells.items()})
    return edits


def _messages(report, code: str, cell: str) -> list[str]:
    return [f.message for f in by_code(report, code) if f.cell == cell and f.sheet == "附件3"]


# ------------------------------------------------------------------ 1. the band of the rate as the form shows it


def test_jiangxi_rate_that_shows_100_percent_takes_full_marks(tmp_path):
    """82.9975 ÷ 83 = 99.99699 %: the form prints 100.00 % and the evaluator gives the 100 % band's 10 points;
    the band was chosen on the unrounded rate (7 points) and H6 turned red."""
    path = _project(tmp_path, _executed(83, 82.9975, G6=1.0, H6=10))
    report = check_path(str(path), get_profile("jiangxi"))
    assert _messages(report, "E104", "H6") == []
    assert _messages(report, "E101", "G6") == []
    assert form(report, "project_self_eval").results.exec_score == 10


def test_jiangxi_rate_that_rounds_below_the_edge_takes_the_lower_band(tmp_path):
    """82.995 ÷ 83 = 99.99398 % shows 99.99 %: still the 80 %–100 % band, 7 points; 10 is wrong."""
    path = _project(tmp_path, _executed(83, 82.995, G6=0.9999, H6=10))
    report = check_path(str(path), get_profile("jiangxi"))
    (message,) = _messages(report, "E104", "H6")
    assert message == ("[附件3] 年度资金总额 得分 (H6)：执行率 99.99% 属于“80%（含）—100%”档，"
                       "应得 7 分（分值 10 × 70%），现填 10")
    assert form(report, "project_self_eval").results.exec_score == 7


@pytest.mark.parametrize("executed, score", [
    (66.39668, 7),  # 79.996 % shows 80.00 %: the 80 % band
    (66.39502, 5),  # 79.994 % shows 79.99 %: below it
    (49.79668, 5),  # 59.996 % shows 60.00 %
    (49.79502, 0),  # 59.994 % shows 59.99 %
])
def test_jiangxi_band_edges_are_judged_on_the_rate_rounded_to_two_decimals(tmp_path, executed, score):
    path = _project(tmp_path, _executed(83, executed, G6=None, H6=score))
    report = check_path(str(path), get_profile("jiangxi"))
    assert _messages(report, "E104", "H6") == []
    assert form(report, "project_self_eval").results.exec_score == score


def _bureau_profile(folder) -> None:
    """A bureau's own banded profile (JIXIAO_PROFILE_DIR): full marks from 90 %, half below."""
    data = json.loads(json.dumps(get_profile("jiangxi").data))
    data.update(name="bureau", label="某局（执行率两档）", province="某省")
    data["detect"] = {"places": [], "marks": [], "min_score": 2}
    data["execution"].update(mode="bands", bands=[[0.9, 1.0], [0, 0.5]])
    folder.mkdir()
    (folder / "bureau.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_every_banded_profile_bands_the_rate_as_shown_and_E104_names_the_band(tmp_path, monkeypatch):
    """Not only 江西: a profile file with its own bands scores 89.996 % (shown 90.00 %) in the 90 % band, and E104
    says which band 85 % falls in, in the words of that file's bands."""
    _bureau_profile(tmp_path / "profiles")
    monkeypatch.setenv("JIXIAO_PROFILE_DIR", str(tmp_path / "profiles"))
    shown_90 = _project(tmp_path, _executed(83, 74.69668, G6=0.9, H6=10), name="90.xlsx")
    report = check_path(str(shown_90), get_profile("bureau"))
    assert _messages(report, "E104", "H6") == []
    assert form(report, "project_self_eval").results.exec_score == 10
    low = _project(tmp_path, _executed(83, 70.55, G6=0.85, H6=10), name="85.xlsx")
    (message,) = _messages(check_path(str(low), get_profile("bureau")), "E104", "H6")
    assert message.endswith("：执行率 85.00% 属于“90%以下”档，应得 5 分（分值 10 × 50%），现填 10"), message


@pytest.mark.parametrize("executed, weight, message", [
    (78.85, 10, "执行率 95.00% 属于“80%（含）—100%”档，应得 7 分（分值 10 × 70%），现填 10"),
    (58.1, 20, "执行率 70.00% 属于“60%（含）—80%”档，应得 10 分（分值 20 × 50%），现填 20"),  # the form's 分值 20
    (41.5, 10, "执行率 50.00% 属于“60%以下”档，应得 0 分（分值 10 × 0%），现填 10"),
], ids=["95%", "70%-of-20", "50%"])
def test_E104_on_a_banded_profile_names_the_band_and_what_it_scores(tmp_path, executed, weight, message):
    path = _project(tmp_path, _executed(83, executed, F6=weight, G6=None, H6=weight))
    (found,) = _messages(check_path(str(path), get_profile("jiangxi")), "E104", "H6")
    assert found == f"[附件3] 年度资金总额 得分 (H6)：{message}", found


# ------------------------------------------------------------------ 3. a stated rate at its own precision

# 71.53 ÷ 83 = 86.1807…%: 86.18 % to two decimals, 86.2 % to one
RIGHT_SCORE = {"H6": 8.62, "H24": 98.62}


def _rate_report(tmp_path, rate, number_format: str | None = "0.00%"):
    formats = {"G6": number_format} if number_format else {}
    path = _project(tmp_path, _executed(83, 71.53, G6=rate, **RIGHT_SCORE), formats)
    if number_format is None:  # the seed formats G6 as 0.00%: the cell left General
        from openpyxl import load_workbook

        book = load_workbook(path)
        book["附件3"]["G6"].number_format = "General"
        book.save(path)
    return check_path(str(path))


@pytest.mark.parametrize("rate, number_format, shown", [
    (0.8619, "0.00%", "86.19%"),  # typed as a fraction in a 0.00% cell: it shows 86.19 %
    ("86.19%", "0.00%", "86.19%"),  # typed as text with two decimals
    (0.8619, None, "86.19%"),  # a General cell: the four decimals typed
    (0.862, "0.00%", "86.20%"),  # shows 86.20 %: the form states two decimals
])
def test_E101_a_rate_wrong_at_the_precision_it_shows_is_an_error(tmp_path, rate, number_format, shown):
    (message,) = _messages(_rate_report(tmp_path, rate, number_format), "E101", "G6")
    assert message == ("[附件3] 年度资金总额 执行率 (G6)：执行率应为 全年执行数 ÷ 全年预算数 = 71.53 ÷ 83 = 86.18%，"
                       f"现填 {shown}"), message


@pytest.mark.parametrize("rate, number_format", [
    ("86.2%", "0.00%"),  # text with one decimal: 86.1807 % is 86.2 % to one decimal
    (86.2, None),  # percentage points typed with one decimal
    (0.862, "0.0%"),  # shows 86.2 %
    (0.8619, "0.0%"),  # shows 86.2 % too: judged as it shows, not on the digits behind it
    (0.8619, "0%"),  # shows 86 %
    (0.8618, "0.00%"),
    (0.86180000000001, "0.00%"),  # float noise behind 86.18 %
    (0.86180000000001, None),
    (0.861807, "0.00%"),  # more digits than it shows
    ("86.18 %", "0.00%"),
    ("约86%", "0.00%"),  # words: not read as a rate, never an error
])
def test_E101_a_rate_right_at_the_precision_it_shows_passes(tmp_path, rate, number_format):
    assert _messages(_rate_report(tmp_path, rate, number_format), "E101", "G6") == []


@pytest.mark.parametrize("rate", ["86.18%", "86.19%", 0.8618, 0.8619])
def test_E101_a_computed_rate_at_a_rounding_half_is_right_either_way(tmp_path, rate):
    """1723.7 ÷ 2000 = 86.185 % exactly: 86.18 % and 86.19 % are both that rate rounded."""
    path = _project(tmp_path, _executed(2000, 1723.7, G6=rate, H6=8.62))
    assert _messages(check_path(str(path)), "E101", "G6") == []


def test_fill_overwrite_derived_corrects_the_rate_the_check_calls_wrong(tmp_path):
    """fill --overwrite-derived corrects what E101 reports (0.8619 for 86.18 %) and keeps what it accepts (86.2 %)."""
    from jixiao_xl.write.fill import fill

    wrong = _project(tmp_path, _executed(83, 71.53, G6=0.8619, **RIGHT_SCORE), name="wrong.xlsx")
    result = fill(str(wrong), str(tmp_path / "wrong-filled.xlsx"), overwrite_derived=True)
    assert [(c.sheet, c.cell, c.old) for c in result.changes if c.corrected] == [("附件3", "G6", 0.8619)]
    assert not [f for f in result.report.all_findings() if f.code == "E101"]
    right = _project(tmp_path, _executed(83, 71.53, G6="86.2%", **RIGHT_SCORE), name="right.xlsx")
    result = fill(str(right), str(tmp_path / "right-filled.xlsx"), overwrite_derived=True)
    assert [c.cell for c in result.changes if c.corrected] == []


@pytest.mark.parametrize("code, places", [
    ("0.00%", (True, 2, 2)), ("0%", (True, 0, 0)), ("0.0#%", (True, 1, 2)), ("#,##0.00", (False, 2, 2)),
    ("[$-804]0.00%", (True, 2, 2)), ('"约"0.0%', (True, 1, 1)), ("0.00\\%", (False, 2, 2)),  # an escaped % shows as is
    ("General", None), ("G/通用格式", None), ("@", None), ("yyyy-mm-dd", None), ("0.00E+00", None), (None, None),
])
def test_the_decimals_a_number_format_shows(code, places):
    """What a cell's format says of a rate: a percentage or not, its fewest and most decimals; None where the format
    does not fix them (the number is then judged as typed)."""
    assert shown_places(code) == places


def test_formats_are_read_only_for_a_rate_that_differs_by_less_than_half_a_point(tmp_path, monkeypatch):
    """A workbook's number formats are read from the file only when a stated rate misses the computed one by
    less than the coarsest precision a rate can state (half a percentage point): a rate equal to its formula's
    result, or wrong by more, is judged without them — and judged the same."""
    from jixiao_xl.xlsx import numfmt

    reads = []
    real = numfmt.cell_formats
    monkeypatch.setattr(numfmt, "cell_formats", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    clean = _project(tmp_path, _executed(83, 71.53, G6=71.53 / 83, **RIGHT_SCORE), {"G6": "0.00%"}, "equal.xlsx")
    assert _messages(check_path(str(clean)), "E101", "G6") == [] and reads == []
    far = _project(tmp_path, _executed(83, 71.53, G6=0.80, **RIGHT_SCORE), {"G6": "0.00%"}, "far.xlsx")
    (message,) = _messages(check_path(str(far)), "E101", "G6")
    assert "= 86.18%，现填 80.00%" in message and reads == []
    near = _project(tmp_path, _executed(83, 71.53, G6=0.8619, **RIGHT_SCORE), {"G6": "0.0%"}, "near.xlsx")
    assert _messages(check_path(str(near)), "E101", "G6") == [] and reads == [str(near)]  # shows 86.2 %: right


def test_a_workbooks_styles_are_read_once_for_all_its_forms(tmp_path, monkeypatch):
    """Three 附件3 with an indicator's 0.85 formatted 0% (read as 85 %) and a 执行率 0.8619 in a 0.0% cell (shows
    86.2 % = 71.53 ÷ 83: right): each form asks for its formats, and styles.xml is parsed once for all of them."""
    import openpyxl

    from jixiao_xl.xlsx import numfmt

    book = openpyxl.load_workbook(EXAMPLE)
    ws = book["附件3"]
    ws["F20"], ws["F20"].number_format = 0.85, "0%"
    ws["E6"], ws["E7"], ws["G6"], ws["H6"], ws["H24"] = 71.53, 71.53, 0.8619, 8.62, 98.62
    ws["G6"].number_format = "0.0%"
    for n in (2, 3):
        book.copy_worksheet(ws).title = f"附件3 ({n})"
    path = tmp_path / "three.xlsx"
    book.save(path)
    parses = []
    real = numfmt._xf_formats
    monkeypatch.setattr(numfmt, "_xf_formats", lambda archive: parses.append(1) or real(archive))
    report = check_path(str(path))
    projects = [f for f in report.forms if f.kind == "project_self_eval"]
    assert len(projects) == 3 and len(parses) == 1
    for f in projects:
        assert not [x for x in f.findings if x.code == "E101"], f.sheet  # 86.2 % as shown: right
        (h20,) = [x.message for x in f.findings if x.cell == "H20"]
        assert "完成值“85%”" in h20, h20  # 0.85 in a 0% cell is 85 %


@pytest.mark.parametrize("raw", [0.8619, 0.86, 1, 86, 86.5, "86%", "86", "0.9", "86.19%", "约86%", 1e-9, 250])
@pytest.mark.parametrize("shown", [None, (0, 0), (0, 2), (3, 3)])
def test_no_stated_rate_is_allowed_more_than_half_a_point(raw, shown):
    """rate_differs calls a rate wrong without its format beyond COARSEST_RATE: no precision may allow more."""
    from jixiao_xl.read.model import Cell
    from jixiao_xl.rules.base import COARSEST_RATE, shown_tolerance

    for percent in (True, False, None):
        cell = Cell(raw, 5, 6, "执行率")
        cell.shown, cell.percent = shown, percent
        assert shown_tolerance(cell, 0.0001, rate=True) <= COARSEST_RATE + 1e-15


@pytest.mark.parametrize("value, decimals", [
    (0.8618, 4), (0.86180000000001, 4), (5e-05, 5), (100.0, 0), (0.0, 0), (86.19, 2), (-12.25, 2), (2 / 3, 12),
    (1.5e-07, 8), (1e20, 0), (float("inf"), 0), (float("nan"), 0), (0.1 + 0.2, 1),
])
def test_the_decimals_a_number_was_typed_with(value, decimals):
    """typed_decimals reads a number at 12 significant digits: float noise is not a digit typed."""
    from jixiao_xl.rules.base import typed_decimals

    assert typed_decimals(value) == decimals
