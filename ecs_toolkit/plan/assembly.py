"""Read the stack templates of a cloud assembly (a ``cdk.out`` directory) through the shared reader."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ecs_toolkit.assembly import AssemblyError, load_assembly
from ecs_toolkit.plan.errors import PlanError


def read_templates(directory: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> template, for every stack artifact in ``directory/manifest.json``."""
    try:
        assembly = load_assembly(directory)
    except AssemblyError as error:
        raise PlanError(str(error)) from None
    return {stack.name: dict(stack.template) for stack in assembly.stacks}


def holds_stacks(directory: Path, stacks: Iterable[str]) -> bool:
    """Whether ``directory`` is a cloud assembly with a template for each of ``stacks``."""
    try:
        found = read_templates(directory)
    except PlanError:
        return False
    return all(name in found for name in stacks)
