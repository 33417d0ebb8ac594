"""The report's charts, each a plotly figure drawn from a Plan's tables or an analysis' result (no solving here).

Every figure uses the empty template ``none`` and the report's own colours: the page carries plotly.js once, and
each figure only its data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from footprint.economics.network import UNIT_COMPONENTS

COLOURS = ("#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6d597a", "#b56576", "#355070", "#83c5be",
           "#bc6c25", "#606c38", "#9d0208", "#4361ee", "#7f5539", "#8d99ae")
TOP = 12
"""Series shown by name in a stacked chart (plants, components, currencies); the rest are summed as "other"."""
OTHER = "other"
COMPONENT_LABELS = {"production_local": "production (local)", "production_imported": "production (imported)"}


def _layout(figure: go.Figure, title: str, height: int = 380, **layout: object) -> go.Figure:
    defaults: dict[str, object] = {"margin": {"l": 70, "r": 20, "t": 50, "b": 50},
                                   "legend": {"orientation": "h", "y": -0.15}}
    figure.update_layout(template="none", title={"text": title, "x": 0, "font": {"size": 15}}, height=height,
                         colorway=list(COLOURS), font={"family": "system-ui, sans-serif", "size": 12},
                         **(defaults | layout))
    return figure


def _top(frame: pd.DataFrame, key: str, value: str, top: int = TOP) -> pd.DataFrame:
    """``frame`` with every ``key`` beyond the ``top`` largest (by total |value|) renamed OTHER."""
    totals = frame.groupby(key, observed=True)[value].apply(lambda v: v.abs().sum()).sort_values(ascending=False)
    keep = set(totals.index[:top])
    if len(totals) <= top + 1:
        return frame
    return frame.assign(**{key: frame[key].where(frame[key].isin(keep), OTHER)})


def stacked_bars(frame: pd.DataFrame, key: str, value: str, title: str, unit: str) -> go.Figure:
    """Bars per year, one series per ``key`` (the largest TOP, the rest as OTHER), stacked."""
    frame = _top(frame, key, value)
    summed = frame.groupby(["year", key], as_index=False, observed=True)[value].sum()
    order = summed.groupby(key)[value].apply(lambda v: v.abs().sum()).sort_values(ascending=False).index
    figure = go.Figure([go.Bar(x=part["year"], y=part[value], name=COMPONENT_LABELS.get(str(name), str(name)),
                               hovertemplate="%{x}: %{y:,.0f} " + unit + f"<extra>{name}</extra>")
                        for name in order for part in [summed[summed[key] == name]]])
    return _layout(figure, title, barmode="relative", xaxis={"dtick": 1}, yaxis={"title": unit, "tickformat": ",.3s"})


def utilization_heatmap(utilization: pd.DataFrame) -> go.Figure:
    """Share of capacity used, per plant and pool (rows) and year (columns)."""
    table = utilization.assign(row=utilization["plant"].astype(str) + " / " + utilization["pool"].astype(str))
    wide = table.pivot_table(index="row", columns="year", values="share", aggfunc="first", sort=True)
    height = max(260, min(2400, 26 * len(wide) + 120))
    figure = go.Figure(go.Heatmap(z=wide.to_numpy(), x=[str(year) for year in wide.columns], y=list(wide.index),
                                  zmin=0, zmax=1, colorscale=[[0, "#f1faee"], [0.7, "#f4a261"], [1, "#9d0208"]],
                                  colorbar={"title": "used", "tickformat": ".0%"},
                                  hovertemplate="%{y}, %{x}: %{z:.0%} used<extra></extra>"))
    return _layout(figure, "Utilization per plant and pool", height, yaxis={"autorange": "reversed"},
                   margin={"l": 200, "r": 20, "t": 50, "b": 40})


def timeline(builds: pd.DataFrame, plants: pd.DataFrame, years: Sequence[int]) -> go.Figure:
    """Capacity built, plants opened and closed, each a marker at its year."""
    events = [(f"build {row.option}", int(row.year),
               f"{row.option} at {row.plant}/{row.pool}: +{row.added_capacity:,.0f} a year"
               + (f" (x{row.count})" if row.count > 1 else ""), "#2a9d8f") for row in builds.itertuples()]
    for column, word, colour in (("opened", "opens", "#264653"), ("closed", "closes", "#e76f51")):
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
    """A unit's landed cost built up from its parts, ending in the total."""
    total = float(sum(value for _, value in parts))
    figure = go.Figure(go.Waterfall(
        x=[label for label, _ in parts] + ["total"], y=[value for _, value in parts] + [total],
        measure=["relative"] * len(parts) + ["total"], connector={"line": {"color": "#8d99ae"}},
        increasing={"marker": {"color": "#e76f51"}}, decreasing={"marker": {"color": "#2a9d8f"}},
        totals={"marker": {"color": "#264653"}}, hovertemplate="%{x}: %{y:,.0f} " + currency + "<extra></extra>"))
    return _layout(figure, title, 320, yaxis={"title": f"{currency} per unit", "tickformat": ",.0f"}, showlegend=False)


