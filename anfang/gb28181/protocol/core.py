"""The GB/T 28181 platform as a sans-IO state machine: requests in, responses + events out.

Registrar (Digest REGISTER, Date header for device clocks, Expires, unregister), keepalive tracking
(offline after 3 missed intervals or registration expiry) and MANSCDP handling (catalog assembly, alarms,
query results). The asyncio server only moves bytes; everything testable lives here.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from anfang.events.model import Event
from anfang.gb28181.protocol.ids import DeviceIdError, parse_device_id
from anfang.gb28181.protocol.manscdp import (
    CONTENT_TYPE,
    CatalogAssembler,
    Channel,
    ManscdpError,
    alarm_event,
    build_document,
    build_ptz_control,
    build_query,
    parse_manscdp,
)
from anfang.gb28181.protocol.ptz import PtzMove, ptz_command
from anfang.protocols.sip import (
    DigestAuthenticator,
    DigestError,
    Request,
    Response,
    header_params,
    header_uri,
    parse_auth_params,
)
from anfang.protocols.sip.message import SipParseError, uri_user

Addr = tuple[str, int]


@dataclass
class GbCoreConfig:
    """Who we are and how devices authenticate (one shared password, or one per device id)."""

    platform_id: str = "34020000002000000001"
    domain: str = "3402000000"
    password: str = "12345678"
    passwords: dict[str, str] = field(default_factory=dict)
    local_host: str = "127.0.0.1"
    local_port: int = 5060
    transport: str = "UDP"
    keepalive_interval: float = 60.0
    keepalive_misses: int = 3
    algorithm: str = "MD5"
    qop: str | None = None


@dataclass
class Device:
    device_id: str
    addr: Addr
    transport: str
    contact: str
    expires: float
    registered_at: float
    last_seen: float
    online: bool = True
    channels: list[Channel] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)


@dataclass
class QueryResult:
    """A completed answer to one of our queries (catalog assembled, DeviceInfo ...), keyed by device + SN."""

    device_id: str
    sn: int
    cmd_type: str
    payload: Any


def gb_date(now: float) -> str:
    """``2026-11-30T12:00:00.000`` (local time, milliseconds): the Date form GB28181 devices set clocks from."""
    t = time.localtime(now)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{int(now * 1000) % 1000:03d}"


def make_response(req: Request, status: int, reason: str = "", to_tag: str | None = None) -> Response:
    """Response copying Via/From/To/Call-ID/CSeq (RFC 3261 §8.2.6.2); adds a To tag if asked."""
    resp = Response(status, reason)
    for via in req.headers.get_all("Via"):
        resp.headers.add("Via", via)
    for name in ("From", "To", "Call-ID", "CSeq"):
        value = req.headers.get(name)
        if value is not None:
            if name == "To" and to_tag and "tag" not in header_params(value):
                value = f"{value};tag={to_tag}"
            resp.headers.add(name, value)
    return resp


class GbCore:
    """One platform instance; call :meth:`handle_request` per received request and :meth:`tick` periodically."""

    def __init__(self, config: GbCoreConfig) -> None:
        self.config = config
        self.auth = DigestAuthenticator(realm=config.domain, algorithm=config.algorithm, qop=config.qop)
        self.devices: dict[str, Device] = {}
        self.events: list[Event] = []
        self.results: list[QueryResult] = []
        self.catalogs = CatalogAssembler()
        self._sn = 0
        self._cseq = 0
        self.tag = secrets.token_hex(4)

    # ----- incoming -----------------------------------------------------------------------------------------
    def handle_request(self, req: Request, addr: Addr, now: float, transport: str = "UDP") -> Response | None:
        """The response to send back to ``addr`` (None for ACK)."""
        if req.method == "ACK":
            return None
        try:
            req.cseq  # noqa: B018 - validates CSeq before anything relies on it
        except SipParseError as exc:
            return make_response(req, 400, str(exc)[:80])
        if req.method == "REGISTER":
            return self._register(req, addr, now, transport)
        if req.method in ("MESSAGE", "NOTIFY"):
            return self._message(req, addr, now)
        if req.method in ("BYE", "CANCEL", "OPTIONS"):
            return make_response(req, 200, to_tag=self.tag)
        return make_response(req, 405)

    def _password(self, device_id: str) -> str:
        return self.config.passwords.get(device_id, self.config.password)

    def _register(self, req: Request, addr: Addr, now: float, transport: str) -> Response:
        device_id = uri_user(header_uri(req.headers.get("From") or ""))
        try:
            parse_device_id(device_id, strict_type=False)
        except DeviceIdError as exc:
            return make_response(req, 400, f"Bad device id: {exc}"[:120])
        authorization = req.headers.get("Authorization")
        if not authorization:
            resp = make_response(req, 401, to_tag=self.tag)
            resp.headers.add("WWW-Authenticate", self.auth.challenge(now))
            return resp
        try:
            ok = self.auth.verify(authorization, "REGISTER", self._password(device_id), now)
        except DigestError as exc:
            return make_response(req, 400, str(exc)[:120])
        if not ok:
            nonce = parse_auth_params(authorization)[1].get("nonce", "")
            if not self.auth.known_nonce(nonce, now):
                resp = make_response(req, 401, to_tag=self.tag)
                resp.headers.add("WWW-Authenticate", self.auth.challenge(now, stale=True))
                return resp
            return make_response(req, 403, to_tag=self.tag)
        contact = req.headers.get("Contact") or ""
        expires_raw = header_params(contact).get("expires") or req.headers.get("Expires") or "3600"
        expires = int(expires_raw) if expires_raw.strip().isdigit() else 3600
        resp = make_response(req, 200, to_tag=self.tag)
        if expires == 0:
            if self.devices.pop(device_id, None) is not None:
                self._emit(device_id, "device_unregistered", now)
        else:
            known = self.devices.get(device_id)
            self.devices[device_id] = Device(device_id, addr, transport, header_uri(contact), float(expires), now, now,
                                             channels=known.channels if known else [])
            if known is None or not known.online:
                self._emit(device_id, "device_online", now, reason="register")
            resp.headers.add("Contact", contact or f"<sip:{device_id}@{addr[0]}:{addr[1]}>")
        resp.headers.add("Expires", str(expires))
        resp.headers.add("Date", gb_date(now))
        return resp

    def _message(self, req: Request, addr: Addr, now: float) -> Response:
        try:
            msg = parse_manscdp(req.body)
        except ManscdpError as exc:
            return make_response(req, 400, str(exc)[:120])
        sender = uri_user(header_uri(req.headers.get("From") or ""))
        device = self.devices.get(sender) or self.devices.get(msg.device_id)
        if device is None:
            return make_response(req, 403, "Device not registered", to_tag=self.tag)
        device.last_seen = now
        device.addr = addr
        if not device.online:
            device.online = True
            self._emit(device.device_id, "device_online", now, reason=msg.cmd_type)
        if msg.cmd_type == "Catalog" and msg.kind in ("Response", "Notify"):
            channels = self.catalogs.feed(msg)
            if channels is not None:
                device.channels = channels
                self.results.append(QueryResult(device.device_id, msg.sn, "Catalog", channels))
        elif msg.cmd_type == "Alarm" and msg.kind == "Notify":
            self.events.append(alarm_event(msg, now))
        elif msg.kind == "Response":
            if msg.cmd_type == "DeviceInfo":
                device.info = dict(msg.fields)
            self.results.append(QueryResult(device.device_id, msg.sn, msg.cmd_type, msg))
        return make_response(req, 200, to_tag=self.tag)

    # ----- time ---------------------------------------------------------------------------------------------
    def tick(self, now: float) -> None:
        """Mark devices offline after missed keepalives; drop registrations that expired."""
        limit = self.config.keepalive_interval * self.config.keepalive_misses
        for device in list(self.devices.values()):
            if now > device.registered_at + device.expires:
                del self.devices[device.device_id]
                if device.online:
                    self._emit(device.device_id, "device_offline", now, reason="registration expired")
            elif device.online and now - device.last_seen > limit:
                device.online = False
                self._emit(device.device_id, "device_offline", now, reason="keepalive timeout")

    def _emit(self, device_id: str, kind: str, now: float, **attrs: Any) -> None:
        self.events.append(Event(camera_id=device_id, rule="gb28181", type=kind, start_time=now, attributes=attrs))

    def pop_events(self) -> list[Event]:
        out, self.events = self.events, []
        return out

    # ----- outgoing -----------------------------------------------------------------------------------------
    def next_sn(self) -> int:
        self._sn += 1
        return self._sn

    def new_request(self, device_id: str, method: str, body: bytes = b"", content_type: str = CONTENT_TYPE,
                    extra: dict[str, str] | None = None) -> tuple[Request, Addr]:
        """A request from us to a registered device, addressed to where its REGISTER came from."""
        device = self.devices.get(device_id)
        if device is None:
            raise KeyError(f"device {device_id} is not registered")
        c = self.config
        self._cseq += 1
        req = Request(method, f"sip:{device_id}@{device_id[:10]}")
        h = req.headers
        branch = f"z9hG4bK{secrets.token_hex(8)}"
        h.add("Via", f"SIP/2.0/{device.transport} {c.local_host}:{c.local_port};rport;branch={branch}")
        h.add("From", f"<sip:{c.platform_id}@{c.domain}>;tag={secrets.token_hex(4)}")
        h.add("To", f"<sip:{device_id}@{device_id[:10]}>")
        h.add("Call-ID", f"{secrets.token_hex(12)}@{c.local_host}")
        h.add("CSeq", f"{self._cseq} {method}")
        h.add("Max-Forwards", "70")
        for name, value in (extra or {}).items():
            h.add(name, value)
        if body:
            h.add("Content-Type", content_type)
        req.body = body
        return req, device.addr

    def query(self, device_id: str, cmd_type: str, **extra: Any) -> tuple[Request, Addr, int]:
        """MESSAGE carrying a Catalog/DeviceInfo/DeviceStatus/RecordInfo query; returns its SN for matching."""
        sn = self.next_sn()
        req, addr = self.new_request(device_id, "MESSAGE", build_query(cmd_type, sn, device_id, **extra))
        return req, addr, sn

    def ptz(self, device_id: str, channel_id: str, move: PtzMove) -> tuple[Request, Addr]:
        """DeviceControl MESSAGE moving (or, with a zero move, stopping) a channel's PTZ."""
        body = build_ptz_control(self.next_sn(), channel_id, ptz_command(move))
        return self.new_request(device_id, "MESSAGE", body)

    def subscribe(self, device_id: str, cmd_type: str, expires: int = 3600) -> tuple[Request, Addr, int]:
        """SUBSCRIBE for Catalog or Alarm notifications (GB/T 28181-2016 §9.11 / §9.4 SUBSCRIBE form)."""
        if cmd_type not in ("Catalog", "Alarm", "MobilePosition"):
            raise ValueError(f"cannot subscribe to {cmd_type!r}")
        sn = self.next_sn()
        extra: dict[str, Any] = {"StartAlarmPriority": 0, "EndAlarmPriority": 0, "AlarmMethod": 0} \
            if cmd_type == "Alarm" else {}
        body = build_document("Query", cmd_type, sn, device_id, extra)
        headers = {"Event": f"{cmd_type};id={sn}", "Expires": str(expires),
                   "Contact": f"<sip:{self.config.platform_id}@{self.config.local_host}:{self.config.local_port}>"}
        req, addr = self.new_request(device_id, "SUBSCRIBE", body, extra=headers)
        return req, addr, sn
