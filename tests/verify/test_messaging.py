"""Publish/subscribe proofs on the default manifest's templates: OPEN as synthesized, CLOSED once a grant is taken away."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from ecs_toolkit.assembly import Assembly
from ecs_toolkit.verify.findings import CLOSED, OPEN
from ecs_toolkit.verify.messaging import prove_messaging
from ecs_toolkit.verify.workloads import read_workloads
from tests.conftest import Synthesized

PUBLISH = "api: publish to topic order-events"
DELIVERY = "queue: api's topic order-events delivers to its queue"
CONSUME = "queue: consume api's topic order-events"

Templates = dict[str, dict[str, Any]]


def _templates(env: Synthesized) -> Templates:
    return {stack.stack_name: copy.deepcopy(stack.template) for stack in env.assembly.stacks}


def _findings(env: Synthesized, templates: Templates) -> dict[str, tuple[str, str]]:
    assembly = Assembly.from_templates(templates)
    config = env.environment.config
    found = prove_messaging(assembly, read_workloads(assembly, config), config)
    return {finding.path: (finding.status, finding.detail) for finding in found}


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == kind}


def _drop_statements(template: dict[str, Any], kind: str, keep: Callable[[dict[str, Any]], bool]) -> None:
    for resource in _of_type(template, kind).values():
        document = resource["Properties"]["PolicyDocument"]
        document["Statement"] = [s for s in document["Statement"] if keep(s)]


def _queue(template: dict[str, Any]) -> dict[str, Any]:
    return next(r for lid, r in _of_type(template, "AWS::SQS::Queue").items() if lid.startswith("Queue"))


def test_publish_delivery_and_consumption_are_open_as_synthesized(default_env: Synthesized) -> None:
    findings = _findings(default_env, _templates(default_env))

    assert {path: status for path, (status, _) in findings.items()} == {PUBLISH: OPEN, DELIVERY: OPEN, CONSUME: OPEN}


def _without_publish(templates: Templates) -> None:
    _drop_statements(templates["demo-api"], "AWS::IAM::Policy", lambda s: s["Action"] != "sns:Publish")


def _without_key_grant(templates: Templates) -> None:
    _drop_statements(templates["demo-api"], "AWS::IAM::Policy", lambda s: "kms:GenerateDataKey" not in s["Action"])


def _without_key_trust(templates: Templates) -> None:
    for key in _of_type(templates["demo-api"], "AWS::KMS::Key").values():
        key["Properties"]["KeyPolicy"]["Statement"] = []


def _without_queue_permission(templates: Templates) -> None:
    _drop_statements(templates["demo-queue"], "AWS::SQS::QueuePolicy", lambda s: s.get("Sid") != "TopicsSend")


def _from_another_topic(templates: Templates) -> None:
    for policy in _of_type(templates["demo-queue"], "AWS::SQS::QueuePolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Sid") == "TopicsSend":
                statement["Condition"]["ArnEquals"]["aws:SourceArn"] = ["arn:aws:sns:eu-west-1:111122223333:other"]


def _aws_managed_queue_key(templates: Templates) -> None:
    queue = _queue(templates["demo-queue"])
    queue["Properties"].pop("SqsManagedSseEnabled", None)
    queue["Properties"]["KmsMasterKeyId"] = "alias/aws/sqs"


def _without_topic_variable(templates: Templates) -> None:
    for definition in _of_type(templates["demo-api"], "AWS::ECS::TaskDefinition").values():
        for container in definition["Properties"]["ContainerDefinitions"]:
            container["Environment"] = [v for v in container["Environment"] if v["Name"] != "ORDER_EVENTS_TOPIC_ARN"]


def _without_consume(templates: Templates) -> None:
    _drop_statements(templates["demo-queue"], "AWS::IAM::Policy", lambda s: "sqs:ReceiveMessage" not in s["Action"])


@pytest.mark.parametrize(
    ("change", "path", "detail"),
    [
        (_without_publish, PUBLISH, "sns:Publish on"),
        (_without_key_grant, PUBLISH, "kms:GenerateDataKey on"),
        (_without_key_trust, PUBLISH, "lets neither the account nor the role use it"),
        (_without_queue_permission, DELIVERY, "the queue policy does not let SNS send from this topic"),
        (_from_another_topic, DELIVERY, "the queue policy does not let SNS send from this topic"),
        (_aws_managed_queue_key, DELIVERY, "alias/aws/sqs"),
        (_without_consume, CONSUME, "sqs:ReceiveMessage on"),
        (_without_topic_variable, PUBLISH, "the task is not given ORDER_EVENTS_TOPIC_ARN naming a topic"),
    ],
    ids=[
        "no-publish-grant",
        "no-key-grant",
        "key-policy-trusts-nobody",
        "no-queue-policy",
        "queue-policy-for-another-topic",
        "aws-managed-queue-key",
        "no-consume-grant",
        "task-not-told-the-topic",
    ],
)
def test_closed_when_a_grant_is_missing(
    default_env: Synthesized, change: Callable[[Templates], None], path: str, detail: str
) -> None:
    templates = _templates(default_env)
    change(templates)

    status, text = _findings(default_env, templates)[path]
    assert status == CLOSED
    assert detail in text


def _customer_queue_key(templates: Templates, *, allow_sns: bool) -> None:
    template = templates["demo-queue"]
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
    ]
    if allow_sns:
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": "*",
            }
        )
    template["Resources"]["QueueKey"] = {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": statements}}}
    queue = _queue(template)
    queue["Properties"].pop("SqsManagedSseEnabled", None)
    queue["Properties"]["KmsMasterKeyId"] = {"Fn::GetAtt": ["QueueKey", "Arn"]}


@pytest.mark.parametrize(("allow_sns", "status"), [(True, OPEN), (False, CLOSED)], ids=["key-allows-sns", "key-refuses-sns"])
def test_a_queue_under_a_customer_key_needs_the_key_to_let_sns_in(default_env: Synthesized, allow_sns: bool, status: str) -> None:
    templates = _templates(default_env)
    _customer_queue_key(templates, allow_sns=allow_sns)

    assert _findings(default_env, templates)[DELIVERY][0] == status
