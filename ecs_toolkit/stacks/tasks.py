"""What the task of a service and of a job share: construct arguments, containers, outputs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration, Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ecs_toolkit import outputs
from ecs_toolkit.compliance import LOGS_ENCRYPTED_BY_SERVICE, skip_checkov
from ecs_toolkit.config import derived
from ecs_toolkit.config.image_sources import build_context, build_platform, repository_name, source_of
from ecs_toolkit.config.models import (
    ContainerHealthCheckConfig,
    ContainerSettings,
    EnvironmentConfig,
    ImageConfig,
    ServiceConfig,
    SidecarConfig,
    StrategyItemConfig,
)
from ecs_toolkit.config.references import parse_env_file, parse_secret_reference, secret_option_reference
from ecs_toolkit.constructs.cluster import StrategyItem
from ecs_toolkit.constructs.grants import TaskGrant, apply_grants
from ecs_toolkit.constructs.network import internal_subnets
from ecs_toolkit.constructs.task import ContainerSpec, EcsTask, LinuxOptions, LogRouter, RestartPolicy, TaskVolume
from ecs_toolkit.data import fluent_bit_image
from ecs_toolkit.stacks.common import attach_manifest_role_policy, removal_policy, retention
from ecs_toolkit.stacks.platform import PlatformStack

_COMPLETE_SECRET_ARN = re.compile(r"-[A-Za-z0-9]{6}$")


@dataclass(frozen=True)
class TaskPlan:
    """How one manifest entry runs: launch type, network mode, strategy, and the construct arguments."""

    launch: str
    network_mode: str
    strategy: list[StrategyItemConfig]
    arguments: dict[str, Any]


def plan_task(
    stack: cdk.Stack,
    config: EnvironmentConfig,
    name: str,
    platform: PlatformStack,
    environment: Mapping[str, str] | None = None,
) -> TaskPlan:
    """The keyword arguments that ``EcsService`` and ``ScheduledJob`` both take, from the manifest."""
    entry = config.services[name]
    launch = derived.launch_of(config, entry)
    mode = derived.network_mode_of(config, entry)
    strategy = derived.service_strategy(config, entry)
    arguments = {
        "cluster": platform.cluster,
        "vpc": platform.vpc,
        "containers": task_containers(stack, config, name, entry, launch, environment),
        "fargate": launch == "fargate",
        "network_mode": mode,
        "cpu": derived.task_cpu(config, entry),
        "memory_mib": derived.task_memory_mib(config, entry),
        "arm64": entry.architecture == "arm64",
        "capacity_provider_strategies": platform.ecs.strategy(
            [StrategyItem(i.provider, weight=i.weight, base=i.base) for i in strategy]
        ),
        "subnets": internal_subnets(platform.vpc),
        "log_retention": retention(entry.log_retention_days),
        "removal_policy": removal_policy(config),
        "log_stream_prefix": name,
        "volumes": task_volumes(stack, entry),
        "ephemeral_storage_gib": entry.ephemeral_storage_gib,
        "log_router": log_router(stack, config, name, entry),
        "extra_security_groups": [
            ec2.SecurityGroup.from_security_group_id(stack, f"SecurityGroup-{group_id}", group_id, mutable=False)
            for group_id in entry.security_groups
        ],
    }
    return TaskPlan(launch=launch, network_mode=mode, strategy=strategy, arguments=arguments)


def publish_task_outputs(stack: cdk.Stack, task: EcsTask, plan: TaskPlan) -> None:
    """What run-task and the other helpers need to run this task once."""
    cdk.CfnOutput(stack, outputs.TASK_DEFINITION_ARN, value=task.task_definition.task_definition_arn)
    cdk.CfnOutput(stack, outputs.TASK_FAMILY, value=task.task_definition.family)
    cdk.CfnOutput(stack, outputs.CONTAINER_NAME, value=task.main_container_name)
    cdk.CfnOutput(stack, outputs.LOG_GROUP_NAME, value=task.log_group.log_group_name)
    cdk.CfnOutput(stack, outputs.LAUNCH_TYPE, value=plan.launch.upper())
    cdk.CfnOutput(stack, outputs.NETWORK_MODE, value=plan.network_mode)
    cdk.CfnOutput(
        stack, outputs.CAPACITY_STRATEGY, value=outputs.join_list([f"{i.provider}:{i.base}:{i.weight}" for i in plan.strategy])
    )
    group = task.security_group
    extra = [g.security_group_id for g in plan.arguments.get("extra_security_groups", [])]
    value = Fn.join(outputs.LIST_SEPARATOR, [group.security_group_id, *extra]) if group and extra else None
    cdk.CfnOutput(
        stack,
        outputs.TASK_SECURITY_GROUP_IDS,
        value=value or (group.security_group_id if group else outputs.EMPTY_LIST),
    )


def task_containers(
    scope: cdk.Stack,
    config: EnvironmentConfig,
    name: str,
    service: ServiceConfig,
    launch: str,
    environment: Mapping[str, str] | None = None,
) -> list[ContainerSpec]:
    """The main container (named after the service, cpu/memory left after the sidecars) and its sidecars."""
    cpu = derived.task_cpu(config, service)
    memory = derived.task_memory_mib(config, service)
    # The ALB's health-check port, when it is not the traffic port, is published on the container it checks.
    alb_check = derived.health_check_port(name, service) if service.route is not None else None
    checked = derived.target_container(name, service)
    sidecars = [
        _sidecar(scope, config, service, index, sidecar, alb_check if sidecar.name == checked else None)
        for index, sidecar in enumerate(service.sidecars)
    ]
    main = ContainerSpec(
        name=name,
        image=_image(scope, config, "Image", service.image, service.architecture),
        memory_limit_mib=memory - derived.sidecar_memory_mib(service),
        cpu=None if launch == "fargate" else cpu - sum(s.cpu or 0 for s in sidecars),
        port=service.port,
        app_protocol=service.discovery.app_protocol if service.discovery is not None else None,
        environment={**service.environment, **(environment or {})},
        secrets=_secrets(scope, "Secret", service.secrets),
        stop_timeout=Duration.seconds(service.stop_timeout_seconds),
        protocols=derived.nlb_transports(service),
        # One host port for every transport, so the NLB's TCP health check reaches the task it registered.
        static_host_port=bool(derived.static_host_ports(config, service)),
        health_check_port=derived.nlb_health_check_port(service) or (alb_check if checked == name else None),
        environment_files=_environment_files(scope, config, "EnvFile", service.env_files),
        **_settings(service),
    )
    return [main, *sidecars]


def _environment_files(scope: cdk.Stack, config: EnvironmentConfig, prefix: str, values: list[str]) -> list[ecs.EnvironmentFile]:
    """Local files (relative to the manifest) become S3 assets, uploaded at deploy; S3 objects are referenced."""
    files: list[ecs.EnvironmentFile] = []
    for index, value in enumerate(values):
        reference = parse_env_file(value)
        if reference.path is not None:
            files.append(ecs.EnvironmentFile.from_asset(str(config.manifest_dir / reference.path)))
        else:
            assert reference.bucket is not None and reference.key is not None
            bucket = s3.Bucket.from_bucket_name(scope, f"{prefix}{index}Bucket", reference.bucket)
            files.append(ecs.EnvironmentFile.from_bucket(bucket, reference.key))
    return files


def log_router(scope: cdk.Stack, config: EnvironmentConfig, name: str, service: ServiceConfig) -> LogRouter | None:
    """FireLens: the destination's options, and for CloudWatch Logs the log group the stack creates for it."""
    logging = service.logging
    if logging is None:
        return None
    options = {key: _option_text(value) for key, value in logging.destination.items()}
    group = None
    if derived.log_output(service) in derived.CLOUDWATCH_OUTPUTS:
        group = logs.LogGroup(
            scope,
            "RoutedLogs",
            log_group_name=options.get("log_group_name"),
            retention=retention(service.log_retention_days),
            removal_policy=removal_policy(config),
        )
        skip_checkov(group, "CKV_AWS_158", LOGS_ENCRYPTED_BY_SERVICE)
        options["log_group_name"] = group.log_group_name
        options.setdefault("region", scope.region)
        if "log_stream_name" not in options:
            options.setdefault("log_stream_prefix", f"{name}/")
        options["auto_create_group"] = "false"
    return LogRouter(
        image=_image(scope, config, "LogRouterImage", logging.image or fluent_bit_image().image, service.architecture),
        options=options,
        secret_options=_secrets(
            scope,
            "LogRouterSecret",
            {option: secret_option_reference(value) for option, value in logging.secret_options.items()},
        ),
        config_file=logging.config_file,
        enable_metadata=logging.enable_metadata,
        memory_limit_mib=logging.memory_mib,
        log_group=group,
        writable_paths=fluent_bit_image().writes,
    )


