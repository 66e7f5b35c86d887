"""The JIXIAO worksheet functions (执行率, 执行率得分, 指标得分, 控制率, 等级), one code path for xlwings Server's
custom functions, classic Excel's UDFs (udf.py) and xlwings Lite; the core loads when a function is called.
"""

from __future__ import annotations

import xlwings as xw

from .xl import _as_rows, _log, friendly

try:  # xlwings Server (needs XLWINGS_LICENSE_KEY, e.g. "noncommercial")
    from xlwings.server import func
except Exception:
    try:  # xlwings Lite, and classic Excel on Windows (func makes classic UDFs there)
        from xlwings import func
    except Exception:  # nothing to register with: plain functions are enough
        def func(f=None, **_):
            return f if f is not None else (lambda g: g)


# ------------------------------------------------------------------ worksheet functions
#
# A bad argument raises FunctionError (an XlwingsError): xlwings Server answers 400 and
# Excel shows #VALUE! with the Chinese message on the cell's error flag (no retries);
# classic Excel shows the message too.  Blank arguments give a blank result, as before.

try:
    from xlwings.server import arg
except Exception:
    try:
        from xlwings import arg
    except Exception:
        def arg(*_a, **_k):
            return lambda g: g


class FunctionError(xw.XlwingsError):
    """A worksheet function's Chinese error message."""


EXEC_MODES = {"proportional": "proportional", "比例": "proportional", "按比例": "proportional",
              "jiangxi": "jiangxi", "江西": "jiangxi", "江西区间": "jiangxi"}


def _worksheet_function(name: str):
    """Any failure of a function becomes a FunctionError in Chinese (logged when unexpected)."""
    import functools

    def wrap(f):
        @functools.wraps(f)
        def body(*args):
            try:
                return f(*args)
            except FunctionError:
                raise
            except Exception as exc:
                _log(f"JIXIAO.{name}", exc)
                raise FunctionError(friendly(exc, f"计算 JIXIAO.{name}")) from None

        return body

    return wrap


def _single(value, label: str):
    """One cell's value; a multi-cell range is refused with its size."""
    if isinstance(value, list):
        rows = _as_rows(value)
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        raise FunctionError(f"{label}应为一个单元格，收到的是含 {sum(len(r) for r in rows)} 个单元格的区域；"
                            "请只选一个单元格（整张指标表请用 JIXIAO.INDICATOR_SCORES）")
    return value


def _number(value, label: str = "参数"):
    """A number (text such as "1,234.5" or "98%" accepted); None for blank; FunctionError otherwise."""
    from ..read.values import NotANumber, to_number

    value = _single(value, label)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise FunctionError(f"{label}应为数字，收到的是逻辑值 {'TRUE' if value else 'FALSE'}")
    try:
        number = to_number(value)
    except NotANumber:
        number = None
    if number is None:
        raise FunctionError(f"{label}应为数字，收到的是“{value}”；请填写数字（如 83 或 83.5）")
    return number


def _weight(value):
    number = _number(value, "分值")
    if number is not None and number < 0:
        raise FunctionError(f"分值不能为负数，收到的是 {value}")
    return number


def _mode(value) -> str:
    value = _single(value, "计分方式")
    if value is None or (isinstance(value, str) and not value.strip()):
        return "proportional"
    mode = EXEC_MODES.get(str(value).strip().lower())
    if mode is None:
        raise FunctionError(f"计分方式应为“比例”或“江西”，收到的是“{value}”")
    return mode


