"""A Scenario compiled into integer-coded arrays: the input of the model builder.

Every entity gets a code (its position in the scenario); every per-unit cost is
converted into the reporting currency at its year's FX rate here, once, so that
the model builder and the Plan only index arrays. No loop runs per flow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, reduce
from typing import Any

import numpy as np

from footprint.economics.freight import (
    FREIGHT_PARTS,
    freight_past_entry,
    lane_parts,
    lane_transit_days,
    sea_distances,
)
from footprint.economics.fx import sourced_fx_rates
from footprint.economics.joins import pairs_by_key
from footprint.economics.modes import ROAD, SEA, FixedModes, LaneModes, compile_fixed_modes
from footprint.economics.origin import Claims, compile_claims
from footprint.economics.tiers import Sites, Tiers, compile_tiers
from footprint.economics.trade import SHARE_TOLERANCE, DutyRates, duty_rates
from footprint.scenario.model.figures import Growth, value_of
from footprint.scenario.model.network import Capability
from footprint.scenario.model.scenario import Scenario

UNIT_COMPONENTS = ("production_local", "production_imported", "sourcing", "freight", *FREIGHT_PARTS, "duty")
"""The parts of a unit's landed cost, in the reporting currency."""


@dataclass(frozen=True)
class Currencies:
    """Which currency each amount is stated in (codes into ``names``), for the FX exposure of a plan."""

    names: list[str]
    fx: np.ndarray
    """Units of each currency per unit of the reporting currency, by currency and year index."""
    fx_source: np.ndarray
    """Where each of those rates comes from (ECB mean, held, path, peg, given), by currency and year index."""
    plant: np.ndarray
    imported: np.ndarray
    """Of each capability's imported content."""
    profile: np.ndarray
    """Of each profile's sourcing costs."""
    freight: np.ndarray
    """Of each plant-market lane's freight (listed or default)."""
    freight_parts: int
    """Of freight computed from distances."""
    market: np.ndarray
    option: np.ndarray


