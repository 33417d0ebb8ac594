"""The report's world map: countries drawn from the shipped Natural Earth shapes (maps/README.md), the plan's nodes
(suppliers, plants, distribution centres, markets) placed on them, and its lanes of every echelon as lines, one set
per year behind a slider.

The map is a plain cartesian chart of longitude and latitude (an equirectangular projection), the countries
filled polygons: plotly's geo charts fetch their base map from a CDN, this one needs nothing but the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
TOP_LANES = 150
"""Lanes drawn per year and echelon, the largest by units (what they carry summed); the others are counted."""
WIDTHS = (1.0, 2.0, 3.5, 5.5, 8.0)
"""Line widths of the lanes, by the lane's units as a share of the year's largest lane (in equal steps)."""
SPREAD = 1.5
"""Degrees between nodes that would fall on one point and that point (set around it on a circle)."""


@dataclass(frozen=True)
class LaneTier:
    """An echelon of lanes: the plan's table of it, the columns of its ends and of what it carries, its name on the
    map and its colour."""

    table: str
    origin: str
    destination: str
    item: str
    label: str
    colour: str


LANE_TIERS = (
    LaneTier("supplies", "supplier", "plant", "component", "supplier → plant", "rgba(17, 119, 51, 0.6)"),
    LaneTier("transfers", "origin", "destination", "component", "plant → plant", "rgba(136, 34, 85, 0.6)"),
    LaneTier("inbound", "plant", "facility", "product", "plant → distribution centre", "rgba(170, 68, 153, 0.6)"),
    LaneTier("deliveries", "facility", "market", "product", "distribution centre → market",
             "rgba(68, 170, 153, 0.7)"),
    LaneTier("flows", "plant", "market", "product", "plant → market", "rgba(29, 53, 87, 0.55)"),
)
"""Every echelon the map draws, upstream first (Tol's muted green, wine, purple and teal, and the flows' navy)."""
MODE_DASHES = {"": "solid", "sea": "longdash", "rail": "dashdot", "road": "dot", "air": "dash"}
"""A lane's dash by its transport mode; ``""`` where the plan records none (not known: a plan written before modes,
or a lane without one), drawn solid."""
MODE_LEGEND = "#555555"


@dataclass(frozen=True)
class NodeStyle:
    label: str
    symbol: str
    colour: str
    outline: str
    measure: str
    """What sizes it (in its hover)."""


NODE_STYLES = {
    "supplier": NodeStyle("suppliers", "triangle-up", "#117733", "#0b4d21", "sold"),
    "plant": NodeStyle("plants", "circle", "#d7263d", "#5a1a00", "capacity"),
    "facility": NodeStyle("distribution centres", "diamond", "#AA4499", "#5e2355", "handled"),
    "market": NodeStyle("markets", "square", MARKET_COLOUR, MARKET_COLOUR, "demand"),
}
"""Each kind of node's marker (hollow in a year it is not open) and legend entry."""


@dataclass(frozen=True)
class Place:
    kind: str
    """``supplier``, ``plant``, ``facility`` or ``market``."""
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
    """Where each node goes on the map (its location, else its port, else its country's centroid), and the names of
    those that cannot be placed (a customs union as a market's country). Nodes that would fall on one point (a
    supplier and a plant both placed at their country's centroid) are set around it on a small circle, so that each
    is seen and the lanes between them have a length."""
    known = centroids()
    found: list[tuple[str, str, float, float, str]] = []
    unplaced = []
    entities = [(kind, entity) for kind, group in (("supplier", scenario.suppliers), ("plant", scenario.plants),
                                                   ("facility", scenario.facilities), ("market", scenario.markets))
                for entity in group]
    for kind, entity in entities:
        point = entity.location or entity.port
        if point is not None:
            found.append((kind, entity.id, point.lat, point.lon, "location" if entity.location else "port"))
            continue
        centre = _country_point(str(entity.country), known)
        if centre is None:
            unplaced.append(f"{kind} {entity.id}")
        else:
            found.append((kind, entity.id, *centre, "country"))
    together: dict[tuple[float, float], list[int]] = {}
    for index, (_, _, lat, lon, _) in enumerate(found):
        together.setdefault((lat, lon), []).append(index)
    placed = [Place(*row) for row in found]
    for (lat, lon), indices in together.items():
        if len(indices) > 1:
            for turn, index in enumerate(indices):
                angle = 2 * np.pi * turn / len(indices)
                placed[index] = replace(placed[index], lat=lat + SPREAD * np.sin(angle),
                                        lon=lon + SPREAD * np.cos(angle))
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


