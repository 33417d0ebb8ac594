"""The HTML report of a plan: one self-contained file (plotly.js and the world's shapes inline) that works
offline. ``plan_report`` draws a Plan (and, when its scenario is known, the map, the inputs and the choices of
explain); report_sets.py draws sweeps, stochastic plans and comparisons with the same page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from footprint.analysis.explain import LANDED_COMPONENTS, Explanation
from footprint.analysis.inputs import input_figures
from footprint.plan.plan import Plan
from footprint.scenario.formats.validation import Loaded
from footprint.views import charts
from footprint.views.charts import units
from footprint.views.console import TIER_VIEWS
from footprint.views.figures import cost_bars
from footprint.views.flow_diagram import flow_diagram, has_tiers
from footprint.views.labels import COMPONENT_GROUPS, component_group, component_label, money, per_unit
from footprint.views.page import Page, Section, Table, drawn
from footprint.views.world import LANE_TIERS, TOP_LANES, places, site_status, tier_lanes, top_lanes, world_map

WATERFALLS = 6
"""Lanes whose landed cost is drawn, the largest by units."""


def plan_facts(plan: Plan) -> list[tuple[str, str]]:
    """The key figures of a plan, as (name, text)."""
    currency = str(plan.summary["currency"])
    sense = "NPV profit" if plan.summary.get("objective_sense") == "maximize_profit" else "NPV cost"
    horizon = plan.summary.get("horizon") or [None, None]
    lost = float(plan.demand["lost"].sum())
    facts = [("scenario", str(plan.summary.get("scenario", ""))), ("status", plan.status),
             (sense, money(plan.objective, currency)), ("horizon", f"{horizon[0]}-{horizon[1]}"),
             ("units supplied", units(plan.demand["served"].sum())), ("lost sales", units(lost) + " units"),
             ("capacity built", _builds_text(plan.builds))]
    if plan.summary.get("message") and plan.status != "optimal":
        facts.append(("note", str(plan.summary["message"])))
    return facts


def _builds_text(builds: pd.DataFrame) -> str:
    """``10 builds of 4 options``: every build counted (an option built twice in a year, or in several years,
    counts each time), as `run` prints them."""
    count, options = int(builds["count"].sum()), builds["option"].nunique()
    if not count:
        return "none"
    return f"{count:,} build{'s' if count != 1 else ''} of {options:,} option{'s' if options != 1 else ''}"


DECISION_COLUMNS = ("year", "decision", "what", "where", "detail")
"""The columns of the table of what a plan builds, opens and closes."""


def decision_rows(plan: Plan, loaded: Loaded | None = None) -> list[list[str]]:
    """What a plan builds, opens and closes, by year: the capacity it builds (option, at plant and pool, with the
    capacity it adds and its capex), the plants it opens and closes, and the suppliers and facilities of a
    multi-tier network it opens and closes; where, the site's country when the scenario is known."""
    currency = str(plan.summary["currency"])
    countries = {} if loaded is None else {entity.id: str(entity.country) for group in (
        loaded.scenario.plants, loaded.scenario.suppliers, loaded.scenario.facilities) for entity in group}

    def where(site: str) -> str:
        return f"{site} ({countries[site]})" if site in countries else site

    rows = [(int(row.year), 0, ["build", str(row.option), where(str(row.plant)),
                                f"+{units(row.added_capacity * row.count)} a year on {row.pool}"
                                + (f" ({row.count} builds)" if row.count > 1 else "")
                                + f", capex {money(float(row.capex), currency)}"]) for row in plan.builds.itertuples()]
    status = site_status(plan.tables)
    for order, (flag, verb) in enumerate((("opened", "open"), ("closed", "close")), start=1):
        for row in status[status[flag]].itertuples():
            rows.append((int(row.year), order, [f"{verb} {row.kind}", str(row.site), where(str(row.site)), ""]))
    rows.sort(key=lambda row: (row[0], row[1], row[2][1]))
    return [[str(year), *cells] for year, _, cells in rows]