@dataclass(frozen=True)
class Network:
    scenario: Scenario
    years: np.ndarray
    discount: np.ndarray
    """Discount factor per year index: 1 / (1 + rate) ** (year - first year)."""
    plants: list[str]
    products: list[str]
    markets: list[str]
    # capabilities (plant x product)
    cap_plant: np.ndarray
    cap_product: np.ndarray
    cap_launch: np.ndarray
    """Launch cost per capability and year index, reporting currency."""
    cap_min_volume: np.ndarray
    cap_in_production: np.ndarray
    # demand entries (product x market x year with units > 0)
    demand_product: np.ndarray
    demand_market: np.ndarray
    demand_year: np.ndarray
    demand_units: np.ndarray
    demand_penalty: np.ndarray
    """Cost per lost unit, reporting currency; NaN where demand must be met."""
    demand_price: np.ndarray
    # content profiles: each capability as it is (profile = capability), then one per sourcing option
    profile_capability: np.ndarray
    profile_extra: np.ndarray
    """Added cost per unit of a sourcing option, by profile and year index, reporting currency."""
    profile_qualifies: np.ndarray
    """Whether units of a profile qualify under each agreement: (profile, agreement, year index). Never for a
    product with a bill of materials: the plan decides its qualification (economics/origin.py)."""
    profile_member_share: np.ndarray
    """Share of a profile's own content (local and imported cost) from each agreement's members: (profile,
    agreement, year index)."""
    profile_dutiable: list[np.ndarray]
    """Per agreement: share of a profile's content its relieved duties apply to, (relief, profile, year)."""
    sourcing_names: list[str]
    sourcing_capability: np.ndarray
    sourcing_fixed: np.ndarray
    """Cost per year a sourcing option is in use, by option and year index, reporting currency."""
    # lane-years: one per possible flow (and content profile)
    flow_capability: np.ndarray
    flow_profile: np.ndarray
    flow_demand: np.ndarray
    flow_slot: np.ndarray
    """The slot of each flow's mode on its lane (all 0 where no lane has several modes)."""
    cap_local: np.ndarray
    """Local content per unit, by capability and year index, reporting currency."""
    cap_imported: np.ndarray
    """Imported content per unit, by capability and year index, reporting currency."""
    freight: dict[str, np.ndarray]
    """Freight per unit by plant, market, slot (a lane's modes in order) and year index, reporting currency:
    listed lanes, stated modes and the default under "freight", computed lanes under FREIGHT_PARTS (present only
    when freight is computed from distances); NaN in "freight" where there is no lane or mode."""
    freight_past_entry: np.ndarray
    """Of that freight, per unit by plant, market, slot and year index, the part after the goods enter the market's
    country (handling at its port, the road leg inland), which a cif customs value leaves out: 0 but on lanes
    computed from distances."""
    lane_mode: np.ndarray
    """The mode (code into MODES) of each plant-market lane's slot: (plant, market, slot); -1 where none."""
    lane_transit_days: np.ndarray
    """Transit days of each plant-market lane's slot: (plant, market, slot); NaN where unknown."""
    lane_fixed: np.ndarray
    """The index in fixed_modes of each plant-market lane's slot: (plant, market, slot); -1 for no fixed cost."""
    fixed_modes: FixedModes
    """The lanes' modes with a fixed cost per year used (direct lanes and the tiers')."""
    duty: DutyRates
    """Ad valorem rates by origin country, destination country, product class, year index and dated span."""
    plant_origin: np.ndarray
    """Country (row of duty_rate) of each plant."""
    market_destination: np.ndarray
    """Country (column of duty_rate) of each market."""
    product_class: np.ndarray
    """Product class (third axis of duty_rate) of each product."""
    market_cif: np.ndarray
    """Whether each market's customs value includes freight to the point of entry."""
    # pools
    pool_plant: np.ndarray
    pool_names: list[str]
    pool_capacity: np.ndarray
    """Base capacity per pool and year index (0 where the plant does not operate)."""
    member_pool: np.ndarray
    member_capability: np.ndarray
    # options
    option_names: list[str]
    option_pool: np.ndarray
    option_capacity: np.ndarray
    option_capex: np.ndarray
    """Capex per option and year index it comes online, reporting currency."""
    option_first_year: np.ndarray
    """Index of the first year the option can be online (len(years) if never)."""
    option_max_builds: np.ndarray
    """How many times each option may be built."""
    fixed_cost: np.ndarray
    """Fixed cost per plant and year index, reporting currency (0 where not operating)."""
    plant_operating: np.ndarray
    """Whether each plant operates in each year index."""
    plant_candidate: np.ndarray
    """Whether the plan decides if and when each plant opens (closed before)."""
    plant_closable: np.ndarray
    """Whether the plan may close each plant."""
    plant_first_open: np.ndarray
    """Index of the first year a candidate can be open (0 for other plants; len(years) if never)."""
    opening_cost: np.ndarray
    """Cost of opening per plant and year index it opens in, reporting currency."""
    closing_cost: np.ndarray
    """Cost of closing per plant and year index it closes in (its first year closed), reporting currency."""
    currencies: Currencies

    @cached_property
    def plant_sites(self) -> Sites:
        """The plants as sites the plan may open or close."""
        return Sites(self.plants, self.plant_operating, self.plant_candidate, self.plant_closable,
                     self.plant_first_open, self.fixed_cost, self.opening_cost, self.closing_cost)

    @cached_property
    def tiers(self) -> Tiers:
        """Suppliers, components and facilities around the plants, as arcs (empty for a network of one tier)."""
        currency_code = {name: code for code, name in enumerate(self.currencies.names)}
        return compile_tiers(self.scenario, self, currency_code, self.currencies.fx, self.duty, self.fixed_modes)

    # Per-flow codes are 32-bit and gathered from 32-bit tables: on a large network each per-flow
    # array is megabytes of fresh memory, and fresh memory is most of the cost of building.
    @cached_property
    def flow_plant(self) -> np.ndarray:
        return self.cap_plant.astype(np.int32)[self.flow_capability]

    @cached_property
    def flow_product(self) -> np.ndarray:
        return self.cap_product.astype(np.int32)[self.flow_capability]

    @cached_property
    def flow_market(self) -> np.ndarray:
        return self.demand_market.astype(np.int32)[self.flow_demand]

    @cached_property
    def flow_year(self) -> np.ndarray:
        return self.demand_year.astype(np.int32)[self.flow_demand]

    @property
    def flow_slots(self) -> np.ndarray | int:
        """The slot of each flow, to index the lane tables with: 0 where every lane has one mode (a scalar gathers
        faster)."""
        return self.flow_slot if self.lane_mode.shape[2] > 1 else 0

    @cached_property
    def flow_mode(self) -> np.ndarray:
        """Each flow's mode (code into MODES)."""
        return self.lane_mode[self.flow_plant, self.flow_market, self.flow_slots]

    @cached_property
    def flow_pools(self) -> tuple[np.ndarray, np.ndarray | slice]:
        """(pool, flow) for every flow and every pool of its plant that covers its product; flow is
        slice(None) when each flow is in exactly one pool (the pairs are the flows, in order)."""
        pools_per_capability = np.bincount(self.member_capability, minlength=len(self.cap_plant))
        if (pools_per_capability == 1).all():
            pool_of = np.empty(len(self.cap_plant), np.int32)
            pool_of[self.member_capability] = self.member_pool
            return pool_of[self.flow_capability], slice(None)
        flow, member = pairs_by_key(self.flow_capability, self.member_capability)
        return self.member_pool.astype(np.int32)[member], flow

    def unit_costs(self, flows: np.ndarray) -> dict[str, np.ndarray]:
        """Each of UNIT_COMPONENTS per unit of the given flows, undiscounted.

        Computed on demand from small tables, so that a large network's per-flow components
        exist only for the flows someone asks about (those of a plan, those of a lane).
        """
        profile, year = self.flow_profile[flows], self.flow_year[flows]
        capability = self.profile_capability[profile]
        plant, market = self.cap_plant[capability], self.flow_market[flows]
        slot = self.flow_slot[flows] if self.lane_mode.shape[2] > 1 else 0
        costs = {"production_local": self.cap_local[capability, year],
                 "production_imported": self.cap_imported[capability, year],
                 "sourcing": self.profile_extra[profile, year]}
        freight = {part: np.zeros(len(flows)) for part in ("freight", *FREIGHT_PARTS)}  # parts: when computed
        costs |= freight | {part: table[plant, market, slot, year] for part, table in self.freight.items()}
        value = costs["production_local"] + costs["production_imported"] + costs["sourcing"]
        if self.scenario.components:
            value += self.product_bom_value[self.cap_product[capability], year]
        costs["duty"] = self.duty_rate(profile, market, year) * self._customs_value(
            market, value, self.freight_to_entry[plant, market, slot, year])
        return costs

    @cached_property
    def product_bom_value(self) -> np.ndarray:
        """The value of each product's bill of materials per unit (its components at value), by product and year
        index, reporting currency: with its production cost, its value at the plant for customs and rules of
        origin."""
        if not self.scenario.components:
            return np.zeros((len(self.products), len(self.years)))
        return self.tiers.product_bom @ self.tiers.component_value

    def duty_rate(self, profile: np.ndarray, market: np.ndarray, year: np.ndarray) -> np.ndarray:
        """The rate units of each profile pay in each market and year: the general rate, or for units that
        qualify under agreements, the lowest rate on offer in each span of the year, weighted by days."""
        rate = self._by_pair(self.duty.yearly_general)[self.profile_duty_pair[profile], market, year]
        if self.profile_claims.any():
            claiming = np.flatnonzero(self.profile_claims[profile, year])
            rate[claiming] = self._claimed_rate(profile[claiming], market[claiming], year[claiming])
        return rate

    def _claimed_rate(self, profile: np.ndarray, market: np.ndarray, year: np.ndarray) -> np.ndarray:
        """The rate of units that qualify under some agreement. In each span an importer claims the preference
        only where it pays: the lowest of the general rate and each agreement's (with its relieved duties on
        the units' dutiable content, which differs per profile), then the spans weighted by their days."""
        cell = (self.profile_duty_pair[profile], market, year)
        lowest = self._by_pair(self.duty.general)[cell]  # (unit, span)
        for a in range(len(self.duty.agreements)):
            qualifies = self.profile_qualifies[profile, a, year]
            if qualifies.any():
                np.minimum(lowest, self._agreement_rate(a, profile, market, year), out=lowest,
                           where=qualifies[:, None])
        return np.einsum("us,us->u", lowest, self.duty.span_share[year])

    def _agreement_rate(self, a: int, profile: np.ndarray, market: np.ndarray, year: np.ndarray) -> np.ndarray:
        """The rate of units claiming agreement ``a`` in each span of their year, (unit, span): its preferential
        rate with the duties it relieves on the units' dutiable content."""
        cell = (self.profile_duty_pair[profile], market, year)
        agreement = self.duty.agreements[a]
        rate = self._by_pair(agreement.qualified)[cell]
        for r, (_, table) in enumerate(agreement.relief):
            rate += self._by_pair(table)[cell] * self.profile_dutiable[a][r, profile, year][:, None]
        return rate

    def claimed_rate(self, profile: np.ndarray, market: np.ndarray, year: np.ndarray, a: int) -> np.ndarray:
        """The rate units of each profile pay in each market and year when they claim agreement ``a``, whether
        they qualify or not: in each span the lower of the general rate and the agreement's (a claim is made only
        where it pays), the spans weighted by their days."""
        cell = (self.profile_duty_pair[profile], market, year)
        lowest = np.minimum(self._by_pair(self.duty.general)[cell], self._agreement_rate(a, profile, market, year))
        return np.einsum("us,us->u", lowest, self.duty.span_share[year])

    def customs_value(self, flows: np.ndarray) -> np.ndarray:
        """The customs value per unit of the given flows: the value at the plant (production cost and bill of
        materials at value), plus the freight to the point of entry where the market counts it (cif)."""
        profile, year, market = self.flow_profile[flows], self.flow_year[flows], self.flow_market[flows]
        capability = self.profile_capability[profile]
        slot = self.flow_slot[flows] if self.lane_mode.shape[2] > 1 else 0
        value = self.cap_local[capability, year] + self.cap_imported[capability, year]
        value += self.profile_extra[profile, year] + self.product_bom_value[self.cap_product[capability], year]
        return self._customs_value(market, value,
                                   self.freight_to_entry[self.cap_plant[capability], market, slot, year])

    @cached_property
    def claims(self) -> Claims:
        """The claims of agreements' preferences the plan may make for products with a bill of materials, and what
        they need of the components it routes (economics/origin.py)."""
        return compile_claims(self)

    @cached_property
    def profile_claims(self) -> np.ndarray:
        """Whether units of each profile qualify under some agreement, by profile and year index."""
        return self.profile_qualifies.any(axis=1)

    def _by_pair(self, table: np.ndarray) -> np.ndarray:
        """A duty table by (origin, destination, class, year, ...) as one by (profile's duty pair, market, year,
        ...): small, so that each rate is one gather."""
        return table[:, self.market_destination].swapaxes(1, 2).reshape(-1, len(self.markets), *table.shape[3:])

    @cached_property
    def profile_duty_pair(self) -> np.ndarray:
        """Each profile's (origin country, product class) as one code: origin * classes + class."""
        capability = self.profile_capability
        return (self.plant_origin[self.cap_plant[capability]] * self.duty.general.shape[2]
                + self.product_class[self.cap_product[capability]]).astype(np.int32)

    def _customs_value(self, market: np.ndarray, value: np.ndarray, freight: np.ndarray) -> np.ndarray:
        """The value at the plant (production cost and bill of materials at value), plus the freight to the point of
        entry where the market counts it (cif)."""
        customs = np.where(self.market_cif[market], freight, 0.0)
        customs += value
        return customs

    @cached_property
    def freight_total(self) -> np.ndarray:
        """Freight per unit by plant, market, slot and year, all parts together (NaN: no lane)."""
        return reduce(np.add, self.freight.values())

    @cached_property
    def freight_to_entry(self) -> np.ndarray:
        """Freight per unit by plant, market, slot and year up to the point the goods enter the market's country:
        the part a cif customs value counts."""
        return self.freight_total - self.freight_past_entry

    @cached_property
    def unit_cost(self) -> np.ndarray:
        """Landed cost per unit of every flow (the sum of its components), undiscounted."""
        # In place where it can be: each temporary here is as long as the flows.
        profile, capability, year, market = self.flow_profile, self.flow_capability, self.flow_year, self.flow_market
        cost = self.cap_local[capability, year]
        cost += self.cap_imported[capability, year]
        if len(self.sourcing_names):
            cost += self.profile_extra[profile, year]
        slot = self.flow_slots
        customs = self._customs_value(market, cost, self.freight_to_entry[self.flow_plant, market, slot, year])
        if self.scenario.components:
            customs += self.product_bom_value[self.flow_product, year]
        cost += self.freight_total[self.flow_plant, market, slot, year]
        customs *= self.duty_rate(profile, market, year)
        cost += customs
        return cost


