"""``jixiao-xl report draft``: a 自评报告 draft written from a workbook's tables.

The outline is the seed's (部门整体支出绩效自评报告, sections 一 to 十, then a
项目支出绩效评价报告 per 附件3).  Every sentence with a number is generated
from the tables, worded so that ``report check`` reads each figure back to its
cell; what only the department can write is a yellow-highlighted placeholder
in 【】.  A figure the workbook check finds wrong (an error at its cell, or at a
cell it is computed from) is not copied: it becomes 【待核实：…】 with the check's
reason and recomputed value, which ``report check`` then reports (T106) until
someone settles it; a sentence with such a figure is one 【待核实：…】 as a whole.  The document follows the
official layout (GB/T 9704-2012: A4, 仿宋 body, 黑体/楷体 heading styles, — 1 — page numbers).  The output is
written atomically, never over the workbook, and over an existing file only with --force (a backup kept).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..rules.findings import Finding
from ..read.model import Cell, SelfEval, num
from ..problems import Refused, os_cause
from ..read.values import fmt_number
from .facts import Fact, Facts, gather

PLACEHOLDER_MARK = "【"
VERIFY_MARK = "【待核实："


class DraftError(Refused):
    """Why no draft was written: a catalogued reason (problems.py), its text for people."""


def pct(value: float) -> str:
    """A rate as a percentage with at most 2 decimals: 75.76%, 100%."""
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


def amt(value: float) -> str:
    return fmt_number(round(value, 2))


@dataclass
class Block:
    """One paragraph: text pieces, each (text, placeholder?), and a style."""

    pieces: list[tuple[str, bool]] = field(default_factory=list)
    style: str | None = None  # "title" | "heading" | "subheading" | None

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.pieces)


_STOPS = "。！？!?…"  # a sentence ends with one of these
_MARKS = _STOPS + "，,、；;：:."


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _seam(left: str, right: str) -> tuple[str, str]:
    """``left`` and ``right`` trimmed where they meet, so that the join doubles neither a mark nor a word: a name
    typed with its ending ("校舍维修改造项目" + "项目支出绩效评价报告"), a reason typed with its full stop
    ("…开工。" + "。"), or a clause left open ("…开工，" + "。" is "…开工。")."""
    if not left or not right:
        return left, right
    if right[0] in _MARKS and left[-1] in _MARKS:
        if left[-1] in _STOPS or right[0] not in _STOPS:
            return left, right[1:]  # "。" + "。", "。" + "，": the first stands
        return left[:-1], right  # "，" + "。": the sentence ends there
    for k in range(min(len(left), len(right), 6), 1, -1):  # the longest word both sides hold
        if left[-k:] == right[:k] and all(_is_cjk(c) for c in right[:k]):
            return left, right[k:]
    return left, right


def _join(*texts: str) -> str:
    out = ""
    for text in texts:
        out, text = _seam(out, text)
        out += text
    return out


def _p(*pieces, style=None) -> Block:
    """A paragraph of pieces (text, or (text, placeholder?)); plain texts side by side are joined by ``_seam``."""
    out: list[tuple[str, bool]] = []
    for piece in pieces:
        text, placeholder = (piece, False) if isinstance(piece, str) else piece
        if out and not placeholder and not out[-1][1]:
            left, text = _seam(out[-1][0], text)
            out[-1] = (left, False)
        out.append((text, placeholder))
    return Block([piece for piece in out if piece[0]], style)


def _todo(text: str) -> tuple[str, bool]:
    return (f"【请填写：{text}】", True)


class Doubts:
    """The errors the workbook check finds, by (sheet, cell): a figure read from such a cell is not stated."""

    def __init__(self, findings: list[Finding] = ()):
        self.at: dict[tuple[str, str], list[Finding]] = {}
        for f in findings:
            if f.severity == "error" and f.sheet and f.cell:
                self.at.setdefault((f.sheet, f.cell), []).append(f)

    def on(self, *places) -> list[Finding]:
        """The errors at the cells of ``places`` (Facts, or (sheet, Cell) pairs; None ignored), each once."""
        out = []
        for place in places:
            if place is None:
                continue
            if isinstance(place, Fact):
                key = (place.sheet, place.cell)
            else:
                sheet, cell = place
                if cell is None:
                    continue
                key = (sheet, cell.address if isinstance(cell, Cell) else cell)
            for f in self.at.get(key, ()):
                if f not in out:
                    out.append(f)
        return out


PLACEHOLDER_CHARS = 200  # inside 【…】: what report check reads as one placeholder (T106), and a reader takes in


def _verify(what: str, found: list[Finding], facts_: tuple = (), head: str = "表中有误") -> tuple[str, bool]:
    """【待核实：what，表中有误：the check's reasons (with the recomputed value and the cell)】, at most
    PLACEHOLDER_CHARS inside the brackets: reasons that do not fit are counted, not cut mid-way.  ``facts_``: Facts
    whose own verdict (a 总分 the check reviews to another figure, one it cannot review) adds a reason, unless an
    error at the same cell already says it."""
    if len(what) > 80:
        what = what[:79] + "…"
    head = f"{VERIFY_MARK[1:]}{what}，{head}："
    reasons = [(f.text, f"{f.sheet} {f.cell}") for f in found]
    places = {place for _, place in reasons}
    for fact in facts_:
        if fact is None:
            continue
        # "无法复核：得分 “满分”（H14） 不是数字" under the head "总分无法复核": once
        unknown = fact.unknown.split("：", 1)[1] if fact.unknown.startswith("无法复核：") else fact.unknown
        for why in (fact.wrong, unknown):
            for part in filter(None, why.split("；")):
                text, _, place = part.rpartition("（")
                if not (text and place.endswith("）")):
                    text, place = part, f"{fact.sheet} {fact.cell}）"
                place = place[:-1]
                if place not in places and (text, place) not in reasons:
                    reasons.append((text, place))
    room = PLACEHOLDER_CHARS - len(head)
    shown: list[str] = []
    for i, (reason, place) in enumerate(reasons):
        rest = len(reasons) - i - 1
        more = f"；另有 {rest} 处（运行 jixiao-xl check 可看全部）" if rest else ""
        text = "；".join(shown + [f"{reason}（{place}）"])
        if len(text) + len(more) <= room:
            shown.append(f"{reason}（{place}）")
            continue
        if not shown:  # the first reason alone is too long: its start, and where it is
            cut = room - len(more) - len(f"…（{place}）")
            shown.append(reason[:max(cut, 10)] + f"…（{place}）")
            continue
        break
    left = len(reasons) - len(shown)
    text = "；".join(shown) + (f"；另有 {left} 处（运行 jixiao-xl check 可看全部）" if left else "")
    return (f"【{head}{text}】", True)


def _names(names: list[str]) -> str:
    """年初预算数、全年预算数和执行率"""
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1]


def _indicator_lines(form: SelfEval, facts: Facts, doubts: Doubts) -> list[Block]:
    """The indicators scored below their 分值, each with its reason; an indicator whose 分值 or 得分 the check
    finds wrong is never stated: one 【待核实：…】 for it (below its 分值) or for all the others together."""
    out, others, found = [], [], []
    rows = facts._results(form).rows  # the judged rows the check and the total read
    if not rows:  # none read: nothing to say they were met
        return [_p(_todo("绩效指标完成情况（表中未读出绩效指标）"))]
    for row in rows:
        ind, weight, score = row.ind, row.weight, row.score
        name = ind.name.replace("\n", "")
        wrong = doubts.on((form.sheet, ind.weight), (form.sheet, ind.score))
        if weight is None or score is None or score >= weight:
            if wrong:
                others.append(f"“{name}”")
                found.extend(f for f in wrong if f not in found)
            continue
        target, actual = ind.target.text, ind.actual.text
        values = (f"年度指标值和实际完成值均为“{target}”，" if target == actual and target != name else
                  "实际完成值与年度指标值一致，" if target == actual else
                  f"年度指标值为“{target}”，实际完成值为“{actual}”，")
        line = f"“{name}”（{ind.level2 or ind.level1}）{values}"
        reason = ind.reason.text if ind.reason is not None else ""
        tail = (reason, "。") if reason else (_todo("偏差原因分析及改进措施"),)  # "。" once, if typed with it
        # the table's column is 偏差原因分析及改进措施: what is typed there is as often a measure as a reason
        if wrong:  # the sentence as a whole is in doubt: one placeholder, then the reason as typed
            out.append(_p(_verify(f"“{name}”（{ind.level2 or ind.level1}）的指标值、完成值、分值和得分", wrong),
                          "偏差原因分析及改进措施：", *tail))
            continue
        line += f"分值{fmt_number(weight)}分，得{fmt_number(score)}分。偏差原因分析及改进措施："
        out.append(_p(line, *tail))
    if others:
        names = "、".join(others) if len(others) <= 2 else f"{'、'.join(others[:2])}等 {len(others)} 项指标"
        out.append(_p(_verify(names + "的分值和得分", found)))
    if not out:
        out.append(_p("各项绩效指标均已完成，得分与分值一致。"))
    return out


def _exec_line(form: SelfEval, facts: Facts, who: str, doubts: Doubts) -> Block:
    """The budget, execution and 执行率 of a form in one sentence; when the check finds an error at any of its
    cells, the sentence is not stated at all: the figures hang together (执行率 = 执行数 ÷ 预算数, its 得分 from
    it), so it becomes one 【待核实：…】 naming them, with every reason once."""
    full, executed = num(form.exec.get("full")), num(form.exec.get("executed"))
    results = facts._results(form)
    parts: list[tuple[str, str]] = []
    cells: list[str] = []

    def part(label: str, text: str, *keys: str) -> None:
        parts.append((label, text))
        cells.extend(k for k in keys if k not in cells)

    if num(form.exec.get("initial")) is not None:
        part("年初预算数", f"年初预算数{amt(num(form.exec['initial']))}万元", "initial")
    if full is not None:
        part("全年预算数", f"全年预算数{amt(full)}万元", "full")
    if executed is not None:
        part("全年执行数", f"全年执行数{amt(executed)}万元", "executed")
    if results.exec_rate is not None:
        part("执行率", f"执行率{pct(results.exec_rate)}", "full", "executed", "rate")
    # the 执行率得分 of the check's 结果 line (8.62 where the cell shows 8.6); one it cannot review is no number
    score = facts.score("exec_score", form)
    if score is not None and (score.value is not None or score.unknown):
        shown = score.checked if score.checked is not None else score.value
        part("执行率得分", f"执行率得分{fmt_number(shown) if shown is not None else ''}分",
             "full", "executed", "rate", "score")
    if not parts:
        return _p(_todo(f"{who}的预算数、执行数和执行率（表中未填写）"))
    wrong = doubts.on(*((form.sheet, form.exec.get(key)) for key in cells))
    if wrong or (score is not None and (score.unknown or score.wrong)):
        return _p(_verify(f"{who}的" + _names([label for label, _ in parts]), wrong, (score,)))
    return _p(who + "，".join(text for _, text in parts) + "。")


def _score_line(form: SelfEval, facts: Facts, who: str, doubts: Doubts) -> Block:
    """The 总分 and 等级 of the check's 结果 line.  A 总分 typed (or computed by the sheet's formula) otherwise is
    not copied, nor the 复核值 written as if the table said it: 【待核实：…】 with both; one the check cannot
    review (a 得分 typed "满分") is no number at all: 【待核实：…】 saying why."""
    score = facts.score("total", form)
    if score is None or (score.value is None and not score.unknown.startswith("无法复核")):
        why = f"表中总分{facts._results(form).why('total_score').split('：', 1)[0]}" if score is not None else \
            "表中未算出总分"
        return _p(_todo(f"{who}自评得分和等级（{why}）"))
    wrong = doubts.on(score)
    if wrong or score.wrong:
        return _p(_verify(f"{who}自评得分和等级", wrong, (score,)))
    if score.unknown:
        return _p(_verify(f"{who}自评得分和等级", [], (score,), head="总分无法复核"))
    from ..compute.scoring import grade

    fact = facts.grade(form)
    if fact is not None and fact.value is None and fact.unknown:  # 分值合计 170: the total, and no grade
        why = fact.unknown.split("：", 1)[-1]
        return _p(f"{who}自评得分{fmt_number(score.checked)}分，",
                  (f"{VERIFY_MARK}{who}自评等级无法复核：{why}，总分不是百分制，不能评定等级】", True))
    return _p(f"{who}自评得分{fmt_number(score.checked)}分，等级为“{grade(score.checked)}”。")


def _sentence(doubts: Doubts, what: str, facts_: tuple, *pieces) -> Block:
    """A paragraph of figures, or, when the check finds an error at one of their cells, 【待核实：what…】."""
    wrong = doubts.on(*facts_)
    return _p(_verify(what, wrong)) if wrong else _p(*pieces)


def _no_gov_fund(facts: Facts, fund: Fact | None, full: Fact | None) -> bool:
    """Whether the tables say there is no 政府性基金: its line typed 0, or the other 按收入性质分 lines adding up to the
    total without it.  A blank line alone says nothing (a table cut short, a breakdown never filled)."""
    if fund is not None and fund.value is not None:
        return fund.value == 0
    total = facts.breakdown("income_total") or full
    parts = [f.value for f in (facts.breakdown(k) for k in ("general", "special_nontax", "other"))
             if f is not None and f.value is not None]
    return bool(total is not None and total.value and parts and abs(sum(parts) - total.value) <= 0.005)


def blocks(facts: Facts, doubts: Doubts | None = None) -> list[Block]:
    doubts = doubts or Doubts()
    year = facts.year
    y = f"{year}年度" if year else ""
    dept = facts.dept
    unit = dept.name if dept is not None and dept.name else ""
    out: list[Block] = [_p(_join(y, unit or "（单位名称）", "部门整体支出绩效自评报告"), style="title")]

    out.append(_p("一、部门(单位)基本情况", style="heading"))
    out.append(_p(_todo("部门职责、内设机构和派出机构")))
    basic = facts.basic
    staff = facts.rate("staff_control_rate")
    if basic is not None and staff is not None:
        est, actual = num(basic.staff.get("establishment")), num(basic.staff.get("actual_staff"))
        out.append(_sentence(doubts, "编制数、实际在职人数和财政供养人员控制率",
                             ((basic.sheet, basic.staff.get("establishment")), (basic.sheet, basic.staff.get("actual_staff"))),
                             f"编制数{fmt_number(est)}人，实际在职人数{fmt_number(actual)}人，财政供养人员控制率{pct(staff.value)}。"))

    out.append(_p("二、一般公共预算支出情况", style="heading"))
    # 附件2's 按收入性质分 / 按支出性质分 lines are on the full-year budget basis (rules §6): said as 全年预算数, beside
    # the 全年执行数 the unit actually spent, never as 支出
    general = facts.amount("general", "budget")
    full, executed = facts.amount("full"), facts.amount("executed")
    opening = []
    if full is not None:
        opening.append(f"{y}部门全年预算数{amt(full.value)}万元"
                       + (f"（其中一般公共预算{amt(general.value)}万元）" if general is not None else ""))
    elif general is not None:
        opening.append(f"{y}一般公共预算全年预算数{amt(general.value)}万元")
    if executed is not None:
        opening.append(f"全年执行数{amt(executed.value)}万元")
    if opening:
        out.append(_sentence(doubts, "全年预算数、一般公共预算和全年执行数", (full, general, executed),
                             "，".join(opening) + "。"))
    out.append(_p("（一）基本支出情况", style="subheading"))
    basic_total, personnel, public = facts.amount("basic"), facts.amount("personnel"), facts.amount("public_funds")
    if basic_total is not None and basic_total.value and doubts.on(basic_total):
        out.append(_sentence(doubts, "基本支出及人员经费、公用经费", (basic_total,)))
    elif basic_total is not None and basic_total.value:
        # 附件2's 基本支出 line is of all the funds (财政拨款 and 其他资金 alike): never said to be 财政拨款's
        out.append(_p(f"{y}基本支出{amt(basic_total.value)}万元，其中："))
        if personnel is not None and public is not None:
            out.append(_sentence(doubts, "人员经费及其占比", (public,), f"人员经费{amt(personnel.value)}万元，占基本支出的"
                                 f"{pct(personnel.value / basic_total.value)}，主要包括", _todo("人员经费的主要构成"), "。"))
            out.append(_sentence(doubts, "公用经费及其占比", (public,), f"公用经费{amt(public.value)}万元，占基本支出的"
                                 f"{pct(public.value / basic_total.value)}，主要包括", _todo("公用经费的主要构成"), "。"))
        else:
            out.append(_p(_todo("人员经费、公用经费的金额和占比（表中缺附件1公用经费或附件2基本支出）")))
    else:
        out.append(_p(_todo("基本支出情况（附件2 未填写基本支出）")))
    out.append(_p("（二）项目支出情况", style="subheading"))
    project = facts.amount("project")
    if project is not None and full is not None and full.value:  # both on the full-year budget basis
        out.append(_sentence(doubts, "项目支出及其占比", (project, full),
                             f"项目支出{amt(project.value)}万元，占全年预算数的{pct(project.value / full.value)}。",
                             _todo("项目支出的主要用途")))
    elif project is not None:
        out.append(_sentence(doubts, "项目支出", (project,), f"项目支出{amt(project.value)}万元。",
                             _todo("项目支出的主要用途")))
    else:
        out.append(_p(_todo("项目支出情况（表中未填写项目支出）")))

    out.append(_p("三、政府性基金预算支出情况", style="heading"))
    fund = facts.amount("gov_fund")
    if _no_gov_fund(facts, fund, full):
        out.append(_p(f"{y}我单位无政府性基金预算收支。"))
    elif fund is None or not fund.value:
        out.append(_p(_todo("政府性基金预算支出情况（表中未填写政府性基金拨款；没有则写“无”）")))
    else:
        out.append(_sentence(doubts, "政府性基金拨款", (fund,), f"{y}全年预算数中政府性基金拨款{amt(fund.value)}万元。",
                             _todo("主要用途")))
    out.append(_p("四、国有资本经营预算支出情况", style="heading"))
    out.append(_p(_todo("国有资本经营预算支出情况（表中没有这一项；没有则写“无”）")))
    out.append(_p("五、社会保险基金预算支出情况", style="heading"))
    out.append(_p(_todo("社会保险基金预算支出情况（表中没有这一项；没有则写“无”）")))

    out.append(_p("六、部门整体支出绩效情况", style="heading"))
    if dept is not None:
        out.append(_exec_line(dept, facts, "部门整体支出", doubts))
    for key, name in (("sangong", "“三公”经费"), ("public_funds", "公用经费")):
        budget, actual = facts.amount(key, "budget"), facts.amount(key, "actual")
        rate = facts.rate(f"{key}_control_rate")
        if budget is None or actual is None or rate is None:
            continue
        line = [f"{name}预算数{amt(budget.value)}万元，{name}决算数{amt(actual.value)}万元，{name}控制率为{pct(rate.value)}。"]
        if rate.value > 1:
            line.append(_todo(f"{name}超出预算的原因"))
        out.append(_sentence(doubts, f"{name}预算数、决算数和控制率", (budget, actual), *line))
    budget, actual, rate = (facts.amount("procurement", "budget"), facts.amount("procurement", "actual"),
                            facts.rate("procurement_rate"))
    if budget is not None and actual is not None and rate is not None:
        out.append(_sentence(doubts, "政府采购预算、金额和执行率", (budget, actual),
                             f"政府采购预算{amt(budget.value)}万元，政府采购金额{amt(actual.value)}万元，"
                             f"政府采购执行率{pct(rate.value)}。"))
    if dept is not None:
        out.append(_p("未得满分的绩效指标：", style="subheading"))
        out.extend(_indicator_lines(dept, facts, doubts))
        out.append(_score_line(dept, facts, "部门整体支出绩效", doubts))
    for i, proj in enumerate(facts.projects, 1):
        out.append(_p(f"项目{i}：{proj.name}", style="subheading"))
        out.append(_exec_line(proj.form, facts, f"“{proj.name}”", doubts))
    out.append(_p("产出及履职效益情况", style="subheading"))
    out.append(_p(_todo("主要工作和成效（产出、效益、满意度）")))
    for number, title in (("七", "存在的主要问题"), ("八", "改进措施和有关建议"),
                          ("九", "部门整体支出绩效自评结果拟应用和公开情况"), ("十", "其他需要说明的情况")):
        out.append(_p(f"{number}、{title}", style="heading"))
        out.append(_p(_todo(title)))

    for proj in facts.projects:
        form = proj.form
        out.append(_p(_join(y, proj.name, "项目支出绩效评价报告"), style="title"))
        out.append(_p("一、项目基本情况", style="heading"))
        out.append(_p(_todo("项目立项背景、依据和年度绩效目标")))
        out.append(_p("二、项目资金及执行情况", style="heading"))
        out.append(_exec_line(form, facts, "项目", doubts))
        out.append(_p("三、绩效目标完成情况", style="heading"))
        out.extend(_indicator_lines(form, facts, doubts))
        out.append(_p("四、自评结果", style="heading"))
        out.append(_score_line(form, facts, "项目", doubts))
        out.append(_p("五、存在的主要问题", style="heading"))
        out.append(_p(_todo("存在的主要问题")))
        out.append(_p("六、改进措施和有关建议", style="heading"))
        out.append(_p(_todo("改进措施和有关建议")))
    return out


# The official document format (GB/T 9704-2012 党政机关公文格式): A4, margins, fonts and sizes.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
LINE_PT = 28.95  # 22 lines a page on the 3号 text block
# font → the font Word uses where it is not installed (fontTable altName): the GB2312 fonts of the standard
# are not on every computer; their Windows names are
FONTS = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体", "黑体": None, "宋体": None}
# style -> (Word style, font, size in pt, outline level or None)
STYLES = {
    None: ("Normal", "仿宋_GB2312", 16, None),  # 三号 仿宋
    "title": ("Title", "方正小标宋简体", 22, None),  # 二号 小标宋, centred
    "heading": ("Heading 1", "黑体", 16, 0),  # 一、… 三号 黑体
    "subheading": ("Heading 2", "楷体_GB2312", 16, 1),  # （一）… 三号 楷体
}
PAGE_NUMBER = ("宋体", 14)  # — 1 — in 四号 宋体


def _fonts(element, font: str, size: float | None = None) -> None:
    """Set a style's or run's fonts (Latin and East Asian, no theme fonts, which would win) and size."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), font)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            old = rpr.find(qn(tag))
            if old is None:
                old = OxmlElement(tag)
                rpr.append(old)
            old.set(qn("w:val"), str(int(size * 2)))