def _option_text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sidecar(
    scope: cdk.Stack,
    config: EnvironmentConfig,
    service: ServiceConfig,
    index: int,
    sidecar: SidecarConfig,
    health_check_port: int | None = None,
) -> ContainerSpec:
    return ContainerSpec(
        name=sidecar.name,
        image=_image(scope, config, f"Sidecar{index}Image", sidecar.image, service.architecture),
        memory_limit_mib=sidecar.memory_mib,
        cpu=sidecar.cpu,
        port=sidecar.port,
        health_check_port=health_check_port,
        essential=sidecar.essential,
        environment=sidecar.environment,
        secrets=_secrets(scope, f"Sidecar{index}Secret", sidecar.secrets),
        environment_files=_environment_files(scope, config, f"Sidecar{index}EnvFile", sidecar.env_files),
        **_settings(sidecar),
    )


_CONDITIONS = {
    "start": ecs.ContainerDependencyCondition.START,
    "complete": ecs.ContainerDependencyCondition.COMPLETE,
    "success": ecs.ContainerDependencyCondition.SUCCESS,
    "healthy": ecs.ContainerDependencyCondition.HEALTHY,
}


def _settings(settings: ContainerSettings) -> dict[str, Any]:
    """The construct arguments of what every container shares (``ContainerSettings``)."""
    restart = settings.restart
    linux = settings.linux
    return {
        "command": settings.command,
        "entry_point": settings.entry_point,
        "health_check": _health_check(settings.container_health_check),
        "read_only_root_filesystem": settings.read_only_root_filesystem,
        "user": settings.user,
        "memory_reservation_mib": settings.memory_reservation_mib,
        "gpus": settings.gpus,
        "depends_on": {target: _CONDITIONS[condition] for target, condition in settings.depends_on.items()},
        "restart_policy": None
        if restart is None
        else RestartPolicy(
            ignored_exit_codes=restart.ignored_exit_codes,
            attempt_reset_period=Duration.seconds(restart.attempt_reset_period_seconds),
        ),
        "linux": None
        if linux is None
        else LinuxOptions(
            capabilities_add=[ecs.Capability[c] for c in linux.capabilities_add],
            capabilities_drop=[ecs.Capability[c] for c in linux.capabilities_drop],
            init_process=linux.init_process,
            shared_memory_mib=linux.shared_memory_mib,
            tmpfs=[
                ecs.Tmpfs(
                    container_path=t.path,
                    size=t.size_mib,
                    mount_options=[ecs.TmpfsMountOption[o.upper()] for o in t.options] or None,
                )
                for t in linux.tmpfs
            ],
        ),
        "ulimits": [
            ecs.Ulimit(name=ecs.UlimitName[limit.name.upper()], soft_limit=limit.soft, hard_limit=limit.hard)
            for limit in settings.ulimits
        ],
        "working_directory": settings.working_directory,
        "dns_servers": settings.dns_servers,
        "extra_hosts": settings.extra_hosts,
        "mounts": [
            ecs.MountPoint(
                source_volume=volume,
                container_path=mount if isinstance(mount, str) else mount.path,
                read_only=False if isinstance(mount, str) else mount.read_only,
            )
            for volume, mount in settings.mounts.items()
        ],
        "volumes_from": [
            ecs.VolumeFrom(source_container=source.container, read_only=source.read_only) for source in settings.volumes_from
        ],
    }


