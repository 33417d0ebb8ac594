"""The tiers around the plants, compiled into arcs: components bought from suppliers or made at plants and shipped to
the plants that use them, and products routed through distribution centres (facilities) to markets.

Every arc is a (from, what, to, year) a plan may use, with its cost per unit in the reporting currency, split into
its parts (purchase or making, freight, handling, duty). A plant's own components move to itself at no freight and
no duty. Duties follow the goods' class and the countries they leave and enter:

- a component pays the general rate (no preference claimed) on entering the using plant's country, on its price
  (bought) or its maker's cost plus its own bill of materials at value (made);
- a product's customs value is its production cost at the plant plus its bill of materials at value (its parts'
  cost is not in its production cost, but their value is in what crosses the border);
- a product routed through a facility pays its duty once, on entering the market's country, by the plant that
  made it, as a direct shipment would: a facility is a bonded warehouse (the goods are not cleared there), so a
  facility's goods keep their origin. Where no product a facility receives pays any duty into the markets it
  serves, its goods are pooled by product; otherwise they keep their origin (their content profile). Its customs
  value is its production cost plus its bill of materials at value, as shipped direct; a product with a bill of
  materials claims no agreement through a facility (it pays the general rate: its claims are on direct flows,
  economics/origin.py).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from footprint.economics.joins import pairs_by_key
from footprint.economics.modes import NO_MODE, FixedModes, LaneModes, ModeTable
from footprint.economics.trade import DutyRates
from footprint.scenario.model.figures import value_of, year_values
from footprint.scenario.model.scenario import Scenario

ARC_PARTS = ("purchase", "making", "freight", "handling", "duty")
"""The parts of an arc's cost per unit (those that do not apply are 0)."""


@dataclass(frozen=True)
class Sites:
    """Nodes the plan may open or close (plants, suppliers, facilities), as arrays by site and year index."""

    names: list[str]
    operating: np.ndarray
    candidate: np.ndarray
    closable: np.ndarray
    first_open: np.ndarray
    """Index of the first year a candidate can be open (0 for other sites; len(years) if never)."""
    fixed_cost: np.ndarray
    """Per site and year index, reporting currency (0 where not operating)."""
    opening_cost: np.ndarray
    closing_cost: np.ndarray

    @property
    def decides(self) -> np.ndarray:
        """Sites the plan opens or closes."""
        return self.candidate | self.closable


def compile_sites(sites: list[Any], years: list[int], fx: np.ndarray, currency: np.ndarray) -> Sites:
    """The status arrays of ``sites`` (Site entities), their costs converted at each year's rate (``currency``:
    each site's currency code into ``fx``)."""
    year_array = np.array(years)
    operating = np.array([[site.operating_years.contains(y) for y in years] for site in sites],
                         dtype=bool).reshape(len(sites), len(years))
    per_year = fx[currency] if len(sites) else np.zeros((0, len(years)))

    def cost(name: str) -> np.ndarray:
        return np.array([value_of(getattr(site, name)) for site in sites]).reshape(-1, 1) / per_year

    return Sites(
        names=[site.id for site in sites],
        operating=operating,
        candidate=np.array([site.candidate for site in sites], dtype=bool),
        closable=np.array([site.closable for site in sites], dtype=bool),
        first_open=np.array([int(np.searchsorted(year_array, site.earliest_open)) if site.earliest_open is not None
                             else 0 for site in sites], dtype=np.int64),
        fixed_cost=cost("fixed_cost") * operating,
        opening_cost=cost("opening_cost"),
        closing_cost=cost("closing_cost"),
    )


@dataclass(frozen=True)
class Arcs:
    """Arcs of one kind: for each, where it starts and ends (codes into the kind's node lists), what it carries,
    its year index, its cost per unit by part (ARC_PARTS, undiscounted, reporting currency), and the transport mode
    it goes by (a lane with several modes has an arc per mode): the mode's code into MODES (NO_MODE: none), its
    transit days (NaN: unknown) and its fixed cost's index in FixedModes (-1: none)."""

    origin: np.ndarray
    item: np.ndarray
    destination: np.ndarray
    year: np.ndarray
    parts: dict[str, np.ndarray]
    mode: np.ndarray
    transit_days: np.ndarray
    fixed: np.ndarray

    @property
    def cost(self) -> np.ndarray:
        return sum(self.parts.values(), np.zeros(len(self.year)))

    def __len__(self) -> int:
        return len(self.year)


