"""AlbRoute and NlbEndpoint: a target group per service, health checks tuned for fast rollouts."""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import AlbRoute, EcsCluster, EcsService, NlbEndpoint, SharedLoadBalancer
from tests.constructs.conftest import Example, container


def test_the_example_route_sends_every_path_to_the_web_service_on_dynamic_host_ports(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {"Priority": 100, "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}]},
    )
    target_group = example.logical_id(example.built.route.target_group)
    example.template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 80, "TargetGroupArn": {"Ref": target_group}}],
            "HealthCheckGracePeriodSeconds": 30,
        },
    )


def test_defaults_fast_health_checks_on_the_traffic_port_and_a_15_second_deregistration_delay(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "TargetType": "instance",  # bridge mode: the instance and its dynamic port
            "HealthCheckPort": "traffic-port",
            "HealthCheckPath": "/",
            "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "Matcher": {"HttpCode": "200-399"},
            "TargetGroupAttributes": Match.array_with([{"Key": "deregistration_delay.timeout_seconds", "Value": "15"}]),
        },
    )


@pytest.fixture
def service(stack: cdk.Stack, vpc: ec2.IVpc) -> EcsService:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    return EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[container()], fargate=True, cpu=256, memory_mib=512
    )


def test_alb_route_needs_a_condition_and_a_valid_priority(stack: cdk.Stack, vpc: ec2.IVpc, service: EcsService) -> None:
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc, access_log_retention=Duration.days(7))
    common = {"service": service, "vpc": vpc, "listener": alb.listener, "load_balancer_security_group": alb.security_group}
    with pytest.raises(ValueError, match="give a path, a host, or both"):
        AlbRoute(stack, "NoCondition", priority=10, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="priority must be 1-50000"):
        AlbRoute(stack, "BadPriority", priority=0, path="/*", **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="priority must be 1-50000, got 50001"):
        AlbRoute(stack, "TooHigh", priority=50001, host="shop.example.com", **common)  # type: ignore[arg-type]


def test_a_route_and_an_endpoint_need_a_service_with_a_port(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    portless = EcsService(
        stack, "Worker", cluster=cluster.cluster, vpc=vpc, containers=[container(None)], fargate=True, cpu=256, memory_mib=512
    )
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc)
    with pytest.raises(ValueError, match="AlbRoute: the service's main container has no port"):
        AlbRoute(
            stack,
            "Route",
            service=portless,
            vpc=vpc,
            listener=alb.listener,
            load_balancer_security_group=alb.security_group,
            priority=1,
            path="/*",
        )
    with pytest.raises(ValueError, match="NlbEndpoint: the service's main container has no port"):
        NlbEndpoint(stack, "Nlb", service=portless, vpc=vpc, port=80)


def test_nlb_endpoint_rejects_unknown_protocols_and_a_certificate_without_tls(stack: cdk.Stack, service: EcsService) -> None:
    with pytest.raises(ValueError, match="unknown protocol 'http'"):
        NlbEndpoint(stack, "Http", service=service, vpc=service.service.cluster.vpc, port=80, protocol="http")
    with pytest.raises(ValueError, match="a certificate is required with tls, and only then"):
        NlbEndpoint(stack, "Tls", service=service, vpc=service.service.cluster.vpc, port=443, protocol="tls")
    with pytest.raises(ValueError, match="a certificate is required with tls, and only then"):
        NlbEndpoint(
            stack, "Tcp", service=service, vpc=service.service.cluster.vpc, port=80, certificate_arn="arn:aws:acm:::certificate/x"
        )


def test_an_nlb_endpoint_is_internal_tcp_with_fast_checks_and_its_own_group_by_default() -> None:
    from aws_cdk import assertions

    from tests.conftest import new_app

    stack = cdk.Stack(new_app(), "Nlb")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    service = EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[container(5432)], fargate=True, cpu=256, memory_mib=512
    )
    endpoint = NlbEndpoint(stack, "Nlb", service=service, vpc=vpc, port=5432)
    template = assertions.Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        {"Type": "network", "Scheme": "internal", "SecurityGroups": Match.any_value()},
    )
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {"Port": 5432, "Protocol": "TCP"})
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Port": 5432,
            "Protocol": "TCP",
            "TargetType": "ip",
            "HealthCheckPort": "traffic-port",
            "HealthCheckIntervalSeconds": 10,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2,
            "TargetGroupAttributes": Match.array_with([{"Key": "deregistration_delay.timeout_seconds", "Value": "15"}]),
        },
    )
    assert endpoint.access_logs is None  # NLBs log only TLS listeners
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "FromPort": 5432,
            "ToPort": 5432,
            "SourceSecurityGroupId": {
                "Fn::GetAtt": [stack.get_logical_id(endpoint.security_group.node.default_child), "GroupId"]
            },
        },
    )


def test_nlb_endpoint_needs_the_container_to_publish_what_it_forwards_and_checks(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    from dataclasses import replace

    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")

    def service(construct_id: str, network_mode: str = "awsvpc", **spec: object) -> EcsService:
        return EcsService(
            stack,
            construct_id,
            cluster=cluster.cluster,
            vpc=vpc,
            containers=[replace(container(53), **spec)],  # type: ignore[arg-type]
            fargate=network_mode == "awsvpc",
            network_mode=network_mode,
            cpu=256,
            memory_mib=512,
        )

    with pytest.raises(ValueError, match="the main container does not publish its port over udp"):
        NlbEndpoint(stack, "UdpOnTcp", service=service("TcpOnly"), vpc=vpc, port=53, protocol="udp")
    with pytest.raises(ValueError, match="health checks are TCP on port 53: give the main container health_check_port=53"):
        NlbEndpoint(stack, "UdpNoCheck", service=service("UdpService", protocols=("udp",)), vpc=vpc, port=53, protocol="udp")
    with pytest.raises(
        ValueError,
        match=re.escape(
            "bridge mode with UDP or a separate health-check port needs static_host_port on the main container "
            "(dynamic TCP and UDP host ports of one task differ, and the NLB registers one port)"
        ),
    ):
        NlbEndpoint(
            stack,
            "Bridge",
            service=service("Both", network_mode="bridge", protocols=("tcp", "udp")),
            vpc=vpc,
            port=53,
            protocol="tcp_udp",
        )
