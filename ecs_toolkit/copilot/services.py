"""One Copilot service manifest (its environment's overrides applied) as a toolkit service.

Every field read here is in ``fields.FIELDS``; what nothing reads is reported from that table.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecs_toolkit.copilot.schedules import convert_schedule
from ecs_toolkit.copilot.tracking import Fields, whole_seconds

KINDS = {
    "Load Balanced Web Service": "web",
    "Backend Service": "backend",
    "Worker Service": "worker",
    "Scheduled Job": "job",
}
UNSUPPORTED = {
    "Request-Driven Web Service": "runs on AWS App Runner, not ECS; make it a Load Balanced Web Service to import it",
    "Static Site": "is an S3 bucket behind CloudFront, not a container; host it outside the ECS environment",
}
COPILOT_CPU = 256
COPILOT_MEMORY_MIB = 512
STICKINESS_SECONDS = 86400
"""The load balancer cookie's default duration, which Copilot's ``stickiness: true`` keeps."""
NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")


@dataclass(frozen=True)
class Context:
    """What every mapping needs: where Copilot's paths start, where the manifest is written, the names."""

    root: Path
    """The workspace root: Copilot's build contexts and env files are relative to it."""
    output_dir: Path
    application: str
    environment: str
    certificate: str | None = None
    """The environment's first public certificate (``http.public.certificates``): Copilot's NLB TLS listener uses it."""

    def path(self, copilot_path: str) -> str:
        """A Copilot path (relative to the workspace root) relative to the written manifest's folder."""
        absolute = (self.root / copilot_path).resolve()
        return Path(os.path.relpath(absolute, self.output_dir.resolve())).as_posix()

    def text(self, value: Any) -> Any:
        """Copilot's built-in variables in a string as the toolkit's interpolation or literal names."""
        if not isinstance(value, str):
            return value
        return (
            value.replace("${COPILOT_APPLICATION_NAME}", self.application)
            .replace("${COPILOT_ENVIRONMENT_NAME}", "${environment}")
            .replace("${COPILOT_SERVICE_NAME}", "${service}")
        )


def toolkit_name(name: str) -> str:
    """A Copilot name (service, sidecar, volume) in the toolkit's form: lower-case letters, digits, hyphens."""
    lowered = re.sub(r"[^a-z0-9-]+", "-", re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower()).strip("-")
    if not lowered or not lowered[0].isalpha():
        lowered = f"c-{lowered}"
    return lowered[:32].rstrip("-")


def map_service(name: str, kind: str, fields: Fields, ctx: Context) -> dict[str, Any]:
    """The toolkit service for one Copilot service manifest of a supported type."""
    fields.get("name")
    fields.get("type")
    service: dict[str, Any] = {"kind": kind}
    _image(service, fields, ctx)
    port = fields.get("image", "port")
    if port is not None and kind != "job":
        service["port"] = int(port)
    elif port is not None:
        fields.drop(("image", "port"), "a job takes no inbound traffic")
    if kind == "backend" and "port" not in service:
        service["kind"] = "worker"
        fields.note(("type",), "converted: a Backend Service without image.port takes no traffic: kind worker")
    service["cpu"] = int(fields.get("cpu") or COPILOT_CPU)
    service["memory_mib"] = int(fields.get("memory") or COPILOT_MEMORY_MIB)
    _platform(service, fields)
    if kind != "job":
        _count(service, fields, kind)
    _container(service, fields, ctx, ())
    _network(service, fields, kind)
    if kind == "web":
        _http(service, fields, ctx)
        _nlb(service, fields, ctx)
    elif fields.peek("http") is not None:
        fields.drop(
            ("http",),
            "backends are reached through Cloud Map or Service Connect (connects_to), not through an internal load "
            "balancer; to keep one, make it a web service in an environment with load_balancer.public: false",
        )
    _storage(service, fields)
    _logging(service, fields, ctx)
    _messaging(service, fields)
    if kind == "job":
        _job(service, fields)
    _deployment(service, fields)
    if fields.get("exec") is True:
        service["exec"] = True
    _sidecars(service, fields, ctx)
    return service