def task_volumes(scope: cdk.Stack, service: ServiceConfig) -> list[TaskVolume]:
    """The task's own volumes: task-local, host paths, and an EBS volume per task."""
    volumes = []
    for name, volume in service.task_volumes.items():
        ebs = volume.ebs
        volumes.append(
            TaskVolume(
                name=name,
                host_path=volume.host_path,
                ebs=None
                if ebs is None
                else ecs.ServiceManagedEBSVolumeConfiguration(
                    size=cdk.Size.gibibytes(ebs.size_gib),
                    volume_type=ec2.EbsDeviceVolumeType[ebs.type.upper()],
                    iops=ebs.iops,
                    throughput=ebs.throughput_mibps,
                    encrypted=ebs.encrypted,
                    kms_key_id=kms.Key.from_key_arn(scope, f"Volume{name}Key", ebs.kms_key_arn) if ebs.kms_key_arn else None,
                    file_system_type=ecs.FileSystemType[ebs.file_system.upper()],
                    snap_shot_id=ebs.snapshot_id,
                    volume_initialization_rate=cdk.Size.mebibytes(ebs.initialization_rate_mibps)
                    if ebs.initialization_rate_mibps
                    else None,
                ),
            )
        )
    return volumes


def _image(
    scope: cdk.Stack, config: EnvironmentConfig, construct_id: str, image: str | ImageConfig, architecture: str
) -> ecs.ContainerImage:
    """ECR images become repository references, so the execution role may pull exactly their repositories.

    A build is a CDK image asset: synth only copies its context into the cloud assembly, and ``cdk deploy``
    builds and pushes it to the bootstrap repository. A declared repository is named ``<environment>/<name>``.
    """
    source = source_of(image)
    if source.build is not None:
        build = source.build
        return ecs.ContainerImage.from_asset(
            str(build_context(config, build)),
            file=build.dockerfile,
            build_args=dict(build.args) or None,
            target=build.target,
            platform=ecr_assets.Platform.custom(build_platform(build, architecture)),
        )
    if source.repository is not None and source.version is not None:
        repository = ecr.Repository.from_repository_name(scope, construct_id, repository_name(config, source.repository))
        return ecs.ContainerImage.from_ecr_repository(repository, source.version)
    assert source.reference is not None
    ecr_image = source.ecr
    if ecr_image is None:
        return ecs.ContainerImage.from_registry(source.reference)
    repository = ecr.Repository.from_repository_attributes(
        scope,
        construct_id,
        repository_name=ecr_image.repository,
        repository_arn=f"arn:{scope.partition}:ecr:{ecr_image.region}:{ecr_image.account}:repository/{ecr_image.repository}",
    )
    return ecs.ContainerImage.from_ecr_repository(repository, ecr_image.version)


