"""Where tasks can be placed: host-mode ports on the instances of the service's capacity groups."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.rules.common import Finding


def check_host_ports(config: EnvironmentConfig) -> Iterator[Finding]:
    """Host networking binds the container port on the instance: one task per port per instance."""
    owners: dict[int, str] = {}
    for name, service in config.services.items():
        if derived.network_mode_of(config, service) != "host" or service.port is None:
            continue
        if service.port in owners:
            yield (
                ("services", name, "port"),
                (f"host port {service.port} is already used by service {owners[service.port]!r} in host mode"),
            )
        else:
            owners[service.port] = name
        groups = {group.name: group for group in config.cluster.capacity.ec2}
        instances = sum(
            groups[item.provider].max for item in derived.service_strategy(config, service) if item.provider in groups
        )
        if service.count > instances:
            yield (
                ("services", name, "count"),
                (
                    f"{service.count} tasks in host mode need {service.count} instances (one per port), "
                    f"but the service's capacity groups have at most {instances}"
                ),
            )
