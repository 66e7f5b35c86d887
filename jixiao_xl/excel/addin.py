"""``jixiao-xl addin``: serve the Office.js add-in, build and install the classic .xlam."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

from .project import server_dir, wps_dir  # noqa: F401 (addin's API)


# The classic add-in: xlwings' ribbon add-in template (quickstart_addin_ribbon.xlam: the xlwings VBA
# module with RunPython, the COM UDF client XLPy and the settings lookup GetConfig) with its VBA
# project rewritten by jixiao_xl.excel.vba:
# - the project is named JixiaoXl and xlwings' PROJECT_NAME constant is "jixiao", so GetConfig reads
#   the add-in's own sheet "jixiao.conf" (then jixiao.conf beside the workbook, then
#   %USERPROFILE%\.jixiao\jixiao.conf); the sheet's Interpreter_Win / Interpreter_Mac is the Python
#   that built the add-in (or --python);
# - module JixiaoAddin: one ribbon callback per button (RunPython of jixiao_xl.excel.xl.main/main_clear/
#   main_list), a Chinese message when the Python is missing, and JixiaoRegisterFunctions, which gives
#   the functions their Chinese descriptions (Application.MacroOptions, as xlwings' import does) when
#   the add-in's ribbon loads (customUI onLoad, JixiaoRibbonLoaded) and, should that not have run, on
#   the first click of a button;
# - no auto-exec entry point anywhere (no Workbook_Open, Auto_Open, ...; ThisWorkbook stays the
#   template's): oletools' mraptor rates a project with one plus Shell/CreateObject (xlwings' RunPython
#   needs those) SUSPICIOUS, and endpoint security on government PCs quarantines such files; the
#   template itself and this add-in rate "Macro OK". Names must also avoid mraptor's AutoExec pattern
#   for event handlers (\w+_Click, \w+_Change, \w+_Layout, ...): the callbacks here have no underscore;
# - module xlwings_udfs: the wrappers xlwings' "Import Functions" writes (xlwings.udfs.import_udfs /
#   generate_vba_wrapper) for the functions of jixiao_xl.excel.udf; tests check they are identical.
# The template's RibbonMyAddin module (RunMain imported a module named like the .xlam) is dropped.
# All VBA written here is ASCII: Chinese text is built at run time by JixiaoText from hex code points
# (VBA source is stored in the project's code page, 1252 in the template).
PROJECT_NAME = "jixiao"
CONF_SHEET = PROJECT_NAME + ".conf"
VBA_PROJECT = "JixiaoXl"
ADDIN_MODULE = "JixiaoAddin"
UDF_MODULE = "xlwings_udfs"
UDF_PYTHON_MODULE = "jixiao_xl.excel.udf"
NAMESPACE = "jixiao.xl"
BUTTONS = (  # ribbon id and VBA callback, label, handler in jixiao_xl.excel.xl, built-in icon, tooltip
    ("JixiaoValidate", "校验", "main", "AcceptInvitation",
     "重新计算全部计算项，校验附件1、附件2、附件3，标出有问题的单元格并写入“校验结果”表"),
    ("JixiaoClear", "清除标记", "main_clear", "Undo", "恢复上次校验标色的单元格原来的颜色，去掉校验加的批注"),
    ("JixiaoList", "问题列表", "main_list", "ReviewShowOrHideComment", "列出当前工作簿的全部问题"),
)


ON_LOAD = "JixiaoRibbonLoaded"  # customUI onLoad: Office calls it with the IRibbonUI when the add-in loads


def ribbon_xml() -> str:
    buttons = "\n".join(
        f'                    <button id="{callback}" label="{label}" size="large" onAction="{callback}"\n'
        f'                            imageMso="{image}" screentip="{label}" supertip="{_xml_text(tip)}" />'
        for callback, label, _handler, image, tip in BUTTONS)
    return f"""<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui" xmlns:x="{NAMESPACE}"
          onLoad="{ON_LOAD}">
    <ribbon>
        <tabs>
            <tab idQ="x:jixiaoTab" label="绩效自评">
                <group idQ="x:jixiaoGroup" label="校验">
{buttons}
                </group>
            </tab>
        </tabs>
    </ribbon>
