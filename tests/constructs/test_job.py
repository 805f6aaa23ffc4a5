"""ScheduledJob: EventBridge Scheduler starts a Step Functions run of the task, which enforces the maximum run time."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from ecs_toolkit.constructs import EcsCluster, ScheduledJob, TaskVolume
from tests.constructs.conftest import Example, container


def test_the_example_job_is_scheduled_in_its_time_zone_with_retries_and_a_dead_letter_queue(example: Example) -> None:
    (schedule,) = example.resources("AWS::Scheduler::Schedule").values()
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert properties["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2}
    assert "DeadLetterConfig" in properties["Target"]
    example.template.has_resource_properties("AWS::SQS::Queue", {"MessageRetentionPeriod": 1209600, "SqsManagedSseEnabled": True})


def test_defaults_a_run_of_at_most_an_hour_and_alarms_on_failed_runs(example: Example) -> None:
    (machine,) = example.resources("AWS::StepFunctions::StateMachine").values()
    definition = json.dumps(machine["Properties"]["DefinitionString"])
    assert "arn:" in definition and "ecs:runTask.sync" in definition
    assert '\\"TimeoutSeconds\\":3600' in definition  # the task's own timeout: 60 minutes
    assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    job = example.built.job
    alarms = [example.logical_id(job.failure_alarm), example.logical_id(job.dead_letter_alarm)]
    resources = example.template.to_json()["Resources"]
    for alarm in alarms:
        properties = resources[alarm]["Properties"]
        assert (properties["Threshold"], properties["ComparisonOperator"], properties["TreatMissingData"]) == (
            1,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
        )
    assert job.security_group is not None  # a Fargate job gets its own group, with no ingress


def test_job_rejects_bad_retries_and_a_timeout_under_a_minute(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    common = {
        "cluster": cluster.cluster,
        "vpc": vpc,
        "containers": [container(None)],
        "fargate": True,
        "cpu": 256,
        "memory_mib": 512,
        "schedule": "rate(1 hour)",
    }
    with pytest.raises(ValueError, match="retries must be 0-185, got 186"):
        ScheduledJob(stack, "Retries", retries=186, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="retries must be 0-185, got -1"):
        ScheduledJob(stack, "Negative", retries=-1, **common)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="give the job at least a minute"):
        ScheduledJob(stack, "Short", timeout=Duration.seconds(30), **common)  # type: ignore[arg-type]
    ebs = TaskVolume(name="data", ebs=ecs.ServiceManagedEBSVolumeConfiguration(size=cdk.Size.gibibytes(10)))
    with pytest.raises(ValueError, match="ECS attaches EBS volumes to a service's tasks only"):
        ScheduledJob(stack, "Ebs", volumes=[ebs], **common)  # type: ignore[arg-type]
    extra = ec2.SecurityGroup.from_security_group_id(stack, "Extra", "sg-0123456789abcdef0")
    with pytest.raises(ValueError, match="extra security groups attach to tasks in awsvpc mode only"):
        ScheduledJob(
            stack,
            "Bridge",
            extra_security_groups=[extra],
            **{**common, "fargate": False, "network_mode": "bridge"},  # type: ignore[arg-type]
        )
