"""The manifest: one YAML file per environment, validated before any construct exists.

Models check types, ranges and formats of single fields; everything that relates
two fields or two parts of the manifest lives in the ``rules`` package so each problem is
reported at the exact line it concerns. Defaults are declared here and only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, PrivateAttr, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


@dataclass(frozen=True)
class Described:
    """Plain words for a constrained string, used in error messages: they finish "must be ...".

    The JSON Schema carries them too, as ``patternErrorMessage`` (which editors show instead of the regex).
    """

    words: str

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["patternErrorMessage"] = f"must be {self.words}"
        return schema


Name = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$"),
    Described("2 to 32 lower-case letters, digits and hyphens, starting with a letter and ending with a letter or digit"),
]
"""Lower-case letters, digits and hyphens, 2-32 characters: safe in stack, DNS and AWS names."""
ProviderName = Annotated[
    str,
    StringConstraints(pattern=r"^([a-z][a-z0-9-]{0,30}[a-z0-9]|FARGATE|FARGATE_SPOT)$"),
    Described("FARGATE, FARGATE_SPOT or an EC2 group's name (2 to 32 lower-case letters, digits and hyphens)"),
]
Port = Annotated[int, Field(ge=1, le=65535)]
AcmCertificateArn = Annotated[
    str,
    StringConstraints(pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$"),
    Described("an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"),
]
KmsKeyArn = Annotated[
    str,
    StringConstraints(pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$"),
    Described("a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)"),
]
EnvName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"),
    Described("a variable name: letters, digits and underscores, not starting with a digit"),
]
PathPattern = Annotated[
    str,
    StringConstraints(pattern=r"^/[A-Za-z0-9_\-./*?~%]*$", max_length=128),
    Described("a path pattern starting with / (letters, digits and _-./*?~%), such as /api/*"),
]
HostPattern = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9*?.-]+$", max_length=128),
    Described("a host name (letters, digits, dots, hyphens and the wildcards * and ?), such as shop.example.com"),
]
SecurityGroupId = Annotated[
    str,
    StringConstraints(pattern=r"^sg-[0-9a-f]{8,17}$"),
    Described("a security group id: sg- and 8 to 17 lower-case hex digits"),
]
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
"""The retention periods CloudWatch Logs accepts."""


class StrictModel(BaseModel):
    """Unknown keys are errors, values are never coerced across types (`true` is not 1), models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


# --- network -----------------------------------------------------------------------------


class ExistingVpcConfig(StrictModel):
    """A VPC imported by id and subnet ids: no lookup, so synth stays hermetic."""

    vpc_id: Annotated[
        str, StringConstraints(pattern=r"^vpc-[0-9a-f]{8,17}$"), Described("a VPC id: vpc- and 8 to 17 lower-case hex digits")
    ]
    """`vpc-...` id."""
    cidr: Annotated[str, StringConstraints(min_length=1)]
    """The VPC's primary IPv4 CIDR (/16 to /28): internal load balancers admit clients from it."""
    availability_zones: list[str] = Field(min_length=1)
    """The zones of the subnets below, in the same order."""
    private_subnet_ids: list[
        Annotated[
            str,
            StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$"),
            Described("a subnet id: subnet- and 8 to 17 lower-case hex digits"),
        ]
    ]
    """Subnets for tasks, instances, mount targets and internal load balancers (one per zone)."""
    public_subnet_ids: list[
        Annotated[
            str,
            StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$"),
            Described("a subnet id: subnet- and 8 to 17 lower-case hex digits"),
        ]
    ] = []
    """Subnets for internet-facing load balancers (one per zone); required when the load balancer or an NLB is public."""


Endpoint = Literal["ecr", "logs", "s3", "ssm", "secretsmanager", "ecs"]


class NetworkConfig(StrictModel):
    cidr: Annotated[str, StringConstraints(min_length=1)] = "10.0.0.0/16"
    """The new VPC's CIDR (/16 to /24). Each AZ gets a private subnet of /20 (or a quarter of the VPC
    when smaller, down to what fits) and a public one a quarter of that size, at least a /27."""
    azs: Annotated[int, Field(ge=2, le=3)] | list[str] = 2
    """A count (AZs taken in order from the region, resolved at deploy time) or explicit names."""
    nat_gateways: Annotated[int, Field(ge=0, le=3)] = 1
    """0 (then add endpoints), 1 (cheap, one AZ's egress), or one per AZ."""
    public_subnets: bool = True
    """false: no public subnets and no internet gateway (needs nat_gateways 0 and only internal load
    balancers). Changing it on a deployed VPC replaces its private subnets (their CIDRs move)."""
    flow_logs: bool = True
    """VPC flow logs (all traffic) to CloudWatch Logs; false is recorded as an acknowledgement of AwsSolutions-VPC7."""
    flow_log_retention_days: int = 90
    """Flow log retention; one of CloudWatch's retention values."""
    endpoints: list[Endpoint] = []
    """Interface endpoints (gateway for s3) so private tasks reach AWS without NAT."""
    existing: ExistingVpcConfig | None = None
    """Import this VPC instead of creating one (then the other network fields do not apply)."""


# --- roles ---------------------------------------------------------------------------------


IamAction = Annotated[
    str,
    StringConstraints(pattern=r"^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$"),
    Described("an IAM action such as s3:GetObject (service prefix, a colon, the action; * and ? allowed)"),
]
IamResource = Annotated[
    str,
    StringConstraints(pattern=r"^(\*|arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws|\*)?:\S+)$", max_length=2048),
    Described("an ARN (arn:aws:<service>:<region>:<account>:<resource>, * and ? allowed) or *"),
]
ManagedPolicyArn = Annotated[
    str,
    StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[A-Za-z0-9+=,.@_/-]{1,512}$"),
    Described("a managed policy ARN (arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>)"),
]
RuleId = Annotated[
    str,
    StringConstraints(pattern=r"^(AwsSolutions|HIPAA\.Security|NIST\.800\.53\.R5|PCI\.DSS\.321)-[A-Za-z0-9]+(\[.+\])?$"),
    Described("a cdk-nag rule id such as AwsSolutions-IAM5 or AwsSolutions-IAM5[Resource::*]"),
]


class PolicyStatementConfig(StrictModel):
    """One IAM statement, added to the role as written."""

    effect: Literal["allow", "deny"] = "allow"
    """Allow, or deny (a deny wins over every allow of the role)."""
    actions: list[IamAction] = Field(min_length=1)
    """Actions (`s3:GetObject`, `s3:Get*`)."""
    resources: list[IamResource] = Field(min_length=1)
    """Resource ARNs, or `*` for actions that support no resource scoping."""
    conditions: dict[str, dict[str, str | list[str]]] = {}
    """IAM conditions, `{operator: {key: value or values}}` (`{StringEquals: {"aws:RequestedRegion": eu-west-1}}`)."""


class AcknowledgementConfig(StrictModel):
    rule: RuleId
    """The cdk-nag rule the statements or managed policies trip (`AwsSolutions-IAM5`, `AwsSolutions-IAM4`,
    or a granular id such as `AwsSolutions-IAM5[Resource::*]`)."""
    reason: Annotated[str, StringConstraints(min_length=20, max_length=1000)]
    """Why the finding is acceptable here: a reviewer reads it (at least 20 characters)."""


class RolePolicyConfig(StrictModel):
    """Permissions a role gets beyond what grants, secrets and images imply; reviewed by cdk-nag and proven by verify."""

    statements: list[PolicyStatementConfig] = []
    """Policy statements, in one inline policy of their own on the role."""
    managed_policies: list[ManagedPolicyArn] = []
    """Managed policies attached to the role (AWS managed ones trip AwsSolutions-IAM4)."""
    acknowledge: list[AcknowledgementConfig] = []
    """The cdk-nag findings these statements and policies cause, each with a reason: IAM4 is acknowledged on
    the role, everything else on the statements' own policy, never on what the toolkit generates."""


