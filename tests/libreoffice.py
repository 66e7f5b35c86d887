"""Headless LibreOffice: the real spreadsheet engine used to recalculate and render.

A private user profile makes LibreOffice recalculate every formula on load
(instead of trusting the results stored in the file), so a recalculated copy
shows what Excel or WPS would compute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """Path of the soffice program, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def profile_dir(base: str | os.PathLike | None = None) -> Path:
    """A private LibreOffice profile that recalculates on load."""
    root = Path(base or tempfile.mkdtemp(prefix="jixiao-lo-"))
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
    return root


def convert(paths: list[str | os.PathLike], outdir: str | os.PathLike, fmt: str = "xlsx",
            profile: str | os.PathLike | None = None, timeout: float = 600) -> list[Path]:
    """Open each file in LibreOffice (recalculating everything) and save it as ``fmt`` in ``outdir``."""
    program = soffice()
    if program is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(profile) if profile else profile_dir()
    if not (profile / "user" / "registrymodifications.xcu").exists():
        profile_dir(profile)
    cmd = [program, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}",
           "--convert-to", fmt, "--outdir", str(outdir)] + [str(p) for p in paths]
    subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    out = [outdir / (Path(p).stem + "." + fmt.split(":")[0]) for p in paths]
    missing = [p for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing[0]}")
    return out
