"""The report's map and flow diagram of a network of many tiers (issue 17, point 6): every node and echelon on the
map at its node's place, modes where the plan records them, the Sankey's links adding up to the plan's tables per
echelon and year, and a plan written before the tiers still drawn."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest
import yaml

from conftest import REPO, small_network_data
from footprint.economics.checks import CHECKS
from footprint.plan.plan import LATER_TABLES, Plan
from footprint.plan.results import MANIFEST
from footprint.plan.tables import solve
from footprint.scenario.formats.sources import Source
from footprint.scenario.formats.validation import Loaded, validate
from footprint.views.flow_diagram import ECHELON_CARRIES, echelon_links, flow_diagram, has_tiers
from footprint.views.report import plan_report
from footprint.views.world import BASE_TRACES, LANE_TIERS, MODE_DASHES, places, world_map

POWERTRAIN = REPO / "docs" / "examples" / "powertrain.yaml"


def loaded_from(data: dict[str, Any]) -> Loaded:
    return validate(Source(data, "test"), CHECKS)


@pytest.fixture(scope="module")
def powertrain() -> tuple[Loaded, Plan]:
    loaded = loaded_from(yaml.safe_load(POWERTRAIN.read_text(encoding="utf-8")))
    return loaded, solve(loaded.scenario)


def shown(figure: go.Figure) -> list[Any]:
    """The traces of the year the map shows first (the countries and the lines from places to markers aside)."""
    return [trace for trace in figure.data[BASE_TRACES:] if trace.visible]


def courses(trace: Any) -> list[tuple[str, list[tuple[float, float]]]]:
    """A lane trace's lanes as (hover text, points), each lane's points up to the gap (NaN) after them."""
    found = []
    start = 0
    for end, x in enumerate(trace.x):
        if x is None or x != x:
            if end > start:
                found.append((str(trace.hovertext[start]), list(zip(trace.x[start:end], trace.y[start:end],
                                                                    strict=True))))
            start = end + 1
    return found


def markers(figure: go.Figure) -> dict[str, list[tuple[float, float]]]:
    """Where the first year draws each node's marker (by name; a node at the far end of a lane that crosses the
    map's edge is drawn there too)."""
    found: dict[str, list[tuple[float, float]]] = {}
    for trace in shown(figure):
        if trace.mode.startswith("markers"):
            for x, y, text in zip(trace.x, trace.y, trace.hovertext, strict=True):
                found.setdefault(text.split(":")[0].split(" ", 1)[1], []).append((x, y))
    return found


def at(point: tuple[float, float], spots: list[tuple[float, float]]) -> bool:
    """Whether a lane's end is at one of a node's markers (lanes' points are written to about a metre)."""
    return any(math.isclose(point[0], x, abs_tol=1e-4) and math.isclose(point[1], y, abs_tol=1e-4) for x, y in spots)


def test_the_map_has_every_tier_with_its_nodes_and_lanes_at_their_places(powertrain: tuple[Loaded, Plan]) -> None:
    loaded, plan = powertrain
    placed, unplaced = places(loaded.scenario)
    assert unplaced == []
    where = {place.name: place for place in placed}
    figure = world_map(plan.tables, placed)
    nodes = {trace.legendgroup: trace for trace in shown(figure) if trace.mode.startswith("markers")}
    counts = {kind: len(trace.x) for kind, trace in nodes.items()}
    assert counts == {"supplier": 3, "plant": 3, "facility": 1, "market": 2}
    assert {trace.marker.symbol[0] for trace in nodes.values()} == {"triangle-up", "circle", "diamond", "square"}
    assert all(list(trace.text) == [text.split(":")[0].split(" ", 1)[1] for text in trace.hovertext]
               for trace in nodes.values())  # few nodes: each named beside its marker
    drawn = markers(figure)
    leaders = next(trace for trace in figure.data if trace.name == "places")
    ends = {(leaders.x[i + 1], leaders.y[i + 1]): (leaders.x[i], leaders.y[i]) for i in range(0, len(leaders.x), 3)}
    for name, (spot, *_) in drawn.items():  # a marker at its place, or a line from its place to it
        x, y = ends.get(spot, spot)
        assert math.isclose(y, where[name].lat, abs_tol=1e-3), name
        assert math.isclose((x - where[name].lon) % 360, 0, abs_tol=1e-3) or math.isclose(
            (x - where[name].lon) % 360, 360, abs_tol=1e-3), name
    first = min(plan.demand["year"])
    for tier in LANE_TIERS:
        traces = [trace for trace in shown(figure) if trace.legendgroup == tier.table and trace.mode == "lines"]
        legend = [trace for trace in traces if trace.showlegend]
        assert [trace.name for trace in legend] == [tier.label]  # one legend entry per echelon
        lanes = set()
        for trace in traces:
            for text, points in courses(trace):
                origin, destination = text.split(" (")[0].split(" → ")
                assert at(points[0], drawn[origin]), text  # from marker to marker
                assert at(points[-1], drawn[destination]), text
                lanes.add((origin, destination))
        table = plan.tables[tier.table]
        year = table[(table["year"] == first) & (table["units"] > 0)]
        assert lanes == set(zip(year[tier.origin], year[tier.destination], strict=True)), tier.table
        assert lanes  # the powertrain plan uses every echelon
    # nodes at one point (Busan, Ulsan and ulsan-castings at Korea's centroid) are drawn apart
    korean = [drawn[name][0] for name in ("busan", "ulsan", "ulsan-castings", "kr")]
    assert len(set(korean)) == 4


