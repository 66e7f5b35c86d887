"""附件2/附件3: the 年度资金总额 row — execution rate and its score [spec §2]."""

from __future__ import annotations

from ..compute.results import blank_exec_figures, exec_read, exec_weight
from ..compute.scoring import band_label, exec_band, rate_as_shown
from .findings import Rule
from ..read.model import SelfEval, num
from ..read.values import fmt_number as n, fmt_rate as pct
from .base import Context, differs, r2, r4, rate_differs, score_differs
from ..read.values import is_error_value


def missing_figure(form: SelfEval):
    """The first of 全年执行数 / 全年预算数 left blank although a rate or score that depends on it was typed
    (E109 reports it): the rate and score rules stay silent instead of reporting "空 ÷ 83 = 0%" four times over."""
    blank = blank_exec_figures(form)
    return blank[0][1] if blank else None


def executed_missing(form: SelfEval, ctx: Context) -> bool:
    """The 执行率 is not known, and is not "0%" either (``results.exec_unknown``: a figure left blank under a
    typed rate (E109), an error value (N003) or words (N001) where a figure should be, a total of the row that
    disagrees with its parts or was never summed (F103)): the rate and score rules leave it to those."""
    return ctx.results(form).why("exec_rate").startswith("无法复核")


def _rate_mismatch(rule: Rule, form: SelfEval, ctx: Context):
    cell = form.exec.get("rate")
    if cell is None or cell.blank or executed_missing(form, ctx):
        return
    expected = ctx.results(form).exec_rate
    found = cell.rate
    if rate_differs(cell, found, expected, ctx.profile.tolerance_rate):
        yield rule.at(form.sheet, cell, expected=r4(expected), found=r4(found),
                      text={"expected": pct(expected), "found": pct(found), "base": _base(form),
                            "formula": f"{n(num(form.exec.get('executed')))} ÷ {n(num(form.exec.get('full')))}"})


RATE_MISMATCH = Rule(
    code="E101", name="exec-rate-mismatch", severity="error", scope="self_eval",
    summary="执行率与“全年执行数 ÷ 全年预算数”不符",
    template="执行率应为 全年执行数 ÷ {base} = {formula} = {expected}，现填 {found}",
    why="执行率以全年预算数（年初预算 ± 年中调整）为分母，年初预算数不参与计算；常见错误是用年初预算数作分母。",
    source="财政部预算管理一体化系统 pmkpi“预算执行率（全年执行数/全年预算数）”；四川、湖北自评表填表说明 [A]",
    bad="年初 1238.36，全年 1762.55，执行 1762.55，执行率填 142.33%",
    good="年初 1238.36，全年 1762.55，执行 1762.55，执行率填 100%",
    check=_rate_mismatch,
)


def _rate_over(rule: Rule, form: SelfEval, ctx: Context):
    rate = ctx.results(form).exec_rate
    if ctx.profile.over_100 == "allowed":
        return  # 浙江: the platform dropped the check in 2024 (profile_data/zhejiang.json)
    if rate is not None and rate > 1 + 1e-9:
        yield rule.at(form.sheet, form.exec.get("executed"), expected=1.0, found=r4(rate),
                      text={"rate": pct(rate), "base": _base(form)})


RATE_OVER = Rule(
    code="E102", name="exec-rate-over-100", severity="error", scope="self_eval",
    summary="预算执行率超过100%（全年执行数大于全年预算数）",
    template="预算执行率不能超过100%，现为 {rate}：全年执行数大于{base}",
    why="执行数不能超过调整后的全年预算；超过说明预算调整未填或执行数填错。",
    source="财政部预算管理一体化系统校验“预算执行率不能超过100%” [C]",
    bad="全年预算数 83，全年执行数 90",
    good="全年预算数 90，全年执行数 90",
    check=_rate_over,
)


