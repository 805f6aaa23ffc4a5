"""Values the manifest implies without spelling them out (launch type, network mode, ...).

Rules and stacks both ask these functions, so a default is decided in exactly one place.
"""

from __future__ import annotations

import re
import zlib

from ecs_toolkit.config.models import (
    Ec2GroupConfig,
    EnvironmentConfig,
    RouteConfig,
    ServiceConfig,
    StrategyItemConfig,
    VolumeConfig,
)
from ecs_toolkit.data import instance_types

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
EC2_DEFAULT_CPU = 256
EC2_DEFAULT_MEMORY_MIB = 512

FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
"""Fargate's documented task cpu -> memory (MiB) combinations."""

_FAMILY = re.compile(r"^[a-z]+\d+(?P<suffix>[a-z-]*)\.")


def instance_architecture(instance_type: str) -> str:
    """The architecture in the instance data; for a type it does not know, ``arm64`` for Graviton
    families (a ``g`` after the generation: m7g, c6gn, t4g), else ``x86_64``."""
    known = instance_types().get(instance_type)
    if known is not None:
        return known.architecture
    if instance_type.startswith("a1."):
        return "arm64"  # the first Graviton family, named before the "g" suffix convention
    match = _FAMILY.match(instance_type)
    return "arm64" if match is not None and "g" in match.group("suffix") else "x86_64"


def provider_names(config: EnvironmentConfig) -> list[str]:
    """Every capacity provider the cluster will have, EC2 groups first."""
    names = [group.name for group in config.cluster.capacity.ec2]
    if config.cluster.capacity.fargate:
        names.extend(FARGATE_PROVIDERS)
    return names


def cluster_strategy(config: EnvironmentConfig) -> list[StrategyItemConfig]:
    """The cluster's default capacity provider strategy."""
    if config.cluster.default_strategy is not None:
        return config.cluster.default_strategy
    if config.cluster.capacity.fargate:
        return [StrategyItemConfig(provider="FARGATE", base=0, weight=1)]
    if config.cluster.capacity.ec2:
        return [StrategyItemConfig(provider=config.cluster.capacity.ec2[0].name, base=0, weight=1)]
    return []


def service_strategy(config: EnvironmentConfig, service: ServiceConfig) -> list[StrategyItemConfig]:
    """The strategy a service runs with: its own, or the cluster default."""
    return service.capacity if service.capacity is not None else cluster_strategy(config)


def launch_of(config: EnvironmentConfig, service: ServiceConfig) -> str:
    """``fargate`` or ``ec2``: explicit, else decided by the providers of the service's strategy."""
    if service.launch is not None:
        return service.launch
    strategy = service_strategy(config, service)
    if strategy and all(item.provider in FARGATE_PROVIDERS for item in strategy):
        return "fargate"
    if strategy:
        return "ec2"
    return "fargate" if config.cluster.capacity.fargate else "ec2"


def network_mode_of(config: EnvironmentConfig, service: ServiceConfig) -> str:
    """Explicit, else awsvpc on Fargate and bridge (dynamic host ports) on EC2."""
    if service.network_mode is not None:
        return service.network_mode
    return "awsvpc" if launch_of(config, service) == "fargate" else "bridge"


def nlb_transports(service: ServiceConfig) -> tuple[str, ...]:
    """What the service's NLB forwards to the container: tcp, udp or both (tls forwards tcp)."""
    if service.nlb is None:
        return ("tcp",)
    return {"udp": ("udp",), "tcp_udp": ("tcp", "udp")}.get(service.nlb.protocol, ("tcp",))


def nlb_health_check_port(service: ServiceConfig) -> int | None:
    """The TCP port the service's NLB checks, when the container must publish it besides its traffic:
    always for udp (NLB health checks are TCP), and for an explicit port other than the container's."""
    if service.nlb is None or service.port is None:
        return None
    port = service.nlb.health_check_port if service.nlb.health_check_port is not None else service.port
    if port == service.port and "tcp" in nlb_transports(service):
        return None
    return port


