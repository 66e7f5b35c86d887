"""``jixiao-xl addin``: serve the Office.js add-in, build and install the classic .xlam."""

from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from pathlib import Path


def server_dir() -> Path:
    """The xlwings Server project shipped inside the package (jixiao_xl/addin_server, package data)."""
    from importlib.resources import files

    return Path(str(files("jixiao_xl") / "addin_server"))


# The classic add-in is xlwings' own ribbon add-in (quickstart_addin_ribbon.xlam), its VBA untouched.
# Read from its VBA project (tests/test_addin.py decompresses it to check): the ribbon callback
# RibbonMyAddin.RunMain runs RunPython "import <this .xlam's name>; <name>.main()", whatever button
# was clicked, and settings come from a sheet named PROJECT_NAME & ".conf" = "myaddin.conf" in the
# active workbook or in the add-in itself (GetConfigFromSheet(ThisWorkbook)), then from
# myaddin.conf beside the active workbook, then %USERPROFILE%\.myaddin\myaddin.conf.  The template's
# settings sheet is named "_myaddin.conf", which that lookup never finds.
#
# So each button is its own small .xlam (its name picks the Python module that runs), the three
# share one ribbon tab through a qualified id (idQ), and each carries a "myaddin.conf" sheet whose
# Interpreter_Win / Interpreter_Mac is the Python that built it.
CONF_SHEET = "myaddin.conf"
NAMESPACE = "jixiao.xl"
BUTTONS = (  # suffix of the file name, label, handler in jixiao_xl.xl, built-in icon, tooltip
    ("", "校验", "main", "AcceptInvitation",
     "重新计算全部计算项，校验附件1、附件2、附件3，标出有问题的单元格并写入“校验结果”表"),
    ("_clear", "清除标记", "main_clear", "Undo", "恢复上次校验标色的单元格原来的颜色，去掉校验加的批注"),
    ("_list", "问题列表", "main_list", "ReviewShowOrHideComment", "列出当前工作簿的全部问题"),
)


def ribbon_xml(label: str, button_id: str, image: str, tip: str) -> str:
    return f"""<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui" xmlns:x="{NAMESPACE}">
    <ribbon>
        <tabs>
            <tab idQ="x:jixiaoTab" label="绩效自评">
                <group idQ="x:jixiaoGroup" label="校验">
                    <button id="{button_id}" label="{label}" size="large" onAction="RibbonMyAddin.RunMain"
                            imageMso="{image}" screentip="{label}" supertip="{tip}" />
                </group>
            </tab>
        </tabs>
    </ribbon>
</customUI>
"""


# Written beside each .xlam: RunMain imports it by the .xlam's name and calls main().
SIDECAR = '''"""Ribbon callback of the jixiao-xl classic add-in: {label} (written by `jixiao-xl addin build-xlam`)."""


def main():
    try:
        from jixiao_xl.xl import {handler} as run
    except ImportError:  # this Python has no jixiao-xl: say so in Chinese instead of a traceback
        import xlwings as xw

        xw.Book.caller().app.alert(
            "加载项使用的 Python 中没有安装 jixiao-xl：请用生成加载项时的 Python 安装 jixiao-xl，"
            "或重新运行 jixiao-xl addin build-xlam --python 该 Python 的路径。", title="{label}未完成")
        return
    run()
'''


def ribbon_template() -> Path:
    """The ribbon add-in template that ships inside the installed xlwings package."""
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    path = Path(spec.origin).parent / "quickstart_addin_ribbon.xlam" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise RuntimeError("没有找到 xlwings 自带的加载项模板 quickstart_addin_ribbon.xlam：请安装 xlwings（pip install xlwings）")
    return path


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _conf_sheet(xml: str, interpreter: str) -> str:
    """The settings sheet with Interpreter_Win (row 1) or Interpreter_Mac (row 2) set."""
    import re

    row = 2 if sys.platform == "darwin" else 1
    cell = f'<c r="B{row}" s="1" t="inlineStr"><is><t>{_xml_text(interpreter)}</t></is></c>'
    pattern = re.compile(rf'(<row r="{row}" spans=")1:1(".*?<c r="A{row}"[^>]*>.*?</c>)')
    new, count = pattern.subn(lambda m: m.group(1) + "1:2" + m.group(2) + cell, xml, count=1)
    if count != 1:
        raise RuntimeError("xlwings 加载项模板的设置表格式与预期不同，无法写入 Python 路径")
    return new


