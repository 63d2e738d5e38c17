"""The watchdog: a bound, kept on our side, on how long a post waits for PostgreSQL.

PostgreSQL's own timeouts (statement, lock) are enforced by the server, so they cannot act when the
server itself stops answering: a stopped process (SIGSTOP), a hung host or a lost network. The
kernel still accepts what we send, so TCP sees nothing wrong and the driver would wait for ever,
long past Lambda's 15 s. Each wait on the database is registered here with a deadline; one
thread per process shuts down the socket of any wait that outlives it, so the driver's read fails
at once, the store turns that into `DatabaseUnavailable`, and the reader gets the NHS 503 with
Retry-After. A connection cut this way is dropped and a new one opened on the next post.
"""

from __future__ import annotations

import itertools
import math
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass


@dataclass
class Wait:
    """One registered wait on a socket; `cut` is True once the watchdog has given up on it."""

    fileno: int
    deadline: float
    cut: bool = False


class Watchdog:
    """Cuts the socket of a wait that outlives its deadline. One thread, started on first use (and again in a
    forked worker); it sleeps until the earliest deadline, and is woken only by a wait due
    before that. Waits of one length arrive in deadline order, so a statement costs a dictionary entry, not a
    thread switch."""

    def __init__(self) -> None:
        self._numbers = itertools.count()
        self._reset()
        if hasattr(os, "register_at_fork"):  # a forked worker starts afresh: no thread, and no lock it might hold
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._waits: dict[int, Wait] = {}
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        #: When the thread will next wake by itself (infinity while it has nothing to watch).
        self._wakes_at = math.inf

    @contextmanager
    def watching(self, fileno: int, seconds: float) -> Iterator[Wait]:
        """Everything inside must finish within `seconds`, or the socket `fileno` is shut down under it.

        The caller keeps the socket open until this returns: the watchdog only ever touches a socket while
        its wait is registered, so it can never cut a descriptor number that has since been reused."""
        wait = Wait(fileno, time.monotonic() + seconds)
        number = next(self._numbers)
        with self._changed:
            self._start()
            self._waits[number] = wait
            if wait.deadline < self._wakes_at:  # otherwise it sees this wait when it wakes anyway
                self._wakes_at = wait.deadline
                self._changed.notify()
        try:
            yield wait
        finally:
            with self._changed:
                self._waits.pop(number, None)

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._wakes_at = math.inf
            self._thread = threading.Thread(target=self._run, name="database-watchdog", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with self._changed:
            while True:
                now = time.monotonic()
                for number, wait in list(self._waits.items()):
                    if wait.deadline <= now:
                        del self._waits[number]
                        wait.cut = True
                        _shut_down(wait.fileno)
                self._wakes_at = min((wait.deadline for wait in self._waits.values()), default=math.inf)
                self._changed.wait(None if self._wakes_at == math.inf else max(self._wakes_at - now, 0.001))


def _shut_down(fileno: int) -> None:
    """Shuts the socket down for both directions: the thread blocked reading it wakes with an error at once.
    Through a duplicate descriptor, so the driver still owns (and later closes) its own."""
    with suppress(OSError):
        duplicate = socket.socket(fileno=os.dup(fileno))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


#: The process's one watchdog, shared by every store in it.
WATCHDOG = Watchdog()
