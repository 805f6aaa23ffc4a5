"""Prove publish/subscribe: each publisher may publish to its topics, each subscription's topic may deliver into
its queue, and each subscribed worker may consume that queue, read from the templates' policies.

A task publishes to the topics it is given as ``<NAME>_TOPIC_ARN`` variables (with the manifest,
every topic under ``publish`` must be among them). Publishing to a topic encrypted with a customer
managed key also needs ``kms:GenerateDataKey`` and ``kms:Decrypt`` on that key, from the role's
policies with a key policy that trusts the account's IAM policies (or names the role). Delivery
needs the queue policy to let ``sns.amazonaws.com`` send from the topic (``aws:SourceArn``), and,
for a queue encrypted with a customer managed key, the key policy to let SNS use it; a queue under
SQS-managed encryption needs nothing more, one under ``alias/aws/sqs`` can
never receive from SNS.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ecs_toolkit.assembly import Assembly, Attribute, Resource, ResourceRef, render
from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify.findings import CLOSED, OPEN, Finding
from ecs_toolkit.verify.iam import allows, role_statements
from ecs_toolkit.verify.workloads import Workload

SNS = "sns.amazonaws.com"
PUBLISH_KMS = ("kms:GenerateDataKey", "kms:Decrypt")
DELIVERY_KMS = ("kms:GenerateDataKey", "kms:Decrypt")
AWS_MANAGED_SQS_KEY = "alias/aws/sqs"
_SOURCE_OPERATORS = ("ArnEquals", "ArnLike", "StringEquals", "StringLike")


@dataclass(frozen=True)
class _ResourceStatement:
    effect: str
    principals: tuple[str, ...]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: dict[str, dict[str, tuple[str, ...]]]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resource_statements(document: Any) -> list[_ResourceStatement]:
    found = []
    for statement in _listed((document or {}).get("Statement", [])):
        principal = statement.get("Principal", {})
        if principal == "*":
            principals: tuple[str, ...] = ("*",)
        else:
            principals = tuple(render(p) for key in ("Service", "AWS") for p in _listed(principal.get(key, [])))
        conditions = {
            operator: {key: tuple(render(v) for v in _listed(values)) for key, values in entries.items()}
            for operator, entries in (statement.get("Condition") or {}).items()
        }
        found.append(
            _ResourceStatement(
                effect=str(statement.get("Effect", "Allow")),
                principals=principals,
                actions=tuple(str(a) for a in _listed(statement.get("Action", []))),
                resources=tuple(render(r) for r in _listed(statement.get("Resource", []))),
                conditions=conditions,
            )
        )
    return found


def _matches(statement: _ResourceStatement, principal: str, action: str, resource: str) -> bool:
    return (
        any(p in ("*", principal) for p in statement.principals)
        and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in statement.actions)
        and any(fnmatch.fnmatchcase(resource, r) for r in statement.resources)
    )


def _source_allowed(statement: _ResourceStatement, source: str) -> bool:
    """The statement's ``aws:SourceArn`` condition admits ``source`` (no such condition admits any source)."""
    values = [
        value
        for operator, entries in statement.conditions.items()
        if operator in _SOURCE_OPERATORS
        for key, listed in entries.items()
        if key.lower() == "aws:sourcearn"
        for value in listed
    ]
    return not values or any(fnmatch.fnmatchcase(source, value) for value in values)


def _denies_over_tls(statement: _ResourceStatement) -> bool:
    """A deny that applies to a call made over TLS (the SSL-only deny, ``aws:SecureTransport`` false, does not)."""
    secure = statement.conditions.get("Bool", {}).get("aws:SecureTransport")
    return secure is None or "false" not in [v.lower() for v in secure]


def resource_policy_allows(documents: Iterable[Any], principal: str, action: str, resource: str, source: str | None) -> bool:
    """Whether a resource policy lets the service ``principal`` call ``action`` on ``resource`` for ``source``."""
    statements = [s for document in documents for s in _resource_statements(document)]
    for statement in statements:
        if statement.effect == "Deny" and _matches(statement, principal, action, resource) and _denies_over_tls(statement):
            return False
    return any(
        statement.effect == "Allow"
        and _matches(statement, principal, action, resource)
        and (source is None or _source_allowed(statement, source))
        for statement in statements
    )


