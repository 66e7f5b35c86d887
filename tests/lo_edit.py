"""Edit a workbook inside LibreOffice as a user would, through UNO (run with Debian's python3).

    /usr/bin/python3 tests/lo_edit.py IN.xlsx OUT.xlsx OPS.json PROFILE_DIR

OPS is a list of ["insert_row", sheet, before_row] and ["set", sheet, "B12", value].
Rows are inserted with the sheet's own protection in force (the template allows
inserting rows), then everything is recalculated and saved as .xlsx.
"""

import json
import sys
from pathlib import Path

from lo_uno import desktop, prop


def main() -> None:
    source, target, ops_path, profile = sys.argv[1:5]
    with desktop(profile) as office:
        doc = office.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
        sheets = doc.Sheets
        for op in json.loads(Path(ops_path).read_text(encoding="utf-8")):
            sheet = sheets.getByName(op[1])
            if op[0] == "insert_row":
                sheet.Rows.insertByIndex(op[2] - 1, 1)
            elif op[0] == "set":
                cell = sheet.getCellRangeByName(op[2])
                if isinstance(op[3], str):
                    cell.String = op[3]
                else:
                    cell.Value = op[3]
        doc.calculateAll()
        doc.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)


if __name__ == "__main__":
    main()
