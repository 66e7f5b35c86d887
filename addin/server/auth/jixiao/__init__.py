"""xlwings Server's auth provider "jixiao": the shared server's access key.

`jixiao-xl addin serve` sets XLWINGS_AUTH_PROVIDERS=["jixiao"] when the server is shared (it listens
beyond loopback or has a public URL); xlwings' client then sends what ``getAuth`` (static/js/auth.js)
returns, the key from the task pane's address, as the Authorization header of every script and
function call, and xlwings' ``authenticate`` dependency calls ``validate_token`` with it.
"""

import os

from fastapi import HTTPException, status
from xlwings_server.models import User

from jixiao_xl.excel.guard import KEY_ENV, NEED_KEY, WRONG_KEY, key_matches


async def validate_token(token_string: str):
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:  # a server on this PC only: no key
        return User(id="local", name="本机用户")
    if key_matches(token_string, key):
        return User(id="jixiao", name="持有访问密钥的用户")
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail=WRONG_KEY if token_string else NEED_KEY)
