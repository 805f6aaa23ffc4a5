"""EC2 capacity for a cluster: launch template, Auto Scaling group and an ECS capacity provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tomli_w
from aws_cdk import Duration, Fn, Size, Stack, Token
from aws_cdk import aws_autoscaling as autoscaling
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from ecs_toolkit.compliance import acknowledge, skip_checkov

DEFAULT_HOST_PORT_RANGE = (61000, 61999)
"""Outside AL2023's ephemeral range (32768-60999): host ports never clash with outbound connections."""
BOTTLEROCKET_OWNED_SETTINGS = ("ecs.cluster", "ecs.awsvpc-block-imds", "ecs.enable-spot-instance-draining")
"""Bottlerocket settings the construct writes itself (``settings.`` omitted)."""


class Ec2Capacity(Construct):
    """An Auto Scaling group of ECS-optimized Amazon Linux 2023 instances and its capacity provider.

    - launch template (never a launch configuration), IMDSv2 required with hop limit 1 so
      bridge-mode containers cannot reach the instance's credentials, encrypted gp3 root volume;
    - on-demand or Spot (mixed instances, price-capacity-optimized, capacity rebalancing);
    - the agent's dynamic host ports pinned to ``host_port_range`` (open it from the load balancer
      with ``allow_host_ports_from``), and Spot draining written into the agent configuration
      (CDK's own switch is a no-op for mixed-instance groups);
    - managed scaling and managed instance draining; managed termination protection off by
      default so ``cdk destroy`` does not hang on protected instances.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        instance_types: Sequence[str],
        spot: bool = False,
        min_capacity: int = 0,
        max_capacity: int,
        vpc_subnets: ec2.SubnetSelection | None = None,
        target_capacity_percent: int = 100,
        minimum_scaling_step_size: int = 1,
        maximum_scaling_step_size: int = 10,
        instance_warmup: Duration = Duration.seconds(180),
        managed_termination_protection: bool = False,
        root_volume_size: Size = Size.gibibytes(30),
        on_demand_base_capacity: int = 0,
        host_port_range: tuple[int, int] = DEFAULT_HOST_PORT_RANGE,
        arm64: bool = False,
        notification_topic: sns.ITopic | None = None,
        hardware: ecs.AmiHardwareType | None = None,
        user_data_commands: Sequence[str] = (),
        bottlerocket: ecs.BottlerocketEcsVariant | None = None,
        bottlerocket_settings: Mapping[str, Any] | None = None,
    ) -> None:
        """``hardware`` picks the ECS-optimized Amazon Linux 2023 variant (``STANDARD``, ``ARM``, ``GPU``,
        ``NEURON``); by default ``ARM`` when ``arm64`` else ``STANDARD``. ``user_data_commands`` run after
        the agent settings.

        ``bottlerocket`` (``AWS_ECS_2`` or ``AWS_ECS_2_NVIDIA``) runs Bottlerocket instead, its image id an SSM
        parameter resolved at deploy. Its user data is TOML: the cluster (written when the group joins one),
        ``awsvpc-block-imds`` and, on Spot, ``enable-spot-instance-draining``, merged with
        ``bottlerocket_settings`` (the keys under ``settings``, as a mapping). Bottlerocket has no setting for
        the ECS agent's dynamic host-port range, so its instances admit no host-port range
        (``allow_host_ports_from`` refuses): run bridge-mode services on Amazon Linux groups."""
        super().__init__(scope, construct_id)
        if not instance_types:
            raise ValueError("Ec2Capacity: give at least one instance type")
        if min_capacity > max_capacity:
            raise ValueError(f"Ec2Capacity: min_capacity {min_capacity} is greater than max_capacity {max_capacity}")
        if not 1 <= target_capacity_percent <= 100:
            raise ValueError(f"Ec2Capacity: target_capacity_percent must be 1-100, got {target_capacity_percent}")
        if host_port_range[0] > host_port_range[1]:
            raise ValueError(f"Ec2Capacity: host_port_range {host_port_range} is reversed")
        if on_demand_base_capacity and not spot:
            raise ValueError("Ec2Capacity: on_demand_base_capacity applies to Spot capacity only")
        if bottlerocket is None and bottlerocket_settings:
            raise ValueError("Ec2Capacity: bottlerocket_settings apply to Bottlerocket capacity only")
        if bottlerocket is not None:
            if user_data_commands:
                raise ValueError("Ec2Capacity: Bottlerocket runs no shell user data; give bottlerocket_settings instead")
            if hardware is not None:
                raise ValueError("Ec2Capacity: hardware picks an Amazon Linux 2023 AMI; Bottlerocket takes bottlerocket")
            if bottlerocket not in (ecs.BottlerocketEcsVariant.AWS_ECS_2, ecs.BottlerocketEcsVariant.AWS_ECS_2_NVIDIA):
                raise ValueError("Ec2Capacity: use the aws-ecs-2 Bottlerocket variants (AWS_ECS_2, AWS_ECS_2_NVIDIA)")
            owned = [key for key in BOTTLEROCKET_OWNED_SETTINGS if _has_setting(bottlerocket_settings or {}, key)]
            if owned:
                raise ValueError(f"Ec2Capacity: the construct writes settings {', '.join(owned)} itself")
        hardware = hardware or (ecs.AmiHardwareType.ARM if arm64 else ecs.AmiHardwareType.STANDARD)
        if (hardware == ecs.AmiHardwareType.ARM) != arm64:
            raise ValueError(f"Ec2Capacity: the {hardware.name} AMI does not match arm64={arm64}")
        self.bottlerocket = bottlerocket
        self._bottlerocket_settings = dict(bottlerocket_settings or {})
        self._spot = spot
        self.host_port_range = host_port_range
        self.host_ports = ec2.Port.tcp_range(*host_port_range)
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, description="ECS container instances", allow_all_outbound=True
        )
        self.role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="ECS container instance: the ECS agent and SSM Session Manager",
        )
        self._grant_session_manager(self.role)
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Session Manager's ssmmessages/ec2messages actions and the ECS agent's ecs:DiscoverPollEndpoint, "
            "ecr:GetAuthorizationToken and ecs:Poll (conditioned on this cluster) support no resource-level scoping",
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Action::ecs:Submit*]",
            "The ECS agent's state-change reports (ecs:Submit*), granted by CDK on this cluster's ARN only",
        )
        skip_checkov(
            self.role.node.find_child("DefaultPolicy"),
            "CKV_AWS_111",
            "Session Manager's ssmmessages/ec2messages actions and the ECS agent's registration support no resource-level "
            "scoping; the agent's other writes are scoped to this cluster by CDK",
        )
        machine_image: ec2.IMachineImage
        if bottlerocket is None:
            self.user_data = ec2.UserData.for_linux()
            self.user_data.add_commands(
                *self.agent_settings(host_port_range=host_port_range, spot=spot, gpu=hardware == ecs.AmiHardwareType.GPU)
            )
            if user_data_commands:
                self.user_data.add_commands(*user_data_commands)
            machine_image = ecs.EcsOptimizedImage.amazon_linux2023(hardware)
        else:
            # Replaced by the TOML settings when the group joins a cluster (join_cluster).
            self.user_data = ec2.UserData.custom("")
            self._grant_host_containers(self.role)
            machine_image = ecs.BottleRocketImage(
                variant=bottlerocket,
                architecture=ec2.InstanceArchitecture.ARM_64 if arm64 else ec2.InstanceArchitecture.X86_64,
            )
        self.hardware = hardware
        self.launch_template = ec2.LaunchTemplate(
            self,
            "LaunchTemplate",
            machine_image=machine_image,
            instance_type=ec2.InstanceType(instance_types[0]),
            role=self.role,
            security_group=self.security_group,
            user_data=self.user_data,
            require_imdsv2=True,
            http_put_response_hop_limit=1,
            block_devices=self._block_devices(root_volume_size),
        )
        mixed = spot or len(instance_types) > 1
        self.auto_scaling_group = autoscaling.AutoScalingGroup(
            self,
            "AutoScalingGroup",
            vpc=vpc,
            vpc_subnets=vpc_subnets,
            min_capacity=min_capacity,
            max_capacity=max_capacity,
            launch_template=None if mixed else self.launch_template,
            mixed_instances_policy=self._mixed_instances(instance_types, spot, on_demand_base_capacity) if mixed else None,
            capacity_rebalance=spot or None,
            new_instances_protected_from_scale_in=managed_termination_protection,
            notifications=[autoscaling.NotificationConfiguration(topic=notification_topic)] if notification_topic else None,
            default_instance_warmup=instance_warmup,
        )
        if mixed:
            acknowledge(
                self.auto_scaling_group,
                "AwsSolutions-EC26",
                "The rule cannot read a mixed-instances policy; the launch template's root volume is encrypted (tested)",
            )
        self.capacity_provider = ecs.AsgCapacityProvider(
            self,
            "CapacityProvider",
            auto_scaling_group=self.auto_scaling_group,
            enable_managed_scaling=True,
            target_capacity_percent=target_capacity_percent,
            minimum_scaling_step_size=minimum_scaling_step_size,
            maximum_scaling_step_size=maximum_scaling_step_size,
            instance_warmup_period=int(instance_warmup.to_seconds()),
            enable_managed_termination_protection=managed_termination_protection,
            enable_managed_draining=True,
            # Also for Bottlerocket: CDK's BOTTLEROCKET type would attach AmazonSSMManagedInstanceCore and
            # AmazonEC2ContainerServiceforEC2Role; the role keeps its scoped statements, and join_cluster
            # replaces the user data CDK appends.
            machine_image_type=ecs.MachineImageType.AMAZON_LINUX_2,
        )

    def _block_devices(self, size: Size) -> list[ec2.BlockDevice]:
        """Encrypted gp3. Amazon Linux: one root volume of ``size``. Bottlerocket: the OS volume (/dev/xvda, the
        image's own size) and the data volume for images and containers (/dev/xvdb) of ``size``."""
        data = ec2.BlockDeviceVolume.ebs(
            int(size.to_gibibytes()), encrypted=True, delete_on_termination=True, volume_type=ec2.EbsDeviceVolumeType.GP3
        )
        if self.bottlerocket is None:
            return [ec2.BlockDevice(device_name="/dev/xvda", volume=data)]
        system = ec2.BlockDeviceVolume(
            ebs_device=ec2.EbsDeviceProps(encrypted=True, delete_on_termination=True, volume_type=ec2.EbsDeviceVolumeType.GP3)
        )
        return [ec2.BlockDevice(device_name="/dev/xvda", volume=system), ec2.BlockDevice(device_name="/dev/xvdb", volume=data)]

    def join_cluster(self, cluster_name: str) -> None:
        """Bottlerocket: write the user data, which names the cluster (called by ``EcsCluster.add_ec2_capacity``).

        CDK's cluster integration appends its own lines to the user data (shell lines for Amazon Linux); the
        whole TOML document replaces them here, so the settings stay one valid document."""
        if self.bottlerocket is None:
            return
        template = self.launch_template.node.default_child
        assert isinstance(template, ec2.CfnLaunchTemplate)
        template.add_property_override("LaunchTemplateData.UserData", Fn.base64(self.bottlerocket_user_data(cluster_name)))

    def bottlerocket_user_data(self, cluster_name: str) -> str:
        """The TOML user data: the construct's ECS settings merged with ``bottlerocket_settings``."""
        ecs_settings: dict[str, Any] = {"cluster": cluster_name, "awsvpc-block-imds": True}
        if self._spot:
            ecs_settings["enable-spot-instance-draining"] = True
        settings = _merge(self._bottlerocket_settings, {"ecs": ecs_settings})
        return tomli_w.dumps({"settings": settings})

    @staticmethod
    def agent_settings(*, host_port_range: tuple[int, int], spot: bool, gpu: bool = False) -> list[str]:
        """Lines appended to /etc/ecs/ecs.config before the agent starts."""
        settings = [f"ECS_DYNAMIC_HOST_PORT_RANGE={host_port_range[0]}-{host_port_range[1]}", "ECS_AWSVPC_BLOCK_IMDS=true"]
        if gpu:
            settings.append("ECS_ENABLE_GPU_SUPPORT=true")
        if spot:
            settings.append("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true")
        return [f"echo {setting} >> /etc/ecs/ecs.config" for setting in settings]

    def allow_host_ports_from(self, peer: ec2.IConnectable) -> None:
        """Admit exactly the pinned dynamic host-port range, only from ``peer`` (the load balancer)."""
        if self.bottlerocket is not None:
            raise ValueError(
                "Ec2Capacity: Bottlerocket has no setting for the ECS agent's dynamic host-port range, so no pinned "
                "range can be opened; run bridge-mode services on Amazon Linux capacity"
            )
        self.security_group.connections.allow_from(peer, self.host_ports, "Dynamic host ports from the load balancer")

    def _mixed_instances(
        self, instance_types: Sequence[str], spot: bool, on_demand_base_capacity: int
    ) -> autoscaling.MixedInstancesPolicy:
        return autoscaling.MixedInstancesPolicy(
            launch_template=self.launch_template,
            launch_template_overrides=[
                autoscaling.LaunchTemplateOverrides(instance_type=ec2.InstanceType(kind)) for kind in instance_types
            ],
            instances_distribution=autoscaling.InstancesDistribution(
                on_demand_base_capacity=on_demand_base_capacity,
                on_demand_percentage_above_base_capacity=0 if spot else 100,
                spot_allocation_strategy=autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
                on_demand_allocation_strategy=autoscaling.OnDemandAllocationStrategy.LOWEST_PRICE,
            ),
        )

    @staticmethod
    def _grant_host_containers(role: iam.Role) -> None:
        """Bottlerocket pulls its host containers (``control``, which Session Manager reaches, and ``admin``) from
        AWS's ECR repositories with the instance's own credentials. Their account differs by region, so the
        statement names the two repositories in this region of any account."""
        stack = Stack.of(role)
        names = ("control", "admin")

        def repository_arn(partition: str, region: str, name: str) -> str:
            return f"arn:{partition}:ecr:{region}:*:repository/bottlerocket-{name}"

        role.add_to_policy(
            iam.PolicyStatement(
                sid="BottlerocketHostContainers",
                actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                resources=[repository_arn(stack.partition, stack.region, name) for name in names],
            )
        )
        # cdk-nag names the resource as written, a deploy-time partition or region as <AWS::...>.
        partition = "<AWS::Partition>" if Token.is_unresolved(stack.partition) else stack.partition
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        for name in names:
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::{repository_arn(partition, region, name)}]",
                "Bottlerocket's control and admin host containers live in an AWS account that differs by region; the "
                "statement names only those two repositories, read-only",
            )

    @staticmethod
    def _grant_session_manager(role: iam.Role) -> None:
        """What AmazonSSMManagedInstanceCore gives Session Manager, minus the parameter and document reads."""
        role.add_to_policy(
            iam.PolicyStatement(
                sid="SessionManager",
                actions=[
                    "ssm:UpdateInstanceInformation",
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                    "ec2messages:AcknowledgeMessage",
                    "ec2messages:DeleteMessage",
                    "ec2messages:FailMessage",
                    "ec2messages:GetEndpoint",
                    "ec2messages:GetMessages",
                    "ec2messages:SendReply",
                ],
                resources=["*"],
            )
        )


def _has_setting(settings: Mapping[str, Any], dotted: str) -> bool:
    node: Any = settings
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``extra`` merged into ``base``, tables key by key."""
    merged = dict(base)
    for key, value in extra.items():
        current = merged.get(key)
        merged[key] = _merge(current, value) if isinstance(current, Mapping) and isinstance(value, Mapping) else value
    return merged
