"""The report's world map: countries drawn from the shipped Natural Earth shapes (maps/README.md), plants and
markets placed on them, and the plan's flows as lines, one set per year behind a slider.

The map is a plain cartesian chart of longitude and latitude (an equirectangular projection), the countries
filled polygons: plotly's geo charts fetch their base map from a CDN, this one needs nothing but the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pycountry

from footprint.scenario.model.scenario import Scenario

LAND = "#cfe3c4"
"""The countries' fill: a pale green the screenshot test looks for."""
SEA = "#e8f1fa"
PLANT_COLOURS = ((0.0, "#ffb000"), (1.0, "#d7263d"))
"""Plants from amber (idle) to red (full): no country or sea pixel is near either."""
MARKET_COLOUR = "#264653"
FLOW_COLOUR = "rgba(29, 53, 87, 0.55)"
TOP_LANES = 150
"""Lanes drawn per year, the largest by units (plant to market, products summed); the others are counted."""
WIDTHS = (1.0, 2.0, 3.5, 5.5, 8.0)
"""Line widths of the flows, by the lane's units as a share of the year's largest lane (in equal steps)."""


@dataclass(frozen=True)
class Place:
    kind: str
    """``plant`` or ``market``."""
    name: str
    lat: float
    lon: float
    placed_by: str
    """``location``, ``port`` or ``country`` (its centroid)."""


@cache
def _countries() -> tuple[dict[str, Any], ...]:
    """The shipped country shapes (read once: 176 KB of GeoJSON)."""
    text = files("footprint.views").joinpath("maps/world-110m-countries.geojson").read_text(encoding="utf-8")
    return tuple(json.loads(text)["features"])


def _rings(feature: dict[str, Any]) -> list[list[list[float]]]:
    """The outer ring of each polygon of a country (holes are too small to see at 1:110m)."""
    geometry = feature["geometry"]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [polygon[0] for polygon in polygons]


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """(area, lon, lat) of a ring by the shoelace formula."""
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return 0.0, float(x.mean()), float(y.mean())
    return abs(area), float(((x + np.roll(x, -1)) * cross).sum() / (6 * area)), float(
        ((y + np.roll(y, -1)) * cross).sum() / (6 * area))


def centroids() -> dict[str, tuple[float, float]]:
    """Each country's (lat, lon) by ISO 3166 alpha-3: the centroid of its largest polygon (France's is in France,
    not pulled towards French Guiana)."""
    found = {}
    for feature in _countries():
        _, lon, lat = max((_ring_centroid(ring) for ring in _rings(feature)), key=lambda found: found[0])
        found[str(feature["properties"]["iso_a3"])] = (lat, lon)
    return found


