"""The plan's warnings, JSON and text on hand-built environments."""

from __future__ import annotations

import json
import re
from typing import Any

from ecs_toolkit.plan.report import build_plan, duration, render, to_dict, to_json
from ecs_toolkit.plan.templates import read_environment
from tests.plan.tiny import (
    NETWORK,
    PLATFORM,
    container,
    imported,
    manifest,
    network_template,
    platform_template,
    prices,
    resources,
    scalable_target,
    service_template,
    target_group,
    task_definition,
)

GROUP = [{"name": "ondemand", "instance_types": ["small.large"], "min": 1, "max": 2}]


def _plan(service: dict[str, Any], *, platform_extra: int = 0) -> Any:
    config = manifest({"web": {"launch": "ec2"}}, GROUP)
    platform = platform_template({"ondemand": {"types": ["small.large"], "min": 1, "max": 2}})
    platform["Resources"].update(resources(platform_extra))
    templates = {NETWORK: network_template(), PLATFORM: platform, "tiny-web": service}
    return build_plan(read_environment(config, templates), prices(), region="us-east-1", config="tiny.yaml", templates="dir")


def _web(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "desired": 2,
        "strategy": [{"CapacityProvider": imported("ondemand"), "Weight": 1}],
        "target_groups": {"Tg": target_group(HealthCheckIntervalSeconds=10, HealthyThresholdCount=2)},
    }
    values.update(overrides)
    return service_template(task_definition(container(Memory=512, StopTimeout=30), NetworkMode="bridge"), **values)


def test_a_quick_service_that_fits_has_no_warnings() -> None:
    plan = _plan(_web())
    assert plan.warnings == ()
    (row,) = plan.services
    assert row.rollout.seconds == 60 + 0 + 20 + 300 + 30  # the template sets no deregistration delay: ELB's 300 s


def test_warns_when_a_rollout_takes_longer_than_fifteen_minutes() -> None:
    plan = _plan(_web(desired=6, deployment={"MinimumHealthyPercent": 100, "MaximumPercent": 120}))
    (row,) = plan.services
    assert (row.rollout.batches, row.rollout.seconds) == (6, 6 * 410)
    (warning,) = plan.warnings
    assert warning.startswith("web: a rolling deploy can take 41m00s at 6 tasks (6 batches of 1, 6m50s each)")
    assert "deregistration delay" in warning


def test_warns_when_a_deployment_can_replace_no_task() -> None:
    plan = _plan(_web(deployment={"MinimumHealthyPercent": 100, "MaximumPercent": 100}))
    assert any("lets no task be replaced" in warning for warning in plan.warnings)


def test_warns_when_the_maximum_tasks_do_not_fit_in_the_groups_maximum_instances() -> None:
    # 512 MiB tasks: 7 per small instance (3891 MiB); 20 tasks need 3 instances, the group has 2.
    plan = _plan(_web(extra={"Scaling": scalable_target(2, 20)}))
    (packed,) = plan.packing
    assert (packed.tasks_at_max, packed.instances_needed, packed.max_instances, packed.ok) == (20, 3, 2, False)
    assert packed.fits[0].tasks == 7 and packed.fits[0].limited_by == "memory"
    assert "web: 20 tasks at most on group ondemand need 3 instances (7 per small.large, limited by memory); " in "\n".join(
        plan.warnings
    )
    assert any(w.startswith("EC2 group ondemand: every service at its maximum needs 3 instances") for w in plan.warnings)


def test_warns_about_stacks_near_or_over_the_resource_limit() -> None:
    plan = _plan(_web(), platform_extra=499)
    assert any(w.startswith(f"{PLATFORM}: ") and "over CloudFormation's 500 per stack" in w for w in plan.warnings)


def test_json_carries_totals_and_every_section() -> None:
    plan = _plan(_web(extra={"Scaling": scalable_target(2, 4)}))
    data = json.loads(to_json(plan))
    assert set(data) >= {"environment", "services", "packing", "groups", "cost", "stacks", "warnings", "assumptions"}
    assert data["services"][0]["rollout"]["seconds"] == plan.services[0].rollout.seconds
    assert data["services"][0]["rollout_at_max"]["desired"] == 4
    assert data["cost"]["minimum"] == round(plan.cost.minimum, 2)
    assert data["packing"][0]["ok"] is True
    assert data["stacks"] == [{"name": s.name, "resources": s.resources, "limit": 500} for s in plan.stacks]
    assert to_dict(plan)["groups"][0]["ok"] is True


def test_text_shows_each_section() -> None:
    text = render(_plan(_web()))
    headings = ("Deploy, worst case", "Monthly cost estimate", "EC2 packing", "EC2 groups", "Stacks", "Warnings: none")
    for heading in headings:
        assert heading in text
    assert "60+0+20+300+30 = 6m50s" in text


def test_durations_read_naturally() -> None:
    assert [duration(s) for s in (45, 155, 3720, None)] == ["45s", "2m35s", "1h02m", "never"]


def test_an_instance_type_left_out_of_the_estimate_is_a_visible_warning() -> None:
    config = manifest({"web": {"launch": "ec2"}}, [{"name": "ondemand", "instance_types": ["odd.large"], "min": 1, "max": 2}])
    platform = platform_template({"ondemand": {"types": ["odd.large"], "min": 1, "max": 2}})
    templates = {NETWORK: network_template(), PLATFORM: platform, "tiny-web": _web()}
    plan = build_plan(read_environment(config, templates), prices(), region="us-east-1", config="tiny.yaml", templates="dir")
    missing = "EC2 group ondemand: no price for odd.large in prices.json; left out of the estimate"
    assert missing in plan.warnings
    text = render(plan)
    assert "Warnings: none" not in text
    assert text.index("Warnings:") < text.index(f"  ! {missing}")


def test_a_fargate_service_is_listed_with_the_providers_it_runs_on() -> None:
    config = manifest({"spot": {}, "mixed": {}, "plain": {}})
    task = task_definition(container(), Cpu="256", Memory="512", NetworkMode="awsvpc", RequiresCompatibilities=["FARGATE"])
    templates = {
        NETWORK: network_template(),
        PLATFORM: platform_template({}),
        "tiny-spot": service_template(task, strategy=[{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]),
        "tiny-mixed": service_template(
            task,
            strategy=[{"CapacityProvider": "FARGATE", "Base": 1, "Weight": 1}, {"CapacityProvider": "FARGATE_SPOT", "Weight": 3}],
        ),
        "tiny-plain": service_template(task, LaunchType="FARGATE"),
    }
    plan = build_plan(read_environment(config, templates), prices(), region="us-east-1", config="tiny.yaml", templates="dir")
    assert {row.name: row.launch for row in plan.services} == {
        "spot": "FARGATE_SPOT",
        "mixed": "FARGATE+FARGATE_SPOT",
        "plain": "FARGATE",
    }
    assert re.search(r"^ +spot +FARGATE_SPOT +awsvpc ", render(plan), re.M)
