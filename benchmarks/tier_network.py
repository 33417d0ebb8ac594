"""A carmaker's network of many tiers, generated: the scenario ``benchmarks/build.py --tiers`` builds and solves.

At scale 1 (``--scale`` multiplies every count but the years): 50 suppliers, 300 components, 30 plants, 60
distribution centres, 200 markets, 100 products, 10 years (2026-2035), from a fixed numpy seed, in four regions
(North America, Europe, Asia, South America) with a currency per country and FX that moves by year. The sparsity is
a real network's:

- Components: a fifth are sub-assemblies (engines, transmissions, axles, seats, battery packs: HS 8407, 8483,
  8708, 9401, 8507), the rest parts (8708, 8409, 8544). A sub-assembly's bill of materials lists 3-6 parts; a
  product's lists 2-4 sub-assemblies and 6-14 parts, so 10-30 components over two levels once exploded.
- Suppliers: each component is offered by 1-4 suppliers, mostly of one region; a tenth of the offers have a
  capacity and a twentieth a minimum volume (a yes/no decision per year); a sixth of the suppliers are candidates
  (a qualification cost to start buying).
- Plants: a quarter are powertrain plants that make sub-assemblies (each sub-assembly at 1-3 of them) and a few
  parts, beside assembly; each product is assembled at 2-4 plants, one in each of its regions that has a plant
  (one pool a plant, capacity sized from the demand it could serve); a tenth of the plants are candidates, a tenth
  closable.
- Distribution centres: each serves the 8-16 markets of its region nearest to it (lanes listed: not every centre
  to every market); a quarter are candidates; a count rule per region opens at most half of its
  candidate centres.
- Markets: each product sells in 1-3 regions, in about half of their markets, growing, with a lost-sale penalty of
  2-3 times its cost (assembly and parts).
- Lanes are all listed (no default freight), priced by distance (by road or rail within 3,000 km, else by sea):
  suppliers and powertrain plants to every plant, plants to the markets of their region (and a tenth of the
  others) and to the centres of their region (and a fifth of the others).
- Duties: MFN rates by destination and HS heading (cars and parts), the EU's customs union, and five agreements
  with their regional value content (USMCA 75%, EU-Mexico, KORUS, EU-Korea, EU-Japan): the plan decides which
  units claim them from the components it routes (the rules of origin of issue 17).
"""

from __future__ import annotations

from typing import Any

import numpy as np

SEED = 20261207
FIRST_YEAR = 2026
YEARS = 10

REGIONS: dict[str, list[tuple[str, str, float, float]]] = {  # country, currency, latitude, longitude
    "NA": [("US", "USD", 39.0, -95.0), ("MX", "MXN", 22.0, -101.0), ("CA", "CAD", 45.0, -79.0)],
    "EU": [("DE", "EUR", 51.0, 10.0), ("FR", "EUR", 46.5, 2.5), ("ES", "EUR", 40.0, -3.7), ("IT", "EUR", 43.0, 12.0),
           ("PL", "PLN", 52.0, 19.0), ("CZ", "CZK", 49.8, 15.5), ("GB", "GBP", 52.5, -1.5)],
    "AS": [("CN", "CNY", 31.0, 117.0), ("JP", "JPY", 35.5, 137.0), ("KR", "KRW", 36.5, 127.8),
           ("IN", "INR", 20.0, 77.0), ("TH", "THB", 14.0, 100.5)],
    "SA": [("BR", "BRL", -23.0, -47.0), ("AR", "ARS", -34.0, -61.0)],
}
REGION_SHARE = {"NA": 0.28, "EU": 0.30, "AS": 0.32, "SA": 0.10}
"""Share of the plants, suppliers, centres and markets in each region."""
FX_BASE = {"USD": 1.0, "MXN": 17.5, "CAD": 1.36, "EUR": 0.92, "PLN": 4.0, "CZK": 23.0, "GBP": 0.79, "CNY": 7.2,
           "JPY": 150.0, "KRW": 1350.0, "INR": 83.0, "THB": 36.0, "BRL": 5.0, "ARS": 900.0}
