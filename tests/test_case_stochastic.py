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
def test_the_case_readme_reports_its_stochastic_plan_as_computed(case: str) -> None:
    text = _text(case)
    for line in figures(case):
        assert line in text, line


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_the_case_readme_reports_its_risk_averse_plan_as_computed(case: str) -> None:
    text = _text(case)
    for line in risk_figures(case):
        assert line in text, line
