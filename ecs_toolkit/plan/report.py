"""The plan of one environment: rollout, cost, packing and stack size, with warnings; as text or JSON."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ecs_toolkit.plan import packing, rollout
from ecs_toolkit.plan.cost import CostEstimate, estimate, fargate_task_hourly
from ecs_toolkit.plan.prices import Prices
from ecs_toolkit.plan.rollout import Rollout
from ecs_toolkit.plan.templates import FARGATE_PROVIDERS, EnvironmentFacts, GroupFacts, ServiceFacts

STACK_RESOURCE_LIMIT = 500
"""CloudFormation's resources per stack."""
STACK_RESOURCE_WARNING = 450
TEXT_WIDTH = 110


@dataclass(frozen=True)
class ServiceRow:
    name: str
    stack: str
    launch: str
    network_mode: str
    desired: int
    min_tasks: int
    max_tasks: int
    rollout: Rollout
    rollout_at_max: Rollout | None
    """At the autoscaling maximum, when the service scales beyond its desired count."""
    deploy_extra_cost: float | None = None
    """Blue/green, canary, linear on Fargate: the second revision's tasks for the whole rollout, at on-demand
    prices (EC2 services pay in instances: see their group's room)."""


@dataclass(frozen=True)
class PackingRow:
    service: str
    group: str
    tasks_at_max: int
    fits: tuple[packing.Fit, ...]
    instances_needed: int | None
    """Instances of the least accommodating type for these tasks alone (``None``: a task fits on none)."""
    max_instances: int

    @property
    def ok(self) -> bool:
        return self.instances_needed is not None and self.instances_needed <= self.max_instances


@dataclass(frozen=True)
class GroupRow:
    name: str
    instance_types: tuple[str, ...]
    spot: bool
    min_size: int
    max_size: int
    needed_at_min: int | None
    needed_at_max: int | None
    """Instances of the least accommodating type for every service's maximum tasks on the group."""

    @property
    def ok(self) -> bool:
        return self.needed_at_max is not None and self.needed_at_max <= self.max_size


@dataclass(frozen=True)
class StackRow:
    name: str
    resources: int
    limit: int = STACK_RESOURCE_LIMIT


@dataclass(frozen=True)
class Plan:
    environment: str
    config: str
    templates: str
    region: str
    services: tuple[ServiceRow, ...]
    packing: tuple[PackingRow, ...]
    groups: tuple[GroupRow, ...]
    cost: CostEstimate
    stacks: tuple[StackRow, ...]
    jobs: tuple[str, ...]
    warnings: tuple[str, ...]
    assumptions: dict[str, Any]


def duration(seconds: int | None) -> str:
    """``2m35s``, ``45s``, ``1h02m``; ``never`` for ``None``."""
    if seconds is None:
        return "never"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _worst(values: Sequence[int | None]) -> int | None:
    return None if any(value is None for value in values) else max((v for v in values if v is not None), default=0)


def _deploy_extra_cost(service: ServiceFacts, plan: Rollout, prices: Prices) -> float | None:
    """What one worst-case blue/green, canary or linear deploy of a Fargate service adds (on-demand prices)."""
    if not plan.shifts_traffic or service.launch != "FARGATE":
        return None
    return plan.extra_task_seconds / 3600 * fargate_task_hourly(service.task, prices, spot=False)


def _packing_rows(service: ServiceFacts, groups: dict[str, GroupFacts], prices: Prices) -> list[PackingRow]:
    rows = []
    for provider, tasks in packing.split_tasks(service.max_tasks, service.strategy).items():
        group = groups.get(provider)
        if group is None or tasks <= 0:
            continue
        known = [prices.instance_types[t] for t in group.instance_types if t in prices.instance_types]
        rows.append(
            PackingRow(
                service=service.name,
                group=group.name,
                tasks_at_max=tasks,
                fits=tuple(packing.tasks_per_instance(service.task, t, group.host_port_range) for t in known),
                instances_needed=_worst(
                    [
                        packing.instances_needed([(service.task, tasks)], t, group.host_port_range, group.target_capacity_percent)
                        for t in known
                    ]
                )
                if known
                else None,
                max_instances=group.max_size,
            )
        )
    return rows


