"""The seed submission (汨罗市司法局, 2023) laid out as departments draw the annex tables.

The sheets are plain data (rows of values, merged ranges, number formats) so
tests can shift, insert and retype them before writing a real file, and the
example workbook in ``workbook_templates/examples/`` is written from them.
The submission's mistakes are kept: the 2022 三公 rows do not add up.
"""

from __future__ import annotations

from jixiao_xl.read.sheetspec import SheetSpec
from jixiao_xl.write.writer import fit_heights
from jixiao_xl.xlsx.xlsxio import set_text

PCT = "0.00%"


def _basic() -> SheetSpec:
    n = None
    rows = [
        ["附件1", n, n, n, n, n, n],
        ["2023年度部门整体支出绩效评价基础\n数据表", n, n, n, n, n, n],
        ["财政供养人员情况(人)", "编制数", "2023年实际\n在职人数", "控制率", n, n, n],
        [n, 81, 81, 1.0, n, n, n],
        ["经费控制情况(万元)", "2022年决算数", "2023年预算数", "2023年决算数", n, n, n],
        ["“三公”经费", 17, 17, 12.88, n, n, n],
        ["1、公务用车购置和维护经费", 17, 9, 7.54, n, n, n],
        ["其中：公车购置", n, n, n, n, n, n],
        ["公车运行维护", 9, 9, 7.54, n, n, n],
        ["2、出国经费", n, n, n, n, n, n],
        ["3、公务接待", 8, 8, 5.34, n, n, n],
        ["项目支出：", n, n, n, n, n, n],
        ["1、业务工作经费", n, n, n, n, n, n],
        ["2、运行维护经费", n, n, n, n, n, n],
        ["3、县级专项资金\n(一个专项一行)", 332, 83, 440.32, n, n, n],
        ["司法局专项", 256, 21, 80, n, n, n],
        ["人民调解", 7, 2, 2, n, n, n],
        ["特殊人群收治中心", 10, 25, 10, n, n, n],
        ["政府购买社区矫正服务及社区矫正经费", 45, 7, 7, n, n, n],
        ["刑事诉讼全覆盖法律援助", 14, 13, 13, n, n, n],
        ["公共法律服务经费", n, 5, 28.32, n, n, n],
        ["普法宣传", n, 5, 15, n, n, n],
        ["全面依法治市工作经费", n, 5, 43, n, n, n],
        ["办案费", n, n, 242, n, n, n],
        ["公用经费", 262.33, 268.49, 340.27, n, n, n],
        ["其中：办公经费", n, 10.4, 70.22, n, n, n],
        ["水费、电费、差旅费", 47.5, 52, 54.76, n, n, n],
        ["会议费、培训费", n, 12, 3.15, n, n, n],
        ["政府采购金额", 60, 140, 80, n, n, n],
        ["部门基本支出预算调整", n, n, n, n, n, n],
        ["楼堂馆所控制情况\n(2023年完工项目)", "批复规模 (m²)", "实际规模(m²)", "规模控制率",
         "预算投资\n(万元)", "实际投资(万元)", "投资概算控制率"],
        [n, n, n, n, n, n, n],
        ["厉行节约保障措施",
         "1、加强车辆管理，严控车辆运行经费；2、严控会议和招待费支出，按审批制度执行会议、招待开支",
         n, n, n, n, n],
        ["说明：“项目支出”需要填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品和服务支出。",
         n, n, n, n, n, n],
        ["填表人：           填报日期：           联系电话：            单位负责人签字：", n, n, n, n, n, n],
    ]
    return SheetSpec(
        "附件1", rows,
        merges=["A2:G2", "B33:G33", "A34:G34", "A35:G35"],
        formats={"D4": PCT},
        widths={"A": 34, "B": 14, "C": 14, "D": 14, "E": 12, "F": 14, "G": 14},
    )


