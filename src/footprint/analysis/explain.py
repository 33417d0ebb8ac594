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
from footprint.economics.network import UNIT_COMPONENTS
from footprint.optimize.changes import Change, ChangeError
from footprint.optimize.highs import SolverOptions, fix_integers, run
from footprint.optimize.model import plant_cells, profile_names
from footprint.optimize.solve import PlanningError, Solved, solve_model, solver_options
from footprint.plan.origin_tables import claim_savings
from footprint.plan.plan import Plan
from footprint.plan.tables import plan_of, solve
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.text import short

TOLERANCE = 1e-6
LANDED_COMPONENTS = ("production_local", "production_imported", "sourcing", "parts",
                     *UNIT_COMPONENTS[UNIT_COMPONENTS.index("freight"):])
"""The parts of explain's landed cost: a unit's own, its components (``parts``), freight and duty to the market."""


class ExplainError(ValueError):
    """A market, product or year the scenario does not have, or a change naming a decision it cannot take."""


@dataclass(frozen=True)
class Explanation:
    market: str
    product: str
    currency: str
    landed: pd.DataFrame
    """One row per capable plant (and sourcing option) and year: plant, sourcing_option, year, local_currency,
    imported_currency, each of LANDED_COMPONENTS, landed (their sum), capacity, total (landed + capacity),
    units, chosen, margin (total minus the lowest total that year). ``parts``: the components of a unit as the
    plan routed them to the plant that year (the ``parts`` table's cost), and where the plant ships none, priced
    at their marginal cost there (the duals of its component balances). ``duty``: net of what the lane's claims
    of preferences save."""
    capacity_value: pd.DataFrame
    """Value of one more unit of capacity: plant, pool, year, value (per unit-year, that year's money)
    and discounted (NPV), for the pools where it is not zero."""
    plan: Plan
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
    changes: tuple[Change, ...]
    objective: float
    delta: float
    """Objective of the alternative minus the optimum (NPV; positive = the alternative costs more)."""
    plan: Plan


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
    found = []
    for market, product in pairs:
        code = network.products.index(product)
        chosen = (network.flow_market == network.markets.index(market)) & (
            network.flow_product == code) & ~idle[network.flow_plant, network.flow_year]
        if year is not None:
            chosen &= network.years[network.flow_year] == year
        lanes = np.flatnonzero(chosen)
        shipped = lanes[values["flow"][lanes] > TOLERANCE]
        parts = parts_table(network, values, code, zip(network.flow_plant[shipped], network.flow_year[shipped],
                                                       strict=True))
        landed = _landed(solved, lanes, row_duals, reduced_costs, values, parts)
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


def _landed(solved: Solved, lanes: np.ndarray, row_duals: np.ndarray, reduced_costs: np.ndarray,
            values: dict[str, np.ndarray], routed: pd.DataFrame) -> pd.DataFrame:
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
    parts["parts"] = _bom_at_margin(solved, lanes, row_duals)
    plant, year = np.array(network.plants)[network.flow_plant[lanes]], network.years[network.flow_year[lanes]]
    routed_cost = routed.groupby(["plant", "year"])["cost"].sum()
    has_route = shipped & pd.MultiIndex.from_arrays([plant, year]).isin(routed_cost.index)
    parts["parts"][has_route] = routed_cost.loc[list(zip(plant[has_route], year[has_route], strict=True))]
    landed = sum(parts.values(), np.zeros(len(lanes)))
    capacity = total - landed
    capability = network.flow_capability[lanes]
    money = network.currencies
    table = pd.DataFrame({
        "plant": np.array(network.plants)[network.cap_plant[capability]],
        "sourcing_option": np.array(profile_names(network))[network.flow_profile[lanes]],
        "year": network.years[network.flow_year[lanes]],
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
    columns = ["plant", "sourcing_option", "year", "local_currency", "imported_currency", *LANDED_COMPONENTS,
               "landed", "capacity", "total", "units", "chosen", "margin"]
    return table[columns].sort_values(["year", "total"], kind="stable").reset_index(drop=True)


def _bom_at_margin(solved: Solved, lanes: np.ndarray, row_duals: np.ndarray) -> np.ndarray:
    """The components of a unit of each lane's product at their marginal cost at its plant that year: its bill of
    materials priced at the duals of the plant's component balances (0 for a product without one)."""
    network, program = solved.model.network, solved.model.program
    if "component" not in program.constraints:
        return np.zeros(len(lanes))
    rows = program.constraints["component"]
    index = rows.index
    tiers = network.tiers
    row_of = np.full((len(network.plants), len(tiers.components), len(network.years)), -1)
    row_of[index["plant"].cat.codes, index["component"].cat.codes,
           np.searchsorted(network.years, index["year"].to_numpy())] = np.arange(rows.size)
    plant, year = network.flow_plant[lanes], network.flow_year[lanes]
    row = row_of[plant[:, None], np.arange(len(tiers.components)), year[:, None]]  # (lane, component)
    # a flow enters its balances with -bom: its reduced cost carries + bom x dual of each
    price = np.where(row >= 0, row_duals[rows.start + np.maximum(row, 0)], 0.0)
    return (tiers.product_bom[network.flow_product[lanes]] * price).sum(axis=1) / network.discount[year]


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
