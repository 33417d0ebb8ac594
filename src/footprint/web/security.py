"""Who may ask the app, and how much: a token on every request when the app has one, and a cap on a request's
body. The app binds to localhost unless given a token (:func:`host_refusal`)."""

from __future__ import annotations

import hmac
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_COOKIE = "footprint_token"
TOKEN_HEADER = "x-footprint-token"
BODY_SLACK = 1 << 20
"""Bytes a request's body may have beyond the upload limit: the form's fields and boundaries."""


def host_refusal(host: str, token: str | None) -> str | None:
    """Why the app may not serve on ``host`` (any host but localhost needs a token), or None."""
    if token is not None and not token.strip():
        return ("--token: the token is empty; give a long random one "
                "(python -c 'import secrets; print(secrets.token_urlsafe())')")
    if host in LOCAL_HOSTS or token is not None:
        return None
    return (f"--host {host}: serving beyond this machine needs a token (--token TOKEN or $FOOTPRINT_TOKEN); "
            "without one the app binds to 127.0.0.1 only")


class Guard:
    """ASGI middleware: with a ``token``, every request must carry it (the ``X-Footprint-Token`` header, a
    ``Bearer`` authorization, or the cookie that opening any page with ``?token=TOKEN`` sets), compared in
    constant time; a request with a body must say its length, at most ``max_body`` bytes."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body: int) -> None:
        self.app, self.token, self.max_body = app, token, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self._refusal(Request(scope))
        if refused is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, request: Request) -> Response | None:
        if self.token is not None:
            given = request.query_params.get("token")
            if given is not None:
                return self._login(request, given)
            if not self._matches(self._presented(request)):
                return PlainTextResponse("401: this footprint app needs its token: open it once as "
                                         "http://HOST:PORT/?token=TOKEN (or send the X-Footprint-Token header)",
                                         status_code=401)
        if request.method in ("POST", "PUT", "PATCH"):
            length = request.headers.get("content-length", "")
            if not length.isdigit():
                return PlainTextResponse("411: a request with a body must give its Content-Length", status_code=411)
            if int(length) > self.max_body + BODY_SLACK:
                return PlainTextResponse(f"413: the upload is larger than {self.max_body / 2**20:g} MiB "
                                         "(footprint serve --max-upload MB allows more)", status_code=413)
        return None

    def _presented(self, request: Request) -> str:
        header = request.headers.get(TOKEN_HEADER)
        if header is not None:
            return header
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return credentials.strip()
        return request.cookies.get(TOKEN_COOKIE, "")

    def _matches(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8"))

    def _login(self, request: Request, given: str) -> Response:
        """``?token=``: the right one sets the cookie and goes to the same page without it in the address."""
        if not self._matches(given):
            return PlainTextResponse("401: wrong token", status_code=401)
        rest = urlencode([(key, value) for key, value in request.query_params.multi_items() if key != "token"])
        response = RedirectResponse(request.url.path + (f"?{rest}" if rest else ""), status_code=303)
        response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
        return response


__all__ = ["LOCAL_HOSTS", "TOKEN_COOKIE", "TOKEN_HEADER", "Guard", "host_refusal"]
