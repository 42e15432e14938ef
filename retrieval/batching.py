"""Dynamic micro-batching: concurrent requests' texts go to the model in one call.

A batch of queries costs the model less per query than the same queries one
by one (docs/performance.md), and under load requests arrive together. The
first caller to find no batch forming leads one: it waits for company up to
a short window or until the batch is full, whichever comes first, runs the
model outside the lock and hands every caller its own rows. A caller alone
(nothing pending, no batch running) goes at once, so a quiet server adds no
wait. While every model slot is busy a leader keeps collecting, since its
batch could not start anyway.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np


class _Ticket:
    __slots__ = ("texts", "taken", "done", "result", "error")

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.taken = False
        self.done = False
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None


class MicroBatcher:
    """`embed(texts)` returns `run(texts)`'s rows, with other callers' texts run alongside."""

    def __init__(
        self,
        run: Callable[[list[str]], np.ndarray],
        max_batch: int,
        window_s: float,
        slots: int = 1,
    ):
        self._run = run
        self.max_batch = max(int(max_batch), 1)
        self.window_s = max(float(window_s), 0.0)
        self.slots = max(int(slots), 1)  # model calls at once (cores / threads per call)
        self._cond = threading.Condition()
        self._pending: list[_Ticket] = []
        self._leading = False
        self._running = 0
        self.batch_sizes: list[int] = []  # texts per model call, newest last (bounded)

    def embed(self, texts: list[str]) -> np.ndarray:
        ticket = _Ticket(list(texts))
        if self.max_batch == 1:
            self._call([ticket])
            if ticket.error is not None:
                raise ticket.error
            return ticket.result
        with self._cond:
            self._pending.append(ticket)
            self._cond.notify_all()
            while not ticket.taken:
                if not self._leading:
                    batch = self._lead(ticket)
                    break
                self._cond.wait()
            else:
                batch = None
            if batch is None:
                while not ticket.done:
                    self._cond.wait()
        if batch is not None:
            self._call(batch)
        if ticket.error is not None:
            raise ticket.error
        return ticket.result

    def _lead(self, ticket: _Ticket) -> list[_Ticket]:
        """Collect a batch (called with the lock held); the leader's own ticket is in it."""
        self._leading = True
        deadline = time.monotonic() + self.window_s
        while self._size() < self.max_batch:
            if self._running < self.slots:
                if self._running == 0 and len(self._pending) == 1:
                    break  # alone: waiting would only add latency
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            else:
                self._cond.wait()  # every slot busy: keep collecting
        self._pending.remove(ticket)
        batch, size = [ticket], len(ticket.texts)
        while self._pending and size + len(self._pending[0].texts) <= self.max_batch:
            size += len(self._pending[0].texts)
            batch.append(self._pending.pop(0))
        for t in batch:
            t.taken = True
        self._leading = False
        self._running += 1
        self._cond.notify_all()  # a waiting caller may lead the next batch
        return batch

    def _size(self) -> int:
        return sum(len(t.texts) for t in self._pending)

    def _call(self, batch: list[_Ticket]) -> list[_Ticket]:
        texts = [text for t in batch for text in t.texts]
        try:
            vectors = np.asarray(self._run(texts), dtype=np.float32) if texts else None
            error = None
        except BaseException as exc:  # every caller of the batch gets the error
            vectors, error = None, exc
        start = 0
        for t in batch:
            if error is None:
                rows = vectors[start : start + len(t.texts)] if texts else np.zeros((0, 0))
                t.result = np.array(rows, dtype=np.float32)  # own copy
            t.error = error
            start += len(t.texts)
        if self.max_batch > 1:
            with self._cond:
                for t in batch:
                    t.done = True
                self._running -= 1
                self.batch_sizes.append(len(texts))
                del self.batch_sizes[:-1000]
                self._cond.notify_all()
        else:
            for t in batch:
                t.done = True
        return batch
