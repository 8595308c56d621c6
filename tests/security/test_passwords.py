"""Passwords and login throttling (injected clock: no sleeping)."""

from __future__ import annotations

import pytest

from anfang.security.passwords import (
    LoginResult,
    LoginThrottle,
    Passwords,
    Role,
    UserRecord,
    authenticate,
    first_admin,
    one_time_password,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords(time_cost=1, memory_kib=8 * 1024, parallelism=1)  # cheap for tests; same code path


def test_hash_and_verify(passwords: Passwords) -> None:
    h = passwords.hash("correct horse")
    assert h.startswith("$argon2id$")
    assert passwords.verify(h, "correct horse")
    assert not passwords.verify(h, "correct horsE")
    assert not passwords.verify("garbage", "correct horse")
    assert passwords.hash("x") != passwords.hash("x")  # salted
    assert Passwords().needs_rehash(h)  # stronger defaults ask for an upgrade


def test_fifty_wrong_then_locked_then_right_after_lockout(passwords: Passwords) -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window_s=300, lockout_s=900, clock=clock)
    user = UserRecord("alice", passwords.hash("s3cret-pass"), Role.OPERATOR)
    results = []
    for _ in range(50):
        results.append(authenticate(passwords, throttle, "alice", "10.0.0.9", "wrong", user).result)
        clock.now += 1
    assert results[:5] == [LoginResult.BAD_CREDENTIALS] * 5
    assert set(results[5:]) == {LoginResult.LOCKED}
    during = authenticate(passwords, throttle, "alice", "10.0.0.9", "s3cret-pass", user)
    assert during.result is LoginResult.LOCKED and 0 < during.retry_after_s <= 900
    clock.now += during.retry_after_s
    assert authenticate(passwords, throttle, "alice", "10.0.0.9", "s3cret-pass", user).result is LoginResult.OK
    assert throttle.retry_after("alice", "10.0.0.9") == 0


def test_failures_outside_window_do_not_lock(passwords: Passwords) -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window_s=60, lockout_s=600, clock=clock)
    for _ in range(10):
        throttle.failure("bob", "1.2.3.4")
        clock.now += 61
    assert throttle.retry_after("bob", "1.2.3.4") == 0


def test_ip_spraying_is_locked_per_ip() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, max_failures_per_ip=10, clock=clock)
    for i in range(10):
        throttle.failure(f"user{i}", "6.6.6.6")
    assert throttle.retry_after("someone-else", "6.6.6.6") > 0
    assert throttle.retry_after("someone-else", "7.7.7.7") == 0
    assert throttle.retry_after("USER1", "7.7.7.7") == 0  # one failure per user: not locked


def test_unknown_user_counts_as_failure(passwords: Passwords) -> None:
    throttle = LoginThrottle(max_failures=2, clock=Clock())
    for _ in range(2):
        assert authenticate(passwords, throttle, "nobody", "1.1.1.1", "x", None).result is LoginResult.BAD_CREDENTIALS
    assert authenticate(passwords, throttle, "nobody", "1.1.1.1", "x", None).result is LoginResult.LOCKED


def test_first_admin_and_permissions(passwords: Passwords) -> None:
    admin, pw = first_admin(passwords)
    assert len(pw) == 20 and pw != one_time_password()
    out = authenticate(passwords, LoginThrottle(clock=Clock()), "admin", "::1", pw, admin)
    assert out.result is LoginResult.OK_MUST_CHANGE
    viewer = UserRecord("v", "h", Role.VIEWER, cameras=["gate"])
    assert viewer.can("camera.view", "gate") and not viewer.can("camera.view", "lobby")
    assert not viewer.can("evidence.export") and admin.can("key.manage")
    viewer.disabled = True
    assert not viewer.can("camera.view", "gate")
    with pytest.raises(ValueError):
        one_time_password(8)
