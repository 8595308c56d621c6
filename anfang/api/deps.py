"""The dependencies every route shares: who is calling, what they may see, and the platform they act on.

``current_user`` is the single gate: the app applies it to every router but health and login, so
authentication lives in this one function, not in every route. It accepts, in order, a Bearer token
(integrations), the console's HttpOnly session cookie, and ``?token=`` (websockets, where browsers cannot
set headers). Role and camera checks are small helpers on top (``require_role``, ``allowed_cameras``), and
routes under ``/{camera_id}/`` take the camera through ``scoped_camera`` (or ``scoped_video`` for unmaskable
video), which checks scope and existence before the route body runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, HTTPException, status
from starlette.requests import HTTPConnection

from anfang.config.models import CameraConfig
from anfang.platform import Platform
from anfang.security.audit import AuditLog
from anfang.security.component import Security
from anfang.security.csrf import CSRF_COOKIE, CSRF_HEADER, UNSAFE_METHODS, csrf_ok
from anfang.security.masking import Masker
from anfang.security.passwords import PERMISSIONS, Role, UserRecord
from anfang.security.users import UserService

SESSION_COOKIE = "anfang_session"
# What a user who must change the one-time password may still do.
_PASSWORD_CHANGE_PATHS = {"/api/auth/me", "/api/auth/password", "/api/auth/logout"}


@dataclass(frozen=True)
class Principal:
    """The caller as routes see it; ``cameras`` is ``None`` when every camera is allowed."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    cameras: frozenset[str] | None = None
    see_identities: bool = False
    must_change_password: bool = False
    token_id: str | None = None
    token_kind: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def can(self, permission: str) -> bool:
        return any(permission in PERMISSIONS[Role(r)] for r in self.roles)

    @classmethod
    def of(cls, user: UserRecord, token_id: str | None = None, token_kind: str | None = None) -> Principal:
        return cls(
            name=user.username,
            roles=frozenset({user.role.value}),
            cameras=None if user.cameras is None else frozenset(user.cameras),
            see_identities=user.see_identities,
            must_change_password=user.must_change_password,
            token_id=token_id,
            token_kind=token_kind,
        )


def get_platform(conn: HTTPConnection) -> Platform:
    platform = getattr(conn.app.state, "platform", None)
    if platform is None:
        raise HTTPException(status_code=503, detail="platform not ready")
    return platform


def security(platform: Platform = Depends(get_platform)) -> Security:
    """The security component (users, audit, masker)."""
    return platform.get(Security)


def user_service(platform: Platform = Depends(get_platform)) -> UserService:
    return platform.get(Security).users


def audit_log(platform: Platform = Depends(get_platform)) -> AuditLog:
    return platform.get(Security).audit


def masker(platform: Platform = Depends(get_platform)) -> Masker:
    return platform.get(Security).masker


def presented_token(conn: HTTPConnection) -> str | None:
    auth = conn.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return conn.cookies.get(SESSION_COOKIE) or conn.query_params.get("token")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def _check_csrf(conn: HTTPConnection, token: str) -> None:
    """403 for an unsafe request authenticated by the session cookie without the matching X-CSRF-Token."""
    if conn.scope.get("type") != "http" or conn.scope.get("method", "GET") not in UNSAFE_METHODS:
        return
    if conn.cookies.get(SESSION_COOKIE) != token or conn.headers.get("authorization"):
        return  # Bearer header or ?token=: no ambient credential a foreign page could use
    if not csrf_ok(token, conn.headers.get(CSRF_HEADER)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"CSRF check failed: send the {CSRF_COOKIE} cookie's value in "
                            f"the {CSRF_HEADER} header (log in again if the cookie is missing)")  # fmt: skip


def current_user(conn: HTTPConnection) -> Principal:
    """The authenticated caller (HTTP and websocket routes alike); 401 without a valid session or token."""
    cached = getattr(conn.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    platform = get_platform(conn)
    token = presented_token(conn)
    if not token:
        raise _unauthorized("login required")
    _check_csrf(conn, token)
    found = platform.get(Security).users.resolve(token)
    if found is None:
        raise _unauthorized("invalid or expired session or token")
    user, info = found
    principal = Principal.of(user, info.id, info.kind)
    if principal.must_change_password and conn.url.path not in _PASSWORD_CHANGE_PATHS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "password change required: POST /api/auth/password")
    conn.state.principal = principal
    return principal


def require_role(*roles: str) -> Callable[..., Principal]:
    """Dependency: 403 unless the caller has one of ``roles``."""
    wanted = frozenset(roles)

    def check(user: Principal = Depends(current_user)) -> Principal:
        if not user.roles & wanted:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"needs role {' or '.join(sorted(wanted))}")
        return user

    return check


