"""Run Markdown conversion in a child process, so that no text can hang or crash a web worker.

Python-Markdown is quadratic on some inputs (a few thousand unclosed `[` or `![` take
seconds, twenty thousand take minutes) and recurses on nested lists. Pre-checks that
reject such patterns can never be complete, and a thread cannot be stopped, so each
server process keeps one long-lived child that converts text on request. A conversion
that runs past its time is ended by killing the child; the next request starts a fresh
one. A normal conversion costs one round trip through a pipe (well under a millisecond).
"""

import multiprocessing
import threading
from collections.abc import Callable
from typing import Any

# Address space for the child, so that a text that makes the converter allocate without
# bound ends in a MemoryError there instead of swapping the machine. The converter
# normally needs well under 200 MB.
CHILD_MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024


class ConversionTimedOut(Exception):
    """The conversion ran past its time and the child was stopped."""


class ConversionFailed(Exception):
    """The conversion raised, or the child died; `reason` is "too_deep" or "failed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: children are forked from a small clean server process, never from a
    # threaded web worker (forking one can deadlock, and Python warns against it).
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["blog.markdown"])
        return context
    return multiprocessing.get_context("spawn")


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = CHILD_MEMORY_LIMIT_BYTES
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(connection, function: Callable[..., Any]) -> None:
    """The child's loop: answer each (args, kwargs) with ("ok", result) or an error tag."""
    _limit_memory()
    connection.send(("ready", None))
    while True:
        try:
            args, kwargs = connection.recv()
        except (EOFError, OSError):
            return  # the parent went away
        try:
            reply = ("ok", function(*args, **kwargs))
        except RecursionError:
            reply = ("too_deep", None)
        except Exception:  # any failure becomes a refusal in the parent
            reply = ("failed", None)
        connection.send(reply)


# How long a new child may take to start (a fresh interpreter importing Markdown, on a busy
# machine). Not counted against a conversion's own time limit.
START_TIMEOUT_SECONDS = 30.0


class Worker:
    """One child process that runs `function`; safe to share between threads."""

    def __init__(self, function: Callable[..., Any]):
        self._function = function
        self._lock = threading.Lock()
        self._process = None
        self._connection = None

    def call(self, *args, timeout: float, **kwargs) -> Any:
        """Return `function(*args, **kwargs)` computed in the child, within `timeout` seconds.

        Raises ConversionTimedOut or ConversionFailed. Calls are served one at a time;
        neither the time a call waits for an earlier one nor a new child's start is counted
        against it.
        """
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._start()
            try:
                self._connection.send((args, kwargs))
                if not self._connection.poll(timeout):
                    self._stop()
                    raise ConversionTimedOut
                status, result = self._connection.recv()
            except (EOFError, OSError):
                self._stop()
                raise ConversionFailed("failed") from None
        if status != "ok":
            raise ConversionFailed(status)
        return result

    def _start(self) -> None:
        context = _context()
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_serve, args=(child_end, self._function), daemon=True, name="markdown"
        )
        process.start()
        child_end.close()
        self._process, self._connection = process, parent_end
        try:
            ready = parent_end.poll(START_TIMEOUT_SECONDS) and parent_end.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop()
            raise ConversionFailed("failed")

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process.close()
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None
