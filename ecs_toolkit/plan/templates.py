"""Read what the plan needs from synthesized CloudFormation templates (plain dicts; no CDK here).

Every number the plan uses comes from a template, with CloudFormation's or the service's own
default where the template leaves a property out; the manifest only supplies names (which stack
belongs to which service, which capacity provider is which EC2 group).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ecs_toolkit import outputs
from ecs_toolkit.assembly import Assembly, ResourceRef
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.plan.errors import PlanError

Template = Mapping[str, Any]

# Defaults of the services when a template leaves a property out.
DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS = 30
"""Elastic Load Balancing: target-group health check interval."""
DEFAULT_HEALTHY_THRESHOLD = 5
"""Elastic Load Balancing: consecutive successful checks before a target is healthy."""
DEFAULT_DEREGISTRATION_DELAY_SECONDS = 300
"""Elastic Load Balancing: ``deregistration_delay.timeout_seconds``."""
DEFAULT_STOP_TIMEOUT_SECONDS = 30
"""ECS: time between SIGTERM and SIGKILL when a container sets no ``StopTimeout``."""
DEFAULT_CONTAINER_CHECK_INTERVAL_SECONDS = 30
"""ECS: container health check interval."""
DEFAULT_MIN_HEALTHY_PERCENT = 100
DEFAULT_MAX_PERCENT = 200
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")

_PORT_RANGE = re.compile(r"ECS_DYNAMIC_HOST_PORT_RANGE=(\d+)-(\d+)")


@dataclass(frozen=True)
class DeploymentFacts:
    """``DeploymentConfiguration``'s strategy and its waits; absent values take ECS's documented defaults."""

    strategy: str = "ROLLING"
    """ROLLING, BLUE_GREEN, CANARY or LINEAR."""
    bake_minutes: int = 0
    canary_percent: float = 5.0
    canary_minutes: int = 10
    linear_step_percent: float = 10.0
    linear_minutes: int = 6
    network_load_balancer: bool = False
    """Traffic shifts on a Network Load Balancer's listeners, where ECS waits 10 minutes at each shift."""


@dataclass(frozen=True)
class TargetGroupFacts:
    logical_id: str
    interval_seconds: int
    healthy_threshold: int
    deregistration_delay_seconds: int


@dataclass(frozen=True)
class ContainerCheckFacts:
    start_period_seconds: int
    interval_seconds: int


@dataclass(frozen=True)
class TaskFacts:
    cpu_units: int
    """Task CPU, else the sum of the containers' (0: no reservation, CPU does not limit packing)."""
    memory_mib: int
    """Task memory, else the sum of each container's reservation (or hard limit)."""
    network_mode: str
    architecture: str
    stop_timeout_seconds: int
    """The longest container stop timeout."""
    static_host_ports: tuple[int, ...]
    """Host ports a task holds on its instance (host mode, or bridge with a fixed host port)."""
    dynamic_host_ports: int
    """Port mappings that take a host port from the agent's dynamic range (bridge mode, host port 0)."""
    container_check: ContainerCheckFacts | None
    """The slowest essential container's health check, if any container has one."""
    gpus: int = 0
    """GPUs the task reserves (the sum of its containers' GPU resource requirements)."""


@dataclass(frozen=True)
class StrategyItem:
    provider: str
    """``FARGATE``, ``FARGATE_SPOT``, an EC2 group's manifest name, or the raw value when unknown."""
    base: int
    weight: int


@dataclass(frozen=True)
class ScalingFacts:
    min_tasks: int
    max_tasks: int


@dataclass(frozen=True)
class ServiceFacts:
    name: str
    stack: str
    logical_id: str
    launch: str
    """``EC2`` or ``FARGATE``."""
    desired_count: int
    min_healthy_percent: int
    max_percent: int
    grace_period_seconds: int
    target_groups: tuple[TargetGroupFacts, ...]
    task: TaskFacts
    strategy: tuple[StrategyItem, ...]
    scaling: ScalingFacts | None
    deployment: DeploymentFacts = DeploymentFacts()

    @property
    def min_tasks(self) -> int:
        return self.scaling.min_tasks if self.scaling else self.desired_count

    @property
    def max_tasks(self) -> int:
        return max(self.scaling.max_tasks, self.desired_count) if self.scaling else self.desired_count


