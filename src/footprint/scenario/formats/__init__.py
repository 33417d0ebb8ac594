"""How a scenario is written down (YAML, CSV folder, Excel workbook), read into a Scenario and written back."""
