"""Freight of unlisted lanes from distances: the sea route between ports (searoute's bundled
Eurostat MARNET network, offline), port handling at both ends, and road legs as great-circle
distance times a road factor.

searoute takes about 0.3 s to load its network and a few hundredths per route, so the distances it
gives are kept in a small cache file (per searoute version, in the user's cache folder): a rerun
of a scenario, or of its variants, does not load searoute at all. The routes' courses (the points the
report's map draws a sea lane along, simplified) are cached so too. The distances between the bundled
cases' ports ship with the package (``sea-miles.json``, computed by searoute and checked against it
by the tests), so the default case runs without searoute on a new machine too.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path

from footprint.scenario.model.base import Location
from footprint.scenario.model.figures import value_of
from footprint.scenario.model.network import FreightRates, Market, Plant, Port, can_route

EARTH_RADIUS_KM = 6371.0088
FREIGHT_PARTS = ("sea_freight", "port_handling", "land_freight")
"""How a computed lane's freight divides, each part a landed-cost component of its own."""


def great_circle_km(a: Location | Port, b: Location | Port) -> float:
    """Haversine distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


Point = tuple[float, float]
"""(lon, lat), as searoute takes them."""
SHIPPED_DISTANCES = "sea-miles.json"
CACHE_ENV = "FOOTPRINT_CACHE"
"""A folder for footprint's caches, in place of $XDG_CACHE_HOME/footprint (or ~/.cache/footprint)."""


def sea_nautical_miles(origin: Point, destination: Point) -> float:
    """Sea distance between two (lon, lat) points along searoute's shipping network."""
    return sea_distances([(origin, destination)])[(origin, destination)]


def sea_distances(pairs: Iterable[tuple[Point, Point]]) -> dict[tuple[Point, Point], float]:
    """Sea miles between each (origin, destination): cached where known, else routed by searoute (and cached)."""
    pairs = list(pairs)
    known = _known_distances()
    missing = {pair for pair in pairs if _key(pair) not in known}
    if missing:
        from searoute import searoute  # loads its network: only when a route is not known yet

        for origin, destination in sorted(missing):
            known[_key((origin, destination))] = float(searoute(origin, destination, units="naut")["properties"]
                                                      ["length"])
        _save(_cache_file("sea-miles"), known)
    return {pair: known[_key(pair)] for pair in pairs}


ROUTE_TOLERANCE = 0.25
"""Degrees a simplified course may stray from searoute's: a route keeps its shape (and its length within about 1%)
in some tens of points, where searoute gives up to a few hundred."""


def sea_routes(pairs: Iterable[tuple[Point, Point]]) -> dict[tuple[Point, Point], list[Point]]:
    """The course of each (origin, destination) port pair along searoute's network, as (lon, lat) points from the
    origin to the destination, simplified (ROUTE_TOLERANCE); longitudes continuous (a Pacific crossing runs past
    180 rather than jumping to -180). Cached where known, else routed by searoute (and cached)."""
    pairs = list(pairs)
    known = _known_routes()
    missing = {pair for pair in pairs if _key(pair) not in known}
    if missing:
        from searoute import searoute  # loads its network: only when a route is not known yet

        for origin, destination in sorted(missing):
            course = [origin, *map(tuple, searoute(origin, destination)["geometry"]["coordinates"]), destination]
            known[_key((origin, destination))] = simplified(_continuous(course), ROUTE_TOLERANCE)
        _save(_cache_file("sea-routes"), known)
    return {pair: [(lon, lat) for lon, lat in known[_key(pair)]] for pair in pairs}


def _continuous(points: list[Point]) -> list[Point]:
    """``points`` with each longitude moved by whole turns to within 180 degrees of the one before it."""
    found = [points[0]]
    for lon, lat in points[1:]:
        found.append((lon - 360.0 * round((lon - found[-1][0]) / 360.0), lat))
    return found


