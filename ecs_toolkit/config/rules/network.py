"""Environment and network rules: account and region, availability zones, NAT, endpoints, existing VPCs."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.image_sources import source_of
from ecs_toolkit.config.models import LOG_RETENTION_DAYS, EnvironmentConfig, ImageConfig, ServiceConfig
from ecs_toolkit.config.references import secret_option_reference
from ecs_toolkit.config.rules.common import Finding, Location, retention_message
from ecs_toolkit.data import fluent_bit_image

NEW_VPC_ONLY = {"cidr", "azs", "nat_gateways", "public_subnets", "endpoints", "flow_logs", "flow_log_retention_days"}
"""Network fields that shape a VPC the toolkit creates; an existing VPC is imported as it is."""
NEW_VPC_PREFIXES = (16, 24)
"""A new VPC's CIDR: /16 (AWS's largest) to /24 (the smallest that still holds 3 zones' subnets)."""
EXISTING_VPC_PREFIXES = (16, 28)
"""Any VPC AWS allows: /16 to /28 (Amazon VPC user guide, "VPC CIDR blocks", checked 2026-11-27)."""
ZONE = re.compile(r"^(?P<region>[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d)(?P<zone>[a-z]|-[a-z]+-\d[a-z])$")
"""An availability zone (`eu-west-1a`) or Local Zone (`us-west-2-lax-1a`): the region, then the zone."""


def check_environment(config: EnvironmentConfig) -> Iterator[Finding]:
    if (config.account is None) != (config.region is None):
        present, missing = ("account", "region") if config.region is None else ("region", "account")
        yield (present,), f"account and region go together: add {missing} or remove {present}"


def check_network(config: EnvironmentConfig) -> Iterator[Finding]:
    network = config.network
    if network.flow_log_retention_days not in LOG_RETENTION_DAYS:
        yield ("network", "flow_log_retention_days"), retention_message(network.flow_log_retention_days)
    if network.existing is not None:
        yield from _cidr(("network", "existing", "cidr"), network.existing.cidr, EXISTING_VPC_PREFIXES)
        yield from _zones(config, ("network", "existing", "availability_zones"), network.existing.availability_zones)
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
        yield from _zones(config, ("network", "azs"), network.azs)
    yield from _cidr(("network", "cidr"), network.cidr, NEW_VPC_PREFIXES)
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
    if config.load_balancer is not None and config.load_balancer.existing is None and config.load_balancer.public:
        yield ("load_balancer", "public"), f"an internet-facing load balancer needs the VPC's public subnets: {fix}"
    for name, service in config.services.items():
        if service.nlb is not None and service.nlb.public:
            yield ("services", name, "nlb", "public"), f"an internet-facing NLB needs the VPC's public subnets: {fix}"


def _without_nat(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """What a task in a VPC without NAT gateways cannot reach: other registries, stores without an endpoint."""
    endpoints = set(config.network.endpoints)
    containers: list[tuple[Location, str | ImageConfig, dict[str, str]]] = [(where, service.image, service.secrets)]
    containers += [((*where, "sidecars", i), sidecar.image, sidecar.secrets) for i, sidecar in enumerate(service.sidecars)]
    router_secrets: dict[str, str] = {}
    if service.logging is not None:  # the FireLens router: its image, and the secrets of its output options
        router_secrets = {k: secret_option_reference(v) for k, v in service.logging.secret_options.items()}
        if service.logging.image is not None:
            containers.append(((*where, "logging"), service.logging.image, {}))
        else:
            yield (
                (*where, "logging"),
                f"the log router's default image ({fluent_bit_image().image}) is public and the VPC has no NAT gateways "
                "to pull it: copy it into ECR and give it as logging.image, or add nat_gateways",
            )
    for at, image, _ in containers:
        source = source_of(image)
        ecr = source.ecr
        if source.private_ecr and ecr is None:
            pass  # built into the bootstrap repository or a declared one: this region's ECR, through its endpoints
        elif ecr is None:
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
    readers: list[tuple[Location, dict[str, str]]] = [
        ((*where, "secrets"), {k: v for _, _, secrets in containers for k, v in secrets.items()}),
        ((*where, "logging", "secret_options"), router_secrets),
    ]
    for at, secrets in readers:
        stores = {reference.partition(":")[0] for reference in secrets.values()} & {"ssm", "secretsmanager"}
        for store in sorted(stores - endpoints):
            yield (
                at,
                f"reads {store} secrets but the VPC has no NAT gateways and no {store} endpoint: add {store} to "
                "network.endpoints",
            )
    if service.exec and "ssm" not in endpoints:
        yield (*where, "exec"), "ECS Exec needs the ssm endpoints when the VPC has no NAT gateways: add ssm to network.endpoints"


def _cidr(where: Location, cidr: str, prefixes: tuple[int, int]) -> Iterator[Finding]:
    """An IPv4 network written exactly: four numbers 0-255, no host bits, a prefix in ``prefixes``."""
    low, high = prefixes
    try:
        network = ipaddress.IPv4Network(cidr, strict=False)
    except ValueError:
        yield where, f"{cidr!r} is not an IPv4 CIDR: four numbers from 0 to 255 and a prefix, such as 10.0.0.0/16"
        return
    if "/" not in cidr:
        yield where, f"{cidr!r} has no prefix: write it as {network.network_address}/{low} to /{high}"
        return
    if network.with_prefixlen != cidr:
        yield where, f"{cidr} has host bits set: the /{network.prefixlen} network is {network.with_prefixlen}"
    if not low <= network.prefixlen <= high:
        yield where, f"/{network.prefixlen} is outside the allowed prefixes: use /{low} to /{high}"


def _zones(config: EnvironmentConfig, where: Location, zones: list[str]) -> Iterator[Finding]:
    """Availability zones of one region (the manifest's when it names one)."""
    first_region = config.region
    for index, zone in enumerate(zones):
        match = ZONE.match(zone)
        if match is None:
            yield (*where, index), f"{zone!r} is not an availability zone name (a region and a letter, such as eu-west-1a)"
            continue
        region = match["region"]
        if config.region is not None and region != config.region:
            yield (*where, index), f"{zone!r} is not a zone of region {config.region}"
        elif first_region is None:
            first_region = region
        elif region != first_region:
            yield (*where, index), f"{zone!r} is in {region}, the zones before it in {first_region}: use zones of one region"
