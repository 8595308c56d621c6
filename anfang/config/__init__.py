"""Configuration: pydantic models of the YAML file, loading with errors that name the field."""

from anfang.config.loader import ConfigError, load_config, parse_config
from anfang.config.models import (
    AppConfig,
    CameraConfig,
    LineConfig,
    RuleConfig,
    ZoneConfig,
)

__all__ = [
    "AppConfig",
    "CameraConfig",
    "ConfigError",
    "LineConfig",
    "RuleConfig",
    "ZoneConfig",
    "load_config",
    "parse_config",
]
