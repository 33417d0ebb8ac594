"""The app's pages: its Jinja2 templates (autoescaped), rendered with what a route passes them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from footprint.web.security import form_token, session_of
from footprint.web.tables import cell

TEMPLATES = Path(__file__).parent / "templates"
NAVIGATION = (("/runs", "Runs"), ("/scenarios", "Scenarios"), ("/jobs", "Jobs"), ("/upload", "Upload"),
              ("/compare", "Compare"))
"""The pages every page links to, in its header: (path, name)."""


def environment() -> Environment:
    """The templates' environment: autoescaped, a missing name an error, not an empty string."""
    made = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)
    made.filters["cell"] = cell
    return made


def page(request: Request, template: str, status_code: int = 200, headers: Mapping[str, str] | None = None,
         **context: Any) -> HTMLResponse:
    """``template`` rendered with ``context`` (and the request, for links; the session's form token, for its
    forms) by the app's environment."""
    token = form_token(request.app.state.footprint.secret, session_of(request))
    html = request.app.state.pages.get_template(template).render(request=request, csrf_token=token,
                                                                navigation=NAVIGATION, **context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


__all__ = ["NAVIGATION", "TEMPLATES", "environment", "page"]
