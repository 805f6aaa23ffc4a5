"""Read a cloud assembly's stacks and resolve CloudFormation intrinsics across them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecs_toolkit.assembly.intrinsics import PSEUDO_PARAMETERS, Attribute, Composite, Intrinsics, Pseudo, ResourceRef, Unknown

STACK_ARTIFACT = "aws:cloudformation:stack"


class AssemblyError(Exception):
    """The cloud assembly is missing or unreadable."""


Token = ResourceRef | Attribute | Pseudo | Unknown | Composite
"""What a resolved value is when it is not literal."""


def render(value: Any) -> str:
    """A resolved value as text, tokens as ``${stack/LogicalId}``, ``${stack/LogicalId.Attr}`` or ``${AWS::Region}``.

    Two values that render alike are the same value once deployed, which is what ARN matching needs.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, ResourceRef):
        return f"${{{value.stack}/{value.logical_id}}}"
    if isinstance(value, Attribute):
        return f"${{{value.stack}/{value.logical_id}.{value.name}}}"
    if isinstance(value, Pseudo):
        return f"${{{value.name}}}"
    if isinstance(value, Composite):
        return "".join(render(part) for part in value.parts)
    if isinstance(value, Unknown):
        return "${?}"
    return json.dumps(value, sort_keys=True, default=render)


@dataclass(frozen=True)
class Resource:
    stack: str
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    deletion_policy: str | None = None

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.stack, self.logical_id)


@dataclass(frozen=True)
class Stack:
    name: str
    template: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()
    resources: Mapping[str, Resource] = field(default_factory=dict)

    @property
    def outputs(self) -> Mapping[str, Any]:
        found: Mapping[str, Any] = self.template.get("Outputs", {})
        return found


class Assembly(Intrinsics):
    """Every stack of one cloud assembly, indexed by stack name and logical id."""

    def __init__(self, stacks: list[Stack], *, account: str | None = None, region: str | None = None) -> None:
        self.stacks = stacks
        self.by_name = {stack.name: stack for stack in stacks}
        self.account = account
        self.region = region
        self.exports: dict[str, tuple[str, Any]] = {}
        for stack in stacks:
            for output in stack.outputs.values():
                name = output.get("Export", {}).get("Name")
                if isinstance(name, str):
                    self.exports[name] = (stack.name, output.get("Value"))

    @classmethod
    def from_templates(cls, templates: Mapping[str, Mapping[str, Any]], **environment: str | None) -> Assembly:
        """An assembly of hand-written templates (stack name -> template), in the given order."""
        return cls([_stack(name, template) for name, template in templates.items()], **environment)

    # --- lookup ---------------------------------------------------------------------------

    def resource(self, stack: str, logical_id: str) -> Resource | None:
        found = self.by_name.get(stack)
        return found.resources.get(logical_id) if found is not None else None

    def target(self, value: Any) -> Resource | None:
        """The resource a resolved ``Ref``/``GetAtt`` points at."""
        if isinstance(value, ResourceRef | Attribute):
            return self.resource(value.stack, value.logical_id)
        return None

    def resources(self, *types: str) -> Iterator[Resource]:
        for stack in self.stacks:
            for resource in stack.resources.values():
                if not types or resource.type in types:
                    yield resource

    def resources_in(self, stack: str, *types: str) -> Iterator[Resource]:
        found = self.by_name.get(stack)
        for resource in found.resources.values() if found is not None else ():
            if not types or resource.type in types:
                yield resource

    def output(self, stack: str, key: str) -> Any:
        """The resolved value of a stack output, or ``Unknown``."""
        found = self.by_name.get(stack)
        if found is None or key not in found.outputs:
            return Unknown(f"stack {stack} has no output {key}")
        return self.resolve(stack, found.outputs[key].get("Value"))

    # --- intrinsics -----------------------------------------------------------------------

    def resolve(self, stack: str, value: Any) -> Any:
        """``value`` from ``stack``'s template with every intrinsic followed as far as offline knowledge goes."""
        return self.fold(stack, value)

    def ref(self, stack: str, name: str) -> Any:
        if name == "AWS::NoValue":
            return None
        if name == "AWS::Region" and self.region:
            return self.region
        if name == "AWS::AccountId" and self.account:
            return self.account
        if name == "AWS::StackName":
            return stack
        if name in PSEUDO_PARAMETERS:
            return Pseudo(name)
        template = self.by_name[stack].template if stack in self.by_name else {}
        if name in template.get("Parameters", {}):
            default = template["Parameters"][name].get("Default")
            return default if default is not None else Unknown(f"parameter {name} is given at deploy time")
        return ResourceRef(stack, name)

    def get_att(self, stack: str, logical_id: str, attribute: str) -> Any:
        return Attribute(stack, logical_id, attribute)

    def import_value(self, stack: str, name: str) -> Any:
        if name not in self.exports:
            return Unknown(f"no stack of this assembly exports {name}")
        exporter, value = self.exports[name]
        return self.fold(exporter, value)


def _stack(name: str, template: Mapping[str, Any], dependencies: tuple[str, ...] = ()) -> Stack:
    return Stack(
        name=name,
        template=template,
        dependencies=dependencies,
        resources={
            logical_id: Resource(name, logical_id, body["Type"], body.get("Properties", {}), body.get("DeletionPolicy"))
            for logical_id, body in template.get("Resources", {}).items()
        },
    )


def load_assembly(directory: Path, *, account: str | None = None, region: str | None = None) -> Assembly:
    """Every stack of ``directory/manifest.json``, each after the stacks it depends on."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError(f"{directory}: no cloud assembly here (manifest.json is missing)") from None
    except (OSError, ValueError) as error:
        raise AssemblyError(f"{manifest_path}: cannot read the cloud assembly ({error})") from None
    artifacts: dict[str, Any] = manifest.get("artifacts", {})
    stacks: dict[str, Stack] = {}
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        properties = artifact.get("properties", {})
        template_path = directory / properties.get("templateFile", f"{artifact_id}.template.json")
        try:
            template = json.loads(template_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise AssemblyError(f"{template_path}: cannot read the template ({error})") from None
        stacks[artifact_id] = _stack(properties.get("stackName", artifact_id), template, tuple(artifact.get("dependencies", ())))
    return Assembly(_in_dependency_order(stacks), account=account, region=region)


def _in_dependency_order(stacks: dict[str, Stack]) -> list[Stack]:
    ordered: list[Stack] = []
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
