"""TaskGrant, grant_statements and apply_grants: the grant vocabulary, compiled to least-privilege statements."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from ecs_toolkit.constructs import TaskGrant, apply_grants, grant_statements
from tests.constructs.conftest import Example


def test_the_example_api_may_send_to_its_queue_through_one_inline_policy(example: Example) -> None:
    task_role = example.logical_id(example.built.api.task_definition.task_role)
    policies = [
        p["Properties"]
        for p in example.resources("AWS::IAM::Policy").values()
        if {"Ref": task_role} in p["Properties"].get("Roles", []) and p["Properties"]["PolicyName"].startswith("ApiGrants")
    ]
    (policy,) = policies
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == "sqs:SendMessage" or "sqs:SendMessage" in statement["Action"]
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":sqs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":orders"],
        ]
    }


def test_grant_vocabulary_rejects_unknown_intents_and_missing_resources(stack: cdk.Stack) -> None:
    with pytest.raises(ValueError, match="unknown grant intent 's3-admin'"):
        grant_statements(TaskGrant(intent="s3-admin", resource="arn:aws:s3:::b"), scope=stack)
    with pytest.raises(ValueError, match="sqs-send needs a resource ARN"):
        grant_statements(TaskGrant(intent="sqs-send"), scope=stack)
    with pytest.raises(ValueError, match="ssm-read-path needs a path"):
        grant_statements(TaskGrant(intent="ssm-read-path"), scope=stack)
    write_only = grant_statements(TaskGrant(intent="s3-write", resource="arn:aws:s3:::b", prefix="in"), scope=stack)
    assert [s.to_statement_json()["Resource"] for s in write_only] == ["arn:aws:s3:::b/in/*"]


def test_reading_a_prefix_lists_only_that_prefix_and_a_table_includes_its_indexes(stack: cdk.Stack) -> None:
    objects, listing = grant_statements(TaskGrant(intent="s3-read", resource="arn:aws:s3:::b", prefix="/reports/"), scope=stack)
    assert objects.to_statement_json()["Resource"] == "arn:aws:s3:::b/reports/*"
    assert listing.to_statement_json()["Condition"] == {"StringLike": {"s3:prefix": ["reports/*"]}}
    table = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
    (statement,) = grant_statements(TaskGrant(intent="dynamodb-read", resource=table), scope=stack)
    assert statement.to_statement_json()["Resource"] == [table, f"{table}/index/*"]


def test_no_grants_attach_no_policy(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    assert apply_grants(role, [], scope=stack) is None