# --- image and container ------------------------------------------------------------------


def _image(service: dict[str, Any], fields: Fields, ctx: Context, at: tuple[str, ...] = ()) -> None:
    image = fields.peek(*at, "image")
    if isinstance(image, str):
        fields.get(*at, "image")
        service["image"] = ctx.text(image)
        return
    location = fields.get(*at, "image", "location")
    if location is not None:
        service["image"] = ctx.text(location)
        return
    build = fields.peek(*at, "image", "build")
    if isinstance(build, str):
        fields.get(*at, "image", "build")
        dockerfile = Path(build)
        service["image"] = {"build": _build(ctx, str(dockerfile.parent) or ".", dockerfile.name)}
    elif isinstance(build, dict):
        dockerfile = fields.get(*at, "image", "build", "dockerfile")
        context = fields.get(*at, "image", "build", "context")
        if context is None:
            context = str(Path(dockerfile).parent) if dockerfile else "."
        spec = _build(ctx, context, None)
        if dockerfile is not None:
            inside = Path(os.path.relpath((ctx.root / dockerfile).resolve(), (ctx.root / context).resolve())).as_posix()
            if inside.startswith("../"):
                fields.note(
                    (*at, "image", "build", "dockerfile"),
                    f"converted: {dockerfile} is outside the build context {context}: move it into the context",
                )
            if inside != "Dockerfile":
                spec["dockerfile"] = inside
        args = fields.get(*at, "image", "build", "args")
        if isinstance(args, dict) and args:
            spec["args"] = {str(k): str(ctx.text(v)) for k, v in args.items()}
        target = fields.get(*at, "image", "build", "target")
        if target is not None:
            spec["target"] = str(target)
        if fields.peek(*at, "image", "build", "cache_from") is not None:
            fields.drop((*at, "image", "build", "cache_from"))
        service["image"] = {"build": spec}
    else:
        fields.note((*at, "image") if at else ("image",), "missing: give image.location or image.build")


def _build(ctx: Context, context: str, dockerfile: str | None) -> dict[str, Any]:
    """A build context relative to the written manifest; the Dockerfile relative to the context."""
    spec: dict[str, Any] = {"context": ctx.path(context)}
    if dockerfile is not None and dockerfile != "Dockerfile":
        spec["dockerfile"] = dockerfile
    return spec


def _platform(service: dict[str, Any], fields: Fields) -> None:
    platform = fields.peek("platform")
    if platform is None:
        return
    if isinstance(platform, dict):
        fields.get("platform", "architecture")
        if fields.peek("platform", "osfamily") is not None:
            fields.drop(("platform", "osfamily"))
        arch = str(platform.get("architecture", ""))
        system = str(platform.get("osfamily", "linux"))
    else:
        fields.get("platform")
        system, _, arch = str(platform).partition("/")
    if not system.lower().startswith("linux"):
        fields.note(("platform",), f"not carried over: {platform} is not Linux; Windows tasks are not supported")
        return
    architecture = "arm64" if arch in ("arm64", "arm") else "x86_64"
    if architecture != "x86_64":
        service["architecture"] = architecture
    image = service.get("image")
    if isinstance(image, dict) and "build" in image:
        image["build"]["platform"] = "linux/arm64" if architecture == "arm64" else "linux/amd64"


