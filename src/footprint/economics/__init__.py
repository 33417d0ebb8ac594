"""The economics layer: exchange rates, freight, duties, and the scenario compiled into arrays."""
