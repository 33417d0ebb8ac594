"""The views layer: a Plan and its analyses shown in the terminal and as an HTML report."""
