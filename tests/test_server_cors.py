"""The add-in server's CORS refusals read in Chinese and refuse as much as before (the app's TestClient).

xlwings Server wraps the app in Starlette's CORSMiddleware, outside every middleware of ours: a preflight from an
origin not allowed got its plain-text "Disallowed CORS origin" (400)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ["XLWINGS_PROJECT_DIR"] = str(ROOT / "addin" / "server")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("XLWINGS_ENVIRONMENT", "prod")

pytest.importorskip("xlwings_server")
from fastapi.testclient import TestClient

ALLOWED = "http://intranet.example"


@pytest.fixture
def client(monkeypatch):
    import xlwings_server.main as server

    # as `addin serve --allow-origin http://intranet.example` configures it (the one origin a WPS add-in
    # published on the intranet calls from)
    monkeypatch.setattr(server.cors_app, "allow_origins", [ALLOWED])
    with TestClient(server.main_app) as test_client:
        yield test_client


def preflight(client, origin: str, method: str = "POST", headers: str = "content-type"):
    return client.options("/jixiao/wps/validate", headers={
        "Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers})


def test_a_preflight_from_another_site_is_refused_in_chinese(client):
    answer = preflight(client, "http://elsewhere.example")
    assert answer.status_code == 400
    assert answer.text == ("拒绝了来自其他网站（http://elsewhere.example）的跨域请求：该网站不在允许的来源之列。"
                           "请直接打开校验服务的页面操作；若需允许该网站，启动服务时加 --allow-origin。")
    assert "access-control-allow-origin" not in answer.headers  # the browser still refuses the call
    assert answer.headers["content-type"].startswith("text/plain") and "utf-8" in answer.headers["content-type"]
    assert not re.search(r"[A-Za-z]{4,}", answer.text.replace("http://elsewhere.example", "").replace("allow-origin", ""))


def test_a_preflight_asking_a_method_not_allowed_says_which_in_chinese(client):
    answer = preflight(client, "http://elsewhere.example", method="DELETE")
    assert answer.status_code == 400
    assert "该网站不在允许的来源之列，请求方式 DELETE 不被允许" in answer.text and "Disallowed" not in answer.text
    assert "access-control-allow-origin" not in answer.headers


def test_the_allowed_origin_is_still_allowed_and_only_for_post(client):
    answer = preflight(client, ALLOWED)
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == ALLOWED
    wrong = preflight(client, ALLOWED, method="PUT")
    assert wrong.status_code == 400 and wrong.text.startswith(f"拒绝了来自其他网站（{ALLOWED}）的跨域请求：请求方式 PUT 不被允许")
