"""``wait``: block until services are steady, streaming their events; explain a failed deployment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ecs_toolkit.helpers import queries
from ecs_toolkit.helpers.discover import Environment
from ecs_toolkit.helpers.errors import HelperError
from ecs_toolkit.helpers.polling import Deadline, Timing, quiet
from ecs_toolkit.helpers.render import timestamp
from ecs_toolkit.helpers.sessions import Client

DEFAULT_TIMEOUT_SECONDS = 900
STOPPED_TASKS_SHOWN = 5


@dataclass(frozen=True)
class StoppedTask:
    task_id: str
    task_definition: str
    stopped_at: datetime | None
    stop_code: str | None
    stopped_reason: str
    containers: list[str]
    """``name: exit N (reason)`` per container."""


@dataclass(frozen=True)
class ServiceState:
    name: str
    steady: bool
    failed: bool
    summary: str


@dataclass(frozen=True)
class WaitResult:
    outcome: Literal["steady", "failed", "timeout"]
    elapsed_seconds: float
    services: list[ServiceState]
    events: list[str] = field(default_factory=list)
    """Event lines streamed while waiting, oldest first."""
    stopped_tasks: dict[str, list[StoppedTask]] = field(default_factory=dict)
    """Recently stopped tasks of the services that failed or did not settle."""


def service_state(name: str, service: queries.Item) -> ServiceState:
    """Steady: one PRIMARY deployment, rollout COMPLETED, running == desired. Failed: any rollout FAILED."""
    deployments = service.get("deployments", [])
    desired, running = service.get("desiredCount", 0), service.get("runningCount", 0)
    failed = [d for d in deployments if d.get("rolloutState") == "FAILED"]
    if failed:
        reason = failed[0].get("rolloutStateReason") or "deployment failed"
        return ServiceState(name, steady=False, failed=True, summary=f"deployment {failed[0].get('id')} FAILED: {reason}")
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    rollout = primary.get("rolloutState") if primary else None
    steady = (
        primary is not None
        and len(deployments) == 1
        and rollout in (None, "COMPLETED")
        and running == desired
        and primary.get("runningCount", running) == desired
    )
    summary = f"{running}/{desired} running"
    if len(deployments) > 1:
        summary += f", {len(deployments)} deployments"
    if rollout:
        summary += f", rollout {rollout}"
    return ServiceState(name, steady=steady, failed=False, summary="steady" if steady else summary)


def _stopped_order(task: queries.Item) -> float:
    moment = task.get("stoppedAt") or task.get("createdAt")
    return moment.timestamp() if isinstance(moment, datetime) else 0.0


def stopped_tasks(ecs: Client, cluster: str, service_name: str, limit: int = STOPPED_TASKS_SHOWN) -> list[StoppedTask]:
    """The most recently stopped tasks of a service, with their stop reasons and exit codes."""
    tasks = queries.service_tasks(ecs, cluster, service_name, "STOPPED")
    tasks.sort(key=_stopped_order, reverse=True)
    result = []
    for task in tasks[:limit]:
        containers = []
        for container in task.get("containers", []):
            text = f"{container.get('name')}: exit {container.get('exitCode', '-')}"
            if container.get("reason"):
                text += f" ({container['reason']})"
            containers.append(text)
        result.append(
            StoppedTask(
                task_id=queries.task_id(task.get("taskArn", "")),
                task_definition=task.get("taskDefinitionArn", "").rsplit("/", 1)[-1],
                stopped_at=task.get("stoppedAt"),
                stop_code=task.get("stopCode"),
                stopped_reason=task.get("stoppedReason") or "",
                containers=containers,
            )
        )
    return result


def wait_for_services(
    env: Environment,
    *,
    ecs: Client,
    names: list[str] | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    timing: Timing | None = None,
    on_event: Callable[[str], None] = quiet,
    on_progress: Callable[[str], None] = quiet,
) -> WaitResult:
    """Poll until every service in ``names`` (default: all) is steady, one fails, or the timeout passes.

    Events already present at the first poll are not replayed, except each service's newest one.
    """
    timing = timing or Timing()
    cluster = env.require_cluster()
    queries.check_cluster(ecs, cluster)
    targets = env.running_services(names)
    if not targets:
        raise HelperError(f"environment {env.name} has no deployed services to wait for")
    manifest_name = {target.service_name: target.name for target in targets if target.service_name}
    seen: set[str] = set()
    streamed: list[str] = []
    deadline = Deadline(timeout_seconds, timing)
    first_poll = True
    while True:
        described, missing = queries.describe_services(ecs, cluster, list(manifest_name))
        if missing:
            raise HelperError(f"ECS service {', '.join(missing)} not found in cluster {cluster}")
        for service_name, service in described.items():
            events = service.get("events", [])
            fresh = [e for e in events if e.get("id") not in seen]
            seen.update(e.get("id") for e in events)
            if first_poll:
                fresh = fresh[:1]
            for event in reversed(fresh):
                line = f"{timestamp(event.get('createdAt'))}  {manifest_name[service_name]}  {event.get('message', '')}"
                streamed.append(line)
                on_event(line)
        first_poll = False
        states = [service_state(manifest_name[name], described[name]) for name in manifest_name]
        failed = [state for state in states if state.failed]
        if failed or all(state.steady for state in states):
            outcome: Literal["steady", "failed", "timeout"] = "failed" if failed else "steady"
            break
        on_progress("waiting: " + ", ".join(f"{s.name} {s.summary}" for s in states) + f" [{deadline.elapsed:.0f}s]")
        if deadline.expired():
            outcome = "timeout"
            break
        deadline.pause()
    service_by_manifest = {name: service for service, name in manifest_name.items()}
    unsettled = [state.name for state in states if state.failed or (outcome == "timeout" and not state.steady)]
    stopped = {name: stopped_tasks(ecs, cluster, service_by_manifest[name]) for name in unsettled}
    return WaitResult(outcome, round(deadline.elapsed, 1), states, streamed, stopped)


def format_wait(result: WaitResult, timeout_seconds: float) -> list[str]:
    if result.outcome == "steady":
        lines = [f"steady after {result.elapsed_seconds:.0f}s: {', '.join(s.name for s in result.services)}"]
    elif result.outcome == "failed":
        lines = [f"deployment failed: {s.name}: {s.summary}" for s in result.services if s.failed]
    else:
        pending = [f"{s.name} ({s.summary})" for s in result.services if not s.steady]
        lines = [f"timed out after {timeout_seconds:.0f}s waiting for {', '.join(pending)}"]
    for name, tasks in result.stopped_tasks.items():
        if not tasks:
            lines.append(f"{name}: no stopped tasks")
            continue
        lines.append(f"{name}: recently stopped tasks")
        for task in tasks:
            code = f" [{task.stop_code}]" if task.stop_code else ""
            lines.append(f"  {task.task_id} ({task.task_definition}){code}: {task.stopped_reason or 'no reason given'}")
            lines += [f"    {container}" for container in task.containers]
    return lines
