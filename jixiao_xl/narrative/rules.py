"""The T-rules: numbers in the 绩效自评报告, checked against themselves (T1xx) and the tables (T2xx).

Each ``bad`` example is a report passage the rule reports, each ``good`` one it
accepts, both read against the bundled example workbook (汨罗市司法局 2023);
``tests/test_narrative.py`` runs them.
"""

from __future__ import annotations

from ..rules.findings import Rule


def _engine(rule, target, ctx):  # pragma: no cover - the report checker applies these rules itself
    return ()


def _rule(code, name, severity, summary, template, why, source, bad, good, fix="") -> Rule:
    return Rule(code=code, name=name, severity=severity, scope="report", summary=summary, template=template, why=why,
                source=source, bad=bad, good=good, check=_engine, fix=fix)


SOURCE = "财预〔2020〕10号《项目支出绩效评价管理办法》第二十七条（评价报告应当依据充分、数据真实）；本省部门整体支出绩效自评报告格式"

PART_SUM = _rule(
    "T101", "report-parts-not-adding-up", "error",
    "报告中“其中”各项金额之和与所述合计不符",
    "“{excerpt}”：{whole_label} {whole} {unit}，其中各项之和 {parts} = {total} {unit}，相差 {diff} {unit}",
    "合计与分项写在同一处，读者会直接相加核对；对不上说明有一个数字抄错了。",
    SOURCE,
    "2023年度财政拨款基本支出1322.23万元，其中：人员经费981.96万元，公用经费350.27万元。",
    "2023年度财政拨款基本支出1322.23万元，其中：人员经费981.96万元，公用经费340.27万元。",
)
SHARE = _rule(
    "T102", "report-share-mismatch", "error",
    "“占…的X%”与部分 ÷ 整体不符（按报告写出的位数）",
    "“{excerpt}”：{part_label} {part} ÷ {whole_label}{whole} = {computed}，报告写 {stated}",
    "占比由报告中的两个金额算出；按所写位数四舍五入后仍不相等，说明金额或占比有一处错了。",
    SOURCE,
    "人员经费981.96万元，占基本支出的76.27%。（基本支出1322.23万元）",
    "人员经费981.96万元，占基本支出的74.27%。（基本支出1322.23万元；写 74.3% 也接受）",
)
REPEAT = _rule(
    "T103", "report-figure-repeated-differently", "warning",
    "同一项金额在报告中前后写法不一致",
    "“{excerpt}”：{label} 写作 {found} 万元，而{first_where}写作 {expected} 万元",
    "同一个数字出现两次却不同，至少有一处是旧稿或笔误。",
    SOURCE,
    "项目支出440.32万元……（后文）项目支出430.32万元。",
    "项目支出440.32万元……（后文）项目支出440.32万元。",
)
COUNT_SUM = _rule(
    "T104", "report-counts-not-adding-up", "warning",
    "报告中“其中”各项数量（件数、人数、长度、面积）之和与所述总数不符",
    "“{excerpt}”：{whole_label} {whole}，其中各项之和 {parts} = {total}",
    "件数、人数、长度、面积的分项应当加得起来（不同单位先换算）；也可能是分类不全，请核对后改正或写明“等”。",
    SOURCE,
    "全年办理法律援助案件308件，其中刑事案件234件、民事案件63件、行政案件1件。",
    "全年办理法律援助案件308件，其中刑事案件234件、民事案件73件、行政案件1件。",
)
SCORE_GRADE = _rule(
    "T105", "report-grade-not-matching-score", "error",
    "报告所写等级与所写得分不符（优 ≥ 90，良 80–90，中 60–80，差 < 60）",
    "“{excerpt}”：得分 {score} 分应为“{expected}”，报告写“{found}”",
    "等级由总分决定，同一段话里的得分和等级必须一致。",
    "财预〔2020〕10号 第二十八条（评价结果分为优、良、中、差四档）",
    "部门整体支出绩效自评得分99分，等级为良。",
    "部门整体支出绩效自评得分99分，等级为优。",
)
PLACEHOLDER = _rule(
    "T106", "report-placeholder-left", "warning",
    "报告中留有未填写或待核实的占位内容（【请填写…】、【待核实…】）",
    "“{excerpt}”：留有未完成的占位{placeholder}，请填写或核实后删除括号",
    "报告草稿（jixiao-xl report draft）把表中没有的内容和表中有错的数字留作【请填写：…】、【待核实：…】；"
    "留着占位的报告还没有写完，不能报送。",
    "本工具的运行约定",
    "2023年度本部门主要职能为【请填写：部门职能】。",
    "2023年度本部门主要职能为公共法律服务和法治宣传。",
)
RATE_TEXT = _rule(
    "T107", "report-rate-not-matching-its-figures", "error",
    "报告写出的比率（执行率、支付率、到位率、完成率，以及“核减2.77亿元，核减率7.82%”这类）与同一句中的金额不符",
    "“{excerpt}”：{rate_label} 按本句的数应为 {numerator} ÷ {denominator} = {computed}，报告写 {stated}",
    "比率与算出它的两个数写在同一句里，读者会直接相除核对；对不上说明比率或金额有一处错了。",
    SOURCE,
    "项目资金共2179万元，已完成拨付2113.63万元，执行率87%。",
    "项目资金共2179万元，已完成拨付2113.63万元，执行率97%。",
)
PART_ABOVE = _rule(
    "T108", "report-part-above-its-total", "error",
    "报告中“其中”“含”所列的一项大于它所属的总数",
    "“{excerpt}”：{part_label} {part} 大于它所属的{whole_label} {whole}，部分不能大于整体",
    "“其中”“含”后面的数是前面总数的一部分，不可能比总数大；多半是其中一个数抄错了。",
    SOURCE,
    "项目立项批复525.39万元，其中600万元为中央水利发展资金。",
    "项目立项批复525.39万元，其中500万元为中央水利发展资金。",
)
ADJUSTED = _rule(
    "T109", "report-adjustment-not-adding-up", "error",
    "报告中年初数加减追加、调减后与所写的调整后（实际）数不符",
    "“{excerpt}”：{base_label} {chain} = {computed} 万元，报告写{net_label} {net} 万元",
    "追加、调减是对前面那个数的增减，调整后的数应当等于原数加追加、减调减；对不上说明有一个数写错了。",
    SOURCE,
    "年初安排100万元，追加11万元，后调减40万元，全年实际下达81万元。",
    "年初安排100万元，追加11万元，后调减40万元，全年实际下达71万元。",
)
CHANGE = _rule(
    "T110", "report-change-not-matching-its-figures", "error",
    "报告写出的比上年增减额或增减幅度与同一句中两年的数不符",
    "“{excerpt}”：按本句的数，{what} 应为 {computed}，报告写 {stated}",
    "增减额 = 本年数 − 上年数，增减幅度 = 增减额 ÷ 上年数；两年的数和增减写在同一句里，读者会直接核算。",
    SOURCE,
    "“三公”经费支出12.88万元，上年支出17万元，比上年减少4.12万元，下降25.24%。",
    "“三公”经费支出12.88万元，上年支出17万元，比上年减少4.12万元，下降24.24%。",
)
AMOUNT = _rule(
    "T201", "report-amount-differs-from-table", "error",
    "报告中的金额与工作簿中对应的数不符",
    "“{excerpt}”：{label} 报告写 {found} 万元，表中 {table} 为 {expected} 万元{hint}",
    "自评报告是对自评表的说明，数字应当与表一致；常见原因是沿用了上年报告的数字。",
    SOURCE,
    "公用经费262.33万元。（表中 2023年决算数 340.27）",
    "公用经费340.27万元。",
)
RATE = _rule(
    "T202", "report-rate-differs-from-table", "error",
    "报告中的执行率、控制率与工作簿算出的不符",
    "“{excerpt}”：{label} 报告写 {found}，按表 {table}{hint}",
    "比率由表中金额算出，报告只能照写；“控制在100%以下”这类说法也要与算出的比率相符。",
    "财预〔2020〕10号；本省部门整体支出绩效评价基础数据表填表说明（控制率 = 决算数 ÷ 预算数）",
    "公用经费控制率为95%。（表中 340.27 ÷ 268.49 = 126.73%）",
    "三公经费控制率在100%以下。（表中 12.88 ÷ 17 = 75.76%）",
)
SCORE = _rule(
    "T203", "report-score-or-grade-differs-from-table", "error",
    "报告中的自评得分、执行率得分或等级与工作簿不符",
    "“{excerpt}”：{label} 报告写 {found}，表中 {table} 为 {expected}",
    "报告公开的得分和等级必须与报送的自评表一致。",
    "财预〔2020〕10号 第二十八条",
    "部门整体支出绩效自评得分95分，等级为优。（表中总分 99）",
    "部门整体支出绩效自评得分99分，等级为优。",
)
YEAR = _rule(
    "T204", "report-year-differs-from-table", "error",
    "报告的年度与工作簿的年度不符",
    "“{excerpt}”：报告写 {found} 年度，工作簿是 {expected} 年度",
    "报告与表不是同一年度，往往是套用了上一年的报告。",
    SOURCE,
    "2022年度汨罗市司法局部门整体支出绩效自评报告（工作簿为 2023 年度）",
    "2023年度汨罗市司法局部门整体支出绩效自评报告",
)
STAFF = _rule(
    "T205", "report-staff-differs-from-table", "error",
    "报告中的编制数、实际在职人数与工作簿附件1不符",
    "“{excerpt}”：{label} 报告写 {found}，表中 {table} 为 {expected}",
    "人员情况是附件1的填报内容，报告照表写；对不上说明表或报告有一处没有更新。",
    "本省部门整体支出绩效评价基础数据表填表说明（财政供养人员情况）",
    "编制数81人，实际在职人数80人。（表中实际在职人数 81）",
    "编制数81人，实际在职人数81人，财政供养人员控制率100%。",
)
TABLE_WRONG = _rule(
    "T206", "report-figure-where-table-is-wrong", "warning",
    "报告的数与表中对应的数不同，而表中这个数经工作簿校验有误（报告与更正后的数一致）；或报告照抄了表中有误的数",
    "“{excerpt}”：{label} 报告写 {found}，{verdict}",
    "工作簿校验认为有误的数不作判断报告对错的依据：报告写的是按校验更正后的数时，要改的是表；报告照抄了"
    "表中有误的数时，表和报告都要改。更正后的数是校验结果中的复核值，或按校验给出的正确数算出的比率、得分。",
    SOURCE,
    "上年公务用车购置和维护经费决算9万元。（表中 2022年决算数填 17，按公车购置 0 + 运行维护 9 应为 9）",
    "上年“三公”经费决算17万元。（表中 2022年决算数 17，校验无误）",
)
UNMATCHED = _rule(
    "T301", "report-statement-not-matched", "info",
    "报告提到了表中的项目，但表中没有可核对的数",
    "“{excerpt}”：{label} {found}，{reason}，未核对",
    "不能核对的不猜测：说明为什么没核对，由审核人决定是否需要人工看。",
    "本工具的运行约定",
    "政府采购金额80万元。（表中政府采购金额一栏空白）",
    "政府采购金额80万元。（表中填有政府采购金额）",
)
UNCHECKED = _rule(
    "T302", "report-numbers-not-checked", "info",
    "报告中没有对应表内项目的数字（未核对）",
    "另有 {count} 处金额、比率或得分没有对应的表内项目，未核对，如：{examples}",
    "报告中多数业务数字（件数、人次、活动金额）表中没有，只能由审核人判断。",
    "本工具的运行约定",
    "现场捐赠一批价值2万元的法律书籍。",
    "（报告中的金额都对应表内项目）",
)
NO_TABLE = _rule(
    "T303", "report-without-workbook", "info",
    "没有可用的工作簿，只核对了报告内部的计算",
    "{reason}；只核对了报告内部的加总、占比和前后一致，未与表核对",
    "报告与表的核对需要同一单位、同一年度的工作簿。",
    "本工具的运行约定",
    "jixiao-xl report check 报告.docx",
    "jixiao-xl report check 报告.docx 工作簿.xlsx",
)

