"""The results store (--store) end to end through the CLI, on real workbooks of two years.

2023: the bundled example (its 附件1 gives 公务用车 17 for 2022 where 0 + 9 = 9).  2022: a workbook made from it
with openpyxl (tests/history_books.py) whose own 2022 决算数 says 9 — or 17, when last year agrees.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from jixiao_xl.cli import main
from jixiao_xl.store.db import APPLICATION_ID, SCHEMA_VERSION

from .history_books import last_year, this_year


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(tmp_path) -> dict:
    (tmp_path / "2022").mkdir()
    (tmp_path / "2023").mkdir()
    return {"2022": last_year(tmp_path / "2022" / "司法局2022.xlsx"),
            "2023": this_year(tmp_path / "2023" / "司法局2023.xlsx"), "store": tmp_path / "绩效库.sqlite"}


def _findings(capsys, path, store, *extra) -> list[dict]:
    code, out, err = run(capsys, "check", path, "--store", store, "--json", *extra)
    assert code in (0, 1), err
    data = json.loads(out)
    assert "绩效库" in err and "新存入" in err
    return [f for form in data["files"][0]["forms"] for f in form["findings"]] + data["files"][0]["findings"]


def test_last_years_figure_differs_warning_at_the_cell_with_both_numbers_and_the_file(books, capsys):
    code, out, err = run(capsys, "check", books["2022"], "--store", books["store"])
    assert "新存入 3 张表" in out
    code, out, err = run(capsys, "check", books["2023"], "--store", books["store"])
    line = next(line for line in out.splitlines() if "H101" in line)
    assert "[附件1] 公务用车购置和维护经费 2022年决算数 (B7)" in line
    assert "上年决算数填 17" in line and "2022 年填报的公务用车购置和维护经费决算数为 9" in line
    assert "司法局2022.xlsx 的 D7" in line
    assert sum("H101" in line for line in out.splitlines()) == 1  # every other 2022 figure agrees
    # the 满意度 target ≥95% is below last year's actual 99% (info, both numbers)
    info = next(line for line in out.splitlines() if "H102" in line and "[附件3]" in line)
    assert "(E20)" in info and "“≥95%”" in info and "99%" in info


def test_last_year_in_yuan_is_compared_in_this_years_wanyuan(books, tmp_path, capsys):
    """Last year's 附件1 typed its amounts in 元 ("经费控制情况(元)", 170,000), this year's in 万元 (17): one
    amount, no warning; only 公务用车 differs (9 万元 = 90,000 元 against 17), said in this year's unit.  A store
    of an older version keeps no unit: amounts 10,000 times apart are still taken as one."""
    book = openpyxl.load_workbook(books["2022"])
    basic = book["附件1"]
    basic["A5"] = "经费控制情况(元)"
    for row in range(6, 31):
        if isinstance(basic.cell(row, 4).value, (int, float)):
            basic.cell(row, 4).value = basic.cell(row, 4).value * 10000
    book.save(books["2022"])
    store = books["store"]
    run(capsys, "check", books["2022"], "--store", store)
    found = _findings(capsys, books["2023"], store)
    h101 = [f for f in found if f["code"] == "H101"]
    assert [(f["cell"], f["expected"], f["found"]) for f in h101] == [("B7", 9, 17)]
    assert "为 9（上年表以元为单位，填 90000）" in h101[0]["message"]
    conn = sqlite3.connect(store)
    conn.execute("UPDATE forms SET results_json = json_remove(results_json, '$.amount_unit')")
    conn.commit()
    conn.close()
    found = _findings(capsys, books["2023"], store)
    assert [f["cell"] for f in found if f["code"] == "H101"] == ["B7"]  # 17 against 90,000: still said


def test_json_carries_both_numbers(books, capsys):
    _findings(capsys, books["2022"], books["store"])
    found = _findings(capsys, books["2023"], books["store"])
    [h101] = [f for f in found if f["code"] == "H101"]
    assert (h101["sheet"], h101["cell"], h101["expected"], h101["found"], h101["severity"]) == \
        ("附件1", "B7", 9, 17, "warning")
    [h102] = [f for f in found if f["code"] == "H102" and f["sheet"] == "附件3"]
    assert (h102["cell"], h102["expected"], h102["found"], h102["severity"]) == ("E20", 99, 95, "info")


def test_no_history_warning_when_last_year_agrees_or_is_missing(books, tmp_path, capsys):
    found = _findings(capsys, books["2023"], books["store"])  # the store holds no 2022
    assert not [f for f in found if f["code"].startswith("H")]
    agreeing = last_year(tmp_path / "agree2022.xlsx", car=17, satisfaction="95%")
    other = tmp_path / "other.sqlite"
    _findings(capsys, agreeing, other)
    found = _findings(capsys, books["2023"], other)
    assert not [f for f in found if f["code"] == "H101"], found
    # 附件3's 满意度 was 95% last year: a target of ≥95% is no lower (附件2's was 98%: still an info there)
    assert [(f["sheet"], f["cell"]) for f in found if f["code"] == "H102"] == [("附件2", "E21")]
    assert [f for f in found if f["code"] == "B111"]  # the sum is still wrong within the year


def test_low_execution_two_years_running(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    _findings(capsys, last_year(tmp_path / "a2022.xlsx", executed=58.1), store)  # 70.00%
    found = _findings(capsys, this_year(tmp_path / "a2023.xlsx", executed=63.08), store)  # 76.00%
    [h103] = [f for f in found if f["code"] == "H103"]
    assert (h103["sheet"], h103["cell"], h103["expected"], h103["found"]) == ("附件3", "G6", 0.7, 0.76)
    assert "预算执行率 76.00%" in h103["message"] and "2022 年也只有 70.00%" in h103["message"]
    store2 = tmp_path / "s2.sqlite"
    _findings(capsys, last_year(tmp_path / "b2022.xlsx"), store2)  # last year 100%: once is no pattern
    found = _findings(capsys, this_year(tmp_path / "b2023.xlsx", executed=63.08), store2)
    assert not [f for f in found if f["code"] == "H103"]


def test_renamed_unit_found_through_the_unit_map(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    _findings(capsys, last_year(tmp_path / "old.xlsx", unit="汨罗市司法行政局"), store)
    found = _findings(capsys, this_year(tmp_path / "new.xlsx"), store)
    assert not [f for f in found if f["code"] == "H101"]  # another name: another unit
    mapping = tmp_path / "更名.csv"
    mapping.write_text("# 旧名称,新名称\n汨罗市司法行政局 , 汨罗市 司法局\n", encoding="utf-8")
    found = _findings(capsys, this_year(tmp_path / "new2.xlsx"), store, "--unit-map", mapping)
    assert [f["cell"] for f in found if f["code"] == "H101"] == ["B7"]


def test_last_year_stored_under_the_old_name_is_not_stored_again_under_the_new(tmp_path, capsys):
    """Last year went in under the unit's old name; running that folder again with --unit-map finds it (the
    same file: nothing changes), a corrected file replaces it under the new name, and history counts it once."""
    store = tmp_path / "s.sqlite"
    old = last_year(tmp_path / "2022.xlsx", unit="汨罗市司法行政局")
    run(capsys, "check", old, "--store", store)
    mapping = tmp_path / "更名.csv"
    mapping.write_text("汨罗市司法行政局,汨罗市司法局\n", encoding="utf-8")
    before = _dump(store)
    code, out, err = run(capsys, "check", old, "--store", store, "--unit-map", mapping)
    assert "新存入 0 张表，更正后替换 0 张，与库中相同未改动 3 张" in out and _dump(store) == before
    book = openpyxl.load_workbook(old)
    book["附件1"]["D7"] = 10  # the unit corrects last year's 公务用车
    book.save(old)
    code, out, err = run(capsys, "check", old, "--store", store, "--unit-map", mapping)
    assert "新存入 0 张表，更正后替换 3 张" in out
    conn = sqlite3.connect(store)
    assert conn.execute("SELECT DISTINCT unit_key, replaced FROM forms").fetchall() == [("汨罗市司法局", 1)]
    assert conn.execute("SELECT count(*) FROM replacements").fetchone()[0] == 3
    conn.close()
    code, out, err = run(capsys, "history", "汨罗市司法局", "--store", store, "-o", tmp_path / "h.xlsx")
    assert code == 0 and "2022 年度：3 张表" in out


def test_a_recheck_reaches_the_row_under_the_old_name_and_a_partial_check_changes_nothing(tmp_path, capsys):
    """This year went in under the unit's old name before last year did; checked again with --unit-map, its
    new H101 reaches the row kept under the old name.  A check of some rules only (--select) leaves it as is."""
    store = tmp_path / "s.sqlite"
    new = this_year(tmp_path / "2023.xlsx", unit="汨罗市司法行政局")
    run(capsys, "check", new, "--store", store)
    run(capsys, "check", last_year(tmp_path / "2022.xlsx", unit="汨罗市司法行政局"), "--store", store)
    mapping = tmp_path / "更名.csv"
    mapping.write_text("汨罗市司法行政局,汨罗市司法局\n", encoding="utf-8")
    before = _dump(store)
    code, out, err = run(capsys, "check", new, "--store", store, "--select", "B")
    assert "与库中相同未改动 3 张" in out and "已更新" not in out and _dump(store) == before
    code, out, err = run(capsys, "check", new, "--store", store, "--unit-map", mapping)
    assert "与库中相同未改动 0 张；同一文件重新检查的结果有变化（如库中已有上年），已更新 3 张" in out
    conn = sqlite3.connect(store)
    kept = conn.execute("SELECT unit_key, findings_json FROM forms WHERE year = 2023 AND form = 'basic_data'")
    unit_key, findings = kept.fetchone()
    assert unit_key == "汨罗市司法行政局" and '"H101"' in findings
    conn.close()


def test_last_year_in_wanyuan_against_this_year_in_yuan_allows_its_rounding(books, capsys):
    """Last year in 万元 (17, to two decimals), this year in 元 (170,040): within 50 元 they are one amount."""
    book = openpyxl.load_workbook(books["2023"])
    basic = book["附件1"]
    basic["A5"] = "经费控制情况(元)"
    for row in range(6, 31):
        for col in (2, 3, 4):
            if isinstance(basic.cell(row, col).value, (int, float)):
                basic.cell(row, col).value = basic.cell(row, col).value * 10000 + (40 if col == 2 else 0)
    book.save(books["2023"])
    run(capsys, "check", books["2022"], "--store", books["store"])
    found = _findings(capsys, books["2023"], books["store"])
    h101 = [(f["cell"], f["expected"], f["found"]) for f in found if f["code"] == "H101"]
    assert h101 == [("B7", 90000, 170040)]  # only 公务用车 (9 万元 last year), in this year's 元


@pytest.mark.parametrize("typed", ["汨罗市司法局。", "汨罗市\u200b司法局", "汨罗市/司法局", "\ufeff汨罗市司法局",
                                   "汨罗市「司法局」", "汨罗市 〔司法局〕!"])
def test_punctuation_and_invisible_marks_in_a_units_name_are_the_same_unit(tmp_path, capsys, typed):
    store = tmp_path / "s.sqlite"
    _findings(capsys, last_year(tmp_path / "old.xlsx"), store)
    found = _findings(capsys, this_year(tmp_path / "new.xlsx", unit=typed), store)
    assert [f["cell"] for f in found if f["code"] == "H101"] == ["B7"]


def test_a_store_keyed_by_the_earlier_rules_is_keyed_again_once(books, capsys):
    """A store written when "。" and "/" were kept in keys ("汨罗市司法局。"): opened for writing, its keys are made
    again by today's rules (once), so last year is found and this year's file is not stored a second time."""
    store = books["store"]
    run(capsys, "check", books["2022"], "--store", store)
    conn = sqlite3.connect(store)
    conn.execute("UPDATE forms SET unit_key = unit_key || '。', project_key = project_key || '/'")
    conn.execute("DELETE FROM meta WHERE key = 'key_version'")
    conn.commit()
    conn.close()
    found = _findings(capsys, books["2023"], store)
    assert [f["cell"] for f in found if f["code"] == "H101"] == ["B7"]
    conn = sqlite3.connect(store)
    assert conn.execute("SELECT count(*), count(DISTINCT unit_key) FROM forms").fetchone() == (6, 1)
    assert conn.execute("SELECT count(*) FROM forms WHERE project_key LIKE '%/'").fetchone()[0] == 0
    assert conn.execute("SELECT value FROM meta WHERE key = 'key_version'").fetchone() == ("2",)
    conn.close()


def _dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_rerun_changes_nothing_and_a_corrected_resubmission_replaces_keeping_when(books, capsys):
    store = books["store"]
    run(capsys, "check", books["2023"], "--store", store)
    before = _dump(store)
    code, out, _ = run(capsys, "check", books["2023"], "--store", store)
    assert "新存入 0 张表，更正后替换 0 张，与库中相同未改动 3 张" in out
    assert _dump(store) == before
    book = openpyxl.load_workbook(books["2023"])
    book["附件1"]["B7"] = 9  # the unit corrects its 2022 column
    book.save(books["2023"])
    code, out, _ = run(capsys, "check", books["2023"], "--store", store)
    assert "更正后替换 3 张" in out  # the file changed: each of its forms is the corrected one now
    conn = sqlite3.connect(store)
    rows = conn.execute("SELECT form, replaced, first_stored <= stored FROM forms ORDER BY form").fetchall()
    assert rows == [("basic_data", 1, 1), ("dept_self_eval", 1, 1), ("project_self_eval", 1, 1)]
    value = conn.execute("SELECT value FROM figures WHERE form = 'basic_data' AND key = 'car.prev_actual'").fetchone()[0]
    assert value == 9
    kept = conn.execute("SELECT count(*), count(DISTINCT source_hash) FROM replacements").fetchone()
    assert kept == (3, 1)
    conn.close()


def test_two_files_of_one_unit_and_year_in_one_batch_are_a_duplicate_and_a_rerun_changes_nothing(
        books, tmp_path, capsys, monkeypatch):
    """One folder holds a unit's two years, a byte copy of one and a corrected copy of the other: each form goes
    in once, the other file of the same unit, year and form is named as a duplicate and not stored, and running
    the folder again changes nothing (before, the two files replaced each other on every run)."""
    folder = tmp_path / "交来"
    folder.mkdir()
    for year in ("2022", "2023"):
        (folder / books[year].name).write_bytes(books[year].read_bytes())
    (folder / "司法局2022（副本）.xlsx").write_bytes(books["2022"].read_bytes())
    book = openpyxl.load_workbook(books["2023"])
    book["附件1"]["B7"] = 9  # the corrected 2022 column
    book.save(folder / "司法局2023（更正）.xlsx")
    store = books["store"]
    code, out, err = run(capsys, "batch", folder, "-o", tmp_path / "out", "--store", store, "--jobs", "1")
    assert code in (0, 1), err
    assert "新存入 6 张表，更正后替换 0 张，与库中相同未改动 0 张；6 张表与本次的另一个文件重复" in out
    assert re.search(r"司法局2023(（更正）)?\.xlsx 与 司法局2023(（更正）)?\.xlsx 同为汨罗市司法局 2023 年的附件1、附件2、"
                     r"附件3“[^”]+”", out)
    assert re.search(r"司法局2022(（副本）)?\.xlsx 与 司法局2022(（副本）)?\.xlsx 同为汨罗市司法局 2022 年的附件1", out)
    assert "请删去多余的一份" in out
    # run again: the 2023 file was checked before its 2022 was stored; now its H101 is found and kept
    code, out, err = run(capsys, "batch", folder, "-o", tmp_path / "second", "--store", store, "--jobs", "1")
    assert "与库中相同未改动 3 张；同一文件重新检查的结果有变化（如库中已有上年），已更新 3 张" in out
    held = sqlite3.connect(store).execute("SELECT findings_json FROM forms WHERE year = 2023 AND form = 'basic_data'")
    assert '"H101"' in held.fetchone()[0]
    before = _dump(store)
    files = sorted(folder.iterdir(), reverse=True)  # the files not stored come first this time
    monkeypatch.chdir(tmp_path)
    relative = [Path(folder.name) / f.name for f in files]  # the same files spelt otherwise
    for again, given in (("again", files), ("again2", [folder]), ("again3", relative)):
        code, out, err = run(capsys, "batch", *given, "-o", tmp_path / again, "--store", store, "--jobs", "1")
        assert "新存入 0 张表，更正后替换 0 张，与库中相同未改动 6 张；6 张表与本次的另一个文件重复" in out
        assert _dump(store) == before
    conn = sqlite3.connect(store)
    rows = conn.execute("SELECT year, form, replaced FROM forms ORDER BY year, form").fetchall()
    assert rows == [(2022, "basic_data", 0), (2022, "dept_self_eval", 0), (2022, "project_self_eval", 0),
                    (2023, "basic_data", 0), (2023, "dept_self_eval", 0), (2023, "project_self_eval", 0)]
    assert conn.execute("SELECT count(*) FROM replacements").fetchone()[0] == 0
    conn.close()
    # the extra one removed: the folder's remaining file is the unit's 2023 now
    stored = sqlite3.connect(store).execute(
        "SELECT source_file FROM forms WHERE year = 2023 AND form = 'basic_data'").fetchone()[0]
    Path(stored).unlink()
    code, out, err = run(capsys, "batch", folder, "-o", tmp_path / "last", "--store", store)
    assert "新存入 0 张表，更正后替换 3 张，与库中相同未改动 3 张；3 张表与本次的另一个文件重复" in out


def test_a_duplicate_is_known_by_content_however_the_files_are_named(books, tmp_path, capsys, monkeypatch):
    """Stored from inside the folder (relative names), checked again from its parent, the files given the other
    way round: the stored one is recognised by its content (SHA-256), the other is the duplicate, nothing
    changes.  And a file whose content moved to another year no longer holds its old form: the run's real file
    of that year replaces it, no duplicate is claimed."""
    folder = tmp_path / "s1"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(books["2023"].read_bytes())
    book = openpyxl.load_workbook(books["2023"])
    book["附件1"]["B7"] = 9
    book.save(folder / "b.xlsx")
    store = tmp_path / "st.sqlite"
    monkeypatch.chdir(folder)
    code, out, err = run(capsys, "check", "a.xlsx", "b.xlsx", "--store", store)
    assert "新存入 3 张表，更正后替换 0 张，与库中相同未改动 0 张；3 张表与本次的另一个文件重复" in out
    before = _dump(store)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", "s1/b.xlsx", "s1/a.xlsx", "--store", store)
    assert "新存入 0 张表，更正后替换 0 张，与库中相同未改动 3 张；3 张表与本次的另一个文件重复" in out
    assert "b.xlsx 与 a.xlsx 同为汨罗市司法局 2023 年" in out and _dump(store) == before
    # a.xlsx held 2022 (its year typed wrong) and now holds 2023; c.xlsx is the unit's real 2022
    other = tmp_path / "s2"
    other.mkdir()
    last_year(other / "a.xlsx")
    second = tmp_path / "st2.sqlite"
    run(capsys, "check", other / "a.xlsx", "--store", second)
    (other / "a.xlsx").write_bytes(books["2023"].read_bytes())
    last_year(other / "c.xlsx", car=10)
    code, out, err = run(capsys, "check", other / "c.xlsx", other / "a.xlsx", "--store", second)
    assert "新存入 3 张表，更正后替换 3 张，与库中相同未改动 0 张" in out and "重复" not in out


def test_the_store_is_whole_without_its_wal_after_check_and_batch(books, tmp_path, capsys):
    """Copied alone (no -wal, no -shm), the store holds everything written: check and batch fold the WAL into
    the file and leave it in rollback-journal mode; history, which only reads, leaves nothing beside it."""
    store = books["store"]
    run(capsys, "check", books["2022"], "--store", store)
    run(capsys, "batch", books["2023"].parent, "-o", tmp_path / "out", "--store", store)
    assert sorted(p.name for p in store.parent.iterdir() if p.name.startswith(store.name)) == [store.name]
    alone = tmp_path / "拷贝.sqlite"
    alone.write_bytes(store.read_bytes())
    conn = sqlite3.connect(alone)
    assert conn.execute("SELECT year, count(*) FROM forms GROUP BY year").fetchall() == [(2022, 3), (2023, 3)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    code, out, err = run(capsys, "history", "汨罗市司法局", "--store", store, "-o", tmp_path / "h.xlsx")
    assert code == 0 and "2022、2023 年度：6 张表" in out
    assert sorted(p.name for p in store.parent.iterdir() if p.name.startswith(store.name)) == [store.name]
    # a reader still open when the writer closes (history during a batch): the file alone has what was written
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.store.db import Store, open_readonly
    from jixiao_xl.store.records import records

    other = tmp_path / "另一个.sqlite"
    writer = Store.open(other)
    reader = open_readonly(other)
    assert reader.execute("SELECT count(*) FROM forms").fetchone()[0] == 0
    writer.add(records(check_path(str(books["2022"])), str(books["2022"])))
    writer.close()
    alone = tmp_path / "拷贝2.sqlite"
    alone.write_bytes(other.read_bytes())
    assert sqlite3.connect(alone).execute("SELECT count(*) FROM forms").fetchone()[0] == 3
    reader.close()


def test_schema_is_readable_by_pandas(books, capsys):
    import pandas as pd

    run(capsys, "check", books["2022"], "--store", books["store"])
    conn = sqlite3.connect(books["store"])
    results = pd.read_sql("SELECT * FROM form_results ORDER BY form", conn)
    figures = pd.read_sql("SELECT * FROM figures WHERE key = 'car.actual'", conn)
    findings = pd.read_sql("SELECT * FROM findings WHERE code = 'X101'", conn)
    assert findings["cell"].tolist() == ["E8"] and findings["form"].tolist() == ["basic_data"]
    assert list(results["total_score"].dropna()) == [99.0, 100.0] and list(results["year"]) == [2022] * 3
    assert figures["value"].tolist() == [9.0] and figures["cell"].tolist() == ["D7"]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_batch_stores_checks_history_and_writes_the_cross_year_sheet(books, tmp_path, capsys):
    store = books["store"]
    code, out, err = run(capsys, "batch", books["2022"].parent, "-o", tmp_path / "out22", "--store", store)
    assert code == 0 and "新存入 3 张表" in out
    code, out, err = run(capsys, "batch", books["2023"].parent, "-o", tmp_path / "out23", "--store", store)
    assert code == 1 and "新存入 3 张表" in out
    summary = openpyxl.load_workbook(tmp_path / "out23" / "汇总.xlsx")
    details = [row for row in summary["问题明细"].iter_rows(values_only=True) if row[4] == "H101"]
    assert len(details) == 1 and details[0][3] == "B7" and "为 9" in details[0][6]
    rows = list(summary["跨年"].iter_rows(values_only=True))
    header = rows[0]
    dept = dict(zip(header, next(r for r in rows[1:] if r[1] == "附件2")))
    assert dept["项目"] == "（部门整体）"  # as 汇总 names it
    assert (dept["年度"], dept["上年总分"], dept["本年总分"], dept["上年等级"], dept["本年等级"]) == (2023, 99, 99, "优", "优")
    assert dept["上年文件"].endswith("司法局2022.xlsx") and dept["本年文件"].endswith("司法局2023.xlsx")
    basic = dict(zip(header, next(r for r in rows[1:] if r[1] == "附件1")))
    assert basic["跨年问题数"] == 1
    # running the same batch again changes nothing
    before = _dump(store)
    code, out, err = run(capsys, "batch", books["2023"].parent, "-o", tmp_path / "again", "--store", store)
    assert "与库中相同未改动 3 张" in out and _dump(store) == before
    # a batch without a store has no 跨年 sheet
    run(capsys, "batch", books["2023"].parent, "-o", tmp_path / "plain")
    assert "跨年" not in openpyxl.load_workbook(tmp_path / "plain" / "汇总.xlsx").sheetnames


def test_history_export_puts_the_years_side_by_side(books, tmp_path, capsys):
    run(capsys, "check", books["2022"], "--store", books["store"])
    run(capsys, "check", books["2023"], "--store", books["store"])
    target = tmp_path / "历年.xlsx"
    code, out, err = run(capsys, "history", "汨罗市 司法局", "--store", books["store"], "-o", target)
    assert code == 0 and "2022、2023 年度：6 张表" in out, err
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["结果", "数据", "问题"]
    results = list(book["结果"].iter_rows(values_only=True))
    assert results[0][:7] == ("表", "项目", "2022年总分", "2022年等级", "2022年执行率", "2022年错误", "2022年警告")
    dept = next(r for r in results if r[0] == "附件2")
    assert (dept[2], dept[3], dept[7], dept[8]) == (99, "优", 99, "优")
    data = {r[3]: r for r in book["数据"].iter_rows(values_only=True) if r[0] == "附件1"}
    assert data["car.actual"][4:6] == (9, 7.54)  # 2022's own 决算数, then 2023's
    assert data["car.prev_actual"][4:6] == (None, 17)
    problems = [r for r in book["问题"].iter_rows(values_only=True) if r[4] == "H101"]
    assert problems[0][0] == 2023 and problems[0][3] == "B7"
    # an indicator named with its year ("2022年全年", "2023年全年") is one row, both years filled
    data = list(book["数据"].iter_rows(values_only=True))
    timely = [r for r in data if r[0] == "附件2" and r[3] == "ind:产出指标/时效指标/本年全年.actual"]
    assert timely == [("附件2", "（部门整体）", "本年全年 实际完成值", "ind:产出指标/时效指标/本年全年.actual", "2022年全年",
                       "2023年全年")]
    assert not [r for r in data[1:] if "2022" in r[3] or "2023" in r[3]]
    # a finding across forms is listed under the form it names, not the form it was kept with
    across = [r for r in book["问题"].iter_rows(values_only=True) if r[4] == "X101"]
    assert across and all(r[1] == "附件2" and r[2] == "（部门整体）" and r[3] == "E8" for r in across)
    for ws in book.worksheets:  # printed: A4 across, one page wide, the header row on every page
        setup = ws.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
        assert setup.fitToWidth in (None, 1)  # 1 is the default: xlsxwriter leaves it out
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1"
    # printed, a long 问题 shows whole: wrapped in a row as tall as its lines (it was one line high, its end
    # under the next row); a Chinese character is two of the column's width
    problems = book["问题"]
    width = next(d.width for d in problems.column_dimensions.values() if d.min <= 7 <= d.max)  # 问题
    tall = 0
    for (cell,) in problems.iter_rows(min_col=7, max_col=7, min_row=2):
        lines = -(-sum(2 if ord(ch) >= 0x2E80 else 1 for ch in cell.value) // int(width))
        assert cell.alignment.wrap_text and (problems.row_dimensions[cell.row].height or 15) >= 15 * lines
        tall += lines > 1
    assert tall
    code, out, err = run(capsys, "history", "长沙市司法局", "--store", books["store"], "-o", tmp_path / "x.xlsx")
    assert code == 2 and err.startswith("jixiao-xl：绩效库") and "没有单位“长沙市司法局”" in err
    assert not (tmp_path / "x.xlsx").exists()
    for typed in ("汩罗市司法局", "岳阳市司法局"):  # one character off (汩 for 汨), another city: the close name
        code, out, err = run(capsys, "history", typed, "--store", books["store"], "-o", tmp_path / "x.xlsx")
        assert code == 2 and err.strip().endswith(f"没有单位“{typed}”；库中相近的单位：汨罗市司法局"), err
    code, out, err = run(capsys, "history", " ", "--store", books["store"], "-o", tmp_path / "x.xlsx")
    assert code == 2 and "请给出单位名称" in err
    code, out, err = run(capsys, "history", "汨罗市司法局", "--store", books["store"], "-o", tmp_path / "x.csv")
    assert code == 2 and "请给出 .xlsx 文件名" in err and not (tmp_path / "x.csv").exists()


# ------------------------------------------------------------------ bad stores


def _refused(capsys, tmp_path, store, *words) -> None:
    before = store.read_bytes() if store.exists() else None
    for argv in (("check", "--store", store, tmp_path / "2023"),
                 ("batch", tmp_path / "2023", "-o", tmp_path / "out", "--store", store)):
        code, out, err = run(capsys, *argv)
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("jixiao-xl："), err
        for word in words:
            assert word in lines[0], lines[0]
        assert not re.search(r"Traceback|database|error|disk|locked|malformed", err, re.I)  # no English
        assert not (tmp_path / "out").exists()  # nothing written
        assert (store.read_bytes() if store.exists() else None) == before


def test_history_suggests_units_sharing_the_units_own_part_not_only_its_place(tmp_path, capsys):
    """A reviewer's trial: ``history 平江县交通运输局`` (not in the store) suggested 平江县水利局 as a 相近的单位,
    only the place 平江县 shared.  A unit is suggested for the one typed when their own parts (the name without
    its places and the kind of office) are close: another county's 水利局, a typo in the place, a shorter name."""
    from .helpers import clean_seed, set_cells
    from .samples import write_xlsx

    inbox = tmp_path / "收件"
    inbox.mkdir()
    for name in ("平江县水利局", "汨罗市司法局", "平江县文化旅游广电局"):
        write_xlsx(inbox / f"{name}.xlsx", set_cells(clean_seed(), {"附件2!B3": name, "附件3!B4": name,
                                                                     "附件3!F4": name}))
    store = tmp_path / "绩效库.sqlite"
    code, _, err = run(capsys, "batch", inbox, "-o", tmp_path / "out", "--store", store, "--jobs", "1")
    assert code in (0, 1), err

    def suggested(typed: str) -> str | None:
        code, _, err = run(capsys, "history", typed, "--store", store, "-o", tmp_path / "h.xlsx")
        assert code == 2 and f"没有单位“{typed}”" in err, err
        return err.strip().split("库中相近的单位：")[1] if "相近的单位" in err else None

    assert suggested("平江县交通运输局") is None  # was: 平江县水利局
    assert suggested("平江县财政局") is None  # 财政 is not 民政, 水利 or 司法
    assert suggested("岳阳县水利局") == "平江县水利局"  # the same office of another county, not 平江's others
    assert suggested("汩罗市司法局") == "汨罗市司法局"  # a typo in the place
    assert suggested("湖南省司法厅") == "汨罗市司法局"
    assert suggested("平江县文化旅游局") == "平江县文化旅游广电局"  # the name shortened


