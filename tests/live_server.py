"""A real uvicorn server for the platform's app, on a free port, in a thread: for what TestClient cannot do
(real sockets: websockets, streaming, TLS, a browser)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from anfang.api.server import make_server, tls_options


@contextmanager
def serve(platform: Any, start_timeout_s: float = 30.0) -> Iterator[str]:
    """Serve ``platform`` on 127.0.0.1 until the block ends; yields the base URL (``https://`` when the
    platform's config sets api.tls_cert/tls_key, else ``http://``). The platform's start/stop is the caller's."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    try:
        server = make_server(platform, host, port)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + start_timeout_s
            while not server.started:
                assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.02)
            yield f"{'https' if tls_options(platform) else 'http'}://{host}:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    finally:
        sock.close()
