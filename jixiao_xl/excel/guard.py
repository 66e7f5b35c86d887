"""The add-in server's guard: what a shared server (``jixiao-xl addin serve --host 0.0.0.0``) lets in.

Two ASGI middlewares around the xlwings Server app (registered by routers/custom.py):

``Guard`` (outermost of ours), for every HTTP request, in this order:

1. **Paths.** A path whose decoded form (decoded again while it changes: %252e is %2e is ".") has a
   ``..`` segment, a backslash, a drive letter or a NUL is refused (404) before any route sees it.
   xlwings-server's static handler joins the path to its folder before any containment check
   (``OverridableStaticFiles.lookup_path``), so ``/static/..%2f..%2fetc/passwd`` read any file.
2. **Host.** The Host header must name this server: an IP literal (a DNS-rebinding page cannot send
   one), localhost, this computer's name, the host of ``--public-url`` or a name in
   JIXIAO_ALLOWED_HOSTS; else 403. URLs handed out (manifest, publish.xml) are built from
   ``--public-url`` when given, else from this checked Host.
3. **Cross-site.** A POST/PUT/PATCH/DELETE with a foreign ``Origin`` (not this server's, not an
   ``--allow-origin``) or ``Sec-Fetch-Site: cross-site`` is refused (403); a POST must be non-simple
   in CORS terms (a JSON body, or an Authorization / X-Jixiao-Request / HX-Request header), so no
   form or ``fetch`` of another page can send one without a preflight that CORS refuses.
4. **Key.** When the server is shared (JIXIAO_ACCESS_KEY set: it listens beyond loopback or has a
   public URL), every route but the public ones (the manifest, static files, icons, help, the task
   pane page and the functions' code) needs the key: ``?key=`` (a GET with it sets an HttpOnly,
   SameSite=Strict cookie), the cookie, or the Authorization header that xlwings' client sends from
   ``getAuth`` (static/js/auth.js). xlwings' script and function calls are checked by xlwings
   Server's own auth hook (XLWINGS_AUTH_PROVIDERS=["jixiao"], auth/jixiao); 401 in Chinese otherwise.
5. **Body size.** Every body but the batch page's raw uploads (capped by batch_web itself) is read
   here up to JIXIAO_MAX_BODY_MB (20 MB): a larger one is refused with 413 before anything parses it.

``Offload`` (innermost): the workbook work (xlwings' script and function calls, the findings list,
the WPS add-in's calls) runs in a worker thread with its own event loop, so one slow call never holds
up another user's request; a function call whose arguments hold more than JIXIAO_MAX_FUNCTION_CELLS
(100,000) cells is answered with a Chinese error before xlwings converts a single value.

Every refusal is one Chinese line (``{"detail": ...}`` for JSON clients, which xlwings' client
shows) with its status; nothing refused reaches a route.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import re
import secrets
import socket
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..batch.archive import env_number  # a limit from the environment (the batch page's too)
from ..problems import os_cause

MB = 1 << 20
KEY_ENV = "JIXIAO_ACCESS_KEY"
PUBLIC_URL_ENV = "JIXIAO_PUBLIC_URL"
COOKIE = "jixiao_key"
CUSTOM_HEADER = "x-jixiao-request"
AUTH_PROVIDER = "jixiao"

# Routes anyone may read: code, icons, help and the manifest (the manifest carries the key only
# when asked with it). Everything else needs the key when the server is shared.
PUBLIC_EXACT = {"/", "/favicon.ico", "/manifest", "/manifest.xml", "/manifest/download", "/taskpane",
                "/taskpane.html", "/jixiao/help", "/xlwings/alert", "/xlwings/custom-functions-meta",
                "/xlwings/custom-functions-meta.json", "/xlwings/custom-functions-code",
                "/xlwings/custom-functions-code.js", "/xlwings/custom-scripts-meta",
                "/xlwings/custom-scripts-meta.json"}
PUBLIC_PREFIXES = ("/static/", "/wps/")  # /wps/ holds the WPS add-in's code; its XML files and /wps/k/ do not
WPS_PRIVATE = ("/wps/publish.xml", "/wps/jsplugins.xml")
WPS_KEYED = "/wps/k/"  # /wps/k/<key>/…: the WPS add-in with the key written into its js/config.js
XLWINGS_CALLS = ("/xlwings/custom-scripts-call/", "/xlwings/custom-functions-call")
UPLOAD = re.compile(r"^/jixiao/batch/jobs/[^/]+/files$")
OFFLOADED = XLWINGS_CALLS + ("/jixiao/findings", "/jixiao/wps/")
SIMPLE_METHODS = {"GET", "HEAD", "OPTIONS"}

NOT_FOUND_PATH = "请求的地址不合法（含“..”、反斜杠或盘符），已拒绝。"
BAD_HOST = ("服务不接受以“{}”访问。请使用管理员给出的服务地址；若服务以域名提供，"
            "启动时请加 --public-url 该地址。")
CROSS_SITE = "拒绝来自其他网站（{}）的请求。请直接打开校验服务的页面操作；若需允许该网站，启动服务时加 --allow-origin。"
NOT_CUSTOM = "请求缺少校验服务要求的标头（X-Jixiao-Request），已拒绝。请从校验服务的页面或加载项操作。"
NEED_KEY = ("需要访问密钥：请使用管理员给出的带密钥的地址（如 …/jixiao/batch?key=…）打开，"
            "或重新安装带密钥的加载项清单。")
WRONG_KEY = "访问密钥不正确或已更换：请向管理员索取新的带密钥地址。"
# a CORS preflight refused (xlwings Server's CORSMiddleware; Starlette says "Disallowed CORS origin, method")
CORS_REFUSED = "拒绝了来自其他网站（{origin}）的跨域请求：{why}。请直接打开校验服务的页面操作；若需允许该网站，启动服务时加 --allow-origin。"
CORS_WHY = {"origin": "该网站不在允许的来源之列", "method": "请求方式 {method} 不被允许", "headers": "请求带有不被允许的标头",
            "private-network": "不允许从外部网页访问内网中的服务"}
TOO_BIG = "请求的内容超过 {} MB（上限），已拒绝。请缩小工作簿（删去无关的工作表）后再试。"
TOO_MANY_CELLS = ("函数参数中有 {:,} 个单元格，超过上限 {:,} 个。请只选中自评表中需要计算的区域"
                  "（如 D8:H30），不要选整列。")


# ------------------------------------------------------------------ the key


def config_dir() -> Path:
    """The user's own settings folder: %APPDATA%\\jixiao-xl on Windows, else $XDG_CONFIG_HOME/jixiao-xl."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "jixiao-xl"
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "jixiao-xl"


