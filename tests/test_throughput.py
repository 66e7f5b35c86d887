"""The shortcuts batch throughput relies on give the answers of the plain code they replace."""

from __future__ import annotations

import random

import pytest

from jixiao_xl.xlsx.grid import _ERROR_TOKENS, _FORMULA_TOKENS, Grid, _has_tokens


def _scan(grid: Grid, row: int, col: int):
    return next((r for r in grid.merged if r[0] <= row <= r[2] and r[1] <= col <= r[3]), None)


def test_merged_cell_lookup_matches_a_scan_of_every_range():
    rng = random.Random(5)
    merged = []
    for _ in range(60):
        r0, c0 = rng.randrange(40), rng.randrange(12)
        merged.append((r0, c0, r0 + rng.randrange(4), c0 + rng.randrange(4)))  # overlapping too: first wins
    grid = Grid("附件3", [[""] * 16 for _ in range(45)], merged)
    cells = [(r, c) for r in range(46) for c in range(17)]
    assert [grid.merge_at(r, c) for r, c in cells] == [_scan(grid, r, c) for r, c in cells]
    grid.merged.append((44, 0, 44, 15))  # a range added later is seen
    assert grid.merge_at(44, 7) == (44, 0, 44, 15)


def test_merged_cell_lookup_with_a_range_over_a_million_rows():
    """A hostile sheet merging A1:B1048576 is not indexed row by row (memory), only scanned."""
    grid = Grid("x", [["a", "b", "c"]], [(0, 0, 1_048_575, 1), (3, 2, 4, 2)])
    assert grid.merge_at(900_000, 1) == (0, 0, 1_048_575, 1)
    assert grid.merge_at(4, 2) == (3, 2, 4, 2)
    assert grid.merge_at(5, 2) is None


