"""The page at ``/`` (the built console, or the fallback live page) is served and calls only real routes."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from anfang.api.app import create_app
from anfang.config import parse_config
from anfang.platform import Platform
from anfang.vision.hog import HogDetector

# The console probes optional features by their OpenAPI path ("/api/cameras/{camera_id}/live.mjpg") and
# only calls them when /openapi.json lists them, so those literal-placeholder paths may be absent.
_PROBE = re.compile(r"(?<!\$)/api/[a-z0-9/_.]*\{[a-z_]+\}[a-z0-9/{}_.]*")


def _page_text(client: TestClient) -> str:
    page = client.get("/")
    assert page.status_code == 200 and "anfang" in page.text
    text = page.text
    for asset in re.findall(r'(?:src|href)="(/assets/[^"]+\.js)"', page.text):
        res = client.get(asset)
        assert res.status_code == 200, asset
        text += res.text
    return text


def test_index_served_and_uses_existing_routes(tmp_path: Path) -> None:
    platform = Platform(parse_config({"data_dir": str(tmp_path)}), detector=HogDetector())
    app = create_app(platform)
    with TestClient(app) as client:
        text = _page_text(client)
        assert client.get("/docs").status_code == 200  # the mount at / must not shadow the API docs
        assert client.get("/api/health").status_code == 200
        # Every route the page calls must exist: HTTP ones in the OpenAPI schema, plus the websockets
        # (events; overlay, which the live tile falls back from to polling when it is missing).
        paths = set(client.get("/openapi.json").json()["paths"]) | {"/api/ws/events", "/api/ws/overlay/{camera_id}"}
        probes = set(_PROBE.findall(text))
        used = set(re.findall(r"/api/[a-z0-9/{}_.-]+", re.sub(r"\$\{[^}]+\}", "{x}", _PROBE.sub("", text))))
        assert used, "page calls no API"
        shapes = {re.sub(r"\{[^}]+\}", "x", p) for p in paths}
        optional = {re.sub(r"\{[^}]+\}", "x", p) for p in probes}
        for path in used:
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path.rstrip("/")) + "$"
            if path.rstrip("/") == "/api" or any(re.match(pattern, s) for s in optional):
                continue
            assert any(re.match(pattern, s) for s in shapes), f"page uses {path}, which the API does not have"
    platform.stop()
