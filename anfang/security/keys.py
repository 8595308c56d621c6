"""Platform key pairs, rotation and the registry of device public keys.

Layout under the data dir (directories 0700, private key files 0600)::

    <data_dir>/keys/
        platform/
            CURRENT                  key id of the signing key (one line)
            <key_id>.key.json        private key (only the current one; see rotation)
            <key_id>.pub.pem         public key (kept forever, so old signatures stay verifiable)
        devices/
            <device_id>.json         {"device_id", "public_key", "key_id", "added_at", "note"}

Why rotation deletes the old private key: keys are rotated mostly because one may have leaked; keeping
it would keep the leak. Old *public* keys stay, so audit checkpoints and evidence signed before the
rotation still verify, and a signature names its key by ``key_id`` (first 8 bytes of SM3(04||x||y)).

Device keys are the platform half of GB 35114-style two-way authentication: the platform proves itself
to a device by signing the device's challenge with the platform key, and a device proves itself by
signing the platform's challenge with a key registered here (:func:`challenge_payload`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from anfang.security.sm import (
    DEFAULT_USER_ID,
    SM2PrivateKey,
    SM2PublicKey,
    generate_sm2_keypair,
    load_private_key,
    load_public_key,
    save_private_key,
    save_public_key,
    sm2_sign,
    sm2_verify,
)

_DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")  # GB28181 ids are 20 digits; camera ids are ours


class MissingKeyError(LookupError):
    """A key that is needed is not in the key store (message says which and what to run)."""


@dataclass
class Signer:
    """Signs with one private key and verifies with any known public key (current or retired).

    This is the object :class:`~anfang.security.audit.AuditLog` and :mod:`~anfang.security.evidence` take,
    so they never touch key files themselves.
    """

    private_key: SM2PrivateKey
    known_keys: dict[str, SM2PublicKey] = field(default_factory=dict)
    user_id: bytes = DEFAULT_USER_ID

    def __post_init__(self) -> None:
        self.known_keys.setdefault(self.key_id, self.public_key)

    @property
    def public_key(self) -> SM2PublicKey:
        return self.private_key.public_key

    @property
    def key_id(self) -> str:
        return self.private_key.public_key.key_id()

    def sign(self, data: bytes) -> bytes:
        return sm2_sign(self.private_key, data, self.user_id)

    def verify(self, data: bytes, signature: bytes, key_id: str) -> bool:
        """False for an unknown key id as for a bad signature; callers that care check :meth:`knows` first."""
        key = self.known_keys.get(key_id)
        return key is not None and sm2_verify(key, data, signature, self.user_id)

    def knows(self, key_id: str) -> bool:
        return key_id in self.known_keys


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class KeyStore:
    """The key directory of one data dir. Cheap to construct; reads files on demand."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.root = Path(data_dir) / "keys"
        self.platform_dir = self.root / "platform"
        self.devices_dir = self.root / "devices"

    # ------------------------------------------------------------ platform keys

    def current_key_id(self) -> str | None:
        marker = self.platform_dir / "CURRENT"
        return marker.read_text(encoding="utf-8").strip() if marker.is_file() else None

    def generate(self, *, force: bool = False) -> str:
        """Create the first platform key pair; refuses to replace one unless ``force`` (use :meth:`rotate`)."""
        if self.current_key_id() is not None and not force:
            raise FileExistsError(f"a platform key already exists in {self.platform_dir}; use rotate")
        return self._install(generate_sm2_keypair())

    def ensure(self) -> str:
        """Key id of the current key, generating one on first start (secure by default, no manual step)."""
        return self.current_key_id() or self.generate()

    def rotate(self) -> tuple[str, str]:
        """New signing key; the old private key is deleted, its public key kept. Returns ``(old_id, new_id)``."""
        old = self.current_key_id()
        if old is None:
            raise MissingKeyError(f"no platform key in {self.platform_dir}; run `anfang keys generate` first")
        new = self._install(generate_sm2_keypair())
        (self.platform_dir / f"{old}.key.json").unlink(missing_ok=True)
        return old, new

    def _install(self, key: SM2PrivateKey) -> str:
        _private_dir(self.root)
        _private_dir(self.platform_dir)
        kid = key.public_key.key_id()
        save_public_key(self.platform_dir / f"{kid}.pub.pem", key.public_key)
        save_private_key(self.platform_dir / f"{kid}.key.json", key)
        tmp = self.platform_dir / "CURRENT.tmp"
        tmp.write_text(kid + "\n", encoding="utf-8")
        os.replace(tmp, self.platform_dir / "CURRENT")  # the switch is atomic: never a half-rotated store
        return kid

    def public_keys(self) -> dict[str, SM2PublicKey]:
        """Every platform public key ever used here, by key id."""
        out: dict[str, SM2PublicKey] = {}
        if self.platform_dir.is_dir():
            for pem in sorted(self.platform_dir.glob("*.pub.pem")):
                key = load_public_key(pem)
                out[key.key_id()] = key
        return out

    def private_key(self) -> SM2PrivateKey:
        kid = self.current_key_id()
        if kid is None:
            raise MissingKeyError(f"no platform key in {self.platform_dir}; run `anfang keys generate --data-dir ...`")
        key = load_private_key(self.platform_dir / f"{kid}.key.json")
        if key.public_key.key_id() != kid:
            raise ValueError(f"{self.platform_dir}: CURRENT names {kid} but the key file holds another key")
        return key

    def signer(self) -> Signer:
        """Signer with the current private key that also verifies signatures made with retired keys."""
        return Signer(self.private_key(), self.public_keys())

    def verifier(self) -> Signer | None:
        """For offline verification without the private key: ``None`` when no key exists at all."""
        return self.signer() if self.current_key_id() else None

    # ------------------------------------------------------------ device keys

    def register_device(self, device_id: str, public_key: SM2PublicKey, note: str = "") -> None:
        if not _DEVICE_ID_RE.match(device_id):
            raise ValueError("device id must be 1-64 characters of letters, digits, '_', '-', '.'")
        _private_dir(self.root)
        _private_dir(self.devices_dir)
        doc = {
            "device_id": device_id,
            "public_key": public_key.to_hex(),
            "key_id": public_key.key_id(),
            "added_at": time.time(),
            "note": note,
        }
        tmp = self.devices_dir / f"{device_id}.json.tmp"
        tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, self.devices_dir / f"{device_id}.json")

    def device_key(self, device_id: str) -> SM2PublicKey | None:
        if not _DEVICE_ID_RE.match(device_id):
            return None  # never build a path from an untrusted id that could escape the directory
        path = self.devices_dir / f"{device_id}.json"
        if not path.is_file():
            return None
        return SM2PublicKey.from_hex(json.loads(path.read_text(encoding="utf-8"))["public_key"])

    def devices(self) -> dict[str, SM2PublicKey]:
        out: dict[str, SM2PublicKey] = {}
        if self.devices_dir.is_dir():
            for path in sorted(self.devices_dir.glob("*.json")):
                doc = json.loads(path.read_text(encoding="utf-8"))
                out[doc["device_id"]] = SM2PublicKey.from_hex(doc["public_key"])
        return out

    def remove_device(self, device_id: str) -> bool:
        if not _DEVICE_ID_RE.match(device_id):
            return False
        path = self.devices_dir / f"{device_id}.json"
        existed = path.is_file()
        path.unlink(missing_ok=True)
        return existed


# ---------------------------------------------------------------- challenge / response


def new_challenge() -> bytes:
    """32 random bytes; a challenge must never repeat or a recorded response could be replayed."""
    return secrets.token_bytes(32)


def challenge_payload(challenge: bytes, signer_id: str, verifier_id: str) -> bytes:
    """What gets signed: binds the response to both parties so it cannot be reflected back or relayed."""
    return b"anfang-auth-v1\x00" + challenge + b"\x00" + signer_id.encode() + b"\x00" + verifier_id.encode()


def answer_challenge(key: SM2PrivateKey, challenge: bytes, signer_id: str, verifier_id: str) -> bytes:
    return sm2_sign(key, challenge_payload(challenge, signer_id, verifier_id))


def check_device_response(store: KeyStore, device_id: str, challenge: bytes, platform_id: str, sig: bytes) -> bool:
    """True when ``sig`` is the registered device's answer to our ``challenge`` (unknown device: False)."""
    key = store.device_key(device_id)
    return key is not None and sm2_verify(key, challenge_payload(challenge, device_id, platform_id), sig)
