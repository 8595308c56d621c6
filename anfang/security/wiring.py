"""One call that makes a :class:`~anfang.platform.Platform` secure by default.

``attach(platform)`` gives it ``keys`` (the SM2 key store under ``<data_dir>/keys``), ``audit`` (the SM3
hash chain), ``users`` (accounts, sessions, tokens), ``media`` (signing/encryption of evidence) and
``masker`` (privacy masking); creates the first admin with a one-time password; and adds per-type
retention to the platform's hourly purge. Keeping this out of platform.py means the platform only needs
one line, and the security feature decides its own wiring.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from anfang.security.audit import AuditLog
from anfang.security.config import SecurityConfig
from anfang.security.evidence import generate_sm4_key_file, load_sm4_key
from anfang.security.keys import KeyStore
from anfang.security.masking import build_masker
from anfang.security.media import MediaProtector
from anfang.security.passwords import LoginThrottle
from anfang.security.users import UserService
from anfang.store.db import EventRecord

if TYPE_CHECKING:
    from anfang.platform import Platform

log = logging.getLogger(__name__)

SYSTEM = "system"


def media_key(config: SecurityConfig, data_dir: Path, create: bool = True) -> bytes | None:
    """The SM4 media key when encryption is on (generated at the default path on first start)."""
    path = config.sm4_key_file or Path(data_dir) / "keys" / "media.sm4"
    if path.is_file():
        return load_sm4_key(key_file=path)
    if not config.encrypt_media:
        return None
    if config.sm4_key_file is not None or not create:
        raise FileNotFoundError(f"security.sm4_key_file: {path} does not exist")
    path.parent.mkdir(parents=True, exist_ok=True)
    return generate_sm4_key_file(path)


def attach(platform: Platform) -> None:
    """Wire keys, audit, users, evidence protection and masking into ``platform`` (called from its __init__)."""
    cfg: SecurityConfig = getattr(platform.config, "security", None) or SecurityConfig()
    platform.security_config = cfg  # type: ignore[attr-defined]
    platform.keys = keys = KeyStore(platform.data_dir)  # type: ignore[attr-defined]
    keys.ensure()
    signer = keys.signer()
    platform.audit = AuditLog(platform.engine, signer)  # type: ignore[attr-defined]
    throttle = LoginThrottle(
        max_failures=cfg.login.max_failures,
        window_s=cfg.login.window_s,
        lockout_s=cfg.login.lockout_s,
        max_failures_per_ip=cfg.login.max_failures_per_ip,
    )
    platform.users = UserService(platform.engine, throttle=throttle, session_ttl_s=cfg.session_ttl_h * 3600)  # type: ignore[attr-defined]
    key = media_key(cfg, platform.data_dir)
    platform.media = MediaProtector(platform.events, signer if cfg.sign_media else None, key)  # type: ignore[attr-defined]
    platform.media.install()  # type: ignore[attr-defined]
    platform.masker = build_masker(platform.config, platform.config.models_dir)  # type: ignore[attr-defined]
    password = platform.users.ensure_first_admin()  # type: ignore[attr-defined]
    if password:
        platform.audit.append(SYSTEM, "user.create", "admin", {"role": "admin", "first_start": True})  # type: ignore[attr-defined]
        announce_first_admin(password)
    _add_retention(platform, cfg)


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


def _add_retention(platform: Platform, cfg: SecurityConfig) -> None:
    """Chain per-type retention onto ``platform.purge_expired`` (the platform's hourly job calls it)."""
    base = platform.purge_expired

    def purge_expired(now: float | None = None) -> int:
        now = time.time() if now is None else now
        removed = base(now)
        ret = cfg.retention
        if ret.events_days is not None:
            removed += purge_events(platform, now - ret.events_days * 86400.0)
        if ret.snapshots_days is not None:
            purge_snapshots(platform, now - ret.snapshots_days * 86400.0)
        if ret.audit_days is not None:
            platform.audit.prune(now - ret.audit_days * 86400.0)  # type: ignore[attr-defined]
        return removed

    platform.purge_expired = purge_expired  # type: ignore[method-assign]


def purge_events(platform: Platform, cutoff: float) -> int:
    """Events older than ``cutoff``, with their pictures and signatures."""
    with Session(platform.engine) as s:
        rows = s.execute(
            select(EventRecord.snapshot_path, EventRecord.crop_path).where(EventRecord.start_time < cutoff)
        ).all()
    for row in rows:
        for rel in row:
            platform.media.remove(rel)  # type: ignore[attr-defined]
    return platform.events.purge(cutoff)


def purge_snapshots(platform: Platform, cutoff: float) -> int:
    """Drop pictures (not event rows) older than ``cutoff``; returns how many events lost pictures."""
    with Session(platform.engine) as s:
        rows = s.execute(
            select(EventRecord.id, EventRecord.snapshot_path, EventRecord.crop_path).where(
                EventRecord.start_time < cutoff,
                (EventRecord.snapshot_path.is_not(None)) | (EventRecord.crop_path.is_not(None)),
            )
        ).all()
        if rows:
            s.execute(
                update(EventRecord)
                .where(EventRecord.id.in_([r.id for r in rows]))
                .values(snapshot_path=None, crop_path=None)
            )
            s.commit()
    for row in rows:
        platform.media.remove(row.snapshot_path)  # type: ignore[attr-defined]
        platform.media.remove(row.crop_path)  # type: ignore[attr-defined]
    return len(rows)


def delete_track(platform: Platform, camera_id: str, track_id: int) -> int:
    """Delete a track's events and their media (right to erasure); returns events deleted."""
    from sqlalchemy import delete

    with Session(platform.engine) as s:
        rows = s.execute(
            select(EventRecord.id, EventRecord.snapshot_path, EventRecord.crop_path).where(
                EventRecord.camera_id == camera_id, EventRecord.track_id == track_id
            )
        ).all()
        if rows:
            s.execute(delete(EventRecord).where(EventRecord.id.in_([r.id for r in rows])))
            s.commit()
    for row in rows:
        platform.media.remove(row.snapshot_path)  # type: ignore[attr-defined]
        platform.media.remove(row.crop_path)  # type: ignore[attr-defined]
    return len(rows)
