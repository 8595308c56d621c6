"""Operator-facing errors that name the thing to fix: config field paths, self-crossing zones, CPU under load,
a missing or truncated file camera."""

from __future__ import annotations

import logging
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from anfang.config import ConfigError, parse_config
from anfang.platform import Platform
from anfang.vision.hog import HogDetector
from tests.api_auth import api_client


def _cam(cid: str, **extra: object) -> dict:
    return {"id": cid, "source": {"type": "file", "path": "/nonexistent/x.mp4"}, **extra}


def test_duplicate_camera_id_names_its_index() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"cameras": [_cam("a"), _cam("b"), _cam("a")]}, "site.yaml")
    assert "site.yaml: cameras.2.id: duplicate camera id 'a' (first used at cameras.0.id)" in str(err.value)
    assert "(top level)" not in str(err.value)


BOWTIE = [[0, 0], [100, 100], [100, 0], [0, 100]]


def test_self_intersecting_zone_fails_config_check(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cameras\.0\.zones\.0\.points: .*crosses itself"):
        parse_config({"cameras": [_cam("a", zones=[{"name": "z", "points": BOWTIE}])]})
    square = [[0, 0], [100, 0], [100, 100], [0, 100]]
    concave = [[0, 0], [100, 0], [100, 100], [50, 40], [0, 100]]
    parse_config({"cameras": [_cam("a", zones=[{"name": "z", "points": square}, {"name": "y", "points": concave}])]})
    config = tmp_path / "site.yaml"
    config.write_text(yaml.safe_dump({"cameras": [_cam("a", zones=[{"name": "z", "points": BOWTIE}])]}))
    run = subprocess.run(
        [str(Path(sys.executable).with_name("anfang")), "config", "check", str(config)], capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "cameras.0.zones.0.points" in run.stdout + run.stderr


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_system_cpu_percent_reads_the_load_of_all_cores(tmp_path: Path) -> None:
    platform = Platform(parse_config({"data_dir": str(tmp_path)}), detector=HogDetector())
    workers = [multiprocessing.Process(target=_spin, args=(3.0,)) for _ in range(multiprocessing.cpu_count())]
    for w in workers:
        w.start()
    try:
        time.sleep(0.5)
        with api_client(platform) as client:
            first = client.get("/api/system").json()["cpu_percent"]  # the first call of the process, too
            time.sleep(0.5)
            second = client.get("/api/system").json()["cpu_percent"]
    finally:
        for w in workers:
            w.join()
        platform.stop()
    assert first > 50 and second > 50, (first, second)


def test_missing_file_camera_logs_once_without_a_traceback(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from anfang.pipeline.camera import CameraPipeline

    cam = parse_config({"cameras": [_cam("gone")]}).cameras[0]
    pipeline = CameraPipeline(cam, HogDetector(), lambda e: None)
    with caplog.at_level(logging.INFO, logger="anfang"):
        pipeline.start()
        time.sleep(3.5)  # back-off 1 s, 2 s: three tries
        pipeline.stop()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and "gone" in r.getMessage()]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "does not exist" in errors[0].getMessage() and errors[0].exc_info is None
    assert pipeline.status().last_error and "does not exist" in pipeline.status().last_error


def test_truncated_mp4_is_reported_as_truncated_and_where(tmp_path: Path) -> None:
    from anfang.sources.base import SourceError, create_source
    from anfang.sources.file import FileSourceConfig

    whole = tmp_path / "whole.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "3",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(whole)],
        check=True,
    )  # fmt: skip
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])  # moov is at the end (no faststart): the index is lost
    src = create_source("c", FileSourceConfig(path=str(cut)))
    with pytest.raises(SourceError) as err:
        src.open()
    message = str(err.value)
    assert "truncated" in message and f"ends at byte {len(data) // 2}" in message and "'mdat'" in message
    assert "not a video file" not in message
