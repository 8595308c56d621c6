"""Security as a component: accounts, sessions, the audit chain, privacy masking and per-type retention.

Why a component: these were attributes the security wiring wrote onto the platform, with a retention step
patched over ``Platform.purge_expired``. Here they are typed fields of one class the API looks up with
``platform.get(Security)``; the keys and the evidence media policy are the core's (``ctx.keys``,
``ctx.media``), so every store is already built with them before any component exists.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from anfang.component import Component, Context
from anfang.events.model import Event
from anfang.security.audit import AuditLog, load_mac_key
from anfang.security.config import SecurityConfig
from anfang.security.masking import Masker, build_masker
from anfang.security.media import camera_of
from anfang.security.passwords import LoginThrottle
from anfang.security.problems import Problem
from anfang.security.users import UserService

if TYPE_CHECKING:
    from fastapi import APIRouter

log = logging.getLogger(__name__)

SYSTEM = "system"
DAY = 86400.0


class Security(Component):
    """Users and tokens, the SM3/SM2 audit log, the masker; ``stop`` signs the audit head."""

    name = "security"
    commands: ClassVar[tuple[str, ...]] = ("anfang.cli.security",)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.config: SecurityConfig = ctx.config.security
        cfg = self.config
        # Each entry MACed under a key outside the database (docs/security.md, "Audit log").
        self.audit = AuditLog(ctx.engine, ctx.keys.signer(), mac_key=load_mac_key(ctx.keys.root / "audit.mac"))
        throttle = LoginThrottle(
            max_failures=cfg.login.max_failures,
            window_s=cfg.login.window_s,
            lockout_s=cfg.login.lockout_s,
            max_failures_per_ip=cfg.login.max_failures_per_ip,
        )
        self.users = UserService(ctx.engine, throttle=throttle, session_ttl_s=cfg.session_ttl_h * 3600)
        self.masker: Masker = build_masker(ctx.config, ctx.models_dir)  # the one face detector + plate locator
        self._alarmed: set[Path] = set()  # files already alarmed (one alarm per file, an audit entry per read)
        self._alarm_lock = threading.Lock()
        self._stop = threading.Event()
        self._checker: threading.Thread | None = None
        ctx.media.on_tampered.append(self.evidence_tampered)
        password = self.users.ensure_first_admin()
        if password:
            self.audit.append(SYSTEM, "user.create", "admin", {"role": "admin", "first_start": True})
            announce_first_admin(password)

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import audit, auth, evidence, users

        return (auth.router, users.router, audit.router, evidence.router)

    @classmethod
    def public_routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import auth

        return (auth.public,)

    def start(self) -> None:
        self.audit.checkpoint_or_log("start")  # a head a full disk left unsigned at the last stop
        interval = self.config.evidence_check_interval_s
        if interval is not None:
            self._stop.clear()
            self._checker = threading.Thread(target=self._check_loop, args=(interval,), name="evidence-check",
                                             daemon=True)  # fmt: skip
            self._checker.start()

    def stop(self) -> None:
        self._stop.set()
        if self._checker is not None:
            self._checker.join(timeout=10.0)
            self._checker = None
        self.audit.checkpoint_or_log("stop")  # sign the audit head at shutdown (a full disk: logged, not raised)

    # ------------------------------------------------------------ evidence at rest

    def check_evidence(self) -> tuple[int, int]:
        """Verify every stored picture and segment against its sidecar; ``(checked, tampered)``; mismatches alarm."""
        checked = bad = 0
        for path, check in self.ctx.media.stored_evidence(self.ctx.data_dir):
            if self._stop.is_set():
                return checked, bad
            try:
                result = check(path)
            except (OSError, PermissionError) as err:  # gone meanwhile (retention) or no key
                log.debug("evidence check skipped %s: %s", path, err)
                continue
            checked += 1
            if result.problems:
                bad += 1
                self.evidence_tampered(path, result.problems, by="evidence-check")
        return checked, bad

    def _check_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                t0 = time.monotonic()
                checked, bad = self.check_evidence()
                log.info("evidence check: %d picture(s) checked, %d tampered (%.1f s)", checked, bad,
                         time.monotonic() - t0)  # fmt: skip
            except Exception:
                log.exception("evidence check failed")

    def evidence_tampered(self, path: Path, problems: list[Problem], by: str = SYSTEM) -> None:
        """Audit a refused read of tampered evidence; raise the ``evidence_tampered`` alarm once per file."""
        why = "; ".join(p.message for p in problems)
        camera = camera_of(path)
        try:
            rel = path.relative_to(self.ctx.data_dir).as_posix()
        except ValueError:
            rel = path.name
        log.error("evidence %s fails its at-rest signature check: %s", rel, why)
        try:
            detail = {"camera_id": camera, "problems": [str(p) for p in problems]}
            self.audit.append(by, "evidence.tampered", rel, detail)
        except Exception:  # e.g. a full database: the alarm below must still go out
            log.exception("could not audit the tampered evidence %s", rel)
        with self._alarm_lock:
            if path in self._alarmed:
                return
            self._alarmed.add(path)
        self.ctx.sink(Event(camera_id=camera, rule="system", type="evidence_tampered", start_time=time.time(),
                            attributes={"message": f"stored evidence {rel} was modified: {why}",
                                        "severity": "critical", "file": rel}))  # fmt: skip

    def purge(self, now: float) -> None:
        """Per-type retention (``security.retention``), on top of the store's ``retention_days``."""
        ret = self.config.retention
        if ret.events_days is not None:
            self.ctx.events.purge(now - ret.events_days * DAY)
        if ret.snapshots_days is not None:
            self.ctx.events.purge_snapshots(now - ret.snapshots_days * DAY)
        if ret.audit_days is not None:
            self.audit.prune(now - ret.audit_days * DAY)


def announce_first_admin(password: str) -> None:
    """Printed once, on the console only (never to a log file handler, never stored in clear)."""
    bar = "=" * 64
    print(
        f"\n{bar}\n anfang: first start — created user 'admin'\n one-time password: {password}\n"
        f" (you must change it at first login; it is not shown again)\n{bar}\n",
        file=sys.stderr,
        flush=True,
    )
    log.warning("first start: user 'admin' created; its one-time password was printed on the console")
