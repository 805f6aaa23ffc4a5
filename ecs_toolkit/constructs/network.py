"""The VPC the cluster runs in: new (public + private subnets, NAT, flow logs, endpoints) or imported."""

from __future__ import annotations

import math
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecs_toolkit.compliance import LOGS_ENCRYPTED_BY_SERVICE, acknowledge, skip_checkov, skip_checkov_on_cdk_provider

INTERFACE_ENDPOINTS: dict[str, list[ec2.InterfaceVpcEndpointAwsService]] = {
    "ecr": [ec2.InterfaceVpcEndpointAwsService.ECR, ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
    "logs": [ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    "ssm": [
        ec2.InterfaceVpcEndpointAwsService.SSM,
        ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
        ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
    ],
    "secretsmanager": [ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    "ecs": [
        ec2.InterfaceVpcEndpointAwsService.ECS,
        ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
        ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
    ],
}
"""Endpoint names a user can ask for; `s3` is a gateway endpoint (free) and handled apart."""


ALB_SMALLEST_SUBNET_MASK = 27
"""A load balancer's subnets need at least a /27 (and 8 free addresses)."""


def subnet_masks(vpc_prefix: int, zones: int, *, public: bool = True) -> tuple[int, int]:
    """The (public, private) subnet masks for a VPC of ``/vpc_prefix`` over ``zones`` AZs.

    Private subnets get a /20 each, or a quarter of the VPC when that is smaller, and shrink further
    until every subnet fits; public subnets (load balancers, NAT) are a quarter of a private one but
    never smaller than a /27. A /16 over 3 AZs gives /22 public and /20 private subnets.
    """

    def public_for(private: int) -> int:
        return min(private + 2, ALB_SMALLEST_SUBNET_MASK)

    private = max(20, vpc_prefix + 2)
    public_zones = zones if public else 0
    while not _subnets_fit(vpc_prefix, public_zones, public_for(private), zones, private):
        private += 1
    return public_for(private), private


def _subnets_fit(vpc_prefix: int, public_zones: int, public: int, zones: int, private: int) -> bool:
    """Whether CDK's allocation (public subnets first, then private, each aligned to its size) fits."""
    end = 0
    for mask in [public] * public_zones + [private] * zones:
        size: int = 2 ** (32 - mask)
        end = math.ceil(end / size) * size + size
    return end <= 1 << (32 - vpc_prefix)


class Network(Construct):
    """A VPC over 2-3 AZs with public and private subnets (sizes from :func:`subnet_masks`).

    Private subnets route out through ``nat_gateways`` NAT gateways; with 0 they are isolated and
    tasks reach AWS only through ``endpoints``. With ``public_subnets`` off there are no public
    subnets and no internet gateway at all (then no NAT gateways either). Flow logs go to a log
    group with retention.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cidr: str = "10.0.0.0/16",
        availability_zones: Sequence[str],
        nat_gateways: int = 1,
        public_subnets: bool = True,
        flow_logs: bool = True,
        flow_log_retention: logs.RetentionDays = logs.RetentionDays.THREE_MONTHS,
        endpoints: Sequence[str] = (),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if not 2 <= len(availability_zones) <= 3:
            raise ValueError(f"Network: use 2 or 3 availability zones, got {len(availability_zones)}")
        if not 0 <= nat_gateways <= len(availability_zones):
            raise ValueError(f"Network: nat_gateways must be 0 to {len(availability_zones)}, got {nat_gateways}")
        unknown = set(endpoints) - set(INTERFACE_ENDPOINTS) - {"s3"}
        if unknown:
            raise ValueError(f"Network: unknown endpoints {sorted(unknown)}")
        if nat_gateways and not public_subnets:
            raise ValueError("Network: NAT gateways live in public subnets; use nat_gateways=0 without them")
        private_type = ec2.SubnetType.PRIVATE_WITH_EGRESS if nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED
        public_mask, private_mask = subnet_masks(int(cidr.split("/")[1]), len(availability_zones), public=public_subnets)
        # Public subnets hold only load balancers and NAT gateways, which get their own addresses:
        # nothing launched there gets a public IP by default.
        public = ec2.SubnetConfiguration(
            name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=public_mask, map_public_ip_on_launch=False
        )
        private = ec2.SubnetConfiguration(name="Private", subnet_type=private_type, cidr_mask=private_mask)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            availability_zones=list(availability_zones),
            nat_gateways=nat_gateways,
            subnet_configuration=[public, private] if public_subnets else [private],
        )
        skip_checkov_on_cdk_provider(self, "Custom::VpcRestrictDefaultSGCustomResourceProvider")
        self.private_subnets = internal_subnets(self.vpc)
        if not any(cdk.Token.is_unresolved(zone) for zone in availability_zones):
            for subnet in [*self.vpc.public_subnets, *self.vpc.private_subnets, *self.vpc.isolated_subnets]:
                acknowledge(
                    subnet,
                    "CloudFormation-Validate::W3010",
                    "The manifest names these availability zones (network.azs); with a count they come from Fn::GetAZs",
                )
        if flow_logs:
            log_group = logs.LogGroup(self, "FlowLogs", retention=flow_log_retention, removal_policy=removal_policy)
            skip_checkov(log_group, "CKV_AWS_158", LOGS_ENCRYPTED_BY_SERVICE)
            self.vpc.add_flow_log(
                "FlowLog",
                destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group),
                traffic_type=ec2.FlowLogTrafficType.ALL,
                max_aggregation_interval=ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
            )
        else:
            acknowledge(
                self.vpc,
                "AwsSolutions-VPC7",
                "Flow logs are turned off in the manifest (network.flow_logs: false), a decision its owner takes",
            )
        if "s3" in endpoints:
            self.vpc.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
        for name in endpoints:
            for service in INTERFACE_ENDPOINTS.get(name, []):
                endpoint_id = "".join(part.capitalize() for part in service.short_name.replace(".", "-").split("-"))
                endpoint = self.vpc.add_interface_endpoint(endpoint_id, service=service, subnets=self.private_subnets, open=True)
                acknowledge(
                    endpoint,
                    "AwsSolutions-EC23",
                    "The endpoint admits HTTPS from the VPC's own CIDR only, a token the rule cannot evaluate",
                )


def internal_subnets(vpc: ec2.IVpc) -> ec2.SubnetSelection:
    """The VPC's private subnets: with egress (through NAT) when it has them, else its isolated ones."""
    return ec2.SubnetSelection(subnets=vpc.private_subnets or vpc.isolated_subnets)


def imported_vpc(
    scope: Construct,
    construct_id: str,
    *,
    vpc_id: str,
    vpc_cidr_block: str,
    availability_zones: Sequence[str],
    private_subnet_ids: Sequence[str],
    public_subnet_ids: Sequence[str] = (),
) -> ec2.IVpc:
    """An existing VPC by id and subnet ids, with no lookup (synth stays hermetic)."""
    vpc = ec2.Vpc.from_vpc_attributes(
        scope,
        construct_id,
        vpc_id=vpc_id,
        vpc_cidr_block=vpc_cidr_block,
        availability_zones=list(availability_zones),
        private_subnet_ids=list(private_subnet_ids),
        public_subnet_ids=list(public_subnet_ids) or None,
    )
    acknowledge(
        vpc,
        "Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId",
        "Nothing here adds routes or gateway endpoints to an imported VPC, so its route tables are never needed",
    )
    return vpc
