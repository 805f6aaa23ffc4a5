"""Read a cloud assembly's stacks and resolve CloudFormation intrinsics across them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STACK_ARTIFACT = "aws:cloudformation:stack"


class AssemblyError(Exception):
    """The cloud assembly is missing or unreadable."""


@dataclass(frozen=True)
class ResourceRef:
    """``Ref`` to a resource: its physical id, known after deployment."""

    stack: str
    logical_id: str


@dataclass(frozen=True)
class Attribute:
    """``Fn::GetAtt`` of a resource, known after deployment."""

    stack: str
    logical_id: str
    name: str


@dataclass(frozen=True)
class Pseudo:
    """A pseudo parameter of an environment-agnostic stack (``AWS::Region``, ``AWS::AccountId``, ...)."""

    name: str


@dataclass(frozen=True)
class Unknown:
    """A value nothing offline can tell, and why."""

    reason: str


@dataclass(frozen=True)
class Composite:
    """A string joined from literals and tokens (``Fn::Join``/``Fn::Sub`` over deploy-time values)."""

    parts: tuple[Any, ...]


Token = ResourceRef | Attribute | Pseudo | Unknown | Composite


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


_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_PSEUDO = ("AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::StackId")


class Assembly:
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
        if isinstance(value, list):
            return [self.resolve(stack, item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                return self._ref(stack, argument)
            if function == "Fn::GetAtt":
                logical_id, name = argument if isinstance(argument, list) else str(argument).split(".", 1)
                return Attribute(stack, logical_id, name)
            if function == "Fn::ImportValue":
                return self._import(stack, argument)
            if function == "Fn::Join":
                separator, items = argument
                return _join(str(separator), self.resolve(stack, items))
            if function == "Fn::Sub":
                return self._sub(stack, argument)
            if function == "Fn::Select":
                index, items = argument
                items = self.resolve(stack, items)
                position = self.resolve(stack, index)
                if isinstance(items, list) and isinstance(position, int | str) and str(position).isdigit():
                    return items[int(position)] if int(position) < len(items) else Unknown("Fn::Select past the list")
                return Unknown("Fn::Select over a deploy-time list")
            if function == "Fn::Split":
                separator, text = argument
                text = self.resolve(stack, text)
                return text.split(separator) if isinstance(text, str) else Unknown("Fn::Split of a deploy-time value")
            if function.startswith("Fn::") or function == "Condition":
                return Unknown(f"{function} is decided at deploy time")
        return {key: self.resolve(stack, item) for key, item in value.items()}

    def _ref(self, stack: str, name: Any) -> Any:
        if name == "AWS::NoValue":
            return None
        if name == "AWS::Region" and self.region:
            return self.region
        if name == "AWS::AccountId" and self.account:
            return self.account
        if name == "AWS::StackName":
            return stack
        if name in _PSEUDO:
            return Pseudo(str(name))
        template = self.by_name[stack].template if stack in self.by_name else {}
        if name in template.get("Parameters", {}):
            default = template["Parameters"][name].get("Default")
            return default if default is not None else Unknown(f"parameter {name} is given at deploy time")
        return ResourceRef(stack, str(name))

    def _import(self, stack: str, argument: Any) -> Any:
        name = self.resolve(stack, argument)
        if not isinstance(name, str):
            return Unknown("an import whose name is only known at deploy time")
        if name not in self.exports:
            return Unknown(f"no stack of this assembly exports {name}")
        exporter, value = self.exports[name]
        return self.resolve(exporter, value)

    def _sub(self, stack: str, argument: Any) -> Any:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        parts: list[Any] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[position : match.start()])
            name = match.group(1)
            if name in variables:
                parts.append(self.resolve(stack, variables[name]))
            elif "." in name:
                logical_id, attribute = name.split(".", 1)
                parts.append(Attribute(stack, logical_id, attribute))
            else:
                parts.append(self._ref(stack, name))
            position = match.end()
        parts.append(text[position:])
        return _join("", parts)


def _join(separator: str, items: Any) -> Any:
    if not isinstance(items, list):
        return Unknown("Fn::Join over a deploy-time list")
    parts: list[Any] = []
    for index, item in enumerate(items):
        if index and separator:
            parts.append(separator)
        parts.append(item)
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, int | float) and not isinstance(part, bool):
            part = str(part)
        if isinstance(part, Composite):
            merged.extend(part.parts)
        elif merged and isinstance(part, str) and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if not merged:
        return ""
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]
    if any(isinstance(part, Unknown) for part in merged):
        return next(part for part in merged if isinstance(part, Unknown))
    return Composite(tuple(merged))


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
