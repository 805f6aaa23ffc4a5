"""``deployments`` and ``rollback``: a service's ECS deployment history, and a way back.

``deployments`` lists the service's recent service deployments (ListServiceDeployments) and
describes them (DescribeServiceDeployments): status, strategy, and for one in progress its
lifecycle stage, its alarms and circuit breaker. ``rollback`` stops the deployment in progress with
``stopType=ROLLBACK`` (StopServiceDeployment: ECS returns to the last completed revision, whatever
the strategy); with none in progress, it deploys the task definition of the last successful
deployment before the current one (UpdateService), which runs as a deployment of the service's
own strategy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecs_toolkit.helpers import queries
from ecs_toolkit.helpers.discover import Environment
from ecs_toolkit.helpers.errors import HelperError
from ecs_toolkit.helpers.render import table, timestamp
from ecs_toolkit.helpers.sessions import Client

DEFAULT_LIMIT = 10
ACTIVE = ("PENDING", "IN_PROGRESS")
"""Statuses of a deployment that is still going (StopServiceDeployment can still stop it)."""
DESCRIBE_BATCH = 20
"""DescribeServiceDeployments takes at most 20 ARNs per call."""


@dataclass(frozen=True)
class Deployment:
    arn: str
    status: str
    created_at: datetime | None
    finished_at: datetime | None
    task_definition: str | None
    """The target revision's task definition (``None`` when ECS did not say)."""
    strategy: str | None = None
    stage: str | None = None
    """Lifecycle stage of a deployment in progress (SCALE_UP, TEST_TRAFFIC_SHIFT, BAKE_TIME, ...)."""
    reason: str = ""
    alarms: str | None = None
    """``status`` of the deployment's alarms, with the triggered ones."""
    circuit_breaker: str | None = None
    rollback: str | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class DeploymentHistory:
    service: str
    service_name: str
    deployments: list[Deployment] = field(default_factory=list)
    """Newest first."""

    @property
    def current(self) -> Deployment | None:
        return next((d for d in self.deployments if d.active), None)


@dataclass(frozen=True)
class RollbackResult:
    service: str
    action: str
    """``stopped`` (StopServiceDeployment ROLLBACK) or ``redeployed`` (UpdateService to the previous task definition)."""
    deployment_arn: str
    task_definition: str | None = None
    """What the service returns to (redeployed), or ``None`` when ECS picks the last completed revision."""


def _service(environment: Environment, name: str) -> tuple[str, str]:
    (target,) = environment.running_services([name])
    service_name = target.service_name
    assert service_name is not None, "running_services returns services only"
    return environment.require_cluster(), service_name


