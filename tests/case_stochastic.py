"""The figures the bundled cases' READMEs report from one stochastic plan over their futures, computed by footprint.

``python tests/case_stochastic.py rogue-2026`` prints them, and on stderr the seconds each plan took;
tests/test_case_stochastic.py checks that each appears in the case's README. ``figures`` are those of the
plans of least expected NPV cost, ``risk_figures`` those of the risk-averse plan (RISK_WEIGHT x CVaR at ALPHA).
"""

from __future__ import annotations

import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import numpy as np
import yaml

import footprint as fp
from footprint.analysis.stochastic import StochasticPlan
from footprint.analysis.summary import tail_mean
from footprint.api import STOCHASTIC_GAP
from footprint.scenario.cases.bundled import set_path
from footprint.views.console import _money

RISK_WEIGHT = 1.0
ALPHA = 0.9
"""The risk-averse planner's: the CVaR of the dearest tenth of futures, weighed as much as the expected cost."""
EARLY = 2027
"""rogue-2026: the year the tariff regime is known (the deals end 2026-07-01, lapse 2027-01-01, or stay)."""
LINE = "busan-rogue-line"
NOISE = 1e4
"""USD: less is solver noise (a MIP gap of 1e-7 on NPV costs of about US$30bn is US$3,000)."""
SECONDS: dict[str, float] = {}
"""The seconds each plan took to solve, by case and settings (for ``__main__``)."""


def _usd(amount: float | None) -> str:
    if amount is None:
        return "no plan"
    return "0 USD" if abs(amount) < NOISE else _money(amount, "USD")


@cache
def _plan(case: str, risk_weight: float | None = None, alpha: float | None = None,
          revise_from: int | None = None) -> StochasticPlan:
    """The stochastic plan of the case's futures (None: the set's setting), solved once and timed."""
    started = time.perf_counter()
    plan = fp.stochastic(f"{case}/futures", risk_weight=risk_weight, alpha=alpha, revise_from=revise_from,
                         mip_gap=STOCHASTIC_GAP)  # revised plans too: the README's figures are optima
    settings = [f"{name} {value:g}" for name, value in
                (("risk_weight", risk_weight), ("alpha", alpha), ("revise_from", revise_from)) if value is not None]
    SECONDS[f"{case}/futures ({', '.join(settings) or 'as set'})"] = time.perf_counter() - started
    return plan


@cache
def _waited(case: str, risk_weight: float | None = None, alpha: float | None = None) -> StochasticPlan:
    """The plan of a planner who decides the line once the regime is known: the set with the line online no
    earlier than the set's revise_from (the year a line decided then could come), from which each future
    decides for itself."""
    file = set_path(f"{case}/futures")
    assert file is not None
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    revise_from = data["stochastic"]["revise_from"]
    data["base"] = str(file.parent / data["base"])
    data["set"] = {**data.get("set", {}), f"options[{LINE}].earliest_year": revise_from}
    with tempfile.TemporaryDirectory() as folder:
        waited = Path(folder) / "waited.yaml"
        waited.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        started = time.perf_counter()
        plan = fp.stochastic(waited, risk_weight=risk_weight, alpha=alpha, mip_gap=STOCHASTIC_GAP)
    risk = "" if risk_weight is None else f", risk_weight {risk_weight:g}, alpha {alpha:g}"
    SECONDS[f"{case}/futures, {LINE} from {revise_from}{risk}"] = time.perf_counter() - started
    return plan


def _built(plan: StochasticPlan, before: int | None = None) -> str:
    """The capacity the plan builds (with ``before``, only what is decided now: the years before it)."""
    builds = plan.builds if before is None else plan.builds[plan.builds["year"] < before]
    return ", ".join(f"{row.option} {row.year}" for row in builds.itertuples()) or "nothing"


def _regrets(plan: StochasticPlan) -> np.ndarray:
    """Per future: its NPV cost under the plan less its own optimum's."""
    return (plan.futures["npv"] - plan.futures["own"]).to_numpy()


def _in_tail(plan: StochasticPlan, alpha: float) -> np.ndarray:
    """Whether each future has some of its probability among the dearest 1 - alpha under the plan."""
    costs, weights = plan.futures["npv"].to_numpy(), plan.futures["probability"].to_numpy()
    order = np.argsort(-costs, kind="stable")
    before = np.cumsum(weights[order]) - weights[order]
    inside = np.zeros(len(costs), bool)
    inside[order] = (1 - alpha) - before > 1e-12
    return inside


def _cvar(plan: StochasticPlan, alpha: float) -> float:
    return tail_mean(plan.futures["npv"].to_numpy(), plan.futures["probability"].to_numpy(), 1 - alpha,
                     worst_high=True)


