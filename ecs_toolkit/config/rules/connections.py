"""Rules for declared connections (``connects_to``) and outside sources (``allow_from``)."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location

PREFIX_LIST_ID = re.compile(r"^pl-[0-9a-f]{8,17}$")
INBOUND_KINDS = ("web", "backend")


def check_connections(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every problem with ``connects_to`` and ``allow_from``, at the entry it concerns."""
    for name, service in config.services.items():
        where: Location = ("services", name)
        seen: set[str] = set()
        for index, callee in enumerate(service.connects_to):
            at: Location = (*where, "connects_to", index)
            if callee in seen:
                yield at, f"{callee!r} is listed twice"
                continue
            seen.add(callee)
            yield from _callee(config, at, name, callee)
        yield from _allow_from(config, where, service)


def _callee(config: EnvironmentConfig, at: Location, caller: str, callee: str) -> Iterator[Finding]:
    if callee == caller:
        yield at, "a service reaches its own tasks without a rule: remove it"
        return
    target = config.services.get(callee)
    if target is None:
        close = difflib.get_close_matches(callee, list(config.services), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (services: {', '.join(config.services)})"
        yield at, f"there is no service named {callee!r}{hint}"
        return
    if target.kind not in INBOUND_KINDS:
        yield at, f"{callee!r} is a {target.kind}: workers and jobs take no inbound connections"
        return
    if target.port is None:
        yield at, f"{callee!r} has no port to connect to: give it a port"
        return
    if derived.discovery_name_of(callee, target) is None:
        yield (
            at,
            f"{callee!r} has no name its callers can resolve: give it discovery: {{name: {callee}}}, "
            "or call it through its load balancer instead",
        )


def _allow_from(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    if not service.allow_from:
        return
    if service.kind not in INBOUND_KINDS or service.port is None:
        yield (*where, "allow_from"), "only a backend or web service with a port takes inbound connections"
        return
    seen: set[str] = set()
    for index, source in enumerate(service.allow_from):
        at: Location = (*where, "allow_from", index)
        if source in seen:
            yield at, f"{source!r} is listed twice"
        seen.add(source)
        if PREFIX_LIST_ID.match(source):
            continue
        try:
            network = ipaddress.IPv4Network(source, strict=False)
        except ValueError:
            yield at, f"{source!r} is neither an IPv4 CIDR (10.8.0.0/16) nor a prefix list id (pl-0123abcd)"
            continue
        if str(network) != source:
            yield at, f"{source!r} has host bits set: the network is {network}"
        elif network.prefixlen == 0:
            yield at, "0.0.0.0/0 opens the service to the whole internet: put it behind a load balancer instead"


def connection_warnings(config: EnvironmentConfig) -> Iterator[Finding]:
    """Backends that nothing may reach: no declared caller and no allow_from."""
    for name, service in config.services.items():
        if service.kind != "backend" or service.port is None or service.allow_from:
            continue
        if not derived.callers_of(config, name):
            yield (
                ("services", name),
                f"nothing may reach this backend: no service declares connects_to: [{name}] and allow_from is empty",
            )