def _words(value: Any) -> list[str]:
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _container(target: dict[str, Any], fields: Fields, ctx: Context, at: tuple[str, ...]) -> None:
    """Settings that the main container and sidecars share."""
    for copilot, toolkit in (("entrypoint", "entry_point"), ("command", "command")):
        value = fields.get(*at, copilot)
        if value is not None:
            target[toolkit] = [ctx.text(v) for v in _words(value)]
    variables = fields.peek(*at, "variables")
    if isinstance(variables, dict) and variables:
        environment: dict[str, Any] = {}
        for key, value in variables.items():
            if isinstance(value, dict) and set(value) == {"from_cfn"}:
                fields.get(*at, "variables", key, "from_cfn")
                environment[key] = {"from_cfn": ctx.text(value["from_cfn"])}
            elif isinstance(value, str | int | float | bool):
                fields.get(*at, "variables", key)
                environment[key] = str(ctx.text(value)).lower() if isinstance(value, bool) else str(ctx.text(value))
        if environment:
            target["environment"] = environment
    secrets = fields.peek(*at, "secrets")
    if isinstance(secrets, dict) and secrets:
        converted: dict[str, Any] = {}
        for key, value in secrets.items():
            reference = _secret(ctx, value)
            if reference is not None:
                fields.get(*at, "secrets", key)
                converted[key] = reference
        if converted:
            target["secrets"] = converted
    env_file = fields.get(*at, "env_file")
    if isinstance(env_file, str):
        target["env_files"] = [ctx.path(env_file)]
    health = fields.peek(*at, "image", "healthcheck") if not at else fields.peek(*at, "healthcheck")
    check_at = (*at, "image", "healthcheck") if not at else (*at, "healthcheck")
    if isinstance(health, dict):
        check: dict[str, Any] = {}
        command = fields.get(*check_at, "command")
        if command is not None:
            check["command"] = _words(command)
        for copilot, toolkit in (
            ("interval", "interval_seconds"),
            ("timeout", "timeout_seconds"),
            ("start_period", "start_period_seconds"),
        ):
            seconds = whole_seconds(fields.peek(*check_at, copilot))
            if seconds is not None:
                fields.get(*check_at, copilot)
                check[toolkit] = seconds
        retries = fields.get(*check_at, "retries")
        if retries is not None:
            check["retries"] = int(retries)
        target["container_health_check"] = check
    depends = fields.peek(*at, "image", "depends_on") if not at else fields.peek(*at, "depends_on")
    depends_at = (*at, "image", "depends_on") if not at else (*at, "depends_on")
    if isinstance(depends, dict) and depends:
        fields.get(*depends_at)
        target["depends_on"] = {toolkit_name(str(k)): str(v).lower() for k, v in depends.items()}


def _secret(ctx: Context, value: Any) -> Any:
    if isinstance(value, str):
        text = ctx.text(value)
        if text.startswith("arn:") and ":secretsmanager:" in text:
            return f"secretsmanager:{text}"
        return f"ssm:{text}"
    if isinstance(value, dict) and set(value) == {"secretsmanager"} and isinstance(value["secretsmanager"], str):
        # Copilot's "name:json-key:version-stage:version-id" keeps the JSON key only.
        name, _, rest = str(ctx.text(value["secretsmanager"])).partition(":")
        if name == "arn":
            return f"secretsmanager:{ctx.text(value['secretsmanager'])}"
        key = rest.split(":")[0] if rest else ""
        return f"secretsmanager:{name}:{key}" if key else f"secretsmanager:{name}"
    if isinstance(value, dict) and set(value) == {"from_cfn"}:
        return {"from_cfn": ctx.text(value["from_cfn"])}
    return None


# --- count, network, http -----------------------------------------------------------------


