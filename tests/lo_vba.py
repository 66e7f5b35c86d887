"""Open a macro workbook in LibreOffice and report what its VBA importer made of the project (Debian's python3).

    /usr/bin/python3 tests/lo_vba.py BOOK.xlsm PROFILE_DIR MODULE[,MODULE...] FORMULA...

A MODULE of the form NAME=FILE is not taken from the book: FILE's text goes in as module NAME
(a test's own Basic, e.g. a function that calls a Sub of the project and reports what happened).

Prints JSON: the document's Basic libraries and each module LibreOffice's VBA importer made of
the project, with its source ("executable code" on: the importer adds Option VBASupport 1).
Then the MODULEs, exactly as imported, go into a new spreadsheet's Standard library (xlwings'
own modules, xlwings and Dictionary, stop a library from running in LibreOffice: with either of
them in it a call returns nothing), each FORMULA is put into a cell of that spreadsheet (Calc calls a library's public
functions by name) and the value LibreOffice computes is reported.
"""

import json
import sys
from pathlib import Path

from lo_uno import desktop, prop

SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA">
 <prop oor:name="Load" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA">
 <prop oor:name="Executable" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def main() -> None:
    source, profile, module, *formulas = sys.argv[1:]
    user = Path(profile) / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(SETTINGS, encoding="utf-8")
    with desktop(profile, "jxvba", tries=240) as office:
        doc = office.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0,
                                          (prop("Hidden", True), prop("MacroExecutionMode", 4)))
        libraries = doc.BasicLibraries
        report = {"libraries": list(libraries.getElementNames()), "modules": {}, "values": []}
        for name in report["libraries"]:
            libraries.loadLibrary(name)
            library = libraries.getByName(name)
            report["modules"][name] = {m: library.getByName(m) for m in library.getElementNames()}
        codes = {}
        for name in module.split(","):
            if "=" in name:
                name, path = name.split("=", 1)
                codes[name] = Path(path).read_text(encoding="utf-8")
            else:
                codes[name] = next(mods[name] for mods in report["modules"].values() if name in mods)
        doc.close(True)
        doc = office.loadComponentFromURL("private:factory/scalc", "_blank", 0,
                                          (prop("Hidden", True), prop("MacroExecutionMode", 4)))
        if not doc.BasicLibraries.hasByName("Standard"):
            doc.BasicLibraries.createLibrary("Standard")
        for name, code in codes.items():
            doc.BasicLibraries.getByName("Standard").insertByName(name, code)
        sheet = doc.Sheets.getByIndex(0)
        for row, formula in enumerate(formulas):
            cell = sheet.getCellByPosition(0, row)
            cell.Formula = formula
        doc.calculateAll()
        for row, _ in enumerate(formulas):
            cell = sheet.getCellByPosition(0, row)
            report["values"].append({"string": cell.String, "error": cell.getError()})
        doc.close(True)
        print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
