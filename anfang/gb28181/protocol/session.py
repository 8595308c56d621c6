"""The platform side of one INVITE dialog (RFC 3261 §13-15 as GB/T 28181 §9.2 uses it), sans-IO.

We are the UAC: INVITE with our SDP offer → 1xx → 200 with the device's answer → ACK; BYE ends it from
either side. The object holds the dialog state (Call-ID, both tags, CSeq, remote target) and returns the
requests to send; the asyncio server moves them. A 200 that arrives again (the device did not hear our ACK)
gets the same ACK again.
"""

from __future__ import annotations

import secrets
from typing import Literal

from anfang.gb28181.protocol.core import Addr, GbCore
from anfang.gb28181.protocol.sdp import Offer, SdpError, SessionDescription, build_offer, parse_sdp
from anfang.protocols.sip import Request, Response, header_params, header_uri

State = Literal["calling", "proceeding", "confirmed", "failed", "terminated"]


class InviteSession:
    """One media session with one channel of a registered device."""

    def __init__(self, platform: GbCore, device_id: str, offer: Offer) -> None:
        self.device_id = device_id
        self.offer = offer
        c = platform.config
        self.request, self.addr = platform.new_request(device_id, "INVITE", build_offer(offer, c.platform_id),
                                                       content_type="APPLICATION/SDP")
        h = self.request.headers
        channel_uri = f"sip:{offer.channel_id}@{c.domain}"
        self.request.uri = channel_uri
        h.set("To", f"<{channel_uri}>")
        h.add("Contact", f"<sip:{c.platform_id}@{c.local_host}:{c.local_port}>")
        h.add("Subject", f"{offer.channel_id}:{offer.ssrc},{c.platform_id}:0")
        self.call_id = self.request.call_id
        self.cseq = self.request.cseq[0]
        self.local_from = h.get("From") or ""
        self.remote_to = h.get("To") or ""
        self.remote_target = channel_uri
        self.state: State = "calling"
        self.answer: SessionDescription | None = None
        self.error: str | None = None
        self._ack: Request | None = None

    @property
    def via_transport(self) -> str:
        return (self.request.headers.get("Via") or "SIP/2.0/UDP").split()[0].rsplit("/", 1)[-1]

    def _in_dialog(self, method: str, cseq: int) -> Request:
        req = Request(method, self.remote_target)
        h = req.headers
        host_port = (self.request.headers.get("Via") or "").split()[1].split(";")[0]
        h.add("Via", f"SIP/2.0/{self.via_transport} {host_port};rport;branch=z9hG4bK{secrets.token_hex(8)}")
        h.add("From", self.local_from)
        h.add("To", self.remote_to)
        h.add("Call-ID", self.call_id)
        h.add("CSeq", f"{cseq} {method}")
        h.add("Max-Forwards", "70")
        return req

    def on_response(self, resp: Response) -> Request | None:
        """Advance on a response to our INVITE; returns the ACK to send (for 2xx, and again on its retransmits)."""
        number, method = resp.cseq
        if method != "INVITE" or number != self.cseq:
            return None
        if resp.status < 200:
            if self.state == "calling":
                self.state = "proceeding"
            return None
        if self.state in ("confirmed", "terminated") and self._ack is not None:
            return self._ack if 200 <= resp.status < 300 else None
        if resp.status >= 300:
            self.state, self.error = "failed", f"{resp.status} {resp.reason}".strip()
            ack = self._in_dialog("ACK", self.cseq)
            ack.headers.set("Via", self.request.headers.get("Via") or "")  # non-2xx ACK: same transaction
            ack.headers.set("To", resp.headers.get("To") or self.remote_to)
            return ack
        self.remote_to = resp.headers.get("To") or self.remote_to
        contact = resp.headers.get("Contact")
        if contact:
            self.remote_target = header_uri(contact)
        try:
            self.answer = parse_sdp(resp.body)
        except SdpError as exc:
            self.error = f"bad SDP answer: {exc}"
        self._ack = self._in_dialog("ACK", self.cseq)
        self.state = "confirmed" if self.answer is not None else "failed"
        return self._ack

    def bye(self) -> Request | None:
        """The BYE ending a confirmed dialog (None if there is no dialog to end)."""
        if self.state != "confirmed":
            self.state = "terminated" if self.state != "failed" else self.state
            return None
        self.state = "terminated"
        return self._in_dialog("BYE", self.cseq + 1)

    def on_remote_bye(self) -> None:
        """The device ended the session (e.g. end of a playback, or it rebooted its encoder)."""
        self.state = "terminated"

    @property
    def remote_tag(self) -> str | None:
        return header_params(self.remote_to).get("tag")

    @property
    def target(self) -> Addr:
        return self.addr