def test_a_file_that_is_not_ours(books, tmp_path, capsys):
    text = tmp_path / "笔记.sqlite"
    text.write_text("不是数据库", encoding="utf-8")
    _refused(capsys, tmp_path, text, "不是本工具的绩效库", "未作任何修改")
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    _refused(capsys, tmp_path, other, "不是本工具的绩效库")


def test_a_store_of_a_newer_schema(books, tmp_path, capsys):
    store = books["store"]
    run(capsys, "check", books["2022"], "--store", store)
    conn = sqlite3.connect(store)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _refused(capsys, tmp_path, store, "更新版本", "请升级 jixiao-xl")


def test_a_damaged_store_is_never_made_worse(books, tmp_path, capsys):
    store = books["store"]
    run(capsys, "check", books["2022"], "--store", store)
    conn = sqlite3.connect(store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(store.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    page = 65536 if page == 1 else page  # SQLite writes 1 for 64 KiB pages
    assert len(data) >= 2 * page
    data[page + 50: 2 * page] = b"\xff" * (page - 50)  # the page after sqlite_master's: the forms table
    store.write_bytes(bytes(data))
    _refused(capsys, tmp_path, store, "已损坏", "原文件未作修改")
    # history, which only reads, says the same (before: "程序内部错误（DatabaseError）"): the forms table damaged
    run(capsys, "check", books["2022"], "--store", tmp_path / "二.sqlite")
    store = tmp_path / "二.sqlite"
    conn = sqlite3.connect(store)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'forms'").fetchone()[0]
    conn.close()
    data = bytearray(store.read_bytes())
    data[(root - 1) * page: (root - 1) * page + 200] = b"\x07" * 200
    store.write_bytes(bytes(data))
    code, out, err = run(capsys, "history", "汨罗市司法局", "--store", store, "-o", tmp_path / "h.xlsx")
    assert code == 2 and "已损坏" in err and "内部错误" not in err and not (tmp_path / "h.xlsx").exists()


@pytest.mark.parametrize("left", ["closed", "wal", "wal with pages"])
def test_history_reads_a_store_in_a_read_only_folder(books, capsys, left):
    """A store on a read-only share: history exports it, whether the store was closed by this tool (rollback-
    journal mode) or left in WAL mode by an interrupted run (it cannot add its -shm there)."""
    import shutil
    import tempfile

    run(capsys, "check", books["2022"], "--store", books["store"])
    share = Path(tempfile.mkdtemp(dir="/tmp"))
    out = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        store = share / "绩效库.sqlite"
        shutil.copy(books["store"], store)
        if left in ("wal", "wal with pages"):
            conn = sqlite3.connect(store)
            assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
            conn.close()
        if left == "wal with pages":  # a -wal holding committed pages, as a killed writer leaves it
            (share / "绩效库.sqlite-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 4092)
        os.chmod(share, 0o555)
        os.chmod(out, 0o777)
        command = [sys.executable, "-m", "jixiao_xl", "history", "汨罗市司法局", "--store", str(store), "-o",
                   str(out / "h.xlsx")]
        if os.geteuid() == 0:  # root writes anywhere: run it as nobody
            share.chmod(0o555)
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
        if left == "wal with pages":  # read without them, it would answer from a store that misses them
            assert done.returncode == 2 and "旁边还有未并入的日志" in done.stderr and not (out / "h.xlsx").exists()
            return
        assert done.returncode == 0, done.stderr
        assert "2022 年度：3 张表" in done.stdout and (out / "h.xlsx").exists()
        assert sorted(p.name for p in share.iterdir()) == ["绩效库.sqlite"]
    finally:
        os.chmod(share, 0o755)
        shutil.rmtree(share, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)


def test_a_store_where_nothing_can_be_written(books, tmp_path, capsys):
    _refused(capsys, tmp_path, Path("/sys/绩效库.sqlite"), "不能写入")


def test_a_locked_store_waits_then_refuses_in_chinese(books, tmp_path, capsys, monkeypatch):
    from jixiao_xl.store import db as S

    store = books["store"]
    run(capsys, "check", books["2022"], "--store", store)
    monkeypatch.setattr(S, "WAIT_SECONDS", 0.3)
    other = sqlite3.connect(store, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    try:
        before = _dump_locked = store.read_bytes()
        code, out, err = run(capsys, "check", books["2023"], "--store", store)
        assert code == 2 and "正被其他程序写入" in err and "未写入任何内容" in err
        assert store.read_bytes() == before == _dump_locked
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_concurrent_writers_wait_for_each_other(books, tmp_path):
    """Two check --store at once on the same store: both finish, every form once, the file sound."""
    store = books["store"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    procs = [subprocess.Popen([sys.executable, "-m", "jixiao_xl", "check", str(path), "--store", str(store)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for path in (books["2022"], books["2023"])]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode in (0, 1), err.decode()
    conn = sqlite3.connect(store)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT year, count(*) FROM forms GROUP BY year").fetchall() == [(2022, 3), (2023, 3)]
    conn.close()


@pytest.mark.parametrize("wait", ["abc", "30秒", "-5"])
def test_a_store_wait_that_is_not_seconds_is_ignored_not_a_traceback(books, wait):
    """JIXIAO_STORE_WAIT set to something that is not a number of seconds: the command runs with the default wait
    (it crashed at import with a ValueError traceback before any command could run)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "JIXIAO_STORE_WAIT": wait}
    done = subprocess.run([sys.executable, "-m", "jixiao_xl", "check", str(books["2023"]), "--store",
                           str(books["store"])], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    assert "新存入 3 张表" in done.stdout + done.stderr


def test_explain_knows_the_history_rules(capsys):
    code, out, _ = run(capsys, "explain", "H101")
    assert code == 0 and "上年决算数与本单位上一年度填报的本年决算数不符" in out and "绩效库" in out
    code, out, _ = run(capsys, "explain", "H")
    assert code == 0 and all(c in out for c in ("H101", "H102", "H103"))


def test_unit_map_mistakes_are_one_chinese_line(books, tmp_path, capsys):
    mapping = tmp_path / "更名.txt"
    mapping.write_text("汨罗市司法行政局\n", encoding="utf-8")
    code, out, err = run(capsys, "check", books["2023"], "--store", books["store"], "--unit-map", mapping)
    assert code == 2 and err.strip() == f"jixiao-xl：单位更名对照表 {mapping} 第 1 行读不出“旧名称,新名称”：汨罗市司法行政局"
    assert not books["store"].exists()
    code, out, err = run(capsys, "check", books["2023"], "--unit-map", mapping)
    assert code == 2 and "--unit-map 需要和 --store 一起使用" in err
    cases = {  # an old name given two new names; a circle of renamings; no such file; a folder
        "两个新名称.csv": ("汨罗市司法行政局,汨罗市法务局\n汨罗市 司法行政局,汨罗市公安局\n",
                      "第 2 行：“汨罗市 司法行政局”在第 1 行已改为“汨罗市法务局”，这里又改为“汨罗市公安局”"),
        "绕圈.csv": ("汨罗市司法行政局,汨罗市法务局\n汨罗市法务局,汨罗市司法行政局\n",
                   "中的更名绕成了一圈（汨罗市司法行政局→汨罗市法务局→汨罗市司法行政局）"),
        "没有这个文件.csv": (None, "找不到单位更名对照表"),
        "一个文件夹": ("", "这是一个文件夹"),
    }
    for name, (text, said) in cases.items():
        given = tmp_path / name
        if text == "":
            given.mkdir()
        elif text is not None:
            given.write_text(text, encoding="utf-8")
        code, out, err = run(capsys, "check", books["2023"], "--store", books["store"], "--unit-map", given)
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1, err
        assert not re.search(r"[A-Za-z]{4,}", err.replace(str(tmp_path), "").replace("jixiao-xl", "")), err
        assert not books["store"].exists()


def test_history_of_a_store_that_is_missing_or_not_ours(tmp_path, capsys):
    code, out, err = run(capsys, "history", "汨罗市司法局", "--store", tmp_path / "无.sqlite", "-o", tmp_path / "h.xlsx")
    assert code == 2 and err.strip() == f"jixiao-xl：绩效库 {tmp_path / '无.sqlite'} 不存在或是空文件"
    text = tmp_path / "笔记.sqlite"
    text.write_text("不是数据库", encoding="utf-8")
    code, out, err = run(capsys, "history", "汨罗市司法局", "--store", text, "-o", tmp_path / "h.xlsx")
    assert code == 2 and "不是本工具的绩效库" in err and not (tmp_path / "h.xlsx").exists()


def test_a_store_locked_in_the_middle_of_a_run_rolls_back_that_group(books, monkeypatch):
    from jixiao_xl.store import db as S
    from jixiao_xl.store.records import records
    from jixiao_xl.rules.check import check_path

    monkeypatch.setattr(S, "WAIT_SECONDS", 0.3)
    store = S.Store.open(books["store"])
    store.add(records(check_path(str(books["2022"])), str(books["2022"])))
    store.commit()
    other = sqlite3.connect(books["store"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    store.add(records(check_path(str(books["2023"])), str(books["2023"])))
    with pytest.raises(S.StoreError) as refused:
        store.commit()
    assert str(refused.value) == (f"绩效库 {books['store']} 正被其他程序写入，等待 0.3 秒后仍未释放：这一组 1 个工作簿"
                                  "没有存入（已回滚，库未改动）；此前已存入 3 张表，重新运行时已存入的不会重复")
    other.execute("ROLLBACK")
    other.close()
    store.close()
    conn = sqlite3.connect(books["store"])
    assert conn.execute("SELECT year, count(*) FROM forms GROUP BY year").fetchall() == [(2022, 3)]
    conn.close()


# ------------------------------------------------------------------ what batch --store makes, made fast


def _published_and_seed(tmp_path) -> list[Path]:
    from .history_books import last_year, this_year
    from .published import workbook

    folder = Path(__file__).parent / "data" / "published"
    books = [workbook(p.stem, tmp_path) for p in sorted(folder.glob("*.json"))]
    return books + [last_year(tmp_path / "2022.xlsx"), this_year(tmp_path / "2023.xlsx")]


def test_figures_json_is_every_figure_with_its_label_and_cell(tmp_path):
    """The JSON batch --store writes straight (records.figures_json) says what the list form says, on every
    published table and on the seed of both years; and it holds the figures a reviewer looks for."""
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.store.records import figures, figures_json

    seen = 0
    for path in _published_and_seed(tmp_path):
        for form_report in check_path(str(path)).forms:
            for _ in range(2):  # the second time from what the first one kept
                assert json.loads(figures_json(form_report.form)) == figures(form_report.form), path.name
            seen += 1
    assert seen >= 25
    keyed = {}
    for year in ("2022", "2023"):
        basic = next(f.form for f in check_path(str(tmp_path / f"{year}.xlsx")).forms if f.form.kind == "basic_data")
        keyed[year] = {entry[0]: entry for entry in json.loads(figures_json(basic))}
    assert keyed["2023"]["car.prev_actual"][2:4] == ["B7", 17]  # the seed's own mistake: 17 where 0 + 9 = 9
    assert keyed["2022"]["car.actual"][2:4] == ["D7", 9] and "公务用车" in keyed["2022"]["car.actual"][1]


def test_previous_year_actuals_are_read_without_the_rest(tmp_path):
    """History's lookup decodes only the ".actual" figures the H rules compare: the same entries the whole
    JSON gives, also when a label or a text contains quotes, brackets or '.actual",' itself."""
    from jixiao_xl.store.db import Previous

    entries = [["ind:a\"b/c\\.actual", "x[\"y.actual\",", "B2", 1.0, None],
               ["k.actual", "l.actual", "C3", 0.95, "≥95%.actual"],
               ["q.target", ",[\"z.actual\",", "D4", None, "t.actual"],
               ["r.prev_actual", "s", "E5", 3, None], ["z.actual", "最后一个", "F6", 2, None]]
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    for stored in (text, text.encode()):
        prev = Previous(2022, "上年.xlsx", "单位", None, None, None, "万元", stored)
        assert prev.actuals == {e[0]: e for e in entries if e[0].endswith(".actual")}
        assert {e[0] for e in json.loads(stored)} == {e[0] for e in entries}  # what actuals cut from
    assert Previous(2022, "", "", None, None, None, None, b'[["a.actual",').actuals == {}  # edited by hand: silent


def test_batch_store_records_match_the_single_check(books, tmp_path):
    """A batch worker hands records its report's dict (records(data=)): what it stores is what check --store
    stores for the same file."""
    from jixiao_xl.rules.check import check_path
    from jixiao_xl.store.records import records

    report = check_path(str(books["2023"]))
    alone, shared = records(report, "x.xlsx"), records(report, "x.xlsx", data=report.to_dict())
    assert alone == shared and len(alone.forms) == 3
    dept = next(rec for rec in alone.forms if rec.form == "dept_self_eval")
    assert dept.total_score == 99 and dept.grade == "优" and json.loads(dept.results_json)["total_score"] == 99


def test_cross_year_sheet_is_sorted_and_shows_rates_as_percent(books, tmp_path, capsys):
    run(capsys, "batch", books["2022"].parent, "-o", tmp_path / "out22", "--store", books["store"])
    run(capsys, "batch", books["2023"].parent, "-o", tmp_path / "out23", "--store", books["store"])
    sheet = openpyxl.load_workbook(tmp_path / "out23" / "汇总.xlsx")["跨年"]
    header = [c.value for c in sheet[1]]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[1] for r in rows] == ["附件1", "附件2", "附件3"]  # by unit, form, project, year
    rate = header.index("本年执行率")
    project = rows[2]
    assert project[rate] == pytest.approx(1.0) and sheet.cell(4, rate + 1).number_format == "0.00%"
    assert project[header.index("上年执行率")] == pytest.approx(1.0)
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:O")


def test_cross_year_finds_a_renamed_units_last_year_and_keeps_odd_names(tmp_path, capsys):
    """跨年 in batch: last year stored under the old name is found through --unit-map; a project whose name is
    longer than a cell's inline text (written by xlsxwriter, not the workers' XML) still gets its row."""
    store = tmp_path / "s.sqlite"
    (tmp_path / "22").mkdir()
    (tmp_path / "23").mkdir()
    last_year(tmp_path / "22" / "old.xlsx", unit="汨罗市司法行政局")
    run(capsys, "batch", tmp_path / "22", "-o", tmp_path / "o22", "--store", store)
    this_year(tmp_path / "23" / "new.xlsx")
    mapping = tmp_path / "更名.csv"
    mapping.write_text("汨罗市司法行政局,汨罗市司法局\n", encoding="utf-8")
    code, out, err = run(capsys, "batch", tmp_path / "23", "-o", tmp_path / "o23", "--store", store,
                         "--unit-map", mapping)
    assert code == 1 and "新存入 3 张表" in out, err
    sheet = openpyxl.load_workbook(tmp_path / "o23" / "汇总.xlsx")["跨年"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in sheet.iter_rows(min_row=2)]
    dept = next(r for r in rows if r["表"] == "附件2")
    assert (dept["上年总分"], dept["本年总分"], dept["说明"]) == (99, 99, None)
    assert dept["上年文件"].endswith("old.xlsx") and next(r for r in rows if r["表"] == "附件1")["跨年问题数"] == 1

    odd = tmp_path / "odd"
    odd.mkdir()
    book = this_year(odd / "odd.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["附件3"]["B3"] = long = "司法专项" * 4200
    wb.save(book)
    code, out, err = run(capsys, "batch", odd, "-o", tmp_path / "oodd", "--store", tmp_path / "odd.sqlite")
    assert "新存入 3 张表" in out, err
    sheet = openpyxl.load_workbook(tmp_path / "oodd" / "汇总.xlsx")["跨年"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3 and all(r[13] == "库中没有上年" for r in rows)
    assert rows[2][2] == long and rows[2][1] == "附件3"
    rate = next(r for r in range(2, 5) if sheet.cell(r, 10).value is not None)  # 本年执行率 of 附件2
    assert sheet.cell(rate, 10).value == pytest.approx(1.0) and sheet.cell(rate, 10).number_format == "0.00%"


def test_a_year_on_its_own_line_under_the_title_is_the_forms_year(tmp_path, capsys):
    """新疆阜康's published 附件3: "项目支出绩效自评表" in A1, "(2023年度)" alone in A2 (the official layout). Its year
    is read from that line, so the store keeps it (before: "读不出单位名称、年度", nothing stored); written
    "2023年度" or "（2023年度）" alike."""
    from .published import workbook

    for i, line in enumerate(["(2023年度)", "2023年度", "（2023年度）"]):
        (tmp_path / str(i)).mkdir()
        path = workbook("xinjiang_fukang_tongjiju_2023_project", tmp_path / str(i), {(1, 0): line})
        store = tmp_path / f"s{i}.sqlite"
        code, out, err = run(capsys, "check", path, "--store", store)
        assert "新存入 1 张表" in out, out
        conn = sqlite3.connect(store)
        assert conn.execute("SELECT year, form FROM forms").fetchall() == [(2023, "project_self_eval")]
        conn.close()


def _split(book: Path, folder: Path) -> None:
    """The workbook as a department also sends it: 附件1 in a file of its own (it has no 单位 line), 附件2 and
    附件3 in another, both in the department's folder."""
    folder.mkdir(parents=True)
    for name, keep in (("附件1.xlsx", {"附件1"}), ("附件2、3.xlsx", {"附件2", "附件3"})):
        part = openpyxl.load_workbook(book)
        for sheet in list(part.sheetnames):
            if sheet not in keep:
                del part[sheet]
        part.save(folder / name)


def test_a_lone_basic_data_file_is_its_folders_unit_in_the_summary_and_the_store(books, tmp_path, capsys):
    # 附件1 names no unit: sent alone, it was 汇总's "附件1" (its file name), never stored, and so never last
    # year's for H101 — the example's one real error (17 where 0 + 9 = 9) went unseen when the files were split
    for year in ("2022", "2023"):
        _split(books[year], tmp_path / f"in{year}" / "司法局")
    code, out, err = run(capsys, "batch", tmp_path / "in2022", "-o", tmp_path / "out2022", "--store", books["store"])
    assert "新存入 3 张表" in out and "未存入" not in out
    code, out, err = run(capsys, "batch", tmp_path / "in2023", "-o", tmp_path / "out2023", "--store", books["store"])
    assert code == 1 and "新存入 3 张表" in out and "未存入" not in out
    with sqlite3.connect(books["store"]) as conn:
        stored = conn.execute("SELECT year, form, unit, source_file FROM forms WHERE form = 'basic_data' "
                              "ORDER BY year").fetchall()
    assert [(y, u, Path(f).name) for y, _, u, f in stored] == [(2022, "汨罗市司法局", "附件1.xlsx"),
                                                               (2023, "汨罗市司法局", "附件1.xlsx")]
    data = json.loads((tmp_path / "out2023" / "findings.json").read_text(encoding="utf-8"))
    (basic,) = [f for f in data["files"] if f["path"].endswith("附件1.xlsx")]
    (h101,) = [x for form in basic["forms"] for x in form["findings"] if x["code"] == "H101"]
    assert (h101["cell"], h101["expected"], h101["found"]) == ("B7", 9, 17)
    assert "本单位 2022 年填报的公务用车购置和维护经费决算数为 9" in h101["message"]
    book = openpyxl.load_workbook(tmp_path / "out2023" / "汇总.xlsx")
    units = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert units == {"司法局/附件1.xlsx": "汨罗市司法局", "司法局/附件2、3.xlsx": "汨罗市司法局"}
    assert {r[1] for r in book["问题明细"].iter_rows(min_row=2, values_only=True) if r[0]} == {"汨罗市司法局"}
    cross = [r[:3] for r in book["跨年"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert ("汨罗市司法局", "附件1", "（部门整体）") in cross

    # without a store the rows say the unit too; a folder naming two units leaves its lone 附件1 by file name
    code, out, err = run(capsys, "batch", tmp_path / "in2023", "-o", tmp_path / "plain")
    rows = openpyxl.load_workbook(tmp_path / "plain" / "汇总.xlsx")["汇总"].iter_rows(min_row=2, values_only=True)
    assert {r[0]: r[1] for r in rows if r[0]}["司法局/附件1.xlsx"] == "汨罗市司法局"
    other = tmp_path / "in2023" / "司法局" / "另一单位.xlsx"
    this_year(other, unit="汨罗市财政局")
    code, out, err = run(capsys, "batch", tmp_path / "in2023", "-o", tmp_path / "two")
    rows = openpyxl.load_workbook(tmp_path / "two" / "汇总.xlsx")["汇总"].iter_rows(min_row=2, values_only=True)
    assert {r[0]: r[1] for r in rows if r[0]}["司法局/附件1.xlsx"] == "附件1"
