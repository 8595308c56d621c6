"""Users, console sessions and API tokens in the database.

Why tokens are stored only as SM3 digests: a leaked database or backup must not let anyone in; the raw
token exists only in the browser's HttpOnly cookie or in the integration's secret store. Sessions and API
tokens share one table (``kind``) because they are checked the same way on every request; sessions expire
after ``session_ttl_h``, API tokens when revoked (or after an optional lifetime).

A user without a password (``password=None``) cannot log in with a password at all (the stored hash is a
non-hash marker); such accounts are for integrations that only use tokens.
"""

from __future__ import annotations

import builtins
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Double, Engine, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from anfang.security.passwords import (
    LoginOutcome,
    LoginResult,
    LoginThrottle,
    Passwords,
    Role,
    UserRecord,
    authenticate,
    one_time_password,
)
from anfang.security.sm import sm3_hex
from anfang.store.db import NAMING_CONVENTION, Base, tables_metadata

NO_PASSWORD = "!"  # not an argon2 hash: verify() is always False
MIN_PASSWORD_LENGTH = 10
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@")


class UserRow(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    cameras: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # NULL = all cameras
    see_identities: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)


class TokenRow(Base):
    __tablename__ = "auth_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public handle for listing / revoking
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "session" | "api"
    username: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float | None] = mapped_column(Double, nullable=True)


