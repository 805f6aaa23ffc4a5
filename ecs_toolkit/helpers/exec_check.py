"""``exec-check``: why ``aws ecs execute-command`` would fail for a service's task.

The task role check reads the role's inline and attached policies and evaluates Allow/Deny on the
four ``ssmmessages`` actions; conditions, permission boundaries and SCPs are not evaluated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote

from ecs_toolkit import outputs
from ecs_toolkit.helpers import queries
from ecs_toolkit.helpers.discover import Environment
from ecs_toolkit.helpers.errors import HelperError
from ecs_toolkit.helpers.sessions import Client

EXEC_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
AGENT = "ExecuteCommandAgent"


@dataclass(frozen=True)
class CheckItem:
    check: str
    ok: bool | None
    """``None``: skipped because an earlier check found nothing to look at."""
    detail: str = ""


@dataclass(frozen=True)
class ExecCheckResult:
    service: str
    task_id: str | None
    items: list[CheckItem]

    @property
    def ok(self) -> bool:
        return all(item.ok is not False for item in self.items)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _document(value: Any) -> dict[str, Any]:
    """IAM returns policy documents as dicts via boto3, but some endpoints send URL-encoded JSON."""
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(unquote(value))
        return loaded
    return dict(value)


def evaluate(documents: list[dict[str, Any]], actions: tuple[str, ...] = EXEC_ACTIONS) -> dict[str, bool]:
    """Whether each action is allowed on ``*`` by the documents (an explicit Deny wins)."""

    def matches(statement: dict[str, Any], action: str) -> bool:
        if "NotAction" in statement:
            hit = not any(fnmatchcase(action.lower(), p.lower()) for p in _as_list(statement["NotAction"]))
        else:
            hit = any(fnmatchcase(action.lower(), p.lower()) for p in _as_list(statement.get("Action")))
        covers_all = "NotResource" in statement or "*" in _as_list(statement.get("Resource"))
        return hit and covers_all

    statements = [s for document in documents for s in _as_list(document.get("Statement"))]
    result = {}
    for action in actions:
        allowed = any(s.get("Effect") == "Allow" and matches(s, action) for s in statements)
        denied = any(s.get("Effect") == "Deny" and matches(s, action) for s in statements)
        result[action] = allowed and not denied
    return result


def role_documents(iam: Client, role_arn: str) -> list[dict[str, Any]]:
    """The inline and attached managed policy documents of a role."""
    role = role_arn.rsplit("/", 1)[-1]
    documents = []
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
        for name in page.get("PolicyNames", []):
            documents.append(_document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]))
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role):
        for attached in page.get("AttachedPolicies", []):
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
            documents.append(_document(version["PolicyVersion"]["Document"]))
    return documents


def network_path(ec2: Client, vpc_id: str) -> CheckItem:
    """A NAT gateway or an ssmmessages interface endpoint in the VPC (the SSM agent's way out)."""
    name = "network path to SSM"
    gateways = ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]).get("NatGateways", [])
    available = [g["NatGatewayId"] for g in gateways if g.get("State") == "available"]
    if available:
        return CheckItem(name, True, f"NAT gateway {available[0]} in {vpc_id}")
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]).get("VpcEndpoints", [])
    for endpoint in endpoints:
        if endpoint.get("ServiceName", "").endswith(".ssmmessages") and endpoint.get("State", "").lower() == "available":
            return CheckItem(name, True, f"interface endpoint {endpoint['VpcEndpointId']} for ssmmessages")
    return CheckItem(name, False, f"no NAT gateway and no ssmmessages interface endpoint in {vpc_id}")


def task_vpc(task: queries.Item, cluster: str, *, ecs: Client, ec2: Client) -> str | None:
    """The VPC of an awsvpc task's ENI, or of the EC2 instance a bridge/host task runs on."""
    for attachment in task.get("attachments", []):
        details = {d.get("name"): d.get("value") for d in attachment.get("details", [])}
        if details.get("subnetId"):
            subnets = ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": [details["subnetId"]]}]).get("Subnets", [])
            return subnets[0]["VpcId"] if subnets else None
    if task.get("containerInstanceArn"):
        found = queries.describe_container_instances(ecs, cluster, [task["containerInstanceArn"]])
        if found:
            reservations = ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": [found[0]["ec2InstanceId"]]}])
            for reservation in reservations.get("Reservations", []):
                for instance in reservation.get("Instances", []):
                    return str(instance.get("VpcId")) if instance.get("VpcId") else None
    return None


