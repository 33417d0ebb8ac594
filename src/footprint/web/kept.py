"""What the workbench keeps in the run store beside its runs, so that a restart of the app loses none of it: the
scenarios made or edited in the browser (a scenario's tables as typed, valid or not; a variant as the scenario it
extends and its overrides) and the jobs (what each was asked to do, how far it got, the run it stored).

Its tables (``footprint_web_scenarios``, ``footprint_web_jobs``) live in the store's database, made on first use
by an app that may write it; the runs' tables are the run store's (plan/store.py) and are not touched here."""

from __future__ import annotations

import json
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, Text, inspect, select, update

from footprint.plan.store import RunStore
from footprint.plan.store_schema import StoreError, failing_as

metadata = MetaData()
scenarios = Table(
    "footprint_web_scenarios", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False, comment="scenario, or variant (of the scenario 'extends' names)"),
    Column("extends", Integer, comment="a variant's base scenario"),
    Column("content", Text, nullable=False, comment="JSON: a scenario's tables, or a variant's overrides"),
    Column("created", DateTime, nullable=False, comment="UTC"),
    Column("updated", DateTime, nullable=False, comment="UTC"),
    sqlite_autoincrement=True,
)
jobs = Table(
    "footprint_web_jobs", metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("request", Text, nullable=False, comment="JSON: what to do again, should it be run again"),
    Column("status", String(16), nullable=False),
    Column("stage", Text, nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("run", Integer),
    Column("seconds", Integer, nullable=False),
    Column("created", DateTime, nullable=False, comment="UTC"),
)


@dataclass(frozen=True)
class KeptScenario:
    id: int
    name: str
    kind: str
    extends: int | None
    content: dict[str, Any]
    created: datetime
    updated: datetime


class Kept:
    """The workbench's tables in the database of the run store ``store`` (through its connections)."""

    def __init__(self, store: RunStore) -> None:
        self.name, self.writable = store.name, store.writable
        self.editing = threading.Lock()
        """Held while a scenario is read, changed and saved: two cells saved at once both stay."""
        self._engine: Engine = store.engine
        if self.writable:
            with self._doing("make the workbench's tables"), self._engine.begin() as connection:
                metadata.create_all(connection)
        with self._doing("look for the workbench's tables"), self._engine.connect() as connection:
            self.present = set(metadata.tables) <= set(inspect(connection).get_table_names())
        """Whether the store holds the workbench's tables (one only read, never served for writing, may not):
        without them it holds no scenario and no job, and the app keeps its jobs in memory."""

    def _doing(self, what: str) -> AbstractContextManager[None]:
        return failing_as(self.name, what)

    def _check_writable(self, what: str) -> None:
        if not self.writable:
            raise StoreError(f"{self.name}: cannot {what}: this user may not write the run store (the app serves it "
                             "for reading); serve a store you may write")

    # --- scenarios ------------------------------------------------------------------------------------------

    def add_scenario(self, name: str, kind: str, content: dict[str, Any], extends: int | None = None) -> int:
        self._check_writable(f"keep the scenario {name!r}")
        now = _now()
        with self._doing(f"keep the scenario {name!r}"), self._engine.begin() as connection:
            inserted = connection.execute(scenarios.insert().values(
                name=name, kind=kind, extends=extends, content=json.dumps(content), created=now, updated=now))
            return int(inserted.inserted_primary_key[0])

    def save_scenario(self, scenario_id: int, content: dict[str, Any], name: str | None = None) -> None:
        self._check_writable(f"save scenario {scenario_id}")
        values: dict[str, Any] = {"content": json.dumps(content), "updated": _now()}
        if name is not None:
            values["name"] = name
        with self._doing(f"save scenario {scenario_id}"), self._engine.begin() as connection:
            connection.execute(update(scenarios).where(scenarios.c.id == scenario_id).values(**values))

    def scenario(self, scenario_id: int) -> KeptScenario | None:
        if not self.present:
            return None
        with self._doing(f"read scenario {scenario_id}"), self._engine.connect() as connection:
            row = connection.execute(select(scenarios).where(scenarios.c.id == scenario_id)).first()
        return None if row is None else KeptScenario(row.id, row.name, row.kind, row.extends, json.loads(row.content),
                                                     row.created, row.updated)

    def scenarios(self) -> list[dict[str, Any]]:
        """Every kept scenario, newest change first: id, name, kind, extends, updated."""
        if not self.present:
            return []
        query = select(scenarios.c.id, scenarios.c.name, scenarios.c.kind, scenarios.c.extends,
                       scenarios.c.updated).order_by(scenarios.c.updated.desc(), scenarios.c.id.desc())
        with self._doing("list the scenarios"), self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    # --- jobs -----------------------------------------------------------------------------------------------

    def add_job(self, row: dict[str, Any]) -> None:
        """Keep a job asked for (a store this user may not write keeps none: the app holds it while it runs)."""
        if not self.writable:
            return
        with self._doing(f"keep the job {row['name']!r}"), self._engine.begin() as connection:
            connection.execute(jobs.insert().values(**row, created=_now()))

    def update_job(self, job_id: str, **changes: Any) -> None:
        if not self.writable:
            return
        with self._doing(f"record job {job_id}"), self._engine.begin() as connection:
            connection.execute(update(jobs).where(jobs.c.id == job_id).values(**changes))

    def job(self, job_id: str) -> dict[str, Any] | None:
        if not self.present:
            return None
        with self._doing(f"read job {job_id}"), self._engine.connect() as connection:
            row = connection.execute(select(jobs).where(jobs.c.id == job_id)).first()
        return None if row is None else dict(row._mapping)

    def jobs(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest ``limit`` jobs, newest first."""
        if not self.present:
            return []
        query = select(jobs).order_by(jobs.c.created.desc()).limit(limit)
        with self._doing("list the jobs"), self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def interrupt_unfinished(self, message: str) -> int:
        """Mark every job left queued or running (by an app that stopped) as interrupted; how many."""
        if not self.writable:
            return 0
        with self._doing("mark the jobs a restart interrupted"), self._engine.begin() as connection:
            changed = connection.execute(update(jobs).where(jobs.c.status.in_(("queued", "running")))
                                         .values(status="interrupted", stage="interrupted", message=message))
            return int(changed.rowcount or 0)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


__all__ = ["Kept", "KeptScenario", "jobs", "metadata", "scenarios"]
