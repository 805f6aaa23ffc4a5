"""``ecs-toolkit``: start a project (init), build and prove it offline (synth, check, verify, plan,
rehearse) and operate the deployed environment, found through its manifest and stack outputs.

Every command works on the project in the working directory (the nearest directory with a cdk.json);
``--config``/``-c`` names the manifest, by default the one in cdk.json's ``config`` context.

Exit codes: 0 success, 1 failure (missing resources, failed deployment, timeout, AWS error, a failed
gate, a file init or import-copilot would overwrite, a Copilot workspace it cannot import), 2 bad manifest
or usage (plan and verify: 1 for a bad manifest; import-copilot: the manifest it wrote does not validate yet);
``run-task`` exits with the container's exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ecs_toolkit import __version__, plan, verify
from ecs_toolkit.config import schema
from ecs_toolkit.config.loader import ManifestError, load_manifest
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.copilot import command as copilot_command
from ecs_toolkit.helpers import deployments, drain, exec_check, local, preflight, run_task, status, teardown, wait
from ecs_toolkit.helpers.discover import Environment, discover, require_known
from ecs_toolkit.helpers.errors import HelperError, UsageError, one_line
from ecs_toolkit.helpers.polling import DEFAULT_POLL_SECONDS, Progress, Timing
from ecs_toolkit.helpers.render import to_json
from ecs_toolkit.helpers.sessions import Client, ClientFactory
from ecs_toolkit.project import default_config

DEFAULT_CONFIG = "the cdk.json context's config, else config/default.yaml"
LOCAL_COMMANDS = ("init", "synth", "check", "rehearse", "import-copilot")
"""Subcommands on the project in the working directory (see ``helpers.local``)."""
Factory = Callable[..., Client]
"""``factory(service, region=None) -> client``; ``ClientFactory`` in production."""


class Context:
    """What a subcommand needs: parsed arguments, the manifest, clients, timing and output."""

    def __init__(self, args: argparse.Namespace, config: EnvironmentConfig, clients: Factory, timing: Timing) -> None:
        self.args = args
        self.config = config
        self.clients = clients
        self.timing = timing
        self.json = bool(getattr(args, "json", False))
        self.progress = Progress()

    def environment(self) -> Environment:
        return discover(self.config, self.clients("cloudformation"))

    def emit(self, result: Any, lines: list[str]) -> None:
        print(to_json(result) if self.json else "\n".join(lines))


def _status(ctx: Context) -> int:
    clients = ctx.clients
    result = status.collect_status(
        ctx.environment(),
        ecs=clients("ecs"),
        elbv2=clients("elbv2"),
        autoscaling=clients("autoscaling"),
        names=ctx.args.services or None,
        events=ctx.args.events,
    )
    ctx.emit(result, status.format_status(result))
    return 1 if result.problems else 0


def _wait(ctx: Context) -> int:
    def stream(line: str) -> None:
        if ctx.json:
            ctx.progress(line)
        else:
            print(line, flush=True)

    result = wait.wait_for_services(
        ctx.environment(),
        ecs=ctx.clients("ecs"),
        names=ctx.args.services or None,
        timeout_seconds=ctx.args.timeout,
        timing=ctx.timing,
        on_event=stream,
        on_progress=ctx.progress,
    )
    ctx.emit(result, wait.format_wait(result, ctx.args.timeout))
    return 0 if result.outcome == "steady" else 1


def _drain(ctx: Context) -> int:
    result = drain.drain(
        ctx.environment(),
        ecs=ctx.clients("ecs"),
        autoscaling=ctx.clients("autoscaling"),
        group=ctx.args.group,
        instances=ctx.args.instances or (),
        detach_from_group=ctx.args.detach,
        timeout_seconds=ctx.args.timeout,
        timing=ctx.timing,
        on_progress=ctx.progress,
    )
    ctx.emit(result, drain.format_drain(result))
    return 0 if result.outcome == "drained" else 1


def _run_task(ctx: Context) -> int:
    result = run_task.run_task(
        ctx.environment(),
        ctx.args.name,
        ecs=ctx.clients("ecs"),
        logs=ctx.clients("logs"),
        command=ctx.args.command or None,
        timeout_seconds=ctx.args.timeout,
        timing=ctx.timing,
        on_progress=ctx.progress,
    )
    ctx.emit(result, run_task.format_run(result, ctx.args.timeout))
    return run_task.exit_status(result)


def _teardown(ctx: Context) -> int:
    if not ctx.args.yes:
        if not sys.stdin.isatty():
            raise UsageError("teardown scales every service and EC2 group of the environment to 0: pass --yes to confirm")
        answer = input(f"Scale every service and EC2 group of {ctx.config.name} to 0? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing changed", file=sys.stderr)
            return 1
    result = teardown.teardown(
        ctx.environment(),
        ecs=ctx.clients("ecs"),
        autoscaling=ctx.clients("autoscaling"),
        ec2=ctx.clients("ec2"),
        scaling=ctx.clients("application-autoscaling"),
        timeout_seconds=ctx.args.timeout,
        timing=ctx.timing,
        on_progress=ctx.progress,
    )
    ctx.emit(result, teardown.format_teardown(result))
    return 0 if result.outcome == "ready" else 1


def _preflight(ctx: Context) -> int:
    clients = ctx.clients
    region = clients("sts").meta.region_name
    result = preflight.preflight(
        ctx.config,
        region=region,
        sts=clients("sts"),
        ssm=clients("ssm"),
        secretsmanager=clients("secretsmanager"),
        acm=clients("acm"),
        ecr=clients("ecr"),
        kms=clients("kms"),
        ec2=clients("ec2"),
        ecr_for_region=lambda other: clients("ecr", region=other),
    )
    ctx.emit(result, preflight.format_preflight(result))
    return 1 if result.failed else 0


def _exec_check(ctx: Context) -> int:
    result = exec_check.exec_check(
        ctx.environment(),
        ctx.args.service,
        ecs=ctx.clients("ecs"),
        iam=ctx.clients("iam"),
        ec2=ctx.clients("ec2"),
        task=ctx.args.task,
    )
    ctx.emit(result, exec_check.format_exec_check(result))
    return 0 if result.ok else 1


def _deployments(ctx: Context) -> int:
    result = deployments.deployment_history(ctx.environment(), ctx.args.service, ecs=ctx.clients("ecs"), limit=ctx.args.limit)
    ctx.emit(result, deployments.format_history(result))
    return 0


def _rollback(ctx: Context) -> int:
    if not ctx.args.yes:
        if not sys.stdin.isatty():
            raise UsageError("rollback changes what the service runs: pass --yes to confirm")
        answer = input(f"Roll {ctx.args.service} of {ctx.config.name} back? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing changed", file=sys.stderr)
            return 1
    result = deployments.rollback(ctx.environment(), ctx.args.service, ecs=ctx.clients("ecs"))
    ctx.emit(result, deployments.format_rollback(result))
    return 0


def _common() -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand (SUPPRESS keeps one from overwriting the other)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c", "--config", default=argparse.SUPPRESS, metavar="PATH", help=f"environment manifest (default: {DEFAULT_CONFIG})"
    )
    common.add_argument("--profile", default=argparse.SUPPRESS, help="AWS profile (default: the usual credential chain)")
    common.add_argument(
        "--region", default=argparse.SUPPRESS, help="AWS region (default: the manifest's region, else AWS_REGION / the profile's)"
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the result as JSON")
    return common


def _positive(text: str) -> float:
    """An argparse type for durations: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: must be a number of seconds above 0")
    return value


