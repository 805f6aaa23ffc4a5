"""One stack per service: the manifest's service section translated into construct arguments."""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration, Fn
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_servicediscovery as servicediscovery
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from ecs_toolkit import outputs
from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig, SidecarConfig, VolumeConfig
from ecs_toolkit.config.references import parse_secret_reference
from ecs_toolkit.constructs.cluster import StrategyItem
from ecs_toolkit.constructs.file_system import EfsMount
from ecs_toolkit.constructs.grants import TaskGrant, apply_grants
from ecs_toolkit.constructs.routing import AlbRoute, HealthCheckSpec, NlbEndpoint
from ecs_toolkit.constructs.service import ContainerSpec, DeploymentSpec, EcsService
from ecs_toolkit.stacks.common import removal_policy, retention
from ecs_toolkit.stacks.platform import PlatformStack

_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[a-z0-9._/-]+)(?::(?P<tag>[\w.-]+)|@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
_COMPLETE_SECRET_ARN = re.compile(r"-[A-Za-z0-9]{6}$")


class ServiceStack(cdk.Stack):
    """A web, backend or worker service, depending only on the platform stack."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        name: str,
        platform: PlatformStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        service_config = config.services[name]
        self.config = config
        self.service_name = name
        self.platform = platform
        launch = derived.launch_of(config, service_config)
        mode = derived.network_mode_of(config, service_config)
        strategy = derived.service_strategy(config, service_config)
        self.service = EcsService(
            self,
            "Service",
            cluster=platform.cluster,
            vpc=platform.vpc,
            containers=self._containers(name, service_config, launch),
            fargate=launch == "fargate",
            network_mode=mode,
            cpu=derived.task_cpu(config, service_config),
            memory_mib=derived.task_memory_mib(config, service_config),
            desired_count=service_config.count,
            arm64=service_config.architecture == "arm64",
            capacity_provider_strategies=platform.ecs.strategy(
                [StrategyItem(i.provider, weight=i.weight, base=i.base) for i in strategy]
            ),
            placement=service_config.placement,
            deployment=DeploymentSpec(
                min_healthy_percent=service_config.deployment.min_healthy_percent,
                max_healthy_percent=service_config.deployment.max_percent,
            ),
            enable_execute_command=service_config.exec,
            log_retention=retention(service_config.log_retention_days),
            removal_policy=removal_policy(config),
            cloud_map=self._cloud_map(name, service_config, mode),
            service_connect=self._service_connect(name, service_config),
            subnets=cdk.aws_ec2.SubnetSelection(subnets=platform.vpc.private_subnets),
            log_stream_prefix=name,
        )
        self._routes(service_config, mode)
        self._volumes(name, service_config)
        self._grants(service_config)
        self._outputs(launch, mode, strategy)

    # --- containers -----------------------------------------------------------------------

    def _containers(self, name: str, service: ServiceConfig, launch: str) -> list[ContainerSpec]:
        cpu = derived.task_cpu(self.config, service)
        memory = derived.task_memory_mib(self.config, service)
        sidecars = [self._sidecar(index, sidecar) for index, sidecar in enumerate(service.sidecars)]
        main = ContainerSpec(
            name=name,
            image=self._image("Image", service.image),
            memory_limit_mib=memory - sum(s.memory_limit_mib for s in sidecars),
            cpu=None if launch == "fargate" else cpu - sum(s.cpu or 0 for s in sidecars),
            port=service.port,
            command=service.command,
            entry_point=service.entry_point,
            environment=service.environment,
            secrets=self._secrets("Secret", service.secrets),
            health_check=self._health_check(service),
            stop_timeout=Duration.seconds(service.stop_timeout_seconds),
            read_only_root_filesystem=service.read_only_root_filesystem,
            user=service.user,
        )
        return [main, *sidecars]

    def _sidecar(self, index: int, sidecar: SidecarConfig) -> ContainerSpec:
        return ContainerSpec(
            name=sidecar.name,
            image=self._image(f"Sidecar{index}Image", sidecar.image),
            memory_limit_mib=sidecar.memory_mib,
            cpu=sidecar.cpu,
            port=sidecar.port,
            essential=sidecar.essential,
            command=sidecar.command,
            environment=sidecar.environment,
            secrets=self._secrets(f"Sidecar{index}Secret", sidecar.secrets),
            read_only_root_filesystem=sidecar.read_only_root_filesystem,
            user=sidecar.user,
        )

    def _image(self, construct_id: str, image: str) -> ecs.ContainerImage:
        """ECR images of this account become repository references, so pulls are granted per repository."""
        match = _ECR_IMAGE.match(image)
        if match is None:
            return ecs.ContainerImage.from_registry(image)
        repository = ecr.Repository.from_repository_attributes(
            self,
            construct_id,
            repository_name=match["repo"],
            repository_arn=f"arn:{self.partition}:ecr:{match['region']}:{match['account']}:repository/{match['repo']}",
        )
        return ecs.ContainerImage.from_ecr_repository(repository, match["digest"] or match["tag"] or "latest")

    def _secrets(self, prefix: str, references: dict[str, str]) -> dict[str, ecs.Secret]:
        """Secrets by reference: the template carries ARNs, and the execution role may read exactly those."""
        secrets = {}
        for variable, value in references.items():
            reference = parse_secret_reference(value)
            construct_id = f"{prefix}{variable}"
            if reference.store == "ssm":
                parameter = (
                    ssm.StringParameter.from_string_parameter_arn(self, construct_id, reference.name)
                    if reference.is_arn
                    else ssm.StringParameter.from_secure_string_parameter_attributes(
                        self, construct_id, parameter_name=reference.name
                    )
                )
                secrets[variable] = ecs.Secret.from_ssm_parameter(parameter)
                continue
            if reference.is_arn and _COMPLETE_SECRET_ARN.search(reference.name):
                secret = secretsmanager.Secret.from_secret_complete_arn(self, construct_id, reference.name)
            elif reference.is_arn:
                secret = secretsmanager.Secret.from_secret_partial_arn(self, construct_id, reference.name)
            else:
                secret = secretsmanager.Secret.from_secret_name_v2(self, construct_id, reference.name)
            secrets[variable] = ecs.Secret.from_secrets_manager(secret, field=reference.json_key)
        return secrets

    @staticmethod
    def _health_check(service: ServiceConfig) -> ecs.HealthCheck | None:
        check = service.container_health_check
        if check is None:
            return None
        return ecs.HealthCheck(
            command=check.command,
            interval=Duration.seconds(check.interval_seconds),
            timeout=Duration.seconds(check.timeout_seconds),
            retries=check.retries,
            start_period=Duration.seconds(check.start_period_seconds),
        )

    # --- discovery and traffic ------------------------------------------------------------

    def _cloud_map(self, name: str, service: ServiceConfig, mode: str) -> ecs.CloudMapOptions | None:
        """A records for awsvpc tasks; SRV records (host port included) for bridge and host mode."""
        discovery_name = derived.discovery_name_of(name, service)
        if discovery_name is None or service.port is None:
            return None
        return ecs.CloudMapOptions(
            name=discovery_name,
            cloud_map_namespace=self.platform.cluster.default_cloud_map_namespace,
            dns_record_type=servicediscovery.DnsRecordType.A if mode == "awsvpc" else servicediscovery.DnsRecordType.SRV,
            dns_ttl=Duration.seconds(10),
            container_port=service.port,
        )

    def _service_connect(self, name: str, service: ServiceConfig) -> ecs.ServiceConnectProps | None:
        if service.discovery is None or not service.discovery.service_connect or service.port is None:
            return None
        return ecs.ServiceConnectProps(
            namespace=derived.namespace_of(self.config),
            services=[
                ecs.ServiceConnectService(
                    port_mapping_name=f"{name}-{service.port}",
                    discovery_name=derived.discovery_name_of(name, service),
                    port=service.port,
                )
            ],
        )

    def _routes(self, service: ServiceConfig, mode: str) -> None:
        load_balancer = self.platform.load_balancer
        deregistration = Duration.seconds(service.deployment.deregistration_delay_seconds)
        if service.route is not None and load_balancer is not None:
            check = service.health_check
            AlbRoute(
                self,
                "Route",
                service=self.service,
                vpc=self.platform.vpc,
                listener=load_balancer.listener,
                load_balancer_security_group=load_balancer.security_group,
                priority=derived.listener_priority(service.route),
                path=service.route.path,
                host=service.route.host,
                health_check=HealthCheckSpec(
                    path=check.path,
                    interval=Duration.seconds(check.interval_seconds),
                    timeout=Duration.seconds(check.timeout_seconds),
                    healthy_threshold=check.healthy_threshold,
                    unhealthy_threshold=check.unhealthy_threshold,
                    success_codes=check.success_codes,
                ),
                deregistration_delay=deregistration,
                grace_period=Duration.seconds(derived.grace_period_seconds(service)),
            )
        if service.nlb is not None:
            groups = [
                self.platform.ecs.ec2_capacity[item.provider]
                for item in derived.service_strategy(self.config, service)
                if item.provider in self.platform.ecs.ec2_capacity
            ]
            nlb = NlbEndpoint(
                self,
                "Nlb",
                service=self.service,
                vpc=self.platform.vpc,
                port=service.nlb.port,
                protocol=service.nlb.protocol,
                certificate_arn=service.nlb.certificate_arn,
                public=service.nlb.public,
                instance_security_groups=[group.security_group for group in groups],
                host_ports=groups[0].host_ports if groups else None,
                deregistration_delay=deregistration,
            )
            cdk.CfnOutput(self, "NlbDnsName", value=nlb.load_balancer.load_balancer_dns_name)

    # --- storage and permissions ----------------------------------------------------------

    def _volumes(self, name: str, service: ServiceConfig) -> None:
        for fs_name, volume in service.volumes.items():
            spec = volume if isinstance(volume, VolumeConfig) else VolumeConfig(path=volume)
            shared = self.platform.file_systems[fs_name]
            uid, gid = derived.volume_owner(service, spec)
            EfsMount(
                self,
                f"Volume-{fs_name}",
                service=self.service,
                file_system=shared.file_system,
                file_system_arn=shared.arn,
                file_system_security_group=shared.security_group,
                container_path=spec.path,
                root_directory=spec.sub_path or f"/{name}",
                uid=uid,
                gid=gid,
                permissions=spec.permissions,
                read_only=spec.read_only,
                volume_name=fs_name,
            )

    def _grants(self, service: ServiceConfig) -> None:
        grants = [TaskGrant(intent=g.intent, resource=g.resource, prefix=g.prefix, path=g.path) for g in service.grants]
        apply_grants(self.service.task_definition.task_role, grants, scope=self.service)
        execution_role = self.service.task_definition.execution_role
        if service.secrets_kms_key_arns and execution_role is not None:
            execution_role.add_to_principal_policy(
                iam.PolicyStatement(actions=["kms:Decrypt"], resources=list(service.secrets_kms_key_arns))
            )

    # --- outputs for the helpers ----------------------------------------------------------

    def _outputs(self, launch: str, mode: str, strategy: list[Any]) -> None:
        service = self.service
        cdk.CfnOutput(self, outputs.SERVICE_NAME, value=service.service.service_name)
        cdk.CfnOutput(self, outputs.TASK_DEFINITION_ARN, value=service.task_definition.task_definition_arn)
        cdk.CfnOutput(self, outputs.TASK_FAMILY, value=service.task_definition.family)
        cdk.CfnOutput(self, outputs.CONTAINER_NAME, value=service.main_container_name)
        cdk.CfnOutput(self, outputs.LOG_GROUP_NAME, value=service.log_group.log_group_name)
        cdk.CfnOutput(self, outputs.LAUNCH_TYPE, value=launch.upper())
        cdk.CfnOutput(self, outputs.NETWORK_MODE, value=mode)
        cdk.CfnOutput(
            self, outputs.CAPACITY_STRATEGY, value=outputs.join_list([f"{i.provider}:{i.base}:{i.weight}" for i in strategy])
        )
        groups = [service.security_group.security_group_id] if service.security_group else []
        cdk.CfnOutput(
            self, outputs.TASK_SECURITY_GROUP_IDS, value=Fn.join(outputs.LIST_SEPARATOR, groups) if groups else outputs.EMPTY_LIST
        )
        target_groups = [str(entry["TargetGroupArn"]) for entry in service.load_balancers]
        cdk.CfnOutput(
            self,
            outputs.TARGET_GROUP_ARNS,
            value=Fn.join(outputs.LIST_SEPARATOR, target_groups) if target_groups else outputs.EMPTY_LIST,
        )
