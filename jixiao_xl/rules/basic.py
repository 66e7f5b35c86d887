"""附件1 基础数据表: control rates and the identities between its rows [spec §5]."""

from __future__ import annotations

from ..read import forms as F
from ..xlsx.a1 import parse_a1
from ..compute.results import amount, part_keys
from ..compute.diagnose import _cells_of, basic_diagnosis
from .findings import Rule
from ..read.model import BasicData, num
from ..read.values import fmt_number as n, fmt_rate as pct
from .base import Context, r2, r4, rate_differs

COLUMNS = ("prev_actual", "budget", "actual")


def _staff_rate(rule: Rule, form: BasicData, ctx: Context):
    stated = form.staff.get("staff_rate")
    if stated is None or stated.blank:
        return
    expected = ctx.results(form).staff_control_rate
    found = stated.rate
    if rate_differs(stated, found, expected, ctx.profile.tolerance_rate):
        formula = f"{n(num(form.staff.get('actual_staff')))} ÷ {n(num(form.staff.get('establishment')))}"
        yield rule.at(form.sheet, stated, expected=r4(expected), found=r4(found),
                      text=dict(expected=pct(expected), found=pct(found), formula=formula))


STAFF_RATE = Rule(
    code="B101", name="staff-rate-mismatch", severity="error", scope="basic_data",
    summary="财政供养人员控制率与“实际在职人数 ÷ 编制数”不符",
    template="控制率应为 {formula} = {expected}，现填 {found}",
    why="控制率是实际在职人数与编制数之比，手算或四舍五入时常出错；填错会误导人员控制评价。",
    source="湖南长沙雨花区部门整体支出绩效评价基础数据表模板 [A]",
    bad="编制数 81，实际在职人数 78，控制率填 100%",
    good="编制数 81，实际在职人数 78，控制率填 96.30%",
    check=_staff_rate,
)


def _staff_over(rule: Rule, form: BasicData, ctx: Context):
    rate = ctx.results(form).staff_control_rate
    if rate is not None and rate > 1 + 1e-9:
        cell = form.staff.get("actual_staff")
        yield rule.at(form.sheet, cell, expected=1.0, found=r4(rate), text=dict(rate=pct(rate)))


STAFF_OVER = Rule(
    code="B102", name="staff-over-establishment", severity="warning", scope="basic_data",
    summary="实际在职人数超过编制数（控制率超过100%）",
    template="实际在职人数超过编制数，控制率 {rate}",
    why="财政供养人员超编需要说明原因，是部门整体支出评价的扣分点。",
    source="湖南长沙雨花区部门整体支出绩效评价基础数据表模板 [A]",
    bad="编制数 81，实际在职人数 85",
    good="编制数 81，实际在职人数 81",
    check=_staff_over,
)


def _staff_no_base(rule: Rule, form: BasicData, ctx: Context):
    establishment = form.staff.get("establishment")
    actual = num(form.staff.get("actual_staff"))
    if establishment is not None and actual and not num(establishment):
        yield rule.at(form.sheet, establishment, expected=None, found=0 if num(establishment) == 0 else None)


STAFF_NO_BASE = Rule(
    code="B103", name="staff-no-establishment", severity="warning", scope="basic_data",
    summary="编制数为空或为0，无法计算财政供养人员控制率",
    template="编制数为空或为0，控制率无法计算，请填写编制数",
    why="控制率以编制数为分母，编制数缺失时控制率只能留空。",
    source="湖南长沙雨花区部门整体支出绩效评价基础数据表模板 [A]",
    bad="编制数空，实际在职人数 81",
    good="编制数 81，实际在职人数 81",
    check=_staff_no_base,
)


def _part_label(form: BasicData, part) -> str:
    if isinstance(part, str):
        row = form.rows.get(part)
        return row.label if row else F.FUND_ROW[part].short
    return part.label


class _Labels:
    """Row label of every amount cell of a form, looked up by address (kept by position: only the few
    addresses a message names are ever looked up)."""

    def __init__(self, form: BasicData):
        self._at = {(cell.row, cell.col): row.label
                    for row in list(form.rows.values()) + form.specials + form.project_others
                    for cell in row.cells.values()}

    def get(self, address: str, default=None):
        return self._at.get(parse_a1(address), default)


def _formula(form: BasicData, eq, value) -> str:
    """"公车购置 + 公车运行维护 = 0 + 9 = 9" for an equation, with ``value`` giving each cell's number."""
    key = eq.key
    parts = part_keys(form, key)
    total = sum(value(c) for c in eq.parts)
    if len(parts) > 4:
        return f"下列 {len(parts)} 行之和 = {n(total)}"
    names, numbers = [], []
    for p in parts:
        names.append(_part_label(form, p))
        cells = _cells_of(form, p, eq.col)
        numbers.append(n(sum(value(c) for c in cells)))
    return f"{' + '.join(names)} = {' + '.join(numbers)} = {n(total)}"


