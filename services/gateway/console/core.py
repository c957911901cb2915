"""What every console page shares: the signed-in caller from a cookie, CSRF on every POST,
the language, role-aware navigation, templates, and a service's refusal shown on the form.

The console calls the JSON API's own route functions (services/gateway/routes), with the
caller from the cookie: the role checks, the RPC and the services' rules are the same ones,
never a copy. A refusal (DomainError) or a body the contract refuses (pydantic) comes back
as {field: reason}, and the form is shown again with each reason under its field.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from services.common.caller import Caller, Role
from services.common.errors import DomainError, Forbidden, Unauthenticated, field_errors
from services.gateway import tokens
from services.gateway.console import i18n
from services.gateway.console.nav import NAV, home_of, may_open

PREFIX = "/console"
ACCESS = "linli_access"
REFRESH = "linli_refresh"
LANG = "linli_lang"
CSRF = "linli_csrf"
REFRESH_MAX_AGE = 30 * 24 * 3600

HERE = Path(__file__).parent
templates = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                               autoescape=jinja2.select_autoescape(["html"]),
                               undefined=jinja2.ChainableUndefined, trim_blocks=True,
                               lstrip_blocks=True)


class SignInFirst(Exception):
    """No valid session: the page redirects to the sign-in form."""


@dataclass
class Ctx:
    """One request's console context."""

    request: Request
    caller: Caller | None
    lang: str
    csrf: str
    cookies: list[tuple[str, str, dict]] = field(default_factory=list)

    def t(self, key: str, **values: object) -> str:
        return i18n.translate(self.lang, key, **values)

    @property
    def rpc(self) -> Any:
        return self.request.app.state.rpc

    @property
    def settings(self) -> Any:
        return self.request.app.state.settings

    def allow(self, *roles: Role) -> None:
        """The page's roles: anyone else gets the 403 page (the API would refuse them too)."""
        assert self.caller is not None
        if self.caller.role not in roles:
            raise Forbidden(f"role {self.caller.role.value} may not use this page",
                            {"role": f"needs one of {', '.join(r.value for r in roles)}"})

    def can(self, *roles: Role) -> bool:
        return self.caller is not None and self.caller.role in roles

    def finish(self, response: Response) -> Response:
        # Production is served over TLS (Caddy): its cookies never travel over plain HTTP.
        secure = self.settings.env == "production"
        for name, value, options in self.cookies:
            if value:
                response.set_cookie(name, value, httponly=True, samesite="lax", path=PREFIX,
                                    secure=secure, **options)
            else:
                response.delete_cookie(name, path=PREFIX)
        response.headers["Cache-Control"] = "no-store"
        return response

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        values = {"errors": {}, "form": {}, **values}
        body = templates.get_template(template).render(ctx=self, t=self.t, nav=self.nav(),
                                                       **values)
        return self.finish(HTMLResponse(body, status_code=status))

    def redirect(self, path: str) -> Response:
        return self.finish(RedirectResponse(path, status_code=303))

    def nav(self) -> list[dict]:
        if self.caller is None:
            return []
        path = self.request.url.path
        items = [item for item in NAV if may_open(self.caller.role, item)]
        matching = [i.path for i in items if path == i.path or path.startswith(i.path + "/")]
        current = max(matching, key=len, default=None)  # /issues/new over /issues
        return [{"label": self.t(item.label), "path": item.path,
                 "current": item.path == current} for item in items]


def _lang(request: Request, cookies: list) -> str:
    asked = request.query_params.get("lang")
    if asked in i18n.LANGS:
        cookies.append((LANG, asked, {"max_age": 365 * 24 * 3600}))
        return asked
    return i18n.pick(request.cookies.get(LANG))


def context(request: Request, signed_in: bool = True) -> Ctx:
    """The page's context; `signed_in`: no caller is SignInFirst (the login page passes False)."""
    cookies: list[tuple[str, str, dict]] = []
    lang = _lang(request, cookies)
    csrf = request.cookies.get(CSRF) or ""
    if len(csrf) < 32:
        csrf = secrets.token_urlsafe(32)
        cookies.append((CSRF, csrf, {}))
    ctx = Ctx(request, None, lang, csrf, cookies)
    ctx.caller = _caller(ctx)
    if ctx.caller is None and signed_in:
        raise SignInFirst
    return ctx


def _caller(ctx: Ctx) -> Caller | None:
    request = ctx.request
    access = request.cookies.get(ACCESS)
    settings = request.app.state.settings
    if access:
        try:
            return tokens.verify(access, settings.jwt_secret, request.state.request_id,
                                 _once(request), request.app.state.revocations)
        except Unauthenticated:
            pass
    refresh = request.cookies.get(REFRESH)
    if not refresh:
        return None
    try:  # the access token lapsed (15 minutes): the refresh token, rotated, keeps the session
        session = ctx.rpc.call("identity", "refresh_session", {"refresh_token": refresh})
    except DomainError:
        ctx.cookies += [(ACCESS, "", {}), (REFRESH, "", {})]
        return None
    return sign_in(ctx, session)


