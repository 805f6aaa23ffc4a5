"""``status``: services, deployments, target health, recent events and EC2 capacity of an environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import ClientError

from ecs_toolkit.helpers import queries
from ecs_toolkit.helpers.discover import Environment
from ecs_toolkit.helpers.errors import is_not_found
from ecs_toolkit.helpers.render import plural, table, timestamp
from ecs_toolkit.helpers.sessions import Client

DEFAULT_EVENTS = 5


@dataclass(frozen=True)
class Deployment:
    id: str
    status: str
    """PRIMARY (the newest), ACTIVE (being replaced) or INACTIVE."""
    rollout_state: str | None
    rollout_reason: str | None
    task_definition: str
    """``family:revision``."""
    desired: int
    running: int
    pending: int
    failed_tasks: int


@dataclass(frozen=True)
class Event:
    created_at: datetime | None
    message: str


@dataclass(frozen=True)
class TargetGroupHealth:
    target_group_arn: str
    states: dict[str, int]
    """Number of targets per state (healthy, unhealthy, initial, draining, ...)."""
    problems: list[str]
    """``target:port state (reason)`` of every target that is not healthy."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    service_name: str
    desired: int
    running: int
    pending: int
    deployments: list[Deployment]
    target_groups: list[TargetGroupHealth]
    events: list[Event]
    """Newest first."""


@dataclass(frozen=True)
class InstanceStatus:
    ec2_instance_id: str
    container_instance_arn: str
    status: str
    agent_connected: bool
    running_tasks: int
    pending_tasks: int
    cpu_registered: int
    cpu_remaining: int
    memory_mib_registered: int
    memory_mib_remaining: int


@dataclass(frozen=True)
class ProviderCapacity:
    provider: str
    instances: list[InstanceStatus]


@dataclass(frozen=True)
class EnvironmentStatus:
    environment: str
    cluster: str
    services: list[ServiceStatus]
    capacity: list[ProviderCapacity]
    problems: list[str] = field(default_factory=list)
    """Missing stacks, services and target groups: reported, and make the command exit 1."""


