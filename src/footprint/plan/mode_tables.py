"""The transport modes a plan uses: units, transit days, freight and fixed cost by lane, mode and year, and the
fixed costs of the modes used (a cost component of their own, ``mode_fixed``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.freight import FREIGHT_PARTS
from footprint.economics.network import Network
from footprint.optimize.lp import LinearProgram
from footprint.optimize.model import TOLERANCE
from footprint.optimize.modes import MODE_BLOCK
from footprint.plan.tier_tables import ARC_TABLES
from footprint.scenario.model.network import MODES

MODE_FIXED = "mode_fixed"
"""The costs table's component of the fixed costs of lanes' modes."""


def mode_labels(codes: np.ndarray) -> pd.Categorical:
    """The mode of each code into MODES (nothing for -1: no transport)."""
    return pd.Categorical.from_codes(codes, categories=list(MODES), validate=False)


def _ends(network: Network, block: str) -> tuple[np.ndarray, np.ndarray]:
    """The names of the origin and destination of every arc of ``block`` (one of ARC_TABLES' blocks)."""
    tiers = network.tiers
    arcs = getattr(tiers, block)
    plants, facilities = np.array(network.plants, dtype=object), np.array(tiers.facilities.names, dtype=object)
    if block == "supply":
        return np.array(tiers.suppliers.names, dtype=object)[arcs.origin], plants[arcs.destination]
    if block == "transfer":
        return plants[tiers.maker_plant[arcs.origin]], plants[arcs.destination]
    if block == "inbound":
        return plants[network.cap_plant[network.profile_capability[arcs.origin]]], facilities[arcs.destination]
    return facilities[arcs.origin], np.array(network.markets, dtype=object)[network.demand_market[arcs.destination]]


def modes_table(network: Network, values: dict[str, np.ndarray], used: np.ndarray,
                per_unit: dict[str, np.ndarray]) -> pd.DataFrame:
    """Units, transit days, freight and fixed cost of every lane's mode the plan uses, by year (``used``: the direct
    flows it uses, ``per_unit``: their costs per unit)."""
    units = values["flow"][used]
    plant, market = network.flow_plant[used], network.flow_market[used]
    slot = network.flow_slot[used] if network.lane_mode.shape[2] > 1 else 0
    parts = [{"origin": np.array(network.plants, dtype=object)[plant],
              "destination": np.array(network.markets, dtype=object)[market],
              "mode": network.lane_mode[plant, market, slot].astype(np.int64), "year": network.flow_year[used],
              "units": units, "transit_days": network.lane_transit_days[plant, market, slot],
              "freight": units * sum(per_unit[part] for part in ("freight", *FREIGHT_PARTS)),
              "fixed": network.lane_fixed[plant, market, slot].astype(np.int64)}]
    if not network.tiers.empty:
        for block in ARC_TABLES.values():
            arcs = getattr(network.tiers, block)
            carried = values.get(block, np.zeros(len(arcs)))
            moved = np.flatnonzero((carried > TOLERANCE) & (arcs.mode >= 0))
            origin, destination = _ends(network, block)
            parts.append({"origin": origin[moved], "destination": destination[moved], "mode": arcs.mode[moved],
                          "year": arcs.year[moved], "units": carried[moved],
                          "transit_days": arcs.transit_days[moved],
                          "freight": carried[moved] * arcs.parts["freight"][moved], "fixed": arcs.fixed[moved]})
    rows = pd.DataFrame({name: np.concatenate([part[name] for part in parts]) for name in parts[0]})
    fixed, year = rows["fixed"].to_numpy(), rows["year"].to_numpy()
    rows["fixed_cost"] = 0.0
    has = np.flatnonzero(fixed >= 0)
    rows.loc[has, "fixed_cost"] = network.fixed_modes.cost[fixed[has], year[has]]
    table = rows.groupby(["origin", "destination", "mode", "year"], as_index=False, sort=True).agg(
        units=("units", "sum"), transit_days=("transit_days", "first"), freight=("freight", "sum"),
        fixed_cost=("fixed_cost", "first"))
    table["mode"] = np.array(MODES)[table["mode"].to_numpy()]
    table["year"] = network.years[table["year"].to_numpy()]
    table["transit_days"] = table["transit_days"].astype(np.float64)
    return table.astype({"origin": str, "destination": str})[  # text, as the store reads it back
        ["origin", "destination", "mode", "year", "units", "transit_days", "freight", "fixed_cost"]]


def mode_fixed_amounts(network: Network, program: LinearProgram, values: dict[str, np.ndarray]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The fixed costs of the modes the plan uses, by their mode_use cells: (fixed mode, year index, amount in the
    reporting currency)."""
    if MODE_BLOCK not in values:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    fixed = network.fixed_modes
    labels = program.variables[MODE_BLOCK].index
    code = {mode: c for c, mode in enumerate(MODES)}
    index = fixed.index
    mode = np.array([index[(origin, destination, code[name])] for origin, destination, name in zip(
        labels["origin"], labels["destination"], labels["mode"], strict=True)], dtype=np.int64)
    year = np.searchsorted(network.years, labels["year"].to_numpy())
    return mode, year, values[MODE_BLOCK].round() * fixed.cost[mode, year]
