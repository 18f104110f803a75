"""A TCP forwarder on a loopback port, for tests of a database that goes away and comes back
without stopping the machine's PostgreSQL (other tests share it).

    with Forwarder(("127.0.0.1", 5432)) as forwarder:
        ...  # point the app at 127.0.0.1:{forwarder.port}
        forwarder.close()  # the database is "stopped": connections are cut, new ones refused
        forwarder.open()  # and back, on the same port
        forwarder.cut_when_client_sends(b"COMMIT")  # the connection that sends this is cut
        forwarder.cut_when_client_sends(b"COMMIT", after=b"...")  # its next COMMIT after that

Closing cuts every connection through it, as a stopped server or a dropped network does: the
database sees its client vanish (and rolls back what was not committed), the client sees its
server vanish. A cut on a pattern drops the connection before the bytes that hold the pattern
reach the server, so a test can cut a transaction at a chosen statement, deterministically (the
client must send the statement's text, not a prepared statement's name: psycopg prepares a
statement after its fifth use on a connection).

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
        # What the client of the last connection cut on a pattern had sent since the cut was
        # asked for (at most 64 KiB), the pattern's bytes left out: what reached the server.
        self.sent_before_cut = b""
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._rule: tuple[int, bytes, bytes | None] | None = None  # (number, pattern, after)
        self._rules = 0

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

    def cut_when_client_sends(self, pattern: bytes, after: bytes | None = None) -> None:
        """Cut the next connection whose client sends `pattern` (once), from now on; with `after`,
        only once that connection has sent `after` (from now on too) and then `pattern`."""
        self._rules += 1
        self._rule = (self._rules, pattern, after)

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
        rule_seen, sent, after_seen = 0, b"", False  # this connection, since the rule was set
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    break
                rule = self._rule
                if from_client and rule is not None:
                    number, pattern, after = rule
                    if number != rule_seen:
                        rule_seen, sent, after_seen = number, b"", after is None
                    start = max(0, len(sent) - len(pattern) + 1)  # new bytes only, or across
                    sent += data
                    if not after_seen and after is not None and after in sent:
                        after_seen = True
                        start = max(start, sent.index(after) + len(after))
                    found = sent.find(pattern, start) if after_seen else -1
                    if found >= 0 and self._take(rule):
                        self.sent_before_cut = sent[:found][-_CHUNK:]
                        break
                    sent = sent[-_CHUNK:]
                sink.sendall(data)
        except OSError:
            pass
        self._cut(pair)

    def _take(self, rule) -> bool:
        """Whether this connection is the one a rule cuts (another may have matched it first)."""
        with self._lock:
            if self._rule is not rule:
                return False
            self._rule = None
            self.cuts += 1
            return True

    def _cut(self, pair: tuple[socket.socket, socket.socket]) -> None:
        with self._lock:
            if pair not in self._pairs:
                return
            self._pairs.discard(pair)
        for end in pair:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