def _count(service: dict[str, Any], fields: Fields, kind: str) -> None:
    count = fields.peek("count")
    if count is None:
        return
    if isinstance(count, int) and not isinstance(count, bool):
        fields.get("count")
        service["count"] = count
        return
    if not isinstance(count, dict):
        return
    if "spot" in count:
        service["count"] = int(fields.get("count", "spot"))
        service["capacity"] = [{"provider": "FARGATE_SPOT"}]
    scaling: dict[str, Any] = {}
    limits = fields.peek("count", "range")
    if isinstance(limits, str) and re.fullmatch(r"\d+-\d+", limits.strip()):
        fields.get("count", "range")
        low, high = limits.strip().split("-")
        scaling.update(min=int(low), max=int(high))
    elif isinstance(limits, dict):
        for key in ("min", "max"):
            if key in limits:
                scaling[key] = int(fields.get("count", "range", key))
        spot_from = fields.get("count", "range", "spot_from")
        if spot_from is not None:
            base = max(int(spot_from) - 1, 0)
            service["capacity"] = (
                [{"provider": "FARGATE", "base": base, "weight": 0}, {"provider": "FARGATE_SPOT", "weight": 1}]
                if base
                else [{"provider": "FARGATE_SPOT"}]
            )
    cooldowns: dict[str, int] = {}
    for metric, toolkit in (
        ("cpu_percentage", "cpu_percent"),
        ("memory_percentage", "memory_percent"),
        ("requests", "requests_per_target"),
    ):
        value = fields.peek("count", metric)
        if isinstance(value, dict):
            if "value" in value:
                scaling[toolkit] = int(fields.get("count", metric, "value"))
            for direction in ("in", "out"):
                seconds = whole_seconds(fields.peek("count", metric, "cooldown", direction))
                if seconds is not None:
                    fields.get("count", metric, "cooldown", direction)
                    cooldowns[direction] = max(cooldowns.get(direction, 0), seconds)
        elif value is not None:
            scaling[toolkit] = int(fields.get("count", metric))
    for direction in ("in", "out"):
        seconds = whole_seconds(fields.peek("count", "cooldown", direction))
        if seconds is not None:
            fields.get("count", "cooldown", direction)
            cooldowns[direction] = max(cooldowns.get(direction, 0), seconds)
    if "in" in cooldowns:
        scaling["scale_in_cooldown_seconds"] = cooldowns["in"]
    if "out" in cooldowns:
        scaling["scale_out_cooldown_seconds"] = cooldowns["out"]
    delay = fields.peek("count", "queue_delay")
    if isinstance(delay, dict) and kind == "worker":
        latency = whole_seconds(fields.get("count", "queue_delay", "acceptable_latency"))
        processing = whole_seconds(fields.get("count", "queue_delay", "msg_processing_time"))
        if latency and processing:
            scaling["queue"] = {"backlog_per_task": max(1, math.floor(latency / processing))}
    if scaling:
        if "max" not in scaling:
            fields.note(("count",), "not carried over: autoscaling needs count.range (min-max); the service keeps one task")
        else:
            service["scaling"] = scaling


def _network(service: dict[str, Any], fields: Fields, kind: str) -> None:
    connect = fields.peek("network", "connect")
    if connect is not None and connect is not False:
        fields.get("network", "connect")
        if kind in ("worker", "job"):
            fields.note(
                ("network", "connect"),
                "converted: a worker or job takes no inbound traffic; it reaches other services through connects_to",
            )
        else:
            discovery: dict[str, Any] = {"service_connect": True}
            if isinstance(connect, dict) and connect.get("alias"):
                discovery["name"] = str(connect["alias"])
            service["discovery"] = discovery
    elif connect is False:
        fields.get("network", "connect")
    placement = fields.peek("network", "vpc", "placement")
    if placement is not None:
        fields.get("network", "vpc", "placement")
        if placement != "private":
            fields.note(
                ("network", "vpc", "placement"),
                f"not carried over: placement {placement}: tasks always run in the private subnets (outbound through "
                "NAT) and are reached through the load balancer",
            )
    groups = fields.peek("network", "vpc", "security_groups")
    at: tuple[str, ...] = ("network", "vpc", "security_groups")
    if isinstance(groups, dict):
        if groups.get("deny_default") is not None:
            fields.drop((*at, "deny_default"))
        groups = groups.get("groups")
        at = (*at, "groups")
    if isinstance(groups, list):
        plain = []
        for index, group in enumerate(groups):
            if isinstance(group, str):
                fields.get(*at, str(index))
                plain.append(group)
            else:
                fields.drop(
                    (*at, str(index)),
                    "a security group from another stack (from_cfn) is not offered here: write its id",
                )
        if plain:
            service["security_groups"] = plain


