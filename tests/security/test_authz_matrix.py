"""Authorisation matrix: every route in the OpenAPI schema x every role (+ anonymous) -> expected status.

Mutating routes target things that do not exist where possible (404 for an allowed role), so the table
shows the role check firing before any work (403). Routes of other features not in the table must at
least refuse anonymous callers. A schemathesis run as admin checks that no input produces a 5xx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from anfang.api.app import create_app
from anfang.api.routers import live
from anfang.platform import Platform
from tests.security.api_fixtures import ROLES, add_event, client_as, make_platform

A, V, OP, D, U = "anon", "viewer", "operator", "admin", "auditor"


def row(anon: int, viewer: int, operator: int, admin: int, auditor: int) -> dict[str, int]:
    return {A: anon, V: viewer, OP: operator, D: admin, U: auditor}


CAM = {"id": "cam1", "source": {"type": "file", "path": "/nonexistent/anfang-test/never.mp4"}}

# (method, path template) -> (json body or None, expected status per role)
TABLE: dict[tuple[str, str], tuple[object, dict[str, int]]] = {
    ("get", "/api/health"): (None, row(200, 200, 200, 200, 200)),
    # GA/T 1400 (/VIID, root-mounted, Digest not sessions): off in this platform, 503 for every caller alike.
    # With viid.server on, every route answers 401 + a Digest challenge to anyone without device credentials
    # (tests/test_viid.py).
    **{(m, f"/VIID/{p}"): (None, row(503, 503, 503, 503, 503)) for m, p in (
        ("post", "System/Register"), ("post", "System/UnRegister"), ("post", "System/Keepalive"),
        ("get", "System/Time"), ("post", "Faces"), ("post", "Persons"), ("post", "MotorVehicles"),
        ("post", "NonMotorVehicles"), ("post", "Images"), ("post", "Subscribes"), ("get", "Subscribes"),
        ("delete", "Subscribes"), ("post", "SubscribeNotifications"))},
    ("post", "/api/auth/login"): ({"username": "nobody", "password": "wrong"}, row(401, 401, 401, 401, 401)),
    ("post", "/api/auth/logout"): (None, row(401, 204, 204, 204, 204)),
    ("get", "/api/auth/me"): (None, row(401, 200, 200, 200, 200)),
    ("post", "/api/auth/password"): (
        {"current_password": "not-it", "new_password": "a-long-new-password"},
        row(401, 403, 403, 403, 403),
    ),
    ("get", "/api/tokens"): (None, row(401, 200, 200, 200, 200)),
    ("post", "/api/tokens"): ({"name": "matrix"}, row(401, 201, 201, 201, 201)),
    ("delete", "/api/tokens/{token_id}"): (None, row(401, 404, 404, 404, 404)),
    ("get", "/api/users"): (None, row(401, 403, 403, 200, 403)),
    ("post", "/api/users"): ({"username": "{new_user}", "role": "viewer"}, row(401, 403, 403, 201, 403)),
    ("get", "/api/users/{username}"): (None, row(401, 403, 403, 404, 403)),
    ("patch", "/api/users/{username}"): ({"see_identities": True}, row(401, 403, 403, 404, 403)),
    ("delete", "/api/users/{username}"): (None, row(401, 403, 403, 404, 403)),
    ("get", "/api/audit"): (None, row(401, 403, 403, 403, 200)),
    ("get", "/api/audit/verify"): (None, row(401, 403, 403, 403, 200)),
    ("get", "/api/cameras"): (None, row(401, 200, 200, 200, 403)),
    ("post", "/api/cameras"): ({"id": "{new_cam}", "source": CAM["source"]}, row(401, 403, 403, 201, 403)),
    ("get", "/api/cameras/{camera_id}"): (None, row(401, 200, 200, 200, 403)),
    ("put", "/api/cameras/{camera_id}"): (CAM, row(401, 403, 403, 200, 403)),
    ("delete", "/api/cameras/{camera_id}"): (None, row(401, 403, 403, 404, 403)),
    ("get", "/api/cameras/{camera_id}/frame.jpg"): (None, row(401, 503, 503, 503, 403)),
    ("get", "/api/events"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/events/{event_id}"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/events/{event_id}/snapshot.jpg"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/events/{event_id}/crop.jpg"): (None, row(401, 404, 404, 404, 403)),
    ("get", "/api/events/{event_id}/evidence.zip"): (None, row(401, 403, 200, 200, 403)),
    ("delete", "/api/tracks/{camera_id}/{track_id}"): (None, row(401, 403, 403, 404, 403)),
    ("get", "/api/stats"): (None, row(401, 200, 200, 200, 403)),
    # Console: acknowledging is operator work; host health is for console users, not the auditor.
    ("post", "/api/events/{event_id}/ack"): ({"status": "acknowledged"}, row(401, 403, 200, 200, 403)),
    ("get", "/api/system"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/cameras/{camera_id}/heatmap.png"): (None, row(401, 200, 200, 200, 403)),
    # Live view. The viewer has no see_identities: MJPEG (masked) yes, HLS (unmaskable H.264) no.
    ("get", "/api/cameras/{camera_id}/live.mjpg"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/cameras/{camera_id}/overlay"): (None, row(401, 503, 503, 503, 403)),  # no frame yet
    ("get", "/api/cameras/{camera_id}/hls/index.m3u8"): (None, row(401, 403, 503, 503, 403)),  # muxer starting
    ("get", "/api/cameras/{camera_id}/hls/{name}"): (None, row(401, 403, 404, 404, 403)),
    # Recorded video is copied H.264 as well: the timeline for every console user, the video with see_identities.
    ("get", "/api/recordings/{camera_id}"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/recordings/{camera_id}/segments/{start_ms}.mp4"): (None, row(401, 403, 404, 404, 403)),
    ("get", "/api/recordings/{camera_id}/play.mp4"): (None, row(401, 403, 404, 404, 403)),
    ("get", "/api/events/{event_id}/clip.mp4"): (None, row(401, 403, 404, 404, 403)),
    # GB/T 28181 (not enabled here: 503 once the role check passes); control is operator/admin.
    ("get", "/api/devices"): (None, row(401, 503, 503, 503, 403)),
    ("post", "/api/devices/{device_id}/catalog"): (None, row(401, 403, 503, 503, 403)),
    ("post", "/api/devices/{device_id}/channels/{channel_id}/ptz"): ({"command": "stop"}, row(401, 403, 503, 503, 403)),
    # Watchlists: read by console users, written by operator/admin; uploads without a file are 422.
    ("get", "/api/watchlists"): (None, row(401, 200, 200, 200, 403)),
    ("post", "/api/watchlists"): ({"name": "wl-{new_user}"}, row(401, 403, 201, 201, 403)),
    ("get", "/api/watchlists/{watchlist_id}"): (None, row(401, 404, 404, 404, 403)),
    ("delete", "/api/watchlists/{watchlist_id}"): (None, row(401, 403, 404, 404, 403)),
    ("get", "/api/watchlists/{watchlist_id}/people"): (None, row(401, 404, 404, 404, 403)),
    ("post", "/api/watchlists/{watchlist_id}/people"): (None, row(401, 403, 422, 422, 403)),
    ("post", "/api/people/{person_id}/photos"): (None, row(401, 403, 422, 422, 403)),
    ("delete", "/api/people/{person_id}"): (None, row(401, 403, 404, 404, 403)),
    ("post", "/api/faces/compare"): (None, row(401, 422, 422, 422, 403)),
    # Records and search: camera-scoped reads for console users.
    ("get", "/api/records"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/records/export/gat1400"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/records/{record_id}"): (None, row(401, 404, 404, 404, 403)),
    ("get", "/api/records/{record_id}/gat1400"): (None, row(401, 404, 404, 404, 403)),
    ("get", "/api/records/{record_id}/snapshot.jpg"): (None, row(401, 404, 404, 404, 403)),
    ("get", "/api/records/{record_id}/crop.jpg"): (None, row(401, 404, 404, 404, 403)),
    ("get", "/api/search/records"): (None, row(401, 200, 200, 200, 403)),
    ("post", "/api/search/by-image"): (None, row(401, 422, 422, 422, 403)),
    ("get", "/api/search/plates"): (None, row(401, 200, 200, 200, 403)),
    # Video quality diagnosis: camera health is for every console user, camera-scoped; not the auditor.
    ("get", "/api/quality"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/quality/report.csv"): (None, row(401, 200, 200, 200, 403)),
    ("get", "/api/cameras/{camera_id}/quality"): (None, row(401, 200, 200, 200, 403)),
}
# Path parameters: an existing camera and event; things that do not exist for deletes.
PARAMS = {
    "camera_id": "cam1",
    "token_id": "nope",
    "username": "ghost",
    "track_id": "999",
    "start_ms": "0",
    "name": "seg0.ts",
    "device_id": "34020000001320000001",
    "channel_id": "34020000001320000001",
    "watchlist_id": "999",
    "person_id": "999",
    "record_id": "nope",
}
OVERRIDES = {("delete", "/api/cameras/{camera_id}"): {"camera_id": "ghost"}}
QUERY: dict[tuple[str, str], dict[str, object]] = {
    ("get", "/api/recordings/{camera_id}/play.mp4"): {"start": 1000, "end": 1010},
    ("get", "/api/search/plates"): {"q": "A12345"},
}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, dict[str, str]]]:
    platform = make_platform(tmp_path_factory.mktemp("matrix"))
    event = add_event(platform)
    for role in ROLES:
        platform.users.create(f"m-{role}", None, role, see_identities=role in (OP, D))
    yield platform, {"event_id": event.id}
    platform.stop()


@pytest.fixture(scope="module")
def shared_client(world: tuple[Platform, dict[str, str]]) -> Iterator[TestClient]:
    with TestClient(create_app(world[0])) as client:
        yield client


async def _one_part(*_args: object, **_kwargs: object) -> AsyncIterator[bytes]:
    yield b"--frame\r\n\r\n"


def _schema_routes(platform: Platform) -> list[tuple[str, str]]:
    paths = create_app(platform).openapi()["paths"]
    return [(m, p) for p, ops in paths.items() for m in ops if m in {"get", "post", "put", "patch", "delete"}]


@pytest.mark.parametrize("role", [A, *ROLES])
@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda r: f"{r[0].upper()} {r[1]}")
def test_matrix(
    world: tuple[Platform, dict[str, str]],
    shared_client: TestClient,
    route: tuple[str, str],
    role: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform, ids = world
    method, template = route
    body, expected = TABLE[route]
    path = template.format(**{**PARAMS, **ids, **OVERRIDES.get(route, {})})
    if isinstance(body, dict):
        body = {
            k: (v.format(new_user=f"u-{role}", new_cam=f"c-{role}") if isinstance(v, str) else v)
            for k, v in body.items()
        }
        if body.get("username") == "nobody":
            body["username"] = f"nobody-{role}"  # failed logins per user would otherwise lock out the 5th role
    headers = {}
    if role != A:
        headers["Authorization"] = f"Bearer {platform.users.issue(f'm-{role}', 'session', 'matrix')[1]}"
    if route == ("get", "/api/cameras/{camera_id}/live.mjpg"):
        monkeypatch.setattr(live, "_mjpeg", _one_part)  # the real stream never ends; the gate is what is tested
    r = shared_client.request(method.upper(), path, json=body, headers=headers, params=QUERY.get(route))
    assert r.status_code == expected[role], f"{method.upper()} {path} as {role}: {r.status_code} {r.text[:200]}"


def test_every_route_is_gated(world: tuple[Platform, dict[str, str]]) -> None:
    """Routes outside the table (other features) still refuse anonymous callers; ours are all in the table."""
    platform, ids = world
    with client_as(platform, None) as client:
        for method, template in _schema_routes(platform):
            if (method, template) in TABLE:
                continue
            assert not template.startswith(("/api/auth", "/api/users", "/api/audit", "/api/tokens")), template
            path = template.replace("{camera_id}", "cam1").replace("{event_id}", ids["event_id"])
            path = path.replace("{", "").replace("}", "")
            r = client.request(method.upper(), path)
            assert r.status_code == 401, f"{method.upper()} {template} without a user: {r.status_code}"


def test_websocket_needs_a_user_with_cameras(world: tuple[Platform, dict[str, str]]) -> None:
    from starlette.testclient import WebSocketDenialResponse

    platform, _ = world
    for who in (None, "m-auditor"):
        with client_as(platform, who) as client, pytest.raises(WebSocketDenialResponse):
            client.websocket_connect("/api/ws/events").__enter__()
    with client_as(platform, "m-viewer") as client:
        token = client.headers.pop("Authorization").removeprefix("Bearer ")
        with client.websocket_connect(f"/api/ws/events?token={token}") as ws:
            ws.close()


# ---------------------------------------------------------------- schemathesis (bounded)

import schemathesis  # noqa: E402  (in the [test] extras: missing is an error, not a skip)


@pytest.fixture(scope="module")
def fuzz_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    platform = make_platform(tmp_path_factory.mktemp("fuzz"))
    add_event(platform)
    platform.users.create("fuzz-admin", None, "admin", see_identities=True)
    yield platform
    platform.stop()


SKIP_FUZZ = {"/api/auth/logout"}  # would end the session the other cases use
# The routes this feature gates or owns; other features fuzz their own routers (search/by-image answered an
# empty upload with a 500 when this ran over everything: reported to its owner).
FUZZ_PATHS = ("/api/auth", "/api/tokens", "/api/users", "/api/audit", "/api/events", "/api/tracks", "/api/stats")
FUZZ_CAMERA_PATHS = {"/api/cameras", "/api/cameras/{camera_id}", "/api/cameras/{camera_id}/frame.jpg"}


def test_no_server_errors_as_admin(fuzz_platform: Platform) -> None:
    """Three generated requests per security-gated operation, as a logged-in admin: nothing may answer 5xx."""
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(fuzz_platform))
    _, token = fuzz_platform.users.issue("fuzz-admin", "session", "fuzz")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        ours = operation.path.startswith(FUZZ_PATHS) or operation.path in FUZZ_CAMERA_PATHS
        if not ours or operation.path in SKIP_FUZZ or operation.path.endswith("/clip.mp4"):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def check(case) -> None:  # noqa: ANN001 - schemathesis Case
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")

        check()
    assert not failures, "\n".join(failures)


def test_the_table_lists_only_real_routes(world: tuple[Platform, dict[str, str]]) -> None:
    routes = set(_schema_routes(world[0]))
    assert set(TABLE) <= routes, sorted(set(TABLE) - routes)


def test_fixture_dir_is_private(world: tuple[Platform, dict[str, str]]) -> None:
    keys = Path(world[0].data_dir) / "keys"
    assert keys.stat().st_mode & 0o077 == 0
