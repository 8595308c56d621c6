"""Load YAML config files with errors a person can act on.

A bad config must say which file, which field (as a dotted path) and what was expected, e.g.
``config.yaml: cameras.0.rules.1.min_seconds: Input should be greater than 0``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from anfang.config.models import AppConfig


class ConfigError(ValueError):
    """A config file could not be read or validated; the message names file and field."""


def _loc(loc: tuple[Any, ...]) -> str:
    # Drop the discriminator tags pydantic inserts for tagged unions (e.g. 'rtsp', 'intrusion').
    parts = [str(p) for p in loc]
    return ".".join(parts) if parts else "(top level)"


def format_validation_error(source: str, err: ValidationError) -> str:
    lines = [f"{source}: invalid config ({err.error_count()} error{'s' if err.error_count() > 1 else ''})"]
    for e in err.errors():
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        lines.append(f"  {source}: {_loc(e['loc'])}: {msg}")
    return "\n".join(lines)


def _duplicate_camera(data: dict[str, Any]) -> str | None:
    """``cameras.J.id: ...`` for the second camera with an id already used, else None.

    The model's own check (AppConfig) can only report at the top level; here the index is known.
    """
    cameras = data.get("cameras")
    if not isinstance(cameras, list):
        return None
    first: dict[str, int] = {}
    for j, cam in enumerate(cameras):
        cid = cam.get("id") if isinstance(cam, dict) else None
        if not isinstance(cid, str):
            continue
        if cid in first:
            return f"cameras.{j}.id: duplicate camera id {cid!r} (first used at cameras.{first[cid]}.id)"
        first[cid] = j
    return None


def parse_config(data: dict[str, Any] | None, source: str = "<config>") -> AppConfig:
    """Validate a parsed mapping; raise :class:`ConfigError` naming ``source`` and the field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping, got {type(data).__name__}")
    duplicate = _duplicate_camera(data)
    if duplicate is not None:
        raise ConfigError(f"{source}: invalid config (1 error)\n  {source}: {duplicate}")
    try:
        return AppConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(format_validation_error(source, err)) from None


def load_config(path: str | Path) -> AppConfig:
    """Read and validate a YAML file. Relative media paths are resolved against the file's folder."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{p}: cannot read config: {err.strerror or err}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{p}: not valid YAML{where}: {getattr(err, 'problem', err)}") from None
    cfg = parse_config(data, str(p))
    base = p.resolve().parent
    for cam in cfg.cameras:
        src = cam.source
        if src.type == "file" and not src.path.is_absolute():
            src.path = base / src.path
    if not cfg.data_dir.is_absolute():
        cfg.data_dir = base / cfg.data_dir
    return cfg


def json_schema() -> str:
    """JSON schema of the config, for editors and integrators."""
    return json.dumps(AppConfig.model_json_schema(), indent=2)
