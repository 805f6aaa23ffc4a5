"""The rehearsal's view of a synthesized cloud assembly: the shared reader's stacks, in deployment order."""

from __future__ import annotations

from pathlib import Path

from ecs_toolkit.assembly import AssemblyError, Resource, Stack
from ecs_toolkit.assembly import load_assembly as _load

CUSTOM_PREFIX = "Custom::"
"""Lambda-backed custom resources as moto sees them: it invokes the handler and waits for an answer."""

StackTemplate = Stack
"""A stack as the rehearsal deploys it: name, template, dependencies and resources."""

__all__ = ["CUSTOM_PREFIX", "AssemblyError", "Resource", "StackTemplate", "custom_resources", "load_assembly"]


def load_assembly(directory: Path) -> list[Stack]:
    """The assembly's stacks, each after the stacks it depends on."""
    return _load(directory).stacks


def custom_resources(stack: Stack) -> list[Resource]:
    """The stack's Lambda-backed custom resources, which moto invokes and waits on."""
    return [resource for resource in stack.resources.values() if resource.type.startswith(CUSTOM_PREFIX)]