def test_a_node_that_cannot_be_placed_is_left_off_with_its_lanes(powertrain: tuple[Loaded, Plan]) -> None:
    """A supplier with its location is drawn there; one in a country the 1:110m shapes lack (Singapore), without
    a location, is named as not on the map, and so are its lanes left off."""
    data = yaml.safe_load(POWERTRAIN.read_text(encoding="utf-8"))
    data["suppliers"][0]["location"] = {"lat": 35.0, "lon": 137.0}
    data["suppliers"][2]["country"] = "SG"
    loaded = loaded_from(data)
    placed, unplaced = places(loaded.scenario)
    assert unplaced == ["supplier nagoya-cvt"]
    assert [(p.lat, p.lon, p.placed_by) for p in placed if p.name == "aichi-engines"] == [(35.0, 137.0, "location")]
    _, plan = powertrain
    figure = world_map(plan.tables, placed)
    texts = [text for trace in shown(figure) for text in (trace.hovertext or ()) if text]
    assert "nagoya-cvt" not in markers(figure)
    assert not any("nagoya-cvt" in text for text in texts)
    assert any(text.startswith("ulsan-castings → ulsan") for text in texts)
    report = plan_report(plan, loaded)
    assert "Not on the map (no location, port or country shape): supplier nagoya-cvt" in report


def test_modes_are_dashed_where_the_plan_records_them(powertrain: tuple[Loaded, Plan]) -> None:
    """With a mode column, each lane is dashed by its mode, a lane without one drawn as not known, each with a
    legend entry; without the column (a plan written before modes) every lane is drawn alike, with no mode legend."""
    loaded, plan = powertrain
    placed, _ = places(loaded.scenario)
    tables = dict(plan.tables)
    supplies = tables["supplies"]
    tables["supplies"] = supplies.assign(mode=["sea" if supplier == "nagoya-cvt" else None
                                               for supplier in supplies["supplier"]])
    tables["flows"] = tables["flows"].assign(mode="air")
    figure = world_map(tables, placed)
    lines = [trace for trace in shown(figure) if trace.mode == "lines" and trace.x[0] is not None]
    dashes = {(trace.legendgroup, trace.line.dash, text.split(" → ")[0])
              for trace in lines for text, _ in courses(trace)}
    assert ("supplies", MODE_DASHES["sea"], "nagoya-cvt") in dashes
    assert ("supplies", MODE_DASHES[""], "ulsan-castings") in dashes
    assert {dash for group, dash, _ in dashes if group == "flows"} == {MODE_DASHES["air"]}
    legend = {trace.name for trace in shown(figure) if trace.showlegend}
    assert {"by sea", "by air", "mode not known"} <= legend
    older = {name: table.drop(columns="mode", errors="ignore") for name, table in plan.tables.items()}
    plain = world_map(older, placed)
    assert not any(trace.name.startswith(("by ", "mode ")) for trace in shown(plain) if trace.showlegend)
    assert {trace.line.dash for trace in shown(plain) if trace.mode == "lines"} == {"solid"}