def _key_trusts_iam(assembly: Assembly, key: Resource, role: str, actions: Iterable[str]) -> bool:
    """The key policy lets the role's own policies decide: it allows the account root (or the role) the actions."""
    policy = assembly.resolve(key.stack, key.properties).get("KeyPolicy")
    statements = _resource_statements(policy)
    for action in actions:
        ok = any(
            s.effect == "Allow"
            and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in s.actions)
            and any(p == role or p.endswith(":root") or p == "*" for p in s.principals)
            for s in statements
        )
        if not ok:
            return False
    return True


def _key_arn(key: Resource) -> str:
    return render(Attribute(key.stack, key.logical_id, "Arn"))


def _role_ref(value: Any) -> ResourceRef | None:
    if isinstance(value, Attribute) and value.name == "Arn":
        return ResourceRef(value.stack, value.logical_id)
    return value if isinstance(value, ResourceRef) else None


_TOPIC_VARIABLE_SUFFIX = "_TOPIC_ARN"


def _topic_label(variable: str) -> str:
    """``ORDER_EVENTS_TOPIC_ARN`` -> ``topic order-events`` (topic names have hyphens, never underscores)."""
    return f"topic {variable.removesuffix(_TOPIC_VARIABLE_SUFFIX).lower().replace('_', '-')}"


def _told_topics(assembly: Assembly, workload: Workload) -> dict[str, Resource]:
    """The topics a task is given as ``<NAME>_TOPIC_ARN`` (a ``Ref`` to an ``AWS::SNS::Topic``): it publishes to them."""
    found = {}
    for container in workload.containers(assembly):
        for variable in container.get("Environment", []):
            name = str(variable.get("Name", ""))
            topic = assembly.target(variable.get("Value"))
            if name.endswith(_TOPIC_VARIABLE_SUFFIX) and topic is not None and topic.type == "AWS::SNS::Topic":
                found[name] = topic
    return found


def _topic_names(assembly: Assembly, workload: Workload) -> dict[str, str]:
    """Topic logical id -> ``topic <name>``, for the topics the workload's task is told about."""
    return {topic.logical_id: _topic_label(variable) for variable, topic in _told_topics(assembly, workload).items()}


def prove_messaging(assembly: Assembly, workloads: dict[str, Workload], config: EnvironmentConfig | None = None) -> list[Finding]:
    """Publish permissions for every topic a task is told about, then delivery and consumption of every SQS
    subscription. With the manifest, each topic under ``publish`` must also reach its task as ``<NAME>_TOPIC_ARN``."""
    findings: list[Finding] = []
    by_stack = {workload.stack: workload for workload in workloads.values()}
    for name, workload in workloads.items():
        if workload.task_definition is None:
            continue
        props = assembly.resolve(workload.stack, workload.task_definition.properties)
        role = _role_ref(props.get("TaskRoleArn"))
        topics = _told_topics(assembly, workload)
        for variable, topic in topics.items():
            findings.append(_publish(assembly, f"{name}: publish to {_topic_label(variable)}", topic, role))
        entry = config.services.get(name) if config is not None else None
        for published in entry.publish if entry is not None else ():
            variable = derived.topic_variable(published.name)
            if variable not in topics:
                label = f"{name}: publish to topic {published.name}"
                findings.append(Finding("permission", label, CLOSED, f"the task is not given {variable} naming a topic"))
    for subscription in assembly.resources("AWS::SNS::Subscription"):
        props = assembly.resolve(subscription.stack, subscription.properties)
        if str(props.get("Protocol", "")).lower() != "sqs":
            continue
        source = assembly.target(props.get("TopicArn"))
        queue = assembly.target(props.get("Endpoint"))
        if source is None or queue is None:
            continue
        subscriber = by_stack.get(queue.stack)
        publisher = by_stack.get(source.stack)
        topic_label = source.logical_id
        if publisher is not None:
            topic_label = f"{publisher.name}'s {_topic_names(assembly, publisher).get(source.logical_id, source.logical_id)}"
        owner = subscriber.name if subscriber is not None else queue.stack
        findings.append(_delivery(assembly, f"{owner}: {topic_label} delivers to its queue", source, queue))
        if subscriber is not None and subscriber.task_definition is not None:
            task = assembly.resolve(subscriber.stack, subscriber.task_definition.properties)
            role = _role_ref(task.get("TaskRoleArn"))
            queue_arn = render(Attribute(queue.stack, queue.logical_id, "Arn"))
            needs = [("sqs:ReceiveMessage", queue_arn), ("sqs:DeleteMessage", queue_arn)]
            findings.append(_consume(assembly, f"{owner}: consume {topic_label}", role, needs))
    return findings


