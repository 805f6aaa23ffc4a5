"""Synthesize a manifest with the project's pinned CDK CLI (``node_modules/.bin/cdk``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ecs_toolkit.plan.errors import PlanError
from ecs_toolkit.project import project_root

SYNTH_TIMEOUT_SECONDS = 900


__all__ = ["SynthFailed", "cdk_command", "failure_line", "project_root", "synthesize"]


def cdk_command(root: Path) -> Path:
    cli = root / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        raise PlanError(f"the pinned CDK CLI is missing ({cli}): run `npm install` in {root} first")
    return cli


class SynthFailed(PlanError):
    """A synth that failed; ``lines`` holds the app's own ``file:line: field: message`` lines, if it printed any."""

    def __init__(self, message: str, lines: list[str]) -> None:
        super().__init__(message)
        self.lines = lines


def synthesize(manifest: Path, out_dir: Path, *, root: Path | None = None) -> None:
    """``cdk synth --quiet -c config=MANIFEST -o OUT_DIR``; a failure becomes one line (``SynthFailed``)."""
    root = root or project_root()
    cli = cdk_command(root)
    environment = dict(os.environ)
    # node_modules/.bin: the pinned CLI and Node; then this Python's directory, so that cdk.json's `python3 app.py`
    # runs in the environment the toolkit is installed in.
    paths = [str(root / "node_modules" / ".bin"), str(Path(sys.executable).parent), environment.get("PATH", "")]
    environment["PATH"] = os.pathsep.join(paths)
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
        # The app reports manifest problems as `<absolute manifest>:line: field: message` (or the absolute path of a
        # base it extends): give them back as named, a base relative to the manifest as named.
        lines = [named for line in result.stderr.splitlines() if (named := _as_named(line, manifest)) is not None]
        reason = lines[0] if lines else failure_line(result.stderr or result.stdout)
        raise SynthFailed(f"synth of {manifest} failed (exit {result.returncode}): {reason}", lines)


_MANIFEST_LINE = re.compile(r"^(/[^:]*\.ya?ml):(\d+: .*)$")
"""A line the app prints about a manifest file: ``<absolute path>.yaml:<line>: ...``."""


def _as_named(line: str, manifest: Path) -> str | None:
    """``line`` with its absolute file as the user named it (relative to ``manifest`` as given); None if not a manifest line."""
    match = _MANIFEST_LINE.match(line)
    if match is None:
        return None
    relative = os.path.relpath(match[1], manifest.resolve().parent)
    return f"{os.path.normpath(manifest.parent / relative)}:{match[2]}"


def failure_line(output: str) -> str:
    """The line of a failed synth that says why: the first one naming an error, else the last one."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if "Error" in line or "error:" in line.lower() or "ValidationFailed" in line:
            return line[:300]
    return lines[-1][:300] if lines else "no output"