def _secrets(scope: cdk.Stack, prefix: str, references: dict[str, str]) -> dict[str, ecs.Secret]:
    """Secrets by reference: the template carries ARNs, and the execution role may read exactly those."""
    secrets = {}
    for variable, value in references.items():
        reference = parse_secret_reference(value)
        construct_id = f"{prefix}{variable}"
        if reference.store == "ssm":
            parameter = (
                ssm.StringParameter.from_string_parameter_arn(scope, construct_id, reference.name)
                if reference.is_arn
                else ssm.StringParameter.from_secure_string_parameter_attributes(
                    scope, construct_id, parameter_name=reference.name
                )
            )
            secrets[variable] = ecs.Secret.from_ssm_parameter(parameter)
            continue
        if reference.is_arn and _COMPLETE_SECRET_ARN.search(reference.name):
            secret = secretsmanager.Secret.from_secret_complete_arn(scope, construct_id, reference.name)
        elif reference.is_arn:
            secret = secretsmanager.Secret.from_secret_partial_arn(scope, construct_id, reference.name)
        else:
            secret = secretsmanager.Secret.from_secret_name_v2(scope, construct_id, reference.name)
        secrets[variable] = ecs.Secret.from_secrets_manager(secret, field=reference.json_key)
    return secrets


def _health_check(check: ContainerHealthCheckConfig | None) -> ecs.HealthCheck | None:
    if check is None:
        return None
    return ecs.HealthCheck(
        command=check.command,
        interval=Duration.seconds(check.interval_seconds),
        timeout=Duration.seconds(check.timeout_seconds),
        retries=check.retries,
        start_period=Duration.seconds(check.start_period_seconds),
    )


def apply_task_permissions(scope: Construct, task_definition: ecs.TaskDefinition, service: ServiceConfig) -> None:
    """What a service's or a job's roles may do: grants, the manifest's own role policies, decrypting its secrets."""
    grants = [TaskGrant(intent=g.intent, resource=g.resource, prefix=g.prefix, path=g.path) for g in service.grants]
    apply_grants(task_definition.task_role, grants, scope=scope)
    apply_role_policies(scope, task_definition, service)
    execution_role = task_definition.execution_role
    if service.secrets_kms_key_arns and execution_role is not None:
        execution_role.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:Decrypt"], resources=list(service.secrets_kms_key_arns))
        )


def apply_role_policies(scope: Construct, task_definition: ecs.TaskDefinition, service: ServiceConfig) -> None:
    """The manifest's custom statements and managed policies on the task and execution roles."""
    roles = (
        ("TaskRolePolicy", service.task_role, task_definition.task_role),
        ("ExecutionRolePolicy", service.execution_role, task_definition.obtain_execution_role()),
    )
    for construct_id, settings, role in roles:
        if settings is None:
            continue
        attach_manifest_role_policy(role, scope=scope, construct_id=construct_id, settings=settings)
