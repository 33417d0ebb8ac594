"""Pages of an uploaded scenario: the upload form, validation's problems and warnings in place, and its run or
the sweep of its ranged inputs started in the background, with a page that follows the job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from footprint.analysis.sensitivity import SensitivityError, inputs
from footprint.scenario.checks import Problem
from footprint.scenario.sources import ScenarioError
from footprint.scenario.validation import Loaded
from footprint.web.jobs import Job, run_work, sweep_work
from footprint.web.render import page
from footprint.web.state import state
from footprint.web.uploads import read_upload

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
    try:
        loaded = read_upload(file.filename, file.file, app.settings.limits)
    except ScenarioError as error:
        return page(request, "upload.html", 422, source=error.source, problems=error.problems)
    return RedirectResponse(f"/uploads/{app.uploads.keep(loaded)}", status_code=303)


@router.get("/uploads/{upload_id}")
def uploaded(request: Request, upload_id: str) -> Response:
    """A valid upload: what it holds, its warnings, and how to solve it."""
    loaded = _upload(request, upload_id)
    try:
        ranged, why_not = len(inputs(loaded.data)), ""
    except SensitivityError as error:
        ranged, why_not = 0, str(error)
    return page(request, "uploaded.html", upload_id=upload_id, loaded=loaded, scenario=loaded.scenario,
                warnings=loaded.warnings, ranged=ranged, why_not=why_not)


@router.post("/uploads/{upload_id}/run")
def start_run(request: Request, upload_id: str) -> Response:
    app = state(request)
    loaded = _upload(request, upload_id)
    return _following(app.jobs.submit("run", loaded.scenario.name, run_work(loaded, app.store)))


@router.post("/uploads/{upload_id}/sweep")
def start_sweep(request: Request, upload_id: str) -> Response:
    app = state(request)
    loaded = _upload(request, upload_id)
    return _following(app.jobs.submit("sweep", f"sensitivity of {loaded.source}",
                                      sweep_work(loaded, app.store, app.settings.workers)))


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str) -> Response:
    return page(request, "job.html", job=_job(request, job_id).snapshot())


@router.get("/jobs/{job_id}/status")
def job_status(request: Request, job_id: str) -> JSONResponse:
    """The job's stage and progress, for its page to poll."""
    return JSONResponse(_job(request, job_id).snapshot())


def _following(job: Job) -> RedirectResponse:
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


class NotFoundError(LookupError):
    """An upload or job the app does not hold (a wrong id, or forgotten since)."""


def _upload(request: Request, upload_id: str) -> Loaded:
    loaded = state(request).uploads.get(upload_id)
    if loaded is None:
        raise NotFoundError(f"no upload {upload_id!r} here (the app keeps the newest uploads while it runs); "
                            "upload the scenario again")
    return loaded


def _job(request: Request, job_id: str) -> Job:
    job = state(request).jobs.get(job_id)
    if job is None:
        raise NotFoundError(f"no job {job_id!r} here (jobs are kept while the app runs); its runs are in the store")
    return job


__all__ = ["NotFoundError", "router"]