</customUI>
"""


def vba_hex(text: str) -> str:
    """``text`` as JixiaoText's argument: 4 hex digits per UTF-16 code unit."""
    data = text.encode("utf-16-be")
    return data.hex().upper()


def _vba_text(text: str) -> str:
    """A VBA expression for ``text`` (a plain literal when ASCII, else JixiaoText("…"))."""
    if text.isascii():
        return '"' + text.replace('"', '""') + '"'
    if len(text) > 100:  # a VBA line holds 1023 characters (4 hex digits per character)
        half = len(text) // 2
        return _vba_text(text[:half]) + " & _\r\n        " + _vba_text(text[half:])
    return f'JixiaoText("{vba_hex(text)}")'


def _py_ascii(text: str) -> str:
    """``text`` as a single-quoted Python literal in ASCII (\\u escapes), safe inside cmd.exe's quotes."""
    body = text.encode("unicode_escape").decode("ascii")
    assert not any(c in body for c in "'\"%&^!<>|"), body
    return "'" + body + "'"


MISSING_PYTHON = ("找不到加载项设置的 Python：{}。请在这台电脑上安装 Python 和 jixiao-xl，"
                  "再运行 jixiao-xl addin build-xlam（或加 --python 指定 Python 的路径）生成加载项并重新安装。")
MISSING_PACKAGE = ("加载项使用的 Python 中没有安装 jixiao-xl：请用这个 Python 安装 jixiao-xl"
                   "（pip install jixiao_xl-…whl），或重新运行 jixiao-xl addin build-xlam --python 装有它的 Python。")


NO_WORKBOOK = ("没有可以{}的工作簿：请先打开要{}的工作簿并点一下它的窗口；"
               "若它在“受保护的视图”中打开，请先点击“启用编辑”。")
VBA_FAILED = ("Excel 未能启动 Python，{}没有完成：{}。请确认这台电脑允许 Excel 运行命令（WScript.Shell 未被禁用），"
              "或把这段文字发给管理员。")


def python_command(handler: str, label: str) -> str:
    """What RunPython runs for a button: the handler, or a Chinese alert when jixiao-xl is missing."""
    return ("import importlib.util, xlwings; "
            f"xlwings.Book.caller().app.alert({_py_ascii(MISSING_PACKAGE)}, title={_py_ascii(label + '未完成')}) "
            "if importlib.util.find_spec('jixiao_xl') is None "
            f"else __import__('jixiao_xl.excel.xl').excel.xl.{handler}()")


