"""Reading what a command is given: a scenario (a path or a bundled case) with every check run, a set's
warnings, the solver's options."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from footprint.cli.app import err, fail, say, stage

if TYPE_CHECKING:
    from footprint.scenario.formats.validation import Loaded
    from footprint.scenario.model.scenario import Scenario


@contextmanager
def set_warnings(strict: bool) -> Iterator[None]:
    """What expanding a set warns of (futures that set the same values) on stderr as it comes, in footprint's
    words, or as an error with ``strict``; any other warning as Python shows it."""
    from footprint.economics.futures import SameFuturesWarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, SameFuturesWarning):
            say(err, f"warning: {message}")
        else:
            shown(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        shown = warnings.showwarning
        warnings.simplefilter("error" if strict else "always", SameFuturesWarning)
        warnings.showwarning = show
        try:
            yield
        except SameFuturesWarning as error:
            raise fail(f"{error} (an error with --strict)") from None


def resolve(scenario: str) -> Path:
    """A scenario path, or the file of a bundled case by name (or of a bundled set, which loading refuses)."""
    from footprint.scenario.cases.bundled import case_path, set_path

    try:
        exists = Path(scenario).exists()
    except (OSError, ValueError):  # a NUL byte, a name too long
        exists = False
    bundled = None if exists else case_path(scenario) or set_path(scenario)
    return bundled if bundled is not None else Path(scenario)


@contextmanager
def warnings_said() -> Iterator[None]:
    """The ScenarioWarnings the API issues for a file it reads, said on stderr as every command says its warnings
    (not in Python's warning format); other warnings as Python shows them."""
    import warnings

    from footprint.api import ScenarioWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", ScenarioWarning)
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
                 line: str | None = None) -> None:
            if issubclass(category, ScenarioWarning):
                say(err, str(message))
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def load(scenario: str, strict: bool, *, quiet: bool = False) -> Loaded:
    """The scenario of a path or bundled case with every check run; exits with the report of every problem
    if it is not valid. Warnings go to stderr (unless ``quiet``)."""
    from footprint.economics.checks import CHECKS
    from footprint.scenario.formats.files import read_scenario
    from footprint.scenario.formats.sources import ScenarioError

    path = resolve(scenario)
    try:
        with stage(f"Loading {path} ..."):
            loaded = read_scenario(path, CHECKS, strict=strict)
    except ScenarioError as error:
        raise fail(error.report()) from None
    if not quiet:
        say_warnings(loaded.warnings)
    return loaded


def say_warnings(warnings: Iterable[object]) -> None:
    """Warnings (probable mistakes) on stderr, one a line."""
    for warning in warnings:
        say(err, str(warning))


def solver_options_for(scenario: Scenario, **overrides: Any) -> Any:
    from footprint.optimize.solve import solver_options

    return solver_options(scenario, **overrides)