COST_FACTOR = {"US": 1.10, "MX": 0.85, "CA": 1.08, "DE": 1.15, "FR": 1.10, "ES": 0.98, "IT": 1.02, "PL": 0.85,
               "CZ": 0.87, "GB": 1.08, "CN": 0.82, "JP": 1.05, "KR": 0.95, "IN": 0.80, "TH": 0.86, "BR": 0.93,
               "AR": 0.97}
PRODUCT_CLASSES = ("8703.23", "8703.80", "8704.21")
SUBASSEMBLY_CLASSES = ("8407.34", "8483.40", "8708.50", "9401.20", "8507.60")
PART_CLASSES = ("8708.29", "8708.99", "8409.91", "8544.30", "8708.30")
MFN = {  # destination: (cars, trucks, parts)
    "US": (0.025, 0.25, 0.025), "MX": (0.20, 0.20, 0.05), "CA": (0.061, 0.061, 0.06), "EU": (0.10, 0.22, 0.03),
    "GB": (0.10, 0.10, 0.03), "CN": (0.15, 0.15, 0.06), "JP": (0.0, 0.0, 0.0), "KR": (0.08, 0.10, 0.08),
    "IN": (0.70, 0.40, 0.15), "TH": (0.80, 0.40, 0.10), "BR": (0.35, 0.35, 0.18), "AR": (0.35, 0.35, 0.18),
}
AGREEMENTS = [  # id, members, regional value content
    ("usmca", ["US", "MX", "CA"], 0.75), ("eu-mx", ["EU", "MX"], 0.55), ("korus", ["KR", "US"], 0.35),
    ("eu-kr", ["EU", "KR"], 0.55), ("eu-jp", ["EU", "JP"], 0.55),
]
EU = {"DE", "FR", "ES", "IT", "PL", "CZ"}


def counts(scale: float) -> dict[str, int]:
    """The size of the network at ``scale`` (1: the carmaker's of issue 17)."""
    base = {"suppliers": 50, "components": 300, "plants": 30, "facilities": 60, "markets": 200, "products": 100}
    return {name: max(4, round(count * scale)) for name, count in base.items()}


def _names(prefix: str, count: int) -> list[str]:
    width = len(str(count))
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


class _Places:
    """Sites spread over the regions by REGION_SHARE, each with a country, currency and location."""

    def __init__(self, rng: np.random.Generator, count: int) -> None:
        regions = list(REGIONS)
        share = np.array([REGION_SHARE[r] for r in regions])
        self.region = np.sort(rng.choice(len(regions), count, p=share))
        rows = [REGIONS[regions[r]][rng.integers(len(REGIONS[regions[r]]))] for r in self.region]
        self.country = [row[0] for row in rows]
        self.currency = [row[1] for row in rows]
        self.lat = np.array([row[2] for row in rows]) + rng.normal(0.0, 2.0, count)
        self.lon = np.array([row[3] for row in rows]) + rng.normal(0.0, 3.0, count)

    def location(self, i: int) -> dict[str, float]:
        return {"lat": round(float(np.clip(self.lat[i], -89, 89)), 3), "lon": round(float(self.lon[i]), 3)}

    def site(self, i: int, name: str) -> dict[str, Any]:
        return {"id": name, "country": self.country[i], "currency": self.currency[i], "location": self.location(i)}


def _km(a: _Places, b: _Places) -> np.ndarray:
    """Great-circle km between every place of ``a`` and every place of ``b``."""
    lat_a, lon_a, lat_b, lon_b = (np.radians(x) for x in (a.lat, a.lon, b.lat, b.lon))
    cos = (np.sin(lat_a)[:, None] * np.sin(lat_b)[None, :]
           + np.cos(lat_a)[:, None] * np.cos(lat_b)[None, :] * np.cos(lon_a[:, None] - lon_b[None, :]))
    return 6371.0 * np.arccos(np.clip(cos, -1.0, 1.0))