NO_FIGURE = _rule(
    "T304", "report-without-figures", "info",
    "报告中没有任何金额、比率或得分，没有一个数字能与表核对",
    "报告共 {paragraphs} 段文字，没有任何金额、比率或得分，没有一个数字能与表核对；报告的内容未核对，请人工审阅"
    "（自评报告应写明预算执行、得分等数字）",
    "没有数字的报告不是“没有问题”：什么也没有核对。自评报告应写明预算执行、执行率、自评得分等数字；"
    "只有文字时，可能是数字放在了图片或另附的表里。",
    SOURCE,
    "本单位高度重视绩效自评工作，成立了工作专班，各项工作有序推进，取得了较好成效。",
    "公用经费340.27万元。",
    "审核人：人工阅读报告，对照表核对；单位：在报告正文或表格中写明预算数、执行数、执行率、自评得分和等级"
    "（不要只放在图片里）后重新提交。",
)

RULES: list[Rule] = [PART_SUM, SHARE, REPEAT, COUNT_SUM, SCORE_GRADE, PLACEHOLDER, RATE_TEXT, PART_ABOVE, ADJUSTED, CHANGE, AMOUNT, RATE, SCORE, YEAR, STAFF, TABLE_WRONG, UNMATCHED,
                     UNCHECKED, NO_TABLE, NO_FIGURE]
BY_CODE = {rule.code: rule for rule in RULES}
