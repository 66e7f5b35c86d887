"""jixiao-xl: check and auto-fill budget-performance self-evaluation workbooks (绩效自评).

The import stays light: the reader, pandas and openpyxl load only when used.
"""

__version__ = "0.1.0"
