"""moto terminates an Auto Scaling group's instances as soon as desired capacity drops, but leaves
their container instances registered; teardown deregisters those itself (ECS would, eventually)."""

from __future__ import annotations

import json

import pytest

from ecs_toolkit.helpers.cli import main
from ecs_toolkit.helpers.discover import Environment, discover
from ecs_toolkit.helpers.teardown import Step, teardown
from tests.helpers.world import AMI, ASG, CLUSTER, SERVICES, Failing, FakeClock, World, delete_stack


def environment(world: World) -> Environment:
    return discover(world.config, world.client("cloudformation"))


def run(world: World, clock: FakeClock | None = None, timeout: float = 600, **clients: object):  # type: ignore[no-untyped-def]
    arguments = {
        "ecs": world.ecs,
        "autoscaling": world.autoscaling,
        "ec2": world.ec2,
        "scaling": world.client("application-autoscaling"),
        **clients,
    }
    return teardown(environment(world), timeout_seconds=timeout, timing=(clock or FakeClock()).timing(), **arguments)


def registered(world: World) -> list[str]:
    return world.ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]


def desired_counts(world: World) -> dict[str, int]:
    services = world.ecs.describe_services(cluster=CLUSTER, services=list(SERVICES.values()))["services"]
    return {s["serviceName"]: s["desiredCount"] for s in services}


def test_empties_services_groups_and_the_cluster_so_destroy_can_finish(world: World) -> None:
    scaling = world.client("application-autoscaling")
    resource = f"service/{CLUSTER}/{SERVICES['web']}"
    scaling.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=resource, ScalableDimension="ecs:service:DesiredCount", MinCapacity=2, MaxCapacity=10
    )

    result = run(world)

    assert result.outcome == "ready"
    assert desired_counts(world) == {SERVICES["web"]: 0, SERVICES["api"]: 0}
    (target,) = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])["ScalableTargets"]
    assert target["SuspendedState"]["DynamicScalingOutSuspended"] is True
    group = world.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[ASG])["AutoScalingGroups"][0]
    assert (group["MinSize"], group["DesiredCapacity"]) == (0, 0)
    assert registered(world) == []
    assert Step("remove scale-in protection", "ondemand", "2 instances") in result.steps
    assert Step("empty group", "ondemand", "min 1, desired 2 -> 0") in result.steps
    assert Step("deregister", CLUSTER, "2 terminated instances") in result.steps


def test_a_second_run_finds_everything_done_and_changes_nothing(world: World) -> None:
    run(world)

    result = run(world)

    assert result.outcome == "ready"
    assert result.steps == [
        Step("scale service", "web", "already 0"),
        Step("scale service", "api", "already 0"),
        Step("drain", CLUSTER, "nothing active"),
        Step("empty group", "ondemand", "already 0"),
    ]


def test_skips_missing_stacks_services_and_groups_of_a_partly_torn_down_environment(world: World) -> None:
    delete_stack("demo-report")
    world.ecs.delete_service(cluster=CLUSTER, service=SERVICES["api"], force=True)
    world.autoscaling.delete_auto_scaling_group(AutoScalingGroupName=ASG, ForceDelete=True)
    world.ec2.terminate_instances(InstanceIds=world.ids["instances"])  # what ForceDelete does on AWS, not in moto

    result = run(world)

    assert result.outcome == "ready"
    assert Step("find stack", "demo-report", "not found, skipped") in result.steps
    assert Step("scale service", "api", "not found, skipped") in result.steps
    assert Step("empty group", "ondemand", f"Auto Scaling group {ASG} not found, skipped") in result.steps
    assert registered(world) == []


def test_without_the_platform_stack_reports_it_and_touches_nothing_else(world: World) -> None:
    delete_stack("demo-platform")

    result = run(world)

    assert result.steps == [Step("find stack", "demo-platform", "not found, skipped")]
    assert desired_counts(world) == {SERVICES["web"]: 2, SERVICES["api"]: 1}


def test_times_out_on_an_instance_that_is_still_running(world: World) -> None:
    stray = world.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=world.ids["private"][0])
    instance = stray["Instances"][0]["InstanceId"]
    world.register_instance(instance)
    clock = FakeClock()

    result = run(world, clock, timeout=120)

    assert result.outcome == "timeout"
    assert result.remaining_instances == [instance]
    assert clock.now == 120


def test_can_be_rerun_after_failing_halfway(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    throttled = Failing(world.autoscaling, "update_auto_scaling_group")

    with pytest.raises(Exception, match="ThrottlingException"):
        run(world, autoscaling=throttled)
    assert desired_counts(world) == {SERVICES["web"]: 0, SERVICES["api"]: 0}

    result = run(world)

    assert result.outcome == "ready"
    assert Step("scale service", "web", "already 0") in result.steps
    assert Step("empty group", "ondemand", "min 1, desired 2 -> 0") in result.steps


def test_cli_refuses_without_yes_when_not_on_a_terminal(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["teardown", "--config", str(world.manifest_path)])

    assert code == 2
    assert "pass --yes to confirm" in capsys.readouterr().err
    assert desired_counts(world) == {SERVICES["web"]: 2, SERVICES["api"]: 1}


def test_cli_tears_down_and_says_the_environment_is_ready(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["teardown", "--yes", "--config", str(world.manifest_path)], timing=FakeClock().timing())

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[-1] == "demo is ready for `cdk destroy`"
    assert "scale service               web" in out


def test_cli_json_after_a_partial_teardown(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    delete_stack("demo-web")

    code = main(["teardown", "--yes", "--json", "--config", str(world.manifest_path)], timing=FakeClock().timing())

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["outcome"] == "ready"
    assert {"action": "find stack", "target": "demo-web", "result": "not found, skipped"} in document["steps"]
