"""The report's world map: countries drawn from the shipped Natural Earth shapes (maps/README.md), the plan's nodes
(suppliers, plants, distribution centres, markets) placed on them, and its lanes of every echelon, one set per year
behind a slider.

The map is a plain cartesian chart of longitude and latitude (an equirectangular projection), the countries
filled polygons: plotly's geo charts fetch their base map from a CDN, this one needs nothing but the page. It is
centred where the network is: its western edge is the meridian that the fewest lanes cross (none, most often) and
that is farthest from any node, and every longitude is counted from that edge, so that no lane is cut at the
antimeridian (a Pacific crossing is drawn across the Pacific). A lane by sea between two nodes with ports is drawn
along its sea route (searoute's, as the freight is computed: economics/freight.py), with the road legs from a node
to its port; every other lane as a great circle. Markers that would overlap are set apart, each with a thin line to
its place, and named beside it where it can be read (on a map of a few tens of nodes; a larger one's markers move
little and are named on hover: zooming in tells them apart).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pycountry

from footprint.economics.freight import ROUTE_TOLERANCE, Point, sea_routes, simplified
from footprint.scenario.model.scenario import Scenario
from footprint.views.charts import CYAN, GREEN, INDIGO, INK, OLIVE, PURPLE, ROSE, SAND, TEAL, WINE

LAND = "#cfe3c4"
"""The countries' fill: a pale green the screenshot test looks for."""
SEA = "#e8f1fa"
TOP_LANES = 150
"""Lanes drawn per year and echelon, the largest by units (what they carry summed); the others are counted."""
WIDTHS = (1.0, 2.0, 3.5, 5.5, 8.0)
"""Line widths of the lanes, by the lane's units as a share of the year's largest lane (in equal steps)."""
LANE_OPACITY = 0.75
"""Lanes see-through a little, so that the countries and the lanes under them show."""
GREAT_CIRCLE_STEP = 5.0
"""Degrees of arc between the points of a lane drawn as a great circle."""
PLOT_WIDTH, PLOT_HEIGHT = 950.0, 460.0
"""The map's plotting area in pixels as the report shows it on a laptop's screen, or a little less (its width
follows the page, its legend takes some of its height): the scale at which markers are set apart."""
MARKER_GAP = 2.0
"""Pixels kept between two markers set apart."""
SPREAD_LIMIT = 4.0
"""The farthest a marker is moved from its place, in the largest marker's radii, on a map of at most TEXT_LABELS
nodes; on one of more, one radius (markers on one spot fan out; the others are told apart by zooming in) and no
line to its place."""
SPREAD_STEPS, SPREAD_REACH = 10, 40.0
"""Markers are pushed apart in rounds of this many steps, each round among the pairs this many pixels from
touching."""
BASE_TRACES = 2
"""The traces every year shows: the countries, and the lines from places to markers set apart."""
TEXT_LABELS = 40
MARKER_SIZES = {False: (8.0, 38.0), True: (5.0, 16.0)}
"""A marker's least and most size in pixels, for a map of at most TEXT_LABELS nodes and of more."""
LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
                   "bottom right", "bottom left")
"""Where a node's name may go beside its marker, in order of preference."""
LABEL_CHARACTER, LABEL_HEIGHT = 6.0, 13.0
"""Pixels a character of a node's name takes across (at the labels' 10 px font), and a name's height."""
"""Nodes drawn with their names beside them when a year shows at most this many; more are named on hover only."""


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
    LaneTier("supplies", "supplier", "plant", "component", "supplier → plant", GREEN),
    LaneTier("transfers", "origin", "destination", "component", "plant → plant", OLIVE),
    LaneTier("inbound", "plant", "facility", "product", "plant → distribution centre", PURPLE),
    LaneTier("deliveries", "facility", "market", "product", "distribution centre → market", TEAL),
    LaneTier("flows", "plant", "market", "product", "plant → market", INDIGO),
)
"""Every echelon the map draws, upstream first, each its own colour of the palette (the flow diagram's too)."""
MODE_DASHES = {"": "solid", "sea": "longdash", "rail": "dashdot", "road": "dot", "air": "dash"}
"""A lane's dash by its transport mode; ``""`` where the plan records none (not known: a plan written before modes,
or a lane without one), drawn solid."""
SEA_MODES = ("sea", "")
"""The modes drawn along the sea route where both ends have a port: by sea, and not known (a plan written before
modes computed the freight between two ports by sea)."""


