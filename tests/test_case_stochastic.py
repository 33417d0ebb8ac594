"""The bundled cases' READMEs report one stochastic plan over their futures as footprint computes it: what it
builds and when, RP, WS, EV, EEV, EVPI, VSS, the regret, and (rogue-2026) the value of waiting for the regime."""

from __future__ import annotations

import pytest

from case_futures import README
from case_stochastic import figures, risk_figures

CASES = ["rogue-2012", "rogue-2026"]


def _text(case: str) -> str:
    return " ".join(README[case].read_text(encoding="utf-8").split())


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_the_case_readme_reports_its_stochastic_and_risk_averse_plans_as_computed(case: str) -> None:
    """One test for both, so that the risk-neutral plan they share is solved once (in one process)."""
    text = _text(case)
    for line in [*figures(case), *risk_figures(case)]:
        assert line in text, line
