"""jixiao-xl report draft: a report written from the tables, which report check then finds consistent."""

from __future__ import annotations

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX

from jixiao_xl.cli import main
from jixiao_xl.narrative.checker import check_report
from .samples import seed_sheets, write_xlsx

from .helpers import set_cells
from .test_seed import EXAMPLE

WORKBOOK = str(EXAMPLE)


def _draft(tmp_path, workbook=WORKBOOK, name="初稿.docx"):
    out = tmp_path / name
    assert main(["report", "draft", str(workbook), "-o", str(out)]) == 0
    return out


def _texts(path):
    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_draft_of_the_example_has_no_contradiction(tmp_path, capsys):
    out = _draft(tmp_path)
    assert "已生成报告初稿" in capsys.readouterr().out
    report = check_report(str(out), [WORKBOOK])
    # the draft is unfinished: each 【请填写：…】 it leaves is a warning (T106), and nothing else is
    left = [f for f in report.findings if f.code == "T106"]
    assert report.status == "warnings" and len(left) == 15 and all(f.severity == "warning" for f in left)
    assert "【请填写：" in left[0].message
    # every generated figure is matched to its cell; only the indicator's 分值/得分 have no report-level row
    others = [f for f in report.findings if f.code != "T106"]
    assert [f.code for f in others] == ["T302"]
    assert "另有 2 处" in others[0].message and "“分值10分”" in others[0].message


def test_draft_sentences_carry_the_tables_numbers(tmp_path):
    texts = _texts(_draft(tmp_path))
    assert texts[0] == "2023年度汨罗市司法局部门整体支出绩效自评报告"
    for expected in (
        "编制数81人，实际在职人数81人，财政供养人员控制率100%。",
        "2023年度基本支出1322.23万元，其中：",
        "项目支出440.32万元，占全年预算数的24.98%。【请填写：项目支出的主要用途】",
        "部门整体支出年初预算数1238.36万元，全年预算数1762.55万元，全年执行数1762.55万元，执行率100%，执行率得分10分。",
        "“三公”经费预算数17万元，“三公”经费决算数12.88万元，“三公”经费控制率为75.76%。",
        "公用经费预算数268.49万元，公用经费决算数340.27万元，公用经费控制率为126.73%。【请填写：公用经费超出预算的原因】",
        "“预算控制内”（经济成本指标）实际完成值与年度指标值一致，分值10分，得9分。偏差原因分析及改进措施：进一步厉行节约。",
        "部门整体支出绩效自评得分99分，等级为“优”。",
        "项目自评得分100分，等级为“优”。",
    ):
        assert expected in texts, expected
    assert texts.index("七、存在的主要问题") < texts.index("十、其他需要说明的情况")
    assert "人员经费981.96万元，占基本支出的74.27%，主要包括【请填写：人员经费的主要构成】。" in texts


def test_placeholders_and_only_placeholders_are_highlighted(tmp_path):
    document = docx.Document(str(_draft(tmp_path)))
    runs = [r for p in document.paragraphs for r in p.runs]
    marked = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert len(marked) == 15 and all(t.startswith("【请填写：") and t.endswith("】") for t in marked)
    assert all(not r.text.startswith("【") for r in runs if r.font.highlight_color is None)


def test_draft_of_another_workbook_is_consistent_too(tmp_path):
    """Low project execution, an indicator below its weight without a reason, no 政府采购 row filled."""
    book = tmp_path / "表.xlsx"
    edits = {"附件3!E6": 63.08, "附件3!E7": 63.08, "附件3!G6": 0.76, "附件3!H6": 7.6, "附件3!H24": 97.6,
             "附件1!C29": None, "附件1!D29": None}
    write_xlsx(book, set_cells(seed_sheets(), edits))
    out = _draft(tmp_path, book)
    texts = _texts(out)
    assert "项目年初预算数83万元，全年预算数83万元，全年执行数63.08万元，执行率76%，执行率得分7.6分。" in texts
    assert "项目自评得分97.6分，等级为“优”。" in texts
    assert not any("政府采购" in t for t in texts)
    report = check_report(str(out), [str(book)])
    assert [f.code for f in report.findings if f.severity != "info" and f.code != "T106"] == []


