from __future__ import annotations

import json

import pytest

from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.discover import discover
from ecs_toolkit.helpers.errors import HelperError
from ecs_toolkit.helpers.status import EnvironmentStatus, collect_status, format_status
from tests.helpers.world import CLUSTER, PROVIDER, World, delete_stack


def status_of(world: World, names: list[str] | None = None) -> EnvironmentStatus:
    env = discover(world.config, world.client("cloudformation"))
    return collect_status(env, ecs=world.ecs, elbv2=world.elbv2, autoscaling=world.autoscaling, names=names)


def test_reports_counts_deployments_events_and_target_health_per_service(world: World) -> None:
    world.settle("web")
    world.add_event("web", "has started 2 tasks.")
    world.add_event("web", "has reached a steady state.")
    world.start_rollout("api", running=0)

    status = status_of(world)

    web, api = status.services
    assert (web.name, web.desired, web.running, web.pending) == ("web", 2, 2, 0)
    assert [(d.status, d.rollout_state) for d in web.deployments] == [("PRIMARY", "COMPLETED")]
    assert [e.message.split(") ", 1)[1] for e in web.events] == ["has reached a steady state.", "has started 2 tasks."]
    assert web.target_groups[0].states == {"healthy": 2}
    assert [(d.status, d.rollout_state) for d in api.deployments] == [("PRIMARY", "IN_PROGRESS"), ("ACTIVE", "COMPLETED")]
    assert status.problems == []


def test_groups_container_instances_by_capacity_provider_with_cpu_and_memory(world: World) -> None:
    world.run_service_tasks("web", 2)

    status = status_of(world)

    (provider,) = status.capacity
    assert provider.provider == PROVIDER
    assert sorted(i.ec2_instance_id for i in provider.instances) == world.ids["instances"]
    assert sum(i.running_tasks for i in provider.instances) == 2
    used = sum(i.cpu_registered - i.cpu_remaining for i in provider.instances)
    assert used == 2 * 256
    assert all(i.memory_mib_registered > i.memory_mib_remaining for i in provider.instances if i.running_tasks)


def test_lists_a_missing_service_and_missing_stack_as_problems(world: World) -> None:
    world.ecs.delete_service(cluster=CLUSTER, service=world.service("api").name, force=True)
    delete_stack("demo-report")

    status = status_of(world)

    assert [s.name for s in status.services] == ["web"]
    assert status.problems == [
        "stack demo-report not found",
        f"service api: ECS service {world.service('api').name} not found in cluster {CLUSTER}",
    ]


def test_fails_clearly_when_the_cluster_is_gone(world: World) -> None:
    for name in ("web", "api"):
        world.ecs.delete_service(cluster=CLUSTER, service=world.service(name).name, force=True)
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=world.ids["container_instances"][0], force=True)
    world.ecs.deregister_container_instance(cluster=CLUSTER, containerInstance=world.ids["container_instances"][1], force=True)
    world.ecs.delete_cluster(cluster=CLUSTER)

    with pytest.raises(HelperError, match=f"cluster {CLUSTER} not found"):
        status_of(world)


def test_human_output_shows_each_section(world: World) -> None:
    world.settle("web")
    world.add_event("web", "has reached a steady state.")

    lines = format_status(status_of(world, ["web"]))

    text = "\n".join(lines)
    assert "web      2        2        0        PRIMARY demo-web:1 COMPLETED 2/2" in text
    assert "Target health" in text and "2 healthy" in text
    assert "has reached a steady state." in text
    assert PROVIDER in text and world.ids["instances"][0] in text


def test_cli_prints_status_and_exits_zero(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.settle("web")
    world.settle("api")

    code = main(["status", "--config", str(world.manifest_path)])

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"environment demo, cluster {CLUSTER}")
    assert "api      1        1        0        PRIMARY demo-api:1 COMPLETED 1/1" in out


def test_cli_json_lists_problems_and_exits_one_when_a_stack_is_missing(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    delete_stack("demo-web")

    code = main(["status", "--json", "--config", str(world.manifest_path)])

    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["problems"] == ["stack demo-web not found"]
    assert [s["name"] for s in document["services"]] == ["api"]


def test_cli_fails_with_one_line_when_the_platform_stack_is_missing(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    delete_stack("demo-platform")

    code = main(["status", "--config", str(world.manifest_path)])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == "error: stack demo-platform not found: deploy the environment first, or check --profile/--region\n"
    assert captured.out == ""
