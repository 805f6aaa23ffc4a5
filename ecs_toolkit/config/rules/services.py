"""Service rules: launch type and Fargate sizes, kinds, routes, containers, secrets, grants."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import LOG_RETENTION_DAYS, EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.references import parse_secret_reference
from ecs_toolkit.config.rules.cluster import check_strategy
from ecs_toolkit.config.rules.common import Finding, Location, retention_message, split_path
from ecs_toolkit.config.rules.containers import check_containers
from ecs_toolkit.config.rules.deployments import check_deployment, check_service_alarms
from ecs_toolkit.config.rules.iam import check_roles
from ecs_toolkit.config.rules.log_routing import check_logging
from ecs_toolkit.config.rules.scaling import check_scaling
from ecs_toolkit.config.rules.storage import check_task_volumes, check_volumes

SECRET_LOOKING_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|^AWS_.*KEY)", re.IGNORECASE)


def check_service(config: EnvironmentConfig, name: str, service: ServiceConfig) -> Iterator[Finding]:
    where: Location = ("services", name)
    launch = derived.launch_of(config, service)
    mode = derived.network_mode_of(config, service)
    if service.capacity is not None:
        yield from check_strategy(config, service.capacity, (*where, "capacity"))
    strategy = derived.service_strategy(config, service)
    uses_fargate = {item.provider in derived.FARGATE_PROVIDERS for item in strategy}
    known = derived.provider_names(config)
    if any(item.provider not in known for item in strategy):
        pass  # an unknown provider is reported above (with "did you mean"); the launch it implies is a guess
    elif launch == "ec2" and not config.cluster.capacity.ec2:
        yield (*where, "launch"), "runs on EC2 but the cluster has no ec2 capacity groups"
    elif launch == "fargate" and not config.cluster.capacity.fargate:
        yield (*where, "launch"), "runs on Fargate but the cluster's capacity has fargate off"
    elif service.launch is not None and uses_fargate == {service.launch != "fargate"}:
        source = (
            "the capacity providers"
            if service.capacity is not None
            else "the cluster's default strategy: give the service a capacity"
        )
        yield (*where, "launch"), f"launch {service.launch} does not match {source}"
    if launch == "fargate":
        yield from _fargate(config, where, service, mode)
    yield from _kind(config, where, service, mode)
    yield from _container(where, name, service)
    yield from check_containers(config, where, name, service)
    yield from check_roles(where, service)
    yield from check_volumes(config, where, service)
    yield from check_task_volumes(config, where, service)
    yield from check_logging(where, service)
    yield from _grants(where, service)
    yield from check_scaling(config, where, service)
    yield from check_deployment(config, where, service)
    yield from check_service_alarms(config, where, service)
    if service.deployment.az_rebalancing and launch == "ec2" and any(p.startswith("binpack") for p in service.placement):
        yield (
            (*where, "deployment", "az_rebalancing"),
            "ECS does not rebalance services placed with binpack: drop binpack-* from placement or set az_rebalancing: false",
        )
    if service.deployment.az_rebalancing and service.deployment.max_percent == 100:
        yield (
            (*where, "deployment", "az_rebalancing"),
            "rebalancing starts a task before it stops one, and max_percent 100 leaves no room: raise max_percent or "
            "set az_rebalancing: false",
        )
    if service.deployment.min_healthy_percent == 100 and service.deployment.max_percent == 100:
        yield (*where, "deployment"), "min_healthy_percent 100 with max_percent 100 leaves no room to replace a task"


def _fargate(config: EnvironmentConfig, where: Location, service: ServiceConfig, mode: str) -> Iterator[Finding]:
    if mode != "awsvpc":
        yield (*where, "network_mode"), f"Fargate needs awsvpc, not {mode}"
    if service.cpu is None or service.memory_mib is None:
        missing = "cpu" if service.cpu is None else "memory_mib"
        yield (*where, missing), "is required on Fargate"
    elif service.cpu not in derived.FARGATE_SIZES:
        yield (*where, "cpu"), f"{service.cpu} is not a Fargate cpu (use {', '.join(map(str, derived.FARGATE_SIZES))})"
    elif service.memory_mib not in derived.FARGATE_SIZES[service.cpu]:
        allowed = derived.FARGATE_SIZES[service.cpu]
        shown = (
            ", ".join(map(str, allowed[:-1])) + f" or {allowed[-1]}"
            if len(allowed) <= 4
            else f"{allowed[0]} to {allowed[-1]} in steps of {allowed[1] - allowed[0]}"
        )
        yield (*where, "memory_mib"), f"{service.memory_mib} is not valid for cpu {service.cpu} (use {shown})"
    strategy = derived.service_strategy(config, service)
    if service.architecture == "arm64" and any(item.provider == "FARGATE_SPOT" for item in strategy):
        yield (*where, "architecture"), "Fargate Spot runs x86_64 only"


def _kind(config: EnvironmentConfig, where: Location, service: ServiceConfig, mode: str) -> Iterator[Finding]:
    kind = service.kind
    if kind == "web":
        if service.route is None and service.nlb is None:
            yield where, "a web service needs a route (load balancer) or an nlb"
        if service.port is None:
            yield (*where, "port"), "a web service needs the container port"
        if service.route is not None and config.load_balancer is None:
            yield (*where, "route"), "needs the environment's load_balancer section"
        if service.route is not None and service.route.path is None and service.route.host is None:
            yield (*where, "route"), "give a path, a host, or both"
    else:
        for field in ("route", "nlb", "target", "additional_routes"):
            if getattr(service, field) not in (None, []):
                yield (*where, field), f"a {kind} has no load balancer: use kind web"
    if kind == "worker":
        if service.discovery is not None:
            yield (*where, "discovery"), "a worker takes no inbound traffic: use kind backend"
        if service.port is not None:
            yield (*where, "port"), "a worker takes no inbound traffic: use kind backend"
    if kind == "backend" and service.port is None:
        yield (*where, "port"), "a backend needs the port it is reached on"
    if kind == "job":
        if derived.job_schedule(service) is None:
            for field in ("time_zone", "retries"):
                if field in service.model_fields_set:
                    yield (*where, field), "applies to a schedule, and this job runs on demand only (it has no schedule)"
        for field in ("discovery", "port"):
            if getattr(service, field) is not None:
                yield (*where, field), "a job takes no inbound traffic"
        if "count" in service.model_fields_set:
            yield (*where, "count"), "a job runs one task per schedule: remove count"
    elif service.schedule is not None:
        yield (*where, "schedule"), f"only jobs have a schedule, this is a {kind}"
    if kind != "job":
        for field in ("time_zone", "timeout_minutes", "retries"):
            if field in service.model_fields_set:
                yield (*where, field), f"applies to jobs only, this is a {kind}"
    elif service.scaling is not None:
        yield (*where, "scaling"), "a job runs one task per schedule and does not scale"
    if mode == "none" and (service.port is not None or service.discovery is not None):
        yield (*where, "network_mode"), "network mode none has no ports"
    if service.nlb is not None:
        nlb = service.nlb
        if (nlb.protocol == "tls") != (nlb.certificate_arn is not None):
            yield (*where, "nlb", "certificate_arn"), "is required with protocol tls, and only then"
    if service.discovery is not None and service.discovery.service_connect and service.port is None:
        yield (*where, "discovery", "service_connect"), "needs the container port"
    elif (
        service.discovery is not None
        and service.discovery.service_connect
        and "tcp" not in derived.nlb_transports(service)
        and derived.nlb_health_check_port(service) != service.port
    ):
        yield (
            (*where, "discovery", "service_connect"),
            "Service Connect carries TCP, and this service's port is UDP only: use discovery without service_connect, "
            "or nlb protocol tcp_udp",
        )
    if service.deployment.grace_period_seconds is not None and service.route is None and service.nlb is None:
        yield (*where, "deployment", "grace_period_seconds"), "applies to load-balanced services only"


def _container(where: Location, name: str, service: ServiceConfig) -> Iterator[Finding]:
    if service.log_retention_days not in LOG_RETENTION_DAYS:
        yield (*where, "log_retention_days"), retention_message(service.log_retention_days)
    containers = [("", service.environment, service.secrets)]
    names = {name}
    for index, sidecar in enumerate(service.sidecars):
        if sidecar.name in names:
            yield (*where, "sidecars", index, "name"), f"container name {sidecar.name!r} is already used"
        names.add(sidecar.name)
        containers.append((f"sidecars.{index}", sidecar.environment, sidecar.secrets))
    for prefix, environment, secrets in containers:
        base: Location = (*where, *split_path(prefix))
        for variable in environment:
            if SECRET_LOOKING_NAME.search(variable):
                yield (
                    (*base, "environment", variable),
                    "looks like a secret: pass it under secrets as an ssm: or secretsmanager: reference",
                )
            if variable in secrets:
                yield (*base, "environment", variable), "is also under secrets"
        for variable, reference in secrets.items():
            try:
                parse_secret_reference(reference)
            except ValueError as error:
                yield (*base, "secrets", variable), str(error)


GRANT_ARNS: dict[str, re.Pattern[str]] = {
    "s3": re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "dynamodb": re.compile(r"^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}$"),
    "sqs": re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$"),
    "sns": re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$"),
    "secret": re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$"),
    "kms": re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$"),
}
GRANT_RESOURCE_KIND = {"s3": "bucket", "dynamodb": "table", "sqs": "queue", "sns": "topic", "secret": "secret", "kms": "key"}


def _grants(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    for index, grant in enumerate(service.grants):
        location: Location = (*where, "grants", index)
        family = grant.intent.split("-", 1)[0]
        if grant.prefix is not None and family != "s3":
            yield (*location, "prefix"), "applies to s3 grants only"
        if grant.intent == "ssm-read-path":
            if grant.path is None:
                yield (*location, "path"), "ssm-read-path needs the parameter path"
            if grant.resource is not None:
                yield (*location, "resource"), "ssm-read-path takes a path, not a resource"
            continue
        if grant.path is not None:
            yield (*location, "path"), "applies to ssm-read-path only"
        if grant.resource is None:
            yield (*location, "resource"), f"{grant.intent} needs the {GRANT_RESOURCE_KIND[family]}'s ARN"
        elif not GRANT_ARNS[family].match(grant.resource):
            yield (*location, "resource"), f"{grant.resource!r} is not a {GRANT_RESOURCE_KIND[family]} ARN"