@dataclass(frozen=True)
class NodeStyle:
    label: str
    symbol: str
    colour: str
    measure: str
    """What sizes it (in its hover)."""


NODE_STYLES = {
    "supplier": NodeStyle("suppliers", "triangle-up", SAND, "sold"),
    "plant": NodeStyle("plants", "circle", WINE, "capacity"),
    "facility": NodeStyle("distribution centres", "diamond", CYAN, "handled"),
    "market": NodeStyle("markets", "square", ROSE, "demand"),
}
"""Each kind of node's marker (hollow in a year it is not open) and legend entry, in colours of the palette that no
echelon's lanes take."""


@dataclass(frozen=True)
class Place:
    kind: str
    """``supplier``, ``plant``, ``facility`` or ``market``."""
    name: str
    lat: float
    lon: float
    placed_by: str
    """``location``, ``port`` or ``country`` (its centroid)."""
    port: Point | None = None
    """Its port's (lon, lat), where it has one: where its lanes by sea put to sea."""


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
    """Where each node is (its location, else its port, else its country's centroid) and its port, and the names of
    those that cannot be placed (a customs union as a market's country). Nodes at one point (a supplier and a plant
    both at their country's centroid) keep it: the map sets their markers apart."""
    known = centroids()
    placed: list[Place] = []
    unplaced = []
    entities = [(kind, entity) for kind, group in (("supplier", scenario.suppliers), ("plant", scenario.plants),
                                                   ("facility", scenario.facilities), ("market", scenario.markets))
                for entity in group]
    for kind, entity in entities:
        port = None if entity.port is None else (entity.port.lon, entity.port.lat)
        point = entity.location or entity.port
        if point is not None:
            placed.append(Place(kind, entity.id, point.lat, point.lon, "location" if entity.location else "port", port))
            continue
        centre = _country_point(str(entity.country), known)
        if centre is None:
            unplaced.append(f"{kind} {entity.id}")
        else:
            placed.append(Place(kind, entity.id, *centre, "country", port))
    return placed, unplaced


