"""The JIXIAO worksheet functions for classic Excel (the .xlam from ``jixiao-xl addin build-xlam``).

The add-in's VBA module ``xlwings_udfs`` has one wrapper per function, as xlwings' own
"Import Functions" writes them: ``JIXIAO_EXEC_RATE = XLPy.CallUDF("jixiao_xl.excel.udf",
"JIXIAO_EXEC_RATE", Array(full_budget, executed), ActiveWorkbook, Application.Caller)``.
xlwings' COM server (``xlwings.serve``, started by the add-in with the Python named in its
settings sheet) then runs ``xlwings.udfs.call_udf``: it imports this module, reads each
argument with the options in the function's ``__xlfunc__`` (set here by xlwings' classic
decorators), calls the function and writes the result back.

Each function is the Office.js function of ``jixiao_xl.excel.functions`` (same checks, same Chinese
messages). A refused argument raises a COM exception whose description is the Chinese
message: the wrapper's ``On Error GoTo failed`` puts ``Err.Description`` into the cell, so
the cell shows the reason itself (classic Excel has no error flag with a message for VBA
functions).
"""

from __future__ import annotations

from . import functions as fn

PREFIX = "JIXIAO_"
CATEGORY = "绩效自评"  # the function category in Excel's Insert Function dialog
DISP_E_EXCEPTION = -2147352567  # 0x80020009: the scode VBA turns into Err.Description


def _fail(message: str):
    try:  # Windows (pywin32, which xlwings' COM server runs on)
        from win32com.server.exception import COMException
    except ImportError:
        raise fn.FunctionError(message) from None
    raise COMException(description=message, scode=DISP_E_EXCEPTION) from None


def _call(core, *args):
    try:
        return core(*args)
    except fn.FunctionError as exc:  # every failure of a core function is one (already Chinese, logged)
        _fail(str(exc).replace("JIXIAO.", PREFIX))  # the messages name functions as this Excel spells them


def JIXIAO_EXEC_RATE(full_budget, executed):
    return _call(fn.exec_rate, full_budget, executed)


def JIXIAO_EXEC_SCORE(full_budget, executed, weight=10, mode="比例"):
    return _call(fn.exec_score, full_budget, executed, weight, mode)


def JIXIAO_INDICATOR_SCORE(target, actual, weight):
    return _call(fn.indicator_score, target, actual, weight)


def JIXIAO_INDICATOR_SCORES(table):
    return _call(fn.indicator_scores, table)


def JIXIAO_CONTROL_RATE(actual, budget):
    return _call(fn.control_rate, actual, budget)


def JIXIAO_GRADE(total):
    return _call(fn.grade, total)


# classic name -> the Office.js function it serves (its docstring and argument descriptions too)
FUNCTIONS = {
    "JIXIAO_EXEC_RATE": fn.exec_rate,
    "JIXIAO_EXEC_SCORE": fn.exec_score,
    "JIXIAO_INDICATOR_SCORE": fn.indicator_score,
    "JIXIAO_INDICATOR_SCORES": fn.indicator_scores,
    "JIXIAO_CONTROL_RATE": fn.control_rate,
    "JIXIAO_GRADE": fn.grade,
}


def functions():
    """The classic functions in this module, by name."""
    return {name: globals()[name] for name in FUNCTIONS}


def register(xlfunc, xlarg) -> None:
    """Mark the functions for xlwings' COM server with its decorators (``xlwings.udfs.xlfunc``/``xlarg``)."""
    for name, f in functions().items():
        core = FUNCTIONS[name]
        f.__doc__ = core.__doc__
        for arg_name, doc in fn.FUNCTION_ARGS[core.__name__]:  # as @xw.arg below @xw.func: applied first
            xlarg(arg_name, doc=doc, **fn.ARG_OPTIONS.get((core.__name__, arg_name), {}))(f)
        xlfunc(category=CATEGORY)(f)


try:  # Windows with pywin32: what xlwings' COM server reads (xlwings.udfs needs pythoncom)
    from xlwings.udfs import xlarg as _xlarg
    from xlwings.udfs import xlfunc as _xlfunc
except Exception:
    pass
else:
    register(_xlfunc, _xlarg)
