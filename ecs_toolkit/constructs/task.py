"""An ECS task: task definition, containers, log group, and the permissions they imply.

Services and scheduled jobs both build their task with ``EcsTask``.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecs_toolkit.compliance import LOGS_ENCRYPTED_BY_SERVICE, acknowledge, skip_checkov


@dataclass(frozen=True)
class RestartPolicy:
    """Restart a container in place when it exits (ECS container restart policy)."""

    ignored_exit_codes: Sequence[int] = ()
    attempt_reset_period: Duration = Duration.seconds(300)


@dataclass(frozen=True)
class LinuxOptions:
    """A container's ``linuxParameters``; shared memory and tmpfs exist on EC2 only."""

    capabilities_add: Sequence[ecs.Capability] = ()
    capabilities_drop: Sequence[ecs.Capability] = ()
    init_process: bool = False
    shared_memory_mib: int | None = None
    tmpfs: Sequence[ecs.Tmpfs] = ()


@dataclass(frozen=True)
class TaskVolume:
    """A volume of the task: task-local (neither field), a directory of the EC2 host, or an EBS volume
    that ECS creates per task at launch (services only; the service attaches it)."""

    name: str
    host_path: str | None = None
    ebs: ecs.ServiceManagedEBSVolumeConfiguration | None = None


APP_PROTOCOLS: dict[str, ecs.AppProtocol] = {
    # jsii class properties: values at run time, functions to the type checker.
    "http": typing.cast(ecs.AppProtocol, ecs.AppProtocol.http),
    "http2": typing.cast(ecs.AppProtocol, ecs.AppProtocol.http2),
    "grpc": typing.cast(ecs.AppProtocol, ecs.AppProtocol.grpc),
}
"""Service Connect application protocols of a port mapping."""


@dataclass(frozen=True)
class LogRouter:
    """FireLens: a ``log_router`` container (Fluent Bit) that every other container of the task logs through.

    ``options`` are the Fluent Bit output's options (``Name`` among them), given to each container's
    ``awsfirelens`` log driver; ``secret_options`` are output options read from a secret at start (the
    execution role may read exactly them). With ``log_group`` (a CloudWatch Logs output), the task role may
    create streams in and write to that group only; any other output needs its permissions on the task role
    from the caller. The router's own logs go to the task's log group with awslogs. Under its read-only
    root it writes to task-local volumes at ``writable_paths``. It runs as its image's user: FireLens needs
    root in the router.
    """

    image: ecs.ContainerImage
    options: Mapping[str, str]
    secret_options: Mapping[str, ecs.Secret] = field(default_factory=dict)
    config_file: str | None = None
    """A Fluent Bit configuration file inside the image, included after the generated one."""
    enable_metadata: bool = True
    memory_limit_mib: int = 128
    log_group: logs.ILogGroup | None = None
    writable_paths: Sequence[str] = ("/tmp",)


LOG_ROUTER_NAME = "log_router"
"""The container name of the FireLens router."""


