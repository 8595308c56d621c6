"""GB/T 28181 media end to end: a Python camera registers, answers INVITE and streams real H.264 as PS over
RTP (UDP, TCP passive, TCP active); the platform's service decodes it, the source rides out a dead stream
(BYE + INVITE again), and a whole Platform with the HOG detector raises intrusion events from it."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import pytest

from anfang.config.models import AppConfig
from anfang.events.model import Event
from anfang.gb28181.component import Gb28181
from anfang.gb28181.config import Gb28181Config, Gb28181SourceConfig
from anfang.gb28181.service import GbService, wait_for
from anfang.platform import Platform
from anfang.sources.base import create_source
from anfang.vision.hog import HogDetector
from tests.api_auth import api_client
from tests.gb_device import GbTestDevice, h264_units

PASSWORD = "s3cret-gb"
DEV, CH, CH2 = "34020000001320000001", "34020000001310000001", "34020000001310000002"
WALKWAY = [[0, 150], [768, 150], [768, 576], [0, 576]]


@pytest.fixture(scope="module")
def units(vtest_video: Path, tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """6 s of the campus video as baseline H.264 (key frame every second), cut into access units."""
    out = tmp_path_factory.mktemp("gb") / "vtest.h264"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(vtest_video), "-t", "6", "-an", "-c:v", "libx264",
                    "-profile:v", "baseline", "-preset", "ultrafast", "-g", "10", "-bf", "0", "-f", "h264",
                    str(out)], check=True, timeout=120)
    result = h264_units(out)
    assert len(result) >= 50
    return result


class DeviceThread:
    """The test camera on its own event loop (the platform side runs on another thread, like in production)."""

    def __init__(self, port: int, units: list[bytes], **kw: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.device = GbTestDevice(port, units, PASSWORD, **kw)
        asyncio.run_coroutine_threadsafe(self.device.start(), self.loop).result(15)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.device.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _gb_config(**kw: Any) -> Gb28181Config:
    base: dict[str, Any] = {"enabled": True, "host": "127.0.0.1", "port": 0, "password": PASSWORD,
                            "media_port_range": (31200, 31260)}
    return Gb28181Config.model_validate({**base, **kw})


@pytest.fixture
def service() -> Iterator[tuple[GbService, list[Event]]]:
    events: list[Event] = []
    seen: list[tuple[str, list[Any]]] = []
    svc = GbService(_gb_config(), events.append, lambda d, chs: seen.append((d, chs)))
    svc.start()
    yield svc, events
    svc.stop()


class _OnlyService:
    """What a platform gives a source (``Components``), holding just this GB/T 28181 service."""

    def __init__(self, service: GbService) -> None:
        self.component = SimpleNamespace(service=service)

    def get(self, kind: type) -> Any:
        return self.component

    def find(self, kind: type) -> Any:
        return self.component


def test_config_needs_a_password_when_enabled() -> None:
    with pytest.raises(ValueError, match="password"):
        Gb28181Config(enabled=True)
    assert Gb28181Config().enabled is False and AppConfig().gb28181.password is None
    with pytest.raises(ValueError, match="20 digits"):
        Gb28181SourceConfig(device_id="123")


@pytest.mark.parametrize("transport", ["udp", "tcp_passive", "tcp_active"])
def test_stream_decodes_and_bye_stops_it(service: tuple[GbService, list[Event]], units: list[bytes],
                                         transport: str) -> None:
    svc, events = service
    cam = DeviceThread(svc.port, units, fps=50.0)
    try:
        assert wait_for(lambda: DEV in [d["device_id"] for d in svc.devices()], 10)
        assert events[0].type == "device_online" and events[0].camera_id == DEV
        assert wait_for(lambda: svc.devices()[0]["channels"], 10), "Catalog was not queried on registration"
        stream = svc.open_stream(DEV, CH, transport)  # type: ignore[arg-type]
        codec = av.CodecContext.create("h264", "r")
        decoded = 0
        deadline = time.monotonic() + 20
        while decoded < 30 and time.monotonic() < deadline:
            unit = stream.media.units.get(timeout=5)
            decoded += len(codec.decode(av.Packet(unit.data)))
        assert decoded >= 30
        assert stream.media.receiver.stats.foreign_ssrc == 0 and stream.media.receiver.jitter.lost == 0
        svc.close_stream(stream)
        assert wait_for(lambda: cam.device.stats.byes == 1, 5), "device never got BYE"
        assert cam.device.stats.media_transports == [transport] and cam.device.stats.acks == 1
        assert svc.streams == {} and svc.ports.in_use == set()
    finally:
        cam.close()


def test_stream_timeout_sends_bye_and_invites_again(service: tuple[GbService, list[Event]],
                                                   units: list[bytes]) -> None:
    svc, _ = service
    cam = DeviceThread(svc.port, units, send_media=False)  # answers INVITE, never sends a packet
    src = create_source("gate", Gb28181SourceConfig(device_id=DEV, channel_id=CH, stream_timeout_s=0.5,
                                                    reconnect_initial_s=0.1, reconnect_max_s=0.2),
                        _OnlyService(svc))
    result: list[Any] = []
    try:
        assert wait_for(lambda: bool(svc.devices()), 10)
        src.open()
        reader = threading.Thread(target=lambda: result.append(src.read()), daemon=True)
        reader.start()
        assert wait_for(lambda: cam.device.stats.invites >= 3 and cam.device.stats.byes >= 2, 20), \
            f"expected INVITE, BYE, INVITE again: {cam.device.stats}"
        assert src.state == "offline" and "no media" in (src.last_error or "")
        src.interrupt()
        reader.join(5)
        assert result == [None]
    finally:
        src.close()
        cam.close()


def test_platform_analyses_a_gb28181_camera(tmp_path: Path, units: list[bytes]) -> None:
    """Registered device → Catalog → cameras (one configured with an intrusion zone, one automatic) → HOG
    detections → intrusion events; the API shows the device; PTZ goes out as DeviceControl."""
    config = AppConfig.model_validate({
        "data_dir": str(tmp_path / "data"),
        "gb28181": _gb_config(media_port_range=(31300, 31360)).model_dump(),
        "cameras": [{"id": CH, "detect_fps": 5, "source": {"type": "gb28181", "device_id": DEV, "channel_id": CH,
                                                            "transport": "tcp_passive", "reconnect_initial_s": 0.2},
                     "motion": {"enabled": False},
                     "zones": [{"name": "walkway", "points": WALKWAY}],
                     "rules": [{"name": "walkway_intrusion", "type": "intrusion", "zone": "walkway"}]}],
    })
    platform = Platform(config, detector=HogDetector())
    platform.start()
    cam = None
    try:
        assert platform.find(Gb28181) is not None
        cam = DeviceThread(platform.get(Gb28181).service.port, units, channels=(CH, CH2), fps=25.0)
        assert wait_for(lambda: any(c.id == CH2 for c in platform.cameras()), 15), "auto camera not added"
        assert platform.camera(CH2).source.type == "gb28181"
        assert wait_for(lambda: platform.events.query(camera_id=CH, type="intrusion")[1] > 0, 60), \
            f"no intrusion event; status {platform.camera_status().get(CH)}"
        online = platform.events.query(camera_id=DEV, type="device_online")[1]
        assert online == 1
        with api_client(platform) as client:
            devices = client.get("/api/devices").json()
            assert devices[0]["device_id"] == DEV and devices[0]["online"] is True
            assert [c["channel_id"] for c in devices[0]["channels"]] == [CH, CH2]
            assert devices[0]["last_keepalive"] > 0
            assert client.post(f"/api/devices/{DEV}/catalog").status_code == 200
            r = client.post(f"/api/devices/{DEV}/channels/{CH}/ptz", json={"command": "left", "speed": 64})
            assert r.status_code == 202
            assert client.post(f"/api/devices/{DEV}/channels/{CH}/ptz", json={"command": "spin"}).status_code == 422
            assert client.post("/api/devices/34020000001320000099/catalog").status_code == 404
            assert {c["id"] for c in client.get("/api/cameras").json()} >= {CH, CH2}
    finally:
        platform.stop()
        if cam is not None:
            assert cam.device.stats.byes >= 1  # stopping the platform hangs up the sessions
            cam.close()


def test_devices_api_without_gb28181(tmp_path: Path) -> None:
    platform = Platform(AppConfig(data_dir=tmp_path), detector=HogDetector())
    with api_client(platform) as client:
        assert client.get("/api/devices").status_code == 503
