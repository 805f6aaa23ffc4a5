"""Synthesize a manifest with the project's pinned CDK CLI (``node_modules/.bin/cdk``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ecs_toolkit.plan.errors import PlanError

SYNTH_TIMEOUT_SECONDS = 900


def project_root(start: Path | None = None) -> Path:
    """The directory with ``cdk.json`` and ``app.py``: the working directory or above it, else the package's checkout."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "cdk.json").is_file() and (candidate / "app.py").is_file():
            return candidate
    return Path(__file__).resolve().parents[2]


def cdk_command(root: Path) -> Path:
    cli = root / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        raise PlanError(f"the pinned CDK CLI is missing ({cli}): run `make setup` (npm install) first")
    return cli


def synthesize(manifest: Path, out_dir: Path, *, root: Path | None = None) -> None:
    """``cdk synth --quiet -c config=MANIFEST -o OUT_DIR``; a failure becomes one line."""
    root = root or project_root()
    cli = cdk_command(root)
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join([str(root / "node_modules" / ".bin"), environment.get("PATH", "")])
    command = [str(cli), "synth", "--quiet", "-c", f"config={manifest.resolve()}", "-o", str(out_dir.resolve())]
    try:
        result = subprocess.run(
            command, cwd=root, env=environment, capture_output=True, text=True, timeout=SYNTH_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise PlanError(f"synth of {manifest} did not finish in {SYNTH_TIMEOUT_SECONDS} s") from None
    except OSError as error:
        raise PlanError(f"cannot run the CDK CLI: {error}") from None
    if result.returncode != 0:
        raise PlanError(f"synth of {manifest} failed (exit {result.returncode}): {failure_line(result.stderr or result.stdout)}")


def failure_line(output: str) -> str:
    """The line of a failed synth that says why: the first one naming an error, else the last one."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if "Error" in line or "error:" in line.lower() or "ValidationFailed" in line:
            return line[:300]
    return lines[-1][:300] if lines else "no output"
