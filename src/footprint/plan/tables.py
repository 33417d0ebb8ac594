"""A solved model read back as a Plan: its summary and labelled tables, each table made when first read.

Every table starts from the flows the plan uses (a small share of the lanes on a large
network), and the parts several tables share (production, per-unit costs, amounts) are
computed once, for whichever table asks first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from footprint.economics.network import UNIT_COMPONENTS, Network
from footprint.economics.sourcing_rules import single_sourced
from footprint.optimize.changes import Change
from footprint.optimize.highs import SolverOptions, SolveStatus
from footprint.optimize.lp import LinearProgram
from footprint.optimize.model import (
    NOT_SPECIFIC,
    OWN_CONTENT,
    TOLERANCE,
    FootprintModel,
    assignment_cells,
    flow_labels,
    option_years,
    plant_cells,
    plant_decides,
    sourcing_cells,
)
from footprint.optimize.solve import Solved, solve_model
from footprint.plan.mode_tables import MODE_FIXED, mode_fixed_amounts, mode_labels, modes_table
from footprint.plan.origin_tables import claim_savings, claims_table, part_claims_table, rvc_table
from footprint.plan.plan import TABLES, Plan, Tables
from footprint.plan.tier_tables import (
    arc_table,
    component_pool_use,
    component_production,
    components_made,
    delivered,
    made_for_facilities,
    site_status,
    sites_table,
    tier_amounts,
)
from footprint.scenario.model.scenario import Scenario


def solve(scenario: Scenario, options: SolverOptions | None = None, changes: tuple[Change, ...] = (),
          keep_interrupted: bool = False) -> Plan:
    """The best plan for ``scenario`` (with forced or forbidden decisions); PlanningError when there is none.

    Ctrl-C stops the solve: with ``keep_interrupted`` the best plan found so far is returned, its status
    ``interrupted``; else KeyboardInterrupt propagates.
    """
    return plan_of(solve_model(scenario, options, changes, keep_interrupted))


def plan_of(solved: Solved) -> Plan:
    """The Plan's summary, and its tables (each made when first read) from a solved model."""
    model, solution, build_seconds = solved.model, solved.solution, solved.build_seconds
    network, program = model.network, model.program
    tables = plan_tables(model, solution.values)
    scenario = network.scenario
    # The plan's NPV at its true costs, not HiGHS's objective (which includes the flows' tie-break); the bound
    # moves with it, so the gap stays the solver's.
    npv = model.npv(solution.values)
    bound = solution.bound - (solution.objective - npv) if model.is_mip else npv
    objective, bound = (-npv, -bound) if model.profit else (npv, bound)
    summary = {
        "scenario": scenario.name,
        "status": solution.status.value,
        "objective_sense": scenario.objective,
        "objective": objective,
        "bound": bound,
        "gap": solution.gap,
        "currency": scenario.currency,
        "horizon": [int(network.years[0]), int(network.years[-1])],
        "build_seconds": build_seconds,
        "solve_seconds": solution.seconds,
        "variables": program.num_cols,
        "integer_variables": program.num_integer,
        "constraints": program.num_rows,
        "builds": tables["builds"].to_dict(orient="records"),
        "plant_decisions": plant_decisions(network, tables["plants"]),
        "message": {SolveStatus.TIME_LIMIT: "time limit reached: this is the best plan found, not proven optimal",
                    SolveStatus.INTERRUPTED: "interrupted (Ctrl-C): this is the best plan found so far, not proven "
                                             "optimal"}.get(solution.status, solution.message),
    }
    return Plan(summary, tables, scenario)


def plan_tables(model: FootprintModel, solution: np.ndarray) -> Tables:
    """The Plan's tables for ``solution`` (values of the model's variables), each made on first read."""
    reader = _Reader(model, solution)
    return Tables({name: getattr(reader, name) for name in TABLES})


