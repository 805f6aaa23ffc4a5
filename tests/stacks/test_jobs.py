"""The default manifest's nightly job: schedule, retries, dead-letter queue, enforced timeout, alarm."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

from tests.conftest import Synthesized


def test_schedule_runs_with_time_zone_retries_and_a_dead_letter_queue(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["nightly-report"])
    template.has_resource_properties(
        "AWS::Scheduler::Schedule",
        {
            "ScheduleExpression": "cron(0 3 * * ? *)",
            "ScheduleExpressionTimezone": "Europe/Berlin",
            "Target": Match.object_like(
                {
                    "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
                    "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [Match.string_like_regexp("DeadLetterQueue"), "Arn"]}},
                }
            ),
        },
    )
    template.has_resource_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})


def test_state_machine_waits_for_the_task_and_stops_it_at_the_timeout(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["nightly-report"]).to_json()
    machine = next(r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine")
    definition = json.dumps(machine["DefinitionString"])
    assert "ecs:runTask.sync" in definition
    assert '\\"TimeoutSeconds\\":1800' in definition
    assert machine["TracingConfiguration"] == {"Enabled": True}
    assert machine["LoggingConfiguration"]["Level"] == "ALL"
    assert "FARGATE_SPOT" in definition


def test_alarms_on_failed_timed_out_or_aborted_runs_and_on_dead_letters(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["nightly-report"])
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Metrics": Match.array_with([Match.object_like({"Expression": "failed + timedout + aborted"})]),
            "Threshold": 1,
            "TreatMissingData": "notBreaching",
        },
    )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm", {"MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS", "Threshold": 1}
    )


def test_job_publishes_what_run_task_needs(default_env: Synthesized) -> None:
    outputs = default_env.template(default_env.environment.services["nightly-report"]).to_json()["Outputs"]
    for key in (
        "TaskDefinitionArn",
        "ContainerName",
        "LogGroupName",
        "LaunchType",
        "CapacityProviderStrategy",
        "TaskSecurityGroupIds",
    ):
        assert key in outputs
    assert outputs["CapacityProviderStrategy"]["Value"] == "FARGATE_SPOT:0:1"
    assert "ServiceName" not in outputs