def _land(turns: list[int]) -> go.Scatter:
    """The countries, once per turn round the globe the map shows (a map whose edge is not the antimeridian shows
    parts of two: the chart clips each at its edges); rings apart by a NaN (plotly draws no line across it, and
    writes the points as binary, not as text)."""
    rings = [np.asarray(ring, dtype=float) for feature in _countries() for ring in _rings(feature)]
    apart = np.full((1, 2), np.nan)
    turned = [np.array([360.0 * turn, 0.0]) for turn in turns]
    points = np.vstack([part for shift in turned for ring in rings for part in (ring + shift, apart)])
    points = points.astype(np.float32)  # half the bytes of float64 in the page, to a metre or so
    return go.Scatter(x=points[:, 0], y=points[:, 1], mode="lines", fill="toself", fillcolor=LAND,
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
    lanes = items.groupby(keys, sort=False)
    carried: list[list[str]] = [[] for _ in range(lanes.ngroups)]
    for lane, item, units in zip(lanes.ngroup(), items["item"], items["units"], strict=True):  # a join per lane
        carried[lane].append(f"{units:,.0f} {item}")  # (by pandas' agg) takes seconds for a large plan's lanes
    summed = lanes["units"].sum().reset_index()
    return summed.assign(carries=[", ".join(parts) for parts in carried])[[*keys, "carries", "units"]]


def top_lanes(lanes: pd.DataFrame, top: int = TOP_LANES) -> tuple[pd.DataFrame, pd.Series]:
    """The ``top`` largest lanes (of :func:`tier_lanes`) of each year and echelon, and per year how many are left
    out."""
    lanes = lanes.sort_values(["year", "tier", "units"], ascending=[True, True, False], kind="stable")
    rank = lanes.groupby(["year", "tier"]).cumcount()
    left_out = (rank >= top).groupby(lanes["year"]).sum()
    return lanes[rank < top].reset_index(drop=True), left_out


def _continuous(points: np.ndarray) -> np.ndarray:
    """(lon, lat) points with each longitude moved by whole turns to within 180 degrees of the one before it."""
    return np.column_stack([np.unwrap(points[:, 0], period=360.0), points[:, 1]])


def great_circle(origin: tuple[float, float], destination: tuple[float, float]) -> np.ndarray:
    """(lon, lat) points along the great circle from ``origin`` to ``destination`` (each (lon, lat)), longitudes
    continuous: one every GREAT_CIRCLE_STEP degrees of arc, then as few as draw it as closely as a sea route's
    (ROUTE_TOLERANCE: a short lane is a straight line)."""
    lon, lat = np.radians([[origin[0], destination[0]], [origin[1], destination[1]]])
    ends = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    angle = float(np.arccos(np.clip(ends[0] @ ends[1], -1.0, 1.0)))
    if math.sin(angle) < 1e-9:  # the same point, or the two ends of a diameter (no one great circle)
        return _continuous(np.array([origin, destination], dtype=float))
    share = np.linspace(0.0, 1.0, max(2, math.ceil(math.degrees(angle) / GREAT_CIRCLE_STEP) + 1))[:, None]
    points = (np.sin((1 - share) * angle) * ends[0] + np.sin(share * angle) * ends[1]) / math.sin(angle)
    course = _continuous(np.column_stack([np.degrees(np.arctan2(points[:, 1], points[:, 0])),
                                          np.degrees(np.arcsin(np.clip(points[:, 2], -1.0, 1.0)))]))
    return np.array(simplified([(float(x), float(y)) for x, y in course], ROUTE_TOLERANCE))


def sea_leg(origin: Place, destination: Place, mode: str) -> tuple[Point, Point] | None:
    """The ports a lane is drawn between along its sea route, if it is: by sea (or by a mode not known) between two
    nodes with ports."""
    if mode in SEA_MODES and origin.port is not None and destination.port is not None:
        return origin.port, destination.port
    return None


def lane_courses(keys: set[tuple[str, str, str]], where: Mapping[str, Place]) -> dict[tuple[str, str, str],
                                                                                      np.ndarray]:
    """The course of each lane (origin, destination, mode) as (lon, lat) points from the origin to the destination,
    longitudes continuous: along the sea route between the ends' ports (all routed at once) with the legs from the
    origin to its port and from the destination's port, where it goes by sea (:func:`sea_leg`); else a great
    circle."""
    legs = {key: leg for key in keys if (leg := sea_leg(where[key[0]], where[key[1]], key[2])) is not None}
    routes = sea_routes(set(legs.values())) if legs else {}
    courses = {}
    for key in keys:
        origin, destination = where[key[0]], where[key[1]]
        if key in legs:
            courses[key] = _continuous(np.array([(origin.lon, origin.lat), *routes[legs[key]],
                                                 (destination.lon, destination.lat)], dtype=float))
        else:
            courses[key] = great_circle((origin.lon, origin.lat), (destination.lon, destination.lat))
    return courses


def west_edge(nodes: np.ndarray, courses: list[np.ndarray]) -> float:
    """The longitude of the map's western edge (-180 to 180): the meridian that the fewest lanes and nodes cross
    (none, most often), in the middle of the widest such arc, so that the map is centred where the network is.
    ``nodes``: their longitudes; ``courses``: each lane's points (continuous longitudes)."""
    if not len(nodes):
        return -180.0
    cover = np.zeros(360)  # lanes and nodes over each degree of longitude (0 to 1, 1 to 2, ... east of 0)
    for course in courses:
        low, high = math.floor(course[:, 0].min()), math.floor(course[:, 0].max())
        cover[np.arange(low, min(high, low + 359) + 1) % 360] += 1
    for lon in nodes:
        cover[np.arange(math.floor(lon) - 2, math.floor(lon) + 3) % 360] += 1  # a node's marker: a few degrees
    least = np.concatenate([cover, cover]) == cover.min()
    run, widest, start = 0, 0, 0
    for index, free in enumerate(least):
        run = run + 1 if free else 0
        if widest < run <= 360:
            widest, start = run, index - run + 1
    middle = start + widest / 2
    return float((middle + 180.0) % 360.0 - 180.0)


def within(lon: float, west: float) -> float:
    """``lon`` moved by whole turns into the map's window, from ``west`` to 360 degrees east of it."""
    return lon - 360.0 * math.floor((lon - west) / 360.0)


def spread(points: np.ndarray, radii: np.ndarray, iterations: int = 300, limit: float = math.inf) -> np.ndarray:
    """``points`` (pixels, one row each) moved apart until no two discs of ``radii`` come closer than MARKER_GAP,
    each pair that overlaps pushed apart along the line between them (points on one spot each in its own direction)
    by what they overlap: a cluster opens up around where it is, a lone point stays. No point moves more than
    ``limit`` from where it was (hundreds of markers in one country cannot all be set apart near it: the densest
    overlap still). Only the pairs near enough to meet are pushed: with a ``limit``, those that can meet at all
    (found once); without, those near each other every few steps (all pairs at every step would be slow for the
    hundreds of markets of a large plan)."""
    start = np.asarray(points, dtype=float)
    moved = start.copy()
    if len(moved) < 2:
        return moved
    turn = np.arange(len(moved)) * 2.399963  # the golden angle: points on one spot part in different directions
    moved += 1e-3 * np.column_stack([np.cos(turn), np.sin(turn)])
    reach = radii[:, None] + radii[None, :] + MARKER_GAP
    bounded = math.isfinite(limit)
    margin = 2 * limit if bounded else SPREAD_REACH
    for step in range(iterations):
        if step == 0 or (not bounded and step % SPREAD_STEPS == 0):
            apart = moved[:, None, :] - moved[None, :, :]
            first, second = np.nonzero(np.triu((apart ** 2).sum(axis=2) < (reach + margin) ** 2, k=1))
            need = reach[first, second]
        apart = moved[first] - moved[second]
        length = np.hypot(apart[:, 0], apart[:, 1])
        overlap = np.clip(need - length, 0.0, None)
        if not len(overlap) or overlap.max() < 0.01:
            if bounded or step % SPREAD_STEPS == 0:
                break  # every pair that can meet is apart
            continue
        push = (overlap * 0.55 / np.where(length > 0, length, 1.0))[:, None] * apart
        for axis in (0, 1):
            moved[:, axis] += (np.bincount(first, push[:, axis], len(moved))
                               - np.bincount(second, push[:, axis], len(moved)))
        shift = moved - start
        moved = start + shift / np.maximum(np.hypot(shift[:, 0], shift[:, 1]) / limit, 1.0)[:, None]
    return moved


def label_box(name: str, spot: np.ndarray, radius: float, position: str) -> np.ndarray:
    """The box (left, bottom, right, top; pixels, y up) a node's name takes at ``position`` (plotly's textposition)
    beside its marker at ``spot`` of ``radius``."""
    width, height = LABEL_CHARACTER * len(name), LABEL_HEIGHT
    vertical, horizontal = position.split()
    x, y = spot
    left = {"center": x - width / 2, "right": x + (radius if vertical == "middle" else 0.0),
            "left": x - width - (radius if vertical == "middle" else 0.0)}[horizontal]
    bottom = {"top": y + radius, "middle": y - height / 2, "bottom": y - radius - height}[vertical]
    return np.array([left, bottom, left + width, bottom + height])


def _overlap(box: np.ndarray, boxes: np.ndarray) -> float:
    """The area ``box`` shares with ``boxes`` (one per row), summed."""
    if not len(boxes):
        return 0.0
    across = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0.0, None)
    up = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0.0, None)
    return float((across * up).sum())