# --- cluster and capacity ----------------------------------------------------------------


class Ec2GroupConfig(StrictModel):
    name: Name
    """Group name: the capacity provider's name in strategies."""
    instance_types: list[
        Annotated[
            str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"), Described("an EC2 instance type such as m5.large")
        ]
    ]
    """One or several instance types of one architecture (Graviton types make an arm64 group)."""
    spot: bool = False
    """Spot instances (mixed instances policy, price-capacity-optimized, capacity rebalancing, Spot draining in the agent)."""
    min: Annotated[int, Field(ge=0)] = 0
    """0 lets `cdk destroy` and teardown empty the group."""
    max: Annotated[int, Field(ge=1, le=1000)]
    """Most instances the group may run."""
    target_capacity_percent: Annotated[int, Field(ge=1, le=100)] = 100
    """Managed scaling target: 100 packs instances full; lower keeps spare room for fast task starts."""
    min_scaling_step: Annotated[int, Field(ge=1, le=10000)] = 1
    """Fewest instances managed scaling adds or removes at once."""
    max_scaling_step: Annotated[int, Field(ge=1, le=10000)] = 10
    """Most instances managed scaling adds or removes at once."""
    instance_warmup_seconds: Annotated[int, Field(ge=0, le=10000)] = 180
    """Seconds a new instance needs before it counts toward the group's metrics."""
    managed_termination_protection: bool = False
    """Off by default: with it on, `cdk destroy` hangs on protected instances."""
    root_volume_gib: Annotated[int, Field(ge=30, le=16384)] = 30
    """Encrypted gp3 root volume size."""
    on_demand_base: Annotated[int, Field(ge=0)] = 0
    """Spot groups only: instances kept on-demand before Spot takes over."""
    ami: (
        Literal["al2023", "al2023-arm64", "al2023-gpu", "al2023-neuron", "bottlerocket", "bottlerocket-arm64", "bottlerocket-gpu"]
        | None
    ) = None
    """ECS-optimized Amazon Linux 2023 variant, or Bottlerocket (`bottlerocket`, `bottlerocket-arm64`, `bottlerocket-gpu`:
    the aws-ecs-2 variants, the NVIDIA one for GPUs; awsvpc and host services only). By default from the instance types:
    types with GPUs get the GPU AMI (NVIDIA driver), Inferentia and Trainium types the Neuron AMI, Graviton types the
    arm64 AMI, others the standard one (always Amazon Linux 2023)."""
    user_data: list[Annotated[str, StringConstraints(min_length=1, max_length=4096)]] = []
    """Amazon Linux only: shell lines each instance runs at boot, after the toolkit's agent settings
    (`echo ECS_X=y >> /etc/ecs/ecs.config`)."""
    bottlerocket_settings: dict[str, Any] = {}
    """Bottlerocket only: settings written into the TOML user data under `settings` (`{kernel: {sysctl:
    {net.core.somaxconn: "4096"}}}` becomes `[settings.kernel.sysctl]`); the toolkit writes `ecs.cluster`,
    `ecs.awsvpc-block-imds` and, on Spot, `ecs.enable-spot-instance-draining` itself."""
    instance_role: RolePolicyConfig | None = None
    """Custom statements and managed policies on the instances' role (for what user data or host agents call)."""


class CapacityConfig(StrictModel):
    ec2: list[Ec2GroupConfig] = []
    """EC2 Auto Scaling groups, each with its own capacity provider."""
    fargate: bool = True
    """Adds the FARGATE and FARGATE_SPOT providers."""


class StrategyItemConfig(StrictModel):
    provider: ProviderName
    """`FARGATE`, `FARGATE_SPOT` or an EC2 group's name."""
    base: Annotated[int, Field(ge=0, le=100000)] = 0
    """Tasks placed on this provider first (only one provider of a strategy may have a base)."""
    weight: Annotated[int, Field(ge=0, le=1000)] = 1
    """Share of the tasks beyond the base."""


class PortRangeConfig(StrictModel):
    start: Port
    """First port (1024 or above)."""
    end: Port
    """Last port (at least 64 ports in all)."""


class ClusterConfig(StrictModel):
    container_insights: Literal["enhanced", "enabled", "disabled"] = "enhanced"
    """Container Insights level; the queue backlog scaling reads its RunningTaskCount (so it needs enabled or
    enhanced). disabled (AWS Copilot's default) is recorded as an acknowledgement of AwsSolutions-ECS4."""
    namespace: (
        Annotated[
            str,
            StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"),
            Described("a DNS name of two or more lower-case labels, such as demo.internal"),
        ]
        | None
    ) = None
    """Cloud Map private DNS namespace; defaults to `<name>.internal`."""
    capacity: CapacityConfig = CapacityConfig()
    """EC2 groups and the Fargate providers."""
    default_strategy: list[StrategyItemConfig] | None = None
    """Defaults to FARGATE when Fargate is on, else the first EC2 group."""
    host_port_range: PortRangeConfig = PortRangeConfig(start=61000, end=61999)
    """ECS_DYNAMIC_HOST_PORT_RANGE: outside the kernel's ephemeral range (32768-60999 on AL2023),
    so bridge-mode host ports never collide with outbound connections; the instances admit
    exactly this range, only from the load balancer."""


# --- load balancer and storage ------------------------------------------------------------


class TestListenerConfig(StrictModel):
    """The shared ALB's test listener: closed to the internet unless `allow_from` opens it."""

    port: Port = 8080
    """Listener port (not 80 or 443); HTTPS when the load balancer has a certificate."""
    allow_from: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = []
    """IPv4 CIDRs that may reach the test listener; by default only the VPC's own CIDR."""


