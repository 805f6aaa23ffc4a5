"""NlbEndpoint with every protocol: what the listener forwards and where the NLB health-checks must be admitted."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk.assertions import Match

from ecs_toolkit.constructs.capacity import Ec2Capacity
from ecs_toolkit.constructs.cluster import EcsCluster, StrategyItem
from ecs_toolkit.constructs.routing import NlbEndpoint
from ecs_toolkit.constructs.service import ContainerSpec, EcsService
from ecs_toolkit.constructs.task import EcsTask
from tests.conftest import new_app

NLB_GROUP = {"Fn::GetAtt": [Match.string_like_regexp("NlbSecurityGroup"), "GroupId"]}


def _spec(port: int = 5060, **options: object) -> ContainerSpec:
    return ContainerSpec(
        name="app", image=ecs.ContainerImage.from_registry("example/app"), memory_limit_mib=256, port=port, **options
    )  # type: ignore[arg-type]


class World:
    def __init__(self) -> None:
        self.stack = cdk.Stack(new_app(), "Nlb")
        self.vpc = ec2.Vpc(self.stack, "Vpc", max_azs=2, nat_gateways=0)
        self.cluster = EcsCluster(self.stack, "Cluster", vpc=self.vpc, namespace="x.internal")
        self.capacity = Ec2Capacity(self.stack, "Cap", vpc=self.vpc, instance_types=["t3.small"], max_capacity=2)
        self.cluster.add_ec2_capacity("general", self.capacity)

    def service(self, spec: ContainerSpec, *, mode: str = "awsvpc") -> EcsService:
        fargate = mode == "awsvpc"
        return EcsService(
            self.stack,
            "Svc",
            cluster=self.cluster.cluster,
            vpc=self.vpc,
            containers=[spec],
            fargate=fargate,
            network_mode=mode,
            cpu=256,
            memory_mib=512,
            capacity_provider_strategies=None if fargate else self.cluster.strategy([StrategyItem("general")]),
        )

    def nlb(self, service: EcsService, protocol: str, port: int = 5060, **options: object) -> NlbEndpoint:
        groups: Sequence[ec2.ISecurityGroup] = [self.capacity.security_group] if service.security_group is None else ()
        return NlbEndpoint(
            self.stack,
            "Nlb",
            service=service,
            vpc=self.vpc,
            port=port,
            protocol=protocol,
            instance_security_groups=groups,
            host_ports=self.capacity.host_ports,
            **options,  # type: ignore[arg-type]
        )

    def template(self) -> assertions.Template:
        return assertions.Template.from_stack(self.stack)


def _ingress(template: assertions.Template) -> set[tuple[str, int, int]]:
    """(protocol, from, to) of every rule that admits the NLB's group."""
    rules = template.find_resources("AWS::EC2::SecurityGroupIngress", {"Properties": {"SourceSecurityGroupId": NLB_GROUP}})
    return {(r["Properties"]["IpProtocol"], r["Properties"]["FromPort"], r["Properties"]["ToPort"]) for r in rules.values()}


def _egress(template: assertions.Template) -> set[tuple[str, int, int]]:
    rules = template.find_resources("AWS::EC2::SecurityGroupEgress", {"Properties": {"GroupId": NLB_GROUP}})
    return {(r["Properties"]["IpProtocol"], r["Properties"]["FromPort"], r["Properties"]["ToPort"]) for r in rules.values()}


def test_a_udp_service_is_health_checked_over_tcp_and_its_task_admits_both_from_the_nlb() -> None:
    world = World()
    world.nlb(world.service(_spec(protocols=("udp",), health_check_port=5060)), "udp")
    template = world.template()
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {"Port": 5060, "Protocol": "UDP"})
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"Protocol": "UDP", "TargetType": "ip", "HealthCheckProtocol": "TCP", "HealthCheckPort": "traffic-port"},
    )
    # Health checks leave through the NLB's outbound rules and arrive through the task's inbound ones.
    assert _ingress(template) == {("udp", 5060, 5060), ("tcp", 5060, 5060)}
    assert _egress(template) == {("udp", 5060, 5060), ("tcp", 5060, 5060)}
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "ContainerDefinitions": [
                Match.object_like(
                    {
                        "PortMappings": [
                            {"ContainerPort": 5060, "HostPort": 5060, "Protocol": "udp", "Name": "app-5060-udp"},
                            {"ContainerPort": 5060, "HostPort": 5060, "Protocol": "tcp", "Name": "app-5060"},
                        ]
                    }
                )
            ]
        },
    )


