"""Drive the project's pinned CDK CLI (a subprocess: the rehearsal never imports aws_cdk)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CLI_ENV = {
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    "CDK_DISABLE_VERSION_CHECK": "true",
}
"""Nothing leaves the machine: no telemetry, no version check against the npm registry."""
QUIET = ("--no-notices",)
_DESTROY_FAILED = re.compile(r"❌\s+(?P<stack>\S+): destroy failed (?:\w+: )?(?P<reason>.*)")
_DEPLOY_FAILED = re.compile(r"❌\s+(?P<stack>\S+) failed to deploy")
_EMULATOR_CRASHED = ("XML parse error", "Deserialization error")


class CliError(Exception):
    """A CDK CLI step failed; the message is one line and names the step's log."""


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    log: Path


class CdkCli:
    """The CLI from ``project/node_modules`` on the Node runtime next to it, logging each step to ``work_dir``.

    Only ``synth`` runs in the project (it needs cdk.json and app.py) and it writes its cloud
    assembly into ``work_dir``: the shared ``cdk.out`` of a checkout is never touched. Every other
    step deploys that assembly from ``work_dir``.
    """

    def __init__(
        self, *, project: Path, work_dir: Path, env: dict[str, str], assembly: Path | None = None, timeout_seconds: float = 300
    ) -> None:
        """``assembly``: deploy this cloud assembly (already synthesized) instead of ``work_dir/cdk.out``."""
        self.project = project
        self.work_dir = work_dir
        self.assembly = assembly or work_dir / "cdk.out"
        bin_dir = project / "node_modules" / ".bin"
        self.executable = bin_dir / "cdk"
        if not self.executable.exists():
            raise CliError(f"{self.executable} is missing: run `make setup` (npm install) first")
        # Its own CDK home: the CLI caches the account of an access key there, and the dummy key is the same
        # for every account the rehearsal may play.
        home = work_dir / "cdk-home"
        self.env = {**env, **CLI_ENV, "CDK_HOME": str(home), "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}
        self.timeout_seconds = timeout_seconds
        self.steps: list[Step] = []

    def synth(self, config: str) -> Step:
        return self._run("synth", ["synth", "--quiet", "-c", f"config={config}", "-o", str(self.assembly)], cwd=self.project)

    def bootstrap(self, *, account: str, region: str) -> Step:
        return self._run("bootstrap", ["bootstrap", f"aws://{account}/{region}"])

    def deploy(self, *, concurrency: int = 1) -> Step:
        return self._run(
            "deploy",
            [
                "deploy",
                "--all",
                "--app",
                str(self.assembly),
                "--require-approval",
                "never",
                "--method=direct",  # a change set does not publish outputs in moto: imports would fail
                "--concurrency",
                str(concurrency),
            ],
        )

    def destroy(self) -> Step:
        return self._run("destroy", ["destroy", "--all", "--force", "--app", str(self.assembly)])

    def _run(self, name: str, arguments: Sequence[str], *, cwd: Path | None = None) -> Step:
        log = self.work_dir / f"cdk-{name}.log"
        started = time.monotonic()
        with log.open("w") as output:
            process = subprocess.Popen(
                [str(self.executable), *arguments, *QUIET],
                cwd=cwd or self.work_dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                code = process.wait(timeout=self.timeout_seconds)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the CLI and the app it started, nothing else
                process.wait()
                raise CliError(f"cdk {name} timed out after {self.timeout_seconds:.0f} s (log: {log})") from None
            except BaseException:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                raise
        step = Step(name, time.monotonic() - started, log)
        self.steps.append(step)
        if code != 0:
            raise CliError(f"cdk {name} failed (exit {code}): {last_error(log)} (log: {log})")
        return step


def destroy_failures(log: Path) -> dict[str, str]:
    """Per stack, why ``cdk destroy`` could not delete it (from its log)."""
    failures: dict[str, str] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = _DESTROY_FAILED.search(line)
        if match:
            failures[match.group("stack")] = explain(match.group("reason"))
    return failures


def deploy_failures(log: Path) -> dict[str, str]:
    """Per stack, why ``cdk deploy`` failed: the ``‣`` line after its ``failed to deploy`` line."""
    failures: dict[str, str] = {}
    lines = log.read_text(errors="replace").splitlines()
    for index, line in enumerate(lines):
        match = _DEPLOY_FAILED.search(line)
        if match:
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            failures[match.group("stack")] = explain(following.lstrip("‣ ") or "no reason given")
    return failures


def explain(reason: str) -> str:
    """A CLI error in plain words; an HTML answer means moto crashed on the request."""
    if any(marker in reason for marker in _EMULATOR_CRASHED):
        return "the emulator failed on the request (HTTP 500; the traceback is in emulator.log)"
    return reason.strip()


def last_error(log: Path) -> str:
    """The most telling line of a CLI log: its last error, else its last line."""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    for line in reversed(lines):
        if "❌" in line or "Error" in line or "error" in line:
            return line
    return lines[-1] if lines else "no output"
