"""Media files on disk: names that cannot climb out of their folder, durable atomic writes, safe lookups.

Why one module: the event store and the structured-record store both keep JPEGs under a folder of their
own, and each had its own copy of these helpers; a fix to one (say, ``..`` in a camera id) must reach both.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_name(value: str) -> str:
    """A path component that cannot climb out of its folder ('..' is a valid camera id character run)."""
    name = _SAFE.sub("_", value)
    return "_" + name if name.startswith(".") or not name else name


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename durable: it is only on disk once the directory entry is (POSIX; Windows cannot open dirs)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def inside(root: Path, relative: str | None) -> Path | None:
    """Absolute path of ``relative`` under ``root``, or ``None`` if unset or outside ``root``."""
    if not relative:
        return None
    base = root.resolve()
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) else None