def test_check_still_bites_on_an_edited_draft(tmp_path):
    out = _draft(tmp_path)
    document = docx.Document(str(out))
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("“三公”经费决算数12.88万元", "“三公”经费决算数17万元")
    document.save(str(out))
    report = check_report(str(out), [WORKBOOK])
    (amount,) = [f for f in report.findings if f.code == "T201"]
    assert (amount.expected, amount.found) == (12.88, 17.0) and "(D6)" in amount.message
    assert amount.cell == "第21段" and report.status == "errors"


@pytest.mark.parametrize("args, message", [
    (["-o", "x.txt"], "输出文件应为 Word 文档（.docx）"),
    (["-o", "x.docx", "--bad"], None),
])
def test_draft_usage_errors(tmp_path, capsys, args, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["report", "draft", WORKBOOK] + args) if message else None
    if message:
        assert code == 2 and message in capsys.readouterr().err
    else:
        with pytest.raises(SystemExit) as exc:
            main(["report", "draft", WORKBOOK] + args)
        assert exc.value.code == 2 and "参数错误" in capsys.readouterr().err


def test_draft_from_unreadable_workbook(tmp_path, capsys):
    bad = tmp_path / "表.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert main(["report", "draft", str(bad), "-o", str(tmp_path / "a.docx")]) == 2
    err = capsys.readouterr().err
    assert "文件已损坏或不完整" in err and "Traceback" not in err
    assert not (tmp_path / "a.docx").exists()


def test_draft_does_not_repeat_the_workbooks_errors_as_facts(tmp_path, capsys):
    """Issue 24: a 总分 of 103.8 (recomputed 99) and a “三公”经费 that does not add up are not copied: each is
    【待核实：…】 with the check's reason and value, the command says how many, and report check flags them."""
    book = tmp_path / "表.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), {"附件1!B7": 9, "附件2!H25": 103.8, "附件1!D6": 20}))
    out = _draft(tmp_path, book)
    printed = capsys.readouterr().out
    assert "有错误的数字未照抄：2 处写作【待核实：…】" in printed
    texts = _texts(out)
    assert not any("103.8分，等级" in t or "决算数20万元" in t for t in texts)
    (score,) = [t for t in texts if "部门整体支出绩效自评得分" in t]
    assert score.startswith("【待核实：部门整体支出绩效自评得分和等级，表中有误：") and score.endswith("之和 99，现填 103.8（附件2 H25）】")
    (sangong,) = [t for t in texts if "“三公”经费" in t and "待核实" in t]
    assert "= 12.88，现填 20" in sangong and "（附件1 D6）】" in sangong
    assert "项目自评得分100分，等级为“优”。" in texts  # 附件3 has no error: stated as it is
    report = check_report(str(out), [str(book)])
    left = [f.message for f in report.findings if f.code == "T106"]
    assert len(left) == 15 + 2 and sum("【待核实：" in m for m in left) == 2
    assert [f.code for f in report.findings if f.severity == "error"] == []  # the reasons' figures are not statements


def test_draft_of_a_clean_workbook_has_nothing_to_verify(tmp_path, capsys):
    out = _draft(tmp_path)
    assert "待核实" not in capsys.readouterr().out
    assert not any("待核实" in t for t in _texts(out))


def _many_errors(path):
    """The example with every indicator's 得分 above its 分值, the 全年执行数 at 90% under the stated 执行率 and
    得分, and each amount of 附件1 one more than typed: some 40 errors."""
    import openpyxl

    book = openpyxl.load_workbook(EXAMPLE)
    for name in ("附件2", "附件3"):
        for row in book[name].iter_rows(min_row=4):
            weight, score = row[6], row[7]
            if row[1].value == "年度资金总额" or (name == "附件3" and row[1].value == "其中：当年财政拨款"):
                row[4].value = round(row[3].value * 0.9, 2)  # 附件3's source too: its total adds up (else F103)
            elif isinstance(weight.value, (int, float)) and isinstance(score.value, (int, float)) and row[3].value:
                score.value = weight.value + 3
    for row in book["附件1"].iter_rows(min_row=6, max_row=30):
        for cell in row[1:5]:
            if isinstance(cell.value, (int, float)) and cell.value:
                cell.value += 1
    book.save(path)
    return path


