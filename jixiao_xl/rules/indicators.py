"""附件2/附件3: the 三级指标 rows — scores, targets and reasons [spec §3]."""

from __future__ import annotations

from ..compute import expected_indicator_score
from ..findings import Rule
from ..model import SelfEval, num
from ..scoring import overachieved
from ..values import fmt_number as n, norm_label
from .base import Context, differs, r2


def _out_of_range(rule: Rule, form: SelfEval, ctx: Context):
    for ind in form.indicators:
        weight, score = num(ind.weight), num(ind.score)
        if score is None:
            continue
        if score < -1e-9 or (weight is not None and score > weight + 1e-9):
            yield rule.at(form.sheet, ind.score, r2(weight), r2(score), score=n(score), weight=n(weight))


OUT_OF_RANGE = Rule(
    "I101", "score-out-of-range", "error", "self_eval",
    "得分大于分值或小于0",
    "得分 {score} 不在 0 到分值 {weight} 之间（得分不能大于分值）",
    "每个三级指标的得分只能在0和该指标分值之间。",
    "财政部预算管理一体化系统校验“得分不能大于分值” [A]；财预〔2020〕10号 [B]",
    "分值 10，得分 12",
    "分值 10，得分 10",
    _out_of_range,
)


def _missing_reason(rule: Rule, form: SelfEval, ctx: Context):
    for ind in form.indicators:
        weight, score = num(ind.weight), num(ind.score)
        if weight is None or score is None or score >= weight - 1e-9:
            continue
        if ind.reason is None or ind.reason.blank:
            cell = ind.reason or ind.score
            yield rule.at(form.sheet, cell, "偏差原因及改进措施", None, score=n(score), weight=n(weight))


MISSING_REASON = Rule(
    "I102", "missing-deviation-reason", "error", "self_eval",
    "得分低于分值却没有填写偏差原因分析及改进措施",
    "得分 {score} 低于分值 {weight}，必须填写偏差原因分析及改进措施",
    "扣分的指标必须说明未完成的原因和改进措施，这是自评结果审核的依据。",
    "财预〔2020〕10号《项目支出绩效评价管理办法》第十二条 [B]；一体化系统“自评得分小于分值,请填写理由及依据！” [A]",
    "经济成本指标 分值 10，得分 9，偏差原因 空",
    "经济成本指标 分值 10，得分 9，偏差原因“进一步厉行节约”",
    _missing_reason,
)


def _quantitative(rule: Rule, form: SelfEval, ctx: Context):
    for ind in form.indicators:
        if ind.score.blank:
            continue
        expected = expected_indicator_score(ind, ctx.profile)
        found = ind.score.number
        if differs(found, expected, ctx.profile.tolerance_score):
            yield rule.at(form.sheet, ind.score, r2(expected), r2(found), target=ind.target.text,
                          actual=ind.actual.text, expected=n(expected), found=n(found))


QUANTITATIVE = Rule(
    "I103", "quantitative-score-mismatch", "error", "self_eval",
    "定量指标的得分与按指标值、完成值计算的分数不符",
    "指标值“{target}”、完成值“{actual}”，按规则应得 {expected} 分，现填 {found}",
    "定量指标达到指标值得满分，未达到按 完成值 ÷ 指标值 × 分值 计分；反向指标（≤）超出部分按比例扣分，"
    "超过两倍不得分；复合指标每项都达到才得满分。",
    "财预〔2020〕10号《项目支出绩效评价管理办法》第十四条 [B]；一体化系统自动计分规则 [A]",
    "指标值“≥95%”，完成值“85%”，分值 10，得分 10",
    "指标值“≥95%”，完成值“85%”，分值 10，得分 8.95",
    _quantitative,
)


def _overachievement(rule: Rule, form: SelfEval, ctx: Context):
    for ind in form.indicators:
        for quantity, actual in overachieved(ind.target.raw, ind.actual.raw, ctx.profile.scoring):
            yield rule.at(form.sheet, ind.actual, r2(quantity.value), r2(actual),
                          target=f"{n(quantity.value)}{quantity.unit}", actual=f"{n(actual)}{quantity.unit}",
                          factor=n(ctx.profile.scoring.overachievement))


OVERACHIEVEMENT = Rule(
    "I104", "overachievement", "warning", "self_eval",
    "完成值远超指标值，指标值设定可能偏低",
    "完成值 {actual} 达到指标值 {target} 的 {factor} 倍以上，指标值设定可能偏低",
    "大幅超额完成往往说明年初指标值定得太低；10号文要求对此按偏离程度扣分。阈值可配置（默认1.5倍）。",
    "财预〔2020〕10号《项目支出绩效评价管理办法》第十四条 [B]（阈值为本工具设定）",
    "指标值“≥100件”，完成值“308件”",
    "指标值“≥300件”，完成值“308件”",
    _overachievement,
)


def _band(rule: Rule, form: SelfEval, ctx: Context):
    band = ctx.profile.scoring.band_achieved
    for ind in form.indicators:
        weight, score = num(ind.weight), num(ind.score)
        if not weight or score is None or expected_indicator_score(ind, ctx.profile) is not None:
            continue
        target, actual = norm_label(ind.target.raw), norm_label(ind.actual.raw)
        if target and target == actual and score < band * weight - 1e-9:
            yield rule.at(form.sheet, ind.score, r2(band * weight), r2(score), score=n(score),
                          low=n(band * weight), weight=n(weight))


BAND = Rule(
    "I105", "qualitative-band", "warning", "self_eval",
    "定性指标的完成值与指标值相同（达成），但得分不在“达成”档（分值的80%–100%）",
    "完成值与指标值一致（达成年度指标），得分应在 {low}–{weight} 之间，现为 {score}",
    "定性指标分三档：达成 80%–100%，部分达成 60%–80%，未达成 0–60%；完成值与指标值一致即为达成。",
    "财预〔2020〕10号《项目支出绩效评价管理办法》第十四条 [B]",
    "指标值“有所改善”，完成值“有所改善”，分值 10，得分 5",
    "指标值“有所改善”，完成值“有所改善”，分值 10，得分 9",
    _band,
)


def _blank(rule: Rule, form: SelfEval, ctx: Context):
    for ind in form.indicators:
        if ind.weight.blank:
            yield rule.at(form.sheet, ind.weight, None, None, what="分值")
        elif ind.score.blank and expected_indicator_score(ind, ctx.profile) is None:
            yield rule.at(form.sheet, ind.score, None, None, what="得分")


BLANK = Rule(
    "I106", "indicator-blank", "warning", "self_eval",
    "三级指标的分值或得分未填写",
    "{what}未填写",
    "每个三级指标都要有分值和得分；定性指标的得分只能由评价人给出。",
    "财预〔2020〕10号 第十三条、第十四条 [B]",
    "生态效益指标 分值 5，得分 空",
    "生态效益指标 分值 5，得分 5",
    _blank,
)

RULES = [OUT_OF_RANGE, MISSING_REASON, QUANTITATIVE, OVERACHIEVEMENT, BAND, BLANK]
