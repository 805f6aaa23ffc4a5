"""Find a deployed environment from its manifest and the stacks' outputs (``ecs_toolkit.outputs``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ecs_toolkit import outputs
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.config.rules.common import did_you_mean
from ecs_toolkit.helpers.errors import HelperError, UsageError
from ecs_toolkit.helpers.sessions import Client

GONE_STATUSES = frozenset({"DELETE_COMPLETE"})


def require_known(name: str, kind: str, environment: str, known: Iterable[str]) -> None:
    """Raise a usage error (exit 2) when ``name`` is not among the manifest's ``known`` names of ``kind``."""
    known = list(known)
    if name not in known:
        raise UsageError(f"{name!r} is not {kind} of environment {environment}{did_you_mean(name, known)}")


@dataclass(frozen=True)
class StrategyItem:
    provider: str
    base: int = 0
    weight: int = 1


def parse_strategy(value: str) -> list[StrategyItem]:
    """Parse the ``provider:base:weight,...`` output (base and weight optional; providers by manifest name)."""
    items = []
    for entry in outputs.split_list(value):
        provider, *numbers = entry.split(":")
        try:
            base = int(numbers[0]) if len(numbers) > 0 and numbers[0] else 0
            weight = int(numbers[1]) if len(numbers) > 1 and numbers[1] else 1
        except ValueError:
            raise HelperError(f"capacity provider strategy output {value!r} is not provider:base:weight,...") from None
        items.append(StrategyItem(provider, base, weight))
    return items


@dataclass(frozen=True)
class ServiceTarget:
    """A service or job of the manifest and the outputs of its stack."""

    name: str
    kind: str
    stack_name: str
    outputs: dict[str, str]

    def output(self, key: str) -> str:
        """A required output; a missing one means the stack is not (fully) deployed."""
        value = self.outputs.get(key)
        if not value:
            raise HelperError(f"stack {self.stack_name} has no output {key} (is it fully deployed?)")
        return value

    @property
    def service_name(self) -> str | None:
        """The ECS service name; ``None`` for a job (jobs run as standalone tasks)."""
        return self.outputs.get(outputs.SERVICE_NAME) or None

    @property
    def capacity_strategy(self) -> list[StrategyItem]:
        return parse_strategy(self.outputs.get(outputs.CAPACITY_STRATEGY, ""))

    @property
    def target_group_arns(self) -> list[str]:
        return outputs.split_list(self.outputs.get(outputs.TARGET_GROUP_ARNS, ""))


@dataclass(frozen=True)
class Ec2Group:
    name: str
    auto_scaling_group_name: str | None
    capacity_provider_name: str | None


@dataclass(frozen=True)
class Environment:
    name: str
    cluster_name: str | None
    """``None`` when the platform stack is missing."""
    vpc_id: str | None
    private_subnet_ids: list[str]
    """Where awsvpc tasks run (from the network stack, or the platform stack for an imported VPC)."""
    services: dict[str, ServiceTarget]
    """Deployed services and jobs by manifest name (stacks that exist)."""
    ec2_groups: dict[str, Ec2Group]
    missing_stacks: list[str] = field(default_factory=list)
    manifest_services: list[str] = field(default_factory=list)

    def require_cluster(self) -> str:
        if self.cluster_name is not None:
            return self.cluster_name
        stack = outputs.platform_stack_name(self.name)
        if stack in self.missing_stacks:
            raise HelperError(f"stack {stack} not found: deploy the environment first, or check --profile/--region")
        raise HelperError(f"stack {stack} has no output {outputs.CLUSTER_NAME} (is it fully deployed?)")

    def provider_name(self, provider: str) -> str:
        """The physical capacity provider name of a strategy entry (FARGATE, FARGATE_SPOT or an EC2 group)."""
        group = self.ec2_groups.get(provider)
        if group is None:
            return provider
        if not group.capacity_provider_name:
            raise HelperError(f"the platform stack publishes no capacity provider for EC2 group {provider}")
        return group.capacity_provider_name

    def service(self, name: str) -> ServiceTarget:
        require_known(name, "a service or job", self.name, self.manifest_services)
        if name not in self.services:
            raise HelperError(f"stack {outputs.service_stack_name(self.name, name)} not found: deploy service {name} first")
        return self.services[name]

    def running_services(self, names: list[str] | None = None) -> list[ServiceTarget]:
        """The ECS services (not jobs) among ``names`` (default: all deployed)."""
        if names:
            targets = [self.service(name) for name in names]
            jobs = [target.name for target in targets if target.service_name is None]
            if jobs:
                raise UsageError(f"{', '.join(jobs)}: a job has no ECS service (use run-task)")
            return targets
        return [target for target in self.services.values() if target.service_name is not None]


def stack_outputs(cloudformation: Client, names: list[str]) -> dict[str, dict[str, str]]:
    """Outputs of the stacks among ``names`` that exist (one paginated ``describe_stacks`` over the region)."""
    wanted = set(names)
    found: dict[str, dict[str, str]] = {}
    for page in cloudformation.get_paginator("describe_stacks").paginate():
        for stack in page.get("Stacks", []):
            name = stack["StackName"]
            if name in wanted and stack.get("StackStatus") not in GONE_STATUSES:
                found[name] = {item["OutputKey"]: item.get("OutputValue", "") for item in stack.get("Outputs", [])}
    return found


def discover(config: EnvironmentConfig, cloudformation: Client) -> Environment:
    """The deployed environment; missing stacks are listed in ``missing_stacks``, not raised."""
    network_stack = outputs.network_stack_name(config.name)
    platform_stack = outputs.platform_stack_name(config.name)
    service_stacks = {name: outputs.service_stack_name(config.name, name) for name in config.services}
    expected = [platform_stack, *service_stacks.values()]
    if config.network.existing is None:
        expected.insert(0, network_stack)
    found = stack_outputs(cloudformation, expected)
    missing = [name for name in expected if name not in found]

    platform = found.get(platform_stack, {})
    network = found.get(network_stack, platform)
    groups = {
        group: Ec2Group(
            name=group,
            auto_scaling_group_name=platform.get(outputs.ec2_group_asg_key(group)) or None,
            capacity_provider_name=platform.get(outputs.ec2_group_provider_key(group)) or None,
        )
        for group in outputs.split_list(platform.get(outputs.EC2_GROUPS, ""))
    }
    services = {
        name: ServiceTarget(name=name, kind=config.services[name].kind, stack_name=stack, outputs=found[stack])
        for name, stack in service_stacks.items()
        if stack in found
    }
    return Environment(
        name=config.name,
        cluster_name=platform.get(outputs.CLUSTER_NAME) or None,
        vpc_id=network.get(outputs.VPC_ID) or None,
        private_subnet_ids=outputs.split_list(network.get(outputs.PRIVATE_SUBNET_IDS, "")),
        services=services,
        ec2_groups=groups,
        missing_stacks=missing,
        manifest_services=list(config.services),
    )
