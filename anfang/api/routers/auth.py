"""Login, logout, who-am-I, password change, and API tokens for integrations.

``public`` holds the one route that must work without a user (login); everything in ``router`` goes
through the app's single ``current_user`` gate. The console gets an HttpOnly, SameSite=Strict cookie (no
script can read it, no other site can send it) plus a readable ``anfang_csrf`` cookie the console echoes in
``X-CSRF-Token`` on unsafe requests; integrations create Bearer tokens under /api/tokens.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from anfang.api.deps import SESSION_COOKIE, Principal, audit, client_ip, current_user, get_platform
from anfang.platform import Platform
from anfang.security.component import Security
from anfang.security.csrf import CSRF_COOKIE, csrf_token
from anfang.security.passwords import LoginResult
from anfang.security.users import UserError

public = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class MeOut(BaseModel):
    username: str
    role: str
    cameras: list[str] | None
    see_identities: bool
    must_change_password: bool


class PasswordIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class TokenIn(BaseModel):
    name: str = Field("", max_length=128)
    ttl_days: float | None = Field(None, gt=0, le=3650)


class TokenOut(BaseModel):
    id: str
    username: str
    name: str
    created_at: float
    expires_at: float | None


class NewTokenOut(TokenOut):
    token: str  # shown once; only its digest is stored


def _me(p: Principal) -> MeOut:
    return MeOut(
        username=p.name,
        role=next(iter(p.roles)),
        cameras=None if p.cameras is None else sorted(p.cameras),
        see_identities=p.see_identities,
        must_change_password=p.must_change_password,
    )


@public.post(
    "/login",
    response_model=MeOut,
    responses={
        401: {"description": "bad credentials"},
        403: {"description": "disabled"},
        429: {"description": "locked"},
    },
)
def login(body: LoginIn, request: Request, response: Response, platform: Platform = Depends(get_platform)) -> MeOut:
    ip = client_ip(request)
    users = platform.get(Security).users
    outcome, token = users.login(body.username, body.password, ip)
    ok = token is not None
    detail = {"result": outcome.result.value, "ip": ip}
    platform.get(Security).audit.append(body.username, "login" if ok else "login.failed", body.username, detail)
    if outcome.result is LoginResult.LOCKED:
        wait = str(max(1, math.ceil(outcome.retry_after_s)))
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many failed logins", {"Retry-After": wait})
    if outcome.result is LoginResult.DISABLED:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "account disabled")
    user = users.get(body.username)
    if token is None or user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(users.session_ttl_s),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    response.set_cookie(  # readable by the console's script: echoed in X-CSRF-Token (anfang.security.csrf)
        CSRF_COOKIE,
        csrf_token(token),
        max_age=int(users.session_ttl_s),
        httponly=False,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return _me(Principal.of(user))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request, user: Principal = Depends(current_user), platform: Platform = Depends(get_platform)
) -> Response:
    if user.token_kind == "session" and user.token_id:
        platform.get(Security).users.revoke(user.token_id)
    audit(request, "logout", user.name)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/auth/me", response_model=MeOut)
def me(user: Principal = Depends(current_user)) -> MeOut:
    return _me(user)


@router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={403: {"description": "current password wrong"}, 422: {"description": "new password too weak"}},
)
def change_password(
    body: PasswordIn,
    request: Request,
    user: Principal = Depends(current_user),
    platform: Platform = Depends(get_platform),
) -> Response:
    try:
        ok = platform.get(Security).users.change_password(user.name, body.current_password, body.new_password)
    except UserError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    audit(request, "user.password" if ok else "user.password.failed", user.name)
    if not ok:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "current password is wrong")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _token_out(t) -> TokenOut:  # noqa: ANN001 - TokenInfo
    return TokenOut(id=t.id, username=t.username, name=t.name, created_at=t.created_at, expires_at=t.expires_at)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(user: Principal = Depends(current_user), platform: Platform = Depends(get_platform)) -> list[TokenOut]:
    """The caller's API tokens (an admin sees everyone's)."""
    tokens = platform.get(Security).users.tokens(None if user.is_admin else user.name)
    return [_token_out(t) for t in tokens]


@router.post("/tokens", response_model=NewTokenOut, status_code=status.HTTP_201_CREATED)
def create_token(
    body: TokenIn, request: Request, user: Principal = Depends(current_user), platform: Platform = Depends(get_platform)
) -> NewTokenOut:
    security = platform.get(Security)
    days = body.ttl_days or security.config.api_token_ttl_days
    token_id, raw = security.users.issue(user.name, "api", body.name, None if days is None else days * 86400.0)
    audit(request, "token.create", user.name, {"token_id": token_id, "name": body.name})
    info = next(t for t in security.users.tokens(user.name) if t.id == token_id)
    return NewTokenOut(**_token_out(info).model_dump(), token=raw)


@router.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {"description": "unknown"}}
)
def revoke_token(
    token_id: str, request: Request, user: Principal = Depends(current_user), platform: Platform = Depends(get_platform)
) -> Response:
    if not platform.get(Security).users.revoke(token_id, None if user.is_admin else user.name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"token {token_id!r} not found")
    audit(request, "token.revoke", token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
