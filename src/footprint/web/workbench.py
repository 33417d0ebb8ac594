"""The workbench's scenarios: made from the template, a bundled case or an upload, edited table by table in the
browser (each cell saved and validated as it changes, its problems shown beside it), varied (a variant extends a
scenario with a few figures overridden), downloaded, and run as jobs. All kept in the run store (web/kept.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import fastapi
import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from footprint.scenario.cases.bundled import case_names, case_path
from footprint.scenario.formats.files import read_source, write_source
from footprint.scenario.formats.yamlio import dump_yaml
from footprint.web.downloads import XLSX, attachment
from footprint.web.drafts import (
    REST,
    Checked,
    Grid,
    as_content,
    check,
    check_variant,
    draft_of,
    from_content,
    template_draft,
)
from footprint.web.jobs import KINDS, JobRequest
from footprint.web.kept import KeptScenario
from footprint.web.render import page
from footprint.web.scenarios import NotFoundError, start, upload_of
from footprint.web.security import MAX_FORM_FIELDS
from footprint.web.state import state

router = APIRouter()
ScenarioId = Annotated[int, fastapi.Path(ge=1, le=2**63 - 1, description="a kept scenario's id")]
TEMPLATE = "template"
NEW_OVERRIDE_ROWS = 3
"""Empty rows a variant's page offers for new overrides."""
DEFAULT_SET = """# The futures to sweep, as a scenario set file has them; its base is this scenario.
generate:
  ranges: {distribution: pert, n: 10}   # every figure with a low and a high, sampled
seed: 1
"""
"""The scenario set a scenario's page offers to sweep."""


@router.get("/scenarios")
def scenarios_page(request: Request) -> Response:
    kept = state(request).kept
    listed = kept.scenarios()
    names = {row["id"]: row["name"] for row in listed}
    return page(request, "scenarios.html", scenarios=listed, names=names, cases=case_names(), writable=kept.writable)


@router.post("/scenarios")
def new_scenario(request: Request, name: Annotated[str, Form()] = "", start: Annotated[str, Form()] = TEMPLATE
                 ) -> Response:
    """A new scenario from the template (its tables empty) or a bundled case (its tables filled)."""
    if start == TEMPLATE:
        grids = template_draft()
    elif start in case_names():
        grids = draft_of(read_source(case_path(start)).data)
    else:
        raise NotFoundError(f"no bundled case {start!r}; the cases are {', '.join(case_names())}")
    shown = name.strip() or (start if start != TEMPLATE else "new scenario")
    if start == TEMPLATE or name.strip():
        _set_field(grids, "name", shown)
    scenario_id = state(request).kept.add_scenario(shown, "scenario", as_content(grids))
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


@router.post("/uploads/{upload_id}/keep")
def keep_upload(request: Request, upload_id: str) -> Response:
    """A validated upload kept as a scenario of the workbench, to edit and vary."""
    loaded = upload_of(request, upload_id)
    scenario_id = state(request).kept.add_scenario(loaded.scenario.name, "scenario", as_content(draft_of(loaded.data)))
    return RedirectResponse(f"/scenarios/{scenario_id}", status_code=303)


@router.get("/scenarios/{scenario_id}")
def scenario_page(request: Request, scenario_id: ScenarioId) -> Response:
    kept = _kept(request, scenario_id)
    return _editor(request, kept, _checked(request, kept))


@router.post("/scenarios/{scenario_id}")
async def save_scenario(request: Request, scenario_id: ScenarioId) -> Response:
    """Save the tables as the form sends them (every cell, named ``TABLE:ROW:COLUMN``), or a variant's
    overrides (``path:ROW``, ``value:ROW``); ``add`` names a table to add an empty row to."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    return await run_in_threadpool(_saved_page, request, scenario_id, form)  # off the event loop: store, checks


def _saved_page(request: Request, scenario_id: int, form: Any) -> Response:
    """The form's cells (or overrides) saved (read, changed and saved under the editing lock), and the page."""
    with state(request).kept.editing:
        saved = _changed(request, scenario_id, form)
    return _editor(request, saved, _checked(request, saved), saved_now=True)


def _changed(request: Request, scenario_id: int, form: Any) -> KeptScenario:
    kept = _kept(request, scenario_id)
    if kept.kind == "variant":
        overrides = [[str(form.get(f"path:{row}", "")).strip(), str(form.get(f"value:{row}", ""))]
                     for row in range(_rows_sent(form, "path"))]
        content = {"overrides": [pair for pair in overrides if pair[0]]}
    else:
        grids = from_content(kept.content)
        for key, value in form.multi_items():
            parts = key.split(":")
            if len(parts) == 3 and parts[0] in grids and parts[1].isdigit() and parts[2].isdigit():
                _set_cell(grids[parts[0]], int(parts[1]), int(parts[2]), str(value))
        added = form.get("add")
        if isinstance(added, str) and added in grids:
            grids[added].rows.append([""] * len(grids[added].header))
        content = as_content(grids)
    state(request).kept.save_scenario(scenario_id, content, _name_of(kept, content))
    return _kept(request, scenario_id)


