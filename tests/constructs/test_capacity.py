"""Ec2Capacity: a launch-template Auto Scaling group with a managed capacity provider, pinned host ports."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import Ec2Capacity
from ecs_toolkit.constructs.capacity import DEFAULT_HOST_PORT_RANGE
from tests.constructs.conftest import Example


def test_the_example_spot_group_is_a_mixed_instances_group_on_a_launch_template(example: Example) -> None:
    example.template.resource_count_is("AWS::AutoScaling::LaunchConfiguration", 0)
    example.template.has_resource_properties(
        "AWS::AutoScaling::AutoScalingGroup",
        {
            "MinSize": "0",
            "MaxSize": "4",
            "CapacityRebalance": True,
            "MixedInstancesPolicy": Match.object_like(
                {"InstancesDistribution": Match.object_like({"OnDemandPercentageAboveBaseCapacity": 0})}
            ),
            "NotificationConfigurations": Match.any_value(),
        },
    )


def test_defaults_imdsv2_encrypted_gp3_root_and_managed_draining_without_termination_protection(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::EC2::LaunchTemplate",
        {
            "LaunchTemplateData": Match.object_like(
                {
                    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1},
                    "BlockDeviceMappings": [
                        Match.object_like({"Ebs": Match.object_like({"Encrypted": True, "VolumeSize": 30, "VolumeType": "gp3"})})
                    ],
                }
            )
        },
    )
    example.template.has_resource_properties(
        "AWS::ECS::CapacityProvider",
        {
            "AutoScalingGroupProvider": Match.object_like(
                {
                    "ManagedDraining": "ENABLED",
                    "ManagedTerminationProtection": "DISABLED",
                    "ManagedScaling": Match.object_like({"TargetCapacity": 100, "InstanceWarmupPeriod": 180}),
                }
            )
        },
    )
    assert example.built.spot.host_port_range == DEFAULT_HOST_PORT_RANGE == (61000, 61999)


def test_allow_host_ports_from_opens_exactly_the_pinned_range(example: Example) -> None:
    rules = example.resources("AWS::EC2::SecurityGroupIngress", FromPort=61000, ToPort=61999)
    assert len(rules) == 1
    assert not example.resources("AWS::EC2::SecurityGroupIngress", FromPort=32768)


def test_capacity_rejects_bad_sizes_and_port_ranges(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    with pytest.raises(ValueError, match="give at least one instance type"):
        Ec2Capacity(stack, "None", vpc=vpc, instance_types=[], max_capacity=1)
    with pytest.raises(ValueError, match="min_capacity 3 is greater than max_capacity 2"):
        Ec2Capacity(stack, "Size", vpc=vpc, instance_types=["t3.small"], min_capacity=3, max_capacity=2)
    with pytest.raises(ValueError, match="reversed"):
        Ec2Capacity(stack, "Ports", vpc=vpc, instance_types=["t3.small"], max_capacity=2, host_port_range=(62000, 61000))
    with pytest.raises(ValueError, match="on_demand_base_capacity applies to Spot capacity only"):
        Ec2Capacity(stack, "Base", vpc=vpc, instance_types=["t3.small"], max_capacity=2, on_demand_base_capacity=1)


@pytest.mark.parametrize("percent", [0, 101])
def test_capacity_rejects_a_target_capacity_outside_1_to_100(stack: cdk.Stack, vpc: ec2.IVpc, percent: int) -> None:
    with pytest.raises(ValueError, match=f"target_capacity_percent must be 1-100, got {percent}"):
        Ec2Capacity(stack, "Target", vpc=vpc, instance_types=["t3.small"], max_capacity=2, target_capacity_percent=percent)


def test_capacity_agent_settings_pin_the_range_and_drain_spot() -> None:
    settings = Ec2Capacity.agent_settings(host_port_range=(62000, 62999), spot=True)
    assert "echo ECS_DYNAMIC_HOST_PORT_RANGE=62000-62999 >> /etc/ecs/ecs.config" in settings
    assert "echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config" in settings
    assert not any("SPOT" in line for line in Ec2Capacity.agent_settings(host_port_range=(62000, 62999), spot=False))


def test_capacity_boots_the_ami_it_is_given_and_refuses_one_that_does_not_fit_the_architecture(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    with pytest.raises(ValueError, match="the GPU AMI does not match arm64=True"):
        Ec2Capacity(
            stack, "ArmGpu", vpc=vpc, instance_types=["g5g.xlarge"], max_capacity=2, arm64=True, hardware=ecs.AmiHardwareType.GPU
        )
    with pytest.raises(ValueError, match="AMI does not match arm64"):
        Ec2Capacity(stack, "X86Arm", vpc=vpc, instance_types=["m5.large"], max_capacity=2, hardware=ecs.AmiHardwareType.ARM)
    gpu = Ec2Capacity(
        stack,
        "Gpu",
        vpc=vpc,
        instance_types=["g5.xlarge"],
        max_capacity=2,
        hardware=ecs.AmiHardwareType.GPU,
        user_data_commands=["echo extra"],
    )

    rendered = gpu.user_data.render()
    assert gpu.hardware == ecs.AmiHardwareType.GPU
    assert rendered.index("ECS_ENABLE_GPU_SUPPORT=true") < rendered.index("echo extra")
    assert "ECS_ENABLE_GPU_SUPPORT" not in "\n".join(Ec2Capacity.agent_settings(host_port_range=(62000, 62999), spot=False))
