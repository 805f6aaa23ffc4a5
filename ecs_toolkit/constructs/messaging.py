"""Publish/subscribe between services: encrypted SNS topics, and SQS queues subscribed to them.

``PublishedTopics`` creates a service's topics, all encrypted with one rotating KMS key of their own,
SSL-only, and grants a role ``sns:Publish`` on exactly them plus the two KMS actions SNS needs from a
publisher of an encrypted topic (``kms:GenerateDataKey`` and ``kms:Decrypt``, only through SNS).

``QueueSubscriptions`` subscribes one queue to topics (possibly of other stacks). The queue's policy
lets SNS send only from those topics (``aws:SourceArn``); a queue encrypted with a customer managed
key also gets a key policy statement letting SNS encrypt for it from those topics. A queue encrypted
with SQS-managed keys (SSE-SQS) needs nothing more; one encrypted with the AWS managed key
``alias/aws/sqs`` cannot receive from SNS at all, because that key's policy cannot be changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

SNS_PRINCIPAL = "sns.amazonaws.com"
PUBLISH_KMS_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]
"""What SNS asks of a publisher's role on the key of an encrypted topic."""
DELIVERY_KMS_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]
"""What SNS needs on the key of a queue encrypted with a customer managed key to deliver into it."""


@dataclass(frozen=True)
class TopicSpec:
    """One topic: ``name`` is its construct id's suffix (letters, digits, hyphens); ``fifo`` makes a ``.fifo`` topic."""

    name: str
    fifo: bool = False
    content_based_deduplication: bool = True
    """FIFO only: deduplicate by a hash of the body when the publisher gives no deduplication id."""


class PublishedTopics(Construct):
    """A set of encrypted topics that one role publishes to."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        topics: Sequence[TopicSpec],
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        super().__init__(scope, construct_id)
        if not topics:
            raise ValueError("PublishedTopics: give at least one topic")
        names = [spec.name for spec in topics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"PublishedTopics: topic names must be unique, repeated: {', '.join(duplicates)}")
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the topics of {cdk.Stack.of(self).stack_name}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        self.topics: dict[str, sns.Topic] = {}
        for spec in topics:
            self.topics[spec.name] = sns.Topic(
                self,
                f"Topic-{spec.name}",
                master_key=self.key,
                enforce_ssl=True,
                fifo=spec.fifo or None,
                content_based_deduplication=(spec.content_based_deduplication if spec.fifo else None),
            )
            self.topics[spec.name].apply_removal_policy(removal_policy)

    def grant_publish(self, role: iam.IRole) -> iam.Policy:
        """``sns:Publish`` on exactly these topics, and the key's data-key actions when called through SNS."""
        stack = cdk.Stack.of(self)
        policy = iam.Policy(
            self,
            "PublishPolicy",
            statements=[
                iam.PolicyStatement(actions=["sns:Publish"], resources=[t.topic_arn for t in self.topics.values()]),
                iam.PolicyStatement(
                    actions=PUBLISH_KMS_ACTIONS,
                    resources=[self.key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"sns.{stack.region}.{stack.url_suffix}"}},
                ),
            ],
        )
        role.attach_inline_policy(policy)
        return policy

    def environment(self) -> dict[str, str]:
        """``TOPICS``: a JSON map of topic name to ARN (resolved at deploy time)."""
        return {"TOPICS": cdk.Stack.of(self).to_json_string({name: t.topic_arn for name, t in self.topics.items()})}


@dataclass(frozen=True)
class TopicSubscription:
    """``topic`` delivers to the queue; ``label`` names the subscription's construct (``orders-events``)."""

    label: str
    topic: sns.ITopic
    filter_policy: Mapping[str, Any] = field(default_factory=dict)
    raw_delivery: bool = False


class QueueSubscriptions(Construct):
    """Subscribe ``queue`` to each topic, and let SNS send to it from exactly those topics."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        queue: sqs.IQueue,
        subscriptions: Sequence[TopicSubscription],
    ) -> None:
        super().__init__(scope, construct_id)
        if not subscriptions:
            raise ValueError("QueueSubscriptions: give at least one subscription")
        if not isinstance(queue, sqs.Queue):
            raise ValueError("QueueSubscriptions: the queue must be created in this app (its policy is set here)")
        labels = [s.label for s in subscriptions]
        if len(set(labels)) != len(labels):
            raise ValueError(f"QueueSubscriptions: labels must be unique, got {labels}")
        for subscription in subscriptions:
            topic_fifo = getattr(subscription.topic, "fifo", False)
            if topic_fifo and not queue.fifo:
                raise ValueError(f"QueueSubscriptions: {subscription.label} is a FIFO topic, which delivers to FIFO queues only")
        source_arns = [s.topic.topic_arn for s in subscriptions]
        queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="TopicsSend",
                principals=[iam.ServicePrincipal(SNS_PRINCIPAL)],
                actions=["sqs:SendMessage"],
                resources=[queue.queue_arn],
                conditions={"ArnEquals": {"aws:SourceArn": source_arns}},
            )
        )
        key = queue.encryption_master_key
        if key is not None:
            key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="TopicsDeliver",
                    principals=[iam.ServicePrincipal(SNS_PRINCIPAL)],
                    actions=DELIVERY_KMS_ACTIONS,
                    resources=["*"],
                    conditions={"ArnEquals": {"aws:SourceArn": source_arns}},
                )
            )
        policy = queue.node.try_find_child("Policy")
        self.subscriptions: dict[str, sns.CfnSubscription] = {}
        for subscription in subscriptions:
            resource = sns.CfnSubscription(
                self,
                subscription.label,
                protocol="sqs",
                topic_arn=subscription.topic.topic_arn,
                endpoint=queue.queue_arn,
                filter_policy=dict(subscription.filter_policy) or None,
                filter_policy_scope="MessageAttributes" if subscription.filter_policy else None,
                raw_message_delivery=subscription.raw_delivery or None,
            )
            if policy is not None:
                # SNS checks the queue policy when it first delivers: the policy must exist by then.
                resource.node.add_dependency(policy)
            self.subscriptions[subscription.label] = resource
