"""Least privilege across every example manifest: no wildcard action or '*' resource off a reasoned list."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from ecs_toolkit.constructs.routing import DESCRIBE_ACTIONS
from tests.conftest import MANIFESTS, synthesize

SESSION_MANAGER_ACTIONS = frozenset(
    {
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage",
        "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",
        "ec2messages:GetMessages",
        "ec2messages:SendReply",
    }
)
ECS_AGENT_ACTIONS = frozenset(
    {"ecr:GetAuthorizationToken", "ecs:DiscoverPollEndpoint", "logs:CreateLogStream", "logs:PutLogEvents"}
)
STAR_RESOURCE_ALLOWED: dict[frozenset[str], str] = {
    SESSION_MANAGER_ACTIONS: "Session Manager on the instances: these actions take no resource-level scoping",
    frozenset({"ecs:Poll", "ecs:StartTelemetrySession"}): "ECS agent; conditioned on ecs:cluster = this cluster",
    ECS_AGENT_ACTIONS: "ECS agent (CDK's instance role): no resource-level scoping for these",
    frozenset({"ecr:GetAuthorizationToken"}): "Execution role pulling from ECR: the token call takes no resource",
    frozenset(
        {
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        }
    ): "ECS Exec channels in the task role: no resource-level scoping",
    frozenset(
        {
            "logs:DescribeLogGroups",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
        }
    ): "ECS Exec with session logging: the channels and the log-group lookup take no resource-level scoping",
    frozenset(
        {
            "ecs:DescribeTasks",
            "ecs:StopTask",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:GetLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:UpdateLogDelivery",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
            "xray:PutTelemetryRecords",
            "xray:PutTraceSegments",
        }
    ): "A job's state machine (CDK's runTask.sync policy): tasks exist only at run time; log delivery and X-Ray take no resource",
    frozenset(f"elasticloadbalancing:{action}" for action in DESCRIBE_ACTIONS): (
        "ECS infrastructure role of a blue-green/canary/linear service: ELB's Describe actions take no resource"
    ),
}
WILDCARD_ACTIONS_ALLOWED = {"ecs:Submit*": "ECS agent state reports, on this cluster's ARN only (CDK's instance role)"}
TRAILING_WILDCARD_RESOURCE_ACTIONS = {"s3:", "ssm:GetParameter", "dynamodb:"}
"""Grant intents name object keys, parameters under a path or a table's indexes with a trailing `/*`."""


MANIFEST_POLICY = re.compile(r"(Task|Execution)RolePolicy[0-9A-F]{8}$")
"""The statements a manifest writes under task_role/execution_role: cdk-nag reviews them, and each wildcard
needs an acknowledgement with a reason in the manifest (tests/compliance), so this allow-list is for the toolkit's own."""


def _statements(template: dict[str, object]) -> Iterator[tuple[str, dict[str, object]]]:
    for logical_id, resource in template["Resources"].items():  # type: ignore[attr-defined]
        documents = []
        if resource["Type"] == "AWS::IAM::Policy":
            documents = [resource["Properties"]["PolicyDocument"]]
        elif resource["Type"] == "AWS::IAM::Role":
            documents = [policy["PolicyDocument"] for policy in resource["Properties"].get("Policies", [])]
        for document in documents:
            for statement in document["Statement"]:
                yield logical_id, statement


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("manifest", MANIFESTS, ids=[path.stem for path in MANIFESTS])
def test_no_wildcard_action_or_star_resource_outside_the_reasoned_allow_list(manifest) -> None:  # type: ignore[no-untyped-def]
    synthesized = synthesize(manifest)
    problems = []
    for stack in synthesized.environment.stacks:
        template = synthesized.assembly.get_stack_by_name(stack.stack_name).template
        for logical_id, statement in _statements(template):
            if statement.get("Effect") == "Deny" or MANIFEST_POLICY.search(logical_id):
                continue
            actions = [str(action) for action in _listed(statement["Action"])]
            resources = _listed(statement.get("Resource"))
            for action in actions:
                if "*" in action and action not in WILDCARD_ACTIONS_ALLOWED:
                    problems.append(f"{stack.stack_name}/{logical_id}: wildcard action {action}")
            if "*" in resources and frozenset(actions) not in STAR_RESOURCE_ALLOWED:
                problems.append(f"{stack.stack_name}/{logical_id}: Resource * for {actions}")
            for resource in resources:
                rendered = json.dumps(resource)
                trailing_wildcard = resource != "*" and rendered.rstrip('"]}').endswith("*")
                granted = all(any(action.startswith(p) for p in TRAILING_WILDCARD_RESOURCE_ACTIONS) for action in actions)
                if trailing_wildcard and not granted:
                    problems.append(f"{stack.stack_name}/{logical_id}: wildcard resource {rendered} for {actions}")
    assert not problems, "\n".join(problems)


def test_the_allow_list_is_exercised_by_the_default_manifest() -> None:
    """The check above must see the statements it allows, or it proves nothing."""
    synthesized = synthesize(MANIFESTS[0])
    seen = set()
    for stack in synthesized.environment.stacks:
        template = synthesized.assembly.get_stack_by_name(stack.stack_name).template
        for _, statement in _statements(template):
            if "*" in _listed(statement.get("Resource")):
                seen.add(frozenset(str(a) for a in _listed(statement["Action"])))
    assert len(seen & set(STAR_RESOURCE_ALLOWED)) >= 3
