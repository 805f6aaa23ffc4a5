"""The platform stack: cluster, capacity providers, shared load balancer (they must share a stack)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import Duration, Fn, RemovalPolicy, Size
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from ecs_toolkit import outputs
from ecs_toolkit.config import derived
from ecs_toolkit.config.image_sources import repository_name
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.constructs.alarms import AlarmTopic
from ecs_toolkit.constructs.capacity import Ec2Capacity
from ecs_toolkit.constructs.cluster import EcsCluster, StrategyItem
from ecs_toolkit.constructs.dashboard import EnvironmentDashboard
from ecs_toolkit.constructs.file_system import ExistingFileSystem, SharedFileSystem
from ecs_toolkit.constructs.load_balancer import ImportedLoadBalancer, SharedLoadBalancer
from ecs_toolkit.constructs.network import imported_vpc, internal_subnets
from ecs_toolkit.constructs.repository import ImageRepository
from ecs_toolkit.stacks.common import attach_manifest_role_policy, removal_policy

CONTAINER_INSIGHTS = {
    "enhanced": ecs.ContainerInsights.ENHANCED,
    "enabled": ecs.ContainerInsights.ENABLED,
    "disabled": ecs.ContainerInsights.DISABLED,
}


AMI_HARDWARE = {
    "al2023": ecs.AmiHardwareType.STANDARD,
    "al2023-arm64": ecs.AmiHardwareType.ARM,
    "al2023-gpu": ecs.AmiHardwareType.GPU,
    "al2023-neuron": ecs.AmiHardwareType.NEURON,
}
"""The manifest's AMI variants as CDK's ECS-optimized Amazon Linux 2023 hardware types."""
BOTTLEROCKET_VARIANTS = {
    "bottlerocket": ecs.BottlerocketEcsVariant.AWS_ECS_2,
    "bottlerocket-arm64": ecs.BottlerocketEcsVariant.AWS_ECS_2,
    "bottlerocket-gpu": ecs.BottlerocketEcsVariant.AWS_ECS_2_NVIDIA,
}
"""The manifest's Bottlerocket AMIs as Bottlerocket's ECS variants (the architecture comes from the instance types)."""


class PlatformStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc | None,
        **kwargs: Any,
    ) -> None:
        """``vpc`` comes from the network stack; ``None`` imports the manifest's existing VPC here."""
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.vpc = vpc if vpc is not None else self._existing_vpc()
        vpc = self.vpc
        cluster_config = config.cluster
        self.ecs = EcsCluster(
            self,
            "Cluster",
            vpc=vpc,
            namespace=derived.namespace_of(config),
            container_insights=CONTAINER_INSIGHTS[cluster_config.container_insights],
            fargate=cluster_config.capacity.fargate,
            removal_policy=removal_policy(config),
        )
        self.cluster = self.ecs.cluster
        self.capacity_events = self._capacity_events_topic() if cluster_config.capacity.ec2 else None
        self.alarm_topic = AlarmTopic(
            self,
            "Alarms",
            emails=config.alarms.email,
            https_endpoints=config.alarms.https,
            removal_policy=removal_policy(config),
        )
        """Every alarm of the environment acts on this topic."""
        ports = cluster_config.host_port_range
        for group in cluster_config.capacity.ec2:
            capacity = Ec2Capacity(
                self,
                f"Ec2Group-{group.name}",
                vpc=vpc,
                vpc_subnets=internal_subnets(vpc),
                instance_types=group.instance_types,
                spot=group.spot,
                min_capacity=group.min,
                max_capacity=group.max,
                target_capacity_percent=group.target_capacity_percent,
                minimum_scaling_step_size=group.min_scaling_step,
                maximum_scaling_step_size=group.max_scaling_step,
                instance_warmup=Duration.seconds(group.instance_warmup_seconds),
                managed_termination_protection=group.managed_termination_protection,
                root_volume_size=Size.gibibytes(group.root_volume_gib),
                on_demand_base_capacity=group.on_demand_base,
                host_port_range=(ports.start, ports.end),
                arm64=derived.instance_architecture(group.instance_types[0]) == "arm64",
                notification_topic=self.capacity_events,
                hardware=AMI_HARDWARE.get(derived.ami_of(group)),
                user_data_commands=group.user_data,
                bottlerocket=BOTTLEROCKET_VARIANTS.get(derived.ami_of(group)),
                bottlerocket_settings=group.bottlerocket_settings,
            )
            if group.instance_role is not None:
                attach_manifest_role_policy(
                    capacity.role, scope=capacity, construct_id="InstanceRolePolicy", settings=group.instance_role
                )
            self.ecs.add_ec2_capacity(group.name, capacity)
        self.ecs.set_default_strategy(
            [StrategyItem(item.provider, weight=item.weight, base=item.base) for item in derived.cluster_strategy(config)]
        )
        self.file_systems = {name: self._file_system(name) for name in config.file_systems}
        self.repositories = {name: self._repository(name) for name in config.repositories}
        """The manifest's ECR repositories: services pull from them by name (``<environment>/<name>``)."""
        self._admit_instances_to_file_systems()
        self.load_balancer = self._load_balancer() if config.load_balancer is not None else None
        if self.load_balancer is not None:
            self._admit_load_balancer_to_instances(self.load_balancer)
        self.dashboard = EnvironmentDashboard(
            self,
            "Dashboard",
            dashboard_name=f"{config.name}-ecs",
            cluster_name=self.cluster.cluster_name,
            load_balancer_full_name=self._load_balancer_full_name(),
            ec2_capacity=bool(cluster_config.capacity.ec2),
            queue_name_term=config.name if any(s.scaling and s.scaling.queue for s in config.services.values()) else None,
        )
        self._outputs()

    def _existing_vpc(self) -> ec2.IVpc:
        existing = self.config.network.existing
        if existing is None:
            raise ValueError("PlatformStack: give a vpc or a manifest with network.existing")
        return imported_vpc(
            self,
            "Vpc",
            vpc_id=existing.vpc_id,
            vpc_cidr_block=existing.cidr,
            availability_zones=existing.availability_zones,
            private_subnet_ids=existing.private_subnet_ids,
            public_subnet_ids=existing.public_subnet_ids,
        )

    def _capacity_events_topic(self) -> sns.Topic:
        """Auto Scaling notifications, encrypted with a key that the Auto Scaling service role can use."""
        key = kms.Key(
            self,
            "CapacityEventsKey",
            description="Encrypts the EC2 capacity notifications topic",
            enable_key_rotation=True,
            removal_policy=removal_policy(self.config),
        )
        key.grant(
            iam.ArnPrincipal(
                self.format_arn(
                    service="iam",
                    region="",
                    resource="role",
                    resource_name="aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                )
            ),
            "kms:Decrypt",
            "kms:GenerateDataKey*",
        )
        return sns.Topic(self, "CapacityEvents", master_key=key, enforce_ssl=True)

    def _file_system(self, name: str) -> SharedFileSystem | ExistingFileSystem:
        settings = self.config.file_systems[name]
        if settings.existing is not None:
            return ExistingFileSystem(
                self,
                f"FileSystem-{name}",
                file_system_id=settings.existing.id,
                security_group_id=settings.existing.security_group_id,
            )
        return SharedFileSystem(
            self,
            f"FileSystem-{name}",
            vpc=self.vpc,
            subnets=internal_subnets(self.vpc),
            kms_key_arn=settings.kms_key_arn,
            performance_mode=settings.performance_mode,
            throughput_mode=settings.throughput_mode,
            provisioned_throughput_mibps=settings.provisioned_throughput_mibps,
            infrequent_access_after_days=settings.infrequent_access_after_days,
            backups=settings.backups,
            removal_policy=RemovalPolicy.DESTROY
            if derived.file_system_removal(self.config, name) == "destroy"
            else RemovalPolicy.RETAIN,
        )

    def _repository(self, name: str) -> ImageRepository:
        settings = self.config.repositories[name]
        return ImageRepository(
            self,
            f"Repository-{name}",
            repository_name=repository_name(self.config, name),
            scan_on_push=settings.scan_on_push,
            immutable_tags=settings.immutable_tags,
            keep_last=settings.lifecycle.keep_last,
            untagged_expire_days=settings.lifecycle.untagged_expire_days,
            kms_key_arn=settings.kms_key_arn,
            removal_policy=RemovalPolicy.DESTROY
            if derived.repository_removal(self.config, name) == "destroy"
            else RemovalPolicy.RETAIN,
        )

    def _admit_instances_to_file_systems(self) -> None:
        """Bridge and host-mode tasks mount through their instance: admit those groups' instances (once)."""
        for service in self.config.services.values():
            if derived.network_mode_of(self.config, service) == "awsvpc":
                continue
            groups = [
                self.ecs.ec2_capacity[i.provider]
                for i in derived.service_strategy(self.config, service)
                if i.provider in self.ecs.ec2_capacity
            ]
            for fs_name in service.volumes:
                self.file_systems[fs_name].allow_clients([group.security_group for group in groups])

    def _load_balancer_full_name(self) -> str | None:
        if isinstance(self.load_balancer, ImportedLoadBalancer):
            return self.load_balancer.full_name
        return self.load_balancer.load_balancer.load_balancer_full_name if self.load_balancer else None

    def _load_balancer(self) -> SharedLoadBalancer | ImportedLoadBalancer:
        settings = self.config.load_balancer
        assert settings is not None
        if settings.existing is not None:
            existing = settings.existing
            return ImportedLoadBalancer(
                self,
                "LoadBalancer",
                load_balancer_arn=existing.arn,
                listener_arn=existing.listener_arn,
                security_group_id=existing.security_group_id,
                dns_name=existing.dns_name,
                https=existing.certificate,
            )
        return SharedLoadBalancer(
            self,
            "LoadBalancer",
            vpc=self.vpc,
            public=settings.public,
            certificate_arn=settings.certificate_arn,
            idle_timeout=Duration.seconds(settings.idle_timeout_seconds),
            access_log_retention=Duration.days(settings.access_log_retention_days),
            removal_policy=removal_policy(self.config),
            test_port=settings.test_listener.port if derived.needs_test_listener(self.config) else None,
            test_clients=settings.test_listener.allow_from,
        )

    def _admit_load_balancer_to_instances(self, load_balancer: SharedLoadBalancer | ImportedLoadBalancer) -> None:
        """Open each EC2 group to the ALB: the pinned range for bridge services, the ports for host mode (each
        route's target port, another container's port of an additional route, and the health-check port)."""
        for name, service in self.config.services.items():
            if service.route is None or derived.launch_of(self.config, service) != "ec2":
                continue
            mode = derived.network_mode_of(self.config, service)
            for item in derived.service_strategy(self.config, service):
                capacity = self.ecs.ec2_capacity.get(item.provider)
                if capacity is None:
                    continue
                if mode == "bridge":
                    capacity.allow_host_ports_from(load_balancer.security_group)
                elif mode == "host":
                    for port in derived.load_balancer_ports(name, service):
                        capacity.security_group.connections.allow_from(
                            load_balancer.security_group, ec2.Port.tcp(port), "Host-mode port from the load balancer"
                        )

    def _outputs(self) -> None:
        cdk.CfnOutput(self, outputs.ALARM_TOPIC_ARN, value=self.alarm_topic.topic.topic_arn)
        existing = self.config.network.existing
        if existing is not None:
            cdk.CfnOutput(self, outputs.VPC_ID, value=existing.vpc_id)
            cdk.CfnOutput(self, outputs.PRIVATE_SUBNET_IDS, value=outputs.join_list(existing.private_subnet_ids))
            cdk.CfnOutput(self, outputs.PUBLIC_SUBNET_IDS, value=outputs.join_list(existing.public_subnet_ids))
        cdk.CfnOutput(self, outputs.CLUSTER_NAME, value=self.cluster.cluster_name)
        cdk.CfnOutput(self, outputs.CLUSTER_ARN, value=self.cluster.cluster_arn)
        providers = [self.ecs.provider_name(name) for name in derived.provider_names(self.config)]
        cdk.CfnOutput(
            self,
            outputs.CAPACITY_PROVIDERS,
            value=Fn.join(outputs.LIST_SEPARATOR, providers) if providers else outputs.EMPTY_LIST,
        )
        cdk.CfnOutput(self, outputs.EC2_GROUPS, value=outputs.join_list(list(self.ecs.ec2_capacity)))
        for name, capacity in self.ecs.ec2_capacity.items():
            cdk.CfnOutput(self, outputs.ec2_group_asg_key(name), value=capacity.auto_scaling_group.auto_scaling_group_name)
            cdk.CfnOutput(self, outputs.ec2_group_provider_key(name), value=capacity.capacity_provider.capacity_provider_name)
        namespace = self.cluster.default_cloud_map_namespace
        if namespace is not None:
            cdk.CfnOutput(self, outputs.NAMESPACE_NAME, value=namespace.namespace_name)
        cdk.CfnOutput(self, outputs.EXEC_LOG_GROUP, value=self.ecs.exec_log_group.log_group_name)
        for name, repository in self.repositories.items():
            cdk.CfnOutput(self, outputs.repository_uri_key(name), value=repository.repository.repository_uri)
        if self.load_balancer is not None:
            cdk.CfnOutput(self, outputs.LOAD_BALANCER_DNS, value=self.load_balancer.load_balancer.load_balancer_dns_name)
            cdk.CfnOutput(self, outputs.LOAD_BALANCER_ARN, value=self.load_balancer.load_balancer.load_balancer_arn)
