"""Evidence media policy: SM2-signed sidecars and optional SM4-GCM encryption at rest.

Why a policy object the stores are built with: a store's job is durable rows and files; what the bytes
look like (clear or encrypted) and who vouches for them is security policy. Every store that writes
pictures (events, structured records) takes a :class:`MediaPolicy` in its constructor, so none can be
wired without it and no method is patched at run time. ``seal`` encrypts *before* the store writes (clear
pictures never touch the disk); ``sign`` writes the sidecar over the clear content, so a picture verifies
the same whether it is later exported decrypted or re-encrypted under a new key. ``MediaPolicy()`` (no
signer, no key) is the do-nothing default.

Why ``open`` checks the sidecar on every read: a picture whose bytes were changed on disk must never be
served, nor re-signed into an export bundle (that would launder it). Every read of stored evidence goes
through ``open``, so it is the one place to refuse: it raises :class:`EvidenceTampered` and calls the
``on_tampered`` hooks (the security component audits and raises the ``evidence_tampered`` alarm there).
A file without a sidecar is read (pictures from before signing was on); ``anfang evidence verify
--data-dir`` counts those as unsigned.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from anfang.security.config import SecurityConfig
from anfang.security.evidence import (
    MAGIC,
    SIDECAR_SUFFIX,
    check_signature_doc,
    decrypt_bytes,
    encrypt_bytes,
    generate_sm4_key_file,
    load_sm4_key,
    sign_bytes,
    sign_file,
)
from anfang.security.keys import KeyStore, Signer
from anfang.security.problems import Problem
from anfang.security.sm import DecryptionError, sm3_file, sm3_hex

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


class EvidenceTampered(Exception):
    """A stored picture no longer matches its at-rest signature (or its SM4-GCM tag): refused, never served."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        why = "; ".join(p.message for p in problems)
        super().__init__(f"evidence {path.name} fails its at-rest signature check: {why}")


@dataclass(frozen=True)
class StoredCheck:
    """One stored file's at-rest check: ``problems`` empty = intact; ``signed`` False = no sidecar."""

    path: Path
    signed: bool
    problems: list[Problem]


def camera_of(path: Path) -> str:
    """The camera folder of a stored picture (``<camera>/<day>/<file>``), ``"system"`` when not laid out so."""
    parts = path.parts
    return parts[-3] if len(parts) >= 3 else "system"


