"""Whether every EC2 service's tasks can be placed on the instances of the capacity groups it uses.

Per group the task must fit the largest instance type: cpu ``vCPUs x 1024`` units, memory after the
ECS agent's reserve (``ecs_toolkit.data.AGENT_MEMORY_RESERVE_PERCENT``), the same architecture (an EC2
task definition carries none, so the instance decides). awsvpc tasks take a network interface each
(``max ENIs - 1`` per instance without ENI trunking); host-mode tasks take their ports on the instance
(one task per instance, never the ports SSH, Docker and the agent hold). Errors are what can never
work; ``placement_warnings`` is what works only at some scales or on some of a group's types.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location
from ecs_toolkit.data import AGENT_MEMORY_RESERVE_PERCENT, InstanceSpec, instance_types


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


def check_fixed_bridge_ports(config: EnvironmentConfig) -> Iterator[Finding]:
    """Bridge-mode UDP behind an NLB publishes its host ports as they are (``derived.static_host_ports``):
    they must stay outside the dynamic range and clear of every other fixed host port. Reserved ports
    and one task per instance are checked with host mode's (``_host_mode``)."""
    owners: dict[int, str] = {
        service.port: name
        for name, service in config.services.items()
        if derived.network_mode_of(config, service) == "host" and service.port is not None
    }
    dynamic = config.cluster.host_port_range
    for name, service in config.services.items():
        for port in derived.static_host_ports(config, service):
            where: Location = ("services", name, "port" if port == service.port else "nlb")
            what = f"bridge mode with an NLB over UDP publishes host port {port} as it is"
            if dynamic.start <= port <= dynamic.end:
                yield where, f"{what}, inside cluster.host_port_range ({dynamic.start}-{dynamic.end}): use a port outside it"
            elif port in owners and owners[port] != name:
                yield where, f"{what}, and service {owners[port]!r} already uses that host port"
            owners.setdefault(port, name)
        fixed = derived.static_host_ports(config, service)
        if fixed and service.scaling is None:
            groups = {group.name: group for group in config.cluster.capacity.ec2}
            strategy = derived.service_strategy(config, service)
            instances = sum(groups[item.provider].max for item in strategy if item.provider in groups)
            if service.count > instances:
                yield (
                    ("services", name, "count"),
                    f"{service.count} tasks in bridge mode with fixed host ports need {service.count} instances "
                    f"(one per instance for port {fixed[0]}), but the service's capacity groups have at most {instances}",
                )


RESERVED_HOST_PORTS = (22, 2375, 2376, 51678, 51679, 51680)
"""Taken on every container instance: SSH, the Docker daemon (2375, 2376) and the ECS agent (51678-51680)
(Amazon ECS API reference, PortMapping hostPort, checked 2026-11-27)."""

Severity = str
"""``error``: it can never work; ``warning``: it works only at some scales or on some instance types."""


@dataclass(frozen=True)
class _Group:
    name: str
    types: list[InstanceSpec]
    """The group's known instance types, smallest first."""
    max: int

    @property
    def largest(self) -> InstanceSpec:
        return self.types[-1]


def check_placement(config: EnvironmentConfig) -> Iterator[Finding]:
    """What can never be placed on the EC2 groups a service uses."""
    for severity, location, message in _placement(config):
        if severity == "error":
            yield location, message


def placement_warnings(config: EnvironmentConfig) -> Iterator[Finding]:
    """What works only at some scales or on some of a group's instance types."""
    for severity, location, message in _placement(config):
        if severity == "warning":
            yield location, message


def _groups(config: EnvironmentConfig, service: ServiceConfig) -> list[_Group]:
    known = instance_types()
    by_name = {group.name: group for group in config.cluster.capacity.ec2}
    used: list[_Group] = []
    for item in derived.service_strategy(config, service):
        group = by_name.get(item.provider)
        if group is None:
            continue
        types = sorted((known[kind] for kind in group.instance_types if kind in known), key=lambda s: (s.memory_mib, s.vcpu))
        if types:
            used.append(_Group(group.name, types, group.max))
    return used


