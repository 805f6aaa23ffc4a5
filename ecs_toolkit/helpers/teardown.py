"""``teardown``: empty an environment's EC2 capacity so that ``cdk destroy`` can finish.

Safe to re-run: whatever is already gone (stacks, services, groups, instances) is reported and skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import ClientError

from ecs_toolkit.helpers import queries
from ecs_toolkit.helpers.discover import Environment
from ecs_toolkit.helpers.drain import set_draining
from ecs_toolkit.helpers.errors import is_not_found
from ecs_toolkit.helpers.polling import Deadline, Timing, quiet
from ecs_toolkit.helpers.render import plural, table
from ecs_toolkit.helpers.sessions import Client

DEFAULT_TIMEOUT_SECONDS = 1200
GONE_INSTANCE_STATES = frozenset({"terminated"})


@dataclass(frozen=True)
class Step:
    action: str
    target: str
    result: str


@dataclass(frozen=True)
class TeardownResult:
    environment: str
    outcome: Literal["ready", "timeout"]
    steps: list[Step]
    remaining_instances: list[str]
    """EC2 instances still registered in the cluster when the timeout passed."""


def scale_services_to_zero(env: Environment, cluster: str, *, ecs: Client, scaling: Client) -> list[Step]:
    """Desired count 0, and scale-out / scheduled scaling suspended so auto scaling does not undo it."""
    targets = {t.service_name: t for t in env.services.values() if t.service_name}
    described, missing = queries.describe_services(ecs, cluster, list(targets))
    steps = [Step("scale service", targets[name].name, "not found, skipped") for name in missing]
    for name, service in described.items():
        resource = f"service/{cluster}/{name}"
        registered = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource]).get("ScalableTargets", [])
        if registered:
            scaling.register_scalable_target(
                ServiceNamespace="ecs",
                ResourceId=resource,
                ScalableDimension="ecs:service:DesiredCount",
                SuspendedState={"DynamicScalingOutSuspended": True, "ScheduledScalingSuspended": True},
            )
        desired = service.get("desiredCount", 0)
        if desired == 0:
            steps.append(Step("scale service", targets[name].name, "already 0"))
        else:
            ecs.update_service(cluster=cluster, service=name, desiredCount=0)
            steps.append(Step("scale service", targets[name].name, f"desired {desired} -> 0"))
    return steps


def empty_groups(env: Environment, *, autoscaling: Client) -> list[Step]:
    """Remove scale-in protection, then min and desired capacity 0, for every EC2 group."""
    steps = []
    names = {g.auto_scaling_group_name: g.name for g in env.ec2_groups.values() if g.auto_scaling_group_name}
    steps += [
        Step("empty group", g.name, "no Auto Scaling group output, skipped")
        for g in env.ec2_groups.values()
        if not g.auto_scaling_group_name
    ]
    found = queries.auto_scaling_groups(autoscaling, list(names))
    for asg_name, group in names.items():
        asg = found.get(asg_name)
        if asg is None:
            steps.append(Step("empty group", group, f"Auto Scaling group {asg_name} not found, skipped"))
            continue
        protected = [i["InstanceId"] for i in asg.get("Instances", []) if i.get("ProtectedFromScaleIn")]
        for batch in queries.chunks(protected, 50):
            autoscaling.set_instance_protection(AutoScalingGroupName=asg_name, InstanceIds=batch, ProtectedFromScaleIn=False)
        if protected:
            steps.append(Step("remove scale-in protection", group, plural(len(protected), "instance")))
        if asg.get("MinSize") == 0 and asg.get("DesiredCapacity") == 0:
            steps.append(Step("empty group", group, "already 0"))
        else:
            autoscaling.update_auto_scaling_group(AutoScalingGroupName=asg_name, MinSize=0, DesiredCapacity=0)
            steps.append(Step("empty group", group, f"min {asg.get('MinSize')}, desired {asg.get('DesiredCapacity')} -> 0"))
    return steps


def live_instances(ec2: Client, instance_ids: list[str]) -> set[str]:
    """The instances among ``instance_ids`` that still exist and are not terminated."""
    alive: set[str] = set()
    for batch in queries.chunks(instance_ids, 200):
        paginator = ec2.get_paginator("describe_instances")
        for page in paginator.paginate(Filters=[{"Name": "instance-id", "Values": batch}]):
            for reservation in page.get("Reservations", []):
                for instance in reservation.get("Instances", []):
                    if instance.get("State", {}).get("Name") not in GONE_INSTANCE_STATES:
                        alive.add(instance["InstanceId"])
    return alive


def wait_for_deregistration(
    cluster: str, *, ecs: Client, ec2: Client, deadline: Deadline, on_progress: Callable[[str], None]
) -> tuple[list[str], int]:
    """Poll until the cluster has no container instances; deregister those whose EC2 instance is gone.

    ECS deregisters terminated instances by itself, eventually; doing it here saves that wait.
    Returns the EC2 instances still registered, and how many were deregistered here.
    """
    deregistered = 0
    while True:
        registered = queries.list_container_instances(ecs, cluster)
        alive = live_instances(ec2, [item["ec2InstanceId"] for item in registered])
        for item in registered:
            if item["ec2InstanceId"] not in alive:
                try:
                    ecs.deregister_container_instance(cluster=cluster, containerInstance=item["containerInstanceArn"], force=True)
                    deregistered += 1
                except ClientError as error:
                    if not is_not_found(error):
                        raise
        remaining = sorted(item["ec2InstanceId"] for item in registered if item["ec2InstanceId"] in alive)
        if not remaining or deadline.expired():
            return remaining, deregistered
        on_progress(f"waiting for {plural(len(remaining), 'container instance')} to deregister [{deadline.elapsed:.0f}s]")
        deadline.pause()


def teardown(
    env: Environment,
    *,
    ecs: Client,
    autoscaling: Client,
    ec2: Client,
    scaling: Client,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    timing: Timing | None = None,
    on_progress: Callable[[str], None] = quiet,
) -> TeardownResult:
    """Scale services to 0, drain container instances, empty the EC2 groups, wait for deregistration.

    ``scaling`` is the Application Auto Scaling client.
    """
    deadline = Deadline(timeout_seconds, timing or Timing())
    steps = [Step("find stack", stack, "not found, skipped") for stack in env.missing_stacks]
    cluster = env.cluster_name
    if cluster is not None:
        active = ecs.describe_clusters(clusters=[cluster]).get("clusters", [])
        if not active or active[0].get("status") != "ACTIVE":
            steps.append(Step("find cluster", cluster, "not found, skipped"))
            cluster = None
    if cluster is not None:
        steps += scale_services_to_zero(env, cluster, ecs=ecs, scaling=scaling)
        active_instances = queries.list_container_instances(ecs, cluster, statuses=("ACTIVE",))
        set_draining(ecs, cluster, active_instances)
        steps.append(
            Step("drain", cluster, plural(len(active_instances), "container instance") if active_instances else "nothing active")
        )
    steps += empty_groups(env, autoscaling=autoscaling)
    remaining: list[str] = []
    if cluster is not None:
        remaining, deregistered = wait_for_deregistration(cluster, ecs=ecs, ec2=ec2, deadline=deadline, on_progress=on_progress)
        if deregistered:
            steps.append(Step("deregister", cluster, plural(deregistered, "terminated instance")))
    return TeardownResult(env.name, "timeout" if remaining else "ready", steps, remaining)


def format_teardown(result: TeardownResult) -> list[str]:
    lines = table(["STEP", "TARGET", "RESULT"], [[s.action, s.target, s.result] for s in result.steps])
    if result.outcome == "ready":
        lines.append(f"{result.environment} is ready for `cdk destroy`")
    else:
        lines.append(f"timed out: still registered: {', '.join(result.remaining_instances)}")
    return lines
