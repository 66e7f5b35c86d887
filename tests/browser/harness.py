"""What the add-ins' browser tests share: the real add-in server started as `jixiao-xl addin serve` starts it,
Debian's Chromium through Playwright, and workbooks turned into the stand-ins' fixtures."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
OFFICEJS_STANDIN = (HERE / "officejs_standin.js").read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found and not os.environ.get("CI"):
        pytest.skip("没有安装 chromium（apt-get install chromium）")
    assert found, "CI must have Chromium (apt-get install chromium)"
    return found


class Server:
    """`jixiao-xl addin serve` in a subprocess running this checkout's code; ``key`` when it is shared."""

    def __init__(self, folder: Path, shared: bool, allow_origins=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        self.config = folder / "config"
        public = f", public_url={self.url!r}" if shared else ""
        code = (f"from jixiao_xl.excel.addin import serve; serve(host='127.0.0.1', port={self.port}{public}, "
                f"allow_origins={list(allow_origins)!r})")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "JIXIAO_"))}
        env.update(XDG_CONFIG_HOME=str(self.config), JIXIAO_BATCH_DIR=str(folder / "jobs"),
                   PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out, stderr=out, cwd=folder)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/jixiao/help", timeout=1).read()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail("加载项服务没有启动：\n" + self.log.read_text(errors="replace"))
                time.sleep(0.1)
        key_file = self.config / "jixiao-xl" / "server-key"
        self.key = key_file.read_text(encoding="ascii").strip() if shared else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _serial(value: dt.datetime | dt.date) -> float:
    """A date as Excel holds it (days since 1899-12-30)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def officejs_workbook(book, name: str, formulas: dict | None = None, active: str | None = None) -> dict:
    """The Office.js stand-in's workbook from an openpyxl book holding what Excel shows (data_only): each cell's
    value (a cell showing an error as its text, as Range.values gives it), number format, solid fill and note;
    ``formulas`` {(sheet, "A1"): "=…"} are the formulas behind cells."""
    formulas = formulas or {}
    sheets = []
    for ws in book.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                rgb = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.patternType == "solid" else None
                fill = "#" + rgb[-6:].upper() if isinstance(rgb, str) else None
                value = cell.value
                if isinstance(value, (dt.date, dt.datetime)):
                    value = _serial(value)
                formula = formulas.get((ws.title, cell.coordinate))
                if value is None and not fill and cell.comment is None and not formula:
                    continue
                cells[cell.coordinate] = {"v": "" if value is None else value, "f": formula,
                                          "nf": cell.number_format or "General", "fill": fill,
                                          "note": cell.comment.text if cell.comment else None}
        state = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}[ws.sheet_state]
        sheets.append({"name": ws.title, "visibility": state, "cells": cells,
                       "protected": bool(ws.protection.sheet)})
    return {"name": name, "active": active or book.worksheets[0].title, "sheets": sheets}