def _placement(config: EnvironmentConfig) -> Iterator[tuple[Severity, Location, str]]:
    for name, service in config.services.items():
        if derived.launch_of(config, service) != "ec2":
            continue
        where: Location = ("services", name)
        groups = _groups(config, service)
        for group in groups:
            yield from _size(config, where, service, group)
            yield from _architecture(where, service, group)
        mode = derived.network_mode_of(config, service)
        if mode == "host":
            yield from _host_mode(where, service, groups)
        elif derived.static_host_ports(config, service):
            fixed = derived.static_host_ports(config, service)
            ports = [((*where, "port" if port == service.port else "nlb"), port) for port in fixed]
            yield from _host_mode(where, service, groups, ports=ports, how="in bridge mode with fixed host ports")
        if mode == "awsvpc" and groups:
            yield from _interfaces(where, service, groups)


def _tasks(where: Location, service: ServiceConfig) -> tuple[Location, int, Location, int]:
    """(where, fewest tasks the service runs) and (where, most): count, or scaling's min and max."""
    if service.scaling is not None:
        return (*where, "scaling", "min"), service.scaling.min, (*where, "scaling", "max"), service.scaling.max
    return (*where, "count"), service.count, (*where, "count"), service.count


def _size(
    config: EnvironmentConfig, where: Location, service: ServiceConfig, group: _Group
) -> Iterator[tuple[Severity, Location, str]]:
    largest = group.largest
    cpu = derived.task_cpu(config, service)
    memory = derived.task_memory_mib(config, service)
    checks: list[tuple[str, int, dict[str, int], str, str]] = [
        (
            "cpu",
            cpu,
            {spec.name: spec.cpu_units for spec in group.types},
            "cpu units",
            f"{largest.cpu_units} cpu units ({largest.vcpu} vCPUs x 1024)",
        ),
        (
            "memory_mib",
            memory,
            {spec.name: spec.task_memory_mib for spec in group.types},
            "MiB",
            f"{largest.task_memory_mib} MiB for tasks ({largest.memory_mib} MiB less the ECS agent's "
            f"{AGENT_MEMORY_RESERVE_PERCENT}% reserve)",
        ),
    ]
    for field, need, room, unit, largest_room in checks:
        at: Location = (*where, field) if field in service.model_fields_set else where
        if need > room[largest.name]:
            yield (
                "error",
                at,
                f"{need} {unit} do not fit on any instance of group {group.name!r}: its largest type, {largest.name}, "
                f"has {largest_room}: use at most {room[largest.name]} or add a larger instance type",
            )
            continue
        too_small = [name for name, available in room.items() if need > available]
        if too_small:
            yield (
                "warning",
                at,
                f"{need} {unit} do not fit on {', '.join(too_small)} in group {group.name!r}: "
                "tasks wait until a larger type of the group is launched",
            )


def _architecture(where: Location, service: ServiceConfig, group: _Group) -> Iterator[tuple[Severity, Location, str]]:
    architecture = group.largest.architecture
    if service.architecture != architecture:
        yield (
            "error",
            (*where, "architecture"),
            (
                f"the image is {service.architecture} but group {group.name!r} runs {architecture} instances "
                f"({', '.join(spec.name for spec in group.types)}), and an EC2 task runs on the instance's architecture: "
                f"set architecture: {architecture} if the image has an {architecture} build, "
                f"or use an {service.architecture} group"
            ),
        )


