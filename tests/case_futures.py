"""The figures the bundled cases' READMEs report from their futures, computed from footprint's own output.

``python tests/case_futures.py rogue-2012`` prints them; tests/test_case_futures.py checks that each
appears in the case's README. The sweeps run in a temporary store.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

import footprint as fp
from footprint.analysis.summary import sweep_summary, weighted_percentile
from footprint.plan.store import RunStore
from footprint.views.console import _money
from footprint.views.sweep_summary import frequency_text

README = {case: Path(__file__).resolve().parents[1] / "src" / "footprint" / "scenario" / "cases" / case / "README.md"
          for case in ("rogue-2012", "rogue-2026")}
LINE = "busan-rogue-line"


def _bn(amount: float) -> str:
    return _money(amount, "USD")


def _mean_rate(overrides: dict[str, object], currency: str, years: range) -> float:
    path = overrides[f"fx.{currency}"]
    assert isinstance(path, dict)
    by_year = {int(year): float(rate) for year, rate in path.items()}  # JSON keys come back as text
    return float(np.mean([by_year[year] for year in years]))


def figures(case: str) -> list[str]:
    """The sentences of the case README's futures section, with footprint's numbers in them."""
    with tempfile.TemporaryDirectory() as folder, RunStore(Path(folder) / "runs.sqlite") as store:
        read = fp.read_set(f"{case}/futures")
        outcome = fp.sweep(read, workers=2, store=store)
        futures = outcome.futures
        summary = sweep_summary(futures, read.scenario.objective, currency="USD")
        overrides = {row.name: dict(store.get(int(row.id)).overrides) for row in futures.itertuples()}
        tornado = fp.sensitivity(f"{case}/futures" if case == "rogue-2012" else case, workers=2, store=store)
        hindsight = fp.solve(fp.load("rogue-2012/hindsight")) if case == "rogue-2012" else None
    builds = summary.builds[summary.builds["option"] == LINE]
    npv = summary.npv
    lines = [
        f"{len(futures)} futures, {outcome.failed} without a plan",
        f"{LINE}: {frequency_text(list(zip(builds['year'], builds['count'], builds['probability'], strict=True)))}",
        f"mean {_bn(npv['mean'])}, 5th percentile {_bn(npv['p5'])}, 95th {_bn(npv['p95'])}, "
        f"CVaR 95% {_bn(npv['cvar95'])}",
        "tornado: " + "; ".join(f"{bar.path} {_bn(bar.swing)}" for bar in tornado.bars[:3]),
    ]
    first = int(builds.sort_values("probability").iloc[-1]["year"])
    on_time = {row.name for row in futures.itertuples()
               if row.decisions is not None and (LINE, first, 1) in row.decisions.builds}
    if case == "rogue-2012":
        years = range(2014, 2020)
        for currency in ("KRW", "JPY"):
            inside = np.mean([_mean_rate(overrides[name], currency, years) for name in on_time])
            outside = np.mean([_mean_rate(values, currency, years) for name, values in overrides.items()
                               if name not in on_time])
            lines.append(f"{currency} 2014-2019: {inside:,.0f} where it is built in {first}, {outside:,.0f} elsewhere")
        assert hindsight is not None
        built = sorted(hindsight.builds["year"].astype(int))
        solved = futures[futures["objective"].notna()]
        dearer = float(solved.loc[solved["objective"] > hindsight.objective, "probability"].sum()
                       / solved["probability"].sum())
        lines.append(f"hindsight: {LINE} {built[0] if built else 'never'}, NPV cost {_bn(hindsight.objective)}, "
                     f"below {dearer:.0%} of the futures'")
    else:
        for regime in ("2025-deals", "2025-s232-from-2027-01-01", "ended-2026"):
            names = [name for name in overrides if name.split("+")[0] == regime]
            share = sum(float(futures.loc[futures["name"] == name, "probability"].iloc[0])
                        for name in names if name in on_time) / sum(
                float(futures.loc[futures["name"] == name, "probability"].iloc[0]) for name in names)
            values = futures[futures["name"].isin(names)]
            weights = values["probability"].to_numpy()
            median = weighted_percentile(values["objective"].to_numpy(), weights / weights.sum(), 0.5)
            lines.append(f"{regime}: built in {first} in {share:.0%}, median NPV {_bn(median)}")
    return lines


if __name__ == "__main__":
    print("\n".join(figures(sys.argv[1])))
