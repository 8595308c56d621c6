"""User administration (admin only): accounts, roles, camera grants, see_identities; every change audited."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from anfang.api.deps import audit, require_role, user_service
from anfang.security.passwords import Role, UserRecord
from anfang.security.users import UserError, UserService

router = APIRouter(prefix="/users", tags=["users"], dependencies=[Depends(require_role("admin"))])


class UserOut(BaseModel):
    username: str
    role: Role
    cameras: list[str] | None = Field(description="granted camera ids; null = all cameras")
    see_identities: bool
    must_change_password: bool
    disabled: bool


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str | None = Field(None, max_length=1024, description="omit for a token-only integration account")
    role: Role = Role.VIEWER
    cameras: list[str] | None = None
    see_identities: bool = False
    must_change_password: bool = True


class UserPatch(BaseModel):
    password: str | None = Field(None, max_length=1024)
    role: Role | None = None
    cameras: list[str] | None = None
    all_cameras: bool | None = Field(None, description="true grants every camera (cameras: null)")
    see_identities: bool | None = None
    must_change_password: bool | None = None
    disabled: bool | None = None


def _out(u: UserRecord) -> UserOut:
    return UserOut(
        username=u.username,
        role=u.role,
        cameras=u.cameras,
        see_identities=u.see_identities,
        must_change_password=u.must_change_password,
        disabled=u.disabled,
    )


def _refused(err: UserError) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT if err.conflict else status.HTTP_422_UNPROCESSABLE_CONTENT, str(err))


@router.get("", response_model=list[UserOut])
def list_users(users: UserService = Depends(user_service)) -> list[UserOut]:
    return [_out(u) for u in users.list()]


@router.post(
    "", response_model=UserOut, status_code=status.HTTP_201_CREATED, responses={409: {"description": "exists"}}
)
def create_user(body: UserIn, request: Request, users: UserService = Depends(user_service)) -> UserOut:
    try:
        user = users.create(
            body.username, body.password, body.role, body.cameras, body.see_identities, body.must_change_password
        )
    except UserError as err:
        raise _refused(err) from None
    audit(request, "user.create", user.username, {"role": user.role.value, "cameras": user.cameras})
    return _out(user)


@router.get("/{username}", response_model=UserOut, responses={404: {"description": "unknown user"}})
def get_user(username: str, users: UserService = Depends(user_service)) -> UserOut:
    user = users.get(username)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"user {username!r} not found")
    return _out(user)


@router.patch("/{username}", response_model=UserOut, responses={404: {"description": "unknown user"}})
def update_user(
    username: str, body: UserPatch, request: Request, users: UserService = Depends(user_service)
) -> UserOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if changes.pop("all_cameras", False):
        changes["cameras"] = None
    try:
        user = users.update(username, **changes)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"user {username!r} not found") from None
    except UserError as err:
        raise _refused(err) from None
    if changes.pop("password", None) is not None:
        changes["password_changed"] = True  # never the password itself
    audit(request, "user.update", username, {k: (v.value if isinstance(v, Role) else v) for k, v in changes.items()})
    return _out(user)


@router.delete("/{username}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {"description": "unknown user"}})
def delete_user(username: str, request: Request, users: UserService = Depends(user_service)) -> Response:
    try:
        users.delete(username)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"user {username!r} not found") from None
    except UserError as err:
        raise _refused(err) from None
    audit(request, "user.delete", username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