def test_a_sentence_with_several_wrong_figures_is_one_placeholder(tmp_path, capsys):
    """Issue 24: 全年执行数, 执行率 and its 得分 wrong in one sentence: the sentence is not stated, nor cut into
    pieces: it is one 【待核实：…】 naming its figures, with each reason once (and the cell to change)."""
    book = tmp_path / "表.xlsx"
    # (全年执行数 with its source: a total unlike its parts leaves the rate 无法复核, F103 its one reason)
    write_xlsx(book, set_cells(seed_sheets(), {"附件3!C6": 80, "附件3!E6": 74.7, "附件3!E7": 74.7, "附件3!H21": -1}))
    out = _draft(tmp_path, book)
    document = docx.Document(str(out))
    lines = [p for p in document.paragraphs if "项目的" in p.text or "执行数" in p.text]
    (project,) = [p for p in lines if p.text.startswith("【待核实：项目的")]
    text = project.text
    assert text.count("【") == 1 and text.endswith("】")
    assert text.startswith("【待核实：项目的年初预算数、全年预算数、全年执行数、执行率和执行率得分，表中有误：")
    # each reason once (the 执行率 and its 得分 both rest on 全年执行数); what does not fit in a placeholder that
    # report check reads as one (200 characters) is counted, not cut
    assert "现填 80（附件3 C6）；执行率应为 全年执行数 ÷ 全年预算数 = 74.7 ÷ 83 = 90.00%，现填 100.00%（附件3 G6）" in text
    assert text.count("（附件3 G6）") == 1 and text.endswith("；另有 1 处（运行 jixiao-xl check 可看全部）】")
    assert len(text) <= 202
    assert [r.font.highlight_color for r in project.runs] == [WD_COLOR_INDEX.YELLOW]  # one run, all of it marked
    assert not any("全年执行数74.7万元" in p.text or "执行率90%" in p.text for p in document.paragraphs)
    # the indicator scored -1 of 10: its sentence is one placeholder, then the reason as typed
    (indicator,) = [p.text for p in document.paragraphs if "的指标值、完成值、分值和得分" in p.text]
    assert indicator.startswith("【待核实：“") and "（附件3 H21）】偏差原因分析及改进措施：" in indicator
    assert indicator.count("【待核实") == 1
    # the project's sentence in the department's report and in its own, the indicator, the 总分 (-1 counted)
    assert "有错误的数字未照抄：4 处" in capsys.readouterr().out


def test_draft_of_a_workbook_with_forty_errors(tmp_path, capsys):
    """Bad input from issue 24: a workbook with some 40 errors still gets a draft; each doubtful sentence is one
    placeholder, the command counts them, the workbook is not changed and report check finds no contradiction."""
    from jixiao_xl.rules.check import check_path

    book = _many_errors(tmp_path / "表.xlsx")
    errors = check_path(str(book)).count("error")
    # every 得分 over its 分值 (once: I101, or I103 where the rule scores the row), each 执行率 and its 得分, 附件1's sums
    # (a 总分 typed as full marks while its parts add up past them is not told to exceed them: no W104 there)
    assert errors >= 33
    before = book.read_bytes()
    out = _draft(tmp_path, book)
    printed = capsys.readouterr().out
    texts = _texts(out)
    verify = [t for t in texts if "【待核实：" in t]
    assert f"有错误的数字未照抄：{len(verify)} 处" in printed and len(verify) >= 6
    assert all(t.count("【待核实：") == 1 and t.startswith("【待核实：") for t in verify)
    assert "各项绩效指标均已完成，得分与分值一致。" not in texts  # every 得分 is above its 分值
    assert sum("的分值和得分，表中有误" in t for t in verify) == 2  # 附件2 and 附件3: one for their indicators
    assert "15 处需要单位填写的内容" in printed
    assert book.read_bytes() == before
    report = check_report(str(out), [str(book)])
    assert [f.code for f in report.findings if f.severity == "error"] == []
    assert sum(f.code == "T106" for f in report.findings) == 15 + len(verify)