def addin_module() -> str:
    """The JixiaoAddin module: ribbon callbacks, JixiaoText, JixiaoRegisterFunctions."""
    before, after = MISSING_PYTHON.split("{}")
    no_book_before, no_book_middle, no_book_after = NO_WORKBOOK.split("{}")
    failed_before, failed_middle, failed_after = VBA_FAILED.split("{}")
    lines = [f'Attribute VB_Name = "{ADDIN_MODULE}"',
             "' Written by jixiao-xl addin build-xlam: the callbacks of the ribbon tab, and the help of the",
             "' JIXIAO functions (module xlwings_udfs). RunPython, GetConfig and FileExists are xlwings'.",
             "Option Explicit", "",
             "Private jixiaoRegistered As Boolean", "",
             "' customUI onLoad: the ribbon of this add-in is loaded (when Excel opens the add-in). No macro",
             "' here runs by itself on open: security scanners flag that together with Shell.",
             f"Public Sub {ON_LOAD}(ribbon As IRibbonUI)",
             "    JixiaoRegisterFunctions",
             "End Sub", ""]
    for callback, label, handler, _image, _tip in BUTTONS:
        lines += [f"Public Sub {callback}(control As IRibbonControl)",
                  f'    JixiaoRun "{python_command(handler, label)}", {_vba_text(label)}',
                  "End Sub", ""]
    lines += [
        "Private Sub JixiaoRun(pythonCode As String, title As String)",
        "    ' The descriptions, if the ribbon's onLoad did not run (it runs once, when the add-in loads).",
        "    If Not jixiaoRegistered Then JixiaoRegisterFunctions",
        "    ' No workbook in the active window (none open, or the file is in Protected View): xlwings'",
        "    ' RunPython would stop on ActiveWorkbook with Run-time error 91 in English.",
        "    If ActiveWorkbook Is Nothing Then",
        f"        MsgBox {_vba_text(no_book_before)} & title & {_vba_text(no_book_middle)} & title & "
        f"{_vba_text(no_book_after)}, vbExclamation, title",
        "        Exit Sub",
        "    End If",
        "    ' Any VBA error from here on (settings lookup, WScript.Shell blocked by policy, ...): a Chinese",
        "    ' message, not VBA's English dialog with its Debug button.",
        "    On Error GoTo failed",
        "    Dim interpreter As String",
        "    #If Mac Then",
        '        interpreter = GetConfig("INTERPRETER_MAC", "")',
        "    #Else",
        '        interpreter = GetConfig("INTERPRETER_WIN", "")',
        "    #End If",
        "    Dim found As Boolean",
        '    If interpreter <> "" Then found = FileExists(interpreter)',
        "    If Not found Then",
        f"        MsgBox {_vba_text(before)} & interpreter & {_vba_text(after)}, vbCritical, title",
        "        Exit Sub",
        "    End If",
        "    RunPython pythonCode",
        "    Exit Sub",
        "failed:",
        f"    MsgBox {_vba_text(failed_before)} & title & {_vba_text(failed_middle)} & Err.Description & \" (\" & "
        f"Err.Number & \")\" & {_vba_text(failed_after)}, vbCritical, title",
        "End Sub",
        "",
        "' Text from hex UTF-16 code units (4 digits each): keeps this module ASCII in any code page.",
        "Public Function JixiaoText(codes As String) As String",
        "    Dim i As Long, k As Long, value As Long, result As String",
        "    For i = 1 To Len(codes) Step 4",
        "        value = 0",
        "        For k = 0 To 3",
        '            value = value * 16 + InStr(1, "0123456789ABCDEF", Mid$(codes, i + k, 1), vbBinaryCompare) - 1',
        "        Next k",
        "        result = result & ChrW(value)",
        "    Next i",
        "    JixiaoText = result",
        "End Function",
        "",
        "' Descriptions for Insert Function, as xlwings' Import Functions sets them (Application.MacroOptions).",
        "Public Sub JixiaoRegisterFunctions()",
        "    jixiaoRegistered = True",
        "    On Error Resume Next",
    ]
    from .udf import CATEGORY, FUNCTIONS
    from .functions import FUNCTION_ARGS

    for name, core in FUNCTIONS.items():
        docs = ", ".join(_vba_text(doc[:255]) for _arg, doc in FUNCTION_ARGS[core.__name__])
        lines += [f"    Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!{name}\", _",
                  f"        Description:={_vba_text((core.__doc__ or '')[:255])}, _",
                  f"        Category:={_vba_text(CATEGORY)}, _",
                  f"        ArgumentDescriptions:=Array({docs})"]
    lines += ["End Sub", ""]
    return "\r\n".join(lines)


