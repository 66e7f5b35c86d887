"""Scoring profiles: the weights and thresholds that differ by province, as data.

Each profile is one JSON file in ``profile_data/`` (national, 中央部门 and one per province or scheme):
how to recognise the form (place names, marks printed on it), the 执行率 weight and mode, what 0/0 and
more than 100 % mean, the 一级 weights and whether a unit may vary them, indicator scoring, when a
偏差原因 is required, the grade bands, and for every rule its source (document or published address)
with how sure it is (A: read on a public form or notice; B: a document known by number; C: the
budget platform's performance module). Files are read and checked when first asked for; a missing or
wrong field stops with one Chinese line naming the file and the field.

What the form itself prints (weights in its headers, the 执行率 分值) decides the arithmetic; a profile
fills in only what the form leaves out, and rules that only a profile justifies (W105) speak only when
the form's province is known (``--profile``, or ``detect.choose`` sure of it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..problems import cause
from ..read.forms import level1_name
from .scoring import Scoring, band_label

DATA = Path(__file__).parent / "profile_data"
EVIDENCE = {"A": "公开的表格或文件原文", "B": "已知文号的文件（原文未复核）", "C": "预算管理一体化系统绩效模块的做法"}
# how the 执行率 is scored: in proportion, or by the bands a profile lists (execution.bands, highest first:
# [lowest rate, share of the 分值]); a band is chosen on the rate as the form shows it (execution.decimals)
EXEC_MODES = {"proportional": "分值 × 执行率（不超过分值）", "bands": "分档计分"}


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    exec_weight: float
    level1: dict[str, float]  # 一级 name → 分值 (a sum of its 二级 when the file gives them)
    exec_mode: str = "proportional"  # proportional | bands
    # the 一级 whose rows score the 执行率 as a 三级指标 (宁夏: 项目管理 → 投入管理 → 预算执行率, its 分值 one of the
    # 一级's): the funds block then has no 分值 of its own (``exec_block_weight`` 0), never counted twice
    exec_within: str = ""
    exec_bands: tuple = ()  # bands: ((lowest rate, share of the 分值), …) highest first, the last from 0
    rate_decimals: int = 2  # decimals of a percent a 执行率 is shown (and banded) with
    scoring: Scoring = field(default_factory=Scoring)
    addition_threshold: float = 0.30  # (全年 − 年初) ÷ 年初 above this → warning
    low_exec: float = 0.90  # 执行率 below this needs an explanation
    score_gap: float = 0.05  # indicator score rate above 执行率 by more → warning
    unexecuted: float = 0.20  # (预算 − 执行) ÷ 预算 above this → warning
    tolerance_amount: float = 0.005  # 万元
    tolerance_rate: float = 0.0001  # a stated rate whose precision cannot be told (else half its last digit shown)
    tolerance_score: float = 0.005
    province: str = ""
    over_100: str = "capped"  # capped (E102 reports it) | allowed (浙江)
    zero_budget_rate: float | None = None  # 执行率 of 0 ÷ 0: None (not defined) or 1.0 (浙江)
    level1_adjustable: bool = False
    places: tuple = ()  # names on a form that place it in this profile's province
    marks: tuple = ()  # texts printed only on this profile's forms
    min_score: float = 2
    level2: dict[str, dict[str, float]] = field(default_factory=dict)  # 一级 → 二级 → 分值 (a blank template's rows)
    # the forms a department's material must hold besides its 附件3 ("附件1", "附件2"): 退回清单 asks for them
    # only where the province's own rule does (湖南's 基础数据表 is its own form)
    materials: tuple = ()
    data: dict = field(default_factory=dict, compare=False, hash=False, repr=False)  # the file, for explain
    # False: the fallback a check takes when the form's province is not known (detect.choose) — then a weight the
    # form does not print is not made up from it where the form has no place for it (results.exec_weight)
    known: bool = field(default=True, compare=False, hash=False, repr=False)

    def level1_weight(self, name: str) -> float | None:
        """The 分值 this profile gives the 一级 a form names so ("一、产出", "服务对象满意度": the same 一级 as its
        产出指标, 满意度指标, ``forms.LEVEL1_NAMES``); None when it has no such 一级."""
        want = level1_name(name)
        return next((w for k, w in self.level1.items() if level1_name(k) == want), None) if want else None

    @property
    def exec_block_weight(self) -> float:
        """The 分值 the funds block's 执行率 counts in the 总分: 0 when a 一级's row scores it (``exec_within``)."""
        return 0.0 if self.exec_within else self.exec_weight

    @property
    def score_bands(self) -> tuple:
        """The bands the 执行率 is scored by; () when it is scored in proportion."""
        return self.exec_bands if self.exec_mode == "bands" else ()


class ProfileError(ValueError):
    """A profile file with a missing or wrong field (one Chinese line naming the file and the field)."""


def _need(data: dict, path: str, kind, file: str, allow_none: bool = False):
    value = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ProfileError(f"评分口径文件 {file}：缺少字段 {path}")
        value = value[part]
    if value is None and allow_none:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        names = {str: "文字", list: "列表", dict: "对象", bool: "true 或 false", (int, float): "数字"}
        raise ProfileError(f"评分口径文件 {file}：字段 {path} 应为{names.get(kind, '数字')}，现为 {value!r}")
    return value


def _check(data: dict, file: str) -> None:
    number = (int, float)
    name = _need(data, "name", str, file)
    if name != Path(file).stem:
        raise ProfileError(f"评分口径文件 {file}：字段 name 应与文件名相同（{Path(file).stem}），现为 {name!r}")
    for path in ("label", "province", "evidence"):
        _need(data, path, str, file)
    if data["evidence"] not in EVIDENCE:
        raise ProfileError(f"评分口径文件 {file}：字段 evidence 应为 A、B 或 C，现为 {data['evidence']!r}")
    _need(data, "detect.places", list, file)
    _need(data, "detect.marks", list, file)
    _need(data, "detect.min_score", number, file)
    if _need(data, "execution.weight", number, file) <= 0:
        raise ProfileError(f"评分口径文件 {file}：字段 execution.weight 应大于 0")
    if _need(data, "execution.mode", str, file) not in EXEC_MODES:
        raise ProfileError(f"评分口径文件 {file}：字段 execution.mode 应为 {'、'.join(EXEC_MODES)} 之一，"
                           f"现为 {data['execution']['mode']!r}")
    if data["execution"]["mode"] == "bands":
        _check_bands(data["execution"].get("bands"), file)
    decimals = data["execution"].get("decimals", 2)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
        raise ProfileError(f"评分口径文件 {file}：字段 execution.decimals 应为 0 到 4 的整数（执行率百分数保留的小数位数），"
                           f"现为 {decimals!r}")
    if _need(data, "execution.over_100", str, file) not in ("capped", "allowed"):
        raise ProfileError(f"评分口径文件 {file}：字段 execution.over_100 应为 capped 或 allowed")
    _need(data, "execution.zero_budget_rate", number, file, allow_none=True)
    weights = _need(data, "level1.weights", dict, file, allow_none=True)
    within = data["execution"].get("within")
    if within is not None and (not isinstance(within, str) or within not in (weights or {})):
        raise ProfileError(f"评分口径文件 {file}：字段 execution.within 应为 level1.weights 中的一项一级指标（执行率作为"
                           f"其下的三级指标计分时），现为 {within!r}")
    for key, value in (weights or {}).items():
        if isinstance(value, dict) and value:  # its 二级 weights: the 一级 weight is their sum, never typed again
            for name, part in value.items():
                if not _positive(part):
                    raise ProfileError(f"评分口径文件 {file}：字段 level1.weights.{key}.{name} 应为大于 0 的数字，"
                                       f"现为 {part!r}")
        elif not _positive(value):
            raise ProfileError(f"评分口径文件 {file}：字段 level1.weights.{key} 应为大于 0 的数字（或其二级指标的分值，"
                               f"如 {{\"数量指标\": 10}}），现为 {value!r}")
    _need(data, "level1.adjustable", bool, file)
    bands = _need(data, "indicators.qualitative_bands", list, file)
    if len(bands) != 2 or not all(isinstance(b, number) for b in bands) or not 1 > bands[0] > bands[1] > 0:
        raise ProfileError(f"评分口径文件 {file}：字段 indicators.qualitative_bands 应为两个递减的比例，如 [0.8, 0.6]")
    if _need(data, "indicators.reverse", str, file) not in ("platform", "hubei"):
        raise ProfileError(f"评分口径文件 {file}：字段 indicators.reverse 应为 platform 或 hubei")
    if _need(data, "indicators.over_achievement", number, file) <= 1:
        raise ProfileError(f"评分口径文件 {file}：字段 indicators.over_achievement 应大于 1")
    _need(data, "deviation.explain_below", number, file, allow_none=True)
    grade_bands = _need(data, "grades.bands", list, file)
    if [b[0] for b in grade_bands if isinstance(b, list)] != ["优", "良", "中", "差"]:
        raise ProfileError(f"评分口径文件 {file}：字段 grades.bands 应依次为 优、良、中、差 及其最低分")
    if _need(data, "grades.boundary", str, file) not in (">=", ">"):
        raise ProfileError(f"评分口径文件 {file}：字段 grades.boundary 应为 >= 或 >")
    sources = _need(data, "sources", dict, file)
    if not sources:
        raise ProfileError(f"评分口径文件 {file}：字段 sources 不能为空（每条规则都要写明来源）")
    for key, source in sources.items():
        for part in ("text", "address", "grade"):
            _need(source, part, str, f"{file} sources.{key}")
        if source["grade"] not in EVIDENCE:
            raise ProfileError(f"评分口径文件 {file}：字段 sources.{key}.grade 应为 A、B 或 C")
    optional = [section for section in ("materials",) if section in data]
    for section in ("execution", "level1", "indicators", "deviation", "grades", *optional):
        ref = _need(data, f"{section}.source", str, file)
        if ref not in sources:
            raise ProfileError(f"评分口径文件 {file}：字段 {section}.source 指向的来源“{ref}”不在 sources 中")
    if optional:
        forms = _need(data, "materials.forms", list, file)
        if not set(forms) <= {"附件1", "附件2"}:
            raise ProfileError(f"评分口径文件 {file}：字段 materials.forms 只能列出“附件1”“附件2”")


def _check_bands(bands, file: str) -> None:
    """execution.bands: [[lowest rate, share of the 分值], …], the lowest rates falling to 0, shares in [0, 1]."""
    example = "如 [[1.0, 1.0], [0.8, 0.7], [0.6, 0.5], [0, 0]]"
    if not isinstance(bands, list) or not bands:
        raise ProfileError(f"评分口径文件 {file}：字段 execution.mode 为 bands 时须有 execution.bands，列出各档的"
                           f"最低执行率和得分占分值的比例（{example}）")
    lowest = []
    for band in bands:
        if not (isinstance(band, list) and len(band) == 2 and all(_number(v) for v in band) and 0 <= band[1] <= 1
                and band[0] >= 0):
            raise ProfileError(f"评分口径文件 {file}：字段 execution.bands 的每一档应为 [最低执行率, 得分比例]，"
                               f"比例在 0 到 1 之间（{example}），现为 {band!r}")
        lowest.append(band[0])
    if any(a <= b for a, b in zip(lowest, lowest[1:])) or lowest[-1] != 0:
        raise ProfileError(f"评分口径文件 {file}：字段 execution.bands 应从高到低排列，最后一档从 0 起（{example}）")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def level_weights(weights: dict | None) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """``level1.weights`` of a profile file → (一级 → 分值, 一级 → 二级 → 分值).

    A 一级 is given either its 分值 or its 二级 with theirs ({"产出指标": {"数量指标": 10, …}}); the 一级 分值 is
    then their sum, so no total is typed twice."""
    level1, level2 = {}, {}
    for name, value in (weights or {}).items():
        if isinstance(value, dict):
            level2[name] = dict(value)
            level1[name] = sum(value.values())
        else:
            level1[name] = value
    return level1, level2


# the bands the mode "jiangxi" of earlier versions scored by (a bureau's own file may still say so)
LEGACY_JIANGXI_BANDS = [[1.0, 1.0], [0.8, 0.7], [0.6, 0.5], [0, 0]]


def _legacy(data: dict) -> dict:
    """A file written for an earlier version: execution.mode "jiangxi" is the mode "bands" with 江西's bands
    (those it lists, else the ones that mode scored by)."""
    ex = data.get("execution")
    if isinstance(ex, dict) and ex.get("mode") == "jiangxi":
        data = {**data, "execution": {**ex, "mode": "bands", "bands": ex.get("bands") or LEGACY_JIANGXI_BANDS}}
    return data


def from_data(data: dict, file: str) -> Profile:
    data = _legacy(data)
    _check(data, file)
    ex, ind = data["execution"], data["indicators"]
    level1, level2 = level_weights(data["level1"]["weights"])
    bands = ind["qualitative_bands"]
    scoring = Scoring(reverse_mode=ind["reverse"], band_achieved=bands[0], band_partial=bands[1],
                      overachievement=ind["over_achievement"])
    return Profile(
        data["name"], data["label"], float(ex["weight"]), level1,
        exec_mode=ex["mode"], exec_bands=tuple((float(a), float(b)) for a, b in ex.get("bands") or ()),
        rate_decimals=ex.get("decimals", 2), exec_within=ex.get("within") or "", scoring=scoring, province=data["province"], over_100=ex["over_100"],
        zero_budget_rate=ex["zero_budget_rate"], level1_adjustable=data["level1"]["adjustable"],
        places=tuple(data["detect"]["places"]), marks=tuple(data["detect"]["marks"]),
        min_score=data["detect"]["min_score"], level2=level2,
        materials=tuple(data.get("materials", {}).get("forms", ())), data=data)


def load(folder: Path = DATA) -> dict[str, Profile]:
    """Every profile file of ``folder``, checked (ProfileError on the first bad field)."""
    out = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            where = f"第 {exc.lineno} 行第 {exc.colno} 列有误" if isinstance(exc, json.JSONDecodeError) else cause(exc)
            raise ProfileError(f"评分口径文件 {path.name}：不是有效的 JSON（{where}）") from None
        if not isinstance(data, dict):
            raise ProfileError(f"评分口径文件 {path.name}：内容应为一个对象")
        out[path.stem] = from_data(data, path.name)
    return out


_LOADED: dict = {}  # "extra": the JIXIAO_PROFILE_DIR they were read with, "profiles": name -> Profile


def profiles() -> dict[str, Profile]:
    """The bundled profiles, then a bureau's own from the folder JIXIAO_PROFILE_DIR names (same format; a
    file named like a bundled one replaces it), read once."""
    import os

    extra = os.environ.get("JIXIAO_PROFILE_DIR", "")
    if "profiles" not in _LOADED or _LOADED["extra"] != extra:
        found = load()
        if extra:
            if not Path(extra).is_dir():
                raise ProfileError(f"JIXIAO_PROFILE_DIR 指向的文件夹不存在：{extra}")
            found.update(load(Path(extra)))
        _LOADED.update(extra=extra, profiles=found)
    return _LOADED["profiles"]


def unknown_profile(name: str) -> str:
    listed = "、".join(f"{p.name}（{p.label}）" for p in profiles().values())
    return f"未知的评分口径：{name}。可选：{listed}"


def get_profile(name: str = "hunan", **overrides) -> Profile:
    """A profile by name, with any field overridden (exec_mode="proportional", ...).  exec_mode may also name a
    banded profile (--exec-mode jiangxi): the 执行率 is then scored by that profile's bands."""
    try:
        profile = profiles()[name]
    except KeyError:
        raise ValueError(unknown_profile(name)) from None
    mode = overrides.get("exec_mode")
    if mode is not None and mode not in EXEC_MODES:
        banded = profiles().get(mode)
        if banded is None or not banded.score_bands:
            raise ValueError(f"未知的执行率计分方式：{mode}")
        overrides.update(exec_mode="bands", exec_bands=banded.exec_bands, rate_decimals=banded.rate_decimals)
    elif mode == "bands" and not overrides.get("exec_bands", profile.exec_bands):
        raise ValueError(f"评分口径 {name} 没有列出执行率的分档（execution.bands）")
    scoring_fields = {k: overrides.pop(k) for k in list(overrides) if k in Scoring.__dataclass_fields__}
    if scoring_fields:
        overrides["scoring"] = replace(profile.scoring, **scoring_fields)
    return replace(profile, **overrides) if overrides else profile


