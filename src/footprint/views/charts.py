"""The report's charts, each a plotly figure drawn from a Plan's tables or an analysis' result (no solving here).

Every figure uses the empty template ``none`` and one colour-blind-safe palette, Paul Tol's "muted" (nine
colours told apart with any colour vision, and pale grey for what is summed as "other"): a chart never has more
named series than the palette has colours, so no two series share a colour. Amounts on axes and in hovers are
written as the tables write them (views/labels.py: ``19.93bn``), costs per unit in whole units. The page carries
plotly.js once, and each figure only its data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from footprint.economics.network import UNIT_COMPONENTS
from footprint.views.labels import component_label, money, per_unit

PALETTE = ("#332288", "#44AA99", "#DDCC77", "#CC6677", "#88CCEE", "#882255", "#117733", "#999933", "#AA4499")
"""The one palette of every chart of the report and the web app, the map's too: Paul Tol's muted qualitative
palette (https://personal.sron.nl/~pault/#sec:qualitative), safe for every colour vision (any two of it, and
OTHER_COLOUR, at least 15 apart in CIELAB with protanopia, deuteranopia or tritanopia simulated), ordered so that
neighbours in a stack differ in lightness too: indigo, teal, sand, rose, cyan, wine, green, olive, purple."""
OTHER_COLOUR = "#DDDDDD"
"""Tol's pale grey: the series summed as OTHER."""
INK = "#444444"
"""Not a series: the map's legend keys of line dashes (transport modes), its markers' outlines and the lines from a
node's place to its marker set apart."""
INDIGO, TEAL, SAND, ROSE, CYAN, WINE, GREEN, OLIVE, PURPLE = PALETTE
TOP = len(PALETTE) - 1
"""Series shown by name in a stacked chart of many (plants, currencies, lanes); the rest are summed as OTHER."""
OTHER = "other"
Text = Callable[[float], str]


def units(value: float) -> str:
    """A number of units: ``120,000``."""
    return f"{round(float(value)) + 0:,}"


def translucent(colour: str, alpha: float) -> str:
    """A palette colour (#rrggbb) with ``alpha`` (opacity from 0 to 1), as CSS rgba: for links drawn over others."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha:g})"


def _layout(figure: go.Figure, title: str, height: int = 380, **layout: object) -> go.Figure:
    defaults: dict[str, object] = {"margin": {"l": 70, "r": 20, "t": 50, "b": 50},
                                   "legend": {"orientation": "h", "y": -0.15}}
    figure.update_layout(template="none", title={"text": title, "x": 0, "font": {"size": 15}}, height=height,
                         colorway=list(PALETTE), font={"family": "system-ui, sans-serif", "size": 12},
                         **(defaults | layout))
    return figure


def ticks(low: float, high: float, count: int = 6) -> list[float]:
    """About ``count`` round values (steps of 1, 2, 2.5 or 5 times a power of ten) from at most ``low`` to at
    least ``high``."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high - low <= 0:
        return [low]
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [k * step + 0.0 for k in range(first, last + 1)]


