"""Sign in and out, the language switch and each role's main page."""

from __future__ import annotations

from fastapi import Request, Response

from services.common.contracts.identity import Credentials
from services.gateway.console.core import (
    PREFIX,
    Form,
    SignInFirst,
    attempt,
    console_router,
    context,
    sign_in,
)
from services.gateway.console.nav import home_of
from services.gateway.routes import auth

router = console_router()


def _safe_next(target: str | None) -> str | None:
    """Only a console path (no open redirect)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//"):
        return target
    return None


@router.get("")
@router.get("/")
def home(request: Request) -> Response:
    ctx = context(request)
    return ctx.redirect(home_of(ctx.caller.role))


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    ctx = context(request, signed_in=False)
    return ctx.render("login.html", title=ctx.t("sign_in"), next=_safe_next(next) or "")


@router.post("/login")
def login(request: Request, form: Form) -> Response:
    ctx = context(request, signed_in=False)
    values = {"username": str(form.get("username", ""))}
    target = _safe_next(str(form.get("next", "")))

    def go() -> dict:
        body = Credentials.model_validate({"username": form.get("username", ""),
                                           "password": form.get("password", "")})
        client = request.client.host if request.client else "unknown"
        # The API's own sign-in (rate-limited in identity); the token goes in a cookie.
        return request.app.state.rpc.call("identity", "sign_in", {
            "credentials": body.model_dump(), "client": client[:64]})

    try:
        session, refused = attempt(ctx, go, "login.html", values, title=ctx.t("sign_in"),
                                   next=target or "")
    except SignInFirst:  # identity's 401 for a wrong password: the form again, with the reason
        return ctx.render("login.html", status=401, title=ctx.t("sign_in"), next=target or "",
                          form=values, errors={"credentials": ctx.t("bad_credentials")},
                          message=ctx.t("bad_credentials"))
    if refused:
        return refused
    caller = sign_in(ctx, session)
    return ctx.redirect(target or home_of(caller.role))


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    ctx = context(request, signed_in=False)
    refresh = request.cookies.get("linli_refresh")
    if refresh:
        from contextlib import suppress

        from services.common.contracts.identity import RefreshIn
        from services.common.errors import DomainError
        with suppress(DomainError):
            auth.logout(RefreshIn(refresh_token=refresh), request.app.state.rpc)
    ctx.cookies += [("linli_access", "", {}), ("linli_refresh", "", {})]
    return ctx.redirect(f"{PREFIX}/login")