@dataclass(frozen=True)
class ContainerSpec:
    """One container of a task. The first container of a service is its main (load-balanced) one."""

    name: str
    image: ecs.ContainerImage
    memory_limit_mib: int
    cpu: int | None = None
    port: int | None = None
    app_protocol: str | None = None
    """``http``, ``http2`` or ``grpc`` on the port's TCP mapping: Service Connect then proxies at that layer
    (needed for its test traffic header rules)."""
    essential: bool = True
    command: Sequence[str] | None = None
    entry_point: Sequence[str] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, ecs.Secret] = field(default_factory=dict)
    health_check: ecs.HealthCheck | None = None
    stop_timeout: Duration = Duration.seconds(30)
    read_only_root_filesystem: bool = True
    user: str | None = None
    memory_reservation_mib: int | None = None
    depends_on: Mapping[str, ecs.ContainerDependencyCondition] = field(default_factory=dict)
    """Other containers of the task, by name, and the state each must reach before this one starts."""
    restart_policy: RestartPolicy | None = None
    linux: LinuxOptions | None = None
    ulimits: Sequence[ecs.Ulimit] = ()
    working_directory: str | None = None
    dns_servers: Sequence[str] = ()
    extra_hosts: Mapping[str, str] = field(default_factory=dict)
    gpus: int | None = None
    """GPUs reserved for the container (EC2 with the GPU AMI only)."""
    mounts: Sequence[ecs.MountPoint] = ()
    """Mounts of the task's own volumes (``TaskVolume``), by volume name."""
    volumes_from: Sequence[ecs.VolumeFrom] = ()
    environment_files: Sequence[ecs.EnvironmentFile] = ()
    """Files of ``NAME=value`` lines in S3 (at most 10, each ``*.env``): the execution role may read exactly
    these objects (``s3:GetObject``) and locate their buckets (``s3:GetBucketLocation``)."""
    protocols: Sequence[str] = ("tcp",)
    """Transports of ``port``: each gets its own port mapping (an ECS port mapping carries one protocol)."""
    static_host_port: bool = False
    """Bridge mode: publish ``port`` (and ``health_check_port``) on the same host port instead of a dynamic one.
    Needed when a load balancer must reach the same host port over two transports (UDP traffic, TCP health
    checks): dynamic host ports are picked per mapping, so the TCP and UDP ports of one task would differ."""
    health_check_port: int | None = None
    """A TCP port the load balancer checks, when it is not ``port`` over TCP; published like ``port``."""


PROTOCOLS = {"tcp": ecs.Protocol.TCP, "udp": ecs.Protocol.UDP}

NETWORK_MODES = {
    "awsvpc": ecs.NetworkMode.AWS_VPC,
    "bridge": ecs.NetworkMode.BRIDGE,
    "host": ecs.NetworkMode.HOST,
    "none": ecs.NetworkMode.NONE,
}


