"""publish/subscribe and on-demand jobs in the shipped manifests: encrypted topics, a publish grant scoped to them,
the task's variables, the worker's subscription with its filter policy and a queue policy tied to the topic, the
subscriber's stack after the publisher's, and a job without a schedule."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match

from tests.conftest import ROOT, Synthesized, synthesize


@pytest.fixture(scope="module")
def fargate_env() -> Synthesized:
    return synthesize(ROOT / "config" / "examples" / "fargate-only.yaml")


def _resources(env: Synthesized, name: str, kind: str) -> dict[str, dict[str, object]]:
    template = env.template(env.environment.services[name]).to_json()
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == kind}


def _only(env: Synthesized, name: str, kind: str) -> tuple[str, dict[str, object]]:
    (found,) = _resources(env, name, kind).items()
    return found


def test_topic_is_encrypted_with_its_own_rotating_key_and_ssl_only(default_env: Synthesized) -> None:
    key_id, key = _only(default_env, "api", "AWS::KMS::Key")
    topic_id, topic = _only(default_env, "api", "AWS::SNS::Topic")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}  # type: ignore[index]
    assert key["Properties"]["EnableKeyRotation"] is True  # type: ignore[index]
    template = default_env.template(default_env.environment.services["api"])
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            },
        },
    )


def test_task_role_may_publish_to_exactly_its_topics_through_sns(default_env: Synthesized) -> None:
    key_id, _ = _only(default_env, "api", "AWS::KMS::Key")
    topic_id, _ = _only(default_env, "api", "AWS::SNS::Topic")
    policies = _resources(default_env, "api", "AWS::IAM::Policy")
    publishing = [
        statement
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[index]
        if "sns:Publish" in json.dumps(statement["Action"])
    ]
    assert publishing == [{"Action": "sns:Publish", "Effect": "Allow", "Resource": {"Ref": topic_id}}]
    (kms,) = [
        statement
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[index]
        if "kms:GenerateDataKey" in json.dumps(statement["Action"])
    ]
    assert kms["Resource"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert "kms:ViaService" in kms["Condition"]["StringEquals"]
    # No other role of the environment names the topic.
    for name in default_env.environment.services:
        if name != "api":
            assert topic_id not in json.dumps(_resources(default_env, name, "AWS::IAM::Policy"))


def test_task_gets_each_topic_arn_and_the_topics_map(default_env: Synthesized) -> None:
    topic_id, _ = _only(default_env, "api", "AWS::SNS::Topic")
    (definition,) = _resources(default_env, "api", "AWS::ECS::TaskDefinition").values()
    container = definition["Properties"]["ContainerDefinitions"][0]  # type: ignore[index]
    variables = {v["Name"]: v["Value"] for v in container["Environment"]}
    assert variables["ORDER_EVENTS_TOPIC_ARN"] == {"Ref": topic_id}
    assert variables["TOPICS"] == {"Fn::Join": ["", ['{"order-events":"', {"Ref": topic_id}, '"}']]}


def test_worker_queue_subscribes_with_the_filter_policy(default_env: Synthesized) -> None:
    _, subscription = _only(default_env, "queue", "AWS::SNS::Subscription")
    queue_id = next(lid for lid in _resources(default_env, "queue", "AWS::SQS::Queue") if lid.startswith("Queue"))
    props = subscription["Properties"]
    assert props["Protocol"] == "sqs"  # type: ignore[index]
    assert props["Endpoint"] == {"Fn::GetAtt": [queue_id, "Arn"]}  # type: ignore[index]
    assert props["FilterPolicy"] == {"event": ["placed", "cancelled"]}  # type: ignore[index]
    assert props["FilterPolicyScope"] == "MessageAttributes"  # type: ignore[index]
    topic_id, _ = _only(default_env, "api", "AWS::SNS::Topic")
    (imported,) = props["TopicArn"].values()  # type: ignore[index]
    assert imported.startswith("demo-api:") and topic_id in imported


def test_queue_policy_lets_sns_send_only_from_the_subscribed_topic(default_env: Synthesized) -> None:
    _, subscription = _only(default_env, "queue", "AWS::SNS::Subscription")
    topic_arn = subscription["Properties"]["TopicArn"]  # type: ignore[index]
    queue_id = next(lid for lid in _resources(default_env, "queue", "AWS::SQS::Queue") if lid.startswith("Queue"))
    (policy,) = [
        p
        for p in _resources(default_env, "queue", "AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": queue_id}]  # type: ignore[index]
    ]
    allows = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]  # type: ignore[index]
    assert allows == [
        {
            "Sid": "TopicsSend",
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
            "Condition": {"ArnEquals": {"aws:SourceArn": [topic_arn]}},
        }
    ]


def test_subscriber_stack_deploys_after_the_publisher(default_env: Synthesized) -> None:
    queue = default_env.assembly.get_stack_by_name("demo-queue")
    assert "demo-api" in [dependency.id for dependency in queue.dependencies]
    order = list(default_env.environment.services)
    assert order.index("api") < order.index("queue")


def test_fifo_topic_gets_a_fifo_name_and_content_deduplication(fargate_env: Synthesized) -> None:
    _, topic = _only(fargate_env, "reindex", "AWS::SNS::Topic")
    props = topic["Properties"]
    assert props["FifoTopic"] is True  # type: ignore[index]
    assert props["ContentBasedDeduplication"] is True  # type: ignore[index]
    assert str(props["TopicName"]).endswith(".fifo")  # type: ignore[index]


def test_on_demand_job_keeps_its_state_machine_and_failure_alarm_without_a_schedule(fargate_env: Synthesized) -> None:
    stack = fargate_env.environment.services["reindex"]
    template = fargate_env.template(stack)
    template.resource_count_is("AWS::Scheduler::Schedule", 0)
    template.resource_count_is("AWS::SQS::Queue", 0)
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {"Metrics": Match.array_with([Match.object_like({"Expression": "failed + timedout + aborted"})])},
    )
    outputs = template.to_json()["Outputs"]
    assert "ScheduleName" not in outputs
    assert {"StateMachineArn", "TaskDefinitionArn"} <= set(outputs)
    assert fargate_env.assembly.get_stack_by_name("shop-reindex").template["Description"] == "shop: on-demand job reindex"
