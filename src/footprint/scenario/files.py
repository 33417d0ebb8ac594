"""Scenario files: read a YAML file (a variant's base merged in) into a Scenario, and write one back.

The door through which files become Scenarios: every problem is reported at once, each with
its file and line, and nothing but :class:`ScenarioError` is raised, whatever the file holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from footprint.scenario.checks import Check
from footprint.scenario.scenario import Scenario
from footprint.scenario.sources import ScenarioError, Source
from footprint.scenario.validation import Loaded, scenario_from_data, validate
from footprint.scenario.yamlio import dump_yaml, read_scenario_yaml


def read_source(path: str | Path) -> Source:
    """The plain data of a scenario file and where each part of it was written."""
    return read_scenario_yaml(Path(path))


def read_scenario(path: str | Path, checks: Sequence[Check], *, strict: bool = False) -> Loaded:
    """Read and validate a scenario file with ``checks`` (``economics.checks.CHECKS`` for all of them): the
    Scenario and its warnings, or ScenarioError."""
    return validate(read_source(path), checks, strict=strict)


def load_scenario(path: str | Path, checks: Sequence[Check]) -> Scenario:
    """Read and validate a scenario file (a variant's base merged in) with ``checks``; ScenarioError if it is
    not valid."""
    return read_scenario(path, checks).scenario


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as YAML, leaving out fields at their defaults."""
    return dump_yaml(scenario.model_dump(mode="python", exclude_defaults=True))


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    Path(path).write_text(dump_scenario(scenario), encoding="utf-8")


__all__ = ["Loaded", "ScenarioError", "Source", "dump_scenario", "load_scenario", "read_scenario", "read_source",
           "save_scenario", "scenario_from_data"]
