"""--exec-mode without --profile: each workbook's own 评分口径 (as detected), its 执行率 scored the way asked.

check, fill and batch dropped ``--exec-mode proportional`` without a word when no --profile was given (batch
cleared it: "each workbook's own profile"), and ``--exec-mode jiangxi`` replaced the workbook's profile by 江西's
while saying “按 --profile 指定”.  Now the option is applied to the profile of each workbook and the 结果 line,
the 校验结果 sheet, 汇总 and batch's closing line say how the 执行率得分 was computed."""

from __future__ import annotations

import openpyxl

from jixiao_xl.cli import main

from .published import workbook
from .samples import seed_sheets, write_xlsx

# 天长市水利局 2022 (tests/data/published, its source in the file) as a 江西 unit would submit it (南昌: 江西's
# profile, 执行率 scored by bands), 880 budgeted and 792 spent: 90.00 %, the 80–100 % band (70 % of 10 = 7), 9 in
# proportion
TIANCHANG = "anhui_tianchang_2022_project"
JIANGXI_EDITS = {(4, 6): "南昌市水利局", (6, 6): 792, (7, 6): 792}
PROPORTIONAL = "（--exec-mode proportional：分值 × 执行率（不超过分值））"
JIANGXI = "（--exec-mode jiangxi：按江西（执行率分档计分）的分档计分）"


def _jiangxi_form(folder):
    return workbook(TIANCHANG, folder, JIANGXI_EDITS)


def _seed(folder):
    """The seed (汨罗市司法局 2023, 湖南: in proportion) with 1586.295 of 1762.55 spent on 附件2: 90.00 %."""
    sheets = seed_sheets()
    (dept,) = [s for s in sheets if s.name == "附件2"]
    assert dept.rows[4][1:8] == ["年度资金总额", 1238.36, 1762.55, 1762.55, 10, 1.0, 10]
    dept.rows[4][4] = 1586.295
    path = folder / "seed.xlsx"
    write_xlsx(path, sheets)
    return path


def _results(capsys, *args) -> list[str]:
    main(["check", *args, "--no-info"])
    return [line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("结果：执行率")]


def test_check_scores_each_workbooks_execution_rate_as_asked(tmp_path, capsys):
    form = str(_jiangxi_form(tmp_path))
    assert _results(capsys, form) == ["结果：执行率 90.00%，执行率得分 7，分值合计 100，总分 97（优）"]
    assert _results(capsys, form, "--exec-mode", "proportional") == [
        f"结果：执行率 90.00%，执行率得分 9{PROPORTIONAL}，分值合计 100，总分 99（优）"]
    seed = str(_seed(tmp_path))
    assert _results(capsys, seed)[0] == "结果：执行率 90.00%，执行率得分 9，分值合计 100，总分 98（优）"
    # jiangxi's bands on the seed's own profile (湖南: its 一级 weights, its rules), not 江西's profile instead
    assert _results(capsys, seed, "--exec-mode", "jiangxi")[0] == (
        f"结果：执行率 90.00%，执行率得分 7{JIANGXI}，分值合计 100，总分 96（优）")
    main(["check", seed, "--exec-mode", "jiangxi", "--json"])
    assert '"name": "hunan"' in capsys.readouterr().out


def test_fill_scores_as_asked_and_says_so(tmp_path, capsys):
    out = tmp_path / "filled.xlsx"
    assert main(["fill", str(_jiangxi_form(tmp_path)), "-o", str(out), "--exec-mode", "proportional"]) == 1
    printed = capsys.readouterr().out
    assert "执行率得分应为 分值 × 执行率 = 10 × 90.00% = 9，现填 10" in printed, printed
    lines = [row[0].value for row in openpyxl.load_workbook(out)["校验结果"].iter_rows()]
    assert f"[项目支出绩效自评表] 执行率 90.00%，执行率得分 9{PROPORTIONAL}，总分 99（优）" in lines, lines


def _batch(tmp_path, capsys, name, *args):
    folder = tmp_path / "in"
    if not folder.exists():
        folder.mkdir()
        _jiangxi_form(folder)
    out = tmp_path / name
    main(["batch", str(folder), "-o", str(out), "--jobs", "1", *args])
    printed = capsys.readouterr().out
    sheet = openpyxl.load_workbook(out / "汇总.xlsx")["汇总"]
    rows = list(sheet.iter_rows())
    head = [c.value for c in rows[0]]
    return printed, head, rows[1][5].value, rows[1][7].value, rows[0][5].comment, sheet.oddHeader.center.text


def test_batch_scores_as_asked_and_its_summary_says_so(tmp_path, capsys):
    printed, head, score, total, comment, page = _batch(tmp_path, capsys, "own")
    assert (head[5], score, total, comment) == ("执行率得分", 7, 97, None)
    assert "--exec-mode" not in printed + page
    printed, head, score, total, comment, page = _batch(tmp_path, capsys, "asked", "--exec-mode", "proportional")
    note = "执行率得分按 --exec-mode proportional 计算（分值 × 执行率（不超过分值））"
    assert (head[5], score, total, comment.text) == ("执行率得分*", 9, 99, note)
    assert f"；{note}" in printed and f"（*{note}）" in page