def udf_module(workbook_name: str) -> str:
    """The xlwings_udfs module as xlwings' Import Functions writes it (import_udfs + generate_vba_wrapper)."""
    import inspect

    from . import udf

    out = ['Attribute VB_Name = "xlwings_udfs"',
           "'Autogenerated code by xlwings - changes will be lost with next import!",
           """#Const App = "Microsoft Excel" 'Adjust when using outside of Excel"""]
    book = "ActiveWorkbook" if workbook_name.endswith(".xlam") else "ThisWorkbook"
    for name in sorted(udf.FUNCTIONS):  # generate_vba_wrapper walks dir(module): sorted names
        params = inspect.signature(getattr(udf, name)).parameters.values()
        signature = ", ".join(("Optional " if p.default is not p.empty else "") + p.name for p in params)
        args = "Array(" + ", ".join(p.name for p in params) + ")"
        out += [f"Function {name}({signature})",
                '    #If App = "Microsoft Excel" Then',
                "        If TypeOf Application.Caller Is Range Then On Error GoTo failed",
                f'        {name} = XLPy.CallUDF("{UDF_PYTHON_MODULE}", "{name}", {args}, {book}, Application.Caller)',
                "        Exit Function",
                "    #Else",
                f'        {name} = XLPy.CallUDF("{UDF_PYTHON_MODULE}", "{name}", {args})',
                "        Exit Function",
                "    #End If",
                "failed:",
                f"    {name} = Err.Description",
                "End Function",
                ""]
    return "\r\n".join(out) + "\r\n"


XLWINGS_PROJECT_LINE = 'Public Const PROJECT_NAME As String = "myaddin"'


def vba_project(template_bin: bytes, workbook_name: str) -> bytes:
    """The template's vbaProject.bin with the jixiao modules (see the comment above BUTTONS)."""
    from .vba import Module, read_project, write_project

    project = read_project(template_bin)
    sources = {m.name: m.source for m in project.modules}
    if XLWINGS_PROJECT_LINE not in sources.get("xlwings", ""):
        raise RuntimeError("xlwings 加载项模板的 VBA 与预期不同（没有 PROJECT_NAME），无法生成加载项")
    project.modules = [m for m in project.modules if m.name != "RibbonMyAddin"]
    sources["xlwings"] = sources["xlwings"].replace(
        XLWINGS_PROJECT_LINE, f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"')
    added = [Module(ADDIN_MODULE, addin_module()), Module(UDF_MODULE, udf_module(workbook_name))]
    return write_project(project, added, name=VBA_PROJECT, sources=sources)


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
    """The Python running this build, as xlwings' own ``xlwings config create`` records it (sys.executable).

    python.exe, not pythonw.exe: xlwings' RunPython runs ``cmd.exe /C "python" -c …`` with
    WScript.Shell.Run(…, 0, True), and cmd.exe waits only for console programs: with the GUI
    pythonw.exe the button returns at once (a second click starts a second run on the same book,
    and a Python that dies at start shows nothing). No console shows either way: Run's window
    style 0 hides cmd's console, which python.exe inherits, and xlwings' DLL hides the UDF server's.
    """
    return sys.executable


def build_xlam(output: str | os.PathLike, python: str | None = None) -> list[Path]:
    """One .xlam: the 绩效自评 tab (校验, 清除标记, 问题列表) and the JIXIAO_* worksheet functions."""
    output = Path(output)
    if output.suffix.lower() != ".xlam":
        raise ValueError("输出文件的扩展名必须是 .xlam")
    interpreter = python or default_interpreter()
    source = ribbon_template()
    from ..xlsx.xlsxio import atomic_write

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(_os_error(exc, output.parent)) from None

    def write(temp: str) -> None:
        with zipfile.ZipFile(source) as src, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == "customUI/customUI.xml":
                    data = ribbon_xml().encode("utf-8")
                elif info.filename == "xl/workbook.xml":
                    data = data.replace(b'name="_myaddin.conf"', f'name="{CONF_SHEET}"'.encode())
                elif info.filename == "xl/worksheets/sheet1.xml":
                    data = _conf_sheet(data.decode("utf-8"), interpreter).encode("utf-8")
                elif info.filename == "xl/vbaProject.bin":
                    data = vba_project(data, output.name)
                out.writestr(info, data)

    try:
        atomic_write(output, write)
    except OSError as exc:
        raise ValueError(_os_error(exc, output)) from None
    return [output]


def _os_error(exc: OSError, path: Path) -> str:
    import errno

    reasons = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.ENOENT: "文件夹不存在",
               errno.ENOTDIR: "路径中有一段是文件而不是文件夹", errno.EISDIR: "这是一个文件夹",
               errno.EROFS: "磁盘是只读的", errno.ENOSPC: "磁盘空间不足"}
    reason = reasons.get(exc.errno, "无法写入")
    return f"无法写入 {path}：{reason}。请换一个可以写入的位置（如 -o 桌面上的 jixiao_addin.xlam）"


