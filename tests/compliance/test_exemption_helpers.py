"""The helpers every exemption goes through: acknowledge() and skip_checkov()."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs

from ecs_toolkit.compliance import acknowledge, skip_checkov
from tests.conftest import new_app

REASON = "A reason long enough for a reviewer to check it"


def test_acknowledge_refuses_a_reason_a_reviewer_cannot_check() -> None:
    with pytest.raises(ValueError, match="specific reason"):
        acknowledge(cdk.App(), "AwsSolutions-S1", "not needed")


def test_skip_checkov_records_each_check_once_in_the_resource_metadata() -> None:
    stack = cdk.Stack(new_app(), "Stack")
    group = logs.LogGroup(stack, "Logs")
    skip_checkov(group, "CKV_AWS_158", REASON)
    skip_checkov(group, "CKV_AWS_158", REASON + ", said twice")
    skip_checkov(group, "CKV_AWS_66", REASON)
    template = cdk.assertions.Template.from_stack(stack).to_json()
    (resource,) = template["Resources"].values()
    assert resource["Metadata"]["checkov"] == {
        "skip": [{"id": "CKV_AWS_158", "comment": REASON + ", said twice"}, {"id": "CKV_AWS_66", "comment": REASON}]
    }


def test_skip_checkov_refuses_a_short_reason_a_foreign_id_and_a_construct_without_a_resource() -> None:
    stack = cdk.Stack(new_app(), "Stack")
    group = logs.LogGroup(stack, "Logs")
    with pytest.raises(ValueError, match="specific reason"):
        skip_checkov(group, "CKV_AWS_158", "encrypted anyway")
    with pytest.raises(ValueError, match="not a checkov check id"):
        skip_checkov(group, "AwsSolutions-S1", REASON)
    with pytest.raises(ValueError, match="not a CloudFormation resource"):
        skip_checkov(stack, "CKV_AWS_158", REASON)


def test_acknowledge_refuses_an_empty_or_vague_reason() -> None:
    stack = cdk.Stack(new_app(), "Bare")
    with pytest.raises(ValueError, match="specific reason"):
        acknowledge(stack, "AwsSolutions-IAM5", "because")
    with pytest.raises(ValueError, match="rule id is required"):
        acknowledge(stack, " ", "a long enough reason for the check")