def _alternatives(labels, diagnosis, address: str) -> str:
    others = diagnosis.alternatives(address)
    if not others:
        return ""
    if len(others[0].values) > 1:
        ties = diagnosis.ties(address)
        return (f"；另有 {len(ties)} 种同样改动 {len(ties[0].values)} 处的改法，以上先按合计填错给出，"
                "请核对各明细")
    named = "；".join("、".join(f"{labels.get(a, a)}（{a}）应为 {n(v)}" for a, v in r.values.items())
                     for r in others[:2])
    more = f" 等 {len(others)} 种改法" if len(others) > 2 else ""
    return f"；同样只改一处也能相符的还有：{named}{more}，请核对究竟哪一处填错"


def _sum_check(rule: Rule, form: BasicData, ctx: Context, key: str):
    """Report a failing identity at the cell the diagnosis blames (see ``diagnose``)."""
    row = form.rows.get(key)
    if row is None or not part_keys(form, key):
        return
    for col in COLUMNS:
        for home, cell, expected, found, text in ctx.once(_blamed, form, col, ctx.profile.tolerance_amount):
            if home == key:
                yield rule.at(form.sheet, cell, expected=expected, found=found, text=text)


def _blamed(form: BasicData, col: str, tol: float) -> list[tuple]:
    """What B110-B113 report in one column, each with the identity (row key) it is reported under: made
    once per column and check, each rule keeps its own."""
    diagnosis = basic_diagnosis(form, col, tol)
    if not diagnosis.violated:
        return []
    labels = _Labels(form)
    out = []
    for eq in diagnosis.unresolved:  # no small repair found: the total of the failing identity, as computed
        total = sum(num(c) or 0 for c in eq.parts)
        stated = num(eq.total)
        out.append((eq.key, eq.total, r2(total), r2(stated),
                    dict(subject=form.rows[eq.key].label,
                         detail=_formula(form, eq, lambda c: num(c) or 0), found=n(stated), note="")))
    repair = diagnosis.chosen
    if repair is None:
        return out

    def value(c, fixed=repair.values, follows=repair.follows):  # a formula: what its repaired parts make it
        return fixed.get(c.address, follows.get(c.address, num(c) or 0.0))

    for address, should in repair.values.items():
        cell = repair.cells[address]
        home = _home(diagnosis, address)
        if home is None:
            continue
        found = num(cell)
        others = [eq for eq in diagnosis.violated if eq is not home and any(
            c.address == address for c in [eq.total] + eq.parts)]
        note = "".join(f"（改正后{labels.get(eq.total.address, '')} {n(value(eq.total))} = "
                       f"{' + '.join(n(value(c)) for c in eq.parts)} 也相符）" for eq in others)
        note += _alternatives(labels, diagnosis, address)
        if home.total.address == address:
            detail = _formula(form, home, value)
        else:
            detail = (f"{n(should)}（使 {labels.get(home.total.address, '')} {n(value(home.total))} = "
                      f"{_formula(form, home, value)}）")
        out.append((home.key, cell, r2(should), r2(found),
                    dict(subject=labels.get(address, form.rows[home.key].label),
                         detail=detail, found=n(found), note=note)))
    return out


def _home(diagnosis, address: str):
    """The identity a blamed cell is reported under: the one it is the total of, else the first failing one
    it is part of, else any."""
    for eq in diagnosis.equations:
        if eq.total.address == address:
            return eq
    for group in (diagnosis.violated, diagnosis.equations):
        for eq in group:
            if any(c.address == address for c in eq.parts):
                return eq
    return None


def _sangong(rule, form, ctx):
    yield from _sum_check(rule, form, ctx, "sangong")


SANGONG_SUM = Rule(
    code="B110", name="sangong-sum", severity="error", scope="basic_data",
    summary="“三公”经费不等于 公务用车购置和维护经费 + 出国经费 + 公务接待",
    template="{subject}应为 {detail}，现填 {found}{note}",
    why="“三公”经费按定义是三项之和，合计与明细不符说明其中一项填错。与公务用车 = 购置 + 运行维护一起不相符时，"
    "错误报在改动最少就能使两个合计都相符的单元格（如公务用车本身填错时只报公务用车），两种改法同样少时都列出。",
    source="“三公”经费定义及各地公开的基础数据表 [A]",
    bad="“三公”经费 17；公务用车 17，出国 0，公务接待 8",
    good="“三公”经费 25；公务用车 17，出国 0，公务接待 8",
    check=_sangong,
)


def _car(rule, form, ctx):
    yield from _sum_check(rule, form, ctx, "car")


