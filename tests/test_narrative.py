"""jixiao-xl report check: real .docx reports built from the seed's text, checked against the example workbook."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao_xl.cli import main
from jixiao_xl.narrative import extract as X
from jixiao_xl.narrative.checker import check_report
from jixiao_xl.narrative.rules import RULES

from . import report_docs as D



def _codes(report, severities=("error", "warning")):
    return sorted(f.code for f in report.findings if f.severity in severities)


def _at(report, code):
    return [f for f in report.findings if f.code == code]


@pytest.fixture(scope="module")
def lines():
    return D.seed_report_lines()


def _check(tmp_path, lines, name="报告.docx", workbooks=(D.WORKBOOK,)):
    return check_report(str(D.build(tmp_path / name, lines)), list(workbooks))


# ------------------------------------------------------------------ the faithful report


def test_faithful_report_has_no_contradiction(tmp_path, lines):
    report = _check(tmp_path, lines)
    assert report.status == "clean" and _codes(report) == []
    # what could not be matched is said, not guessed: the 共涉及资金 figures have no table row
    unchecked = _at(report, "T302")
    assert len(unchecked) == 1 and "共涉及资金440.32万元" in unchecked[0].message


def test_faithful_report_without_workbook_checks_internal_arithmetic_only(tmp_path, lines):
    report = _check(tmp_path, lines, workbooks=())
    assert _codes(report) == []
    assert [f.code for f in report.findings] == ["T303", "T301"]  # the file-level note first
    # 总支出 is named nowhere in the report, so 24.98% cannot be computed without the tables
    assert "找不到“总支出”的金额" in _at(report, "T301")[0].message
    assert _at(report, "T303")[0].message == "[报告] 全文：没有提供工作簿；只核对了报告内部的加总、占比和前后一致，未与表核对"


# ------------------------------------------------------------------ injected contradictions


def test_changed_amount_found_at_its_paragraph(tmp_path, lines):
    changed = D.edit(lines, "公用经费340.27万元", "公用经费350.27万元")
    report = _check(tmp_path, changed)
    para = D.paragraph_of(changed, "公用经费350.27万元")
    (amount,) = _at(report, "T201")
    assert amount.cell == f"第{para}段" and (amount.expected, amount.found) == (340.27, 350.27)
    assert "公用经费350.27万元" in amount.message and "[附件1] 公用经费 2023年决算数 (D25) 为 340.27 万元" in amount.message
    # the same change breaks the sum announced one paragraph up and the share beside it
    (total,) = _at(report, "T101")
    assert total.cell == f"第{para - 2}段" and (total.expected, total.found) == (1322.23, 1332.23)
    assert "981.96 + 350.27 = 1332.23 万元，相差 10 万元" in total.message
    (share,) = _at(report, "T102")
    assert share.cell == f"第{para}段" and share.found == 0.2573 and share.expected == pytest.approx(0.264909, abs=1e-6)
    assert _codes(report) == ["T101", "T102", "T201"]


def test_share_that_no_longer_matches(tmp_path, lines):
    changed = D.edit(lines, "占基本支出的74.27%", "占基本支出的72.27%")
    report = _check(tmp_path, changed)
    (share,) = _at(report, "T102")
    assert share.cell == f"第{D.paragraph_of(changed, '72.27%')}段"
    assert "人员经费 981.96万元 ÷ 基本支出" in share.message and "= 74.27%，报告写 72.27%" in share.message
    assert _codes(report) == ["T102"]


def test_share_at_the_precision_written_is_accepted(tmp_path, lines):
    rounded = D.edit(D.edit(lines, "占基本支出的74.27%", "占基本支出的74.3%"), "占总支出的24.98%", "占总支出的25%")
    assert _codes(_check(tmp_path, rounded)) == []
    off = D.edit(lines, "占总支出的24.98%", "占总支出的24%")
    (share,) = _at(_check(tmp_path, off), "T102")
    # the whole comes from the table (the report never states 总支出) and the message says so
    assert share.message.endswith("项目支出 440.32万元 ÷ 总支出（表中 [附件2] 按支出性质分 (E6) 1762.55 万元） = 24.98%，报告写 24%")


def test_wrong_grade(tmp_path, lines):
    changed = D.insert_after(lines, "2023年我局绩效目标全面完成", "部门整体支出绩效自评得分99分，等级为良。")
    report = _check(tmp_path, changed)
    para = f"第{D.paragraph_of(changed, '等级为良')}段"
    (inner,) = _at(report, "T105")
    assert inner.cell == para and (inner.expected, inner.found) == ("优", "良")
    (table,) = _at(report, "T203")
    assert table.cell == para and (table.expected, table.found) == ("优", "良")
    assert "[附件2] 总分 (H25) 99 分对应的等级" in table.message


def test_wrong_score_with_its_grade(tmp_path, lines):
    changed = D.insert_after(lines, "2023年我局绩效目标全面完成", "部门整体支出绩效自评得分95分，自评等级为“优”。")
    report = _check(tmp_path, changed)
    (score,) = _at(report, "T203")
    assert (score.expected, score.found) == (99.0, 95.0) and "[附件2] 总分 (H25) 为 99 分" in score.message
    assert _codes(report) == ["T203"]


def test_figures_from_the_year_before(tmp_path, lines):
    """Last year's 公用经费 (262.33, 附件1 B25) pasted in, the total and shares recomputed to fit."""
    old = D.edit(lines, "公用经费340.27万元，占基本支出的25.73%", "公用经费262.33万元，占基本支出的21.08%")
    old = D.edit(old, "基本支出1322.23万元", "基本支出1244.29万元")
    old = D.edit(old, "占基本支出的74.27%", "占基本支出的78.92%")
    report = _check(tmp_path, old)
    assert _codes(report) == ["T201", "T201"]  # internally consistent, contradicted by the tables
    public, basic = sorted(_at(report, "T201"), key=lambda f: f.found)
    assert public.cell == f"第{D.paragraph_of(old, '262.33')}段" and (public.expected, public.found) == (340.27, 262.33)
    assert "与上年 [附件1] 公用经费 2022年决算数 (B25) 262.33 万元相同，疑为沿用上年数字" in public.message
    assert basic.cell == f"第{D.paragraph_of(old, '1244.29')}段" and basic.expected == 1322.23


