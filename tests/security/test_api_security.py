"""Security through the real API: first admin, login/lockout, sessions and tokens, camera scoping, audit
tamper detection, masking, signed and encrypted evidence, track erasure."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import text

from anfang.platform import Platform
from anfang.security.component import Security
from anfang.security.evidence import MAGIC, verify_bundle, verify_content
from anfang.security.passwords import LoginThrottle
from tests.security.api_fixtures import add_event, client_as, jpeg, make_platform


@pytest.fixture
def platform(tmp_path: Path, store_url: str | None) -> Iterator[Platform]:
    p = make_platform(tmp_path / "data", store_url)
    yield p
    p.stop()


def _actions(platform: Platform) -> list[str]:
    return [e.action for e in platform.audit.entries(1, 1000)]


def test_first_admin_one_time_password_must_be_changed(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    p = make_platform(tmp_path / "d")
    printed = capfd.readouterr().err
    password = printed.split("one-time password:")[1].split()[0]
    assert len(password) == 20
    make_platform(tmp_path / "d").stop()  # second start: nothing printed again
    assert "one-time password" not in capfd.readouterr().err
    with client_as(p, None) as c:
        assert c.get("/api/cameras").status_code == 401
        r = c.post("/api/auth/login", json={"username": "admin", "password": password})
        assert r.status_code == 200 and r.json()["must_change_password"] is True
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/api/cameras").status_code == 403  # only the password change is allowed
        c.headers["X-CSRF-Token"] = c.cookies["anfang_csrf"]  # what the console's fetch wrapper sends
        bad = c.post("/api/auth/password", json={"current_password": password, "new_password": "short"})
        assert bad.status_code == 422
        new = "correct horse battery"
        assert c.post("/api/auth/password", json={"current_password": password, "new_password": new}).status_code == 204
        assert c.get("/api/cameras").status_code == 200
        assert c.post("/api/auth/logout").status_code == 204
        assert c.get("/api/auth/me").status_code == 401
    assert {"user.create", "login", "user.password", "logout"} <= set(_actions(p))
    p.stop()


def test_brute_force_locks_then_right_password_works(platform: Platform) -> None:
    now = [1000.0]
    platform.users.throttle = LoginThrottle(max_failures=5, lockout_s=900, clock=lambda: now[0])
    platform.users.create("alice", "alice-password-1", "viewer")
    codes = []
    with client_as(platform, None) as c:
        for _ in range(50):
            r = c.post("/api/auth/login", json={"username": "alice", "password": "guess"})
            codes.append(r.status_code)
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert 0 < int(r.headers["retry-after"]) <= 900
        right = {"username": "alice", "password": "alice-password-1"}
        assert c.post("/api/auth/login", json=right).status_code == 429  # not even checked while locked
        now[0] += 901
        r = c.post("/api/auth/login", json=right)
        assert r.status_code == 200 and r.json()["username"] == "alice"
        assert c.get("/api/auth/me").json()["role"] == "viewer"
    failed = [e for e in platform.audit.entries(1, 1000) if e.action == "login.failed"]
    assert len(failed) == 51 and failed[0].detail["ip"] == "testclient"


def test_api_tokens_and_revocation(platform: Platform) -> None:
    platform.users.create("ops", None, "operator")
    with client_as(platform, "ops") as c:
        r = c.post("/api/tokens", json={"name": "vms"})
        assert r.status_code == 201
        token, token_id = r.json()["token"], r.json()["id"]
    with client_as(platform, None) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        assert c.get("/api/auth/me").json()["username"] == "ops"
        assert [t["id"] for t in c.get("/api/tokens").json()] == [token_id]
        assert c.delete(f"/api/tokens/{token_id}").status_code == 204
        assert c.get("/api/auth/me").status_code == 401
    assert "token.create" in _actions(platform)


def test_camera_scoping_hides_other_cameras(platform: Platform) -> None:
    mine, other = add_event(platform, "cam1"), add_event(platform, "cam2")
    platform.users.create("v", None, "viewer", cameras=["cam1"], see_identities=True)
    with client_as(platform, "v") as c:
        assert [x["id"] for x in c.get("/api/cameras").json()] == ["cam1"]
        assert c.get("/api/cameras/cam2").status_code == 404
        assert c.get("/api/cameras/cam2/frame.jpg").status_code == 404
        page = c.get("/api/events").json()
        assert page["total"] == 1 and page["items"][0]["id"] == mine.id
        assert c.get("/api/events", params={"camera_id": "cam2"}).json()["total"] == 0
        assert c.get(f"/api/events/{other.id}").status_code == 404
        assert c.get(f"/api/events/{other.id}/snapshot.jpg").status_code == 404
        assert c.get(f"/api/events/{mine.id}/snapshot.jpg").status_code == 200
        assert {h["camera_id"] for h in c.get("/api/stats", params={"hours": 24 * 31}).json()["events_per_hour"]} <= {
            "cam1"
        }
    with client_as(platform, "v") as c:  # an admin grants the other camera: now visible
        platform.users.update("v", cameras=None)
        assert {x["id"] for x in c.get("/api/cameras").json()} == {"cam1", "cam2"}


def test_audit_tamper_is_reported_through_the_api(platform: Platform) -> None:
    platform.users.create("aud", None, "auditor")
    platform.users.create("adm", None, "admin")
    with client_as(platform, "adm") as c:
        assert c.post("/api/users", json={"username": "bob", "role": "viewer"}).status_code == 201
        assert c.patch("/api/users/bob", json={"see_identities": True}).status_code == 200
        assert c.get("/api/audit").status_code == 403  # admins do not read the audit log
    with client_as(platform, "aud") as c:
        assert c.get("/api/audit/verify").json() == {"ok": True, "problems": []}
        entries = c.get("/api/audit").json()
        target = next(e for e in entries if e["action"] == "user.create" and e["target"] == "bob")
        with platform.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET target = 'mallory' WHERE seq = :s"), {"s": target["seq"]})
        report = c.get("/api/audit/verify").json()
        assert report["ok"] is False
        assert [(p["kind"], p["seq"]) for p in report["problems"]] == [("edited", target["seq"])]


def _face_jpeg(shared_data: Path) -> bytes:
    image = cv2.imread(str(shared_data / "faces" / "face_recognition" / "lin-manuel-miranda.png"))
    assert image is not None
    return jpeg(image)


def test_faces_are_masked_without_see_identities(platform: Platform, shared_data: Path) -> None:
    original = _face_jpeg(shared_data)
    event = add_event(platform, snapshot=original)
    platform.users.create("blind", None, "viewer")
    platform.users.create("sees", None, "viewer", see_identities=True)
    with client_as(platform, "sees") as c:
        assert c.get(f"/api/events/{event.id}/snapshot.jpg").content == original
    with client_as(platform, "blind") as c:
        masked = c.get(f"/api/events/{event.id}/snapshot.jpg").content
    image = cv2.imdecode(np.frombuffer(masked, np.uint8), cv2.IMREAD_COLOR)
    assert masked != original and image.shape == cv2.imdecode(np.frombuffer(original, np.uint8), 1).shape
    assert len(platform.get(Security).masker.face_boxes(image)) == 0  # no face left to find
    views = [e for e in platform.audit.entries(1, 100) if e.action == "evidence.view"]
    assert [v.detail["masked"] for v in views] == [False, True]


def test_evidence_signed_exported_and_encrypted(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "enc", encrypt_media=True)
    try:
        data = jpeg(np.full((40, 40, 3), 77, np.uint8))
        event = add_event(p, snapshot=data)
        stored = p.events.media_path(event.snapshot_path)
        assert stored is not None and stored.read_bytes().startswith(MAGIC)  # never in clear on disk
        assert verify_content(stored, data) == []
        p.users.create("op", None, "operator", see_identities=True)
        with client_as(p, "op") as c:
            assert c.get(f"/api/events/{event.id}/snapshot.jpg").content == data
            r = c.get(f"/api/events/{event.id}/evidence.zip")
            assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
        bundle = tmp_path / "b.zip"
        bundle.write_bytes(r.content)
        assert verify_bundle(bundle, trusted_key_ids=[p.keys.current_key_id()]) == []
        with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
            assert zf.read(f"media/{event.id}_snapshot.jpg") == data
        assert {"evidence.view", "evidence.export"} <= set(_actions(p))
    finally:
        p.stop()


def test_delete_track_removes_events_and_media(platform: Platform) -> None:
    a, b = add_event(platform, track_id=7), add_event(platform, track_id=8)
    path = platform.events.media_path(a.snapshot_path)
    assert path is not None and path.is_file() and path.with_name(path.name + ".sig.json").is_file()
    platform.users.create("adm", None, "admin")
    with client_as(platform, "adm") as c:
        assert c.delete("/api/tracks/cam1/7").json() == {"deleted_events": 1}
        assert c.delete("/api/tracks/cam1/7").status_code == 404
    assert platform.events.get(a.id) is None and platform.events.get(b.id) is not None
    assert not path.exists() and not path.with_name(path.name + ".sig.json").exists()
    entry = next(e for e in platform.audit.entries(1, 100) if e.action == "evidence.delete")
    assert entry.target == "cam1/7" and entry.actor == "adm"


def test_retention_per_type(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "ret", retention={"snapshots_days": 1})
    try:
        event = add_event(p)  # start_time 1000.0: decades old
        path = p.events.media_path(event.snapshot_path)
        p.purge_expired(now=1000.0 + 3 * 86400)  # store.retention_days (30) keeps the row
        rec = p.events.get(event.id)
        assert rec is not None and rec.snapshot_path is None and not path.exists()
    finally:
        p.stop()