CAR_SUM = Rule(
    code="B111", name="car-sum", severity="error", scope="basic_data",
    summary="公务用车购置和维护经费不等于 公车购置 + 公车运行维护",
    template="{subject}应为 {detail}，现填 {found}{note}",
    why="公务用车经费由购置和运行维护两部分组成，合计应与明细一致。",
    source="“三公”经费定义及各地公开的基础数据表 [A]",
    bad="公务用车购置和维护经费 17；公车购置 空，公车运行维护 9",
    good="公务用车购置和维护经费 9；公车购置 空，公车运行维护 9",
    check=_car,
)


def _project(rule, form, ctx):
    yield from _sum_check(rule, form, ctx, "project")


PROJECT_SUM = Rule(
    code="B112", name="project-sum", severity="error", scope="basic_data",
    summary="项目支出不等于 业务工作经费 + 运行维护经费 + 县级专项资金",
    template="{subject}应为 {detail}，现填 {found}{note}",
    why="项目支出填报基本支出以外的全部项目，合计应等于所列各项之和。",
    source="部门整体支出绩效评价基础数据表模板（“项目支出”填表说明）[A]",
    bad="项目支出 500；业务工作经费 0，运行维护经费 0，县级专项资金 440.32",
    good="项目支出 440.32；业务工作经费 0，运行维护经费 0，县级专项资金 440.32",
    check=_project,
)


def _special(rule, form, ctx):
    yield from _sum_check(rule, form, ctx, "county_special")


SPECIAL_SUM = Rule(
    code="B113", name="county-special-sum", severity="error", scope="basic_data",
    summary="县级专项资金不等于其下各专项（一个专项一行）之和",
    template="{subject}应为 {detail}，现填 {found}{note}",
    why="县级专项资金按“一个专项一行”列明，合计应等于各专项之和。",
    source="部门整体支出绩效评价基础数据表模板（“一个专项一行”）[A]",
    bad="县级专项资金 83；其下专项合计 80",
    good="县级专项资金 83；其下专项合计 83",
    check=_special,
)


def _public_parts(rule: Rule, form: BasicData, ctx: Context):
    row = form.rows.get("public_funds")
    if row is None:
        return
    for col in COLUMNS:
        cell = row.cells.get(col)
        total = amount(form, "public_funds", col)
        parts = [amount(form, k, col) for k in F.FUND_ROW["public_funds"].at_least]
        if total is None or all(p is None for p in parts):
            continue
        parts_total = sum(p or 0 for p in parts)
        if parts_total > total + ctx.profile.tolerance_amount:
            yield rule.at(form.sheet, cell, expected=r2(parts_total), found=r2(total),
                          text=dict(parts=n(parts_total), total=n(total)))


PUBLIC_PARTS = Rule(
    code="B114", name="public-funds-parts", severity="error", scope="basic_data",
    summary="公用经费的“其中”各项之和超过公用经费",
    template="其中 办公经费 + 水费、电费、差旅费 + 会议费、培训费 = {parts}，超过公用经费 {total}",
    why="“其中”各项是公用经费的一部分，之和不能超过公用经费（可以小于）。",
    source="部门整体支出绩效评价基础数据表模板 [A]",
    bad="公用经费 100；办公经费 70，水电差旅 50，会议培训 3",
    good="公用经费 340.27；办公经费 70.22，水电差旅 54.76，会议培训 3.15",
    check=_public_parts,
)


def _over_budget(rule: Rule, form: BasicData, ctx: Context, key: str, result: str):
    rate = ctx.results(form).value(result)
    if rate is not None and rate > 1 + 1e-9:
        yield rule.at(form.sheet, form.cell(key, "actual"), expected=1.0, found=r4(rate),
                      text=dict(rate=pct(rate),
                                actual=n(amount(form, key, "actual")), budget=n(amount(form, key, "budget"))))


def _sangong_over(rule, form, ctx):
    yield from _over_budget(rule, form, ctx, "sangong", "sangong_control_rate")


SANGONG_OVER = Rule(
    code="B120", name="sangong-over-budget", severity="warning", scope="basic_data",
    summary="“三公”经费决算超过预算（三公经费控制率超过100%）",
    template="“三公”经费控制率 = {actual} ÷ {budget} = {rate}，超过100%",
    why="“三公”经费实行预算控制，决算超预算需要说明原因。",
    source="财预〔2013〕53号 部门整体支出绩效评价框架（三公经费控制率）[B]",
    bad="“三公”经费 预算 17，决算 20",
    good="“三公”经费 预算 17，决算 12.88",
    check=_sangong_over,
)


def _public_over(rule, form, ctx):
    yield from _over_budget(rule, form, ctx, "public_funds", "public_funds_control_rate")


