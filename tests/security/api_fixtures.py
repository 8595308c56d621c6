"""Shared helpers for the security API tests: a real platform (HOG detector, no cameras started) and users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from fastapi.testclient import TestClient

from anfang.api.app import create_app
from anfang.config import parse_config
from anfang.events.model import Event
from anfang.platform import Platform
from anfang.vision.hog import HogDetector

ROLES = ("viewer", "operator", "admin", "auditor")


def make_platform(data_dir: Path, store_url: str | None = None, **security: Any) -> Platform:
    cams = [
        {"id": cid, "source": {"type": "file", "path": "/nonexistent/anfang-test/never.mp4"}}
        for cid in ("cam1", "cam2")
    ]
    cfg = parse_config({"data_dir": str(data_dir), "cameras": cams, "security": security, "store": {"url": store_url}})
    return Platform(cfg, detector=HogDetector())


def jpeg(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", image)
    assert ok
    return buf.tobytes()


def add_event(platform: Platform, camera_id: str = "cam1", track_id: int = 1, snapshot: bytes | None = None) -> Event:
    if snapshot is None:
        snapshot = jpeg(np.full((48, 64, 3), 120, np.uint8))
    event = Event(
        camera_id=camera_id, rule="r", type="intrusion", start_time=1000.0, track_id=track_id, snapshot=snapshot
    )
    platform.sink(event)
    return event


def client_as(platform: Platform, username: str | None) -> TestClient:
    """A client carrying a fresh session of ``username`` (None = anonymous)."""
    client = TestClient(create_app(platform))
    if username is not None:
        _, token = platform.users.issue(username, "session", "test")
        client.headers["Authorization"] = f"Bearer {token}"
    return client