def label_positions(names: list[str], spots: np.ndarray, radii: np.ndarray) -> dict[str, str]:
    """Where each node's name goes (LABEL_POSITIONS) beside its marker at ``spots`` (pixels) of ``radii``: the
    largest markers' first, each where it covers the least of the names placed and of the markers (the first
    position of those that cover nothing)."""
    markers = np.column_stack([spots - radii[:, None], spots + radii[:, None]]).reshape(-1, 4)
    placed: list[np.ndarray] = []
    found = {}
    for index in np.argsort(-radii, kind="stable"):
        others = np.delete(markers, index, axis=0)
        covered = [(_overlap(box, np.array(placed).reshape(-1, 4)) + _overlap(box, others), order, box, position)
                   for order, position in enumerate(LABEL_POSITIONS)
                   for box in [label_box(names[index], spots[index], radii[index], position)]]
        _, _, box, position = min(covered, key=lambda found: found[:2])
        placed.append(box)
        found[names[index]] = position
    return found


@dataclass(frozen=True)
class MapLayout:
    """Where the map draws things: its western edge, each node's marker (its place set apart from others; a node
    at the far end of a lane that crosses the edge is drawn there too, a turn away), each lane's course from marker
    to marker, the lines from a node's place to its marker set apart, and the ranges shown."""

    west: float
    markers: dict[str, list[tuple[float, float]]]
    courses: dict[tuple[str, str, str], np.ndarray]
    leaders: list[tuple[tuple[float, float], tuple[float, float]]]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    scale: float
    """Pixels per degree at which markers are set apart (the map as the report first shows it)."""
    labels: dict[str, str]
    """Where each node's name goes beside its marker (one of LABEL_POSITIONS), clear of the others where it can;
    none for more than TEXT_LABELS nodes (named on hover only)."""


