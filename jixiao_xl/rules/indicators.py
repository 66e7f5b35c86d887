"""附件2/附件3: the 三级指标 rows — scores, targets and reasons [spec §3]."""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache

from .findings import Rule
from ..read.model import SelfEval, num
from ..compute.targets import overachieved
from ..read.values import fmt_number as n, norm_label
from .base import Context, r2, shown_tolerance


def _out_of_range(rule: Rule, form: SelfEval, ctx: Context):
    for row in ctx.rows(form):
        ind, weight, score = row.ind, row.weight, row.score
        if score is None:
            continue
        if score < -1e-9 or (weight is not None and score > weight + 1e-9):
            if score > 0 and above_rule(row, ctx):
                continue  # I103 says it at this cell, with the rule's score and the 分值: one finding per fault
            yield rule.at(form.sheet, ind.score, expected=r2(weight), found=r2(score),
                          text=dict(score=n(score), weight=n(weight),
                                    why="得分不能为负" if score < 0 else "得分不能大于分值"))


OUT_OF_RANGE = Rule(
    code="I101", name="score-out-of-range", severity="error", scope="self_eval",
    summary="得分大于分值或小于0",
    template="得分 {score} 不在 0 到分值 {weight} 之间（{why}）",
    why="每个三级指标的得分只能在0和该指标分值之间。",
    source="财政部预算管理一体化系统校验“得分不能大于分值” [A]；财预〔2020〕10号 [B]",
    bad="分值 10，得分 12",
    good="分值 10，得分 10",
    check=_out_of_range,
)


def _missing_reason(rule: Rule, form: SelfEval, ctx: Context):
    for row in ctx.rows(form):
        ind, weight, score = row.ind, row.weight, row.score
        if weight is None or score is None or score >= weight - 1e-9:
            continue
        if ind.reason is None or ind.reason.blank:
            cell = ind.reason or ind.score
            yield rule.at(form.sheet, cell, expected="偏差原因及改进措施", found=None,
                          text=dict(score=n(score), weight=n(weight)))


MISSING_REASON = Rule(
    code="I102", name="missing-deviation-reason", severity="error", scope="self_eval",
    summary="得分低于分值却没有填写偏差原因分析及改进措施",
    template="得分 {score} 低于分值 {weight}，必须填写偏差原因分析及改进措施",
    why="扣分的指标必须说明未完成的原因和改进措施，这是自评结果审核的依据。",
    source="财预〔2020〕10号《项目支出绩效评价管理办法》第十二条 [B]；一体化系统“自评得分小于分值,请填写理由及依据！” [A]",
    bad="经济成本指标 分值 10，得分 9，偏差原因 空",
    good="经济成本指标 分值 10，得分 9，偏差原因“进一步厉行节约”",
    check=_missing_reason,
)


def shown(cell) -> str:
    """A target or actual as the user sees it: 0.85 formatted 0% is 85%, 90.0 is 90, a date a date."""
    raw = cell.raw
    if isinstance(raw, _dt.date):
        return (raw.date() if isinstance(raw, _dt.datetime) else raw).isoformat()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return f"{n(raw * 100)}%" if cell.percent else n(raw)
    return str(raw).strip() if isinstance(raw, str) else cell.text


def _scored(form: SelfEval, ctx: Context):
    """(indicator, judgement, rule's score, typed score, tolerance at the digits typed) of every row with both."""
    for row in ctx.rows(form):
        ind = row.ind
        if ind.score is None or ind.score.blank or row.weight is None:
            continue
        expected, found = row.expected, row.score
        if expected is not None and found is not None:
            yield ind, row.judged, expected, found, shown_tolerance(ind.score, ctx.profile.tolerance_score)


def _above(judged, weight: float, expected: float, found: float, tolerance: float) -> bool:
    """I103's test: the typed score above the rule's (or full marks for a target missed)."""
    full_for_a_miss = judged.met is False and found >= weight - 1e-9 and expected < found
    return full_for_a_miss or found > expected + tolerance + 1e-9


def above_rule(row, ctx: Context) -> bool:
    """I103 reports the row (a quantitative score above what the rule allows): I101 leaves a score above its 分值
    to it, so one cell gets one finding for one fault, the one with the rule's score in it."""
    ind = row.ind
    if ind.score is None or ind.score.blank or row.weight is None or row.expected is None or row.score is None:
        return False
    return _above(row.judged, row.weight, row.expected, row.score,
                  shown_tolerance(ind.score, ctx.profile.tolerance_score))


def _quantitative(rule: Rule, form: SelfEval, ctx: Context):
    for ind, judged, expected, found, tolerance in _scored(form, ctx):
        weight = num(ind.weight)
        if not _above(judged, weight, expected, found, tolerance):
            continue
        over = f"（分值 {n(weight)}，得分不能大于分值）" if found > weight + 1e-9 else ""
        yield rule.at(form.sheet, ind.score, expected=r2(expected), found=r2(found),
                      text=dict(target=shown(ind.target), actual=shown(ind.actual), reading=judged.explain(),
                                expected=n(expected), found=n(found), rules=ctx.profile.label, over=over))