def _host_mode(
    where: Location,
    service: ServiceConfig,
    groups: list[_Group],
    ports: Sequence[tuple[Location, int | None]] | None = None,
    how: str = "in host mode",
) -> Iterator[tuple[Severity, Location, str]]:
    """Host networking binds each container port on the instance itself (and so do the fixed host ports
    of bridge-mode UDP behind an NLB: ``ports`` and ``how`` say which and how)."""
    if ports is None:
        ports = [((*where, "port"), service.port)] + [
            ((*where, "sidecars", index, "port"), sidecar.port) for index, sidecar in enumerate(service.sidecars)
        ]
    for at, port in ports:
        if port in RESERVED_HOST_PORTS:
            yield (
                "error",
                at,
                (
                    f"host port {port} is taken on every instance by SSH, Docker or the ECS agent "
                    f"({', '.join(map(str, RESERVED_HOST_PORTS))}): use another port"
                ),
            )
    if service.port is None or not groups:
        return
    instances = sum(group.max for group in groups)
    fewest_at, fewest, most_at, most = _tasks(where, service)
    one_per = f"one per instance for port {service.port}"
    if service.scaling is not None and fewest > instances:
        yield (
            "error",
            fewest_at,
            (
                f"{fewest} tasks {how} need {fewest} instances ({one_per}), "
                f"but the service's capacity groups have at most {instances}"
            ),
        )
        return
    if service.scaling is not None and most > instances:
        yield (
            "warning",
            most_at,
            (
                f"scaling up to {most} tasks {how} needs {most} instances ({one_per}); "
                f"the service's capacity groups have at most {instances}, so tasks above {instances} cannot be placed"
            ),
        )
    percent = service.deployment.min_healthy_percent
    kept = math.ceil(fewest * percent / 100)
    if 0 < fewest == instances and kept >= fewest:
        fix = (fewest - 1) * 100 // fewest
        at = (
            (*where, "deployment", "min_healthy_percent")
            if "min_healthy_percent" in service.deployment.model_fields_set
            else fewest_at
        )
        yield (
            "error",
            at,
            (
                f"a rolling deployment can never start: {fewest} tasks {how} fill all {instances} instances the groups "
                f"may have ({one_per}), and min_healthy_percent {percent} keeps every old task running: "
                f"lower deployment.min_healthy_percent to {fix} or less, or raise the groups' max"
            ),
        )
    elif service.scaling is not None and most >= instances and math.ceil(instances * percent / 100) >= instances:
        yield (
            "warning",
            most_at,
            (
                f"at {instances} tasks {how} every instance the groups may have is full ({one_per}) and "
                f"min_healthy_percent {percent} keeps every old task running, so a deployment at that scale cannot start: "
                "lower deployment.min_healthy_percent or raise the groups' max"
            ),
        )


def _interfaces(where: Location, service: ServiceConfig, groups: list[_Group]) -> Iterator[tuple[Severity, Location, str]]:
    """An awsvpc task on EC2 takes a network interface of its own: max ENIs - 1 per instance, without ENI trunking."""

    def room(pick: Callable[[_Group], InstanceSpec]) -> tuple[int, str]:
        parts = [f"{group.name}: {group.max} x {pick(group).max_enis - 1} on {pick(group).name}" for group in groups]
        return sum(group.max * (pick(group).max_enis - 1) for group in groups), "; ".join(parts)

    most_room, most_detail = room(lambda group: max(group.types, key=lambda spec: spec.max_enis))
    least_room, least_detail = room(lambda group: min(group.types, key=lambda spec: spec.max_enis))
    fewest_at, fewest, most_at, most = _tasks(where, service)
    why = "an instance's own interface takes one, and ENI trunking is not turned on"
    if fewest > most_room:
        yield (
            "error",
            fewest_at,
            (
                f"{fewest} awsvpc tasks need a network interface each, but the service's groups hold at most {most_room} "
                f"({most_detail}; {why})"
            ),
        )
    elif most > least_room:
        yield (
            "warning",
            most_at,
            (
                f"{most} awsvpc tasks need a network interface each; on the groups' smallest types they hold {least_room} "
                f"({least_detail}; {why})"
            ),
        )