def _publish(assembly: Assembly, label: str, topic: Resource, role: ResourceRef | None) -> Finding:
    if role is None:
        return Finding("permission", label, CLOSED, "the task has no role to publish with")
    statements = role_statements(assembly, role)
    missing = [] if allows(statements, "sns:Publish", render(topic.ref)) else [f"sns:Publish on {render(topic.ref)}"]
    props = assembly.resolve(topic.stack, topic.properties)
    key = assembly.target(props.get("KmsMasterKeyId"))
    if key is not None and key.type == "AWS::KMS::Key":
        arn = _key_arn(key)
        missing += [f"{action} on {arn}" for action in PUBLISH_KMS if not allows(statements, action, arn)]
        if not _key_trusts_iam(assembly, key, render(role), PUBLISH_KMS):
            missing.append(f"the policy of key {key.logical_id} lets neither the account nor the role use it")
    if missing:
        return Finding("permission", label, CLOSED, f"the task role may not: {'; '.join(missing)}")
    return Finding("permission", label, OPEN, "the task role may sns:Publish" + (" with the topic's key" if key else ""))


def _delivery(assembly: Assembly, label: str, topic: Resource, queue: Resource) -> Finding:
    queue_arn = render(Attribute(queue.stack, queue.logical_id, "Arn"))
    documents = [
        assembly.resolve(policy.stack, policy.properties).get("PolicyDocument")
        for policy in assembly.resources("AWS::SQS::QueuePolicy")
        if queue.ref in assembly.resolve(policy.stack, policy.properties).get("Queues", [])
    ]
    problems = []
    if not resource_policy_allows(documents, SNS, "sqs:SendMessage", queue_arn, render(topic.ref)):
        problems.append("the queue policy does not let SNS send from this topic")
    props = assembly.resolve(queue.stack, queue.properties)
    key_id = props.get("KmsMasterKeyId")
    if render(key_id) == AWS_MANAGED_SQS_KEY:
        problems.append("the queue is encrypted with alias/aws/sqs, whose key policy SNS may never use")
    key = assembly.target(key_id)
    if key is not None and key.type == "AWS::KMS::Key":
        policy = assembly.resolve(key.stack, key.properties).get("KeyPolicy")
        for action in DELIVERY_KMS:
            if not resource_policy_allows([policy], SNS, action, "*", render(topic.ref)):
                problems.append(f"the queue's key policy does not let SNS {action}")
    if problems:
        return Finding("delivery", label, CLOSED, "; ".join(problems))
    encryption = "customer key" if key is not None else "SQS-managed encryption"
    return Finding("delivery", label, OPEN, f"SNS may send from the topic ({encryption})")


def _consume(assembly: Assembly, label: str, role: ResourceRef | None, needs: list[tuple[str, str]]) -> Finding:
    if role is None:
        return Finding("permission", label, CLOSED, "the task has no role to consume with")
    statements = role_statements(assembly, role)
    missing = [f"{action} on {resource}" for action, resource in needs if not allows(statements, action, resource)]
    if missing:
        return Finding("permission", label, CLOSED, f"the task role may not: {'; '.join(missing)}")
    return Finding("permission", label, OPEN, "the task role may receive and delete the queue's messages")
