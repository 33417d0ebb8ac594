"""The run store and results folders as commands use them: keep a plan (a store that fails is a warning,
never a lost plan), write a plan's tables, read a plan back by reference."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from footprint.plan.plan import Plan
    from footprint.plan.store import RunStore
    from footprint.scenario.formats.validation import Loaded
from footprint.cli.app import NOT_WRITTEN, err, fail, say, stage


def write_plan(plan: Any, target: Path) -> None:
    """The Plan's tables into a results folder, or into one workbook when ``target`` ends in .xlsx."""
    from footprint.plan.results import ResultsError
    from footprint.plan.workbook import PlanWorkbookError, write_workbook

    try:
        with stage(f"Writing {target} ..."):
            if target.suffix.lower() == ".xlsx":
                write_workbook(plan, target)
            else:
                plan.write(target)
    except (ResultsError, PlanWorkbookError) as error:
        raise fail(str(error), NOT_WRITTEN) from None


def plan_of(reference: str, store: str | None) -> Plan:
    """The Plan a reference names: a results folder (`footprint run --out DIR`), else a stored run (its id,
    latest, its name, or SWEEP/FUTURE for a future of a sweep)."""
    from footprint.plan.plan import Plan
    from footprint.plan.results import ResultsError
    from footprint.plan.store import RunStore, StoreError

    path = Path(reference)
    try:
        is_folder = path.is_dir()
    except (OSError, ValueError):  # a NUL byte, a name too long
        is_folder = False
    if is_folder:
        try:
            with stage(f"Reading {reference} ..."):
                return Plan.read(path)
        except ResultsError as error:
            raise fail(str(error)) from None
    try:
        with RunStore(store, create=False) as opened:
            found = opened.get(reference)
            if found.kind == "sweep" or not found.has_plan:
                what = "a sweep: name one of its futures as SWEEP/FUTURE" if found.kind == "sweep" else \
                    f"a {found.kind} without a plan ({found.message or found.status})"
                raise fail(f"{reference}: run {found.id} ({found.name}) is {what}")
            return opened.plan(found.id)
    except StoreError as error:
        raise fail(f"{reference}: not a results folder, nor a stored run: {error}") from None


def store_run(plan: Any, loaded: Loaded, options: Any, where: str | None, name: str | None) -> str | None:
    """Keep a solved run in the store, named ``name`` (default: the scenario's), and say where (see
    :func:`keep`)."""
    from footprint.plan.store import encode_tables, run_record, solver_settings

    return keep(where, lambda store: store.save_run(
        run_record(plan, name=name or loaded.scenario.name, data=loaded.data, settings=solver_settings(options)),
        encode_tables(plan)))


def keep(where: str | None, save: Callable[[RunStore], int | None]) -> str | None:
    """Keep a run in the store ``where`` by ``save`` (which returns its id), and say where; a store that fails
    is a warning, never a lost plan."""
    from footprint.plan.store import RunStore, StoreError

    try:
        with stage("Storing the run ..."), RunStore(where) as store:
            run_id = save(store)
    except StoreError as error:
        say(err, f"warning: the run was not stored: {error}")
        return None
    return f"stored as run {run_id} in {store.name}"


@contextmanager
def opened_store(where: str | None) -> Iterator[RunStore]:
    """The run store to read, made already; its failures are messages (exit code 1)."""
    from footprint.plan.store import RunStore, StoreError

    try:
        with RunStore(where, create=False) as store:
            yield store
    except StoreError as error:
        raise fail(str(error)) from None
