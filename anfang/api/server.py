"""Run the API with uvicorn; Ctrl-C or SIGTERM stops the server, then the cameras, then the database."""

from __future__ import annotations

import logging
import signal
import socket
import threading
from types import FrameType

import uvicorn

from anfang.api.app import create_app
from anfang.platform import Platform

log = logging.getLogger(__name__)


def make_server(platform: Platform, host: str, port: int) -> uvicorn.Server:
    """A configured (not yet running) uvicorn server for the platform's app."""
    tls = tls_options(platform)
    config = uvicorn.Config(
        create_app(platform),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        lifespan="off",  # the platform's life is managed by serve(), not by the ASGI app
        timeout_graceful_shutdown=5,  # websockets would otherwise hold shutdown open forever
        ssl_certfile=tls.get("ssl_certfile"),
        ssl_keyfile=tls.get("ssl_keyfile"),
    )
    return uvicorn.Server(config)


def tls_options(platform: Platform) -> dict[str, str]:
    """uvicorn's ssl_* options from ``api.tls_cert`` / ``api.tls_key`` (both or neither)."""
    api = platform.config.api
    if (api.tls_cert is None) != (api.tls_key is None):
        raise ValueError("api.tls_cert and api.tls_key must be set together")
    if api.tls_cert is None or api.tls_key is None:
        return {}
    for field, path in (("api.tls_cert", api.tls_cert), ("api.tls_key", api.tls_key)):
        if not path.is_file():
            raise ValueError(f"{field}: {path} does not exist")
    return {"ssl_certfile": str(api.tls_cert), "ssl_keyfile": str(api.tls_key)}


class Terminated(Exception):
    """SIGTERM arrived (systemd, docker): stop like Ctrl-C does."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def serve(platform: Platform, host: str = "127.0.0.1", port: int = 8080, sock: socket.socket | None = None) -> None:
    """Start the platform and serve until interrupted; always stops the platform on the way out.

    uvicorn installs its own SIGINT/SIGTERM handlers (in the main thread) for a graceful shutdown, then puts
    the previous handlers back and raises the captured signal again. For SIGINT that is KeyboardInterrupt;
    for SIGTERM the default handler would kill the process there, before ``platform.stop()`` (no audit
    checkpoint, an unindexed open segment). So SIGTERM's handler is set to raise :class:`Terminated` first,
    and both signals end in the same ``finally``. The stop is bounded: uvicorn waits at most
    ``timeout_graceful_shutdown`` for open connections before the platform stops.
    """
    server = make_server(platform, host, port)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        platform.start()  # inside the try: a SIGTERM while starting still stops what has started
        scheme = "https" if platform.config.api.tls_cert else "http"
        bound = port if sock is None else sock.getsockname()[1]
        log.info("API on %s://%s:%d/ (docs at /docs)", scheme, host, bound)
        server.run(sockets=[sock] if sock is not None else None)
    except KeyboardInterrupt:
        log.info("interrupted (SIGINT): stopping")
    except Terminated:
        log.info("terminated (SIGTERM): stopping")
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        platform.stop()
