"""The view-library client: register to an upper, keep alive, and deliver the spool in order (httpx).

One thread does everything in order, so delivery order is the spool's order: register (Digest; httpx's
``DigestAuth`` answers the challenge and reuses it for later requests), keepalive every ``keepalive_s``,
then the oldest batch of the spool as one POST. A failure (connection refused, timeout, 5xx, a StatusCode
that means "try later") leaves the batch queued and backs off, doubling from ``retry_min_s`` to
``retry_max_s``; a record the upper refuses for its content (StatusCode 8) is parked, not retried forever,
so one bad record cannot hold up the rest. The upper's answer carries each object's ID, so a partly accepted
batch only re-sends what was not accepted.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from anfang.structuring.store import RecordStore
from anfang.viid.codes import Status
from anfang.viid.config import ViidClientConfig
from anfang.viid.convert import from_row
from anfang.viid.messages import (
    CONTENT_TYPE,
    Subscription,
    decode,
    encode,
    gat_time,
    notification,
    notifications_body,
    statuses,
    system_request,
    wrap,
)
from anfang.viid.shapes import KINDS, id_field
from anfang.viid.spool import Entry, Spool

log = logging.getLogger(__name__)
RETRY_LATER = {Status.DEVICE_BUSY, Status.DEVICE_ERROR, Status.REBOOT, Status.OTHER_ERROR}


class UpperError(RuntimeError):
    """The upper did not take a request (unreachable, refused, or answered an error)."""


class ViidClient:
    """See the module docstring. ``subscriptions()``: the subscriptions our server holds (subscriptions mode);
    ``alarm(type, message, severity)``: raise a system alarm."""

    def __init__(self, config: ViidClientConfig, spool: Spool, store: RecordStore,
                 subscriptions: Callable[[], list[Subscription]] = list, server_id: str = "",
                 alarm: Callable[[str, str, str], None] | None = None) -> None:  # fmt: skip
        self.config = config
        self.spool = spool
        self.store = store
        self.subscriptions = subscriptions
        self.server_id = server_id
        self.alarm = alarm
        self.registered = False
        self.delivered = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._http: httpx.Client | None = None
        self._next_keepalive = 0.0
        self._backoff = config.retry_min_s
        self._down_since: float | None = None
        self._alarmed = False
        self._seq = 0

    # ------------------------------------------------------------ queueing (camera threads)

    def on_records(self, rows: Sequence[dict[str, Any]]) -> None:
        """The structuring service's new-record hook: queue each record for every target that wants it."""
        entries: list[tuple[str, str, str]] = []
        now = time.time()
        subs = self.subscriptions() if self.config.mode == "subscriptions" else []
        for row in rows:
            kind = row["type"]
            if self.config.mode == "direct":
                if kind in self.config.types:
                    entries.append(("direct", kind, row["id"]))
                continue
            device = _device(row)
            entries.extend((s.id, kind, row["id"]) for s in subs if s.wants(kind, device, now, self.server_id))
        if entries:
            self.spool.add(entries)
            self._wake.set()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._stop.clear()
        auth = httpx.DigestAuth(self.config.device_id, self.config.password)
        headers = {"Content-Type": CONTENT_TYPE, "User-Identify": self.config.device_id}
        self._http = httpx.Client(base_url=self.config.url.rstrip("/"), auth=auth, headers=headers,
                                  timeout=self.config.timeout_s)  # fmt: skip
        self._thread = threading.Thread(target=self._run, name="viid-client", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.config.timeout_s + 5)
            self._thread = None
        if self._http is not None:
            if self.registered:
                with contextlib.suppress(UpperError):
                    self._post("/VIID/System/UnRegister", system_request("UnRegister", self.config.device_id))
            self._http.close()
            self._http = None

    # ------------------------------------------------------------ the loop

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                more = self.step()
                self._healthy()
            except UpperError as exc:
                self._failed(str(exc))
                continue
            except Exception:  # a bug must not end delivery for good
                log.exception("viid client: unexpected error; retrying")
                self._failed("internal error")
                continue
            if not more:
                self._wake.wait(max(0.0, min(1.0, self._next_keepalive - time.monotonic())))
                self._wake.clear()

    def step(self) -> bool:
        """One round: (re-)register, keepalive when due, deliver one batch; True if more is queued."""
        if not self.registered:
            self._post("/VIID/System/Register", system_request("Register", self.config.device_id))
            self.registered = True
            self._next_keepalive = time.monotonic() + self.config.keepalive_s
            log.info("viid client: registered to %s as %s", self.config.url, self.config.device_id)
        if time.monotonic() >= self._next_keepalive:
            try:
                self._post("/VIID/System/Keepalive", system_request("Keepalive", self.config.device_id))
            except UpperError:
                self.registered = False
                raise
            self._next_keepalive = time.monotonic() + self.config.keepalive_s
        head = self.spool.head(self.config.batch)
        if not head:
            return False
        run = [e for e in _run_of(head)]
        self._deliver(run)
        return len(head) > len(run) or len(head) == self.config.batch

    def _deliver(self, run: list[Entry]) -> None:
        target, kind = run[0].target, run[0].kind
        rows = self.store.get_many(e.record_id for e in run)
        gone = [e.seq for e in run if e.record_id not in rows]
        if gone:
            log.warning("viid client: %d queued records were removed before delivery (retention)", len(gone))
            self.spool.done(gone)
        run = [e for e in run if e.record_id in rows]
        if not run:
            return
        shape = KINDS[kind][2]
        objects: list[dict[str, Any]] = []
        seq_of: dict[str, list[int]] = {}
        for e in run:
            row = rows[e.record_id]
            pictures = {}
            if self.config.pictures:
                pictures = {k: self.store.read_media(p) for k, p in (("crop", row.crop_path),
                            ("snapshot", row.snapshot_path)) if p}  # fmt: skip
            obj = from_row(row, pictures)
            objects.append(obj)
            seq_of.setdefault(obj[id_field(shape)], []).append(e.seq)
        if target == "direct":
            answer = self._post(KINDS[kind][3], wrap(kind, objects))
        else:
            sub = next((s for s in self.subscriptions() if s.id == target), None)
            if sub is None or sub.cancel:
                log.info("viid client: subscription %s is gone; %d queued records dropped", target, len(run))
                self.spool.done([e.seq for e in run])
                return
            self._seq += 1
            nid = f"{sub.id[:33]}{gat_time()}{self._seq % 100000:05d}"[:64]
            body = notifications_body([notification(nid, sub.id, {kind: objects})])
            answer = self._post(sub.receive_addr, body, absolute=True)
            answer = [a | {"Id": oid} for a in answer for oid in seq_of] if answer else []
        self._settle(run, seq_of, answer)

    def _settle(self, run: list[Entry], seq_of: dict[str, list[int]], answer: list[dict[str, Any]]) -> None:
        by_id = {str(a.get("Id", "")): a for a in answer}
        single = answer[0] if len(answer) == 1 and str(answer[0].get("Id", "")) not in seq_of else None
        ok, later, parked = [], [], []
        for oid, seqs in seq_of.items():
            status = by_id.get(oid) or single
            code = _code(status)
            if code == Status.OK:
                ok.extend(seqs)
            elif code in RETRY_LATER or code is None:
                later.extend(seqs)
            else:
                parked.extend(seqs)
                log.warning("viid client: upper refused %s: %s", oid, status.get("StatusString") if status else "")
        self.spool.done(ok)
        self.delivered += len(ok)
        if parked:
            self.spool.park(parked, "refused by the upper")
        if later:
            self.spool.failed(later, "upper asked to retry")
            raise UpperError(f"upper asked to retry {len(later)} objects")

    def _post(self, path: str, body: dict[str, Any], absolute: bool = False) -> list[dict[str, Any]]:
        """POST ``body``; the status objects of the answer. Raises UpperError unless it is HTTP 2xx and
        (for system requests) StatusCode 0."""
        assert self._http is not None
        try:
            r = self._http.post(path, content=encode(body))
        except httpx.HTTPError as exc:
            raise UpperError(f"{path}: {type(exc).__name__}: {exc}") from None
        if r.status_code == 401:
            self.registered = False
            raise UpperError(f"{path}: 401 (wrong device_id/password at the upper?)")
        if r.status_code >= 300:
            raise UpperError(f"{path}: HTTP {r.status_code} {r.text[:200]}")
        try:
            answer = statuses(decode(r.content))
        except ValueError:
            raise UpperError(f"{path}: answer is not VIID JSON") from None
        if "/System/" in path and (not answer or _code(answer[0]) != Status.OK):
            if path.endswith("Keepalive"):
                self.registered = False
            raise UpperError(f"{path}: {answer[0].get('StatusString') if answer else 'no status'}")
        return answer

    # ------------------------------------------------------------ back-off and alarms

    def _failed(self, why: str) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            log.warning("viid client: %s; queued records wait (%d)", why, self.spool.count())
        if not self._alarmed and now - self._down_since > 60 and self.alarm is not None:
            self._alarmed = True
            self.alarm("viid_upper_unreachable", f"VIID upper {self.config.url} unreachable: {why}", "major")
        self._stop.wait(self._backoff)
        self._backoff = min(self.config.retry_max_s, self._backoff * 2)

    def _healthy(self) -> None:
        if self._down_since is not None:
            log.info("viid client: upper %s reachable again after %.0f s", self.config.url,
                     time.monotonic() - self._down_since)  # fmt: skip
        self._down_since = None
        self._alarmed = False
        self._backoff = self.config.retry_min_s


def _run_of(head: list[Entry]) -> list[Entry]:
    """The leading entries of ``head`` with the same target and kind (one POST)."""
    first = head[0]
    out = []
    for e in head:
        if (e.target, e.kind) != (first.target, first.kind):
            break
        out.append(e)
    return out


def _code(status: dict[str, Any] | None) -> Status | None:
    try:
        return Status(int(status["StatusCode"])) if status is not None else None
    except (KeyError, TypeError, ValueError):
        return None


def _device(row: dict[str, Any]) -> str:
    from anfang.structuring.gat1400 import device_id

    return device_id(str(row["camera_id"]))