class ExistingLoadBalancerConfig(StrictModel):
    """An Application Load Balancer and listener created elsewhere, imported by ARN without lookups. The environment
    adds only its listener rules and target groups; the load balancer's security group rules, listeners, certificates
    and access logs stay with whoever created it."""

    arn: Annotated[
        str,
        StringConstraints(
            pattern=r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$"
        ),
        Described(
            "an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)"
        ),
    ]
    """The load balancer's ARN."""
    security_group_id: SecurityGroupId
    """The load balancer's security group: services admit it on their traffic and health-check ports."""
    listener_arn: Annotated[
        str,
        StringConstraints(
            pattern=r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}/[0-9a-f]{16}$"
        ),
        Described(
            "a listener ARN of an Application Load Balancer "
            "(arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)"
        ),
    ]
    """The listener the services' rules go on (HTTPS 443 or HTTP 80, usually)."""
    certificate: bool = False
    """Whether that listener is HTTPS (it holds a certificate): the services' URLs start with https://."""
    dns_name: Annotated[
        str,
        StringConstraints(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$"),
        Described("a DNS name such as my-alb-123456789.eu-west-1.elb.amazonaws.com"),
    ]
    """The load balancer's DNS name (published as the environment's load-balancer address)."""


class LoadBalancerConfig(StrictModel):
    public: bool = True
    """Internet-facing (public subnets, 0.0.0.0/0 on the listener ports) or internal (the VPC's CIDR only)."""
    certificate_arn: AcmCertificateArn | None = None
    """With a certificate: HTTPS on 443 (TLS 1.2+), HTTP redirects to it."""
    idle_timeout_seconds: Annotated[int, Field(ge=1, le=4000)] = 60
    """Connection idle timeout."""
    access_log_retention_days: Annotated[int, Field(ge=1, le=3650)] = 90
    """Days access logs are kept in their encrypted bucket."""
    test_listener: TestListenerConfig = TestListenerConfig()
    """The listener that reaches a new revision before production traffic moves to it (created only
    when a service uses blue-green, canary or linear)."""
    existing: ExistingLoadBalancerConfig | None = None
    """Use an existing ALB and listener instead of creating one (then the other fields here do not apply)."""


class ExistingFileSystemConfig(StrictModel):
    """An EFS file system made elsewhere, mounted by id: no lookup, and nothing of it is changed except one
    ingress rule per mounting service on `security_group_id` (NFS, port 2049)."""

    id: Annotated[
        str,
        StringConstraints(pattern=r"^fs-[0-9a-f]{8,40}$"),
        Described("an EFS file system id: fs- and 8 to 40 lower-case hex digits"),
    ]
    """`fs-...` id of the file system (in the environment's VPC, with a mount target in each zone the tasks use)."""
    security_group_id: (
        Annotated[
            str,
            StringConstraints(pattern=r"^sg-[0-9a-f]{8,17}$"),
            Described("a security group id: sg- and 8 to 17 lower-case hex digits"),
        ]
        | None
    ) = None
    """The security group of its mount targets: each mounting service adds an NFS (2049) ingress rule to it from
    its tasks or instances. Without it the mount targets' groups must already admit the services (a warning says so)."""
    kms: bool = True
    """Whether the file system is encrypted at rest (as every file system the toolkit creates is); false is warned about."""


class FileSystemConfig(StrictModel):
    existing: ExistingFileSystemConfig | None = None
    """Mount an existing file system instead of creating one; the other fields then do not apply."""
    kms_key_arn: KmsKeyArn | None = None
    """Encryption is always on; this picks a customer managed key instead of the AWS one."""
    performance_mode: Literal["general_purpose", "max_io"] = "general_purpose"
    """EFS performance mode (max_io does not combine with elastic throughput)."""
    throughput_mode: Literal["bursting", "elastic", "provisioned"] = "elastic"
    """EFS throughput mode."""
    provisioned_throughput_mibps: Annotated[int, Field(ge=1, le=10240)] | None = None
    """Required with throughput_mode provisioned."""
    infrequent_access_after_days: Literal[1, 7, 14, 30, 60, 90, 180, 270, 365] | None = 30
    """Move files not read for this many days to Infrequent Access; null keeps everything in Standard."""
    backups: bool = True
    """AWS Backup's daily automatic backups."""
    removal: Literal["retain", "destroy"] | None = None
    """Defaults to destroy in an ephemeral environment, retain otherwise."""


class RepositoryLifecycleConfig(StrictModel):
    """What ECR expires on its own (no rule by default: every image is kept)."""

    keep_last: Annotated[int, Field(ge=1, le=10000)] | None = None
    """Keep only this many images (the most recently pushed, tagged or not); older ones expire."""
    untagged_expire_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    """Untagged images expire this many days after their push."""


class RepositoryConfig(StrictModel):
    """A private ECR repository of the environment, `<environment>/<name>`, created in the platform stack.
    Services run its images with `image: {repository: NAME, tag: T}` (or `digest:`); their execution
    roles may pull from exactly the repositories they name."""

    scan_on_push: bool = True
    """ECR's basic scan of every pushed image for known vulnerabilities."""
    immutable_tags: bool = True
    """A pushed tag can never point to another image (deploys name exactly what was tested)."""
    lifecycle: RepositoryLifecycleConfig = RepositoryLifecycleConfig()
    """Expiry rules: `keep_last` images and/or `untagged_expire_days`."""
    kms_key_arn: KmsKeyArn | None = None
    """Images are always encrypted with KMS: by ECR's AWS managed key (`aws/ecr`), or by this customer managed key
    (its key policy must let ECR use it)."""
    removal: Literal["retain", "destroy"] | None = None
    """Defaults to destroy (with its images) in an ephemeral environment, retain otherwise."""


# --- services -----------------------------------------------------------------------------


class RouteConfig(StrictModel):
    path: PathPattern | list[PathPattern] | None = None
    """Path pattern (`/api/*`) or a list of them; `/` means the whole site (the rule matches `/*`)."""
    host: HostPattern | list[HostPattern] | None = None
    """Host header (`shop.example.com`, wildcards allowed) or a list of them. An ALB rule takes at most 5
    host and path values together."""
    priority: Annotated[int, Field(ge=1, le=50000)] | None = None
    """Explicit listener-rule priority; by default derived from the route alone (see the load-balancing guide)."""


class AdditionalRouteConfig(RouteConfig):
    """One more listener rule of a web service: to the service's target group (same container and port), or to a
    target group of its own for another container or port."""

    container: Name | None = None
    """The container the rule sends to: by default the route's target container (the main one unless `target` says)."""
    port: Port | None = None
    """The container's port; defaults to the route's target port for that container, else the container's port."""
    protocol: Literal["http", "https"] = "http"
    """Another container or port only: the protocol of its own target group and health check."""


class TargetConfig(StrictModel):
    """Which container and port the service's target group sends to, and how."""

    container: Name | None = None
    """The main container (default) or a sidecar that exposes `port` (a proxy in front of the application)."""
    port: Port | None = None
    """The container port; defaults to the service's `port` (main container) or the sidecar's port."""
    protocol: Literal["http", "https"] = "http"
    """`https` when the container itself serves TLS: the target group and its health check use HTTPS."""
    stickiness_seconds: Annotated[int, Field(ge=1, le=604800)] | None = None
    """Load-balancer cookie stickiness (lb_cookie) for this many seconds (1 s to 7 days); none by default."""


class TargetHealthCheckConfig(StrictModel):
    """Load-balancer health check: defaults follow AWS guidance for fast rollouts."""

    path: Annotated[str, StringConstraints(pattern=r"^/"), Described("a path starting with /")] = "/"
    """HTTP path the load balancer checks."""
    interval_seconds: Annotated[int, Field(ge=5, le=300)] = 10
    """Seconds between checks."""
    timeout_seconds: Annotated[int, Field(ge=2, le=120)] = 5
    """Seconds before a check counts as failed."""
    healthy_threshold: Annotated[int, Field(ge=2, le=10)] = 2
    """Passing checks before a new task receives traffic."""
    unhealthy_threshold: Annotated[int, Field(ge=2, le=10)] = 3
    """Failing checks before a task is replaced."""
    success_codes: Annotated[
        str,
        StringConstraints(pattern=r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$"),
        Described("HTTP status codes such as 200, 200-399 or 200,302"),
    ] = "200-399"
    """HTTP codes that count as healthy."""
    port: Port | None = None
    """The port the load balancer checks, when it is not the traffic port (awsvpc and host network modes only:
    bridge-mode host ports are dynamic). The check uses the target's protocol (`target.protocol`)."""


class NlbTestListenerConfig(StrictModel):
    """The NLB's test listener (blue-green, canary, linear): closed to the internet unless `allow_from` opens it."""

    port: Port = 8080
    """Listener port (not the production port); same protocol and certificate as the production listener."""
    allow_from: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = []
    """IPv4 CIDRs that may reach the test listener; by default only the VPC's own CIDR."""


class NlbConfig(StrictModel):
    port: Port
    """Listener port."""
    protocol: Literal["tcp", "tls", "udp", "tcp_udp"] = "tcp"
    """Listener protocol; tls terminates TLS with the certificate and forwards TCP; tcp_udp forwards both on one port."""
    health_check_port: Port | None = None
    """TCP port the NLB health-checks; defaults to the container port. NLB health checks are never UDP, so a
    udp service's container must also answer TCP here (on EC2 bridge, udp and tcp_udp use static host ports)."""
    certificate_arn: AcmCertificateArn | None = None
    """ACM certificate, required with tls."""
    public: bool = False
    """Internet-facing, or internal (the VPC's CIDR only)."""
    access_log_retention_days: Annotated[int, Field(ge=1, le=3650)] = 90
    """Days TLS access logs are kept (NLBs write access logs for TLS listeners only)."""
    test_listener: NlbTestListenerConfig = NlbTestListenerConfig()
    """The listener that reaches a new revision before production traffic moves to it (created only when the
    service uses blue-green, canary or linear)."""


class DiscoveryConfig(StrictModel):
    """Cloud Map name (`<name>.<namespace>`): A records in awsvpc mode, SRV records in bridge/host."""

    name: Name | None = None
    """DNS name in the namespace; defaults to the service's name."""
    service_connect: bool = False
    """Also register the port in ECS Service Connect as `<name>:<port>`."""
    app_protocol: Literal["http", "http2", "grpc"] | None = None
    """Service Connect: the port's application protocol, so the proxy works per request (HTTP metrics, and the
    test traffic header of blue-green, canary and linear deployments); none proxies plain TCP."""


class ContainerHealthCheckConfig(StrictModel):
    command: list[str] = Field(min_length=1)
    """Docker health check command (`[CMD-SHELL, "curl -f http://localhost/ || exit 1"]`)."""
    interval_seconds: Annotated[int, Field(ge=5, le=300)] = 10
    """Seconds between checks."""
    timeout_seconds: Annotated[int, Field(ge=2, le=60)] = 5
    """Seconds before a check counts as failed."""
    retries: Annotated[int, Field(ge=1, le=10)] = 3
    """Failures before the container is unhealthy."""
    start_period_seconds: Annotated[int, Field(ge=0, le=300)] = 10
    """Grace after start during which failures do not count."""


LifecycleStage = Literal[
    "reconcile_service",
    "pre_scale_up",
    "post_scale_up",
    "test_traffic_shift",
    "post_test_traffic_shift",
    "production_traffic_shift",
    "post_production_traffic_shift",
]
LambdaArn = Annotated[
    str,
    StringConstraints(pattern=r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$"),
    Described("a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>])"),
]


class CanaryConfig(StrictModel):
    """Canary: shift `percent` of production traffic, wait `interval_minutes`, then shift the rest."""

    percent: Annotated[float, Field(ge=0.1, le=100.0)] = 5.0
    """Share of production traffic the new revision gets first: 0.1 to 100, in steps of 0.1 (ECS's range)."""
    interval_minutes: Annotated[int, Field(ge=0, le=1440)] = 10
    """Minutes the canary share runs before the rest of the traffic moves (0 to 1440)."""


class LinearConfig(StrictModel):
    """Linear: shift production traffic in equal steps of `step_percent`, waiting `interval_minutes` between steps."""

    step_percent: Annotated[float, Field(ge=3.0, le=100.0)] = 10.0
    """Share of production traffic moved per step: 3 to 100, in steps of 0.1 (ECS's range)."""
    interval_minutes: Annotated[int, Field(ge=0, le=1440)] = 6
    """Minutes between two steps (0 to 1440); not applied after the last step."""


AlarmName = Annotated[
    str,
    StringConstraints(pattern=r"^[^\x00-\x1f]{1,255}$"),
    Described("a CloudWatch alarm name (1 to 255 characters, no control characters)"),
]


class RollbackAlarmsConfig(StrictModel):
    """CloudWatch alarms ECS watches during every deployment of the service, whatever its strategy: one in
    ALARM stops the deployment and rolls it back. Load-balanced services get them; null turns one off."""

    error_rate_percent: Annotated[float, Field(gt=0, le=100)] | None = 5.0
    """Routed services: 5xx answers of the service's tasks, in percent of requests."""
    p95_ms: Annotated[int, Field(ge=1, le=600000)] | None = 1000
    """Routed services: 95th percentile of the tasks' response time, in milliseconds."""
    p99_ms: Annotated[int, Field(ge=1, le=600000)] | None = 2500
    """Routed services: 99th percentile of the tasks' response time, in milliseconds."""
    unhealthy_targets: Annotated[int, Field(ge=1, le=1000)] | None = 1
    """Routed and NLB services: unhealthy targets in the service's target groups."""
    evaluation_periods: Annotated[int, Field(ge=1, le=30)] = 3
    """One-minute periods in a row a threshold must be crossed."""
    extra: list[AlarmName] = []
    """Names of alarms defined elsewhere that should also roll deployments back."""


class ServiceAlarmsConfig(StrictModel):
    """Alarms on the service's health, sent to the environment's alarm topic; null turns one off. Load-balanced
    services also send their rollback alarms (deployment.alarms) there."""

    cpu_percent: Annotated[int, Field(ge=1, le=100)] | None = 90
    """Average CPU utilization of the service's tasks at or above this."""
    memory_percent: Annotated[int, Field(ge=1, le=100)] | None = 90
    """Average memory utilization of the service's tasks at or above this."""
    running_below_desired: bool = True
    """Fewer tasks running than desired (Container Insights' task counts; needs container_insights on)."""
    queue_age_seconds: Annotated[int, Field(ge=60, le=1209600)] | None = 900
    """Workers with a queue: the oldest message waiting at least this long."""
    periods: Annotated[int, Field(ge=1, le=30)] = 5
    """One-minute periods in a row a threshold must be crossed."""


HeaderName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$"),
    Described("an HTTP header name of letters, digits and -_. (at most 64 characters), such as x-canary"),
]


class TestTrafficHeaderConfig(StrictModel):
    """A Service Connect test traffic rule: requests carrying this header reach the new revision."""

    name: HeaderName
    """Header name (`x-release-test`)."""
    value: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    """Exact value the header must have; without it any value matches."""


class DeploymentConfig(StrictModel):
    """How a new revision replaces the running one.

    `rolling` replaces tasks in place (min_healthy_percent/max_percent), with the circuit breaker and
    rollback always on. `blue-green`, `canary` and `linear` are ECS-native deployments: the new revision
    starts beside the old one in an alternate target group, reachable on the load balancer's test
    listener, then production traffic moves all at once, in a canary share then the rest, or in equal
    steps; both revisions run for the bake time before the old one stops. They need a route on the
    shared load balancer, an `nlb`, or Service Connect (`discovery.service_connect`), where requests
    carrying the test header reach the new revision.
    """

    strategy: Literal["rolling", "blue-green", "canary", "linear"] = "rolling"
    """`rolling` (default), `blue-green`, `canary` or `linear`."""
    bake_time_minutes: Annotated[int, Field(ge=0, le=1440)] = 5
    """blue-green, canary, linear: minutes both revisions keep running after all traffic has moved, so a
    rollback is instant (0 to 1440)."""
    canary: CanaryConfig | None = None
    """strategy canary: the canary share and how long it runs; defaults to 5 % for 10 minutes."""
    linear: LinearConfig | None = None
    """strategy linear: the step and the wait between steps; defaults to 10 % every 6 minutes."""
    alarms: RollbackAlarmsConfig = RollbackAlarmsConfig()
    """Alarms that roll a deployment back (every strategy)."""
    test_traffic_header: TestTrafficHeaderConfig | None = None
    """Service Connect services with blue-green, canary or linear: the HTTP header that sends a request to the new
    revision before production traffic moves; without it ECS uses `x-amzn-ecs-blue-green-test`."""
    hooks: dict[LifecycleStage, LambdaArn] = {}
    """blue-green, canary, linear: a Lambda function ECS calls at a stage (`post_test_traffic_shift: arn:...`);
    its answer lets the deployment go on, or rolls it back."""

    min_healthy_percent: Annotated[int, Field(ge=0, le=100)] = 100
    """Tasks that must stay running during a deployment, in percent of the desired count."""
    max_percent: Annotated[int, Field(ge=100, le=200)] = 200
    """Tasks that may run during a deployment, in percent of the desired count."""
    grace_period_seconds: Annotated[int, Field(ge=0, le=2147483647)] | None = None
    """Load-balanced services only: load-balancer health checks are ignored this long after a task starts;
    defaults to 30 s, or the container health check's start period if that is longer."""
    deregistration_delay_seconds: Annotated[int, Field(ge=0, le=3600)] = 15
    """Seconds the load balancer drains a stopping task's connections."""
    az_rebalancing: bool | None = None
    """ECS moves tasks to even out Availability Zones after a zone recovers or tasks crowd one zone. Always written
    explicitly; by default on, except with a binpack placement (ECS does not rebalance it) or max_percent 100."""


DependencyCondition = Literal["start", "complete", "success", "healthy"]
Capability = Literal[
    "ALL", "AUDIT_CONTROL", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
    "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD",
    "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN",
    "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE",
    "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
]  # fmt: skip
"""The Linux capabilities ECS accepts in a container's `linuxParameters.capabilities` (KernelCapabilities API)."""
UlimitNameLiteral = Literal[
    "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio",
    "rttime", "sigpending", "stack",
]  # fmt: skip
TmpfsOption = Literal[
    "defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync",
    "remount", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "bind", "rbind", "unbindable",
    "runbindable", "private", "rprivate", "shared", "rshared", "slave", "rslave", "relatime", "norelatime",
    "strictatime", "nostrictatime", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol",
]  # fmt: skip
AbsolutePath = Annotated[
    str, StringConstraints(pattern=r"^/[^\s]*$", max_length=4096), Described("an absolute path without spaces, such as /app")
]
"""An absolute path without whitespace (`/var/cache/app`)."""
_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPv4Address = Annotated[
    str, StringConstraints(pattern=rf"^{_OCTET}(\.{_OCTET}){{3}}$"), Described("an IPv4 address such as 10.0.0.2")
]
"""A dotted IPv4 address (`10.0.0.2`)."""
HostName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$"),
    Described("a host name of letters, digits, dots and hyphens, such as db.example.com"),
]


class RestartPolicyConfig(StrictModel):
    """ECS restarts the container in place when it exits, instead of replacing the task."""

    ignored_exit_codes: list[Annotated[int, Field(ge=0, le=255)]] = Field(default=[], max_length=50)
    """Exit codes that do not trigger a restart (at most 50), for example `[0]` for a container that may finish."""
    attempt_reset_period_seconds: Annotated[int, Field(ge=60, le=1800)] = 300
    """Seconds the container must have run before ECS restarts it again (60-1800); one that exits sooner stays stopped."""


class TmpfsConfig(StrictModel):
    path: AbsolutePath
    """Where the in-memory file system appears in the container."""
    size_mib: Annotated[int, Field(ge=1, le=983040)]
    """Its size, taken from the container's memory."""
    options: list[TmpfsOption] = []
    """Mount options (`noexec`, `nosuid`, `nodev`, `ro`, ...), as ECS's tmpfs `mountOptions` take them."""


class LinuxConfig(StrictModel):
    """Linux settings of a container (`linuxParameters`)."""

    capabilities_add: list[Capability] = []
    """Kernel capabilities added to Docker's default set (Fargate allows only SYS_PTRACE)."""
    capabilities_drop: list[Capability] = []
    """Kernel capabilities removed from Docker's default set (`[ALL]` drops every one)."""
    init_process: bool = False
    """Run an init process as PID 1 that forwards signals and reaps zombie processes."""
    shared_memory_mib: Annotated[int, Field(ge=1, le=983040)] | None = None
    """Size of /dev/shm (EC2 only: Fargate does not support it)."""
    tmpfs: list[TmpfsConfig] = []
    """In-memory file systems, for example writable scratch space under a read-only root (EC2 only)."""


class UlimitConfig(StrictModel):
    name: UlimitNameLiteral
    """The resource (`nofile`, `nproc`, `memlock`, `core`, `stack`, ...)."""
    soft: Annotated[int, Field(ge=-1, le=2147483647)]
    """Soft limit (-1 is unlimited)."""
    hard: Annotated[int, Field(ge=-1, le=2147483647)]
    """Hard limit, at least the soft limit (-1 is unlimited)."""


class MountConfig(StrictModel):
    path: AbsolutePath
    """Where the volume appears in the container."""
    read_only: bool = False
    """Mount read-only."""


class VolumesFromConfig(StrictModel):
    container: Name
    """Another container of the task whose volumes this one mounts at the same paths."""
    read_only: bool = False
    """Mount them read-only."""


EnvFile = Annotated[
    str,
    StringConstraints(pattern=r"^\S+$", max_length=1024),
    Described("a file path relative to the manifest, s3://bucket/key.env or arn:aws:s3:::bucket/key.env, without spaces"),
]
"""A container's environment file: a local path, an `s3://` URL or an S3 object ARN (the rules check which)."""
ImagePlatform = Literal["linux/amd64", "linux/arm64"]


class ImageBuildConfig(StrictModel):
    """A Docker build: at synth the context is copied into the cloud assembly (no Docker needed); `cdk deploy`
    builds the image with Docker and pushes it to the CDK bootstrap repository."""

    context: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    """The build context directory, relative to the manifest file (`../app`)."""
    dockerfile: Annotated[str, StringConstraints(min_length=1, max_length=1024)] = "Dockerfile"
    """The Dockerfile, relative to the context directory and inside it."""
    args: dict[EnvName, str] = {}
    """Build arguments (`--build-arg NAME=value`); they are part of the image, so never put secrets here."""
    target: (
        Annotated[
            str,
            StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"),
            Described("a build stage name (letters, digits and _.-)"),
        ]
        | None
    ) = None
    """The stage of a multi-stage Dockerfile to build (`--target`)."""
    platform: ImagePlatform | None = None
    """`linux/amd64` or `linux/arm64`; defaults to the service's `architecture` and must agree with it."""


ImageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"),
    Described("an image tag of up to 128 letters, digits and _.- (not starting with . or -)"),
]
ImageDigest = Annotated[
    str,
    StringConstraints(pattern=r"^sha256:[a-f0-9]{64}$"),
    Described("an image digest: sha256: and 64 lower-case hex digits"),
]


