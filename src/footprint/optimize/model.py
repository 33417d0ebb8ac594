"""The footprint MILP, one small function per family of variables or constraints.

Index sets: plants p, products m, markets k, years t, capabilities c = (p, m),
pools q (each at one plant, covering a set of products), options o (each
adding to one pool). All costs are in the reporting currency and discounted
with d_t = 1 / (1 + r) ** (t - t0). Names of blocks are the names of the
tables the duals and values come back in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from footprint.economics.network import UNIT_COMPONENTS, Network
from footprint.optimize.lp import Labels, LinearProgram

TOLERANCE = 1e-6
"""Values this close to 0 count as 0 when a solution is read back (a flow, a lost unit)."""


@dataclass(frozen=True)
class FootprintModel:
    network: Network
    program: LinearProgram
    profit: bool
    """True when maximizing profit: the program minimizes cost minus revenue."""

    @property
    def is_mip(self) -> bool:
        return self.program.num_integer > 0


def _labels(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """Names for codes; the codes come from the network, so they need no range check."""
    return pd.Categorical.from_codes(codes, categories=names, validate=False)


def build_model(network: Network) -> FootprintModel:
    """The whole model for ``network``: variables, constraints and the NPV objective."""
    profit = network.scenario.objective == "maximize_profit"
    program = LinearProgram()
    add_flows(program, network, profit)
    add_lost_sales(program, network, profit)
    add_demand_balance(program, network)
    add_builds(program, network)
    add_capacity_limits(program, network)
    add_open_capacity_links(program, network)
    add_assignments(program, network)
    add_sourcing(program, network)
    program.offset = float((network.fixed_cost * network.discount).sum())
    return FootprintModel(network, program, profit)


def add_flows(program: LinearProgram, network: Network, profit: bool) -> None:
    """flow[p,m,k,t] >= 0 on every lane-year a capable, operating plant can serve.

    Cost per unit: d_t * (production local + imported + freight + duty), less
    d_t * price when maximizing profit.
    """
    cost = network.discount[network.flow_year]
    cost *= network.unit_cost - network.demand_price[network.flow_demand] if profit else network.unit_cost
    labels = Labels(len(cost), lambda: flow_labels(network, slice(None)))
    program.add_variables("flow", labels, cost=cost)


def flow_labels(network: Network, flows: np.ndarray | slice) -> pd.DataFrame:
    """Plant, product, market, year (and sourcing option, when the network has any) of flows."""
    labels = pd.DataFrame({
        "plant": _labels(network.flow_plant[flows], network.plants),
        "product": _labels(network.flow_product[flows], network.products),
        "market": _labels(network.flow_market[flows], network.markets),
        "year": network.years[network.flow_year[flows]],
    })
    if len(network.sourcing_names):
        labels["sourcing"] = profile_labels(network, network.flow_profile[flows])
    return labels


OWN_CONTENT = "own"
"""The sourcing label of units made with a capability's own content (no sourcing option)."""
NOT_SPECIFIC = "(none)"
"""The plant or market label of an amount that belongs to none (a plant's fixed cost has no market);
no id can be it."""


def profile_names(network: Network) -> list[str]:
    """OWN_CONTENT for a capability's own content, the option's name for a sourcing option."""
    return [OWN_CONTENT] * len(network.cap_plant) + network.sourcing_names


def profile_labels(network: Network, profiles: np.ndarray) -> pd.Categorical:
    """The sourcing label of each given profile, as categories that are each name once (every capability's
    own content is OWN_CONTENT; two capabilities may name a sourcing option alike)."""
    names = profile_names(network)
    categories = list(dict.fromkeys(names))
    code = {name: position for position, name in enumerate(categories)}
    return _labels(np.array([code[name] for name in names], dtype=np.int32)[profiles], categories)


def lost_allowed(network: Network, profit: bool) -> np.ndarray:
    """Demand entries that may go unserved: all when maximizing profit, else those with a penalty."""
    return np.ones(len(network.demand_units), bool) if profit else ~np.isnan(network.demand_penalty)


