"""For classic .xlam add-ins built before the package's layers became folders: their ribbon buttons run
``jixiao_xl.xl.main`` (RunPython).  The buttons live in ``jixiao_xl.excel.xl``; rebuilding the add-in
(``jixiao-xl addin build-xlam``) points it there, and until then this keeps the old add-in working."""

from .excel.xl import main, main_clear, main_list  # noqa: F401
