"""Benchmark of footprint's model building against the floor (arrays straight into highspy) and the peer (Pyomo).

The same pure LP (flows and lost sales; demand rows and capacity rows; no binaries) is built
and solved three ways at three sizes (about 0.1, 0.5 and 1.5 million flows):

* footprint: ``solve(scenario, SolverOptions())`` end to end: compile, build, hand-over,
  HiGHS, and the Plan's flows table, labelled (what the floor and Pyomo read back). The Plan
  makes its other tables when first read; they are made after the clock stops and their time
  is printed beside the run. The validated Scenario is prepared before the clock starts.
* floor: the LP written directly as numpy/scipy arrays from the generator's raw arrays (not
  from the Scenario), handed to highspy with the array form of ``passModel`` (the form
  footprint uses), solved, and the nonzero flows read into a DataFrame. ``--highslp-floor``
  adds the same floor handing over a ``HighsLp`` filled field by field.
* pyomo: a ``ConcreteModel`` with indexed sets, variables and constraint rules, solved by
  HiGHS through Pyomo's persistent appsi_highs interface, the nonzero flows read into a DataFrame.

HiGHS gets the same options everywhere (footprint's defaults: output off, mip_rel_gap 1e-4;
algorithm and threads left to HiGHS, which runs dual simplex on these LPs). The three optimal
objectives must agree to 1e-6 (relative).

Each (size, implementation) runs in a fresh interpreter (this script with ``--child``): imports,
caches and memory do not leak from one run into the next. The child generates its input first
(untimed), resets the kernel's peak-RSS mark, then runs; peak MiB is the process's high-water
RSS during the run (input and imports included: they stay resident). footprint and the floor
run ``--repeat`` times (default 3) and the run with the least overhead is kept; Pyomo once.

Overhead = total seconds - HiGHS seconds: everything that is not the solver itself. The last
line printed compares footprint's overhead with the floor's and Pyomo's at the largest size.

    python benchmarks/build.py                                # all sizes: about 5 minutes
    python benchmarks/build.py --sizes small,medium --skip-pyomo --repeat 1

``--tiers`` measures a carmaker's network of many tiers instead (suppliers, components, plants, distribution
centres: tier_network.py generates it, tier_build.py runs it): see tier_build.py's doc.

    python benchmarks/build.py --tiers                      # scale 1, solved to a 1% gap (up to 600 s), profiled
    python benchmarks/build.py --tiers --scale 0.1,0.25 --no-solve --no-profile
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

import tier_build
from rss import reset_peak_rss, rss_mib

if TYPE_CHECKING:
    import pyomo.environ as pyo

SEED = 20240611
FIRST_YEAR = 2025
RESULT_MARK = "RESULT "
FLOW_TOLERANCE = 1e-6
OBJECTIVE_TOLERANCE = 1e-6
HIGHS_OPTIONS: dict[str, Any] = {"output_flag": False, "mip_rel_gap": 1e-4}
"""What footprint's ``SolverOptions()`` sets; everything else (algorithm, threads) is HiGHS's default."""


@dataclass(frozen=True)
class Size:
    name: str
    products: int
    markets: int
    years: int = 5
    makers: int = 10
    """Plants building each product."""
    per_plant: int = 3
    """Products built at each plant."""
    market_share: float = 0.8
    """Share of the markets each product sells in."""

    @property
    def plants(self) -> int:
        return self.products * self.makers // self.per_plant

    @property
    def markets_per_product(self) -> int:
        return round(self.market_share * self.markets)

    @property
    def flows(self) -> int:
        return self.products * self.makers * self.markets_per_product * self.years


SIZES = {
    "small": Size("small", products=30, markets=80),  # 96,000 flows
    "medium": Size("medium", products=90, markets=140),  # 504,000 flows
    "large": Size("large", products=150, markets=250),  # 1,500,000 flows
}

# --------------------------------------------------------------------------------------------
# The synthetic network: raw arrays, then the Scenario built from them
# --------------------------------------------------------------------------------------------

COUNTRIES = {  # country: latitude and longitude of its (rough) centre
    "US": (39.0, -98.0), "MX": (23.0, -102.0), "CA": (50.0, -95.0), "BR": (-14.0, -52.0), "DE": (51.0, 10.0),
    "FR": (46.0, 2.0), "IT": (42.0, 12.0), "ES": (40.0, -4.0), "GB": (53.0, -2.0), "TR": (39.0, 35.0),
    "ZA": (-29.0, 25.0), "CN": (33.0, 112.0), "JP": (36.0, 138.0), "KR": (36.0, 128.0), "IN": (21.0, 78.0),
    "AU": (-30.0, 145.0),
}
PLANT_COUNTRIES = {  # country: (currency, production cost factor, share of the plants)
    "US": ("USD", 1.10, 0.20),
    "MX": ("MXN", 0.92, 0.12),
    "DE": ("EUR", 1.12, 0.15),
    "CN": ("CNY", 0.90, 0.20),
    "JP": ("JPY", 1.05, 0.10),
    "IN": ("INR", 0.88, 0.09),
    "BR": ("BRL", 0.95, 0.07),
    "KR": ("KRW", 0.98, 0.07),
}
MARKET_COUNTRIES = {  # country: currency of its lost-sale penalties
    "US": "USD", "MX": "USD", "CA": "USD", "BR": "USD", "CN": "USD", "JP": "USD", "IN": "USD", "KR": "USD",
    "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR", "GB": "GBP", "AU": "USD", "TR": "EUR", "ZA": "USD",
}
FX_BASE = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "MXN": 17.5, "CNY": 7.2, "JPY": 150.0, "INR": 83.0,
           "BRL": 5.0, "KRW": 1350.0}
PRODUCT_CLASSES = ("8703", "8704", "8711")
FREE_TRADE = [("MX", "US"), ("US", "MX"), ("US", "CA"), ("MX", "CA"), ("DE", "FR"), ("DE", "IT"), ("DE", "ES"),
              ("KR", "US"), ("JP", "AU"), ("KR", "AU"), ("CN", "AU")]
OVERLAND_KM = 4000.0
"""Lanes up to this distance are listed (truck or rail, priced by distance); longer ones go by sea."""
DEFAULT_FREIGHT = 2600.0
"""Freight per unit on unlisted (sea) lanes, USD."""


@dataclass(frozen=True)
class RawNetwork:
    """The generator's output: everything the LP needs, as integer-coded arrays."""

    years: np.ndarray
    discount_rate: float
    currencies: list[str]
    """Index 0 is the reporting currency (USD)."""
    fx: np.ndarray
    """Units per USD, by currency and year index."""
    countries: list[str]
    classes: list[str]
    products: list[str]
    product_class: np.ndarray
    plants: list[str]
    plant_country: np.ndarray
    plant_currency: np.ndarray
    markets: list[str]
    market_country: np.ndarray
    market_currency: np.ndarray
    market_cif: np.ndarray
    cap_plant: np.ndarray
    cap_product: np.ndarray
    cap_local: np.ndarray
    """Local content per unit, plant currency."""
    cap_imported: np.ndarray
    cap_imported_currency: np.ndarray
    demand_product: np.ndarray
    demand_market: np.ndarray
    demand_year: np.ndarray
    demand_units: np.ndarray
    demand_penalty: np.ndarray
    """Per lost unit, market currency."""
    default_freight: float
    lane_plant: np.ndarray
    lane_market: np.ndarray
    lane_freight: np.ndarray
    lane_currency: np.ndarray
    tariff_origin: np.ndarray
    """Country code, or -1 for any origin (MFN)."""
    tariff_destination: np.ndarray
    tariff_class: np.ndarray
    tariff_first: np.ndarray
    tariff_last: np.ndarray
    """First and last year index (inclusive) of each rate."""
    tariff_rate: np.ndarray
    capacity: np.ndarray
    """Units per plant (its one pool) and year index."""


