"""``anfang analyze`` end to end on real video, scored against MOTChallenge ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anfang.cli import main
from anfang.tracking.mot import score_files as score

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tud(shared_data: Path) -> Path:
    return shared_data / "mot15" / "TUD-Campus"


@pytest.fixture(scope="module")
def tud_result(tud: Path, models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("analyze")
    tracks, events = out / "tracks.txt", out / "events.jsonl"
    rc = main(
        [
            "-q",
            "analyze",
            str(tud / "TUD-Campus.mp4"),
            "--line",
            "middle=320,0,320,480",
            "--tracks-out",
            str(tracks),
            "--events-out",
            str(events),
            "--snapshots-dir",
            str(out / "snaps"),
        ]
    )
    assert rc == 0
    return {"tracks": tracks, "events": events, "snaps": out / "snaps"}


def test_tracks_beat_motmetrics_reference_tracker(tud: Path, tud_result: dict[str, Path]) -> None:
    ref = score(tud / "gt" / "gt.txt", tud / "motmetrics_tracker_result.txt")
    assert ref["mota"] == pytest.approx(0.526, abs=0.001)  # the baseline, measured in this run
    ours = score(tud / "gt" / "gt.txt", tud_result["tracks"])
    print(f"TUD-Campus ours {ours} vs reference {ref}")
    assert ours["mota"] >= ref["mota"]
    assert ours["idf1"] >= ref["idf1"]


def test_tracks_file_is_motchallenge_format(tud_result: dict[str, Path]) -> None:
    rows = [r.split(",") for r in tud_result["tracks"].read_text().splitlines()]
    assert rows, "no tracks written"
    assert all(len(r) == 10 and r[7:] == ["-1", "-1", "-1"] for r in rows)
    frames = {int(r[0]) for r in rows}
    assert min(frames) >= 1 and max(frames) <= 71


def test_line_crossing_events_with_images(tud_result: dict[str, Path]) -> None:
    events = [json.loads(line) for line in tud_result["events"].read_text().splitlines()]
    crossings = [e for e in events if e["type"] == "line_crossing"]
    # People walk across the whole TUD-Campus frame, left to right and back.
    assert len(crossings) >= 3
    for e in crossings:
        assert e["object_class"] == "person" and e["track_id"] is not None
        assert e["attributes"]["direction"] in {"a_to_b", "b_to_a"}
        assert Path(e["snapshot_path"]).read_bytes()[:2] == b"\xff\xd8"  # JPEG
        assert Path(e["crop_path"]).read_bytes()[:2] == b"\xff\xd8"


def test_truncated_and_non_video_inputs_fail_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "notes.mp4"
    junk.write_text("this is not a video\n")
    assert main(["-q", "analyze", str(junk), "--detector", "hog"]) == 1
    err = capsys.readouterr().err
    assert "notes.mp4" in err
    assert main(["-q", "analyze", str(tmp_path / "missing.mp4")]) == 1
    assert "no such file" in capsys.readouterr().err