def _jiangxi_book(path):
    """A 江西 unit (南昌) on the national layout (产出50 含成本, 效益30, 满意度10): 执行率 85% scores 7 by 江西's bands."""
    from .helpers import clean_seed, set_cells
    from .samples import write_xlsx

    specs = clean_seed()
    rows = specs[1].rows
    cost = rows[21:24]
    del rows[21:24]
    for i, row in enumerate(cost):
        row[1], row[2] = None, "成本指标" if i == 0 else None
        rows.insert(16 + i, row)
    set_cells(specs, {"附件2!A2": "2023年度部门整体支出绩效自评表", "附件2!B3": "南昌市青山湖区司法局",
                      "附件2!B14": "产出指标\n(50分)", "附件2!E5": 1498.17, "附件2!G5": 0.85, "附件2!H5": 7,
                      "附件2!H25": 96, "drop:附件1": True, "drop:附件3": True})
    specs[0].merges = [m for m in specs[0].merges if not m.startswith(("B1", "B2"))] + ["B14:B19", "B20:B23"]
    write_xlsx(path, specs)
    return path


def test_draft_and_check_judge_by_the_province_the_workbook_is_of(tmp_path, capsys):
    # check chose 江西 (南昌) and found 执行率得分 7 right; report draft judged it by 湖南's 10 × 85% = 8.5 and
    # wrote "【待核实：…应为 8.5，现填 7】" instead of the sentence; --profile took only hunan / national
    from jixiao_xl.cli import main

    book = _jiangxi_book(tmp_path / "江西.xlsx")
    out = tmp_path / "初稿.docx"
    assert main(["report", "draft", str(book), "-o", str(out)]) == 0
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "执行率85%，执行率得分7分" in text and "应为 8.5" not in text
    report = tmp_path / "报告.docx"
    document = docx.Document()
    for line in ("2023年度南昌市青山湖区司法局部门整体支出绩效自评报告",
                 "部门整体支出全年预算数1762.55万元，全年执行数1498.17万元，预算执行率85%，执行率得分7分。"):
        document.add_paragraph(line)
    document.save(report)
    capsys.readouterr()
    assert main(["report", "check", str(report), str(book)]) == 0
    assert "没有发现问题" in capsys.readouterr().out
    assert main(["report", "check", str(report), str(book), "--profile", "jiangxi"]) == 0
    assert main(["report", "check", str(report), str(book), "--profile", "火星"]) == 2
    assert "火星" in capsys.readouterr().err


def _results_line(book, sheet):
    """The 结果 line ``jixiao-xl check`` prints for a sheet."""
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.rules.report import _results_line as line

    (form,) = [f for f in check_path(str(book)).forms if f.form.sheet == sheet]
    return line(form)


def test_draft_states_the_checks_results_not_the_typed_ones(tmp_path, capsys):
    """Trial F: a 总分 of 101 counting a 得分 above its 分值 (the check: 99), a 总分 over a 得分 typed "满分" (the
    check: 无法复核) and a 执行率得分 typed 9.9 for 9.94 were copied as they were typed."""
    book = tmp_path / "表.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), {
        "附件2!H21": 12, "附件2!H25": 101,
        "附件3!E6": 82.5, "附件3!E7": 82.5, "附件3!G6": 0.994, "附件3!H6": 9.9, "附件3!H14": "满分", "附件3!H24": 89.9}))
    assert "总分 99（优）" in _results_line(book, "附件2")
    assert "执行率得分 9.94" in _results_line(book, "附件3") and "总分 无法复核" in _results_line(book, "附件3")
    out = _draft(tmp_path, book)
    texts = _texts(out)
    assert not any("101分" in t or "89.9分" in t or "9.9分" in t for t in texts)
    # a typed 总分 the check reviews otherwise: both, as a placeholder to settle, never stated as the table's
    assert "【待核实：部门整体支出绩效自评得分和等级，表中有误：总分按校验复核为 99（优），表中为 101（附件2 H25）】" in texts
    # one it cannot review: no number at all, and why
    assert "【待核实：项目自评得分和等级，总分无法复核：得分 “满分”（H14） 不是数字（附件3 H24）】" in texts
    # the 执行率得分 of the 结果 line (9.9 is right at the decimal it shows: no placeholder)
    assert "项目年初预算数83万元，全年预算数83万元，全年执行数82.5万元，执行率99.4%，执行率得分9.94分。" in texts
    report = check_report(str(out), [str(book)])
    assert [f.code for f in report.findings if f.severity == "error"] == []