class MediaPolicy:
    """How evidence pictures are written and read: encrypted with ``key`` (if any), signed by ``signer`` (if any)."""

    def __init__(self, signer: Signer | None = None, key: bytes | None = None, verifier: Signer | None = None) -> None:
        self.signer = signer
        self.key = key
        # Whose signatures count: the platform's keys (current and retired). A sidecar re-signed with some
        # other key (its own embedded public key verifies!) is refused. None: any valid signature.
        self.verifier = verifier if verifier is not None else signer
        # Sidecars whose SM2 signature already checked, by (mtime_ns, size, inode): SM2 in pure Python costs
        # ~10 ms, SM3 of a snapshot well under 1 ms, so a re-read re-hashes the content but not the signature.
        self._checked: dict[Path, tuple[tuple[int, int, int], int, str]] = {}
        self._checked_lock = threading.Lock()
        self._files_ok: dict[Path, tuple[int, ...]] = {}  # check_file results, by file + sidecar stat stamp
        # Called with (path, problems) whenever a read finds tampered evidence (audit + alarm live there).
        self.on_tampered: list[Callable[[Path, list[Problem]], None]] = []

    @classmethod
    def from_config(cls, config: SecurityConfig, data_dir: Path, keys: KeyStore) -> MediaPolicy:
        """The platform's policy: sign with the platform key when ``sign_media``, encrypt when a key is there."""
        signer = keys.signer()
        return cls(signer if config.sign_media else None, media_key(config, data_dir), verifier=signer)

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

    def sign_file(self, path: Path) -> None:
        """Sign a stored file in place, hashed in 1 MiB chunks (recording segments: never loaded whole)."""
        if self.signer is None:
            return
        try:
            sign_file(path, self.signer)
        except OSError:
            log.exception("could not write the signature of %s", path.name)

    def check_file(self, path: Path) -> StoredCheck:
        """Verify a clear (never encrypted) stored file, such as a recording segment, streamed.

        Why a stat-stamp cache of the whole result: playback fetches a segment many times (range requests,
        seeks); a file whose (mtime_ns, size, inode) and sidecar are unchanged since it last verified is
        not re-hashed. Writing to it changes mtime, so a flipped byte is still caught on the next read.
        """
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if not sidecar.is_file():
            return StoredCheck(path, False, [])
        st, sst = path.stat(), sidecar.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino, sst.st_mtime_ns, sst.st_size, sst.st_ino)
        with self._checked_lock:
            if self._files_ok.get(path) == stamp:
                return StoredCheck(path, True, [])
        problems = self._verify(path, sidecar, b"", digest=sm3_file(path), size=st.st_size)
        if not problems:
            with self._checked_lock:
                if len(self._files_ok) > 200_000:
                    self._files_ok.clear()
                self._files_ok[path] = stamp
        return StoredCheck(path, True, problems)

    def verify_file(self, path: Path) -> Path:
        """``path`` once it verifies (or has no sidecar); raises :class:`EvidenceTampered` (hooks called)."""
        result = self.check_file(path)
        if result.problems:
            raise self._tampered(path, result.problems)
        return path

    def _clear(self, path: Path) -> bytes:
        data = path.read_bytes()
        if data.startswith(MAGIC):
            if self.key is None:
                raise PermissionError(f"{path.name} is encrypted and no SM4 key is configured")
            return decrypt_bytes(data, self.key)
        return data

    def check(self, path: Path) -> StoredCheck:
        """Verify one stored file against its sidecar (decrypting first); a failed GCM tag is tampering too."""
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        signed = sidecar.is_file()
        try:
            data = self._clear(path)
        except DecryptionError as err:
            return StoredCheck(path, signed, [Problem("digest", f"encrypted file fails authentication ({err})",
                                                      file=path.name)])  # fmt: skip
        if not signed:
            return StoredCheck(path, False, [])
        return StoredCheck(path, True, self._verify(path, sidecar, data))

    def _verify(self, path: Path, sidecar: Path, data: bytes, digest: str | None = None,
                size: int | None = None) -> list[Problem]:
        """Problems of clear ``data`` against its sidecar: SM2 signature (cached), signing key, SM3 digest."""
        st = sidecar.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._checked_lock:
            cached = self._checked.get(sidecar)
        if cached is not None and cached[0] == stamp:
            want_size, want = cached[1], cached[2]
        else:
            try:
                doc = json.loads(sidecar.read_text(encoding="utf-8"))
                why = check_signature_doc(doc)
            except (ValueError, AttributeError) as err:  # unreadable JSON, or not an object
                return [Problem("signature", f"unreadable signature file ({err})", file=path.name)]
            if why is None and self.verifier is not None and not self.verifier.knows(str(doc.get("key_id"))):
                why = f"signed by key {doc.get('key_id')}, which is not one of the platform's keys"
            if why is not None:
                return [Problem("signature", why, file=path.name)]
            want_size, want = doc.get("size"), doc.get("sm3")
            if not isinstance(want_size, int) or not isinstance(want, str):
                return [Problem("signature", "signature file has no size/sm3", file=path.name)]
            with self._checked_lock:
                if len(self._checked) > 200_000:  # bounded: forget everything, re-check on the next read
                    self._checked.clear()
                self._checked[sidecar] = (stamp, want_size, want)
        if digest is None:  # clear bytes given (pictures); a streamed file passes its digest and size
            size, digest = len(data), sm3_hex(data)
        if size != want_size or digest != want:
            return [Problem("digest", "content differs from the signed SM3 digest (file modified)", file=path.name)]
        return []

    def open(self, path: Path | None) -> bytes | None:
        """Clear bytes of a stored file (``None`` if missing), verified against its signature sidecar first.

        Raises :class:`EvidenceTampered` (after calling the ``on_tampered`` hooks) when the content no longer
        matches the at-rest signature or its encryption tag; ``PermissionError`` when encrypted without a key.
        """
        if path is None or not path.is_file():
            return None
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        try:
            data = self._clear(path)
        except DecryptionError as err:
            problem = Problem("digest", f"encrypted file fails authentication ({err})", file=path.name)
            raise self._tampered(path, [problem]) from err
        if sidecar.is_file():
            problems = self._verify(path, sidecar, data)
            if problems:
                raise self._tampered(path, problems)
        return data

    def _tampered(self, path: Path, problems: list[Problem]) -> EvidenceTampered:
        for hook in list(self.on_tampered):
            try:
                hook(path, problems)
            except Exception:  # a failing alarm must not turn a refusal into a served picture
                log.exception("evidence-tampered hook failed for %s", path.name)
        return EvidenceTampered(path, problems)

    def stored_evidence(self, data_dir: Path) -> Iterator[tuple[Path, Callable[[Path], StoredCheck]]]:
        """Every stored evidence file of ``data_dir`` with the check that fits it.

        Pictures (maybe encrypted, read whole) live under ``media/`` and ``records/``; recording segments
        (clear, hashed streamed) under ``recordings/``. The CLI's ``verify --data-dir`` and the background
        check both walk this, so neither can miss a kind of evidence the other covers.
        """
        for name, check in (("media", self.check), ("records", self.check), ("recordings", self.check_file)):
            for path in self.stored(data_dir / name):
                yield path, check

    @staticmethod
    def stored(root: Path) -> Iterator[Path]:
        """Every stored picture under ``root`` (sidecars and partial files excluded), in a stable order."""
        if not root.is_dir():
            return iter(())
        skip = (SIDECAR_SUFFIX, ".part", ".tmp")
        return iter(sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(skip)
                           and not p.name.startswith(".")))  # fmt: skip

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