INSTALL_STEPS = """安装经典 Excel 加载项（Windows 桌面版 Excel 2016 及以上，本机 Python）：
  1. 安装 Python 3.10 以上版本，再安装本工具：pip install "jixiao_xl-0.1.0-py3-none-any.whl"
     （安装包由 python -m pip wheel . --no-deps -w dist 在源码目录生成；也可在源码目录 pip install .）
  2. 生成加载项：jixiao-xl addin build-xlam -o jixiao_addin.xlam
     一个文件：“绩效自评”选项卡（校验、清除标记、问题列表）和工作表函数 JIXIAO_EXEC_RATE 等；
     加载项里已写好运行它的 Python（默认是运行本命令的 Python，另一个 Python 用 --python 指定）
  3. Windows：jixiao-xl addin install jixiao_addin.xlam 把它装入 Excel 的 XLSTART 文件夹（加载项中的 Python
     在这台电脑上不存在时改用运行本命令的 Python）；或手动复制到 %APPDATA%\\Microsoft\\Excel\\XLSTART
  4. 重启 Excel，功能区出现“绩效自评”选项卡
"""


def interpreter_of(xlam: str | os.PathLike) -> str:
    """The Python an add-in built here runs (Interpreter_Win, or Interpreter_Mac on a Mac), "" if none."""
    import re

    with zipfile.ZipFile(xlam) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    row = 2 if sys.platform == "darwin" else 1
    found = re.search(rf'<c r="B{row}"[^>]*t="inlineStr"><is><t>(.*?)</t>', sheet)
    if not found:
        return ""
    return found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def install(xlam: str | None, xlstart: str | os.PathLike | None = None) -> str:
    """On Windows put the add-in into XLSTART; elsewhere (or without a file) return the steps.

    The add-in is written afresh there: with the Python it names when that exists on this
    computer, else with the Python running this command (an add-in from the offline bundle
    names the Python of the computer that built the bundle).
    """
    if not xlam:
        return INSTALL_STEPS
    path = Path(xlam)
    if not path.is_file():
        raise FileNotFoundError(f"找不到加载项文件 {path}：请先运行 jixiao-xl addin build-xlam -o {path.name}，"
                                "再安装生成的文件")
    if xlstart is None:
        if sys.platform != "win32":
            return INSTALL_STEPS
        xlstart = Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    xlstart = Path(xlstart)
    try:
        recorded = interpreter_of(path)
    except (OSError, KeyError, zipfile.BadZipFile):
        raise ValueError(f"{path} 不是 jixiao-xl addin build-xlam 生成的加载项，请重新生成") from None
    python = recorded if recorded and Path(recorded).is_file() else None
    try:
        xlstart.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(_os_error(exc, xlstart)) from None
    build_xlam(xlstart / path.name, python=python)
    used = python or default_interpreter()
    return (f"已安装到 {xlstart}（加载项使用的 Python：{used}），"
            "重启 Excel 后功能区出现“绩效自评”选项卡（校验、清除标记、问题列表）。")


