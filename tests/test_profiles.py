"""Province profiles as data (issue 22): checked files with sources, chosen from the form, --profile wins."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao_xl.rules.check import check_path
from jixiao_xl.cli import main
from jixiao_xl.compute.profiles import DATA, ProfileError, get_profile, load, profiles, weights_complete

from .helpers import by_code, check_file, clean_seed, set_cells
from .published import table, workbook
from .test_seed import EXAMPLE

SECTIONS = ("execution", "level1", "indicators", "deviation", "grades")


def test_bundled_profiles_cover_ten_provinces_each_rule_with_its_source():
    loaded = profiles()
    provinces = {p.province for p in loaded.values()} - {"全国", "中央"}
    assert len(provinces) >= 10, provinces
    assert {"national", "central", "hunan"} <= set(loaded)
    for profile in loaded.values():
        for section in SECTIONS:
            source = profile.data["sources"][profile.data[section]["source"]]
            assert source["address"] and source["text"] and source["grade"] in "ABC", (profile.name, section)
    assert get_profile("hubei").exec_weight == 20 and get_profile("jiangxi").exec_mode == "bands"
    assert get_profile("henan").level1 == {"成本指标": 10, "产出指标": 30, "效益指标": 25, "满意度指标": 5}
    assert get_profile("hubei").scoring.band_partial == 0.5 and get_profile("hubei").scoring.reverse_mode == "hubei"


def broken(tmp_path, change) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    data = json.loads((DATA / "hubei.json").read_text(encoding="utf-8"))
    change(data)
    (folder / "hubei.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("change, field", [
    (lambda d: d["execution"].pop("weight"), "execution.weight"),
    (lambda d: d["execution"].update(mode="halves"), "execution.mode"),
    (lambda d: d["level1"].update(weights={"产出指标": "三十"}), "level1.weights.产出指标"),
    (lambda d: d["level1"].update(weights={"产出指标": {"数量指标": 0}}), "level1.weights.产出指标.数量指标"),
    (lambda d: d["level1"].update(weights={"产出指标": {}}), "level1.weights.产出指标"),
    (lambda d: d.update(sources={}), "sources"),
    (lambda d: d["grades"].update(source="nowhere"), "grades.source"),
    (lambda d: d.update(name="hubie"), "name"),
    (lambda d: d["indicators"].update(qualitative_bands=[0.5, 0.8]), "indicators.qualitative_bands"),
    (lambda d: d["sources"]["hubei_notes"].update(grade="D"), "sources.hubei_notes.grade"),
    (lambda d: d["execution"].update(mode="bands"), "execution.bands"),
    (lambda d: d["execution"].update(mode="bands", bands=[[0.6, 0.5], [0.8, 0.7], [0, 0]]), "execution.bands"),
    (lambda d: d["execution"].update(mode="bands", bands=[[1.0, 1.0], [0.8, 7]]), "execution.bands"),
    (lambda d: d["execution"].update(decimals=2.5), "execution.decimals"),
])
def test_a_bad_profile_file_is_one_line_naming_file_and_field(tmp_path, change, field):
    with pytest.raises(ProfileError) as exc:
        load(broken(tmp_path, change))
    text = str(exc.value)
    assert text.startswith("评分口径文件 hubei.json") and field in text and "\n" not in text


def test_level2_weights_are_the_profiles_and_their_sums_its_level1():
    """二级 weights live in the profile file; the 一级 weight is their sum, typed nowhere else, and the blank
    template's 二级 rows are the profile's."""
    from jixiao_xl.write.template import levels

    hunan, national = get_profile("hunan"), get_profile("national")
    assert hunan.level1 == {"产出指标": 30, "效益指标": 30, "满意度指标": 10, "成本指标": 20}
    assert national.level1 == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    for profile in profiles().values():
        assert {k: sum(v.values()) for k, v in profile.level2.items()} == {
            k: v for k, v in profile.level1.items() if k in profile.level2}
        raw = profile.data["level1"]["weights"] or {}
        assert not any(isinstance(v, dict) for v in raw.values()) or profile.level2  # each 一级 given once
    assert levels(national)[0] == ("产出指标", [("数量指标", 15), ("质量指标", 15), ("时效指标", 10), ("成本指标", 10)])
    # a profile without 二级: another's that add up to its 一级 (安徽 50/30/10 = 10号's), else 10号's rows, with
    # their 分值 only where those leave its 执行率 分值 to make 100 (湖北's 20: none) — never 湖南's 30/30/10/20,
    # which made a blank 湖北 template's own check report 20 + 90 = 110 (W102)
    assert levels(get_profile("anhui")) == levels(get_profile("sichuan")) == levels(national)
    hubei = levels(get_profile("hubei"))
    assert [(n, [p for p, _ in ps]) for n, ps in hubei] == [(n, [p for p, _ in ps]) for n, ps in levels(national)]
    assert {w for _, parts in hubei for _, w in parts} == {None}
    for profile in profiles().values():  # each blank template's 一级 分值 are its profile's own, or make 100 with
        rows = levels(profile)           # its 执行率 分值, or are left for the unit to type
        weights = [w for _, parts in rows for _, w in parts if w is not None]
        if profile.level1 and not weights_complete(profile):  # 河南: 80 of 100 sourced, every 分值 the unit's
            assert [n for n, _ in rows] == list(profile.level1) and not weights, profile.name
        elif profile.level1:
            assert {n: sum(w for _, w in parts) for n, parts in rows} == profile.level1, profile.name
        else:
            assert not weights or sum(weights) + profile.exec_weight == 100, profile.name
    assert sum(w for _, parts in levels(hunan) for _, w in parts) + hunan.exec_weight == 100


def test_a_bad_profile_file_stops_the_cli_at_start(tmp_path):
    folder = broken(tmp_path, lambda d: d["execution"].pop("weight"))
    env = dict(__import__("os").environ, JIXIAO_PROFILE_DIR=str(folder))
    done = subprocess.run([sys.executable, "-m", "jixiao_xl", "check", str(EXAMPLE)], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "jixiao-xl：评分口径文件 hubei.json：缺少字段 execution.weight\n"


def test_a_bureaus_own_profile_folder_adds_profiles(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "own"
    folder.mkdir()
    data = json.loads((DATA / "hunan.json").read_text(encoding="utf-8"))
    data.update(name="yueyang", label="岳阳市（本局口径）")
    (folder / "yueyang.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("JIXIAO_PROFILE_DIR", str(folder))
    assert main(["profiles"]) == 0
    assert "岳阳市（本局口径）" in capsys.readouterr().out
    assert main(["check", str(EXAMPLE), "--profile", "yueyang"]) == 1


@pytest.mark.parametrize("command", [["check", "a.xlsx"], ["fill", "a.xlsx", "-o", "b.xlsx"], ["batch", "in", "-o", "out"]])
def test_an_unknown_profile_lists_the_known_ones(capsys, command):
    assert main(command + ["--profile", "beijing"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jixiao-xl：未知的评分口径：beijing。可选：") and "hubei（湖北）" in err and err.count("\n") == 1


def test_profiles_lists_and_explains_with_sources(capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if "执行率" in line]) == len(profiles())
    assert main(["profiles", "explain", "hubei"]) == 0
    out = capsys.readouterr().out
    assert "执行率：分值 20" in out and "部分达成 50%–80%" in out and "https://1wenmi.com/doc/330418.html" in out


# ------------------------------------------------------------------ the form decides


@pytest.mark.parametrize("name, chosen", [
    ("sichuan_qingshen_2023_project", "sichuan"), ("anhui_tianchang_2022_project", "anhui"),
    ("yunnan_changning_2022_project", "yunnan_baoshan"), ("ningxia_yinchuan_2021_project", "ningxia"),
    ("hebei_langfang_2019_project", "hebei"), ("hunan_hengshan_2020_county_special_unscored", "hunan"),
])
def test_published_tables_are_checked_under_their_own_province(tmp_path, name, chosen):
    report = check_path(str(workbook(name, tmp_path)))
    assert report.profile["name"] == chosen and report.profile["known"], report.profile
    assert not by_code(report, "W105") and not by_code(report, "P001")


def test_a_table_without_province_marks_is_checked_on_what_it_prints(tmp_path):
    report = check_path(str(workbook("yunnan_lijiang-gucheng_2020_project", tmp_path)))
    assert report.profile["known"] is False
    (info,) = by_code(report, "P001")
    assert info.severity == "info" and "--profile" in info.message
    # the 20-point form of 湖北 or 保山 without a place: both are named as candidates, neither is assumed
    report = check_path(str(workbook("hubei_unknown-jinbu_2020_project", tmp_path)))
    assert report.profile["known"] is False and {"hubei", "yunnan_baoshan"} <= set(report.profile["candidates"])
    (form,) = report.forms
    printed = table("hubei_unknown-jinbu_2020_project")["printed"]
    assert form.results.exec_score == printed["exec_score"] and form.results.total_score == printed["total"]


def test_profile_weights_only_when_the_province_is_known(tmp_path):
    name = "ningxia_yinchuan_2021_project"  # 决策 10 / 管理 25 / 产出 30 / 效益 35, correct for 宁夏
    path = workbook(name, tmp_path)
    assert not by_code(check_path(str(path)), "W105")
    named = by_code(check_path(str(path), get_profile("hunan")), "W105")  # --profile always wins
    assert [f.text for f in named] == [
        "项目决策为 10 分，湖南口径中没有“项目决策”这一项一级指标", "项目管理为 25 分，湖南口径中没有“项目管理”这一项一级指标",
        "项目效益为 35 分，按湖南口径应为 30 分"]  # 项目产出 30 is 湖南's 产出指标 30 (forms.LEVEL1_NAMES)


def test_the_seed_is_hunan_from_its_own_marks_and_another_profile_when_named(tmp_path):
    report = check_file(tmp_path, clean_seed())
    assert report.profile["name"] == "hunan" and "汨罗" in report.profile["reason"]
    named = check_path(str(tmp_path / "book.xlsx"), get_profile("national"))
    assert {(f.cell, f.expected, f.found) for f in by_code(named, "W105") if f.sheet == "附件3"} == {
        ("B13", 50, 30.0), ("B21", None, 20.0)}


def test_rates_over_100_are_allowed_only_where_the_profile_says(tmp_path):
    over = set_cells(clean_seed(), {"附件3!E6": 90, "附件3!E7": 90})
    assert by_code(check_file(tmp_path, over), "E102")[0].found == pytest.approx(90 / 83, abs=1e-4)
    shutil.copy(tmp_path / "book.xlsx", tmp_path / "zj.xlsx")
    assert not by_code(check_path(str(tmp_path / "zj.xlsx"), get_profile("zhejiang")), "E102")


def test_a_note_that_disagrees_with_the_headers_is_a_warning_not_an_error(tmp_path):
    """中江 2022: headers 产出70/效益20/满意度10, the 注 on the same table 产出50/效益30/满意度10/执行率10."""
    name = "sichuan_zhongjiang_2022_project"
    printed = table(name)["printed"]
    report = check_path(str(workbook(name, tmp_path)))
    found = {(f.expected, f.found) for f in by_code(report, "W107")}
    disagree = {(float(printed["level1_in_note"][k]), float(v)) for k, v in printed["level1"].items()
                if printed["level1_in_note"][k] != v}
    assert found == disagree == {(50.0, 70.0), (30.0, 20.0)}
    assert all(f.severity == "warning" and "计算按表头" in f.message for f in by_code(report, "W107"))
    (form,) = report.forms  # the arithmetic follows the headers: the 110 the table adds up to is said
    assert form.results.weight_total == printed["exec_weight"] + sum(printed["level1"].values())


@pytest.mark.parametrize("text", ["确保定期开展督查", "长治久安", "大同小异", "接待来宾", "推广安全知识", "开封检查",
                                  "日常德育工作", "湘江西岸治理"])
def test_words_that_merely_contain_a_place_name_are_no_evidence(text):
    from jixiao_xl.compute.detect import choose

    choice = choose(None, text)
    assert choice.known is False and choice.candidates == (), (text, choice)


def test_explain_shows_a_profile_and_zero_over_zero_follows_it(tmp_path, capsys):
    assert main(["explain", "jiangxi"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("jiangxi：江西") and "分档" in out and "selfbdgpay.js" in out
    zero = set_cells(clean_seed(), {f"附件3!{c}{r}": 0 for c in "CDE" for r in (6, 7)} | {"附件3!G6": None,
                                                                                      "附件3!H6": None})
    report = check_file(tmp_path, zero)
    (project,) = [f for f in report.forms if f.kind == "project_self_eval"]
    assert project.results.exec_rate is None  # 0 ÷ 0 is not a rate nationally …
    zj = check_path(str(tmp_path / "book.xlsx"), get_profile("zhejiang"))
    (project,) = [f for f in zj.forms if f.kind == "project_self_eval"]
    assert project.results.exec_rate == 1.0 and project.results.exec_score == 10  # … 100 % in 浙江


def test_a_bureaus_file_written_for_the_earlier_jiangxi_mode_still_scores_by_its_bands(tmp_path):
    """A profile file of an earlier version says execution.mode "jiangxi" (no bands listed): it loads, and scores
    the 执行率 by the bands that mode scored by (100 % full, ≥ 80 % 70 %, ≥ 60 % 50 %, below 0)."""
    folder = broken(tmp_path, lambda d: d["execution"].update(mode="jiangxi"))
    profile = load(folder)["hubei"]
    assert profile.exec_mode == "bands" and profile.score_bands == ((1.0, 1.0), (0.8, 0.7), (0.6, 0.5), (0.0, 0.0))
    from jixiao_xl.compute.scoring import exec_score

    assert [exec_score(rate, 20, profile.score_bands, profile.rate_decimals) for rate in (1.0, 0.9, 0.7, 0.5)] == [
        20, 14, 10, 0]
