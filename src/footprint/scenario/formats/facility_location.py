"""Import published facility location instances: single-source capacitated (Holmberg, Rönnqvist and Yuan 1999;
Yang, Chu and Chen 2012) and two-stage capacitated (Fernandes et al. 2014, plants -> depots -> customers, the depots
as distribution centres) as scenarios.

Single source (``sscflp``), whitespace-separated numbers, as data/benchmarks/holmberg-sscflp/README.md gives them:
facilities m and customers n; each facility's capacity and fixed cost; each customer's demand; the cost of serving
all of a customer's demand from each facility, facility-major (the first n costs are facility 1's). Mapping: one
year, one product; each facility a candidate plant whose one pool has its capacity, its fixed cost the plant's
(paid when it opens); each customer a single-sourced market whose demand must be met; a lane from every facility
to every customer, its freight per unit the cost of serving the customer whole divided by its demand. The
scenario solves to gap 0 (``solver.mip_gap``), as a published optimum is to be reproduced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from footprint.scenario.formats.orlib import PRODUCT, YEAR, OrlibError, instance_numbers, whole_count
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.formats.validation import scenario_from_data
from footprint.scenario.model.checks import SCENARIO_CHECKS
from footprint.scenario.model.scenario import Scenario


@dataclass(frozen=True)
class SingleSourceInstance:
    """A single-source capacitated facility location instance as its file gives it."""

    capacity: np.ndarray
    """Per facility."""
    fixed_cost: np.ndarray
    """Per facility."""
    demand: np.ndarray
    """Per customer."""
    cost: np.ndarray
    """Of serving all of each customer's demand from each facility: (facility, customer)."""


def read_sscflp(path: str | Path) -> SingleSourceInstance:
    """The instance in ``path`` (Holmberg's or Yang's format); OrlibError naming the file if it is not one."""
    path = Path(path)
    values = instance_numbers(path)
    if len(values) < 2:
        raise OrlibError(f"{path}: expected 'facilities customers' first")
    m, n = whole_count(path, values[0], "facilities"), whole_count(path, values[1], "customers")
    expected = 2 + 2 * m + n + m * n
    if len(values) != expected:
        raise OrlibError(f"{path}: {m} facilities and {n} customers need {expected} numbers, found {len(values)}")
    numbers = np.array(values)
    facilities = numbers[2:2 + 2 * m].reshape(m, 2)
    instance = SingleSourceInstance(facilities[:, 0], facilities[:, 1], numbers[2 + 2 * m:2 + 2 * m + n],
                                    numbers[2 + 2 * m + n:].reshape(m, n))
    for what, array, least in (("capacity", instance.capacity, "> 0"), ("demand", instance.demand, "> 0"),
                               ("fixed cost", instance.fixed_cost, ">= 0"), ("cost", instance.cost, ">= 0")):
        bad = np.flatnonzero(array <= 0 if least == "> 0" else array < 0)
        if len(bad):
            owner = "customer" if what == "demand" else "facility"
            at = np.unravel_index(bad[0], array.shape)
            where = (f"facility {at[0] + 1}, customer {at[1] + 1}" if array.ndim == 2 else f"{owner} {at[0] + 1}")
            raise OrlibError(f"{path}: {where} has {what} {array[at]:g}; expected {least}")
    return instance


def sscflp_data(path: str | Path) -> dict[str, Any]:
    """The scenario data (as read from YAML) of a single-source instance file; OrlibError if it is not one."""
    path = Path(path)
    instance = read_sscflp(path)
    site = [f"site{i + 1}" for i in range(len(instance.capacity))]
    customer = [f"customer{j + 1}" for j in range(len(instance.demand))]
    per_unit = instance.cost / instance.demand  # the cost of serving customer j whole, per unit of its demand
    return {
        **_candidate_plants(path, "Single-source capacitated facility location", "site", site, instance.capacity,
                            instance.fixed_cost),
        "markets": [{"id": customer[j], "country": "US", "demand": {PRODUCT: float(instance.demand[j])},
                     "single_source": True} for j in range(len(customer))],
        "lanes": [{"origin": site[i], "destination": customer[j], "freight": float(per_unit[i, j])}
                  for j in range(len(customer)) for i in range(len(site))],
        "solver": {"mip_gap": 0.0},
    }


def _candidate_plants(path: Path, kind: str, pool: str, names: list[str], capacity: np.ndarray,
                      fixed_cost: np.ndarray) -> dict[str, Any]:
    """What both kinds of instance share: one year, one product, and candidate plants of one pool each making it
    at no cost, with their capacity and fixed cost."""
    return {
        "name": path.stem,
        "description": f"{kind} instance {path.name}",
        "horizon": {"start": YEAR, "end": YEAR},
        "products": [{"id": PRODUCT, "product_class": "goods"}],
        "plants": [{"id": name, "country": "US", "currency": "USD", "candidate": True, "fixed_cost": float(fixed),
                    "pools": [{"id": pool, "products": [PRODUCT], "capacity": float(most)}]}
                   for name, most, fixed in zip(names, capacity, fixed_cost, strict=True)],
        "capabilities": [{"plant": name, "product": PRODUCT, "local_cost": 0.0} for name in names],
    }