def tier_lanes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Units per lane of every echelon the plan has (LANE_TIERS), by year and mode (``""`` where the plan records
    none: a plan written before modes), what it carries summed; ``carries`` says what in words (``60,000 suv``)."""
    frames = []
    for tier in LANE_TIERS:
        table = tables.get(tier.table)
        if table is None or table.empty:
            continue
        frame = pd.DataFrame({"tier": tier.table, "origin": table[tier.origin].astype(str),
                              "destination": table[tier.destination].astype(str), "year": table["year"].astype(int),
                              "mode": table["mode"].fillna("").astype(str) if "mode" in table else "",
                              "item": table[tier.item].astype(str), "units": table["units"].astype(float)})
        frames.append(frame[frame["units"] > 0])
    if not frames:
        return pd.DataFrame({"tier": [], "origin": [], "destination": [], "year": pd.Series(dtype=int), "mode": [],
                             "carries": [], "units": pd.Series(dtype=float)})
    rows = pd.concat(frames, ignore_index=True)
    keys = ["tier", "origin", "destination", "year", "mode"]
    items = rows.groupby([*keys, "item"], as_index=False, sort=False)["units"].sum()
    items["carries"] = [f"{units:,.0f} {item}" for item, units in zip(items["item"], items["units"], strict=True)]
    return items.groupby(keys, as_index=False, sort=False).agg(carries=("carries", ", ".join),
                                                               units=("units", "sum"))


def top_lanes(lanes: pd.DataFrame, top: int = TOP_LANES) -> tuple[pd.DataFrame, pd.Series]:
    """The ``top`` largest lanes (of :func:`tier_lanes`) of each year and echelon, and per year how many are left
    out."""
    lanes = lanes.sort_values(["year", "tier", "units"], ascending=[True, True, False], kind="stable")
    rank = lanes.groupby(["year", "tier"]).cumcount()
    left_out = (rank >= top).groupby(lanes["year"]).sum()
    return lanes[rank < top].reset_index(drop=True), left_out


def _segments(lanes: pd.DataFrame, where: dict[str, Place], tier: LaneTier) -> tuple[
        list[float | None], list[float | None], list[str | None]]:
    """Line segments for lanes; one that is shorter the other way round the globe is drawn both ways off the
    edges (the chart clips each at its edge)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    texts: list[str | None] = []
    for row in lanes.itertuples():
        a, b = where[row.origin], where[row.destination]
        by = f" by {row.mode}" if row.mode else ""
        text = f"{row.origin} → {row.destination} ({tier.label}{by}): {row.carries}"
        shift = 360.0 if b.lon - a.lon < -180 else -360.0 if b.lon - a.lon > 180 else 0.0
        pairs = [((a.lon, a.lat), (b.lon + shift, b.lat))]
        if shift:
            pairs.append(((a.lon - shift, a.lat), (b.lon, b.lat)))
        for (x0, y0), (x1, y1) in pairs:
            xs += [x0, x1, None]
            ys += [y0, y1, None]
            texts += [text, text, None]
    return xs, ys, texts


def _legend_line(name: str, group: str, colour: str, dash: str) -> go.Scatter:
    """A legend entry alone (no data): an echelon's colour, or a mode's dash."""
    return go.Scatter(x=[None], y=[None], mode="lines", line={"color": colour, "dash": dash, "width": 3}, name=name,
                      legendgroup=group, showlegend=True, hoverinfo="skip")


