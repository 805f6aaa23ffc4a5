"""Ec2Capacity on Bottlerocket: the image id from SSM at deploy, TOML user data naming the cluster, the same
scoped instance role, encrypted OS and data volumes, and no host-port range to open."""

from __future__ import annotations

import tomllib
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from ecs_toolkit.constructs import Ec2Capacity
from ecs_toolkit.constructs.cluster import EcsCluster
from tests.conftest import new_app

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


def test_bottlerocket_opens_no_host_port_range_and_refuses_shell_user_data(rocket: tuple[Ec2Capacity, dict[str, Any]]) -> None:
    capacity, _ = rocket
    stack = cdk.Stack(new_app(), "Refusals")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)

    with pytest.raises(ValueError, match="no setting for the ECS agent's dynamic host-port range"):
        capacity.allow_host_ports_from(ec2.SecurityGroup(stack, "Lb", vpc=vpc))
    with pytest.raises(ValueError, match="runs no shell user data"):
        Ec2Capacity(
            stack,
            "Shell",
            vpc=vpc,
            instance_types=["m5.large"],
            max_capacity=1,
            bottlerocket=ecs.BottlerocketEcsVariant.AWS_ECS_2,
            user_data_commands=["echo hi"],
        )
    with pytest.raises(ValueError, match=r"writes settings ecs\.cluster itself"):
        Ec2Capacity(
            stack,
            "Owned",
            vpc=vpc,
            instance_types=["m5.large"],
            max_capacity=1,
            bottlerocket=ecs.BottlerocketEcsVariant.AWS_ECS_2,
            bottlerocket_settings={"ecs": {"cluster": "other"}},
        )
    with pytest.raises(ValueError, match="apply to Bottlerocket capacity only"):
        Ec2Capacity(stack, "Al", vpc=vpc, instance_types=["m5.large"], max_capacity=1, bottlerocket_settings={"a": 1})
