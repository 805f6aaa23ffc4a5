"""``drain``: move the tasks off container instances (DRAINING), optionally detach them from their group."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ecs_toolkit.helpers import queries
from ecs_toolkit.helpers.discover import Environment, require_known
from ecs_toolkit.helpers.errors import HelperError, UsageError
from ecs_toolkit.helpers.polling import Deadline, Timing, quiet
from ecs_toolkit.helpers.render import plural
from ecs_toolkit.helpers.sessions import Client

DEFAULT_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class DrainedInstance:
    ec2_instance_id: str
    container_instance_arn: str
    remaining_tasks: int
    auto_scaling_group: str | None = None
    detached: bool = False


@dataclass(frozen=True)
class DrainResult:
    outcome: Literal["drained", "timeout"]
    elapsed_seconds: float
    instances: list[DrainedInstance]
    detach_requested: bool = False


def _matches(identifier: str, item: queries.Item) -> bool:
    arn = item.get("containerInstanceArn", "")
    return identifier in (item.get("ec2InstanceId"), arn) or arn.endswith(f"/{identifier}")


def resolve_instances(
    env: Environment, *, ecs: Client, autoscaling: Client, group: str | None = None, instances: Sequence[str] = ()
) -> list[queries.Item]:
    """Container instances of an EC2 group, or named by EC2 instance id / container instance id or ARN."""
    if bool(group) == bool(instances):
        raise UsageError("give either --group or --instance")
    cluster = env.require_cluster()
    queries.check_cluster(ecs, cluster)
    registered = queries.list_container_instances(ecs, cluster)
    if group:
        require_known(group, "an EC2 capacity group", env.name, env.ec2_groups)
        asg_name = env.ec2_groups[group].auto_scaling_group_name
        if not asg_name:
            raise HelperError(f"the platform stack publishes no Auto Scaling group for EC2 group {group}")
        asg = queries.auto_scaling_groups(autoscaling, [asg_name]).get(asg_name)
        if asg is None:
            raise HelperError(f"Auto Scaling group {asg_name} (EC2 group {group}) not found")
        ids = {instance["InstanceId"] for instance in asg.get("Instances", [])}
        chosen = [item for item in registered if item.get("ec2InstanceId") in ids]
        if not chosen:
            raise HelperError(f"EC2 group {group} has no container instances registered in cluster {cluster}")
        return chosen
    unknown = [identifier for identifier in instances if not any(_matches(identifier, item) for item in registered)]
    if unknown:
        raise HelperError(f"not a container instance of cluster {cluster}: {', '.join(unknown)}")
    return [item for item in registered if any(_matches(identifier, item) for identifier in instances)]


def set_draining(ecs: Client, cluster: str, items: list[queries.Item]) -> None:
    arns = [item["containerInstanceArn"] for item in items if item.get("status") == "ACTIVE"]
    for batch in queries.chunks(arns, 10):
        failures = ecs.update_container_instances_state(cluster=cluster, containerInstances=batch, status="DRAINING").get(
            "failures", []
        )
        if failures:
            reasons = ", ".join(f"{f.get('arn', '?').rsplit('/', 1)[-1]}: {f.get('reason')}" for f in failures)
            raise HelperError(f"could not set DRAINING: {reasons}")


def wait_until_empty(
    ecs: Client,
    cluster: str,
    arns: list[str],
    *,
    deadline: Deadline,
    on_progress: Callable[[str], None],
) -> dict[str, int]:
    """Poll until no task runs on ``arns``; returns the remaining task count per instance (deregistered: 0)."""
    while True:
        found = {item["containerInstanceArn"]: item for item in queries.describe_container_instances(ecs, cluster, arns)}
        remaining = {arn: found[arn].get("runningTasksCount", 0) if arn in found else 0 for arn in arns}
        left = sum(remaining.values())
        if left == 0 or deadline.expired():
            return remaining
        busy = sum(1 for count in remaining.values() if count)
        on_progress(f"draining: {plural(left, 'task')} left on {plural(busy, 'instance')} [{deadline.elapsed:.0f}s]")
        deadline.pause()


def detach(autoscaling: Client, instance_ids: list[str]) -> dict[str, str]:
    """Detach from their Auto Scaling groups, lowering desired capacity; returns instance -> group."""
    groups: dict[str, str] = {}
    for batch in queries.chunks(instance_ids, 50):
        for item in autoscaling.describe_auto_scaling_instances(InstanceIds=batch).get("AutoScalingInstances", []):
            groups[item["InstanceId"]] = item["AutoScalingGroupName"]
    for asg_name in sorted(set(groups.values())):
        members = [instance for instance, name in groups.items() if name == asg_name]
        for batch in queries.chunks(members, 20):
            autoscaling.detach_instances(AutoScalingGroupName=asg_name, InstanceIds=batch, ShouldDecrementDesiredCapacity=True)
    return groups


def drain(
    env: Environment,
    *,
    ecs: Client,
    autoscaling: Client,
    group: str | None = None,
    instances: Sequence[str] = (),
    detach_from_group: bool = False,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    timing: Timing | None = None,
    on_progress: Callable[[str], None] = quiet,
) -> DrainResult:
    """Set the instances DRAINING and wait until their tasks have moved; detach only after they have."""
    deadline = Deadline(timeout_seconds, timing or Timing())
    cluster = env.require_cluster()
    items = resolve_instances(env, ecs=ecs, autoscaling=autoscaling, group=group, instances=instances)
    set_draining(ecs, cluster, items)
    arns = [item["containerInstanceArn"] for item in items]
    remaining = wait_until_empty(ecs, cluster, arns, deadline=deadline, on_progress=on_progress)
    drained = sum(remaining.values()) == 0
    groups: dict[str, str] = {}
    if drained and detach_from_group:
        groups = detach(autoscaling, [item["ec2InstanceId"] for item in items])
    result = [
        DrainedInstance(
            ec2_instance_id=item["ec2InstanceId"],
            container_instance_arn=item["containerInstanceArn"],
            remaining_tasks=remaining[item["containerInstanceArn"]],
            auto_scaling_group=groups.get(item["ec2InstanceId"]),
            detached=item["ec2InstanceId"] in groups,
        )
        for item in items
    ]
    return DrainResult("drained" if drained else "timeout", round(deadline.elapsed, 1), result, detach_from_group)


def format_drain(result: DrainResult) -> list[str]:
    if result.outcome == "drained":
        lines = [f"drained {plural(len(result.instances), 'instance')} in {result.elapsed_seconds:.0f}s"]
    else:
        left = sum(instance.remaining_tasks for instance in result.instances)
        lines = [f"timed out after {result.elapsed_seconds:.0f}s: {plural(left, 'task')} still running"]
    for instance in result.instances:
        state = f"{instance.remaining_tasks} tasks left" if instance.remaining_tasks else "empty"
        if instance.detached:
            state += f", detached from {instance.auto_scaling_group}"
        elif result.detach_requested and result.outcome == "drained":
            state += ", not in an Auto Scaling group"
        lines.append(f"  {instance.ec2_instance_id}  {state}")
    return lines
