"""Serves the API with uvicorn on 127.0.0.1 (a socket we bind, so the host cannot drift).

``ApiServer.start_in_thread()`` is for the window (and tests); ``serve_forever()`` for the
``api`` command, where Ctrl-C stops it.  uvicorn's access log stays off: a query string
could carry a customer's e-mail address, and the log file must not.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Generator

import uvicorn
from starlette.types import ASGIApp

from .config import ApiConfigError, check_bind_host, check_port


class _Server(uvicorn.Server):
    """Leaves signal handling to whoever runs it (the window has its own)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class ApiServer:
    """Binds ``host:port`` (127.0.0.1 only; port 0 = any free port) and serves ``app``."""

    def __init__(self, app: ASGIApp, port: int, *, host: str = "127.0.0.1") -> None:
        host = check_bind_host(host)
        port = check_port(port, allow_ephemeral=True)
        # proto IPPROTO_TCP, or asyncio leaves Nagle on for accepted connections and each
        # small answer waits ~40 ms for the client's delayed ACK
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: no port sharing
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise ApiConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}); is another program "
                "using that port? Choose another one in Settings → Local API"
            ) from None
        sock.listen(64)
        sock.setblocking(False)
        self._socket = sock
        self.host = host
        self.port = int(sock.getsockname()[1])
        self._server = _Server(
            uvicorn.Config(
                app, log_level="warning", access_log=False, lifespan="off", server_header=False
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    async def serve(self, on_ready: Callable[[], None] | None = None) -> None:
        task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started and not task.done():
            await asyncio.sleep(0.01)
        if on_ready is not None:
            on_ready()
        await task

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Blocking; Ctrl-C (SIGINT) or SIGTERM stops it cleanly."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(sig, self.stop)
            await self.serve(on_ready)

        try:
            asyncio.run(main())
        finally:
            self._socket.close()

    def start_in_thread(self, timeout: float = 30.0) -> ApiServer:
        ready = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self.serve(ready.set)), name="api-server", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout):
            self.close()
            raise RuntimeError(f"the local API did not start within {timeout:.0f} s")
        return self

    def stop(self) -> None:
        self._server.should_exit = True

    def close(self, timeout: float = 10.0) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._socket.close()