def _group_row(group: GroupFacts, services: Sequence[ServiceFacts], prices: Prices) -> GroupRow:
    known = [prices.instance_types[t] for t in group.instance_types if t in prices.instance_types]

    def needed(at_max: bool) -> int | None:
        demands = packing.demands_on(group.name, services, at_max=at_max)
        if not demands:
            return 0
        if not known:
            return None
        return _worst([packing.instances_needed(demands, t, group.host_port_range, group.target_capacity_percent) for t in known])

    return GroupRow(
        name=group.name,
        instance_types=group.instance_types,
        spot=group.spot,
        min_size=group.min_size,
        max_size=group.max_size,
        needed_at_min=needed(False),
        needed_at_max=needed(True),
    )


def launch_label(service: ServiceFacts) -> str:
    """The launch type, or for Fargate the providers its tasks run on up to its maximum count (the strategy split as
    the cost estimate splits it): ``FARGATE_SPOT``, ``FARGATE+FARGATE_SPOT``."""
    if service.launch != "FARGATE":
        return service.launch
    shares = packing.split_tasks(max(service.max_tasks, service.desired_count, 1), service.strategy)
    used = [provider for provider, tasks in shares.items() if provider in FARGATE_PROVIDERS and tasks > 0]
    return "+".join(used) or "FARGATE"


def _warnings(plan_services: Sequence[ServiceRow], rows: Sequence[PackingRow], groups: Sequence[GroupRow]) -> list[str]:
    warnings = []
    for row in plan_services:
        plan = row.rollout
        seconds = plan.seconds
        if seconds is None:
            warnings.append(
                f"{row.name}: MinimumHealthyPercent {plan.min_healthy_percent} with MaximumPercent {plan.max_percent} "
                "lets no task be replaced: a deploy cannot roll"
            )
        elif plan.shifts_traffic and plan.replacement.total > rollout.SLOW_ROLLOUT_SECONDS:
            warnings.append(
                f"{row.name}: starting the new revision can take {duration(plan.replacement.total)}, over "
                f"{rollout.SLOW_ROLLOUT_SECONDS // 60} minutes, before any traffic moves; the largest part is the "
                f"{plan.replacement.slowest()}"
            )
        elif not plan.shifts_traffic and seconds > rollout.SLOW_ROLLOUT_SECONDS:
            replacement = plan.replacement
            warnings.append(
                f"{row.name}: a rolling deploy can take {duration(seconds)} at {plan.desired} tasks "
                f"({plan.batches} batches of {plan.per_batch}, {duration(replacement.total)} each), over "
                f"{rollout.SLOW_ROLLOUT_SECONDS // 60} minutes; the largest part of a replacement is the "
                f"{replacement.slowest()}: raise deployment.max_percent or shorten it"
            )
    for packed in rows:
        for fit in packed.fits:
            if fit.tasks == 0:
                warnings.append(f"{packed.service}: a task does not fit on a {fit.instance_type} of group {packed.group}")
        if packed.instances_needed is not None and not packed.ok:
            tightest = min(packed.fits, key=lambda fit: fit.tasks)
            warnings.append(
                f"{packed.service}: {packed.tasks_at_max} tasks at most on group {packed.group} need "
                f"{packed.instances_needed} instances ({tightest.tasks} per {tightest.instance_type}, limited by "
                f"{tightest.limited_by}); the group's max is {packed.max_instances}"
            )
    for group in groups:
        if group.needed_at_max is not None and not group.ok:
            warnings.append(
                f"EC2 group {group.name}: every service at its maximum needs {group.needed_at_max} instances; "
                f"the group's max is {group.max_size}"
            )
    return warnings


