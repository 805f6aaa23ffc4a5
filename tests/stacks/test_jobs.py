"""The default manifest's nightly job: schedule, retries, dead-letter queue, enforced timeout, alarm."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from ecs_toolkit.config import load_manifest
from tests.conftest import Synthesized, synthesize_config


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


EXEC_JOB = """\
name: ops
cluster: {capacity: {fargate: true}}
services:
  migrate:
    kind: job
    image: public.ecr.aws/docker/library/busybox:stable
    command: [sh, -c, "sleep 600"]
    schedule: "rate(1 day)"
    cpu: 256
    memory_mib: 512
    user: "65534"
    exec: true
"""


@pytest.fixture(scope="module")
def exec_job(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    manifest = tmp_path_factory.mktemp("exec") / "ops.yaml"
    manifest.write_text(EXEC_JOB)
    return synthesize_config(load_manifest(manifest))


def test_a_job_with_exec_starts_each_run_with_ecs_exec_and_its_task_role_may_open_the_channels(exec_job: Synthesized) -> None:
    template = exec_job.template(exec_job.environment.services["migrate"])
    machine = next(iter(template.find_resources("AWS::StepFunctions::StateMachine").values()))
    definition = json.loads(
        "".join(part if isinstance(part, str) else "0" for part in machine["Properties"]["DefinitionString"]["Fn::Join"][1])
    )
    run = next(iter(definition["States"].values()))
    assert run["Resource"].endswith("ecs:runTask.sync")
    assert run["Parameters"]["EnableExecuteCommand"] is True
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": Match.array_with(["ssmmessages:CreateControlChannel"]), "Resource": "*"})]
                )
            },
            "Roles": [{"Ref": Match.string_like_regexp("JobTaskDefinitionTaskRole")}],
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]})]
                )
            }
        },
    )


def test_a_job_without_exec_starts_runs_without_it(default_env: Synthesized) -> None:
    template = default_env.template(default_env.environment.services["nightly-report"]).to_json()
    machine = next(r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine")
    assert "EnableExecuteCommand" not in json.dumps(machine["DefinitionString"])
    assert "ssmmessages" not in json.dumps(template)


def test_a_job_gets_its_grants_on_its_task_role(default_env: Synthesized) -> None:
    """Grants used to reach services only; the demo job reads its settings path."""
    template = default_env.template_json("demo-nightly-report")
    policies = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]  # type: ignore[attr-defined]
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    (grant,) = [s for s in statements if "ssm:GetParametersByPath" in s["Action"]]
    assert "parameter/demo/nightly-report/*" in json.dumps(grant["Resource"])