QUANTITATIVE = Rule(
    code="I103", name="quantitative-score-above-rule", severity="error", scope="self_eval",
    summary="定量指标的得分高于按指标值、完成值计算的分数",
    template="指标值“{target}”、完成值“{actual}”（{reading}），按{rules}口径的计分规则最多得 {expected} 分{over}，"
    "现填 {found}",
    why="定量指标达到指标值得满分；未达到的按 完成值 ÷ 指标值 × 分值 计分；反向指标（≤，含成本金额、办理时限）"
    "超出部分按比例扣分，超过两倍不得分；复合指标按名称和单位逐项对应，每项都达到才得满分。"
    "指标值怎样读：≥ ≤ > < ＝ 及 不低于、不少于、不小于、达到、以上 读作“至少”，不高于、不超过、不大于、控制在、"
    "以下、以内、内 读作“至多”；“较上年提高/下降 X%”按变化幅度比较；“12月底前”“2023年12月31日前”“年底前”"
    "“上半年”按日期比较，完成值写“按时/按期完成”或“延期/滞后”也可判断；中文数字（两个、三十）、全角字符、负数"
    "“-2%”“(5.34)”、千分位“830,000元”都能识别；元/千元/万元/亿元、天/日/个工作日/周/月、%/‰、人/人次/次/件等"
    "按单位换算后比较。没有比较符号时：成本指标的金额、时效指标的时限越低越好，名称含调整率、结转结余、控制率、"
    "差错、投诉等的越低越好，数量/质量/效益/满意度越高越好，其余按相等判断。读不准的指标（没有数字、单位对不上、"
    "复合指标无法逐项对应、完成值是不带单位的小数而指标值是很小的百分比）一律按定性指标处理，不报错误。"
    "只有得分高于规则允许的分数才是错误；低于规则分数属于评价人的扣分，见 I107。",
    source="财预〔2020〕10号《项目支出绩效评价管理办法》第十四条；财政部预算管理一体化系统自动计分规则",
    bad="指标值“≥95%”，完成值“85%”，分值 10，得分 10",
    good="指标值“≥95%”，完成值“85%”，分值 10，得分 8.95",
    check=_quantitative,
)


def _overachievement(rule: Rule, form: SelfEval, ctx: Context):
    for row in ctx.rows(form):
        for pair in overachieved(row.judged, ctx.profile.scoring):
            yield rule.at(form.sheet, row.ind.actual, expected=r2(pair.target.value), found=r2(pair.actual.value),
                          text=dict(target=pair.target.shown(actual=True), actual=pair.actual.shown(actual=True),
                                    factor=n(ctx.profile.scoring.overachievement)))


OVERACHIEVEMENT = Rule(
    code="I104", name="overachievement", severity="warning", scope="self_eval",
    summary="完成值远超指标值，指标值设定可能偏低",
    template="完成值 {actual} 达到指标值 {target} 的 {factor} 倍以上，指标值设定可能偏低",
    why="大幅超额完成往往说明年初指标值定得太低；10号文要求对此按偏离程度扣分。阈值可配置（默认1.5倍）。"
    "只对越高越好的数量、比率比较（不含较上年变化和日期）。",
    source="财预〔2020〕10号《项目支出绩效评价管理办法》第十四条（阈值为本工具设定）",
    bad="指标值“≥100件”，完成值“308件”",
    good="指标值“≥300件”，完成值“308件”",
    check=_overachievement,
)


def _below_rule(rule: Rule, form: SelfEval, ctx: Context):
    for ind, judged, expected, found, tolerance in _scored(form, ctx):
        if found >= expected - tolerance - 1e-9:
            continue
        yield rule.at(form.sheet, ind.score, expected=r2(expected), found=r2(found),
                      text=dict(reading=judged.explain(),
                                expected=n(expected), found=n(found)))


BELOW_RULE = Rule(
    code="I107", name="score-below-rule", severity="info", scope="self_eval",
    summary="得分低于按指标值、完成值计算的分数（评价人扣分）",
    template="{reading}，按规则可得 {expected} 分，现填 {found}；如属评价扣分，请确认偏差原因中已说明",
    why="得分由评价人给出，低于自动计分的分数可以是有理由的扣分，所以只作提示。",
    source="财预〔2020〕10号《项目支出绩效评价管理办法》第十四条",
    bad="指标值“≥200人次”，完成值“210人次”，分值 10，得分 8，偏差原因 空",
    good="指标值“≥200人次”，完成值“210人次”，分值 10，得分 10",
    check=_below_rule,
)


def _missed_full_marks(rule: Rule, form: SelfEval, ctx: Context):
    for row in ctx.rows(form):
        ind, weight, score, judged = row.ind, row.weight, row.score, row.judged
        if weight is None or score is None or score < weight - ctx.profile.tolerance_score:
            continue
        if judged.met is False and judged.expected is None:
            yield rule.at(form.sheet, ind.score, expected=None, found=r2(score),
                          text=dict(reading=judged.explain(), found=n(score)))


