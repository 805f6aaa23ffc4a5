"""The manifest: one YAML file per environment, validated before any construct exists.

Models check types, ranges and formats of single fields; everything that relates
two fields or two parts of the manifest lives in ``rules.py`` so each problem is
reported at the exact line it concerns. Defaults are declared here and only here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")]
"""Lower-case letters, digits and hyphens, 2-32 characters: safe in stack, DNS and AWS names."""
ProviderName = Annotated[str, StringConstraints(pattern=r"^([a-z][a-z0-9-]{0,30}[a-z0-9]|FARGATE|FARGATE_SPOT)$")]
Port = Annotated[int, Field(ge=1, le=65535)]
AcmCertificateArn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")]
KmsKeyArn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
"""The retention periods CloudWatch Logs accepts."""


class StrictModel(BaseModel):
    """Unknown keys are errors, values are never coerced across types (`true` is not 1), models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- network -----------------------------------------------------------------------------


class ExistingVpcConfig(StrictModel):
    """A VPC imported by id and subnet ids: no lookup, so synth stays hermetic."""

    vpc_id: Annotated[str, StringConstraints(pattern=r"^vpc-[0-9a-f]{8,17}$")]
    cidr: Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")]
    """The VPC's primary CIDR: internal load balancers admit clients from it."""
    availability_zones: list[str] = Field(min_length=1)
    private_subnet_ids: list[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$")]]
    public_subnet_ids: list[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$")]] = []


Endpoint = Literal["ecr", "logs", "s3", "ssm", "secretsmanager", "ecs"]


class NetworkConfig(StrictModel):
    cidr: Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[6-9]|2[0-4])$")] = "10.0.0.0/16"
    azs: Annotated[int, Field(ge=2, le=3)] | list[str] = 2
    """A count (AZs taken in order from the region, resolved at deploy time) or explicit names."""
    nat_gateways: Annotated[int, Field(ge=0, le=3)] = 1
    """0 (then add endpoints), 1 (cheap, one AZ's egress), or one per AZ."""
    flow_logs: bool = True
    flow_log_retention_days: int = 90
    endpoints: list[Endpoint] = []
    """Interface endpoints (gateway for s3) so private tasks reach AWS without NAT."""
    existing: ExistingVpcConfig | None = None


# --- cluster and capacity ----------------------------------------------------------------


class Ec2GroupConfig(StrictModel):
    name: Name
    instance_types: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")]]
    spot: bool = False
    min: Annotated[int, Field(ge=0)] = 0
    """0 lets `cdk destroy` and teardown empty the group."""
    max: Annotated[int, Field(ge=1, le=1000)]
    target_capacity_percent: Annotated[int, Field(ge=1, le=100)] = 100
    """Managed scaling target: 100 packs instances full; lower keeps spare room for fast task starts."""
    min_scaling_step: Annotated[int, Field(ge=1, le=10000)] = 1
    max_scaling_step: Annotated[int, Field(ge=1, le=10000)] = 10
    instance_warmup_seconds: Annotated[int, Field(ge=0, le=10000)] = 180
    managed_termination_protection: bool = False
    """Off by default: with it on, `cdk destroy` hangs on protected instances."""
    root_volume_gib: Annotated[int, Field(ge=30, le=16384)] = 30
    on_demand_base: Annotated[int, Field(ge=0)] = 0
    """Spot groups only: instances kept on-demand before Spot takes over."""


class CapacityConfig(StrictModel):
    ec2: list[Ec2GroupConfig] = []
    fargate: bool = True
    """Adds the FARGATE and FARGATE_SPOT providers."""


class StrategyItemConfig(StrictModel):
    provider: ProviderName
    base: Annotated[int, Field(ge=0, le=100000)] = 0
    weight: Annotated[int, Field(ge=0, le=1000)] = 1


class PortRangeConfig(StrictModel):
    start: Port
    end: Port


class ClusterConfig(StrictModel):
    container_insights: Literal["enhanced", "enabled", "disabled"] = "enhanced"
    namespace: (
        Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")] | None
    ) = None
    """Cloud Map private DNS namespace; defaults to `<name>.internal`."""
    capacity: CapacityConfig = CapacityConfig()
    default_strategy: list[StrategyItemConfig] | None = None
    """Defaults to FARGATE when Fargate is on, else the first EC2 group."""
    host_port_range: PortRangeConfig = PortRangeConfig(start=61000, end=61999)
    """ECS_DYNAMIC_HOST_PORT_RANGE: outside the kernel's ephemeral range (32768-60999 on AL2023),
    so bridge-mode host ports never collide with outbound connections; the instances admit
    exactly this range, only from the load balancer."""


# --- load balancer and storage ------------------------------------------------------------


class LoadBalancerConfig(StrictModel):
    public: bool = True
    certificate_arn: AcmCertificateArn | None = None
    """With a certificate: HTTPS on 443 (TLS 1.2+), HTTP redirects to it."""
    idle_timeout_seconds: Annotated[int, Field(ge=1, le=4000)] = 60
    access_log_retention_days: Annotated[int, Field(ge=1, le=3650)] = 90


class FileSystemConfig(StrictModel):
    kms_key_arn: KmsKeyArn | None = None
    """Encryption is always on; this picks a customer managed key instead of the AWS one."""
    performance_mode: Literal["general_purpose", "max_io"] = "general_purpose"
    throughput_mode: Literal["bursting", "elastic", "provisioned"] = "elastic"
    provisioned_throughput_mibps: Annotated[int, Field(ge=1, le=10240)] | None = None
    infrequent_access_after_days: Literal[1, 7, 14, 30, 60, 90, 180, 270, 365] | None = 30
    backups: bool = True
    removal: Literal["retain", "destroy"] | None = None
    """Defaults to destroy in an ephemeral environment, retain otherwise."""


# --- services -----------------------------------------------------------------------------


class RouteConfig(StrictModel):
    path: Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_\-./*?~%]*$", max_length=128)] | None = None
    host: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9*?.-]+$", max_length=128)] | None = None
    priority: Annotated[int, Field(ge=1, le=50000)] | None = None
    """Explicit listener-rule priority; by default derived from the route (see README)."""


class TargetHealthCheckConfig(StrictModel):
    """Load-balancer health check: defaults follow AWS guidance for fast rollouts."""

    path: Annotated[str, StringConstraints(pattern=r"^/")] = "/"
    interval_seconds: Annotated[int, Field(ge=5, le=300)] = 10
    timeout_seconds: Annotated[int, Field(ge=2, le=120)] = 5
    healthy_threshold: Annotated[int, Field(ge=2, le=10)] = 2
    unhealthy_threshold: Annotated[int, Field(ge=2, le=10)] = 3
    success_codes: Annotated[str, StringConstraints(pattern=r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")] = "200-399"


class NlbConfig(StrictModel):
    port: Port
    protocol: Literal["tcp", "tls", "udp", "tcp_udp"] = "tcp"
    certificate_arn: AcmCertificateArn | None = None
    public: bool = False


class DiscoveryConfig(StrictModel):
    """Cloud Map name (`<name>.<namespace>`): A records in awsvpc mode, SRV records in bridge/host."""

    name: Name | None = None
    service_connect: bool = False
    """Also register the port in ECS Service Connect as `<name>:<port>`."""


class ContainerHealthCheckConfig(StrictModel):
    command: list[str] = Field(min_length=1)
    interval_seconds: Annotated[int, Field(ge=5, le=300)] = 10
    timeout_seconds: Annotated[int, Field(ge=2, le=60)] = 5
    retries: Annotated[int, Field(ge=1, le=10)] = 3
    start_period_seconds: Annotated[int, Field(ge=0, le=300)] = 10


class DeploymentConfig(StrictModel):
    """Rolling deployment; the circuit breaker with rollback is always on."""

    min_healthy_percent: Annotated[int, Field(ge=0, le=100)] = 100
    max_percent: Annotated[int, Field(ge=100, le=200)] = 200
    grace_period_seconds: Annotated[int, Field(ge=0, le=2147483647)] | None = None
    """Load-balanced services only; defaults to 0 unless a container health check needs longer."""
    deregistration_delay_seconds: Annotated[int, Field(ge=0, le=3600)] = 15


class SidecarConfig(StrictModel):
    name: Name
    image: str
    essential: bool = True
    cpu: Annotated[int, Field(ge=0, le=196608)] | None = None
    memory_mib: Annotated[int, Field(ge=6)] = 128
    port: Port | None = None
    command: list[str] | None = None
    environment: dict[EnvName, str] = {}
    secrets: dict[EnvName, str] = {}
    user: str | None = None
    read_only_root_filesystem: bool = True


class VolumeConfig(StrictModel):
    path: str
    """Where the file system appears in the main container (absolute)."""
    read_only: bool = False
    sub_path: Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_\-./]*$")] | None = None
    """The access point's root inside the file system; defaults to `/<service>`."""
    uid: Annotated[int, Field(ge=0, le=4294967295)] | None = None
    """Owner of the access point's root and the identity of every access through it;
    defaults to the service's numeric `user`, else 1000."""
    gid: Annotated[int, Field(ge=0, le=4294967295)] | None = None
    permissions: Annotated[str, StringConstraints(pattern=r"^[0-7]{3,4}$")] = "750"


GrantIntent = Literal[
    "s3-read",
    "s3-write",
    "s3-read-write",
    "dynamodb-read",
    "dynamodb-write",
    "dynamodb-read-write",
    "sqs-send",
    "sqs-consume",
    "sns-publish",
    "ssm-read-path",
    "secret-read",
    "kms-decrypt",
]


class GrantConfig(StrictModel):
    """One access the task role gets, compiled to the narrowest actions on the named resource."""

    intent: GrantIntent
    resource: str | None = None
    """The ARN of the bucket, table, queue, topic, secret or key (not for ssm-read-path)."""
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9!_.*'()/-]+$")] | None = None
    """s3 only: limit access to keys under this prefix."""
    path: Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_.\-/]+$")] | None = None
    """ssm-read-path only: the parameter path (its parameters and those below)."""


TimeZone = Annotated[str, StringConstraints(pattern=r"^(UTC|[A-Z][A-Za-z_]+(/[A-Z][A-Za-z_+\-0-9]+){1,2})$")]
ScheduleExpression = Annotated[str, StringConstraints(min_length=1)]
"""`cron(m h dom mon dow year)`, `rate(N unit)` or `at(yyyy-mm-ddThh:mm:ss)`, as EventBridge Scheduler takes them."""


class CustomMetricConfig(StrictModel):
    namespace: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    dimensions: dict[str, str] = {}
    statistic: Literal["Average", "Sum", "Maximum", "Minimum", "SampleCount"] = "Average"
    target: Annotated[float, Field(gt=0)]


class StepConfig(StrictModel):
    """One interval of a step policy: metric in [lower, upper) changes the task count by `change`."""

    lower: float | None = None
    upper: float | None = None
    change: int


class StepScalingConfig(StrictModel):
    metric: Literal["cpu", "memory"] = "cpu"
    steps: list[StepConfig] = Field(min_length=2)
    """In ascending order, not overlapping; at least one interval must be open below or above."""
    evaluation_periods: Annotated[int, Field(ge=1, le=10)] = 1
    cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 60


class ScheduledScalingConfig(StrictModel):
    schedule: ScheduleExpression
    time_zone: TimeZone | None = None
    min: Annotated[int, Field(ge=0)] | None = None
    max: Annotated[int, Field(ge=0)] | None = None


class QueueConfig(StrictModel):
    """The queue a worker consumes: created (with a dead-letter queue) unless an ARN is given."""

    arn: (
        Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")] | None
    ) = None
    backlog_per_task: Annotated[int, Field(ge=1, le=100000)] = 10
    """Target of visible messages per running task."""
    visibility_timeout_seconds: Annotated[int, Field(ge=0, le=43200)] = 300
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = 5
    """Receives before a message moves to the dead-letter queue."""


class ScalingConfig(StrictModel):
    """Service autoscaling: any combination of target tracking, steps, schedules and queue backlog."""

    min: Annotated[int, Field(ge=0, le=5000)] = 1
    max: Annotated[int, Field(ge=1, le=5000)]
    cpu_percent: Annotated[int, Field(ge=1, le=100)] | None = None
    memory_percent: Annotated[int, Field(ge=1, le=100)] | None = None
    requests_per_target: Annotated[int, Field(ge=1, le=1000000)] | None = None
    custom_metric: CustomMetricConfig | None = None
    scale_out_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    scale_in_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 300
    steps: StepScalingConfig | None = None
    schedule: list[ScheduledScalingConfig] = []
    queue: QueueConfig | None = None


class ServiceConfig(StrictModel):
    kind: Literal["web", "backend", "worker", "job"]
    image: str = Field(min_length=1)
    launch: Literal["ec2", "fargate"] | None = None
    """Defaults from the capacity strategy: FARGATE/FARGATE_SPOT mean fargate, EC2 groups ec2."""
    network_mode: Literal["awsvpc", "bridge", "host", "none"] | None = None
    """Defaults to bridge on EC2 (dynamic host ports), awsvpc on Fargate."""
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    cpu: Annotated[int, Field(ge=128, le=196608)] | None = None
    """Task CPU units. Required on Fargate; on EC2 defaults to 256."""
    memory_mib: Annotated[int, Field(ge=128, le=983040)] | None = None
    """Task memory. Required on Fargate; on EC2 defaults to 512."""
    port: Port | None = None
    """The main container's port."""
    count: Annotated[int, Field(ge=0, le=5000)] = 1
    route: RouteConfig | None = None
    health_check: TargetHealthCheckConfig = TargetHealthCheckConfig()
    nlb: NlbConfig | None = None
    discovery: DiscoveryConfig | None = None
    capacity: list[StrategyItemConfig] | None = None
    placement: list[Literal["spread-az", "spread-instance", "binpack-memory", "binpack-cpu", "random"]] = [
        "spread-az",
        "binpack-memory",
    ]
    """EC2 only: spread over AZs first, then pack instances by memory."""
    command: list[str] | None = None
    entry_point: list[str] | None = None
    environment: dict[EnvName, str] = {}
    secrets: dict[EnvName, str] = {}
    """`ssm:/param/name`, `ssm:arn:...`, `secretsmanager:name[:json-key]` or `secretsmanager:arn:...[:json-key]`."""
    container_health_check: ContainerHealthCheckConfig | None = None
    stop_timeout_seconds: Annotated[int, Field(ge=2, le=120)] = 30
    """Time between SIGTERM and SIGKILL; well inside the 2-minute Spot notice."""
    read_only_root_filesystem: bool = True
    user: str | None = None
    """Run as this user (`uid` or `uid:gid`)."""
    log_retention_days: int = 30
    sidecars: list[SidecarConfig] = []
    deployment: DeploymentConfig = DeploymentConfig()
    exec: bool = False
    """ECS Exec: adds the ssmmessages permissions to the task role."""
    volumes: dict[Name, str | VolumeConfig] = {}
    """`{file system: /container/path}` or `{file system: {path, read_only, sub_path, uid, gid, permissions}}`."""
    grants: list[GrantConfig] = []
    """Task-role access to named resources; the task role is empty otherwise."""
    secrets_kms_key_arns: list[KmsKeyArn] = []
    """Customer managed keys that encrypt the referenced secrets/parameters (execution role may decrypt)."""
    scaling: ScalingConfig | None = None
    """Task-count autoscaling; with it, `count` is not set and deploys keep the running count."""
    schedule: ScheduleExpression | None = None
    """Jobs only: `cron(...)` or `rate(...)` (EventBridge Scheduler syntax)."""
    time_zone: TimeZone | None = None
    """Jobs only: the schedule's time zone (IANA name), UTC by default."""
    timeout_minutes: Annotated[int, Field(ge=1, le=10080)] = 60
    """Jobs only: a run still going after this long is stopped and counted as failed."""
    retries: Annotated[int, Field(ge=0, le=185)] = 2
    """Jobs only: attempts EventBridge Scheduler makes when starting a run fails."""


class EnvironmentConfig(StrictModel):
    name: Name
    account: Annotated[str, StringConstraints(pattern=r"^\d{12}$")] | None = None
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")] | None = None
    """With account and region the stacks are environment-specific; without, environment-agnostic."""
    ephemeral: bool = False
    """A throwaway environment: storage and logs are destroyed with the stacks."""
    tags: dict[str, str] = {}
    network: NetworkConfig = NetworkConfig()
    cluster: ClusterConfig = ClusterConfig()
    load_balancer: LoadBalancerConfig | None = None
    file_systems: dict[Name, FileSystemConfig] = {}
    services: dict[Name, ServiceConfig] = {}
