"""The rehearsal's outcome and its fidelity report (plain text on stdout)."""

from __future__ import annotations

import dataclasses
import enum
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ecs_toolkit.rehearsal.checks import NOT_KEPT
from ecs_toolkit.rehearsal.custom_resources import Answer
from ecs_toolkit.rehearsal.fixes import Fix
from ecs_toolkit.rehearsal.gaps import Read
from ecs_toolkit.rehearsal.ops import HelperRun
from ecs_toolkit.rehearsal.verify import Outcome, ResourceResult, Verification
from ecs_toolkit.verify.findings import Finding

COLUMNS = (Outcome.VERIFIED, Outcome.UNCHECKED, Outcome.SKIPPED, Outcome.FAILED)


@dataclass(frozen=True)
class Destroy:
    deleted: list[str] = field(default_factory=list)
    remaining: dict[str, str] = field(default_factory=dict)
    """Stacks the emulator could not delete, with the reason."""
    left_behind: list[ResourceResult] = field(default_factory=list)
    """Resources of deleted stacks, verified before the destroy, that still exist after it."""


@dataclass
class Rehearsal:
    config: str
    emulator: str
    timings: dict[str, float] = field(default_factory=dict)
    deploy_error: str = ""
    verification: Verification | None = None
    answered: list[Answer] = field(default_factory=list)
    placeholders: list[Read] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    """ACM certificates the templates name, stood in for by self-signed ones under the same ARNs."""
    public_parameters: list[str] = field(default_factory=list)
    """AWS's public SSM parameters (Bottlerocket image ids) published into the emulator, which lacks them."""
    images: list[str] = field(default_factory=list)
    """Docker images built from source that were not built or pushed: the task definitions name them unchanged."""
    helpers: HelperRun | None = None
    destroy: Destroy | None = None
    proof: list[Finding] = field(default_factory=list)
    """``verify`` over the deployed templates: every intended path and permission, and what no path needs."""

    @property
    def failures(self) -> list[str]:
        failures = [f"deploy: {self.deploy_error}"] if self.deploy_error else []
        if self.verification is None:
            return [*failures, "nothing was verified"]
        return failures + self.verification.failures + [f"verify: {finding.line()}" for finding in self.proof if finding.failed]


def render(rehearsal: Rehearsal) -> str:
    lines = [f"Deploy rehearsal of {rehearsal.config} into {rehearsal.emulator}"]
    if rehearsal.timings:
        steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in rehearsal.timings.items())
        lines.append(f"  {steps} (synth and bootstrap run in parallel)" if "synth" in rehearsal.timings else f"  {steps}")
    verification = rehearsal.verification
    if verification is not None:
        lines += ["", "Stacks"]
        width = max((len(stack.name) for stack in verification.stacks), default=0)
        for stack in verification.stacks:
            published = stack.outputs - len(stack.output_problems)
            outputs = f", {published}/{stack.outputs} outputs as the template says" if stack.deployed else ""
            lines.append(f"  {stack.name:<{width}}  {stack.status}{outputs}")
        lines += ["", *_fidelity_table(verification.resources)]
    if rehearsal.proof:
        counts = Counter(finding.status for finding in rehearsal.proof)
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        lines += ["", f"Proof over the deployed templates (verify): {summary}"]
        lines += [f"  {finding.line()}" for finding in rehearsal.proof if finding.status != "OPEN"]
    lines += _answered(rehearsal.answered)
    lines += _placeholders(rehearsal.placeholders)
    if rehearsal.certificates:
        lines += ["", "Certificates stood in for (self-signed, ISSUED, in the emulator's ACM under the ARN the manifest names):"]
        lines += [f"  {arn}" for arn in rehearsal.certificates]
    if rehearsal.public_parameters:
        lines += ["", "Public SSM parameters AWS publishes and the emulator lacks, published with one of its AMIs:"]
        lines += [f"  {name}" for name in rehearsal.public_parameters]
    if rehearsal.images:
        lines += [
            "",
            "Images built from source, stood in for (not built or pushed; the task definitions name them in the "
            "bootstrap repository unchanged, and `cdk deploy` builds them with Docker):",
        ]
        lines += [f"  {image}" for image in rehearsal.images]
    if rehearsal.fixes:
        lines += ["", "Emulator bugs worked around (templates deployed unchanged):"]
        lines += [f"  {fix.resource_type}: {fix.reason}" for fix in rehearsal.fixes]
    if verification is not None:
        kept_out = sorted({result.type for result in verification.resources} & set(NOT_KEPT))
        if kept_out:
            lines += ["", "Properties the emulator does not keep (not checked in the rehearsal):"]
            lines += [f"  {resource_type}: {NOT_KEPT[resource_type]}" for resource_type in kept_out]
    lines += ["", _helpers_line(rehearsal.helpers)]
    if rehearsal.helpers is not None and rehearsal.helpers.output:
        lines += [f"    {line}" for line in rehearsal.helpers.output.splitlines()[:30]]
    lines += _destroy(rehearsal.destroy)
    failures = rehearsal.failures
    if failures:
        lines += ["", f"FAILED: {len(failures)} problem(s)"] + [f"  {failure}" for failure in failures]
    else:
        lines += ["", "PASSED: every stack deployed and every modelled resource matches its template"]
    return "\n".join(lines)