def add_lost_sales(program: LinearProgram, network: Network, profit: bool) -> None:
    """lost[m,k,t] in [0, demand] where allowed; costs d_t * penalty (revenue is forgone implicitly)."""
    allowed = np.flatnonzero(lost_allowed(network, profit))
    penalty = np.nan_to_num(network.demand_penalty[allowed])
    index = pd.DataFrame({
        "demand": allowed,
        "product": _labels(network.demand_product[allowed], network.products),
        "market": _labels(network.demand_market[allowed], network.markets),
        "year": network.years[network.demand_year[allowed]],
    })
    program.add_variables("lost", index, upper=network.demand_units[allowed],
                          cost=penalty * network.discount[network.demand_year[allowed]])


def add_demand_balance(program: LinearProgram, network: Network) -> None:
    """demand[m,k,t]: sum_p flow[p,m,k,t] + lost[m,k,t] = demand[m,k,t]."""
    flow, lost = program.variables["flow"], program.variables["lost"]
    index = pd.DataFrame({
        "product": _labels(network.demand_product, network.products),
        "market": _labels(network.demand_market, network.markets),
        "year": network.years[network.demand_year],
    })
    terms = [
        (network.flow_demand, flow.span, 1.0),
        (lost.index["demand"].to_numpy(), lost.span, 1.0),
    ]
    units = network.demand_units
    program.add_constraints("demand", index, terms, lower=units, upper=units)


