"""The template workbook: layout, formulas, protection, committed copies, round trip."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.write import template as T
from jixiao_xl.rules.check import check_path
from jixiao_xl.cli import main
from jixiao_xl.compute.profiles import get_profile
from jixiao_xl.read.reader import read_workbook
from jixiao_xl.write.template import DERIVED_FILL, INPUT_FILL
from jixiao_xl.write.writer import write_template

from .test_seed import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "workbook_templates"
BLANK = TEMPLATES / "绩效自评模板.xlsx"
SEED_TEMPLATE = TEMPLATES / "examples" / "miluo_sifaju_2023_template.xlsx"


def make(tmp_path, *args) -> Path:
    out = tmp_path / "t.xlsx"
    assert main(["template", "-o", str(out), *args]) == 0
    return out


def test_sheets_titles_and_year(tmp_path, capsys):
    path = make(tmp_path, "--year", "2025", "--unit", "某某县财政局", "--projects", "3")
    book = openpyxl.load_workbook(path, data_only=True)
    assert book.sheetnames == ["填表说明", "附件1", "附件2", "附件3-1", "附件3-2", "附件3-3", "校验结果"]
    assert book["附件1"]["A2"].value == "2025年度部门整体支出绩效评价基础数据表"
    assert book["附件2"]["A2"].value == "2025年度部门整体支出绩效自评表"
    assert book["附件3-2"]["A2"].value == "2025年度项目支出绩效自评表"
    assert book["附件2"]["B3"].value == "某某县财政局"
    assert book["附件1"]["B5"].value == "2024年决算数"
    formulas = openpyxl.load_workbook(path)
    assert formulas["附件2"]["A2"].value == '=填表说明!$C$4&"年度部门整体支出绩效自评表"'
    assert formulas["附件3-1"]["B4"].value == "=填表说明!$C$5"


def test_blank_template_reads_as_three_forms_without_errors(tmp_path, capsys):
    report = check_path(str(make(tmp_path, "--projects", "2")))
    assert [f.kind for f in report.forms] == ["basic_data", "dept_self_eval", "project_self_eval",
                                              "project_self_eval"]
    assert report.status == "warnings"
    assert {f.code for f in report.all_findings()} <= {"E103", "I106"}
    dept = report.forms[1].results
    assert dept.weight_total == 100.0  # the profile's default 分值 add up


def test_national_profile_weights(tmp_path, capsys):
    path = make(tmp_path, "--profile", "national")
    book = openpyxl.load_workbook(path, data_only=True)
    headers = [c.value for c in book["附件2"]["B"] if isinstance(c.value, str) and "分)" in c.value]
    assert headers == ["产出指标\n(50分)", "效益指标\n(30分)", "满意度指标\n(10分)"]


def test_derived_cells_are_locked_formulas_and_inputs_are_open(tmp_path, capsys):
    book = openpyxl.load_workbook(make(tmp_path))
    ws = book["附件2"]
    assert ws["G5"].value.startswith("=IF(AND(ISNUMBER(D5),N(D5)>0)")  # 执行率
    assert ws["H5"].value.startswith("=IF(AND(ISNUMBER(D5),N(D5)>0),ROUND(")  # 执行率得分
    for address in ("G5", "H5", "D6", "H6"):
        assert ws[address].protection.locked and ws[address].fill.fgColor.rgb.endswith(DERIVED_FILL)
    for address in ("C5", "D5", "E5", "F5", "D7", "H7", "G14", "H14"):
        assert not ws[address].protection.locked and ws[address].fill.fgColor.rgb.endswith(INPUT_FILL)
    assert ws.protection.sheet and not ws.protection.insertRows and ws.protection.password is None
    assert ws["B14"].value == '="产出指标"&CHAR(10)&"("&SUM(G14:G16)&"分)"'
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert ws.cell(total, 7).value.endswith(f"+SUM(G14:G{total - 1})")
    assert ws.cell(total, 9).value.startswith(f'="等级："&IF(AND(ISNUMBER(H{total}),ROUND(N(G{total}),2)=100,ROUND(N(H{total}),2)<=100),IF(ROUND(')
    basic = book["附件1"]
    assert basic["B6"].value == '=IF(COUNT(B7,B10,B11)=0,"",SUM(B7,B10,B11))'  # 三公 = 车 + 出国 + 接待
    assert basic["B7"].value == '=IF(COUNT(B8,B9)=0,"",SUM(B8,B9))'
    assert basic["B15"].value == '=IF(COUNT(B16:B18)=0,"",SUM(B16:B18))'  # 县级专项 = Σ 专项 rows


def test_validation_print_setup_and_panes(tmp_path, capsys):
    book = openpyxl.load_workbook(make(tmp_path))
    ws = book["附件2"]
    rules = {(dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert ("decimal", "0") in rules
    assert ("custom", "AND(ISNUMBER(H14),H14>=0,H14<=N(G14))") in rules
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$13:$13"
    assert ws.freeze_panes == "A4"
    assert book["附件1"].page_setup.orientation == "portrait"


def test_validations_prompt_what_to_type_and_info_shows_the_profile_label(tmp_path, capsys):
    path = make(tmp_path, "--profile", "hubei")
    book = openpyxl.load_workbook(path)
    for name in ("附件1", "附件2", "附件3"):
        validations = book[name].data_validations.dataValidation
        assert validations
        for dv in validations:
            assert dv.showInputMessage and dv.promptTitle and dv.prompt, (name, dv.sqref)
            assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255  # Excel's limits
    prompts = {dv.promptTitle: dv.prompt for dv in book["附件2"].data_validations.dataValidation}
    assert "不小于0的数字" in prompts["填写数字"] and "分值" in prompts["填写得分"]
    info = book["填表说明"]
    assert info["B6"].value == "评分口径" and info["C6"].value == "湖北"
    assert "hubei" not in str(info["C6"].value)
    # check, fill and the add-in (check_grids) take the profile from it
    from jixiao_xl.rules.check import check_path

    assert check_path(str(path)).profile == {"name": "hubei", "label": "湖北", "known": True, "candidates": ["hubei"],
                                             "reason": "按湖北口径（依据：模板“填表说明”中的评分口径）"}


def test_text_from_submission_never_becomes_a_formula(tmp_path, capsys):
    from .samples import seed_sheets, write_xlsx

    from .helpers import set_cells

    source = tmp_path / "src.xlsx"
    write_xlsx(source, set_cells(seed_sheets(), {"附件2!I22": '=HYPERLINK("http://x","点击")'}))
    out = make(tmp_path, "--from", str(source))
    cell = openpyxl.load_workbook(out)["附件2"]["I22"]
    assert cell.value == '=HYPERLINK("http://x","点击")' and cell.data_type == "s"


def _signature(report):
    findings = sorted((f.code, f.severity, f.expected, f.found) for f in report.all_findings() if f.code != "D001")
    return findings, [(f.kind, f.results.to_dict()) for f in report.forms]


def test_round_trip_from_seed_keeps_inputs_and_gives_every_derived_cell_its_formula(tmp_path, capsys):
    """--from: what was typed is carried; the two wrong 2022 sums become formulas, and the command says so."""
    original = check_path(str(EXAMPLE))
    rebuilt = check_path(str(make(tmp_path, "--from", str(EXAMPLE))))
    out = capsys.readouterr().out
    assert out.splitlines()[1:] == [
        ("  评分口径：与校验原表时相同，按湖南口径（依据：地名“汨罗”，表上文字“经费控制情况”，表上文字“成本指标(20分)”）；"
         "写在模板“填表说明”中，校验、填写模板时沿用"),
        "  [附件1] 公务用车购置和维护经费 2022年决算数 (B7)：原表填 17，模板中改为公式，按表内数据为 9"]
    # B110/B111 were mistakes in derived cells: formulas now; every other finding and every result stays
    assert _signature(rebuilt)[0] == [f for f in _signature(original)[0] if f[0] not in ("B110", "B111")]
    assert _signature(rebuilt)[1] == _signature(original)[1]
    assert not [f for f in rebuilt.all_findings() if f.severity == "error"]
    assert not [f for f in rebuilt.all_findings() if f.code == "D001"]
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book["附件1"]["B7"].value.startswith("=") and book["附件1"]["B6"].value.startswith("=")
    basic = openpyxl.load_workbook(tmp_path / "t.xlsx", data_only=True)["附件1"]
    assert [basic[f"{c}12"].value for c in "BCD"] == [332, 83, 440.32]
    assert (basic["B7"].value, basic["B6"].value) == (9, 17)


def test_from_carries_every_typed_value_including_text(tmp_path, capsys):
    """Each input cell of the example (numbers, "无", texts) is in the template, as typed."""
    from jixiao_xl.compute.derive import form_cells, input_cells

    profile = get_profile()
    source, built = read_workbook(str(EXAMPLE)), read_workbook(str(make(tmp_path, "--from", str(EXAMPLE))))
    missing = []
    for old, new in zip(source.forms, built.forms):
        found = {c.where: c for c in form_cells(new)}
        for cell in input_cells(old, profile):
            if cell.raw is None or cell.where.startswith("一级指标"):  # 一级指标 headers are our formulas
                continue
            copy = found.get(cell.where)
            same = copy is not None and (copy.raw == cell.raw or (copy.number is not None
                                                                    and copy.number == cell.number))
            if not same:
                missing.append((old.sheet, cell.address, cell.where, cell.raw, copy and copy.raw))
    assert missing == []
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert [book["附件2"][a].value for a in ("E23", "F23", "E24", "F24")] == ["无"] * 4
    assert [book["附件3"][a].value for a in ("E22", "E23")] == ["无"] * 2


def test_from_with_another_year_is_refused(tmp_path, capsys):
    assert main(["template", "--from", str(EXAMPLE), "--year", "2024", "-o", str(tmp_path / "t.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "--year 2024 与" in err and "年度（2023）不同" in err and "2022 年决算数、2023 年预算数和决算数会被标成 2023、2024 年" in err
    assert not (tmp_path / "t.xlsx").exists()
    assert main(["template", "--from", str(EXAMPLE), "--year", "2023", "-o", str(tmp_path / "t.xlsx")]) == 0


def test_committed_templates_match_generator(tmp_path):
    profile = get_profile()
    fresh_blank = tmp_path / "blank.xlsx"
    write_template(T.build(T.data_from(None, 2024, "", profile)), fresh_blank)
    fresh_seed = tmp_path / "seed.xlsx"
    write_template(T.build(T.data_from(read_workbook(str(EXAMPLE)), None, None, profile)), fresh_seed)
    for committed, fresh in ((BLANK, fresh_blank), (SEED_TEMPLATE, fresh_seed)):
        a, b = openpyxl.load_workbook(committed), openpyxl.load_workbook(fresh)
        assert a.sheetnames == b.sheetnames, committed.name
        for name in a.sheetnames:
            cells_a = [[c.value for c in r] for r in a[name].iter_rows()]
            cells_b = [[c.value for c in r] for r in b[name].iter_rows()]
            assert cells_a == cells_b, f"{committed.name}/{name} differs: run `python workbook_templates/build.py`"
            assert sorted(map(str, a[name].merged_cells.ranges)) == sorted(map(str, b[name].merged_cells.ranges))
            heights_a = {r: d.height for r, d in a[name].row_dimensions.items() if d.height}
            heights_b = {r: d.height for r, d in b[name].row_dimensions.items() if d.height}
            assert heights_a == heights_b, f"{committed.name}/{name} row heights differ: run the build"


def test_blank_template_rows_of_long_text_are_tall_and_wrap():
    """年度总体目标 shows 4 lines and every 三级指标 row 2 (long names, 偏差原因), blank as they are."""
    book = openpyxl.load_workbook(BLANK)
    for name in ("附件2", "附件3"):
        ws = book[name]
        goal = next(r for r in range(1, ws.max_row + 1) if "总体目标" in str(ws.cell(r, 1).value or "")) + 1
        assert ws.row_dimensions[goal].height >= T.GOAL_LINES * 15
        assert ws.cell(goal, 2).alignment.wrap_text
        head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "一级指标")
        total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
        for r in range(head + 1, total):
            assert ws.row_dimensions[r].height >= T.INDICATOR_LINES * 15, (name, r)
            assert all(ws.cell(r, c).alignment.wrap_text for c in range(3, ws.max_column + 1)), (name, r)


def test_output_same_as_source_is_refused(tmp_path, capsys):
    code = main(["template", "--from", str(EXAMPLE), "-o", str(EXAMPLE)])
    assert code == 2 and "不能和 --from 的文件相同" in capsys.readouterr().err


@pytest.mark.parametrize("projects", ["0", "-1"])
def test_projects_must_be_positive(tmp_path, capsys, projects):
    with pytest.raises(SystemExit) as exc:
        main(["template", "-o", str(tmp_path / "x.xlsx"), "--projects", projects])
    assert exc.value.code == 2 and "参数 --projects：至少为 1" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_from_keeps_a_different_authority_as_typed(tmp_path, capsys):
    """附件3 主管部门 is the unit's formula unless the submission typed another name: then it is kept."""
    from .test_inputs import edited_copy

    source = edited_copy(EXAMPLE, tmp_path / "s.xlsx", {("附件3", "B4"): "汨罗市财政局"})
    book = openpyxl.load_workbook(make(tmp_path, "--from", str(source)))
    assert book["附件3"]["B4"].value == "汨罗市财政局" and book["附件2"]["B3"].value.startswith("=")
    plain = openpyxl.load_workbook(make(tmp_path, "--from", str(EXAMPLE)))
    assert plain["附件3"]["B4"].value == "=填表说明!$C$5"
