"""Stand-ins for a database server that stops answering, without stopping the real one others share.

`SilentServer` accepts connections and never says a word (a server stopped before it could answer).
`FreezableProxy` passes bytes between a client and the real PostgreSQL until `freeze()`, then holds them,
as a SIGSTOPped server does: the kernel still takes what is sent, the connection stays open, and no
answer ever comes.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


class SilentServer:
    """Accepts on 127.0.0.1 and never answers."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        with suppress(OSError):
            while True:
                connection, _ = self._listener.accept()
                self._accepted.append(connection)  # kept open, never read

    def close(self):
        self._listener.close()
        for connection in self._accepted:
            connection.close()


class FreezableProxy:
    """A TCP proxy to `host:port` that stops passing bytes (in both directions) while frozen."""

    def __init__(self, host: str, port: int):
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thawed = threading.Event()
        self._thawed.set()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self):
        self._thawed.clear()

    def thaw(self):
        self._thawed.set()

    def _accept(self):
        with suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                server = socket.create_connection(self._target)
                self._sockets += [client, server]
                for source, destination in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(source, destination), daemon=True).start()

    def _pump(self, source: socket.socket, destination: socket.socket):
        with suppress(OSError):
            while data := source.recv(65536):
                self._thawed.wait()  # frozen: what arrived is held, as a stopped process would leave it unread
                destination.sendall(data)
        for end in (source, destination):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def close(self):
        self._thawed.set()
        self._listener.close()
        for end in self._sockets:
            with suppress(OSError):
                end.close()
