"""Declared connections (``connects_to``) and outside sources (``allow_from``) as ingress rules.

Each rule admits the callee's port (awsvpc: on its task group; host mode: the port on its EC2
groups' instances; bridge: the cluster's pinned dynamic host-port range on those instances) from
the caller's task group or the caller's EC2 groups' instances. A rule is written into the later of
the two owning stacks in deployment order (the platform first, then services in manifest order with
every publisher before the workers subscribed to its topics: ``derived.deployment_order``),
so a reference always points at an earlier stack and two services may call each other without a
cycle. Identical rules (two bridge callers on one EC2 group) are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from ecs_toolkit.config import derived
from ecs_toolkit.constructs.capacity import Ec2Capacity
from ecs_toolkit.constructs.connections import PortRange, admit

if TYPE_CHECKING:
    from ecs_toolkit.stacks.environment import Environment


@dataclass(frozen=True)
class _Side:
    group: ec2.ISecurityGroup
    stack: cdk.Stack


def wire_connections(environment: Environment) -> None:
    """Add the ingress rule of every declared connection and every ``allow_from`` source."""
    config = environment.config
    order = {environment.platform.node.path: -1}
    order.update({stack.node.path: index for index, stack in enumerate(environment.services.values())})
    written: set[tuple[str, str, PortRange]] = set()

    def write(
        stack: cdk.Stack,
        construct_id: str,
        group: ec2.ISecurityGroup,
        source: ec2.ISecurityGroup | str,
        ports: PortRange,
        description: str,
    ) -> None:
        key = (group.node.path, source if isinstance(source, str) else source.node.path, ports)
        if key in written:
            return
        written.add(key)
        admit(stack, construct_id, group=group, source=source, ports=ports, description=description)

    for caller, callee in derived.declared_connections(config):
        for index, (destination, ports) in enumerate(_destinations(environment, callee)):
            for number, source in enumerate(_sources(environment, caller)):
                stack = max((destination.stack, source.stack), key=lambda s: order[s.node.path])
                write(
                    stack,
                    f"Connection-{caller}-{callee}-{index}-{number}",
                    destination.group,
                    source.group,
                    ports,
                    f"{caller} calls {callee}",
                )
    for name, service in config.services.items():
        for index, (destination, ports) in enumerate(_destinations(environment, name) if service.allow_from else []):
            for number, cidr in enumerate(service.allow_from):
                write(
                    destination.stack,
                    f"AllowFrom-{name}-{index}-{number}",
                    destination.group,
                    cidr,
                    ports,
                    f"{cidr} may call {name}",
                )


def _destinations(environment: Environment, name: str) -> list[tuple[_Side, PortRange]]:
    """Where a service's port is reached: its task group, or its EC2 groups with the host port(s)."""
    config = environment.config
    service = config.services[name]
    assert service.port is not None
    mode = derived.network_mode_of(config, service)
    if mode == "awsvpc":
        group = environment.services[name].task_security_group
        return [(_Side(group, environment.services[name]), PortRange.single(service.port))] if group else []
    if mode == "bridge":
        ports = PortRange("tcp", config.cluster.host_port_range.start, config.cluster.host_port_range.end)
    elif mode == "host":
        ports = PortRange.single(service.port)
    else:
        return []
    return [(_Side(group.security_group, environment.platform), ports) for group in _groups(environment, name)]


def _sources(environment: Environment, name: str) -> list[_Side]:
    """The security groups a service's connections come from."""
    config = environment.config
    mode = derived.network_mode_of(config, config.services[name])
    if mode == "awsvpc":
        group = environment.services[name].task_security_group
        return [_Side(group, environment.services[name])] if group else []
    if mode == "none":
        return []
    return [_Side(group.security_group, environment.platform) for group in _groups(environment, name)]


def _groups(environment: Environment, name: str) -> list[Ec2Capacity]:
    """The EC2 groups of a service's capacity strategy."""
    capacity = environment.platform.ecs.ec2_capacity
    strategy = derived.service_strategy(environment.config, environment.config.services[name])
    return [capacity[item.provider] for item in strategy if item.provider in capacity]
