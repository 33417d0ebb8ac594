"""Who may ask the app, and how much. Every request must name a host the app serves (a page of another site
whose name is rebound to this machine's address names its own, and is refused); with a token, every request
must carry it; a request that changes something (POST) must come from the app's own pages (its Origin, or
Sec-Fetch-Site, where the browser sends them) and carry the form token of its session (a cookie a page of
another site cannot read), unless it carries the app's token in a header; a request's body must say its
length, at most the upload limit. The app binds to localhost unless given a token (:func:`host_refusal`)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::"})
TOKEN_COOKIE = "footprint_token"
TOKEN_HEADER = "x-footprint-token"
SESSION_COOKIE = "footprint_session"
FORM_FIELD = "csrf_token"
"""The hidden field of every form of the app: its session's form token."""
MAX_FORM_FIELDS = 1_000_000
"""Fields a form may send: a scenario's editor sends every cell of its tables (the body's size is bounded by the
upload limit)."""
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAME_SITE = frozenset({"same-origin", "none"})
"""Sec-Fetch-Site values of a request from the app's own pages (none: typed in, or a bookmark)."""
BODY_SLACK = 1 << 20
"""Bytes a request's body may have beyond the upload limit: the form's fields and boundaries."""
_HOST = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::(?P<port>[0-9]{1,5}))?$")
_SESSION = re.compile(r"^[A-Za-z0-9_-]{43}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_refusal(host: str, token: str | None) -> str | None:
    """Why the app may not serve on ``host`` (any host but localhost needs a token), or None."""
    if token is not None and not token.strip():
        return ("--token: the token is empty; give a long random one "
                "(python -c 'import secrets; print(secrets.token_urlsafe())')")
    if host in LOCAL_HOSTS or token is not None:
        return None
    return (f"--host {host}: serving beyond this machine needs a token (--token TOKEN or $FOOTPRINT_TOKEN); "
            "without one the app binds to 127.0.0.1 only")


@dataclass(frozen=True)
class Hosts:
    """The host names the app answers to (lower case, an IPv6 address without brackets)."""

    names: frozenset[str]
    any_address: bool = False
    """Bound to every interface: a Host that is an IP address is served too (a rebound page names a name)."""

    def allows(self, host: str | None) -> bool:
        parsed = split_host(host)
        if parsed is None:
            return False
        name, _ = parsed
        return name in self.names or (self.any_address and _is_address(name))


def served_hosts(host: str, more: Iterable[str] = ()) -> Hosts:
    """What the app answers to when bound to ``host``: localhost by its names, ``host`` itself, ``more`` (`serve
    --allow-host`); bound to every interface (0.0.0.0, ::), this machine's own names and any IP address too."""
    names = {*LOCAL_HOSTS, host.strip("[]").lower(), *(name.strip().strip("[]").lower() for name in more)}
    wildcard = host in WILDCARD_HOSTS
    if wildcard:
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return Hosts(frozenset(names - {""}), wildcard)


def split_host(host: str | None) -> tuple[str, int | None] | None:
    """A Host header's name (lower case) and port, or None for one that is not a host name or address."""
    found = _HOST.match(host or "")
    if found is None:
        return None
    port = None if found["port"] is None else int(found["port"])
    if port is not None and port > 65535:
        return None
    return (found["v6"] or found["name"]).lower(), port


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def form_token(secret: bytes, session: str) -> str:
    """The form token of a session: what its pages' forms send, checked on every POST."""
    return hmac.new(secret, session.encode("ascii"), hashlib.sha256).hexdigest()


def session_of(request: Request) -> str:
    """The request's session (its cookie's, or the one the Guard starts with this request)."""
    return str(request.scope.get("state", {}).get(SESSION_COOKIE, ""))


def header_authenticated(request: Request) -> bool:
    """Whether the request carried the app's token in a header: no page of another site can send one, so such a
    request needs no form token."""
    return bool(request.scope.get("state", {}).get(TOKEN_HEADER))


class Guard:
    """ASGI middleware in front of every request: the host it names (one of ``hosts``); with a ``token``, the
    token (the ``X-Footprint-Token`` header, a ``Bearer`` authorization, or the cookie that opening any page
    with ``?token=TOKEN`` sets), compared in constant time; for a request that changes something, that it
    comes from the app's own pages and says its length, at most ``max_body`` bytes. It starts a session (an
    HttpOnly, SameSite cookie) for a request without one: its form token is checked on POST (see
    ``check_form`` in app.py)."""

    def __init__(self, app: ASGIApp, *, token: str | None, max_body: int, hosts: Hosts) -> None:
        self.app, self.token, self.max_body, self.hosts = app, token, max_body, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refused = self._refusal(request)
        if refused is not None:
            await refused(scope, receive, send)
            return
        session = request.cookies.get(SESSION_COOKIE, "")
        new = not _SESSION.match(session)
        if new:
            session = secrets.token_urlsafe(32)
        state = scope.setdefault("state", {})
        state[SESSION_COOKIE] = session
        state[TOKEN_HEADER] = self.token is not None and self._matches(self._from_header(request) or "")

        async def send_with_session(message: Message) -> None:
            if new and message["type"] == "http.response.start":
                cookie: SimpleCookie = SimpleCookie()
                cookie[SESSION_COOKIE] = session
                cookie[SESSION_COOKIE].update({"path": "/", "httponly": True, "samesite": "Strict"})
                MutableHeaders(scope=message).append("set-cookie", cookie.output(header="").strip())
            await send(message)

        await self.app(scope, receive, send_with_session)

    def _refusal(self, request: Request) -> Response | None:
        host = request.headers.get("host")
        if not self.hosts.allows(host):
            return PlainTextResponse(f"400: this app does not serve the host {(host or '')[:80]!r}; open it by a name "
                                     "it serves (footprint serve --allow-host NAME adds one)", status_code=400)
        if self.token is not None:
            given = request.query_params.get("token")
            if given is not None:
                return self._login(request, given)
            if not self._matches(self._presented(request)):
                return PlainTextResponse("401: this footprint app needs its token: open it once as "
                                         "http://HOST:PORT/?token=TOKEN (or send the X-Footprint-Token header)",
                                         status_code=401)
        if request.method in UNSAFE:
            crossing = _cross_site(request, host or "")
            if crossing is not None:
                return PlainTextResponse(f"403: {crossing}; only the app's own pages may change what it holds",
                                         status_code=403)
            length = request.headers.get("content-length", "")
            if not length.isdigit():
                return PlainTextResponse("411: a request with a body must give its Content-Length", status_code=411)
            if int(length) > self.max_body + BODY_SLACK:
                return PlainTextResponse(f"413: the upload is larger than {self.max_body / 2**20:g} MiB "
                                         "(footprint serve --max-upload MB allows more)", status_code=413)
        return None

    def _from_header(self, request: Request) -> str | None:
        header = request.headers.get(TOKEN_HEADER)
        if header is not None:
            return header
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        return credentials.strip() if scheme.lower() == "bearer" else None

    def _presented(self, request: Request) -> str:
        header = self._from_header(request)
        return header if header is not None else request.cookies.get(TOKEN_COOKIE, "")

    def _matches(self, given: str) -> bool:
        assert self.token is not None
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8"))

    def _login(self, request: Request, given: str) -> Response:
        """``?token=``: the right one sets the cookie and goes to the same page without it in the address (a
        path on this site only: never ``//elsewhere``)."""
        if not self._matches(given):
            return PlainTextResponse("401: wrong token", status_code=401)
        rest = urlencode([(key, value) for key, value in request.query_params.multi_items() if key != "token"])
        path = "/" + request.url.path.lstrip("/\\")
        response = RedirectResponse(path + (f"?{rest}" if rest else ""), status_code=303)
        response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
        return response


def _cross_site(request: Request, host: str) -> str | None:
    """Why a request that changes something does not come from the app's own pages, or None: its Origin is
    another (or opaque), or its Sec-Fetch-Site says another site. A request without either (not a browser's)
    still needs its form token."""
    origin = request.headers.get("origin")
    if origin is not None and not _same_origin(origin, host):
        return f"a request from another origin ({origin[:80]!r})"
    fetched = request.headers.get("sec-fetch-site")
    if fetched is not None and fetched not in SAME_SITE:
        return f"a request from another site (Sec-Fetch-Site: {fetched[:40]})"
    return None


def _same_origin(origin: str, host: str) -> bool:
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return False
    served, served_port = split_host(host) or ("", None)
    if parts.scheme not in _DEFAULT_PORTS or parts.hostname is None or parts.path or parts.username:
        return False
    default = _DEFAULT_PORTS[parts.scheme]
    return parts.hostname == served and (port or default) == (served_port or default)


__all__ = ["FORM_FIELD", "LOCAL_HOSTS", "MAX_FORM_FIELDS", "SESSION_COOKIE", "TOKEN_COOKIE", "TOKEN_HEADER", "UNSAFE",
           "Guard", "Hosts", "form_token", "header_authenticated", "host_refusal", "served_hosts", "session_of",
           "split_host"]
