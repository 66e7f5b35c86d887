"""Old Word/WPS documents (.doc, .wps, .wpt, .dot, .rtf) converted to .docx by a headless LibreOffice.

The conversion runs in a private, throw-away user profile (so it neither uses nor disturbs the user's own
LibreOffice, and a running LibreOffice does not swallow the request), writes only into a temporary folder,
and is stopped after ``TIMEOUT`` seconds.  Nothing is ever written beside the input.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..problems import Refused, os_cause

TIMEOUT = 30.0  # seconds for one conversion; a self-evaluation report converts in 1–3 s
SAVE_AS = "请用 Word 或 WPS 打开后“另存为” Word 文档（.docx）再校验"


class ConversionFailed(Refused):
    """LibreOffice is missing, failed, or took too long; ``str()`` is for people."""


def soffice() -> str | None:
    """The LibreOffice program: soffice/libreoffice on PATH, else the usual install folders."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = []
    if sys.platform == "win32":
        for root in (os.environ.get("ProgramFiles"), os.environ.get("ProgramFiles(x86)"),
                     r"C:\Program Files", r"C:\Program Files (x86)"):
            if root:
                candidates.append(Path(root) / "LibreOffice" / "program" / "soffice.exe")
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    else:
        candidates += [Path("/usr/lib/libreoffice/program/soffice"), Path("/opt/libreoffice/program/soffice"),
                       Path("/snap/bin/libreoffice")]
    return next((str(p) for p in candidates if p.is_file()), None)


def _stop(process: subprocess.Popen) -> None:
    """End the conversion and whatever it started (its own process group / job)."""
    try:
        if sys.platform == "win32":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, timeout=10)
        else:
            os.killpg(process.pid, 9)
    except (OSError, subprocess.SubprocessError):
        process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


@contextmanager
def as_docx(path: str, kind: str, timeout: float | None = None):
    """Yield the path of a .docx converted from ``path`` (in a temporary folder removed afterwards)."""
    timeout = TIMEOUT if timeout is None else timeout
    program = soffice()
    if program is None:
        raise ConversionFailed("U011", text=f"这是{kind}，需要 LibreOffice 才能自动转换，但本机未安装；{SAVE_AS}，"
                               "或安装 LibreOffice（https://zh-cn.libreoffice.org）后重试")
    work = tempfile.mkdtemp(prefix="jixiao-report-")
    try:
        # a plain ASCII name inside the private folder: LibreOffice names its output after the input
        suffix = os.path.splitext(path)[1].lower() or ".doc"
        source = Path(work) / f"report{suffix}"
        shutil.copyfile(path, source)
        out = Path(work) / "out"
        profile = Path(work) / "profile"
        cmd = [program, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nofirststartwizard",
               f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(out), str(source)]
        options = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if sys.platform == "win32" else {
            "start_new_session": True}
        try:
            process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, **options)
        except OSError as exc:
            raise ConversionFailed("U104", text=f"这是{kind}，LibreOffice 无法启动（{os_cause(exc)}）；{SAVE_AS}") from None
        try:
            process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise ConversionFailed("U104", text=f"这是{kind}，LibreOffice 转换超过 {timeout:g} 秒仍未完成（文档可能已损坏或过大），"
                                   f"未校验；{SAVE_AS}") from None
        result = out / "report.docx"
        if not result.is_file() or result.stat().st_size == 0:
            raise ConversionFailed("U104", text=f"这是{kind}，LibreOffice 无法转换（文档可能已加密或已损坏）；"
                                   f"{SAVE_AS}")
        yield str(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
