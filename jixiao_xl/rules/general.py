"""Checks every form shares: readable numbers, no negatives, a complete layout,
and derived cells that were left blank."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from ..compute.derive import blank_fillable, derived, form_cells, input_suggestions
from .findings import Rule
from ..read.model import BasicData, Cell
from ..read.values import fmt_number as n, fmt_rate as pct, is_error_value
from .base import Context, r2, r4


def numeric_cells(form) -> list[tuple[Cell, str]]:
    """Every cell of a form that must hold a number, with its kind (amount, rate, count, score)."""
    return [(cell, kind) for kind, cells in _numeric_groups(form) for cell in cells]


def unusual_cells(form) -> list[tuple[Cell, str]]:
    """The numeric cells N001, N002 and N003 look at: all but those holding nothing, a finite float ≥ 0
    (a number, not negative) or NaN (reads as blank) — most cells of a form.  ±inf from a damaged file and
    a negative float are looked at."""
    out = []
    for kind, cells in _numeric_groups(form):
        for cell in cells:
            raw = cell.raw
            if raw is None or (raw.__class__ is float and ((raw - raw == 0 and raw >= 0) or raw != raw)):
                continue
            out.append((cell, kind))
    return out


_EXEC_KINDS = {"rate": "rate", "adjustment": "signed"}


def _numeric_groups(form) -> list[tuple[str, Iterable[Cell]]]:
    """``numeric_cells`` in runs of one kind."""
    if isinstance(form, BasicData):
        out = [("rate" if key == "staff_rate" else "count", (cell,)) for key, cell in form.staff.items()]
        for rows in (form.rows.values(), form.specials, form.project_others):
            out += [("signed" if row.key == "basic_adjustment" else "amount", row.cells.values()) for row in rows]
        for building in form.buildings:
            out += [("rate" if key.endswith("rate") else "amount", (cell,)) for key, cell in building.cells.items()]
        return out
    out = [(_EXEC_KINDS.get(key, "amount"), (cell,)) for key, cell in form.exec.items()]
    out.append(("amount", form.breakdown.values()))
    out += [("amount", row.values()) for row in form.sources.values()]
    out.append(("score", [cell for ind in form.all_rows for cell in (ind.weight, ind.score) if cell is not None]))
    out.append(("score", [cell for cell in (form.total_weight, form.total_score) if cell is not None]))
    return out


def _not_a_number(rule: Rule, form, ctx: Context):
    for cell, kind in ctx.once(unusual_cells, form):
        raw = cell.raw
        if raw.__class__ is float and (raw - raw == 0 or raw != raw):  # most cells: a finite float is a number
            continue  # (NaN reads as blank); ±inf from a damaged file is not
        if cell.blank or is_error_value(cell.raw):
            continue
        value = cell.rate if kind == "rate" else cell.number
        if value is None and cell.error:
            yield rule.at(form.sheet, cell, expected=None, found=str(cell.raw), text=dict(raw=str(cell.raw).strip()))


NOT_A_NUMBER = Rule(
    code="N001", name="not-a-number", severity="error", scope="any",
    summary="应填数字的单元格中是无法识别的文字",
    template="“{raw}”不是数字，无法参与计算（金额请填数字，如 1238.36；比率如 100%）",
    why="金额、人数、分值、得分和比率都要参与计算，写成文字（如“约12万”“见附表”）时无法核对。"
    "千分位逗号、全角数字、“万元”“%”后缀和“—”“无”表示的空值都能识别。",
    source="本工具的读取规则",
    bad="全年执行数 填“约1762万”",
    good="全年执行数 填 1762.55",
    check=_not_a_number,
)


def _summed_text(rule: Rule, form, ctx: Context):
    for cell, _ in ctx.once(unusual_cells, form):
        if cell.skipped is not None:
            yield rule.at(form.sheet, cell, expected=r2(cell.skipped), found=str(cell.raw),
                          text=dict(raw=str(cell.raw).strip(), number=n(cell.skipped)))


SUMMED_TEXT = Rule(
    code="N004", name="number-as-text-in-sum", severity="error", scope="any",
    summary="公式引用的单元格中填的是文字形式的数字，Excel 的公式把它当作空白",
    template="填的是文字“{raw}”，表中的公式把它当作空白（不计入合计、比率和得分），请改为数字 {number}",
    why="模板的合计是公式（如 =SUM(D13,D14,D15)），Excel 和 WPS 求和时跳过文字，"
    "带“万元”等字样或以文本格式存放的数字不会计入合计，合计因此偏小。"
    "这类单元格按 Excel 的算法计为空，错误只报在该单元格上，不报在锁定的合计公式上。",
    source="Excel SUM 函数忽略文本的计算规则",
    bad="项目支出 =SUM(D13,D14,D15)；业务工作经费 填“11.8万元”",
    good="业务工作经费 填 11.8",
    check=_summed_text,
)


def _error_value(rule: Rule, form, ctx: Context):
    for cell, _ in ctx.once(unusual_cells, form):
        if is_error_value(cell.raw):
            yield rule.at(form.sheet, cell, expected=None, found=str(cell.raw), text=dict(value=str(cell.raw).strip()))


ERROR_VALUE = Rule(
    code="N003", name="error-value", severity="error", scope="any",
    summary="应填数字的单元格显示错误值（如 #DIV/0!、#REF!）",
    template="单元格显示 {value}（公式出错），无法校验和计算，请改正公式（常见原因：除数为0、引用的单元格被删除）；"
    "本工具不改动显示错误值的单元格",
    why="错误值说明该单元格的公式算不出结果，依赖它的合计、比率和得分都无法核对。"
    "显示错误值的单元格保留原样（公式不会被替换成数字），改正公式后再校验。",
    source="本工具的读取规则",
    bad="执行率 =E5/D5，全年预算数为空，显示 #DIV/0!",
    good="执行率 =IF(D5>0,E5/D5,\"\")，全年预算数为空时显示空白",
    check=_error_value,
)


def _worked_out(form, ctx: Context) -> set[str]:
    """The cells of a form the check reads a value in once opened (``Context.opened``: the template's totals,
    rates, 得分 and 总分 saved without a result worked out as Excel shows them; fill's report: as it filled them)."""
    opened = ctx.opened(form)
    return {c.address for c in form_cells(opened if opened is not None else form) if not c.blank}


def _cells_text(addresses: list[str]) -> str:
    return "、".join(addresses[:12]) + (f" 等 {len(addresses)} 个" if len(addresses) > 12 else "")


def _uncached(rule: Rule, book, ctx: Context):
    forms = {f.sheet: f for f in book.forms}
    for sheet, addresses in book.uncached.items():
        if sheet not in forms:
            continue
        worked = _worked_out(forms[sheet], ctx)
        blank = [a for a in addresses if a not in worked]
        if not blank:
            how = "；校验按公式算出了它们在 Excel 中显示的值"
        elif len(blank) == len(addresses):
            how = "，这些单元格按空白处理"
        else:
            how = f"；校验按公式算出了其中的合计、比率和得分，{_cells_text(blank)} 按空白处理"
        yield rule.at(sheet, None, expected=None, found=len(addresses), where="", address=addresses[0],
                      text=dict(cells=_cells_text(addresses), how=how))


UNCACHED = Rule(
    code="S002", name="formula-without-result", severity="warning", scope="workbook",
    summary="公式没有保存计算结果，这些单元格的值无法读取",
    template="{cells} 是公式，但文件中没有保存计算结果（文件可能由程序生成、未经 Excel/WPS 保存）{how}；"
    "请在 Excel 或 WPS 中打开并保存后再提交",
    why="Excel 保存文件时会把公式的结果一并保存；由程序生成、从未在 Excel 中打开过的文件只有公式没有结果。"
    "模板中的合计、执行率、得分和总分公式，校验按公式算出 Excel 打开后显示的值，再据此校验；"
    "其余公式读取时只能按空白处理，校验可能不准确。",
    source="Office Open XML 文件格式（单元格的公式 <f> 与缓存值 <v>）",
    bad="用脚本生成的工作簿，合计单元格只有公式 =SUM(B7:B11)",
    good="在 Excel 中打开后保存，合计单元格同时保存了结果 17",
    check=_uncached,
    as_read=True,
)


def _far_cells(rule: Rule, book, ctx: Context):
    from ..xlsx.grid import FAR_COL, FAR_ROW, col_letter

    form_sheets = {f.sheet for f in book.forms}  # a sheet of data rows beside the forms is not theirs to judge
    for sheet, cells in getattr(book, "far_cells", {}).items():
        if sheet not in form_sheets:
            continue
        shown = "、".join(cells[:6]) + (f" 等 {len(cells)} 个单元格" if len(cells) > 6 else "")
        yield rule.at(sheet, None, expected=None, found=len(cells), where="", address=cells[0],
                      text=dict(cells=shown, row=FAR_ROW, col=col_letter(FAR_COL - 1)))


FAR_CELLS = Rule(
    code="S005", name="far-cells-unread", severity="info", scope="workbook",
    summary="远在表格之外的单元格有内容，没有读取",
    template="{cells} 远在表格之外（第 {row} 行以下或 {col} 列以右），内容没有读取；如是误填，请删除",
    why="一个误填在工作表最远处（如 XFD1048576）的值会让整张工作表变成上百亿个单元格，任何程序都无法读入；"
    "自评表都在工作表的前几十行、前十几列，这么远的内容不属于任何一张表。",
    source="本工具的读取规则（Excel 工作表最大 1048576 行 × 16384 列）",
    bad="附件2 的 XFD1048576 单元格里有一个误输入的“y”",
    good="删除该单元格的内容后保存",
    check=_far_cells,
)


def _shown_value(value: object) -> str:
    """A hidden value as S008 names it: a number as the form shows it, a text in quotes (cut at 20)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = " ".join(str(value).split())
        return f"“{text[:20]}…”" if len(text) > 20 else f"“{text}”"
    return n(value)


def covered_text(covered: list[tuple[str, object, str]], most: int = 6) -> str:
    """"合并区域 E14:E16 遮住了 E15 的 20、E16 的“是”；…": the hidden cells by range, ``most`` of them."""
    groups: dict[str, list[str]] = {}
    for address, value, rng in covered[:most]:
        groups.setdefault(rng, []).append(f"{address} 的 {_shown_value(value)}")
    text = "；".join(f"合并区域 {rng} 遮住了 {'、'.join(cells)}" for rng, cells in groups.items())
    return text + (f" 等 {len(covered)} 个单元格" if len(covered) > most else "")


def _covered(rule: Rule, book, ctx: Context):
    form_sheets = {f.sheet for f in book.forms}  # a sheet beside the forms is not theirs to judge
    for sheet, covered in getattr(book, "covered", {}).items():
        if sheet not in form_sheets:
            continue
        first = covered[0][2].split(":", 1)[0]  # the range a user sees: its top-left cell
        yield rule.at(sheet, None, expected=None, found=len(covered), where="", address=first,
                      text={"cells": covered_text(covered)})


COVERED = Rule(
    code="S008", name="values-under-merge", severity="info", scope="workbook",
    summary="合并单元格之下（左上角以外）的单元格中有值，Excel/WPS 不显示，没有读取",
    template="{cells}：Excel、WPS 只显示合并区域左上角的内容，这些值看不到，校验也没有读取；"
    "如它们应当填写，请取消合并后填在看得见的单元格里",
    why="在 Excel 或 WPS 中合并单元格时，只保留左上角的内容，其余单元格的值被丢弃；由程序生成的工作簿却可能在"
    "合并区域的其余单元格里留着值。这些值打开文件谁也看不到，按它们校验、计分，结果就与填表人和审核人看到的表"
    "不一致，所以只按看得见的左上角读取，并在此列出被遮住的值。",
    source="Excel 合并单元格的行为（合并后仅保留左上角单元格的值）；Office Open XML 的 mergeCell 与单元格数据",
    bad="程序把 E14:E16 合并，E15 里还留着 20，审核人在表上看不到这个 20",
    good="取消合并后把 20 填在看得见的单元格里，或删去这个值",
    fix="看得见的左上角内容就是要填的，不用改；被遮住的值是要填的，取消合并后填在看得见的单元格里，不要的删去。",
    check=_covered,
)


TARGETS_ONLY = "（表中只有年度指标值，没有实际完成值和得分）"


def set_aside_text(item) -> str:
    """What a table set aside as a 绩效目标表 is, for people: "工作表“X”的“title”是绩效目标表……"."""
    title = f"的“{item.title}”" if item.title and item.title != item.sheet else ""
    return f"工作表“{item.sheet}”{title}是绩效目标表{TARGETS_ONLY}，不是绩效自评表，没有按自评表校验"


def _set_aside(rule: Rule, book, ctx: Context):
    for item in getattr(book, "set_aside", ()):
        yield rule.at(item.sheet, None, expected=None, found=item.title or None, where="", address=item.address,
                      text=dict(text=set_aside_text(item)))


SET_ASIDE = Rule(
    code="S006", name="targets-table-not-checked", severity="info", scope="workbook",
    summary="工作簿中的绩效目标表不是自评表，没有校验",
    template="{text}",
    why="绩效目标表（项目支出绩效目标申报表、部门整体支出绩效目标表等）是编制预算时申报的目标，只有年度指标值，"
    "没有实际完成值和得分；它的栏目与自评表相近，但不是自评表，按自评表校验只会得出“缺得分”“无总分”之类的误报。"
    "表中有实际完成值或得分栏目的，无论标题怎么写，都按自评表校验。",
    source="财预〔2020〕10号 附件项目支出绩效自评表（年度指标值、实际完成值、分值、得分）；"
    "重庆市奉节县公开的项目支出绩效目标审批表 [A]",
    bad="把“2023年度项目支出绩效目标表”当作附件3 校验，报“找不到年度资金总额”",
    good="提示该表是绩效目标表、没有校验，其余各表照常校验",
    check=_set_aside,
)


def _unread_sheets(rule: Rule, book, ctx: Context):
    for item in getattr(book, "unread_sheets", ()):
        yield rule.at(item.sheet, None, expected=None, found=item.why or None, where="", address=item.address,
                      text=dict(sheet=item.sheet, why=item.why))


UNREAD_SHEET = Rule(
    code="S007", name="form-sheet-unread", severity="warning", scope="workbook",
    summary="以表名看应是自评表的工作表中没有识别出表格，没有校验",
    template="工作表“{sheet}”中没有识别出绩效自评表{why}，这张表没有校验；请按模板恢复表格后再提交",
    why="表名写着“附件2”“项目支出”等的工作表，本应是一张自评表；表格被整张合并、删去或改得认不出时，"
    "其余各表照常校验，这张表却没有任何结果——不说一声，审核人会以为它已校验通过。",
    source="本工具的读取规则（按标题和栏目文字识别各表）",
    bad="附件2 整张表被合并成一个单元格，只剩左上角的“附件2”",
    good="附件2 按模板的格式填写",
    fix="打开这张工作表，取消整表合并或按模板恢复标题和栏目（如“年度资金总额”“三级指标”“分值”“得分”），保存后重新校验；"
    "这张表本来就不是自评表（如说明页）的，改一个不含“附件1/2/3”“附表”“基础数据”“整体支出”“项目支出”“自评”字样的表名。",
    check=_unread_sheets,
)


def _negative(rule: Rule, form, ctx: Context):
    for cell, kind in ctx.once(unusual_cells, form):
        raw = cell.raw
        if kind == "signed" or (raw.__class__ is float and not raw < 0):  # a float reads as itself (a rate
            continue  # typed in points as itself / 100): only a negative one is negative
        if cell.blank:
            continue
        value = cell.rate if kind == "rate" else cell.number
        if value is not None and value < 0:  # a rate shown as it is typed: -50%, not -0.5
            yield rule.at(form.sheet, cell, expected=0, found=value, text=dict(value=pct(value) if kind == "rate"
                                                                              else n(value)))


NEGATIVE = Rule(
    code="N002", name="negative-value", severity="error", scope="any",
    summary="金额、人数、分值或得分为负数",
    template="不能为负数，现填 {value}",
    why="表中的金额、人数、分值和得分都不能为负（“部门基本支出预算调整”除外，调减可以填负数）。",
    source="财预〔2020〕10号 自评表；一体化系统数据校验 [C]",
    bad="公务接待 -5",
    good="公务接待 5",
    check=_negative,
)


def _incomplete(rule: Rule, form, ctx: Context):
    for label in form.missing:
        yield rule.at(form.sheet, None, expected=label, found=None, where=label,
                      text=dict(text=f"表中找不到“{label}”栏目，相关数据没有读取和校验（请检查是否删改了表头文字）"))
    for header in getattr(form, "unread_weights", ()):
        name = header.where.split(" ", 1)[-1]
        yield rule.at(form.sheet, header, expected=f"{name}(分值)", found=header.text, where=header.where,
                      text=dict(text=f"读不出一级指标“{name}”的分值（表头写作如“{name}(30分)”），"
                                "该指标的分值合计没有校验"))


INCOMPLETE = Rule(
    code="S001", name="form-incomplete", severity="warning", scope="any",
    summary="表中找不到应有的栏目（或读不出一级指标的分值），相关校验无法进行",
    template="{text}",
    why="本工具按标签文字查找各栏目；删掉或改写了标签，对应数据就无法读取。",
    source="财预〔2020〕10号 附件自评表；湖南基础数据表模板 [A]",
    bad="把“年度资金总额”改写成“资金合计”",
    good="保留官方表头“年度资金总额”",
    check=_incomplete,
)


def _profile_choice(rule: Rule, book, ctx: Context):
    if not ctx.profile_known and ctx.choice_reason:
        yield rule.at("", None, where="评分口径", text=dict(text=ctx.choice_reason))


PROFILE_CHOICE = Rule(
    code="P001", name="province-unknown", severity="info", scope="workbook",
    summary="不能确定表属于哪个省份，只按表上写明的分值校验",
    template="{text}",
    why="各省的执行率分值、一级指标权重、计分办法不同；表上写明的分值决定计算，只有某省口径才有的要求"
    "（如湖南的一级指标分值）在不知道省份时不检查，以免把别省正确的表报错。",
    source="各省口径及来源见 jixiao-xl profiles",
    bad="表上没有地名，也没有某省特有的栏目",
    good="单位名称含地名（如“汨罗市司法局”），或用 --profile hunan 指定",
    check=_profile_choice,
)


def _by_signature(rule: Rule, form, ctx: Context):
    if form.signature:
        from ..read.forms import FORM_BY_KIND

        spec = FORM_BY_KIND[form.kind]
        shown = "、".join(form.signature[:6])
        yield rule.at(form.sheet, None, expected=spec.title_key, found=None, where="表格标题",
                      text=dict(labels=shown,
                                form=f"{spec.annex} {spec.title_key}"))


BY_SIGNATURE = Rule(
    code="S003", name="recognised-by-labels", severity="info", scope="any",
    summary="表中没有可识别的标题，按栏目判断了是哪一张表",
    template="没有找到表格标题，根据栏目（{labels} 等）判断为 {form}",
    why="标题写法各地不同，有的写在工作表名中，有的是未保存结果的公式，有的没有标题；此时按各表特有的栏目识别，"
    "并说明按哪些栏目认定，以便核对是否认对。",
    source="本工具的读取规则",
    bad="工作表没有标题行，直接从“预算部门名称”开始",
    good="第一行标题“2023年度部门整体支出绩效自评表”",
    check=_by_signature,
)


def _derived_blank(rule: Rule, form, ctx: Context):
    # formulas saved without a result: the values Excel shows on opening (the 结果 line's too), worked out
    # in turn, not each from the others left blank (a 得分 of 0 because its 全年预算数 is such a formula)
    opened = ctx.opened(form)
    if opened is None:
        items = blank_fillable(form, ctx.profile, ctx.results(form))
    else:  # every derived cell blank as read, with the value it shows once the file is opened
        shown = {d.cell.address: d.value for d in derived(opened, ctx.profile)}
        items = [replace(d, value=shown.get(d.cell.address)) for d in derived(form, ctx.profile, ctx.results(form))
                 if d.cell.blank and shown.get(d.cell.address) is not None]
    # a 执行率得分 the block does not give (未读出, 无法复核) is suggested as nothing, not as the 0 a formula shows
    shown = ctx.results(opened if opened is not None else form)  # as the 结果 line (check.py) gives it
    unknown = shown.why("exec_score") and getattr(form, "exec", {}).get("score")
    formulas = getattr(form, "formula_cells", None) or ()  # a formula saved without its result is not "未填写"
    for item in items:
        if unknown is not None and item.cell is unknown:
            continue
        value, rate = item.value, item.kind == "rate"
        state, hint = ((_FORMULA_STATE, "可用 jixiao-xl fill 保存结果") if item.cell.address in formulas
                       else ("未填写", "可用 jixiao-xl fill 自动填写"))
        if isinstance(value, str):  # the 等级
            yield rule.at(form.sheet, item.cell, expected=value, found=None,
                          text=dict(value=value, hint=hint, state=state))
            continue
        yield rule.at(form.sheet, item.cell, expected=r4(value) if rate else r2(value), found=None,
                      text=dict(value=pct(value) if rate else n(value), hint=hint, state=state))
    # the evaluator's input, never filled in: the judged row's own score, the one the total counts
    for item in input_suggestions(form, ctx.profile, blank_only=True, results=ctx.results(form)):
        if item.cell.blank:
            yield rule.at(form.sheet, item.cell, expected=r2(item.value), found=None,
                          text=dict(value=n(item.value), state="未填写",
                                    hint="得分由评价人填写，本工具不会自动填写"))


_FORMULA_STATE = "是公式，但文件中没有保存结果（见 S002）"


DERIVED_BLANK = Rule(
    code="D001", name="derived-blank", severity="info", scope="any",
    summary="可由其他栏目计算的单元格未填写",
    template="{state}，按表内数据应为 {value}（{hint}）",
    why="合计、控制率、执行率、得分和总分都可以由表内其他数据算出，留空不算错，但提交前应补齐。",
    source="财政部一体化系统自动计算规则 [A]",
    bad="项目支出 空；县级专项资金 440.32",
    good="项目支出 440.32；县级专项资金 440.32",
    check=_derived_blank,
    as_read=True,
)

def _level_weights_unprinted(rule: Rule, form, ctx: Context):
    if getattr(form, "level_weights_printed", True) or not getattr(form, "scored", True):
        return
    named = [level for level in form.levels if level.name]
    if named:
        names = "、".join(level.name for level in named[:4])
        yield rule.at(form.sheet, named[0].header, expected=None, found=named[0].header.text,
                      text=dict(names=names))


LEVEL_WEIGHTS_UNPRINTED = Rule(
    code="S004", name="level1-weights-not-printed", severity="info", scope="self_eval",
    summary="一级指标表头没有标注分值，各一级指标的分值合计无法核对",
    template="一级指标（{names}）表头都没有标注分值（如“产出指标(50分)”），这些指标的分值合计没有核对",
    why="有的样表（如财预〔2020〕10号所附项目支出绩效自评表）一级指标不标分值，这是表式本身，不是改动了表头；"
    "只是无法核对各一级指标下三级指标分值之和。只有部分一级指标标了分值时，另由 S001 提示读不出的那几项。",
    source="财预〔2020〕10号 附件项目支出绩效自评表（一级指标不标分值）；河北廊坊 2019 年公开自评表 [A]",
    bad="产出指标、效益指标、满意度指标三个表头都只写名称",
    good="产出指标(50分)、效益指标(30分)、满意度指标(10分)",
    check=_level_weights_unprinted,
)


RULES = [NOT_A_NUMBER, NEGATIVE, ERROR_VALUE, SUMMED_TEXT, INCOMPLETE, UNCACHED, FAR_CELLS, COVERED, BY_SIGNATURE, DERIVED_BLANK,
         LEVEL_WEIGHTS_UNPRINTED, SET_ASIDE, UNREAD_SHEET, PROFILE_CHOICE]