def default_interpreter() -> str:
    """The Python running this build (pythonw.exe beside python.exe on Windows, so no console flashes)."""
    exe = Path(sys.executable)
    windowless = exe.with_name("pythonw.exe")
    return str(windowless if exe.name.lower() == "python.exe" and windowless.is_file() else exe)


def xlam_paths(output: str | os.PathLike) -> list[Path]:
    output = Path(output)
    return [output.with_name(output.stem + suffix + ".xlam") for suffix, *_ in BUTTONS]


def build_xlam(output: str | os.PathLike, python: str | None = None) -> list[Path]:
    """The three button add-ins (and their callback modules) from xlwings' ribbon add-in template."""
    output = Path(output)
    if output.suffix.lower() != ".xlam":
        raise ValueError("输出文件的扩展名必须是 .xlam")
    if not output.stem.isidentifier() or not output.stem.isascii():
        raise ValueError("加载项文件名只能用英文字母、数字和下划线（它同时是 Python 模块名），如 jixiao_addin.xlam")
    interpreter = python or default_interpreter()
    source = ribbon_template()
    from .xlsxio import atomic_write

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(_os_error(exc, output.parent)) from None
    written = []
    for path, (_suffix, label, handler, image, tip) in zip(xlam_paths(output), BUTTONS):
        def write(temp: str, label=label, image=image, tip=tip, button=path.stem) -> None:
            with zipfile.ZipFile(source) as src, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
                for info in src.infolist():
                    data = src.read(info.filename)
                    if info.filename == "customUI/customUI.xml":
                        data = ribbon_xml(label, button, image, tip).encode("utf-8")
                    elif info.filename == "xl/workbook.xml":
                        data = data.replace(b'name="_myaddin.conf"', f'name="{CONF_SHEET}"'.encode())
                    elif info.filename == "xl/worksheets/sheet1.xml":
                        data = _conf_sheet(data.decode("utf-8"), interpreter).encode("utf-8")
                    out.writestr(info, data)

        try:
            atomic_write(path, write)
            sidecar = path.with_suffix(".py")
            sidecar.write_text(SIDECAR.format(label=label, handler=handler), encoding="utf-8")
        except OSError as exc:
            raise ValueError(_os_error(exc, path)) from None
        written += [path, sidecar]
    return written


def _os_error(exc: OSError, path: Path) -> str:
    import errno

    reasons = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.ENOENT: "文件夹不存在",
               errno.ENOTDIR: "路径中有一段是文件而不是文件夹", errno.EISDIR: "这是一个文件夹",
               errno.EROFS: "磁盘是只读的", errno.ENOSPC: "磁盘空间不足"}
    reason = reasons.get(exc.errno, "无法写入")
    return f"无法写入 {path}：{reason}。请换一个可以写入的位置（如 -o 桌面上的 jixiao_addin.xlam）"


INSTALL_STEPS = """安装经典 Excel 加载项（Windows 或 Mac 桌面版 Excel，本机 Python）：
  1. 安装 Python 3.10 以上版本，再安装本工具：pip install "jixiao_xl-0.1.0-py3-none-any.whl"
     （安装包由 python -m pip wheel . --no-deps -w dist 在源码目录生成；也可在源码目录 pip install .）
  2. 生成加载项：jixiao-xl addin build-xlam -o jixiao_addin.xlam
     得到 jixiao_addin.xlam（校验）、jixiao_addin_clear.xlam（清除标记）、jixiao_addin_list.xlam（问题列表）
     和同名的 .py 文件；加载项里已写好运行它的 Python 路径（另一个 Python 用 --python 指定）
  3. Windows：jixiao-xl addin install jixiao_addin.xlam 把这些文件复制到 Excel 的 XLSTART 文件夹；
     或手动复制到 %APPDATA%\\Microsoft\\Excel\\XLSTART（六个文件放在一起）
  4. 重启 Excel，功能区出现“绩效自评”选项卡：校验、清除标记、问题列表
"""


