"""The ``import-copilot`` subcommand: arguments, writing the file, printing the report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecs_toolkit.copilot.importing import import_workspace, render
from ecs_toolkit.copilot.reading import ImportError_

DESCRIPTION = (
    "Read an AWS Copilot workspace (copilot/.workspace, copilot/<service>/manifest.yml with its addons, "
    "copilot/environments/<env>/manifest.yml) and write one manifest for the environment, with the service "
    "overrides of that environment applied. Every Copilot field is carried over or named in the report "
    "(file:line: field: what happened and why), which is also written as comments in the manifest. Exits 1 when a "
    "manifest is missing or malformed or nothing can be imported, writing nothing; never overwrites a file "
    "without --force."
)


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
    return 0
