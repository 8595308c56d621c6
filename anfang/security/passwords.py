"""Password hashing (argon2id), login throttling with temporary lockout, one-time admin passwords.

Why argon2id: memory-hard, so GPU guessing of a stolen hash table costs far more than with PBKDF2; the
parameters live in the hash string, so raising them later only needs :meth:`Passwords.needs_rehash` at the
next successful login. Why throttle per user *and* per IP: per user stops guessing one account from many
addresses; per IP stops one address spraying one password across many accounts. A lockout is temporary
(the right password works again after it), so an attacker cannot lock the admin out for good.

Everything here is pure logic with an injected clock; the API layer supplies user records and the IP.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# ------------------------------------------------------------------ hashing


class Passwords:
    """argon2id with the RFC 9106 "low memory" profile by default (64 MiB, t=3, p=4)."""

    def __init__(self, time_cost: int = 3, memory_kib: int = 64 * 1024, parallelism: int = 4) -> None:
        self._ph = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)

    def hash(self, password: str) -> str:
        if not password:
            raise ValueError("empty password")
        return self._ph.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """False on mismatch *and* on a corrupt hash: a broken record must not let anyone in or crash login."""
        try:
            return self._ph.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._ph.check_needs_rehash(stored_hash)


_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I: read aloud, typed


def one_time_password(length: int = 20) -> str:
    """Random password for the first admin (printed once; the account must change it at first login).

    20 characters from 57 give ~116 bits, beyond any online or offline guessing.
    """
    if length < 12:
        raise ValueError("one-time passwords need at least 12 characters")
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


# ------------------------------------------------------------------ throttling


@dataclass
class _Bucket:
    failures: list[float] = field(default_factory=list)  # times of recent failures (within the window)
    locked_until: float = 0.0


class LoginThrottle:
    """``max_failures`` failures within ``window_s`` lock that user (or IP) for ``lockout_s`` seconds.

    Memory is bounded by pruning buckets that are neither locked nor have recent failures.
    """

    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 300.0,
        lockout_s: float = 900.0,
        max_failures_per_ip: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.max_failures_per_ip = max_failures_per_ip
        self.window_s = window_s
        self.lockout_s = lockout_s
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def _bucket(self, kind: str, key: str, now: float) -> _Bucket:
        b = self._buckets.setdefault((kind, key), _Bucket())
        b.failures = [t for t in b.failures if now - t < self.window_s]
        return b

    def retry_after(self, user: str, ip: str) -> float:
        """Seconds until a login attempt for ``user`` from ``ip`` is allowed again (0 = allowed now)."""
        now = self._clock()
        waits = [self._bucket(k, v, now).locked_until - now for k, v in (("user", user.lower()), ("ip", ip))]
        return max(0.0, *waits)

    def failure(self, user: str, ip: str) -> None:
        now = self._clock()
        for kind, key, limit in (("user", user.lower(), self.max_failures), ("ip", ip, self.max_failures_per_ip)):
            b = self._bucket(kind, key, now)
            b.failures.append(now)
            if len(b.failures) >= limit:
                b.locked_until = now + self.lockout_s
                b.failures.clear()
        self._prune(now)

    def success(self, user: str, ip: str) -> None:
        """A good login clears the user's failures (not the IP's: one right password must not reset spraying)."""
        self._buckets.pop(("user", user.lower()), None)

    def _prune(self, now: float) -> None:
        if len(self._buckets) < 10_000:
            return
        for key in [k for k, b in self._buckets.items() if b.locked_until <= now and not b.failures]:
            del self._buckets[key]


class LoginResult(Enum):
    OK = "ok"
    OK_MUST_CHANGE = "ok_must_change_password"
    BAD_CREDENTIALS = "bad_credentials"  # unknown user and wrong password look the same to the client
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass
class LoginOutcome:
    result: LoginResult
    retry_after_s: float = 0.0
    new_hash: str | None = None  # set when the stored hash should be upgraded to current parameters


_DUMMY_HASHES: dict[int, str] = {}


def authenticate(
    passwords: Passwords,
    throttle: LoginThrottle,
    username: str,
    ip: str,
    password: str,
    user: UserRecord | None,
) -> LoginOutcome:
    """The whole login decision. While locked, the password is not even checked (and not counted)."""
    wait = throttle.retry_after(username, ip)
    if wait > 0:
        return LoginOutcome(LoginResult.LOCKED, retry_after_s=wait)
    if user is None:
        # hash anyway so response time does not reveal whether the user exists
        dummy = _DUMMY_HASHES.setdefault(id(passwords), passwords.hash(secrets.token_hex(8)))
        passwords.verify(dummy, password)
        throttle.failure(username, ip)
        return LoginOutcome(LoginResult.BAD_CREDENTIALS)
    if not passwords.verify(user.password_hash, password):
        throttle.failure(username, ip)
        return LoginOutcome(LoginResult.BAD_CREDENTIALS)
    throttle.success(username, ip)
    if user.disabled:
        return LoginOutcome(LoginResult.DISABLED)
    new_hash = passwords.hash(password) if passwords.needs_rehash(user.password_hash) else None
    result = LoginResult.OK_MUST_CHANGE if user.must_change_password else LoginResult.OK
    return LoginOutcome(result, new_hash=new_hash)


# ------------------------------------------------------------------ users (sketch for the store/API)


class Role(StrEnum):
    """Coarse roles; camera scoping is a separate per-user list (``UserRecord.cameras``)."""

    ADMIN = "admin"  # everything, including users, keys and audit
    OPERATOR = "operator"  # live view, events, acknowledge alarms, export evidence
    VIEWER = "viewer"  # live view and events only
    AUDITOR = "auditor"  # reads and verifies the audit log; sees no cameras (separation of duties)


PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.VIEWER: frozenset({"camera.view", "event.view"}),
    Role.OPERATOR: frozenset({"camera.view", "event.view", "event.ack", "evidence.export", "evidence.view"}),
    Role.ADMIN: frozenset(
        {
            "camera.view",
            "camera.edit",
            "event.view",
            "event.ack",
            "evidence.export",
            "evidence.view",
            "user.manage",
            "key.manage",
            "config.edit",
            "evidence.delete",
        }
    ),
    # The admin does not read the audit log: whoever can change everything must not also be the one who
    # checks the record of those changes.
    Role.AUDITOR: frozenset({"audit.view"}),
}


@dataclass
class UserRecord:
    """What the store's ``users`` table needs to hold (the store developer owns the real model)."""

    username: str
    password_hash: str
    role: Role = Role.VIEWER
    cameras: list[str] | None = None  # None = all cameras; otherwise only these ids
    must_change_password: bool = False
    disabled: bool = False
    see_identities: bool = False  # unmasked faces/plates; without it the API blurs them

    def can(self, permission: str, camera_id: str | None = None) -> bool:
        if self.disabled or permission not in PERMISSIONS[self.role]:
            return False
        return camera_id is None or self.cameras is None or camera_id in self.cameras


def first_admin(passwords: Passwords, username: str = "admin") -> tuple[UserRecord, str]:
    """The initial admin with a one-time password; returns ``(record, password)`` — print it once, store the hash."""
    password = one_time_password()
    return UserRecord(username, passwords.hash(password), Role.ADMIN, must_change_password=True), password
