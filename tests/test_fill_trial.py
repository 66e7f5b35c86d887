"""fill and template --from on an accountant's trial workbook (trial F): the tool's template for 某某县教育局 2024
with two projects, filled in with openpyxl as a unit would type it (a wrong 三公 total, rates typed by hand,
a 得分 of "满分"), saved without formula results, and the same recalculated by LibreOffice.

What the output stores for a formula is what the formula gives (LibreOffice, recalculating the output, shows
the same); fill of its own output, with or without marks, changes nothing and leaves no formula without its
result; the summary describes the output written; rates are shown as the user sees them."""

from __future__ import annotations

import math

import openpyxl
import pytest

from jixiao_xl.cli import main
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.rules.check import check_path
from jixiao_xl.write import template as T
from jixiao_xl.write.fill import fill
from jixiao_xl.write.writer import write_template
from jixiao_xl.xlsx.grid import read_grids

from .libreoffice import convert, soffice

needs_lo = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
FORMS = ("附件1", "附件2", "附件3-1", "附件3-2")

BASIC = {
    "B4": 85, "C4": 83,
    "B8": 0, "C8": 0, "D8": 0, "B9": 12.5, "C9": 13, "D9": 11.8, "B10": 0, "C10": 0, "D10": 0,
    "B11": 6.2, "C11": 6, "D11": 5.43, "B13": 120, "C13": 135, "D13": 128.6, "B14": 45, "C14": 50, "D14": 47.2,
    "A16": "学生资助专项", "B16": 300, "C16": 320, "D16": 316.5,
    "A17": "校舍维修改造项目", "B17": 180, "C17": 200, "D17": 172.4,
    "B19": 210, "C19": 220, "D19": 205.6, "B20": 60, "C20": 62, "D20": 58.3, "B21": 80, "C21": 85, "D21": 79.1,
    "B22": 20, "C22": 22, "D22": 18.4, "B23": 150, "C23": 160, "D23": 142.85, "B24": 0, "C24": 0, "D24": 15,
    "B26": 1200, "C26": 1180, "E26": 360, "F26": 352.6,
    "B27": "严格执行中央八项规定精神，压减一般性支出，公务接待实行公函制度。",
    "B29": "张会计", "D29": "2025-03-10", "F29": "0730-1234567",
    "D6": 17.32,  # typed over the 三公 formula: 0 + 11.8 + 0 + 5.43 = 17.23
    "E19": 0.9345,  # typed over the 控制率 formula: 205.6 / 220 = 93.45 %, right as typed
    "E23": 0.893,  # in a 0.0% cell: 89.3 %, right as it shows (142.85 / 160 = 89.28 %)
}
DEPT = {
    "C5": 4850, "D5": 5230.6, "E5": 4507.8, "D7": 4980.6, "D8": 150, "D9": 100, "D10": 0, "H7": 4525.6, "H8": 705,
    "B12": "保障全县义务教育学校正常运转，落实学生资助政策，改善办学条件。",
    "F12": "全县45所学校正常运转，资助政策全部落实，校舍维修基本完成。",
    "G5": 0.8619,  # typed: 4507.8 / 5230.6 = 86.18 %
    "H5": 8.62,
}
DEPT_ROWS = [
    (14, "义务教育学校覆盖数", "≥45所", "45所", 10), (15, "义务教育巩固率", "≥95%", "93%", 10),
    (16, "资金拨付及时率", "100%", "100%", 10), (17, "学生资助资金足额发放率", "100%", "100%", 10),
    (18, "适龄儿童入学率", "≥99%", "99.6%", 12), (19, "校园绿化覆盖率", "≥35%", "36%", 5),
    (20, "教育经费保障长效机制", "健全", "健全", 5), (21, "家长满意度", "≥90%", "92.5%", 10),
    (22, "“三公”经费支出", "≤19万元", "17.23万元", 10), (23, "安全责任事故发生数", "0起", "0起", 5),
    (24, "环保违规事件数", "0次", "0次", 5),
]
PROJECT1 = {
    "B3": "学生资助专项", "F4": "某某县学生资助管理中心", "C7": 300, "D7": 320, "E7": 316.5, "C8": 0, "D8": 0,
    "E8": 0, "B11": "按政策足额发放各类学生资助资金，确保不让一个学生因贫失学。",
    "F11": "全年资助3125人次，资金按时足额发放。",
    "D6": 302,  # typed over the 全年预算数 sum (320)
}
PROJECT1_ROWS = [
    (13, "资助家庭经济困难学生人次", "≥3000人次", "3125人次", 10), (14, "资助对象认定准确率", "≥95%", "93%", 10),
    (15, "资金发放及时率", "100%", "100%", 10), (16, "减轻困难家庭教育支出", "有效减轻", "有效减轻", 10),
    (17, "因贫辍学学生数", "0人", "0人", 10), (18, "资助档案电子化率", "≥80%", "85%", 5),
    (19, "资助政策持续实施", "长期", "长期", 5), (20, "受助学生满意度", "≥90%", "88%", 9),
    (21, "生均资助标准", "≤1000元/人", "1000元/人", 10), (22, "资助违规事件", "0起", "0起", 5),
    (23, "资助过程环境影响", "无", "无", 5),
]
PROJECT2 = {
    "B3": "校舍维修改造项目", "F4": "某某县教育局", "C7": 180, "D7": 200, "E7": 172.4,
    "B11": "完成全县8所学校校舍维修改造，消除安全隐患。", "F11": "完成7所学校维修改造4800平方米，1所因施工许可延后。",
    "G6": 0.86,  # in a 0% cell: 86 %, right as it shows (172.4 / 200 = 86.2 %)
    "H6": 8.6,  # typed over the 得分 formula (8.62)
}
PROJECT2_ROWS = [
    (13, "维修改造校舍面积", "≥5000平方米", "4800平方米", 9.6, "1所学校施工许可延后，已于2025年一季度开工。"),
    (14, "工程验收合格率", "100%", "100%", "满分"),  # not a number: the 总分 cannot be checked (N001)
    (15, "完工时间", "2024年10月底前", "2024年11月20日", 10), (16, "节约维修成本", "≥5%", "6%", 10),
    (17, "改善学生学习条件", "有效改善", "有效改善", 10), (18, "施工扬尘投诉次数", "≤2次", "1次", 5),
    (19, "校舍使用年限", "≥20年", "20年", 5), (20, "师生满意度", "≥90%", "95%", 10),
    (21, "维修改造单位成本", "≤400元/平方米", "359元/平方米", 10), (22, "安全事故", "0起", "0起", 5),
    (23, "建筑垃圾违规处置", "0次", "0次", 5),
]