def _paths(value: Any) -> str | list[str]:
    """Copilot's ``http.path`` as the listener rule's path patterns: ``api`` matches /api and /api/*."""
    text = str(value).strip().strip("/")
    if not text:
        return "/"
    return [f"/{text}", f"/{text}/*"]


def _hosts(value: Any) -> str | list[str] | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        names = [item if isinstance(item, str) else item.get("name") for item in value]
        names = [str(n) for n in names if n]
        return names[0] if len(names) == 1 else names or None
    if isinstance(value, dict) and value.get("name"):
        return str(value["name"])
    return None


def _http(service: dict[str, Any], fields: Fields, ctx: Context) -> None:
    http = fields.peek("http")
    if http is False:
        fields.get("http")
        if fields.peek("nlb") is None:
            fields.note(("http",), "converted: http: false and no nlb: the service has no load balancer")
        return
    if not isinstance(http, dict):
        return
    route: dict[str, Any] = {}
    if "path" in http:
        route["path"] = _paths(fields.get("http", "path"))
    alias = fields.peek("http", "alias")
    if alias is not None:
        hosts = _hosts(alias)
        if hosts is not None:
            route["host"] = hosts
            _alias_leaves(fields, ("http", "alias"))
    if fields.peek("http", "hosted_zone") is not None:
        fields.drop(("http", "hosted_zone"))
    if route:
        service["route"] = route
    health = fields.peek("http", "healthcheck")
    check: dict[str, Any] = {}
    deployment: dict[str, Any] = {}
    if isinstance(health, str):
        fields.get("http", "healthcheck")
        check["path"] = health
    elif isinstance(health, dict):
        for key in ("path", "success_codes"):
            if key in health:
                check[key] = str(fields.get("http", "healthcheck", key))
        for key in ("port", "healthy_threshold", "unhealthy_threshold"):
            if key in health:
                check[key] = int(fields.get("http", "healthcheck", key))
        for copilot, toolkit in (("interval", "interval_seconds"), ("timeout", "timeout_seconds")):
            seconds = whole_seconds(health.get(copilot))
            if seconds is not None:
                fields.get("http", "healthcheck", copilot)
                check[toolkit] = seconds
        grace = whole_seconds(health.get("grace_period"))
        if grace is not None:
            fields.get("http", "healthcheck", "grace_period")
            deployment["grace_period_seconds"] = grace
    if check:
        service["health_check"] = check
    delay = whole_seconds(http.get("deregistration_delay"))
    if delay is not None:
        fields.get("http", "deregistration_delay")
        deployment["deregistration_delay_seconds"] = delay
    if deployment:
        service.setdefault("deployment", {}).update(deployment)
    target: dict[str, Any] = {}
    container = fields.get("http", "target_container")
    if container is not None:
        target["container"] = toolkit_name(str(container))
    port = fields.get("http", "target_port")
    if port is not None:
        target["port"] = int(port)
    elif container is not None and str(container) != fields.peek("name"):
        sidecar_port = fields.peek("sidecars", str(container), "port")
        if sidecar_port is not None:
            target["port"] = int(str(sidecar_port).split("/")[0])
    if fields.get("http", "stickiness") is True:
        target["stickiness_seconds"] = STICKINESS_SECONDS
    if target:
        service["target"] = target
    if fields.get("http", "redirect_to_https") is False:
        fields.note(
            ("http", "redirect_to_https"),
            "not carried over: with a certificate the load balancer always redirects HTTP to HTTPS",
        )
    rules = fields.peek("http", "additional_rules")
    if isinstance(rules, list):
        routes = []
        for index, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            at = ("http", "additional_rules", str(index))
            extra: dict[str, Any] = {}
            if "path" in rule:
                extra["path"] = _paths(fields.get(*at, "path"))
            if "alias" in rule:
                hosts = _hosts(rule["alias"])
                if hosts is not None:
                    extra["host"] = hosts
                    _alias_leaves(fields, (*at, "alias"))
            if "target_container" in rule:
                extra["container"] = toolkit_name(str(fields.get(*at, "target_container")))
            if "target_port" in rule:
                extra["port"] = int(fields.get(*at, "target_port"))
            if extra:
                routes.append(extra)
        if routes:
            service["additional_routes"] = routes