class ImageConfig(StrictModel):
    """An image built from source (`build`) or one of the environment's `repositories` (`repository` with
    `tag` or `digest`)."""

    build: ImageBuildConfig | None = None
    """Build the image from a Dockerfile at `cdk deploy`."""
    repository: Name | None = None
    """A repository of the top-level `repositories`, by name."""
    tag: ImageTag | None = None
    """With `repository`: the image tag to run."""
    digest: ImageDigest | None = None
    """With `repository`: the image digest to run (instead of a tag)."""


Image = Annotated[str, StringConstraints(min_length=1)] | ImageConfig
"""An image: a reference to any registry, a build from source, or a tag or digest of a declared repository."""


class ContainerSettings(StrictModel):
    """Settings every container of a task takes: the main container (on the service itself) and each sidecar."""

    command: list[str] | None = None
    """Command override."""
    entry_point: list[str] | None = None
    """Entry point override."""
    environment: dict[EnvName, str] = {}
    """Plain settings; names that look like secrets are rejected."""
    secrets: dict[EnvName, str] = {}
    """`ssm:/param/name`, `ssm:arn:...`, `secretsmanager:name[:json-key]` or `secretsmanager:arn:...[:json-key]`."""
    env_files: list[EnvFile] = []
    """Files of `NAME=value` lines loaded into the environment at start (at most 10, each named `*.env`): a path
    relative to the manifest (uploaded as an S3 asset at deploy), `s3://bucket/key.env` or
    `arn:aws:s3:::bucket/key.env`. The execution role may read exactly these objects. Variables under
    `environment` win over the files'."""
    user: str | None = None
    """Run as this user (`uid` or `uid:gid`)."""
    read_only_root_filesystem: bool = True
    """Read-only root file system (on by default; turn off for images that write outside volumes)."""
    container_health_check: ContainerHealthCheckConfig | None = None
    """Docker health check of the container (needed by other containers' `depends_on: healthy`)."""
    memory_reservation_mib: Annotated[int, Field(ge=6)] | None = None
    """Soft memory limit: what the container is expected to use, at most its hard limit; it may use more
    until the hard limit while the instance has memory to spare."""
    depends_on: dict[Name, DependencyCondition] = {}
    """Containers of the same task that must reach a state before this one starts: `start`, `complete` or
    `success` (the other container exited, with code 0 for success; not for essential containers), or
    `healthy` (it passes its container_health_check). Containers stop in the reverse order."""
    restart: RestartPolicyConfig | None = None
    """Restart the container in place when it exits (`{}` for the defaults)."""
    linux: LinuxConfig | None = None
    """Capabilities, init process, shared memory and tmpfs mounts."""
    ulimits: list[UlimitConfig] = []
    """Resource limits (`nofile` up to 1048576 on Fargate)."""
    working_directory: AbsolutePath | None = None
    """Directory the command runs in."""
    dns_servers: list[IPv4Address] = []
    """DNS servers of the container instead of the instance's (bridge and host network modes only)."""
    extra_hosts: dict[HostName, IPv4Address] = {}
    """Entries added to the container's /etc/hosts, `{name: address}` (bridge and host network modes only)."""
    gpus: Annotated[int, Field(ge=1, le=16)] | None = None
    """GPUs reserved for the container (EC2 groups with GPU instance types only); the task needs their sum on one instance."""
    mounts: dict[Name, AbsolutePath | MountConfig] = {}
    """The task's `task_volumes` this container mounts: `{volume: /path}` or `{volume: {path, read_only}}`."""
    volumes_from: list[VolumesFromConfig] = []
    """Mount every volume of another container of the task, at the paths that container uses."""


