"""Helpers of the web app's tests: scenarios as upload bytes, an app over a fresh store, a live server."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from footprint.scenario.formats.files import write_source
from footprint.web.app import create_app
from footprint.web.state import Settings
from footprint.web.uploads import Limits


def yaml_bytes(data: Any) -> bytes:
    return yaml.safe_dump(data, sort_keys=False).encode("utf-8")


def workbook_bytes(data: dict[str, Any], folder: Path) -> bytes:
    return write_source(data, folder / "scenario.xlsx").read_bytes()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def csv_zip_bytes(data: dict[str, Any], folder: Path) -> bytes:
    """The scenario as a CSV folder, zipped inside a folder of its own (as a file manager zips one)."""
    written = write_source(data, folder / "net")
    return zip_bytes({f"net/{path.name}": path.read_bytes() for path in sorted(written.iterdir())})


BASE = "http://127.0.0.1"
"""Where TestClient sends its requests: a host the app serves (TestClient's own, testserver, is not one)."""
FORM_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def web_app(store: Path, *, token: str | None = None, limits: Limits | None = None, **settings: Any) -> FastAPI:
    return create_app(Settings(str(store), token, limits or Limits(), workers=1, **settings))


def app_client(app: FastAPI, **given: Any) -> TestClient:
    """A TestClient of ``app`` that asks it by a name it serves."""
    return TestClient(app, base_url=BASE, **given)


def form_token(client: Any, page: str = "/upload") -> str:
    """The form token of the client's session, as the app's forms carry it (its session starts on a first
    page)."""
    found = FORM_TOKEN.search(client.get(page).text)
    assert found is not None, f"{page} has no form token"
    return found[1]


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1 in a thread: its address while the block runs."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError("the app's server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        listening.close()