def _alias_leaves(fields: Fields, at: tuple[str, ...]) -> None:
    """Mark the names of an alias read; its hosted zones stay unread so the report names them."""
    alias = fields.peek(*at)
    if isinstance(alias, list):
        for index, item in enumerate(alias):
            if isinstance(item, dict):
                fields.get(*at, str(index), "name")
            else:
                fields.get(*at, str(index))
    elif isinstance(alias, dict):
        fields.get(*at, "name")
    else:
        fields.get(*at)


def _nlb(service: dict[str, Any], fields: Fields, ctx: Context) -> None:
    nlb = fields.peek("nlb")
    if not isinstance(nlb, dict) or "port" not in nlb:
        return
    port, _, protocol = str(fields.get("nlb", "port")).partition("/")
    spec: dict[str, Any] = {"port": int(port)}
    if protocol and protocol.lower() != "tcp":
        spec["protocol"] = protocol.lower()
    if spec.get("protocol") == "tls" and ctx.certificate is not None:
        spec["certificate_arn"] = ctx.certificate
        fields.note(
            ("nlb", "port"),
            "converted: the TLS listener uses the environment's certificate (http.public.certificates, the first), "
            "as Copilot's did",
        )
    elif spec.get("protocol") == "tls":
        del spec["protocol"]
        fields.note(
            ("nlb", "port"),
            f"converted: {port}/tls became {port}/tcp: the environment imports no certificate "
            "(http.public.certificates; Copilot took one from the application's domain), so TLS now reaches the "
            "container unterminated: set nlb.protocol: tls and nlb.certificate_arn to terminate it at the load balancer",
        )
    health_port = fields.get("nlb", "healthcheck", "port")
    if health_port is not None:
        spec["health_check_port"] = int(health_port)
    service["nlb"] = spec


# --- storage, logging, messaging, jobs, deployment, sidecars -----------------------------


def _storage(service: dict[str, Any], fields: Fields) -> None:
    ephemeral = fields.get("storage", "ephemeral")
    if ephemeral is not None and int(ephemeral) > 20:
        service["ephemeral_storage_gib"] = int(ephemeral)
    readonly = fields.get("storage", "readonly_fs")
    if readonly is not None:
        service["read_only_root_filesystem"] = bool(readonly)
    else:
        service["read_only_root_filesystem"] = False
        fields.note(
            ("type",),
            "converted: Copilot's root file system is writable unless storage.readonly_fs is true, so "
            "read_only_root_filesystem: false (set it to true if the service writes only to volumes)",
        )
    volumes = fields.peek("storage", "volumes")
    if not isinstance(volumes, dict):
        return
    for name, volume in volumes.items():
        if not isinstance(volume, dict):
            continue
        at = ("storage", "volumes", name)
        key = toolkit_name(name)
        if key != name:
            fields.note(at, f"converted: the volume is named {key} (toolkit names are lower-case with hyphens)")
        path = fields.get(*at, "path")
        read_only = fields.get(*at, "read_only")
        read_only = True if read_only is None else bool(read_only)
        efs = fields.peek(*at, "efs")
        if efs is None or efs is False:
            fields.get(*at, "efs")
            service.setdefault("task_volumes", {})[key] = {}
            service.setdefault("mounts", {})[key] = {"path": path, "read_only": read_only} if read_only else path
            continue
        mount: dict[str, Any] = {"path": path, "read_only": read_only}
        file_system: dict[str, Any] = {}
        if efs is True:
            fields.get(*at, "efs")
        elif isinstance(efs, dict):
            if "id" in efs:
                file_system["existing"] = {"id": str(fields.get(*at, "efs", "id"))}
            root = fields.get(*at, "efs", "root_dir")
            if root not in (None, "", "/"):
                mount["sub_path"] = str(root)
            for posix in ("uid", "gid"):
                if posix in efs:
                    mount[posix] = int(fields.get(*at, "efs", posix))
            iam = fields.peek(*at, "efs", "auth", "iam")
            if iam is not None:
                fields.get(*at, "efs", "auth", "iam")
                if iam is False:
                    fields.note(
                        (*at, "efs", "auth", "iam"),
                        "converted: IAM authorization is always on; the task role gets the mount grants",
                    )
            if fields.peek(*at, "efs", "auth", "access_point_id") is not None:
                fields.drop((*at, "efs", "auth", "access_point_id"))
        service.setdefault("volumes", {})[key] = mount
        service.setdefault("_file_systems", {})[key] = file_system


