"""The optimization layer: the MILP as named blocks, the HiGHS adapter, solving, imposed changes."""
