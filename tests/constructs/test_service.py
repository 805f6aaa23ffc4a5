"""EcsService: a long-running service with a circuit breaker, its own task definition, roles and log group."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2

from ecs_toolkit.constructs import DeploymentSpec, EcsCluster, EcsService
from tests.constructs.conftest import Example, container


def _service(example: Example, service: EcsService) -> dict[str, object]:
    properties: dict[str, object] = example.template.to_json()["Resources"][example.logical_id(service.service)]["Properties"]
    return properties


def test_defaults_a_circuit_breaker_with_rollback_100_200_and_one_task(example: Example) -> None:
    api = _service(example, example.built.api)
    assert api["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}  # type: ignore[index]
    assert api["DeploymentConfiguration"]["MinimumHealthyPercent"] == 100  # type: ignore[index]
    assert api["DeploymentConfiguration"]["MaximumPercent"] == 200  # type: ignore[index]
    assert api["DesiredCount"] == 1
    assert api["PropagateTags"] == "SERVICE" and api["EnableECSManagedTags"] is True
    assert "EnableExecuteCommand" not in api or api["EnableExecuteCommand"] is False


def test_a_fargate_service_runs_in_private_subnets_without_a_public_ip_on_its_strategy(example: Example) -> None:
    api = _service(example, example.built.api)
    network = api["NetworkConfiguration"]["AwsvpcConfiguration"]  # type: ignore[index]
    assert network["AssignPublicIp"] == "DISABLED"
    assert len(network["Subnets"]) == 2 and len(network["SecurityGroups"]) == 1
    assert [(s["CapacityProvider"], s.get("Base", 0), s["Weight"]) for s in api["CapacityProviderStrategy"]] == [  # type: ignore[attr-defined]
        ("FARGATE", 1, 1),
        ("FARGATE_SPOT", 0, 3),
    ]


def test_an_ec2_bridge_service_spreads_over_zones_then_packs_memory(example: Example) -> None:
    web = _service(example, example.built.web)
    assert web["PlacementStrategies"] == [
        {"Field": "attribute:ecs.availability-zone", "Type": "spread"},
        {"Field": "MEMORY", "Type": "binpack"},
    ]
    assert "NetworkConfiguration" not in web
    assert example.built.web.security_group is None  # bridge: the instances' group is the one that counts


def test_service_rejects_a_deployment_that_cannot_replace_a_task_and_unknown_placement(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    common = {"cluster": cluster.cluster, "vpc": vpc, "containers": [container()], "cpu": 256, "memory_mib": 512}
    with pytest.raises(ValueError, match="max_healthy_percent must exceed min_healthy_percent, or no task can be replaced"):
        EcsService(
            stack,
            "Stuck",
            fargate=True,
            deployment=DeploymentSpec(min_healthy_percent=100, max_healthy_percent=100),
            **common,  # type: ignore[arg-type]
        )
    with pytest.raises(ValueError, match=r"unknown placement strategies \['random-ish'\]"):
        EcsService(stack, "Placement", fargate=False, placement=("spread-az", "random-ish"), **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ECS does not rebalance Availability Zones for binpack placement"):
        EcsService(
            stack,
            "Packed",
            fargate=False,
            network_mode="bridge",
            deployment=DeploymentSpec(az_rebalancing=True),
            **common,  # type: ignore[arg-type]
        )


# --- deployment strategies (DeploymentSpec) ---------------------------------------------------

HOOK = "arn:aws:lambda:eu-west-1:111122223333:function:smoke"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (DeploymentSpec(strategy="red-black"), "unknown deployment strategy"),
        (DeploymentSpec(min_healthy_percent=100, max_healthy_percent=100), "must exceed"),
        (DeploymentSpec(strategy="canary", canary_percent=0.0), "canary_percent must be 0.1-100 and linear_step_percent 3-100"),
        (
            DeploymentSpec(strategy="linear", linear_step_percent=2.0),
            "canary_percent must be 0.1-100 and linear_step_percent 3-100",
        ),
        (DeploymentSpec(strategy="blue-green", bake_time=Duration.minutes(1441)), "bake_time must be 0-1440 minutes"),
        (
            DeploymentSpec(strategy="linear", linear_interval=Duration.minutes(1500)),
            "canary and linear intervals must be 0-1440 minutes",
        ),
        (DeploymentSpec(strategy="blue-green", hooks={"AFTER_EVERYTHING": HOOK}), "unknown lifecycle stages"),
        (DeploymentSpec(hooks={"POST_SCALE_UP": HOOK}), "lifecycle hooks need a blue-green, canary or linear deployment"),
    ],
    ids=["strategy", "percents", "canary", "linear", "bake", "interval", "stage", "hooks-on-rolling"],
)
def test_deployment_spec_rejects_what_ecs_rejects(spec: DeploymentSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spec.validate()


@pytest.mark.parametrize(("strategy", "shifts"), [("rolling", False), ("blue-green", True), ("canary", True), ("linear", True)])
def test_only_a_rolling_deployment_keeps_one_target_group(strategy: str, shifts: bool) -> None:
    spec = DeploymentSpec(strategy=strategy, hooks={"PRE_SCALE_UP": HOOK} if shifts else {})

    spec.validate()
    assert spec.shifts_traffic is shifts


def test_test_traffic_headers_need_a_shifting_strategy_and_a_service_connect_endpoint(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")

    def service(construct_id: str, strategy: str) -> EcsService:
        return EcsService(
            stack,
            construct_id,
            cluster=cluster.cluster,
            vpc=vpc,
            containers=[container()],
            fargate=True,
            cpu=256,
            memory_mib=512,
            deployment=DeploymentSpec(strategy=strategy),
        )

    with pytest.raises(ValueError, match="test traffic rules need a blue-green, canary or linear deployment"):
        service("Rolling", "rolling").add_test_traffic_header("x-test")
    with pytest.raises(ValueError, match=r"test traffic rules need a Service Connect endpoint \(service_connect with services\)"):
        service("Linear", "linear").add_test_traffic_header("x-test")


def test_awsvpc_tasks_take_existing_security_groups_besides_their_own_and_bridge_tasks_refuse_them(
    stack: cdk.Stack, vpc: ec2.IVpc
) -> None:
    from aws_cdk import assertions

    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    database_clients = ec2.SecurityGroup.from_security_group_id(stack, "Db", "sg-0123456789abcdef0", mutable=False)
    service = EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[container()], fargate=True, cpu=256, memory_mib=512,
        extra_security_groups=[database_clients],
    )  # fmt: skip
    assert service.security_group is not None
    own = stack.get_logical_id(service.security_group.node.default_child)  # type: ignore[arg-type]
    assertions.Template.from_stack(stack).has_resource_properties(
        "AWS::ECS::Service",
        {
            "NetworkConfiguration": {
                "AwsvpcConfiguration": assertions.Match.object_like(
                    {"SecurityGroups": [{"Fn::GetAtt": [own, "GroupId"]}, "sg-0123456789abcdef0"]}
                )
            }
        },
    )
    with pytest.raises(
        ValueError, match="EcsService: extra_security_groups need awsvpc; bridge-mode tasks use their instance's security groups"
    ):
        EcsService(
            stack, "Bridge", cluster=cluster.cluster, vpc=vpc, containers=[container()], fargate=False, network_mode="bridge",
            cpu=256, memory_mib=512, extra_security_groups=[database_clients],
        )  # fmt: skip