def _no_budget(rule: Rule, form: SelfEval, ctx: Context):
    cell = form.exec.get("full")
    if cell is None or cell.error or is_error_value(cell.raw) or ctx.once(missing_figure, form) is not None \
            or cell.skipped is not None:  # a number typed as text the formulas take for blank: N004's
        return  # E109 reports a blank 全年预算数 (or 执行数) under a typed rate
    if not exec_read(form) or executed_missing(form, ctx):
        return  # nothing typed in the block (its results are 未读出), or a total row never summed (F103): not "0 分"
    if not num(cell):  # (a formula saved without a result is judged as it shows: check.py gives the form opened)
        yield rule.at(form.sheet, cell, expected=None, found=num(cell), text={"base": _base(form)})


NO_BUDGET = Rule(
    code="E103", name="exec-no-budget", severity="warning", scope="self_eval",
    summary="全年预算数为空或为0，执行率无法计算，执行率得分为0",
    template="{base}为空或为0，执行率无法计算，执行率得分按0分计",
    why="执行率以全年预算数为分母；没有全年预算数时执行率留空，得分为0。",
    source="各地自评表通行做法 [C]",
    bad="全年预算数 空，全年执行数 83",
    good="全年预算数 83，全年执行数 83",
    check=_no_budget,
)


def _score_mismatch(rule: Rule, form: SelfEval, ctx: Context):
    cell = form.exec.get("score")
    if cell is None or cell.blank or executed_missing(form, ctx):
        return
    res = ctx.results(form)
    found = cell.number
    if score_differs(cell, found, res.exec_score, ctx.profile.tolerance_score):
        weight = exec_weight(form, ctx.profile)
        yield rule.at(form.sheet, cell, expected=r2(res.exec_score), found=r2(found),
                      text={"how": _how_scored(res.exec_rate, res.exec_score, weight, ctx.profile, _rate_of(form)),
                            "found": n(found)})


def _base(form: SelfEval) -> str:
    """The 执行率's denominator as the form defines it: 全年预算数, or 年初预算数 where its header says so (北京)."""
    return getattr(form, "exec_base", "") or "全年预算数"


def _rate_of(form: SelfEval) -> str:
    """"执行率" — with its definition where the form's header makes the 年初预算数 its base: a reviewer sees which
    figure the rate was computed on ("执行率（全年执行数 ÷ 年初预算数，按表头“年初预算数(A)”“执行率(B/A)”）")."""
    base = _base(form)
    if base == "全年预算数":
        return "执行率"
    header = getattr(form, "exec_base_header", "")
    return f"执行率（全年执行数 ÷ {base}，按表头{header}）" if header else f"执行率（全年执行数 ÷ {base}）"


def _how_scored(rate: float | None, score: float, weight: float, profile, rate_name: str = "执行率") -> str:
    """How the 执行率得分 follows from the rate: 分值 × 执行率, or the band (named from the profile's bands) the
    rate as the form shows it falls in and what that band scores."""
    bands = profile.score_bands
    if not bands:
        return f"执行率得分应为 分值 × {rate_name} = {n(weight)} × {pct(min(rate or 0, 1))} = {n(score)}"
    index = exec_band(rate, bands, profile.rate_decimals)
    if index is None:  # no rate (全年预算数 0: E103 says so), or below the lowest band
        return f"执行率无法计算，执行率得分应为 {n(score)}" if rate is None else f"执行率得分应为 {n(score)}"
    decimals = profile.rate_decimals
    shown = f"{rate_as_shown(max(rate, 0.0), decimals) * 100:.{decimals}f}%"
    share = f"{round(bands[index][1] * 100, 6):g}%"
    return (f"执行率 {shown} 属于“{band_label(bands, index)}”档，应得 {n(score)} 分"
            f"（分值 {n(weight)} × {share}）")


SCORE_MISMATCH = Rule(
    code="E104", name="exec-score-mismatch", severity="error", scope="self_eval",
    summary="执行率得分与“分值 × 执行率”不符",
    template="{how}，现填 {found}",
    why="执行率得分按执行率比例计算（超过100%按100%），保留两位小数；分档计分的口径（江西）按表上显示的执行率"
    "（百分数保留两位小数）所在的档计分。",
    source="财政部一体化系统“自评得分(预算执行率*10)”；重庆公开自评表 76% → 7.6 [C]；江西区间计分 [A]",
    bad="分值 10，执行率 76%，得分填 10",
    good="分值 10，执行率 76%，得分填 7.6",
    check=_score_mismatch,
)