def build_plan(
    facts: EnvironmentFacts,
    prices: Prices,
    *,
    region: str,
    config: str,
    templates: str,
) -> Plan:
    services = []
    rows: list[PackingRow] = []
    for service in facts.services:
        plan = rollout.rollout(service)
        services.append(
            ServiceRow(
                name=service.name,
                stack=service.stack,
                launch=launch_label(service),
                network_mode=service.task.network_mode,
                desired=service.desired_count,
                min_tasks=service.min_tasks,
                max_tasks=service.max_tasks,
                rollout=plan,
                rollout_at_max=rollout.rollout(service, service.max_tasks) if service.max_tasks > service.desired_count else None,
                deploy_extra_cost=_deploy_extra_cost(service, plan, prices),
            )
        )
        if service.launch == "EC2":
            rows.extend(_packing_rows(service, facts.groups, prices))
    groups = [_group_row(group, facts.services, prices) for group in facts.groups.values()]
    stacks = [StackRow(name, count) for name, count in facts.stack_resources.items()]
    cost = estimate(facts, prices, region)
    warnings = _warnings(services, rows, groups)
    warnings.extend(cost.missing)
    warnings.extend(
        f"{stack.name}: {stack.resources} resources, "
        + ("over" if stack.resources > STACK_RESOURCE_LIMIT else "close to")
        + f" CloudFormation's {STACK_RESOURCE_LIMIT} per stack"
        for stack in stacks
        if stack.resources >= STACK_RESOURCE_WARNING
    )
    warnings.extend(f"the templates hold no stack {name}" for name in facts.missing)
    warnings.extend(
        f"{service.name}: capacity provider {item.provider} is neither Fargate nor a known EC2 group"
        for service in facts.services
        for item in service.strategy
        if item.provider not in ("FARGATE", "FARGATE_SPOT") and item.provider not in facts.groups
    )
    return Plan(
        environment=facts.name,
        config=config,
        templates=templates,
        region=region,
        services=tuple(services),
        packing=tuple(rows),
        groups=tuple(groups),
        cost=cost,
        stacks=tuple(stacks),
        jobs=facts.without_service,
        warnings=tuple(warnings),
        assumptions={
            "image_pull_allowance_seconds": rollout.IMAGE_PULL_ALLOWANCE_SECONDS,
            "slow_rollout_seconds": rollout.SLOW_ROLLOUT_SECONDS,
            "agent_memory_reserve_percent": packing.AGENT_MEMORY_RESERVE_PERCENT,
            "hours_per_month": prices.hours_per_month,
            "prices_source": prices.source,
            "prices_checked": prices.checked,
            "prices_checked_how": prices.checked_how,
            "ec2_spot_discount": prices.ec2_spot_discount,
            "fargate_spot_discount": prices.fargate_spot_discount,
            "efs_assumed_gb_per_file_system": prices.efs_assumed_gb,
            "not_included": list(prices.not_included),
            "notes": list(cost.notes),
        },
    )


# --- output ---------------------------------------------------------------------------------


def to_dict(plan: Plan) -> dict[str, Any]:
    data = asdict(plan)
    for row, source in zip(data["services"], plan.services, strict=True):
        for key in ("rollout", "rollout_at_max"):
            value = getattr(source, key)
            if value is not None:
                row[key]["seconds"] = value.seconds
                row[key]["replacement"]["total"] = value.replacement.total
                row[key]["extra_task_seconds"] = value.extra_task_seconds
    for row, packed in zip(data["packing"], plan.packing, strict=True):
        row["ok"] = packed.ok
    for row, group in zip(data["groups"], plan.groups, strict=True):
        row["ok"] = group.ok
    data["cost"]["minimum"] = round(plan.cost.minimum, 2)
    data["cost"]["maximum"] = round(plan.cost.maximum, 2)
    return data