def simplified(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: the fewest of ``points`` (the first and last always) that stray no more than ``tolerance``
    (degrees, in the plane of longitude and latitude) from the line through all of them."""
    if len(points) < 3:
        return list(points)
    (x0, y0), (x1, y1) = points[0], points[-1]
    length = math.hypot(x1 - x0, y1 - y0)
    distances = [abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length if length else math.hypot(x - x0, y - y0)
                 for x, y in points[1:-1]]
    farthest = max(range(len(distances)), key=distances.__getitem__)
    if distances[farthest] <= tolerance:
        return [points[0], points[-1]]
    split = farthest + 1
    return simplified(points[:split + 1], tolerance)[:-1] + simplified(points[split:], tolerance)


def _key(pair: tuple[Point, Point]) -> str:
    (lon1, lat1), (lon2, lat2) = pair
    return f"{lon1!r},{lat1!r};{lon2!r},{lat2!r}"


def _cache_file(kind: str) -> Path:
    folder = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "footprint"
    return Path(folder) / f"{kind}-searoute-{version('searoute')}.json"


@cache
def _known_distances() -> dict[str, float]:
    """The distances shipped for the bundled cases and those cached by earlier runs (none from a cache that
    cannot be read: it is only a cache)."""
    shipped = json.loads((resources.files("footprint.economics") / SHIPPED_DISTANCES).read_text(encoding="utf-8"))
    known = dict(shipped["miles"]) if shipped["searoute"] == version("searoute") else {}
    with contextlib.suppress(OSError, ValueError):
        cached = json.loads(_cache_file("sea-miles").read_text(encoding="utf-8"))
        if isinstance(cached, dict):
            known |= {key: float(miles) for key, miles in cached.items() if isinstance(miles, (int, float))}
    return known


@cache
def _known_routes() -> dict[str, list[Point]]:
    """The courses cached by earlier runs (none from a cache that cannot be read, and none of a malformed one)."""
    with contextlib.suppress(OSError, ValueError):
        cached = json.loads(_cache_file("sea-routes").read_text(encoding="utf-8"))
        if isinstance(cached, dict):
            return {key: course for key, course in cached.items() if isinstance(course, list) and len(course) >= 2
                    and all(isinstance(point, list) and len(point) == 2
                            and all(isinstance(value, (int, float)) for value in point) for point in course)}
    return {}


def _save(path: Path, known: Mapping[str, object]) -> None:
    """Write a cache whole (a temporary file renamed into place); a cache that cannot be written is skipped."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(known, file)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)


def lane_parts(plant: Plant, market: Market, rates: FreightRates) -> dict[str, float] | None:
    """Sea, handling and road freight per unit of a lane, in the rates' currency; None if the
    scenario lacks the ports or locations to tell."""
    road = _road_per_km(rates)
    if not can_route(plant, market):
        return None
    if plant.port is not None and market.port is not None:
        sea = sea_nautical_miles((plant.port.lon, plant.port.lat), (market.port.lon, market.port.lat))
        land_km = (great_circle_km(plant.location, plant.port) if plant.location else 0.0) + (
            great_circle_km(market.port, market.location) if market.location else 0.0)
        return {"sea_freight": sea * value_of(rates.per_nautical_mile),
                "port_handling": 2 * value_of(rates.port_handling), "land_freight": land_km * road}
    assert plant.location is not None
    assert market.location is not None
    return {"sea_freight": 0.0, "port_handling": 0.0,
            "land_freight": great_circle_km(plant.location, market.location) * road}


def lane_transit_days(origin: Plant, destination: Market, rates: FreightRates) -> float | None:
    """Days in transit of a lane computed from distances (lane_parts): at sea at the rates' speed, a stay at each
    port, and road legs at a truck's daily km; None if the scenario lacks the ports or locations to tell."""
    if not can_route(origin, destination):
        return None
    road_km = value_of(rates.road_factor) / value_of(rates.road_km_per_day)  # days per great-circle km
    if origin.port is not None and destination.port is not None:
        sea = sea_nautical_miles((origin.port.lon, origin.port.lat), (destination.port.lon, destination.port.lat))
        land_km = (great_circle_km(origin.location, origin.port) if origin.location else 0.0) + (
            great_circle_km(destination.port, destination.location) if destination.location else 0.0)
        return sea / (24 * value_of(rates.sea_knots)) + 2 * value_of(rates.port_days) + land_km * road_km
    assert origin.location is not None
    assert destination.location is not None
    return great_circle_km(origin.location, destination.location) * road_km


def freight_past_entry(plant: Plant, market: Market, rates: FreightRates) -> float:
    """Of a computed lane's freight per unit, the part after its goods enter the market's country, in the
    rates' currency: on a sea lane the handling at the market's port and the road leg inland from it, which
    a cif customs value leaves out (it stops at the port of entry). 0 on a road lane: the scenario does not
    place its border crossing, so its whole road leg counts as freight to the border."""
    if plant.port is None or market.port is None:
        return 0.0
    inland_km = great_circle_km(market.port, market.location) if market.location else 0.0
    return value_of(rates.port_handling) + inland_km * _road_per_km(rates)


def _road_per_km(rates: FreightRates) -> float:
    return value_of(rates.road_factor) * value_of(rates.per_road_km)