class SecurityBase:
    """The users and tokens tables alone, as migration 0002_security creates them (not an ORM base)."""

    metadata = tables_metadata(UserRow.__table__, TokenRow.__table__, naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class TokenInfo:
    id: str
    kind: str
    username: str
    name: str
    created_at: float
    expires_at: float | None


class UserError(ValueError):
    """A user change that is refused (message says why); ``conflict`` for 409-style refusals."""

    def __init__(self, message: str, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


def _record(row: UserRow) -> UserRecord:
    return UserRecord(
        username=row.username,
        password_hash=row.password_hash,
        role=Role(row.role),
        cameras=None if row.cameras is None else list(row.cameras),
        must_change_password=row.must_change_password,
        disabled=row.disabled,
        see_identities=row.see_identities,
    )


def _digest(token: str) -> str:
    return sm3_hex(token.encode())


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password: at least {MIN_PASSWORD_LENGTH} characters")


class UserService:
    """Everything the API needs about users; thread-safe (one short DB session per call)."""

    def __init__(
        self,
        engine: Engine,
        passwords: Passwords | None = None,
        throttle: LoginThrottle | None = None,
        session_ttl_s: float = 12 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.passwords = passwords or Passwords()
        self.throttle = throttle or LoginThrottle()
        self.session_ttl_s = session_ttl_s
        self.clock = clock

    # ------------------------------------------------------------ users

    def count(self) -> int:
        with Session(self.engine) as s:
            return int(s.scalar(select(func.count()).select_from(UserRow)) or 0)

    def ensure_first_admin(self, username: str = "admin") -> str | None:
        """Create ``admin`` with a one-time password when no user exists; returns that password (else None)."""
        if self.count():
            return None
        password = one_time_password()
        self.create(username, password, Role.ADMIN, see_identities=True, must_change_password=True)
        return password

    def get(self, username: str) -> UserRecord | None:
        with Session(self.engine) as s:
            row = s.get(UserRow, username)
            return None if row is None else _record(row)

    def list(self) -> list[UserRecord]:
        with Session(self.engine) as s:
            return [_record(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]

    def create(
        self,
        username: str,
        password: str | None,
        role: Role | str = Role.VIEWER,
        cameras: builtins.list[str] | None = None,
        see_identities: bool = False,
        must_change_password: bool = False,
    ) -> UserRecord:
        if not username or len(username) > 64 or not set(username) <= _USERNAME_CHARS:
            raise UserError("username: 1-64 letters, digits or _ . - @")
        if password is not None:
            check_password_policy(password)
        now = self.clock()
        row = UserRow(
            username=username,
            password_hash=NO_PASSWORD if password is None else self.passwords.hash(password),
            role=Role(role).value,
            cameras=None if cameras is None else sorted(set(cameras)),
            see_identities=see_identities,
            must_change_password=must_change_password,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        with Session(self.engine) as s:
            if s.get(UserRow, username) is not None:
                raise UserError(f"user {username!r} exists", conflict=True)
            s.add(row)
            s.commit()
            return _record(row)

    def update(self, username: str, **changes: Any) -> UserRecord:
        """Change role, cameras, see_identities, disabled, must_change_password or password; KeyError if unknown."""
        allowed = {"role", "cameras", "see_identities", "disabled", "must_change_password", "password"}
        unknown = set(changes) - allowed
        if unknown:
            raise UserError(f"cannot change {sorted(unknown)}")
        with Session(self.engine) as s:
            row = s.get(UserRow, username)
            if row is None:
                raise KeyError(username)
            demote = "role" in changes and Role(changes["role"]) != Role.ADMIN or changes.get("disabled")
            if row.role == Role.ADMIN and demote and self._admins(s) <= 1:
                raise UserError("the last admin cannot be demoted or disabled", conflict=True)
            if "password" in changes:
                check_password_policy(changes["password"])
                row.password_hash = self.passwords.hash(changes.pop("password"))
            if "role" in changes:
                row.role = Role(changes.pop("role")).value
            if "cameras" in changes:
                cams = changes.pop("cameras")
                row.cameras = None if cams is None else sorted(set(cams))
            for key, value in changes.items():
                setattr(row, key, bool(value))
            row.updated_at = self.clock()
            s.commit()
            if row.disabled:
                s.execute(delete(TokenRow).where(TokenRow.username == username))
                s.commit()
            return _record(row)

    def delete(self, username: str) -> None:
        with Session(self.engine) as s:
            row = s.get(UserRow, username)
            if row is None:
                raise KeyError(username)
            if row.role == Role.ADMIN and self._admins(s) <= 1:
                raise UserError("the last admin cannot be deleted", conflict=True)
            s.delete(row)
            s.execute(delete(TokenRow).where(TokenRow.username == username))
            s.commit()

    @staticmethod
    def _admins(s: Session) -> int:
        q = select(func.count()).select_from(UserRow).where(UserRow.role == Role.ADMIN.value, ~UserRow.disabled)
        return int(s.scalar(q) or 0)

    def change_password(self, username: str, current: str, new: str) -> bool:
        """False when ``current`` is wrong; clears ``must_change_password`` on success."""
        user = self.get(username)
        if user is None or not self.passwords.verify(user.password_hash, current):
            return False
        if new == current:
            raise UserError("new_password: must differ from the current password")
        self.update(username, password=new, must_change_password=False)
        return True

    # ------------------------------------------------------------ login and tokens

    def login(self, username: str, password: str, ip: str) -> tuple[LoginOutcome, str | None]:
        """The throttled password check; on success a new session token (raw, to put in the cookie)."""
        user = self.get(username)
        outcome = authenticate(self.passwords, self.throttle, username, ip, password, user)
        if outcome.result not in (LoginResult.OK, LoginResult.OK_MUST_CHANGE):
            return outcome, None
        if outcome.new_hash:
            with Session(self.engine) as s:
                row = s.get(UserRow, username)
                if row is not None:
                    row.password_hash = outcome.new_hash
                    s.commit()
        return outcome, self.issue(username, "session", "console")[1]

    def issue(self, username: str, kind: str = "api", name: str = "", ttl_s: float | None = None) -> tuple[str, str]:
        """A new token for ``username``; returns ``(id, raw token)``. Sessions always expire."""
        if kind == "session" and ttl_s is None:
            ttl_s = self.session_ttl_s
        token_id = secrets.token_hex(8)
        raw = f"anf_{secrets.token_urlsafe(32)}"
        now = self.clock()
        with Session(self.engine) as s:
            s.add(
                TokenRow(
                    id=token_id,
                    token_hash=_digest(raw),
                    kind=kind,
                    username=username,
                    name=name[:128],
                    created_at=now,
                    expires_at=None if ttl_s is None else now + ttl_s,
                )
            )
            s.commit()
        return token_id, raw

    def resolve(self, raw: str) -> tuple[UserRecord, TokenInfo] | None:
        """The user a raw token belongs to, if the token is known, unexpired and the user enabled."""
        if not raw:
            return None
        with Session(self.engine) as s:
            tok = s.scalars(select(TokenRow).where(TokenRow.token_hash == _digest(raw))).first()
            if tok is None:
                return None
            if tok.expires_at is not None and tok.expires_at <= self.clock():
                s.delete(tok)
                s.commit()
                return None
            row = s.get(UserRow, tok.username)
            if row is None or row.disabled:
                return None
            return _record(row), _info(tok)

    def revoke(self, token_id: str, username: str | None = None) -> bool:
        """Delete a token by id (only ``username``'s own when given); False if there was none."""
        with Session(self.engine) as s:
            q = delete(TokenRow).where(TokenRow.id == token_id)
            if username is not None:
                q = q.where(TokenRow.username == username)
            n = s.connection().execute(q).rowcount  # the session's connection: a CursorResult has rowcount
            s.commit()
            return bool(n)

    def tokens(self, username: str | None = None, kind: str | None = "api") -> builtins.list[TokenInfo]:
        with Session(self.engine) as s:
            q = select(TokenRow).order_by(TokenRow.created_at)
            if username is not None:
                q = q.where(TokenRow.username == username)
            if kind is not None:
                q = q.where(TokenRow.kind == kind)
            return [_info(t) for t in s.scalars(q)]


def _info(t: TokenRow) -> TokenInfo:
    return TokenInfo(t.id, t.kind, t.username, t.name, t.created_at, t.expires_at)