def test_draft_of_a_workbook_saved_without_formula_results(tmp_path):
    """Trial F: a workbook saved by a program (formulas without results): the 执行率得分 counted as 0 and the
    总分 as 90; the check's 结果 line, and now the draft, work the formulas out as Excel shows them (100)."""
    import openpyxl

    book = tmp_path / "表.xlsx"
    write_xlsx(book, seed_sheets())
    sheets = openpyxl.load_workbook(book)
    project = sheets["附件3"]
    project["E6"] = '=IF(COUNT(E7,E8,E9)=0,"",SUM(E7,E8,E9))'
    project["G6"] = '=IF(AND(ISNUMBER(D6),N(D6)>0),N(E6)/D6,"")'
    project["H6"] = '=IF(AND(ISNUMBER(D6),N(D6)>0),ROUND(IF(ISNUMBER(F6),F6,10)*MIN(N(E6)/D6,1),2),0)'
    project["H24"] = "=SUM(H6,H13:H23)"
    sheets.save(book)
    assert "执行率得分 10，分值合计 100，总分 100（优）" in _results_line(book, "附件3")
    texts = _texts(_draft(tmp_path, book))
    assert "项目年初预算数83万元，全年预算数83万元，全年执行数83万元，执行率100%，执行率得分10分。" in texts
    assert "项目自评得分100分，等级为“优”。" in texts


def test_draft_joins_names_and_reasons_without_doubling(tmp_path):
    """Trial F: "校舍维修改造项目项目支出绩效评价报告" (a name ending in 项目) and "…开工。。" (a reason typed with its
    full stop, or left open with a comma)."""
    book = tmp_path / "表.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), {"附件3!B3": "校舍维修改造项目", "附件2!I22": "进一步厉行节约。",
                                               "附件3!H21": 9, "附件3!H24": 99, "附件3!I21": "压减会议费，"}))
    out = _draft(tmp_path, book)
    texts = _texts(out)
    assert "2023年度校舍维修改造项目支出绩效评价报告" in texts
    assert "“预算控制内”（经济成本指标）实际完成值与年度指标值一致，分值10分，得9分。" \
           "偏差原因分析及改进措施：进一步厉行节约。" in texts
    assert any(t.endswith("偏差原因分析及改进措施：压减会议费。") for t in texts)
    assert not any("项目项目" in t or "。。" in t or "，。" in t for t in texts)
    report = check_report(str(out), [str(book)])  # the project report is still matched with its 附件3 by its title
    assert [f.code for f in report.findings if f.severity != "info" and f.code != "T106"] == []


def test_draft_says_budget_figures_are_budget_figures(tmp_path):
    """Trial F: "一般公共预算支出4980.6万元，支出总额5230.6万元" were 附件2's 按收入性质分 / 按支出性质分 lines, which are
    on the full-year budget basis (rules §6); the unit spent 4507.8.  Said as 全年预算数 beside the 全年执行数, and
    项目支出's share taken of the 全年预算数 it is part of (not of the spending, nor of 执行数 when a sum is blank)."""
    book = tmp_path / "表.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), {"附件2!E5": 1500, "附件2!G5": 0.851, "附件2!H5": 8.51,
                                               "附件2!H25": 97.51}))
    out = _draft(tmp_path, book)
    texts = _texts(out)
    assert "2023年度部门全年预算数1762.55万元（其中一般公共预算1762.55万元），全年执行数1500万元。" in texts
    assert "项目支出440.32万元，占全年预算数的24.98%。【请填写：项目支出的主要用途】" in texts
    assert not any("一般公共预算支出" in t or "支出总额" in t for t in texts if not t.startswith("二、"))
    report = check_report(str(out), [str(book)])
    assert [f.code for f in report.findings if f.severity != "info" and f.code != "T106"] == []


def test_a_total_right_at_the_decimal_it_shows_is_no_placeholder(tmp_path, capsys):
    """Trial G: 执行率得分 8.6 for 10 × 86.2 % = 8.62 and a 总分 of 98.6 for 98.62 are right at the one decimal they
    show — check and 汇总 say 一致 — yet the draft wrote 【待核实：…总分按校验复核为 98.22（优），表中为 98.2】."""
    book = tmp_path / "表.xlsx"
    write_xlsx(book, set_cells(seed_sheets(), {
        "附件3!E6": 71.546, "附件3!E7": 71.546, "附件3!G6": 0.862, "附件3!H6": 8.6, "附件3!H24": 98.6}))
    line = _results_line(book, "附件3")
    assert "执行率得分 8.62" in line and "总分 98.62（优）" in line, line
    texts = _texts(_draft(tmp_path, book))
    assert not any("待核实" in t and "98.6" in t for t in texts), [t for t in texts if "待核实" in t]
    assert any("项目自评得分98.62分" in t for t in texts)


