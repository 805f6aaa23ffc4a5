"""The environment's shared Application Load Balancer."""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from constructs import Construct

from ecs_toolkit.compliance import acknowledge, skip_checkov
from ecs_toolkit.constructs.access_logs import AccessLogBucket
from ecs_toolkit.constructs.network import internal_subnets

NOT_FOUND_BODY = "not found"
ACCESS_LOG_PREFIX = "alb"


class SharedLoadBalancer(Construct):
    """An ALB that services attach to with listener rules.

    HTTP only without a certificate; with one, HTTPS on 443 with a TLS 1.2+ policy and HTTP
    redirecting to it. Invalid header fields are dropped, access logs go to an encrypted,
    versioned, SSL-only bucket with an expiry rule, and a request no rule matches gets a fixed 404.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        public: bool = True,
        certificate_arn: str | None = None,
        idle_timeout: Duration = Duration.seconds(60),
        access_log_retention: Duration = Duration.days(90),
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
        test_port: int | None = None,
        test_clients: Sequence[str] = (),
    ) -> None:
        """``test_port`` adds the test listener of blue/green, canary and linear deployments: it admits
        ``test_clients`` (IPv4 CIDRs), or only the VPC's CIDR when none are given, never the internet by default."""
        super().__init__(scope, construct_id)
        if test_port is not None and test_port in (80, 443):
            raise ValueError(f"SharedLoadBalancer: test_port {test_port} is a production listener port")
        self.https = certificate_arn is not None
        self.port = 443 if self.https else 80
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, description="Shared load balancer", allow_all_outbound=False
        )
        clients = ec2.Peer.any_ipv4() if public else ec2.Peer.ipv4(vpc.vpc_cidr_block)
        if public or cdk.Token.is_unresolved(vpc.vpc_cidr_block):
            acknowledge(
                self.security_group,
                "AwsSolutions-EC23",
                "Internet-facing: 0.0.0.0/0 is admitted on the listener ports only"
                if public
                else "Internal: the listener ports admit only the VPC's CIDR, a token the rule cannot evaluate",
            )
        if public:
            skip_checkov(
                self.security_group,
                "CKV_AWS_260",
                "Internet-facing: port 80 is a listener port (plain HTTP, or only a redirect to HTTPS with a certificate)",
            )
        for port in (80, 443) if self.https else (80,):
            self.security_group.add_ingress_rule(clients, ec2.Port.tcp(port), f"HTTP{'S' if port == 443 else ''} from clients")
        self.access_logs = AccessLogBucket(self, "AccessLogs", retention=access_log_retention, removal_policy=removal_policy)
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            internet_facing=public,
            security_group=self.security_group,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC) if public else internal_subnets(vpc),
            drop_invalid_header_fields=True,
            idle_timeout=idle_timeout,
        )
        self.access_logs.enable_on(self.load_balancer, prefix=ACCESS_LOG_PREFIX)
        not_found = elbv2.ListenerAction.fixed_response(404, content_type="text/plain", message_body=NOT_FOUND_BODY)
        if certificate_arn is not None:
            self.listener = self.load_balancer.add_listener(
                "Https",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_action=not_found,
                open=False,
            )
            self.load_balancer.add_redirect(source_port=80, target_port=443, open=False)
        else:
            self.listener = self.load_balancer.add_listener(
                "Http", port=80, protocol=elbv2.ApplicationProtocol.HTTP, default_action=not_found, open=False
            )
            for check_id in ("CKV_AWS_2", "CKV_AWS_103"):
                skip_checkov(
                    self.listener,
                    check_id,
                    "No certificate_arn in the manifest, so the listener is plain HTTP; with one it is HTTPS "
                    "(TLS 1.2+) and port 80 only redirects",
                )
        self.test_listener: elbv2.ApplicationListener | None = None
        """The listener that reaches a new revision before production traffic moves (None without ``test_port``)."""
        if test_port is not None:
            self._test_listener(vpc, test_port, test_clients, certificate_arn, not_found)

    def _test_listener(
        self,
        vpc: ec2.IVpc,
        port: int,
        clients: Sequence[str],
        certificate_arn: str | None,
        not_found: elbv2.ListenerAction,
    ) -> None:
        peers = [ec2.Peer.ipv4(cidr) for cidr in clients] or [ec2.Peer.ipv4(vpc.vpc_cidr_block)]
        for peer in peers:
            self.security_group.add_ingress_rule(peer, ec2.Port.tcp(port), "Test listener from its declared clients")
        if certificate_arn is not None:
            self.test_listener = self.load_balancer.add_listener(
                "Test",
                port=port,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_action=not_found,
                open=False,
            )
        else:
            self.test_listener = self.load_balancer.add_listener(
                "Test", port=port, protocol=elbv2.ApplicationProtocol.HTTP, default_action=not_found, open=False
            )
            for check_id in ("CKV_AWS_2", "CKV_AWS_103"):
                skip_checkov(
                    self.test_listener,
                    check_id,
                    "No certificate_arn in the manifest, so the test listener is plain HTTP like the production one; "
                    "with a certificate it is HTTPS (TLS 1.2+)",
                )


