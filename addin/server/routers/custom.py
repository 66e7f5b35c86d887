"""The task pane's findings list, and the add-in's one error path for every request.

Any exception that escapes a script, a worksheet function or the findings list
reaches the user as a Chinese message (logged here with the detail), never as
xlwings Server's English "An error occurred." with HTTP 500.

Also the WPS 加载项's routes: its 校验 / 清除标记 / 问题列表 requests and its files under /wps/,
and the 批量校验 page /jixiao/batch with its job routes (jixiao_xl/excel/batch_web.py).
"""

import importlib.util
import logging
import sys
from pathlib import Path

import xlwings as xw
from fastapi import APIRouter, Body, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from markupsafe import escape
from xlwings_server.templates import TemplateResponse

from jixiao_xl.excel.batch_web import router as batch_router

# xlwings asks for every cell it converts whether it is Pyodide's JsNull (xlwings.utils.is_jsnull: a
# `from pyodide.ffi import JsNull` that fails on a server, searching sys.path each time under the import
# lock: 100-160 µs a cell, a 100,000-cell argument 16 s, while every other request's imports wait on that
# lock). Not in Pyodide, the import is marked missing once, and fails at once.
if "pyodide" not in sys.modules and importlib.util.find_spec("pyodide") is None:
    sys.modules["pyodide"] = None

router = APIRouter()
router.include_router(batch_router)
logger = logging.getLogger("jixiao_xl.excel.addin")


@router.post("/jixiao/findings")
async def findings(request: Request, data: dict = Body, include_hidden: bool = False):
    from jixiao_xl.rules.findings import SEVERITY_LABEL
    from jixiao_xl.excel.xl import findings_for, friendly, summary

    try:
        report = findings_for(xw.Book(json=data), include_hidden=include_hidden)
        text = summary(report)
    except Exception as exc:
        logger.error("列出问题 failed", exc_info=exc)
        return HTMLResponse(f'<p class="text-danger">{escape(friendly(exc, "列出问题"))}</p>')
    return TemplateResponse(
        request=request,
        name="jixiao_findings.html",
        context={"summary": text, "findings": report.all_findings(), "labels": SEVERITY_LABEL},
    )


@router.get("/jixiao/help")
async def help_page(request: Request):
    """The manifest's SupportUrl: a Chinese page served by this server (no outside site needed)."""
    return TemplateResponse(request=request, name="jixiao_help.html", context={})


# ------------------------------------------------------------------ the WPS 加载项 (addin/wps)
#
# WPS runs the add-in's JavaScript (addin/wps/js/jixiao.js) against its own object model; it posts
# the workbook as xlwings Server's Office.js client would, with client "WPS", and applies the actions
# this answers with. The checks and the marks are the same code as for Excel (jixiao_xl.excel.xl).

WPS_SCRIPTS = {"validate": "校验", "clear_marks": "清除标记"}
WPS_HIDDEN_HINT = "（需要校验时请先取消隐藏：右键点工作表标签 → 取消隐藏）"
WPS_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
             ".xml": "application/xml; charset=utf-8", ".svg": "image/svg+xml"}


def _alert_action(text: str, title: str) -> dict:
    return {"func": "alert", "args": [text, title, "", "critical", ""], "values": None, "sheet_position": None,
            "start_row": None, "start_column": None, "row_count": None, "column_count": None}


def _wps_book(data) -> xw.Book:
    """The WPS add-in's request as a book: xlwings handles it as its Office.js client's (notes included);
    colours are read by the add-in itself (the jixiaoMark callback), as in Office.js."""
    from jixiao_xl.excel.xl import UserError

    if not isinstance(data, dict) or data.get("client") != "WPS" or not isinstance(data.get("sheets"), list):
        raise UserError("收到的请求不是 WPS 加载项发出的工作簿，工作簿没有被修改。请更新 WPS 加载项后再试。")
    return xw.Book(json=dict(data, client="Office.js", version=xw.__version__))


async def _body(request: Request):
    """The request's JSON, or None (a body that is not JSON is answered in Chinese like any other)."""
    try:
        return await request.json()
    except Exception:
        return None


@router.post("/jixiao/wps/findings")
async def wps_findings(request: Request):
    """问题列表 of the WPS add-in: the findings as JSON, or a Chinese error."""
    from jixiao_xl.rules.findings import SEVERITY_LABEL
    from jixiao_xl.excel.xl import findings_for, friendly, summary

    try:
        report = findings_for(_wps_book(await _body(request)))
        text = summary(report)
    except Exception as exc:
        logger.error("WPS 列出问题 failed", exc_info=exc)
        return {"error": friendly(exc, "列出问题")}
    return {"summary": text, "findings": [
        {"code": f.code, "severity": SEVERITY_LABEL[f.severity], "sheet": f.sheet, "cell": f.cell,
         "message": f.message} for f in report.all_findings()]}


