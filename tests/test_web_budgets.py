"""App work within a budget: an upload's validation and each job run in a process of their own, stopped (with
every process they started) when their time is up or when they need more memory than the app gives them, with a
message; the app serves on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bounded_work import counts_to, needs_memory, never_ends, raises
from conftest import small_network_data
from footprint.web.bounded import MIB, Budget, BudgetError, bounded
from footprint.web.jobs import FAILED, Job, JobRequest, do, work_for
from footprint.web.uploads import Limits
from web_helpers import app_client, form_token, web_app, yaml_bytes

GENEROUS = Budget(600.0, 4096 * MIB, "--job-seconds")
HANG = 300
"""Seconds after which an ended process that is still there counts as left behind (a guard, not a speed limit)."""


def test_work_gives_back_its_result_and_its_progress() -> None:
    seen: list[int] = []
    assert bounded(counts_to, (5,), GENEROUS, "counting", on_progress=seen.append) == 5
    assert seen == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="as it was raised"):
        bounded(raises, ("as it was raised",), GENEROUS, "raising")


def _ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def test_work_past_its_time_is_stopped_with_every_process_it_started(tmp_path: Path) -> None:
    started = tmp_path / "child.pid"
    bounded(counts_to, (1,), GENEROUS, "warming up")  # the fork server started: the work below starts at once
    budget = Budget(5.0, 4096 * MIB, "--job-seconds")
    with pytest.raises(BudgetError) as stopped:
        bounded(never_ends, (started,), budget, "the endless work")
    assert str(stopped.value) == ("the endless work was stopped after 5 s, the most the app gives it (footprint "
                                  "serve --job-seconds SECONDS allows more)")
    assert started.is_file(), "the work did not start its process within its 5 s"
    child = int(started.read_text())
    for _ in range(HANG * 10):
        if _ended(child):
            break
        time.sleep(0.1)
    assert _ended(child), "the process the work started was left running"


def test_work_that_needs_more_memory_than_it_may_have_is_stopped() -> None:
    budget = Budget(600.0, 512 * MIB, "--job-seconds")
    with pytest.raises(BudgetError, match=r"^the greedy work needed more memory than the 512 MiB the app gives it "
                                          r"\(footprint serve --memory MB allows more\)$"):
        bounded(needs_memory, (64,), budget, "the greedy work")
    assert bounded(needs_memory, (0,), budget, "the modest work") == 0  # the app's next work runs as before


def test_a_job_past_its_memory_is_failed_with_the_message(tmp_path: Path) -> None:
    """A run whose process may allocate less than it needs (a tenth of what Python alone takes): the job fails
    saying so, as any job that fails does."""
    job = Job("j", "run", "net")
    asked = JobRequest("run", "net", small_network_data(), "net.yaml")
    do(job, work_for(asked, str(tmp_path / "runs.sqlite"), 1, Budget(600.0, 16 * MIB, "--job-seconds")))
    assert job.status == FAILED
    assert "more memory than the 16 MiB the app gives it (footprint serve --memory MB allows more)" in job.message


def test_an_upload_past_its_memory_is_refused_in_place_and_the_app_serves_on(tmp_path: Path) -> None:
    limits = Limits(memory=16 * MIB)
    with app_client(web_app(tmp_path / "web.sqlite", limits=limits)) as client:
        answer = client.post("/upload", files={"file": ("net.yaml", yaml_bytes(small_network_data()))},
                             data={"csrf_token": form_token(client)})
        assert answer.status_code == 422
        assert "the validation of net.yaml" in answer.text
        assert "more memory than the 16 MiB the app gives it" in answer.text
        assert 'id="problems"' in answer.text
        assert client.get("/runs").status_code == 200
    with app_client(web_app(tmp_path / "web.sqlite")) as client:  # with the default budget it is valid
        answer = client.post("/upload", files={"file": ("net.yaml", yaml_bytes(small_network_data()))},
                             data={"csrf_token": form_token(client)}, follow_redirects=False)
        assert answer.status_code == 303
