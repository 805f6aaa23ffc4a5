"""``publish`` and ``subscribe``: a service's topics in its own stack, each worker's subscriptions in the worker's.

A subscription refers to the publisher's topic ARN, so the subscriber's stack imports it and deploys
after the publisher's; ``derived.deployment_order`` puts publishers first and the rules refuse cycles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_sns as sns

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.constructs.messaging import PublishedTopics, QueueSubscriptions, TopicSpec, TopicSubscription
from ecs_toolkit.stacks.common import removal_policy

if TYPE_CHECKING:
    from ecs_toolkit.stacks.environment import Environment


def published_topics(stack: cdk.Stack, config: EnvironmentConfig, name: str) -> tuple[PublishedTopics | None, dict[str, str]]:
    """The service's topics (or ``None``) and the environment variables that name them."""
    service = config.services[name]
    if not service.publish:
        return None, {}
    topics = PublishedTopics(
        stack,
        "Topics",
        topics=[TopicSpec(name=topic.name, fifo=topic.fifo) for topic in service.publish],
        removal_policy=removal_policy(config),
    )
    variables = {derived.topic_variable(topic): resource.topic_arn for topic, resource in topics.topics.items()}
    return topics, {**variables, **topics.environment()}


def wire_subscriptions(environment: Environment) -> None:
    """Subscribe every worker's queue to the topics its manifest entry names."""
    config = environment.config
    for name, service in config.services.items():
        if service.subscribe is None:
            continue
        stack = environment.services[name]
        queue = getattr(stack, "queue", None)
        if queue is None:
            raise ValueError(f"{name}: a subscribing worker has no queue")
        subscriptions = []
        for entry in service.subscribe.topics:
            publisher = environment.services[entry.service]
            topics = publisher.topics
            assert topics is not None
            topic: sns.ITopic = topics.topics[entry.topic]
            subscriptions.append(
                TopicSubscription(
                    label=f"{entry.service}-{entry.topic}",
                    topic=topic,
                    filter_policy=entry.filter_policy,
                    raw_delivery=entry.raw_delivery,
                )
            )
        QueueSubscriptions(stack, "Subscriptions", queue=queue, subscriptions=subscriptions)