def product_capabilities(scenario: Scenario) -> list[Capability]:
    """The capabilities that make products (the others make components: see ``tiers``)."""
    products = {product.id for product in scenario.products}
    return [capability for capability in scenario.capabilities if capability.product in products]


def _codes(names: list[str]) -> dict[str, int]:
    return {name: code for code, name in enumerate(names)}


def _fx_table(scenario: Scenario) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Currency codes, the matrix of units per reporting unit by currency and year index, and each rate's
    source."""
    table = sourced_fx_rates(scenario)
    currencies = [scenario.currency, *sorted(c for c in table if c != scenario.currency)]
    rates = np.array([[table[c][year].value for year in scenario.years] for c in currencies])
    sources = np.array([[table[c][year].source for year in scenario.years] for c in currencies], dtype=object)
    return _codes(currencies), rates, sources


def compile_network(scenario: Scenario) -> Network:
    """Compile a validated scenario into arrays for the model builder."""
    years = scenario.years
    n_years = len(years)
    year_array = np.array(years)
    discount = (1.0 + value_of(scenario.discount_rate)) ** -(year_array - years[0]).astype(np.float64)
    currency_code, fx, fx_source = _fx_table(scenario)
    plants = [p.id for p in scenario.plants]
    products = [p.id for p in scenario.products]
    markets = [m.id for m in scenario.markets]
    plant_code, product_code = _codes(plants), _codes(products)
    plant_currency = np.array([currency_code[p.currency] for p in scenario.plants])
    operating = np.array([[p.operating_years.contains(y) for y in years] for p in scenario.plants])

    caps = product_capabilities(scenario)
    cap_plant = np.array([plant_code[c.plant] for c in caps], dtype=np.int64)
    cap_product = np.array([product_code[c.product] for c in caps], dtype=np.int64)
    local = np.array([value_of(c.local_cost) for c in caps])
    imported = np.array([value_of(c.imported_cost) for c in caps])
    imported_currency = np.array([currency_code.get(c.imported_currency or scenario.currency, 0) for c in caps],
                                 dtype=np.int64)
    launch = np.array([value_of(c.launch_cost) for c in caps])
    cap_launch = launch[:, None] / fx[plant_currency[cap_plant]]

    demand = _demand_entries(scenario, product_code, currency_code, fx)
    d_product, d_market, d_year, d_units, d_penalty, d_price = demand

    fixed_modes = compile_fixed_modes(scenario, currency_code, fx)
    lanes = _freight_tables(scenario, currency_code, fx, fixed_modes)
    freight = lanes.freight

    cap_local = local[:, None] / fx[plant_currency[cap_plant]]
    cap_imported = imported[:, None] / fx[imported_currency]
    rates = duty_rates(scenario, _content_countries(scenario))
    profiles = _profiles(scenario, rates, cap_plant, cap_local, cap_imported, currency_code, fx)
    profile_capability = profiles["profile_capability"]
    sourcing_currency = profiles.pop("sourcing_currency")

    flow_demand, flow_profile = pairs_by_key(d_product, cap_product[profile_capability])
    flow_cap = profile_capability.astype(np.int32)[flow_profile] if len(profiles["sourcing_names"]) else flow_profile
    n_slots = lanes.mode.shape[2]
    flow_slot = np.tile(np.arange(n_slots, dtype=np.int8), len(flow_demand))  # a flow per mode of its lane
    if n_slots > 1:
        flow_cap, flow_profile, flow_demand = (np.repeat(a, n_slots) for a in (flow_cap, flow_profile, flow_demand))
    promise = np.array([np.inf if m.max_transit_days is None else value_of(m.max_transit_days)
                        for m in scenario.markets])
    promised = np.isfinite(promise).any()
    if not (operating.all() and not np.isnan(freight["freight"]).any() and not promised):  # flows that cannot be
        f_plant, f_year, f_market = cap_plant[flow_cap], d_year[flow_demand], d_market[flow_demand]
        slot = flow_slot if n_slots > 1 else 0
        keep = operating[f_plant, f_year] & ~np.isnan(freight["freight"][f_plant, f_market, slot, f_year])
        if promised:  # modes slower than a market's promise, or of unknown transit days, do not serve it
            keep &= np.isinf(promise[f_market]) | (lanes.transit_days[f_plant, f_market, slot] <= promise[f_market])
        flow_cap, flow_profile, flow_demand, flow_slot = (flow_cap[keep], flow_profile[keep], flow_demand[keep],
                                                          flow_slot[keep])

    origin = np.array([rates.country[p.country] for p in scenario.plants])
    destination = np.array([rates.country[m.country] for m in scenario.markets])
    product_class = np.array([rates.product_class[p.product_class] for p in scenario.products])

    pool_plant, pool_names, pool_capacity = [], [], []
    member_pool, member_cap = [], []
    cap_index = {(c.plant, c.product): i for i, c in enumerate(caps)}
    for plant in scenario.plants:
        for pool in plant.pools:
            q = len(pool_names)
            pool_plant.append(plant_code[plant.id])
            pool_names.append(pool.id)
            pool_capacity.append(_table(_year_values([pool.capacity], years, 0.0), n_years)[0]
                                 * operating[plant_code[plant.id]])
            for product in pool.products:
                if (plant.id, product) in cap_index:
                    member_pool.append(q)
                    member_cap.append(cap_index[(plant.id, product)])
    pool_key = {(plants[p], name): q for q, (p, name) in enumerate(zip(pool_plant, pool_names, strict=True))}

    options = scenario.options
    option_capex = np.array([
        value_of(o.capex) / fx[currency_code[o.currency or scenario.plants[plant_code[o.plant]].currency]]
        for o in options
    ]).reshape(len(options), n_years)
    option_first = np.array([
        int(np.searchsorted(year_array, o.earliest_year)) if o.earliest_year is not None else 0
        for o in options
    ], dtype=np.int64)

    fixed = np.array([value_of(p.fixed_cost) for p in scenario.plants])[:, None] / fx[plant_currency]
    opening = np.array([value_of(p.opening_cost) for p in scenario.plants])[:, None] / fx[plant_currency]
    closing = np.array([value_of(p.closing_cost) for p in scenario.plants])[:, None] / fx[plant_currency]
    first_open = np.array([int(np.searchsorted(year_array, p.earliest_open)) if p.earliest_open is not None else 0
                           for p in scenario.plants], dtype=np.int64)
    return Network(
        scenario=scenario,
        years=year_array,
        discount=discount,
        plants=plants,
        products=products,
        markets=markets,
        cap_plant=cap_plant,
        cap_product=cap_product,
        cap_launch=cap_launch,
        cap_min_volume=np.array([value_of(c.min_volume) for c in caps]),
        cap_in_production=np.array([c.in_production for c in caps], dtype=bool),
        demand_product=d_product,
        demand_market=d_market,
        demand_year=d_year,
        demand_units=d_units,
        demand_penalty=d_penalty,
        demand_price=d_price,
        **profiles,
        flow_capability=flow_cap,
        flow_profile=flow_profile,
        flow_demand=flow_demand,
        flow_slot=flow_slot,
        cap_local=cap_local,
        cap_imported=cap_imported,
        freight=freight,
        freight_past_entry=lanes.past_entry,
        lane_mode=lanes.mode,
        lane_transit_days=lanes.transit_days,
        lane_fixed=lanes.fixed,
        fixed_modes=fixed_modes,
        duty=rates,
        plant_origin=origin,
        market_destination=destination,
        product_class=product_class,
        market_cif=np.array([m.customs_basis == "cif" for m in scenario.markets]),
        pool_plant=np.array(pool_plant, dtype=np.int64),
        pool_names=pool_names,
        pool_capacity=np.array(pool_capacity).reshape(len(pool_names), n_years),
        member_pool=np.array(member_pool, dtype=np.int64),
        member_capability=np.array(member_cap, dtype=np.int64),
        option_names=[o.id for o in options],
        option_pool=np.array([pool_key[(o.plant, o.pool)] for o in options], dtype=np.int64),
        option_capacity=np.array([value_of(o.capacity) for o in options]),
        option_capex=option_capex,
        option_first_year=option_first,
        option_max_builds=np.array([o.max_builds for o in options], dtype=np.int64),
        fixed_cost=fixed * operating,
        plant_operating=operating,
        plant_candidate=np.array([p.candidate for p in scenario.plants], dtype=bool),
        plant_closable=np.array([p.closable for p in scenario.plants], dtype=bool),
        plant_first_open=first_open,
        opening_cost=opening,
        closing_cost=closing,
        currencies=Currencies(
            names=list(currency_code),
            fx=fx,
            fx_source=fx_source,
            plant=plant_currency,
            imported=imported_currency,
            profile=np.concatenate([plant_currency[cap_plant], sourcing_currency]).astype(np.int64),
            freight=lanes.currency,
            freight_parts=currency_code[(scenario.freight_rates and scenario.freight_rates.currency)
                                        or scenario.currency],
            market=np.array([currency_code[m.currency or scenario.currency] for m in scenario.markets],
                            dtype=np.int64),
            option=np.array([currency_code[o.currency or scenario.plants[plant_code[o.plant]].currency]
                             for o in options], dtype=np.int64),
        ),
    )


@dataclass(frozen=True)
class DirectLanes:
    """The plant-to-market lanes by plant, market and slot (a lane's modes in its order; one slot unless a listed
    lane has several modes): freight per unit by part and year index, the part of it past the point of entry, and
    each lane's currency (by plant and market), each mode's code into MODES (-1: none), its transit days (NaN:
    unknown) and its fixed cost's index in FixedModes (-1: none)."""

    freight: dict[str, np.ndarray]
    past_entry: np.ndarray
    currency: np.ndarray
    mode: np.ndarray
    transit_days: np.ndarray
    fixed: np.ndarray