@router.post("/scenarios/{scenario_id}/cell")
def save_cell(request: Request, scenario_id: ScenarioId, table: Annotated[str, Form()],
              row: Annotated[int, Form(ge=0)], column: Annotated[int, Form(ge=0)],
              value: Annotated[str, Form()] = "") -> JSONResponse:
    """One cell changed: saved, and the scenario validated again; its problems as JSON, each with its cell."""
    with state(request).kept.editing:
        kept = _kept(request, scenario_id)
        if kept.kind != "scenario":
            raise NotFoundError(f"scenario {scenario_id} is a variant: its overrides are saved with the form")
        grids = from_content(kept.content)
        if table not in grids or row >= len(grids[table].rows) or column >= len(grids[table].header):
            raise NotFoundError(f"scenario {scenario_id} has no cell {table}, row {row}, column {column}")
        _set_cell(grids[table], row, column, value)
        content = as_content(grids)
        state(request).kept.save_scenario(scenario_id, content, _name_of(kept, content))
    checked = check(kept.name, grids)
    return JSONResponse({"valid": checked.loaded is not None, "errors": checked.errors,
                         "problems": [problem.__dict__ for problem in checked.problems]})


@router.post("/scenarios/{scenario_id}/variant")
def new_variant(request: Request, scenario_id: ScenarioId, name: Annotated[str, Form()] = "") -> Response:
    """A variant of the scenario: it extends it, with no figure overridden yet."""
    base = _kept(request, scenario_id)
    if base.kind != "scenario":
        raise NotFoundError(f"scenario {scenario_id} is a variant; vary the scenario it extends")
    shown = name.strip() or f"{base.name} variant"
    variant_id = state(request).kept.add_scenario(shown, "variant", {"overrides": []}, extends=scenario_id)
    return RedirectResponse(f"/scenarios/{variant_id}", status_code=303)


@router.get("/scenarios/{scenario_id}/scenario.{suffix}")
def download(request: Request, scenario_id: ScenarioId, suffix: str) -> Response:
    """The scenario (a variant with its overrides applied) as YAML or as a workbook, as it is now typed."""
    kept = _kept(request, scenario_id)
    if suffix not in ("yaml", "xlsx"):
        raise NotFoundError(f"a scenario downloads as scenario.yaml or scenario.xlsx, not scenario.{suffix}")
    checked = _checked(request, kept)
    if checked.loaded is None:
        raise NotFoundError(f"scenario {scenario_id} ({kept.name}) has {checked.errors} problems; fix them to "
                            "download it")
    data = checked.loaded.data
    name = f"{kept.name}.{suffix}"
    if suffix == "yaml":
        return attachment(dump_yaml(data).encode("utf-8"), name, "application/yaml; charset=utf-8")
    with tempfile.TemporaryDirectory(prefix="footprint-download-") as folder:
        written = write_source(data, Path(folder) / "scenario.xlsx")
        return attachment(written.read_bytes(), name, XLSX)


class JobForm(BaseModel):
    """A job asked for on a scenario's page: its kind, and for a set's, the set typed as YAML or ``built`` field by
    field (its generators: each left empty is not used)."""

    kind: str = "run"
    scenario_set: str = Field("", alias="set")
    built: bool = False
    csrf_token: str = ""
    ranges_n: int | None = Field(None, ge=1)
    distribution: str = "pert"
    fx_currencies: str = ""
    fx_base_year: int | None = None
    fx_block: int = Field(2, ge=1)
    fx_n: int | None = Field(None, ge=1)
    regimes: str = ""
    combine: str = "product"
    n: int | None = Field(None, ge=1)
    seed: int | None = None

    def spec(self) -> dict[str, Any]:
        """The set as a set file has it (its base apart): read_set checks the rest, naming the field."""
        generate: dict[str, Any] = {}
        if self.ranges_n is not None:
            generate["ranges"] = {"distribution": self.distribution, "n": self.ranges_n}
        currencies = [code.strip().upper() for code in self.fx_currencies.replace(";", ",").split(",") if code.strip()]
        if currencies:
            if self.fx_base_year is None:
                raise SetError("FX history: give the base year, the last year of history its paths may use")
            generate["fx_history"] = {"currencies": currencies, "base_year": self.fx_base_year,
                                      "block": self.fx_block, **({"n": self.fx_n} if self.fx_n else {})}
        if self.regimes.strip():
            generate["regimes"] = [_regime(part) for part in self.regimes.split(",") if part.strip()]
        if not generate:
            raise SetError("the scenario set has no futures: sample its ranges, draw FX paths or give regimes")
        return {"generate": generate, "combine": self.combine,
                **({"n": self.n} if self.n else {}), **({"seed": self.seed} if self.seed is not None else {})}


def _regime(text: str) -> dict[str, Any]:
    """``REGIME: PROBABILITY`` as a set's regime."""
    regime, _, probability = text.partition(":")
    try:
        return {"regime": regime.strip(), "probability": float(probability)}
    except ValueError:
        raise SetError(f"regimes: {text.strip()!r} is not REGIME: PROBABILITY (2025-deals: 0.6, none: 0.4)") from None