def _lane_traces(year_lanes: pd.DataFrame, where: dict[str, Place]) -> list[go.Scatter]:
    """The lanes of one year: one trace per echelon, mode and line width, each echelon's colour and each mode's dash
    with a legend entry."""
    traces: list[go.Scatter] = []
    if year_lanes.empty:
        return traces
    biggest = float(year_lanes["units"].max())
    step = np.minimum((year_lanes["units"] / biggest * len(WIDTHS)).astype(int), len(WIDTHS) - 1).to_numpy()
    for tier in LANE_TIERS:
        ours = (year_lanes["tier"] == tier.table).to_numpy()
        if not ours.any():
            continue
        traces.append(_legend_line(tier.label, tier.table, tier.colour, "solid"))
        for mode in sorted(set(year_lanes.loc[ours, "mode"])):
            for index, width in enumerate(WIDTHS):
                chosen = year_lanes[ours & (year_lanes["mode"] == mode).to_numpy() & (step == index)]
                if chosen.empty:
                    continue
                xs, ys, texts = _segments(chosen, where, tier)
                traces.append(go.Scatter(x=xs, y=ys, mode="lines", line={"color": tier.colour, "width": width,
                                                                         "dash": MODE_DASHES.get(mode, "solid")},
                                         hovertext=texts, hoverinfo="text", showlegend=False, name=tier.label,
                                         legendgroup=tier.table))
    modes = set(year_lanes["mode"])
    if modes - {""}:  # a plan that records modes: their dashes, and the lanes it does not know the mode of
        for mode in sorted(modes):
            traces.append(_legend_line(f"by {mode}" if mode else "mode not known", f"mode {mode}", MODE_LEGEND,
                                       MODE_DASHES.get(mode, "solid")))
    return traces