def _typed(ws, values: dict, rows: list) -> None:
    for address, value in values.items():
        ws[address] = value
    for r, target, actual_label, actual, score, *reason in rows:
        ws[f"D{r}"], ws[f"E{r}"], ws[f"F{r}"], ws[f"H{r}"] = target, actual_label, actual, score
        if reason:
            ws[f"I{r}"] = reason[0]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """(saved without results, recalculated by LibreOffice or None)."""
    root = tmp_path_factory.mktemp("trial")
    made = root / "模板.xlsx"
    write_template(T.build(T.data_from(None, 2024, "某某县教育局", get_profile("hunan")), 2), made)
    book = openpyxl.load_workbook(made)
    _typed(book["附件1"], BASIC, [])
    book["附件1"]["E23"].number_format = "0.0%"
    _typed(book["附件2"], DEPT, [(r, d, e, f, h) for r, d, e, f, h in DEPT_ROWS])
    _typed(book["附件3-1"], PROJECT1, PROJECT1_ROWS)
    _typed(book["附件3-2"], PROJECT2, PROJECT2_ROWS)
    book["附件3-2"]["G6"].number_format = "0%"
    saved = root / "教育局2024_填报.xlsx"
    book.save(saved)  # as a program saves it: the formulas without their results
    recalculated = convert([saved], root / "lo", "xlsx")[0] if soffice() else None
    return saved, recalculated


