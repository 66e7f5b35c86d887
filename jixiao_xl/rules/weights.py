"""附件2/附件3: weights per 一级指标 and the 总分 row [spec §4]."""

from __future__ import annotations

import re
from dataclasses import replace

from ..compute.results import (exec_part_missing, exec_row, exec_weight, full_marks_past_parts, scale_reason,
                               stated_score_sum)
from ..compute import scoring as S
from ..compute.profiles import weights_complete
from .findings import Rule
from ..read import forms as F
from ..read.model import Group, SelfEval, num
from ..read.values import fmt_number as n
from .base import Context, differs, r2, score_differs, stated_text
from ..read.values import is_error_value


def _level_sum(rule: Rule, form: SelfEval, ctx: Context):
    unsure = {id(g.head) for g in form.unsure_groups if g.column == "weight"}
    for level in form.levels:
        if level.weight is None or all(num(i.weight) is None for i in level.indicators):
            continue  # a form that prints weights only in its headers (保山, 湖北) has no rows to add up
        if any(id(i) in unsure for i in level.indicators):
            continue  # a row that may or may not be its items' subtotal: the sum is not known (W110 says why)
        total = sum(num(i.weight) or 0 for i in level.indicators)
        if differs(total, level.weight, ctx.profile.tolerance_score):
            yield rule.at(form.sheet, level.stated_at, expected=r2(level.weight), found=r2(total),
                          text=dict(level=level.name,
                                    header=n(level.weight), total=n(total)))


LEVEL_SUM = Rule(
    code="W101", name="level1-weight-sum", severity="error", scope="self_eval",
    summary="一级指标下各三级指标分值之和不等于该一级指标标注的分值",
    template="{level}标注 {header} 分，其下三级指标分值合计 {total} 分",
    why="一级指标表头“(30分)”是该类指标的总分，其下三级指标分值之和必须与之相等。",
    source="财预〔2020〕10号 第十三条 [B]；湖南自评表（产出30、效益30、满意度10、成本20）[A]",
    bad="产出指标(30分)：数量 10，质量 10，时效 5",
    good="产出指标(30分)：数量 10，质量 10，时效 10",
    check=_level_sum,
)


def _level2_sum(rule: Rule, form: SelfEval, ctx: Context):
    counted = {id(i) for i in form.indicators}  # a subtotal over numbered items counts once (W110 otherwise)
    unsure = {id(g.head) for g in form.unsure_groups if g.column == "weight"}
    for group in form.level2_weights:
        rows = [i for i in group.indicators if id(i) in counted]
        if not rows or all(num(i.weight) is None for i in rows) or any(id(i) in unsure for i in rows):
            continue
        total = sum(num(i.weight) or 0 for i in rows)
        if differs(total, group.weight, ctx.profile.tolerance_score):
            names = "、".join(f"“{i.level3.text}” {n(num(i.weight)) if num(i.weight) is not None else '空'}"
                             for i in rows)
            yield rule.at(form.sheet, group.cell, expected=r2(group.weight), found=r2(total),
                          text={"level": group.name, "header": n(group.weight), "total": n(total), "rows": names})


LEVEL2_SUM = Rule(
    code="W111", name="level2-weight-sum", severity="warning", scope="self_eval",
    summary="表上印有二级指标分值的，其下三级指标分值之和不等于该二级指标的分值",
    template="二级指标“{level}”分值 {header}，其下三级指标分值合计 {total}（{rows}）；请核对是二级分值还是三级分值填错",
    why="有的自评表在每一级指标后都列分值（一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分），二级指标的分值"
    "是其下各三级指标分值之和；两者不一致时，总分所计的三级分值与表上印的二级分值必有一处填错。只在表上印有二级分值时校验。",
    source="海南省商务厅 服务贸易项目绩效自评表（项目决策 20 = 项目目标 4 + 决策过程 8 + 资金分配 8；决策过程 8 = 决策依据 3"
    " + 决策程序 5）[A]",
    bad="二级指标“资金管理”分值 10，其下“资金使用”7、“财务管理”4",
    good="二级指标“资金管理”分值 10，其下“资金使用”7、“财务管理”3",
    fix="核对二级指标的分值和其下各三级指标的分值，改正填错的一处，使二级分值等于其下三级分值之和。",
    check=_level2_sum,
)


