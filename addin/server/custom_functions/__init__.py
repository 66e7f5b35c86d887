"""xlwings Server worksheet functions, shown in Excel under the namespace JIXIAO."""

from jixiao_xl.excel.functions import (  # noqa: F401
    control_rate,
    exec_rate,
    exec_score,
    grade,
    indicator_score,
    indicator_scores,
)
