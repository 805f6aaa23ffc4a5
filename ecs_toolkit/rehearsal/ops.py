"""Run the ops helpers' ``status`` against the rehearsal, the way a user would (a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HELPERS_CLI = Path("ecs_toolkit") / "helpers" / "cli.py"


@dataclass(frozen=True)
class HelperRun:
    ran: bool
    """False when the helpers are missing or the command failed: the report shows it as skipped."""
    detail: str
    output: str = ""


def run_status(*, project: Path, config: str, env: dict[str, str], timeout_seconds: float = 120) -> HelperRun:
    """``python -m ecs_toolkit.helpers status --config CONFIG``; it finds the emulator through AWS_ENDPOINT_URL."""
    if not (project / HELPERS_CLI).exists():
        return HelperRun(False, f"{HELPERS_CLI} does not exist yet")
    command = [sys.executable, "-m", "ecs_toolkit.helpers", "status", "--config", config]
    try:
        completed = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=timeout_seconds, check=False
        )
    except subprocess.TimeoutExpired:
        return HelperRun(False, f"status did not finish within {timeout_seconds:.0f} s")
    output = completed.stdout.strip()
    if completed.returncode != 0:
        errors = [line for line in completed.stderr.splitlines() if line.strip()]
        reason = errors[-1].strip() if errors else (output.splitlines()[-1] if output else "no output")
        return HelperRun(False, f"status exited {completed.returncode}: {reason}", output)
    return HelperRun(True, "status ran against the rehearsal", output)