EbsVolumeTypeLiteral = Literal["gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"]


class EbsVolumeConfig(StrictModel):
    """An EBS volume ECS creates for each task at launch and deletes when the task stops."""

    size_gib: Annotated[int, Field(ge=1, le=16384)]
    """Size (gp3 and gp2 1-16384 GiB, io1 and io2 from 4, st1 and sc1 from 125, standard up to 1024)."""
    type: EbsVolumeTypeLiteral = "gp3"
    """Volume type."""
    iops: Annotated[int, Field(ge=100, le=256000)] | None = None
    """Provisioned IOPS: gp3 3000-16000 (3000 when unset), io1 100-64000 and io2 100-256000 (required there)."""
    throughput_mibps: Annotated[int, Field(ge=125, le=1000)] | None = None
    """gp3 only: throughput, 125-1000 MiB/s (125 when unset)."""
    encrypted: bool = True
    """Encrypt the volume (with the account's EBS key unless kms_key_arn names one)."""
    kms_key_arn: KmsKeyArn | None = None
    """A customer managed key for the volume's encryption."""
    file_system: Literal["xfs", "ext4", "ext3"] = "xfs"
    """File system ECS creates on the volume."""
    snapshot_id: (
        Annotated[
            str, StringConstraints(pattern=r"^snap-[0-9a-f]{8,17}$"), Described("a snapshot id: snap- and 8 to 17 hex digits")
        ]
        | None
    ) = None
    """Start each task's volume from this snapshot."""
    initialization_rate_mibps: Annotated[int, Field(ge=100, le=300)] | None = None
    """With snapshot_id: the rate (100-300 MiB/s) at which the snapshot's blocks are loaded, so the volume is fast sooner."""