def scenario_from_sscflp(path: str | Path) -> Scenario:
    """The scenario of a single-source instance file (see the module's docstring)."""
    return _scenario(Path(path), sscflp_data)


def _scenario(path: Path, data: Callable[[Path], dict[str, Any]]) -> Scenario:
    """The scenario of the instance file ``path``, from its ``data``; OrlibError if it is not a valid one."""
    try:
        return scenario_from_data(data(path), str(path), SCENARIO_CHECKS)
    except ScenarioError as err:
        first = err.problems[0]
        raise OrlibError(f"{path}: not a valid instance ({len(err.problems)} problems; first at {first.path}: "
                         f"{first.message})") from None


@dataclass(frozen=True)
class TwoStageInstance:
    """A two-stage capacitated facility location instance (plants -> depots -> customers) as its file gives it."""

    demand: np.ndarray
    """Per customer."""
    plant_capacity: np.ndarray
    plant_fixed_cost: np.ndarray
    plant_cost: np.ndarray
    """Per unit from each plant to each depot: (plant, depot)."""
    depot_capacity: np.ndarray
    depot_fixed_cost: np.ndarray
    depot_cost: np.ndarray
    """Per unit from each depot to each customer: (depot, customer)."""


def read_tscflp(path: str | Path) -> TwoStageInstance:
    """The instance in ``path`` (Fernandes et al. 2014's format: plants I, depots J, customers K; K demands; I
    lines of capacity and fixed cost; the I x J costs; J lines of capacity and fixed cost; the J x K costs);
    OrlibError naming the file if it is not one."""
    path = Path(path)
    values = instance_numbers(path)
    if len(values) < 3:
        raise OrlibError(f"{path}: expected 'plants depots customers' first")
    plants, depots, customers = (whole_count(path, value, what)
                                 for value, what in zip(values[:3], ("plants", "depots", "customers"), strict=True))
    expected = 3 + customers + 2 * plants + plants * depots + 2 * depots + depots * customers
    if len(values) != expected:
        raise OrlibError(f"{path}: {plants} plants, {depots} depots and {customers} customers need {expected} "
                         f"numbers, found {len(values)}")
    numbers = np.array(values)
    parts, at = [], 3
    for size in (customers, 2 * plants, plants * depots, 2 * depots, depots * customers):
        parts.append(numbers[at:at + size])
        at += size
    demand, plant_rows, plant_cost, depot_rows, depot_cost = parts
    return TwoStageInstance(demand, plant_rows[0::2], plant_rows[1::2], plant_cost.reshape(plants, depots),
                            depot_rows[0::2], depot_rows[1::2], depot_cost.reshape(depots, customers))


def tscflp_data(path: str | Path) -> dict[str, Any]:
    """The scenario data of a two-stage instance file: plants and depots both to be opened (candidates with their
    capacity and fixed cost), depots as distribution centres, customers as markets whose demand must be met, and a
    lane from every plant to every depot and every depot to every customer at its cost per unit (no lane direct).
    One year, one product, solved to the gap ``solver.mip_gap`` says (1e-4: the instances are hard at 0)."""
    path = Path(path)
    instance = read_tscflp(path)
    plant = [f"plant{i + 1}" for i in range(len(instance.plant_capacity))]
    depot = [f"depot{j + 1}" for j in range(len(instance.depot_capacity))]
    customer = [f"customer{k + 1}" for k in range(len(instance.demand))]
    return {
        **_candidate_plants(path, "Two-stage capacitated facility location", "plant", plant, instance.plant_capacity,
                            instance.plant_fixed_cost),
        "facilities": [{"id": depot[j], "country": "US", "currency": "USD", "candidate": True,
                        "fixed_cost": float(instance.depot_fixed_cost[j]),
                        "capacity": float(instance.depot_capacity[j])} for j in range(len(depot))],
        "markets": [{"id": customer[k], "country": "US", "demand": {PRODUCT: float(instance.demand[k])}}
                    for k in range(len(customer))],
        "lanes": [{"origin": plant[i], "destination": depot[j], "freight": float(instance.plant_cost[i, j])}
                  for i in range(len(plant)) for j in range(len(depot))]
                 + [{"origin": depot[j], "destination": customer[k], "freight": float(instance.depot_cost[j, k])}
                    for j in range(len(depot)) for k in range(len(customer))],
        "solver": {"mip_gap": 1e-4},
    }


def scenario_from_tscflp(path: str | Path) -> Scenario:
    """The scenario of a two-stage instance file (see tscflp_data)."""
    return _scenario(Path(path), tscflp_data)


__all__ = ["SingleSourceInstance", "TwoStageInstance", "read_sscflp", "read_tscflp", "scenario_from_sscflp",
           "scenario_from_tscflp", "sscflp_data", "tscflp_data"]