PUBLIC_OVER = Rule(
    code="B121", name="public-funds-over-budget", severity="warning", scope="basic_data",
    summary="公用经费决算超过预算（公用经费控制率超过100%）",
    template="公用经费控制率 = {actual} ÷ {budget} = {rate}，超过100%",
    why="公用经费控制率反映日常运转经费的预算约束，超过100%需要说明原因。",
    source="财预〔2013〕53号 部门整体支出绩效评价框架（公用经费控制率）[B]",
    bad="公用经费 预算 268.49，决算 340.27（126.73%）",
    good="公用经费 预算 268.49，决算 260",
    check=_public_over,
)


def _no_budget(rule: Rule, form: BasicData, ctx: Context):
    for key in ("sangong", "public_funds"):
        cell = form.cell(key, "budget")
        if cell is None or cell.error:
            continue
        budget, actual = amount(form, key, "budget"), amount(form, key, "actual")
        if (budget is None or abs(budget) <= 1e-9) and actual is not None and actual > ctx.profile.tolerance_amount:
            label = form.rows[key].label
            yield rule.at(form.sheet, cell, expected=None, found=budget,
                          text=dict(label=label, budget="空" if budget is None else "0",
                                    actual=n(actual)))


NO_BUDGET_SPENT = Rule(
    code="B122", name="spent-without-budget", severity="warning", scope="basic_data",
    summary="“三公”经费或公用经费没有预算（为0或空）却有决算支出",
    template="{label}预算数为 {budget}，决算却有 {actual}：控制率无法计算，无预算支出需要说明原因（或补填预算数）",
    why="“三公”经费和公用经费实行预算控制，没有预算而发生支出，控制率无法计算，是评价时的重点核查事项。",
    source="财预〔2013〕53号 部门整体支出绩效评价框架（三公经费控制率、公用经费控制率）[B]",
    bad="“三公”经费 预算 0，决算 12.88",
    good="“三公”经费 预算 17，决算 12.88",
    check=_no_budget,
)


def _building_rates(rule: Rule, form: BasicData, ctx: Context):
    pairs = (("area_rate", "actual_area", "approved_area"),
             ("investment_rate", "actual_investment", "budget_investment"))
    for building in form.buildings:
        for rate_key, top, bottom in pairs:
            cell = building.cells.get(rate_key)
            if cell is None or cell.blank:
                continue
            expected = None
            a, b = num(building.cells.get(top)), num(building.cells.get(bottom))
            if a is not None and b:
                expected = a / b
            found = cell.rate
            if rate_differs(cell, found, expected, ctx.profile.tolerance_rate):
                yield rule.at(form.sheet, cell, expected=r4(expected), found=r4(found),
                              text=dict(formula=f"{n(a)} ÷ {n(b)}",
                                        expected=pct(expected), found=pct(found)))


BUILDING_RATE = Rule(
    code="B130", name="building-rate-mismatch", severity="error", scope="basic_data",
    summary="楼堂馆所规模控制率或投资概算控制率与计算值不符",
    template="应为 {formula} = {expected}，现填 {found}",
    why="规模控制率 = 实际规模 ÷ 批复规模，投资概算控制率 = 实际投资 ÷ 预算投资。",
    source="部门整体支出绩效评价基础数据表模板 [A]；财预〔2013〕53号 [B]",
    bad="批复规模 1000，实际规模 1100，规模控制率填 100%",
    good="批复规模 1000，实际规模 1100，规模控制率填 110.00%",
    check=_building_rates,
)


def _building_over(rule: Rule, form: BasicData, ctx: Context):
    pairs = (("actual_area", "approved_area", "规模"), ("actual_investment", "budget_investment", "投资"))
    for building in form.buildings:
        for top, bottom, what in pairs:
            a, b = num(building.cells.get(top)), num(building.cells.get(bottom))
            if a is not None and b and a > b + ctx.profile.tolerance_amount:
                yield rule.at(form.sheet, building.cells.get(top), expected=r2(b), found=r2(a),
                              text=dict(what=what, actual=n(a), approved=n(b)))


BUILDING_OVER = Rule(
    code="B131", name="building-over-approval", severity="warning", scope="basic_data",
    summary="楼堂馆所实际规模或实际投资超过批复",
    template="实际{what} {actual} 超过批复/预算 {approved}",
    why="楼堂馆所建设不得超规模、超概算，超出部分需要说明。",
    source="财预〔2013〕53号 部门整体支出绩效评价框架（规模控制率、投资概算控制率）[B]",
    bad="批复规模 1000 m²，实际规模 1100 m²",
    good="批复规模 1000 m²，实际规模 980 m²",
    check=_building_over,
)

RULES = [STAFF_RATE, STAFF_OVER, STAFF_NO_BASE, SANGONG_SUM, CAR_SUM, PROJECT_SUM, SPECIAL_SUM,
         PUBLIC_PARTS, SANGONG_OVER, PUBLIC_OVER, NO_BUDGET_SPENT, BUILDING_RATE, BUILDING_OVER]