def with_exec_mode(profile: Profile, mode: str | None) -> Profile:
    """``profile`` with its 执行率 scored by ``mode`` (--exec-mode: "proportional", or a banded profile's name such
    as "jiangxi": that profile's bands); everything else, ``known`` included, as it is.  None: ``profile``."""
    if not mode:
        return profile
    if mode in EXEC_MODES:
        if mode == "bands" and not profile.exec_bands:
            raise ValueError(f"评分口径 {profile.name} 没有列出执行率的分档（execution.bands）")
        return replace(profile, exec_mode=mode)
    banded = profiles().get(mode)
    if banded is None or not banded.score_bands:
        raise ValueError(f"未知的执行率计分方式：{mode}")
    return replace(profile, exec_mode="bands", exec_bands=banded.exec_bands, rate_decimals=banded.rate_decimals)


def exec_mode_how(mode: str) -> str:
    """What --exec-mode ``mode`` means, in Chinese: "分值 × 执行率（不超过分值）", "按江西（执行率分档计分）的分档计分"."""
    if mode in EXEC_MODES:
        return EXEC_MODES[mode]
    return f"按{get_profile(mode).label}的分档计分"


def weights_complete(profile: Profile) -> bool:
    """Whether a profile's 一级 分值 and its 执行率's make 100 (河南's sourced 成本10/产出30/效益25/满意度5 and 执行率
    10 make 80: the rest is not described, "具体分值以系统内导出指标为准"); True for one that fixes none."""
    if not profile.level1:
        return True
    return abs(sum(profile.level1.values()) + profile.exec_block_weight - 100) < 0.005