def key_file() -> Path:
    return config_dir() / "server-key"


def server_key(new: bool = False) -> str:
    """The server's access key: kept in the user's settings folder (0600) and reused; ``new`` rotates it."""
    path = key_file()
    if not new:
        try:
            key = path.read_text(encoding="ascii").strip()
            if re.fullmatch(r"[A-Za-z0-9_-]{20,}", key):
                return key
        except (OSError, UnicodeDecodeError):
            pass
    key = secrets.token_urlsafe(24)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(path.name + f".{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as sink:
            sink.write(key + "\n")
        os.replace(temp, path)
    except OSError as exc:
        raise ValueError(f"无法保存访问密钥到 {path}（{os_cause(exc)}）。请检查该文件夹的权限。") from None
    return key


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def key_matches(given: str | None, key: str) -> bool:
    if not given:
        return False
    given = given.strip()
    if given.lower().startswith("bearer "):
        given = given[7:].strip()
    return secrets.compare_digest(given.encode("utf-8", "replace"), key.encode("ascii"))


# ------------------------------------------------------------------ settings read once


class Settings:
    def __init__(self) -> None:
        self.key = os.environ.get(KEY_ENV, "").strip()
        public = os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
        self.public_url = public
        names = {"localhost", "localhost.localdomain"}
        try:
            names.add(socket.gethostname().lower())
            names.add(socket.getfqdn().lower())
        except OSError:
            pass
        names |= {n.split(".")[0] for n in list(names) if n}
        if public:
            names.add((urlsplit(public).hostname or "").lower())
        extra = os.environ.get("JIXIAO_ALLOWED_HOSTS", "")
        names |= {n.strip().lower() for n in extra.split(",") if n.strip()}
        self.hosts = {n for n in names if n}
        try:
            origins = json.loads(os.environ.get("XLWINGS_CORS_ALLOW_ORIGINS", "[]") or "[]")
        except ValueError:
            origins = []
        self.origins = {str(o).rstrip("/").lower() for o in origins if isinstance(o, str)}
        self.max_body = int(env_number("JIXIAO_MAX_BODY_MB", 20) * MB)
        self.max_cells = int(env_number("JIXIAO_MAX_FUNCTION_CELLS", 100_000))
        providers = os.environ.get("XLWINGS_AUTH_PROVIDERS", "")
        self.xlwings_checks_key = AUTH_PROVIDER in providers


# ------------------------------------------------------------------ helpers


def decoded(path: str) -> str:
    """``path`` percent-decoded until it no longer changes (at most a few rounds)."""
    for _ in range(4):
        once = unquote(path)
        if once == path:
            break
        path = once
    return path


_DRIVE = re.compile(r"(^|/)[A-Za-z]:")


def path_is_bad(raw: str) -> bool:
    text = decoded(raw)
    if "\\" in text or "\x00" in text or _DRIVE.search(text):
        return True
    return ".." in text.split("/")


def host_name(header: str) -> str:
    """The host of a Host header, without port or IPv6 brackets, lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header[1:]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def headers_of(scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in scope.get("headers") or ():
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[key] = out[key] + "; " + text if key == "cookie" and key in out else text
    return out


def cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            if k.strip() == name:
                return v.strip()
    return None


def query_key(scope) -> str | None:
    values = parse_qs((scope.get("query_string") or b"").decode("latin-1")).get("key")
    return values[0] if values else None


async def answer(send, status: int, text: str, headers: list | None = None) -> None:
    body = json.dumps({"detail": text, "error": text}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())] + (headers or [])})
    await send({"type": "http.response.body", "body": body})


def base_url(scope, settings: Settings | None = None) -> str:
    """The address handed out in URLs: --public-url, else scheme and the (checked) Host of this request."""
    settings = settings or SETTINGS()
    if settings.public_url:
        return settings.public_url
    headers = headers_of(scope)
    scheme = headers.get("x-forwarded-proto") or scope.get("scheme") or "http"
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 8000)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"


_SETTINGS: Settings | None = None


def SETTINGS() -> Settings:
    global _SETTINGS
    if _SETTINGS is None:
        _SETTINGS = Settings()
    return _SETTINGS


def reset() -> None:
    """Read the environment again (tests change it)."""
    global _SETTINGS
    _SETTINGS = None


def is_public(path: str) -> bool:
    if path in PUBLIC_EXACT:
        return True
    if path in WPS_PRIVATE or path.startswith(WPS_KEYED):
        return False
    return path.startswith(PUBLIC_PREFIXES)


_KEY_IN_PATH = re.compile(r"(key=|/wps/k/)[A-Za-z0-9_%-]+")


def redact(text: str) -> str:
    """A request line without the access key (``?key=…``, ``/wps/k/…/``), as the access log prints it."""
    return _KEY_IN_PATH.sub(lambda m: m.group(1) + "***", text)


class RedactKey:
    """A logging filter for uvicorn's access log: job ids may show, keys never."""

    def filter(self, record) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


# ------------------------------------------------------------------ the middlewares


def chinese_cors(cors) -> None:
    """xlwings Server's CORSMiddleware (``cors``, outermost: it answers a preflight before Guard sees it) refuses a
    preflight with Starlette's English "Disallowed CORS origin" (400): the same refusal — its status, its headers
    (no Access-Control-Allow-Origin for an origin not allowed), what it allows — with the reasons in Chinese."""
    from starlette.responses import PlainTextResponse

    refuse = cors.preflight_response

    def preflight_response(request_headers):
        response = refuse(request_headers)
        body = bytes(response.body).decode("latin-1")
        if response.status_code < 400 or not body.startswith("Disallowed CORS "):
            return response
        failures = body[len("Disallowed CORS "):].split(", ")
        method = request_headers.get("access-control-request-method", "")[:20]
        why = "，".join(CORS_WHY.get(f, "不符合跨域访问的规定").format(method=method) for f in failures)
        origin = (request_headers.get("origin") or "未知来源")[:100]
        kept = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")}
        return PlainTextResponse(CORS_REFUSED.format(origin=origin, why=why), status_code=response.status_code,
                                 headers=kept)

    cors.preflight_response = preflight_response


class Guard:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        settings = SETTINGS()
        path = scope.get("path") or "/"
        raw = (scope.get("raw_path") or b"").decode("latin-1") or path
        if path_is_bad(raw) or path_is_bad(path):
            return await answer(send, 404, NOT_FOUND_PATH)
        headers = headers_of(scope)
        host = headers.get("host", "")
        name = host_name(host)
        if host and not (_is_ip(name) or name in settings.hosts):
            return await answer(send, 403, BAD_HOST.format(host[:100]))
        method = scope.get("method", "GET")
        if method not in SIMPLE_METHODS:
            origin = headers.get("origin", "").rstrip("/")
            own = f"{scope.get('scheme', 'http')}://{host}".lower()
            forwarded = f"{headers.get('x-forwarded-proto', '')}://{host}".lower()
            allowed = settings.origins | ({settings.public_url.lower()} if settings.public_url else set())
            foreign = bool(origin) and origin.lower() not in (own, forwarded) and origin.lower() not in allowed
            if foreign or (headers.get("sec-fetch-site") == "cross-site" and origin.lower() not in allowed):
                return await answer(send, 403, CROSS_SITE.format((origin or "未知来源")[:100]))
            if method == "POST" and not (
                    headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"
                    or CUSTOM_HEADER in headers or "authorization" in headers or "hx-request" in headers):
                return await answer(send, 403, NOT_CUSTOM)
        set_cookie = None
        state = scope.setdefault("state", {})
        state["jixiao_key"] = ""
        if settings.key:
            given = query_key(scope)
            if path.startswith(WPS_KEYED):
                given = path[len(WPS_KEYED):].split("/", 1)[0]
            has_key = (key_matches(given, settings.key) or key_matches(headers.get("authorization"), settings.key)
                       or key_matches(cookie_value(headers.get("cookie", ""), COOKIE), settings.key))
            if has_key:
                state["jixiao_key"] = settings.key
                if given and key_matches(given, settings.key) and method in ("GET", "HEAD"):
                    secure = "; Secure" if base_url(scope, settings).startswith("https") else ""
                    set_cookie = (f"{COOKIE}={settings.key}; Path=/; HttpOnly; SameSite=Strict{secure}"
                                  ).encode("latin-1")
            elif given is not None:
                return await answer(send, 401, WRONG_KEY)
            elif not is_public(path) and not (settings.xlwings_checks_key and path.startswith(XLWINGS_CALLS)
                                              and headers.get("authorization")):
                # xlwings' own check answers a key it is given (its client shows that answer); a request with
                # no key at all is refused here, before anything reads its body (a malformed one got 400)
                return await answer(send, 401, NEED_KEY)
        state["jixiao_base"] = base_url(scope, settings)
        if method not in SIMPLE_METHODS and not UPLOAD.match(path):
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > settings.max_body:
                return await answer(send, 413, TOO_BIG.format(f"{settings.max_body / MB:g}"))
            chunks, size = [], 0
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > settings.max_body:
                    return await answer(send, 413, TOO_BIG.format(f"{settings.max_body / MB:g}"))
                chunks.append(chunk)
                if not message.get("more_body"):
                    break
            receive = replay(b"".join(chunks), receive)
        if set_cookie is not None:
            send = with_header(send, b"set-cookie", set_cookie)
        return await self.app(scope, receive, in_chinese(send))


def replay(body: bytes, receive):
    """A receive that hands out ``body`` once, then waits on the real one (disconnects)."""
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    again.body = body
    return again


def with_header(send, name: bytes, value: bytes):
    async def sending(message):
        if message["type"] == "http.response.start":
            message = dict(message, headers=list(message.get("headers", [])) + [(name, value)])
        await send(message)

    return sending


NOT_FOUND = "没有这个页面或文件。请检查地址是否完整（可从校验服务启动时显示的地址复制）。"
NOT_ALLOWED = "这个地址不支持这种请求方式。请从校验服务的页面或加载项操作。"
STOCK = {b"Not Found": NOT_FOUND, b'{"detail":"Not Found"}': NOT_FOUND,
         b"Method Not Allowed": NOT_ALLOWED, b'{"detail":"Method Not Allowed"}': NOT_ALLOWED}
BAD_REQUEST = ("请求的内容不完整，或不是本工具的加载项、页面发出的，未处理（工作簿没有被修改）。"
               "请从 Excel/WPS 的“绩效自评”选项卡或批量校验页面操作；仍不成功请更新加载项。")
FAILED = "校验服务未能完成这个请求（HTTP {status}），工作簿没有被修改。请重试；仍不成功请联系管理员。"
BY_STATUS = {400: BAD_REQUEST, 422: BAD_REQUEST}
_CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_HELD = 64 << 10  # an error answer is short: a longer body is passed on as it is


def _chinese_for(status: int, body: bytes) -> str | None:
    """The Chinese line for an error answer without any Chinese (Starlette's stock 404/405, xlwings Server's
    English 400 for a malformed request …); None for one that already says it in Chinese."""
    if body in STOCK:
        return STOCK[body]
    if _CJK.search(body.decode("utf-8", "replace")):
        return None
    return BY_STATUS.get(status, FAILED.format(status=status))


def in_chinese(send):
    """Every error answer (4xx, 5xx) whose body holds no Chinese, from Starlette (unknown routes, static files)
    or xlwings Server (a malformed request), as one Chinese line for its status."""
    held = None
    body = b""

    async def sending(message):
        nonlocal held, body
        if message["type"] == "http.response.start" and message.get("status", 200) >= 400:
            held = message
            return
        if held is not None and message["type"] == "http.response.body":
            body += message.get("body", b"")
            if message.get("more_body") and len(body) <= MAX_HELD:
                return  # middlewares stream a body in pieces: wait for the last one
            start, held = held, None
            text = None if message.get("more_body") else _chinese_for(start["status"], body)
            if text is not None:
                return await answer(send, start["status"], text)
            await send(start)
            message = dict(message, body=body)
        await send(message)

    return sending


def cell_count(args) -> int:
    """How many cells a custom function call's arguments hold (a 2-D list per range argument)."""
    total = 0
    for arg in args if isinstance(args, list) else ():
        if isinstance(arg, list):
            total += sum(len(row) if isinstance(row, list) else 1 for row in arg)
        else:
            total += 1
    return total


class Offload:
    """Runs the workbook routes in a worker thread with its own event loop (see the module's doc)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path") or ""
        if scope["type"] != "http" or scope.get("method") != "POST" or not path.startswith(OFFLOADED):
            return await self.app(scope, receive, send)
        import anyio.from_thread
        import anyio.to_thread

        body = getattr(receive, "body", None)
        if body is None:  # not buffered by the Guard (tests building the app without it): read it here
            chunks = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
        app = self.app
        max_cells = SETTINGS().max_cells

        def work() -> None:
            async def thread_receive():
                return {"type": "http.request", "body": body, "more_body": False}

            async def thread_send(message):
                anyio.from_thread.run(send, message)

            async def handle():
                if path.startswith("/xlwings/custom-functions-call"):
                    try:
                        cells = cell_count(json.loads(body).get("args"))
                    except (ValueError, AttributeError):
                        cells = 0  # malformed: xlwings' route answers it
                    if cells > max_cells:
                        return await answer(thread_send, 400, TOO_MANY_CELLS.format(cells, max_cells))
                await app(scope, thread_receive, thread_send)

            asyncio.run(handle())

        await anyio.to_thread.run_sync(work)
