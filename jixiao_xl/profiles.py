"""Scoring profiles: the weights and thresholds that differ by province.

hunan (default): the seed's form — 执行率 10, 产出 30, 效益 30, 满意度 10, 成本 20.
national: 财预〔2020〕10号 第十三条 — 执行率 10, 产出 50, 效益 30, 满意度 10
(成本 is a 二级 under 产出).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .scoring import Scoring


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    exec_weight: float
    level1: dict[str, float]
    exec_mode: str = "proportional"  # proportional | jiangxi
    scoring: Scoring = field(default_factory=Scoring)
    addition_threshold: float = 0.30  # (全年 − 年初) ÷ 年初 above this → warning
    low_exec: float = 0.90  # 执行率 below this needs an explanation
    score_gap: float = 0.05  # indicator score rate above 执行率 by more → warning
    unexecuted: float = 0.20  # (预算 − 执行) ÷ 预算 above this → warning
    tolerance_amount: float = 0.005  # 万元
    tolerance_rate: float = 0.0001  # 0.01 percentage point
    tolerance_score: float = 0.005


PROFILES = {
    "hunan": Profile(
        "hunan", "湖南", 10,
        {"产出指标": 30, "效益指标": 30, "满意度指标": 10, "成本指标": 20},
    ),
    "national": Profile(
        "national", "全国（财预〔2020〕10号）", 10,
        {"产出指标": 50, "效益指标": 30, "满意度指标": 10},
    ),
}


def get_profile(name: str = "hunan", **overrides) -> Profile:
    """A profile by name, with any field overridden (exec_mode="jiangxi", ...)."""
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"未知的评分口径：{name}（可选：{'、'.join(PROFILES)}）") from None
    scoring_fields = {k: overrides.pop(k) for k in list(overrides) if k in Scoring.__dataclass_fields__}
    if scoring_fields:
        overrides["scoring"] = replace(profile.scoring, **scoring_fields)
    return replace(profile, **overrides) if overrides else profile
