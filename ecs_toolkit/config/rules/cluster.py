"""Cluster rules: EC2 capacity groups, capacity provider strategies, dynamic host ports."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, StrategyItemConfig
from ecs_toolkit.config.rules.common import Finding, Location
from ecs_toolkit.data import instance_types

RESERVED_AGENT_PORTS = (22, 2375, 2376, 51678, 51679, 51680)
MIN_HOST_PORT_RANGE = 64


def check_cluster(config: EnvironmentConfig) -> Iterator[Finding]:
    cluster = config.cluster
    groups = cluster.capacity.ec2
    if not groups and not cluster.capacity.fargate:
        yield ("cluster", "capacity"), "the cluster has no capacity: add an ec2 group or turn fargate on"
    seen: set[str] = set()
    for index, group in enumerate(groups):
        where: Location = ("cluster", "capacity", "ec2", index)
        if group.name in seen:
            yield (*where, "name"), f"capacity group {group.name!r} is defined twice"
        seen.add(group.name)
        if not group.instance_types:
            yield (*where, "instance_types"), "a capacity group needs at least one instance type"
        for type_index, kind in enumerate(group.instance_types):
            if kind not in instance_types():
                yield (*where, "instance_types", type_index), unknown_instance_type(kind)
        if len(set(group.instance_types)) != len(group.instance_types):
            yield (*where, "instance_types"), "instance types repeat"
        architectures = {derived.instance_architecture(kind) for kind in group.instance_types}
        if len(architectures) > 1:
            yield (*where, "instance_types"), "mixes arm64 (Graviton) and x86_64 instance types: use one architecture per group"
        if group.min > group.max:
            yield (*where, "min"), f"min {group.min} is greater than max {group.max}"
        if group.min_scaling_step > group.max_scaling_step:
            yield (
                (*where, "min_scaling_step"),
                (f"min_scaling_step {group.min_scaling_step} is greater than max_scaling_step {group.max_scaling_step}"),
            )
        if group.on_demand_base and not group.spot:
            yield (*where, "on_demand_base"), "applies to spot groups only"
        if group.on_demand_base > group.max:
            yield (*where, "on_demand_base"), f"on_demand_base {group.on_demand_base} is greater than max {group.max}"
    if cluster.default_strategy is not None:
        yield from check_strategy(config, cluster.default_strategy, ("cluster", "default_strategy"))
    ports = cluster.host_port_range
    where = ("cluster", "host_port_range")
    if ports.start > ports.end:
        yield (*where, "start"), f"start {ports.start} is greater than end {ports.end}"
    elif ports.end - ports.start + 1 < MIN_HOST_PORT_RANGE:
        yield where, f"{ports.end - ports.start + 1} ports: keep at least {MIN_HOST_PORT_RANGE} for dynamic host ports"
    if ports.start < 1024:
        yield (*where, "start"), "dynamic host ports must start at 1024 or above"
    clashes = [port for port in RESERVED_AGENT_PORTS if ports.start <= port <= ports.end]
    if clashes:
        yield where, f"includes ports reserved by the ECS agent and Docker: {clashes}"


def check_strategy(config: EnvironmentConfig, strategy: list[StrategyItemConfig], where: Location) -> Iterator[Finding]:
    known = derived.provider_names(config)
    if not strategy:
        yield where, "a capacity provider strategy needs at least one provider"
        return
    for index, item in enumerate(strategy):
        if item.provider not in known:
            yield (
                (*where, index, "provider"),
                f"capacity provider {item.provider!r} is not in the cluster (have: {', '.join(known) or 'none'})",
            )
    providers = [item.provider for item in strategy]
    if len(set(providers)) != len(providers):
        yield where, "a capacity provider appears twice"
    if sum(1 for item in strategy if item.base > 0) > 1:
        yield where, "only one provider of a strategy can have a base"
    if all(item.weight == 0 for item in strategy):
        yield where, "at least one provider needs a weight above 0"
    kinds = {item.provider in derived.FARGATE_PROVIDERS for item in strategy}
    if len(kinds) > 1:
        yield where, "a strategy cannot mix Fargate and EC2 capacity providers"


def unknown_instance_type(kind: str) -> str:
    """What to say about a name that is no EC2 instance type: the nearest sizes of its family, or the nearest names."""
    known = instance_types()
    family, _, size = kind.partition(".")
    sizes = sorted(
        (spec for spec in known.values() if spec.name.partition(".")[0] == family),
        key=lambda spec: (spec.vcpu, spec.memory_mib, spec.name),
    )
    if sizes:
        names = [spec.name.partition(".")[2] for spec in sizes]
        close = [f"{family}.{name}" for name in difflib.get_close_matches(size, names, n=2, cutoff=0.4)]
        guess = f": did you mean {' or '.join(close)}?" if close else ""
        return f"{kind!r} is not an EC2 instance type{guess} ({family} sizes: {', '.join(names)})"
    close = difflib.get_close_matches(kind, known, n=2, cutoff=0.6)
    guess = f": did you mean {' or '.join(close)}?" if close else " (see the EC2 instance types, such as m7g.large or t3.medium)"
    return f"{kind!r} is not an EC2 instance type{guess}"
