"""What a plan decides, at a level (plan/levels.py), as sets that compare equal when two plans decide the same.

Three levels, each holding the one before:

- ``strategic``: the capacity built (option, year, count) and the plants, suppliers and distribution centres
  opened or closed (site, year);
- ``assignments``: and the products each plant makes, by year (plant, product, year), and the plant each
  single-sourced demand comes from (plant, product, market, year);
- ``flows``: and which plant, with which sourcing, supplies each market with each product, by year.

Breakeven, sweep summaries and sensitivity look at ``strategic`` unless told otherwise: the decisions that
commit capital, where a change is worth finding; compare shows every level, strategic first. A product is
assigned to a plant in a year when the plant makes it then: an assignment that makes nothing (a product kept
assigned with no launch cost to pay, where assigning it or not costs the same) is a tie, not a decision, at
every level. Ties between lanes are broken the same way in every year and every future by the model itself
(optimize/model.py), so flows that differ are flows that cost differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import pandas as pd

from footprint.optimize.model import OWN_CONTENT, TOLERANCE
from footprint.plan.levels import ADDED, LEVELS, Level
from footprint.plan.plan import FUTURE, Plan


@dataclass(frozen=True)
class Decisions:
    """What a plan decides at ``level``: the builds (option, year, count), the cells it makes a product in
    (plant, product, year), the plants it opens or closes (plant, "opens" or "closes", year), the lanes it
    supplies through (plant, sourcing, product, market, year) and the source of each single-sourced demand it
    serves (plant, product, market, year); the sets beyond its level are empty."""

    builds: frozenset[tuple[str, int, int]]
    assignments: frozenset[tuple[str, str, int]] = frozenset()
    plants: frozenset[tuple[str, str, int]] = frozenset()
    flows: frozenset[tuple[str, str, str, str, int]] = frozenset()
    level: Level = Level.ASSIGNMENTS
    single_sources: frozenset[tuple[str, str, str, int]] = field(default=frozenset(), kw_only=True)

    @classmethod
    def of(cls, plan: Plan, level: Level = Level.ASSIGNMENTS) -> Decisions:
        """What ``plan`` decides at ``level``; a stacked (stochastic) plan, what it decides in every future."""
        if not plan.stacked:
            return cls.of_tables(plan.tables, level)
        each = list(by_future(plan, level).values())
        sets = {kind.name: frozenset.intersection(*(getattr(one, kind.name) for one in each))
                for kind in fields(cls) if kind.name != "level"}
        return cls(**sets, level=level)

    @classmethod
    def of_tables(cls, tables: Mapping[str, pd.DataFrame], level: Level = Level.ASSIGNMENTS) -> Decisions:
        """What a Plan's tables decide at ``level`` (only the tables the level needs are read)."""
        builds = tables["builds"]
        sites = tables.get("sites")  # suppliers and facilities, opened and closed as plants are
        decided = cls(
            builds=frozenset(zip(builds["option"].astype(str), builds["year"].astype(int),
                                 builds["count"].astype(int), strict=True)),
            plants=_opens_and_closes(tables["plants"], "plant") | (
                frozenset() if sites is None else _opens_and_closes(sites, "site")),
            level=level)
        if level.holds(Level.ASSIGNMENTS):
            made = tables["assignments"][making(tables["assignments"])]
            sources = tables["single_sources"]
            decided = replace(decided, assignments=frozenset(zip(
                made["plant"].astype(str), made["product"].astype(str), made["year"].astype(int), strict=True)),
                single_sources=frozenset(zip(*(sources[name].astype(str) for name in ("plant", "product", "market")),
                                             sources["year"].astype(int), strict=True)))
        return decided.with_flows(tables["flows"]) if level.holds(Level.FLOWS) else decided

    def with_flows(self, flows: pd.DataFrame) -> Decisions:
        """These decisions with the lanes a Plan's ``flows`` table supplies through: at the flows level."""
        used = flows[flows["units"] > TOLERANCE]
        lanes = zip(*(used[column].astype(str) for column in ("plant", "sourcing", "product", "market")),
                    used["year"].astype(int), strict=True)
        return replace(self, flows=frozenset(lanes), level=Level.FLOWS)

    def at(self, level: Level) -> Decisions:
        """These decisions at a coarser (or the same) ``level``; ValueError for a finer one, which they lack."""
        if not self.level.holds(level):
            raise ValueError(f"decisions at the {self.level} level hold nothing at the {level} level")
        dropped = {name: frozenset() for kept in LEVELS if not level.holds(kept) for name in ADDED[kept]}
        return replace(self, **dropped, level=level)


def _opens_and_closes(table: pd.DataFrame, name: str) -> frozenset[tuple[str, str, int]]:
    """(site, "opens" or "closes", year) for each site a status table (plants, sites) opens or closes."""
    return frozenset((site, verb, year) for flag, verb in (("opened", "opens"), ("closed", "closes"))
                     for site, year in zip(table[name][table[flag].astype(bool)].astype(str),
                                           table["year"][table[flag].astype(bool)].astype(int), strict=True))


def making(assignments: pd.DataFrame) -> pd.Series:
    """Which rows of an assignments table are decisions: assigned, and making units (an assignment that makes
    nothing is a tie)."""
    return assignments["assigned"].astype(bool) & (assignments["units"] > TOLERANCE)


def lane_text(plant: str, sourcing: str, product: str, market: str) -> str:
    """A lane of the flows level as text: ``rogue busan→us``, a sourcing option in brackets after the plant."""
    return f"{product} {plant}{'' if sourcing == OWN_CONTENT else f' ({sourcing})'}→{market}"


def tables_of(level: Level) -> tuple[str, ...]:
    """The Plan tables the decisions at ``level`` are read from (the suppliers' and facilities' status with the
    plants')."""
    return (*(table for kept in LEVELS if level.holds(kept) for table in ADDED[kept]), "sites")


def by_future(plan: Plan, level: Level = Level.ASSIGNMENTS) -> dict[str, Decisions]:
    """What a stacked plan decides in each of its futures, in order."""
    return {name: Decisions.of_tables({table: plan.tables[table][plan.tables[table][FUTURE] == name]
                                       for table in tables_of(level)}, level) for name in plan.probabilities}


__all__ = ["LEVELS", "Decisions", "Level", "by_future", "lane_text", "making", "tables_of"]
