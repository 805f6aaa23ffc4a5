"""The manifest's services and jobs as the templates run them: groups, ports, subnets, roles, volumes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ecs_toolkit import outputs
from ecs_toolkit.assembly import Assembly, Resource, ResourceRef, render
from ecs_toolkit.config.models import EnvironmentConfig
from ecs_toolkit.verify.network import group_keys

_PORT_RANGE = re.compile(r"ECS_DYNAMIC_HOST_PORT_RANGE=(\d+)-(\d+)")
AGENT_DEFAULT_RANGE = (32768, 65535)
"""The ECS agent's dynamic host ports when the instance pins no range."""


@dataclass(frozen=True)
class InstanceGroup:
    """An EC2 capacity provider's instances: their security groups, subnets and pinned host-port range."""

    provider: ResourceRef
    groups: tuple[str, ...]
    subnets: tuple[Any, ...]
    host_ports: tuple[int, int]
    role: ResourceRef | None


@dataclass
class Workload:
    name: str
    kind: str
    stack: str
    network_mode: str
    task_definition: Resource | None
    service: Resource | None = None
    task_groups: list[str] = field(default_factory=list)
    instances: list[InstanceGroup] = field(default_factory=list)
    subnets: list[Any] = field(default_factory=list)
    main_container: str | None = None
    """The container that serves the workload's port; None: the one named like the workload (the stacks' rule)."""

    @property
    def sources(self) -> list[str]:
        """Groups this workload's outbound connections come from."""
        if self.network_mode == "awsvpc":
            return self.task_groups
        return sorted({key for group in self.instances for key in group.groups})

    @property
    def destinations(self) -> list[str]:
        return self.sources

    def runs_with_exec(self, assembly: Assembly) -> bool:
        """ECS Exec on the service, or on the job's RunTask call in its state machine."""
        if self.service is not None:
            return bool(assembly.resolve(self.stack, self.service.properties).get("EnableExecuteCommand"))
        return any(
            '"EnableExecuteCommand":true' in render(assembly.resolve(machine.stack, machine.properties).get("DefinitionString"))
            for machine in assembly.resources_in(self.stack, "AWS::StepFunctions::StateMachine")
        )

    def containers(self, assembly: Assembly) -> list[dict[str, Any]]:
        if self.task_definition is None:
            return []
        props = assembly.resolve(self.stack, self.task_definition.properties)
        found: list[dict[str, Any]] = props.get("ContainerDefinitions", [])
        return found

    def host_ports(self, container_port: int, host_port: int | None) -> list[tuple[int, int]]:
        """Where traffic for ``container_port`` arrives: the port itself (awsvpc), the host port, or the dynamic range."""
        if self.network_mode == "awsvpc":
            return [(container_port, container_port)]
        if self.network_mode == "host":
            port = host_port or container_port
            return [(port, port)]
        if host_port:
            return [(host_port, host_port)]
        return sorted({group.host_ports for group in self.instances}) or [AGENT_DEFAULT_RANGE]

    def mappings(self, assembly: Assembly, container: str | None = None) -> list[tuple[int, int | None, str]]:
        """(container port, host port, protocol) of the named container (default: the main one)."""
        wanted = container or self.main_container or self.name
        found = []
        for definition in self.containers(assembly):
            if definition.get("Name") != wanted:
                continue
            for mapping in definition.get("PortMappings", []):
                host = mapping.get("HostPort")
                found.append(
                    (
                        int(mapping["ContainerPort"]),
                        int(host) if isinstance(host, int) and host else None,
                        str(mapping.get("Protocol", "tcp")).lower(),
                    )
                )
        return found


def read_workloads(assembly: Assembly, config: EnvironmentConfig | None) -> dict[str, Workload]:
    """The manifest's services and jobs; with no manifest, every ECS service in the templates (see ``discover_workloads``)."""
    if config is None:
        return discover_workloads(assembly)
    platform = outputs.platform_stack_name(config.name)
    instances = _instance_groups(assembly)
    default_strategy = _cluster_strategy(assembly)
    found: dict[str, Workload] = {}
    for name, entry in config.services.items():
        stack = outputs.service_stack_name(config.name, name)
        if stack not in assembly.by_name:
            continue
        services = list(assembly.resources_in(stack, "AWS::ECS::Service"))
        definitions = list(assembly.resources_in(stack, "AWS::ECS::TaskDefinition"))
        definition = definitions[0] if definitions else None
        mode = str(definition.properties.get("NetworkMode", "bridge")) if definition else "bridge"
        workload = Workload(name, entry.kind, stack, mode, definition, services[0] if services else None)
        if workload.service is not None:
            providers = _read_service(assembly, workload, default_strategy)
        else:
            output = assembly.output(stack, outputs.TASK_SECURITY_GROUP_IDS)
            workload.task_groups = group_keys(assembly, _list_output(output)) if output != outputs.EMPTY_LIST else []
            providers = _job_providers(assembly, stack, platform)
            workload.subnets = _private_subnets(assembly, config)
        _place(workload, providers, instances)
        found[name] = workload
    return found


def discover_workloads(assembly: Assembly) -> dict[str, Workload]:
    """Every ``AWS::ECS::Service`` of the templates, named ``stack/logical id``: for an app built without a manifest.

    The main container is the first essential one that maps a port (else the first). Scheduled tasks are not
    services and are not found this way."""
    instances = _instance_groups(assembly)
    default_strategy = _cluster_strategy(assembly)
    found: dict[str, Workload] = {}
    for service in assembly.resources("AWS::ECS::Service"):
        definition = assembly.target(assembly.resolve(service.stack, service.properties).get("TaskDefinition"))
        mode = str(definition.properties.get("NetworkMode", "bridge")) if definition else "bridge"
        name = f"{service.stack}/{service.logical_id}"
        workload = Workload(name, "service", service.stack, mode, definition, service)
        containers = workload.containers(assembly)
        serving = [c for c in containers if c.get("Essential", True) and c.get("PortMappings")] or containers
        workload.main_container = str(serving[0].get("Name")) if serving else None
        _place(workload, _read_service(assembly, workload, default_strategy), instances)
        found[name] = workload
    return found


