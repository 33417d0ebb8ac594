"""The bundled cases' READMEs report their futures as footprint computes them: the decision frequencies, the
NPV distribution, the top of the tornado, and (rogue-2012) where the path that happened falls."""

from __future__ import annotations

import pytest

from case_futures import README, figures


@pytest.mark.slow
@pytest.mark.parametrize("case", ["rogue-2012", "rogue-2026"])
def test_the_case_readme_reports_its_futures_as_computed(case: str) -> None:
    text = " ".join(README[case].read_text(encoding="utf-8").split())
    for line in figures(case):
        assert line in text, line
