"""Schedule expressions of jobs and scheduled scaling actions."""

from __future__ import annotations

import re

SCHEDULE = re.compile(
    r"cron\((\S+ ){5}\S+\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)"
)
"""EventBridge Scheduler expressions: cron with six fields, rate with a positive count, or a one-time at()."""