DEPT_GOAL_EXPECTED = (
    "任务1：①于5月份农村法制宣传月（一个月）、9月份青少年法制宣传周（一周）、12.4全国法制宣传日组织户外宣传活动；"
    "②每半年联合公、检、法组织一次为期半个月的综治展板宣传；③按上级安排时间组织全市公职人员学法考试；"
    "④按上级安排时间组织处级干部学法考试。\n"
    "任务2：①加强社区矫正信息化建设；②为所有司法所配备电脑、高拍仪等硬件设备；③对社区服刑人员进行日常监管工作；"
    "④组织全市服刑人员在春雷学校进行行为规范训练；⑤每季度对社区服刑人员进行集中教育1次。\n"
    "任务3：①办理法律援助案件230件；②全市15个公共法律服务站、175个公共法律服务点全面建设完成；"
    "③组织一次法律援助律师培训；④每半年联合普法办在全市范围内开展法律援助宣传1次。\n"
    "任务4：①对刑释解教人员进行安置帮教，刑释解教人员“重点帮教对象”衔接率达到100%；"
    "②建立了委托跟踪帮教机制，最大限度地预防和减少刑释解教人员脱管、漏管和重新违法犯罪。"
)
DEPT_GOAL_ACHIEVED = (
    "1、在全市范围内深入开展“法律六进”等普法宣传活动，实现了普法阵地、重点法律、教育对象全覆盖、深渗透，"
    "不断增强全社会学法、尊法、守法、用法意识，大大推进法治汨罗建设进程。\n"
    "2、做好500名社区矫正人员的日常管理教育监管工作，新建社区矫正信息化管理平台，教育改造罪犯，维护社会和谐稳定，推进了平安汨罗建设。\n"
    "3、刑释解教人员“重点帮教对象”衔接率达100%，对300名刑释解教人员进行安置帮教，做好刑满释放、解除劳教人员衔接工作，"
    "最大限度地预防和减少刑释解教人员脱管、漏管和重新违法犯罪。\n"
    "4、组织市、乡、村人民调解员业务培训1次，化解基层矛盾纠纷和医患纠纷1250件，防止民转刑案件200起，预防非正常死亡30起。"
    "切实降低民转刑案发率，维护了社会和谐稳定。"
)

DEPT_INDICATORS = [
    # 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因
    ["产出指标\n(30分)", "数量指标", "组织法治宣传，组织学法考试", "5次法治宣传，2次学法考试",
     "组织法治宣传5次，组织学法考试2次", 10, 10, None],
    [None, "质量指标", "人民调解、法律援助合法合规，社会矛盾得到化解",
     "人民调解、法律援助合法合规，社会矛盾得到化解，", "人民调解、法律援助合法合规社会矛盾得到化解，", 10, 10, None],
    [None, "时效指标", "2023年全年", "2023年全年", "2023年全年", 10, 10, None],
    ["效益指标(30分)", "经济效益指标", "社会秩序良好", "社会秩序良好", "社会秩序良好", 10, 10, None],
    [None, "社会效益指标", "1、群众法治观念加强；2、社会法治环境改善", "1、群众法治观念加强；2、社会法治环境改善",
     "1、群众法治观念加强；2、社会法治环境改善", 10, 10, None],
    [None, "生态效益指标", "生态环境改善状况", "有所改善", "有所改善", 5, 5, None],
    [None, "可持续影响指标", "1、群众法律意识提升；2、社会稳定和谐", "群众法律意识提升率稳定增长，社会稳定和谐",
     "群众法律意识提升率稳定增长，社会稳定和谐", 5, 5, None],
    ["满意度指标\n(10分)", "服务对象满意度指标", "社会群众满意度提高≥95%", "≥95%", "98%", 10, 10, None],
    ["成本指标\n（20分）", "经济成本指标", "预算控制内", "预算控制内", "预算控制内", 10, 9, "进一步厉行节约"],
    [None, "社会成本指标", "对社会发展可能造成的负面影响", "无", "无", 5, 5, None],
    [None, "生态环境成本指标", "对自然生态环境造成的负面影响", "无", "无", 5, 5, None],
]

