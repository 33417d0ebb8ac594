"""The analysis layer: why a plan is as it is (explain) and where it changes (breakeven)."""