def _section_weights(rule: Rule, form: SelfEval, ctx: Context):
    stated = getattr(form, "indicators_weight", None)
    named = [level for level in form.levels if level.name]
    if stated is None or num(stated) is None or not named or any(level.weight is None for level in named):
        return
    total = sum(level.weight for level in named)
    if differs(total, num(stated), ctx.profile.tolerance_score):
        parts = " + ".join(f"{level.name} {n(level.weight)}" for level in named)
        parts = f"{parts} = {n(total)}" if len(named) > 1 else f"只有 {parts}"
        yield rule.at(form.sheet, named[0].stated_at, expected=r2(num(stated)), found=r2(total),
                      text=dict(parts=parts, section=F.display_label(stated.prefix),
                                stated=n(num(stated))))


SECTION_WEIGHTS = Rule(
    code="W108", name="level1-weights-vs-section", severity="error", scope="self_eval",
    summary="各一级指标标注的分值之和不等于“年度绩效目标(80分)”等标注的指标总分值",
    template="一级指标标注的分值 {parts}，与“{section}”标注的 {stated} 分不符；请改正其中标错的一处",
    why="保山、湖北等自评表在“年度绩效目标(80分)”下再分产出、效益、满意度指标(各若干分)，各一级指标分值相加"
    "必须等于标注的指标总分值，否则满分不是100分，得分也会超过满分。",
    source="湖北、云南保山项目支出绩效自评表（预算执行情况 20 分、年度绩效目标 80 分）[A]",
    bad="年度绩效目标(80分)：产出指标(60分)、效益指标(40分)",
    good="年度绩效目标(80分)：产出指标(50分)、效益指标(30分)",
    check=_section_weights,
)


def _weight_total(rule: Rule, form: SelfEval, ctx: Context):
    if not form.indicators:
        return
    total = ctx.results(form).weight_total
    if total is not None and differs(total, 100.0, ctx.profile.tolerance_score):
        cell = form.total_weight or form.exec.get("weight")
        weight = exec_weight(form, ctx.profile)
        rows = n(r2(total - weight))
        within = exec_row(form, ctx.profile)
        if within is not None:  # 宁夏: the 执行率 is one of the 三级指标, weighed among them
            share = num(within.weight)
            parts = f"三级指标 {rows}，其中“{within.level3.text}” {n(share) if share is not None else '未填分值'}"
        elif weight or form.exec:
            parts = f"执行率 {n(weight)} + 三级指标 {rows}"
        else:
            parts = f"三级指标 {rows}，表上没有执行率一项"
        yield rule.at(form.sheet, cell, expected=100.0, found=r2(total),
                      text={"total": n(total), "parts": parts})


WEIGHT_TOTAL = Rule(
    code="W102", name="weight-total", severity="error", scope="self_eval",
    summary="执行率分值与全部三级指标分值之和不等于100",
    template="分值合计 {total}（{parts}），应为 100",
    why="自评满分为100分：执行率的分值（多数省份 10 分，湖北、云南保山 20 分，宁夏计在三级指标“预算执行率”中）加上"
    "全部三级指标的分值。等级（优、良、中、差）按百分制划分，分值合计不是 100 时总分不是百分制，不能评定等级：结果一行写"
    "“总分 90（等级无法复核：分值合计 90 ≠ 100）”，汇总.xlsx、“校验结果”、报告初稿也不写等级，表上填写的等级不核对（W106）。",
    source="财预〔2020〕10号 第十三条 [B]",
    bad="执行率 10 分，三级指标分值合计 85",
    good="执行率 10 分，三级指标分值合计 90",
    fix="改正分值，使执行率分值与全部三级指标分值合计为 100（一级指标表头印的分值随之改正）；改正后总分和等级自动复核。",
    check=_weight_total,
)


