"""Traffic shifting without the shared ALB: on a service's own NLB (listeners, not rules) and through Service Connect."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_servicediscovery as servicediscovery

from ecs_toolkit.constructs.routing import NlbEndpoint
from ecs_toolkit.constructs.service import ContainerSpec, DeploymentSpec, EcsService
from tests.conftest import new_app

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

    with pytest.raises(ValueError, match="needs test_port"):
        NlbEndpoint(stack, "A", service=service("Blue", "blue-green"), vpc=vpc, port=80)
    with pytest.raises(ValueError, match="test_port is for blue-green, canary and linear"):
        NlbEndpoint(stack, "B", service=service("Rolling", "rolling"), vpc=vpc, port=80, test_port=8080)
    with pytest.raises(ValueError, match="need a blue-green, canary or linear deployment"):
        service("Plain", "rolling").add_test_traffic_header("x-test")
