"""Settings every test process needs before any test module is imported."""

import os
from pathlib import Path

# xlwings Server reads its project folder once, when it is first imported; whichever test module imports
# it first (test_wheel's importorskip, test_addin, test_batch_web) must find our add-in server there.
os.environ["XLWINGS_PROJECT_DIR"] = str(Path(__file__).resolve().parent.parent / "addin" / "server")

# The TestClient's requests name the host "testserver": the add-in server's guard (jixiao_xl/excel/guard.py) accepts
# only names of this computer, IP literals and names it is told.
os.environ.setdefault("JIXIAO_ALLOWED_HOSTS", "testserver")

# xlwings (>= 0.33) validates a license when its server module is imported: "noncommercial" is the free one, as
# `jixiao-xl serve` sets it.  Set here so any test file can run on its own (test_bundle builds the .xlam).
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
