"""Copilot's ``on.schedule`` in EventBridge Scheduler syntax.

Copilot takes (site/content/docs/manifest/scheduled-job.en.md): the shortcuts ``@yearly``, ``@monthly``,
``@weekly``, ``@daily``, ``@hourly`` (and ``@annually``, ``@midnight``), ``@every <Go duration>``, a crontab line of
five fields (days of the week 0-6 from Sunday), and ``none`` for a job that runs only when started. Every result is
checked with the toolkit's own reader of schedule expressions (``ecs_toolkit.config.schedules``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecs_toolkit.config.schedules import CRONTAB_SHORTCUTS, DAYS, schedule_problem
from ecs_toolkit.copilot.tracking import duration_seconds


@dataclass(frozen=True)
class Converted:
    expression: str | None
    """The EventBridge expression; ``None`` for an on-demand job or when there is none."""
    problem: str | None = None
    """Why there is no expression, when the schedule could not be converted."""


def convert_schedule(value: object) -> Converted:
    """``value`` (Copilot) as an EventBridge Scheduler expression, validated."""
    if not isinstance(value, str) or not value.strip():
        return Converted(None, "the schedule is not a string: use @daily, @every 1h, a crontab line or none")
    text = value.strip()
    expression: str | None
    if text == "none":
        return Converted(None)
    if text in CRONTAB_SHORTCUTS:
        expression = CRONTAB_SHORTCUTS[text]
    elif text.startswith("@every "):
        expression, problem = _every(text.removeprefix("@every ").strip())
        if expression is None:
            return Converted(None, problem)
    elif text.startswith(("cron(", "rate(", "at(")):
        expression = text
    else:
        fields = text.split()
        if len(fields) != 5:
            return Converted(None, f"{text!r} is neither a shortcut, @every, nor a crontab line of 5 fields")
        expression, problem = _crontab(fields)
        if expression is None:
            return Converted(None, problem)
    invalid = schedule_problem(expression)
    return Converted(expression if invalid is None else None, invalid)


def _every(duration: str) -> tuple[str | None, str]:
    seconds = duration_seconds(duration)
    if seconds is None or seconds <= 0:
        return None, f"@every {duration}: {duration!r} is not a duration such as 30m or 1h"
    if seconds % 60:
        return None, f"@every {duration}: EventBridge runs at most once a minute, in whole minutes"
    minutes = int(seconds // 60)
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"rate({count} {unit}{'' if count == 1 else 's'})", ""
    raise AssertionError("unreachable: every whole minute is a rate in minutes")


def _crontab(fields: list[str]) -> tuple[str | None, str]:
    minute, hour, dom, month, dow = fields
    if dow in ("*", "?"):
        return f"cron({minute} {hour} {dom} {month} ? *)", ""
    if dom not in ("*", "?"):
        return None, (
            f"crontab runs when either day-of-month {dom} or day-of-week {dow} matches, EventBridge needs ? in one "
            "of them: write two jobs, or choose one in cron(...)"
        )
    days = []
    for part in dow.split(","):
        base, slash, _ = part.partition("/")
        if slash:
            return None, f"day-of-week {part}: EventBridge takes no step (/) in day-of-week: list the days"
        bounds = base.split("-")
        if all(b.isdigit() and int(b) <= 7 for b in bounds):
            days.append("-".join(str(int(b) % 7 + 1) for b in bounds))
        elif all(b.upper() in DAYS for b in bounds):
            days.append(base.upper())
        else:
            return None, f"day-of-week {part!r} is not a day (0-7 or SUN-SAT)"
    return f"cron({minute} {hour} ? {month} {','.join(days)} *)", ""