@router.post("/scenarios/{scenario_id}/jobs")
def start_job(request: Request, scenario_id: ScenarioId, asked: Annotated[JobForm, Form()]) -> Response:
    """Run the scenario (a variant with its overrides), its tornado, or the sweep (or stochastic plan) of a set of
    its futures, as a job followed on its page: the set ``built`` from its fields, or typed as YAML as a set file
    has it; its base is this scenario."""
    kept = _kept(request, scenario_id)
    checked = _checked(request, kept)
    if checked.loaded is None:
        raise NotFoundError(f"scenario {scenario_id} ({kept.name}) has {checked.errors} problems; fix them to run it")
    kind = asked.kind
    if kind not in KINDS:
        raise NotFoundError(f"no job {kind!r}; a scenario's jobs are {', '.join(KINDS)}")
    data, source = checked.loaded.data, f"scenario {scenario_id} ({kept.name})"
    if kind in ("sweep", "stochastic"):
        name = f"{kept.name} futures" if kind == "sweep" else f"{kept.name} stochastic"
        spec = asked.spec() if asked.built else _set_of(asked.scenario_set)
        return start(request, JobRequest(kind, name, data, source, spec))
    name = kept.name if kind == "run" else f"sensitivity of {kept.name}"
    return start(request, JobRequest(kind, name, data, source))


def _set_of(text: str) -> dict[str, Any]:
    """A scenario set's futures as typed (YAML): a mapping, checked by the job as a set file is."""
    try:
        given = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as error:
        raise SetError(f"the scenario set is not valid YAML: {error}") from None
    if not isinstance(given, dict):
        raise SetError("the scenario set is empty or not a mapping; give its futures, generate, combine, n or seed "
                       "as a set file has them")
    return {key: value for key, value in given.items() if key not in ("kind", "base")}


class SetError(ValueError):
    """A scenario set typed in a form that is no mapping of a set's fields."""


def _checked(request: Request, kept: KeptScenario) -> Checked:
    if kept.kind == "variant":
        base = _kept(request, kept.extends or 0)
        return check_variant(kept.name, from_content(base.content),
                             [(path, value) for path, value in kept.content["overrides"]])
    return check(kept.name, from_content(kept.content))


def _editor(request: Request, kept: KeptScenario, checked: Checked, saved_now: bool = False) -> Response:
    """The scenario's page: its tables to edit (a variant: its overrides), each problem beside its cell."""
    by_cell: dict[tuple[str, int, str], list[Any]] = {}
    loose = []
    for problem in checked.problems:
        if problem.table and (kept.kind == "scenario" or problem.table == "overrides"):
            by_cell.setdefault((problem.table, problem.row, problem.column), []).append(problem)
        else:
            loose.append(problem)
    troubled = {problem.table for problem in checked.problems if problem.table}
    context: dict[str, Any] = {"default_set": DEFAULT_SET, "kept": kept, "checked": checked, "by_cell": by_cell,
                               "loose": loose, "troubled": troubled, "saved_now": saved_now,
                               "writable": state(request).kept.writable}
    if kept.kind == "variant":
        base = _kept(request, kept.extends or 0)
        overrides = [*kept.content["overrides"], *([["", ""]] * NEW_OVERRIDE_ROWS)]
        return page(request, "variant.html", base=base, overrides=overrides, **context)
    grids = from_content(kept.content)
    shown = {name: grid for name, grid in grids.items() if grid.rows or name == REST or name in troubled}
    empty = [name for name, grid in grids.items() if name not in shown]
    return page(request, "scenario.html", grids=shown, empty=empty, **context)


def _kept(request: Request, scenario_id: int) -> KeptScenario:
    kept = state(request).kept.scenario(scenario_id)
    if kept is None:
        raise NotFoundError(f"no scenario {scenario_id} in the workbench; its scenarios are listed at /scenarios")
    return kept


def _rows_sent(form: Any, prefix: str) -> int:
    numbers = [int(key.split(":")[1]) for key in form if key.startswith(f"{prefix}:") and key.split(":")[1].isdigit()]
    return max(numbers, default=-1) + 1


def _set_cell(grid: Grid, row: int, column: int, value: str) -> None:
    if row < len(grid.rows) and column < len(grid.header):
        cells = grid.rows[row]
        cells.extend([""] * (len(grid.header) - len(cells)))
        cells[column] = value


def _set_field(grids: dict[str, Grid], name: str, value: str) -> None:
    rest = grids[REST].rows
    for row in rest:
        if row[0] == name:
            row[1] = value
            return
    rest.insert(0, [name, value])


def _name_of(kept: KeptScenario, content: dict[str, Any]) -> str:
    """The scenario's name: its ``name`` field as typed (a variant keeps its own)."""
    if kept.kind == "variant":
        return kept.name
    for row in content["tables"][REST]["rows"]:
        if row and row[0] == "name" and len(row) > 1 and row[1].strip():
            return str(row[1]).strip()
    return kept.name


__all__ = ["DEFAULT_SET", "SetError", "router"]
