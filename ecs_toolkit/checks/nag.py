"""cdk-nag over a built app: findings before and after acknowledgement, and the acknowledgements.

cdk-nag 3 drops a finding when the resource or one of its ancestors carries an acknowledgement
(``aws:cdk:acknowledged-rules`` metadata) for the exact rule id. To see the findings *before*
acknowledgement, the pack is run once more under a prefixed pack name: no acknowledgement can
name those rule ids, so every finding comes back, and the prefix is stripped again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import NagPack
from constructs import IConstruct

from ecs_toolkit.compliance import PACKS

ALWAYS = "aws-solutions"
"""The pack every manifest runs; others come from the manifest (``compliance.packs``)."""
RAW_PREFIX = "Unacknowledged."
ACKNOWLEDGEMENT_KIND = "annotation"
"""``acknowledge()`` writes ``Annotation::<rule id>`` keys for nag rules and CDK warnings."""
OWN_TEMPLATE_VALIDATION_RULES = frozenset({"CloudFormation-Validate::W3010"})
"""aws-cdk-lib's template-validation warnings the toolkit acknowledges (kept whole as the rule id);
aws-cdk-lib acknowledges others itself (F3002/F3003 on every flow log), which are not ours to list."""


@dataclass(frozen=True, order=True)
class Finding:
    """One rule tripped by one CloudFormation resource."""

    rule_id: str
    path: str
    severity: str
    description: str


@dataclass(frozen=True, order=True)
class Acknowledgement:
    """One ``acknowledge(construct, rule_id, reason)`` as found in the construct tree."""

    path: str
    rule_id: str
    reason: str
    construct_type: str
    scope_kind: str
    """``construct``, or ``stack`` / ``stage`` / ``app`` (never the right place for one)."""

    def silences(self, finding: Finding) -> bool:
        """True when cdk-nag drops ``finding`` because of this acknowledgement."""
        return finding.rule_id == self.rule_id and (finding.path == self.path or finding.path.startswith(self.path + "/"))


def pack_names(extra: Iterable[str] = ()) -> list[str]:
    """AwsSolutions plus the named extra packs, in order, each once; unknown names raise."""
    names = [ALWAYS, *(name for name in extra if name != ALWAYS)]
    unknown = [name for name in names if name not in PACKS]
    if unknown:
        raise ValueError(f"unknown compliance packs {unknown} (have: {', '.join(PACKS)})")
    return list(dict.fromkeys(names))


def rule_prefixes(packs: Sequence[str]) -> list[str]:
    """The rule-id prefixes (``AwsSolutions-``) of the named packs."""
    return [f"{PACKS[name]().read_pack_name}-" for name in pack_names(packs)]


def findings(scope: IConstruct, packs: Sequence[str] = (), *, before_acknowledgement: bool = False) -> list[Finding]:
    """The findings of AwsSolutions and ``packs`` on ``scope``; acknowledged ones only when asked."""
    result: list[Finding] = []
    for name in pack_names(packs):
        pack: NagPack = PACKS[name]()
        if before_acknowledgement:
            pack._pack_name = RAW_PREFIX + pack.read_pack_name
        report = pack.validate_scope(scope)
        for violation in report.violations:
            rule_id = violation.rule_name.removeprefix(RAW_PREFIX)
            for resource in violation.violating_resources:
                path = resource.construct_path or ""
                result.append(Finding(rule_id, path, violation.severity or "", violation.description))
    return sorted(result)


def _scope_kind(construct: IConstruct) -> str:
    if cdk.App.is_app(construct):
        return "app"
    if cdk.Stack.is_stack(construct):
        return "stack"
    if cdk.Stage.is_stage(construct):
        return "stage"
    return "construct"


def acknowledgements(scope: IConstruct) -> list[Acknowledgement]:
    """Every acknowledgement in the tree under (and including) ``scope``."""
    result: list[Acknowledgement] = []
    for construct in scope.node.find_all():
        for entry in construct.node.metadata:
            if entry.type != cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY or not isinstance(entry.data, dict):
                continue
            for key, reason in entry.data.items():
                kind, _, rule_id = str(key).partition("::")
                if str(key) in OWN_TEMPLATE_VALIDATION_RULES:
                    rule_id = str(key)
                elif kind.lower() != ACKNOWLEDGEMENT_KIND:
                    continue
                result.append(
                    Acknowledgement(
                        path=construct.node.path,
                        rule_id=rule_id,
                        reason=str(reason),
                        construct_type=type(construct).__name__,
                        scope_kind=_scope_kind(construct),
                    )
                )
    return sorted(result)


def is_nag_rule(rule_id: str, prefixes: Sequence[str]) -> bool:
    """True for rule ids of the given packs (other acknowledgements silence CDK warnings)."""
    return any(rule_id.startswith(prefix) for prefix in prefixes)
