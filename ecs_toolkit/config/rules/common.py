"""What every rule yields, and the helpers several topics share."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable, Iterator

from ecs_toolkit.config.models import LOG_RETENTION_DAYS
from ecs_toolkit.config.origins import Location

__all__ = ["Finding", "Location", "did_you_mean", "network_sources", "retention_message", "split_path"]

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


PREFIX_LIST_ID = re.compile(r"^pl-[0-9a-f]{8,17}$")


def network_sources(
    at: Location, sources: Iterable[str], *, prefix_lists: bool = False, whole_internet: str | None = None
) -> Iterator[Finding]:
    """Problems with a list of inbound sources, at each entry: duplicates, a value that is not an IPv4 network (or,
    with ``prefix_lists``, a prefix list id), host bits set, and ``0.0.0.0/0`` when ``whole_internet`` says why not."""
    seen: set[str] = set()
    for index, source in enumerate(sources):
        where: Location = (*at, index)
        if source in seen:
            yield where, f"{source!r} is listed twice"
        seen.add(source)
        if prefix_lists and PREFIX_LIST_ID.match(source):
            continue
        try:
            network = ipaddress.IPv4Network(source, strict=False)
        except ValueError:
            allowed = (
                "neither an IPv4 CIDR (10.8.0.0/16) nor a prefix list id (pl-0123abcd)"
                if prefix_lists
                else "not an IPv4 CIDR (10.8.0.0/16)"
            )
            yield where, f"{source!r} is {allowed}"
            continue
        if str(network) != source:
            yield where, f"{source!r} has host bits set: the network is {network}"
        elif network.prefixlen == 0 and whole_internet is not None:
            yield where, whole_internet
