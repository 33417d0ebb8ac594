"""The scenario layer, in four parts whose imports run one way (model <- formats <- sets; cases is data):

- ``model``: what a scenario is: its entities by domain (the network, currencies, trade rules), the figures they
  hold, and the checks across them; the shipped customs unions and tariff regimes;
- ``formats``: how a scenario is written down: YAML, a CSV folder or an Excel workbook, read with the place of
  every value and validated into a Scenario, written back losslessly; the template, the format reference, and
  importers of other formats (OR-Library);
- ``sets``: scenario sets: a base and its futures, each a list of overrides by parameter path, and the generators
  that draw them (ranges, FX history, regimes);
- ``cases``: the bundled cases and their sets, runnable by name.
"""
