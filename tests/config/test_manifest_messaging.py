"""publish and subscribe: every refused declaration at its line, filter policies as SNS limits them, deployment order."""

from __future__ import annotations

import pytest

from ecs_toolkit.config import derived
from tests.config.conftest import Manifests

SERVICES = """\
api:
  kind: backend
  image: app
  port: 8080
  cpu: 256
  memory_mib: 512
  publish: [{name: order-events}, {name: audit, fifo: true}]
queue:
  kind: worker
  image: busybox
  cpu: 256
  memory_mib: 512
  subscribe:
    topics:
      - service: %s
        topic: %s
        filter_policy: %s
"""
ENTRY_LINE = 25
"""Line of the first subscription's ``service`` (BASE is 9 lines, ``services:`` is line 10)."""
TOPIC_LINE = ENTRY_LINE + 1
POLICY_LINE = ENTRY_LINE + 2


def _subscribing(service: str = "api", topic: str = "order-events", policy: str = "{}") -> str:
    return SERVICES % (service, topic, policy)


def test_subscription_to_a_published_topic_validates(manifest: Manifests) -> None:
    config = manifest.load(manifest.services(_subscribing(policy="{event: [placed, {prefix: order-}]}")))

    assert derived.subscribed_topics(config, config.services["queue"]) == [("api", "order-events", False)]
    assert derived.topic_variable("order-events") == "ORDER_EVENTS_TOPIC_ARN"
    assert derived.has_work_queue(config.services["queue"])
    assert not derived.fifo_work_queue(config, config.services["queue"])


def test_a_subscriber_deploys_after_its_publisher_even_when_listed_first(manifest: Manifests) -> None:
    text = _subscribing()
    api, queue = text.split("queue:\n")
    config = manifest.load(manifest.services("queue:\n" + queue + api))

    assert list(config.services) == ["queue", "api"]
    assert derived.deployment_order(config) == ["api", "queue"]


@pytest.mark.parametrize(
    ("service", "topic", "line", "problem"),
    [
        ("apii", "order-events", ENTRY_LINE, "service: there is no service named 'apii': did you mean 'api'?"),
        ("api", "order-event", TOPIC_LINE, "topic: 'api' publishes no topic 'order-event': did you mean 'order-events'?"),
        ("queue", "work", TOPIC_LINE, "topic: this worker publishes no topics: add publish: [{name: work}] to it"),
    ],
    ids=["unknown-service", "unknown-topic", "a-service-that-publishes-nothing"],
)
def test_fails_on_a_topic_that_does_not_exist(manifest: Manifests, service: str, topic: str, line: int, problem: str) -> None:
    assert manifest.problems(manifest.services(_subscribing(service, topic))) == [
        f"{line}: services.queue.subscribe.topics.0.{problem}"
    ]


def test_fails_when_a_worker_subscribes_to_one_topic_twice(manifest: Manifests) -> None:
    text = _subscribing() + "      - {service: api, topic: order-events}\n"

    assert manifest.problems(manifest.services(text)) == [
        f"{POLICY_LINE + 1}: services.queue.subscribe.topics.1: topic 'order-events' of 'api' is subscribed twice: "
        "merge the filter policies"
    ]


def test_a_worker_may_receive_its_own_topic(manifest: Manifests) -> None:
    text = _subscribing("queue", "work").replace("  subscribe:\n", "  publish: [{name: work}]\n  subscribe:\n")
    config = manifest.load(manifest.services(text))

    assert derived.subscribed_topics(config, config.services["queue"]) == [("queue", "work", False)]


def test_fails_when_standard_and_fifo_topics_share_the_one_queue(manifest: Manifests) -> None:
    text = _subscribing() + "      - {service: api, topic: audit}\n"

    assert manifest.problems(manifest.services(text)) == [
        "23: services.queue.subscribe: mixes a FIFO topic (api.audit) with a standard one (api.order-events): "
        "FIFO topics deliver to FIFO queues only and a worker has one queue"
    ]


def test_a_fifo_subscription_makes_the_worker_queue_fifo(manifest: Manifests) -> None:
    config = manifest.load(manifest.services(_subscribing(topic="audit")))

    assert derived.fifo_work_queue(config, config.services["queue"])


def test_fails_when_a_non_worker_subscribes(manifest: Manifests) -> None:
    text = _subscribing().replace("kind: worker", "kind: job")

    assert manifest.problems(manifest.services(text)) == [
        "23: services.queue.subscribe: only a worker's queue subscribes to topics, this is a job"
    ]