def npv_rows(plan: Plan) -> list[list[str]]:
    """What the NPV is made of: each family of cost components (revenue negative) with its NPV and its share of
    the costs, and their total."""
    currency = str(plan.summary["currency"])
    npv = plan.costs.groupby(plan.costs["component"].map(component_group), sort=False)["discounted"].sum()
    npv = npv[npv.abs() > 0.005]
    order = {family: i for i, family in enumerate(COMPONENT_GROUPS)}
    costs = float(npv[npv > 0].sum()) or 1.0
    rows = [[str(family), money(value, currency), f"{value / costs:.1%}" if value > 0 else "-"]
            for family, value in sorted(npv.items(), key=lambda item: order.get(str(item[0]), len(order)))]
    return [*rows, ["total", money(float(npv.sum()), currency), ""]]


def decision_section(plan: Plan, loaded: Loaded | None) -> Section:
    """The report's first screen below its key figures: what the plan builds, opens and closes, where and when,
    and what its NPV is made of."""
    section = Section("decision", "The decision", brief=True)
    rows = decision_rows(plan, loaded)
    if rows:
        section.tables.append(Table("What to build, open and close", DECISION_COLUMNS, rows, open=True))
    else:
        section.notes.append("The plan builds no capacity and opens or closes no plant, supplier or facility: "
                             "what it decides is where each product is made and sent (below).")
    profit = plan.summary.get("objective_sense") == "maximize_profit"
    section.tables.append(Table("What the NPV is made of", ["family", "NPV", "share of costs"], npv_rows(plan),
                                "Discounted to the first year; revenue negative, so that the total is the NPV "
                                "profit's opposite." if profit else "Discounted to the first year; the total is "
                                "the NPV cost.", open=True))
    return section


UNPLACED = ("The scenario of this plan is not known (a results folder keeps only the plan's tables): its sites and "
            "markets cannot be placed. Give it with --scenario to draw the map.")
"""The map's note where the report is made without the plan's scenario."""


def map_section(plan: Plan, loaded: Loaded | None, unplaced: str = UNPLACED) -> Section:
    """Every node (suppliers, plants, distribution centres, markets) and the largest lanes of every echelon on the
    world map, by year; without the plan's scenario, the note ``unplaced`` instead."""
    section = Section("map", "Map", brief=True)
    if loaded is None:
        section.notes.append(unplaced)
        return section
    placed, unplaced = places(loaded.scenario)
    section.figures.append(drawn("map", world_map(plan.tables, placed)))
    section.notes.extend(map_notes(plan.tables, unplaced))
    return section


def map_notes(tables: Mapping[str, pd.DataFrame], unplaced: Sequence[str]) -> list[str]:
    """What the map draws, what it leaves out, and the nodes it cannot place."""
    tiers = has_tiers(tables)
    notes = [("Plants (circles) sized by capacity (hover one for its use); markets (squares) sized by demand"
              + ("; suppliers (triangles) sized by units sold; distribution centres (diamonds) by units handled; "
                 "a hollow marker is a site not open that year" if tiers else "")
              + ". Lines are lanes, their width the units they carry (" + ("coloured by echelon, components and "
                                                                          "products each in their own units"
                                                                          if tiers else "products summed")
              + "): a lane by sea between two ports follows its sea route, with the road legs to and from the "
                "ports; any other is drawn as a great circle. Placed by location, else port, else the country's "
                "centroid; markers that would overlap are set apart, a thin line to their place. Move the slider "
                "for another year.")]
    lanes = tier_lanes(tables)
    if tiers and "mode" in set().union(*(tables[tier.table].columns for tier in LANE_TIERS if tier.table in tables)):
        notes.append("Dashes show each lane's transport mode; a lane the plan records no mode for is solid.")
    _, left_out = top_lanes(lanes)
    if left_out.sum():
        notes.append(f"The {TOP_LANES} largest lanes of each year and echelon are drawn; {int(left_out.max()):,} "
                     "smaller ones in a year at most are left out.")
    if unplaced:
        notes.append("Not on the map (no location, port or country shape): " + ", ".join(unplaced))
    return notes


