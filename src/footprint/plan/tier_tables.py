"""The tables of the tiers around the plants (suppliers, components, facilities), and their costs, from a solution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network
from footprint.economics.tiers import ARC_PARTS, Sites
from footprint.optimize.model import TOLERANCE
from footprint.optimize.sites import previous_cells, site_cells
from footprint.optimize.tiers import FACILITY_BLOCKS, SUPPLIER_BLOCKS, arc_labels
from footprint.plan.origin_tables import part_claim_savings
from footprint.scenario.model.network import MODES

ARC_TABLES = {"supplies": "supply", "transfers": "transfer", "inbound": "inbound", "deliveries": "delivery"}
"""Each arc table of a Plan and the model's block it reads."""
ARC_COMPONENTS = {"purchase": "purchases", "making": "production_local", "freight": "freight", "handling": "handling",
                  "duty": "duty"}
"""The cost component each part of an arc's cost counts under in the costs table (making: the maker's local and
imported content together)."""


def arc_table(network: Network, values: dict[str, np.ndarray], table: str) -> pd.DataFrame:
    """The arcs of ``table`` (one of ARC_TABLES) the plan uses, with their units."""
    block = ARC_TABLES[table]
    units = values.get(block, np.zeros(0))
    used = np.flatnonzero(units > TOLERANCE)
    labels = arc_labels(network, block, used)
    labels["mode"] = pd.Categorical.from_codes(getattr(network.tiers, block).mode[used], categories=list(MODES),
                                               validate=False)  # -1: none, a plant's own components
    # names as text, not categories: a table that is often empty reads back from a store as it was written
    return labels.astype({name: object for name in labels.columns if name != "year"}).assign(units=units[used])


def delivered(network: Network, values: dict[str, np.ndarray]) -> np.ndarray:
    """Units delivered by facilities per demand entry."""
    units = values.get("delivery", np.zeros(0))
    return np.bincount(network.tiers.delivery.destination, weights=units,
                       minlength=len(network.demand_units)).astype(np.float64)


def site_status(sites: Sites, values: dict[str, np.ndarray], block: str) -> tuple[np.ndarray, ...]:
    """Open, opened and closed by site and year index: sites without a decision are open in their operating
    years; the others as the plan has them (as the plants' status)."""
    status = sites.operating.copy(), np.zeros_like(sites.operating), np.zeros_like(sites.operating)
    if block not in values:
        return status
    site, year = site_cells(sites)
    now = values[block] > 0.5
    previous = previous_cells(site)
    before = np.where(previous >= 0, now[previous], ~sites.candidate[site])
    status[0][site, year] = now
    status[1][site, year] = now & ~before
    status[2][site, year] = before & ~now
    return status


def sites_table(network: Network, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Every supplier's and facility's status, by year."""
    frames = []
    for kind, sites, blocks in (("supplier", network.tiers.suppliers, SUPPLIER_BLOCKS),
                                ("facility", network.tiers.facilities, FACILITY_BLOCKS)):
        is_open, opened, closed = site_status(sites, values, blocks.open)
        n_sites, n_years = is_open.shape
        frames.append(pd.DataFrame({
            "kind": kind, "site": np.repeat(np.array(sites.names, dtype=object), n_years),
            "year": np.tile(network.years, n_sites), "open": is_open.ravel(), "opened": opened.ravel(),
            "closed": closed.ravel()}))
    return pd.concat(frames, ignore_index=True)


def site_decisions(network: Network, sites: pd.DataFrame) -> list[dict[str, object]]:
    """For a summary, as plant_decisions: each supplier and facility the plan may open or close (kind, site,
    candidate, closable) and the year it opens and closes (None: it does not), from a sites table."""
    decisions = []
    for kind, entities in (("supplier", network.tiers.suppliers), ("facility", network.tiers.facilities)):
        rows = sites[sites["kind"] == kind]
        for s in np.flatnonzero(entities.decides):
            name = entities.names[s]
            years = {flag: rows["year"][(rows["site"] == name) & rows[flag].astype(bool)] for flag in ("opened",
                                                                                                     "closed")}
            decisions.append({"kind": kind, "site": name, "candidate": bool(entities.candidate[s]),
                              "closable": bool(entities.closable[s]),
                              **{flag: int(found.min()) if len(found) else None for flag, found in years.items()}})
    return decisions


def tier_amounts(network: Network, values: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Every cost of the tiers as (component, year index, amount) parts, reporting currency, undiscounted (none for a
    network of one tier: its costs table stays as it was)."""
    tiers = network.tiers
    parts: list[tuple[str, np.ndarray, np.ndarray]] = []
    if tiers.empty:
        return parts
    for block in ARC_TABLES.values():
        arcs = getattr(tiers, block)
        units = values.get(block, np.zeros(len(arcs)))
        parts += [(ARC_COMPONENTS[part], arcs.year, units * arcs.parts[part]) for part in ARC_PARTS]
    parts.append(("duty", tiers.transfer.year, -part_claim_savings(network, values)))
    for sites, blocks in ((tiers.suppliers, SUPPLIER_BLOCKS), (tiers.facilities, FACILITY_BLOCKS)):
        is_open, opened, closed = site_status(sites, values, blocks.open)
        _, year = np.indices(is_open.shape)
        parts += [("fixed", year.ravel(), (sites.fixed_cost * is_open).ravel()),
                  ("opening", year.ravel(), (sites.opening_cost * opened).ravel()),
                  ("closing", year.ravel(), (sites.closing_cost * closed).ravel())]
    return parts


def made_for_facilities(network: Network, values: dict[str, np.ndarray]) -> np.ndarray:
    """Units of products each capability makes for facilities, by capability and year index."""
    made = np.zeros((len(network.cap_plant), len(network.years)))
    inbound = network.tiers.inbound
    if len(inbound):
        np.add.at(made, (network.profile_capability[inbound.origin], inbound.year), values["inbound"])
    return made


def components_made(network: Network, values: dict[str, np.ndarray]) -> np.ndarray:
    """Units each plant's capability for a component makes, by maker and year index (for itself and others)."""
    tiers = network.tiers
    made = np.zeros((len(tiers.maker_plant), len(network.years)))
    if len(tiers.transfer):
        np.add.at(made, (tiers.transfer.origin, tiers.transfer.year), values["transfer"])
    return made


def component_production(network: Network, made: np.ndarray) -> pd.DataFrame:
    """Rows of the production table for components: plant, pool, component (as its product), year, units."""
    tiers = network.tiers
    units = made[tiers.maker_member]
    member, year = np.nonzero(units > TOLERANCE)
    maker = tiers.maker_member[member]
    return pd.DataFrame({
        "plant": np.array(network.plants, dtype=object)[tiers.maker_plant[maker]],
        "pool": np.array(network.pool_names, dtype=object)[tiers.maker_member_pool[member]],
        "product": np.array(tiers.components, dtype=object)[tiers.maker_component[maker]],
        "year": network.years[year],
        "units": units[member, year],
    })


def component_pool_use(network: Network, made: np.ndarray) -> np.ndarray:
    """Units of capacity components take in each pool, by pool and year index."""
    tiers = network.tiers
    used = np.zeros(network.pool_capacity.shape)
    units = made[tiers.maker_member]
    np.add.at(used, tiers.maker_member_pool, np.where(units > TOLERANCE, units, 0.0))
    return used