@dataclass(frozen=True)
class Tiers:
    """The arcs and balances beyond direct plant-to-market flows (empty for a scenario of one tier)."""

    components: list[str]
    component_class: np.ndarray
    """Product class (third axis of the duty tables) of each component."""
    component_value: np.ndarray
    """Value per unit of each component for customs and rules of origin, by component and year index, reporting
    currency."""
    product_bom: np.ndarray
    """Units of each component per unit of each product: (product, component)."""
    component_bom: np.ndarray
    """Units of each component per unit of each component: (component made, component used)."""
    suppliers: Sites
    facilities: Sites
    # plants that make components ("makers"): plant, component, cost per unit by year, and their pools
    maker_plant: np.ndarray
    maker_component: np.ndarray
    maker_local: np.ndarray
    """A maker's local cost per unit, by maker and year index, reporting currency."""
    maker_cost: np.ndarray
    """A maker's local and imported cost per unit, by maker and year index, reporting currency."""
    maker_member_pool: np.ndarray
    maker_member: np.ndarray
    # what suppliers sell ("offers"): per offer and year index, the most units (inf: no limit)
    offer_supplier: np.ndarray
    offer_component: np.ndarray
    offer_capacity: np.ndarray
    offer_min_volume: np.ndarray
    supply: Arcs
    """supplier -> plant, carrying a component; ``item`` is the offer (its component: offer_component)."""
    transfer: Arcs
    """maker -> plant, carrying the maker's component; ``origin`` is the maker."""
    inbound: Arcs
    """product profile -> facility; ``origin`` is the profile (its plant and product: the network's)."""
    delivery: Arcs
    """facility -> demand entry; ``item`` is the commodity, ``destination`` the demand entry."""
    inbound_commodity: np.ndarray
    """The commodity each inbound arc feeds at its facility."""
    commodity_facility: np.ndarray
    commodity_product: np.ndarray
    commodity_profile: np.ndarray
    """The content profile of a commodity that keeps its origin; -1 for one pooled by product."""
    facility_capacity: np.ndarray
    """Most units each facility handles, per year index (inf: no limit)."""

    @cached_property
    def explosion(self) -> np.ndarray:
        """Units of each component per unit of each product through its bills of materials at every level:
        (product, component): the product boms times each power of the component bom, level by level over their
        non-zeros (validated acyclic, so the levels end; no dense inverse, which BLAS threads on a busy machine make
        slow)."""
        explosion = self.product_bom.copy()
        level = self.product_bom
        made, used = np.nonzero(self.component_bom)
        for _ in self.components:  # a path through an acyclic bom has fewer levels than components
            product, component = np.nonzero(level)
            if not len(product):
                break
            pair, entry = pairs_by_key(component, made)
            units = level[product[pair], component[pair]] * self.component_bom[made[entry], used[entry]]
            level = np.zeros_like(level)
            np.add.at(level, (product[pair], used[entry]), units)
            explosion += level
        return explosion

    @cached_property
    def made_value(self) -> np.ndarray:
        """The value of a unit each maker makes, by maker and year index (made_values)."""
        return made_values(self.maker_cost, self.component_bom[self.maker_component], self.component_value)

    @property
    def empty(self) -> bool:
        """A network of one tier: no components, suppliers or facilities (then none of the tiers' blocks exist)."""
        return not (len(self.components) or len(self.suppliers.names) or len(self.facilities.names))


def _bom_matrix(entries: list[Any], component_code: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(entries), len(component_code)))
    for row, entry in enumerate(entries):
        for name, units in entry.bom.items():
            matrix[row, component_code[name]] = value_of(units)
    return matrix


