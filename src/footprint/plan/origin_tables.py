"""The tables of rules of origin from the plan's own sourcing (economics/origin.py): the preferences the plan claims
for products and for components sent between plants, the regional value content their units reach, and the duty
the claims save."""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network
from footprint.optimize.model import TOLERANCE
from footprint.optimize.origin import CLAIM_BLOCKS, agreement_names


def claim_savings(network: Network, values: dict[str, np.ndarray], flows: np.ndarray) -> np.ndarray:
    """The duty the plan's claims save on each of ``flows`` (all its units together), reporting currency,
    undiscounted."""
    return _saved(network, values, "products", len(network.flow_profile))[flows]


def part_claim_savings(network: Network, values: dict[str, np.ndarray]) -> np.ndarray:
    """The duty the plan's claims save on each transfer arc (all its units together), reporting currency,
    undiscounted."""
    return _saved(network, values, "parts", len(network.tiers.transfer))


def _saved(network: Network, values: dict[str, np.ndarray], kind: str, n_arcs: int) -> np.ndarray:
    claim_set = getattr(network.claims, kind)
    saved = np.zeros(n_arcs)
    name = CLAIM_BLOCKS[kind][0]
    if name in values:
        np.add.at(saved, claim_set.arc, values[name] * claim_set.saving)
    return saved


def claims_table(network: Network, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Units claiming each agreement, by plant, product, market and year (sourcing options together)."""
    claims = network.claims.products
    units = values.get("claim", np.zeros(0))
    used = np.flatnonzero(units > TOLERANCE)
    flow = claims.arc[used]
    table = pd.DataFrame({
        "plant": np.array(network.plants, dtype=object)[network.flow_plant[flow]],
        "product": np.array(network.products, dtype=object)[network.flow_product[flow]],
        "agreement": np.array(agreement_names(network), dtype=object)[claims.agreement[used]],
        "market": np.array(network.markets, dtype=object)[network.flow_market[flow]],
        "year": network.years[network.flow_year[flow]],
        "units": units[used]})
    keys = ["plant", "product", "agreement", "market", "year"]
    return table.groupby(keys, sort=False, as_index=False)["units"].sum()


def part_claims_table(network: Network, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Units of components claiming each agreement, by the plant that makes them, component, the plant they are
    sent to and year (modes together)."""
    claims = network.claims.parts
    units = values.get("part_claim", np.zeros(0))
    used = np.flatnonzero(units > TOLERANCE)
    transfer = network.tiers.transfer
    arc = claims.arc[used]
    plants = np.array(network.plants, dtype=object)
    table = pd.DataFrame({
        "origin": plants[network.tiers.maker_plant[transfer.origin[arc]]],
        "component": np.array(network.tiers.components, dtype=object)[transfer.item[arc]],
        "agreement": np.array(agreement_names(network), dtype=object)[claims.agreement[used]],
        "destination": plants[transfer.destination[arc]],
        "year": network.years[transfer.year[arc]],
        "units": units[used]})
    keys = ["origin", "component", "agreement", "destination", "year"]
    return table.groupby(keys, sort=False, as_index=False)["units"].sum()


def rvc_table(network: Network, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """The regional value content per plant, item made (a product, or a component sent to another plant),
    agreement and year where a unit could claim the agreement and the plant made some: of the units claimed, or,
    where none is, of those that could have been.

    The components counted as originating are the plan's (its orig variables), then whatever else of them the
    plant received from members that year, up to the bills of materials of the claimed units: the content the
    claim can show from the plan's routes, not merely the least it needs. For a group without claims, the
    components left over by the claims of others count.
    """
    claims = network.claims
    n_groups = len(claims.group_plant)
    sets = [(getattr(claims, kind), values[name], values[arcs]) for kind, (name, arcs, _) in CLAIM_BLOCKS.items()
            if name in values]
    if not sets or not n_groups:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in RVC_COLUMNS.items()})

    def per_group(weights: list[np.ndarray]) -> np.ndarray:
        return sum((np.bincount(claim_set.group, weights=weight, minlength=n_groups)
                    for (claim_set, _, _), weight in zip(sets, weights, strict=True)), np.zeros(n_groups))

    claimed = per_group([units for _, units, _ in sets])
    # the units each group could have claimed: its arcs, each once
    eligible = np.zeros(n_groups)
    for claim_set, _, arc_units in sets:
        group_arc = np.unique(np.stack([claim_set.group, claim_set.arc]), axis=1)
        eligible += np.bincount(group_arc[0], weights=arc_units[group_arc[1]], minlength=n_groups)
    has_claims = claimed > TOLERANCE
    units = np.where(has_claims, claimed, eligible)
    # per-unit figures weighted by the units claimed (or, without claims, by the units of the claims' arcs)
    weights = [np.where(has_claims[claim_set.group], claim_units, arc_units[claim_set.arc])
               for claim_set, claim_units, arc_units in sets]
    shown = units > TOLERANCE
    per_unit = {name: per_group([weight * getattr(claim_set, name) for (claim_set, _, _), weight
                                 in zip(sets, weights, strict=True)]) / np.where(shown, units, 1.0)
                for name in ("value", "own_originating")}
    counted = _counted(network, values, units, has_claims)
    year = claims.group_year
    materials = np.bincount(claims.cell_group, minlength=n_groups,
                            weights=counted * network.tiers.component_value[claims.cell_component,
                                                                             year[claims.cell_group]]
                            if len(counted) else None)
    originating = per_unit["own_originating"] + materials / np.where(shown, units, 1.0)
    value = per_unit["value"]
    saved = per_group([claim_units * claim_set.saving for claim_set, claim_units, _ in sets])
    threshold = np.array([a.threshold for a in network.duty.agreements])[claims.group_agreement]
    rows = np.flatnonzero(shown)
    with np.errstate(divide="ignore", invalid="ignore"):
        rvc = np.where(value > 0, originating / value, np.nan)
    codes, names = claims.item_codes(network, rows)
    return pd.DataFrame({
        "plant": np.array(network.plants, dtype=object)[claims.group_plant[rows]],
        "product": np.array(names, dtype=object)[codes],
        "agreement": np.array(agreement_names(network), dtype=object)[claims.group_agreement[rows]],
        "year": network.years[year[rows]],
        "units": np.where(has_claims, claimed, 0.0)[rows],
        "value": value[rows],
        "originating": originating[rows],
        "rvc": rvc[rows],
        "threshold": threshold[rows],
        "duty_saved": saved[rows]})


