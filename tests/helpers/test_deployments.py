"""``deployments`` and ``rollback``. moto 5.2.5 implements neither ListServiceDeployments nor
DescribeServiceDeployments, DescribeServiceRevisions or StopServiceDeployment ("has not been
implemented"), so ECS is a real botocore client under ``Stubber`` answering with the response shapes
of the ECS API reference (botocore validates every request and response against its model); the
environment's stacks come from moto as for every helper.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from ecs_toolkit.helpers import deployments
from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.discover import Environment, discover
from ecs_toolkit.helpers.errors import HelperError, UsageError
from tests.helpers.world import REGION, World

ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/demo"


def _arn(kind: str, suffix: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:{kind}/demo/web/{suffix}"


def _brief(suffix: str, status: str, minute: int, revision: str) -> dict[str, Any]:
    brief = {
        "serviceDeploymentArn": _arn("service-deployment", suffix),
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/demo/web",
        "clusterArn": CLUSTER_ARN,
        "createdAt": datetime(2026, 11, 27, 12, minute, tzinfo=UTC),
        "startedAt": datetime(2026, 11, 27, 12, minute, tzinfo=UTC),
        "targetServiceRevisionArn": _arn("service-revision", revision),
        "status": status,
    }
    if status != "IN_PROGRESS":
        brief["finishedAt"] = datetime(2026, 11, 27, 12, minute + 5, tzinfo=UTC)
    return brief


def _detail(brief: dict[str, Any], **extra: Any) -> dict[str, Any]:
    detail = {k: v for k, v in brief.items() if k != "targetServiceRevisionArn"}
    detail["targetServiceRevision"] = {"arn": brief["targetServiceRevisionArn"], "requestedTaskCount": 2, "runningTaskCount": 2}
    detail["deploymentConfiguration"] = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}
    return {**detail, **extra}


def _revisions(*pairs: tuple[str, int]) -> dict[str, Any]:
    return {
        "serviceRevisions": [
            {
                "serviceRevisionArn": _arn("service-revision", revision),
                "taskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/demo-web:{number}",
            }
            for revision, number in pairs
        ],
        "failures": [],
    }


@pytest.fixture
def environment(world: World) -> Environment:
    return discover(world.config, world.client("cloudformation"))


@pytest.fixture
def ecs() -> Any:
    return boto3.client("ecs", region_name=REGION)


def _history_calls(stub: Stubber, environment: Environment, briefs: list[dict[str, Any]], details: list[dict[str, Any]]) -> None:
    service = environment.services["web"].service_name
    stub.add_response(
        "list_service_deployments",
        {"serviceDeployments": briefs},
        {"cluster": environment.cluster_name, "service": service, "maxResults": deployments.DEFAULT_LIMIT},
    )
    stub.add_response(
        "describe_service_deployments",
        {"serviceDeployments": details, "failures": []},
        # Described newest first, whatever order ECS listed them in.
        {
            "serviceDeploymentArns": [
                b["serviceDeploymentArn"] for b in sorted(briefs, key=lambda b: b["createdAt"], reverse=True)
            ]
        },
    )


IN_PROGRESS = _brief("c3", "IN_PROGRESS", 30, "r3")
CURRENT = _brief("b2", "SUCCESSFUL", 20, "r2")
EARLIER = _brief("a1", "SUCCESSFUL", 10, "r1")


def test_lists_newest_first_with_the_stage_alarms_and_breaker_of_the_one_in_progress(environment: Environment, ecs: Any) -> None:
    stub = Stubber(ecs)
    briefs = [EARLIER, IN_PROGRESS, CURRENT]  # ECS's order is not relied on
    details = [
        _detail(EARLIER),
        _detail(
            IN_PROGRESS,
            lifecycleStage="BAKE_TIME",
            alarms={"status": "TRIGGERED", "alarmNames": ["web-5xx", "web-p95"], "triggeredAlarmNames": ["web-5xx"]},
            deploymentCircuitBreaker={"status": "MONITORING", "failureCount": 1, "threshold": 10},
        ),
        _detail(CURRENT),
    ]
    _history_calls(stub, environment, briefs, details)
    stub.add_response(
        "describe_service_revisions",
        _revisions(("r3", 7), ("r2", 6), ("r1", 5)),
        {"serviceRevisionArns": [_arn("service-revision", r) for r in ("r3", "r2", "r1")]},
    )
    with stub:
        history = deployments.deployment_history(environment, "web", ecs=ecs)
    stub.assert_no_pending_responses()

    assert [d.status for d in history.deployments] == ["IN_PROGRESS", "SUCCESSFUL", "SUCCESSFUL"]
    assert [d.task_definition.rsplit(":", 1)[-1] for d in history.deployments if d.task_definition] == ["7", "6", "5"]
    current = history.current
    assert current is not None and current.arn == IN_PROGRESS["serviceDeploymentArn"]
    assert (current.stage, current.strategy) == ("BAKE_TIME", "BLUE_GREEN")
    assert current.alarms == "TRIGGERED (web-5xx)"
    assert current.circuit_breaker == "MONITORING 1/10 failed tasks"
    text = "\n".join(deployments.format_history(history))
    assert "in progress: c3, stage BAKE_TIME" in text and "alarms: TRIGGERED (web-5xx)" in text
    assert "blue-green" in text and "demo-web:7" in text


def test_rollback_stops_the_deployment_in_progress_with_rollback(environment: Environment, ecs: Any) -> None:
    stub = Stubber(ecs)
    _history_calls(stub, environment, [IN_PROGRESS, CURRENT], [_detail(IN_PROGRESS, lifecycleStage="SCALE_UP"), _detail(CURRENT)])
    stub.add_response("describe_service_revisions", _revisions(("r3", 7), ("r2", 6)), None)
    stub.add_response(
        "stop_service_deployment",
        {"serviceDeploymentArn": IN_PROGRESS["serviceDeploymentArn"]},
        {"serviceDeploymentArn": IN_PROGRESS["serviceDeploymentArn"], "stopType": "ROLLBACK"},
    )
    with stub:
        result = deployments.rollback(environment, "web", ecs=ecs)
    stub.assert_no_pending_responses()

    assert (result.action, result.deployment_arn, result.task_definition) == (
        "stopped",
        IN_PROGRESS["serviceDeploymentArn"],
        None,
    )


def test_rollback_without_a_deployment_in_progress_redeploys_the_previous_task_definition(
    environment: Environment, ecs: Any
) -> None:
    stub = Stubber(ecs)
    _history_calls(stub, environment, [CURRENT, EARLIER], [_detail(CURRENT), _detail(EARLIER)])
    stub.add_response("describe_service_revisions", _revisions(("r2", 6), ("r1", 5)), None)
    previous = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/demo-web:5"
    stub.add_response(
        "update_service",
        {
            "service": {
                "serviceName": "web",
                "deployments": [{"id": "ecs-svc/42", "status": "PRIMARY", "taskDefinition": previous}],
            }
        },
        {"cluster": environment.cluster_name, "service": environment.services["web"].service_name, "taskDefinition": previous},
    )
    with stub:
        result = deployments.rollback(environment, "web", ecs=ecs)
    stub.assert_no_pending_responses()

    assert (result.action, result.task_definition, result.deployment_arn) == ("redeployed", previous, "ecs-svc/42")


def test_rollback_refuses_when_there_is_nothing_to_return_to(environment: Environment, ecs: Any) -> None:
    stub = Stubber(ecs)
    _history_calls(stub, environment, [CURRENT], [_detail(CURRENT)])
    stub.add_response("describe_service_revisions", _revisions(("r2", 6)), None)
    with stub, pytest.raises(HelperError, match="no earlier successful deployment to return to"):
        deployments.rollback(environment, "web", ecs=ecs)


def test_a_job_has_no_deployments(environment: Environment, ecs: Any) -> None:
    with pytest.raises(UsageError, match="a job has no ECS service"):
        deployments.deployment_history(environment, "report", ecs=ecs)


def test_cli_reports_a_refused_stop_in_one_line_and_exits_one(world: World, ecs: Any, capsys: pytest.CaptureFixture[str]) -> None:
    environment = discover(world.config, world.client("cloudformation"))
    stub = Stubber(ecs)
    _history_calls(stub, environment, [IN_PROGRESS], [_detail(IN_PROGRESS, lifecycleStage="CLEAN_UP")])
    stub.add_response("describe_service_revisions", _revisions(("r3", 7)), None)
    stub.add_client_error(
        "stop_service_deployment",
        service_error_code="ConflictException",
        service_message="The service deployment is in a state that can't be stopped.",
        http_status_code=400,
    )
    real = world.client

    def clients(**_: Any) -> Any:
        return lambda service, region=None: ecs if service == "ecs" else real(service)

    with stub:
        code = main(["rollback", "web", "--yes", "--config", str(world.manifest_path)], make_clients=clients)

    err = capsys.readouterr().err
    assert code == 1
    assert err.strip().count("\n") == 0
    assert "ConflictException" in err or "can't be stopped" in err


def test_cli_lists_deployments_as_json(world: World, ecs: Any, capsys: pytest.CaptureFixture[str]) -> None:
    environment = discover(world.config, world.client("cloudformation"))
    stub = Stubber(ecs)
    _history_calls(stub, environment, [CURRENT], [_detail(CURRENT)])
    stub.add_response("describe_service_revisions", _revisions(("r2", 6)), None)
    real = world.client

    def clients(**_: Any) -> Any:
        return lambda service, region=None: ecs if service == "ecs" else real(service)

    with stub:
        code = main(["deployments", "web", "--json", "--config", str(world.manifest_path)], make_clients=clients)

    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [d["status"] for d in out["deployments"]] == ["SUCCESSFUL"]
    assert out["deployments"][0]["task_definition"].endswith("demo-web:6")


def test_cli_rollback_without_yes_off_a_terminal_is_a_usage_error(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rollback", "web", "--config", str(world.manifest_path)])

    assert code == 2
    assert "--yes" in capsys.readouterr().err
