"""The one error the plan reports: a single line, never a traceback."""

from __future__ import annotations


class PlanError(Exception):
    """Something the plan cannot work around (no templates, a failed synth); ``str()`` is one line."""
