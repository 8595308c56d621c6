"""Backup and restore of a data dir: database (SQLite online backup), keys, media, with a sha256 manifest.

Why the SQLite backup API rather than copying ``anfang.db``: the platform keeps writing while it runs (WAL
mode), and a plain copy can catch a half-applied transaction; ``sqlite3.Connection.backup`` takes a
consistent snapshot without stopping anything. The manifest lists every file's sha256 so a restore proves
that what came back is what went in. The archive holds the platform's private key (and the SM4 media key
when it lives under ``keys/``): protect backups like the keys themselves.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

from anfang.security.problems import Problem

DB_NAME = "anfang.db"
MANIFEST = "backup-manifest.json"
FORMAT = "anfang-backup-v1"
_SKIP_SUFFIXES = (".tmp", ".part", "-wal", "-shm")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _files(root: Path, sub: str) -> list[Path]:
    base = root / sub
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and not p.name.endswith(_SKIP_SUFFIXES))


def backup(data_dir: str | os.PathLike[str], out: str | os.PathLike[str]) -> dict:
    """Write ``out`` (.tar.gz) from a (possibly running) data dir; returns the manifest."""
    data_dir, out = Path(data_dir), Path(out)
    db = data_dir / DB_NAME
    if not db.is_file():
        raise FileNotFoundError(f"no database at {db}")
    with tempfile.TemporaryDirectory(prefix="anfang-backup-") as tmp:
        snapshot = Path(tmp) / DB_NAME
        src, dst = sqlite3.connect(db), sqlite3.connect(snapshot)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        members: list[tuple[Path, str]] = [(snapshot, DB_NAME)]
        members += [(p, p.relative_to(data_dir).as_posix()) for sub in ("keys", "media") for p in _files(data_dir, sub)]
        manifest = {
            "format": FORMAT,
            "created": round(time.time(), 3),
            "files": [{"path": name, "size": p.stat().st_size, "sha256": _sha256(p)} for p, name in members],
        }
        tmp_out = out.with_name(out.name + ".part")
        with tarfile.open(tmp_out, "w:gz") as tar:
            raw = (json.dumps(manifest, indent=2) + "\n").encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(raw), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(raw))
            for path, name in members:
                tar.add(path, arcname=name, recursive=False)
        os.chmod(tmp_out, 0o600)
        os.replace(tmp_out, out)
    return manifest


def restore(archive: str | os.PathLike[str], data_dir: str | os.PathLike[str]) -> list[Problem]:
    """Unpack into a new (or empty) data dir and check every file against the manifest; [] = complete."""
    data_dir = Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()):
        raise FileExistsError(f"{data_dir} is not empty; restore into a new data dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            return [Problem("manifest", "backup-manifest.json is missing", file=MANIFEST)]
        manifest = json.loads(member.read())
        if manifest.get("format") != FORMAT:
            return [Problem("manifest", f"unknown backup format {manifest.get('format')!r}", file=MANIFEST)]
        tar.extractall(data_dir, filter="data")  # "data" refuses absolute paths, .. and links out of the dir
    (data_dir / MANIFEST).unlink(missing_ok=True)
    for sub in ("keys", "keys/platform", "keys/devices"):
        if (data_dir / sub).is_dir():
            os.chmod(data_dir / sub, 0o700)
    return verify_restored(data_dir, manifest)


def verify_restored(data_dir: Path, manifest: dict) -> list[Problem]:
    problems = []
    for entry in manifest.get("files", []):
        path = data_dir / entry["path"]
        if not path.is_file():
            problems.append(Problem("missing_file", "in the backup manifest but not restored", file=entry["path"]))
        elif path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            problems.append(Problem("digest", "sha256 differs from the backup manifest", file=entry["path"]))
    return problems
