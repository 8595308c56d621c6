"""Issue 15.1: tampered evidence is refused on every read (API 409, export rc 1), audited, and alarmed.

The tester's steps: flip one byte of a stored snapshot in the data dir, then export and verify. On main the
export re-signed the tampered bytes (rc 0) and the API served them; here every path must refuse.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pytest

from anfang.cli.security import add_parser
from anfang.events.model import Event
from anfang.platform import Platform
from anfang.security.component import Security
from anfang.security.evidence import sign_bytes
from anfang.security.keys import Signer
from anfang.security.media import EvidenceTampered
from anfang.security.sm import generate_sm2_keypair
from anfang.store.events import EventRecord
from tests.security.api_fixtures import add_event, client_as, jpeg, make_platform


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def _flip(path: Path, offset: int = 40) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _alarms(events: list[Event]) -> list[Event]:
    return [e for e in events if e.rule == "system" and e.type == "evidence_tampered"]


def _alarms(platform: Platform) -> list[EventRecord]:
    rows, _ = platform.events.query(type="evidence_tampered", limit=100)
    return rows


@pytest.mark.parametrize("encrypt", [False, True])
def test_tampered_snapshot_refused_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encrypt: bool
) -> None:
    platform = make_platform(tmp_path, encrypt_media=encrypt, evidence_check_interval_s=None)
    good = add_event(platform, track_id=1)
    bad = add_event(platform, track_id=2)
    platform.users.create("op", None, "operator", see_identities=True)
    admin = client_as(platform, "op")
    assert admin.get(f"/api/events/{good.id}/snapshot.jpg").status_code == 200
    assert admin.get(f"/api/events/{bad.id}/snapshot.jpg").status_code == 200
    rec = platform.events.get(bad.id)
    assert rec is not None and rec.snapshot_path
    _flip(platform.events.media_dir / rec.snapshot_path)

    for url in (f"/api/events/{bad.id}/snapshot.jpg", f"/api/events/{bad.id}/evidence.zip"):
        r = admin.get(url)
        assert r.status_code == 409, (url, r.status_code, r.text[:200])
        assert "modified" in r.json()["detail"]
    assert admin.get(f"/api/events/{good.id}/snapshot.jpg").status_code == 200  # the others are still served
    with pytest.raises(EvidenceTampered):
        platform.events.read_media(rec.snapshot_path)

    actions = [e.action for e in platform.get(Security).audit.entries(1, 1000)]
    assert actions.count("evidence.refused") == 2 and actions.count("evidence.tampered") == 3
    alarms = _alarms(platform)
    assert len(alarms) == 1  # one alarm per file, however often it is read
    assert alarms[0].camera_id == "cam1" and alarms[0].rule == "system"
    assert alarms[0].attributes["severity"] == "critical" and rec.snapshot_path in alarms[0].attributes["message"]

    d = str(tmp_path)
    capsys.readouterr()
    assert run(["evidence", "export", good.id, "--data-dir", d, "-o", str(tmp_path / "good.zip")]) == 0
    assert run(["evidence", "export", bad.id, "--data-dir", d, "-o", str(tmp_path / "bad.zip")]) == 1
    assert "refused" in capsys.readouterr().err
    assert not (tmp_path / "bad.zip").exists()
    assert run(["evidence", "verify", "--data-dir", d]) == 1
    out = capsys.readouterr().out
    assert rec.snapshot_path in out and "2 stored picture(s) checked: 1 intact, 1 tampered, 0 unsigned" in out


def test_intact_data_dir_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    platform = make_platform(tmp_path, evidence_check_interval_s=None)
    add_event(platform, track_id=1)
    assert run(["evidence", "verify", "--data-dir", str(tmp_path)]) == 0
    assert "1 stored picture(s) checked: 1 intact, 0 tampered, 0 unsigned" in capsys.readouterr().out
    del platform


def test_background_check_raises_the_alarm(tmp_path: Path) -> None:
    platform = make_platform(tmp_path, evidence_check_interval_s=0.2)
    event = Event(camera_id="cam1", rule="r", type="intrusion", start_time=time.time(), track_id=1,
                  snapshot=jpeg(np.full((48, 64, 3), 90, np.uint8)))  # fmt: skip  (recent: retention keeps it)
    platform.sink(event)
    rec = platform.events.get(event.id)
    assert rec is not None and rec.snapshot_path
    platform.start()
    try:
        time.sleep(0.5)
        assert _alarms(platform) == []  # intact: no alarm
        _flip(platform.events.media_dir / rec.snapshot_path)
        deadline = time.monotonic() + 10
        while not _alarms(platform) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        platform.stop()
    alarms = _alarms(platform)
    assert len(alarms) == 1 and alarms[0].camera_id == "cam1"
    entries = platform.get(Security).audit.entries(1, 1000)
    assert any(e.action == "evidence.tampered" and e.actor == "evidence-check" for e in entries)


def test_resigned_with_a_foreign_key_is_refused(tmp_path: Path) -> None:
    """Replacing picture and sidecar (signed with the attacker's own key, which the sidecar embeds) is refused."""
    platform = make_platform(tmp_path, evidence_check_interval_s=None)
    event = add_event(platform)
    rec = platform.events.get(event.id)
    assert rec is not None and rec.snapshot_path
    path = platform.events.media_dir / rec.snapshot_path
    assert platform.events.read_media(rec.snapshot_path) == event.snapshot  # intact (and now cached)
    forged = jpeg(np.full((48, 64, 3), 10, np.uint8))
    path.write_bytes(forged)
    sign_bytes(path, forged, Signer(generate_sm2_keypair()))
    with pytest.raises(EvidenceTampered, match="not one of the platform's keys"):
        platform.events.read_media(rec.snapshot_path)
    assert run(["evidence", "verify", "--data-dir", str(tmp_path)]) == 1
