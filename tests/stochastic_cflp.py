"""Stochastic capacitated facility location from OR-Library's cap instances (Beasley 1988).

Each warehouse is a candidate plant (its capacity as the pool's, its fixed cost as the opening cost) or a
capacity option at a plant with no base capacity, as ``footprint import orlib-cap`` maps it; each customer a
market. A future draws every customer's demand independently, uniform within ``spread`` of the file's, all
futures equally likely. Without a price for lost sales every future's demand must be served, so feasibility,
not cost, drives which sites open; with one, the plan may leave demand unserved at that price.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from conftest import ORLIB
from footprint.scenario.formats.orlib import orlib_cap_data
from footprint.scenario.sets.scenario_sets import Future


def stochastic_cflp(name: str, futures: int, *, spread: float = 0.25, seed: int = 0, candidates: bool = True,
                    lost_sale_penalty: float | None = None) -> tuple[dict[str, Any], list[Future]]:
    """The base scenario data of ``name`` (cap41 ... cap44) and ``futures`` futures of random demand."""
    data = orlib_cap_data(ORLIB / f"{name}.txt")
    if candidates:
        for plant, option in zip(data["plants"], data.pop("options"), strict=True):
            plant.update(candidate=True, opening_cost=option["capex"], fixed_cost=0.0)
            plant["pools"][0]["capacity"] = option["capacity"]
    if lost_sale_penalty is not None:
        for market in data["markets"]:
            market["lost_sale_penalty"] = {"units": lost_sale_penalty}
    base = np.array([market["demand"]["units"] for market in data["markets"]])
    draws = np.random.default_rng(seed).uniform(1 - spread, 1 + spread, size=(futures, len(base)))
    listed = [Future(f"f{f + 1}", 1 / futures,
                     tuple((f"markets[{j}].demand.units", float(np.round(base[j] * draws[f, j])))
                           for j in range(len(base))))
              for f in range(futures)]
    return data, listed


__all__ = ["stochastic_cflp"]