def _dearest(plan: StochasticPlan) -> str:
    return _usd(float(plan.futures["npv"].max()))


def _measures(plan: StochasticPlan) -> list[str]:
    vss = "VSS no plan" if plan.vss is None else f"VSS {_usd(plan.vss)} ({plan.vss / plan.objective:.3%})"
    regrets = _regrets(plan)
    worse = regrets >= NOISE
    share = float(plan.futures["probability"].to_numpy()[worse].sum())
    return [f"RP {_usd(plan.objective)}, WS {_usd(plan.wait_and_see)}, EV {_usd(plan.expected_value)}, "
            f"EEV {_usd(plan.expected_of_expected_value)}",
            f"EVPI {_usd(plan.evpi)} ({plan.evpi / plan.objective:.3%} of RP), {vss}",
            f"{int(worse.sum())} of {len(regrets)} futures ({share:.0%} by probability) would do better with "
            f"their own plan, by at most {_usd(float(regrets.max()))}"]


def figures(case: str) -> list[str]:
    """The sentences of the case README's stochastic section for the plans of least expected NPV cost."""
    if case == "rogue-2012":
        plan = _plan(case)
        tail = _in_tail(plan, ALPHA)
        # A plan at each tail future's own optimum has the least CVaR there is: any other plan costs at least
        # as much in each of those futures, so its CVaR (at least their mean) is no lower.
        missed = int((_regrets(plan)[tail] >= NOISE).sum())
        verdict = "each at its own optimum" if not missed else f"{missed} not at their own optimum"
        return [f"{len(plan.futures)} futures: the plan builds {_built(plan)}", *_measures(plan),
                f"the dearest {1 - ALPHA:.0%} of futures under this plan: {verdict}; CVaR {ALPHA:.0%} "
                f"{_usd(_cvar(plan, ALPHA))}, the dearest future {_dearest(plan)}"]
    plan = _plan(case)  # revise_from as the set says
    early = _plan(case, revise_from=EARLY)
    assert plan.revise_from is not None
    assert plan.waiting is not None
    assert early.waiting is not None
    return [f"{len(plan.futures)} futures, revised from {plan.revise_from}: decided now: "
            f"{_built(plan, plan.revise_from)}; value of waiting {_usd(plan.waiting)}", *_measures(plan),
            _wait_cost(plan, _waited(case)),
            f"revised from {EARLY}: decided now: {_built(early, EARLY)}; value of waiting {_usd(early.waiting)} "
            f"({early.waiting / plan.evpi:.0%} of EVPI)"]


def _wait_cost(plan: StochasticPlan, waited: StochasticPlan) -> str:
    return (f"deciding once the regime is known ({LINE} from {waited.revise_from} at the earliest): objective "
            f"{_usd(waited.objective)}, {_usd(waited.objective - plan.objective)} more than deciding now")


def risk_figures(case: str) -> list[str]:
    """The sentences for the risk-averse plan, against the plan of least expected NPV cost."""
    neutral = _plan(case)
    averse = _plan(case, risk_weight=RISK_WEIGHT, alpha=ALPHA)
    cvar = _cvar(averse, ALPHA)
    lines = [f"risk weight {RISK_WEIGHT:g} at alpha {ALPHA:.0%}: builds {_built(averse)}, expected NPV "
             f"{_usd(averse.expected)} ({_usd(averse.expected - neutral.expected)} more), CVaR {ALPHA:.0%} "
             f"{_usd(cvar)} ({_usd(_cvar(neutral, ALPHA) - cvar)} less), the dearest future {_dearest(averse)}"]
    if averse.revise_from is not None:
        assert averse.waiting is not None
        lines.append(f"with risk aversion, decided now: {_built(averse, averse.revise_from)}; value of waiting "
                     f"to {averse.revise_from} {_usd(averse.waiting)}; "
                     + _wait_cost(averse, _waited(case, RISK_WEIGHT, ALPHA)))
        early = _plan(case, risk_weight=RISK_WEIGHT, alpha=ALPHA, revise_from=EARLY)
        assert early.waiting is not None
        lines.append(f"with risk aversion, revised from {EARLY}: decided now: {_built(early, EARLY)}; value of "
                     f"waiting {_usd(early.waiting)}")
    return lines


if __name__ == "__main__":
    print("\n".join(figures(sys.argv[1])))
    try:
        print("\n".join(risk_figures(sys.argv[1])))
    finally:
        print("\n".join(f"{label}: {seconds:.1f} s" for label, seconds in SECONDS.items()), file=sys.stderr)
