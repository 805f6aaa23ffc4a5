"""Deployment rules: which strategy a service may use, and the settings each strategy takes.

ECS runs blue/green, canary and linear deployments itself (deployment controller ECS). What it
rejects, from the ECS API reference and developer guide (checked 2026-11-27):
- CanaryConfiguration.canaryPercent: multiples of 0.1 from 0.1 to 100; canaryBakeTimeInMinutes 0-1440;
- LinearConfiguration.stepPercent: multiples of 0.1 from 3 to 100; stepBakeTimeInMinutes 0-1440;
- a canary deployment created through CloudFormation is rejected when BakeTimeInMinutes +
  CanaryBakeTimeInMinutes exceeds 33 hours (CloudFormation's operation limit is 36 hours);
- lifecycle hooks belong to blue/green, canary and linear deployments.
Traffic shifting needs an Application or Network Load Balancer or Service Connect (developer guide,
"Required resources for Amazon ECS blue/green / canary / linear deployments"):
- on the shared ALB: weighted production and test listener rules per service;
- on a service's own NLB: ECS modifies the production and test *listeners* (an NLB has no rules), and
  waits 10 minutes at TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT for the NLB's data plane to follow
  the weights ("Network Load Balancer resources for Amazon ECS blue/green, linear and canary deployments";
  linear and canary on an NLB since 2026-02-04);
- through Service Connect: no load balancer; requests carrying the test header (`TestTrafficRules` of the
  port's client alias, `x-amzn-ecs-blue-green-test` by default, HTTP only) reach the new revision.
A service without any of them gets no managed traffic shift from ECS, so the toolkit refuses the
strategies there. One load balancer per service shifts: a route and an nlb together use rolling.
"""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config import derived
from ecs_toolkit.config.derived import uses_service_connect
from ecs_toolkit.config.models import EnvironmentConfig, ServiceConfig
from ecs_toolkit.config.rules.common import Finding, Location, network_sources

CLOUDFORMATION_LIMIT_MINUTES = 33 * 60
"""CloudFormation rejects a canary deployment whose bake times add up to more than 33 hours."""
SHIFTING = ("blue-green", "canary", "linear")


def _tenths(value: float) -> bool:
    return abs(value * 10 - round(value * 10)) < 1e-9


