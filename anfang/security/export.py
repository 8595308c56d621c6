"""Export one event as a signed evidence bundle (API download and ``anfang evidence export``).

Pictures are decrypted into a private temporary folder only for the time it takes to build the bundle:
a bundle is meant to be read by others offline, so it carries clear media plus SM2 signatures.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from anfang.security.evidence import export_bundle
from anfang.security.keys import Signer
from anfang.security.media import KINDS
from anfang.store.events import EventStore


def export_event(
    store: EventStore,
    signer: Signer,
    event_id: str,
    out: str | os.PathLike[str],
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write ``out`` (a .zip or a new directory); ``KeyError`` for an unknown event. Pictures are read
    through the store's media policy (decrypted with its key)."""
    rec = store.get(event_id)
    if rec is None:
        raise KeyError(event_id)
    with tempfile.TemporaryDirectory(prefix="anfang-export-") as tmp:
        files = []
        for kind in KINDS:
            data = store.read_media(getattr(rec, f"{kind}_path"))
            if data:
                path = Path(tmp) / f"{rec.id}_{kind}.jpg"
                path.write_bytes(data)
                files.append(path)
        info = {"event": rec.to_event().to_dict(), **(meta or {})}
        return export_bundle(files, info, out, signer)
