"""moto never rolls a deployment forward, so each scenario moves the service's deployments itself
(``World.settle`` / ``start_rollout`` / ``fail_rollout``) from the fake clock's sleep hook."""

from __future__ import annotations

import json

import pytest

from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.discover import Environment, discover
from ecs_toolkit.helpers.errors import HelperError
from ecs_toolkit.helpers.wait import wait_for_services
from tests.helpers.world import CLUSTER, SERVICES, FakeClock, World


def environment(world: World) -> Environment:
    return discover(world.config, world.client("cloudformation"))


def test_returns_at_once_when_every_service_is_steady(world: World) -> None:
    world.settle("web")
    world.settle("api")
    clock = FakeClock()

    result = wait_for_services(environment(world), ecs=world.ecs, timing=clock.timing())

    assert result.outcome == "steady"
    assert clock.sleeps == 0


def test_streams_new_events_until_the_rollout_completes(world: World) -> None:
    world.settle("api")
    world.settle("web")
    world.add_event("web", "has reached a steady state.")
    world.start_rollout("web")
    world.add_event("web", "has started 2 tasks.")

    def scheduler(tick: int) -> None:
        if tick == 1:
            world.add_event("web", "registered 2 targets in target-group demo-web-tg")
        if tick == 2:
            world.settle("web")
            world.add_event("web", "has reached a steady state.")

    clock = FakeClock(scheduler)
    streamed: list[str] = []

    result = wait_for_services(environment(world), ecs=world.ecs, timing=clock.timing(), on_event=streamed.append)

    assert result.outcome == "steady"
    assert clock.sleeps == 2
    assert [line.split(") ", 1)[1] for line in streamed] == [
        "has started 2 tasks.",
        "registered 2 targets in target-group demo-web-tg",
        "has reached a steady state.",
    ]


def test_waits_only_for_the_named_services(world: World) -> None:
    world.settle("web")
    world.start_rollout("api")

    result = wait_for_services(environment(world), ecs=world.ecs, names=["web"], timing=FakeClock().timing())

    assert result.outcome == "steady"
    assert [s.name for s in result.services] == ["web"]


def test_reports_failed_rollout_with_stopped_task_reasons(world: World) -> None:
    world.settle("api")
    world.settle("web")
    world.start_rollout("web")
    tasks = world.run_service_tasks("web", 2)

    def scheduler(tick: int) -> None:
        world.stop_task(tasks[0], "Essential container in task exited", exit_code=137, container_reason="OutOfMemoryError")
        world.stop_task(tasks[1], "Task failed ELB health checks in (target-group demo-web-tg)", exit_code=0)
        world.fail_rollout("web")

    result = wait_for_services(environment(world), ecs=world.ecs, timing=FakeClock(scheduler).timing())

    assert result.outcome == "failed"
    (failed,) = [s for s in result.services if s.failed]
    assert failed.name == "web" and "circuit breaker" in failed.summary
    reasons = sorted(task.stopped_reason for task in result.stopped_tasks["web"])
    assert reasons == ["Essential container in task exited", "Task failed ELB health checks in (target-group demo-web-tg)"]
    assert any("web: exit 137 (OutOfMemoryError)" in task.containers for task in result.stopped_tasks["web"])


def test_times_out_after_the_timeout_with_the_unsettled_services(world: World) -> None:
    world.settle("web")
    world.start_rollout("api")
    clock = FakeClock()

    result = wait_for_services(environment(world), ecs=world.ecs, timeout_seconds=60, timing=clock.timing(poll_seconds=15))

    assert result.outcome == "timeout"
    assert clock.now == 60
    assert clock.sleeps == 4
    assert [s.name for s in result.services if not s.steady] == ["api"]


def test_fails_when_a_service_is_missing_in_the_cluster(world: World) -> None:
    world.ecs.delete_service(cluster=CLUSTER, service=SERVICES["api"], force=True)

    with pytest.raises(HelperError, match=f"ECS service {SERVICES['api']} not found"):
        wait_for_services(environment(world), ecs=world.ecs, timing=FakeClock().timing())


def test_cli_exits_nonzero_and_prints_stop_reasons_when_deployment_fails(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world.settle("api")
    world.start_rollout("web")
    (task,) = world.run_service_tasks("web", 1)

    def scheduler(tick: int) -> None:
        world.add_event("web", "deployment failed: tasks failed to start.")
        world.stop_task(task, "CannotPullContainerError: pull image manifest has been retried 5 time(s)")
        world.fail_rollout("web")

    code = main(["wait", "--config", str(world.manifest_path)], timing=FakeClock(scheduler).timing())

    captured = capsys.readouterr()
    assert code == 1
    assert "deployment failed: tasks failed to start." in captured.out
    assert "deployment failed: web: deployment" in captured.out
    assert "CannotPullContainerError: pull image manifest has been retried 5 time(s)" in captured.out
    assert "waiting: web" in captured.err


def test_cli_exits_nonzero_on_timeout(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.settle("web")
    world.start_rollout("api")

    code = main(["wait", "api", "--timeout", "30", "--config", str(world.manifest_path)], timing=FakeClock().timing())

    assert code == 1
    assert "timed out after 30s waiting for api (0/1 running, 2 deployments, rollout IN_PROGRESS)" in capsys.readouterr().out


def test_cli_json_keeps_stdout_parseable_and_streams_events_to_stderr(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.settle("api")
    world.start_rollout("web")

    def scheduler(tick: int) -> None:
        world.settle("web")
        world.add_event("web", "has reached a steady state.")

    code = main(["wait", "--json", "--config", str(world.manifest_path)], timing=FakeClock(scheduler).timing())

    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert code == 0
    assert document["outcome"] == "steady"
    assert "has reached a steady state." in document["events"][0]
    assert "has reached a steady state." in captured.err


def test_cli_rejects_a_job_with_a_usage_error(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["wait", "report", "--config", str(world.manifest_path)], timing=FakeClock().timing())

    assert code == 2
    assert capsys.readouterr().err == "error: report: a job has no ECS service (use run-task)\n"
