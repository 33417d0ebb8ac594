"""The levels of a plan's decisions, each holding the ones before (plan/decisions.py reads them from a Plan).

A module of its own, importing nothing heavy, so that the command line can offer them without loading the
solver.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """How much of a plan counts as its decisions."""

    STRATEGIC = "strategic"
    """Capacity built, plants opened and closed."""
    ASSIGNMENTS = "assignments"
    """Strategic, and the products each plant makes, and the plant each single-sourced demand comes from, by
    year."""
    FLOWS = "flows"
    """Assignments, and which plant (with which sourcing) supplies each market with each product, by year."""

    def holds(self, other: Level) -> bool:
        """Whether this level includes ``other``'s decisions."""
        return LEVELS.index(self) >= LEVELS.index(other)


LEVELS = (Level.STRATEGIC, Level.ASSIGNMENTS, Level.FLOWS)
"""The levels, coarsest first."""
ADDED = {Level.STRATEGIC: ("builds", "plants"), Level.ASSIGNMENTS: ("assignments", "single_sources"),
         Level.FLOWS: ("flows",)}
"""The decisions each level adds to the one before, by the name of their set in a Decisions (and of the Plan
table they are read from, and of the Comparison's table of their differences)."""
LEVEL_HELP = "strategic (capacity built, plants opened and closed), assignments (and the products each plant " \
             "makes and the source of each single-sourced demand, by year) or flows (and which plant supplies each " \
             "market, by year)"
"""The levels in a sentence, for help texts."""

__all__ = ["ADDED", "LEVELS", "LEVEL_HELP", "Level"]
