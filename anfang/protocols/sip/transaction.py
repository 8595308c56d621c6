"""Server transactions (RFC 3261 §17.2): absorb UDP retransmissions by replaying the last response.

A camera that does not hear our 200 re-sends its REGISTER with the same branch; answering it again from
the cache (instead of re-running the registrar) keeps nonces and state consistent.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from anfang.protocols.sip.message import Request, Response, header_params

TIMER_J = 32.0  # 64*T1: how long a completed non-INVITE transaction absorbs retransmissions


@dataclass
class _Entry:
    response: Response | None
    created: float


def transaction_key(request: Request) -> tuple[str, str, str]:
    """(branch, method, sent-by): ACK matches its INVITE (§17.2.3); RFC 2543 peers fall back to Call-ID+CSeq."""
    method = "INVITE" if request.method == "ACK" else request.method
    vias = request.vias
    top = vias[0] if vias else ""
    branch = header_params(top).get("branch", "")
    sent_by = top.split(";")[0].split(" ")[-1].strip() if top else ""
    if not branch.startswith("z9hG4bK"):
        branch = f"{request.call_id}|{request.headers.get('CSeq', '')}|{branch}"
    return branch, method, sent_by


class ServerTransactions:
    """Bounded cache of server transactions keyed by :func:`transaction_key`."""

    def __init__(self, max_entries: int = 10000, linger: float = TIMER_J) -> None:
        self._entries: OrderedDict[tuple[str, str, str], _Entry] = OrderedDict()
        self.max_entries = max_entries
        self.linger = linger
        self.absorbed = 0

    def lookup(self, request: Request, now: float) -> tuple[bool, Response | None]:
        """(is_retransmission, response_to_resend). A new request is registered as pending."""
        self._expire(now)
        key = transaction_key(request)
        entry = self._entries.get(key)
        if entry is None:
            self._entries[key] = _Entry(None, now)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
            return False, None
        self.absorbed += 1
        return True, entry.response

    def record(self, request: Request, response: Response, now: float) -> None:
        """Remember the response sent for ``request`` so retransmissions get the very same bytes."""
        self._entries[transaction_key(request)] = _Entry(response, now)

    def _expire(self, now: float) -> None:
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if now - entry.created <= self.linger:
                break
            del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
