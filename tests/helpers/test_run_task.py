"""moto moves a task one state per describe_tasks (RUNNING ... STOPPED) and always reports exit code 0;
the scenarios set exit codes, stop reasons and log lines on the task from the fake clock's sleep hook."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from moto.moto_api import state_manager

from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.discover import Environment, discover
from ecs_toolkit.helpers.errors import HelperError
from ecs_toolkit.helpers.run_task import run_task
from tests.helpers.world import CLUSTER, PROVIDER, FakeClock, World, put_log_lines


def environment(world: World) -> Environment:
    return discover(world.config, world.client("cloudformation"))


def finish(world: World, name: str, container: str, *, exit_code: int, lines: list[str]) -> FakeClock:
    """A clock whose first tick makes the started task log ``lines`` and exit with ``exit_code``."""

    def on_sleep(tick: int) -> None:
        if tick == 1:
            (task,) = world.started_by_helper()
            task.containers[0].exitCode = exit_code
            put_log_lines(f"/demo/{name}", f"{name}/{container}/{task.id}", lines)

    return FakeClock(on_sleep)


@pytest.fixture
def tasks_never_stop() -> Iterator[None]:
    state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10_000})
    yield
    state_manager.unset_transition("ecs::task")


def test_runs_a_fargate_job_in_the_private_subnets_with_the_command_and_returns_its_logs(world: World) -> None:
    clock = finish(world, "report", "report", exit_code=0, lines=["report for 2026-05-03", "42 rows written"])

    run = run_task(
        environment(world),
        "report",
        ecs=world.ecs,
        logs=world.logs,
        command=["report", "--day", "2026-05-03"],
        timing=clock.timing(),
    )

    (task,) = world.started_by_helper()
    assert task.capacity_provider_name == "FARGATE"
    assert task.network_configuration["awsvpcConfiguration"]["subnets"] == world.ids["private"]
    assert task.network_configuration["awsvpcConfiguration"]["securityGroups"] == [world.ids["api_sg"]]
    assert task.overrides == {"containerOverrides": [{"name": "report", "command": ["report", "--day", "2026-05-03"]}]}
    assert (run.last_status, run.exit_code, run.timed_out) == ("STOPPED", 0, False)
    assert run.log_stream == f"report/report/{task.id}"
    assert run.log_lines == ["report for 2026-05-03", "42 rows written"]


def test_runs_an_ec2_service_task_on_its_groups_capacity_provider(world: World) -> None:
    clock = finish(world, "web", "web", exit_code=0, lines=[])

    run = run_task(environment(world), "web", ecs=world.ecs, logs=world.logs, timing=clock.timing())

    (task,) = world.started_by_helper()
    assert task.capacity_provider_name == PROVIDER
    assert task.container_instance_arn in world.ids["container_instances"]
    assert task.overrides == {}
    assert run.exit_code == 0


def test_reports_why_a_task_stopped_before_its_container_ran(world: World) -> None:
    def on_sleep(tick: int) -> None:
        (task,) = world.started_by_helper()
        world.stop_task(task.task_arn, "CannotPullContainerError: pull access denied for report")

    run = run_task(environment(world), "report", ecs=world.ecs, logs=world.logs, timing=FakeClock(on_sleep).timing())

    assert run.exit_code is None
    assert run.stopped_reason == "CannotPullContainerError: pull access denied for report"


def test_fails_clearly_when_ecs_cannot_place_the_task(world: World) -> None:
    world.ecs.update_container_instances_state(
        cluster=CLUSTER, containerInstances=world.ids["container_instances"], status="DRAINING"
    )

    with pytest.raises(HelperError, match="could not start a task for web: no task started"):
        run_task(environment(world), "web", ecs=world.ecs, logs=world.logs, timing=FakeClock().timing())


@pytest.mark.usefixtures("tasks_never_stop")
def test_stops_waiting_at_the_timeout(world: World) -> None:
    clock = FakeClock()

    run = run_task(environment(world), "report", ecs=world.ecs, logs=world.logs, timeout_seconds=40, timing=clock.timing())

    assert run.timed_out
    assert run.last_status == "RUNNING"
    assert clock.now == 40


def test_cli_prints_log_lines_and_exits_with_the_containers_exit_code(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    clock = finish(world, "report", "report", exit_code=3, lines=["starting", "database is read-only"])

    code = main(
        ["run-task", "report", "--config", str(world.manifest_path), "--command", "sh", "-c", "migrate --check"],
        timing=clock.timing(),
    )

    captured = capsys.readouterr()
    (task,) = world.started_by_helper()
    assert code == 3
    assert task.overrides["containerOverrides"][0]["command"] == ["sh", "-c", "migrate --check"]
    assert captured.out.splitlines() == ["starting", "database is read-only", f"task {task.id} stopped: report exited with 3"]
    assert f"started task {task.id} of report" in captured.err


@pytest.mark.usefixtures("tasks_never_stop")
def test_cli_exits_nonzero_when_the_task_outlives_the_timeout(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["run-task", "report", "--timeout", "20", "--json", "--config", str(world.manifest_path)], timing=FakeClock().timing()
    )

    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["timed_out"] is True
    assert document["last_status"] == "RUNNING"


def test_cli_rejects_an_unknown_name(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run-task", "migrate", "--config", str(world.manifest_path)])

    assert code == 2
    assert capsys.readouterr().err == "error: 'migrate' is not a service or job of environment demo (have: web, api, report)\n"
