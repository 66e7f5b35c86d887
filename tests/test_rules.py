"""Every rule's named pass and fail cases, run through the real reader; plus meta-tests."""

from __future__ import annotations

import pytest

from jixiao_xl import rules as R
from jixiao_xl.rules import basic

from .helpers import by_code, check_specs, check_with_history, clean_seed, seed_last_year, set_cells
from .rule_cases import CASES, UNSET


def _crash(rule, form, ctx):
    raise ZeroDivisionError("boom")


def _inject_crash(monkeypatch):
    """Make B110 raise, as a rule with a bug would."""
    import jixiao_xl.rules.check as engine

    crashing = R.Rule(**{**basic.SANGONG_SUM.__dict__, "check": _crash})
    monkeypatch.setattr(engine, "RULES", [crashing if r is basic.SANGONG_SUM else r for r in R.RULES])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_case(case, monkeypatch, tmp_path):
    if case.code == "R900" and case.outcome == "fail":
        _inject_crash(monkeypatch)
    specs = set_cells(case.sheets(), dict(case.edits))
    if case.previous is not None:
        report = check_with_history(specs, seed_last_year(case.previous), tmp_path, case.profile)
    else:
        report = check_specs(specs, case.profile)
    found = by_code(report, case.code)
    if case.code != "R900":
        assert by_code(report, "R900") == [], "a rule crashed: " + by_code(report, "R900")[0].message
    if case.outcome == "pass":
        assert found == [], [f.message for f in found]
        return
    assert found, f"{case.code} did not report; got {[f.code for f in report.all_findings()]}"
    locations = [(f.sheet, f.cell) for f in found]
    assert (case.sheet, case.cell) in locations, locations
    assert case.expected is not UNSET and case.found is not UNSET, f"{case.id} must state expected and found"
    values = [(f.expected, f.found) for f in found if (f.sheet, f.cell) == (case.sheet, case.cell)]
    assert any(_same(e, case.expected) and _same(v, case.found) for e, v in values), values
    for finding in found:
        assert finding.message.startswith(f"[{finding.sheet}]" if finding.sheet else "评分口径：")  # P001: the workbook
        assert finding.severity == R.BY_CODE[case.code].severity


def _same(value, stated) -> bool:
    """Exact for text and None; numbers to 1e-9 (a rate's 4th decimal or an amount's cent is a wrong number)."""
    if isinstance(value, bool) or isinstance(stated, bool) or value is None or stated is None:
        return value is stated or value == stated
    if isinstance(value, (int, float)) and isinstance(stated, (int, float)):
        return value == pytest.approx(stated, abs=1e-9)
    return value == stated


def test_clean_seed_has_only_expected_findings():
    report = check_specs(clean_seed())
    assert sorted({f.code for f in report.all_findings()}) == ["B121", "D001", "E105"]


def test_crashing_rule_does_not_stop_other_rules(monkeypatch):
    _inject_crash(monkeypatch)
    report = check_specs(clean_seed())
    crashed = by_code(report, "R900")
    assert len(crashed) == 1 and "校验规则 B110 运行出错（程序内部错误）" in crashed[0].message
    assert "ZeroDivisionError" not in crashed[0].message  # Chinese only
    assert by_code(report, "B121")  # later rules still ran


# ------------------------------------------------------------------ meta


@pytest.mark.parametrize("rule", R.RULES, ids=lambda r: r.code)
def test_every_rule_is_documented(rule):
    assert rule.code[0] in "BEIWFXNSDPHR" and len(rule.code) == 4
    assert rule.severity in ("error", "warning", "info")
    for text in (rule.summary, rule.template, rule.why, rule.source, rule.bad, rule.good):
        assert text and text.strip()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.summary)
    explained = rule.explain()
    assert rule.code in explained and "依据" in explained and "错误示例" in explained


# Rules whose good example alone does not tell a user what to do (or whose behaviour a user meets changed): explain
# says it under 怎么办.  W102/W106: a total whose 分值 do not make 100 gets no 等级 and the stated one is not checked.
SAYS_WHAT_TO_DO = ["S007", "S008", "W102", "W106", "W109", "W110", "W111", "T304"]


@pytest.mark.parametrize("code", SAYS_WHAT_TO_DO)
def test_explain_says_what_to_do(code, capsys):
    from jixiao_xl.cli import main

    assert main(["explain", code]) == 0
    out = capsys.readouterr().out
    assert out.startswith(code) and "错误示例：" in out and "正确示例：" in out
    todo = out.split("怎么办：", 1)[1] if "怎么办：" in out else ""
    assert len(todo.strip()) >= 20 and any("\u4e00" <= ch <= "\u9fff" for ch in todo), out


def test_explain_says_a_total_off_100_gets_no_grade(capsys):
    from jixiao_xl.cli import main

    for code in ("W102", "W106"):
        assert main(["explain", code]) == 0
        out = capsys.readouterr().out
        assert "不是 100" in out and "等级" in out, out


