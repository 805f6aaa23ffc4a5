"""Cross-field rules of the manifest: each yields ``Problem``s at the exact field they concern."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.connection_rules import check_connections
from ecs_toolkit.config.models import (
    LOG_RETENTION_DAYS,
    EnvironmentConfig,
    ServiceConfig,
    StepConfig,
    StrategyItemConfig,
    VolumeConfig,
)
from ecs_toolkit.config.references import parse_ecr_image, parse_secret_reference

Location = tuple[str | int, ...]
Finding = tuple[Location, str]
"""Where in the manifest (as a path of keys and indexes), and what is wrong."""

SECRET_LOOKING_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|^AWS_.*KEY)", re.IGNORECASE)
SCHEDULE = re.compile(
    r"cron\((\S+ ){5}\S+\)|rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)"
)
"""EventBridge Scheduler expressions: cron with six fields, rate with a positive count, or a one-time at()."""
RESERVED_AGENT_PORTS = (22, 2375, 2376, 51678, 51679, 51680)
MIN_HOST_PORT_RANGE = 64
NEW_VPC_ONLY = {"cidr", "azs", "nat_gateways", "public_subnets", "endpoints", "flow_logs", "flow_log_retention_days"}
"""Network fields that shape a VPC the toolkit creates; an existing VPC is imported as it is."""


def check_rules(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every cross-field problem of a structurally valid manifest."""
    yield from _environment(config)
    yield from _network(config)
    yield from _cluster(config)
    yield from _file_systems(config)
    yield from _routes(config)
    yield from _host_ports(config)
    yield from _bridge_static_host_ports(config)
    yield from check_connections(config)
    for name, service in config.services.items():
        yield from _service(config, name, service)


def _environment(config: EnvironmentConfig) -> Iterator[Finding]:
    if (config.account is None) != (config.region is None):
        present, missing = ("account", "region") if config.region is None else ("region", "account")
        yield (present,), f"account and region go together: add {missing} or remove {present}"


def _network(config: EnvironmentConfig) -> Iterator[Finding]:
    network = config.network
    if network.flow_log_retention_days not in LOG_RETENTION_DAYS:
        yield ("network", "flow_log_retention_days"), _retention_message(network.flow_log_retention_days)
    if network.existing is not None:
        for field in sorted(network.model_fields_set & NEW_VPC_ONLY):
            yield ("network", field), "does not apply to an existing VPC (it is imported as it is)"
        existing = network.existing
        if not existing.private_subnet_ids:
            yield ("network", "existing", "private_subnet_ids"), "an existing VPC needs at least one private subnet"
        for field in ("private_subnet_ids", "public_subnet_ids"):
            subnets = getattr(existing, field)
            if subnets and len(subnets) != len(existing.availability_zones):
                yield (
                    ("network", "existing", field),
                    (
                        f"{len(subnets)} subnets for {len(existing.availability_zones)} availability zones: "
                        "give one subnet per zone, in the same order"
                    ),
                )
        if not existing.public_subnet_ids:
            yield from _internet_facing_without_public_subnets(config)
        return
    if isinstance(network.azs, list):
        if not 2 <= len(network.azs) <= 3:
            yield ("network", "azs"), f"{len(network.azs)} availability zones: use 2 or 3"
        if len(set(network.azs)) != len(network.azs):
            yield ("network", "azs"), "availability zones repeat"
        if config.region is not None:
            for index, zone in enumerate(network.azs):
                if not zone.startswith(config.region):
                    yield ("network", "azs", index), f"{zone!r} is not a zone of region {config.region}"
    azs = derived.az_count(config)
    if not network.public_subnets:
        yield from _without_public_subnets(config)
    if network.nat_gateways > azs:
        yield ("network", "nat_gateways"), f"{network.nat_gateways} NAT gateways for {azs} availability zones (use 0 to {azs})"
    if network.nat_gateways == 0 and config.services:
        # EC2 instances also need the ECS endpoints to register with the cluster.
        needed = {"ecr", "logs", "s3", *(["ecs"] if config.cluster.capacity.ec2 else [])} - set(network.endpoints)
        if needed:
            yield (
                ("network", "endpoints"),
                (f"without NAT gateways tasks cannot pull images or write logs: add {sorted(needed)} to endpoints"),
            )
        for name, service in config.services.items():
            yield from _without_nat(config, ("services", name), service)


