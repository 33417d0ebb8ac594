"""The Scenario: every section's fields (``entities``) with the checks across them (``checks``) run.

A Scenario is built once and never changed; a variant is a new Scenario made from other data.
Files become Scenarios through ``files``, which reports every problem at once.
"""

from __future__ import annotations

from pydantic import model_validator

from footprint.scenario.model.checks import ConsistencyError, Context, consistency_problems
from footprint.scenario.model.fields import ScenarioFields


class Scenario(ScenarioFields):
    """A validated scenario: its fields, and references, duplicates and years consistent across them."""

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        errors = consistency_problems(self, Context())
        if errors:
            raise ConsistencyError(errors)
        return self


__all__ = ["Scenario"]
