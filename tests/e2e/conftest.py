"""A real platform + uvicorn on a free port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from anfang.web import DIST_DIR, console_built
from tests.live_server import serve

CHROMIUM = os.environ.get("ANFANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
USERNAME = "operator"
PASSWORD = "console-e2e-password"
ADMIN = "chief"  # a second admin, already past its first sign-in, for tests that start from a fresh context
ADMIN_PASSWORD = "console-e2e-admin-password"


@dataclass
class Server:
    url: str
    platform: object
    data_dir: Path


def _camera(video: Path) -> dict:
    from anfang.config.models import CameraConfig

    cam: dict = {
        "id": "campus",
        "name": "Campus walkway",
        "source": {"type": "file", "path": str(video), "loop": True, "realtime": True},
        "detect_fps": 4,
        "motion": {"enabled": False},
    }
    if "recording" in CameraConfig.model_fields:  # the recorder feature: short segments so a clip exists soon
        cam["recording"] = {"mode": "continuous", "segment_s": 2, "pre_roll_s": 1, "post_roll_s": 1}
    return cam


def _h264_camera(vtest: Path, folder: Path) -> dict:
    """A second camera whose file is H.264 (like an IP camera), so its live tile can play HLS."""
    import subprocess

    out = folder / "gate.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(vtest), "-t", "20", "-c:v", "libx264", "-preset",
                    "ultrafast", "-bf", "0", "-g", "10", "-pix_fmt", "yuv420p", str(out)], check=True)
    return {"id": "gate", "name": "Gate (H.264)", "detect_fps": 1, "motion": {"enabled": False},
            "source": {"type": "file", "path": str(out), "loop": True, "realtime": True}}


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory, vtest_video: Path) -> Iterator[Server]:
    if not console_built():
        pytest.fail(f"console not built: {DIST_DIR}/index.html missing — run `make console` (npm ci && npm run build)")
    from anfang.config import parse_config
    from anfang.platform import Platform
    from anfang.vision.hog import HogDetector

    data = tmp_path_factory.mktemp("console-data")
    cameras = [_camera(vtest_video), _h264_camera(vtest_video, data)]
    raw: dict = {"data_dir": str(data), "detector": {"type": "hog"}, "cameras": cameras}
    from anfang.config.models import AppConfig

    if "records" in AppConfig.model_fields:  # person records for the search page (cheap: no pose, plates, faces)
        raw["records"] = {"enabled": True, "pose": False, "plates": False, "faces": False, "track_end_s": 1.0}
    cfg = parse_config(raw)
    platform = Platform(cfg, detector=HogDetector())
    users = getattr(platform, "users", None)
    if users is not None:
        # Like the first admin of a fresh install: a one-time password the console makes the user replace.
        users.create(USERNAME, PASSWORD, "admin", see_identities=True, must_change_password=True)
        users.create(ADMIN, ADMIN_PASSWORD, "admin", see_identities=True, must_change_password=False)
    platform.start()
    try:
        with serve(platform, start_timeout_s=20) as base_url:
            yield Server(base_url, platform, data)
    finally:
        platform.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium (listed in .ci/apt-packages.txt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
