"""The ECS cluster: Container Insights, ECS Exec logging, a Cloud Map namespace, capacity providers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_servicediscovery as servicediscovery
from constructs import Construct

from ecs_toolkit.compliance import LOGS_ENCRYPTED_BY_SERVICE, acknowledge, skip_checkov
from ecs_toolkit.constructs.capacity import Ec2Capacity

INSIGHTS_OFF = (
    "Container Insights is turned off in the manifest (cluster.container_insights: disabled), "
    "a decision its owner takes; ECS still publishes the service CPU and memory metrics"
)
FARGATE = "FARGATE"
FARGATE_SPOT = "FARGATE_SPOT"


@dataclass(frozen=True)
class StrategyItem:
    """One entry of a capacity provider strategy; ``provider`` is FARGATE, FARGATE_SPOT or an EC2 group name."""

    provider: str
    weight: int = 1
    base: int = 0


class EcsCluster(Construct):
    """An ECS cluster with safe defaults.

    Container Insights (enhanced by default; turning it off is acknowledged against
    AwsSolutions-ECS4), ECS Exec sessions logged to a log group with
    retention, and a private DNS namespace for service discovery. EC2 capacity joins with
    ``add_ec2_capacity`` and must live in the same stack as the cluster.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        namespace: str,
        container_insights: ecs.ContainerInsights = ecs.ContainerInsights.ENHANCED,
        fargate: bool = True,
        exec_log_retention: logs.RetentionDays = logs.RetentionDays.THREE_MONTHS,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        self.exec_log_group = logs.LogGroup(self, "ExecLogs", retention=exec_log_retention, removal_policy=removal_policy)
        skip_checkov(self.exec_log_group, "CKV_AWS_158", LOGS_ENCRYPTED_BY_SERVICE)
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            container_insights_v2=container_insights,
            enable_fargate_capacity_providers=fargate,
            execute_command_configuration=ecs.ExecuteCommandConfiguration(
                logging=ecs.ExecuteCommandLogging.OVERRIDE,
                log_configuration=ecs.ExecuteCommandLogConfiguration(cloud_watch_log_group=self.exec_log_group),
            ),
            default_cloud_map_namespace=ecs.CloudMapNamespaceOptions(
                name=namespace, vpc=vpc, type=servicediscovery.NamespaceType.DNS_PRIVATE, use_for_service_connect=True
            ),
        )
        if container_insights == ecs.ContainerInsights.DISABLED:
            acknowledge(self.cluster, "AwsSolutions-ECS4", INSIGHTS_OFF)
            skip_checkov(self.cluster, "CKV_AWS_65", INSIGHTS_OFF)
        self.fargate = fargate
        self.ec2_capacity: dict[str, Ec2Capacity] = {}

    def add_ec2_capacity(self, name: str, capacity: Ec2Capacity) -> None:
        """Register an EC2 group's capacity provider under ``name`` (used in strategies)."""
        if name in (FARGATE, FARGATE_SPOT) or name in self.ec2_capacity:
            raise ValueError(f"EcsCluster: capacity provider name {name!r} is taken")
        self.cluster.add_asg_capacity_provider(capacity.capacity_provider)
        capacity.join_cluster(self.cluster.cluster_name)
        self.ec2_capacity[name] = capacity

    def strategy(self, items: Sequence[StrategyItem]) -> list[ecs.CapacityProviderStrategy]:
        """Translate named strategy items into CDK strategies, checking every provider exists."""
        return [
            ecs.CapacityProviderStrategy(capacity_provider=self.provider_name(item.provider), weight=item.weight, base=item.base)
            for item in items
        ]

    def provider_name(self, provider: str) -> str:
        if provider in (FARGATE, FARGATE_SPOT):
            if not self.fargate:
                raise ValueError(f"EcsCluster: {provider} is not enabled on this cluster")
            return provider
        if provider not in self.ec2_capacity:
            raise ValueError(f"EcsCluster: unknown capacity provider {provider!r}")
        return self.ec2_capacity[provider].capacity_provider.capacity_provider_name

    def set_default_strategy(self, items: Sequence[StrategyItem]) -> None:
        self.cluster.add_default_capacity_provider_strategy(self.strategy(items))