def site_status(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Each site's status by year: kind, site, year, open, opened, closed (plants from the plants table, suppliers and
    facilities from the sites table; a plan written before the tiers has none of theirs)."""
    plants = tables["plants"].rename(columns={"plant": "site"}).assign(kind="plant")
    frames = [frame for frame in (plants, tables.get("sites")) if frame is not None and len(frame)]
    if not frames:
        return pd.DataFrame(columns=["kind", "site", "year", "open", "opened", "closed"])
    status = pd.concat([frame[["kind", "site", "year", "open", "opened", "closed"]] for frame in frames],
                       ignore_index=True)
    return status.astype({"site": str, "year": int, "open": bool, "opened": bool, "closed": bool})


def _status_text(row: dict[str, Any]) -> str:
    if row["opened"]:
        return f", opens in {row['year']}"
    if row["closed"]:
        return f", closed from {row['year']}"
    return "" if row["open"] else ", not open"


def _node_sizes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """What sizes each node, by kind, node and year: a plant's capacity (and the share used), a market's demand, a
    supplier's units sold and a facility's units handled."""
    utilization = tables["utilization"]
    plants = utilization.groupby(["plant", "year"], as_index=False)[["capacity", "used"]].sum()
    plants["share"] = np.where(plants["capacity"] > 0, plants["used"] / plants["capacity"].where(
        plants["capacity"] > 0, 1.0), 0.0)
    frames = [plants.rename(columns={"plant": "node", "capacity": "size"}).assign(kind="plant"),
              tables["demand"].groupby(["market", "year"], as_index=False)["demand"].sum()
              .rename(columns={"market": "node", "demand": "size"}).assign(kind="market")]
    for kind, table, column in (("supplier", "supplies", "supplier"), ("facility", "deliveries", "facility")):
        found = tables.get(table)
        if found is not None and len(found):
            frames.append(found.groupby([column, "year"], as_index=False)["units"].sum()
                          .rename(columns={column: "node", "units": "size"}).assign(kind=kind))
    sizes = pd.concat(frames, ignore_index=True)
    return sizes.astype({"node": str, "year": int})


def _node_traces(year: int, sizes: pd.DataFrame, status: pd.DataFrame, where: dict[str, Place]) -> list[go.Scatter]:
    """The nodes of one year, one trace per kind: sized by what they handle, hollow where not open that year."""
    traces = []
    for kind in ("supplier", "facility", "market", "plant"):
        style = NODE_STYLES[kind]
        ours = status[(status["kind"] == kind) & (status["year"] == year)]
        names = ours["site"].tolist() if kind != "market" else sorted(
            set(sizes.loc[(sizes["kind"] == "market") & (sizes["year"] == year), "node"]))
        names = [name for name in names if name in where]
        if not names:
            continue
        sized = sizes[(sizes["kind"] == kind) & (sizes["year"] == year)].set_index("node")
        biggest = float(sizes.loc[sizes["kind"] == kind, "size"].max() or 1.0) if (sizes["kind"] == kind).any() else 1.0
        size_of = sized["size"].reindex(names).fillna(0.0).to_numpy(dtype=float)
        sites = ours.set_index("site").reindex(names) if kind != "market" else None
        is_open = np.ones(len(names), dtype=bool) if sites is None else sites["open"].fillna(True).to_numpy(bool)
        symbols = [style.symbol if up else f"{style.symbol}-open" for up in is_open]
        text = [f"{kind} {name}: {style.measure} {value:,.0f}" for name, value in zip(names, size_of, strict=True)]
        if sites is not None:
            text = [line + _status_text(row) for line, row in
                    zip(text, sites.reset_index().to_dict("records"), strict=True)]
        marker: dict[str, Any] = {"size": 8 + 30 * np.sqrt(size_of / (biggest or 1.0)), "symbol": symbols,
                                  "opacity": 0.85, "line": {"color": style.outline, "width": 1.5}}
        if kind == "plant":
            share = sized["share"].reindex(names).fillna(0.0).to_numpy(dtype=float)
            marker |= {"color": share, "cmin": 0, "cmax": 1, "colorscale": list(PLANT_COLOURS),
                       "colorbar": {"title": "utilization", "tickformat": ".0%"}}
            text = [f"{line}, used {used:.0%}" for line, used in zip(text, share, strict=True)]
        else:
            marker["color"] = style.colour
        traces.append(go.Scatter(x=[where[name].lon for name in names], y=[where[name].lat for name in names],
                                 mode="markers", marker=marker, hovertext=text, hoverinfo="text", name=style.label,
                                 legendgroup=kind, showlegend=True))
    return traces


def map_years(tables: Mapping[str, pd.DataFrame]) -> list[int]:
    """The years the map (and the flow diagram) can show, in order; the first is shown first."""
    return sorted({*tables["utilization"]["year"].astype(int).tolist(), *tables["demand"]["year"].astype(int).tolist()})


def world_map(tables: Mapping[str, pd.DataFrame], placed: list[Place]) -> go.Figure:
    """The map of a plan's tables: countries, and per year (a slider) its suppliers, plants (sized by capacity and
    coloured by utilization), distribution centres and markets, and the largest lanes of every echelon as lines whose
    width is the units, coloured by echelon and dashed by mode where the plan records one."""
    where = {place.name: place for place in placed}
    lanes, _ = top_lanes(tier_lanes(tables))
    lanes = lanes[lanes["origin"].isin(where) & lanes["destination"].isin(where)]
    sizes, status = _node_sizes(tables), site_status(tables)
    years = map_years(tables)
    figure = go.Figure(_land())
    spans = []
    for year in years:
        traces = [*_lane_traces(lanes[lanes["year"] == year], where), *_node_traces(year, sizes, status, where)]
        spans.append((len(figure.data), len(traces)))
        figure.add_traces(traces)
    steps = []
    for year, (start, count) in zip(years, spans, strict=True):
        visible = [index == 0 or start <= index < start + count for index in range(len(figure.data))]
        steps.append({"label": str(year), "method": "restyle", "args": [{"visible": visible}]})
    for index, trace in enumerate(figure.data):
        trace.visible = index == 0 or (bool(spans) and spans[0][0] <= index < spans[0][0] + spans[0][1])
    figure.update_layout(
        template="none", height=600, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor=SEA,
        paper_bgcolor="white", hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "itemclick": "toggle"},
        xaxis={"range": [-180, 180], "visible": False, "fixedrange": False},
        yaxis={"range": [-60, 85], "visible": False, "scaleanchor": "x"},
        sliders=[{"active": 0, "currentvalue": {"prefix": "year "}, "steps": steps, "pad": {"t": 10}}] if steps else [],
    )
    return figure


__all__ = ["LANE_TIERS", "MODE_DASHES", "NODE_STYLES", "LaneTier", "Place", "centroids", "map_years", "places",
           "site_status", "tier_lanes", "top_lanes", "world_map"]
