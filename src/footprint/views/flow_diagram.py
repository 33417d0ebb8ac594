"""The flow diagram by echelon: a plotly Sankey of one year's units, suppliers -> plants (components) -> plants
(products) -> distribution centres -> markets, one diagram per year behind a slider (as the map's).

A unit of a component and a unit of a product are not the same thing: every link carries one component or one
product and says which, in units of it, and a node's hover lists what comes in and goes out by item, never one sum
of different things.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from footprint.views.charts import translucent
from footprint.views.world import LANE_TIERS, NODE_STYLES, map_years

COMPONENTS, PRODUCTS = "components", "products"
"""The two columns of a plant: as the maker of components, and as the maker (assembler) of products."""
ECHELON_CARRIES = {"supplies": COMPONENTS, "transfers": COMPONENTS, "inbound": PRODUCTS, "deliveries": PRODUCTS,
                   "flows": PRODUCTS}
"""What each echelon's links carry."""
ECHELON_ENDS = {"supplies": ("supplier", "plant"), "transfers": ("plant", "plant"), "inbound": ("plant", "facility"),
                "deliveries": ("facility", "market"), "flows": ("plant", "market")}
"""The kinds of node at each end of an echelon's links: a node takes its kind's colour on the map."""
LINK_OPACITY = 0.5
TIER_TABLES = ("supplies", "transfers", "inbound", "deliveries", "sites")
"""The tables of the tiers beyond plants and markets: a plan with rows in any has tiers."""


def has_tiers(tables: Mapping[str, pd.DataFrame]) -> bool:
    """Whether a plan's tables have any of the tiers beyond plants and markets (a plan written before them has
    none)."""
    return any(name in tables and len(tables[name]) for name in TIER_TABLES)


def _node(kind: str, name: str) -> str:
    return f"{name} ({kind})" if kind in (COMPONENTS, PRODUCTS) else name


def echelon_links(tables: Mapping[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """The links of the year's flow diagram: source and target nodes, the echelon (the plan's table), what the link
    carries (a component or a product; ``carries``: components or products) and its units.

    A plant is two nodes: what it makes of components (the origin of its transfers) and what it makes of products
    (the origin of its shipments). What a plant takes in (purchases, components moved to it) goes to its products'
    node when it makes products that year, else to its components' node.
    """
    frames = {}
    for tier in LANE_TIERS:
        table = tables.get(tier.table)
        if table is None or table.empty:
            continue
        rows = table[(table["year"].astype(int) == year) & (table["units"] > 0)]
        frames[tier.table] = (tier, rows)
    assemblers = {str(plant) for name in ("inbound", "flows") if name in frames for plant in frames[name][1]["plant"]}

    def plant_in(plant: str) -> str:
        return _node(PRODUCTS if plant in assemblers else COMPONENTS, plant)

    ends = {"supplies": (lambda r: str(r), plant_in), "transfers": (lambda r: _node(COMPONENTS, r), plant_in),
            "inbound": (lambda r: _node(PRODUCTS, r), lambda r: str(r)),
            "deliveries": (lambda r: str(r), lambda r: str(r)),
            "flows": (lambda r: _node(PRODUCTS, r), lambda r: str(r))}
    parts = []
    for name, (tier, rows) in frames.items():
        source, target = ends[name]
        parts.append(pd.DataFrame({
            "source": [source(str(value)) for value in rows[tier.origin]],
            "target": [target(str(value)) for value in rows[tier.destination]],
            "echelon": name, "item": rows[tier.item].astype(str).to_numpy(), "carries": ECHELON_CARRIES[name],
            "units": rows["units"].astype(float).to_numpy()}))
    if not parts:
        return pd.DataFrame({"source": [], "target": [], "echelon": [], "item": [], "carries": [],
                             "units": pd.Series(dtype=float)})
    links = pd.concat(parts, ignore_index=True)
    return links.groupby(["source", "target", "echelon", "item", "carries"], as_index=False, sort=False)["units"].sum()


def _by_item(links: pd.DataFrame) -> str:
    summed = links.groupby("item", sort=True)["units"].sum()
    return ", ".join(f"{units:,.0f} {item}" for item, units in summed.items()) or "none"


def _sankey(links: pd.DataFrame, year: int) -> go.Sankey:
    """One year's diagram: links coloured by echelon and nodes by kind (the map's colours), each link labelled with
    what it carries. A component a plant makes and uses for its own components (a loop from its node to itself) is
    in its node's hover, not drawn as a loop."""
    own = links["source"] == links["target"]
    kept = links[~own]
    nodes = list(dict.fromkeys([*links["source"], *links["target"]]))
    index = {node: i for i, node in enumerate(nodes)}
    colours = {tier.table: translucent(tier.colour, LINK_OPACITY) for tier in LANE_TIERS}
    kinds = {}
    for row in links.itertuples():
        kinds[row.source], kinds[row.target] = ECHELON_ENDS[row.echelon]
    hovers = [f"{node}<br>in: {_by_item(kept[kept['target'] == node])}<br>"
              f"out: {_by_item(kept[kept['source'] == node])}"
              + (f"<br>made and used here: {_by_item(links[own & (links['source'] == node)])}"
                 if (own & (links["source"] == node)).any() else "") for node in nodes]
    links = kept
    return go.Sankey(
        name=str(year), arrangement="snap", valueformat=",.0f",
        node={"label": nodes, "pad": 14, "thickness": 14, "customdata": hovers,
              "color": [NODE_STYLES[kinds[node]].colour for node in nodes],
              "hovertemplate": "%{customdata}<extra></extra>"},
        link={"source": [index[node] for node in links["source"]], "target": [index[node] for node in links["target"]],
              "value": links["units"].tolist(), "label": links["item"].tolist(),
              "color": [colours[echelon] for echelon in links["echelon"]],
              "customdata": [f"{row.source} → {row.target}: {row.units:,.0f} {row.item} ({row.carries})"
                             for row in links.itertuples()],
              "hovertemplate": "%{customdata}<extra></extra>"})


def flow_diagram(tables: Mapping[str, pd.DataFrame], years: Sequence[int] | None = None) -> go.Figure:
    """The flow diagram of a plan's tables: one Sankey per year of ``years`` (default: the map's years), the first
    shown first as the map shows it, the others behind a slider."""
    shown = list(years) if years is not None else map_years(tables)
    figure = go.Figure([_sankey(echelon_links(tables, year), year) for year in shown])
    for position, trace in enumerate(figure.data):
        trace.visible = position == 0
    steps = [{"label": str(year), "method": "restyle",
              "args": [{"visible": [other == position for other in range(len(shown))]}]}
             for position, year in enumerate(shown)]
    figure.update_layout(
        template="none", height=520, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"family": "system-ui, sans-serif", "size": 12},
        title={"text": "Units by echelon: suppliers → plants (components) → plants (products) → distribution "
                       "centres → markets", "x": 0, "font": {"size": 15}},
        sliders=[{"active": 0, "currentvalue": {"prefix": "year "}, "steps": steps, "pad": {"t": 10}}]
        if len(steps) > 1 else [])
    return figure


__all__ = ["COMPONENTS", "ECHELON_CARRIES", "ECHELON_ENDS", "PRODUCTS", "TIER_TABLES", "echelon_links", "flow_diagram",
           "has_tiers"]
