"""``anfang run`` stops the same way on SIGTERM (systemd, docker) as on SIGINT (Ctrl-C): the open recording
segment is closed and indexed, the audit head is signed, and "platform stopped" is logged, in bounded time."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

STOP_WITHIN_S = 20.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clip") / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10", "-t", "20",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-bf", "0", "-pix_fmt", "yuv420p", str(out)],
        check=True,
    )  # fmt: skip
    return out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_the_platform_cleanly(sig: signal.Signals, clip: Path, tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    config = tmp_path / "anfang.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(data),
                "detector": {"type": "hog"},
                "api": {"host": "127.0.0.1", "port": port},
                "cameras": [
                    {
                        "id": "cam",
                        "source": {"type": "file", "path": str(clip), "loop": True},
                        "recording": {"mode": "continuous", "segment_s": 600, "min_free_gb": 0},
                    }
                ],
            }
        )
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("anfang")), "run", "-c", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "anfang run did not come up"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        login = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/auth/login", data=b'{"username": "admin", "password": "wrong-password"}',
            headers={"Content-Type": "application/json"}, method="POST",
        )  # fmt: skip
        with pytest.raises(urllib.error.HTTPError):  # audited (login.failed) after the start checkpoint
            urllib.request.urlopen(login, timeout=5)
        time.sleep(3)  # a few seconds of recording into the open segment
        sent = time.monotonic()
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=STOP_WITHIN_S)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out[-3000:]
    assert "platform stopped" in out, out[-3000:]
    assert took < STOP_WITHIN_S
    with sqlite3.connect(data / "anfang.db") as db:
        segments = db.execute("SELECT count(*) FROM recording_segments WHERE camera_id = 'cam'").fetchone()[0]
        head = db.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        signed = db.execute("SELECT max(seq) FROM audit_checkpoints").fetchone()[0]
    assert segments >= 1, "the open segment was not indexed"
    assert signed == head, "the audit head was not signed at stop"
    with sqlite3.connect(data / "anfang.db") as db:
        assert db.execute("SELECT action FROM audit_log WHERE seq = ?", (head,)).fetchone()[0] == "login.failed"
