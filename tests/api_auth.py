"""One way for every API test to become a logged-in user.

Every test that talks to the app calls :func:`authenticate` right after creating its client, so the
security feature changes this one function instead of every test file. It creates a user with the role
(all cameras, see_identities) straight through the platform's user service and gives the client a
session token, both as the console's cookie and as a Bearer header, so TestClient, httpx and websocket
connections all carry it. No password is set, so no argon2 hashing slows the tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_counter = itertools.count(1)


def authenticate(
    client: Any,
    platform: Any,
    role: str = "admin",
    cameras: list[str] | None = None,
    see_identities: bool = True,
) -> str:
    """Make ``client`` (TestClient, httpx client or headers dict) a new user with ``role``; returns its name."""
    from anfang.api.deps import SESSION_COOKIE

    username = f"test-{role}-{next(_counter)}"
    platform.users.create(username, None, role, cameras=cameras, see_identities=see_identities)
    _, token = platform.users.issue(username, "session", "test")
    if isinstance(client, dict):  # plain headers, e.g. for websockets.sync.client.connect(additional_headers=...)
        client["Authorization"] = f"Bearer {token}"
        return username
    client.headers["Authorization"] = f"Bearer {token}"
    client.cookies.set(SESSION_COOKIE, token)
    return username


@contextmanager
def api_client(
    platform: Any, role: str = "admin", cameras: list[str] | None = None, see_identities: bool = True
) -> Iterator[Any]:
    """A TestClient on a new app for ``platform``, logged in as a new user (see :func:`authenticate`)."""
    from fastapi.testclient import TestClient

    from anfang.api.app import create_app

    with TestClient(create_app(platform)) as client:
        authenticate(client, platform, role, cameras, see_identities)
        yield client