def _logging(service: dict[str, Any], fields: Fields, ctx: Context) -> None:
    retention = fields.get("logging", "retention")
    if retention is not None:
        service["log_retention_days"] = int(retention)
    logging: dict[str, Any] = {}
    for copilot, toolkit in (
        ("destination", "destination"),
        ("image", "image"),
        ("enableMetadata", "enable_metadata"),
        ("secretOptions", "secret_options"),
        ("configFilePath", "config_file"),
    ):
        value = fields.get("logging", copilot)
        if value is not None:
            logging[toolkit] = ctx.text(value) if isinstance(value, str) else value
    if logging:
        service["logging"] = logging


def _messaging(service: dict[str, Any], fields: Fields) -> None:
    topics = fields.peek("publish", "topics")
    if isinstance(topics, list):
        publish = []
        for index, topic in enumerate(topics):
            if not isinstance(topic, dict) or "name" not in topic:
                continue
            at = ("publish", "topics", str(index))
            item: dict[str, Any] = {"name": str(fields.get(*at, "name"))}
            fifo = fields.peek(*at, "fifo")
            if fifo is True or isinstance(fifo, dict):
                item["fifo"] = True
                if isinstance(fifo, dict):
                    fields.get(*at, "fifo")
                    if "content_based_deduplication" in fifo:
                        fields.drop((*at, "fifo", "content_based_deduplication"))
                else:
                    fields.get(*at, "fifo")
            elif fifo is False:
                fields.get(*at, "fifo")
            publish.append(item)
        if publish:
            service["publish"] = publish
    subscriptions = fields.peek("subscribe", "topics")
    if isinstance(subscriptions, list):
        subscribed = []
        for index, topic in enumerate(subscriptions):
            if not isinstance(topic, dict) or "name" not in topic or "service" not in topic:
                continue
            at = ("subscribe", "topics", str(index))
            item = {"service": str(fields.get(*at, "service")), "topic": str(fields.get(*at, "name"))}
            policy = fields.get(*at, "filter_policy")
            if policy is not None:
                item["filter_policy"] = policy
            item["_origin"] = (*fields.located.origin(at), ".".join(at))
            subscribed.append(item)
        if subscribed:
            service["subscribe"] = {"topics": subscribed}
            fifo_queue = fields.get("subscribe", "queue", "fifo")
            service["_fifo_queue"] = fifo_queue is True or isinstance(fifo_queue, dict)
            if fifo_queue is not None:
                fields.note(
                    ("subscribe", "queue", "fifo"),
                    "converted: the worker's queue is FIFO when the topics it receives are FIFO (and standard otherwise)",
                )
    queue_scaling = service.get("scaling", {}).get("queue")
    for key, toolkit in ((("timeout",), "visibility_timeout_seconds"), (("dead_letter", "tries"), "max_receive_count")):
        value = fields.peek("subscribe", "queue", *key)
        if value is None:
            continue
        if queue_scaling is None:
            fields.drop(
                ("subscribe", "queue", *key),
                f"the worker's queue takes its settings from scaling.queue, which needs count.queue_delay ({toolkit})",
            )
            continue
        fields.get("subscribe", "queue", *key)
        queue_scaling[toolkit] = whole_seconds(value) if toolkit.endswith("seconds") else int(value)


