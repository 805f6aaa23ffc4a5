"""The contract between the stacks and the helpers: stack names and output keys.

The stacks publish these outputs; the helpers read them with CloudFormation's
``describe_stacks``. Neither side spells a name or key anywhere else. This module
imports nothing from CDK so that helpers stay free of ``aws_cdk``.
"""

from __future__ import annotations

import re

LIST_SEPARATOR = ","
"""Lists (subnet ids, security groups, provider names) are published comma-joined."""
EMPTY_LIST = "-"
"""CloudFormation outputs cannot be empty: an empty list is published as this."""

# Network stack (the platform stack publishes the same keys for an imported VPC).
# awsvpc tasks run in the private subnets.
VPC_ID = "VpcId"
PRIVATE_SUBNET_IDS = "PrivateSubnetIds"
PUBLIC_SUBNET_IDS = "PublicSubnetIds"

# Platform stack
CLUSTER_NAME = "ClusterName"
CLUSTER_ARN = "ClusterArn"
CAPACITY_PROVIDERS = "CapacityProviderNames"
EC2_GROUPS = "Ec2GroupNames"
NAMESPACE_NAME = "NamespaceName"
LOAD_BALANCER_DNS = "LoadBalancerDnsName"
LOAD_BALANCER_ARN = "LoadBalancerArn"
ALARM_TOPIC_ARN = "AlarmTopicArn"
"""The environment's alarm topic (every alarm acts on it)."""
EXEC_LOG_GROUP = "ExecLogGroupName"

# Service and job stacks
SERVICE_NAME = "ServiceName"
TASK_DEFINITION_ARN = "TaskDefinitionArn"
TASK_FAMILY = "TaskDefinitionFamily"
CONTAINER_NAME = "ContainerName"
LOG_GROUP_NAME = "LogGroupName"
LAUNCH_TYPE = "LaunchType"
"""``EC2`` or ``FARGATE``: which capacity the task runs on."""
CAPACITY_STRATEGY = "CapacityProviderStrategy"
"""``provider:base:weight`` items, comma-joined, by manifest name: FARGATE, FARGATE_SPOT or an EC2
group (its provider's physical name is the platform output ``ec2_group_provider_key(group)``)."""
NETWORK_MODE = "NetworkMode"
TASK_SECURITY_GROUP_IDS = "TaskSecurityGroupIds"
TARGET_GROUP_ARNS = "TargetGroupArns"
SCHEDULE_NAME = "ScheduleName"
STATE_MACHINE_ARN = "StateMachineArn"
"""Jobs: the state machine that runs one task and enforces the job's timeout."""


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def network_stack_name(environment: str) -> str:
    return f"{environment}-network"


def platform_stack_name(environment: str) -> str:
    return f"{environment}-platform"


def service_stack_name(environment: str, service: str) -> str:
    """One stack per service or job, named after the manifest key."""
    return f"{environment}-{service}"


def ec2_group_asg_key(group: str) -> str:
    """Output key of the Auto Scaling group name of the EC2 capacity group ``group``."""
    return f"Ec2Group{_pascal(group)}AutoScalingGroupName"


def ec2_group_provider_key(group: str) -> str:
    """Output key of the capacity provider name of the EC2 capacity group ``group``."""
    return f"Ec2Group{_pascal(group)}CapacityProviderName"


def repository_uri_key(repository: str) -> str:
    """Output key of the URI of the manifest's ECR repository ``repository`` (where CI pushes its images)."""
    return f"Repository{_pascal(repository)}Uri"


def split_list(value: str) -> list[str]:
    """Inverse of the comma-joined list outputs."""
    return [item for item in value.split(LIST_SEPARATOR) if item and item != EMPTY_LIST]


def join_list(items: list[str]) -> str:
    """Publish plain strings as a list output (tokens need ``Fn.join`` instead)."""
    return LIST_SEPARATOR.join(items) or EMPTY_LIST
