"""Custom statements and managed policies on a service's task and execution roles.

``manifest.service(body)`` puts the body's first line on line 12; ``BODY`` takes lines 12-16.
"""

from __future__ import annotations

BODY = "kind: backend\nimage: app\nport: 8080\ncpu: 256\nmemory_mib: 512\n"
REASON = "reason: the application writes its own metrics namespace only"


def test_loads_statements_managed_policies_and_acknowledgements_on_both_roles(manifest) -> None:
    body = BODY + (
        "task_role:\n"
        "  statements:\n"
        "    - actions: [cloudwatch:PutMetricData]\n"
        '      resources: ["*"]\n'
        '      conditions: {StringEquals: {"cloudwatch:namespace": app}}\n'
        "  managed_policies: [arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess]\n"
        f"  acknowledge: [{{rule: AwsSolutions-IAM5, {REASON}}}, {{rule: AwsSolutions-IAM4, {REASON}}}]\n"
        "execution_role:\n"
        "  statements:\n"
        "    - {effect: deny, actions: [ssm:GetParameters], resources: ['arn:aws:ssm:eu-west-1:111122223333:parameter/x']}\n"
    )

    service = manifest.load(manifest.service(body)).services["api"]

    assert service.task_role is not None and service.task_role.statements[0].conditions == {
        "StringEquals": {"cloudwatch:namespace": "app"}
    }
    assert service.execution_role is not None and service.execution_role.statements[0].effect == "deny"


def test_fails_when_a_statement_allows_every_action_on_every_resource(manifest) -> None:
    body = BODY + "task_role:\n  statements:\n    - {actions: ['*'], resources: ['*']}\n"

    assert manifest.problems(manifest.service(body)) == [
        "19: services.api.task_role.statements.0: allows every action on every resource: "
        "name the actions (service:Action) and the resources"
    ]


def test_a_deny_of_everything_is_allowed(manifest) -> None:
    body = BODY + "task_role:\n  statements:\n    - {effect: deny, actions: ['*'], resources: ['*']}\n"

    assert manifest.load(manifest.service(body)).services["api"].task_role is not None


def test_fails_when_the_administrator_policy_is_attached(manifest) -> None:
    body = BODY + "execution_role:\n  managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n"

    assert manifest.problems(manifest.service(body)) == [
        "18: services.api.execution_role.managed_policies.0: AdministratorAccess allows every action on every "
        "resource: use statements that name what the task calls"
    ]


def test_fails_when_an_acknowledgement_has_nothing_to_acknowledge(manifest) -> None:
    body = BODY + (
        "task_role:\n"
        "  statements: [{actions: [s3:GetObject], resources: ['arn:aws:s3:::bucket/key']}]\n"
        "  managed_policies: [arn:aws:iam::111122223333:policy/own]\n"
        "  acknowledge:\n"
        f"    - {{rule: AwsSolutions-IAM5, {REASON}}}\n"
        f"    - {{rule: AwsSolutions-IAM4, {REASON}}}\n"
    )

    assert manifest.problems(manifest.service(body)) == [
        "21: services.api.task_role.acknowledge.0.rule: AwsSolutions-IAM5 concerns wildcard actions or resources, "
        "and no allow statement has one",
        "22: services.api.task_role.acknowledge.1.rule: AwsSolutions-IAM4 concerns AWS managed policies, "
        "and none are listed under managed_policies",
    ]


def test_fails_on_a_malformed_action_resource_rule_or_a_short_reason(manifest) -> None:
    body = BODY + (
        "task_role:\n"
        "  statements: [{actions: [GetObject], resources: [bucket]}]\n"
        "  acknowledge: [{rule: IAM5, reason: because}]\n"
    )

    problems = manifest.problems(manifest.service(body))

    assert [p.split(": must")[0] for p in problems] == [
        "18: services.api.task_role.statements.0.actions.0",
        "18: services.api.task_role.statements.0.resources.0",
        "19: services.api.task_role.acknowledge.0.reason",
        "19: services.api.task_role.acknowledge.0.rule",
    ]
    assert "an IAM action such as s3:GetObject" in problems[0]