def _style_document(document) -> None:
    """Page, styles and fonts of an official document."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    for section in document.sections:
        section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
        section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
        section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
        section.header_distance, section.footer_distance = Cm(1.5), Cm(2.5)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for fonts in defaults.iter(qn("w:rFonts")):
            for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
                fonts.attrib.pop(qn(f"w:{attr}"), None)
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
    for kind, (name, font, size, level) in STYLES.items():
        style = document.styles[name]
        _fonts(style.element, font, size)
        rpr = style.element.rPr
        for tag in ("w:b", "w:bCs", "w:color", "w:spacing", "w:kern"):  # 黑体/楷体 as they are, black
            for old in rpr.findall(qn(tag)):
                rpr.remove(old)
        ppr = style.element.get_or_add_pPr()
        for old in ppr.findall(qn("w:pBdr")):  # the Title style's rule under it
            ppr.remove(old)
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(0), Pt(0)
        fmt.line_spacing = Pt(35 if kind == "title" else LINE_PT)
        if kind == "title":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.first_line_indent = Pt(0)
            fmt.space_after = Pt(LINE_PT)  # a blank line under the title
        else:
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.first_line_indent = Pt(2 * size)  # two characters
        if level is not None:
            fmt.keep_with_next = True
            outline = ppr.find(qn("w:outlineLvl"))
            if outline is None:
                outline = OxmlElement("w:outlineLvl")
                ppr.append(outline)
            outline.set(qn("w:val"), str(level))
    _font_table(document)


def _font_table(document) -> None:
    """Name, in the font table, the installed font Word takes where a GB2312 font is missing (w:altName)."""
    from lxml import etree

    from docx.oxml.ns import qn

    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in FONTS.items():
        if name in have:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if alt:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if "宋" in name or "仿" in name else "auto")
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_numbers(document) -> None:
    """— 1 — in the footer: odd pages on the right, even pages on the left, one character in (GB/T 9704 7.5)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font, size = PAGE_NUMBER
    document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            paragraph.alignment = align
            fmt = paragraph.paragraph_format
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing = 1.0
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                fmt.right_indent = Pt(size)
            else:
                fmt.left_indent = Pt(size)

            def run(text=None, field=None):
                r = paragraph.add_run(text)
                _fonts(r._r, font, size)
                if field == "begin" or field == "separate" or field == "end":
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), field)
                    r._r.append(char)
                elif field == "instr":
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = " PAGE "
                    r._r.append(instr)
                return r

            run("— ")
            run(field="begin")
            run(field="instr")
            run(field="separate")
            run("1")
            run(field="end")
            run(" —")


