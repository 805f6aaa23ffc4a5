"""cfn-lint over synthesized templates, and the one list of ignored rules with their reasons."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"
"""Environment-agnostic manifests are linted against this region; others against their own."""


@dataclass(frozen=True)
class IgnoredRule:
    """A cfn-lint rule ignored on some resources only, and why."""

    reason: str
    logical_ids: str | None = None
    """A regular expression that a covered resource's logical id matches in full."""
    resource_types: tuple[str, ...] = ()
    """Resource types covered whatever their logical id."""

    def covers(self, logical_id: str | None, resource_type: str | None) -> bool:
        if logical_id is None:
            return False
        by_id = self.logical_ids is not None and re.fullmatch(self.logical_ids, logical_id) is not None
        return by_id or resource_type in self.resource_types


IGNORED: dict[str, IgnoredRule] = {
    "W3005": IgnoredRule(
        reason="aws-cdk-lib itself declares DependsOn on a role next to a GetAtt of it (custom-resource providers, "
        "Step Functions state machines); the redundancy is harmless and not ours to remove",
        logical_ids=r"Custom\w*CustomResourceProvider\w*",
        resource_types=("AWS::StepFunctions::StateMachine",),
    ),
    "W3010": IgnoredRule(
        reason="A manifest that lists its availability zones by name (network.azs) wants exactly those; "
        "with a count, the network stack selects zones with Fn::GetAZs and the rule has nothing to say",
        resource_types=("AWS::EC2::Subnet",),
    ),
}
"""The only cfn-lint rules not enforced, each on the resources named here only."""


@dataclass(frozen=True, order=True)
class LintIssue:
    template: str
    line: int
    rule_id: str
    resource: str
    message: str

    @property
    def level(self) -> str:
        return {"E": "error", "W": "warning", "I": "informational"}.get(self.rule_id[:1], "error")


@dataclass(frozen=True)
class LintResult:
    issues: list[LintIssue]
    """Errors and warnings that count."""
    ignored: list[LintIssue]
    """Matches of ``IGNORED`` rules, reported but not counted."""

    @property
    def errors(self) -> list[LintIssue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def warnings(self) -> list[LintIssue]:
        return [issue for issue in self.issues if issue.level == "warning"]


def _resource_types(path: Path) -> dict[str, str]:
    template: dict[str, Any] = json.loads(path.read_text())
    return {logical_id: str(resource.get("Type")) for logical_id, resource in template.get("Resources", {}).items()}


def lint_templates(templates: Sequence[Path], regions: Sequence[str] = (DEFAULT_REGION,)) -> LintResult:
    """Lint ``templates`` with every cfn-lint rule that runs by default; split off the ignored matches."""
    from cfnlint.api import ManualArgs, lint_by_config

    if not templates:
        return LintResult(issues=[], ignored=[])
    matches = lint_by_config(ManualArgs(templates=[str(path) for path in templates], regions=list(regions)))
    types = {str(path): _resource_types(path) for path in templates}
    issues: list[LintIssue] = []
    ignored: list[LintIssue] = []
    for match in matches:
        path = list(getattr(match, "path", None) or [])
        logical_id = str(path[1]) if len(path) > 1 and path[0] == "Resources" else None
        filename = str(match.filename or "")
        issue = LintIssue(
            template=Path(filename).name,
            line=int(match.linenumber),
            rule_id=str(match.rule.id),
            resource=logical_id or "/".join(str(part) for part in path),
            message=str(match.message),
        )
        rule = IGNORED.get(issue.rule_id)
        resource_type = types.get(filename, {}).get(logical_id or "")
        (ignored if rule is not None and rule.covers(logical_id, resource_type) else issues).append(issue)
    return LintResult(issues=sorted(issues), ignored=sorted(ignored))
