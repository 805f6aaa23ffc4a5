#!/usr/bin/env python3
"""Composition root: manifest path from context -> validated config -> stacks -> compliance -> synth."""

from __future__ import annotations

import sys

import aws_cdk as cdk

from ecs_toolkit.compliance import attach_compliance
from ecs_toolkit.config import ManifestError, load_manifest
from ecs_toolkit.stacks.environment import build

DEFAULT_CONFIG = "config/default.yaml"


def main() -> int:
    app = cdk.App()
    path = app.node.try_get_context("config") or DEFAULT_CONFIG
    try:
        config = load_manifest(path)
    except ManifestError as error:
        print(error, file=sys.stderr)
        return 1
    build(app, config)
    attach_compliance(app, config.compliance.packs)
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
