"""Helpers for the GA/T 1400 tests: platforms as edge / centre, real uvicorn servers on a kept port,
and records built from real video frames."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from anfang.api.server import make_server
from anfang.config.loader import parse_config
from anfang.platform import Platform
from anfang.structuring.component import Structuring
from anfang.structuring.ids import new_record_id
from anfang.structuring.service import RecordService

EDGE_ID = "34020000005030000001"
CENTRE_ID = "34020000005030000099"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_on(platform: Platform, port: int) -> Iterator[str]:
    """Serve ``platform`` on 127.0.0.1:``port`` (reusable after a stop, so a restarted centre keeps its URL)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    server = make_server(platform, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def platform(data_dir: Path, models_dir: Path, viid: dict[str, Any]) -> Platform:
    cfg = parse_config({"data_dir": str(data_dir), "models_dir": str(models_dir), "viid": viid})
    return Platform(cfg)


def frames(video: Path, n: int) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(video))
    out = []
    while len(out) < n:
        ok, frame = cap.read()
        assert ok, "vtest.avi ended"
        out.append(frame)
    cap.release()
    return out


def make_rows(service: RecordService, images: list[np.ndarray], camera_id: str = "cam1",
              start: float = 1_700_000_000.0) -> list[dict[str, Any]]:
    """Records of alternating types from real frames, pictures written through the store (media policy)."""
    kinds = ("person", "motor_vehicle", "non_motor_vehicle", "face")
    rows = []
    for i, image in enumerate(images):
        kind = kinds[i % 4]
        rid = new_record_id()
        shot = start + i
        crop = image[100:260, 200:300]
        snap = service.store.write_jpeg(rid, camera_id, shot, "snapshot", cv2.imencode(".jpg", image)[1].tobytes())
        crop_rel = service.store.write_jpeg(rid, camera_id, shot, "crop", cv2.imencode(".jpg", crop)[1].tobytes())
        rows.append({
            "id": rid, "type": kind, "object_class": {"motor_vehicle": "car", "non_motor_vehicle": "bicycle"}.get(
                kind, "person"), "camera_id": camera_id, "track_id": i, "appear_time": shot - 1,
            "disappear_time": shot + 1, "shot_time": shot, "box": [200.0, 100.0, 300.0, 260.0], "confidence": 0.9,
            "quality": 0.5, "coat_color": "red" if kind == "person" else None,
            "trousers_color": "blue" if kind == "person" else None,
            "vehicle_color": "white" if kind in ("motor_vehicle", "non_motor_vehicle") else None,
            "plate_no": f"京A{10000 + i}" if kind == "motor_vehicle" else None,
            "plate_color": "blue" if kind == "motor_vehicle" else None,
            "gender": "female" if kind in ("person", "face") else None,
            "age_low": 20 if kind in ("person", "face") else None, "age_up": 36 if kind in ("person", "face") else None,
            "attributes": {"image_size": [image.shape[1], image.shape[0]]}, "snapshot_path": snap,
            "crop_path": crop_rel, "embedding": None, "embedding_model": None,
        })  # fmt: skip
    return rows


def records(p: Platform) -> RecordService:
    return p.get(Structuring).service
