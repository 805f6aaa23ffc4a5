"""Network: a VPC over 2-3 zones, sized subnets, NAT or endpoints, flow logs."""

from __future__ import annotations

import ipaddress
import itertools

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2

from ecs_toolkit.constructs import Network, imported_vpc, internal_subnets, subnet_masks
from tests.conftest import new_app
from tests.constructs.conftest import Example


def test_the_example_gets_a_16_vpc_with_public_and_private_subnets_in_two_zones(example: Example) -> None:
    example.template.has_resource_properties("AWS::EC2::VPC", {"CidrBlock": "10.0.0.0/16"})
    subnets = example.resources("AWS::EC2::Subnet")
    masks = sorted(int(s["Properties"]["CidrBlock"].split("/")[1]) for s in subnets.values())
    assert masks == [20, 20, 22, 22]  # subnet_masks(16, 2): /22 public, /20 private
    assert all(s["Properties"].get("MapPublicIpOnLaunch") is False for s in subnets.values())


def test_defaults_one_nat_gateway_and_flow_logs_of_all_traffic_kept_three_months(example: Example) -> None:
    example.template.resource_count_is("AWS::EC2::NatGateway", 1)
    example.template.has_resource_properties("AWS::EC2::FlowLog", {"TrafficType": "ALL", "MaxAggregationInterval": 60})
    example.template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 90})
    assert example.built.network.private_subnets.subnet_type is None  # the selection names the subnets themselves
    assert len(example.built.network.private_subnets.subnets or []) == 2


def test_network_rejects_a_single_zone_and_too_many_nat_gateways(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="use 2 or 3 availability zones, got 1"):
        Network(stack, "One", availability_zones=["a"])
    with pytest.raises(ValueError, match="nat_gateways must be 0 to 2"):
        Network(stack, "Nat", availability_zones=["a", "b"], nat_gateways=3)
    with pytest.raises(ValueError, match="unknown endpoints"):
        Network(stack, "Endpoints", availability_zones=["a", "b"], endpoints=["dynamo"])
    with pytest.raises(ValueError, match="NAT gateways live in public subnets; use nat_gateways=0 without them"):
        Network(stack, "NoPublic", availability_zones=["a", "b"], public_subnets=False)


def test_a_network_without_public_subnets_has_no_internet_gateway_and_starts_private_subnets_at_zero(
    stack: cdk.Stack,
) -> None:
    network = Network(stack, "Net", cidr="10.9.0.0/22", availability_zones=["a", "b", "c"], nat_gateways=0, public_subnets=False)
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::InternetGateway", 0)
    template.resource_count_is("AWS::EC2::Route", 0)
    assert not network.vpc.public_subnets
    cidrs = sorted(r["Properties"]["CidrBlock"] for r in template.find_resources("AWS::EC2::Subnet").values())
    assert cidrs == ["10.9.0.0/24", "10.9.1.0/24", "10.9.2.0/24"]  # a quarter of the /22 each, from its start


@pytest.mark.parametrize("zones", [2, 3])
def test_subnet_masks_keep_the_16_layout_and_never_go_below_what_a_load_balancer_needs(zones: int) -> None:
    assert subnet_masks(16, zones) == (22, 20)
    for prefix in range(16, 25):
        public, private = subnet_masks(prefix, zones)
        assert public <= 27 and private <= 28, prefix
        assert zones * (2 ** (32 - public) + 2 ** (32 - private)) <= 2 ** (32 - prefix), prefix


@pytest.mark.parametrize("zones", [2, 3])
@pytest.mark.parametrize("prefix", range(16, 25))
def test_every_allowed_vpc_size_gets_non_overlapping_subnets_inside_the_cidr(prefix: int, zones: int) -> None:
    cidr = f"10.40.0.0/{prefix}"
    stack = cdk.Stack(new_app(), "Small")
    Network(stack, "Net", cidr=cidr, availability_zones=["a", "b", "c"][:zones], nat_gateways=0, flow_logs=False)
    subnets = [
        ipaddress.ip_network(resource["Properties"]["CidrBlock"])
        for resource in assertions.Template.from_stack(stack).find_resources("AWS::EC2::Subnet").values()
    ]
    assert len(subnets) == 2 * zones
    assert all(subnet.subnet_of(ipaddress.ip_network(cidr)) for subnet in subnets)  # type: ignore[arg-type]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(subnets, 2))
    assert min(subnet.prefixlen for subnet in subnets) >= 20 and max(s.prefixlen for s in subnets) <= 27


def test_an_imported_vpc_needs_no_lookup_and_its_internal_subnets_are_the_private_ones(stack: cdk.Stack) -> None:
    vpc = imported_vpc(
        stack,
        "Existing",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block="10.1.0.0/16",
        availability_zones=["eu-west-1a", "eu-west-1b"],
        private_subnet_ids=["subnet-a", "subnet-b"],
    )
    assert vpc.vpc_id == "vpc-0123456789abcdef0"
    assert [s.subnet_id for s in internal_subnets(vpc).subnets or []] == ["subnet-a", "subnet-b"]
    assert isinstance(internal_subnets(vpc), ec2.SubnetSelection)