def install(xlam: str | None) -> str:
    """On Windows copy the add-ins into XLSTART; elsewhere (or without a file) return the steps."""
    if not xlam:
        return INSTALL_STEPS
    paths = xlam_paths(xlam)
    missing = [p for p in paths + [p.with_suffix(".py") for p in paths] if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"找不到加载项文件 {missing[0]}：请先运行 jixiao-xl addin build-xlam -o {Path(xlam).name}，"
                                "再把生成的文件一起安装")
    if sys.platform != "win32":
        return INSTALL_STEPS
    xlstart = Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    try:
        xlstart.mkdir(parents=True, exist_ok=True)
        for path in paths:
            for item in (path, path.with_suffix(".py")):
                shutil.copy2(item, xlstart / item.name)
    except OSError as exc:
        raise ValueError(_os_error(exc, xlstart)) from None
    return f"已复制到 {xlstart}，重启 Excel 后功能区出现“绩效自评”选项卡（校验、清除标记、问题列表）。"


# ------------------------------------------------------------------ WPS 加载项 (addin/wps)
#
# A WPS JS add-in: ribbon.xml (Office's customUI), index.html/main.js loading js/*.js, manifest.xml.
# WPS finds add-ins through jsaddons/publish.xml or, with oem.ini [Server] JSPluginsServer, a
# jsplugins.xml (formats as written by the wpsjs tool: <jspluginonline name type url/> for an
# add-in served over HTTP, <jsplugin name type url version/> for a packaged one).
WPS_NAME = "jixiao_wps"  # letters, digits and underscores only (wpsjs requires it of add-in names)
WPS_FILES = ("index.html", "main.js", "manifest.xml", "ribbon.xml", "js/config.js", "js/jixiao.js", "js/ribbon.js",
             "images/validate.svg", "images/clear.svg", "images/list.svg")


def wps_dir() -> Path:
    """The WPS add-in's files: in the wheel jixiao_xl/addin_wps, in a source checkout addin/wps."""
    from importlib.resources import files

    checkout = Path(__file__).resolve().parent.parent / "addin" / "wps"
    for folder in (Path(str(files("jixiao_xl"))) / "addin_wps", checkout):
        if (folder / "ribbon.xml").is_file():
            return folder
    raise RuntimeError("没有找到 WPS 加载项的文件（addin/wps）：请重新安装 jixiao-xl")


def wps_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jixiao-xl")
    except PackageNotFoundError:
        return "0.1.0"


def _check_url(url: str, what: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{what}应以 http:// 或 https:// 开头，如 http://192.168.1.10:8000，收到的是“{url}”")
    return url.strip()


def plugins_xml(addin_url: str, publish: bool) -> str:
    """publish.xml (publish=True, in each PC's jsaddons folder) or jsplugins.xml (oem.ini JSPluginsServer)."""
    enable = ' enable="true"' if publish else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
            f'    <jspluginonline name="{WPS_NAME}" type="et" url="{_xml_text(addin_url)}"{enable}/>\n'
            "</jsplugins>\n")


def wps_config_js(server: str) -> str:
    return ("// The jixiao-xl server this add-in sends workbooks to (written by jixiao-xl addin build-wps).\n"
            f"window.JIXIAO_WPS_CONFIG = {{ server: {json.dumps(server, ensure_ascii=False)} }};\n")


WPS_STEPS = """WPS 加载项“绩效自评”（jixiao-xl addin build-wps 生成）

校验在 jixiao-xl 服务上进行。先在一台电脑或局里的服务器上启动服务：
  jixiao-xl addin serve --host 0.0.0.0     （只在本机用时不加 --host）
服务地址：{server}，加载项文件由服务提供：{addin_url}

让每台电脑上的 WPS 找到加载项（二选一），然后重启 WPS 表格，功能区出现“绩效自评”选项卡：

一、publish.xml（个人版 WPS、银河麒麟和统信 UOS 上的 WPS）
  把本文件夹中的 publish.xml 复制到（没有这个文件夹就新建）：
    Windows：%APPDATA%\\kingsoft\\wps\\jsaddons\\publish.xml
    银河麒麟 / 统信 UOS：~/.local/share/Kingsoft/wps/jsaddons/publish.xml
  那里已有 publish.xml 时，把其中的 <jspluginonline .../> 一行加进去，不要覆盖。

二、oem.ini（单位统一安装的企业版、政务版 WPS，管理员改一次）
  在 WPS 安装目录的 office6/cfgs/oem.ini 中写入：
    [Support]
    JsApiPlugin=true
    [Server]
    JSPluginsServer={addin_url}jsplugins.xml
  （或指向复制到本机的 jsplugins.xml 文件）

加载项文件夹 {folder} 可发布到单位已有的内网网站（生成时加 --addin-url 该网址），
此时服务需允许该网站的来源：jixiao-xl addin serve --host 0.0.0.0 --allow-origin http://内网网站
"""


