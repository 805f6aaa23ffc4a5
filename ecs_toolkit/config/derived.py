"""Values the manifest implies without spelling them out (launch type, network mode, ...).

Rules and stacks both ask these functions, so a default is decided in exactly one place.
"""

from __future__ import annotations

import re
import zlib

from ecs_toolkit.config.models import (
    AdditionalRouteConfig,
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
    """Explicit, else awsvpc on Fargate and bridge (dynamic host ports) on EC2, except awsvpc when every EC2
    group the service runs on is Bottlerocket (which cannot pin the dynamic host-port range)."""
    if service.network_mode is not None:
        return service.network_mode
    if launch_of(config, service) == "fargate":
        return "awsvpc"
    groups = {group.name: group for group in config.cluster.capacity.ec2}
    names = [item.provider for item in service_strategy(config, service) if item.provider in groups]
    return "awsvpc" if names and all(is_bottlerocket(groups[name]) for name in names) else "bridge"


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
CONDITION_VALUES_PER_RULE = 5
"""An ALB listener rule takes at most 5 condition values in all (host and path values counted together).
Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html (checked 2026-11)."""


def _values(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def route_hosts(route: RouteConfig) -> list[str]:
    """The host header values of a route (a string is a list of one)."""
    return _values(route.host)


def route_paths(route: RouteConfig) -> list[str]:
    """The paths of a route as written (a string is a list of one)."""
    return _values(route.path)


def _listener_pattern(path: str) -> str:
    return WHOLE_SITE if path == "/" else path


def listener_path(route: RouteConfig) -> str | None:
    """The ALB path pattern of a single-path route: ``/`` means the whole site (``/*``), as in AWS Copilot.

    An ALB pattern ``/`` matches the root path alone, which no one writing ``path: "/"`` means.
    """
    paths = listener_paths(route)
    return paths[0] if paths else None


def listener_paths(route: RouteConfig) -> list[str]:
    """Every ALB path pattern of a route, ``/`` routed as ``/*`` (see ``listener_path``)."""
    return [_listener_pattern(path) for path in route_paths(route)]


def condition_values(route: RouteConfig) -> int:
    """Host and path values of the route's rule, counted together as the ALB counts them."""
    return len(route_hosts(route)) + len(route_paths(route))


PRIORITY_BAND_SIZE = 1000
MAX_SPECIFICITY = 48


def listener_priority(route: RouteConfig) -> int:
    """The ALB rule priority of a route: explicit, else derived from the route alone.

    ``band * 1000 + crc32(host|path) % 1000``, where the band (1-49) falls as the route gets more
    specific (an exact host counts 24, a wildcard host 12, plus one per literal path character up
    to 24), so ``/api/*`` is evaluated before ``/*``. A route's priority never depends on the
    other services or their order in the manifest, so adding a service reshuffles nothing. It is
    derived from the path as written: ``/`` (routed as ``/*``) keeps the priority it always had.
    With several hosts or paths the rule is as specific as its least specific value (a wildcard host
    among exact ones scores 12, the shortest literal path counts), and the hash covers every value
    joined with commas, so a list of one gives the priority of the plain string.
    """
    if route.priority is not None:
        return route.priority
    hosts, paths = route_hosts(route), route_paths(route)
    host_score = 0 if not hosts else (12 if any(c in host for host in hosts for c in "*?") else 24)
    literal_path = min((len(path.replace("*", "").replace("?", "")) for path in paths), default=0)
    specificity = min(MAX_SPECIFICITY, host_score + min(24, literal_path))
    band = MAX_SPECIFICITY + 1 - specificity
    key = f"{','.join(hosts)}|{','.join(paths)}"
    return band * PRIORITY_BAND_SIZE + zlib.crc32(key.encode()) % PRIORITY_BAND_SIZE


def service_routes(service: ServiceConfig) -> list[tuple[tuple[str | int, ...], RouteConfig]]:
    """The service's route and additional routes, each with where it is in the service's section."""
    found: list[tuple[tuple[str | int, ...], RouteConfig]] = []
    if service.route is not None:
        found.append((("route",), service.route))
    found.extend((("additional_routes", index), route) for index, route in enumerate(service.additional_routes))
    return found


def target_container(name: str, service: ServiceConfig) -> str:
    """The container the service's target group sends to: ``target.container``, else the main one (named after the service)."""
    return service.target.container if service.target is not None and service.target.container is not None else name


def container_port(name: str, service: ServiceConfig, container: str) -> int | None:
    """The port of one of the task's containers (the main one is named after the service)."""
    if container == name:
        return service.port
    return next((sidecar.port for sidecar in service.sidecars if sidecar.name == container), None)


def target_port(name: str, service: ServiceConfig) -> int | None:
    """The port the service's target group sends to: ``target.port``, else the target container's port."""
    if service.target is not None and service.target.port is not None:
        return service.target.port
    return container_port(name, service, target_container(name, service))


def target_protocol(service: ServiceConfig) -> str:
    return service.target.protocol if service.target is not None else "http"


def health_check_port(name: str, service: ServiceConfig) -> int | None:
    """The port the ALB checks when it is not the traffic port (None: the traffic port)."""
    port = service.health_check.port
    return None if port is None or port == target_port(name, service) else port


def load_balancer_ports(name: str, service: ServiceConfig) -> list[int]:
    """Every port the ALB reaches the service's tasks on: the target's, additional routes' others, the health check's."""
    if service.route is None:
        return []
    ports = [target_port(name, service)]
    ports += [additional_target(name, service, route)[1] for route in service.additional_routes]
    ports.append(health_check_port(name, service))
    return sorted({port for port in ports if port is not None})


def additional_target(name: str, service: ServiceConfig, route: AdditionalRouteConfig) -> tuple[str, int | None]:
    """The container and port an additional route sends to: by default the route's target (its container and port)."""
    container = route.container or target_container(name, service)
    if route.port is not None:
        return container, route.port
    if container == target_container(name, service):
        return container, target_port(name, service)
    return container, container_port(name, service, container)


def route_has_own_target(name: str, service: ServiceConfig, route: AdditionalRouteConfig) -> bool:
    """An additional route to another container or port than the target's gets a target group of its own."""
    return additional_target(name, service, route) != (target_container(name, service), target_port(name, service))


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
    if config.load_balancer is None or config.load_balancer.existing is not None:
        return False  # an existing ALB's security group is not the environment's to open a test port on
    return any(service.route is not None and shifts_traffic(service) for service in config.services.values())


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


def is_bottlerocket(group: Ec2GroupConfig) -> bool:
    return group.ami is not None and group.ami.startswith("bottlerocket")


def bottlerocket_image_parameter(group: Ec2GroupConfig) -> str | None:
    """The public SSM parameter holding the group's Bottlerocket image id (aws-ecs-2, NVIDIA for -gpu); None on AL2023."""
    if not is_bottlerocket(group):
        return None
    variant = "aws-ecs-2-nvidia" if group.ami == "bottlerocket-gpu" else "aws-ecs-2"
    return f"/aws/service/bottlerocket/{variant}/{instance_architecture(group.instance_types[0])}/latest/image_id"


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


LOG_ROUTER = "log_router"
"""The container name of a service's FireLens log router (``logging``)."""
CLOUDWATCH_OUTPUTS = ("cloudwatch", "cloudwatch_logs")
"""Fluent Bit's CloudWatch Logs outputs (the Go plugin and the C plugin): the stack creates their log group."""


def sidecar_memory_mib(service: ServiceConfig) -> int:
    """The memory the sidecars take from the task (the log router too), the main container keeping the rest."""
    router = service.logging.memory_mib if service.logging is not None else 0
    return sum(sidecar.memory_mib for sidecar in service.sidecars) + router


def log_output(service: ServiceConfig) -> str | None:
    """The Fluent Bit output a service's log router sends to (``logging.destination.Name``), if it routes logs."""
    if service.logging is None:
        return None
    name = service.logging.destination.get("Name")
    return name if isinstance(name, str) else None


def existing_file_system_ids(config: EnvironmentConfig) -> dict[str, str]:
    """``fs-...`` id -> the manifest's name for each existing file system."""
    return {fs.existing.id: name for name, fs in config.file_systems.items() if fs.existing is not None}


# --- messaging and jobs ------------------------------------------------------------------------

ON_DEMAND = "none"
"""AWS Copilot's spelling of a job without a schedule."""


def job_schedule(service: ServiceConfig) -> str | None:
    """A job's schedule expression, or ``None`` for a job that runs only on demand."""
    if service.schedule is None or service.schedule == ON_DEMAND:
        return None
    return service.schedule


def topic_variable(topic: str) -> str:
    """The environment variable that carries a published topic's ARN: ``order-events`` -> ``ORDER_EVENTS_TOPIC_ARN``."""
    return f"{topic.upper().replace('-', '_')}_TOPIC_ARN"


def published_topics(service: ServiceConfig) -> dict[str, bool]:
    """The names a service publishes, each with whether it is FIFO."""
    return {topic.name: topic.fifo for topic in service.publish}


def subscribed_topics(config: EnvironmentConfig, service: ServiceConfig) -> list[tuple[str, str, bool]]:
    """The (publisher, topic, fifo) triples a worker subscribes to that exist in the manifest, once each."""
    if service.subscribe is None:
        return []
    found: dict[tuple[str, str], bool] = {}
    for entry in service.subscribe.topics:
        publisher = config.services.get(entry.service)
        if publisher is None:
            continue
        topics = published_topics(publisher)
        if entry.topic in topics:
            found.setdefault((entry.service, entry.topic), topics[entry.topic])
    return [(publisher, topic, fifo) for (publisher, topic), fifo in found.items()]


def has_work_queue(service: ServiceConfig) -> bool:
    """Whether a worker consumes a queue: the scaling queue, or one created for its subscriptions."""
    return (service.scaling is not None and service.scaling.queue is not None) or service.subscribe is not None


def fifo_work_queue(config: EnvironmentConfig, service: ServiceConfig) -> bool:
    """A worker's created queue is FIFO when the topics it subscribes to are (they deliver to FIFO queues only)."""
    return any(fifo for _, _, fifo in subscribed_topics(config, service))


def publishers_of(config: EnvironmentConfig, name: str) -> list[str]:
    """The other services whose topics ``name`` subscribes to, in manifest order."""
    service = config.services[name]
    wanted = {publisher for publisher, _, _ in subscribed_topics(config, service) if publisher != name}
    return [other for other in config.services if other in wanted]


def deployment_order(config: EnvironmentConfig) -> list[str]:
    """Services and jobs in the order their stacks deploy: manifest order, except that a publisher comes before
    every worker subscribed to its topics. A cycle (reported by the rules) leaves the remaining ones in manifest order."""
    placed: list[str] = []
    pending = list(config.services)
    while pending:
        ready = next((n for n in pending if all(p in placed for p in publishers_of(config, n))), pending[0])
        placed.append(ready)
        pending.remove(ready)
    return placed


def subscription_cycle(config: EnvironmentConfig) -> list[str] | None:
    """Services whose subscriptions form a cycle (``a`` receives from ``b`` which receives from ``a``), or ``None``."""
    graph = {name: publishers_of(config, name) for name in config.services}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for publisher in graph[name]:
            if state.get(publisher) == 1:
                return [*path[path.index(publisher) :], publisher]
            if publisher not in state:
                cycle = visit(publisher)
                if cycle is not None:
                    return cycle
        state[name] = 2
        path.pop()
        return None

    for name in graph:
        if name not in state:
            cycle = visit(name)
            if cycle is not None:
                return cycle
    return None