def test_a_separate_health_check_port_is_checked_and_admitted_instead_of_tcp_on_the_traffic_port() -> None:
    world = World()
    world.nlb(world.service(_spec(protocols=("udp",), health_check_port=8080)), "udp", health_check_port=8080)
    template = world.template()
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup", {"HealthCheckProtocol": "TCP", "HealthCheckPort": "8080"}
    )
    assert _ingress(template) == {("udp", 5060, 5060), ("tcp", 8080, 8080)}


def test_tcp_udp_admits_both_transports_on_the_listener_and_the_task() -> None:
    world = World()
    world.nlb(world.service(_spec(protocols=("tcp", "udp"))), "tcp_udp", port=53)
    template = world.template()
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::Listener", {"Port": 53, "Protocol": "TCP_UDP"})
    template.has_resource_properties("AWS::ElasticLoadBalancingV2::TargetGroup", {"Protocol": "TCP_UDP", "Port": 5060})
    listener_rules = template.find_resources(
        "AWS::EC2::SecurityGroup", {"Properties": {"GroupDescription": "Network load balancer"}}
    )
    (group,) = listener_rules.values()
    assert {(r["IpProtocol"], r["FromPort"]) for r in group["Properties"]["SecurityGroupIngress"]} == {("tcp", 53), ("udp", 53)}
    assert _ingress(template) == {("tcp", 5060, 5060), ("udp", 5060, 5060)}


def test_bridge_udp_publishes_one_static_host_port_per_transport_and_opens_exactly_those_on_the_instances() -> None:
    world = World()
    world.nlb(world.service(_spec(protocols=("tcp", "udp"), static_host_port=True), mode="bridge"), "tcp_udp", port=53)
    template = world.template()
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {
            "NetworkMode": "bridge",
            "ContainerDefinitions": [
                Match.object_like(
                    {
                        "PortMappings": [
                            Match.object_like({"ContainerPort": 5060, "HostPort": 5060, "Protocol": "tcp"}),
                            Match.object_like({"ContainerPort": 5060, "HostPort": 5060, "Protocol": "udp"}),
                        ]
                    }
                )
            ],
        },
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup", {"TargetType": "instance", "HealthCheckPort": "traffic-port"}
    )
    assert _ingress(template) == {("tcp", 5060, 5060), ("udp", 5060, 5060)}


def test_bridge_tcp_keeps_dynamic_ports_and_the_pinned_range() -> None:
    world = World()
    world.nlb(world.service(_spec(), mode="bridge"), "tcp")
    assert _ingress(world.template()) == {("tcp", 61000, 61999)}


def test_host_mode_udp_admits_udp_and_the_tcp_health_check_on_the_instances() -> None:
    world = World()
    world.nlb(world.service(_spec(protocols=("udp",), health_check_port=5060), mode="host"), "udp")
    assert _ingress(world.template()) == {("udp", 5060, 5060), ("tcp", 5060, 5060)}


@pytest.mark.parametrize(
    ("mode", "spec", "protocol", "options", "message"),
    [
        ("awsvpc", {}, "udp", {}, "does not publish its port over udp"),
        ("awsvpc", {"protocols": ("udp",)}, "udp", {}, "health checks are TCP on port 5060"),
        ("awsvpc", {"protocols": ("tcp",)}, "tcp_udp", {}, "does not publish its port over udp"),
        ("awsvpc", {}, "tcp", {"health_check_port": 8080}, "health_check_port=8080"),
        ("bridge", {"protocols": ("tcp", "udp")}, "tcp_udp", {}, "needs static_host_port"),
    ],
)
def test_nlb_endpoint_refuses_a_container_that_cannot_pass_its_checks(
    mode: str, spec: dict[str, object], protocol: str, options: dict[str, object], message: str
) -> None:
    world = World()
    service = world.service(_spec(**spec), mode=mode)
    with pytest.raises(ValueError, match=message):
        world.nlb(service, protocol, **options)


def test_task_refuses_unknown_protocols_and_pinned_ports_outside_bridge_mode() -> None:
    world = World()
    task = {"fargate": False, "cpu": 256, "memory_mib": 512, "vpc": world.vpc}
    with pytest.raises(ValueError, match="must be tcp and/or udp"):
        EcsTask(world.stack, containers=[_spec(protocols=("sctp",))], network_mode="bridge", **task)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bridge mode only"):
        EcsTask(world.stack, containers=[_spec(static_host_port=True)], network_mode="awsvpc", **task)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="without static_host_port"):
        EcsTask(world.stack, containers=[_spec(health_check_port=8080)], network_mode="bridge", **task)  # type: ignore[arg-type]
