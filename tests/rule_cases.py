"""Named pass and fail cases for every rule, as edits of the corrected seed workbook.

A fail case expects the rule to report at ``cell`` of ``sheet`` with the
finding's ``expected`` and ``found`` values (what the JSON report carries:
rates as fractions, amounts and scores as numbers); a pass case expects the
rule to stay silent.  Run one rule's cases: ``pytest -k B110``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


UNSET = object()  # a fail case must state expected and found (None when the finding has no value)
# the seed's three titles without their year ("2023年度"): a workbook that states none
NO_YEAR = {"附件1!A2": "部门整体支出绩效评价基础数据表", "附件2!A2": "部门整体支出绩效自评表",
           "附件3!A2": "项目支出绩效自评表"}


@dataclass(frozen=True)
class Case:
    code: str
    outcome: str  # "fail" | "pass"
    name: str
    edits: dict = field(default_factory=dict)
    sheet: str | None = None
    cell: str | None = None
    profile: str = "hunan"
    expected: object = UNSET
    found: object = UNSET
    # H rules: the unit's previous year, as edits of the clean seed moved back a year (helpers.seed_last_year);
    # it is checked and put into a store, and the case is checked against that store
    previous: dict | None = None
    # a published table (tests/data/published) as the workbook instead of the seed, for a layout the seed has not
    base: str | None = None

    def sheets(self) -> list:
        """A fresh copy of the workbook the edits apply to: the clean seed, or the published table ``base``."""
        if self.base is not None:
            from .published import spec

            return [spec(self.base)]
        from .helpers import clean_seed

        return clean_seed()

    @property
    def id(self) -> str:
        return f"{self.code}-{self.outcome}-{self.name}"


HAINAN = "hainan_provincial_shangwu_fuwumaoyi_project"  # tests/data/published
HAINAN_SHEET = "服务贸易项目绩效自评表"

BY_LEVEL = {f"附件3!{c}{r}": v for r, v in ((8, 50), (9, 33)) for c in "CDE"} | {
    "附件3!B8": "中央财政资金", "附件3!B9": "省级财政资金"}  # under 当年财政拨款 83
LOW_EXEC_PROJECT = {"附件3!E6": 63.08, "附件3!E7": 63.08, "附件3!G6": 0.76}

# The seed without what places it in 湖南: its 附件1 (a 湖南 form), 汨罗 in the unit names and the goals, the 湖南
# heading “成本指标(20分)” (the weights stay: 30/30/10/20 alone is not enough to tell the province).
NO_PROVINCE = {"drop:附件1": True, "附件2!B3": "市司法局", "附件3!B4": "市司法局", "附件3!F4": "市司法局",
               "附件2!F12": "普法宣传、法律援助等年度目标均已完成",
               "附件2!B22": "成本指标\n（20.0分）", "附件3!B21": "成本指标\n（20.0分）"}

# 附件2's 成本指标 rows 22–24 as one 二级 (经济成本指标): "一、预算控制" 10 / 9 over "1、…" 5 / 5 and "2、…" 5 / 5
GROUPED = {"附件2!C23": None, "附件2!C24": None, "附件2!D22": "一、预算控制", "附件2!D23": "1、对社会发展的负面影响",
           "附件2!D24": "2、对自然生态环境的负面影响"}

CASES = [
    # N: numbers
    Case("N001", "fail", "amount-as-words", {"附件1!D6": "约12万"}, "附件1", "D6", expected=None, found="约12万"),
    Case("N001", "pass", "amount-with-unit", {"附件1!D6": "12.88万元"}),
    Case("N001", "fail", "total-score-as-words", {"附件2!H25": "约99"}, "附件2", "H25", expected=None, found="约99"),
    Case("N002", "fail", "negative-reception", {"附件1!D11": -5.34}, "附件1", "D11", expected=0, found=-5.34),
    Case("N002", "pass", "negative-budget-adjustment", {"附件1!D30": -10}),
    Case("N002", "pass", "zero-amount", {"附件1!D10": 0}),
    Case("N002", "fail", "negative-staff-count", {"附件1!B4": -3}, "附件1", "B4", expected=0, found=-3),
    Case("N002", "fail", "negative-staff-rate", {"附件1!D4": "-50%"}, "附件1", "D4", expected=0, found=-0.5),
    Case("N003", "fail", "division-by-zero", {"附件2!G5": "#DIV/0!"}, "附件2", "G5", expected=None, found="#DIV/0!"),
    Case("N003", "pass", "rate-as-number", {"附件2!G5": 1.0}),
    # a number typed as text where the template's formula sums it: reported there, not at the locked sum
    Case("N004", "fail", "project-part-as-text", {"formulas:附件1": ["D12", "D15"], "附件1!D13": "11.8万元",
                                                    "附件1!D12": 440.32},
         "附件1", "D13", expected=11.8, found="11.8万元"),
    Case("N004", "pass", "text-total-typed-by-hand", {"附件1!D13": "11.8万元", "附件1!D12": 452.12}),
    Case("B112", "pass", "text-part-skipped-by-formula", {"formulas:附件1": ["D12", "D15"], "附件1!D13": "11.8万元",
                                                           "附件1!D12": 440.32}),
    Case("N001", "pass", "error-value-left-to-N003", {"附件2!G5": "#DIV/0!"}),
    # S: structure
    Case("S002", "fail", "sum-saved-without-result", {"uncached:附件1": ["B6", "C6"], "附件1!B6": None}, "附件1", "B6",
         expected=None, found=2),
    Case("S002", "pass", "results-saved", {}),
    Case("S005", "fail", "stray-value-at-the-last-cell", {"far:附件2": ["XFD1048576"]}, "附件2", "XFD1048576",
         expected=None, found=1),
    Case("S005", "pass", "nothing-far-away", {}),
    # a program merged B4:D4 (主管部门) and left a value in C4: Excel shows B4 only, C4's text is hidden and not read
    Case("S008", "fail", "value-under-a-merge", {"附件3!C4": "汨罗市财政局"}, "附件3", "B4", expected=None, found=1),
    Case("S008", "pass", "value-in-the-top-left-only", {"附件3!B4": "汨罗市财政局"}),
    Case("S003", "fail", "title-removed", {"附件2!A2": None}, "附件2", "", expected="部门整体支出绩效自评表", found=None),
    Case("S003", "pass", "title-present", {}),
    # 附件3 retitled a 绩效目标表 with its 实际完成值 and 得分 headings gone: targets only, set aside
    Case("S006", "fail", "targets-table", {"附件3!A2": "2023年度项目支出绩效目标表", "附件3!F12": None,
                                           "附件3!H12": None}, "附件3", "A2",
         expected=None, found="2023年度项目支出绩效目标表"),
    Case("S006", "pass", "targets-title-over-outcome-columns", {"附件3!A2": "2023年度项目支出绩效目标表"}),
    # 附件2 emptied but for its "附件2" line (what merging the whole form into one cell leaves): named, not passed over
    Case("S007", "fail", "form-sheet-emptied", {f"附件2!{c}{r}": None for r in range(2, 40) for c in "ABCDEFGHI"},
         "附件2", "A1", expected=None, found="：表中只有“附件2”"),
    Case("S007", "pass", "blank-sheet-named-for-a-form", {f"附件2!{c}{r}": None for r in range(1, 40) for c in "ABCDEFGHI"}),
    Case("S007", "pass", "form-on-its-sheet", {}),
    Case("W107", "fail", "note-says-other-weights",
         {"附件3!A26": "注：1.一级指标分值统一设置为：产出指标50分、效益指标30分、满意度指标10分、预算资金执行率10分"},
         "附件3", "B13", expected=50.0, found=30.0),
    Case("W107", "pass", "note-agrees", {"附件3!A26": "注：一级指标分值为：产出指标30分、效益指标30分、满意度指标10分"}),
    Case("W107", "pass", "note-without-weights", {"附件3!A26": "注：满意度指标按问卷结果评分"}),
    # P: the scoring profile, chosen from the workbook itself (profile="auto")
    Case("P001", "fail", "no-province-on-the-forms", NO_PROVINCE, "", "", profile="auto", expected=None, found=None),
    Case("P001", "pass", "place-named-on-the-forms", {}, profile="auto"),
    Case("P001", "pass", "profile-named", NO_PROVINCE),
    Case("S001", "fail", "total-row-relabelled", {"附件2!B5": "资金合计"}, "附件2", "", expected="年度资金总额", found=None),
    Case("S001", "pass", "total-row-with-unit", {"附件2!B5": "年度资金总额（万元）"}),
    # the national form prints its 一级 names without weights: the layout, not an edit (no S001, one S004)
    Case("S004", "fail", "no-level1-weight-printed", {"附件3!B13": "产出指标", "附件3!B16": "效益指标",
                                                     "附件3!B20": "满意度指标", "附件3!B21": "成本指标"},
         "附件3", "B13", expected=None, found="产出指标"),
    Case("S004", "pass", "level1-weights-printed", {}),
    Case("S004", "pass", "one-level1-weight-unread", {"附件3!B13": "产出指标"}),  # S001 reports that one
    # D: derived cells left blank
    Case("D001", "fail", "exec-rate-blank", {"附件2!G5": None}, "附件2", "G5", expected=1.0, found=None),
    Case("D001", "fail", "staff-rate-blank", {"附件1!C4": 78, "附件1!D4": None}, "附件1", "D4", expected=0.963, found=None),
    Case("D001", "fail", "project-row-blank", {}, "附件1", "D12", expected=440.32, found=None),
    Case("D001", "fail", "exec-blank-rate-zero", {"附件3!E6": None, "附件3!E7": None, "附件3!G6": None, "附件3!H6": None},
         "附件3", "G6", expected=0.0, found=None),
    Case("D001", "pass", "project-row-filled", {"附件1!B12": 332, "附件1!C12": 83, "附件1!D12": 440.32}),
    # 总分 left blank while a qualitative 得分 (生态效益, 5 points) is blank too: no total is suggested (it was 94,
    # the blank row counted 0) — a 得分 nobody typed is neither 0 nor full marks, the total is 无法复核
    Case("D001", "pass", "total-score-with-a-qualitative-score-blank",
         {"附件2!H19": None, "附件2!H25": None, "附件1!B12": 332, "附件1!C12": 83, "附件1!D12": 440.32}),
    # B: 附件1
    Case("B101", "fail", "rate-not-updated", {"附件1!C4": 78}, "附件1", "D4", expected=0.963, found=1.0),
    Case("B101", "pass", "rate-as-text", {"附件1!C4": 78, "附件1!D4": "96.30%"}),
    Case("B101", "pass", "no-rate-column", {"附件1!D3": None, "附件1!D4": None}),  # S001 reports the missing column
    Case("B101", "fail", "establishment-of-one", {"附件1!B4": 1, "附件1!C4": 1, "附件1!D4": 0.5}, "附件1", "D4",
         expected=1.0, found=0.5),
    Case("B102", "fail", "over-establishment", {"附件1!C4": 85, "附件1!D4": None}, "附件1", "C4", expected=1.0, found=1.0494),
    Case("B102", "pass", "within-establishment", {"附件1!C4": 80, "附件1!D4": None}),
    Case("B103", "fail", "no-establishment", {"附件1!B4": None, "附件1!D4": None}, "附件1", "B4", expected=None, found=None),
    Case("B103", "pass", "establishment-given", {}),
    Case("B103", "fail", "establishment-zero", {"附件1!B4": 0, "附件1!D4": None}, "附件1", "B4", expected=None, found=0),
    Case("B110", "pass", "seed-2022-blames-car", {"附件1!B7": 17}),  # B111 at B7: 三公 17 is right
    Case("B110", "fail", "car-right-total-off", {"附件1!B6": 25}, "附件1", "B6", expected=17.0, found=25.0),
    Case("B110", "fail", "actual-total-off", {"附件1!D6": 20}, "附件1", "D6", expected=12.88, found=20.0),
    Case("B110", "pass", "consistent", {}),
    # no repair without a negative amount: the total is reported as computed (blanks count as 0)
    Case("B110", "fail", "no-repair-without-negatives",
         {"附件1!D6": -30, "附件1!D7": -20, "附件1!D9": -20, "附件1!D11": 0}, "附件1", "D6", expected=-20.0, found=-30.0),
    Case("B111", "fail", "seed-2022", {"附件1!B7": 17}, "附件1", "B7", expected=9.0, found=17.0),
    Case("B111", "pass", "consistent", {}),
    Case("B112", "fail", "project-total-off", {"附件1!D12": 500}, "附件1", "D12", expected=440.32, found=500.0),
    Case("B112", "pass", "project-total-right", {"附件1!D12": 440.32}),
    # a row under 项目支出 with a name of its own is one of its parts
    Case("B112", "fail", "other-project-row-counts", {"附件1!A13": "1、信息化建设经费", "附件1!D13": 10, "附件1!D12": 440.32},
         "附件1", "D12", expected=450.32, found=440.32),
    Case("B113", "fail", "special-total-off", {"附件1!C15": 80}, "附件1", "C15", expected=83.0, found=80.0),
    Case("B113", "pass", "special-total-right", {}),
    # one item off while 公务用车 is off too: each blamed cell under its own identity
    Case("B113", "fail", "item-off-while-car-off", {"附件1!B12": 332, "附件1!B16": 250, "附件1!B9": 5}, "附件1", "B16",
         expected=256.0, found=250.0),
    Case("B114", "fail", "office-exceeds", {"附件1!D26": 300}, "附件1", "D25", expected=357.91, found=340.27),
    Case("B114", "pass", "parts-below-total", {}),
    Case("B114", "pass", "blank-part-is-zero", {"附件1!D26": 285.51, "附件1!D28": None}),  # 285.51 + 54.76 = 340.27
    Case("B114", "pass", "total-blank", {"附件1!D25": None}),
    Case("B120", "fail", "sangong-over", {"附件1!D6": 20, "附件1!D11": 12.46}, "附件1", "D6", expected=1.0, found=1.1765),
    Case("B120", "pass", "sangong-under", {}),
    Case("B121", "fail", "seed-126-percent", {}, "附件1", "D25", expected=1.0, found=1.2673),
    Case("B121", "pass", "public-funds-under", {"附件1!D25": 260}),
    Case("B122", "fail", "sangong-spent-without-budget",
         {"附件1!C6": 0, "附件1!C7": 0, "附件1!C9": 0, "附件1!C11": 0}, "附件1", "C6", expected=None, found=0.0),
    Case("B122", "pass", "sangong-with-budget", {}),
    Case("B122", "pass", "budget-shows-error", {"附件1!C6": "#REF!"}),  # N003 reports the error; no 0 budget is read
    Case("B122", "pass", "budget-error-no-parts", {"附件1!C6": "#REF!", "附件1!C7": None, "附件1!C9": None,
                                                   "附件1!C11": None}),
    Case("B122", "pass", "small-budget-is-a-budget", {"附件1!C25": 0.5}),  # B121 reports the rate instead
    Case("B122", "pass", "no-budget-column", {"附件1!C5": None}),
    Case("B130", "fail", "scale-rate-wrong", {"附件1!B32": 1000, "附件1!C32": 1100, "附件1!D32": 1.0}, "附件1", "D32",
         expected=1.1, found=1.0),
    Case("B130", "pass", "scale-rate-right", {"附件1!B32": 1000, "附件1!C32": 1100, "附件1!D32": "110%"}),
    Case("B130", "pass", "actual-scale-blank", {"附件1!B32": 1000, "附件1!D32": 1.1}),
    Case("B130", "pass", "no-rate-column", {"附件1!D31": None, "附件1!B32": 1000, "附件1!C32": 1100}),
    Case("B131", "fail", "over-approved-scale", {"附件1!B32": 1000, "附件1!C32": 1100}, "附件1", "C32",
         expected=1000.0, found=1100.0),
    Case("B131", "pass", "within-approved-scale", {"附件1!B32": 1000, "附件1!C32": 980}),
    # E: execution
    Case("E101", "fail", "rate-on-initial-budget", {"附件2!G5": 1.4233}, "附件2", "G5", expected=1.0, found=1.4233),
    Case("E101", "pass", "rate-as-text", {"附件2!G5": "100%"}),
    Case("E101", "pass", "executed-shows-error", {"附件3!E6": "#REF!"}),  # N003 reports it; not "应为 0%"
    Case("E102", "fail", "executed-above-budget", {"附件3!E6": 90, "附件3!E7": 90}, "附件3", "E6",
         expected=1.0, found=1.0843),
    Case("E102", "pass", "executed-within-budget", {}),
    Case("E103", "fail", "no-full-budget", {"附件3!D6": None, "附件3!D7": None, "附件3!G6": None, "附件3!H6": None},
         "附件3", "D6", expected=None, found=None),
    Case("E103", "pass", "full-budget-given", {}),
    Case("E103", "pass", "full-budget-shows-error", {"附件3!D6": "#DIV/0!"}),  # N003's, not "为空或为0"
    Case("E104", "fail", "score-not-scaled", dict(LOW_EXEC_PROJECT), "附件3", "H6", expected=7.6, found=10.0),
    Case("E104", "pass", "score-scaled", {**LOW_EXEC_PROJECT, "附件3!H6": 7.6}),
    Case("E104", "pass", "executed-shows-error", {"附件3!E6": "#N/A"}),
    Case("E105", "fail", "seed-42-percent", {}, "附件2", "D5", expected=0.3, found=0.4233),
    Case("E105", "pass", "small-addition", {"附件2!C5": 1500}),
    Case("E106", "fail", "low-exec-silent", {**LOW_EXEC_PROJECT, "附件3!H6": 7.6}, "附件3", "G6",
         expected=None, found=0.76),
    Case("E106", "pass", "executed-shows-error", {"附件3!E6": "#REF!", "附件3!G6": None}),
    Case("E106", "pass", "low-exec-explained",
         {**LOW_EXEC_PROJECT, "附件3!H6": 7.6, "附件3!I13": "部分项目跨年度实施，资金结转下年"}),
    Case("E107", "fail", "low-exec-full-marks", {**LOW_EXEC_PROJECT, "附件3!H6": 7.6}, "附件3", "E6",
         expected=0.76, found=1.0),
    Case("E107", "pass", "full-exec-full-marks", {}),
    Case("E107", "pass", "executed-shows-error", {"附件3!E6": "#REF!", "附件3!G6": None, "附件3!H6": None}),
    # an indicator with a blank 分值 counts 0 in the score rate: 85 of 85 against 78.84 of 83 executed
    Case("E107", "fail", "blank-weight-not-counted", {"附件3!E6": 78.84, "附件3!E7": 78.84, "附件3!G6": 0.9499,
                                                      "附件3!H6": 9.5, "附件3!G23": None, "附件3!H23": None},
         "附件3", "E6", expected=0.9499, found=1.0),
    Case("E108", "fail", "adjustment-does-not-add-up", {"附件2!I4": "调整预算数", "附件2!I5": 500}, "附件2", "D5",
         expected=1738.36, found=1762.55),
    Case("E108", "pass", "adjustment-adds-up", {"附件2!I4": "调整预算数", "附件2!I5": 524.19}),
    Case("E108", "pass", "adjustment-unreadable", {"附件2!I4": "调整预算数", "附件2!I5": "约500"}),  # N001 reports it
    Case("E109", "fail", "executed-blank-rate-typed", {"附件3!E6": None, "附件3!E7": None}, "附件3", "E6",
         expected="全年执行数", found=None),
    Case("E109", "fail", "full-budget-blank-rate-typed", {"附件3!D6": None, "附件3!D7": None}, "附件3", "D6",
         expected="全年预算数", found=None),
    Case("E109", "fail", "executed-blank-only-rate-typed", {"附件3!E6": None, "附件3!E7": None, "附件3!H6": None},
         "附件3", "E6", expected="全年执行数", found=None),
    Case("E109", "pass", "executed-typed", {}),
    # I: indicators
    # a row the rule cannot score (qualitative): the 分值 is all there is; a row it scores is I103's (one finding)
    Case("I101", "fail", "score-above-weight", {"附件2!H15": 12}, "附件2", "H15", expected=10.0, found=12.0),
    Case("I101", "pass", "score-within-weight", {}),
    Case("I102", "fail", "reason-removed", {"附件2!I22": None}, "附件2", "I22", expected="偏差原因及改进措施", found=None),
    Case("I102", "pass", "seed-reason-given", {}),
    Case("I103", "fail", "satisfaction-missed-full-marks", {"附件2!F21": "85%"}, "附件2", "H21", expected=8.95, found=10.0),
    Case("I103", "pass", "satisfaction-missed-scaled", {"附件2!F21": "85%", "附件2!H21": 8.95, "附件2!I21": "未达标"}),
    Case("I103", "pass", "compound-target-met", {}),
    Case("I103", "fail", "score-above-weight-scored-by-rule", {"附件2!H14": 12}, "附件2", "H14", expected=10.0,
         found=12.0),
    # a range target short of its floor: not met, 85 ÷ 90 × 10 = 9.44 (it was I109 "无法判断" and kept full marks)
    Case("I103", "fail", "short-of-a-range-target", {"附件2!E21": "90%-100%", "附件2!F21": "85%"}, "附件2", "H21",
         expected=9.44, found=10.0),
    # "0起" in a 成本 row is "≤ 0 起": one 起 is B ≥ 2A, 0 points as "=0起" gives (it was I108 alone)
    Case("I103", "fail", "one-incident-against-none", {"附件2!D23": "安全事故", "附件2!E23": "0起", "附件2!F23": "1起"},
         "附件2", "H23", expected=0.0, found=5.0),
    Case("I103", "pass", "none-against-none", {"附件2!D23": "安全事故", "附件2!E23": "0起", "附件2!F23": "0起"}),
    Case("I103", "pass", "within-a-range-target", {"附件2!E21": "90%～100%", "附件2!F21": "95%"}),
    Case("I103", "pass", "short-of-a-range-target-scaled", {"附件2!E21": "90%-100%", "附件2!F21": "85%",
                                                            "附件2!H21": 9.44, "附件2!I21": "未达到下限"}),
    Case("I103", "pass", "missed-narrowly-scored-within-tolerance",  # 10 × 94.9 ÷ 95 = 9.989; 9.993 is not full marks
         {"附件2!F21": "94.9%", "附件2!H21": 9.993, "附件2!I21": "略低于目标"}),
    Case("I103", "fail", "time-limit-exceeded-full-marks", {"附件2!E16": "5日内办结", "附件2!F16": "平均8日办结"},
         "附件2", "H16", expected=4.0, found=10.0),
    Case("I103", "pass", "time-limit-met", {"附件2!E16": "30个工作日内办结", "附件2!F16": "平均25个工作日办结"}),
    Case("I103", "fail", "cost-overspent-full-marks", {"附件2!E22": "83万元", "附件2!F22": "90万元", "附件2!H22": 10},
         "附件2", "H22", expected=9.16, found=10.0),
    Case("I103", "pass", "cost-under-budget", {"附件2!E22": "83万元", "附件2!F22": "80万元", "附件2!H22": 10}),
    Case("I103", "fail", "percent-typed-as-fraction", {"附件2!F21": 0.85}, "附件2", "H21", expected=8.95, found=10.0),
    Case("I103", "pass", "deadline-met", {"附件2!E16": "2023年12月底前完成", "附件2!F16": "2023年11月完成"}),
    Case("I103", "pass", "compound-reordered", {"附件2!F14": "组织学法考试2次，组织法治宣传5次"}),
    Case("I103", "pass", "missed-by-a-hair-rounds-to-full", {"附件2!F21": "94.99%"}),  # 10 × 94.99 ÷ 95 = 10.00
    Case("I103", "pass", "met-a-hair-above-weight-left-to-I101", {"附件2!H14": 10.004}),  # within 0.005 of 10
    # a miss at full marks is reported even when the score is within the half unit of its last digit: 2.5 for 2.46
    Case("I103", "fail", "missed-at-full-marks-one-decimal", {"附件2!G21": 2.5, "附件2!H21": 2.5, "附件2!F21": "93.5%"},
         "附件2", "H21", expected=2.46, found=2.5),
    Case("I107", "fail", "deducted-below-rule", {"附件2!F21": "85%", "附件2!H21": 5, "附件2!I21": "未达标"},
         "附件2", "H21", expected=8.95, found=5.0),
    Case("I107", "pass", "scored-by-rule", {"附件2!F21": "85%", "附件2!H21": 8.95, "附件2!I21": "未达标"}),
    Case("I108", "fail", "deadline-missed-full-marks", {"附件2!E16": "2023年6月底前完成", "附件2!F16": "2023年9月完成"},
         "附件2", "H16", expected=None, found=10.0),
    Case("I108", "fail", "deadline-missed-full-marks-less-half-a-cent",
         {"附件2!E16": "2023年6月底前完成", "附件2!F16": "2023年9月完成", "附件2!H16": 9.995}, "附件2", "H16",
         expected=None, found=9.99),
    Case("I108", "pass", "deadline-missed-deducted",
         {"附件2!E16": "2023年6月底前完成", "附件2!F16": "2023年9月完成", "附件2!H16": 6, "附件2!I16": "设备到货延迟"}),
    Case("I108", "fail", "deadline-without-year-takes-form-year",
         {"附件2!E16": "12月底前完成", "附件2!F16": "2024年1月10日完成"}, "附件2", "H16", expected=None, found=10.0),
    Case("I108", "pass", "deadline-without-year-met-in-form-year",
         {"附件2!E16": "12月底前完成", "附件2!F16": "2023年12月20日完成"}),
    Case("I108", "pass", "next-year-deadline-met", {"附件2!E16": "次年1月底前完成", "附件2!F16": "2024年1月10日完成"}),
    # 附件2's title states no year: the workbook's other forms do (2023), and the deadline falls in that year
    Case("I108", "fail", "deadline-without-year-takes-the-workbooks-year",
         {"附件2!A2": "部门整体支出绩效自评表", "附件2!E16": "12月底前完成", "附件2!F16": "2024年1月10日完成"},
         "附件2", "H16", expected=None, found=10.0),
    # no title states a year: "12月底前" may be 2023's (late) or 2024's (on time): not judged, said why
    Case("I109", "fail", "deadline-without-year-in-a-workbook-without-one",
         {**NO_YEAR, "附件2!E16": "12月底前完成", "附件2!F16": "2024年1月10日完成"}, "附件2", "H16",
         expected=None, found=None),
    Case("I109", "pass", "deadline-without-year-met-whichever-year",
         {**NO_YEAR, "附件2!E16": "次年3月底前完成", "附件2!F16": "2024年1月10日完成"}),
    Case("I109", "fail", "unit-mismatch", {"附件2!E14": "≥200人次", "附件2!F14": "培训180人"}, "附件2", "H14",
         expected=None, found=None),
    Case("I109", "pass", "period-target-is-not-a-deadline", {"附件2!E16": "2023年全年", "附件2!F16": "全年完成"}),
    Case("I109", "pass", "weight-blank-left-to-I106", {"附件2!E14": "≥200人次", "附件2!F14": "培训180人", "附件2!G14": None}),
    Case("I109", "pass", "units-agree", {"附件2!E14": "≥200人次", "附件2!F14": "培训210人次"}),
    Case("I104", "fail", "target-too-low", {"附件2!E14": "2次法治宣传，2次学法考试"}, "附件2", "F14", expected=2.0, found=5.0),
    Case("I104", "pass", "target-met-exactly", {}),
    Case("I105", "fail", "achieved-but-low-band", {"附件2!H17": 5, "附件2!I17": "有待提高"}, "附件2", "H17",
         expected=8.0, found=5.0),
    Case("I105", "pass", "achieved-in-band", {}),
    Case("I106", "fail", "qualitative-score-blank", {"附件2!H19": None}, "附件2", "H19", expected=None, found=None),
    Case("I106", "fail", "weight-blank", {"附件2!G19": None}, "附件2", "G19", expected=None, found=None),
    Case("I106", "pass", "all-filled", {}),
    Case("I106", "pass", "quantitative-score-blank-is-computed", {"附件2!F21": "98%", "附件2!H21": None}),  # D001 gives 10
    # W: weights and totals
    Case("W101", "fail", "output-weights-short", {"附件2!G16": 5}, "附件2", "B14", expected=30.0, found=25.0),
    Case("W101", "pass", "output-weights-sum", {}),
    Case("W102", "fail", "weights-total-95", {"附件2!G16": 5, "附件2!B14": "产出指标(25分)"}, "附件2", "G25",
         expected=100.0, found=95.0),
    Case("W102", "pass", "weights-total-100", {}),
    Case("W102", "fail", "blank-weight-counts-zero", {"附件2!G19": None}, "附件2", "G25", expected=100.0, found=95.0),
    Case("W101", "fail", "blank-weight-counts-zero", {"附件2!G14": None}, "附件2", "B14", expected=30.0, found=20.0),
    Case("W103", "fail", "total-weight-90", {"附件2!G25": 90}, "附件2", "G25", expected=100.0, found=90.0),
    Case("W103", "pass", "total-weight-100", {}),
    Case("W104", "fail", "total-score-100", {"附件2!H25": 100}, "附件2", "H25", expected=99.0, found=100.0),
    Case("W104", "pass", "total-score-99", {}),
    Case("W104", "fail", "blank-score-counts-zero", {"附件2!H19": None}, "附件2", "H25", expected=94.0, found=99.0),
    Case("W104", "pass", "score-shows-error", {"附件2!H19": "#DIV/0!"}),  # the sum is unknown: N003's
    Case("W104", "pass", "exec-figure-shows-error", {"附件3!E6": "#REF!", "附件3!H6": None}),
    Case("W104", "pass", "no-total-row", {"附件2!A25": None, "附件2!G25": None, "附件2!H25": None, "附件2!I25": None}),
    Case("W105", "fail", "hunan-form-national-profile", {}, "附件2", "B14", profile="national", expected=50, found=30.0),
    Case("W105", "pass", "hunan-form-hunan-profile", {}),
    Case("W105", "pass", "unknown-level-without-weight", {"附件2!B22": "其他指标"}),  # S001: its weight is unread
    Case("W106", "fail", "grade-above-total", {"附件2!H25": 85, "附件2!I25": "等级：优"}, "附件2", "I25",
         expected="良", found="优"),
    Case("W106", "pass", "grade-matches-total", {"附件2!I25": "等级：优"}),
    # F: fund breakdowns
    Case("F101", "fail", "general-budget-short", {"附件2!B7": "其中：一般公共预算：1700"}, "附件2", "B7",
         expected=1762.55, found=1700.0),
    Case("F101", "pass", "seed-income", {}),
    Case("F102", "fail", "project-short",
         {"附件2!E8": "项目支出：400", "附件2!E6": "按支出性质分：1722.23"}, "附件2", "E6", expected=1762.55, found=1722.23),
    Case("F102", "pass", "seed-expense", {}),
    # the template's =SUM(基本支出, 项目支出) follows a typo in 基本支出: the typo is blamed, never the formula
    Case("F102", "fail", "part-of-formula-sum", {"formulas:附件2": ["E6"], "附件2!E6": "按支出性质分：1772.55",
                                                  "附件2!E7": "其中：基本支出：1332.23"},
         "附件2", "E7", expected=1322.23, found=1332.23),
    Case("F103", "fail", "appropriation-short", {"附件3!D7": 80}, "附件3", "D6", expected=80.0, found=83.0),
    Case("F103", "pass", "seed-sources", {}),
    Case("F103", "pass", "appropriation-broken-down-by-level", dict(BY_LEVEL)),  # 83 = 50 + 33: counted once
    Case("F103", "pass", "by-level-appropriation-initial-blank", {**BY_LEVEL, "附件3!C7": None}),
    Case("F103", "pass", "no-source-in-a-column", {"附件3!C7": None}),  # 年初 83 with no source typed: nothing to add
    Case("F103", "fail", "level-rows-half-off-are-not-its-breakdown", {**BY_LEVEL, "附件3!D9": 32.5}, "附件3", "D6",
         expected=165.5, found=83.0),
    Case("F103", "pass", "one-level-row-blank", {"附件3!B8": "中央财政资金", "附件3!B9": "省级财政资金",
                                                 "附件3!C8": 83, "附件3!D8": 83, "附件3!E8": 83}),  # 83 = 83 + blank
    Case("F103", "fail", "level-rows-under-carryover-are-sources",  # only 当年财政拨款 is broken down by level
         {**BY_LEVEL, "附件3!B7": "上年结转资金"},
         "附件3", "D6", expected=166.0, found=83.0),
    Case("F103", "fail", "level-rows-not-its-breakdown", {**BY_LEVEL, "附件3!D9": 30}, "附件3", "D6",
         expected=163.0, found=83.0),
    Case("W105", "fail", "exec-weight-20-in-hunan", {"附件2!F5": 20}, "附件2", "F5", expected=10.0, found=20.0),
    Case("W105", "pass", "exec-weight-20-province-unknown", {**NO_PROVINCE, "附件2!F5": 20}, profile="auto"),
    Case("W108", "fail", "levels-add-to-90-under-80", {"附件3!A12": "绩效指标(80分)"}, "附件3", "B13",
         expected=80.0, found=90.0),
    Case("W108", "pass", "levels-add-to-the-stated-90", {"附件3!A12": "绩效指标(90分)"}),
    Case("W108", "pass", "no-section-weight-printed", {}),
    # 附件2's 成本指标 rows as one 二级 with numbered items under a heading (云南 隆阳 prints its 数量指标 so):
    # "一、" 分值 10 = 5 + 5 is their subtotal, counted once
    Case("W109", "fail", "subtotal-score-not-items-sum", GROUPED, "附件2", "H22", expected=10.0, found=9.0),
    Case("W109", "pass", "subtotal-score-is-items-sum", GROUPED | {"附件2!H22": 10}),
    Case("W109", "pass", "no-heading", {}),
    # 海南 服务贸易 prints a 分值 after its 二级 (D): 资金管理 10 over 资金使用 7 + 财务管理 3
    Case("W111", "fail", "level2-weight-not-its-rows-sum", {f"{HAINAN_SHEET}!D21": 9}, HAINAN_SHEET, "D21",
         expected=9.0, found=10.0, profile="auto", base=HAINAN),
    Case("W111", "pass", "level2-weights-add-up", {}, profile="auto", base=HAINAN),
    Case("W110", "fail", "heading-weight-not-items-sum", GROUPED | {"附件2!G24": 4, "附件2!H24": 4}, "附件2", "G22",
         expected=9.0, found=10.0),
    Case("W110", "pass", "heading-weight-is-items-sum", GROUPED),
    Case("W110", "pass", "unnumbered-row-before-items", GROUPED | {"附件2!D22": "预算控制", "附件2!G24": 4}),
    Case("F105", "fail", "sources-left-zero", {"附件3!D7": 0}, "附件3", "D7", expected=83.0, found=0.0),
    Case("F105", "pass", "seed-sources", {}),
    Case("F105", "pass", "sources-blank", {"附件3!D7": None}),  # nothing typed: nothing to add (as F103)
    Case("F103", "pass", "sources-left-zero-is-F105s", {"附件3!D7": 0}),  # not "全年预算数应为 0"
    Case("F104", "fail", "note-row-under-total", {"附件3!B9": "备注", "附件3!C9": 5}, "附件3", "B9", expected=None, found="备注"),
    Case("F104", "pass", "every-row-a-source", {"附件3!B9": "其中：省级财政资金"}),
    # X: across forms
    Case("X101", "fail", "dept-project-differs",
         {"附件2!E8": "项目支出：400", "附件2!E7": "其中：基本支出：1362.55"}, "附件2", "E8", expected=440.32, found=400.0),
    Case("X101", "pass", "seed-project", {}),
    Case("X101", "fail", "partly-executed-spending-above-budget",
         {"附件2!E5": 1700, "附件2!E8": "项目支出：400", "附件2!E7": "其中：基本支出：1362.55"}, "附件2", "E8",
         expected=440.32, found=400.0),
    Case("X101", "pass", "partly-executed-budget-above-spending",
         {"附件2!E5": 1700, "附件2!E8": "项目支出：500", "附件2!E7": "其中：基本支出：1262.55"}),
    Case("X101", "pass", "nearly-executed-budget-above-spending",  # 1762 of 1762.55 is not fully executed
         {"附件2!E5": 1762, "附件2!E8": "项目支出：500", "附件2!E7": "其中：基本支出：1262.55"}),
    Case("X101", "fail", "executed-within-half-a-cent-is-complete",  # 1762.545 of 1762.55: the two must be equal
         {"附件2!E5": 1762.545, "附件2!E8": "项目支出：450", "附件2!E7": "其中：基本支出：1312.55"}, "附件2", "E8",
         expected=440.32, found=450.0),
    Case("X101", "fail", "partly-executed-spending-half-above-budget",
         {"附件2!E5": 1700, "附件2!E8": "项目支出：439.82", "附件2!E7": "其中：基本支出：1322.73"}, "附件2", "E8",
         expected=440.32, found=439.82),
    Case("X102", "fail", "project-above-dept",
         {f"附件3!{c}{r}": 500 for c in "CDE" for r in (6, 7)}, "附件3", "D6", expected=440.32, found=500.0),
    Case("X102", "pass", "seed-project-budget", {}),
    Case("X103", "fail", "basic-data-last-year", {"附件1!A2": "2022年度部门整体支出绩效评价基础数据表"}, "附件1", "",
         expected=2023, found=2022),
    Case("X103", "pass", "same-year", {}),
    # H: against the unit's previous year in the store (previous=: last year's workbook, as edits)
    Case("H101", "fail", "prev-actual-not-last-years", {}, "附件1", "B7", expected=12.0, found=9.0,
         previous={"附件1!D7": 12}),
    Case("H101", "pass", "prev-actual-as-last-year", {}, previous={}),
    Case("H101", "pass", "no-store", {"附件1!B7": 12}),
    Case("H102", "fail", "target-below-last-actual", {}, "附件3", "E20", expected=99.0, found=95.0, previous={}),
    Case("H102", "pass", "target-at-last-actual", {},
         previous={"附件3!F20": "95%", "附件2!F21": "95%"}),
    # a cost (lower is better: its 二级 says 成本) set below last year's actual is no lower ambition
    Case("H102", "pass", "cost-target-below-last-actual", {"附件3!E21": "83万元", "附件3!F21": "80万元"},
         previous={"附件3!F20": "95%", "附件2!F21": "95%", "附件3!E21": "85万元", "附件3!F21": "90万元"}),
    Case("H103", "fail", "low-two-years", dict(LOW_EXEC_PROJECT), "附件3", "G6", expected=0.7, found=0.76,
         previous={"附件3!E6": 58.1, "附件3!E7": 58.1, "附件3!G6": 0.7}),
    Case("H103", "pass", "low-this-year-only", dict(LOW_EXEC_PROJECT), previous={}),
    # R: a crashing rule (the test injects the crash)
    Case("R900", "fail", "rule-raises", {}, "附件1", "", expected=None, found=None),
    Case("R900", "pass", "no-crash", {}),
]
