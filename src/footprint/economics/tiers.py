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

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from footprint.economics.modes import NO_MODE, FixedModes, LaneModes, keeps_promise
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


Row = tuple[int, int, int, int, dict[str, float], Any]
"""An arc: origin, item, destination, year index, its cost by part, and its mode (ModeCost; None: no transport)."""


def _arcs(rows: list[Row]) -> Arcs:
    """Arcs from (origin, item, destination, year index, parts, mode) tuples."""
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), (), (), ()]
    parts = {part: np.array([p.get(part, 0.0) for p in columns[4]], dtype=np.float64) for part in ARC_PARTS}
    modes = columns[5]
    return Arcs(*(np.array(column, dtype=np.int64) for column in columns[:4]), parts=parts,
                mode=np.array([NO_MODE if m is None else m.mode for m in modes], dtype=np.int64),
                transit_days=np.array([0.0 if m is None else m.transit_days for m in modes], dtype=np.float64),
                fixed=np.array([-1 if m is None else m.fixed for m in modes], dtype=np.int64))


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

    originating = cache(duty.yearly_originating)  # offers certified under the same agreements share one table

    def rate(origin: str, destination: str, product_class: int) -> np.ndarray:
        """The general rate by year index of goods of ``product_class`` from ``origin`` into ``destination``."""
        return duty.yearly_general[country[origin], country[destination], product_class]

    # Who makes which component, at what cost (local and imported content, by year)
    makers = [c for c in scenario.capabilities if c.product in component_code and c.plant in plant_code]
    maker_plant = np.array([plant_code[c.plant] for c in makers], dtype=np.int64)
    maker_component = np.array([component_code[c.product] for c in makers], dtype=np.int64)
    plant_currency = network.currencies.plant
    maker_cost = (np.array([value_of(c.local_cost) for c in makers]).reshape(-1, 1) / fx[plant_currency[maker_plant]]
                  + np.array([value_of(c.imported_cost) for c in makers]).reshape(-1, 1)
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
    pairs = [(s, p) for s in suppliers for p in plants] + [(a, b) for a in plants for b in plants if a is not b
                                                          and tiered]
    pairs += [(p, f) for p in plants for f in facilities] + [(f, m) for f in facilities for m in scenario.markets]
    freight = LaneModes(scenario, currency_code, fx, scenario.lanes if tiered else [], fixed)
    freight.route(pairs)

    offers = [(s, supplier, supply) for s, supplier in enumerate(suppliers) for supply in supplier.supplies]
    supply_rows = []
    for o, (s, supplier, supply) in enumerate(offers):
        c = component_code[supply.component]
        price = _series(supply.price, years) / fx[currency_code[supplier.currency]]
        for p in np.flatnonzero(uses[:, c]):
            duty_rate = (rate(supplier.country, plants[p].country, component_class[c]) if not supply.originating
                         else originating(tuple(supply.originating))[country[supplier.country],
                                                                     country[plants[p].country], component_class[c]])
            for mode in freight(supplier, plants[p]):
                for t in range(n_years):
                    if supplier_sites.operating[s, t] and operating[p, t]:
                        supply_rows.append((s, o, int(p), t, {"purchase": price[t], "freight": mode.freight[t],
                                                              "duty": duty_rate[t] * price[t]}, mode))

    made_value = maker_cost + (component_bom[maker_component] @ component_value if len(makers) else 0.0)
    transfer_rows = []
    for i in range(len(makers)):
        a, c = maker_plant[i], maker_component[i]
        for p in np.flatnonzero(uses[:, c]):
            modes = [None] if p == a else freight(plants[a], plants[p])  # its own: no transport
            duty_rate = rate(plants[a].country, plants[p].country, component_class[c]) if p != a else np.zeros(
                n_years)
            for mode in modes:
                for t in range(n_years):
                    if operating[a, t] and operating[p, t]:
                        transfer_rows.append((i, int(c), int(p), t, {
                            "making": maker_cost[i, t], "freight": 0.0 if mode is None else mode.freight[t],
                            "duty": duty_rate[t] * made_value[i, t]}, mode))

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
        maker_member_pool=np.array(member_pool, dtype=np.int64),
        maker_member=np.array(member, dtype=np.int64),
        offer_supplier=np.array([s for s, _, _ in offers], dtype=np.int64),
        offer_component=np.array([component_code[supply.component] for _, _, supply in offers], dtype=np.int64),
        offer_capacity=np.where(supplier_sites.operating[[s for s, _, _ in offers]].reshape(-1, n_years),
                                offer_capacity, 0.0),
        offer_min_volume=np.array([value_of(supply.min_volume) for _, _, supply in offers]),
        supply=_arcs(supply_rows),
        transfer=_arcs(transfer_rows),
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
    from there."""
    facilities, plants, markets = scenario.facilities, scenario.plants, scenario.markets
    n_years = len(scenario.years)
    handling = np.array([value_of(f.handling_cost) for f in facilities]).reshape(-1, 1) / fx[
        [currency_code[f.currency] for f in facilities]].reshape(-1, n_years)
    profile_capability = network.profile_capability
    production = (network.cap_local[profile_capability] + network.cap_imported[profile_capability]
                  + network.profile_extra)
    inbound_rows, delivery_rows = [], []
    commodity: dict[str, list[int]] = {"inbound": [], "facility": [], "product": [], "profile": []}
    for f, facility in enumerate(facilities):
        reach = {k: kept for k, market in enumerate(markets) if (kept := [
            mode for mode in freight(facility, market) if keeps_promise(mode.transit_days, market)])}
        entries = np.flatnonzero(np.isin(network.demand_market, list(reach)) & sites.operating[f, network.demand_year])
        for m in range(len(network.products)):
            own = entries[network.demand_product[entries] == m]
            sources = []
            for profile in np.flatnonzero(network.cap_product[profile_capability] == m):
                plant = network.cap_plant[profile_capability[profile]]
                modes = freight(plants[plant], facility)
                if modes:
                    sources.append((int(profile), int(plant), modes))
            if not sources or not len(own):
                continue
            rates = {profile: network.duty_rate(np.full(len(own), profile), network.demand_market[own],
                                                network.demand_year[own]) for profile, _, _ in sources}
            pooled = not any(r.any() for r in rates.values())
            keys = [-1] if pooled else [profile for profile, _, _ in sources]
            first = len(commodity["facility"])
            for key in keys:
                commodity["facility"].append(f)
                commodity["product"].append(m)
                commodity["profile"].append(key)
            for profile, plant, modes in sources:
                for mode in modes:
                    for t in range(n_years):
                        if network.plant_operating[plant, t] and sites.operating[f, t]:
                            commodity["inbound"].append(first + (0 if pooled else keys.index(profile)))
                            inbound_rows.append((profile, m, f, t, {"making": production[profile, t],
                                                                    "freight": mode.freight[t]}, mode))
            for position, key in enumerate(keys):
                for e, entry in enumerate(own):
                    k, t = network.demand_market[entry], network.demand_year[entry]
                    duty = 0.0 if pooled else rates[key][e] * (production[key, t] + bom_value[m, t])
                    for mode in reach[k]:
                        delivery_rows.append((f, first + position, int(entry), int(t), {
                            "freight": mode.freight[t], "handling": handling[f, t], "duty": duty}, mode))
    return _arcs(inbound_rows), _arcs(delivery_rows), {name: np.array(values, dtype=np.int64)
                                                          for name, values in commodity.items()}


def _series(series: Any, years: list[int], default: float = 0.0) -> np.ndarray:
    """A number, per-year series or growth series as an array by year index (``default`` for None, and for a year
    a per-year series leaves out)."""
    if series is None:
        return np.full(len(years), default)
    return np.array([default if value is None else value_of(value) for value in year_values(series, years)])


__all__ = ["ARC_PARTS", "Arcs", "Sites", "Tiers", "compile_sites", "compile_tiers"]