def static_host_ports(config: EnvironmentConfig, service: ServiceConfig) -> list[int]:
    """Host ports a bridge-mode task publishes as they are instead of dynamically: the port and the
    health-check port of an NLB service that forwards UDP or checks another port (the NLB registers one
    port per task, and dynamic TCP and UDP host ports of one task differ). Empty for everything else."""
    if network_mode_of(config, service) != "bridge" or service.nlb is None or service.port is None:
        return []
    check = nlb_health_check_port(service)
    if nlb_transports(service) == ("tcp",) and check is None:
        return []
    return [service.port] + ([check] if check is not None and check != service.port else [])


def task_cpu(config: EnvironmentConfig, service: ServiceConfig) -> int:
    return service.cpu if service.cpu is not None else EC2_DEFAULT_CPU


def task_memory_mib(config: EnvironmentConfig, service: ServiceConfig) -> int:
    return service.memory_mib if service.memory_mib is not None else EC2_DEFAULT_MEMORY_MIB


def namespace_of(config: EnvironmentConfig) -> str:
    return config.cluster.namespace or f"{config.name}.internal"


def discovery_name_of(name: str, service: ServiceConfig) -> str | None:
    """Backends are always discoverable (by their manifest name unless told otherwise)."""
    if service.discovery is not None:
        return service.discovery.name or name
    return name if service.kind == "backend" else None


def uses_service_connect(service: ServiceConfig) -> bool:
    """Whether the service's port is registered in Service Connect."""
    return service.discovery is not None and service.discovery.service_connect and service.port is not None


def callers_of(config: EnvironmentConfig, callee: str) -> list[str]:
    """The services that declare ``connects_to: [callee]``, in manifest order."""
    return [name for name, service in config.services.items() if callee in service.connects_to and name != callee]


def declared_connections(config: EnvironmentConfig) -> list[tuple[str, str]]:
    """Every (caller, callee) pair the manifest declares whose callee exists and listens on a port."""
    return [
        (caller, callee)
        for caller, service in config.services.items()
        for callee in dict.fromkeys(service.connects_to)
        if callee != caller and callee in config.services and config.services[callee].port is not None
    ]


def az_count(config: EnvironmentConfig) -> int:
    network = config.network
    if network.existing is not None:
        return len(network.existing.availability_zones)
    return network.azs if isinstance(network.azs, int) else len(network.azs)


def file_system_removal(config: EnvironmentConfig, name: str) -> str:
    chosen = config.file_systems[name].removal
    return chosen if chosen is not None else ("destroy" if config.ephemeral else "retain")


def repository_removal(config: EnvironmentConfig, name: str) -> str:
    """Like a file system's: destroy (with the images) in an ephemeral environment unless the manifest says otherwise."""
    chosen = config.repositories[name].removal
    return chosen if chosen is not None else ("destroy" if config.ephemeral else "retain")


WHOLE_SITE = "/*"


def listener_path(route: RouteConfig) -> str | None:
    """The ALB path pattern of a route: ``/`` means the whole site (``/*``), as in AWS Copilot.

    An ALB pattern ``/`` matches the root path alone, which no one writing ``path: "/"`` means.
    """
    return WHOLE_SITE if route.path == "/" else route.path


PRIORITY_BAND_SIZE = 1000
MAX_SPECIFICITY = 48


def listener_priority(route: RouteConfig) -> int:
    """The ALB rule priority of a route: explicit, else derived from the route alone.

    ``band * 1000 + crc32(host|path) % 1000``, where the band (1-49) falls as the route gets more
    specific (an exact host counts 24, a wildcard host 12, plus one per literal path character up
    to 24), so ``/api/*`` is evaluated before ``/*``. A route's priority never depends on the
    other services or their order in the manifest, so adding a service reshuffles nothing. It is
    derived from the path as written: ``/`` (routed as ``/*``) keeps the priority it always had.
    """
    if route.priority is not None:
        return route.priority
    host_score = 0 if route.host is None else (12 if any(c in route.host for c in "*?") else 24)
    literal_path = len((route.path or "").replace("*", "").replace("?", ""))
    specificity = min(MAX_SPECIFICITY, host_score + min(24, literal_path))
    band = MAX_SPECIFICITY + 1 - specificity
    return band * PRIORITY_BAND_SIZE + zlib.crc32(f"{route.host or ''}|{route.path or ''}".encode()) % PRIORITY_BAND_SIZE