MISSED_FULL_MARKS = Rule(
    code="I108", name="missed-target-full-marks", severity="warning", scope="self_eval",
    summary="指标未完成（如晚于截止日期）却得满分",
    template="{reading}，却得了满分 {found}；请按完成程度扣分并填写偏差原因",
    why="晚于截止日期等未完成的情形没有统一的计分公式，由评价人按定性三档打分，但不应给满分。",
    source="财预〔2020〕10号《项目支出绩效评价管理办法》第十四条",
    bad="指标值“2023年6月底前完成”，完成值“2023年9月完成”，分值 5，得分 5",
    good="指标值“2023年6月底前完成”，完成值“2023年9月完成”，分值 5，得分 3，偏差原因“设备到货延迟”",
    check=_missed_full_marks,
)


def _not_judged(rule: Rule, form: SelfEval, ctx: Context):
    for row in ctx.rows(form):
        ind, judged = row.ind, row.judged
        if row.weight is None or ind.target.blank:
            continue
        if judged.met is not None or not judged.target.parts or not judged.why:
            continue
        if all(p.family == "date" and not p.deadline for p in judged.target.parts):
            continue  # "2023年全年": a period, not something to compare
        yield rule.at(form.sheet, ind.score, expected=None, found=None,
                      text=dict(target=shown(ind.target), actual=shown(ind.actual),
                                why=judged.why))


NOT_JUDGED = Rule(
    code="I109", name="indicator-not-judged", severity="info", scope="self_eval",
    summary="定量指标无法自动判断，按定性指标处理",
    template="指标值“{target}”、完成值“{actual}”无法自动计分：{why}；按定性指标处理，请人工核对得分",
    why="读不准的指标不报错误，只说明原因：单位不同、复合指标无法逐项对应、没有比较方向、完成值没有数字等。",
    source="本工具的判断规则（见 I103）",
    bad="指标值“≥95%”，完成值“全覆盖”",
    good="指标值“≥95%”，完成值“98%”",
    check=_not_judged,
)


@lru_cache(maxsize=4096)
def _norm_text(text: str) -> str:
    return norm_label(text)


def _norm(raw: object) -> str:
    """``norm_label``, kept by value for text: the same 定性 targets and actuals come back row after row
    and workbook after workbook ("达到预期", "有所提高").  Only text is kept: 95 and 95.0 are one key."""
    return _norm_text(raw) if raw.__class__ is str else norm_label(raw)


def _band(rule: Rule, form: SelfEval, ctx: Context):
    band = ctx.profile.scoring.band_achieved
    for row in ctx.rows(form):
        ind, weight, score = row.ind, row.weight, row.score
        if not weight or score is None or row.judged.quantitative:
            continue
        target, actual = _norm(ind.target.raw), _norm(ind.actual.raw)
        if target and target == actual and score < band * weight - 1e-9:
            yield rule.at(form.sheet, ind.score, expected=r2(band * weight), found=r2(score),
                          text=dict(score=n(score),
                                    low=n(band * weight), weight=n(weight)))


BAND = Rule(
    code="I105", name="qualitative-band", severity="warning", scope="self_eval",
    summary="定性指标的完成值与指标值相同（达成），但得分不在“达成”档（分值的80%–100%）",
    template="完成值与指标值一致（达成年度指标），得分应在 {low}–{weight} 之间，现为 {score}",
    why="定性指标分三档：达成 80%–100%，部分达成 60%–80%，未达成 0–60%；完成值与指标值一致即为达成。",
    source="财预〔2020〕10号《项目支出绩效评价管理办法》第十四条 [B]",
    bad="指标值“有所改善”，完成值“有所改善”，分值 10，得分 5",
    good="指标值“有所改善”，完成值“有所改善”，分值 10，得分 9",
    check=_band,
)


def _blank(rule: Rule, form: SelfEval, ctx: Context):
    for row in ctx.rows(form):
        ind = row.ind
        if ind.not_applicable:  # "/" typed for its 分值: the unit says it does not apply, nothing left unfilled
            continue
        if ind.weight is not None and ind.weight.blank:  # None: no 分值 column (the 一级 headers state them)
            yield rule.at(form.sheet, ind.weight, expected=None, found=None, text=dict(what="分值"))
        elif ind.score is not None and ind.score.blank and row.expected is None:
            yield rule.at(form.sheet, ind.score, expected=None, found=None, text=dict(what="得分"))


BLANK = Rule(
    code="I106", name="indicator-blank", severity="warning", scope="self_eval",
    summary="三级指标的分值或得分未填写",
    template="{what}未填写",
    why="每个三级指标都要有分值和得分；定性指标的得分只能由评价人给出。分值写“/”“无”表示该指标不适用，不提示；"
    "样表中没有用上的“指标2：”“……”行（其余各栏都空着）不是指标。",
    source="财预〔2020〕10号 第十三条、第十四条 [B]",
    bad="生态效益指标 分值 5，得分 空",
    good="生态效益指标 分值 5，得分 5",
    check=_blank,
)

RULES = [OUT_OF_RANGE, MISSING_REASON, QUANTITATIVE, OVERACHIEVEMENT, BAND, BLANK, BELOW_RULE, MISSED_FULL_MARKS,
         NOT_JUDGED]
