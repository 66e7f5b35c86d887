"""A blank template of every profile (``template --profile P``), filled with full marks as an accountant would
(得分 = 分值 on each indicator row, 全年执行数 = 全年预算数) and recalculated by LibreOffice, adds up: its own
分值合计 and 总分 formulas show 100, and its check finds no error or warning.  (宁夏's 一级 make 100 with the
执行率 inside 项目管理: its blank form also gave the funds block 10, 110 in all, W102.)"""

from __future__ import annotations

import os

import openpyxl
import pytest

from jixiao_xl.cli import main
from jixiao_xl.compute.profiles import profiles
from jixiao_xl.rules.check import check_path

from .libreoffice import convert, profile_dir, soffice

if soffice() is None:
    if os.environ.get("CI"):
        raise RuntimeError("LibreOffice is required in CI (.ci/run installs it)")
    pytest.skip("LibreOffice is not installed", allow_module_level=True)

NAMES = sorted(profiles())
# profiles whose sources do not give a whole form's 分值 (the blank template states none, or only part of them)
INCOMPLETE: dict[str, str] = {}


def _plain(value):
    return value.replace("\n", "") if isinstance(value, str) else value


def fill_full_marks(path, out) -> None:
    """得分 = 分值 on every indicator row with a 分值; 100 for 年初预算数/全年预算数/全年执行数 of the funds (on its
    first source row where the total is a SUM of them).  A form whose rows have no 分值 (湖北, 保山: the unit sets
    them) gets what the unit types: a 三级指标 and a 分值 on each row, together 100 less the 执行率's."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        if not sheet.title.startswith(("附件2", "附件3")):
            continue
        _set_weights(sheet)
        rows = list(sheet.iter_rows())
        funds = indicators = None
        for k, row in enumerate(rows):
            values = [_plain(c.value) for c in row]
            if funds is None and "全年预算数" in values:
                funds = {v: i for i, v in enumerate(values) if isinstance(v, str)}
            elif "三级指标" in values:
                indicators = {v: i for i, v in enumerate(values) if isinstance(v, str)}
            elif values[1] == "年度资金总额":
                typed = rows[k + 1] if isinstance(row[funds["全年预算数"]].value, str) else row  # a SUM: its part
                for label in ("年初预算数", "全年预算数", "全年执行数"):
                    typed[funds[label]].value = 100
            elif indicators and values[0] != "总分" and isinstance(values[indicators["分值"]], (int, float)):
                row[indicators["得分"]].value = values[indicators["分值"]]
    book.save(out)


def _set_weights(sheet) -> None:
    """The 三级指标 and 分值 a unit types on a blank form whose rows state no 分值 (integers, the first rows one
    more where they do not divide evenly)."""
    rows = [[_plain(c.value) for c in row] for row in sheet.iter_rows()]
    head = next(k for k, values in enumerate(rows) if "三级指标" in values)
    columns = {v: i for i, v in enumerate(rows[head]) if isinstance(v, str)}
    funds = next(values for values in rows if "分值" in values)
    exec_weight = next(values for values in rows if values[1] == "年度资金总额")[funds.index("分值")]
    body = [k for k in range(head + 1, next(k for k in range(head, len(rows)) if rows[k][0] == "总分"))]
    if any(isinstance(rows[k][columns["分值"]], (int, float)) for k in body):
        return
    left = 100 - (exec_weight if isinstance(exec_weight, (int, float)) else 0)
    for i, k in enumerate(body):
        weight = left // len(body) + (1 if i < left % len(body) else 0)
        sheet.cell(k + 1, columns["三级指标"] + 1).value = f"指标{i + 1}"
        sheet.cell(k + 1, columns["分值"] + 1).value = weight


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """profile name → its blank template filled with full marks, as LibreOffice recalculated it."""
    folder = tmp_path_factory.mktemp("profiles")
    filled = []
    for name in NAMES:
        blank = folder / f"{name}_blank.xlsx"
        assert main(["template", "--profile", name, "-o", str(blank)]) == 0
        filled.append(folder / f"{name}.xlsx")
        fill_full_marks(blank, filled[-1])
    done = convert(filled, folder / "lo", profile=profile_dir(folder / "lo-profile"))
    return dict(zip(NAMES, done))


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=INCOMPLETE[n], strict=True))
                                  if n in INCOMPLETE else n for n in NAMES])
def test_a_blank_template_filled_with_full_marks_adds_up(recalculated, capsys, name):
    path = recalculated[name]
    shown = openpyxl.load_workbook(path, data_only=True)
    report = check_path(str(path))
    assert report.profile["name"] == name
    for sheet in ("附件2", "附件3"):
        total = next(r for r in shown[sheet].iter_rows() if r[0].value == "总分")
        assert (total[6].value, total[7].value) == (100, 100), sheet  # what the user sees: G 分值合计, H 总分
        (form,) = [f for f in report.forms if f.form.sheet == sheet]
        assert (form.results.weight_total, form.results.total_score, form.results.grade) == (100, 100, "优"), sheet
    assert [f.message for f in report.all_findings() if f.severity in ("error", "warning")] == []


def test_ningxias_form_counts_its_execution_rate_once(tmp_path):
    """银川 2021 (https://m.yzwku.com/doc/476505.html) scores the 执行率 as 项目管理 → 投入管理 → 预算执行率 (分值 10,
    得分 9) and its funds block has no 分值: the total is the rows' 10 + 24 + 29 + 21 = 84 (满意度 cut off), not 94
    with another 10 for the block (and 分值合计 the rows' 90, not 100)."""
    from .published import table, workbook

    name = "ningxia_yinchuan_2021_project"
    assert table(name)["rows"][13][2:7] == ["预算执行率", 10, "—", "100%", 9]
    report = check_path(str(workbook(name, tmp_path)))
    (form,) = report.forms
    assert report.profile["name"] == "ningxia"
    assert (form.results.exec_rate, form.results.weight_total, form.results.total_score) == (1, 90, 84)
    (w104,) = [f for f in report.all_findings() if f.code == "W104"]
    assert (w104.expected, w104.found) == (84, 98)


def test_henans_blank_template_leaves_the_undescribed_weights_to_the_unit(tmp_path):
    """豫财效〔2024〕1号 (http://izhc.cn/info/1088/17792.htm, provinces.md [19]) gives 成本10/产出30/效益25/满意度5 and the
    执行率 10: 80, "具体分值以系统内导出指标为准"; no published 河南 form says where the other 20 go.  The blank template
    used to print those 70 on its rows (a full-marks form: 分值合计 80, W102); it leaves every 分值 to the unit and
    says why, and a form scored otherwise is told the sourced weights as an info, not a warning (W105)."""
    out = tmp_path / "henan.xlsx"
    assert main(["template", "--profile", "henan", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    texts = [c.value for row in book["填表说明"].iter_rows() for c in row if isinstance(c.value, str)]
    (said,) = [t for t in texts if t.startswith("河南（省级）：执行率 10 分")]
    assert said.endswith("成本指标 10 分，产出指标 30 分，效益指标 25 分，满意度指标 5 分；以上合计 80 分，其余 20 分如何分配，"
                         "口径的来源没有说明（以预算管理一体化系统导出的指标为准），模板中各指标的分值空着，请按系统导出的指标填写"
                         "（合计应为 100 分），一级指标小计、分值合计和总分随之计算"), said
    sheet = book["附件2"]
    head = next(r[0].row for r in sheet.iter_rows() if r[3].value == "三级指标")
    total = next(r[0].row for r in sheet.iter_rows() if r[0].value == "总分")
    assert [sheet.cell(r, 2).value.split('"')[1] for r in range(head + 1, total)] == ["成本指标", "产出指标", "效益指标",
                                                                                        "满意度指标"]
    assert [sheet.cell(r, 7).value for r in range(head + 1, total)] == [None] * 4  # no 分值 made up
