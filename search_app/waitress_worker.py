"""A gunicorn worker that serves through waitress (search_app/frontend.py).

gunicorn's master keeps what it is good at: the listening socket, the app
loaded once before the fork, replacing a worker that dies, graceful reload
on HUP and stop on TERM. Inside each worker, waitress's event loop reads
whole requests before the worker's threads see them, which gunicorn's own
gthread worker does not (one thread per half-read request, no read
timeout). The loop wakes at least twice a second to tell the master it is
alive and to notice a stop.
"""

from __future__ import annotations

import os
import time

from gunicorn.workers.base import Worker

from .frontend import create_server

TICK = 0.5  # seconds between heartbeats (gunicorn's timeout is far longer)
QUIET = 1.0  # a connection silent this long, with nothing pending, may be closed


def busy(channel) -> bool:
    """A request being read, served or sent, or a connection too new to have sent one yet."""
    if not hasattr(channel, "requests"):
        return False  # the trigger pipe
    return bool(
        channel.requests
        or channel.request is not None
        or channel.total_outbufs_len
        or time.time() - channel.last_activity < QUIET
    )


class WaitressWorker(Worker):
    def run(self):
        servers = [create_server(self.wsgi, sock=s.sock) for s in self.sockets]
        channels = servers[0]._map  # each server has its own map; loop over all of them
        for server in servers[1:]:
            channels.update(server._map)
        loop = servers[0].asyncore.loop
        while self.alive:
            self.notify()
            if self.ppid != os.getppid():
                self.log.info("Parent changed, shutting down: %s", self)
                break
            loop(timeout=TICK, map=channels, use_poll=True, count=1)
        self._drain(servers, channels, loop)

    def _drain(self, servers, channels, loop) -> None:
        """Stop accepting, let requests in progress finish (up to graceful_timeout), close."""
        for server in servers:
            server.accepting = False
            server.del_channel()  # the socket stays open in the master for the next workers
        deadline = time.monotonic() + self.cfg.graceful_timeout
        dispatcher = servers[0].task_dispatcher
        while time.monotonic() < deadline:
            if not any(busy(ch) for ch in list(channels.values())):
                break
            self.notify()
            loop(timeout=0.1, map=channels, use_poll=True, count=1)
        dispatcher.shutdown(cancel_pending=True, timeout=1)
        for channel in list(channels.values()):
            try:
                channel.close()
            except OSError:
                pass
