"""An ECS service on EC2 or Fargate: its task (see ``task.py``), security group, placement and deployments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecs_toolkit.constructs.task import ContainerSpec, EcsTask, LogRouter, TaskVolume, exec_log_group_of

__all__ = ["ContainerSpec", "DeploymentSpec", "EcsService"]


STRATEGIES = {"rolling": "ROLLING", "blue-green": "BLUE_GREEN", "canary": "CANARY", "linear": "LINEAR"}
"""The deployment strategies, as CloudFormation's ``DeploymentConfiguration.Strategy`` names them."""
LIFECYCLE_STAGES = (
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
)


@dataclass(frozen=True)
class DeploymentSpec:
    """How a new revision replaces the running one; the circuit breaker with rollback is not optional.

    ``strategy`` is ``rolling`` (``min/max_healthy_percent`` apply), or one of ECS's traffic-shifting
    deployments ``blue-green``, ``canary`` (``canary_percent`` first, the rest after
    ``canary_interval``) and ``linear`` (``linear_step_percent`` every ``linear_interval``), which need
    a load balancer route that registers an alternate target group (``AlbRoute``). ``hooks`` maps a
    lifecycle stage (``POST_TEST_TRAFFIC_SHIFT``) to the ARN of a Lambda function ECS invokes there.
    """

    min_healthy_percent: int = 100
    max_healthy_percent: int = 200
    strategy: str = "rolling"
    bake_time: Duration = Duration.minutes(5)
    canary_percent: float = 5.0
    canary_interval: Duration = Duration.minutes(10)
    linear_step_percent: float = 10.0
    linear_interval: Duration = Duration.minutes(6)
    hooks: Mapping[str, str] = field(default_factory=dict)
    az_rebalancing: bool | None = None
    """Written explicitly either way (ECS's default for a new service changed in 2025; CDK's schema default in 2.214).
    None: on, unless EC2 placement packs tasks (binpack, which ECS does not rebalance) or max_healthy_percent is 100."""

    @property
    def shifts_traffic(self) -> bool:
        """Blue/green, canary and linear move traffic between two target groups; rolling does not."""
        return self.strategy != "rolling"

    def validate(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"EcsService: unknown deployment strategy {self.strategy!r} (use {', '.join(STRATEGIES)})")
        if self.min_healthy_percent >= self.max_healthy_percent:
            raise ValueError("EcsService: max_healthy_percent must exceed min_healthy_percent, or no task can be replaced")
        if not 0 <= self.bake_time.to_minutes() <= 1440:
            raise ValueError("EcsService: bake_time must be 0-1440 minutes")
        if not 0.1 <= self.canary_percent <= 100 or not 3 <= self.linear_step_percent <= 100:
            raise ValueError("EcsService: canary_percent must be 0.1-100 and linear_step_percent 3-100")
        for interval in (self.canary_interval, self.linear_interval):
            if not 0 <= interval.to_minutes() <= 1440:
                raise ValueError("EcsService: canary and linear intervals must be 0-1440 minutes")
        unknown = [stage for stage in self.hooks if stage not in LIFECYCLE_STAGES]
        if unknown:
            raise ValueError(f"EcsService: unknown lifecycle stages {unknown} (use {', '.join(LIFECYCLE_STAGES)})")
        if self.hooks and not self.shifts_traffic:
            raise ValueError("EcsService: lifecycle hooks need a blue-green, canary or linear deployment")


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
        ephemeral_storage_gib: int | None = None,
        log_router: LogRouter | None = None,
        extra_security_groups: Sequence[ec2.ISecurityGroup] = (),
    ) -> None:
        """Log streams are named ``<log_stream_prefix>/<container>/<task id>``. ``extra_security_groups``: existing
        groups the tasks take besides their own (awsvpc only)."""
        super().__init__(scope, construct_id)
        if extra_security_groups and network_mode != "awsvpc":
            raise ValueError(
                f"EcsService: extra_security_groups need awsvpc; {network_mode}-mode tasks use their instance's security groups"
            )
        deployment.validate()
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
            ephemeral_storage_gib=ephemeral_storage_gib,
            log_router=log_router,
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
        self.extra_security_groups = list(extra_security_groups)
        """Existing groups the tasks take besides their own (awsvpc)."""
        groups = [self.security_group, *self.extra_security_groups] if self.security_group else None
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
                security_groups=groups,
                vpc_subnets=subnets,
                assign_public_ip=False,
                **common,  # type: ignore[arg-type]
            )
        else:
            self.service = ecs.Ec2Service(
                self,
                "Service",
                security_groups=groups,
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
        self.deployment = deployment
        self._infrastructure_role: iam.Role | None = None
        self._service_connect = service_connect
        self._configure_deployment(deployment)

    @property
    def infrastructure_role(self) -> iam.Role | None:
        """The role ECS assumes to move load balancer traffic and call lifecycle hooks (traffic-shifting strategies
        only), created when a load balancer or a hook first needs it: Service Connect shifts traffic without one."""
        if not self.deployment.shifts_traffic:
            return None
        if self._infrastructure_role is None:
            self._infrastructure_role = iam.Role(
                self,
                "InfrastructureRole",
                assumed_by=iam.ServicePrincipal("ecs.amazonaws.com"),
                description="ECS moves traffic between this service's target groups and calls its lifecycle hooks",
            )
        return self._infrastructure_role

    def add_test_traffic_header(self, name: str, exact_value: str | None = None) -> None:
        """Service Connect, blue-green/canary/linear: requests with header ``name`` (equal to ``exact_value`` when
        given) reach the new revision before production traffic moves (the port's client alias ``TestTrafficRules``)."""
        if not self.deployment.shifts_traffic:
            raise ValueError("EcsService: test traffic rules need a blue-green, canary or linear deployment")
        if self._service_connect is None or not self._service_connect.services:
            raise ValueError("EcsService: test traffic rules need a Service Connect endpoint (service_connect with services)")
        header: dict[str, object] = {"Name": name}
        if exact_value is not None:
            header["Value"] = {"Exact": exact_value}
        self.cfn_service.add_property_override(
            "ServiceConnectConfiguration.Services.0.ClientAliases.0.TestTrafficRules", {"Header": header}
        )

    def _configure_deployment(self, deployment: DeploymentSpec) -> None:
        """Write the strategy into ``DeploymentConfiguration`` (the L1 keys, so what reaches the template is plain)."""
        prefix = "DeploymentConfiguration."
        self.cfn_service.add_property_override(f"{prefix}Strategy", STRATEGIES[deployment.strategy])
        if not deployment.shifts_traffic:
            return
        self.cfn_service.add_property_override(f"{prefix}BakeTimeInMinutes", int(deployment.bake_time.to_minutes()))
        if deployment.strategy == "canary":
            self.cfn_service.add_property_override(
                f"{prefix}CanaryConfiguration",
                {
                    "CanaryPercent": deployment.canary_percent,
                    "CanaryBakeTimeInMinutes": int(deployment.canary_interval.to_minutes()),
                },
            )
        if deployment.strategy == "linear":
            self.cfn_service.add_property_override(
                f"{prefix}LinearConfiguration",
                {
                    "StepPercent": deployment.linear_step_percent,
                    "StepBakeTimeInMinutes": int(deployment.linear_interval.to_minutes()),
                },
            )
        by_function: dict[str, list[str]] = {}
        for stage, function_arn in deployment.hooks.items():
            by_function.setdefault(function_arn, []).append(stage)
        if by_function:
            role = self.infrastructure_role
            assert role is not None
            role.add_to_principal_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=sorted(by_function)))
            self.cfn_service.add_property_override(
                f"{prefix}LifecycleHooks",
                [
                    {
                        "HookTargetArn": function_arn,
                        "RoleArn": role.role_arn,
                        "LifecycleStages": [stage for stage in LIFECYCLE_STAGES if stage in stages],
                    }
                    for function_arn, stages in sorted(by_function.items())
                ],
            )
