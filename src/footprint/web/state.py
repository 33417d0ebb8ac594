"""What the app keeps while it serves: its settings, the run store, the jobs and the uploads validated."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.requests import Request

from footprint.plan.store import RunStore
from footprint.scenario.formats.validation import Loaded
from footprint.web.jobs import Jobs
from footprint.web.kept import Kept
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
    host: str = "127.0.0.1"
    """The address the app is bound to: it answers to that name, localhost's, and ``allowed_hosts``."""
    allowed_hosts: tuple[str, ...] = ()
    """More host names the app answers to (`serve --allow-host`): the names a proxy or a DNS name gives it."""
    jobs_at_once: int = 2
    """Jobs that run at the same time, each in a process of its own (more wait in turn)."""


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
    kept: Kept
    """The workbench's scenarios and jobs, in the run store's database."""
    jobs: Jobs
    uploads: Uploads = field(default_factory=Uploads)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    """What the sessions' form tokens are made with (new each time the app starts)."""

    def shown(self, message: str) -> str:
        """``message`` as a page shows it: the store named by its file's name, not by its path."""
        return message.replace(self.store.name, self.store.label) if self.store.name else message


def state(request: Request) -> AppState:
    return request.app.state.footprint  # type: ignore[no-any-return]


__all__ = ["AppState", "Settings", "Uploads", "state"]