def require_permission(permission: str) -> Callable[..., Principal]:
    """Dependency: 403 unless the caller's role grants ``permission`` (see passwords.PERMISSIONS)."""

    def check(user: Principal = Depends(current_user)) -> Principal:
        if not user.can(permission):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"not permitted: {permission}")
        return user

    return check


def allowed_cameras(user: Principal = Depends(current_user)) -> frozenset[str] | None:
    """Camera ids the caller may see (``None`` = all); 403 for roles that see no cameras (auditor)."""
    if not user.can("camera.view"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this role sees no cameras")
    return user.cameras


def check_camera(allowed: frozenset[str] | None, camera_id: str) -> None:
    """404 (not 403) for a camera not granted: a user must not learn which other cameras exist."""
    if allowed is not None and camera_id not in allowed:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} not found")


def camera_or_404(platform: Platform, camera_id: str) -> CameraConfig:
    """The camera's config; 404 when there is no such camera."""
    try:
        return platform.camera(camera_id)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} not found") from None


def scoped_camera(
    camera_id: str,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
) -> CameraConfig:
    """Dependency for routes with a ``{camera_id}`` path parameter: the camera's config, 404 when it is not
    granted (``check_camera``, checked first) or does not exist."""
    check_camera(allowed, camera_id)
    return camera_or_404(platform, camera_id)


def event_or_404(platform: Platform, allowed: frozenset[str] | None, event_id: str) -> Any:
    """The event row, or 404 when it does not exist or its camera is not granted (the same answer, so the
    caller learns nothing about events outside their scope)."""
    rec = platform.events.get(event_id)
    if rec is None or (allowed is not None and rec.camera_id not in allowed):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"event {event_id!r} not found")
    return rec


def client_ip(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def audit(conn: HTTPConnection, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
    """Append to the platform's audit chain as the current caller, with the client IP."""
    principal = getattr(conn.state, "principal", None)
    actor = principal.name if isinstance(principal, Principal) else "anonymous"
    get_platform(conn).get(Security).audit.append(actor, action, target, {**(detail or {}), "ip": client_ip(conn)})


def must_mask(platform: Platform, user: Principal) -> bool:
    """True when pictures shown to ``user`` must have faces (and plates) blurred: no see_identities."""
    security = platform.find(Security)
    return not user.see_identities and (security is None or security.config.mask_faces)


def require_identities(platform: Platform, user: Principal, what: str) -> None:
    """403 for video that cannot be masked (copied H.264/H.265: HLS, recordings) when ``user`` must see it masked.

    Blurring faces in compressed video means decoding and re-encoding every frame, which the platform does
    not do for playback; serving the stream unmasked would defeat the see_identities permission.
    """
    if must_mask(platform, user):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{what} is unmasked video and needs the see_identities permission; use live.mjpg (masked) instead",
        )


def scoped_video(what: str) -> Callable[..., CameraConfig]:
    """Dependency: ``scoped_camera`` for unmaskable video (HLS, recordings), then ``require_identities``
    (403 naming ``what``) — so a camera not granted is 404 before the identity check."""

    def check(
        camera: CameraConfig = Depends(scoped_camera),
        platform: Platform = Depends(get_platform),
        user: Principal = Depends(current_user),
    ) -> CameraConfig:
        require_identities(platform, user, what)
        return camera

    return check


_AUDITED_ONCE: dict[tuple[str, str | None, str, str], float] = {}
_AUDITED_ONCE_LOCK = threading.Lock()
AUDIT_ONCE_WINDOW_S = 600.0


def audit_once(
    conn: HTTPConnection,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    window_s: float = AUDIT_ONCE_WINDOW_S,
) -> bool:
    """Audit ``action`` on ``target`` once per caller session within ``window_s``; True when it was written.

    Players poll an HLS playlist every few seconds; one entry per poll would bury the audit log, while one
    per session and camera (renewed after the window) still records who watched what, and when.
    """
    principal = getattr(conn.state, "principal", None)
    name = principal.name if isinstance(principal, Principal) else "anonymous"
    token = principal.token_id if isinstance(principal, Principal) else None
    key = (name, token, action, target)
    now = time.monotonic()
    with _AUDITED_ONCE_LOCK:
        if now - _AUDITED_ONCE.get(key, -window_s - 1.0) < window_s:
            return False
        _AUDITED_ONCE[key] = now
        if len(_AUDITED_ONCE) > 10_000:  # bounded: forget entries whose window has passed
            for k in [k for k, t in _AUDITED_ONCE.items() if now - t >= window_s]:
                del _AUDITED_ONCE[k]
    audit(conn, action, target, detail)
    return True
