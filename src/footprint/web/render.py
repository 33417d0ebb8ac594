"""The app's pages: its Jinja2 templates (autoescaped), rendered with what a route passes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from footprint.web.tables import cell

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> Environment:
    """The templates' environment: autoescaped, a missing name an error, not an empty string."""
    made = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)
    made.filters["cell"] = cell
    return made


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``template`` rendered with ``context`` (and the request, for links) by the app's environment."""
    html = request.app.state.pages.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


__all__ = ["TEMPLATES", "environment", "page"]
