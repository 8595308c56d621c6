"""Config validation: every error names the file and the field, and good examples pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anfang.cli import main
from anfang.config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parent.parent

CAM = {"id": "c1", "source": {"type": "file", "path": "v.mp4"}}


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "site.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("name", ["demo.yaml", "rtsp-cameras.yaml"])
def test_examples_validate(name: str) -> None:
    cfg = load_config(REPO / "examples" / name)
    assert cfg.cameras and all(c.rules for c in cfg.cameras)


@pytest.mark.parametrize(
    ("camera", "field", "expected"),
    [
        ({**CAM, "detect_fps": 0}, "cameras.0.detect_fps", "greater than 0"),
        ({**CAM, "source": {"type": "rtsp", "url": "http://x"}}, "cameras.0.source.rtsp.url", "rtsp://"),
        ({**CAM, "source": {"type": "webcam"}}, "cameras.0.source", "'file', 'rtsp'"),
        ({**CAM, "detectfps": 5}, "cameras.0.detectfps", "unknown field"),
        ({**CAM, "id": "bad id!"}, "cameras.0.id", "letters, digits"),
        (
            {**CAM, "zones": [{"name": "z", "points": [[0, 0], [1, 1]]}]},
            "cameras.0.zones.0.points",
            "at least 3",
        ),
        (
            {**CAM, "rules": [{"type": "intrusion", "name": "r", "zone": "nowhere"}]},
            "cameras.0",
            "zone 'nowhere', which is not defined",
        ),
        (
            {
                **CAM,
                "lines": [{"name": "l", "a": [0, 0], "b": [1, 1]}],
                "rules": [{"type": "line_crossing", "name": "r", "line": "l", "direction": "up"}],
            },
            "cameras.0.rules.0.line_crossing.direction",
            "'a_to_b', 'b_to_a' or 'both'",
        ),
        (
            {
                **CAM,
                "zones": [{"name": "z", "points": [[0, 0], [1, 0], [1, 1]]}],
                "rules": [{"type": "loitering", "name": "r", "zone": "z", "classes": ["dog"], "min_seconds": 5}],
            },
            "cameras.0.rules.0.loitering.classes",
            "unknown class 'dog'",
        ),
        (
            {
                **CAM,
                "zones": [{"name": "z", "points": [[0, 0], [1, 0], [1, 1]]}],
                "rules": [{"type": "crowd", "name": "r", "zone": "z", "min_count": 3, "schedule": {"start": "25:00"}}],
            },
            "cameras.0.rules.0.crowd.schedule.start",
            "HH:MM",
        ),
    ],
)
def test_errors_name_file_and_field(camera: dict, field: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"cameras": [camera]}, "site.yaml")
    msg = str(info.value)
    assert f"site.yaml: {field}" in msg, msg
    assert expected in msg, msg


def test_duplicate_camera_ids_rejected() -> None:
    with pytest.raises(ConfigError, match="duplicate camera id 'c1'"):
        parse_config({"cameras": [CAM, CAM]}, "site.yaml")


def test_yaml_syntax_error_has_position(tmp_path: Path) -> None:
    p = _write(tmp_path, "cameras:\n  - id: c1\n    source: {type: file, path: [unclosed\n")
    with pytest.raises(ConfigError, match=r"site\.yaml: not valid YAML \(line \d+, column \d+\)"):
        load_config(p)


def test_missing_file_is_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "nope.yaml")


def test_relative_paths_resolve_against_config_folder(tmp_path: Path) -> None:
    p = _write(tmp_path, "cameras:\n  - id: c1\n    source: {type: file, path: clips/a.mp4}\n")
    cfg = load_config(p)
    assert cfg.cameras[0].source.path == tmp_path / "clips" / "a.mp4"
    assert cfg.data_dir == tmp_path / "anfang-data"


def test_cli_config_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(REPO / "examples" / "demo.yaml")]) == 0
    assert "OK" in capsys.readouterr().out
    bad = _write(tmp_path, "cameras:\n  - id: c1\n    source: {type: file, path: a.mp4}\n    detect_fps: -2\n")
    assert main(["config", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "site.yaml: cameras.0.detect_fps" in err


def test_cli_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "cameras" in schema["properties"]