def lane_parts(landed: pd.DataFrame, currencies: dict[str, str]) -> list[tuple[str, float]]:
    """(label, per unit) of a lane's landed cost components that are not zero, in UNIT_COMPONENTS order; a
    production part labelled with the currency it is incurred in (``currencies``: component to currency)."""
    values = landed.groupby("component")["per_unit"].sum()
    parts = []
    for component in UNIT_COMPONENTS:
        value = float(values.get(component, 0.0))
        if abs(value) > 0.005:
            label = COMPONENT_LABELS.get(component, component)
            parts.append((f"{label} {currencies[component]}" if component in currencies else label, value))
    return parts


def histogram(values: np.ndarray, weights: np.ndarray, title: str, unit: str, marks: dict[str, float]) -> go.Figure:
    """A probability-weighted histogram of ``values``, with vertical lines at ``marks`` (mean, percentiles)."""
    bins = min(40, max(5, int(np.sqrt(len(values))) + 1))
    counts, edges = np.histogram(values, bins=bins, weights=weights)
    figure = go.Figure(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges), marker_color="#2a9d8f",
                              hovertemplate="%{x:,.4s}: %{y:.1%}<extra></extra>"))
    for label, value in marks.items():
        figure.add_vline(x=value, line={"color": "#e76f51", "dash": "dot"}, annotation_text=label)
    return _layout(figure, title, xaxis={"title": unit, "tickformat": ",.3s"},
                   yaxis={"title": "probability", "tickformat": ".0%"}, showlegend=False)


def share_bars(bars: Sequence[tuple[str, float, str]], title: str) -> go.Figure:
    """Horizontal bars of probabilities (how often each decision is taken), top to bottom in the order given:
    (label, share, series) each, one colour per series."""
    labels = [label for label, _, _ in bars]
    series = list(dict.fromkeys(name for _, _, name in bars))
    figure = go.Figure([go.Bar(x=[share for _, share, of in bars if of == name],
                               y=[label for label, _, of in bars if of == name], orientation="h", name=name,
                               hovertemplate="%{y}: %{x:.1%}" + f"<extra>{name}</extra>") for name in series])
    return _layout(figure, title, max(220, 22 * len(bars) + 130), xaxis={"range": [0, 1], "tickformat": ".0%"},
                   yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": labels},
                   margin={"l": 320, "r": 20, "t": 50, "b": 40}, showlegend=len(series) > 1)


def tornado_bars(paths: Sequence[str], low: Sequence[float], high: Sequence[float], base: float,
                 unit: str) -> go.Figure:
    """Each input's objective at its low and its high, as bars from the base."""
    figure = go.Figure([
        go.Bar(y=list(paths), x=[value - base for value in low], base=base, orientation="h", name="at low",
               marker_color="#2a9d8f", hovertemplate="%{y} at low: %{x:,.4s}<extra></extra>"),
        go.Bar(y=list(paths), x=[value - base for value in high], base=base, orientation="h", name="at high",
               marker_color="#e76f51", hovertemplate="%{y} at high: %{x:,.4s}<extra></extra>")])
    return _layout(figure, f"Tornado: the objective with each input at its ends (base {base:,.0f} {unit})",
                   max(240, 30 * len(paths) + 120), barmode="overlay", yaxis={"autorange": "reversed"},
                   xaxis={"title": unit, "tickformat": ",.3s"}, margin={"l": 320, "r": 20, "t": 50, "b": 40})


def grouped_bars(categories: Sequence[str], series: dict[str, Sequence[float]], title: str, unit: str) -> go.Figure:
    """Bars side by side per category, one colour per series (futures' NPV under each plan; costs of A and B)."""
    figure = go.Figure([go.Bar(x=list(categories), y=list(values), name=name,
                               hovertemplate="%{x}: %{y:,.4s} " + unit + f"<extra>{name}</extra>")
                        for name, values in series.items()])
    return _layout(figure, title, barmode="group", yaxis={"title": unit, "tickformat": ",.3s"})


__all__ = ["grouped_bars", "histogram", "lane_parts", "share_bars", "stacked_bars", "timeline", "tornado_bars",
           "utilization_heatmap", "waterfall"]