def _arcs(origin: np.ndarray, item: np.ndarray, destination: np.ndarray, year: np.ndarray,
          parts: dict[str, np.ndarray], modes: ModeTable, lane: np.ndarray) -> Arcs:
    """Arcs from their columns: their cost by part (those left out are 0) and each one's row in ``modes``."""
    zero = np.zeros(len(year))
    return Arcs(*(np.asarray(column, dtype=np.int64) for column in (origin, item, destination, year)),
                parts={part: np.asarray(parts.get(part, zero), dtype=np.float64) for part in ARC_PARTS},
                mode=modes.mode[lane], transit_days=modes.transit_days[lane], fixed=modes.fixed[lane])


def _with_own(modes: ModeTable, n_nodes: int) -> ModeTable:
    """``modes`` with a row for each node to itself: no transport (its own components), at no freight."""
    own = np.arange(n_nodes, dtype=np.int64)
    return ModeTable(np.concatenate([modes.origin, own]), np.concatenate([modes.destination, own]),
                     np.concatenate([modes.mode, np.full(n_nodes, NO_MODE)]),
                     np.concatenate([modes.transit_days, np.zeros(n_nodes)]),
                     np.concatenate([modes.fixed, np.full(n_nodes, -1)]),
                     np.concatenate([modes.freight, np.zeros((n_nodes, modes.freight.shape[1]))]))


def _lanes_of(origin: np.ndarray, destination: np.ndarray, modes: ModeTable, n_destinations: int) -> tuple[
        np.ndarray, np.ndarray]:
    """Each (origin, destination) pair with each mode of its lane: (pair, row in ``modes``), by pair and then the
    lane's order of modes."""
    return pairs_by_key(origin * n_destinations + destination, modes.origin * n_destinations + modes.destination)


