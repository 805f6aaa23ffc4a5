"""An ECS service on EC2 or Fargate: its task (see ``task.py``), security group, placement and deployments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecs_toolkit.constructs.task import ContainerSpec, EcsTask, TaskVolume, exec_log_group_of

__all__ = ["ContainerSpec", "DeploymentSpec", "EcsService"]


@dataclass(frozen=True)
class DeploymentSpec:
    """Rolling deployment settings; the circuit breaker with rollback is not optional."""

    min_healthy_percent: int = 100
    max_healthy_percent: int = 200
    az_rebalancing: bool | None = None
    """Written explicitly either way (ECS's default for a new service changed in 2025; CDK's schema default in 2.214).
    None: on, unless EC2 placement packs tasks (binpack, which ECS does not rebalance) or max_healthy_percent is 100."""


PLACEMENT = {
    "spread-az": ecs.PlacementStrategy.spread_across(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
    "spread-instance": ecs.PlacementStrategy.spread_across_instances(),
    "binpack-memory": ecs.PlacementStrategy.packed_by_memory(),
    "binpack-cpu": ecs.PlacementStrategy.packed_by_cpu(),
    "random": ecs.PlacementStrategy.randomly(),
}


class EcsService(Construct):
    """A long-running ECS service with safe, fast defaults.

    - one task definition, role pair and log group (with retention) per service; the execution
      role is CDK's, limited to what the task's images, log group and secrets need;
    - Fargate needs ``awsvpc``; on EC2 ``bridge`` publishes host port 0 so the agent picks a port
      from the cluster's pinned dynamic range and several tasks share an instance;
    - awsvpc tasks get their own security group with no ingress; callers open it per source;
    - the deployment circuit breaker with rollback is always on, so a broken rollout fails in
      minutes instead of CloudFormation's 3-hour wait.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: ecs.ICluster,
        vpc: ec2.IVpc,
        containers: Sequence[ContainerSpec],
        fargate: bool,
        network_mode: str = "awsvpc",
        cpu: int,
        memory_mib: int,
        desired_count: int | None = 1,
        arm64: bool = False,
        capacity_provider_strategies: Sequence[ecs.CapacityProviderStrategy] | None = None,
        placement: Sequence[str] = ("spread-az", "binpack-memory"),
        deployment: DeploymentSpec = DeploymentSpec(),
        enable_execute_command: bool = False,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        cloud_map: ecs.CloudMapOptions | None = None,
        service_connect: ecs.ServiceConnectProps | None = None,
        subnets: ec2.SubnetSelection | None = None,
        log_stream_prefix: str = "ecs",
        volumes: Sequence[TaskVolume] = (),
    ) -> None:
        """Log streams are named ``<log_stream_prefix>/<container>/<task id>``."""
        super().__init__(scope, construct_id)
        if deployment.min_healthy_percent >= deployment.max_healthy_percent:
            raise ValueError("EcsService: max_healthy_percent must exceed min_healthy_percent, or no task can be replaced")
        unknown = [name for name in placement if name not in PLACEMENT]
        if unknown:
            raise ValueError(f"EcsService: unknown placement strategies {unknown}")
        packed = not fargate and any(name.startswith("binpack") for name in placement)
        if deployment.az_rebalancing and packed:
            raise ValueError("EcsService: ECS does not rebalance Availability Zones for binpack placement")
        rebalance = (
            deployment.az_rebalancing
            if deployment.az_rebalancing is not None
            else not packed and deployment.max_healthy_percent > 100
        )
        self.task = EcsTask(
            self,
            containers=containers,
            fargate=fargate,
            network_mode=network_mode,
            cpu=cpu,
            memory_mib=memory_mib,
            vpc=vpc,
            arm64=arm64,
            enable_execute_command=enable_execute_command,
            exec_log_group=exec_log_group_of(cluster),
            log_retention=log_retention,
            removal_policy=removal_policy,
            log_stream_prefix=log_stream_prefix,
            volumes=volumes,
        )
        self.task_definition = self.task.task_definition
        self.log_group = self.task.log_group
        self.main_container_name = self.task.main_container_name
        self.main_port = self.task.main_port
        self.network_mode = network_mode
        self.fargate = fargate
        self.load_balancers: list[dict[str, object]] = []
        """Target groups registered by ``AlbRoute`` / ``NlbEndpoint`` (CloudFormation ``LoadBalancers``)."""
        self.security_group = self.task.security_group
        common = {
            "cluster": cluster,
            "task_definition": self.task_definition,
            "desired_count": desired_count,
            "circuit_breaker": ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            "min_healthy_percent": deployment.min_healthy_percent,
            "max_healthy_percent": deployment.max_healthy_percent,
            # Exec is switched on below through the L1 property: the L2's own grant would put
            # unscoped statements on the task role's default policy, next to ours.
            "enable_execute_command": False,
            "capacity_provider_strategies": list(capacity_provider_strategies) if capacity_provider_strategies else None,
            "cloud_map_options": cloud_map,
            "service_connect_configuration": service_connect,
            "propagate_tags": ecs.PropagatedTagSource.SERVICE,
            "enable_ecs_managed_tags": True,
            "availability_zone_rebalancing": ecs.AvailabilityZoneRebalancing.ENABLED
            if rebalance
            else ecs.AvailabilityZoneRebalancing.DISABLED,
        }
        self.service: ecs.BaseService
        if fargate:
            self.service = ecs.FargateService(
                self,
                "Service",
                security_groups=[self.security_group] if self.security_group else None,
                vpc_subnets=subnets,
                assign_public_ip=False,
                **common,  # type: ignore[arg-type]
            )
        else:
            self.service = ecs.Ec2Service(
                self,
                "Service",
                security_groups=[self.security_group] if self.security_group else None,
                vpc_subnets=subnets if network_mode == "awsvpc" else None,
                placement_strategies=[PLACEMENT[name] for name in placement],
                **common,  # type: ignore[arg-type]
            )
        cfn_service = self.service.node.default_child
        assert isinstance(cfn_service, ecs.CfnService)
        self.cfn_service: ecs.CfnService = cfn_service
        if enable_execute_command:
            self.cfn_service.enable_execute_command = True
        for volume in self.task.managed_volumes:
            self.service.add_volume(volume)
