"""Boundary pairs for every threshold and tolerance the rules use.

Each pair edits the corrected seed twice: once exactly at (or just inside) the
limit, where the rule must stay silent, and once just past it, where it must
report.  A threshold moved by a point, a tolerance widened or a ``>`` turned into
``>=`` fails one side of a pair.  Limits are the Hunan profile's
(``jixiao_xl.compute.profiles``): amounts ±0.005 万元, rates half the last digit they state (spec §5),
scores ±0.005, 年中追加 30%, 执行率 90%, score gap 5 points, 超额 1.5×.
"""

from __future__ import annotations

import pytest

from .helpers import by_code, check_specs, clean_seed, set_cells

LOW = {"附件3!E6": 63.08, "附件3!E7": 63.08, "附件3!G6": 0.76}  # 附件3 executed 76%, score 7.6
LOW_SCORED = {**LOW, "附件3!H6": 7.6}

TWO_LOW = {"附件3!H13": 0, "附件3!I13": "未建设", "附件3!H14": 3.8, "附件3!I14": "部分未达标"}


def _exec3(executed: float) -> dict:
    """附件3 executed at ``executed`` of its 83 with the rate and score that follow, so only the rate matters."""
    rate = executed / 83
    return {"附件3!E6": executed, "附件3!E7": executed, "附件3!G6": rate, "附件3!H6": 10 * rate}


