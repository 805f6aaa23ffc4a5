"""Commands on the project in the working directory, no AWS needed: init, synth, check, rehearse.

Each returns an exit code and prints one line per problem; plan and verify live in their packages.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ecs_toolkit.config.loader import ManifestError, load_manifest_with_warnings
from ecs_toolkit.project import default_config, project_root
from ecs_toolkit.scaffold import DEFAULT_ENV, EXAMPLES, InitError, init, next_steps

INIT_DESCRIPTION = (
    "Write a new project into DIR (default: the working directory): app.py, cdk.json with the feature flags of the "
    "pinned aws-cdk-lib, package.json pinning the CDK CLI and Node, requirements.txt pinning this ecs-toolkit, "
    "config/ENV.yaml from an example manifest, a CI workflow, .gitignore and a README. Never overwrites a file: if "
    "one exists, nothing is written and the exit code is 1."
)
SYNTH_DESCRIPTION = (
    "Validate the manifest (one line per problem, exit 2), then run the project's pinned CDK CLI "
    "(node_modules/.bin/cdk) to synthesize it into cdk.out/ (or --output)."
)
CHECK_DESCRIPTION = (
    "Synthesize each manifest once and run every gate on it: cdk-nag, cfn-lint, container hardening, verify and "
    "checkov (from the project's .venv-checkov; skipped with a note when it is missing, unless --require-checkov). "
    "Default: every manifest under the project's config/."
)
REHEARSE_DESCRIPTION = (
    "Bootstrap and deploy the synthesized manifest into a local AWS emulator (moto), verify the resources against "
    "the templates, run the helpers against it and destroy it."
)


def add_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", type=Path, default=Path("."), metavar="DIR", help="where (default: .)")
    parser.add_argument(
        "--example", choices=EXAMPLES, default="default", help="the manifest to start from (default: default, the demo)"
    )
    parser.add_argument("--env", default=DEFAULT_ENV, help=f"environment name: writes config/ENV.yaml (default: {DEFAULT_ENV})")


def run_init(args: argparse.Namespace) -> int:
    try:
        result = init(args.directory, example=args.example, env=args.env)
    except InitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write the project: {error.strerror}: {error.filename}", file=sys.stderr)
        return 1
    print("\n".join(next_steps(result)))
    return 0


def add_synth(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", type=Path, default=None, metavar="DIR", help="cloud assembly directory (default: cdk.out)"
    )


def _manifest(args: argparse.Namespace) -> Path | None:
    """The manifest of ``--config`` (default: the project's), validated; None after printing its problems.

    Warnings (deprecated fields among them) are printed and do not stop the synth."""
    manifest = Path(getattr(args, "config", None) or default_config())
    try:
        _, warnings = load_manifest_with_warnings(manifest)
    except ManifestError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return None
    for line in warnings:
        print(line, file=sys.stderr)
    return manifest


def run_synth(args: argparse.Namespace) -> int:
    from ecs_toolkit.plan.errors import PlanError
    from ecs_toolkit.plan.synth import SynthFailed, synthesize

    manifest = _manifest(args)
    if manifest is None:
        return 2
    root = project_root()
    out = args.output or root / "cdk.out"
    try:
        synthesize(manifest, out, root=root)
    except SynthFailed as error:
        # What CDK refused while building, mapped by the app to manifest fields: one line each.
        print("\n".join(error.lines) if error.lines else f"error: {error}", file=sys.stderr)
        return 1
    except PlanError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"synthesized {manifest} into {out}")
    return 0


def add_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("manifests", nargs="*", type=Path, metavar="MANIFEST", help="manifests to check (default: see above)")
    parser.add_argument(
        "--packs",
        default="",
        help="extra cdk-nag packs, comma-separated (hipaa, nist-800-53-r5, pci-dss-3.2.1)",
    )
    parser.add_argument(
        "--require-checkov", action="store_true", help="fail when checkov is not installed (default: skip it with a note)"
    )


def run_check(args: argparse.Namespace) -> int:
    from ecs_toolkit.checks.report import main

    manifests = [str(path) for path in args.manifests]
    if not manifests and getattr(args, "config", None):
        manifests = [args.config]
    options = [*(["--packs", args.packs] if args.packs else []), *(["--require-checkov"] if args.require_checkov else [])]
    return main([*manifests, *options])


def add_rehearse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--work-dir", type=Path, help="keep the cloud assembly and logs here (default: a temporary directory)")
    parser.add_argument("--concurrency", type=int, default=4, help="stacks deployed at once, dependencies permitting (default 4)")
    parser.add_argument("--assembly", type=Path, help="deploy this synthesized cloud assembly instead of synthesizing --config")
    parser.add_argument("--report", type=Path, metavar="PATH", help="also write the outcome as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="skip the destroy and keep the emulator running until Ctrl-C")


def run_rehearse(args: argparse.Namespace) -> int:
    from ecs_toolkit.rehearsal.__main__ import main

    argv = ["--concurrency", str(args.concurrency)]
    if getattr(args, "config", None):
        argv += ["--config", args.config]
    for option, value in (("--work-dir", args.work_dir), ("--assembly", args.assembly), ("--json", args.report)):
        if value is not None:
            argv += [option, str(value)]
    if args.keep:
        argv.append("--keep")
    return main(argv)