def task_definition_label(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def deployments_of(service: queries.Item) -> list[Deployment]:
    return [
        Deployment(
            id=item.get("id", ""),
            status=item.get("status", ""),
            rollout_state=item.get("rolloutState"),
            rollout_reason=item.get("rolloutStateReason"),
            task_definition=task_definition_label(item.get("taskDefinition") or ""),
            desired=item.get("desiredCount", 0),
            running=item.get("runningCount", 0),
            pending=item.get("pendingCount", 0),
            failed_tasks=item.get("failedTasks", 0),
        )
        for item in service.get("deployments", [])
    ]


def events_of(service: queries.Item, limit: int) -> list[Event]:
    return [Event(item.get("createdAt"), item.get("message", "")) for item in service.get("events", [])[:limit]]


def target_group_health(elbv2: Client, arn: str) -> TargetGroupHealth | None:
    """Health of one target group, ``None`` when it does not exist."""
    try:
        descriptions = elbv2.describe_target_health(TargetGroupArn=arn).get("TargetHealthDescriptions", [])
    except ClientError as error:
        if is_not_found(error):
            return None
        raise
    states: dict[str, int] = {}
    problems = []
    for item in descriptions:
        health = item.get("TargetHealth", {})
        state = health.get("State", "unknown")
        states[state] = states.get(state, 0) + 1
        if state != "healthy":
            target = item.get("Target", {})
            reason = health.get("Reason") or health.get("Description")
            where = f"{target.get('Id')}:{target.get('Port')}" if target.get("Port") else str(target.get("Id"))
            problems.append(f"{where} {state}" + (f" ({reason})" if reason else ""))
    return TargetGroupHealth(arn, states, problems)


def _resource(items: list[queries.Item], name: str) -> int:
    return next((int(item.get("integerValue", 0)) for item in items if item.get("name") == name), 0)


def instance_status(item: queries.Item) -> InstanceStatus:
    registered = item.get("registeredResources", [])
    remaining = item.get("remainingResources", [])
    return InstanceStatus(
        ec2_instance_id=item.get("ec2InstanceId", ""),
        container_instance_arn=item.get("containerInstanceArn", ""),
        status=item.get("status", ""),
        agent_connected=bool(item.get("agentConnected", False)),
        running_tasks=item.get("runningTasksCount", 0),
        pending_tasks=item.get("pendingTasksCount", 0),
        cpu_registered=_resource(registered, "CPU"),
        cpu_remaining=_resource(remaining, "CPU"),
        memory_mib_registered=_resource(registered, "MEMORY"),
        memory_mib_remaining=_resource(remaining, "MEMORY"),
    )


def provider_by_instance(env: Environment, autoscaling: Client) -> dict[str, str]:
    """EC2 instance id -> capacity provider name, from the EC2 groups' Auto Scaling groups."""
    names = {group.auto_scaling_group_name: group for group in env.ec2_groups.values() if group.auto_scaling_group_name}
    mapping: dict[str, str] = {}
    for asg_name, asg in queries.auto_scaling_groups(autoscaling, list(names)).items():
        group = names[asg_name]
        for instance in asg.get("Instances", []):
            mapping[instance["InstanceId"]] = group.capacity_provider_name or group.name
    return mapping


def capacity(env: Environment, cluster: str, *, ecs: Client, autoscaling: Client) -> list[ProviderCapacity]:
    """Container instances grouped by capacity provider (instances outside every group last)."""
    providers = provider_by_instance(env, autoscaling)
    grouped: dict[str, list[InstanceStatus]] = {
        group.capacity_provider_name or group.name: [] for group in env.ec2_groups.values()
    }
    for item in queries.list_container_instances(ecs, cluster):
        instance = instance_status(item)
        provider = providers.get(instance.ec2_instance_id) or item.get("capacityProviderName") or "(no capacity provider)"
        grouped.setdefault(provider, []).append(instance)
    return [ProviderCapacity(provider, sorted(items, key=lambda i: i.ec2_instance_id)) for provider, items in grouped.items()]


def collect_status(
    env: Environment,
    *,
    ecs: Client,
    elbv2: Client,
    autoscaling: Client,
    names: list[str] | None = None,
    events: int = DEFAULT_EVENTS,
) -> EnvironmentStatus:
    """The state of ``names`` (default: every deployed service) and of the cluster's EC2 capacity."""
    cluster = env.require_cluster()
    queries.check_cluster(ecs, cluster)
    targets = env.running_services(names)
    problems = [f"stack {stack} not found" for stack in env.missing_stacks]
    by_name = {target.service_name: target for target in targets if target.service_name}
    described, missing = queries.describe_services(ecs, cluster, list(by_name))
    problems.extend(f"service {by_name[name].name}: ECS service {name} not found in cluster {cluster}" for name in missing)
    services = []
    for service_name, target in by_name.items():
        service = described.get(service_name)
        if service is None:
            continue
        groups = []
        for arn in target.target_group_arns:
            health = target_group_health(elbv2, arn)
            if health is None:
                problems.append(f"service {target.name}: target group {arn} not found")
            else:
                groups.append(health)
        services.append(
            ServiceStatus(
                name=target.name,
                service_name=service_name,
                desired=service.get("desiredCount", 0),
                running=service.get("runningCount", 0),
                pending=service.get("pendingCount", 0),
                deployments=deployments_of(service),
                target_groups=groups,
                events=events_of(service, events),
            )
        )
    return EnvironmentStatus(
        environment=env.name,
        cluster=cluster,
        services=services,
        capacity=capacity(env, cluster, ecs=ecs, autoscaling=autoscaling),
        problems=problems,
    )


def describe_deployment(deployment: Deployment) -> str:
    state = deployment.rollout_state or "-"
    text = f"{deployment.status} {deployment.task_definition} {state} {deployment.running}/{deployment.desired}"
    return text + (f" ({deployment.failed_tasks} failed)" if deployment.failed_tasks else "")


def format_status(status: EnvironmentStatus) -> list[str]:
    lines = [f"environment {status.environment}, cluster {status.cluster}", ""]
    if status.services:
        rows = [
            [s.name, s.desired, s.running, s.pending, "; ".join(describe_deployment(d) for d in s.deployments) or "-"]
            for s in status.services
        ]
        lines += table(["SERVICE", "DESIRED", "RUNNING", "PENDING", "DEPLOYMENTS"], rows)
    else:
        lines.append("no services deployed")
    health = [(s.name, group) for s in status.services for group in s.target_groups]
    if health:
        lines += ["", "Target health"]
        for name, group in health:
            counts = ", ".join(f"{count} {state}" for state, count in sorted(group.states.items())) or "no targets"
            lines.append(f"  {name}  {group.target_group_arn.split(':')[-1]}: {counts}")
            lines += [f"    {problem}" for problem in group.problems]
    events = [(s.name, event) for s in status.services for event in s.events]
    if events:
        lines += ["", "Recent events"]
        lines += [f"  {timestamp(event.created_at)}  {name}  {event.message}" for name, event in events]
    lines += ["", "EC2 capacity"]
    rows = [
        [
            provider.provider,
            instance.ec2_instance_id,
            instance.status if instance.agent_connected else f"{instance.status} (agent disconnected)",
            instance.running_tasks,
            f"{instance.cpu_remaining}/{instance.cpu_registered}",
            f"{instance.memory_mib_remaining}/{instance.memory_mib_registered}",
        ]
        for provider in status.capacity
        for instance in provider.instances
    ]
    if rows:
        lines += table(["PROVIDER", "INSTANCE", "STATUS", "TASKS", "CPU FREE/TOTAL", "MEMORY MIB FREE/TOTAL"], rows, indent="  ")
    empty = [provider.provider for provider in status.capacity if not provider.instances]
    if empty:
        lines.append(f"  no container instances: {', '.join(empty)}")
    if status.problems:
        lines += ["", plural(len(status.problems), "problem") + ":"]
        lines += [f"  {problem}" for problem in status.problems]
    return lines
