"""Read a synthesized cloud assembly: its stacks, in deployment order, and their templates."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STACK_ARTIFACT = "aws:cloudformation:stack"
CUSTOM_PREFIX = "Custom::"
"""Lambda-backed custom resources as moto sees them: it invokes the handler and waits for an answer."""


class AssemblyError(Exception):
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
    """The assembly's stacks, each after the stacks it depends on."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as error:
        raise AssemblyError(f"{manifest_path}: cannot read the cloud assembly ({error})") from error
    artifacts: dict[str, Any] = manifest.get("artifacts", {})
    stacks: dict[str, StackTemplate] = {}
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        properties = artifact.get("properties", {})
        template_path = directory / properties["templateFile"]
        try:
            template = json.loads(template_path.read_text())
        except (OSError, ValueError) as error:
            raise AssemblyError(f"{template_path}: cannot read the template ({error})") from error
        stacks[artifact_id] = StackTemplate(
            name=properties.get("stackName", artifact_id),
            template=template,
            dependencies=tuple(artifact.get("dependencies", ())),
            resources={
                logical_id: Resource(logical_id, body["Type"], body.get("Properties", {}), body.get("DeletionPolicy"))
                for logical_id, body in template.get("Resources", {}).items()
            },
        )
    return _in_dependency_order(stacks)


def _in_dependency_order(stacks: dict[str, StackTemplate]) -> list[StackTemplate]:
    ordered: list[StackTemplate] = []
    seen: set[str] = set()

    def visit(artifact_id: str) -> None:
        if artifact_id in seen or artifact_id not in stacks:
            return
        seen.add(artifact_id)
        for dependency in stacks[artifact_id].dependencies:
            visit(dependency)
        ordered.append(stacks[artifact_id])

    for artifact_id in sorted(stacks):
        visit(artifact_id)
    return ordered
