"""Schedule expressions and time zones of jobs and scheduled scaling actions, read as EventBridge reads them."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.rules.common import Finding, Location
from ecs_toolkit.config.schedules import schedule_problem, time_zone_problem


def check_schedules(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every schedule and time zone of the manifest: a job's own, and each scaling schedule's."""
    for name, service in config.services.items():
        where: Location = ("services", name)
        yield from _schedule((*where, "schedule"), derived.job_schedule(service))
        yield from _time_zone((*where, "time_zone"), service.time_zone)
        if service.scaling is not None:
            for index, action in enumerate(service.scaling.schedule):
                place: Location = (*where, "scaling", "schedule", index)
                yield from _schedule((*place, "schedule"), action.schedule)
                yield from _time_zone((*place, "time_zone"), action.time_zone)


def _schedule(where: Location, expression: str | None) -> Iterator[Finding]:
    problem = None if expression is None else schedule_problem(expression)
    if problem is not None:
        yield where, problem


def _time_zone(where: Location, name: str | None) -> Iterator[Finding]:
    problem = None if name is None else time_zone_problem(name)
    if problem is not None:
        yield where, problem
