"""The proof on small hand-built templates: each path open or closed for the reason the templates give."""

from __future__ import annotations

from typing import Any

from ecs_toolkit.verify import Finding, verify
from ecs_toolkit.verify.findings import CLOSED, OPEN, UNINTENDED
from tests.verify.templates import PLATFORM, SERVICE, assembly, att, config, imported, platform, service


def _by_category(findings: list[Finding], category: str) -> list[Finding]:
    return [finding for finding in findings if finding.category == category]


def _add(template: dict[str, Any], logical_id: str, kind: str, **properties: Any) -> None:
    template["Resources"][logical_id] = {"Type": kind, "Properties": properties}


def test_alb_to_awsvpc_tasks_is_open_through_an_imported_group() -> None:
    findings = verify(assembly(platform(), service()), config())
    assert [(f.category, f.status) for f in findings if f.category in ("listener", "load balancer", "health check")] == [
        ("listener", OPEN),
        ("load balancer", OPEN),
        ("health check", OPEN),
    ]
    assert not [f for f in findings if f.failed]


def test_tasks_without_the_rule_are_closed_and_the_missing_rule_is_named() -> None:
    template = service()
    del template["Resources"]["FromAlb"]
    (traffic,) = _by_category(verify(assembly(platform(), template), config()), "load balancer")
    assert traffic.status == CLOSED
    assert traffic.detail == f"no ingress rule on {SERVICE}/TaskGroup admits {PLATFORM}/AlbGroup on tcp/8080"


def test_a_rule_for_another_port_leaves_the_path_closed() -> None:
    template = service()
    template["Resources"]["FromAlb"]["Properties"].update(FromPort=8081, ToPort=8081)
    findings = verify(assembly(platform(), template), config())
    assert [f.status for f in _by_category(findings, "load balancer")] == [CLOSED]
    (exposure,) = _by_category(findings, "exposure")
    assert exposure.status == UNINTENDED
    assert exposure.path == f"{PLATFORM}/AlbGroup -> {SERVICE}/TaskGroup (tcp/8081)"


