"""One ingress rule, written where the caller says, between a security group and a peer.

CDK's ``connections.allow_from`` decides itself which stack a cross-stack rule lands in (and adds
the matching egress rule); connections between services need the stack chosen so that the stacks'
dependency graph stays acyclic, so these rules are plain ``AWS::EC2::SecurityGroupIngress``
resources created in the scope the caller passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

__all__ = ["PortRange", "admit"]

_PREFIX_LIST = re.compile(r"^pl-[0-9a-f]{8,17}$")


@dataclass(frozen=True)
class PortRange:
    """``protocol`` (``tcp`` or ``udp``) ports ``start`` to ``end``, both included."""

    protocol: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.protocol not in ("tcp", "udp"):
            raise ValueError(f"PortRange: protocol must be tcp or udp, got {self.protocol!r}")
        if not 0 <= self.start <= self.end <= 65535:
            raise ValueError(f"PortRange: {self.start}-{self.end} is not a port range")

    @classmethod
    def single(cls, port: int, protocol: str = "tcp") -> PortRange:
        return cls(protocol, port, port)


def admit(
    scope: Construct,
    construct_id: str,
    *,
    group: ec2.ISecurityGroup,
    source: ec2.ISecurityGroup | str,
    ports: PortRange,
    description: str,
) -> ec2.CfnSecurityGroupIngress:
    """Admit ``ports`` on ``group`` from ``source``: another security group, an IPv4 CIDR or a prefix list id.

    Egress is not added: the sources this toolkit creates (task and instance groups) allow all outbound.
    """
    peer: dict[str, str] = {}
    if isinstance(source, str):
        if _PREFIX_LIST.match(source):
            peer["source_prefix_list_id"] = source
        else:
            peer["cidr_ip"] = source
    else:
        peer["source_security_group_id"] = source.security_group_id
    return ec2.CfnSecurityGroupIngress(
        scope,
        construct_id,
        group_id=group.security_group_id,
        ip_protocol=ports.protocol,
        from_port=ports.start,
        to_port=ports.end,
        description=description,
        **peer,
    )