def compile_tiers(scenario: Scenario, network: Any, currency_code: dict[str, int], fx: np.ndarray,
                  duty: DutyRates, fixed: FixedModes) -> Tiers:
    """The tiers of ``scenario`` around ``network``'s plants, products and markets (see the module's doc)."""
    years = scenario.years
    n_years = len(years)
    components = [c.id for c in scenario.components]
    component_code = {name: code for code, name in enumerate(components)}
    plant_code = {name: code for code, name in enumerate(network.plants)}
    plants, suppliers, facilities = scenario.plants, scenario.suppliers, scenario.facilities
    product_bom = _bom_matrix(scenario.products, component_code)
    component_bom = _bom_matrix(scenario.components, component_code)
    component_value = np.array([value_of(c.value) for c in scenario.components]).reshape(-1, 1) / fx[
        [currency_code[c.currency or scenario.currency] for c in scenario.components]].reshape(-1, n_years)
    component_class = np.array([duty.product_class[c.product_class] for c in scenario.components], dtype=np.int64)
    country = duty.country

    # Who makes which component, at what cost (local and imported content, by year)
    makers = [c for c in scenario.capabilities if c.product in component_code and c.plant in plant_code]
    maker_plant = np.array([plant_code[c.plant] for c in makers], dtype=np.int64)
    maker_component = np.array([component_code[c.product] for c in makers], dtype=np.int64)
    plant_currency = network.currencies.plant
    maker_local = (np.array([value_of(c.local_cost) for c in makers]).reshape(-1, 1)
                   / fx[plant_currency[maker_plant]].reshape(-1, n_years))
    maker_cost = maker_local + (np.array([value_of(c.imported_cost) for c in makers]).reshape(-1, 1)
                                / fx[[currency_code.get(c.imported_currency or scenario.currency, 0) for c in makers]]
                                .reshape(-1, n_years))
    maker_index = {(c.plant, c.product): i for i, c in enumerate(makers)}
    member_pool, member = [], []
    pool = 0
    for plant in plants:
        for own in plant.pools:
            member += [maker_index[(plant.id, name)] for name in own.products if (plant.id, name) in maker_index]
            member_pool += [pool] * sum((plant.id, name) in maker_index for name in own.products)
            pool += 1

    # What each plant uses: the components of what it can make
    uses = np.zeros((len(plants), len(components)), dtype=bool)  # a plant may make several: or.at, not |=
    np.logical_or.at(uses, network.cap_plant, product_bom[network.cap_product] > 0)
    np.logical_or.at(uses, maker_plant, component_bom[maker_component] > 0)
    operating = network.plant_operating

    supplier_sites = compile_sites(suppliers, years, fx, np.array([currency_code[s.currency] for s in suppliers],
                                                                  dtype=np.int64))
    facility_sites = compile_sites(facilities, years, fx, np.array([currency_code[f.currency] for f in facilities],
                                                                   dtype=np.int64))
    # A network of one tier has no arc to price: its lanes (plant to market) are the network's own.
    tiered = bool(suppliers or components or facilities)
    pairs = itertools.chain(  # read only to route by sea
        itertools.product(suppliers, plants), ((a, b) for a, b in itertools.product(plants, plants)
                                               if a is not b and tiered),
        itertools.product(plants, facilities), itertools.product(facilities, scenario.markets))
    freight = LaneModes(scenario, currency_code, fx, scenario.lanes if tiered else [], fixed)
    freight.route(pairs)

    offers = [(s, supplier, supply) for s, supplier in enumerate(suppliers) for supply in supplier.supplies]
    offer_supplier = np.array([s for s, _, _ in offers], dtype=np.int64)
    offer_component = np.array([component_code[supply.component] for _, _, supply in offers], dtype=np.int64)
    supplier_country = np.array([country[supplier.country] for supplier in suppliers], dtype=np.int64)
    plant_country = np.array([country[plant.country] for plant in plants], dtype=np.int64)
    n_plants = len(plants)
    # supplier -> plant: each offer to each plant that uses its component, by each mode of the lane, in the years
    # both operate
    lanes = freight.table(suppliers, plants) if offers else freight.table([], [])
    offer, plant = np.nonzero(uses[:, offer_component].T)
    pair, lane = _lanes_of(offer_supplier[offer], plant, lanes, n_plants)
    offer, plant = offer[pair], plant[pair]
    arc, year = np.nonzero(supplier_sites.operating[offer_supplier[offer]] & operating[plant])
    offer, plant, lane = offer[arc], plant[arc], lane[arc]
    price = np.array([_series(supply.price, years) / fx[currency_code[supplier.currency]]
                      for _, supplier, supply in offers]).reshape(-1, n_years)[offer, year]
    cell = (supplier_country[offer_supplier[offer]], plant_country[plant], component_class[offer_component[offer]],
            year)
    rate = duty.yearly_general[cell]
    certified = [tuple(supply.originating) for _, _, supply in offers]
    for agreements in set(certified) - {()}:  # offers certified as originating under the same agreements
        under = np.isin(offer, [o for o, given in enumerate(certified) if given == agreements])
        rate[under] = duty.yearly_originating(agreements)[tuple(axis[under] for axis in cell)]
    supply_arcs = _arcs(offer_supplier[offer], offer, plant, year, {
        "purchase": price, "freight": lanes.freight[lane, year], "duty": rate * price}, lanes, lane)

    # maker -> plant: each maker to each plant that uses its component (itself at no freight and no duty)
    made_value = made_values(maker_cost, component_bom[maker_component], component_value)
    lanes = _with_own(freight.table(plants, plants, skip_same=True) if len(makers) else freight.table([], []),
                      n_plants)
    maker, plant = np.nonzero(uses[:, maker_component].T)
    pair, lane = _lanes_of(maker_plant[maker], plant, lanes, n_plants)
    maker, plant = maker[pair], plant[pair]
    arc, year = np.nonzero(operating[maker_plant[maker]] & operating[plant])
    maker, plant, lane = maker[arc], plant[arc], lane[arc]
    from_plant = maker_plant[maker]
    rate = np.where(from_plant == plant, 0.0, duty.yearly_general[plant_country[from_plant], plant_country[plant],
                                                                  component_class[maker_component[maker]], year])
    transfer_arcs = _arcs(maker, maker_component[maker], plant, year, {
        "making": maker_cost[maker, year], "freight": lanes.freight[lane, year],
        "duty": rate * made_value[maker, year]}, lanes, lane)

    inbound, delivery, commodities = _distribution(scenario, network, facility_sites, freight, fx, currency_code,
                                                   product_bom @ component_value)
    offer_capacity = np.array([_series(supply.capacity, years, np.inf) for _, _, supply in offers]).reshape(
        -1, n_years)
    return Tiers(
        components=components,
        component_class=component_class,
        component_value=component_value,
        product_bom=product_bom,
        component_bom=component_bom,
        suppliers=supplier_sites,
        facilities=facility_sites,
        maker_plant=maker_plant,
        maker_component=maker_component,
        maker_local=maker_local,
        maker_cost=maker_cost,
        maker_member_pool=np.array(member_pool, dtype=np.int64),
        maker_member=np.array(member, dtype=np.int64),
        offer_supplier=offer_supplier,
        offer_component=offer_component,
        offer_capacity=np.where(supplier_sites.operating[offer_supplier].reshape(-1, n_years),
                                offer_capacity, 0.0),
        offer_min_volume=np.array([value_of(supply.min_volume) for _, _, supply in offers]),
        supply=supply_arcs,
        transfer=transfer_arcs,
        inbound=inbound,
        delivery=delivery,
        inbound_commodity=commodities["inbound"],
        commodity_facility=commodities["facility"],
        commodity_product=commodities["product"],
        commodity_profile=commodities["profile"],
        facility_capacity=np.where(facility_sites.operating, np.array(
            [_series(f.capacity, years, np.inf) for f in facilities]).reshape(-1, n_years), 0.0),
    )