def blank_levels(profile: Profile) -> list[tuple[str, list[tuple[str, float | None]]]]:
    """The 一级 and 二级 rows of a blank template with their 分值, all the profile's own:

    - its 二级 (``Profile.level2``, from its file's level1.weights);
    - else a profile's 二级 that add up to its 一级 (安徽's 50/30/10 are 10号's: national's 二级 rows), else one
      blank 二级 row per 一级 with the 一级's 分值 (a bureau's own file that gives no 二级);
    - a profile whose 一级 weights and 执行率 do not make 100 (河南: its source describes 80 of them) gets its 一级
      with one blank row each and no 分值: the unit types them (the 总分 row computes from what it types; 填表说明
      names the weights the source gives), never a made-up rest;
    - a profile that fixes no 一级 weights (湖北, 保山: the unit sets them) gets 10号's 一级 and 二级 (national)
      with their 分值 only where those leave its 执行率 分值 to make 100, else with no 分值 (never another
      province's weights: the template's own check would report them, W102/W105)."""
    if profile.level2:
        return [(name, list(parts.items())) for name, parts in profile.level2.items()]
    others = [p for p in profiles().values() if p.level2]
    if profile.level1 and not weights_complete(profile):  # (河南: 70 + 执行率 10) the unit sets them all
        return [(name, [("", None)]) for name in profile.level1]
    if profile.level1:
        for other in others:
            if other.level1 == profile.level1:
                return [(name, list(parts.items())) for name, parts in other.level2.items()]
        return [(name, [("", weight)]) for name, weight in profile.level1.items()]
    national = get_profile("national")
    fits = sum(national.level1.values()) + profile.exec_block_weight == 100
    rows = national.level2 or {name: {"": weight} for name, weight in national.level1.items()}
    return [(name, [(part, weight if fits else None) for part, weight in parts.items()])
            for name, parts in rows.items()]


