"""Import OR-Library capacitated warehouse location files (Beasley 1988) as scenarios.

Mapping: one year, one product; each warehouse a plant whose only pool has no
base capacity and one capacity option (its capacity, its fixed cost as capex);
each customer a market whose demand must be served; the per-unit lane cost is
the cost of serving the customer's whole demand divided by that demand.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.formats.validation import scenario_from_data
from footprint.scenario.model.checks import SCENARIO_CHECKS
from footprint.scenario.model.scenario import Scenario

YEAR = 2000
PRODUCT = "units"


class OrlibError(Exception):
    """A file that is not a readable instance of a facility location format of this module's kind (OR-Library's
    capacitated warehouse location, and those importers built on it: formats/facility_location.py)."""


def instance_numbers(path: Path, capacity: float | None = None) -> list[float]:
    """The numbers of an instance file, whitespace-separated (lines ending in LF or CR LF); the data ends at the
    first NUL byte, where some files are padded with NULs and stray bytes after them. ``capacity`` stands for the
    word 'capacity' (OR-Library's capa/capb/capc)."""
    try:
        tokens = path.read_bytes().split(b"\0", 1)[0].decode("utf-8").split()
    except (OSError, UnicodeDecodeError) as err:
        raise OrlibError(f"{path}: cannot read the file ({err})") from err
    values = []
    for position, token in enumerate(tokens):
        if token == "capacity":  # capa/capb/capc leave the capacity to be substituted
            if capacity is None:
                raise OrlibError(f"{path}: the capacities are the word 'capacity'; give --capacity N")
            values.append(capacity)
            continue
        try:
            number = float(token)
        except ValueError:
            raise OrlibError(f"{path}: token {position + 1} is {token!r}, expected a number") from None
        if not math.isfinite(number):
            raise OrlibError(f"{path}: token {position + 1} is {token!r}, expected a finite number")
        values.append(number)
    return values


def whole_count(path: Path, value: float, what: str) -> int:
    if value != int(value) or value <= 0:
        raise OrlibError(f"{path}: the number of {what} is {value:g}, expected a whole number > 0")
    return int(value)


def orlib_cap_data(path: str | Path, capacity: float | None = None) -> dict[str, Any]:
    """The scenario data (as read from YAML) of an OR-Library ``capNN`` file; ``capacity`` overrides every site's
    capacity. OrlibError if the file is not such an instance."""
    path = Path(path)
    if capacity is not None and not (math.isfinite(capacity) and capacity > 0):
        raise OrlibError(f"{path}: --capacity must be a number > 0, found {capacity:g}")
    values = instance_numbers(path, capacity)
    if len(values) < 2:
        raise OrlibError(f"{path}: expected 'sites customers' on the first line")
    sites, customers = whole_count(path, values[0], "sites"), whole_count(path, values[1], "customers")
    expected = 2 + 2 * sites + customers * (1 + sites)
    if len(values) != expected:
        raise OrlibError(f"{path}: {sites} sites and {customers} customers need {expected} numbers, "
                         f"found {len(values)}")
    site_rows = [values[2 + 2 * i: 4 + 2 * i] for i in range(sites)]
    start = 2 + 2 * sites
    customer_rows = [values[start + j * (1 + sites): start + (j + 1) * (1 + sites)] for j in range(customers)]
    if capacity is not None:
        site_rows = [[capacity, fixed] for _, fixed in site_rows]
    for j, row in enumerate(customer_rows):
        if row[0] <= 0:
            raise OrlibError(f"{path}: customer {j + 1} has demand {row[0]:g}; expected > 0")
    site = [f"site{i + 1}" for i in range(sites)]
    customer = [f"customer{j + 1}" for j in range(customers)]
    return {
        "name": path.stem,
        "description": f"OR-Library capacitated warehouse location instance {path.name}",
        "horizon": {"start": YEAR, "end": YEAR},
        "products": [{"id": PRODUCT, "product_class": "goods"}],
        "plants": [{"id": site[i], "country": "US", "currency": "USD",
                    "pools": [{"id": "site", "products": [PRODUCT], "capacity": 0.0}]} for i in range(sites)],
        "capabilities": [{"plant": site[i], "product": PRODUCT, "local_cost": 0.0} for i in range(sites)],
        "options": [{"id": f"open-{site[i]}", "plant": site[i], "pool": "site", "capacity": cap, "capex": fixed}
                    for i, (cap, fixed) in enumerate(site_rows)],
        "markets": [{"id": customer[j], "country": "US", "demand": {PRODUCT: row[0]}}
                    for j, row in enumerate(customer_rows)],
        "lanes": [{"plant": site[i], "market": customer[j], "freight": row[1 + i] / row[0]}
                  for j, row in enumerate(customer_rows) for i in range(sites)],
    }


def scenario_from_orlib_cap(path: str | Path, capacity: float | None = None) -> Scenario:
    """The scenario of an OR-Library ``capNN`` file; ``capacity`` overrides every site's capacity."""
    path = Path(path)
    data = orlib_cap_data(path, capacity)
    try:
        return scenario_from_data(data, str(path), SCENARIO_CHECKS)
    except ScenarioError as err:
        first = err.problems[0]
        raise OrlibError(f"{path}: not a valid instance ({len(err.problems)} problems; first at {first.path}: "
                         f"{first.message})") from None
