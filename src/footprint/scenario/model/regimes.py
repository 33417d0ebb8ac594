"""Tariff regimes shipped with footprint: dated tariffs and free-trade agreements, each figure sourced.

A regime file holds `tariffs` and `agreements` in the scenario format, and may
`extends:` another regime: its entries then replace the other's with the same key
(see Scenario.trade_rules), as a scenario's own entries replace its regime's.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def regimes_folder() -> Path:
    return Path(str(resources.files("footprint.scenario.model") / "regimes"))


@cache
def regime_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in regimes_folder().glob("*.yaml")))


@cache
def _regime_file(name: str) -> dict[str, Any]:
    data = yaml.load((regimes_folder() / f"{name}.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return {"description": "", "extends": None, "tariffs": [], "agreements": []} | data


def regime_description(name: str) -> str:
    return str(_regime_file(name)["description"])


def regime_layers(name: str) -> list[dict[str, Any]]:
    """The regime and those it extends, from the base up: each a dict with `tariffs` and `agreements`."""
    data = _regime_file(name)
    base = [] if data["extends"] is None else regime_layers(data["extends"])
    return [*base, data]