RVC_COLUMNS = {"plant": object, "product": object, "agreement": object, "year": np.int64, "units": float,
               "value": float, "originating": float, "rvc": float, "threshold": float, "duty_saved": float}
"""The rvc table's columns and their types (for an empty one)."""


def _counted(network: Network, values: dict[str, np.ndarray], units: np.ndarray, has_claims: np.ndarray
             ) -> np.ndarray:
    """Units of components counted as originating in each allocation cell: the plan's own, then, cell by cell, what
    the cell's source has left up to what its group's bill of materials still needs (groups with claims first, and
    what they leave to those without, each of which sees the same leftovers)."""
    claims = network.claims
    if not len(claims.cell_group):
        return np.zeros(0)
    counted = values["orig"].copy()
    received = np.zeros(len(claims.source_plant))
    for block, source in (("supply", claims.supply_source), ("transfer", claims.transfer_source)):
        arcs = np.flatnonzero(source >= 0)
        np.add.at(received, source[arcs], values[block][arcs])
    left = received - np.bincount(claims.cell_source, weights=counted, minlength=len(received))
    need = claims.bom_units * units[claims.bom_group] - np.bincount(claims.cell_bom, weights=counted,
                                                                     minlength=len(claims.bom_group))
    claimed = has_claims[claims.cell_group]
    for cell in np.flatnonzero(claimed):
        row, source = claims.cell_bom[cell], claims.cell_source[cell]
        more = max(0.0, min(need[row], left[source]))
        counted[cell] += more
        need[row] -= more
        left[source] -= more
    for cell in np.flatnonzero(~claimed):  # each group without claims sees what the claims left, alone
        row = claims.cell_bom[cell]
        more = max(0.0, min(need[row], left[claims.cell_source[cell]]))
        counted[cell] += more
        need[row] -= more
    return counted


__all__ = ["RVC_COLUMNS", "claim_savings", "claims_table", "part_claim_savings", "part_claims_table", "rvc_table"]
