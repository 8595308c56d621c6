"""Reading and verifying a built model pack (``manifest.json`` + ONNX files, each pinned by sha256).

Plug-ins look their files up through :func:`model_path`, so a missing pack fails with one clear sentence
telling the user what to run instead of an onnxruntime stack trace.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"


class ModelPackError(RuntimeError):
    """The model pack is missing, incomplete or corrupt."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(models_dir: Path) -> dict[str, Any]:
    """The parsed manifest; raises :class:`ModelPackError` when there is none (pack never built)."""
    path = Path(models_dir) / MANIFEST
    if not path.is_file():
        raise ModelPackError(f"no model pack at {models_dir} ({MANIFEST} missing): run `anfang models build`")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ModelPackError(f"{path} is not valid JSON ({exc}): run `anfang models build --force`") from None
    if not isinstance(manifest.get("models"), dict):
        raise ModelPackError(f"{path} has no 'models' table: run `anfang models build --force`")
    return manifest


def write_manifest(models_dir: Path, manifest: dict[str, Any]) -> None:
    """Atomic write, so an interrupted build never leaves a half-written manifest behind."""
    path = Path(models_dir) / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    tmp.replace(path)


def model_path(models_dir: Path, name: str) -> Path:
    """Path of one model's ONNX file, checked to exist (sha256 is checked by ``verify``, not on every load)."""
    models_dir = Path(models_dir)
    try:
        entry = load_manifest(models_dir)["models"][name]
    except ModelPackError:
        entry = {"file": f"{name}.onnx"}  # hand-placed file without a manifest still loads
    except KeyError:
        raise ModelPackError(f"model {name!r} is not in the pack at {models_dir}: run `anfang models build`") from None
    path = models_dir / entry["file"]
    if not path.is_file():
        raise ModelPackError(f"model file {path} not found: run `anfang models build` (or set --models-dir)")
    return path


def verify_pack(models_dir: Path, names: list[str] | None = None) -> list[str]:
    """Recompute every file's sha256; returns one sentence per problem (empty list = pack is intact)."""
    models_dir = Path(models_dir)
    try:
        manifest = load_manifest(models_dir)
    except ModelPackError as exc:
        return [str(exc)]
    problems = []
    entries = manifest["models"]
    for name in names if names is not None else list(entries):
        entry = entries.get(name)
        if entry is None:
            problems.append(f"{name}: not in manifest")
            continue
        path = models_dir / entry["file"]
        if not path.is_file():
            problems.append(f"{entry['file']}: missing")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['file']}: sha256 mismatch (expected {entry['sha256'][:16]}…)")
    return problems


def describe_pack(models_dir: Path) -> list[str]:
    """Human-readable lines for ``anfang models list``."""
    manifest = load_manifest(models_dir)
    lines = []
    for name, e in manifest["models"].items():
        shape = "x".join(str(s) for s in e["inputs"][0]["shape"]) if e.get("inputs") else "?"
        size = e.get("size", 0) / 1e6
        lines.append(f"{name:<10} {e['file']:<16} {size:6.1f} MB  in {shape:<14} {e['source']}  [{e['licence']}]")
    return lines