def check_deployment(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    deployment = service.deployment
    at: Location = (*where, "deployment")
    strategy = deployment.strategy
    yield from _alarms(where, service)
    if service.discovery is not None and service.discovery.app_protocol is not None and not uses_service_connect(service):
        yield (*where, "discovery", "app_protocol"), "applies to Service Connect: set discovery.service_connect and a port"
    if deployment.canary is not None and strategy != "canary":
        yield (*at, "canary"), f"applies only to strategy canary, not {strategy}"
    if deployment.linear is not None and strategy != "linear":
        yield (*at, "linear"), f"applies only to strategy linear, not {strategy}"
    if strategy == "rolling":
        if deployment.test_traffic_header is not None:
            yield (*at, "test_traffic_header"), "applies only to strategies blue-green, canary and linear, not rolling"
        if service.nlb is not None and "test_listener" in service.nlb.model_fields_set:
            yield (
                (*where, "nlb", "test_listener"),
                "is created only for strategies blue-green, canary and linear, not rolling",
            )
        if "bake_time_minutes" in deployment.model_fields_set:
            yield (*at, "bake_time_minutes"), "applies only to strategies blue-green, canary and linear, not rolling"
        if deployment.hooks:
            yield (*at, "hooks"), "lifecycle hooks run only in blue-green, canary and linear deployments, not rolling"
        return
    connected = uses_service_connect(service)
    if service.route is None and service.nlb is None and not connected:
        yield (
            (*at, "strategy"),
            f"{strategy} needs something ECS can move traffic on: a route on the shared load balancer, an nlb, "
            "or discovery.service_connect (without one ECS shifts no traffic; use rolling otherwise)",
        )
    elif service.route is not None and config.load_balancer is None:
        yield (*at, "strategy"), f"{strategy} needs the environment's load_balancer for its route"
    if service.route is not None and service.nlb is not None:
        yield (
            (*at, "strategy"),
            f"{strategy} shifts one load balancer per service, and this service has a route and an nlb: "
            "use rolling, or move one of them to another service",
        )
    yield from _nlb_test_listener(where, service)
    header = deployment.test_traffic_header
    if header is not None and not connected:
        yield (
            (*at, "test_traffic_header"),
            "is a Service Connect test traffic rule: it needs discovery.service_connect on this service",
        )
    elif header is not None and service.discovery is not None and service.discovery.app_protocol is None:
        yield (
            (*at, "test_traffic_header"),
            "Service Connect matches test headers on HTTP traffic only: set discovery.app_protocol (http, http2 or grpc)",
        )
    if "min_healthy_percent" in deployment.model_fields_set or "max_percent" in deployment.model_fields_set:
        yield (
            at,
            f"min_healthy_percent and max_percent apply to rolling deployments; {strategy} starts the full new "
            "revision beside the old one",
        )
    canary = deployment.canary
    if strategy == "canary" and canary is not None and not _tenths(canary.percent):
        yield (*at, "canary", "percent"), f"{canary.percent} is not a multiple of 0.1 (ECS takes 0.1 to 100 in steps of 0.1)"
    if strategy == "canary":
        interval = canary.interval_minutes if canary is not None else 10
        if deployment.bake_time_minutes + interval > CLOUDFORMATION_LIMIT_MINUTES:
            yield (
                at,
                f"bake_time_minutes + canary.interval_minutes is {deployment.bake_time_minutes + interval} minutes; "
                f"CloudFormation rejects a canary deployment longer than {CLOUDFORMATION_LIMIT_MINUTES} (33 hours)",
            )
    linear = deployment.linear
    if strategy == "linear" and linear is not None and not _tenths(linear.step_percent):
        yield (
            (*at, "linear", "step_percent"),
            f"{linear.step_percent} is not a multiple of 0.1 (ECS takes 3 to 100 in steps of 0.1)",
        )


def check_service_alarms(config: EnvironmentConfig, where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """The health alarms belong to services; a few of them to some services only."""
    alarms = service.alarms
    at: Location = (*where, "alarms")
    chosen = alarms.model_fields_set
    if service.kind == "job":
        if chosen:
            yield at, "a job's alarms are its failed and unstarted runs (always on); alarms applies to services"
        return
    if "queue_age_seconds" in chosen and alarms.queue_age_seconds is not None and not derived.has_work_queue(service):
        yield (*at, "queue_age_seconds"), "only a worker with scaling.queue or subscribe has a queue to watch"
    if "running_below_desired" in chosen and alarms.running_below_desired and config.cluster.container_insights == "disabled":
        yield (
            (*at, "running_below_desired"),
            "reads Container Insights' task counts: turn cluster.container_insights on (enabled or enhanced)",
        )


def check_alarm_topic(config: EnvironmentConfig) -> Iterator[Finding]:
    for kind in ("email", "https"):
        seen: set[str] = set()
        for index, value in enumerate(getattr(config.alarms, kind)):
            if value in seen:
                yield ("alarms", kind, index), f"{value!r} is listed twice"
            seen.add(value)


def check_test_listener(config: EnvironmentConfig) -> Iterator[Finding]:
    balancer = config.load_balancer
    if balancer is None:
        return
    at: Location = ("load_balancer", "test_listener")
    listener = balancer.test_listener
    if listener.port in (80, 443):
        yield (*at, "port"), f"{listener.port} is a production listener port: pick another (8080 by default)"
    yield from network_sources((*at, "allow_from"), listener.allow_from)


def _nlb_test_listener(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """The NLB's test listener: its own port, and CIDRs as on the shared ALB's."""
    if service.nlb is None:
        return
    at: Location = (*where, "nlb", "test_listener")
    listener = service.nlb.test_listener
    if listener.port == service.nlb.port:
        yield (
            (*at, "port"),
            f"{listener.port} is the production listener's port: give the test listener another one (8080 by default)",
        )
    yield from network_sources((*at, "allow_from"), listener.allow_from)


def _alarms(where: Location, service: ServiceConfig) -> Iterator[Finding]:
    """Load-balancer alarms need a load balancer: say so where one is set on a service without one."""
    alarms = service.deployment.alarms
    at: Location = (*where, "deployment", "alarms")
    routed = ("error_rate_percent", "p95_ms", "p99_ms")
    for name in routed if service.route is None else ():
        if name in alarms.model_fields_set and getattr(alarms, name) is not None:
            yield (*at, name), "reads the shared load balancer's metrics: only a service with a route has them"
    unhealthy_set = "unhealthy_targets" in alarms.model_fields_set and alarms.unhealthy_targets is not None
    if unhealthy_set and service.route is None and service.nlb is None:
        yield (*at, "unhealthy_targets"), "counts load balancer targets: only a service with a route or an nlb has them"
