"""The rolling-deploy formula on hand-built services with known answers."""

from __future__ import annotations

import pytest

from ecs_toolkit.assembly import Assembly
from ecs_toolkit.plan import rollout
from ecs_toolkit.plan.templates import ServiceFacts, read_service
from tests.plan.tiny import container, service_template, target_group, task_definition


def _service(template: dict[str, object]) -> ServiceFacts:
    return read_service(
        "web", "tiny-web", template, "Service", assembly=Assembly.from_templates({"tiny-web": template}), providers={}
    )


@pytest.mark.parametrize(
    ("desired", "min_percent", "max_percent", "per_batch", "batches"),
    [
        (2, 100, 200, 2, 1),  # all new tasks start at once
        (10, 100, 150, 5, 2),
        (3, 100, 120, 1, 3),  # floor(0.6) = 0, but at least one task per batch
        (1, 100, 110, 1, 1),
        (4, 50, 100, 2, 2),  # no room above 100%: replace what min healthy lets go
        (3, 50, 100, 1, 3),  # 3 - ceil(1.5)
        (5, 0, 100, 5, 1),
    ],
)
def test_batches_follow_max_percent_else_min_healthy(
    desired: int, min_percent: int, max_percent: int, per_batch: int, batches: int
) -> None:
    assert rollout.tasks_per_batch(desired, min_percent, max_percent) == per_batch
    assert rollout.batch_count(desired, min_percent, max_percent) == batches


def test_no_task_can_be_replaced_when_min_healthy_and_max_are_both_100() -> None:
    assert rollout.tasks_per_batch(4, 100, 100) == 0
    assert rollout.batch_count(4, 100, 100) is None


def test_a_service_without_tasks_rolls_out_instantly() -> None:
    assert rollout.batch_count(0, 100, 200) == 0


def test_one_replacement_adds_pull_grace_health_checks_deregistration_and_stop_from_the_template() -> None:
    template = service_template(
        task_definition(container(StopTimeout=20)),
        HealthCheckGracePeriodSeconds=45,
        target_groups={
            "Tg": target_group(
                HealthCheckIntervalSeconds=10,
                HealthyThresholdCount=3,
                TargetGroupAttributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "25"}],
            )
        },
    )
    replacement = rollout.replacement(_service(template))
    pull = rollout.IMAGE_PULL_ALLOWANCE_SECONDS
    assert (replacement.image_pull, replacement.grace_period, replacement.health) == (pull, 45, 30)
    assert (replacement.deregistration, replacement.stop) == (25, 20)
    assert replacement.total == rollout.IMAGE_PULL_ALLOWANCE_SECONDS + 45 + 30 + 25 + 20


def test_properties_left_out_of_the_template_take_the_services_own_defaults() -> None:
    """ELB: 30 s x 5 healthy checks, 300 s deregistration; ECS: 30 s stop timeout, no grace period."""
    template = service_template(task_definition(container()), target_groups={"Tg": target_group()})
    replacement = rollout.replacement(_service(template))
    assert (replacement.grace_period, replacement.health, replacement.deregistration, replacement.stop) == (0, 150, 300, 30)


def test_the_slowest_target_group_and_the_longest_stop_timeout_decide() -> None:
    template = service_template(
        task_definition(container("a", StopTimeout=10), container("b", StopTimeout=90)),
        target_groups={
            "Fast": target_group(HealthCheckIntervalSeconds=5, HealthyThresholdCount=2),
            "Slow": target_group(HealthCheckIntervalSeconds=20, HealthyThresholdCount=4),
        },
    )
    replacement = rollout.replacement(_service(template))
    assert (replacement.health, replacement.stop) == (80, 90)


def test_a_container_health_check_counts_when_there_is_no_load_balancer() -> None:
    check = {"Command": ["CMD", "true"], "Interval": 15, "StartPeriod": 40}
    template = service_template(task_definition(container(HealthCheck=check)))
    replacement = rollout.replacement(_service(template))
    assert (replacement.health, replacement.deregistration) == (55, 0)


def test_the_rollout_multiplies_batches_by_one_replacement() -> None:
    template = service_template(
        task_definition(container(StopTimeout=30)),
        desired=4,
        deployment={"MinimumHealthyPercent": 100, "MaximumPercent": 125},
        target_groups={"Tg": target_group(HealthCheckIntervalSeconds=10, HealthyThresholdCount=2)},
    )
    plan = rollout.rollout(_service(template))
    assert (plan.per_batch, plan.batches) == (1, 4)
    assert plan.seconds == 4 * plan.replacement.total
    assert rollout.rollout(_service(template), desired=8).batches == 4  # 2 per batch at 8 tasks


def test_a_rollout_that_cannot_replace_any_task_has_no_duration() -> None:
    template = service_template(
        task_definition(container()), desired=3, deployment={"MinimumHealthyPercent": 100, "MaximumPercent": 100}
    )
    assert rollout.rollout(_service(template)).seconds is None


# --- blue/green, canary, linear ------------------------------------------------------------------


