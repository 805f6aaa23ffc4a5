"""checkov (CloudFormation framework) over a directory of templates, run from its own venv.

checkov pins a boto3 that conflicts with ours, so it lives in ``.venv-checkov`` (created by
``make check`` from requirements-checkov.txt) and runs as a subprocess: once per directory,
since its start-up (~2.5 s) costs far more than a template (~0.15 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecs_toolkit.project import project_root

INSTALL_HINT = "make check (creates .venv-checkov from requirements-checkov.txt)"


def default_checkov() -> Path:
    """checkov in the project's own venv (``.venv-checkov``): it pins a boto3 that conflicts with the toolkit's."""
    return project_root() / ".venv-checkov" / "bin" / "checkov"


class CheckovError(RuntimeError):
    """checkov is missing, crashed, or printed something that is not its JSON report."""


@dataclass(frozen=True, order=True)
class CheckovFailure:
    """One failed check on one resource."""

    file: str
    resource: str
    check_id: str
    name: str


@dataclass(frozen=True)
class CheckovReport:
    """The failures in full; passes and skips (their reasons live in the templates) as counts."""

    failed: list[CheckovFailure]
    passed: int
    skipped: int
    parsing_errors: int
    seconds: float


def _failures(report: dict[str, Any]) -> list[CheckovFailure]:
    return sorted(
        CheckovFailure(
            file=str(item.get("file_path", "")).lstrip("/"),
            resource=str(item.get("resource", "")),
            check_id=str(item.get("check_id", "")),
            name=str(item.get("check_name", "")),
        )
        for item in report.get("results", {}).get("failed_checks", [])
    )


def _count(reports: list[dict[str, Any]], key: str) -> int:
    return sum(int(report.get("summary", {}).get(key, 0)) for report in reports)


def run_checkov(directory: Path, *, checkov: Path | None = None) -> CheckovReport:
    """Scan every template under ``directory``; raise ``CheckovError`` if checkov cannot give a report."""
    checkov = checkov or default_checkov()
    if not checkov.exists():
        raise CheckovError(f"{checkov} is missing: run {INSTALL_HINT}")
    started = time.monotonic()
    command = [str(checkov), "-d", str(directory), "--framework", "cloudformation", "-o", "json", "--quiet", "--skip-download"]
    # No Prisma Cloud look-ups, no PyPI version check: the scan is offline and deterministic.
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.monotonic() - started
    if completed.returncode not in (0, 1):
        raise CheckovError(f"checkov exited {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    try:
        parsed: Any = json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        raise CheckovError(f"checkov printed no JSON report ({error}): {completed.stdout[:500]!r}") from error
    reports = [item for item in (parsed if isinstance(parsed, list) else [parsed]) if isinstance(item, dict)]
    cloudformation = [report for report in reports if report.get("check_type") == "cloudformation"]
    if not cloudformation:
        # checkov prints a bare summary when it found no template at all: that is never a clean scan.
        raise CheckovError(f"checkov found no CloudFormation template under {directory}")
    return CheckovReport(
        failed=[failure for report in cloudformation for failure in _failures(report)],
        passed=_count(cloudformation, "passed"),
        skipped=_count(cloudformation, "skipped"),
        parsing_errors=_count(cloudformation, "parsing_errors"),
        seconds=seconds,
    )