class EcsTask:
    """Builds a task definition, its containers and its log group into ``scope``.

    Not a construct of its own, so the resources keep their ids directly under the service or job
    that owns them. Fargate needs ``awsvpc``; on EC2 ``bridge`` publishes host port 0 so the agent
    picks a port from the cluster's pinned dynamic range. Containers are never privileged, log
    with awslogs (non-blocking) to the task's own log group, and have a memory limit.
    """

    def __init__(
        self,
        scope: Construct,
        *,
        containers: Sequence[ContainerSpec],
        fargate: bool,
        network_mode: str = "awsvpc",
        cpu: int,
        memory_mib: int,
        vpc: ec2.IVpc | None = None,
        arm64: bool = False,
        enable_execute_command: bool = False,
        exec_log_group: logs.ILogGroup | None = None,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        log_stream_prefix: str = "ecs",
        volumes: Sequence[TaskVolume] = (),
        ephemeral_storage_gib: int | None = None,
        log_router: LogRouter | None = None,
    ) -> None:
        """Log streams are named ``<log_stream_prefix>/<container>/<task id>``; awsvpc tasks need ``vpc``
        for their own security group (no ingress; callers open it per source). EBS ``volumes`` become
        ``managed_volumes``, which the service must attach (``BaseService.add_volume``).
        ``ephemeral_storage_gib`` (21-200, Fargate only) sizes the task's ephemeral storage; ``log_router``
        routes every container's logs through FireLens instead of awslogs."""
        if not containers:
            raise ValueError("EcsTask: give at least one container")
        for spec in containers:
            _check_ports(spec, network_mode)
        if network_mode not in NETWORK_MODES:
            raise ValueError(f"EcsTask: unknown network mode {network_mode!r}")
        if fargate and network_mode != "awsvpc":
            raise ValueError(f"EcsTask: Fargate needs awsvpc, not {network_mode}")
        if network_mode == "awsvpc" and vpc is None:
            raise ValueError("EcsTask: awsvpc tasks need the vpc for their security group")
        _validate_containers(containers, fargate=fargate, network_mode=network_mode)
        _validate_volumes(volumes, containers, fargate=fargate)
        if ephemeral_storage_gib is not None:
            if not fargate:
                raise ValueError("EcsTask: ephemeral storage is a Fargate setting (EC2 tasks use the instance's disk)")
            if not MIN_EPHEMERAL_GIB <= ephemeral_storage_gib <= MAX_EPHEMERAL_GIB:
                raise ValueError(
                    f"EcsTask: ephemeral storage must be {MIN_EPHEMERAL_GIB} to {MAX_EPHEMERAL_GIB} GiB, "
                    f"not {ephemeral_storage_gib}"
                )
        if log_router is not None:
            _validate_log_router(log_router, containers, volumes)
        self.scope = scope
        self.main_container_name = containers[0].name
        self.main_port = containers[0].port
        self.main_protocols: tuple[str, ...] = tuple(containers[0].protocols)
        self.main_static_host_port = containers[0].static_host_port
        self.main_health_check_port = containers[0].health_check_port
        self.network_mode = network_mode
        self.log_stream_prefix = log_stream_prefix
        self.log_group = logs.LogGroup(scope, "Logs", retention=log_retention, removal_policy=removal_policy)
        skip_checkov(self.log_group, "CKV_AWS_158", LOGS_ENCRYPTED_BY_SERVICE)
        self.task_definition = self._task_definition(fargate, network_mode, cpu, memory_mib, arm64, ephemeral_storage_gib)
        self.managed_volumes: list[ecs.ServiceManagedVolume] = []
        """EBS volumes configured at launch: the service attaches them."""
        managed = {volume.name: self._add_volume(volume) for volume in volumes}
        self.log_router = self._add_log_router(log_router) if log_router is not None else None
        """The FireLens router container, when logs are routed."""
        self._log_driver: ecs.LogDriver = (
            ecs.LogDrivers.firelens(options=dict(log_router.options), secret_options=dict(log_router.secret_options) or None)
            if log_router is not None
            else ecs.LogDrivers.aws_logs(
                stream_prefix=log_stream_prefix, log_group=self.log_group, mode=ecs.AwsLogDriverMode.NON_BLOCKING
            )
        )
        definitions = {spec.name: self._add_container(spec) for spec in containers}
        self._grant_environment_files(definitions.values())
        for spec in containers:
            for mount in spec.mounts:
                volume = managed.get(mount.source_volume)
                if volume is not None:
                    volume.mount_in(definitions[spec.name], container_path=mount.container_path, read_only=mount.read_only)
                else:
                    definitions[spec.name].add_mount_points(mount)
            if spec.volumes_from:
                definitions[spec.name].add_volumes_from(*spec.volumes_from)
        if self.log_router is not None:
            # ECS orders FireLens first by itself in awsvpc mode; bridge and host tasks need it said (ECS guide, FireLens).
            for definition in definitions.values():
                definition.add_container_dependencies(
                    ecs.ContainerDependency(container=self.log_router, condition=ecs.ContainerDependencyCondition.START)
                )
        for spec in containers:
            for target, condition in spec.depends_on.items():
                definitions[spec.name].add_container_dependencies(
                    ecs.ContainerDependency(container=definitions[target], condition=condition)
                )
        # CDK gives every container of an EC2 awsvpc task AWS_REGION (such tasks cannot read it from IMDS).
        if any(spec.environment for spec in containers) or (not fargate and network_mode == "awsvpc"):
            acknowledge(
                self.task_definition,
                "AwsSolutions-ECS2",
                "Plain environment holds settings only (and AWS_REGION, which CDK sets for awsvpc on EC2): "
                "secret-looking names are rejected and secrets go by reference",
            )
        if (
            any(isinstance(spec.image, ecs.EcrImage | ecs.AssetImage) for spec in containers)
            and self.task_definition.execution_role
        ):
            acknowledge(
                self.task_definition.execution_role,
                "AwsSolutions-IAM5[Resource::*]",
                "ecr:GetAuthorizationToken supports no resource scoping; image pulls are granted per repository",
            )
        if enable_execute_command:
            self._grant_execute_command(self.task_definition.task_role, exec_log_group)
        self.security_group = (
            ec2.SecurityGroup(scope, "SecurityGroup", vpc=vpc, description="ECS tasks", allow_all_outbound=True)
            if network_mode == "awsvpc" and vpc is not None
            else None
        )

    def _task_definition(
        self, fargate: bool, network_mode: str, cpu: int, memory_mib: int, arm64: bool, ephemeral_storage_gib: int | None
    ) -> ecs.TaskDefinition:
        runtime = ecs.RuntimePlatform(
            cpu_architecture=ecs.CpuArchitecture.ARM64 if arm64 else ecs.CpuArchitecture.X86_64,
            operating_system_family=ecs.OperatingSystemFamily.LINUX,
        )
        if fargate:
            return ecs.FargateTaskDefinition(
                self.scope,
                "TaskDefinition",
                cpu=cpu,
                memory_limit_mib=memory_mib,
                runtime_platform=runtime,
                ephemeral_storage_gib=ephemeral_storage_gib,
            )
        return ecs.Ec2TaskDefinition(self.scope, "TaskDefinition", network_mode=NETWORK_MODES[network_mode])

    def _add_container(self, spec: ContainerSpec) -> ecs.ContainerDefinition:
        container = self.task_definition.add_container(
            spec.name,
            container_name=spec.name,
            image=spec.image,
            memory_limit_mib=spec.memory_limit_mib,
            cpu=spec.cpu,
            essential=spec.essential,
            command=list(spec.command) if spec.command else None,
            entry_point=list(spec.entry_point) if spec.entry_point else None,
            environment=dict(spec.environment) or None,
            secrets=dict(spec.secrets) or None,
            health_check=spec.health_check,
            stop_timeout=spec.stop_timeout,
            readonly_root_filesystem=spec.read_only_root_filesystem,
            user=spec.user,
            privileged=False,
            memory_reservation_mib=spec.memory_reservation_mib,
            gpu_count=spec.gpus,
            working_directory=spec.working_directory,
            dns_servers=list(spec.dns_servers) or None,
            extra_hosts=dict(spec.extra_hosts) or None,
            enable_restart_policy=spec.restart_policy is not None or None,
            restart_ignored_exit_codes=list(spec.restart_policy.ignored_exit_codes) or None if spec.restart_policy else None,
            restart_attempt_period=spec.restart_policy.attempt_reset_period if spec.restart_policy else None,
            linux_parameters=self._linux_parameters(spec),
            logging=self._log_driver,
            environment_files=list(spec.environment_files) or None,
        )
        if spec.ulimits:
            container.add_ulimits(*spec.ulimits)
        if spec.port is not None:
            for protocol in spec.protocols:
                container.add_port_mappings(self._port_mapping(spec, spec.port, protocol))
            check = spec.health_check_port
            if check is not None and not (check == spec.port and "tcp" in spec.protocols):
                container.add_port_mappings(self._port_mapping(spec, check, "tcp"))
        return container

    def _add_log_router(self, router: LogRouter) -> ecs.FirelensLogRouter:
        """The router logs to the task's own log group with awslogs; it writes only to its task-local volumes."""
        options = ecs.FirelensOptions(
            enable_ecs_log_metadata=router.enable_metadata,
            config_file_type=ecs.FirelensConfigFileType.FILE if router.config_file else None,
            config_file_value=router.config_file,
        )
        container = self.task_definition.add_firelens_log_router(
            LOG_ROUTER_NAME,
            container_name=LOG_ROUTER_NAME,
            image=router.image,
            firelens_config=ecs.FirelensConfig(type=ecs.FirelensLogRouterType.FLUENTBIT, options=options),
            memory_limit_mib=router.memory_limit_mib,
            essential=True,
            readonly_root_filesystem=True,
            privileged=False,
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix=self.log_stream_prefix, log_group=self.log_group, mode=ecs.AwsLogDriverMode.NON_BLOCKING
            ),
        )
        for index, path in enumerate(router.writable_paths):
            volume = f"{LOG_ROUTER_NAME}-scratch-{index}"
            self.task_definition.add_volume(name=volume)
            container.add_mount_points(ecs.MountPoint(source_volume=volume, container_path=path, read_only=False))
        if router.log_group is not None:
            # What Fluent Bit's CloudWatch outputs call (cloudwatch_logs: CreateLogStream, PutLogEvents;
            # cloudwatch: DescribeLogStreams too), on the one group it writes to.
            router.log_group.grant(
                self.task_definition.task_role, "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"
            )
        return container

    def _grant_environment_files(self, containers: Iterable[ecs.ContainerDefinition]) -> None:
        """The execution role reads exactly the task's environment files, and locates their buckets."""
        locations = [
            (config.s3_location.bucket_name, config.s3_location.object_key)
            for container in containers
            for config in container.environment_files or []
            if config.s3_location is not None
        ]
        if not locations:
            return
        for _, key in locations:
            if not Token.is_unresolved(key) and not key.endswith(".env"):
                raise ValueError(f"EcsTask: environment file {key!r} does not end in .env (ECS loads only .env files)")
        stack = Stack.of(self.scope)
        bucket_arn = "arn:{}:s3:::{}".format
        role = self.task_definition.obtain_execution_role()
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[f"{bucket_arn(stack.partition, b)}/{k}" for b, k in locations]
            )
        )
        buckets = list(dict.fromkeys(bucket for bucket, _ in locations))
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:GetBucketLocation"], resources=[bucket_arn(stack.partition, b) for b in buckets])
        )

    def _add_volume(self, volume: TaskVolume) -> ecs.ServiceManagedVolume | None:
        if volume.ebs is None:
            host = ecs.Host(source_path=volume.host_path) if volume.host_path is not None else ecs.Host()
            self.task_definition.add_volume(name=volume.name, host=host)
            return None
        managed = ecs.ServiceManagedVolume(self.scope, f"Volume{volume.name}", name=volume.name, managed_ebs_volume=volume.ebs)
        self.task_definition.add_volume(name=volume.name, configured_at_launch=True)
        self.managed_volumes.append(managed)
        acknowledge(
            managed.role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes]",
            "ECS's infrastructure role for task EBS volumes: AWS's managed policy is the documented one, and it is "
            "limited to volumes ECS creates and tags",
        )
        return managed

    def _linux_parameters(self, spec: ContainerSpec) -> ecs.LinuxParameters | None:
        linux = spec.linux
        if linux is None:
            return None
        parameters = ecs.LinuxParameters(
            self.scope,
            f"{spec.name}LinuxParameters",
            init_process_enabled=linux.init_process or None,
            shared_memory_size=linux.shared_memory_mib,
        )
        if linux.capabilities_add:
            parameters.add_capabilities(*linux.capabilities_add)
        if linux.capabilities_drop:
            parameters.drop_capabilities(*linux.capabilities_drop)
        if linux.tmpfs:
            parameters.add_tmpfs(*linux.tmpfs)
        return parameters

    def _port_mapping(self, spec: ContainerSpec, port: int, protocol: str) -> ecs.PortMapping:
        """awsvpc and host publish the port itself; bridge a dynamic host port unless the spec pins it."""
        host_port = port if self.network_mode in ("awsvpc", "host") or spec.static_host_port else 0
        # Mapping names (for Service Connect) must be unique in the task; the TCP one keeps the plain
        # <container>-<port> name that Service Connect refers to. Named mappings are not allowed in host mode.
        name = f"{spec.name}-{port}" if protocol == "tcp" else f"{spec.name}-{port}-{protocol}"
        app_protocol = APP_PROTOCOLS.get(spec.app_protocol or "") if protocol == "tcp" and port == spec.port else None
        return ecs.PortMapping(
            container_port=port,
            host_port=host_port,
            protocol=PROTOCOLS[protocol],
            name=None if self.network_mode == "host" else name,
            app_protocol=app_protocol,
        )

    def _grant_execute_command(self, role: iam.IRole, log_group: logs.ILogGroup | None) -> None:
        """ECS Exec: the SSM channels the agent opens in the task, and session logs to the cluster's exec log group."""
        statements = [
            iam.PolicyStatement(
                actions=[
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                resources=["*"],
            )
        ]
        if log_group is not None:
            statements.append(iam.PolicyStatement(actions=["logs:DescribeLogGroups"], resources=["*"]))
            statements.append(
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                    resources=[log_group.log_group_arn],
                )
            )
        policy = iam.Policy(self.scope, "ExecuteCommand", statements=statements)
        role.attach_inline_policy(policy)
        acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "ECS Exec: the ssmmessages channel actions and logs:DescribeLogGroups support no resource-level scoping",
        )