def exec_weight_text(profile: Profile) -> str:
    """"分值 10", or where a 一级's row scores it: "分值 10（作为项目管理下的三级指标计分，资金表中不另计分）"."""
    if profile.exec_within:
        return f"分值 {profile.exec_weight:g}（作为{profile.exec_within}下的三级指标计分，资金表中不另计分）"
    return f"分值 {profile.exec_weight:g}"


def exec_rule(profile: Profile) -> str:
    """How a profile scores the 执行率, in Chinese, its bands named from their numbers."""
    bands = profile.score_bands
    if not bands:
        return EXEC_MODES["proportional"]
    parts = "；".join(f"{band_label(bands, i)} 得分值的 {round(share * 100, 6):g}%" for i, (_, share) in enumerate(bands))
    return f"{EXEC_MODES['bands']}：{parts}（按执行率保留 {profile.rate_decimals} 位小数的百分数定档）"


def describe(profile: Profile) -> str:
    """``jixiao-xl profiles explain NAME``: every rule of a profile with its source, in Chinese."""
    data = profile.data
    sources = data.get("sources", {})

    def cite(section: str) -> str:
        key = data.get(section, {}).get("source")
        source = sources.get(key, {})
        return f"〔{source.get('grade', '')}〕{source.get('address', '')}" if source else ""

    weights = profile.level1
    level1 = ("、".join(f"{k} {v:g}" for k, v in weights.items()) if weights else "不固定（以表上写明的为准）")
    ind = data.get("indicators", {})
    bands = ind.get("qualitative_bands", [0.8, 0.6])
    lines = [f"{profile.name}：{profile.label}（{profile.province}）",
             f"  识别：地名 {'、'.join(profile.places[:8]) or '无'}{'等' if len(profile.places) > 8 else ''}；"
             f"表上特有文字 {'、'.join(profile.marks) or '无'}",
             f"  执行率：{exec_weight_text(profile)}，{exec_rule(profile)}；超过 100% "
             f"{'允许' if profile.over_100 == 'allowed' else '按 100% 计分并报错'}；预算为 0 时执行率 "
             f"{'按 100%' if profile.zero_budget_rate == 1 else '不计算'}  {cite('execution')}",
             f"  一级指标分值：{level1}；{'单位可调整' if profile.level1_adjustable else '固定'}  {cite('level1')}",
             f"  三级指标：定性指标 达成 {bands[0]:.0%}–100%、部分达成 {bands[1]:.0%}–{bands[0]:.0%}；反向指标 "
             f"{'权重×A/B' if ind.get('reverse') == 'hubei' else '平台线性计分'}；超额 {ind.get('over_achievement', 1.5):g} 倍提示"
             f"  {cite('indicators')}",
             f"  等级：{'、'.join(f'{g} {m}' for g, m in data.get('grades', {}).get('bands', []))}"
             f"（{data.get('grades', {}).get('boundary', '>=')}）  {cite('grades')}",
             "  来源："]
    for key, source in sources.items():
        lines.append(f"    [{key}]〔{source['grade']}：{EVIDENCE[source['grade']]}〕{source['text']}（{source['address']}）")
    return "\n".join(lines)
