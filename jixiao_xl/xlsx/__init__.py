"""The file formats: workbooks read into plain grids (xlsx, xls/et, ods, xlsb), number formats, atomic writes."""
