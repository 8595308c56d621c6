"""The browser page served at ``/``: live camera tiles and the event feed.

A dependency-free page so the demo is watchable today; the full console (issue "Browser console") will
replace it with a built single-page app.
"""

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