def test_byte_test_for_formulas_and_errors_agrees_with_the_tokens():
    rng = random.Random(1)
    alphabet = b'<:fe"\' >/x'
    for _ in range(50_000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        assert _has_tokens(data) == any(t in data for t in _FORMULA_TOKENS + _ERROR_TOKENS), data
    assert not _has_tokens(b'<c r="A1" t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>')
    assert _has_tokens(b'<x:c r="A1"><x:f>A2</x:f></x:c>')


def test_no_worker_is_forked_while_the_summary_imports_run(tmp_path, monkeypatch):
    """pandas is imported in a thread while the workers check; a worker (re)started meanwhile waits for it:
    a fork during an import can leave the child holding the import lock for ever."""
    import sys
    import time

    from jixiao_xl.batch import _Preload

    (tmp_path / "slow_import_for_test.py").write_text("import time\ntime.sleep(0.5)\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    preload = _Preload()
    preload.start(modules=("slow_import_for_test",))
    seen = []
    started = time.monotonic()
    preload.fork(lambda: seen.append(sys.modules.get("slow_import_for_test")))
    assert time.monotonic() - started >= 0.3
    assert seen and getattr(seen[0], "DONE", False)  # the import had finished when the fork ran
    preload.start(modules=("slow_import_for_test",))  # already imported: no second thread
    assert not preload.thread.is_alive()


ODD = {"spliced": [" 前后有空格 ", "a&b<c>d", "=SUM(A1:A2)", "换行\n文字", "\u3000全角空格", "_x00 未完"],
       # text Excel escapes (_xHHHH_): these sheets are written cell by cell by xlsxwriter, as before
       "escaped": ["控制\x01字符", "_x0041_ 字面"]}


@pytest.mark.parametrize("kind", ODD)
def test_summary_lists_read_back_as_xlsxwriter_would_write_them(tmp_path, kind):
    """汇总 and 问题明细 rows go into the sheet XML directly; awkward text reads back exactly as the
    same rows written cell by cell with xlsxwriter."""
    import zipfile

    import openpyxl
    import xlsxwriter

    from jixiao_xl import batch

    odd = ODD[kind]
    results = []
    for i, text in enumerate(odd):
        finding = {"sheet": "附件2", "cell": "H25", "code": "W101", "severity": "error", "message": text,
                   "location": "", "text": text, "expected": 1, "found": 2}
        report = {"path": f"{i}.xlsx", "status": "errors", "error": None, "findings": [],
                  "forms": [{"form": "dept_self_eval", "sheet": "附件2", "title": "", "results": {},
                             "findings": [finding]}]}
        rows = [batch.summary_row(f"{text}.xlsx", text, "[附件2] 部门整体支出绩效自评表", rate=1.2673, exec_score=10,
                                  submitted=95, total=99.5, submitted_grade="优", grade="优", errors=1)]
        results.append({"path": f"{i}.xlsx", "rel": f"{text}.xlsx", "report": report, "rows": rows, "filled": None,
                        "fill_error": None})
    ours = tmp_path / "汇总.xlsx"
    batch.write_summary(batch.BatchResult(tmp_path, results), ours)

    plain = tmp_path / "plain.xlsx"
    tables = batch.summary_tables(batch.BatchResult(tmp_path, results))
    book = xlsxwriter.Workbook(str(plain), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False})
    for name in ("汇总", "问题明细"):
        sheet = book.add_worksheet(name)
        columns, rows = tables[name]
        sheet.write_row(0, 0, columns)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
    book.close()

    read, expected = openpyxl.load_workbook(ours), openpyxl.load_workbook(plain)
    for name in ("汇总", "问题明细"):
        got = [[c.value for c in row] for row in read[name].iter_rows()]
        want = [[c.value for c in row] for row in expected[name].iter_rows()]
        assert got == want
        assert read[name].max_row == len(odd) + 1
    assert read["汇总"]["E2"].number_format == "0.00%"  # the column's format reaches the spliced cells
    with zipfile.ZipFile(ours) as archive:
        inline = b'inlineStr' in archive.read("xl/worksheets/sheet4.xml")  # 问题明细 (after 汇总, 统计, 退回清单)
    assert inline == (kind == "spliced")


@pytest.mark.parametrize("by", [None, "region", "authority"])
def test_summary_from_the_workers_rows_equals_the_summary_written_in_the_parent(tmp_path, by):
    """Workers write each workbook's 汇总/问题明细 rows as XML; the summary they give is the one the parent
    writes from the results alone, byte for byte, for every grouping (rows a worker wrote for another
    grouping are written again)."""
    import shutil
    import zipfile

    from jixiao_xl import batch

    from .samples import write_seed_example

    inbox = tmp_path / "in"
    for region in ("岳阳县", "平江县"):
        (inbox / region).mkdir(parents=True)
        write_seed_example(inbox / region / "自评.xlsx")
    shutil.copy(inbox / "岳阳县" / "自评.xlsx", inbox / "岳阳县" / "另一份.xlsx")
    tasks, *_ = batch.survey([str(inbox)], tmp_path / "out")
    made = [batch.process(t, "hunan", {}, False, str(tmp_path), "region") for t in tasks]
    assert all(r["list_xml"][0] == "region" and r["list_xml"][1]["问题明细"] for r in made)
    bare = [{k: v for k, v in r.items() if k != "list_xml"} for r in made]

    def parts(results, name):
        batch.write_summary(batch.BatchResult(tmp_path, results), tmp_path / name, by)
        with zipfile.ZipFile(tmp_path / name) as archive:
            return {n: archive.read(n) for n in archive.namelist() if not n.startswith("docProps")}

    sent = []  # as the parent holds what a worker sends: the report only as findings.json's entry
    for r in made:
        lean = batch.Result({k: v for k, v in r.items() if k != "report"})
        sent.append(lean)
    ours, plain = parts(sent, "ours.xlsx"), parts(bare, "plain.xlsx")
    assert ours == plain
    # the rows the workers wrote for this grouping need no report decoded; for another, each is read again
    assert any(dict.__contains__(r, "report") for r in sent) == (by != "region")
    full = batch.BatchResult(tmp_path, bare)
    assert batch.BatchResult(tmp_path, sent).counts() == full.counts() and full.counts()["errors"] == 3
    assert batch.to_json(batch.BatchResult(tmp_path, sent)) == batch.to_json(full)
    assert sent[0]["report"] == bare[0]["report"] and "report" in sent[1] and sent[1].get("report")["forms"]
    sheet = ours["xl/worksheets/sheet4.xml"].decode()  # 问题明细 (after 汇总, 统计, 退回清单)
    assert sheet.count("<row ") == 1 + sum(len(batch.detail_rows(r)) for r in made)
    assert ("<t>岳阳县</t>" in sheet) == (by == "region")  # the group column


def _random_sheet(rng) -> bytes:
    """A worksheet part of random cells: prefixes, types, formulas with and without results, odd spacing."""
    cells = []
    for i in range(rng.randint(0, 6)):
        p = rng.choice(["", "", "x:"])
        vp = p if rng.random() < 0.9 else rng.choice(["", "y:"])
        kind = rng.choice([None, "str", "e", "n", "s", "inlineStr"])
        quote = rng.choice(['"', "'"])
        attrs = f' r="A{i + 1}"' + (f" t={quote}{kind}{quote}" if kind else "") + rng.choice(["", ' s="3"'])
        formula = rng.choice([None, f"<{p}f>A1&amp;B1</{p}f>", f'<{p}f t="shared" si="0"/>', f"<{p}f/>",
                              f'<{p}f t="array" ref="A1:A2">SUM(B1:B2)</{p}f>'])
        value = rng.choice([None, f"<{vp}v>1</{vp}v>", f"<{vp}v></{vp}v>", f"<{vp}v/>", f"<{vp}v />",
                            f"<{vp}v> </{vp}v>", f"<{vp}v>#DIV/0!</{vp}v>"])
        space = rng.choice(["", " ", "\n  "])
        body = space.join(part for part in (formula, value) if part)
        cells.append(f"<{p}c{attrs}>{space}{body}</{p}c>" if body or rng.random() < 0.5 else f"<{p}c{attrs}/>")
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:y="urn:other"'
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns} {xns}><sheetData><row r="1">'
            + "".join(cells) + "</row></sheetData></worksheet>").encode()


