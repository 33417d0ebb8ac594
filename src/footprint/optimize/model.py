"""The footprint MILP, one small function per family of variables or constraints.

Index sets: plants p, products m, markets k, years t, capabilities c = (p, m),
pools q (each at one plant, covering a set of products), options o (each
adding to one pool), cells (p, t): the operating years of the plants the
plan opens or closes. All costs are in the reporting currency and discounted
with d_t = 1 / (1 + r) ** (t - t0). Names of blocks are the names of the
tables the duals and values come back in.

Ties between lanes: where two plants (or a plant's sourcing options) serve a market at the same cost, any
split between them is optimal and the solver would pick one by the path it happens to take, so the choice
could change from year to year and from future to future with nothing real behind it. Each flow's cost in
the program is therefore raised by a tie-break (:func:`flow_preference`): TIE_BREAK times the network's
typical unit cost times a weight in [0.5, 2) fixed by the lane's ids, the same in every year and every
future. It orders tied lanes and nothing else; every cost and the objective the plan reports leave it out
(:meth:`FootprintModel.npv`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from footprint.economics.network import UNIT_COMPONENTS, Network, pairs_by_key
from footprint.economics.sourcing_rules import SingleSourced, group_rules, single_sourced
from footprint.optimize.labels import NOT_SPECIFIC, OWN_CONTENT, coded, flow_labels, profile_names
from footprint.optimize.lp import Labels, LinearProgram, Term
from footprint.optimize.modes import add_mode_use
from footprint.optimize.origin import add_origin
from footprint.optimize.sites import SiteBlocks, add_site_status, previous_cells, site_cells
from footprint.optimize.tiers import (
    add_tier_constraints,
    add_tier_variables,
    delivery_terms,
    facility_single_sources,
    inbound_production,
    pool_terms,
)

TOLERANCE = 1e-6
"""Values this close to 0 count as 0 when a solution is read back (a flow, a lost unit)."""
TIE_BREAK = 1e-7
"""The tie-break per unit of flow, as a share of the network's typical unit cost (its median rounded to a power
of two), times the lane's weight in [0.5, 2) (:func:`flow_preference`): small enough not to matter against a
real difference in cost (below 3e-7 of the median unit cost), large enough that HiGHS honours it (its dual
feasibility tolerance is 1e-7, absolute: at 1e-9 of the unit cost it left most of the ties we tried to chance)."""
LEAST_TIE_BREAK = 1e-5
"""The least tie-break per unit worth having, in the reporting currency: below it (a network whose unit costs are
under about 100) the tie-break would sit within HiGHS's tolerances, unable to order the lanes and only blurring
the solver's objective (enough to keep Benders from closing a gap of 1e-9), so there is none."""


@dataclass(frozen=True)
class FootprintModel:
    network: Network
    program: LinearProgram
    profit: bool
    """True when maximizing profit: the program minimizes cost minus revenue."""
    tie_break: np.ndarray
    """What the flows' costs in the program include beyond their true cost, per flow (discounted): the
    tie-break between lanes that cost the same (:func:`flow_preference`)."""

    @property
    def is_mip(self) -> bool:
        return self.program.num_integer > 0

    def true_cost(self) -> np.ndarray:
        """The program's cost per column without the tie-break: the NPV each unit of a variable costs."""
        cost = self.program.cost()
        cost[self.program.variables["flow"].span] -= self.tie_break
        return cost

    def npv(self, values: np.ndarray) -> float:
        """The NPV cost (less revenue, when maximizing profit) of a solution at its true costs: what the program
        minimizes, without the tie-break."""
        return float(self.true_cost() @ values + self.program.offset)


def build_model(network: Network) -> FootprintModel:
    """The whole model for ``network``: variables, constraints and the NPV objective."""
    profit = network.scenario.objective == "maximize_profit"
    program = LinearProgram()
    tie_break = add_flows(program, network, profit)
    add_lost_sales(program, network, profit)
    add_tier_variables(program, network, profit)
    add_demand_balance(program, network)
    add_builds(program, network)
    add_plant_status(program, network)
    add_capacity_limits(program, network)
    add_open_capacity_links(program, network)
    add_open_plant_links(program, network)
    add_assignments(program, network)
    add_sourcing(program, network)
    add_single_sourcing(program, network, profit)
    add_group_counts(program, network)
    add_tier_constraints(program, network)
    add_mode_use(program, network, np.minimum(network.demand_units[network.flow_demand],
                                              _production_bound(network)[network.flow_capability, network.flow_year]))
    add_origin(program, network)
    fixed = network.fixed_cost * network.discount  # plants the plan opens or closes pay it through open[p,t]
    program.offset += float(fixed[~plant_decides(network)].sum())  # beside the tiers' sites'
    return FootprintModel(network, program, profit, tie_break)