def _freight_tables(scenario: Scenario, currency_code: dict[str, int], fx: np.ndarray,
                    fixed: FixedModes) -> DirectLanes:
    """Freight per unit by plant, market, slot and year: listed lanes first, then lanes computed from
    distances (freight_rates), then default_freight; NaN in "freight" where no lane exists (see DirectLanes).

    A listed lane's freight, a stated mode's cost and the default are single figures: they count whole in a cif
    value."""
    plant_code = {plant.id: p for p, plant in enumerate(scenario.plants)}
    market_code = {market.id: k for k, market in enumerate(scenario.markets)}
    lanes = [lane for lane in scenario.lanes if lane.origin in plant_code and lane.destination in market_code]
    n_slots = max([1, *(len(lane.modes) for lane in lanes)])
    shape = (len(scenario.plants), len(scenario.markets), n_slots, len(scenario.years))
    lane_currency = np.zeros(shape[:2], dtype=np.int64)
    default = np.nan if scenario.default_freight is None else value_of(scenario.default_freight)
    tables = {"freight": np.full(shape, np.nan)}
    tables["freight"][:, :, 0] = default
    past_entry = np.zeros(shape)
    mode = np.full(shape[:3], -1, dtype=np.int8)
    mode[:, :, 0] = -1 if scenario.default_freight is None else SEA
    transit = np.full(shape[:3], np.nan)
    rates = scenario.freight_rates
    if rates is not None:  # a Python loop per plant and market, only when distances are asked for
        tables |= {part: np.zeros(shape) for part in FREIGHT_PARTS}
        rate = fx[currency_code[rates.currency or scenario.currency]]
        sea_distances([((plant.port.lon, plant.port.lat), (market.port.lon, market.port.lat))  # routed at once
                       for plant in scenario.plants for market in scenario.markets if plant.port and market.port])
        for p, plant in enumerate(scenario.plants):
            for k, market in enumerate(scenario.markets):
                parts = lane_parts(plant, market, rates)
                if parts is not None:
                    tables["freight"][p, k, 0] = 0.0
                    for part, amount in parts.items():
                        tables[part][p, k, 0] = amount / rate
                    past_entry[p, k, 0] = freight_past_entry(plant, market, rates) / rate
                    mode[p, k, 0] = SEA if plant.port is not None and market.port is not None else ROAD
                    transit[p, k, 0] = lane_transit_days(plant, market, rates)
    stated = [lane for lane in lanes if lane.freight is not None]
    if stated:  # listed lanes override, all at once
        p = np.array([plant_code[lane.origin] for lane in stated])
        k = np.array([market_code[lane.destination] for lane in stated])
        currency = np.array([currency_code[lane.currency or scenario.currency] for lane in stated])
        amount = np.array([value_of(lane.freight) for lane in stated])
        tables["freight"][p, k, 0] = amount[:, None] / fx[currency]
        lane_currency[p, k] = currency
        for part in tables.keys() - {"freight"}:
            tables[part][p, k, 0] = 0.0
        past_entry[p, k, 0] = 0.0
        mode[p, k, 0] = SEA
        days = np.array([np.nan if lane.transit_days is None else value_of(lane.transit_days) for lane in stated])
        transit[p, k, 0] = np.where(np.isnan(days), transit[p, k, 0], days)  # else as computed from distances
    slots = np.full(shape[:3], -1, dtype=np.int32)
    modes = LaneModes(scenario, currency_code, fx, lanes, fixed)
    for lane in lanes:
        if lane.freight is not None:
            continue
        p, k = plant_code[lane.origin], market_code[lane.destination]
        found = modes(scenario.plants[p], scenario.markets[k])
        lane_currency[p, k] = currency_code[lane.currency or scenario.currency]
        tables["freight"][p, k] = np.nan
        for part in tables.keys() - {"freight"}:
            tables[part][p, k] = 0.0
        mode[p, k], transit[p, k], past_entry[p, k] = -1, np.nan, 0.0
        for slot, cost in enumerate(found):
            tables["freight"][p, k, slot] = 0.0
            for part, amount in cost.parts.items():
                tables[part][p, k, slot] = amount
            past_entry[p, k, slot] = cost.past_entry
            mode[p, k, slot], transit[p, k, slot], slots[p, k, slot] = cost.mode, cost.transit_days, cost.fixed
    return DirectLanes(tables, past_entry, lane_currency, mode, transit, slots)


