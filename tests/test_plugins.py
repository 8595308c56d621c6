"""The plug-in registry: discovery, the config unions, CLI choices and ``GET /api/plugins`` come from it."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Literal

import pytest

from anfang import plugins
from anfang.config import ConfigError, parse_config
from anfang.plugins import PluginConfig, PluginError

REPO = Path(__file__).resolve().parent.parent


def test_builtin_plugins_of_every_kind() -> None:
    assert plugins.types("source")[:3] == ["file", "rtsp", "gb28181"]  # common first, then by name
    assert set(plugins.types("source")) >= {"file", "rtsp", "gb28181", "http_jpeg"}
    assert plugins.types("detector")[0] == "combo"
    assert set(plugins.types("detector")) == {"combo", "centernet", "ssdlite", "yolo", "hog"}
    assert set(plugins.types("rule")) >= {"intrusion", "line_crossing", "loitering", "crowd", "counting", "wrong_way"}
    assert plugins.types("sink") == ["jsonl"]


def test_unions_come_from_the_registry() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"cameras": [{"id": "c", "source": {"type": "webcam"}}]}, "site.yaml")
    assert "'file', 'rtsp', 'gb28181', 'http_jpeg'" in str(info.value)
    with pytest.raises(ConfigError) as info:
        parse_config({"detector": {"type": "magic"}}, "site.yaml")
    assert "site.yaml: detector" in str(info.value) and "'yolo'" in str(info.value)
    cfg = parse_config({"sinks": [{"type": "jsonl", "path": "ev.jsonl"}]})
    assert cfg.sinks[0].type == "jsonl" and cfg.sinks[0].path == Path("ev.jsonl")
    with pytest.raises(ConfigError, match=r"sinks\.0\.max_bytes"):
        parse_config({"sinks": [{"type": "jsonl", "max_bytes": 1}]})


def test_old_imports_of_config_models_still_work() -> None:
    from anfang.config.models import FileSourceConfig, IntrusionRule, YoloDetectorConfig  # type: ignore[attr-defined]

    assert FileSourceConfig.__module__ == "anfang.sources.file"
    assert IntrusionRule.__module__ == "anfang.analytics.rules.intrusion"
    assert YoloDetectorConfig.__module__ == "anfang.vision.detectors.yolo"
    with pytest.raises(ImportError):
        from anfang.config.models import NoSuchConfig  # type: ignore[attr-defined]  # noqa: F401


def test_schema_lists_plugins(capsys: pytest.CaptureFixture[str]) -> None:
    from anfang.cli import main

    assert main(["config", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    names = set(schema["$defs"])
    assert {"HttpJpegSourceConfig", "WrongWayRule", "JsonlSinkConfig", "HogDetectorConfig"} <= names
    assert "sinks" in schema["properties"]


def test_cli_detector_choices_come_from_the_registry() -> None:
    from anfang.cli import analyze, run

    for mod, cmd in ((run, "demo"), (analyze, "analyze")):
        parser = argparse.ArgumentParser()
        mod.add_parser(parser.add_subparsers())
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[cmd]
        choices = next(a.choices for a in sub._actions if "--detector" in a.option_strings)
        assert list(choices) == plugins.types("detector") and "yolo" in choices  # demo had no yolo before


def test_register_checks() -> None:
    class Foo(PluginConfig):
        type: Literal["foo"] = "foo"

    with pytest.raises(PluginError, match="Literal"):
        plugins.register("rule", "bar", Foo)
    with pytest.raises(PluginError, match="unknown plug-in kind"):
        plugins.register("widget", "foo", Foo)  # type: ignore[arg-type]
    with pytest.raises(PluginError, match="registered twice"):

        class Dup(PluginConfig):
            type: Literal["intrusion"] = "intrusion"

        plugins.register("rule", "intrusion", Dup)(type("Elsewhere", (), {"__module__": "somewhere.else"}))
    with pytest.raises(KeyError, match="unknown rule type 'nope'; known: intrusion"):
        plugins.get("rule", "nope")


def test_component_plugins_are_read_from_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "featurex"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "component.py").write_text(
        textwrap.dedent(
            """
            raise RuntimeError("discovery must not need to import a component")

            class FeatureX:
                plugins = ("featurex.source", "featurex.rule")
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert plugins._declared_plugins("featurex.component:FeatureX") == ("featurex.source", "featurex.rule")
    assert plugins._declared_plugins("featurex.component:Other") == ()
    assert plugins._declared_plugins("featurex.missing:FeatureX") == ()


def test_gb28181_source_is_found_by_the_fallback() -> None:
    assert "anfang.gb28181.source" in plugins.component_modules()
    assert plugins.get("source", "gb28181").module == "anfang.gb28181.source"


