"""The corpus of real published 自评报告 (tests/data/reports/*.json) and how the report check is scored on it.

Each file is one published report (its ``url`` and ``province``): the paragraphs that hold its arithmetic,
copied as the stored page has them, and a hand verdict for every relation between their figures
(``consistent``, ``inconsistent`` or ``unjudgeable``, with the arithmetic).  A consistent relation may name
a one-number ``change`` (``from`` → ``to`` in its paragraph) that makes it wrong.

Scoring (no workbook: only the report's own arithmetic):

* a finding is an error or a warning;
* it is *right* when it is in the paragraph of an ``inconsistent`` relation (for ``restated``: in any
  paragraph) and its message names one of that relation's figures; every other finding is a false alarm;
* a genuine inconsistency is *found* when a right finding names it;
* a change is *found* when the changed report has a new finding (not in the unchanged report's) whose message
  names the new number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "reports"
BAD = ("error", "warning")


def load() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.json"))]


def paragraphs(doc: dict, texts: list[str] | None = None):
    from jixiao_xl.narrative.document import Paragraph

    return [Paragraph(i, text, f"第{i}段") for i, text in enumerate(texts or doc["paragraphs"], 1)]


def check(doc: dict, texts: list[str] | None = None):
    from jixiao_xl.narrative.checker import check_paragraphs

    return check_paragraphs(paragraphs(doc, texts), None, doc["id"])


def _number(figure: str) -> str:
    match = re.search(r"\d+(?:\.\d+)?", figure)
    return match.group(0) if match else figure


def names(message: str, figure: str) -> bool:
    number = _number(figure)
    return re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d])", message) is not None


def _matches(finding, relation: dict) -> bool:
    where = f"第{relation['para']}段"
    if relation["kind"] != "restated" and finding.cell != where:
        return False
    return any(names(finding.message, f) for f in relation["figures"])


@dataclass
class Score:
    findings: int = 0  # errors and warnings raised
    right: int = 0
    false_alarms: list = field(default_factory=list)  # (doc id, message)
    genuine: int = 0
    found: int = 0
    missed: list = field(default_factory=list)  # (doc id, relation id)
    changes: dict = field(default_factory=dict)  # kind -> [found, total]
    changes_missed: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.findings if self.findings else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.genuine if self.genuine else 1.0

    def change_rate(self, kind: str | None = None) -> tuple[int, int]:
        rows = [v for k, v in self.changes.items() if kind is None or k == kind]
        return sum(r[0] for r in rows), sum(r[1] for r in rows)


def changed(doc: dict, relation: dict) -> list[str]:
    texts = list(doc["paragraphs"])
    i = relation["para"] - 1
    old, new = relation["change"]["from"], relation["change"]["to"]
    assert old in texts[i], (doc["id"], relation["id"], old)
    texts[i] = texts[i].replace(old, new, 1)
    return texts


def score(docs: list[dict] | None = None) -> Score:
    out = Score()
    for doc in docs or load():
        report = check(doc)
        bad = [f for f in report.findings if f.severity in BAD]
        relations = doc["relations"]
        wrong = [r for r in relations if r["verdict"] == "inconsistent"]
        out.findings += len(bad)
        for finding in bad:
            if any(_matches(finding, r) for r in wrong):
                out.right += 1
            else:
                out.false_alarms.append((doc["id"], finding.message))
        for relation in wrong:
            out.genuine += 1
            if any(_matches(f, relation) for f in bad):
                out.found += 1
            else:
                out.missed.append((doc["id"], relation["id"]))
        before = {(f.code, f.cell, f.message) for f in bad}
        for relation in relations:
            if relation["verdict"] != "consistent" or "change" not in relation:
                continue
            new = _number(relation["change"]["to"])
            after = check(doc, changed(doc, relation))
            hit = any(f.severity in BAD and (f.code, f.cell, f.message) not in before and names(f.message, new)
                      for f in after.findings)
            row = out.changes.setdefault(relation["kind"], [0, 0])
            row[0] += hit
            row[1] += 1
            if not hit:
                out.changes_missed.append((doc["id"], relation["id"]))
    return out