def map_layout(where: Mapping[str, Place], radii: Mapping[str, float], lanes: pd.DataFrame) -> MapLayout:
    """The layout of the nodes with their marker's radius in pixels (``radii``) and of the lanes (origin,
    destination, mode) of ``lanes``: see :class:`MapLayout` and the module's doc."""
    names = list(radii)
    courses = lane_courses(set(zip(lanes["origin"], lanes["destination"], lanes["mode"], strict=True)), where)
    west = west_edge(np.array([where[name].lon for name in names]), list(courses.values()))
    true = np.array([(within(where[name].lon, west), where[name].lat) for name in names]).reshape(-1, 2)
    shifted = {key: course - [360.0 * math.floor((course[0, 0] - west) / 360.0), 0.0]
               for key, course in courses.items()}
    extent = np.vstack([true, *shifted.values()]) if shifted else true
    if not len(extent):
        return MapLayout(west, {}, {}, [], (west, west + 360.0), (-60.0, 85.0), PLOT_WIDTH / 360.0, {})
    span = np.maximum(extent.max(axis=0) - extent.min(axis=0), [30.0, 15.0]) * 1.15
    scale = float(min(PLOT_WIDTH / span[0], PLOT_HEIGHT / span[1]))  # pixels per degree
    radius = np.array([radii[name] for name in names])
    few = len(names) <= TEXT_LABELS  # more: zooming in sets them apart (a marker keeps its size in pixels)
    drawn = spread(true * scale, radius, limit=(SPREAD_LIMIT if few else 1.0) * radius.max()) / scale
    at = {name: (round(float(x), 3), round(float(y), 3)) for name, (x, y) in zip(names, drawn, strict=True)}
    markers: dict[str, list[tuple[float, float]]] = {name: [point] for name, point in at.items()}
    for key, course in shifted.items():
        (x0, y0), (x1, y1) = at[key[0]], at[key[1]]
        turn = round((course[-1, 0] - x1) / 360.0)
        course[0], course[-1] = (x0, y0), (x1 + 360.0 * turn, y1)
        if (x1 + 360.0 * turn, y1) not in markers[key[1]]:
            markers[key[1]].append((x1 + 360.0 * turn, y1))
    leaders = [((float(a[0]), float(a[1])), at[name]) for name, a, b in zip(names, true, drawn, strict=True)
               if few and np.hypot(*(a - b)) * scale > 1.0]  # moved by more than a pixel
    points = np.vstack([extent, drawn, *([np.array(spots) for spots in markers.values()])])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = np.maximum((high - low) * 0.06, [4.0, 3.0]) + 30.0 / scale  # room for the largest markers and labels
    return MapLayout(west, markers, shifted, leaders, (float(low[0] - pad[0]), float(high[0] + pad[0])),
                     (float(max(-89.0, low[1] - pad[1])), float(min(89.0, high[1] + pad[1]))), scale,
                     label_positions(names, drawn * scale, radius) if few else {})


def _courses(lanes: pd.DataFrame, layout: MapLayout, tier: LaneTier) -> tuple[np.ndarray, list[str | None]]:
    """The lines of lanes along their courses, (lon, lat) rows, each lane's followed by a NaN row (plotly draws no
    line across it); each point with the lane's hover text."""
    parts: list[np.ndarray] = []
    texts: list[str | None] = []
    apart = np.full((1, 2), np.nan)
    for row in lanes.itertuples():
        course = np.round(layout.courses[(row.origin, row.destination, row.mode)], 3)
        by = f" by {row.mode}" if row.mode else ""
        parts += [course, apart]
        texts += [f"{row.origin} → {row.destination} ({tier.label}{by}): {row.carries}"] * len(course) + [None]
    return np.vstack(parts).astype(np.float32), texts  # half the bytes of float64 in the page, to a metre or so