class _Reader:
    """Makes each table from the solution; what several tables share is computed once."""

    def __init__(self, model: FootprintModel, solution: np.ndarray) -> None:
        program = model.program
        self.program = program
        self.network = model.network
        self.profit = model.profit
        self.values = {name: program.values(solution, name) for name in program.variables}
        self.lost_demand = program.variables["lost"].index["demand"].to_numpy()

    @cached_property
    def used(self) -> np.ndarray:
        """The flows the plan uses: all the tables need."""
        return np.flatnonzero(self.values["flow"] > TOLERANCE)

    @cached_property
    def made(self) -> np.ndarray:
        """Units each capability makes, by year index: shipped direct and to facilities."""
        return (_production_by_capability(self.network, self.values["flow"], self.used)
                + made_for_facilities(self.network, self.values))

    @cached_property
    def components_made(self) -> np.ndarray:
        return components_made(self.network, self.values)

    @cached_property
    def per_unit(self) -> dict[str, np.ndarray]:
        """Each cost component per unit of the used flows; the duty net of what their claims save."""
        per_unit = self.network.unit_costs(self.used)
        per_unit["duty"] -= claim_savings(self.network, self.values, self.used) / self.values["flow"][self.used]
        return per_unit

    @cached_property
    def lanes(self) -> pd.DataFrame:
        return _lanes(self.network, self.used)

    @cached_property
    def status(self) -> _PlantStatus:
        return _plant_status(self.network, self.values)

    @cached_property
    def amounts(self) -> list[_Amounts]:
        return _amounts(self.network, self.program, self.values, self.lost_demand, self.profit, self.used,
                        self.per_unit, self.status.open)

    def flows(self) -> pd.DataFrame:
        return self.lanes.assign(units=self.values["flow"][self.used])

    @cached_property
    def production_table(self) -> pd.DataFrame:
        products = _production(self.network, self.made)
        if not len(self.network.tiers.maker_plant):
            return products
        return pd.concat([products.astype({"plant": object, "product": object}),
                          component_production(self.network, self.components_made)], ignore_index=True)

    def production(self) -> pd.DataFrame:
        return self.production_table

    def utilization(self) -> pd.DataFrame:
        return _utilization(self.network, self.made, self.values["build"], self.status.open,
                            component_pool_use(self.network, self.components_made))

    def builds(self) -> pd.DataFrame:
        return _builds(self.network, self.values["build"])

    def plants(self) -> pd.DataFrame:
        return _plants(self.network, self.status)

    def assignments(self) -> pd.DataFrame:
        return _assignments(self.network, self.values, self.made)

    def single_sources(self) -> pd.DataFrame:
        return _single_sources(self.network, self.values["flow"], self.used)

    def sourcing(self) -> pd.DataFrame:
        return _sourcing(self.network, self.values, self.used, self.values["flow"][self.used])

    def demand(self) -> pd.DataFrame:
        return _demand(self.network, self.values, self.used)

    def costs(self) -> pd.DataFrame:
        return _costs(self.network, self.amounts)

    def exposure(self) -> pd.DataFrame:
        return _exposure(self.network, self.amounts)

    def landed_cost(self) -> pd.DataFrame:
        return _landed_cost(self.lanes, self.per_unit)

    def fx_rates(self) -> pd.DataFrame:
        return _fx_rates(self.network)

    def supplies(self) -> pd.DataFrame:
        return arc_table(self.network, self.values, "supplies")

    def transfers(self) -> pd.DataFrame:
        return arc_table(self.network, self.values, "transfers")

    def inbound(self) -> pd.DataFrame:
        return arc_table(self.network, self.values, "inbound")

    def deliveries(self) -> pd.DataFrame:
        return arc_table(self.network, self.values, "deliveries")

    def sites(self) -> pd.DataFrame:
        return sites_table(self.network, self.values)

    def claims(self) -> pd.DataFrame:
        return claims_table(self.network, self.values)

    def part_claims(self) -> pd.DataFrame:
        return part_claims_table(self.network, self.values)

    def rvc(self) -> pd.DataFrame:
        return rvc_table(self.network, self.values)

    def modes(self) -> pd.DataFrame:
        return modes_table(self.network, self.values, self.used, self.per_unit)


def _lanes(network: Network, used: np.ndarray) -> pd.DataFrame:
    """Plant, product, market, year, sourcing option (OWN_CONTENT for none) and mode of used flows."""
    lanes = flow_labels(network, used)
    if "sourcing" not in lanes:
        lanes["sourcing"] = pd.Categorical.from_codes(np.zeros(len(used), dtype=np.int8), categories=[OWN_CONTENT])
    lanes["mode"] = mode_labels(network.flow_mode[used])
    return lanes[["plant", "product", "market", "year", "sourcing", "mode"]]


