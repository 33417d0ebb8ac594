"""The report's figures as files for slides (``footprint report --figures DIR``): each chart as SVG and PNG, named
by what it shows (``map.svg``, ``costs.png``), drawn by kaleido in the machine's Chromium (Debian's ``chromium`` or
Google Chrome, found on the PATH or at BROWSER_PATH)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from footprint.views.page import Figure

WIDTH = 1200
"""Pixels across a figure (a slide's width); its height is the report's."""
PNG_SCALE = 2
"""A PNG's pixels per figure pixel: sharp on a projector."""
FORMATS = ("svg", "png")


class FiguresError(Exception):
    """The figures cannot be drawn (no browser) or written: the message says why and what to do."""


def still(figure: go.Figure) -> go.Figure:
    """``figure`` as a still picture: without the slider and buttons that only work in the page; a figure with a
    slider (the map, the flow diagram) shows the step the page opens on (their first year), named in its corner."""
    copy = go.Figure(figure)
    if copy.layout.sliders:
        slider = copy.layout.sliders[0]
        step = slider.steps[slider.active or 0]
        copy.add_annotation(text=f"{slider.currentvalue.prefix or ''}{step.label}", xref="paper", yref="paper",
                            x=0.01, y=0.01, xanchor="left", yanchor="bottom", showarrow=False,
                            bgcolor="rgba(255,255,255,0.8)", font={"size": 14})
    copy.layout.sliders = ()
    copy.layout.updatemenus = ()
    copy.layout.width = WIDTH
    return copy


def write_figures(figures: Sequence[Figure], folder: Path) -> list[Path]:
    """Write each figure as ``<name>.svg`` and ``<name>.png`` into ``folder`` (made if missing), with one browser
    for them all: the files written, in order. FiguresError when no browser can draw them or a file cannot be
    written."""
    import kaleido
    from choreographer.errors import BrowserDepsError
    from kaleido.errors import BrowserFailedError, ChromeNotFoundError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FiguresError(f"cannot make {folder}: {(error.strerror or str(error)).lower()}") from None
    specs = [{"fig": still(figure.figure).to_dict(), "path": folder / f"{figure.name}.{kind}",
              "opts": {"format": kind, "width": WIDTH, "height": figure.figure.layout.height or 450,
                       "scale": PNG_SCALE if kind == "png" else 1}}
             for figure in figures for kind in FORMATS]
    try:
        kaleido.write_fig_from_object_sync(specs)
    except ChromeNotFoundError:
        raise FiguresError(no_browser()) from None
    except (BrowserFailedError, BrowserDepsError) as error:
        raise FiguresError(f"the browser that draws the figures (kaleido's Chromium) failed to start: {error}. "
                           f"{INSTALL}") from None
    except OSError as error:
        raise FiguresError(f"cannot write the figures into {folder}: {(error.strerror or str(error)).lower()}"
                           ) from None
    return [spec["path"] for spec in specs]


INSTALL = ("Install Chromium (Debian, Ubuntu: sudo apt-get install chromium) or Google Chrome, or set BROWSER_PATH "
           "to a Chromium or Chrome binary.")


def no_browser() -> str:
    """Why the figures cannot be drawn where no browser is found, and what to install."""
    named = os.environ.get("BROWSER_PATH")
    where = f"no browser at BROWSER_PATH={named}" if named else "no Chromium or Chrome on this machine"
    return f"cannot draw the figures: {where} (kaleido draws them in one). {INSTALL}"


__all__ = ["FORMATS", "FiguresError", "write_figures"]
