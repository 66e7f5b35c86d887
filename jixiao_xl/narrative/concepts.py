"""What a statement's words name: a table concept, found by the keyword nearest the number."""

from __future__ import annotations

import re

# keyword -> amount concept (see facts.Facts.amount)
AMOUNTS = {
    "一般公共预算支出": "general", "一般公共预算": "general", "一般公共预算拨款": "general",
    "政府性基金预算支出": "gov_fund", "政府性基金": "gov_fund",
    "国有资本经营": None, "社会保险基金": None, "专户": None,
    "基本支出": "basic", "人员经费": "personnel", "公用经费": "public_funds", "项目支出": "project",
    "三公经费": "sangong", "三公": "sangong", "公务用车购置和维护": "car", "公务用车": "car",
    "公车运行维护": "car_operation", "公车购置": "car_purchase", "公务接待": "reception", "出国": "abroad",
    "政府采购": "procurement",
    "总支出": "expense_total", "支出总额": "expense_total", "支出合计": "expense_total", "整体支出": "expense_total",
    "收入总额": "income_total", "总收入": "income_total", "收入合计": "income_total", "收入总计": "income_total",
    "支出总计": "expense_total",
    "年初预算": "initial", "年初预算数": "initial", "全年预算": "full", "全年预算数": "full", "预算数": "full",
    "调整后预算": "full", "全年执行数": "executed", "执行数": "executed", "实际支出": "executed",
    "资金总额": "full", "项目支出总额": "project", "基本支出总额": "basic",
}
# Wordings published reports use for a figure with a verb: they name it only when the number follows them with
# nothing but 为/共/计… between ("2024年共支出1211.89万元" is the 全年执行数; "全年共支出培训费3万元" is 培训费's, and
# "实际执行飞行经费9109.54万元" may be one fund's).  Each is tests/test_report_wordings.py's with its report.
VERB_WORDINGS = {
    "共支出": "executed",  # 沅陵县火场乡 2024: "2024年共支出1211.89万元。其中，基本支出573.36万元，…"
    "实际执行": "executed",  # 云南省应急管理厅 2020: "项目资金执行情况。实际执行2513万元，执行率100%。"
}
AMOUNTS.update(VERB_WORDINGS)
_FILLER = re.compile(r"(?:为|是|达|达到|共|计|共计|合计|总计|累计|了|约|金额|资金)*")
# When a budget was set, for a total named with 预算 but no column of its own: "2019年初财政对我局预算批复的总支出为
# 18531.47万元" (衡阳市住建局 2019) is the 年初预算数.  A total's budget without one of these is either (checker).
BUDGET_TIMES = {"年初": "initial", "全年": "full", "调整后": "full", "调整预算": "full"}
TOTALS = {"expense_total"}  # the totals that are the 年度资金总额 line of 附件2 (its 年初, 全年 and 执行 columns)
# a concept whose column is chosen by the words (附件1 rows have 预算数 / 上年决算数 / 决算数)
BASIC_ROWS = {"sangong", "car", "car_operation", "car_purchase", "reception", "abroad", "public_funds",
              "procurement", "project"}
CONCEPT_NAMES = {
    "general": "一般公共预算支出", "gov_fund": "政府性基金预算支出", "basic": "基本支出", "personnel": "人员经费",
    "public_funds": "公用经费", "project": "项目支出", "sangong": "“三公”经费", "car": "公务用车购置和维护经费",
    "car_operation": "公车运行维护", "car_purchase": "公车购置", "reception": "公务接待费", "abroad": "因公出国（境）费",
    "procurement": "政府采购金额", "expense_total": "支出总额", "income_total": "收入总额", "initial": "年初预算数",
    "full": "全年预算数", "executed": "全年执行数",
    "sangong_control_rate": "“三公”经费控制率", "public_funds_control_rate": "公用经费控制率",
    "staff_control_rate": "财政供养人员控制率", "procurement_rate": "政府采购执行率", "exec_rate": "执行率",
    "exec_score": "执行率得分", "total": "自评得分", "establishment": "编制数", "actual_staff": "实际在职人数",
}
# a bare "控制率" after one of these figures in the same sentence is that figure's control rate
CONTROLLED = {"establishment": "staff_control_rate", "actual_staff": "staff_control_rate",
              "sangong": "sangong_control_rate", "public_funds": "public_funds_control_rate"}
_QUOTES = re.compile(r"[“”\"'‘’「」\s]")
_SHARE = re.compile(r"占(?P<whole>[^占]*?)的?(?:比例|比重)?(?:为|达|约)?$")
_BUDGET_WORDS = re.compile(r"(?<!一般公共)(?<!基金)(?<!资本经营)预算")


