"""AlbRoute and NlbEndpoint: a target group per service, health checks tuned for fast rollouts."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_servicediscovery as servicediscovery
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import (
    AlbRoute,
    DeploymentSpec,
    EcsCluster,
    EcsService,
    HealthCheckSpec,
    NlbEndpoint,
    SharedLoadBalancer,
)
from ecs_toolkit.constructs.service import ContainerSpec
from tests.conftest import new_app
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


# --- traffic shifting on a service's NLB, and through Service Connect ---------------------------

TEST_CLIENTS = "203.0.113.0/24"


class World:
    """One stack: a canary service behind its NLB (TCP 5060, test listener 9060) and a linear Service Connect one."""

    def __init__(self) -> None:
        self.stack = cdk.Stack(new_app(), "Shifting")
        self.vpc = ec2.Vpc(self.stack, "Vpc", max_azs=2, nat_gateways=0)
        self.cluster = ecs.Cluster(self.stack, "Cluster", vpc=self.vpc)
        namespace = servicediscovery.PrivateDnsNamespace(self.stack, "Namespace", name="x.internal", vpc=self.vpc)
        self.balanced = self.service("Balanced", DeploymentSpec(strategy="canary"))
        self.nlb = NlbEndpoint(
            self.stack,
            "Nlb",
            service=self.balanced,
            vpc=self.vpc,
            port=5060,
            test_port=9060,
            test_clients=[TEST_CLIENTS],
        )
        self.connected = self.service(
            "Connected",
            DeploymentSpec(strategy="linear"),
            app_protocol="http",
            service_connect=ecs.ServiceConnectProps(
                namespace=namespace.namespace_arn,
                services=[ecs.ServiceConnectService(port_mapping_name="app-5060", discovery_name="app", port=5060)],
            ),
        )
        self.connected.add_test_traffic_header("x-release-test", "yes")
        self.template = assertions.Template.from_stack(self.stack)

    def service(
        self, construct_id: str, deployment: DeploymentSpec, app_protocol: str | None = None, **options: Any
    ) -> EcsService:
        spec = ContainerSpec(
            name="app",
            image=ecs.ContainerImage.from_registry("example/app"),
            memory_limit_mib=512,
            port=5060,
            app_protocol=app_protocol,
        )
        return EcsService(
            self.stack,
            construct_id,
            cluster=self.cluster,
            vpc=self.vpc,
            containers=[spec],
            fargate=True,
            cpu=256,
            memory_mib=512,
            deployment=deployment,
            **options,
        )

    def logical_id(self, construct: cdk.Resource | ec2.SecurityGroup) -> str:
        child = construct.node.default_child
        assert isinstance(child, cdk.CfnElement)
        return self.stack.get_logical_id(child)


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def _service(world: World, service: EcsService) -> dict[str, Any]:
    props: dict[str, Any] = world.template.to_json()["Resources"][world.logical_id(service.service)]["Properties"]
    return props


def test_the_nlb_service_names_both_listeners_and_the_alternate_group_for_ecs(world: World) -> None:
    assert world.nlb.alternate_target_group is not None and world.nlb.test_listener is not None
    (entry,) = _service(world, world.balanced)["LoadBalancers"]

    assert entry["TargetGroupArn"] == {"Ref": world.logical_id(world.nlb.target_group)}
    assert entry["AdvancedConfiguration"] == {
        "AlternateTargetGroupArn": {"Ref": world.logical_id(world.nlb.alternate_target_group)},
        "ProductionListenerRule": {"Ref": world.logical_id(world.nlb.listener)},
        "TestListenerRule": {"Ref": world.logical_id(world.nlb.test_listener)},
        "RoleArn": {"Fn::GetAtt": [world.logical_id(world.balanced.infrastructure_role), "Arn"]},  # type: ignore[arg-type]
    }


def test_both_nlb_listeners_start_with_all_traffic_on_the_primary_group(world: World) -> None:
    assert world.nlb.alternate_target_group is not None
    listeners = world.template.find_resources("AWS::ElasticLoadBalancingV2::Listener")
    weights = {
        props["Properties"]["Port"]: [
            (group["TargetGroupArn"]["Ref"], group["Weight"])
            for group in props["Properties"]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
        ]
        for props in listeners.values()
    }

    primary, alternate = world.logical_id(world.nlb.target_group), world.logical_id(world.nlb.alternate_target_group)
    assert weights == {5060: [(primary, 100), (alternate, 0)], 9060: [(primary, 100), (alternate, 0)]}


def test_the_infrastructure_role_may_modify_exactly_the_two_listeners_and_register_in_both_groups(world: World) -> None:
    assert world.nlb.alternate_target_group is not None and world.nlb.test_listener is not None
    policies = world.template.find_resources(
        "AWS::IAM::Policy",
        {"Properties": {"Roles": [{"Ref": assertions.Match.string_like_regexp("BalancedInfrastructureRole")}]}},
    )
    (policy,) = policies.values()
    statements = {
        frozenset(s["Action"] if isinstance(s["Action"], list) else [s["Action"]]): s["Resource"]
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    }

    def refs(resources: list[dict[str, str]]) -> set[str]:
        return {resource["Ref"] for resource in resources}

    assert refs(statements[frozenset({"elasticloadbalancing:ModifyListener"})]) == {
        world.logical_id(world.nlb.listener),
        world.logical_id(world.nlb.test_listener),
    }
    assert refs(statements[frozenset({"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"})]) == {
        world.logical_id(world.nlb.target_group),
        world.logical_id(world.nlb.alternate_target_group),
    }
    assert not any("elasticloadbalancing:ModifyRule" in actions for actions in statements)


def test_the_test_listener_admits_only_its_declared_clients(world: World) -> None:
    group = world.template.to_json()["Resources"][world.logical_id(world.nlb.security_group)]["Properties"]
    on_test_port = [rule for rule in group["SecurityGroupIngress"] if rule["FromPort"] == 9060]

    assert [(rule["CidrIp"], rule["IpProtocol"], rule["ToPort"]) for rule in on_test_port] == [(TEST_CLIENTS, "tcp", 9060)]


def test_service_connect_writes_the_test_header_on_the_client_alias_and_http_on_the_port(world: World) -> None:
    connect = _service(world, world.connected)["ServiceConnectConfiguration"]
    (alias,) = connect["Services"][0]["ClientAliases"]
    definitions = world.template.find_resources("AWS::ECS::TaskDefinition")
    mappings = [
        mapping
        for definition in definitions.values()
        for container in definition["Properties"]["ContainerDefinitions"]
        for mapping in container["PortMappings"]
        if mapping.get("AppProtocol")
    ]

    assert alias["TestTrafficRules"] == {"Header": {"Name": "x-release-test", "Value": {"Exact": "yes"}}}
    assert [(m["Name"], m["AppProtocol"]) for m in mappings] == [("app-5060", "http")]


def test_service_connect_shifting_needs_no_infrastructure_role(world: World) -> None:
    roles = world.template.find_resources("AWS::IAM::Role", {"Properties": {"Description": assertions.Match.any_value()}})

    assert [logical_id for logical_id in roles if "InfrastructureRole" in logical_id] == [
        world.logical_id(world.balanced.infrastructure_role)  # type: ignore[arg-type]
    ]


def test_refuses_a_shifting_nlb_without_a_test_port_and_a_test_port_on_rolling() -> None:
    stack = cdk.Stack(new_app(), "Refusals")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    spec = ContainerSpec(name="app", image=ecs.ContainerImage.from_registry("example/app"), memory_limit_mib=512, port=80)

    def service(construct_id: str, strategy: str) -> EcsService:
        return EcsService(
            stack,
            construct_id,
            cluster=cluster,
            vpc=vpc,
            containers=[spec],
            fargate=True,
            cpu=256,
            memory_mib=512,
            deployment=DeploymentSpec(strategy=strategy),
        )

    with pytest.raises(ValueError, match="a blue-green, canary or linear service needs test_port for its test listener"):
        NlbEndpoint(stack, "A", service=service("Blue", "blue-green"), vpc=vpc, port=80)
    with pytest.raises(ValueError, match="test_port is for blue-green, canary and linear services only"):
        NlbEndpoint(stack, "B", service=service("Rolling", "rolling"), vpc=vpc, port=80, test_port=8080)
    with pytest.raises(ValueError, match="test_port must differ from the listener port"):
        NlbEndpoint(stack, "C", service=service("Linear", "linear"), vpc=vpc, port=80, test_port=80)


# --- several hosts and paths, targets, health-check ports, additional routes --------------------------------


def _proxy_service(stack: cdk.Stack, vpc: ec2.IVpc, network_mode: str = "awsvpc", **options: object) -> EcsService:
    """An app container on 8080 and a TLS proxy sidecar on 8443 that also answers health checks on 8444."""
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    proxy = container(8443, name="proxy")
    proxy = dataclasses.replace(proxy, health_check_port=8444 if network_mode != "bridge" else None)
    return EcsService(
        stack,
        "Proxied",
        cluster=cluster.cluster,
        vpc=vpc,
        containers=[container(8080), proxy],
        fargate=network_mode == "awsvpc",
        network_mode=network_mode,
        cpu=256,
        memory_mib=512,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def proxied() -> tuple[AlbRoute, assertions.Template, cdk.Stack]:
    """The proxied service behind the ALB: HTTPS to the sidecar, health on 8444, stickiness, two more rules."""
    from tests.conftest import new_app

    stack = cdk.Stack(new_app(), "Proxied")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    service = _proxy_service(stack, vpc)
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc)
    route = AlbRoute(
        stack,
        "Route",
        service=service,
        vpc=vpc,
        listener=alb.listener,
        load_balancer_security_group=alb.security_group,
        priority=10,
        host=["a.example.com", "b.example.com"],
        path=["/app/*", "/api/*"],
        target_container="proxy",
        target_port=8443,
        protocol="https",
        stickiness=Duration.hours(1),
        health_check=HealthCheckSpec(path="/ready", port=8444),
    )
    route.add_route("Status", priority=5, path="/status", container="app", port=8080)
    route.add_route("Assets", priority=6, path=["/assets/*", "/favicon.ico"])
    return route, assertions.Template.from_stack(stack), stack


def test_one_rule_takes_several_hosts_and_paths(proxied: tuple[AlbRoute, assertions.Template, cdk.Stack]) -> None:
    _, template, _ = proxied
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Priority": 10,
            "Conditions": [
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com", "b.example.com"]}},
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/app/*", "/api/*"]}},
            ],
        },
    )


def test_the_target_group_sends_https_to_the_sidecar_with_stickiness_and_checks_its_health_port(
    proxied: tuple[AlbRoute, assertions.Template, cdk.Stack],
) -> None:
    route, template, stack = proxied
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {
            "Port": 8443,
            "Protocol": "HTTPS",
            "TargetType": "ip",
            "HealthCheckPort": "8444",
            "HealthCheckProtocol": "HTTPS",
            "HealthCheckPath": "/ready",
            "TargetGroupAttributes": Match.array_with(
                [
                    {"Key": "stickiness.enabled", "Value": "true"},
                    {"Key": "stickiness.type", "Value": "lb_cookie"},
                    {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "3600"},
                ]
            ),
        },
    )
    template.has_resource_properties(
        "AWS::ECS::Service",
        {
            "LoadBalancers": Match.array_with(
                [
                    {
                        "ContainerName": "proxy",
                        "ContainerPort": 8443,
                        "TargetGroupArn": {"Ref": stack.get_logical_id(route.target_group.node.default_child)},
                    }
                ]
            )
        },
    )


def test_the_tasks_admit_the_load_balancer_on_the_target_the_health_check_and_another_containers_port(
    proxied: tuple[AlbRoute, assertions.Template, cdk.Stack],
) -> None:
    _, template, _ = proxied
    ports = sorted(
        resource["Properties"]["FromPort"]
        for resource in template.find_resources(
            "AWS::EC2::SecurityGroupIngress", {"Properties": {"SourceSecurityGroupId": Match.any_value()}}
        ).values()
    )
    assert ports == [8080, 8443, 8444]


def test_an_additional_route_to_another_container_gets_its_own_target_group_the_same_target_shares_the_main_one(
    proxied: tuple[AlbRoute, assertions.Template, cdk.Stack],
) -> None:
    route, template, stack = proxied
    main = stack.get_logical_id(route.target_group.node.default_child)
    assert len(route.additional_target_groups) == 1
    own = stack.get_logical_id(route.additional_target_groups[0].node.default_child)
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        {"Port": 8080, "Protocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/ready"},
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {"Priority": 5, "Actions": [Match.object_like({"TargetGroupArn": {"Ref": own}})]},
    )
    template.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        {
            "Priority": 6,
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/assets/*", "/favicon.ico"]}}],
            "Actions": [Match.object_like({"TargetGroupArn": {"Ref": main}})],
        },
    )
    entries = template.find_resources("AWS::ECS::Service")
    (service,) = entries.values()
    assert [(e["ContainerName"], e["ContainerPort"]) for e in service["Properties"]["LoadBalancers"]] == [
        ("proxy", 8443),
        ("app", 8080),
    ]


def test_alb_route_refuses_what_a_rule_or_target_cannot_be(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    service = _proxy_service(stack, vpc)
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc)
    common = {"service": service, "vpc": vpc, "listener": alb.listener, "load_balancer_security_group": alb.security_group}
    with pytest.raises(ValueError, match="AlbRoute: 6 host and path values, an ALB rule takes at most 5"):
        AlbRoute(stack, "Six", priority=1, host=["a.example.com", "b.example.com"], path=["/1", "/2", "/3", "/4"], **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AlbRoute: the task has no container 'envoy'"):
        AlbRoute(stack, "Envoy", priority=1, path="/*", target_container="envoy", **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AlbRoute: container 'proxy' maps no port 9000"):
        AlbRoute(stack, "Port", priority=1, path="/*", target_container="proxy", target_port=9000, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="AlbRoute: protocol must be http or https, got 'grpc'"):
        AlbRoute(stack, "Grpc", priority=1, path="/*", protocol="grpc", **common)  # type: ignore[arg-type]
    for stickiness in (Duration.millis(500), Duration.days(8)):
        with pytest.raises(ValueError, match="AlbRoute: stickiness must be 1 second to 7 days"):
            AlbRoute(stack, f"Sticky{stickiness.to_milliseconds()}", priority=1, path="/*", stickiness=stickiness, **common)  # type: ignore[arg-type]


def test_alb_route_refuses_a_fixed_health_check_port_in_bridge_mode(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    service = _proxy_service(stack, vpc, network_mode="bridge")
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "AlbRoute: bridge-mode host ports are dynamic, so a health check on a fixed port reaches no task; "
            "leave health_check.port unset"
        ),
    ):
        AlbRoute(
            stack,
            "Route",
            service=service,
            vpc=vpc,
            listener=alb.listener,
            load_balancer_security_group=alb.security_group,
            priority=1,
            path="/*",
            health_check=HealthCheckSpec(port=8444),
        )


def test_add_route_refuses_bad_rules_and_traffic_shifting_services(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc)
    service = _proxy_service(stack, vpc)
    route = AlbRoute(
        stack, "Route", service=service, vpc=vpc, listener=alb.listener, load_balancer_security_group=alb.security_group,
        priority=1, path="/*",
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"AlbRoute.add_route\('X'\): give a path, a host, or both"):
        route.add_route("X", priority=2)
    with pytest.raises(ValueError, match=r"AlbRoute.add_route\('X'\): priority must be 1-50000, got 0"):
        route.add_route("X", priority=0, path="/x")
    with pytest.raises(ValueError, match=r"AlbRoute.add_route\('X'\): protocol must be http or https, got 'tcp'"):
        route.add_route("X", priority=2, path="/x", container="proxy", protocol="tcp")
    with pytest.raises(ValueError, match=r"AlbRoute.add_route\('X'\): container 'proxy' maps no port 9"):
        route.add_route("X", priority=2, path="/x", container="proxy", port=9)
    stack2 = cdk.Stack(stack.node.scope, "Portless")  # type: ignore[arg-type]
    vpc2 = ec2.Vpc(stack2, "Vpc", max_azs=2, nat_gateways=0)
    cluster = EcsCluster(stack2, "Cluster", vpc=vpc2, namespace="y.internal")
    with_helper = EcsService(
        stack2, "Svc", cluster=cluster.cluster, vpc=vpc2, containers=[container(80), container(None, name="helper")],
        fargate=True, cpu=256, memory_mib=512,
    )  # fmt: skip
    alb2 = SharedLoadBalancer(stack2, "Alb", vpc=vpc2)
    route2 = AlbRoute(
        stack2, "Route", service=with_helper, vpc=vpc2, listener=alb2.listener,
        load_balancer_security_group=alb2.security_group, priority=1, path="/*",
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"AlbRoute.add_route\('X'\): container 'helper' maps no port: give one"):
        route2.add_route("X", priority=2, path="/x", container="helper")
    shifting = EcsService(
        stack2, "Shifting", cluster=cluster.cluster, vpc=vpc2, containers=[container(80)], fargate=True, cpu=256,
        memory_mib=512, deployment=DeploymentSpec(strategy="blue-green"),
    )  # fmt: skip
    route3 = AlbRoute(
        stack2, "Route3", service=shifting, vpc=vpc2, listener=alb2.listener,
        load_balancer_security_group=alb2.security_group, priority=3, path="/b/*",
    )  # fmt: skip
    with pytest.raises(
        ValueError, match=r"add_route\('X'\): a blue-green, canary or linear deployment moves traffic on one rule only"
    ):
        route3.add_route("X", priority=4, path="/x")


def test_a_sidecar_target_without_a_port_takes_the_port_the_sidecar_maps(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    service = _proxy_service(stack, vpc)
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc)
    route = AlbRoute(
        stack, "Route", service=service, vpc=vpc, listener=alb.listener, load_balancer_security_group=alb.security_group,
        priority=1, path="/*", target_container="proxy",
    )  # fmt: skip
    assert (route.container, route.port) == ("proxy", 8443)
    assert service.load_balancers[0]["ContainerPort"] == 8443