def _distribution(scenario: Scenario, network: Any, sites: Sites, freight: LaneModes, fx: np.ndarray,
                  currency_code: dict[str, int], bom_value: np.ndarray) -> tuple[Arcs, Arcs, dict[str, np.ndarray]]:
    """Inbound arcs (product profile -> facility), delivery arcs (facility -> demand entry) and the commodities
    that join them at each facility (see the module's doc); ``bom_value``: each product's bill of materials at
    value, by year index (part of its customs value). A market's transit promise (max_transit_days) keeps the
    delivery legs slower than it from its demand: goods are held in stock at the facility, so the promise counts
    from there.

    Arcs come by facility, product, source (its profile) or commodity, then demand entry, mode and year."""
    facilities, plants, markets = scenario.facilities, scenario.plants, scenario.markets
    n_years, n_facilities, n_markets = len(scenario.years), len(facilities), len(markets)
    n_products = len(network.products)
    handling = np.array([value_of(f.handling_cost) for f in facilities]).reshape(-1, 1) / fx[
        [currency_code[f.currency] for f in facilities]].reshape(-1, n_years)
    profile_capability = network.profile_capability
    profile_product, profile_plant = network.cap_product[profile_capability], network.cap_plant[profile_capability]
    production = (network.cap_local[profile_capability] + network.cap_imported[profile_capability]
                  + network.profile_extra)
    demand_product, demand_market, demand_year = network.demand_product, network.demand_market, network.demand_year
    # facility -> market legs that keep the market's promise; the demand entries each facility serves (a leg to
    # its market, the facility operating in its year)
    outbound = freight.table(facilities, markets) if n_facilities else freight.table([], [])
    promise = np.array([np.nan if market.max_transit_days is None else value_of(market.max_transit_days)
                        for market in markets], dtype=np.float64)
    limit = promise[outbound.destination]
    outbound = _rows(outbound, np.isnan(limit) | (outbound.transit_days <= limit))
    reach = np.zeros((n_facilities, n_markets), dtype=bool)
    reach[outbound.origin, outbound.destination] = True
    own_facility, own_entry = np.nonzero(reach[:, demand_market] & sites.operating[:, demand_year])
    serves = np.zeros((n_facilities, n_products), dtype=bool)
    serves[own_facility, demand_product[own_entry]] = True
    # sources: (facility, profile) where the profile's plant has a lane to the facility and the facility serves
    # some demand for its product; by facility, product and profile
    inbound_lanes = freight.table(plants, facilities) if n_facilities else freight.table([], [])
    linked = np.zeros((len(plants), n_facilities), dtype=bool)
    linked[inbound_lanes.origin, inbound_lanes.destination] = True
    facility, profile = np.nonzero(linked[profile_plant].T)
    keep = serves[facility, profile_product[profile]]
    facility, profile = facility[keep], profile[keep]
    order = np.lexsort((profile, profile_product[profile], facility))
    facility, profile = facility[order], profile[order]
    product = profile_product[profile]
    group_key = facility * n_products + product
    group = np.cumsum(np.r_[True, group_key[1:] != group_key[:-1]]) - 1 if len(group_key) else group_key
    # each source with each demand entry of its product the facility serves, and the duty rate it pays there
    source, served = pairs_by_key(group_key, own_facility * n_products + demand_product[own_entry])
    entry = own_entry[served]
    rate = network.duty_rate(profile[source], demand_market[entry], demand_year[entry])
    # a facility's product is pooled where no source pays duty into any market it serves
    pooled = np.bincount(group[source], weights=rate != 0, minlength=int(group.max(initial=-1)) + 1) == 0
    is_commodity = np.r_[True, group[1:] != group[:-1]] | ~pooled[group] if len(group) else np.zeros(0, bool)
    commodity = np.cumsum(is_commodity) - 1
    commodities = {"facility": facility[is_commodity], "product": product[is_commodity],
                   "profile": np.where(pooled[group], -1, profile)[is_commodity]}

    pair, lane = _lanes_of(profile_plant[profile], facility, inbound_lanes, n_facilities)
    arc, year = np.nonzero(network.plant_operating[profile_plant[profile[pair]]] & sites.operating[facility[pair]])
    pair, lane = pair[arc], lane[arc]
    inbound = _arcs(profile[pair], product[pair], facility[pair], year, {
        "making": production[profile[pair], year], "freight": inbound_lanes.freight[lane, year]}, inbound_lanes, lane)
    commodities["inbound"] = commodity[pair]

    keep = is_commodity[source]
    source, entry, rate = source[keep], entry[keep], rate[keep]
    year = demand_year[entry]
    duty = np.where(pooled[group[source]], 0.0,
                    rate * (production[profile[source], year] + bom_value[product[source], year]))
    pair, lane = _lanes_of(facility[source], demand_market[entry], outbound, n_markets)
    source, entry, year = source[pair], entry[pair], year[pair]
    delivery = _arcs(facility[source], commodity[source], entry, year, {
        "freight": outbound.freight[lane, year], "handling": handling[facility[source], year], "duty": duty[pair]},
        outbound, lane)
    return inbound, delivery, {name: np.asarray(values, dtype=np.int64) for name, values in commodities.items()}


def made_values(maker_cost: np.ndarray, maker_bom: np.ndarray, component_value: np.ndarray) -> np.ndarray:
    """The value of a unit each maker makes, by maker and year index: its cost and its bill of materials at value
    (what its duty is paid on, and its value for rules of origin)."""
    return maker_cost + (maker_bom @ component_value if len(maker_cost) else 0.0)


def _rows(modes: ModeTable, keep: np.ndarray) -> ModeTable:
    """The rows of ``modes`` where ``keep``."""
    return ModeTable(modes.origin[keep], modes.destination[keep], modes.mode[keep], modes.transit_days[keep],
                     modes.fixed[keep], modes.freight[keep])


def _series(series: Any, years: list[int], default: float = 0.0) -> np.ndarray:
    """A number, per-year series or growth series as an array by year index (``default`` for None, and for a year
    a per-year series leaves out)."""
    if series is None:
        return np.full(len(years), default)
    return np.array([default if value is None else value_of(value) for value in year_values(series, years)])


__all__ = ["ARC_PARTS", "Arcs", "Sites", "Tiers", "compile_sites", "compile_tiers", "made_values"]
