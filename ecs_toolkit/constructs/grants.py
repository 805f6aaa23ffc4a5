"""A small vocabulary of task-role intents, each compiled to the narrowest actions and resources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from ecs_toolkit.compliance import acknowledge, nag_rendering

READ_S3 = ["s3:GetObject"]
WRITE_S3 = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
READ_DYNAMODB = [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
]
WRITE_DYNAMODB = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:DescribeTable",
]
INTENT_ACTIONS: dict[str, list[str]] = {
    "dynamodb-read": READ_DYNAMODB,
    "dynamodb-write": WRITE_DYNAMODB,
    "dynamodb-read-write": sorted(set(READ_DYNAMODB + WRITE_DYNAMODB)),
    "sqs-send": ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
    "sqs-consume": [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    ],
    "sns-publish": ["sns:Publish"],
    "ssm-read-path": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
    "secret-read": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    "kms-decrypt": ["kms:Decrypt"],
}
S3_INTENTS = ("s3-read", "s3-write", "s3-read-write")
INTENTS = (*S3_INTENTS, *INTENT_ACTIONS)


@dataclass(frozen=True)
class TaskGrant:
    """``intent`` on ``resource`` (an ARN), or on ``path`` for ssm-read-path; ``prefix`` narrows s3."""

    intent: str
    resource: str | None = None
    prefix: str | None = None
    path: str | None = None


def grant_statements(grant: TaskGrant, *, scope: IConstruct) -> list[iam.PolicyStatement]:
    """The statements one grant compiles to."""
    if grant.intent not in INTENTS:
        raise ValueError(f"unknown grant intent {grant.intent!r} (have: {', '.join(INTENTS)})")
    if grant.intent == "ssm-read-path":
        if grant.path is None:
            raise ValueError("ssm-read-path needs a path")
        parameters = cdk.Stack.of(scope).format_arn(
            service="ssm", resource="parameter", resource_name=f"{grant.path.strip('/')}/*"
        )
        return [iam.PolicyStatement(actions=INTENT_ACTIONS[grant.intent], resources=[parameters])]
    if grant.resource is None:
        raise ValueError(f"{grant.intent} needs a resource ARN")
    if grant.intent in S3_INTENTS:
        return _s3_statements(grant.intent, grant.resource, grant.prefix)
    resources = [grant.resource]
    if grant.intent.startswith("dynamodb"):
        resources.append(f"{grant.resource}/index/*")
    return [iam.PolicyStatement(actions=INTENT_ACTIONS[grant.intent], resources=resources)]


def _s3_statements(intent: str, bucket_arn: str, prefix: str | None) -> list[iam.PolicyStatement]:
    objects = f"{bucket_arn}/{prefix.strip('/') + '/' if prefix else ''}*"
    actions = {"s3-read": READ_S3, "s3-write": WRITE_S3, "s3-read-write": READ_S3 + WRITE_S3}[intent]
    statements = [iam.PolicyStatement(actions=actions, resources=[objects])]
    if intent != "s3-write":
        list_bucket = iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket_arn])
        if prefix:
            list_bucket.add_condition("StringLike", {"s3:prefix": [f"{prefix.strip('/')}/*"]})
        statements.append(list_bucket)
    return statements


def apply_grants(role: iam.IRole, grants: Sequence[TaskGrant], *, scope: IConstruct) -> iam.Policy | None:
    """Attach all grants as one inline policy on ``role``; acknowledge the object and path wildcards they imply."""
    if not grants:
        return None
    statements = [statement for grant in grants for statement in grant_statements(grant, scope=scope)]
    policy = iam.Policy(scope, "Grants", statements=statements)  # type: ignore[arg-type]
    role.attach_inline_policy(policy)
    for statement in statements:
        for resource in statement.resources:
            if resource.endswith("*") or "/index/*" in resource:
                acknowledge(
                    policy,
                    f"AwsSolutions-IAM5[Resource::{nag_rendering(scope, resource)}]",
                    "A trailing wildcard the grant vocabulary emits on purpose: objects under a granted bucket/prefix, "
                    "a granted table's indexes, or parameters under a granted path; no action is a wildcard",
                )
    return policy


MANAGED_POLICY_RULE = "AwsSolutions-IAM4"
"""cdk-nag's rule on AWS managed policies; it reports on the role that holds them."""
WILDCARD_RULE = "AwsSolutions-IAM5"
"""cdk-nag's rule on wildcard actions and resources; it reports on the policy that holds them."""


def attach_role_policy(
    role: iam.IRole,
    *,
    scope: IConstruct,
    construct_id: str,
    statements: Sequence[iam.PolicyStatement] = (),
    managed_policy_arns: Sequence[str] = (),
    acknowledgements: Sequence[tuple[str, str]] = (),
) -> iam.Policy | None:
    """Custom statements (one inline policy of their own) and managed policies on ``role``.

    Each ``(rule, reason)`` acknowledgement goes on the narrowest construct the rule reports on:
    IAM4 (managed policies) on the role, anything else on the statements' policy, so a finding
    in the toolkit's own policies is never silenced by it. A statement that allows ``*`` on ``*``
    is refused.
    """
    for statement in statements:
        if statement.effect == iam.Effect.ALLOW and "*" in statement.actions and "*" in statement.resources:
            raise ValueError(f"{construct_id}: a statement allows every action on every resource")
    policy = None
    if statements:
        policy = iam.Policy(scope, construct_id, statements=list(statements))  # type: ignore[arg-type]
        role.attach_inline_policy(policy)
    for index, arn in enumerate(managed_policy_arns):
        role.add_managed_policy(
            iam.ManagedPolicy.from_managed_policy_arn(scope, f"{construct_id}Managed{index}", arn)  # type: ignore[arg-type]
        )
    for rule, manifest_reason in acknowledgements:
        target = role if rule.split("[", 1)[0] == MANAGED_POLICY_RULE or policy is None else policy
        ids = granular_rule_ids(rule, scope=scope, statements=statements, managed_policy_arns=managed_policy_arns)
        for manifest_rule_id in ids:
            acknowledge(target, manifest_rule_id, manifest_reason)
    return policy


def granular_rule_ids(
    rule: str, *, scope: IConstruct, statements: Sequence[iam.PolicyStatement], managed_policy_arns: Sequence[str]
) -> list[str]:
    """The ids cdk-nag reports for a bare IAM4 or IAM5 rule: one per AWS managed policy (IAM4), one per
    wildcard action or resource (IAM5); other rules, and ids that are granular already, as given."""
    if rule == MANAGED_POLICY_RULE:
        return [f"{rule}[Policy::{arn}]" for arn in managed_policy_arns if ":iam::aws:policy/" in arn]
    if rule == WILDCARD_RULE:
        actions = {a for s in statements if s.effect == iam.Effect.ALLOW for a in s.actions if "*" in a}
        resources = {r for s in statements if s.effect == iam.Effect.ALLOW for r in s.resources if "*" in r}
        return [f"{rule}[Action::{a}]" for a in sorted(actions)] + [
            f"{rule}[Resource::{nag_rendering(scope, r)}]" for r in sorted(resources)
        ]
    return [rule]
