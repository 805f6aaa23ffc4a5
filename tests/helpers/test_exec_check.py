"""moto neither stores enableExecuteCommand on services and tasks nor reports managed agents:
the scenarios set them on moto's objects, as ECS would for a service deployed with exec on."""

from __future__ import annotations

import json

import pytest

from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.discover import Environment, discover
from ecs_toolkit.helpers.errors import HelperError
from ecs_toolkit.helpers.exec_check import EXEC_ACTIONS, CheckItem, ExecCheckResult, evaluate, exec_check
from tests.helpers.world import World

pytestmark = pytest.mark.usefixtures("tasks_stay_running")


def environment(world: World) -> Environment:
    return discover(world.config, world.client("cloudformation"))


def exec_ready_task(world: World, agent: str = "RUNNING", reason: str | None = None) -> str:
    world.service("web").enable_execute_command = True
    (arn,) = world.run_service_tasks("web", 1)
    task = world.task(arn)
    task.enable_execute_command = True
    task.containers[0].managed_agents = [
        {"name": "ExecuteCommandAgent", "lastStatus": agent, **({"reason": reason} if reason else {})}
    ]
    return arn


def check(world: World, name: str = "web", task: str | None = None) -> ExecCheckResult:
    return exec_check(environment(world), name, ecs=world.ecs, iam=world.iam, ec2=world.ec2, task=task)


def by_check(result: ExecCheckResult) -> dict[str, bool | None]:
    return {item.check: item.ok for item in result.items}


def test_passes_every_check_for_a_task_deployed_with_exec(world: World) -> None:
    arn = exec_ready_task(world)

    result = check(world)

    assert result.ok
    assert result.task_id == arn.rsplit("/", 1)[-1]
    assert all(by_check(result).values())
    assert CheckItem("network path to SSM", True, f"NAT gateway {world.ids['nat']} in {world.ids['vpc']}") in result.items


def test_explains_each_missing_piece_of_a_service_without_exec(world: World) -> None:
    result = check(world, "api")

    assert not result.ok
    assert by_check(result) == {
        "service enableExecuteCommand": False,
        "a running task": False,
        "task enableExecuteCommand": None,
        "ExecuteCommandAgent running": None,
        "task role allows ssmmessages": False,
        "network path to SSM": True,
    }
    (role,) = [item for item in result.items if item.check == "task role allows ssmmessages"]
    assert role.detail == "demo-api-TaskRole: missing " + ", ".join(EXEC_ACTIONS)


def test_fails_when_the_task_started_before_exec_was_enabled(world: World) -> None:
    arn = exec_ready_task(world, agent="STOPPED", reason="the task role lacks ssmmessages permissions")
    world.task(arn).enable_execute_command = False

    result = check(world, task=arn)

    assert by_check(result)["task enableExecuteCommand"] is False
    (agent,) = [item for item in result.items if item.check == "ExecuteCommandAgent running"]
    assert (agent.ok, agent.detail) == (False, "web: STOPPED (the task role lacks ssmmessages permissions)")


def test_accepts_an_ssmmessages_endpoint_instead_of_a_nat_gateway(world: World) -> None:
    exec_ready_task(world)
    world.ec2.delete_nat_gateway(NatGatewayId=world.ids["nat"])
    assert not check(world).ok

    endpoint = world.ec2.create_vpc_endpoint(
        VpcId=world.ids["vpc"],
        ServiceName="com.amazonaws.us-east-1.ssmmessages",
        VpcEndpointType="Interface",
        SubnetIds=world.ids["private"],
    )["VpcEndpoint"]["VpcEndpointId"]

    result = check(world)

    assert result.ok
    assert CheckItem("network path to SSM", True, f"interface endpoint {endpoint} for ssmmessages") in result.items


def test_reads_attached_managed_policies_of_the_task_role(world: World) -> None:
    exec_ready_task(world)
    world.iam.delete_role_policy(RoleName="demo-web-TaskRole", PolicyName="exec")
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssmmessages:*", "Resource": "*"}]}
    policy = world.iam.create_policy(PolicyName="ecs-exec", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    world.iam.attach_role_policy(RoleName="demo-web-TaskRole", PolicyArn=policy)

    assert check(world).ok


def test_an_explicit_deny_wins_over_an_allow() -> None:
    documents = [
        {"Statement": [{"Effect": "Allow", "Action": "ssmmessages:*", "Resource": "*"}]},
        {"Statement": {"Effect": "Deny", "Action": ["ssmmessages:Open*"], "Resource": "*"}},
    ]

    assert evaluate(documents) == {
        "ssmmessages:CreateControlChannel": True,
        "ssmmessages:CreateDataChannel": True,
        "ssmmessages:OpenControlChannel": False,
        "ssmmessages:OpenDataChannel": False,
    }


def test_an_allow_scoped_to_a_resource_does_not_count() -> None:
    documents = [
        {"Statement": [{"Effect": "Allow", "Action": "ssmmessages:*", "Resource": "arn:aws:ssm:us-east-1:123456789012:*"}]}
    ]

    assert not any(evaluate(documents).values())


def test_fails_for_a_task_id_that_does_not_exist(world: World) -> None:
    with pytest.raises(HelperError, match="task 0123abcd not found"):
        check(world, task="0123abcd")


def test_cli_prints_a_checklist_and_exits_one_on_a_failure(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["exec-check", "api", "--config", str(world.manifest_path)])

    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0] == "exec-check api"
    assert lines[1] == "  FAIL  service enableExecuteCommand: set `exec: true` for the service and deploy"
    assert lines[3] == "  skip  task enableExecuteCommand: no task"


def test_cli_exits_zero_when_exec_would_work(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    exec_ready_task(world)

    code = main(["exec-check", "web", "--json", "--config", str(world.manifest_path)])

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [item["ok"] for item in document["items"]] == [True] * 6
