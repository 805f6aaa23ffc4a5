"""What every rule yields, and the helpers several topics share."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ecs_toolkit.config.models import LOG_RETENTION_DAYS
from ecs_toolkit.config.origins import Location

__all__ = ["Finding", "Location", "did_you_mean", "retention_message", "split_path"]

Finding = tuple[Location, str]
"""Where in the manifest (as a path of keys and indexes), and what is wrong."""


def split_path(prefix: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in prefix.split(".") if part)


def retention_message(days: int) -> str:
    return f"{days} is not a CloudWatch Logs retention (use one of {', '.join(map(str, LOG_RETENTION_DAYS))})"


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """The end of a message about an unknown name: the closest known name, else the names there are.

    ``: did you mean 'spot'?`` for ``spto``; case does not count (``fargate-spot`` finds ``FARGATE_SPOT``);
    `` (have: ondemand, spot)`` when nothing is close, `` (have: none)`` when there is nothing.
    """
    names = list(known)
    by_lower = {known_name.lower(): known_name for known_name in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        return f": did you mean {by_lower[close[0]]!r}?"
    return f" (have: {', '.join(names) or 'none'})"