_ALB_ARN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/(?P<name>app/[A-Za-z0-9-]+/[0-9a-f]+)$"
)
_LISTENER_ARN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener/(?P<name>app/[A-Za-z0-9-]+/[0-9a-f]+)/[0-9a-f]+$"
)
_SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")


class ImportedLoadBalancer(Construct):
    """An existing Application Load Balancer and one of its listeners, imported by ARN (no lookups).

    Services attach listener rules and target groups to ``listener`` exactly as to a ``SharedLoadBalancer``'s,
    and admit ``security_group`` on their ports. Nothing is added to the load balancer itself: its security
    group is imported immutable (no rule is written into it; its egress is assumed to reach the targets),
    and it has no test listener, since clients could reach one only through a rule on that group. Its access
    logs, certificates and other listeners stay with whoever created it.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        load_balancer_arn: str,
        listener_arn: str,
        security_group_id: str,
        dns_name: str,
        https: bool = False,
    ) -> None:
        """``https``: the listener is HTTPS (it holds the certificate), so the services' URLs start with https://."""
        super().__init__(scope, construct_id)
        alb = _ALB_ARN.match(load_balancer_arn)
        if alb is None:
            raise ValueError(f"ImportedLoadBalancer: {load_balancer_arn!r} is not an Application Load Balancer ARN")
        listener = _LISTENER_ARN.match(listener_arn)
        if listener is None:
            raise ValueError(f"ImportedLoadBalancer: {listener_arn!r} is not an Application Load Balancer listener ARN")
        if listener["name"] != alb["name"]:
            raise ValueError(f"ImportedLoadBalancer: the listener belongs to {listener['name']}, not to {alb['name']}")
        if _SECURITY_GROUP_ID.match(security_group_id) is None:
            raise ValueError(f"ImportedLoadBalancer: {security_group_id!r} is not a security group id (sg-...)")
        self.https = https
        self.port = 443 if https else 80
        self.full_name = alb["name"]
        """``app/<name>/<id>``: the LoadBalancer dimension of the ALB's CloudWatch metrics."""
        self.security_group = ec2.SecurityGroup.from_security_group_id(self, "SecurityGroup", security_group_id, mutable=False)
        self.load_balancer = elbv2.ApplicationLoadBalancer.from_application_load_balancer_attributes(
            self,
            "LoadBalancer",
            load_balancer_arn=load_balancer_arn,
            security_group_id=security_group_id,
            load_balancer_dns_name=dns_name,
        )
        self.listener = elbv2.ApplicationListener.from_application_listener_attributes(
            self, "Listener", listener_arn=listener_arn, security_group=self.security_group
        )
        self.test_listener: elbv2.IApplicationListener | None = None
        """Always None: see the class's description."""
