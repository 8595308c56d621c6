"""The browser console served at ``/``.

The console is a single-page app built from ``console/`` (``make console``: ``npm ci && npm run build``)
into ``anfang/web/dist``. When that build exists it is served; otherwise the small dependency-free live page
in ``static/`` is, so an API-only checkout still shows cameras and events.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
DIST_DIR = HERE / "dist"
FALLBACK_DIR = HERE / "static"


def console_built() -> bool:
    """Whether the built single-page console is present."""
    return (DIST_DIR / "index.html").is_file()


STATIC_DIR = DIST_DIR if console_built() else FALLBACK_DIR
