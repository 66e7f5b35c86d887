"""The rule set: a plain list, grouped by concern, each rule with a stable code.

Code prefixes: B 附件1 基础数据表, E 执行率, I 三级指标, W 分值与总分, F 资金构成,
X 跨表, N 数值, S 表格结构, D 可自动填写, P 评分口径, H 跨年（--store）, R 本工具自身.
"""

from __future__ import annotations

from .findings import Rule
from . import basic, crossform, execution, funds, general, history, indicators, weights


def _crashed(rule, form, ctx):  # pragma: no cover - never called; the runner reports crashes
    return ()


CRASHED = Rule(
    code="R900", name="rule-crashed", severity="warning", scope="any",
    summary="某条校验规则在这份表格上运行出错，该规则的结论缺失",
    template="校验规则 {code} 运行出错（{error}），该项未能校验，请把文件发给维护者",
    why="一条规则出错不应让整份校验中断；出错的规则记为一条警告，其余规则照常运行。",
    source="本工具的运行约定",
    bad="规则 B110 遇到意外数据而中断",
    good="其余规则照常给出结论",
    check=_crashed,
)

RULES: list[Rule] = (
    general.RULES + basic.RULES + execution.RULES + indicators.RULES + weights.RULES + funds.RULES
    + crossform.RULES + history.RULES + [CRASHED]
)
BY_CODE = {rule.code: rule for rule in RULES}
assert len(BY_CODE) == len(RULES), "duplicate rule code"
