"""xlwings Server worksheet functions, shown in Excel under the namespace JIXIAO."""

from jixiao_xl.excel.xl import (  # noqa: F401
    control_rate,
    exec_rate,
    exec_score,
    grade,
    indicator_score,
    indicator_scores,
)
