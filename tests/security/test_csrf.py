"""Issue 15.8c: unsafe requests on a cookie session need the CSRF token (on main the cookie alone was enough)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from anfang.api.app import create_app
from anfang.security.csrf import csrf_token
from tests.security.api_fixtures import make_platform


def test_cookie_sessions_need_the_csrf_header(tmp_path: Path) -> None:
    p = make_platform(tmp_path / "d")
    p.users.create("ann", "ann-long-password-1", "admin", see_identities=True)
    p.users.create("bob", None, "viewer")
    try:
        with TestClient(create_app(p)) as c:
            r = c.post("/api/auth/login", json={"username": "ann", "password": "ann-long-password-1"})
            assert r.status_code == 200
            csrf = c.cookies["anfang_csrf"]
            session = c.cookies["anfang_session"]
            assert csrf == csrf_token(session) and session not in csrf
            cookies = r.headers.get_list("set-cookie")
            csrf_cookie = next(x for x in cookies if x.startswith("anfang_csrf=")).lower()
            assert "httponly" not in csrf_cookie and "samesite=strict" in csrf_cookie  # the console must read it

            body = {"username": "carl", "role": "viewer"}
            assert c.get("/api/auth/me").status_code == 200  # safe methods need nothing
            r = c.post("/api/users", json=body)
            assert r.status_code == 403 and "CSRF" in r.json()["detail"]
            assert c.post("/api/users", json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
            other = csrf_token("another-session")  # a token planted for another session does not match
            assert c.post("/api/users", json=body, headers={"X-CSRF-Token": other}).status_code == 403
            assert p.users.get("carl") is None
            assert c.post("/api/users", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
            assert c.delete("/api/users/carl").status_code == 403
            assert c.delete("/api/users/carl", headers={"X-CSRF-Token": csrf}).status_code == 204
            assert c.post("/api/auth/logout").status_code == 403
            assert c.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204

        _, token = p.users.issue("ann", "api", "integration")
        with TestClient(create_app(p)) as c:  # Bearer tokens carry no ambient credential: exempt
            r = c.post("/api/users", json={"username": "dora", "role": "viewer"},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            assert r.status_code == 201
    finally:
        p.stop()
