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


# ---------------------------------------------------------------- store backends (SQLite and PostgreSQL)

STORE_BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses ``store_backend`` (directly or through ``store_url``) runs on both databases."""
    if "store_backend" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only") is not None
        backends = ["sqlite"] if sqlite_only else list(STORE_BACKENDS)
        metafunc.parametrize("store_backend", backends, indirect=True, scope="module")


@pytest.fixture(scope="session")
def pg_server():
    """One real PostgreSQL cluster for the session (tests/pg_server.py); started only if a test asks."""
    from tests.pg_server import destroy, start_server

    try:
        server = start_server()
    except RuntimeError as exc:
        pytest.fail(f"{exc} (install Debian's postgresql: .ci/apt-packages.txt)")
    yield server
    destroy(server)


@pytest.fixture(scope="module")
def store_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def make_store_url(request: pytest.FixtureRequest):
    """``make_store_url(backend)``: ``None`` (the SQLite file in data_dir) or a fresh PostgreSQL database's URL."""

    def make(backend: str) -> str | None:
        if backend == "sqlite":
            return None
        return request.getfixturevalue("pg_server").fresh_url()

    return make


@pytest.fixture
def store_url(store_backend: str, make_store_url) -> str | None:
    """The ``store.url`` for this test: None (SQLite) or a new empty PostgreSQL database."""
    return make_store_url(store_backend)
