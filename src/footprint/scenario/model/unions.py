"""Customs unions shipped with footprint (the EU, the GCC, the EAEU), with each member's dates.

A union's code (``EU``) may stand where a country does in a tariff, an agreement or a market:
a tariff into a union applies to imports into every member from outside it, goods of a
member's origin move duty-free to another member while both are members, and an agreement
listing a union covers every member. The list and its sources are in ``unions.yaml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

UNIONS_FILE = "unions.yaml"


@dataclass(frozen=True)
class Membership:
    country: str
    from_date: dt.date
    to_date: dt.date
    """Last day of membership (dt.date.max: still a member)."""

    def on(self, day: dt.date) -> bool:
        return self.from_date <= day <= self.to_date


@dataclass(frozen=True)
class CustomsUnion:
    code: str
    name: str
    source: str
    members: tuple[Membership, ...]

    def countries(self) -> set[str]:
        """Every country that is or was a member."""
        return {member.country for member in self.members}

    def members_on(self, day: dt.date) -> set[str]:
        return {member.country for member in self.members if member.on(day)}

    def membership(self, country: str) -> Membership | None:
        return next((member for member in self.members if member.country == country), None)


@cache
def customs_unions() -> dict[str, CustomsUnion]:
    """The shipped customs unions by code."""
    text = (resources.files("footprint.scenario.model") / UNIONS_FILE).read_text(encoding="utf-8")
    return {
        raw["code"]: CustomsUnion(raw["code"], raw["name"], " ".join(raw["source"].split()), tuple(
            Membership(member["country"], member.get("from_date", dt.date.min), member.get("to_date", dt.date.max))
            for member in raw["members"]))
        for raw in yaml.load(text, Loader=yaml.CSafeLoader)["unions"]
    }


def is_union(code: str) -> bool:
    return code in customs_unions()


__all__ = ["CustomsUnion", "Membership", "customs_unions", "is_union"]