@pytest.mark.parametrize("rule", R.RULES, ids=lambda r: r.code)
def test_every_rule_has_pass_and_fail_cases(rule):
    outcomes = {c.outcome for c in CASES if c.code == rule.code}
    assert outcomes == {"pass", "fail"}, f"{rule.code} needs named pass and fail cases in tests/rule_cases.py"


def test_rules_citing_documents_name_the_number():
    for rule in R.RULES:
        if "10号" in rule.source:
            assert "财预〔2020〕10号" in rule.source, rule.code
        if "53号" in rule.source:
            assert "财预〔2013〕53号" in rule.source, rule.code


def test_case_names_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_rule_is_built_with_keywords_and_checked():
    fields = {k: v for k, v in basic.STAFF_RATE.__dict__.items()}
    with pytest.raises(TypeError):
        R.Rule(*fields.values())  # positional records could swap summary and why silently
    for bad in ({"severity": "fatal"}, {"scope": "annex9"}, {"code": "B1010"}, {"check": None}):
        with pytest.raises(ValueError):
            R.Rule(**{**fields, **bad})


def test_finding_keeps_values_apart_from_message_text():
    """The JSON values stay plain numbers while the message shows them formatted."""
    report = check_specs(set_cells(clean_seed(), {"附件1!C4": 78}))
    [finding] = by_code(report, "B101")
    assert (finding.expected, finding.found) == (0.963, 1.0)
    assert "96.30%" in finding.message and "100.00%" in finding.message
    with pytest.raises(TypeError):
        basic.STAFF_RATE.at("附件1", None, 0.963, 1.0)  # values only by name


@pytest.mark.parametrize("edits, expected", [
    ({"附件2!B7": "其中：一般公共预算：1700"},
     [("F101", "B7", 1762.55, 1700.0, "= 1700 + 0 + 0 + 0 = 1700 应等于 按收入性质分合计 1762.55")]),
    ({"附件2!B6": "按收入性质分：1800"},
     [("F101", "B6", 1762.55, 1800.0, "应等于 年度资金总额（全年预算数）1762.55，现为 1800"),
      ("F101", "B7", 1800.0, 1762.55, "= 1762.55 + 0 + 0 + 0 = 1762.55 应等于 按收入性质分合计 1800")]),
    ({"附件2!E8": "项目支出：400", "附件2!E6": "按支出性质分：1722.23"},
     [("F102", "E6", 1762.55, 1722.23, "应等于 年度资金总额（全年预算数）1762.55，现为 1722.23")]),
    ({"附件2!E8": "项目支出：300"},
     [("F102", "E7", 1762.55, 1622.23, "基本支出 + 项目支出 = 1322.23 + 300 = 1622.23 应等于 按支出性质分合计 1762.55")]),
    ({}, []),
])
def test_fund_breakdown_when_the_diagnosis_gives_up(monkeypatch, edits, expected):
    """A breakdown too tangled for the repair search (its trial budget spent): F101/F102 compare the sums as typed."""
    from jixiao_xl.compute import diagnose

    monkeypatch.setattr(diagnose, "MAX_TRIALS", 0)
    report = check_specs(set_cells(clean_seed(), edits))
    found = [(f.code, f.cell, f.expected, f.found, f.message)
             for code in ("F101", "F102") for f in by_code(report, code)]
    assert [(c, cell, e, v) for c, cell, e, v, _ in found] == [(c, cell, e, v) for c, cell, e, v, _ in expected]
    for (*_, message), (*_, words) in zip(found, expected):
        assert words in message


@pytest.mark.parametrize(("cell", "typed", "shown"), [("附件1!D4", "-50%", "现填 -50.00%"), ("附件1!D4", -0.5, "现填 -50.00%"),
                                                     ("附件1!B4", -3, "现填 -3"), ("附件1!D11", -5.34, "现填 -5.34")])
def test_negative_value_is_shown_as_typed(cell, typed, shown):
    """N002 names a negative rate as a percentage (what the user typed), a count or an amount as a number."""
    (finding,) = by_code(check_specs(set_cells(clean_seed(), {cell: typed})), "N002")
    assert finding.message.endswith(f"不能为负数，{shown}")


_EMPTY_CLAUSE = __import__("re").compile(r"[（(][\s:：，,；;]*(?:改正后|使|其中|即|如)?[\s:：，,；;]*[）)]")


def test_no_message_has_an_empty_clause():
    """No finding of the rule-case corpus says "（改正后 ）" or another clause with nothing in it."""
    bad = []
    for case in CASES:
        if case.code == "R900":
            continue
        report = check_specs(set_cells(case.sheets(), dict(case.edits)), case.profile)
        bad += [f"{case.id}: {f.message}" for f in report.all_findings() if _EMPTY_CLAUSE.search(f.message)]
    assert bad == []