def _without_public_subnets(config: EnvironmentConfig) -> Iterator[Finding]:
    if config.network.nat_gateways:
        yield ("network", "nat_gateways"), "NAT gateways live in public subnets: use 0 with public_subnets: false"
    yield from _internet_facing_without_public_subnets(config, "set network.public_subnets: true")


def _internet_facing_without_public_subnets(
    config: EnvironmentConfig,
    add: str = "add network.existing.public_subnet_ids (one per zone)",
) -> Iterator[Finding]:
    """A VPC without public subnets (new, or imported without them) cannot hold an internet-facing load balancer."""
    fix = f"{add} or make it internal (public: false)"
    if config.load_balancer is not None and config.load_balancer.public:
        yield ("load_balancer", "public"), f"an internet-facing load balancer needs the VPC's public subnets: {fix}"
    for name, service in config.services.items():
        if service.nlb is not None and service.nlb.public:
            yield ("services", name, "nlb", "public"), f"an internet-facing NLB needs the VPC's public subnets: {fix}"


def _without_nat(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """What a task in a VPC without NAT gateways cannot reach: other registries, stores without an endpoint."""
    endpoints = set(config.network.endpoints)
    containers: list[tuple[Location, str, dict[str, str]]] = [(where, service.image, service.secrets)]
    containers += [((*where, "sidecars", i), sidecar.image, sidecar.secrets) for i, sidecar in enumerate(service.sidecars)]
    stores: set[str] = set()
    for at, image, secrets in containers:
        ecr = parse_ecr_image(image)
        if ecr is None:
            yield (
                (*at, "image"),
                "is not a private ECR image and the VPC has no NAT gateways to pull it: "
                "copy it into ECR (an ECR pull-through cache rule does this) or add nat_gateways",
            )
        elif config.region is not None and ecr.region != config.region:
            yield (
                (*at, "image"),
                f"is in ECR in {ecr.region}, which the VPC's ecr endpoints (in {config.region}) do not reach "
                "without NAT gateways: replicate it into this region or add nat_gateways",
            )
        for reference in secrets.values():
            store = reference.partition(":")[0]
            if store in ("ssm", "secretsmanager"):
                stores.add(store)
    for store in sorted(stores - endpoints):
        yield (
            (*where, "secrets"),
            f"reads {store} secrets but the VPC has no NAT gateways and no {store} endpoint: add {store} to network.endpoints",
        )
    if service.exec and "ssm" not in endpoints:
        yield (*where, "exec"), "ECS Exec needs the ssm endpoints when the VPC has no NAT gateways: add ssm to network.endpoints"


def _cluster(config: EnvironmentConfig) -> Iterator[Finding]:
    cluster = config.cluster
    groups = cluster.capacity.ec2
    if not groups and not cluster.capacity.fargate:
        yield ("cluster", "capacity"), "the cluster has no capacity: add an ec2 group or turn fargate on"
    seen: set[str] = set()
    for index, group in enumerate(groups):
        where: Location = ("cluster", "capacity", "ec2", index)
        if group.name in seen:
            yield (*where, "name"), f"capacity group {group.name!r} is defined twice"
        seen.add(group.name)
        if not group.instance_types:
            yield (*where, "instance_types"), "a capacity group needs at least one instance type"
        if len(set(group.instance_types)) != len(group.instance_types):
            yield (*where, "instance_types"), "instance types repeat"
        architectures = {derived.instance_architecture(kind) for kind in group.instance_types}
        if len(architectures) > 1:
            yield (*where, "instance_types"), "mixes arm64 (Graviton) and x86_64 instance types: use one architecture per group"
        if group.min > group.max:
            yield (*where, "min"), f"min {group.min} is greater than max {group.max}"
        if group.min_scaling_step > group.max_scaling_step:
            yield (
                (*where, "min_scaling_step"),
                (f"min_scaling_step {group.min_scaling_step} is greater than max_scaling_step {group.max_scaling_step}"),
            )
        if group.on_demand_base and not group.spot:
            yield (*where, "on_demand_base"), "applies to spot groups only"
        if group.on_demand_base > group.max:
            yield (*where, "on_demand_base"), f"on_demand_base {group.on_demand_base} is greater than max {group.max}"
    if cluster.default_strategy is not None:
        yield from _strategy(config, cluster.default_strategy, ("cluster", "default_strategy"))
    ports = cluster.host_port_range
    where = ("cluster", "host_port_range")
    if ports.start > ports.end:
        yield (*where, "start"), f"start {ports.start} is greater than end {ports.end}"
    elif ports.end - ports.start + 1 < MIN_HOST_PORT_RANGE:
        yield where, f"{ports.end - ports.start + 1} ports: keep at least {MIN_HOST_PORT_RANGE} for dynamic host ports"
    if ports.start < 1024:
        yield (*where, "start"), "dynamic host ports must start at 1024 or above"
    clashes = [port for port in RESERVED_AGENT_PORTS if ports.start <= port <= ports.end]
    if clashes:
        yield where, f"includes ports reserved by the ECS agent and Docker: {clashes}"


def _strategy(config: EnvironmentConfig, strategy: list[StrategyItemConfig], where: Location) -> Iterator[Finding]:
    known = derived.provider_names(config)
    if not strategy:
        yield where, "a capacity provider strategy needs at least one provider"
        return
    for index, item in enumerate(strategy):
        if item.provider not in known:
            yield (
                (*where, index, "provider"),
                f"capacity provider {item.provider!r} is not in the cluster (have: {', '.join(known) or 'none'})",
            )
    providers = [item.provider for item in strategy]
    if len(set(providers)) != len(providers):
        yield where, "a capacity provider appears twice"
    if sum(1 for item in strategy if item.base > 0) > 1:
        yield where, "only one provider of a strategy can have a base"
    if all(item.weight == 0 for item in strategy):
        yield where, "at least one provider needs a weight above 0"
    kinds = {item.provider in derived.FARGATE_PROVIDERS for item in strategy}
    if len(kinds) > 1:
        yield where, "a strategy cannot mix Fargate and EC2 capacity providers"


def _file_systems(config: EnvironmentConfig) -> Iterator[Finding]:
    for name, fs in config.file_systems.items():
        where: Location = ("file_systems", name)
        if (fs.throughput_mode == "provisioned") != (fs.provisioned_throughput_mibps is not None):
            yield (*where, "provisioned_throughput_mibps"), "is required with throughput_mode provisioned, and only then"
        if fs.performance_mode == "max_io" and fs.throughput_mode == "elastic":
            yield (*where, "performance_mode"), "max_io does not support elastic throughput: use bursting or provisioned"


def _routes(config: EnvironmentConfig) -> Iterator[Finding]:
    owners: dict[tuple[str | None, str | None], str] = {}
    priorities: dict[int, str] = {}
    for name, service in config.services.items():
        route = service.route
        if route is None:
            continue
        key = (route.host, derived.listener_path(route))  # "/" routes the whole site, as "/*" does
        if key in owners:
            other = config.services[owners[key]].route
            slash = "/" in (route.path, other.path if other is not None else None) and route.path != getattr(other, "path", None)
            hint = ' ("/" routes the whole site, as "/*" does)' if slash else ""
            yield ("services", name, "route"), f"same host and path as service {owners[key]!r}{hint}"
            continue
        owners[key] = name
        priority = derived.listener_priority(route)
        if priority in priorities:
            where = ("services", name, "route", "priority") if route.priority is not None else ("services", name, "route")
            yield (
                where,
                (
                    f"listener priority {priority} is already used by service {priorities[priority]!r}: "
                    "set route.priority explicitly"
                ),
            )
        priorities[priority] = name


def _host_ports(config: EnvironmentConfig) -> Iterator[Finding]:
    """Host networking binds the container port on the instance: one task per port per instance."""
    owners: dict[int, str] = {}
    for name, service in config.services.items():
        if derived.network_mode_of(config, service) != "host" or service.port is None:
            continue
        if service.port in owners:
            yield (
                ("services", name, "port"),
                (f"host port {service.port} is already used by service {owners[service.port]!r} in host mode"),
            )
        else:
            owners[service.port] = name
        groups = {group.name: group for group in config.cluster.capacity.ec2}
        instances = sum(
            groups[item.provider].max for item in derived.service_strategy(config, service) if item.provider in groups
        )
        if service.count > instances:
            yield (
                ("services", name, "count"),
                (
                    f"{service.count} tasks in host mode need {service.count} instances (one per port), "
                    f"but the service's capacity groups have at most {instances}"
                ),
            )


def _bridge_static_host_ports(config: EnvironmentConfig) -> Iterator[Finding]:
    """Bridge-mode UDP behind an NLB publishes fixed host ports: they must stay clear of the agent's
    reserved ports, the dynamic range, and every other fixed host port."""
    owners: dict[int, str] = {
        service.port: name
        for name, service in config.services.items()
        if derived.network_mode_of(config, service) == "host" and service.port is not None
    }
    dynamic = config.cluster.host_port_range
    for name, service in config.services.items():
        for port in derived.static_host_ports(config, service):
            where: Location = ("services", name, "port" if port == service.port else "nlb")
            what = f"bridge mode with an NLB over UDP publishes host port {port} as it is"
            if port in RESERVED_AGENT_PORTS:
                yield where, f"{what}, and the ECS agent and Docker reserve it: use another port or awsvpc"
            elif dynamic.start <= port <= dynamic.end:
                yield where, f"{what}, inside cluster.host_port_range ({dynamic.start}-{dynamic.end}): use a port outside it"
            elif port in owners and owners[port] != name:
                yield where, f"{what}, and service {owners[port]!r} already uses that host port"
            owners.setdefault(port, name)


def _service(config: EnvironmentConfig, name: str, service: ServiceConfig) -> Iterator[Finding]:
    where: Location = ("services", name)
    launch = derived.launch_of(config, service)
    mode = derived.network_mode_of(config, service)
    if service.capacity is not None:
        yield from _strategy(config, service.capacity, (*where, "capacity"))
    strategy = derived.service_strategy(config, service)
    uses_fargate = {item.provider in derived.FARGATE_PROVIDERS for item in strategy}
    if launch == "ec2" and not config.cluster.capacity.ec2:
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
    yield from _volumes(config, where, service)
    yield from _grants(where, service)
    yield from _scaling(config, where, service)
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
        for field in ("route", "nlb"):
            if getattr(service, field) is not None:
                yield (*where, field), f"a {kind} has no load balancer: use kind web"
    if kind == "worker":
        if service.discovery is not None:
            yield (*where, "discovery"), "a worker takes no inbound traffic: use kind backend"
        if service.port is not None:
            yield (*where, "port"), "a worker takes no inbound traffic: use kind backend"
    if kind == "backend" and service.port is None:
        yield (*where, "port"), "a backend needs the port it is reached on"
    if kind == "job":
        if service.schedule is None:
            yield (*where, "schedule"), "a job needs a schedule: cron(...) or rate(...)"
        for field in ("discovery", "port"):
            if getattr(service, field) is not None:
                yield (*where, field), "a job takes no inbound traffic"
        if "count" in service.model_fields_set:
            yield (*where, "count"), "a job runs one task per schedule: remove count"
    elif service.schedule is not None:
        yield (*where, "schedule"), f"only jobs have a schedule, this is a {kind}"
    if service.schedule is not None and not SCHEDULE.fullmatch(service.schedule):
        yield (*where, "schedule"), f"{service.schedule!r} is not cron(m h dom mon dow year) or rate(N unit)"
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
    if service.deployment.grace_period_seconds is not None and service.route is None and service.nlb is None:
        yield (*where, "deployment", "grace_period_seconds"), "applies to load-balanced services only"


def _container(where: Location, name: str, service: ServiceConfig) -> Iterator[Finding]:
    if service.log_retention_days not in LOG_RETENTION_DAYS:
        yield (*where, "log_retention_days"), _retention_message(service.log_retention_days)
    containers = [("", service.environment, service.secrets)]
    names = {name}
    for index, sidecar in enumerate(service.sidecars):
        if sidecar.name in names:
            yield (*where, "sidecars", index, "name"), f"container name {sidecar.name!r} is already used"
        names.add(sidecar.name)
        containers.append((f"sidecars.{index}", sidecar.environment, sidecar.secrets))
    for prefix, environment, secrets in containers:
        base: Location = (*where, *_split(prefix))
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
    sidecar_memory = sum(sidecar.memory_mib for sidecar in service.sidecars)
    memory = service.memory_mib if service.memory_mib is not None else derived.EC2_DEFAULT_MEMORY_MIB
    if sidecar_memory >= memory:
        yield (
            (*where, "memory_mib"),
            f"{memory} MiB leaves nothing for the main container after {sidecar_memory} MiB of sidecars",
        )


def _volumes(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    paths: dict[str, str] = {}
    for fs_name, volume in service.volumes.items():
        spec = volume if isinstance(volume, VolumeConfig) else VolumeConfig(path=volume)
        location: Location = (*where, "volumes", fs_name)
        if fs_name not in config.file_systems:
            known = ", ".join(config.file_systems) or "none"
            yield location, f"file system {fs_name!r} is not defined under file_systems (have: {known})"
        if not spec.path.startswith("/"):
            yield location, f"mount path {spec.path!r} is not absolute"
        elif spec.path in paths:
            yield location, f"mount path {spec.path} is already used by file system {paths[spec.path]!r}"
        paths[spec.path] = fs_name


GRANT_ARNS: dict[str, re.Pattern[str]] = {
    "s3": re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "dynamodb": re.compile(r"^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}$"),
    "sqs": re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$"),
    "sns": re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$"),
    "secret": re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$"),
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


def _scaling(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    scaling = service.scaling
    if scaling is None:
        return
    at: Location = (*where, "scaling")
    if scaling.max < scaling.min:
        yield (*at, "max"), f"max {scaling.max} is less than min {scaling.min}"
    if "count" in service.model_fields_set:
        yield (*where, "count"), "does not apply with scaling: scaling.min is the floor and deploys keep the running count"
    if scaling.requests_per_target is not None and service.route is None:
        yield (*at, "requests_per_target"), "needs a route on the application load balancer"
    if scaling.queue is not None:
        if service.kind != "worker":
            yield (*at, "queue"), f"queue backlog scaling is for workers, this is a {service.kind}"
        if config.cluster.container_insights == "disabled":
            yield (
                (*at, "queue"),
                (
                    "backlog per task divides by Container Insights' RunningTaskCount, which container_insights: disabled "
                    "does not publish: use enabled or enhanced"
                ),
            )
    if scaling.steps is not None:
        yield from _steps((*at, "steps", "steps"), scaling.steps.steps)
    for index, action in enumerate(scaling.schedule):
        place: Location = (*at, "schedule", index)
        if not SCHEDULE.fullmatch(action.schedule):
            yield (*place, "schedule"), f"{action.schedule!r} is not cron(m h dom mon dow year), rate(N unit) or at(...)"
        if action.min is None and action.max is None:
            yield place, "a scheduled action sets min, max or both"
        if action.min is not None and action.max is not None and action.max < action.min:
            yield (*place, "max"), f"max {action.max} is less than min {action.min}"


def _steps(where: Location, steps: list[StepConfig]) -> Iterator[Finding]:
    """Intervals in ascending order that neither overlap nor leave a step without bounds."""
    previous_upper: float | None = None
    for index, step in enumerate(steps):
        place: Location = (*where, index)
        if step.change == 0:
            yield (*place, "change"), "a step must change the task count"
        if step.lower is None and step.upper is None:
            yield place, "give lower, upper or both"
            continue
        if step.lower is not None and step.upper is not None and step.lower >= step.upper:
            yield place, f"lower {step.lower:g} is not below upper {step.upper:g}"
        if index > 0:
            if step.lower is None:
                yield (*place, "lower"), "only the first step can be open below"
            elif previous_upper is not None and step.lower < previous_upper:
                yield (
                    (*place, "lower"),
                    f"lower {step.lower:g} overlaps the step before it (upper {previous_upper:g}): order steps ascending",
                )
        if index < len(steps) - 1 and step.upper is None:
            yield (*place, "upper"), "only the last step can be open above"
        previous_upper = step.upper if step.upper is not None else step.lower


def _split(prefix: str) -> tuple[str | int, ...]:
    return tuple(int(part) if part.isdigit() else part for part in prefix.split(".") if part)


def _retention_message(days: int) -> str:
    return f"{days} is not a CloudWatch Logs retention (use one of {', '.join(map(str, LOG_RETENTION_DAYS))})"
