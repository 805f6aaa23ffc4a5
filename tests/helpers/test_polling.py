from __future__ import annotations

import io

from ecs_toolkit.helpers.polling import Deadline, Progress
from tests.helpers.world import FakeClock


def test_progress_prints_news_and_a_heartbeat_but_not_every_repeat() -> None:
    stream = io.StringIO()
    progress = Progress(stream=stream, heartbeat=3)

    for seconds in range(0, 70, 10):
        progress(f"waiting: web 1/2 running [{seconds}s]")
    progress("waiting: web 2/2 running [70s]")

    assert stream.getvalue().splitlines() == [
        "waiting: web 1/2 running [0s]",
        "waiting: web 1/2 running [30s]",
        "waiting: web 1/2 running [60s]",
        "waiting: web 2/2 running [70s]",
    ]


def test_a_deadline_never_sleeps_past_its_end() -> None:
    clock = FakeClock()
    deadline = Deadline(25, clock.timing(poll_seconds=10))

    while not deadline.expired():
        deadline.pause()

    assert clock.now == 25
    assert clock.sleeps == 3
