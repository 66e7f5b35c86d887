"""Save a document as Word 97-2003 (.doc) with an opening password, as Word or WPS would (run with Debian's python3).

    /usr/bin/python3 tests/lo_protect.py IN.docx OUT.doc PASSWORD PROFILE_DIR
"""

import sys
from pathlib import Path

from lo_uno import desktop, prop


def main() -> None:
    source, target, password, profile = sys.argv[1:5]
    with desktop(profile, name="jxprotect") as office:
        doc = office.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
        doc.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", "MS Word 97"), prop("Password", password)))
        doc.close(True)


if __name__ == "__main__":
    main()
