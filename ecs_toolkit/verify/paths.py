"""Prove the network paths an environment needs, and that nothing else is admitted.

Intended paths come from the templates' own wiring (a target group registered with a service, a
file system a task mounts, the subnets tasks run in) and from the manifest's declarations
(``connects_to``, ``allow_from``). Every ingress rule of every security group must serve one of
them; a rule that serves none is reported as UNINTENDED.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ecs_toolkit.assembly import Assembly, Resource, ResourceRef, render
from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify.findings import ASSUMED, CLOSED, OPEN, UNINTENDED, Finding, ports_text
from ecs_toolkit.verify.network import ANYWHERE, Peer, SecurityGroups, group_keys, uncovered
from ecs_toolkit.verify.workloads import Workload

LB_PROTOCOLS = {"HTTP": ["tcp"], "HTTPS": ["tcp"], "TCP": ["tcp"], "TLS": ["tcp"], "UDP": ["udp"], "TCP_UDP": ["tcp", "udp"]}
NFS_PORT = 2049
HTTPS_PORT = 443


@dataclass(frozen=True)
class LoadBalancer:
    resource: Resource | None
    """None for a load balancer the templates import (``external`` then holds its listener's ARN)."""
    groups: tuple[str, ...]
    public: bool
    kind: str
    external: str | None = None

    @property
    def key(self) -> str:
        if self.resource is None:
            return self.external or ""
        return f"{self.resource.stack}/{self.resource.logical_id}"

    @property
    def label(self) -> str:
        if self.resource is None:
            return f"imported alb {_balancer_name(self.external or '')}"
        return f"{self.kind} {self.resource.stack}/{self.resource.logical_id}"


def _balancer_name(listener_arn: str) -> str:
    """``app/<name>/<id>`` of a listener ARN (the whole text when it is not one)."""
    _, _, rest = listener_arn.partition(":listener/")
    return rest.rsplit("/", 1)[0] if rest else listener_arn


@dataclass
class Proof:
    """The findings, and every ingress that some intended path needs (for the negative proof)."""

    assembly: Assembly
    security: SecurityGroups
    findings: list[Finding] = field(default_factory=list)
    intended: set[tuple[str, Peer, str, int, int]] = field(default_factory=set)

    def path(
        self,
        category: str,
        label: str,
        destinations: Iterable[str],
        source: Peer | list[str],
        protocol: str,
        ranges: list[tuple[int, int]],
    ) -> bool:
        """Record an intended path and prove it: ingress on a destination group, and egress from the source groups."""
        destinations = sorted(set(destinations))
        peers = [source] if isinstance(source, Peer) else [Peer("group", key) for key in source]
        for group in destinations:
            for peer in peers:
                for low, high in ranges:
                    self.intended.add((group, peer, protocol, low, high))
                if peer.kind == "cidr" and peer.value in self.security.vpc_cidrs:
                    self.intended.add((group, peer, protocol, ranges[0][0], ranges[-1][1]))
        text = f"{label} ({ports_text(protocol, ranges)})"
        if not destinations:
            self.findings.append(Finding(category, text, CLOSED, "the target has no security group in the templates"))
            return False
        missing: list[str] = []
        for low, high in ranges:
            gaps = self.security.admits(destinations, source, protocol, low, high)
            if gaps:
                missing.append(
                    f"no ingress rule on {', '.join(destinations)} admits {_source_text(source)} on {ports_text(protocol, gaps)}"
                )
            managed = [key for key in source if key in self.security.names] if not isinstance(source, Peer) else []
            if managed:
                out = self.security.allows_out(managed, destinations, protocol, low, high)
                if out:
                    missing.append(f"the egress of {', '.join(managed)} does not let {ports_text(protocol, out)} out")
        if missing:
            self.findings.append(Finding(category, text, CLOSED, "; ".join(missing)))
            return False
        outside = [key for key in source if key not in self.security.names] if not isinstance(source, Peer) else []
        note = f" (the egress of {', '.join(outside)} is outside these templates)" if outside else ""
        self.findings.append(Finding(category, text, OPEN, f"admitted on {', '.join(destinations)}{note}"))
        return True


def _source_text(source: Peer | list[str]) -> str:
    return str(source) if isinstance(source, Peer) else ", ".join(source)


# --- load balancers ---------------------------------------------------------------------------


def _load_balancers(assembly: Assembly) -> dict[ResourceRef, LoadBalancer]:
    found = {}
    for resource in assembly.resources("AWS::ElasticLoadBalancingV2::LoadBalancer"):
        props = assembly.resolve(resource.stack, resource.properties)
        found[resource.ref] = LoadBalancer(
            resource=resource,
            groups=tuple(group_keys(assembly, props.get("SecurityGroups"))),
            public=props.get("Scheme", "internet-facing") == "internet-facing",
            kind="nlb" if props.get("Type") == "network" else "alb",
        )
    return found


def _forwards(assembly: Assembly) -> dict[ResourceRef, list[ResourceRef | str]]:
    """Target group -> the listeners that forward to it, directly or through a rule: a listener of the templates,
    or the ARN of an imported one (a rule whose ``ListenerArn`` is a literal ARN)."""
    listeners = {
        r.ref: assembly.resolve(r.stack, r.properties) for r in assembly.resources("AWS::ElasticLoadBalancingV2::Listener")
    }
    found: dict[ResourceRef, list[ResourceRef | str]] = {}

    def add(actions: list[dict[str, Any]], listener: Any) -> None:
        key: ResourceRef | str
        if isinstance(listener, str) and ":listener/" in listener:
            key = listener
        else:
            listener_resource = assembly.target(listener)
            if listener_resource is None or listener_resource.ref not in listeners:
                return
            key = listener_resource.ref
        for action in actions:
            groups = [action.get("TargetGroupArn")] + [
                entry.get("TargetGroupArn") for entry in action.get("ForwardConfig", {}).get("TargetGroups", [])
            ]
            for group in groups:
                target = assembly.target(group)
                if target is not None:
                    found.setdefault(target.ref, []).append(key)

    for ref, props in listeners.items():
        add(props.get("DefaultActions", []), ref)
    for rule in assembly.resources("AWS::ElasticLoadBalancingV2::ListenerRule"):
        props = assembly.resolve(rule.stack, rule.properties)
        add(props.get("Actions", []), props.get("ListenerArn"))
    return found


def _balancer_of(
    assembly: Assembly, balancers: dict[ResourceRef, LoadBalancer], listener: ResourceRef | str
) -> LoadBalancer | None:
    if isinstance(listener, str):
        return None
    resource = assembly.resource(listener.stack, listener.logical_id)
    if resource is None:
        return None
    target = assembly.target(assembly.resolve(resource.stack, resource.properties).get("LoadBalancerArn"))
    return balancers.get(target.ref) if target is not None else None


def _test_clients(proof: Proof, config: EnvironmentConfig | None, balancer: LoadBalancer, port: int) -> list[Peer] | None:
    """The declared clients of the shared ALB's test listener (blue-green, canary, linear), else None.

    The test listener is closed to the internet unless the manifest lists its clients; by default only
    the VPC reaches it.
    """
    if config is None or config.load_balancer is None or balancer.kind != "alb" or not derived.needs_test_listener(config):
        return None
    settings = config.load_balancer.test_listener
    if port != settings.port:
        return None
    return [Peer("cidr", cidr) for cidr in settings.allow_from] or [_vpc_peer(proof)]


def _nlb_test_listeners(assembly: Assembly, workloads: dict[str, Workload]) -> dict[ResourceRef, str]:
    """Listener -> workload, for the NLB test listeners the services name in ``AdvancedConfiguration``.

    On an NLB, ECS takes listeners (not rules) as the production and test "rules" of a traffic shift.
    """
    found: dict[ResourceRef, str] = {}
    for workload in workloads.values():
        if workload.service is None:
            continue
        service = assembly.resolve(workload.stack, workload.service.properties)
        for entry in service.get("LoadBalancers", []):
            target = assembly.target(entry.get("AdvancedConfiguration", {}).get("TestListenerRule"))
            if target is not None and target.type == "AWS::ElasticLoadBalancingV2::Listener":
                found[target.ref] = workload.name
    return found


def _nlb_test_clients(proof: Proof, config: EnvironmentConfig | None, workload: str) -> list[Peer]:
    """The declared clients of a service's NLB test listener; the VPC only when the manifest names none."""
    service = config.services.get(workload) if config is not None else None
    allowed = service.nlb.test_listener.allow_from if service is not None and service.nlb is not None else []
    return [Peer("cidr", cidr) for cidr in allowed] or [_vpc_peer(proof)]


def _imported_balancers(
    proof: Proof,
    forwards: dict[ResourceRef, list[ResourceRef | str]],
    config: EnvironmentConfig | None,
    targets: set[str],
) -> dict[str, LoadBalancer]:
    """The load balancers whose listeners the templates only refer to, by listener ARN.

    Their security group is the manifest's ``load_balancer.existing.security_group_id``; without a manifest, the
    groups of the templates' rules that admit an outside ``sg-`` id into the targets are taken for it. Their
    listeners, clients and egress are not in the templates: each is reported ASSUMED.
    """
    listeners = sorted({key for keys in forwards.values() for key in keys if isinstance(key, str)})
    existing = config.load_balancer.existing if config is not None and config.load_balancer is not None else None
    found: dict[str, LoadBalancer] = {}
    for arn in listeners:
        if existing is not None and existing.listener_arn == arn:
            groups: tuple[str, ...] = (existing.security_group_id,)
        else:
            groups = tuple(
                sorted(
                    {
                        rule.peer.value
                        for rule in proof.security.ingress
                        if rule.group in targets and rule.peer.kind == "group" and rule.peer.value not in proof.security.names
                    }
                )
            )
        balancer = found[arn] = LoadBalancer(resource=None, groups=groups, public=False, kind="alb", external=arn)
        proof.findings.append(
            Finding(
                "listener",
                f"clients -> {balancer.label}",
                ASSUMED,
                f"its listener ({arn}), the clients it admits and the egress of "
                f"{', '.join(groups) or 'its security group'} are managed outside these templates",
            )
        )
    return found


def prove_load_balancing(proof: Proof, workloads: dict[str, Workload], config: EnvironmentConfig | None = None) -> None:
    assembly = proof.assembly
    balancers = _load_balancers(assembly)
    forwards = _forwards(assembly)
    nlb_tests = _nlb_test_listeners(assembly, workloads)
    targets = {key for workload in workloads.values() for key in workload.destinations}
    imported = _imported_balancers(proof, forwards, config, targets)
    for listener in assembly.resources("AWS::ElasticLoadBalancingV2::Listener"):
        props = assembly.resolve(listener.stack, listener.properties)
        balancer = _balancer_of(assembly, balancers, listener.ref)
        if balancer is None or not balancer.groups:
            continue
        port = int(props.get("Port", 0))
        test_clients = (
            _nlb_test_clients(proof, config, nlb_tests[listener.ref])
            if listener.ref in nlb_tests
            else _test_clients(proof, config, balancer, port)
        )
        clients = test_clients or [Peer("cidr", ANYWHERE) if balancer.public else _vpc_peer(proof)]
        for client in clients:
            if test_clients is not None:
                label = f"test clients {client.value} -> {balancer.label}:{port}"
            else:
                label = f"{'internet' if balancer.public else 'the VPC'} -> {balancer.label}:{port}"
            for protocol in LB_PROTOCOLS.get(str(props.get("Protocol", "TCP")), ["tcp"]):
                proof.path("listener", label, balancer.groups, client, protocol, [(port, port)])
    for workload in workloads.values():
        if workload.service is None:
            continue
        service = assembly.resolve(workload.stack, workload.service.properties)
        entries = [
            (entry, arn)
            for entry in service.get("LoadBalancers", [])
            # Blue/green, canary and linear: the new revision's tasks sit in the alternate target group.
            for arn in (entry.get("TargetGroupArn"), entry.get("AdvancedConfiguration", {}).get("AlternateTargetGroupArn"))
            if arn is not None
        ]
        for entry, arn in entries:
            target_group = assembly.target(arn)
            if target_group is None:
                continue
            group_props = assembly.resolve(target_group.stack, target_group.properties)
            container, port = entry.get("ContainerName"), int(entry.get("ContainerPort", 0))
            mappings = [m for m in workload.mappings(assembly, container) if m[0] == port]
            protocols = LB_PROTOCOLS.get(str(group_props.get("Protocol", "HTTP")), ["tcp"])
            for protocol in protocols:
                if not any(m[2] == protocol for m in mappings):
                    proof.findings.append(
                        Finding(
                            "load balancer",
                            f"{workload.name}: {container} port {port}",
                            CLOSED,
                            f"the target group sends {protocol} but the container maps port {port} only for "
                            f"{', '.join(sorted({m[2] for m in mappings})) or 'no protocol'}",
                        )
                    )
            host_port = next((m[1] for m in mappings), None)
            ranges = workload.host_ports(port, host_port)
            group_text = f" through {target_group.logical_id}" if arn != entry.get("TargetGroupArn") else ""
            if container not in (None, workload.main_container or workload.name):
                # A sidecar (a proxy) or another container of the task receives this group's traffic.
                group_text = f", container {container}{group_text}"
            proven: set[str] = set()
            for listener_ref in forwards.get(target_group.ref, []):
                balancer = (
                    imported.get(listener_ref)
                    if isinstance(listener_ref, str)
                    else _balancer_of(assembly, balancers, listener_ref)
                )
                # Several listeners (production and test) of one balancer share its groups: one proof each.
                if balancer is None or balancer.key in proven:
                    continue
                proven.add(balancer.key)
                if not balancer.groups:
                    proof.findings.append(
                        Finding(
                            "load balancer",
                            f"{balancer.label} -> {workload.name}",
                            ASSUMED,
                            "the load balancer has no security group; targets must admit its clients",
                        )
                    )
                    continue
                for protocol in protocols:
                    proof.path(
                        "load balancer",
                        f"{balancer.label} -> {workload.name} tasks{group_text}",
                        workload.destinations,
                        list(balancer.groups),
                        protocol,
                        ranges,
                    )
                _health_check(proof, workload, balancer, group_props, ranges, group_text)


def _health_check(
    proof: Proof,
    workload: Workload,
    balancer: LoadBalancer,
    props: dict[str, Any],
    traffic: list[tuple[int, int]],
    group_text: str = "",
) -> None:
    port = props.get("HealthCheckPort", "traffic-port")
    ranges = traffic if port in ("traffic-port", None) else [(int(port), int(port))]
    default = "TCP" if balancer.kind == "nlb" else "HTTP"
    protocol = "tcp" if str(props.get("HealthCheckProtocol", default)) in ("TCP", "HTTP", "HTTPS") else "udp"
    proof.path(
        "health check",
        f"{balancer.label} checks {workload.name}{group_text}",
        workload.destinations,
        list(balancer.groups),
        protocol,
        ranges,
    )


def _vpc_peer(proof: Proof) -> Peer:
    return Peer("cidr", sorted(proof.security.vpc_cidrs)[0]) if proof.security.vpc_cidrs else Peer("cidr", "the VPC")


# --- declared connections -------------------------------------------------------------------------


def prove_connections(proof: Proof, workloads: dict[str, Workload], config: EnvironmentConfig | None) -> None:
    assembly = proof.assembly
    if config is None:
        _found_connections(proof, workloads)
        return
    for caller, callee in derived.declared_connections(config):
        source, target = workloads.get(caller), workloads.get(callee)
        if source is None or target is None:
            continue
        port = config.services[callee].port
        assert port is not None
        host_port = next((m[1] for m in target.mappings(assembly) if m[0] == port), None)
        proof.path(
            "connection", f"{caller} -> {callee}", target.destinations, source.sources, "tcp", target.host_ports(port, host_port)
        )
    for name, entry in config.services.items():
        target = workloads.get(name)
        if target is None or entry.port is None:
            continue
        host_port = next((m[1] for m in target.mappings(assembly) if m[0] == entry.port), None)
        for cidr in entry.allow_from:
            kind = "prefix-list" if cidr.startswith("pl-") else "cidr"
            proof.path(
                "connection",
                f"{cidr} -> {name}",
                target.destinations,
                Peer(kind, cidr),
                "tcp",
                target.host_ports(entry.port, host_port),
            )


def _found_connections(proof: Proof, workloads: dict[str, Workload]) -> None:
    """No manifest declares connections: each rule admitting one workload's groups into another's is one, OPEN."""
    for callee in workloads.values():
        for caller in workloads.values():
            sources = set(caller.sources)
            if caller is callee or not sources:
                continue
            ranges: dict[str, list[tuple[int, int]]] = {}
            for key in callee.destinations:
                for rule in proof.security.rules_into(key):
                    if rule.peer.kind == "group" and rule.peer.value in sources and rule.protocol in ("tcp", "udp"):
                        ranges.setdefault(rule.protocol, []).append((rule.start, rule.end))
            for protocol, found in sorted(ranges.items()):
                label = f"{caller.name} -> {callee.name}"
                proof.path("connection", label, callee.destinations, caller.sources, protocol, sorted(set(found)))


# --- file systems ---------------------------------------------------------------------------------


def prove_file_systems(proof: Proof, workloads: dict[str, Workload], config: EnvironmentConfig | None = None) -> None:
    """Each mount reaches its file system's mount targets on NFS. An existing file system (a literal ``fs-`` id) is
    reached through the group the manifest names for it (``existing.security_group_id``); without the manifest,
    through the literal groups that admit the workload on NFS; when no group is known the path is ASSUMED."""
    assembly = proof.assembly
    existing = {fs.existing.id: fs.existing for fs in config.file_systems.values() if fs.existing} if config else {}
    targets: dict[ResourceRef, list[str]] = {}
    for mount in assembly.resources("AWS::EFS::MountTarget"):
        props = assembly.resolve(mount.stack, mount.properties)
        system = assembly.target(props.get("FileSystemId"))
        if system is not None:
            targets.setdefault(system.ref, []).extend(group_keys(assembly, props.get("SecurityGroups")))
    for workload in workloads.values():
        if workload.task_definition is None:
            continue
        props = assembly.resolve(workload.stack, workload.task_definition.properties)
        for volume in props.get("Volumes", []):
            efs = volume.get("EFSVolumeConfiguration")
            literal = efs.get("FilesystemId") if efs else None
            if isinstance(literal, str) and literal.startswith("fs-"):
                _prove_existing_file_system(proof, workload, literal, existing)
                continue
            system = assembly.target(efs.get("FilesystemId")) if efs else None
            if system is None:
                continue
            label = f"{workload.name} -> file system {system.logical_id}"
            if not targets.get(system.ref):
                proof.findings.append(Finding("file system", label, CLOSED, "the file system has no mount target"))
                continue
            proof.path("file system", label, targets[system.ref], workload.sources, "tcp", [(NFS_PORT, NFS_PORT)])


def _prove_existing_file_system(proof: Proof, workload: Workload, file_system_id: str, existing: dict[str, Any]) -> None:
    label = f"{workload.name} -> file system {file_system_id} (existing)"
    settings = existing.get(file_system_id)
    if settings is not None:
        groups = [settings.security_group_id] if settings.security_group_id else []
    else:  # templates alone: the literal groups that admit this workload on NFS are its mount targets'
        groups = sorted(
            {
                rule.group
                for rule in proof.security.ingress
                if rule.group.startswith("sg-")
                and rule.peer.kind == "group"
                and rule.peer.value in workload.sources
                and rule.covers("tcp")
                and rule.start <= NFS_PORT <= rule.end
            }
        )
    if not groups:
        proof.findings.append(
            Finding(
                "file system",
                label,
                ASSUMED,
                "its mount targets and their security groups are outside these templates: they must admit tcp/2049 "
                f"from {', '.join(workload.sources) or 'the tasks'}",
            )
        )
        return
    proof.path("file system", label, groups, workload.sources, "tcp", [(NFS_PORT, NFS_PORT)])


# --- AWS APIs -------------------------------------------------------------------------------------


_ENDPOINT_SERVICE = re.compile(r"^com\.amazonaws\.[^.]+\.(?P<service>.+)$")


def _endpoint_suffix(service_name: Any) -> str:
    """``ecr.api`` of ``com.amazonaws.<region>.ecr.api``."""
    text = render(service_name)
    match = _ENDPOINT_SERVICE.match(text)
    return match.group("service") if match else text


def prove_aws_apis(proof: Proof, workloads: dict[str, Workload]) -> None:
    """Tasks and instances reach ECR, CloudWatch Logs, the secret stores and ECS: through NAT or endpoints."""
    assembly = proof.assembly
    associations = {
        render(assembly.resolve(r.stack, r.properties).get("SubnetId")): assembly.resolve(r.stack, r.properties).get(
            "RouteTableId"
        )
        for r in assembly.resources("AWS::EC2::SubnetRouteTableAssociation")
    }
    nat_tables = {
        render(props.get("RouteTableId"))
        for r in assembly.resources("AWS::EC2::Route")
        if (props := assembly.resolve(r.stack, r.properties)).get("DestinationCidrBlock") == ANYWHERE
        and (props.get("NatGatewayId") is not None or props.get("GatewayId") is not None)
    }
    endpoints: dict[str, list[dict[str, Any]]] = {}
    for r in assembly.resources("AWS::EC2::VPCEndpoint"):
        props = assembly.resolve(r.stack, r.properties)
        endpoints.setdefault(_endpoint_suffix(props.get("ServiceName", "")), []).append(props)
    for props_list in endpoints.values():
        for props in props_list:
            for key in group_keys(assembly, props.get("SecurityGroupIds")):
                for peer in [Peer("cidr", cidr) for cidr in proof.security.vpc_cidrs]:
                    proof.intended.add((key, peer, "tcp", HTTPS_PORT, HTTPS_PORT))
    checked: set[tuple[str, ...]] = set()
    agent_needs = ["ecr.api", "ecr.dkr", "logs", "ecs", "ecs-agent", "ecs-telemetry"]
    for workload in workloads.values():
        needs = _needs(assembly, workload)
        sides = [(f"{workload.name} tasks", workload.sources, workload.subnets, needs)]
        sides += [
            (f"instances of {g.provider.logical_id}", list(g.groups), list(g.subnets), agent_needs) for g in workload.instances
        ]
        for who, sources, subnets, services in sides:
            checked_key = (who, *sorted(services))
            if checked_key in checked or not sources:
                continue
            checked.add(checked_key)
            _prove_egress(proof, who, sources, subnets, services, associations, nat_tables, endpoints)


def _needs(assembly: Assembly, workload: Workload) -> list[str]:
    needs = ["ecr.api", "ecr.dkr", "logs"] if workload.network_mode == "awsvpc" else []
    text = render(workload.containers(assembly))
    if ":secretsmanager:" in text:
        needs.append("secretsmanager")
    if ":ssm:" in text:
        needs.append("ssm")
    if workload.runs_with_exec(assembly):
        needs.append("ssmmessages")
    return needs


def _prove_egress(
    proof: Proof,
    who: str,
    sources: list[str],
    subnets: list[Any],
    services: list[str],
    associations: dict[str, Any],
    nat_tables: set[str],
    endpoints: dict[str, list[dict[str, Any]]],
) -> None:
    if not services:
        return
    if subnets and all(isinstance(s, str) and s.startswith("subnet-") for s in subnets):
        proof.findings.append(
            Finding(
                "aws api",
                f"{who} -> {', '.join(services)}",
                ASSUMED,
                "the subnets belong to an existing VPC whose routes and endpoints are not in these templates",
            )
        )
        return
    tables = [associations.get(render(subnet)) for subnet in subnets]
    if tables and all(render(table) in nat_tables for table in tables if table is not None) and None not in tables:
        gaps = proof.security.allows_out(sources, Peer("cidr", ANYWHERE), "tcp", HTTPS_PORT, HTTPS_PORT)
        status = CLOSED if gaps else OPEN
        detail = (
            f"the egress of {', '.join(sources)} does not let tcp/443 out"
            if gaps
            else "a NAT route in every subnet, egress on 443"
        )
        proof.findings.append(Finding("aws api", f"{who} -> {', '.join(services)} (through NAT)", status, detail))
        return
    for service in services:
        found = endpoints.get(service, [])
        if not found:
            proof.findings.append(
                Finding("aws api", f"{who} -> {service}", CLOSED, f"no NAT route and no {service} interface endpoint in the VPC")
            )
            continue
        groups = [key for props in found for key in group_keys(proof.assembly, props.get("SecurityGroupIds"))]
        if not any(props.get("PrivateDnsEnabled") for props in found):
            proof.findings.append(
                Finding(
                    "aws api",
                    f"{who} -> {service}",
                    CLOSED,
                    f"the {service} endpoint has private DNS off, so the service's name does not reach it",
                )
            )
            continue
        proof.path("aws api", f"{who} -> {service} endpoint", groups, sources, "tcp", [(HTTPS_PORT, HTTPS_PORT)])
    if "ecr.dkr" in services:
        s3 = [props for props in endpoints.get("s3", []) if props.get("VpcEndpointType") == "Gateway"]
        routed = {render(table) for props in s3 for table in props.get("RouteTableIds", [])}
        status = OPEN if tables and all(table is not None and render(table) in routed for table in tables) else CLOSED
        proof.findings.append(
            Finding(
                "aws api",
                f"{who} -> s3 (image layers)",
                status,
                "the s3 gateway endpoint is in every subnet's route table"
                if status == OPEN
                else "no NAT route and no s3 gateway endpoint on the subnets' route tables",
            )
        )


# --- the negative proof ---------------------------------------------------------------------------


def prove_nothing_else(proof: Proof) -> None:
    """Every ingress rule must serve an intended path; say which ones serve none."""
    by_key: dict[tuple[str, Peer, str], list[tuple[int, int]]] = {}
    for group, peer, protocol, low, high in proof.intended:
        by_key.setdefault((group, peer, protocol), []).append((low, high))
    for rule in proof.security.ingress:
        if rule.protocol == "icmp":
            continue
        allowed = by_key.get((rule.group, rule.peer, rule.protocol), [])
        extra = uncovered(rule.start, rule.end, allowed) if rule.protocol != "all" else [(0, 65535)]
        if not extra:
            continue
        exposure = "the internet" if proof.security.is_public(rule) else str(rule.peer)
        needless = ports_text(rule.protocol, extra) if rule.protocol != "all" else "all traffic"
        proof.findings.append(
            Finding(
                "exposure",
                f"{exposure} -> {rule.group} ({rule.ports()})",
                UNINTENDED,
                f"rule {rule.where} admits it, and no intended path needs {needless}",
            )
        )
