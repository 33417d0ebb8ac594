"""Count rules over a group of sites: at least ``min_open`` and at most ``max_open`` of its members open in each
year ("open two of these four candidate sites", "keep at most one plant in Mexico").

A member is named by its id; :func:`group_members` resolves members to sites, the one place that knows which
entities a group may hold (plants, suppliers, distribution centres).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from footprint.scenario.model.base import Entity, Identifier
from footprint.scenario.model.figures import NotBool, Year

Count = Annotated[int, NotBool, Field(ge=0, le=1_000_000)]


class Group(Entity):
    id: Identifier = Field(description="Group name, unique.")
    members: list[Identifier] = Field(min_length=1, description="Ids of the plants, suppliers or facilities in the "
                                      "group. A site the plan neither opens nor closes counts as open in its "
                                      "operating years.")
    min_open: Count | None = Field(None, description="Least number of members open in each year of the rule "
                                   "(none: no least).")
    max_open: Count | None = Field(None, description="Most members open in each year of the rule (none: no most).")
    from_year: Year | None = Field(None, description="First year the rule holds (default: the horizon's first).")
    to_year: Year | None = Field(None, description="Last year the rule holds (default: the horizon's last).")

    @model_validator(mode="after")
    def _bounded(self) -> Group:
        if self.min_open is None and self.max_open is None:
            raise ValueError("a group needs min_open, max_open or both")
        if self.min_open is not None and self.max_open is not None and self.min_open > self.max_open:
            raise ValueError(f"min_open {self.min_open} is above max_open {self.max_open}")
        if self.from_year is not None and self.to_year is not None and self.to_year < self.from_year:
            raise ValueError(f"to_year {self.to_year} is before from_year {self.from_year}")
        return self

    def years(self, horizon: list[int]) -> list[int]:
        """The years of ``horizon`` the rule holds in."""
        return [year for year in horizon if (self.from_year is None or year >= self.from_year)
                and (self.to_year is None or year <= self.to_year)]


MEMBER_KINDS = ("plants", "suppliers", "facilities")
"""The sections whose entities a group may hold, in the order a member id is looked up."""


def group_members(sections: dict[str, list[str]], group: Group) -> list[tuple[str, int] | None]:
    """Each member of ``group`` as (section, position in it), None where no entity of MEMBER_KINDS has its id;
    ``sections`` gives each section's ids in order."""
    where = {name: (section, position) for section in reversed(MEMBER_KINDS)
             for position, name in enumerate(sections.get(section, []))}
    return [where.get(member) for member in group.members]


__all__ = ["MEMBER_KINDS", "Group", "group_members"]
