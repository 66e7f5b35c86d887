"""259 real indicator rows from published self-evaluation tables of 10 provinces (tests/data/).

``indicator_rows.jsonl`` holds each row verbatim with the address it was published at;
``indicator_verdicts.jsonl`` holds an independent reviewer's reading of the same rows
(met / missed / unclear), made without this project's parser.  The parser may be more
cautious than the reviewer (unclear), never the opposite of the reviewer, and no row the
reviewer reads as met may give an error, whatever score it carries.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from jixiao_xl.read.model import Cell, Indicator, Level1, SelfEval
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.rules import indicators
from jixiao_xl.rules.base import Context
from jixiao_xl.compute.targets import judge

DATA = Path(__file__).parent / "data"
ROWS = [json.loads(line) for line in (DATA / "indicator_rows.jsonl").read_text(encoding="utf-8").splitlines()]
VERDICTS = [json.loads(line) for line in (DATA / "indicator_verdicts.jsonl").read_text(encoding="utf-8").splitlines()]
OURS = {True: "met", False: "missed", None: "unclear"}


def test_corpus_is_real_and_wide():
    assert len(ROWS) == len(VERDICTS) >= 250
    assert [v["line"] for v in VERDICTS] == list(range(1, len(ROWS) + 1))
    assert len({r["province"] for r in ROWS}) >= 5
    assert all(r["source"].startswith("http") for r in ROWS)


def _judge(row):
    return judge(row["target"], row["actual"], row["weight"] or 10, level1=row["level1"], level2=row["level2"],
                 name=row["level3"])


@pytest.mark.parametrize("row, verdict", list(zip(ROWS, VERDICTS)), ids=[f"line{v['line']}" for v in VERDICTS])
def test_row_is_never_read_against_the_reviewer(row, verdict):
    judged = _judge(row)
    ours = OURS[judged.met]
    assert ours == verdict["verdict"] or ours == "unclear" or verdict["verdict"] == "unclear" and ours == "met", (
        f"{row['target']!r} / {row['actual']!r}: reviewer {verdict['verdict']} ({verdict['why']}), "
        f"parser {ours}: {judged.explain()}")
    if judged.met is None:
        assert judged.why  # every undecided row says why
    else:
        assert judged.explain().startswith("读作：")


def test_agreement_with_the_reviewer():
    pairs = Counter((v["verdict"], OURS[_judge(r).met]) for r, v in zip(ROWS, VERDICTS))
    decided = sum(n for (theirs, _), n in pairs.items() if theirs != "unclear")
    agreed = pairs[("met", "met")] + pairs[("missed", "missed")]
    assert pairs[("met", "missed")] == pairs[("missed", "met")] == 0
    assert agreed / decided >= 0.85, pairs


def _form(rows) -> SelfEval:
    level = Level1("产出指标", Cell("产出指标", 0, 0, "一级指标"), None)
    for i, row in enumerate(rows):
        weight = next(v for v in (row["weight"], row["score"], 10) if v is not None)  # tables without 分值
        score = row["score"] if row["score"] is not None else weight

        def cell(value, col, what, i=i, row=row):
            return Cell(value, i, col, f"{row['level3']} {what}")

        level.indicators.append(Indicator(i, row["level1"], row["level2"], cell(row["level3"], 3, "三级指标"),
                                          cell(row["target"], 4, "年度指标值"), cell(row["actual"], 5, "实际完成值"),
                                          cell(weight, 6, "分值"), cell(score, 7, "得分"),
                                          cell(row["reason"], 8, "偏差原因")))
    return SelfEval("project_self_eval", "附件3", "项目支出绩效自评表", 2023, levels=[level])


def test_no_row_that_meets_its_target_gets_an_error_even_at_full_marks():
    met = [r for r, v in zip(ROWS, VERDICTS) if v["verdict"] == "met"]
    full = [dict(r, score=r["weight"]) for r in met]
    ctx = Context(get_profile())
    for rows in (met, full):
        form = _form(rows)
        for rule in indicators.RULES:
            errors = [f for f in rule.check(rule, form, ctx) if f.severity == "error" and rule.code != "I102"]
            assert errors == [], [f.message for f in errors]


def test_errors_on_the_corpus_are_real_shortfalls():
    """Every I103 the corpus raises is on a row the reviewer read as missed, with expected < found."""
    form = _form(ROWS)
    found = list(indicators.QUANTITATIVE.check(indicators.QUANTITATIVE, form, Context(get_profile())))
    assert found
    for finding in found:
        row = int(finding.cell[1:]) - 1
        assert VERDICTS[row]["verdict"] == "missed", (finding.message, VERDICTS[row])
        assert finding.expected < finding.found
