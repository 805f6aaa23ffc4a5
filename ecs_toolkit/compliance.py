"""Compliance checks (cdk-nag 3 rule packs) and the one helper that acknowledges a finding."""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks
from constructs import IConstruct

PACKS: dict[str, type[NagPack]] = {
    "aws-solutions": AwsSolutionsChecks,
    "hipaa": HIPAASecurityChecks,
    "nist-800-53-r5": NIST80053R5Checks,
    "pci-dss-3.2.1": PCIDSS321Checks,
}
"""AwsSolutions always runs; the manifest can add the others."""

MIN_REASON_LENGTH = 20


def compliance_packs(app: cdk.App, extra: Iterable[str] = ()) -> list[NagPack]:
    """The rule packs for an app: AwsSolutions plus the named extras."""
    names = ["aws-solutions", *(name for name in extra if name != "aws-solutions")]
    unknown = [name for name in names if name not in PACKS]
    if unknown:
        raise ValueError(f"unknown compliance packs {unknown} (have: {', '.join(PACKS)})")
    return [PACKS[name](app) for name in names]


def attach_compliance(app: cdk.App, extra: Iterable[str] = ()) -> list[NagPack]:
    """Run the packs at synth: any unacknowledged finding fails the synth."""
    packs = compliance_packs(app, extra)
    cdk.Validations.of(app).add_plugins(*packs)
    return packs


def acknowledge(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one rule on one construct, with a reason a reviewer can check.

    Use the narrowest construct that trips the rule and a granular id
    (``AwsSolutions-IAM5[Resource::*]``) where the rule reports one.
    """
    if not rule_id.strip():
        raise ValueError("acknowledge: a rule id is required")
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"acknowledge {rule_id}: give a specific reason (at least {MIN_REASON_LENGTH} characters)")
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason.strip()))
