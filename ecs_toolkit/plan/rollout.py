"""Worst-case deploy time of a service, from the values in its synthesized template.

One task replacement, worst case::

    replace = image pull allowance
            + HealthCheckGracePeriodSeconds
            + health   (max over the service's target groups of HealthCheckIntervalSeconds x HealthyThresholdCount,
                        and, for a container health check, StartPeriod + Interval)
            + deregistration_delay.timeout_seconds   (the longest of its target groups; 0 without one)
            + StopTimeout                            (the longest of its containers)

The whole rollout replaces the desired count in batches::

    per batch = max(1, floor(desired x (MaximumPercent - 100) / 100))   when MaximumPercent > 100
              = desired - ceil(desired x MinimumHealthyPercent / 100)    otherwise
    batches   = ceil(desired / per batch)
    rollout   = batches x replace

Blue/green, canary and linear deployments (ECS-native) start the whole new revision at once in the
alternate target group, shift traffic, bake, then stop the old revision::

    rollout   = replace                     (one batch: start, healthy, and finally drain and stop the old tasks)
              + traffic shifting waits      (canary: CanaryBakeTimeInMinutes; linear: StepBakeTimeInMinutes
                                             x (ceil(100 / StepPercent) - 1), no wait after the last step;
                                             blue/green: none)
              + BakeTimeInMinutes
              + NLB waits                   (behind a Network Load Balancer: 10 minutes at the test traffic
                                             shift and at every production traffic shift: blue/green 1,
                                             canary 2, linear ceil(100 / StepPercent))

During that time both revisions run in full: ``desired`` extra tasks for the whole rollout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ecs_toolkit.plan.templates import DeploymentFacts, ServiceFacts

IMAGE_PULL_ALLOWANCE_SECONDS = 60
"""Pulling the image and starting the container: a typical image of a few hundred MB from ECR or a
public registry through a NAT gateway. Large images or cold caches take longer."""
NLB_SHIFT_WAIT_SECONDS = 10 * 60
"""ECS adds a 10-minute delay to the TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT stages when the service
is behind a Network Load Balancer, so the NLB's data plane matches the weights (ECS developer guide, "Network
Load Balancer resources for Amazon ECS blue/green, linear and canary deployments", checked 2026-11-27).
Counted at every production shift: measured deployments show the delay adding up per linear step."""
SLOW_ROLLOUT_SECONDS = 15 * 60
"""A rollout slower than this gets a warning."""


@dataclass(frozen=True)
class Replacement:
    """The worst-case time to replace one task, by component (seconds)."""

    image_pull: int
    grace_period: int
    health: int
    deregistration: int
    stop: int

    @property
    def total(self) -> int:
        return self.image_pull + self.grace_period + self.health + self.deregistration + self.stop

    def slowest(self) -> str:
        parts = {
            "image pull": self.image_pull,
            "grace period": self.grace_period,
            "health checks": self.health,
            "deregistration delay": self.deregistration,
            "stop timeout": self.stop,
        }
        return max(parts, key=lambda key: parts[key])


TRAFFIC_SHIFTING = ("BLUE_GREEN", "CANARY", "LINEAR")


@dataclass(frozen=True)
class Rollout:
    desired: int
    min_healthy_percent: int
    max_percent: int
    per_batch: int
    batches: int | None
    """``None`` when the deployment settings allow no task to be replaced."""
    replacement: Replacement
    strategy: str = "ROLLING"
    shift_seconds: int = 0
    """Canary and linear: the waits between traffic shifts; behind an NLB also ECS's waits at each shift."""
    nlb_wait_seconds: int = 0
    """The part of ``shift_seconds`` that ECS waits for a Network Load Balancer."""
    bake_seconds: int = 0
    """Blue/green, canary, linear: both revisions run this long after all traffic has moved."""

    @property
    def shifts_traffic(self) -> bool:
        return self.strategy in TRAFFIC_SHIFTING

    @property
    def seconds(self) -> int | None:
        if self.batches is None:
            return None
        if self.shifts_traffic:
            return self.replacement.total + self.shift_seconds + self.bake_seconds if self.desired > 0 else 0
        return self.batches * self.replacement.total

    @property
    def extra_task_seconds(self) -> int:
        """Task-seconds beyond the desired count: the whole second revision, for the whole rollout."""
        return self.desired * (self.seconds or 0) if self.shifts_traffic else 0


