"""Evidence media as it is written and read: SM2-signed sidecars, optional SM4-GCM encryption at rest.

Why wrap ``EventStore.add`` instead of changing the store: the store's job is durable rows and files; what
the bytes look like (clear or encrypted) and who vouches for them is security policy. The wrapper encrypts
the JPEG bytes *before* the store writes them (so clear pictures never touch the disk), lets the store do
its atomic write, then writes the sidecar. The sidecar signs the clear content, so a picture verifies the
same whether it is later exported decrypted or re-encrypted under a new key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from anfang.events.model import Event
from anfang.security.evidence import (
    MAGIC,
    SIDECAR_SUFFIX,
    decrypt_bytes,
    encrypt_bytes,
    sign_bytes,
)
from anfang.security.keys import Signer
from anfang.store.events import EventStore

log = logging.getLogger(__name__)

KINDS = ("snapshot", "crop")


class MediaProtector:
    """Signs (and optionally encrypts) every snapshot and crop the store writes; decrypts on read."""

    def __init__(self, store: EventStore, signer: Signer | None, key: bytes | None = None) -> None:
        self.store = store
        self.signer = signer
        self.key = key
        self._add: Callable[[Event], None] | None = None

    def install(self) -> None:
        """Route ``store.add`` through :meth:`add` (idempotent)."""
        if self._add is None:
            self._add = self.store.add
            self.store.add = self.add  # type: ignore[method-assign]

    def add(self, event: Event) -> None:
        assert self._add is not None, "install() first"
        clear = {kind: getattr(event, kind) for kind in KINDS}
        if self.key is not None:
            for kind, data in clear.items():
                if data:
                    setattr(event, kind, encrypt_bytes(data, self.key))
        try:
            self._add(event)
        finally:
            for kind, data in clear.items():  # observers after the store see the clear pictures
                setattr(event, kind, data)
        if self.signer is None:
            return
        for kind, data in clear.items():
            path = self.store.media_path(getattr(event, f"{kind}_path"))
            if data and path is not None:
                try:
                    sign_bytes(path, data, self.signer)
                except OSError:
                    log.exception("event %s: could not write the %s signature", event.id, kind)

    def read(self, relative: str | None) -> bytes | None:
        """Clear bytes of a stored media file (``None`` if missing); raises DecryptionError on a bad key/file."""
        path = self.store.media_path(relative)
        if path is None or not path.is_file():
            return None
        data = path.read_bytes()
        if data.startswith(MAGIC):
            if self.key is None:
                raise PermissionError(f"{path.name} is encrypted and no SM4 key is configured")
            return decrypt_bytes(data, self.key)
        return data

    def remove(self, relative: str | None) -> None:
        """Delete a media file and its signature (used by track deletion and snapshot retention)."""
        path = self.store.media_path(relative)
        if path is None:
            return
        for p in (path, path.with_name(path.name + SIDECAR_SUFFIX)):
            Path(p).unlink(missing_ok=True)
