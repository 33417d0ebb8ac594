"""The web app against other sites: host names (DNS rebinding), Origin and Sec-Fetch-Site on every request that
changes something, form tokens, the token login's redirect, what pages say of the store, and ids past what a
store holds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import invoke, small_network_data
from footprint.plan.store import RunStore
from web_helpers import BASE, app_client, form_token, web_app, yaml_bytes


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "web.sqlite"


@pytest.fixture
def client(store_path: Path) -> Iterator[TestClient]:
    with app_client(web_app(store_path)) as opened:
        yield opened


def post_upload(client: TestClient, headers: dict[str, str] | None = None, token: str | None = None) -> Any:
    token = form_token(client) if token is None else token
    return client.post("/upload", files={"file": ("net.yaml", yaml_bytes(small_network_data()))},
                       data={"csrf_token": token}, headers=headers or {}, follow_redirects=False)


@pytest.mark.parametrize(("host", "served"), [
    ("127.0.0.1", True), ("127.0.0.1:8000", True), ("localhost:8000", True), ("LOCALHOST", True),
    ("[::1]:8000", True), ("evil.example", False), ("evil.example:8000", False), ("127.0.0.1.evil.example", False),
    ("localhost.evil.example:8000", False), ("evil@127.0.0.1", False), ("127.0.0.1:8000/x", False),
    ("[::1", False), ("127.0.0.1:99999", False), ("", False), ("a b", False), ("192.168.1.5", False),
])
def test_only_the_hosts_it_serves_are_answered(client: TestClient, host: str, served: bool) -> None:
    """A page of another site whose name is rebound to 127.0.0.1 sends its own name as Host: refused, before it
    can read a plan or start a job."""
    for path in ("/runs", "/runs/1", "/upload", "/jobs/x/status"):
        answer = client.get(path, headers={"host": host})
        if served:
            assert answer.status_code != 400, (host, path)
        else:
            assert answer.status_code == 400, (host, path, answer.status_code)
            assert "does not serve the host" in answer.text
    if not served:
        assert client.post("/upload", headers={"host": host}, data={"x": "1"}).status_code == 400


def test_the_hosts_served_follow_the_bound_address_and_allow_host(store_path: Path) -> None:
    served = web_app(store_path, token="t0ken", host="0.0.0.0", allowed_hosts=("plans.example.com",))
    with TestClient(served, base_url="http://plans.example.com") as client:
        headers = {"X-Footprint-Token": "t0ken"}
        assert client.get("/runs", headers=headers).status_code == 200
        assert client.get("/runs", headers={**headers, "host": "192.168.1.5:8000"}).status_code == 200
        assert client.get("/runs", headers={**headers, "host": "[fe80::1]:8000"}).status_code == 200
        assert client.get("/runs", headers={**headers, "host": "evil.example"}).status_code == 400
    with TestClient(web_app(store_path, host="my-laptop"), base_url="http://my-laptop:8000") as client:
        assert client.get("/runs").status_code == 200
        assert client.get("/runs", headers={"host": "other-name"}).status_code == 400


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": "http://127.0.0.1:9999"},
    {"Origin": "https://127.0.0.1:8443"}, {"Origin": "http://127.0.0.1@evil.example"},
    {"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
])
def test_a_post_from_another_origin_is_refused(client: TestClient, store_path: Path, headers: dict[str, str]) -> None:
    token = form_token(client)
    refused = post_upload(client, headers, token)
    assert refused.status_code == 403, refused.text
    assert "only the app's own pages may change what it holds" in refused.text
    upload = post_upload(client, {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}, token)
    assert upload.status_code == 303  # the same form from the app's own page
    run = client.post(f"{upload.headers['location']}/run", data={"csrf_token": token}, headers=headers,
                      follow_redirects=False)
    assert run.status_code == 403
    with RunStore(store_path) as store:
        assert store.runs().empty


def test_every_form_carries_its_sessions_token_and_a_post_without_it_is_refused(store_path: Path) -> None:
    with app_client(web_app(store_path)) as client, app_client(web_app(store_path)) as other:
        page = client.get("/upload")
        cookie = page.headers["set-cookie"]
        assert "footprint_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        token = form_token(client)
        assert form_token(client) == token  # one token for the session
        for given in ("", "0" * 64, form_token(other)):
            answer = post_upload(client, token=given)
            assert answer.status_code == 403, given
            assert "form token is missing or wrong" in answer.text
        answer = client.post("/upload", files={"file": ("net.yaml", b"name: x\n")}, follow_redirects=False)
        assert answer.status_code == 403
        upload = post_upload(client, token=token)
        assert upload.status_code == 303
        assert client.post(f"{upload.headers['location']}/run", follow_redirects=False).status_code == 403
        assert client.post(f"{upload.headers['location']}/sweep", data={"csrf_token": "x"}).status_code == 403
        assert client.post(f"{upload.headers['location']}/keep", follow_redirects=False).status_code == 403
        assert client.post("/scenarios", data={"start": "template"}, follow_redirects=False).status_code == 403
        page = client.get(upload.headers["location"]).text
        assert len(re.findall(rf'name="csrf_token" value="{token}"', page)) == 2  # keep it, run it (no ranges)


def test_with_a_token_the_header_needs_no_form_token_and_the_cookie_does(store_path: Path) -> None:
    """The app's token in a header cannot come from another site's page; the login cookie can, so it needs the
    form token as any session does."""
    with app_client(web_app(store_path, token="s3cret-token")) as client:
        header = {"X-Footprint-Token": "s3cret-token"}
        answer = client.post("/upload", files={"file": ("net.yaml", yaml_bytes(small_network_data()))},
                             headers=header, follow_redirects=False)
        assert answer.status_code == 303
        assert client.get("/runs?token=s3cret-token").status_code == 200  # the login cookie from now on
        assert post_upload(client, token="").status_code == 403
        assert post_upload(client, token=form_token(client)).status_code == 303


@pytest.mark.parametrize(("path", "location"), [
    ("/%2F%2Fevil.example", "/evil.example"), ("/%2F%2Fevil.example/", "/evil.example/"),
    ("/%2Fevil.example?x=1", "/evil.example?x=1"), ("/%5C%5Cevil.example", None), ("/%5C/evil.example", None),
    ("/%09/evil.example", None), ("/runs", "/runs"),
])
def test_the_token_login_goes_only_to_a_page_of_this_site(store_path: Path, path: str, location: str | None) -> None:
    with app_client(web_app(store_path, token="s3cret-token")) as client:
        joiner = "&" if "?" in path else "?"
        login = client.get(f"{path}{joiner}token=s3cret-token", follow_redirects=False)
        assert login.status_code == 303
        assert location is None or login.headers["location"] == location
        assert not login.headers["location"].startswith(("//", "/\\")), login.headers["location"]
        assert httpx.URL(BASE).join(login.headers["location"]).host == "127.0.0.1"


def test_pages_name_the_store_by_its_files_name_not_its_path(client: TestClient, store_path: Path) -> None:
    folder = str(store_path.parent)
    for path in ("/runs", "/runs/7", "/runs/7/report", "/compare?a=1&b=2", "/runs/7/plan.xlsx"):
        page = client.get(path)
        assert folder not in page.text, path
    assert "Store: web.sqlite" in client.get("/runs").text
    assert "web.sqlite: no run &#39;7&#39;" in client.get("/runs/7").text


BIG = [str(2**63), str(2**64), "9" * 40]


@pytest.mark.parametrize("number", BIG)
def test_ids_past_what_a_store_holds_are_a_message(client: TestClient, store_path: Path, number: str) -> None:
    for path in (f"/runs/{number}", f"/runs/{number}/report", f"/runs/{number}/plan.xlsx",
                 f"/runs/{number}/tables/flows.csv"):
        answer = client.get(path)
        assert answer.status_code == 400, (path, answer.status_code)
        assert "a bad request: path.run_id: Input should be less than or equal to 9223372036854775807" in answer.text
    for path in (f"/compare?a={number}&b=1", f"/compare/report?a={number}&b={number}"):
        answer = client.get(path)
        assert answer.status_code == 404, (path, answer.status_code)
        assert f"no run &#39;{number}&#39;" in answer.text
    assert client.get(f"/runs?page={number}").status_code == 400
    for text in ("²", "١٢", "-1", "0"):
        assert client.get(f"/compare?a={text}&b=1").status_code == 404, text
        assert client.get(f"/runs/{text}").status_code == 400, text
    shown = invoke("show", number, "--store", str(store_path))
    assert shown.exit_code == 1
    assert f"no run '{number}'" in shown.stderr
    assert invoke("runs", "--limit", number, "--store", str(store_path)).exit_code == 0
