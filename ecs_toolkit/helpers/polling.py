"""Deadlines and polling with an injectable clock, so waiting code is testable in milliseconds."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

DEFAULT_POLL_SECONDS = 10.0
"""ECS updates service and task state every few seconds; 10 s keeps API calls low."""


@dataclass(frozen=True)
class Timing:
    poll_seconds: float = DEFAULT_POLL_SECONDS
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class Deadline:
    def __init__(self, timeout_seconds: float, timing: Timing) -> None:
        self._timing = timing
        self.timeout_seconds = timeout_seconds
        self._start = timing.clock()
        self._end = self._start + timeout_seconds

    @property
    def elapsed(self) -> float:
        return self._timing.clock() - self._start

    def expired(self) -> bool:
        return self._timing.clock() >= self._end

    def pause(self) -> None:
        """Sleep one poll interval, never past the deadline."""
        remaining = self._end - self._timing.clock()
        self._timing.sleep(max(0.0, min(self._timing.poll_seconds, remaining)))


_ELAPSED = re.compile(r"\s*\[\d+s\]$")


@dataclass
class Progress:
    """Progress lines on stderr: printed when the news changes, else every ``heartbeat``-th time.

    A trailing elapsed time (``[40s]``) does not count as news; the heartbeat keeps CI logs alive.
    """

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    heartbeat: int = 6
    _last: str | None = None
    _repeats: int = 0

    def __call__(self, message: str) -> None:
        news = _ELAPSED.sub("", message)
        if news == self._last:
            self._repeats += 1
            if self._repeats % self.heartbeat:
                return
        else:
            self._last, self._repeats = news, 0
        print(message, file=self.stream, flush=True)


def quiet(message: str) -> None:
    """A progress callback that discards everything."""
