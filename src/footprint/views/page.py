"""The report's page: sections of charts, tables and notes rendered by one Jinja2 template (autoescaped: every
name in a scenario is user input), with plotly.js inline so the file works offline.

The page leads with the decision: the key figures and the first section (what to build, open and close, what the
NPV is made of) fill the first screen; the sections below hold the charts, and every table but the first
section's is collapsed (``<details>``) and paged in the page itself (a small inline script). Printed, the page is a
short brief: the key figures, the sections marked ``brief``, no navigation and no collapsed table."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from plotly.offline import get_plotlyjs

MAX_ROWS = 500
"""Rows a table carries in the page (paged, PAGE_ROWS at a time); the rest are counted under it."""
PAGE_ROWS = 15
"""Rows a table shows at a time."""
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    """Cells as shown (numbers formatted already); at most MAX_ROWS are in the page."""
    note: str = ""
    open: bool = False
    """Shown as it is; else collapsed under its title (printed, it is left out)."""

    @property
    def shown(self) -> Sequence[Sequence[object]]:
        return self.rows[:MAX_ROWS]

    @property
    def more(self) -> int:
        return max(0, len(self.rows) - MAX_ROWS)

    @property
    def paged(self) -> bool:
        return len(self.shown) > PAGE_ROWS


@dataclass(frozen=True)
class Figure:
    """A chart of the report and the name it is exported under (``footprint report --figures``: ``costs.svg``)."""

    name: str
    figure: go.Figure

    def __html__(self) -> str:
        """The figure's div and the script that draws it (plotly escapes the data it embeds: no ``</script>``)."""
        return pio.to_html(self.figure, full_html=False, include_plotlyjs=False, config=CONFIG,
                           default_width="100%")


def drawn(name: str, figure: go.Figure) -> Figure:
    """``figure`` named by what it shows: lower case, words joined by ``-`` (a file name on any system)."""
    return Figure(re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "figure", figure)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    brief: bool = False
    """Printed in the brief (the decision, the map and the main charts); else left out of print."""
    tiled: bool = False
    """Its figures side by side, as many to a row as the width takes (the landed cost's waterfalls)."""


@dataclass(frozen=True)
class Page:
    """A whole report: its title, key figures (name, text) and sections, the first the decision."""

    title: str
    facts: Sequence[tuple[str, str]]
    sections: Sequence[Section]

    @property
    def shown(self) -> list[Section]:
        """The sections with something in them."""
        return [s for s in self.sections if s.figures or s.tables or s.notes]

    @property
    def figures(self) -> list[Figure]:
        """Every figure of the page in order, each under a name of its own (a second ``landed`` is ``landed-2``)."""
        named: list[Figure] = []
        taken: dict[str, int] = {}
        for section in self.shown:
            for figure in section.figures:
                taken[figure.name] = taken.get(figure.name, 0) + 1
                count = taken[figure.name]
                named.append(figure if count == 1 else Figure(f"{figure.name}-{count}", figure.figure))
        return named

    def html(self) -> str:
        """The whole HTML document: the title, the key figures, a contents list and the sections."""
        environment = Environment(loader=PackageLoader("footprint.views", "templates"),
                                  autoescape=select_autoescape(default=True, default_for_string=True))
        return environment.get_template("report.html").render(
            title=self.title, facts=self.facts, sections=self.shown, plotlyjs=Markup(get_plotlyjs()),
            page_rows=PAGE_ROWS, made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


__all__ = ["MAX_ROWS", "PAGE_ROWS", "Figure", "Page", "Section", "Table", "drawn"]