def _read_service(assembly: Assembly, workload: Workload, default_strategy: list[dict[str, Any]]) -> list[Any]:
    """Fill in a service's task groups and subnets; return the capacity providers it runs on."""
    assert workload.service is not None
    props = assembly.resolve(workload.stack, workload.service.properties)
    network = props.get("NetworkConfiguration", {}).get("AwsvpcConfiguration", {})
    workload.task_groups = group_keys(assembly, network.get("SecurityGroups"))
    workload.subnets = list(network.get("Subnets") or [])
    strategy = props.get("CapacityProviderStrategy") or ([] if "LaunchType" in props else default_strategy)
    return [item.get("CapacityProvider") for item in strategy]


def _place(workload: Workload, providers: list[Any], instances: dict[ResourceRef, InstanceGroup]) -> None:
    workload.instances = [instances[p] for p in providers if isinstance(p, ResourceRef) and p in instances]
    if workload.network_mode != "awsvpc":
        workload.subnets = sorted({s for group in workload.instances for s in group.subnets}, key=render)


def _instance_groups(assembly: Assembly) -> dict[ResourceRef, InstanceGroup]:
    groups: dict[ResourceRef, InstanceGroup] = {}
    for provider in assembly.resources("AWS::ECS::CapacityProvider"):
        props = assembly.resolve(provider.stack, provider.properties).get("AutoScalingGroupProvider", {})
        asg = assembly.target(props.get("AutoScalingGroupArn"))
        if asg is None:
            continue
        asg_props = assembly.resolve(asg.stack, asg.properties)
        mixed = asg_props.get("MixedInstancesPolicy")
        spec = mixed["LaunchTemplate"]["LaunchTemplateSpecification"] if mixed else asg_props.get("LaunchTemplate", {})
        template = assembly.target(spec.get("LaunchTemplateId"))
        data = assembly.resolve(template.stack, template.properties).get("LaunchTemplateData", {}) if template else {}
        keys = group_keys(assembly, data.get("SecurityGroupIds")) or [
            key for interface in data.get("NetworkInterfaces", []) for key in group_keys(assembly, interface.get("Groups"))
        ]
        ports = _PORT_RANGE.search(render(_user_data(assembly, template)))
        profile = assembly.target(data.get("IamInstanceProfile", {}).get("Arn"))
        role = None
        if profile is not None:
            roles = assembly.resolve(profile.stack, profile.properties).get("Roles", [])
            role = roles[0] if roles and isinstance(roles[0], ResourceRef) else None
        groups[provider.ref] = InstanceGroup(
            provider=provider.ref,
            groups=tuple(keys),
            subnets=tuple(asg_props.get("VPCZoneIdentifier") or []),
            host_ports=(int(ports.group(1)), int(ports.group(2))) if ports else AGENT_DEFAULT_RANGE,
            role=role,
        )
    return groups


def _user_data(assembly: Assembly, template: Resource | None) -> Any:
    """A launch template's user data before its ``Fn::Base64`` encoding."""
    if template is None:
        return ""
    raw = template.properties.get("LaunchTemplateData", {}).get("UserData", "")
    if isinstance(raw, dict) and "Fn::Base64" in raw:
        raw = raw["Fn::Base64"]
    return assembly.resolve(template.stack, raw)


def _cluster_strategy(assembly: Assembly) -> list[dict[str, Any]]:
    for association in assembly.resources("AWS::ECS::ClusterCapacityProviderAssociations"):
        strategy: list[dict[str, Any]] = assembly.resolve(association.stack, association.properties).get(
            "DefaultCapacityProviderStrategy", []
        )
        return strategy
    return []


def _job_providers(assembly: Assembly, stack: str, platform: str) -> list[Any]:
    """A job's EC2 providers, from the strategy it publishes (``name:base:weight``) and the platform's outputs."""
    published = assembly.output(stack, outputs.CAPACITY_STRATEGY)
    if not isinstance(published, str) or published == outputs.EMPTY_LIST:
        return []
    names = [item.split(":", 1)[0] for item in published.split(outputs.LIST_SEPARATOR)]
    return [assembly.output(platform, outputs.ec2_group_provider_key(name)) for name in names]


def _list_output(value: Any) -> list[Any]:
    """A published list: one value, or an ``Fn::Join`` of values (the task's group and the existing ones it takes)."""
    if not hasattr(value, "parts"):
        return [value]
    # Literal parts arrive merged with their separators (",sg-1,sg-2"): split them back into values.
    found: list[Any] = []
    for part in value.parts:
        if isinstance(part, str):
            found.extend(piece for piece in part.split(outputs.LIST_SEPARATOR) if piece)
        else:
            found.append(part)
    return found


def _private_subnets(assembly: Assembly, config: EnvironmentConfig) -> list[Any]:
    """The subnets awsvpc jobs run in: the environment's private subnets, as published."""
    for stack in (outputs.network_stack_name(config.name), outputs.platform_stack_name(config.name)):
        value = assembly.output(stack, outputs.PRIVATE_SUBNET_IDS)
        if isinstance(value, str):
            return value.split(outputs.LIST_SEPARATOR)
        if hasattr(value, "parts"):
            return [part for part in value.parts if not (isinstance(part, str) and part == outputs.LIST_SEPARATOR)]
    return []
