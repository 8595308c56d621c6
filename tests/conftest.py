"""Shared fixtures: where the real test data and the model pack live."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = REPO / "tests" / "data"
VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Real, read-only test data in the repository: ``tests/data`` (sources, licences, sha256: its MANIFEST.md)."""
    if not (TEST_DATA / "MANIFEST.md").is_file():
        pytest.fail(f"test data missing at {TEST_DATA}: the checkout is incomplete (see tests/data/MANIFEST.md)")
    return TEST_DATA


def require_command(name: str, package: str) -> str:
    """The path of a command from ``.ci/apt-packages.txt``; absent, the test fails (it never skips)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: install Debian's {package} (`make test` does: scripts/ensure-system-packages)")
    return path


@pytest.fixture(scope="session")
def sipp_command() -> str:
    return require_command("sipp", "sip-tester")


@pytest.fixture(scope="session")
def openssl_command() -> str:
    return require_command("openssl", "openssl")


@pytest.fixture(scope="session")
def vtest_video() -> Path:
    """The demo camera: PETS09-S2L1 campus CCTV from Debian's opencv-doc (installed by `make test`)."""
    from anfang.video.demo_video import find_demo_video

    path = find_demo_video()
    if path is None:
        pytest.fail("vtest.avi not found: install Debian's opencv-doc or run `make demo` once")
    return path


@pytest.fixture(scope="session")
def models_dir() -> Path:
    """The built model pack (``make test`` builds it first with ``anfang models build``)."""
    from anfang.models.paths import default_models_dir

    path = default_models_dir()
    if not (path / "manifest.json").is_file():
        pytest.fail(f"model pack missing at {path}: run `anfang models build`")
    return path
