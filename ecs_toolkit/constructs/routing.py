"""Traffic into an ``EcsService``: a rule on the shared ALB, or a Network Load Balancer of its own.

CDK's ``attach_to_*_target_group`` opens 32768-65535 on the instances for bridge-mode services and,
across stacks, writes the load balancer's egress rule into the load balancer's stack (a cycle).
These constructs register the service with the target group themselves and open exactly one
port (awsvpc, host) or the cluster's pinned range (bridge), with every rule in the service's stack.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy, Token
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from constructs import Construct

from ecs_toolkit.compliance import acknowledge, skip_checkov
from ecs_toolkit.constructs.access_logs import AccessLogBucket
from ecs_toolkit.constructs.network import internal_subnets
from ecs_toolkit.constructs.service import EcsService

PLAIN_NLB_LOGS = (
    "NLBs write access logs for TLS listeners only, so a TCP/UDP NLB has none; "
    "its connections are in the VPC flow logs where those are on"
)


DESCRIBE_ACTIONS = ("DescribeListeners", "DescribeRules", "DescribeTargetGroups", "DescribeTargetHealth")
"""What ECS reads while it shifts traffic (the read statement of AmazonECSInfrastructureRolePolicyForLoadBalancers)."""


@dataclass(frozen=True)
class HealthCheckSpec:
    """Target-group health check; defaults follow AWS guidance for fast rollouts (healthy in ~20 s)."""

    path: str = "/"
    interval: Duration = Duration.seconds(10)
    timeout: Duration = Duration.seconds(5)
    healthy_threshold: int = 2
    unhealthy_threshold: int = 3
    success_codes: str = "200-399"
    port: int | None = None
    """Check this port instead of the traffic port (awsvpc and host network modes; bridge host ports are dynamic)."""


ALB_CONDITION_VALUES = 5
"""Host and path values one ALB listener rule takes in all (Elastic Load Balancing quotas, checked 2026-11-27)."""
TARGET_PROTOCOLS = {"http": elbv2.ApplicationProtocol.HTTP, "https": elbv2.ApplicationProtocol.HTTPS}
HEALTH_CHECK_PROTOCOLS = {"http": elbv2.Protocol.HTTP, "https": elbv2.Protocol.HTTPS}
MAX_STICKINESS = Duration.days(7)


def _values(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _conditions(owner: str, path: str | Sequence[str] | None, host: str | Sequence[str] | None) -> list[elbv2.ListenerCondition]:
    """One host-header and one path-pattern condition, each with every value; at most 5 values in all."""
    hosts, paths = _values(host), _values(path)
    if not hosts and not paths:
        raise ValueError(f"{owner}: give a path, a host, or both")
    if len(hosts) + len(paths) > ALB_CONDITION_VALUES:
        raise ValueError(
            f"{owner}: {len(hosts) + len(paths)} host and path values, an ALB rule takes at most {ALB_CONDITION_VALUES}"
        )
    conditions = []
    if hosts:
        conditions.append(elbv2.ListenerCondition.host_headers(hosts))
    if paths:
        conditions.append(elbv2.ListenerCondition.path_patterns(paths))
    return conditions


def _container_port(owner: str, service: EcsService, container: str, port: int) -> None:
    """The container exists in the service's task and maps ``port``."""
    definition = service.task_definition.find_container(container)
    if definition is None:
        raise ValueError(f"{owner}: the task has no container {container!r}")
    if not any(mapping.container_port == port for mapping in definition.port_mappings):
        raise ValueError(f"{owner}: container {container!r} maps no port {port}")


def _first_port(owner: str, service: EcsService, container: str) -> int:
    """The first port a container of the service maps (a sidecar has one)."""
    definition = service.task_definition.find_container(container)
    if definition is None:
        raise ValueError(f"{owner}: the task has no container {container!r}")
    if not definition.port_mappings:
        raise ValueError(f"{owner}: container {container!r} maps no port: give one")
    return int(definition.port_mappings[0].container_port)


def _target_type(service: EcsService) -> elbv2.TargetType:
    return elbv2.TargetType.IP if service.network_mode == "awsvpc" else elbv2.TargetType.INSTANCE


