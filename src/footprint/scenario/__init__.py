"""The scenario layer: entities, their checks, files and importers, cases, regimes and customs unions."""
