"""admit and PortRange: one plain ingress rule, in the scope the caller chooses."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2

from ecs_toolkit.constructs import PortRange, admit
from tests.constructs.conftest import Example


def test_the_example_admits_the_web_instances_to_the_api_tasks_on_8080_only(example: Example) -> None:
    api_group = example.logical_id(example.built.api.security_group)
    spot_group = example.logical_id(example.built.spot.security_group)
    (rule,) = example.resources(
        "AWS::EC2::SecurityGroupIngress", GroupId={"Fn::GetAtt": [api_group, "GroupId"]}, FromPort=8080
    ).values()
    assert rule["Properties"] == {
        "GroupId": {"Fn::GetAtt": [api_group, "GroupId"]},
        "SourceSecurityGroupId": {"Fn::GetAtt": [spot_group, "GroupId"]},
        "IpProtocol": "tcp",
        "FromPort": 8080,
        "ToPort": 8080,
        "Description": "web calls api",
    }


def test_a_cidr_and_a_prefix_list_are_told_apart(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc)
    admit(stack, "Cidr", group=group, source="10.1.0.0/16", ports=PortRange("udp", 53, 53), description="dns")
    admit(stack, "List", group=group, source="pl-0123456789abcdef0", ports=PortRange.single(443), description="https")
    template = assertions.Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"CidrIp": "10.1.0.0/16", "IpProtocol": "udp", "FromPort": 53, "ToPort": 53}
    )
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"SourcePrefixListId": "pl-0123456789abcdef0", "IpProtocol": "tcp", "FromPort": 443}
    )


def test_port_range_defaults_to_tcp_and_rejects_other_protocols_and_bad_ranges() -> None:
    assert PortRange.single(80) == PortRange("tcp", 80, 80)
    with pytest.raises(ValueError, match="protocol must be tcp or udp, got 'icmp'"):
        PortRange("icmp", 0, 0)
    with pytest.raises(ValueError, match="9-8 is not a port range"):
        PortRange("tcp", 9, 8)
    with pytest.raises(ValueError, match="0-65536 is not a port range"):
        PortRange("tcp", 0, 65536)
