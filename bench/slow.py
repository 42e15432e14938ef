"""Slow clients for the benchmark: sockets that send a request's headers a byte at a time.

Each client connects to 127.0.0.1 only, sends the start of a request and
then one more header byte every `interval` seconds, never finishing it;
when the server closes the connection (a read deadline) it connects again.
All of them stop by themselves after `seconds`, and each makes at most
`max_connections` connections, so the loop is bounded whatever the server does.
"""

from __future__ import annotations

import socket
import threading
import time

HOST = "127.0.0.1"  # never anything else


class SlowClients:
    def __init__(
        self,
        port: int,
        count: int = 16,
        seconds: float = 30.0,
        interval: float = 0.5,
        max_connections: int = 1000,
    ):
        self.port, self.count, self.seconds = port, count, seconds
        self.interval, self.max_connections = interval, max_connections
        self.connections = 0  # made in all
        self.cut_off = 0  # closed by the server
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _done(self, deadline: float) -> bool:
        return self._stop.is_set() or time.monotonic() >= deadline

    def _client(self) -> None:
        deadline = time.monotonic() + self.seconds
        for _ in range(self.max_connections):
            if self._done(deadline):
                return
            with self._lock:
                self.connections += 1
            try:
                sock = socket.create_connection((HOST, self.port), timeout=5)
            except OSError:
                self._stop.wait(self.interval)
                continue
            with sock:
                if self._hold(sock, deadline):
                    with self._lock:
                        self.cut_off += 1

    def _hold(self, sock: socket.socket, deadline: float) -> bool:
        """Trickle header bytes; True once the server ends the request, False if we stopped."""
        try:
            sock.sendall(b"GET /api/search?q=myeloma HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sock.settimeout(self.interval)
            while not self._done(deadline):
                sock.sendall(b"a")
                try:
                    sock.recv(4096)  # b"" (closed) or a 408: the server is done with us
                    return True
                except TimeoutError:
                    continue
        except OSError:
            return True
        return False

    def __enter__(self) -> "SlowClients":
        self._threads = [
            threading.Thread(target=self._client, daemon=True) for _ in range(self.count)
        ]
        for t in self._threads:
            t.start()
        time.sleep(min(1.0, self.seconds))  # every socket open and mid-request
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=self.interval + 10)