def to_json(plan: Plan) -> str:
    return json.dumps(to_dict(plan), indent=2)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for row in [header, *rows]:
        cells = [str(c).rjust(w) if i in right else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _strategy(plan: Rollout) -> str:
    if not plan.shifts_traffic:
        return f"rolling {plan.min_healthy_percent}/{plan.max_percent}%"
    name = plan.strategy.lower().replace("_", "-")
    return f"{name} (nlb)" if plan.nlb_wait_seconds else name


def render(plan: Plan) -> str:
    cost = plan.cost
    out = [
        f"Plan for {plan.environment} ({plan.config}), templates in {plan.templates}",
        "",
        "Deploy, worst case. One task = image pull + grace period + health checks + deregistration + stop;",
        "rolling: rollout = batches x one task; blue-green/canary/linear: one task + traffic-shift waits + bake time,",
        "with the whole new revision running beside the old one (see docs/tools/plan.md).",
    ]
    rows = []
    for row in plan.services:
        r = row.rollout
        part = r.replacement
        one = f"{part.image_pull}+{part.grace_period}+{part.health}+{part.deregistration}+{part.stop} = {duration(part.total)}"
        batches = "-" if r.batches is None else f"{r.batches} x {r.per_batch}"
        at_max = "" if row.rollout_at_max is None else f"{duration(row.rollout_at_max.seconds)} at {row.max_tasks}"
        waits = f"{duration(r.shift_seconds)}+{duration(r.bake_seconds)}" if r.shifts_traffic else "-"
        extra = "-"
        if r.shifts_traffic:
            extra = f"{r.extra_task_seconds / 3600:.1f} task-h" + (
                f" {_money(row.deploy_extra_cost)}" if row.deploy_extra_cost is not None else ""
            )
        rows.append(
            [
                row.name,
                row.launch,
                row.network_mode,
                str(row.desired),
                _strategy(r),
                one,
                batches,
                waits,
                duration(r.seconds),
                at_max,
                extra,
            ]
        )
    out += _table(
        [
            "service",
            "launch",
            "mode",
            "tasks",
            "strategy",
            "one task (s)",
            "batches",
            "shift+bake",
            "rollout",
            "at max tasks",
            "2nd revision",
        ],
        rows,
        [3],
    )
    if plan.jobs:
        out.append(f"  jobs (no rolling deploy, not costed): {', '.join(plan.jobs)}")
    out += [
        "",
        f"Monthly cost estimate ({cost.hours_per_month} h, {cost.region}, prices x{cost.multiplier:.2f}, "
        f"list prices of {plan.assumptions['prices_checked']})",
    ]
    rows = [
        [line.item, line.minimum_detail, _money(line.minimum), line.maximum_detail, _money(line.maximum)] for line in cost.lines
    ]
    rows.append(["total", "", _money(cost.minimum), "", _money(cost.maximum)])
    out += _table(["item", "at minimum", "", "at maximum", ""], rows, [2, 4])
    if plan.packing:
        out += ["", "EC2 packing: tasks per instance (limited by), and instances the service's maximum tasks need"]
        rows = [
            [
                row.service,
                row.group,
                str(row.tasks_at_max),
                ", ".join(f"{fit.instance_type}: {fit.tasks} ({fit.limited_by})" for fit in row.fits),
                f"{_count(row.instances_needed)} of {row.max_instances}",
                "yes" if row.ok else "NO",
            ]
            for row in plan.packing
        ]
        out += _table(["service", "group", "max tasks", "per instance", "instances", "fits"], rows, [2])
    if plan.groups:
        out += ["", "EC2 groups: instances every service's tasks need together (least accommodating type)"]
        rows = [
            [
                group.name,
                ", ".join(group.instance_types),
                "Spot" if group.spot else "on-demand",
                f"{group.min_size}-{group.max_size}",
                _count(group.needed_at_min),
                _count(group.needed_at_max),
                "yes" if group.ok else "NO",
            ]
            for group in plan.groups
        ]
        out += _table(["group", "types", "kind", "min-max", "at min tasks", "at max tasks", "fits"], rows, [4, 5])
    out += ["", f"Stacks: resources of CloudFormation's {STACK_RESOURCE_LIMIT}"]
    out += _table(["stack", "resources"], [[s.name, str(s.resources)] for s in plan.stacks], [1])
    out += ["", "Warnings:" if plan.warnings else "Warnings: none"]
    out += [f"  ! {warning}" for warning in plan.warnings]
    assumed = (
        f"Assumed: image pull {rollout.IMAGE_PULL_ALLOWANCE_SECONDS}s per task; "
        f"{packing.AGENT_MEMORY_RESERVE_PERCENT}% of instance memory kept from tasks; "
        f"EC2 Spot {plan.assumptions['ec2_spot_discount']:.0%} and Fargate Spot "
        f"{plan.assumptions['fargate_spot_discount']:.0%} off; "
        f"{plan.assumptions['efs_assumed_gb_per_file_system']:g} GB per file system."
    )
    out.append("")
    for paragraph in (assumed, f"Not included: {'; '.join(plan.assumptions['not_included'])}.", *plan.assumptions["notes"]):
        out += textwrap.wrap(paragraph, width=TEXT_WIDTH, subsequent_indent="  ")
    return "\n".join(out) + "\n"