def _total_weight_cell(rule: Rule, form: SelfEval, ctx: Context):
    cell = form.total_weight
    if cell is None or cell.blank:
        return
    found = cell.number
    expected = ctx.results(form).weight_total
    if differs(found, expected, ctx.profile.tolerance_score):
        yield rule.at(form.sheet, cell, expected=r2(expected), found=r2(found),
                      text=dict(expected=n(expected), found=n(found)))


TOTAL_WEIGHT = Rule(
    code="W103", name="total-row-weight", severity="error", scope="self_eval",
    summary="总分行的分值不等于执行率分值与各指标分值之和",
    template="总分分值应为各项分值之和 {expected}，现填 {found}",
    why="总分行的分值是全部分值的合计（应为100）。",
    source="财预〔2020〕10号 第十三条 [B]",
    bad="各项分值合计 100，总分分值填 90",
    good="各项分值合计 100，总分分值填 100",
    check=_total_weight_cell,
)


def _scores_unknown(form: SelfEval) -> bool:
    """A 得分 the 总分 adds up (or the 执行数 / 预算数 a blank 执行率得分 comes from) shows an error value:
    the sum is not known (N003 reports the error), so no "总分应为 …" that counts the error as 0."""
    ex = form.exec
    cells = [ex.get("score")] + [ind.score for ind in form.indicators]
    if ex.get("score") is None or ex["score"].blank:
        cells += [ex.get("executed"), ex.get("full")]
    if any(cell is not None and is_error_value(cell.raw) for cell in cells):
        return True
    # a 得分 typed as words ("满分"): N001 names it; the sum would count it as 0
    return any(ind.score is not None and not ind.score.blank and num(ind.score) is None for ind in form.indicators)


def _total_score_cell(rule: Rule, form: SelfEval, ctx: Context):
    cell = form.total_score
    if cell is None or cell.blank:
        return
    if _scores_unknown(form):
        return
    if exec_part_missing(form, ctx.profile):
        return  # the 执行率得分 it adds was not read: the sum is not known
    if form.unsure_groups:
        return  # a row that may or may not be its items' subtotal: the sum is not known (W110 says why)
    found = cell.number
    expected = stated_score_sum(form, ctx.profile)
    right = ctx.results(form).total_score
    tolerance = ctx.profile.tolerance_score
    if right is not None and found is not None and not score_differs(cell, found, right, tolerance):
        return  # the 总分 is right: a 得分 it adds is wrong, and its own rule (E104, I101, I103) says which
    if full_marks_past_parts(found, expected, ctx.results(form).weight_total, tolerance):
        return  # full marks typed while the parts add up past them (120 of 100): "should be 120" is no advice
    if score_differs(cell, found, expected, tolerance):  # right at the precision it states: "99.0分" for 98.99
        within = exec_row(form, ctx.profile)  # 宁夏: the 执行率得分 is one of the 三级指标's
        parts = f"各三级指标得分（含“{within.level3.text}”）" if within is not None else "执行率得分与各三级指标得分"
        yield rule.at(form.sheet, cell, expected=r2(expected), found=r2(found),
                      text=dict(parts=parts, expected=n(expected), found=stated_text(cell, found)))


TOTAL_SCORE = Rule(
    code="W104", name="total-row-score", severity="error", scope="self_eval",
    summary="总分行的得分不等于执行率得分与各指标得分之和",
    template="总分得分应为{parts}之和 {expected}，现填 {found}",
    why="总分是全部得分的合计，决定自评等级，必须与各项得分一致。",
    source="财预〔2020〕10号 第十三条 [B]",
    bad="执行率得分 10，指标得分合计 89，总分填 100",
    good="执行率得分 10，指标得分合计 89，总分填 99",
    check=_total_score_cell,
)