def test_report_of_another_year(tmp_path, lines):
    old = D.edit(lines, "2023年度汨罗市司法局部门整体支出绩效", "2022年度汨罗市司法局部门整体支出绩效")
    report = _check(tmp_path, old)
    (year,) = _at(report, "T204")
    assert year.cell == "第1段" and (year.expected, year.found) == (2023, 2022)
    assert _codes(report) == ["T204"]
    assert "报告是 2022 年度，工作簿是 2023 年度" in _at(report, "T303")[0].message


def test_control_rate_claims(tmp_path, lines):
    changed = D.edit(lines, "三公经费控制率在100%以下", "三公经费控制率为75.76%，公用经费控制率在100%以下")
    report = _check(tmp_path, changed)
    (rate,) = _at(report, "T202")  # 三公 75.76% is right; 公用经费 340.27 ÷ 268.49 = 126.73% is not ≤ 100%
    assert rate.cell == f"第{D.paragraph_of(changed, '公用经费控制率在100%以下')}段"
    assert "不超过 100%" in rate.message and "决算数 340.27 (D25) ÷ 预算数 268.49 (C25) = 126.73%" in rate.message


def test_counts_not_adding_up(tmp_path, lines):
    changed = D.edit(lines, "民事案件73件", "民事案件63件")
    report = _check(tmp_path, changed)
    (count,) = _at(report, "T104")
    assert count.cell == f"第{D.paragraph_of(changed, '民事案件63件')}段" and (count.expected, count.found) == (308, 298)


def test_repeated_figure_written_differently(tmp_path, lines):
    changed = D.insert_after(lines, "三公经费控制率在100%以下", "全年项目支出430.32万元。")
    report = _check(tmp_path, changed, workbooks=())
    (repeat,) = _at(report, "T103")
    assert repeat.cell == f"第{D.paragraph_of(changed, '430.32')}段" and (repeat.expected, repeat.found) == (440.32,
                                                                                                             430.32)


# ------------------------------------------------------------------ every rule's examples


