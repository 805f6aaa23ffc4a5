"""Ec2Capacity: a launch-template Auto Scaling group with a managed capacity provider, pinned host ports;
Bottlerocket capacity (TOML user data, the image from SSM at deploy, no host-port range)."""

from __future__ import annotations

import tomllib
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import Ec2Capacity
from ecs_toolkit.constructs.capacity import DEFAULT_HOST_PORT_RANGE
from ecs_toolkit.constructs.cluster import EcsCluster
from tests.conftest import new_app
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


# --- Bottlerocket -----------------------------------------------------------------------------

CLUSTER = "CLUSTER-NAME"


@pytest.fixture(scope="module")
def rocket() -> tuple[Ec2Capacity, dict[str, Any]]:
    stack = cdk.Stack(new_app(), "Rocket")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    capacity = Ec2Capacity(
        stack,
        "Rocket",
        vpc=vpc,
        instance_types=["m7g.large"],
        max_capacity=2,
        spot=True,
        arm64=True,
        bottlerocket=ecs.BottlerocketEcsVariant.AWS_ECS_2,
        bottlerocket_settings={"kernel": {"sysctl": {"net.core.somaxconn": "4096"}}, "ecs": {"image-pull-behavior": "once"}},
    )
    cluster.add_ec2_capacity("rocket", capacity)
    return capacity, cdk.assertions.Template.from_stack(stack).to_json()


def _resources(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v["Properties"] for k, v in template["Resources"].items() if v["Type"] == kind}


def _user_data(template: dict[str, Any]) -> dict[str, Any]:
    """The launch template's TOML, with the cluster's Ref put back as a name."""
    (data,) = [p["LaunchTemplateData"] for p in _resources(template, "AWS::EC2::LaunchTemplate").values()]
    parts = data["UserData"]["Fn::Base64"]["Fn::Join"][1]
    text = "".join(CLUSTER if isinstance(part, dict) and "Ref" in part else part for part in parts)
    return tomllib.loads(text)


def test_user_data_is_one_toml_document_with_the_cluster_the_agent_settings_and_the_manifest_settings(
    rocket: tuple[Ec2Capacity, dict[str, Any]],
) -> None:
    _, template = rocket

    assert _user_data(template) == {
        "settings": {
            "ecs": {
                "cluster": CLUSTER,
                "awsvpc-block-imds": True,
                "enable-spot-instance-draining": True,
                "image-pull-behavior": "once",
            },
            "kernel": {"sysctl": {"net.core.somaxconn": "4096"}},
        }
    }


def test_the_image_is_bottlerocket_s_ssm_parameter_resolved_at_deploy(rocket: tuple[Ec2Capacity, dict[str, Any]]) -> None:
    _, template = rocket
    (data,) = [p["LaunchTemplateData"] for p in _resources(template, "AWS::EC2::LaunchTemplate").values()]
    parameter = template["Parameters"][data["ImageId"]["Ref"]]

    assert parameter == {
        "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Default": "/aws/service/bottlerocket/aws-ecs-2/arm64/latest/image_id",
    }


def test_os_and_data_volumes_are_encrypted_and_the_role_gets_no_managed_policy(
    rocket: tuple[Ec2Capacity, dict[str, Any]],
) -> None:
    _, template = rocket
    (data,) = [p["LaunchTemplateData"] for p in _resources(template, "AWS::EC2::LaunchTemplate").values()]
    roles = _resources(template, "AWS::IAM::Role")
    (instance_role,) = [p for k, p in roles.items() if k.startswith("RocketInstanceRole")]

    assert [(m["DeviceName"], m["Ebs"]["Encrypted"], m["Ebs"].get("VolumeSize")) for m in data["BlockDeviceMappings"]] == [
        ("/dev/xvda", True, None),
        ("/dev/xvdb", True, 30),
    ]
    assert "ManagedPolicyArns" not in instance_role


def _host_container_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    policies = _resources(template, "AWS::IAM::Policy").values()
    return [s for p in policies for s in p["PolicyDocument"]["Statement"] if s.get("Sid") == "BottlerocketHostContainers"]


def test_the_instance_role_may_pull_exactly_bottlerocket_s_host_containers(rocket: tuple[Ec2Capacity, dict[str, Any]]) -> None:
    _, template = rocket
    (statement,) = _host_container_statements(template)
    assert statement["Action"] == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [
        "".join(part if isinstance(part, str) else next(iter(part.values())) for part in r["Fn::Join"][1])
        for r in statement["Resource"]
    ]
    expected = [f"arn:AWS::Partition:ecr:AWS::Region:*:repository/bottlerocket-{name}" for name in ("admin", "control")]
    assert sorted(resources) == expected


def test_amazon_linux_instances_get_no_bottlerocket_repository_grant(example: Example) -> None:
    assert _host_container_statements(example.template.to_json()) == []


def test_bottlerocket_opens_no_host_port_range_and_refuses_shell_user_data(rocket: tuple[Ec2Capacity, dict[str, Any]]) -> None:
    capacity, _ = rocket
    stack = cdk.Stack(new_app(), "Refusals")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)

    with pytest.raises(
        ValueError,
        match="Bottlerocket has no setting for the ECS agent's dynamic host-port range, so no pinned range can be opened; "
        "run bridge-mode services on Amazon Linux capacity",
    ):
        capacity.allow_host_ports_from(ec2.SecurityGroup(stack, "Lb", vpc=vpc))
    with pytest.raises(ValueError, match="Bottlerocket runs no shell user data; give bottlerocket_settings instead"):
        Ec2Capacity(
            stack,
            "Shell",
            vpc=vpc,
            instance_types=["m5.large"],
            max_capacity=1,
            bottlerocket=ecs.BottlerocketEcsVariant.AWS_ECS_2,
            user_data_commands=["echo hi"],
        )
    with pytest.raises(ValueError, match=r"the construct writes settings ecs\.cluster itself"):
        Ec2Capacity(
            stack,
            "Owned",
            vpc=vpc,
            instance_types=["m5.large"],
            max_capacity=1,
            bottlerocket=ecs.BottlerocketEcsVariant.AWS_ECS_2,
            bottlerocket_settings={"ecs": {"cluster": "other"}},
        )
    with pytest.raises(ValueError, match="hardware picks an Amazon Linux 2023 AMI; Bottlerocket takes bottlerocket"):
        Ec2Capacity(
            stack,
            "Hardware",
            vpc=vpc,
            instance_types=["m5.large"],
            max_capacity=1,
            bottlerocket=ecs.BottlerocketEcsVariant.AWS_ECS_2,
            hardware=ecs.AmiHardwareType.STANDARD,
        )
    with pytest.raises(ValueError, match=r"use the aws-ecs-2 Bottlerocket variants \(AWS_ECS_2, AWS_ECS_2_NVIDIA\)"):
        Ec2Capacity(
            stack, "Old", vpc=vpc, instance_types=["m5.large"], max_capacity=1, bottlerocket=ecs.BottlerocketEcsVariant.AWS_ECS_1
        )
    with pytest.raises(ValueError, match="bottlerocket_settings apply to Bottlerocket capacity only"):
        Ec2Capacity(stack, "Al", vpc=vpc, instance_types=["m5.large"], max_capacity=1, bottlerocket_settings={"a": 1})