def test_the_flow_diagram_adds_up_to_the_plans_tables_each_year(powertrain: tuple[Loaded, Plan]) -> None:
    """Per year and echelon, the links' units are the table's, components and products each on their own; every
    link names what it carries, and a node's hover lists its units by item (never one sum of different things)."""
    _, plan = powertrain
    years = sorted(plan.demand["year"].unique())
    figure = flow_diagram(plan.tables)
    assert [trace.name for trace in figure.data] == [str(year) for year in years]
    assert [trace.visible for trace in figure.data] == [True, False, False]
    for year, trace in zip(years, figure.data, strict=True):
        links = echelon_links(plan.tables, year)
        assert list(trace.link.value) == pytest.approx(links["units"].tolist())
        assert list(trace.link.label) == links["item"].tolist()
        for echelon, carries in ECHELON_CARRIES.items():
            table = plan.tables[echelon]
            item = "component" if carries == "components" else "product"
            expected = table[table["year"] == year].groupby(item)["units"].sum()
            ours = links[links["echelon"] == echelon]
            assert set(ours["carries"]) <= {carries}
            assert ours.groupby("item")["units"].sum().to_dict() == pytest.approx(expected.to_dict()), (year, echelon)
    last = echelon_links(plan.tables, years[-1])
    assert last.groupby("carries")["units"].sum().to_dict() == pytest.approx(
        {"components": 110_000 + 110_000 + 110_000, "products": 110_000 + 30_000})  # blocks, cvts, engines; cars
    # busan assembles: its engines and CVTs come into its products' node, its cars go out
    busan = next(text for text in figure.data[-1].node.customdata if text.startswith("busan (products)"))
    assert "in: 80,000 cvt, 80,000 engine" in busan
    assert "out: 80,000 suv" in busan


def test_components_a_plant_makes_for_its_own_components_are_no_loop() -> None:
    """A plant that makes blocks for the engines it makes (no products): its blocks stay in the echelon's links (the
    plan's table adds up) and are named in its node's hover, not drawn as a loop onto itself."""
    tables = {"supplies": pd.DataFrame({"supplier": ["s"], "component": ["ore"], "plant": ["p"], "year": [1],
                                        "units": [5.0]}),
              "transfers": pd.DataFrame({"origin": ["p", "p"], "component": ["block", "engine"],
                                         "destination": ["p", "q"], "year": [1, 1], "units": [5.0, 4.0]}),
              "flows": pd.DataFrame({"plant": ["q"], "product": ["car"], "market": ["m"], "year": [1],
                                     "sourcing": ["own"], "units": [4.0]})}
    links = echelon_links(tables, 1)
    assert links.groupby("echelon")["units"].sum().to_dict() == {"supplies": 5.0, "transfers": 9.0, "flows": 4.0}
    sankey = flow_diagram(tables, [1]).data[0]
    ends = list(zip(sankey.link.source, sankey.link.target, strict=True))
    assert all(source != target for source, target in ends)
    assert list(sankey.link.value) == [5.0, 4.0, 4.0]
    assert sankey.node.customdata[sankey.node.label.index("p (components)")].endswith("made and used here: 5 block")


def test_a_plan_written_before_the_tiers_still_renders(tmp_path: Path) -> None:
    """A results folder without the tiers' tables (written before them) reads back, and its report draws the map
    as before (plants, markets and their lanes) and no flow diagram."""
    data = small_network_data()
    loaded = loaded_from(data)
    plan = solve(loaded.scenario)
    folder = plan.write(tmp_path / "plan")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    del summary[MANIFEST]  # a folder written before the manifest, the later tables and the modes
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    for name in (*LATER_TABLES, "flows"):
        for suffix in ("csv", "parquet"):
            (folder / f"{name}.{suffix}").unlink(missing_ok=True)
    plan.flows.drop(columns="mode").to_csv(folder / "flows.csv", index=False)
    older = Plan.read(folder)
    assert not has_tiers(older.tables)
    report = plan_report(older, loaded)
    assert '<section id="map"' in report
    assert 'id="flow"' not in report
    figure = world_map(older.tables, places(loaded.scenario)[0])
    groups = {trace.legendgroup for trace in shown(figure) if trace.showlegend}
    assert groups == {"plant", "market", "flows"}
    # importable for any plan: one of one tier is its plants' shipments to markets alone
    first = min(older.demand["year"])
    links = echelon_links(older.tables, first)
    assert set(links["echelon"]) == {"flows"}
    assert sum(flow_diagram(older.tables).data[0].link.value) == pytest.approx(
        older.flows.loc[older.flows["year"] == first, "units"].sum())