MIN_EPHEMERAL_GIB = 21
MAX_EPHEMERAL_GIB = 200
"""Fargate's ephemeral storage range (task definition parameter ``ephemeralStorage.sizeInGiB``)."""
MAX_ENVIRONMENT_FILES = 10
"""Environment files per container (task definition parameter ``environmentFiles``)."""


def _validate_log_router(router: LogRouter, containers: Sequence[ContainerSpec], volumes: Sequence[TaskVolume]) -> None:
    if "Name" not in router.options:
        raise ValueError("EcsTask: the log router's options need Name (the Fluent Bit output)")
    if any(spec.name == LOG_ROUTER_NAME for spec in containers):
        raise ValueError(f"EcsTask: {LOG_ROUTER_NAME!r} is the log router's name: name the container differently")
    both = sorted(set(router.options) & set(router.secret_options))
    if both:
        raise ValueError(f"EcsTask: log router options {both} are given both plainly and as secrets")
    if router.config_file is not None and not router.config_file.startswith("/"):
        raise ValueError(f"EcsTask: the log router's config file {router.config_file!r} is not an absolute path in its image")
    if any(not path.startswith("/") for path in router.writable_paths):
        raise ValueError(f"EcsTask: the log router's writable paths must be absolute, got {list(router.writable_paths)}")
    if any(volume.name.startswith(f"{LOG_ROUTER_NAME}-scratch-") for volume in volumes):
        raise ValueError(f"EcsTask: volume names starting with {LOG_ROUTER_NAME}-scratch- are the log router's")