# Argument descriptions: Office.js shows them (arg doc), the classic .xlam registers them with
# Application.MacroOptions (jixiao_xl.excel.udf, jixiao_xl.excel.addin).
FUNCTION_ARGS = {
    "exec_rate": (
        ("full_budget", "全年预算数（元或万元，与执行数单位一致）"),
        ("executed", "全年执行数"),
    ),
    "exec_score": (
        ("full_budget", "全年预算数"),
        ("executed", "全年执行数"),
        ("weight", "执行率分值（默认 10）"),
        ("mode", "计分方式：“比例”（默认，分值 × 执行率）或“江西”（区间计分）"),
    ),
    "indicator_score": (
        ("target", "年度指标值，如 ≥95%、≤30天、有所改善"),
        ("actual", "实际完成值，如 98%、45天"),
        ("weight", "分值"),
    ),
    "indicator_scores": (
        ("table", "指标表区域：每行依次为 年度指标值、实际完成值、分值（三列）"),
    ),
    "control_rate": (
        ("actual", "决算数（实际数）"),
        ("budget", "预算数（批复数）"),
    ),
    "grade": (
        ("total", "自评总分（0–100）"),
    ),
}
ARG_OPTIONS = {("indicator_scores", "table"): {"ndim": 2}}


def _documented(f):
    """Apply the function's argument descriptions (and options) from FUNCTION_ARGS."""
    for name, doc in reversed(FUNCTION_ARGS[f.__name__]):
        f = arg(name, doc=doc, **ARG_OPTIONS.get((f.__name__, name), {}))(f)
    return f


@func
@_documented
@_worksheet_function("EXEC_RATE")
def exec_rate(full_budget, executed):
    """预算执行率 = 全年执行数 ÷ 全年预算数（全年预算数为空或0时返回空）。"""
    from ..compute.scoring import exec_rate as rate

    value = rate(_number(full_budget, "全年预算数"), _number(executed, "全年执行数"))
    return "" if value is None else value


@func
@_documented
@_worksheet_function("EXEC_SCORE")
def exec_score(full_budget, executed, weight=10, mode="比例"):
    """执行率得分：分值 × min(执行率, 1)，保留两位小数；计分方式为“江西”时按江西区间计分。"""
    from ..compute.profiles import get_profile
    from ..compute.scoring import exec_rate as rate, exec_score as score

    points = _weight(weight)
    chosen = _mode(mode)
    banded = get_profile(chosen) if chosen != "proportional" else None  # "江西": the 江西 profile's bands
    return score(rate(_number(full_budget, "全年预算数"), _number(executed, "全年执行数")), points or 0,
                 banded.score_bands if banded else (), banded.rate_decimals if banded else 2)


@func
@_documented
@_worksheet_function("INDICATOR_SCORE")
def indicator_score(target, actual, weight):
    """三级指标得分：按年度指标值、实际完成值和分值自动计分（定性指标返回空）。"""
    from ..compute.scoring import indicator_score as score

    value = score(_single(target, "年度指标值"), _single(actual, "实际完成值"), _weight(weight))
    return "" if value is None else value


@func
@_documented
@_worksheet_function("INDICATOR_SCORES")
def indicator_scores(table):
    """整张指标表计分：每行为 年度指标值、实际完成值、分值，返回一列得分（动态数组）。"""
    from ..compute.scoring import indicator_score as score

    rows = _as_rows(table)
    if any(len(row) != 3 for row in rows):
        raise FunctionError(f"指标表区域应为 3 列（年度指标值、实际完成值、分值），收到的是 {len(rows[0])} 列")
    out = []
    for number, (target, actual, weight) in enumerate(rows, start=1):
        try:
            points = _weight(weight)
        except FunctionError as exc:
            raise FunctionError(f"第 {number} 行：{exc}") from None
        value = score(target, actual, points)
        out.append(["" if value is None else value])
    return out


@func
@_documented
@_worksheet_function("CONTROL_RATE")
def control_rate(actual, budget):
    """控制率 = 决算数（实际数）÷ 预算数（批复数），分母为空或0时返回空。"""
    from ..compute.scoring import ratio

    value = ratio(_number(actual, "决算数"), _number(budget, "预算数"))
    return "" if value is None else value


@func
@_documented
@_worksheet_function("GRADE")
def grade(total):
    """自评等级：优 ≥ 90，良 80–90，中 60–80，差 < 60（总分须在 0–100 之间）。"""
    from ..compute.scoring import grade as letter

    score = _number(total, "总分")
    if score is not None and not 0 <= score <= 100:
        raise FunctionError(f"总分应在 0 到 100 之间，收到的是 {_single(total, '总分')}")
    return letter(score) or ""