DEFAULT_GRACE_PERIOD_SECONDS = 30


def grace_period_seconds(service: ServiceConfig) -> int:
    """Load-balancer health checks are ignored this long after a task starts (default 30 s,
    or the container health check's start period if that is longer)."""
    if service.deployment.grace_period_seconds is not None:
        return service.deployment.grace_period_seconds
    start = service.container_health_check.start_period_seconds if service.container_health_check else 0
    return max(DEFAULT_GRACE_PERIOD_SECONDS, start)


DEFAULT_VOLUME_OWNER = 1000


def volume_owner(service: ServiceConfig, volume: VolumeConfig) -> tuple[int, int]:
    """uid/gid of an access point: explicit, else the service's numeric ``user`` (`uid` or `uid:gid`), else 1000."""
    uid = gid = DEFAULT_VOLUME_OWNER
    if service.user is not None:
        user, _, group = service.user.partition(":")
        if user.isdigit():
            uid = gid = int(user)
        if group.isdigit():
            gid = int(group)
    return (volume.uid if volume.uid is not None else uid, volume.gid if volume.gid is not None else gid)


def shifts_traffic(service: ServiceConfig) -> bool:
    """Blue-green, canary and linear deployments move traffic between two target groups; rolling does not."""
    return service.deployment.strategy != "rolling"


def needs_test_listener(config: EnvironmentConfig) -> bool:
    """The shared load balancer gets its test listener when a routed service shifts traffic."""
    return config.load_balancer is not None and any(
        service.route is not None and shifts_traffic(service) for service in config.services.values()
    )


_NEURON_FAMILY = re.compile(r"^(inf|trn)\d")
"""AWS Inferentia and Trainium families: their accelerators need the Neuron driver, not a GPU one."""
_GPU_FAMILY = re.compile(r"^[gp]\d+[a-z]*\.")
"""NVIDIA GPU families (g4dn, g5, g6, p4d, p5, ...), for types the instance data does not list."""


def instance_gpus(instance_type: str) -> int:
    """GPUs of an instance type: from the instance data, else 1 for a GPU family it does not list."""
    known = instance_types().get(instance_type)
    if known is not None:
        return known.gpus
    return 1 if _GPU_FAMILY.match(instance_type) else 0


def is_neuron(instance_type: str) -> bool:
    return _NEURON_FAMILY.match(instance_type) is not None


def natural_ami(instance_type: str) -> str:
    """The ECS-optimized AL2023 variant one instance type needs: gpu, neuron, arm64 or standard."""
    if is_neuron(instance_type):
        return "al2023-neuron"
    if instance_gpus(instance_type) > 0:
        return "al2023-gpu"
    return "al2023-arm64" if instance_architecture(instance_type) == "arm64" else "al2023"


def ami_of(group: Ec2GroupConfig) -> str:
    """The group's AMI variant: its own, else the one its first instance type needs (the rules require
    every type of the group to agree when the manifest does not choose)."""
    return group.ami if group.ami is not None else natural_ami(group.instance_types[0])


def task_gpus(service: ServiceConfig) -> int:
    """GPUs one task reserves: the sum over its containers."""
    return (service.gpus or 0) + sum(sidecar.gpus or 0 for sidecar in service.sidecars)


def az_rebalancing(service: ServiceConfig, launch: str) -> bool:
    """The service's ``availabilityZoneRebalancing``: the manifest's, else on unless EC2 placement packs tasks (binpack),
    which ECS does not rebalance, or max_percent 100 leaves no room to start a task before stopping one."""
    if service.deployment.az_rebalancing is not None:
        return service.deployment.az_rebalancing
    packed = launch == "ec2" and any(strategy.startswith("binpack") for strategy in service.placement)
    return not packed and service.deployment.max_percent > 100
