"""Schedule expressions and time zones, read the way EventBridge Scheduler and Application Auto Scaling read them.

Source: "Schedule types on EventBridge Scheduler" and "Cron expressions reference" in the EventBridge
user guide (checked 2026-11-27): ``cron(minutes hours day-of-month month day-of-week year)``,
``rate(value unit)`` and the one-time ``at(yyyy-mm-ddThh:mm:ss)``.

| field        | values              | wildcards         |
|--------------|---------------------|-------------------|
| minutes      | 0-59                | , - * /           |
| hours        | 0-23                | , - * /           |
| day-of-month | 1-31                | , - * ? / L W     |
| month        | 1-12 or JAN-DEC     | , - * /           |
| day-of-week  | 1-7 or SUN-SAT      | , - * ? L #       |
| year         | 1970-2199           | , - * /           |

Exactly one of day-of-month and day-of-week is ``?``. ``rate`` takes a positive whole number and
``minute``/``hour``/``day`` in the singular for 1, the plural otherwise.

A parser of our own: the PyPI validators of this dialect (aws-cron-expression-validator 1.1.15 and
its fork aws-croniter 2.1.1) are regular expressions that accept reversed ranges (``50-10``) and say
only "Invalid minute value", and pyawscron 1.0.7 checks no bounds at all; none says what is allowed.
Time zones come from the IANA database of the pinned ``tzdata`` package, not from the machine.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    step: bool = True
    """Whether ``/`` is allowed."""

    @property
    def allowed(self) -> str:
        values = f"{self.low}-{self.high}"
        if self.names:
            values += f" or {self.names[0]}-{self.names[-1]}"
        return values


_FIELDS = (
    _Field("minutes", 0, 59),
    _Field("hours", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, MONTHS),
    _Field("day-of-week", 1, 7, DAYS, step=False),
    _Field("year", 1970, 2199),
)
_WILDCARDS = {
    "minutes": ", - * /",
    "hours": ", - * /",
    "day-of-month": ", - * ? / L W",
    "month": ", - * /",
    "day-of-week": ", - * ? L #",
    "year": ", - * /",
}
_RATE_UNITS = ("minute", "hour", "day")
_SHORT_UNITS = {
    "m": "minute",
    "min": "minute",
    "mins": "minute",
    "h": "hour",
    "hr": "hour",
    "hrs": "hour",
    "d": "day",
}
CRONTAB_SHORTCUTS = {
    "@yearly": "cron(0 0 1 1 ? *)",
    "@annually": "cron(0 0 1 1 ? *)",
    "@monthly": "cron(0 0 1 * ? *)",
    "@weekly": "cron(0 0 ? * SUN *)",
    "@daily": "cron(0 0 * * ? *)",
    "@midnight": "cron(0 0 * * ? *)",
    "@hourly": "cron(0 * * * ? *)",
}
"""Crontab's shorthands (which Copilot takes) and the EventBridge expression each one means."""
_FORMS = "cron(minutes hours day-of-month month day-of-week year), rate(N unit) or at(yyyy-mm-ddThh:mm:ss)"


def schedule_problem(expression: str) -> str | None:
    """What is wrong with an EventBridge schedule expression, in plain words, or ``None`` when it is valid."""
    problem = _problem(expression)
    return None if problem is None else f"{expression!r}: {problem}"


def _problem(expression: str) -> str | None:
    text = expression.strip()
    hint = _copilot_hint(text)
    if hint is not None:
        return hint
    if text.startswith("cron(") and text.endswith(")"):
        return _cron_problem(text[5:-1])
    if text.startswith("rate(") and text.endswith(")"):
        return _rate_problem(text[5:-1])
    if text.startswith("at(") and text.endswith(")"):
        return _at_problem(text[3:-1])
    return f"not a schedule: use {_FORMS}"