def _shifting(deployment: dict[str, object], desired: int = 4) -> rollout.Rollout:
    """A service whose one replacement is 60 s pull + 30 s grace + 2 x 10 s health + 15 s drain + 30 s stop = 155 s."""
    template = service_template(
        task_definition(container(StopTimeout=30)),
        desired=desired,
        deployment={"MinimumHealthyPercent": 100, "MaximumPercent": 200, **deployment},
        HealthCheckGracePeriodSeconds=30,
        target_groups={
            "Tg": target_group(
                HealthCheckIntervalSeconds=10,
                HealthyThresholdCount=2,
                TargetGroupAttributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "15"}],
            )
        },
    )
    plan = rollout.rollout(_service(template))
    assert plan.replacement.total == rollout.IMAGE_PULL_ALLOWANCE_SECONDS + 95
    return plan


def test_blue_green_starts_every_new_task_at_once_then_bakes() -> None:
    plan = _shifting({"Strategy": "BLUE_GREEN", "BakeTimeInMinutes": 5})

    assert (plan.batches, plan.per_batch, plan.shift_seconds, plan.bake_seconds) == (1, 4, 0, 300)
    assert plan.seconds == 155 + 300
    assert plan.extra_task_seconds == 4 * 455  # the whole green revision for the whole rollout


def test_canary_adds_its_one_wait_and_the_bake_time() -> None:
    plan = _shifting(
        {
            "Strategy": "CANARY",
            "BakeTimeInMinutes": 5,
            "CanaryConfiguration": {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 15},
        }
    )

    assert plan.seconds == 155 + 15 * 60 + 5 * 60  # 23m35s


def test_linear_waits_between_steps_but_not_after_the_last() -> None:
    plan = _shifting(
        {"Strategy": "LINEAR", "BakeTimeInMinutes": 10, "LinearConfiguration": {"StepPercent": 20, "StepBakeTimeInMinutes": 3}}
    )

    # 5 steps of 20 %: 4 waits of 3 minutes, then the bake time.
    assert plan.shift_seconds == 4 * 180
    assert plan.seconds == 155 + 720 + 600  # 24m35s


@pytest.mark.parametrize(("step", "steps"), [(10, 10), (20, 5), (33.3, 4), (30, 4), (3, 34), (12.5, 8), (100, 1)])
def test_linear_step_count_is_a_ceiling_in_tenths(step: float, steps: int) -> None:
    assert rollout.linear_steps(step) == steps


def test_canary_and_linear_take_ecs_defaults_when_the_template_leaves_them_out() -> None:
    canary = _shifting({"Strategy": "CANARY"})
    linear = _shifting({"Strategy": "LINEAR"})

    assert (canary.shift_seconds, canary.bake_seconds) == (10 * 60, 0)  # 5 % for 10 minutes
    assert linear.shift_seconds == 9 * 6 * 60  # 10 % steps every 6 minutes


def test_rolling_strategy_keeps_the_batch_formula_and_runs_no_second_revision() -> None:
    plan = _shifting({"Strategy": "ROLLING", "MaximumPercent": 125})

    assert (plan.per_batch, plan.batches, plan.seconds, plan.extra_task_seconds) == (1, 4, 4 * 155, 0)


def _behind(listener_type: str, deployment: dict[str, object]) -> rollout.Rollout:
    """The ``_shifting`` service, its production and test "rules" resources of ``listener_type``."""
    template = service_template(
        task_definition(container(StopTimeout=30)),
        desired=4,
        deployment={"MinimumHealthyPercent": 100, "MaximumPercent": 200, **deployment},
        HealthCheckGracePeriodSeconds=30,
        target_groups={
            "Tg": target_group(
                HealthCheckIntervalSeconds=10,
                HealthyThresholdCount=2,
                TargetGroupAttributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "15"}],
            ),
            "Green": target_group(),
        },
        extra={"Production": {"Type": listener_type, "Properties": {}}, "Test": {"Type": listener_type, "Properties": {}}},
    )
    service = template["Resources"]["Service"]["Properties"]
    service["LoadBalancers"] = [
        {
            "ContainerName": "app",
            "ContainerPort": 80,
            "TargetGroupArn": {"Ref": "Tg"},
            "AdvancedConfiguration": {
                "AlternateTargetGroupArn": {"Ref": "Green"},
                "ProductionListenerRule": {"Ref": "Production"},
                "TestListenerRule": {"Ref": "Test"},
            },
        }
    ]
    return rollout.rollout(_service(template))


@pytest.mark.parametrize(
    ("deployment", "shifts", "own_waits"),
    [
        ({"Strategy": "BLUE_GREEN"}, 1, 0),
        ({"Strategy": "CANARY", "CanaryConfiguration": {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 5}}, 2, 5 * 60),
        ({"Strategy": "LINEAR", "LinearConfiguration": {"StepPercent": 25, "StepBakeTimeInMinutes": 3}}, 4, 3 * 180),
    ],
)
def test_behind_an_nlb_ecs_waits_ten_minutes_at_the_test_shift_and_every_production_shift(
    deployment: dict[str, object], shifts: int, own_waits: int
) -> None:
    nlb = _behind("AWS::ElasticLoadBalancingV2::Listener", {"BakeTimeInMinutes": 5, **deployment})
    alb = _behind("AWS::ElasticLoadBalancingV2::ListenerRule", {"BakeTimeInMinutes": 5, **deployment})

    assert nlb.nlb_wait_seconds == (1 + shifts) * rollout.NLB_SHIFT_WAIT_SECONDS
    assert nlb.shift_seconds == own_waits + nlb.nlb_wait_seconds
    assert nlb.seconds == 155 + nlb.shift_seconds + 300
    assert (alb.nlb_wait_seconds, alb.shift_seconds, alb.seconds) == (0, own_waits, 155 + own_waits + 300)