# ------------------------------------------------------------------ WPS 加载项 (addin/wps)
#
# A WPS JS add-in: ribbon.xml (Office's customUI), index.html/main.js loading js/*.js, manifest.xml.
# WPS finds add-ins through jsaddons/publish.xml or, with oem.ini [Server] JSPluginsServer, a
# jsplugins.xml. Both are written here as WPS' own tool wpsjs writes them (npm package wpsjs 2.2.3,
# the same attributes in 1.5.9), for an add-in served over HTTP ("online", <jspluginonline>):
# - publish.xml: src/lib/debug_publish.js configPublish() (`wpsjs debug`): attributes name, type,
#   url, debug="", enable="enable_dev", install="null" in that order (and customDomain only when the
#   project's package.json sets one: xml2js leaves out an undefined attribute);
# - jsplugins.xml: src/lib/debug_xmlplugin.js (`wpsjs debug` where oem.ini is used): name, type, url
#   (debug="code" only when debugging), nothing else;
# - both through xml2js 0.6's Builder: <?xml version="1.0" encoding="UTF-8" standalone="yes"?>,
#   two-space indent, no trailing newline.
# A packaged ("offline", 7z) add-in is <jsplugin name type url="NAME_VERSION" version
# enable="enable_dev" install="null" customDomain=""/> (src/lib/build.js CreatePublishXml); not used here.
WPS_NAME = "jixiao_wps"  # letters, digits and underscores only (wpsjs requires it of add-in names)
WPS_FILES = ("index.html", "main.js", "manifest.xml", "ribbon.xml", "js/config.js", "js/jixiao.js", "js/ribbon.js",
             "images/validate.svg", "images/clear.svg", "images/list.svg")


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
    """publish.xml (publish=True, in each PC's jsaddons folder) or jsplugins.xml (oem.ini JSPluginsServer),
    byte for byte as wpsjs writes them for an online add-in at ``addin_url`` (see the comment above)."""
    extra = ' debug="" enable="enable_dev" install="null"' if publish else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<jsplugins>\n'
            f'  <jspluginonline name="{WPS_NAME}" type="et" url="{_xml_text(addin_url)}"{extra}/>\n'
            "</jsplugins>")


def wps_config_js(server: str, key: str = "") -> str:
    """js/config.js: the server the add-in sends workbooks to ("" = the one that served it) and, for a
    shared server, its access key (sent as the Authorization header)."""
    return ("// The jixiao-xl server this add-in sends workbooks to (written by jixiao-xl addin build-wps).\n"
            f"window.JIXIAO_WPS_CONFIG = {{ server: {json.dumps(server, ensure_ascii=False)}, "
            f"key: {json.dumps(key)} }};\n")


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
              addin_url: str | None = None, key: str | None = None) -> list[Path]:
    """The WPS add-in for an IT person: the add-in folder (its js/config.js names the server and, for a
    shared server, its access key), publish.xml and jsplugins.xml pointing WPS at it, and the steps in
    安装说明.txt. A shared server's key: ``key``, else the one kept on this computer (built where it runs)."""
    from urllib.parse import urlsplit

    from . import guard

    server = _check_url(server, "服务地址").rstrip("/")
    if key is None and not guard.is_loopback(urlsplit(server).hostname or "") and guard.key_file().is_file():
        key = guard.server_key()
    if key and not re.fullmatch(r"[A-Za-z0-9_-]{20,}", key):
        raise ValueError("访问密钥的格式不对：请复制服务启动时显示的地址中 key= 后面的整段文字")
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
                path.write_text(wps_config_js(server, key or ""), encoding="utf-8")
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


def _lan_address() -> str:
    """A name colleagues can reach this computer by: its first non-loopback IPv4 address, else its name."""
    import socket

    name = socket.gethostname()
    try:
        for *_ignored, address in socket.getaddrinfo(name, None, socket.AF_INET):
            if not address[0].startswith("127."):
                return address[0]
    except OSError:
        pass
    return name


