"""Schedules and time zones, read as EventBridge Scheduler and Application Auto Scaling read them.

``manifest.service(body)`` puts the body's first line on line 12 under ``services.api``; a job's
``schedule`` is on line 16 and a scaling schedule action on line 20.
"""

from __future__ import annotations

import pytest

from ecs_toolkit.config.schedules import time_zones

JOB = "kind: job\nimage: app\ncpu: 256\nmemory_mib: 512\n"  # lines 12-15
WEB = "kind: web\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\nroute: {path: /api/*}\n"  # lines 12-17
SIX = "AWS cron has 6 (minutes hours day-of-month month day-of-week year"
BOTH = "are both set: AWS needs ? in one of them"


def job_problems(manifest, schedule: str, extra: str = "") -> list[str]:
    return manifest.problems(manifest.service(JOB + f'schedule: "{schedule}"\n' + extra))


@pytest.mark.parametrize(
    "schedule",
    [
        "cron(0 12 * * ? *)",
        "cron(0/15 * ? * MON-FRI *)",
        "cron(0,30 8-17 ? * mon-fri *)",
        "cron(0 8 L * ? *)",
        "cron(0 8 LW * ? *)",
        "cron(0 8 15W * ? *)",
        "cron(0 8 ? * 6L *)",
        "cron(0 8 ? * L *)",
        "cron(0 8 ? * 2#3 *)",
        "cron(0 8 ? * MON#1 *)",
        "cron(5/10 */2 1-15/3 JAN-MAR,DEC ? 2027-2030)",
        "cron(59 23 31 12 ? 2199)",
        "rate(1 minute)",
        "rate(1 hour)",
        "rate(5 minutes)",
        "rate(2 days)",
        "at(2030-01-01T00:00:00)",
        "at(2028-02-29T23:59:59)",
    ],
)
def test_accepts_what_eventbridge_accepts(manifest, schedule: str) -> None:
    config = manifest.load(manifest.service(JOB + f'schedule: "{schedule}"\n'))
    assert config.services["api"].schedule == schedule


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("cron(0 12 * * ? * *)", f"has 7 fields: {SIX})"),
        (
            "cron(0 8 * * * *)",
            f"day-of-month * and day-of-week * {BOTH}: write cron(0 8 * * ? *)",
        ),
        (
            "cron(0 8 * * MON *)",
            f"day-of-month * and day-of-week MON {BOTH}: write cron(0 8 ? * MON *)",
        ),
        ("cron(0 8 1 * MON *)", "day-of-month 1 and day-of-week MON are both set: AWS needs ? in one of them"),
        ("cron(0 8 ? * ? *)", "day-of-month and day-of-week are both ?: give one of them (use * in day-of-month for every day)"),
        ("cron(60 8 * * ? *)", "minutes 60 is out of range: use 0-59"),
        ("cron(0 24 * * ? *)", "hours 24 is out of range: use 0-23"),
        ("cron(0 8 32 * ? *)", "day-of-month 32 is out of range: use 1-31"),
        ("cron(0 8 0W * ? *)", "day-of-month 0 is out of range: use 1-31"),
        ("cron(0 8 * 13 ? *)", "month 13 is out of range: use 1-12 or JAN-DEC"),
        ("cron(0 8 * JUNE ? *)", "month 'JUNE' is not a value: use 1-12 or JAN-DEC with , - * /"),
        ("cron(0 8 ? * 0 *)", "day-of-week 0 is out of range: use 1-7 or SUN-SAT"),
        ("cron(0 8 ? * MON/2 *)", "day-of-week 'MON/2': / is not allowed here (use 1-7 or SUN-SAT with , - * ? L #)"),
        ("cron(0 8 ? * 2#6 *)", "day-of-week 2#6: the week of the month after # must be 1-5"),
        ("cron(0 8 * * ? 1969)", "year 1969 is out of range: use 1970-2199"),
        ("cron(0/0 8 * * ? *)", "minutes '0/0': the increment after / must be a whole number from 1 to 59"),
        ("cron(0 22-2 * * ? *)", "hours range 22-2 runs backwards: write it from low to high (22-23,0-2 to wrap around)"),
        (
            "cron(0 8 ? * FRI-MON *)",
            "day-of-week range FRI-MON runs backwards: write it from low to high (FRI-SAT,SUN-MON to wrap around)",
        ),
        ("cron(0 8 ,1 * ? *)", "day-of-month '' is empty (use 1-31 with , - * ? / L W)"),
        ("rate(0 minutes)", "a rate needs a count of 1 or more"),
        ("rate(1 hours)", "use the singular for 1: rate(1 hour)"),
        ("rate(5 minute)", "use the plural above 1: rate(5 minutes)"),
        ("rate(5 weeks)", "rate unit 'weeks' is not minute(s), hour(s) or day(s)"),
        ("rate(five minutes)", "not rate(N unit): write for example rate(5 minutes) or rate(1 hour)"),
        ("at(2027-02-30T10:00:00)", "2027-02-30T10:00:00 is not a real date and time"),
        ("at(2027-02-28 10:00)", "not at(yyyy-mm-ddThh:mm:ss)"),
        (
            "every day at 5 pm",
            "not a schedule: use cron(minutes hours day-of-month month day-of-week year), "
            "rate(N unit) or at(yyyy-mm-ddThh:mm:ss)",
        ),
        (
            "every 5 minutes",
            "not a schedule: use cron(minutes hours day-of-month month day-of-week year), "
            "rate(N unit) or at(yyyy-mm-ddThh:mm:ss)",
        ),
    ],
)
def test_fails_on_a_schedule_eventbridge_rejects(manifest, schedule: str, message: str) -> None:
    assert job_problems(manifest, schedule) == [f"16: services.api.schedule: {schedule!r}: {message}"]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("@daily", "crontab shorthand: write cron(0 0 * * ? *)"),
        ("@weekly", "crontab shorthand: write cron(0 0 ? * SUN *)"),
        ("@every 10m", "Copilot shorthand: write rate(10 minutes)"),
        ("@every 1h", "Copilot shorthand: write rate(1 hour)"),
        ("rate(1h)", "write rate(1 hour)"),
        ("rate(30m)", "write rate(30 minutes)"),
        ("0 3 * * ? *", "wrap the six fields in cron(): write cron(0 3 * * ? *)"),
        ("cron(0 3 * * *)", f"has 5 fields like crontab; {SIX}, with days of the week 1-7 from SUN): write cron(0 3 * * ? *)"),
        ("0 3 * * 1-5", f"has 5 fields like crontab; {SIX}, with days of the week 1-7 from SUN): write cron(0 3 ? * 2-6 *)"),
        ("0 3 * * 0", f"has 5 fields like crontab; {SIX}, with days of the week 1-7 from SUN): write cron(0 3 ? * 1 *)"),
        (
            "0 3 1 * 1",
            f"has 5 fields like crontab; {SIX}, with days of the week 1-7 from SUN): "
            "add the year and use ? in day-of-month or day-of-week",
        ),
    ],
)
def test_says_what_to_write_instead_of_crontab_and_copilot_schedules(manifest, schedule: str, message: str) -> None:
    assert job_problems(manifest, schedule) == [f"16: services.api.schedule: {schedule!r}: {message}"]