def _country_point(code: str, known: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    country = pycountry.countries.get(alpha_2=code)
    return None if country is None else known.get(country.alpha_3)


def places(scenario: Scenario) -> tuple[list[Place], list[str]]:
    """Where each plant and market goes on the map (its location, else its port, else its country's centroid),
    and the names of those that cannot be placed (a customs union as a market's country)."""
    known = centroids()
    placed, unplaced = [], []
    entities = [("plant", plant) for plant in scenario.plants] + [("market", market) for market in scenario.markets]
    for kind, entity in entities:
        point = entity.location or entity.port
        if point is not None:
            placed.append(Place(kind, entity.id, point.lat, point.lon, "location" if entity.location else "port"))
            continue
        centre = _country_point(str(entity.country), known)
        if centre is None:
            unplaced.append(f"{kind} {entity.id}")
        else:
            placed.append(Place(kind, entity.id, *centre, "country"))
    return placed, unplaced


def _land() -> go.Scatter:
    lon: list[float | None] = []
    lat: list[float | None] = []
    for feature in _countries():
        for ring in _rings(feature):
            lon += [point[0] for point in ring] + [None]
            lat += [point[1] for point in ring] + [None]
    return go.Scatter(x=lon, y=lat, mode="lines", fill="toself", fillcolor=LAND,
                      line={"color": "#9bb592", "width": 0.5}, hoverinfo="skip", showlegend=False, name="countries")


def top_lanes(flows: pd.DataFrame, top: int = TOP_LANES) -> tuple[pd.DataFrame, pd.Series]:
    """Units per lane (plant, market, year; products and sourcing summed), the ``top`` largest of each year,
    and per year how many lanes are left out."""
    lanes = flows.groupby(["year", "plant", "market"], as_index=False, observed=True)["units"].sum()
    lanes = lanes[lanes["units"] > 0].sort_values(["year", "units"], ascending=[True, False], kind="stable")
    rank = lanes.groupby("year").cumcount()
    left_out = (rank >= top).groupby(lanes["year"]).sum()
    return lanes[rank < top].reset_index(drop=True), left_out


def _segments(lanes: pd.DataFrame, where: dict[str, Place]) -> tuple[list[float | None], list[float | None],
                                                                      list[str | None]]:
    """Line segments for lanes; one that is shorter the other way round the globe is drawn both ways off the
    edges (the chart clips each at its edge)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    texts: list[str | None] = []
    for row in lanes.itertuples():
        a, b = where[row.plant], where[row.market]
        text = f"{row.plant} → {row.market}: {row.units:,.0f} units"
        shift = 360.0 if b.lon - a.lon < -180 else -360.0 if b.lon - a.lon > 180 else 0.0
        pairs = [((a.lon, a.lat), (b.lon + shift, b.lat))]
        if shift:
            pairs.append(((a.lon - shift, a.lat), (b.lon, b.lat)))
        for (x0, y0), (x1, y1) in pairs:
            xs += [x0, x1, None]
            ys += [y0, y1, None]
            texts += [text, text, None]
    return xs, ys, texts


def _year_traces(plan_year: int, lanes: pd.DataFrame, plants: pd.DataFrame, markets: pd.DataFrame,
                 where: dict[str, Place]) -> list[go.Scatter]:
    """The flows (one trace per line width), the markets and the plants of one year."""
    traces = []
    year_lanes = lanes[(lanes["year"] == plan_year) & lanes["plant"].isin(where) & lanes["market"].isin(where)]
    if len(year_lanes):
        step = np.minimum((year_lanes["units"] / year_lanes["units"].max() * len(WIDTHS)).astype(int), len(WIDTHS) - 1)
        for index, width in enumerate(WIDTHS):
            xs, ys, texts = _segments(year_lanes[step.to_numpy() == index], where)
            traces.append(go.Scatter(x=xs, y=ys, mode="lines", line={"color": FLOW_COLOUR, "width": width},
                                     hovertext=texts, hoverinfo="text", showlegend=False, name="flows"))
    for kind, table, value in (("market", markets, "demand"), ("plant", plants, "capacity")):
        shown = table[(table["year"] == plan_year) & table[kind].isin(where)]
        biggest = float(table[value].max()) if len(table) else 1.0
        size = 8 + 30 * np.sqrt(shown[value].to_numpy(dtype=float) / (biggest or 1.0))
        lon = [where[name].lon for name in shown[kind]]
        lat = [where[name].lat for name in shown[kind]]
        if kind == "market":
            marker = {"size": size, "color": MARKET_COLOUR, "symbol": "square", "opacity": 0.8}
            text = [f"market {name}: demand {units:,.0f}"
                    for name, units in zip(shown[kind], shown[value], strict=True)]
        else:
            marker = {"size": size, "color": shown["share"], "cmin": 0, "cmax": 1,
                      "colorscale": list(PLANT_COLOURS), "line": {"color": "#5a1a00", "width": 1},
                      "colorbar": {"title": "utilization", "tickformat": ".0%"}}
            text = [f"plant {name}: capacity {cap:,.0f}, used {share:.0%}" for name, cap, share in
                    zip(shown[kind], shown[value], shown["share"], strict=True)]
        traces.append(go.Scatter(x=lon, y=lat, mode="markers", marker=marker, hovertext=text, hoverinfo="text",
                                 name=f"{kind}s", showlegend=False))
    return traces


def world_map(flows: pd.DataFrame, utilization: pd.DataFrame, demand: pd.DataFrame,
              placed: list[Place]) -> go.Figure:
    """The map: countries, and per year (a slider) the plants sized by capacity and coloured by utilization, the
    markets sized by demand and the largest lanes as lines whose width is the units."""
    where = {place.name: place for place in placed}
    lanes, _ = top_lanes(flows)
    plants = utilization.groupby(["plant", "year"], as_index=False)[["capacity", "used"]].sum()
    plants["share"] = np.where(plants["capacity"] > 0, plants["used"] / plants["capacity"].where(
        plants["capacity"] > 0, 1.0), 0.0)
    markets = demand.groupby(["market", "year"], as_index=False)["demand"].sum()
    years = sorted({*utilization["year"].tolist(), *demand["year"].tolist()})
    figure = go.Figure(_land())
    spans = []
    for year in years:
        traces = _year_traces(year, lanes, plants, markets, where)
        spans.append((len(figure.data), len(traces)))
        figure.add_traces(traces)
    steps = []
    for year, (start, count) in zip(years, spans, strict=True):
        visible = [index == 0 or start <= index < start + count for index in range(len(figure.data))]
        steps.append({"label": str(year), "method": "restyle", "args": [{"visible": visible}]})
    for index, trace in enumerate(figure.data):
        trace.visible = index == 0 or (bool(spans) and spans[0][0] <= index < spans[0][0] + spans[0][1])
    figure.update_layout(
        template="none", height=560, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor=SEA,
        paper_bgcolor="white", hovermode="closest",
        xaxis={"range": [-180, 180], "visible": False, "fixedrange": False},
        yaxis={"range": [-60, 85], "visible": False, "scaleanchor": "x"},
        sliders=[{"active": 0, "currentvalue": {"prefix": "year "}, "steps": steps, "pad": {"t": 10}}] if steps else [],
    )
    return figure


__all__ = ["Place", "centroids", "places", "top_lanes", "world_map"]
