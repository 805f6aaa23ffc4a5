"""Compliance checks (cdk-nag 3 rule packs) and the helpers that acknowledge a nag finding or skip a checkov check."""

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


CHECKOV_METADATA_KEY = "checkov"
LOGS_ENCRYPTED_BY_SERVICE = (
    "CloudWatch Logs encrypts all log data at rest with service-owned keys; a customer-managed KMS key per log "
    "group (billed per key, with a key policy for the logs service) is not part of the defaults"
)
"""The reason for checkov's CKV_AWS_158 on every log group the constructs create."""
SQS_ENCRYPTED_BY_SERVICE = (
    "SSE-SQS (SqsManagedSseEnabled) encrypts this queue at rest with SQS-owned keys; checkov's check "
    "recognises only a KMS key (KmsMasterKeyId)"
)
"""The reason for checkov's CKV_AWS_27 on queues encrypted with ``sqs.QueueEncryption.SQS_MANAGED``."""


def skip_checkov(construct: IConstruct, check_id: str, reason: str) -> None:
    """Skip one checkov check on one resource, recorded in its template metadata with the reason.

    ``construct`` is the resource itself or an L2 whose default child is the resource.
    """
    resource = construct if isinstance(construct, cdk.CfnResource) else construct.node.default_child
    if not isinstance(resource, cdk.CfnResource):
        raise ValueError(f"skip_checkov {check_id}: {construct.node.path} is not a CloudFormation resource")
    if not check_id.startswith("CKV"):
        raise ValueError(f"skip_checkov: {check_id!r} is not a checkov check id")
    if len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValueError(f"skip_checkov {check_id}: give a specific reason (at least {MIN_REASON_LENGTH} characters)")
    metadata = resource.get_metadata(CHECKOV_METADATA_KEY) or {}
    skips = [skip for skip in metadata.get("skip", []) if skip["id"] != check_id]
    skips.append({"id": check_id, "comment": reason.strip()})
    resource.add_metadata(CHECKOV_METADATA_KEY, {**metadata, "skip": skips})


CDK_PROVIDER_SKIPS = {
    "CKV_AWS_115": "A CDK custom-resource provider runs only during deployments; reserved concurrency would only waste quota",
    "CKV_AWS_116": "CloudFormation invokes this CDK custom-resource provider synchronously and reports failures itself: "
    "a dead-letter queue would never receive anything",
    "CKV_AWS_117": "This CDK custom-resource provider only calls AWS APIs during deployments and reaches no VPC resource",
}
"""What checkov asks of every Lambda function, none of which fits CDK's own deploy-time providers."""


def skip_checkov_on_cdk_provider(scope: IConstruct, provider_id: str) -> None:
    """Skip the Lambda checks on the handler of the CDK-generated provider ``provider_id`` in ``scope``'s stack.

    Nothing happens when the stack has no such provider (feature flags decide whether CDK adds one).
    """
    provider = cdk.Stack.of(scope).node.try_find_child(provider_id)
    handler = provider.node.try_find_child("Handler") if provider is not None else None
    if handler is None:
        return
    for check_id, reason in CDK_PROVIDER_SKIPS.items():
        skip_checkov(handler, check_id, reason)


def nag_rendering(scope: IConstruct, value: str) -> str:
    """A resource string as cdk-nag writes it in granular rule ids (``AwsSolutions-IAM5[Resource::...]``):
    pseudo parameters as ``<AWS::Region>``."""
    resolved = cdk.Stack.of(scope).resolve(value)
    if isinstance(resolved, str):
        return resolved
    return "".join(_render_part(part) for part in _join_parts(resolved))


def _join_parts(resolved: object) -> list[object]:
    if isinstance(resolved, dict) and "Fn::Join" in resolved:
        parts: list[object] = resolved["Fn::Join"][1]
        return parts
    return [resolved]


def _render_part(part: object) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and "Ref" in part:
        return f"<{part['Ref']}>"
    raise ValueError(f"nag_rendering: cannot render {part!r}")
