"""What a unit of a product is made of as the plan sources it, and what its origin saves: explain's parts and origin.

Parts. A plant's components are pooled (economics/tiers.py: one balance per plant, component and year), so a unit
of a product made there takes each component of its bill of materials from the sources the plant received it from
that year, in the shares it received them. A component made at a plant (its own or another's) brings that plant's
bill of materials with it, at that plant's shares: the explosion follows the plan's routes down every level. Each
row costs its units at the arc's parts (purchase or making, freight, duty): the rows of a plant and year add up to
what the plan pays for the components of one unit (a component a plant sends across a border pays the duty its
claims leave).

Origin. For each plant and year a product with a bill of materials is sold from into a market, each agreement its
units may claim there (economics/origin.py): the regional value content the plant's units reach (the plan's rvc
table), whether this market's units claim it, and the duty that saves against the general rate.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from footprint.economics.network import Network
from footprint.optimize.model import TOLERANCE
from footprint.plan.origin_tables import part_claim_savings, rvc_table

PART_COSTS = ("purchase", "making", "freight", "duty")
"""The parts of a component's cost per unit of product (ARC_PARTS less handling, which only deliveries have)."""

PARTS_COLUMNS = {"plant": object, "year": np.int64, "level": np.int64, "parent": object, "component": object,
                 "units": float, "source": object, "source_kind": object, "country": object, "share": float,
                 **dict.fromkeys(PART_COSTS, float), "cost": float}
"""The parts table's columns and their types (for an empty one)."""

ORIGIN_COLUMNS = {"plant": object, "year": np.int64, "agreement": object, "method": object, "rvc": float,
                  "threshold": float, "claimed": bool, "units": float, "units_claimed": float,
                  "duty_general": float, "duty_paid": float, "duty_saved": float, "duty_saved_total": float,
                  "duty_saved_discounted": float, "shortfall": float}
"""The origin table's columns and their types (for an empty one)."""