def _profile_weights(rule: Rule, form: SelfEval, ctx: Context):
    if not ctx.profile_known:
        return  # only a province's own rule says what its weights are: silent when it is not known
    cell = form.exec.get("weight")  # the 执行率 分值 (湖南 10, 湖北/保山 20)
    typed = num(cell) if cell is not None else None
    want = ctx.profile.exec_block_weight
    if typed is not None and differs(typed, want, ctx.profile.tolerance_score):
        expectation = (f"按{ctx.profile.label}口径执行率作为{ctx.profile.exec_within}下的三级指标计分"
                       f"（{n(ctx.profile.exec_weight)} 分），资金表中不另计分值" if ctx.profile.exec_within
                       else f"按{ctx.profile.label}口径应为 {n(want)} 分")
        yield rule.at(form.sheet, cell, expected=want, found=r2(typed),
                      text=dict(level="执行率分值", header=n(typed), expectation=expectation))
    if not ctx.profile.level1:
        return
    # a profile whose sourced 一级 and 执行率 分值 do not make 100 (河南: 80, "具体分值以系统内导出指标为准") cannot be
    # what a whole form follows: a difference from it is said as an info, not a warning
    partial = not weights_complete(ctx.profile)
    known = sum(ctx.profile.level1.values()) + ctx.profile.exec_block_weight
    for level in form.levels:
        if level.weight is None or not level.name:
            continue
        want = ctx.profile.level1_weight(level.name)
        name = F.display_label(level.name)  # "一、产出指标" is named 产出指标
        if want is None or differs(level.weight, want, ctx.profile.tolerance_score):
            expectation = (f"按{ctx.profile.label}口径应为 {n(want)} 分" if want is not None
                           else f"{ctx.profile.label}口径中没有“{name}”这一项一级指标")
            if partial:
                expectation = (expectation.replace("应为", "为") + f"（口径的来源只说明了 {n(known)} 分，其余分值以预算"
                               "管理一体化系统导出的指标为准，仅供核对）")
            found = rule.at(form.sheet, level.stated_at, expected=want, found=r2(level.weight),
                            text=dict(level=name, header=n(level.weight), expectation=expectation))
            yield replace(found, severity="info") if partial else found


PROFILE_WEIGHTS = Rule(
    code="W105", name="profile-weights", severity="warning", scope="self_eval",
    summary="执行率分值或一级指标分值与所选评分口径不一致",
    template="{level}为 {header} 分，{expectation}",
    why="各地对执行率和一级指标的权重规定不同（执行率：湖南 10 分，湖北、云南保山 20 分；一级指标：湖南：产出30、效益30、满意度10、成本20；全国10号文：产出50、效益30、满意度10；"
    "河南：成本10、产出30、效益25、满意度5；宁夏：决策10、管理25、产出30、效益35）。只在知道表属于哪个省份时"
    "（--profile 指定，或表上的地名、特有栏目足以判断）才比较；不知道时不提示。用 jixiao-xl profiles 查看各口径及来源。",
    source="财预〔2020〕10号 第十三条 [B]；湖南 2023 年自评表 [A]",
    bad="湖南口径下“产出指标(50分)”",
    good="湖南口径下“产出指标(30分)”",
    check=_profile_weights,
)

def _items_text(group: Group) -> str:
    first, last = group.items[0].level3.text, group.items[-1].level3.text
    return f"“{first}”至“{last}”" if len(group.items) > 2 else f"“{first}”“{last}”"


def _group_subtotal(rule: Rule, form: SelfEval, ctx: Context):
    for group in form.groups:
        if group.kind != "subtotal" or group.column != "weight" or group.head.score is None:
            continue
        found = num(group.head.score)
        scores = [num(i.score) for i in group.items]
        if found is None or any(s is None for s in scores):
            continue  # a blank subtotal is D001's; a blank item is the total's 无法复核
        expected = round(sum(scores), 6)
        if differs(found, expected, ctx.profile.tolerance_score):
            yield rule.at(form.sheet, group.head.score, expected=r2(expected), found=r2(found),
                          text={"head": group.head.level3.text, "count": len(group.items),
                                "items": _items_text(group), "weight": n(num(group.head.weight)),
                                "parts": " + ".join(n(s) for s in scores), "expected": n(expected),
                                "found": n(found)})


