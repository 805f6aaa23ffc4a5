"""Copilot schedules in EventBridge syntax, each result accepted by the toolkit's own schedule reader."""

from __future__ import annotations

import pytest

from ecs_toolkit.config.schedules import schedule_problem
from ecs_toolkit.copilot.schedules import convert_schedule


@pytest.mark.parametrize(
    ("copilot", "eventbridge"),
    [
        ("@daily", "cron(0 0 * * ? *)"),
        ("@midnight", "cron(0 0 * * ? *)"),
        ("@hourly", "cron(0 * * * ? *)"),
        ("@weekly", "cron(0 0 ? * SUN *)"),
        ("@monthly", "cron(0 0 1 * ? *)"),
        ("@yearly", "cron(0 0 1 1 ? *)"),
        ("@every 1h", "rate(1 hour)"),
        ("@every 2h", "rate(2 hours)"),
        ("@every 90m", "rate(90 minutes)"),
        ("@every 1h30m", "rate(90 minutes)"),
        ("@every 24h", "rate(1 day)"),
        ("@every 1m", "rate(1 minute)"),
        ("0 9 * * *", "cron(0 9 * * ? *)"),
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
        ("30 2 * * 1-5", "cron(30 2 ? * 2-6 *)"),
        ("0 0 * * 0", "cron(0 0 ? * 1 *)"),
        ("0 0 * * 0,6", "cron(0 0 ? * 1,7 *)"),
        ("0 12 * * MON-FRI", "cron(0 12 ? * MON-FRI *)"),
        ("0 6 1 * *", "cron(0 6 1 * ? *)"),
        ("rate(5 minutes)", "rate(5 minutes)"),
        ("cron(0 3 * * ? *)", "cron(0 3 * * ? *)"),
    ],
)
def test_converts_copilot_schedules_to_valid_eventbridge_expressions(copilot: str, eventbridge: str) -> None:
    converted = convert_schedule(copilot)
    assert converted.expression == eventbridge
    assert converted.problem is None
    assert schedule_problem(eventbridge) is None


def test_none_is_an_on_demand_job_without_a_problem() -> None:
    converted = convert_schedule("none")
    assert converted.expression is None
    assert converted.problem is None


@pytest.mark.parametrize(
    ("copilot", "words"),
    [
        ("@every 30s", "at most once a minute"),
        ("@every soon", "not a duration"),
        ("0 0 1 * 1", "either day-of-month 1 or day-of-week 1"),
        ("0 0 * * */2", "no step"),
        ("61 0 * * *", "minutes 61 is out of range"),
        ("every day", "neither a shortcut"),
        ("rate(1 hours)", "use the singular for 1"),
    ],
)
def test_refuses_schedules_eventbridge_cannot_express(copilot: str, words: str) -> None:
    converted = convert_schedule(copilot)
    assert converted.expression is None
    assert converted.problem is not None and words in converted.problem