def _legend_line(name: str, group: str, colour: str, dash: str) -> go.Scatter:
    """A legend entry alone (no data): an echelon's colour, or a mode's dash."""
    return go.Scatter(x=[None], y=[None], mode="lines", line={"color": colour, "dash": dash, "width": 3}, name=name,
                      legendgroup=group, showlegend=True, hoverinfo="skip")


def _lane_traces(year_lanes: pd.DataFrame, layout: MapLayout) -> list[go.Scatter]:
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
                points, texts = _courses(chosen, layout, tier)
                traces.append(go.Scatter(x=points[:, 0], y=points[:, 1], mode="lines",
                                         line={"color": tier.colour, "width": width,
                                               "dash": MODE_DASHES.get(mode, "solid")},
                                         opacity=LANE_OPACITY, hovertext=texts, hoverinfo="text", showlegend=False,
                                         name=tier.label, legendgroup=tier.table))
    modes = set(year_lanes["mode"])
    if modes - {""}:  # a plan that records modes: their dashes, and the lanes it does not know the mode of
        for mode in sorted(modes):
            traces.append(_legend_line(f"by {mode}" if mode else "mode not known", f"mode {mode}", INK,
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


def marker_sizes(sizes: pd.DataFrame, many: bool) -> pd.Series:
    """Each node's marker size in pixels by (kind, node, year): the least of MARKER_SIZES and up with the square root
    of what sizes it, as a share of the largest of its kind in any year (the most for that one); smaller with
    ``many`` nodes, so that they can be set apart near their places."""
    least, most = MARKER_SIZES[many]
    biggest = sizes.groupby("kind")["size"].transform("max")
    shares = (sizes["size"] / biggest.where(biggest > 0, 1.0)).clip(lower=0.0)
    return pd.Series((least + (most - least) * np.sqrt(shares)).to_numpy(), index=pd.MultiIndex.from_frame(
        sizes[["kind", "node", "year"]]))


def _node_traces(year: int, sizes: pd.DataFrame, pixels: pd.Series, status: pd.DataFrame,
                 layout: MapLayout) -> list[go.Scatter]:
    """The nodes of one year, one trace per kind: sized by what they handle (``pixels``: :func:`marker_sizes`),
    hollow where not open that year, named beside them where the layout places their names."""
    traces = []
    for kind in ("supplier", "facility", "market", "plant"):
        style = NODE_STYLES[kind]
        ours = status[(status["kind"] == kind) & (status["year"] == year)]
        names = ours["site"].tolist() if kind != "market" else sorted(
            set(sizes.loc[(sizes["kind"] == kind) & (sizes["year"] == year), "node"]))
        names = [name for name in names if name in layout.markers]
        if not names:
            continue
        sized = sizes[(sizes["kind"] == kind) & (sizes["year"] == year)].set_index("node")
        size_of = sized["size"].reindex(names).fillna(0.0).to_numpy(dtype=float)
        sites = ours.set_index("site").reindex(names) if kind != "market" else None
        is_open = np.ones(len(names), dtype=bool) if sites is None else sites["open"].fillna(True).to_numpy(bool)
        text = [f"{kind} {name}: {style.measure} {value:,.0f}" for name, value in zip(names, size_of, strict=True)]
        if kind == "plant":
            share = sized["share"].reindex(names).fillna(0.0).to_numpy(dtype=float)
            text = [f"{line}, used {used:.0%}" for line, used in zip(text, share, strict=True)]
        if sites is not None:
            text = [line + _status_text(row) for line, row in
                    zip(text, sites.reset_index().to_dict("records"), strict=True)]
        every = [(index, spot) for index, name in enumerate(names) for spot in layout.markers[name]]
        marker = {"size": [float(pixels.get((kind, names[index], year), pixels.min())) for index, _ in every],
                  "symbol": [style.symbol if is_open[index] else f"{style.symbol}-open" for index, _ in every],
                  "color": style.colour, "opacity": 0.9, "line": {"color": INK, "width": 1}}
        traces.append(go.Scatter(x=[spot[0] for _, spot in every], y=[spot[1] for _, spot in every],
                                 mode="markers+text" if layout.labels else "markers",
                                 text=[names[index] for index, _ in every] if layout.labels else None,
                                 textposition=[layout.labels[names[index]] for index, _ in every]
                                 if layout.labels else None,
                                 textfont={"size": 10, "color": INK},
                                 marker=marker, hovertext=[text[index] for index, _ in every], hoverinfo="text",
                                 name=style.label, legendgroup=kind, showlegend=True))
    return traces


def _leader_lines(layout: MapLayout) -> go.Scatter:
    """Thin lines from each node's place to its marker, where the marker is set apart from its place."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for (x0, y0), (x1, y1) in layout.leaders:
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return go.Scatter(x=xs, y=ys, mode="lines", line={"color": INK, "width": 0.8}, hoverinfo="skip",
                      showlegend=False, name="places")


def map_years(tables: Mapping[str, pd.DataFrame]) -> list[int]:
    """The years the map (and the flow diagram) can show, in order; the first is shown first."""
    return sorted({*tables["utilization"]["year"].astype(int).tolist(), *tables["demand"]["year"].astype(int).tolist()})


def world_map(tables: Mapping[str, pd.DataFrame], placed: list[Place]) -> go.Figure:
    """The map of a plan's tables: countries, and per year (a slider) its suppliers, plants (sized by capacity),
    distribution centres and markets (sized by what they handle), and the largest lanes of every echelon along their
    courses (:func:`lane_courses`), their width the units, coloured by echelon and dashed by mode where the plan
    records one; centred where the network is, markers that would overlap set apart (:func:`map_layout`)."""
    where = {place.name: place for place in placed}
    lanes, _ = top_lanes(tier_lanes(tables))
    lanes = lanes[lanes["origin"].isin(where) & lanes["destination"].isin(where)]
    sizes, status = _node_sizes(tables), site_status(tables)
    years = map_years(tables)
    shown = {*status["site"], *sizes.loc[sizes["kind"] == "market", "node"], *lanes["origin"], *lanes["destination"]}
    many = len(shown & set(where)) > TEXT_LABELS
    pixels = marker_sizes(sizes, many)
    largest = pixels.groupby(level="node").max()
    radii = {name: float(largest.get(name, MARKER_SIZES[many][0])) / 2 for name in where if name in shown}
    layout = map_layout(where, radii, lanes)
    low, high = layout.x_range[0] - 90.0, layout.x_range[1] + 90.0  # the range and room to pan
    turns = range(math.ceil((low - 180.0) / 360.0), math.floor((high + 180.0) / 360.0) + 1)  # the globes it meets
    figure = go.Figure([_land(list(turns)), _leader_lines(layout)])
    spans = []
    for year in years:
        traces = [*_lane_traces(lanes[lanes["year"] == year], layout),
                  *_node_traces(year, sizes, pixels, status, layout)]
        spans.append((len(figure.data), len(traces)))
        figure.add_traces(traces)
    steps = []
    for year, (start, count) in zip(years, spans, strict=True):
        visible = [index < BASE_TRACES or start <= index < start + count for index in range(len(figure.data))]
        steps.append({"label": str(year), "method": "restyle", "args": [{"visible": visible}]})
    for index, trace in enumerate(figure.data):
        trace.visible = index < BASE_TRACES or (bool(spans) and spans[0][0] <= index < spans[0][0] + spans[0][1])
    figure.update_layout(
        template="none", height=600, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor=SEA,
        paper_bgcolor="white", hovermode="closest",
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "itemclick": "toggle"},
        xaxis={"range": list(layout.x_range), "visible": False, "fixedrange": False},
        yaxis={"range": list(layout.y_range), "visible": False, "scaleanchor": "x"},
        sliders=[{"active": 0, "currentvalue": {"prefix": "year "}, "steps": steps, "pad": {"t": 10}}] if steps else [],
    )
    return figure


__all__ = ["BASE_TRACES", "LANE_TIERS", "MODE_DASHES", "NODE_STYLES", "LaneTier", "MapLayout", "Place",
           "centroids", "great_circle", "label_box", "label_positions", "lane_courses",
           "map_layout", "map_years", "marker_sizes", "places",
           "sea_leg", "site_status", "spread", "tier_lanes", "top_lanes", "west_edge", "within", "world_map"]
