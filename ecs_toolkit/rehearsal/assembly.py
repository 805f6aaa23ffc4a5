"""Read a synthesized cloud assembly: its stacks, in deployment order, and their templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecs_toolkit import assembly as shared

CUSTOM_PREFIX = "Custom::"
"""Lambda-backed custom resources as moto sees them: it invokes the handler and waits for an answer."""


AssemblyError = shared.AssemblyError
"""The cloud assembly is missing or unreadable."""


@dataclass(frozen=True)
class Resource:
    logical_id: str
    type: str
    properties: dict[str, Any]
    deletion_policy: str | None = None


@dataclass(frozen=True)
class StackTemplate:
    name: str
    template: dict[str, Any]
    dependencies: tuple[str, ...] = ()
    resources: dict[str, Resource] = field(default_factory=dict)

    @property
    def custom_resources(self) -> list[Resource]:
        return [resource for resource in self.resources.values() if resource.type.startswith(CUSTOM_PREFIX)]


def load_assembly(directory: Path) -> list[StackTemplate]:
    """The assembly's stacks, each after the stacks it depends on (read by the shared reader)."""
    assembly = shared.load_assembly(directory)
    return [
        StackTemplate(
            name=stack.name,
            template=dict(stack.template),
            dependencies=stack.dependencies,
            resources={
                logical_id: Resource(logical_id, resource.type, dict(resource.properties), resource.deletion_policy)
                for logical_id, resource in stack.resources.items()
            },
        )
        for stack in assembly.stacks
    ]