def _addition(rule: Rule, form: SelfEval, ctx: Context):
    initial, full = num(form.exec.get("initial")), num(form.exec.get("full"))
    if not initial or full is None:
        return
    share = (full - initial) / initial
    if share > ctx.profile.addition_threshold + 1e-9:
        yield rule.at(form.sheet, form.exec.get("full"), expected=r4(ctx.profile.addition_threshold), found=r4(share),
                      text=dict(share=pct(share), full=n(full), initial=n(initial),
                                limit=pct(ctx.profile.addition_threshold)))


ADDITION = Rule(
    code="E105", name="large-in-year-addition", severity="warning", scope="self_eval",
    summary="年中追加预算超过年初预算的30%",
    template="年中追加 (全年 {full} − 年初 {initial}) ÷ 年初 = {share}，超过 {limit}",
    why="年中大幅追加说明年初预算编制不完整；原湖南评价框架“预算控制率”对追加超过30%的部门不得分。",
    source="湖南原部门整体支出评价框架“预算控制率 = 本年追加 ÷ 年初”（长沙雨花区模板）[A]",
    bad="年初预算数 1238.36，全年预算数 1762.55（追加 42.33%）",
    good="年初预算数 1500，全年预算数 1762.55（追加 17.5%）",
    check=_addition,
)


def _low_exec(rule: Rule, form: SelfEval, ctx: Context):
    rate = ctx.results(form).exec_rate
    if executed_missing(form, ctx):
        return
    if rate is not None and rate < ctx.profile.low_exec - 1e-9 and not form.notes.strip():
        yield rule.at(form.sheet, form.exec.get("rate") or form.exec.get("executed"), expected=None, found=r4(rate),
                      text=dict(rate=pct(rate), limit=pct(ctx.profile.low_exec)))


LOW_EXEC = Rule(
    code="E106", name="low-exec-no-explanation", severity="warning", scope="self_eval",
    summary="执行率低于90%但表中没有说明原因",
    template="执行率 {rate} 低于 {limit}，但表中未说明原因（请在偏差原因分析或说明中填写）",
    why="执行率偏低必须说明原因和改进措施，否则自评结果无法审核。",
    source="四川项目支出绩效自评表填表说明 [A]",
    bad="执行率 75%，偏差原因一栏全部空白",
    good="执行率 75%，偏差原因：“部分项目跨年度实施，资金结转下年”",
    check=_low_exec,
)


def _low_exec_high_score(rule: Rule, form: SelfEval, ctx: Context):
    res = ctx.results(form)
    rate = res.exec_rate
    rows = ctx.rows(form)
    weights = sum(r.weight or 0 for r in rows)
    if rate is None or not weights or executed_missing(form, ctx):
        return
    if res.total_score is None:  # a 得分 not read ("满分": N001 names it), or none typed: nor is the 得分率
        return
    score_rate = sum(r.effective for r in rows) / weights
    gap, unexecuted = score_rate - rate, 1 - rate
    if gap > ctx.profile.score_gap + 1e-9 or (unexecuted > ctx.profile.unexecuted + 1e-9 and gap > 1e-9):
        yield rule.at(form.sheet, form.exec.get("executed"), expected=r4(rate), found=r4(score_rate),
                      text=dict(score_rate=pct(score_rate), rate=pct(rate)))


LOW_EXEC_HIGH_SCORE = Rule(
    code="E107", name="low-exec-high-score", severity="warning", scope="self_eval",
    summary="“执行低、得分高”：指标得分率明显高于预算执行率",
    template="指标得分率 {score_rate} 明显高于预算执行率 {rate}，请核实指标完成情况",
    why="资金没有用完而指标几乎满分，通常说明指标值设定偏低或自评打分偏松，财政审核时会重点复核。"
    "得分写成文字（如“满分”，N001）时总分无法复核，尚未评分时没有总分：这时得分率也不计算，不提示。",
    source="财政部预算管理一体化系统审核提示（得分率高于执行率超过5个百分点或未执行超过20%）[C]",
    bad="执行率 70%，三级指标得分 88/90",
    good="执行率 70%，三级指标得分按完成情况打 63/90，并说明原因",
    check=_low_exec_high_score,
)

