"""``run-task``: run a service's or job's task definition once, wait for it, show its logs and exit code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ecs_toolkit import outputs
from ecs_toolkit.helpers import queries
from ecs_toolkit.helpers.discover import Environment, ServiceTarget
from ecs_toolkit.helpers.errors import HelperError, is_not_found
from ecs_toolkit.helpers.polling import Deadline, Timing, quiet
from ecs_toolkit.helpers.sessions import Client

DEFAULT_TIMEOUT_SECONDS = 3600
STARTED_BY = "ecs-toolkit"


@dataclass(frozen=True)
class TaskRun:
    name: str
    task_arn: str
    last_status: str
    container: str
    exit_code: int | None
    """The main container's exit code; ``None`` when it never ran (see ``stopped_reason``)."""
    stopped_reason: str = ""
    stop_code: str | None = None
    log_group: str | None = None
    log_stream: str | None = None
    log_lines: list[str] = field(default_factory=list)
    timed_out: bool = False


def run_request(env: Environment, target: ServiceTarget, command: Sequence[str] | None) -> dict[str, Any]:
    """The ``run_task`` arguments: capacity strategy (or launch type), awsvpc network, command override.

    awsvpc tasks run in the environment's private subnets with the service's security groups.
    """
    request: dict[str, Any] = {
        "cluster": env.require_cluster(),
        "taskDefinition": target.output(outputs.TASK_DEFINITION_ARN),
        "count": 1,
        "startedBy": STARTED_BY,
    }
    strategy = target.capacity_strategy
    launch_type = target.outputs.get(outputs.LAUNCH_TYPE)
    if strategy:
        request["capacityProviderStrategy"] = [
            {"capacityProvider": env.provider_name(item.provider), "base": item.base, "weight": item.weight} for item in strategy
        ]
    elif launch_type:
        request["launchType"] = launch_type
    if target.outputs.get(outputs.NETWORK_MODE) == "awsvpc":
        if not env.private_subnet_ids:
            raise HelperError(f"environment {env.name} publishes no {outputs.PRIVATE_SUBNET_IDS}: is the network deployed?")
        request["networkConfiguration"] = {
            "awsvpcConfiguration": {
                "subnets": env.private_subnet_ids,
                "securityGroups": outputs.split_list(target.outputs.get(outputs.TASK_SECURITY_GROUP_IDS, "")),
                "assignPublicIp": "DISABLED",
            }
        }
    if command:
        request["overrides"] = {"containerOverrides": [{"name": target.output(outputs.CONTAINER_NAME), "command": list(command)}]}
    return request


def log_lines(logs: Client, group: str, stream: str) -> list[str] | None:
    """Every message of a log stream, oldest first; ``None`` when the group or stream does not exist."""
    lines: list[str] = []
    token: str | None = None
    while True:
        arguments: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            arguments["nextToken"] = token
        try:
            page = logs.get_log_events(**arguments)
        except ClientError as error:
            if is_not_found(error):
                return None
            raise
        lines.extend(event.get("message", "").rstrip("\n") for event in page.get("events", []))
        next_token = page.get("nextForwardToken")
        if not page.get("events") or next_token == token:
            return lines
        token = next_token


def run_task(
    env: Environment,
    name: str,
    *,
    ecs: Client,
    logs: Client,
    command: Sequence[str] | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    timing: Timing | None = None,
    on_progress: Callable[[str], None] = quiet,
) -> TaskRun:
    """Start the task, poll until STOPPED (or the timeout), then read its awslogs stream.

    The stream is ``<name>/<container>/<task id>``: the stacks set the awslogs prefix to the manifest name.
    """
    deadline = Deadline(timeout_seconds, timing or Timing())
    target = env.service(name)
    cluster = env.require_cluster()
    container = target.output(outputs.CONTAINER_NAME)
    queries.check_cluster(ecs, cluster)
    response = ecs.run_task(**run_request(env, target, command))
    if not response.get("tasks"):
        failures = response.get("failures") or [{"reason": "no task started"}]
        reasons = "; ".join(f"{f.get('reason')}" + (f" ({f['detail']})" if f.get("detail") else "") for f in failures)
        raise HelperError(f"could not start a task for {name}: {reasons}")
    task_arn = response["tasks"][0]["taskArn"]
    identifier = queries.task_id(task_arn)
    on_progress(f"started task {identifier} of {name}")
    while True:
        described = queries.describe_tasks(ecs, cluster, [task_arn])
        if not described:
            raise HelperError(f"task {identifier} disappeared from cluster {cluster}")
        task = described[0]
        status = task.get("lastStatus", "UNKNOWN")
        if status == "STOPPED" or deadline.expired():
            break
        on_progress(f"task {identifier}: {status} [{deadline.elapsed:.0f}s]")
        deadline.pause()
    main: dict[str, Any] = next((c for c in task.get("containers", []) if c.get("name") == container), {})
    group = target.outputs.get(outputs.LOG_GROUP_NAME) or None
    stream = f"{name}/{container}/{identifier}"
    lines = (log_lines(logs, group, stream) or []) if group and status == "STOPPED" else []
    return TaskRun(
        name=name,
        task_arn=task_arn,
        last_status=status,
        container=container,
        exit_code=main.get("exitCode"),
        stopped_reason=task.get("stoppedReason") or main.get("reason") or "",
        stop_code=task.get("stopCode"),
        log_group=group,
        log_stream=stream if group else None,
        log_lines=lines,
        timed_out=status != "STOPPED",
    )


def exit_status(run: TaskRun) -> int:
    """The container's exit code for the shell (0-255); 1 when it timed out or never ran."""
    if run.timed_out or run.exit_code is None:
        return 1
    return run.exit_code & 0xFF if run.exit_code >= 0 else 1


def format_run(run: TaskRun, timeout_seconds: float) -> list[str]:
    lines = list(run.log_lines)
    identifier = queries.task_id(run.task_arn)
    if run.timed_out:
        lines.append(f"task {identifier} still {run.last_status} after {timeout_seconds:.0f}s (not stopped)")
    elif run.exit_code is None:
        lines.append(
            f"task {identifier} stopped before {run.container} ran: {run.stopped_reason or run.stop_code or 'unknown reason'}"
        )
    else:
        lines.append(f"task {identifier} stopped: {run.container} exited with {run.exit_code}")
    return lines