def _rule_case_workbooks(code):
    return () if code == "T303" else (D.WORKBOOK,)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_bad_example_is_reported(tmp_path, rule):
    if rule.code == "T301":  # needs a table whose 政府采购金额 is blank
        from .samples import seed_sheets, write_xlsx

        from .helpers import set_cells

        book = tmp_path / "book.xlsx"
        write_xlsx(book, set_cells(seed_sheets(), {"附件1!D29": None}))
        workbooks = (str(book),)
    else:
        workbooks = _rule_case_workbooks(rule.code)
    report = check_report(str(D.build(tmp_path / "bad.docx", [rule.bad])), list(workbooks))
    found = _at(report, rule.code)
    assert found, [f.message for f in report.findings]
    assert all(f.severity == rule.severity and f.message.startswith("[报告] ") for f in found)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_good_example_passes(tmp_path, rule):
    report = check_report(str(D.build(tmp_path / "good.docx", [rule.good])), [D.WORKBOOK])
    assert not _at(report, rule.code), [f.message for f in report.findings]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule, capsys):
    assert rule.code[0] == "T" and len(rule.code) == 4
    assert main(["explain", rule.code]) == 0
    out = capsys.readouterr().out
    assert rule.summary in out and "错误示例" in out and "依据" in out


# ------------------------------------------------------------------ bad input


def test_legacy_formats_that_cannot_be_converted_are_asked_to_be_saved_as_docx(tmp_path, capsys, monkeypatch):
    """A broken .doc/.wps: LibreOffice cannot convert it; without LibreOffice: how to convert it by hand.
    (Real .doc files converted by LibreOffice: tests/test_report_formats.py.)"""
    from jixiao_xl.narrative import office

    doc = tmp_path / "报告.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    wps = tmp_path / "报告.wps"
    wps.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    monkeypatch.setattr(office, "soffice", lambda: None)
    assert check_report(str(doc)).error == ("这是Word 97-2003 文档（.doc），需要 LibreOffice 才能自动转换，但本机未安装；"
                                            "请用 Word 或 WPS 打开后“另存为” Word 文档（.docx）再校验，"
                                            "或安装 LibreOffice（https://zh-cn.libreoffice.org）后重试")
    assert "WPS 文字文档（.wps）" in check_report(str(wps)).error
    assert main(["report", "check", str(wps)]) == 2
    captured = capsys.readouterr()
    assert "另存为" in captured.err and "Traceback" not in captured.err + captured.out
    monkeypatch.undo()
    if office.soffice() is not None:
        assert check_report(str(wps)).error == ("这是WPS 文字文档（.wps），LibreOffice 无法转换（文档可能已加密或已损坏）；"
                                                "请用 Word 或 WPS 打开后“另存为” Word 文档（.docx）再校验")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告.doc", "报告.wps"]  # nothing written beside them


@pytest.mark.parametrize("maker, expected", [
    ("encrypted", "文档已加密（设置了打开密码），请取消密码后再提交"),
    ("truncated", "文档已损坏"),
    ("image_only", "文档只有图片（3 张），没有可读的文字（可能是扫描件）；请提交可编辑的 Word 文档"),
    ("huge", "远超自评报告的篇幅"),
    ("workbook", "这是 Excel 工作簿，不是报告"),
    ("text", "不是 Word 文档（.docx）"),
    ("entity_bomb", "疑似 XML 炸弹，已拒绝读取"),
])
def test_bad_documents_get_one_chinese_line(tmp_path, lines, capsys, maker, expected):
    path = tmp_path / "报告.docx"
    if maker == "encrypted":
        D.encrypted(path, D.build(tmp_path / "plain.docx", lines))
    elif maker == "truncated":
        path.write_bytes(D.build(tmp_path / "whole.docx", lines).read_bytes()[:3000])
    elif maker == "image_only":
        D.image_only(path)
    elif maker == "huge":
        D.huge(path, pages=1000)
    elif maker == "entity_bomb":
        D.entity_bomb(path)
    elif maker == "workbook":
        path.write_bytes(open(D.WORKBOOK, "rb").read())
    else:
        path.write_text("2023年度部门整体支出绩效自评报告", encoding="utf-8")
    started = time.perf_counter()
    code = main(["report", "check", str(path), D.WORKBOOK])
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert code == 2 and elapsed < 5
    assert expected in captured.err and len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err + captured.out and "Error" not in captured.err