def _job(service: dict[str, Any], fields: Fields) -> None:
    schedule = fields.peek("on", "schedule")
    if schedule is not None:
        converted = convert_schedule(schedule)
        if converted.expression is not None:
            fields.get("on", "schedule")
            service["schedule"] = converted.expression
            if converted.expression != schedule:
                fields.note(("on", "schedule"), f"converted: {schedule} is {converted.expression} (EventBridge, UTC)")
        elif converted.problem is None:
            fields.get("on", "schedule")
            fields.note(("on", "schedule"), "converted: none: the job runs only when started (ecs-toolkit run-task)")
        else:
            fields.drop(("on", "schedule"), f"{converted.problem}; the job runs only when started until you add one")
    retries = fields.get("retries")
    if retries is not None:
        service["retries"] = int(retries)
    timeout = whole_seconds(fields.peek("timeout"))
    if timeout is not None:
        fields.get("timeout")
        service["timeout_minutes"] = max(1, math.ceil(timeout / 60))


def _deployment(service: dict[str, Any], fields: Fields) -> None:
    deployment: dict[str, Any] = service.get("deployment", {})
    rolling = fields.get("deployment", "rolling")
    if rolling == "recreate":
        deployment.update(min_healthy_percent=0, max_percent=100)
    alarms = fields.peek("deployment", "rollback_alarms")
    if isinstance(alarms, list) and alarms:
        fields.get("deployment", "rollback_alarms")
        deployment["alarms"] = {"extra": [str(a) for a in alarms]}
    elif isinstance(alarms, dict):
        for key in alarms:
            fields.drop(("deployment", "rollback_alarms", key))
    if deployment:
        service["deployment"] = deployment


def _sidecars(service: dict[str, Any], fields: Fields, ctx: Context) -> None:
    sidecars = fields.peek("sidecars")
    if not isinstance(sidecars, dict):
        return
    out = []
    for name, spec in sidecars.items():
        if not isinstance(spec, dict):
            continue
        at = ("sidecars", name)
        sidecar: dict[str, Any] = {"name": toolkit_name(name)}
        if sidecar["name"] != name:
            fields.note(at, f"converted: the sidecar is named {sidecar['name']} (toolkit names are lower-case with hyphens)")
        _image(sidecar, fields, ctx, at)
        port = fields.get(*at, "port")
        if port is not None:
            sidecar["port"] = int(str(port).split("/")[0])
        essential = fields.get(*at, "essential")
        if essential is not None:
            sidecar["essential"] = bool(essential)
        _container(sidecar, fields, ctx, at)
        points = fields.peek(*at, "mount_points")
        if isinstance(points, list):
            for index, point in enumerate(points):
                if not isinstance(point, dict):
                    continue
                volume = toolkit_name(str(point.get("source_volume", "")))
                point_at = (*at, "mount_points", str(index))
                read_only = point.get("read_only", True)
                if volume in service.get("task_volumes", {}):
                    fields.get(*point_at)
                    path = point.get("path")
                    sidecar.setdefault("mounts", {})[volume] = {"path": path, "read_only": True} if read_only else path
                else:
                    fields.drop(point_at, "a sidecar mounts task volumes only; an EFS volume is mounted by the main container")
        out.append(sidecar)
    if out:
        service["sidecars"] = out
