"""The fixed costs of lanes' transport modes: mode_use[l,t], binary for each lane's mode with a fixed cost and each
year some flow or arc could go by it, costs d_t x its fixed cost; mode_link[a]: each flow or arc by the mode
<= its most x mode_use (the strong form of facility location, x_ij <= d_j y_i, as the plants' plant_open: the
most is what the flow or arc can carry, its demand or its end's capacity, whichever is less)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from footprint.economics.network import Network
from footprint.optimize.labels import coded
from footprint.optimize.lp import LinearProgram
from footprint.optimize.tiers import ARC_BLOCKS, arc_most
from footprint.scenario.model.network import MODES

MODE_BLOCK = "mode_use"


def add_mode_use(program: LinearProgram, network: Network, flow_most: np.ndarray) -> None:
    """The mode_use block and its links (see the module's doc); ``flow_most``: the most each direct flow can carry."""
    fixed = network.fixed_modes
    if not len(fixed.origin):
        return
    n_years = len(network.years)
    # (block, positions, fixed mode, year, most) of every flow and arc by a mode with a fixed cost
    found = []
    flow_fixed = network.lane_fixed[network.flow_plant, network.flow_market, network.flow_slots]
    flows = np.flatnonzero(flow_fixed >= 0)
    found.append(("flow", flows, flow_fixed[flows], network.flow_year[flows], flow_most[flows]))
    if not network.tiers.empty:
        for block in ARC_BLOCKS:
            arcs = getattr(network.tiers, block)
            linked = np.flatnonzero(arcs.fixed >= 0)
            found.append((block, linked, arcs.fixed[linked], arcs.year[linked], arc_most(network, block)[linked]))
    found = [(block, at[most > 0], mode[most > 0], year[most > 0], most[most > 0])  # carries nothing: no link
             for block, at, mode, year, most in found]
    keys = np.concatenate([mode.astype(np.int64) * n_years + year for _, _, mode, year, _ in found])
    if not len(keys):
        return
    cells, row_cell = np.unique(keys, return_inverse=True)
    mode, year = np.divmod(cells, n_years)
    index = pd.DataFrame({"origin": np.array(fixed.origin, dtype=object)[mode],
                          "destination": np.array(fixed.destination, dtype=object)[mode],
                          "mode": coded(fixed.mode[mode], list(MODES)), "year": network.years[year]})
    use = program.add_variables(MODE_BLOCK, index, upper=1.0, integer=True,
                                cost=fixed.cost[mode, year] * network.discount[year])
    rows = np.arange(len(keys))
    terms = [(rows, use.columns(row_cell), -np.concatenate([most for *_, most in found]))]
    start = 0
    for block, at, *_ in found:
        if len(at):
            terms.append((rows[start:start + len(at)], program.variables[block].columns(at), 1.0))
        start += len(at)
    link_index = index.iloc[row_cell].reset_index(drop=True)
    link_index.insert(0, "by", np.concatenate([[block] * len(at) for block, at, *_ in found]))
    program.add_constraints("mode_link", link_index, terms, upper=0.0)


__all__ = ["MODE_BLOCK", "add_mode_use"]
