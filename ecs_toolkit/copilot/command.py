"""The ``import-copilot`` subcommand: arguments, writing the file, printing the report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecs_toolkit.config import ManifestError, load_manifest
from ecs_toolkit.copilot.importing import import_workspace, render
from ecs_toolkit.copilot.reading import ImportError_

DESCRIPTION = (
    "Read an AWS Copilot workspace (copilot/.workspace, copilot/<service>/manifest.yml with its addons, "
    "copilot/environments/<env>/manifest.yml) and write one manifest for the environment, with the service "
    "overrides of that environment applied. Every Copilot field is carried over or named in the report "
    "(file:line: field: what happened and why), which is also written as comments in the manifest. The written "
    "manifest is then validated: exits 0 when it validates; exits 2 when it needs changes before it validates "
    "(each printed as file:line: field: message; the file stays written, as the starting point); exits 1 when a "
    "manifest is missing or malformed or nothing can be imported, writing nothing. Never overwrites a file "
    "without --force."
)

NEEDS_CHANGES = 2
"""The exit status when the manifest is written but does not validate yet (1 is: nothing written)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="the folder that holds copilot/ (or copilot/ itself)")
    parser.add_argument("--env", required=True, metavar="ENV", help="the Copilot environment to import")
    parser.add_argument("-o", "--output", metavar="FILE", help="the manifest to write (default: config/<ENV>.yaml)", default=None)
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def run(args: argparse.Namespace) -> int:
    output = Path(args.output or f"config/{args.env}.yaml")
    if output.exists() and not args.force:
        print(f"{output}: exists: give --force to overwrite it, or another -o FILE", file=sys.stderr)
        return 1
    command = f"ecs-toolkit import-copilot {args.directory} --env {args.env}"
    try:
        imported = import_workspace(Path(args.directory), args.env, output)
    except ImportError_ as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return 1
    text = render(imported, command=command)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    for note in imported.notes:
        print(note)
    count = len(imported.manifest["services"])
    print(f"wrote {output}: {count} service{'s' if count != 1 else ''}, {len(imported.notes)} report lines above")
    try:
        load_manifest(output)
    except ManifestError as error:
        print(f"{output}: the written manifest needs these changes before it validates:", file=sys.stderr)
        for line in error.lines:
            print(f"  {line}", file=sys.stderr)
        print(
            f"{output}: written all the same, as the starting point: make the changes above, then run "
            f"ecs-toolkit synth -c {output}",
            file=sys.stderr,
        )
        return NEEDS_CHANGES
    return 0
