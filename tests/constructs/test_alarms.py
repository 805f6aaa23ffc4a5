"""Alarms: rollback alarms on a hand-built blue/green service (every alarm name reaches the template), the topic.

CDK's ``enable_deployment_alarms`` keeps only the alarms of its first call (aws-cdk#36308); the
toolkit writes ``DeploymentConfiguration.Alarms`` itself, and this test reads what arrives.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from ecs_toolkit.constructs.alarms import AlarmTopic, DeploymentAlarms, RollbackThresholds, ServiceAlarms
from ecs_toolkit.constructs.cluster import EcsCluster
from ecs_toolkit.constructs.load_balancer import SharedLoadBalancer
from ecs_toolkit.constructs.routing import AlbRoute, NlbEndpoint
from ecs_toolkit.constructs.service import ContainerSpec, DeploymentSpec, EcsService
from tests.conftest import new_app


@pytest.fixture(scope="module")
def blue_green() -> dict[str, object]:
    stack = cdk.Stack(new_app(), "Bare")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc, access_log_retention=Duration.days(7), test_port=9000)
    service = EcsService(
        stack,
        "Svc",
        cluster=cluster.cluster,
        vpc=vpc,
        containers=[ContainerSpec(name="app", image=ecs.ContainerImage.from_registry("nginx"), memory_limit_mib=256, port=80)],
        fargate=True,
        cpu=256,
        memory_mib=512,
        deployment=DeploymentSpec(strategy="blue-green"),
    )
    route = AlbRoute(
        stack,
        "Route",
        service=service,
        vpc=vpc,
        listener=alb.listener,
        load_balancer_security_group=alb.security_group,
        priority=10,
        path="/*",
        test_listener=alb.test_listener,
    )
    assert route.alternate_target_group is not None
    alarms = DeploymentAlarms(
        stack,
        "Alarms",
        service=service,
        application_target_groups=[route.target_group, route.alternate_target_group],
        thresholds=RollbackThresholds(p99_ms=None, evaluation_periods=2),
        extra_alarm_names=["payments-errors", "checkout-latency"],
    )
    return {"template": assertions.Template.from_stack(stack), "alarms": alarms, "stack": stack, "service": service}


def test_every_alarm_and_every_extra_name_reaches_the_deployment_configuration(blue_green: dict[str, object]) -> None:
    template = blue_green["template"]
    stack = blue_green["stack"]
    alarms = blue_green["alarms"]
    assert isinstance(template, assertions.Template) and isinstance(stack, cdk.Stack) and isinstance(alarms, DeploymentAlarms)
    (service,) = template.find_resources("AWS::ECS::Service").values()
    refs = [{"Ref": stack.get_logical_id(alarm.node.default_child)} for alarm in alarms.alarms]  # type: ignore[arg-type]

    assert len(refs) == 3  # 5xx rate, p95, unhealthy targets (p99 turned off)
    assert service["Properties"]["DeploymentConfiguration"]["Alarms"] == {
        "AlarmNames": [*refs, "payments-errors", "checkout-latency"],
        "Enable": True,
        "Rollback": True,
    }


def test_alarms_read_both_target_groups_and_need_every_period(blue_green: dict[str, object]) -> None:
    template = blue_green["template"]
    assert isinstance(template, assertions.Template)
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    by_threshold = {a["Properties"]["Threshold"]: a["Properties"] for a in alarms.values()}

    assert set(by_threshold) == {5, 1}  # 5 % errors; p95 1 s and 1 unhealthy target share threshold 1
    for props in alarms.values():
        assert (props["Properties"]["EvaluationPeriods"], props["Properties"]["DatapointsToAlarm"]) == (2, 2)
        assert props["Properties"]["TreatMissingData"] == "notBreaching"
        groups = {
            str(d["Value"])
            for m in props["Properties"]["Metrics"]
            if "MetricStat" in m
            for d in m["MetricStat"]["Metric"]["Dimensions"]
            if d["Name"] == "TargetGroup"
        }
        assert len(groups) == 2, "each alarm must read the primary and the alternate target group"


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        (RollbackThresholds(error_rate_percent=0), "error_rate_percent must be above 0 and at most 100"),
        (RollbackThresholds(p95_ms=0), "latency thresholds must be at least 1 ms"),
        (RollbackThresholds(unhealthy_targets=0), "unhealthy_targets must be at least 1"),
        (RollbackThresholds(evaluation_periods=0), "evaluation_periods must be 1-30"),
    ],
)
def test_thresholds_reject_values_no_alarm_can_use(thresholds: RollbackThresholds, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        thresholds.validate()


def test_alarm_topic_takes_only_https_endpoints() -> None:
    with pytest.raises(ValueError, match="HTTPS endpoints must start with https://, got"):
        AlarmTopic(cdk.Stack(new_app(), "Bare"), "Alarms", https_endpoints=["http://hooks.example.com/x"])


def test_service_alarms_reject_impossible_periods_and_percents(blue_green: dict[str, object]) -> None:
    stack = cdk.Stack(new_app(), "Other")
    service = blue_green["service"]
    assert isinstance(service, EcsService)
    with pytest.raises(ValueError, match="periods must be 1-30"):
        ServiceAlarms(stack, "Periods", service=service, actions=[], periods=0)
    with pytest.raises(ValueError, match="cpu_percent and memory_percent must be 1-100"):
        ServiceAlarms(stack, "Percent", service=service, actions=[], memory_percent=101)


def test_a_service_behind_a_route_and_an_nlb_has_an_unhealthy_targets_alarm_for_each() -> None:
    stack = cdk.Stack(new_app(), "Both")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    alb = SharedLoadBalancer(stack, "Alb", vpc=vpc, access_log_retention=Duration.days(7))
    service = EcsService(
        stack,
        "Svc",
        cluster=cluster.cluster,
        vpc=vpc,
        containers=[ContainerSpec(name="app", image=ecs.ContainerImage.from_registry("nginx"), memory_limit_mib=256, port=80)],
        fargate=True,
        cpu=256,
        memory_mib=512,
    )
    route = AlbRoute(
        stack,
        "Route",
        service=service,
        vpc=vpc,
        listener=alb.listener,
        load_balancer_security_group=alb.security_group,
        priority=10,
        path="/*",
    )
    nlb = NlbEndpoint(stack, "Nlb", service=service, vpc=vpc, port=80, removal_policy=cdk.RemovalPolicy.DESTROY)
    alarms = DeploymentAlarms(
        stack,
        "Alarms",
        service=service,
        application_target_groups=[route.target_group],
        network_target_groups=[nlb.target_group],
        thresholds=RollbackThresholds(error_rate_percent=None, p95_ms=None, p99_ms=None),
    )
    assert [alarm.node.id for alarm in alarms.alarms] == ["UnhealthyTargets", "NlbUnhealthyTargets"]
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::CloudWatch::Alarm", 2)
