"""Permissions on hand-built templates: a secret the execution role may not read is CLOSED."""

from __future__ import annotations

from typing import Any

from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify import verify
from ecs_toolkit.verify.findings import CLOSED, OPEN
from ecs_toolkit.verify.iam import Statement, allows
from tests.verify.templates import ENV, assembly, att, config, platform, service

SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db"


def _with_secret(policy_resource: str | None) -> dict[str, Any]:
    template = service()
    container = template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    container["Secrets"] = [{"Name": "DB", "ValueFrom": f"{SECRET}:password::"}]
    if policy_resource is not None:
        template["Resources"]["ExecutionPolicy"] = {
            "Type": "AWS::IAM::Policy",
            "Properties": {
                "Roles": [{"Ref": "ExecutionRole"}],
                "PolicyDocument": {
                    "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": policy_resource}]
                },
            },
        }
    return template


def _secret_finding(template: dict[str, Any]) -> tuple[str, str]:
    (finding,) = [f for f in verify(assembly(platform(), template), config()) if f.path == "app: secret DB"]
    return finding.status, finding.detail


def test_secret_granted_with_the_random_suffix_wildcard_is_readable() -> None:
    assert _secret_finding(_with_secret(f"{SECRET}-??????"))[0] == OPEN


def test_secret_without_a_statement_is_closed_and_names_what_is_missing() -> None:
    assert _secret_finding(_with_secret(None)) == (
        CLOSED,
        f"the execution role may not: secretsmanager:GetSecretValue on {SECRET}",
    )


def test_secret_granted_on_another_secret_is_closed() -> None:
    assert _secret_finding(_with_secret(f"{SECRET}2-??????"))[0] == CLOSED


def test_explicit_deny_wins_over_allow() -> None:
    statements = [
        Statement("Allow", ("s3:*",), ("arn:aws:s3:::bucket/*",)),
        Statement("Deny", ("s3:DeleteObject",), ("*",)),
    ]
    assert allows(statements, "s3:GetObject", "arn:aws:s3:::bucket/key")
    assert not allows(statements, "s3:DeleteObject", "arn:aws:s3:::bucket/key")
    assert not allows(statements, "s3:GetObject", "arn:aws:s3:::other/key")


# --- custom statements and managed policies on the roles -----------------------------------

BUCKET_OBJECTS = "arn:aws:s3:::reports/*"
ROLES = {
    "task_role": {
        "statements": [
            {"actions": ["s3:GetObject", "s3:PutObject"], "resources": [BUCKET_OBJECTS]},
            {"effect": "deny", "actions": ["s3:DeleteObject"], "resources": [BUCKET_OBJECTS]},
        ],
        "managed_policies": ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"],
    }
}


def _custom_findings(statements: list[dict[str, Any]], managed: list[str]) -> dict[str, tuple[str, str]]:
    template = service()
    template["Resources"]["TaskRole"]["Properties"] = {"ManagedPolicyArns": managed}
    template["Resources"]["CustomPolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {"Roles": [{"Ref": "TaskRole"}], "PolicyDocument": {"Statement": statements}},
    }
    findings = verify(assembly(platform(), template), config(**ROLES))
    return {f.path: (f.status, f.detail) for f in findings if "task_role" in f.path}


def test_custom_statements_and_managed_policies_on_the_role_are_open() -> None:
    findings = _custom_findings(
        [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": BUCKET_OBJECTS},
            {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": BUCKET_OBJECTS},
        ],
        ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"],
    )

    assert findings == {
        "app: task_role statement 0": (OPEN, "the task role may s3:GetObject, s3:PutObject"),
        "app: task_role statement 1": (OPEN, "the task role is denied s3:DeleteObject"),
        "app: task_role policy AWSXrayWriteOnlyAccess": (
            OPEN,
            "the task role has arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        ),
    }


def test_a_statement_missing_from_the_role_or_a_deny_that_is_allowed_is_closed() -> None:
    findings = _custom_findings(
        [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": BUCKET_OBJECTS}], []
    )

    assert findings["app: task_role statement 0"] == (
        CLOSED,
        f"the task role may not: s3:PutObject on {BUCKET_OBJECTS}",
    )
    assert findings["app: task_role statement 1"] == (
        CLOSED,
        f"the task role is still allowed: s3:DeleteObject on {BUCKET_OBJECTS}",
    )
    assert findings["app: task_role policy AWSXrayWriteOnlyAccess"][0] == CLOSED


def test_a_job_started_with_exec_needs_the_channels_on_its_task_role() -> None:
    job = {"kind": "job", "image": "busybox", "cpu": 256, "memory_mib": 512, "schedule": "rate(1 hour)", "exec": True}
    config = EnvironmentConfig.model_validate({"name": ENV, "services": {"app": job}})
    definition = {
        "Fn::Join": ["", ['{"StartAt":"Run","States":{"Run":{"Parameters":{"EnableExecuteCommand":true,', '"Cluster":"c"}}}}']]
    }
    template = {
        "Resources": {
            "TaskRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            "TaskDefinition": {
                "Type": "AWS::ECS::TaskDefinition",
                "Properties": {"NetworkMode": "awsvpc", "TaskRoleArn": att("TaskRole", "Arn"), "ContainerDefinitions": []},
            },
            "StateMachine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": definition}},
        }
    }
    findings = verify(assembly(platform(), template), config)
    (exec_finding,) = [f for f in findings if f.path == "app: ECS Exec"]
    assert exec_finding.status == CLOSED
    assert "ssmmessages:CreateControlChannel" in exec_finding.detail
