"""ScheduledJob: EventBridge Scheduler starts a Step Functions run of the task, which enforces the maximum run time."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import Duration, assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs

from ecs_toolkit.constructs import EcsCluster, ScheduledJob, TaskVolume
from tests.conftest import new_app
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
    with pytest.raises(ValueError, match="a time zone needs a schedule"):
        ScheduledJob(stack, "Zone", **{**common, "schedule": None, "time_zone": "Europe/Berlin"})  # type: ignore[arg-type]


def test_job_without_a_schedule_runs_on_demand_with_its_failure_alarm() -> None:
    stack = cdk.Stack(new_app(), "OnDemand")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    job = ScheduledJob(
        stack,
        "OnDemand",
        cluster=cluster.cluster,
        vpc=vpc,
        containers=[container(None)],
        fargate=True,
        cpu=256,
        memory_mib=512,
        schedule=None,
    )
    assert job.schedule is None and job.dead_letters is None and job.dead_letter_alarm is None
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::Scheduler::Schedule", 0)
    template.resource_count_is("AWS::SQS::Queue", 0)
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    template.resource_count_is("AWS::CloudWatch::Alarm", 1)


def test_a_job_takes_existing_security_groups_in_awsvpc_mode_only(stack: cdk.Stack, vpc: ec2.IVpc) -> None:
    cluster = EcsCluster(stack, "Cluster", vpc=vpc, namespace="x.internal")
    extra = ec2.SecurityGroup.from_security_group_id(stack, "Db", "sg-0123456789abcdef0", mutable=False)
    common = {"cluster": cluster.cluster, "vpc": vpc, "containers": [container(None)], "cpu": 256, "memory_mib": 512}
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    job = ScheduledJob(
        stack,
        "Job",
        fargate=True,
        schedule="rate(1 hour)",
        subnets=isolated,
        extra_security_groups=[extra],
        **common,  # type: ignore[arg-type]
    )
    assert job.extra_security_groups == [extra]
    with pytest.raises(
        ValueError, match="ScheduledJob: extra_security_groups need awsvpc; host-mode tasks use their instance's security groups"
    ):
        ScheduledJob(
            stack,
            "Host",
            fargate=False,
            network_mode="host",
            schedule="rate(1 hour)",
            extra_security_groups=[extra],
            **common,  # type: ignore[arg-type]
        )