def flow_section(plan: Plan) -> Section:
    """The flow diagram by echelon, for a plan with tiers beyond plants and markets."""
    section = Section("flow", "Flows by echelon")
    if not has_tiers(plan.tables):
        return section
    section.figures.append(drawn("flows", flow_diagram(plan.tables)))
    section.notes.append(FLOW_NOTE)
    return section


FLOW_NOTE = ("Each link carries one component or one product, in units of it (hover a link or a node to read what): "
             "widths of components and of products are not one measure. A plant is two nodes, the components it makes "
             "and the products it makes; what it takes in goes to its products when it makes any. Move the slider "
             "for another year.")


def capacity_section(plan: Plan) -> Section:
    """Utilization, production by plant, and the timeline of builds and plant decisions."""
    section = Section("capacity", "Capacity and production")
    if len(plan.utilization):
        section.figures.append(drawn("utilization", charts.utilization_heatmap(plan.utilization)))
    if len(plan.production):
        section.figures.append(drawn("production", charts.stacked_bars(plan.production, "plant", "units",
                                                                       "Production by plant", "units")))
    plants = plan.tables["plants"]
    if len(plan.builds) or plants["opened"].any() or plants["closed"].any():
        years = sorted(plan.utilization["year"].unique().tolist()) or [int(plan.summary["horizon"][0])]
        section.figures.append(drawn("timeline", charts.timeline(plan.builds, plants, years)))
    else:
        section.notes.append("The plan builds no capacity and opens or closes no plant.")
    return section


def _currencies(exposure: pd.DataFrame, plant: str, market: str, year: int) -> dict[str, str]:
    rows = exposure[(exposure["plant"] == plant) & (exposure["market"] == market) & (exposure["year"] == year)]
    return {str(row.component): str(row.currency) for row in rows.itertuples()
            if row.component in ("production_local", "production_imported")}


def _explained(explained: dict[tuple[str, str], Explanation], lane: pd.Series) -> list[tuple[str, float]]:
    """What explain adds to a lane's landed cost: its parts (components bought or made for a unit, which the Plan's
    landed cost leaves out) and the value of the capacity a unit uses; none where the lane is not explained."""
    found = explained.get((lane["market"], lane["product"]))
    if found is None:
        return []
    landed = found.landed
    rows = landed[(landed["plant"] == lane["plant"]) & (landed["year"] == lane["year"])
                  & (landed["sourcing_option"] == lane["sourcing"]) & landed["via"].isna()]  # the lane direct
    if not len(rows):
        return []
    values = {name: float(rows[name].iloc[0]) for name in ("parts", "capacity")}
    return [(component_label(name), value) for name, value in values.items() if abs(value) > 0.005]


def landed_section(plan: Plan, explanations: Sequence[Explanation]) -> Section:
    """The landed cost of the largest lanes as waterfalls, and the choices of explain per market and product."""
    currency = str(plan.summary["currency"])
    section = Section("landed", "Landed cost", tiled=True)
    explained = {(e.market, e.product): e for e in explanations}
    totals = plan.flows.groupby(["plant", "product", "market", "sourcing"], as_index=False, observed=True).agg(
        units=("units", "sum"), year=("year", "max")).sort_values("units", ascending=False, kind="stable")
    keys = ["plant", "product", "market", "year", "sourcing"]
    drawn_lanes = totals.head(WATERFALLS)
    landed, exposure = (table[table["plant"].isin(drawn_lanes["plant"]) & table["market"].isin(drawn_lanes["market"])]
                        for table in (plan.landed_cost, plan.tables["exposure"]))  # the drawn lanes' rows, at once
    for lane in drawn_lanes.to_dict(orient="records"):
        rows = landed.merge(pd.DataFrame([lane])[keys], on=keys)
        parts = charts.lane_parts(rows, _currencies(exposure, lane["plant"], lane["market"], lane["year"]))
        parts += _explained(explained, pd.Series(lane))
        own = "" if lane["sourcing"] == "own" else f" ({lane['sourcing']})"
        section.figures.append(drawn(f"landed {lane['product']} {lane['plant']} {lane['market']}", charts.waterfall(
            parts, f"{lane['product']} from {lane['plant']}{own} to {lane['market']}, {lane['year']}", currency)))
    section.notes.append(f"Per unit, in {currency}: production by the currency it is incurred in, sourcing, freight, "
                         "duty" + (", parts (the components of a unit, as the plan sources them) and capacity (the "
                                   "value of the scarce capacity a unit uses, from the duals with the plan's yes/no "
                                   "decisions fixed)." if explanations else "."))
    section.tables.extend(_explanation_table(e) for e in explanations)
    return section


