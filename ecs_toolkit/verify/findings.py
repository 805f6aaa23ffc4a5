"""What ``verify`` reports: one line per path or permission, OPEN or CLOSED, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass

OPEN = "OPEN"
"""An intended path or permission that the templates provide."""
CLOSED = "CLOSED"
"""An intended path or permission that the templates do not provide: the environment will not work."""
UNINTENDED = "UNINTENDED"
"""A rule that admits something no intended path needs."""
ASSUMED = "ASSUMED"
"""Decided by something outside the templates (an imported VPC's routes): not provable offline."""
FAILING = (CLOSED, UNINTENDED)


@dataclass(frozen=True)
class Finding:
    category: str
    """``load balancer``, ``health check``, ``listener``, ``connection``, ``file system``, ``aws api``,
    ``permission``, ``delivery`` (a topic into a subscribed queue) or ``exposure``."""
    path: str
    status: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status in FAILING

    def line(self) -> str:
        return f"{self.status:<10} {self.category}: {self.path}: {self.detail}"

    def as_dict(self) -> dict[str, str]:
        return {"category": self.category, "path": self.path, "status": self.status, "detail": self.detail}


def ports_text(protocol: str, ranges: list[tuple[int, int]]) -> str:
    return ", ".join(f"{protocol}/{low}" if low == high else f"{protocol}/{low}-{high}" for low, high in ranges)