def _year_values(series: Iterable[Any], years: list[int], default: float) -> list[Any]:
    """Each series' number (plain or figure) for each year, as one flat list: ``default`` where a
    series is None or has no entry for a year; a growth series grows from the first of ``years`` (the
    horizon's). One comprehension, not a call per series: a large network has a series per product and market."""
    n_years = len(years)
    return [value for one in series for value in (
        [default] * n_years if one is None
        else [one.get(year, default) for year in years] if isinstance(one, dict)
        else one.over(years) if isinstance(one, Growth)
        else [one] * n_years)]


def _table(values: list[Any], n_years: int) -> np.ndarray:
    """A flat list of numbers or figures as a float array with a column per year (the fast path when
    all are plain numbers)."""
    try:
        return np.array(values, dtype=np.float64).reshape(-1, n_years)
    except TypeError:  # some entries are figures
        return np.array([value_of(v) for v in values], dtype=np.float64).reshape(-1, n_years)


def _demand_entries(
    scenario: Scenario, product_code: dict[str, int], currency_code: dict[str, int], fx: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Product, market, year index, units, penalty and price of every demand with units > 0."""
    years = scenario.years
    n_years = len(years)
    pair_product: list[int] = []
    pair_market: list[int] = []
    units: list[Any] = []
    penalty: list[Any] = []
    price: list[Any] = []
    for m, market in enumerate(scenario.markets):  # a few comprehensions per market, not a call per pair
        demand, lost, sale = market.demand, market.lost_sale_penalty, market.price
        pair_product += [product_code[product] for product in demand]
        pair_market += [m] * len(demand)
        units += _year_values(demand.values(), years, 0.0)
        penalty += _year_values((lost.get(product) for product in demand), years, np.nan)
        price += _year_values((sale.get(product) for product in demand), years, 0.0)
    market_currency = np.array([currency_code[m.currency or scenario.currency] for m in scenario.markets],
                               dtype=np.int64)
    pair_market_array = np.array(pair_market, dtype=np.int64)
    rate = fx[market_currency[pair_market_array]].reshape(len(pair_market), n_years)
    unit_table = _table(units, n_years)
    pair, year = np.nonzero(unit_table > 0)
    per_unit = {name: (_table(table, n_years) / rate)[pair, year]
                for name, table in (("penalty", penalty), ("price", price))}
    return (np.array(pair_product, dtype=np.int64)[pair], pair_market_array[pair], year.astype(np.int64),
            unit_table[pair, year], per_unit["penalty"], per_unit["price"])


def _content_countries(scenario: Scenario) -> set[str]:
    """Countries content can come from, besides plants' own."""
    countries = set()
    for capability in scenario.capabilities:
        countries |= set(capability.content or {}) | {capability.imported_origin} - {None}
        countries |= {s.origin for s in capability.sourcing} | {s.replaces for s in capability.sourcing} - {None}
    return countries


def _profiles(scenario: Scenario, rates: DutyRates, cap_plant: np.ndarray, cap_local: np.ndarray,
              cap_imported: np.ndarray, currency_code: dict[str, int], fx: np.ndarray) -> dict[str, Any]:
    """Content profiles (each capability, then each sourcing option) with their added cost, whether
    they qualify under each agreement, and the share of content relieved duties apply to."""
    caps = product_capabilities(scenario)
    n_caps, n_years = cap_local.shape
    sourcing = [(i, option) for i, capability in enumerate(caps) for option in capability.sourcing]
    source_cap = np.array([i for i, _ in sourcing], dtype=np.int64)
    currency = [currency_code[o.currency or scenario.plants[cap_plant[i]].currency] for i, o in sourcing]
    per_year = fx[currency] if sourcing else np.zeros((0, n_years))
    extra = np.array([value_of(o.extra_cost) for _, o in sourcing]).reshape(-1, 1) / per_year
    profiles = {
        "profile_capability": np.concatenate([np.arange(n_caps), source_cap]).astype(np.int64),
        "profile_extra": np.concatenate([np.zeros((n_caps, n_years)), extra]),
        "sourcing_names": [o.id for _, o in sourcing],
        "sourcing_capability": source_cap,
        "sourcing_fixed": np.array([value_of(o.fixed_cost) for _, o in sourcing]).reshape(-1, 1) / per_year,
        "sourcing_currency": np.array(currency, dtype=np.int64),
    }
    n_profiles = n_caps + len(sourcing)
    if not rates.agreements:
        return profiles | {"profile_qualifies": np.zeros((n_profiles, 0, n_years), dtype=bool),
                           "profile_member_share": np.zeros((n_profiles, 0, n_years)), "profile_dutiable": []}
    content = _content(scenario, rates.country, cap_plant, cap_local, cap_imported, sourcing)
    plant_country = np.array([rates.country[scenario.plants[p].country] for p in cap_plant])
    origin = plant_country[profiles["profile_capability"]]
    with_bom = {product.id for product in scenario.products if product.bom}
    decided = np.array([caps[c].product in with_bom for c in profiles["profile_capability"]], dtype=bool)
    qualifies = np.zeros((n_profiles, len(rates.agreements), n_years), dtype=bool)
    member_share = np.zeros((n_profiles, len(rates.agreements), n_years))
    dutiable = []
    for a, agreement in enumerate(rates.agreements):
        member_share[:, a] = np.einsum("pct,ct->pt", content, agreement.member)
        qualifies[:, a] = (agreement.member[origin] & (member_share[:, a] >= agreement.threshold - SHARE_TOLERANCE)
                           & ~decided[:, None])
        dutiable.append(np.array([1.0 - np.einsum("pct,c->pt", content, exempt)
                                  for exempt, _ in agreement.relief]).reshape(-1, n_profiles, n_years))
    return profiles | {"profile_qualifies": qualifies, "profile_member_share": member_share,
                       "profile_dutiable": dutiable}


def _content(scenario: Scenario, country: dict[str, int], cap_plant: np.ndarray, cap_local: np.ndarray,
             cap_imported: np.ndarray, sourcing: list) -> np.ndarray:
    """Share of each profile's unit value by country of origin and year: (profile, country, year).

    Stated shares where a capability gives them; otherwise local cost from the plant's country and
    imported cost from imported_origin (non-originating when unnamed), by each year's costs. A sourcing
    option moves its share (at most what there is) from the content it replaces to its origin.
    """
    caps = product_capabilities(scenario)
    n_caps, n_years = cap_local.shape
    content = np.zeros((n_caps, len(country), n_years))
    total = cap_local + cap_imported
    local_share = np.divide(cap_local, total, out=np.ones_like(total), where=total > 0)
    for i, capability in enumerate(caps):
        if capability.content is not None:
            for origin, share in capability.content.items():
                content[i, country[origin]] = value_of(share)
            continue
        content[i, country[scenario.plants[cap_plant[i]].country]] += local_share[i]
        if capability.imported_origin is not None:
            content[i, country[capability.imported_origin]] += 1.0 - local_share[i]
    moved = []
    for i, option in sourcing:
        profile = content[i].copy()
        source = option.replaces or caps[i].imported_origin
        available = profile[country[source]] if source is not None else 1.0 - profile.sum(axis=0)
        amount = np.minimum(value_of(option.share), available)
        if source is not None:
            profile[country[source]] -= amount
        profile[country[option.origin]] += amount
        moved.append(profile)
    return np.concatenate([content, np.array(moved).reshape(-1, len(country), n_years)])