@pytest.mark.parametrize(
    "first",
    [
        "anfang.sources.http_jpeg",
        "anfang.analytics.rules.wrong_way",
        "anfang.vision.detectors.hog",
        "anfang.sinks.jsonl",
    ],
)
def test_import_order_does_not_matter(first: str) -> None:
    """Importing a plug-in module before the config still gives complete unions (no half-built registry)."""
    code = (
        f"import {first}; from anfang.config.models import AppConfig; from anfang import plugins; "
        "import json; print(json.dumps({k: plugins.types(k) for k in plugins.KINDS}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    kinds = json.loads(out.stdout)
    assert (
        {"http_jpeg", "gb28181"} <= set(kinds["source"]) and "wrong_way" in kinds["rule"] and kinds["sink"] == ["jsonl"]
    )


def test_api_lists_plugins_with_titles_and_schemas(tmp_path: Path) -> None:
    from tests.security.api_fixtures import client_as, make_platform

    platform = make_platform(tmp_path)
    try:
        platform.users.create("pv", None, "viewer")
        assert client_as(platform, None).get("/api/plugins").status_code == 401
        body = client_as(platform, "pv").get("/api/plugins").json()
        assert set(body) == {"source", "detector", "rule", "sink"}
        assert list(body["rule"])[:5] == ["intrusion", "line_crossing", "loitering", "crowd", "counting"]
        ww = body["rule"]["wrong_way"]
        assert ww["title"] == {"en": "Wrong way", "zh": "逆行"}
        assert {"zone", "arrow", "max_angle_deg", "min_seconds"} <= set(ww["schema"]["properties"])
        assert body["source"]["http_jpeg"]["schema"]["properties"]["auth"]["enum"] == ["basic", "digest"]
        assert body["detector"]["hog"]["title"]["en"].startswith("HOG")
    finally:
        platform.stop()


NEW_DETECTOR = """
from typing import Literal
import numpy as np
from anfang.core.detections import Detections
from anfang.plugins import PluginConfig, register

class NothingDetectorConfig(PluginConfig):
    type: Literal["nothing"] = "nothing"

@register("detector", "nothing", NothingDetectorConfig, title={"en": "Nothing", "zh": "无"})
class NothingDetector:
    name = "nothing"
    def __init__(self, cfg, models_dir):
        pass
    def detect(self, image):
        return Detections.empty()
"""
NEW_RULE = """
from typing import Literal
from anfang.analytics.base import Rule
from anfang.analytics.config import RuleBase
from anfang.plugins import register

class EverywhereRule(RuleBase):
    type: Literal["everywhere"] = "everywhere"
    zone: str

@register("rule", "everywhere", EverywhereRule, title={"en": "Everywhere", "zh": "处处"})
class Everywhere(Rule):
    type = "everywhere"
    def __init__(self, camera_id, config, zone):
        super().__init__(camera_id, config)
    def evaluate(self, view, rows):
        return [self.event(view, int(r)) for r in rows]
"""
NEW_SOURCE = """
from typing import Literal
from anfang.plugins import PluginConfig
from anfang.sources.base import Source, register

class NullSourceConfig(PluginConfig):
    type: Literal["null"] = "null"

@register("null", NullSourceConfig)
class NullSource(Source):
    fps = 0.0
    def open(self): pass
    def read(self): return None
    def _release(self): pass
"""
CHECK = """
import argparse, json, sys
from pathlib import Path
import anfang.analytics.rules, anfang.sources, anfang.vision.detectors
for pkg, sub in ((anfang.vision.detectors, "d"), (anfang.analytics.rules, "r"), (anfang.sources, "s")):
    pkg.__path__.append(str(Path(sys.argv[1]) / sub))  # as if the new file were in the package
from anfang import plugins
from anfang.api.routers.plugins import list_plugins
from anfang.cli import analyze
from anfang.config import parse_config
from anfang.sources.base import create_source
from anfang.vision.registry import create_detector
cam = {"id": "c", "source": {"type": "null"}, "zones": [{"name": "z", "points": [[0, 0], [9, 0], [9, 9]]}],
       "rules": [{"name": "r", "type": "everywhere", "zone": "z"}]}
cfg = parse_config({"detector": {"type": "nothing"}, "cameras": [cam]})
from anfang.analytics import RuleEngine
parser = argparse.ArgumentParser(); analyze.add_parser(parser.add_subparsers())
print(json.dumps({
    "detector": type(create_detector(cfg.detector, Path("."))).__name__,
    "source": type(create_source("c", cfg.cameras[0].source)).__name__,
    "rule": type(RuleEngine(cfg.cameras[0]).rules[0]).__name__,
    "api": {k: list(v) for k, v in list_plugins().items()},
    "cli": next(a.choices for a in parser._actions[1].choices["analyze"]._actions if "--detector" in a.option_strings),
}))
"""


def test_a_new_plugin_is_one_file(tmp_path: Path) -> None:
    """One new module per kind (put on the plug-in package's path) is all it takes: config, builders, API, CLI."""
    for sub, code in (("d", NEW_DETECTOR), ("r", NEW_RULE), ("s", NEW_SOURCE)):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / f"new_{sub}.py").write_text(textwrap.dedent(code))
    out = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path)], capture_output=True, text=True, check=True, cwd=REPO
    )
    got = json.loads(out.stdout)
    assert (got["detector"], got["source"], got["rule"]) == ("NothingDetector", "NullSource", "Everywhere")
    assert "nothing" in got["api"]["detector"] and "everywhere" in got["api"]["rule"] and "null" in got["api"]["source"]
    assert "nothing" in got["cli"]
