"""``jixiao-xl report draft``: a 自评报告 draft written from a workbook's tables.

The outline is the seed's (部门整体支出绩效自评报告, sections 一 to 十, then a
项目支出绩效评价报告 per 附件3).  Every sentence with a number is generated
from the tables, worded so that ``report check`` reads each figure back to its
cell; what only the department can write is a yellow-highlighted placeholder
in 【】.  A figure the workbook check finds wrong (an error at its cell, or at a
cell it is computed from) is not copied: it becomes 【待核实：…】 with the check's
reason and recomputed value, which ``report check`` then reports (T106) until
someone settles it.  The output is written atomically and never over the workbook.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

from ..findings import Finding
from ..model import Cell, SelfEval, num
from ..values import fmt_number
from .facts import Fact, Facts, gather

PLACEHOLDER_MARK = "【"
VERIFY_MARK = "【待核实："


class DraftError(Exception):
    """Why no draft was written; the message is for people."""


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


def _p(*pieces, style=None) -> Block:
    return Block([(p, False) if isinstance(p, str) else p for p in pieces], style)


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


def _verify(what: str, found: list[Finding]) -> tuple[str, bool]:
    """【待核实：what——the check's reasons (with the recomputed value)】"""
    reasons = "；".join(f"{f.message.split('：', 1)[-1]}（{f.sheet} {f.cell}）" for f in found)
    return (f"{VERIFY_MARK}{what}，表中有误：{reasons}】", True)


def _indicator_lines(form: SelfEval, facts: Facts, doubts: Doubts) -> list[Block]:
    out = []
    for row in facts._results(form).rows:  # the judged rows the check and the total read
        ind, weight, score = row.ind, row.weight, row.score
        if weight is None or score is None or score >= weight:
            continue
        name = ind.name.replace("\n", "")
        line = f"“{name}”（{ind.level2 or ind.level1}）年度指标值为“{ind.target.text}”，实际完成值为“{ind.actual.text}”，"
        wrong = doubts.on((form.sheet, ind.weight), (form.sheet, ind.score))
        reason = ind.reason.text if ind.reason is not None else ""
        tail = reason + "。" if reason else _todo("偏差原因分析及改进措施")
        if wrong:
            out.append(_p(line, _verify("分值和得分", wrong), "。偏差原因：", tail))
            continue
        line += f"分值{fmt_number(weight)}分，得{fmt_number(score)}分。偏差原因："
        out.append(_p(line, tail))
    if not out:
        out.append(_p("各项绩效指标均已完成，得分与分值一致。"))
    return out


def _exec_line(form: SelfEval, facts: Facts, who: str, doubts: Doubts) -> Block:
    full, executed = num(form.exec.get("full")), num(form.exec.get("executed"))
    results = facts._results(form)
    parts: list = []

    def part(label: str, text: str, *cells: str) -> None:
        wrong = doubts.on(*((form.sheet, form.exec.get(key)) for key in cells))
        parts.append(_verify(label, wrong) if wrong else text)

    if num(form.exec.get("initial")) is not None:
        part("年初预算数", f"年初预算数{amt(num(form.exec['initial']))}万元", "initial")
    if full is not None:
        part("全年预算数", f"全年预算数{amt(full)}万元", "full")
    if executed is not None:
        part("全年执行数", f"全年执行数{amt(executed)}万元", "executed")
    if results.exec_rate is not None:
        part("执行率", f"执行率{pct(results.exec_rate)}", "full", "executed", "rate")
    score = facts.score("exec_score", form)
    if score is not None:
        part("执行率得分", f"执行率得分{fmt_number(score.value)}分", "full", "executed", "rate", "score")
    if not parts:
        return _p(_todo(f"{who}的预算数、执行数和执行率（表中未填写）"))
    pieces: list = [who]
    for i, piece in enumerate(parts):
        if i:
            pieces.append("，")
        pieces.append(piece)
    pieces.append("。")
    return _p(*pieces)


def _score_line(form: SelfEval, facts: Facts, who: str, doubts: Doubts) -> Block:
    score, grade = facts.score("total", form), facts.grade(form)
    if score is None or grade is None:
        return _p(_todo(f"{who}自评得分和等级（表中未算出总分）"))
    wrong = doubts.on(score)
    if wrong:
        return _p(f"{who}自评得分", _verify("自评得分和等级", wrong), "。")
    return _p(f"{who}自评得分{fmt_number(score.value)}分，等级为“{grade.value}”。")


def _sentence(doubts: Doubts, what: str, facts_: tuple, *pieces) -> Block:
    """A paragraph of figures, or, when the check finds an error at one of their cells, 【待核实：what…】."""
    wrong = doubts.on(*facts_)
    return _p(_verify(what, wrong)) if wrong else _p(*pieces)


