"""Security groups as the templates define them, and whether one admits a source on a port range.

A group is known by ``stack/LogicalId`` when the assembly creates it, or by its literal ``sg-`` id
when it is imported. Rules come from a group's inline ingress/egress and from separate
``SecurityGroupIngress``/``SecurityGroupEgress`` resources in any stack. A group that lists no
egress gets AWS's default (all traffic out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ecs_toolkit.assembly import Assembly, Attribute, Resource, ResourceRef, render

ANYWHERE = "0.0.0.0/0"
ANYWHERE_V6 = "::/0"
PROTOCOL_NAMES = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "tcp": "tcp", "udp": "udp", "icmp": "icmp"}


@dataclass(frozen=True)
class Peer:
    """The other side of a rule: a security group (by key), a CIDR (literal or the VPC's, rendered) or a prefix list."""

    kind: str
    """``group``, ``cidr`` or ``prefix-list``."""
    value: str

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Rule:
    group: str
    peer: Peer
    protocol: str
    """``tcp``, ``udp``, ``icmp`` or ``all``."""
    start: int
    end: int
    where: str
    """``stack/LogicalId`` of the resource that holds the rule."""
    description: str = ""

    def covers(self, protocol: str) -> bool:
        return self.protocol in ("all", protocol)

    def ports(self) -> str:
        if self.protocol == "all":
            return "all traffic"
        return f"{self.protocol}/{self.start}" if self.start == self.end else f"{self.protocol}/{self.start}-{self.end}"


@dataclass
class SecurityGroups:
    """Every group of the assembly with its ingress and egress rules."""

    names: dict[str, str] = field(default_factory=dict)
    """Group key -> its description, for reports."""
    ingress: list[Rule] = field(default_factory=list)
    egress: list[Rule] = field(default_factory=list)
    vpc_cidrs: set[str] = field(default_factory=set)
    """Rendered CIDRs that stand for the whole VPC (the VPC's CidrBlock attribute, an imported VPC's literal CIDR)."""

    def rules_into(self, group: str) -> list[Rule]:
        return [rule for rule in self.ingress if rule.group == group]

    def admits(
        self, groups: Iterable[str], source: Peer | Iterable[str], protocol: str, start: int, end: int
    ) -> list[tuple[int, int]]:
        """The parts of ``start``-``end`` that no ingress rule on ``groups`` admits from ``source`` (empty: open).

        ``source`` is a CIDR peer (clients) or the source's group keys; a rule for the VPC's CIDR or
        0.0.0.0/0 admits any group in the VPC.
        """
        targets = set(groups)
        covered = [
            (rule.start, rule.end) if rule.protocol != "all" else (0, 65535)
            for rule in self.ingress
            if rule.group in targets and rule.covers(protocol) and self._matches(rule.peer, source)
        ]
        return uncovered(start, end, covered)

    def allows_out(
        self, groups: Iterable[str], destination: Iterable[str] | Peer, protocol: str, start: int, end: int
    ) -> list[tuple[int, int]]:
        """The parts of the range that the source groups' egress does not let out towards ``destination``."""
        sources = set(groups)
        covered = [
            (rule.start, rule.end) if rule.protocol != "all" else (0, 65535)
            for rule in self.egress
            if rule.group in sources and rule.covers(protocol) and self._matches(rule.peer, destination)
        ]
        return uncovered(start, end, covered)

    def _matches(self, peer: Peer, side: Peer | Iterable[str]) -> bool:
        if isinstance(side, Peer):
            if peer.kind != side.kind:
                return peer.kind == "cidr" and peer.value in (ANYWHERE, ANYWHERE_V6) and side.kind == "prefix-list"
            return peer.value == side.value or (peer.kind == "cidr" and peer.value in (ANYWHERE, ANYWHERE_V6))
        keys = set(side)
        if peer.kind == "group":
            return peer.value in keys
        return peer.kind == "cidr" and (peer.value in (ANYWHERE, ANYWHERE_V6) or peer.value in self.vpc_cidrs)

    def is_public(self, rule: Rule) -> bool:
        return rule.peer.kind == "cidr" and rule.peer.value in (ANYWHERE, ANYWHERE_V6)


def uncovered(start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    gaps: list[tuple[int, int]] = []
    position = start
    for low, high in sorted(covered):
        if high < position:
            continue
        if low > position:
            gaps.append((position, min(low - 1, end)))
        position = max(position, high + 1)
        if position > end:
            return gaps
    if position <= end:
        gaps.append((position, end))
    return [gap for gap in gaps if gap[0] <= gap[1]]


def group_key(assembly: Assembly, value: Any) -> str | None:
    """``stack/LogicalId`` of a security group a resolved value names, or its literal ``sg-`` id."""
    if isinstance(value, str) and value.startswith("sg-"):
        return value
    if (isinstance(value, Attribute) and value.name == "GroupId") or isinstance(value, ResourceRef):
        resource = assembly.target(value)
        if resource is not None and resource.type == "AWS::EC2::SecurityGroup":
            return f"{resource.stack}/{resource.logical_id}"
    return None


def group_keys(assembly: Assembly, values: Any) -> list[str]:
    keys = [group_key(assembly, value) for value in (values if isinstance(values, list) else [])]
    return [key for key in keys if key is not None]


def read_security_groups(assembly: Assembly) -> SecurityGroups:
    groups = SecurityGroups()
    for vpc in assembly.resources("AWS::EC2::VPC"):
        groups.vpc_cidrs.add(render(Attribute(vpc.stack, vpc.logical_id, "CidrBlock")))
    for resource in assembly.resources("AWS::EC2::SecurityGroup"):
        key = f"{resource.stack}/{resource.logical_id}"
        props = assembly.resolve(resource.stack, resource.properties)
        groups.names[key] = str(props.get("GroupDescription", ""))
        for entry in props.get("SecurityGroupIngress") or []:
            groups.ingress.append(_rule(assembly, key, entry, resource, "Source"))
        egress = props.get("SecurityGroupEgress")
        if egress is None:
            groups.egress.append(Rule(key, Peer("cidr", ANYWHERE), "all", 0, 65535, _where(resource), "AWS's default egress"))
        for entry in egress or []:
            groups.egress.append(_rule(assembly, key, entry, resource, "Destination"))
    for kind, side, into in (
        ("AWS::EC2::SecurityGroupIngress", "Source", groups.ingress),
        ("AWS::EC2::SecurityGroupEgress", "Destination", groups.egress),
    ):
        for resource in assembly.resources(kind):
            props = assembly.resolve(resource.stack, resource.properties)
            owner = group_key(assembly, props.get("GroupId"))
            if owner is not None:
                into.append(_rule(assembly, owner, props, resource, side))
    return groups


def _rule(assembly: Assembly, group: str, entry: dict[str, Any], resource: Resource, side: str) -> Rule:
    protocol = PROTOCOL_NAMES.get(str(entry.get("IpProtocol", "-1")).lower(), str(entry.get("IpProtocol")))
    start, end = (0, 65535) if protocol == "all" else (_port(entry.get("FromPort"), 0), _port(entry.get("ToPort"), 65535))
    peer_group = group_key(assembly, entry.get(f"{side}SecurityGroupId"))
    if peer_group is not None:
        peer = Peer("group", peer_group)
    elif entry.get(f"{side}PrefixListId") is not None:
        peer = Peer("prefix-list", render(entry[f"{side}PrefixListId"]))
    elif entry.get("CidrIpv6") is not None:
        peer = Peer("cidr", render(entry["CidrIpv6"]))
    else:
        peer = Peer("cidr", render(entry.get("CidrIp", "")))
    description = entry.get("Description")
    return Rule(group, peer, protocol, start, end, _where(resource), description if isinstance(description, str) else "")


def _port(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _where(resource: Resource) -> str:
    return f"{resource.stack}/{resource.logical_id}"
