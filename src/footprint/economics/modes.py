"""The transport modes of a lane between two nodes: what each costs per unit, how long it takes, and the fixed cost
for each year it is used, in the reporting currency.

A listed lane's ``freight`` is one sea mode; its ``modes`` are each costed per unit or per unit-km (times its
``distance_km``, else the great-circle km between its ends). A sea mode without a cost, a listed lane with neither
freight nor modes, and an unlisted lane cost what ``freight_rates`` compute from distances (sea between the ends'
ports; an unlisted lane without ports goes by road), else ``default_freight``; their transit days come from the
distances at the rates' speeds (unknown without them, as they are for default_freight).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from footprint.economics.freight import (
    freight_past_entry,
    great_circle_km,
    lane_parts,
    lane_transit_days,
    sea_distances,
)
from footprint.scenario.model.figures import value_of
from footprint.scenario.model.network import MODES, Lane, LaneMode
from footprint.scenario.model.scenario import Scenario

MODE_CODE = {mode: code for code, mode in enumerate(MODES)}
SEA, ROAD = MODE_CODE["sea"], MODE_CODE["road"]
NO_MODE = -1
"""The mode code of no transport (a plant's own components)."""


@dataclass(frozen=True)
class ModeCost:
    """One mode of a lane: its code into MODES, its freight per unit by part and year index (``freight`` for a
    stated cost or default_freight, FREIGHT_PARTS for one computed from distances), the part of it past the point
    of entry into the destination's country (computed sea lanes only), its transit days (NaN: unknown) and the
    index of its fixed cost in FixedModes (-1: none)."""

    mode: int
    parts: dict[str, np.ndarray]
    past_entry: np.ndarray
    transit_days: float
    fixed: int

    @property
    def freight(self) -> np.ndarray:
        """Freight per unit by year index, all parts together."""
        return sum(self.parts.values(), np.zeros_like(self.past_entry))


@dataclass(frozen=True)
class FixedModes:
    """The lanes' modes with a fixed cost: where each runs, its mode code and its cost per year index."""

    origin: list[str]
    destination: list[str]
    mode: np.ndarray
    cost: np.ndarray
    currency: np.ndarray
    """The currency (code) each is stated in: its lane's."""

    @property
    def index(self) -> dict[tuple[str, str, int], int]:
        return {key: i for i, key in enumerate(zip(self.origin, self.destination, self.mode.tolist(), strict=True))}


def compile_fixed_modes(scenario: Scenario, currency_code: dict[str, int], fx: np.ndarray) -> FixedModes:
    """Every listed lane's mode with a fixed cost, in the reporting currency at each year's rate."""
    found = [(lane, mode) for lane in scenario.lanes for mode in lane.modes if value_of(mode.fixed_cost) > 0]
    currency = np.array([currency_code[lane.currency or scenario.currency] for lane, _ in found], dtype=np.int64)
    cost = np.array([value_of(mode.fixed_cost) for _, mode in found]).reshape(-1, 1) / fx[currency].reshape(
        len(found), fx.shape[1])
    return FixedModes([lane.origin for lane, _ in found], [lane.destination for lane, _ in found],
                      np.array([MODE_CODE[mode.mode] for _, mode in found], dtype=np.int64), cost, currency)


@dataclass(frozen=True)
class ModeTable:
    """The modes of the lanes from some origins to some destinations, a row per mode, ordered by origin, destination
    and the lane's order of modes: codes into the two node lists, the mode's code into MODES, its transit days (NaN:
    unknown), its fixed cost's index in FixedModes (-1: none) and its freight per unit by year index."""

    origin: np.ndarray
    destination: np.ndarray
    mode: np.ndarray
    transit_days: np.ndarray
    fixed: np.ndarray
    freight: np.ndarray

    def __len__(self) -> int:
        return len(self.origin)


class LaneModes:
    """The modes of the lanes between nodes (see the module's doc): none where there is no lane."""

    def __init__(self, scenario: Scenario, currency_code: dict[str, int], fx: np.ndarray, lanes: Iterable[Lane],
                 fixed: FixedModes) -> None:
        self.scenario, self.currency_code, self.fx = scenario, currency_code, fx
        self.listed = {(lane.origin, lane.destination): lane for lane in lanes}
        self.fixed = fixed.index
        self.rates = scenario.freight_rates
        if self.rates is not None:
            self.rate = fx[currency_code[self.rates.currency or scenario.currency]]
        self.default = None if scenario.default_freight is None else value_of(scenario.default_freight)

    def route(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        """Route the sea legs of ``pairs`` at once (searoute is slow one by one)."""
        if self.rates is not None:
            sea_distances([((a.port.lon, a.port.lat), (b.port.lon, b.port.lat)) for a, b in pairs
                           if a.port and b.port and self._computes(self.listed.get((a.id, b.id)))])

    def table(self, origins: list[Any], destinations: list[Any], skip_same: bool = False) -> ModeTable:
        """The modes of every lane from ``origins`` to ``destinations`` (but a node's lane to itself if
        ``skip_same``): a call per listed lane; the unlisted pairs at once when there are no freight_rates (each
        costs default_freight, or has no lane), else a call per pair (freight computed from distances)."""
        origin_code = {node.id: i for i, node in enumerate(origins)}
        destination_code = {node.id: j for j, node in enumerate(destinations)}
        unlisted = np.ones((len(origins), len(destinations)), dtype=bool)
        if skip_same:
            np.fill_diagonal(unlisted, False)
        found: list[tuple[int, int, int, ModeCost]] = []
        for origin, destination in self.listed:
            i, j = origin_code.get(origin), destination_code.get(destination)
            if i is not None and j is not None and unlisted[i, j]:
                unlisted[i, j] = False
                found += [(i, j, slot, cost) for slot, cost in enumerate(self(origins[i], destinations[j]))]
        origin, destination = np.nonzero(unlisted)
        default = self._default()
        if self.rates is not None:
            found += [(i, j, 0, cost) for i, j in zip(origin.tolist(), destination.tolist(), strict=True)
                      if (cost := self.computed(origins[i], destinations[j], sea_only=False)) is not None]
        elif default is not None:
            found += [(i, j, 0, default) for i, j in zip(origin.tolist(), destination.tolist(), strict=True)]
        columns = list(zip(*found, strict=True)) if found else [(), (), (), ()]
        slot = np.array(columns[2], dtype=np.int64)
        origin, destination = (np.array(column, dtype=np.int64) for column in columns[:2])
        order = np.lexsort((slot, destination, origin))
        costs = [columns[3][i] for i in order]
        distinct = {id(cost): cost for cost in costs}  # the unlisted pairs share one default
        freight = {key: cost.freight for key, cost in distinct.items()}
        return ModeTable(origin[order], destination[order], np.array([cost.mode for cost in costs], dtype=np.int64),
                         np.array([cost.transit_days for cost in costs], dtype=np.float64),
                         np.array([cost.fixed for cost in costs], dtype=np.int64),
                         np.array([freight[id(cost)] for cost in costs], dtype=np.float64).reshape(
                             -1, self.fx.shape[1]))

    def _default(self) -> ModeCost | None:
        """default_freight's sea lane (None without it)."""
        if self.default is None:
            return None
        years = self.fx.shape[1]
        return ModeCost(SEA, {"freight": np.full(years, self.default)}, np.zeros(years), np.nan, -1)

    @staticmethod
    def _computes(lane: Lane | None) -> bool:
        return lane is None or (lane.freight is None and (not lane.modes or any(
            mode.mode == "sea" and mode.cost is None and mode.cost_per_km is None for mode in lane.modes)))

    def __call__(self, origin: Any, destination: Any) -> list[ModeCost]:
        lane = self.listed.get((origin.id, destination.id))
        if lane is None:
            computed = self.computed(origin, destination, sea_only=False)
            return [] if computed is None else [computed]
        if not lane.modes:
            if lane.freight is None:
                found = self.computed(origin, destination, sea_only=False)
                return [] if found is None else [self._timed(found, lane.transit_days)]
            computed_days = self._computed_days(origin, destination)
            return [self._stated(lane, value_of(lane.freight), "sea", lane.transit_days if lane.transit_days
                                 is not None else computed_days)]
        modes = []
        for mode in lane.modes:
            found = self._mode(lane, mode, origin, destination)
            if found is not None:
                modes.append(found)
        return modes

    def _mode(self, lane: Lane, mode: LaneMode, origin: Any, destination: Any) -> ModeCost | None:
        days = None if mode.transit_days is None else value_of(mode.transit_days)
        if mode.cost is not None:
            return self._stated(lane, value_of(mode.cost), mode.mode, days)
        if mode.cost_per_km is not None:
            km = lane_km(lane, origin, destination)
            return None if km is None else self._stated(lane, value_of(mode.cost_per_km) * km, mode.mode, days)
        found = self.computed(origin, destination, sea_only=True)
        if found is None:
            return None
        return self._timed(found, days, self.fixed.get((lane.origin, lane.destination, SEA), -1))

    def _stated(self, lane: Lane, amount: float, mode: str, days: float | None) -> ModeCost:
        per_year = amount / self.fx[self.currency_code[lane.currency or self.scenario.currency]]
        code = MODE_CODE[mode]
        return ModeCost(code, {"freight": per_year}, np.zeros(len(per_year)), np.nan if days is None else days,
                        self.fixed.get((lane.origin, lane.destination, code), -1))

    @staticmethod
    def _timed(found: ModeCost, days: float | None, fixed: int = -1) -> ModeCost:
        return ModeCost(found.mode, found.parts, found.past_entry,
                        found.transit_days if days is None else value_of(days), fixed)

    def _computed_days(self, origin: Any, destination: Any) -> float | None:
        if self.rates is None:
            return None
        return lane_transit_days(origin, destination, self.rates)

    def computed(self, origin: Any, destination: Any, sea_only: bool) -> ModeCost | None:
        """The freight_rates' lane from distances (by sea between ports, else by road unless ``sea_only``), else
        default_freight's; None if neither applies."""
        if self.rates is not None and (not sea_only or (origin.port is not None and destination.port is not None)):
            parts = lane_parts(origin, destination, self.rates)
            if parts is not None:
                days = lane_transit_days(origin, destination, self.rates)
                sea = origin.port is not None and destination.port is not None
                return ModeCost(SEA if sea else ROAD, {part: amount / self.rate for part, amount in parts.items()},
                                freight_past_entry(origin, destination, self.rates) / self.rate,
                                np.nan if days is None else days, -1)
        return self._default()


def keeps_promise(transit_days: float, market: Any) -> bool:
    """Whether goods ``transit_days`` in transit (NaN: unknown) reach ``market`` within its max_transit_days."""
    return market.max_transit_days is None or bool(transit_days <= value_of(market.max_transit_days))


def lane_km(lane: Lane, origin: Any, destination: Any) -> float | None:
    """The km a per-km cost multiplies: the lane's distance_km, else the great-circle km between its ends'
    locations (None without them)."""
    if lane.distance_km is not None:
        return value_of(lane.distance_km)
    if origin.location is None or destination.location is None:
        return None
    return great_circle_km(origin.location, destination.location)


__all__ = ["MODE_CODE", "NO_MODE", "FixedModes", "LaneModes", "ModeCost", "ModeTable", "compile_fixed_modes",
           "keeps_promise", "lane_km"]
