"""xlwings Server scripts: the ribbon's 校验 and 清除标记 buttons."""

from jixiao_xl.xl import clear_marks, validate  # noqa: F401
