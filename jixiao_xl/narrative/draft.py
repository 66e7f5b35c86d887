"""``jixiao-xl report draft``: a 自评报告 draft written from a workbook's tables.

The outline is the seed's (部门整体支出绩效自评报告, sections 一 to 十, then a
项目支出绩效评价报告 per 附件3).  Every sentence with a number is generated
from the tables, worded so that ``report check`` reads each figure back to its
cell; what only the department can write is a yellow-highlighted placeholder
in 【】.  The output is written atomically and never over the workbook.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

from ..model import SelfEval, num
from ..values import fmt_number
from .facts import Facts, gather

PLACEHOLDER_MARK = "【"


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


def _indicator_lines(form: SelfEval) -> list[Block]:
    out = []
    for ind in form.indicators:
        weight, score = num(ind.weight), num(ind.score)
        if weight is None or score is None or score >= weight:
            continue
        name = ind.name.replace("\n", "")
        line = f"“{name}”（{ind.level2 or ind.level1}）年度指标值为“{ind.target.text}”，实际完成值为“{ind.actual.text}”，" \
               f"分值{fmt_number(weight)}分，得{fmt_number(score)}分。偏差原因："
        reason = ind.reason.text if ind.reason is not None else ""
        out.append(_p(line, reason + "。" if reason else _todo("偏差原因分析及改进措施")))
    if not out:
        out.append(_p("各项绩效指标均已完成，得分与分值一致。"))
    return out


def _exec_line(form: SelfEval, facts: Facts, who: str) -> Block:
    full, executed = num(form.exec.get("full")), num(form.exec.get("executed"))
    results = facts._results(form)
    parts = []
    if num(form.exec.get("initial")) is not None:
        parts.append(f"年初预算数{amt(num(form.exec['initial']))}万元")
    if full is not None:
        parts.append(f"全年预算数{amt(full)}万元")
    if executed is not None:
        parts.append(f"全年执行数{amt(executed)}万元")
    if results.get("exec_rate") is not None:
        parts.append(f"执行率{pct(results['exec_rate'])}")
    score = facts.score("exec_score", form)
    if score is not None:
        parts.append(f"执行率得分{fmt_number(score.value)}分")
    if not parts:
        return _p(_todo(f"{who}的预算数、执行数和执行率（表中未填写）"))
    return _p(f"{who}" + "，".join(parts) + "。")


def _score_line(form: SelfEval, facts: Facts, who: str) -> Block:
    score, grade = facts.score("total", form), facts.grade(form)
    if score is None or grade is None:
        return _p(_todo(f"{who}自评得分和等级（表中未算出总分）"))
    return _p(f"{who}自评得分{fmt_number(score.value)}分，等级为“{grade.value}”。")


def blocks(facts: Facts) -> list[Block]:
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
        out.append(_p(f"编制数{fmt_number(est)}人，实际在职人数{fmt_number(actual)}人，财政供养人员控制率{pct(staff.value)}。"))

    out.append(_p("二、一般公共预算支出情况", style="heading"))
    general, total = facts.amount("general"), facts.amount("expense_total")
    opening = []
    if general is not None:
        opening.append(f"{y}一般公共预算支出{amt(general.value)}万元")
    if total is not None:
        opening.append(f"支出总额{amt(total.value)}万元")
    if opening:
        out.append(_p("，".join(opening) + "。"))
    out.append(_p("（一）基本支出情况", style="subheading"))
    basic_total, personnel, public = facts.amount("basic"), facts.amount("personnel"), facts.amount("public_funds")
    if basic_total is not None and basic_total.value:
        out.append(_p(f"{y}财政拨款基本支出{amt(basic_total.value)}万元，其中："))
        if personnel is not None and public is not None:
            out.append(_p(f"人员经费{amt(personnel.value)}万元，占基本支出的{pct(personnel.value / basic_total.value)}，主要包括",
                          _todo("人员经费的主要构成"), "。"))
            out.append(_p(f"公用经费{amt(public.value)}万元，占基本支出的{pct(public.value / basic_total.value)}，主要包括",
                          _todo("公用经费的主要构成"), "。"))
        else:
            out.append(_p(_todo("人员经费、公用经费的金额和占比（表中缺附件1公用经费或附件2基本支出）")))
    else:
        out.append(_p(_todo("基本支出情况（附件2 未填写基本支出）")))
    out.append(_p("（二）项目支出情况", style="subheading"))
    project = facts.amount("project")
    if project is not None and total is not None and total.value:
        out.append(_p(f"项目支出{amt(project.value)}万元，占总支出的{pct(project.value / total.value)}。",
                      _todo("项目支出的主要用途")))
    elif project is not None:
        out.append(_p(f"项目支出{amt(project.value)}万元。", _todo("项目支出的主要用途")))
    else:
        out.append(_p(_todo("项目支出情况（表中未填写项目支出）")))

    out.append(_p("三、政府性基金预算支出情况", style="heading"))
    fund = facts.amount("gov_fund")
    if fund is None or not fund.value:
        out.append(_p(f"{y}我单位无政府性基金预算收支。"))
    else:
        out.append(_p(f"{y}政府性基金预算支出{amt(fund.value)}万元。", _todo("主要用途")))
    out.append(_p("四、国有资本经营预算支出情况", style="heading"))
    out.append(_p(_todo("国有资本经营预算支出情况（表中没有这一项；没有则写“无”）")))
    out.append(_p("五、社会保险基金预算支出情况", style="heading"))
    out.append(_p(_todo("社会保险基金预算支出情况（表中没有这一项；没有则写“无”）")))

    out.append(_p("六、部门整体支出绩效情况", style="heading"))
    if dept is not None:
        out.append(_exec_line(dept, facts, "部门整体支出"))
    for key, name in (("sangong", "“三公”经费"), ("public_funds", "公用经费")):
        budget, actual = facts.amount(key, "budget"), facts.amount(key, "actual")
        rate = facts.rate(f"{key}_control_rate")
        if budget is None or actual is None or rate is None:
            continue
        line = [f"{name}预算数{amt(budget.value)}万元，{name}决算数{amt(actual.value)}万元，{name}控制率为{pct(rate.value)}。"]
        if rate.value > 1:
            line.append(_todo(f"{name}超出预算的原因"))
        out.append(_p(*line))
    budget, actual, rate = (facts.amount("procurement", "budget"), facts.amount("procurement", "actual"),
                            facts.rate("procurement_rate"))
    if budget is not None and actual is not None and rate is not None:
        out.append(_p(f"政府采购预算{amt(budget.value)}万元，政府采购金额{amt(actual.value)}万元，"
                      f"政府采购执行率{pct(rate.value)}。"))
    if dept is not None:
        out.append(_p("未完成的绩效指标：", style="subheading"))
        out.extend(_indicator_lines(dept))
        out.append(_score_line(dept, facts, "部门整体支出绩效"))
    for i, proj in enumerate(facts.projects, 1):
        out.append(_p(f"项目{i}：{proj.name}", style="subheading"))
        out.append(_exec_line(proj.form, facts, f"“{proj.name}”"))
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
        out.append(_exec_line(form, facts, "项目"))
        out.append(_p("三、绩效目标完成情况", style="heading"))
        out.extend(_indicator_lines(form))
        out.append(_p("四、自评结果", style="heading"))
        out.append(_score_line(form, facts, "项目"))
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
    content = blocks(facts)
    try:
        _write(content, output)
    except OSError as exc:
        raise DraftError(f"无法写入 {output}（{exc.strerror or exc}）") from None
    todo = sum(1 for b in content for _, p in b.pieces if p)
    return f"已生成报告初稿：{output}（{todo} 处需要单位填写的内容已用黄色标出）"