def _sourcing(network: Network, values: dict[str, np.ndarray], used: np.ndarray, units: np.ndarray) -> pd.DataFrame:
    """Units made with each sourcing option per year, and its fixed cost where it is in use."""
    n_caps, n_years = len(network.cap_plant), len(network.years)
    sourced = network.flow_profile[used] >= n_caps
    option = network.flow_profile[used][sourced] - n_caps
    made = np.zeros((len(network.sourcing_names), n_years))
    np.add.at(made, (option, network.flow_year[used][sourced]), units[sourced])
    option, year = np.nonzero(made > TOLERANCE)
    capability = network.sourcing_capability[option]
    return pd.DataFrame({
        "plant": np.array(network.plants)[network.cap_plant[capability]],
        "product": np.array(network.products)[network.cap_product[capability]],
        "option": np.array(network.sourcing_names, dtype=str)[option],
        "year": network.years[year],
        "units": made[option, year],
        "fixed_cost": network.sourcing_fixed[option, year],
    })


def _production_by_capability(network: Network, flow: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Units per capability and year index."""
    shape = (len(network.cap_plant), len(network.years))
    cell = network.flow_capability[used] * shape[1] + network.flow_year[used]
    return np.bincount(cell, weights=flow[used], minlength=shape[0] * shape[1]).reshape(shape)


def _production(network: Network, made_by_capability: np.ndarray) -> pd.DataFrame:
    made = made_by_capability[network.member_capability]
    member, year = np.nonzero(made > TOLERANCE)
    capability = network.member_capability[member]
    return pd.DataFrame({
        "plant": np.array(network.plants)[network.cap_plant[capability]],
        "pool": np.array(network.pool_names)[network.member_pool[member]],
        "product": np.array(network.products)[network.cap_product[capability]],
        "year": network.years[year],
        "units": made[member, year],
    })


def _builds(network: Network, build: np.ndarray) -> pd.DataFrame:
    """Each option built, per year it comes online: how many times, the capacity added and the capex (totals)."""
    option, year = option_years(network)
    count = build.round().astype(np.int64)
    chosen = count > 0
    option, year, count = option[chosen], year[chosen], count[chosen]
    pool = network.option_pool[option]
    return pd.DataFrame({
        "option": np.array(network.option_names, dtype=object)[option],
        "plant": np.array(network.plants)[network.pool_plant[pool]],
        "pool": np.array(network.pool_names)[pool],
        "year": network.years[year],
        "count": count,
        "added_capacity": count * network.option_capacity[option],
        "capex": count * network.option_capex[option, year],
    })


@dataclass(frozen=True)
class _PlantStatus:
    """Per plant and year index: open, and whether the plan opens or closes it that year."""

    open: np.ndarray
    opened: np.ndarray
    closed: np.ndarray


def _plant_status(network: Network, values: dict[str, np.ndarray]) -> _PlantStatus:
    """Plants without a decision are open in their operating years; the others as the plan has them
    (tier_tables.site_status)."""
    return _PlantStatus(*site_status(network.plant_sites, values, "open"))


def _plants(network: Network, status: _PlantStatus) -> pd.DataFrame:
    n_plants, n_years = status.open.shape
    return pd.DataFrame({
        "plant": np.repeat(np.array(network.plants, dtype=object), n_years),
        "year": np.tile(network.years, n_plants),
        "open": status.open.ravel(),
        "opened": status.opened.ravel(),
        "closed": status.closed.ravel(),
    })


def plant_decisions(network: Network, plants: pd.DataFrame) -> list[dict[str, object]]:
    """For the summary: each plant the plan may open or close, and the year it does (None: it does not)."""
    opened = dict(zip(plants["plant"][plants["opened"]], plants["year"][plants["opened"]].tolist(), strict=True))
    closed = dict(zip(plants["plant"][plants["closed"]], plants["year"][plants["closed"]].tolist(), strict=True))
    return [{"plant": network.plants[p], "candidate": bool(network.plant_candidate[p]),
             "closable": bool(network.plant_closable[p]), "opened": opened.get(network.plants[p]),
             "closed": closed.get(network.plants[p])} for p in np.flatnonzero(plant_decides(network))]


def _utilization(network: Network, made_by_capability: np.ndarray, build: np.ndarray,
                 is_open: np.ndarray, components: np.ndarray) -> pd.DataFrame:
    """Capacity (base and options online, while the plant is open) and its share in use, per pool and year
    (``components``: what components take of each pool)."""
    n_pools, n_years = network.pool_capacity.shape
    option, built_year = option_years(network)
    online = build.round()[:, None] * (np.arange(n_years)[None, :] >= built_year[:, None])
    capacity = network.pool_capacity.copy()
    np.add.at(capacity, network.option_pool[option], online * network.option_capacity[option, None])
    capacity *= is_open[network.pool_plant]
    made = made_by_capability[network.member_capability]
    used = components.copy()
    np.add.at(used, network.member_pool, np.where(made > TOLERANCE, made, 0.0))  # as the production table counts
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(capacity > 0, used / capacity, np.nan)
    return pd.DataFrame({
        "plant": np.repeat(np.array(network.plants)[network.pool_plant], n_years),
        "pool": np.repeat(network.pool_names, n_years),
        "year": np.tile(network.years, n_pools),
        "capacity": capacity.ravel(),
        "used": used.ravel(),
        "share": share.ravel(),
    })


def _assignments(network: Network, values: dict[str, np.ndarray], made: np.ndarray) -> pd.DataFrame:
    """Units, whether assigned and whether launched per capability and operating year. Where assignment is a
    decision, a capability is launched in a year it is assigned and was not the year before (nor, in the
    horizon's first year, in production before it): read from assign, not from start, which is free to be 1
    where the launch costs nothing."""
    capability, year = np.nonzero(network.plant_operating[network.cap_plant])
    assigned = made[capability, year] > TOLERANCE
    launched = np.zeros(len(capability), bool)
    if "assign" in values:
        cells = assignment_cells(network)
        decided = np.zeros(made.shape, bool)
        decided[cells] = True
        was = np.zeros(made.shape, bool)
        was[cells] = values["assign"] > 0.5
        before = np.zeros(made.shape, bool)
        before[:, 1:] = was[:, :-1]
        before[:, 0] = network.cap_in_production
        has = decided[capability, year]
        assigned[has] = was[capability, year][has]
        launched[has] = (was & ~before)[capability, year][has]
    return pd.DataFrame({
        "plant": np.array(network.plants)[network.cap_plant[capability]],
        "product": np.array(network.products)[network.cap_product[capability]],
        "year": network.years[year],
        "units": made[capability, year],
        "assigned": assigned,
        "launched": launched,
    })


def _single_sources(network: Network, flow: np.ndarray, used: np.ndarray) -> pd.DataFrame:
    """The plant that serves each single-sourced demand the plan serves, and the units it ships: read from the
    flows, so that a choice serving nothing (a tie where lost sales are allowed) is no source."""
    demands = single_sourced(network)
    single = np.zeros(len(network.demand_units), bool)
    single[demands.demand[demands.demand >= 0]] = True
    chosen = used[single[network.flow_demand[used]]]
    n_plants = len(network.plants)
    keys, inverse = np.unique(network.flow_demand[chosen].astype(np.int64) * n_plants + network.flow_plant[chosen],
                              return_inverse=True)
    entry, plant = np.divmod(keys, n_plants)
    return pd.DataFrame({
        "plant": np.array(network.plants, dtype=object)[plant],
        "product": np.array(network.products, dtype=object)[network.demand_product[entry]],
        "market": np.array(network.markets, dtype=object)[network.demand_market[entry]],
        "year": network.years[network.demand_year[entry]],
        "units": np.bincount(inverse, weights=flow[chosen], minlength=len(keys)),
    })


def _demand(network: Network, values: dict[str, np.ndarray], used: np.ndarray) -> pd.DataFrame:
    """Each demand entry and how much of it is served (direct or through facilities) and lost."""
    served = np.bincount(network.flow_demand[used], weights=values["flow"][used],
                         minlength=len(network.demand_units)).astype(np.float64)  # float even with no flows
    served += delivered(network, values)
    return pd.DataFrame({
        "product": pd.Categorical.from_codes(network.demand_product, categories=network.products, validate=False),
        "market": pd.Categorical.from_codes(network.demand_market, categories=network.markets, validate=False),
        "year": network.years[network.demand_year],
        "demand": network.demand_units,
        "served": served,
        "lost": np.maximum(network.demand_units - served, 0.0),
    })


@dataclass(frozen=True)
class _Amounts:
    """One cost component's amounts, reporting currency, undiscounted, with where they fall and the
    currency they are stated in (plant or market -1 where an amount belongs to neither)."""

    component: str
    year: np.ndarray
    amount: np.ndarray
    currency: np.ndarray
    plant: np.ndarray
    market: np.ndarray


def _amounts(network: Network, program: LinearProgram, values: dict[str, np.ndarray], lost_demand: np.ndarray,
             profit: bool, used: np.ndarray, per_unit: dict[str, np.ndarray], is_open: np.ndarray) -> list[_Amounts]:
    """Every cost of the plan by component; revenue is a negative cost. Fixed cost while a plant is open."""
    money = network.currencies
    flow, year = values["flow"][used], network.flow_year[used]
    plant, market = network.flow_plant[used], network.flow_market[used]
    capability = network.flow_capability[used]
    currency = {"production_local": money.plant[plant], "production_imported": money.imported[capability],
                "sourcing": money.profile[network.flow_profile[used]], "freight": money.freight[plant, market],
                "duty": money.market[market]}
    computed = np.full(len(used), money.freight_parts)  # sea freight, port handling, land freight
    amounts = [_Amounts(component, year, flow * cost, currency.get(component, computed), plant, market)
               for component, cost in per_unit.items()]
    nobody = np.full(len(network.plants) * len(network.years), -1)
    operating_plant, operating_year = np.divmod(np.arange(len(nobody)), len(network.years))
    amounts.append(_Amounts("fixed", operating_year, (network.fixed_cost * is_open).ravel(),
                            money.plant[operating_plant], operating_plant, nobody))
    if "open" in values:
        cell_plant, cell_year = plant_cells(network)
        for component, name, cost, cells in (
                ("opening", "opened", network.opening_cost, network.plant_candidate[cell_plant]),
                ("closing", "closed", network.closing_cost, network.plant_closable[cell_plant])):
            owner, when = cell_plant[cells], cell_year[cells]
            amounts.append(_Amounts(component, when, values[name] * cost[owner, when], money.plant[owner], owner,
                                    np.full(len(owner), -1)))
    option, build_year = option_years(network)
    count = values["build"].round()
    built = count > 0
    option, build_year, count = option[built], build_year[built], count[built]
    amounts.append(_Amounts("capex", build_year, count * network.option_capex[option, build_year],
                            money.option[option], network.pool_plant[network.option_pool[option]],
                            np.full(len(option), -1)))
    if "start" in values:
        capability, start_year = assignment_cells(network)
        amounts.append(_Amounts("launch", start_year, values["start"] * network.cap_launch[capability, start_year],
                                money.plant[network.cap_plant[capability]], network.cap_plant[capability],
                                np.full(len(capability), -1)))
    if "source" in values:
        option, source_year = sourcing_cells(network)
        capability = network.sourcing_capability[option]
        amounts.append(_Amounts("sourcing_fixed", source_year,
                                values["source"].round() * network.sourcing_fixed[option, source_year],
                                money.profile[len(network.cap_plant) + option], network.cap_plant[capability],
                                np.full(len(option), -1)))
    mode, mode_year, mode_cost = mode_fixed_amounts(network, program, values)
    if len(mode):
        amounts.append(_Amounts(MODE_FIXED, mode_year, mode_cost, network.fixed_modes.currency[mode],
                                np.full(len(mode), -1), np.full(len(mode), -1)))
    lost_market = network.demand_market[lost_demand]
    amounts.append(_Amounts("lost_sales", network.demand_year[lost_demand],
                            values["lost"] * np.nan_to_num(network.demand_penalty[lost_demand]),
                            money.market[lost_market], np.full(len(lost_demand), -1), lost_market))
    if profit:
        amounts.append(_Amounts("revenue", year, -flow * network.demand_price[network.flow_demand[used]],
                                money.market[market], np.full(len(used), -1), market))
        delivery = network.tiers.delivery
        entry = delivery.destination
        if len(entry):
            amounts.append(_Amounts("revenue", delivery.year, -values.get("delivery", np.zeros(len(entry)))
                                    * network.demand_price[entry], money.market[network.demand_market[entry]],
                                    np.full(len(entry), -1), network.demand_market[entry]))
    for component, when, amount in tier_amounts(network, values):  # in the reporting currency, at no plant
        amounts.append(_Amounts(component, when, amount, np.zeros(len(amount), np.int64), np.full(len(amount), -1),
                                np.full(len(amount), -1)))
    return amounts


def _costs(network: Network, amounts: list[_Amounts]) -> pd.DataFrame:
    """Cost per year and component, reporting currency; revenue is a negative cost."""
    n_years = len(network.years)
    totals: dict[str, np.ndarray] = {}  # a component may come in several parts (the tiers' freight, duty)
    for part in amounts:
        by_year = np.bincount(part.year, weights=part.amount, minlength=n_years)
        totals[part.component] = totals[part.component] + by_year if part.component in totals else by_year
    rows = [(int(network.years[t]), component, float(by_year[t]), float(by_year[t] * network.discount[t]))
            for component, by_year in totals.items() for t in range(n_years)]
    return pd.DataFrame(rows, columns=["year", "component", "amount", "discounted"])


def _exposure(network: Network, amounts: list[_Amounts]) -> pd.DataFrame:
    """Costs by plant, market, year, currency and component: what moves with each exchange rate."""
    n_years, n_currencies = len(network.years), len(network.currencies.names)
    n_markets = len(network.markets) + 1  # +1: plant or market -1 (none) becomes 0
    names = list(dict.fromkeys(part.component for part in amounts))  # a component may come in several parts
    component = np.concatenate([np.full(len(part.amount), names.index(part.component)) for part in amounts])
    plant, market, year, currency, amount = (np.concatenate([getattr(part, name) for part in amounts])
                                             for name in ("plant", "market", "year", "currency", "amount"))
    nonzero = amount != 0
    key = ((((component * (len(network.plants) + 1) + plant + 1) * n_markets + market + 1) * n_years + year)
           * n_currencies + currency)[nonzero]
    keys, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=amount[nonzero])
    rest, currency = np.divmod(keys, n_currencies)
    rest, year = np.divmod(rest, n_years)
    rest, market = np.divmod(rest, n_markets)
    component, plant = np.divmod(rest, len(network.plants) + 1)
    return pd.DataFrame({  # categoricals: labels without building a string per row
        "plant": pd.Categorical.from_codes(plant, categories=[NOT_SPECIFIC, *network.plants]),
        "market": pd.Categorical.from_codes(market, categories=[NOT_SPECIFIC, *network.markets]),
        "year": network.years[year],
        "currency": pd.Categorical.from_codes(currency, categories=network.currencies.names),
        "component": pd.Categorical.from_codes(component, categories=names),
        "amount": total,
        "amount_in_currency": total * network.currencies.fx[currency, year],
    })


def _landed_cost(lanes: pd.DataFrame, per_unit: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per unit cost of every lane-year the plan uses, by component, reporting currency, undiscounted.

    The unused alternatives are what `explain` is for: on a large network they run to millions of rows.
    """
    parts = len(UNIT_COMPONENTS)
    columns: dict[str, object] = {
        name: pd.Categorical.from_codes(np.tile(lanes[name].cat.codes.to_numpy(), parts), dtype=lanes[name].dtype)
        for name in ("plant", "product", "market")
    }
    columns["year"] = np.tile(lanes["year"].to_numpy(), parts)
    columns["sourcing"] = pd.Categorical.from_codes(np.tile(lanes["sourcing"].cat.codes.to_numpy(), parts),
                                                    dtype=lanes["sourcing"].dtype)
    columns["component"] = pd.Categorical.from_codes(np.repeat(np.arange(parts), len(lanes)),
                                                     categories=list(UNIT_COMPONENTS))
    columns["per_unit"] = np.concatenate([per_unit[c] for c in UNIT_COMPONENTS])
    return pd.DataFrame(columns, copy=False)


def _fx_rates(network: Network) -> pd.DataFrame:
    """Units of each currency per unit of the reporting currency, by year, and where each rate comes from."""
    money = network.currencies
    currency, year = np.divmod(np.arange(money.fx.size), len(network.years))
    return pd.DataFrame({
        "currency": np.array(money.names)[currency],
        "year": network.years[year],
        "rate": money.fx.ravel(),
        "source": money.fx_source.ravel(),
    })
