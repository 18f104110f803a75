"""A TCP forwarder on a loopback port, for tests of a database that goes away and comes back
without stopping the machine's PostgreSQL (other tests share it).

    with Forwarder(("127.0.0.1", 5432)) as forwarder:
        ...  # point the app at 127.0.0.1:{forwarder.port}
        forwarder.close()  # the database is "stopped": connections are cut, new ones refused
        forwarder.open()  # and back, on the same port
        forwarder.cut_when_client_sends(b"COMMIT")  # the connection that sends this is cut

Closing cuts every connection through it, as a stopped server or a dropped network does: the
database sees its client vanish (and rolls back what was not committed), the client sees its
server vanish. A cut on a pattern drops the connection before the bytes that hold the pattern
reach the server, so a test can cut a transaction at a chosen statement, deterministically.

Threads, bounded: at most MAX_CONNECTIONS at once (more are refused), each waited on with a
timeout. Only loopback addresses, here and as the target.
"""

from __future__ import annotations

import contextlib
import socket
import threading

MAX_CONNECTIONS = 64
_CHUNK = 65536


class Forwarder:
    def __init__(self, target: tuple[str, int]) -> None:
        if not target[0].startswith("127."):
            raise ValueError("the forwarder forwards to loopback addresses only")
        self.target = target
        self.port = 0
        self.cuts = 0  # connections cut on a pattern
        # What the client of the last connection cut on a pattern had sent before it (its last
        # 64 KiB): which statements of the transaction reached the server.
        self.sent_before_cut = b""
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._pattern: bytes | None = None

    def __enter__(self) -> Forwarder:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def open(self) -> None:
        """Listen (on the same port as before, once one was chosen): the database is back."""
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def close(self) -> None:
        """Refuse new connections and cut every open one: the database is gone."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread at once
            listener.close()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
            self._acceptor = None
        with self._lock:
            pairs = list(self._pairs)
        for pair in pairs:
            self._cut(pair)

    def cut_when_client_sends(self, pattern: bytes | None) -> None:
        """Cut the next connection whose client sends `pattern` (once); None forgets it."""
        self._pattern = pattern

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                full = len(self._pairs) >= MAX_CONNECTIONS
            if full:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            pair = (client, server)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(pair, False), daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket], from_client: bool) -> None:
        source, sink = pair if from_client else pair[::-1]
        tail = sent = b""
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    break
                pattern = self._pattern
                if from_client and pattern:
                    if pattern in tail + data:  # also across two reads
                        self._pattern = None
                        self.sent_before_cut = sent
                        self.cuts += 1
                        break
                    tail = (tail + data)[-len(pattern) :]
                if from_client:
                    sent = (sent + data)[-_CHUNK:]
                sink.sendall(data)
        except OSError:
            pass
        self._cut(pair)

    def _cut(self, pair: tuple[socket.socket, socket.socket]) -> None:
        with self._lock:
            if pair not in self._pairs:
                return
            self._pairs.discard(pair)
        for end in pair:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