def add_flows(program: LinearProgram, network: Network, profit: bool) -> np.ndarray:
    """flow[p,m,k,t] >= 0 on every lane-year a capable, operating plant can serve.

    Cost per unit: d_t * (production local + imported + freight + duty), less
    d_t * price when maximizing profit; plus d_t * the lane's tie-break (:func:`flow_preference`),
    which is returned (per flow, discounted) so that the reported costs can leave it out.
    """
    cost = network.discount[network.flow_year]
    tie_break = cost * flow_preference(network)
    cost *= network.unit_cost - network.demand_price[network.flow_demand] if profit else network.unit_cost
    cost += tie_break
    labels = Labels(len(cost), lambda: flow_labels(network, slice(None)))
    program.add_variables("flow", labels, cost=cost)
    return tie_break


MODE_TIE_STEP = 16.0
"""A lane's k-th mode (from 0) weighs 1 + k / MODE_TIE_STEP times its first in the tie-break: a lane lists four modes
at most (one each), so the weight stays below 2 x 1.19 and a real difference of 3e-7 of the typical unit cost still
wins."""


def flow_preference(network: Network) -> np.ndarray:
    """The tie-break per unit of each flow, undiscounted: TIE_BREAK x the typical unit cost x the lane's weight.

    The typical unit cost is the median of the flows' unit costs (of every k-th flow's on a large network, at
    most 4,096: what it is matters little, only that it scales with the costs), rounded to a power of two so
    that futures whose costs move a little keep the very same tie-break (a warm re-solve is then handed only the
    costs that really changed). No tie-break (zeros) where TIE_BREAK x that is below LEAST_TIE_BREAK. A lane's
    weight is a(plant, product, sourcing) x b(market) / 2, in [0.5, 2), with a and b in [1, 2) from a hash of
    the ids: it depends on names only, so a lane is preferred alike in every year and every future, whatever
    order the file lists things in; and a product, not a sum, of a plant's part and a market's, so that two
    plants swapping two markets between them (the same total cost) differ too. A lane's modes that cost the same
    are told apart by their order in the lane: each later one's weight x (1 + its place / MODE_TIE_STEP), so the
    plan never splits a lane between them by chance.
    """
    if len(network.flow_profile) == 0:
        return np.zeros(0)
    sample = network.unit_cost[::max(1, len(network.flow_profile) // 4096)]
    median = float(np.median(np.abs(sample)))
    scale = TIE_BREAK * 2.0 ** round(np.log2(median)) if median > 0 else 0.0
    if scale < LEAST_TIE_BREAK:
        return np.zeros(len(network.flow_profile))
    plant_product = [f"{network.plants[p]}\x1f{network.products[m]}"
                     for p, m in zip(network.cap_plant, network.cap_product, strict=True)]
    profiles = plant_product + [f"{plant_product[c]}\x1f{name}"
                                for c, name in zip(network.sourcing_capability, network.sourcing_names, strict=True)]
    preference = (scale / 2 * _hashed(profiles))[network.flow_profile]  # a few gathers: ~20 ns a flow
    preference *= _hashed(network.markets)[network.flow_market]
    if network.lane_mode.shape[2] > 1:  # a lane of several modes: its later modes a little less preferred
        preference *= 1.0 + network.flow_slot / MODE_TIE_STEP
    return preference


def _hashed(names: list[str]) -> np.ndarray:
    """A number in [1, 2) for each name, the same on every machine and in every run (unlike hash()): 53 bits of
    its hash, as many as a float holds exactly."""
    bits = (int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") >> 11 for name in names)
    return 1.0 + np.fromiter(bits, dtype=np.float64, count=len(names)) / 2.0**53


def lost_allowed(network: Network, profit: bool) -> np.ndarray:
    """Demand entries that may go unserved: all when maximizing profit, else those with a penalty."""
    return np.ones(len(network.demand_units), bool) if profit else ~np.isnan(network.demand_penalty)


def add_lost_sales(program: LinearProgram, network: Network, profit: bool) -> None:
    """lost[m,k,t] in [0, demand] where allowed; costs d_t * penalty (revenue is forgone implicitly)."""
    allowed = np.flatnonzero(lost_allowed(network, profit))
    penalty = np.nan_to_num(network.demand_penalty[allowed])
    index = pd.DataFrame({
        "demand": allowed,
        "product": coded(network.demand_product[allowed], network.products),
        "market": coded(network.demand_market[allowed], network.markets),
        "year": network.years[network.demand_year[allowed]],
    })
    program.add_variables("lost", index, upper=network.demand_units[allowed],
                          cost=penalty * network.discount[network.demand_year[allowed]])


def add_demand_balance(program: LinearProgram, network: Network) -> None:
    """demand[m,k,t]: sum_p flow[p,m,k,t] + lost[m,k,t] = demand[m,k,t]."""
    flow, lost = program.variables["flow"], program.variables["lost"]
    index = pd.DataFrame({
        "product": coded(network.demand_product, network.products),
        "market": coded(network.demand_market, network.markets),
        "year": network.years[network.demand_year],
    })
    terms = [
        (network.flow_demand, flow.span, 1.0),
        (lost.index["demand"].to_numpy(), lost.span, 1.0),
        *delivery_terms(program, network),
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
    """build[o,t] integer in [0, max_builds[o]]: how many times option o is built to come online in
    year t (t >= its earliest year); each build adds capacity[o].

    Cost: d_t * capex * build[o,t]. Constraint build_limit[o]: sum_t build[o,t] <= max_builds[o]
    (1 by default: a yes/no decision, built at most once).
    """
    option, year = option_years(network)
    index = pd.DataFrame({
        "option": coded(option, network.option_names),
        "year": network.years[year],
    })
    cost = network.option_capex[option, year] * network.discount[year]
    most = network.option_max_builds.astype(np.float64)
    build = program.add_variables("build", index, upper=most[option], cost=cost, integer=True)
    limit_index = pd.DataFrame({"option": network.option_names})
    program.add_constraints("build_limit", limit_index, [(option, build.columns(), 1.0)], upper=most)


def plant_decides(network: Network) -> np.ndarray:
    """Plants the plan opens or closes (candidates, closable plants)."""
    return network.plant_sites.decides


def plant_cells(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """(plant, year index) of every open variable, in its block's order (see site_cells)."""
    return site_cells(network.plant_sites)


PLANT_BLOCKS = SiteBlocks("open", "opened", "closed", "open_once", "close_once", "plant")


def add_plant_status(program: LinearProgram, network: Network) -> None:
    """The plants' status blocks (add_site_status)."""
    add_site_status(program, network.plant_sites, network.years, network.discount, PLANT_BLOCKS)


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


def _open_base_terms(program: LinearProgram, network: Network, row_of: np.ndarray) -> tuple[Term, np.ndarray]:
    """Terms -base[q,t] * open[p,t] for the pools of plants the plan opens or closes, and the capacity
    rows' right-hand sides with those pools' base capacity moved to the left (0)."""
    plant, year = plant_cells(network)
    cell, pool = pairs_by_key(plant, network.pool_plant)
    year = year[cell]
    base = network.pool_capacity[pool, year]
    upper = network.pool_capacity.copy()
    upper[pool, year] = 0.0
    has = base > 0
    return (row_of[pool[has], year[has]], program.variables["open"].columns(cell[has]), -base[has]), upper.ravel()


def add_capacity_limits(program: LinearProgram, network: Network) -> None:
    """capacity[q,t]: sum of flows of q's products at q's plant <= base[q,t] + added by built options,
    with base[q,t] x open[p,t] at a plant the plan opens or closes (moved to the left-hand side)."""
    n_pools, n_years = network.pool_capacity.shape
    row_of = np.arange(n_pools * n_years, dtype=np.int32).reshape(n_pools, n_years)
    pool, flow = network.flow_pools
    flows = program.variables["flow"]
    index = pd.DataFrame({
        "plant": coded(np.repeat(network.pool_plant, n_years), network.plants),
        "pool": np.repeat(network.pool_names, n_years),
        "year": np.tile(network.years, n_pools),
    })
    columns = flows.span if isinstance(flow, slice) else flows.columns(flow)  # slice: one pool per flow
    terms = [(row_of[pool, network.flow_year[flow]], columns, 1.0), *_online_terms(program, network, row_of),
             *pool_terms(program, network, row_of)]
    upper = network.pool_capacity.ravel()
    if "open" in program.variables:
        base_terms, upper = _open_base_terms(program, network, row_of)
        terms.append(base_terms)
    program.add_constraints("capacity", index, terms, upper=upper)


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
        "plant": coded(network.flow_plant[flow], network.plants),
        "pool": np.array(network.pool_names)[pool],
        "product": coded(network.flow_product[flow], network.products),
        "market": coded(network.flow_market[flow], network.markets),
        "year": network.years[year],
    })
    terms = [(np.arange(len(flow)), flows.columns(flow), 1.0)]
    build = program.variables["build"]
    option, built_year = option_years(network)
    build_pairs = pd.DataFrame({"pool": network.option_pool[option], "built": built_year, "column": build.columns()})
    pairs = row_pairs.merge(build_pairs, on="pool")
    pairs = pairs[pairs["built"] <= pairs["year"]]
    demand = network.demand_units[network.flow_demand[flow]]
    terms.append((pairs["row"].to_numpy(), pairs["column"].to_numpy(), -demand[pairs["row"].to_numpy()]))
    program.add_constraints("open_link", index, terms, upper=0.0)


def add_open_plant_links(program: LinearProgram, network: Network) -> None:
    """plant_open[f]: flow[f] - U[f] * open[p,t] <= 0 for every flow at a plant the plan opens or closes:
    nothing is made there while it is closed, through its base capacity or its options. U[f]: the
    flow's demand, or the most its capability could make if that is less (as in assign_link).

    Beside the base capacity multiplied by open[p,t] in capacity[q,t], this is the strong formulation
    of facility location: x_ij <= d_j y_i as well as sum_j x_ij <= s_i y_i.
    """
    if "open" not in program.variables:
        return
    plant, year = plant_cells(network)
    position = np.full(network.plant_operating.shape, -1, dtype=np.int32)
    position[plant, year] = np.arange(len(plant))
    cell = position[network.flow_plant, network.flow_year]
    linked = np.flatnonzero(cell >= 0)
    most = np.minimum(network.demand_units[network.flow_demand[linked]],
                      _production_bound(network)[network.flow_capability[linked], network.flow_year[linked]])
    linked, most = linked[most > 0], most[most > 0]  # a flow that cannot be made needs no link
    rows = np.arange(len(linked))
    flows = program.variables["flow"]
    columns = flows.span if len(linked) == flows.size else flows.columns(linked)  # span: every flow, in order
    terms = [(rows, columns, 1.0), (rows, program.variables["open"].columns(cell[linked]), -most)]
    program.add_constraints("plant_open", Labels(len(linked), lambda: flow_labels(network, linked)), terms,
                            upper=0.0)


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
    assign_open[c,t]:  assign[c,t] - open[p,t] <= 0 at a plant p the plan opens or closes: a product is
                       assigned, and launched, only where its plant is open.
    """
    n_years = len(network.years)
    capability, year = assignment_cells(network)
    if len(capability) == 0:
        return
    index = pd.DataFrame({
        "plant": coded(network.cap_plant[capability], network.plants),
        "product": coded(network.cap_product[capability], network.products),
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
    production = [(flow_row[has_row], flows.columns(has_row), 1.0)]
    made_capability, made_year, made_columns = inbound_production(program, network)  # for facilities
    made_row = position[made_capability, made_year]
    production.append((made_row[made_row >= 0], made_columns[made_row >= 0], 1.0))
    rows = np.arange(len(capability))
    upper = _production_bound(network)[capability, year]
    program.add_constraints("assign_link", index, [*production, (rows, assign.columns(), -upper)], upper=0.0)
    min_volume = network.cap_min_volume[capability]
    program.add_constraints("min_volume", index, [*production, (rows, assign.columns(), -min_volume)], lower=0.0)

    previous = np.where(year > 0, position[capability, year - 1], -1)
    has_previous = np.flatnonzero(previous >= 0)
    lower = np.where((year == 0) & network.cap_in_production[capability], -1.0, 0.0)
    terms = [(rows, start.columns(), 1.0), (rows, assign.columns(), -1.0),
             (has_previous, assign.columns(previous[has_previous]), 1.0)]
    program.add_constraints("launch", index, terms, lower=lower)
    _add_assign_open_links(program, network, capability, year, index)


def _add_assign_open_links(program: LinearProgram, network: Network, capability: np.ndarray, year: np.ndarray,
                           index: pd.DataFrame) -> None:
    """assign_open[c,t]: assign[c,t] - open[p,t] <= 0 for the assign cells at plants the plan opens or closes."""
    if "open" not in program.variables:
        return
    plant, open_year = plant_cells(network)
    cell = np.full(network.plant_operating.shape, -1, dtype=np.int32)
    cell[plant, open_year] = np.arange(len(plant))
    open_cell = cell[network.cap_plant[capability], year]
    linked = np.flatnonzero(open_cell >= 0)
    if len(linked) == 0:
        return
    rows = np.arange(len(linked))
    terms = [(rows, program.variables["assign"].columns(linked), 1.0),
             (rows, program.variables["open"].columns(open_cell[linked]), -1.0)]
    program.add_constraints("assign_open", index.iloc[linked].reset_index(drop=True), terms, upper=0.0)


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
        "plant": coded(network.cap_plant[capability], network.plants),
        "product": coded(network.cap_product[capability], network.products),
        "sourcing": coded(option, network.sourcing_names),
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


def single_source_cells(network: Network) -> tuple[np.ndarray, np.ndarray, SingleSourced]:
    """(capability, single-sourced demand) of every single_source variable, in its block's order, and the
    single-sourced demands: each demand with the plants that can make its product, operate in its year and have
    a lane to its market (those its flows would come from, whatever its units that year)."""
    demands = single_sourced(network)
    if len(demands.product) == 0:  # no single sourcing: nothing to look up
        return np.zeros(0, np.int64), np.zeros(0, np.int64), demands
    cell, capability = pairs_by_key(demands.product, network.cap_product)  # by demand, then capability
    plant, year, market = network.cap_plant[capability], demands.year[cell], demands.market[cell]
    keep = network.plant_operating[plant, year] & ~np.isnan(network.freight_total[plant, market, :, year]).all(axis=1)
    return capability[keep], cell[keep], demands


def add_single_sourcing(program: LinearProgram, network: Network, profit: bool) -> None:
    """single_source[p,m,k,t] binary for every plant p that can serve a single-sourced demand (m,k,t): whether
    p is its source that year. One choice per plant, whatever sourcing option its units are made with.

    single_source_link[p,m,k,t]: sum of p's flows of m to k in t - U * single_source[p,m,k,t], where the demand
                                 has units: = 0 where none of it may go unserved (U: the demand; the demand row
                                 and one_source leave no slack), else <= 0 (U: the demand, or the most p could
                                 make of m if that is less).
    one_source[m,k,t]:           sum_p single_source[p,m,k,t] <= 1; = 1 where the demand has units and none may go
                                 unserved.

    The links are those of single-source facility location, x_ij <= d_j z_ij, and as equalities where the
    demand is met in full HiGHS's presolve substitutes the flows away, leaving the textbook model in z.
    """
    capability, cell, demands = single_source_cells(network)
    if len(capability) == 0:
        return
    year = demands.year[cell]
    index = pd.DataFrame({
        "plant": coded(network.cap_plant[capability], network.plants),
        "product": coded(demands.product[cell], network.products),
        "market": coded(demands.market[cell], network.markets),
        "year": network.years[year],
    })
    choice = program.add_variables("single_source", index, upper=1.0, integer=True)
    must = demands.demand >= 0  # per single-sourced demand: units that must all be served
    must[must] = ~lost_allowed(network, profit)[demands.demand[must]]
    entry = demands.demand[cell]
    linked = np.flatnonzero(entry >= 0)
    # Each flow of a single-sourced demand to its cell: cells are in order of (demand, capability).
    demand_of_entry = np.full(len(network.demand_units), -1, dtype=np.int64)
    demand_of_entry[demands.demand[demands.demand >= 0]] = np.flatnonzero(demands.demand >= 0)
    flow_demand = demand_of_entry[network.flow_demand]
    sourced = np.flatnonzero(flow_demand >= 0)
    n_caps = len(network.cap_plant)
    cell_key = cell[linked] * n_caps + capability[linked]
    row = np.searchsorted(cell_key, flow_demand[sourced] * n_caps + network.flow_capability[sourced])
    units = network.demand_units[entry[linked]]
    exact = must[cell[linked]]
    most = np.where(exact, units, np.minimum(units, _production_bound(network)[capability[linked], year[linked]]))
    can = np.flatnonzero(most > 0)  # a plant that can make none needs no term: its flows are bounded at 0
    terms = [(row, program.variables["flow"].columns(sourced), 1.0),
             (can, choice.columns(linked[can]), -most[can])]
    program.add_constraints("single_source_link", index.iloc[linked], terms, lower=np.where(exact, 0.0, -np.inf),
                            upper=0.0)
    demand, per_cell = np.unique(cell, return_inverse=True)
    one_index = pd.DataFrame({
        "product": coded(demands.product[demand], network.products),
        "market": coded(demands.market[demand], network.markets),
        "year": network.years[demands.year[demand]],
    })
    one_terms = [(per_cell, choice.columns(), 1.0),
                 *facility_single_sources(program, network, demand_of_entry, demand, must)]
    program.add_constraints("one_source", one_index, one_terms, lower=must[demand].astype(np.float64), upper=1.0)


def add_group_counts(program: LinearProgram, network: Network) -> None:
    """group_open[g,t]: least[g,t] <= sum over g's sites of open[s,t] <= most[g,t], in the years g's rule holds,
    where some member's opening or closing is a decision: the open variable of a site the plan opens or closes
    (a plant's open, a supplier's supplier_open, a centre's facility_open), 1 for a member that operates without
    one (moved to the bounds). Years without a decision are checked when the scenario is read
    (scenario/model/checks.py)."""
    rules = group_rules(network)
    if not rules.names:
        return
    n_years = len(network.years)
    kinds = ((network.plant_sites, PLANT_BLOCKS.open), (network.tiers.suppliers, "supplier_open"),
             (network.tiers.facilities, "facility_open"))
    open_anyway = np.zeros((len(rules.names), n_years))
    rows, columns = [], []
    for kind, (sites, block) in enumerate(kinds):
        mine = rules.member_kind == kind
        group, site = rules.member_group[mine], rules.member_site[mine]
        np.add.at(open_anyway, group, (sites.operating & ~sites.decides[:, None])[site])
        if block not in program.variables:
            continue
        cell, year = site_cells(sites)
        position = np.full(sites.operating.shape, -1, dtype=np.int64)
        position[cell, year] = program.variables[block].columns()
        member, year = np.nonzero(position[site] >= 0)
        rows.append(group[member] * n_years + year)
        columns.append(position[site[member], year])
    if not rows:
        return
    key, column = np.concatenate(rows), np.concatenate(columns)
    row_group, row_year = np.divmod(key, n_years)
    held = np.isfinite(rules.least[row_group, row_year]) | np.isfinite(rules.most[row_group, row_year])
    key, column = key[held], column[held]
    if len(key) == 0:
        return
    keys, row = np.unique(key, return_inverse=True)
    row_group, row_year = np.divmod(keys, n_years)
    index = pd.DataFrame({"group": np.array(rules.names, dtype=object)[row_group], "year": network.years[row_year]})
    program.add_constraints("group_open", index, [(row, column, 1.0)],
                            lower=rules.least[row_group, row_year] - open_anyway[row_group, row_year],
                            upper=rules.most[row_group, row_year] - open_anyway[row_group, row_year])


def _production_bound(network: Network) -> np.ndarray:
    """Most a capability can make per year: its product's demand, and its tightest pool's capacity."""
    n_caps, n_years = len(network.cap_plant), len(network.years)
    demand = np.zeros((len(network.products), n_years))
    np.add.at(demand, (network.demand_product, network.demand_year), network.demand_units)
    bound = demand[network.cap_product].copy()
    most = network.pool_capacity.copy()
    np.add.at(most, network.option_pool, (network.option_capacity * network.option_max_builds)[:, None])
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
    "plant_cells",
    "plant_decides",
    "previous_cells",
    "profile_names",
    "single_source_cells",
    "sourcing_cells",
]