def _names(prefix: str, count: int) -> list[str]:
    width = len(str(count))
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


def generate(size: Size, seed: int = SEED) -> RawNetwork:
    """A deterministic network of ``size``: sparse capabilities, demand in most markets, tight capacity."""
    rng = np.random.default_rng(seed)
    currencies = list(FX_BASE)
    walk = np.exp(np.cumsum(rng.normal(0.0, 0.04, (len(currencies), size.years)), axis=1))
    fx = np.array([FX_BASE[c] for c in currencies])[:, None] * walk
    fx[0] = 1.0
    countries = sorted(COUNTRIES)
    plants = _plants(rng, size, countries, currencies)
    markets = _markets(rng, size, countries, currencies)
    capabilities = _capabilities(rng, size, plants, fx, currencies)
    demand = _demand(rng, size, markets, capabilities["base_cost"], fx)
    lanes = _lanes(rng, plants, markets, fx, currencies)
    raw = RawNetwork(
        years=FIRST_YEAR + np.arange(size.years),
        discount_rate=0.08,
        currencies=currencies,
        fx=fx,
        countries=countries,
        classes=list(PRODUCT_CLASSES),
        products=_names("M", size.products),
        product_class=rng.integers(0, len(PRODUCT_CLASSES), size.products),
        plants=_names("P", size.plants),
        plant_country=plants["country"],
        plant_currency=plants["currency"],
        markets=_names("K", size.markets),
        market_country=markets["country"],
        market_currency=markets["currency"],
        market_cif=rng.random(size.markets) < 0.3,
        cap_plant=capabilities["plant"],
        cap_product=capabilities["product"],
        cap_local=capabilities["local"],
        cap_imported=capabilities["imported"],
        cap_imported_currency=capabilities["imported_currency"],
        **demand,
        default_freight=DEFAULT_FREIGHT,
        **lanes,
        **_tariffs(rng, countries, size.years),
        capacity=np.zeros((size.plants, size.years)),
    )
    return dataclasses.replace(raw, capacity=_capacity(rng, raw))


def _locations(rng: np.random.Generator, country: np.ndarray, countries: list[str], spread: float) -> np.ndarray:
    """Latitude and longitude, degrees: around the centre of each one's country."""
    centre = np.array([COUNTRIES[c] for c in countries])[country]
    return centre + rng.normal(0.0, spread, centre.shape)


def _plants(
    rng: np.random.Generator, size: Size, countries: list[str], currencies: list[str]
) -> dict[str, np.ndarray]:
    names = list(PLANT_COUNTRIES)
    share = np.array([PLANT_COUNTRIES[c][2] for c in names])
    pick = rng.choice(len(names), size.plants, p=share / share.sum())
    country = np.array([countries.index(names[i]) for i in pick])
    return {
        "country": country,
        "currency": np.array([currencies.index(PLANT_COUNTRIES[names[i]][0]) for i in pick]),
        "cost_factor": np.array([PLANT_COUNTRIES[names[i]][1] for i in pick]),
        "location": _locations(rng, country, countries, 3.0),
    }