# (rule, name, edits at the limit: silent, edits past the limit: reported)
PAIRS = [
    # B101 control rate: 78 ÷ 81 = 96.296…%; a rate is right at the precision it was typed with: 0.96296 (five
    # decimals) for 96.2963 %, not 0.96297 (no 0.01-point allowance on top)
    ("B101", "rate-number-tolerance", {"附件1!C4": 78, "附件1!D4": 0.96296}, {"附件1!C4": 78, "附件1!D4": 0.96297}),
    ("B101", "rate-text-shown-digits", {"附件1!C4": 78, "附件1!D4": "96.3%"}, {"附件1!C4": 78, "附件1!D4": "96.4%"}),
    ("B101", "rate-text-two-decimals", {"附件1!C4": 78, "附件1!D4": "96.30%"}, {"附件1!C4": 78, "附件1!D4": "96.31%"}),
    ("B101", "rate-fraction-whole-points", {"附件1!C4": 78, "附件1!D4": 0.96}, {"附件1!C4": 78, "附件1!D4": 0.95}),
    ("B102", "staff-at-establishment", {"附件1!C4": 81, "附件1!D4": None}, {"附件1!C4": 82, "附件1!D4": None}),
    # B110 三公 = 车 + 出国 + 接待 (7.54 + 0 + 5.34 = 12.88) within 0.005 万元
    ("B110", "sum-tolerance", {"附件1!D6": 12.884}, {"附件1!D6": 12.886}),
    ("B111", "car-sum-tolerance", {"附件1!B7": 9.004}, {"附件1!B7": 9.006}),
    ("B112", "project-sum-tolerance", {"附件1!D12": 440.324}, {"附件1!D12": 440.326}),
    ("B113", "special-sum-tolerance", {"附件1!C15": 83.004}, {"附件1!C15": 83.006}),
    ("B114", "parts-at-total", {"附件1!D26": 282.364}, {"附件1!D26": 282.366}),  # 57.91 + D26 ≤ 340.27
    ("B114", "parts-exactly-half-a-cent-above", {"附件1!D26": 282.365}, {"附件1!D26": 282.366}),
    # B120 三公 control rate 12.88+x ÷ 17 above 100%
    ("B120", "sangong-at-budget", {"附件1!D6": 17, "附件1!D11": 9.46}, {"附件1!D6": 17.01, "附件1!D11": 9.47}),
    ("B121", "public-funds-at-budget", {"附件1!D25": 268.49}, {"附件1!D25": 268.5}),
    ("B122", "sangong-spent-tolerance", {"附件1!C6": 0, "附件1!C7": 0, "附件1!C9": 0, "附件1!C11": 0,
                                         "附件1!D6": 0.005, "附件1!D7": 0, "附件1!D11": 0.005},
     {"附件1!C6": 0, "附件1!C7": 0, "附件1!C9": 0, "附件1!C11": 0, "附件1!D6": 0.006, "附件1!D7": 0,
      "附件1!D11": 0.006}),
    # ... 110.005 % is 110.01 % rounded; 110.004 % is not
    ("B130", "scale-rate-tolerance", {"附件1!B32": 1000, "附件1!C32": 1100.05, "附件1!D32": 1.1001},
     {"附件1!B32": 1000, "附件1!C32": 1100.04, "附件1!D32": 1.1001}),
    # ... a rate typed "96.3%" stands for 96.25%–96.35% (half its last digit, in points); "96%" for 95.5%–96.5%
    ("B130", "rate-text-one-decimal", {"附件1!B32": 1000, "附件1!C32": 962.502, "附件1!D32": "96.3%"},
     {"附件1!B32": 1000, "附件1!C32": 962.498, "附件1!D32": "96.3%"}),
    ("B101", "rate-text-whole-percent", {"附件1!C4": 78, "附件1!D4": "96%"}, {"附件1!C4": 78, "附件1!D4": "95%"}),
    # ... a small rate typed as percent keeps its points (2.4% is not a fraction 2.4 read to 2 decimals)
    ("B130", "small-rate-text", {"附件1!B32": 1000, "附件1!C32": 24.1, "附件1!D32": "2.4%"},
     {"附件1!B32": 1000, "附件1!C32": 24.1, "附件1!D32": "2.5%"}),
    # ... a fraction typed with 3 decimals stands for ±0.0005 (0.963 for 96.25%–96.35%)
    ("B130", "rate-fraction-three-decimals", {"附件1!B32": 1000, "附件1!C32": 962.55, "附件1!D32": 0.963},
     {"附件1!B32": 1000, "附件1!C32": 962.49, "附件1!D32": 0.963}),
    # ... a rate saved in scientific notation (a formula's tiny result, 5e-05) is read at its five decimals
    ("B130", "rate-in-scientific-notation", {"附件1!B32": 100000, "附件1!C32": 5, "附件1!D32": 5e-05},
     {"附件1!B32": 100000, "附件1!C32": 300, "附件1!D32": 5e-05}),
    ("B131", "scale-at-approved", {"附件1!B32": 1000, "附件1!C32": 1000.004}, {"附件1!B32": 1000, "附件1!C32": 1000.006}),
    ("B131", "scale-exactly-half-a-cent-above", {"附件1!B32": 1000, "附件1!C32": 1000.005},
     {"附件1!B32": 1000, "附件1!C32": 1000.006}),
    # E: execution (附件2 1762.55 of 1762.55; 附件3 83 of 83)
    # E101: 71.53 ÷ 83 = 86.1807 %: 0.8618 is it to four decimals, 0.8619 is not (no 0.01-point allowance)
    ("E101", "rate-tolerance", {"附件3!E6": 71.53, "附件3!E7": 71.53, "附件3!G6": 0.8618, "附件3!H6": 8.62},
     {"附件3!E6": 71.53, "附件3!E7": 71.53, "附件3!G6": 0.8619, "附件3!H6": 8.62}),
    ("E101", "rate-text-shown-digits", {"附件2!G5": "100.0%"}, {"附件2!G5": "100.1%"}),
    ("E102", "executed-at-budget", {"附件3!E6": 83, "附件3!E7": 83}, {"附件3!E6": 83.01, "附件3!E7": 83.01}),
    ("E104", "score-tolerance", {**LOW, "附件3!H6": 7.604}, {**LOW, "附件3!H6": 7.606}),
    ("E104", "whole-score-is-not-rounded", {**LOW, "附件3!H6": 7.6}, {**LOW, "附件3!H6": 8}),
    ("E104", "score-shown-digits", {**LOW, "附件3!H6": "7.6"}, {**LOW, "附件3!H6": "7.5"}),
    # E105 (全年 1762.55 − 年初) ÷ 年初 above 30%: 年初 1762.55 ÷ 1.3 = 1355.8077
    ("E105", "addition-at-30-percent", {"附件2!C5": 1355.81}, {"附件2!C5": 1355.80}),
    ("E106", "low-exec-at-90-percent", _exec3(74.7), _exec3(74.69)),
    # E107 indicator scores at 100% against 执行率: a gap above 5 points is reported
    ("E107", "score-gap-at-5-points", _exec3(78.85), _exec3(78.84)),
    # ... and any gap once more than 20% of the budget is unexecuted (indicators at 73.8/90 = 82%)
    ("E107", "unexecuted-at-20-percent", {**_exec3(66.4), **TWO_LOW}, {**_exec3(65.57), **TWO_LOW}),
    ("E108", "adjustment-tolerance", {"附件2!I4": "调整预算数", "附件2!I5": 524.194},
     {"附件2!I4": "调整预算数", "附件2!I5": 524.196}),
    # I: indicators (附件2 H14 weight 10; H21 ≥95% satisfaction)
    ("I101", "score-at-weight", {"附件2!H15": 10}, {"附件2!H15": 10.01}),
    ("I101", "score-at-zero", {"附件2!H14": 0, "附件2!I14": "未开展"}, {"附件2!H14": -0.01, "附件2!I14": "未开展"}),
    ("I103", "satisfaction-at-target", {"附件2!F21": "95%"}, {"附件2!F21": "94.9%"}),
    ("I103", "score-tolerance", {"附件2!F21": "85%", "附件2!H21": 8.954, "附件2!I21": "未达标"},
     {"附件2!F21": "85%", "附件2!H21": 8.956, "附件2!I21": "未达标"}),
    ("I103", "score-exactly-half-a-cent-above", {"附件2!F21": "85%", "附件2!H21": 8.955, "附件2!I21": "未达标"},
     {"附件2!F21": "85%", "附件2!H21": 8.956, "附件2!I21": "未达标"}),
    ("I107", "score-tolerance", {"附件2!F21": "85%", "附件2!H21": 8.946, "附件2!I21": "未达标"},
     {"附件2!F21": "85%", "附件2!H21": 8.944, "附件2!I21": "未达标"}),
    ("I107", "score-exactly-half-a-cent-below", {"附件2!F21": "85%", "附件2!H21": 8.945, "附件2!I21": "未达标"},
     {"附件2!F21": "85%", "附件2!H21": 8.944, "附件2!I21": "未达标"}),
    # E105: exactly 30% added is not above 30% (initial 100, full 130)
    ("E105", "addition-exactly-30-percent", {"附件2!C5": 1500, "附件3!C6": 100, "附件3!D6": 130},
     {"附件2!C5": 1500, "附件3!C6": 100, "附件3!D6": 130.01}),
    ("I104", "overachieved-below-1.5", {"附件2!E14": "4次法治宣传，2次学法考试", "附件2!F14": "组织法治宣传5次，组织学法考试2次"},
     {"附件2!E14": "4次法治宣传，2次学法考试", "附件2!F14": "组织法治宣传6次，组织学法考试2次"}),
    ("I105", "score-at-band", {"附件2!H17": 8, "附件2!I17": "有待提高"}, {"附件2!H17": 7.99, "附件2!I17": "有待提高"}),
    # W: weights and totals within 0.005
    ("W101", "level-weight-tolerance", {"附件2!B14": "产出指标(30.004分)"}, {"附件2!B14": "产出指标(30.006分)"}),
    ("W103", "total-weight-tolerance", {"附件2!G25": 100.004}, {"附件2!G25": 100.006}),
    ("W104", "total-score-tolerance", {"附件2!H25": 99.004}, {"附件2!H25": 99.006}),
    ("W106", "grade-excellent-from-90", {"附件2!H25": 90, "附件2!I25": "等级：优"},
     {"附件2!H25": 89.99, "附件2!I25": "等级：优"}),
    ("W106", "grade-good-from-80", {"附件2!H25": 80, "附件2!I25": "等级：良"}, {"附件2!H25": 79.99, "附件2!I25": "等级：良"}),
    ("W106", "grade-fair-from-60", {"附件2!H25": 60, "附件2!I25": "等级：中"}, {"附件2!H25": 59.99, "附件2!I25": "等级：中"}),
    # F and X: amounts within 0.005 万元
    ("F101", "income-tolerance", {"附件2!B7": "其中：一般公共预算：1762.554"}, {"附件2!B7": "其中：一般公共预算：1762.556"}),
    ("F103", "sources-tolerance", {"附件3!D7": 83.004}, {"附件3!D7": 82.994}),
    ("X101", "project-tolerance", {"附件2!E8": "项目支出：440.324", "附件2!E7": "其中：基本支出：1322.226"},
     {"附件2!E8": "项目支出：440.326", "附件2!E7": "其中：基本支出：1322.224"}),
    ("X102", "project-at-dept", {f"附件3!{c}{r}": 440.324 for c in "CDE" for r in (6, 7)},
     {f"附件3!{c}{r}": 440.326 for c in "CDE" for r in (6, 7)}),
    ("X102", "project-exactly-half-a-cent-above", {f"附件3!{c}{r}": 440.325 for c in "CDE" for r in (6, 7)},
     {f"附件3!{c}{r}": 440.326 for c in "CDE" for r in (6, 7)}),
    # X101 once 附件2 is partly executed: 附件1 may spend up to 附件2's project budget + 0.005
    ("X101", "partly-executed-spending-at-budget",
     {"附件2!E5": 1700, "附件2!E8": "项目支出：440.315", "附件2!E7": "其中：基本支出：1322.235"},
     {"附件2!E5": 1700, "附件2!E8": "项目支出：440.314", "附件2!E7": "其中：基本支出：1322.236"}),
]


@pytest.mark.parametrize("code,name,silent,reported", PAIRS, ids=[f"{p[0]}-{p[1]}" for p in PAIRS])
def test_boundary_pair(code, name, silent, reported):
    quiet_report = check_specs(set_cells(clean_seed(), dict(silent)))
    quiet = by_code(quiet_report, code) + by_code(quiet_report, "R900")
    assert quiet == [], [f.message for f in quiet]
    loud_report = check_specs(set_cells(clean_seed(), dict(reported)))
    assert by_code(loud_report, "R900") == [], by_code(loud_report, "R900")[0].message
    assert by_code(loud_report, code), f"{code} did not report just past its limit"