def serve(project_dir: str | os.PathLike | None = None, host: str = "127.0.0.1", port: int = 8000,
          cert_dir: str | os.PathLike = "certs", allow_origins=(), public_url: str | None = None,
          new_key: bool = False, store: str | None = None, unit_map: str | None = None) -> None:
    """Start the xlwings Server add-in (HTTPS when <cert_dir>/localhost+2*.pem exist).

    It also serves the WPS add-in under /wps/ and the 批量校验 page (routers/custom.py); ``allow_origins``
    lets pages from other origins (a WPS add-in published elsewhere) call it (CORS). A server that listens
    beyond loopback, or has a ``public_url``, is shared: it needs the access key (jixiao_xl.excel.guard) kept in
    the user's settings folder (``new_key`` rotates it), and prints its addresses with the key.
    """
    from . import guard

    project = Path(project_dir or server_dir()).resolve()
    if not (project / "templates" / "manifest.xml").is_file():
        raise ValueError(f"{project} 不是加载项服务目录（缺少 templates/manifest.xml）")
    os.environ["XLWINGS_PROJECT_DIR"] = str(project)
    if allow_origins:
        os.environ["XLWINGS_CORS_ALLOW_ORIGINS"] = json.dumps(
            [o if o in ("*", "null") else _check_url(o, "允许的来源").rstrip("/") for o in allow_origins])
    if public_url:
        public_url = _check_url(public_url, "公开地址").rstrip("/")
        os.environ[guard.PUBLIC_URL_ENV] = public_url
    shared = bool(public_url) or not guard.is_loopback(host)
    key = guard.server_key(new=new_key) if shared or new_key else ""
    if shared:
        os.environ[guard.KEY_ENV] = key
        os.environ["XLWINGS_AUTH_PROVIDERS"] = json.dumps([guard.AUTH_PROVIDER])
    else:
        os.environ.pop(guard.KEY_ENV, None)
    guard.reset()
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ.setdefault("XLWINGS_ENVIRONMENT", "prod")
    try:
        import uvicorn
        import xlwings_server  # noqa: F401
    except ImportError:
        raise RuntimeError("没有安装 xlwings Server：请运行 pip install 'jixiao_xl-….whl[server]'"
                           "（或在源码目录运行 pip install '.[server]'）") from None

    certs = Path(cert_dir)
    cert_key, cert = certs / "localhost+2-key.pem", certs / "localhost+2.pem"
    https = cert_key.exists() and cert.exists()
    scheme = "https" if https else "http"
    shown = host if guard.is_loopback(host) or host not in ("0.0.0.0", "::", "") else _lan_address()
    base = public_url or f"{scheme}://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    query = f"?key={key}" if shared else ""
    print(f"批量校验页面：{base}/jixiao/batch{query}", flush=True)
    print(f"Office.js 加载项清单：{base}/manifest.xml{query}", flush=True)
    print(f"WPS 加载项：{base}/wps/publish.xml{query}（放入各电脑的 jsaddons 文件夹）", flush=True)
    if shared:
        print(f"这是共用服务：以上地址带有访问密钥，只发给需要使用的同事；没有密钥的请求一律拒绝。"
              f"密钥保存在 {guard.key_file()}，换新密钥：jixiao-xl addin serve --new-key", flush=True)
        if not https and not (public_url or "").startswith("https://"):
            print("注意：以 HTTP 共用时，密钥和上传的材料在局域网中明文传输；请按 README“多人共用与安全”配置证书。",
                  flush=True)
    elif new_key:
        print(f"已生成新的访问密钥（保存在 {guard.key_file()}），共用服务（--host 0.0.0.0）时使用。", flush=True)
    if not https:
        print(f"未找到证书 {cert}，以 HTTP 运行（Office.js 加载项需要 HTTPS，见 README）", flush=True)
    from . import batch_web

    if store:  # the batch page's results go into a store on this computer (behind the page's key)
        from ..store.db import Store
        from ..store.records import StoreError, UnitMap

        try:
            UnitMap.read(unit_map)
            Store.open(store).close()
        except StoreError as exc:
            raise ValueError(str(exc)) from None
        os.environ[batch_web.STORE_ENV] = str(Path(store).resolve())
        if unit_map:
            os.environ[batch_web.UNIT_MAP_ENV] = str(Path(unit_map).resolve())
        print(f"批量校验的结果存入绩效库：{Path(store).resolve()}（只保存在本机，网页上不提供下载）", flush=True)
    try:  # the batch page's private folder now: folders left by stopped servers are swept at start
        batch_web._root()
    except batch_web.Refused as exc:
        raise ValueError(str(exc)) from None
    print("按 Ctrl+C 停止", flush=True)
    uvicorn.run("xlwings_server.main:main_app", host=host, port=port,
                ssl_keyfile=str(cert_key) if https else None, ssl_certfile=str(cert) if https else None)