def _markets(
    rng: np.random.Generator, size: Size, countries: list[str], currencies: list[str]
) -> dict[str, np.ndarray]:
    names = list(MARKET_COUNTRIES)
    pick = rng.integers(0, len(names), size.markets)
    country = np.array([countries.index(names[i]) for i in pick])
    return {
        "country": country,
        "currency": np.array([currencies.index(MARKET_COUNTRIES[names[i]]) for i in pick]),
        "location": _locations(rng, country, countries, 4.0),
    }


def _capabilities(rng: np.random.Generator, size: Size, plants: dict[str, np.ndarray], fx: np.ndarray,
                  currencies: list[str]) -> dict[str, np.ndarray]:
    """Each plant builds per_plant products; each product is built at ``makers`` plants.

    One permutation of the products per round of makers, cut into consecutive groups of
    per_plant: with products a multiple of per_plant no group straddles two permutations,
    so no plant gets a product twice.
    """
    assert size.products % size.per_plant == 0
    product = np.concatenate([rng.permutation(size.products) for _ in range(size.makers)])
    plant = np.repeat(np.arange(size.plants), size.per_plant)
    base_cost = rng.uniform(15_000, 35_000, size.products)
    unit_usd = base_cost[product] * plants["cost_factor"][plant] * rng.uniform(0.96, 1.04, len(plant))
    imported_share = np.where(rng.random(len(plant)) < 0.5, rng.uniform(0.05, 0.25, len(plant)), 0.0)
    imported_currency = np.where(rng.random(len(plant)) < 0.5, currencies.index("EUR"), currencies.index("USD"))
    return {
        "plant": plant,
        "product": product,
        "base_cost": base_cost,
        "local": unit_usd * (1.0 - imported_share) * fx[plants["currency"][plant], 0],
        "imported": unit_usd * imported_share * fx[imported_currency, 0],
        "imported_currency": imported_currency,
    }


def _demand(rng: np.random.Generator, size: Size, markets: dict[str, np.ndarray], base_cost: np.ndarray,
            fx: np.ndarray) -> dict[str, np.ndarray]:
    """Each product sells in markets_per_product markets, every year, growing; lost sales cost 2-3 times its cost."""
    per_product = size.markets_per_product
    market = np.concatenate([np.sort(rng.choice(size.markets, per_product, replace=False))
                             for _ in range(size.products)])
    product = np.repeat(np.arange(size.products), per_product)
    base_units = np.maximum(np.round(rng.lognormal(np.log(1500.0), 1.0, len(market))), 10.0)
    growth = rng.normal(0.03, 0.03, len(market))
    years = np.arange(size.years)
    units = np.round(base_units[:, None] * (1.0 + growth[:, None]) ** years[None, :])
    penalty = base_cost[product] * rng.uniform(2.0, 3.0, len(market)) * fx[markets["currency"][market], 0]
    return {
        "demand_product": np.repeat(product, size.years),
        "demand_market": np.repeat(market, size.years),
        "demand_year": np.tile(years, len(market)),
        "demand_units": units.ravel(),
        "demand_penalty": np.repeat(penalty, size.years),
    }


