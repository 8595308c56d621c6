"""Sinks: the jsonl sink writes and rotates; a slow sink drops and counts instead of blocking a camera."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

from anfang.config import parse_config
from anfang.events.bus import EventBus
from anfang.events.model import Event
from anfang.sinks.base import Sink, SinkConfigBase, create_sink
from anfang.sinks.component import Sinks
from anfang.sinks.jsonl import JsonlSink


def _event(i: int) -> Event:
    return Event(
        camera_id="gate",
        rule="door",
        type="intrusion",
        start_time=1000.0 + i,
        track_id=i,
        object_class="person",
        box=(1.0, 2.0, 3.0, 4.0),
        attributes={"zone": "door", "n": i},
    )


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_appends_each_event(tmp_path: Path) -> None:
    cfg = parse_config({"sinks": [{"type": "jsonl", "path": "out/events.jsonl"}]}).sinks[0]
    sink = create_sink(cfg, tmp_path)
    assert isinstance(sink, JsonlSink) and sink.path == tmp_path / "out" / "events.jsonl"
    sink.start()
    events = [_event(i) for i in range(5)]
    for e in events:
        sink.submit(e)
    sink.close()
    rows = _lines(sink.path)
    assert [r["id"] for r in rows] == [e.id for e in events]
    assert rows[0]["camera_id"] == "gate" and rows[0]["attributes"] == {"zone": "door", "n": 0}
    assert sink.stats() == {"type": "jsonl", "written": 5, "dropped": 0, "errors": 0, "queued": 0}
    sink.start()  # appends after a restart
    sink.submit(_event(9))
    sink.close()
    assert len(_lines(sink.path)) == 6


def test_jsonl_rotates_by_size(tmp_path: Path) -> None:
    cfg = parse_config(
        {"sinks": [{"type": "jsonl", "path": str(tmp_path / "e.jsonl"), "max_bytes": 2048, "backups": 2}]}
    )
    sink = create_sink(cfg.sinks[0], tmp_path / "unused")
    sink.start()
    for i in range(60):  # ~300 bytes each: several rotations
        sink.submit(_event(i))
    sink.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["e.jsonl", "e.jsonl.1", "e.jsonl.2"]  # older backups deleted
    assert all(p.stat().st_size <= 2048 for p in tmp_path.iterdir())
    kept = _lines(tmp_path / "e.jsonl.2") + _lines(tmp_path / "e.jsonl.1") + _lines(tmp_path / "e.jsonl")
    ns = [r["attributes"]["n"] for r in kept]
    assert ns == list(range(60 - len(ns), 60))  # the newest, in order, none lost within what is kept
    assert isinstance(sink, JsonlSink) and sink.rotations >= 3


class _SlowConfig(SinkConfigBase):
    type: Literal["slow"] = "slow"


class _SlowSink(Sink):
    def __init__(self, release: threading.Event) -> None:
        super().__init__(_SlowConfig(queue_size=3), Path("."))
        self.release = release
        self.got: list[str] = []

    def write(self, event: Event) -> None:
        self.release.wait(10)
        self.got.append(event.id)


def test_a_stuck_sink_drops_and_counts_without_blocking() -> None:
    release = threading.Event()
    sink = _SlowSink(release)
    sink.start()
    t0 = time.monotonic()
    for i in range(50):
        sink.submit(_event(i))
    assert time.monotonic() - t0 < 0.5  # the camera's thread never waited
    assert 46 <= sink.dropped <= 47  # one being written, three queued
    release.set()
    sink.close()
    assert sink.written == 50 - sink.dropped and sink.errors == 0


def test_component_feeds_sinks_from_the_bus(tmp_path: Path) -> None:
    cfg = parse_config({"data_dir": str(tmp_path), "sinks": [{"type": "jsonl"}]})
    assert Sinks.enabled(cfg) and not Sinks.enabled(parse_config({}))
    bus = EventBus()
    comp = Sinks(SimpleNamespace(config=cfg, data_dir=tmp_path, bus=bus))  # type: ignore[arg-type]
    comp.start()
    bus.publish(_event(1))
    bus.publish(_event(2))
    comp.stop()
    bus.publish(_event(3))  # after stop: not delivered
    assert [r["track_id"] for r in _lines(tmp_path / "events.jsonl")] == [1, 2]
    assert comp.stats()[0]["written"] == 2
