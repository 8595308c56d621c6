"""Identities in event data (watchlist matches) hidden from users without the ``see_identities`` permission.

Pictures are blurred for such users (``masking``); the *names* a face match carries would tell them just as
much, so every route that hands out events (list, detail, acknowledgement, the live websocket) and the face
watchlist listings pass them through here. Kept: that there was a match, its watchlist kind (blacklist /
whitelist: what the operator must act on), the similarity and the ids needed to acknowledge it.
"""

from __future__ import annotations

from typing import Any

HIDDEN = "***"
IDENTITY_KEYS = ("person", "watchlist", "name", "note")  # names a watchlist match or listing carries


def hide_identities(attributes: dict[str, Any]) -> dict[str, Any]:
    """A copy of an event's attributes with the watchlist person and list names masked."""
    if "person" not in attributes and "watchlist" not in attributes:
        return attributes
    return {k: (HIDDEN if k in IDENTITY_KEYS and v else v) for k, v in attributes.items()}


def hide_names(row: dict[str, Any]) -> dict[str, Any]:
    """A watchlist or person listing row with its names masked (ids, kind and counts kept)."""
    return {k: (HIDDEN if k in IDENTITY_KEYS and isinstance(v, str) and v else v) for k, v in row.items()}