def to_json(rehearsal: Rehearsal) -> str:
    """The whole outcome, for tests and CI (``--json``)."""

    def plain(value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return value.value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {
                item.name: plain(getattr(value, item.name))
                for item in dataclasses.fields(value)
                if not callable(getattr(value, item.name))
            }
        if isinstance(value, dict):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    document = plain(rehearsal)
    document["failures"] = rehearsal.failures
    document["passed"] = not rehearsal.failures
    return json.dumps(document, indent=2)


def _fidelity_table(results: list[ResourceResult]) -> list[str]:
    by_type: dict[str, Counter[Outcome]] = defaultdict(Counter)
    notes: dict[str, set[str]] = defaultdict(set)
    for result in results:
        outcome = Outcome.SKIPPED if result.outcome is Outcome.ANSWERED else result.outcome
        by_type[result.type][outcome] += 1
        if result.outcome in (Outcome.SKIPPED, Outcome.ANSWERED, Outcome.UNCHECKED):
            notes[result.type].add(result.detail)
    width = max((len(name) for name in by_type), default=10)
    columns = COLUMNS + ((Outcome.NOT_REACHED,) if any(result.outcome is Outcome.NOT_REACHED for result in results) else ())
    cell = max(len(column.value) for column in columns)
    header = f"  {'Fidelity per resource type':<{width}}  " + "  ".join(f"{column.value:>{cell}}" for column in columns)
    lines = [header]
    totals: Counter[Outcome] = Counter()
    for name in sorted(by_type):
        counts = by_type[name]
        totals.update(counts)
        cells = "  ".join(f"{counts[column] or '-':>{cell}}" for column in columns)
        note = f"  {'; '.join(sorted(notes[name]))}" if notes[name] else ""
        lines.append(f"  {name:<{width}}  {cells}{note}")
    total = f"total ({len(results)} resources)"
    lines.append(f"  {total:<{width}}  " + "  ".join(f"{totals[column]:>{cell}}" for column in columns))
    return lines


def _answered(answered: list[Answer]) -> list[str]:
    if not answered:
        return []
    lines = ["", "Custom resources answered, not executed (their Lambda handlers never ran):"]
    lines += [f"  {answer.stack}/{answer.logical_id} ({answer.type})" for answer in answered]
    return lines


def _placeholders(reads: list[Read]) -> list[str]:
    if not reads:
        return []
    return [
        "",
        "Placeholders stood in for these skipped types, because other resources read their values:",
        "  " + ", ".join(sorted({read.type for read in reads})),
    ]


def _helpers_line(helpers: HelperRun | None) -> str:
    if helpers is None:
        return "Ops helpers status: skipped (the deploy did not complete)"
    return f"Ops helpers status: {'ok' if helpers.ran else 'skipped'} ({helpers.detail})"


def _destroy(destroy: Destroy | None) -> list[str]:
    if destroy is None:
        return ["", "Destroy: not run (the deploy did not complete, or --keep)"]
    total = len(destroy.deleted) + len(destroy.remaining)
    lines = ["", f"Destroy: {len(destroy.deleted)} of {total} stacks deleted"]
    lines += [f"  the emulator could not delete {name}: {reason}" for name, reason in destroy.remaining.items()]
    if destroy.left_behind:
        counts = Counter(result.type for result in destroy.left_behind)
        lines.append(
            "  still present although their stacks were deleted (moto does not delete these types): "
            + ", ".join(f"{name} x{count}" for name, count in sorted(counts.items()))
        )
    return lines