def test_byte_test_for_saved_results_never_skips_a_formula_without_its_result():
    """A sheet part is parsed for formulas without results unless a byte test shows every formula followed
    by its result; whatever it lets skip, the parse finds nothing in (and it lets skip what Excel saves)."""
    from jixiao_xl.xlsx.grid import _formulas_cached, _has_error_tokens, _sheet_issues

    rng = random.Random(7)
    skipped = {True: 0, False: 0}  # by whether a formula has a prefix (the general scan) or none (byte searches)
    for _ in range(20_000):
        data = _random_sheet(rng)
        if not _has_error_tokens(data) and _formulas_cached(data):
            skipped[b":f" in data] += 1
            assert _sheet_issues(data)[:2] == ([], {}), data
    assert min(skipped.values()) > 500  # the test sees both shortcuts taken, not only refused
    excel = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
             b'<c r="A1" s="2"><f>SUM(B1:B3)</f><v>12.5</v></c><c r="B1" t="str"><f>IF(C1&gt;0,"x","")</f><v/></c>'
             b'<c r="C1"><f t="shared" ref="C1:C3" si="0">B1*2</f><v>4</v></c><c r="C2"><f t="shared" si="0"/>'
             b'<v>6</v></c><c r="D1" t="s"><v>3</v></c></row></sheetData></worksheet>')
    assert _formulas_cached(excel) and not _has_error_tokens(excel)
    assert not _formulas_cached(excel.replace(b"<v>4</v>", b""))  # C1 saved without its result
    assert not _formulas_cached(excel.replace(b"<v>12.5</v>", b"<v></v>"))  # an empty number is no result


def test_the_parent_decodes_no_report_of_a_workbook_that_names_its_unit(tmp_path):
    # the check for workbooks naming no unit (a lone 附件1) asked each result for its report, which the parent
    # holds only as findings.json's entry: every workbook of a batch was decoded once more for it
    from jixiao_xl import batch

    from .samples import write_seed_example

    for name in ("甲", "乙"):
        (tmp_path / "in" / name).mkdir(parents=True)
        write_seed_example(tmp_path / "in" / name / "自评.xlsx")
    result = batch.run([str(tmp_path / "in")], str(tmp_path / "out"), jobs=1)
    assert len(result.results) == 2 and not any(dict.__contains__(r, "report") for r in result.results)