def _copilot_hint(text: str) -> str | None:
    """Schedules written for crontab or Copilot, with what to write instead."""
    if text in CRONTAB_SHORTCUTS:
        return f"crontab shorthand: write {CRONTAB_SHORTCUTS[text]}"
    every = re.fullmatch(r"@every\s+(\d+)\s*([a-z]+)", text)
    if every is not None:
        return f"Copilot shorthand: {_rate_hint(int(every[1]), every[2])}"
    bare = text[5:-1] if text.startswith("cron(") and text.endswith(")") else text
    fields = bare.split()
    if not text.startswith(("cron(", "rate(", "at(")) and len(fields) == 6:
        return f"wrap the six fields in cron(): write cron({' '.join(fields)})"
    if len(fields) == 5 and all(re.fullmatch(r"[0-9*,/\-]+", f) for f in fields[:2]):
        converted = _from_crontab(fields)
        instead = f"write cron({converted})" if converted else "add the year and use ? in day-of-month or day-of-week"
        return (
            "has 5 fields like crontab; AWS cron has 6 (minutes hours day-of-month month day-of-week year, "
            f"with days of the week 1-7 from SUN): {instead}"
        )
    short = re.fullmatch(r"rate\((\d+)\s*([a-z]+)\)", text)
    if short is not None and " " not in text[5:-1] and short[2] in _SHORT_UNITS | {u: u for u in _RATE_UNITS}:
        return _rate_hint(int(short[1]), short[2])
    return None


def _rate_hint(count: int, unit: str) -> str:
    full = _SHORT_UNITS.get(unit, unit.rstrip("s"))
    if full not in _RATE_UNITS:
        return f"use rate(N minutes), rate(N hours) or rate(N days), not {unit!r}"
    return f"write rate({count} {full}{'' if count == 1 else 's'})"


def _from_crontab(fields: list[str]) -> str | None:
    """A 5-field crontab line as AWS cron, when the translation is unambiguous."""
    minute, hour, dom, month, dow = fields
    if dow == "*":
        return f"{minute} {hour} {dom} {month} ? *"
    if dom != "*":
        return None  # crontab runs on either day field; AWS cron takes only one
    parts = []
    for part in dow.split(","):
        bounds = part.split("-")
        if not all(b.isdigit() and int(b) <= 7 for b in bounds):
            if all(b.upper() in DAYS for b in bounds):
                parts.append(part.upper())
                continue
            return None
        parts.append("-".join(str(int(b) % 7 + 1) for b in bounds))
    return f"{minute} {hour} ? {month} {','.join(parts)} *"


def _cron_problem(body: str) -> str | None:
    fields = body.split()
    if len(fields) != 6:
        return f"has {len(fields)} fields: AWS cron has 6 (minutes hours day-of-month month day-of-week year)"
    dom, dow = fields[2], fields[4]
    if dom == "?" and dow == "?":
        return "day-of-month and day-of-week are both ?: give one of them (use * in day-of-month for every day)"
    if dom != "?" and dow != "?":
        if dow == "*":
            instead = " ".join([*fields[:4], "?", fields[5]])
        elif dom == "*":
            instead = " ".join([*fields[:2], "?", *fields[3:]])
        else:
            return f"day-of-month {dom} and day-of-week {dow} are both set: AWS needs ? in one of them"
        return f"day-of-month {dom} and day-of-week {dow} are both set: AWS needs ? in one of them: write cron({instead})"
    for spec, value in zip(_FIELDS, fields, strict=True):
        problem = _field_problem(spec, value)
        if problem is not None:
            return problem
    return None


