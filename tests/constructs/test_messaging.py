"""PublishedTopics and QueueSubscriptions: encrypted topics, a publish grant on exactly them, subscriptions whose
queue policy (and customer key) admit only the subscribed topics, and the constructor checks."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match

from ecs_toolkit.constructs import PublishedTopics, QueueSubscriptions, TopicSpec, TopicSubscription


@pytest.fixture(scope="module")
def wired() -> assertions.Template:
    """Two stacks: topics (one FIFO) in the publisher's, a customer-key queue subscribed to one of them in the other."""
    app = cdk.App()
    publisher = cdk.Stack(app, "Publisher")
    topics = PublishedTopics(publisher, "Topics", topics=[TopicSpec("events"), TopicSpec("audit", fifo=True)])
    role = iam.Role(publisher, "Role", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    topics.grant_publish(role)
    subscriber = cdk.Stack(app, "Subscriber")
    key = kms.Key(subscriber, "QueueKey", enable_key_rotation=True)
    queue = sqs.Queue(subscriber, "Queue", encryption=sqs.QueueEncryption.KMS, encryption_master_key=key, enforce_ssl=True)
    QueueSubscriptions(
        subscriber,
        "Subscriptions",
        queue=queue,
        subscriptions=[
            TopicSubscription(label="p-events", topic=topics.topics["events"], filter_policy={"a": ["b"]}, raw_delivery=True)
        ],
    )
    ordered = sqs.Queue(subscriber, "Ordered", fifo=True, encryption=sqs.QueueEncryption.SQS_MANAGED)
    QueueSubscriptions(
        subscriber,
        "OrderedSubscriptions",
        queue=ordered,
        subscriptions=[TopicSubscription(label="p-audit", topic=topics.topics["audit"])],
    )
    assertions.Template.from_stack(publisher).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Action": "sns:Publish", "Resource": [{"Ref": Match.any_value()}, {"Ref": Match.any_value()}]}
                        )
                    ]
                )
            }
        },
    )
    return assertions.Template.from_stack(subscriber)


def test_subscription_carries_the_filter_policy_and_raw_delivery(wired: assertions.Template) -> None:
    wired.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "sqs", "FilterPolicy": {"a": ["b"]}, "FilterPolicyScope": "MessageAttributes", "RawMessageDelivery": True},
    )


def test_customer_key_of_the_queue_lets_sns_encrypt_only_for_the_subscribed_topic(wired: assertions.Template) -> None:
    wired.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Sid": "TopicsDeliver",
                                "Principal": {"Service": "sns.amazonaws.com"},
                                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                                "Condition": {"ArnEquals": {"aws:SourceArn": [{"Fn::ImportValue": Match.any_value()}]}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_constructor_checks() -> None:
    stack = cdk.Stack(cdk.App(), "Bare")
    with pytest.raises(ValueError, match="give at least one topic"):
        PublishedTopics(stack, "None", topics=[])
    with pytest.raises(ValueError, match="topic names must be unique, repeated: a"):
        PublishedTopics(stack, "Twice", topics=[TopicSpec("a"), TopicSpec("a")])
    topics = PublishedTopics(stack, "Topics", topics=[TopicSpec("std"), TopicSpec("ordered", fifo=True)])
    queue = sqs.Queue(stack, "Queue")
    with pytest.raises(ValueError, match="give at least one subscription"):
        QueueSubscriptions(stack, "Empty", queue=queue, subscriptions=[])
    imported = sqs.Queue.from_queue_arn(stack, "Imported", "arn:aws:sqs:eu-west-1:111122223333:work")
    one = [TopicSubscription(label="x", topic=topics.topics["std"])]
    with pytest.raises(ValueError, match=r"the queue must be created in this app \(its policy is set here\)"):
        QueueSubscriptions(stack, "Imported-", queue=imported, subscriptions=one)
    with pytest.raises(ValueError, match="labels must be unique, got"):
        QueueSubscriptions(stack, "Labels", queue=queue, subscriptions=one + one)
    with pytest.raises(ValueError, match="is a FIFO topic, which delivers to FIFO queues only"):
        QueueSubscriptions(
            stack, "Fifo", queue=queue, subscriptions=[TopicSubscription(label="o", topic=topics.topics["ordered"])]
        )


def test_a_fifo_topic_delivers_to_a_fifo_queue_whose_policy_names_it(wired: assertions.Template) -> None:
    subscriptions = wired.find_resources("AWS::SNS::Subscription")
    queues = wired.find_resources("AWS::SQS::Queue", {"Properties": {"FifoQueue": True}})
    (ordered,) = queues
    (fifo,) = [s for s in subscriptions.values() if s["Properties"]["Endpoint"] == {"Fn::GetAtt": [ordered, "Arn"]}]
    assert "FilterPolicy" not in fifo["Properties"]
    wired.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": ordered}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Sid": "TopicsSend", "Condition": {"ArnEquals": {"aws:SourceArn": [fifo["Properties"]["TopicArn"]]}}}
                        )
                    ]
                )
            },
        },
    )
