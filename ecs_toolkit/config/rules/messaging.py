"""Publish/subscribe rules: topic names, subscriptions to existing topics, FIFO pairing, filter policies, cycles."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location, did_you_mean
from ecs_toolkit.data import sns_filter_policy


def check_messaging(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every problem with ``publish`` and ``subscribe``, at the entry it concerns."""
    for name, service in config.services.items():
        where: Location = ("services", name)
        seen: set[str] = set()
        for index, topic in enumerate(service.publish):
            if topic.name in seen:
                yield (*where, "publish", index, "name"), f"topic {topic.name!r} is listed twice"
            seen.add(topic.name)
        yield from _variables(where, service)
        if service.subscribe is not None:
            yield from _subscribe(config, where, name, service)
    cycle = derived.subscription_cycle(config)
    if cycle is not None:
        first = cycle[0]
        yield (
            ("services", first, "subscribe"),
            f"subscriptions form a cycle ({' receives from '.join(cycle)}): a publisher's stack deploys before its "
            "subscribers', so one of these subscriptions must go",
        )


def _variables(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """The variables publish sets must not be set by hand under ``environment`` too."""
    for index, topic in enumerate(service.publish):
        variable = derived.topic_variable(topic.name)
        if variable in service.environment:
            yield (*where, "publish", index, "name"), f"gives the variable {variable}, which environment sets too"
    if service.publish and "TOPICS" in service.environment:
        yield (*where, "environment", "TOPICS"), "is set by publish (the JSON map of the topics' ARNs): rename it"


def _subscribe(config: EnvironmentConfig, where: Location, name: str, service: ServiceConfig) -> Iterator[Finding]:
    assert service.subscribe is not None
    at: Location = (*where, "subscribe")
    if service.kind != "worker":
        yield at, f"only a worker's queue subscribes to topics, this is a {service.kind}"
        return
    queue = service.scaling.queue if service.scaling is not None else None
    if queue is not None and queue.arn is not None:
        yield (
            at,
            "the worker consumes an existing queue (scaling.queue.arn), whose policy is managed elsewhere: subscribe "
            "that queue to the topics where it is defined, or drop the arn so the toolkit creates the queue",
        )
        return
    seen: set[tuple[str, str]] = set()
    kinds: dict[bool, str] = {}
    for index, entry in enumerate(service.subscribe.topics):
        place: Location = (*at, "topics", index)
        publisher = config.services.get(entry.service)
        if publisher is None:
            yield (
                (*place, "service"),
                f"there is no service named {entry.service!r}{did_you_mean(entry.service, config.services)}",
            )
            continue
        topics = derived.published_topics(publisher)
        if entry.topic not in topics:
            owner = "this worker" if entry.service == name else repr(entry.service)
            if topics:
                yield (*place, "topic"), f"{owner} publishes no topic {entry.topic!r}{did_you_mean(entry.topic, topics)}"
            else:
                yield (*place, "topic"), f"{owner} publishes no topics: add publish: [{{name: {entry.topic}}}] to it"
            continue
        key = (entry.service, entry.topic)
        if key in seen:
            yield place, f"topic {entry.topic!r} of {entry.service!r} is subscribed twice: merge the filter policies"
            continue
        seen.add(key)
        kinds.setdefault(topics[entry.topic], f"{entry.service}.{entry.topic}")
        if entry.filter_policy:
            yield from filter_policy_problems((*place, "filter_policy"), entry.filter_policy)
    if len(kinds) == 2:
        yield (
            at,
            f"mixes a FIFO topic ({kinds[True]}) with a standard one ({kinds[False]}): FIFO topics deliver to FIFO "
            "queues only and a worker has one queue",
        )


def filter_policy_problems(at: Location, policy: dict[str, Any]) -> Iterator[Finding]:
    """What SNS would refuse in a filter policy on message attributes: its shape, operators, keys and combinations."""
    limits = sns_filter_policy()
    branches: list[dict[str, Any]] = []
    problems = list(_branches(at, policy, branches))
    yield from problems
    if problems:
        return
    keys = {key for branch in branches for key in branch}
    if len(keys) > limits.max_keys:
        yield at, f"uses {len(keys)} attribute names ({', '.join(sorted(keys))}); SNS allows at most {limits.max_keys}"
    combinations = sum(math.prod(len(values) for values in branch.values()) for branch in branches)
    if combinations > limits.max_combinations:
        yield (
            at,
            f"has {combinations} value combinations (the values of each name multiplied, summed over $or); "
            f"SNS allows at most {limits.max_combinations}",
        )
    size = len(json.dumps(policy).encode("utf-8"))
    if size > limits.max_size_bytes:
        yield at, f"is {size} bytes; SNS allows at most {limits.max_size_bytes}"


def _branches(at: Location, policy: dict[str, Any], out: list[dict[str, Any]]) -> Iterator[Finding]:
    """Expand ``$or`` into the flat policies it stands for (each appended to ``out``), reporting bad values."""
    flat: dict[str, list[Any]] = {}
    alternatives: list[list[dict[str, Any]]] = []
    for key, values in policy.items():
        place: Location = (*at, key)
        if key == "$or":
            if not isinstance(values, list) or len(values) < 2 or not all(isinstance(v, dict) and v for v in values):
                yield place, "takes a list of two or more filter policies (mappings of names to value lists)"
                continue
            expanded: list[dict[str, Any]] = []
            for index, option in enumerate(values):
                yield from _branches((*place, index), option, expanded)
            alternatives.append(expanded)
            continue
        if isinstance(values, dict):
            yield place, "SNS filters on message attributes take no nested names: give a list of values"
            continue
        if not isinstance(values, list) or not values:
            yield place, "give a list of one or more values (strings, numbers or operators such as {prefix: ...})"
            continue
        for index, value in enumerate(values):
            yield from _value((*place, index), value)
        flat[key] = values
    combined = [flat]
    for options in alternatives:
        combined = [{**base, **option} for base in combined for option in options]
    out.extend(combined)


def _value(at: Location, value: Any) -> Iterator[Finding]:
    limits = sns_filter_policy()
    if value is None or isinstance(value, str | bool | int | float):
        return
    if not isinstance(value, dict) or len(value) != 1:
        yield at, "a value is a string, a number, true, false, null, or one operator such as {prefix: order-}"
        return
    operator, argument = next(iter(value.items()))
    if operator not in limits.operators:
        yield at, f"{operator!r} is not an SNS filter operator (use one of {', '.join(limits.operators)})"
        return
    if operator in ("prefix", "suffix", "equals-ignore-case") and not isinstance(argument, str):
        yield at, f"{operator} takes a string"
    elif operator == "exists" and not isinstance(argument, bool):
        yield at, "exists takes true or false"
    elif operator == "cidr" and not isinstance(argument, str):
        yield at, "cidr takes an IP address range such as 10.0.0.0/24"
    elif operator == "numeric":
        yield from _numeric(at, argument, limits.numeric_comparisons)
    elif operator == "anything-but" and not _anything_but(argument):
        yield at, "anything-but takes a string, a number, a list of them, or {prefix: ...} / {suffix: ...}"


def _numeric(at: Location, argument: Any, comparisons: tuple[str, ...]) -> Iterator[Finding]:
    shape_ok = isinstance(argument, list) and len(argument) in (2, 4)
    if shape_ok:
        pairs = [argument[i : i + 2] for i in range(0, len(argument), 2)]
        shape_ok = all(
            pair[0] in comparisons and isinstance(pair[1], int | float) and not isinstance(pair[1], bool) for pair in pairs
        )
    if not shape_ok:
        yield (
            at,
            'numeric takes one or two comparisons and numbers, such as [">", 0, "<=", 5] '
            f"(comparisons: {', '.join(comparisons)})",
        )


def _anything_but(argument: Any) -> bool:
    def plain(item: Any) -> bool:
        return isinstance(item, str) or (isinstance(item, int | float) and not isinstance(item, bool))

    if plain(argument):
        return True
    if isinstance(argument, list):
        return bool(argument) and all(plain(item) for item in argument)
    if isinstance(argument, dict) and len(argument) == 1:
        operator, value = next(iter(argument.items()))
        return operator in ("prefix", "suffix") and isinstance(value, str)
    return False
