"""Pages of an uploaded scenario: the upload form, validation's problems and warnings in place, and its run or
the sweep of its ranged inputs started in the background, with a page that follows the job."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from footprint.analysis.sensitivity import SensitivityError, inputs
from footprint.plan.store import RunStore, StoreError
from footprint.scenario.formats.sources import ScenarioError
from footprint.scenario.formats.validation import Loaded
from footprint.scenario.model.checks import Problem
from footprint.web.bounded import BudgetError, bounded
from footprint.web.jobs import Job, JobRequest, Work, work_for
from footprint.web.render import page
from footprint.web.state import state
from footprint.web.uploads import shown_name, validate_upload

router = APIRouter()


@router.get("/upload")
def upload_form(request: Request) -> Response:
    return page(request, "upload.html", problems=[], source="")


@router.post("/upload")
def upload(request: Request, file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Validate the uploaded scenario: its problems in place (422), or its page to run it from."""
    if file is None:
        return page(request, "upload.html", 400, source="upload", problems=[
            Problem((), "no file was sent; choose a YAML file, an Excel workbook or a zip of a CSV folder")])
    app = state(request)
    limits, shown = app.settings.limits, shown_name(file.filename)
    raw = file.file.read(limits.max_upload + 1)  # the Guard bounds the body: read_upload says what is too large
    try:
        loaded = bounded(validate_upload, (file.filename, raw, limits), limits.upload_budget(),
                         f"the validation of {shown}", stop=app.jobs.stopping)
    except ScenarioError as error:
        return page(request, "upload.html", 422, source=error.source, problems=error.problems)
    except BudgetError as error:
        return page(request, "upload.html", 422, source=shown, problems=[Problem((), str(error), where=shown)])
    return RedirectResponse(f"/uploads/{app.uploads.keep(loaded)}", status_code=303)


@router.get("/uploads/{upload_id}")
def uploaded(request: Request, upload_id: str) -> Response:
    """A valid upload: what it holds, its warnings, and how to solve it."""
    loaded = upload_of(request, upload_id)
    try:
        ranged, why_not = len(inputs(loaded.data)), ""
    except SensitivityError as error:
        ranged, why_not = 0, str(error)
    return page(request, "uploaded.html", upload_id=upload_id, loaded=loaded, scenario=loaded.scenario,
                warnings=loaded.warnings, ranged=ranged, why_not=why_not)


@router.post("/uploads/{upload_id}/run")
def start_run(request: Request, upload_id: str) -> Response:
    loaded = upload_of(request, upload_id)
    return start(request, JobRequest("run", loaded.scenario.name, loaded.data, loaded.source))


@router.post("/uploads/{upload_id}/sweep")
def start_sweep(request: Request, upload_id: str) -> Response:
    loaded = upload_of(request, upload_id)
    return start(request, JobRequest("sensitivity", f"sensitivity of {loaded.source}", loaded.data, loaded.source))


def start(request: Request, asked: JobRequest) -> Response:
    """Start the job ``asked`` and follow it on its page; on a store this user may only read, the job fails at once
    saying so."""
    app = state(request)
    work = work_for(asked, app.settings.store, app.settings.workers, app.settings.limits.job_budget(),
                    app.jobs.stopping)
    return RedirectResponse(f"/jobs/{app.jobs.submit(asked, _writing(app.store, work)).id}", status_code=303)


def _writing(store: RunStore, work: Work) -> Work:
    """``work``, refused at once on a store this user may not write."""

    def checked(job: Job) -> int:
        if not store.writable:
            raise StoreError(f"{store.name}: this user may not write the run store (the app serves it for "
                             "reading); serve a store you may write to run scenarios")
        return work(job)

    return checked


@router.get("/jobs")
def jobs_page(request: Request) -> Response:
    """The newest jobs, this app's and earlier apps' (kept in the run store), with their state."""
    return page(request, "jobs.html", jobs=state(request).jobs.listed())


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> Response:
    return page(request, "job.html", job=_shown(request, job_id))


@router.get("/jobs/{job_id}/status")
def job_status(request: Request, job_id: str) -> JSONResponse:
    """The job's stage and progress, for its page to poll."""
    return JSONResponse(_shown(request, job_id))


@router.post("/jobs/{job_id}/again")
def job_again(request: Request, job_id: str) -> Response:
    """The job done again as it was asked for (one that a restart interrupted, or that failed)."""
    asked = state(request).jobs.request(job_id)
    if asked is None:
        raise NotFoundError(f"no job {job_id!r} in the run store; the jobs are listed at /jobs")
    return start(request, asked)


def _shown(request: Request, job_id: str) -> dict[str, Any]:
    """A job's state as pages show it (the store named by its file's name)."""
    snapshot = state(request).jobs.get(job_id)
    if snapshot is None:
        raise NotFoundError(f"no job {job_id!r} in the run store; the jobs are listed at /jobs")
    return {**snapshot, "message": state(request).shown(snapshot["message"])}


class NotFoundError(LookupError):
    """An upload or job the app does not hold (a wrong id, or forgotten since)."""


def upload_of(request: Request, upload_id: str) -> Loaded:
    loaded = state(request).uploads.get(upload_id)
    if loaded is None:
        raise NotFoundError(f"no upload {upload_id!r} here (the app keeps the newest uploads while it runs); "
                            "upload the scenario again")
    return loaded


__all__ = ["NotFoundError", "router", "start", "upload_of"]