def blocks(facts: Facts, doubts: Doubts | None = None) -> list[Block]:
    doubts = doubts or Doubts()
    year = facts.year
    y = f"{year}年度" if year else ""
    dept = facts.dept
    unit = dept.name if dept is not None and dept.name else ""
    out: list[Block] = [_p(f"{y}{unit or '（单位名称）'}部门整体支出绩效自评报告", style="title")]

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
    general, total = facts.amount("general"), facts.amount("expense_total")
    opening = []
    if general is not None:
        opening.append(f"{y}一般公共预算支出{amt(general.value)}万元")
    if total is not None:
        opening.append(f"支出总额{amt(total.value)}万元")
    if opening:
        out.append(_sentence(doubts, "一般公共预算支出和支出总额", (general, total), "，".join(opening) + "。"))
    out.append(_p("（一）基本支出情况", style="subheading"))
    basic_total, personnel, public = facts.amount("basic"), facts.amount("personnel"), facts.amount("public_funds")
    if basic_total is not None and basic_total.value and doubts.on(basic_total):
        out.append(_sentence(doubts, "财政拨款基本支出及人员经费、公用经费", (basic_total,)))
    elif basic_total is not None and basic_total.value:
        out.append(_p(f"{y}财政拨款基本支出{amt(basic_total.value)}万元，其中："))
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
    if project is not None and total is not None and total.value:
        out.append(_sentence(doubts, "项目支出及其占比", (project, total),
                             f"项目支出{amt(project.value)}万元，占总支出的{pct(project.value / total.value)}。",
                             _todo("项目支出的主要用途")))
    elif project is not None:
        out.append(_sentence(doubts, "项目支出", (project,), f"项目支出{amt(project.value)}万元。",
                             _todo("项目支出的主要用途")))
    else:
        out.append(_p(_todo("项目支出情况（表中未填写项目支出）")))

    out.append(_p("三、政府性基金预算支出情况", style="heading"))
    fund = facts.amount("gov_fund")
    if fund is None or not fund.value:
        out.append(_p(f"{y}我单位无政府性基金预算收支。"))
    else:
        out.append(_sentence(doubts, "政府性基金预算支出", (fund,), f"{y}政府性基金预算支出{amt(fund.value)}万元。",
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
        out.append(_p("未完成的绩效指标：", style="subheading"))
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
        out.append(_p(f"{y}{proj.name}项目支出绩效评价报告", style="title"))
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


def _write(blocks_: list[Block], path: str) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for block in blocks_:
        paragraph = document.add_paragraph()
        if block.style == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text, placeholder in block.pieces:
            run = paragraph.add_run(text)
            if block.style in ("title", "heading"):
                run.bold = True
                run.font.size = Pt(16 if block.style == "title" else 14)
            elif block.style == "subheading":
                run.bold = True
            if placeholder:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(suffix=".docx", dir=directory)
    os.close(handle)
    try:
        document.save(temp)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def write_draft(workbook: str, output: str, profile=None) -> str:
    """Write the draft; returns a line for people.  Raises DraftError with a Chinese reason."""
    from ..grid import UnreadableWorkbook
    from ..reader import read_workbook

    if not output.lower().endswith(".docx"):
        raise DraftError(f"输出文件应为 Word 文档（.docx）：{output}")
    if os.path.abspath(output) == os.path.abspath(workbook):
        raise DraftError("输出文件不能和工作簿相同")
    try:
        book = read_workbook(workbook)
    except UnreadableWorkbook as exc:
        raise DraftError(f"{workbook}：{exc}") from None
    facts = gather([book], profile)
    if facts.dept is None and facts.basic is None:
        raise DraftError(f"{workbook}：没有找到附件1 或附件2，无法生成部门整体支出绩效自评报告")
    from ..check import check_workbook

    content = blocks(facts, Doubts(check_workbook(book, profile).all_findings()))
    try:
        _write(content, output)
    except OSError as exc:
        raise DraftError(f"无法写入 {output}（{exc.strerror or exc}）") from None
    todo = sum(1 for b in content for t, p in b.pieces if p and not t.startswith(VERIFY_MARK))
    verify = sum(1 for b in content for t, p in b.pieces if p and t.startswith(VERIFY_MARK))
    line = f"已生成报告初稿：{output}（{todo} 处需要单位填写的内容已用黄色标出）"
    if verify:
        line += f"\n工作簿中有错误的数字未照抄：{verify} 处写作【待核实：…】（附原因和复核值），请核实后改写"
    return line
