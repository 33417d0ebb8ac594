"""The tables of rules of origin from the plan's own sourcing (economics/origin.py): the preferences the plan claims,
the regional value content its units reach, and the duty the claims save."""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network
from footprint.optimize.model import TOLERANCE
from footprint.optimize.origin import agreement_names


def claim_savings(network: Network, values: dict[str, np.ndarray], flows: np.ndarray) -> np.ndarray:
    """The duty the plan's claims save on each of ``flows`` (all its units together), reporting currency,
    undiscounted."""
    claims = network.claims
    if "claim" not in values:
        return np.zeros(len(flows))
    saved = np.zeros(len(network.flow_profile))
    np.add.at(saved, claims.flow, values["claim"] * claims.saving)
    return saved[flows]


def claims_table(network: Network, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Units claiming each agreement, by plant, product, market and year (sourcing options together)."""
    claims = network.claims
    units = values.get("claim", np.zeros(0))
    used = np.flatnonzero(units > TOLERANCE)
    flow = claims.flow[used]
    table = pd.DataFrame({
        "plant": np.array(network.plants, dtype=object)[network.flow_plant[flow]],
        "product": np.array(network.products, dtype=object)[network.flow_product[flow]],
        "agreement": np.array(agreement_names(network), dtype=object)[claims.agreement[used]],
        "market": np.array(network.markets, dtype=object)[network.flow_market[flow]],
        "year": network.years[network.flow_year[flow]],
        "units": units[used]})
    keys = ["plant", "product", "agreement", "market", "year"]
    return table.groupby(keys, sort=False, as_index=False)["units"].sum()


def rvc_table(network: Network, values: dict[str, np.ndarray]) -> pd.DataFrame:
    """The regional value content per plant, product, agreement and year where a unit could claim the agreement and
    the plant made some: of the units claimed, or, where none is, of those that could have been.

    The components counted as originating are the plan's (its orig variables), then whatever else of them the
    plant received from members that year, up to the bills of materials of the claimed units: the content the
    claim can show from the plan's routes, not merely the least it needs. For a group without claims, the
    components left over by the claims of others count.
    """
    claims = network.claims
    n_groups = len(claims.group_plant)
    if "claim" not in values or not n_groups:
        return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in RVC_COLUMNS.items()})
    claimed_units = values["claim"]
    claimed = np.bincount(claims.group, weights=claimed_units, minlength=n_groups)
    # the units each group could have claimed: its flows, each once
    group_flow = np.unique(np.stack([claims.group, claims.flow]), axis=1)
    eligible = np.bincount(group_flow[0], weights=values["flow"][group_flow[1]], minlength=n_groups)
    has_claims = claimed > TOLERANCE
    units = np.where(has_claims, claimed, eligible)
    # per-unit figures weighted by the units claimed (or, without claims, by the units of the claims' flows)
    weight = np.where(has_claims[claims.group], claimed_units, values["flow"][claims.flow])
    shown = units > TOLERANCE
    per_unit = {name: np.bincount(claims.group, weights=weight * getattr(claims, name), minlength=n_groups)
                / np.where(shown, units, 1.0) for name in ("value", "own_originating")}
    counted = _counted(network, values, units, has_claims)
    year = claims.group_year
    materials = np.bincount(claims.cell_group, minlength=n_groups,
                            weights=counted * network.tiers.component_value[claims.cell_component,
                                                                             year[claims.cell_group]]
                            if len(counted) else None)
    originating = per_unit["own_originating"] + materials / np.where(shown, units, 1.0)
    value = per_unit["value"]
    saved = np.bincount(claims.group, weights=claimed_units * claims.saving, minlength=n_groups)
    threshold = np.array([a.threshold for a in network.duty.agreements])[claims.group_agreement]
    rows = np.flatnonzero(shown)
    with np.errstate(divide="ignore", invalid="ignore"):
        rvc = np.where(value > 0, originating / value, np.nan)
    return pd.DataFrame({
        "plant": np.array(network.plants, dtype=object)[claims.group_plant[rows]],
        "product": np.array(network.products, dtype=object)[claims.group_product[rows]],
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


__all__ = ["RVC_COLUMNS", "claim_savings", "claims_table", "rvc_table"]
