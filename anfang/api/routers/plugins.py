"""``GET /api/plugins``: the registered sources, detectors, rules and sinks, for the console's forms.

Each type comes with a title in English and Chinese and its config's JSON schema, so the console lists
what this server actually has (a new plug-in shows up with no console change) and renders its fields.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import APIRouter

from anfang import plugins

router = APIRouter(tags=["plugins"])


@lru_cache(maxsize=1)
def _described() -> dict[str, dict[str, Any]]:
    return plugins.describe()  # the registry is fixed once discovered


@router.get("/plugins")
def list_plugins() -> dict[str, dict[str, Any]]:
    """``{kind: {type: {"type", "title": {"en", "zh"}, "schema"}}}``, kinds ``source``, ``detector``,
    ``rule``, ``sink``; types in menu order (the common ones first)."""
    return _described()