# ------------------------------------------------------------------ drafts of published tables (tests/data/published)


def _published_draft(tmp_path, name):
    from . import published as P

    out = _draft(tmp_path, str(P.workbook(name, tmp_path)), name=f"{name}.docx")
    return _texts(out)


def test_draft_says_nothing_of_a_fund_or_of_indicators_the_table_does_not_hold(tmp_path):
    """绥阳县太白镇 2021 (tests/data/published, suiyang.gov.cn): no 按收入性质分 lines and cut off at the indicators'
    header.  The draft said "我单位无政府性基金预算收支。" and "各项绩效指标均已完成，得分与分值一致。" — neither read."""
    texts = _published_draft(tmp_path, "guizhou_suiyang_taibai_2021_department")
    assert not any("无政府性基金" in t or "均已完成" in t for t in texts)
    assert "【请填写：政府性基金预算支出情况（表中未填写政府性基金拨款；没有则写“无”）】" in texts
    assert "【请填写：绩效指标完成情况（表中未读出绩效指标）】" in texts


def test_draft_no_fund_when_the_other_income_lines_make_the_total(tmp_path):
    """零陵区林业局 2021 (admin.yzcity.gov.cn): 一般公共预算 1873.66 + 其他资金 2880 = 4753.66, 政府性基金 blank:
    there is none.  Its 基本支出 1768.16 is of all funds (其他资金 2880 among them), not 财政拨款's."""
    texts = _published_draft(tmp_path, "hunan_yongzhou_lingling_linyej_2021_department")
    assert "2021年度我单位无政府性基金预算收支。" in texts
    assert "2021年度基本支出1768.16万元，其中：" in texts and not any("财政拨款基本支出" in t for t in texts)
    assert "“木材销售收入”（经济效益指标）年度指标值为“1100万元”，实际完成值为“1093万元”，分值6分，得5分。" \
           "偏差原因分析及改进措施：【请填写：偏差原因分析及改进措施】" in texts
    assert "未得满分的绩效指标：" in texts and "未完成的绩效指标：" not in texts


def test_draft_of_a_table_cut_before_its_indicators(tmp_path):
    """衡山县贯塘乡 2023 (hengshan.gov.cn): the page ends before the indicators; its 政府性基金 118.82 is stated."""
    texts = _published_draft(tmp_path, "hunan_hengshan_guantang_2023_department")
    assert "【请填写：绩效指标完成情况（表中未读出绩效指标）】" in texts
    assert "2023年度全年预算数中政府性基金拨款118.82万元。【请填写：主要用途】" in texts


def test_report_check_does_not_vouch_for_a_total_out_of_70(tmp_path):
    """金寨县茶谷和美丽乡村建设服务中心 2023 (ahjinzhai.gov.cn): 执行率分值 10 and indicators' 分值 60 — 70 in all
    (check: W102).  A report stating the 总分 the sheet adds up to (70) agrees with it; its 等级 cannot be vouched
    for (70 out of 70 is no grade on the 100-point scale): an info saying why, never agreement or an error."""
    from . import published as P

    book = P.workbook("anhui_jinzhai_2023_department", tmp_path)
    doc = docx.Document()
    doc.add_paragraph("金寨县茶谷和美丽乡村建设服务中心2023年度部门整体支出绩效自评报告")
    doc.add_paragraph("经自评，本单位部门整体支出绩效自评得分70分，等级为“中”。")
    doc.save(tmp_path / "报告.docx")
    report = check_report(str(tmp_path / "报告.docx"), [str(book)])
    assert not [f for f in report.findings if f.severity in ("error", "warning")]
    unmatched = [f.message for f in report.findings if f.code == "T301"]
    assert len(unmatched) == 1 and "等级 “中”，表中对应的等级无法复核：分值合计 70 ≠ 100，未核对" in unmatched[0], unmatched
