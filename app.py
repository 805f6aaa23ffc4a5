#!/usr/bin/env python3
"""Composition root: manifest path from context -> validated config -> stacks -> compliance -> synth.

Every problem is one line on stderr, ``file:line: field.path: message``, never a traceback: a bad
manifest (exit 1 before anything is built), warnings (printed, exit 0), and whatever CDK still
refuses while building or validating the stacks (exit 1, mapped back to the manifest field).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ecs_toolkit.compliance import attach_compliance
from ecs_toolkit.config import EnvironmentConfig, ManifestError, load_manifest_with_warnings
from ecs_toolkit.stacks.environment import build
from ecs_toolkit.stacks.synth_errors import FAIL_SYNTH_CONTEXT, SynthProblem, build_failure, report_failures

DEFAULT_CONFIG = "config/default.yaml"


def main() -> int:
    # Imported after the toolkit, which first puts the project's Node 22 on PATH (no end-of-life banner from jsii).
    import aws_cdk as cdk

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
        _report(path, config, [build_failure(config, app, error)])
        return 1
    problems = report_failures(config, assembly.directory)
    if problems:
        _report(path, config, problems)
        return 1
    return 0


def _report(path: str, config: EnvironmentConfig, problems: list[SynthProblem]) -> None:
    # A field of an environment that extends a base is reported in the file (base or environment) it was written in,
    # named as the manifest was (a base relative to the manifest's path as given).
    given = Path(path)
    lines = set()
    for problem in problems:
        dotted = ".".join(str(part) for part in problem.location) or "(manifest)"
        origin = config.origin_of(problem.location)
        file, line = path, 1
        if origin is not None:
            line = origin.line
            if origin.file != given.absolute():
                file = os.path.normpath(given.parent / os.path.relpath(origin.file, given.absolute().parent))
        lines.add((file != path, file, line, dotted, problem.message))
    for _, file, line, dotted, message in sorted(lines):
        print(f"{file}:{line}: {dotted}: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