def test_fails_when_the_worker_consumes_an_existing_queue(manifest: Manifests) -> None:
    arn = "arn:aws:sqs:eu-west-1:111122223333:work"
    text = _subscribing().replace("  subscribe:\n", f"  scaling: {{max: 2, queue: {{arn: '{arn}'}}}}\n  subscribe:\n")

    (problem,) = manifest.problems(manifest.services(text))
    assert problem.startswith("24: services.queue.subscribe: the worker consumes an existing queue (scaling.queue.arn)")


CYCLE = """\
left:
  kind: worker
  image: busybox
  cpu: 256
  memory_mib: 512
  publish: [{name: done}]
  subscribe: {topics: [{service: right, topic: work}]}
right:
  kind: worker
  image: busybox
  cpu: 256
  memory_mib: 512
  publish: [{name: work}]
  subscribe: {topics: [{service: left, topic: done}]}
"""


def test_fails_on_a_subscription_cycle(manifest: Manifests) -> None:
    assert manifest.problems(manifest.services(CYCLE)) == [
        "17: services.left.subscribe: subscriptions form a cycle (left receives from right receives from left): a "
        "publisher's stack deploys before its subscribers', so one of these subscriptions must go"
    ]


def test_fails_when_a_service_publishes_one_topic_twice(manifest: Manifests) -> None:
    text = _subscribing().replace("{name: audit, fifo: true}", "{name: order-events}")

    assert manifest.problems(manifest.services(text)) == ["17: services.api.publish.1.name: topic 'order-events' is listed twice"]


@pytest.mark.parametrize(
    ("policy", "problem"),
    [
        ("{a: [x], b: [x], c: [x], d: [x], e: [x], f: [x]}", "uses 6 attribute names (a, b, c, d, e, f); SNS allows at most 5"),
        (
            "{a: [1, 2, 3, 4, 5, 6], b: [1, 2, 3, 4, 5], c: [1, 2, 3, 4, 5, 6]}",
            "has 180 value combinations (the values of each name multiplied, summed over $or); SNS allows at most 150",
        ),
        ("{event: placed}", "give a list of one or more values (strings, numbers or operators such as {prefix: ...})"),
        ("{event: {kind: [placed]}}", "SNS filters on message attributes take no nested names: give a list of values"),
        (
            "{event: [{startswith: order}]}",
            "'startswith' is not an SNS filter operator (use one of anything-but, cidr, "
            "equals-ignore-case, exists, numeric, prefix, suffix)",
        ),
        (
            "{price: [{numeric: ['>>', 5]}]}",
            'numeric takes one or two comparisons and numbers, such as [">", 0, "<=", 5] (comparisons: =, <, <=, >, >=)',
        ),
        ("{event: [{exists: yes}]}", "exists takes true or false"),
        ("{'$or': [{a: [x]}]}", "takes a list of two or more filter policies (mappings of names to value lists)"),
    ],
    ids=["six-names", "too-many-combinations", "not-a-list", "nested", "unknown-operator", "bad-numeric", "bad-exists", "bad-or"],
)
def test_fails_on_a_filter_policy_sns_refuses(manifest: Manifests, policy: str, problem: str) -> None:
    (line,) = manifest.problems(manifest.services(_subscribing(policy=policy)))
    assert line.startswith(f"{POLICY_LINE}: services.queue.subscribe.topics.0.filter_policy")
    assert line.endswith(problem)


@pytest.mark.parametrize(
    "policy",
    [
        "{event: [placed, {anything-but: [test]}], price: [{numeric: ['>=', 0, '<', 100]}], ip: [{cidr: 10.0.0.0/24}]}",
        "{'$or': [{a: [1, 2]}, {b: [{exists: true}]}], c: [{equals-ignore-case: X}, {suffix: .png}]}",
        "{a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4, 5], c: [1, 2, 3, 4, 5, 6]}",
    ],
    ids=["operators", "or-and-case", "exactly-150-combinations"],
)
def test_accepts_what_sns_accepts(manifest: Manifests, policy: str) -> None:
    config = manifest.load(manifest.services(_subscribing(policy=policy)))

    assert config.services["queue"].subscribe is not None


def test_fails_when_a_topic_variable_is_set_by_hand(manifest: Manifests) -> None:
    text = _subscribing().replace("  publish:", "  environment: {ORDER_EVENTS_TOPIC_ARN: x}\n  publish:")

    assert manifest.problems(manifest.services(text)) == [
        "18: services.api.publish.0.name: gives the variable ORDER_EVENTS_TOPIC_ARN, which environment sets too"
    ]


def test_fails_when_topics_is_set_by_hand_next_to_publish(manifest: Manifests) -> None:
    text = _subscribing().replace("  publish:", "  environment: {TOPICS: x}\n  publish:")

    assert manifest.problems(manifest.services(text)) == [
        "17: services.api.environment.TOPICS: is set by publish (the JSON map of the topics' ARNs): rename it"
    ]