def test_unreadable_workbook_leaves_internal_checks(tmp_path, lines, capsys):
    broken = tmp_path / "表.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    changed = D.edit(lines, "占基本支出的74.27%", "占基本支出的72.27%")
    path = D.build(tmp_path / "报告.docx", changed)
    # the library still checks the report's own arithmetic and says why the tables were not used
    report = check_report(str(path), [str(broken)])
    assert [f.code for f in report.findings if f.severity != "info"] == ["T102"]
    assert any(f.code == "T303" and f"工作簿 {broken} 无法读取" in f.message for f in report.findings)
    # the command line stops, as check does: one line naming the workbook and why, exit 2
    assert main(["report", "check", str(path), str(broken)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip() == f"jixiao-xl：{broken}：文件已损坏（压缩包不完整），请重新保存后再提交"


def test_cli_text_output(tmp_path, lines, capsys):
    path = D.build(tmp_path / "报告.docx", lines)
    assert main(["report", "check", str(path), D.WORKBOOK, "--no-info"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{path}（对照：{D.WORKBOOK}）", "  没有发现错误或警告", "", "共 1 份报告：0 个错误，0 个警告，1 个提示"]


def test_cli_json_contract(tmp_path, lines, capsys):
    import json

    path = D.build(tmp_path / "报告.docx", D.edit(lines, "公用经费340.27万元", "公用经费350.27万元"))
    assert main(["report", "check", str(path), D.WORKBOOK, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (entry,) = data["files"]
    assert data["version"] == 2 and entry["status"] == "errors" and entry["forms"] == []
    amount = next(f for f in entry["findings"] if f["code"] == "T201")
    assert amount == {**amount, "severity": "error", "sheet": "报告", "expected": 340.27, "found": 350.27}


# ------------------------------------------------------------------ number extraction (properties)

LABELS = st.sampled_from(["基本支出", "人员经费", "项目支出", "全年共开展活动", "涉及资金", "占基本支出的"])


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=2),
       st.sampled_from(["元", "万元", "亿元"]), LABELS)
@settings(max_examples=200, deadline=None)
def test_amount_read_back(cents, decimals, unit, label):
    number = f"{cents / 10 ** decimals:.{decimals}f}"
    text = f"2023年度{label}{number}{unit}，"
    (q,) = X.quantities(text)
    scale = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}[unit]
    assert q.kind == "amount" and q.value == pytest.approx(float(number) * scale)
    assert q.decimals == decimals and q.text == number + unit and text[q.start:q.end] == q.text
    assert q.label == f"2023年度{label}"


@given(st.integers(min_value=0, max_value=100_00), st.sampled_from(["%", "％"]), st.booleans())
@settings(max_examples=200, deadline=None)
def test_percent_read_back(hundredths, sign, bound):
    number = f"{hundredths / 100:.2f}"
    text = X.normalise(f"三公经费控制率{'在' if bound else '为'}{number}{sign}{'以下' if bound else ''}。")
    (q,) = X.quantities(text)
    assert q.kind == "percent" and q.value == pytest.approx(hundredths / 10000)
    assert q.bound == ("le" if bound else None) and q.half_unit == pytest.approx(0.00005)


@given(st.integers(min_value=1990, max_value=2099), st.integers(min_value=1, max_value=12),
       st.integers(min_value=1, max_value=28))
@settings(max_examples=100, deadline=None)
def test_years_dates_and_document_numbers_are_not_quantities(year, month, day):
    text = f"{year}年{month}月{day}日，汨法办〔{year}〕{day} 号文件，第{month}次会议，“{month}.{day}”宣传日。"
    assert X.quantities(text) == []
    assert (year, 0) in X.years(text)


@given(st.text(alphabet="0123456789.,，。、%％元万亿件人次年月日其中占的约余多第 基本支出", max_size=80))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_spans_that_hold_the_number(text):
    text = X.normalise(text)
    previous_end = 0
    for q in X.quantities(text):
        assert previous_end <= q.start < q.end and text[q.start:q.end] == q.text
        assert q.value >= 0 and q.kind in ("amount", "percent", "count", "score")
        previous_end = q.end


def test_thousands_separators_and_approximations():
    (a, b, c) = X.quantities("支出1,322.23万元，约2万元，发放资料12万余份")
    assert (a.value, a.approx) == (1322.23, False)
    assert (b.value, b.approx) == (2.0, True)
    assert (c.kind, c.value, c.approx) == ("count", 120000.0, True)


# ------------------------------------------------------------------ batch


def test_batch_checks_a_report_beside_its_workbook(tmp_path, lines):
    import shutil

    import openpyxl

    from jixiao_xl import batch

    inbox = tmp_path / "收件"
    (inbox / "司法局").mkdir(parents=True)
    (inbox / "两个单位").mkdir()
    shutil.copy(D.WORKBOOK, inbox / "司法局" / "2023绩效自评.xlsx")
    changed = D.edit(lines, "公用经费340.27万元", "公用经费350.27万元")
    D.build(inbox / "司法局" / "自评报告.docx", changed)
    shutil.copy(D.WORKBOOK, inbox / "两个单位" / "甲.xlsx")
    shutil.copy(D.WORKBOOK, inbox / "两个单位" / "乙.xlsx")
    D.build(inbox / "两个单位" / "报告.docx", lines)
    result = batch.run([str(inbox)], str(tmp_path / "out"), jobs=1)
    assert result.exit_code == 1 and result.unsupported == []

    entry = next(r for r in result.results if r["rel"] == "司法局/自评报告.docx")
    assert entry["report"]["status"] == "errors"
    assert entry["rows"] == [["司法局/自评报告.docx", "汨罗市司法局", "自评报告（对照 2023绩效自评.xlsx）", "", None, None,
                              None, None, None, None, None, "", 3, 0, "有错误"]]
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    details = [[c.value for c in row] for row in book["问题明细"].iter_rows(min_row=2)]
    amount = next(r for r in details if r[0] == "司法局/自评报告.docx" and r[4] == "T201")
    para = D.paragraph_of(changed, "公用经费350.27万元")
    assert amount[1:4] == ["汨罗市司法局", "报告", f"第{para}段"] and "(D25) 为 340.27 万元" in amount[6]
    summary = [[c.value for c in row] for row in book["汇总"].iter_rows(min_row=2)]
    assert ["司法局/自评报告.docx", "汨罗市司法局", "自评报告（对照 2023绩效自评.xlsx）"] in [r[:3] for r in summary]

    # two workbooks, neither named by the report: internal arithmetic only, and the reason is given
    ambiguous = next(r for r in result.results if r["rel"] == "两个单位/报告.docx")
    notes = [f["message"] for f in ambiguous["report"]["findings"] if f["code"] == "T303"]
    assert notes == ["[报告] 全文：同一文件夹中有 2 个工作簿，从报告的文件名和标题看不出是哪个单位的；"
                     "只核对了报告内部的加总、占比和前后一致，未与表核对"]


def test_pairing_rule(tmp_path):
    from jixiao_xl.narrative.inbox import pair

    def result(name, unit):
        path = str(tmp_path / "县" / name)
        return {"path": path, "report": {"status": "clean"},
                "rows": [[name, "", "[附件1] 部门整体支出绩效评价基础数据表"],
                         [name, unit, "[附件2] 部门整体支出绩效自评表"]]}

    results = [result("a.xlsx", "某县司法局"), result("b.xlsx", "某县财政局"), result("../c.xlsx", "某县教育局")]
    report = tmp_path / "县" / "报告.docx"
    assert pair(report, results, "2023年度某县财政局部门整体支出绩效自评报告")[0] == [results[1]]
    assert pair(tmp_path / "县" / "b.docx", results)[0] == [results[1]]  # by the workbook's file name
    assert pair(report, results, "2023年度部门整体支出绩效自评报告") == (
        [], "同一文件夹中有 2 个工作簿，从报告的文件名和标题看不出是哪个单位的")
    assert pair(tmp_path / "别处" / "报告.docx", results) == ([], "同一文件夹中没有可读的工作簿")


def test_project_report_figures_are_matched_with_its_annex3(tmp_path, lines):
    sentence = "项目全年预算数83万元，全年执行数83万元，执行率100%，项目自评得分95分，等级为“优”。"
    changed = D.insert_after(lines, "弥补监管对象伙食", sentence)  # in the 收治中心项目支出绩效评价报告
    report = _check(tmp_path, changed)
    (score,) = _at(report, "T203")
    assert score.cell == f"第{D.paragraph_of(changed, sentence)}段"
    assert "[附件3] 总分 (H24) 为 100 分" in score.message and (score.expected, score.found) == (100.0, 95.0)
    assert _codes(report) == ["T203"]  # 83 万元 and 100% are the 附件3's, not the 附件2's 1762.55


def test_project_report_without_its_annex3_is_not_guessed(tmp_path, lines):
    renamed = D.edit(lines, "收治中心项目支出绩效评价报告", "禁毒宣传项目支出绩效评价报告")
    changed = D.insert_after(renamed, "弥补监管对象伙食", "项目全年预算数50万元，执行率100%。")
    report = _check(tmp_path, changed)
    assert _codes(report) == []
    unmatched = [f for f in _at(report, "T301") if f.cell == f"第{D.paragraph_of(changed, '项目全年预算数50')}段"]
    assert len(unmatched) == 2 and "工作簿中找不到名称相符的附件3（工作簿中的项目：“司法专项（人民调解" in unmatched[0].message


@pytest.mark.parametrize("sentence, code", [
    ("公用经费比上年增加77.94万元。", None),  # a change, not the table's 340.27
    ("基本支出预算1200万元。", "T301"),  # 附件2 has no 基本支出 budget: said, not compared with 1322.23
    ("项目支出执行率95%。", "T301"),  # which project?
    ("罗江镇罗江村被评定为中国模范人民调解委员会。", None),  # 中 is not a grade here
    ("2021年公用经费200万元。", "T301"),  # a year the workbook does not hold
    ("公用经费上年决算数262.33万元。", None),  # 附件1 B25
    ("公用经费上年决算数300万元。", "T201"),
])
def test_what_is_and_is_not_a_table_statement(tmp_path, sentence, code):
    report = check_report(str(D.build(tmp_path / "r.docx", ["2023年度汨罗市司法局部门整体支出绩效自评报告", sentence])),
                          [D.WORKBOOK])
    found = [f.code for f in report.findings if f.cell == "第2段" and f.code != "T302"]
    assert found == ([code] if code else []), [f.message for f in report.findings]


# another way of writing the same 2023 figures, as other counties' reports do
OTHER_STYLE = [
    "2023年度汨罗市司法局部门整体支出绩效自评报告",
    "2023年度部门支出总计1762.55万元，其中：基本支出1322.23万元，占75.02%；项目支出440.32万元，占24.98%。",
    "“三公”经费支出12.88万元，比上年减少4.12万元，下降24.24%。其中：公务用车运行维护费7.54万元，公务接待费5.34万元。",
    "年初预算数1238.36万元，全年预算数1762.55万元，全年执行数1762.55万元，预算执行率100%。",
    "公用经费决算数340.27万元，比预算数268.49万元超支71.78万元，公用经费控制率126.73%。",
    "部门整体支出绩效自评综合得分为99分，评价等级为“优”。",
]


def test_another_style_of_report_is_read_without_false_alarms(tmp_path):
    report = check_report(str(D.build(tmp_path / "r.docx", OTHER_STYLE)), [D.WORKBOOK])
    assert [f.code for f in report.findings if f.severity != "info"] == [], [f.message for f in report.findings]
    # and each of its figures can still fail
    wrong = [line.replace("占75.02%", "占76.02%").replace("公务接待费5.34万元", "公务接待费6.34万元")
             .replace("预算执行率100%", "预算执行率90%").replace("综合得分为99分", "综合得分为89分") for line in OTHER_STYLE]
    report = check_report(str(D.build(tmp_path / "w.docx", wrong)), [D.WORKBOOK])
    found = sorted((f.code, f.cell) for f in report.findings if f.severity != "info")
    assert found == [("T101", "第3段"), ("T102", "第2段"), ("T105", "第6段"), ("T201", "第3段"), ("T202", "第4段"),
                     ("T203", "第6段")], [f.message for f in report.findings]
    (parts,) = [f for f in report.findings if f.code == "T101"]  # 7.54 + 6.34 against the 三公 total before 其中
    assert "“三公”经费支出 12.88 万元，其中各项之和 7.54 + 6.34 = 13.88 万元，相差 1 万元" in parts.message


def _with_table(path, rows, above="单位：万元"):
    document = D.docx.Document()
    document.add_paragraph("2023年度汨罗市司法局部门整体支出绩效自评报告")
    document.add_paragraph(above)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(path)
    return path


TABLE = [["项目", "2022年决算数", "2023年预算数", "2023年决算数"],
         ["“三公”经费", "17", "17", "12.88"],
         ["公用经费", "262.33", "268.49", "340.27"],
         ["公用经费控制率", "", "", "126.73%"]]


def test_figures_in_a_report_table_are_read_with_row_column_and_unit(tmp_path):
    report = check_report(str(_with_table(tmp_path / "t.docx", TABLE)), [D.WORKBOOK])
    assert [f.code for f in report.findings if f.severity != "info"] == [], [f.message for f in report.findings]
    assert not [f for f in report.findings if f.code == "T302"]  # every figure matched a cell
    wrong = [row[:] for row in TABLE]
    wrong[1][3], wrong[2][1] = "13.88", "300"
    report = check_report(str(_with_table(tmp_path / "w.docx", wrong)), [D.WORKBOOK])
    found = {(f.code, f.cell, f.expected, f.found) for f in report.findings if f.severity != "info"}
    assert found == {("T201", "表1第2行第4列", 12.88, 13.88), ("T201", "表1第3行第2列", 262.33, 300.0)}
    message = next(f.message for f in report.findings if f.cell == "表1第3行第2列")
    assert "“公用经费2022年决算数300万元”" in message and "[附件1] 公用经费 2022年决算数 (B25) 为 262.33 万元" in message


def test_table_without_a_unit_is_not_guessed(tmp_path):
    report = check_report(str(_with_table(tmp_path / "t.docx", TABLE, above="表1 经费情况")), [D.WORKBOOK])
    assert [f.code for f in report.findings] == []  # bare numbers without a unit are not read; 126.73% matches


def test_leftover_placeholders_are_each_a_warning(tmp_path, lines):
    """Issue 24: an unfinished report (【请填写…】, 【待核实…】 left in) does not pass."""
    changed = D.edit(lines, "公用经费340.27万元", "公用经费340.27万元【请填写：超支原因】") + [
        "部门整体支出绩效自评得分【待核实：表中总分103.8分，按各项得分复核为98.8分】。"]
    report = _check(tmp_path, changed)
    left = _at(report, "T106")
    assert len(left) == 2 and report.status != "clean"
    assert "【请填写：超支原因】" in left[0].message and "【待核实：" in left[1].message
    assert all(f.severity == "warning" for f in left)
    assert not _at(report, "T203") and not _at(report, "T201")  # a placeholder's figures are its reason, not statements


@pytest.mark.parametrize("sentence", [
    "基本支出全年预算数1322.23万元。", "基本支出预算数1322.23万元。", "基本支出调整预算1322.23万元。",
    "项目支出全年预算数440.32万元。", "项目支出预算数440.32万元。", "项目支出预算数83万元。",
])
def test_a_breakdown_line_named_with_a_column_word_is_that_line(tmp_path, lines, sentence):
    # "基本支出全年预算数1322.23万元" was compared with 年度资金总额 1762.55 (T201, an error on a right report), and
    # "项目支出全年预算数440.32万元" with 附件1's 本年预算数 83: 附件2's 按支出性质分 lines are on the full-year
    # budget basis (rules §6), and "项目支出预算数" may be either
    report = _check(tmp_path, D.insert_after(lines, "一、部门(单位)基本情况", sentence))
    assert not _at(report, "T201"), [f.message for f in _at(report, "T201")]


@pytest.mark.parametrize("sentence, expected, found", [
    ("基本支出全年预算数1300万元。", 1322.23, 1300), ("项目支出全年预算数500万元。", 440.32, 500)])
def test_a_wrong_breakdown_figure_is_still_an_error(tmp_path, lines, sentence, expected, found):
    report = _check(tmp_path, D.insert_after(lines, "一、部门(单位)基本情况", sentence))
    (t201,) = _at(report, "T201")
    assert (t201.expected, t201.found) == (expected, found)


def test_a_project_budget_not_said_to_be_initial_or_full_equal_to_neither_is_an_info(tmp_path, lines):
    """"项目支出预算数" is 附件1's 本年预算数 (83) or 附件2's 项目支出 on the 全年预算 basis (440.32): 500 contradicts
    one of them, not known which (it was T201 against 83)."""
    report = _check(tmp_path, D.insert_after(lines, "一、部门(单位)基本情况", "项目支出预算数500万元。"))
    assert not _at(report, "T201")
    (info,) = [f for f in _at(report, "T301") if "500万元" in f.message]
    assert "与表中年初预算数、全年预算数都不同（[附件1] 项目支出 2023年预算数 (C12) 为 83 万元、[附件2] 项目支出 (E8) 为 " \
        "440.32 万元），报告没有写明是年初预算还是全年预算" in info.message
