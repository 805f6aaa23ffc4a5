"""How many tasks fit on an EC2 instance, and how many instances a set of tasks needs.

Per instance, a task is limited by:
- CPU: ``vCPU x 1024`` units (a task that reserves no CPU is not limited by it);
- memory: the instance's MiB minus the agent reserve (``AGENT_MEMORY_RESERVE_PERCENT``);
- GPUs: a task's GPUs are reserved whole, so ``instance GPUs // task GPUs`` (a task with none is not limited);
- ports, by network mode: ``bridge`` with dynamic host ports shares the pinned range
  (``range size / dynamic ports per task``), a fixed host port (``host`` mode, or ``bridge`` with
  a host port) allows one task per instance, ``awsvpc`` on EC2 allows one task per network
  interface beyond the instance's own (``max ENIs - 1``, without ENI trunking).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ecs_toolkit import data
from ecs_toolkit.plan.prices import InstanceType
from ecs_toolkit.plan.templates import ServiceFacts, StrategyItem, TaskFacts

DEFAULT_HOST_PORT_RANGE = (32768, 60999)
"""The agent's range when the launch template pins none (AL2023's ephemeral range)."""

AGENT_MEMORY_RESERVE_PERCENT = data.AGENT_MEMORY_RESERVE_PERCENT
"""The same allowance as placement validation (see ``ecs_toolkit.data``)."""
CPU_UNITS_PER_VCPU = data.CPU_UNITS_PER_VCPU


@dataclass(frozen=True)
class Fit:
    instance_type: str
    tasks: int
    limited_by: str
    """``cpu``, ``memory``, ``GPUs``, ``host ports``, ``dynamic port range`` or ``ENIs``."""


def usable_memory_mib(instance: InstanceType) -> int:
    installed = int(instance.memory_gib * 1024)
    return installed - math.ceil(installed * AGENT_MEMORY_RESERVE_PERCENT / 100)


def _port_limit(task: TaskFacts, instance: InstanceType, port_range: tuple[int, int]) -> tuple[int | None, str]:
    if task.network_mode == "awsvpc":
        return max(0, instance.max_enis - 1), "ENIs"
    if task.static_host_ports:
        return 1, "host ports"
    if task.network_mode == "bridge" and task.dynamic_host_ports:
        return (port_range[1] - port_range[0] + 1) // task.dynamic_host_ports, "dynamic port range"
    return None, ""


def tasks_per_instance(task: TaskFacts, instance: InstanceType, port_range: tuple[int, int] | None = None) -> Fit:
    """Tasks of one service that fit on an empty instance, and what limits them."""
    limits: list[tuple[int, str]] = []
    if task.cpu_units > 0:
        limits.append((instance.vcpu * CPU_UNITS_PER_VCPU // task.cpu_units, "cpu"))
    if task.memory_mib > 0:
        limits.append((usable_memory_mib(instance) // task.memory_mib, "memory"))
    if task.gpus > 0:
        limits.append((instance.gpus // task.gpus, "GPUs"))
    ports, reason = _port_limit(task, instance, port_range or DEFAULT_HOST_PORT_RANGE)
    if ports is not None:
        limits.append((ports, reason))
    if not limits:
        return Fit(instance.name, 0, "no cpu or memory reservation")
    count, limited_by = min(limits, key=lambda limit: limit[0])
    return Fit(instance.name, count, limited_by)


def split_tasks(count: int, strategy: Sequence[StrategyItem]) -> dict[str, int]:
    """Tasks per capacity provider: each item's base first (in order), the rest by weight.

    Shares of the rest are rounded down and the remainder goes to the largest fractions (ties: the
    earlier item), an approximation of how ECS spreads tasks over a strategy.
    """
    shares = {item.provider: 0 for item in strategy}
    remaining = count
    for item in strategy:
        taken = min(item.base, remaining)
        shares[item.provider] += taken
        remaining -= taken
    weighted = [item for item in strategy if item.weight > 0]
    total = sum(item.weight for item in weighted)
    if remaining <= 0 or not strategy:
        return shares
    if total == 0:
        shares[strategy[0].provider] += remaining
        return shares
    exact = [(item, remaining * item.weight / total) for item in weighted]
    for item, share in exact:
        shares[item.provider] += math.floor(share)
    leftover = remaining - sum(math.floor(share) for _, share in exact)
    by_fraction = sorted(range(len(exact)), key=lambda i: (-(exact[i][1] - math.floor(exact[i][1])), i))
    for index in by_fraction[:leftover]:
        shares[exact[index][0].provider] += 1
    return shares


@dataclass
class _Instance:
    cpu: int
    memory: int
    dynamic_ports: int
    enis: int
    gpus: int
    ports: set[int]


def instances_needed(
    demands: Sequence[tuple[TaskFacts, int]],
    instance: InstanceType,
    port_range: tuple[int, int] | None = None,
    target_capacity_percent: int = 100,
) -> int | None:
    """Instances of one type that hold ``(task, count)`` demands together; ``None`` if a task fits on none.

    First fit, largest memory first, each service's tasks placed as densely as its limits allow;
    then grown to the capacity provider's target (90% target: 10% spare). Placement strategies
    (spread across zones) are ignored, so a real cluster can use more.
    """
    low, high = port_range or DEFAULT_HOST_PORT_RANGE
    instances: list[_Instance] = []

    def new_instance() -> _Instance:
        return _Instance(
            cpu=instance.vcpu * CPU_UNITS_PER_VCPU,
            memory=usable_memory_mib(instance),
            dynamic_ports=high - low + 1,
            enis=max(0, instance.max_enis - 1),
            gpus=instance.gpus,
            ports=set(),
        )

    def room(host: _Instance, task: TaskFacts) -> int:
        limits = []
        if task.cpu_units > 0:
            limits.append(host.cpu // task.cpu_units)
        if task.memory_mib > 0:
            limits.append(host.memory // task.memory_mib)
        if task.gpus > 0:
            limits.append(host.gpus // task.gpus)
        if task.network_mode == "awsvpc":
            limits.append(host.enis)
        if task.static_host_ports:
            limits.append(0 if host.ports & set(task.static_host_ports) else 1)
        if task.network_mode == "bridge" and task.dynamic_host_ports:
            limits.append(host.dynamic_ports // task.dynamic_host_ports)
        return min(limits) if limits else 0

    def place(host: _Instance, task: TaskFacts, count: int) -> None:
        host.cpu -= task.cpu_units * count
        host.memory -= task.memory_mib * count
        host.gpus -= task.gpus * count
        if task.network_mode == "awsvpc":
            host.enis -= count
        if task.network_mode == "bridge":
            host.dynamic_ports -= task.dynamic_host_ports * count
        host.ports |= set(task.static_host_ports)

    for task, count in sorted(demands, key=lambda demand: -demand[0].memory_mib):
        left = count
        for host in instances:
            if left <= 0:
                break
            placed = min(left, room(host, task))
            if placed > 0:
                place(host, task, placed)
                left -= placed
        while left > 0:
            host = new_instance()
            placed = min(left, room(host, task))
            if placed <= 0:
                return None
            place(host, task, placed)
            instances.append(host)
            left -= placed
    return math.ceil(len(instances) * 100 / target_capacity_percent)


def demands_on(group: str, services: Sequence[ServiceFacts], *, at_max: bool) -> list[tuple[TaskFacts, int]]:
    """The tasks each service puts on the EC2 group ``group`` at its minimum or maximum task count."""
    demands = []
    for service in services:
        count = service.max_tasks if at_max else service.min_tasks
        tasks = split_tasks(count, service.strategy).get(group, 0)
        if tasks > 0:
            demands.append((service.task, tasks))
    return demands
