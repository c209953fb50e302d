"""Serves a :class:`Sandbox` on loopback ports (``nexpura-desktop sandbox``).

The hub (directory) takes the first port and the services the next ones, in the order of
:data:`.world.EMULATORS`.  With ``port_base=0`` every port is ephemeral (tests).  Servers
bind 127.0.0.1 only: the sandbox is never reachable from the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Generator, Iterator

import uvicorn
from starlette.types import ASGIApp

from .world import EMULATORS, Sandbox

LOOPBACK = "127.0.0.1"


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the runner (several share a loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _bind(port: int) -> socket.socket:
    # proto IPPROTO_TCP, or asyncio leaves Nagle on for accepted connections and each
    # small answer waits ~40 ms for the client's delayed ACK
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


class SandboxServer:
    """Binds the ports, builds the sandbox with those URLs, and serves until stopped."""

    def __init__(
        self,
        *,
        port_base: int = 8700,
        time_scale: float = 1.0,
        seed_demo: str | None = None,
        services: list[str] | None = None,
    ) -> None:
        names = services if services is not None else list(EMULATORS)
        ports = (
            [0] * (len(names) + 1)
            if port_base == 0
            else list(range(port_base, port_base + len(names) + 1))
        )
        self._sockets: list[socket.socket] = []
        try:
            for port in ports:
                self._sockets.append(_bind(port))
        except OSError as exc:
            for sock in self._sockets:
                sock.close()
            raise OSError(f"cannot listen on {LOOPBACK}:{port}: {exc.strerror or exc}") from exc
        urls = [f"http://{LOOPBACK}:{s.getsockname()[1]}" for s in self._sockets]
        self.hub_url = urls[0]
        self.sandbox = Sandbox(
            time_scale=time_scale,
            origins=dict(zip(names, urls[1:], strict=True)),
            hub_origin=self.hub_url,
            services=names,
        )
        if seed_demo:
            self.sandbox.seed_demo(size=seed_demo)
        apps: list[ASGIApp] = [self.sandbox.hub, *(self.sandbox[n].app for n in names)]
        self._servers = [
            _QuietServer(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
            for app in apps
        ]
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def lines(self) -> Iterator[str]:
        yield f"directory    {self.hub_url}/_sandbox/services"
        for name, url in self.sandbox.services().items():
            yield f"{name:<12} {url}"

    async def serve(self, *, on_ready: Callable[[], None] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        tasks = [
            asyncio.create_task(server.serve(sockets=[sock]))
            for server, sock in zip(self._servers, self._sockets, strict=True)
        ]
        while not all(s.started for s in self._servers):
            if any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.01)
        if on_ready is not None:
            on_ready()
        await asyncio.gather(*tasks)

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True

    def serve_forever(self, *, on_ready: Callable[[], None] | None = None) -> None:
        """Blocking; Ctrl-C (SIGINT) or SIGTERM stops every server cleanly."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self.stop)
            await self.serve(on_ready=on_ready)

        asyncio.run(main())

    # -- background use (tests, the app's built-in demo) ---------------------------------
    def start_in_thread(self) -> SandboxServer:
        ready = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self.serve(on_ready=ready.set)),
            name="sandbox-server",
            daemon=True,
        )
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the sandbox did not start within 30 s")
        return self

    def close(self) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        for sock in self._sockets:
            sock.close()

    def __enter__(self) -> SandboxServer:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.close()
