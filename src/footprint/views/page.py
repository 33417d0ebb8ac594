"""The report's page: sections of charts, tables and notes rendered by one Jinja2 template (autoescaped: every
name in a scenario is user input), with plotly.js inline so the file works offline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from plotly.offline import get_plotlyjs

MAX_ROWS = 200
"""Rows a table shows; the rest are counted under it."""
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]
    """Cells as shown (numbers formatted already); at most MAX_ROWS are shown."""
    note: str = ""

    @property
    def shown(self) -> Sequence[Sequence[object]]:
        return self.rows[:MAX_ROWS]

    @property
    def more(self) -> int:
        return max(0, len(self.rows) - MAX_ROWS)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    figures: list[Markup] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def figure_html(figure: go.Figure) -> Markup:
    """A figure's div and the script that draws it (plotly escapes the data it embeds: no ``</script>``)."""
    return Markup(pio.to_html(figure, full_html=False, include_plotlyjs=False, config=CONFIG,
                              default_width="100%"))


def render(title: str, facts: Sequence[tuple[str, str]], sections: Sequence[Section]) -> str:
    """The whole HTML document: a title, key facts, a contents list and the sections."""
    environment = Environment(loader=PackageLoader("footprint.views", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True))
    template = environment.get_template("report.html")
    return template.render(title=title, facts=facts, sections=[s for s in sections if s.figures or s.tables or s.notes],
                           plotlyjs=Markup(get_plotlyjs()),
                           made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


__all__ = ["MAX_ROWS", "Section", "Table", "figure_html", "render"]
