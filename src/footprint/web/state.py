"""What the app keeps while it serves: its settings, the run store, the jobs and the uploads validated."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.requests import Request

from footprint.plan.store import RunStore
from footprint.scenario.validation import Loaded
from footprint.web.jobs import Jobs
from footprint.web.uploads import Limits

MAX_UPLOADS = 50
"""Validated uploads kept for running; the oldest is forgotten first."""


@dataclass(frozen=True)
class Settings:
    store: str | None = None
    """The run store (as `--store` takes it; None: $FOOTPRINT_STORE, else footprint.sqlite here)."""
    token: str | None = None
    limits: Limits = field(default_factory=Limits)
    workers: int | None = None
    """Worker processes of a sweep's local Dask cluster (None: one per core)."""


class Uploads:
    """Validated uploads by id, the newest MAX_UPLOADS."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, loaded: Loaded) -> str:
        upload_id = secrets.token_hex(8)
        with self._lock:
            self._kept[upload_id] = loaded
            while len(self._kept) > MAX_UPLOADS:
                self._kept.popitem(last=False)
        return upload_id

    def get(self, upload_id: str) -> Loaded | None:
        with self._lock:
            return self._kept.get(upload_id)


@dataclass
class AppState:
    settings: Settings
    store: RunStore
    jobs: Jobs = field(default_factory=Jobs)
    uploads: Uploads = field(default_factory=Uploads)


def state(request: Request) -> AppState:
    return request.app.state.footprint  # type: ignore[no-any-return]


__all__ = ["AppState", "Settings", "Uploads", "state"]
