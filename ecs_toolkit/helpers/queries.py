"""Batched ECS and Auto Scaling reads shared by the helpers (API limits: 10 services, 100 tasks/instances)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from ecs_toolkit.helpers.errors import HelperError, error_code
from ecs_toolkit.helpers.sessions import Client

Item = dict[str, Any]


def chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_cluster(ecs: Client, cluster: str) -> None:
    """Raise a clear error when the cluster does not exist (or is no longer active)."""
    found = ecs.describe_clusters(clusters=[cluster]).get("clusters", [])
    if not found or found[0].get("status") != "ACTIVE":
        raise HelperError(f"cluster {cluster} not found (or not ACTIVE): is the platform stack deployed in this region?")


def describe_services(ecs: Client, cluster: str, names: list[str]) -> tuple[dict[str, Item], list[str]]:
    """Services by name, and the names ECS does not know (or knows as INACTIVE, i.e. deleted)."""
    found: dict[str, Item] = {}
    try:
        for batch in chunks(names, 10):
            for service in ecs.describe_services(cluster=cluster, services=batch).get("services", []):
                if service.get("status") != "INACTIVE":
                    found[service["serviceName"]] = service
    except ClientError as error:
        if error_code(error) == "ClusterNotFoundException":
            raise HelperError(f"cluster {cluster} not found: is the platform stack deployed in this region?") from None
        raise
    return found, [name for name in names if name not in found]


def list_container_instances(ecs: Client, cluster: str, statuses: Iterable[str] = ("ACTIVE", "DRAINING")) -> list[Item]:
    arns: list[str] = []
    paginator = ecs.get_paginator("list_container_instances")
    for status in statuses:
        for page in paginator.paginate(cluster=cluster, status=status):
            arns.extend(page.get("containerInstanceArns", []))
    return describe_container_instances(ecs, cluster, arns)


def describe_container_instances(ecs: Client, cluster: str, arns: list[str]) -> list[Item]:
    found: list[Item] = []
    for batch in chunks(arns, 100):
        found.extend(ecs.describe_container_instances(cluster=cluster, containerInstances=batch).get("containerInstances", []))
    return found


def describe_tasks(ecs: Client, cluster: str, arns: list[str]) -> list[Item]:
    found: list[Item] = []
    for batch in chunks(arns, 100):
        found.extend(ecs.describe_tasks(cluster=cluster, tasks=batch).get("tasks", []))
    return found


def service_tasks(ecs: Client, cluster: str, service: str, desired_status: str) -> list[Item]:
    """Tasks of one service; also filtered by the task group, which ECS sets to ``service:<name>``."""
    arns: list[str] = []
    for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster, serviceName=service, desiredStatus=desired_status):
        arns.extend(page.get("taskArns", []))
    return [task for task in describe_tasks(ecs, cluster, arns) if task.get("group") == f"service:{service}"]


def auto_scaling_groups(autoscaling: Client, names: list[str]) -> dict[str, Item]:
    """Groups by name; names absent from the result do not exist."""
    found: dict[str, Item] = {}
    for batch in chunks(names, 50):
        paginator = autoscaling.get_paginator("describe_auto_scaling_groups")
        for page in paginator.paginate(AutoScalingGroupNames=batch):
            for group in page.get("AutoScalingGroups", []):
                found[group["AutoScalingGroupName"]] = group
    return found


def task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]
