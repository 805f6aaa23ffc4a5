"""Cross-field rules of the manifest, by topic: each yields ``Finding``s at the exact field they concern.

- ``network``: account and region, availability zones, NAT, endpoints, existing VPCs;
- ``cluster``: EC2 capacity groups, capacity provider strategies, dynamic host ports;
- ``instances``: each EC2 group's AMI against its instance types, GPU reservations against the groups' GPUs;
- ``storage``: file systems (created or existing) and the volumes mounted from them;
- ``services``: launch type, Fargate sizes, kinds, routes, containers, secrets, grants;
- ``routing``: listener rules and their hosts and paths, targets, health-check ports, an existing ALB, tasks'
  extra security groups;
- ``deployments``: deployment strategies and their settings, the load balancer's test listener;
- ``containers``: cpu and memory shares, start order (``depends_on``), Linux settings, ulimits, DNS and hosts,
  environment files, ephemeral storage;
- ``log_routing``: FireLens log routing (``logging``) and its destination;
- ``iam``: custom statements and managed policies on task and execution roles, and their acknowledgements;
- ``scaling``: scaling ranges, steps, queue backlog, scheduled actions' counts;
- ``scheduling``: schedule expressions and time zones, as EventBridge reads them;
- ``placement``: whether every EC2 service's tasks can be placed on its groups' instances;
- ``messaging``: published topics, worker subscriptions and their filter policies, subscription cycles;
- ``connections``: declared callers (``connects_to``) and outside sources (``allow_from``);
- ``warnings``: what is valid but probably not meant (printed, never failing);
- ``images``: images built from source or taken from declared repositories, and the repositories;
- ``limits``: AWS's limits on names, sizes, tags, images, certificates and load balancer settings.
"""

from __future__ import annotations

from collections.abc import Iterator

from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.rules.cluster import MIN_HOST_PORT_RANGE, RESERVED_AGENT_PORTS, check_cluster
from ecs_toolkit.config.rules.common import Finding, Location
from ecs_toolkit.config.rules.connections import check_connections, connection_warnings
from ecs_toolkit.config.rules.deployments import check_alarm_topic, check_test_listener
from ecs_toolkit.config.rules.images import check_images
from ecs_toolkit.config.rules.instances import check_instances
from ecs_toolkit.config.rules.limits import check_limits
from ecs_toolkit.config.rules.messaging import check_messaging
from ecs_toolkit.config.rules.network import NEW_VPC_ONLY, check_environment, check_network
from ecs_toolkit.config.rules.placement import (
    check_fixed_bridge_ports,
    check_host_ports,
    check_placement,
    placement_warnings,
)
from ecs_toolkit.config.rules.routing import check_existing_load_balancer, check_routes, check_routing
from ecs_toolkit.config.rules.scheduling import check_schedules
from ecs_toolkit.config.rules.services import GRANT_ARNS, SECRET_LOOKING_NAME, check_service
from ecs_toolkit.config.rules.storage import check_file_systems

__all__ = [
    "GRANT_ARNS",
    "MIN_HOST_PORT_RANGE",
    "NEW_VPC_ONLY",
    "RESERVED_AGENT_PORTS",
    "SECRET_LOOKING_NAME",
    "Finding",
    "Location",
    "check_rules",
    "connection_warnings",
    "placement_warnings",
]


def check_rules(config: EnvironmentConfig) -> Iterator[Finding]:
    """Every cross-field problem of a structurally valid manifest."""
    yield from check_environment(config)
    yield from check_network(config)
    yield from check_cluster(config)
    yield from check_instances(config)
    yield from check_file_systems(config)
    yield from check_routes(config)
    yield from check_existing_load_balancer(config)
    yield from check_test_listener(config)
    yield from check_alarm_topic(config)
    yield from check_host_ports(config)
    yield from check_fixed_bridge_ports(config)
    yield from check_connections(config)
    yield from check_messaging(config)
    yield from check_placement(config)
    yield from check_schedules(config)
    yield from check_limits(config)
    yield from check_images(config)
    for name, service in config.services.items():
        yield from check_service(config, name, service)
        yield from check_routing(config, name, service)
