"""The view library's server side without HTTP: who may call, registrations, storing posted objects.

The router (:mod:`anfang.viid.router`) hands this the request's method, path, headers, client address and
body; everything that decides an answer is here. Digest is :class:`anfang.protocols.sip.auth.
DigestAuthenticator` (the same RFC 7616 code GB/T 28181 registration uses), with ``qop=auth`` offered and
RFC 2069 answers (no qop) accepted, MD5 as GA/T 1400 devices use it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from anfang.protocols.sip.auth import DigestAuthenticator, DigestError, parse_auth_params
from anfang.structuring.ids import new_record_id
from anfang.structuring.service import RecordService
from anfang.viid.codes import Status
from anfang.viid.config import ViidServerConfig
from anfang.viid.convert import Inbound, to_row
from anfang.viid.messages import MessageError, Subscription, parse_subscribes, status_object
from anfang.viid.shapes import KINDS
from anfang.viid.tables import ReceivedRow, SubscriptionRow

log = logging.getLogger(__name__)


@dataclass
class AuthResult:
    peer: str | None  # the authenticated device ID, None when refused
    challenge: str | None = None  # WWW-Authenticate value to send with the 401
    error: str = ""


class ViidServer:
    """Authentication, registrations, and ingest into the record service (see module docstring)."""

    def __init__(self, config: ViidServerConfig, engine: Engine, records: RecordService | None) -> None:
        self.config = config
        self.engine = engine
        self.records = records
        self.passwords = {d.device_id: d.password for d in config.devices}
        self.digest = DigestAuthenticator(realm=config.realm, algorithm="MD5", qop="auth")
        self._digest_lock = threading.Lock()
        self._ingest_lock = threading.Lock()  # check-then-insert of data IDs is one step
        self.registered: dict[str, tuple[str, float]] = {}  # device -> (client host, expiry)
        self.received = 0  # objects stored since start (for the bench and the health of a run)

    # ------------------------------------------------------------ authentication

    def authenticate(self, method: str, headers: Mapping[str, str], host: str, digest_only: bool = False,
                     now: float | None = None) -> AuthResult:
        """Who is calling: a valid Digest answer, or (``trust_registered``) the ``User-Identify`` of a device
        registered from the same address. Otherwise a fresh challenge."""
        now = time.time() if now is None else now
        authorization = headers.get("authorization", "")
        stale = False
        if authorization.lower().startswith("digest"):
            try:
                _scheme, params = parse_auth_params(authorization)
                user = params.get("username", "")
                password = self.passwords.get(user)
                with self._digest_lock:
                    if password is not None and self.digest.verify(authorization, method, password, now):
                        return AuthResult(user)
                    stale = password is not None and not self.digest.known_nonce(params.get("nonce", ""), now)
            except DigestError as exc:
                return AuthResult(None, self._challenge(now), str(exc))
        elif not digest_only and self.config.trust_registered:
            ident = headers.get("user-identify", "")
            entry = self.registered.get(ident)
            if entry is not None and entry[0] == host and entry[1] >= now:
                return AuthResult(ident)
        return AuthResult(None, self._challenge(now, stale), "authentication required")

    def _challenge(self, now: float, stale: bool = False) -> str:
        with self._digest_lock:
            return self.digest.challenge(now, stale=stale)

    # ------------------------------------------------------------ system

    def register(self, peer: str, device_id: str, host: str, now: float | None = None) -> Status:
        if device_id != peer:
            return Status.INVALID_OPERATION
        self.registered[device_id] = (host, (time.time() if now is None else now) + self.config.registration_s)
        log.info("viid: %s registered from %s", device_id, host)
        return Status.OK

    def keepalive(self, peer: str, device_id: str, host: str, now: float | None = None) -> Status:
        entry = self.registered.get(device_id)
        if device_id != peer or entry is None:
            return Status.INVALID_OPERATION  # not registered: the client registers again
        self.registered[device_id] = (host, (time.time() if now is None else now) + self.config.registration_s)
        return Status.OK

    def unregister(self, peer: str, device_id: str) -> Status:
        if device_id != peer:
            return Status.INVALID_OPERATION
        self.registered.pop(device_id, None)
        return Status.OK

    # ------------------------------------------------------------ objects

    def ingest(self, url: str, items: Sequence[tuple[str, Any, bytes | None]], peer: str) -> list[dict[str, Any]]:
        """Store posted objects (``(record type, object, enclosing scene picture)``); one status per object.

        An object whose data ID is already stored answers OK without a second record (a client re-sending
        a batch whose answer it lost). Bad objects answer StatusCode 8 with the reason; the good ones of the
        same batch are stored all the same.
        """
        if self.records is None:
            return [status_object(url, Status.DEVICE_ERROR, "", "records are unavailable") for _ in items]
        now = time.time()
        answers: list[dict[str, Any] | None] = []
        parsed: list[tuple[int, Inbound]] = []
        for i, (kind, obj, scene) in enumerate(items):
            try:
                parsed.append((i, to_row(obj, kind, peer, now, scene)))
                answers.append(None)
            except MessageError as exc:
                oid = obj.get(f"{KINDS[kind][2]}ID", "") if isinstance(obj, Mapping) else ""
                answers.append(status_object(url, exc.status, str(oid), str(exc)))
        with self._ingest_lock:
            ids = {p.data_id for _i, p in parsed}
            with self.engine.connect() as conn:
                known = {r[0] for r in conn.execute(select(ReceivedRow.data_id).where(ReceivedRow.data_id.in_(ids)))}
            fresh: dict[str, Inbound] = {}
            for _i, p in parsed:
                if p.data_id not in known:
                    fresh.setdefault(p.data_id, p)  # the same ID twice in one batch: stored once
            rows, received = [], []
            store = self.records.store
            for p in fresh.values():
                rid = new_record_id()
                row = p.row | {"id": rid}
                for role, data in p.pictures.items():
                    row[f"{role}_path"] = store.write_jpeg(rid, row["camera_id"], row["shot_time"], role, data)
                rows.append(row)
                received.append({"data_id": p.data_id, "record_id": rid, "peer": peer, "received_at": now})
            if rows:
                self.records.add_rows(rows)
                with self.engine.begin() as conn:
                    conn.execute(insert(ReceivedRow), received)  # new IDs only: checked under the lock
                self.received += len(rows)
        for i, p in parsed:
            answers[i] = status_object(url, Status.OK, p.data_id)
        return [a for a in answers if a is not None]

    def purge(self, cutoff: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(ReceivedRow).where(ReceivedRow.received_at < cutoff))

    # ------------------------------------------------------------ subscriptions

    def subscribe(self, url: str, body: Mapping[str, Any], peer: str) -> list[dict[str, Any]]:
        """Store (or cancel, OperateType 1) each posted SubscribeObject; one status per object."""
        out = []
        now = time.time()
        for sid, sub in parse_subscribes(body):
            if isinstance(sub, MessageError):
                out.append(status_object(url, sub.status, str(sid), str(sub)))
                continue
            with Session(self.engine) as s, s.begin():
                s.merge(SubscriptionRow(id=sub.id, peer=peer, body=sub.raw, created_at=now))
            out.append(status_object(url, Status.OK, sub.id))
            log.info("viid: %s %s subscription %s (%s)", peer, "cancelled" if sub.cancel else "set",
                     sub.id, ",".join(sorted(sub.kinds)))  # fmt: skip
        return out

    def cancel(self, ids: Sequence[str], peer: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(SubscriptionRow).where(SubscriptionRow.id.in_(list(ids)),
                                                                SubscriptionRow.peer == peer))  # fmt: skip
            return int(result.rowcount or 0)

    def subscriptions(self, peer: str | None = None) -> list[Subscription]:
        """Stored subscriptions (all, or one peer's), cancelled ones included (``cancel`` set)."""
        stmt = select(SubscriptionRow.body)
        if peer is not None:
            stmt = stmt.where(SubscriptionRow.peer == peer)
        with self.engine.connect() as conn:
            bodies = [r[0] for r in conn.execute(stmt)]
        subs = [sub for _sid, sub in parse_subscribes({"SubscribeListObject": {"SubscribeObject": bodies}})]
        return [s for s in subs if isinstance(s, Subscription)]
