"""Resolve template values into what the deployed resources should show.

Only what can be known without the emulator's help is resolved: literals, pseudo parameters,
parameters, ``Ref`` to a resource (its physical id), imports, a few ``Fn::GetAtt`` (physical ids, a
role's ARN, a VPC's literal CIDR), and the string functions over them.
Everything else (most ``Fn::GetAtt``, conditions) is ``UNRESOLVED``, and a check skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ecs_toolkit.rehearsal.server import DEFAULT_ACCOUNT, DEFAULT_REGION


class _Unresolved:
    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED: Any = _Unresolved()
NO_VALUE: Any = None
PHYSICAL_ID_ATTRIBUTES = {("AWS::EC2::SecurityGroup", "GroupId"), ("AWS::EC2::Subnet", "SubnetId"), ("AWS::EC2::VPC", "VpcId")}
"""Attributes that equal the resource's physical id."""
PROPERTY_ATTRIBUTES = {("AWS::EC2::VPC", "CidrBlock"): "CidrBlock"}
"""Attributes that equal one of the resource's own template properties (when that is a literal)."""


@dataclass(frozen=True)
class StackValues:
    """What a deployed stack knows: its name, parameters, physical ids, and the account's exports."""

    name: str
    types: Mapping[str, str]
    physical_ids: Mapping[str, str]
    parameters: Mapping[str, str] = field(default_factory=dict)
    exports: Mapping[str, str] = field(default_factory=dict)
    account: str = DEFAULT_ACCOUNT
    region: str = DEFAULT_REGION
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Each resource's template properties, for ``PROPERTY_ATTRIBUTES``."""

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return UNRESOLVED if any(item is UNRESOLVED for item in items) else items
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((function, argument),) = value.items()
            if function == "Ref":
                return self._ref(argument)
            if function.startswith("Fn::"):
                handler = {
                    "Fn::GetAtt": self._get_att,
                    "Fn::ImportValue": self._import_value,
                    "Fn::Join": self._join,
                    "Fn::Select": self._select,
                    "Fn::Split": self._split,
                }.get(function)
                return handler(argument) if handler is not None else UNRESOLVED
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: Any) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.name,
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_ids.get(name, UNRESOLVED)

    def _get_att(self, argument: Any) -> Any:
        logical_id, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
        physical_id = self.physical_ids.get(logical_id)
        if not physical_id:
            return UNRESOLVED
        kind = self.types.get(logical_id)
        if (kind, attribute) in PHYSICAL_ID_ATTRIBUTES:
            return physical_id
        source = PROPERTY_ATTRIBUTES.get((kind, attribute))  # type: ignore[arg-type]
        if source is not None:
            value = self.properties.get(logical_id, {}).get(source)
            return value if isinstance(value, str) else UNRESOLVED
        if (kind, attribute) == ("AWS::IAM::Role", "Arn"):
            return f"arn:aws:iam::{self.account}:role/{physical_id}"
        return UNRESOLVED

    def _import_value(self, argument: Any) -> Any:
        name = self.resolve(argument)
        return self.exports.get(name, UNRESOLVED) if isinstance(name, str) else UNRESOLVED

    def _join(self, argument: Any) -> Any:
        separator, items = argument
        parts = self.resolve(items)
        if parts is UNRESOLVED or not isinstance(parts, list):
            return UNRESOLVED
        return str(separator).join(str(part) for part in parts)

    def _select(self, argument: Any) -> Any:
        index, items = argument
        resolved = self.resolve(items)
        if not isinstance(resolved, list):
            return UNRESOLVED
        return resolved[int(index)] if int(index) < len(resolved) else UNRESOLVED

    def _split(self, argument: Any) -> Any:
        separator, text = argument
        resolved = self.resolve(text)
        return resolved.split(separator) if isinstance(resolved, str) else UNRESOLVED
