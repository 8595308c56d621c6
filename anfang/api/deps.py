"""The dependencies every route shares: who is calling, and the platform it acts on.

``current_user`` is the single gate: the app applies it to every router but health (and, later, login),
so adding authentication means changing this one function, not every route.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import HTTPException
from starlette.requests import HTTPConnection

from anfang.platform import Platform


@dataclass(frozen=True)
class Principal:
    """The caller as routes see it; ``cameras`` is ``None`` when every camera is allowed."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    cameras: frozenset[str] | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


ANONYMOUS_ADMIN = Principal(name="anonymous", roles=frozenset({"admin"}))


def current_user(conn: HTTPConnection) -> Principal:
    """The authenticated caller (works for HTTP and websocket routes alike).

    No authentication exists yet, so everyone is an anonymous admin; tokens will be checked here.
    """
    principal = ANONYMOUS_ADMIN
    conn.state.principal = principal
    return principal


def get_platform(conn: HTTPConnection) -> Platform:
    platform = getattr(conn.app.state, "platform", None)
    if platform is None:
        raise HTTPException(status_code=503, detail="platform not ready")
    return platform
