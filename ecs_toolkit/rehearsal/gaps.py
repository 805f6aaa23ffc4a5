"""What the emulator's CloudFormation does not model, and placeholders for the attributes templates read.

moto creates a resource only when it has a CloudFormation model for the type; any other type is
skipped without an error. Reading a skipped resource's value, however, breaks the deploy: an
``Fn::GetAtt`` fails the whole stack ("references undefined resource"), and a ``Ref`` resolves to
nothing, so an exported value (a capacity provider's name) is never published and the stack that
imports it fails. The consumers are mostly properties moto ignores anyway (a cluster's Service
Connect namespace, a service's capacity provider strategy). For exactly the types whose values
are read, a placeholder model is registered: it creates nothing and answers ``Ref`` and every
attribute with a string that names itself, so the rest of the app deploys and is verified.
Such resources are still reported as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from ecs_toolkit.rehearsal.assembly import CUSTOM_PREFIX, StackTemplate

PLACEHOLDER_PREFIX = "rehearsal-placeholder"
_REGISTERED: dict[str, type[CloudFormationModel]] = {}
"""Strong references: moto finds models through ``__subclasses__``, which holds them weakly."""


@dataclass(frozen=True)
class Read:
    """A ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` of a resource the emulator skips (``attribute`` empty for a Ref)."""

    stack: str
    logical_id: str
    type: str
    attribute: str = ""


def modelled(resource_type: str) -> bool:
    """Whether the emulator creates resources of this type (custom resources: it calls their handler)."""
    if resource_type.startswith(CUSTOM_PREFIX):
        return True
    return resource_type not in parsing.NULL_MODELS and resource_type in _native_models()


def skipped_reads(stacks: Iterable[StackTemplate]) -> list[Read]:
    """Every read of a skipped resource's value: these resources need a placeholder."""
    found: set[Read] = set()
    for stack in stacks:
        for logical_id, attribute in _references(stack.template):
            resource = stack.resources.get(logical_id)
            if resource is not None and not modelled(resource.type):
                found.add(Read(stack.name, logical_id, resource.type, attribute))
    return sorted(found, key=lambda read: (read.stack, read.logical_id, read.attribute))


def install_placeholders(resource_types: Iterable[str]) -> None:
    """Register a placeholder model for each type (in this process, which runs the emulator)."""
    for resource_type in sorted(set(resource_types)):
        if resource_type in _REGISTERED or modelled(resource_type):
            continue
        name = "Placeholder" + "".join(resource_type.split("::")[1:])
        # A direct subclass: moto lists its models with CloudFormationModel.__subclasses__().
        _REGISTERED[resource_type] = type(name, (_Placeholder, CloudFormationModel), {"TYPE": resource_type})
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def is_placeholder(resource_type: str) -> bool:
    return resource_type in _REGISTERED


def _native_models() -> set[str]:
    return {name for name, model in parsing.get_model_map().items() if not issubclass(model, _Placeholder)}


_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}")


def _references(node: Any) -> Iterator[tuple[str, str]]:
    """``(logical_id, attribute)`` for every Ref, GetAtt and Fn::Sub variable in ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("Ref"), str):
            yield node["Ref"], ""
        get_att = node.get("Fn::GetAtt")
        if isinstance(get_att, list) and len(get_att) == 2 and all(isinstance(part, str) for part in get_att):
            yield get_att[0], get_att[1]
        elif isinstance(get_att, str) and "." in get_att:
            logical_id, attribute = get_att.split(".", 1)
            yield logical_id, attribute
        sub = node.get("Fn::Sub")
        text = sub if isinstance(sub, str) else sub[0] if isinstance(sub, list) and sub and isinstance(sub[0], str) else ""
        for match in _SUB_REFERENCE.finditer(text):
            yield match.group(1), match.group(2) or ""
        for child in node.values():
            yield from _references(child)
    elif isinstance(node, list):
        for child in node:
            yield from _references(child)


class _Placeholder:
    """The behaviour of every placeholder model; each type gets its own class with ``TYPE`` set."""

    TYPE = ""

    def __init__(self, logical_id: str) -> None:
        self.logical_id = logical_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> _Placeholder:
        return cls(str(kwargs.get("LogicalId", resource_name)))

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        return None

    def delete(self, account_id: str, region_name: str) -> None:
        return None

    def is_created(self) -> bool:
        return True

    @property
    def physical_resource_id(self) -> str:
        return f"{PLACEHOLDER_PREFIX}-{self.logical_id}"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return f"{PLACEHOLDER_PREFIX}:{self.logical_id}.{attribute_name}"
