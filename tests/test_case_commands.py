"""`footprint explain` and `footprint breakeven` on the bundled cases, with nothing but market/product/param."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.cli import app

CASES = ["rogue-2012", "rogue-2026"]


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


@pytest.mark.parametrize("case", CASES)
def test_explain_runs_on_each_bundled_case(case: str) -> None:
    text = invoke("explain", case, "--market", "us", "--product", "rogue")
    assert "rogue for us: cost per unit from each capable plant (USD)" in text
    for plant in ("kyushu", "smyrna", "busan"):
        assert f"│ {plant}" in text
    assert "chosen" in text


@pytest.mark.parametrize("case", CASES)
def test_breakeven_runs_on_each_bundled_case(case: str) -> None:
    # The default tolerance: twelve solves; the decisions at the two ends are printed either way.
    text = invoke("breakeven", case, "--param", "fx.KRW", "--range", "700", "1700")
    assert "fx.KRW from 700.0 (LO) to 1,700.0 (HI)" in text
    assert "Plans at the ends" in text
