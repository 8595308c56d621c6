"""One way for every API test to become a logged-in user.

Every test that talks to the app calls :func:`authenticate` right after creating its client, so turning
authentication on (the security feature) changes this one function instead of every test file.
"""

from __future__ import annotations

from typing import Any


def authenticate(client: Any, platform: Any, role: str = "admin") -> None:
    """Make ``client`` (a TestClient or httpx client) act as a user with ``role`` on ``platform``.

    Until authentication exists every request is an anonymous admin, so there is nothing to do yet.
    """
    return None
