"""The network stack: a new VPC built from the manifest's network section."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import Fn
from constructs import Construct

from ecs_toolkit import outputs
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.constructs.network import Network, internal_subnets
from ecs_toolkit.stacks.common import removal_policy, retention


class NetworkStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs: Any) -> None:
        network = config.network
        if isinstance(network.azs, list):
            self._zones = list(network.azs)
        else:
            # Resolved by CloudFormation at deploy time: no lookup, with or without an account.
            self._zones = [Fn.select(index, Fn.get_azs()) for index in range(network.azs)]
        super().__init__(scope, construct_id, **kwargs)
        zones = self._zones
        self.network = Network(
            self,
            "Network",
            cidr=network.cidr,
            availability_zones=zones,
            nat_gateways=network.nat_gateways,
            public_subnets=network.public_subnets,
            flow_logs=network.flow_logs,
            flow_log_retention=retention(network.flow_log_retention_days),
            endpoints=network.endpoints,
            removal_policy=removal_policy(config),
        )
        self.vpc = self.network.vpc
        vpc = self.network.vpc
        cdk.CfnOutput(self, outputs.VPC_ID, value=vpc.vpc_id)
        cdk.CfnOutput(
            self,
            outputs.PRIVATE_SUBNET_IDS,
            value=Fn.join(outputs.LIST_SEPARATOR, [s.subnet_id for s in internal_subnets(vpc).subnets or []]),
        )
        if vpc.public_subnets:
            public_ids = [s.subnet_id for s in vpc.public_subnets]
            cdk.CfnOutput(self, outputs.PUBLIC_SUBNET_IDS, value=Fn.join(outputs.LIST_SEPARATOR, public_ids))

    @property
    def availability_zones(self) -> list[str]:
        """The manifest's zones: CDK would otherwise look them up for an environment-specific stack."""
        return self._zones