def linear_steps(step_percent: float) -> int:
    """Traffic shifts of a linear deployment: ceil(100 / step), counted in tenths so 33.3 % takes 4 steps."""
    return max(1, math.ceil(1000 / round(step_percent * 10)))


def production_shifts(deployment: DeploymentFacts) -> int:
    """How often production traffic moves: once for blue/green, twice for canary, once per linear step."""
    if deployment.strategy == "CANARY":
        return 2
    if deployment.strategy == "LINEAR":
        return linear_steps(deployment.linear_step_percent)
    return 1


def nlb_wait_seconds(deployment: DeploymentFacts) -> int:
    """ECS's waits on a Network Load Balancer: the test traffic shift and every production traffic shift."""
    if not deployment.network_load_balancer or deployment.strategy not in TRAFFIC_SHIFTING:
        return 0
    return (1 + production_shifts(deployment)) * NLB_SHIFT_WAIT_SECONDS


def shift_seconds(deployment: DeploymentFacts) -> int:
    """The waits between traffic shifts: one for canary, one between each two linear steps, none for blue/green;
    plus ECS's waits at each shift behind a Network Load Balancer."""
    waits = nlb_wait_seconds(deployment)
    if deployment.strategy == "CANARY":
        return waits + deployment.canary_minutes * 60
    if deployment.strategy == "LINEAR":
        return waits + (linear_steps(deployment.linear_step_percent) - 1) * deployment.linear_minutes * 60
    return waits


def tasks_per_batch(desired: int, min_healthy_percent: int, max_percent: int) -> int:
    """Tasks replaced at once (0: the settings let no task be replaced)."""
    if desired <= 0:
        return 0
    if max_percent > 100:
        return max(1, math.floor(desired * (max_percent - 100) / 100))
    return desired - math.ceil(desired * min_healthy_percent / 100)


def batch_count(desired: int, min_healthy_percent: int, max_percent: int) -> int | None:
    if desired <= 0:
        return 0
    per_batch = tasks_per_batch(desired, min_healthy_percent, max_percent)
    return math.ceil(desired / per_batch) if per_batch > 0 else None


def replacement(service: ServiceFacts, image_pull_seconds: int = IMAGE_PULL_ALLOWANCE_SECONDS) -> Replacement:
    health = [group.interval_seconds * group.healthy_threshold for group in service.target_groups]
    check = service.task.container_check
    if check is not None:
        health.append(check.start_period_seconds + check.interval_seconds)
    return Replacement(
        image_pull=image_pull_seconds,
        grace_period=service.grace_period_seconds,
        health=max(health, default=0),
        deregistration=max((group.deregistration_delay_seconds for group in service.target_groups), default=0),
        stop=service.task.stop_timeout_seconds,
    )


def rollout(service: ServiceFacts, desired: int | None = None) -> Rollout:
    """The rollout at ``desired`` tasks (default: the template's desired count)."""
    count = service.desired_count if desired is None else desired
    low, high = service.min_healthy_percent, service.max_percent
    deployment = service.deployment
    if deployment.strategy in TRAFFIC_SHIFTING:
        return Rollout(
            desired=count,
            min_healthy_percent=low,
            max_percent=high,
            per_batch=count,
            batches=1 if count > 0 else 0,
            replacement=replacement(service),
            strategy=deployment.strategy,
            shift_seconds=shift_seconds(deployment),
            nlb_wait_seconds=nlb_wait_seconds(deployment),
            bake_seconds=deployment.bake_minutes * 60,
        )
    return Rollout(
        desired=count,
        min_healthy_percent=low,
        max_percent=high,
        per_batch=tasks_per_batch(count, low, high),
        batches=batch_count(count, low, high),
        replacement=replacement(service),
    )
