"""The console's session cookies: HttpOnly and SameSite always, Secure in production."""

from types import SimpleNamespace

import pytest
from fastapi import Response
from starlette.requests import Request

from services.gateway.console.core import ACCESS, Ctx


def _ctx(env: str) -> Ctx:
    app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(env=env)))
    request = Request({"type": "http", "app": app, "path": "/console", "headers": []})
    ctx = Ctx(request=request, caller=None, lang="en", csrf="x")
    ctx.cookies.append((ACCESS, "token", {"max_age": 60}))
    return ctx


@pytest.mark.parametrize(("env", "secure"), [("production", True), ("development", False)])
def test_session_cookie_is_secure_only_in_production(env: str, secure: bool) -> None:
    header = _ctx(env).finish(Response()).headers["set-cookie"].lower()

    assert "httponly" in header
    assert "samesite=lax" in header
    assert ("; secure" in header) is secure
