"""What a plan decides, as sets that compare equal when two plans decide the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import pandas as pd

from footprint.plan.plan import FUTURE, Plan

_TABLES = ("builds", "assignments", "plants")


@dataclass(frozen=True)
class Decisions:
    """What a plan decides: the builds (option, year, count), the assigned cells (plant, product, year)
    and the plants it opens or closes (plant, "opens" or "closes", year)."""

    builds: frozenset[tuple[str, int, int]]
    assignments: frozenset[tuple[str, str, int]]
    plants: frozenset[tuple[str, str, int]]

    @classmethod
    def of(cls, plan: Plan) -> Decisions:
        """What ``plan`` decides; a stacked (stochastic) plan, what it decides in every future."""
        if not plan.stacked:
            return cls.of_tables(plan.tables)
        each = list(by_future(plan).values())
        return cls(*(frozenset.intersection(*(getattr(one, field.name) for one in each)) for field in fields(cls)))

    @classmethod
    def of_tables(cls, tables: Mapping[str, pd.DataFrame]) -> Decisions:
        """What a Plan's builds, assignments and plants tables decide."""
        builds = tables["builds"]
        assigned = tables["assignments"][tables["assignments"]["assigned"].astype(bool)]
        plants = tables["plants"]
        return cls(
            frozenset(zip(builds["option"].astype(str), builds["year"].astype(int), builds["count"].astype(int),
                          strict=True)),
            frozenset(zip(assigned["plant"].astype(str), assigned["product"].astype(str),
                          assigned["year"].astype(int), strict=True)),
            frozenset((plant, verb, year) for flag, verb in (("opened", "opens"), ("closed", "closes"))
                      for plant, year in zip(plants["plant"][plants[flag].astype(bool)].astype(str),
                                             plants["year"][plants[flag].astype(bool)].astype(int), strict=True)),
        )


def by_future(plan: Plan) -> dict[str, Decisions]:
    """What a stacked plan decides in each of its futures, in order."""
    return {name: Decisions.of_tables({table: plan.tables[table][plan.tables[table][FUTURE] == name]
                                       for table in _TABLES}) for name in plan.probabilities}


__all__ = ["Decisions", "by_future"]