@dataclass(frozen=True)
class GroupFacts:
    name: str
    min_size: int
    max_size: int
    instance_types: tuple[str, ...]
    on_demand_base: int
    on_demand_percent_above_base: int
    target_capacity_percent: int
    root_volume_gib: int
    host_port_range: tuple[int, int] | None

    @property
    def spot(self) -> bool:
        return self.on_demand_percent_above_base < 100


@dataclass(frozen=True)
class SharedFacts:
    """Environment-wide resources that cost money by the hour or by the GB."""

    nat_gateways: int
    interface_endpoint_azs: int
    """Interface VPC endpoints times the subnets (AZs) each is in; gateway endpoints are free."""
    application_load_balancers: int
    network_load_balancers: int
    file_systems: int


@dataclass(frozen=True)
class EnvironmentFacts:
    name: str
    services: tuple[ServiceFacts, ...]
    groups: dict[str, GroupFacts]
    shared: SharedFacts
    stack_resources: dict[str, int]
    without_service: tuple[str, ...]
    """Manifest entries whose stack has no ECS service (jobs; one with no schedule is marked ``(on demand)``)."""
    missing: tuple[str, ...]
    """Stacks the manifest implies that the templates do not hold."""


# --- small readers --------------------------------------------------------------------------


def resources_of(template: Template, kind: str) -> dict[str, Mapping[str, Any]]:
    """Resources of one CloudFormation type, by logical id."""
    return {lid: r for lid, r in template.get("Resources", {}).items() if r.get("Type") == kind}