def _count(text: str) -> int:
    """An argparse type for how many items to show: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 0 or more")
    return value


def _waiting(parser: argparse.ArgumentParser, timeout: int, what: str) -> None:
    parser.add_argument("--timeout", type=_positive, default=timeout, metavar="SECONDS", help=f"{what} (default: {timeout})")
    parser.add_argument(
        "--poll-seconds",
        type=_positive,
        default=DEFAULT_POLL_SECONDS,
        metavar="SECONDS",
        help=f"time between checks (default: {DEFAULT_POLL_SECONDS:.0f})",
    )


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="ecs-toolkit",
        description="Start, build, prove and operate an ecs-toolkit project. Commands run against the project in the "
        "working directory; operations find their targets from the manifest and the stacks' outputs.",
        epilog="Exit codes: 0 ok, 1 failure, 2 bad manifest or usage; run-task exits with the container's exit code.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=description, parents=[common])

    sub = add(
        "status",
        "services, deployments, target health, events, EC2 capacity",
        "Show per service the desired/running/pending tasks, deployments with their rollout state, target health per "
        "target group and recent events; per capacity provider the container instances with registered and remaining "
        "CPU and memory. Exits 1 when a stack, service or target group is missing.",
    )
    sub.add_argument("services", nargs="*", metavar="SERVICE", help="manifest names of services (default: all)")
    sub.add_argument(
        "--events", type=_count, default=status.DEFAULT_EVENTS, metavar="N", help="recent events per service (default: 5)"
    )
    sub.set_defaults(handler=_status)

    sub = add(
        "wait",
        "wait until services are steady, streaming their events",
        "Wait until every (or each named) service has one PRIMARY deployment with rollout COMPLETED and running == "
        "desired, printing new service events. A FAILED rollout (circuit breaker) prints the stopped tasks' reasons "
        "and exits 1; so does the timeout.",
    )
    sub.add_argument("services", nargs="*", metavar="SERVICE", help="manifest names of services (default: all)")
    _waiting(sub, wait.DEFAULT_TIMEOUT_SECONDS, "give up and exit 1 after this long")
    sub.set_defaults(handler=_wait)

    sub = add(
        "drain",
        "move tasks off container instances",
        "Set container instances to DRAINING and wait until no task runs on them; with --detach, then detach them from "
        "their Auto Scaling group, lowering its desired capacity.",
    )
    target = sub.add_mutually_exclusive_group(required=True)
    target.add_argument("--group", metavar="NAME", help="every instance of this EC2 capacity group (manifest name)")
    target.add_argument(
        "--instance",
        dest="instances",
        nargs="+",
        action="extend",
        metavar="ID",
        help="EC2 instance ids (i-...) or container instance ids/ARNs",
    )
    sub.add_argument("--detach", action="store_true", help="detach the drained instances from their Auto Scaling group")
    _waiting(sub, drain.DEFAULT_TIMEOUT_SECONDS, "give up (without detaching) after this long")
    sub.set_defaults(handler=_drain)

    sub = add(
        "run-task",
        "run a service's or job's task once and show its logs",
        "Run the task definition of a service or job once, on its capacity and network, wait until it stops, print its "
        "CloudWatch log lines and exit with the container's exit code. Everything after --command is the command.",
    )
    sub.add_argument("name", metavar="NAME", help="manifest name of the service or job")
    _waiting(sub, run_task.DEFAULT_TIMEOUT_SECONDS, "stop waiting after this long; the task keeps running")
    sub.add_argument(
        "--command",
        nargs=argparse.REMAINDER,
        metavar="ARG",
        help="override the main container's command with everything that follows",
    )
    sub.set_defaults(handler=_run_task)

    sub = add(
        "teardown",
        "empty the EC2 capacity so that cdk destroy can finish",
        "Scale services to 0 (suspending scale-out), drain container instances, remove scale-in protection, set each EC2 "
        "group's min and desired capacity to 0 and wait until the instances deregister. Safe to re-run: missing stacks, "
        "services and groups are reported and skipped.",
    )
    sub.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    _waiting(sub, teardown.DEFAULT_TIMEOUT_SECONDS, "stop waiting for instances to deregister after this long")
    sub.set_defaults(handler=_teardown)

    sub = add(
        "preflight",
        "check that everything the manifest references exists",
        "Before a deploy: check SSM parameters, Secrets Manager secrets, ACM certificates (ISSUED), private ECR images, "
        "KMS keys and an existing VPC/subnets in the target account and region. Reports every problem; exits 1 if any.",
    )
    sub.set_defaults(handler=_preflight)

    sub = add(
        "exec-check",
        "explain why ECS Exec would fail for a service's task",
        "Check enableExecuteCommand on the service and task, the ExecuteCommandAgent, the task role's ssmmessages "
        "permissions and a network path to SSM (NAT gateway or ssmmessages endpoint). Exits 1 on any failure.",
    )
    sub.add_argument("service", metavar="SERVICE", help="manifest name of the service")
    sub.add_argument("--task", metavar="ID", help="task id or ARN (default: the first running task)")
    sub.set_defaults(handler=_exec_check)

    sub = add(
        "deployments",
        "a service's ECS deployment history and the current deployment's stage",
        "List the service's most recent ECS service deployments (ListServiceDeployments), newest first, with status, "
        "strategy, task definition and reason; for one in progress, its lifecycle stage, alarms, circuit breaker and "
        "rollback (DescribeServiceDeployments).",
    )
    sub.add_argument("service", metavar="SERVICE", help="manifest name of the service")
    sub.add_argument(
        "--limit", type=_count, default=deployments.DEFAULT_LIMIT, metavar="N", help="deployments to show (default: 10)"
    )
    sub.set_defaults(handler=_deployments)

    sub = add(
        "rollback",
        "roll a service back: stop its deployment, or redeploy the previous revision",
        "With a deployment in progress, stop it with rollback (StopServiceDeployment, stopType ROLLBACK): ECS returns "
        "to the last completed revision, whatever the strategy. With none, deploy the task definition of the last "
        "successful deployment before the current one (UpdateService). Exits 1 when there is nothing to return to.",
    )
    sub.add_argument("service", metavar="SERVICE", help="manifest name of the service")
    sub.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sub.set_defaults(handler=_rollback)

    sub = commands.add_parser("init", help="write a new project that uses this package", description=local.INIT_DESCRIPTION)
    local.add_init(sub)
    sub.set_defaults(handler=local.run_init)

    sub = commands.add_parser(
        "import-copilot",
        help="write a manifest for one environment of an AWS Copilot workspace",
        description=copilot_command.DESCRIPTION,
    )
    copilot_command.add_arguments(sub)
    sub.set_defaults(handler=copilot_command.run)

    sub = add("synth", "validate the manifest and synthesize it with the pinned CDK CLI", local.SYNTH_DESCRIPTION)
    local.add_synth(sub)
    sub.set_defaults(handler=local.run_synth)

    sub = add("check", "every compliance gate on every manifest of the project", local.CHECK_DESCRIPTION)
    local.add_check(sub)
    sub.set_defaults(handler=local.run_check)

    sub = add("rehearse", "deploy into a local AWS emulator and check the result", local.REHEARSE_DESCRIPTION)
    local.add_rehearse(sub)
    sub.set_defaults(handler=local.run_rehearse)

    sub = add("plan", "rollout time, cost, EC2 packing and stack sizes, before any deploy", plan.DESCRIPTION)
    plan.add_arguments(sub, common=False)
    sub.set_defaults(handler=None)

    sub = add("verify", "prove every intended network path and permission open, and nothing else", verify.DESCRIPTION)
    verify.add_arguments(sub, common=False)
    sub.set_defaults(handler=None)

    sub = commands.add_parser(
        "schema",
        help="print the manifest's JSON Schema (for editors)",
        description="Print the JSON Schema of a manifest, generated from the models (the same as schema/manifest.schema.json).",
    )
    sub.add_argument(
        "--overlay",
        action="store_true",
        help="the schema of a base manifest or of an environment that extends one: no field required "
        "(schema/overlay.schema.json)",
    )
    sub.set_defaults(handler=None)
    return parser


def _require_manifest_names(args: argparse.Namespace, config: EnvironmentConfig) -> None:
    """Names the manifest does not have are usage errors, found before any AWS call or credential lookup."""
    for name in [*(getattr(args, "services", None) or []), getattr(args, "name", None), getattr(args, "service", None)]:
        if name is not None:
            require_known(name, "a service or job", config.name, config.services)
    group = getattr(args, "group", None)
    if group is not None:
        require_known(group, "an EC2 capacity group", config.name, [g.name for g in config.cluster.capacity.ec2])


def main(
    argv: Sequence[str] | None = None,
    *,
    timing: Timing | None = None,
    make_clients: Callable[..., Factory] | None = None,
) -> int:
    """Run one subcommand and return its exit code; ``timing`` and ``make_clients`` are for tests."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command == "schema":
        sys.stdout.write(schema.render(partial=args.overlay))
        return 0
    if args.command in ("plan", "verify"):
        # Read synthesized templates only: no AWS clients, no credentials.
        return plan.run(args) if args.command == "plan" else verify.run(args)
    if args.command in LOCAL_COMMANDS:
        # The project on disk: no AWS clients, no credentials.
        local_code: int = args.handler(args)
        return local_code
    try:
        config = load_manifest(getattr(args, "config", None) or default_config())
    except ManifestError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return 2
    try:
        _require_manifest_names(args, config)
        region = getattr(args, "region", None) or config.region
        clients = (make_clients or ClientFactory)(profile=getattr(args, "profile", None), region=region)
        poll = getattr(args, "poll_seconds", DEFAULT_POLL_SECONDS)
        ctx = Context(args, config, clients, timing or Timing(poll_seconds=poll))
        code: int = args.handler(ctx)
        return code
    except HelperError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except (ClientError, BotoCoreError) as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
