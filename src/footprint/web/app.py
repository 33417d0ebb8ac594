"""The web app of `footprint serve`: its routers, the guard in front of them, and every failure as a page.

Pages: ``/runs`` (the store, searchable), ``/runs/{id}`` (a run, or a sweep's futures), ``/runs/{id}/report``,
``/runs/{id}/tables/{table}.csv|.xlsx`` and ``/runs/{id}/plan.xlsx`` (downloads), ``/upload`` and
``/uploads/{id}`` (validation in place; POST ``.../run`` or ``.../sweep`` starts a job, ``.../keep`` keeps it as a
scenario), ``/scenarios`` and ``/scenarios/{id}`` (the workbench: tables edited in place, variants, jobs),
``/jobs`` and ``/jobs/{id}`` (their progress; ``/jobs/{id}/status`` as JSON), ``/compare?run=RUN&run=RUN...``.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from footprint.analysis.compare import CompareError
from footprint.plan.store import RunStore, StoreError
from footprint.views.report_of import ReportError
from footprint.web import assets, compare, runs, scenarios, workbench
from footprint.web.jobs import Jobs
from footprint.web.kept import Kept
from footprint.web.render import environment, page
from footprint.web.security import (
    FORM_FIELD,
    MAX_FORM_FIELDS,
    UNSAFE,
    Guard,
    form_token,
    header_authenticated,
    served_hosts,
    session_of,
)
from footprint.web.state import AppState, Settings

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: with no-referrer, browsers send the app's own forms with Origin: null, which
    # the Guard cannot tell from another site's.
    "Referrer-Policy": "same-origin",
    # Pages load nothing from elsewhere (they work offline); inline script and style are the app's own.
    "Content-Security-Policy": "default-src 'self' 'unsafe-inline' data: blob:; frame-ancestors 'none'",
}


def create_app(settings: Settings) -> FastAPI:
    """The app over the run store ``settings.store`` (opened now: StoreError if it cannot be; one this user may
    not write is served for reading, its jobs refused)."""
    store = RunStore(settings.store, read_only=True)
    kept = Kept(store)
    state = AppState(settings, store, kept, Jobs(kept, settings.jobs_at_once))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.stop()
        store.close()

    app = FastAPI(title="footprint", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan,
                  dependencies=[Depends(check_form)])
    app.state.footprint = state
    app.state.pages = environment()
    for router in (assets.router, runs.router, scenarios.router, workbench.router, compare.router):
        app.include_router(router)

    def failure(status: int) -> Callable[[Request, Exception], Response]:
        def handle(request: Request, error: Exception) -> Response:
            return page(request, "error.html", status, status=status, message=state.shown(str(error)))

        return handle

    app.add_exception_handler(StoreError, failure(404))
    app.add_exception_handler(scenarios.NotFoundError, failure(404))
    app.add_exception_handler(CompareError, failure(400))
    app.add_exception_handler(workbench.SetError, failure(400))
    app.add_exception_handler(ReportError, failure(422))
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    app.add_middleware(Guard, token=settings.token, max_body=settings.limits.max_upload,
                       hosts=served_hosts(settings.host, settings.allowed_hosts))
    return app


async def check_form(request: Request) -> AsyncIterator[None]:
    """A request that changes something carries its session's form token (the hidden field of every form of the
    app), unless it carried the app's token in a header: 403 otherwise. The form is closed once answered (its
    files too, where the route took none)."""
    if request.method not in UNSAFE or header_authenticated(request):
        yield
        return
    form = None
    try:
        with contextlib.suppress(ValueError, KeyError, AssertionError):  # not a form, or one that cannot be parsed
            form = await request.form(max_fields=MAX_FORM_FIELDS)
        given = None if form is None else form.get(FORM_FIELD)
        expected = form_token(request.app.state.footprint.secret, session_of(request))
        if not isinstance(given, str) or not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
            raise HTTPException(403, "this form has expired or did not come from this app's pages (its form token "
                                     "is missing or wrong); reload the page and send it again")
        yield
    finally:
        if form is not None:
            await form.close()


def _invalid_request(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    said = "; ".join(f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                     for problem in error.errors())
    return page(request, "error.html", 400, status=400, message=f"a bad request: {said}")


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = "no such page" if error.status_code == 404 else str(error.detail)
    return page(request, "error.html", error.status_code, status=error.status_code, message=message,
                headers=error.headers)


def _internal_error(request: Request, error: Exception) -> Response:
    message = request.app.state.footprint.shown(f"internal error: {type(error).__name__}: {error}")
    return page(request, "error.html", 500, status=500, message=f"{message}. This is a bug in footprint; please "
                                                                "report it")


__all__ = ["create_app"]