def _validate_containers(containers: Sequence[ContainerSpec], *, fargate: bool, network_mode: str) -> None:
    """What ECS would reject at deploy time, refused at synth with the container's name."""
    by_name = {spec.name: spec for spec in containers}
    if len(by_name) != len(containers):
        raise ValueError("EcsTask: container names must be unique")
    for spec in containers:
        for target, condition in spec.depends_on.items():
            if target not in by_name or target == spec.name:
                raise ValueError(f"EcsTask: container {spec.name!r} depends on {target!r}, which is not another container")
            if condition == ecs.ContainerDependencyCondition.HEALTHY and by_name[target].health_check is None:
                raise ValueError(f"EcsTask: {spec.name!r} waits for {target!r} to be healthy, but it has no health check")
            if condition in _EXIT_CONDITIONS and by_name[target].essential:
                raise ValueError(f"EcsTask: {spec.name!r} waits for {target!r} to exit, but it is essential")
        if network_mode == "awsvpc" and (spec.dns_servers or spec.extra_hosts):
            raise ValueError(f"EcsTask: {spec.name!r}: dns servers and extra hosts are not supported in awsvpc mode")
        if len(spec.environment_files) > MAX_ENVIRONMENT_FILES:
            raise ValueError(
                f"EcsTask: {spec.name!r} has {len(spec.environment_files)} environment files; ECS takes at most "
                f"{MAX_ENVIRONMENT_FILES}"
            )
        if spec.gpus and fargate:
            raise ValueError(f"EcsTask: {spec.name!r}: Fargate has no GPUs")
        if spec.linux is not None and fargate:
            if spec.linux.shared_memory_mib is not None or spec.linux.tmpfs:
                raise ValueError(f"EcsTask: {spec.name!r}: shared memory and tmpfs are not supported on Fargate")
            if any(c != ecs.Capability.SYS_PTRACE for c in spec.linux.capabilities_add):
                raise ValueError(f"EcsTask: {spec.name!r}: Fargate allows adding only SYS_PTRACE")


