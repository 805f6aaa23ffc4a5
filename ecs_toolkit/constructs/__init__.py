"""ECS constructs for hand-written CDK apps: the public API.

Each construct takes CDK objects and typed keyword-only options (never the manifest), validates
them in its constructor (a ``ValueError`` naming the construct and what is allowed) and documents
its defaults in its signature and docstring. Construct ids inside them are stable: renaming one
replaces resources, so they are part of this API. ``tests/constructs/test_<module>.py`` is the
contract of each module.

    from ecs_toolkit.constructs import EcsCluster, EcsService, SharedLoadBalancer, AlbRoute, ...
"""

from ecs_toolkit.constructs.access_logs import AccessLogBucket
from ecs_toolkit.constructs.alarms import AlarmTopic, DeploymentAlarms, RollbackThresholds, ServiceAlarms
from ecs_toolkit.constructs.capacity import Ec2Capacity
from ecs_toolkit.constructs.cluster import EcsCluster, StrategyItem
from ecs_toolkit.constructs.connections import PortRange, admit
from ecs_toolkit.constructs.dashboard import EnvironmentDashboard
from ecs_toolkit.constructs.file_system import EfsMount, ExistingFileSystem, SharedFileSystem
from ecs_toolkit.constructs.grants import TaskGrant, apply_grants, attach_role_policy, grant_statements, granular_rule_ids
from ecs_toolkit.constructs.job import ScheduledJob
from ecs_toolkit.constructs.load_balancer import ImportedLoadBalancer, SharedLoadBalancer
from ecs_toolkit.constructs.messaging import PublishedTopics, QueueSubscriptions, TopicSpec, TopicSubscription
from ecs_toolkit.constructs.network import Network, imported_vpc, internal_subnets, subnet_masks
from ecs_toolkit.constructs.repository import ImageRepository
from ecs_toolkit.constructs.routing import AlbRoute, HealthCheckSpec, NlbEndpoint
from ecs_toolkit.constructs.scaling import (
    CustomMetricTarget,
    PredictivePolicy,
    QueueBacklogTarget,
    ScheduledCapacity,
    ServiceScaling,
    StepInterval,
    StepPolicy,
)
from ecs_toolkit.constructs.service import DeploymentSpec, EcsService
from ecs_toolkit.constructs.task import ContainerSpec, EcsTask, LinuxOptions, LogRouter, RestartPolicy, TaskVolume

__all__ = [
    "AccessLogBucket",
    "AlarmTopic",
    "AlbRoute",
    "ContainerSpec",
    "CustomMetricTarget",
    "DeploymentAlarms",
    "DeploymentSpec",
    "Ec2Capacity",
    "EcsCluster",
    "EcsService",
    "EcsTask",
    "EfsMount",
    "EnvironmentDashboard",
    "ExistingFileSystem",
    "HealthCheckSpec",
    "ImageRepository",
    "ImportedLoadBalancer",
    "LinuxOptions",
    "LogRouter",
    "Network",
    "NlbEndpoint",
    "PortRange",
    "PredictivePolicy",
    "PublishedTopics",
    "QueueBacklogTarget",
    "QueueSubscriptions",
    "RestartPolicy",
    "RollbackThresholds",
    "ScheduledCapacity",
    "ScheduledJob",
    "ServiceAlarms",
    "ServiceScaling",
    "SharedFileSystem",
    "SharedLoadBalancer",
    "StepInterval",
    "StepPolicy",
    "StrategyItem",
    "TaskGrant",
    "TaskVolume",
    "TopicSpec",
    "TopicSubscription",
    "admit",
    "apply_grants",
    "attach_role_policy",
    "grant_statements",
    "granular_rule_ids",
    "imported_vpc",
    "internal_subnets",
    "subnet_masks",
]
