"""``python -m ecs_toolkit.plan``: rollout time, cost, EC2 packing and stack size of one manifest.

Exit codes: 0 the plan was printed (warnings included), 1 a bad manifest, a failed synth or
unreadable templates (one line each on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecs_toolkit.config.loader import ManifestError, load_manifest
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.plan.assembly import holds_stacks, read_templates
from ecs_toolkit.plan.errors import PlanError
from ecs_toolkit.plan.prices import DEFAULT_REGION, load_prices
from ecs_toolkit.plan.report import build_plan, render, to_json
from ecs_toolkit.plan.synth import synthesize
from ecs_toolkit.plan.templates import expected_stacks, read_environment
from ecs_toolkit.project import default_config

DEFAULT_CONFIG = "the cdk.json context's config, else config/default.yaml"
DESCRIPTION = (
    "Synthesize a manifest (or reuse --cdk-out) and report, from the templates: the worst-case rolling-deploy "
    "time per service, the estimated monthly cost at minimum and maximum scale, how many tasks fit on each EC2 "
    "instance type and whether the groups can hold the maximum tasks, and resources per stack. Nothing is deployed "
    "and no AWS credentials are needed."
)


def add_source_arguments(parser: argparse.ArgumentParser, *, common: bool = True, what: str = "the plan") -> None:
    """--config and --json (unless a parent CLI has them: ``common=False``), and --cdk-out: what template readers share."""
    if common:
        parser.add_argument("-c", "--config", default=None, metavar="PATH", help=f"manifest (default: {DEFAULT_CONFIG})")
        parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")
    parser.add_argument(
        "--cdk-out",
        type=Path,
        default=None,
        metavar="DIR",
        help="cloud assembly to read: reused if it holds this environment's stacks, else synthesized into "
        "(default: a temporary directory)",
    )


def add_arguments(parser: argparse.ArgumentParser, *, common: bool = True) -> None:
    """The plan's options; ``common=False`` leaves out --config, --region and --json for a CLI that has them."""
    add_source_arguments(parser, common=common)
    if common:
        parser.add_argument(
            "--region", default=None, help=f"price region (default: the manifest's region, else {DEFAULT_REGION})"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ecs_toolkit.plan",
        description=DESCRIPTION,
        epilog="Exit codes: 0 plan printed (warnings included), 1 bad manifest or failed synth, 2 usage.",
    )
    add_arguments(parser)
    return parser


@contextmanager
def templates_for(config: EnvironmentConfig, manifest: Path, cdk_out: Path | None) -> Iterator[tuple[Path, str]]:
    """A cloud assembly of ``manifest`` and how it was obtained: reused, synthesized into ``cdk_out``, or a temporary one."""
    if cdk_out is not None and holds_stacks(cdk_out, expected_stacks(config)):
        yield cdk_out, f"{cdk_out} (reused)"
        return
    if cdk_out is not None:
        cdk_out.mkdir(parents=True, exist_ok=True)
        print(f"synthesizing {manifest} into {cdk_out} ...", file=sys.stderr)
        synthesize(manifest, cdk_out)
        yield cdk_out, f"{cdk_out} (synthesized now)"
        return
    with tempfile.TemporaryDirectory(prefix="ecs-toolkit-plan-") as directory:
        print(f"synthesizing {manifest} ...", file=sys.stderr)
        synthesize(manifest, Path(directory))
        yield Path(directory), "a temporary directory (synthesized now)"


def manifest_of(args: argparse.Namespace) -> tuple[Path, EnvironmentConfig] | None:
    """The manifest ``--config`` names (or the project's default) and its model; None once its problems are printed."""
    manifest = Path(getattr(args, "config", None) or default_config())
    try:
        return manifest, load_manifest(manifest)
    except ManifestError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    """Print the plan for parsed arguments (``config``, ``region``, ``json``, ``cdk_out``; missing ones default)."""
    loaded = manifest_of(args)
    if loaded is None:
        return 1
    manifest, config = loaded
    region = getattr(args, "region", None) or config.region or DEFAULT_REGION
    try:
        with templates_for(config, manifest, getattr(args, "cdk_out", None)) as (directory, origin):
            facts = read_environment(config, read_templates(directory))
        plan = build_plan(facts, load_prices(), region=region, config=str(manifest), templates=origin)
    except PlanError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        print(f"error: cannot read the templates of {manifest}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(to_json(plan) if getattr(args, "json", False) else render(plan), end="" if not getattr(args, "json", False) else "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return run(args)
