"""Routing rules: listener rules on the shared (or an existing) ALB, their targets, health-check ports, and the
security groups tasks take.

AWS facts used here (checked 2026-11-27):
- an ALB listener rule takes at most 5 condition values in all, host and path values counted together
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html);
- an awsvpc task takes at most 5 security groups (``AwsVpcConfiguration.securityGroups``,
  https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html);
- a target group and the targets it registers are in one VPC, and an ALB forwards only to target groups of its
  own VPC, so an existing ALB needs the existing VPC it lives in;
- lb_cookie stickiness lasts 1 second to 7 days.
"""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig, RouteConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location, did_you_mean

SECURITY_GROUPS_PER_TASK = 5
"""An awsvpc task's security groups, its own included (AwsVpcConfiguration)."""
EXISTING_ONLY = ("public", "certificate_arn", "idle_timeout_seconds", "access_log_retention_days", "test_listener")
"""Settings of a load balancer the environment creates: they do not apply to an existing one."""


def check_routes(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every rule of the listener: no host and path claimed twice, every priority unique."""
    owners: dict[tuple[str | None, str | None], tuple[str, RouteConfig, str]] = {}
    priorities: dict[int, str] = {}
    for name, service in config.services.items():
        if service.kind != "web":
            continue
        for place, route in derived.service_routes(service):
            at: Location = ("services", name, *place)
            owner_text = f"service {name!r}" if place == ("route",) else f"service {name!r} ({_place_text(place)})"
            clash = _clash(owners, route)
            if clash is not None:
                other_owner, other, pair = clash
                slash = "/" in derived.route_paths(route) or "/" in derived.route_paths(other)
                hint = ' ("/" routes the whole site, as "/*" does)' if slash and pair[1] == derived.WHOLE_SITE else ""
                detail = f" ({_pair_text(pair)})" if len(_pairs(route)) > 1 else ""
                yield at, f"same host and path as {other_owner}{detail}{hint}"
                continue
            for pair in _pairs(route):
                owners[pair] = (owner_text, route, "")
            priority = derived.listener_priority(route)
            if priority in priorities:
                where = (*at, "priority") if route.priority is not None else at
                yield (
                    where,
                    f"listener priority {priority} is already used by {priorities[priority]}: set "
                    f"{'route' if place == ('route',) else _place_text(place)}.priority explicitly",
                )
            priorities[priority] = owner_text


def _place_text(place: tuple[str | int, ...]) -> str:
    return str(place[0]) if len(place) == 1 else f"{place[0]}[{place[1]}]"


def _pairs(route: RouteConfig) -> list[tuple[str | None, str | None]]:
    hosts: list[str | None] = list(derived.route_hosts(route)) or [None]
    paths: list[str | None] = list(derived.listener_paths(route)) or [None]
    return [(host, path) for host in hosts for path in paths]


def _pair_text(pair: tuple[str | None, str | None]) -> str:
    host, path = pair
    return " ".join(part for part in (f"host {host}" if host else "", f"path {path}" if path else "") if part)


def _clash(
    owners: dict[tuple[str | None, str | None], tuple[str, RouteConfig, str]], route: RouteConfig
) -> tuple[str, RouteConfig, tuple[str | None, str | None]] | None:
    for pair in _pairs(route):
        if pair in owners:
            owner, other, _ = owners[pair]
            return owner, other, pair
    return None


def check_routing(config: EnvironmentConfig, name: str, service: ServiceConfig) -> Iterator[Finding]:
    """One service's routes, target, health-check port and security groups."""
    where: Location = ("services", name)
    mode = derived.network_mode_of(config, service)
    for place, route in derived.service_routes(service):
        yield from _route_values((*where, *place), route)
    yield from _additional_routes(where, name, service)
    yield from _target(where, name, service)
    yield from _health_check_port(config, where, name, service, mode)
    yield from _security_groups(where, service, mode)


def _route_values(at: Location, route: RouteConfig) -> Iterator[Finding]:
    for field, values in (("host", derived.route_hosts(route)), ("path", derived.route_paths(route))):
        if getattr(route, field) == []:
            yield (*at, field), "an empty list matches nothing: give at least one value or leave it out"
        seen: set[str] = set()
        for index, value in enumerate(values):
            if value in seen:
                yield (*at, field, index), f"{value!r} is listed twice"
            seen.add(value)
    count = derived.condition_values(route)
    if count > derived.CONDITION_VALUES_PER_RULE:
        yield (
            at,
            f"{count} host and path values: an ALB listener rule takes at most {derived.CONDITION_VALUES_PER_RULE} "
            "(hosts and paths counted together); move the rest to additional_routes",
        )


def _containers(name: str, service: ServiceConfig) -> list[str]:
    return [name, *(sidecar.name for sidecar in service.sidecars)]


def _container_and_port(
    at: Location, name: str, service: ServiceConfig, container: str | None, port: int | None, default: str
) -> Iterator[Finding]:
    """The named container (else ``default``) exists and exposes the port."""
    if container is not None and container not in _containers(name, service):
        yield (*at, "container"), f"no container {container!r} in the task{did_you_mean(container, _containers(name, service))}"
        return
    chosen = container or default
    exposed = derived.container_port(name, service, chosen)
    if exposed is None:
        what = "the service has no port" if chosen == name else f"sidecar {chosen!r} has no port"
        yield (*at, "container") if container is not None else at, f"{what}: the load balancer needs a container port to send to"
    elif port is not None and port != exposed:
        yield (
            (*at, "port"),
            f"container {chosen!r} exposes port {exposed}, not {port}: "
            "the load balancer can only reach a port the container maps",
        )


def _additional_routes(where: Location, name: str, service: ServiceConfig) -> Iterator[Finding]:
    if not service.additional_routes:
        return
    at: Location = (*where, "additional_routes")
    if service.kind != "web":
        return  # reported with the kind
    if service.route is None:
        yield at, "needs the service's route (the main rule and target group)"
    if derived.shifts_traffic(service):
        yield (
            at,
            f"a {service.deployment.strategy} deployment moves traffic on one listener rule only, so more rules would "
            "keep sending to the old revision: put the hosts and paths in route (at most 5 values) or deploy rolling",
        )
    for index, route in enumerate(service.additional_routes):
        here: Location = (*at, index)
        if not derived.route_hosts(route) and not derived.route_paths(route):
            yield here, "give a path, a host, or both"
        yield from _container_and_port(here, name, service, route.container, route.port, derived.target_container(name, service))
        if route.protocol != "http" and not derived.route_has_own_target(name, service, route):
            yield (
                (*here, "protocol"),
                "applies to a route with a target group of its own; this one sends to the service's target "
                "(set target.protocol instead)",
            )


def _target(where: Location, name: str, service: ServiceConfig) -> Iterator[Finding]:
    target = service.target
    if target is None or service.kind != "web":
        return
    at: Location = (*where, "target")
    if service.route is None:
        yield at, "applies to the route's target group: add a route (an nlb sends to the main container's port)"
        return
    yield from _container_and_port(at, name, service, target.container, target.port, name)


def _health_check_port(
    config: EnvironmentConfig, where: Location, name: str, service: ServiceConfig, mode: str
) -> Iterator[Finding]:
    port = service.health_check.port
    if port is None:
        return
    at: Location = (*where, "health_check", "port")
    if service.route is None:
        yield at, "applies to the route's target group: add a route (an nlb has nlb.health_check_port)"
        return
    if mode == "bridge":
        yield (
            at,
            "bridge-mode tasks publish dynamic host ports, so a fixed health-check port reaches no task: leave it out "
            "(the check uses the traffic port) or run the service in awsvpc or host network mode",
        )
        return
    check = derived.nlb_health_check_port(service)
    if (
        derived.health_check_port(name, service) is not None
        and derived.target_container(name, service) == name
        and check is not None
        and check != port
    ):
        yield (
            at,
            f"the main container publishes one health-check port and the nlb checks {check}: use the same port for both",
        )


def _security_groups(where: Location, service: ServiceConfig, mode: str) -> Iterator[Finding]:
    groups = service.security_groups
    if not groups:
        return
    at: Location = (*where, "security_groups")
    if mode != "awsvpc":
        yield (
            at,
            f"{mode}-mode tasks use their EC2 instance's network interface and its security groups, so they cannot "
            "take groups of their own: use network_mode awsvpc",
        )
        return
    seen: set[str] = set()
    for index, group in enumerate(groups):
        if group in seen:
            yield (*at, index), f"{group!r} is listed twice"
        seen.add(group)
    if len(set(groups)) + 1 > SECURITY_GROUPS_PER_TASK:
        yield (
            at,
            f"{len(set(groups))} groups and the task's own make {len(set(groups)) + 1}: "
            f"an awsvpc task takes at most {SECURITY_GROUPS_PER_TASK} security groups",
        )


def check_existing_load_balancer(config: EnvironmentConfig) -> Iterator[Finding]:
    balancer = config.load_balancer
    if balancer is None or balancer.existing is None:
        return
    existing = balancer.existing
    at: Location = ("load_balancer", "existing")
    for field in EXISTING_ONLY:
        if field in balancer.model_fields_set:
            yield (
                ("load_balancer", field),
                "does not apply to an existing load balancer: its listeners, security group and access logs are "
                "managed where it was created",
            )
    if config.network.existing is None:
        yield (
            at,
            "an existing load balancer forwards only to target groups in its own VPC: import that VPC under network.existing too",
        )
    alb = existing.arn.split(":loadbalancer/", 1)
    listener = existing.listener_arn.split(":listener/", 1)
    if alb[0] != listener[0]:
        yield (*at, "listener_arn"), "is in another account or region than the load balancer's arn"
    elif not listener[1].startswith(alb[1] + "/"):
        yield (
            (*at, "listener_arn"),
            f"belongs to load balancer {listener[1].rsplit('/', 1)[0]}, not to {alb[1]} (the arn above)",
        )
    region = existing.arn.split(":")[3]
    if config.region is not None and region != config.region:
        yield (*at, "arn"), f"is in {region}, but the environment deploys to {config.region}"
