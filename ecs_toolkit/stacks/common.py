"""Translations from manifest values to CDK values, shared by the stacks."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from ecs_toolkit.config.models import LOG_RETENTION_DAYS, EnvironmentConfig, RolePolicyConfig
from ecs_toolkit.constructs.grants import attach_role_policy

_RETENTION = dict(zip(LOG_RETENTION_DAYS, list(logs.RetentionDays)[: len(LOG_RETENTION_DAYS)], strict=True))


def retention(days: int) -> logs.RetentionDays:
    """The CDK enum for a retention in days (the manifest only admits CloudWatch's values)."""
    return _RETENTION[days]


def removal_policy(config: EnvironmentConfig) -> RemovalPolicy:
    """Logs and buckets go with an ephemeral environment and are kept otherwise."""
    return RemovalPolicy.DESTROY if config.ephemeral else RemovalPolicy.RETAIN


def attach_manifest_role_policy(role: iam.IRole, *, scope: Construct, construct_id: str, settings: RolePolicyConfig) -> None:
    """A manifest's ``task_role``, ``execution_role`` or ``instance_role`` section on ``role``."""
    attach_role_policy(
        role,
        scope=scope,
        construct_id=construct_id,
        statements=[
            iam.PolicyStatement(
                effect=iam.Effect.ALLOW if statement.effect == "allow" else iam.Effect.DENY,
                actions=statement.actions,
                resources=statement.resources,
                conditions=dict(statement.conditions) or None,
            )
            for statement in settings.statements
        ],
        managed_policy_arns=settings.managed_policies,
        acknowledgements=[(a.rule, a.reason) for a in settings.acknowledge],
    )
