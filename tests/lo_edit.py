"""Edit a workbook inside LibreOffice as a user would, through UNO (run with Debian's python3).

    /usr/bin/python3 tests/lo_edit.py IN.xlsx OUT.xlsx OPS.json PROFILE_DIR

OPS is a list of ["insert_row", sheet, before_row] and ["set", sheet, "B12", value].
Rows are inserted with the sheet's own protection in force (the template allows
inserting rows), then everything is recalculated and saved as .xlsx.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main() -> None:
    source, target, ops_path, profile = sys.argv[1:5]
    pipe = f"jx{os.getpid()}"
    office = subprocess.Popen(["soffice", "--headless", "--norestore", "--nolockcheck",
                               f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
                               f"--accept=pipe,name={pipe};urp;"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
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
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        office.terminate()
        office.wait(timeout=30)


if __name__ == "__main__":
    main()