_EXIT_CONDITIONS = (ecs.ContainerDependencyCondition.COMPLETE, ecs.ContainerDependencyCondition.SUCCESS)


def _validate_volumes(volumes: Sequence[TaskVolume], containers: Sequence[ContainerSpec], *, fargate: bool) -> None:
    names = {volume.name for volume in volumes}
    if len(names) != len(volumes):
        raise ValueError("EcsTask: volume names must be unique")
    for volume in volumes:
        if volume.host_path is not None and volume.ebs is not None:
            raise ValueError(f"EcsTask: volume {volume.name!r} is either a host path or an EBS volume")
        if volume.host_path is not None and fargate:
            raise ValueError(f"EcsTask: volume {volume.name!r}: host paths exist on EC2 only")
    if sum(volume.ebs is not None for volume in volumes) > 1:
        raise ValueError("EcsTask: ECS attaches one EBS volume per task")
    containers_by_name = {spec.name for spec in containers}
    for spec in containers:
        for mount in spec.mounts:
            if mount.source_volume not in names:
                raise ValueError(f"EcsTask: container {spec.name!r} mounts {mount.source_volume!r}, which is no task volume")
        for source in spec.volumes_from:
            if source.source_container not in containers_by_name - {spec.name}:
                raise ValueError(
                    f"EcsTask: container {spec.name!r} takes volumes from {source.source_container!r}, no other container"
                )