def _summary(item: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    alarms = item.get("alarms") or {}
    alarm_text = None
    if alarms.get("status"):
        triggered = alarms.get("triggeredAlarmNames") or []
        alarm_text = str(alarms["status"]) + (f" ({', '.join(triggered)})" if triggered else "")
    breaker = item.get("deploymentCircuitBreaker") or {}
    breaker_text = None
    if breaker.get("status"):
        breaker_text = f"{breaker['status']} {breaker.get('failureCount', 0)}/{breaker.get('threshold', '?')} failed tasks"
    rollback = item.get("rollback") or {}
    rollback_text = str(rollback.get("reason")) if rollback.get("reason") else None
    strategy = (item.get("deploymentConfiguration") or {}).get("strategy")
    return alarm_text, breaker_text, rollback_text, strategy


def _task_definitions(ecs: Client, revision_arns: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for batch in queries.chunks(revision_arns, DESCRIBE_BATCH):
        for revision in ecs.describe_service_revisions(serviceRevisionArns=batch).get("serviceRevisions", []):
            if revision.get("taskDefinition"):
                found[revision["serviceRevisionArn"]] = revision["taskDefinition"]
    return found


def deployment_history(environment: Environment, name: str, *, ecs: Client, limit: int = DEFAULT_LIMIT) -> DeploymentHistory:
    """The service's ``limit`` most recent deployments, newest first, each described."""
    cluster, service_name = _service(environment, name)
    briefs: list[dict[str, Any]] = []
    token: str | None = None
    while len(briefs) < limit:
        page = ecs.list_service_deployments(
            cluster=cluster, service=service_name, maxResults=min(100, limit), **({"nextToken": token} if token else {})
        )
        briefs += page.get("serviceDeployments", [])
        token = page.get("nextToken")
        if not token:
            break
    briefs = sorted(briefs, key=lambda b: b["createdAt"].timestamp() if b.get("createdAt") else 0.0, reverse=True)[:limit]
    details: dict[str, dict[str, Any]] = {}
    for batch in queries.chunks([b["serviceDeploymentArn"] for b in briefs], DESCRIBE_BATCH):
        for item in ecs.describe_service_deployments(serviceDeploymentArns=batch).get("serviceDeployments", []):
            details[item["serviceDeploymentArn"]] = item
    revisions = [b["targetServiceRevisionArn"] for b in briefs if b.get("targetServiceRevisionArn")]
    task_definitions = _task_definitions(ecs, revisions) if revisions else {}
    deployments = []
    for brief in briefs:
        item = details.get(brief["serviceDeploymentArn"], {})
        alarms, breaker, rollback, strategy = _summary(item)
        deployments.append(
            Deployment(
                arn=brief["serviceDeploymentArn"],
                status=str(item.get("status") or brief.get("status")),
                created_at=brief.get("createdAt"),
                finished_at=item.get("finishedAt") or brief.get("finishedAt"),
                task_definition=task_definitions.get(brief.get("targetServiceRevisionArn", "")),
                strategy=strategy,
                stage=item.get("lifecycleStage") if item.get("status", brief.get("status")) in ACTIVE else None,
                reason=str(item.get("statusReason") or brief.get("statusReason") or ""),
                alarms=alarms,
                circuit_breaker=breaker,
                rollback=rollback,
            )
        )
    return DeploymentHistory(service=name, service_name=service_name, deployments=deployments)


def rollback(environment: Environment, name: str, *, ecs: Client) -> RollbackResult:
    """Stop the deployment in progress with rollback; with none, redeploy the previous successful revision."""
    history = deployment_history(environment, name, ecs=ecs, limit=DEFAULT_LIMIT)
    current = history.current
    if current is not None:
        response = ecs.stop_service_deployment(serviceDeploymentArn=current.arn, stopType="ROLLBACK")
        return RollbackResult(service=name, action="stopped", deployment_arn=response.get("serviceDeploymentArn", current.arn))
    successful = [d for d in history.deployments if d.status == "SUCCESSFUL"]
    if len(successful) < 2:
        raise HelperError(
            f"{name}: no deployment in progress and no earlier successful deployment to return to "
            f"(ECS lists {len(history.deployments)} recent deployment(s))"
        )
    running, previous = successful[0], successful[1]
    if previous.task_definition is None:
        raise HelperError(f"{name}: ECS does not say which task definition deployment {previous.arn} ran")
    if previous.task_definition == running.task_definition:
        raise HelperError(f"{name}: the previous successful deployment ran the same task definition {previous.task_definition}")
    cluster = environment.require_cluster()
    service = ecs.update_service(cluster=cluster, service=history.service_name, taskDefinition=previous.task_definition)
    new: dict[str, Any] = next((d for d in service["service"].get("deployments", []) if d.get("status") == "PRIMARY"), {})
    return RollbackResult(
        service=name, action="redeployed", deployment_arn=str(new.get("id", "")), task_definition=previous.task_definition
    )


def _short(arn: str | None) -> str:
    return "-" if not arn else arn.rsplit("/", 1)[-1]


def format_history(history: DeploymentHistory) -> list[str]:
    if not history.deployments:
        return [f"{history.service} ({history.service_name}): no deployments listed by ECS"]
    lines = [f"{history.service} ({history.service_name}): {len(history.deployments)} most recent deployment(s), newest first"]
    rows = [
        [
            timestamp(d.created_at),
            timestamp(d.finished_at) if d.finished_at else "-",
            d.status,
            (d.strategy or "-").lower().replace("_", "-"),
            _short(d.task_definition),
            d.reason or "-",
        ]
        for d in history.deployments
    ]
    lines += table(["created", "finished", "status", "strategy", "task definition", "reason"], rows, indent="  ")
    current = history.current
    if current is not None:
        lines += ["", f"  in progress: {_short(current.arn)}, stage {current.stage or '-'}"]
        for label, value in (
            ("alarms", current.alarms),
            ("circuit breaker", current.circuit_breaker),
            ("rollback", current.rollback),
        ):
            if value:
                lines.append(f"    {label}: {value}")
    return lines


def format_rollback(result: RollbackResult) -> list[str]:
    if result.action == "stopped":
        return [
            f"{result.service}: stopping deployment {_short(result.deployment_arn)} with rollback; "
            "ECS returns to the last completed revision (follow it with: ecs-toolkit wait)"
        ]
    return [
        f"{result.service}: deploying the previous task definition {_short(result.task_definition)} "
        f"(deployment {result.deployment_arn or '-'}; follow it with: ecs-toolkit wait)"
    ]
