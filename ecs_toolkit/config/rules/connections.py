"""Rules for declared connections (``connects_to``) and outside sources (``allow_from``)."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location, did_you_mean, network_sources

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
        yield at, f"there is no service named {callee!r}{did_you_mean(callee, config.services)}"
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
    yield from network_sources(
        (*where, "allow_from"),
        service.allow_from,
        prefix_lists=True,
        whole_internet="0.0.0.0/0 opens the service to the whole internet: put it behind a load balancer instead",
    )


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
