"""The bounded hand-over between whatever parses (the local pool's batch tasks, or Dask) and the
single writer: its own module so that both parse backends and the flow import it, and no backend
imports the flow."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass


class ResultStream:
    """Bounded hand-over from the parse threads to the writer.

    Bounded, so that a writer slower than the workers slows the workers down instead of piling
    parsed reports up in memory; cancellable, so that a failed writer cannot leave a parse thread
    blocked on a full queue forever."""

    def __init__(self, maxsize: int) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self._cancelled = threading.Event()
        self._finished: set[int] = set()
        self._lock = threading.Lock()

    def finish(self, batch_no: int, error: str | None = None) -> None:
        """Put the end-of-batch marker, once per batch (the writer counts markers to know it is done)."""
        with self._lock:
            if batch_no in self._finished:
                return
            self._finished.add(batch_no)
        self.put(BatchDone(batch_no, error))

    def put(self, item: object) -> None:
        while not self._cancelled.is_set():
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def get(self) -> object:
        return self._queue.get()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


@dataclass(slots=True)
class BatchDone:
    """End-of-batch marker on the results queue (carries the error if the batch task itself failed)."""

    batch_no: int
    error: str | None = None