class TaskVolumeConfig(StrictModel):
    """A volume of the task, mounted by its containers under `mounts`: task-local storage that lives as long as
    the task (no field), a directory of the EC2 instance (`host_path`), or an EBS volume per task (`ebs`)."""

    host_path: AbsolutePath | None = None
    """EC2 only: this directory of the instance (it outlives the task and is shared with other tasks there)."""
    ebs: EbsVolumeConfig | None = None
    """A new EBS volume for each task, attached by ECS (services only, one per task)."""


class SidecarConfig(ContainerSettings):
    name: Name
    """Container name (must differ from the service's)."""
    image: Image
    """An image reference (any registry), `{build: {context, dockerfile, args, target, platform}}`, or
    `{repository: NAME, tag: T}` / `{repository: NAME, digest: sha256:...}`."""
    essential: bool = True
    """The task stops when an essential container stops."""
    cpu: Annotated[int, Field(ge=0, le=196608)] | None = None
    """CPU units reserved for the sidecar, taken from the task's."""
    memory_mib: Annotated[int, Field(ge=6)] = 128
    """Hard memory limit, taken from the task's memory."""
    port: Port | None = None
    """Container port, if the sidecar listens."""


class VolumeConfig(StrictModel):
    path: str
    """Where the file system appears in the main container (absolute)."""
    read_only: bool = False
    """Mount read-only (the task role then gets ClientMount only, no ClientWrite)."""
    sub_path: (
        Annotated[
            str,
            StringConstraints(pattern=r"^/[A-Za-z0-9_\-./]*$"),
            Described("an absolute path of letters, digits and _-./, such as /site"),
        ]
        | None
    ) = None
    """The access point's root inside the file system; defaults to `/<service>`."""
    uid: Annotated[int, Field(ge=0, le=4294967295)] | None = None
    """Owner of the access point's root and the identity of every access through it;
    defaults to the service's numeric `user`, else 1000."""
    gid: Annotated[int, Field(ge=0, le=4294967295)] | None = None
    """Group of the access point's root and of every access; defaults like uid."""
    permissions: Annotated[
        str, StringConstraints(pattern=r"^[0-7]{3,4}$"), Described("an octal mode of 3 or 4 digits, such as 750")
    ] = "750"
    """Mode of the access point's root directory when EFS creates it."""


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
    """What the task may do: s3-read/write/read-write, dynamodb-read/write/read-write, sqs-send, sqs-consume,
    sns-publish, ssm-read-path, secret-read, kms-decrypt."""
    resource: str | None = None
    """The ARN of the bucket, table, queue, topic, secret or key (not for ssm-read-path)."""
    prefix: (
        Annotated[
            str,
            StringConstraints(pattern=r"^[A-Za-z0-9!_.*'()/-]+$"),
            Described("an S3 key prefix (letters, digits and !_.*'()/-)"),
        ]
        | None
    ) = None
    """s3 only: limit access to keys under this prefix."""
    path: (
        Annotated[
            str,
            StringConstraints(pattern=r"^/[A-Za-z0-9_.\-/]+$"),
            Described("a parameter path starting with / (letters, digits and _.-/)"),
        ]
        | None
    ) = None
    """ssm-read-path only: the parameter path (its parameters and those below)."""


TimeZone = Annotated[str, StringConstraints(min_length=1)]
"""An IANA time zone name (`Europe/Berlin`); checked against the tzdata database with the rules."""
ScheduleExpression = Annotated[str, StringConstraints(min_length=1)]
"""`cron(m h dom mon dow year)`, `rate(N unit)` or `at(yyyy-mm-ddThh:mm:ss)`, as EventBridge Scheduler takes them."""


class CustomMetricConfig(StrictModel):
    namespace: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    """CloudWatch namespace."""
    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    """Metric name."""
    dimensions: dict[str, str] = {}
    """Metric dimensions."""
    statistic: Literal["Average", "Sum", "Maximum", "Minimum", "SampleCount"] = "Average"
    """Statistic to track."""
    target: float
    """Value to hold the metric at (a finite number above 0)."""


class StepConfig(StrictModel):
    """One interval of a step policy: metric in [lower, upper) changes the task count by `change`."""

    lower: float | None = None
    """Lower bound of the interval (metric value), inclusive."""
    upper: float | None = None
    """Upper bound of the interval (metric value), exclusive."""
    change: int
    """Tasks to add (positive) or remove (negative)."""


class StepScalingConfig(StrictModel):
    metric: Literal["cpu", "memory"] = "cpu"
    """Service metric the alarms watch."""
    steps: list[StepConfig] = Field(min_length=2)
    """In ascending order, not overlapping; at least one interval must be open below or above."""
    evaluation_periods: Annotated[int, Field(ge=1, le=10)] = 1
    """One-minute periods the alarm needs before a step applies."""
    cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    """Seconds after a step before another one applies."""


class ScheduledScalingConfig(StrictModel):
    schedule: ScheduleExpression
    """When: cron(...), rate(...) or at(...)."""
    time_zone: TimeZone | None = None
    """IANA time zone of the cron expression; UTC by default."""
    min: Annotated[int, Field(ge=0)] | None = None
    """New minimum task count."""
    max: Annotated[int, Field(ge=0)] | None = None
    """New maximum task count."""