def _adjustment(rule: Rule, form: SelfEval, ctx: Context):
    cells = form.exec
    initial, adjustment, full = (num(cells.get(k)) for k in ("initial", "adjustment", "full"))
    if "adjustment" not in cells or initial is None or full is None:
        return
    if adjustment is None and cells["adjustment"].error:
        return  # N001 reports the unreadable adjustment
    label = cells["adjustment"].where.split(" ", 1)[-1]
    tol = ctx.profile.tolerance_amount
    if adjustment is None:  # the column is there but left blank: the adjustment is what is missing
        if differs(full, initial, tol):
            missing = full - initial
            yield rule.at(form.sheet, cells["adjustment"], expected=r2(missing), found=None,
                          text=dict(subject=label, found="空",
                                    formula=f"全年预算数 − 年初预算数 = {n(full)} − {n(initial)} = {n(missing)}"))
        return
    expected = initial + adjustment
    if differs(full, expected, tol):
        yield rule.at(form.sheet, cells["full"], expected=r2(expected), found=r2(full),
                      text=dict(subject="全年预算数", found=n(full),
                                formula=f"年初预算数 + {label} = {n(initial)} + {n(adjustment)} = {n(expected)}"))


ADJUSTMENT = Rule(
    code="E108", name="budget-adjustment-sum", severity="error", scope="self_eval",
    summary="全年预算数不等于 年初预算数 + 年中调整（追加）数",
    template="{subject}应为 {formula}，现填 {found}",
    why="全年预算数是年初预算加上年中调整（追加为正、调减为负）后的数；表中列出调整数时三者必须相符。",
    source="财政部预算管理一体化系统“全年预算数 = 年初预算数 + 调整预算数” [C]；各地自评表“全年预算数（调整后）” [A]",
    bad="年初预算数 1238.36，调整数 500，全年预算数 1762.55",
    good="年初预算数 1238.36，调整数 524.19，全年预算数 1762.55",
    check=_adjustment,
)


def _executed_blank(rule: Rule, form: SelfEval, ctx: Context):
    blank = ctx.once(missing_figure, form)
    if blank is None:
        return
    rate, score = form.exec.get("rate"), form.exec.get("score")
    stated = []
    if rate is not None and not rate.blank:
        stated.append(f"执行率 {pct(rate.rate) if rate.rate is not None else rate.text}")
    if score is not None and not score.blank:
        stated.append(f"得分 {n(score.number) if score.number is not None else score.text}")
    what = "、".join(name for name, _ in blank_exec_figures(form))
    yield rule.at(form.sheet, blank, expected=what, found=None, text=dict(what=what, stated="、".join(stated)))


EXECUTED_BLANK = Rule(
    code="E109", name="executed-missing", severity="error", scope="self_eval",
    summary="全年执行数（或全年预算数）未填写，执行率和得分却已填写",
    template="{what}未填写，但已填写{stated}：执行率 = 全年执行数 ÷ 全年预算数，得分也据此计算，请填写{what}",
    why="执行率 = 全年执行数 ÷ 全年预算数；执行数空白时填写的执行率和得分无从核对。"
    "只报这一处，不再对执行率、得分逐项报错。",
    source="财政部预算管理一体化系统 pmkpi“预算执行率（全年执行数/全年预算数）” [A]",
    bad="全年预算数 83，全年执行数 空，执行率 100%，得分 10",
    good="全年预算数 83，全年执行数 83，执行率 100%，得分 10",
    check=_executed_blank,
)

RULES = [RATE_MISMATCH, RATE_OVER, NO_BUDGET, SCORE_MISMATCH, ADDITION, LOW_EXEC, LOW_EXEC_HIGH_SCORE,
         ADJUSTMENT, EXECUTED_BLANK]