def clean(label: str) -> str:
    return _QUOTES.sub("", label)


def _nearest(label: str, table: dict) -> tuple[str | None, bool]:
    """The concept of the keyword ending nearest the end of ``label`` (longest on a tie); found?  A verb wording
    (``VERB_WORDINGS``) with other words after it names nothing."""
    best, best_key = None, None
    for key in table:
        pos = label.rfind(key)
        if pos < 0:
            continue
        if key in VERB_WORDINGS and not _FILLER.fullmatch(label[pos + len(key):]):
            continue
        rank = (pos + len(key), len(key))
        if best is None or rank > best:
            best, best_key = rank, key
    if best_key is None:
        return None, False
    return table[best_key], True


def _budget_time(text: str) -> str | None:
    """The 年度资金总额 column a total's budget words name by when the budget was set ("年初…预算批复"), if any."""
    if not _BUDGET_WORDS.search(text) or "执行" in text or "决算" in text:
        return None
    found = [(text.rfind(key) + len(key), concept) for key, concept in BUDGET_TIMES.items() if key in text]
    return max(found)[1] if found else None


COLUMN_WORDS = {"initial", "full", "executed"}
_ROWS = {k: v for k, v in AMOUNTS.items() if v not in COLUMN_WORDS}
_COLUMNS = {k: v for k, v in AMOUNTS.items() if v in COLUMN_WORDS}


_PARENS = re.compile(r"[(（][^()（）]*[)）]")
_TABLE_WORDS = "|".join(sorted((re.escape(k) for k in AMOUNTS), key=len, reverse=True))
# a table line's keyword, then words that name a part of it and that part's name: the figure after them is the
# part's ("项目支出包括委员活动经费", "项目支出主要用于办案费", "项目支出中委员活动经费"), not the line's
_OF_ANOTHER = re.compile(rf"(?:{_TABLE_WORDS})(?:支出|经费|资金)?(?:中的?|包括|包含|含|主要用于|用于|主要有|主要是|涉及|"
                         rf"其中)[:：]?(?P<part>[\u4e00-\u9fff]{{2,}})$")
_COLUMN_ONLY = re.compile(rf"(?:{'|'.join(k for k, v in AMOUNTS.items() if v in ('initial', 'full', 'executed'))}|"
                          r"决算数|决算|为|是|共|计|合计|共计|总计)+")


def amount_concept(label: str, rows_only: bool = False) -> tuple[str | None, bool]:
    """(concept, named): named is True when the words name a fund or total the tables do not have.

    A row of 附件1 named with a column word ("“三公”经费预算数") is that row (the column is read
    from the words); otherwise a column word ("部门整体支出年初预算数", "全年执行数") names the
    年度资金总额 row of the 附件2/附件3 in scope.  Words in brackets do not name the figure, and a line's
    keyword followed by a part of it ("项目支出包括委员活动经费") names the part, which no table has.
    """
    text = _PARENS.sub("", clean(label))  # "基本支出（含人员经费和公用经费）512.29万元" is 基本支出's
    part = _OF_ANOTHER.search(text)
    if part and not _COLUMN_ONLY.fullmatch(part.group("part")):  # "项目支出包括委员活动经费36.3万元": 委员活动经费's
        return None, True
    row, named = _nearest(text, _ROWS)
    if rows_only:
        return row, named
    column, has_column = _nearest(text, _COLUMNS)
    if row in TOTALS and not has_column and (when := _budget_time(text)):
        return when, True  # "年初财政对我局预算批复的总支出": the 年初预算数
    if row in BASIC_ROWS or row in BREAKDOWN_ROWS or not has_column:
        return row, named
    return column, True


# 附件2's 按收入性质分 / 按支出性质分 lines: a row of their own, on the full-year budget basis (rules §6), whatever
# column word names them ("基本支出全年预算数1322.23万元" is that line, not 年度资金总额)
BREAKDOWN_ROWS = {"basic", "general", "gov_fund"}


# words that make an amount a change, an average or a part, not the level a table holds
_NOT_A_LEVEL = re.compile(r"增加|减少|增长|下降|节约|节省|超支|结余|结转|差额|同比|比上年|较上年|人均|平均|追加|调减|调增|"
                          r"压减|缩减|上涨|降低|提高|减支|增支|多支|少支")


def is_level(label: str) -> bool:
    return not _NOT_A_LEVEL.search(clean(label))


