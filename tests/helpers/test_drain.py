"""moto does not move tasks off a DRAINING instance: the fake clock's sleep hook stops them,
as the ECS scheduler would after starting replacements elsewhere."""

from __future__ import annotations

import json

import pytest

from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.discover import Environment, discover
from ecs_toolkit.helpers.drain import drain
from ecs_toolkit.helpers.errors import HelperError, UsageError
from tests.helpers.world import ASG, CLUSTER, FakeClock, World


def environment(world: World) -> Environment:
    return discover(world.config, world.client("cloudformation"))


def statuses(world: World) -> dict[str, str]:
    described = world.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=world.ids["container_instances"])
    return {item["ec2InstanceId"]: item["status"] for item in described["containerInstances"]}


def test_drains_every_instance_of_a_group_and_waits_until_their_tasks_moved(world: World) -> None:
    tasks = world.run_service_tasks("web", 2)
    clock = FakeClock(lambda tick: world.stop_task(tasks[tick - 1], "Task stopped because the instance is DRAINING"))

    result = drain(environment(world), ecs=world.ecs, autoscaling=world.autoscaling, group="ondemand", timing=clock.timing())

    assert result.outcome == "drained"
    assert clock.sleeps == 2
    assert sorted(i.ec2_instance_id for i in result.instances) == world.ids["instances"]
    assert set(statuses(world).values()) == {"DRAINING"}


def test_detaches_drained_instances_from_their_group_and_lowers_desired_capacity(world: World) -> None:
    first, second = world.ids["instances"]

    result = drain(
        environment(world),
        ecs=world.ecs,
        autoscaling=world.autoscaling,
        instances=[first],
        detach_from_group=True,
        timing=FakeClock().timing(),
    )

    assert [(i.ec2_instance_id, i.detached, i.auto_scaling_group) for i in result.instances] == [(first, True, ASG)]
    group = world.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[ASG])["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 1
    assert [i["InstanceId"] for i in group["Instances"]] == [second]
    assert statuses(world) == {first: "DRAINING", second: "ACTIVE"}


def test_accepts_a_container_instance_id_instead_of_an_ec2_instance_id(world: World) -> None:
    container_instance_id = world.ids["container_instances"][1].rsplit("/", 1)[-1]

    result = drain(
        environment(world),
        ecs=world.ecs,
        autoscaling=world.autoscaling,
        instances=[container_instance_id],
        timing=FakeClock().timing(),
    )

    assert [i.ec2_instance_id for i in result.instances] == [world.ids["instances"][1]]


def test_times_out_without_detaching_when_tasks_do_not_move(world: World) -> None:
    world.run_service_tasks("web", 2)
    clock = FakeClock()

    result = drain(
        environment(world),
        ecs=world.ecs,
        autoscaling=world.autoscaling,
        group="ondemand",
        detach_from_group=True,
        timeout_seconds=30,
        timing=clock.timing(),
    )

    assert result.outcome == "timeout"
    assert clock.now == 30
    assert sum(i.remaining_tasks for i in result.instances) == 2
    assert not any(i.detached for i in result.instances)
    assert len(world.asg_instances()) == 2


def test_fails_for_an_instance_that_is_not_in_the_cluster(world: World) -> None:
    with pytest.raises(HelperError, match=f"not a container instance of cluster {CLUSTER}: i-0123456789abcdef0"):
        drain(environment(world), ecs=world.ecs, autoscaling=world.autoscaling, instances=["i-0123456789abcdef0"])


def test_fails_when_the_group_is_not_in_the_platform_outputs(world: World) -> None:
    with pytest.raises(UsageError, match="'spot' is not an EC2 capacity group of environment demo \\(have: ondemand\\)"):
        drain(environment(world), ecs=world.ecs, autoscaling=world.autoscaling, group="spot")


def test_fails_when_the_auto_scaling_group_is_gone(world: World) -> None:
    world.autoscaling.delete_auto_scaling_group(AutoScalingGroupName=ASG, ForceDelete=True)

    with pytest.raises(HelperError, match=f"Auto Scaling group {ASG} \\(EC2 group ondemand\\) not found"):
        drain(environment(world), ecs=world.ecs, autoscaling=world.autoscaling, group="ondemand")


def test_cli_drains_a_group_and_reports_each_instance(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    (task,) = world.run_service_tasks("web", 1)
    clock = FakeClock(lambda tick: world.stop_task(task, "Task stopped because the instance is DRAINING"))

    code = main(["drain", "--group", "ondemand", "--config", str(world.manifest_path)], timing=clock.timing())

    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.splitlines()[0] == "drained 2 instances in 10s"
    assert "draining: 1 task left on 1 instance [0s]" in captured.err


def test_cli_exits_nonzero_with_json_when_draining_times_out(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.run_service_tasks("web", 1)
    first = world.ids["instances"][0]
    second = world.ids["instances"][1]

    code = main(
        ["drain", "--instance", first, second, "--timeout", "20", "--json", "--config", str(world.manifest_path)],
        timing=FakeClock().timing(),
    )

    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["outcome"] == "timeout"
    assert sum(i["remaining_tasks"] for i in document["instances"]) == 1


def test_cli_requires_a_group_or_instances(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["drain", "--config", str(world.manifest_path)])

    assert code == 2
    assert "one of the arguments --group --instance is required" in capsys.readouterr().err