def build_wps(output: str | os.PathLike, server: str = "http://127.0.0.1:8000",
              addin_url: str | None = None) -> list[Path]:
    """The WPS add-in for an IT person: the add-in folder (its js/config.js names the server),
    publish.xml and jsplugins.xml pointing WPS at it, and the steps in 安装说明.txt."""
    server = _check_url(server, "服务地址").rstrip("/")
    addin_url = _check_url(addin_url, "加载项地址") if addin_url else server + "/wps/"
    if not addin_url.endswith("/"):
        addin_url += "/"
    output = Path(output)
    folder = f"{WPS_NAME}_{wps_version()}"
    source = wps_dir()
    written = []
    try:
        target = output / folder
        for name in WPS_FILES:
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name == "js/config.js":
                path.write_text(wps_config_js(server), encoding="utf-8")
            else:
                shutil.copyfile(source / name, path)
            written.append(path)
        for name, publish in (("publish.xml", True), ("jsplugins.xml", False)):
            path = output / name
            path.write_text(plugins_xml(addin_url, publish), encoding="utf-8")
            written.append(path)
        steps = output / "安装说明.txt"
        steps.write_text(WPS_STEPS.format(server=server, addin_url=addin_url, folder=folder), encoding="utf-8")
        written.append(steps)
    except OSError as exc:
        raise ValueError(_os_error(exc, output)) from None
    return written


def serve(project_dir: str | os.PathLike | None = None, host: str = "127.0.0.1", port: int = 8000,
          cert_dir: str | os.PathLike = "certs", allow_origins=()) -> None:
    """Start the xlwings Server add-in on localhost (HTTPS when <cert_dir>/localhost+2*.pem exist).

    It also serves the WPS add-in under /wps/ (routers/custom.py); ``allow_origins`` lets pages
    from other origins (a WPS add-in published elsewhere) call it (CORS).
    """
    project = Path(project_dir or server_dir()).resolve()
    if not (project / "templates" / "manifest.xml").is_file():
        raise ValueError(f"{project} 不是加载项服务目录（缺少 templates/manifest.xml）")
    os.environ["XLWINGS_PROJECT_DIR"] = str(project)
    if allow_origins:
        os.environ["XLWINGS_CORS_ALLOW_ORIGINS"] = json.dumps(
            [o if o in ("*", "null") else _check_url(o, "允许的来源").rstrip("/") for o in allow_origins])
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ.setdefault("XLWINGS_ENVIRONMENT", "prod")
    try:
        import uvicorn
        import xlwings_server  # noqa: F401
    except ImportError:
        raise RuntimeError("没有安装 xlwings Server：请运行 pip install 'jixiao_xl-….whl[server]'"
                           "（或在源码目录运行 pip install '.[server]'）") from None

    certs = Path(cert_dir)
    key, cert = certs / "localhost+2-key.pem", certs / "localhost+2.pem"
    https = key.exists() and cert.exists()
    scheme = "https" if https else "http"
    print(f"加载项服务：{scheme}://{host}:{port}/manifest.xml（按 Ctrl+C 停止）", flush=True)
    print(f"WPS 加载项：{scheme}://{host}:{port}/wps/（publish.xml：{scheme}://{host}:{port}/wps/publish.xml）", flush=True)
    if not https:
        print(f"未找到证书 {cert}，以 HTTP 运行（Office.js 加载项需要 HTTPS，见 README）", flush=True)
    uvicorn.run("xlwings_server.main:main_app", host=host, port=port,
                ssl_keyfile=str(key) if https else None, ssl_certfile=str(cert) if https else None)