def sign_in(ctx: Ctx, session: dict) -> Caller:
    settings = ctx.settings
    access = tokens.issue(session["user"], settings.jwt_secret, settings.jwt_ttl_seconds)
    ctx.cookies += [(ACCESS, access, {"max_age": settings.jwt_ttl_seconds}),
                    (REFRESH, session["refresh_token"], {"max_age": REFRESH_MAX_AGE})]
    return tokens.verify(access, settings.jwt_secret, ctx.request.state.request_id,
                         _once(ctx.request))


def _once(request: Request) -> str | None:
    """The posted form's idempotency key (`posted` keeps it), if it is one we render."""
    once = getattr(request.state, "once", None)
    return once if once and len(once) <= 64 and once.replace("-", "").replace(
        "_", "").isalnum() else None


async def posted(request: Request) -> FormData:
    """A POST's form, refused unless its CSRF field matches the cookie (double submit)."""
    form = await request.form()
    sent, kept = str(form.get("csrf", "")), request.cookies.get(CSRF, "")
    if not kept or not secrets.compare_digest(sent, kept):
        raise Forbidden("the form is stale or was not sent by this console",
                        {"csrf": "missing or does not match: reload the page"})
    once = str(form.get("once", ""))
    # bound to what the form says: a resent form acts once, an edited one is a new request
    request.state.once = f"{once}-{_digest(form)}" if once else None
    return form


def _digest(form: FormData) -> str:
    parts = sorted((k, (v.filename or "") if isinstance(v, UploadFile) else str(v))
                   for k, v in form.multi_items() if k not in FORM_ONLY)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


FORM_ONLY = ("csrf", "once")  # the console's own fields, never part of a request body


def nested(form: FormData, skip: Iterable[str] = FORM_ONLY) -> dict[str, Any]:
    """Form fields named by their API path (`location.address`) as the nested body; empty
    fields are left out, so the contract's defaults and its own reasons apply."""
    body: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name in skip or not isinstance(value, str) or value.strip() == "":
            continue
        *parents, leaf = name.split(".")
        here = body
        for part in parents:
            here = here.setdefault(part, {})
        here[leaf] = value.strip()
    return body


def refusal(exc: Exception) -> tuple[int, str, dict[str, str]]:
    """(status, message, {field: reason}) of a service's or a contract's refusal."""
    if isinstance(exc, DomainError):
        return exc.status, exc.message, {k: str(v) for k, v in exc.fields.items()}
    if isinstance(exc, ValidationError):
        fields = field_errors(exc.errors(), skip=())
        return 422, "invalid input: " + ", ".join(sorted(fields)), fields
    raise exc


def attempt(ctx: Ctx, action: Callable[[], Any], template: str, form: dict | None = None,
            page: Callable[[], dict[str, Any]] | None = None,
            **values: Any) -> tuple[Any, Response | None]:
    """Run `action`; on a refusal, the form page again with the fields' reasons. `page`
    reads what the page shows only then: a write that succeeds redirects, reading nothing."""
    try:
        return action(), None
    except (DomainError, ValidationError) as exc:
        status, message, errors = refusal(exc)
        if status == 401:
            raise SignInFirst from exc
        if page is not None:
            values = page() | values
        body = templates.get_template(template).render(
            ctx=ctx, t=ctx.t, nav=ctx.nav(), **values, errors=errors, message=message,
            form=form or {})
        return None, ctx.finish(HTMLResponse(body, status_code=status))


def error_page(request: Request, status: int, message: str, fields: dict) -> Response:
    try:
        ctx = context(request, signed_in=False)
    except Exception:  # noqa: BLE001 - the error page must render whatever failed
        ctx = Ctx(request, None, i18n.DEFAULT, "")
    title = ctx.t("forbidden_page") if status == 403 else ctx.t("error")
    return ctx.render("error.html", status=status, title=title, detail=message,
                      fields=fields)


class ConsoleRoute(APIRoute):
    """A console route: no session redirects to sign-in; a refusal is an HTML page."""

    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except SignInFirst:
                target = quote(request.url.path + (f"?{request.url.query}"
                                                   if request.url.query else ""))
                response = RedirectResponse(f"{PREFIX}/login?next={target}", status_code=303)
                return response
            except DomainError as exc:
                if exc.status == 401:
                    return RedirectResponse(f"{PREFIX}/login", status_code=303)
                return error_page(request, exc.status, exc.message, dict(exc.fields))
            except RequestValidationError as exc:
                return error_page(request, 422, "invalid input",
                                  field_errors(list(exc.errors())))

        return handler


def when(value: Any) -> str:
    """A time as local-free text (UTC, minutes): epoch numbers and ISO strings alike."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float):
        value = datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d %H:%M")


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


templates.filters["when"] = when
templates.filters["pct"] = pct
templates.globals["PREFIX"] = PREFIX
# Each form's own idempotency key (`m.csrf()` renders it; `posted` binds it to the form's
# content): a double tap or a resent form acts once where the service keys its writes by
# it (an issue filed, a redemption, an offer). A form shown again with its errors gets a
# new one: nothing was made (a refused photo of a filed issue goes to the issue instead).
templates.globals["once"] = lambda: secrets.token_urlsafe(18)
templates.globals["home_of"] = home_of


# A console form, read once and checked (size, CSRF) by `posted`.
Form = Annotated[FormData, Depends(posted)]


def console_router() -> APIRouter:
    """A console module's router: its pages under PREFIX, refusals as HTML, not in the API."""
    return APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
