"""Translations from manifest values to CDK values, shared by the stacks."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

from ecs_toolkit.config.models import LOG_RETENTION_DAYS, EnvironmentConfig

_RETENTION = dict(zip(LOG_RETENTION_DAYS, list(logs.RetentionDays)[: len(LOG_RETENTION_DAYS)], strict=True))


def retention(days: int) -> logs.RetentionDays:
    """The CDK enum for a retention in days (the manifest only admits CloudWatch's values)."""
    return _RETENTION[days]


def removal_policy(config: EnvironmentConfig) -> RemovalPolicy:
    """Logs and buckets go with an ephemeral environment and are kept otherwise."""
    return RemovalPolicy.DESTROY if config.ephemeral else RemovalPolicy.RETAIN
