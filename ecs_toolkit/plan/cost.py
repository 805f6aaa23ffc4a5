"""Estimated monthly cost (``hours_per_month`` = 730 h) at minimum and at maximum scale.

- EC2 groups: at minimum, the cheapest of the group's instance types in the number of instances
  that holds every service's minimum tasks on it (never below the group's MinSize, never above
  its MaxSize); at maximum, MaxSize instances of its priciest type. Instances above the
  group's on-demand base are Spot in the share the group's distribution says, at ``ec2_spot_discount``.
  Each instance also pays for its gp3 root volume.
- Fargate and Fargate Spot: per task, vCPU-hours and GB-hours at the task's architecture's rate;
  tasks split over the service's capacity provider strategy (base first, then weights); Fargate
  Spot at ``fargate_spot_discount``. Minimum: the autoscaling minimum (else the desired count);
  maximum: the autoscaling maximum (else the desired count).
- NAT gateways, interface VPC endpoints (per AZ) and load balancers by the hour; EFS at an
  assumed size per file system.
- Everything times the region's multiplier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecs_toolkit.plan.packing import demands_on, instances_needed, split_tasks
from ecs_toolkit.plan.prices import InstanceType, Prices
from ecs_toolkit.plan.templates import EnvironmentFacts, GroupFacts, ServiceFacts, TaskFacts


@dataclass(frozen=True)
class CostLine:
    item: str
    minimum: float
    maximum: float
    minimum_detail: str
    maximum_detail: str


@dataclass(frozen=True)
class CostEstimate:
    region: str
    multiplier: float
    hours_per_month: int
    lines: tuple[CostLine, ...]
    notes: tuple[str, ...]
    missing: tuple[str, ...] = ()
    """Instance types without a price, one line each: the plan prints them as warnings (the estimate is short)."""

    @property
    def minimum(self) -> float:
        return sum(line.minimum for line in self.lines)

    @property
    def maximum(self) -> float:
        return sum(line.maximum for line in self.lines)


def fargate_task_hourly(task: TaskFacts, prices: Prices, *, spot: bool) -> float:
    rate = prices.fargate.get(task.architecture, prices.fargate["x86_64"])
    hourly = task.cpu_units / 1024 * rate.vcpu_hour + task.memory_mib / 1024 * rate.gb_hour
    return hourly * (1 - prices.fargate_spot_discount) if spot else hourly


def on_demand_share(group: GroupFacts, instances: int) -> float:
    """How many of ``instances`` run on-demand: the base, then the on-demand percentage of the rest."""
    base = min(instances, group.on_demand_base)
    return base + (instances - base) * group.on_demand_percent_above_base / 100


def group_monthly(group: GroupFacts, instance: InstanceType, instances: int, prices: Prices) -> float:
    """Instance-hours (on-demand and Spot) plus root volumes, in us-east-1 prices."""
    on_demand = on_demand_share(group, instances)
    spot = instances - on_demand
    hourly = instance.on_demand_hourly * (on_demand + spot * (1 - prices.ec2_spot_discount))
    return hourly * prices.hours_per_month + instances * group.root_volume_gib * prices.ebs_gp3_gb_month


def _kind(group: GroupFacts) -> str:
    if not group.spot:
        return "on-demand"
    return f"Spot above {group.on_demand_base} on-demand" if group.on_demand_base else "Spot"


def group_line(group: GroupFacts, services: Sequence[ServiceFacts], prices: Prices) -> tuple[CostLine | None, list[str]]:
    known = [prices.instance_types[name] for name in group.instance_types if name in prices.instance_types]
    notes = [
        f"EC2 group {group.name}: no price for {name} in prices.json; left out of the estimate"
        for name in group.instance_types
        if name not in prices.instance_types
    ]
    if not known:
        return None, notes
    low_demands = demands_on(group.name, services, at_max=False)
    options = []
    for instance in known:
        needed = (
            instances_needed(low_demands, instance, group.host_port_range, group.target_capacity_percent) if low_demands else 0
        )
        count = min(group.max_size, max(group.min_size, needed if needed is not None else group.max_size))
        options.append((group_monthly(group, instance, count, prices), count, instance))
    low_cost, low_count, low_type = min(options, key=lambda option: (option[0], option[2].name))
    high_type = max(known, key=lambda instance: (instance.on_demand_hourly, instance.name))
    high_cost = group_monthly(group, high_type, group.max_size, prices)
    kind = _kind(group)
    return (
        CostLine(
            item=f"EC2 group {group.name}",
            minimum=low_cost,
            maximum=high_cost,
            minimum_detail=f"{low_count} x {low_type.name} ({kind})",
            maximum_detail=f"{group.max_size} x {high_type.name} ({kind})",
        ),
        notes,
    )


def _fargate_detail(shares: dict[str, int], task: TaskFacts) -> str:
    counts = " + ".join(f"{count} {provider}" for provider, count in shares.items() if count) or "0 tasks"
    arch = "" if task.architecture == "x86_64" else f" {task.architecture}"
    return f"{counts} x {task.cpu_units / 1024:g} vCPU/{task.memory_mib / 1024:g} GB{arch}"


def fargate_line(service: ServiceFacts, prices: Prices) -> CostLine | None:
    """Fargate and Fargate Spot tasks of one service (``None`` for a service that runs on EC2 only)."""
    if service.launch != "FARGATE":
        return None

    def at(count: int) -> tuple[float, dict[str, int]]:
        strategy = service.strategy
        shares = split_tasks(count, strategy) if strategy else {"FARGATE": count}
        shares = {provider: n for provider, n in shares.items() if provider in ("FARGATE", "FARGATE_SPOT")}
        hourly = sum(
            n * fargate_task_hourly(service.task, prices, spot=provider == "FARGATE_SPOT") for provider, n in shares.items()
        )
        return hourly * prices.hours_per_month, shares

    low, low_shares = at(service.min_tasks)
    high, high_shares = at(service.max_tasks)
    return CostLine(
        item=f"Fargate {service.name}",
        minimum=low,
        maximum=high,
        minimum_detail=_fargate_detail(low_shares, service.task),
        maximum_detail=_fargate_detail(high_shares, service.task),
    )


def _fixed(item: str, count: int, monthly_each: float, unit: str) -> CostLine:
    detail = f"{count} x {unit}"
    return CostLine(
        item=item, minimum=count * monthly_each, maximum=count * monthly_each, minimum_detail=detail, maximum_detail=detail
    )


def estimate(facts: EnvironmentFacts, prices: Prices, region: str) -> CostEstimate:
    multiplier, region_note = prices.multiplier(region)
    hours = prices.hours_per_month
    lines: list[CostLine] = []
    notes: list[str] = [region_note] if region_note else []
    missing: list[str] = []
    for group in facts.groups.values():
        line, group_notes = group_line(group, facts.services, prices)
        missing.extend(group_notes)
        if line is not None:
            lines.append(line)
    lines.extend(line for service in facts.services if (line := fargate_line(service, prices)) is not None)
    shared = facts.shared
    if shared.nat_gateways:
        lines.append(_fixed("NAT gateways", shared.nat_gateways, prices.nat_gateway_hourly * hours, "NAT gateway"))
    if shared.interface_endpoint_azs:
        lines.append(
            _fixed(
                "VPC interface endpoints",
                shared.interface_endpoint_azs,
                prices.interface_endpoint_az_hourly * hours,
                "endpoint-AZ",
            )
        )
    if shared.application_load_balancers:
        lines.append(_fixed("Application load balancers", shared.application_load_balancers, prices.alb_hourly * hours, "ALB"))
    if shared.network_load_balancers:
        lines.append(_fixed("Network load balancers", shared.network_load_balancers, prices.nlb_hourly * hours, "NLB"))
    if shared.file_systems:
        lines.append(
            _fixed(
                "EFS storage",
                shared.file_systems,
                prices.efs_assumed_gb * prices.efs_standard_gb_month,
                f"{prices.efs_assumed_gb:g} GB (assumed)",
            )
        )
    scaled = tuple(
        CostLine(
            item=line.item,
            minimum=round(line.minimum * multiplier, 2),
            maximum=round(line.maximum * multiplier, 2),
            minimum_detail=line.minimum_detail,
            maximum_detail=line.maximum_detail,
        )
        for line in lines
    )
    return CostEstimate(
        region=region, multiplier=multiplier, hours_per_month=hours, lines=scaled, notes=tuple(notes), missing=tuple(missing)
    )
