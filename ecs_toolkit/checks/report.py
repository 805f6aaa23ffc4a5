"""``python -m ecs_toolkit.checks``: every gate on every manifest, one report, non-zero on anything left.

Each manifest is built and synthesized once in this process (with the cdk.json context, like
``cdk synth``); cdk-nag reads the construct tree, cfn-lint and the hardening rules read the
templates, and checkov scans all templates of all manifests in one run, in a thread, while the
rest goes on.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ecs_toolkit.checks import hardening, lint, readme
from ecs_toolkit.checks.checkov import CheckovError, CheckovReport, default_checkov, run_checkov
from ecs_toolkit.config import EnvironmentConfig, ManifestError, load_manifest
from ecs_toolkit.config.overlays import environment_manifests
from ecs_toolkit.project import cdk_context, project_root

__all__ = ["cdk_context", "discover", "main", "manifest_packs", "run"]


def discover(config_dir: Path | None = None) -> list[Path]:
    """Every environment manifest under the project's ``config/``: default.yaml first, then the rest in path order.

    Base manifests (``*.base.yaml``) are not environments: they are checked through each environment that extends them."""
    found = environment_manifests(sorted((config_dir or project_root() / "config").rglob("*.yaml")))
    return sorted(found, key=lambda path: (path.name != "default.yaml", path))


def manifest_packs(config: EnvironmentConfig) -> list[str]:
    """The extra cdk-nag packs a manifest asks for (``compliance.packs``); none where the field is absent."""
    settings = getattr(config, "compliance", None)
    return [str(name) for name in getattr(settings, "packs", None) or ()]


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(project_root()))
    except ValueError:
        return str(path)


@dataclass
class ManifestResult:
    manifest: Path
    label: str
    problems: list[str] = field(default_factory=list)
    """Everything that fails the check, one line each."""
    lines: list[str] = field(default_factory=list)
    """The report for this manifest."""
    templates: list[Path] = field(default_factory=list)


@dataclass
class Built:
    result: ManifestResult
    config: EnvironmentConfig
    app: Any
    packs: list[str]
    assembly_dir: Path


def _build(manifest: Path, extra_packs: Sequence[str], templates_dir: Path, work_dir: Path) -> Built | ManifestResult:
    import aws_cdk as cdk

    from ecs_toolkit.stacks.environment import build

    label = _relative(manifest)
    result = ManifestResult(manifest=manifest, label=label)
    try:
        config = load_manifest(manifest)
    except ManifestError as error:
        result.problems.append(f"{label}: the manifest does not load: {error}")
        return result
    started = time.monotonic()
    app = cdk.App(context=cdk_context(), outdir=str(work_dir / "cdk.out"))
    build(app, config)
    assembly = app.synth()
    result.lines.append(f"  synth     {len(assembly.stacks)} stacks in {time.monotonic() - started:.1f} s")
    target = templates_dir / manifest.stem
    target.mkdir(parents=True, exist_ok=True)
    for stack in assembly.stacks:
        result.templates.append(Path(shutil.copy(stack.template_full_path, target)))
    return Built(
        result=result,
        config=config,
        app=app,
        packs=[*manifest_packs(config), *extra_packs],
        assembly_dir=Path(assembly.directory),
    )


def _nag(built: Built) -> None:
    from ecs_toolkit.checks import nag

    result, packs = built.result, nag.pack_names(built.packs)
    prefixes = nag.rule_prefixes(packs)
    raw = nag.findings(built.app, packs, before_acknowledgement=True)
    left = nag.findings(built.app, packs)
    acknowledgements = [ack for ack in nag.acknowledgements(built.app) if nag.is_nag_rule(ack.rule_id, prefixes)]
    result.lines.append(
        f"  cdk-nag   {', '.join(packs)}: {len(raw)} findings before acknowledgement, "
        f"{len(acknowledgements)} acknowledgements, {len(left)} left"
    )
    for ack in acknowledgements:
        silenced = sum(ack.silences(finding) for finding in raw)
        result.lines.append(f"    acknowledged {ack.rule_id}  on {ack.path} ({ack.construct_type}), silences {silenced}")
        if ack.scope_kind != "construct":
            result.problems.append(f"{result.label}: {ack.rule_id} is acknowledged on a {ack.scope_kind} ({ack.path})")
        if not silenced:
            result.problems.append(f"{result.label}: {ack.rule_id} on {ack.path} silences no finding (remove it)")
    for finding in left:
        result.problems.append(f"{result.label}: {finding.rule_id} on {finding.path}: {finding.description}")


def _lint(built: Built) -> None:
    result = built.result
    region = built.config.region or lint.DEFAULT_REGION
    linted = lint.lint_templates(result.templates, regions=[region])
    ignored = Counter(issue.rule_id for issue in linted.ignored)
    ignored_text = ", ".join(f"{rule} x{count}" for rule, count in sorted(ignored.items())) or "none"
    result.lines.append(
        f"  cfn-lint  {len(linted.errors)} errors, {len(linted.warnings)} warnings over {len(result.templates)} templates "
        f"({region}; ignored by rule: {ignored_text})"
    )
    for issue in linted.issues:
        result.problems.append(
            f"{result.label}: {issue.template}:{issue.line}: {issue.rule_id} {issue.resource}: {issue.message}"
        )


def _templates(paths: Sequence[Path]) -> dict[str, dict[str, Any]]:
    return {path.name.removesuffix(".template.json"): json.loads(path.read_text()) for path in paths}


def _hardening(built: Built) -> None:
    result = built.result
    definitions = hardening.task_definitions(_templates(result.templates))
    policies = hardening.container_policies(built.config)
    problems = hardening.missing_task_definitions(built.config, definitions) + hardening.check(definitions, policies)
    containers = sum(len(definition.containers) for definition in definitions)
    result.lines.append(
        f"  hardening {len(hardening.RULES)} rules over {len(definitions)} task definitions "
        f"({containers} containers): {len(problems)} problems"
    )
    result.problems += [f"{result.label}: {problem}" for problem in problems]


def _verify(built: Built) -> None:
    from ecs_toolkit.assembly import load_assembly
    from ecs_toolkit.verify import verify

    result, config = built.result, built.config
    findings = verify(load_assembly(built.assembly_dir, account=config.account, region=config.region), config)
    counts = Counter(finding.status for finding in findings)
    result.lines.append(
        f"  verify    {counts['OPEN']} paths and permissions open, {counts['CLOSED']} closed, "
        f"{counts['UNINTENDED']} unintended, {counts['ASSUMED']} assumed (outside the templates)"
    )
    result.problems += [f"{result.label}: verify: {finding.line()}" for finding in findings if finding.failed]


def _checkov_skips(paths: Sequence[Path]) -> int:
    return sum(
        len((resource.get("Metadata") or {}).get("checkov", {}).get("skip", []))
        for template in _templates(paths).values()
        for resource in template.get("Resources", {}).values()
    )


def _checkov(results: list[ManifestResult], future: Future[CheckovReport] | None) -> tuple[list[str], str]:
    """The problems, and a summary line."""
    if future is None:
        return [], "checkov: nothing to scan"
    try:
        report = future.result()
    except CheckovError as error:
        return [f"checkov: {error}"], "checkov: no report"
    by_manifest = Counter(failure.file.split("/", 1)[0] for failure in report.failed)
    for result in results:
        stem = result.manifest.stem
        result.lines.append(
            f"  checkov   {by_manifest.get(stem, 0)} failed, {_checkov_skips(result.templates)} skips recorded in the templates"
        )
    problems = [f"checkov: {failure.file}: {failure.check_id} {failure.resource}: {failure.name}" for failure in report.failed]
    if report.parsing_errors:
        problems.append(f"checkov: {report.parsing_errors} templates could not be parsed")
    summary = (
        f"checkov (one run over every template): {report.passed} passed, {len(report.failed)} failed, "
        f"{report.skipped} skipped, {report.seconds:.1f} s"
    )
    return problems, summary


def run(
    manifests: Sequence[Path], extra_packs: Sequence[str] = (), out: TextIO | None = None, *, require_checkov: bool = True
) -> int:
    """Check ``manifests``; print the report to ``out``; 0 when every gate passes.

    Without ``require_checkov``, a project with no ``.venv-checkov`` gets the other gates and a line saying so."""
    out = out or sys.stdout  # read at call time: tests and callers may have replaced it
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ecs-toolkit-check-") as scratch:
        templates_dir = Path(scratch) / "templates"
        built: list[Built] = []
        results: list[ManifestResult] = []
        for index, manifest in enumerate(manifests):
            outcome = _build(manifest, extra_packs, templates_dir, Path(scratch) / f"app{index}")
            results.append(outcome.result if isinstance(outcome, Built) else outcome)
            if isinstance(outcome, Built):
                built.append(outcome)
        with ThreadPoolExecutor(max_workers=1) as pool:
            skip_checkov = not require_checkov and not default_checkov().exists()
            future = pool.submit(run_checkov, templates_dir) if built and not skip_checkov else None
            for item in built:
                _nag(item)
                _lint(item)
                _hardening(item)
                _verify(item)
            checkov_problems, checkov_summary = _checkov([item.result for item in built], future)
            if skip_checkov:
                checkov_summary = f"checkov: skipped, not installed ({default_checkov()}; see requirements-checkov.txt)"
    for result in results:
        print(f"== {result.label}", file=out)
        for line in result.lines:
            print(line, file=out)
    print(checkov_summary, file=out)
    problems = [problem for result in results for problem in result.problems] + checkov_problems
    for problem in problems:
        print(f"FAIL {problem}", file=out)
    verdict = "FAILED" if problems else "passed"
    print(f"check {verdict}: {len(manifests)} manifests, {len(problems)} problems, {time.monotonic() - started:.1f} s", file=out)
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ecs_toolkit.checks", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("manifests", nargs="*", type=Path, help="manifests to check (default: every *.yaml under config/)")
    parser.add_argument(
        "--packs",
        default="",
        help="extra cdk-nag packs for every manifest, comma-separated (hipaa, nist-800-53-r5, pci-dss-3.2.1)",
    )
    parser.add_argument(
        "--require-checkov", action="store_true", help="fail when checkov is not installed (default: skip it with a note)"
    )
    parser.add_argument(
        "--write-docs",
        "--write-readme",
        dest="write_docs",
        action="store_true",
        help="regenerate the compliance page of the docs (docs/tools/compliance.md) and exit",
    )
    args = parser.parse_args(argv)
    if args.write_docs:
        changed = readme.write()
        print(f"{readme.PAGE.relative_to(readme.ROOT)}: compliance section {'updated' if changed else 'already up to date'}")
        return 0
    manifests = list(args.manifests) or discover()
    if not manifests:
        print(f"no manifest under {project_root() / 'config'}", file=sys.stderr)
        return 1
    packs = [name.strip() for name in args.packs.split(",") if name.strip()]
    return run(manifests, packs, require_checkov=args.require_checkov)
