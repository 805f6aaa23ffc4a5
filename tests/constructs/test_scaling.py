"""ServiceScaling: a scalable target on the desired count and the policies asked for."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from ecs_toolkit.constructs import EcsCluster, EcsService, PredictivePolicy, ServiceScaling
from tests.constructs.conftest import Example, container


def test_the_example_web_service_scales_1_to_4_on_cpu_and_leaves_the_count_to_scaling(example: Example) -> None:
    example.template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {"MinCapacity": 1, "MaxCapacity": 4, "ScalableDimension": "ecs:service:DesiredCount", "ServiceNamespace": "ecs"},
    )
    web = example.template.to_json()["Resources"][example.logical_id(example.built.web.service)]["Properties"]
    assert "DesiredCount" not in web


def test_defaults_a_fast_scale_out_and_a_slow_scale_in(example: Example) -> None:
    (policy,) = example.resources("AWS::ApplicationAutoScaling::ScalingPolicy").values()
    configuration = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert configuration["TargetValue"] == 60
    assert configuration["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}
    assert (configuration["ScaleOutCooldown"], configuration["ScaleInCooldown"]) == (60, 300)


@pytest.fixture
def service(stack: cdk.Stack, vpc: ec2.IVpc) -> EcsService:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    return EcsService(
        stack, "Svc", cluster=cluster.cluster, vpc=vpc, containers=[container()], fargate=True, cpu=256, memory_mib=512
    )


def test_scaling_rejects_reversed_bounds_bad_percentages_and_requests_without_a_target_group(
    stack: cdk.Stack, service: EcsService
) -> None:
    with pytest.raises(ValueError, match="max_capacity 1 is less than min_capacity 2"):
        ServiceScaling(stack, "Bounds", service=service, min_capacity=2, max_capacity=1)
    with pytest.raises(ValueError, match="cpu_percent must be 1-100, got 0"):
        ServiceScaling(stack, "Cpu", service=service, min_capacity=1, max_capacity=2, cpu_percent=0)
    with pytest.raises(ValueError, match="memory_percent must be 1-100, got 101"):
        ServiceScaling(stack, "Memory", service=service, min_capacity=1, max_capacity=2, memory_percent=101)
    with pytest.raises(ValueError, match="requests_per_target needs the target group"):
        ServiceScaling(stack, "Requests", service=service, min_capacity=1, max_capacity=2, requests_per_target=100)
    for metric, target in (("latency", 50), ("cpu", 0)):
        with pytest.raises(ValueError, match="predictive scaling needs metric cpu or memory and a target of 1-100"):
            ServiceScaling(
                stack,
                f"Predictive{metric}{target}",
                service=service,
                min_capacity=1,
                max_capacity=2,
                predictive=PredictivePolicy(metric=metric, target_percent=target),
            )
