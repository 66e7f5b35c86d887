"""Where the add-ins' own files are: in the wheel jixiao_xl/addin_server and jixiao_xl/addin_wps (package data),
in a source checkout (and an editable install) the top-level addin/server and addin/wps."""

from __future__ import annotations

from pathlib import Path


def server_dir() -> Path:
    """The xlwings Server project: in the wheel jixiao_xl/addin_server (package data), in a source checkout
    (and an editable install) addin/server."""
    from importlib.resources import files

    checkout = Path(__file__).resolve().parents[2] / "addin" / "server"
    for folder in (Path(str(files("jixiao_xl"))) / "addin_server", checkout):
        if (folder / "routers" / "custom.py").is_file():
            return folder
    raise RuntimeError("没有找到 Office.js 加载项的服务器项目（addin/server）：请重新安装 jixiao-xl")


def wps_dir() -> Path:
    """The WPS add-in's files: in the wheel jixiao_xl/addin_wps, in a source checkout addin/wps."""
    from importlib.resources import files

    checkout = Path(__file__).resolve().parents[2] / "addin" / "wps"
    for folder in (Path(str(files("jixiao_xl"))) / "addin_wps", checkout):
        if (folder / "ribbon.xml").is_file():
            return folder
    raise RuntimeError("没有找到 WPS 加载项的文件（addin/wps）：请重新安装 jixiao-xl")
