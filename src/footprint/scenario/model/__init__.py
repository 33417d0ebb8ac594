"""What a scenario is: its entities by domain, the figures they hold, and the checks across them."""