PROJECT_INDICATORS = [
    ["产出指标\n(30分)", "数量指标", "公共法律服务站、点建设", "村社区全覆盖", "村社区全覆盖", 10, 10, None],
    [None, "质量指标", "各项工作、合法合规", "合法合规", "合法合规", 10, 10, None],
    [None, "时效指标", "2023年全年", "2023年全年", "2023年全年", 10, 10, None],
    ["效益指标\n(30分)", "经济效益指标", "促进经济发展", "经济平稳发展", "经济平稳发展", 10, 10, None],
    [None, "社会效益指标", "维护社会稳定,普法宣传，增强法治意识", "维护社会稳定,普法宣传，增强法治意识",
     "维护社会稳定,普法宣传，增强法治意识", 10, 10, None],
    [None, "生态效益指标", "生态环境改善状况", "有所改善", "实现可持续发展", 5, 5, None],
    [None, "可持续影响指标", "保障人民群众安全", "持续保障人民群众安全", "保障人民群众安全", 5, 5, None],
    ["满意度指标(10分)", "服务对象满意度指标", "社会公众满意度", "≥95%", "社会公众满意度99%", 10, 10, None],
    ["成本指标\n（20分）", "经济成本指标", "预算批复金额", "预算批复金额", "预算批复金额", 10, 10, None],
    [None, "社会成本指标", "对社会发展可能造成的负面影响", "无", "无负面影响", 5, 5, None],
    [None, "生态环境成本指标", "对自然生态环境造成的负面影响", "无", "无负面影响", 5, 5, None],
]

INDICATOR_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因\n分析及\n改进措施"]
EXEC_HEADER = [None, "年初\n预算数", "全年\n预算数", "全年\n执行数", "分值", "执行率", "得分", None]


def _level1_merges(first_row: int, indicators: list[list[object]]) -> list[str]:
    """Merge each 一级 cell (column B) down over its rows, as the official form does."""
    merges, start = [], None
    for i, ind in enumerate(indicators + [["end"]]):
        if ind[0] is not None:
            if start is not None and first_row + i - 1 > start:
                merges.append(f"B{start}:B{first_row + i - 1}")
            start = first_row + i
    return merges


def _dept() -> SheetSpec:
    n = None
    rows = [
        ["附件2", n, n, n, n, n, n, n, n],
        ["2023年度部门整体支出绩效自评表", n, n, n, n, n, n, n, n],
        ["预算部门\n名称", "汨罗市司法局", n, n, n, n, n, n, n],
        ["年度预算申请(万元)"] + EXEC_HEADER,
        [n, "年度资金总额", 1238.36, 1762.55, 1762.55, 10, 1.0, 10, n],
        [n, "按收入性质分：1762.55", n, n, "按支出性质分：1762.55", n, n, n, n],
        [n, "其中：一般公共预算：1762.55", n, n, "其中：基本支出：1322.23", n, n, n, n],
        [n, "政府性基金拨款：", n, n, "项目支出：440.32", n, n, n, n],
        [n, "纳入专户管理的非税收入拨款：", n, n, n, n, n, n, n],
        [n, "其他资金：", n, n, n, n, n, n, n],
        ["年度总体目标", "预期目标", n, n, n, "实际完成情况", n, n, n],
        [n, DEPT_GOAL_EXPECTED, n, n, n, DEPT_GOAL_ACHIEVED, n, n, n],
        ["\n绩效指标\n\n"] + INDICATOR_HEADER,
    ]
    first = len(rows) + 1
    rows += [[n] + list(ind) for ind in DEPT_INDICATORS]
    last = len(rows)
    rows.append(["总分", n, n, n, n, n, 100, 99, n])
    total = len(rows)
    merges = [
        "A2:I2", "B3:I3", "A4:A10",
        "B6:D6", "E6:I6", "B7:D7", "E7:I7", "B8:D8", "E8:I8", "B9:D9", "E9:I9", "B10:D10", "E10:I10",
        "A11:A12", "B11:E11", "F11:I11", "B12:E12", "F12:I12",
        f"A13:A{last}", f"A{total}:F{total}",
    ] + _level1_merges(first, DEPT_INDICATORS)
    return SheetSpec("附件2", rows, merges, formats={"G5": PCT},
                     widths={"A": 8, "B": 16, "C": 16, "D": 26, "E": 22, "F": 22, "G": 8, "H": 8, "I": 16})


