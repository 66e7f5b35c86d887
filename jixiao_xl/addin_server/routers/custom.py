"""The task pane's findings list, and the add-in's one error path for every request.

Any exception that escapes a script, a worksheet function or the findings list
reaches the user as a Chinese message (logged here with the detail), never as
xlwings Server's English "An error occurred." with HTTP 500.
"""

import logging
import sys

import xlwings as xw
from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from markupsafe import escape
from xlwings_server.templates import TemplateResponse

router = APIRouter()
logger = logging.getLogger("jixiao_xl.addin")


@router.post("/jixiao/findings")
async def findings(request: Request, data: dict = Body, include_hidden: bool = False):
    from jixiao_xl.findings import SEVERITY_LABEL
    from jixiao_xl.xl import findings_for, friendly, summary

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


async def chinese_errors(request: Request, call_next):
    """The safety net: a failure outside our own guards (e.g. a malformed request) still answers in Chinese."""
    try:
        return await call_next(request)
    except Exception as exc:
        from jixiao_xl.xl import friendly

        path = request.url.path
        logger.error("request %s failed", path, exc_info=exc)
        if "/custom-scripts-call/" in path:  # a button: one alert, nothing else done to the workbook
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
    _main.app.middleware("http")(chinese_errors)
