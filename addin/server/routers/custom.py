"""The task pane's findings list: the open workbook's data in, an HTML fragment out."""

import xlwings as xw
from fastapi import APIRouter, Body, Request
from xlwings_server.templates import TemplateResponse

router = APIRouter()


@router.post("/jixiao/findings")
async def findings(request: Request, data: dict = Body):
    from jixiao_xl.xl import findings_for

    report = findings_for(xw.Book(json=data))
    from jixiao_xl.findings import SEVERITY_LABEL
    from jixiao_xl.xl import summary

    return TemplateResponse(
        request=request,
        name="jixiao_findings.html",
        context={"summary": summary(report), "findings": report.all_findings(), "labels": SEVERITY_LABEL},
    )