def _explanation_table(explanation: Explanation) -> Table:
    landed = explanation.landed
    parts = [c for c in LANDED_COMPONENTS if (landed[c].abs() > 0.005).any()]
    rows = [[str(row["year"]), (row["plant"] if row["sourcing_option"] == "own"
                                else f"{row['plant']} ({row['sourcing_option']})")
             + ("" if pd.isna(row["via"]) else f" via {row['via']}"), *(per_unit(row[c]) for c in parts),
             per_unit(row["landed"]), per_unit(row["capacity"]), per_unit(row["total"]), units(row["units"]),
             "chosen" if row["chosen"] else f"+{per_unit(row['margin'])}"]
            for row in landed.to_dict(orient="records")]
    return Table(f"Why {explanation.product} for {explanation.market} comes from where it does "
                 f"({explanation.currency} per unit, from each capable plant)",
                 ["year", "plant", *map(component_label, parts), "landed", "capacity",
                  "total", "units", "choice"], rows,
                 "total = landed + capacity; the choice's margin is the total minus the year's lowest.")


def costs_section(plan: Plan) -> Section:
    """Costs by component per year (their families stacked: one colour each), their totals and NPV, and costs by
    the currency they are incurred in."""
    currency = str(plan.summary["currency"])
    section = Section("costs", "Costs", brief=True)
    costs = plan.costs.assign(family=plan.costs["component"].map(component_group))
    section.figures.append(drawn("costs", cost_bars(plan)))
    totals = costs.groupby(["family", "component"], sort=False, observed=True)[["amount", "discounted"]].sum()
    order = {family: i for i, family in enumerate(COMPONENT_GROUPS)}
    rows = sorted(((family, component_label(component), row.amount, row.discounted)
                   for (family, component), row in totals.iterrows() if row.amount or row.discounted),
                  key=lambda row: order.get(row[0], len(order)))
    section.tables.append(Table(f"Costs by component over the horizon ({currency})",
                                ["family (the chart's series)", "component", "amount", "NPV"],
                                [[family, label, money(amount, currency), money(npv, currency)]
                                 for family, label, amount, npv in rows]))
    exposure = plan.tables["exposure"]
    if len(exposure):
        section.figures.append(drawn("costs by currency", charts.stacked_bars(
            exposure, "currency", "amount", f"Costs by the currency they are incurred in (in {currency})", currency,
            text=money)))
    return section


def lost_section(plan: Plan) -> Section:
    """Demand not served, where there is any."""
    section = Section("lost", "Lost sales")
    lost = plan.demand[plan.demand["lost"] > 0]
    if lost.empty:
        return section
    section.figures.append(drawn("lost sales", charts.stacked_bars(lost.assign(what=lost["product"].astype(str) + " in "
                                                                       + lost["market"].astype(str)),
                                                           "what", "lost", "Lost sales", "units")))
    section.tables.append(Table("Lost sales (units)", ["product", "market", "year", "demand", "lost"],
                                [[row.product, row.market, str(row.year), units(row.demand), units(row.lost)]
                                 for row in lost.itertuples()]))
    return section