def _check_ports(spec: ContainerSpec, network_mode: str) -> None:
    if not spec.protocols or any(protocol not in PROTOCOLS for protocol in spec.protocols):
        raise ValueError(f"EcsTask: container {spec.name!r} protocols must be tcp and/or udp, got {list(spec.protocols)}")
    if len(set(spec.protocols)) != len(spec.protocols):
        raise ValueError(f"EcsTask: container {spec.name!r} repeats a protocol: {list(spec.protocols)}")
    if spec.port is None and (tuple(spec.protocols) != ("tcp",) or spec.static_host_port or spec.health_check_port):
        raise ValueError(f"EcsTask: container {spec.name!r} has protocols or host-port settings but no port")
    if spec.static_host_port and network_mode != "bridge":
        raise ValueError(f"EcsTask: static_host_port applies to bridge mode only, not {network_mode}")
    if spec.health_check_port is not None and network_mode == "bridge" and not spec.static_host_port:
        raise ValueError(
            f"EcsTask: container {spec.name!r} has a health_check_port in bridge mode without static_host_port: "
            "a load balancer cannot find a dynamic host port it did not register"
        )


def exec_log_group_of(cluster: ecs.ICluster) -> logs.ILogGroup | None:
    """The cluster's ECS Exec log group, where session output goes, if it has one."""
    configuration = cluster.execute_command_configuration
    if configuration is None or configuration.log_configuration is None:
        return None
    # A cluster built with a LogGroup (as EcsCluster does) hands it back typed as the narrower reference.
    return typing.cast("logs.ILogGroup | None", configuration.log_configuration.cloud_watch_log_group)
