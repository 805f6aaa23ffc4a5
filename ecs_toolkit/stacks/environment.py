"""Compose an environment's stacks from a validated manifest."""

from __future__ import annotations

from dataclasses import dataclass, field

import aws_cdk as cdk

from ecs_toolkit import outputs
from ecs_toolkit.config import derived
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.stacks.connections import wire_connections
from ecs_toolkit.stacks.job import JobStack
from ecs_toolkit.stacks.messaging import wire_subscriptions
from ecs_toolkit.stacks.network import NetworkStack
from ecs_toolkit.stacks.platform import PlatformStack
from ecs_toolkit.stacks.service import ServiceStack


@dataclass
class Environment:
    """The stacks of one environment, for tests and for the app."""

    config: EnvironmentConfig
    platform: PlatformStack
    network: NetworkStack | None = None
    services: dict[str, ServiceStack | JobStack] = field(default_factory=dict)

    @property
    def stacks(self) -> list[cdk.Stack]:
        return [stack for stack in (self.network, self.platform, *self.services.values()) if stack is not None]


def build(app: cdk.App, config: EnvironmentConfig) -> Environment:
    """All stacks of ``config`` inside ``app``; nothing is read from files, env vars or context here."""
    env = cdk.Environment(account=config.account, region=config.region) if config.account else None
    network = None
    if config.network.existing is None:
        network = NetworkStack(
            app, outputs.network_stack_name(config.name), config=config, env=env, description=f"{config.name}: VPC"
        )
    platform = PlatformStack(
        app,
        outputs.platform_stack_name(config.name),
        config=config,
        vpc=network.vpc if network is not None else None,
        env=env,
        description=f"{config.name}: ECS cluster, capacity and shared load balancer",
    )
    environment = Environment(config=config, platform=platform, network=network)
    # Publishers first: a subscriber's stack imports the topic ARNs of the stacks it receives from.
    for name in derived.deployment_order(config):
        service = config.services[name]
        stack_type = JobStack if service.kind == "job" else ServiceStack
        stack = stack_type(
            app,
            outputs.service_stack_name(config.name, name),
            config=config,
            name=name,
            platform=platform,
            env=env,
            description=f"{config.name}: {'scheduled' if derived.job_schedule(service) else 'on-demand'} job {name}"
            if service.kind == "job"
            else f"{config.name}: {service.kind} service {name}",
        )
        stack.add_stack_dependency(platform, "services run on the platform's cluster")
        environment.services[name] = stack
    wire_connections(environment)
    wire_subscriptions(environment)
    for key, value in {"environment": config.name, **config.tags}.items():
        cdk.Tags.of(app).add(key, value)
    return environment
