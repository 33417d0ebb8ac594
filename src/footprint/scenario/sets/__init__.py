"""Scenario sets: a base scenario and its futures, as overrides by parameter path, and their generators."""