class QueueConfig(StrictModel):
    """The queue a worker consumes: created (with a dead-letter queue) unless an ARN is given."""

    arn: (
        Annotated[
            str,
            StringConstraints(pattern=r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$"),
            Described("an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)"),
        ]
        | None
    ) = None
    """An existing queue to consume; without it a queue and its dead-letter queue are created."""
    backlog_per_task: Annotated[int, Field(ge=1, le=100000)] = 10
    """Target of visible messages per running task."""
    visibility_timeout_seconds: Annotated[int, Field(ge=0, le=43200)] = 300
    """Seconds a received message stays hidden from other consumers."""
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = 5
    """Receives before a message moves to the dead-letter queue."""


class PredictiveScalingConfig(StrictModel):
    """Predictive scaling (Application Auto Scaling for ECS services): forecasts the load from the service's
    history (at least 24 hours of it) and starts tasks before a recurring peak arrives."""

    metric: Literal["cpu", "memory"] = "cpu"
    """The utilization the forecast follows (ECS's CPU or memory metric pair)."""
    target_percent: Annotated[int, Field(ge=1, le=100)]
    """Utilization the forecast capacity aims at."""
    mode: Literal["forecast_only", "forecast_and_scale"] = "forecast_and_scale"
    """`forecast_only` publishes forecasts without acting, to judge them before they scale anything."""
    scheduling_buffer_seconds: Annotated[int, Field(ge=0, le=3600)] = 300
    """How long before the forecast need the tasks are started."""
    max_capacity_breach: Literal["honor", "increase"] = "honor"
    """`increase` lets the forecast raise the maximum task count (by `max_capacity_buffer_percent`)."""
    max_capacity_buffer_percent: Annotated[int, Field(ge=0, le=100)] | None = None
    """With `increase`: how far above the forecast the maximum may go, in percent."""


class ScalingConfig(StrictModel):
    """Service autoscaling: any combination of target tracking, steps, schedules and queue backlog."""

    min: Annotated[int, Field(ge=0, le=5000)] = 1
    """Fewest tasks."""
    max: Annotated[int, Field(ge=1, le=5000)]
    """Most tasks."""
    cpu_percent: Annotated[int, Field(ge=1, le=100)] | None = None
    """Target tracking on average CPU utilization (1-100)."""
    memory_percent: Annotated[int, Field(ge=1, le=100)] | None = None
    """Target tracking on average memory utilization (1-100)."""
    requests_per_target: Annotated[int, Field(ge=1, le=1000000)] | None = None
    """Target tracking on ALB requests per task (needs a route)."""
    custom_metric: CustomMetricConfig | None = None
    """Target tracking on any CloudWatch metric."""
    scale_out_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    """Seconds after a scale-out before target tracking scales out again."""
    scale_in_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 300
    """Seconds after a scale-in before target tracking scales in again."""
    steps: StepScalingConfig | None = None
    """Step scaling on CloudWatch alarms (CPU or memory)."""
    schedule: list[ScheduledScalingConfig] = []
    """Scheduled changes of min and/or max."""
    queue: QueueConfig | None = None
    """Workers: target tracking on queue backlog per running task."""
    predictive: PredictiveScalingConfig | None = None
    """Predictive scaling on top of the reactive policies (they still act on what the forecast misses)."""


class LoggingConfig(StrictModel):
    """FireLens: a `log_router` sidecar (AWS for Fluent Bit) takes every container's output and sends it to
    `destination`; the router's own logs go to the service's CloudWatch log group."""

    destination: dict[str, str | int | bool] = Field(min_length=1)
    """Fluent Bit output options, `Name` first: `{Name: cloudwatch_logs, log_stream_prefix: app-}` creates the log group
    in the service's stack (named by `log_group_name` if given) and lets the task role write exactly to it; other
    outputs (`kinesis_firehose`, `kinesis_streams`, `s3`, `opensearch`, ...) need their actions under `task_role`."""
    image: (
        Annotated[str, StringConstraints(pattern=r"^\S+$", max_length=255), Described("an image reference without spaces")] | None
    ) = None
    """The router's image; by default AWS for Fluent Bit at the tag the toolkit pins (a private ECR copy in a VPC without NAT)."""
    config_file: AbsolutePath | None = None
    """A Fluent Bit configuration file inside the router's image (`/fluent-bit/configs/parse-json.conf`), included
    after the generated one (FireLens `config-file-type: file`)."""
    enable_metadata: bool = True
    """Add the task's ECS metadata (cluster, task ARN, task definition) to every record."""
    secret_options: dict[Annotated[str, StringConstraints(min_length=1, max_length=255)], str] = {}
    """Output options read from a secret at start: `{option: SSM parameter or Secrets Manager ARN}` (or the `ssm:` and
    `secretsmanager:` references `secrets` takes); the execution role may read exactly them."""
    memory_mib: Annotated[int, Field(ge=6)] = 128
    """Hard memory limit of the router, taken from the task's memory like a sidecar's."""


# --- messaging ----------------------------------------------------------------------------


class TopicConfig(StrictModel):
    """An SNS topic the service publishes to (AWS Copilot's `publish.topics`)."""

    name: Name
    """Topic name within the service; the task gets its ARN as `<NAME>_TOPIC_ARN` (upper-cased, `-` becomes `_`)
    and in the `TOPICS` JSON map."""
    fifo: bool = False
    """A FIFO topic (ordered, deduplicated by content unless the publisher gives a deduplication id); it delivers
    to FIFO queues only."""


class TopicSubscriptionConfig(StrictModel):
    """One topic of another service (or a job) that the worker's queue receives."""

    service: Name
    """The publishing service or job."""
    topic: Name
    """One of the names under that service's `publish`."""
    filter_policy: dict[str, Any] = {}
    """SNS filter policy on message attributes (`{event: [placed, {prefix: "order-"}]}`): at most 5 attribute
    names and 150 value combinations; empty receives every message."""
    raw_delivery: bool = False
    """Deliver the message body as published, without SNS's JSON envelope."""


class SubscribeConfig(StrictModel):
    """What a worker's queue receives (AWS Copilot's `subscribe`)."""

    topics: list[TopicSubscriptionConfig] = Field(min_length=1)
    """Topics the worker's queue subscribes to."""


class ServiceConfig(ContainerSettings):
    kind: Literal["web", "backend", "worker", "job"]
    """`web` (load balanced), `backend` (reached by name), `worker` (no inbound traffic) or `job` (scheduled or on demand)."""
    image: Image
    """Image from any registry (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` pulls are granted per
    repository), built from source (`{build: {context: ../app}}`, Docker needed at `cdk deploy`, not at synth), or
    from a declared repository (`{repository: NAME, tag: T}` or `{repository: NAME, digest: sha256:...}`)."""
    launch: Literal["ec2", "fargate"] | None = None
    """Defaults from the capacity strategy: FARGATE/FARGATE_SPOT mean fargate, EC2 groups ec2."""
    network_mode: Literal["awsvpc", "bridge", "host", "none"] | None = None
    """Defaults to bridge on EC2 (dynamic host ports), awsvpc on Fargate."""
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    """CPU architecture of the image (Fargate Spot is x86_64 only)."""
    cpu: Annotated[int, Field(ge=128, le=196608)] | None = None
    """Task CPU units. Required on Fargate; on EC2 defaults to 256."""
    memory_mib: Annotated[int, Field(ge=128, le=983040)] | None = None
    """Task memory. Required on Fargate; on EC2 defaults to 512."""
    port: Port | None = None
    """The main container's port."""
    count: Annotated[int, Field(ge=0, le=5000)] = 1
    """Desired tasks (not with scaling, not for jobs)."""
    route: RouteConfig | None = None
    """Web: a listener rule on the shared ALB."""
    additional_routes: list[AdditionalRouteConfig] = []
    """Web: more listener rules on the shared ALB; one for another container or port gets its own target group."""
    target: TargetConfig | None = None
    """Web: the container, port and protocol the ALB sends the route's traffic to, and stickiness (default: the main
    container's `port` over HTTP, no stickiness)."""
    health_check: TargetHealthCheckConfig = TargetHealthCheckConfig()
    """Web: the target group's health check."""
    nlb: NlbConfig | None = None
    """Web: a Network Load Balancer of the service's own."""
    discovery: DiscoveryConfig | None = None
    """Cloud Map / Service Connect name (backends get one by default)."""
    connects_to: list[Name] = []
    """Services this one calls directly, by their Cloud Map or Service Connect name: each becomes one ingress rule
    on the callee's port from this service's tasks (awsvpc) or its EC2 groups' instances (bridge, host).
    Nothing else is opened: a service nobody declares stays closed."""
    allow_from: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = []
    """IPv4 CIDRs (`10.8.0.0/16`) or managed prefix lists (`pl-0123abcd`) outside the environment that may
    reach this service's port directly (backends, and web services with a discovery name)."""
    security_groups: list[SecurityGroupId] = []
    """awsvpc only: existing security groups attached to the tasks besides their own (to reach a database that
    admits them, for example). Bridge and host tasks use their instances' network, so they cannot take them."""
    capacity: list[StrategyItemConfig] | None = None
    """Capacity provider strategy; defaults to the cluster's."""
    placement: list[Literal["spread-az", "spread-instance", "binpack-memory", "binpack-cpu", "random"]] = [
        "spread-az",
        "binpack-memory",
    ]
    """EC2 only: spread over AZs first, then pack instances by memory."""
    stop_timeout_seconds: Annotated[int, Field(ge=2, le=120)] = 30
    """Time between SIGTERM and SIGKILL; well inside the 2-minute Spot notice."""
    log_retention_days: int = 30
    """Retention of the service's log group; one of CloudWatch's values."""
    sidecars: list[SidecarConfig] = []
    """More containers in the task."""
    logging: LoggingConfig | None = None
    """FireLens log routing through a `log_router` sidecar; without it every container logs to CloudWatch (awslogs)."""
    ephemeral_storage_gib: Annotated[int, Field(ge=21, le=200)] | None = None
    """Fargate only: the task's ephemeral storage, 21 to 200 GiB (20 GiB without it)."""
    alarms: ServiceAlarmsConfig = ServiceAlarmsConfig()
    """Services (not jobs): CPU, memory, running tasks and queue age alarms, sent to the alarm topic."""
    deployment: DeploymentConfig = DeploymentConfig()
    """Deployment strategy (rolling, blue-green, canary, linear) and its settings."""
    exec: bool = False
    """ECS Exec: the task role gets the Session Manager channels and session logging; a service runs
    with Exec on, a job starts every run with it (`EnableExecuteCommand`)."""
    task_volumes: dict[Name, TaskVolumeConfig] = {}
    """Volumes of the task that its containers share (`mounts`, `volumes_from`): task-local, host path or EBS."""
    volumes: dict[Name, str | VolumeConfig] = {}
    """`{file system: /container/path}` or `{file system: {path, read_only, sub_path, uid, gid, permissions}}`."""
    grants: list[GrantConfig] = []
    """Task-role access to named resources; the task role is empty otherwise."""
    task_role: RolePolicyConfig | None = None
    """Custom statements and managed policies on the task role (what the application calls)."""
    execution_role: RolePolicyConfig | None = None
    """Custom statements and managed policies on the execution role (what ECS does to start the task)."""
    secrets_kms_key_arns: list[KmsKeyArn] = []
    """Customer managed keys that encrypt the referenced secrets/parameters (execution role may decrypt)."""
    scaling: ScalingConfig | None = None
    """Task-count autoscaling; with it, `count` is not set and deploys keep the running count."""
    schedule: ScheduleExpression | None = None
    """Jobs only: `cron(...)`, `rate(...)` or `at(...)` (EventBridge Scheduler syntax); without it (or with
    `none`) the job runs only on demand (`ecs-toolkit run-task` or its state machine)."""
    time_zone: TimeZone | None = None
    """Jobs only: the schedule's time zone (IANA name), UTC by default."""
    timeout_minutes: Annotated[int, Field(ge=1, le=10080)] = 60
    """Jobs only: a run still going after this long is stopped and counted as failed."""
    retries: Annotated[int, Field(ge=0, le=185)] = 2
    """Jobs only: attempts EventBridge Scheduler makes when starting a run fails."""
    publish: list[TopicConfig] = []
    """SNS topics of this service or job (KMS-encrypted); its task role may publish to exactly them."""
    subscribe: SubscribeConfig | None = None
    """Workers only: topics of other services that the worker's queue receives."""


class ComplianceConfig(StrictModel):
    packs: list[Literal["hipaa", "nist-800-53-r5", "pci-dss-3.2.1"]] = []
    """cdk-nag rule packs run at synth in addition to AwsSolutions (which always runs)."""


class AlarmsConfig(StrictModel):
    """Where alarms go: one KMS-encrypted SNS topic per environment, every alarm of the environment acts on it."""

    email: list[
        Annotated[
            str,
            StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254),
            Described("an email address (name@example.com)"),
        ]
    ] = []
    """Email addresses subscribed to the topic (each confirms by email once)."""
    https: list[
        Annotated[
            str,
            StringConstraints(pattern=r"^https://[^\s]+$", max_length=2048),
            Described("an https:// URL"),
        ]
    ] = []
    """HTTPS endpoints subscribed to the topic (each confirms the subscription once)."""