def _props(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    props: Mapping[str, Any] = resource.get("Properties", {})
    return props


def _int(value: Any, default: int) -> int:
    """A literal number (CloudFormation often writes them as strings); ``default`` for tokens and absences."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default


def _ref(value: Any) -> str | None:
    return value["Ref"] if isinstance(value, Mapping) and isinstance(value.get("Ref"), str) else None


def read_target_group(logical_id: str, resource: Mapping[str, Any]) -> TargetGroupFacts:
    props = _props(resource)
    attributes = {a.get("Key"): a.get("Value") for a in props.get("TargetGroupAttributes", [])}
    return TargetGroupFacts(
        logical_id=logical_id,
        interval_seconds=_int(props.get("HealthCheckIntervalSeconds"), DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS),
        healthy_threshold=_int(props.get("HealthyThresholdCount"), DEFAULT_HEALTHY_THRESHOLD),
        deregistration_delay_seconds=_int(
            attributes.get("deregistration_delay.timeout_seconds"), DEFAULT_DEREGISTRATION_DELAY_SECONDS
        ),
    )


def read_task_definition(resource: Mapping[str, Any]) -> TaskFacts:
    props = _props(resource)
    containers: list[Mapping[str, Any]] = list(props.get("ContainerDefinitions", []))
    cpu = _int(props.get("Cpu"), 0) or sum(_int(c.get("Cpu"), 0) for c in containers)
    memory = _int(props.get("Memory"), 0) or sum(
        _int(c.get("MemoryReservation"), 0) or _int(c.get("Memory"), 0) for c in containers
    )
    mode = str(props.get("NetworkMode", "bridge"))
    static_ports: list[int] = []
    dynamic_ports = 0
    for container in containers:
        for mapping in container.get("PortMappings", []):
            host_port = _int(mapping.get("HostPort"), -1)
            container_port = _int(mapping.get("ContainerPort"), 0)
            if mode == "host":
                static_ports.append(host_port if host_port > 0 else container_port)
            elif mode == "bridge" and host_port > 0:
                static_ports.append(host_port)
            elif mode == "bridge":
                dynamic_ports += 1
    checks = [
        ContainerCheckFacts(
            start_period_seconds=_int(c["HealthCheck"].get("StartPeriod"), 0),
            interval_seconds=_int(c["HealthCheck"].get("Interval"), DEFAULT_CONTAINER_CHECK_INTERVAL_SECONDS),
        )
        for c in containers
        if c.get("HealthCheck") and c.get("Essential", True)
    ]
    platform = props.get("RuntimePlatform", {})
    return TaskFacts(
        cpu_units=cpu,
        memory_mib=memory,
        network_mode=mode,
        architecture="arm64" if platform.get("CpuArchitecture") == "ARM64" else "x86_64",
        stop_timeout_seconds=max(
            (_int(c.get("StopTimeout"), DEFAULT_STOP_TIMEOUT_SECONDS) for c in containers), default=DEFAULT_STOP_TIMEOUT_SECONDS
        ),
        static_host_ports=tuple(static_ports),
        dynamic_host_ports=dynamic_ports,
        container_check=max(checks, key=lambda c: c.start_period_seconds + c.interval_seconds, default=None),
        gpus=sum(
            _int(requirement.get("Value"), 0)
            for c in containers
            for requirement in c.get("ResourceRequirements", [])
            if requirement.get("Type") == "GPU"
        ),
    )


def read_scaling(template: Template, service_logical_id: str) -> ScalingFacts | None:
    """The service's ``ecs:service:DesiredCount`` scalable target, widened by its scheduled actions."""
    targets = [
        _props(r)
        for r in resources_of(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()
        if _props(r).get("ScalableDimension") == "ecs:service:DesiredCount"
    ]
    mine = [t for t in targets if f'"{service_logical_id}"' in json.dumps(t.get("ResourceId"))]
    chosen = mine[0] if mine else (targets[0] if len(targets) == 1 else None)
    if chosen is None:
        return None
    lows = [_int(chosen.get("MinCapacity"), 0)]
    highs = [_int(chosen.get("MaxCapacity"), 0)]
    for action in chosen.get("ScheduledActions", []):
        limits = action.get("ScalableTargetAction", {})
        if "MinCapacity" in limits:
            lows.append(_int(limits["MinCapacity"], lows[0]))
        if "MaxCapacity" in limits:
            highs.append(_int(limits["MaxCapacity"], highs[0]))
    return ScalingFacts(min_tasks=min(lows), max_tasks=max(highs))


# --- capacity -------------------------------------------------------------------------------


def capacity_provider_groups(platform: Template, group_names: list[str]) -> dict[str, str]:
    """Capacity provider logical id -> EC2 group name, from the platform's published outputs."""
    found = {}
    for name in group_names:
        output = platform.get("Outputs", {}).get(outputs.ec2_group_provider_key(name), {})
        logical_id = _ref(output.get("Value"))
        if logical_id is not None:
            found[logical_id] = name
    return found


def read_groups(platform: Template, group_names: list[str]) -> dict[str, GroupFacts]:
    """Each EC2 group's Auto Scaling group, launch template and capacity provider."""
    groups = {}
    for provider_id, name in capacity_provider_groups(platform, group_names).items():
        provider = _props(platform["Resources"][provider_id]).get("AutoScalingGroupProvider", {})
        asg_id = _ref(provider.get("AutoScalingGroupArn"))
        if asg_id is None or asg_id not in platform["Resources"]:
            continue
        asg = _props(platform["Resources"][asg_id])
        mixed = asg.get("MixedInstancesPolicy")
        if mixed:
            spec = mixed.get("LaunchTemplate", {}).get("LaunchTemplateSpecification", {})
            overrides = [o.get("InstanceType") for o in mixed.get("LaunchTemplate", {}).get("Overrides", [])]
            distribution = mixed.get("InstancesDistribution", {})
            base = _int(distribution.get("OnDemandBaseCapacity"), 0)
            percent = _int(distribution.get("OnDemandPercentageAboveBaseCapacity"), 100)
        else:
            spec = asg.get("LaunchTemplate", {})
            overrides, base, percent = [], 0, 100
        template_id = _ref(spec.get("LaunchTemplateId"))
        data = _props(platform["Resources"][template_id]).get("LaunchTemplateData", {}) if template_id else {}
        types = [t for t in overrides if isinstance(t, str)] or [str(data.get("InstanceType", "unknown"))]
        ports = _PORT_RANGE.search(json.dumps(data.get("UserData", "")))
        groups[name] = GroupFacts(
            name=name,
            min_size=_int(asg.get("MinSize"), 0),
            max_size=_int(asg.get("MaxSize"), 0),
            instance_types=tuple(types),
            on_demand_base=base,
            on_demand_percent_above_base=percent,
            target_capacity_percent=_int(provider.get("ManagedScaling", {}).get("TargetCapacity"), 100),
            root_volume_gib=sum(_int(m.get("Ebs", {}).get("VolumeSize"), 0) for m in data.get("BlockDeviceMappings", [])),
            host_port_range=(int(ports.group(1)), int(ports.group(2))) if ports else None,
        )
    return groups


def _provider(value: Any, stack: str, assembly: Assembly, providers: Mapping[str, str]) -> str:
    """A strategy's ``CapacityProvider`` as FARGATE/FARGATE_SPOT or a group name (through Ref or an import)."""
    resolved = assembly.resolve(stack, value)
    if isinstance(resolved, str):
        return resolved
    if isinstance(resolved, ResourceRef) and resolved.logical_id in providers:
        return providers[resolved.logical_id]
    return json.dumps(value, sort_keys=True)


def read_strategy(items: Any, stack: str, assembly: Assembly, providers: Mapping[str, str]) -> tuple[StrategyItem, ...]:
    return tuple(
        StrategyItem(
            provider=_provider(item.get("CapacityProvider"), stack, assembly, providers),
            base=_int(item.get("Base"), 0),
            weight=_int(item.get("Weight"), 0),
        )
        for item in items or []
    )


# --- services -------------------------------------------------------------------------------


def read_service(
    name: str,
    stack: str,
    template: Template,
    logical_id: str,
    *,
    assembly: Assembly,
    providers: Mapping[str, str],
    cluster_strategy: tuple[StrategyItem, ...] = (),
) -> ServiceFacts:
    """One ``AWS::ECS::Service`` with its task definition, target groups and scalable target."""
    props = _props(template["Resources"][logical_id])
    task_id = _ref(props.get("TaskDefinition"))
    if task_id is None or task_id not in template["Resources"]:
        raise PlanError(f"{stack}: service {logical_id} has no task definition in its stack")
    task = read_task_definition(template["Resources"][task_id])
    target_groups = []
    for entry in props.get("LoadBalancers", []):
        group_id = _ref(entry.get("TargetGroupArn"))
        if group_id is not None and group_id in template["Resources"]:
            target_groups.append(read_target_group(group_id, template["Resources"][group_id]))
    strategy = read_strategy(props.get("CapacityProviderStrategy"), stack, assembly, providers)
    if not strategy and "LaunchType" not in props:
        strategy = cluster_strategy
    if "LaunchType" in props:
        launch = str(props["LaunchType"])
    elif strategy:
        launch = "FARGATE" if all(item.provider in FARGATE_PROVIDERS for item in strategy) else "EC2"
    else:
        compatibilities = _props(template["Resources"][task_id]).get("RequiresCompatibilities", ["EC2"])
        launch = "FARGATE" if "FARGATE" in compatibilities else "EC2"
    deployment = props.get("DeploymentConfiguration", {})
    scaling = read_scaling(template, logical_id)
    return ServiceFacts(
        name=name,
        stack=stack,
        logical_id=logical_id,
        launch=launch,
        desired_count=_int(props.get("DesiredCount"), scaling.min_tasks if scaling else 1),
        min_healthy_percent=_int(deployment.get("MinimumHealthyPercent"), DEFAULT_MIN_HEALTHY_PERCENT),
        max_percent=_int(deployment.get("MaximumPercent"), DEFAULT_MAX_PERCENT),
        grace_period_seconds=_int(props.get("HealthCheckGracePeriodSeconds"), 0),
        target_groups=tuple(target_groups),
        task=task,
        strategy=strategy,
        scaling=scaling,
        deployment=replace(read_deployment(deployment), network_load_balancer=_shifts_on_listener(template, props)),
    )


def _shifts_on_listener(template: Template, props: Mapping[str, Any]) -> bool:
    """Whether a load balancer entry's production "rule" is a listener: the NLB form of ``AdvancedConfiguration``."""
    for entry in props.get("LoadBalancers", []):
        production = _ref(entry.get("AdvancedConfiguration", {}).get("ProductionListenerRule"))
        resource = template["Resources"].get(production) if production is not None else None
        if resource is not None and resource.get("Type") == "AWS::ElasticLoadBalancingV2::Listener":
            return True
    return False


def read_deployment(configuration: Mapping[str, Any]) -> DeploymentFacts:
    """The strategy of a ``DeploymentConfiguration`` (ROLLING when the template names none)."""
    canary = configuration.get("CanaryConfiguration", {})
    linear = configuration.get("LinearConfiguration", {})
    defaults = DeploymentFacts()
    strategy = configuration.get("Strategy", "ROLLING")
    return DeploymentFacts(
        strategy=strategy if isinstance(strategy, str) else "ROLLING",
        bake_minutes=_int(configuration.get("BakeTimeInMinutes"), defaults.bake_minutes),
        canary_percent=_number(canary.get("CanaryPercent"), defaults.canary_percent),
        canary_minutes=_int(canary.get("CanaryBakeTimeInMinutes"), defaults.canary_minutes),
        linear_step_percent=_number(linear.get("StepPercent"), defaults.linear_step_percent),
        linear_minutes=_int(linear.get("StepBakeTimeInMinutes"), defaults.linear_minutes),
    )


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        return float(value)
    except ValueError:
        return default


def expected_stacks(config: EnvironmentConfig) -> list[str]:
    """The stacks a manifest synthesizes into: network (unless the VPC exists), platform, one per service or job."""
    names = [] if config.network.existing is not None else [outputs.network_stack_name(config.name)]
    names.append(outputs.platform_stack_name(config.name))
    names.extend(outputs.service_stack_name(config.name, name) for name in config.services)
    return names


def _count(templates: Mapping[str, Template], kind: str, load_balancer_type: str | None = None) -> int:
    """Resources of ``kind`` in all ``templates`` (load balancers: of one ``Type``, ``application`` by default)."""
    return sum(
        1
        for template in templates.values()
        for resource in resources_of(template, kind).values()
        if load_balancer_type is None or _props(resource).get("Type", "application") == load_balancer_type
    )


def _interface_endpoint_azs(templates: Mapping[str, Template]) -> int:
    return sum(
        len(_props(resource).get("SubnetIds", []))
        for template in templates.values()
        for resource in resources_of(template, "AWS::EC2::VPCEndpoint").values()
        if _props(resource).get("VpcEndpointType") == "Interface"
    )


def read_environment(config: EnvironmentConfig, templates: Mapping[str, Template]) -> EnvironmentFacts:
    """The facts of every stack the manifest implies; stacks not in ``templates`` are listed as missing."""
    expected = expected_stacks(config)
    own = {name: templates[name] for name in expected if name in templates}
    platform = own.get(outputs.platform_stack_name(config.name), {})
    group_names = [group.name for group in config.cluster.capacity.ec2]
    providers = capacity_provider_groups(platform, group_names)
    assembly = Assembly.from_templates(own)
    cluster_strategy: tuple[StrategyItem, ...] = ()
    for association in resources_of(platform, "AWS::ECS::ClusterCapacityProviderAssociations").values():
        cluster_strategy = read_strategy(
            _props(association).get("DefaultCapacityProviderStrategy"),
            outputs.platform_stack_name(config.name),
            assembly,
            providers,
        )
    services: list[ServiceFacts] = []
    without_service: list[str] = []
    for name in config.services:
        stack = outputs.service_stack_name(config.name, name)
        template = own.get(stack)
        if template is None:
            continue
        found = list(resources_of(template, "AWS::ECS::Service"))
        if not found:
            scheduled = bool(resources_of(template, "AWS::Scheduler::Schedule"))
            without_service.append(name if scheduled else f"{name} (on demand)")
        for logical_id in found:
            services.append(
                read_service(
                    name if len(found) == 1 else f"{name}/{logical_id}",
                    stack,
                    template,
                    logical_id,
                    assembly=assembly,
                    providers=providers,
                    cluster_strategy=cluster_strategy,
                )
            )
    return EnvironmentFacts(
        name=config.name,
        services=tuple(services),
        groups=read_groups(platform, group_names),
        shared=SharedFacts(
            nat_gateways=_count(own, "AWS::EC2::NatGateway"),
            interface_endpoint_azs=_interface_endpoint_azs(own),
            application_load_balancers=_count(own, "AWS::ElasticLoadBalancingV2::LoadBalancer", "application"),
            network_load_balancers=_count(own, "AWS::ElasticLoadBalancingV2::LoadBalancer", "network"),
            file_systems=_count(own, "AWS::EFS::FileSystem"),
        ),
        stack_resources={name: len(template.get("Resources", {})) for name, template in own.items()},
        without_service=tuple(without_service),
        missing=tuple(name for name in expected if name not in own),
    )
