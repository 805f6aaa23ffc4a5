"""Container hardening rules over synthesized templates (every ``AWS::ECS::TaskDefinition``).

Each rule returns one line per problem, ``stack/TaskDefinitionLogicalId/container: what is wrong``,
so a failing test or ``make check`` names the container to fix. The manifest decides two rules:
a service or sidecar may opt out of a read-only root file system, and may name a user to run as.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ecs_toolkit import outputs
from ecs_toolkit.config.models import EnvironmentConfig

TASK_DEFINITION = "AWS::ECS::TaskDefinition"
SECRET_NAME_PATTERNS = ("*PASSWORD*", "*SECRET*", "*TOKEN*", "AWS_*KEY*")
"""Plain environment variables with such names must be secrets (by reference) instead."""
ROOT_USERS = ("0", "root")


@dataclass(frozen=True)
class ContainerPolicy:
    """What the manifest says about one container."""

    read_only_root_filesystem: bool = True
    user: str | None = None


STRICT = ContainerPolicy()
"""For containers the manifest does not name: read-only root, any non-root user."""


@dataclass(frozen=True)
class TaskDefinition:
    stack: str
    logical_id: str
    properties: Mapping[str, Any]

    @property
    def containers(self) -> list[Mapping[str, Any]]:
        return list(self.properties.get("ContainerDefinitions", []))

    def where(self, container: Mapping[str, Any] | None = None) -> str:
        place = f"{self.stack}/{self.logical_id}"
        return f"{place}/{container.get('Name', '?')}" if container is not None else place


Policies = Mapping[tuple[str, str], ContainerPolicy]
"""``(stack name, container name) -> policy``."""


def task_definitions(templates: Mapping[str, Mapping[str, Any]]) -> list[TaskDefinition]:
    """Every task definition of ``{stack name: template}``."""
    return [
        TaskDefinition(stack, logical_id, resource.get("Properties", {}))
        for stack, template in sorted(templates.items())
        for logical_id, resource in sorted(template.get("Resources", {}).items())
        if resource.get("Type") == TASK_DEFINITION
    ]


def container_policies(config: EnvironmentConfig) -> dict[tuple[str, str], ContainerPolicy]:
    """The manifest's word on each container: a service's main container carries the service's name."""
    policies: dict[tuple[str, str], ContainerPolicy] = {}
    for name, service in config.services.items():
        stack = outputs.service_stack_name(config.name, name)
        policies[stack, name] = ContainerPolicy(service.read_only_root_filesystem, service.user)
        for sidecar in service.sidecars:
            policies[stack, sidecar.name] = ContainerPolicy(sidecar.read_only_root_filesystem, sidecar.user)
    return policies


def missing_task_definitions(config: EnvironmentConfig, definitions: list[TaskDefinition]) -> list[str]:
    """Services and jobs of the manifest whose stack has no task definition (so nothing above was checked)."""
    stacks = {definition.stack for definition in definitions}
    return [
        f"{outputs.service_stack_name(config.name, name)}: services.{name} has no {TASK_DEFINITION}"
        for name in config.services
        if outputs.service_stack_name(config.name, name) not in stacks
    ]


def _policy(policies: Policies, definition: TaskDefinition, container: Mapping[str, Any]) -> ContainerPolicy:
    return policies.get((definition.stack, str(container.get("Name"))), STRICT)


def _is_root(user: object) -> bool:
    return isinstance(user, str) and user.split(":", 1)[0] in ROOT_USERS


def privileged_containers(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    return [
        f"{definition.where(container)}: Privileged is true"
        for definition in definitions
        for container in definition.containers
        if container.get("Privileged") is True
    ]


def host_namespaces(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    return [
        f"{definition.where()}: {key} is host"
        for definition in definitions
        for key in ("PidMode", "IpcMode")
        if definition.properties.get(key) == "host"
    ]


def writable_root_filesystems(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    return [
        f"{definition.where(container)}: ReadonlyRootFilesystem is not true and the manifest does not opt out"
        for definition in definitions
        for container in definition.containers
        if _policy(policies, definition, container).read_only_root_filesystem
        and container.get("ReadonlyRootFilesystem") is not True
    ]


def users(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    problems: list[str] = []
    for definition in definitions:
        for container in definition.containers:
            wanted = _policy(policies, definition, container).user
            actual = container.get("User")
            if _is_root(actual):
                problems.append(f"{definition.where(container)}: runs as root (User {actual!r})")
            elif wanted is not None and actual != wanted:
                problems.append(f"{definition.where(container)}: User is {actual!r}, the manifest gives {wanted!r}")
    return problems


def secret_like_environment(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    return [
        f"{definition.where(container)}: plain environment variable {variable.get('Name')} looks like a secret"
        for definition in definitions
        for container in definition.containers
        for variable in container.get("Environment", [])
        if any(fnmatchcase(str(variable.get("Name", "")).upper(), pattern) for pattern in SECRET_NAME_PATTERNS)
    ]


def missing_log_configuration(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    return [
        f"{definition.where(container)}: no LogConfiguration"
        for definition in definitions
        for container in definition.containers
        if not (container.get("LogConfiguration") or {}).get("LogDriver")
    ]


def missing_memory_limit(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    return [
        f"{definition.where(container)}: no hard Memory limit"
        for definition in definitions
        for container in definition.containers
        if not isinstance(container.get("Memory"), int) or container["Memory"] <= 0
    ]


Rule = Callable[[list[TaskDefinition], Policies], list[str]]
RULES: dict[str, Rule] = {
    "privileged": privileged_containers,
    "host-namespaces": host_namespaces,
    "read-only-root": writable_root_filesystems,
    "user": users,
    "secret-environment": secret_like_environment,
    "log-configuration": missing_log_configuration,
    "memory-limit": missing_memory_limit,
}


def check(definitions: list[TaskDefinition], policies: Policies) -> list[str]:
    """Every problem of every rule."""
    return [problem for rule in RULES.values() for problem in rule(definitions, policies)]