def pick_task(ecs: Client, cluster: str, service_name: str, task: str | None) -> queries.Item | None:
    if task:
        described = queries.describe_tasks(ecs, cluster, [task])
        if not described:
            raise HelperError(f"task {task} not found in cluster {cluster}")
        return described[0]
    running = queries.service_tasks(ecs, cluster, service_name, "RUNNING")
    return running[0] if running else None


def exec_check(env: Environment, name: str, *, ecs: Client, iam: Client, ec2: Client, task: str | None = None) -> ExecCheckResult:
    """Each precondition of ECS Exec, pass or fail; without ``task``, the first running task of the service."""
    target = env.service(name)
    cluster = env.require_cluster()
    service_name = target.service_name
    if service_name is None:
        raise HelperError(f"{name} is a job: it has no service to exec into")
    described, missing = queries.describe_services(ecs, cluster, [service_name])
    if missing:
        raise HelperError(f"ECS service {service_name} not found in cluster {cluster}")
    service = described[service_name]
    enabled = bool(service.get("enableExecuteCommand"))
    items = [CheckItem("service enableExecuteCommand", enabled, "" if enabled else "set `exec: true` for the service and deploy")]
    chosen = pick_task(ecs, cluster, service_name, task)
    container = target.outputs.get(outputs.CONTAINER_NAME)
    if chosen is None:
        items.append(CheckItem("a running task", False, "the service has no RUNNING task"))
        items.append(CheckItem("task enableExecuteCommand", None, "no task"))
        items.append(CheckItem(f"{AGENT} running", None, "no task"))
        task_definition_arn = service.get("taskDefinition")
    else:
        items.append(CheckItem("a running task", chosen.get("lastStatus") == "RUNNING", f"{chosen.get('lastStatus')}"))
        enabled = bool(chosen.get("enableExecuteCommand"))
        hint = "" if enabled else "the task started before exec was enabled: force a new deployment"
        items.append(CheckItem("task enableExecuteCommand", enabled, hint))
        containers = [c for c in chosen.get("containers", []) if container is None or c.get("name") == container]
        agents = [a for c in containers for a in c.get("managedAgents", []) if a.get("name") == AGENT]
        state = agents[0].get("lastStatus") if agents else None
        detail = f"{container or 'container'}: {state or 'no agent reported'}"
        if agents and agents[0].get("reason"):
            detail += f" ({agents[0]['reason']})"
        items.append(CheckItem(f"{AGENT} running", state == "RUNNING", detail))
        task_definition_arn = chosen.get("taskDefinitionArn")
    role_arn = None
    if chosen is not None:
        role_arn = chosen.get("overrides", {}).get("taskRoleArn")
    if role_arn is None and task_definition_arn:
        role_arn = ecs.describe_task_definition(taskDefinition=task_definition_arn)["taskDefinition"].get("taskRoleArn")
    if role_arn is None:
        items.append(CheckItem("task role allows ssmmessages", False, "the task definition has no task role"))
    else:
        allowed = evaluate(role_documents(iam, role_arn))
        absent = [action for action, ok in allowed.items() if not ok]
        role = role_arn.rsplit("/", 1)[-1]
        detail = f"{role}: missing {', '.join(absent)}" if absent else role
        items.append(CheckItem("task role allows ssmmessages", not absent, detail))
    vpc_id = task_vpc(chosen, cluster, ecs=ecs, ec2=ec2) if chosen is not None else None
    vpc_id = vpc_id or env.vpc_id
    if vpc_id is None:
        items.append(CheckItem("network path to SSM", None, "VPC unknown (no task and no network stack)"))
    else:
        items.append(network_path(ec2, vpc_id))
    task_id = queries.task_id(chosen["taskArn"]) if chosen is not None else None
    return ExecCheckResult(name, task_id, items)


def format_exec_check(result: ExecCheckResult) -> list[str]:
    lines = [f"exec-check {result.service}" + (f" (task {result.task_id})" if result.task_id else "")]
    for item in result.items:
        mark = "skip" if item.ok is None else ("PASS" if item.ok else "FAIL")
        detail = item.detail if (item.ok is not True or item.check.startswith(("task role", "network", AGENT))) else ""
        lines.append(f"  {mark:4}  {item.check}" + (f": {detail}" if detail else ""))
    return lines
