"""What the pages load besides themselves, from the app alone (pages work offline; nothing is fetched from
elsewhere): the stylesheet every page uses, and plotly.js for the pages that draw."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from plotly.offline import get_plotlyjs

router = APIRouter()
STYLESHEET = Path(__file__).parent / "static" / "style.css"
CACHED = {"Cache-Control": "public, max-age=86400"}


@router.get("/style.css")
def stylesheet() -> Response:
    """The one stylesheet of every page."""
    return Response(_stylesheet(), media_type="text/css; charset=utf-8", headers=CACHED)


@router.get("/plotly.js")
def plotly_js() -> Response:
    """plotly.js for the pages that draw (a run's map and flow diagram), from the installed plotly."""
    return Response(_plotly_js(), media_type="text/javascript; charset=utf-8", headers=CACHED)


@cache
def _stylesheet() -> bytes:
    return STYLESHEET.read_bytes()


@cache
def _plotly_js() -> bytes:
    return get_plotlyjs().encode("utf-8")


__all__ = ["STYLESHEET", "router"]
