#!/usr/bin/env python3
"""Composition root: manifest path from context -> validated config -> stacks -> compliance -> synth.

Every problem is one line on stderr, ``file:line: field.path: message``, never a traceback: a bad
manifest (exit 1 before anything is built), warnings (printed, exit 0), and whatever CDK still
refuses while building or validating the stacks (exit 1, mapped back to the manifest field).
"""

from __future__ import annotations

import sys

import aws_cdk as cdk

from ecs_toolkit.compliance import attach_compliance
from ecs_toolkit.config import ManifestError, load_manifest_with_warnings
from ecs_toolkit.config.loader import line_of
from ecs_toolkit.stacks.environment import build
from ecs_toolkit.stacks.synth_errors import FAIL_SYNTH_CONTEXT, SynthProblem, build_failure, report_failures

DEFAULT_CONFIG = "config/default.yaml"


def main() -> int:
    app = cdk.App(context={FAIL_SYNTH_CONTEXT: False})
    path = str(app.node.try_get_context("config") or DEFAULT_CONFIG)
    try:
        config, warnings = load_manifest_with_warnings(path)
    except ManifestError as error:
        print(error, file=sys.stderr)
        return 1
    for line in warnings:
        print(line, file=sys.stderr)
    try:
        build(app, config)
        attach_compliance(app, config.compliance.packs)
        assembly = app.synth()
    except Exception as error:  # jsii and construct errors alike become one line
        _report(path, [build_failure(config, app, error)])
        return 1
    problems = report_failures(config, assembly.directory)
    if problems:
        _report(path, problems)
        return 1
    return 0


def _report(path: str, problems: list[SynthProblem]) -> None:
    lines = set()
    for problem in problems:
        dotted = ".".join(str(part) for part in problem.location) or "(manifest)"
        lines.add((line_of(path, problem.location) or 1, dotted, problem.message))
    for line, dotted, message in sorted(lines):
        print(f"{path}:{line}: {dotted}: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
