"""The report's map (issue 18, point 2): sea lanes along their routes, a map centred where the network is (no lane
cut at the antimeridian), markers that would overlap set apart, one colour-blind-safe palette in every figure of
every report, and a stochastic plan's map drawing the plan (its expected flows), not one future."""

from __future__ import annotations

import base64
import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import footprint as fp
from conftest import REPO, invoke
from footprint.analysis.compare import compare
from footprint.analysis.expected import expected_plan
from footprint.economics.checks import CHECKS
from footprint.economics.freight import CACHE_ENV, _known_routes, sea_nautical_miles, sea_routes
from footprint.plan.plan import Plan
from footprint.plan.store import RunStore
from footprint.plan.tables import solve
from footprint.scenario.cases.bundled import case_path
from footprint.scenario.formats.files import read_scenario
from footprint.scenario.formats.sources import Source
from footprint.scenario.formats.validation import Loaded, validate
from footprint.views.charts import INK, OTHER_COLOUR, PALETTE
from footprint.views.report import plan_report
from footprint.views.report_sets import compare_report
from footprint.views.world import (
    BASE_TRACES,
    MARKER_GAP,
    TEXT_LABELS,
    Place,
    great_circle,
    label_box,
    map_layout,
    places,
    spread,
    west_edge,
    world_map,
)
from test_stochastic_plan import TWO_FUTURES, two_years, write_set

NAUTICAL_MILE_KM = 1.852


def sea_miles(points: list[tuple[float, float]]) -> float:
    """The length of a course of (lon, lat) points, great circle from point to point, in nautical miles."""
    lon, lat = np.radians(np.asarray(points, dtype=float)).T
    h = np.sin(np.diff(lat) / 2) ** 2 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2
    return float((2 * 6371.0088 * np.arcsin(np.sqrt(h))).sum() / NAUTICAL_MILE_KM)


