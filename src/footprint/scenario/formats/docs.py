"""The scenario format reference, generated from the entity declarations (the documentation
site's scenario-format page, `footprint schema`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from footprint.scenario.model.base import Horizon, Location, YearRange
from footprint.scenario.model.currencies import FxRule
from footprint.scenario.model.fields import SolverSettings
from footprint.scenario.model.figures import Figure, Growth
from footprint.scenario.model.groups import Group
from footprint.scenario.model.network import (
    Capability,
    CapacityOption,
    FreightRates,
    Lane,
    LaneMode,
    Market,
    Plant,
    Pool,
    Port,
    Product,
    SourcingOption,
)
from footprint.scenario.model.scenario import Scenario
from footprint.scenario.model.trade import Agreement, Member, PreferentialRate, Relief, Tariff

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("scenario (top level)", Scenario),
    ("horizon", Horizon),
    ("products[]", Product),
    ("plants[]", Plant),
    ("plants[].pools[]", Pool),
    ("plants[].location, markets[].location", Location),
    ("plants[].port, markets[].port", Port),
    ("freight_rates", FreightRates),
    ("plants[].operating_years", YearRange),
    ("capabilities[]", Capability),
    ("capabilities[].sourcing[]", SourcingOption),
    ("options[]", CapacityOption),
    ("markets[]", Market),
    ("lanes[]", Lane),
    ("lanes[].modes[]", LaneMode),
    ("groups[]", Group),
    ("tariffs[]", Tariff),
    ("tariffs[].relief", Relief),
    ("agreements[]", Agreement),
    ("agreements[].members[]", Member),
    ("agreements[].rates[]", PreferentialRate),
    ("fx.CURRENCY (a rule) and fx_default", FxRule),
    ("solver", SolverSettings),
    ("any number, as a figure", Figure),
    ("any per-year series (capacity, demand, price, lost_sale_penalty), as a growth", Growth),
]


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return "empty" if isinstance(field.default_factory(), (list, dict)) else "see section"
    if field.default is PydanticUndefined or field.default is None:
        return "none"
    return f"`{field.default}`"


def scenario_reference() -> str:
    """Markdown: one table per entity with each field's default and description."""
    parts = []
    for title, model in SECTIONS:
        parts.append(f"#### {title}\n")
        parts.append("| field | default | meaning |\n|---|---|---|")
        for name, field in model.model_fields.items():
            parts.append(f"| `{field.alias or name}` | {_default(field)} | {field.description or ''} |")
        parts.append("")
    return "\n".join(parts)


START, END = "<!-- scenario-reference:start -->\n", "<!-- scenario-reference:end -->"


def with_reference(readme: str) -> str:
    """``readme`` with the text between its reference markers regenerated."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return head + START + scenario_reference() + END + tail