def amount_axis(values: Iterable[float], title: str, text: Text = money, zero: bool = True) -> dict[str, object]:
    """An axis whose ticks are written as the tables write its figures (``text``), over ``values`` (and 0 with
    ``zero``)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if zero:
        finite.append(0.0)
    if not finite:
        return {"title": title}
    placed = ticks(min(finite), max(finite))
    return {"title": title, "tickvals": placed, "ticktext": [text(v) for v in placed]}


def _top(frame: pd.DataFrame, key: str, value: str, top: int = TOP) -> pd.DataFrame:
    """``frame`` with every ``key`` beyond the ``top`` largest (by total |value|) renamed OTHER."""
    totals = frame.groupby(key, observed=True)[value].apply(lambda v: v.abs().sum()).sort_values(ascending=False)
    keep = set(totals.index[:top])
    if len(totals) <= top + 1:
        return frame
    return frame.assign(**{key: frame[key].astype(object).where(frame[key].isin(keep), OTHER)})


def stacked_bars(frame: pd.DataFrame, key: str, value: str, title: str, unit: str, *, text: Text = units,
                 order: Sequence[str] | None = None) -> go.Figure:
    """Bars per year, one series per ``key``, stacked. With ``order`` (every name ``key`` can take, at most the
    palette's length), the series in that order, each with its colour there (the same in every report); without,
    the largest TOP by size and the rest summed as OTHER. ``text`` writes the figures (``money`` for amounts)."""
    if order is None:
        frame = _top(frame, key, value)
    summed = frame.groupby(["year", key], as_index=False, observed=True)[value].sum()
    present = set(summed[key])
    if order is not None:
        colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(order)}
        names = [name for name in order if name in present]
    else:
        names = list(summed.groupby(key)[value].apply(lambda v: v.abs().sum()).sort_values(ascending=False).index)
        colours = {name: OTHER_COLOUR if name == OTHER else PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    figure = go.Figure([go.Bar(x=part["year"], y=part[value], name=str(name), marker_color=colours[name],
                               customdata=[f"{text(v)} {unit}" for v in part[value]],
                               hovertemplate="%{x}: %{customdata}" + f"<extra>{name}</extra>")
                        for name in names for part in [summed[summed[key] == name]]])
    by_year = summed.groupby("year")[value]
    ends = [*by_year.apply(lambda v: v.clip(lower=0).sum()), *by_year.apply(lambda v: v.clip(upper=0).sum())]
    return _layout(figure, title, barmode="relative", xaxis={"dtick": 1}, yaxis=amount_axis(ends, unit, text))


def utilization_heatmap(utilization: pd.DataFrame) -> go.Figure:
    """Share of capacity used, per plant and pool (rows) and year (columns)."""
    table = utilization.assign(row=utilization["plant"].astype(str) + " / " + utilization["pool"].astype(str))
    wide = table.pivot_table(index="row", columns="year", values="share", aggfunc="first", sort=True)
    height = max(260, min(2400, 26 * len(wide) + 120))
    figure = go.Figure(go.Heatmap(z=wide.to_numpy(), x=[str(year) for year in wide.columns], y=list(wide.index),
                                  zmin=0, zmax=1, colorscale="YlOrBr",
                                  colorbar={"title": "used", "tickformat": ".0%"},
                                  hovertemplate="%{y}, %{x}: %{z:.0%} used<extra></extra>"))
    return _layout(figure, "Utilization per plant and pool", height, yaxis={"autorange": "reversed"},
                   margin={"l": 200, "r": 20, "t": 50, "b": 40})


def timeline(builds: pd.DataFrame, plants: pd.DataFrame, years: Sequence[int]) -> go.Figure:
    """Capacity built, plants opened and closed, each a marker at its year."""
    events = [(f"build {row.option}", int(row.year),
               f"{row.option} at {row.plant}/{row.pool}: +{row.added_capacity:,.0f} a year"
               + (f" (x{row.count})" if row.count > 1 else ""), TEAL) for row in builds.itertuples()]
    for column, word, colour in (("opened", "opens", INDIGO), ("closed", "closes", ROSE)):
        for row in plants[plants[column].astype(bool)].itertuples():
            events.append((f"{row.plant} {word}", int(row.year), f"plant {row.plant} {word}", colour))
    figure = go.Figure(go.Scatter(x=[year for _, year, _, _ in events], y=[label for label, _, _, _ in events],
                                  mode="markers", marker={"size": 14, "symbol": "diamond",
                                                          "color": [colour for *_, colour in events]},
                                  hovertext=[text for _, _, text, _ in events], hoverinfo="text"))
    return _layout(figure, "Builds and plant openings and closings", max(200, 40 * len(events) + 120),
                   xaxis={"range": [min(years) - 0.5, max(years) + 0.5], "dtick": 1},
                   margin={"l": 220, "r": 20, "t": 50, "b": 40})


def waterfall(parts: Sequence[tuple[str, float]], title: str, currency: str) -> go.Figure:
    """A unit's landed cost built up from its parts, ending in the total; each bar's label on its own lines
    (a part's words and its currency), so that none is cut off however many parts there are."""
    total = float(sum(value for _, value in parts))
    labels = [label.replace(" ", "<br>") for label, _ in parts] + ["total"]
    values = [value for _, value in parts] + [total]
    figure = go.Figure(go.Waterfall(
        x=labels, y=values, measure=["relative"] * len(parts) + ["total"], connector={"line": {"color": "#888888"}},
        increasing={"marker": {"color": ROSE}}, decreasing={"marker": {"color": TEAL}},
        totals={"marker": {"color": INDIGO}}, text=[per_unit(v) for v in values], textposition="outside",
        cliponaxis=False, customdata=[f"{per_unit(v)} {currency}" for v in values],
        hovertemplate="%{x}: %{customdata}<extra></extra>"))
    reached = np.cumsum([0.0, *values[:-1]])  # where each bar starts and ends: the axis holds them all
    low, high = min(0.0, float(reached.min())), max(0.0, float(reached.max()), total)
    room = 0.12 * (high - low or 1.0)  # above the highest bar for its label
    return _layout(figure, title, 360, showlegend=False, margin={"l": 70, "r": 20, "t": 60, "b": 20},
                   xaxis={"tickangle": 0, "automargin": True},
                   yaxis={**amount_axis([low, high], f"{currency} per unit", per_unit), "automargin": True,
                          "range": [low - (room if low < 0 else 0.0), high + room]})


def lane_parts(landed: pd.DataFrame, currencies: dict[str, str]) -> list[tuple[str, float]]:
    """(label, per unit) of a lane's landed cost components that are not zero, in UNIT_COMPONENTS order; a
    production part labelled with the currency it is incurred in (``currencies``: component to currency)."""
    values = landed.groupby("component")["per_unit"].sum()
    parts = []
    for component in UNIT_COMPONENTS:
        value = float(values.get(component, 0.0))
        if abs(value) > 0.005:
            label = component_label(component)
            parts.append((f"{label} {currencies[component]}" if component in currencies else label, value))
    return parts


def histogram(values: np.ndarray, weights: np.ndarray, title: str, unit: str, marks: dict[str, float]) -> go.Figure:
    """A probability-weighted histogram of ``values``, with vertical lines at ``marks`` (mean, percentiles)."""
    bins = min(40, max(5, int(np.sqrt(len(values))) + 1))
    counts, edges = np.histogram(values, bins=bins, weights=weights)
    middles = (edges[:-1] + edges[1:]) / 2
    figure = go.Figure(go.Bar(x=middles, y=counts, width=np.diff(edges), marker_color=TEAL,
                              customdata=[money(v, unit) for v in middles],
                              hovertemplate="%{customdata}: %{y:.1%}<extra></extra>"))
    for label, value in marks.items():
        figure.add_vline(x=value, line={"color": ROSE, "dash": "dot"}, annotation_text=label)
    return _layout(figure, title, xaxis=amount_axis(edges, unit, zero=False),
                   yaxis={"title": "probability", "tickformat": ".0%"}, showlegend=False)


def share_bars(bars: Sequence[tuple[str, float, str]], title: str, series: Sequence[str]) -> go.Figure:
    """Horizontal bars of probabilities (how often each decision is taken), top to bottom in the order given:
    (label, share, series) each, one colour per series (``series``: all the names, in the order of their colours
    in the palette)."""
    labels = [label for label, _, _ in bars]
    present = [name for name in series if any(of == name for _, _, of in bars)]
    figure = go.Figure([go.Bar(x=[share for _, share, of in bars if of == name],
                               y=[label for label, _, of in bars if of == name], orientation="h", name=name,
                               marker_color=PALETTE[series.index(name) % len(PALETTE)],
                               hovertemplate="%{y}: %{x:.1%}" + f"<extra>{name}</extra>") for name in present])
    return _layout(figure, title, max(220, 22 * len(bars) + 130), xaxis={"range": [0, 1], "tickformat": ".0%"},
                   yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": labels},
                   margin={"l": 320, "r": 20, "t": 50, "b": 40}, showlegend=len(present) > 1)


def tornado_bars(paths: Sequence[str], low: Sequence[float], high: Sequence[float], base: float,
                 unit: str) -> go.Figure:
    """Each input's objective at its low and its high, as bars from the base."""
    figure = go.Figure([
        go.Bar(y=list(paths), x=[value - base for value in ends], base=base, orientation="h", name=f"at {which}",
               marker_color=colour, customdata=[money(value, unit) for value in ends],
               hovertemplate="%{y} at " + which + ": %{customdata}<extra></extra>")
        for ends, which, colour in ((low, "low", TEAL), (high, "high", ROSE))])
    return _layout(figure, f"Tornado: the objective with each input at its ends (base {money(base, unit)})",
                   max(240, 30 * len(paths) + 120), barmode="overlay", yaxis={"autorange": "reversed"},
                   xaxis=amount_axis([*low, *high, base], unit, zero=False),
                   margin={"l": 320, "r": 20, "t": 50, "b": 40})


def grouped_bars(categories: Sequence[str], series: dict[str, Sequence[float]], title: str, unit: str) -> go.Figure:
    """Bars side by side per category, one colour per series (futures' regret under each plan; costs of A and
    B), the axis from 0; horizontal, so that long names (a future's) are read whole."""
    figure = go.Figure([go.Bar(y=list(categories), x=list(values), name=name, orientation="h", marker_color=PALETTE[i],
                               customdata=[money(v, unit) for v in values],
                               hovertemplate="%{y}: %{customdata}" + f"<extra>{name}</extra>")
                        for i, (name, values) in enumerate(series.items())])
    height = max(260, (12 * len(series) + 8) * len(categories) + 140)
    return _layout(figure, title, height, barmode="group", legend={"orientation": "h", "y": 1.0, "x": 0,
                                                                    "yanchor": "bottom"},
                   xaxis=amount_axis([v for values in series.values() for v in values], unit),
                   yaxis={"autorange": "reversed", "automargin": True}, margin={"l": 20, "r": 20, "t": 80, "b": 40})


__all__ = ["CYAN", "GREEN", "INDIGO", "INK", "OLIVE", "OTHER", "OTHER_COLOUR", "PALETTE", "PURPLE", "ROSE", "SAND",
           "TEAL", "WINE", "amount_axis", "grouped_bars", "histogram", "lane_parts",
           "share_bars", "stacked_bars", "ticks", "timeline", "tornado_bars", "translucent", "units",
           "utilization_heatmap", "waterfall"]
