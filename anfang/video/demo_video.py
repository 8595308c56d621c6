"""Find or fetch the demo camera's video (vtest.avi from Debian's opencv-doc package).

The package is a registry artefact, so fetching it at set-up time is allowed; nothing fetches at run
time. Without root, ``apt-get download`` + ``dpkg -x`` unpack it into the cache.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from anfang.models.paths import default_cache_dir

log = logging.getLogger(__name__)

SYSTEM_PATH = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
_REL = Path("usr/share/doc/opencv-doc/examples/data/vtest.avi")


def cached_path() -> Path:
    return default_cache_dir() / "opencv-doc" / _REL


def find_demo_video() -> Path | None:
    """The installed or cached vtest.avi, or ``None``."""
    for p in (SYSTEM_PATH, cached_path()):
        if p.is_file():
            return p
    return None


def fetch_demo_video() -> Path:
    """Return vtest.avi, unpacking Debian's opencv-doc into the cache if it is not installed."""
    found = find_demo_video()
    if found is not None:
        return found
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise RuntimeError("vtest.avi not found and apt-get/dpkg are unavailable; pass --video PATH")
    dest = cached_path().parents[len(_REL.parts) - 1]
    with tempfile.TemporaryDirectory() as tmp:
        log.info("downloading Debian package opencv-doc for the demo video ...")
        subprocess.run(["apt-get", "download", "opencv-doc"], cwd=tmp, check=True)
        debs = list(Path(tmp).glob("opencv-doc_*.deb"))
        if not debs:
            raise RuntimeError("apt-get download opencv-doc produced no .deb")
        dest.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg", "-x", str(debs[0]), str(dest)], check=True)
    path = cached_path()
    if not path.is_file():
        raise RuntimeError(f"opencv-doc unpacked but {path} is missing")
    return path