def option_years(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """(option, year index) of every build variable, in the build block's order."""
    n_years = len(network.years)
    option, year = np.divmod(np.arange(len(network.option_names) * n_years), n_years)
    keep = year >= network.option_first_year[option]
    return option[keep], year[keep]


def add_builds(program: LinearProgram, network: Network) -> None:
    """build[o,t] binary: option o comes online in year t (t >= its earliest year), at most once.

    Cost: d_t * capex. Constraint build_once[o]: sum_t build[o,t] <= 1.
    """
    option, year = option_years(network)
    index = pd.DataFrame({
        "option": _labels(option, network.option_names),
        "year": network.years[year],
    })
    cost = network.option_capex[option, year] * network.discount[year]
    build = program.add_variables("build", index, upper=1.0, cost=cost, integer=True)
    once_index = pd.DataFrame({"option": network.option_names})
    program.add_constraints("build_once", once_index, [(option, build.columns(), 1.0)], upper=1.0)


def _online_terms(program: LinearProgram, network: Network, row_of: np.ndarray) -> list:
    """Terms -capacity[o] * build[o,tau] for every year t >= tau, in row row_of[pool[o], t]."""
    build = program.variables["build"]
    option, built_year = option_years(network)
    terms = []
    for t in range(len(network.years)):
        online = np.flatnonzero(built_year <= t)
        rows = row_of[network.option_pool[option[online]], t]
        valid = rows >= 0
        terms.append((rows[valid], build.columns(online[valid]), -network.option_capacity[option[online[valid]]]))
    return terms


def add_capacity_limits(program: LinearProgram, network: Network) -> None:
    """capacity[q,t]: sum of flows of q's products at q's plant <= base[q,t] + added by built options."""
    n_pools, n_years = network.pool_capacity.shape
    row_of = np.arange(n_pools * n_years, dtype=np.int32).reshape(n_pools, n_years)
    pool, flow = network.flow_pools
    flows = program.variables["flow"]
    index = pd.DataFrame({
        "plant": _labels(np.repeat(network.pool_plant, n_years), network.plants),
        "pool": np.repeat(network.pool_names, n_years),
        "year": np.tile(network.years, n_pools),
    })
    columns = flows.span if isinstance(flow, slice) else flows.columns(flow)  # slice: one pool per flow
    terms = [(row_of[pool, network.flow_year[flow]], columns, 1.0), *_online_terms(program, network, row_of)]
    program.add_constraints("capacity", index, terms, upper=network.pool_capacity.ravel())


def add_open_capacity_links(program: LinearProgram, network: Network) -> None:
    """open_link[f]: flow[f] <= demand[f] * sum of options online in f's pool, where the pool has
    no base capacity in f's year.

    Redundant for the integer solution (no capacity, no flow) but it tightens the LP
    relaxation, as x_ij <= y_j does in facility location.
    """
    with_options = np.unique(network.option_pool)
    if not (network.pool_capacity[with_options] <= 0).any():
        return
    pool, flow = network.flow_pools
    if isinstance(flow, slice):
        flow = np.arange(len(pool), dtype=np.int32)
    year = network.flow_year[flow]
    closed = (network.pool_capacity[pool, year] <= 0) & np.isin(pool, with_options)
    pool, flow, year = pool[closed], flow[closed], year[closed]
    if len(flow) == 0:
        return
    flows = program.variables["flow"]
    # One row per flow: route each option term through the flow's (pool, year) to its row.
    row_pairs = pd.DataFrame({"pool": pool, "year": year, "row": np.arange(len(flow))})
    index = pd.DataFrame({
        "plant": _labels(network.flow_plant[flow], network.plants),
        "pool": np.array(network.pool_names)[pool],
        "product": _labels(network.flow_product[flow], network.products),
        "market": _labels(network.flow_market[flow], network.markets),
        "year": network.years[year],
    })
    terms = [(np.arange(len(flow)), flows.columns(flow), 1.0)]
    build = program.variables["build"]
    option, built_year = option_years(network)
    build_pairs = pd.DataFrame({"pool": network.option_pool[option], "built": built_year,
                                "column": build.columns(), "capacity": network.option_capacity[option]})
    pairs = row_pairs.merge(build_pairs, on="pool")
    pairs = pairs[pairs["built"] <= pairs["year"]]
    demand = network.demand_units[network.flow_demand[flow]]
    terms.append((pairs["row"].to_numpy(), pairs["column"].to_numpy(), -demand[pairs["row"].to_numpy()]))
    program.add_constraints("open_link", index, terms, upper=0.0)


def needs_assignment(network: Network) -> np.ndarray:
    """Capabilities whose assignment is a decision: a launch cost or a minimum volume."""
    return (network.cap_launch > 0).any(axis=1) | (network.cap_min_volume > 0)


def assignment_cells(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """(capability, year index) of every assign and start variable, in their blocks' order."""
    n_years = len(network.years)
    capability, year = np.divmod(np.arange(len(network.cap_plant) * n_years), n_years)
    keep = needs_assignment(network)[capability] & network.plant_operating[network.cap_plant[capability], year]
    return capability[keep], year[keep]


def add_assignments(program: LinearProgram, network: Network) -> None:
    """assign[c,t] binary and start[c,t] in [0, 1], for capabilities with a launch cost or minimum volume.

    assign_link[c,t]:  production[c,t] - U[c,t] * assign[c,t] <= 0  (U: most it could make)
    min_volume[c,t]:   production[c,t] - min_volume[c] * assign[c,t] >= 0
    launch[c,t]:       start[c,t] - assign[c,t] + assign[c,t-1] >= 0  (before the horizon:
                       in_production[c]); start costs d_t * launch cost.
    """
    n_years = len(network.years)
    capability, year = assignment_cells(network)
    if len(capability) == 0:
        return
    index = pd.DataFrame({
        "plant": _labels(network.cap_plant[capability], network.plants),
        "product": _labels(network.cap_product[capability], network.products),
        "year": network.years[year],
    })
    assign = program.add_variables("assign", index, upper=1.0, integer=True)
    launch_cost = network.cap_launch[capability, year] * network.discount[year]
    start = program.add_variables("start", index, upper=1.0, cost=launch_cost)
    position = np.full((len(network.cap_plant), n_years), -1)
    position[capability, year] = np.arange(len(capability))

    flows = program.variables["flow"]
    flow_row = position[network.flow_capability, network.flow_year]
    has_row = np.flatnonzero(flow_row >= 0)
    production = (flow_row[has_row], flows.columns(has_row), 1.0)
    rows = np.arange(len(capability))
    upper = _production_bound(network)[capability, year]
    program.add_constraints("assign_link", index, [production, (rows, assign.columns(), -upper)], upper=0.0)
    min_volume = network.cap_min_volume[capability]
    program.add_constraints("min_volume", index, [production, (rows, assign.columns(), -min_volume)], lower=0.0)

    previous = np.where(year > 0, position[capability, year - 1], -1)
    has_previous = np.flatnonzero(previous >= 0)
    lower = np.where((year == 0) & network.cap_in_production[capability], -1.0, 0.0)
    terms = [(rows, start.columns(), 1.0), (rows, assign.columns(), -1.0),
             (has_previous, assign.columns(previous[has_previous]), 1.0)]
    program.add_constraints("launch", index, terms, lower=lower)


def sourcing_cells(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """(sourcing option, year index) of every source variable, in its block's order: options with a
    fixed cost, in years their plant operates."""
    n_years = len(network.years)
    option, year = np.divmod(np.arange(len(network.sourcing_names) * n_years), n_years)
    capability = network.sourcing_capability[option]
    keep = (network.sourcing_fixed[option, year] > 0) & network.plant_operating[network.cap_plant[capability], year]
    return option[keep], year[keep]


def add_sourcing(program: LinearProgram, network: Network) -> None:
    """source[s,t] binary for sourcing options with a fixed cost: d_t * fixed cost when in use.

    source_link[s,t]: sum of flows with option s's content in year t - U[c,t] * source[s,t] <= 0.
    """
    n_years = len(network.years)
    option, year = sourcing_cells(network)
    if len(option) == 0:
        return
    capability = network.sourcing_capability[option]
    index = pd.DataFrame({
        "plant": _labels(network.cap_plant[capability], network.plants),
        "product": _labels(network.cap_product[capability], network.products),
        "sourcing": _labels(option, network.sourcing_names),
        "year": network.years[year],
    })
    source = program.add_variables("source", index, upper=1.0, integer=True,
                                   cost=network.sourcing_fixed[option, year] * network.discount[year])
    n_caps = len(network.cap_plant)
    row_of = np.full((len(network.sourcing_names), n_years), -1)
    row_of[option, year] = np.arange(len(option))
    sourced = np.flatnonzero(network.flow_profile >= n_caps)
    rows = row_of[network.flow_profile[sourced] - n_caps, network.flow_year[sourced]]
    sourced, rows = sourced[rows >= 0], rows[rows >= 0]
    flows = program.variables["flow"]
    upper = _production_bound(network)[capability, year]
    terms = [(rows, flows.columns(sourced), 1.0), (np.arange(len(option)), source.columns(), -upper)]
    program.add_constraints("source_link", index, terms, upper=0.0)


def _production_bound(network: Network) -> np.ndarray:
    """Most a capability can make per year: its product's demand, and its tightest pool's capacity."""
    n_caps, n_years = len(network.cap_plant), len(network.years)
    demand = np.zeros((len(network.products), n_years))
    np.add.at(demand, (network.demand_product, network.demand_year), network.demand_units)
    bound = demand[network.cap_product].copy()
    most = network.pool_capacity.copy()
    np.add.at(most, network.option_pool, network.option_capacity[:, None])
    pool_bound = np.full((n_caps, n_years), np.inf)
    np.minimum.at(pool_bound, network.member_capability, most[network.member_pool])
    return np.minimum(bound, pool_bound)


__all__ = [
    "NOT_SPECIFIC",
    "OWN_CONTENT",
    "TOLERANCE",
    "UNIT_COMPONENTS",
    "FootprintModel",
    "assignment_cells",
    "build_model",
    "flow_labels",
    "option_years",
    "profile_names",
    "sourcing_cells",
]
