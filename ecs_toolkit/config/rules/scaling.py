"""Scaling rules: ranges, step intervals, queue backlog, scheduled actions."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig, StepConfig
from ecs_toolkit.config.rules.common import Finding, Location


def check_scaling(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    scaling = service.scaling
    if scaling is None:
        return
    at: Location = (*where, "scaling")
    if scaling.max < scaling.min:
        yield (*at, "max"), f"max {scaling.max} is less than min {scaling.min}"
    if "count" in service.model_fields_set:
        yield (*where, "count"), "does not apply with scaling: scaling.min is the floor and deploys keep the running count"
    if scaling.requests_per_target is not None and service.route is None:
        yield (*at, "requests_per_target"), "needs a route on the application load balancer"
    predictive = scaling.predictive
    if predictive is not None and (predictive.max_capacity_breach == "increase") != (
        predictive.max_capacity_buffer_percent is not None
    ):
        yield (
            (*at, "predictive", "max_capacity_buffer_percent"),
            "is required with max_capacity_breach increase, and only then",
        )
    if scaling.queue is not None:
        if service.kind != "worker":
            yield (*at, "queue"), f"queue backlog scaling is for workers, this is a {service.kind}"
        if config.cluster.container_insights == "disabled":
            yield (
                (*at, "queue"),
                (
                    "backlog per task divides by Container Insights' RunningTaskCount, which container_insights: disabled "
                    "does not publish: use enabled or enhanced"
                ),
            )
    if scaling.steps is not None:
        yield from _steps((*at, "steps", "steps"), scaling.steps.steps)
    for index, action in enumerate(scaling.schedule):
        place: Location = (*at, "schedule", index)
        if action.min is None and action.max is None:
            yield place, "a scheduled action sets min, max or both"
        if action.min is not None and action.max is not None and action.max < action.min:
            yield (*place, "max"), f"max {action.max} is less than min {action.min}"


def _steps(where: Location, steps: list[StepConfig]) -> Iterator[Finding]:
    """Intervals in ascending order that neither overlap nor leave a step without bounds."""
    previous_upper: float | None = None
    for index, step in enumerate(steps):
        place: Location = (*where, index)
        if step.change == 0:
            yield (*place, "change"), "a step must change the task count"
        if step.lower is None and step.upper is None:
            yield place, "give lower, upper or both"
            continue
        if step.lower is not None and step.upper is not None and step.lower >= step.upper:
            yield place, f"lower {step.lower:g} is not below upper {step.upper:g}"
        if index > 0:
            if step.lower is None:
                yield (*place, "lower"), "only the first step can be open below"
            elif previous_upper is not None and step.lower < previous_upper:
                yield (
                    (*place, "lower"),
                    f"lower {step.lower:g} overlaps the step before it (upper {previous_upper:g}): order steps ascending",
                )
        if index < len(steps) - 1 and step.upper is None:
            yield (*place, "upper"), "only the last step can be open above"
        previous_upper = step.upper if step.upper is not None else step.lower