def test_checks_scaling_schedules_and_their_time_zones_at_their_lines(manifest) -> None:
    body = WEB + (
        "scaling:\n"
        "  max: 4\n"
        "  schedule:\n"
        '    - {schedule: "cron(0 8 * * * *)", min: 2}\n'
        '    - {schedule: "rate(1 hour)", time_zone: Europe/Atlantis, min: 1}\n'
    )
    assert manifest.problems(manifest.service(body)) == [
        "21: services.api.scaling.schedule.0.schedule: 'cron(0 8 * * * *)': day-of-month * and day-of-week * "
        "are both set: AWS needs ? in one of them: write cron(0 8 * * ? *)",
        "22: services.api.scaling.schedule.1.time_zone: 'Europe/Atlantis' is not an IANA time zone: "
        "did you mean Europe/Athens or Europe/Paris?",
    ]


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("berlin time", "'berlin time' is not an IANA time zone (use a name such as Europe/Berlin or America/New_York)"),
        ("europe/berlin", "'europe/berlin' is not an IANA time zone: did you mean Europe/Berlin?"),
        ("America/NewYork", "'America/NewYork' is not an IANA time zone: did you mean America/New_York or America/Nuuk?"),
    ],
)
def test_fails_on_a_job_time_zone_that_is_not_in_the_iana_database(manifest, zone: str, message: str) -> None:
    assert job_problems(manifest, "rate(1 hour)", f'time_zone: "{zone}"\n') == [f"17: services.api.time_zone: {message}"]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Asia/Kolkata"])
def test_accepts_iana_time_zones(manifest, zone: str) -> None:
    config = manifest.load(manifest.service(JOB + f'schedule: "cron(0 3 * * ? *)"\ntime_zone: "{zone}"\n'))
    assert config.services["api"].time_zone == zone


def test_time_zones_come_from_the_pinned_tzdata_package() -> None:
    import tzdata

    assert "Europe/Berlin" in time_zones() and "Europe/Atlantis" not in time_zones()
    assert tzdata.IANA_VERSION.startswith("2026")