def _project() -> SheetSpec:
    n = None
    rows = [
        ["附件3", n, n, n, n, n, n, n, n],
        ["2023年度项目支出绩效自评表", n, n, n, n, n, n, n, n],
        ["项目支出名称", " 司法专项（人民调解，收治中心，社区矫正，政府购买，法律救援）  ", n, n, n, n, n, n, n],
        ["主管部门", "汨罗市司法局", n, n, "实施\n单位", "汨罗市司法局", n, n, n],
        ["项目资金 (万元)"] + EXEC_HEADER,
        [n, "年度资金总额", 83, 83, 83, 10, 1.0, 10, n],
        [n, "其中：当年财政拨款", 83, 83, 83, n, n, n, n],
        [n, "上年结转资金", n, n, n, n, n, n, n],
        [n, "其他资金", n, n, n, n, n, n, n],
        ["年度总体目标", "预期目标", n, n, n, "实际完成情况", n, n, n],
        [n, "法治建设工作不断深入,特殊人群管理不断强化，组织学法考试，进行特殊人群人员收治", n, n, n,
         "法治建设工作不断深入,特殊人群管理不断强化，组织学法考试，进行特殊人群人员收治", n, n, n],
        ["\n绩效指标"] + INDICATOR_HEADER,
    ]
    first = len(rows) + 1
    rows += [[n] + list(ind) for ind in PROJECT_INDICATORS]
    last = len(rows)
    rows.append(["总分", n, n, n, n, n, 100, 100, n])
    total = len(rows)
    merges = [
        "A2:I2", "B3:I3", "B4:D4", "F4:I4", "A5:A9",
        "A10:A11", "B10:E10", "F10:I10", "B11:E11", "F11:I11",
        f"A12:A{last}", f"A{total}:F{total}",
    ] + _level1_merges(first, PROJECT_INDICATORS)
    return SheetSpec("附件3", rows, merges, formats={"G6": PCT},
                     widths={"A": 8, "B": 16, "C": 16, "D": 26, "E": 22, "F": 22, "G": 8, "H": 8, "I": 16})


def seed_sheets() -> list[SheetSpec]:
    """附件1, 附件2, 附件3 of the seed submission, freshly built (safe to modify)."""
    return [_basic(), _dept(), _project()]


def write_xlsx(path, sheets: list[SheetSpec]) -> None:
    """Write sheets as an .xlsx with openpyxl (merged cells, formats, widths, wrap)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    book = Workbook()
    book.remove(book.active)
    wrap = Alignment(wrap_text=True, vertical="center")
    for spec in sheets:
        ws = book.create_sheet(spec.name)
        for r, row in enumerate(spec.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                set_text(cell, value)  # text is text, even when it starts with "="
                if isinstance(value, str):
                    cell.alignment = wrap
        for address, number_format in spec.formats.items():
            ws[address].number_format = number_format
        for rng in spec.merges:
            ws.merge_cells(rng)
        for col, width in spec.widths.items():
            ws.column_dimensions[col].width = width
        fit_heights(ws, spec)
    book.save(path)


EXAMPLE_NAME = "miluo_sifaju_2023.xlsx"


def write_seed_example(path) -> None:
    """The bundled example: the seed submission in the official layout, mistakes kept."""
    write_xlsx(path, seed_sheets())