class EnvironmentConfig(StrictModel):
    name: Name
    """Environment name: prefixes every stack (`<name>-network`, `<name>-platform`, `<name>-<service>`)."""
    account: Annotated[str, StringConstraints(pattern=r"^\d{12}$"), Described("a 12-digit AWS account id")] | None = None
    """12-digit AWS account; give it with `region` or not at all."""
    region: (
        Annotated[
            str,
            StringConstraints(pattern=r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$"),
            Described("an AWS region such as eu-west-1"),
        ]
        | None
    ) = None
    """With account and region the stacks are environment-specific; without, environment-agnostic."""
    ephemeral: bool = False
    """A throwaway environment: storage and logs are destroyed with the stacks."""
    tags: dict[str, str] = {}
    """Tags on every resource (plus `environment: <name>`)."""
    network: NetworkConfig = NetworkConfig()
    """The VPC: new, or an existing one imported without lookups."""
    cluster: ClusterConfig = ClusterConfig()
    """The ECS cluster and its capacity providers."""
    load_balancer: LoadBalancerConfig | None = None
    """The shared Application Load Balancer; omit it for an environment without web routes."""
    file_systems: dict[Name, FileSystemConfig] = {}
    """Encrypted EFS file systems by name (created, or `existing`); services mount them under `volumes`."""
    repositories: dict[Name, RepositoryConfig] = {}
    """Private ECR repositories by name (`<environment>/<name>` in ECR); services run their images with
    `image: {repository: NAME, tag: T}`."""
    services: dict[Name, ServiceConfig] = {}
    """Services and jobs by name (one stack each)."""
    compliance: ComplianceConfig = ComplianceConfig()
    """Extra compliance rule packs; every finding must be fixed or acknowledged with a reason."""
    alarms: AlarmsConfig = AlarmsConfig()
    """The environment's alarm topic and its email or HTTPS subscribers."""

    _source: Path | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Equal settings are the same environment, whichever file they were read from."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    @property
    def source_path(self) -> Path | None:
        """The manifest file this configuration was read from (paths in it are relative to it), if any."""
        return self._source

    @property
    def manifest_dir(self) -> Path:
        """The directory local paths in the manifest are relative to: the manifest file's, else (for a
        configuration built in code) the working directory."""
        return self._source.parent.resolve() if self._source is not None else Path.cwd()

    def with_source(self, path: Path) -> EnvironmentConfig:
        """This configuration, recorded as read from ``path``."""
        self._source = path
        return self