def _distance_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance between every point of ``a`` and every point of ``b`` (degrees)."""
    lat_a, lon_a = np.radians(a).T
    lat_b, lon_b = np.radians(b).T
    cos_angle = (np.sin(lat_a)[:, None] * np.sin(lat_b)[None, :]
                 + np.cos(lat_a)[:, None] * np.cos(lat_b)[None, :] * np.cos(lon_a[:, None] - lon_b[None, :]))
    return 6371.0 * np.arccos(np.clip(cos_angle, -1.0, 1.0))


def _lanes(rng: np.random.Generator, plants: dict[str, np.ndarray], markets: dict[str, np.ndarray], fx: np.ndarray,
           currencies: list[str]) -> dict[str, np.ndarray]:
    """Overland lanes, listed and priced by distance (domestic ones in the plant's currency); the rest by sea."""
    distance = _distance_km(plants["location"], markets["location"])
    plant, market = np.nonzero(distance <= OVERLAND_KM)
    usd = (150.0 + 0.45 * distance[plant, market]) * rng.uniform(0.9, 1.1, len(plant))
    domestic = plants["country"][plant] == markets["country"][market]
    currency = np.where(domestic, plants["currency"][plant], currencies.index("USD"))
    return {
        "lane_plant": plant,
        "lane_market": market,
        "lane_freight": np.round(usd * fx[currency, 0], 2),
        "lane_currency": currency,
    }


def _capacity(rng: np.random.Generator, raw: RawNetwork) -> np.ndarray:
    """One pool per plant, sized for its catchment (the demand it is the cheapest maker for), give or take.

    Capacity is 0.8 to 1.3 times the catchment: about half the plants cannot serve all of theirs
    and spill to the next cheapest; plants that are nowhere the cheapest get a quarter of a fair share.
    """
    capability, demand = lane_years(raw)
    cost = flow_costs(raw, capability, demand)
    by_demand = np.lexsort((cost, demand))
    cheapest = by_demand[np.r_[True, demand[by_demand][1:] != demand[by_demand][:-1]]]
    n_plants, n_years = len(raw.plants), len(raw.years)
    catchment = np.zeros((n_plants, n_years))
    np.add.at(catchment, (raw.cap_plant[capability[cheapest]], raw.demand_year[demand[cheapest]]),
              raw.demand_units[demand[cheapest]])
    fair = raw.demand_units.sum() / n_plants / n_years
    return np.round(np.maximum(catchment, 0.25 * fair) * rng.uniform(0.8, 1.3, (n_plants, 1)))


def _tariffs(rng: np.random.Generator, countries: list[str], n_years: int) -> dict[str, np.ndarray]:
    """MFN rates for every destination and class, free trade between a few pairs, a few punitive rates."""
    code = {c: i for i, c in enumerate(countries)}
    rows: list[tuple[int, int, int, int, int, float]] = []  # origin, destination, class, first, last, rate
    for destination in sorted(MARKET_COUNTRIES):
        for cls in range(len(PRODUCT_CLASSES)):
            rows.append((-1, code[destination], cls, 0, n_years - 1, float(rng.choice([0.0, 0.025, 0.05, 0.1]))))
    for origin, destination in FREE_TRADE:
        for cls in range(len(PRODUCT_CLASSES)):
            rows.append((code[origin], code[destination], cls, 0, n_years - 1, 0.0))
    rows.append((code["CN"], code["US"], 0, 1, n_years - 1, 0.25))  # from the second year on
    rows.append((code["CN"], code["US"], 1, 0, n_years - 1, 0.25))
    rows.append((code["JP"], code["US"], 0, 2, 2, 0.15))  # one year only
    rows.append((code["CN"], code["TR"], 0, 0, n_years - 1, 0.4))
    columns = np.array(rows, dtype=np.float64).T
    names = ("tariff_origin", "tariff_destination", "tariff_class", "tariff_first", "tariff_last")
    arrays = {name: columns[i].astype(np.int64) for i, name in enumerate(names)}
    arrays["tariff_rate"] = columns[5]
    return arrays


def scenario_dict(raw: RawNetwork) -> dict[str, Any]:
    """The network as a scenario document (what ``Scenario.model_validate`` reads)."""
    years = [int(y) for y in raw.years]
    cur = raw.currencies
    return {
        "name": f"benchmark-{len(raw.plants)}-plants",
        "currency": cur[0],
        "horizon": {"start": years[0], "end": years[-1]},
        "discount_rate": raw.discount_rate,
        "default_freight": raw.default_freight,
        "products": [{"id": name, "product_class": raw.classes[raw.product_class[m]]}
                     for m, name in enumerate(raw.products)],
        "plants": _plant_dicts(raw, years),
        "capabilities": [
            {"plant": raw.plants[p], "product": raw.products[m], "local_cost": float(local),
             "imported_cost": float(imported), "imported_currency": cur[currency]}
            for p, m, local, imported, currency in zip(raw.cap_plant, raw.cap_product, raw.cap_local,
                                                       raw.cap_imported, raw.cap_imported_currency, strict=True)
        ],
        "markets": _market_dicts(raw, years),
        "lanes": [
            {"plant": raw.plants[p], "market": raw.markets[k], "freight": float(freight), "currency": cur[c]}
            for p, k, freight, c in zip(raw.lane_plant, raw.lane_market, raw.lane_freight, raw.lane_currency,
                                        strict=True)
        ],
        "fx": {c: dict(zip(years, raw.fx[i].tolist(), strict=True)) for i, c in enumerate(cur) if i > 0},
        "tariffs": [_tariff_dict(raw, i, years) for i in range(len(raw.tariff_rate))],
    }


def _plant_dicts(raw: RawNetwork, years: list[int]) -> list[dict[str, Any]]:
    """Plants with their one pool ("assembly") covering every product they build."""
    products: list[list[str]] = [[] for _ in raw.plants]
    for plant, product in zip(raw.cap_plant.tolist(), raw.cap_product.tolist(), strict=True):
        products[plant].append(raw.products[product])
    return [
        {"id": name, "country": raw.countries[raw.plant_country[p]], "currency": raw.currencies[raw.plant_currency[p]],
         "pools": [{"id": "assembly", "products": products[p],
                    "capacity": dict(zip(years, raw.capacity[p].tolist(), strict=True))}]}
        for p, name in enumerate(raw.plants)
    ]


def _market_dicts(raw: RawNetwork, years: list[int]) -> list[dict[str, Any]]:
    """Markets with demand per product and year and one lost-sale penalty per product."""
    markets: list[dict[str, Any]] = [
        {"id": name, "country": raw.countries[raw.market_country[k]],
         "currency": raw.currencies[raw.market_currency[k]], "customs_basis": "cif" if raw.market_cif[k] else "fob",
         "demand": {}, "lost_sale_penalty": {}}
        for k, name in enumerate(raw.markets)
    ]
    n_years = len(years)
    for start in range(0, len(raw.demand_units), n_years):  # demand entries come n_years at a time per pair
        k, product = int(raw.demand_market[start]), raw.products[raw.demand_product[start]]
        markets[k]["demand"][product] = dict(zip(years, raw.demand_units[start:start + n_years].tolist(), strict=True))
        markets[k]["lost_sale_penalty"][product] = float(raw.demand_penalty[start])
    return markets


def _tariff_dict(raw: RawNetwork, i: int, years: list[int]) -> dict[str, Any]:
    origin = int(raw.tariff_origin[i])
    first, last = years[raw.tariff_first[i]], years[raw.tariff_last[i]]
    dating: dict[str, int] = {"year": first} if first == last else {"from_year": first, "to_year": last}
    return {"origin": "*" if origin < 0 else raw.countries[origin], "destination": raw.countries[
        raw.tariff_destination[i]], "product_class": raw.classes[raw.tariff_class[i]],
        "rate": float(raw.tariff_rate[i]), **dating}


# --------------------------------------------------------------------------------------------
# The LP from the raw arrays: shared by the floor and the Pyomo model
# --------------------------------------------------------------------------------------------


def lane_years(raw: RawNetwork) -> tuple[np.ndarray, np.ndarray]:
    """(capability, demand entry) of every flow: each capability serves every demand of its product."""
    order = np.argsort(raw.demand_product, kind="stable")
    counts = np.bincount(raw.demand_product, minlength=len(raw.products))
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    per_cap = counts[raw.cap_product]
    capability = np.repeat(np.arange(len(raw.cap_plant)), per_cap)
    within = np.arange(len(capability)) - np.repeat(np.cumsum(per_cap) - per_cap, per_cap)
    return capability, order[first[raw.cap_product[capability]] + within]


def flow_costs(raw: RawNetwork, capability: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Discounted landed cost per unit of each flow, USD: production, freight and duty."""
    plant, product = raw.cap_plant[capability], raw.cap_product[capability]
    market, year = raw.demand_market[demand], raw.demand_year[demand]
    production = (raw.cap_local[capability] / raw.fx[raw.plant_currency[plant], year]
                  + raw.cap_imported[capability] / raw.fx[raw.cap_imported_currency[capability], year])
    freight_table = np.full((len(raw.plants), len(raw.markets), len(raw.years)), raw.default_freight)
    freight_table[raw.lane_plant, raw.lane_market] = raw.lane_freight[:, None] / raw.fx[raw.lane_currency]
    freight = freight_table[plant, market, year]
    customs_value = production + np.where(raw.market_cif[market], freight, 0.0)
    rate = tariff_table(raw)[raw.plant_country[plant], raw.market_country[market], raw.product_class[product], year]
    return (production + freight + rate * customs_value) * discount(raw)[year]


def tariff_table(raw: RawNetwork) -> np.ndarray:
    """Rate by origin, destination, class and year index: MFN for every other origin, then specific rates."""
    n = len(raw.countries)
    table = np.zeros((n, n, len(raw.classes), len(raw.years)))
    for i in np.argsort(raw.tariff_origin >= 0, kind="stable"):
        years = slice(raw.tariff_first[i], raw.tariff_last[i] + 1)
        d, c = raw.tariff_destination[i], raw.tariff_class[i]
        origins = np.flatnonzero(np.arange(n) != d) if raw.tariff_origin[i] < 0 else [raw.tariff_origin[i]]
        table[origins, d, c, years] = raw.tariff_rate[i]
    return table


def discount(raw: RawNetwork) -> np.ndarray:
    return (1.0 + raw.discount_rate) ** -(raw.years - raw.years[0]).astype(np.float64)


def lost_costs(raw: RawNetwork) -> np.ndarray:
    """Discounted penalty per lost unit of each demand entry, USD."""
    year = raw.demand_year
    return raw.demand_penalty / raw.fx[raw.market_currency[raw.demand_market], year] * discount(raw)[year]


# --------------------------------------------------------------------------------------------
# The three implementations. Each runner prepares its input (untimed) and returns the timed run.
# --------------------------------------------------------------------------------------------


@dataclass
class Measured:
    variables: int
    constraints: int
    build_seconds: float
    highs_seconds: float
    total_seconds: float
    objective: float
    nonzero_flows: int
    prepare_seconds: float = 0.0
    """Generating the network and preparing the input (footprint: the validated Scenario); untimed."""
    peak_mib: float = 0.0
    input_mib: float = 0.0
    note: str = ""

    @property
    def overhead_seconds(self) -> float:
        return self.total_seconds - self.highs_seconds


def run_footprint(raw: RawNetwork) -> Callable[[], Measured]:
    from footprint.optimize.highs import SolverOptions
    from footprint.plan.tables import solve
    from footprint.scenario.model.scenario import Scenario

    scenario = Scenario.model_validate(scenario_dict(raw))

    def measure() -> Measured:
        started = time.perf_counter()
        plan = solve(scenario, SolverOptions())
        flows = len(plan.flows)
        total = time.perf_counter() - started
        summary = plan.summary
        assert summary["status"] == "optimal", summary["message"]
        rest = [name for name in plan.tables if name != "flows"]
        started = time.perf_counter()
        rows = sum(len(plan.tables[name]) for name in rest)
        note = (f"the Plan's other {len(rest)} tables ({rows:,} rows), made after the clock: "
                f"{time.perf_counter() - started:.2f} s")
        return Measured(summary["variables"], summary["constraints"], summary["build_seconds"],
                        summary["solve_seconds"], total, summary["objective"], flows, note=note)

    return measure


def floor_highs(raw: RawNetwork, capability: np.ndarray, demand: np.ndarray, *, via_highslp: bool) -> highspy.Highs:
    """The LP straight from the arrays. Columns: flows, then lost sales; rows: demand, then capacity."""
    n_flows, n_demand = len(capability), len(raw.demand_units)
    n_capacity = raw.capacity.size
    capacity_row = n_demand + raw.cap_plant[capability] * raw.capacity.shape[1] + raw.demand_year[demand]
    rows = np.concatenate([demand, capacity_row, np.arange(n_demand)])
    cols = np.concatenate([np.arange(n_flows), np.arange(n_flows), n_flows + np.arange(n_demand)])
    matrix = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_demand + n_capacity, n_flows + n_demand))
    columns = (np.concatenate([flow_costs(raw, capability, demand), lost_costs(raw)]),
               np.zeros(n_flows + n_demand), np.concatenate([np.full(n_flows, highspy.kHighsInf), raw.demand_units]))
    rows_bounds = (np.concatenate([raw.demand_units, np.full(n_capacity, -highspy.kHighsInf)]),
                   np.concatenate([raw.demand_units, raw.capacity.ravel()]))
    highs = highspy.Highs()
    for option, value in HIGHS_OPTIONS.items():
        highs.setOptionValue(option, value)
    if via_highslp:
        highs.passModel(_highs_lp(matrix, *columns, *rows_bounds))
    else:  # the array form of passModel, as footprint.highs.to_highs uses
        highs.passModel(matrix.shape[1], matrix.shape[0], matrix.nnz, int(highspy.MatrixFormat.kColwise),
                        int(highspy.ObjSense.kMinimize), 0.0, *columns, *rows_bounds,
                        matrix.indptr.astype(np.int32, copy=False), matrix.indices.astype(np.int32, copy=False),
                        matrix.data, np.zeros(matrix.shape[1], dtype=np.int32))  # integrality: all continuous
    return highs


def _highs_lp(matrix: sp.csc_matrix, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, row_lower: np.ndarray,
              row_upper: np.ndarray) -> highspy.HighsLp:
    """The same LP as a HighsLp filled field by field (pybind11 copies each array element by element)."""
    lp = highspy.HighsLp()
    lp.num_row_, lp.num_col_ = matrix.shape
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    return lp


def floor_flows(raw: RawNetwork, capability: np.ndarray, demand: np.ndarray, flow: np.ndarray) -> pd.DataFrame:
    """The nonzero flows, labelled."""
    used = np.flatnonzero(flow > FLOW_TOLERANCE)
    cap, dem = capability[used], demand[used]
    return pd.DataFrame({
        "plant": pd.Categorical.from_codes(raw.cap_plant[cap], categories=raw.plants),
        "product": pd.Categorical.from_codes(raw.cap_product[cap], categories=raw.products),
        "market": pd.Categorical.from_codes(raw.demand_market[dem], categories=raw.markets),
        "year": raw.years[raw.demand_year[dem]],
        "units": flow[used],
    })


def tightness(raw: RawNetwork, highs: highspy.Highs) -> str:
    """How much capacity binds and how much demand goes unserved, from the floor's solution."""
    solution = highs.getSolution()
    n_demand = len(raw.demand_units)
    capacity = raw.capacity.ravel()
    used = np.asarray(solution.row_value)[n_demand:]
    lost = np.asarray(solution.col_value)[-n_demand:].sum()
    binding = int((used >= capacity - 1e-6 * np.maximum(1.0, capacity)).sum())
    return (f"capacity binds in {binding:,} of {len(capacity):,} plant-years; "
            f"lost sales {lost / raw.demand_units.sum():.2%} of demand")


def run_floor(raw: RawNetwork, via_highslp: bool = False) -> Callable[[], Measured]:
    def measure() -> Measured:
        started = time.perf_counter()
        capability, demand = lane_years(raw)
        highs = floor_highs(raw, capability, demand, via_highslp=via_highslp)
        built = time.perf_counter()
        highs.run()
        solved = time.perf_counter()
        assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal, highs.modelStatusToString(
            highs.getModelStatus())
        flow = np.asarray(highs.getSolution().col_value)[:len(capability)]
        flows = floor_flows(raw, capability, demand, flow)
        total = time.perf_counter() - started
        return Measured(highs.getNumCol(), highs.getNumRow(), built - started, solved - built, total,
                        highs.getInfo().objective_function_value, len(flows), note=tightness(raw, highs))

    return measure


FlowKey = tuple[str, str, str, int]
"""(plant, product, market, year)."""
DemandKey = tuple[str, str, int]
"""(product, market, year)."""


@dataclass(frozen=True)
class PyomoData:
    """The LP's data keyed by names, as a Pyomo model reads it."""

    flows: list[FlowKey]
    flow_cost: list[float]
    demands: list[DemandKey]
    units: dict[DemandKey, float]
    penalty: dict[DemandKey, float]
    capacity: dict[tuple[str, int], float]
    makers: dict[str, list[str]]
    """Plants building each product."""
    plant_flows: dict[tuple[str, int], list[FlowKey]]
    """Flows out of each plant in each year."""


def pyomo_data(raw: RawNetwork) -> PyomoData:
    capability, demand = lane_years(raw)
    years = raw.years.tolist()
    plants = [raw.plants[p] for p in raw.cap_plant[capability].tolist()]
    products = [raw.products[m] for m in raw.cap_product[capability].tolist()]
    markets = [raw.markets[k] for k in raw.demand_market[demand].tolist()]
    flow_years = [years[t] for t in raw.demand_year[demand].tolist()]
    flows = list(zip(plants, products, markets, flow_years, strict=True))
    demands = [(raw.products[m], raw.markets[k], years[t]) for m, k, t in zip(
        raw.demand_product.tolist(), raw.demand_market.tolist(), raw.demand_year.tolist(), strict=True)]
    capacity = {(name, year): float(raw.capacity[p, t]) for p, name in enumerate(raw.plants)
                for t, year in enumerate(years)}
    makers: dict[str, list[str]] = {}
    for p, m in zip(raw.cap_plant.tolist(), raw.cap_product.tolist(), strict=True):
        makers.setdefault(raw.products[m], []).append(raw.plants[p])
    plant_flows: dict[tuple[str, int], list[FlowKey]] = {key: [] for key in capacity}
    for key in flows:
        plant_flows[key[0], key[3]].append(key)
    return PyomoData(flows, flow_costs(raw, capability, demand).tolist(), demands,
                     dict(zip(demands, raw.demand_units.tolist(), strict=True)),
                     dict(zip(demands, lost_costs(raw).tolist(), strict=True)), capacity, makers, plant_flows)


def pyomo_model(data: PyomoData) -> pyo.ConcreteModel:
    import pyomo.environ as pyo

    model = pyo.ConcreteModel()
    model.FLOWS = pyo.Set(initialize=data.flows, dimen=4)
    model.DEMANDS = pyo.Set(initialize=data.demands, dimen=3)
    model.PLANT_YEARS = pyo.Set(initialize=list(data.capacity), dimen=2)
    model.flow = pyo.Var(model.FLOWS, domain=pyo.NonNegativeReals)
    model.lost = pyo.Var(model.DEMANDS, bounds=lambda _, *key: (0.0, data.units[key]))
    model.cost = pyo.Objective(
        expr=pyo.quicksum(cost * model.flow[key] for key, cost in zip(data.flows, data.flow_cost, strict=True))
        + pyo.quicksum(data.penalty[key] * model.lost[key] for key in data.demands))

    def demand_rule(m: pyo.ConcreteModel, product: str, market: str, year: int) -> Any:
        served = pyo.quicksum(m.flow[plant, product, market, year] for plant in data.makers[product])
        return served + m.lost[product, market, year] == data.units[product, market, year]

    def capacity_rule(m: pyo.ConcreteModel, plant: str, year: int) -> Any:
        return pyo.quicksum(m.flow[key] for key in data.plant_flows[plant, year]) <= data.capacity[plant, year]

    model.demand = pyo.Constraint(model.DEMANDS, rule=demand_rule)
    model.capacity = pyo.Constraint(model.PLANT_YEARS, rule=capacity_rule)
    return model


def run_pyomo(raw: RawNetwork) -> Callable[[], Measured]:
    import pyomo.environ as pyo
    from pyomo.common.timing import HierarchicalTimer
    from pyomo.contrib.appsi.solvers.highs import Highs

    assert pyo.SolverFactory("appsi_highs").available(), "Pyomo's appsi_highs needs highspy"

    def measure() -> Measured:
        started = time.perf_counter()
        model = pyomo_model(pyomo_data(raw))
        built = time.perf_counter()
        solver = Highs()
        solver.highs_options = dict(HIGHS_OPTIONS)
        timer = HierarchicalTimer()
        results = solver.solve(model, timer=timer)  # set_instance (Pyomo -> HiGHS), run, load the values
        assert results.termination_condition.name == "optimal", results.termination_condition
        flows = pd.DataFrame([(*key, var.value) for key, var in model.flow.items() if var.value > FLOW_TOLERANCE],
                             columns=["plant", "product", "market", "year", "units"])
        total = time.perf_counter() - started
        return Measured(len(model.flow) + len(model.lost), len(model.demand) + len(model.capacity),
                        built - started, timer.get_total_time("optimize"), total, pyo.value(model.cost), len(flows))

    return measure


RUNNERS: dict[str, Callable[[RawNetwork], Callable[[], Measured]]] = {
    "footprint": run_footprint,
    "floor": run_floor,
    "floor-highslp": functools.partial(run_floor, via_highslp=True),
    "pyomo": run_pyomo,
}


# --------------------------------------------------------------------------------------------
# Child: one (size, implementation) per interpreter
# --------------------------------------------------------------------------------------------


def child(size_name: str, implementation: str) -> None:
    started = time.perf_counter()
    measure = RUNNERS[implementation](generate(SIZES[size_name]))
    prepare_seconds = time.perf_counter() - started
    gc.collect()
    input_mib = rss_mib("VmRSS")
    reset_peak_rss()
    result = measure()
    result.peak_mib = rss_mib("VmHWM")
    result.input_mib = input_mib
    result.prepare_seconds = prepare_seconds
    print(RESULT_MARK + json.dumps(dataclasses.asdict(result)), flush=True)


# --------------------------------------------------------------------------------------------
# Parent: run every child, print the table
# --------------------------------------------------------------------------------------------


def run_child(size_name: str, implementation: str) -> Measured:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", size_name, implementation]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{implementation} at {size_name} failed:\n{done.stdout}\n{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK))
    return Measured(**json.loads(line.removeprefix(RESULT_MARK)))


HEADER = (f"{'size':<7} {'implementation':<14} {'variables':>10} {'constraints':>11} {'build s':>8} {'HiGHS s':>8} "
          f"{'total s':>8} {'overhead s':>10} {'peak MiB':>9} {'input MiB':>9} {'input s':>8}  objective")


def row(size_name: str, implementation: str, m: Measured) -> str:
    return (f"{size_name:<7} {implementation:<14} {m.variables:>10,} {m.constraints:>11,} {m.build_seconds:>8.2f} "
            f"{m.highs_seconds:>8.2f} {m.total_seconds:>8.2f} {m.overhead_seconds:>10.2f} {m.peak_mib:>9.0f} "
            f"{m.input_mib:>9.0f} {m.prepare_seconds:>8.2f}  {m.objective:.10e}")


def check_objectives(size_name: str, results: dict[str, Measured]) -> None:
    reference = results["footprint"].objective
    for implementation, measured in results.items():
        difference = abs(measured.objective - reference) / max(1.0, abs(reference))
        assert difference <= OBJECTIVE_TOLERANCE, (
            f"{size_name}: {implementation} objective {measured.objective!r} differs from footprint's "
            f"{reference!r} (relative {difference:.2e})")
        if implementation != "footprint":
            print(f"  objective: footprint {reference:.10e}, {implementation} {measured.objective:.10e}, "
                  f"relative difference {difference:.1e}", flush=True)


def ratio_line(results: dict[str, Measured]) -> str:
    footprint = results["footprint"].overhead_seconds
    vs_floor = f"{footprint / results['floor'].overhead_seconds:.2f}"
    vs_pyomo = f"{footprint / results['pyomo'].overhead_seconds:.2f}" if "pyomo" in results else "n/a"
    return f"overhead vs floor: {vs_floor}; vs pyomo: {vs_pyomo}"


def run_repeated(size_name: str, implementation: str, repeat: int) -> Measured:
    """The run with the least overhead of ``repeat`` runs, each in a fresh interpreter.

    The least, as timeit does: noise (other processes, page faults in a fresh process) only adds.
    """
    runs: list[Measured] = []
    for attempt in range(1, repeat + 1):
        label = f"  {implementation} at {size_name}" + (f", run {attempt} of {repeat}" if repeat > 1 else "")
        print(f"{label}: running ...", flush=True)
        runs.append(measured := run_child(size_name, implementation))
        print(f"{label}: done in {measured.total_seconds:.2f} s (HiGHS {measured.highs_seconds:.2f} s, overhead "
              f"{measured.overhead_seconds:.2f} s)" + (f"; {measured.note}" if measured.note else ""), flush=True)
    best = min(runs, key=lambda m: m.overhead_seconds)
    if repeat > 1:
        overheads = sorted(m.overhead_seconds for m in runs)
        print(f"  {implementation} at {size_name}: overhead least {best.overhead_seconds:.2f} s, median "
              f"{overheads[len(overheads) // 2]:.2f} s, most {overheads[-1]:.2f} s", flush=True)
    return best


def run_size(size_name: str, implementations: list[str], repeat: int) -> dict[str, Measured]:
    raw = generate(SIZES[size_name])
    assert len(lane_years(raw)[0]) == SIZES[size_name].flows
    print(f"{size_name}: {len(raw.plants)} plants in {len(set(raw.plant_country))} countries, {len(raw.products)} "
          f"products, {len(raw.markets)} markets, {len(raw.years)} years; {len(raw.cap_plant):,} capabilities, "
          f"{len(raw.demand_units):,} demands, {len(raw.lane_plant):,} listed lanes, {len(raw.tariff_rate)} tariffs; "
          f"{SIZES[size_name].flows:,} flows", flush=True)
    results = {implementation: run_repeated(size_name, implementation, 1 if implementation == "pyomo" else repeat)
               for implementation in implementations}
    check_objectives(size_name, results)
    return results


def main(sizes: list[str], implementations: list[str], repeat: int) -> None:
    started = time.perf_counter()
    table: list[str] = []
    results: dict[str, Measured] = {}
    for size_name in sizes:
        results = run_size(size_name, implementations, repeat)
        table += [row(size_name, implementation, m) for implementation, m in results.items()]
    print(f"\nall runs: {time.perf_counter() - started:.0f} s; footprint and floor: the run with the least overhead of "
          f"{repeat}, pyomo: one run")
    print("build = until the model is in HiGHS; total = until the nonzero flows are read back, labelled; "
          "overhead = total - HiGHS")
    print("peak MiB = the run's high-water RSS (input and imports included); input MiB = RSS before the run; "
          "input s = generating the network and preparing the input (footprint: Scenario.model_validate), untimed\n")
    print(HEADER)
    print("\n".join(table))
    print(ratio_line(results))


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES),
                        help=f"comma-separated, among {', '.join(SIZES)} (default: all, about 5 minutes)")
    parser.add_argument("--skip-pyomo", action="store_true", help="run footprint and the floor only")
    parser.add_argument("--highslp-floor", action="store_true",
                        help="also run the floor handing the LP over as a HighsLp filled field by field")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of footprint and of the floor per size; the least overhead is kept (default: 3)")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "IMPLEMENTATION"), help=argparse.SUPPRESS)
    parser.add_argument("--tiers", action="store_true",
                        help="the carmaker's network of many tiers instead (tier_build.py): build against the floor, "
                        "stages, peak memory, a solve to a 1%% gap and a profile")
    tier_build.add_arguments(parser)
    arguments = parser.parse_args(argv)
    unknown = [s for s in arguments.sizes.split(",") if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose among {', '.join(SIZES)}")
    return arguments


if __name__ == "__main__":
    args = parse_arguments(sys.argv[1:])
    if args.tiers:
        tier_build.run_from(args)
    elif args.child:
        child(*args.child)
    else:
        chosen = ["footprint", "floor", *(["floor-highslp"] if args.highslp_floor else []),
                  *([] if args.skip_pyomo else ["pyomo"])]
        main(args.sizes.split(","), chosen, max(1, args.repeat))
