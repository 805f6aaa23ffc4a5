"""TaskGrant, grant_statements and apply_grants: the grant vocabulary, compiled to least-privilege statements."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match

from ecs_toolkit.checks import nag
from ecs_toolkit.constructs import TaskGrant, apply_grants, attach_role_policy, grant_statements, granular_rule_ids
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


def test_role_policy_refuses_full_access_and_acknowledges_exactly_the_findings_it_causes(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    with pytest.raises(ValueError, match=": a statement allows every action on every resource"):
        everything = iam.PolicyStatement(actions=["*"], resources=["*"])
        attach_role_policy(role, scope=stack, construct_id="Bad", statements=[everything])
    statements = [
        iam.PolicyStatement(actions=["s3:Get*"], resources=["arn:aws:s3:::bucket/*"]),
        iam.PolicyStatement(actions=["s3:PutObject"], resources=["arn:aws:s3:::bucket/key"]),
    ]
    managed = ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess", "arn:aws:iam::111122223333:policy/own"]

    assert granular_rule_ids("AwsSolutions-IAM5", scope=stack, statements=statements, managed_policy_arns=managed) == [
        "AwsSolutions-IAM5[Action::s3:Get*]",
        "AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]",
    ]
    assert granular_rule_ids("AwsSolutions-IAM4", scope=stack, statements=statements, managed_policy_arns=managed) == [
        "AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess]"
    ]
    reason = "the application reads every object of its own bucket"
    attach_role_policy(
        role,
        scope=stack,
        construct_id="Custom",
        statements=statements,
        managed_policy_arns=managed,
        acknowledgements=[("AwsSolutions-IAM5", reason), ("AwsSolutions-IAM4", reason)],
    )

    template = assertions.Template.from_stack(stack)
    template.has_resource_properties("AWS::IAM::Role", {"ManagedPolicyArns": managed})
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": [Match.object_like({"Action": action}) for action in ("s3:Get*", "s3:PutObject")]}},
    )
    before = {f.rule_id for f in nag.findings(stack, before_acknowledgement=True) if "IAM" in f.rule_id}
    assert before == {  # the policy and the role trip exactly the granular ids expanded above...
        "AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess]",
        "AwsSolutions-IAM5[Action::s3:Get*]",
        "AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]",
    }
    assert not [f for f in nag.findings(stack) if "IAM" in f.rule_id]  # ...and the acknowledgements silence them