def formula_cells(path) -> dict[tuple[str, str], object]:
    """Every formula of the forms, with the result stored for it."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    return {(name, c.coordinate): values[name][c.coordinate].value
            for name in FORMS for row in formulas[name].iter_rows() for c in row if c.data_type == "f"}


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return (a or "") == (b or "")  # LibreOffice saves an empty text result as none


def without_results(path) -> dict[str, list[str]]:
    return {g.name: g.uncached for g in read_grids(str(path)) if g.uncached}


@needs_lo
@pytest.mark.parametrize("overwrite", [False, True])
def test_what_fill_stores_for_a_formula_is_what_the_formula_gives(books, tmp_path, overwrite):
    """The 等级 cell shows "等级：优" (its formula "等级："&…), never the bare 优; a 总分 the engine cannot check
    (a 得分 of "满分") shows nothing, nor does its 等级 — its formula judges as the check does (it summed 88.2 without
    the "满分", 等级：良), also once --overwrite-derived has given the 执行率得分 above it its formula back:
    LibreOffice, recalculating the output, shows every stored result."""
    _, lo = books
    out = tmp_path / "out.xlsx"
    fill(str(lo), str(out), overwrite_derived=overwrite)
    stored = formula_cells(out)
    # 附件2's parts as typed add up to 100.62, past full marks: no grade (as the check gives none), "等级：" alone
    assert stored[("附件2", "I25")] == "等级：" and stored[("附件3-1", "I24")] == "等级：优"
    assert stored[("附件3-2", "H24")] in (None, "")
    assert stored[("附件3-2", "I24")] == "等级："
    [again] = convert([out], tmp_path / "lo", "xlsx")
    recalculated = formula_cells(again)
    assert stored.keys() == recalculated.keys()
    assert {k: (v, recalculated[k]) for k, v in stored.items() if not same(v, recalculated[k])} == {}


@needs_lo
def test_fill_of_its_own_output_after_marks_changes_nothing_and_keeps_every_result(books, tmp_path):
    """fill --mark, then a plain fill of that output (which takes the marks off): every formula keeps its result
    (no S002 on the tool's own output), and a fill of that changes nothing at all."""
    _, lo = books
    marked, plain, again = tmp_path / "m.xlsx", tmp_path / "p.xlsx", tmp_path / "a.xlsx"
    fill(str(lo), str(marked), mark=True)
    fill(str(marked), str(plain))
    assert without_results(plain) == {}
    assert [f.message for f in check_path(str(plain)).all_findings() if f.code == "S002"] == []
    result = fill(str(plain), str(again))
    assert result.changes == [] and result.stored == []
    assert formula_cells(again) == formula_cells(plain)
    assert formula_cells(plain)[("附件3-2", "I24")] == "等级："  # no grade over a 得分 of "满分"


def test_the_summary_describes_the_output_written(books, tmp_path, capsys):
    """A workbook saved without formula results: fill stores them, says how many, and reports the output's own
    findings (those check gives on it), not the input's S002 warnings."""
    saved, _ = books
    before = without_results(saved)
    assert sum(map(len, before.values())) == 33
    out = tmp_path / "out.xlsx"
    assert main(["fill", str(saved), "-o", str(out)]) == 1
    printed = capsys.readouterr().out
    assert without_results(out) == {}
    report = check_path(str(out))
    assert f"已填写 0 个、更正 0 个单元格，为 33 个没有保存结果的公式保存了计算结果；{report.count('error')} 个错误、" \
           f"{report.count('warning')} 个警告" in printed
    # 附件3-1 D6 off its parts: 执行率 无法复核, no E102; 附件2 H18 12 of 10 is one error (I103), not I101 too
    assert (report.count("error"), report.count("warning")) == (8, 3)
    assert "S002" not in printed and "请在 Excel 或 WPS 中打开并保存" not in printed
    results = [row[0] for row in openpyxl.load_workbook(out)["校验结果"].iter_rows(values_only=True)]
    assert "S002" not in results


def test_corrections_show_rates_as_the_user_sees_them(books, tmp_path, capsys):
    saved, _ = books
    assert main(["fill", str(saved), "-o", str(tmp_path / "o.xlsx"), "--overwrite-derived"]) in (0, 1)
    printed = capsys.readouterr().out
    assert "  更正 [附件2] G5：86.19% → 86.18%（公式 =IF(" in printed
    # right at the precision their cells show (check says nothing of them): their formulas given back, not "corrected"
    assert "  恢复公式 [附件1] E23：89.3% → 89.28%（公式 =IF(" in printed  # 0.893 in a 0.0% cell
    assert "  恢复公式 [附件3-2] G6：86% → 86.20%（公式 =IF(" in printed  # 0.86 in a 0% cell
    assert "  恢复公式 [附件3-2] H6：8.6 → 8.62（公式 =IF(" in printed  # 10 × 86.2 % = 8.62, 8.6 at one decimal
    assert "已填写 0 个、更正 3 个、恢复公式 5 个单元格" in printed
    assert "  恢复公式 [附件1] E19：93.45% → 93.45%（公式 =IF(" in printed  # right, its formula given back
    assert "  更正 [附件1] D6：17.32 → 17.23（公式 =IF(" in printed


@needs_lo
def test_template_from_lists_every_replaced_value_that_differs_as_typed(books, tmp_path, capsys):
    """--from: a typed 86.19% that the check calls wrong (E101) is listed, rates as percentages; a rate or score
    right at the precision it shows (93.45%, 89.3%, 86%, 8.6) is not."""
    _, lo = books
    assert main(["template", "--from", str(lo), "-o", str(tmp_path / "t.xlsx")]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines.pop(0) == ("  评分口径：与校验原表时相同，按湖南口径（依据：模板“填表说明”中的评分口径）；写在模板“填表说明”中，"
                            "校验、填写模板时沿用")  # a template's own, not its labels'
    assert lines == [
        "  [附件1] “三公”经费 2024年决算数 (D6)：原表填 17.32，模板中改为公式，按表内数据为 17.23",
        "  [附件2] 年度资金总额 执行率 (G5)：原表填 86.19%，模板中改为公式，按表内数据为 86.18%",
        "  [附件3-1] 年度资金总额 全年预算数 (D6)：原表填 302，模板中改为公式，按表内数据为 320",
        "  [附件3-1] 年度资金总额 执行率 (G6)：原表填 104.80%，模板中改为公式，按表内数据为 98.91%",
        "  [附件3-1] 年度资金总额 得分 (H6)：原表填 10，模板中改为公式，按表内数据为 9.89",
        # the typed 总分 follows that 执行率得分 in the template: 99 becomes 98.89, and is said so
        "  [附件3-1] 总分 得分 (H24)：原表填 99，模板中改为公式，按表内数据为 98.89",
    ]  # 附件3-2's 8.6 for 8.62 is right at the one decimal typed (spec §5), as E104 judges it: not listed
    assert "E101" in {f.code for f in check_path(str(lo)).all_findings() if f.cell == "G5"}