GROUP_SUBTOTAL = Rule(
    code="W109", name="group-subtotal", severity="error", scope="self_eval",
    summary="三级指标下分项的小计行，得分不等于其下各项得分之和",
    template="“{head}”的分值 {weight} 是其下 {count} 项（{items}）分值之和，是它们的小计；得分应为 {parts} = "
    "{expected}，现填 {found}",
    why="有的表在一个三级指标下再列编号的分项（“一、示范区建立”下“1、…”“2、…”），上面一行的分值正是各分项分值之和，"
    "它是小计，不是另一项指标：总分只计各分项一次，小计行的得分也应等于各分项得分之和。分项自己的得分错误仍指在分项上。",
    source="云南 保山 隆阳区 2022 项目支出绩效自评表（“一、示范区建立”15 = 5 + 5 + 5）[A]",
    bad="“一、示范区建立”分值 10、得分 10；“1、…”分值 5、得分 5；“2、…”分值 5、得分 4",
    good="“一、示范区建立”分值 10、得分 9；“1、…”分值 5、得分 5；“2、…”分值 5、得分 4",
    fix="把小计行的得分改为其下各分项得分之和（各分项的得分按各自的完成情况填写）。",
    check=_group_subtotal,
)


def _group_unsure(rule: Rule, form: SelfEval, ctx: Context):
    for group in form.unsure_groups:
        cell = getattr(group.head, group.column)
        label = "分值" if group.column == "weight" else "得分"
        values = [num(getattr(i, group.column)) for i in group.items]
        expected = round(sum(v or 0 for v in values), 6)
        yield rule.at(form.sheet, cell, expected=r2(expected), found=r2(num(cell)),
                      text={"head": group.head.level3.text, "label": label, "found": n(num(cell)),
                            "count": len(group.items), "items": _items_text(group),
                            "parts": " + ".join(n(v or 0) for v in values), "expected": n(expected)})


GROUP_UNSURE = Rule(
    code="W110", name="group-unsure", severity="info", scope="self_eval",
    summary="三级指标下列有编号的分项，但上面一行的分值（得分）不等于分项之和，分不清它是小计还是一项指标",
    template="“{head}”{label} {found}，其下 {count} 项（{items}）{label}之和为 {parts} = {expected}：分不清它是这几项的"
    "小计还是一项独立的指标，每行暂按一项指标计，分值合计和总分没有核对；如是小计，请改为 {expected}",
    why="小计行与分项都计入会重复计分，只计其一又要先知道哪一行是小计。上面一行的分值（没有分值栏时是得分）正好等于"
    "分项之和时按小计处理；不相等时无法判断，不猜测，不报分值合计、总分的错误，只说明原因。",
    source="云南 保山 隆阳区 2022 项目支出绩效自评表（编号分项）[A]；本工具的判断规则",
    bad="（表上没有分值栏）“一、示范区建立”得分 15；其下“1、…”5、“2、…”5、“3、…”4",
    good="（表上没有分值栏）“一、示范区建立”得分 14；其下“1、…”5、“2、…”5、“3、…”4",
    fix="上面一行是小计的，把它的分值（没有分值栏时是得分）改为各分项之和，再校验时就按小计核对；它是一项独立的指标的，"
    "不要把下面几行编作它的分项（去掉“1、”“2、”这样的下一级编号），并核对分值合计为 100。",
    check=_group_unsure,
)

_NOTE_WEIGHT = re.compile(r"(产出|效益|满意度|成本)(?:指标)?(?:分值|权重)?(?:为|:|：)?\s*(\d+(?:\.\d+)?)\s*分")


def note_weights(notes: str) -> dict[str, float]:
    """一级 weights a note under the table states ("一级指标分值统一设置为:产出指标50分、效益指标30分…")."""
    if "一级指标" not in notes and "分值" not in notes:
        return {}
    found: dict[str, float] = {}
    for name, value in _NOTE_WEIGHT.findall(notes):
        found.setdefault(F.level1_name(name + "指标"), float(value))
    return found if len(found) >= 2 else {}