def basic_column(label: str, year: int | None, report_year: int | None) -> str:
    text = clean(label)
    if "上年" in text or "上一年" in text or (year and report_year and year == report_year - 1):
        return "prev_actual"
    if _BUDGET_WORDS.search(text) and "执行" not in text and "决算" not in text:
        return "budget"
    return "actual"


def rate_concept(label: str) -> str | None:
    text = clean(label)
    if "控制率" in text:
        if "三公" in text:
            return "sangong_control_rate"
        if "公用经费" in text:
            return "public_funds_control_rate"
        if "人员" in text or "编制" in text or "财政供养" in text:
            return "staff_control_rate"
        return None
    if "执行率" in text and "得分" not in text:
        return "procurement_rate" if "政府采购" in text else "exec_rate"
    return None


def score_concept(label: str) -> str | None:
    text = clean(label)
    if "执行率得分" in text or "执行率分值" in text:
        return "exec_score"
    # a bare 得分 is as often an indicator's ("得9分") as the total's: only the total's own words count
    if any(word in text for word in ("自评得分", "总分", "总得分", "综合得分", "评价得分", "自评分", "评分为")):
        return "total"
    return None


def share_whole(label: str) -> tuple[str, str] | None:
    """For "占基本支出的": (part words before 占, whole words)."""
    text = clean(label)
    match = _SHARE.search(text)
    if not match:
        return None
    return text[:match.start()], match.group("whole")


# only the words of 附件1's own columns: "在职82人（其中全额80人…）" or "行政编制10人" may count otherwise
_ESTABLISHMENT = re.compile(r"(?:编制数|编制人数|核定编制|^编制)(?:为|是|共|有)?$")
_ACTUAL_STAFF = re.compile(r"(?:实际在职人数|在职人数|实有人数|实际在职人员)(?:为|是|共|有)?$")


def staff_concept(label: str) -> str | None:
    """附件1's 编制数 or 实际在职人数, for a head count whose words end with one of them."""
    text = clean(label)
    if "退休" in text or "离休" in text:
        return None
    if _ESTABLISHMENT.search(text):
        return "establishment"
    if _ACTUAL_STAFF.search(text):
        return "actual_staff"
    return None


# ------------------------------------------------------------------ which column a figure's words may mean
# The 年度资金总额 columns a figure can be on: 年初预算 ("initial"), 全年预算 ("full", the basis of 附件2's 按收入性质分 /
# 按支出性质分 lines, rules §6) and 全年执行 / 决算 ("executed"); "prev" is 附件1's 上年决算数.
BASIS_NAMES = {"initial": "年初预算数", "full": "全年预算数", "executed": "全年执行数", "prev": "上年决算数"}
# words saying a figure is what was spent, besides the line's own name ("基本支出" names a line, "基本支出决算数" its
# 决算): "总支出决算数为4389.86万元", "人员经费支出434.89万元"
_SPENT = re.compile(r"决算|执行|实际|实支|支出|开支|花费|使用|发生")
_ROW_KEYS = re.compile("|".join(sorted((re.escape(k) for k, v in AMOUNTS.items() if v not in COLUMN_WORDS),
                                      key=len, reverse=True)))
# the 附件1 lines whose 决算数 a figure without 预算/决算 words is (the lines 附件2 has are on the 全年预算 basis there)
_SPENT_BY_DEFAULT = BASIC_ROWS - {"project"}


def wording_bases(label: str, concept: str, column: str) -> tuple[str, ...]:
    """The columns a figure's words may mean, in the order to name them: one when the words say which
    ("年初预算", "全年预算数", "决算数", "共支出"), two when they leave it open ("预算批复的总支出": 年初 or 全年;
    "项目支出638.53万元": its 决算 or the 全年预算 line of 附件2)."""
    text = _PARENS.sub("", clean(label))
    if concept in COLUMN_WORDS:  # the 年度资金总额 line, its column named ("预算数" alone: 年初 or 全年)
        if concept == "full" and not any(word in text for word in ("全年", "调整", "资金总额")):
            return "initial", "full"
        return (concept,)
    if column == "prev_actual":
        return ("prev",)
    if column == "budget":
        found = [(text.rfind(key) + len(key), basis) for key, basis in BUDGET_TIMES.items() if key in text]
        return (max(found)[1],) if found else ("initial", "full")
    if concept in _SPENT_BY_DEFAULT or _SPENT.search(_ROW_KEYS.sub("", text)):
        return ("executed",)
    return "executed", "full"
