"""What every rule yields, and the helpers several topics share."""

from __future__ import annotations

from ecs_toolkit.config.models import LOG_RETENTION_DAYS

Location = tuple[str | int, ...]
Finding = tuple[Location, str]
"""Where in the manifest (as a path of keys and indexes), and what is wrong."""


def split_path(prefix: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in prefix.split(".") if part)


def retention_message(days: int) -> str:
    return f"{days} is not a CloudWatch Logs retention (use one of {', '.join(map(str, LOG_RETENTION_DAYS))})"