def _field_problem(spec: _Field, value: str) -> str | None:
    if value == "?" and spec.name in ("day-of-month", "day-of-week"):
        return None
    if spec.name == "day-of-month" and (value in ("L", "LW") or re.fullmatch(r"\d{1,2}W", value)):
        if value.endswith("W") and value != "LW" and not spec.low <= int(value[:-1]) <= spec.high:
            return _out_of_range(spec, value[:-1])
        return None
    if spec.name == "day-of-week":
        if value == "L":
            return None
        last = re.fullmatch(r"([0-9A-Za-z]+)L", value)
        if last is not None:
            return _value_problem(spec, last[1])
        nth = re.fullmatch(r"([0-9A-Za-z]+)#(\d+)", value)
        if nth is not None:
            if not 1 <= int(nth[2]) <= 5:
                return f"day-of-week {value}: the week of the month after # must be 1-5"
            return _value_problem(spec, nth[1])
    for part in value.split(","):
        problem = _part_problem(spec, part)
        if problem is not None:
            return problem
    return None


def _part_problem(spec: _Field, part: str) -> str | None:
    wildcards = f"use {spec.allowed} with {_WILDCARDS[spec.name]}"
    base, slash, step = part.partition("/")
    if slash:
        if not spec.step:
            return f"{spec.name} {part!r}: / is not allowed here ({wildcards})"
        if not step.isdigit() or not 1 <= int(step) <= spec.high:
            return f"{spec.name} {part!r}: the increment after / must be a whole number from 1 to {spec.high}"
    if base == "*":
        return None
    if not base:
        return f"{spec.name} {part!r} is empty ({wildcards})"
    low, dash, high = base.partition("-")
    problem = _value_problem(spec, low) or (_value_problem(spec, high) if dash else None)
    if problem is not None:
        return problem
    if dash and _number(spec, low) > _number(spec, high):
        first, last = (spec.names[0], spec.names[-1]) if not low.isdigit() else (spec.low, spec.high)
        return f"{spec.name} range {base} runs backwards: write it from low to high ({low}-{last},{first}-{high} to wrap around)"
    return None


def _value_problem(spec: _Field, value: str) -> str | None:
    if value.isdigit():
        return None if spec.low <= int(value) <= spec.high else _out_of_range(spec, value)
    if value.upper() in spec.names:
        return None
    return f"{spec.name} {value!r} is not a value: use {spec.allowed} with {_WILDCARDS[spec.name]}"


def _out_of_range(spec: _Field, value: str) -> str:
    return f"{spec.name} {value} is out of range: use {spec.allowed}"


def _number(spec: _Field, value: str) -> int:
    return int(value) if value.isdigit() else spec.names.index(value.upper()) + spec.low


def _rate_problem(body: str) -> str | None:
    match = re.fullmatch(r"(\d+) ([a-z]+)", body)
    if match is None:
        return "not rate(N unit): write for example rate(5 minutes) or rate(1 hour)"
    count, unit = int(match[1]), match[2]
    singular = unit.removesuffix("s")
    if singular not in _RATE_UNITS:
        return f"rate unit {unit!r} is not minute(s), hour(s) or day(s)"
    if count < 1:
        return "a rate needs a count of 1 or more"
    if count == 1 and unit != singular:
        return f"use the singular for 1: rate(1 {singular})"
    if count > 1 and unit == singular:
        return f"use the plural above 1: rate({count} {singular}s)"
    return None


def _at_problem(body: str) -> str | None:
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body):
        return "not at(yyyy-mm-ddThh:mm:ss)"
    try:
        datetime.strptime(body, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return f"{body} is not a real date and time"
    return None


@cache
def time_zones() -> frozenset[str]:
    """Every IANA zone name of the pinned tzdata package (its ``zones`` index)."""
    return frozenset(resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())


def time_zone_problem(name: str) -> str | None:
    """``None`` for an IANA time zone name, else what is wrong, with the nearest names."""
    zones = time_zones()
    if name in zones:
        return None
    lowered = {zone.lower(): zone for zone in zones}
    close = [lowered[name.lower()]] if name.lower() in lowered else difflib.get_close_matches(name, zones, n=2, cutoff=0.6)
    suggestion = f": did you mean {' or '.join(close)}?" if close else " (use a name such as Europe/Berlin or America/New_York)"
    return f"{name!r} is not an IANA time zone{suggestion}"
