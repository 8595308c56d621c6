"""The live page at ``/`` is served and talks only to API routes that exist."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from anfang.api.app import create_app
from anfang.config import parse_config
from anfang.platform import Platform
from anfang.vision.hog import HogDetector


def test_index_served_and_uses_existing_routes(tmp_path: Path) -> None:
    platform = Platform(parse_config({"data_dir": str(tmp_path)}), detector=HogDetector())
    app = create_app(platform)
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200 and "anfang" in page.text
        assert client.get("/docs").status_code == 200  # the mount at / must not shadow the API docs
        assert client.get("/api/health").status_code == 200
        # Every route the page calls must exist: HTTP ones in the OpenAPI schema, plus the event websocket.
        paths = set(client.get("/openapi.json").json()["paths"]) | {"/api/ws/events"}
        used = set(re.findall(r"/api/[a-z/{}_.]+", re.sub(r"\$\{[^}]+\}", "{x}", page.text)))
        assert used, "page calls no API"
        for path in used:
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path.rstrip("/")) + "$"
            shapes = {re.sub(r"\{[^}]+\}", "x", p) for p in paths}
            assert any(re.match(pattern, s) for s in shapes), f"page uses {path}, which the API does not have"
    platform.stop()
