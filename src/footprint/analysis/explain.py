"""Why the plan supplies a market from the plants it does: landed cost from every capable plant, by component.

The yes/no decisions (builds, plants open, assignments, sourcing, single sources) are fixed at the plan's
values and the rest re-solved as an LP. Its duals price what the landed cost leaves out: the
scarce capacity (or closed line, or closed plant) a plant's unit would use. For each lane, landed cost
plus that capacity cost is the unit's full marginal cost; the plan uses the lanes
where it is lowest, and it equals the market's marginal cost there. The gap to the
next plant is the margin by which the choice is made. In a single-sourced market a plant the plan does not
choose is priced as a closed line: its capacity cost is what keeps it out (its lane's total is the market's
marginal cost where its landed cost is below it), since the choice of one plant for the whole demand is made
for the market as a whole, not unit by unit.

A plant that cannot operate in a year (a candidate before its earliest opening, a plant after the plan
closes it: it never reopens) is no alternative then, and its capacity has no value then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from footprint.analysis.parts import origin_table, parts_table
from footprint.economics.joins import pairs_by_key
from footprint.economics.network import UNIT_COMPONENTS
from footprint.optimize.changes import Change, ChangeError
from footprint.optimize.highs import SolverOptions, fix_integers, run
from footprint.optimize.model import plant_cells, profile_names
from footprint.optimize.solve import PlanningError, Solved, solve_model, solver_options
from footprint.optimize.tiers import FACILITY_BLOCKS
from footprint.plan.origin_tables import claim_savings
from footprint.plan.plan import Plan
from footprint.plan.tables import plan_of, solve
from footprint.plan.tier_tables import site_status
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.text import short

TOLERANCE = 1e-6
LANDED_COMPONENTS = ("production_local", "production_imported", "sourcing", "parts",
                     *UNIT_COMPONENTS[UNIT_COMPONENTS.index("freight"):UNIT_COMPONENTS.index("duty")], "handling",
                     "duty")
"""The parts of explain's landed cost: a unit's own, its components (``parts``), freight, a distribution centre's
handling (through one) and duty to the market."""


class ExplainError(ValueError):
    """A market, product or year the scenario does not have, or a change naming a decision it cannot take."""


@dataclass(frozen=True)
class Explanation:
    """Why the plan serves ``product`` in ``market`` as it does (``footprint explain``): the landed cost from
    every capable plant, the value of capacity, and, for a product with a bill of materials, a unit by part and the
    rules of origin."""

    market: str
    """The market explained."""
    product: str
    """The product explained."""
    currency: str
    """The currency of every amount (the scenario's reporting currency)."""
    landed: pd.DataFrame
    """One row per capable plant (and sourcing option) and year, direct and through each distribution centre that
    can serve the market: plant, sourcing_option, via (the centre; None: direct), year, local_currency,
    imported_currency, each of LANDED_COMPONENTS, landed (their sum), capacity, total (landed + capacity),
    units, chosen, margin (total minus the lowest total that year). ``parts``: the components of a unit as the
    plan routed them to the plant that year (the ``parts`` table's cost), and where the plant ships none, priced
    at their marginal cost there (the duals of its component balances). ``duty``: net of what the lane's claims
    of preferences save. Through a centre: freight is both legs', by the cheapest of each leg's modes at the margin,
    and the units are what the centre delivers that came from the plant (a product the centre pools split by what
    each plant sent it that year)."""
    capacity_value: pd.DataFrame
    """Value of one more unit of capacity: plant, pool, year, value (per unit-year, that year's money)
    and discounted (NPV), for the pools where it is not zero."""
    plan: Plan
    """The optimal plan explained."""
    parts: pd.DataFrame
    """The components of a unit from each plant and year the plan ships from (analysis/parts.py): plant, year,
    level (1: the product's own bill of materials), parent, component, units (per unit of the product), source,
    source_kind (supplier or plant), country, share (of the plant's receipts that year), each of PART_COSTS and
    cost (their sum), per unit of the product. Empty for a product without a bill of materials."""
    origin: pd.DataFrame
    """Per plant, year and agreement the units shipped may claim into the market (analysis/parts.py): agreement,
    method, rvc, threshold, claimed, units, units_claimed, duty_general, duty_paid, duty_saved (per unit sold),
    duty_saved_total, duty_saved_discounted, shortfall (points of RVC below the threshold where not claimed)."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """The explanation's tables by name, as written out."""
        return {"landed": self.landed, "capacity_value": self.capacity_value, "parts": self.parts,
                "origin": self.origin}


@dataclass(frozen=True)
class Alternative:
    """The plan with some decisions forced or forbidden (``footprint explain --force/--forbid``), and what it
    costs against the optimum."""

    changes: tuple[Change, ...]
    """The decisions forced or forbidden (``Change("force", "open:tangier@2029")``)."""
    objective: float
    """The alternative's objective (NPV), in the plan's currency."""
    delta: float
    """Objective of the alternative minus the optimum (NPV; positive = the alternative costs more)."""
    plan: Plan
    """The alternative's plan, solved with the changes imposed."""


def explain(scenario: Scenario, market: str, product: str, year: int | None = None,
            options: SolverOptions | None = None) -> Explanation:
    """Landed cost of ``product`` in ``market`` from every capable plant, with the plan's choice."""
    if market not in {m.id for m in scenario.markets}:
        raise ExplainError(f"unknown market {short(market)}; known: {_names(m.id for m in scenario.markets)}")
    if product not in {p.id for p in scenario.products}:
        raise ExplainError(f"unknown product {short(product)}; known: {_names(p.id for p in scenario.products)}")
    if year is not None and year not in scenario.years:
        raise ExplainError(f"year {year} is outside the horizon {scenario.horizon.start}-{scenario.horizon.end}")
    return explanations(scenario, [(market, product)], year, options)[0]


def explanations(scenario: Scenario, pairs: Iterable[tuple[str, str]], year: int | None = None,
                 options: SolverOptions | None = None) -> list[Explanation]:
    """:func:`explain` for each (market, product) of ``pairs`` (known to the scenario), from one solve."""
    options = options or solver_options(scenario)
    solved = solve_model(scenario, options)
    plan = plan_of(solved)
    row_duals, reduced_costs = _fixed_duals(solved)
    network, program = solved.model.network, solved.model.program
    values = {name: program.values(solved.solution.values, name) for name in program.variables}
    idle = _cannot_operate(solved)
    capacity_value = _capacity_value(solved, row_duals, idle)
    if year is not None:  # the year asked about, as the landed cost is
        capacity_value = capacity_value[capacity_value["year"] == year].reset_index(drop=True)
    found = []
    for market, product in pairs:
        code = network.products.index(product)
        chosen = (network.flow_market == network.markets.index(market)) & (
            network.flow_product == code) & ~idle[network.flow_plant, network.flow_year]
        if year is not None:
            chosen &= network.years[network.flow_year] == year
        lanes = np.flatnonzero(chosen)
        entries = np.flatnonzero((network.demand_market == network.markets.index(market))
                                 & (network.demand_product == code))
        if year is not None:
            entries = entries[network.years[network.demand_year[entries]] == year]
        routes = _routes(solved, entries, reduced_costs, row_duals, values, idle)
        shipped = lanes[values["flow"][lanes] > TOLERANCE]
        made = {*zip(network.flow_plant[shipped].tolist(), network.flow_year[shipped].tolist(), strict=True),
                *zip(routes.plant[routes.units > TOLERANCE].tolist(), routes.year[routes.units > TOLERANCE].tolist(),
                     strict=True)}
        parts = parts_table(network, values, code, made)
        landed = _landed(solved, lanes, row_duals, reduced_costs, values, parts, routes)
        found.append(Explanation(market, product, scenario.currency, landed, capacity_value, plan, parts,
                                 origin_table(network, values, lanes)))
    return found


def _names(names: Iterable[str]) -> str:
    names = sorted(names)
    return ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")


def alternative(scenario: Scenario, changes: tuple[Change, ...], optimum: float,
                options: SolverOptions | None = None) -> Alternative:
    """The plan with some decisions forced or forbidden, and what it costs against the optimum. ExplainError for
    a change the scenario cannot make (an unknown option, a plant that cannot open that year), PlanningError
    when no plan is left."""
    try:
        plan = solve(scenario, options, changes)
    except ChangeError as error:
        raise ExplainError(str(error)) from None
    return Alternative(changes, plan.objective, plan.objective - optimum, plan)


def _fixed_duals(solved: Solved) -> tuple[np.ndarray, np.ndarray]:
    """Row duals and reduced costs of the LP left when the plan's integer decisions are fixed, at true costs (the
    flows' tie-break taken out, so that tied lanes price alike)."""
    model = solved.model
    fix_integers(solved.highs, model.program.integrality(), solved.solution.values)
    flows = model.program.variables["flow"].columns()
    solved.highs.changeColsCost(len(flows), flows, model.true_cost()[flows])
    solution = run(solved.highs, is_mip=False, duals=True)
    if solution.duals is None or solution.reduced_costs is None:
        raise PlanningError(f"the plan with its decisions fixed did not solve as an LP ({solution.message})")
    return solution.duals, solution.reduced_costs


def _cannot_operate(solved: Solved) -> np.ndarray:
    """Whether each plant cannot operate in each year index under the plan: a candidate before its earliest
    opening year, and a plant from the year the plan closes it (a closed plant does not reopen)."""
    network, program = solved.model.network, solved.model.program
    n_years = len(network.years)
    idle = network.plant_candidate[:, None] & (np.arange(n_years) < network.plant_first_open[:, None])
    if "closed" in program.variables:
        plant, year = plant_cells(network)
        closing = network.plant_closable[plant]
        closed = np.zeros_like(idle)
        closed[plant[closing], year[closing]] = program.values(solved.solution.values, "closed") > 0.5
        idle |= np.logical_or.accumulate(closed, axis=1)
    return idle


@dataclass(frozen=True)
class _Routes:
    """Explain's rows through distribution centres (``_routes``), by plant's profile, centre and year index: the
    cheapest pair of legs' arcs at the margin, the duals' part of the unit's full marginal cost (the rest is its
    landed cost, as for a direct lane) and the plan's units that way."""

    profile: np.ndarray
    plant: np.ndarray
    facility: np.ndarray
    year: np.ndarray
    inbound: np.ndarray
    delivery: np.ndarray
    dual_part: np.ndarray
    units: np.ndarray


def _routes(solved: Solved, entries: np.ndarray, reduced_costs: np.ndarray, row_duals: np.ndarray,
            values: dict[str, np.ndarray], idle: np.ndarray) -> _Routes:
    """Each plant's profile, distribution centre and year that can serve demand ``entries`` (one product in one
    market) through the centre, open that year, from a plant that can operate then. A unit's full marginal cost
    that way is the demand's dual plus both legs' reduced costs (the centre's balance cancels between them, as
    a direct lane's is its dual plus its own): each leg by its mode of least such cost. ``dual_part`` is that less
    the legs' own costs in the objective (its revenue too, maximizing profit)."""
    network, program = solved.model.network, solved.model.program
    tiers = network.tiers
    none = np.zeros(0, np.int64)
    if "delivery" not in program.variables or not len(entries):
        return _Routes(none, none, none, none, none, none, np.zeros(0), np.zeros(0))
    inbound, delivery = tiers.inbound, tiers.delivery
    n_years = len(network.years)
    open_facility = site_status(tiers.facilities, values, FACILITY_BLOCKS.open)[0]
    deliveries = np.flatnonzero(np.isin(delivery.destination, entries))
    deliveries = deliveries[open_facility[delivery.origin[deliveries], delivery.year[deliveries]]]
    # each delivery with each inbound arc into its commodity that year, from a plant that can operate then
    feeds = tiers.inbound_commodity * n_years + inbound.year
    arc, i = pairs_by_key(delivery.item[deliveries] * n_years + delivery.year[deliveries], feeds)
    d = deliveries[arc]
    plant = network.cap_plant[network.profile_capability[inbound.origin[i]]]
    keep = ~idle[plant, inbound.year[i]]
    d, i, plant = d[keep], i[keep], plant[keep]
    year = delivery.year[d]
    demand = program.constraints["demand"]
    columns = np.concatenate([program.variables["inbound"].columns(i), program.variables["delivery"].columns(d)])
    # (the landed cost is added back by _landed: the objective's own costs, revenue included, are taken out)
    reduced = reduced_costs[columns].reshape(2, -1).sum(axis=0)
    own_cost = solved.model.true_cost()[columns].reshape(2, -1).sum(axis=0)
    dual_part = (reduced - own_cost + row_duals[demand.start + delivery.destination[d]]) / network.discount[year]
    # the plan's units along each pair: the delivery's, in the share of its commodity the inbound arc brought
    received = np.bincount(feeds, weights=values["inbound"], minlength=len(tiers.commodity_facility) * n_years)
    brought = received[feeds[i]]
    units = values["delivery"][d] * np.divide(values["inbound"][i], brought, out=np.zeros(len(i)), where=brought > 0)
    # a row per (profile, facility, year): the pair of least total, the units of all its pairs
    _, group = np.unique((inbound.origin[i] * len(tiers.facilities.names) + delivery.origin[d]) * n_years + year,
                         return_inverse=True)
    group = group.reshape(-1)
    order = np.lexsort((reduced, group))  # the least reduced cost: the least full marginal cost
    first = order[np.r_[True, group[order][1:] != group[order][:-1]]] if len(order) else order  # a pair a group
    return _Routes(inbound.origin[i[first]], plant[first], delivery.origin[d[first]], year[first], i[first],
                   d[first], dual_part[first], np.bincount(group, weights=units, minlength=len(first)))


def _landed(solved: Solved, lanes: np.ndarray, row_duals: np.ndarray, reduced_costs: np.ndarray,
            values: dict[str, np.ndarray], routed: pd.DataFrame, routes: _Routes) -> pd.DataFrame:
    model = solved.model
    network, program = model.network, model.program
    flow, demand = program.variables["flow"], program.constraints["demand"]
    units = values["flow"][lanes]
    discount = network.discount[network.flow_year[lanes]]
    parts = network.unit_costs(lanes)
    # Column dual = cost - demand dual - (other rows' duals x coefficients); the other rows are capacity, open
    # lines, assignment and single-source links, component balances and claims: what a unit from this lane uses
    # besides demand. With the landed cost they make the unit's full marginal cost, ``total``.
    cost = model.true_cost()[flow.columns(lanes)]
    total = sum(parts.values(), np.zeros(len(lanes))) + (
        reduced_costs[flow.columns(lanes)] + row_duals[demand.start + network.flow_demand[lanes]] - cost) / discount
    shipped = units > TOLERANCE
    parts["duty"] -= np.where(shipped, claim_savings(network, values, lanes) / np.where(shipped, units, 1.0), 0.0)
    parts["handling"] = np.zeros(len(lanes))
    profile = network.flow_profile[lanes]
    year_index = network.flow_year[lanes]
    plant_code = network.flow_plant[lanes]
    via = np.full(len(lanes), None, dtype=object)
    if len(routes.profile):  # through distribution centres: each route's pair of arcs
        inbound, delivery = network.tiers.inbound, network.tiers.delivery
        capability = network.profile_capability[routes.profile]
        route_parts = {part: np.zeros(len(routes.profile)) for part in parts}
        route_parts["production_local"] = network.cap_local[capability, routes.year]
        route_parts["production_imported"] = network.cap_imported[capability, routes.year]
        route_parts["sourcing"] = network.profile_extra[routes.profile, routes.year]
        route_parts["freight"] = inbound.parts["freight"][routes.inbound] + delivery.parts["freight"][routes.delivery]
        route_parts["handling"] = delivery.parts["handling"][routes.delivery]
        route_parts["duty"] = delivery.parts["duty"][routes.delivery]
        parts = {part: np.concatenate([parts[part], route_parts[part]]) for part in parts}
        route_landed = sum(route_parts.values(), np.zeros(len(routes.profile)))
        total = np.concatenate([total, route_landed + routes.dual_part])
        units = np.concatenate([units, routes.units])
        shipped = units > TOLERANCE
        profile = np.concatenate([profile, routes.profile])
        year_index = np.concatenate([year_index, routes.year])
        plant_code = np.concatenate([plant_code, routes.plant])
        via = np.concatenate([via, np.array(network.tiers.facilities.names, dtype=object)[routes.facility]])
    capability = network.profile_capability[profile]
    parts["parts"] = _bom_at_margin(solved, plant_code, network.cap_product[capability], year_index, row_duals)
    plant, year = np.array(network.plants)[plant_code], network.years[year_index]
    routed_cost = routed.groupby(["plant", "year"])["cost"].sum()
    has_route = shipped & pd.MultiIndex.from_arrays([plant, year]).isin(routed_cost.index)
    parts["parts"][has_route] = routed_cost.loc[list(zip(plant[has_route], year[has_route], strict=True))]
    landed = sum(parts.values(), np.zeros(len(units)))
    capacity = total - landed
    money = network.currencies
    table = pd.DataFrame({
        "plant": plant,
        "sourcing_option": np.array(profile_names(network))[profile],
        "via": via,
        "year": year,
        "local_currency": np.array(money.names)[money.plant[network.cap_plant[capability]]],
        "imported_currency": np.array(money.names)[money.imported[capability]],
        **{part: parts[part] for part in LANDED_COMPONENTS},
        "landed": landed,
        "capacity": np.where(np.abs(capacity) < TOLERANCE, 0.0, capacity),
        "units": np.where(units > TOLERANCE, units, 0.0),
    })
    table["total"] = table["landed"] + table["capacity"]
    table["chosen"] = table["units"] > 0
    table["margin"] = table["total"] - table.groupby("year")["total"].transform("min")
    columns = ["plant", "sourcing_option", "via", "year", "local_currency", "imported_currency",
               *LANDED_COMPONENTS, "landed", "capacity", "total", "units", "chosen", "margin"]
    return table[columns].sort_values(["year", "total"], kind="stable").reset_index(drop=True)


def _bom_at_margin(solved: Solved, plant: np.ndarray, product: np.ndarray, year: np.ndarray,
                   row_duals: np.ndarray) -> np.ndarray:
    """The components of a unit of each ``product`` at their marginal cost at its ``plant`` that ``year`` (index):
    its bill of materials priced at the duals of the plant's component balances (0 for a product without one)."""
    network, program = solved.model.network, solved.model.program
    if "component" not in program.constraints:
        return np.zeros(len(plant))
    rows = program.constraints["component"]
    index = rows.index
    tiers = network.tiers
    row_of = np.full((len(network.plants), len(tiers.components), len(network.years)), -1)
    row_of[index["plant"].cat.codes, index["component"].cat.codes,
           np.searchsorted(network.years, index["year"].to_numpy())] = np.arange(rows.size)
    row = row_of[plant[:, None], np.arange(len(tiers.components)), year[:, None]]  # (unit, component)
    # what is made enters its balances with -bom: its reduced cost carries + bom x dual of each
    price = np.where(row >= 0, row_duals[rows.start + np.maximum(row, 0)], 0.0)
    return (tiers.product_bom[product] * price).sum(axis=1) / network.discount[year]


def _capacity_value(solved: Solved, row_duals: np.ndarray, idle: np.ndarray) -> pd.DataFrame:
    """-dual of each capacity row: what one more unit of capacity would save (a <= row's dual is <= 0), where
    its plant can operate."""
    program, network = solved.model.program, solved.model.network
    rows = program.constraints["capacity"]
    value = -row_duals[rows.start:rows.stop]
    table = rows.index.assign(discounted=value)
    year = np.searchsorted(network.years, table["year"].to_numpy())
    table["value"] = value / network.discount[year]
    operating = ~idle[np.repeat(network.pool_plant, len(network.years)), year]  # capacity rows: pool by year
    table = table[(table["discounted"].abs() > TOLERANCE) & operating]
    return table[["plant", "pool", "year", "value", "discounted"]].reset_index(drop=True)


__all__ = ["LANDED_COMPONENTS", "Alternative", "ExplainError", "Explanation", "alternative", "explain", "explanations"]
