"""``ecs-toolkit verify`` / ``python -m ecs_toolkit.verify``: the proof of one manifest, as text or JSON.

Exit codes: 0 every intended path and permission is open and nothing else is; 1 a CLOSED or
UNINTENDED finding, a bad manifest or a failed synth (one line each); 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from ecs_toolkit.assembly import AssemblyError, load_assembly
from ecs_toolkit.plan.cli import add_source_arguments, manifest_of, templates_for
from ecs_toolkit.plan.errors import PlanError
from ecs_toolkit.verify.findings import Finding
from ecs_toolkit.verify.proof import verify

DESCRIPTION = (
    "Prove from the synthesized templates, without AWS, that every intended network path (load balancer to "
    "tasks on traffic and health-check ports, declared connections, file systems, the AWS APIs tasks need) is "
    "open, that each role holds the permissions its tasks use, and that nothing else is admitted."
)


def add_arguments(parser: argparse.ArgumentParser, *, common: bool = True) -> None:
    add_source_arguments(parser, common=common, what="the findings")
    parser.add_argument("--all", action="store_true", help="list OPEN paths too (default: only what fails and the counts)")


def render(findings: list[Finding], *, show_all: bool, label: str) -> str:
    counts = Counter(finding.status for finding in findings)
    shown = [f for f in findings if show_all or f.failed or f.status == "ASSUMED"]
    lines = [f"verify {label}"] + [f"  {finding.line()}" for finding in shown]
    verdict = "FAILED" if any(f.failed for f in findings) else "passed"
    summary = ", ".join(f"{counts[status]} {status}" for status in ("OPEN", "CLOSED", "UNINTENDED", "ASSUMED") if counts[status])
    lines.append(f"verify {verdict}: {summary or 'nothing to prove'}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    loaded = manifest_of(args)
    if loaded is None:
        return 1
    manifest, config = loaded
    try:
        with templates_for(config, manifest, getattr(args, "cdk_out", None)) as (directory, _):
            findings = verify(load_assembly(directory, account=config.account, region=config.region), config)
    except (PlanError, AssemblyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        print(json.dumps({"manifest": str(manifest), "findings": [f.as_dict() for f in findings]}, indent=2))
    else:
        print(render(findings, show_all=getattr(args, "all", False), label=str(manifest)), end="")
    return 1 if any(f.failed for f in findings) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecs_toolkit.verify", description=DESCRIPTION)
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return run(args)
