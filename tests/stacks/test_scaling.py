"""Service autoscaling and cluster (EC2) scaling in the default manifest."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

from tests.conftest import Synthesized


def test_scalable_target_and_scheduled_actions_with_time_zone(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["web"])
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {
            "MinCapacity": 2,
            "MaxCapacity": 10,
            "ScalableDimension": "ecs:service:DesiredCount",
            "ServiceNamespace": "ecs",
            "ScheduledActions": [
                Match.object_like(
                    {
                        "Schedule": "cron(0 8 ? * MON-FRI *)",
                        "Timezone": "Europe/Berlin",
                        "ScalableTargetAction": {"MinCapacity": 4},
                    }
                ),
                Match.object_like({"Schedule": "cron(0 20 ? * MON-FRI *)", "ScalableTargetAction": {"MinCapacity": 2}}),
            ],
        },
    )


def test_target_tracking_on_cpu_and_requests_per_target_with_cooldowns(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["web"])
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "TargetValue": 60,
                "ScaleInCooldown": 300,
                "ScaleOutCooldown": 60,
            },
        },
    )
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "TargetTrackingScalingPolicyConfiguration": Match.object_like(
                {
                    "PredefinedMetricSpecification": Match.object_like({"PredefinedMetricType": "ALBRequestCountPerTarget"}),
                    "TargetValue": 1000,
                }
            )
        },
    )


def test_step_scaling_adds_three_tasks_above_85_and_removes_one_below_20(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["web"])
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 85, "MetricName": "CPUUtilization"},
    )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"ComparisonOperator": "LessThanOrEqualToThreshold", "Threshold": 20, "MetricName": "CPUUtilization"},
    )
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "StepScalingPolicyConfiguration": Match.object_like(
                {"StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 3}]}
            )
        },
    )


def test_scaled_services_leave_the_desired_count_to_autoscaling(default_env: Synthesized) -> None:
    for name in ("web", "queue"):
        template = default_env.template(default_env.environment.services[name])
        template.has_resource_properties("AWS::ECS::Service", {"DesiredCount": Match.absent()})
    template = default_env.template(default_env.environment.services["api"])
    template.has_resource_properties("AWS::ECS::Service", {"DesiredCount": 2})


def test_worker_scales_on_backlog_per_task_through_metric_math(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["queue"]).to_json()
    policy = next(
        r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"
    )
    configuration = policy["TargetTrackingScalingPolicyConfiguration"]
    assert configuration["TargetValue"] == 50
    metrics = {m["Id"]: m for m in configuration["CustomizedMetricSpecification"]["Metrics"]}
    assert metrics["backlog"]["Expression"] == "visible / IF(running > 0, running, 1)"
    assert metrics["backlog"]["ReturnData"] is True
    assert metrics["visible"]["MetricStat"]["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert metrics["running"]["MetricStat"]["Metric"]["Namespace"] == "ECS/ContainerInsights"
    assert {d["Name"] for d in metrics["running"]["MetricStat"]["Metric"]["Dimensions"]} == {"ClusterName", "ServiceName"}
    assert not any(r["Type"] == "AWS::Lambda::Function" for r in template["Resources"].values())


def test_worker_queue_has_an_encrypted_dead_letter_queue_and_its_url(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["queue"])
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {"SqsManagedSseEnabled": True, "RedrivePolicy": Match.object_like({"maxReceiveCount": 5}), "VisibilityTimeout": 300},
    )
    template.has_resource_properties(
        "AWS::ECS::TaskDefinition",
        {"ContainerDefinitions": [Match.object_like({"Environment": [Match.object_like({"Name": "QUEUE_URL"})]})]},
    )
    rendered = json.dumps(template.to_json())
    assert "sqs:ReceiveMessage" in rendered and "sqs:DeleteMessage" in rendered


def test_capacity_provider_managed_scaling_settings_per_group(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.platform)
    template.has_resource_properties(
        "AWS::ECS::CapacityProvider",
        {
            "AutoScalingGroupProvider": Match.object_like(
                {
                    "ManagedScaling": {
                        "Status": "ENABLED",
                        "TargetCapacity": 90,
                        "MinimumScalingStepSize": 1,
                        "MaximumScalingStepSize": 10,
                        "InstanceWarmupPeriod": 180,
                    }
                }
            )
        },
    )


def test_web_forecasts_its_cpu_with_a_predictive_policy_on_its_scalable_target(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["web"])
    template.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "PredictiveScaling",
            "ScalingTargetId": Match.any_value(),
            "PredictiveScalingPolicyConfiguration": {
                "MetricSpecifications": [
                    {"TargetValue": 60, "PredefinedMetricPairSpecification": {"PredefinedMetricType": "ECSServiceCPUUtilization"}}
                ],
                "Mode": "ForecastOnly",
                "SchedulingBufferTime": 600,
                "MaxCapacityBreachBehavior": "HonorMaxCapacity",
            },
        },
    )


def test_every_service_states_its_az_rebalancing(default_env: Synthesized) -> None:
    """Set explicitly either way: ECS's and CDK's defaults for it have changed before."""
    states = {}
    for name in ("web", "api", "orders"):
        services = default_env.template(default_env.environment.services[name]).find_resources("AWS::ECS::Service")
        (service,) = services.values()
        states[name] = service["Properties"].get("AvailabilityZoneRebalancing")
    # web runs on EC2 with the default spread-az + binpack-memory placement, which ECS does not rebalance.
    assert states == {"web": "DISABLED", "api": "ENABLED", "orders": "ENABLED"}