def figures(html: str) -> list[dict[str, Any]]:
    """Every figure a report draws, as plotly wrote it into the page: {"data": traces, "layout": layout}."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", html):
        data, end = decoder.raw_decode(html, match.end())
        layout, _ = decoder.raw_decode(html, end + html[end:].index("{"))
        found.append({"data": data, "layout": layout})
    return found


def values(array: Any) -> list[float | None]:
    """An array as plotly writes it into a page (a list, or typed binary: {"dtype", "bdata"}), gaps (NaN) None."""
    if isinstance(array, dict):
        array = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return [None if value is None or value != value else value for value in array]


def lanes_drawn(figure: dict[str, Any], visible: list[bool] | None = None) -> list[tuple[str, list[Any]]]:
    """The lanes of a map (those of one year with ``visible``: its slider step's), as (hover text, points)."""
    found = []
    for index, trace in enumerate(figure["data"]):
        if trace.get("mode") != "lines" or index < BASE_TRACES or (visible is not None and not visible[index]):
            continue
        xs, ys = values(trace["x"]), values(trace["y"])
        start = 0
        for end, x in enumerate([*xs, None]):
            if x is None:
                if end > start:
                    found.append((trace["hovertext"][start], list(zip(xs[start:end], ys[start:end], strict=True))))
                start = end + 1
    return found


@pytest.fixture(scope="module")
def rogue() -> tuple[Loaded, Plan]:
    loaded = read_scenario(case_path("rogue-2012"), CHECKS)
    return loaded, solve(loaded.scenario)


# --- sea routes and the map's centre ---------------------------------------------------------------------------------


def test_a_sea_lane_is_drawn_along_its_route_across_the_pacific(rogue: tuple[Loaded, Plan]) -> None:
    """rogue-2012's Kyushu plant ships to the US by sea, Kanda to Long Beach: the lane runs from the plant to Kanda,
    along searoute's route to Long Beach (its length within 1% of the sea distance the freight is computed from),
    then to the US market, east across the Pacific in one continuous line."""
    loaded, plan = rogue
    first = plan.flows[plan.flows["year"] == plan.flows["year"].min()]
    assert first.set_index(["plant", "market"]).loc[("kyushu", "us"), "mode"] == "sea"
    figure = json.loads(world_map(plan.tables, places(loaded.scenario)[0]).to_json())
    (points,) = [points for text, points in lanes_drawn(figure, [trace.get("visible", True) is True
                                                                for trace in figure["data"]])
                 if text.startswith("kyushu → us ")]
    kanda, long_beach = (130.99, 33.79), (-118.21, 33.75)
    assert points[1] == pytest.approx(kanda)
    assert points[-2][1] == pytest.approx(long_beach[1])
    assert points[-2][0] == pytest.approx(long_beach[0] + 360.0)  # east of Kanda, across the Pacific
    steps = np.abs(np.diff([x for x, _ in points]))
    assert steps.max() < 30  # continuous: no jump across the map's edge
    assert len(points) > 6  # the route's course, not a straight line
    assert sea_miles(points[1:-1]) == pytest.approx(sea_nautical_miles(kanda, long_beach), rel=0.01)
    x_range = figure["layout"]["xaxis"]["range"]
    assert x_range[0] < min(x for x, _ in points)
    assert max(x for x, _ in points) < x_range[1]
    assert x_range[1] - x_range[0] < 360


@pytest.mark.parametrize(("origin", "destination"), [((4.48, 51.92), (121.5, 31.2)),  # Rotterdam, Shanghai
                                                     ((129.04, 35.08), (-123.1, 49.29)),  # Busan, Vancouver
                                                     ((-74.0, 40.6), (4.48, 51.92))])  # New York, Rotterdam
def test_a_routes_course_runs_from_port_to_port_as_long_as_the_sea_distance(
        origin: tuple[float, float], destination: tuple[float, float]) -> None:
    course = sea_routes([(origin, destination)])[(origin, destination)]
    assert course[0] == origin
    assert course[-1][1] == destination[1]
    assert (course[-1][0] - destination[0]) % 360 == pytest.approx(0)
    assert max(abs(b[0] - a[0]) for a, b in itertools.pairwise(course)) < 180
    assert sea_miles(course) == pytest.approx(sea_nautical_miles(origin, destination), rel=0.01)
    assert len(course) <= 60  # simplified: the report stays small


def test_routes_are_cached_on_disk_and_read_back_without_searoute(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    _known_routes.cache_clear()
    pair = ((129.04, 35.08), (4.48, 51.92))
    routed = sea_routes([pair])[pair]
    (cached,) = tmp_path.glob("sea-routes-searoute-*.json")
    assert len(json.loads(cached.read_text(encoding="utf-8"))["129.04,35.08;4.48,51.92"]) == len(routed)
    _known_routes.cache_clear()
    monkeypatch.setitem(sys.modules, "searoute", None)  # importing searoute now fails: the cache must answer
    assert sea_routes([pair])[pair] == routed
    cached.write_text("[1, 2", encoding="utf-8")  # a broken cache is only a cache
    _known_routes.cache_clear()
    monkeypatch.delitem(sys.modules, "searoute")
    assert sea_routes([pair])[pair] == routed
    _known_routes.cache_clear()


def test_the_map_is_centred_where_the_network_is() -> None:
    """The map's western edge is where no lane and no node is: in the Atlantic for a Pacific network, in the
    Pacific for a European one; with lanes all round the globe, where the fewest cross."""
    japan, california = (139.7, 35.7), (-118.2, 34.0)
    pacific = great_circle(japan, california)
    west = west_edge(np.array([japan[0], california[0]]), [pacific])
    assert -118.2 < west < 139.7  # not in the Pacific
    assert not pacific[:, 0].min() <= west % 360 <= pacific[:, 0].max()
    europe = [(2.3, 48.9), (13.4, 52.5), (-3.7, 40.4), (21.0, 52.2)]
    west = west_edge(np.array([lon for lon, _ in europe]), [great_circle(a, b) for a, b in itertools.pairwise(europe)])
    assert abs((west - 8.0 + 180.0) % 360.0 - 180.0) > 150  # opposite Europe, give or take
    world = [(0.0, 0.0), (90.0, 0.0), (180.0, 0.0), (-90.0, 0.0)]
    round_the_world = [great_circle(a, b) for a, b in itertools.pairwise([*world, world[0]])]
    west = west_edge(np.array([lon for lon, _ in world]), round_the_world)
    cover = [sum(course[:, 0].min() <= lon + turn <= course[:, 0].max() for course in round_the_world
                 for turn in (-360, 0, 360)) for lon in (west, west + 1)]
    assert max(cover) == 1  # each quarter covered once: the edge crosses one lane


def test_a_lane_round_the_edge_ends_at_a_copy_of_its_marker() -> None:
    """Lanes all round the equator: some lane crosses the edge, and it is drawn whole, continuous, to a copy of its
    destination's marker a turn away; every lane starts and ends at a marker."""
    where = {name: Place("market", name, 0.0, lon, "location") for name, lon in
             (("a", 0.0), ("b", 90.0), ("c", 180.0), ("d", -90.0))}
    lanes = pd.DataFrame({"origin": ["a", "b", "c", "d"], "destination": ["b", "c", "d", "a"], "mode": "air"})
    layout = map_layout(where, dict.fromkeys(where, 5.0), lanes)
    copies = 0
    for (origin, destination, _), course in layout.courses.items():
        assert np.abs(np.diff(course[:, 0])).max() < 180  # continuous
        assert abs(course[-1, 0] - course[0, 0]) == pytest.approx(90, abs=1)  # a quarter of the way round, drawn so
        assert tuple(course[0]) == layout.markers[origin][0]
        assert tuple(course[-1]) in layout.markers[destination]
        copies += tuple(course[-1]) != layout.markers[destination][0]
    assert copies == 1


# --- markers set apart ------------------------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.floats(0, 40), st.floats(0, 40), st.floats(4, 19)), min_size=2, max_size=25))
def test_spread_leaves_no_two_markers_overlapping(discs: list[tuple[float, float, float]]) -> None:
    points = np.array([(x, y) for x, y, _ in discs])
    radii = np.array([r for _, _, r in discs])
    moved = spread(points, radii)
    for i, j in itertools.combinations(range(len(discs)), 2):
        assert np.hypot(*(moved[i] - moved[j])) >= radii[i] + radii[j] + MARKER_GAP - 0.5
    alone = [i for i in range(len(discs)) if all(np.hypot(*(points[i] - points[j])) > radii[i] + radii[j]
                                                 + MARKER_GAP + 200 for j in range(len(discs)) if j != i)]
    assert all(np.allclose(moved[i], points[i], atol=0.01) for i in alone)  # a lone marker stays


def test_european_markets_and_plants_in_one_city_are_set_apart() -> None:
    """Markets at the centroids of seven neighbouring countries and two plants in one city, each marker 20 pixels
    across: on the map they are apart (at its scale), each a line from its place to it."""
    countries = {"FR": (46.6, 2.4), "DE": (51.1, 10.4), "BE": (50.6, 4.6), "NL": (52.2, 5.6), "LU": (49.8, 6.1),
                 "CH": (46.8, 8.2), "AT": (47.6, 14.1)}
    where = {code: Place("market", code, lat, lon, "country") for code, (lat, lon) in countries.items()}
    where |= {name: Place("plant", name, 48.78, 9.18, "location") for name in ("stuttgart-1", "stuttgart-2")}
    where["shanghai"] = Place("plant", "shanghai", 31.2, 121.5, "location")
    lanes = pd.DataFrame({"origin": ["shanghai", "stuttgart-1"], "destination": ["FR", "NL"], "mode": "sea"})
    radii = dict.fromkeys(where, 10.0)
    layout = map_layout(where, radii, lanes)
    spots = {name: np.array(layout.markers[name][0]) * layout.scale for name in where}
    for a, b in itertools.combinations(where, 2):
        assert np.hypot(*(spots[a] - spots[b])) >= radii[a] + radii[b] + MARKER_GAP - 0.5, (a, b)
    lines = {end: start for start, end in layout.leaders}
    for name, place in where.items():  # each marker at its place, or a line from its place to it
        assert lines.get(layout.markers[name][0], layout.markers[name][0]) == pytest.approx((place.lon, place.lat),
                                                                                            abs=1e-3), name
    assert len(layout.leaders) >= 7
    assert layout.markers["shanghai"][0] == (121.5, 31.2)  # far from the others: left where it is
    boxes = {name: label_box(name, spots[name], radii[name], layout.labels[name]) for name in where}
    for a, b in itertools.combinations(where, 2):  # each name readable: clear of the other names
        assert min(boxes[a][2], boxes[b][2]) <= max(boxes[a][0], boxes[b][0]) or min(
            boxes[a][3], boxes[b][3]) <= max(boxes[a][1], boxes[b][1]), (a, b)


def test_many_markers_on_one_spot_fan_out_round_it_unnamed() -> None:
    """Above TEXT_LABELS nodes (a large plan's markets), markers on one spot fan out by at most their radius (no
    cluster is blown up across the map: zooming in tells them apart), with no lines to their place and their names
    on hover only."""
    where = {f"m{i}": Place("market", f"m{i}", 40.0, -100.0, "country") for i in range(TEXT_LABELS + 10)}
    where["far"] = Place("market", "far", 35.0, 139.0, "location")
    layout = map_layout(where, dict.fromkeys(where, 6.0), pd.DataFrame({"origin": [], "destination": [], "mode": []}))
    spots = np.array([layout.markers[name][0] for name in where if name != "far"])
    moved = np.hypot((spots[:, 0] + 100.0 + 180.0) % 360.0 - 180.0, spots[:, 1] - 40.0) * layout.scale
    assert moved.max() <= 6.0 + 0.01  # (positions are written to a thousandth of a degree)
    assert len({tuple(spot) for spot in spots}) == len(spots)  # apart, if close
    assert layout.leaders == []
    assert layout.labels == {}


# --- one palette ------------------------------------------------------------------------------------------------------

SERIES_COLOURS = {*PALETTE, OTHER_COLOUR}


def _hex(colour: str) -> str:
    """A CSS colour (#rrggbb, or rgb/rgba) as #RRGGBB, its opacity left out."""
    if colour.startswith("#"):
        return colour.upper()
    red, green, blue = (int(float(part)) for part in re.findall(r"[\d.]+", colour)[:3])
    return f"#{red:02X}{green:02X}{blue:02X}"


def series_colours(figure: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Each series of a figure and its colour: a bar's or line's or marker's legend group (or name), a waterfall's
    rises, falls and totals, a timeline's kinds of event (its markers' colours), a Sankey's echelons of links and
    kinds of node (each its colour). The map's countries, the lines from its places to markers and the keys of
    its line dashes (transport modes, in INK) are no series; a heatmap's scale is a measure, not a series."""
    found: dict[tuple[str, str], set[str]] = {}

    def add(key: tuple[str, str], colour: Any) -> None:
        found.setdefault(key, set()).add(_hex(str(colour)))

    for trace in figure["data"]:
        kind, name = trace.get("type", "scatter"), str(trace.get("legendgroup") or trace.get("name"))
        if kind == "bar":
            add(("bar", name), trace["marker"]["color"])
        elif kind == "waterfall":
            for part in ("increasing", "decreasing", "totals"):
                add((kind, part), trace[part]["marker"]["color"])
        elif kind == "sankey":
            for colour in set(trace["link"]["color"]):
                add(("link", _hex(colour)), colour)
            for colour in set(trace["node"]["color"]):
                add(("node", _hex(colour)), colour)
        elif kind == "scatter" and name not in ("countries", "places") and not name.startswith("mode "):
            colour = trace.get("line", {}).get("color") if "lines" in trace.get("mode", "") else None
            marker = trace.get("marker", {}).get("color")
            if isinstance(marker, list):
                for each in set(marker):
                    add(("event", _hex(each)), each)
            elif marker is not None and trace.get("mode", "").startswith("markers"):
                add(("scatter", name), marker)
            elif colour is not None:
                add(("scatter", name), colour)
        elif kind == "scatter" and name.startswith("mode "):
            assert _hex(trace["line"]["color"]) == INK
    assert all(len(colours) == 1 for colours in found.values()), found  # a series is one colour, in every year
    return {key: colours.pop() for key, colours in found.items()}


def check_palette(html: str) -> int:
    """Every figure of a report: its series in the palette's colours, no two series in one colour; the figures
    checked, counted."""
    drawn = figures(html)
    for figure in drawn:
        colours = series_colours(figure)
        title = (figure["layout"].get("title") or {}).get("text", "")
        assert set(colours.values()) <= SERIES_COLOURS, (title, colours)
        assert len(set(colours.values())) == len(colours), (title, colours)
    return len(drawn)


@pytest.fixture(scope="module")
def powertrain() -> tuple[Loaded, Plan]:
    data = yaml.safe_load((REPO / "docs" / "examples" / "powertrain.yaml").read_text(encoding="utf-8"))
    loaded = validate(Source(data, "powertrain.yaml"), CHECKS)
    return loaded, solve(loaded.scenario)


def test_every_figure_of_a_plans_report_takes_the_palettes_colours(powertrain: tuple[Loaded, Plan],
                                                                   rogue: tuple[Loaded, Plan]) -> None:
    """The powertrain's report (every tier: the map's echelons and kinds of node, the flow diagram, the charts)
    and rogue-2012's: each series in a colour of the palette, none two alike; a comparison's too."""
    html = plan_report(*reversed(powertrain))
    assert check_palette(html) >= 8
    map_colours = series_colours(figures(html)[0])
    assert len(map_colours) == 9  # five echelons and four kinds of node, each its own colour
    assert check_palette(plan_report(*reversed(rogue))) >= 8
    assert check_palette(compare_report(compare(rogue[1], powertrain[1]))) >= 1


def test_a_palette_colour_is_never_a_near_twin() -> None:
    """No two colours of the palette (nor the pale grey of OTHER) within 15 of each other in CIELAB, with normal
    vision or any colour blindness simulated (issue 18: near-identical colours)."""
    from test_report import MACHADO, _lab

    for a, b in itertools.combinations(sorted(SERIES_COLOURS), 2):
        for vision in MACHADO:
            assert np.linalg.norm(_lab(a, vision) - _lab(b, vision)) >= 15, (a, b, vision)


# --- a stochastic plan's map ------------------------------------------------------------------------------------------


def test_a_stochastic_plans_map_draws_its_expected_flows(tmp_path: Path) -> None:
    """Two futures that part in 2021 (line x cheap in one, dear in the other): the map of the stochastic plan's
    report draws, in every year, the plan's expected flows (each future's weighted by its probability), not the
    first future's; and its every figure takes the palette's colours."""
    store = str(tmp_path / "runs.sqlite")
    stored = fp.stochastic(write_set(tmp_path, two_years(), TWO_FUTURES, revise_from=2021), store=store, mip_gap=0.0)
    made = invoke("report", str(stored.run), "--store", store, "-o", str(tmp_path / "stochastic.html"))
    assert made.exit_code == 0, made.output
    html = (tmp_path / "stochastic.html").read_text(encoding="utf-8")
    check_palette(html)
    with RunStore(store) as opened:
        expected = expected_plan(opened.plan(stored.run)).flows
    first = stored.plan.future(next(iter(stored.plan.probabilities))).flows
    (figure,) = [figure for figure in figures(html) if any(trace.get("name") == "countries"
                                                           for trace in figure["data"])]
    drawn = {}
    for step in figure["layout"]["sliders"][0]["steps"]:
        for text, _ in lanes_drawn(figure, step["args"][0]["visible"]):
            lane, carries = text.split(": ")
            units = float(carries.split(" ")[0].replace(",", ""))
            drawn[(*lane.split(" (")[0].split(" → "), int(step["label"]))] = units
    wanted = expected[expected["units"] > 0].groupby(["plant", "market", "year"])["units"].sum()
    assert drawn == pytest.approx({(p, m, int(y)): units for (p, m, y), units in wanted.items()}, abs=0.5)
    ours = first[first["units"] > 0].groupby(["plant", "market", "year"])["units"].sum()
    assert drawn != pytest.approx({(p, m, int(y)): units for (p, m, y), units in ours.items()}, abs=0.5)
    assert "Map (the plan: decisions in every future, expected flows)" in html
