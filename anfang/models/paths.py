"""Where the model pack lives."""

from __future__ import annotations

import os
from pathlib import Path


def default_models_dir() -> Path:
    """``$ANFANG_MODELS_DIR`` if set, else ``~/.cache/anfang/models``."""
    env = os.environ.get("ANFANG_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "anfang" / "models"


def default_cache_dir() -> Path:
    """Cache for downloads made at set-up time (demo video, registry tarballs)."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "anfang"
