"""Evidence media policy: SM2-signed sidecars and optional SM4-GCM encryption at rest.

Why a policy object the stores are built with: a store's job is durable rows and files; what the bytes
look like (clear or encrypted) and who vouches for them is security policy. Every store that writes
pictures (events, structured records) takes a :class:`MediaPolicy` in its constructor, so none can be
wired without it and no method is patched at run time. ``seal`` encrypts *before* the store writes (clear
pictures never touch the disk); ``sign`` writes the sidecar over the clear content, so a picture verifies
the same whether it is later exported decrypted or re-encrypted under a new key. ``MediaPolicy()`` (no
signer, no key) is the do-nothing default.
"""

from __future__ import annotations

import logging
from pathlib import Path

from anfang.security.config import SecurityConfig
from anfang.security.evidence import (
    MAGIC,
    SIDECAR_SUFFIX,
    decrypt_bytes,
    encrypt_bytes,
    generate_sm4_key_file,
    load_sm4_key,
    sign_bytes,
)
from anfang.security.keys import KeyStore, Signer

log = logging.getLogger(__name__)

KINDS = ("snapshot", "crop")


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


class MediaPolicy:
    """How evidence pictures are written and read: encrypted with ``key`` (if any), signed by ``signer`` (if any)."""

    def __init__(self, signer: Signer | None = None, key: bytes | None = None) -> None:
        self.signer = signer
        self.key = key

    @classmethod
    def from_config(cls, config: SecurityConfig, data_dir: Path, keys: KeyStore) -> MediaPolicy:
        """The platform's policy: sign with the platform key when ``sign_media``, encrypt when a key is there."""
        return cls(keys.signer() if config.sign_media else None, media_key(config, data_dir))

    def seal(self, data: bytes) -> bytes:
        """The bytes to put on disk for clear ``data`` (encrypted when there is a key)."""
        return encrypt_bytes(data, self.key) if self.key is not None else data

    def sign(self, path: Path, data: bytes) -> None:
        """Write ``path``'s signature sidecar over the clear ``data`` (nothing without a signer)."""
        if self.signer is None:
            return
        try:
            sign_bytes(path, data, self.signer)
        except OSError:
            log.exception("could not write the signature of %s", path.name)

    def open(self, path: Path | None) -> bytes | None:
        """Clear bytes of a stored file (``None`` if missing); raises DecryptionError on a bad key/file."""
        if path is None or not path.is_file():
            return None
        data = path.read_bytes()
        if data.startswith(MAGIC):
            if self.key is None:
                raise PermissionError(f"{path.name} is encrypted and no SM4 key is configured")
            return decrypt_bytes(data, self.key)
        return data

    @staticmethod
    def remove(path: Path | None) -> None:
        """Delete a stored file and its signature sidecar."""
        if path is None:
            return
        for p in (path, path.with_name(path.name + SIDECAR_SUFFIX)):
            try:
                p.unlink(missing_ok=True)
            except OSError as err:
                log.warning("cannot delete %s: %s", p, err)
