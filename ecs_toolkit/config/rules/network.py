"""Environment and network rules: account and region, availability zones, NAT, endpoints, existing VPCs."""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import LOG_RETENTION_DAYS, EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.references import parse_ecr_image
from ecs_toolkit.config.rules.common import Finding, Location, retention_message

NEW_VPC_ONLY = {"cidr", "azs", "nat_gateways", "public_subnets", "endpoints", "flow_logs", "flow_log_retention_days"}
"""Network fields that shape a VPC the toolkit creates; an existing VPC is imported as it is."""


def check_environment(config: EnvironmentConfig) -> Iterator[Finding]:
    if (config.account is None) != (config.region is None):
        present, missing = ("account", "region") if config.region is None else ("region", "account")
        yield (present,), f"account and region go together: add {missing} or remove {present}"


def check_network(config: EnvironmentConfig) -> Iterator[Finding]:
    network = config.network
    if network.flow_log_retention_days not in LOG_RETENTION_DAYS:
        yield ("network", "flow_log_retention_days"), retention_message(network.flow_log_retention_days)
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
