"""xlwings Server scripts: the ribbon's 校验 and 清除标记 buttons, and 校验（含隐藏表） in the task pane."""

from jixiao_xl.excel.xl import clear_marks, validate, validate_all  # noqa: F401