def _register(
    service: EcsService,
    target_group: elbv2.TargetGroupBase,
    depends_on: Construct | None,
    advanced: dict[str, object] | None = None,
    *,
    container: str | None = None,
    port: int | None = None,
) -> None:
    """Add the target group to the ECS service and create the service after the listener exists.

    ``advanced`` is the entry's ``AdvancedConfiguration`` (alternate target group, listener rules and
    the infrastructure role) for blue/green, canary and linear deployments.
    """
    entry: dict[str, object] = {
        "ContainerName": container or service.main_container_name,
        "ContainerPort": port or service.main_port,
        "TargetGroupArn": target_group.target_group_arn,
    }
    if advanced is not None:
        entry["AdvancedConfiguration"] = advanced
    service.load_balancers.append(entry)
    service.cfn_service.add_property_override("LoadBalancers", service.load_balancers)
    if depends_on is not None:
        service.service.node.add_dependency(depends_on)


class AlbRoute(Construct):
    """A listener rule on the shared (or an imported) ALB forwarding hosts and/or paths to the service.

    The target group sends to the main container's port unless ``target_container``/``target_port`` name
    another (a sidecar proxy, say), over HTTP or HTTPS, with optional load-balancer cookie stickiness.
    ``add_route`` adds more rules: to this target group, or to a target group of their own for another
    container or port. The task's group (awsvpc) admits the load balancer on every target and health-check port.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: EcsService,
        vpc: ec2.IVpc,
        listener: elbv2.IApplicationListener,
        load_balancer_security_group: ec2.ISecurityGroup,
        priority: int,
        path: str | Sequence[str] | None = None,
        host: str | Sequence[str] | None = None,
        health_check: HealthCheckSpec = HealthCheckSpec(),
        deregistration_delay: Duration = Duration.seconds(15),
        grace_period: Duration = Duration.seconds(30),
        test_listener: elbv2.IApplicationListener | None = None,
        target_container: str | None = None,
        target_port: int | None = None,
        protocol: str = "http",
        stickiness: Duration | None = None,
    ) -> None:
        """With a blue-green, canary or linear service, ``test_listener`` gets a rule reaching the new revision.

        ``path`` and ``host`` take one value or several (at most 5 together). ``protocol`` is ``http`` or
        ``https`` (the target group and its health check). ``stickiness`` is 1 second to 7 days.
        """
        super().__init__(scope, construct_id)
        conditions = _conditions("AlbRoute", path, host)
        if not 1 <= priority <= 50000:
            raise ValueError(f"AlbRoute: priority must be 1-50000, got {priority}")
        self.container = target_container or service.main_container_name
        if target_port is None and self.container != service.main_container_name:
            target_port = _first_port("AlbRoute", service, self.container)
        if service.main_port is None and target_port is None:
            raise ValueError("AlbRoute: the service's main container has no port")
        if protocol not in TARGET_PROTOCOLS:
            raise ValueError(f"AlbRoute: protocol must be http or https, got {protocol!r}")
        if stickiness is not None and not 1000 <= stickiness.to_milliseconds() <= MAX_STICKINESS.to_milliseconds():
            raise ValueError("AlbRoute: stickiness must be 1 second to 7 days")
        if health_check.port is not None and service.network_mode == "bridge":
            raise ValueError(
                "AlbRoute: bridge-mode host ports are dynamic, so a health check on a fixed port reaches no task; "
                "leave health_check.port unset"
            )
        port = target_port if target_port is not None else service.main_port
        assert port is not None
        self.port = port
        _container_port("AlbRoute", service, self.container, self.port)
        self._service = service
        self._vpc = vpc
        self._listener = listener
        self._load_balancer_security_group = load_balancer_security_group
        self._health_check = health_check
        self._deregistration_delay = deregistration_delay
        self.protocol = protocol
        self.target_group = self._target_group("TargetGroup", service, vpc, health_check, deregistration_delay)
        if stickiness is not None:
            self.target_group.enable_cookie_stickiness(stickiness)
        self.alternate_target_group: elbv2.ApplicationTargetGroup | None = None
        self.test_rule: elbv2.ApplicationListenerRule | None = None
        self.additional_target_groups: list[elbv2.ApplicationTargetGroup] = []
        """Target groups of ``add_route`` rules that send to another container or port."""
        if not service.deployment.shifts_traffic:
            self.rule = elbv2.ApplicationListenerRule(
                self,
                "Rule",
                listener=listener,
                priority=priority,
                conditions=conditions,
                action=elbv2.ListenerAction.forward([self.target_group]),
            )
            _register(service, self.target_group, self.rule, container=self.container, port=self.port)
        else:
            self._shift_traffic(service, vpc, listener, test_listener, priority, conditions, health_check, deregistration_delay)
            if stickiness is not None:
                assert self.alternate_target_group is not None
                self.alternate_target_group.enable_cookie_stickiness(stickiness)
        service.cfn_service.add_property_override("HealthCheckGracePeriodSeconds", int(grace_period.to_seconds()))
        self._admit(self.port, "Container port from the load balancer")
        if health_check.port is not None and health_check.port != self.port:
            self._admit(health_check.port, "Health-check port from the load balancer")

    def _admit(self, port: int, description: str) -> None:
        if self._service.security_group is not None:
            self._service.security_group.connections.allow_from(
                self._load_balancer_security_group, ec2.Port.tcp(port), description
            )

    def add_route(
        self,
        route_id: str,
        *,
        priority: int,
        path: str | Sequence[str] | None = None,
        host: str | Sequence[str] | None = None,
        container: str | None = None,
        port: int | None = None,
        protocol: str = "http",
    ) -> elbv2.ApplicationListenerRule:
        """Another listener rule of the service (``route_id`` names its constructs, so keep it stable).

        It forwards to the service's target group when ``container`` and ``port`` are the route's target (the
        defaults); otherwise to a new target group for that container and port over ``protocol``, checked on
        its traffic port with the route's health-check path and timings. Not for blue-green, canary or linear
        services: ECS moves traffic on their one production rule only.
        """
        owner = f"AlbRoute.add_route({route_id!r})"
        conditions = _conditions(owner, path, host)
        if not 1 <= priority <= 50000:
            raise ValueError(f"{owner}: priority must be 1-50000, got {priority}")
        if self._service.deployment.shifts_traffic:
            raise ValueError(f"{owner}: a blue-green, canary or linear deployment moves traffic on one rule only")
        if protocol not in TARGET_PROTOCOLS:
            raise ValueError(f"{owner}: protocol must be http or https, got {protocol!r}")
        container = container or self.container
        if port is None:
            port = self.port if container == self.container else _first_port(owner, self._service, container)
        _container_port(owner, self._service, container, port)
        target_group: elbv2.ApplicationTargetGroup
        if (container, port) == (self.container, self.port):
            target_group = self.target_group
        else:
            check = dataclasses.replace(self._health_check, port=None)
            target_group = self._target_group(
                f"{route_id}TargetGroup", self._service, self._vpc, check, self._deregistration_delay, container, port, protocol
            )
            self.additional_target_groups.append(target_group)
            self._admit(port, f"{container} port from the load balancer")
        rule = elbv2.ApplicationListenerRule(
            self,
            f"{route_id}Rule",
            listener=self._listener,
            priority=priority,
            conditions=conditions,
            action=elbv2.ListenerAction.forward([target_group]),
        )
        if target_group is not self.target_group:
            _register(self._service, target_group, rule, container=container, port=port)
        return rule

    def _target_group(
        self,
        construct_id: str,
        service: EcsService,
        vpc: ec2.IVpc,
        health_check: HealthCheckSpec,
        deregistration_delay: Duration,
        container: str | None = None,
        port: int | None = None,
        protocol: str | None = None,
    ) -> elbv2.ApplicationTargetGroup:
        protocol = protocol or self.protocol
        return elbv2.ApplicationTargetGroup(
            self,
            construct_id,
            vpc=vpc,
            target_type=_target_type(service),
            port=port or self.port,
            protocol=TARGET_PROTOCOLS[protocol],
            deregistration_delay=deregistration_delay,
            health_check=elbv2.HealthCheck(
                # Explicit traffic-port: dynamic host ports need it (cfn-lint E3049 otherwise).
                port=str(health_check.port) if health_check.port is not None else "traffic-port",
                protocol=HEALTH_CHECK_PROTOCOLS[protocol] if protocol != "http" else None,
                path=health_check.path,
                interval=health_check.interval,
                timeout=health_check.timeout,
                healthy_threshold_count=health_check.healthy_threshold,
                unhealthy_threshold_count=health_check.unhealthy_threshold,
                healthy_http_codes=health_check.success_codes,
            ),
        )

    def _shift_traffic(
        self,
        service: EcsService,
        vpc: ec2.IVpc,
        listener: elbv2.IApplicationListener,
        test_listener: elbv2.IApplicationListener | None,
        priority: int,
        conditions: list[elbv2.ListenerCondition],
        health_check: HealthCheckSpec,
        deregistration_delay: Duration,
    ) -> None:
        """Blue/green, canary, linear: an alternate target group, weighted production and test rules, the role ECS uses.

        Both rules start at 100/0 on the primary group; ECS moves the weights during a deployment.
        """
        role = service.infrastructure_role
        assert role is not None, "EcsService creates the infrastructure role for traffic-shifting strategies"
        alternate = self._target_group("AlternateTargetGroup", service, vpc, health_check, deregistration_delay)
        self.alternate_target_group = alternate

        def weighted() -> elbv2.ListenerAction:
            return elbv2.ListenerAction.weighted_forward(
                [
                    elbv2.WeightedTargetGroup(target_group=self.target_group, weight=100),
                    elbv2.WeightedTargetGroup(target_group=alternate, weight=0),
                ]
            )

        self.rule = elbv2.ApplicationListenerRule(
            self, "Rule", listener=listener, priority=priority, conditions=conditions, action=weighted()
        )
        rules = [self.rule]
        advanced: dict[str, object] = {
            "AlternateTargetGroupArn": alternate.target_group_arn,
            "ProductionListenerRule": self.rule.listener_rule_arn,
            "RoleArn": role.role_arn,
        }
        if test_listener is not None:
            self.test_rule = elbv2.ApplicationListenerRule(
                self, "TestRule", listener=test_listener, priority=priority, conditions=conditions, action=weighted()
            )
            rules.append(self.test_rule)
            advanced["TestListenerRule"] = self.test_rule.listener_rule_arn
        # The advanced configuration refers to both rules, so the service is created after them.
        _register(service, self.target_group, None, advanced, container=self.container, port=self.port)
        # What AmazonECSInfrastructureRolePolicyForLoadBalancers grants, narrowed to this service's groups and rules.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[f"elasticloadbalancing:{action}" for action in DESCRIBE_ACTIONS],
                resources=["*"],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                resources=[self.target_group.target_group_arn, alternate.target_group_arn],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["elasticloadbalancing:ModifyRule"], resources=[rule.listener_rule_arn for rule in rules])
        )
        # ECS uses the role as soon as the service exists: create the service after the role's policy.
        policy = role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            service.service.node.add_dependency(policy)
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "Elastic Load Balancing's Describe actions take no resource-level permissions; "
            "every changing action is scoped to this service's target groups and listener rules",
        )


NLB_PROTOCOLS = {
    "tcp": elbv2.Protocol.TCP,
    "tls": elbv2.Protocol.TLS,
    "udp": elbv2.Protocol.UDP,
    "tcp_udp": elbv2.Protocol.TCP_UDP,
}
TRANSPORTS = {"tcp": ("tcp",), "tls": ("tcp",), "udp": ("udp",), "tcp_udp": ("tcp", "udp")}
"""What each listener protocol carries to the targets."""


def _port(transport: str, port: int) -> ec2.Port:
    return ec2.Port.udp(port) if transport == "udp" else ec2.Port.tcp(port)


class NlbEndpoint(Construct):
    """A Network Load Balancer of the service's own (TCP, UDP, TCP_UDP, or TLS with a certificate).

    Health checks are TCP (an NLB has no UDP health check) on the traffic port or ``health_check_port``;
    the task's group (awsvpc) or the instances' groups (bridge, host) admit, only from the NLB's group,
    every transport of the listener on the target port and TCP on the health-check port. So a UDP-only
    container must also answer TCP on the health-check port. Bridge-mode TCP/TLS services use dynamic
    host ports (the instances admit the pinned range); bridge-mode UDP needs ``static_host_port`` on the
    main container, since dynamic TCP and UDP host ports of one task differ while the NLB registers one.

    TLS listeners log access to an encrypted bucket; NLBs write no access logs for TCP/UDP.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: EcsService,
        vpc: ec2.IVpc,
        port: int,
        protocol: str = "tcp",
        certificate_arn: str | None = None,
        public: bool = False,
        instance_security_groups: Sequence[ec2.ISecurityGroup] = (),
        host_ports: ec2.Port | None = None,
        health_check_port: int | None = None,
        deregistration_delay: Duration = Duration.seconds(15),
        health_check_interval: Duration = Duration.seconds(10),
        access_log_retention: Duration = Duration.days(90),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        test_port: int | None = None,
        test_clients: Sequence[str] = (),
    ) -> None:
        """``health_check_port``: the TCP port the NLB checks; None checks the traffic port over TCP.

        With a blue-green, canary or linear service, ``test_port`` (required then) is the test listener's
        port: it admits ``test_clients`` (IPv4 CIDRs), or only the VPC's CIDR when none are given.
        """
        super().__init__(scope, construct_id)
        if protocol not in NLB_PROTOCOLS:
            raise ValueError(f"NlbEndpoint: unknown protocol {protocol!r}")
        if (protocol == "tls") != (certificate_arn is not None):
            raise ValueError("NlbEndpoint: a certificate is required with tls, and only then")
        if service.main_port is None:
            raise ValueError("NlbEndpoint: the service's main container has no port")
        shifting = service.deployment.shifts_traffic
        if shifting and test_port is None:
            raise ValueError("NlbEndpoint: a blue-green, canary or linear service needs test_port for its test listener")
        if test_port is not None and not shifting:
            raise ValueError("NlbEndpoint: test_port is for blue-green, canary and linear services only")
        if test_port == port:
            raise ValueError(f"NlbEndpoint: test_port must differ from the listener port {port}")
        transports = TRANSPORTS[protocol]
        self._check_container(service, transports, health_check_port)
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, description="Network load balancer", allow_all_outbound=False
        )
        clients = ec2.Peer.any_ipv4() if public else ec2.Peer.ipv4(vpc.vpc_cidr_block)
        for transport in transports:
            self.security_group.add_ingress_rule(clients, _port(transport, port), "Listener port from clients")
        if public or Token.is_unresolved(vpc.vpc_cidr_block):
            acknowledge(
                self.security_group,
                "AwsSolutions-EC23",
                "Internet-facing: 0.0.0.0/0 on the listener port only"
                if public
                else "Internal: the listener port admits only the VPC's CIDR, a token the rule cannot evaluate",
            )
        self.load_balancer = elbv2.NetworkLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            internet_facing=public,
            security_groups=[self.security_group],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC) if public else internal_subnets(vpc),
            cross_zone_enabled=True,
        )
        if protocol == "tls":
            self.access_logs: AccessLogBucket | None = AccessLogBucket(
                self, "AccessLogs", retention=access_log_retention, removal_policy=removal_policy
            )
            self.access_logs.enable_on(self.load_balancer, prefix="nlb")
        else:
            self.access_logs = None
            acknowledge(self.load_balancer, "AwsSolutions-ELB2", PLAIN_NLB_LOGS)
            skip_checkov(self.load_balancer, "CKV_AWS_91", PLAIN_NLB_LOGS)
        target_protocol = elbv2.Protocol.TCP if protocol == "tls" else NLB_PROTOCOLS[protocol]

        main_port = service.main_port
        assert main_port is not None

        def target_group(construct_id: str) -> elbv2.NetworkTargetGroup:
            return elbv2.NetworkTargetGroup(
                self,
                construct_id,
                vpc=vpc,
                port=main_port,
                protocol=target_protocol,
                target_type=_target_type(service),
                deregistration_delay=deregistration_delay,
                health_check=elbv2.HealthCheck(
                    # Explicit traffic-port: dynamic host ports need it (cfn-lint E3049 otherwise).
                    port="traffic-port" if health_check_port is None else str(health_check_port),
                    protocol=elbv2.Protocol.TCP,
                    interval=health_check_interval,
                    healthy_threshold_count=2,
                    unhealthy_threshold_count=2,
                ),
            )

        self.target_group = target_group("TargetGroup")
        self.alternate_target_group: elbv2.NetworkTargetGroup | None = target_group("AlternateTargetGroup") if shifting else None
        certificate = acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn) if certificate_arn else None

        def listener(construct_id: str, listener_port: int) -> elbv2.NetworkListener:
            alternate = self.alternate_target_group
            return self.load_balancer.add_listener(
                construct_id,
                port=listener_port,
                protocol=NLB_PROTOCOLS[protocol],
                certificates=[elbv2.ListenerCertificate.from_certificate_manager(certificate)] if certificate else None,
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS if certificate else None,
                # Traffic shifting: both groups in a weighted forward, 100/0 on the primary; ECS moves the weights.
                default_action=elbv2.NetworkListenerAction.weighted_forward(
                    [
                        elbv2.NetworkWeightedTargetGroup(target_group=self.target_group, weight=100),
                        elbv2.NetworkWeightedTargetGroup(target_group=alternate, weight=0),
                    ]
                )
                if alternate is not None
                else None,
                default_target_groups=None if alternate is not None else [self.target_group],
            )

        self.listener = listener("Listener", port)
        self.test_listener: elbv2.NetworkListener | None = None
        """The listener reaching the new revision before production traffic moves (traffic-shifting services)."""
        if test_port is None:
            _register(service, self.target_group, self.listener)
        else:
            self.test_listener = listener("TestListener", test_port)
            peers = [ec2.Peer.ipv4(cidr) for cidr in test_clients] or [ec2.Peer.ipv4(vpc.vpc_cidr_block)]
            for peer in peers:
                for transport in transports:
                    self.security_group.add_ingress_rule(
                        peer, _port(transport, test_port), "Test listener from its declared clients"
                    )
            self._shift_traffic(service)
        self.target_ports = self._target_ports(service, transports, health_check_port, host_ports)
        """What the targets admit from the NLB: (port, description) pairs."""
        if service.security_group is not None:
            for ports, description in self.target_ports:
                service.security_group.connections.allow_from(self.security_group, ports, description)
        else:
            for group in instance_security_groups:
                for ports, description in self.target_ports:
                    self.security_group.connections.allow_to(group, ports, description)

    def _shift_traffic(self, service: EcsService) -> None:
        """Blue/green, canary, linear on an NLB: ECS modifies the production and test *listeners* (no rules on an NLB)."""
        alternate, test_listener = self.alternate_target_group, self.test_listener
        assert alternate is not None and test_listener is not None
        role = service.infrastructure_role
        assert role is not None, "EcsService creates the infrastructure role for traffic-shifting strategies"
        _register(
            service,
            self.target_group,
            None,
            {
                "AlternateTargetGroupArn": alternate.target_group_arn,
                "ProductionListenerRule": self.listener.listener_arn,
                "TestListenerRule": test_listener.listener_arn,
                "RoleArn": role.role_arn,
            },
        )
        # What AmazonECSInfrastructureRolePolicyForLoadBalancers grants for an NLB, narrowed to this service's
        # groups and listeners (its NLBModifyListeners statement: ModifyListener on listener/net/...).
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=[f"elasticloadbalancing:{action}" for action in DESCRIBE_ACTIONS], resources=["*"])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                resources=[self.target_group.target_group_arn, alternate.target_group_arn],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["elasticloadbalancing:ModifyListener"],
                resources=[self.listener.listener_arn, test_listener.listener_arn],
            )
        )
        policy = role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            service.service.node.add_dependency(policy)
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "Elastic Load Balancing's Describe actions take no resource-level permissions; "
            "every changing action is scoped to this service's target groups and listeners",
        )

    @staticmethod
    def _check_container(service: EcsService, transports: Sequence[str], health_check_port: int | None) -> None:
        """The main container must publish what the listener forwards, and TCP where the NLB checks."""
        task = service.task
        missing = [transport for transport in transports if transport not in task.main_protocols]
        if missing:
            raise ValueError(f"NlbEndpoint: the main container does not publish its port over {', '.join(missing)}")
        checked = health_check_port if health_check_port is not None else service.main_port
        tcp_on_traffic_port = "tcp" in task.main_protocols and checked == service.main_port
        if not tcp_on_traffic_port and task.main_health_check_port != checked:
            raise ValueError(
                f"NlbEndpoint: health checks are TCP on port {checked}: give the main container health_check_port={checked}"
            )
        pinned = transports != ("tcp",) or checked != service.main_port
        if service.network_mode == "bridge" and pinned and not task.main_static_host_port:
            raise ValueError(
                "NlbEndpoint: bridge mode with UDP or a separate health-check port needs static_host_port on the main "
                "container (dynamic TCP and UDP host ports of one task differ, and the NLB registers one port)"
            )

    @staticmethod
    def _target_ports(
        service: EcsService, transports: Sequence[str], health_check_port: int | None, host_ports: ec2.Port | None
    ) -> list[tuple[ec2.Port, str]]:
        assert service.main_port is not None
        if service.network_mode == "bridge" and not service.task.main_static_host_port:
            # TCP or TLS on dynamic host ports: the pinned range (the check goes to the same traffic port).
            ports = host_ports if host_ports is not None else ec2.Port.tcp(service.main_port)
            return [(ports, "Service ports on the instances")]
        checked = health_check_port if health_check_port is not None else service.main_port
        what = "Container port from the NLB" if service.security_group is not None else "Service ports on the instances"
        rules = [
            (_port(transport, service.main_port), what if transports == ("tcp",) else f"{what} ({transport})")
            for transport in transports
        ]
        if not ("tcp" in transports and checked == service.main_port):
            rules.append((ec2.Port.tcp(checked), "Health checks (tcp) from the NLB"))
        return rules
