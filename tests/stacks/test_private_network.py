"""The private example: no NAT gateways, VPC endpoints, an internal load balancer, a /20 VPC in eu-central-1."""

from __future__ import annotations

import ipaddress
import json

import pytest

from ecs_toolkit import outputs
from tests.conftest import ROOT, Synthesized, synthesize

ISOLATED = "PrivateSubnet"
"""The isolated subnets keep the group name Private, so their logical ids (and exports) say so."""


@pytest.fixture(scope="module")
def private_env() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "private.yaml")


def _resources(env: Synthesized, stack_name: str, resource_type: str) -> list[dict[str, object]]:
    template = env.template_json(stack_name)
    resources: dict[str, dict[str, object]] = template["Resources"]  # type: ignore[assignment]
    return [r for r in resources.values() if r["Type"] == resource_type]


def _imported_subnets(value: object) -> list[str]:
    return [ref["Fn::ImportValue"] for ref in value]  # type: ignore[attr-defined,index]


def test_the_vpc_has_no_way_in_or_out_but_its_endpoints(private_env: Synthesized) -> None:
    for kind in ("AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::Route"):
        assert not _resources(private_env, "intranet-network", kind), kind
    template = private_env.template_json("intranet-network")
    assert outputs.PUBLIC_SUBNET_IDS not in template["Outputs"]  # type: ignore[operator]


def test_subnets_of_the_20_are_sized_to_fit_it(private_env: Synthesized) -> None:
    subnets = [
        ipaddress.ip_network(r["Properties"]["CidrBlock"])  # type: ignore[index]
        for r in _resources(private_env, "intranet-network", "AWS::EC2::Subnet")
    ]
    assert sorted(s.prefixlen for s in subnets) == [22, 22]
    assert all(s.subnet_of(ipaddress.ip_network("10.40.0.0/20")) for s in subnets)  # type: ignore[arg-type]


def _service(name: object) -> str:
    """``com.amazonaws.eu-central-1.<service>``, or a Fn::Join ending in ``.<service>`` (the S3 gateway)."""
    if isinstance(name, dict):
        return str(name["Fn::Join"][1][-1]).lstrip(".")
    return str(name).removeprefix("com.amazonaws.eu-central-1.")


def test_every_listed_endpoint_exists_with_private_dns_and_s3_as_a_gateway(private_env: Synthesized) -> None:
    endpoints = {
        _service(e["Properties"]["ServiceName"]): e["Properties"]
        for e in _resources(private_env, "intranet-network", "AWS::EC2::VPCEndpoint")
    }  # type: ignore[index]
    assert set(endpoints) == {
        *("ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager"),
        *("ssm", "ssmmessages", "ec2messages", "ecs", "ecs-agent", "ecs-telemetry"),
    }
    assert endpoints.pop("s3")["VpcEndpointType"] == "Gateway"
    assert all(p["VpcEndpointType"] == "Interface" and p["PrivateDnsEnabled"] is True for p in endpoints.values())


def test_load_balancer_instances_and_tasks_use_the_isolated_subnets(private_env: Synthesized) -> None:
    (load_balancer,) = _resources(private_env, "intranet-platform", "AWS::ElasticLoadBalancingV2::LoadBalancer")
    (group,) = _resources(private_env, "intranet-platform", "AWS::AutoScaling::AutoScalingGroup")
    (service,) = _resources(private_env, "intranet-portal", "AWS::ECS::Service")
    assert load_balancer["Properties"]["Scheme"] == "internal"  # type: ignore[index]
    awsvpc = service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]  # type: ignore[index]
    assert awsvpc["AssignPublicIp"] == "DISABLED"
    for subnets in (load_balancer["Properties"]["Subnets"], group["Properties"]["VPCZoneIdentifier"], awsvpc["Subnets"]):  # type: ignore[index]
        names = _imported_subnets(subnets)
        assert len(names) == 2 and all(ISOLATED in name for name in names), names


def test_publishes_the_isolated_subnets_for_run_task(private_env: Synthesized) -> None:
    template = private_env.template_json("intranet-network")
    value = json.dumps(template["Outputs"][outputs.PRIVATE_SUBNET_IDS]["Value"])  # type: ignore[index]
    assert value.count(ISOLATED) == 2