def _empty(columns: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _arrivals(network: Network, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Every arc that delivers components to a plant in the plan: plant, component, year (codes), the source's
    name, kind and country, the units, and its cost per unit by PART_COSTS; with each arc's share of what its
    plant received of its component that year."""
    tiers, scenario = network.tiers, network.scenario
    supplier_country = np.array([s.country for s in scenario.suppliers], dtype=object)
    plant_country = np.array([p.country for p in scenario.plants], dtype=object)
    frames = []
    for block, kind in (("supply", "supplier"), ("transfer", "plant")):
        arcs = getattr(tiers, block)
        units = values.get(block, np.zeros(len(arcs)))
        used = np.flatnonzero(units > TOLERANCE)
        duty = arcs.parts["duty"][used]
        if block == "transfer":  # net of what the arc's claims save
            duty = duty - part_claim_savings(network, values)[used] / units[used]
        if block == "supply":
            origin = tiers.offer_supplier[tiers.supply.item[used]]
            component = tiers.offer_component[tiers.supply.item[used]]
            source = np.array(tiers.suppliers.names, dtype=object)[origin]
            country = supplier_country[origin]
            maker = np.full(len(used), -1)
        else:
            maker = tiers.maker_plant[arcs.origin[used]]
            component = arcs.item[used]
            source = np.array(network.plants, dtype=object)[maker]
            country = plant_country[maker]
        frames.append(pd.DataFrame({
            "plant": arcs.destination[used], "component": component, "year": arcs.year[used], "source": source,
            "source_kind": kind, "country": country, "maker": maker, "received": units[used],
            **{part: arcs.parts[part][used] for part in PART_COSTS}, "duty": duty}))
    arrivals = pd.concat(frames, ignore_index=True)
    total = arrivals.groupby(["plant", "component", "year"])["received"].transform("sum")
    return arrivals.assign(share=arrivals["received"] / total)


def parts_table(network: Network, values: dict[str, np.ndarray], product: int,
                plant_years: Iterable[tuple[int, int]]) -> pd.DataFrame:
    """The components of one unit of ``product`` made at each (plant, year index) of ``plant_years``, exploded
    through every level of the bills of materials as the plan routed them (see the module's doc)."""
    tiers = network.tiers
    plant_years = sorted(set(plant_years))
    if tiers.empty or not len(tiers.components) or not plant_years or not tiers.product_bom[product].any():
        return _empty(PARTS_COLUMNS)
    arrivals = _arrivals(network, values)
    by_key = dict(list(arrivals.groupby(["plant", "component", "year"])))
    components, plants = tiers.components, network.plants
    rows: list[dict[str, object]] = []

    def explode(plant: int, year: int, bom: np.ndarray, per_unit: float, level: int, parent: str,
                head: tuple[str, int]) -> None:
        for component in np.flatnonzero(bom):
            found = by_key.get((plant, component, year))
            if found is None:  # nothing received (a flow within the solver's tolerance): nothing to cost
                continue
            for arc in found.itertuples():
                units = per_unit * bom[component] * arc.share
                rows.append({"plant": head[0], "year": int(network.years[head[1]]), "level": level,
                             "parent": parent, "component": components[component], "units": units,
                             "source": arc.source, "source_kind": arc.source_kind, "country": arc.country,
                             "share": arc.share, **{part: units * getattr(arc, part) for part in PART_COSTS}})
                if arc.maker >= 0:  # made at a plant: its own parts, as that plant received them
                    explode(arc.maker, year, tiers.component_bom[component], units, level + 1,
                            components[component], head)

    for plant, year in plant_years:
        explode(plant, year, tiers.product_bom[product], 1.0, 1, network.products[product], (plants[plant], year))
    if not rows:
        return _empty(PARTS_COLUMNS)
    table = pd.DataFrame(rows)
    table["cost"] = table[list(PART_COSTS)].sum(axis=1)
    return table[list(PARTS_COLUMNS)]


def origin_table(network: Network, values: dict[str, np.ndarray], lanes: np.ndarray) -> pd.DataFrame:
    """Per plant, year and agreement the units of ``lanes`` (direct flows of one product into one market) may claim
    there, where the plan ships some: the RVC the plant's units reach, the threshold, whether these units claim it,
    and the duty per unit at the general rate, paid, and saved (per unit sold; in all, that year's money and
    discounted); where not claimed, the points of RVC it falls short by."""
    claims = network.claims.products
    flow_units = values["flow"]
    mine = np.flatnonzero(np.isin(claims.arc, lanes) & (flow_units[claims.arc] > TOLERANCE))
    if not len(mine):
        return _empty(ORIGIN_COLUMNS)
    flow = claims.arc[mine]
    claimed = values["claim"][mine] if "claim" in values else np.zeros(len(mine))
    claimed = np.where(claimed > TOLERANCE, claimed, 0.0)
    # the duty at the general rate: a product with a bill of materials pays it unless it claims (unit_costs)
    general = network.unit_costs(flow)["duty"]
    claims_rows = pd.DataFrame({
        "plant": np.array(network.plants, dtype=object)[network.flow_plant[flow]],
        "year_index": network.flow_year[flow], "agreement_code": claims.agreement[mine],
        "units": flow_units[flow], "units_claimed": claimed,
        "general": flow_units[flow] * general, "saved": claimed * claims.saving[mine]})
    keys = ["plant", "year_index", "agreement_code"]
    table = claims_rows.groupby(keys, as_index=False)[["units", "units_claimed", "general", "saved"]].sum()
    # a flow claims one agreement at most: the duty it pays is the general rate less every claim's saving
    saved_all = claims_rows.groupby(["plant", "year_index"])["saved"].sum()
    paid = table["general"] - saved_all.loc[list(zip(table["plant"], table["year_index"], strict=True))].to_numpy()
    agreements = network.duty.agreements
    table["agreement"] = [agreements[a].id for a in table["agreement_code"]]
    table["method"] = ["build-up" if agreements[a].build_up else "build-down" for a in table["agreement_code"]]
    table["year"] = network.years[table["year_index"]]
    product = network.products[int(network.flow_product[flow[0]])]
    rvc = rvc_table(network, values)
    rvc = rvc[rvc["product"] == product][["plant", "agreement", "year", "rvc", "threshold"]]
    table = table.merge(rvc.astype({"plant": object, "agreement": object}), on=["plant", "agreement", "year"],
                        how="left")
    table["threshold"] = table["threshold"].fillna(
        pd.Series([agreements[a].threshold for a in table["agreement_code"]]))
    table["claimed"] = table["units_claimed"] > TOLERANCE
    table["duty_general"] = table["general"] / table["units"]
    table["duty_paid"] = paid / table["units"]
    table["duty_saved"] = table["saved"] / table["units"]
    table["duty_saved_total"] = table["saved"]
    table["duty_saved_discounted"] = table["saved"] * network.discount[table["year_index"]]
    table["shortfall"] = np.where(table["claimed"], 0.0, np.maximum(table["threshold"] - table["rvc"], 0.0))
    return table[list(ORIGIN_COLUMNS)].sort_values(["plant", "agreement", "year"], kind="stable").reset_index(
        drop=True)


__all__ = ["ORIGIN_COLUMNS", "PARTS_COLUMNS", "PART_COSTS", "origin_table", "parts_table"]