@router.post("/jixiao/wps/{script}")
async def wps_script(script: str, request: Request):
    """校验 / 清除标记 of the WPS add-in: the actions to apply; any failure is one Chinese alert."""
    from jixiao_xl.excel.xl import HIDDEN_HINT, clear_marks_book, friendly, validate_book

    action = WPS_SCRIPTS.get(script)
    if action is None:
        return {"actions": [_alert_action("WPS 加载项请求了校验服务没有的操作，工作簿没有被修改。"
                                          "请更新 WPS 加载项（与服务同一版本）后再试。", "操作未完成")]}
    try:
        book = _wps_book(await _body(request))
    except Exception as exc:
        logger.error("WPS %s failed", action, exc_info=exc)
        return {"actions": [_alert_action(friendly(exc, action), f"{action}未完成")]}
    (validate_book if script == "validate" else clear_marks_book)(book)  # guarded: failures become an alert
    answer = book.json()
    for item in answer.get("actions", []):  # WPS has no task pane: say how to check a hidden sheet there
        if item.get("func") == "alert" and isinstance(item["args"][0], str):
            item["args"][0] = item["args"][0].replace(HIDDEN_HINT, WPS_HIDDEN_HINT)
    return answer


def _wps_plugins(request: Request, publish: bool):
    """The add-in's address from the server's configured URL (or the Host the guard checked), never a raw
    Host header; on a shared server the address carries the key (/wps/k/<key>/)."""
    from jixiao_xl.excel.addin import plugins_xml
    from jixiao_xl.excel.guard import WPS_KEYED, base_url

    key = getattr(request.state, "jixiao_key", "")
    folder = f"{WPS_KEYED}{key}/" if key else "/wps/"
    return Response(plugins_xml(base_url(request.scope) + folder, publish), media_type="application/xml; charset=utf-8")


@router.get("/wps/publish.xml")
async def wps_publish(request: Request):
    """publish.xml for each PC's jsaddons folder, pointing at the add-in served here."""
    return _wps_plugins(request, True)


@router.get("/wps/jsplugins.xml")
async def wps_jsplugins(request: Request):
    """jsplugins.xml for oem.ini's JSPluginsServer, pointing at the add-in served here."""
    return _wps_plugins(request, False)


@router.get("/wps/k/{key}/{path:path}", name="wps_keyed_file")
async def wps_keyed_file(key: str, path: str, request: Request):
    """The WPS add-in of a shared server: the same files, its js/config.js carrying the key (checked by the
    guard before this runs) that its calls send."""
    return _wps_file(path, getattr(request.state, "jixiao_key", ""))


@router.get("/wps/{path:path}", name="wps_file")
async def wps_file(path: str):
    """The WPS add-in's files (online mode): only the add-in's own files, never anything else."""
    return _wps_file(path, "")


def _wps_file(path: str, key: str):
    from jixiao_xl.excel.addin import WPS_FILES, wps_config_js, wps_dir

    name = path or "index.html"
    if name not in WPS_FILES:
        return PlainTextResponse("WPS 加载项中没有这个文件。", status_code=404)
    if name == "js/config.js" and key:
        return Response(wps_config_js("", key), media_type=WPS_TYPES[".js"])
    return FileResponse(wps_dir() / name, media_type=WPS_TYPES[Path(name).suffix])


async def chinese_errors(request: Request, call_next):
    """The safety net: a failure outside our own guards (e.g. a malformed request) still answers in Chinese."""
    try:
        return await call_next(request)
    except Exception as exc:
        from jixiao_xl.excel.xl import friendly

        path = request.url.path
        logger.error("request %s failed", path, exc_info=exc)
        if "/custom-scripts-call/" in path or "/jixiao/wps/" in path:  # a button: one alert, nothing else done
            if path.endswith("findings"):
                return JSONResponse({"error": friendly(exc, "列出问题")})
            action = "清除标记" if path.endswith("clear_marks") else "校验"
            alert = {"func": "alert", "args": [friendly(exc, action), f"{action}未完成", "", "critical", ""],
                     "values": None, "sheet_position": None, "start_row": None, "start_column": None,
                     "row_count": None, "column_count": None}
            return JSONResponse({"actions": [alert]})
        if "/custom-functions-call" in path:  # 400: Excel shows #VALUE! with the message, no retries
            return PlainTextResponse(friendly(exc, "计算"), status_code=400)
        return PlainTextResponse(friendly(exc, "处理请求"), status_code=500)


_main = sys.modules.get("xlwings_server.main")  # the app being built (this module is loaded from it)
if _main is not None and hasattr(_main, "app"):
    # Outermost first: Guard (paths, Host, cross-site, key, body cap), chinese_errors, then Offload
    # (workbook routes in a worker thread) next to the routes; see jixiao_xl/excel/guard.py.
    from jixiao_xl.excel.guard import Guard, Offload, RedactKey, chinese_cors

    logging.getLogger("uvicorn.access").addFilter(RedactKey())
    _main.app.add_middleware(Offload)
    _main.app.middleware("http")(chinese_errors)
    _main.app.add_middleware(Guard)
    if hasattr(_main, "cors_app"):  # outside the app: its refused preflights, in Chinese
        chinese_cors(_main.cors_app)
