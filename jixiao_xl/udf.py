"""For classic .xlam add-ins built before the package's layers became folders: their worksheet functions call
``XLPy.CallUDF("jixiao_xl.udf", "JIXIAO_…")``.  The functions live in ``jixiao_xl.excel.udf``; rebuilding the
add-in (``jixiao-xl addin build-xlam``) points it there, and until then this keeps the old add-in working."""

from .excel import udf as _udf

globals().update(_udf.functions())  # the same function objects, with the marks xlwings' COM server reads