def _note_weights(rule: Rule, form: SelfEval, ctx: Context):
    stated = note_weights(form.notes or "")
    for level in form.levels:
        want = stated.get(F.level1_name(level.name)) if level.name else None
        if want is None or level.weight is None or not differs(level.weight, want, ctx.profile.tolerance_score):
            continue
        yield rule.at(form.sheet, level.stated_at, expected=want, found=r2(level.weight),
                      text=dict(level=F.display_label(level.name), header=n(level.weight), note=n(want)))


NOTE_WEIGHTS = Rule(
    code="W107", name="note-weights", severity="warning", scope="self_eval",
    summary="表头标注的一级指标分值与表下注释写明的不一致",
    template="表头写{level} {header} 分，表下注释写明{level} {note} 分；计算按表头，请确认哪一个是对的",
    why="表头和表下的注释是同一张表上的两种说法；分值按表头计算，两者不一致时提示，由填报人确认，不判为错误。",
    source="四川 中江县 2022 衔接资金绩效目标自评表（表头 70/20/10，注释 50/30/10/10）[A]",
    bad="表头“产出指标(70分)”，注释“产出指标50分”",
    good="表头“产出指标(50分)”，注释“产出指标50分”",
    check=_note_weights,
)

_GRADE_WORDS = (("不合格", "差"), ("较差", "差"), ("优秀", "优"), ("良好", "良"), ("中等", "中"), ("合格", "中"),
                ("及格", "中"), ("优", "优"), ("良", "良"), ("中", "中"), ("差", "差"))


def stated_grade(text: str) -> str | None:
    """The grade a cell states: "等级：优" / "优秀" -> 优; None when it names none (or several)."""
    for word, grade in _GRADE_WORDS:
        if word in text:
            return grade
    return None


def _grade(rule: Rule, form: SelfEval, ctx: Context):
    cell = form.grade
    if cell is None or cell.blank:
        return
    found = stated_grade(cell.text)
    if scale_reason(ctx.results(form).weight_total, ctx.profile.tolerance_score):
        return  # the 分值 do not add up to 100 (W102): no grade on the 100-point scale to hold the stated one against
    total = num(form.total_score)
    basis = "总分"
    if total is None:
        if ctx.results(form).grade is None:
            return  # the check gives no grade (a total past its 分值合计, or not read): nothing to hold it against
        total, basis = ctx.results(form).total_score, "按表内得分计算的总分"
    expected = S.grade(total)
    if found is None or expected is None or found == expected:
        return
    yield rule.at(form.sheet, cell, expected=expected, found=found,
                  text=dict(expected=expected, found=cell.text, total=n(total),
                            basis=basis))


GRADE = Rule(
    code="W106", name="grade-mismatch", severity="error", scope="self_eval",
    summary="填写的等级与总分不符",
    template="等级应为 {expected}（{basis} {total}；优 ≥ 90，良 80–90，中 60–80，差 < 60），现填“{found}”",
    why="等级由总分决定：90分及以上为优、80–90为良、60–80为中、60分以下为差。分值合计不是 100 时总分不是百分制，"
    "不评定等级，填写的等级也不核对（见 W102）。",
    source="财预〔2020〕10号《项目支出绩效评价管理办法》第十八条（等级划分）[B]",
    bad="总分 85，等级填“优”",
    good="总分 85，等级填“良”",
    fix="按总分改填等级；总分本身有误的，先改正各项得分和总分（W104），再按改正后的总分填等级。",
    check=_grade,
)

RULES = [LEVEL_SUM, LEVEL2_SUM, SECTION_WEIGHTS, WEIGHT_TOTAL, TOTAL_WEIGHT, TOTAL_SCORE, PROFILE_WEIGHTS, NOTE_WEIGHTS, GRADE,
         GROUP_SUBTOTAL, GROUP_UNSURE]
