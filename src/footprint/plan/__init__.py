"""The plan layer: a solved model read back as a Plan of labelled tables, written and read."""
