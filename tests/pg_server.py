"""A real, throwaway PostgreSQL cluster for the tests (Debian's ``postgresql`` package).

One cluster per test session (``initdb`` in a temp dir, ``pg_ctl start`` on a free loopback port); each
test that asks for it gets a fresh, empty database (``CREATE DATABASE ... TEMPLATE template0``, ~0.1 s),
so migrations always run from nothing, the same as on a new install. initdb and the server refuse to run
as root: when the tests run as root (CI containers) the cluster is owned by the ``postgres`` system user
the package creates and the commands run through ``runuser``. Durability settings are relaxed (fsync off):
a test cluster need not survive power loss, and ``pg_ctl stop -m fast`` still shuts it down cleanly.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def _bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<major>/bin`` (Debian keeps the server binaries off $PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL not found: install Debian's postgresql (listed in .ci/apt-packages.txt)")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """A running cluster; :meth:`fresh_url` hands out new databases, :meth:`stop`/:meth:`start` restart it."""

    root: Path
    port: int
    bin_dir: Path = field(default_factory=_bin_dir)
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_owner(self, *argv: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return list(argv)

    def _run(self, *argv: str, timeout: float = 60) -> None:
        proc = subprocess.run(self._as_owner(*argv), capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout}")

    def init(self) -> None:
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\nmax_connections = 300\nshared_buffers = 64MB\n"
            )

    def start(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def fresh_url(self) -> str:
        """A new empty database's SQLAlchemy URL (psycopg 3 driver)."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY')
        return self.url(name)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"PostgreSQL did not open port {self.port}")


def start_server() -> PgServer:
    """initdb + start a new cluster in a fresh temp dir (the caller :func:`destroy` s it)."""
    root = Path(tempfile.mkdtemp(prefix="anfang-pg-"))
    server = PgServer(root=root, port=_free_port())
    server.init()
    server.start()
    server.wait_ready()
    return server


def destroy(server: PgServer) -> None:
    with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):  # already stopped by a restart test
        server.stop("immediate")
    shutil.rmtree(server.root, ignore_errors=True)
