"""Validate manifests: ``python -m ecs_toolkit.config FILE...``; one line per problem, exit 1 on any.

Warnings (``file:line: field.path: warning: message``) go to stderr too but do not fail.
"""

from __future__ import annotations

import sys

from ecs_toolkit.config.loader import ManifestError, load_manifest_with_warnings


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: python -m ecs_toolkit.config MANIFEST [MANIFEST...]", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        try:
            _, warnings = load_manifest_with_warnings(path)
        except ManifestError as error:
            print(error, file=sys.stderr)
            failed = True
        else:
            for line in warnings:
                print(line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