def _freight(rng: np.random.Generator, km: np.ndarray, per_km: float, base: float, sea: float) -> np.ndarray:
    """Freight per unit, USD: by road or rail within 3,000 km, else by sea (a flat rate plus distance)."""
    road = base + per_km * km
    by_sea = sea + 0.02 * per_km * km
    return np.round(np.where(km <= 3000.0, road, by_sea) * rng.uniform(0.9, 1.1, km.shape), 2)


def _pick(rng: np.random.Generator, pool: np.ndarray, low: int, high: int) -> np.ndarray:
    """Between low and high (inclusive) distinct members of ``pool``."""
    return np.sort(rng.choice(pool, min(len(pool), int(rng.integers(low, high + 1))), replace=False))


def scenario_dict(scale: float = 1.0, seed: int = SEED) -> dict[str, Any]:
    """The network as a scenario document, what a user would write (see the module's doc)."""
    rng = np.random.default_rng(seed)
    n = counts(scale)
    years = list(range(FIRST_YEAR, FIRST_YEAR + YEARS))
    plants, suppliers, dcs, markets = (_Places(rng, n[k]) for k in ("plants", "suppliers", "facilities", "markets"))
    plant_names, supplier_names = _names("plant", n["plants"]), _names("supplier", n["suppliers"])
    dc_names, market_names = _names("dc", n["facilities"]), _names("market", n["markets"])
    product_names, component_names = _names("model", n["products"]), _names("part", n["components"])

    # components: sub-assemblies first, then parts; values in USD
    n_sub = n["components"] // 5
    subs, parts = np.arange(n_sub), np.arange(n_sub, n["components"])
    part_value = np.round(rng.lognormal(np.log(80.0), 0.9, len(parts)), 2)
    sub_bom = [_pick(rng, parts, 3, 6) for _ in subs]
    sub_units = [rng.integers(1, 5, len(bom)) for bom in sub_bom]
    sub_value = np.array([part_value[b - n_sub].sum() * 1.3 + rng.uniform(400, 2000) for b in sub_bom])
    value = np.concatenate([sub_value, part_value])
    components = [
        {"id": component_names[c], "value": round(float(value[c]), 2), "weight": round(float(value[c]) / 20, 1),
         "product_class": (SUBASSEMBLY_CLASSES[c % len(SUBASSEMBLY_CLASSES)] if c < n_sub
                           else PART_CLASSES[c % len(PART_CLASSES)])}
        | ({"bom": {component_names[p]: int(u) for p, u in zip(sub_bom[c], sub_units[c], strict=True)}}
           if c < n_sub else {})
        for c in range(n["components"])
    ]
    bom = np.zeros((n["products"], n["components"]))  # units per product, both levels: what each product needs
    products = []
    for m, name in enumerate(product_names):
        own = dict.fromkeys(_pick(rng, subs, 2, 4), 1) | {c: int(rng.integers(1, 9)) for c in _pick(rng, parts, 6, 14)}
        products.append({"id": name, "product_class": PRODUCT_CLASSES[m % len(PRODUCT_CLASSES)],
                         "bom": {component_names[c]: units for c, units in own.items()}})
        for c, units in own.items():
            bom[m, c] += units
            if c < n_sub:
                bom[m, sub_bom[c]] += units * sub_units[c]

    # demand: each product in 1-3 regions, about half of their markets
    region_of_product = [rng.choice(len(REGIONS), int(rng.integers(1, 4)), replace=False) for _ in product_names]
    base_cost = rng.uniform(9_000, 22_000, n["products"])
    demand: list[list[tuple[int, np.ndarray]]] = [[] for _ in market_names]
    sells = np.zeros((n["products"], n["markets"]), dtype=bool)
    for m, regions in enumerate(region_of_product):
        for k in np.flatnonzero(np.isin(markets.region, regions) & (rng.random(n["markets"]) < 0.5)):
            units = rng.lognormal(np.log(2500.0), 0.8) * (1.0 + rng.normal(0.03, 0.02)) ** np.arange(YEARS)
            demand[k].append((m, np.round(units)))
            sells[m, k] = True

    # plants: assembly of 2-4 plants per product, in its regions where possible; powertrain plants
    makers_of = []
    for regions in region_of_product:  # a plant in each of its regions that has one, then up to 4 in all
        local = [rng.choice(np.flatnonzero(plants.region == r)) for r in regions if (plants.region == r).any()]
        more = _pick(rng, np.setdiff1d(np.arange(n["plants"]), local), max(0, 2 - len(local)), max(0, 4 - len(local)))
        makers_of.append(np.sort(np.concatenate([np.array(local, dtype=np.int64), more])))
    n_powertrain = max(2, n["plants"] // 4)
    powertrain = rng.choice(n["plants"], n_powertrain, replace=False)
    made_at = [_pick(rng, powertrain, 1, 3) for _ in subs] + [
        _pick(rng, powertrain, 1, 1) if rng.random() < 0.1 else np.zeros(0, np.int64) for _ in parts]
    market_units = np.zeros((n["products"], YEARS))
    for k in range(n["markets"]):
        for m, units in demand[k]:
            market_units[m] += units
    plant_products: list[list[int]] = [[] for _ in plant_names]
    plant_load = np.zeros(n["plants"])
    for m, makers in enumerate(makers_of):
        for p in makers:
            plant_products[p].append(m)
            plant_load[p] += market_units[m].max() / len(makers)
    plant_components: list[list[int]] = [[] for _ in plant_names]
    component_need = market_units.max(axis=1) @ bom
    for c, makers in enumerate(made_at):
        for p in makers:
            plant_components[p].append(c)
    plant_dicts = []
    capabilities = []
    for p, name in enumerate(plant_names):
        factor = COST_FACTOR[plants.country[p]]
        fx0 = FX_BASE[plants.currency[p]]
        pools = []
        if plant_products[p]:
            pools.append({"id": "assembly", "products": [product_names[m] for m in plant_products[p]],
                          "capacity": float(np.round(plant_load[p] * rng.uniform(1.0, 1.5) + 1000))})
        if plant_components[p]:
            pools.append({"id": "powertrain", "products": [component_names[c] for c in plant_components[p]],
                          "capacity": float(np.round(component_need[plant_components[p]].sum() * rng.uniform(0.5, 0.9)
                                                     + 1000))})
        if not pools:  # a plant given nothing to make still has a line (a candidate for a product later)
            m = int(rng.integers(n["products"]))
            plant_products[p].append(m)
            pools.append({"id": "assembly", "products": [product_names[m]], "capacity": 20000.0})
        site = plants.site(p, name) | {"pools": pools, "fixed_cost": round(float(rng.uniform(20e6, 60e6) * fx0))}
        if p % 10 == 3:
            site |= {"candidate": True, "opening_cost": round(float(rng.uniform(150e6, 400e6) * fx0)),
                     "earliest_open": FIRST_YEAR + 2}
        elif p % 10 == 7:
            site |= {"closable": True, "closing_cost": round(float(rng.uniform(50e6, 150e6) * fx0))}
        plant_dicts.append(site)
        imported_share = rng.uniform(0.0, 0.2)
        for m in plant_products[p]:
            cost = base_cost[m] * factor * rng.uniform(0.95, 1.05)
            capabilities.append({"plant": name, "product": product_names[m],
                                 "local_cost": round(float(cost * (1 - imported_share) * fx0), 2),
                                 "imported_cost": round(float(cost * imported_share), 2), "imported_currency": "USD"})
        for c in plant_components[p]:
            capabilities.append({"plant": name, "product": component_names[c],
                                 "local_cost": round(float(value[c] * factor * rng.uniform(0.55, 0.8) * fx0), 2)})

    # suppliers: each component offered by 1-4 of them, mostly of one region
    offers: list[list[dict[str, Any]]] = [[] for _ in supplier_names]
    for c in range(n["components"]):
        region = rng.integers(len(REGIONS))
        home = np.flatnonzero(suppliers.region == region)
        pool = home if len(home) >= 4 and rng.random() < 0.7 else np.arange(n["suppliers"])
        for s in _pick(rng, pool, 1, 4):
            offer: dict[str, Any] = {"component": component_names[c], "price": {
                "from": round(float(value[c] * rng.uniform(0.85, 1.1) * FX_BASE[suppliers.currency[s]]), 2),
                "growth": round(float(rng.uniform(-0.01, 0.03)), 4)}}
            if rng.random() < 0.1:
                offer["capacity"] = float(np.round(component_need[c] * rng.uniform(0.3, 0.8) + 500))
            if rng.random() < 0.05:
                offer["min_volume"] = float(np.round(component_need[c] * 0.05 + 100))
            offers[s].append(offer)
    supplier_dicts = []
    for s, name in enumerate(supplier_names):
        if not offers[s]:  # every supplier sells something
            c = int(rng.integers(n["components"]))
            offers[s].append({"component": component_names[c],
                              "price": round(float(value[c] * FX_BASE[suppliers.currency[s]]), 2)})
        site = suppliers.site(s, name) | {"supplies": offers[s]}
        if s % 6 == 5:
            site |= {"candidate": True, "opening_cost": round(float(rng.uniform(1e6, 5e6)
                                                                    * FX_BASE[suppliers.currency[s]]))}
        supplier_dicts.append(site)

    # distribution centres and the markets each serves
    dc_dicts = []
    for f, name in enumerate(dc_names):
        fx0 = FX_BASE[dcs.currency[f]]
        site = dcs.site(f, name) | {"handling_cost": round(float(rng.uniform(40, 140) * fx0), 2),
                                    "fixed_cost": round(float(rng.uniform(2e6, 8e6) * fx0))}
        if f % 4 == 1:
            site |= {"candidate": True, "opening_cost": round(float(rng.uniform(10e6, 30e6) * fx0))}
        if rng.random() < 0.3:
            site["capacity"] = float(np.round(rng.uniform(40_000, 150_000)))
        dc_dicts.append(site)
    candidates = [np.flatnonzero((dcs.region == r) & (np.arange(n["facilities"]) % 4 == 1))
                  for r in range(len(REGIONS))]
    groups = [{"id": f"new-dcs-{region.lower()}", "members": [dc_names[f] for f in candidates[r]],
               "max_open": len(candidates[r]) // 2} for r, region in enumerate(REGIONS) if len(candidates[r]) >= 2]

    full_cost = base_cost + bom @ value  # assembly and parts, USD
    market_dicts = []
    for k, name in enumerate(market_names):
        entry = markets.site(k, name)
        del entry["currency"]
        market_dicts.append(entry | {
            "demand": {product_names[m]: dict(zip(years, units.tolist(), strict=True)) for m, units in demand[k]},
            "lost_sale_penalty": {product_names[m]: round(float(full_cost[m] * rng.uniform(2.0, 3.0)), 2)
                                  for m, _ in demand[k]}})

    lanes = _lanes(rng, plants, suppliers, dcs, markets, plant_names, supplier_names, dc_names, market_names,
                   powertrain)
    return {
        "name": f"carmaker-tiers-x{scale:g}",
        "description": "A generated carmaker's network of many tiers (benchmarks/tier_network.py).",
        "currency": "USD",
        "horizon": {"start": years[0], "end": years[-1]},
        "discount_rate": 0.08,
        "products": products,
        "components": components,
        "plants": plant_dicts,
        "capabilities": capabilities,
        "suppliers": supplier_dicts,
        "facilities": dc_dicts,
        "markets": market_dicts,
        "lanes": lanes,
        "groups": groups,
        "fx": _fx(rng, years),
        "tariffs": _tariffs(),
        "agreements": [{"id": id, "members": [{"country": c} for c in members], "regional_value_content": rvc,
                        "rates": [{"product_class": "87", "rate": 0.0}, {"product_class": "84", "rate": 0.0},
                                  {"product_class": "85", "rate": 0.0}, {"product_class": "94", "rate": 0.0}]}
                       for id, members, rvc in AGREEMENTS],
        "solver": {"mip_gap": 0.01},
    }


def _lanes(rng: np.random.Generator, plants: _Places, suppliers: _Places, dcs: _Places, markets: _Places,
           plant_names: list[str], supplier_names: list[str], dc_names: list[str], market_names: list[str],
           powertrain: np.ndarray) -> list[dict[str, Any]]:
    """Every lane listed, with its freight per unit in USD (see the module's doc)."""
    lanes: list[dict[str, Any]] = []

    def add(origin: list[str], destination: list[str], freight: np.ndarray, keep: np.ndarray) -> None:
        for i, j in zip(*np.nonzero(keep), strict=True):
            lanes.append({"origin": origin[i], "destination": destination[j], "freight": float(freight[i, j])})

    add(supplier_names, plant_names, _freight(rng, _km(suppliers, plants), 0.02, 5.0, 40.0),
        np.ones((len(supplier_names), len(plant_names)), dtype=bool))
    from_powertrain = np.zeros((len(plant_names), len(plant_names)), dtype=bool)
    from_powertrain[powertrain] = True
    np.fill_diagonal(from_powertrain, False)
    add(plant_names, plant_names, _freight(rng, _km(plants, plants), 0.05, 10.0, 120.0), from_powertrain)
    same = plants.region[:, None] == markets.region[None, :]
    add(plant_names, market_names, _freight(rng, _km(plants, markets), 0.35, 250.0, 1400.0),
        same | (rng.random(same.shape) < 0.1))
    same = plants.region[:, None] == dcs.region[None, :]
    add(plant_names, dc_names, _freight(rng, _km(plants, dcs), 0.20, 80.0, 900.0),
        same | (rng.random(same.shape) < 0.2))
    km = _km(dcs, markets)
    reach = np.zeros(km.shape, dtype=bool)
    for f in range(len(dc_names)):
        own = np.flatnonzero(markets.region == dcs.region[f])
        nearest = own[np.argsort(km[f, own])][:int(rng.integers(8, 17))]
        reach[f, nearest] = True
    add(dc_names, market_names, _freight(rng, km, 0.15, 60.0, 800.0), reach)
    return lanes


def _fx(rng: np.random.Generator, years: list[int]) -> dict[str, dict[int, float]]:
    """Each currency's rate per year: a random walk from its base."""
    return {currency: dict(zip(years, np.round(base * np.exp(np.cumsum(rng.normal(0.0, 0.04, len(years)))),
                                               6).tolist(), strict=True))
            for currency, base in FX_BASE.items() if currency != "USD"}


def _tariffs() -> list[dict[str, Any]]:
    """MFN rates by destination: cars (8703), trucks (8704) and parts (chapters 84, 85, 94 and heading 8708)."""
    tariffs = []
    for destination, (cars, trucks, parts) in MFN.items():
        for product_class, rate in (("8703", cars), ("8704", trucks), ("8708", parts), ("84", parts),
                                    ("85", parts), ("94", parts)):
            tariffs.append({"origin": "*", "destination": destination, "product_class": product_class, "rate": rate})
    return tariffs


__all__ = ["counts", "scenario_dict"]
