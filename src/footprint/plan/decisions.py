"""What a plan decides, as sets that compare equal when two plans decide the same."""

from __future__ import annotations

from dataclasses import dataclass

from footprint.plan.plan import Plan


@dataclass(frozen=True)
class Decisions:
    """What a plan decides: the builds (option, year, count), the assigned cells (plant, product, year)
    and the plants it opens or closes (plant, "opens" or "closes", year)."""

    builds: frozenset[tuple[str, int, int]]
    assignments: frozenset[tuple[str, str, int]]
    plants: frozenset[tuple[str, str, int]]

    @classmethod
    def of(cls, plan: Plan) -> Decisions:
        builds = plan.builds
        assigned = plan.assignments[plan.assignments["assigned"]]
        plants = plan.tables["plants"]
        return cls(
            frozenset(zip(builds["option"].astype(str), builds["year"].astype(int), builds["count"].astype(int),
                          strict=True)),
            frozenset(zip(assigned["plant"].astype(str), assigned["product"].astype(str),
                          assigned["year"].astype(int), strict=True)),
            frozenset((plant, verb, year) for flag, verb in (("opened", "opens"), ("closed", "closes"))
                      for plant, year in zip(plants["plant"][plants[flag]].astype(str),
                                             plants["year"][plants[flag]].astype(int), strict=True)),
        )


__all__ = ["Decisions"]