def _write(blocks_: list[Block], path: str, before_replace=None) -> None:
    """The draft as a .docx, written atomically (never half a file); ``before_replace`` runs once it is
    complete, just before it takes the place of ``path``."""
    import docx
    from docx.enum.text import WD_COLOR_INDEX

    from ..xlsx.xlsxio import atomic_write

    document = docx.Document()
    _style_document(document)
    _page_numbers(document)
    titles = 0
    for block in blocks_:
        paragraph = document.add_paragraph(style=STYLES[block.style][0])
        if block.style == "title":
            titles += 1
            if titles > 1:  # each 项目支出绩效评价报告 starts on a new page
                paragraph.paragraph_format.page_break_before = True
        for text, placeholder in block.pieces:
            run = paragraph.add_run(text)
            if placeholder:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    atomic_write(path, lambda temp: document.save(temp), before_replace=before_replace)


def write_draft(workbook: str, output: str, profile=None, force: bool = False) -> str:
    """Write the draft; returns a line for people.  Raises DraftError with a Chinese reason.

    An existing ``output`` (perhaps a draft already completed by hand) is never replaced unless ``force``,
    and then a copy of it is kept first (原名.时间.bak.docx)."""
    from ..xlsx.grid import UnreadableWorkbook
    from .checker import chosen_workbook

    if not output.lower().endswith(".docx"):
        raise DraftError("O007", text=f"输出文件应为 Word 文档（.docx）：{output}")
    if os.path.abspath(output) == os.path.abspath(workbook):
        raise DraftError("O003", text="输出文件不能和工作簿相同")
    from ..xlsx.xlsxio import output_problem

    problem = output_problem(output)
    if problem:
        raise DraftError(problem.code, text=f"无法写入 {output}：{problem}")
    exists = os.path.lexists(output)
    if exists and not force:
        raise DraftError("O004", text=f"{output} 已存在，未覆盖（其中可能已有填写的内容）；要重新生成请加 --force（会先备份原文件）")
    try:
        book = chosen_workbook(workbook)
    except UnreadableWorkbook as exc:
        raise DraftError.like(exc, f"{workbook}：{exc}") from None
    profile = profile or book.profile  # as check chooses it: a 江西 unit's 执行率得分 by 江西's bands
    from ..rules.check import check_workbook

    found = check_workbook(book, profile).all_findings()
    facts = gather([book], profile, [found])  # as the check reads it: its results, its corrections
    if facts.dept is None and facts.basic is None:
        raise DraftError("U012", text=f"{workbook}：没有找到附件1 或附件2，无法生成部门整体支出绩效自评报告")
    content = blocks(facts, Doubts(found))
    from ..xlsx.xlsxio import OutputError, make_backup

    backup: list[str] = []

    def keep() -> None:  # the old file, copied once the new draft is complete
        import time

        backup.append(str(make_backup(output, time.strftime("%Y%m%d-%H%M%S"))))

    try:
        _write(content, output, keep if exists else None)
    except OutputError as exc:
        raise DraftError.like(exc) from None
    except OSError as exc:
        raise DraftError("O005", text=f"无法写入 {output}（{os_cause(exc)}）") from None
    todo = sum(1 for b in content for t, p in b.pieces if p and not t.startswith(VERIFY_MARK))
    verify = sum(1 for b in content for t, p in b.pieces if p and t.startswith(VERIFY_MARK))
    line = f"已生成报告初稿：{output}（{todo} 处需要单位填写的内容已用黄色标出）"
    if backup:
        line += f"\n原有的 {output} 已备份为 {backup[0]}"
    if verify:
        line += f"\n工作簿中有错误的数字未照抄：{verify} 处写作【待核实：…】（附原因和复核值），请核实后改写"
    return line
