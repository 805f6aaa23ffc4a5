"""Role rules: the custom statements and managed policies a service adds to its task and execution roles."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config.models import RolePolicyConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location

FULL_ACCESS_POLICIES = ("AdministratorAccess",)
"""AWS managed policies that allow every action on every resource."""
MANAGED_POLICY_RULE = "AwsSolutions-IAM4"
"""The cdk-nag rule that managed policies trip (on the role); every other rule concerns the statements."""
WILDCARD_RULE = "AwsSolutions-IAM5"
"""The cdk-nag rule that wildcard actions and resources trip."""


def check_roles(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    for field in ("task_role", "execution_role"):
        role: RolePolicyConfig | None = getattr(service, field)
        if role is not None:
            yield from check_role((*where, field), role)


def check_role(where: Location, role: RolePolicyConfig) -> Iterator[Finding]:
    for index, statement in enumerate(role.statements):
        if statement.effect == "allow" and "*" in statement.actions and "*" in statement.resources:
            yield (
                (*where, "statements", index),
                "allows every action on every resource: name the actions (service:Action) and the resources",
            )
    for index, arn in enumerate(role.managed_policies):
        if arn.rsplit("/", 1)[-1] in FULL_ACCESS_POLICIES and ":iam::aws:" in arn:
            yield (
                (*where, "managed_policies", index),
                f"{arn.rsplit('/', 1)[-1]} allows every action on every resource: use statements that name what the task calls",
            )
    aws_managed = [arn for arn in role.managed_policies if ":iam::aws:policy/" in arn]
    wildcards = [
        value
        for statement in role.statements
        if statement.effect == "allow"
        for value in (*statement.actions, *statement.resources)
        if "*" in value
    ]
    for index, acknowledgement in enumerate(role.acknowledge):
        at: Location = (*where, "acknowledge", index, "rule")
        rule = acknowledgement.rule
        managed = rule.split("[", 1)[0] == MANAGED_POLICY_RULE
        if rule == MANAGED_POLICY_RULE and not aws_managed:
            yield at, f"{rule} concerns AWS managed policies, and none are listed under managed_policies"
        elif rule == WILDCARD_RULE and not wildcards:
            yield at, f"{rule} concerns wildcard actions or resources, and no allow statement has one"
        elif not managed and not role.statements:
            yield at, f"{rule} concerns statements, and none are listed"