def test_alb_egress_that_stops_short_of_the_tasks_closes_the_path() -> None:
    base = platform()
    base["Resources"]["AlbGroup"]["Properties"]["SecurityGroupEgress"] = [
        {"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}
    ]
    (traffic,) = _by_category(verify(assembly(base, service()), config()), "load balancer")
    assert traffic.status == CLOSED
    assert traffic.detail == f"the egress of {PLATFORM}/AlbGroup does not let tcp/8080 out"


def test_a_literal_group_id_is_matched_as_itself() -> None:
    template = service()
    template["Resources"]["FromAlb"]["Properties"]["SourceSecurityGroupId"] = "sg-0123456789abcdef0"
    template["Resources"]["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"].append(
        "sg-0aaaaaaaaaaaaaaaa"
    )
    findings = verify(assembly(platform(), template), config())
    assert [f.status for f in _by_category(findings, "load balancer")] == [CLOSED]
    assert any("sg-0aaaaaaaaaaaaaaaa" in f.detail for f in _by_category(findings, "load balancer"))


def _bridge(
    template: dict[str, Any], rule_range: tuple[int, int], pinned: tuple[int, int]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The service on EC2 bridge: host port 0, the instances' group admits ``rule_range`` from the ALB."""
    base = platform()
    _add(base, "InstanceGroup", "AWS::EC2::SecurityGroup", GroupDescription="instances")
    _add(
        base,
        "FromAlbToInstances",
        "AWS::EC2::SecurityGroupIngress",
        GroupId=att("InstanceGroup"),
        SourceSecurityGroupId=att("AlbGroup"),
        IpProtocol="tcp",
        FromPort=rule_range[0],
        ToPort=rule_range[1],
    )
    user_data = {"Fn::Base64": {"Fn::Join": ["", ["#!/bin/bash\n", f"echo ECS_DYNAMIC_HOST_PORT_RANGE={pinned[0]}-{pinned[1]}"]]}}
    _add(
        base,
        "Template",
        "AWS::EC2::LaunchTemplate",
        LaunchTemplateData={"SecurityGroupIds": [att("InstanceGroup")], "UserData": user_data},
    )
    _add(
        base,
        "Asg",
        "AWS::AutoScaling::AutoScalingGroup",
        LaunchTemplate={"LaunchTemplateId": {"Ref": "Template"}},
        VPCZoneIdentifier=[{"Ref": "Subnet"}],
    )
    _add(base, "Provider", "AWS::ECS::CapacityProvider", AutoScalingGroupProvider={"AutoScalingGroupArn": {"Ref": "Asg"}})
    base["Outputs"]["Provider"] = {"Value": {"Ref": "Provider"}, "Export": {"Name": f"{PLATFORM}:Provider"}}
    resources = template["Resources"]
    del resources["FromAlb"], resources["TaskGroup"]
    resources["TargetGroup"]["Properties"]["TargetType"] = "instance"
    resources["TaskDefinition"]["Properties"]["NetworkMode"] = "bridge"
    resources["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["PortMappings"][0]["HostPort"] = 0
    service_props = resources["Service"]["Properties"]
    del service_props["NetworkConfiguration"]
    service_props["CapacityProviderStrategy"] = [{"CapacityProvider": imported("Provider"), "Weight": 1}]
    return base, template


def test_bridge_service_needs_the_whole_pinned_range_from_the_alb() -> None:
    base, template = _bridge(service(), (61000, 61999), (61000, 61999))
    findings = verify(assembly(base, template), config())
    assert [(f.status, f.path) for f in _by_category(findings, "load balancer")] == [
        (OPEN, f"alb {PLATFORM}/Alb -> app tasks (tcp/61000-61999)")
    ]


def test_a_dynamic_range_partly_covered_is_closed_on_the_uncovered_part() -> None:
    base, template = _bridge(service(), (61000, 61499), (61000, 61999))
    (traffic,) = _by_category(verify(assembly(base, template), config()), "load balancer")
    assert traffic.status == CLOSED
    assert traffic.detail.endswith("on tcp/61500-61999")


def test_udp_target_with_a_tcp_health_check_that_nothing_admits_never_turns_healthy() -> None:
    base = platform()
    _add(
        base,
        "NlbGroup",
        "AWS::EC2::SecurityGroup",
        GroupDescription="nlb",
        SecurityGroupIngress=[{"CidrIp": "0.0.0.0/0", "IpProtocol": "udp", "FromPort": 53, "ToPort": 53}],
    )
    _add(
        base,
        "Nlb",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        Type="network",
        Scheme="internet-facing",
        SecurityGroups=[att("NlbGroup")],
    )
    base["Outputs"]["NlbGroupId"] = {"Value": att("NlbGroup"), "Export": {"Name": f"{PLATFORM}:NlbGroupId"}}
    template = service(port=53, protocol="UDP", mapping_protocol="udp")
    resources = template["Resources"]
    resources["FromAlb"]["Properties"].update(IpProtocol="udp", SourceSecurityGroupId=imported("NlbGroupId"))
    del resources["Rule"]
    resources["Listener"] = {
        "Type": "AWS::ElasticLoadBalancingV2::Listener",
        "Properties": {
            "LoadBalancerArn": {"Fn::ImportValue": f"{PLATFORM}:Nlb"},
            "Port": 53,
            "Protocol": "UDP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}],
        },
    }
    base["Outputs"]["Nlb"] = {"Value": {"Ref": "Nlb"}, "Export": {"Name": f"{PLATFORM}:Nlb"}}
    findings = verify(assembly(base, template), config(port=53, route=None, nlb={"port": 53, "protocol": "udp"}))
    assert [f.status for f in _by_category(findings, "load balancer")] == [OPEN]
    (check,) = _by_category(findings, "health check")
    assert check.status == CLOSED
    assert check.path == f"nlb {PLATFORM}/Nlb checks app (tcp/53)"


def test_udp_traffic_to_a_tcp_only_port_mapping_is_closed() -> None:
    template = service(protocol="UDP", mapping_protocol="tcp")
    findings = verify(assembly(platform(), template), config())
    assert any(
        f.status == CLOSED and "sends udp but the container maps port 8080 only for tcp" in f.detail
        for f in _by_category(findings, "load balancer")
    )


def test_an_open_task_group_to_the_internet_is_unintended() -> None:
    template = service()
    template["Resources"]["TaskGroup"]["Properties"]["SecurityGroupIngress"] = [
        {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}
    ]
    (exposure,) = _by_category(verify(assembly(platform(), template), config()), "exposure")
    assert exposure.status == UNINTENDED
    assert exposure.path == f"the internet -> {SERVICE}/TaskGroup (tcp/22)"


def test_an_endpoint_whose_group_does_not_admit_443_is_closed() -> None:
    base = platform()
    del base["Resources"]["Default"]
    _add(
        base,
        "EcrGroup",
        "AWS::EC2::SecurityGroup",
        GroupDescription="endpoint",
        SecurityGroupIngress=[{"CidrIp": att("Vpc", "CidrBlock"), "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80}],
    )
    for name in ("ecr.api", "ecr.dkr", "logs"):
        _add(
            base,
            f"Endpoint{name.replace('.', '')}",
            "AWS::EC2::VPCEndpoint",
            VpcEndpointType="Interface",
            PrivateDnsEnabled=True,
            ServiceName={"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, f".{name}"]]},
            SecurityGroupIds=[att("EcrGroup")],
            SubnetIds=[{"Ref": "Subnet"}],
        )
    _add(
        base,
        "S3",
        "AWS::EC2::VPCEndpoint",
        VpcEndpointType="Gateway",
        ServiceName="com.amazonaws.eu-west-1.s3",
        RouteTableIds=[{"Ref": "Table"}],
    )
    findings = _by_category(verify(assembly(base, service()), config()), "aws api")
    closed = {f.path: f.detail for f in findings if f.status == CLOSED}
    assert closed["app tasks -> ecr.api endpoint (tcp/443)"] == (
        f"no ingress rule on {PLATFORM}/EcrGroup admits {SERVICE}/TaskGroup on tcp/443"
    )
    assert any(f.status == OPEN and f.path == "app tasks -> s3 (image layers)" for f in findings)


def test_without_nat_or_endpoint_the_api_is_closed() -> None:
    base = platform()
    del base["Resources"]["Default"]
    findings = _by_category(verify(assembly(base, service()), config()), "aws api")
    assert ("app tasks -> ecr.api", "no NAT route and no ecr.api interface endpoint in the VPC") in {
        (f.path, f.detail) for f in findings if f.status == CLOSED
    }