def tiers_section(plan: Plan) -> Section:
    """Suppliers and facilities opened or closed, purchases, components moved and what goes through distribution
    centres, where the plan has any (a network of one tier has none: the section is left out)."""
    section = Section("tiers", "Suppliers, components and distribution")
    sites = plan.tables["sites"]
    changed = sites[sites["opened"].astype(bool) | sites["closed"].astype(bool)]
    if not changed.empty:
        section.tables.append(Table("Suppliers and facilities opened or closed", ["kind", "site", "year", "change"],
                                    [[row.kind, row.site, str(row.year), "opens" if row.opened else "closes"]
                                     for row in changed.itertuples()]))
    for name, title, labels in TIER_VIEWS:
        frame = plan.tables[name]
        if not frame.empty:
            section.tables.append(Table(title.replace(", units per year", " (units)"), [*labels, "year", "units"],
                                        [[*(_label(getattr(row, label)) for label in labels), str(row.year),
                                          units(row.units)] for row in frame.itertuples()]))
    return section


def _label(value: object) -> str:
    """A label of a tier's row as the report shows it: ``-`` for none (a plant's own components have no mode)."""
    return "-" if value is None or (isinstance(value, float) and value != value) else str(value)


def inputs_section(loaded: Loaded | None) -> Section:
    """The scenario's figures with their sources and ranges, and validation's warnings."""
    section = Section("inputs", "Inputs")
    if loaded is None:
        section.notes.append("The scenario is not known: a results folder keeps only the plan. Give it with "
                             "--scenario, or report a stored run (the run store keeps each run's scenario).")
        return section
    section.notes.append(f"Scenario {loaded.scenario.name} from {loaded.source}.")
    section.tables.append(Table("Warnings of validation", ["where", "warning"],
                                [[warning.path, warning.message] for warning in loaded.warnings])
                          if loaded.warnings else Table("Warnings of validation", ["warning"], [["none"]]))
    if isinstance(loaded.data, dict):
        figures = input_figures(loaded.data)
        rows = [[row.input, _figure(row.value), _figure(row.low), _figure(row.high), row.source]
                for row in figures.itertuples()]
        section.tables.append(Table("Figures with their sources and ranges", ["input", "value", "low", "high",
                                                                              "source"], rows))
    return section


def _figure(value: float) -> str:
    return "" if pd.isna(value) else f"{value:,.6g}"


def plan_sections(plan: Plan, loaded: Loaded | None, explanations: Sequence[Explanation] = ()) -> list[Section]:
    """Every section of a plan's report, in order: the decision first."""
    tiers = tiers_section(plan)
    return [decision_section(plan, loaded), map_section(plan, loaded), flow_section(plan), capacity_section(plan),
            *([tiers] if tiers.tables else []), landed_section(plan, explanations), costs_section(plan),
            lost_section(plan), inputs_section(loaded)]


def plan_page(plan: Plan, loaded: Loaded | None = None, explanations: Sequence[Explanation] = (),
              title: str | None = None) -> Page:
    """The report of a deterministic plan. ``loaded``: its scenario (validated, with its warnings and data), for
    the map, the sites' countries and the inputs; ``explanations``: explain's choices to show (from
    :func:`footprint.analysis.explain.explanations`)."""
    name = str(plan.summary.get("scenario", ""))
    return Page(title or f"Plan: {name}", plan_facts(plan), plan_sections(plan, loaded, explanations))


def plan_report(plan: Plan, loaded: Loaded | None = None, explanations: Sequence[Explanation] = (),
                title: str | None = None) -> str:
    """The report of a deterministic plan as one HTML document (:func:`plan_page`)."""
    return plan_page(plan, loaded, explanations, title).html()


__all__ = ["DECISION_COLUMNS", "FLOW_NOTE", "decision_rows", "decision_section", "flow_section", "map_notes",
           "npv_rows", "plan_facts", "plan_page", "plan_report", "plan_sections"]
